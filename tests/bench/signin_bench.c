/* signin_bench.c — make bench: sign-in through postern vs the floor.
 *
 *   signin_bench HTTP_PORT IMAPS_PORT CA_FILE TLS_NAME USER PASSWORD [N]
 *
 * Interleaves N rounds of
 *   sign-in  POST /login to nginx on 127.0.0.1:HTTP_PORT (postern opens TCP,
 *            verified TLS, LOGIN, LOGOUT on the backend, then makes a
 *            session) until the whole response is read;
 *   floor    what any client must do for the same answer: TCP connect to
 *            127.0.0.1:IMAPS_PORT, TLS handshake verifying the chain and
 *            TLS_NAME, greeting, LOGIN, LOGOUT, with OpenSSL and no library
 *            in between;
 * and prints the medians and their ratio as
 *   signin_ms median=M p90=P   floor_ms median=M p90=P   ratio=R
 */
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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int connect_local(int port)
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
static void form_encode(char *out, size_t cap, const char *s)
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

/* One POST /login; returns the HTTP status. */
static int signin(int port, const char *user, const char *password)
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
    int fd = connect_local(port);
    if (write(fd, req, (size_t)rlen) != rlen) {
        perror("write");
        exit(1);
    }
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0 && got < sizeof(resp) - 1)
        got += (size_t)n;
    resp[got] = '\0';
    close(fd);
    int status = 0;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    return status;
}

/* Reads until a line starting with tag (or "* OK" for the greeting). */
static int imap_wait(SSL *ssl, const char *tag)
{
    char buf[4096];
    size_t len = 0;
    for (;;) {
        int n = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len));
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *line = buf, *nl;
        while ((nl = strstr(line, "\r\n")) != NULL) {
            if (strncmp(line, tag, strlen(tag)) == 0)
                return strncmp(line + strlen(tag), " OK", 3) == 0 || strcmp(tag, "*") == 0 ? 0 : -1;
            line = nl + 2;
        }
        memmove(buf, line, len - (size_t)(line - buf));
        len -= (size_t)(line - buf);
        if (len >= sizeof(buf) - 1)
            len = 0;
    }
}

static int floor_login(SSL_CTX *ctx, int port, const char *name, const char *user,
                       const char *password)
{
    int fd = connect_local(port);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, name);
    SSL_set1_host(ssl, name);
    int rc = -1;
    if (SSL_connect(ssl) == 1 && SSL_get_verify_result(ssl) == X509_V_OK &&
        imap_wait(ssl, "*") == 0) {
        char cmd[1200];
        int n = snprintf(cmd, sizeof(cmd), "a LOGIN \"%s\" \"%s\"\r\n", user, password);
        if (SSL_write(ssl, cmd, n) == n && imap_wait(ssl, "a") == 0 &&
            SSL_write(ssl, "b LOGOUT\r\n", 10) == 10 && imap_wait(ssl, "b") == 0)
            rc = 0;
    }
    SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s HTTP_PORT IMAPS_PORT CA_FILE TLS_NAME USER PASSWORD [N]\n", argv[0]);
        return 2;
    }
    int http_port = atoi(argv[1]), imaps_port = atoi(argv[2]);
    int rounds = argc > 7 ? atoi(argv[7]) : 30;
    if (rounds < 1 || rounds > 10000)
        rounds = 30;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1) {
        fprintf(stderr, "cannot load %s\n", argv[3]);
        return 1;
    }
    double *s = calloc((size_t)rounds, sizeof(double)), *f = calloc((size_t)rounds, sizeof(double));
    /* warm both paths once */
    if (signin(http_port, argv[5], argv[6]) != 303 ||
        floor_login(ctx, imaps_port, argv[4], argv[5], argv[6]) != 0) {
        fprintf(stderr, "warm-up sign-in or floor login failed\n");
        return 1;
    }
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        int st = signin(http_port, argv[5], argv[6]);
        double t1 = now_ms();
        int fl = floor_login(ctx, imaps_port, argv[4], argv[5], argv[6]);
        double t2 = now_ms();
        if (st != 303 || fl != 0) {
            fprintf(stderr, "round %d: sign-in status %d, floor %d\n", i, st, fl);
            return 1;
        }
        s[i] = t1 - t0;
        f[i] = t2 - t1;
    }
    double sm = pct(s, rounds, 0.5), s90 = pct(s, rounds, 0.9);
    double fm = pct(f, rounds, 0.5), f90 = pct(f, rounds, 0.9);
    printf("signin_ms median=%.2f p90=%.2f   floor_ms median=%.2f p90=%.2f   ratio=%.2f   rounds=%d\n",
           sm, s90, fm, f90, sm / fm, rounds);
    free(s);
    free(f);
    SSL_CTX_free(ctx);
    return 0;
}
