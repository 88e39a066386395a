/* benchlib.h — what make bench's C clients share: loopback connections,
 * a bare HTTP/1.1 exchange, a bare verified IMAPS session, timing and
 * percentiles. Header-only (static functions); benchmarks only. */
#ifndef POSTERN_BENCHLIB_H
#define POSTERN_BENCHLIB_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static inline double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int connect_local(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("connect");
        exit(1);
    }
    return fd;
}

/* x-www-form-urlencoded value (unreserved bytes kept) */
static inline void form_encode(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_')
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
    }
    out[n] = '\0';
}

/* One HTTP request on a fresh connection (Connection: close); the whole
 * response in resp (cap bytes, NUL-terminated, cut if longer). Returns the
 * status. */
static inline int http_exchange(int port, const char *req, size_t reqlen, char *resp, size_t cap)
{
    int fd = connect_local(port);
    if (write(fd, req, reqlen) != (ssize_t)reqlen) {
        perror("write");
        exit(1);
    }
    size_t got = 0;
    ssize_t n;
    char sink[16384];
    while ((n = read(fd, got + 1 < cap ? resp + got : sink,
                     got + 1 < cap ? cap - 1 - got : sizeof(sink))) > 0)
        if (got + 1 < cap)
            got += (size_t)n;
    resp[got] = '\0';
    close(fd);
    int status = 0;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    return status;
}

/* POST /login; the session cookie ("postern=...") into cookie. Status. */
static inline int http_signin(int port, const char *user, const char *password, char *cookie, size_t cap)
{
    char u[512], p[512], body[1200], req[2048], resp[8192];
    form_encode(u, sizeof(u), user);
    form_encode(p, sizeof(p), password);
    int blen = snprintf(body, sizeof(body), "user=%s&password=%s", u, p);
    int rlen = snprintf(req, sizeof(req),
                        "POST /login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                        "Connection: close\r\n\r\n%s",
                        port, port, blen, body);
    int status = http_exchange(port, req, (size_t)rlen, resp, sizeof(resp));
    if (cookie != NULL) {
        cookie[0] = '\0';
        const char *c = strstr(resp, "Set-Cookie: postern=");
        if (c != NULL)
            snprintf(cookie, cap, "%.*s", (int)strcspn(c + 12, ";\r\n"), c + 12);
    }
    return status;
}

/* GET path with the cookie; status. */
static inline int http_get(int port, const char *path, const char *cookie, char *resp, size_t cap)
{
    char req[4096];
    int rlen = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n"
                        "Connection: close\r\n\r\n", path, port, cookie);
    return http_exchange(port, req, (size_t)rlen, resp, cap);
}

/* Reads IMAP lines until one starts with tag ("*" for the greeting);
 * 0 if it says OK (or is the greeting). Literals are skipped as data. */
static inline int imap_wait(SSL *ssl, const char *tag)
{
    static char buf[1 << 16];
    size_t len = 0;
    for (;;) {
        int n = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len));
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *line = buf, *nl;
        while ((nl = strstr(line, "\r\n")) != NULL) {
            if (strncmp(line, tag, strlen(tag)) == 0 && line[strlen(tag)] == ' ')
                return strncmp(line + strlen(tag), " OK", 3) == 0 || strcmp(tag, "*") == 0 ? 0 : -1;
            line = nl + 2;
        }
        memmove(buf, line, len - (size_t)(line - buf));
        len -= (size_t)(line - buf);
        if (len >= sizeof(buf) - 1)
            len = 0;
    }
}

/* Sends "tag cmd\r\n" and waits for the tagged OK. */
static inline int imap_cmd(SSL *ssl, const char *tag, const char *cmd)
{
    char line[2048];
    int n = snprintf(line, sizeof(line), "%s %s\r\n", tag, cmd);
    if (SSL_write(ssl, line, n) != n)
        return -1;
    return imap_wait(ssl, tag);
}

static SSL_CTX *tls_ctx(const char *ca_file)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        fprintf(stderr, "cannot load %s\n", ca_file);
        exit(1);
    }
    return ctx;
}

/* TCP + verified TLS; the SSL (fd inside), or NULL. */
static inline SSL *tls_open(SSL_CTX *ctx, int port, const char *name)
{
    int fd = connect_local(port);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, name);
    SSL_set1_host(ssl, name);
    if (SSL_connect(ssl) == 1 && SSL_get_verify_result(ssl) == X509_V_OK)
        return ssl;
    SSL_free(ssl);
    close(fd);
    return NULL;
}

/* tls_open + the IMAP greeting. */
static inline SSL *imaps_open(SSL_CTX *ctx, int port, const char *name)
{
    SSL *ssl = tls_open(ctx, port, name);
    if (ssl != NULL && imap_wait(ssl, "*") != 0) {
        int fd = SSL_get_fd(ssl);
        SSL_free(ssl);
        close(fd);
        return NULL;
    }
    return ssl;
}

/* The start the mailbox and compose benchmarks share: user signs in
 * through postern (the session cookie into cookie) and a bare client
 * logs in over IMAPS for the floor. The floor's connection, or NULL after
 * saying what failed on stderr. */
static inline SSL *bench_sign_in(int http, SSL_CTX *ctx, int imaps, const char *name, const char *user,
                                 const char *pass, char *cookie, size_t cap)
{
    if (http_signin(http, user, pass, cookie, cap) != 303 || cookie[0] == '\0') {
        fprintf(stderr, "sign-in failed\n");
        return NULL;
    }
    SSL *ssl = imaps_open(ctx, imaps, name);
    char login[600];
    snprintf(login, sizeof(login), "LOGIN \"%s\" \"%s\"", user, pass);
    if (ssl == NULL || imap_cmd(ssl, "l", login) < 0) {
        fprintf(stderr, "floor IMAP login failed\n");
        return NULL;
    }
    return ssl;
}

static inline void imaps_close(SSL *ssl)
{
    int fd = SSL_get_fd(ssl);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile (0..1) of v[0..n) (sorts v). */
static inline double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

#endif
