// PKCS#11 v2.40 最小声明（按 OASIS 规范 pkcs11-base-v2.40 手写，只含本项目用到的类型与常量）
// + dlopen 加载器 + 进程加固（禁止 core dump）。
#pragma once
#include <stddef.h>

typedef unsigned long CK_ULONG;
typedef unsigned char CK_BYTE;
typedef CK_ULONG CK_RV;
typedef CK_ULONG CK_SLOT_ID;
typedef CK_ULONG CK_SESSION_HANDLE;
typedef CK_ULONG CK_OBJECT_HANDLE;
typedef CK_ULONG CK_FLAGS;
typedef CK_ULONG CK_ATTRIBUTE_TYPE;
typedef CK_ULONG CK_MECHANISM_TYPE;
typedef CK_ULONG CK_USER_TYPE;
typedef CK_ULONG CK_OBJECT_CLASS;
typedef CK_ULONG CK_KEY_TYPE;
typedef unsigned char CK_BBOOL;

typedef struct CK_ATTRIBUTE {
    CK_ATTRIBUTE_TYPE type;
    void *pValue;
    CK_ULONG ulValueLen;
} CK_ATTRIBUTE;

typedef struct CK_MECHANISM {
    CK_MECHANISM_TYPE mechanism;
    void *pParameter;
    CK_ULONG ulParameterLen;
} CK_MECHANISM;

typedef struct CK_VERSION { CK_BYTE major; CK_BYTE minor; } CK_VERSION;

typedef struct CK_TOKEN_INFO {
    CK_BYTE label[32];
    CK_BYTE manufacturerID[32];
    CK_BYTE model[16];
    CK_BYTE serialNumber[16];
    CK_FLAGS flags;
    CK_ULONG ulMaxSessionCount, ulSessionCount, ulMaxRwSessionCount, ulRwSessionCount;
    CK_ULONG ulMaxPinLen, ulMinPinLen;
    CK_ULONG ulTotalPublicMemory, ulFreePublicMemory, ulTotalPrivateMemory, ulFreePrivateMemory;
    CK_VERSION hardwareVersion, firmwareVersion;
    CK_BYTE utcTime[16];
} CK_TOKEN_INFO;

#define CKR_OK 0x0UL
#define CKR_PIN_INCORRECT 0xA0UL
#define CKR_PIN_LOCKED 0xA4UL
#define CKR_SESSION_HANDLE_INVALID 0xB3UL
#define CKR_SESSION_CLOSED 0xB0UL
#define CKR_TOKEN_NOT_PRESENT 0xE0UL
#define CKR_DEVICE_REMOVED 0x32UL
#define CKR_USER_ALREADY_LOGGED_IN 0x100UL
#define CKR_CRYPTOKI_ALREADY_INITIALIZED 0x191UL
#define CKR_BUFFER_TOO_SMALL 0x150UL

#define CKF_RW_SESSION 0x2UL
#define CKF_SERIAL_SESSION 0x4UL
#define CKF_TOKEN_INITIALIZED 0x400UL
#define CKU_SO 0UL
#define CKU_USER 1UL

#define CKO_PUBLIC_KEY 2UL
#define CKO_PRIVATE_KEY 3UL
#define CKK_EC 3UL

#define CKA_CLASS 0x0UL
#define CKA_TOKEN 0x1UL
#define CKA_PRIVATE 0x2UL
#define CKA_LABEL 0x3UL
#define CKA_KEY_TYPE 0x100UL
#define CKA_ID 0x102UL
#define CKA_SENSITIVE 0x103UL
#define CKA_SIGN 0x108UL
#define CKA_VERIFY 0x10AUL
#define CKA_EXTRACTABLE 0x162UL
#define CKA_NEVER_EXTRACTABLE 0x164UL
#define CKA_ALWAYS_SENSITIVE 0x165UL
#define CKA_EC_PARAMS 0x180UL
#define CKA_EC_POINT 0x181UL

#define CKM_EC_KEY_PAIR_GEN 0x1040UL
#define CKM_ECDSA 0x1041UL

/// 已加载的 PKCS#11 模块（不透明句柄）。
typedef struct cpkcs11_module cpkcs11_module;

/// dlopen 模块并调用 C_GetFunctionList + C_Initialize。失败返回 NULL，err 写入原因（dlerror 或 CKR）。
cpkcs11_module *cpkcs11_load(const char *path, char *err, size_t errlen);
void cpkcs11_unload(cpkcs11_module *m);
/* C_Finalize + C_Initialize on the same loaded module: the library re-enumerates slots and tokens (a re-inserted token). */
CK_RV cpkcs11_reinit(cpkcs11_module *m);

CK_RV cpkcs11_get_slot_list(cpkcs11_module *m, CK_BBOOL tokenPresent, CK_SLOT_ID *slots, CK_ULONG *count);
CK_RV cpkcs11_get_token_info(cpkcs11_module *m, CK_SLOT_ID slot, CK_TOKEN_INFO *info);
CK_RV cpkcs11_init_token(cpkcs11_module *m, CK_SLOT_ID slot, const CK_BYTE *soPin, CK_ULONG soPinLen, const CK_BYTE *label32);
CK_RV cpkcs11_open_session(cpkcs11_module *m, CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE *session);
CK_RV cpkcs11_close_session(cpkcs11_module *m, CK_SESSION_HANDLE session);
CK_RV cpkcs11_login(cpkcs11_module *m, CK_SESSION_HANDLE session, CK_USER_TYPE user, const CK_BYTE *pin, CK_ULONG pinLen);
CK_RV cpkcs11_logout(cpkcs11_module *m, CK_SESSION_HANDLE session);
CK_RV cpkcs11_init_pin(cpkcs11_module *m, CK_SESSION_HANDLE session, const CK_BYTE *pin, CK_ULONG pinLen);
CK_RV cpkcs11_generate_key_pair(cpkcs11_module *m, CK_SESSION_HANDLE session, CK_MECHANISM *mech,
                                CK_ATTRIBUTE *pubTemplate, CK_ULONG pubCount,
                                CK_ATTRIBUTE *privTemplate, CK_ULONG privCount,
                                CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
CK_RV cpkcs11_get_attribute_value(cpkcs11_module *m, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE obj,
                                  CK_ATTRIBUTE *tmpl, CK_ULONG count);
CK_RV cpkcs11_find_objects(cpkcs11_module *m, CK_SESSION_HANDLE session, CK_ATTRIBUTE *tmpl, CK_ULONG count,
                           CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *found);
CK_RV cpkcs11_sign(cpkcs11_module *m, CK_SESSION_HANDLE session, CK_MECHANISM *mech, CK_OBJECT_HANDLE key,
                   const CK_BYTE *data, CK_ULONG dataLen, CK_BYTE *sig, CK_ULONG *sigLen);

/// 进程加固：RLIMIT_CORE=0 且 PR_SET_DUMPABLE=0（Linux）。返回 0 表示两项都成功。
int cpkcs11_harden_process(void);
/// 读当前状态：core 软上限与 dumpable 标志（测试用）。
long cpkcs11_core_limit(void);
int cpkcs11_dumpable(void);
/// 锁定全部内存（mlockall 当前+将来）——只在 RLIMIT_MEMLOCK 不受限时做：受限时 MCL_FUTURE 会让之后的分配失败。
/// 返回 0 已锁定，1 因限额跳过（机密缓冲区仍逐个 mlock），-1 失败。
int cpkcs11_lock_memory(void);

/// Unix 套接字对端凭据（SO_PEERCRED，Linux）。成功返回 0。
int cpkcs11_peer_cred(int fd, unsigned int *uid, int *pid);

/// scrypt 的 ROMix（RFC 7914 §5），就地处理一个 128·r 字节的块。V 需 128·r·N 字节，XY 需 256·r 字节。
/// 只用于 OpenSSL 拒绝的参数（N ≥ 2^(16r)，如以太坊 wiki 的 r=1,p=8 向量）；常规参数仍走 OpenSSL。
void cpkcs11_scrypt_romix(unsigned char *B, unsigned long r, unsigned long long N, unsigned char *V, unsigned char *XY);
