/* mail.c — the signed-in user's IMAP connection for the mailbox pages
 * (see mail.h). One cache per worker process, made on first use. */
#include "mail.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "events.h"
#include "log.h"
#include "routes.h"
#include "routing.h"
#include "upstream.h"

#define LOGOUT_MS 2000

static struct conncache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static const struct config *cache_cfg;

static void forget_names(struct mailconn *c)
{
    for (size_t i = 0; i < c->nnames; i++) {
        free((char *)c->names[i].wire);
        free((char *)c->names[i].name);
        free((char *)c->names[i].leaf);
    }
    free(c->names);
    c->names = NULL;
    c->nnames = 0;
}

static void close_conn(void *p)
{
    struct mailconn *c = p;
    up_imap_close(c->u, LOGOUT_MS);
    free(c->selected);
    forget_names(c);
    free(c);
}

static void make_cache(void)
{
    cache = conncache_new((size_t)cache_cfg->mailbox.cache_connections,
                          cache_cfg->mailbox.cache_idle, close_conn);
}

static struct conncache *the_cache(const struct config *cfg)
{
    cache_cfg = cfg;
    pthread_once(&cache_once, make_cache);
    return cache;
}

/* Sweeps idle connections at most every 10 s (from request threads). */
static void sweep_now_and_then(struct conncache *c, time_t now)
{
    static time_t next;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    int due = now >= next;
    if (due)
        next = now + 10;
    pthread_mutex_unlock(&lock);
    if (due)
        conncache_sweep(c, now);
}

struct up_imap *mail_login(struct request *req, const struct session *s, int *status,
                           const char **text)
{
    const struct config *cfg = &req->app->cfg;
    struct up_target t;
    if (routing_target(cfg, s->rec.user, PROTO_IMAP, &t) == NULL) {
        *status = 503;
        *text = "No IMAP4 server is configured for your mailbox. Tell your administrator.";
        return NULL;
    }
    char pw[SESSION_PASSWORD_MAX + 1];
    size_t pwlen = 0;
    const char *err = NULL;
    if (session_password(s, pw, sizeof(pw), &pwlen, &err) < 0) {
        *status = 500;
        *text = "Your session cannot be read. Sign out and sign in again.";
        return NULL;
    }
    struct up_cred cred = {s->rec.user, strlen(s->rec.user), pw, pwlen};
    struct up_report r;
    struct up_imap *u = up_imap_open(req->tls, &t, &cred, &r);
    crypto_wipe(pw, sizeof(pw));
    if (u == NULL) {
        log_info("msg=\"mailbox login failed\" result=%s", up_error_names[r.error]);
        *text = upstream_outcome(r.error, status);
        if (r.error == UP_E_AUTH) {
            *status = 401;
            *text = "The mail server no longer accepts your password. Sign out and sign in again.";
        }
    }
    return u;
}

/* Logs in afresh with the session's password. 0, or -1 with *status and
 * *text for the page. */
static int open_conn(struct mail *m, int *status, const char **text)
{
    struct request *req = m->req;
    const char *err = NULL;
    struct up_imap *u = mail_login(req, &m->s, status, text);
    if (u == NULL)
        return -1;
    struct mailconn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    c->u = u;
    up_imap_watch_exists(u, &c->mb.exists);
    if (imap_caps(u, req->arena, &c->caps, &err) != IMAP_OK) {
        close_conn(c);
        *status = 502;
        *text = "The mail server answered in a way postern does not understand.";
        return -1;
    }
    m->e->conn = c;
    m->conn = c;
    m->fresh = true;
    return 0;
}

int mail_begin(struct request *req, struct mail *m)
{
    memset(m, 0, sizeof(*m));
    m->req = req;
    if (request_session(req, &m->s) != SESSION_OK) {
        page_redirect(req, "/login");
        return -1;
    }
    if (strcmp(m->s.rec.proto, "imap") != 0)
        return 1;   /* a POP3 session: the caller's POP3 page (mail_end still) */
    struct conncache *c = the_cache(&req->app->cfg);
    time_t now = time(NULL);
    sweep_now_and_then(c, now);
    m->e = conncache_checkout(c, m->s.id_hash, now);
    m->conn = m->e->conn;
    if (m->conn == NULL) {
        int status = 502;
        const char *text = NULL;
        if (open_conn(m, &status, &text) < 0) {
            page_error(req, status, text);
            mail_end(m);
            return -1;
        }
    }
    return 0;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (d == NULL)
        abort();
    return d;
}

void mail_folders_seen(struct mail *m, const struct imap_folder *f, size_t n)
{
    struct mailconn *c = m->conn;
    forget_names(c);
    c->names = calloc(n ? n : 1, sizeof(*c->names));
    if (c->names == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        c->names[i] = f[i];
        c->names[i].wire = xstrdup(f[i].wire);
        c->names[i].name = xstrdup(f[i].name);
        c->names[i].leaf = xstrdup(f[i].leaf);
        c->names[i].messages = c->names[i].unseen = -1;
    }
    c->nnames = n;
    c->names_at = time(NULL);
}

void mail_folders_changed(struct mail *m)
{
    if (m->conn != NULL)
        forget_names(m->conn);
}

enum imap_result mail_folder_names(struct mail *m, struct imap_folder **out, size_t *n,
                                   const char **err)
{
    struct mailconn *c = m->conn;
    struct arena *a = m->req->arena;
    if (c->names == NULL || time(NULL) - c->names_at >= MAIL_NAMES_SECONDS) {
        struct imap_folder *f = NULL;
        size_t k = 0;
        enum imap_result r = mail_note(m, imap_folder_names(c->u, &c->caps, a, &f, &k, err));
        if (r != IMAP_OK)
            return r;
        mail_folders_seen(m, f, k);
    }
    struct imap_folder *v = arena_alloc(a, (c->nnames ? c->nnames : 1) * sizeof(*v));
    for (size_t i = 0; i < c->nnames; i++) {
        v[i] = c->names[i];
        v[i].wire = arena_strdup(a, c->names[i].wire);
        v[i].name = arena_strdup(a, c->names[i].name);
        v[i].leaf = arena_strdup(a, c->names[i].leaf);
    }
    *out = v;
    *n = c->nnames;
    return IMAP_OK;
}

enum imap_result mail_note(struct mail *m, enum imap_result r)
{
    if (r == IMAP_DEAD)
        m->dead = true;
    return r;
}

/* NOOP on the selected folder: learns of new and expunged mail. */
static enum imap_result noop(struct mail *m, const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "NOOP");
    /* the EXISTS/EXPUNGE it brings update mb.exists (up_imap_watch_exists) */
    enum imapw_result r = imapw_run(m->conn->u, m->req->arena, &cmd, NULL, NULL, &st);
    imapw_cmd_free(&cmd);
    if (r == IMAPW_OK)
        return IMAP_OK;
    *err = "the connection to the mail server failed";
    return IMAP_DEAD;
}

static enum imap_result select_once(struct mail *m, const char *wire, bool refresh, const char **err)
{
    struct mailconn *c = m->conn;
    if (c->selected != NULL && strcmp(c->selected, wire) == 0)
        return refresh || m->fresh || time(NULL) - c->used >= MAIL_TRUST_SECONDS ? noop(m, err) : IMAP_OK;
    free(c->selected);
    c->selected = NULL;
    enum imap_result r = imap_select(c->u, &c->caps, m->req->arena, wire, &c->mb, err);
    if (r == IMAP_OK) {
        c->selected = strdup(wire);
        if (c->selected == NULL)
            abort();
    }
    return r;
}

enum imap_result mail_select(struct mail *m, const char *wire, bool refresh, const char **err)
{
    enum imap_result r = select_once(m, wire, refresh, err);
    if (r != IMAP_DEAD || m->fresh)
        return mail_note(m, r);
    /* the cached connection died (server timeout, restart): once more */
    log_info("msg=\"cached mail connection dead, reconnecting\"");
    close_conn(m->conn);
    m->e->conn = NULL;
    m->conn = NULL;
    int status;
    const char *text;
    if (open_conn(m, &status, &text) < 0) {
        *err = text;
        m->dead = true;
        return IMAP_DEAD;
    }
    return mail_note(m, select_once(m, wire, refresh, err));
}

void mail_end(struct mail *m)
{
    if (m->e != NULL) {
        if (m->e->conn != NULL)
            ((struct mailconn *)m->e->conn)->used = time(NULL);
        conncache_checkin(the_cache(&m->req->app->cfg), m->e, m->dead, time(NULL));
        m->e = NULL;
    }
    m->conn = NULL;
    session_clear(&m->s);
}

void mail_forget(const struct session *s)
{
    _Static_assert(sizeof(s->id_hash) == 32, "events_sign_out takes a 32-byte store id");
    events_sign_out(s->id_hash);
    if (cache != NULL)
        conncache_drop(cache, s->id_hash);
}

void mail_error(struct request *req, enum imap_result r, const char *err)
{
    switch (r) {
    case IMAP_GONE:
        page_error(req, 404, "This folder or message is no longer here. It may have been moved or "
                             "deleted from another device.");
        break;
    case IMAP_BADARG:
        page_error(req, 400, err);
        break;
    case IMAP_NO:
        page_error(req, 502, arena_printf(req->arena, "The mail server refused: %s", err));
        break;
    default:
        page_error(req, 502, "The connection to the mail server failed. Reload the page to try again.");
        break;
    }
}

const char *mail_qs(struct request *req, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = arena_alloc(req->arena, n * 3 + 1), *w = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            *w++ = (char)c;
        } else {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w = '\0';
    return out;
}
