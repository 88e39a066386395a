/* test_xmlscan.c — the strict XML scanner (src/xmlscan.c) and the
 * escaping writer (src/xmlwrite.c): what is accepted, what is refused
 * (DTDs, entities, bad encodings, malformed markup), the events, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "xmlscan.h"
#include "xmlwrite.h"

/* Events as one line of text: "<{ns}name" ">{ns}name" "'text'". */
static int record(void *ctx, const struct xml_item *it)
{
    struct buf *b = ctx;
    switch (it->event) {
    case XML_START: buf_printf(b, "<{%s}%s ", it->ns, it->local); break;
    case XML_END: buf_printf(b, ">{%s}%s ", it->ns, it->local); break;
    case XML_TEXT: buf_printf(b, "'%s' ", it->text); break;
    }
    return 0;
}

static void test_accepted(void **state)
{
    (void)state;
    static const struct { const char *doc, *want; } cases[] = {
        {"<a/>", "<{}a >{}a "},
        {"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a>x</a>\n", "<{}a 'x' >{}a "},
        {"<?xml version='1.0' standalone='yes'?><a></a>", "<{}a >{}a "},
        {"<a xmlns=\"urn:x\"><b>t</b></a>", "<{urn:x}a <{urn:x}b 't' >{urn:x}b >{urn:x}a "},
        {"<p:a xmlns:p=\"urn:p\"><p:b/><c/></p:a>", "<{urn:p}a <{urn:p}b >{urn:p}b <{}c >{}c >{urn:p}a "},
        {"<a xmlns=\"urn:x\"><b xmlns=\"\"/></a>", "<{urn:x}a <{}b >{}b >{urn:x}a "},
        {"<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x20AC;</a>", "<{}a '<>&\"'AB\xE2\x82\xAC' >{}a "},
        {"<a><![CDATA[<not markup>&amp;]]></a>", "<{}a '<not markup>&amp;' >{}a "},
        {"<a>x<!-- c -->y<?pi data?>z</a>", "<{}a 'xyz' >{}a "},
        {"<!-- before --><a/><!-- after -->  ", "<{}a >{}a "},
        {"<a b=\"1\" c='2' ></a >", "<{}a >{}a "},
        {"<a>\xC3\xA9t\xC3\xA9</a>", "<{}a '\xC3\xA9t\xC3\xA9' >{}a "},
        {"<a x:y=\"1\" xmlns:x=\"urn:x\"/>", "<{}a >{}a "},
        {"<xml:a/>", "<{http://www.w3.org/XML/1998/namespace}a >{http://www.w3.org/XML/1998/namespace}a "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena *a = arena_new();
        struct buf got = {0};
        const char *err = NULL;
        int r = xml_scan(a, cases[i].doc, strlen(cases[i].doc), NULL, record, &got, &err);
        if (r != 0)
            fail_msg("case %zu refused: %s", i, err ? err : "?");
        if (strcmp(buf_cstr(&got), cases[i].want) != 0)
            fail_msg("case %zu: got [%s] want [%s]", i, buf_cstr(&got), cases[i].want);
        buf_free(&got);
        arena_free(a);
    }
}

static void test_refused(void **state)
{
    (void)state;
    static const struct { const char *doc, *why; } cases[] = {
        {"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "document type declarations"},
        {"<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>", "document type declarations"},
        {"<!doctype a><a/>", "document type declarations"},
        {"<a><!ENTITY x \"y\"></a>", "markup declarations"},
        {"<a>&x;</a>", "undefined entity"},
        {"<a>&lt</a>", "no closing"},
        {"<a>&#0;</a>", "does not allow"},
        {"<a>&#xD800;</a>", "does not allow"},
        {"<a>&#x110000;</a>", "beyond Unicode"},
        {"<a>&#xZZ;</a>", "malformed character reference"},
        {"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>", "only UTF-8"},
        {"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", "only UTF-8"},
        {"<?xml encoding=\"utf-8\"?><a/>", "version"},
        {"<a>\xC3\x28</a>", "not valid UTF-8"},
        {"<a>\x01</a>", "control character"},
        {"<a>\xEF\xBF\xBE</a>", "U+FFFE"},
        {"<a></b>", "does not match"},
        {"<a>", "ends inside an element"},
        {"<a><b></a></b>", "does not match"},
        {"</a>", "does not match"},
        {"<a/><b/>", "second root"},
        {"<a/>text", "text after the root"},
        {"text<a/>", "text before the root"},
        {"", "no root element"},
        {"   ", "no root element"},
        {"<a b=\"1\" b=\"2\"/>", "appears twice"},
        {"<a b=1/>", "must be quoted"},
        {"<a b=\"<\"/>", "'<' in an attribute value"},
        {"<a b=\"1\"c=\"2\"/>", "separated by white space"},
        {"<p:a/>", "undeclared namespace prefix"},
        {"<a p:b=\"1\"/>", "undeclared namespace prefix"},
        {"<a xmlns:p=\"\"/>", "cannot be undeclared"},
        {"<a xmlns:xmlns=\"urn:x\"/>", "cannot be declared"},
        {"<a><!-- a -- b --></a>", "inside a comment"},
        {"<a><!-- open </a>", "comment is not closed"},
        {"<a><![CDATA[x</a>", "CDATA section is not closed"},
        {"<a>]]></a>", "in text"},
        {"<a/><?xml version=\"1.0\"?>", "not at the very start"},
        {"<a:/>", "misplaced colon"},
        {"<a:b:c/>", "misplaced colon"},
        {"<1a/>", "a name was expected"},
        {"<a / >", "must be followed by '>'"},
        {"<a", "not closed"},
        {"<a ?>", "not closed properly"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena *a = arena_new();
        struct buf got = {0};
        const char *err = NULL;
        int r = xml_scan(a, cases[i].doc, strlen(cases[i].doc), NULL, record, &got, &err);
        if (r != -1)
            fail_msg("case %zu accepted: %s", i, cases[i].doc);
        if (err == NULL || strstr(err, cases[i].why) == NULL)
            fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err ? err : "(none)", cases[i].why);
        buf_free(&got);
        arena_free(a);
    }
}

/* The input need not be NUL-terminated: the scanner never reads past len. */
static void test_bounds(void **state)
{
    (void)state;
    const char *doc = "<a>x</a>tail-that-is-not-part";
    struct arena *a = arena_new();
    struct buf got = {0};
    assert_int_equal(xml_scan(a, doc, 8, NULL, record, &got, NULL), 0);
    assert_string_equal(buf_cstr(&got), "<{}a 'x' >{}a ");
    /* an embedded NUL is a control character, not the end */
    assert_int_equal(xml_scan(a, "<a>\0</a>", 8, NULL, record, &got, NULL), -1);
    buf_free(&got);
    arena_free(a);
}

static void test_limits(void **state)
{
    (void)state;
    struct xml_limits lim;
    xml_limits_default(&lim);
    lim.max_depth = 3;
    lim.max_text = 4;
    lim.max_elements = 5;
    lim.max_attrs = 4;
    lim.max_ns = 2;
    static const struct { const char *doc; int ok; const char *why; } cases[] = {
        {"<a><b><c/></b></a>", 1, NULL},
        {"<a><b><c><d/></c></b></a>", 0, "nested too deeply"},
        {"<a>abcd</a>", 1, NULL},
        {"<a>ab<!---->cde</a>", 0, "too much text"},
        {"<a><b/><b/><b/><b/></a>", 1, NULL},
        {"<a><b/><b/><b/><b/><b/></a>", 0, "too many elements"},
        {"<a b='1' c='1' d='1' e='1'/>", 1, NULL},
        {"<a b='1' c='1' d='1' e='1' f='1'/>", 0, "too many attributes"},
        {"<a xmlns:p='u' xmlns:q='u'/>", 1, NULL},
        {"<a xmlns:p='u' xmlns:q='u' xmlns:r='u'/>", 0, "too many namespace"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena *a = arena_new();
        struct buf got = {0};
        const char *err = NULL;
        int r = xml_scan(a, cases[i].doc, strlen(cases[i].doc), &lim, record, &got, &err);
        if ((r == 0) != cases[i].ok)
            fail_msg("case %zu: %s (%s)", i, r == 0 ? "accepted" : "refused", err ? err : "");
        if (!cases[i].ok && strstr(err, cases[i].why) == NULL)
            fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].why);
        buf_free(&got);
        arena_free(a);
    }
}

/* A billion-laughs document is refused at its DOCTYPE, before any work;
 * a large flat document is scanned in linear time. */
static void test_hostile_sizes(void **state)
{
    (void)state;
    struct buf doc = {0};
    buf_puts(&doc, "<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for (int i = 1; i < 10; i++)
        buf_printf(&doc, "<!ENTITY lol%d \"&lol%d;&lol%d;&lol%d;&lol%d;\">", i, i - 1, i - 1, i - 1, i - 1);
    buf_puts(&doc, "]><lolz>&lol9;</lolz>");
    struct arena *a = arena_new();
    const char *err = NULL;
    struct buf got = {0};
    assert_int_equal(xml_scan(a, doc.data, doc.len, NULL, record, &got, &err), -1);
    assert_non_null(strstr(err, "byte 0: document type declarations"));
    assert_int_equal(got.len, 0);
    buf_clear(&doc);
    buf_puts(&doc, "<a>");
    for (int i = 0; i < 200000; i++)
        buf_puts(&doc, "x");
    buf_puts(&doc, "</a>");
    assert_int_equal(xml_scan(a, doc.data, doc.len, NULL, record, &got, &err), -1);
    assert_non_null(strstr(err, "too much text"));
    buf_free(&doc);
    buf_free(&got);
    arena_free(a);
}

static int stop_at_b(void *ctx, const struct xml_item *it)
{
    (void)ctx;
    return it->event == XML_START && strcmp(it->local, "b") == 0 ? 7 : 0;
}

static void test_handler_stops(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_int_equal(xml_scan(a, "<a><b/></a>", 11, NULL, stop_at_b, NULL, NULL), 7);
    arena_free(a);
}

static void test_escape(void **state)
{
    (void)state;
    static const struct { const char *in; size_t n; const char *want; } cases[] = {
        {"plain", 5, "plain"},
        {"<&>\"'", 5, "&lt;&amp;&gt;&quot;&apos;"},
        {"a\x01" "b\tc\nd\re", 10, "ab\tc\nd\re"},
        {"\xC3\x28", 2, "\xEF\xBF\xBD("},
        {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xEF\xBF\xBEx", 4, "x"},
        {"\xE2\x82\xAC", 3, "\xE2\x82\xAC"},
        {"a\0b", 3, "ab"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b = {0};
        xml_escape(&b, cases[i].in, cases[i].n);
        if (strcmp(buf_cstr(&b), cases[i].want) != 0)
            fail_msg("case %zu: got [%s]", i, buf_cstr(&b));
        buf_free(&b);
    }
}

/* What the writer makes, the scanner reads back, with the same text. */
static void test_writer_round_trip(void **state)
{
    (void)state;
    struct buf out = {0};
    struct xw w;
    xw_begin(&w, &out);
    xw_open(&w, "root");
    xw_attr(&w, "xmlns", "urn:t");
    xw_attr(&w, "note", "a\"b<c>&'");
    xw_elem(&w, "text", "<script>alert(1)</script> & ]]>");
    xw_elem_uint(&w, "n", 993);
    xw_elem_attr(&w, "descr", "lang", "en", "x");
    xw_empty(&w, "flag");
    xw_elem(&w, "empty", "");
    xw_open(&w, "inner");
    xw_end(&w);
    struct arena *a = arena_new();
    struct buf got = {0};
    const char *err = NULL;
    if (xml_scan(a, out.data, out.len, NULL, record, &got, &err) != 0)
        fail_msg("%s\n%s", err, out.data);
    assert_non_null(strstr(buf_cstr(&got), "'<script>alert(1)</script> & ]]>'"));
    assert_non_null(strstr(buf_cstr(&got), "'993'"));
    assert_null(strstr(out.data, "<script>"));
    assert_non_null(strstr(out.data, "<flag/>"));
    assert_non_null(strstr(out.data, "<empty/>"));
    assert_non_null(strstr(out.data, "<descr lang=\"en\">x</descr>"));
    assert_non_null(strstr(out.data, "</root>\n"));
    buf_free(&got);
    buf_free(&out);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_hostile_sizes),
        cmocka_unit_test(test_handler_stops),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_writer_round_trip),
    };
    return cmocka_run_group_tests_name("xmlscan", tests, NULL, NULL);
}
