/* settings.c — see settings.h. */
#include "settings.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "routing.h"

static const char *const tls_labels[TLS__MAX] = {"SSL/TLS", "STARTTLS", "None"};
static const char *const tls_sentences[TLS__MAX] = {
    "Encrypted from the first byte (implicit TLS).",
    "Starts unencrypted, then switches to TLS before the password is sent.",
    "Not encrypted: use only inside a trusted network.",
};
static const char *const proto_labels[PROTO__MAX] = {"IMAP4", "POP3", "SMTP"};

const char *tls_mode_label(enum tls_mode m) { return tls_labels[m]; }
const char *tls_mode_sentence(enum tls_mode m) { return tls_sentences[m]; }
const char *proto_label(enum proto p) { return proto_labels[p]; }

/* The right-most X-Forwarded-For entry that is not a trusted proxy, copied
 * into out; 0 if found. */
static int xff_client(const struct config *cfg, const char *xff, char *out, size_t cap)
{
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t b = start, e = end;
        while (b < e && (xff[b] == ' ' || xff[b] == '\t'))
            b++;
        while (e > b && (xff[e - 1] == ' ' || xff[e - 1] == '\t'))
            e--;
        if (e - b == 0 || e - b >= cap)
            return -1;
        memcpy(out, xff + b, e - b);
        out[e - b] = '\0';
        if (!cidr_list_match(&cfg->trusted_proxies, out))
            return 0;
        end = start > 0 ? start - 1 : 0;
    }
    return -1;
}

enum side settings_client_side(const struct config *cfg, const char *remote_addr,
                               const char *xff)
{
    const char *client = remote_addr;
    char from_xff[64];
    if (xff != NULL && *xff != '\0' && cidr_list_match(&cfg->trusted_proxies, remote_addr)) {
        if (xff_client(cfg, xff, from_xff, sizeof(from_xff)) < 0)
            return SIDE_EXTERNAL;
        client = from_xff;
    }
    return cidr_list_match(&cfg->internal_networks, client) ? SIDE_INTERNAL : SIDE_EXTERNAL;
}

void settings_build(const struct config *cfg, enum side client, enum show_mode force,
                    struct settings_view *view)
{
    memset(view, 0, sizeof(*view));
    view->client_side = client;
    /* What this client may see: internal clients see everything; external
     * clients see internal names only if the admin publishes them to all. */
    bool pub_internal = cfg->show == SHOW_BOTH || cfg->show == SHOW_INTERNAL;
    view->allowed[SIDE_INTERNAL] = client == SIDE_INTERNAL || pub_internal;
    view->allowed[SIDE_EXTERNAL] = true;
    enum show_mode mode = force != SHOW_AUTO ? force : cfg->show;
    switch (mode) {
    case SHOW_AUTO: view->show[client] = true; break;
    case SHOW_BOTH: view->show[SIDE_INTERNAL] = view->show[SIDE_EXTERNAL] = true; break;
    case SHOW_INTERNAL: view->show[SIDE_INTERNAL] = true; break;
    case SHOW_EXTERNAL: view->show[SIDE_EXTERNAL] = true; break;
    case SHOW__MAX: break;
    }
    for (int s = 0; s < SIDE__MAX; s++)
        view->show[s] = view->show[s] && view->allowed[s];
    if (!view->show[SIDE_INTERNAL] && !view->show[SIDE_EXTERNAL])
        view->show[SIDE_EXTERNAL] = true;
    for (int p = 0; p < PROTO__MAX; p++) {
        const struct proto_conf *pc = &cfg->proto[p];
        struct settings_proto *sp = &view->proto[p];
        sp->proto = (enum proto)p;
        sp->advertised = pc->advertise;
        sp->enabled = true;
        sp->username = pc->username;
        sp->auth_required = pc->auth_required;
        for (int s = 0; s < SIDE__MAX; s++) {
            sp->ep[s] = pc->ep[s];
            sp->n[s] = pc->advertise ? pc->n[s] : 0;
        }
    }
}

void settings_for_user(const struct config *cfg, const char *login, struct settings_view *view)
{
    const struct backend_conf *be = routing_backend(cfg, login);
    bool named = be != &cfg->backends[0];
    bool refused = policy_account_refused(cfg, login);
    for (int p = 0; p < PROTO__MAX; p++) {
        struct settings_proto *sp = &view->proto[p];
        bool mailbox_proto = p == PROTO_IMAP || p == PROTO_POP3;
        sp->enabled = policy_proto_enabled(cfg, login, (enum proto)p);
        if (mailbox_proto && (refused || (named && be->ep[p].port == 0)))
            sp->enabled = false;
    }
}

bool settings_offered(const struct settings_view *view, enum proto p)
{
    const struct settings_proto *sp = &view->proto[p];
    if (!sp->advertised || !sp->enabled)
        return false;
    for (int s = 0; s < SIDE__MAX; s++)
        if (view->show[s] && sp->n[s] > 0)
            return true;
    return false;
}

static bool same_endpoint(const struct endpoint *a, const struct endpoint *b)
{
    return a->port == b->port && a->tls == b->tls && strcasecmp(a->host, b->host) == 0;
}

size_t settings_file_endpoints(const struct settings_view *view, enum proto p,
                               const struct endpoint *out[])
{
    if (!settings_offered(view, p))
        return 0;
    const struct settings_proto *sp = &view->proto[p];
    enum side order[SIDE__MAX] = {view->client_side,
                                  view->client_side == SIDE_INTERNAL ? SIDE_EXTERNAL : SIDE_INTERNAL};
    size_t n = 0;
    for (int k = 0; k < SIDE__MAX; k++) {
        enum side s = order[k];
        if (!view->show[s])
            continue;
        for (size_t i = 0; i < sp->n[s] && n < SETTINGS_FILE_ENDPOINTS_MAX; i++) {
            bool dup = false;
            for (size_t j = 0; j < n; j++)
                dup = dup || same_endpoint(out[j], &sp->ep[s][i]);
            if (!dup)
                out[n++] = &sp->ep[s][i];
        }
    }
    return n;
}

size_t settings_domains(const struct config *cfg, const char *out[], size_t max)
{
    size_t n = 0;
    const char *cand[NAME_LIST_MAX + ROUTES_MAX + 1];
    size_t nc = 0;
    if (cfg->autoconfig.domains.n > 0) {
        for (size_t i = 0; i < cfg->autoconfig.domains.n; i++)
            cand[nc++] = cfg->autoconfig.domains.v[i];
    } else {
        cand[nc++] = cfg->mail_domain;
        for (size_t i = 0; i < cfg->nroutes; i++)
            if (cfg->routes[i].match[0] == '@')
                cand[nc++] = cfg->routes[i].match + 1;
    }
    for (size_t i = 0; i < nc && n < max; i++) {
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup = dup || strcasecmp(out[j], cand[i]) == 0;
        if (!dup)
            out[n++] = cand[i];
    }
    return n;
}

bool settings_domain_served(const struct config *cfg, const char *domain)
{
    const char *d[NAME_LIST_MAX + ROUTES_MAX + 1];
    size_t n = settings_domains(cfg, d, sizeof(d) / sizeof(d[0]));
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(d[i], domain) == 0)
            return true;
    return false;
}

const char *settings_login_name(enum username_form f, const char *address, char *buf, size_t cap)
{
    const char *at = strrchr(address, '@');
    if (f != USERNAME_LOCALPART || at == NULL)
        return address;
    snprintf(buf, cap, "%.*s", (int)(at - address), address);
    return buf;
}
