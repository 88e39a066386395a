/* http_private.h — what http.c lends rfc7578.c: the parse context with its
 * error sentence and field vector, the name and value checks, percent-
 * decoding, header parameters and a few byte classes.
 *
 * Internal to the request-input parsers; pages include http.h only. All
 * memory comes from the context's arena (the request arena): nothing here
 * is freed by the caller.
 */
#ifndef POSTERN_HTTP_PRIVATE_H
#define POSTERN_HTTP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http.h"

#define HTTP_CONTENT_TYPE_MAX 1024  /* bytes of a Content-Type we look at */

/* One parse of one source (query string, body, Cookie header), set up by
 * the http_parse_* entry point in http.c. */
struct http_pctx {
    struct arena *a;
    const struct http_limits *l;  /* never NULL */
    const char *src;        /* "query string", "form body", ... */
    const char **error_r;
    struct http_fields *out;
    size_t cap;             /* allocated slots in out->v */
    int replace_nul;        /* a body source with l->replace_nul: NUL in text
                             * values becomes U+FFFD (see http_limits) */
};

/* Empties c->out, sets *c->error_r (if not NULL) to "<src>: field <n>:
 * <why>", or "<src> <why>" when field is 0, and returns status. why is
 * copied into the sentence. */
int http_fail(struct http_pctx *c, int status, size_t field, const char *why);

/* A new zeroed field at the end of c->out, or NULL at max_fields. The
 * vector doubles, so the arena holds at most twice the final size. */
struct http_field *http_add_field(struct http_pctx *c);

/* Checks the decoded name of field idx (1-based): not empty, at most
 * max_key bytes, valid UTF-8, no control characters. 0, or 400/413 after
 * http_fail(). */
int http_check_name(struct http_pctx *c, size_t idx, const char *s, size_t n);

/* Checks the decoded text value of field idx: at most max_value bytes,
 * valid UTF-8, no control characters but TAB, CR, LF. 0, or 400/413 after
 * http_fail(). */
int http_check_value(struct http_pctx *c, size_t idx, const char *s, size_t n);

/* Percent-decodes s[0..n) (with '+' as a space when flags has
 * HTTP_PCT_PLUS) into a new NUL-terminated string in a: NULL with *out,
 * *out_len set, or a static reason ("bad percent-escape", "NUL byte
 * (%00)"; with HTTP_PCT_KEEP_NUL, %00 is decoded to a NUL byte). */
#define HTTP_PCT_PLUS     0x1
#define HTTP_PCT_KEEP_NUL 0x2
const char *http_pct_decode(struct arena *a, const char *s, size_t n, int flags,
                            char **out, size_t *out_len);

/* s[0..n) copied into a with every NUL byte replaced by U+FFFD (EF BF BD)
 * and a terminating NUL; *out_len the new length. */
char *http_nul_to_fffd(struct arena *a, const char *s, size_t n, size_t *out_len);

/* A cursor over a header's *( OWS ";" OWS name OWS "=" OWS value ). */
struct http_params {
    const char *p, *end;
};

struct http_param {
    const char *name, *value;  /* value unquoted (may be an arena copy) */
    size_t name_len, value_len;
};

/* Splits a header value s[0..n) into its leading token (a media type
 * "type/sub" when slash is set, else a plain token), pointing into s, and
 * a cursor on its parameters. 1, or 0 if the token is empty or not
 * followed by OWS, ';' or the end. */
int http_header_token(const char *s, size_t n, int slash, const char **tok,
                      size_t *tok_len, struct http_params *rest);

/* The next parameter of it: 1 with *pm set, 0 at the end, -1 if
 * malformed. A quoted value is copied into a, backslash escaping only '"'
 * and '\' (so "C:\x\y" keeps its backslashes); a token value points into
 * the header. */
int http_param_next(struct arena *a, struct http_params *it, struct http_param *pm);

/* ASCII letters, digits, and the bytes in extra. */
static inline int in_class(unsigned char c, const char *extra)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c != 0 && strchr(extra, c) != NULL);
}

/* RFC 7230 tchar; optional whitespace. */
static inline int is_tchar(unsigned char c) { return in_class(c, "!#$%&'*+-.^_`|~"); }
static inline int is_ows(unsigned char c) { return c == ' ' || c == '\t'; }

/* The first byte in [p, end) that is not ok(), or end. */
static inline const char *span(const char *p, const char *end, int (*ok)(unsigned char))
{
    while (p < end && ok((unsigned char)*p))
        p++;
    return p;
}

static inline int all_bytes(const char *s, size_t n, int (*ok)(unsigned char))
{
    return span(s, s + n, ok) == s + n;
}

static inline void trim_ows(const char **s, size_t *n)
{
    const char *p = span(*s, *s + *n, is_ows);
    *n -= (size_t)(p - *s);
    *s = p;
    while (*n > 0 && is_ows((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* 1 if s[0..n) equals the lower-case word w, ASCII case-insensitively. */
static inline int word_eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* strnlen bounded by max + 1, so that "longer than max" shows. */
static inline size_t bounded_len(const char *s, size_t max)
{
    return strnlen(s, max < SIZE_MAX ? max + 1 : max);
}

#endif
