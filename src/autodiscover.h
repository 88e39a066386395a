/* autodiscover.h — Outlook's Autodiscover in its plain-XML (POX) form:
 * the request Outlook POSTs to /autodiscover/autodiscover.xml and the
 * answers it understands ([MS-OXDSCLI]).
 *
 * The request is read with xmlscan (no DTD, no entities, bounded): it must
 * be <Autodiscover> in the Outlook request namespace holding
 * <Request><EMailAddress>; <AcceptableResponseSchema>, when present, must
 * be the Outlook response schema 2006a.
 *
 * The answer lists one <Protocol> per endpoint, IMAP then POP3 then SMTP,
 * in preference order, each with Server, Port, LoginName, DomainRequired
 * off, SPA off, SSL, Encryption (SSL: TLS from the first byte, TLS:
 * STARTTLS, None) and AuthRequired; SMTP adds UsePOPAuth (same user name
 * and password as incoming) and SMTPLast off. Problems are answered with
 * the error response the protocol defines, never an HTTP error.
 */
#ifndef POSTERN_AUTODISCOVER_H
#define POSTERN_AUTODISCOVER_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "settings.h"

struct arena;

#define AD_NS_REQUEST "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
#define AD_NS_RESPONSE "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
#define AD_NS_OUTLOOK "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"

/* [MS-OXDSCLI] 2.2.4.1.1.3.1 error codes, and AD_OK. */
enum ad_status {
    AD_OK = 0,
    AD_NOT_FOUND = 500,     /* the address is not one we configure */
    AD_NO_SETTINGS = 501,   /* known, but nothing to offer it */
    AD_INVALID = 600,       /* the request is malformed */
    AD_PROVIDER = 601,      /* a response schema we do not serve */
    AD_INTERNAL = 603,
};

/* Largest request body read at all. */
#define AD_BODY_MAX 16384

/* Reads a request body[0..len). AD_OK with *email_r (validated with
 * valid_email(), domain lower-cased, in a); else AD_INVALID or AD_PROVIDER
 * with *error_r a sentence for the log (never the input itself). */
enum ad_status autodiscover_parse(struct arena *a, const char *body, size_t len,
                                  const char **email_r, const char **error_r);

/* Appends the settings answer for f (f->address must be set) to out.
 * Returns 0, or AD_NO_SETTINGS (out untouched) when f offers no incoming
 * protocol. */
enum ad_status autodiscover_write(const struct client_file *f, struct buf *out);

/* Appends the error answer for code, with Time (HH:MM:SS.fffffff, UTC) from
 * now and Id id, to out. Codes 500 and 501 answer in the Outlook response
 * namespace (the request was understood), others in the base one. */
void autodiscover_write_error(enum ad_status code, const struct timespec *now, unsigned id,
                              struct buf *out);

/* "SSL", "TLS" (STARTTLS) or "None": the Encryption element's value. */
const char *autodiscover_encryption(enum tls_mode m);

#endif
