/* settings.h — the one source of truth for advertised client settings.
 *
 * From the config (and, later, the signed-in user's policy) it builds the
 * list of endpoints a person or a mail client should use: per protocol,
 * internal and external, in preference order, with encryption and the
 * user-name form. The settings page, autoconfig XML, Autodiscover XML,
 * Apple profiles and DNS records are all views of a struct settings_view.
 */
#ifndef POSTERN_SETTINGS_H
#define POSTERN_SETTINGS_H

#include <stdbool.h>

#include "config.h"

/* What one protocol offers this client. */
struct settings_proto {
    enum proto proto;
    bool advertised;        /* the admin publishes this protocol */
    bool enabled;           /* enabled for this user (always, until policy) */
    const struct endpoint *ep[SIDE__MAX];   /* arrays in the config */
    size_t n[SIDE__MAX];
    enum username_form username;
    bool auth_required;
};

struct settings_view {
    enum side client_side;          /* where the client connects from */
    bool allowed[SIDE__MAX];        /* which sides this client may see */
    bool show[SIDE__MAX];           /* which sides the page shows */
    struct settings_proto proto[PROTO__MAX];
};

/* Decides whether the client is internal. remote_addr is the peer of
 * nginx (REMOTE_ADDR); xff is X-Forwarded-For or NULL, believed only when
 * remote_addr is a trusted proxy: the client is then the right-most address
 * that is not itself a trusted proxy. An unparsable address counts as
 * external. */
enum side settings_client_side(const struct config *cfg, const char *remote_addr,
                               const char *xff);

/* Fills view for a client on side client, showing the sides the config's
 * "show" setting asks for, or `force` when it is not SHOW_AUTO (the page's
 * ?view= choice). An external client never sees internal endpoints unless
 * the config's show is "both" or "internal" (published to everyone); if
 * nothing allowed is left, the external side is shown. Pointers in view
 * point into cfg, which must outlive it. */
void settings_build(const struct config *cfg, enum side client, enum show_mode force,
                    struct settings_view *view);

/* Labels for pages and files. */
const char *tls_mode_label(enum tls_mode m);       /* "SSL/TLS", "STARTTLS", "None" */
const char *tls_mode_sentence(enum tls_mode m);    /* a short plain-words explanation */
const char *proto_label(enum proto p);             /* "IMAP4", "POP3", "SMTP" */

#endif
