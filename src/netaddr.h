/* netaddr.h — IP addresses and CIDR prefixes (IPv4 and IPv6).
 *
 * Used to decide whether a client is "internal" and whether the peer that
 * sent X-Forwarded-For is a trusted proxy. IPv4-mapped IPv6 addresses
 * (::ffff:10.1.2.3) match IPv4 prefixes.
 */
#ifndef POSTERN_NETADDR_H
#define POSTERN_NETADDR_H

#include <stddef.h>

struct cidr {
    int family;               /* AF_INET or AF_INET6 */
    unsigned char addr[16];   /* network byte order; 4 bytes used for AF_INET */
    int prefix;               /* 0..32 or 0..128 */
};

#define CIDR_LIST_MAX 64

struct cidr_list {
    struct cidr v[CIDR_LIST_MAX];
    size_t n;
};

/* Parses "ADDR" or "ADDR/PREFIX" (surrounding spaces not allowed).
 * Returns 0, or -1 with *error_r set to a static reason. Host bits set
 * below the prefix are refused ("10.1.2.3/8" is a mistake, not a network). */
int cidr_parse(const char *s, struct cidr *out, const char **error_r);

/* Parses a comma-separated list into out (replacing its contents); spaces
 * around items are allowed; an empty string is an empty list.
 * Returns 0, or -1 with *error_r set (static or into errbuf). */
int cidr_list_parse(const char *s, struct cidr_list *out, char *errbuf,
                    size_t errlen);

/* Parses a bare IP address (no prefix) into out with a full-length prefix.
 * Returns 0 or -1. */
int ip_parse(const char *s, struct cidr *out);

/* 1 if the address a (a full-length cidr from ip_parse) is inside c. */
int cidr_contains(const struct cidr *c, const struct cidr *a);

/* 1 if the address string ip parses and is inside any prefix of list. */
int cidr_list_match(const struct cidr_list *list, const char *ip);

#endif
