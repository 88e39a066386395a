/* test_bodystructure.c — imap_wire's tokenizer and BODYSTRUCTURE trees,
 * from replies Dovecot 2.3 sent for the demo mailbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bodystructure.h"
#include "imap_wire.h"

static struct bs_part *parse(struct arena *a, const char *s)
{
    struct imapw_tok *t = NULL;
    size_t n = 0, i = 0;
    if (imapw_tokenize(a, s, strlen(s), &t, &n) < 0)
        return NULL;
    struct bs_part *p = bs_parse(a, t, n, &i);
    if (p != NULL && i != n)
        p = NULL;   /* trailing tokens: not consumed as it should */
    free(t);
    return p;
}

static void test_tokens(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct imapw_tok *t = NULL;
    size_t n = 0;
    const char *s = "LIST (\\HasNoChildren \\Sent) \"/\" \"a \\\"q\\\" \\\\ b\" NIL ATOM[x] ()";
    assert_int_equal(imapw_tokenize(a, s, strlen(s), &t, &n), 0);
    assert_int_equal(n, 11);
    assert_true(imapw_is(t, n, 0, "list"));
    assert_int_equal(t[1].kind, IMAPW_OPEN);
    assert_string_equal(t[2].s, "\\HasNoChildren");
    assert_int_equal(t[4].kind, IMAPW_CLOSE);
    assert_int_equal(t[5].kind, IMAPW_STRING);
    assert_string_equal(t[5].s, "/");
    assert_string_equal(t[6].s, "a \"q\" \\ b");
    assert_int_equal(t[7].kind, IMAPW_NIL);
    assert_string_equal(t[8].s, "ATOM[x]");
    assert_int_equal(imapw_skip_list(t, n, 1), 5);
    assert_int_equal(imapw_skip_list(t, n, 9), 11);
    uint64_t v;
    assert_int_equal(imapw_u64(t, n, 0, &v), -1);
    free(t);
    /* an unterminated quoted string is refused */
    assert_int_equal(imapw_tokenize(a, "\"abc", 4, &t, &n), -1);
    arena_free(a);
}

static void test_single_part(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bs_part *p = parse(a, "(\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\" \"delsp\" \"no\") "
                                 "NIL NIL \"7bit\" 322 10 NIL NIL NIL NIL)");
    assert_non_null(p);
    assert_string_equal(p->type, "text");
    assert_string_equal(p->subtype, "plain");
    assert_string_equal(p->section, "1");
    assert_string_equal(bs_param(p->params, p->nparams, "format"), "flowed");
    assert_string_equal(p->encoding, "7bit");
    assert_int_equal(p->size, 322);
    assert_int_equal(p->lines, 10);
    assert_false(bs_is_attachment(p));
    arena_free(a);
}

static void test_nested_alternative_related(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bs_part *p = parse(a,
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 51 1 NIL NIL NIL NIL)"
        "((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 103 2 NIL NIL NIL NIL)"
        "(\"image\" \"png\" NIL \"<logo@news.example.net>\" NIL \"base64\" 4234 NIL "
        "(\"attachment\" (\"filename\" \"logo.png\")) NIL NIL) \"related\" (\"boundary\" \"b1\") NIL NIL NIL) "
        "\"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)");
    assert_non_null(p);
    assert_string_equal(p->type, "multipart");
    assert_string_equal(p->subtype, "alternative");
    assert_int_equal(p->nparts, 2);
    assert_string_equal(p->parts[0].section, "1");
    assert_string_equal(p->parts[1].subtype, "related");
    assert_ptr_equal(p->parts[1].parent, p);
    struct bs_part *img = bs_find(p, "2.2");
    assert_non_null(img);
    assert_string_equal(img->id, "<logo@news.example.net>");
    assert_string_equal(bs_param(img->dparams, img->ndparams, "filename"), "logo.png");
    assert_ptr_equal(img->parent, &p->parts[1]);
    assert_string_equal(bs_find(p, "2.1")->subtype, "html");
    assert_null(bs_find(p, "3"));
    arena_free(a);
}

static void test_message_rfc822(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bs_part *p = parse(a,
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 42 3 NIL NIL NIL NIL)"
        "(\"message\" \"rfc822\" NIL NIL NIL \"8bit\" 374 (\"Fri, 30 Oct 2026 06:25:11 +0000\" "
        "\"Server room access\" ((\"Bob Smith\" NIL \"bob\" \"elsewhere.test\")) "
        "((\"Bob Smith\" NIL \"bob\" \"elsewhere.test\")) ((\"Bob Smith\" NIL \"bob\" \"elsewhere.test\")) "
        "((\"Carol Danvers\" NIL \"carol\" \"example.test\")) NIL NIL NIL \"<x@postern.test>\") "
        "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 74 3 NIL NIL NIL NIL) 12 NIL "
        "(\"attachment\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)");
    assert_non_null(p);
    struct bs_part *m = bs_find(p, "2");
    assert_non_null(m);
    assert_non_null(m->env);
    assert_string_equal(m->env->subject, "Server room access");
    assert_string_equal(m->env->from, "Bob Smith <bob@elsewhere.test>");
    assert_int_equal(m->nparts, 1);
    assert_string_equal(m->parts[0].section, "2.1");
    assert_int_equal(m->lines, 12);
    assert_true(bs_is_attachment(m));
    assert_string_equal(m->disposition, "attachment");
    arena_free(a);
}

static void test_rfc2231_name_and_attachments(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bs_part *p = parse(a,
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 23 1 NIL NIL NIL NIL)"
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"base64\" 50 1 NIL (\"attachment\" "
        "(\"filename*\" \"utf-8''Lebenslauf%20Zo%C3%AB.txt\")) NIL NIL) \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)");
    assert_non_null(p);
    assert_false(bs_is_attachment(&p->parts[0]));
    assert_true(bs_is_attachment(&p->parts[1]));
    assert_string_equal(bs_param(p->parts[1].dparams, p->parts[1].ndparams, "filename*"),
                        "utf-8''Lebenslauf%20Zo%C3%AB.txt");
    arena_free(a);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "(", "()", "(\"text\")", "(\"text\" \"plain\" NIL NIL NIL \"7bit\" x 1)",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) NIL)",
        "(\"text\" \"plain\" (\"charset\") NIL NIL \"7bit\" 1 1)",
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(parse(a, bad[i]));
    /* nesting deeper than BS_DEPTH_MAX */
    size_t depth = BS_DEPTH_MAX + 5;
    char *s = malloc(depth * 40 + 100);
    char *w = s;
    for (size_t i = 0; i < depth; i++)
        *w++ = '(';
    w += sprintf(w, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1");
    *w++ = ')';
    for (size_t i = 1; i < depth; i++)
        w += sprintf(w, " \"mixed\")");
    *w = '\0';
    assert_null(parse(a, s));
    free(s);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_single_part),
        cmocka_unit_test(test_nested_alternative_related),
        cmocka_unit_test(test_message_rfc822),
        cmocka_unit_test(test_rfc2231_name_and_attachments),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
