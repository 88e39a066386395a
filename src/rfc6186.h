/* rfc6186.h — the DNS records that let mail clients find the servers by
 * themselves: RFC 6186 / RFC 8314 SRV records for the published external
 * endpoints, and the names Thunderbird (autoconfig.DOMAIN) and Outlook
 * (autodiscover.DOMAIN, _autodiscover._tcp) ask for postern. Printed by
 * "postern -c FILE --dns-records DOMAIN", from the same settings view as
 * the pages and files.
 */
#ifndef POSTERN_RFC6186_H
#define POSTERN_RFC6186_H

#include "buf.h"
#include "config.h"

/* Appends zone-file lines for domain to out:
 *   _imaps._tcp, _imap._tcp, _pop3s._tcp, _pop3._tcp, _submissions._tcp,
 *   _submission._tcp: one SRV per external endpoint of the advertised
 *   protocol (TLS from the start: the "s" service; STARTTLS or none: the
 *   other). Priorities follow the preference order; IMAP4's come before
 *   POP3's (RFC 6186 section 3.4: clients compare them across services).
 *   A service with no endpoint gets "0 0 0 ." (RFC 2782: not offered).
 *   autoconfig.DOMAIN and autodiscover.DOMAIN: CNAME to the portal host,
 *   and _autodiscover._tcp: SRV to it on the portal's port.
 * portal is the portal's host name and port is its HTTPS port. Returns 0,
 * or -1 (nothing appended) if domain is not a DNS name. */
int rfc6186_records(const struct config *cfg, const char *domain, const char *portal,
                    unsigned port, struct buf *out);

#endif
