/* test_http.c — query, form, cookie and multipart parsing, table-driven. */
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
#include "http.h"
#include "validate.h"

/* A literal with its exact length (it may hold NULs). */
#define S(x) x, sizeof(x) - 1

struct kv {
    const char *key, *value;
};

/* Query strings and form bodies: both parsers must agree. */
struct form_case {
    const char *in;
    int status;
    size_t n;          /* fields on success */
    struct kv f[4];
};

static const struct form_case forms[] = {
    { "a=1&b=2", 0, 2, { { "a", "1" }, { "b", "2" } } },
    { "a=1&a=2", 0, 2, { { "a", "1" }, { "a", "2" } } },
    { "a+b=c+d", 0, 1, { { "a b", "c d" } } },
    { "a=%41%42%4a%4A", 0, 1, { { "a", "ABJJ" } } },
    { "%61=%2B%26%3D", 0, 1, { { "a", "+&=" } } },
    { "a=b=c", 0, 1, { { "a", "b=c" } } },
    { "a==", 0, 1, { { "a", "=" } } },
    { "a&&b&", 0, 2, { { "a", "" }, { "b", "" } } },
    { "&", 0, 0, { { NULL, NULL } } },
    { "", 0, 0, { { NULL, NULL } } },
    { "k=", 0, 1, { { "k", "" } } },
    { "a=caf%C3%A9", 0, 1, { { "a", "caf\xc3\xa9" } } },
    { "a=caf\xc3\xa9", 0, 1, { { "a", "caf\xc3\xa9" } } },
    { "t=x%0D%0Ay%09z", 0, 1, { { "t", "x\r\ny\tz" } } },
    { "a=%00", 400, 0, { { NULL, NULL } } },
    { "a=%zz", 400, 0, { { NULL, NULL } } },
    { "a=%", 400, 0, { { NULL, NULL } } },
    { "a=%4", 400, 0, { { NULL, NULL } } },
    { "a=%4g", 400, 0, { { NULL, NULL } } },
    { "a%=1", 400, 0, { { NULL, NULL } } },
    { "a=%C0%AF", 400, 0, { { NULL, NULL } } },      /* overlong */
    { "a=%ED%A0%80", 400, 0, { { NULL, NULL } } },   /* surrogate */
    { "a=%F4%90%80%80", 400, 0, { { NULL, NULL } } }, /* > U+10FFFF */
    { "a=%C3", 400, 0, { { NULL, NULL } } },         /* truncated */
    { "a=%FF", 400, 0, { { NULL, NULL } } },
    { "a=%01", 400, 0, { { NULL, NULL } } },
    { "a=%1B", 400, 0, { { NULL, NULL } } },
    { "a=%7F", 400, 0, { { NULL, NULL } } },
    { "a=%C2%85", 400, 0, { { NULL, NULL } } },      /* C1 NEL */
    { "=x", 400, 0, { { NULL, NULL } } },
    { "a=1&=x", 400, 0, { { NULL, NULL } } },
    { "a%01=1", 400, 0, { { NULL, NULL } } },        /* control in key */
    { "a%09=1", 400, 0, { { NULL, NULL } } },        /* even TAB */
    { "a%0A=1", 400, 0, { { NULL, NULL } } },
    { "%C0%AF=1", 400, 0, { { NULL, NULL } } },
};

static void check_fields(const struct http_fields *got, const struct form_case *c, size_t i)
{
    if (got->n != c->n)
        fail_msg("form case %zu (%s): %zu fields, want %zu", i, c->in, got->n, c->n);
    for (size_t k = 0; k < c->n; k++) {
        assert_string_equal(got->v[k].key, c->f[k].key);
        assert_string_equal(got->v[k].value, c->f[k].value);
        assert_int_equal(got->v[k].value_len, strlen(c->f[k].value));
        assert_null(got->v[k].filename);
        assert_null(got->v[k].content_type);
    }
}

static void test_forms(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        const struct form_case *c = &forms[i];
        struct http_fields q, b;
        const char *eq, *eb;
        int sq = http_parse_query(a, c->in, NULL, &q, &eq);
        int sb = http_parse_urlencoded(a, c->in, strlen(c->in), NULL, &b, &eb);
        if (sq != c->status || sb != c->status)
            fail_msg("form case %zu (%s): query %d, form %d, want %d", i, c->in, sq, sb, c->status);
        if (c->status != 0) {
            assert_non_null(eq);
            assert_non_null(eb);
            assert_int_equal(q.n, 0);
            assert_null(q.v);
            continue;
        }
        assert_null(eq);
        check_fields(&q, c, i);
        check_fields(&b, c, i);
    }
    arena_free(a);
}

/* Sentences name the source, the field and the problem. */
static const struct {
    int which;  /* 0 query, 1 form */
    const char *in;
    const char *error;
} messages[] = {
    { 0, "a=1&b=2&c=%zz", "query string: field 3: bad percent-escape" },
    { 1, "a=1&&b=%00", "form body: field 2: NUL byte (%00)" },
    { 0, "=x", "query string: field 1: empty name" },
    { 1, "a=%ED%A0%80", "form body: field 1: value is not valid UTF-8" },
    { 0, "a%01=", "query string: field 1: control character in name" },
    { 1, "a=%07", "form body: field 1: control character in value" },
};

static void test_messages(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
        struct http_fields f;
        const char *err = NULL;
        const char *in = messages[i].in;
        int st = messages[i].which == 0 ? http_parse_query(a, in, NULL, &f, &err)
                                        : http_parse_urlencoded(a, in, strlen(in), NULL, &f, &err);
        assert_int_equal(st, 400);
        assert_string_equal(err, messages[i].error);
    }
    arena_free(a);
}

/* Builds "k=v&k=v..." with count fields into a malloc'd string. */
static char *many_fields(size_t count)
{
    char *s = malloc(count * 8 + 1), *p = s;
    for (size_t i = 0; i < count; i++)
        p += snprintf(p, 9, "%sk%zu=v", i ? "&" : "", i % 1000);
    return s;
}

static void test_form_limits(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_limits l;
    struct http_fields f;
    const char *err;
    http_limits_default(&l);
    assert_int_equal(l.max_fields, 200);
    assert_int_equal(l.max_body, 30u << 20);

    char *s = many_fields(10000);
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l, &f, &err), 413);
    assert_string_equal(err, "form body has too many fields");
    free(s);
    s = many_fields(200);
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l, &f, &err), 0);
    assert_int_equal(f.n, 200);
    assert_string_equal(f.v[199].key, "k199");
    free(s);

    /* value of 64 KiB passes, one more byte is 413; keys likewise at 128 */
    s = malloc(70000);
    memcpy(s, "v=", 2);
    memset(s + 2, 'x', 65537);
    assert_int_equal(http_parse_urlencoded(a, s, 2 + 65536, &l, &f, &err), 0);
    assert_int_equal(f.v[0].value_len, 65536);
    assert_int_equal(http_parse_urlencoded(a, s, 2 + 65537, &l, &f, &err), 413);
    assert_string_equal(err, "form body: field 1: value too long");
    memset(s, 'k', 129);
    s[129] = '=';
    assert_int_equal(http_parse_urlencoded(a, s + 1, 129, &l, &f, &err), 0);
    assert_int_equal(http_parse_urlencoded(a, s, 130, &l, &f, &err), 413);
    free(s);

    /* raw sizes: query 414, form 413 */
    l.max_query = 8;
    l.max_form = 8;
    assert_int_equal(http_parse_query(a, "a=123456", &l, &f, &err), 0);
    assert_int_equal(http_parse_query(a, "a=1234567", &l, &f, &err), 414);
    assert_string_equal(err, "query string too long");
    assert_int_equal(http_parse_urlencoded(a, "a=1234567", 9, &l, &f, &err), 413);
    assert_int_equal(http_parse_query(a, NULL, &l, &f, &err), 0);
    assert_int_equal(f.n, 0);

    /* a form body is bytes: a raw NUL is a control character */
    assert_int_equal(http_parse_urlencoded(a, S("a=x\0y"), NULL, &f, &err), 400);
    arena_free(a);
}

/* --- cookies ---------------------------------------------------------- */

struct cookie_case {
    const char *in;
    size_t n;
    struct kv f[3];
};

static const struct cookie_case cookies[] = {
    { "a=1; b=2", 2, { { "a", "1" }, { "b", "2" } } },
    { "a=1;b=2", 2, { { "a", "1" }, { "b", "2" } } },
    { "  a = 1 ;  b=2  ", 2, { { "a", "1" }, { "b", "2" } } },
    { "__Host-sid=\"abc\"; x=\"\"", 2, { { "__Host-sid", "abc" }, { "x", "" } } },
    { "a=; b", 1, { { "a", "" } } },
    { "bad; a=1", 1, { { "a", "1" } } },
    { "a=1; =x; b=2", 2, { { "a", "1" }, { "b", "2" } } },
    { "a=has space; b=2", 1, { { "b", "2" } } },
    { "a=x,y; b=x\\y; c=3", 1, { { "c", "3" } } },
    { "a=\"open; b=2", 1, { { "b", "2" } } },
    { "na(me=1; b=2", 1, { { "b", "2" } } },
    { "a=caf\xc3\xa9; b=2", 1, { { "b", "2" } } },
    { "a=%41+; b=%zz", 2, { { "a", "%41+" }, { "b", "%zz" } } },
    { "a=1; a=2", 2, { { "a", "1" }, { "a", "2" } } },
    { "a=b=c", 1, { { "a", "b=c" } } },
    { ";;;", 0, { { NULL, NULL } } },
    { "", 0, { { NULL, NULL } } },
};

static void test_cookies(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
        struct http_fields f;
        const char *err;
        assert_int_equal(http_parse_cookies(a, cookies[i].in, NULL, &f, &err), 0);
        if (f.n != cookies[i].n)
            fail_msg("cookie case %zu (%s): %zu fields, want %zu", i, cookies[i].in, f.n, cookies[i].n);
        for (size_t k = 0; k < f.n; k++) {
            assert_string_equal(f.v[k].key, cookies[i].f[k].key);
            assert_string_equal(f.v[k].value, cookies[i].f[k].value);
            assert_int_equal(f.v[k].value_len, strlen(cookies[i].f[k].value));
        }
    }
    arena_free(a);
}

static void test_cookie_limits(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_fields f;
    const char *err;
    char *s = malloc(9000);
    memset(s, 'x', 8999);
    memcpy(s, "a=", 2);
    s[8192] = '\0';
    assert_int_equal(http_parse_cookies(a, s, NULL, &f, &err), 0);
    s[8192] = 'x';
    s[8193] = '\0';
    assert_int_equal(http_parse_cookies(a, s, NULL, &f, &err), 400);
    assert_string_equal(err, "cookie header too large");
    free(s);

    /* beyond max_fields cookies are ignored, not refused */
    struct http_limits l;
    http_limits_default(&l);
    l.max_fields = 2;
    l.max_value = 3;
    assert_int_equal(http_parse_cookies(a, "a=1; b=toolong; c=3; d=4", &l, &f, &err), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.v[1].key, "c");
    assert_int_equal(http_parse_cookies(a, NULL, &l, &f, &err), 0);
    assert_int_equal(f.n, 0);
    arena_free(a);
}

/* --- multipart -------------------------------------------------------- */

struct part_want {
    const char *key;
    const char *value;
    size_t value_len;
    const char *filename;      /* NULL: none */
    const char *content_type;
};

struct mp_case {
    const char *what;
    const char *ctype;
    const char *body;
    size_t len;
    int status;
    const char *error;         /* expected sentence, or NULL to skip */
    size_t n;
    struct part_want f[3];
};

#define CT "multipart/form-data; boundary=XyZ"
#define CD "Content-Disposition: form-data; name="

static const struct mp_case mps[] = {
    { "text and binary file", CT,
      S("--XyZ\r\n" CD "\"subject\"\r\n\r\nHello\r\nworld\r\n"
        "--XyZ\r\n" CD "\"att\"; filename=\"a.bin\"\r\nContent-Type: application/x-thing\r\n\r\n"
        "A\0B\0\r\n--XyZx\r\n"
        "--XyZ--\r\n"),
      0, NULL, 2,
      { { "subject", "Hello\r\nworld", 12, NULL, "text/plain" },
        { "att", "A\0B\0\r\n--XyZx", 12, "a.bin", "application/x-thing" } } },
    { "quoted boundary, preamble, padding, epilogue",
      "multipart/form-data; boundary=\"a b:c\"",
      S("preamble\r\n--a b:c  \r\n" CD "x\r\n\r\n1\r\n--a b:c--\r\nepilogue"),
      0, NULL, 1, { { "x", "1", 1, NULL, "text/plain" } } },
    { "browser boundary, case-insensitive names",
      "Multipart/Form-Data; charset=utf-8; BOUNDARY=----WebKitFormBoundary7MA4YWxkTrZu0gW",
      S("------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
        "content-disposition: FORM-DATA; NAME=\"n\"\r\n\r\n"
        "v\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--"),
      0, NULL, 1, { { "n", "v", 1, NULL, "text/plain" } } },
    { "windows path stripped", CT,
      S("--XyZ\r\n" CD "\"f\"; filename=\"C:\\x\\evil.txt\"\r\n\r\n"
        "data\r\n--XyZ\r\n" CD "\"g\"; filename=\"../../etc/passwd\"\r\n\r\n\r\n--XyZ--"),
      0, NULL, 2,
      { { "f", "data", 4, "evil.txt", "application/octet-stream" },
        { "g", "", 0, "passwd", "application/octet-stream" } } },
    { "filename* wins", CT,
      S("--XyZ\r\n" CD "\"f\"; filename=\"naive.txt\"; filename*=UTF-8''na%C3%AFve.txt\r\n\r\n"
        "x\r\n--XyZ--\r\n"),
      0, NULL, 1, { { "f", "x", 1, "na\xc3\xafve.txt", "application/octet-stream" } } },
    { "empty file input, escaped quote", CT,
      S("--XyZ\r\n" CD "\"f\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        "\r\n--XyZ\r\n" CD "\"g\"; filename=\"a\\\"b.txt\"\r\n\r\n\xff\r\n--XyZ--"),
      0, NULL, 2,
      { { "f", "", 0, "", "application/octet-stream" },
        { "g", "\xff", 1, "a\"b.txt", "application/octet-stream" } } },
    { "no parts", CT, S("--XyZ--\r\n"), 0, NULL, 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "utf-8 name and value", CT,
      S("--XyZ\r\n" CD "\"caf\xc3\xa9\"\r\n\r\n\xe2\x82\xac\r\n--XyZ--"),
      0, NULL, 1, { { "caf\xc3\xa9", "\xe2\x82\xac", 3, NULL, "text/plain" } } },
    { "missing boundary", "multipart/form-data", S("--XyZ--\r\n"), 400,
      "multipart body has no boundary", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "empty boundary", "multipart/form-data; boundary=\"\"", S("----\r\n"), 400,
      "multipart body has an invalid boundary", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "boundary of 71", "multipart/form-data; boundary="
      "12345678901234567890123456789012345678901234567890123456789012345678901",
      S("x"), 400, "multipart body has an invalid boundary", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "two boundaries", CT "; boundary=b", S("--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "not multipart", "text/plain; boundary=XyZ", S("--XyZ--"), 415, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "truncated", CT, S("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue, and then nothing"),
      400, "multipart body truncated", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "truncated headers", CT, S("--XyZ\r\n" CD "\"a\"\r\n"),
      400, "multipart body truncated", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "no delimiter", CT, S("just some text"), 400,
      "multipart body has no boundary delimiter", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "boundary-prefixed line only", CT, S("--XyZabc\r\n"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "no content-disposition", CT, S("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--"),
      400, "multipart body: field 1: part has no Content-Disposition", 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "no headers at all", CT, S("--XyZ\r\n\r\nx\r\n--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "no name", CT, S("--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--XyZ--"),
      400, "multipart body: field 1: part has no name", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "empty name", CT, S("--XyZ\r\n" CD "\"\"\r\n\r\nx\r\n--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "attachment", CT, S("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--"),
      400, NULL, 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "folded header", CT, S("--XyZ\r\n" CD "\"a\"\r\n x\r\n\r\nx\r\n--XyZ--"), 400,
      "multipart body: field 1: folded part header", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "bare LF in header", CT, S("--XyZ\r\n" CD "\"a\"\nX: y\r\n\r\nx\r\n--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "duplicate disposition", CT, S("--XyZ\r\n" CD "a\r\n" CD "b\r\n\r\nx\r\n--XyZ--"), 400,
      NULL, 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "unclosed quote", CT, S("--XyZ\r\n" CD "\"a\r\n\r\nx\r\n--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "bad text value", CT, S("--XyZ\r\n" CD "a\r\n\r\n\xc0\xaf\r\n--XyZ--"), 400,
      "multipart body: field 1: value is not valid UTF-8", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "NUL in text value", CT, S("--XyZ\r\n" CD "a\r\n\r\nx\0y\r\n--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "control in name", CT, S("--XyZ\r\n" CD "\"a\x7f\"\r\n\r\nx\r\n--XyZ--"), 400, NULL, 0,
      { { NULL, NULL, 0, NULL, NULL } } },
    { "filename* latin1", CT,
      S("--XyZ\r\n" CD "f; filename*=ISO-8859-1''na%EFve\r\n\r\nx\r\n--XyZ--"), 400,
      "multipart body: field 1: filename* charset is not UTF-8", 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "filename* %00", CT, S("--XyZ\r\n" CD "f; filename*=UTF-8''a%00\r\n\r\nx\r\n--XyZ--"), 400,
      NULL, 0, { { NULL, NULL, 0, NULL, NULL } } },
    { "filename bad utf-8", CT, S("--XyZ\r\n" CD "f; filename=\"\xc0\xaf\"\r\n\r\nx\r\n--XyZ--"),
      400, "multipart body: field 1: bad filename", 0, { { NULL, NULL, 0, NULL, NULL } } },
};

static void check_part(const struct http_field *got, const struct part_want *w)
{
    assert_string_equal(got->key, w->key);
    assert_int_equal(got->value_len, w->value_len);
    assert_memory_equal(got->value, w->value, w->value_len);
    if (w->filename == NULL)   /* text values are NUL-terminated copies; files are views */
        assert_int_equal(got->value[got->value_len], '\0');
    if (w->filename == NULL)
        assert_null(got->filename);
    else
        assert_string_equal(got->filename, w->filename);
    assert_string_equal(got->content_type, w->content_type);
}

static void test_multipart(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(mps) / sizeof(mps[0]); i++) {
        const struct mp_case *c = &mps[i];
        struct http_fields f;
        const char *err = NULL;
        int st = http_parse_multipart(a, c->ctype, c->body, c->len, NULL, &f, &err);
        if (st != c->status)
            fail_msg("multipart case \"%s\": status %d (%s), want %d", c->what, st,
                     err ? err : "-", c->status);
        if (c->error != NULL)
            assert_string_equal(err, c->error);
        if (st != 0) {
            assert_int_equal(f.n, 0);
            continue;
        }
        if (f.n != c->n)
            fail_msg("multipart case \"%s\": %zu fields, want %zu", c->what, f.n, c->n);
        for (size_t k = 0; k < c->n; k++)
            check_part(&f.v[k], &c->f[k]);
    }
    arena_free(a);
}

static void test_multipart_limits(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_limits l;
    struct http_fields f;
    const char *err;
    http_limits_default(&l);
    l.max_file = 4;
    l.max_value = 3;
    l.max_fields = 2;
    l.max_part_headers = 64;
    l.max_body = 200;
    static const char file5[] = "--XyZ\r\n" CD "f; filename=x\r\n\r\n12345\r\n--XyZ--";
    static const char file4[] = "--XyZ\r\n" CD "f; filename=x\r\n\r\n1234\r\n--XyZ--";
    static const char text4[] = "--XyZ\r\n" CD "t\r\n\r\n1234\r\n--XyZ--";
    static const char three[] = "--XyZ\r\n" CD "a\r\n\r\n\r\n--XyZ\r\n" CD "b\r\n\r\n\r\n"
                                "--XyZ\r\n" CD "c\r\n\r\n\r\n--XyZ--";
    assert_int_equal(http_parse_multipart(a, CT, S(file4), &l, &f, &err), 0);
    assert_int_equal(f.v[0].value_len, 4);
    assert_int_equal(http_parse_multipart(a, CT, S(file5), &l, &f, &err), 413);
    assert_string_equal(err, "multipart body: field 1: file too large");
    /* a false delimiter right at the limit must not lift the limit */
    static const char edge[] = "--XyZ\r\n" CD "f; filename=x\r\n\r\n1234\r\n--XyZz5678\r\n--XyZ--";
    assert_int_equal(http_parse_multipart(a, CT, S(edge), &l, &f, &err), 413);
    assert_int_equal(http_parse_multipart(a, CT, S(text4), &l, &f, &err), 413);
    assert_string_equal(err, "multipart body: field 1: value too long");
    assert_int_equal(http_parse_multipart(a, CT, S(three), &l, &f, &err), 413);
    assert_string_equal(err, "multipart body has too many fields");

    /* a header block (its lines with their CRLFs) of 64 bytes passes, 65 is 413:
     * 38 + 2 for Content-Disposition, 3 + 19 + 2 for X */
    char hdr[400];
    int n = snprintf(hdr, sizeof(hdr), "--XyZ\r\n" CD "a\r\nX: %s\r\n\r\nv\r\n--XyZ--",
                     "1234567890123456789");
    assert_int_equal(http_parse_multipart(a, CT, hdr, (size_t)n, &l, &f, &err), 0);
    n = snprintf(hdr, sizeof(hdr), "--XyZ\r\n" CD "a\r\nX: %s\r\n\r\nv\r\n--XyZ--",
                 "12345678901234567890");
    assert_int_equal(http_parse_multipart(a, CT, hdr, (size_t)n, &l, &f, &err), 413);
    assert_string_equal(err, "multipart body: field 1: part headers too large");

    char *big = malloc(300);
    memset(big, '-', 300);
    assert_int_equal(http_parse_multipart(a, CT, big, 201, &l, &f, &err), 413);
    assert_string_equal(err, "multipart body too large");
    free(big);

    /* a huge header block with default limits */
    http_limits_default(&l);
    size_t hn = 20000;
    char *h = malloc(hn);
    memset(h, 'a', hn);
    memcpy(h, "--XyZ\r\nX: ", 10);
    assert_int_equal(http_parse_multipart(a, CT, h, hn, &l, &f, &err), 413);
    free(h);
    arena_free(a);
}

/* A 25 MiB file part passes with the defaults, one byte more does not;
 * and the scan stays linear on a body full of near-delimiters. */
static void test_multipart_big(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_fields f;
    const char *err;
    static const char head[] = "--XyZ\r\n" CD "f; filename=big.bin\r\n\r\n";
    static const char tail[] = "\r\n--XyZ--\r\n";
    size_t file = 25u << 20;
    size_t len = sizeof(head) - 1 + file + 1 + sizeof(tail) - 1;
    char *b = malloc(len);
    memcpy(b, head, sizeof(head) - 1);
    for (size_t i = 0; i < file + 1; i++)  /* "\r\n--XyZ" + 'x' repeated: never a delimiter */
        b[sizeof(head) - 1 + i] = "\r\n--XyZx"[i % 8];
    memcpy(b + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    assert_int_equal(http_parse_multipart(a, CT, b, len, NULL, &f, &err), 413);
    /* without any delimiter, more data than max_file is still too large */
    assert_int_equal(http_parse_multipart(a, CT, b, len - (sizeof(tail) - 1), NULL, &f, &err), 413);
    /* and max_file bytes without a delimiter are truncated */
    assert_int_equal(http_parse_multipart(a, CT, b, len - sizeof(tail), NULL, &f, &err), 400);
    /* drop the extra byte: exactly max_file */
    memmove(b + len - (sizeof(tail) - 1) - 1, tail, sizeof(tail) - 1);
    assert_int_equal(http_parse_multipart(a, CT, b, len - 1, NULL, &f, &err), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.v[0].value_len, file);
    free(b);
    arena_free(a);
}

/* --- dispatch --------------------------------------------------------- */

static const struct {
    const char *ctype;
    const char *body;
    int status;
    size_t n;
} bodies[] = {
    { NULL, "", 0, 0 },
    { "", "", 0, 0 },
    { NULL, "a=1", 415, 0 },
    { "text/xml", "<a/>", 415, 0 },
    { "application/json", "{}", 415, 0 },
    { "application/x-www-form-urlencoded", "a=1&b=2", 0, 2 },
    { "APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8", "a=1", 0, 1 },
    { " application/x-www-form-urlencoded ", "a=1", 0, 1 },
    { "application/x-www-form-urlencodedx", "a=1", 415, 0 },
    { "application/x-www-form-urlencoded", "a=%zz", 400, 0 },
    { "multipart/form-data; boundary=b", "--b\r\n" CD "a\r\n\r\nx\r\n--b--", 0, 1 },
    { "multipart/form-data", "--b--", 400, 0 },
    { "multipart/mixed; boundary=b", "--b--", 415, 0 },
    { "multipart", "--b--", 415, 0 },
};

static void test_body_dispatch(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct http_fields f;
        const char *err;
        int st = http_parse_body(a, bodies[i].ctype, bodies[i].body, strlen(bodies[i].body),
                                 NULL, &f, &err);
        if (st != bodies[i].status || f.n != bodies[i].n)
            fail_msg("body case %zu (%s): status %d n %zu", i,
                     bodies[i].ctype ? bodies[i].ctype : "NULL", st, f.n);
        if (st == 415)
            assert_non_null(strstr(err, "content type"));
    }
    arena_free(a);
}

static void test_lookup(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_fields f;
    const char *err;
    assert_int_equal(http_parse_query(a, "a=1&b=2&a=3", NULL, &f, &err), 0);
    assert_int_equal(http_fields_count(&f, "a"), 2);
    assert_int_equal(http_fields_count(&f, "b"), 1);
    assert_int_equal(http_fields_count(&f, "c"), 0);
    assert_string_equal(http_fields_get(&f, "a")->value, "1");
    assert_null(http_fields_get(&f, "c"));
    assert_null(http_fields_get(NULL, "a"));
    assert_int_equal(http_fields_count(NULL, "a"), 0);
    arena_free(a);
}

/* --- the Big List of Naughty Strings ---------------------------------- */

/* "v=" + every byte of s percent-encoded. */
static char *encode_value(const char *s, size_t n, size_t *out_len)
{
    char *e = malloc(2 + 3 * n + 1);
    size_t j = 0;
    e[j++] = 'v';
    e[j++] = '=';
    for (size_t i = 0; i < n; i++)
        j += (size_t)snprintf(e + j, 4, "%%%02X", (unsigned char)s[i]);
    *out_len = j;
    return e;
}

/* Every naughty string as a form value parses to exactly its bytes, or is
 * refused with 400 exactly when it is not acceptable text. */
static void test_blns_form(void **state)
{
    (void)state;
    FILE *fp = corpus_open("blns/blns.txt");
    if (fp == NULL)
        fail_msg("blns/blns.txt not found in ../shared/corpus (or POSTERN_CORPUS)");
    struct arena *a = arena_new();
    char *line = NULL;
    size_t cap = 0, tried = 0, refused = 0;
    ssize_t got;
    while ((got = corpus_next_line(fp, &line, &cap)) >= 0) {
        size_t n = (size_t)got, elen;
        tried++;
        char *enc = encode_value(line, n, &elen);
        struct http_fields f;
        const char *err;
        int st = http_parse_urlencoded(a, enc, elen, NULL, &f, &err);
        int acceptable = !memchr(line, '\0', n) &&
                         utf8_check_text(line, n, TEXT_ALLOW_TAB | TEXT_ALLOW_CRLF) == TEXT_OK;
        if (st == 0) {
            assert_int_equal(f.n, 1);
            assert_int_equal(f.v[0].value_len, n);
            assert_memory_equal(f.v[0].value, line, n);
        } else {
            assert_int_equal(st, 400);
            refused++;
        }
        assert_int_equal(st == 0, acceptable);
        /* the raw line as a query string: never a crash, a documented status */
        st = http_parse_query(a, line, NULL, &f, &err);
        if (st != 0 && st != 400 && st != 413 && st != 414)
            fail_msg("blns line %zu as a query: %d (%s)", tried, st, err);
        free(enc);
        arena_reset(a);
    }
    free(line);
    fclose(fp);
    arena_free(a);
    assert_true(tried > 500);
    assert_true(refused > 0 && refused < tried);
}

/* File parts are views into the body (no copy); text parts are copies.
 * replace_nul: NUL in body text values becomes U+FFFD, marked; without
 * it, and in the query string always, NUL is refused. */
static void test_views_and_nul(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_fields f;
    const char *err = NULL;
    static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
                               "\r\nab\0c\r\n--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
                               "x\0y\r\n--XyZ--";
    const char *ct = "multipart/form-data; boundary=XyZ";
    assert_int_equal(http_parse_multipart(a, ct, body, sizeof(body) - 1, NULL, &f, &err), 400);
    struct http_limits l;
    http_limits_default(&l);
    l.replace_nul = 1;
    assert_int_equal(http_parse_multipart(a, ct, body, sizeof(body) - 1, &l, &f, &err), 0);
    assert_int_equal(f.n, 2);
    assert_true(f.v[0].value >= body && f.v[0].value + f.v[0].value_len <= body + sizeof(body));
    assert_int_equal(f.v[0].value_len, 4);
    assert_memory_equal(f.v[0].value, "ab\0c", 4);
    assert_int_equal(f.v[0].nul_replaced, 0);   /* files are bytes: kept as sent */
    assert_string_equal(f.v[1].value, "x\xEF\xBF\xBDy");
    assert_int_equal(f.v[1].value_len, 5);
    assert_int_equal(f.v[1].nul_replaced, 1);
    assert_int_equal(http_parse_urlencoded(a, "a=1%002&b=3", 11, &l, &f, &err), 0);
    assert_string_equal(f.v[0].value, "1\xEF\xBF\xBD" "2");
    assert_int_equal(f.v[0].nul_replaced, 1);
    assert_int_equal(f.v[1].nul_replaced, 0);
    assert_int_equal(http_parse_urlencoded(a, "a%00=1", 6, &l, &f, &err), 400);   /* names: never */
    assert_int_equal(http_parse_urlencoded(a, "a=1%002", 7, NULL, &f, &err), 400);
    assert_int_equal(http_parse_query(a, "a=1%002", &l, &f, &err), 400);        /* query: never */
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_views_and_nul),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_form_limits),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_cookie_limits),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_multipart_limits),
        cmocka_unit_test(test_multipart_big),
        cmocka_unit_test(test_body_dispatch),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_blns_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
