/* store_redis.c — the Redis session store (hiredis 0.14, blocking).
 *
 * Keys (PREFIX is [session] redis_prefix, default "postern:"):
 *   PREFIX "s:" HEX(id)   a hash: user, proto, backend, created_at,
 *                         last_seen, expires_at, csrf, secret; EXPIREAT
 *                         expires_at, so Redis drops dead sessions itself
 *   PREFIX "c:" NAME      a throttle counter (INCRBY), EXPIREAT its expiry
 * Writes that touch several fields run as one small Lua script (EVAL), so
 * they are atomic and touch never resurrects a deleted session.
 *
 * Connection: connect and every command time out after redis_timeout_ms;
 * TCP keepalive on. When a command fails at the connection level (server
 * restarted, idle connection dropped, timeout), the handle reconnects
 * (AUTH and SELECT again) and retries the command once. All commands are
 * idempotent except a counter increment, which a retry after a lost reply
 * may count twice: one extra failure, in the safe direction.
 */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

/* prefix (< 64) + "s:" or "c:" + 64 hex digits or a counter name (<= 200) */
#define KEY_MAX 300

struct store_redis {
    struct store base;
    redisContext *c;           /* NULL after a failure, until the next command */
    struct store_config cfg;
    char err[256];
};

static const char put_lua[] =
    "redis.call('DEL', KEYS[1]);"
    "redis.call('HSET', KEYS[1], 'user', ARGV[1], 'proto', ARGV[2],"
    " 'backend', ARGV[3], 'created_at', ARGV[4], 'last_seen', ARGV[5],"
    " 'expires_at', ARGV[6], 'csrf', ARGV[7], 'secret', ARGV[8]);"
    "redis.call('EXPIREAT', KEYS[1], ARGV[6]);"
    "return 1";

static const char touch_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end;"
    "redis.call('HSET', KEYS[1], 'last_seen', ARGV[1], 'expires_at', ARGV[2]);"
    "redis.call('EXPIREAT', KEYS[1], ARGV[2]);"
    "return 1";

static const char counter_lua[] =
    "local v = redis.call('INCRBY', KEYS[1], ARGV[1]);"
    "redis.call('EXPIREAT', KEYS[1], ARGV[2]);"
    "return v";

static int fail(struct store_redis *r, const char *what, const char *detail,
                const char **error_r)
{
    snprintf(r->err, sizeof(r->err), "session store (redis): %s%s%s", what,
             detail != NULL ? ": " : "", detail != NULL ? detail : "");
    if (error_r != NULL)
        *error_r = r->err;
    return -1;
}

static void disconnect(struct store_redis *r)
{
    if (r->c != NULL)
        redisFree(r->c);
    r->c = NULL;
}

/* Sends one command on the current connection: the reply, or NULL with
 * r->err set (reply errors included; the connection is dropped only on a
 * connection-level failure). */
static redisReply *send_once(struct store_redis *r, int argc, const char **argv,
                             const size_t *lens)
{
    redisReply *rep = redisCommandArgv(r->c, argc, argv, lens);

    if (rep == NULL) {
        fail(r, "connection failed", r->c->errstr, NULL);
        disconnect(r);
        return NULL;
    }
    if (rep->type == REDIS_REPLY_ERROR) {
        fail(r, "command refused", rep->str, NULL);
        freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

/* Connects, then AUTH and SELECT as configured. 0, or -1 with r->err. */
static int connect_now(struct store_redis *r)
{
    struct timeval tv = { r->cfg.redis_timeout_ms / 1000,
                          (r->cfg.redis_timeout_ms % 1000) * 1000 };

    disconnect(r);
    if (r->cfg.redis_host[0] == '/')
        r->c = redisConnectUnixWithTimeout(r->cfg.redis_host, tv);
    else
        r->c = redisConnectWithTimeout(r->cfg.redis_host, (int)r->cfg.redis_port, tv);
    if (r->c == NULL || r->c->err) {
        fail(r, "cannot connect", r->c != NULL ? r->c->errstr : "out of memory", NULL);
        disconnect(r);
        return -1;
    }
    if (redisSetTimeout(r->c, tv) != REDIS_OK ||
        (r->cfg.redis_host[0] != '/' && redisEnableKeepAlive(r->c) != REDIS_OK)) {
        fail(r, "cannot set socket options", r->c->errstr, NULL);
        disconnect(r);
        return -1;
    }
    if (r->cfg.redis_password[0] != '\0') {
        const char *argv[] = { "AUTH", r->cfg.redis_password };
        redisReply *rep = send_once(r, 2, argv, NULL);
        if (rep == NULL)
            return disconnect(r), -1;
        freeReplyObject(rep);
    }
    if (r->cfg.redis_db != 0) {
        char db[16];
        snprintf(db, sizeof(db), "%d", r->cfg.redis_db);
        const char *argv[] = { "SELECT", db };
        redisReply *rep = send_once(r, 2, argv, NULL);
        if (rep == NULL)
            return disconnect(r), -1;
        freeReplyObject(rep);
    }
    return 0;
}

/* Runs a command, reconnecting and retrying once if the connection fails.
 * The reply (free it), or NULL with *error_r set. */
static redisReply *command(struct store_redis *r, int argc, const char **argv,
                           const size_t *lens, const char **error_r)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int had_connection = r->c != NULL;
        if (r->c == NULL && connect_now(r) < 0)
            break;
        redisReply *rep = send_once(r, argc, argv, lens);
        if (rep != NULL)
            return rep;
        if (r->c != NULL || !had_connection)
            break;  /* a refused command, or a fresh connection that failed */
    }
    if (error_r != NULL)
        *error_r = r->err;
    return NULL;
}

static void redis_close(struct store *base)
{
    struct store_redis *r = (struct store_redis *)base;

    if (r == NULL)
        return;
    disconnect(r);
    crypto_wipe(r->cfg.redis_password, sizeof(r->cfg.redis_password));
    free(r);
}

static int redis_open(const struct store_config *cfg, struct store **st_r,
                      const char **error_r)
{
    static _Thread_local char open_err[256];
    struct store_redis *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        if (error_r != NULL)
            *error_r = "session store (redis): out of memory";
        return -1;
    }
    r->base.ops = &store_redis_ops;
    r->cfg = *cfg;
    if (connect_now(r) < 0) {
        snprintf(open_err, sizeof(open_err), "%s", r->err);
        redis_close(&r->base);
        if (error_r != NULL)
            *error_r = open_err;
        return -1;
    }
    *st_r = &r->base;
    return 0;
}

/* PREFIX "s:" HEX(id) into key (KEY_MAX bytes). */
static void session_key(const struct store_redis *r, const unsigned char *id, char *key)
{
    int n = snprintf(key, KEY_MAX, "%ss:", r->cfg.redis_prefix);

    for (size_t i = 0; i < STORE_ID_LEN; i++)
        n += snprintf(key + n, KEY_MAX - (size_t)n, "%02x", id[i]);
}

static int redis_put(struct store *base, const unsigned char id[STORE_ID_LEN],
                     const struct store_record *rec, const char **error_r)
{
    struct store_redis *r = (struct store_redis *)base;
    char key[KEY_MAX], created[24], seen[24], expires[24];

    session_key(r, id, key);
    snprintf(created, sizeof(created), "%" PRId64, rec->created_at);
    snprintf(seen, sizeof(seen), "%" PRId64, rec->last_seen);
    snprintf(expires, sizeof(expires), "%" PRId64, rec->expires_at);
    const char *argv[] = { "EVAL", put_lua, "1", key, rec->user, rec->proto,
                           rec->backend, created, seen, expires, rec->csrf,
                           (const char *)rec->secret };
    size_t lens[] = { 4, strlen(put_lua), 1, strlen(key), strlen(rec->user),
                      strlen(rec->proto), strlen(rec->backend), strlen(created),
                      strlen(seen), strlen(expires), strlen(rec->csrf),
                      rec->secret_len };
    redisReply *rep = command(r, 12, argv, lens, error_r);
    if (rep == NULL)
        return -1;
    freeReplyObject(rep);
    return 0;
}

/* Parses a reply element as a decimal int64; 0 if it is not one. */
static int parse_i64(const redisReply *e, int64_t *out)
{
    char buf[24], *end;

    if (e->type != REDIS_REPLY_STRING || e->len == 0 || e->len >= sizeof(buf))
        return 0;
    memcpy(buf, e->str, e->len);
    buf[e->len] = '\0';
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

/* Copies a string element into dst (cap bytes with the NUL); empty if it
 * does not fit, is not a string or holds a NUL. */
static void copy_str(const redisReply *e, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (e->type == REDIS_REPLY_STRING && e->len < cap &&
        memchr(e->str, '\0', e->len) == NULL) {
        memcpy(dst, e->str, e->len);
        dst[e->len] = '\0';
    }
}

static int redis_get(struct store *base, const unsigned char id[STORE_ID_LEN],
                     struct store_record *rec, const char **error_r)
{
    struct store_redis *r = (struct store_redis *)base;
    char key[KEY_MAX];

    session_key(r, id, key);
    const char *argv[] = { "HMGET", key, "user", "proto", "backend", "created_at",
                           "last_seen", "expires_at", "csrf", "secret" };
    redisReply *rep = command(r, 10, argv, NULL, error_r);
    if (rep == NULL)
        return -1;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 8) {
        freeReplyObject(rep);
        return fail(r, "unexpected reply to HMGET", NULL, error_r);
    }
    redisReply **e = rep->element;
    if (e[0]->type == REDIS_REPLY_NIL) {
        freeReplyObject(rep);
        return 0;
    }
    copy_str(e[0], rec->user, sizeof(rec->user));
    copy_str(e[1], rec->proto, sizeof(rec->proto));
    copy_str(e[2], rec->backend, sizeof(rec->backend));
    copy_str(e[6], rec->csrf, sizeof(rec->csrf));
    rec->secret_len = 0;
    if (parse_i64(e[3], &rec->created_at) && parse_i64(e[4], &rec->last_seen) &&
        parse_i64(e[5], &rec->expires_at) && e[7]->type == REDIS_REPLY_STRING &&
        e[7]->len <= sizeof(rec->secret)) {
        memcpy(rec->secret, e[7]->str, e[7]->len);
        rec->secret_len = e[7]->len;
    }
    freeReplyObject(rep);
    return 1;
}

/* An integer reply as 0/1 (or the value), or -1 if it is not an integer. */
static long long int_reply(struct store_redis *r, redisReply *rep, const char **error_r)
{
    long long v;

    if (rep == NULL)
        return -1;
    if (rep->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(rep);
        return fail(r, "unexpected reply type", NULL, error_r);
    }
    v = rep->integer;
    freeReplyObject(rep);
    return v;
}

static int redis_touch(struct store *base, const unsigned char id[STORE_ID_LEN],
                       int64_t last_seen, int64_t expires_at, const char **error_r)
{
    struct store_redis *r = (struct store_redis *)base;
    char key[KEY_MAX], seen[24], expires[24];

    session_key(r, id, key);
    snprintf(seen, sizeof(seen), "%" PRId64, last_seen);
    snprintf(expires, sizeof(expires), "%" PRId64, expires_at);
    const char *argv[] = { "EVAL", touch_lua, "1", key, seen, expires };
    long long v = int_reply(r, command(r, 6, argv, NULL, error_r), error_r);
    return v < 0 ? -1 : v > 0;
}

static int redis_del(struct store *base, const unsigned char id[STORE_ID_LEN],
                     const char **error_r)
{
    struct store_redis *r = (struct store_redis *)base;
    char key[KEY_MAX];

    session_key(r, id, key);
    const char *argv[] = { "DEL", key };
    long long v = int_reply(r, command(r, 2, argv, NULL, error_r), error_r);
    return v < 0 ? -1 : v > 0;
}

static int redis_expire(struct store *base, int64_t now, long *removed_r,
                        const char **error_r)
{
    (void)base;
    (void)now;
    (void)error_r;
    if (removed_r != NULL)
        *removed_r = 0;
    return 0;
}

/* PREFIX "c:" name into key, or -1 if name is not a valid counter name. */
static int counter_key(struct store_redis *r, const char *name, char *key,
                       const char **error_r)
{
    if (!store_counter_name_ok(name))
        return fail(r, "bad counter name", NULL, error_r);
    snprintf(key, KEY_MAX, "%sc:%s", r->cfg.redis_prefix, name);
    return 0;
}

static int redis_counter_add(struct store *base, const char *name, long long delta,
                             int64_t expires_at, long long *value_r,
                             const char **error_r)
{
    struct store_redis *r = (struct store_redis *)base;
    char key[KEY_MAX], d[24], expires[24];

    if (counter_key(r, name, key, error_r) < 0)
        return -1;
    snprintf(d, sizeof(d), "%lld", delta);
    snprintf(expires, sizeof(expires), "%" PRId64, expires_at);
    const char *argv[] = { "EVAL", counter_lua, "1", key, d, expires };
    redisReply *rep = command(r, 6, argv, NULL, error_r);
    if (rep == NULL)
        return -1;
    if (rep->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(rep);
        return fail(r, "unexpected reply to a counter update", NULL, error_r);
    }
    *value_r = rep->integer;
    freeReplyObject(rep);
    return 0;
}

static int redis_counter_get(struct store *base, const char *name, long long *value_r,
                             const char **error_r)
{
    struct store_redis *r = (struct store_redis *)base;
    char key[KEY_MAX];
    int64_t v = 0;

    if (counter_key(r, name, key, error_r) < 0)
        return -1;
    const char *argv[] = { "GET", key };
    redisReply *rep = command(r, 2, argv, NULL, error_r);
    if (rep == NULL)
        return -1;
    if (rep->type != REDIS_REPLY_NIL && !parse_i64(rep, &v)) {
        freeReplyObject(rep);
        return fail(r, "a counter is not a number", NULL, error_r);
    }
    freeReplyObject(rep);
    *value_r = v;
    return 0;
}

const struct store_ops store_redis_ops = {
    .name = "redis",
    .open = redis_open,
    .close = redis_close,
    .put = redis_put,
    .get = redis_get,
    .touch = redis_touch,
    .del = redis_del,
    .expire = redis_expire,
    .counter_add = redis_counter_add,
    .counter_get = redis_counter_get,
};
