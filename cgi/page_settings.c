/* page_settings.c — "Settings for POP or IMAP access" (GET /settings).
 *
 * A view of src/settings: for each side the client may see (internal,
 * external), the IMAP4, POP3 and SMTP endpoints the admin advertises, in
 * preference order, with encryption and the user-name form; a plain
 * sentence where a protocol is not published. Below them, "Set up
 * automatically": the Apple profile (link and QR code) and where
 * Thunderbird and Outlook find the same settings (page_autoconfig.c).
 */
#include <stdio.h>
#include <string.h>

#include "mobileconfig.h"
#include "qr.h"
#include "routes.h"
#include "settings.h"

static const char *const side_titles[SIDE__MAX] = {
    "Inside the organisation's network",
    "From the Internet",
};
static const char *const side_intros[SIDE__MAX] = {
    "Use these when your computer or phone is connected to the organisation's own network.",
    "Use these from home, on the road, or on a mobile network.",
};

/* Display order: IMAP4 (recommended), POP3, then SMTP for sending. */
static const enum proto display_order[PROTO__MAX] = {PROTO_IMAP, PROTO_POP3, PROTO_SMTP};
static const char *const proto_roles[PROTO__MAX] = {
    "Incoming mail (IMAP4) — recommended",
    "Incoming mail (POP3)",
    "Outgoing mail (SMTP)",
};

static const char *username_text(struct request *req, enum username_form f)
{
    const char *dom = req->app->cfg.mail_domain;
    if (f == USERNAME_LOCALPART)
        return arena_printf(req->arena, "The part of your email address before the @ (for you@%s, that is: you)", dom);
    return arena_printf(req->arena, "Your full email address (for example you@%s)", dom);
}

static void put_endpoints(struct tmpl_vars *pv, const struct settings_proto *sp, enum side s)
{
    for (size_t i = 0; i < sp->n[s]; i++) {
        const struct endpoint *ep = &sp->ep[s][i];
        struct tmpl_vars *e = tmpl_add_item(pv, "endpoints");
        tmpl_put(e, "host", ep->host);
        tmpl_put_int(e, "port", ep->port);
        tmpl_put(e, "encryption", tls_mode_label(ep->tls));
        tmpl_put(e, "encryption_help", tls_mode_sentence(ep->tls));
        tmpl_put_bool(e, "preferred", i == 0 && sp->n[s] > 1);
        tmpl_put_bool(e, "plaintext", ep->tls == TLS_NONE);
    }
}

static void put_side(struct request *req, struct tmpl_vars *v,
                     const struct settings_view *view, enum side s)
{
    struct tmpl_vars *sv = tmpl_add_item(v, "sides");
    tmpl_put(sv, "side", side_names[s]);
    tmpl_put(sv, "side_title", side_titles[s]);
    tmpl_put(sv, "side_intro", side_intros[s]);
    for (int i = 0; i < PROTO__MAX; i++) {
        enum proto p = display_order[i];
        const struct settings_proto *sp = &view->proto[p];
        struct tmpl_vars *pv = tmpl_add_item(sv, "protocols");
        tmpl_put(pv, "proto", proto_names[p]);
        tmpl_put(pv, "proto_label", proto_label(p));
        tmpl_put(pv, "proto_role", proto_roles[p]);
        tmpl_put(pv, "side", side_names[s]);
        tmpl_put_bool(pv, "advertised", sp->advertised);
        tmpl_put_bool(pv, "enabled", sp->enabled);
        tmpl_put_bool(pv, "has_endpoints", sp->n[s] > 0);
        tmpl_put_bool(pv, "is_smtp", p == PROTO_SMTP);
        tmpl_put_bool(pv, "auth_required", sp->auth_required);
        tmpl_put(pv, "username", username_text(req, sp->username));
        put_endpoints(pv, sp, s);
    }
}

/* s percent-encoded for a query value (unreserved characters and '@'
 * kept). */
static const char *query_value(struct arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~@", *p) != NULL) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

static void put_endpoint(struct request *req, struct tmpl_vars *v, const char *prefix,
                         const struct endpoint *ep)
{
    tmpl_put(v, arena_printf(req->arena, "%s_host", prefix), ep->host);
    tmpl_put_int(v, arena_printf(req->arena, "%s_port", prefix), ep->port);
    tmpl_put(v, arena_printf(req->arena, "%s_enc", prefix), tls_mode_label(ep->tls));
}

/* "Set up automatically": the Apple profile (link, QR code, what it holds
 * and what its format cannot say) and where Thunderbird and Outlook find
 * the same settings. address is the signed-in user's, or NULL. */
static void put_setup(struct request *req, struct tmpl_vars *v, const struct settings_view *view,
                      const char *address, enum show_mode force)
{
    const struct config *cfg = &req->app->cfg;
    const char *at = address ? strrchr(address, '@') : NULL;
    const char *domain = at ? at + 1 : cfg->mail_domain;
    const char *q = "";
    if (address != NULL)
        q = arena_printf(req->arena, "?emailaddress=%s", query_value(req->arena, address));
    if (force != SHOW_AUTO)
        q = arena_printf(req->arena, "%s%sview=%s", q, *q ? "&" : "?", show_mode_names[force]);
    tmpl_put(v, "setup_domain", domain);
    tmpl_put(v, "autoconfig_url", arena_printf(req->arena, "/mail/config-v1.1.xml%s", q));
    int in = mobileconfig_incoming(view, PROTO_IMAP);
    if (in < 0 || !settings_offered(view, PROTO_SMTP))
        return;   /* no profile can be made: the page says nothing about one */
    const char *url = arena_printf(req->arena, "/profile.mobileconfig%s", q);
    tmpl_put(v, "profile_url", url);
    if (in == PROTO_IMAP && settings_offered(view, PROTO_POP3))
        tmpl_put(v, "profile_pop_url", arena_printf(req->arena, "%s%sincoming=pop3", url, *q ? "&" : "?"));
    tmpl_put(v, "profile_proto", proto_label((enum proto)in));
    tmpl_put(v, "profile_for", address);
    tmpl_put_bool(v, "profile_signed", cfg->autoconfig.sign_cert[0] != '\0');
    put_endpoint(req, v, "profile_in", mobileconfig_endpoint(view, (enum proto)in));
    put_endpoint(req, v, "profile_out", mobileconfig_endpoint(view, PROTO_SMTP));
    const char *origin = request_origin(req);
    struct buf svg = {0};
    if (*origin != '\0' &&
        qr_svg(arena_printf(req->arena, "%s%s", origin, url), "QR code of the profile's address", &svg) == 0)
        tmpl_put_trusted_html(v, "qr", arena_strndup(req->arena, svg.data, svg.len));
    buf_free(&svg);
}

/* The page cache holds the page for everyone per (side, view); its QR
 * code holds the portal's absolute address, taken from the request when
 * [session] origin is not set. A cached page is used only for the origin
 * it was made for. */
static __thread char cached_origin[PAGE_CACHE_SLOTS][320];

static int cache_usable(struct request *req, unsigned slot)
{
    return slot < PAGE_CACHE_SLOTS && strcmp(cached_origin[slot], request_origin(req)) == 0 &&
           page_cached(req, slot);
}

static void cache_keep(struct request *req, unsigned slot)
{
    if (slot >= PAGE_CACHE_SLOTS)
        return;
    snprintf(cached_origin[slot], sizeof(cached_origin[slot]), "%s", request_origin(req));
    page_cache_store(req, slot);
}

/* The page for everyone (s NULL) or for a signed-in user. */
static void settings_page(struct request *req, const struct session *s)
{
    const struct config *cfg = &req->app->cfg;
    enum show_mode force = SHOW_AUTO;
    if (req->in[IN_VIEW].present) {
        int found = show_mode_parse(req->in[IN_VIEW].v.str, &force) == 0;
        if (!found) {
            page_error(req, 400, "The view must be internal, external or both.");
            return;
        }
    }
    enum side client = settings_client_side(cfg, req->remote_addr, req->forwarded_for);
    req->cache_control = "private, no-cache";
    response_header(req, "Vary", "Cookie, X-Forwarded-For");
    /* For everyone, the page is a function of (client side, requested view). */
    unsigned slot = (unsigned)client * SHOW__MAX + (unsigned)force;
    if (s == NULL && cache_usable(req, slot))
        return;
    struct settings_view view;
    settings_build(cfg, client, force, &view);
    struct tmpl_vars *v = page_vars(req);
    const char *address = NULL;
    if (s != NULL) {
        const char *user = s->rec.user;
        settings_for_user(cfg, user, &view);
        address = strchr(user, '@') ? arena_strdup(req->arena, user)
                  : arena_printf(req->arena, "%s@%s", user, cfg->mail_domain);
        char token[CSRF_TOKEN_LEN + 1];
        const char *err = NULL;
        if (session_csrf_token(s, token, &err) == 0)
            tmpl_put(v, "csrf", arena_strdup(req->arena, token));
        tmpl_put_bool(v, "signed_in", 1);
        tmpl_put(v, "user", arena_strdup(req->arena, user));
        tmpl_put(v, "signed_in_with", proto_label(strcmp(s->rec.proto, "pop3") == 0 ? PROTO_POP3 : PROTO_IMAP));
        tmpl_put(v, "view_base", "/account/settings");
    } else {
        tmpl_put(v, "view_base", "/settings");
    }
    tmpl_put(v, "title", "Settings for POP or IMAP access");
    tmpl_put_bool(v, "client_internal", client == SIDE_INTERNAL);
    tmpl_put_bool(v, "can_choose", view.allowed[SIDE_INTERNAL] && view.allowed[SIDE_EXTERNAL]);
    tmpl_put_bool(v, "showing_both", view.show[SIDE_INTERNAL] && view.show[SIDE_EXTERNAL]);
    tmpl_put_bool(v, "showing_internal", view.show[SIDE_INTERNAL] && !view.show[SIDE_EXTERNAL]);
    tmpl_put_bool(v, "showing_external", view.show[SIDE_EXTERNAL] && !view.show[SIDE_INTERNAL]);
    for (int side = 0; side < SIDE__MAX; side++)
        if (view.show[side])
            put_side(req, v, &view, (enum side)side);
    put_setup(req, v, &view, address, force);
    page_render(req, 200, "settings", v);
    if (s == NULL)
        cache_keep(req, slot);
}

void page_settings(struct request *req)
{
    settings_page(req, NULL);
}

/* GET /account/settings: the same page for the signed-in user. */
void page_account_settings(struct request *req)
{
    struct session s;
    if (request_session(req, &s) != SESSION_OK) {
        page_redirect(req, "/login");
        return;
    }
    settings_page(req, &s);
    session_clear(&s);
}
