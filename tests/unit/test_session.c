/* test_session.c — sign-in, validation, expiry, tampering, sign-out and
 * the key-in-cookie property, on BOTH store backends (store_fixture.h:
 * sqlite in a temporary directory, a real redis-server started and
 * stopped by this program); cookies and Set-Cookie values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "crypto.h"
#include "csrf.h"
#include "http.h"
#include "session.h"
#include "store.h"
#include "throttle.h"

#include "store_fixture.h"

/* --- sessions --------------------------------------------------------- */

static void test_create_load(void **state)
{
    struct fx *fx = *state;
    struct session s, l;
    const char *err;

    sign_in(fx, "alice@example.com", "hunter2", fx->t0, &s);
    assert_int_equal(strlen(s.cookie), SESSION_COOKIE_LEN);
    assert_int_equal(s.cookie[22], '.');
    assert_int_equal(strlen(s.rec.csrf), STORE_CSRF_LEN);
    assert_status(session_load(fx->st, &fx->cfg, s.cookie, strlen(s.cookie), fx->t0 + 5,
                               &l, &err), SESSION_OK);
    assert_string_equal(l.rec.user, "alice@example.com");
    assert_string_equal(l.rec.proto, "imap");
    assert_string_equal(l.rec.backend, "mail1.internal:993");
    assert_int_equal(l.rec.created_at, fx->t0);
    assert_int_equal(l.rec.last_seen, fx->t0);
    assert_string_equal(l.rec.csrf, s.rec.csrf);
    assert_memory_equal(l.id_hash, s.id_hash, STORE_ID_LEN);
    assert_string_equal(l.cookie, s.cookie);
    session_clear(&l);
    session_clear(&s);
    assert_int_equal(s.cookie[0], 0);
}

static void test_password_roundtrip(void **state)
{
    struct fx *fx = *state;
    char pw[SESSION_PASSWORD_MAX + 1], out[SESSION_PASSWORD_MAX + 1];
    const char *err = NULL;
    struct session s, l;
    size_t n;

    for (size_t i = 0; i < SESSION_PASSWORD_MAX; i++)
        pw[i] = (char)(' ' + i % 95);
    pw[SESSION_PASSWORD_MAX] = '\0';
    memcpy(pw, "p\xc3\xa4ss w\xc3\xb6rd", 11);  /* UTF-8 and a space */
    sign_in(fx, "bob", pw, fx->t0, &s);
    assert_status(session_load(fx->st, &fx->cfg, s.cookie, strlen(s.cookie), fx->t0, &l,
                               &err), SESSION_OK);
    assert_int_equal(session_password(&l, out, sizeof(out), &n, &err), 0);
    assert_int_equal(n, SESSION_PASSWORD_MAX);
    assert_string_equal(out, pw);
    assert_int_equal(session_password(&l, out, SESSION_PASSWORD_MAX, &n, &err), -1);
    crypto_wipe(out, sizeof(out));
    session_clear(&l);
    session_clear(&s);
}

static void test_login_fields_refused(void **state)
{
    struct fx *fx = *state;
    char big[SESSION_PASSWORD_MAX + 2], longuser[STORE_USER_MAX + 2];
    struct session s;
    const char *err;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memset(longuser, 'u', sizeof(longuser) - 1);
    longuser[sizeof(longuser) - 1] = '\0';
    const struct session_login bad[] = {
        { "carol", "imap", "", big, SESSION_PASSWORD_MAX + 1 },
        { "carol", "imap", "", "", 0 },
        { "carol", "imap", "", "a\0b", 3 },
        { "", "imap", "", "pw", 2 },
        { NULL, "imap", "", "pw", 2 },
        { longuser, "imap", "", "pw", 2 },
        { "carol", NULL, "", "pw", 2 },
        { "carol", "imap", NULL, "pw", 2 },
        { "carol", "imap-but-a-much-too-long-protocol", "", "pw", 2 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        if (session_create(fx->st, &fx->cfg, &bad[i], NULL, 0, fx->t0, &s, &err) != -1)
            fail_msg("bad login #%zu accepted", i);
        assert_non_null(err);
    }
    longuser[STORE_USER_MAX] = '\0';  /* exactly the maximum is fine */
    struct session_login ok = { longuser, "pop3", "", "pw", 2 };
    assert_int_equal(session_create(fx->st, &fx->cfg, &ok, NULL, 0, fx->t0, &s, &err), 0);
    assert_status(load_str(fx, s.cookie, fx->t0), SESSION_OK);
    session_clear(&s);
}

static void test_sign_out(void **state)
{
    struct fx *fx = *state;
    struct session s, l;
    char cookie[SESSION_COOKIE_LEN + 1];
    const char *err;

    sign_in(fx, "alice", "pw1", fx->t0, &s);
    memcpy(cookie, s.cookie, sizeof(cookie));
    session_clear(&s);
    assert_status(session_load(fx->st, &fx->cfg, cookie, strlen(cookie), fx->t0 + 1, &l,
                               &err), SESSION_OK);
    assert_int_equal(session_destroy(fx->st, &l, &err), 0);
    assert_int_equal(l.cookie[0], 0);                     /* cleared */
    assert_status(load_str(fx, cookie, fx->t0 + 2), SESSION_UNKNOWN);
    assert_status(load_str(fx, cookie, fx->t0 + 2), SESSION_UNKNOWN);
}

static void test_fixation(void **state)
{
    struct fx *fx = *state;
    unsigned char raw[SESSION_ID_LEN + SESSION_KEY_LEN];
    char planted[SESSION_COOKIE_LEN + 1], old[SESSION_COOKIE_LEN + 1];
    struct session_login l = { "alice", "imap", "", "pw", 2 };
    struct session s, s2;
    const char *err;

    /* An attacker plants a well-formed id of their choosing. */
    crypto_random(raw, sizeof(raw), NULL);
    size_t n = b64url_encode(raw, SESSION_ID_LEN, planted);
    planted[n++] = '.';
    b64url_encode(raw + SESSION_ID_LEN, SESSION_KEY_LEN, planted + n);
    assert_status(load_str(fx, planted, fx->t0), SESSION_UNKNOWN);
    assert_int_equal(session_create(fx->st, &fx->cfg, &l, planted, strlen(planted), fx->t0,
                                    &s, &err), 0);
    assert_string_not_equal(s.cookie, planted);
    assert_memory_not_equal(s.cookie, planted, 22);
    assert_status(load_str(fx, planted, fx->t0), SESSION_UNKNOWN);
    assert_status(load_str(fx, s.cookie, fx->t0), SESSION_OK);
    /* Signing in again with a live session: new id, old record gone. */
    memcpy(old, s.cookie, sizeof(old));
    assert_int_equal(session_create(fx->st, &fx->cfg, &l, old, strlen(old), fx->t0 + 1, &s2,
                                    &err), 0);
    assert_memory_not_equal(s2.cookie, old, 22);
    assert_status(load_str(fx, old, fx->t0 + 1), SESSION_UNKNOWN);
    assert_status(load_str(fx, s2.cookie, fx->t0 + 1), SESSION_OK);
    /* Garbage as the old cookie is ignored. */
    session_clear(&s);
    assert_int_equal(session_create(fx->st, &fx->cfg, &l, "junk", 4, fx->t0, &s, &err), 0);
    assert_status(load_str(fx, s2.cookie, fx->t0 + 1), SESSION_OK);
    session_clear(&s);
    session_clear(&s2);
}

static void test_idle_expiry(void **state)
{
    struct fx *fx = *state;
    struct session s;

    sign_in(fx, "alice", "pw", fx->t0, &s);
    assert_status(load_str(fx, s.cookie, fx->t0 + 599), SESSION_OK);
    assert_status(load_str(fx, s.cookie, fx->t0 + 600), SESSION_EXPIRED_IDLE);
    /* The expired record was removed: even an earlier clock finds nothing. */
    assert_status(load_str(fx, s.cookie, fx->t0 + 1), SESSION_UNKNOWN);
    session_clear(&s);
}

static void test_touch(void **state)
{
    struct fx *fx = *state;
    struct session s, l;
    struct store_record rec;
    const char *err;

    sign_in(fx, "alice", "pw", fx->t0, &s);
    assert_status(session_load(fx->st, &fx->cfg, s.cookie, strlen(s.cookie), fx->t0 + 30, &l,
                               &err), SESSION_OK);
    assert_int_equal(session_touch(fx->st, &fx->cfg, &l, fx->t0 + 30, &err), 0);
    assert_int_equal(store_get(fx->st, s.id_hash, &rec, &err), 1);
    assert_int_equal(rec.last_seen, fx->t0);               /* rate-limited: no write */
    assert_int_equal(session_touch(fx->st, &fx->cfg, &l, fx->t0 + 60, &err), 1);
    assert_int_equal(store_get(fx->st, s.id_hash, &rec, &err), 1);
    assert_int_equal(rec.last_seen, fx->t0 + 60);
    assert_int_equal(rec.expires_at, fx->t0 + 660);        /* min(created+3600, now+600) */
    if (fx->kind == STORE_REDIS) {
        char key[128];
        redis_key(s.id_hash, key);
        redisReply *r = redisCommand(fx->raw, "TTL %s", key);
        assert_in_range(r->integer, 600, 660);
        freeReplyObject(r);
    }
    /* Activity moved the idle deadline. */
    assert_status(load_str(fx, s.cookie, fx->t0 + 650), SESSION_OK);
    /* Touch never resurrects a signed-out session. */
    struct session gone = l;
    assert_int_equal(session_destroy(fx->st, &l, &err), 0);
    assert_int_equal(session_touch(fx->st, &fx->cfg, &gone, fx->t0 + 200, &err), 0);
    assert_int_equal(store_get(fx->st, s.id_hash, &rec, &err), 0);
    session_clear(&gone);
    session_clear(&s);
}

static void test_absolute_expiry(void **state)
{
    struct fx *fx = *state;
    struct session s, l;
    const char *err;

    sign_in(fx, "alice", "pw", fx->t0, &s);
    for (int64_t t = fx->t0 + 500; t < fx->t0 + 3600; t += 500) {
        assert_status(session_load(fx->st, &fx->cfg, s.cookie, strlen(s.cookie), t, &l, &err),
                      SESSION_OK);
        assert_int_equal(session_touch(fx->st, &fx->cfg, &l, t, &err), 1);
        session_clear(&l);
    }
    assert_status(load_str(fx, s.cookie, fx->t0 + 3599), SESSION_OK);
    assert_status(load_str(fx, s.cookie, fx->t0 + 3600), SESSION_EXPIRED_ABSOLUTE);
    assert_status(load_str(fx, s.cookie, fx->t0 + 3599), SESSION_UNKNOWN);
    session_clear(&s);
}

static void test_tampered_cookie(void **state)
{
    struct fx *fx = *state;
    char c[SESSION_COOKIE_LEN + 2], big[10000];
    struct session s;

    sign_in(fx, "alice", "pw", fx->t0, &s);
    const char *good = s.cookie;
    const size_t len = strlen(good);
    /* Key changed: the record exists but the key does not open it. */
    for (size_t pos = 23; pos < len - 1; pos += 7) {
        memcpy(c, good, len + 1);
        c[pos] = c[pos] == 'A' ? 'B' : 'A';
        assert_status(load_str(fx, c, fx->t0), SESSION_TAMPERED);
    }
    /* Id changed: no such record. */
    memcpy(c, good, len + 1);
    c[3] = c[3] == 'A' ? 'B' : 'A';
    assert_status(load_str(fx, c, fx->t0), SESSION_UNKNOWN);
    /* Shapes that are not a cookie at all. */
    assert_status(load(fx, good, len - 1, fx->t0), SESSION_MALFORMED);        /* truncated */
    assert_status(load(fx, good, 22, fx->t0), SESSION_MALFORMED);             /* id only */
    memcpy(c, good, len + 1);
    c[30] = '.';
    assert_status(load_str(fx, c, fx->t0), SESSION_MALFORMED);                /* extra dot */
    memcpy(c, good, len);
    memcpy(c + len, ".", 2);
    assert_status(load_str(fx, c, fx->t0), SESSION_MALFORMED);                /* trailing dot */
    memcpy(c, good, len + 1);
    c[22] = '_';
    assert_status(load_str(fx, c, fx->t0), SESSION_MALFORMED);                /* no dot */
    memcpy(c, good, len + 1);
    c[40] = '\0';
    assert_status(load(fx, c, len, fx->t0), SESSION_MALFORMED);               /* NUL */
    memcpy(c, good, len + 1);
    c[10] = '+';
    assert_status(load_str(fx, c, fx->t0), SESSION_MALFORMED);                /* std alphabet */
    memcpy(c, good, len + 1);
    c[21] = c[21] == 'B' ? 'C' : 'B';  /* 'A','Q','g','w' are the canonical last chars */
    if (strchr("AQgw", c[21]) == NULL)
        assert_status(load_str(fx, c, fx->t0), SESSION_MALFORMED);            /* bits */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[22] = '.';
    assert_status(load_str(fx, big, fx->t0), SESSION_MALFORMED);              /* oversize */
    assert_status(load(fx, "", 0, fx->t0), SESSION_MISSING);
    assert_status(load(fx, NULL, 0, fx->t0), SESSION_MISSING);
    assert_status(load_str(fx, "=", fx->t0), SESSION_MALFORMED);
    /* None of that hurt the real session. */
    assert_status(load_str(fx, good, fx->t0), SESSION_OK);
    session_clear(&s);
}

static void test_tampered_record(void **state)
{
    struct fx *fx = *state;
    struct session a, b;

    sign_in(fx, "alice", "pw-a", fx->t0, &a);
    sign_in(fx, "bob", "pw-b", fx->t0, &b);
    /* Another user's name on alice's record (aad binds the user). */
    raw_set(fx, a.id_hash, "user", "bob", 3);
    assert_status(load_str(fx, a.cookie, fx->t0), SESSION_TAMPERED);
    raw_set(fx, a.id_hash, "user", "alice", 5);
    assert_status(load_str(fx, a.cookie, fx->t0), SESSION_OK);
    /* Stretching created_at (to dodge the absolute timeout). */
    char t[24];
    int n = snprintf(t, sizeof(t), "%lld", (long long)fx->t0 + 1000);
    raw_set(fx, a.id_hash, "created_at", t, (size_t)n);
    assert_status(load_str(fx, a.cookie, fx->t0), SESSION_TAMPERED);
    n = snprintf(t, sizeof(t), "%lld", (long long)fx->t0);
    raw_set(fx, a.id_hash, "created_at", t, (size_t)n);
    /* Bob's ciphertext moved into alice's record. */
    raw_set(fx, a.id_hash, "secret", b.rec.secret, b.rec.secret_len);
    assert_status(load_str(fx, a.cookie, fx->t0), SESSION_TAMPERED);
    /* Damaged fields. */
    raw_set(fx, a.id_hash, "secret", "x", 1);
    assert_status(load_str(fx, a.cookie, fx->t0), SESSION_TAMPERED);
    raw_set(fx, b.id_hash, "csrf", "short", 5);
    assert_status(load_str(fx, b.cookie, fx->t0), SESSION_TAMPERED);
    session_clear(&a);
    session_clear(&b);
}

/* The store alone does not yield the password: it holds neither the
 * password, nor the key, nor the session id; and the sealed password
 * opens only with the key from the cookie. */
static void test_key_in_cookie(void **state)
{
    struct fx *fx = *state;
    const char *pw = "Tr0ub4dor&3-very-secret";
    unsigned char sid[SESSION_ID_LEN], key[SESSION_KEY_LEN], guess[SESSION_KEY_LEN];
    unsigned char out[SESSION_PASSWORD_MAX];
    struct store_record rec;
    struct buf dump = { 0 };
    struct session s;
    size_t n, m;

    sign_in(fx, "alice", pw, fx->t0, &s);
    assert_int_equal(b64url_decode(s.cookie, 22, sid, sizeof(sid), &n), 0);
    assert_int_equal(b64url_decode(s.cookie + 23, 43, key, sizeof(key), &n), 0);
    raw_dump(fx, s.id_hash, &dump);
    assert_true(dump.len > 100);
    assert_non_null(memmem(dump.data, dump.len, "alice", 5));   /* the dump is real */
    assert_null(memmem(dump.data, dump.len, pw, strlen(pw)));
    assert_null(memmem(dump.data, dump.len, "Tr0ub4dor", 9));
    assert_null(memmem(dump.data, dump.len, key, sizeof(key)));
    assert_null(memmem(dump.data, dump.len, s.cookie + 23, 43));
    assert_null(memmem(dump.data, dump.len, sid, sizeof(sid)));
    assert_null(memmem(dump.data, dump.len, s.cookie, 22));
    /* What the store has cannot be opened without the cookie's key. */
    assert_int_equal(store_get(fx->st, s.id_hash, &rec, NULL), 1);
    memset(guess, 0, sizeof(guess));
    assert_int_equal(crypto_open(guess, NULL, 0, rec.secret, rec.secret_len, out,
                                 sizeof(out), &m, NULL), -1);
    for (int i = 0; i < 8; i++) {
        crypto_random(guess, sizeof(guess), NULL);
        struct session forged = s;
        memcpy(forged.key, guess, sizeof(guess));
        assert_int_equal(session_password(&forged, (char *)out, sizeof(out), &m, NULL), -1);
        session_clear(&forged);
    }
    /* With the key it opens: the key is exactly what was missing. */
    assert_int_equal(session_password(&s, (char *)out, sizeof(out), &m, NULL), 0);
    assert_string_equal((char *)out, pw);
    /* And the cookie alone, once the record is gone, yields nothing. */
    assert_int_equal(session_destroy(fx->st, &s, NULL), 0);
    assert_int_equal(store_get(fx->st, s.id_hash, &rec, NULL), 0);
    crypto_wipe(out, sizeof(out));
    buf_free(&dump);
}

static void test_two_sessions(void **state)
{
    struct fx *fx = *state;
    struct session a, b, l;
    char out[64];
    size_t n;
    const char *err;

    sign_in(fx, "alice", "old-password", fx->t0, &a);
    sign_in(fx, "alice", "new-password", fx->t0 + 1, &b);
    assert_string_not_equal(a.cookie, b.cookie);
    assert_string_not_equal(a.rec.csrf, b.rec.csrf);
    assert_status(session_load(fx->st, &fx->cfg, a.cookie, strlen(a.cookie), fx->t0 + 2, &l,
                               &err), SESSION_OK);
    assert_int_equal(session_password(&l, out, sizeof(out), &n, &err), 0);
    assert_string_equal(out, "old-password");
    assert_int_equal(session_destroy(fx->st, &l, &err), 0);
    assert_status(load_str(fx, a.cookie, fx->t0 + 3), SESSION_UNKNOWN);
    assert_status(session_load(fx->st, &fx->cfg, b.cookie, strlen(b.cookie), fx->t0 + 3, &l,
                               &err), SESSION_OK);
    assert_int_equal(session_password(&l, out, sizeof(out), &n, &err), 0);
    assert_string_equal(out, "new-password");
    session_clear(&l);
    session_clear(&a);
    session_clear(&b);
}

static void test_csrf_session(void **state)
{
    struct fx *fx = *state;
    char t1[CSRF_TOKEN_LEN + 1], t2[CSRF_TOKEN_LEN + 1];
    struct session a, b, l;
    const char *err;

    sign_in(fx, "alice", "pw", fx->t0, &a);
    sign_in(fx, "alice", "pw", fx->t0, &b);
    assert_int_equal(session_csrf_token(&a, t1, &err), 0);
    assert_int_equal(session_csrf_token(&a, t2, &err), 0);
    assert_string_not_equal(t1, t2);                         /* masked afresh */
    assert_true(session_csrf_check(&a, t1, strlen(t1)));
    assert_true(session_csrf_check(&a, t2, strlen(t2)));
    assert_false(session_csrf_check(&b, t1, strlen(t1)));    /* another session's */
    /* The secret lives in the record: a later request accepts the token. */
    assert_status(session_load(fx->st, &fx->cfg, a.cookie, strlen(a.cookie), fx->t0, &l, &err),
                  SESSION_OK);
    assert_true(session_csrf_check(&l, t1, strlen(t1)));
    t1[5] = t1[5] == 'A' ? 'B' : 'A';
    assert_false(session_csrf_check(&l, t1, strlen(t1)));
    assert_false(session_csrf_check(&l, t2, strlen(t2) - 1));
    assert_false(session_csrf_check(&l, "", 0));
    assert_false(session_csrf_check(&l, NULL, 0));
    assert_false(session_csrf_check(&l, l.rec.csrf, strlen(l.rec.csrf)));  /* unmasked */
    session_clear(&l);
    session_clear(&a);
    session_clear(&b);
}

/* --- store behaviour -------------------------------------------------- */

static void test_store_expiry(void **state)
{
    struct fx *fx = *state;
    struct session old, live;
    struct store_record rec;
    long removed = -1;
    const char *err;

    sign_in(fx, "alice", "pw", fx->t0, &live);
    if (fx->kind == STORE_REDIS) {
        char key[128];
        redis_key(live.id_hash, key);
        redisReply *r = redisCommand(fx->raw, "TTL %s", key);
        assert_in_range(r->integer, 590, 600);                 /* idle bounds it */
        freeReplyObject(r);
    }
    sign_in(fx, "alice", "pw", fx->t0 - 100000, &old);
    struct throttle_config tc;
    throttle_config_defaults(&tc);
    assert_int_equal(throttle_failure(fx->st, &tc, "alice", "192.0.2.1", fx->t0 - 100000,
                                      &err), 0);
    assert_int_equal(store_expire(fx->st, fx->t0, &removed, &err), 0);
    if (fx->kind == STORE_SQLITE)
        assert_int_equal(removed, 1 + 4);                       /* the session, 4 counters */
    else
        assert_int_equal(removed, 0);                           /* redis expired it already */
    assert_int_equal(store_get(fx->st, old.id_hash, &rec, &err), 0);
    assert_int_equal(store_get(fx->st, live.id_hash, &rec, &err), 1);
    session_clear(&old);
    session_clear(&live);
}

static void test_store_failure(void **state)
{
    struct fx *fx = *state;
    struct session a, b;
    struct session_login l = { "alice", "imap", "", "pw", 2 };
    const char *err = NULL;

    sign_in(fx, "alice", "pw", fx->t0, &a);
    if (fx->kind == STORE_SQLITE) {
        /* A writer holds the lock: sign-in fails with a sentence, but
         * validation still reads (WAL). */
        assert_int_equal(sqlite3_exec(fx->raw_db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(session_create(fx->st, &fx->cfg, &l, NULL, 0, fx->t0, &b, &err), -1);
        assert_non_null(strstr(err, "locked"));
        assert_status(load_str(fx, a.cookie, fx->t0), SESSION_OK);
        assert_int_equal(sqlite3_exec(fx->raw_db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    } else {
        /* The server now wants a password and drops our connection: the
         * reconnect is refused, and that is a store error, not "unknown". */
        freeReplyObject(redisCommand(fx->raw, "CONFIG SET requirepass s3cret"));
        freeReplyObject(redisCommand(fx->raw, "CLIENT KILL TYPE normal SKIPME yes"));
        struct session s;
        assert_status(session_load(fx->st, &fx->cfg, a.cookie, strlen(a.cookie), fx->t0, &s,
                                   &err), SESSION_ERROR);
        assert_non_null(strstr(err, "session store (redis)"));
        const char *argv[] = { "CONFIG", "SET", "requirepass", "" };
        freeReplyObject(redisCommandArgv(fx->raw, 4, argv, NULL));
        freeReplyObject(redisCommand(fx->raw, "CLIENT KILL TYPE normal SKIPME yes"));
    }
    assert_int_equal(session_create(fx->st, &fx->cfg, &l, NULL, 0, fx->t0, &b, &err), 0);
    assert_status(load_str(fx, a.cookie, fx->t0), SESSION_OK);
    session_clear(&a);
    session_clear(&b);
}

static void test_backend_specific(void **state)
{
    struct fx *fx = *state;
    struct session s;

    if (fx->kind == STORE_SQLITE) {
        struct stat sb;
        sqlite3_stmt *st;
        assert_int_equal(stat(fx->scfg.sqlite_path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        assert_int_equal(sqlite3_prepare_v2(fx->raw_db, "PRAGMA journal_mode", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
    } else {
        /* A dropped connection is re-established once, transparently. */
        sign_in(fx, "alice", "pw", fx->t0, &s);
        redisReply *r = redisCommand(fx->raw, "CLIENT KILL TYPE normal SKIPME yes");
        assert_int_equal(r->integer, 1);
        freeReplyObject(r);
        assert_status(load_str(fx, s.cookie, fx->t0), SESSION_OK);
        session_clear(&s);
        /* Nothing listening: open fails with a sentence. */
        struct store_config c = fx->scfg;
        struct store *st = NULL;
        const char *err = NULL;
        c.redis_port = redis_server_free_port();
        assert_int_equal(store_open(&c, &st, &err), -1);
        assert_non_null(strstr(err, "cannot connect"));
    }
}

/* --- pure parts ------------------------------------------------------- */

static void test_set_cookie(void **state)
{
    struct session_config cfg;
    struct session s;
    char out[SESSION_SET_COOKIE_MAX];

    (void)state;
    session_config_defaults(&cfg);
    memset(&s, 0, sizeof(s));
    memset(s.cookie, 'A', SESSION_COOKIE_LEN);
    s.cookie[22] = '.';
    assert_int_equal(session_set_cookie(&s, &cfg, out, sizeof(out)), 0);
    assert_string_equal(out, "__Host-postern=AAAAAAAAAAAAAAAAAAAAAA."
                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                             "; Path=/; Secure; HttpOnly; SameSite=Strict");
    assert_int_equal(session_clear_cookie(&cfg, out, sizeof(out)), 0);
    assert_string_equal(out, "__Host-postern=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
    assert_int_equal(session_set_cookie(&s, &cfg, out, 100), -1);
    cfg.secure_cookie = false;
    assert_string_equal(session_cookie_name(&cfg), "postern");
    assert_int_equal(session_set_cookie(&s, &cfg, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "postern=AAAA"));
    assert_null(strstr(out, "__Host-"));
    assert_null(strstr(out, "Secure"));
    assert_non_null(strstr(out, "; Path=/; HttpOnly; SameSite=Strict"));
    assert_int_equal(session_clear_cookie(&cfg, out, sizeof(out)), 0);
    assert_string_equal(out, "postern=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

static void test_cookie_find(void **state)
{
    static const struct {
        const char *header;
        int secure, rc;
        const char *value;
    } cases[] = {
        { "a=1; __Host-postern=XYZ; postern=abc", 1, 1, "XYZ" },
        { "a=1; __Host-postern=XYZ; postern=abc", 0, 1, "abc" },
        { "postern=abc", 1, 0, NULL },          /* secure mode never reads it */
        { "__Host-postern=XYZ", 0, 0, NULL },
        { "__Host-postern=1; __Host-postern=2", 1, -1, NULL },
        { "", 1, 0, NULL },
    };
    struct arena *a = arena_new();

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_fields f;
        struct session_config cfg;
        const char *v = NULL;
        size_t n = 0;
        session_config_defaults(&cfg);
        cfg.secure_cookie = cases[i].secure;
        assert_int_equal(http_parse_cookies(a, cases[i].header, NULL, &f, NULL), 0);
        assert_int_equal(session_cookie_find(&f, &cfg, &v, &n), cases[i].rc);
        if (cases[i].value != NULL) {
            assert_int_equal(n, strlen(cases[i].value));
            assert_string_equal(v, cases[i].value);
        }
    }
    arena_free(a);
}

static void test_status_names(void **state)
{
    (void)state;
    for (int i = 0; i < SESSION__MAX; i++)
        assert_non_null(session_status_names[i]);
    assert_string_equal(store_kind_names[STORE_SQLITE], "sqlite");
    assert_string_equal(store_kind_names[STORE_REDIS], "redis");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_create_load),
        BOTH(test_password_roundtrip),
        BOTH(test_login_fields_refused),
        BOTH(test_sign_out),
        BOTH(test_fixation),
        BOTH(test_idle_expiry),
        BOTH(test_touch),
        BOTH(test_absolute_expiry),
        BOTH(test_tampered_cookie),
        BOTH(test_tampered_record),
        BOTH(test_key_in_cookie),
        BOTH(test_two_sessions),
        BOTH(test_csrf_session),
        BOTH(test_store_expiry),
        BOTH(test_store_failure),
        BOTH(test_backend_specific),
        cmocka_unit_test(test_set_cookie),
        cmocka_unit_test(test_cookie_find),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
