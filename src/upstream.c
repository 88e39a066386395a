/* upstream.c — see upstream.h; the session runner and the shared helpers.
 * The protocol steps are in upstream_imap.c, upstream_pop3.c and
 * upstream_smtp.c (upstream_private.h says how they fit).
 */
#include "upstream_private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define DEFAULT_TIMEOUT_MS 10000
#define STEP_BUDGET        (256 * 1024)   /* bytes one step may read */
#define STREAM_BUFFER      8192
#define LOGOUT_MS          2000           /* a slow goodbye is not waited out */

const char *const up_error_names[UP_E__MAX] = {
    [UP_OK] = "ok",
    [UP_E_RESOLVE] = "resolve",
    [UP_E_CONNECT] = "connect",
    [UP_E_TIMEOUT] = "timeout",
    [UP_E_TLS_UNTRUSTED] = "tls-untrusted",
    [UP_E_TLS_NAME] = "tls-name",
    [UP_E_TLS_OTHER] = "tls-other",
    [UP_E_STARTTLS] = "starttls",
    [UP_E_PROTOCOL] = "protocol",
    [UP_E_AUTH] = "auth",
    [UP_E_DISABLED] = "disabled",
    [UP_E_INPUT] = "input",
    [UP_E_PLAINTEXT_REFUSED] = "plaintext-refused",
};

/* --- small helpers ----------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Records the first failure of the session: its kind and a sentence. */
int up_fail(struct sess *s, enum up_error e, const char *fmt, ...)
{
    if (s->r->error != UP_OK)
        return -1;
    s->r->error = e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->r->message, sizeof(s->r->message), fmt, ap);
    va_end(ap);
    s->r->message[0] = (char)toupper((unsigned char)s->r->message[0]);
    return -1;
}

/* A server's words, safe to show: printable ASCII, at most 200 bytes. */
const char *up_server_text(char *buf, size_t len, const char *src)
{
    size_t i = 0;
    for (; src && *src && i + 1 < len && i < 200; src++)
        buf[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : ' ';
    while (i > 0 && buf[i - 1] == ' ')
        i--;
    buf[i] = '\0';
    if (i == 0)
        snprintf(buf, len, "no reason given");
    return buf;
}

/* After a libetpan failure: the transport says why, if it knows. */
int up_stream_fail(struct sess *s, const char *otherwise)
{
    switch (net_error(s->net)) {
    case NET_E_TIMEOUT:
        return up_fail(s, UP_E_TIMEOUT, "the server did not answer within %.1f s (%s)",
                       s->timeout / 1000.0, s->step);
    case NET_E_CLOSED:
        return up_fail(s, UP_E_PROTOCOL, "the server closed the connection (%s)", s->step);
    case NET_E_BUDGET:
        return up_fail(s, UP_E_PROTOCOL, "the server sent far too much data (%s)", s->step);
    case NET_E_IO:
        return up_fail(s, UP_E_PROTOCOL, "the connection failed (%s): %s", s->step,
                       net_detail(s->net));
    default:
        return up_fail(s, UP_E_PROTOCOL, "%s (%s)", otherwise, s->step);
    }
}

static void begin(struct sess *s, const char *step)
{
    s->step = step;
    net_deadline(s->net, s->timeout);
    net_budget(s->net, STEP_BUDGET);
}

/* Capabilities for the report: "NAME" or "NAME=param", no duplicates. */
void up_caps_add(struct up_report *r, const char *name, const char *param)
{
    char tok[128];
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof(tok); p++)
        tok[n++] = (*p > 0x20 && *p < 0x7f) ? *p : '_';
    if (param) {
        if (n + 1 < sizeof(tok))
            tok[n++] = '=';
        for (const char *p = param; *p && n + 1 < sizeof(tok); p++)
            tok[n++] = (*p > 0x20 && *p < 0x7f) ? *p : '_';
    }
    tok[n] = '\0';
    size_t have = strlen(r->capabilities);
    for (const char *p = r->capabilities; (p = strstr(p, tok)) != NULL; p += n)
        if ((p == r->capabilities || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return;
    if (have + (have > 0) + n + 1 > sizeof(r->capabilities))
        return;
    snprintf(r->capabilities + have, sizeof(r->capabilities) - have, "%s%s",
             have ? " " : "", tok);
}

/* "\0user\0pass" or one string, in base64; the caller cleanses out. */
void up_base64(const char *a, const char *b, char *out, size_t outlen)
{
    unsigned char raw[UP_USER_MAX + UP_PASSWORD_MAX + 4];
    size_t n = 0;
    if (b) {
        raw[n++] = '\0';
        memcpy(raw + n, a, strlen(a));
        n += strlen(a);
        raw[n++] = '\0';
        memcpy(raw + n, b, strlen(b));
        n += strlen(b);
    } else {
        memcpy(raw, a, strlen(a));
        n = strlen(a);
    }
    if (4 * ((n + 2) / 3) + 1 <= outlen)
        EVP_EncodeBlock((unsigned char *)out, raw, (int)n);
    else
        out[0] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
}

int up_put(struct sess *s, const char *str, size_t len)
{
    return mailstream_write(s->stream, str, len) == (ssize_t)len ? 0 : -1;
}

int up_puts_flush(struct sess *s, const char *str)
{
    if (up_put(s, str, strlen(str)) < 0 || mailstream_flush(s->stream) < 0)
        return up_stream_fail(s, "cannot send");
    return 0;
}

static const struct proto_ops *const proto_ops[PROTO__MAX] = {
    [PROTO_IMAP] = &up_imap_ops,
    [PROTO_POP3] = &up_pop3_ops,
    [PROTO_SMTP] = &up_smtp_ops,
};

/* --- the session ------------------------------------------------------- */

int up_screen(const char *s, size_t len, size_t max, enum up_error *e)
{
    if (len > max || memchr(s, '\r', len) || memchr(s, '\n', len) || memchr(s, '\0', len)) {
        if (e)
            *e = UP_E_INPUT;
        return -1;
    }
    return 0;
}

static enum up_error from_net(enum net_error e)
{
    switch (e) {
    case NET_E_RESOLVE: return UP_E_RESOLVE;
    case NET_E_CONNECT: return UP_E_CONNECT;
    case NET_E_TIMEOUT: return UP_E_TIMEOUT;
    case NET_E_TLS_UNTRUSTED: return UP_E_TLS_UNTRUSTED;
    case NET_E_TLS_NAME: return UP_E_TLS_NAME;
    case NET_E_TLS_OTHER: return UP_E_TLS_OTHER;
    default: return UP_E_PROTOCOL;
    }
}

static int do_tls(struct sess *s)
{
    char msg[300];
    long long t0 = now_ms();
    s->step = "the TLS handshake";
    enum net_error e = net_tls(s->net, s->tc, s->name, s->timeout, msg, sizeof(msg));
    const struct tls_peer *p = net_peer(s->net);
    struct up_report *r = s->r;
    r->tls_ms = now_ms() - t0;
    snprintf(r->tls_version, sizeof(r->tls_version), "%s", p->version);
    snprintf(r->cipher, sizeof(r->cipher), "%s", p->cipher);
    snprintf(r->cert_subject, sizeof(r->cert_subject), "%s", p->subject);
    snprintf(r->cert_issuer, sizeof(r->cert_issuer), "%s", p->issuer);
    snprintf(r->cert_not_after, sizeof(r->cert_not_after), "%s", p->not_after);
    r->cert_verify = p->verify;
    r->hostname_ok = p->hostname_ok;
    if (e == NET_E_TLS_NAME)
        return up_fail(s, UP_E_TLS_NAME, "%s; the certificate names %s, not %s", msg,
                       p->subject[0] ? p->subject : "another host", s->name);
    if (e == NET_E_TLS_UNTRUSTED && p->have_cert)
        return up_fail(s, UP_E_TLS_UNTRUSTED, "%s; certificate %s, issued by %s, valid until %s",
                       msg, p->subject, p->issuer, p->not_after);
    if (e != NET_OK)
        return up_fail(s, from_net(e), "%s", msg);
    r->tls = true;
    return 0;
}

static int connect_step(struct sess *s)
{
    char msg[300];
    enum net_error e;
    long long t0 = now_ms();
    s->step = "connecting";
    s->net = net_connect(s->t->host, s->t->port, s->timeout, &e, msg, sizeof(msg));
    s->r->connect_ms = now_ms() - t0;
    if (s->net == NULL)
        return up_fail(s, from_net(e), "%s", msg);
    return 0;
}

/* STARTTLS, fail-closed: offered, accepted, nothing buffered behind the
 * answer (CVE-2020-15953 style injection), then TLS, then capabilities
 * afresh (what was said in clear is forgotten). */
static int starttls_step(struct sess *s, const struct proto_ops *ops)
{
    if (!s->starttls)
        return up_fail(s, UP_E_STARTTLS, "the server does not offer %s, so the connection "
                       "cannot be encrypted; postern will not log in in clear",
                       ops->starttls_word);
    begin(s, "STARTTLS");
    if (ops->starttls(s) < 0 && s->r->error != UP_E_STARTTLS)
        return -1;
    if (s->stream->read_buffer_len != 0) {
        s->r->error = UP_OK;
        return up_fail(s, UP_E_STARTTLS, "the server sent data right after agreeing to %s "
                       "(an injection attempt or a broken server); connection dropped",
                       ops->starttls_word);
    }
    if (s->r->error != UP_OK)
        return -1;
    if (do_tls(s) < 0)
        return -1;
    s->starttls = s->login_disabled = s->literal_plus = false;
    s->auth_plain = s->auth_login = s->pop_user = false;
    s->r->capabilities[0] = '\0';
    begin(s, "the capabilities after STARTTLS");
    return ops->caps(s, true);
}

/* Runs the steps, up to and including the login when asked. The protocol
 * session and the net stay in s for finish() (or up_imap_open()). */
static int run(struct sess *s, bool login)
{
    const struct proto_ops *ops = proto_ops[s->t->proto];
    if (connect_step(s) < 0)
        return -1;
    if (s->t->tls == TLS_IMPLICIT && do_tls(s) < 0)
        return -1;
    if (ops->create(s) < 0)
        return -1;
    s->stream = net_stream(s->net, STREAM_BUFFER);
    if (s->stream == NULL)
        return up_fail(s, UP_E_PROTOCOL, "out of memory");
    begin(s, "the greeting");
    if (ops->greet(s) < 0)
        return -1;
    begin(s, "the capabilities");
    if (ops->caps(s, false) < 0)
        return -1;
    if (s->t->tls == TLS_STARTTLS && starttls_step(s, ops) < 0)
        return -1;
    if (!login)
        return 0;
    if (!net_is_tls(s->net) && !(s->t->tls == TLS_NONE && s->t->allow_plaintext))
        return up_fail(s, UP_E_PLAINTEXT_REFUSED, "refusing to log in without TLS");
    long long t0 = now_ms();
    begin(s, "the login");
    int rc = ops->login(s);
    s->r->login_ms = now_ms() - t0;
    if (rc < 0)
        return -1;
    s->r->authenticated = true;
    return 0;
}

/* Screens the target and the credentials; copies the credentials. */
static int prepare(struct sess *s, struct tls_client *tc, const struct up_target *t,
                   const struct up_cred *cred, struct up_report *r)
{
    memset(r, 0, sizeof(*r));
    s->t = t;
    s->r = r;
    s->tc = tc;
    s->name = t->tls_name ? t->tls_name : t->host;
    s->timeout = t->timeout_ms > 0 ? t->timeout_ms : DEFAULT_TIMEOUT_MS;
    if ((unsigned)t->proto >= PROTO__MAX || (unsigned)t->tls >= TLS__MAX || t->host == NULL)
        return up_fail(s, UP_E_INPUT, "the server settings are incomplete");
    if (cred) {
        if (cred->user == NULL || up_screen(cred->user, cred->user_len, UP_USER_MAX, NULL) < 0)
            return up_fail(s, UP_E_INPUT, "the user name is too long or holds a line break or "
                           "NUL character; nothing was sent");
        if (cred->password == NULL ||
            up_screen(cred->password, cred->password_len, UP_PASSWORD_MAX, NULL) < 0)
            return up_fail(s, UP_E_INPUT, "the password is too long or holds a line break or "
                           "NUL character; nothing was sent");
        memcpy(s->user, cred->user, cred->user_len);
        memcpy(s->pass, cred->password, cred->password_len);
    }
    if (t->tls == TLS_NONE && !t->allow_plaintext)
        return up_fail(s, UP_E_PLAINTEXT_REFUSED, "this server is set up without encryption, "
                       "and the configuration does not allow plaintext connections");
    if (t->tls != TLS_NONE && tc == NULL)
        return up_fail(s, UP_E_TLS_OTHER, "no TLS client context");
    return 0;
}

/* Ends the session: politely if it is healthy, else by dropping it (no
 * LOGOUT or QUIT can then wait or leak anything). */
static void finish(struct sess *s, bool polite)
{
    OPENSSL_cleanse(s->pass, sizeof(s->pass));
    if (s->t == NULL || (unsigned)s->t->proto >= PROTO__MAX)
        return;
    const struct proto_ops *ops = proto_ops[s->t->proto];
    if (s->net && polite && s->r->error == UP_OK && net_error(s->net) == NET_OK) {
        begin(s, "the logout");
        net_deadline(s->net, s->timeout < LOGOUT_MS ? s->timeout : LOGOUT_MS);
        ops->logout(s);   /* its failure changes nothing in the report */
    }
    if (s->net)
        net_abort(s->net);
    ops->destroy(s);
    net_free(s->net);
    s->net = NULL;
}

int up_check(struct tls_client *tc, const struct up_target *t,
             const struct up_cred *cred, struct up_report *r)
{
    struct sess s = { 0 };
    long long t0 = now_ms();
    if (prepare(&s, tc, t, cred, r) == 0)
        run(&s, cred != NULL);
    finish(&s, true);
    r->total_ms = now_ms() - t0;
    return r->error == UP_OK ? 0 : -1;
}

/* --- a POP3 session for one request ------------------------------------- */

struct up_pop3 {
    mailpop3 *pop;
    struct net *net;
    int timeout_ms;
};

struct up_pop3 *up_pop3_open(struct tls_client *tc, const struct up_target *t,
                             const struct up_cred *cred, struct up_report *r)
{
    struct sess s = { 0 };
    struct up_target ti = *t;
    ti.proto = PROTO_POP3;
    long long t0 = now_ms();
    struct up_pop3 *u = NULL;
    if (prepare(&s, tc, &ti, cred, r) == 0 && run(&s, cred != NULL) == 0) {
        u = calloc(1, sizeof(*u));
        if (u == NULL) {
            up_fail(&s, UP_E_PROTOCOL, "out of memory");
        } else {
            u->pop = s.pop;
            u->net = s.net;
            u->timeout_ms = s.timeout;
            s.pop = NULL;
            s.net = NULL;
            net_budget(u->net, 0);
        }
    }
    finish(&s, false);
    r->total_ms = now_ms() - t0;
    return u;
}

struct _mailstream *up_pop3_stream(struct up_pop3 *u)
{
    return u->pop->pop3_stream;
}

void up_pop3_deadline(struct up_pop3 *u, int timeout_ms, size_t budget)
{
    net_deadline(u->net, timeout_ms > 0 ? timeout_ms : u->timeout_ms);
    net_budget(u->net, budget);
}

/* Frees u; the stream is made dead first, so libetpan's own QUIT in
 * mailpop3_free() never reaches the server. */
static void pop3_free(struct up_pop3 *u)
{
    net_abort(u->net);
    mailpop3_free(u->pop);
    net_free(u->net);
    free(u);
}

int up_pop3_quit(struct up_pop3 *u, int timeout_ms)
{
    int ok = -1;
    mailstream *st = u->pop->pop3_stream;
    if (st != NULL && net_error(u->net) == NET_OK) {
        up_pop3_deadline(u, timeout_ms, 4096);
        MMAPString *line = mmap_string_new("");
        if (mailstream_write(st, "QUIT\r\n", 6) == 6 && mailstream_flush(st) == 0 &&
            mailstream_read_line_remove_eol(st, line) != NULL && strncmp(line->str, "+OK", 3) == 0)
            ok = 0;
        mmap_string_free(line);
    }
    pop3_free(u);
    return ok;
}

void up_pop3_abandon(struct up_pop3 *u)
{
    if (u != NULL)
        pop3_free(u);
}

/* --- a kept IMAP session ------------------------------------------------- */

struct up_imap {
    mailimap *imap;
    struct net *net;
    int timeout_ms;     /* the target's per-step deadline */
    uint32_t *exists;   /* kept current by imapw_run; NULL: nobody cares */
};

struct up_imap *up_imap_open(struct tls_client *tc, const struct up_target *t,
                             const struct up_cred *cred, struct up_report *r)
{
    struct sess s = { 0 };
    struct up_target ti = *t;
    ti.proto = PROTO_IMAP;
    long long t0 = now_ms();
    struct up_imap *u = NULL;
    if (prepare(&s, tc, &ti, cred, r) == 0 && run(&s, cred != NULL) == 0) {
        u = calloc(1, sizeof(*u));
        if (u == NULL) {
            up_fail(&s, UP_E_PROTOCOL, "out of memory");
        } else {
            u->imap = s.imap;
            u->net = s.net;
            u->timeout_ms = s.timeout;
            s.imap = NULL;
            s.net = NULL;
            net_budget(u->net, 0);
        }
    }
    finish(&s, false);
    r->total_ms = now_ms() - t0;
    return u;
}

struct mailimap *up_imap_session(struct up_imap *u)
{
    return u->imap;
}

void up_imap_deadline(struct up_imap *u, int timeout_ms, size_t budget)
{
    net_deadline(u->net, timeout_ms > 0 ? timeout_ms : u->timeout_ms);
    net_budget(u->net, budget);
}

enum net_error up_imap_net_error(const struct up_imap *u)
{
    return net_error(u->net);
}

bool up_imap_pending(const struct up_imap *u)
{
    mailstream *st = u->imap->imap_stream;
    return (st != NULL && st->read_buffer_len > 0) || net_pending(u->net);
}

void up_imap_watch_exists(struct up_imap *u, uint32_t *exists)
{
    u->exists = exists;
}

uint32_t *up_imap_exists_watch(const struct up_imap *u)
{
    return u->exists;
}

int up_imap_fd(const struct up_imap *u)
{
    return net_fd(u->net);
}

void up_imap_close(struct up_imap *u, int timeout_ms)
{
    if (u == NULL)
        return;
    if (net_error(u->net) == NET_OK) {
        net_deadline(u->net, timeout_ms);
        mailimap_logout(u->imap);
    }
    net_abort(u->net);
    mailimap_free(u->imap);
    net_free(u->net);
    free(u);
}


/* --- a kept SMTP submission session ----------------------------------- */

struct up_smtp {
    mailsmtp *smtp;
    struct net *net;
    int timeout_ms;
};

struct up_smtp *up_smtp_open(struct tls_client *tc, const struct up_target *t,
                             const struct up_cred *cred, struct up_report *r)
{
    struct sess s = { 0 };
    struct up_target ts = *t;
    ts.proto = PROTO_SMTP;
    long long t0 = now_ms();
    struct up_smtp *u = NULL;
    if (prepare(&s, tc, &ts, cred, r) == 0 && run(&s, cred != NULL) == 0) {
        u = calloc(1, sizeof(*u));
        if (u == NULL) {
            up_fail(&s, UP_E_PROTOCOL, "out of memory");
        } else {
            u->smtp = s.smtp;
            u->net = s.net;
            u->timeout_ms = s.timeout;
            s.smtp = NULL;
            s.net = NULL;
            net_budget(u->net, 0);
        }
    }
    finish(&s, false);
    r->total_ms = now_ms() - t0;
    return u;
}

struct mailsmtp *up_smtp_session(struct up_smtp *u)
{
    return u->smtp;
}

void up_smtp_deadline(struct up_smtp *u, int timeout_ms, size_t budget)
{
    net_deadline(u->net, timeout_ms > 0 ? timeout_ms : u->timeout_ms);
    net_budget(u->net, budget);
}

enum net_error up_smtp_net_error(const struct up_smtp *u)
{
    return net_error(u->net);
}

void up_smtp_close(struct up_smtp *u, bool polite, int timeout_ms)
{
    if (u == NULL)
        return;
    if (polite && net_error(u->net) == NET_OK) {
        net_deadline(u->net, timeout_ms);
        mailsmtp_quit(u->smtp);
    }
    net_abort(u->net);
    mailsmtp_free(u->smtp);
    net_free(u->net);
    free(u);
}
