/* it_upstream.c — src/upstream + src/tls against the real Dovecot of the
 * test stack, openssl s_server instances with bad certificates, and
 * scripted fake servers (tests/integration/fake_servers.py). Run by
 * tests/integration/upstream.py, which starts all that and passes the
 * ports in the environment (IT_*); a test whose server is missing fails.
 *
 * The driver checks the other half of each refusal: that no credential
 * reached the s_server or fake server concerned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "upstream.h"

#define HOST "127.0.0.1"
#define NAME "mail.example.test"

static struct tls_client *tc_ca;      /* trusts the test CA */
static struct tls_client *tc_system;  /* the system store only */
static int timeout_ms = 2000;         /* ordinary steps */
static int slow_ms = 1000;            /* the deadline in the timeout tests */
static int slack_ms = 500;
static bool quiet;                    /* no "# ..." line per check */

static unsigned port_of(const char *var)
{
    const char *v = getenv(var);
    if (v == NULL || atoi(v) <= 0)
        fail_msg("%s is not set: run tests/integration/upstream.py", var);
    return (unsigned)atoi(v);
}

static const char *env_or(const char *var, const char *dflt)
{
    const char *v = getenv(var);
    return v && *v ? v : dflt;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct up_target target(enum proto p, const char *port_var, enum tls_mode tls)
{
    struct up_target t = { .proto = p, .host = HOST, .tls_name = NAME,
                           .port = port_of(port_var), .tls = tls, .timeout_ms = timeout_ms };
    return t;
}

static struct up_cred cred(const char *user, const char *password)
{
    struct up_cred c = { user, strlen(user), password, strlen(password) };
    return c;
}

/* Runs one check and asserts its kind; prints the report's sentence. */
static void expect(struct tls_client *tc, const struct up_target *t, const struct up_cred *c,
                   enum up_error want, struct up_report *r)
{
    int rc = up_check(tc, t, c, r);
    if (!quiet || r->error != want)
        printf("# %s %s:%u -> %s (%ld ms): %s\n", proto_names[t->proto], t->host, t->port,
           up_error_names[r->error], r->total_ms, r->message);
    if (r->error != want)
        fail_msg("expected %s, got %s: %s", up_error_names[want], up_error_names[r->error],
                 r->message);
    assert_int_equal(rc, want == UP_OK ? 0 : -1);
    assert_true(want == UP_OK || r->message[0] != '\0');
    assert_null(strstr(r->message, "wonderland"));
}

static void assert_has(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* --- screening ----------------------------------------------------------- */

#define S(x) x, sizeof(x) - 1

static void test_screen(void **state)
{
    (void)state;
    static const struct { const char *s; size_t len, max; int ok; } cases[] = {
        { S("alice@example.test"), 254, 0 },
        { S("pass word \"quoted\" back\\slash \xc3\xa9"), 1000, 0 },
        { S(""), 10, 0 },
        { S("0123456789"), 10, 0 },
        { S("01234567890"), 10, -1 },
        { S("bob\r\nX DELETE Trash"), 254, -1 },
        { S("bob\rX"), 254, -1 },
        { S("bob\nX"), 254, -1 },
        { S("bob\0X"), 254, -1 },
        { S("\0"), 254, -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum up_error e = UP_OK;
        assert_int_equal(up_screen(cases[i].s, cases[i].len, cases[i].max, &e), cases[i].ok);
        assert_int_equal(e, cases[i].ok ? UP_E_INPUT : UP_OK);
    }
}

/* --- logging in at the real Dovecot -------------------------------------- */

static void login_ok(enum proto p, const char *port_var, enum tls_mode tls, const char *user)
{
    struct up_target t = target(p, port_var, tls);
    struct up_cred c = cred(user, "wonderland");
    struct up_report r;
    expect(tc_ca, &t, &c, UP_OK, &r);
    assert_true(r.tls);
    assert_true(r.authenticated);
    assert_true(r.hostname_ok);
    assert_int_equal(r.cert_verify, 0);
    assert_true(strcmp(r.tls_version, "TLSv1.2") == 0 || strcmp(r.tls_version, "TLSv1.3") == 0);
    assert_has(r.cert_subject, "mail.example.test");
    assert_has(r.cert_issuer, "postern test CA");
    assert_has(r.capabilities, p == PROTO_SMTP   ? "AUTH=PLAIN"
                               : p == PROTO_POP3 ? "USER"
                                                 : "IMAP4rev1");
    /* what was said in clear is forgotten after STARTTLS */
    assert_null(strstr(r.capabilities, p == PROTO_POP3 ? "STLS" : "STARTTLS"));
    printf("# caps: %s\n", r.capabilities);
}

static void test_imaps_login(void **state)
{
    (void)state;
    login_ok(PROTO_IMAP, "IT_IMAPS_PORT", TLS_IMPLICIT, "alice@example.test");
}

static void test_imap_starttls_login(void **state)
{
    (void)state;
    login_ok(PROTO_IMAP, "IT_IMAP_PORT", TLS_STARTTLS, "alice@example.test");
}

static void test_pop3s_login(void **state)
{
    (void)state;
    login_ok(PROTO_POP3, "IT_POP3S_PORT", TLS_IMPLICIT, "pop@example.test");
}

static void test_pop3_stls_login(void **state)
{
    (void)state;
    login_ok(PROTO_POP3, "IT_POP3_PORT", TLS_STARTTLS, "pop@example.test");
}

static void test_smtps_login(void **state)
{
    (void)state;
    login_ok(PROTO_SMTP, "IT_SUBMISSIONS_PORT", TLS_IMPLICIT, "alice@example.test");
}

static void test_smtp_starttls_login(void **state)
{
    (void)state;
    login_ok(PROTO_SMTP, "IT_SUBMISSION_PORT", TLS_STARTTLS, "alice@example.test");
}

static void test_wrong_password(void **state)
{
    (void)state;
    static const struct { enum proto p; const char *port; enum tls_mode tls; } eps[] = {
        { PROTO_IMAP, "IT_IMAPS_PORT", TLS_IMPLICIT },
        { PROTO_POP3, "IT_POP3_PORT", TLS_STARTTLS },
        { PROTO_SMTP, "IT_SUBMISSIONS_PORT", TLS_IMPLICIT },
    };
    for (size_t i = 0; i < 3; i++) {
        struct up_target t = target(eps[i].p, eps[i].port, eps[i].tls);
        t.timeout_ms = 4000;   /* Dovecot waits a second before saying no */
        struct up_cred c = cred("alice@example.test", "not the password");
        struct up_report r;
        expect(tc_ca, &t, &c, UP_E_AUTH, &r);
        assert_false(r.authenticated);
        assert_true(r.tls);
    }
}

/* A check without login, by DNS name, "localhost" and IP literal. */
static void test_check_only(void **state)
{
    (void)state;
    const char *names[] = { NAME, "localhost", "127.0.0.1" };
    for (size_t i = 0; i < 3; i++) {
        struct up_target t = target(PROTO_IMAP, "IT_IMAPS_PORT", TLS_IMPLICIT);
        t.tls_name = names[i];
        struct up_report r;
        expect(tc_ca, &t, NULL, UP_OK, &r);
        assert_false(r.authenticated);
        assert_true(r.hostname_ok);
        assert_has(r.capabilities, "AUTH=PLAIN");
    }
}

/* The 200-character passphrase (spaces, quotes, backslashes, UTF-8) of the
 * user the driver added to Dovecot, over all three protocols. */
static void test_passphrase(void **state)
{
    (void)state;
    const char *user = env_or("IT_PHRASE_USER", "phrase@example.test");
    const char *phrase = getenv("IT_PHRASE");
    assert_non_null(phrase);
    static const struct { enum proto p; const char *port; enum tls_mode tls; } eps[] = {
        { PROTO_IMAP, "IT_IMAPS_PORT", TLS_IMPLICIT },
        { PROTO_IMAP, "IT_IMAP_PORT", TLS_STARTTLS },
        { PROTO_POP3, "IT_POP3S_PORT", TLS_IMPLICIT },
        { PROTO_SMTP, "IT_SUBMISSION_PORT", TLS_STARTTLS },
    };
    for (size_t i = 0; i < 4; i++) {
        struct up_target t = target(eps[i].p, eps[i].port, eps[i].tls);
        struct up_cred c = cred(user, phrase);
        struct up_report r;
        expect(tc_ca, &t, &c, UP_OK, &r);
        assert_true(r.authenticated);
    }
}

/* --- certificates (openssl s_server) ----------------------------------- */

static void cert_refused(struct tls_client *tc, const char *port_var, const char *name,
                         enum up_error want, long verify, const char *why)
{
    struct up_target t = target(PROTO_IMAP, port_var, TLS_IMPLICIT);
    t.tls_name = name;
    struct up_cred c = cred("alice@example.test", "wonderland");
    struct up_report r;
    expect(tc, &t, &c, want, &r);
    assert_int_equal(r.cert_verify, verify);
    assert_has(r.message, why);
    assert_false(r.tls);
    assert_false(r.authenticated);
    assert_true(r.cert_subject[0] != '\0');
}

static void test_untrusted_ca(void **state)
{
    (void)state;
    cert_refused(tc_system, "IT_SSL_GOOD_PORT", NAME, UP_E_TLS_UNTRUSTED, 20,
                 "unable to get local issuer certificate");
}

static void test_wrong_host(void **state)
{
    (void)state;
    cert_refused(tc_ca, "IT_SSL_OTHER_PORT", NAME, UP_E_TLS_NAME, 62, "mismatch");
    cert_refused(tc_ca, "IT_SSL_GOOD_PORT", "wrong.example.test", UP_E_TLS_NAME, 62, "mismatch");
    cert_refused(tc_ca, "IT_SSL_GOOD_PORT", "127.0.0.2", UP_E_TLS_NAME, 64, "mismatch");
}

static void test_expired(void **state)
{
    (void)state;
    cert_refused(tc_ca, "IT_SSL_EXPIRED_PORT", NAME, UP_E_TLS_UNTRUSTED, 10, "expired");
}

static void test_self_signed(void **state)
{
    (void)state;
    cert_refused(tc_ca, "IT_SSL_EVIL_PORT", NAME, UP_E_TLS_UNTRUSTED, 18, "self-signed");
}

static void test_old_tls_refused(void **state)
{
    (void)state;
    if (getenv("IT_SSL_TLS11_PORT") == NULL) {   /* cmocka's skip() reads as "not ok" */
        printf("# no TLS 1.1 server to test against\n");
        return;
    }
    struct up_target t = target(PROTO_IMAP, "IT_SSL_TLS11_PORT", TLS_IMPLICIT);
    struct up_cred c = cred("alice@example.test", "wonderland");
    struct up_report r;
    expect(tc_ca, &t, &c, UP_E_TLS_OTHER, &r);
    assert_false(r.authenticated);
}

/* --- STARTTLS failing closed (fake servers) ---------------------------- */

static void starttls_fails(enum proto p, const char *port_var, const char *why)
{
    struct up_target t = target(p, port_var, TLS_STARTTLS);
    struct up_cred c = cred("alice@example.test", "wonderland");
    struct up_report r;
    expect(tc_ca, &t, &c, UP_E_STARTTLS, &r);
    assert_has(r.message, why);
    assert_false(r.authenticated);
    assert_false(r.tls);
}

static void test_starttls_not_offered(void **state)
{
    (void)state;
    starttls_fails(PROTO_IMAP, "IT_FAKE_IMAP_NOSTARTTLS", "does not offer");
    starttls_fails(PROTO_POP3, "IT_FAKE_POP3_NOSTLS", "does not offer STLS");
    starttls_fails(PROTO_SMTP, "IT_FAKE_SMTP_NOSTARTTLS", "does not offer");
}

static void test_starttls_refused(void **state)
{
    (void)state;
    starttls_fails(PROTO_IMAP, "IT_FAKE_IMAP_STARTTLS_NO", "refused");
    starttls_fails(PROTO_POP3, "IT_FAKE_POP3_STLS_ERR", "refused");
    starttls_fails(PROTO_SMTP, "IT_FAKE_SMTP_STARTTLS_ERR", "refused");
}

static void test_starttls_injected(void **state)
{
    (void)state;
    starttls_fails(PROTO_IMAP, "IT_FAKE_IMAP_INJECT", "right after");
    starttls_fails(PROTO_POP3, "IT_FAKE_POP3_INJECT", "right after");
    starttls_fails(PROTO_SMTP, "IT_FAKE_SMTP_INJECT", "right after");
}

static void test_preauth_in_clear(void **state)
{
    (void)state;
    starttls_fails(PROTO_IMAP, "IT_FAKE_IMAP_PREAUTH", "PREAUTH");
}

/* --- deadlines ------------------------------------------------------------ */

static void times_out(enum proto p, const char *port_var, enum tls_mode tls)
{
    struct up_target t = target(p, port_var, tls);
    t.timeout_ms = slow_ms;
    struct up_cred c = cred("alice@example.test", "wonderland");
    struct up_report r;
    long long t0 = now_ms();
    expect(tc_ca, &t, &c, UP_E_TIMEOUT, &r);
    long long took = now_ms() - t0;
    if (took < slow_ms - 50 || took > slow_ms + slack_ms)
        fail_msg("took %lld ms with a deadline of %d ms", took, slow_ms);
}

static void test_never_greets(void **state)
{
    (void)state;
    times_out(PROTO_IMAP, "IT_FAKE_SILENT", TLS_STARTTLS);
    times_out(PROTO_IMAP, "IT_FAKE_SILENT", TLS_IMPLICIT);    /* TLS handshake */
    times_out(PROTO_SMTP, "IT_FAKE_SILENT", TLS_STARTTLS);
}

static void test_drip(void **state)
{
    (void)state;
    times_out(PROTO_IMAP, "IT_FAKE_DRIP", TLS_STARTTLS);
    times_out(PROTO_POP3, "IT_FAKE_DRIP", TLS_STARTTLS);
}

static void test_garbage(void **state)
{
    (void)state;
    struct up_target t = target(PROTO_IMAP, "IT_FAKE_GARBAGE", TLS_STARTTLS);
    struct up_report r;
    expect(tc_ca, &t, NULL, UP_E_PROTOCOL, &r);
    t.proto = PROTO_SMTP;
    expect(tc_ca, &t, NULL, UP_E_PROTOCOL, &r);
}

/* A literal cut off by EOF (libetpan alone loops forever: sticky EOF
 * ends it) and a line that never ends (the byte budget ends it). */
static void test_truncated_and_flood(void **state)
{
    (void)state;
    struct up_target t = target(PROTO_IMAP, "IT_FAKE_IMAP_EOF_LITERAL", TLS_STARTTLS);
    struct up_report r;
    long long t0 = now_ms();
    expect(tc_ca, &t, NULL, UP_E_PROTOCOL, &r);
    assert_true(now_ms() - t0 < timeout_ms);
    assert_has(r.message, "closed the connection");
    t = target(PROTO_IMAP, "IT_FAKE_IMAP_FLOOD", TLS_STARTTLS);
    expect(tc_ca, &t, NULL, UP_E_PROTOCOL, &r);
    assert_has(r.message, "too much");
}

static void test_connect_refused(void **state)
{
    (void)state;
    struct up_target t = target(PROTO_IMAP, "IT_CLOSED_PORT", TLS_IMPLICIT);
    struct up_report r;
    expect(tc_ca, &t, NULL, UP_E_CONNECT, &r);
    assert_has(r.message, "refused");
}

/* --- input screening and plaintext policy (fake "sink" must stay empty) - */

static void test_input_rejected(void **state)
{
    (void)state;
    static const struct { const char *u; size_t ul; const char *p; size_t pl; } bad[] = {
        { S("alice\r\nA1 DELETE INBOX"), S("wonderland") },
        { S("alice@example.test"), S("wonder\nland") },
        { S("alice@example.test"), S("wonder\rland") },
        { S("alice@example.test"), S("wonder\0land") },
        { S("alice\0@example.test"), S("wonderland") },
    };
    enum tls_mode modes[] = { TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE };
    quiet = true;
    for (size_t m = 0; m < 3; m++)
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            for (enum proto p = 0; p < PROTO__MAX; p++) {
                struct up_target t = target(p, "IT_FAKE_SINK", modes[m]);
                t.allow_plaintext = true;
                struct up_cred c = { bad[i].u, bad[i].ul, bad[i].p, bad[i].pl };
                struct up_report r;
                expect(tc_ca, &t, &c, UP_E_INPUT, &r);
                assert_true(r.total_ms < 50);
            }
        }
    char big[UP_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof(big));
    struct up_target t = target(PROTO_IMAP, "IT_FAKE_SINK", TLS_IMPLICIT);
    struct up_cred c = { "alice", 5, big, sizeof(big) };
    struct up_report r;
    expect(tc_ca, &t, &c, UP_E_INPUT, &r);
    c = (struct up_cred){ big, UP_USER_MAX + 1, "pw", 2 };
    expect(tc_ca, &t, &c, UP_E_INPUT, &r);
    quiet = false;
}

static void test_plaintext_refused(void **state)
{
    (void)state;
    for (enum proto p = 0; p < PROTO__MAX; p++) {
        struct up_target t = target(p, "IT_FAKE_SINK", TLS_NONE);
        struct up_cred c = cred("alice@example.test", "wonderland");
        struct up_report r;
        expect(tc_ca, &t, &c, UP_E_PLAINTEXT_REFUSED, &r);
        expect(NULL, &t, NULL, UP_E_PLAINTEXT_REFUSED, &r);
    }
}

/* Allowed plaintext: the fake checks the LOGIN literals byte for byte. */
static void test_plaintext_literals(void **state)
{
    (void)state;
    const char *phrase = getenv("IT_PHRASE");
    assert_non_null(phrase);
    struct up_target t = target(PROTO_IMAP, "IT_FAKE_IMAP_PLAIN", TLS_NONE);
    t.allow_plaintext = true;
    struct up_cred c = cred("alice@example.test", phrase);
    struct up_report r;
    expect(NULL, &t, &c, UP_OK, &r);
    assert_true(r.authenticated);
    assert_false(r.tls);
    assert_has(r.capabilities, "IDLE");      /* from the OK [CAPABILITY] of LOGIN */
    c = cred("alice@example.test", "wonderland");
    expect(NULL, &t, &c, UP_E_AUTH, &r);
    c = cred("disabled@example.test", phrase);
    expect(NULL, &t, &c, UP_E_DISABLED, &r);
    /* LOGINDISABLED: AUTHENTICATE PLAIN instead */
    t.port = port_of("IT_FAKE_IMAP_PLAIN_AUTH");
    c = cred("alice@example.test", phrase);
    expect(NULL, &t, &c, UP_OK, &r);
    c = cred("alice@example.test", "wonderland");
    expect(NULL, &t, &c, UP_E_AUTH, &r);
    /* POP3 without USER: SASL PLAIN; SMTP with only AUTH LOGIN */
    static const struct { enum proto p; const char *port; } others[] = {
        { PROTO_POP3, "IT_FAKE_POP3_PLAIN_SASL" }, { PROTO_SMTP, "IT_FAKE_SMTP_PLAIN_LOGIN" },
    };
    for (size_t i = 0; i < 2; i++) {
        t = target(others[i].p, others[i].port, TLS_NONE);
        t.allow_plaintext = true;
        c = cred("alice@example.test", phrase);
        expect(NULL, &t, &c, UP_OK, &r);
        assert_true(r.authenticated);
        c = cred("alice@example.test", "wonderland");
        expect(NULL, &t, &c, UP_E_AUTH, &r);
    }
}

/* --- descriptors >= 1024 (libetpan's select() would abort) ---------------- */

static void test_high_fd(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < 2048) {
        rl.rlim_cur = rl.rlim_max < 2048 ? rl.rlim_max : 2048;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    if (rl.rlim_cur < 1100) {
        printf("# RLIMIT_NOFILE cannot be raised to 1100: not tested\n");
        return;
    }
    int fds[1100], n = 0, probe;
    while ((probe = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0 && probe < 1030)
        fds[n++] = probe;
    assert_true(probe >= 1030);
    close(probe);   /* the socket gets this number or a higher one */
    struct up_target t = target(PROTO_IMAP, "IT_IMAP_PORT", TLS_STARTTLS);
    struct up_cred c = cred("alice@example.test", "wonderland");
    struct up_report r;
    expect(tc_ca, &t, &c, UP_OK, &r);
    t = target(PROTO_SMTP, "IT_SUBMISSIONS_PORT", TLS_IMPLICIT);
    expect(tc_ca, &t, &c, UP_OK, &r);
    while (n > 0)
        close(fds[--n]);
}

/* --- the kept IMAP session ----------------------------------------------- */

static void test_imap_open(void **state)
{
    (void)state;
    struct up_target t = target(PROTO_IMAP, "IT_IMAPS_PORT", TLS_IMPLICIT);
    struct up_cred c = cred("alice@example.test", "wonderland");
    struct up_report r;
    struct up_imap *u = up_imap_open(tc_ca, &t, &c, &r);
    assert_non_null(u);
    assert_true(r.authenticated);
    up_imap_deadline(u, timeout_ms, 1 << 20);
    assert_int_equal(mailimap_noop(up_imap_session(u)), MAILIMAP_NO_ERROR);
    up_imap_deadline(u, timeout_ms, 1 << 20);
    assert_int_equal(mailimap_select(up_imap_session(u), "INBOX"), MAILIMAP_NO_ERROR);
    assert_int_equal(up_imap_net_error(u), NET_OK);
    assert_false(up_imap_pending(u));
    up_imap_close(u, timeout_ms);
    c = cred("alice@example.test", "nope");
    t.timeout_ms = 4000;
    assert_null(up_imap_open(tc_ca, &t, &c, &r));
    assert_int_equal(r.error, UP_E_AUTH);
    up_imap_close(NULL, 0);
}

static int setup(void **state)
{
    (void)state;
    char err[256];
    timeout_ms = atoi(env_or("IT_TIMEOUT_MS", "2000"));
    slow_ms = atoi(env_or("IT_SLOW_MS", "1000"));
    slack_ms = atoi(env_or("IT_SLACK_MS", "500"));
    tc_ca = tls_client_new(env_or("IT_CA_FILE", "/nonexistent"), err, sizeof(err));
    if (tc_ca == NULL) {
        fprintf(stderr, "tls_client_new: %s\n", err);
        return -1;
    }
    tc_system = tls_client_new(NULL, err, sizeof(err));
    assert_null(tls_client_new("/nonexistent/ca.pem", err, sizeof(err)));
    assert_has(err, "/nonexistent/ca.pem");
    return tc_system ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tls_client_free(tc_ca);
    tls_client_free(tc_system);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen),
        cmocka_unit_test(test_imaps_login),
        cmocka_unit_test(test_imap_starttls_login),
        cmocka_unit_test(test_pop3s_login),
        cmocka_unit_test(test_pop3_stls_login),
        cmocka_unit_test(test_smtps_login),
        cmocka_unit_test(test_smtp_starttls_login),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_check_only),
        cmocka_unit_test(test_passphrase),
        cmocka_unit_test(test_untrusted_ca),
        cmocka_unit_test(test_wrong_host),
        cmocka_unit_test(test_expired),
        cmocka_unit_test(test_self_signed),
        cmocka_unit_test(test_old_tls_refused),
        cmocka_unit_test(test_starttls_not_offered),
        cmocka_unit_test(test_starttls_refused),
        cmocka_unit_test(test_starttls_injected),
        cmocka_unit_test(test_preauth_in_clear),
        cmocka_unit_test(test_never_greets),
        cmocka_unit_test(test_drip),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncated_and_flood),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_input_rejected),
        cmocka_unit_test(test_plaintext_refused),
        cmocka_unit_test(test_plaintext_literals),
        cmocka_unit_test(test_high_fd),
        cmocka_unit_test(test_imap_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
