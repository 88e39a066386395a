/* test_routing.c — [backend NAME] sections and [routing] rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "routing.h"

static const char *conf =
    "[backend]\nimap = 10.0.0.1:993:SSL\ntls_name = mail.example.com\n"
    "[backend dublin]\nimap = 10.1.0.1:993:SSL\npop3 = 10.1.0.1:995:SSL\n"
    "[backend paris]\nimap = 10.2.0.1:143:STARTTLS\n"
    "[routing]\n@dublin.example.com = dublin\nceo@example.com = paris\n@Paris.Example.com = paris\n";

static void test_rules(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err = {0};
    if (config_load_string("t", conf, &cfg, &err) != 0)
        fail_msg("%s", buf_cstr(&err));
    assert_int_equal(cfg.nbackends, 3);
    static const struct { const char *login, *backend; } rows[] = {
        {"ann@dublin.example.com", "dublin"},
        {"ANN@DUBLIN.EXAMPLE.COM", "dublin"},
        {"ceo@example.com", "paris"},
        {"Ceo@Example.com", "paris"},
        {"bob@paris.example.com", "paris"},
        {"bob@example.com", "default"},
        {"bob@sub.dublin.example.com", "default"},
        {"nodomain", "default"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct backend_conf *b = routing_backend(&cfg, rows[i].login);
        if (strcmp(b->name, rows[i].backend) != 0)
            fail_msg("%s: got %s, want %s", rows[i].login, b->name, rows[i].backend);
    }
    const struct backend_conf *d = routing_backend(&cfg, "x@dublin.example.com");
    assert_int_equal(d->ep[PROTO_POP3].port, 995);
    assert_string_equal(routing_backend(&cfg, "x@y.z")->tls_name, "mail.example.com");
    buf_free(&err);
}

static void test_bad(void **state)
{
    (void)state;
    static const struct { const char *text, *error; } rows[] = {
        {"[routing]\n@x.example = nowhere\n", "t:2: [routing] @x.example: no [backend nowhere] section\n"},
        {"[routing]\nplainname = default\n", "t:2: [routing] plainname: expected user@domain or @domain as the key\n"},
        {"[backend Bad Name]\nimap = a.example:993:SSL\n",
         "t:2: [backend Bad Name] imap: a backend name is lower-case letters, digits, - and _ (not \"default\")\n"},
        {"[backend x]\nfrob = 1\n", "t:2: [backend x] frob: unknown key\n"},
        {"[backend x]\nimap = a.example:143:none\n",
         "t:2: [backend x] imap: encryption none sends passwords in clear: set [upstream] allow_plaintext = yes to allow it\n"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct config cfg;
        struct buf err = {0};
        int rc = config_load_string("t", rows[i].text, &cfg, &err);
        if (rc != -1 || strcmp(buf_cstr(&err), rows[i].error) != 0)
            fail_msg("row %zu: got %s want %s", i, buf_cstr(&err), rows[i].error);
        buf_free(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
