/* test_mutf7.c — modified UTF-7 both ways, table-driven, with glibc's
 * UTF-7-IMAP converter as an independent reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "corpus.h"
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mutf7.h"
#include "validate.h"

/* A literal with its exact length (it may hold NULs). */
#define S(x) x, sizeof(x) - 1

/* Pairs that convert both ways. */
static const struct {
    const char *mutf7, *utf8;
} pairs[] = {
    { "", "" },
    { "INBOX", "INBOX" },
    { "&Jjo-!", "\xe2\x98\xba!" },                                /* ☺! */
    { "Entw&APw-rfe", "Entw\xc3\xbcrfe" },                        /* Entwürfe */
    { "&ZeVnLIqe-", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },      /* 日本語 */
    { "~peter/mail/&U,BTFw-/&ZeVnLIqe-",                          /* RFC 3501 */
      "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
    { "&-", "&" },
    { "&-&-", "&&" },
    { "a&-b-c", "a&b-c" },
    { "&AOQ-&-", "\xc3\xa4&" },                                    /* ä& */
    { "&-&AOQ-", "&\xc3\xa4" },
    { "&ANw-n&AO8-c&APY-d&AOk- &-Co/&AN8-",
      "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 &Co/\xc3\x9f" },     /* Ünïcödé &Co/ß */
    { "&AOQA9gD8-", "\xc3\xa4\xc3\xb6\xc3\xbc" },                  /* one shift, 3 units */
    { "&2D3eAA-", "\xf0\x9f\x98\x80" },                            /* U+1F600, a pair */
    { "x&2D3eANg93gA-y", "x\xf0\x9f\x98\x80\xf0\x9f\x98\x80y" },
    { "&AAk-", "\t" },                                             /* controls are encoded */
    { "&AAkAAQ-~", "\t\x01~" },
    { "&AH8-", "\x7f" },
    { "&AIU-", "\xc2\x85" },                                       /* NEL */
    { "&,,8-", "\xef\xbf\xbf" },                                   /* U+FFFF */
    { "&2,,f,w-", "\xf4\x8f\xbf\xbf" },                            /* U+10FFFF */
    { " -+,/", " -+,/" },
};

/* Modified UTF-7 that must be refused. */
static const struct {
    const char *in;
    size_t len;
} bad_mutf7[] = {
    { S("&") },             /* unterminated */
    { S("&Jjo") },
    { S("a&2D3eAA") },
    { S("&Jj/-") },         /* "/" is not modified base64 */
    { S("&Jjo=-") },        /* no padding */
    { S("&&-") },
    { S("& -") },
    { S("&AGE-") },         /* "a" encoded */
    { S("&ACY-") },         /* "&" encoded */
    { S("&ACA-") },         /* space encoded */
    { S("&AH4-") },         /* "~" encoded */
    { S("&AOQ-&APY-") },    /* two shifts in a row */
    { S("&2D0-") },         /* high surrogate ends the shift */
    { S("&2D3YPQ-") },      /* high followed by high */
    { S("&2D0AQQ-") },      /* high followed by "A" */
    { S("&3gA-") },         /* lone low surrogate */
    { S("&Jjp-") },         /* leftover bits not zero */
    { S("&JjoA-") },        /* a whole extra base64 character */
    { S("&,-") },
    { S("&AAA-") },         /* NUL */
    { S("&AA0-") },         /* CR */
    { S("&AAo-") },         /* LF */
    { S("a\0b") },
    { S("a\rb") },
    { S("a\nb") },
    { S("\t") },            /* raw controls */
    { S("\x7f") },
    { S("Entw\xc3\xbcrfe") },  /* raw UTF-8 */
    { S("\x80") },
    { S("\xff") },
};

/* UTF-8 that cannot be encoded. */
static const struct {
    const char *in;
    size_t len;
} bad_utf8[] = {
    { S("\xff") },
    { S("a\xc3") },
    { S("\xc0\xaf") },          /* overlong */
    { S("\xed\xa0\x80") },      /* surrogate */
    { S("\xf4\x90\x80\x80") },  /* above U+10FFFF */
    { S("a\0b") },
    { S("a\rb") },
    { S("a\nb") },
    { S("\r\n") },
};

static void test_pairs(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        const char *m = pairs[i].mutf7, *u = pairs[i].utf8, *err = NULL;
        buf_clear(&b);
        if (mutf7_to_utf8(m, strlen(m), &b, &err) != 0)
            fail_msg("pair %zu: decoding \"%s\" failed: %s", i, m, err);
        assert_string_equal(buf_cstr(&b), u);
        assert_int_equal(b.len, strlen(u));
        assert_true(mutf7_valid(m, strlen(m)));
        buf_clear(&b);
        if (utf8_to_mutf7(u, strlen(u), &b, &err) != 0)
            fail_msg("pair %zu: encoding failed: %s", i, err);
        assert_string_equal(buf_cstr(&b), m);
    }
    buf_free(&b);
}

static void test_bad_mutf7(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < sizeof(bad_mutf7) / sizeof(bad_mutf7[0]); i++) {
        const char *err = NULL;
        buf_clear(&b);
        buf_puts(&b, "kept");
        if (mutf7_to_utf8(bad_mutf7[i].in, bad_mutf7[i].len, &b, &err) != -1)
            fail_msg("bad mutf7 %zu accepted: \"%s\"", i, bad_mutf7[i].in);
        assert_non_null(err);
        assert_string_equal(buf_cstr(&b), "kept");   /* nothing appended */
        assert_int_equal(b.len, 4);
        assert_false(mutf7_valid(bad_mutf7[i].in, bad_mutf7[i].len));
        assert_int_equal(mutf7_to_utf8(bad_mutf7[i].in, bad_mutf7[i].len, NULL, NULL), -1);
    }
    buf_free(&b);
}

static void test_bad_utf8(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        const char *err = NULL;
        buf_clear(&b);
        buf_puts(&b, "kept");
        if (utf8_to_mutf7(bad_utf8[i].in, bad_utf8[i].len, &b, &err) != -1)
            fail_msg("bad utf8 %zu accepted", i);
        assert_non_null(err);
        assert_string_equal(buf_cstr(&b), "kept");
    }
    /* NULL error_r is allowed */
    assert_int_equal(utf8_to_mutf7(S("\xff"), &b, NULL), -1);
    assert_int_equal(mutf7_to_utf8(S("&"), &b, NULL), -1);
    buf_free(&b);
}

/* glibc's converter, for comparison: 0 and *out, or -1. */
static int ref_iconv(const char *to, const char *from, const char *in, size_t n,
                     struct buf *out)
{
    iconv_t cd = iconv_open(to, from);
    assert_true(cd != (iconv_t)-1);
    char tmp[8192], *ip = (char *)in, *op = tmp;
    size_t il = n, ol = sizeof(tmp);
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    if (r != (size_t)-1)
        r = iconv(cd, NULL, NULL, &op, &ol);
    iconv_close(cd);
    if (r == (size_t)-1)
        return -1;
    buf_append(out, tmp, (size_t)(op - tmp));
    return 0;
}

/* Every string of up to 5 characters over a small alphabet: what we accept
 * is canonical (re-encodes to itself) and glibc decodes it the same way. */
static void test_exhaustive_small(void **state)
{
    (void)state;
    static const char alpha[] = "&-AJjo0,+/2D3eg";
    const size_t k = sizeof(alpha) - 1;
    struct buf dec = {0}, enc = {0}, ref = {0};
    char s[6];
    size_t accepted = 0, shifted = 0, total = 0;
    for (size_t len = 0; len <= 5; len++) {
        size_t count = 1;
        for (size_t j = 0; j < len; j++)
            count *= k;
        for (size_t x = 0; x < count; x++, total++) {
            size_t y = x;
            for (size_t j = 0; j < len; j++, y /= k)
                s[j] = alpha[y % k];
            buf_clear(&dec);
            if (mutf7_to_utf8(s, len, &dec, NULL) != 0)
                continue;
            accepted++;
            shifted += dec.len > 0 && (unsigned char)dec.data[0] >= 0x80;
            assert_true(utf8_valid(dec.data, dec.len));
            buf_clear(&enc);
            assert_int_equal(utf8_to_mutf7(dec.data, dec.len, &enc, NULL), 0);
            if (enc.len != len || (len > 0 && memcmp(enc.data, s, len) != 0))
                fail_msg("\"%.*s\" is accepted but not canonical", (int)len, s);
            buf_clear(&ref);
            assert_int_equal(ref_iconv("UTF-8", "UTF-7-IMAP", s, len, &ref), 0);
            assert_int_equal(ref.len, dec.len);
            assert_memory_equal(ref.data, dec.data, dec.len);
        }
    }
    assert_true(shifted > 400 && accepted < total);
    buf_free(&dec);
    buf_free(&enc);
    buf_free(&ref);
}

/* Every naughty string that is an acceptable name encodes as glibc does
 * and decodes back; the others are refused. */
static void test_blns(void **state)
{
    (void)state;
    FILE *f = corpus_open("blns/blns.txt");
    if (f == NULL)
        fail_msg("blns/blns.txt not found in ../shared/corpus (or POSTERN_CORPUS)");
    char *line = NULL;
    size_t cap = 0, tried = 0, encoded = 0;
    ssize_t got;
    struct buf enc = {0}, dec = {0}, ref = {0};
    while ((got = corpus_next_line(f, &line, &cap)) >= 0) {
        size_t n = (size_t)got;
        int want = utf8_valid(line, n) && memchr(line, '\0', n) == NULL &&
                   memchr(line, '\r', n) == NULL;
        tried++;
        buf_clear(&enc);
        buf_clear(&dec);
        buf_clear(&ref);
        if (utf8_to_mutf7(line, n, &enc, NULL) != 0) {
            assert_false(want);
            continue;
        }
        assert_true(want);
        encoded++;
        assert_int_equal(ref_iconv("UTF-7-IMAP", "UTF-8", line, n, &ref), 0);
        assert_string_equal(buf_cstr(&enc), buf_cstr(&ref));
        assert_int_equal(mutf7_to_utf8(enc.data, enc.len, &dec, NULL), 0);
        assert_int_equal(dec.len, n);
        assert_memory_equal(dec.data, line, n);
    }
    free(line);
    fclose(f);
    buf_free(&enc);
    buf_free(&dec);
    buf_free(&ref);
    assert_true(tried > 500);
    assert_true(tried > 500 && encoded == tried);  /* all valid UTF-8, no CR */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_bad_mutf7),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_exhaustive_small),
        cmocka_unit_test(test_blns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
