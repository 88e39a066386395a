/* submit.c — one message to the submission server (see submit.h). */
#include "submit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "msgbuild.h"
#include "tls.h"

#define QUIT_MS        2000
#define REPLY_BUDGET   (64 * 1024)
#define DATA_BYTES_PER_SECOND (512u * 1024)   /* slowest upload we wait for */

const char *const submit_outcome_names[SUBMIT__MAX] = {
    [SUBMIT_SENT] = "sent",
    [SUBMIT_REJECTED] = "rejected",
    [SUBMIT_TEMPFAIL] = "tempfail",
    [SUBMIT_PERMFAIL] = "permfail",
    [SUBMIT_AUTH] = "auth",
    [SUBMIT_UNREACHABLE] = "unreachable",
    [SUBMIT_UNCERTAIN] = "uncertain",
    [SUBMIT_INPUT] = "input",
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The server's words as printable ASCII, at most len-1 bytes. */
static void server_words(char *out, size_t len, const char *src)
{
    size_t o = 0;
    for (const char *p = src ? src : ""; *p && o + 1 < len; p++)
        out[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : ' ';
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static int outcome(struct submit_result *r, enum submit_outcome o, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int outcome(struct submit_result *r, enum submit_outcome o, int code, const char *fmt, ...)
{
    r->outcome = o;
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
    return o == SUBMIT_SENT ? 0 : -1;
}

/* An address safe for libetpan's "MAIL FROM:<%s>" buffer. */
static bool address_ok(const char *a)
{
    size_t n = a ? strlen(a) : 0;
    return n > 0 && up_screen(a, n, UP_USER_MAX, NULL) == 0 && strpbrk(a, "<> ") == NULL;
}

/* A refused reply to MAIL or DATA as an outcome. */
static int refused(struct submit_result *r, mailsmtp *s, const char *what)
{
    char words[200];
    server_words(words, sizeof(words), s->response);
    int code = s->response_code;
    if (code >= 400 && code < 500)
        return outcome(r, SUBMIT_TEMPFAIL, code, "The mail server could not take the message "
                       "right now (%s: %d %s). Nothing was sent; try again later.", what, code, words);
    return outcome(r, SUBMIT_PERMFAIL, code, "The mail server refused the message (%s: %d %s). "
                   "Nothing was sent.", what, code, words);
}

static int open_failed(struct submit_result *r, const struct up_report *rep)
{
    switch (rep->error) {
    case UP_E_AUTH:
    case UP_E_DISABLED:
        return outcome(r, SUBMIT_AUTH, 0, "The mail server did not accept your password for "
                       "sending (%s). Nothing was sent.", rep->message);
    case UP_E_PROTOCOL:
        return outcome(r, SUBMIT_UNREACHABLE, 0, "The mail server for sending misbehaved (%s). "
                       "Nothing was sent.", rep->message);
    default:
        return outcome(r, SUBMIT_UNREACHABLE, 0, "The mail server for sending cannot be "
                       "reached (%s). Nothing was sent.", rep->message);
    }
}

/* Writes the DATA payload to the SMTP stream with dot-stuffing (RFC 5321
 * 4.5.2: a line that starts with '.' gets another), keeping track of line
 * starts across pieces. Lines are CRLF already (mb_wire's promise). */
struct stuffer {
    mailstream *st;
    bool bol;               /* the next byte starts a line */
};

static int stuff_put(void *ctx, const char *p, size_t n)
{
    struct stuffer *d = ctx;
    while (n > 0) {
        if (d->bol && p[0] == '.' && mailstream_write(d->st, ".", 1) != 1)
            return -1;
        const char *nl = memchr(p, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - p) + 1 : n;
        if (mailstream_write(d->st, p, k) != (ssize_t)k)
            return -1;
        d->bol = nl != NULL;
        p += k;
        n -= k;
    }
    return 0;
}

/* The last segment of w as bytes, when it is one libetpan can send whole
 * (the builder's closing text, or a borrowed message): 0, or -1. */
static int tail_of(const struct mb_wire *w, const char **p, size_t *n)
{
    if (w->nseg == 0 || w->seg[w->nseg - 1].kind == MB_SEG_BASE64)
        return -1;
    const struct mb_seg *g = &w->seg[w->nseg - 1];
    *p = g->kind == MB_SEG_TEXT ? w->text.data + g->off : g->data;
    *n = g->len;
    return 0;
}

/* The message after DATA: every segment but the last streamed through the
 * dot-stuffer, then the last one through mailsmtp_data_message, which
 * stuffs it, writes the final ".", flushes and reads the reply. The last
 * segment starts a line (it follows a CRLF), as libetpan assumes. */
static int send_message(mailsmtp *s, const struct mb_wire *w)
{
    const char *tail = NULL;
    size_t tail_len = 0;
    if (tail_of(w, &tail, &tail_len) < 0)
        return MAILSMTP_ERROR_STREAM;
    struct stuffer d = { s->stream, true };
    if (mb_wire_write_range(w, 0, w->nseg - 1, stuff_put, &d) != 0 || !d.bol)
        return MAILSMTP_ERROR_STREAM;
    return mailsmtp_data_message(s, tail, tail_len);
}

/* MAIL FROM and one RCPT each; 0 if every recipient was accepted. */
static int envelope(struct up_smtp *u, const char *from, struct submit_rcpt *rcpt, size_t n,
                    size_t len, struct submit_result *r)
{
    mailsmtp *s = up_smtp_session(u);
    up_smtp_deadline(u, 0, REPLY_BUDGET);
    int rc = mailesmtp_mail_size(s, from, 0, NULL, len);
    if (rc == MAILSMTP_ERROR_STREAM || up_smtp_net_error(u) != NET_OK)
        return outcome(r, SUBMIT_UNREACHABLE, 0, "The connection to the mail server was lost "
                       "before the message was sent. Nothing was sent.");
    if (rc != MAILSMTP_NO_ERROR)
        return refused(r, s, "sender");
    for (size_t i = 0; i < n; i++) {
        up_smtp_deadline(u, 0, REPLY_BUDGET);
        rc = mailesmtp_rcpt(s, rcpt[i].addr, 0, NULL);
        if (rc == MAILSMTP_ERROR_STREAM || up_smtp_net_error(u) != NET_OK)
            return outcome(r, SUBMIT_UNREACHABLE, 0, "The connection to the mail server was "
                           "lost before the message was sent. Nothing was sent.");
        rcpt[i].code = s->response_code;
        server_words(rcpt[i].text, sizeof(rcpt[i].text), s->response);
        if (rc != MAILSMTP_NO_ERROR)
            r->rejected++;
    }
    if (r->rejected == 0)
        return 0;
    up_smtp_deadline(u, 0, REPLY_BUDGET);
    mailsmtp_reset(s);
    return outcome(r, SUBMIT_REJECTED, 0, "The mail server refused %zu of the %zu recipients "
                   "(named below). Nothing was sent to anyone.", r->rejected, n);
}

int submit_send(struct tls_client *tc, const struct up_target *t, const struct up_cred *cred,
                const char *from, struct submit_rcpt *rcpt, size_t n, const struct mb_wire *msg,
                struct submit_result *r)
{
    memset(r, 0, sizeof(*r));
    size_t len = msg->size;
    const char *tail;
    size_t tail_len;
    long long t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        rcpt[i].code = 0;
        rcpt[i].text[0] = '\0';
    }
    if (tail_of(msg, &tail, &tail_len) < 0)
        return outcome(r, SUBMIT_INPUT, 0, "The message is empty or malformed. Nothing was sent.");
    if (!address_ok(from) || n == 0)
        return outcome(r, SUBMIT_INPUT, 0, "The sender or recipient list is not usable. Nothing was sent.");
    for (size_t i = 0; i < n; i++)
        if (!address_ok(rcpt[i].addr))
            return outcome(r, SUBMIT_INPUT, 0, "A recipient address is not usable. Nothing was sent.");
    struct up_report rep;
    struct up_smtp *u = up_smtp_open(tc, t, cred, &rep);
    if (u == NULL) {
        open_failed(r, &rep);
        r->elapsed_ms = now_ms() - t0;
        return -1;
    }
    bool polite = true;
    mailsmtp *s = up_smtp_session(u);
    if (envelope(u, from, rcpt, n, len, r) < 0) {
        polite = r->outcome != SUBMIT_UNREACHABLE;
        goto out;
    }
    up_smtp_deadline(u, 0, REPLY_BUDGET);
    int rc = mailsmtp_data(s);
    if (rc == MAILSMTP_ERROR_STREAM || up_smtp_net_error(u) != NET_OK) {
        outcome(r, SUBMIT_UNREACHABLE, 0, "The connection to the mail server was lost before "
                "the message was sent. Nothing was sent.");
        polite = false;
        goto out;
    }
    if (rc != MAILSMTP_NO_ERROR) {
        refused(r, s, "DATA");
        goto out;
    }
    /* the message itself: a deadline that grows with its size */
    long long ms = 10000 + (long long)(len / DATA_BYTES_PER_SECOND) * 1000;
    up_smtp_deadline(u, ms > 600000 ? 600000 : (int)ms, 0);
    rc = send_message(s, msg);
    if (rc == MAILSMTP_ERROR_STREAM || up_smtp_net_error(u) != NET_OK) {
        outcome(r, SUBMIT_UNCERTAIN, 0, "The connection to the mail server was lost while the "
                "message was being handed over, so it may or may not have been sent. It was not "
                "sent again; your draft is kept. Check with a recipient before sending it again.");
        polite = false;
        goto out;
    }
    if (rc != MAILSMTP_NO_ERROR) {
        refused(r, s, "message");
        goto out;
    }
    outcome(r, SUBMIT_SENT, s->response_code, "The message was sent.");
out:
    up_smtp_close(u, polite, QUIT_MS);
    r->elapsed_ms = now_ms() - t0;
    return r->outcome == SUBMIT_SENT ? 0 : -1;
}
