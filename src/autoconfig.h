/* autoconfig.h — Thunderbird's autoconfig file (clientConfig version 1.1),
 * as served at /mail/config-v1.1.xml and
 * /.well-known/autoconfig/mail/config-v1.1.xml, from a settings view.
 *
 * Incoming servers: every offered IMAP4 endpoint, then every POP3 one, in
 * preference order (settings_file_endpoints()); outgoing: every SMTP one.
 * socketType follows the endpoint's encryption (SSL, STARTTLS, plain);
 * the user name is the address (or its local part) when the file is for
 * a known address, else Thunderbird's %EMAILADDRESS% / %EMAILLOCALPART%
 * placeholders. POP3 servers say leaveMessagesOnServer (seed advice). A
 * protocol the admin advertises but that is disabled for this user is
 * left out, and an <enable visiturl> points at the personal settings page
 * with a sentence saying so.
 */
#ifndef POSTERN_AUTOCONFIG_H
#define POSTERN_AUTOCONFIG_H

#include "buf.h"
#include "settings.h"

/* Appends the clientConfig document for f to out. Returns 0, or -1 (out
 * untouched) when no incoming server is offered: Thunderbird cannot use a
 * file without one. */
int autoconfig_write(const struct client_file *f, struct buf *out);

/* Thunderbird's socketType for an encryption mode: "SSL", "STARTTLS",
 * "plain". */
const char *autoconfig_socket_type(enum tls_mode m);

#endif
