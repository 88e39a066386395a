/* store.c — see store.h: backend choice and the shared helpers. */
#include "store.h"

#include <stdio.h>
#include <string.h>

const char *const store_kind_names[STORE__MAX] = {
    [STORE_SQLITE] = "sqlite",
    [STORE_REDIS] = "redis",
};

static const struct store_ops *const store_backends[STORE__MAX] = {
    [STORE_SQLITE] = &store_sqlite_ops,
    [STORE_REDIS] = &store_redis_ops,
};

void store_config_defaults(struct store_config *c)
{
    memset(c, 0, sizeof(*c));
    c->kind = STORE_SQLITE;
    snprintf(c->sqlite_path, sizeof(c->sqlite_path), "%s",
             "/var/lib/postern/sessions.db");
    c->sqlite_busy_ms = 2000;
    snprintf(c->redis_host, sizeof(c->redis_host), "%s", "127.0.0.1");
    c->redis_port = 6379;
    c->redis_db = 0;
    snprintf(c->redis_prefix, sizeof(c->redis_prefix), "%s", "postern:");
    c->redis_timeout_ms = 500;
}

int store_open(const struct store_config *cfg, struct store **st_r,
               const char **error_r)
{
    if ((unsigned)cfg->kind >= STORE__MAX) {
        if (error_r != NULL)
            *error_r = "unknown session store kind";
        return -1;
    }
    return store_backends[cfg->kind]->open(cfg, st_r, error_r);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

int store_counter_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] > '~')
            return 0;
    return 1;
}
