/* throttle.h — limits on failed sign-ins, per account and per client address.
 *
 * Each limit is "at most N failures in a sliding window of W seconds"
 * (W = 60 for per_minute, 3600 for per_hour), approximated the usual way
 * with two fixed windows: the failures counted in the current window plus
 * those of the previous one weighted by how much of it still overlaps
 * the sliding window. A fixed window alone would let 2N through around a
 * boundary. Counters live in the session store (store.h), so every worker
 * and host shares them; they expire by themselves.
 *
 * Keys: the account is lower-cased (ASCII) first, since mail servers
 * treat "Alice" and "alice" alike; an IPv6 client address counts by its
 * /64 (one subscriber), IPv4 and IPv4-mapped addresses by the address.
 * Counter names hold a SHA-256 prefix of the key, never the key itself.
 *
 * The sign-in flow:
 *   1. throttle_retry_after(); if > 0, refuse without trying the
 *      password and without recording anything; show throttle_hint().
 *   2. Try the password against the mail server.
 *   3. On failure, throttle_failure(), then show the same sentence for an
 *      unknown user and a wrong password.
 * Successes do not reset the counters. Concurrent attempts may overshoot
 * a limit by the number of requests in flight.
 */
#ifndef POSTERN_THROTTLE_H
#define POSTERN_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* 0 disables a limit. */
struct throttle_config {
    long account_per_minute;   /* default 10 */
    long account_per_hour;     /* default 100 */
    long address_per_minute;   /* default 30 (NAT: a whole office may share one) */
    long address_per_hour;     /* default 300 */
};

/* Fills *c with the defaults above. */
void throttle_config_defaults(struct throttle_config *c);

/* How long the client must wait before the next attempt for account
 * (as typed; NULL or "" skips the account limits) from address (the
 * client's IP address as text; NULL or "" skips the address limits):
 * *retry_r = 0 if an attempt is allowed now, else the seconds until it
 * is (the longest over all limits). Returns 0, or -1 with *error_r if the
 * store failed (refuse the sign-in: fail closed). */
int throttle_retry_after(struct store *st, const struct throttle_config *cfg,
                         const char *account, const char *address, int64_t now,
                         int64_t *retry_r, const char **error_r);

/* Counts one failed sign-in against account and address. 0 or -1. */
int throttle_failure(struct store *st, const struct throttle_config *cfg,
                     const char *account, const char *address, int64_t now,
                     const char **error_r);

/* The sentence for a refused attempt: "Too many failed sign-ins. Try
 * again in 3 minutes." (seconds under two minutes are given as seconds,
 * rounded-up minutes otherwise). Into out (cap bytes; 96 suffice).
 * Returns 0, or -1 if it does not fit. */
int throttle_hint(int64_t retry_after, char *out, size_t cap);

/* The pure part, for tests: with limit failures per window seconds, prev
 * failures in the previous fixed window, cur in the current one, and
 * elapsed seconds (0 <= elapsed < window) into the current one, the
 * seconds until the weighted count prev * (window - elapsed) / window +
 * cur drops below limit (0 if it already is), assuming no new failures. */
int64_t throttle_wait(long limit, int64_t window, int64_t elapsed, long long prev,
                      long long cur);

#endif
