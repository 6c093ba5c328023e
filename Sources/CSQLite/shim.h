// SQLite3 C API。SQLITE_TRANSIENT 是宏，Swift 无法导入，这里包一层。
#include <sqlite3.h>
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
