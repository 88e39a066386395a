/* rfc7578.c — see rfc7578.h.
 *
 * A delimiter is "\r\n--boundary" followed by "--" (the close delimiter)
 * or by optional whitespace and CRLF (another part); the first one may
 * start the body without its CRLF. Searches only move forward, and those
 * for a part's headers and content stop at the part's limits, so the parse
 * is linear in the body (times the boundary length) and an oversized part
 * is refused without scanning the rest.
 */
#include "rfc7578.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "http_private.h"
#include "validate.h"

#define BOUNDARY_MAX 70  /* RFC 2046 */

/* --- bytes ----------------------------------------------------------- */

/* RFC 5987 attr-char; RFC 2046 bchars (space allowed, but not last); a
 * part Content-Type. */
static int is_attr_char(unsigned char c) { return in_class(c, "!#$&+-.^_`|~"); }
static int is_bchar(unsigned char c) { return in_class(c, "'()+_,-./:=? "); }
static int is_ctype_char(unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }

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

/* --- delimiters ------------------------------------------------------ */

struct mp {
    struct http_pctx *c;
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
    struct http_pctx *c = m->c;
    if (ct == NULL)
        return http_fail(c, 400, 0, "has no content type");
    size_t n = bounded_len(ct, HTTP_CONTENT_TYPE_MAX);
    const char *type, *b = NULL;
    size_t type_len, b_len = 0;
    struct http_params it;
    struct http_param pm;
    int r;
    if (n > HTTP_CONTENT_TYPE_MAX)
        return http_fail(c, 400, 0, "has a content type that is too long");
    if (!http_header_token(ct, n, 1, &type, &type_len, &it) ||
        !word_eq(type, type_len, "multipart/form-data"))
        return http_fail(c, 415, 0, "is not multipart/form-data");
    while ((r = http_param_next(c->a, &it, &pm)) > 0) {
        if (!word_eq(pm.name, pm.name_len, "boundary"))
            continue;
        if (b != NULL)
            return http_fail(c, 400, 0, "has two boundary parameters");
        b = pm.value;
        b_len = pm.value_len;
    }
    if (r < 0)
        return http_fail(c, 400, 0, "has a malformed content type");
    if (b == NULL)
        return http_fail(c, 400, 0, "has no boundary");
    if (b_len == 0 || b_len > BOUNDARY_MAX || b[b_len - 1] == ' ' || !all_bytes(b, b_len, is_bchar))
        return http_fail(c, 400, 0, "has an invalid boundary");
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, b, b_len);
    m->dlen = 4 + b_len;
    return 0;
}

/* --- part headers ---------------------------------------------------- */

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
static int slot_set(struct http_pctx *c, struct part *p, struct slot *sl,
                    const char *s, size_t n, const char *what)
{
    if (sl->set)
        return http_fail(c, 400, p->idx, arena_printf(c->a, "duplicate %s", what));
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

static int mp_disposition(struct http_pctx *c, struct part *p, const char *v, size_t n)
{
    const char *tok;
    size_t tok_len;
    struct http_params it;
    struct http_param pm;
    int r, rc;
    if (p->disposition)
        return http_fail(c, 400, p->idx, "duplicate Content-Disposition");
    p->disposition = 1;
    if (!http_header_token(v, n, 0, &tok, &tok_len, &it) || !word_eq(tok, tok_len, "form-data"))
        return http_fail(c, 400, p->idx, "part is not form-data");
    while ((r = http_param_next(c->a, &it, &pm)) > 0) {
        for (size_t i = 0; i < sizeof(disposition_params) / sizeof(disposition_params[0]); i++) {
            if (!word_eq(pm.name, pm.name_len, disposition_params[i].param))
                continue;
            struct slot *sl = (struct slot *)((char *)p + disposition_params[i].off);
            if ((rc = slot_set(c, p, sl, pm.value, pm.value_len, disposition_params[i].param)) != 0)
                return rc;
        }
    }
    return r < 0 ? http_fail(c, 400, p->idx, "malformed Content-Disposition") : 0;
}

static int mp_ctype(struct http_pctx *c, struct part *p, const char *v, size_t n)
{
    if (n == 0 || !all_bytes(v, n, is_ctype_char))
        return http_fail(c, 400, p->idx, "bad part Content-Type");
    return slot_set(c, p, &p->ctype, v, n, "Content-Type");
}

static const struct {
    const char *name;
    int (*fn)(struct http_pctx *, struct part *, const char *, size_t);
} part_headers[] = {
    { "content-disposition", mp_disposition },
    { "content-type", mp_ctype },
};

/* One header line s[0..n) (without its CRLF). Unknown headers are ignored. */
static int mp_header_line(struct http_pctx *c, struct part *p, const char *s, size_t n)
{
    if (n > 0 && is_ows((unsigned char)s[0]))
        return http_fail(c, 400, p->idx, "folded part header");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F)
            return http_fail(c, 400, p->idx, "control character in part header");
    }
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon != NULL ? (size_t)(colon - s) : 0;
    if (name_len == 0 || !all_bytes(s, name_len, is_tchar))
        return http_fail(c, 400, p->idx, "malformed part header");
    const char *v = colon + 1;
    size_t vlen = n - name_len - 1;
    trim_ows(&v, &vlen);
    for (size_t i = 0; i < sizeof(part_headers) / sizeof(part_headers[0]); i++)
        if (word_eq(s, name_len, part_headers[i].name))
            return part_headers[i].fn(c, p, v, vlen);
    return 0;
}

/* The header block s[0..n), every line ending in CRLF. */
static int mp_headers(struct http_pctx *c, struct part *p, const char *s, size_t n)
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
        return http_fail(c, 400, p->idx, "part has no Content-Disposition");
    if (!p->name.set)
        return http_fail(c, 400, p->idx, "part has no name");
    return 0;
}

/* --- names and filenames --------------------------------------------- */

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
    return http_pct_decode(a, v, vlen, 0, out, out_len);
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
static int mp_filename(struct http_pctx *c, struct part *p, struct http_field *f)
{
    const char *s = p->filename.s;
    size_t n = p->filename.n;
    if (p->filename_ext.set) {
        char *d;
        const char *why = ext_value(c->a, p->filename_ext.s, p->filename_ext.n, &d, &n);
        if (why != NULL)
            return http_fail(c, 400, p->idx, why);
        s = d;
    } else if (!p->filename.set) {
        return 0;
    }
    strip_path(&s, &n);
    if (utf8_check_text(s, n, 0) != TEXT_OK)
        return http_fail(c, 400, p->idx, "bad filename");
    f->filename = arena_strndup(c->a, s, n);
    return 0;
}

/* --- parts and the body ---------------------------------------------- */

/* The header block after the delimiter line's CRLF at crlf: sets f's key,
 * filename and content type, and *body to where the content starts. */
static int mp_head(struct mp *m, size_t idx, size_t crlf, struct http_field *f, size_t *body)
{
    struct http_pctx *c = m->c;
    struct part p = { .idx = idx };
    size_t max = c->l->max_part_headers, hay = m->len - crlf;
    int rc;
    if (max < hay && hay - max > 4)
        hay = max + 4;  /* the block may be max bytes, then CRLFCRLF */
    const char *end = find(m->body + crlf, hay, "\r\n\r\n", 4);
    if (end == NULL)
        return hay < m->len - crlf ? http_fail(c, 413, idx, "part headers too large")
                                   : http_fail(c, 400, 0, "truncated");
    *body = (size_t)(end - m->body) + 4;
    if ((rc = mp_headers(c, &p, m->body + crlf + 2, *body - 2 - (crlf + 2))) != 0 ||
        (rc = http_check_name(c, idx, p.name.s, p.name.n)) != 0 ||
        (rc = mp_filename(c, &p, f)) != 0)
        return rc;
    f->key = arena_strndup(c->a, p.name.s, p.name.n);
    f->content_type = p.ctype.set ? arena_strndup(c->a, p.ctype.s, p.ctype.n)
                      : f->filename != NULL ? "application/octet-stream" : "text/plain";
    return 0;
}

/* A text part's content s[0..n) checked and copied (NUL-terminated) into
 * f; with replace_nul, NUL bytes become U+FFFD first (f->nul_replaced). */
static int mp_text_value(struct http_pctx *c, size_t idx, const char *s, size_t n,
                         struct http_field *f)
{
    if (c->replace_nul && memchr(s, '\0', n) != NULL) {
        size_t len;
        f->value = http_nul_to_fffd(c->a, s, n, &len);
        f->value_len = len;
        f->nul_replaced = 1;
    } else {
        f->value = arena_strndup(c->a, s, n);
        f->value_len = n;
    }
    return http_check_value(c, idx, f->value, f->value_len);
}

/* The part whose delimiter line ends with the CRLF at *pos; on success
 * *pos is just past the "--boundary" that ends it. */
static int mp_part(struct mp *m, size_t *pos)
{
    struct http_pctx *c = m->c;
    size_t idx = c->out->n + 1, body = 0, at;
    struct http_field f = { 0 };
    int rc;
    if (c->out->n >= c->l->max_fields)
        return http_fail(c, 413, 0, "has too many fields");
    if ((rc = mp_head(m, idx, *pos, &f, &body)) != 0)
        return rc;
    int file = f.filename != NULL;
    size_t limit = file ? c->l->max_file : c->l->max_value;
    if ((at = mp_find(m, body, limit)) == SIZE_MAX)
        return m->len - body > limit
                   ? http_fail(c, 413, idx, file ? "file too large" : "value too long")
                   : http_fail(c, 400, 0, "truncated");
    if (file) {
        f.value = m->body + body;   /* a view into the body: files are never copied */
        f.value_len = at - body;
    } else if ((rc = mp_text_value(c, idx, m->body + body, at - body, &f)) != 0) {
        return rc;
    }
    *http_add_field(c) = f;
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
            return http_fail(m->c, 400, 0, "has no boundary delimiter");
        pos = at + m->dlen;
    }
    for (;;) {
        enum tail t = mp_tail(m, pos, &crlf);
        if (t == TAIL_CLOSE)
            return 0;
        if (t == TAIL_NONE)
            return http_fail(m->c, 400, 0, "truncated");
        pos = crlf;
        int rc = mp_part(m, &pos);
        if (rc != 0)
            return rc;
    }
}

int rfc7578_parse(struct http_pctx *c, const char *content_type, const char *body,
                  size_t len)
{
    struct mp m = { .c = c, .body = body, .len = len };
    int rc = mp_boundary(&m, content_type);
    return rc != 0 ? rc : mp_parse(&m);
}
