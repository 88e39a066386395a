/* settings.c — see settings.h. */
#include "settings.h"

#include <string.h>

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
