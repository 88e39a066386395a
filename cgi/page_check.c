/* page_check.c — "Check my settings" (POST /account/check).
 *
 * For the signed-in user, tries every endpoint the settings page shows
 * them, as their mail program would: name resolution, TCP, TLS (version,
 * cipher, certificate, name match), capabilities, and a login with their
 * own credentials followed at once by LOGOUT/QUIT. All endpoints are tried
 * in parallel, each step under [upstream] timeout, so the whole check is
 * bounded. The results are a plain page: no JavaScript needed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "policy.h"
#include "routes.h"
#include "settings.h"

#define PROBES_MAX 32

struct probe {
    enum side side;
    enum proto proto;
    const struct endpoint *ep;
    struct up_target target;
    struct up_cred cred;
    struct up_report report;
    struct tls_client *tls;
    pthread_t thread;
    bool running;
};

static void *probe_run(void *arg)
{
    struct probe *p = arg;
    up_check(p->tls, &p->target, p->target.tls == TLS_NONE ? NULL : &p->cred, &p->report);
    return NULL;
}

/* The user name this protocol's clients are told to use. */
static void login_name(const struct session *s, enum username_form f, char *out, size_t cap)
{
    size_t n = strlen(s->rec.user);
    const char *at = strrchr(s->rec.user, '@');
    if (f == USERNAME_LOCALPART && at != NULL)
        n = (size_t)(at - s->rec.user);
    snprintf(out, cap, "%.*s", (int)n, s->rec.user);
}

static size_t plan(struct request *req, const struct session *s, const struct settings_view *view,
                   struct probe *probes, char names[PROTO__MAX][STORE_USER_MAX + 1])
{
    const struct config *cfg = &req->app->cfg;
    size_t n = 0;
    for (int side = 0; side < SIDE__MAX; side++) {
        if (!view->show[side])
            continue;
        for (int p = 0; p < PROTO__MAX; p++) {
            const struct settings_proto *sp = &view->proto[p];
            if (!sp->advertised || !sp->enabled || !policy_proto_enabled(cfg, s->rec.user, (enum proto)p))
                continue;
            for (size_t i = 0; i < sp->n[side] && n < PROBES_MAX; i++) {
                struct probe *pr = &probes[n++];
                pr->side = (enum side)side;
                pr->proto = (enum proto)p;
                pr->ep = &sp->ep[side][i];
                pr->target = (struct up_target){
                    .proto = (enum proto)p, .host = pr->ep->host, .port = pr->ep->port,
                    .tls = pr->ep->tls, .timeout_ms = cfg->upstream.timeout_ms,
                };
                pr->cred.user = names[p];
                pr->cred.user_len = strlen(names[p]);
                pr->tls = req->tls;
            }
        }
    }
    return n;
}

static void put_result(struct request *req, struct tmpl_vars *v, const struct probe *p)
{
    static const char *const side_words[SIDE__MAX] = {"inside the network", "from the Internet"};
    const struct up_report *r = &p->report;
    struct tmpl_vars *row = tmpl_add_item(v, "results");
    tmpl_put(row, "proto", proto_names[p->proto]);
    tmpl_put(row, "proto_label", proto_label(p->proto));
    tmpl_put(row, "side", side_words[p->side]);
    tmpl_put(row, "host", p->ep->host);
    tmpl_put_int(row, "port", p->ep->port);
    tmpl_put(row, "encryption", tls_mode_label(p->ep->tls));
    tmpl_put_bool(row, "ok", r->error == UP_OK);
    tmpl_put(row, "result", r->error == UP_OK ? (r->authenticated ? "Works: signed in with your password"
                                                                  : "Reachable (not signed in: no encryption)")
                                              : upstream_outcome(r->error, NULL));
    tmpl_put(row, "detail", arena_strdup(req->arena, r->message));
    tmpl_put_bool(row, "tls", r->tls);
    tmpl_put(row, "tls_version", arena_strdup(req->arena, r->tls_version));
    tmpl_put(row, "cipher", arena_strdup(req->arena, r->cipher));
    tmpl_put(row, "cert_subject", arena_strdup(req->arena, r->cert_subject));
    tmpl_put(row, "cert_issuer", arena_strdup(req->arena, r->cert_issuer));
    tmpl_put(row, "cert_not_after", arena_strdup(req->arena, r->cert_not_after));
    tmpl_put_bool(row, "hostname_ok", r->hostname_ok);
    tmpl_put(row, "capabilities", arena_strdup(req->arena, r->capabilities));
    tmpl_put_bool(row, "idle", strstr(r->capabilities, "IDLE") != NULL);
    tmpl_put_int(row, "ms", r->total_ms);
}

void page_check(struct request *req)
{
    const struct config *cfg = &req->app->cfg;
    struct session s;
    if (request_session(req, &s) != SESSION_OK) {
        page_redirect(req, "/login");
        return;
    }
    if (request_check_post(req, &s) < 0) {
        session_clear(&s);
        return;
    }
    req->secret = true;
    char password[SESSION_PASSWORD_MAX + 1];
    size_t pwlen = 0;
    const char *err = NULL;
    if (session_password(&s, password, sizeof(password), &pwlen, &err) < 0) {
        session_clear(&s);
        page_error(req, 500, "Your session could not be read. Sign in again.");
        return;
    }
    enum side client = settings_client_side(cfg, req->remote_addr, req->forwarded_for);
    struct settings_view view;
    settings_build(cfg, client, SHOW_AUTO, &view);
    settings_for_user(cfg, s.rec.user, &view);   /* policy and routing, as the page shows */
    char names[PROTO__MAX][STORE_USER_MAX + 1];
    for (int p = 0; p < PROTO__MAX; p++)
        login_name(&s, view.proto[p].username, names[p], sizeof(names[p]));
    static __thread struct probe probes[PROBES_MAX];
    memset(probes, 0, sizeof(probes));
    size_t n = plan(req, &s, &view, probes, names);
    for (size_t i = 0; i < n; i++) {
        probes[i].cred.password = password;
        probes[i].cred.password_len = pwlen;
        probes[i].running = pthread_create(&probes[i].thread, NULL, probe_run, &probes[i]) == 0;
        if (!probes[i].running)
            probe_run(&probes[i]);
    }
    for (size_t i = 0; i < n; i++)
        if (probes[i].running)
            pthread_join(probes[i].thread, NULL);
    crypto_wipe(password, sizeof(password));

    struct tmpl_vars *v = page_vars(req);
    tmpl_put(v, "title", "Check my settings");
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "user", arena_strdup(req->arena, s.rec.user));
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        put_result(req, v, &probes[i]);
        ok += probes[i].report.error == UP_OK;
    }
    tmpl_put_int(v, "checked", (long long)n);
    tmpl_put_int(v, "working", (long long)ok);
    log_info("msg=\"settings check\" endpoints=%zu working=%zu", n, ok);
    session_clear(&s);
    page_render(req, 200, "check", v);
}
