/* crypto.h — the few primitives the session layer needs, over OpenSSL 3.
 *
 * Random bytes (the kernel's getrandom(2): fork-safe, no user-space state),
 * base64url without padding (RFC 4648 §5), SHA-256, AES-256-GCM with a
 * fresh random 96-bit nonce per message, constant-time comparison and an
 * explicit wipe that the compiler cannot drop.
 *
 * Nothing here allocates memory the caller must free, and nothing logs.
 * Functions that can fail return 0 or -1 and set *error_r (if error_r is
 * not NULL) to a static sentence; it never quotes the data.
 */
#ifndef POSTERN_CRYPTO_H
#define POSTERN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_LEN    32   /* AES-256 */
#define CRYPTO_NONCE_LEN  12   /* GCM's 96-bit nonce */
#define CRYPTO_TAG_LEN    16   /* full 128-bit tag */
#define CRYPTO_SEAL_OVERHEAD (CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN)
#define CRYPTO_SHA256_LEN 32

/* Fills buf[0..n) with bytes from the kernel CSPRNG. n at most 256 (one
 * getrandom call is then never short). Returns 0, or -1 (never expected
 * on Linux >= 3.17). */
int crypto_random(void *buf, size_t n, const char **error_r);

/* Length of the base64url text for n bytes, without padding and without
 * the NUL: ceil(4n/3). */
#define B64URL_LEN(n) (((n) * 4 + 2) / 3)

/* Writes the base64url text of in[0..n) to out, NUL-terminated; out must
 * hold B64URL_LEN(n) + 1 bytes. Returns B64URL_LEN(n). */
size_t b64url_encode(const void *in, size_t n, char *out);

/* Decodes base64url text in[0..len) (need not be NUL-terminated) into out,
 * which holds outcap bytes; sets *outlen_r to the decoded length.
 * Strict: only [A-Za-z0-9_-], no padding, no whitespace, len % 4 != 1,
 * and the unused low bits of the last character must be zero (so every
 * byte string has exactly one accepted encoding). Returns 0, or -1 if the
 * text is not canonical base64url or does not fit; out is then
 * unspecified (wipe it if it was meant for a secret). */
int b64url_decode(const char *in, size_t len, void *out, size_t outcap,
                  size_t *outlen_r);

/* SHA-256 of in[0..n) into out. */
void crypto_sha256(const void *in, size_t n, unsigned char out[CRYPTO_SHA256_LEN]);

/* AES-256-GCM encryption of pt[0..ptlen) under key, authenticating
 * aad[0..aadlen) as well (aad may be NULL when aadlen is 0). Writes
 * nonce || ciphertext || tag to out (outcap must be at least
 * ptlen + CRYPTO_SEAL_OVERHEAD) and sets *outlen_r. The nonce is fresh
 * random for every call, so one key may seal many messages (up to 2^32).
 * Returns 0 or -1. */
int crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
                size_t aadlen, const void *pt, size_t ptlen, unsigned char *out,
                size_t outcap, size_t *outlen_r, const char **error_r);

/* The inverse of crypto_seal(): checks the tag over in[0..inlen) and aad
 * and writes the plaintext to out (outcap at least inlen -
 * CRYPTO_SEAL_OVERHEAD). Returns 0, or -1 when the input is too short,
 * out too small, or authentication fails (wrong key, changed ciphertext,
 * changed aad); out is then wiped. The caller wipes the plaintext after
 * use. */
int crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
                size_t aadlen, const unsigned char *in, size_t inlen,
                unsigned char *out, size_t outcap, size_t *outlen_r,
                const char **error_r);

/* 1 if a[0..n) equals b[0..n), else 0, in time that depends on n only. */
int crypto_equal(const void *a, const void *b, size_t n);

/* Overwrites p[0..n) with zeros in a way the optimiser keeps
 * (OPENSSL_cleanse). p may be NULL when n is 0. */
void crypto_wipe(void *p, size_t n);

#endif
