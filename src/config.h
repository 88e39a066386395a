/* config.h — postern.conf: one ini file, checked whole at load.
 *
 * config_load() reads the file with inih, fills a struct config from a
 * table of known keys, then checks the settings against each other. Every
 * problem is reported as "FILE:LINE: [section] key: reason" (one per line);
 * a config with any problem is refused whole.
 */
#ifndef POSTERN_CONFIG_H
#define POSTERN_CONFIG_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "netaddr.h"
#include "session.h"
#include "store.h"
#include "throttle.h"

enum proto { PROTO_IMAP, PROTO_POP3, PROTO_SMTP, PROTO__MAX };
enum tls_mode { TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE, TLS__MAX };
enum side { SIDE_INTERNAL, SIDE_EXTERNAL, SIDE__MAX };
enum show_mode { SHOW_AUTO, SHOW_BOTH, SHOW_INTERNAL, SHOW_EXTERNAL, SHOW__MAX };
enum username_form { USERNAME_ADDRESS, USERNAME_LOCALPART, USERNAME__MAX };
enum listen_kind { LISTEN_DIR, LISTEN_FD, LISTEN__MAX };

#define ENDPOINTS_MAX 8
#define HOSTNAME_MAX 253

struct endpoint {
    char host[HOSTNAME_MAX + 1];
    unsigned port;
    enum tls_mode tls;
};

struct proto_conf {
    bool advertise;
    struct endpoint ep[SIDE__MAX][ENDPOINTS_MAX];
    size_t n[SIDE__MAX];
    enum username_form username;
    bool auth_required;        /* [smtp] authentication */
};

#define NAME_LIST_MAX 64

/* A list of accounts, @domains or local parts (see policy.h). */
struct name_list {
    char v[NAME_LIST_MAX][HOSTNAME_MAX + 1];
    size_t n;
};

struct policy_conf {
    struct name_list refuse;          /* refused accounts */
    struct name_list imap_disabled;   /* IMAP4 switched off for these */
    struct name_list pop3_disabled;   /* POP3 switched off for these */
    bool pop3_choice;                 /* sign-in offers "read over POP3" */
};

/* Where postern itself connects for a user's mailbox (the backend), as
 * opposed to the front-door names the pages advertise (seed 002:
 * cross-site connectivity). */
struct backend_conf {
    char name[64];                    /* "default" for [backend], else [backend NAME] */
    struct endpoint ep[PROTO__MAX];   /* port 0: not configured */
    char tls_name[HOSTNAME_MAX + 1];  /* name to verify; empty: the host */
    int line;                         /* where its section starts (messages) */
};

#define BACKENDS_MAX 16
#define ROUTES_MAX 256

/* [routing]: user@domain or @domain -> a backend. */
struct route_rule {
    char match[HOSTNAME_MAX + 1];
    char backend[64];
    int backend_index;                /* resolved after loading */
    int line;
};

struct upstream_conf {
    char ca_file[4096];               /* empty: the system trust store */
    int timeout_ms;                   /* per step: connect, TLS, each command */
    bool allow_plaintext;             /* backend endpoints with encryption none */
};

/* [mailbox]: the mailbox view */
struct mailbox_conf {
    int page_size;                    /* messages per list page; default 50 */
    int cache_connections;            /* cached IMAP connections per worker; 64 */
    int cache_idle;                   /* seconds an unused one stays open; 300 */
    long max_part_bytes;              /* largest part shown or downloaded; 25 MB */
    int max_mime_depth;               /* nesting of parts shown; 50 */
    int max_mime_parts;               /* parts of one message shown; 500 */
    long max_header_bytes;            /* header fields fetched for display; 64 KB */
    bool live_updates;                /* IDLE + server-sent events; yes */
    int max_streams;                  /* live-update streams per worker; 100 */
    int max_streams_per_user;         /* per user (browser tabs) per worker; 5 */
    int refresh_minutes;              /* default check schedule; 0: manual; 2 */
    int idle_renew;                   /* seconds between DONE + IDLE; 1500 */
};

/* [compose]: writing mail */
struct compose_conf {
    int max_recipients;               /* To + Cc + Bcc of one message; default 100 */
    long max_attachment_bytes;        /* one attached file; default 25 MiB */
    long max_message_bytes;           /* the whole message as sent (encoded); 36 MiB */
    int autosave_seconds;             /* drafts saved while typing (JavaScript); 30 */
};

/* [autoconfig]: the files mail clients configure themselves from */
struct autoconfig_conf {
    struct name_list domains;         /* served domains; empty: mail_domain + [routing] @domains */
    char sign_cert[4096];             /* PEM certificate that signs Apple profiles; empty: unsigned */
    char sign_key[4096];              /* its private key (PEM, not encrypted) */
    char sign_chain[4096];            /* intermediate certificates (PEM), optional */
};

struct config {
    char path[4096];
    /* [server] */
    enum listen_kind listen_kind;
    char listen_dir[4096];     /* LISTEN_DIR */
    int listen_fd;             /* LISTEN_FD */
    mode_t socket_mode;
    char socket_group[64];
    int workers, threads;
    char templates[4096];
    char static_url[256];
    char site_name[128];
    char mail_domain[HOSTNAME_MAX + 1];
    /* [network] */
    struct cidr_list internal_networks;
    struct cidr_list trusted_proxies;
    enum show_mode show;
    /* [imap] [pop3] [smtp] */
    struct proto_conf proto[PROTO__MAX];
    /* [policy] */
    struct policy_conf policy;
    /* [backend], [upstream], [session], [throttle] */
    struct backend_conf backends[BACKENDS_MAX];   /* [0] is [backend] */
    size_t nbackends;
    struct route_rule routes[ROUTES_MAX];
    size_t nroutes;
    struct upstream_conf upstream;
    struct store_config store;
    struct session_config session;
    struct throttle_config throttle;
    struct mailbox_conf mailbox;
    struct compose_conf compose;
    struct autoconfig_conf autoconfig;
    char origin[300];                 /* [session] origin: scheme://host[:port] */
};

/* Fills cfg with the built-in defaults (no endpoints, nothing advertised). */
void config_defaults(struct config *cfg);

/* Loads and checks path into *cfg. Returns 0, or -1 with every problem
 * appended to errors, one "FILE:LINE: [section] key: reason" per line. */
int config_load(const char *path, struct config *cfg, struct buf *errors);

/* Same for ini text in memory; name stands for the file in messages. */
int config_load_string(const char *name, const char *text, struct config *cfg,
                       struct buf *errors);

/* Short names for messages and page labels. */
extern const char *const proto_names[PROTO__MAX];   /* "imap", "pop3", "smtp" */
extern const char *const side_names[SIDE__MAX];     /* "internal", "external" */
extern const char *const show_mode_names[SHOW__MAX]; /* "auto", "both", ... */

/* The show mode named s (any case): 0, or -1 if s names none. */
int show_mode_parse(const char *s, enum show_mode *out);

#endif
