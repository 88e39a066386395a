/* config.c — see config.h.
 *
 * Keys are a table (section, key, parser, where): adding a key is one row.
 * inih is built without line numbers in its handler, so we feed it lines
 * ourselves (ini_parse_stream) and count them.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cms.h"

const char *const proto_names[PROTO__MAX] = {"imap", "pop3", "smtp"};
const char *const side_names[SIDE__MAX] = {"internal", "external"};

/* Per-load state handed to inih's callbacks. */
struct loader {
    struct config *cfg;
    struct buf *errors;
    const char *name;
    int line;
    int nerrors;
    const struct key_def *key;   /* the row being parsed */
    /* where each key was set, for the cross-checks after parsing */
    int line_of[128];
    /* reader state */
    FILE *fp;
    const char *text;
    int long_line;
};

typedef const char *(*key_parser)(struct loader *ld, const char *value, void *where,
                                  char *why, size_t whylen);

/* How parse_number stores a number. */
enum num_kind { NUM_INT, NUM_LONG, NUM_INT64, NUM_UNSIGNED, NUM_MS_FROM_S };

struct key_def {
    const char *section;
    const char *key;
    key_parser parse;
    size_t offset;        /* into struct config */
    long min, max;        /* parse_number: accepted range */
    enum num_kind num;    /* parse_number: field type */
};

static void report(struct loader *ld, int line, const char *section,
                   const char *key, const char *reason)
{
    ld->nerrors++;
    if (key != NULL)
        buf_printf(ld->errors, "%s:%d: [%s] %s: %s\n", ld->name, line, section, key, reason);
    else
        buf_printf(ld->errors, "%s:%d: %s\n", ld->name, line, reason);
}

/* ---- value parsers: return NULL when fine, else a reason ---- */

static const char *parse_bool(struct loader *ld, const char *v, void *where,
                              char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) { *(bool *)where = true; return NULL; }
        if (strcasecmp(v, no[i]) == 0) { *(bool *)where = false; return NULL; }
    }
    return "expected yes or no";
}

static int parse_long(const char *v, long min, long max, long *out)
{
    if (*v == '\0' || strlen(v) > 12)
        return -1;
    for (const char *p = v; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    long n = strtol(v, NULL, 10);
    if (n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

/* A decimal number within the row's [min, max], stored as the row says. */
static const char *parse_number(struct loader *ld, const char *v, void *where,
                                char *why, size_t whylen)
{
    const struct key_def *k = ld->key;
    long n;
    if (parse_long(v, k->min, k->max, &n) < 0) {
        snprintf(why, whylen, "expected a number from %ld to %ld", k->min, k->max);
        return why;
    }
    switch (k->num) {
    case NUM_INT: *(int *)where = (int)n; break;
    case NUM_LONG: *(long *)where = n; break;
    case NUM_INT64: *(int64_t *)where = n; break;
    case NUM_UNSIGNED: *(unsigned *)where = (unsigned)n; break;
    case NUM_MS_FROM_S: *(int *)where = (int)(n * 1000); break;
    }
    return NULL;
}

static const char *parse_mode(struct loader *ld, const char *v, void *where,
                              char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    char *end;
    if (*v != '0' || strlen(v) > 5)
        return "expected an octal mode such as 0660";
    long n = strtol(v, &end, 8);
    if (*end != '\0' || n < 0 || n > 0777)
        return "expected an octal mode such as 0660";
    if (n & 0007)
        return "the socket must not be reachable by other users (no o+rwx)";
    *(mode_t *)where = (mode_t)n;
    return NULL;
}

static const char *copy_string(const char *v, char *dst, size_t cap)
{
    if (strlen(v) >= cap)
        return "value too long";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "control characters are not allowed";
    memcpy(dst, v, strlen(v) + 1);
    return NULL;
}

#define STRING_PARSER(fn, field)                                              \
    static const char *fn(struct loader *ld, const char *v, void *where,     \
                          char *why, size_t whylen)                          \
    {                                                                        \
        (void)ld; (void)why; (void)whylen;                                   \
        return copy_string(v, where, sizeof(((struct config *)0)->field));   \
    }
STRING_PARSER(parse_group, socket_group)
STRING_PARSER(parse_site_name, site_name)

static const char *parse_path(struct loader *ld, const char *v, void *where,
                              char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (*v != '/')
        return "expected an absolute path";
    return copy_string(v, where, sizeof(((struct config *)0)->templates));
}

static const char *parse_static_url(struct loader *ld, const char *v, void *where,
                                    char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (*v != '/' && strncmp(v, "https://", 8) != 0)
        return "expected a path starting with / or an https:// URL";
    for (const char *p = v; *p; p++)
        if (*p == '"' || *p == '\'' || *p == '<' || *p == '>' || *p == ' ')
            return "quotes, spaces and angle brackets are not allowed";
    const char *why2 = copy_string(v, where, sizeof(((struct config *)0)->static_url));
    if (why2 == NULL) {
        char *s = where;
        size_t n = strlen(s);
        if (n > 1 && s[n - 1] == '/')
            s[n - 1] = '\0';
    }
    return why2;
}

/* A DNS host name (LDH labels) or an IP literal. */
static int valid_hostname(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > HOSTNAME_MAX)
        return 0;
    struct cidr ip;
    if (ip_parse(h, &ip) == 0)
        return 1;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!(isalnum(c) || c == '-'))
            return 0;
        if (c == '-' && label == 0)
            return 0;
        if (++label > 63)
            return 0;
    }
    return h[n - 1] != '-';
}

static const char *parse_domain(struct loader *ld, const char *v, void *where,
                                char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (!valid_hostname(v) || strchr(v, '.') == NULL)
        return "expected a domain name such as example.com";
    return copy_string(v, where, HOSTNAME_MAX + 1);
}

static const char *parse_listen(struct loader *ld, const char *v, void *where,
                                char *why, size_t whylen)
{
    (void)where; (void)why; (void)whylen;
    struct config *cfg = ld->cfg;
    long fd;
    if (strcmp(v, "systemd") == 0) {
        cfg->listen_kind = LISTEN_FD;
        cfg->listen_fd = 3;
        return NULL;
    }
    if (strncmp(v, "fd:", 3) == 0) {
        if (parse_long(v + 3, 0, 1023, &fd) < 0)
            return "expected fd:N with N a descriptor number";
        cfg->listen_kind = LISTEN_FD;
        cfg->listen_fd = (int)fd;
        return NULL;
    }
    if (*v != '/')
        return "expected an absolute directory path, fd:N or systemd";
    if (strlen(v) > 90)
        return "path too long for unix sockets inside it (max 90 characters)";
    cfg->listen_kind = LISTEN_DIR;
    return copy_string(v, cfg->listen_dir, sizeof(cfg->listen_dir));
}

static const char *parse_cidrs(struct loader *ld, const char *v, void *where,
                               char *why, size_t whylen)
{
    (void)ld;
    if (cidr_list_parse(v, where, why, whylen) < 0)
        return why;
    return NULL;
}

const char *const show_mode_names[SHOW__MAX] = {"auto", "both", "internal", "external"};

int show_mode_parse(const char *s, enum show_mode *out)
{
    for (int i = 0; i < SHOW__MAX; i++)
        if (strcasecmp(s, show_mode_names[i]) == 0) {
            *out = (enum show_mode)i;
            return 0;
        }
    return -1;
}

static const char *parse_show(struct loader *ld, const char *v, void *where,
                              char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (show_mode_parse(v, where) < 0)
        return "expected auto, both, internal or external";
    return NULL;
}

static const char *parse_username(struct loader *ld, const char *v, void *where,
                                  char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (strcasecmp(v, "address") == 0)
        *(enum username_form *)where = USERNAME_ADDRESS;
    else if (strcasecmp(v, "localpart") == 0)
        *(enum username_form *)where = USERNAME_LOCALPART;
    else
        return "expected address or localpart";
    return NULL;
}

static const char *parse_auth(struct loader *ld, const char *v, void *where,
                              char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (strcasecmp(v, "password") == 0)
        *(bool *)where = true;
    else if (strcasecmp(v, "none") == 0)
        *(bool *)where = false;
    else
        return "expected password or none";
    return NULL;
}

/* Encryption names as admins write them (Exchange writes SSL and TLS). */
static int tls_mode_parse(const char *s, enum tls_mode *out)
{
    static const struct { const char *name; enum tls_mode mode; } names[] = {
        {"ssl", TLS_IMPLICIT}, {"tls", TLS_IMPLICIT}, {"starttls", TLS_STARTTLS},
        {"none", TLS_NONE}, {"plain", TLS_NONE},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].mode;
            return 0;
        }
    return -1;
}

/* One "HOST:PORT:ENCRYPTION" item (an IPv6 host in [brackets]). */
static const char *parse_endpoint(const char *item, size_t len, struct endpoint *ep,
                                  char *why, size_t whylen)
{
    char tmp[HOSTNAME_MAX + 40];
    if (len >= sizeof(tmp))
        return "endpoint too long";
    memcpy(tmp, item, len);
    tmp[len] = '\0';
    char *enc = strrchr(tmp, ':');
    if (enc == NULL)
        return "expected HOST:PORT:ENCRYPTION";
    *enc++ = '\0';
    char *port = strrchr(tmp, ':');
    if (port == NULL)
        return "expected HOST:PORT:ENCRYPTION";
    *port++ = '\0';
    char *host = tmp;
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        host++;
    }
    if (*host == '\0') {
        snprintf(why, whylen, "port %s is advertised without a host name", port);
        return why;
    }
    if (!valid_hostname(host)) {
        snprintf(why, whylen, "\"%.80s\" is not a valid host name", host);
        return why;
    }
    long n;
    if (parse_long(port, 1, 65535, &n) < 0) {
        snprintf(why, whylen, "\"%.20s\" is not a port number (1-65535)", port);
        return why;
    }
    if (tls_mode_parse(enc, &ep->tls) < 0) {
        snprintf(why, whylen, "\"%.20s\" is not an encryption method (SSL, TLS, STARTTLS, none)", enc);
        return why;
    }
    memcpy(ep->host, host, strlen(host) + 1);
    ep->port = (unsigned)n;
    return NULL;
}

static const char *parse_endpoints(struct loader *ld, const char *v, void *where,
                                   char *why, size_t whylen, enum side side)
{
    (void)ld;
    struct proto_conf *pc = where;
    pc->n[side] = 0;
    const char *p = v;
    if (*p == '\0')
        return NULL;
    for (;;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == 0)
            return "empty endpoint in the list";
        if (pc->n[side] == ENDPOINTS_MAX)
            return "too many endpoints (at most 8)";
        const char *r = parse_endpoint(p, len, &pc->ep[side][pc->n[side]], why, whylen);
        if (r != NULL)
            return r;
        pc->n[side]++;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return NULL;
}

static const char *parse_internal(struct loader *ld, const char *v, void *where,
                                  char *why, size_t whylen)
{
    return parse_endpoints(ld, v, where, why, whylen, SIDE_INTERNAL);
}

static const char *parse_external(struct loader *ld, const char *v, void *where,
                                  char *why, size_t whylen)
{
    return parse_endpoints(ld, v, where, why, whylen, SIDE_EXTERNAL);
}

/* A comma-separated list of accounts, @domains or local parts. */
static const char *parse_names(struct loader *ld, const char *v, void *where,
                               char *why, size_t whylen)
{
    (void)ld;
    struct name_list *l = where;
    l->n = 0;
    const char *p = v;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == 0 || len > HOSTNAME_MAX)
            return len ? "entry too long" : "empty entry in the list";
        if (l->n == NAME_LIST_MAX)
            return "too many entries (at most 64)";
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] <= ' ' || p[i] == '"' || p[i] == '\\') {
                snprintf(why, whylen, "\"%.*s\" is not an account, @domain or name",
                         (int)(len > 60 ? 60 : len), p);
                return why;
            }
        memcpy(l->v[l->n], p, len);
        l->v[l->n][len] = '\0';
        l->n++;
        if (end == NULL)
            break;
        p = end + 1;
        if (*p == '\0')
            return "trailing comma";
    }
    return NULL;
}

/* A comma-separated list of domain names. */
static const char *parse_domains(struct loader *ld, const char *v, void *where,
                                 char *why, size_t whylen)
{
    struct name_list *l = where;
    if (parse_names(ld, v, where, why, whylen) != NULL)
        return "expected domain names such as example.com, separated by commas";
    for (size_t i = 0; i < l->n; i++)
        if (!valid_hostname(l->v[i]) || strchr(l->v[i], '.') == NULL) {
            snprintf(why, whylen, "\"%.80s\" is not a domain name such as example.com", l->v[i]);
            return why;
        }
    return NULL;
}

static const char *parse_backend_ep(struct loader *ld, const char *v, void *where,
                                    char *why, size_t whylen)
{
    (void)ld;
    if (*v == '\0') {
        ((struct endpoint *)where)->port = 0;
        return NULL;
    }
    return parse_endpoint(v, strlen(v), where, why, whylen);
}

static const char *parse_hostname(struct loader *ld, const char *v, void *where,
                                  char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (*v != '\0' && !valid_hostname(v))
        return "expected a host name";
    return copy_string(v, where, HOSTNAME_MAX + 1);
}

static const char *parse_file(struct loader *ld, const char *v, void *where,
                              char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (*v != '\0' && *v != '/')
        return "expected an absolute path";
    return copy_string(v, where, 4096);
}

static const char *parse_store_kind(struct loader *ld, const char *v, void *where,
                                    char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (strcasecmp(v, "sqlite") == 0)
        *(enum store_kind *)where = STORE_SQLITE;
    else if (strcasecmp(v, "redis") == 0)
        *(enum store_kind *)where = STORE_REDIS;
    else
        return "expected sqlite or redis";
    return NULL;
}

static const char *parse_origin(struct loader *ld, const char *v, void *where,
                                char *why, size_t whylen)
{
    (void)ld; (void)why; (void)whylen;
    if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
        return "expected https://host (the address users type)";
    if (strpbrk(v + 8, "/?#\"\\ ") != NULL)
        return "expected scheme://host[:port] with no path";
    return copy_string(v, where, 300);
}

#define STRING_FIELD(fn, type, field)                                          \
    static const char *fn(struct loader *ld, const char *v, void *where,      \
                          char *why, size_t whylen)                           \
    {                                                                         \
        (void)ld; (void)why; (void)whylen;                                    \
        return copy_string(v, where, sizeof(((type *)0)->field));             \
    }
STRING_FIELD(parse_redis_host, struct store_config, redis_host)

#define OFF(f) offsetof(struct config, f)
#define PROTO_KEYS(sec, idx)                                                   \
    {sec, "advertise", parse_bool, OFF(proto[idx].advertise), 0, 0, NUM_INT}, \
    {sec, "internal", parse_internal, OFF(proto[idx]), 0, 0, NUM_INT}, \
    {sec, "external", parse_external, OFF(proto[idx]), 0, 0, NUM_INT}, \
    {sec, "username", parse_username, OFF(proto[idx].username), 0, 0, NUM_INT}

static const struct key_def keys[] = {
    {"server", "listen", parse_listen, 0, 0, 0, NUM_INT},
    {"server", "socket_mode", parse_mode, OFF(socket_mode), 0, 0, NUM_INT},
    {"server", "socket_group", parse_group, OFF(socket_group), 0, 0, NUM_INT},
    {"server", "workers", parse_number, OFF(workers), 1, 64, NUM_INT},
    {"server", "threads", parse_number, OFF(threads), 1, 256, NUM_INT},
    {"server", "templates", parse_path, OFF(templates), 0, 0, NUM_INT},
    {"server", "static_url", parse_static_url, OFF(static_url), 0, 0, NUM_INT},
    {"server", "site_name", parse_site_name, OFF(site_name), 0, 0, NUM_INT},
    {"server", "mail_domain", parse_domain, OFF(mail_domain), 0, 0, NUM_INT},
    {"network", "internal_networks", parse_cidrs, OFF(internal_networks), 0, 0, NUM_INT},
    {"network", "trusted_proxies", parse_cidrs, OFF(trusted_proxies), 0, 0, NUM_INT},
    {"network", "show", parse_show, OFF(show), 0, 0, NUM_INT},
    PROTO_KEYS("imap", PROTO_IMAP),
    PROTO_KEYS("pop3", PROTO_POP3),
    PROTO_KEYS("smtp", PROTO_SMTP),
    {"smtp", "authentication", parse_auth, OFF(proto[PROTO_SMTP].auth_required), 0, 0, NUM_INT},
    {"policy", "refuse_accounts", parse_names, OFF(policy.refuse), 0, 0, NUM_INT},
    {"policy", "imap_disabled", parse_names, OFF(policy.imap_disabled), 0, 0, NUM_INT},
    {"policy", "pop3_disabled", parse_names, OFF(policy.pop3_disabled), 0, 0, NUM_INT},
    {"policy", "pop3_choice", parse_bool, OFF(policy.pop3_choice), 0, 0, NUM_INT},
    {"upstream", "ca_file", parse_file, OFF(upstream.ca_file), 0, 0, NUM_INT},
    {"upstream", "timeout", parse_number, OFF(upstream.timeout_ms), 1, 120, NUM_MS_FROM_S},
    {"upstream", "allow_plaintext", parse_bool, OFF(upstream.allow_plaintext), 0, 0, NUM_INT},
    {"session", "store", parse_store_kind, OFF(store.kind), 0, 0, NUM_INT},
    {"session", "sqlite_path", parse_file, OFF(store.sqlite_path), 0, 0, NUM_INT},
    {"session", "redis_host", parse_redis_host, OFF(store.redis_host), 0, 0, NUM_INT},
    {"session", "redis_port", parse_number, OFF(store.redis_port), 1, 65535, NUM_UNSIGNED},
    {"session", "idle_timeout", parse_number, OFF(session.idle_timeout), 60, 2592000, NUM_INT64},
    {"session", "absolute_timeout", parse_number, OFF(session.absolute_timeout), 60, 2592000, NUM_INT64},
    {"session", "secure_cookie", parse_bool, OFF(session.secure_cookie), 0, 0, NUM_INT},
    {"session", "origin", parse_origin, OFF(origin), 0, 0, NUM_INT},
    {"throttle", "account_per_minute", parse_number, OFF(throttle.account_per_minute), 0, 1000000, NUM_LONG},
    {"throttle", "account_per_hour", parse_number, OFF(throttle.account_per_hour), 0, 1000000, NUM_LONG},
    {"throttle", "address_per_minute", parse_number, OFF(throttle.address_per_minute), 0, 1000000, NUM_LONG},
    {"throttle", "address_per_hour", parse_number, OFF(throttle.address_per_hour), 0, 1000000, NUM_LONG},
    {"mailbox", "page_size", parse_number, OFF(mailbox.page_size), 10, 500, NUM_INT},
    {"mailbox", "cache_connections", parse_number, OFF(mailbox.cache_connections), 0, 10000, NUM_INT},
    {"mailbox", "cache_idle", parse_number, OFF(mailbox.cache_idle), 10, 86400, NUM_INT},
    {"mailbox", "max_part_bytes", parse_number, OFF(mailbox.max_part_bytes), 65536, 1073741824, NUM_LONG},
    {"mailbox", "max_mime_depth", parse_number, OFF(mailbox.max_mime_depth), 2, 120, NUM_INT},
    {"mailbox", "max_mime_parts", parse_number, OFF(mailbox.max_mime_parts), 1, 2000, NUM_INT},
    {"mailbox", "max_header_bytes", parse_number, OFF(mailbox.max_header_bytes), 1024, 1048576, NUM_LONG},
    {"mailbox", "live_updates", parse_bool, OFF(mailbox.live_updates), 0, 0, NUM_INT},
    {"mailbox", "max_streams", parse_number, OFF(mailbox.max_streams), 0, 400, NUM_INT},
    {"mailbox", "max_streams_per_user", parse_number, OFF(mailbox.max_streams_per_user), 1, 400, NUM_INT},
    {"mailbox", "refresh_minutes", parse_number, OFF(mailbox.refresh_minutes), 0, 60, NUM_INT},
    {"mailbox", "idle_renew", parse_number, OFF(mailbox.idle_renew), 10, 1740, NUM_INT},
    {"compose", "max_recipients", parse_number, OFF(compose.max_recipients), 1, 10000, NUM_INT},
    {"compose", "max_attachment_bytes", parse_number, OFF(compose.max_attachment_bytes), 1024, 1073741824, NUM_LONG},
    {"compose", "max_message_bytes", parse_number, OFF(compose.max_message_bytes), 65536, 1073741824, NUM_LONG},
    {"compose", "autosave_seconds", parse_number, OFF(compose.autosave_seconds), 5, 3600, NUM_INT},
    {"autoconfig", "domains", parse_domains, OFF(autoconfig.domains), 0, 0, NUM_INT},
    {"autoconfig", "sign_cert", parse_file, OFF(autoconfig.sign_cert), 0, 0, NUM_INT},
    {"autoconfig", "sign_key", parse_file, OFF(autoconfig.sign_key), 0, 0, NUM_INT},
    {"autoconfig", "sign_chain", parse_file, OFF(autoconfig.sign_chain), 0, 0, NUM_INT},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Keys of [backend] and [backend NAME], offsets into struct backend_conf. */
#define BOFF(f) offsetof(struct backend_conf, f)
static const struct key_def backend_keys[] = {
    {"backend", "imap", parse_backend_ep, BOFF(ep[PROTO_IMAP]), 0, 0, NUM_INT},
    {"backend", "pop3", parse_backend_ep, BOFF(ep[PROTO_POP3]), 0, 0, NUM_INT},
    {"backend", "smtp", parse_backend_ep, BOFF(ep[PROTO_SMTP]), 0, 0, NUM_INT},
    {"backend", "tls_name", parse_hostname, BOFF(tls_name), 0, 0, NUM_INT},
};
_Static_assert(NKEYS <= 128, "struct loader's line_of[] holds 128 keys");

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->listen_kind = LISTEN_DIR;
    snprintf(cfg->listen_dir, sizeof(cfg->listen_dir), "/run/postern");
    cfg->socket_mode = 0660;
    cfg->workers = 2;
    cfg->threads = 4;
    snprintf(cfg->templates, sizeof(cfg->templates), "/usr/share/postern/templates");
    snprintf(cfg->static_url, sizeof(cfg->static_url), "/static");
    snprintf(cfg->site_name, sizeof(cfg->site_name), "Mail");
    snprintf(cfg->mail_domain, sizeof(cfg->mail_domain), "example.com");
    cfg->show = SHOW_AUTO;
    for (int p = 0; p < PROTO__MAX; p++)
        cfg->proto[p].auth_required = true;
    cfg->upstream.timeout_ms = 10000;
    cfg->mailbox.page_size = 50;
    cfg->mailbox.cache_connections = 64;
    cfg->mailbox.cache_idle = 300;
    cfg->mailbox.max_part_bytes = 25L * 1024 * 1024;
    cfg->mailbox.max_mime_depth = 50;
    cfg->mailbox.max_mime_parts = 500;
    cfg->mailbox.max_header_bytes = 65536;
    cfg->mailbox.live_updates = true;
    cfg->mailbox.max_streams = 100;
    cfg->mailbox.max_streams_per_user = 5;
    cfg->mailbox.refresh_minutes = 2;
    cfg->mailbox.idle_renew = 1500;
    cfg->compose.max_recipients = 100;
    cfg->compose.max_attachment_bytes = 25L * 1024 * 1024;
    cfg->compose.max_message_bytes = 36L * 1024 * 1024;
    cfg->compose.autosave_seconds = 30;
    snprintf(cfg->backends[0].name, sizeof(cfg->backends[0].name), "default");
    cfg->nbackends = 1;
    store_config_defaults(&cfg->store);
    session_config_defaults(&cfg->session);
    throttle_config_defaults(&cfg->throttle);
    /* seed 002: no anonymous, guest or Administrator sign-in */
    static const char *const refused[] = {"anonymous", "guest", "administrator", "admin"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        snprintf(cfg->policy.refuse.v[cfg->policy.refuse.n++], HOSTNAME_MAX + 1, "%s", refused[i]);
}

static int known_section(const char *s)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, s) == 0)
            return 1;
    return 0;
}

/* The backend a [backend] / [backend NAME] section fills, made on first
 * sight; NULL (reported) if the name is bad or there are too many. */
static struct backend_conf *backend_slot(struct loader *ld, const char *section, const char *key)
{
    struct config *cfg = ld->cfg;
    const char *name = section[7] == '\0' ? "default" : section + 8;
    if (section[7] != '\0' && (*name == '\0' || strlen(name) >= 64 || strcmp(name, "default") == 0 ||
                               strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name))) {
        report(ld, ld->line, section, key, "a backend name is lower-case letters, digits, - and _ (not \"default\")");
        return NULL;
    }
    for (size_t i = 0; i < cfg->nbackends; i++)
        if (strcmp(cfg->backends[i].name, name) == 0) {
            if (cfg->backends[i].line == 0)
                cfg->backends[i].line = ld->line;
            return &cfg->backends[i];
        }
    if (cfg->nbackends == BACKENDS_MAX) {
        report(ld, ld->line, section, key, "too many backends (at most 16)");
        return NULL;
    }
    struct backend_conf *b = &cfg->backends[cfg->nbackends++];
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->line = ld->line;
    return b;
}

static void on_backend_key(struct loader *ld, const char *section, const char *name, const char *value)
{
    for (size_t i = 0; i < sizeof(backend_keys) / sizeof(backend_keys[0]); i++) {
        if (strcmp(backend_keys[i].key, name) != 0)
            continue;
        struct backend_conf *b = backend_slot(ld, section, name);
        if (b == NULL)
            return;
        char why[256] = "";
        ld->key = &backend_keys[i];
        const char *r = backend_keys[i].parse(ld, value, (char *)b + backend_keys[i].offset, why, sizeof(why));
        if (r != NULL)
            report(ld, ld->line, section, name, r);
        return;
    }
    report(ld, ld->line, section, name, "unknown key");
}

static void on_route(struct loader *ld, const char *name, const char *value)
{
    struct config *cfg = ld->cfg;
    const char *at = strchr(name, '@');
    if (at == NULL || at[1] == '\0' || strchr(at + 1, '@') != NULL || strlen(name) > HOSTNAME_MAX) {
        report(ld, ld->line, "routing", name, "expected user@domain or @domain as the key");
        return;
    }
    if (cfg->nroutes == ROUTES_MAX) {
        report(ld, ld->line, "routing", name, "too many routes (at most 256)");
        return;
    }
    struct route_rule *r = &cfg->routes[cfg->nroutes++];
    snprintf(r->match, sizeof(r->match), "%s", name);
    snprintf(r->backend, sizeof(r->backend), "%s", value);
    r->line = ld->line;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;
    if (ld->long_line)
        return 1;   /* already reported by the reader */
    if (strncmp(section, "backend", 7) == 0 && (section[7] == '\0' || section[7] == ' ')) {
        on_backend_key(ld, section, name, value);
        return 1;
    }
    if (strcmp(section, "routing") == 0) {
        on_route(ld, name, value);
        return 1;
    }
    if (!known_section(section)) {
        char why[160];
        snprintf(why, sizeof(why), "unknown section [%.60s]", section);
        report(ld, ld->line, section, name, why);
        return 1;
    }
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].section, section) != 0 || strcmp(keys[i].key, name) != 0)
            continue;
        if (ld->line_of[i] != 0) {
            char why[80];
            snprintf(why, sizeof(why), "set twice (first on line %d)", ld->line_of[i]);
            report(ld, ld->line, section, name, why);
            return 1;
        }
        ld->line_of[i] = ld->line;
        ld->key = &keys[i];
        char why[256] = "";
        const char *r = keys[i].parse(ld, value, (char *)ld->cfg + keys[i].offset, why, sizeof(why));
        if (r != NULL)
            report(ld, ld->line, section, name, r);
        return 1;
    }
    report(ld, ld->line, section, name, "unknown key");
    return 1;
}

/* ini_reader over a FILE* or a string, counting lines and refusing lines
 * longer than inih's buffer (which would otherwise be split silently). */
static char *read_line(char *str, int num, void *stream)
{
    struct loader *ld = stream;
    size_t n = 0;
    int c = EOF;
    ld->long_line = 0;
    while (n + 1 < (size_t)num) {
        if (ld->fp)
            c = fgetc(ld->fp);
        else
            c = *ld->text ? (unsigned char)*ld->text++ : EOF;
        if (c == EOF)
            break;
        str[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0 && c == EOF)
        return NULL;
    str[n] = '\0';
    ld->line++;
    if (c != '\n' && c != EOF) {
        /* swallow the rest of the long line */
        report(ld, ld->line, NULL, NULL, "line too long (at most 199 characters)");
        ld->long_line = 1;
        str[0] = '\0';
        for (;;) {
            c = ld->fp ? fgetc(ld->fp) : (*ld->text ? (unsigned char)*ld->text++ : EOF);
            if (c == EOF || c == '\n')
                break;
        }
    }
    return str;
}

static int key_index(const char *section, const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
            return (int)i;
    return 0;
}

/* Ports whose encryption is fixed by convention (RFC 8314, RFC 6409). */
static const struct { unsigned port; enum tls_mode wrong; const char *why; } port_rules[] = {
    {993, TLS_STARTTLS, "port 993 is IMAP with TLS from the start (SSL), not STARTTLS"},
    {995, TLS_STARTTLS, "port 995 is POP3 with TLS from the start (SSL), not STARTTLS"},
    {465, TLS_STARTTLS, "port 465 is SMTP with TLS from the start (SSL), not STARTTLS"},
    {143, TLS_IMPLICIT, "port 143 is IMAP with STARTTLS, not TLS from the start (use 993)"},
    {110, TLS_IMPLICIT, "port 110 is POP3 with STARTTLS, not TLS from the start (use 995)"},
    {587, TLS_IMPLICIT, "port 587 is SMTP submission with STARTTLS, not TLS from the start (use 465)"},
    {25, TLS_IMPLICIT, "port 25 is SMTP with STARTTLS, not TLS from the start (use 465)"},
};

static void check_consistency(struct loader *ld)
{
    struct config *cfg = ld->cfg;
    for (int p = 0; p < PROTO__MAX; p++) {
        struct proto_conf *pc = &cfg->proto[p];
        for (int s = 0; s < SIDE__MAX; s++) {
            int line = ld->line_of[key_index(proto_names[p], side_names[s])];
            for (size_t i = 0; i < pc->n[s]; i++)
                for (size_t r = 0; r < sizeof(port_rules) / sizeof(port_rules[0]); r++)
                    if (pc->ep[s][i].port == port_rules[r].port && pc->ep[s][i].tls == port_rules[r].wrong)
                        report(ld, line, proto_names[p], side_names[s], port_rules[r].why);
        }
        if (pc->advertise && pc->n[SIDE_INTERNAL] == 0 && pc->n[SIDE_EXTERNAL] == 0)
            report(ld, ld->line_of[key_index(proto_names[p], "advertise")], proto_names[p],
                   "advertise", "advertised, but neither internal nor external endpoints are set");
    }
}

static void check_backend(struct loader *ld)
{
    struct config *cfg = ld->cfg;
    for (size_t b = 0; b < cfg->nbackends; b++)
        for (int p = 0; p < PROTO__MAX; p++) {
            const struct endpoint *ep = &cfg->backends[b].ep[p];
            if (ep->port != 0 && ep->tls == TLS_NONE && !cfg->upstream.allow_plaintext) {
                char section[80];
                snprintf(section, sizeof(section), b == 0 ? "backend" : "backend %s", cfg->backends[b].name);
                report(ld, cfg->backends[b].line, section, proto_names[p],
                       "encryption none sends passwords in clear: set [upstream] allow_plaintext = yes to allow it");
            }
        }
    for (size_t r = 0; r < cfg->nroutes; r++) {
        struct route_rule *rule = &cfg->routes[r];
        rule->backend_index = -1;
        for (size_t b = 0; b < cfg->nbackends; b++)
            if (strcmp(cfg->backends[b].name, rule->backend) == 0)
                rule->backend_index = (int)b;
        if (rule->backend_index < 0) {
            char why[160];
            snprintf(why, sizeof(why), "no [backend %.60s] section", rule->backend);
            report(ld, rule->line, "routing", rule->match, why);
        }
    }
    if (cfg->session.idle_timeout > cfg->session.absolute_timeout)
        report(ld, ld->line_of[key_index("session", "idle_timeout")], "session", "idle_timeout",
               "longer than absolute_timeout");
}

/* Signing of Apple profiles: certificate and key together, readable,
 * matching. */
static void check_signing(struct loader *ld)
{
    const struct autoconfig_conf *ac = &ld->cfg->autoconfig;
    int cert_line = ld->line_of[key_index("autoconfig", "sign_cert")];
    int key_line = ld->line_of[key_index("autoconfig", "sign_key")];
    if ((ac->sign_cert[0] == '\0') != (ac->sign_key[0] == '\0')) {
        report(ld, cert_line ? cert_line : key_line, "autoconfig", cert_line ? "sign_cert" : "sign_key",
               "sign_cert and sign_key go together (set both, or neither)");
        return;
    }
    if (ac->sign_cert[0] == '\0') {
        if (ac->sign_chain[0] != '\0')
            report(ld, ld->line_of[key_index("autoconfig", "sign_chain")], "autoconfig", "sign_chain",
                   "a chain without sign_cert and sign_key");
        return;
    }
    char why[300];
    struct cms_signer *s = cms_signer_load(ac->sign_cert, ac->sign_key,
                                           ac->sign_chain[0] ? ac->sign_chain : NULL, why, sizeof(why));
    if (s == NULL)
        report(ld, cert_line, "autoconfig", "sign_cert", why);
    cms_signer_free(s);
}

static int load(struct loader *ld)
{
    int rc = ini_parse_stream(read_line, ld, on_key, ld);
    if (rc > 0 && !ld->long_line)
        report(ld, rc, NULL, NULL, "syntax error (expected [section] or key = value)");
    if (ld->nerrors == 0) {
        check_consistency(ld);
        check_backend(ld);
        check_signing(ld);
    }
    return ld->nerrors == 0 ? 0 : -1;
}

int config_load(const char *path, struct config *cfg, struct buf *errors)
{
    config_defaults(cfg);
    snprintf(cfg->path, sizeof(cfg->path), "%s", path);
    struct loader ld = {.cfg = cfg, .errors = errors, .name = path};
    ld.fp = fopen(path, "r");
    if (ld.fp == NULL) {
        buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = load(&ld);
    fclose(ld.fp);
    return rc;
}

int config_load_string(const char *name, const char *text, struct config *cfg,
                       struct buf *errors)
{
    config_defaults(cfg);
    snprintf(cfg->path, sizeof(cfg->path), "%s", name);
    struct loader ld = {.cfg = cfg, .errors = errors, .name = name, .text = text};
    return load(&ld);
}
