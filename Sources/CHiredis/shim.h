// hiredis 同步 API（libhiredis-dev，pkg-config hiredis）。只用 argv 形式的命令函数：二进制安全，不拼格式串。
#include <hiredis/hiredis.h>
