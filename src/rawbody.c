/* rawbody.c — see rawbody.h. */
#include "rawbody.h"

#include <string.h>
#include <strings.h>

bool media_type_is(const char *content_type, const char *type)
{
    if (content_type == NULL)
        return false;
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(type);
    if (strncasecmp(p, type, n) != 0)
        return false;
    p += n;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0' || *p == ';';
}

enum raw_verdict raw_body_verdict(const struct raw_body *rb, const char *content_type, size_t len)
{
    if (len == 0)
        return RAW_OK;
    if (len > rb->max)
        return RAW_TOO_LARGE;
    for (size_t i = 0; i < RAW_TYPES_MAX && rb->types[i] != NULL; i++)
        if (media_type_is(content_type, rb->types[i]))
            return RAW_OK;
    return RAW_WRONG_TYPE;
}
