/* test_settings.c — client side detection and the settings view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "settings.h"

static const char *conf =
    "[network]\ninternal_networks = 10.0.0.0/8, 192.168.0.0/16, fd00::/8\n"
    "trusted_proxies = 127.0.0.1, 10.9.9.9\n"
    "[imap]\nadvertise = yes\ninternal = imap.corp:993:SSL, imap.corp:143:STARTTLS\n"
    "external = mail.example.com:993:SSL\n"
    "[pop3]\nadvertise = no\ninternal = pop.corp:995:SSL\n"
    "[smtp]\nadvertise = yes\nexternal = mail.example.com:587:STARTTLS\n";

static void load(struct config *cfg, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof(text), "%s%s", conf, extra);
    struct buf err = {0};
    if (config_load_string("t", text, cfg, &err) != 0)
        fail_msg("%s", buf_cstr(&err));
    buf_free(&err);
}

static void test_client_side(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    static const struct { const char *remote, *xff; enum side want; } cases[] = {
        {"10.1.2.3", NULL, SIDE_INTERNAL},
        {"192.168.5.5", NULL, SIDE_INTERNAL},
        {"203.0.113.9", NULL, SIDE_EXTERNAL},
        {"::ffff:10.1.2.3", NULL, SIDE_INTERNAL},
        {"fd12::1", NULL, SIDE_INTERNAL},
        {"2001:db8::1", NULL, SIDE_EXTERNAL},
        {"garbage", NULL, SIDE_EXTERNAL},
        /* XFF from an untrusted peer is ignored */
        {"203.0.113.9", "10.1.1.1", SIDE_EXTERNAL},
        {"10.1.2.3", "203.0.113.9", SIDE_INTERNAL},
        /* trusted proxy: right-most untrusted entry is the client */
        {"127.0.0.1", "10.1.1.1", SIDE_INTERNAL},
        {"127.0.0.1", "203.0.113.7", SIDE_EXTERNAL},
        {"127.0.0.1", "10.1.1.1, 203.0.113.7", SIDE_EXTERNAL},
        {"127.0.0.1", "203.0.113.7, 10.1.1.1", SIDE_INTERNAL},
        {"127.0.0.1", "203.0.113.7, 10.9.9.9", SIDE_EXTERNAL},
        {"127.0.0.1", "10.2.2.2,10.9.9.9 , 127.0.0.1", SIDE_INTERNAL},
        {"127.0.0.1", "not-an-ip", SIDE_EXTERNAL},
        {"127.0.0.1", "", SIDE_EXTERNAL},   /* 127.0.0.1 itself is not internal here */
        {"127.0.0.1", " , ", SIDE_EXTERNAL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum side got = settings_client_side(&cfg, cases[i].remote, cases[i].xff);
        if (got != cases[i].want)
            fail_msg("case %zu (%s, %s): got %d", i, cases[i].remote, cases[i].xff ? cases[i].xff : "-", got);
    }
}

static void test_view_auto(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    struct settings_view v;
    settings_build(&cfg, SIDE_EXTERNAL, SHOW_AUTO, &v);
    assert_false(v.show[SIDE_INTERNAL]);
    assert_true(v.show[SIDE_EXTERNAL]);
    assert_false(v.allowed[SIDE_INTERNAL]);
    assert_int_equal(v.proto[PROTO_IMAP].n[SIDE_EXTERNAL], 1);
    assert_string_equal(v.proto[PROTO_IMAP].ep[SIDE_EXTERNAL][0].host, "mail.example.com");
    /* not advertised: no endpoints even though configured */
    assert_false(v.proto[PROTO_POP3].advertised);
    assert_int_equal(v.proto[PROTO_POP3].n[SIDE_INTERNAL], 0);
    /* an external client cannot ask for internal names */
    settings_build(&cfg, SIDE_EXTERNAL, SHOW_INTERNAL, &v);
    assert_false(v.show[SIDE_INTERNAL]);
    assert_true(v.show[SIDE_EXTERNAL]);
    settings_build(&cfg, SIDE_EXTERNAL, SHOW_BOTH, &v);
    assert_false(v.show[SIDE_INTERNAL]);
    /* an internal client sees internal by default and may ask for both */
    settings_build(&cfg, SIDE_INTERNAL, SHOW_AUTO, &v);
    assert_true(v.show[SIDE_INTERNAL]);
    assert_false(v.show[SIDE_EXTERNAL]);
    assert_int_equal(v.proto[PROTO_IMAP].n[SIDE_INTERNAL], 2);
    assert_int_equal(v.proto[PROTO_IMAP].ep[SIDE_INTERNAL][1].tls, TLS_STARTTLS);
    settings_build(&cfg, SIDE_INTERNAL, SHOW_BOTH, &v);
    assert_true(v.show[SIDE_INTERNAL] && v.show[SIDE_EXTERNAL]);
}

static void test_view_published_both(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "[network]\n");   /* same section again is fine in ini */
    struct buf err = {0};
    char text[2048];
    snprintf(text, sizeof(text), "%s", conf);
    /* show = both publishes internal names to everyone */
    char *pos = strstr(text, "trusted_proxies");
    assert_non_null(pos);
    char with[2100];
    snprintf(with, sizeof(with), "%.*sshow = both\n%s", (int)(pos - text), text, pos);
    assert_int_equal(config_load_string("t", with, &cfg, &err), 0);
    struct settings_view v;
    settings_build(&cfg, SIDE_EXTERNAL, SHOW_AUTO, &v);
    assert_true(v.show[SIDE_INTERNAL] && v.show[SIDE_EXTERNAL]);
    settings_build(&cfg, SIDE_EXTERNAL, SHOW_EXTERNAL, &v);
    assert_false(v.show[SIDE_INTERNAL]);
    buf_free(&err);
}

static void test_cidr(void **state)
{
    (void)state;
    static const struct { const char *net, *ip; int want; } cases[] = {
        {"10.0.0.0/8", "10.255.1.1", 1}, {"10.0.0.0/8", "11.0.0.1", 0},
        {"192.168.1.0/24", "192.168.1.77", 1}, {"192.168.1.0/24", "192.168.2.1", 0},
        {"192.168.1.128/25", "192.168.1.127", 0}, {"192.168.1.128/25", "192.168.1.200", 1},
        {"0.0.0.0/0", "8.8.8.8", 1}, {"0.0.0.0/0", "::1", 0},
        {"::1", "::1", 1}, {"::1/128", "::2", 0}, {"2001:db8::/32", "2001:db8:ffff::1", 1},
        {"10.0.0.0/8", "::ffff:10.0.0.1", 1}, {"127.0.0.1", "127.0.0.1", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cidr_list l;
        char err[128];
        assert_int_equal(cidr_list_parse(cases[i].net, &l, err, sizeof(err)), 0);
        if (cidr_list_match(&l, cases[i].ip) != cases[i].want)
            fail_msg("case %zu: %s in %s", i, cases[i].ip, cases[i].net);
    }
    static const char *const bad[] = {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129", "1.2.3", "a.b.c.d",
                                      "10.0.0.1/8", "", "10.0.0.0/8,", " , ", "01.2.3.4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cidr_list l;
        char err[128];
        int rc = cidr_list_parse(bad[i], &l, err, sizeof(err));
        if (bad[i][0] == '\0')
            assert_int_equal(rc, 0);
        else if (rc != -1)
            fail_msg("accepted bad list \"%s\"", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_side),
        cmocka_unit_test(test_view_auto),
        cmocka_unit_test(test_view_published_both),
        cmocka_unit_test(test_cidr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
