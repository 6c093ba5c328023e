// OpenSSL 3.0 libcrypto：哈希、HMAC、KDF、AES、随机数。
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/kdf.h>
