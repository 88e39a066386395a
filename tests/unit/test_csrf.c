/* test_csrf.c — the Origin / Sec-Fetch-Site check and the masked
 * synchronizer token, table-driven. (Tokens bound to stored sessions are
 * tested in test_session.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crypto.h"
#include "csrf.h"

static const struct {
    const char *origin, *site, *expected;
    int ok;
} origin_cases[] = {
    { NULL, NULL, "https://mail.example.com", 1 },
    { "https://mail.example.com", NULL, "https://mail.example.com", 1 },
    { "https://MAIL.Example.com", NULL, "https://mail.example.com", 1 },
    { "https://mail.example.com:443", NULL, "https://mail.example.com", 1 },
    { "https://mail.example.com", NULL, "https://mail.example.com:443", 1 },
    { "https://mail.example.com:8443", NULL, "https://mail.example.com", 0 },
    { "http://mail.example.com", NULL, "https://mail.example.com", 0 },
    { "https://evil.example", NULL, "https://mail.example.com", 0 },
    { "https://mail.example.com.evil.example", NULL, "https://mail.example.com", 0 },
    { "https://example.com", NULL, "https://mail.example.com", 0 },
    { "null", NULL, "https://mail.example.com", 0 },
    { "https://mail.example.com/", NULL, "https://mail.example.com", 0 },
    { "https://u@mail.example.com", NULL, "https://mail.example.com", 0 },
    { "", NULL, "https://mail.example.com", 0 },
    { "https://mail.example.com https://evil.example", NULL, "https://mail.example.com", 0 },
    { NULL, "same-origin", "https://mail.example.com", 1 },
    { NULL, "none", "https://mail.example.com", 1 },
    { NULL, "same-site", "https://mail.example.com", 0 },
    { NULL, "cross-site", "https://mail.example.com", 0 },
    { NULL, "Same-Origin", "https://mail.example.com", 0 },
    { NULL, "", "https://mail.example.com", 0 },
    { "https://mail.example.com", "same-origin", "https://mail.example.com", 1 },
    { "https://evil.example", "same-origin", "https://mail.example.com", 0 },
    { "https://mail.example.com", "cross-site", "https://mail.example.com", 0 },
    { "http://127.0.0.1:8080", "same-origin", "http://127.0.0.1:8080", 1 },
    { "http://localhost:8080", NULL, "http://127.0.0.1:8080", 0 },
    { "http://127.0.0.1", NULL, "http://127.0.0.1:8080", 0 },
    { "https://[::1]:8443", NULL, "https://[::1]:8443", 1 },
    { "https://[::2]:8443", NULL, "https://[::1]:8443", 0 },
    { "https://mail.example.com", NULL, "mail.example.com", 0 },   /* bad config */
    { NULL, "same-origin", "mail.example.com", 1 },
};

static const struct {
    const char *in, *want;  /* want NULL: refused */
} normalize_cases[] = {
    { "HTTPS://Mail.Example.COM:443", "https://mail.example.com" },
    { "http://x:80", "http://x" },
    { "http://x:443", "http://x:443" },
    { "https://x:80", "https://x:80" },
    { "http://x:08080", "http://x:8080" },
    { "https://[::1]", "https://[::1]" },
    { "http://x:0", NULL }, { "http://x:65536", NULL }, { "http://x:", NULL },
    { "http://x:1234567", NULL }, { "://x", NULL }, { "https://", NULL },
    { "https://[::1", NULL }, { "https://[]", NULL }, { "https://a b", NULL },
    { "https://a/b", NULL }, { "https://a?b", NULL }, { "1http://a", NULL },
};

static void test_origin_table(void **state)
{
    char out[128];

    (void)state;
    for (size_t i = 0; i < sizeof(origin_cases) / sizeof(origin_cases[0]); i++) {
        const char *err = NULL;
        int rc = csrf_origin_check(origin_cases[i].origin, origin_cases[i].site,
                                   origin_cases[i].expected, &err);
        if ((rc == 0) != origin_cases[i].ok)
            fail_msg("origin case %zu (%s, %s): %d", i, origin_cases[i].origin,
                     origin_cases[i].site, rc);
        if (rc != 0)
            assert_non_null(err);
    }
    const char *err = NULL;
    assert_int_equal(csrf_origin_check("null", NULL, "https://a.example", &err), -1);
    assert_non_null(strstr(err, "opaque origin"));
    for (size_t i = 0; i < sizeof(normalize_cases) / sizeof(normalize_cases[0]); i++) {
        int rc = csrf_origin_normalize(normalize_cases[i].in, out, sizeof(out));
        if (normalize_cases[i].want == NULL) {
            if (rc == 0)
                fail_msg("normalize accepted %s as %s", normalize_cases[i].in, out);
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(out, normalize_cases[i].want);
        }
    }
}

static void test_csrf_token_pure(void **state)
{
    unsigned char secret[CSRF_SECRET_LEN], other[CSRF_SECRET_LEN];
    char tok[CSRF_TOKEN_LEN + 1];

    (void)state;
    crypto_random(secret, sizeof(secret), NULL);
    memcpy(other, secret, sizeof(other));
    other[15] ^= 1;
    for (int i = 0; i < 64; i++) {
        assert_int_equal(csrf_token_mask(secret, tok, NULL), 0);
        assert_int_equal(strlen(tok), CSRF_TOKEN_LEN);
        assert_true(csrf_token_check(secret, tok, strlen(tok)));
        assert_false(csrf_token_check(other, tok, strlen(tok)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_origin_table),
        cmocka_unit_test(test_csrf_token_pure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
