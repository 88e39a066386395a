/* http.c — see http.h.
 *
 * Query strings, urlencoded bodies, cookies and the body dispatch live
 * here, with the parse context and checks that all sources share
 * (http_private.h); the multipart/form-data grammar is in rfc7578.c.
 */
#include "http.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "http_private.h"
#include "rfc7578.h"
#include "validate.h"

#define KIB ((size_t)1024)
#define MIB (KIB * KIB)

static const struct http_limits default_limits = {
    .max_fields = 200,
    .max_key = 128,
    .max_value = 64 * KIB,
    .max_query = 8 * KIB,
    .max_cookie = 8 * KIB,
    .max_form = 1 * MIB,
    .max_body = 30 * MIB,
    .max_file = 25 * MIB,
    .max_part_headers = 8 * KIB,
};

void http_limits_default(struct http_limits *l)
{
    *l = default_limits;
}

/* --- bytes ----------------------------------------------------------- */

/* A media type's tchars with '/'; RFC 6265 cookie-octet; an unquoted
 * parameter value (lenient: filenames are sent raw). */
static int is_mtchar(unsigned char c) { return in_class(c, "!#$%&'*+-.^_`|~/"); }
static int is_cookie_octet(unsigned char c) { return c > 0x20 && c < 0x7F && !strchr("\",;\\", c); }
static int is_param_char(unsigned char c) { return c > 0x20 && c != 0x7F && c != ';' && c != '"'; }

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* --- parse context, errors, the field vector -------------------------- */

static void pctx_init(struct http_pctx *c, struct arena *a, const struct http_limits *l,
                      const char *src, struct http_fields *out, const char **error_r)
{
    c->a = a;
    c->l = l != NULL ? l : &default_limits;
    c->src = src;
    c->error_r = error_r;
    c->out = out;
    c->cap = 0;
    c->replace_nul = 0;
    out->v = NULL;
    out->n = 0;
    if (error_r != NULL)
        *error_r = NULL;
}

int http_fail(struct http_pctx *c, int status, size_t field, const char *why)
{
    c->out->v = NULL;
    c->out->n = 0;
    if (c->error_r == NULL)
        return status;
    if (field > 0)
        *c->error_r = arena_printf(c->a, "%s: field %zu: %s", c->src, field, why);
    else
        *c->error_r = arena_printf(c->a, "%s %s", c->src, why);
    return status;
}

struct http_field *http_add_field(struct http_pctx *c)
{
    struct http_fields *o = c->out;
    if (o->n >= c->l->max_fields)
        return NULL;
    if (o->n == c->cap) {
        size_t cap = c->cap > 0 ? c->cap * 2 : 8;
        if (cap > c->l->max_fields)
            cap = c->l->max_fields;
        struct http_field *v = arena_alloc(c->a, cap * sizeof(*v));
        if (o->n > 0)
            memcpy(v, o->v, o->n * sizeof(*v));
        o->v = v;
        c->cap = cap;
    }
    return &o->v[o->n++];
}

static const char *const name_errors[] = {
    [TEXT_OK] = NULL, [TEXT_BAD_UTF8] = "name is not valid UTF-8",
    [TEXT_CONTROL] = "control character in name",
};
static const char *const value_errors[] = {
    [TEXT_OK] = NULL, [TEXT_BAD_UTF8] = "value is not valid UTF-8",
    [TEXT_CONTROL] = "control character in value",
};

int http_check_name(struct http_pctx *c, size_t idx, const char *s, size_t n)
{
    if (n == 0)
        return http_fail(c, 400, idx, "empty name");
    if (n > c->l->max_key)
        return http_fail(c, 413, idx, "name too long");
    const char *why = name_errors[utf8_check_text(s, n, 0)];
    return why != NULL ? http_fail(c, 400, idx, why) : 0;
}

int http_check_value(struct http_pctx *c, size_t idx, const char *s, size_t n)
{
    if (n > c->l->max_value)
        return http_fail(c, 413, idx, "value too long");
    const char *why = value_errors[utf8_check_text(s, n, TEXT_ALLOW_TAB | TEXT_ALLOW_CRLF)];
    return why != NULL ? http_fail(c, 400, idx, why) : 0;
}

/* --- urlencoded ------------------------------------------------------- */

const char *http_pct_decode(struct arena *a, const char *s, size_t n, int flags,
                            char **out, size_t *out_len)
{
    char *d = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '%') {
            int hi = n - i > 2 ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
            if (lo < 0)
                return "bad percent-escape";
            if (hi == 0 && lo == 0 && !(flags & HTTP_PCT_KEEP_NUL))
                return "NUL byte (%00)";
            ch = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (ch == '+' && (flags & HTTP_PCT_PLUS)) {
            ch = ' ';
        }
        d[j++] = (char)ch;
    }
    d[j] = '\0';
    *out = d;
    *out_len = j;
    return NULL;
}

char *http_nul_to_fffd(struct arena *a, const char *s, size_t n, size_t *out_len)
{
    size_t nuls = 0;
    for (size_t i = 0; i < n; i++)
        nuls += s[i] == '\0';
    char *d = arena_alloc(a, n + 2 * nuls + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\0') {
            d[j++] = s[i];
            continue;
        }
        memcpy(d + j, "\xEF\xBF\xBD", 3);
        j += 3;
    }
    d[j] = '\0';
    *out_len = j;
    return d;
}

/* Decodes and checks a key (is_key) or a value; 0 or a status. A value's
 * NULs become U+FFFD when the source allows it (*nul_r set). */
static int form_item(struct http_pctx *c, size_t idx, const char *raw, size_t n, int is_key,
                     char **out, size_t *out_len, int *nul_r)
{
    int nul_ok = !is_key && c->replace_nul;
    const char *why = http_pct_decode(c->a, raw, n, HTTP_PCT_PLUS | (nul_ok ? HTTP_PCT_KEEP_NUL : 0),
                                      out, out_len);
    if (why != NULL)
        return http_fail(c, 400, idx, why);
    if (nul_ok && memchr(*out, '\0', *out_len) != NULL) {
        *out = http_nul_to_fffd(c->a, *out, *out_len, out_len);
        *nul_r = 1;
    }
    return is_key ? http_check_name(c, idx, *out, *out_len)
                  : http_check_value(c, idx, *out, *out_len);
}

/* One non-empty "key[=value]" segment. */
static int form_pair(struct http_pctx *c, const char *seg, size_t n)
{
    size_t idx = c->out->n + 1;
    const char *eq = memchr(seg, '=', n);
    size_t klen = eq != NULL ? (size_t)(eq - seg) : n;
    size_t vstart = eq != NULL ? klen + 1 : n;
    char *key, *value;
    size_t key_len, value_len;
    int rc, nul = 0;

    if (klen == 0)
        return http_fail(c, 400, idx, "empty name");
    if (c->out->n >= c->l->max_fields)
        return http_fail(c, 413, 0, "has too many fields");
    if ((rc = form_item(c, idx, seg, klen, 1, &key, &key_len, &nul)) != 0 ||
        (rc = form_item(c, idx, seg + vstart, n - vstart, 0, &value, &value_len, &nul)) != 0)
        return rc;
    struct http_field *f = http_add_field(c);
    f->key = key;
    f->value = value;
    f->value_len = value_len;
    f->nul_replaced = nul;
    return 0;
}

/* The next sep-separated segment of s[0..n) from *pos (possibly empty):
 * 1 with *seg, *seg_len set and *pos moved past it, 0 at the end. */
static int next_segment(const char *s, size_t n, char sep, size_t *pos,
                        const char **seg, size_t *seg_len)
{
    if (*pos >= n)
        return 0;
    const char *end = memchr(s + *pos, sep, n - *pos);
    *seg = s + *pos;
    *seg_len = end != NULL ? (size_t)(end - *seg) : n - *pos;
    *pos += *seg_len + 1;
    return 1;
}

static int parse_form(struct http_pctx *c, const char *s, size_t n)
{
    size_t pos = 0, seg_len;
    const char *seg;
    int rc;
    while (next_segment(s, n, '&', &pos, &seg, &seg_len))
        if (seg_len > 0 && (rc = form_pair(c, seg, seg_len)) != 0)
            return rc;
    return 0;
}

int http_parse_query(struct arena *a, const char *qs, const struct http_limits *l,
                     struct http_fields *out, const char **error_r)
{
    struct http_pctx c;
    pctx_init(&c, a, l, "query string", out, error_r);
    if (qs == NULL)
        return 0;
    size_t n = bounded_len(qs, c.l->max_query);
    if (n > c.l->max_query)
        return http_fail(&c, 414, 0, "too long");
    return parse_form(&c, qs, n);
}

int http_parse_urlencoded(struct arena *a, const char *body, size_t len,
                          const struct http_limits *l, struct http_fields *out,
                          const char **error_r)
{
    struct http_pctx c;
    pctx_init(&c, a, l, "form body", out, error_r);
    c.replace_nul = c.l->replace_nul;
    if (len > c.l->max_form)
        return http_fail(&c, 413, 0, "too large");
    return parse_form(&c, body, len);
}

/* --- cookies ---------------------------------------------------------- */

/* One "name=value" pair; a malformed or oversized one is skipped. */
static void cookie_pair(struct http_pctx *c, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    if (eq == NULL)
        return;
    const char *name = s, *value = eq + 1;
    size_t name_len = (size_t)(eq - s), value_len = n - name_len - 1;
    trim_ows(&name, &name_len);
    trim_ows(&value, &value_len);
    if (name_len == 0 || name_len > c->l->max_key || !all_bytes(name, name_len, is_tchar))
        return;
    if (value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"') {
        value++;
        value_len -= 2;
    }
    if (value_len > c->l->max_value || !all_bytes(value, value_len, is_cookie_octet))
        return;
    struct http_field *f = http_add_field(c);
    f->key = arena_strndup(c->a, name, name_len);
    f->value = arena_strndup(c->a, value, value_len);
    f->value_len = value_len;
}

int http_parse_cookies(struct arena *a, const char *header, const struct http_limits *l,
                       struct http_fields *out, const char **error_r)
{
    struct http_pctx c;
    pctx_init(&c, a, l, "cookie header", out, error_r);
    if (header == NULL)
        return 0;
    size_t n = bounded_len(header, c.l->max_cookie);
    if (n > c.l->max_cookie)
        return http_fail(&c, 400, 0, "too large");
    size_t pos = 0, seg_len;
    const char *seg;
    while (c.out->n < c.l->max_fields && next_segment(header, n, ';', &pos, &seg, &seg_len))
        cookie_pair(&c, seg, seg_len);
    return 0;
}

/* --- header parameters (Content-Type, Content-Disposition) ------------ */

static void skip_ows(struct http_params *it)
{
    it->p = span(it->p, it->end, is_ows);
}

/* A quoted-string at it->p (on the opening quote). Backslash escapes only
 * '"' and '\', so "C:\x\y" keeps its backslashes. 1, or 0 if unclosed. */
static int param_quoted(struct arena *a, struct http_params *it, struct http_param *pm)
{
    const char *s = it->p + 1, *p = s;
    size_t n = 0;
    for (; p < it->end && *p != '"'; p++, n++)
        if (*p == '\\' && it->end - p > 1 && (p[1] == '"' || p[1] == '\\'))
            p++;
    if (p == it->end)
        return 0;
    char *d = arena_alloc(a, n + 1);
    for (size_t j = 0; j < n; j++, s++) {
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
            s++;
        d[j] = *s;
    }
    it->p = p + 1;
    pm->value = d;
    pm->value_len = n;
    return 1;
}

int http_param_next(struct arena *a, struct http_params *it, struct http_param *pm)
{
    skip_ows(it);
    if (it->p == it->end)
        return 0;
    if (*it->p != ';')
        return -1;
    while (it->p < it->end && (*it->p == ';' || is_ows((unsigned char)*it->p)))
        it->p++;
    if (it->p == it->end)
        return 0;
    pm->name = it->p;
    it->p = span(it->p, it->end, is_tchar);
    pm->name_len = (size_t)(it->p - pm->name);
    skip_ows(it);
    if (pm->name_len == 0 || it->p == it->end || *it->p != '=')
        return -1;
    it->p++;
    skip_ows(it);
    if (it->p < it->end && *it->p == '"')
        return param_quoted(a, it, pm) ? 1 : -1;
    pm->value = it->p;
    it->p = span(it->p, it->end, is_param_char);
    pm->value_len = (size_t)(it->p - pm->value);
    return pm->value_len > 0 ? 1 : -1;
}

int http_header_token(const char *s, size_t n, int slash, const char **tok,
                      size_t *tok_len, struct http_params *rest)
{
    *tok = span(s, s + n, is_ows);
    rest->p = span(*tok, s + n, slash ? is_mtchar : is_tchar);
    rest->end = s + n;
    *tok_len = (size_t)(rest->p - *tok);
    skip_ows(rest);
    return *tok_len > 0 && (rest->p == rest->end || *rest->p == ';');
}

/* --- multipart/form-data (the grammar is in rfc7578.c) ---------------- */

int http_parse_multipart(struct arena *a, const char *content_type, const char *body,
                         size_t len, const struct http_limits *l,
                         struct http_fields *out, const char **error_r)
{
    struct http_pctx c;
    pctx_init(&c, a, l, "multipart body", out, error_r);
    c.replace_nul = c.l->replace_nul;
    if (len > c.l->max_body)
        return http_fail(&c, 413, 0, "too large");
    return rfc7578_parse(&c, content_type, body, len);
}

/* --- dispatch and lookup ---------------------------------------------- */

static int body_form(struct arena *a, const char *ct, const char *body, size_t len,
                     const struct http_limits *l, struct http_fields *out, const char **error_r)
{
    (void)ct;
    return http_parse_urlencoded(a, body, len, l, out, error_r);
}

static const struct {
    const char *media_type;
    int (*parse)(struct arena *, const char *, const char *, size_t,
                 const struct http_limits *, struct http_fields *, const char **);
} body_types[] = {
    { "application/x-www-form-urlencoded", body_form },
    { "multipart/form-data", http_parse_multipart },
};

int http_parse_body(struct arena *a, const char *content_type, const char *body,
                    size_t len, const struct http_limits *l,
                    struct http_fields *out, const char **error_r)
{
    struct http_pctx c;
    const char *type;
    size_t type_len;
    struct http_params rest;
    pctx_init(&c, a, l, "request body", out, error_r);
    if (content_type == NULL || content_type[0] == '\0')
        return len == 0 ? 0 : http_fail(&c, 415, 0, "has no content type");
    size_t n = bounded_len(content_type, HTTP_CONTENT_TYPE_MAX);
    if (n <= HTTP_CONTENT_TYPE_MAX &&
        http_header_token(content_type, n, 1, &type, &type_len, &rest))
        for (size_t i = 0; i < sizeof(body_types) / sizeof(body_types[0]); i++)
            if (word_eq(type, type_len, body_types[i].media_type))
                return body_types[i].parse(a, content_type, body, len, l, out, error_r);
    return http_fail(&c, 415, 0, "has an unsupported content type");
}

size_t http_fields_count(const struct http_fields *f, const char *key)
{
    size_t count = 0;
    for (size_t i = 0; f != NULL && i < f->n; i++)
        count += strcmp(f->v[i].key, key) == 0;
    return count;
}

const struct http_field *http_fields_get(const struct http_fields *f, const char *key)
{
    for (size_t i = 0; f != NULL && i < f->n; i++)
        if (strcmp(f->v[i].key, key) == 0)
            return &f->v[i];
    return NULL;
}
