/* submit.h — handing one message to the SMTP submission server (RFC 6409)
 * as the signed-in user, and saying in plain words what happened.
 *
 * One call opens the session (upstream.h: verified TLS, STARTTLS or TLS
 * from the start, AUTH with the user's credentials), sends MAIL FROM with
 * the user's address, one RCPT per recipient (each reply kept), and only
 * if every recipient was accepted DATA and the message; then QUIT.
 *
 * All or nothing: when a recipient is refused, nothing is sent (RSET),
 * so a corrected retry never delivers twice to the others.
 *
 * Outcomes (enum submit_outcome) are what the compose page tells the
 * person; only SUBMIT_SENT means the server took responsibility for the
 * message. SUBMIT_UNCERTAIN means the message went out in full but the
 * server's answer never came (the connection dropped after the final
 * dot): it may have been sent, and must not be resent automatically.
 */
#ifndef POSTERN_SUBMIT_H
#define POSTERN_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "upstream.h"

enum submit_outcome {
    SUBMIT_SENT,          /* 250 after the message */
    SUBMIT_REJECTED,      /* one or more recipients refused (named in rcpt[]) */
    SUBMIT_TEMPFAIL,      /* a 4xx reply: try again later; nothing sent */
    SUBMIT_PERMFAIL,      /* a 5xx reply: nothing sent */
    SUBMIT_AUTH,          /* the server refused the user's credentials */
    SUBMIT_UNREACHABLE,   /* could not connect, TLS failed, timed out: nothing sent */
    SUBMIT_UNCERTAIN,     /* dropped after the message was sent: may have been sent */
    SUBMIT_INPUT,         /* an address did not pass the screens: nothing sent */
    SUBMIT__MAX
};
/* "sent", "rejected", "tempfail", "permfail", "auth", "unreachable",
 * "uncertain", "input": for logs and tests. */
extern const char *const submit_outcome_names[SUBMIT__MAX];

/* One recipient's RCPT reply. */
struct submit_rcpt {
    const char *addr;     /* the caller's string */
    int code;             /* 250, 550, ...; 0 if never asked */
    char text[200];       /* the server's words (printable ASCII) */
};

struct submit_result {
    enum submit_outcome outcome;
    int code;             /* the deciding reply code, 0 if none */
    char message[512];    /* a plain sentence for the page; no credential */
    size_t rejected;      /* recipients refused */
    long elapsed_ms;
};

/* Sends the message msg (msgbuild.h: segments with an exact size; CRLF
 * lines, no lone CR or LF) from the address from to rcpt[0..n) (each
 * ->addr set by the caller) over the submission endpoint t,
 * authenticating with cred. The message is streamed: dot-stuffed and
 * written segment by segment (attachments base64-encoded on the way),
 * never held whole. Every address is screened first (no CR, LF, NUL,
 * '<', '>', at most 254 bytes): if one fails, nothing is connected
 * (SUBMIT_INPUT). Fills rcpt[i].code/text and *r. Returns 0 if the
 * message was sent (SUBMIT_SENT), else -1. */
struct mb_wire;
int submit_send(struct tls_client *tc, const struct up_target *t, const struct up_cred *cred,
                const char *from, struct submit_rcpt *rcpt, size_t n, const struct mb_wire *msg,
                struct submit_result *r);

#endif
