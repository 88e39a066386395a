/* store_sqlite.c — the sqlite session store: one file, WAL, one
 * connection per thread (see store.h).
 *
 * Schema (user_version 1):
 *   sessions(id BLOB PRIMARY KEY, user, proto, backend, created_at,
 *            last_seen, expires_at, csrf, secret BLOB)
 *   counters(name TEXT PRIMARY KEY, value, expires_at)
 * Both WITHOUT ROWID, with an index on expires_at for store_expire(). The
 * file is created 0600 (sqlite gives its -wal and -shm files the same
 * mode). synchronous=NORMAL: in WAL mode the database cannot be corrupted
 * by a crash; a power cut may lose the last sign-ins, which is harmless.
 * Statements are prepared once per connection.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

enum stmt_kind {
    ST_PUT,
    ST_GET,
    ST_TOUCH,
    ST_DEL,
    ST_EXPIRE_SESSIONS,
    ST_EXPIRE_COUNTERS,
    ST_COUNTER_ADD,
    ST_COUNTER_GET,
    ST__MAX
};

static const char *const stmt_sql[ST__MAX] = {
    [ST_PUT] = "INSERT OR REPLACE INTO sessions(id, user, proto, backend, created_at,"
               " last_seen, expires_at, csrf, secret) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [ST_GET] = "SELECT user, proto, backend, created_at, last_seen, expires_at, csrf,"
               " secret FROM sessions WHERE id = ?1",
    [ST_TOUCH] = "UPDATE sessions SET last_seen = ?2, expires_at = ?3 WHERE id = ?1",
    [ST_DEL] = "DELETE FROM sessions WHERE id = ?1",
    [ST_EXPIRE_SESSIONS] = "DELETE FROM sessions WHERE expires_at <= ?1",
    [ST_EXPIRE_COUNTERS] = "DELETE FROM counters WHERE expires_at <= ?1",
    [ST_COUNTER_ADD] = "INSERT INTO counters(name, value, expires_at) VALUES(?1,?2,?3)"
                       " ON CONFLICT(name) DO UPDATE SET value = value + excluded.value,"
                       " expires_at = excluded.expires_at RETURNING value",
    [ST_COUNTER_GET] = "SELECT value FROM counters WHERE name = ?1",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS sessions("
    " id BLOB PRIMARY KEY NOT NULL, user TEXT NOT NULL, proto TEXT NOT NULL,"
    " backend TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " csrf TEXT NOT NULL, secret BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires_at);"
    "CREATE TABLE IF NOT EXISTS counters("
    " name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS counters_expires ON counters(expires_at);"
    "PRAGMA user_version = 1;";

struct store_sqlite {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[ST__MAX];
    char err[256];
};

/* Sets *error_r to "session store (sqlite): WHAT: sqlite's message". */
static int fail(struct store_sqlite *s, const char *what, const char **error_r)
{
    snprintf(s->err, sizeof(s->err), "session store (sqlite): %s: %s", what,
             s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
    if (error_r != NULL)
        *error_r = s->err;
    return -1;
}

/* Every statement run is reset and unbound afterwards. */
static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static void sqlite_close(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;

    if (s == NULL)
        return;
    for (int k = 0; k < ST__MAX; k++)
        sqlite3_finalize(s->stmt[k]);
    sqlite3_close(s->db);
    free(s);
}

/* Creates the file with mode 0600 if it does not exist yet.
 *
 * Careful: closing any descriptor of the database file drops every POSIX
 * lock this process holds on it, the locks of other threads' open SQLite
 * connections included (another process may then think it is the last
 * user and delete the WAL under them: "disk I/O error" ever after). So
 * the file is opened only when it does not exist, and existence is
 * decided under one process-wide lock, before any SQLite connection of
 * this process can have the file open. */
static int create_private(const char *path)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct stat st;
    int rc = 0;

    pthread_mutex_lock(&lock);
    if (stat(path, &st) < 0) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
        else if (errno != EEXIST)
            rc = -1;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* A failed open: the sentence must outlive the handle, so it goes to a
 * per-thread buffer (valid until the next failed open in this thread). */
static int open_failed(struct store_sqlite *s, const char *what, const char **error_r)
{
    static _Thread_local char open_err[320];

    snprintf(open_err, sizeof(open_err), "session store (sqlite): %s: %s", what,
             s->db != NULL ? sqlite3_errmsg(s->db) : strerror(errno));
    sqlite_close(&s->base);
    if (error_r != NULL)
        *error_r = open_err;
    return -1;
}

static int sqlite_open(const struct store_config *cfg, struct store **st_r,
                       const char **error_r)
{
    struct store_sqlite *s = calloc(1, sizeof(*s));
    static const char pragmas[] =
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

    if (s == NULL) {
        if (error_r != NULL)
            *error_r = "session store (sqlite): out of memory";
        return -1;
    }
    s->base.ops = &store_sqlite_ops;
    if (create_private(cfg->sqlite_path) < 0)
        return open_failed(s, "cannot create the database file", error_r);
    if (sqlite3_open_v2(cfg->sqlite_path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return open_failed(s, "cannot open the database", error_r);
    sqlite3_busy_timeout(s->db, cfg->sqlite_busy_ms);
    sqlite3_extended_result_codes(s->db, 1);
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return open_failed(s, "cannot set up the database", error_r);
    for (int k = 0; k < ST__MAX; k++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->stmt[k], NULL) != SQLITE_OK)
            return open_failed(s, "cannot prepare a statement", error_r);
    *st_r = &s->base;
    return 0;
}

static int sqlite_put(struct store *base, const unsigned char id[STORE_ID_LEN],
                      const struct store_record *r, const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = s->stmt[ST_PUT];
    int rc;

    sqlite3_bind_blob(st, 1, id, STORE_ID_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->proto, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->backend, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, r->created_at);
    sqlite3_bind_int64(st, 6, r->last_seen);
    sqlite3_bind_int64(st, 7, r->expires_at);
    sqlite3_bind_text(st, 8, r->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, r->secret, (int)r->secret_len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    finish(st);
    return rc == SQLITE_DONE ? 0 : fail(s, "cannot store the session", error_r);
}

/* Copies text column col into dst (cap bytes with the NUL); empty if it
 * does not fit or is not text. */
static void column_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);

    dst[0] = '\0';
    if (t != NULL && n < cap && memchr(t, '\0', n) == NULL) {
        memcpy(dst, t, n);
        dst[n] = '\0';
    }
}

static int sqlite_get(struct store *base, const unsigned char id[STORE_ID_LEN],
                      struct store_record *r, const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = s->stmt[ST_GET];
    int rc;

    sqlite3_bind_blob(st, 1, id, STORE_ID_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        column_text(st, 0, r->user, sizeof(r->user));
        column_text(st, 1, r->proto, sizeof(r->proto));
        column_text(st, 2, r->backend, sizeof(r->backend));
        r->created_at = sqlite3_column_int64(st, 3);
        r->last_seen = sqlite3_column_int64(st, 4);
        r->expires_at = sqlite3_column_int64(st, 5);
        column_text(st, 6, r->csrf, sizeof(r->csrf));
        const void *b = sqlite3_column_blob(st, 7);
        size_t n = (size_t)sqlite3_column_bytes(st, 7);
        r->secret_len = 0;
        if (b != NULL && n <= sizeof(r->secret)) {
            memcpy(r->secret, b, n);
            r->secret_len = n;
        }
    }
    finish(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : fail(s, "cannot read the session", error_r);
}

/* Runs a statement that changes rows; returns the number changed or -1. */
static int run_change(struct store_sqlite *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    finish(st);
    return rc == SQLITE_DONE ? sqlite3_changes(s->db) : -1;
}

static int sqlite_touch(struct store *base, const unsigned char id[STORE_ID_LEN],
                        int64_t last_seen, int64_t expires_at, const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = s->stmt[ST_TOUCH];

    sqlite3_bind_blob(st, 1, id, STORE_ID_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, last_seen);
    sqlite3_bind_int64(st, 3, expires_at);
    int n = run_change(s, st);
    return n < 0 ? fail(s, "cannot update the session", error_r) : n > 0;
}

static int sqlite_del(struct store *base, const unsigned char id[STORE_ID_LEN],
                      const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = s->stmt[ST_DEL];

    sqlite3_bind_blob(st, 1, id, STORE_ID_LEN, SQLITE_STATIC);
    int n = run_change(s, st);
    return n < 0 ? fail(s, "cannot delete the session", error_r) : n > 0;
}

static int sqlite_expire(struct store *base, int64_t now, long *removed_r,
                         const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    long removed = 0;

    for (int k = ST_EXPIRE_SESSIONS; k <= ST_EXPIRE_COUNTERS; k++) {
        sqlite3_stmt *st = s->stmt[(enum stmt_kind)k];
        sqlite3_bind_int64(st, 1, now);
        int n = run_change(s, st);
        if (n < 0)
            return fail(s, "cannot remove expired sessions", error_r);
        removed += n;
    }
    if (removed_r != NULL)
        *removed_r = removed;
    return 0;
}

static int sqlite_counter_add(struct store *base, const char *name, long long delta,
                              int64_t expires_at, long long *value_r,
                              const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = s->stmt[ST_COUNTER_ADD];
    int rc;

    if (!store_counter_name_ok(name)) {
        if (error_r != NULL)
            *error_r = "session store (sqlite): bad counter name";
        return -1;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, delta);
    sqlite3_bind_int64(st, 3, expires_at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value_r = sqlite3_column_int64(st, 0);
    /* RETURNING: the change is complete only once the statement is done. */
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    finish(st);
    return rc == SQLITE_DONE ? 0 : fail(s, "cannot update a counter", error_r);
}

static int sqlite_counter_get(struct store *base, const char *name, long long *value_r,
                              const char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = s->stmt[ST_COUNTER_GET];
    int rc;

    if (!store_counter_name_ok(name)) {
        if (error_r != NULL)
            *error_r = "session store (sqlite): bad counter name";
        return -1;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *value_r = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
                                                 : fail(s, "cannot read a counter", error_r);
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .put = sqlite_put,
    .get = sqlite_get,
    .touch = sqlite_touch,
    .del = sqlite_del,
    .expire = sqlite_expire,
    .counter_add = sqlite_counter_add,
    .counter_get = sqlite_counter_get,
};
