/* events.c — the worker's event thread: IMAP IDLE connections of open
 * mailbox tabs, pushed to browsers as Server-Sent Events (see events.h).
 *
 * Ownership: a stream is created by a request thread (events_reserve),
 * which alone uses it until events_adopt(); from then on only the event
 * thread touches it. The slot table and the "active" flags are guarded by
 * g_lock; I/O is done outside it.
 *
 * Bounds: each IMAP read waits at most EVENT_IO_MS for the rest of a
 * reply and each write to nginx at most EVENT_IO_MS (SO_SNDTIMEO), so a
 * stalled server or browser holds the thread that long at worst and then
 * loses its stream.
 */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "upstream.h"

#define EVENT_IO_MS 1000

static const struct app *g_app;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream **g_slots;
static size_t g_cap;
static int g_wake[2] = {-1, -1};
static pthread_t g_thread;
static bool g_running;
static atomic_bool g_stop;

struct stream *events_reserve(const char *user)
{
    if (!g_running || !g_app->cfg.mailbox.live_updates || strlen(user) >= sizeof(((struct stream *)0)->user))
        return NULL;
    struct stream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    snprintf(s->user, sizeof(s->user), "%s", user);
    int per_user = 0;
    size_t free_slot = g_cap;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_cap; i++) {
        if (g_slots[i] == NULL) {
            if (free_slot == g_cap)
                free_slot = i;
        } else if (strcmp(g_slots[i]->user, user) == 0) {
            per_user++;
        }
    }
    bool ok = free_slot < g_cap && per_user < g_app->cfg.mailbox.max_streams_per_user;
    if (ok)
        g_slots[free_slot] = s;
    pthread_mutex_unlock(&g_lock);
    if (!ok) {
        free(s);
        return NULL;
    }
    return s;
}

static void unslot(struct stream *s)
{
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_cap; i++)
        if (g_slots[i] == s)
            g_slots[i] = NULL;
    pthread_mutex_unlock(&g_lock);
}

/* Leaves IDLE and logs out, each within EVENT_IO_MS, then frees. */
static void close_imap(struct stream *s, struct arena *a)
{
    if (s->u == NULL)
        return;
    if (s->idle.tag[0] != '\0' && up_imap_net_error(s->u) == NET_OK)
        imapw_idle_end(s->u, a, &s->idle, EVENT_IO_MS, NULL, NULL);
    up_imap_close(s->u, EVENT_IO_MS);
    s->u = NULL;
}

void events_release(struct stream *s)
{
    if (s == NULL)
        return;
    unslot(s);
    struct arena *a = arena_new();
    close_imap(s, a);
    arena_free(a);
    explicit_bzero(s->cookie, sizeof(s->cookie));
    free(s);
}

void events_adopt(struct stream *s, FCGX_Request *fr)
{
    /* a browser that stops reading must not hold the event thread */
    struct timeval tv = {EVENT_IO_MS / 1000, (EVENT_IO_MS % 1000) * 1000};
    setsockopt(fr->ipcFd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    time_t now = time(NULL);
    s->fr = fr;
    s->next_ping = now + EVENTS_PING_SECONDS;
    s->next_check = now + EVENTS_CHECK_SECONDS;
    s->renew_at = now + g_app->cfg.mailbox.idle_renew;
    pthread_mutex_lock(&g_lock);
    s->active = true;
    pthread_mutex_unlock(&g_lock);
    ssize_t w = write(g_wake[1], "a", 1);
    (void)w;   /* a full pipe already means "wake up" */
}

void events_sign_out(const unsigned char *key)
{
    if (!g_running)
        return;
    bool any = false;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_cap; i++)
        if (g_slots[i] != NULL && memcmp(g_slots[i]->session_key, key, sizeof(g_slots[i]->session_key)) == 0) {
            g_slots[i]->signed_out = true;
            any = true;
        }
    pthread_mutex_unlock(&g_lock);
    if (any) {
        ssize_t w = write(g_wake[1], "o", 1);
        (void)w;
    }
}

size_t events_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_cap; i++)
        n += g_slots[i] != NULL;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* --- the event thread --------------------------------------------------- */

/* Writes text to the browser now. 0, or -1 when it is gone or stalled. */
static int send_text(struct stream *s, const char *text)
{
    int len = (int)strlen(text);
    if (FCGX_PutStr(text, len, s->fr->out) != len || FCGX_FFlush(s->fr->out) != 0 ||
        FCGX_GetError(s->fr->out) != 0)
        return -1;
    return 0;
}

struct change {
    uint32_t exists;
    unsigned added, expunged, flags;
    bool any;
};

static int on_untagged(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct change *c = ctx;
    uint64_t v;
    if (n < 2 || imapw_u64(t, n, 0, &v) < 0)
        return 0;   /* "OK Still here" and the like */
    if (imapw_is(t, n, 1, "EXISTS")) {
        if (v > c->exists)
            c->added += (unsigned)(v - c->exists);
        c->exists = (uint32_t)v;
        c->any = true;
    } else if (imapw_is(t, n, 1, "EXPUNGE")) {
        if (c->exists > 0)
            c->exists--;
        c->expunged++;
        c->any = true;
    } else if (imapw_is(t, n, 1, "FETCH")) {
        c->flags++;
        c->any = true;
    }
    return 0;
}

static int send_change(struct stream *s, const struct change *c)
{
    s->exists = c->exists;
    if (!c->any)
        return 0;
    char ev[160];
    snprintf(ev, sizeof(ev), "event: mailbox\ndata: {\"exists\":%u,\"new\":%u,\"expunged\":%u,\"flags\":%u}\n\n",
             c->exists, c->added, c->expunged, c->flags);
    return send_text(s, ev);
}

/* Reads what the server sent while idling. 0, or -1: end the stream. */
static int read_changes(struct stream *s, struct arena *a)
{
    struct change c = {.exists = s->exists};
    int replies = 0;
    do {
        if (imapw_idle_read(s->u, a, &s->idle, EVENT_IO_MS, on_untagged, &c) < 0)
            return -1;
    } while (up_imap_pending(s->u) && ++replies < 1000);
    return send_change(s, &c);
}

/* DONE and a new IDLE, before the server's 30-minute limit. */
static int renew(struct stream *s, struct arena *a)
{
    struct change c = {.exists = s->exists};
    if (imapw_idle_end(s->u, a, &s->idle, EVENT_IO_MS, on_untagged, &c) != IMAPW_OK ||
        imapw_idle_begin(s->u, a, &s->idle, EVENT_IO_MS, on_untagged, &c) != IMAPW_OK)
        return -1;
    s->renew_at = time(NULL) + g_app->cfg.mailbox.idle_renew;
    return send_change(s, &c);
}

/* Is the session still signed in? A store that is down counts as yes
 * (checked again next time); signed out or expired sends "signedout". */
static int check_session(struct stream *s, struct store **st)
{
    const struct config *cfg = &g_app->cfg;
    const char *err = NULL;
    if (*st == NULL && store_open(&cfg->store, st, &err) < 0) {
        *st = NULL;
        return 0;
    }
    struct session sess;
    enum session_status r = session_load(*st, &cfg->session, s->cookie, strlen(s->cookie),
                                         (int64_t)time(NULL), &sess, &err);
    session_clear(&sess);
    if (r == SESSION_OK || r == SESSION_ERROR)
        return 0;
    send_text(s, "event: signedout\ndata: {}\n\n");
    return -1;
}

static void finish(struct stream *s, struct arena *a, const char *reason)
{
    unslot(s);
    close_imap(s, a);
    FCGX_Finish_r(s->fr);
    free(s->fr);
    explicit_bzero(s->cookie, sizeof(s->cookie));
    log_info("msg=\"live updates ended\" reason=%s", reason);
    free(s);
}

/* One stream's turn after poll(): 0 to keep it, -1 after finishing it. */
static int serve(struct stream *s, struct arena *a, struct store **st, const struct pollfd *imap_pfd,
                 const struct pollfd *fcgi_pfd, time_t now)
{
    const char *end = NULL;
    pthread_mutex_lock(&g_lock);
    bool signed_out = s->signed_out;
    pthread_mutex_unlock(&g_lock);
    if (signed_out) {
        send_text(s, "event: signedout\ndata: {}\n\n");
        end = "signed-out";
    } else if (fcgi_pfd->revents != 0)
        end = "browser-gone";      /* nginx sends nothing more: any event is the close */
    else if ((imap_pfd->revents != 0 || up_imap_pending(s->u)) && read_changes(s, a) < 0)
        end = up_imap_net_error(s->u) == NET_OK ? "server-ended" : "server-gone";
    else if (now >= s->next_check && ((s->next_check = now + EVENTS_CHECK_SECONDS),
                                      check_session(s, st) < 0))
        end = "signed-out";
    else if (now >= s->renew_at && renew(s, a) < 0)
        end = "server-gone";
    else if (now >= s->next_ping && ((s->next_ping = now + EVENTS_PING_SECONDS),
                                     send_text(s, ":\n\n") < 0))
        end = "browser-gone";
    arena_reset(a);
    if (end == NULL)
        return 0;
    finish(s, a, end);
    return -1;
}

static void *event_main(void *arg)
{
    (void)arg;
    struct arena *a = arena_new();
    struct store *st = NULL;
    struct stream **list = calloc(g_cap ? g_cap : 1, sizeof(*list));
    struct pollfd *pfd = calloc(1 + 2 * g_cap, sizeof(*pfd));
    if (a == NULL || list == NULL || pfd == NULL)
        abort();
    while (!atomic_load(&g_stop)) {
        size_t n = 0;
        pthread_mutex_lock(&g_lock);
        for (size_t i = 0; i < g_cap; i++)
            if (g_slots[i] != NULL && g_slots[i]->active)
                list[n++] = g_slots[i];
        pthread_mutex_unlock(&g_lock);
        time_t now = time(NULL);
        time_t next = now + EVENTS_PING_SECONDS;
        int timeout = -1;
        pfd[0] = (struct pollfd){g_wake[0], POLLIN, 0};
        for (size_t k = 0; k < n; k++) {
            struct stream *s = list[k];
            pfd[1 + 2 * k] = (struct pollfd){up_imap_fd(s->u), POLLIN, 0};
            pfd[2 + 2 * k] = (struct pollfd){s->fr->ipcFd, POLLIN | POLLRDHUP, 0};
            if (up_imap_pending(s->u))
                timeout = 0;
            time_t due = s->next_ping < s->next_check ? s->next_ping : s->next_check;
            if (s->renew_at < due)
                due = s->renew_at;
            if (due < next)
                next = due;
        }
        if (timeout < 0)
            timeout = n == 0 ? -1 : next <= now ? 0 : (int)(next - now) * 1000;
        int rc = poll(pfd, 1 + 2 * n, timeout);
        if (rc < 0 && errno != EINTR) {
            log_error("msg=\"event thread poll failed\" errno=%d", errno);
            break;
        }
        if (pfd[0].revents & POLLIN) {
            char drain[64];
            while (read(g_wake[0], drain, sizeof(drain)) > 0)
                ;
        }
        now = time(NULL);
        for (size_t k = 0; k < n; k++)
            serve(list[k], a, &st, &pfd[1 + 2 * k], &pfd[2 + 2 * k], now);
    }
    /* stopping: every stream ends; the browsers reconnect elsewhere */
    pthread_mutex_lock(&g_lock);
    size_t n = 0;
    for (size_t i = 0; i < g_cap; i++)
        if (g_slots[i] != NULL && g_slots[i]->active)
            list[n++] = g_slots[i];
    pthread_mutex_unlock(&g_lock);
    for (size_t k = 0; k < n; k++)
        finish(list[k], a, "worker-stopping");
    free(pfd);
    free(list);
    store_close(st);
    arena_free(a);
    return NULL;
}

int events_start(const struct app *app)
{
    g_app = app;
    g_cap = app->cfg.mailbox.live_updates ? (size_t)app->cfg.mailbox.max_streams : 0;
    if (g_cap == 0)
        return 0;
    g_slots = calloc(g_cap, sizeof(*g_slots));
    if (g_slots == NULL || pipe2(g_wake, O_NONBLOCK | O_CLOEXEC) < 0) {
        log_error("msg=\"cannot start the event thread\" errno=%d", errno);
        return -1;
    }
    if (pthread_create(&g_thread, NULL, event_main, NULL) != 0) {
        log_error("msg=\"cannot start the event thread\"");
        return -1;
    }
    g_running = true;
    return 0;
}

void events_stop(void)
{
    if (!g_running)
        return;
    atomic_store(&g_stop, true);
    ssize_t w = write(g_wake[1], "s", 1);
    (void)w;
    pthread_join(g_thread, NULL);
    g_running = false;
    close(g_wake[0]);
    close(g_wake[1]);
    free(g_slots);
    g_slots = NULL;
}
