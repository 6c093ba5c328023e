// PKCS#11 dlopen 垫片：按名字 dlsym 每个 C_* 入口（规范要求模块导出它们），调用约定见 OASIS pkcs11-base-v2.40。
#define _GNU_SOURCE
#include "cpkcs11.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef struct {
    void *CreateMutex, *DestroyMutex, *LockMutex, *UnlockMutex;
    CK_FLAGS flags;
    void *pReserved;
} CK_C_INITIALIZE_ARGS;
#define CKF_OS_LOCKING_OK 0x2UL

typedef CK_RV (*fn_Initialize)(void *);
typedef CK_RV (*fn_Finalize)(void *);
typedef CK_RV (*fn_GetSlotList)(CK_BBOOL, CK_SLOT_ID *, CK_ULONG *);
typedef CK_RV (*fn_GetTokenInfo)(CK_SLOT_ID, CK_TOKEN_INFO *);
typedef CK_RV (*fn_InitToken)(CK_SLOT_ID, const CK_BYTE *, CK_ULONG, const CK_BYTE *);
typedef CK_RV (*fn_OpenSession)(CK_SLOT_ID, CK_FLAGS, void *, void *, CK_SESSION_HANDLE *);
typedef CK_RV (*fn_CloseSession)(CK_SESSION_HANDLE);
typedef CK_RV (*fn_Login)(CK_SESSION_HANDLE, CK_USER_TYPE, const CK_BYTE *, CK_ULONG);
typedef CK_RV (*fn_Logout)(CK_SESSION_HANDLE);
typedef CK_RV (*fn_InitPIN)(CK_SESSION_HANDLE, const CK_BYTE *, CK_ULONG);
typedef CK_RV (*fn_GenerateKeyPair)(CK_SESSION_HANDLE, CK_MECHANISM *, CK_ATTRIBUTE *, CK_ULONG, CK_ATTRIBUTE *,
                                    CK_ULONG, CK_OBJECT_HANDLE *, CK_OBJECT_HANDLE *);
typedef CK_RV (*fn_GetAttributeValue)(CK_SESSION_HANDLE, CK_OBJECT_HANDLE, CK_ATTRIBUTE *, CK_ULONG);
typedef CK_RV (*fn_FindObjectsInit)(CK_SESSION_HANDLE, CK_ATTRIBUTE *, CK_ULONG);
typedef CK_RV (*fn_FindObjects)(CK_SESSION_HANDLE, CK_OBJECT_HANDLE *, CK_ULONG, CK_ULONG *);
typedef CK_RV (*fn_FindObjectsFinal)(CK_SESSION_HANDLE);
typedef CK_RV (*fn_SignInit)(CK_SESSION_HANDLE, CK_MECHANISM *, CK_OBJECT_HANDLE);
typedef CK_RV (*fn_Sign)(CK_SESSION_HANDLE, const CK_BYTE *, CK_ULONG, CK_BYTE *, CK_ULONG *);

struct cpkcs11_module {
    void *dl;
    fn_Initialize Initialize;
    fn_Finalize Finalize;
    fn_GetSlotList GetSlotList;
    fn_GetTokenInfo GetTokenInfo;
    fn_InitToken InitToken;
    fn_OpenSession OpenSession;
    fn_CloseSession CloseSession;
    fn_Login Login;
    fn_Logout Logout;
    fn_InitPIN InitPIN;
    fn_GenerateKeyPair GenerateKeyPair;
    fn_GetAttributeValue GetAttributeValue;
    fn_FindObjectsInit FindObjectsInit;
    fn_FindObjects FindObjects;
    fn_FindObjectsFinal FindObjectsFinal;
    fn_SignInit SignInit;
    fn_Sign Sign;
};

#define LOAD(name)                                                                   \
    do {                                                                             \
        *(void **)(&m->name) = dlsym(m->dl, "C_" #name);                             \
        if (!m->name) {                                                              \
            snprintf(err, errlen, "模块缺少入口 C_%s / missing symbol C_%s", #name, #name); \
            dlclose(m->dl); free(m); return NULL;                                    \
        }                                                                            \
    } while (0)

cpkcs11_module *cpkcs11_load(const char *path, char *err, size_t errlen) {
    if (errlen) err[0] = 0;
    cpkcs11_module *m = calloc(1, sizeof *m);
    if (!m) { snprintf(err, errlen, "out of memory"); return NULL; }
    m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) { snprintf(err, errlen, "%s", dlerror()); free(m); return NULL; }
    LOAD(Initialize); LOAD(Finalize); LOAD(GetSlotList); LOAD(GetTokenInfo); LOAD(InitToken);
    LOAD(OpenSession); LOAD(CloseSession); LOAD(Login); LOAD(Logout); LOAD(InitPIN);
    LOAD(GenerateKeyPair); LOAD(GetAttributeValue); LOAD(FindObjectsInit); LOAD(FindObjects);
    LOAD(FindObjectsFinal); LOAD(SignInit); LOAD(Sign);
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = m->Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        snprintf(err, errlen, "C_Initialize 失败 / failed: CKR 0x%lx", rv);
        dlclose(m->dl); free(m); return NULL;
    }
    return m;
}

CK_RV cpkcs11_reinit(cpkcs11_module *m) {
    CK_C_INITIALIZE_ARGS args;
    m->Finalize(NULL);
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    return m->Initialize(&args);
}

void cpkcs11_unload(cpkcs11_module *m) {
    if (!m) return;
    m->Finalize(NULL);
    dlclose(m->dl);
    free(m);
}

CK_RV cpkcs11_get_slot_list(cpkcs11_module *m, CK_BBOOL p, CK_SLOT_ID *s, CK_ULONG *c) { return m->GetSlotList(p, s, c); }
CK_RV cpkcs11_get_token_info(cpkcs11_module *m, CK_SLOT_ID s, CK_TOKEN_INFO *i) { return m->GetTokenInfo(s, i); }
CK_RV cpkcs11_init_token(cpkcs11_module *m, CK_SLOT_ID s, const CK_BYTE *p, CK_ULONG n, const CK_BYTE *l) {
    return m->InitToken(s, p, n, l);
}
CK_RV cpkcs11_open_session(cpkcs11_module *m, CK_SLOT_ID s, CK_FLAGS f, CK_SESSION_HANDLE *h) {
    return m->OpenSession(s, f, NULL, NULL, h);
}
CK_RV cpkcs11_close_session(cpkcs11_module *m, CK_SESSION_HANDLE h) { return m->CloseSession(h); }
CK_RV cpkcs11_login(cpkcs11_module *m, CK_SESSION_HANDLE h, CK_USER_TYPE u, const CK_BYTE *p, CK_ULONG n) {
    return m->Login(h, u, p, n);
}
CK_RV cpkcs11_logout(cpkcs11_module *m, CK_SESSION_HANDLE h) { return m->Logout(h); }
CK_RV cpkcs11_init_pin(cpkcs11_module *m, CK_SESSION_HANDLE h, const CK_BYTE *p, CK_ULONG n) { return m->InitPIN(h, p, n); }
CK_RV cpkcs11_generate_key_pair(cpkcs11_module *m, CK_SESSION_HANDLE h, CK_MECHANISM *mech, CK_ATTRIBUTE *pt,
                                CK_ULONG pc, CK_ATTRIBUTE *kt, CK_ULONG kc, CK_OBJECT_HANDLE *pub,
                                CK_OBJECT_HANDLE *priv) {
    return m->GenerateKeyPair(h, mech, pt, pc, kt, kc, pub, priv);
}
CK_RV cpkcs11_get_attribute_value(cpkcs11_module *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *t,
                                  CK_ULONG c) {
    return m->GetAttributeValue(h, o, t, c);
}
CK_RV cpkcs11_find_objects(cpkcs11_module *m, CK_SESSION_HANDLE h, CK_ATTRIBUTE *t, CK_ULONG c, CK_OBJECT_HANDLE *out,
                           CK_ULONG max, CK_ULONG *found) {
    CK_RV rv = m->FindObjectsInit(h, t, c);
    if (rv != CKR_OK) return rv;
    rv = m->FindObjects(h, out, max, found);
    CK_RV rv2 = m->FindObjectsFinal(h);
    return rv != CKR_OK ? rv : rv2;
}
CK_RV cpkcs11_sign(cpkcs11_module *m, CK_SESSION_HANDLE h, CK_MECHANISM *mech, CK_OBJECT_HANDLE key,
                   const CK_BYTE *data, CK_ULONG n, CK_BYTE *sig, CK_ULONG *sigLen) {
    CK_RV rv = m->SignInit(h, mech, key);
    if (rv != CKR_OK) return rv;
    return m->Sign(h, data, n, sig, sigLen);
}

int cpkcs11_harden_process(void) {
    int failed = 0;
    struct rlimit rl = {0, 0};
    if (setrlimit(RLIMIT_CORE, &rl) != 0) failed = 1;
#ifdef __linux__
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) failed = 1;
#endif
    return failed ? -1 : 0;
}

int cpkcs11_lock_memory(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0) return -1;
    if (rl.rlim_cur != RLIM_INFINITY) return 1;
    return mlockall(MCL_CURRENT | MCL_FUTURE) == 0 ? 0 : -1;
}

long cpkcs11_core_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_CORE, &rl) != 0) return -1;
    return (long)rl.rlim_cur;
}

int cpkcs11_dumpable(void) {
#ifdef __linux__
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
#else
    return -1;
#endif
}

#include <sys/socket.h>
int cpkcs11_peer_cred(int fd, unsigned int *uid, int *pid) {
#ifdef SO_PEERCRED
    struct ucred c;
    socklen_t len = sizeof c;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0) return -1;
    *uid = c.uid;
    *pid = c.pid;
    return 0;
#else
    (void)fd; (void)uid; (void)pid;
    return -1;
#endif
}

/* —— scrypt ROMix（RFC 7914），按规范直写 —— */
#include <stdint.h>
#define R32(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
static void salsa20_8(uint32_t B[16]) {
    uint32_t x[16];
    memcpy(x, B, 64);
    for (int i = 0; i < 8; i += 2) {
        x[4] ^= R32(x[0] + x[12], 7);  x[8] ^= R32(x[4] + x[0], 9);
        x[12] ^= R32(x[8] + x[4], 13); x[0] ^= R32(x[12] + x[8], 18);
        x[9] ^= R32(x[5] + x[1], 7);   x[13] ^= R32(x[9] + x[5], 9);
        x[1] ^= R32(x[13] + x[9], 13); x[5] ^= R32(x[1] + x[13], 18);
        x[14] ^= R32(x[10] + x[6], 7); x[2] ^= R32(x[14] + x[10], 9);
        x[6] ^= R32(x[2] + x[14], 13); x[10] ^= R32(x[6] + x[2], 18);
        x[3] ^= R32(x[15] + x[11], 7); x[7] ^= R32(x[3] + x[15], 9);
        x[11] ^= R32(x[7] + x[3], 13); x[15] ^= R32(x[11] + x[7], 18);
        x[1] ^= R32(x[0] + x[3], 7);   x[2] ^= R32(x[1] + x[0], 9);
        x[3] ^= R32(x[2] + x[1], 13);  x[0] ^= R32(x[3] + x[2], 18);
        x[6] ^= R32(x[5] + x[4], 7);   x[7] ^= R32(x[6] + x[5], 9);
        x[4] ^= R32(x[7] + x[6], 13);  x[5] ^= R32(x[4] + x[7], 18);
        x[11] ^= R32(x[10] + x[9], 7); x[8] ^= R32(x[11] + x[10], 9);
        x[9] ^= R32(x[8] + x[11], 13); x[10] ^= R32(x[9] + x[8], 18);
        x[12] ^= R32(x[15] + x[14], 7); x[13] ^= R32(x[12] + x[15], 9);
        x[14] ^= R32(x[13] + x[12], 13); x[15] ^= R32(x[14] + x[13], 18);
    }
    for (int i = 0; i < 16; i++) B[i] += x[i];
}

static void blockmix(const uint32_t *B, uint32_t *Y, size_t r) {
    uint32_t X[16];
    memcpy(X, &B[(2 * r - 1) * 16], 64);
    for (size_t i = 0; i < 2 * r; i++) {
        for (int k = 0; k < 16; k++) X[k] ^= B[i * 16 + k];
        salsa20_8(X);
        /* 偶数块放前半、奇数块放后半 */
        memcpy(&Y[((i & 1) * r + i / 2) * 16], X, 64);
    }
}

static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void st32(unsigned char *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

void cpkcs11_scrypt_romix(unsigned char *B, unsigned long r, unsigned long long N, unsigned char *Vb, unsigned char *XYb) {
    size_t words = 32 * r;
    uint32_t *X = (uint32_t *)XYb, *Y = X + words, *V = (uint32_t *)Vb;
    for (size_t k = 0; k < words; k++) X[k] = le32(&B[4 * k]);
    for (unsigned long long i = 0; i < N; i++) {
        memcpy(&V[i * words], X, words * 4);
        blockmix(X, Y, r);
        memcpy(X, Y, words * 4);
    }
    for (unsigned long long i = 0; i < N; i++) {
        uint64_t j = ((uint64_t)X[(2 * r - 1) * 16] | (uint64_t)X[(2 * r - 1) * 16 + 1] << 32) & (N - 1);
        for (size_t k = 0; k < words; k++) X[k] ^= V[j * words + k];
        blockmix(X, Y, r);
        memcpy(X, Y, words * 4);
    }
    for (size_t k = 0; k < words; k++) st32(&B[4 * k], X[k]);
}
