#include "cpkcs11.h"
int cpkcs11_placeholder(void) { return 0; }
