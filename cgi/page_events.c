/* page_events.c — how an open mailbox learns of new mail.
 *
 * GET /mail/events?f=FOLDER: a Server-Sent Events stream fed by IMAP IDLE
 * (see events.h). 204 No Content when there will be none (the server has
 * no IDLE, live updates are off for the site or the user, the caps are
 * reached, a POP3 session): EventSource then stops, and the page falls
 * back to its refresh schedule. 401 without a session.
 *
 * GET /mail/status?f=FOLDER: the folder's STATUS as JSON, the cheap check
 * the page's schedule polls when there is no stream.
 *
 * POST /mail/refresh-settings (csrf, every, live): the user's schedule:
 * every N minutes (0: only when a folder is opened or reloaded) and
 * whether new mail is shown as it arrives.
 */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "mail.h"
#include "prefs.h"
#include "routes.h"
#include "upstream.h"

#define LOGOUT_MS 1000

/* Preference encodings: absent (0) is the default. */
#define PREF_EVERY "refresh-every"   /* minutes + 1 */
#define PREF_LIVE "refresh-live"     /* 0 or 1: on; 2: off */

static const int every_choices[] = {0, 1, 2, 5, 10, 15, 30};

int mail_refresh_minutes(struct request *req, const char *user)
{
    long long v = pref_get(req, user, PREF_EVERY);
    if (v <= 0 || v > 61)
        return req->app->cfg.mailbox.refresh_minutes;
    return (int)(v - 1);
}

bool mail_live_updates(struct request *req, const char *user)
{
    return req->app->cfg.mailbox.live_updates && pref_get(req, user, PREF_LIVE) != 2;
}

void mail_put_refresh(struct request *req, struct tmpl_vars *v, const char *user, const char *csrf)
{
    int every = mail_refresh_minutes(req, user);
    bool live = mail_live_updates(req, user);
    tmpl_put(v, "refresh_seconds", every > 0 ? arena_printf(req->arena, "%d", every * 60) : "");
    tmpl_put_bool(v, "refresh_auto", every > 0);
    /* without JavaScript: header.html's <meta refresh> for the choice
     * (no substitution may go inside <noscript>) */
    if (every > 0)
        tmpl_put_bool(v, arena_printf(req->arena, "refresh_%d", every), 1);
    tmpl_put_bool(v, "live", live);
    tmpl_put(v, "live_value", live ? "1" : "0");
    tmpl_put_bool(v, "live_offered", req->app->cfg.mailbox.live_updates);
    for (size_t i = 0; i < sizeof(every_choices) / sizeof(every_choices[0]); i++) {
        struct tmpl_vars *c = tmpl_add_item(v, "every_choices");
        int m = every_choices[i];
        tmpl_put(c, "value", arena_printf(req->arena, "%d", m));
        tmpl_put(c, "label", m == 0 ? "Only when I open or reload a folder"
                             : m == 1 ? "Every minute"
                                      : arena_printf(req->arena, "Every %d minutes", m));
        tmpl_put_bool(c, "selected", m == every);
    }
    if (csrf != NULL)
        tmpl_put(v, "refresh_csrf", csrf);
}

static void no_stream(struct request *req, const char *why)
{
    req->status = 204;
    req->content_type = "text/plain; charset=utf-8";
    log_info("msg=\"no live updates\" reason=%s", why);
}

void page_events(struct request *req)
{
    struct session s;
    if (request_session(req, &s) != SESSION_OK) {
        page_error(req, 401, "Sign in to see new mail as it arrives.");
        return;
    }
    const char *f = req->in[IN_FOLDER].present ? req->in[IN_FOLDER].v.str : "INBOX";
    struct stream *st = NULL;
    if (strcmp(s.rec.proto, "imap") != 0) {
        no_stream(req, "pop3");
    } else if (!mail_live_updates(req, s.rec.user)) {
        no_stream(req, "off");
    } else if ((st = events_reserve(s.rec.user)) == NULL) {
        no_stream(req, "full");
    } else {
        int status = 502;
        const char *text = NULL, *err = NULL;
        struct imap_caps caps;
        struct imap_mailbox mb;
        snprintf(st->cookie, sizeof(st->cookie), "%s", s.cookie);
        _Static_assert(sizeof(st->session_key) == sizeof(s.id_hash), "session store id size");
        memcpy(st->session_key, s.id_hash, sizeof(st->session_key));
        st->u = mail_login(req, &s, &status, &text);
        if (st->u == NULL) {
            page_error(req, status, text);
        } else if (imap_caps(st->u, req->arena, &caps, &err) != IMAP_OK) {
            page_error(req, 502, "The mail server answered in a way postern does not understand.");
        } else if (!caps.idle) {
            no_stream(req, "no-idle");
        } else {
            enum imap_result r = imap_examine(st->u, &caps, req->arena, f, &mb, &err);
            if (r != IMAP_OK) {
                mail_error(req, r, err);
            } else if (imapw_idle_begin(st->u, req->arena, &st->idle, 0, NULL, NULL) != IMAPW_OK) {
                st->idle.tag[0] = '\0';
                no_stream(req, "idle-refused");
            } else {
                st->exists = mb.exists;
                req->status = 200;
                req->content_type = "text/event-stream";
                buf_printf(&req->body, "retry: 5000\n\nevent: hello\ndata: {\"exists\":%u,\"uidnext\":%u,"
                           "\"uidvalidity\":%u}\n\n", mb.exists, mb.uidnext, mb.uidvalidity);
                req->stream = st;
                st = NULL;
            }
        }
    }
    if (st != NULL)
        events_release(st);
    session_clear(&s);
}

void page_mail_status(struct request *req)
{
    struct mail m;
    int rc = mail_begin(req, &m);
    if (rc != 0) {
        if (rc == 1)
            page_error(req, 404, "A POP3 session has no folders to check.");
        mail_end(&m);
        return;
    }
    const char *f = req->in[IN_FOLDER].present ? req->in[IN_FOLDER].v.str : "INBOX";
    const char *err = NULL;
    struct imap_mailbox mb;
    enum imap_result r = mail_note(&m, imap_status(m.conn->u, &m.conn->caps, req->arena, f, &mb, &err));
    mail_end(&m);
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        return;
    }
    req->content_type = "application/json";
    req->status = 200;
    buf_printf(&req->body, "{\"exists\":%u,\"uidnext\":%u,\"uidvalidity\":%u,\"unseen\":%u,"
               "\"highestmodseq\":%llu}\n", mb.exists, mb.uidnext, mb.uidvalidity, mb.unseen,
               (unsigned long long)mb.highestmodseq);
}

void page_refresh_settings(struct request *req)
{
    struct session s;
    if (request_session(req, &s) != SESSION_OK) {
        page_redirect(req, "/login");
        return;
    }
    if (request_check_post(req, &s) < 0) {
        session_clear(&s);
        return;
    }
    int every = req->in[IN_EVERY].present ? (int)req->in[IN_EVERY].v.num : -1;
    bool known = false;
    for (size_t i = 0; i < sizeof(every_choices) / sizeof(every_choices[0]); i++)
        known |= every == every_choices[i];
    if (!known) {
        session_clear(&s);
        page_error(req, 400, "Choose how often to check for new mail from the list.");
        return;
    }
    bool live = req->in[IN_LIVE].present && req->in[IN_LIVE].v.num;
    int rc = pref_set(req, s.rec.user, PREF_EVERY, every + 1);
    if (rc == 0)
        rc = pref_set(req, s.rec.user, PREF_LIVE, live ? 1 : 2);
    session_clear(&s);
    if (rc < 0) {
        page_error(req, 503, "Your setting could not be saved right now. Try again in a moment.");
        return;
    }
    page_redirect(req, "/mail/");
}
