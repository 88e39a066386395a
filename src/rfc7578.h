/* rfc7578.h — multipart/form-data bodies (RFC 7578, with RFC 2046
 * delimiters and RFC 5987 filename*=).
 *
 * Internal to the request-input parsers: pages call http_parse_multipart()
 * (http.h), which sets up the parse context and checks max_body, then
 * calls here. The grammar, limits and statuses are those documented at
 * http_parse_multipart().
 */
#ifndef POSTERN_RFC7578_H
#define POSTERN_RFC7578_H

#include <stddef.h>

struct http_pctx;

/* Parses body[0..len) as multipart/form-data with the boundary= of
 * content_type (NULL is refused), appending one field per part to c->out.
 * Requires c fresh from http.c (no fields yet) and len <= c->l->max_body.
 * Returns 0, or an HTTP status (400, 413, 415) after http_fail(), which
 * leaves no fields. Keys, text values, filenames and content types are
 * copied into c's arena (Content-Type defaults are static strings); file
 * parts' values are views into body (not copied, not NUL-terminated). Linear in
 * len, times the boundary length at worst. */
int rfc7578_parse(struct http_pctx *c, const char *content_type, const char *body,
                  size_t len);

#endif
