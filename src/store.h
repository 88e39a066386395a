/* store.h — where session records and throttle counters live.
 *
 * One interface, two backends chosen in config ([session] store):
 *   sqlite  the embedded default: one file in WAL mode (store_sqlite.c);
 *   redis   when several hosts serve the portal (store_redis.c, hiredis).
 * The session layer (session.h) and the throttle (throttle.h) only talk
 * to this interface; they never see SQL or Redis commands.
 *
 * Threads and processes: a struct store is one connection. It belongs to
 * one thread; open one per request thread, after fork(), and close it in
 * that thread. Records are shared between all handles on the same file or
 * server, so every worker and host sees the same sessions.
 *
 * Records are keyed by a STORE_ID_LEN-byte id, which the session layer
 * makes the SHA-256 of the session id: the store never holds a usable
 * session id, nor the key that decrypts the password (that lives only in
 * the user's cookie). Times are seconds since the epoch, always passed in
 * by the caller (tests inject them); the redis backend also hands
 * expires_at to Redis (EXPIREAT), so it must be near real time there.
 *
 * Errors: functions return as documented, with -1 meaning the store
 * failed (I/O, server gone, database locked past busy_timeout); *error_r
 * (if error_r is not NULL) is then a sentence, static or owned by the
 * store and valid until its next call. Sentences never quote record
 * contents.
 */
#ifndef POSTERN_STORE_H
#define POSTERN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

enum store_kind { STORE_SQLITE, STORE_REDIS, STORE__MAX };
extern const char *const store_kind_names[STORE__MAX]; /* "sqlite", "redis" */

struct store_config {
    enum store_kind kind;            /* default STORE_SQLITE */
    char sqlite_path[4096];          /* default /var/lib/postern/sessions.db */
    int sqlite_busy_ms;              /* wait for a locked database; default 2000 */
    char redis_host[256];            /* name, address, or /path of a unix socket;
                                      * default 127.0.0.1 */
    unsigned redis_port;             /* default 6379 (unused for a socket) */
    char redis_password[256];        /* AUTH when not empty; default empty */
    int redis_db;                    /* SELECT when not 0; default 0 */
    char redis_prefix[64];           /* key prefix; default "postern:" */
    int redis_timeout_ms;            /* connect and per-command; default 500 */
};

/* Fills *c with the defaults above. */
void store_config_defaults(struct store_config *c);

#define STORE_ID_LEN      CRYPTO_SHA256_LEN
#define STORE_USER_MAX    254        /* bytes, as valid_username() */
#define STORE_PROTO_MAX   31
#define STORE_BACKEND_MAX 255
#define STORE_CSRF_LEN    22         /* base64url of 128 random bits */
#define STORE_SECRET_MAX  (1024 + CRYPTO_SEAL_OVERHEAD)

/* One session as stored. Strings are NUL-terminated. secret is the sealed
 * mail password (crypto_seal: nonce || ciphertext || tag); the key is not
 * here. */
struct store_record {
    char user[STORE_USER_MAX + 1];
    char proto[STORE_PROTO_MAX + 1];     /* e.g. "imap", chosen at sign-in */
    char backend[STORE_BACKEND_MAX + 1]; /* the mail server chosen at sign-in */
    int64_t created_at;
    int64_t last_seen;
    int64_t expires_at;                  /* the store may drop it from then on */
    char csrf[STORE_CSRF_LEN + 1];       /* synchronizer token secret, base64url */
    unsigned char secret[STORE_SECRET_MAX];
    size_t secret_len;
};

struct store;

/* A backend. Every function pointer is set. */
struct store_ops {
    const char *name;
    /* Connects (and for sqlite creates the file 0600 and the schema).
     * Returns 0 with *st_r set, or -1. */
    int (*open)(const struct store_config *cfg, struct store **st_r,
                const char **error_r);
    /* Closes and frees; NULL is a no-op. */
    void (*close)(struct store *st);
    /* Stores rec under id, replacing any record there. 0 or -1. */
    int (*put)(struct store *st, const unsigned char id[STORE_ID_LEN],
               const struct store_record *rec, const char **error_r);
    /* Reads the record under id into *rec. Returns 1 found, 0 absent (or
     * already expired by the store), -1 failure. Content never fails a
     * get: a stored field that does not fit *rec is returned empty
     * (secret_len 0), which the session layer rejects. */
    int (*get)(struct store *st, const unsigned char id[STORE_ID_LEN],
               struct store_record *rec, const char **error_r);
    /* Sets last_seen and expires_at of an existing record; never creates
     * one. Returns 1 updated, 0 absent, -1 failure. */
    int (*touch)(struct store *st, const unsigned char id[STORE_ID_LEN],
                 int64_t last_seen, int64_t expires_at, const char **error_r);
    /* Removes the record under id. Returns 1 removed, 0 absent, -1. */
    int (*del)(struct store *st, const unsigned char id[STORE_ID_LEN],
               const char **error_r);
    /* Removes records and counters whose expires_at <= now; sets
     * *removed_r (if not NULL) to how many. Redis expires keys itself
     * (removed 0). Call it every few minutes. 0 or -1. */
    int (*expire)(struct store *st, int64_t now, long *removed_r,
                  const char **error_r);
    /* Counters (for throttle.h). name: 1..200 bytes of printable ASCII.
     * counter_add adds delta to the counter (created at 0 if absent), sets
     * its expiry to expires_at, and sets *value_r to the new value.
     * counter_get sets *value_r to the value (0 if absent). Both return 0
     * or -1. A counter may outlive expires_at until expire() runs (sqlite),
     * so callers name counters by time window and never reuse a name
     * after its expiry (throttle.c does). */
    int (*counter_add)(struct store *st, const char *name, long long delta,
                       int64_t expires_at, long long *value_r,
                       const char **error_r);
    int (*counter_get)(struct store *st, const char *name, long long *value_r,
                       const char **error_r);
};

/* Every handle starts with this; backends extend it. */
struct store {
    const struct store_ops *ops;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_redis_ops;

/* Opens the backend cfg->kind names. Returns 0 with *st_r set, or -1. */
int store_open(const struct store_config *cfg, struct store **st_r,
               const char **error_r);

/* Closes st (NULL: no-op). */
void store_close(struct store *st);

/* The operations, by handle (see struct store_ops for contracts). */
static inline int store_put(struct store *st, const unsigned char id[STORE_ID_LEN],
                            const struct store_record *rec, const char **error_r)
{
    return st->ops->put(st, id, rec, error_r);
}
static inline int store_get(struct store *st, const unsigned char id[STORE_ID_LEN],
                            struct store_record *rec, const char **error_r)
{
    return st->ops->get(st, id, rec, error_r);
}
static inline int store_touch(struct store *st, const unsigned char id[STORE_ID_LEN],
                              int64_t last_seen, int64_t expires_at,
                              const char **error_r)
{
    return st->ops->touch(st, id, last_seen, expires_at, error_r);
}
static inline int store_del(struct store *st, const unsigned char id[STORE_ID_LEN],
                            const char **error_r)
{
    return st->ops->del(st, id, error_r);
}
static inline int store_expire(struct store *st, int64_t now, long *removed_r,
                               const char **error_r)
{
    return st->ops->expire(st, now, removed_r, error_r);
}
static inline int store_counter_add(struct store *st, const char *name,
                                    long long delta, int64_t expires_at,
                                    long long *value_r, const char **error_r)
{
    return st->ops->counter_add(st, name, delta, expires_at, value_r, error_r);
}
static inline int store_counter_get(struct store *st, const char *name,
                                    long long *value_r, const char **error_r)
{
    return st->ops->counter_get(st, name, value_r, error_r);
}

/* 1 if name is a valid counter name (1..200 printable ASCII, no space). */
int store_counter_name_ok(const char *name);

#endif
