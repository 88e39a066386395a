/* prefs.c — per-user settings in the session store (see prefs.h). */
#include "prefs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"

#define PREF_SECONDS (10LL * 365 * 86400)

/* "pref:NAME:<first 16 bytes of SHA-256(user) in hex>" */
static const char *pref_key(struct request *req, const char *user, const char *name)
{
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(user, strlen(user), h);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return arena_printf(req->arena, "pref:%s:%s", name, hex);
}

long long pref_get(struct request *req, const char *user, const char *name)
{
    struct store *st = req->store(req);
    long long v = 0;
    const char *err = NULL;
    if (st == NULL || store_counter_get(st, pref_key(req, user, name), &v, &err) < 0)
        return 0;
    return v;
}

int pref_set(struct request *req, const char *user, const char *name, long long value)
{
    struct store *st = req->store(req);
    long long v = 0;
    const char *err = NULL;
    const char *key = pref_key(req, user, name);
    if (st == NULL || store_counter_get(st, key, &v, &err) < 0)
        return -1;
    return store_counter_add(st, key, value - v, (int64_t)time(NULL) + PREF_SECONDS, &v, &err);
}
