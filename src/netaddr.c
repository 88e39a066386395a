/* netaddr.c — see netaddr.h. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ip_parse(const char *s, struct cidr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = 32;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->addr) == 1) {
        if (memcmp(out->addr, v4mapped, 12) == 0) {
            memmove(out->addr, out->addr + 12, 4);
            memset(out->addr + 4, 0, 12);
            out->family = AF_INET;
            out->prefix = 32;
            return 0;
        }
        out->family = AF_INET6;
        out->prefix = 128;
        return 0;
    }
    return -1;
}

static int host_bits_clear(const struct cidr *c)
{
    int bytes = c->family == AF_INET ? 4 : 16;
    for (int i = 0; i < bytes; i++) {
        int keep = c->prefix - i * 8;
        unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
        if (c->addr[i] & (unsigned char)~mask)
            return 0;
    }
    return 1;
}

int cidr_parse(const char *s, struct cidr *out, const char **error_r)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (alen == 0 || alen >= sizeof(addr)) {
        *error_r = "not an IP address";
        return -1;
    }
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (strchr(addr, ':') == NULL && inet_pton(AF_INET, addr, out->addr) != 1) {
        *error_r = "not an IP address";
        return -1;
    }
    if (ip_parse(addr, out) < 0) {
        *error_r = "not an IP address";
        return -1;
    }
    if (slash == NULL)
        return 0;
    const char *p = slash + 1;
    int max = out->family == AF_INET ? 32 : 128;
    if (*p < '0' || *p > '9' || strlen(p) > 3) {
        *error_r = "bad prefix length";
        return -1;
    }
    char *end;
    long n = strtol(p, &end, 10);
    if (*end != '\0' || n < 0 || n > max) {
        *error_r = "bad prefix length";
        return -1;
    }
    out->prefix = (int)n;
    if (!host_bits_clear(out)) {
        *error_r = "address has bits set beyond the prefix length";
        return -1;
    }
    return 0;
}

int cidr_list_parse(const char *s, struct cidr_list *out, char *errbuf,
                    size_t errlen)
{
    out->n = 0;
    const char *p = s;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        char item[80];
        const char *why = NULL;
        if (len == 0)
            why = "empty item";
        else if (len >= sizeof(item))
            why = "item too long";
        else if (out->n == CIDR_LIST_MAX)
            why = "too many items";
        if (why == NULL) {
            memcpy(item, p, len);
            item[len] = '\0';
            if (cidr_parse(item, &out->v[out->n], &why) == 0) {
                out->n++;
                why = NULL;
            }
        }
        if (why != NULL) {
            snprintf(errbuf, errlen, "\"%.*s\": %s", (int)(len > 60 ? 60 : len), p, why);
            return -1;
        }
        if (end == NULL)
            break;
        p = end + 1;
        if (*p == '\0') {
            snprintf(errbuf, errlen, "trailing comma");
            return -1;
        }
    }
    return 0;
}

int cidr_contains(const struct cidr *c, const struct cidr *a)
{
    if (c->family != a->family)
        return 0;
    int full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, a->addr, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (c->addr[full] & mask) == (a->addr[full] & mask);
}

int cidr_list_match(const struct cidr_list *list, const char *ip)
{
    struct cidr a;
    if (ip == NULL || ip_parse(ip, &a) < 0)
        return 0;
    for (size_t i = 0; i < list->n; i++)
        if (cidr_contains(&list->v[i], &a))
            return 1;
    return 0;
}
