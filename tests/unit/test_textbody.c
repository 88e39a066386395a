/* test_textbody.c — text/plain to HTML: escaping, links, quotes,
 * format=flowed and the output cap, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "corpus.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "textbody.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xef\xbf\xbd"
#define FL TEXTBODY_FLOWED
#define DS (TEXTBODY_FLOWED | TEXTBODY_DELSP)
#define BQ "<blockquote>"
#define EBQ "</blockquote>"
#define BR "<br>\n"
#define A(u) "<a href=\"" u "\" rel=\"noopener noreferrer\" target=\"_blank\">" u "</a>"

static const struct {
    const char *in;
    unsigned flags;
    const char *want;
} cases[] = {
    { "", 0, "" },
    { "hello", 0, "hello" },
    { "a\nb", 0, "a" BR "b" },
    { "a\r\nb\r\n", 0, "a" BR "b" },
    { "a\rb", 0, "a" BR "b" },
    { "a\n\nb", 0, "a" BR BR "b" },
    { "\n", 0, "" },
    { "\n\n", 0, BR },
    /* escaping, spaces, controls */
    { "<script>&\"'`=", 0, "&lt;script&gt;&amp;&quot;&#39;&#96;&#61;" },
    { "&lt;", 0, "&amp;lt;" },
    { "  indented", 0, "&nbsp;&nbsp;indented" },
    { "a  b", 0, "a &nbsp;b" },
    { "a b ", 0, "a b " },
    { "\tx", 0, "&nbsp;&nbsp;&nbsp;&nbsp;x" },
    { "a\x01" "b\x1b[0m\x7f", 0, "a" FFFD "b" FFFD "[0m" FFFD },
    { "a\xc2\x85" "b", 0, "a" FFFD "b" },
    { "\xff" "a\xc3", 0, FFFD "a" FFFD },
    { "caf\xc3\xa9 \xf0\x9f\x98\x80", 0, "caf\xc3\xa9 \xf0\x9f\x98\x80" },
    { "a\f" "b", 0, "a" FFFD "b" },
    /* quoting */
    { "> quoted\nreply", 0, BQ "quoted" EBQ "reply" },
    { "> a\n>> b\n> c", 0, BQ "a" BQ "b" EBQ "c" EBQ },
    { "> > b", 0, BQ BQ "b" EBQ EBQ },
    { ">>  b", 0, BQ BQ "&nbsp;b" EBQ EBQ },
    { ">\n> b", 0, BQ BR "b" EBQ },
    { "a\n> q\n\nb", 0, "a" BQ "q" EBQ BR "b" },
    { ">no space", 0, BQ "no space" EBQ },
    { "5 > 3", 0, "5 &gt; 3" },
    { " > not a quote", 0, "&nbsp;&gt; not a quote" },
    { ">>>>>>>>>>x\ny", 0, BQ BQ BQ BQ BQ BQ BQ BQ "x" EBQ EBQ EBQ EBQ EBQ EBQ EBQ EBQ "y" },
    /* links */
    { "see http://example.com.", 0, "see " A("http://example.com") "." },
    { "https://example.com/a/b?c", 0, A("https://example.com/a/b?c") },
    { "(https://en.wikipedia.org/wiki/Foo_(bar))", 0,
      "(" A("https://en.wikipedia.org/wiki/Foo_(bar)") ")" },
    { "[http://x.org/a]", 0, "[" A("http://x.org/a") "]" },
    { "<https://x.org/a?b=1&c=2>", 0,
      "&lt;" A("https://x.org/a?b&#61;1&amp;c&#61;2") "&gt;" },
    { "mailto:jo@example.org, or", 0, A("mailto:jo@example.org") ", or" },
    { "HTTP://EXAMPLE.COM!", 0, A("HTTP://EXAMPLE.COM") "!" },
    { "http://a\"onmouseover=x", 0, A("http://a") "&quot;onmouseover&#61;x" },
    { "'http://a/it's'", 0, "&#39;" A("http://a/it&#39;s") "&#39;" },
    { "http://x.com/path!?;:,.*", 0, A("http://x.com/path") "!?;:,.*" },
    { "\xe6\x97\xa5http://x.jp/\xe3\x81\xa7", 0,
      "\xe6\x97\xa5" A("http://x.jp/") "\xe3\x81\xa7" },
    { "http://[::1]:80/", 0, A("http://[::1]:80/") },
    { "a http://x b https://y c", 0, "a " A("http://x") " b " A("https://y") " c" },
    { "http://x`y", 0, A("http://x") "&#96;y" },
    { "javascript:alert(1)", 0, "javascript:alert(1)" },
    { "data:text/html,<x>", 0, "data:text/html,&lt;x&gt;" },
    { "ftp://x vbscript:y file:///z", 0, "ftp://x vbscript:y file:///z" },
    { "xhttp://x 1http://x", 0, "xhttp://x 1http://x" },
    { "http:// http://. http:/x https:x", 0, "http:// http://. http:/x https:x" },
    { "mailto: mailto:@x mailto:a@", 0, "mailto: mailto:@x mailto:a@" },
    { "mailto:mailto:a", 0, "mailto:mailto:a" },
    { "http://x\thttp://y", 0, A("http://x") " &nbsp;&nbsp;&nbsp;" A("http://y") },
    { "> http://x", 0, BQ A("http://x") EBQ },
    /* format=flowed */
    { "a \nb", FL, "a b" },
    { "a \nb", DS, "ab" },
    { "a \nb", 0, "a " BR "b" },
    { "a \n b", FL, "a b" },                       /* space-stuffed */
    { " >not quote", FL, "&gt;not quote" },
    { " >not quote", 0, "&nbsp;&gt;not quote" },
    { "> a \n> b\nc", FL, BQ "a b" EBQ "c" },
    { ">> x \n>> y", FL, BQ BQ "x y" EBQ EBQ },
    { "> a \nb", FL, BQ "a " EBQ "b" },           /* depth changes: ends */
    { "-- \nsig", FL, "-- " BR "sig" },           /* signature separator */
    { "a \n", FL, "a " },                         /* flowed to the end */
    { "a \n\nb", FL, "a " BR "b" },
    { "one \ntwo \nthree\nfour", FL, "one two three" BR "four" },
    { "> > a", FL, BQ "&gt; a" EBQ },             /* flowed quotes have no spaces */
    { "see http://x.com/a \nb", FL, "see " A("http://x.com/a") " b" },
    { "http://x.com/a\xc2\xa0\nb", FL, A("http://x.com/a") "\xc2\xa0" BR "b" },
};

static void test_table(void **state)
{
    (void)state;
    struct buf b = {0};
    for (size_t i = 0; i < NELEM(cases); i++) {
        buf_clear(&b);
        buf_puts(&b, "|");
        int r = textbody_to_html(cases[i].in, strlen(cases[i].in), cases[i].flags, 100000, &b);
        if (strcmp(buf_cstr(&b) + 1, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\"", i, buf_cstr(&b) + 1);
        assert_int_equal(r, 0);
    }
    buf_free(&b);
}

/* The tags textbody emits, and nothing else. Returns 1 if out[0..n) is
 * valid UTF-8 whose every "<" starts one of them, with balanced
 * <blockquote>s and links to http, https and mailto only. */
static int only_our_tags(const char *s, size_t n)
{
    static const char a_mid[] = "\" rel=\"noopener noreferrer\" target=\"_blank\">";
    int depth = 0;
    if (!utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = s + i, *q;
        if (*p != '<')
            continue;
        if (strncmp(p, "<br>", 4) == 0 || strncmp(p, "</a>", 4) == 0)
            continue;
        if (strncmp(p, "<blockquote>", 12) == 0)
            depth++;
        else if (strncmp(p, "</blockquote>", 13) == 0)
            depth--;
        else if (strncmp(p, "<a href=\"", 9) != 0)
            return 0;
        else if (strncasecmp(p + 9, "http://", 7) != 0 && strncasecmp(p + 9, "https://", 8) != 0 &&
                 strncasecmp(p + 9, "mailto:", 7) != 0)
            return 0;
        else if ((q = strchr(p + 9, '"')) == NULL || strncmp(q, a_mid, sizeof(a_mid) - 1) != 0 ||
                 memchr(p + 9, '<', (size_t)(q - p - 9)) != NULL)
            return 0;
        if (depth < 0)
            return 0;
    }
    return depth == 0;
}

#define S_OK_SAMPLE "a" BQ A("http://x") BR A("MAILTO:a@b") EBQ "&lt;"

static void test_checker_can_fail(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "<b>", "<a href=\"javascript:x\" rel=\"noopener noreferrer\" target=\"_blank\">",
        "<blockquote>", "</blockquote>", "<a href=\"http://x\">", "\xff",
    };
    for (size_t i = 0; i < NELEM(bad); i++)
        assert_false(only_our_tags(bad[i], strlen(bad[i])));
    assert_true(only_our_tags(S_OK_SAMPLE, sizeof(S_OK_SAMPLE) - 1));
}

/* Output never passes the cap, is cut cleanly and keeps its tags closed. */
static void test_cap(void **state)
{
    (void)state;
    static const char text[] =
        "> quoted & <b>bold</b> with http://example.com/x?a=1&b=2 link\n"
        ">> deeper \xe2\x82\xac\xe2\x82\xac\xe2\x82\xac and  spaces\n"
        "plain line\n\n> again";
    const size_t reserve = TEXTBODY_MAX_DEPTH * 13;
    struct buf b = {0}, full = {0};
    assert_int_equal(textbody_to_html(text, sizeof(text) - 1, 0, 100000, &full), 0);
    for (size_t cap = 0; cap <= full.len + reserve + 1; cap++) {
        buf_clear(&b);
        buf_puts(&b, "pre");
        int r = textbody_to_html(text, sizeof(text) - 1, 0, cap, &b);
        const char *o = b.data + 3;
        size_t n = b.len - 3;
        if (n > cap)
            fail_msg("cap %zu: %zu bytes", cap, n);
        assert_true(only_our_tags(o, n));
        if (cap >= full.len + reserve)
            assert_int_equal(r, 0);
        if (cap < full.len)
            assert_int_equal(r, 1);
        if (r == 0)
            assert_string_equal(o, full.data);
        /* never inside an entity */
        const char *amp = memrchr(o, '&', n);
        if (amp != NULL)
            assert_non_null(memchr(amp, ';', n - (size_t)(amp - o)));
    }
    buf_free(&b);
    buf_free(&full);
}

/* A long line of hostile link material renders in linear time, within
 * the cap. */
static void test_linear(void **state)
{
    (void)state;
    static const char *const units[] = { "mailto:", ")", "http://a(", "&", "h" };
    struct buf in = {0}, b = {0};
    for (size_t u = 0; u < NELEM(units); u++) {
        buf_clear(&in);
        buf_puts(&in, "http://x/");
        while (in.len < 400000)
            buf_puts(&in, units[u]);
        buf_puts(&in, "@y......");
        buf_clear(&b);
        textbody_to_html(in.data, in.len, 0, 4u << 20, &b);
        assert_true(b.len <= 4u << 20);
        assert_true(only_our_tags(b.data, b.len));
    }
    buf_free(&in);
    buf_free(&b);
}

/* A windows-1251 format=flowed body from the corpus, through charset.c. */
static void test_corpus_flowed(void **state)
{
    (void)state;
    FILE *f = corpus_open("libetpan/plaintext-rendering/data/input/989-encoding-7.eml");
    if (f == NULL)
        fail_msg("989-encoding-7.eml not found in ../shared/corpus (or POSTERN_CORPUS)");
    struct buf raw = {0}, utf8 = {0}, html = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&raw, chunk, got);
    fclose(f);
    const char *body = strstr(buf_cstr(&raw), "\r\n\r\n");
    assert_non_null(body);
    body += 4;
    charset_to_utf8("windows-1251", body, raw.len - (size_t)(body - raw.data), 1 << 20, &utf8);
    assert_int_equal(textbody_to_html(utf8.data, utf8.len, FL, 1 << 20, &html), 0);
    assert_string_equal(buf_cstr(&html),
        "\xd0\xa2\xd0\xb5\xd1\x81\xd1\x82\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xb5 \xd1\x81\xd0\xbe"
        "\xd0\xbe\xd0\xb1\xd1\x89\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 \xd0\xb2 \xd0\xba\xd0\xbe"
        "\xd0\xb4\xd0\xb8\xd1\x80\xd0\xbe\xd0\xb2\xd0\xba\xd0\xb5 windows-1251");
    buf_free(&raw);
    buf_free(&utf8);
    buf_free(&html);
    charset_thread_release();
}

/* Whole corpus messages and every naughty string, in every mode: only
 * our tags come out. */
static void check_all_modes(const char *s, size_t n)
{
    static const unsigned modes[] = { 0, FL, DS };
    struct buf b = {0};
    for (size_t m = 0; m < NELEM(modes); m++) {
        buf_clear(&b);
        textbody_to_html(s, n, modes[m], 1 << 20, &b);
        if (!only_our_tags(b.data, b.len))
            fail_msg("mode %u: foreign markup in \"%s\"", modes[m], buf_cstr(&b));
    }
    buf_free(&b);
}

static void test_corpus_all(void **state)
{
    (void)state;
    static const char *const files[] = {
        "mimekit/messages/issue1130.txt", "mimekit/messages/japanese.txt",
        "mimekit/messages/body.1.txt", "mailparser/fixtures/nodemailer.eml",
        "mailparser/fixtures/mixed.eml", "dompurify/payloads.json",
        "libetpan/plaintext-rendering/data/input/965-email-rendering.eml",
        "libetpan/plaintext-rendering/data/input/broken-utf8.eml",
    };
    struct buf raw = {0};
    char chunk[4096];
    size_t got;
    for (size_t i = 0; i < NELEM(files); i++) {
        FILE *f = corpus_open(files[i]);
        if (f == NULL)
            fail_msg("%s not found in ../shared/corpus (or POSTERN_CORPUS)", files[i]);
        buf_clear(&raw);
        while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
            buf_append(&raw, chunk, got);
        fclose(f);
        check_all_modes(raw.data, raw.len);
    }
    FILE *f = corpus_open("blns/blns.txt");
    if (f == NULL)
        fail_msg("blns/blns.txt not found in ../shared/corpus (or POSTERN_CORPUS)");
    char *line = NULL;
    size_t cap = 0, tried = 0;
    ssize_t n;
    while ((n = corpus_next_line(f, &line, &cap)) >= 0) {
        check_all_modes(line, (size_t)n);
        tried++;
    }
    free(line);
    fclose(f);
    buf_free(&raw);
    assert_true(tried > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_checker_can_fail),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_corpus_flowed),
        cmocka_unit_test(test_corpus_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
