/* session.c — see session.h. */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

#define SID_B64 B64URL_LEN(SESSION_ID_LEN)    /* 22 */
#define KEY_B64 B64URL_LEN(SESSION_KEY_LEN)   /* 43 */
#define AAD_MAX (STORE_ID_LEN + STORE_USER_MAX + STORE_PROTO_MAX + STORE_BACKEND_MAX + 3 + 8)

const char *const session_status_names[SESSION__MAX] = {
    [SESSION_OK] = "ok",
    [SESSION_MISSING] = "missing",
    [SESSION_MALFORMED] = "malformed",
    [SESSION_UNKNOWN] = "unknown",
    [SESSION_EXPIRED_IDLE] = "expired-idle",
    [SESSION_EXPIRED_ABSOLUTE] = "expired-absolute",
    [SESSION_TAMPERED] = "tampered",
    [SESSION_ERROR] = "store-error",
};

/* Log sentences for the statuses other than SESSION_ERROR. */
static const char *const status_sentences[SESSION__MAX] = {
    [SESSION_OK] = "session valid",
    [SESSION_MISSING] = "no session cookie",
    [SESSION_MALFORMED] = "malformed session cookie",
    [SESSION_UNKNOWN] = "no such session",
    [SESSION_EXPIRED_IDLE] = "session expired (idle)",
    [SESSION_EXPIRED_ABSOLUTE] = "session expired (absolute)",
    [SESSION_TAMPERED] = "session key does not match its record",
    [SESSION_ERROR] = "session store failed",
};

static int fail(const char **error_r, const char *msg)
{
    if (error_r != NULL)
        *error_r = msg;
    return -1;
}

void session_config_defaults(struct session_config *c)
{
    c->idle_timeout = 1800;
    c->absolute_timeout = 43200;
    c->touch_interval = 60;
    c->secure_cookie = true;
}

void session_clear(struct session *s)
{
    crypto_wipe(s, sizeof(*s));
}

/* --- cookie value, record binding ------------------------------------- */

/* Parses "<sid>.<key>" into s->cookie, s->key and s->id_hash.
 * Returns 0, or -1 if it is not exactly that shape in canonical base64url. */
static int parse_cookie(const char *v, size_t len, struct session *s)
{
    unsigned char sid[SESSION_ID_LEN];
    size_t n1, n2;
    int rc = -1;

    if (len != SESSION_COOKIE_LEN || v[SID_B64] != '.')
        return -1;
    if (b64url_decode(v, SID_B64, sid, sizeof(sid), &n1) == 0 && n1 == sizeof(sid) &&
        b64url_decode(v + SID_B64 + 1, KEY_B64, s->key, sizeof(s->key), &n2) == 0 &&
        n2 == sizeof(s->key)) {
        crypto_sha256(sid, sizeof(sid), s->id_hash);
        memcpy(s->cookie, v, len);
        s->cookie[len] = '\0';
        rc = 0;
    }
    crypto_wipe(sid, sizeof(sid));
    return rc;
}

/* The associated data binding the sealed password to its record (see
 * session.h); returns its length in aad (AAD_MAX bytes). */
static size_t build_aad(const struct session *s, unsigned char *aad)
{
    const struct store_record *r = &s->rec;
    const char *fields[] = { r->user, r->proto, r->backend };
    const size_t caps[] = { sizeof(r->user), sizeof(r->proto), sizeof(r->backend) };
    size_t n = 0;

    memcpy(aad, s->id_hash, STORE_ID_LEN);
    n += STORE_ID_LEN;
    for (size_t i = 0; i < 3; i++) {
        size_t l = strnlen(fields[i], caps[i] - 1);
        memcpy(aad + n, fields[i], l);
        n += l;
        aad[n++] = '\0';
    }
    uint64_t t = (uint64_t)r->created_at;
    for (int i = 7; i >= 0; i--)
        aad[n++] = (unsigned char)(t >> (8 * i));
    return n;
}

/* Opens the sealed password into out (outcap bytes). 0 or -1. */
static int open_secret(const struct session *s, unsigned char *out, size_t outcap,
                       size_t *len_r, const char **error_r)
{
    unsigned char aad[AAD_MAX];
    size_t aadlen = build_aad(s, aad);

    return crypto_open(s->key, aad, aadlen, s->rec.secret, s->rec.secret_len, out,
                       outcap, len_r, error_r);
}

/* 1 if a stored record has the shape session_create() gives it. */
static int record_sane(const struct store_record *r)
{
    return r->user[0] != '\0' && strlen(r->csrf) == STORE_CSRF_LEN &&
           r->secret_len > CRYPTO_SEAL_OVERHEAD &&
           r->secret_len <= SESSION_PASSWORD_MAX + CRYPTO_SEAL_OVERHEAD;
}

/* Parses the cookie, reads its record and checks the key opens it.
 * Timeouts are not checked here. */
static enum session_status load_verified(struct store *st, const char *cookie,
                                         size_t len, struct session *s,
                                         const char **error_r)
{
    unsigned char pw[SESSION_PASSWORD_MAX];
    size_t n = 0;

    memset(s, 0, sizeof(*s));
    if (cookie == NULL || len == 0)
        return SESSION_MISSING;
    if (parse_cookie(cookie, len, s) < 0)
        return SESSION_MALFORMED;
    int found = store_get(st, s->id_hash, &s->rec, error_r);
    if (found < 0)
        return SESSION_ERROR;
    if (found == 0)
        return SESSION_UNKNOWN;
    int opened = record_sane(&s->rec) && open_secret(s, pw, sizeof(pw), &n, NULL) == 0;
    crypto_wipe(pw, sizeof(pw));
    return opened ? SESSION_OK : SESSION_TAMPERED;
}

/* --- sign-in, validation, sign-out ------------------------------------ */

/* Checks the login fields against the record's limits. 0 or -1. */
static int check_login(const struct session_login *l, const char **error_r)
{
    size_t ulen = l->user != NULL ? strnlen(l->user, STORE_USER_MAX + 1) : 0;

    if (ulen == 0 || ulen > STORE_USER_MAX)
        return fail(error_r, "user name empty or too long");
    if (l->proto == NULL || strnlen(l->proto, STORE_PROTO_MAX + 1) > STORE_PROTO_MAX)
        return fail(error_r, "protocol name missing or too long");
    if (l->backend == NULL ||
        strnlen(l->backend, STORE_BACKEND_MAX + 1) > STORE_BACKEND_MAX)
        return fail(error_r, "backend name missing or too long");
    if (l->password == NULL || l->password_len == 0 ||
        l->password_len > SESSION_PASSWORD_MAX ||
        memchr(l->password, '\0', l->password_len) != NULL)
        return fail(error_r, "password empty, too long or holding a NUL");
    return 0;
}

/* The store may drop the record from this time on. */
static int64_t expiry(const struct session_config *cfg, int64_t created, int64_t now)
{
    int64_t a = created + cfg->absolute_timeout, i = now + cfg->idle_timeout;

    return a < i ? a : i;
}

/* Fills s with fresh random id, key and CSRF secret. 0 or -1. */
static int new_identity(struct session *s, const char **error_r)
{
    unsigned char sid[SESSION_ID_LEN], csrf[CSRF_SECRET_LEN];
    int rc = -1;

    if (crypto_random(sid, sizeof(sid), error_r) == 0 &&
        crypto_random(s->key, sizeof(s->key), error_r) == 0 &&
        crypto_random(csrf, sizeof(csrf), error_r) == 0) {
        crypto_sha256(sid, sizeof(sid), s->id_hash);
        size_t n = b64url_encode(sid, sizeof(sid), s->cookie);
        s->cookie[n++] = '.';
        b64url_encode(s->key, sizeof(s->key), s->cookie + n);
        b64url_encode(csrf, sizeof(csrf), s->rec.csrf);
        rc = 0;
    }
    crypto_wipe(sid, sizeof(sid));
    crypto_wipe(csrf, sizeof(csrf));
    return rc;
}

/* Deletes the record an old cookie names, if its key opens it. */
static int drop_old(struct store *st, const char *cookie, size_t len,
                    const char **error_r)
{
    struct session old;
    enum session_status rc = load_verified(st, cookie, len, &old, error_r);
    int ret = 0;

    if (rc == SESSION_ERROR)
        ret = -1;
    else if (rc == SESSION_OK && store_del(st, old.id_hash, error_r) < 0)
        ret = -1;
    session_clear(&old);
    return ret;
}

int session_create(struct store *st, const struct session_config *cfg,
                   const struct session_login *login, const char *old_cookie,
                   size_t old_len, int64_t now, struct session *s,
                   const char **error_r)
{
    unsigned char aad[AAD_MAX];
    struct store_record *r = &s->rec;

    memset(s, 0, sizeof(*s));
    if (check_login(login, error_r) < 0)
        return -1;
    if (old_cookie != NULL && old_len > 0 && drop_old(st, old_cookie, old_len, error_r) < 0)
        return -1;
    if (new_identity(s, error_r) < 0)
        goto failed;
    snprintf(r->user, sizeof(r->user), "%s", login->user);
    snprintf(r->proto, sizeof(r->proto), "%s", login->proto);
    snprintf(r->backend, sizeof(r->backend), "%s", login->backend);
    r->created_at = r->last_seen = now;
    r->expires_at = expiry(cfg, now, now);
    size_t aadlen = build_aad(s, aad);
    if (crypto_seal(s->key, aad, aadlen, login->password, login->password_len,
                    r->secret, sizeof(r->secret), &r->secret_len, error_r) < 0 ||
        store_put(st, s->id_hash, r, error_r) < 0)
        goto failed;
    return 0;
failed:
    session_clear(s);
    return -1;
}

enum session_status session_load(struct store *st, const struct session_config *cfg,
                                 const char *cookie, size_t len, int64_t now,
                                 struct session *s, const char **error_r)
{
    const char *store_err = NULL;
    enum session_status rc = load_verified(st, cookie, len, s, &store_err);

    if (rc == SESSION_OK) {
        if (now - s->rec.created_at >= cfg->absolute_timeout)
            rc = SESSION_EXPIRED_ABSOLUTE;
        else if (now - s->rec.last_seen >= cfg->idle_timeout)
            rc = SESSION_EXPIRED_IDLE;
        if (rc != SESSION_OK)
            (void)store_del(st, s->id_hash, NULL);  /* the sweep retries */
    }
    if (error_r != NULL)
        *error_r = rc == SESSION_ERROR ? store_err : status_sentences[rc];
    if (rc != SESSION_OK)
        session_clear(s);
    return rc;
}

int session_touch(struct store *st, const struct session_config *cfg,
                  struct session *s, int64_t now, const char **error_r)
{
    struct store_record *r = &s->rec;

    if (now - r->last_seen < cfg->touch_interval)
        return 0;
    int64_t expires = expiry(cfg, r->created_at, now);
    int rc = store_touch(st, s->id_hash, now, expires, error_r);
    if (rc > 0) {
        r->last_seen = now;
        r->expires_at = expires;
    }
    return rc;
}

int session_password(const struct session *s, char *out, size_t outcap,
                     size_t *len_r, const char **error_r)
{
    size_t n;

    if (outcap == 0 || !record_sane(&s->rec))
        return fail(error_r, "no password in this session");
    if (open_secret(s, (unsigned char *)out, outcap - 1, &n, error_r) < 0)
        return -1;
    out[n] = '\0';
    *len_r = n;
    return 0;
}

int session_destroy(struct store *st, struct session *s, const char **error_r)
{
    int rc = store_del(st, s->id_hash, error_r);

    session_clear(s);
    return rc < 0 ? -1 : 0;
}

/* --- cookies, CSRF ---------------------------------------------------- */

const char *session_cookie_name(const struct session_config *cfg)
{
    return cfg->secure_cookie ? SESSION_COOKIE_NAME_SECURE : SESSION_COOKIE_NAME_PLAIN;
}

int session_cookie_find(const struct http_fields *cookies,
                        const struct session_config *cfg, const char **value_r,
                        size_t *len_r)
{
    const char *name = session_cookie_name(cfg);
    size_t n = http_fields_count(cookies, name);

    if (n != 1)
        return n == 0 ? 0 : -1;
    const struct http_field *f = http_fields_get(cookies, name);
    *value_r = f->value;
    *len_r = f->value_len;
    return 1;
}

/* Writes "NAME=VALUE; attributes" for cfg. 0, or -1 if it does not fit. */
static int format_cookie(const struct session_config *cfg, const char *value,
                         const char *extra, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s=%s; Path=/;%s%s HttpOnly; SameSite=Strict",
                     session_cookie_name(cfg), value, extra,
                     cfg->secure_cookie ? " Secure;" : "");
    if (n < 0 || (size_t)n >= cap) {
        crypto_wipe(out, cap);
        return -1;
    }
    return 0;
}

int session_set_cookie(const struct session *s, const struct session_config *cfg,
                       char *out, size_t cap)
{
    return format_cookie(cfg, s->cookie, "", out, cap);
}

int session_clear_cookie(const struct session_config *cfg, char *out, size_t cap)
{
    return format_cookie(cfg, "", " Max-Age=0;", out, cap);
}

/* The session's CSRF secret as bytes. 0, or -1 if the record's is bad. */
static int csrf_secret(const struct session *s, unsigned char out[CSRF_SECRET_LEN])
{
    size_t n;

    if (b64url_decode(s->rec.csrf, strlen(s->rec.csrf), out, CSRF_SECRET_LEN, &n) < 0 ||
        n != CSRF_SECRET_LEN)
        return -1;
    return 0;
}

int session_csrf_token(const struct session *s, char out[CSRF_TOKEN_LEN + 1],
                       const char **error_r)
{
    unsigned char secret[CSRF_SECRET_LEN];
    int rc = -1;

    if (csrf_secret(s, secret) < 0)
        fail(error_r, "session has no CSRF secret");
    else
        rc = csrf_token_mask(secret, out, error_r);
    crypto_wipe(secret, sizeof(secret));
    return rc;
}

int session_csrf_check(const struct session *s, const char *token, size_t len)
{
    unsigned char secret[CSRF_SECRET_LEN];
    int ok = csrf_secret(s, secret) == 0 && csrf_token_check(secret, token, len);

    crypto_wipe(secret, sizeof(secret));
    return ok;
}
