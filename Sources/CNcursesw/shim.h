// ncursesw 宽字符接口。SwiftPM 会丢掉 ncursesw.pc 的 cflags，所以必须先手动打开宽字符声明。
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>
// 以下均为宏，Swift 无法直接导入。
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline int cnc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_key_f(int n) { return KEY_F(n); }
// —— WalletConsole 追加 ——
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline int cnc_set_attr(attr_t a, short pair) { return wattr_set(stdscr, a, pair, NULL); }
static inline int cnc_put(int y, int x, const char *s) { return mvwaddstr(stdscr, y, x, s); }
static inline int cnc_get_wch(wint_t *ch) { return wget_wch(stdscr, ch); }
static inline void cnc_timeout(int ms) { wtimeout(stdscr, ms); }
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
