/* test_validate.c — the validators and the UTF-8 checker, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "corpus.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "validate.h"

/* A literal with its exact length (it may hold NULs). */
#define S(x) x, sizeof(x) - 1

struct vcase {
    validator_fn fn;
    const char *in;
    size_t len;
    int ok;
    const char *norm;  /* expected out->str when ok; NULL: same as in */
    long long num;
};

static const struct vcase cases[] = {
    /* text */
    { valid_text, S(""), 1, NULL, 0 },
    { valid_text, S("hello\r\nworld\tx"), 1, NULL, 0 },
    { valid_text, S("caf\xc3\xa9 \xf0\x9f\x98\x80"), 1, NULL, 0 },
    { valid_text, S("a\0b"), 0, NULL, 0 },
    { valid_text, S("a\x01"), 0, NULL, 0 },
    { valid_text, S("a\x1b[31m"), 0, NULL, 0 },
    { valid_text, S("a\x7f"), 0, NULL, 0 },
    { valid_text, S("a\xc2\x85"), 0, NULL, 0 },          /* NEL, C1 */
    { valid_text, S("\xc2\xa0"), 1, NULL, 0 },           /* NBSP is not a control */
    { valid_text, S("\xc0\xaf"), 0, NULL, 0 },           /* overlong '/' */
    { valid_text, S("\xff"), 0, NULL, 0 },
    /* line */
    { valid_line, S(""), 1, NULL, 0 },
    { valid_line, S("Jane Doe\t<jane@example.org>"), 1, NULL, 0 },
    { valid_line, S("a\rb"), 0, NULL, 0 },
    { valid_line, S("a\nb"), 0, NULL, 0 },
    { valid_line, S("a\0"), 0, NULL, 0 },
    { valid_line, S("\xed\xa0\x80"), 0, NULL, 0 },       /* surrogate */
    { valid_line, S("\xf4\x90\x80\x80"), 0, NULL, 0 },   /* > U+10FFFF */
    { valid_line, S("\xe2\x82"), 0, NULL, 0 },           /* truncated */
    { valid_line, S("\xf0\x9f\x98\x80"), 1, NULL, 0 },
    /* uint */
    { valid_uint, S("0"), 1, "0", 0 },
    { valid_uint, S("7"), 1, "7", 7 },
    { valid_uint, S("007"), 1, "7", 7 },
    { valid_uint, S("0000"), 1, "0", 0 },
    { valid_uint, S("2147483647"), 1, NULL, 2147483647LL },
    { valid_uint, S("2147483648"), 0, NULL, 0 },
    { valid_uint, S("9999999999"), 0, NULL, 0 },
    { valid_uint, S("00000000001"), 0, NULL, 0 },        /* 11 digits */
    { valid_uint, S(""), 0, NULL, 0 },
    { valid_uint, S("-1"), 0, NULL, 0 },
    { valid_uint, S("+1"), 0, NULL, 0 },
    { valid_uint, S(" 1"), 0, NULL, 0 },
    { valid_uint, S("1 "), 0, NULL, 0 },
    { valid_uint, S("1e3"), 0, NULL, 0 },
    { valid_uint, S("0x10"), 0, NULL, 0 },
    { valid_uint, S("1\0"), 0, NULL, 0 },
    { valid_uint, S("\xef\xbc\x91"), 0, NULL, 0 },       /* fullwidth 1 */
    /* bool */
    { valid_bool, S("1"), 1, "1", 1 },
    { valid_bool, S("on"), 1, "1", 1 },
    { valid_bool, S("yes"), 1, "1", 1 },
    { valid_bool, S("true"), 1, "1", 1 },
    { valid_bool, S("ON"), 1, "1", 1 },
    { valid_bool, S("True"), 1, "1", 1 },
    { valid_bool, S("0"), 1, "0", 0 },
    { valid_bool, S("off"), 1, "0", 0 },
    { valid_bool, S("no"), 1, "0", 0 },
    { valid_bool, S("false"), 1, "0", 0 },
    { valid_bool, S(""), 1, "0", 0 },
    { valid_bool, S("2"), 0, NULL, 0 },
    { valid_bool, S("y"), 0, NULL, 0 },
    { valid_bool, S("tru"), 0, NULL, 0 },
    { valid_bool, S("onn"), 0, NULL, 0 },
    { valid_bool, S("on\0"), 0, NULL, 0 },
    { valid_bool, S(" on"), 0, NULL, 0 },
    /* email */
    { valid_email, S("user@example.com"), 1, NULL, 0 },
    { valid_email, S("User.Name+tag@Example.COM"), 1, "User.Name+tag@example.com", 0 },
    { valid_email, S("o'brien!#$%&*/=?^_`{|}~-@example.org"), 1, NULL, 0 },
    { valid_email, S("a@b"), 1, NULL, 0 },
    { valid_email, S("a@xn--bcher-kva.example"), 1, NULL, 0 },
    { valid_email, S("a@b\xc3\xbc" "cher.example"), 1, NULL, 0 },
    { valid_email, S("a@B\xc3\x9c" "CHER.Example"), 1, "a@b\xc3\x9c" "cher.example", 0 },
    { valid_email, S("j\xc3\xb6rg@example.com"), 0, NULL, 0 },   /* UTF-8 local part */
    { valid_email, S("\"a\"@example.com"), 0, NULL, 0 },         /* quoted local part */
    { valid_email, S(".a@example.com"), 0, NULL, 0 },
    { valid_email, S("a.@example.com"), 0, NULL, 0 },
    { valid_email, S("a..b@example.com"), 0, NULL, 0 },
    { valid_email, S("a@example..com"), 0, NULL, 0 },
    { valid_email, S("a@.example.com"), 0, NULL, 0 },
    { valid_email, S("a@example.com."), 0, NULL, 0 },
    { valid_email, S("a@-example.com"), 0, NULL, 0 },
    { valid_email, S("a@example-.com"), 0, NULL, 0 },
    { valid_email, S("a@exa_mple.com"), 0, NULL, 0 },
    { valid_email, S("a@[192.0.2.1]"), 0, NULL, 0 },
    { valid_email, S("@example.com"), 0, NULL, 0 },
    { valid_email, S("a@"), 0, NULL, 0 },
    { valid_email, S("a"), 0, NULL, 0 },
    { valid_email, S(""), 0, NULL, 0 },
    { valid_email, S("a@b@example.com"), 0, NULL, 0 },
    { valid_email, S("a b@example.com"), 0, NULL, 0 },
    { valid_email, S("a@exa mple.com"), 0, NULL, 0 },
    { valid_email, S("a@example.com\r\nBcc: x@y.z"), 0, NULL, 0 },
    { valid_email, S("a\0@example.com"), 0, NULL, 0 },
    { valid_email, S("a@example.com\0"), 0, NULL, 0 },
    { valid_email, S("a@b\xe3\x80\x82" "com"), 0, NULL, 0 },     /* ideographic full stop */
    { valid_email, S("a@b\xc2\xa0" "c.com"), 0, NULL, 0 },       /* NBSP */
    { valid_email, S("a@b\xe2\x80\x8b" "c.com"), 0, NULL, 0 },   /* zero-width space */
    { valid_email, S("a@\xc0\xae" "example.com"), 0, NULL, 0 },  /* overlong */
    { valid_email, S("a@\xed\xa0\x80.com"), 0, NULL, 0 },        /* surrogate */
    /* token */
    { valid_token, S("abcdefghijklmnop"), 1, NULL, 0 },
    { valid_token, S("AZaz09-_AZaz09-_x"), 1, NULL, 0 },
    { valid_token, S("abcdefghijklmno"), 0, NULL, 0 },         /* 15 */
    { valid_token, S("abcdefghijklmno="), 0, NULL, 0 },
    { valid_token, S("abcdefghijklmno+"), 0, NULL, 0 },
    { valid_token, S("abcdefghijklmno/"), 0, NULL, 0 },
    { valid_token, S("abcdefghijklmno\0"), 0, NULL, 0 },
    { valid_token, S("abcdefghijklmno "), 0, NULL, 0 },
    /* username */
    { valid_username, S("alice"), 1, NULL, 0 },
    { valid_username, S("alice@example.com"), 1, NULL, 0 },
    { valid_username, S("Alice Smith"), 1, NULL, 0 },
    { valid_username, S("j\xc3\xb6rg"), 1, NULL, 0 },
    { valid_username, S(""), 0, NULL, 0 },
    { valid_username, S(" alice"), 0, NULL, 0 },
    { valid_username, S("alice "), 0, NULL, 0 },
    { valid_username, S("al\tice"), 0, NULL, 0 },
    { valid_username, S("alice\r\n"), 0, NULL, 0 },
    { valid_username, S("al\0ice"), 0, NULL, 0 },
    { valid_username, S("\xff" "alice"), 0, NULL, 0 },
    /* enum word */
    { valid_enum_word, S("internal"), 1, NULL, 0 },
    { valid_enum_word, S("imap"), 1, NULL, 0 },
    { valid_enum_word, S("star-tls_1"), 1, NULL, 0 },
    { valid_enum_word, S("IMAP"), 0, NULL, 0 },
    { valid_enum_word, S(""), 0, NULL, 0 },
    { valid_enum_word, S("a b"), 0, NULL, 0 },
    { valid_enum_word, S("imap\0"), 0, NULL, 0 },
    { valid_enum_word, S("caf\xc3\xa9"), 0, NULL, 0 },
};

static const char *fn_name(validator_fn fn)
{
    for (int k = 0; k < VALID__MAX; k++)
        if (valid_fns[k] == fn)
            return valid_names[k];
    return "?";
}

static void test_table(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct vcase *c = &cases[i];
        struct valid_value v = { .str = "untouched", .len = 99, .num = -5 };
        int ok = c->fn(a, c->in, c->len, &v);
        if (ok != c->ok)
            fail_msg("case %zu (%s): got %d, want %d", i, fn_name(c->fn), ok, c->ok);
        assert_int_equal(c->fn(NULL, c->in, c->len, NULL), c->ok);
        if (!ok) {
            assert_string_equal(v.str, "untouched");  /* untouched on failure */
            assert_int_equal(v.len, 99);
            continue;
        }
        const char *want = c->norm != NULL ? c->norm : c->in;
        size_t want_len = c->norm != NULL ? strlen(c->norm) : c->len;
        assert_int_equal(v.len, want_len);
        assert_memory_equal(v.str, want, want_len);
        assert_int_equal(v.str[v.len], '\0');
        assert_int_equal(v.num, c->num);
    }
    arena_free(a);
}

/* Length limits: pre + fill_n × fill + post. */
static const struct {
    validator_fn fn;
    const char *pre;
    char fill;
    size_t fill_n;
    const char *post;
    int ok;
} lengths[] = {
    { valid_text, "", 'a', 65536, "", 1 },
    { valid_text, "", 'a', 65537, "", 0 },
    { valid_line, "", 'a', 1000, "", 1 },
    { valid_line, "", 'a', 1001, "", 0 },
    { valid_email, "", 'a', 64, "@example.com", 1 },
    { valid_email, "", 'a', 65, "@example.com", 0 },
    { valid_email, "a@", 'b', 63, ".com", 1 },
    { valid_email, "a@", 'b', 64, ".com", 0 },
    { valid_token, "", 'A', 128, "", 1 },
    { valid_token, "", 'A', 129, "", 0 },
    { valid_username, "", 'u', 254, "", 1 },
    { valid_username, "", 'u', 255, "", 0 },
    { valid_enum_word, "", 'w', 32, "", 1 },
    { valid_enum_word, "", 'w', 33, "", 0 },
};

static void test_lengths(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t pre = strlen(lengths[i].pre), post = strlen(lengths[i].post);
        size_t n = pre + lengths[i].fill_n + post;
        char *s = malloc(n + 1);
        memcpy(s, lengths[i].pre, pre);
        memset(s + pre, lengths[i].fill, lengths[i].fill_n);
        memcpy(s + pre + lengths[i].fill_n, lengths[i].post, post + 1);
        struct valid_value v;
        int ok = lengths[i].fn(a, s, n, &v);
        if (ok != lengths[i].ok)
            fail_msg("length case %zu: got %d, want %d", i, ok, lengths[i].ok);
        if (ok)
            assert_int_equal(v.len, n);
        free(s);
    }
    arena_free(a);
}

/* The 254/255-byte e-mail boundary: labels of 63 bytes make the length. */
static void test_email_total_length(void **state)
{
    (void)state;
    char s[300];
    for (size_t total = 250; total <= 256; total++) {
        /* "a@" + label(63) "." label(63) "." label(63) "." rest */
        size_t n = 0;
        s[n++] = 'a';
        s[n++] = '@';
        for (int l = 0; l < 3; l++) {
            memset(s + n, 'd', 63);
            n += 63;
            s[n++] = '.';
        }
        size_t rest = total - n;
        memset(s + n, 'e', rest);
        n += rest;
        assert_int_equal(n, total);
        assert_int_equal(valid_email(NULL, s, n, NULL), total <= 254);
    }
}

/* A reference decoder, written differently: decode by bit patterns, then
 * check the code point's range and shortest form. */
static int ref_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], need;
        unsigned long cp, min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { need = 1; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i <= need)
            return 0;
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Every 1-, 2- and 3-byte string, and 4-byte ones from lead bytes F0..F7. */
static void test_utf8_exhaustive(void **state)
{
    (void)state;
    unsigned char b[4];
    for (unsigned x = 0; x < 0x1000000; x++) {
        b[0] = (unsigned char)(x >> 16);
        b[1] = (unsigned char)(x >> 8);
        b[2] = (unsigned char)x;
        if (x < 0x10000 && utf8_valid((char *)b + 1, 2) != ref_utf8_valid(b + 1, 2))
            fail_msg("2 bytes %02x %02x", b[1], b[2]);
        if (x < 0x100 && utf8_valid((char *)b + 2, 1) != ref_utf8_valid(b + 2, 1))
            fail_msg("1 byte %02x", b[2]);
        if (b[0] >= 0xC0 && utf8_valid((char *)b, 3) != ref_utf8_valid(b, 3))
            fail_msg("3 bytes %02x %02x %02x", b[0], b[1], b[2]);
    }
    static const unsigned char last[] = { 0x00, 0x7F, 0x80, 0x9F, 0xBF, 0xC0, 0xFF };
    for (unsigned x = 0; x < 0x80000; x++) {
        b[0] = (unsigned char)(0xF0 | (x >> 16));
        b[1] = (unsigned char)(x >> 8);
        b[2] = (unsigned char)x;
        for (size_t k = 0; k < sizeof(last); k++) {
            b[3] = last[k];
            if (utf8_valid((char *)b, 4) != ref_utf8_valid(b, 4))
                fail_msg("4 bytes %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
        }
    }
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));   /* U+10FFFF */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4));  /* U+110000 */
    assert_true(utf8_valid("\xee\x80\x80", 3));       /* U+E000 */
    assert_false(utf8_valid("\xed\xbf\xbf", 3));      /* U+DFFF */
    assert_false(utf8_valid("\xe0\x9f\xbf", 3));      /* overlong U+07FF */
    assert_false(utf8_valid("\xf0\x8f\xbf\xbf", 4));  /* overlong U+FFFF */
}

static void test_check_text_flags(void **state)
{
    (void)state;
    assert_int_equal(utf8_check_text(S("a\tb"), 0), TEXT_CONTROL);
    assert_int_equal(utf8_check_text(S("a\tb"), TEXT_ALLOW_TAB), TEXT_OK);
    assert_int_equal(utf8_check_text(S("a\r\nb"), TEXT_ALLOW_TAB), TEXT_CONTROL);
    assert_int_equal(utf8_check_text(S("a\r\nb"), TEXT_ALLOW_CRLF), TEXT_OK);
    assert_int_equal(utf8_check_text(S("\x01\xff"), TEXT_ALLOW_CRLF), TEXT_BAD_UTF8);
    assert_int_equal(utf8_check_text(S("\xc2\x9f"), ~0u), TEXT_CONTROL);
    assert_int_equal(utf8_check_text(S("\xc2\xa0"), 0), TEXT_OK);
}

static void test_table_of_validators(void **state)
{
    (void)state;
    static const validator_fn want[VALID__MAX] = {
        valid_text, valid_line, valid_uint, valid_bool,
        valid_email, valid_token, valid_username, valid_enum_word,
    };
    for (int k = 0; k < VALID__MAX; k++) {
        assert_ptr_equal(valid_fns[k], want[k]);
        assert_non_null(valid_names[k]);
    }
    assert_string_equal(valid_names[VALID_ENUM_WORD], "enum-word");
}

/* Independent control-character check for the BLNS test. */
static int has_control(const unsigned char *s, size_t n, int allow_tab)
{
    for (size_t i = 0; i < n; i++) {
        if ((s[i] < 0x20 && !(allow_tab && s[i] == '\t')) || s[i] == 0x7F)
            return 1;
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
            return 1;
    }
    return 0;
}

/* Every naughty string: valid_line agrees with utf8_valid + controls. */
static void test_blns_line(void **state)
{
    (void)state;
    FILE *f = corpus_open("blns/blns.txt");
    if (f == NULL)
        fail_msg("blns/blns.txt not found in ../shared/corpus (or POSTERN_CORPUS)");
    struct arena *a = arena_new();
    char *line = NULL;
    size_t cap = 0, tried = 0, accepted = 0;
    ssize_t got;
    while ((got = corpus_next_line(f, &line, &cap)) >= 0) {
        size_t n = (size_t)got;
        tried++;
        const unsigned char *u = (const unsigned char *)line;
        int want = n <= 1000 && ref_utf8_valid(u, n) && !has_control(u, n, 1);
        assert_int_equal(utf8_valid(line, n), ref_utf8_valid(u, n));
        struct valid_value v;
        int ok = valid_line(a, line, n, &v);
        if (ok != want)
            fail_msg("blns line %zu: valid_line %d, want %d", tried, ok, want);
        if (ok) {
            accepted++;
            assert_memory_equal(v.str, line, n);
        }
        int text_want = ref_utf8_valid(u, n) && !has_control(u, n, 1);
        assert_int_equal(valid_text(NULL, line, n, NULL), text_want);
        arena_reset(a);
    }
    free(line);
    fclose(f);
    arena_free(a);
    assert_true(tried > 500);
    assert_true(accepted > 400 && accepted < tried);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_email_total_length),
        cmocka_unit_test(test_utf8_exhaustive),
        cmocka_unit_test(test_check_text_flags),
        cmocka_unit_test(test_table_of_validators),
        cmocka_unit_test(test_blns_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
