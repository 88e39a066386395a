/* http.h — bounded parsing of request inputs: query string, urlencoded
 * and multipart/form-data bodies, the Cookie header.
 *
 * Pure functions over bytes: no FastCGI, no environment, no responses. The
 * caller (cgi/main.c) reads QUERY_STRING, HTTP_COOKIE, CONTENT_TYPE and the
 * body (after checking CONTENT_LENGTH) and hands them here.
 *
 * Everything returned lives in the request arena a. Every parser:
 *   - returns 0 on success, or an HTTP status (400, 413, 414, 415) with
 *     *error_r (if error_r is not NULL) set to a sentence naming the source,
 *     the field number (1-based) where there is one, and the problem, e.g.
 *     "query string: field 3: bad percent-escape". Sentences never quote
 *     the input (it may hold a password).
 *   - sets *out to the fields in input order on success, and to no fields
 *     (v NULL, n 0) on failure: a request is taken whole or not at all.
 *   - accepts l == NULL to mean http_limits_default().
 * Duplicate names are kept; the binding layer decides if one may repeat.
 * Nothing recurses; allocations are bounded by the limits.
 */
#ifndef POSTERN_HTTP_H
#define POSTERN_HTTP_H

#include <stddef.h>

struct arena;

struct http_limits {
    size_t max_fields;       /* fields per source (query, body, cookies); default 200 */
    size_t max_key;          /* bytes per decoded key; default 128 */
    size_t max_value;        /* bytes per decoded text value; default 64 KiB */
    size_t max_query;        /* raw QUERY_STRING bytes; default 8 KiB */
    size_t max_cookie;       /* raw Cookie header bytes; default 8 KiB */
    size_t max_form;         /* urlencoded body bytes; default 1 MiB */
    size_t max_body;         /* multipart body bytes; default 30 MiB */
    size_t max_file;         /* bytes per multipart file part; default 25 MiB */
    size_t max_part_headers; /* bytes of one part's header block; default 8 KiB */
    int replace_nul;         /* 0 (default): a NUL in a text value is refused (400).
                              * 1: in body text values (urlencoded %00 or a raw NUL,
                              * multipart text parts) each NUL becomes U+FFFD and the
                              * field has nul_replaced set; for a route whose page
                              * tells the person (compose). Keys, filenames, the
                              * query string and cookies still refuse NUL. */
};

/* Fills *l with the defaults above. */
void http_limits_default(struct http_limits *l);

struct http_field {
    const char *key;          /* decoded, NUL-terminated, valid UTF-8, no control chars, not empty */
    const char *value;        /* text values: decoded, NUL-terminated, in the arena.
                               * File parts (filename set): a view into the body
                               * passed to http_parse_multipart (no copy, NOT
                               * NUL-terminated), valid as long as the body is */
    size_t value_len;         /* file parts may hold NULs: use this */
    int nul_replaced;         /* replace_nul: NULs in this value became U+FFFD */
    const char *filename;     /* multipart parts with filename= or filename*= (UTF-8
                               * checked, no controls, path stripped to its last
                               * component; may be "" for an empty file input), else NULL */
    const char *content_type; /* multipart parts' Content-Type as sent (default "text/plain"
                               * for non-file parts, "application/octet-stream" for files), else NULL */
};

struct http_fields {
    struct http_field *v;
    size_t n;
};

/* QUERY_STRING (NUL-terminated; NULL means none). '&'-separated key[=value]
 * pairs, '+' is a space, %XX decoded. Empty segments ("a&&b", trailing '&')
 * are skipped; a key without '=' has value "". Keys: not empty, at most
 * max_key decoded bytes, valid UTF-8, no control characters. Values: at most
 * max_value bytes, valid UTF-8, no control characters but TAB, CR, LF.
 * 400: bad escape (bare '%', "%4", "%zz"), %00, bad UTF-8, control
 * character, empty key. 413: over max_fields, key or value too long.
 * 414: more than max_query raw bytes. */
int http_parse_query(struct arena *a, const char *qs, const struct http_limits *l,
                     struct http_fields *out, const char **error_r);

/* An application/x-www-form-urlencoded body body[0..len) (need not be
 * NUL-terminated). Same rules as http_parse_query(), but over max_form
 * bytes is 413. */
int http_parse_urlencoded(struct arena *a, const char *body, size_t len,
                          const struct http_limits *l, struct http_fields *out,
                          const char **error_r);

/* The Cookie header (NUL-terminated; NULL means none): RFC 6265
 * "name=value; name2=value2", optional whitespace around names and values
 * tolerated. Names are RFC 7230 tokens of at most max_key bytes; values are
 * cookie-octets of at most max_value bytes, with surrounding double quotes
 * removed. No percent-decoding, no '+' handling. Lenient, because other
 * applications on the host share the header: a malformed pair is skipped,
 * and pairs beyond max_fields are ignored. 400 only when the header is
 * longer than max_cookie ("cookie header too large"). */
int http_parse_cookies(struct arena *a, const char *header, const struct http_limits *l,
                       struct http_fields *out, const char **error_r);

/* A multipart/form-data body (RFC 7578) body[0..len), with content_type
 * the request's Content-Type carrying boundary= (token or quoted, 1..70
 * RFC 2046 bchars). Preamble and epilogue are ignored; each part needs
 * "Content-Disposition: form-data; name=..." and may have filename= (taken
 * as sent, backslash only escaping '"' and '\') or filename*=UTF-8''...
 * (RFC 5987, preferred over filename=), and Content-Type. Header folding is
 * refused; other part headers are ignored. Text parts (no filename) follow
 * the value rules of http_parse_query() (NUL: see replace_nul) and are
 * copied; file parts are binary and returned as views into body, which
 * must outlive the fields.
 * 400: missing/invalid boundary, no delimiter, no close delimiter
 * ("multipart body truncated"), malformed part header, bad name/filename.
 * 413: body over max_body, a part header block over max_part_headers, a
 * text part over max_value, a file part over max_file (or more data than
 * that limit with no delimiter after it), over max_fields.
 * 415: content_type is not multipart/form-data.
 * Time is linear in len (times the boundary length, at worst). */
int http_parse_multipart(struct arena *a, const char *content_type, const char *body,
                         size_t len, const struct http_limits *l,
                         struct http_fields *out, const char **error_r);

/* Dispatches on content_type's media type (ASCII case-insensitive,
 * parameters allowed): application/x-www-form-urlencoded -> urlencoded,
 * multipart/form-data -> multipart; NULL or "" content type with an empty
 * body -> 0 fields; anything else -> 415. */
int http_parse_body(struct arena *a, const char *content_type, const char *body,
                    size_t len, const struct http_limits *l,
                    struct http_fields *out, const char **error_r);

/* How many fields in f are named key (f may be NULL: 0). */
size_t http_fields_count(const struct http_fields *f, const char *key);

/* The first field in f named key, or NULL if none (or f is NULL). */
const struct http_field *http_fields_get(const struct http_fields *f, const char *key);

#endif
