/* store_fixture.h — one cmocka fixture, two store backends.
 *
 * A test registered with BOTH(fn) runs twice: against sqlite (a fresh
 * file in a mkdtemp directory) and against a real redis-server that the
 * group setup starts on a free port (redis_server.h) and the group
 * teardown kills by pid. If redis-server cannot be started, every redis
 * test fails (setup fails), it is never skipped. Records can also be read
 * and altered "raw" (sqlite3 / hiredis directly) to check what the store
 * holds and that tampering with it is caught.
 * Header-only; include it from one test program, after cmocka.h.
 */
#ifndef POSTERN_TEST_STORE_FIXTURE_H
#define POSTERN_TEST_STORE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "arena.h"
#include "buf.h"
#include "crypto.h"
#include "csrf.h"
#include "http.h"
#include "session.h"
#include "store.h"
#include "throttle.h"

#include "redis_server.h"

static char tmpdir[] = "/tmp/postern-test-store-XXXXXX";
static struct redis_server redis;
static char redis_err[512] = "not started";
static int db_seq;

static const enum store_kind kinds[STORE__MAX] = { STORE_SQLITE, STORE_REDIS };

struct fx {
    enum store_kind kind;
    struct store *st;
    struct store_config scfg;
    struct session_config cfg;
    struct throttle_config tcfg;
    sqlite3 *raw_db;       /* sqlite: a second, raw connection */
    redisContext *raw;     /* redis: a raw connection */
    int64_t t0;            /* near real time: redis expires by the clock */
};

#define assert_status(got, want)                                              \
    do {                                                                      \
        enum session_status g_ = (got), w_ = (want);                          \
        if (g_ != w_)                                                         \
            fail_msg("status %s, want %s", session_status_names[g_],          \
                     session_status_names[w_]);                               \
    } while (0)

/* --- fixture ---------------------------------------------------------- */

static inline int group_setup(void **state)
{
    (void)state;  /* must stay NULL so each test gets its initial state */
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    redis_server_start(&redis, tmpdir, redis_err, sizeof(redis_err));
    return 0;
}

static inline int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static inline int group_teardown(void **state)
{
    (void)state;
    redis_server_stop(&redis);
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static inline int teardown(void **state)
{
    struct fx *fx = *state;

    store_close(fx->st);
    if (fx->raw_db != NULL)
        sqlite3_close(fx->raw_db);
    if (fx->raw != NULL)
        redisFree(fx->raw);
    free(fx);
    return 0;
}

static inline int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    const char *err = NULL;

    fx->kind = *(const enum store_kind *)*state;
    *state = fx;
    store_config_defaults(&fx->scfg);
    fx->scfg.kind = fx->kind;
    session_config_defaults(&fx->cfg);
    fx->cfg.idle_timeout = 600;
    fx->cfg.absolute_timeout = 3600;
    fx->cfg.touch_interval = 60;
    throttle_config_defaults(&fx->tcfg);
    fx->t0 = time(NULL);
    if (fx->kind == STORE_SQLITE) {
        snprintf(fx->scfg.sqlite_path, sizeof(fx->scfg.sqlite_path), "%s/s%d.db", tmpdir,
                 ++db_seq);
        fx->scfg.sqlite_busy_ms = 50;
    } else {
        if (redis.pid == 0) {
            print_error("redis-server: %s\n", redis_err);
            return teardown(state), -1;
        }
        fx->scfg.redis_port = redis.port;
        fx->raw = redisConnect("127.0.0.1", (int)redis.port);
        redisReply *r = redisCommand(fx->raw, "FLUSHALL");
        if (r == NULL)
            return teardown(state), -1;
        freeReplyObject(r);
    }
    if (store_open(&fx->scfg, &fx->st, &err) < 0) {
        print_error("store_open: %s\n", err);
        return teardown(state), -1;
    }
    if (fx->kind == STORE_SQLITE && sqlite3_open(fx->scfg.sqlite_path, &fx->raw_db) != SQLITE_OK)
        return teardown(state), -1;
    return 0;
}

/* --- helpers ---------------------------------------------------------- */

static inline void sign_in(struct fx *fx, const char *user, const char *pw, int64_t now,
                    struct session *s)
{
    struct session_login l = { user, "imap", "mail1.internal:993", pw, strlen(pw) };
    const char *err = NULL;

    if (session_create(fx->st, &fx->cfg, &l, NULL, 0, now, s, &err) != 0)
        fail_msg("session_create: %s", err);
}

static inline enum session_status load(struct fx *fx, const char *cookie, size_t len, int64_t now)
{
    struct session s;
    const char *err = NULL;
    enum session_status rc = session_load(fx->st, &fx->cfg, cookie, len, now, &s, &err);

    assert_non_null(err);
    session_clear(&s);
    return rc;
}

static inline enum session_status load_str(struct fx *fx, const char *cookie, int64_t now)
{
    return load(fx, cookie, strlen(cookie), now);
}

static inline void redis_key(const unsigned char *id, char *key)
{
    int n = sprintf(key, "postern:s:");
    for (int i = 0; i < STORE_ID_LEN; i++)
        n += sprintf(key + n, "%02x", id[i]);
}

/* Every byte of the stored record (all fields, as the store keeps them). */
static inline void raw_dump(struct fx *fx, const unsigned char *id, struct buf *out)
{
    if (fx->kind == STORE_SQLITE) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(fx->raw_db, "SELECT * FROM sessions WHERE id = ?1",
                                            -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_blob(st, 1, id, STORE_ID_LEN, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const void *p = sqlite3_column_blob(st, c);
            buf_append(out, p, (size_t)sqlite3_column_bytes(st, c));
            buf_putc(out, '|');
        }
        sqlite3_finalize(st);
    } else {
        char key[128];
        redis_key(id, key);
        redisReply *r = redisCommand(fx->raw, "HGETALL %s", key);
        assert_non_null(r);
        assert_int_equal(r->type, REDIS_REPLY_ARRAY);
        assert_true(r->elements >= 16);
        buf_append(out, key, strlen(key));
        for (size_t i = 0; i < r->elements; i++) {
            buf_append(out, r->element[i]->str, r->element[i]->len);
            buf_putc(out, '|');
        }
        freeReplyObject(r);
    }
}

/* Overwrites one field of the stored record behind the store's back. */
static inline void raw_set(struct fx *fx, const unsigned char *id, const char *field,
                    const void *v, size_t n)
{
    if (fx->kind == STORE_SQLITE) {
        char sql[128];
        sqlite3_stmt *st;
        snprintf(sql, sizeof(sql), "UPDATE sessions SET %s = ?2 WHERE id = ?1", field);
        assert_int_equal(sqlite3_prepare_v2(fx->raw_db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_blob(st, 1, id, STORE_ID_LEN, SQLITE_STATIC);
        if (strcmp(field, "secret") == 0)
            sqlite3_bind_blob(st, 2, v, (int)n, SQLITE_STATIC);
        else
            sqlite3_bind_text(st, 2, v, (int)n, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        assert_int_equal(sqlite3_changes(fx->raw_db), 1);
        sqlite3_finalize(st);
    } else {
        char key[128];
        redis_key(id, key);
        redisReply *r = redisCommand(fx->raw, "HSET %s %s %b", key, field, v, n);
        assert_non_null(r);
        assert_int_equal(r->type, REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
}

/* Registers fn once per backend. */
#define BOTH(f)                                                                          \
    { "sqlite: " #f, f, setup, teardown, (void *)&kinds[STORE_SQLITE] },                 \
    { "redis: " #f, f, setup, teardown, (void *)&kinds[STORE_REDIS] }

#endif
