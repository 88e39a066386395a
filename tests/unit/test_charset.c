/* test_charset.c — charset labels, decoding to UTF-8, repair, caps and
 * threads, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "corpus.h"
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "tmpl.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* A literal with its exact length (it may hold NULs). */
#define S(x) x, sizeof(x) - 1
#define FFFD "\xef\xbf\xbd"
#define REP CHARSET_REPLACED
#define GUE CHARSET_GUESSED

static const struct ccase {
    const char *label;
    const char *in;
    size_t len;
    const char *want;
    unsigned flags;
} cases[] = {
    /* UTF-8, repaired */
    { "utf-8", S("caf\xc3\xa9 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xf0\x9f\x98\x80", 0 },
    { "UTF8", S("x"), "x", 0 },
    { " \"Utf-8\" ", S("x"), "x", 0 },
    { "utf-8*en", S("x"), "x", 0 },                       /* RFC 2231 language */
    { "utf-8", S("a\xff" "b"), "a" FFFD "b", REP },
    { "utf-8", S("\xc0\xaf"), FFFD FFFD, REP },           /* overlong */
    { "utf-8", S("\xe0\x80\xaf"), FFFD FFFD FFFD, REP },   /* overlong */
    { "utf-8", S("\xed\xa0\x80"), FFFD FFFD FFFD, REP },   /* surrogate */
    { "utf-8", S("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD, REP },
    { "utf-8", S("\xe2\x82"), FFFD, REP },                 /* truncated: one */
    { "utf-8", S("\xe2\x82" "A"), FFFD "A", REP },
    { "utf-8", S("\xf0\x9f\x98"), FFFD, REP },
    { "utf-8", S("a\0b\0"), "ab", REP },                  /* NULs dropped */
    /* US-ASCII: 7-bit as is, 8-bit guessed */
    { "us-ascii", S("plain text"), "plain text", 0 },
    { "US-ASCII", S("caf\xc3\xa9"), "caf\xc3\xa9", GUE },
    { "ascii", S("caf\xe9"), "caf\xc3\xa9", GUE },
    { "us-ascii", S("\x1b$B$3$s$K$A$O\x1b(B"),
      "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf", GUE },
    /* latin1 is windows-1252 */
    { "latin1", S("caf\xe9"), "caf\xc3\xa9", 0 },
    { "ISO-8859-1", S("\x80 \x93q\x94"), "\xe2\x82\xac \xe2\x80\x9cq\xe2\x80\x9d", 0 },
    { "iso_8859-1:1987", S("\xff"), "\xc3\xbf", 0 },
    { "windows-1252", S("\x81\x8d\x8f\x90\x9d"), FFFD FFFD FFFD FFFD FFFD, REP },
    { "cp1252", S("a\0b"), "ab", REP },
    /* unknown labels: UTF-8 if valid, else windows-1252 */
    { "x-unknown", S("caf\xe9"), "caf\xc3\xa9", GUE },
    { "x-unknown", S("caf\xc3\xa9"), "caf\xc3\xa9", GUE },
    { "unknown-8bit", S("ok"), "ok", GUE },
    { NULL, S("\x93hi\x94"), "\xe2\x80\x9chi\xe2\x80\x9d", GUE },
    { "", S("x"), "x", GUE },
    { "klingon", S("\xc3\xa9"), "\xc3\xa9", GUE },
    { "utf-8//TRANSLIT", S("\xe9"), "\xc3\xa9", GUE },    /* not a name: unknown */
    { "UTF-7-IMAP", S("&AOQ-"), "&AOQ-", GUE },            /* not for mail */
    { "iso-8859-1-but-far-too-long-to-be-a-label-0123", S("\xe9"), "\xc3\xa9", GUE },
    /* through iconv */
    { "ks_c_5601-1987", S("\xc0\xcc\xbc\xba\xbc\xf6"),
      "\xec\x9d\xb4\xec\x84\xb1\xec\x88\x98", 0 },        /* 이성수 */
    { "euc-kr", S("\x81\x41"), "\xea\xb0\x82", 0 },        /* CP949 extension */
    { "gb2312", S("\xc4\xe3\xba\xc3"), "\xe4\xbd\xa0\xe5\xa5\xbd", 0 },  /* 你好 */
    { "gb2312", S("\x81\x30\x81\x30"), "\xc2\x80", 0 },    /* GB18030 four bytes */
    { "GB18030", S("a\x81"), "a" FFFD, REP },
    { "iso-8859-8-i", S("\xf9\xec\xe5\xed"),
      "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 0 },            /* שלום */
    { "ISO-2022-JP", S("\x1b$B$3$s\x1b(B!"), "\xe3\x81\x93\xe3\x82\x93!", 0 },
    { "iso-2022-jp", S("\x1b(I1\x1b(B"), "\xef\xbd\xb1", 0 },  /* half-width katakana */
    { "utf-7", S("Hi +AMQ-rger"), "Hi \xc3\x84rger", 0 },
    { "UTF-7", S("+2D3eAA-"), "\xf0\x9f\x98\x80", 0 },
    { "utf-16le", S("h\0i\0"), "hi", 0 },
    { "utf-16be", S("\0h\0i\0"), "hi" FFFD, REP },          /* odd length */
    { "utf-16le", S("\0\0a\0"), "a", REP },
    { "windows-1251", S("\xcf\xf0\xe8"), "\xd0\x9f\xd1\x80\xd0\xb8", 0 },  /* При */
    { "koi8-r", S("\xf0\xd2\xc9"), "\xd0\x9f\xd1\x80\xd0\xb8", 0 },
    { "shift_jis", S("\x82\xa0"), "\xe3\x81\x82", 0 },     /* あ */
    { "big5", S("\xa4\xa4\xa4\xe5"), "\xe4\xb8\xad\xe6\x96\x87", 0 },  /* 中文 */
    { "iso-8859-15", S("\xa4"), "\xe2\x82\xac", 0 },
    { "iso-8859-2", S("\xb1"), "\xc4\x85", 0 },            /* ą */
    { "macintosh", S("\x8a"), "\xc3\xa4", 0 },
    /* empty input */
    { "utf-8", S(""), "", 0 },
    { NULL, S(""), "", 0 },
};

static void test_table(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(cases); i++) {
        const struct ccase *c = &cases[i];
        buf_clear(&b);
        buf_puts(&b, "<");
        unsigned f = charset_to_utf8(c->label, c->in, c->len, 1000, &b);
        if (strcmp(buf_cstr(&b) + 1, c->want) != 0)
            fail_msg("case %zu (%s): got \"%s\"", i, c->label ? c->label : "NULL",
                     buf_cstr(&b) + 1);
        if (f != c->flags)
            fail_msg("case %zu (%s): flags %u, want %u", i,
                     c->label ? c->label : "NULL", f, c->flags);
        assert_int_equal(b.len, 1 + strlen(c->want));
    }
    buf_free(&b);
}

/* Invalid input to a multi-byte decoder: U+FFFD, and the text around it. */
static void test_invalid_iconv(void **state)
{
    (void)state;
    static const struct {
        const char *label, *in, *head, *tail;
    } bad[] = {
        { "utf-7", "Hi +2D0-x", "Hi ", "x" },          /* lone surrogate */
        { "shift_jis", "a\x82\xffz", "a", "z" },
        { "iso-2022-jp", "a\x1b$B\x22\x2f\x1b(Bz", "a", "z" },
        { "big5", "a\xa4 z", "a", " z" },
        { "euc-kr", "\xc0", "", "" },
    };
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(bad); i++) {
        buf_clear(&b);
        unsigned f = charset_to_utf8(bad[i].label, bad[i].in, strlen(bad[i].in), 100, &b);
        const char *s = buf_cstr(&b);
        size_t hl = strlen(bad[i].head), tl = strlen(bad[i].tail);
        if (!(f & REP) || strstr(s, FFFD) == NULL)
            fail_msg("bad %zu: \"%s\" flags %u", i, s, f);
        assert_true(utf8_valid(s, b.len));
        assert_memory_equal(s, bad[i].head, hl);
        assert_true(b.len >= hl + tl);
        assert_memory_equal(s + b.len - tl, bad[i].tail, tl);
    }
    buf_free(&b);
}

/* The windows-1252 table agrees with glibc's CP1252 on every byte. */
static void test_1252_vs_glibc(void **state)
{
    (void)state;
    iconv_t cd = iconv_open("UTF-8", "CP1252");
    assert_true(cd != (iconv_t)-1);
    struct buf b = {0};
    for (unsigned c = 1; c < 256; c++) {
        char in = (char)c, ref[8], *ip = &in, *op = ref;
        size_t il = 1, ol = sizeof(ref);
        iconv(cd, NULL, NULL, NULL, NULL);
        int ok = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
        buf_clear(&b);
        unsigned f = charset_to_utf8("windows-1252", &in, 1, 8, &b);
        if (!ok) {
            assert_string_equal(buf_cstr(&b), FFFD);
            assert_int_equal(f, REP);
        } else {
            assert_int_equal(b.len, (size_t)(op - ref));
            assert_memory_equal(b.data, ref, b.len);
            assert_int_equal(f, 0);
        }
    }
    iconv_close(cd);
    buf_free(&b);
}

/* The repair agrees with tmpl_escape_html(), which has the same contract
 * (maximal subparts, NULs dropped), on every 4-byte string over bytes at
 * the edges of the UTF-8 classes; and repaired text is valid UTF-8. */
static void test_sanitize_vs_escape(void **state)
{
    (void)state;
    static const unsigned char edge[] = {
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
        0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
    };
    const size_t k = NELEM(edge);
    struct buf a = {0}, e = {0};
    for (size_t x = 0; x < k * k * k * k; x++) {
        char s[4];
        size_t y = x;
        for (int j = 0; j < 4; j++, y /= k)
            s[j] = (char)edge[y % k];
        buf_clear(&a);
        buf_clear(&e);
        buf_putc(&a, '.');
        buf_putc(&e, '.');
        unsigned f = charset_sanitize_utf8(s, 4, 64, &a);
        tmpl_escape_html(&e, s, 4);
        if (a.len != e.len || memcmp(a.data, e.data, a.len) != 0)
            fail_msg("%02x %02x %02x %02x: differs", (unsigned char)s[0],
                     (unsigned char)s[1], (unsigned char)s[2], (unsigned char)s[3]);
        assert_true(utf8_valid(a.data, a.len));
        int clean = utf8_valid(s, 4) && memchr(s, 0, 4) == NULL;
        assert_int_equal(f, clean ? 0 : REP);
    }
    buf_free(&a);
    buf_free(&e);
}

/* Caps cut at a character boundary, on every path. */
static void test_cap(void **state)
{
    (void)state;
    static const struct {
        const char *label, *in;
        size_t cap;
        const char *want;
        unsigned flags;
    } caps[] = {
        { "utf-8", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 9, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 0 },
        { "utf-8", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 8, "\xe2\x82\xac\xe2\x82\xac", CHARSET_TRUNCATED },
        { "utf-8", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 4, "\xe2\x82\xac", CHARSET_TRUNCATED },
        { "utf-8", "\xe2\x82\xac", 2, "", CHARSET_TRUNCATED },
        { "utf-8", "abc", 0, "", CHARSET_TRUNCATED },
        { "utf-8", "ab\xff", 4, "ab", CHARSET_TRUNCATED | REP },
        { "latin1", "\xe9\xe9\xe9", 5, "\xc3\xa9\xc3\xa9", CHARSET_TRUNCATED },
        { "gb2312", "\xc4\xe3\xba\xc3", 5, "\xe4\xbd\xa0", CHARSET_TRUNCATED },
        { "gb2312", "\xc4\xe3\xba\xc3", 6, "\xe4\xbd\xa0\xe5\xa5\xbd", 0 },
        { NULL, "\xe9\xe9", 3, "\xc3\xa9", CHARSET_TRUNCATED | GUE },
    };
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(caps); i++) {
        buf_clear(&b);
        buf_puts(&b, "pre");
        unsigned f = charset_to_utf8(caps[i].label, caps[i].in, strlen(caps[i].in),
                                     caps[i].cap, &b);
        if (strcmp(buf_cstr(&b) + 3, caps[i].want) != 0 || f != caps[i].flags)
            fail_msg("cap %zu: \"%s\" flags %u", i, buf_cstr(&b) + 3, f);
    }
    /* long input through iconv: more than one internal chunk */
    char big[20000];
    for (size_t i = 0; i < sizeof(big); i += 2)
        memcpy(big + i, "\xc4\xe3", 2);
    buf_clear(&b);
    assert_int_equal(charset_to_utf8("gbk", big, sizeof(big), 100000, &b), 0);
    assert_int_equal(b.len, sizeof(big) / 2 * 3);
    buf_clear(&b);
    assert_int_equal(charset_to_utf8("gbk", big, sizeof(big), 7000, &b), CHARSET_TRUNCATED);
    assert_int_equal(b.len, 6999);
    assert_true(utf8_valid(b.data, b.len));
    buf_free(&b);
}

/* A converter left mid-state by one text starts clean for the next, and
 * more charsets than the per-thread cache holds still convert right. */
static void test_cache_state(void **state)
{
    (void)state;
    struct buf b = {0};
    charset_to_utf8("iso-2022-jp", S("\x1b$B$3"), 100, &b);   /* ends in JIS mode */
    buf_clear(&b);
    assert_int_equal(charset_to_utf8("iso-2022-jp", S("$3"), 100, &b), 0);
    assert_string_equal(buf_cstr(&b), "$3");
    static const char *const labels[] = {
        "koi8-r", "gbk", "big5", "shift_jis", "euc-kr", "iso-8859-2", "cp1251",
    };
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < NELEM(labels); i++) {
            buf_clear(&b);
            assert_int_equal(charset_to_utf8(labels[i], S("ok"), 10, &b), 0);
            assert_string_equal(buf_cstr(&b), "ok");
        }
    }
    buf_free(&b);
    charset_thread_release();
    charset_thread_release();   /* twice is fine */
}

static void test_is_known(void **state)
{
    (void)state;
    static const struct {
        const char *label;
        int known;
    } k[] = {
        { "utf-8", 1 }, { "US-ASCII", 1 }, { "latin1", 1 }, { "ks_c_5601-1987", 1 },
        { "gb2312", 1 }, { "iso-8859-8-i", 1 }, { "utf-7", 1 }, { "ISO-2022-JP", 1 },
        { "x-unknown", 0 }, { "", 0 }, { NULL, 0 }, { "utf-9", 0 },
        { "UTF-7-IMAP", 0 }, { "../../etc/passwd", 0 }, { "utf-8//IGNORE", 0 },
    };
    for (size_t i = 0; i < NELEM(k); i++)
        if (charset_is_known(k[i].label) != k[i].known)
            fail_msg("is_known(%s) != %d", k[i].label ? k[i].label : "NULL", k[i].known);
}

/* Threads converting at once get the same results as one thread. */
struct job {
    const struct ccase *c;
    int bad;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    struct buf b = {0};
    for (int round = 0; round < 200; round++) {
        buf_clear(&b);
        charset_to_utf8(j->c->label, j->c->in, j->c->len, 1000, &b);
        j->bad += strcmp(buf_cstr(&b), j->c->want) != 0;
    }
    buf_free(&b);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    enum { N = 8 };
    pthread_t t[N];
    struct job jobs[N];
    size_t first = 0;   /* the iconv cases start with ks_c_5601-1987 */
    while (cases[first].label == NULL || strcmp(cases[first].label, "ks_c_5601-1987") != 0)
        first++;
    assert_true(first + N <= NELEM(cases));
    for (size_t i = 0; i < N; i++) {
        jobs[i] = (struct job){&cases[first + i], 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(jobs[i].bad, 0);
    }
}

/* Every naughty string, through every kind of decoder, comes out as
 * valid UTF-8 without NUL. */
static void test_blns_all_labels(void **state)
{
    (void)state;
    static const char *const labels[] = {
        "utf-8", "us-ascii", "latin1", NULL, "ks_c_5601-1987", "gb2312",
        "iso-2022-jp", "utf-7", "utf-16le", "shift_jis", "big5", "iso-8859-8-i",
    };
    FILE *f = corpus_open("blns/blns.txt");
    if (f == NULL)
        fail_msg("blns/blns.txt not found in ../shared/corpus (or POSTERN_CORPUS)");
    char *line = NULL;
    size_t cap = 0, tried = 0;
    ssize_t got;
    struct buf b = {0};
    while ((got = corpus_next_line(f, &line, &cap)) >= 0) {
        tried++;
        for (size_t i = 0; i < NELEM(labels); i++) {
            buf_clear(&b);
            charset_to_utf8(labels[i], line, (size_t)got, 4096, &b);
            assert_true(utf8_valid(b.data, b.len));
            assert_null(memchr(buf_cstr(&b), '\0', b.len));
        }
    }
    free(line);
    fclose(f);
    buf_free(&b);
    assert_true(tried > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_invalid_iconv),
        cmocka_unit_test(test_1252_vs_glibc),
        cmocka_unit_test(test_sanitize_vs_escape),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_cache_state),
        cmocka_unit_test(test_is_known),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_blns_all_labels),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    charset_thread_release();
    return rc;
}
