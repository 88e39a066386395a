/* test_rfc2047.c — encoded words, RFC 2231 parameters and safe file
 * names, table-driven, plus real headers from the shared corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "corpus.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "charset.h"
#include "rfc2047.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xef\xbf\xbd"
#define EURO "\xe2\x82\xac"
#define E_ACUTE "\xc3\xa9"

static const struct {
    const char *in, *want;
    unsigned flags;
} decodes[] = {
    { "Hello", "Hello", 0 },
    { "", "", 0 },
    { "=?utf-8?q?caf=C3=A9?=", "caf" E_ACUTE, 0 },
    { "=?UTF-8?B?Y2Fmw6k=?=", "caf" E_ACUTE, 0 },
    { "=?utf-8?b?Y2Fmw6k?=", "caf" E_ACUTE, 0 },              /* padding left out */
    { "=?utf-8?Q?caf=c3=a9?=", "caf" E_ACUTE, 0 },            /* lower-case hex */
    { "=?iso-8859-1?q?Andr=E9_M=FCller?=", "Andr" E_ACUTE " M\xc3\xbcller", 0 },
    { "=?windows-1252?Q?=93smart_quotes=94_=80uro?=",
      "\xe2\x80\x9csmart quotes\xe2\x80\x9d " EURO "uro", 0 },
    { "=?gb2312?B?xOO6ww==?=", "\xe4\xbd\xa0\xe5\xa5\xbd", 0 },
    { "=?utf-7?q?Hi_+AMQ-rger?=", "Hi \xc3\x84rger", 0 },
    { "=?ks_c_5601-1987?B?wMy8urz2?= ss.lee@gph.me",
      "\xec\x9d\xb4\xec\x84\xb1\xec\x88\x98 ss.lee@gph.me", 0 },
    /* adjacent words: whitespace between them goes, bytes are joined */
    { "=?utf-8?q?a?= =?utf-8?q?b?=", "ab", 0 },
    { "=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab", 0 },
    { "=?utf-8?q?a?=\r\n\t \t=?utf-8?q?b?=", "ab", 0 },
    { "=?utf-8?q?a?==?utf-8?q?b?=", "ab", 0 },
    { "=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b", 0 },
    { "=?utf-8?q?a?= b", "a b", 0 },
    { "a =?utf-8?q?b?=", "a b", 0 },
    { "=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "caf" E_ACUTE, 0 },     /* é split */
    { "=?UTF-8?B?4oI=?= =?utf-8?B?rA==?=", EURO, 0 },              /* € split */
    { "=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?=", E_ACUTE E_ACUTE, 0 },
    { "=?utf-8*en?q?hi?=", "hi", 0 },                              /* RFC 2231 §5 */
    { "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", 0 },
    { "=?utf-8*en?q?a?= =?UTF-8?Q?=C3=A9?=", "a" E_ACUTE, 0 },
    /* malformed words stay literal */
    { "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", 0 },
    { "=?utf-8?q?a b?=", "=?utf-8?q?a b?=", 0 },
    { "=?utf-8?b?!!!?=", "=?utf-8?b?!!!?=", 0 },
    { "=?utf-8?b?QQ=Q?=", "=?utf-8?b?QQ=Q?=", 0 },
    { "=?utf-8?b?Q?=", "=?utf-8?b?Q?=", 0 },
    { "=?utf-8?q?abc", "=?utf-8?q?abc", 0 },
    { "=??q?abc?=", "=??q?abc?=", 0 },
    { "=?utf-8?q?a?b?=", "=?utf-8?q?a?b?=", 0 },
    { "=?utf-8?q?", "=?utf-8?q?", 0 },
    { "=?", "=?", 0 },
    { "=?=", "=?=", 0 },
    { "?=", "?=", 0 },
    /* "?=" and "=" edge cases */
    { "=?utf-8?q?\?=", "", 0 },
    { "x =?utf-8?q?\?= y", "x  y", 0 },
    { "=?utf-8?q?=3F=3D?=", "?=", 0 },
    { "=?utf-8?q?a=?=", "a=", 0 },
    { "=?utf-8?q?=?=", "=", 0 },
    { "=?utf-8?q?=ZZ=4?=", "=ZZ=4", 0 },
    { "=?utf-8?q?a?=?=", "a?=", 0 },
    { "=?utf-8?q?=?=?=", "=?=", 0 },
    /* glued to text, inside quotes: decoded anyway */
    { "foo=?utf-8?q?bar?=baz", "foobarbaz", 0 },
    { "\"=?utf-8?q?J=C3=B6rg?=\" <j@example.org>", "\"J\xc3\xb6rg\" <j@example.org>", 0 },
    /* no control characters come out */
    { "=?utf-8?q?a=0D=0ABcc:_x?=", "a  Bcc: x", 0 },
    { "=?utf-8?q?a=00b=07c=1B[31m?=", "ab" FFFD "c" FFFD "[31m", CHARSET_REPLACED },
    { "=?utf-8?q?=C2=85x=7F?=", FFFD "x" FFFD, 0 },
    { "a\tb", "a b", 0 },
    { "a\x01" "b", "a" FFFD "b", 0 },
    /* unfolding and trimming */
    { "a\r\n b", "a b", 0 },
    { "a\r\nb", "a b", 0 },
    { "a\n\tb", "a b", 0 },
    { "a\rb", "a b", 0 },
    { "  x  ", "x", 0 },
    { " =?utf-8?q?_x_?= ", "x", 0 },
    /* raw 8-bit: UTF-8 if valid, else windows-1252 */
    { "Caf\xc3\xa9", "Caf" E_ACUTE, 0 },
    { "Caf\xe9 =?utf-8?q?=E2=82=AC?=", "Caf" E_ACUTE " " EURO, 0 },
    { "\x93q\x94", "\xe2\x80\x9cq\xe2\x80\x9d", 0 },
    /* unknown charsets are guessed */
    { "=?x-unknown?q?caf=E9?=", "caf" E_ACUTE, CHARSET_GUESSED },
    { "=?x-unknown?q?caf=C3=A9?=", "caf" E_ACUTE, CHARSET_GUESSED },
    { "=?utf-8?q?=FF?=", FFFD, CHARSET_REPLACED },
};

static void test_decode(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(decodes); i++) {
        buf_clear(&b);
        buf_puts(&b, "|");
        unsigned f = rfc2047_decode(decodes[i].in, strlen(decodes[i].in), 1000, &b);
        if (strcmp(buf_cstr(&b) + 1, decodes[i].want) != 0)
            fail_msg("decode %zu \"%s\": got \"%s\"", i, decodes[i].in, buf_cstr(&b) + 1);
        if (f != decodes[i].flags)
            fail_msg("decode %zu \"%s\": flags %u", i, decodes[i].in, f);
    }
    buf_free(&b);
}

static void test_decode_cap(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t cap;
        const char *want;
        unsigned flags;
    } caps[] = {
        { "=?utf-8?q?=E2=82=AC=E2=82=AC?=", 6, EURO EURO, 0 },
        { "=?utf-8?q?=E2=82=AC=E2=82=AC?=", 5, EURO, CHARSET_TRUNCATED },
        { "=?utf-8?q?=E2=82=AC=E2=82=AC?=", 0, "", CHARSET_TRUNCATED },
        { "abcdef", 3, "abc", CHARSET_TRUNCATED },
        { "a\x01" "b", 3, "a", CHARSET_TRUNCATED },
    };
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(caps); i++) {
        buf_clear(&b);
        unsigned f = rfc2047_decode(caps[i].in, strlen(caps[i].in), caps[i].cap, &b);
        if (strcmp(buf_cstr(&b), caps[i].want) != 0 || f != caps[i].flags)
            fail_msg("cap %zu: \"%s\" flags %u", i, buf_cstr(&b), f);
    }
    /* a long header of many words stays within the cap */
    struct buf in = {0};
    for (int i = 0; i < 2000; i++)
        buf_puts(&in, "=?utf-8?b?4oKs?= ");
    buf_clear(&b);
    assert_int_equal(rfc2047_decode(in.data, in.len, 1000, &b), CHARSET_TRUNCATED);
    assert_int_equal(b.len, 999);
    assert_true(utf8_valid(b.data, b.len));
    buf_free(&in);
    buf_free(&b);
}

/* RFC 2231 parameters: the field body, the parameter wanted, the result
 * (NULL: absent). */
static const struct {
    const char *field, *name, *want;
} params[] = {
    { "attachment; filename*=UTF-8''%E2%82%AC.txt", "filename", EURO ".txt" },
    { "attachment; filename*0*=UTF-8''%E2%82; filename*1*=%AC; filename*2=.txt",
      "filename", EURO ".txt" },
    { "attachment; filename*0=\"long \"; filename*1=\"name.txt\"", "filename", "long name.txt" },
    { "attachment; filename*1=b; filename*0=a", "filename", "ab" },
    { "attachment; filename*0=a; filename*2=c", "filename", "a" },
    { "attachment; filename=plain.txt; filename*=utf-8''ext.txt", "filename", "ext.txt" },
    { "attachment; filename*=utf-8''ext.txt; filename=plain.txt", "filename", "ext.txt" },
    { "message/external-body; access-type=URL; "
      "title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "title", "This is ***fun***" },
    { "attachment; filename*=iso-8859-1'de'M%FCller.txt", "filename", "M\xc3\xbcller.txt" },
    { "attachment; filename*=''%C3%A9.txt", "filename", E_ACUTE ".txt" },
    { "attachment; filename*=''%E9.txt", "filename", E_ACUTE ".txt" },
    { "attachment; filename*=utf-8''100%25%zz%", "filename", "100%%zz%" },
    { "attachment; filename*=%E2%82%AC", "filename", EURO },
    { "attachment; filename*=utf-8''a%0D%0Ab%00c", "filename", "a  bc" },
    { "attachment; filename=\"a\\\"b.txt\"", "filename", "a\"b.txt" },
    { "image/gif; name=\"nyan cat =?UTF-8?Q?=E2=9C=94=2Egif?=\"", "name",
      "nyan cat \xe2\x9c\x94.gif" },
    { "attachment; filename=\"caf\xe9.txt\"", "filename", "caf" E_ACUTE ".txt" },
    { "attachment; FileName*=UTF-8''x", "filename", "x" },
    { "attachment; FILENAME=\"X.TXT\"", "filename", "X.TXT" },
    { "attachment; size=3", "filename", NULL },
    { "attachment; filenamex=1", "filename", NULL },
    { "attachment; filename*x=1", "filename", NULL },
    { "attachment; filename*00=a", "filename", NULL },
    { "attachment; filename*100=a", "filename", NULL },
    { "attachment; filename*1=a", "filename", NULL },
    { "attachment", "filename", NULL },
    { "", "filename", NULL },
    { "filename=a.txt", "filename", NULL },                  /* that is the type */
    { "attachment;\r\n filename=\"a.txt\"", "filename", "a.txt" },
    { "attachment; filename=\"fold\r\n ed.txt\"", "filename", "fold ed.txt" },
    { "attachment; filename=my file.txt ; size=1", "filename", "my file.txt" },
    { "attachment; filename=\"a;b.txt\"; size=1", "size", "1" },
    { "attachment; filename=\"a;b.txt\"; size=1", "filename", "a;b.txt" },
    { "attachment; filename=\"unterminated", "filename", "unterminated" },
    { "attachment; =x; filename=ok", "filename", "ok" },
    { "attachment; junk; filename=ok", "filename", "ok" },
    { "attachment; filename = \"spaced\"", "filename", "spaced" },
    /* an encoded word cannot smuggle in a parameter (libetpan notes) */
    { "text/plain; name=\"=?UTF-8?Q?a=22=3B_charset=3Dutf-7=3B_x=3D=22?=\"", "charset", NULL },
    { "text/plain; name=\"=?UTF-8?Q?a=22=3B_charset=3Dutf-7=3B_x=3D=22?=\"", "name",
      "a\"; charset=utf-7; x=\"" },
};

static void test_params(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct buf b = {0};
    struct rfc2231_param p[RFC2231_MAX_PARAMS];
    for (size_t i = 0; i < NELEM(params); i++) {
        size_t np = rfc2231_split(a, params[i].field, strlen(params[i].field), p, NELEM(p));
        buf_clear(&b);
        buf_puts(&b, "|");
        unsigned f = 99;
        int r = rfc2231_get(p, np, params[i].name, 1000, &b, &f);
        if (params[i].want == NULL) {
            if (r != -1 || b.len != 1)
                fail_msg("param %zu: found \"%s\"", i, buf_cstr(&b));
            assert_int_equal(f, 99);
            continue;
        }
        if (r != 0 || strcmp(buf_cstr(&b) + 1, params[i].want) != 0)
            fail_msg("param %zu: %d \"%s\"", i, r, buf_cstr(&b) + 1);
        assert_true(f != 99);
    }
    buf_free(&b);
    arena_free(a);
}

static void test_split(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct rfc2231_param p[RFC2231_MAX_PARAMS];
    static const char f[] = "form-data; name=\"f\"; filename*0*=utf-8''a%20b; x=\"q\\\\\"";
    size_t np = rfc2231_split(a, f, sizeof(f) - 1, p, NELEM(p));
    assert_int_equal(np, 3);
    assert_string_equal(p[0].name, "name");
    assert_string_equal(p[0].value, "f");
    assert_string_equal(p[1].name, "filename*0*");
    assert_string_equal(p[1].value, "utf-8''a%20b");
    assert_string_equal(p[2].name, "x");
    assert_string_equal(p[2].value, "q\\");
    /* at most max parameters */
    struct buf many = {0};
    buf_puts(&many, "attachment");
    for (int i = 0; i < 100; i++)
        buf_printf(&many, "; p%d=%d", i, i);
    assert_int_equal(rfc2231_split(a, many.data, many.len, p, NELEM(p)), NELEM(p));
    assert_int_equal(rfc2231_split(a, many.data, many.len, p, 3), 3);
    assert_string_equal(p[2].name, "p2");
    buf_free(&many);
    /* a name longer than 78 bytes is skipped */
    struct buf longname = {0};
    buf_puts(&longname, "a; ");
    for (int i = 0; i < 79; i++)
        buf_putc(&longname, 'n');
    buf_puts(&longname, "=1; ok=2");
    assert_int_equal(rfc2231_split(a, longname.data, longname.len, p, NELEM(p)), 1);
    assert_string_equal(p[0].name, "ok");
    buf_free(&longname);
    arena_free(a);
}

/* Safe file names: input (with length) and result. */
#define S(x) x, sizeof(x) - 1
static const struct {
    const char *in;
    size_t len;
    const char *want;
} names[] = {
    { S("report.pdf"), "report.pdf" },
    { S("r\xc3\xa9sum\xc3\xa9.pdf"), "r\xc3\xa9sum\xc3\xa9.pdf" },
    { S("../../etc/passwd"), "passwd" },
    { S("C:\\Users\\x\\evil.exe"), "evil.exe" },
    { S("..hidden"), "hidden" },
    { S(".."), "attachment" },
    { S(""), "attachment" },
    { S("/"), "attachment" },
    { S("dir/"), "attachment" },
    { S(" . . "), "attachment" },
    { S("a\x01" "b\x7f.txt"), "ab.txt" },
    { S("a\0b.txt"), "ab.txt" },
    { S("a\r\nb.txt"), "ab.txt" },
    { S("a\xc2\x85" "b"), "ab" },                                  /* C1 */
    { S("invoice\xe2\x80\xae" "fdp.exe"), "invoicefdp.exe" },       /* RLO */
    { S("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad" "x"), "x" },
    { S("\xe2\x81\xa6" "x\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"), "x" },  /* isolates */
    { S("a\xe2\x80\x8e" "b\xe2\x80\x8f" "c\xd8\x9c" "d"), "abcd" },   /* marks */
    { S("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "ab" },
    { S("a<b>c:d\"e|f?g*h"), "a_b_c_d_e_f_g_h" },
    { S("name.txt. . "), "name.txt" },
    { S("  spaced.txt"), "spaced.txt" },
    { S("caf\xe9.txt"), "caf" FFFD ".txt" },
    { S("\xe2\x80\xae"), "attachment" },
};

static void test_safe_filename(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(names); i++) {
        buf_clear(&b);
        buf_puts(&b, "|");
        rfc2047_safe_filename(names[i].in, names[i].len, &b);
        if (strcmp(buf_cstr(&b) + 1, names[i].want) != 0)
            fail_msg("name %zu: got \"%s\"", i, buf_cstr(&b) + 1);
    }
    buf_free(&b);
}

/* Long names are cut to RFC2047_FILENAME_MAX, keeping short extensions. */
static void test_safe_filename_long(void **state)
{
    (void)state;
    static const struct {
        const char *fill;
        size_t count;
        const char *ext;
        size_t want_len;
        int keeps_ext;
    } longs[] = {
        { "a", 255, "", 255, 0 },
        { "a", 256, "", 255, 0 },
        { "a", 300, ".pdf", 255, 1 },
        { "\xc3\xa9", 200, ".txt", 254, 1 },                   /* cut at a char */
        { "a", 300, ".bbbbbbbbbbbbbbbbbbbb", 255, 0 },         /* extension too long */
        { "\xf0\x9f\x98\x80", 100, "", 252, 0 },
        { "a", 250, ". . .", 250, 0 },
    };
    struct buf in = {0}, b = {0};
    for (size_t i = 0; i < NELEM(longs); i++) {
        buf_clear(&in);
        buf_clear(&b);
        for (size_t k = 0; k < longs[i].count; k++)
            buf_puts(&in, longs[i].fill);
        buf_puts(&in, longs[i].ext);
        rfc2047_safe_filename(in.data, in.len, &b);
        if (b.len != longs[i].want_len)
            fail_msg("long %zu: %zu bytes", i, b.len);
        assert_true(utf8_valid(b.data, b.len));
        size_t el = strlen(longs[i].ext);
        if (longs[i].keeps_ext)
            assert_memory_equal(b.data + b.len - el, longs[i].ext, el);
        assert_memory_equal(b.data, longs[i].fill, strlen(longs[i].fill));
    }
    buf_free(&in);
    buf_free(&b);
}

/* What every safe name must be. */
static void check_safe_name(const char *s, size_t n)
{
    assert_true(n >= 1 && n <= RFC2047_FILENAME_MAX);
    assert_true(utf8_valid(s, n));
    assert_true(s[0] != '.' && s[0] != ' ' && s[n - 1] != '.' && s[n - 1] != ' ');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        assert_true(c >= 0x20 && c != 0x7F && strchr("/\\<>:\"|?*", c) == NULL);
        if (c == 0xC2)
            assert_true((unsigned char)s[i + 1] > 0x9F);
    }
    static const char *const bidi[] = {
        "\xd8\x9c", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xaa", "\xe2\x80\xab",
        "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa7",
        "\xe2\x81\xa8", "\xe2\x81\xa9", "\xe2\x80\xa8", "\xe2\x80\xa9",
    };
    for (size_t k = 0; k < NELEM(bidi); k++)
        assert_null(memmem(s, n, bidi[k], strlen(bidi[k])));
}

/* Decoded text has no controls and is valid UTF-8. */
static void check_display(const char *s, size_t n)
{
    assert_true(utf8_valid(s, n));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        assert_true(c >= 0x20 && c != 0x7F);
        if (c == 0xC2)
            assert_true((unsigned char)s[i + 1] > 0x9F);
    }
}

/* Every naughty string as a header, as a parameter and as a file name. */
static void test_blns(void **state)
{
    (void)state;
    FILE *f = corpus_open("blns/blns.txt");
    if (f == NULL)
        fail_msg("blns/blns.txt not found in ../shared/corpus (or POSTERN_CORPUS)");
    struct arena *a = arena_new();
    struct rfc2231_param p[RFC2231_MAX_PARAMS];
    char *line = NULL;
    size_t cap = 0, tried = 0;
    ssize_t got;
    struct buf b = {0}, field = {0};
    while ((got = corpus_next_line(f, &line, &cap)) >= 0) {
        size_t n = (size_t)got;
        tried++;
        buf_clear(&b);
        rfc2047_decode(line, n, 4096, &b);
        check_display(b.data, b.len);
        buf_clear(&b);
        rfc2047_safe_filename(line, n, &b);
        check_safe_name(b.data, b.len);
        buf_clear(&field);
        buf_puts(&field, "attachment; filename=");
        buf_append(&field, line, n);
        size_t np = rfc2231_split(a, field.data, field.len, p, NELEM(p));
        buf_clear(&b);
        if (rfc2231_get(p, np, "filename", 4096, &b, NULL) == 0)
            check_display(b.data, b.len);
        arena_reset(a);
    }
    free(line);
    fclose(f);
    buf_free(&b);
    buf_free(&field);
    arena_free(a);
    assert_true(tried > 500);
}

/* The body of header field name in corpus file rel, folds kept, into raw.
 * 0, or -1 if the file or the field is missing. */
static int corpus_header(const char *rel, const char *name, struct buf *raw)
{
    FILE *f = corpus_open(rel);
    if (f == NULL)
        return -1;
    char *line = NULL;
    size_t cap = 0, nl = strlen(name);
    ssize_t got;
    int in = 0, found = -1;
    while ((got = getline(&line, &cap, f)) > 0) {
        if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n'))
            break;
        if (in && (line[0] == ' ' || line[0] == '\t')) {
            buf_append(raw, line, (size_t)got);
            continue;
        }
        in = 0;
        if (found != 0 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            buf_append(raw, line + nl + 1, (size_t)got - nl - 1);
            in = 1, found = 0;
        }
    }
    free(line);
    fclose(f);
    return found;
}

static void test_corpus_headers(void **state)
{
    (void)state;
    static const struct {
        const char *file, *field, *want;
    } hdr[] = {
        { "mimekit/messages/japanese.txt", "Subject",
          "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab"
          "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 (testing Japanese emails)" },
        { "libetpan/plaintext-rendering/data/input/2765-korean.eml", "To",
          "'\xea\xb0\x9c\xeb\xb0\x9c\xed\x8c\x80' dev@gph.me" },
        { "libetpan/plaintext-rendering/data/input/989-encoding-7.eml", "Subject",
          "\xd0\xa2\xd0\xb5\xd1\x81\xd1\x82\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xb5 \xd1\x81\xd0\xbe"
          "\xd0\xbe\xd0\xb1\xd1\x89\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 \xd0\xb2 \xd0\xba\xd0\xbe"
          "\xd0\xb4\xd0\xb8\xd1\x80\xd0\xbe\xd0\xb2\xd0\xba\xd0\xb5 windows-1251" },
        { "mailparser/fixtures/nodemailer.eml", "Subject",
          "Nodemailer is unicode friendly \xe2\x9c\x94 (1476358788189)" },
        { "libetpan/mime/data/fields/rfc2045-headers.eml", "Content-Description",
          "RFC 2045 description" },
    };
    struct buf raw = {0}, b = {0};
    for (size_t i = 0; i < NELEM(hdr); i++) {
        buf_clear(&raw);
        if (corpus_header(hdr[i].file, hdr[i].field, &raw) != 0)
            fail_msg("%s: no %s header (corpus missing?)", hdr[i].file, hdr[i].field);
        buf_clear(&b);
        rfc2047_decode(raw.data, raw.len, 4096, &b);
        if (strcmp(buf_cstr(&b), hdr[i].want) != 0)
            fail_msg("%s %s: got \"%s\"", hdr[i].file, hdr[i].field, buf_cstr(&b));
    }
    /* nodemailer's Content-Type name= holds an encoded word */
    struct arena *a = arena_new();
    struct rfc2231_param p[RFC2231_MAX_PARAMS];
    FILE *f = corpus_open("mailparser/fixtures/nodemailer.eml");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int seen = 0;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, "Content-Type: image/gif;", 24) != 0)
            continue;
        size_t np = rfc2231_split(a, line + 13, strlen(line + 13), p, NELEM(p));
        buf_clear(&b);
        assert_int_equal(rfc2231_get(p, np, "name", 256, &b, NULL), 0);
        assert_string_equal(buf_cstr(&b), "nyan cat \xe2\x9c\x94.gif");
        seen = 1;
    }
    free(line);
    fclose(f);
    assert_true(seen);
    arena_free(a);
    buf_free(&raw);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_cap),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_safe_filename),
        cmocka_unit_test(test_safe_filename_long),
        cmocka_unit_test(test_blns),
        cmocka_unit_test(test_corpus_headers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    charset_thread_release();
    return rc;
}
