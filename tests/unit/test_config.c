/* test_config.c — config loading and checking, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define BASE "[server]\nlisten = /run/postern\n"

/* Configs that must be refused, with the exact first message. */
static const struct { const char *text; const char *error; } bad[] = {
    {"[imap]\nexternal = mail.example.com:587:SSL\n",
     "t.conf:2: [imap] external: port 587 is SMTP submission with STARTTLS, not TLS from the start (use 465)\n"},
    {"[imap]\ninternal = mail.example.com:143:SSL\n",
     "t.conf:2: [imap] internal: port 143 is IMAP with STARTTLS, not TLS from the start (use 993)\n"},
    {"[pop3]\nexternal = mail.example.com:110:TLS\n",
     "t.conf:2: [pop3] external: port 110 is POP3 with STARTTLS, not TLS from the start (use 995)\n"},
    {"[imap]\nexternal = mail.example.com:993:STARTTLS\n",
     "t.conf:2: [imap] external: port 993 is IMAP with TLS from the start (SSL), not STARTTLS\n"},
    {"[pop3]\nexternal = mail.example.com:995:starttls\n",
     "t.conf:2: [pop3] external: port 995 is POP3 with TLS from the start (SSL), not STARTTLS\n"},
    {"[smtp]\nexternal = mail.example.com:465:STARTTLS\n",
     "t.conf:2: [smtp] external: port 465 is SMTP with TLS from the start (SSL), not STARTTLS\n"},
    {"[imap]\nexternal = :993:SSL\n",
     "t.conf:2: [imap] external: port 993 is advertised without a host name\n"},
    {"[imap]\nexternal = mail.example.com:99999:SSL\n",
     "t.conf:2: [imap] external: \"99999\" is not a port number (1-65535)\n"},
    {"[imap]\nexternal = mail.example.com:0:SSL\n",
     "t.conf:2: [imap] external: \"0\" is not a port number (1-65535)\n"},
    {"[imap]\nexternal = mail.example.com:abc:SSL\n",
     "t.conf:2: [imap] external: \"abc\" is not a port number (1-65535)\n"},
    {"[imap]\nexternal = mail.example.com:993:FANCY\n",
     "t.conf:2: [imap] external: \"FANCY\" is not an encryption method (SSL, TLS, STARTTLS, none)\n"},
    {"[imap]\nexternal = mail..example.com:993:SSL\n",
     "t.conf:2: [imap] external: \"mail..example.com\" is not a valid host name\n"},
    {"[imap]\nexternal = mail.example.com:993\n",
     "t.conf:2: [imap] external: expected HOST:PORT:ENCRYPTION\n"},
    {"[imap]\nexternal = a.example.com:993:SSL,\n",
     "t.conf:2: [imap] external: empty endpoint in the list\n"},
    {"[imap]\nfrobnicate = yes\n", "t.conf:2: [imap] frobnicate: unknown key\n"},
    {"[imapx]\nadvertise = yes\n", "t.conf:2: [imapx] advertise: unknown section [imapx]\n"},
    {"[imap]\nadvertise = maybe\n", "t.conf:2: [imap] advertise: expected yes or no\n"},
    {"[imap]\nadvertise = yes\n",
     "t.conf:2: [imap] advertise: advertised, but neither internal nor external endpoints are set\n"},
    {"[server]\nworkers = 0\n", "t.conf:2: [server] workers: expected a number from 1 to 64\n"},
    {"[server]\nthreads = 1000\n", "t.conf:2: [server] threads: expected a number from 1 to 256\n"},
    {"[server]\nsocket_mode = 0666\n",
     "t.conf:2: [server] socket_mode: the socket must not be reachable by other users (no o+rwx)\n"},
    {"[server]\nlisten = 127.0.0.1:9000\n",
     "t.conf:2: [server] listen: expected an absolute directory path, fd:N or systemd\n"},
    {"[server]\ntemplates = templates\n", "t.conf:2: [server] templates: expected an absolute path\n"},
    {"[network]\ninternal_networks = 10.0.0.0/8, 300.1.1.1\n",
     "t.conf:2: [network] internal_networks: \"300.1.1.1\": not an IP address\n"},
    {"[network]\ninternal_networks = 10.1.0.0/8\n",
     "t.conf:2: [network] internal_networks: \"10.1.0.0/8\": address has bits set beyond the prefix length\n"},
    {"[network]\nshow = sometimes\n",
     "t.conf:2: [network] show: expected auto, both, internal or external\n"},
    {"[imap]\nusername = upn\n", "t.conf:2: [imap] username: expected address or localpart\n"},
    {"[smtp]\nauthentication = kerberos\n", "t.conf:2: [smtp] authentication: expected password or none\n"},
    {"[imap]\nadvertise = no\nadvertise = yes\n", "t.conf:3: [imap] advertise: set twice (first on line 2)\n"},
    {"[imap\n", "t.conf:1: syntax error (expected [section] or key = value)\n"},
    {"[imap]\njust words\n", "t.conf:2: syntax error (expected [section] or key = value)\n"},
};

static void test_bad_configs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct config cfg;
        struct buf err = {0};
        int rc = config_load_string("t.conf", bad[i].text, &cfg, &err);
        if (rc != -1 || strncmp(buf_cstr(&err), bad[i].error, strlen(bad[i].error)) != 0)
            fail_msg("case %zu: %s\n got rc=%d: %s\nwant: %s", i, bad[i].text, rc, buf_cstr(&err), bad[i].error);
        buf_free(&err);
    }
}

static void test_long_line(void **state)
{
    (void)state;
    char text[600];
    int n = snprintf(text, sizeof(text), "[server]\nsite_name = ");
    memset(text + n, 'x', 300);
    text[n + 300] = '\n';
    text[n + 301] = '\0';
    struct config cfg;
    struct buf err = {0};
    assert_int_equal(config_load_string("t.conf", text, &cfg, &err), -1);
    assert_string_equal(buf_cstr(&err), "t.conf:2: line too long (at most 199 characters)\n");
    buf_free(&err);
}

static void test_several_errors_reported(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err = {0};
    assert_int_equal(config_load_string("t.conf", "[imap]\nnope = 1\n[pop3]\nalso = 2\n", &cfg, &err), -1);
    assert_string_equal(buf_cstr(&err), "t.conf:2: [imap] nope: unknown key\nt.conf:4: [pop3] also: unknown key\n");
    buf_free(&err);
}

static void test_good_config(void **state)
{
    (void)state;
    const char *text = BASE
        "workers = 3\nthreads = 8\nsocket_mode = 0660\nsite_name = Contoso Mail\n"
        "mail_domain = contoso.com\n"
        "[network]\ninternal_networks = 10.0.0.0/8, fd00::/8 ; comment\n"
        "trusted_proxies = 192.0.2.1\nshow = both\n"
        "[imap]\nadvertise = yes\nexternal = Dublin01.Contoso.com:993:SSL, [2001:db8::1]:143:STARTTLS\n"
        "internal = imap.corp:993:ssl\nusername = localpart\n"
        "[pop3]\nadvertise = no\n"
        "[smtp]\nadvertise = yes\nexternal = smtp.contoso.com:587:STARTTLS\nauthentication = none\n";
    struct config cfg;
    struct buf err = {0};
    int rc = config_load_string("t.conf", text, &cfg, &err);
    if (rc != 0)
        fail_msg("%s", buf_cstr(&err));
    assert_int_equal(cfg.workers, 3);
    assert_int_equal(cfg.threads, 8);
    assert_string_equal(cfg.site_name, "Contoso Mail");
    assert_int_equal(cfg.show, SHOW_BOTH);
    assert_int_equal(cfg.internal_networks.n, 2);
    assert_int_equal(cfg.proto[PROTO_IMAP].n[SIDE_EXTERNAL], 2);
    assert_string_equal(cfg.proto[PROTO_IMAP].ep[SIDE_EXTERNAL][0].host, "Dublin01.Contoso.com");
    assert_int_equal(cfg.proto[PROTO_IMAP].ep[SIDE_EXTERNAL][0].port, 993);
    assert_int_equal(cfg.proto[PROTO_IMAP].ep[SIDE_EXTERNAL][0].tls, TLS_IMPLICIT);
    assert_string_equal(cfg.proto[PROTO_IMAP].ep[SIDE_EXTERNAL][1].host, "2001:db8::1");
    assert_int_equal(cfg.proto[PROTO_IMAP].ep[SIDE_EXTERNAL][1].tls, TLS_STARTTLS);
    assert_int_equal(cfg.proto[PROTO_IMAP].username, USERNAME_LOCALPART);
    assert_false(cfg.proto[PROTO_POP3].advertise);
    assert_false(cfg.proto[PROTO_SMTP].auth_required);
    buf_free(&err);
}

static void test_listen_forms(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err = {0};
    assert_int_equal(config_load_string("t", "[server]\nlisten = fd:0\n", &cfg, &err), 0);
    assert_int_equal(cfg.listen_kind, LISTEN_FD);
    assert_int_equal(cfg.listen_fd, 0);
    assert_int_equal(config_load_string("t", "[server]\nlisten = systemd\n", &cfg, &err), 0);
    assert_int_equal(cfg.listen_fd, 3);
    assert_int_equal(config_load_string("t", "[server]\nlisten = /tmp/p\n", &cfg, &err), 0);
    assert_int_equal(cfg.listen_kind, LISTEN_DIR);
    assert_string_equal(cfg.listen_dir, "/tmp/p");
    buf_free(&err);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err = {0};
    assert_int_equal(config_load("/nonexistent/postern.conf", &cfg, &err), -1);
    assert_string_equal(buf_cstr(&err), "/nonexistent/postern.conf: cannot open: No such file or directory\n");
    buf_free(&err);
}

static void test_example_config_is_valid(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err = {0};
    int rc = config_load("postern.conf.example", &cfg, &err);
    if (rc != 0)
        fail_msg("%s", buf_cstr(&err));
    assert_true(cfg.proto[PROTO_IMAP].advertise);
    buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_several_errors_reported),
        cmocka_unit_test(test_good_config),
        cmocka_unit_test(test_listen_forms),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_example_config_is_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
