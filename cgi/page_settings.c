/* page_settings.c — "Settings for POP or IMAP access" (GET /settings).
 *
 * A view of src/settings: for each side the client may see (internal,
 * external), the IMAP4, POP3 and SMTP endpoints the admin advertises, in
 * preference order, with encryption and the user-name form; a plain
 * sentence where a protocol is not published.
 */
#include <string.h>

#include "policy.h"
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
    if (s == NULL && page_cached(req, slot))
        return;
    struct settings_view view;
    settings_build(cfg, client, force, &view);
    struct tmpl_vars *v = page_vars(req);
    if (s != NULL) {
        const char *user = s->rec.user;
        for (int p = 0; p < PROTO__MAX; p++)
            view.proto[p].enabled = policy_proto_enabled(cfg, user, (enum proto)p);
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
    page_render(req, 200, "settings", v);
    if (s == NULL)
        page_cache_store(req, slot);
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
