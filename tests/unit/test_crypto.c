/* test_crypto.c — base64url, SHA-256, AES-256-GCM, compare, wipe, random. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/* Hex text to bytes; returns the byte count. */
static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

static const struct {
    const char *plain;
    const char *b64;
} b64_vectors[] = {  /* RFC 4648 §10, unpadded */
    { "", "" },
    { "f", "Zg" },
    { "fo", "Zm8" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg" },
    { "fooba", "Zm9vYmE" },
    { "foobar", "Zm9vYmFy" },
    { "\xfb\xff", "-_8" },      /* the two url-safe characters */
    { "\xff\xff\xfe", "___-" },
};

static void test_b64url_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
        const char *p = b64_vectors[i].plain, *b = b64_vectors[i].b64;
        char enc[64];
        unsigned char dec[64];
        size_t n;
        assert_int_equal(b64url_encode(p, strlen(p), enc), strlen(b));
        assert_int_equal(B64URL_LEN(strlen(p)), strlen(b));
        assert_string_equal(enc, b);
        assert_int_equal(b64url_decode(b, strlen(b), dec, sizeof(dec), &n), 0);
        assert_int_equal(n, strlen(p));
        assert_memory_equal(dec, p, n);
    }
}

static const char *const b64_bad[] = {
    "Z",         /* len % 4 == 1 */
    "Zh",        /* unused low bits set: "Zg" is the one encoding of "f" */
    "Zm9",       /* same, for two bytes */
    "Zg==",      /* padding */
    "Zm9v\n",
    " Zm9v",
    "Zm+v",      /* standard base64 alphabet */
    "Zm/v",
    "Zm9v.",
    "Zm\0v",
};

static void test_b64url_strict(void **state)
{
    unsigned char out[16];
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
        size_t len = strlen(b64_bad[i]);
        if (i == sizeof(b64_bad) / sizeof(b64_bad[0]) - 1)
            len = 4;  /* the embedded NUL */
        if (b64url_decode(b64_bad[i], len, out, sizeof(out), &n) == 0)
            fail_msg("accepted bad base64url #%zu", i);
    }
    /* Does not fit. */
    assert_int_equal(b64url_decode("Zm9vYmFy", 8, out, 5, &n), -1);
    assert_int_equal(b64url_decode("Zm9vYmFy", 8, out, 6, &n), 0);
}

/* Every 2-, 3- and 4-character string decodes iff it is the canonical
 * encoding of what it decodes to. */
static void test_b64url_canonical_exhaustive(void **state)
{
    static const char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.";
    size_t na = strlen(alpha), accepted = 0;
    char in[5], re[8];
    unsigned char out[4];
    size_t n;

    (void)state;
    for (size_t len = 2; len <= 3; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++)
            total *= na;
        for (size_t v = 0; v < total; v++) {
            size_t x = v;
            for (size_t k = 0; k < len; k++, x /= na)
                in[k] = alpha[x % na];
            if (b64url_decode(in, len, out, sizeof(out), &n) == 0) {
                accepted++;
                assert_int_equal(n, len - 1);
                b64url_encode(out, n, re);
                assert_memory_equal(re, in, len);
            }
        }
    }
    /* 2 chars: 64 * 4 canonical; 3 chars: 64 * 64 * 16. */
    assert_int_equal(accepted, 64 * 4 + 64 * 64 * 16);
}

static void test_b64url_roundtrip(void **state)
{
    unsigned char in[64], out[64];
    char enc[B64URL_LEN(64) + 1];
    size_t n;

    (void)state;
    for (size_t len = 0; len <= sizeof(in); len++) {
        assert_int_equal(crypto_random(in, len, NULL), 0);
        assert_int_equal(b64url_encode(in, len, enc), B64URL_LEN(len));
        assert_int_equal(strlen(enc), B64URL_LEN(len));
        assert_int_equal(b64url_decode(enc, strlen(enc), out, len, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(in, out, len);
    }
}

static void test_sha256(void **state)
{
    unsigned char h[CRYPTO_SHA256_LEN], want[CRYPTO_SHA256_LEN];

    (void)state;
    crypto_sha256("abc", 3, h);
    unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
    assert_memory_equal(h, want, sizeof(h));
    crypto_sha256("", 0, h);
    unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
    assert_memory_equal(h, want, sizeof(h));
}

/* GCM spec test case 16 (AES-256, 96-bit IV, AAD): crypto_open() of
 * IV || C || T must give P, so the layout and the cipher are the spec's. */
static void test_gcm_known_answer(void **state)
{
    unsigned char key[32], pt[64], aad[20], in[12 + 60 + 16], out[64];
    size_t n, ptlen, aadlen;
    const char *err = NULL;

    (void)state;
    unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", key);
    ptlen = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", pt);
    aadlen = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad);
    unhex("cafebabefacedbaddecaf888", in);
    unhex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
          "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", in + 12);
    unhex("76fc6ece0f4e1768cddf8853bb2d551b", in + 72);
    assert_int_equal(crypto_open(key, aad, aadlen, in, sizeof(in), out, sizeof(out), &n, &err), 0);
    assert_int_equal(n, ptlen);
    assert_memory_equal(out, pt, ptlen);
    in[72] ^= 1;  /* the tag */
    assert_int_equal(crypto_open(key, aad, aadlen, in, sizeof(in), out, sizeof(out), &n, &err), -1);
    assert_non_null(strstr(err, "authentication failed"));
}

static void test_seal_open(void **state)
{
    unsigned char key[CRYPTO_KEY_LEN], other[CRYPTO_KEY_LEN];
    unsigned char sealed[64 + CRYPTO_SEAL_OVERHEAD], sealed2[sizeof(sealed)], out[64];
    const char pt[] = "correct horse battery staple";
    const char aad[] = "record-id|alice";
    size_t n, n2, m;
    const char *err;

    (void)state;
    crypto_random(key, sizeof(key), NULL);
    crypto_random(other, sizeof(other), NULL);
    assert_int_equal(crypto_seal(key, aad, sizeof(aad), pt, sizeof(pt), sealed,
                                 sizeof(sealed), &n, NULL), 0);
    assert_int_equal(n, sizeof(pt) + CRYPTO_SEAL_OVERHEAD);
    assert_null(memmem(sealed, n, "horse", 5));
    assert_int_equal(crypto_open(key, aad, sizeof(aad), sealed, n, out, sizeof(out), &m, NULL), 0);
    assert_int_equal(m, sizeof(pt));
    assert_memory_equal(out, pt, m);
    /* A fresh nonce each time: same input, different output. */
    assert_int_equal(crypto_seal(key, aad, sizeof(aad), pt, sizeof(pt), sealed2,
                                 sizeof(sealed2), &n2, NULL), 0);
    assert_int_equal(n2, n);
    assert_memory_not_equal(sealed, sealed2, CRYPTO_NONCE_LEN);
    assert_memory_not_equal(sealed + CRYPTO_NONCE_LEN, sealed2 + CRYPTO_NONCE_LEN, sizeof(pt));
    /* Wrong key, wrong aad, no aad. */
    assert_int_equal(crypto_open(other, aad, sizeof(aad), sealed, n, out, sizeof(out), &m, &err), -1);
    assert_int_equal(crypto_open(key, "record-id|bob", 14, sealed, n, out, sizeof(out), &m, NULL), -1);
    assert_int_equal(crypto_open(key, NULL, 0, sealed, n, out, sizeof(out), &m, NULL), -1);
    /* Every single-bit change anywhere is caught; out is wiped on failure. */
    for (size_t i = 0; i < n; i++) {
        sealed[i] ^= 0x10;
        memset(out, 0xAA, sizeof(out));
        if (crypto_open(key, aad, sizeof(aad), sealed, n, out, sizeof(out), &m, NULL) == 0)
            fail_msg("altered byte %zu accepted", i);
        for (size_t j = 0; j < sizeof(pt); j++)
            assert_int_equal(out[j], 0);
        sealed[i] ^= 0x10;
    }
    /* Truncated, too short, buffers too small. */
    assert_int_equal(crypto_open(key, aad, sizeof(aad), sealed, n - 1, out, sizeof(out), &m, NULL), -1);
    assert_int_equal(crypto_open(key, aad, sizeof(aad), sealed, CRYPTO_SEAL_OVERHEAD - 1, out,
                                 sizeof(out), &m, &err), -1);
    assert_string_equal(err, "sealed data too short");
    assert_int_equal(crypto_open(key, aad, sizeof(aad), sealed, n, out, sizeof(pt) - 1, &m, NULL), -1);
    assert_int_equal(crypto_seal(key, NULL, 0, pt, sizeof(pt), sealed, sizeof(pt) + 27, &n, &err), -1);
    assert_string_equal(err, "encryption buffer too small");
}

static void test_seal_empty(void **state)
{
    unsigned char key[CRYPTO_KEY_LEN] = { 1 }, sealed[CRYPTO_SEAL_OVERHEAD], out[1];
    size_t n, m = 99;

    (void)state;
    assert_int_equal(crypto_seal(key, NULL, 0, "", 0, sealed, sizeof(sealed), &n, NULL), 0);
    assert_int_equal(n, CRYPTO_SEAL_OVERHEAD);
    assert_int_equal(crypto_open(key, NULL, 0, sealed, n, out, 0, &m, NULL), 0);
    assert_int_equal(m, 0);
    key[0] = 2;
    assert_int_equal(crypto_open(key, NULL, 0, sealed, n, out, 0, &m, NULL), -1);
}

static void test_equal_wipe_random(void **state)
{
    unsigned char a[32], b[32], z[32] = { 0 };

    (void)state;
    crypto_random(a, sizeof(a), NULL);
    memcpy(b, a, sizeof(a));
    assert_true(crypto_equal(a, b, sizeof(a)));
    assert_true(crypto_equal(a, b, 0));
    b[0] ^= 1;
    assert_false(crypto_equal(a, b, sizeof(a)));
    b[0] ^= 1;
    b[31] ^= 0x80;
    assert_false(crypto_equal(a, b, sizeof(a)));
    crypto_wipe(a, sizeof(a));
    assert_memory_equal(a, z, sizeof(a));
    crypto_wipe(NULL, 0);
    /* Random: two draws differ; roughly half the bits are set. */
    unsigned char r1[256], r2[256];
    assert_int_equal(crypto_random(r1, sizeof(r1), NULL), 0);
    assert_int_equal(crypto_random(r2, sizeof(r2), NULL), 0);
    assert_memory_not_equal(r1, r2, sizeof(r1));
    int bits = 0;
    for (size_t i = 0; i < sizeof(r1); i++)
        bits += __builtin_popcount(r1[i]);
    assert_in_range(bits, 1024 - 200, 1024 + 200);
    const char *err = NULL;
    unsigned char big[257];
    assert_int_equal(crypto_random(big, sizeof(big), &err), -1);
    assert_non_null(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64url_vectors),
        cmocka_unit_test(test_b64url_strict),
        cmocka_unit_test(test_b64url_canonical_exhaustive),
        cmocka_unit_test(test_b64url_roundtrip),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_gcm_known_answer),
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_seal_empty),
        cmocka_unit_test(test_equal_wipe_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
