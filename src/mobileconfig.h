/* mobileconfig.h — Apple configuration profiles (.mobileconfig) for
 * iPhone, iPad and macOS Mail: one IMAP (or POP) account with its SMTP
 * server, as an XML property list, from a settings view.
 *
 * No password is ever put in a profile; without a known address the
 * address and user names are left out and the device asks for them.
 * Payload UUIDs are name-based (RFC 9562 version 5) on the mail domain and
 * the address, so the same user always gets the same identifiers and a
 * new profile replaces the old one on the device.
 *
 * Apple's format can only say whether a server uses SSL, not whether TLS
 * starts at once or after STARTTLS (the device decides from the port), so
 * each server is the first endpoint with TLS from the start, else the
 * first with STARTTLS, else the first (settings_file_endpoints() order).
 */
#ifndef POSTERN_MOBILECONFIG_H
#define POSTERN_MOBILECONFIG_H

#include "buf.h"
#include "settings.h"

#define MOBILECONFIG_TYPE "application/x-apple-aspen-config"

/* The incoming protocol of a profile: want (PROTO_IMAP or PROTO_POP3) if
 * the view offers it, else the other one if offered; -1 if neither. */
int mobileconfig_incoming(const struct settings_view *view, enum proto want);

/* The endpoint a profile uses for p (rule above), or NULL if none. */
const struct endpoint *mobileconfig_endpoint(const struct settings_view *view, enum proto p);

/* Appends the profile for f with incoming protocol in (PROTO_IMAP or
 * PROTO_POP3) to out. Returns 0, or -1 with *why_r a sentence (out
 * untouched) when in or SMTP is not offered. */
int mobileconfig_write(const struct client_file *f, enum proto in, struct buf *out,
                       const char **why_r);

/* The name-based (version 5, SHA-1) UUID of name in postern's namespace,
 * as 36 characters "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" plus NUL, upper
 * case as Apple writes them. */
void mobileconfig_uuid(const char *name, char out[37]);

#endif
