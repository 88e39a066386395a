/* upstream.h — talking to the user's mail servers: connect, verify, greet,
 * log in, log out; for IMAP4, POP3 and SMTP alike.
 *
 * This is what sign-in and the "check my settings" page call. It hides
 * libetpan and OpenSSL: the caller names an endpoint and gets back a kind
 * of failure it can explain (OpenSMTPD-style) and a sentence in plain
 * words, plus what was seen of the server (TLS, certificate,
 * capabilities, timings).
 *
 * Promises, for every call here:
 *   - user name and password are screened before anything is connected:
 *     CR, LF or NUL, or too long, and nothing at all is sent (UP_E_INPUT);
 *   - credentials leave only over TLS whose certificate chain and host name
 *     were verified; STARTTLS that is not offered, refused, or followed by
 *     injected bytes ends the session (UP_E_STARTTLS) before any credential;
 *     TLS_NONE is used only with allow_plaintext, else UP_E_PLAINTEXT_REFUSED
 *     before connecting;
 *   - every step (connect + TLS, greeting, each command) has its own
 *     deadline of timeout_ms; a server that never greets, stalls or drips
 *     ends with UP_E_TIMEOUT within it (name resolution is bounded by the
 *     system resolver's own timeouts, not by this deadline);
 *   - IMAP user names and passwords that are not atoms go as literals;
 *     SMTP uses AUTH PLAIN (or LOGIN) in base64; POP3 uses USER/PASS (or
 *     SASL PLAIN when USER is not offered). Never APOP, never COMPRESS.
 *
 * What sign-in shows: UP_OK signed in; UP_E_AUTH wrong user name or
 * password; UP_E_DISABLED account disabled; UP_E_RESOLVE, UP_E_CONNECT
 * unreachable; UP_E_TLS_UNTRUSTED, UP_E_TLS_NAME, UP_E_TLS_OTHER untrusted
 * certificate (r->message gives OpenSSL's verify reason, r->cert_verify its
 * number); UP_E_TIMEOUT too slow; anything else "the mail server
 * misbehaved" with r->message.
 *
 * Thread-safety: the calls are reentrant; tls_client may be shared.
 */
#ifndef POSTERN_UPSTREAM_H
#define POSTERN_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"   /* enum proto, enum tls_mode */
#include "tls.h"

enum up_error {
    UP_OK,
    UP_E_RESOLVE,           /* the server name does not resolve */
    UP_E_CONNECT,           /* unreachable: refused, no route */
    UP_E_TIMEOUT,           /* too slow: a step passed its deadline */
    UP_E_TLS_UNTRUSTED,     /* certificate: unknown CA, self-signed, expired */
    UP_E_TLS_NAME,          /* certificate for another host */
    UP_E_TLS_OTHER,         /* TLS failed otherwise (old version, alert) */
    UP_E_STARTTLS,          /* STARTTLS not offered, refused, or injected data */
    UP_E_PROTOCOL,          /* unexpected reply, garbage, connection dropped */
    UP_E_AUTH,              /* wrong user name or password */
    UP_E_DISABLED,          /* the account may not log in (server says so) */
    UP_E_INPUT,             /* CR/LF/NUL or too long: nothing was sent */
    UP_E_PLAINTEXT_REFUSED, /* TLS_NONE without allow_plaintext */
    UP_E__MAX
};
/* Short names ("ok", "timeout", "tls-untrusted", ...) for logs and tests. */
extern const char *const up_error_names[UP_E__MAX];

#define UP_USER_MAX      254   /* bytes */
#define UP_PASSWORD_MAX  1000  /* bytes; POP3 USER/PASS takes at most 500 */

struct up_target {
    enum proto proto;       /* PROTO_IMAP, PROTO_POP3, PROTO_SMTP */
    const char *host;       /* connect to: a name or an IP literal */
    const char *tls_name;   /* name the certificate must carry; NULL: host */
    unsigned port;
    enum tls_mode tls;      /* TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE */
    bool allow_plaintext;   /* config says TLS_NONE may carry credentials */
    int timeout_ms;         /* deadline of each step; <= 0: 10 s */
};

/* Credentials as the request gave them (not NUL-terminated, may hold
 * anything; up_check screens them). */
struct up_cred {
    const char *user;
    size_t user_len;
    const char *password;
    size_t password_len;
};

struct up_report {
    enum up_error error;
    char message[512];       /* plain words; never a credential */
    bool tls;                /* the session was encrypted */
    char tls_version[16], cipher[64];
    char cert_subject[256], cert_issuer[256], cert_not_after[32];
    long cert_verify;        /* 0, or the X509 verify error number */
    bool hostname_ok;        /* the certificate matches tls_name */
    bool authenticated;
    char capabilities[1024]; /* "IMAP4rev1 IDLE ... AUTH=PLAIN", SMTP and
                                POP3 as "SIZE=40960000 AUTH=PLAIN" */
    long connect_ms, tls_ms, login_ms, total_ms;
};

/* Connects to t, does TLS as t->tls says, reads the greeting and the
 * capabilities; with cred (non-NULL) logs in; then logs out. Fills *r
 * (always) and returns 0 if everything asked for worked, else -1 with
 * r->error and r->message. tc may be NULL only for TLS_NONE. */
int up_check(struct tls_client *tc, const struct up_target *t,
             const struct up_cred *cred, struct up_report *r);

/* Screens one string bound for a command: s[0..len) must hold no CR, LF or
 * NUL and be at most max bytes. Returns 0, or -1 with *e = UP_E_INPUT (e
 * may be NULL). Pure. */
int up_screen(const char *s, size_t len, size_t max, enum up_error *e);

/* --- a logged-in IMAP session, for the mailbox code ------------------- */

struct up_imap;
struct mailimap;

/* As up_check for IMAP, but keeps the logged-in session. Returns NULL with
 * *r filled on failure. Free with up_imap_close(). */
struct up_imap *up_imap_open(struct tls_client *tc, const struct up_target *t,
                             const struct up_cred *cred, struct up_report *r);

/* The libetpan session, for the mailbox code only. Before each command,
 * call up_imap_deadline(); after any MAILIMAP_ERROR_STREAM or
 * MAILIMAP_ERROR_PARSE, the session is dead: close it. */
struct mailimap *up_imap_session(struct up_imap *u);

/* The next command's deadline (now + timeout_ms; 0: the target's
 * timeout_ms given at open) and byte budget (0: none). */
void up_imap_deadline(struct up_imap *u, int timeout_ms, size_t budget);

/* Why the last command failed at the transport level (NET_OK if it did
 * not): tells a timeout from a dropped connection. */
enum net_error up_imap_net_error(const struct up_imap *u);

/* True if a response is already buffered (in libetpan's stream or inside
 * TLS), so poll() on mailimap_idle_get_fd() must not be waited on. */
bool up_imap_pending(const struct up_imap *u);

/* Where the selected folder's message count lives: every untagged
 * "N EXISTS" or "N EXPUNGE" any command reads (imapw_run) updates
 * *exists, so a count cached across requests never goes stale however
 * the server chose to tell us. NULL: none. */
void up_imap_watch_exists(struct up_imap *u, uint32_t *exists);
uint32_t *up_imap_exists_watch(const struct up_imap *u);

/* The connection's socket, for poll() while idling; -1 once closed. */
int up_imap_fd(const struct up_imap *u);

/* LOGOUT (within timeout_ms) unless the session is dead, then frees
 * everything. NULL is a no-op. */
void up_imap_close(struct up_imap *u, int timeout_ms);

/* --- a POP3 session, for one request ------------------------------- */

struct up_pop3;
struct _mailstream;

/* As up_check for POP3, but keeps the logged-in session (the maildrop
 * stays locked until up_pop3_quit or up_pop3_abandon). NULL with *r
 * filled on failure. */
struct up_pop3 *up_pop3_open(struct tls_client *tc, const struct up_target *t,
                             const struct up_cred *cred, struct up_report *r);

/* The session's stream, for the pop3 module's own commands. */
struct _mailstream *up_pop3_stream(struct up_pop3 *u);

/* The next command's deadline (0: the target's timeout) and byte budget. */
void up_pop3_deadline(struct up_pop3 *u, int timeout_ms, size_t budget);

/* QUIT (commits any DELE) and frees u. 0 if the server answered +OK,
 * i.e. the deletions took effect; -1 if not (nothing was deleted). */
int up_pop3_quit(struct up_pop3 *u, int timeout_ms);

/* Drops the connection without QUIT (no DELE takes effect) and frees u.
 * NULL is a no-op. */
void up_pop3_abandon(struct up_pop3 *u);

/* --- an SMTP submission session, for sending one message -------------- */

struct up_smtp;
struct mailsmtp;

/* As up_check for SMTP, but keeps the logged-in session (after EHLO,
 * STARTTLS or implicit TLS, EHLO again and AUTH) for the submit module.
 * NULL with *r filled on failure. Free with up_smtp_close(). */
struct up_smtp *up_smtp_open(struct tls_client *tc, const struct up_target *t,
                             const struct up_cred *cred, struct up_report *r);

/* The libetpan session, for src/submit.c only. */
struct mailsmtp *up_smtp_session(struct up_smtp *u);

/* The next command's deadline (0: the target's timeout) and byte budget
 * (0: none). */
void up_smtp_deadline(struct up_smtp *u, int timeout_ms, size_t budget);

/* Why the last command failed at the transport level (NET_OK if not). */
enum net_error up_smtp_net_error(const struct up_smtp *u);

/* QUIT (within timeout_ms) if polite and the session is healthy, then
 * frees everything. NULL is a no-op. */
void up_smtp_close(struct up_smtp *u, bool polite, int timeout_ms);

#endif
