/* conncache.c — per-worker cache of logged-in connections (see conncache.h). */
#include "conncache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct conncache {
    pthread_mutex_t lock;
    struct conncache_entry *v;
    size_t max;
    int idle;
    void (*close_fn)(void *);
};

struct conncache *conncache_new(size_t max, int idle_seconds, void (*close_fn)(void *conn))
{
    struct conncache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    pthread_mutex_init(&c->lock, NULL);
    c->max = max;
    c->idle = idle_seconds;
    c->close_fn = close_fn;
    c->v = calloc(max ? max : 1, sizeof(*c->v));
    if (c->v == NULL)
        abort();
    return c;
}

/* Ends what an entry holds (outside the lock) */
static void release(struct conncache *c, void *conn, void *state)
{
    if (conn != NULL)
        c->close_fn(conn);
    free(state);
}

void conncache_free(struct conncache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->max; i++)
        release(c, c->v[i].conn, c->v[i].state);
    free(c->v);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct conncache_entry *temporary(const unsigned char *key, time_t now)
{
    struct conncache_entry *e = calloc(1, sizeof(*e));
    if (e == NULL)
        abort();
    memcpy(e->key, key, CONNCACHE_KEY_LEN);
    e->busy = true;
    e->last_used = now;
    return e;
}

struct conncache_entry *conncache_checkout(struct conncache *c, const unsigned char *key, time_t now)
{
    void *evict_conn = NULL, *evict_state = NULL;
    struct conncache_entry *got = NULL, *free_slot = NULL, *lru = NULL;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->max; i++) {
        struct conncache_entry *e = &c->v[i];
        if (e->in_cache && memcmp(e->key, key, CONNCACHE_KEY_LEN) == 0) {
            got = e->busy ? NULL : e;
            if (got == NULL)
                goto out;   /* the same session is busy: a temporary one */
            break;
        }
        if (!e->in_cache && free_slot == NULL)
            free_slot = e;
        else if (e->in_cache && !e->busy && (lru == NULL || e->last_used < lru->last_used))
            lru = e;
    }
    if (got == NULL) {
        got = free_slot;
        if (got == NULL && lru != NULL) {
            evict_conn = lru->conn;
            evict_state = lru->state;
            got = lru;
        }
        if (got != NULL) {
            memset(got, 0, sizeof(*got));
            memcpy(got->key, key, CONNCACHE_KEY_LEN);
            got->in_cache = true;
        }
    }
    if (got != NULL) {
        got->busy = true;
        got->last_used = now;
    }
out:
    pthread_mutex_unlock(&c->lock);
    release(c, evict_conn, evict_state);
    return got != NULL ? got : temporary(key, now);
}

void conncache_checkin(struct conncache *c, struct conncache_entry *e, bool dead, time_t now)
{
    if (!e->in_cache) {
        release(c, e->conn, e->state);
        free(e);
        return;
    }
    void *conn = NULL, *state = NULL;
    pthread_mutex_lock(&c->lock);
    if (dead || e->conn == NULL) {
        conn = e->conn;
        state = e->state;
        e->conn = NULL;
        e->state = NULL;
        e->in_cache = false;
    }
    e->busy = false;
    e->last_used = now;
    pthread_mutex_unlock(&c->lock);
    release(c, conn, state);
}

/* Takes out (under the lock) the entries that match; closes them after. */
static void close_where(struct conncache *c, bool (*match)(const struct conncache_entry *, const void *),
                        const void *arg)
{
    void **conns = calloc(c->max ? c->max : 1, 2 * sizeof(void *));
    size_t k = 0;
    if (conns == NULL)
        abort();
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->max; i++) {
        struct conncache_entry *e = &c->v[i];
        if (e->in_cache && !e->busy && match(e, arg)) {
            conns[k++] = e->conn;
            conns[k++] = e->state;
            memset(e, 0, sizeof(*e));
        }
    }
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < k; i += 2)
        release(c, conns[i], conns[i + 1]);
    free(conns);
}

struct idle_arg {
    time_t now;
    int idle;
};

static bool is_idle(const struct conncache_entry *e, const void *arg)
{
    const struct idle_arg *a = arg;
    return a->now - e->last_used >= a->idle;
}

static bool has_key(const struct conncache_entry *e, const void *key)
{
    return memcmp(e->key, key, CONNCACHE_KEY_LEN) == 0;
}

void conncache_sweep(struct conncache *c, time_t now)
{
    struct idle_arg a = { now, c->idle };
    close_where(c, is_idle, &a);
}

void conncache_drop(struct conncache *c, const unsigned char *key)
{
    close_where(c, has_key, key);
}

size_t conncache_count(struct conncache *c)
{
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->max; i++)
        n += c->v[i].in_cache && c->v[i].conn != NULL;
    pthread_mutex_unlock(&c->lock);
    return n;
}
