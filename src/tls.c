/* tls.c — see tls.h. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <libetpan/libetpan.h>

const char *const net_error_names[NET_E__MAX] = {
    [NET_OK] = "ok",
    [NET_E_RESOLVE] = "resolve",
    [NET_E_CONNECT] = "connect",
    [NET_E_TIMEOUT] = "timeout",
    [NET_E_CLOSED] = "closed",
    [NET_E_IO] = "io",
    [NET_E_BUDGET] = "budget",
    [NET_E_TLS_UNTRUSTED] = "tls-untrusted",
    [NET_E_TLS_NAME] = "tls-name",
    [NET_E_TLS_OTHER] = "tls-other",
    [NET_E_ABORTED] = "aborted",
};

struct tls_client {
    SSL_CTX *ctx;
    BIO_METHOD *bio;        /* our socket BIO: send(MSG_NOSIGNAL) */
};

struct net {
    int fd;                 /* non-blocking; -1 once closed */
    SSL *ssl;               /* NULL while in clear */
    long long deadline;     /* CLOCK_MONOTONIC, ms */
    size_t budget, used;    /* bytes read since net_budget(); 0: no limit */
    enum net_error err;     /* sticky */
    X509 *leaf;             /* the server's certificate, kept for net_peer */
    struct tls_peer peer;
    char detail[160];
};

/* --- time and waiting -------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct net *n, enum net_error e, const char *detail)
{
    if (n->err == NET_OK) {
        n->err = e;
        snprintf(n->detail, sizeof(n->detail), "%s", detail ? detail : "");
    }
    return -1;
}

static int fail_errno(struct net *n, int errnum)
{
    return fail(n, errnum == EPIPE || errnum == ECONNRESET ? NET_E_CLOSED : NET_E_IO,
                strerror(errnum));
}

/* Waits until n's socket is ready for events or the deadline passes.
 * 0 when ready (or in error: the next call finds out), -1 on timeout. */
static int wait_fd(struct net *n, short events)
{
    for (;;) {
        long long left = n->deadline - now_ms();
        if (left <= 0)
            return fail(n, NET_E_TIMEOUT, "deadline passed");
        struct pollfd p = { .fd = n->fd, .events = events };
        int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r > 0)
            return 0;
        if (r == 0)
            return fail(n, NET_E_TIMEOUT, "deadline passed");
        if (errno != EINTR)
            return fail_errno(n, errno);
    }
}

/* --- our socket BIO: OpenSSL's own writes with write(2) and can raise
 * SIGPIPE; this one uses send(MSG_NOSIGNAL). The fd is not owned. ------ */

static int bio_sock_write(BIO *b, const char *buf, int len)
{
    int fd = (int)(intptr_t)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    ssize_t r = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(b);
    return (int)r;
}

static int bio_sock_read(BIO *b, char *buf, int len)
{
    int fd = (int)(intptr_t)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    ssize_t r = recv(fd, buf, (size_t)len, 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(b);
    return (int)r;
}

static long bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b; (void)num; (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_sock_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *bio_sock_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                 "postern socket");
    if (m == NULL)
        return NULL;
    if (!BIO_meth_set_write(m, bio_sock_write) || !BIO_meth_set_read(m, bio_sock_read) ||
        !BIO_meth_set_ctrl(m, bio_sock_ctrl) || !BIO_meth_set_create(m, bio_sock_create)) {
        BIO_meth_free(m);
        return NULL;
    }
    return m;
}

/* --- the client context ------------------------------------------------ */

/* Keeps the leaf the server sent (for net_peer), whatever the verdict. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct net *n = ssl ? SSL_get_app_data(ssl) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(ctx);
    if (n != NULL && leaf != NULL && n->leaf == NULL && X509_up_ref(leaf))
        n->leaf = leaf;
    return ok;
}

static void ssl_reason(char *buf, size_t len, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, len, "%s", r ? r : fallback);
}

struct tls_client *tls_client_new(const char *ca_file, char *err, size_t errlen)
{
    struct tls_client *tc = calloc(1, sizeof(*tc));
    if (tc == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    tc->ctx = SSL_CTX_new(TLS_client_method());
    tc->bio = bio_sock_method();
    if (tc->ctx == NULL || tc->bio == NULL) {
        snprintf(err, errlen, "cannot set up OpenSSL");
        tls_client_free(tc);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(tc->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(tc->ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(tc->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(tc->ctx, SSL_VERIFY_PEER, verify_cb);
    X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(tc->ctx),
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ERR_clear_error();
    int ok = ca_file ? SSL_CTX_load_verify_locations(tc->ctx, ca_file, NULL)
                     : SSL_CTX_set_default_verify_paths(tc->ctx);
    if (ok != 1) {
        char why[128];
        ssl_reason(why, sizeof(why), "unreadable");
        snprintf(err, errlen, "cannot load the trusted CAs from %s: %s",
                 ca_file ? ca_file : "the system store", why);
        tls_client_free(tc);
        return NULL;
    }
    return tc;
}

void tls_client_free(struct tls_client *tc)
{
    if (tc == NULL)
        return;
    SSL_CTX_free(tc->ctx);
    BIO_meth_free(tc->bio);
    free(tc);
}

/* --- connecting -------------------------------------------------------- */

/* Non-blocking connect of one address within slice_ms. 0 and the socket
 * in *fd, or an errno. */
static int connect_one(const struct addrinfo *ai, int slice_ms, int *fd)
{
    int s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   ai->ai_protocol);
    if (s < 0)
        return errno;
    int e = 0;
    if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            e = errno;
        } else {
            struct pollfd p = { .fd = s, .events = POLLOUT };
            long long end = now_ms() + slice_ms;
            int r;
            do {
                long long left = end - now_ms();
                r = left > 0 ? poll(&p, 1, (int)left) : 0;
            } while (r < 0 && errno == EINTR);
            socklen_t len = sizeof(e);
            if (r == 0)
                e = ETIMEDOUT;
            else if (r < 0)
                e = errno;
            else if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
                e = errno;
        }
    }
    if (e != 0) {
        close(s);
        return e;
    }
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *fd = s;
    return 0;
}

/* --- name resolution under the deadline ---------------------------------
 *
 * getaddrinfo() can block for the resolver's own timeouts (5 s x attempts x
 * servers). glibc's getaddrinfo_a() runs it on a helper thread; we wait
 * with gai_suspend() until the deadline. A lookup still running then is
 * abandoned: the job is reference-counted between us and the completion
 * notification, whichever lets go last frees it. */
struct gai_job {
    atomic_int refs;
    struct gaicb cb;
    struct addrinfo hints;
    char host[256];
    char service[16];
};

static void gai_job_unref(struct gai_job *j)
{
    if (atomic_fetch_sub(&j->refs, 1) == 1) {
        if (j->cb.ar_result != NULL)
            freeaddrinfo(j->cb.ar_result);
        free(j);
    }
}

static void gai_job_done(union sigval v)
{
    gai_job_unref(v.sival_ptr);
}

/* getaddrinfo(host, service) within timeout_ms: 0 and *res (caller frees
 * with freeaddrinfo), EAI_AGAIN when the time ran out, or another EAI_*. */
static int resolve_bounded(const char *host, const char *service, const struct addrinfo *hints,
                           long long deadline, struct addrinfo **res)
{
    struct gai_job *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return EAI_MEMORY;
    if (snprintf(j->host, sizeof(j->host), "%s", host) >= (int)sizeof(j->host)) {
        free(j);
        return EAI_NONAME;
    }
    snprintf(j->service, sizeof(j->service), "%s", service);
    j->hints = *hints;
    j->cb.ar_name = j->host;
    j->cb.ar_service = j->service;
    j->cb.ar_request = &j->hints;
    atomic_init(&j->refs, 2);
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD,
                            .sigev_notify_function = gai_job_done,
                            .sigev_value.sival_ptr = j };
    struct gaicb *list[1] = { &j->cb };
    int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
    if (rc != 0) {
        free(j);
        return rc;
    }
    while ((rc = gai_error(&j->cb)) == EAI_INPROGRESS) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000L };
        gai_suspend((const struct gaicb *const *)list, 1, &ts);
    }
    if (rc == EAI_INPROGRESS) {
        if (gai_cancel(&j->cb) == EAI_CANCELED)
            gai_job_unref(j);          /* no notification will come */
        gai_job_unref(j);
        return EAI_AGAIN;
    }
    if (rc == 0) {
        *res = j->cb.ar_result;
        j->cb.ar_result = NULL;
    }
    gai_job_unref(j);
    return rc;
}

struct net *net_connect(const char *host, unsigned port, int timeout_ms,
                        enum net_error *e, char *msg, size_t msglen)
{
    long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    char service[16];
    snprintf(service, sizeof(service), "%u", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int g = resolve_bounded(host, service, &hints, deadline, &res);
    if (g == EAI_AGAIN && now_ms() >= deadline) {
        *e = NET_E_TIMEOUT;
        snprintf(msg, msglen, "the server name %s could not be resolved within %.1f s", host,
                 timeout_ms / 1000.0);
        return NULL;
    }
    if (g != 0) {
        *e = NET_E_RESOLVE;
        snprintf(msg, msglen, "the server name %s could not be resolved (%s)", host,
                 g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        return NULL;
    }
    int left = 0, last = ETIMEDOUT, fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        left++;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next, left--) {
        long long remain = deadline - now_ms();
        if (remain <= 0) {
            last = ETIMEDOUT;
            break;
        }
        last = connect_one(ai, (int)(remain / left), &fd);
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *e = last == ETIMEDOUT ? NET_E_TIMEOUT : NET_E_CONNECT;
        if (last == ETIMEDOUT)
            snprintf(msg, msglen, "no answer from %s port %u within %.1f s", host, port,
                     timeout_ms / 1000.0);
        else
            snprintf(msg, msglen, "could not connect to %s port %u: %s", host, port,
                     strerror(last));
        return NULL;
    }
    struct net *n = calloc(1, sizeof(*n));
    if (n == NULL) {
        close(fd);
        *e = NET_E_IO;
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    n->fd = fd;
    n->deadline = deadline;
    n->peer.verify = X509_V_OK;
    *e = NET_OK;
    return n;
}

/* --- TLS --------------------------------------------------------------- */

static bool is_ip_literal(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static void name_string(const X509_NAME *name, char *out, size_t outlen)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL)
        return;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        int r = BIO_read(b, out, (int)outlen - 1);
        out[r > 0 ? r : 0] = '\0';
    }
    BIO_free(b);
}

/* Fills n->peer from the handshake and the leaf the verifier saw. */
static void record_peer(struct net *n, SSL *ssl, const char *name, bool ip)
{
    struct tls_peer *p = &n->peer;
    p->verify = SSL_get_verify_result(ssl);
    snprintf(p->version, sizeof(p->version), "%s", SSL_get_version(ssl));
    const char *c = SSL_get_cipher_name(ssl);
    snprintf(p->cipher, sizeof(p->cipher), "%s", c && strcmp(c, "(NONE)") ? c : "");
    if (n->leaf == NULL)
        return;
    p->have_cert = true;
    name_string(X509_get_subject_name(n->leaf), p->subject, sizeof(p->subject));
    name_string(X509_get_issuer_name(n->leaf), p->issuer, sizeof(p->issuer));
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notAfter(n->leaf), &tm) == 1)
        strftime(p->not_after, sizeof(p->not_after), "%Y-%m-%d %H:%M:%SZ", &tm);
    p->hostname_ok = ip ? X509_check_ip_asc(n->leaf, name, 0) == 1
                        : X509_check_host(n->leaf, name, 0,
                                          X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}

static SSL *ssl_for(struct net *n, struct tls_client *tc, const char *name, bool ip)
{
    SSL *ssl = SSL_new(tc->ctx);
    BIO *bio = BIO_new(tc->bio);
    if (ssl == NULL || bio == NULL) {
        SSL_free(ssl);
        BIO_free(bio);
        return NULL;
    }
    BIO_set_data(bio, (void *)(intptr_t)n->fd);
    SSL_set_bio(ssl, bio, bio);
    SSL_set_app_data(ssl, n);
    SSL_set_connect_state(ssl);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
                : SSL_set_tlsext_host_name(ssl, name) && SSL_set1_host(ssl, name);
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!ok) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

/* Why the handshake failed, as a kind and a sentence. */
static enum net_error handshake_error(struct net *n, char *msg, size_t msglen)
{
    long v = n->peer.verify;   /* record_peer()'s, or ours if no certificate came */
    if (n->err == NET_E_TIMEOUT) {
        snprintf(msg, msglen, "the TLS handshake did not finish in time");
        return NET_E_TIMEOUT;
    }
    if (v != X509_V_OK) {
        bool name_err = v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH;
        snprintf(msg, msglen, "%s: %s (X509 error %ld)",
                 name_err ? "the server's certificate is not valid for the name checked"
                          : "the server's certificate is not trusted",
                 X509_verify_cert_error_string(v), v);
        return name_err ? NET_E_TLS_NAME : NET_E_TLS_UNTRUSTED;
    }
    char why[sizeof(n->detail)];
    if (n->err != NET_OK)
        snprintf(why, sizeof(why), "%s", n->detail);
    else
        ssl_reason(why, sizeof(why), "the connection was closed");
    snprintf(msg, msglen, "the TLS handshake failed: %s", why);
    return NET_E_TLS_OTHER;
}

enum net_error net_tls(struct net *n, struct tls_client *tc, const char *name,
                       int timeout_ms, char *msg, size_t msglen)
{
    if (n->err != NET_OK || n->ssl != NULL || n->fd < 0) {
        snprintf(msg, msglen, "the connection is not usable for TLS");
        net_abort(n);
        return NET_E_TLS_OTHER;
    }
    bool ip = is_ip_literal(name);
    SSL *ssl = ssl_for(n, tc, name, ip);
    if (ssl == NULL) {
        snprintf(msg, msglen, "cannot set up TLS for %s", name);
        net_abort(n);
        return NET_E_TLS_OTHER;
    }
    net_deadline(n, timeout_ms);
    int r;
    for (;;) {
        ERR_clear_error();
        r = SSL_connect(ssl);
        if (r == 1)
            break;
        int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (wait_fd(n, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT) == 0)
                continue;
        } else if (e == SSL_ERROR_SYSCALL && errno != 0) {
            fail_errno(n, errno);
        }
        break;
    }
    record_peer(n, ssl, name, ip);
    /* belt and braces: a handshake without a verified certificate is no good */
    if (r == 1 && (SSL_get_verify_result(ssl) != X509_V_OK ||
                   SSL_get0_peer_certificate(ssl) == NULL)) {
        r = 0;
        if (n->peer.verify == X509_V_OK)
            n->peer.verify = X509_V_ERR_UNSPECIFIED;
    }
    if (r != 1) {
        enum net_error e = handshake_error(n, msg, msglen);
        SSL_free(ssl);
        n->err = NET_OK;
        fail(n, e, msg);
        return e;
    }
    n->ssl = ssl;
    return NET_OK;
}

/* --- I/O --------------------------------------------------------------- */

static ssize_t plain_io(struct net *n, void *buf, size_t count, bool rd)
{
    for (;;) {
        ssize_t r = rd ? recv(n->fd, buf, count, 0)
                       : send(n->fd, buf, count, MSG_NOSIGNAL);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return fail_errno(n, errno);
        if (wait_fd(n, rd ? POLLIN : POLLOUT) < 0)
            return -1;
    }
}

static ssize_t tls_io(struct net *n, void *buf, size_t count, bool rd)
{
    for (;;) {
        size_t done = 0;
        ERR_clear_error();
        errno = 0;
        int r = rd ? SSL_read_ex(n->ssl, buf, count, &done)
                   : SSL_write_ex(n->ssl, buf, count, &done);
        if (r == 1)
            return (ssize_t)done;
        int e = SSL_get_error(n->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (wait_fd(n, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT) < 0)
                return -1;
            continue;
        }
        if (e == SSL_ERROR_ZERO_RETURN)
            return rd ? 0 : fail(n, NET_E_CLOSED, "the server closed the TLS session");
        if (e == SSL_ERROR_SYSCALL && errno != 0)
            return fail_errno(n, errno);
        unsigned long le = ERR_peek_last_error();
        if (rd && (le == 0 || ERR_GET_REASON(le) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
            return 0;   /* closed without close_notify: end of stream */
        char why[128];
        ssl_reason(why, sizeof(why), "TLS error");
        return fail(n, NET_E_IO, why);
    }
}

/* Refuses at once what can no longer succeed. */
static int io_gate(struct net *n)
{
    if (n->err != NET_OK)
        return -1;
    if (n->fd < 0)
        return fail(n, NET_E_CLOSED, "the connection is closed");
    if (now_ms() >= n->deadline)
        return fail(n, NET_E_TIMEOUT, "deadline passed");
    return 0;
}

static ssize_t drv_read(mailstream_low *s, void *buf, size_t count)
{
    struct net *n = s->data;
    if (io_gate(n) < 0)
        return -1;
    if (n->budget) {
        if (n->used >= n->budget)
            return fail(n, NET_E_BUDGET, "the server sent too much");
        if (count > n->budget - n->used)
            count = n->budget - n->used;
    }
    ssize_t r = n->ssl ? tls_io(n, buf, count, true) : plain_io(n, buf, count, true);
    if (r == 0)   /* end of stream: this read says 0, every later one fails */
        fail(n, NET_E_CLOSED, "the server closed the connection");
    if (r > 0)
        n->used += (size_t)r;
    return r;
}

static ssize_t drv_write(mailstream_low *s, const void *buf, size_t count)
{
    struct net *n = s->data;
    if (io_gate(n) < 0)
        return -1;
    return n->ssl ? tls_io(n, (void *)buf, count, false)
                  : plain_io(n, (void *)buf, count, false);
}

static int drv_close(mailstream_low *s)
{
    struct net *n = s->data;
    if (n->ssl != NULL && n->err == NET_OK && n->fd >= 0)
        SSL_shutdown(n->ssl);          /* one close_notify, no waiting */
    if (n->fd >= 0)
        close(n->fd);
    n->fd = -1;
    return 0;
}

static int drv_get_fd(mailstream_low *s)
{
    return ((struct net *)s->data)->fd;
}

static void drv_free(mailstream_low *s)
{
    free(s);   /* the net itself belongs to the caller */
}

static void drv_cancel(mailstream_low *s)
{
    (void)s;
}

static struct mailstream_cancel *drv_get_cancel(mailstream_low *s)
{
    (void)s;
    return NULL;
}

static carray *drv_chain(mailstream_low *s)
{
    (void)s;
    return NULL;
}

static int drv_no_idle(mailstream_low *s)
{
    (void)s;
    return -1;   /* IDLE waits are the caller's poll(), not select() */
}

static mailstream_low_driver net_driver = {
    .mailstream_read = drv_read,
    .mailstream_write = drv_write,
    .mailstream_close = drv_close,
    .mailstream_get_fd = drv_get_fd,
    .mailstream_free = drv_free,
    .mailstream_cancel = drv_cancel,
    .mailstream_get_cancel = drv_get_cancel,
    .mailstream_get_certificate_chain = drv_chain,
    .mailstream_setup_idle = drv_no_idle,
    .mailstream_unsetup_idle = drv_no_idle,
    .mailstream_interrupt_idle = drv_no_idle,
};

mailstream *net_stream(struct net *n, size_t bufsize)
{
    mailstream_low *low = mailstream_low_new(n, &net_driver);
    if (low == NULL)
        return NULL;
    mailstream *s = mailstream_new(low, bufsize);
    if (s == NULL)
        mailstream_low_free(low);
    return s;
}

/* --- the rest ---------------------------------------------------------- */

void net_deadline(struct net *n, int timeout_ms)
{
    n->deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
}

void net_budget(struct net *n, size_t bytes)
{
    n->budget = bytes;
    n->used = 0;
}

void net_abort(struct net *n)
{
    fail(n, NET_E_ABORTED, "abandoned");
}

enum net_error net_error(const struct net *n)
{
    return n->err;
}

const char *net_detail(const struct net *n)
{
    return n->detail;
}

bool net_pending(const struct net *n)
{
    return n->ssl != NULL && SSL_pending(n->ssl) > 0;
}

const struct tls_peer *net_peer(const struct net *n)
{
    return &n->peer;
}

bool net_is_tls(const struct net *n)
{
    return n->ssl != NULL;
}

int net_fd(const struct net *n)
{
    return n->fd;
}

void net_free(struct net *n)
{
    if (n == NULL)
        return;
    if (n->fd >= 0)
        close(n->fd);
    SSL_free(n->ssl);
    X509_free(n->leaf);
    free(n);
}
