/* test_folders.c — typed folder names (foldername.h) and UID sets
 * (uidset.h), table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arena.h"
#include "foldername.h"
#include "uidset.h"

#define S(x) x, sizeof(x) - 1

static void leaf_refused(void **state)
{
    (void)state;
    static const struct { const char *s; size_t len; const char *why; } bad[] = {
        {S(""), "Type a name"},
        {S("A\r\nB"), "line break"},
        {S("A\nB"), "line break"},
        {S("A\rB"), "line break"},
        {S("A\0B"), "line break"},
        {S("tab\there"), "control"},
        {S("del\x7f"), "control"},
        {S("c1\xc2\x85"), "control"},
        {S("bad \xff utf8"), "UTF-8"},
        {S("over\xc0\xaflong"), "UTF-8"},
        {S("Brace {5}"), "braces"},
        {S("{0}"), "braces"},
        {S("x{12+}y"), "braces"},
        {S("a/b"), "separates"},
        {S("*"), "wildcards"},
        {S("50%"), "wildcards"},
        {S(" lead"), "space"},
        {S("trail "), "space"},
        {S("."), "cannot be folder names"},
        {S(".."), "cannot be folder names"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *why = NULL;
        assert_int_equal(foldername_check_leaf(bad[i].s, bad[i].len, '/', &why), -1);
        assert_non_null(strstr(why, bad[i].why));
    }
    char longname[FOLDERNAME_LEAF_MAX + 2];
    memset(longname, 'x', sizeof(longname));
    const char *why = NULL;
    assert_int_equal(foldername_check_leaf(longname, FOLDERNAME_LEAF_MAX + 1, '/', &why), -1);
    assert_int_equal(foldername_check_leaf(longname, FOLDERNAME_LEAF_MAX, '/', &why), 0);
    /* the separator is only refused when it is the server's */
    assert_int_equal(foldername_check_leaf(S("a/b"), '.', &why), 0);
    assert_int_equal(foldername_check_leaf(S("a.b"), '.', &why), -1);
}

static void leaf_accepted(void **state)
{
    (void)state;
    static const char *const good[] = {
        "Inbox archive", "Entwürfe", "日本語", "😀 emoji", "{braces} but no number", "{5", "5}",
        "&", "&-", "\"quoted\"", "back\\slash", "<script>", "NIL", "a.b",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *why = NULL;
        assert_int_equal(foldername_check_leaf(good[i], strlen(good[i]), '/', &why), 0);
    }
}

static void make_names(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *name, *wire, *why;
    assert_int_equal(foldername_make(a, NULL, '/', S("Entwürfe"), &name, &wire, &why), 0);
    assert_string_equal(name, "Entwürfe");
    assert_string_equal(wire, "Entw&APw-rfe");
    assert_int_equal(foldername_make(a, "Projekte Ü", '/', S("2026 & co"), &name, &wire, &why), 0);
    assert_string_equal(name, "Projekte Ü/2026 & co");
    assert_string_equal(wire, "Projekte &ANw-/2026 &- co");
    assert_int_equal(foldername_make(a, "", '/', S("inbox"), &name, &wire, &why), -1);
    assert_non_null(strstr(why, "INBOX"));
    assert_int_equal(foldername_make(a, "Work", '/', S("INBOX"), &name, &wire, &why), 0);
    assert_int_equal(foldername_make(a, "Work", 0, S("child"), &name, &wire, &why), -1);
    /* a long parent chain: the whole wire name is capped */
    char parent[996];
    memset(parent, 'p', sizeof(parent) - 1);
    parent[sizeof(parent) - 1] = '\0';
    assert_int_equal(foldername_make(a, parent, '/', S("child-name"), &name, &wire, &why), -1);
    assert_non_null(strstr(why, "too long"));
    arena_free(a);
}

static void uid_sets(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    static const struct { const char *in, *out; size_t n; } good[] = {
        {"5", "5", 1},
        {"3,1,2", "1:3", 3},
        {"7:3,12,12,4", "3:7,12", 6},
        {"4294967295", "4294967295", 1},
        {"10:1,20", "1:10,20", 11},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct uidset s;
        assert_int_equal(uidset_parse(a, good[i].in, strlen(good[i].in), &s), 0);
        assert_int_equal(s.n, good[i].n);
        assert_string_equal(uidset_format(a, &s), good[i].out);
    }
    static const char *const bad[] = {
        "", "0", "1,", ",1", "1::2", "a", "1 2", "*", "1:*", "4294967296", "-1", "1,0", "1:2000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct uidset s;
        assert_int_equal(uidset_parse(a, bad[i], strlen(bad[i]), &s), -1);
    }
    struct uidset s;
    assert_int_equal(uidset_parse(a, S("1:1000"), &s), 0);
    assert_int_equal(uidset_parse(a, S("1:1000,1001"), &s), -1);
    assert_int_equal(uidset_parse(a, S("2,4:6"), &s), 0);
    assert_true(uidset_has(&s, 5));
    assert_false(uidset_has(&s, 3));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leaf_refused),
        cmocka_unit_test(leaf_accepted),
        cmocka_unit_test(make_names),
        cmocka_unit_test(uid_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
