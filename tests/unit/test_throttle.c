/* test_throttle.c — failed sign-in limits, on BOTH store backends
 * (store_fixture.h), and the sliding-window arithmetic against a
 * second-by-second simulation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "throttle.h"

#include "store_fixture.h"

static int64_t retry(struct fx *fx, const char *acct, const char *addr, int64_t now)
{
    int64_t r = -1;
    const char *err = NULL;

    if (throttle_retry_after(fx->st, &fx->tcfg, acct, addr, now, &r, &err) != 0)
        fail_msg("throttle_retry_after: %s", err);
    return r;
}

static void failure(struct fx *fx, const char *acct, const char *addr, int64_t now)
{
    const char *err = NULL;

    if (throttle_failure(fx->st, &fx->tcfg, acct, addr, now, &err) != 0)
        fail_msg("throttle_failure: %s", err);
}

static void test_throttle_account(void **state)
{
    struct fx *fx = *state;
    int64_t t = fx->t0;

    for (int i = 0; i < 10; i++) {
        assert_int_equal(retry(fx, "alice@example.com", "192.0.2.1", t), 0);
        failure(fx, i % 2 ? "alice@example.com" : "Alice@Example.COM", "192.0.2.1", t);
    }
    int64_t r = retry(fx, "ALICE@example.com", "198.51.100.9", t);
    assert_in_range(r, 1, 120);
    assert_int_equal(retry(fx, "alice@example.com", NULL, t + r - 1) > 0, 1);
    assert_int_equal(retry(fx, "alice@example.com", NULL, t + r), 0);
    /* Others are not affected: another account from the same address. */
    assert_int_equal(retry(fx, "bob@example.com", "192.0.2.1", t), 0);
    char hint[96];
    assert_int_equal(throttle_hint(r, hint, sizeof(hint)), 0);
    assert_non_null(strstr(hint, "Try again in"));
}

static void test_throttle_hour(void **state)
{
    struct fx *fx = *state;
    int64_t t = (fx->t0 / 3600 + 1) * 3600;  /* the next hour: one window holds it all */

    for (int minute = 0; minute < 20; minute++)
        for (int i = 0; i < 5; i++) {
            int64_t now = t + 60 * minute + i;
            assert_int_equal(retry(fx, "carol", NULL, now), 0);
            failure(fx, "carol", NULL, now);
        }
    int64_t now = t + 20 * 60, r = retry(fx, "carol", NULL, now);
    assert_true(r > 120);                     /* the hour limit, not the minute one */
    assert_true(retry(fx, "carol", NULL, now + r - 1) > 0);
    assert_int_equal(retry(fx, "carol", NULL, now + r), 0);
    /* Disabled limits do not count. */
    fx->tcfg.account_per_hour = 0;
    assert_int_equal(retry(fx, "carol", NULL, now), 0);
}

static void test_throttle_address(void **state)
{
    struct fx *fx = *state;
    int64_t t = (fx->t0 / 60 + 1) * 60;
    char acct[32];

    for (int i = 0; i < 30; i++) {
        snprintf(acct, sizeof(acct), "user%d", i);
        assert_int_equal(retry(fx, acct, "192.0.2.7", t), 0);
        failure(fx, acct, "192.0.2.7", t);
        snprintf(acct, sizeof(acct), "2001:db8:1:2::%x", i + 1);
        failure(fx, NULL, acct, t);
    }
    assert_true(retry(fx, "fresh", "192.0.2.7", t) > 0);
    assert_true(retry(fx, "fresh", "::ffff:192.0.2.7", t) > 0);    /* v4-mapped */
    assert_int_equal(retry(fx, "fresh", "192.0.2.8", t), 0);
    assert_true(retry(fx, "fresh", "2001:db8:1:2::ffff", t) > 0);  /* same /64 */
    assert_int_equal(retry(fx, "fresh", "2001:db8:1:3::1", t), 0);
    assert_int_equal(retry(fx, "user0", NULL, t), 0);              /* account alone: 1 failure */
}

/* A window's counter must outlive the next window, where it still counts
 * as the previous one. */
static void test_throttle_counter_lifetime(void **state)
{
    struct fx *fx = *state;
    int64_t t = (fx->t0 / 60 + 1) * 60;
    const char *err = NULL;

    for (int i = 0; i < 10; i++)
        failure(fx, "dave", NULL, t);
    if (fx->kind == STORE_SQLITE) {
        assert_int_equal(store_expire(fx->st, t + 60, NULL, &err), 0);
    } else {
        redisReply *keys = redisCommand(fx->raw, "KEYS postern:c:ta60:*");
        assert_int_equal(keys->elements, 1);
        redisReply *ttl = redisCommand(fx->raw, "TTL %s", keys->element[0]->str);
        assert_true(ttl->integer >= t + 120 - time(NULL) - 2);
        freeReplyObject(ttl);
        freeReplyObject(keys);
    }
    assert_true(retry(fx, "dave", NULL, t + 60) > 0);
    assert_int_equal(store_expire(fx->st, t + 120, NULL, &err), 0);
    assert_int_equal(retry(fx, "dave", NULL, t + 120), 0);
}

/* --- pure parts ------------------------------------------------------- */

static void test_throttle_wait(void **state)
{
    static const long limits[] = { 1, 2, 3, 10 };
    static const int64_t windows[] = { 1, 2, 7, 60 };

    (void)state;
    for (size_t li = 0; li < 4; li++)
        for (size_t wi = 0; wi < 4; wi++) {
            long long L = limits[li], W = windows[wi];
            for (long long e = 0; e < W; e++)
                for (long long p = 0; p <= 2 * L + 1; p++)
                    for (long long c = 0; c <= 2 * L + 1; c++) {
                        long long d = 0;
                        for (;; d++) {
                            long long x = e + d, wp = p, wc = c;
                            if (x >= 2 * W)
                                wp = wc = 0, x = 0;
                            else if (x >= W)
                                wp = c, wc = 0, x -= W;
                            if (wp * (W - x) + wc * W < L * W)
                                break;
                        }
                        if (throttle_wait((long)L, W, e, p, c) != d)
                            fail_msg("L=%lld W=%lld e=%lld prev=%lld cur=%lld: %lld, want %lld",
                                     L, W, e, p, c, (long long)throttle_wait((long)L, W, e, p, c), d);
                    }
        }
}

static void test_throttle_hint(void **state)
{
    static const struct { int64_t s; const char *want; } cases[] = {
        { 0, "in 1 second." }, { 1, "in 1 second." }, { 59, "in 59 seconds." },
        { 119, "in 119 seconds." }, { 120, "in 2 minutes." }, { 121, "in 3 minutes." },
        { 3600, "in 60 minutes." },
    };
    char out[96];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(throttle_hint(cases[i].s, out, sizeof(out)), 0);
        assert_non_null(strstr(out, "Too many failed sign-ins. Try again "));
        assert_non_null(strstr(out, cases[i].want));
    }
    assert_int_equal(throttle_hint(10, out, 20), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_throttle_account),
        BOTH(test_throttle_hour),
        BOTH(test_throttle_address),
        BOTH(test_throttle_counter_lifetime),
        cmocka_unit_test(test_throttle_wait),
        cmocka_unit_test(test_throttle_hint),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
