/* rfc6186.c — see rfc6186.h. */
#include "rfc6186.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "settings.h"

/* The SRV services, in print order. */
static const struct { const char *name; enum proto proto; bool implicit; } services[] = {
    {"_imaps._tcp", PROTO_IMAP, true},
    {"_imap._tcp", PROTO_IMAP, false},
    {"_pop3s._tcp", PROTO_POP3, true},
    {"_pop3._tcp", PROTO_POP3, false},
    {"_submissions._tcp", PROTO_SMTP, true},
    {"_submission._tcp", PROTO_SMTP, false},
};

/* LDH labels of 1..63, at least two, at most 253 bytes, no trailing dot. */
static bool dns_name(const char *d)
{
    size_t n = strlen(d), label = 0, labels = 1;
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            if (label == 0 || d[i - 1] == '-')
                return false;
            label = 0;
            labels++;
        } else if (isalnum(c) || (c == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && d[n - 1] != '-' && labels >= 2;
}

static void record(struct buf *out, const char *owner, const char *domain, const char *rest)
{
    int w = (int)(strlen(owner) + strlen(domain) + 2);
    buf_printf(out, "%s.%s.%*s 3600 IN %s\n", owner, domain, w < 34 ? 34 - w : 0, "", rest);
}

/* Priority of ep among the incoming (IMAP4 then POP3) or SMTP endpoints. */
static unsigned priority(const struct settings_view *v, enum proto p, size_t index)
{
    unsigned base = 0;
    if (p == PROTO_POP3 && v->proto[PROTO_IMAP].advertised)
        base = (unsigned)v->proto[PROTO_IMAP].n[SIDE_EXTERNAL];
    return base + (unsigned)index;
}

static void service(struct buf *out, const struct settings_view *v, const char *domain, size_t k)
{
    const struct settings_proto *sp = &v->proto[services[k].proto];
    bool any = false;
    char rest[400];
    for (size_t i = 0; i < sp->n[SIDE_EXTERNAL]; i++) {
        const struct endpoint *ep = &sp->ep[SIDE_EXTERNAL][i];
        if ((ep->tls == TLS_IMPLICIT) != services[k].implicit)
            continue;
        struct cidr ip;
        if (ip_parse(ep->host, &ip) == 0) {
            buf_printf(out, "; %s: %s is an address; SRV records need a host name\n", services[k].name, ep->host);
            continue;
        }
        snprintf(rest, sizeof(rest), "SRV %u 0 %u %s.%s", priority(v, services[k].proto, i), ep->port,
                 ep->host, ep->tls == TLS_NONE ? "   ; no encryption" : "");
        record(out, services[k].name, domain, rest);
        any = true;
    }
    if (!any)
        record(out, services[k].name, domain, "SRV 0 0 0 .");
}

int rfc6186_records(const struct config *cfg, const char *domain, const char *portal,
                    unsigned port, struct buf *out)
{
    if (!dns_name(domain))
        return -1;
    struct settings_view v;
    settings_build(cfg, SIDE_EXTERNAL, SHOW_EXTERNAL, &v);
    buf_printf(out, "; DNS records for %s, from %s (the external endpoints).\n", domain, cfg->path);
    buf_puts(out, "; RFC 6186 / RFC 8314: mail clients find the servers from these SRV records;\n"
                  "; \"0 0 0 .\" says a service is not offered.\n");
    for (size_t k = 0; k < sizeof(services) / sizeof(services[0]); k++)
        service(out, &v, domain, k);
    char rest[400];
    buf_puts(out, "; Thunderbird asks autoconfig.DOMAIN, Outlook autodiscover.DOMAIN (or the SRV\n"
                  "; record): point them at postern, and cover them in its TLS certificate.\n");
    snprintf(rest, sizeof(rest), "CNAME %s.", portal);
    record(out, "autoconfig", domain, rest);
    record(out, "autodiscover", domain, rest);
    snprintf(rest, sizeof(rest), "SRV 0 0 %u %s.", port, portal);
    record(out, "_autodiscover._tcp", domain, rest);
    return 0;
}
