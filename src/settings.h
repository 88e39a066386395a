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

/* What one client configuration file (autoconfig, Autodiscover, Apple
 * profile) is made from: a view already narrowed to the user with
 * settings_for_user() when the user is known. */
struct client_file {
    const struct config *cfg;
    const struct settings_view *view;
    const char *address;      /* the user's address, or NULL when unknown */
    const char *origin;       /* the portal, "https://mail.example.com"; "" unknown */
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

/* Narrows view to one user, login (an address, or a bare login): a
 * protocol is disabled for them (enabled false) when [policy] switches it
 * off for them, when postern refuses the account altogether (IMAP4 and
 * POP3: seed 002's anonymous, guest, Administrator), or, for IMAP4 and
 * POP3, when [routing] sends them to a [backend NAME] that has no endpoint
 * for it (the server holding their mailbox does not offer it). SMTP stays
 * as configured: submission does not depend on where a mailbox lives.
 * The settings page, the client files and the check page all use this. */
void settings_for_user(const struct config *cfg, const char *login, struct settings_view *view);

/* Whether view offers p: advertised, enabled for this user, and with at
 * least one endpoint on a side the view shows. */
bool settings_offered(const struct settings_view *view, enum proto p);

#define SETTINGS_FILE_ENDPOINTS_MAX (2 * ENDPOINTS_MAX)

/* The endpoints a client configuration file lists for p, best first: the
 * client's own side first (if the view shows it), then the other shown
 * side, each in the configured preference order; an endpoint listed on
 * both sides appears once. Fills out[] (room for
 * SETTINGS_FILE_ENDPOINTS_MAX) and returns how many; 0 when p is not
 * offered. Pointers into the config. */
size_t settings_file_endpoints(const struct settings_view *view, enum proto p,
                               const struct endpoint *out[]);

/* Whether mail clients may be configured for addresses in domain (ASCII
 * case-insensitive): [autoconfig] domains when set, else [server]
 * mail_domain and every @domain of [routing]. */
bool settings_domain_served(const struct config *cfg, const char *domain);

/* The served domains (rules above), in order, without duplicates: fills
 * out[] (up to max, pointers into cfg) and returns how many. */
size_t settings_domains(const struct config *cfg, const char *out[], size_t max);

/* The user name mail clients sign in with, for an address and form: the
 * address itself, or its local part (written into buf). */
const char *settings_login_name(enum username_form f, const char *address, char *buf, size_t cap);

/* Labels for pages and files. */
const char *tls_mode_label(enum tls_mode m);       /* "SSL/TLS", "STARTTLS", "None" */
const char *tls_mode_sentence(enum tls_mode m);    /* a short plain-words explanation */
const char *proto_label(enum proto p);             /* "IMAP4", "POP3", "SMTP" */

#endif
