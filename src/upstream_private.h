/* upstream_private.h — what upstream.c shares with its protocol files
 * (upstream_imap.c, upstream_pop3.c, upstream_smtp.c). Not for cgi/.
 *
 * One session (struct sess) runs the same steps for every protocol:
 * connect, implicit TLS, greeting, capabilities, STARTTLS + capabilities
 * afresh, login, logout (upstream.c: run()). Each protocol file supplies
 * the steps as a struct proto_ops. A step returns 0, or -1 after
 * up_fail() has recorded the kind and the sentence (the first failure
 * wins). Before each step the runner sets the transport's deadline and
 * byte budget; a step that sees libetpan fail calls up_stream_fail(),
 * which asks the transport whether it was a timeout, a closed connection
 * or too much data before blaming the server's words.
 */
#ifndef POSTERN_UPSTREAM_PRIVATE_H
#define POSTERN_UPSTREAM_PRIVATE_H

#include <libetpan/libetpan.h>

#include "upstream.h"

struct sess {
    const struct up_target *t;
    struct up_report *r;
    struct tls_client *tc;
    const char *name;           /* the name the certificate must carry */
    int timeout;                /* ms, per step */
    const char *step;           /* for messages: "the greeting", ... */
    struct net *net;
    mailstream *stream;         /* owned by the protocol session after greet */
    mailimap *imap;             /* the one protocol session in use */
    mailpop3 *pop;
    mailsmtp *smtp;
    /* from the capabilities (reset when STARTTLS succeeds) */
    bool starttls, login_disabled, literal_plus, auth_plain, auth_login, pop_user;
    char user[UP_USER_MAX + 1]; /* screened copies; pass is cleansed at the end */
    char pass[UP_PASSWORD_MAX + 1];
};

struct proto_ops {
    int (*create)(struct sess *);            /* the libetpan session */
    int (*greet)(struct sess *);             /* hands it s->stream, reads the greeting */
    int (*caps)(struct sess *, bool fresh);  /* capabilities into flags and report */
    int (*starttls)(struct sess *);          /* the command only; TLS is the runner's */
    int (*login)(struct sess *);
    void (*logout)(struct sess *);           /* polite end; closes the stream */
    void (*destroy)(struct sess *);          /* frees the session (and a live stream) */
    const char *starttls_word;               /* "STARTTLS", "STLS" */
};

extern const struct proto_ops up_imap_ops, up_pop3_ops, up_smtp_ops;

/* Records the session's first failure; returns -1. fmt: a sentence,
 * capitalised here; never a credential. */
int up_fail(struct sess *s, enum up_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* After libetpan failed: the transport's reason if it has one (timeout,
 * closed, too much data, I/O), else UP_E_PROTOCOL with otherwise. -1. */
int up_stream_fail(struct sess *s, const char *otherwise);

/* src as printable ASCII, at most 200 bytes, into buf; "no reason given"
 * if empty. Returns buf. */
const char *up_server_text(char *buf, size_t len, const char *src);

/* Adds "name" or "name=param" to r->capabilities unless already there. */
void up_caps_add(struct up_report *r, const char *name, const char *param);

/* base64 of "\0a\0b" (SASL PLAIN), or of a alone when b is NULL, into out
 * (empty if it does not fit). The caller cleanses out. */
void up_base64(const char *a, const char *b, char *out, size_t outlen);

/* Writes to s->stream (buffered) / and flushes. 0, or -1 (up_puts_flush
 * records the failure; up_put leaves that to the caller). */
int up_put(struct sess *s, const char *str, size_t len);
int up_puts_flush(struct sess *s, const char *str);

#endif
