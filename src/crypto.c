/* crypto.c — see crypto.h. */
#include "crypto.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

static void set_error(const char **error_r, const char *msg)
{
    if (error_r != NULL)
        *error_r = msg;
}

int crypto_random(void *buf, size_t n, const char **error_r)
{
    if (n > 256) {
        set_error(error_r, "random request too large");
        return -1;
    }
    for (;;) {
        ssize_t got = getrandom(buf, n, 0);
        if (got == (ssize_t)n)
            return 0;
        if (got < 0 && errno == EINTR)
            continue;
        set_error(error_r, "the kernel random source failed");
        return -1;
    }
}

/* --- base64url -------------------------------------------------------- */

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64url_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t o = 0, i = 0;

    for (; i + 3 <= n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
        out[o++] = b64url_alphabet[v & 63];
    }
    if (n - i == 1) {
        unsigned long v = (unsigned long)p[i] << 16;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
    } else if (n - i == 2) {
        unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

/* The 6-bit value of a base64url character, or -1. */
static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

int b64url_decode(const char *in, size_t len, void *out, size_t outcap,
                  size_t *outlen_r)
{
    unsigned char *o = out;
    size_t need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
    unsigned long acc = 0;
    int bits = 0;
    size_t n = 0;

    if (len % 4 == 1 || need > outcap)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (unsigned long)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[n++] = (unsigned char)(acc >> bits);
        }
    }
    /* Leftover bits (2 or 4) must be zero: one encoding per byte string. */
    if ((acc & ((1ul << bits) - 1)) != 0)
        return -1;
    *outlen_r = n;
    return 0;
}

/* --- hashing, AEAD ---------------------------------------------------- */

void crypto_sha256(const void *in, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
    SHA256(in, n, out);
}

/* One GCM operation: enc 1 seals, 0 opens. The context is always freed
 * (EVP_CIPHER_CTX_free cleanses the key schedule). */
static int gcm_run(int enc, const unsigned char *key, const unsigned char *nonce,
                   const void *aad, size_t aadlen, const unsigned char *in,
                   size_t inlen, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len, ok = 0;

    if (ctx == NULL || inlen > 0x7fffffff || aadlen > 0x7fffffff)
        goto out;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CRYPTO_NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
        goto out;
    if (aadlen > 0 && EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        goto out;
    if (inlen > 0 && EVP_CipherUpdate(ctx, out, &len, in, (int)inlen) != 1)
        goto out;
    if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_TAG_LEN, tag) != 1)
        goto out;
    if (EVP_CipherFinal_ex(ctx, out + inlen, &len) != 1)
        goto out;
    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_TAG_LEN, tag) != 1)
        goto out;
    ok = 1;
out:
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

int crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
                size_t aadlen, const void *pt, size_t ptlen, unsigned char *out,
                size_t outcap, size_t *outlen_r, const char **error_r)
{
    if (outcap < CRYPTO_SEAL_OVERHEAD || ptlen > outcap - CRYPTO_SEAL_OVERHEAD) {
        set_error(error_r, "encryption buffer too small");
        return -1;
    }
    if (crypto_random(out, CRYPTO_NONCE_LEN, error_r) < 0)
        return -1;
    if (gcm_run(1, key, out, aad, aadlen, pt, ptlen, out + CRYPTO_NONCE_LEN,
                out + CRYPTO_NONCE_LEN + ptlen) < 0) {
        crypto_wipe(out, ptlen + CRYPTO_SEAL_OVERHEAD);
        set_error(error_r, "encryption failed");
        return -1;
    }
    *outlen_r = ptlen + CRYPTO_SEAL_OVERHEAD;
    return 0;
}

int crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
                size_t aadlen, const unsigned char *in, size_t inlen,
                unsigned char *out, size_t outcap, size_t *outlen_r,
                const char **error_r)
{
    unsigned char tag[CRYPTO_TAG_LEN];
    size_t ctlen;

    if (inlen < CRYPTO_SEAL_OVERHEAD) {
        set_error(error_r, "sealed data too short");
        return -1;
    }
    ctlen = inlen - CRYPTO_SEAL_OVERHEAD;
    if (ctlen > outcap) {
        set_error(error_r, "decryption buffer too small");
        return -1;
    }
    memcpy(tag, in + inlen - CRYPTO_TAG_LEN, CRYPTO_TAG_LEN);
    if (gcm_run(0, key, in, aad, aadlen, in + CRYPTO_NONCE_LEN, ctlen, out, tag) < 0) {
        crypto_wipe(out, ctlen);
        set_error(error_r, "authentication failed (wrong key or altered data)");
        return -1;
    }
    *outlen_r = ctlen;
    return 0;
}

/* --- comparison, wiping ----------------------------------------------- */

int crypto_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}
