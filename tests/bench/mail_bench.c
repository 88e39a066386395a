/* mail_bench.c — make bench: the mailbox pages vs the floor.
 *
 *   mail_bench compare HTTP_PORT IMAPS_PORT CA_FILE TLS_NAME USER PASSWORD FOLDER... [-n N]
 *     For each folder, N interleaved rounds of
 *       list   GET /mail/?f=FOLDER through nginx and postern (a warm
 *              session: its IMAP connection is cached), whole response;
 *       floor  over one already-open verified IMAPS connection:
 *              SELECT, UID SORT RETURN (PARTIAL 1:50) (REVERSE ARRIVAL),
 *              UID FETCH of those 50 (UID FLAGS RFC822.SIZE INTERNALDATE
 *              ENVELOPE BODYSTRUCTURE);
 *     then, for the newest message of the first folder,
 *       open   GET /mail/message?f=FOLDER&uid=U;
 *       floor  UID FETCH U (BODYSTRUCTURE), UID FETCH U (BODY.PEEK[1]).
 *     Prints one line per figure: "list FOLDER median=.. p90=.. floor_median=.. ratio=..".
 *
 *   mail_bench pop3 HTTP_PORT POP3S_PORT CA_FILE TLS_NAME USER PASSWORD [-n N]
 *     N interleaved rounds of GET /mail/ for a POP3 session (postern signs
 *     in to the maildrop, LIST, UIDL, 50 x TOP n 0, QUIT: the maildrop is
 *     locked for about that long) vs the floor: STAT, UIDL and 50 x
 *     TOP n 0 over one already-open POP3S connection.
 *
 *   mail_bench cookies HTTP_PORT USER PASSWORD N FILE
 *     Signs in N times, loads /mail/ once with each session (so each has
 *     a cached connection), writes the N cookies to FILE, one a line.
 */
#include "benchlib.h"

#define RESP_CAP (1 << 20)

static char resp[RESP_CAP];

/* Sends tag cmd and collects the reply text in out (until the tagged line). */
static int imap_collect(SSL *ssl, const char *tag, const char *cmd, char *out, size_t cap)
{
    char line[4096];
    int n = snprintf(line, sizeof(line), "%s %s\r\n", tag, cmd);
    if (SSL_write(ssl, line, n) != n)
        return -1;
    size_t len = 0;
    for (;;) {
        if (len + 1 >= cap)
            return -1;
        int k = SSL_read(ssl, out + len, (int)(cap - 1 - len));
        if (k <= 0)
            return -1;
        len += (size_t)k;
        out[len] = '\0';
        char pat[32];
        snprintf(pat, sizeof(pat), "\r\n%s ", tag);
        const char *t = strstr(out, pat);
        if (t == NULL && strncmp(out, tag, strlen(tag)) == 0 && out[strlen(tag)] == ' ')
            t = out - 2;
        if (t != NULL && strstr(t + 2, "\r\n") != NULL)
            return strncmp(t + 2 + strlen(tag), " OK", 3) == 0 ? 0 : -1;
    }
}

/* The floor for one list page; -1 on any failure. */
static int floor_list(SSL *ssl, const char *folder)
{
    static char buf[RESP_CAP];
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "SELECT \"%s\"", folder);
    if (imap_cmd(ssl, "s", cmd) < 0)
        return -1;
    if (imap_collect(ssl, "o", "UID SORT RETURN (PARTIAL 1:50) (REVERSE ARRIVAL) UTF-8 ALL",
                     buf, sizeof(buf)) < 0)
        return -1;
    const char *p = strstr(buf, "PARTIAL (1:50 ");
    if (p == NULL)
        return -1;
    char set[1024];
    snprintf(set, sizeof(set), "%.*s", (int)strcspn(p + 14, ")"), p + 14);
    snprintf(cmd, sizeof(cmd), "UID FETCH %s (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)", set);
    return imap_collect(ssl, "f", cmd, buf, sizeof(buf));
}

static int floor_open(SSL *ssl, const char *folder, unsigned uid)
{
    static char buf[RESP_CAP];
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "SELECT \"%s\"", folder);
    if (imap_cmd(ssl, "s", cmd) < 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "UID FETCH %u (BODYSTRUCTURE)", uid);
    if (imap_collect(ssl, "b", cmd, buf, sizeof(buf)) < 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "UID FETCH %u (BODY.PEEK[1])", uid);
    return imap_collect(ssl, "t", cmd, buf, sizeof(buf));
}

static void report(const char *what, const char *folder, double *a, double *f, int n)
{
    double am = pct(a, n, 0.5), a90 = pct(a, n, 0.9), fm = pct(f, n, 0.5), f90 = pct(f, n, 0.9);
    printf("%s %s median=%.2f p90=%.2f floor_median=%.2f floor_p90=%.2f ratio=%.2f rounds=%d\n",
           what, folder, am, a90, fm, f90, am / fm, n);
}

/* The first data-uid on a list page. */
static unsigned first_uid(const char *page)
{
    const char *p = strstr(page, "data-uid=\"");
    return p ? (unsigned)strtoul(p + 10, NULL, 10) : 0;
}

static int compare(int argc, char **argv)
{
    int http = atoi(argv[2]), imaps = atoi(argv[3]), rounds = 30;
    const char *ca = argv[4], *name = argv[5], *user = argv[6], *pass = argv[7];
    const char *folders[8];
    int nf = 0;
    for (int i = 8; i < argc && nf < 8; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else
            folders[nf++] = argv[i];
    }
    char cookie[512];
    SSL_CTX *ctx = tls_ctx(ca);
    SSL *ssl = bench_sign_in(http, ctx, imaps, name, user, pass, cookie, sizeof(cookie));
    if (ssl == NULL)
        return 1;
    double *a = calloc((size_t)rounds, sizeof(double)), *f = calloc((size_t)rounds, sizeof(double));
    unsigned uid = 0;
    for (int k = 0; k < nf; k++) {
        char path[512];
        snprintf(path, sizeof(path), "/mail/?f=%s", folders[k]);
        for (int w = 0; w < 3; w++) {   /* warm: indexes, caches, the connection */
            if (http_get(http, path, cookie, resp, sizeof(resp)) != 200 || floor_list(ssl, folders[k]) < 0) {
                fprintf(stderr, "warm-up of %s failed\n", folders[k]);
                return 1;
            }
        }
        if (k == 0)
            uid = first_uid(resp);
        for (int i = 0; i < rounds; i++) {
            double t0 = now_ms();
            int st = http_get(http, path, cookie, resp, sizeof(resp));
            double t1 = now_ms();
            int fl = floor_list(ssl, folders[k]);
            double t2 = now_ms();
            if (st != 200 || fl < 0) {
                fprintf(stderr, "round %d of %s: status %d, floor %d\n", i, folders[k], st, fl);
                return 1;
            }
            a[i] = t1 - t0;
            f[i] = t2 - t1;
        }
        report("list", folders[k], a, f, rounds);
    }
    char path[512];
    snprintf(path, sizeof(path), "/mail/message?f=%s&uid=%u", folders[0], uid);
    http_get(http, path, cookie, resp, sizeof(resp));
    floor_open(ssl, folders[0], uid);
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        int st = http_get(http, path, cookie, resp, sizeof(resp));
        double t1 = now_ms();
        int fl = floor_open(ssl, folders[0], uid);
        double t2 = now_ms();
        if (st != 200 || fl < 0) {
            fprintf(stderr, "open round %d: status %d, floor %d\n", i, st, fl);
            return 1;
        }
        a[i] = t1 - t0;
        f[i] = t2 - t1;
    }
    report("open", folders[0], a, f, rounds);
    imap_cmd(ssl, "z", "LOGOUT");
    imaps_close(ssl);
    SSL_CTX_free(ctx);
    free(a);
    free(f);
    return 0;
}

/* Reads a POP3 reply: the status line, and with multi the lines up to ".". */
static int pop_reply(SSL *ssl, int multi)
{
    static char buf[1 << 16];
    size_t len = 0;
    for (;;) {
        int k = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len));
        if (k <= 0)
            return -1;
        len += (size_t)k;
        buf[len] = '\0';
        if (strncmp(buf, "-ERR", 4) == 0)
            return -1;
        if (!multi && strstr(buf, "\r\n") != NULL)
            return 0;
        if (multi && (strstr(buf, "\r\n.\r\n") != NULL))
            return 0;
        if (len > sizeof(buf) / 2) {   /* keep the tail only */
            memmove(buf, buf + len - 8, 8);
            len = 8;
        }
    }
}

static int pop_cmd(SSL *ssl, const char *cmd, int multi)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "%s\r\n", cmd);
    return SSL_write(ssl, line, n) == n ? pop_reply(ssl, multi) : -1;
}

/* One floor round: STAT, UIDL, 50 x TOP n 0 on an open session. */
static int pop_floor_page(SSL *ssl)
{
    char cmd[64];
    int fl = pop_cmd(ssl, "STAT", 0) == 0 && pop_cmd(ssl, "UIDL", 1) == 0 ? 0 : -1;
    for (int k = 0; k < 50 && fl == 0; k++) {
        snprintf(cmd, sizeof(cmd), "TOP %d 0", 2000 - k);
        fl = pop_cmd(ssl, cmd, 1);
    }
    return fl;
}

static SSL *pop_login(SSL_CTX *ctx, int port, const char *name, const char *user, const char *pass)
{
    char cmd[600];
    SSL *ssl = tls_open(ctx, port, name);
    if (ssl == NULL || pop_reply(ssl, 0) < 0)
        return NULL;
    snprintf(cmd, sizeof(cmd), "USER %s", user);
    if (pop_cmd(ssl, cmd, 0) < 0)
        return NULL;
    snprintf(cmd, sizeof(cmd), "PASS %s", pass);
    return pop_cmd(ssl, cmd, 0) < 0 ? NULL : ssl;
}

/* A POP3 session locks the maildrop, so postern and the floor cannot
 * run interleaved: postern's rounds first, then the floor's. */
static int pop3(int argc, char **argv)
{
    int http = atoi(argv[2]), port = atoi(argv[3]), rounds = 30;
    if (argc >= 10 && strcmp(argv[8], "-n") == 0)
        rounds = atoi(argv[9]);
    char cookie[512];
    if (http_signin(http, argv[6], argv[7], cookie, sizeof(cookie)) != 303 || cookie[0] == '\0') {
        fprintf(stderr, "sign-in failed\n");
        return 1;
    }
    double *a = calloc((size_t)rounds, sizeof(double)), *f = calloc((size_t)rounds, sizeof(double));
    double *g = calloc((size_t)rounds, sizeof(double));
    for (int i = -2; i < rounds; i++) {
        double t0 = now_ms();
        int st = http_get(http, "/mail/", cookie, resp, sizeof(resp));
        if (st != 200) {
            fprintf(stderr, "pop3 round %d: status %d\n", i, st);
            return 1;
        }
        if (i >= 0)
            a[i] = now_ms() - t0;
    }
    SSL_CTX *ctx = tls_ctx(argv[4]);
    SSL *ssl = pop_login(ctx, port, argv[5], argv[6], argv[7]);
    if (ssl == NULL) {
        fprintf(stderr, "floor login failed\n");
        return 1;
    }
    for (int i = -2; i < rounds; i++) {
        double t0 = now_ms();
        if (pop_floor_page(ssl) < 0) {
            fprintf(stderr, "floor round %d failed\n", i);
            return 1;
        }
        if (i >= 0)
            f[i] = now_ms() - t0;
    }
    pop_cmd(ssl, "QUIT", 0);
    imaps_close(ssl);
    /* the same with a session per page, as postern must (the lock) */
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        SSL *s = pop_login(ctx, port, argv[5], argv[6], argv[7]);
        if (s == NULL || pop_floor_page(s) < 0 || pop_cmd(s, "QUIT", 0) < 0) {
            fprintf(stderr, "floor-with-login round %d failed\n", i);
            return 1;
        }
        imaps_close(s);
        g[i] = now_ms() - t0;
    }
    report("pop3list", "INBOX", a, f, rounds);
    printf("pop3login floor_with_login_median=%.2f\n", pct(g, rounds, 0.5));
    SSL_CTX_free(ctx);
    free(a);
    free(f);
    free(g);
    return 0;
}

static int cookies(char **argv)
{
    int http = atoi(argv[2]), n = atoi(argv[5]);
    FILE *out = fopen(argv[6], "w");
    if (out == NULL) {
        perror(argv[6]);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char cookie[512];
        if (http_signin(http, argv[3], argv[4], cookie, sizeof(cookie)) != 303 ||
            http_get(http, "/mail/", cookie, resp, sizeof(resp)) != 200) {
            fprintf(stderr, "session %d failed\n", i);
            return 1;
        }
        fprintf(out, "%s\n", cookie);
    }
    fclose(out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 9 && strcmp(argv[1], "compare") == 0)
        return compare(argc, argv);
    if (argc == 7 && strcmp(argv[1], "cookies") == 0)
        return cookies(argv);
    if (argc >= 8 && strcmp(argv[1], "pop3") == 0)
        return pop3(argc, argv);
    fprintf(stderr, "usage: %s compare HTTP IMAPS CA NAME USER PASS FOLDER... [-n N]\n"
                    "       %s cookies HTTP USER PASS N FILE\n", argv[0], argv[0]);
    return 2;
}
