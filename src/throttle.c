/* throttle.c — see throttle.h. */
#include "throttle.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto.h"
#include "netaddr.h"
#include "store.h"

#define KEY_HASH_BYTES 16       /* of SHA-256, in counter names */
#define ACCOUNT_MAX 254

enum scope { SCOPE_ACCOUNT, SCOPE_ADDRESS, SCOPE__MAX };
static const char scope_tags[SCOPE__MAX] = { [SCOPE_ACCOUNT] = 'a', [SCOPE_ADDRESS] = 'n' };

/* One limit: which scope, its window, and where its number is in config. */
struct rule {
    enum scope scope;
    int64_t window;
    size_t offset;              /* of the long in struct throttle_config */
};

static const struct rule rules[] = {
    { SCOPE_ACCOUNT, 60, offsetof(struct throttle_config, account_per_minute) },
    { SCOPE_ACCOUNT, 3600, offsetof(struct throttle_config, account_per_hour) },
    { SCOPE_ADDRESS, 60, offsetof(struct throttle_config, address_per_minute) },
    { SCOPE_ADDRESS, 3600, offsetof(struct throttle_config, address_per_hour) },
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

void throttle_config_defaults(struct throttle_config *c)
{
    c->account_per_minute = 10;
    c->account_per_hour = 100;
    c->address_per_minute = 30;
    c->address_per_hour = 300;
}

static long rule_limit(const struct throttle_config *cfg, const struct rule *r)
{
    return *(const long *)((const char *)cfg + r->offset);
}

int64_t throttle_wait(long limit, int64_t window, int64_t elapsed, long long prev,
                      long long cur)
{
    long long W = window, e = elapsed, L = limit;

    if (prev * (W - e) + cur * W < L * W)
        return 0;
    /* Later in the current window: prev's weight falls; need
     * prev * (W - e - d) <= (L - cur) * W - 1. */
    if (cur < L && prev > 0) {
        long long d = W - e - ((L - cur) * W - 1) / prev;
        if (e + d < W)
            return d;
    }
    /* After the rollover, x seconds into the next window, cur is the
     * previous one: need cur * (W - x) <= L * W - 1. */
    long long x = cur > 0 ? W - (L * W - 1) / cur : 0;
    if (x < 0)
        x = 0;
    return W - e + x;
}

/* The text the counters of a scope are keyed by, into out (cap bytes):
 * the account lower-cased; the address by /64 (IPv6) or whole (IPv4), or
 * as sent if it does not parse. */
static void scope_key(enum scope sc, const char *v, char *out, size_t cap)
{
    struct cidr a;

    if (sc == SCOPE_ADDRESS && ip_parse(v, &a) == 0) {
        size_t n = a.family == AF_INET ? 4 : 8, o = 0;
        for (size_t i = 0; i < n && o + 3 < cap; i++)
            o += (size_t)snprintf(out + o, cap - o, "%02x", a.addr[i]);
        snprintf(out + o, cap - o, "/%d", a.family == AF_INET ? 4 : 6);
        return;
    }
    size_t i = 0;
    for (; v[i] != '\0' && i + 1 < cap; i++)
        out[i] = sc == SCOPE_ACCOUNT && v[i] >= 'A' && v[i] <= 'Z'
                     ? (char)(v[i] - 'A' + 'a') : v[i];
    out[i] = '\0';
}

/* The counter name for a rule, a key hash and a window number. */
static void counter_name(const struct rule *r, const char *hash, int64_t bucket,
                         char *out, size_t cap)
{
    snprintf(out, cap, "t%c%lld:%lld:%s", scope_tags[r->scope], (long long)r->window,
             (long long)bucket, hash);
}

/* The hex key hash for each scope (empty when the scope is skipped). */
static void key_hashes(const char *account, const char *address,
                       char hashes[SCOPE__MAX][2 * KEY_HASH_BYTES + 1])
{
    const char *values[SCOPE__MAX] = { account, address };

    for (int sc = 0; sc < SCOPE__MAX; sc++) {
        char key[ACCOUNT_MAX + 2];
        unsigned char h[CRYPTO_SHA256_LEN];
        hashes[sc][0] = '\0';
        if (values[sc] == NULL || values[sc][0] == '\0')
            continue;
        scope_key((enum scope)sc, values[sc], key, sizeof(key));
        crypto_sha256(key, strlen(key), h);
        for (int i = 0; i < KEY_HASH_BYTES; i++)
            snprintf(hashes[sc] + 2 * i, 3, "%02x", h[i]);
    }
}

int throttle_retry_after(struct store *st, const struct throttle_config *cfg,
                         const char *account, const char *address, int64_t now,
                         int64_t *retry_r, const char **error_r)
{
    char hashes[SCOPE__MAX][2 * KEY_HASH_BYTES + 1], name[128];
    int64_t worst = 0;

    key_hashes(account, address, hashes);
    for (size_t i = 0; i < NRULES; i++) {
        const struct rule *r = &rules[i];
        long limit = rule_limit(cfg, r);
        if (limit <= 0 || hashes[r->scope][0] == '\0')
            continue;
        int64_t bucket = now / r->window;
        long long cur, prev;
        counter_name(r, hashes[r->scope], bucket, name, sizeof(name));
        if (store_counter_get(st, name, &cur, error_r) < 0)
            return -1;
        counter_name(r, hashes[r->scope], bucket - 1, name, sizeof(name));
        if (store_counter_get(st, name, &prev, error_r) < 0)
            return -1;
        int64_t w = throttle_wait(limit, r->window, now - bucket * r->window, prev, cur);
        if (w > worst)
            worst = w;
    }
    *retry_r = worst;
    return 0;
}

int throttle_failure(struct store *st, const struct throttle_config *cfg,
                     const char *account, const char *address, int64_t now,
                     const char **error_r)
{
    char hashes[SCOPE__MAX][2 * KEY_HASH_BYTES + 1], name[128];

    key_hashes(account, address, hashes);
    for (size_t i = 0; i < NRULES; i++) {
        const struct rule *r = &rules[i];
        long long value;
        if (rule_limit(cfg, r) <= 0 || hashes[r->scope][0] == '\0')
            continue;
        int64_t bucket = now / r->window;
        counter_name(r, hashes[r->scope], bucket, name, sizeof(name));
        /* Kept through the next window, where it is the previous one. */
        if (store_counter_add(st, name, 1, (bucket + 2) * r->window, &value, error_r) < 0)
            return -1;
    }
    return 0;
}

int throttle_hint(int64_t retry_after, char *out, size_t cap)
{
    long long s = retry_after < 1 ? 1 : retry_after;
    int n;

    if (s < 120)
        n = snprintf(out, cap, "Too many failed sign-ins. Try again in %lld second%s.",
                     s, s == 1 ? "" : "s");
    else
        n = snprintf(out, cap, "Too many failed sign-ins. Try again in %lld minutes.",
                     (s + 59) / 60);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}
