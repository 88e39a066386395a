/* rawbody.h — the rule for routes that take their POST body as it is (an
 * XML document, not a form): which media types they accept and how large
 * a body they read. Pure functions; the worker (cgi/worker.c) applies
 * them and the page sees the verdict.
 */
#ifndef POSTERN_RAWBODY_H
#define POSTERN_RAWBODY_H

#include <stdbool.h>
#include <stddef.h>

#define RAW_TYPES_MAX 4

/* What a route accepts: media types (ended by NULL; ASCII
 * case-insensitive; parameters such as charset are ignored) and the
 * largest body it reads. */
struct raw_body {
    const char *types[RAW_TYPES_MAX + 1];
    size_t max;
};

enum raw_verdict {
    RAW_OK,            /* read the body and hand it to the page */
    RAW_TOO_LARGE,     /* over max: read and drop it (status 413 for the page) */
    RAW_WRONG_TYPE,    /* no or another media type: drop it (status 415) */
};

/* The verdict for a request with Content-Type content_type (NULL: none)
 * and Content-Length len. An empty body (len 0) is RAW_OK whatever its
 * type. The size is judged before the type. */
enum raw_verdict raw_body_verdict(const struct raw_body *rb, const char *content_type, size_t len);

/* Whether content_type's media type is type: "Text/XML; charset=utf-8"
 * is "text/xml". White space around the type is allowed. */
bool media_type_is(const char *content_type, const char *type);

#endif
