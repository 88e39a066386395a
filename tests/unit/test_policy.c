/* test_policy.c — refused accounts and per-mailbox protocol switches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "policy.h"

static void load(struct config *cfg, const char *text)
{
    struct buf err = {0};
    if (config_load_string("t", text, cfg, &err) != 0)
        fail_msg("%s", buf_cstr(&err));
    buf_free(&err);
}

static void test_entry_rules(void **state)
{
    (void)state;
    static const struct { const char *entry, *login; int want; } rows[] = {
        {"administrator", "Administrator@example.com", 1},
        {"administrator", "administrator", 1},
        {"administrator", "administrator2@example.com", 0},
        {"administrator", "bob@administrator", 0},
        {"@legacy.example", "ann@LEGACY.example", 1},
        {"@legacy.example", "ann@new.legacy.example", 0},
        {"@legacy.example", "legacy.example", 0},
        {"pop@example.test", "POP@Example.Test", 1},
        {"pop@example.test", "pop@example.tes", 0},
        {"guest", "guest@example.com", 1},
        {"guest", "guestbook@example.com", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (policy_entry_matches(rows[i].entry, rows[i].login) != rows[i].want)
            fail_msg("row %zu: %s vs %s", i, rows[i].entry, rows[i].login);
}

static void test_default_refused(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    assert_true(policy_account_refused(&cfg, "anonymous@example.com"));
    assert_true(policy_account_refused(&cfg, "Guest"));
    assert_true(policy_account_refused(&cfg, "ADMINISTRATOR@example.com"));
    assert_false(policy_account_refused(&cfg, "alice@example.com"));
    assert_true(policy_proto_enabled(&cfg, "alice@example.com", PROTO_IMAP));
    assert_true(policy_proto_enabled(&cfg, "alice@example.com", PROTO_POP3));
}

static void test_configured(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "[policy]\nrefuse_accounts = root, @blocked.example\n"
               "imap_disabled = pop@example.test, @legacy.example\npop3_disabled = alice@example.test\n");
    assert_true(policy_account_refused(&cfg, "root@example.com"));
    assert_true(policy_account_refused(&cfg, "x@blocked.example"));
    /* a configured list replaces the default one */
    assert_false(policy_account_refused(&cfg, "guest@example.com"));
    assert_false(policy_proto_enabled(&cfg, "pop@example.test", PROTO_IMAP));
    assert_true(policy_proto_enabled(&cfg, "pop@example.test", PROTO_POP3));
    assert_false(policy_proto_enabled(&cfg, "z@legacy.example", PROTO_IMAP));
    assert_false(policy_proto_enabled(&cfg, "alice@example.test", PROTO_POP3));
    assert_true(policy_proto_enabled(&cfg, "alice@example.test", PROTO_IMAP));
    assert_true(policy_proto_enabled(&cfg, "alice@example.test", PROTO_SMTP));
}

static void test_bad_lists(void **state)
{
    (void)state;
    static const struct { const char *text, *error; } rows[] = {
        {"[policy]\nimap_disabled = a@b, ,c\n", "t:2: [policy] imap_disabled: empty entry in the list\n"},
        {"[policy]\nimap_disabled = a@b,\n", "t:2: [policy] imap_disabled: trailing comma\n"},
        {"[policy]\nrefuse_accounts = \"root\"\n",
         "t:2: [policy] refuse_accounts: \"\"root\"\" is not an account, @domain or name\n"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct config cfg;
        struct buf err = {0};
        assert_int_equal(config_load_string("t", rows[i].text, &cfg, &err), -1);
        assert_string_equal(buf_cstr(&err), rows[i].error);
        buf_free(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_rules),
        cmocka_unit_test(test_default_refused),
        cmocka_unit_test(test_configured),
        cmocka_unit_test(test_bad_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
