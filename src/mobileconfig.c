/* mobileconfig.c — see mobileconfig.h. */
#include "mobileconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "xmlwrite.h"

/* postern's namespace for version-5 UUIDs (a fixed random UUID). */
static const unsigned char uuid_ns[16] = {
    0x5b, 0x0e, 0x7a, 0x51, 0x3c, 0x2d, 0x4e, 0x8f, 0x9a, 0x61, 0x0d, 0x47, 0xc2, 0x93, 0xb8, 0x1e,
};

void mobileconfig_uuid(const char *name, char out[37])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, uuid_ns, sizeof(uuid_ns)) != 1 ||
        EVP_DigestUpdate(ctx, name, strlen(name)) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
        memset(md, 0, sizeof(md));
    EVP_MD_CTX_free(ctx);
    md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);   /* version 5 */
    md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);   /* RFC 9562 variant */
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        o += snprintf(o, 3, "%02X", md[i]);
    }
    *o = '\0';
}

int mobileconfig_incoming(const struct settings_view *view, enum proto want)
{
    enum proto other = want == PROTO_POP3 ? PROTO_IMAP : PROTO_POP3;
    if (want != PROTO_SMTP && settings_offered(view, want))
        return want;
    if (settings_offered(view, other))
        return other;
    return -1;
}

const struct endpoint *mobileconfig_endpoint(const struct settings_view *view, enum proto p)
{
    static const enum tls_mode prefer[TLS__MAX] = {TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE};
    const struct endpoint *eps[SETTINGS_FILE_ENDPOINTS_MAX];
    size_t n = settings_file_endpoints(view, p, eps);
    for (int k = 0; k < TLS__MAX; k++)
        for (size_t i = 0; i < n; i++)
            if (eps[i]->tls == prefer[k])
                return eps[i];
    return NULL;
}

/* ---- plist helpers: <key>k</key> then a value ---- */

static void kv_string(struct xw *w, const char *key, const char *value)
{
    xw_elem(w, "key", key);
    xw_elem_attr(w, "string", NULL, NULL, value);
}

static void kv_int(struct xw *w, const char *key, unsigned long n)
{
    xw_elem(w, "key", key);
    xw_elem_uint(w, "integer", n);
}

static void kv_bool(struct xw *w, const char *key, bool b)
{
    xw_elem(w, "key", key);
    xw_empty(w, b ? "true" : "false");
}

/* The UUID of payload kind for f's user: on the mail domain and the
 * address, case-folded (ASCII), so it never changes for one person. */
static void payload_uuid(const struct client_file *f, const char *kind, char out[37])
{
    char name[600];
    snprintf(name, sizeof(name), "%s:%s:%s", kind, f->cfg->mail_domain, f->address ? f->address : "");
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    mobileconfig_uuid(name, out);
}

/* "example.co.uk" -> "uk.co.example" */
static void reverse_dns(const char *domain, char *out, size_t cap)
{
    out[0] = '\0';
    const char *end = domain + strlen(domain);
    while (end > domain) {
        const char *dot = end;
        while (dot > domain && dot[-1] != '.')
            dot--;
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%.*s", len ? "." : "", (int)(end - dot), dot);
        end = dot > domain ? dot - 1 : domain;
    }
    for (char *c = out; *c; c++)
        *c = (char)tolower((unsigned char)*c);
}

/* The account payload's server keys for one side (Incoming/Outgoing). */
static void server_keys(struct xw *w, const struct client_file *f, const char *side, enum proto p,
                        const struct endpoint *ep)
{
    const struct settings_proto *sp = &f->view->proto[p];
    bool auth = p != PROTO_SMTP || sp->auth_required;
    char key[64], local[256];
    snprintf(key, sizeof(key), "%sMailServerAuthentication", side);
    kv_string(w, key, auth ? "EmailAuthPassword" : "EmailAuthNone");
    snprintf(key, sizeof(key), "%sMailServerHostName", side);
    kv_string(w, key, ep->host);
    snprintf(key, sizeof(key), "%sMailServerPortNumber", side);
    kv_int(w, key, ep->port);
    snprintf(key, sizeof(key), "%sMailServerUseSSL", side);
    kv_bool(w, key, ep->tls != TLS_NONE);
    if (auth && f->address != NULL) {
        snprintf(key, sizeof(key), "%sMailServerUsername", side);
        kv_string(w, key, settings_login_name(sp->username, f->address, local, sizeof(local)));
    }
}

static void mail_payload(struct xw *w, const struct client_file *f, enum proto in,
                         const char *id_base, const char *who)
{
    char uuid[37], text[600];
    const struct config *cfg = f->cfg;
    xw_open(w, "dict");
    kv_string(w, "EmailAccountDescription", cfg->site_name);
    kv_string(w, "EmailAccountType", in == PROTO_POP3 ? "EmailTypePOP" : "EmailTypeIMAP");
    if (f->address != NULL)
        kv_string(w, "EmailAddress", f->address);
    server_keys(w, f, "Incoming", in, mobileconfig_endpoint(f->view, in));
    server_keys(w, f, "Outgoing", PROTO_SMTP, mobileconfig_endpoint(f->view, PROTO_SMTP));
    kv_bool(w, "OutgoingPasswordSameAsIncomingPassword", f->view->proto[PROTO_SMTP].auth_required);
    snprintf(text, sizeof(text), "The %s email account of %s.", proto_label(in), who);
    kv_string(w, "PayloadDescription", text);
    snprintf(text, sizeof(text), "%s (%s)", cfg->site_name, proto_label(in));
    kv_string(w, "PayloadDisplayName", text);
    payload_uuid(f, "mail", uuid);
    snprintf(text, sizeof(text), "%s.mail.%s", id_base, uuid);
    kv_string(w, "PayloadIdentifier", text);
    kv_string(w, "PayloadType", "com.apple.mail.managed");
    kv_string(w, "PayloadUUID", uuid);
    kv_int(w, "PayloadVersion", 1);
    kv_bool(w, "PreventAppSheet", false);
    kv_bool(w, "PreventMove", false);
    kv_bool(w, "SMIMEEnabled", false);
    xw_close(w);
}

int mobileconfig_write(const struct client_file *f, enum proto in, struct buf *out,
                       const char **why_r)
{
    if (in == PROTO_SMTP || !settings_offered(f->view, in)) {
        *why_r = "No incoming mail server (IMAP4 or POP3) is published for this mailbox.";
        return -1;
    }
    if (!settings_offered(f->view, PROTO_SMTP)) {
        *why_r = "No outgoing mail server (SMTP) is published, and Apple's profiles need one.";
        return -1;
    }
    const struct config *cfg = f->cfg;
    char base[300], uuid[37], text[600];
    reverse_dns(cfg->mail_domain, base, sizeof(base) - 10);
    size_t bl = strlen(base);
    snprintf(base + bl, sizeof(base) - bl, ".postern");
    const char *who = f->address ? f->address : "your mailbox";
    struct xw w;
    xw_begin(&w, out);
    xw_raw_line(&w, "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">");
    xw_open(&w, "plist");
    xw_attr(&w, "version", "1.0");
    xw_open(&w, "dict");
    xw_elem(&w, "key", "PayloadContent");
    xw_open(&w, "array");
    mail_payload(&w, f, in, base, who);
    xw_close(&w);
    snprintf(text, sizeof(text), "Sets up %s on this device for %s. It holds no password: "
             "Mail asks for it.", who, cfg->site_name);
    kv_string(&w, "PayloadDescription", text);
    kv_string(&w, "PayloadDisplayName", cfg->site_name);
    payload_uuid(f, "profile", uuid);
    snprintf(text, sizeof(text), "%s.%s", base, uuid);
    kv_string(&w, "PayloadIdentifier", text);
    kv_string(&w, "PayloadOrganization", cfg->site_name);
    kv_bool(&w, "PayloadRemovalDisallowed", false);
    kv_string(&w, "PayloadType", "Configuration");
    kv_string(&w, "PayloadUUID", uuid);
    kv_int(&w, "PayloadVersion", 1);
    xw_end(&w);
    return 0;
}
