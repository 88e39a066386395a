/* page_login.c — sign in (GET/POST /login) and sign out (POST /logout).
 *
 * Sign-in checks, in order and before any server is contacted: the form
 * came from our own site, the account is not refused by policy, the
 * account and address are not throttled, a protocol is enabled for the
 * mailbox. Then it logs in to the user's backend (IMAP4, or POP3 where
 * IMAP4 is disabled) over verified TLS, and on success starts a session.
 */
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "log.h"
#include "mail.h"
#include "policy.h"
#include "routing.h"
#include "routes.h"
#include "throttle.h"
#include "upstream.h"

#define SIGN_IN_UNAVAILABLE "Sign-in is unavailable right now. Try again in a moment."

/* Plain words for each upstream failure, and the status that goes with it. */
static const struct { int status; const char *text; } up_outcome[UP_E__MAX] = {
    [UP_OK] = {200, ""},
    [UP_E_RESOLVE] = {502, "The mail server could not be found. Try again later, or tell your administrator."},
    [UP_E_CONNECT] = {502, "The mail server cannot be reached right now. Try again later."},
    [UP_E_TIMEOUT] = {504, "The mail server is too slow to answer right now. Try again in a moment."},
    [UP_E_TLS_UNTRUSTED] = {502, "The mail server's certificate is not trusted, so your password was not sent"},
    [UP_E_TLS_NAME] = {502, "The mail server's certificate is for another name, so your password was not sent"},
    [UP_E_TLS_OTHER] = {502, "A secure connection to the mail server could not be made, so your password was not sent"},
    [UP_E_STARTTLS] = {502, "The mail server did not switch to a secure connection, so your password was not sent."},
    [UP_E_PROTOCOL] = {502, "The mail server answered in a way postern does not understand."},
    [UP_E_AUTH] = {401, "Wrong user name or password."},
    [UP_E_DISABLED] = {403, "This protocol is disabled for your mailbox. Ask your administrator."},
    [UP_E_INPUT] = {400, "The user name or password contains characters that cannot be sent."},
    [UP_E_PLAINTEXT_REFUSED] = {502, "The mail server is set up without encryption, so your password was not sent."},
};

const char *upstream_outcome(enum up_error e, int *status_r)
{
    if (status_r != NULL)
        *status_r = up_outcome[e].status;
    return up_outcome[e].text;
}

/* Where a signed-in user lands: the mailbox (over IMAP4 or POP3). */
static const char *home_of(const char *proto)
{
    (void)proto;
    return "/mail/";
}

static void login_form(struct request *req, int status, const char *message, const char *user)
{
    struct tmpl_vars *v = page_vars(req);
    tmpl_put(v, "title", "Sign in");
    if (message != NULL)
        tmpl_put(v, "error", message);
    if (user != NULL)
        tmpl_put(v, "user", user);
    tmpl_put_bool(v, "pop3_choice", req->app->cfg.policy.pop3_choice);
    page_render(req, status, "login", v);
}


/* Logs in upstream; on success starts the session and redirects. */
static void sign_in(struct request *req, struct store *st, const char *user,
                    const struct valid_value *pw, enum proto proto)
{
    const struct config *cfg = &req->app->cfg;
    struct up_target t;
    const struct backend_conf *be = routing_target(cfg, user, proto, &t);
    if (be == NULL) {
        login_form(req, 503, "No mail server is configured for sign-in. Tell your administrator.", user);
        return;
    }
    struct up_cred cred = {user, strlen(user), pw->str, pw->len};
    struct up_report r;
    up_check(req->tls, &t, &cred, &r);
    int64_t now = (int64_t)time(NULL);
    const char *err = NULL;
    log_info("msg=\"sign-in\" backend=%s proto=%s result=%s ms=%ld", be->name, proto_names[proto],
             up_error_names[r.error], r.total_ms);
    if (r.error != UP_OK) {
        if (r.error == UP_E_AUTH && throttle_failure(st, &cfg->throttle, user, req->remote_addr, now, &err) < 0)
            log_error("msg=\"throttle count failed\" error=\"%s\"", err ? err : "?");
        const char *text = up_outcome[r.error].text;
        if (r.error == UP_E_TLS_UNTRUSTED || r.error == UP_E_TLS_NAME || r.error == UP_E_TLS_OTHER)
            text = arena_printf(req->arena, "%s (%s).", text, r.message);
        login_form(req, up_outcome[r.error].status, text, user);
        return;
    }
    const char *old = NULL;
    size_t old_len = 0;
    if (session_cookie_find(&req->cookies, &cfg->session, &old, &old_len) != 1)
        old = NULL, old_len = 0;
    struct session_login login = {user, proto_names[proto], be->name, pw->str, pw->len};
    struct session s;
    if (session_create(st, &cfg->session, &login, old, old_len, now, &s, &err) < 0) {
        log_error("msg=\"session create failed\" error=\"%s\"", err ? err : "?");
        login_form(req, 503, SIGN_IN_UNAVAILABLE, user);
        return;
    }
    char cookie[SESSION_SET_COOKIE_MAX];
    if (session_set_cookie(&s, &cfg->session, cookie, sizeof(cookie)) == 0)
        response_header(req, "Set-Cookie", cookie);
    crypto_wipe(cookie, sizeof(cookie));
    session_clear(&s);
    page_redirect(req, home_of(proto_names[proto]));
}

static void login_post(struct request *req)
{
    const struct config *cfg = &req->app->cfg;
    if (request_check_post(req, NULL) < 0)
        return;
    const struct input *u = &req->in[IN_USER], *p = &req->in[IN_PASSWORD];
    if (!u->present || !p->present) {
        login_form(req, 400, "Enter your email address and your password.", u->present ? u->v.str : NULL);
        return;
    }
    const char *user = u->v.str;
    if (policy_account_refused(cfg, user)) {
        login_form(req, 403, "This account is not allowed to sign in here. "
                             "Anonymous, guest and administrator accounts cannot use POP3 or IMAP4.", user);
        return;
    }
    struct store *st = req->store(req);
    if (st == NULL) {
        login_form(req, 503, SIGN_IN_UNAVAILABLE, user);
        return;
    }
    int64_t retry = 0;
    const char *err = NULL;
    if (throttle_retry_after(st, &cfg->throttle, user, req->remote_addr, (int64_t)time(NULL), &retry, &err) < 0) {
        login_form(req, 503, SIGN_IN_UNAVAILABLE, user);
        return;
    }
    if (retry > 0) {
        char hint[128];
        throttle_hint(retry, hint, sizeof(hint));
        response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
        login_form(req, 429, hint, user);
        return;
    }
    bool want_pop3 = cfg->policy.pop3_choice && req->in[IN_PROTO].present &&
                     strcmp(req->in[IN_PROTO].v.str, "pop3") == 0;
    if (want_pop3 && !policy_proto_enabled(cfg, user, PROTO_POP3) &&
        policy_proto_enabled(cfg, user, PROTO_IMAP)) {
        login_form(req, 403, "POP3 is disabled for your mailbox. Sign in with IMAP4, or ask your administrator.", user);
        return;
    }
    enum proto proto = !want_pop3 && policy_proto_enabled(cfg, user, PROTO_IMAP) ? PROTO_IMAP
                     : policy_proto_enabled(cfg, user, PROTO_POP3) ? PROTO_POP3 : PROTO__MAX;
    if (proto == PROTO__MAX) {
        login_form(req, 403, "IMAP4 and POP3 are both disabled for your mailbox. Ask your administrator.", user);
        return;
    }
    sign_in(req, st, user, &p->v, proto);
}

void page_login(struct request *req)
{
    if (req->method == METHOD_POST) {
        req->secret = true;   /* the worker wipes the arena (body, fields) afterwards */
        login_post(req);
        return;
    }
    struct session s;
    if (request_session(req, &s) == SESSION_OK) {
        const char *home = home_of(s.rec.proto);
        session_clear(&s);
        page_redirect(req, home);
        return;
    }
    login_form(req, 200, NULL, NULL);
}

void page_logout(struct request *req)
{
    struct session s;
    enum session_status st = request_session(req, &s);
    if (st != SESSION_OK) {
        page_redirect(req, "/login");
        return;
    }
    if (request_check_post(req, &s) < 0) {
        session_clear(&s);
        return;
    }
    const char *err = NULL;
    mail_forget(&s);
    if (session_destroy(req->store(req), &s, &err) < 0)
        log_error("msg=\"sign-out failed\" error=\"%s\"", err ? err : "?");
    char cookie[SESSION_SET_COOKIE_MAX];
    if (session_clear_cookie(&req->app->cfg.session, cookie, sizeof(cookie)) == 0)
        response_header(req, "Set-Cookie", cookie);
    page_redirect(req, "/login");
}
