/* session_bench.c — what validating a session costs a request.
 *
 * For each backend (sqlite in a temporary directory, redis on a private
 * redis-server this program starts and stops by pid), signs in
 * BENCH_SESSIONS sessions, then times BENCH_ITER validations, each the
 * request path: parse the cookie -> store get -> check key and timeouts
 * -> touch (rate-limited, so normally no write) -> clear. A second run
 * forces the touch to write every time (touch_interval 0), the worst
 * case. Prints, parseable:
 *   session_validate_us sqlite=X redis=Y
 *   session_validate_write_us sqlite=X redis=Y
 * Exits 1 if a backend fails (a missing redis-server included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"
#include "store.h"

#include "../unit/redis_server.h"

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);

    return v != NULL && atol(v) > 0 ? atol(v) : dflt;
}

/* Microseconds per validation over iter requests spread over n cookies,
 * or a negative value on failure. */
static double run(struct store *st, struct session_config *cfg,
                  char (*cookies)[SESSION_COOKIE_LEN + 1], long n, long iter,
                  int64_t t0)
{
    struct session s;
    const char *err = NULL;
    double start = now_us();

    for (long i = 0; i < iter; i++) {
        const char *c = cookies[i % n];
        int64_t now = t0 + 1 + i / n;
        if (session_load(st, cfg, c, SESSION_COOKIE_LEN, now, &s, &err) != SESSION_OK ||
            session_touch(st, cfg, &s, now, &err) < 0) {
            fprintf(stderr, "session_bench: validation failed: %s\n", err);
            return -1;
        }
        session_clear(&s);
    }
    return (now_us() - start) / (double)iter;
}

/* Benchmarks one backend; fills us[0] (rate-limited touch) and us[1]
 * (a write each time). 0 or -1. */
static int bench_backend(const struct store_config *scfg, long n, long iter, double us[2])
{
    struct session_config cfg;
    struct store *st = NULL;
    const char *err = NULL;
    int64_t t0 = time(NULL);
    char (*cookies)[SESSION_COOKIE_LEN + 1] = calloc((size_t)n, sizeof(*cookies));
    int rc = -1;

    session_config_defaults(&cfg);
    if (cookies == NULL || store_open(scfg, &st, &err) < 0) {
        fprintf(stderr, "session_bench: %s: %s\n", store_kind_names[scfg->kind],
                err != NULL ? err : "out of memory");
        goto out;
    }
    for (long i = 0; i < n; i++) {
        char user[48], pw[48];
        struct session s;
        snprintf(user, sizeof(user), "user%ld@example.com", i);
        snprintf(pw, sizeof(pw), "password-%ld", i);
        struct session_login l = { user, "imap", "mail.internal:993", pw, strlen(pw) };
        if (session_create(st, &cfg, &l, NULL, 0, t0, &s, &err) < 0) {
            fprintf(stderr, "session_bench: sign-in: %s\n", err);
            goto out;
        }
        memcpy(cookies[i], s.cookie, sizeof(cookies[i]));
        session_clear(&s);
    }
    if (run(st, &cfg, cookies, n, n, t0) < 0)                 /* warm up */
        goto out;
    us[0] = run(st, &cfg, cookies, n, iter, t0);
    cfg.touch_interval = 0;
    us[1] = run(st, &cfg, cookies, n, iter / 4 > n ? iter / 4 : n, t0);
    rc = us[0] < 0 || us[1] < 0 ? -1 : 0;
out:
    store_close(st);
    if (cookies != NULL)
        memset(cookies, 0, (size_t)n * sizeof(*cookies));
    free(cookies);
    return rc;
}

int main(void)
{
    char dir[] = "/tmp/postern-session-bench-XXXXXX", err[512], path[4200];
    long n = env_long("BENCH_SESSIONS", 1000), iter = env_long("BENCH_ITER", 100000);
    struct redis_server rs = { 0 };
    struct store_config c;
    double sq[2] = { -1, -1 }, rd[2] = { -1, -1 };
    int rc = 1;

    if (mkdtemp(dir) == NULL) {
        perror("session_bench: mkdtemp");
        return 1;
    }
    store_config_defaults(&c);
    c.kind = STORE_SQLITE;
    snprintf(c.sqlite_path, sizeof(c.sqlite_path), "%s/sessions.db", dir);
    if (bench_backend(&c, n, iter, sq) < 0)
        goto out;
    if (redis_server_start(&rs, dir, err, sizeof(err)) < 0) {
        fprintf(stderr, "session_bench: redis: %s\n", err);
        goto out;
    }
    store_config_defaults(&c);
    c.kind = STORE_REDIS;
    c.redis_port = rs.port;
    if (bench_backend(&c, n, iter / 4, rd) < 0)
        goto out;
    printf("session_validate_us sqlite=%.2f redis=%.2f\n", sq[0], rd[0]);
    printf("session_validate_write_us sqlite=%.2f redis=%.2f\n", sq[1], rd[1]);
    rc = 0;
out:
    redis_server_stop(&rs);
    const char *files[] = { "sessions.db", "sessions.db-wal", "sessions.db-shm", "redis.log" };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        remove(path);
    }
    rmdir(dir);
    return rc;
}
