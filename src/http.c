/* http.c — see http.h. */
#include "http.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "validate.h"

#define KIB ((size_t)1024)
#define MIB (KIB * KIB)
#define CONTENT_TYPE_MAX 1024  /* bytes of a Content-Type we look at */
#define BOUNDARY_MAX     70    /* RFC 2046 */

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

/* ASCII letters, digits, and the bytes in extra. */
static int in_class(unsigned char c, const char *extra)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c != 0 && strchr(extra, c) != NULL);
}

/* RFC 7230 tchar; with '/' for a media type; RFC 5987 attr-char; RFC 2046
 * bchars (space allowed, but not last); RFC 6265 cookie-octet; an unquoted
 * parameter value (lenient: filenames are sent raw); a part Content-Type. */
static int is_tchar(unsigned char c) { return in_class(c, "!#$%&'*+-.^_`|~"); }
static int is_mtchar(unsigned char c) { return in_class(c, "!#$%&'*+-.^_`|~/"); }
static int is_attr_char(unsigned char c) { return in_class(c, "!#$&+-.^_`|~"); }
static int is_bchar(unsigned char c) { return in_class(c, "'()+_,-./:=? "); }
static int is_cookie_octet(unsigned char c) { return c > 0x20 && c < 0x7F && !strchr("\",;\\", c); }
static int is_param_char(unsigned char c) { return c > 0x20 && c != 0x7F && c != ';' && c != '"'; }
static int is_ctype_char(unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }
static int is_ows(unsigned char c) { return c == ' ' || c == '\t'; }

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The first byte in [p, end) that is not ok(), or end. */
static const char *span(const char *p, const char *end, int (*ok)(unsigned char))
{
    while (p < end && ok((unsigned char)*p))
        p++;
    return p;
}

static int all_bytes(const char *s, size_t n, int (*ok)(unsigned char))
{
    return span(s, s + n, ok) == s + n;
}

static void trim_ows(const char **s, size_t *n)
{
    const char *p = span(*s, *s + *n, is_ows);
    *n -= (size_t)(p - *s);
    *s = p;
    while (*n > 0 && is_ows((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* 1 if s[0..n) equals the lower-case word w, ASCII case-insensitively. */
static int word_eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* The first occurrence of needle[0..m) (m >= 1) in hay[0..n), or NULL.
 * memchr on the first byte, then memcmp: at most n * m byte compares, and
 * m is small (a delimiter). Unlike memmem, sanitizers check only the bytes
 * actually read, so repeated searches stay linear under ASan too. */
static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
    const char *p = hay, *end = hay + n;
    while ((size_t)(end - p) >= m) {
        p = memchr(p, needle[0], (size_t)(end - p) - m + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p + 1, needle + 1, m - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

/* strnlen bounded by max + 1, so that "longer than max" shows. */
static size_t bounded_len(const char *s, size_t max)
{
    return strnlen(s, max < SIZE_MAX ? max + 1 : max);
}

/* --- parse context, errors, the field vector -------------------------- */

struct pctx {
    struct arena *a;
    const struct http_limits *l;
    const char *src;        /* "query string", "form body", ... */
    const char **error_r;
    struct http_fields *out;
    size_t cap;             /* allocated slots in out->v */
};

static void pctx_init(struct pctx *c, struct arena *a, const struct http_limits *l,
                      const char *src, struct http_fields *out, const char **error_r)
{
    c->a = a;
    c->l = l != NULL ? l : &default_limits;
    c->src = src;
    c->error_r = error_r;
    c->out = out;
    c->cap = 0;
    out->v = NULL;
    out->n = 0;
    if (error_r != NULL)
        *error_r = NULL;
}

/* Empties out, sets the sentence ("<src>: field <n>: <why>", or
 * "<src> <why>" when field is 0) and returns status. */
static int fail(struct pctx *c, int status, size_t field, const char *why)
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

/* A new zeroed field at the end of out, or NULL at max_fields. The vector
 * doubles, so the arena holds at most twice the final size. */
static struct http_field *add_field(struct pctx *c)
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

/* Checks a decoded field name; 0 or a status after fail(). */
static int check_name(struct pctx *c, size_t idx, const char *s, size_t n)
{
    if (n == 0)
        return fail(c, 400, idx, "empty name");
    if (n > c->l->max_key)
        return fail(c, 413, idx, "name too long");
    const char *why = name_errors[utf8_check_text(s, n, 0)];
    return why != NULL ? fail(c, 400, idx, why) : 0;
}

/* Checks a decoded text value; 0 or a status after fail(). */
static int check_value(struct pctx *c, size_t idx, const char *s, size_t n)
{
    if (n > c->l->max_value)
        return fail(c, 413, idx, "value too long");
    const char *why = value_errors[utf8_check_text(s, n, TEXT_ALLOW_TAB | TEXT_ALLOW_CRLF)];
    return why != NULL ? fail(c, 400, idx, why) : 0;
}

/* --- urlencoded ------------------------------------------------------- */

/* Percent-decodes s[0..n) into a new NUL-terminated arena string (with
 * '+' as a space when plus is set). NULL on success, else the reason. */
static const char *pct_decode(struct arena *a, const char *s, size_t n, int plus,
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
            if (hi == 0 && lo == 0)
                return "NUL byte (%00)";
            ch = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (ch == '+' && plus) {
            ch = ' ';
        }
        d[j++] = (char)ch;
    }
    *out = d;
    *out_len = j;
    return NULL;
}

/* Decodes and checks a key (is_key) or a value; 0 or a status. */
static int form_item(struct pctx *c, size_t idx, const char *raw, size_t n, int is_key,
                     char **out, size_t *out_len)
{
    const char *why = pct_decode(c->a, raw, n, 1, out, out_len);
    if (why != NULL)
        return fail(c, 400, idx, why);
    return is_key ? check_name(c, idx, *out, *out_len) : check_value(c, idx, *out, *out_len);
}

/* One non-empty "key[=value]" segment. */
static int form_pair(struct pctx *c, const char *seg, size_t n)
{
    size_t idx = c->out->n + 1;
    const char *eq = memchr(seg, '=', n);
    size_t klen = eq != NULL ? (size_t)(eq - seg) : n;
    size_t vstart = eq != NULL ? klen + 1 : n;
    char *key, *value;
    size_t key_len, value_len;
    int rc;

    if (klen == 0)
        return fail(c, 400, idx, "empty name");
    if (c->out->n >= c->l->max_fields)
        return fail(c, 413, 0, "has too many fields");
    if ((rc = form_item(c, idx, seg, klen, 1, &key, &key_len)) != 0 ||
        (rc = form_item(c, idx, seg + vstart, n - vstart, 0, &value, &value_len)) != 0)
        return rc;
    struct http_field *f = add_field(c);
    f->key = key;
    f->value = value;
    f->value_len = value_len;
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

static int parse_form(struct pctx *c, const char *s, size_t n)
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
    struct pctx c;
    pctx_init(&c, a, l, "query string", out, error_r);
    if (qs == NULL)
        return 0;
    size_t n = bounded_len(qs, c.l->max_query);
    if (n > c.l->max_query)
        return fail(&c, 414, 0, "too long");
    return parse_form(&c, qs, n);
}

int http_parse_urlencoded(struct arena *a, const char *body, size_t len,
                          const struct http_limits *l, struct http_fields *out,
                          const char **error_r)
{
    struct pctx c;
    pctx_init(&c, a, l, "form body", out, error_r);
    if (len > c.l->max_form)
        return fail(&c, 413, 0, "too large");
    return parse_form(&c, body, len);
}

/* --- cookies ---------------------------------------------------------- */

/* One "name=value" pair; a malformed or oversized one is skipped. */
static void cookie_pair(struct pctx *c, const char *s, size_t n)
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
    struct http_field *f = add_field(c);
    f->key = arena_strndup(c->a, name, name_len);
    f->value = arena_strndup(c->a, value, value_len);
    f->value_len = value_len;
}

int http_parse_cookies(struct arena *a, const char *header, const struct http_limits *l,
                       struct http_fields *out, const char **error_r)
{
    struct pctx c;
    pctx_init(&c, a, l, "cookie header", out, error_r);
    if (header == NULL)
        return 0;
    size_t n = bounded_len(header, c.l->max_cookie);
    if (n > c.l->max_cookie)
        return fail(&c, 400, 0, "too large");
    size_t pos = 0, seg_len;
    const char *seg;
    while (c.out->n < c.l->max_fields && next_segment(header, n, ';', &pos, &seg, &seg_len))
        cookie_pair(&c, seg, seg_len);
    return 0;
}

/* --- header parameters (Content-Type, Content-Disposition) ------------ */

/* A cursor over *( OWS ";" OWS name OWS "=" OWS value ). */
struct params {
    const char *p, *end;
};

struct param {
    const char *name, *value;  /* value unquoted (may be an arena copy) */
    size_t name_len, value_len;
};

static void skip_ows(struct params *it)
{
    it->p = span(it->p, it->end, is_ows);
}

/* A quoted-string at it->p (on the opening quote). Backslash escapes only
 * '"' and '\', so "C:\x\y" keeps its backslashes. 1, or 0 if unclosed. */
static int param_quoted(struct arena *a, struct params *it, struct param *pm)
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

/* The next parameter: 1 with *pm set, 0 at the end, -1 if malformed. */
static int param_next(struct arena *a, struct params *it, struct param *pm)
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

/* Splits a header value into its leading token (a media type "type/sub"
 * when slash is set, else a plain token) and a cursor on its parameters.
 * 1, or 0 if the token is empty or not followed by OWS, ';' or the end. */
static int header_token(const char *s, size_t n, int slash, const char **tok,
                        size_t *tok_len, struct params *rest)
{
    *tok = span(s, s + n, is_ows);
    rest->p = span(*tok, s + n, slash ? is_mtchar : is_tchar);
    rest->end = s + n;
    *tok_len = (size_t)(rest->p - *tok);
    skip_ows(rest);
    return *tok_len > 0 && (rest->p == rest->end || *rest->p == ';');
}

/* --- multipart: delimiters -------------------------------------------- */

struct mp {
    struct pctx *c;
    const char *body;
    size_t len;
    char delim[4 + BOUNDARY_MAX];  /* "\r\n--" boundary */
    size_t dlen;
};

enum tail { TAIL_NONE, TAIL_CLOSE, TAIL_NEXT };

/* What follows a "--boundary" that ends at p: "--" (close delimiter),
 * LWSP* CRLF (another part; *crlf set to the CR), or anything else (not
 * a delimiter). */
static enum tail mp_tail(const struct mp *m, size_t p, size_t *crlf)
{
    if (m->len - p >= 2 && m->body[p] == '-' && m->body[p + 1] == '-')
        return TAIL_CLOSE;
    while (p < m->len && is_ows((unsigned char)m->body[p]))
        p++;
    if (m->len - p >= 2 && m->body[p] == '\r' && m->body[p + 1] == '\n') {
        *crlf = p;
        return TAIL_NEXT;
    }
    return TAIL_NONE;
}

/* Offset of the first delimiter "\r\n--boundary" that starts in
 * [from, from + span] and has a proper tail, or SIZE_MAX. Lines that merely
 * begin with the boundary are data. Linear: the search only moves on. */
static size_t mp_find(const struct mp *m, size_t from, size_t span)
{
    size_t crlf;
    while (from < m->len) {
        size_t hay = m->len - from;
        if (span < hay && hay - span > m->dlen)
            hay = span + m->dlen;
        const char *hit = find(m->body + from, hay, m->delim, m->dlen);
        if (hit == NULL)
            return SIZE_MAX;
        size_t at = (size_t)(hit - m->body);
        if (mp_tail(m, at + m->dlen, &crlf) != TAIL_NONE)
            return at;
        if (at - from == span)
            return SIZE_MAX;
        span -= at + 1 - from;
        from = at + 1;
    }
    return SIZE_MAX;
}

/* Takes boundary= from the Content-Type into m->delim; 0 or a status. */
static int mp_boundary(struct mp *m, const char *ct)
{
    struct pctx *c = m->c;
    if (ct == NULL)
        return fail(c, 400, 0, "has no content type");
    size_t n = bounded_len(ct, CONTENT_TYPE_MAX);
    const char *type, *b = NULL;
    size_t type_len, b_len = 0;
    struct params it;
    struct param pm;
    int r;
    if (n > CONTENT_TYPE_MAX)
        return fail(c, 400, 0, "has a content type that is too long");
    if (!header_token(ct, n, 1, &type, &type_len, &it) ||
        !word_eq(type, type_len, "multipart/form-data"))
        return fail(c, 415, 0, "is not multipart/form-data");
    while ((r = param_next(c->a, &it, &pm)) > 0) {
        if (!word_eq(pm.name, pm.name_len, "boundary"))
            continue;
        if (b != NULL)
            return fail(c, 400, 0, "has two boundary parameters");
        b = pm.value;
        b_len = pm.value_len;
    }
    if (r < 0)
        return fail(c, 400, 0, "has a malformed content type");
    if (b == NULL)
        return fail(c, 400, 0, "has no boundary");
    if (b_len == 0 || b_len > BOUNDARY_MAX || b[b_len - 1] == ' ' || !all_bytes(b, b_len, is_bchar))
        return fail(c, 400, 0, "has an invalid boundary");
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, b, b_len);
    m->dlen = 4 + b_len;
    return 0;
}

/* --- multipart: part headers ------------------------------------------ */

struct slot {
    const char *s;
    size_t n;
    int set;
};

struct part {
    size_t idx;              /* 1-based, for messages */
    int disposition;         /* Content-Disposition seen */
    struct slot name, filename, filename_ext, ctype;
};

/* Stores a value in a slot; 0, or 400 if the slot was already set. */
static int slot_set(struct pctx *c, struct part *p, struct slot *sl,
                    const char *s, size_t n, const char *what)
{
    if (sl->set)
        return fail(c, 400, p->idx, arena_printf(c->a, "duplicate %s", what));
    sl->s = s;
    sl->n = n;
    sl->set = 1;
    return 0;
}

static const struct {
    const char *param;
    size_t off;
} disposition_params[] = {
    { "name", offsetof(struct part, name) },
    { "filename", offsetof(struct part, filename) },
    { "filename*", offsetof(struct part, filename_ext) },
};

static int mp_disposition(struct pctx *c, struct part *p, const char *v, size_t n)
{
    const char *tok;
    size_t tok_len;
    struct params it;
    struct param pm;
    int r, rc;
    if (p->disposition)
        return fail(c, 400, p->idx, "duplicate Content-Disposition");
    p->disposition = 1;
    if (!header_token(v, n, 0, &tok, &tok_len, &it) || !word_eq(tok, tok_len, "form-data"))
        return fail(c, 400, p->idx, "part is not form-data");
    while ((r = param_next(c->a, &it, &pm)) > 0) {
        for (size_t i = 0; i < sizeof(disposition_params) / sizeof(disposition_params[0]); i++) {
            if (!word_eq(pm.name, pm.name_len, disposition_params[i].param))
                continue;
            struct slot *sl = (struct slot *)((char *)p + disposition_params[i].off);
            if ((rc = slot_set(c, p, sl, pm.value, pm.value_len, disposition_params[i].param)) != 0)
                return rc;
        }
    }
    return r < 0 ? fail(c, 400, p->idx, "malformed Content-Disposition") : 0;
}

static int mp_ctype(struct pctx *c, struct part *p, const char *v, size_t n)
{
    if (n == 0 || !all_bytes(v, n, is_ctype_char))
        return fail(c, 400, p->idx, "bad part Content-Type");
    return slot_set(c, p, &p->ctype, v, n, "Content-Type");
}

static const struct {
    const char *name;
    int (*fn)(struct pctx *, struct part *, const char *, size_t);
} part_headers[] = {
    { "content-disposition", mp_disposition },
    { "content-type", mp_ctype },
};

/* One header line s[0..n) (without its CRLF). Unknown headers are ignored. */
static int mp_header_line(struct pctx *c, struct part *p, const char *s, size_t n)
{
    if (n > 0 && is_ows((unsigned char)s[0]))
        return fail(c, 400, p->idx, "folded part header");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F)
            return fail(c, 400, p->idx, "control character in part header");
    }
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon != NULL ? (size_t)(colon - s) : 0;
    if (name_len == 0 || !all_bytes(s, name_len, is_tchar))
        return fail(c, 400, p->idx, "malformed part header");
    const char *v = colon + 1;
    size_t vlen = n - name_len - 1;
    trim_ows(&v, &vlen);
    for (size_t i = 0; i < sizeof(part_headers) / sizeof(part_headers[0]); i++)
        if (word_eq(s, name_len, part_headers[i].name))
            return part_headers[i].fn(c, p, v, vlen);
    return 0;
}

/* The header block s[0..n), every line ending in CRLF. */
static int mp_headers(struct pctx *c, struct part *p, const char *s, size_t n)
{
    while (n > 0) {
        const char *eol = find(s, n, "\r\n", 2);
        size_t line = (size_t)(eol - s);
        int rc = mp_header_line(c, p, s, line);
        if (rc != 0)
            return rc;
        s = eol + 2;
        n -= line + 2;
    }
    if (!p->disposition)
        return fail(c, 400, p->idx, "part has no Content-Disposition");
    if (!p->name.set)
        return fail(c, 400, p->idx, "part has no name");
    return 0;
}

/* --- multipart: names and filenames ----------------------------------- */

/* RFC 5987 ext-value charset'lang'pct-encoded, UTF-8 only. */
static const char *ext_value(struct arena *a, const char *s, size_t n, char **out, size_t *out_len)
{
    const char *q1 = memchr(s, '\'', n);
    const char *q2 = q1 != NULL ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s)) : NULL;
    if (q2 == NULL)
        return "malformed filename*";
    if (!word_eq(s, (size_t)(q1 - s), "utf-8"))
        return "filename* charset is not UTF-8";
    const char *v = q2 + 1;
    size_t vlen = n - (size_t)(v - s);
    for (size_t i = 0; i < vlen; i++)
        if (v[i] != '%' && !is_attr_char((unsigned char)v[i]))
            return "malformed filename*";
    return pct_decode(a, v, vlen, 0, out, out_len);
}

/* Keeps what follows the last '/' or '\'. */
static void strip_path(const char **s, size_t *n)
{
    for (size_t i = *n; i > 0; i--) {
        if ((*s)[i - 1] == '/' || (*s)[i - 1] == '\\') {
            *s += i;
            *n -= i;
            return;
        }
    }
}

/* Resolves the part's filename (NULL when it has none) into f. */
static int mp_filename(struct pctx *c, struct part *p, struct http_field *f)
{
    const char *s = p->filename.s;
    size_t n = p->filename.n;
    if (p->filename_ext.set) {
        char *d;
        const char *why = ext_value(c->a, p->filename_ext.s, p->filename_ext.n, &d, &n);
        if (why != NULL)
            return fail(c, 400, p->idx, why);
        s = d;
    } else if (!p->filename.set) {
        return 0;
    }
    strip_path(&s, &n);
    if (utf8_check_text(s, n, 0) != TEXT_OK)
        return fail(c, 400, p->idx, "bad filename");
    f->filename = arena_strndup(c->a, s, n);
    return 0;
}

/* --- multipart: parts ------------------------------------------------- */

/* The header block after the delimiter line's CRLF at crlf: sets f's key,
 * filename and content type, and *body to where the content starts. */
static int mp_head(struct mp *m, size_t idx, size_t crlf, struct http_field *f, size_t *body)
{
    struct pctx *c = m->c;
    struct part p = { .idx = idx };
    size_t max = c->l->max_part_headers, hay = m->len - crlf;
    int rc;
    if (max < hay && hay - max > 4)
        hay = max + 4;  /* the block may be max bytes, then CRLFCRLF */
    const char *end = find(m->body + crlf, hay, "\r\n\r\n", 4);
    if (end == NULL)
        return hay < m->len - crlf ? fail(c, 413, idx, "part headers too large")
                                   : fail(c, 400, 0, "truncated");
    *body = (size_t)(end - m->body) + 4;
    if ((rc = mp_headers(c, &p, m->body + crlf + 2, *body - 2 - (crlf + 2))) != 0 ||
        (rc = check_name(c, idx, p.name.s, p.name.n)) != 0 ||
        (rc = mp_filename(c, &p, f)) != 0)
        return rc;
    f->key = arena_strndup(c->a, p.name.s, p.name.n);
    f->content_type = p.ctype.set ? arena_strndup(c->a, p.ctype.s, p.ctype.n)
                      : f->filename != NULL ? "application/octet-stream" : "text/plain";
    return 0;
}

/* The part whose delimiter line ends with the CRLF at *pos; on success
 * *pos is just past the "--boundary" that ends it. */
static int mp_part(struct mp *m, size_t *pos)
{
    struct pctx *c = m->c;
    size_t idx = c->out->n + 1, body = 0, at;
    struct http_field f = { 0 };
    int rc;
    if (c->out->n >= c->l->max_fields)
        return fail(c, 413, 0, "has too many fields");
    if ((rc = mp_head(m, idx, *pos, &f, &body)) != 0)
        return rc;
    int file = f.filename != NULL;
    size_t limit = file ? c->l->max_file : c->l->max_value;
    if ((at = mp_find(m, body, limit)) == SIZE_MAX)
        return m->len - body > limit ? fail(c, 413, idx, file ? "file too large" : "value too long")
                                     : fail(c, 400, 0, "truncated");
    if (!file && (rc = check_value(c, idx, m->body + body, at - body)) != 0)
        return rc;
    f.value = arena_strndup(c->a, m->body + body, at - body);
    f.value_len = at - body;
    *add_field(c) = f;
    *pos = at + m->dlen;
    return 0;
}

static int mp_parse(struct mp *m)
{
    size_t pos, crlf = 0;
    size_t first = m->dlen - 2;  /* "--boundary" without the CRLF */
    if (m->len >= first && memcmp(m->body, m->delim + 2, first) == 0 &&
        mp_tail(m, first, &crlf) != TAIL_NONE) {
        pos = first;
    } else {
        size_t at = mp_find(m, 0, SIZE_MAX);
        if (at == SIZE_MAX)
            return fail(m->c, 400, 0, "has no boundary delimiter");
        pos = at + m->dlen;
    }
    for (;;) {
        enum tail t = mp_tail(m, pos, &crlf);
        if (t == TAIL_CLOSE)
            return 0;
        if (t == TAIL_NONE)
            return fail(m->c, 400, 0, "truncated");
        pos = crlf;
        int rc = mp_part(m, &pos);
        if (rc != 0)
            return rc;
    }
}

int http_parse_multipart(struct arena *a, const char *content_type, const char *body,
                         size_t len, const struct http_limits *l,
                         struct http_fields *out, const char **error_r)
{
    struct pctx c;
    struct mp m = { .c = &c, .body = body, .len = len };
    pctx_init(&c, a, l, "multipart body", out, error_r);
    if (len > c.l->max_body)
        return fail(&c, 413, 0, "too large");
    int rc = mp_boundary(&m, content_type);
    return rc != 0 ? rc : mp_parse(&m);
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
    struct pctx c;
    const char *type;
    size_t type_len;
    struct params rest;
    pctx_init(&c, a, l, "request body", out, error_r);
    if (content_type == NULL || content_type[0] == '\0')
        return len == 0 ? 0 : fail(&c, 415, 0, "has no content type");
    size_t n = bounded_len(content_type, CONTENT_TYPE_MAX);
    if (n <= CONTENT_TYPE_MAX && header_token(content_type, n, 1, &type, &type_len, &rest))
        for (size_t i = 0; i < sizeof(body_types) / sizeof(body_types[0]); i++)
            if (word_eq(type, type_len, body_types[i].media_type))
                return body_types[i].parse(a, content_type, body, len, l, out, error_r);
    return fail(&c, 415, 0, "has an unsupported content type");
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
