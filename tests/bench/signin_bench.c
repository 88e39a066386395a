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
#include "benchlib.h"

static int floor_login(SSL_CTX *ctx, int port, const char *name, const char *user,
                       const char *password)
{
    SSL *ssl = imaps_open(ctx, port, name);
    if (ssl == NULL)
        return -1;
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "LOGIN \"%s\" \"%s\"", user, password);
    int rc = imap_cmd(ssl, "a", cmd) == 0 && imap_cmd(ssl, "b", "LOGOUT") == 0 ? 0 : -1;
    imaps_close(ssl);
    return rc;
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
    SSL_CTX *ctx = tls_ctx(argv[3]);
    double *s = calloc((size_t)rounds, sizeof(double)), *f = calloc((size_t)rounds, sizeof(double));
    /* warm both paths once */
    if (http_signin(http_port, argv[5], argv[6], NULL, 0) != 303 ||
        floor_login(ctx, imaps_port, argv[4], argv[5], argv[6]) != 0) {
        fprintf(stderr, "warm-up sign-in or floor login failed\n");
        return 1;
    }
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        int st = http_signin(http_port, argv[5], argv[6], NULL, 0);
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
