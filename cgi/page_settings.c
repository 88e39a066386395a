/* page_settings.c — "Settings for POP or IMAP access" (GET /settings).
 *
 * A view of src/settings: for each side the client may see (internal,
 * external), the IMAP4, POP3 and SMTP endpoints the admin advertises, in
 * preference order, with encryption and the user-name form; a plain
 * sentence where a protocol is not published.
 */
#include <string.h>

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
        tmpl_put_bool(pv, "has_endpoints", sp->n[s] > 0);
        tmpl_put_bool(pv, "is_smtp", p == PROTO_SMTP);
        tmpl_put_bool(pv, "auth_required", sp->auth_required);
        tmpl_put(pv, "username", username_text(req, sp->username));
        put_endpoints(pv, sp, s);
    }
}

void page_settings(struct request *req)
{
    const struct config *cfg = &req->app->cfg;
    enum show_mode force = SHOW_AUTO;
    if (req->in[IN_VIEW].present) {
        static const char *const views[SHOW__MAX] = {"auto", "both", "internal", "external"};
        int found = 0;
        for (int i = 0; i < SHOW__MAX; i++)
            if (strcmp(req->in[IN_VIEW].v.str, views[i]) == 0) {
                force = (enum show_mode)i;
                found = 1;
            }
        if (!found) {
            page_error(req, 400, "The view must be internal, external or both.");
            return;
        }
    }
    enum side client = settings_client_side(cfg, req->remote_addr, req->forwarded_for);
    req->cache_control = "private, no-cache";
    response_header(req, "Vary", "Cookie, X-Forwarded-For");
    /* The page is a function of (client side, requested view) alone. */
    unsigned slot = (unsigned)client * SHOW__MAX + (unsigned)force;
    if (page_cached(req, slot))
        return;
    struct settings_view view;
    settings_build(cfg, client, force, &view);

    struct tmpl_vars *v = page_vars(req);
    tmpl_put(v, "title", "Settings for POP or IMAP access");
    tmpl_put_bool(v, "client_internal", client == SIDE_INTERNAL);
    tmpl_put_bool(v, "can_choose", view.allowed[SIDE_INTERNAL] && view.allowed[SIDE_EXTERNAL]);
    tmpl_put_bool(v, "showing_both", view.show[SIDE_INTERNAL] && view.show[SIDE_EXTERNAL]);
    tmpl_put_bool(v, "showing_internal", view.show[SIDE_INTERNAL] && !view.show[SIDE_EXTERNAL]);
    tmpl_put_bool(v, "showing_external", view.show[SIDE_EXTERNAL] && !view.show[SIDE_INTERNAL]);
    for (int s = 0; s < SIDE__MAX; s++)
        if (view.show[s])
            put_side(req, v, &view, (enum side)s);
    page_render(req, 200, "settings", v);
    page_cache_store(req, slot);
}
