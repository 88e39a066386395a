/* autodiscover.c — see autodiscover.h. */
#include "autodiscover.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "validate.h"
#include "xmlscan.h"
#include "xmlwrite.h"

static const char *const encryption[TLS__MAX] = {"SSL", "TLS", "None"};
static const char *const types[PROTO__MAX] = {"IMAP", "POP3", "SMTP"};

const char *autodiscover_encryption(enum tls_mode m)
{
    return encryption[m];
}

/* ---- the request ---- */

enum field { F_NONE, F_EMAIL, F_SCHEMA };

struct req_state {
    enum field in;              /* the element whose text we collect */
    bool in_request;
    const char *email, *schema;
    int n_email, n_schema;
    const char *why;
    enum ad_status status;
};

static int refuse(struct req_state *st, enum ad_status status, const char *why)
{
    st->status = status;
    st->why = why;
    return 1;
}

static int on_start(struct req_state *st, const struct xml_item *it)
{
    if (it->depth == 1) {
        if (strcmp(it->local, "Autodiscover") != 0)
            return refuse(st, AD_INVALID, "the root element is not Autodiscover");
        if (strcmp(it->ns, AD_NS_REQUEST) != 0)
            return refuse(st, strstr(it->ns, "/autodiscover/") ? AD_PROVIDER : AD_INVALID,
                          "the request is not in the Outlook request namespace");
        return 0;
    }
    if (strcmp(it->ns, AD_NS_REQUEST) != 0)
        return 0;   /* foreign elements are ignored */
    if (it->depth == 2 && strcmp(it->local, "Request") == 0)
        st->in_request = true;
    if (it->depth == 3 && st->in_request) {
        if (strcmp(it->local, "EMailAddress") == 0) {
            st->in = F_EMAIL;
            st->n_email++;
        } else if (strcmp(it->local, "AcceptableResponseSchema") == 0) {
            st->in = F_SCHEMA;
            st->n_schema++;
        }
    }
    return 0;
}

/* Text without surrounding white space, in the arena. */
static const char *trimmed(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

struct req_ctx {
    struct arena *a;
    struct req_state st;
};

static int on_item(void *ctx, const struct xml_item *it)
{
    struct req_ctx *c = ctx;
    struct req_state *st = &c->st;
    switch (it->event) {
    case XML_START:
        return on_start(st, it);
    case XML_END:
        if (it->depth == 2)
            st->in_request = false;
        if (it->depth == 3)
            st->in = F_NONE;
        return 0;
    case XML_TEXT:
        if (st->in == F_EMAIL && it->depth == 3)
            st->email = trimmed(c->a, it->text, it->text_len);
        else if (st->in == F_SCHEMA && it->depth == 3)
            st->schema = trimmed(c->a, it->text, it->text_len);
        return 0;
    }
    return 0;
}

enum ad_status autodiscover_parse(struct arena *a, const char *body, size_t len,
                                  const char **email_r, const char **error_r)
{
    struct req_ctx c = {.a = a};
    struct xml_limits lim;
    xml_limits_default(&lim);
    lim.max_depth = 8;
    lim.max_elements = 64;
    lim.max_text = 1024;
    const char *why = NULL;
    if (len > AD_BODY_MAX) {
        *error_r = "the request is larger than any Autodiscover request";
        return AD_INVALID;
    }
    int r = xml_scan(a, body, len, &lim, on_item, &c, &why);
    if (r < 0) {
        *error_r = arena_printf(a, "malformed XML: %s", why);
        return AD_INVALID;
    }
    if (r > 0) {
        *error_r = c.st.why;
        return c.st.status;
    }
    if (c.st.n_email != 1 || c.st.email == NULL) {
        *error_r = c.st.n_email > 1 ? "more than one EMailAddress" : "no Request/EMailAddress";
        return AD_INVALID;
    }
    if (c.st.n_schema > 1) {
        *error_r = "more than one AcceptableResponseSchema";
        return AD_INVALID;
    }
    if (c.st.schema != NULL && strcmp(c.st.schema, AD_NS_OUTLOOK) != 0) {
        *error_r = "a response schema other than Outlook's 2006a";
        return AD_PROVIDER;
    }
    struct valid_value v;
    if (!valid_email(a, c.st.email, strlen(c.st.email), &v)) {
        *error_r = "EMailAddress is not an email address";
        return AD_INVALID;
    }
    *email_r = v.str;
    return AD_OK;
}

/* ---- the answers ---- */

static void protocol(struct xw *w, const struct client_file *f, enum proto p,
                     const struct endpoint *ep)
{
    const struct settings_proto *sp = &f->view->proto[p];
    bool auth = p != PROTO_SMTP || sp->auth_required;
    char local[256];
    xw_open(w, "Protocol");
    xw_elem(w, "Type", types[p]);
    xw_elem(w, "Server", ep->host);
    xw_elem_uint(w, "Port", ep->port);
    xw_elem(w, "LoginName", settings_login_name(sp->username, f->address, local, sizeof(local)));
    xw_elem(w, "DomainRequired", "off");
    xw_elem(w, "SPA", "off");
    xw_elem(w, "SSL", ep->tls == TLS_NONE ? "off" : "on");
    xw_elem(w, "Encryption", encryption[ep->tls]);
    xw_elem(w, "AuthRequired", auth ? "on" : "off");
    if (p == PROTO_SMTP) {
        xw_elem(w, "UsePOPAuth", auth ? "on" : "off");
        xw_elem(w, "SMTPLast", "off");
    }
    xw_close(w);
}

enum ad_status autodiscover_write(const struct client_file *f, struct buf *out)
{
    if (!settings_offered(f->view, PROTO_IMAP) && !settings_offered(f->view, PROTO_POP3))
        return AD_NO_SETTINGS;
    struct xw w;
    xw_begin(&w, out);
    xw_open(&w, "Autodiscover");
    xw_attr(&w, "xmlns", AD_NS_RESPONSE);
    xw_open(&w, "Response");
    xw_attr(&w, "xmlns", AD_NS_OUTLOOK);
    xw_open(&w, "User");
    xw_elem(&w, "DisplayName", f->address);
    xw_elem(&w, "AutoDiscoverSMTPAddress", f->address);
    xw_close(&w);
    xw_open(&w, "Account");
    xw_elem(&w, "AccountType", "email");
    xw_elem(&w, "Action", "settings");
    for (int p = 0; p < PROTO__MAX; p++) {
        const struct endpoint *eps[SETTINGS_FILE_ENDPOINTS_MAX];
        size_t n = settings_file_endpoints(f->view, (enum proto)p, eps);
        for (size_t i = 0; i < n; i++)
            protocol(&w, f, (enum proto)p, eps[i]);
    }
    xw_end(&w);
    return AD_OK;
}

void autodiscover_write_error(enum ad_status code, const struct timespec *now, unsigned id,
                              struct buf *out)
{
    static const struct { enum ad_status code; const char *message; } messages[] = {
        {AD_NOT_FOUND, "The email address can't be found."},
        {AD_NO_SETTINGS, "No mail settings are available for this email address."},
        {AD_INVALID, "Invalid Request"},
        {AD_PROVIDER, "Provider is not available"},
        {AD_INTERNAL, "Internal server error"},
    };
    const char *message = "Invalid Request";
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
        if (messages[i].code == code)
            message = messages[i].message;
    struct tm tm;
    gmtime_r(&now->tv_sec, &tm);
    char when[32], num[16], sid[16];
    snprintf(when, sizeof(when), "%02d:%02d:%02d.%07ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
             now->tv_nsec / 100);
    snprintf(num, sizeof(num), "%d", (int)code);
    snprintf(sid, sizeof(sid), "%u", id);
    struct xw w;
    xw_begin(&w, out);
    xw_open(&w, "Autodiscover");
    xw_attr(&w, "xmlns", AD_NS_RESPONSE);
    xw_open(&w, "Response");
    if (code == AD_NOT_FOUND || code == AD_NO_SETTINGS)
        xw_attr(&w, "xmlns", AD_NS_OUTLOOK);
    xw_open(&w, "Error");
    xw_attr(&w, "Time", when);
    xw_attr(&w, "Id", sid);
    xw_elem(&w, "ErrorCode", num);
    xw_elem(&w, "Message", message);
    xw_empty(&w, "DebugData");
    xw_end(&w);
}
