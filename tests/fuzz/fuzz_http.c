/* fuzz_http.c — libFuzzer harness for src/http.c.
 *
 * Input: one selector byte, then the payload.
 *   selector & 3 == 0  query string (payload up to its first NUL)
 *                   1  urlencoded body
 *                   2  Cookie header (payload up to its first NUL)
 *                   3  multipart: the payload's first line is the boundary,
 *                      the rest the body; with selector & 4 the first line
 *                      is instead a whole Content-Type for http_parse_body()
 * Each input is parsed with tiny limits and with the defaults, and every
 * result is checked against the contract in http.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "validate.h"

static const struct http_limits tiny = {
    .max_fields = 3,
    .max_key = 4,
    .max_value = 8,
    .max_query = 64,
    .max_cookie = 64,
    .max_form = 64,
    .max_body = 512,
    .max_file = 16,
    .max_part_headers = 96,
};

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* Every validator on every value: a result is NUL-terminated, no longer
 * than the input, and a line never holds a line break. */
static void check_validators(struct arena *a, const char *s, size_t n)
{
    for (int k = 0; k < VALID__MAX; k++) {
        struct valid_value v = { 0 };
        int ok = valid_fns[k](a, s, n, &v);
        CHECK(ok == valid_fns[k](NULL, s, n, NULL));
        if (!ok)
            continue;
        CHECK(v.str != NULL && v.str[v.len] == '\0' && v.len <= (n > 0 ? n : 1));
        CHECK(memchr(v.str, '\0', v.len) == NULL);
        if (k == VALID_LINE || k == VALID_USERNAME || k == VALID_EMAIL)
            CHECK(memchr(v.str, '\n', v.len) == NULL && memchr(v.str, '\r', v.len) == NULL);
    }
}

static void check_field(const struct http_field *f, const struct http_limits *l, int multipart)
{
    size_t klen = strlen(f->key);
    CHECK(klen > 0 && klen <= l->max_key);
    CHECK(utf8_check_text(f->key, klen, 0) == TEXT_OK);
    CHECK(f->value != NULL);
    CHECK((f->content_type != NULL) == multipart);
    if (f->filename != NULL) {
        CHECK(multipart);
        CHECK(f->value_len <= l->max_file);
        size_t n = strlen(f->filename);
        CHECK(utf8_check_text(f->filename, n, 0) == TEXT_OK);
        CHECK(memchr(f->filename, '/', n) == NULL && memchr(f->filename, '\\', n) == NULL);
        return;   /* a view into the body: not NUL-terminated */
    }
    CHECK(f->value[f->value_len] == '\0');
    CHECK(strlen(f->value) == f->value_len);
    CHECK(f->value_len <= l->max_value);
    CHECK(utf8_check_text(f->value, f->value_len, TEXT_ALLOW_TAB | TEXT_ALLOW_CRLF) == TEXT_OK);
}

static void check(struct arena *a, int st, const struct http_fields *f, const char *err,
                  const struct http_limits *l, int multipart)
{
    if (st != 0) {
        CHECK(st == 400 || st == 413 || st == 414 || st == 415);
        CHECK(err != NULL && err[0] != '\0');
        CHECK(f->n == 0 && f->v == NULL);
        return;
    }
    CHECK(err == NULL);
    CHECK(f->n <= l->max_fields);
    for (size_t i = 0; i < f->n; i++) {
        check_field(&f->v[i], l, multipart);
        check_validators(a, f->v[i].value, f->v[i].value_len);
        CHECK(http_fields_get(f, f->v[i].key) != NULL);
        CHECK(http_fields_count(f, f->v[i].key) >= 1);
    }
}

/* The payload's first line (up to '\n', NUL-terminated copy) and the rest. */
static char *first_line(const uint8_t *p, size_t n, const uint8_t **rest, size_t *rest_n)
{
    const uint8_t *nl = memchr(p, '\n', n);
    size_t len = nl != NULL ? (size_t)(nl - p) : n;
    char *s = malloc(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    *rest = nl != NULL ? nl + 1 : p + n;
    *rest_n = n - (size_t)(*rest - p);
    return s;
}

static void run(struct arena *a, uint8_t sel, const uint8_t *p, size_t n,
                const struct http_limits *base)
{
    struct http_limits lim = *base;
    lim.replace_nul = (sel & 8) != 0;   /* a ROUTE_NUL_TEXT route's body */
    const struct http_limits *l = &lim;
    struct http_fields f;
    const char *err = NULL;
    char *str = malloc(n + 1);  /* NUL-terminated copy for the string parsers */
    memcpy(str, p, n);
    str[n] = '\0';
    switch (sel & 3) {
    case 0:
        check(a, http_parse_query(a, str, l, &f, &err), &f, err, l, 0);
        break;
    case 1:
        check(a, http_parse_urlencoded(a, (const char *)p, n, l, &f, &err), &f, err, l, 0);
        break;
    case 2:
        check(a, http_parse_cookies(a, str, l, &f, &err), &f, err, l, 0);
        break;
    default: {
        const uint8_t *body;
        size_t body_n;
        char *line = first_line(p, n, &body, &body_n);
        /* a malloc'd copy of exactly body_n bytes, so ASan sees overreads */
        char *b = malloc(body_n ? body_n : 1);
        memcpy(b, body, body_n);
        int st;
        if (sel & 4) {
            st = http_parse_body(a, line, b, body_n, l, &f, &err);
        } else {
            char *ct = malloc(strlen(line) + 40);
            memcpy(ct, "multipart/form-data; boundary=", 30);
            memcpy(ct + 30, line, strlen(line) + 1);
            st = http_parse_multipart(a, ct, b, body_n, l, &f, &err);
            free(ct);
        }
        /* via http_parse_body() either kind may come back, but all alike */
        int multipart = !(sel & 4) || (st == 0 && f.n > 0 && f.v[0].content_type != NULL);
        check(a, st, &f, err, l, multipart);
        free(b);
        free(line);
        break;
    }
    }
    free(str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct arena *a;
    if (size == 0)
        return 0;
    if (a == NULL)
        a = arena_new();
    struct http_limits def;
    http_limits_default(&def);
    run(a, data[0], data + 1, size - 1, &tiny);
    arena_reset(a);
    run(a, data[0], data + 1, size - 1, &def);
    arena_reset(a);
    return 0;
}
