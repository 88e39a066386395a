/* conncache.h — a worker's cache of logged-in upstream connections, one
 * per session, reused across that session's requests.
 *
 * An entry is keyed by the session's store id (SHA-256 of its id), so a
 * request of another session can never get it. A caller checks an entry
 * out (it is then theirs alone until checked in), uses or replaces its
 * connection, and checks it back in. Idle entries older than idle_seconds
 * and, when the cache is full, the least recently used idle entry are
 * closed. Connections are closed (which may talk to the server) outside
 * the cache's lock.
 *
 * Thread-safe. The connection is opaque here: close_fn(conn) ends it.
 */
#ifndef POSTERN_CONNCACHE_H
#define POSTERN_CONNCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CONNCACHE_KEY_LEN 32

struct conncache;

struct conncache_entry {
    unsigned char key[CONNCACHE_KEY_LEN];
    void *conn;          /* NULL: none yet (open one and set it) */
    void *state;         /* the user's per-connection state (malloc'd by the
                          * user; freed with free() when the entry goes) */
    time_t last_used;
    bool busy;
    bool in_cache;       /* false: a temporary entry, not kept */
};

/* A cache of at most max entries (0: caching off; every checkout gets a
 * temporary entry). close_fn closes a connection. */
struct conncache *conncache_new(size_t max, int idle_seconds, void (*close_fn)(void *conn));

/* Closes every connection and frees the cache. NULL is a no-op. */
void conncache_free(struct conncache *c);

/* The entry for key, checked out to the caller: its connection if one is
 * cached, else conn == NULL. When the key's entry is busy (the same
 * session's other request) or no slot is free, a temporary entry that is
 * not kept. Never NULL. */
struct conncache_entry *conncache_checkout(struct conncache *c, const unsigned char *key, time_t now);

/* Gives the entry back. dead: its connection is unusable (close it and
 * forget it). A temporary entry's connection is closed. */
void conncache_checkin(struct conncache *c, struct conncache_entry *e, bool dead, time_t now);

/* Closes idle entries unused for idle_seconds. */
void conncache_sweep(struct conncache *c, time_t now);

/* Closes and forgets the key's entry when it is not busy (sign-out). */
void conncache_drop(struct conncache *c, const unsigned char *key);

/* Entries holding a connection, for tests and stats. */
size_t conncache_count(struct conncache *c);

#endif
