/* session.h — signed-in sessions: the model and the cookie, over a store.
 *
 * The cookie. secure_cookie on (the default):
 *     __Host-postern=<sid>.<key>; Path=/; Secure; HttpOnly; SameSite=Strict
 * sid is 128 random bits and key a random AES-256 key, both base64url
 * without padding (22 + 1 + 43 = 66 characters). The cookie has no
 * Max-Age: it ends with the browser session; the server's idle and
 * absolute timeouts bound it in any case.
 * secure_cookie off (only for the loopback demo over plain http): the
 * cookie is named "postern" and has no Secure attribute, since browsers
 * refuse a __Host- cookie without Secure. The name follows the mode both
 * ways: with secure_cookie on, a cookie named "postern" is never read, so
 * a sibling host or a plain-http response cannot plant one that is used.
 *
 * The record (store.h), under SHA-256(sid): user, proto and backend
 * chosen at sign-in, created_at, last_seen, expires_at, the CSRF secret,
 * and crypto_seal(key, aad, mail password) with
 *     aad = SHA-256(sid) || user || NUL || proto || NUL || backend || NUL
 *           || created_at (8 bytes, big-endian)
 * The key never reaches the store, so the store alone yields no password
 * and no usable session id; the cookie alone yields nothing once the
 * record is gone. The AAD ties the ciphertext to its record: moving it to
 * another record, or editing user, proto, backend or created_at in the
 * store, makes the session fail as tampered.
 *
 * Time: every function takes now (seconds since the epoch) from the
 * caller. A session is expired once now - created_at >= absolute_timeout,
 * or once now - last_seen >= idle_timeout. last_seen is written at most
 * every touch_interval seconds, so the effective idle timeout is between
 * idle_timeout - touch_interval and idle_timeout.
 *
 * Secrets: a struct session holds the cookie value and the key; clear it
 * with session_clear() (or session_destroy()) when the request ends.
 * Callers wipe the passwords they pass in and get out (crypto_wipe).
 * Nothing here logs.
 */
#ifndef POSTERN_SESSION_H
#define POSTERN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "csrf.h"
#include "store.h"

struct http_fields;

#define SESSION_ID_LEN        16                          /* random bytes */
#define SESSION_KEY_LEN       CRYPTO_KEY_LEN
#define SESSION_COOKIE_LEN    (B64URL_LEN(SESSION_ID_LEN) + 1 + B64URL_LEN(SESSION_KEY_LEN))
#define SESSION_PASSWORD_MAX  1024                        /* bytes */
#define SESSION_SET_COOKIE_MAX 192                        /* a Set-Cookie value, with NUL */
#define SESSION_COOKIE_NAME_SECURE "__Host-postern"
#define SESSION_COOKIE_NAME_PLAIN  "postern"

struct session_config {
    int64_t idle_timeout;      /* seconds; default 1800 */
    int64_t absolute_timeout;  /* seconds; default 43200 (12 h) */
    int64_t touch_interval;    /* seconds between last_seen writes; default 60 */
    bool secure_cookie;        /* default true */
};

/* Fills *c with the defaults above. */
void session_config_defaults(struct session_config *c);

enum session_status {
    SESSION_OK,
    SESSION_MISSING,           /* no cookie */
    SESSION_MALFORMED,         /* not "<22 chars>.<43 chars>" of canonical base64url */
    SESSION_UNKNOWN,           /* no such record: signed out, expired and removed, forged */
    SESSION_EXPIRED_IDLE,
    SESSION_EXPIRED_ABSOLUTE,
    SESSION_TAMPERED,          /* the key does not open the record, or the record is damaged */
    SESSION_ERROR,             /* the store failed; *error_r says how */
    SESSION__MAX
};
extern const char *const session_status_names[SESSION__MAX]; /* "ok", "missing", ... */

/* A loaded or new session. Owned by the caller (stack or arena); holds
 * secrets until session_clear(). */
struct session {
    unsigned char id_hash[STORE_ID_LEN];     /* the store key */
    unsigned char key[SESSION_KEY_LEN];      /* from the cookie; secret */
    char cookie[SESSION_COOKIE_LEN + 1];     /* "<sid>.<key>"; secret */
    struct store_record rec;                 /* as stored */
};

/* What the sign-in page learnt. user: 1..STORE_USER_MAX bytes (checked
 * with valid_username() by the caller); proto at most STORE_PROTO_MAX and
 * backend at most STORE_BACKEND_MAX bytes (may be ""); password
 * 1..SESSION_PASSWORD_MAX bytes without NUL. */
struct session_login {
    const char *user;
    const char *proto;
    const char *backend;
    const char *password;
    size_t password_len;
};

/* Signs in: a new session with a fresh random id and key, the password
 * sealed under the key, stored in st. Call it only after the mail server
 * accepted the password. old_cookie[0..old_len) is the cookie value the
 * browser sent, if any (NULL or 0: none): it is never reused; if it
 * names a real session (its key opens it) that record is deleted. So a
 * planted id is harmless and the id always changes at sign-in. Fills *s;
 * returns 0, or -1 with *error_r (bad login fields, random source, store).
 * The caller wipes login->password. */
int session_create(struct store *st, const struct session_config *cfg,
                   const struct session_login *login, const char *old_cookie,
                   size_t old_len, int64_t now, struct session *s,
                   const char **error_r);

/* Validates the cookie value cookie[0..len) (NULL or 0: missing): parse,
 * look up, check the key against the sealed password, check the
 * timeouts. SESSION_OK fills *s; an expired session's record is deleted.
 * Does not extend the session: call session_touch() for requests the user
 * made (not for background polling). *error_r is set for SESSION_ERROR
 * and otherwise to a short sentence for the log. On anything but
 * SESSION_OK, *s is cleared. */
enum session_status session_load(struct store *st, const struct session_config *cfg,
                                 const char *cookie, size_t len, int64_t now,
                                 struct session *s, const char **error_r);

/* Marks the session active at now: writes last_seen (and the new
 * expires_at = min(created_at + absolute, now + idle)) if at least
 * touch_interval seconds passed since the stored last_seen. Never
 * recreates a record deleted meanwhile. Returns 1 if written, 0 if not
 * needed or the record is gone, -1 with *error_r if the store failed. */
int session_touch(struct store *st, const struct session_config *cfg,
                  struct session *s, int64_t now, const char **error_r);

/* Decrypts the mail password into out (outcap bytes, at least
 * SESSION_PASSWORD_MAX + 1 suffice), NUL-terminated, and sets *len_r.
 * Returns 0, or -1 with *error_r. The caller wipes out (crypto_wipe) as
 * soon as the upstream login is done. */
int session_password(const struct session *s, char *out, size_t outcap,
                     size_t *len_r, const char **error_r);

/* Signs out: deletes the record (so the cookie is dead everywhere) and
 * clears *s. Returns 0 (also if the record was already gone), or -1 with
 * *error_r if the store failed (*s is cleared all the same). */
int session_destroy(struct store *st, struct session *s, const char **error_r);

/* Wipes *s. */
void session_clear(struct session *s);

/* The cookie name for cfg: "__Host-postern" or "postern". */
const char *session_cookie_name(const struct session_config *cfg);

/* Finds the session cookie among the request's cookies (http_parse_cookies)
 * by session_cookie_name(cfg). Returns 1 with *value_r and *len_r set if
 * it occurs once, 0 if not at all, -1 if more than once (treat as
 * SESSION_MALFORMED: someone is tossing cookies). */
int session_cookie_find(const struct http_fields *cookies,
                        const struct session_config *cfg, const char **value_r,
                        size_t *len_r);

/* The Set-Cookie header value that installs s's cookie, into out (cap
 * bytes; SESSION_SET_COOKIE_MAX suffices). Returns 0, or -1 if it does not
 * fit. The value is a secret: wipe out after sending it. */
int session_set_cookie(const struct session *s, const struct session_config *cfg,
                       char *out, size_t cap);

/* The Set-Cookie header value that removes the cookie at sign-out
 * (empty value, Max-Age=0, same attributes). 0 or -1 as above. */
int session_clear_cookie(const struct session_config *cfg, char *out, size_t cap);

/* A masked synchronizer token for s's forms (csrf.h), fresh each call.
 * Returns 0, or -1 (random source, damaged record). */
int session_csrf_token(const struct session *s, char out[CSRF_TOKEN_LEN + 1],
                       const char **error_r);

/* 1 if token[0..len) is a valid synchronizer token of s, else 0
 * (constant time). */
int session_csrf_check(const struct session *s, const char *token, size_t len);

#endif
