/* autoconfig.c — see autoconfig.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "xmlwrite.h"

static const char *const socket_types[TLS__MAX] = {"SSL", "STARTTLS", "plain"};
static const char *const placeholders[USERNAME__MAX] = {"%EMAILADDRESS%", "%EMAILLOCALPART%"};

const char *autoconfig_socket_type(enum tls_mode m)
{
    return socket_types[m];
}

/* One <incomingServer> or <outgoingServer>. */
static void server(struct xw *w, const struct client_file *f, enum proto p,
                   const struct endpoint *ep)
{
    static const char *const types[PROTO__MAX] = {"imap", "pop3", "smtp"};
    const struct settings_proto *sp = &f->view->proto[p];
    bool auth = p != PROTO_SMTP || sp->auth_required;
    char local[256];
    xw_open(w, p == PROTO_SMTP ? "outgoingServer" : "incomingServer");
    xw_attr(w, "type", types[p]);
    xw_elem(w, "hostname", ep->host);
    xw_elem_uint(w, "port", ep->port);
    xw_elem(w, "socketType", socket_types[ep->tls]);
    xw_elem(w, "authentication", auth ? "password-cleartext" : "none");
    if (auth)
        xw_elem(w, "username", f->address != NULL
                ? settings_login_name(sp->username, f->address, local, sizeof(local))
                : placeholders[sp->username]);
    if (p == PROTO_POP3) {
        xw_open(w, "pop3");
        xw_elem(w, "leaveMessagesOnServer", "true");
        xw_elem(w, "downloadOnBiff", "true");
        xw_close(w);
    }
    xw_close(w);
}

static void servers(struct xw *w, const struct client_file *f, enum proto p)
{
    const struct endpoint *eps[SETTINGS_FILE_ENDPOINTS_MAX];
    size_t n = settings_file_endpoints(f->view, p, eps);
    for (size_t i = 0; i < n; i++)
        server(w, f, p, eps[i]);
}

/* <enable visiturl=...> for the protocols switched off for this user. */
static void disabled_note(struct xw *w, const struct client_file *f)
{
    char text[300] = "";
    for (int p = PROTO_IMAP; p <= PROTO_POP3; p++) {
        const struct settings_proto *sp = &f->view->proto[p];
        if (sp->advertised && !sp->enabled)
            snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", text[0] ? " and " : "",
                     proto_label((enum proto)p));
    }
    if (text[0] == '\0' || f->origin[0] == '\0')
        return;
    char url[400], sentence[500];
    snprintf(url, sizeof(url), "%s/account/settings", f->origin);
    snprintf(sentence, sizeof(sentence),
             "%s access is switched off for your mailbox. Your settings page says what you can use; "
             "ask your administrator if you need it.", text);
    xw_open(w, "enable");
    xw_attr(w, "visiturl", url);
    xw_elem_attr(w, "instruction", "lang", "en", sentence);
    xw_close(w);
}

int autoconfig_write(const struct client_file *f, struct buf *out)
{
    if (!settings_offered(f->view, PROTO_IMAP) && !settings_offered(f->view, PROTO_POP3))
        return -1;
    const char *at = f->address ? strrchr(f->address, '@') : NULL;
    const char *domains[NAME_LIST_MAX + ROUTES_MAX + 1];
    size_t nd = at ? 1 : settings_domains(f->cfg, domains, sizeof(domains) / sizeof(domains[0]));
    if (at)
        domains[0] = at + 1;
    struct xw w;
    xw_begin(&w, out);
    xw_open(&w, "clientConfig");
    xw_attr(&w, "version", "1.1");
    xw_open(&w, "emailProvider");
    xw_attr(&w, "id", domains[0]);
    for (size_t i = 0; i < nd; i++)
        xw_elem(&w, "domain", domains[i]);
    xw_elem(&w, "displayName", f->cfg->site_name);
    xw_elem(&w, "displayShortName", f->cfg->site_name);
    servers(&w, f, PROTO_IMAP);
    servers(&w, f, PROTO_POP3);
    servers(&w, f, PROTO_SMTP);
    disabled_note(&w, f);
    if (f->origin[0] != '\0') {
        char url[400];
        snprintf(url, sizeof(url), "%s/settings", f->origin);
        xw_open(&w, "documentation");
        xw_attr(&w, "url", url);
        xw_elem_attr(&w, "descr", "lang", "en", "Settings for POP or IMAP access");
        xw_close(&w);
    }
    xw_end(&w);
    return 0;
}
