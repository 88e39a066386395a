/* compose_bench.c — make bench: sending a message through postern vs a
 * minimal client doing the same submission and APPEND.
 *
 *   compose_bench HTTP_PORT SUBMISSIONS_PORT IMAPS_PORT CA_FILE TLS_NAME USER PASSWORD TO BYTES [-n N]
 *     N interleaved rounds of
 *       postern  POST /mail/compose (multipart: the fields and one file of
 *                BYTES random bytes, op=send) through nginx, timed from the
 *                first byte sent to the whole "sent and saved" page
 *                (the form's GET, for its tokens, is not timed);
 *       floor    TCP + verified TLS to the submission port, EHLO, AUTH
 *                PLAIN, MAIL, RCPT, DATA, the same-sized MIME message
 *                (built beforehand), QUIT; then APPEND of it to Sent
 *                (LITERAL+) over an IMAPS connection opened beforehand.
 *     Prints "send BYTES median=.. p90=.. floor_median=.. ratio=..".
 */
#include "benchlib.h"

#define RESP_CAP (1 << 20)

static char resp[RESP_CAP];

static void fill_random(unsigned char *p, size_t n)
{
    unsigned x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 in 76-character CRLF lines into out; returns the length. */
static size_t base64_lines(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t off = 0; off < n; off += 57) {
        size_t k = n - off > 57 ? 57 : n - off;
        for (size_t i = 0; i < k; i += 3) {
            unsigned v = (unsigned)in[off + i] << 16;
            if (i + 1 < k)
                v |= (unsigned)in[off + i + 1] << 8;
            if (i + 2 < k)
                v |= in[off + i + 2];
            out[o++] = b64[(v >> 18) & 63];
            out[o++] = b64[(v >> 12) & 63];
            out[o++] = i + 1 < k ? b64[(v >> 6) & 63] : '=';
            out[o++] = i + 2 < k ? b64[v & 63] : '=';
        }
        out[o++] = '\r';
        out[o++] = '\n';
    }
    return o;
}

/* The floor's message: headers, a text part, the file base64. */
static char *floor_message(const char *from, const char *to, const unsigned char *file, size_t n,
                           size_t *len)
{
    char *m = malloc(n * 2 + 4096);
    int h = sprintf(m, "From: %s\r\nTo: %s\r\nSubject: bench\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
                       "Message-ID: <bench.%ld@bench.example.test>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n\r\nbench\r\n\r\n--b\r\n"
                       "Content-Type: application/octet-stream; name=\"f.bin\"\r\n"
                       "Content-Disposition: attachment; filename=\"f.bin\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n",
                    from, to, (long)time(NULL));
    size_t o = (size_t)h + base64_lines(file, n, m + h);
    o += (size_t)sprintf(m + o, "\r\n--b--\r\n");
    *len = o;
    return m;
}

/* One SMTP reply (multi-line); its code, or -1. */
static int smtp_reply(SSL *ssl)
{
    static char buf[8192];
    size_t len = 0;
    for (;;) {
        int k = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len));
        if (k <= 0)
            return -1;
        len += (size_t)k;
        buf[len] = '\0';
        /* the last complete line decides */
        char *end = strstr(buf, "\r\n");
        char *line = buf;
        while (end != NULL) {
            if (end - line >= 4 && line[3] == ' ')
                return atoi(line);
            line = end + 2;
            end = strstr(line, "\r\n");
        }
        if (len >= sizeof(buf) - 1)
            return -1;
    }
}

static int smtp_cmd(SSL *ssl, const char *cmd, int want)
{
    int n = (int)strlen(cmd);
    if (SSL_write(ssl, cmd, n) != n)
        return -1;
    return smtp_reply(ssl) == want ? 0 : -1;
}

static int write_all(SSL *ssl, const char *p, size_t n)
{
    while (n > 0) {
        int k = SSL_write(ssl, p, n > (1u << 20) ? (1 << 20) : (int)n);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int floor_send(SSL_CTX *ctx, int port, const char *name, const char *auth_b64, const char *from,
                      const char *to, const char *msg, size_t len)
{
    SSL *ssl = tls_open(ctx, port, name);
    if (ssl == NULL || smtp_reply(ssl) != 220)
        return -1;
    char cmd[1024];
    int rc = smtp_cmd(ssl, "EHLO bench.example.test\r\n", 250);
    snprintf(cmd, sizeof(cmd), "AUTH PLAIN %s\r\n", auth_b64);
    rc |= smtp_cmd(ssl, cmd, 235);
    snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>\r\n", from);
    rc |= smtp_cmd(ssl, cmd, 250);
    snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>\r\n", to);
    rc |= smtp_cmd(ssl, cmd, 250);
    rc |= smtp_cmd(ssl, "DATA\r\n", 354);
    if (rc == 0 && (write_all(ssl, msg, len) < 0 || smtp_cmd(ssl, ".\r\n", 250) < 0))
        rc = -1;
    smtp_cmd(ssl, "QUIT\r\n", 221);
    imaps_close(ssl);
    return rc;
}

static int floor_append(SSL *imap, const char *msg, size_t len)
{
    char cmd[128];
    int n = snprintf(cmd, sizeof(cmd), "a APPEND Sent (\\Seen) {%zu+}\r\n", len);
    if (SSL_write(imap, cmd, n) != n || write_all(imap, msg, len) < 0 || SSL_write(imap, "\r\n", 2) != 2)
        return -1;
    return imap_wait(imap, "a");
}

/* The compose form's csrf and token values. */
static int form_tokens(int http, const char *cookie, char *csrf, char *token)
{
    if (http_get(http, "/mail/compose", cookie, resp, sizeof(resp)) != 200)
        return -1;
    const char *c = strstr(resp, "name=\"csrf\" value=\""), *t = strstr(resp, "name=\"token\" value=\"");
    if (c == NULL || t == NULL)
        return -1;
    snprintf(csrf, 128, "%.*s", (int)strcspn(c + 19, "\""), c + 19);
    snprintf(token, 128, "%.*s", (int)strcspn(t + 20, "\""), t + 20);
    return 0;
}

/* The multipart POST (headers and body) into req; its length. */
static size_t compose_request(char *req, int http, const char *cookie, const char *csrf, const char *token,
                              const char *from, const char *to, const unsigned char *file, size_t n)
{
    static const char *bd = "----benchboundary7d3";
    char head[4096];
    int hb = snprintf(head, sizeof(head),
                      "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n%s\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\n%s\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n%s\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nbench\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nbench\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nsend\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"attach\"; filename=\"f.bin\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n",
                      bd, csrf, bd, token, bd, from, bd, to, bd, bd, bd, bd);
    char tail[128];
    int tb = snprintf(tail, sizeof(tail), "\r\n--%s--\r\n", bd);
    size_t blen = (size_t)hb + n + (size_t)tb;
    int rl = sprintf(req, "POST /mail/compose HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\n"
                          "Cookie: %s\r\nContent-Type: multipart/form-data; boundary=%s\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     http, http, cookie, bd, blen);
    size_t o = (size_t)rl;
    memcpy(req + o, head, (size_t)hb);
    o += (size_t)hb;
    memcpy(req + o, file, n);
    o += n;
    memcpy(req + o, tail, (size_t)tb);
    return o + (size_t)tb;
}

int main(int argc, char **argv)
{
    if (argc < 10) {
        fprintf(stderr, "usage: compose_bench HTTP SUBMISSIONS IMAPS CA NAME USER PASS TO BYTES [-n N]\n");
        return 2;
    }
    int http = atoi(argv[1]), subm = atoi(argv[2]), imaps = atoi(argv[3]), rounds = 10;
    const char *ca = argv[4], *name = argv[5], *user = argv[6], *pass = argv[7], *to = argv[8];
    size_t bytes = (size_t)atol(argv[9]);
    if (argc > 11 && strcmp(argv[10], "-n") == 0)
        rounds = atoi(argv[11]);
    char cookie[512];
    SSL_CTX *ctx = tls_ctx(ca);
    SSL *imap = bench_sign_in(http, ctx, imaps, name, user, pass, cookie, sizeof(cookie));
    if (imap == NULL)
        return 1;
    /* AUTH PLAIN's base64 of "\0user\0pass" */
    unsigned char plain[600];
    size_t pl = (size_t)snprintf((char *)plain + 1, sizeof(plain) - 1, "%s", user) + 1;
    plain[0] = '\0';
    plain[pl++] = '\0';
    pl += (size_t)snprintf((char *)plain + pl, sizeof(plain) - pl, "%s", pass);
    char auth[900];
    size_t al = base64_lines(plain, pl, auth);
    auth[al - 2] = '\0';
    unsigned char *file = malloc(bytes ? bytes : 1);
    fill_random(file, bytes);
    size_t mlen;
    char *msg = floor_message(user, to, file, bytes, &mlen);
    char *req = malloc(bytes + 16384);
    double *a = calloc((size_t)rounds, sizeof(double)), *f = calloc((size_t)rounds, sizeof(double));
    for (int r = -1; r < rounds; r++) {   /* round -1 warms both paths */
        char csrf[128], token[128];
        if (form_tokens(http, cookie, csrf, token) < 0) {
            fprintf(stderr, "compose form failed\n");
            return 1;
        }
        size_t rl = compose_request(req, http, cookie, csrf, token, user, to, file, bytes);
        double t0 = now_ms();
        int st = http_exchange(http, req, rl, resp, sizeof(resp));
        double t1 = now_ms();
        if (st != 200 || strstr(resp, "id=\"saved-note\"") == NULL) {
            fprintf(stderr, "postern did not send and save (status %d)\n", st);
            return 1;
        }
        double t2 = now_ms();
        if (floor_send(ctx, subm, name, auth, user, to, msg, mlen) < 0 || floor_append(imap, msg, mlen) < 0) {
            fprintf(stderr, "floor failed\n");
            return 1;
        }
        double t3 = now_ms();
        if (r >= 0) {
            a[r] = t1 - t0;
            f[r] = t3 - t2;
        }
    }
    double am = pct(a, rounds, 0.5), a90 = pct(a, rounds, 0.9), fm = pct(f, rounds, 0.5),
           f90 = pct(f, rounds, 0.9);
    printf("send %zu median=%.2f p90=%.2f floor_median=%.2f floor_p90=%.2f ratio=%.2f rounds=%d\n",
           bytes, am, a90, fm, f90, am / fm, rounds);
    imap_cmd(imap, "z", "LOGOUT");
    return 0;
}
