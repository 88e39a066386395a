/* test_tmpl.c — unit tests for src/tmpl.c (escaping, contexts, blocks,
 * partials, load-time errors, load_dir). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "tmpl.h"

/* ---- helpers ---------------------------------------------------------- */

static struct arena *arena;
static struct tmpl_vars *vars;

/* The shared values every render table row sees. */
static void put_vars(struct tmpl_vars *v)
{
    tmpl_put(v, "name", "<b>Bob</b> & 'Al' \"x\" `y` =z");
    tmpl_put(v, "empty", "");
    tmpl_put(v, "zero", "0");
    tmpl_put(v, "title", "ROOT");
    tmpl_put(v, "null", NULL);
    tmpl_put_bool(v, "yes", 1);
    tmpl_put_bool(v, "no", 0);
    tmpl_put_int(v, "n", 42);
    tmpl_put_int(v, "neg", -9000000000LL);
    tmpl_put(v, "bad_utf8", "a\xff" "b\xC3\xA9");
    tmpl_put(v, "u_js", "javascript:alert(1)");
    tmpl_put(v, "u_JS", "JaVaScRiPt:alert(1)");
    tmpl_put(v, "u_tab", "java\tscript:alert(1)");
    tmpl_put(v, "u_nl", "java\nscript:alert(1)");
    tmpl_put(v, "u_space", " javascript:alert(1)");
    tmpl_put(v, "u_data", "data:text/html,<script>alert(1)</script>");
    tmpl_put(v, "u_vb", "vbscript:msgbox(1)");
    tmpl_put(v, "u_script", "script:alert(1)");
    tmpl_put(v, "u_rel", "/inbox?id=1&x=2");
    tmpl_put(v, "u_relcolon", "folder/a:b");
    tmpl_put(v, "u_frag", "#top");
    tmpl_put(v, "u_query", "?a=b");
    tmpl_put(v, "u_dot", "./x");
    tmpl_put(v, "u_http", "http://example.org/");
    tmpl_put(v, "u_https", "HTTPS://example.org/");
    tmpl_put(v, "u_mailto", "MailTo:a@example.org");
    tmpl_put(v, "u_httpx", "httpx://example.org/");
    tmpl_put_trusted_html(v, "trusted", "<b>ok</b>");
    tmpl_put_trusted_html(v, "trusted_empty", "");

    struct tmpl_vars *it = tmpl_add_item(v, "items");
    tmpl_put(it, "title", "a");
    it = tmpl_add_item(v, "items");
    tmpl_put(it, "title", "<i>");
    it = tmpl_add_item(v, "items");  /* no title: falls back to ROOT */
    (void)it;

    const char *groups[][3] = {{"g1", "x", "y"}, {"g2", "z", NULL}};
    for (size_t g = 0; g < 2; g++) {
        struct tmpl_vars *gv = tmpl_add_item(v, "groups");
        tmpl_put(gv, "gname", groups[g][0]);
        for (size_t r = 1; r < 3 && groups[g][r]; r++)
            tmpl_put(tmpl_add_item(gv, "rows"), "r", groups[g][r]);
    }
}

static int setup(void **state)
{
    (void)state;
    arena = arena_new();
    vars = tmpl_vars_new(arena);
    put_vars(vars);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(arena);
    return 0;
}

/* Parses tpl as "t" and renders it with vars; the result is malloc'd. */
static char *render_str(const char *tpl)
{
    char err[256] = "";
    struct tmpl_set *set = tmpl_set_new();
    int rc = tmpl_set_add(set, "t", tpl, strlen(tpl), err, sizeof(err));
    if (rc != 0)
        fail_msg("template %s: %s", tpl, err);
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "t", vars, &out), 0);
    char *s = strdup(buf_cstr(&out));
    buf_free(&out);
    tmpl_set_free(set);
    return s;
}

struct row {
    const char *in, *out;
};

static void check_rows(const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        static char got[1024];
        char *s = render_str(rows[i].in);
        snprintf(got, sizeof(got), "%s", s);
        free(s);  /* before fail_msg, which does not return */
        if (strcmp(got, rows[i].out) != 0)
            fail_msg("template %s\n  got  %s\n  want %s", rows[i].in, got, rows[i].out);
    }
}

#define CHECK_ROWS(rows) check_rows(rows, sizeof(rows) / sizeof(rows[0]))

/* ---- escaping --------------------------------------------------------- */

static void test_escape_html(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } rows[] = {
        {"plain", 5, "plain"},
        {"<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"a & b", 5, "a &amp; b"},
        {"\"'`=", 4, "&quot;&#39;&#96;&#61;"},
        {"a\0b\0", 4, "ab"},
        {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
        {"\xff", 1, "\xEF\xBF\xBD"},
        {"a\x80z", 3, "a\xEF\xBF\xBDz"},
        {"\xE2\x82", 2, "\xEF\xBF\xBD"},                 /* truncated: one U+FFFD */
        {"\xE2\x82<", 3, "\xEF\xBF\xBD&lt;"},
        {"\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},     /* overlong '/' */
        {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  /* surrogate */
        {"\xF4\x90\x80\x80", 4, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xF0\x9F\x98", 3, "\xEF\xBF\xBD"},
        {"", 0, ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct buf b = {0};
        tmpl_escape_html(&b, rows[i].in, rows[i].len);
        assert_string_equal(buf_cstr(&b), rows[i].out);
        buf_free(&b);
    }
}

static void test_url_is_safe(void **state)
{
    static const struct {
        const char *url;
        int ok;
    } rows[] = {
        {"javascript:alert(1)", 0}, {"JaVaScRiPt:alert(1)", 0},
        {"java\tscript:alert(1)", 0}, {"java\nscript:x", 0},
        {" javascript:x", 0}, {"\x01javascript:x", 0}, {"data:text/html,x", 0},
        {"vbscript:x", 0}, {"httpx://a", 0}, {"http :x", 0}, {":x", 0},
        {"", 1}, {"/a", 1}, {"#f", 1}, {"?q=1", 1}, {"./x", 1}, {"a/b:c", 1},
        {"a?b:c", 1}, {"a#b:c", 1}, {"plain", 1}, {"http://a", 1},
        {"HTTPS://a", 1}, {"mailto:a@b", 1}, {"MAILTO:a@b", 1},
        {"//evil.example/x", 0}, {"/\\evil.example", 0}, {"\\\\evil.example", 0},
        {"\\/evil.example", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (tmpl_url_is_safe(rows[i].url) != rows[i].ok)
            fail_msg("url %s: want %d", rows[i].url, rows[i].ok);
}

/* ---- contexts --------------------------------------------------------- */

static void test_text_and_attributes(void **state)
{
    static const struct row rows[] = {
        {"{{name}}", "&lt;b&gt;Bob&lt;/b&gt; &amp; &#39;Al&#39; &quot;x&quot; &#96;y&#96; &#61;z"},
        {"<p title=\"{{name}}\"></p>", "<p title=\"&lt;b&gt;Bob&lt;/b&gt; &amp; &#39;Al&#39; &quot;x&quot; &#96;y&#96; &#61;z\"></p>"},
        {"<p title='{{name}}'></p>", "<p title='&lt;b&gt;Bob&lt;/b&gt; &amp; &#39;Al&#39; &quot;x&quot; &#96;y&#96; &#61;z'></p>"},
        {"<title>{{name}}</title>", "<title>&lt;b&gt;Bob&lt;/b&gt; &amp; &#39;Al&#39; &quot;x&quot; &#96;y&#96; &#61;z</title>"},
        {"{{ n }}|{{n}}|{{neg}}", "42|42|-9000000000"},
        {"[{{missing}}][{{empty}}][{{null}}]", "[][][]"},
        {"{{yes}}{{no}}", "10"},
        {"{{bad_utf8}}", "a\xEF\xBF\xBD" "b\xC3\xA9"},
        {"{{items}}", ""},
        {"a{{! a comment }}b{{!\nmulti\nline}}c", "abc"},
        {"<p>a < b {{n}}</p>", "<p>a < b 42</p>"},
        {"<script src=\"/x.js\"></script>{{n}}", "<script src=\"/x.js\"></script>42"},
        {"<script>if (a < b) x();</script >{{n}}", "<script>if (a < b) x();</script >42"},
        {"<style>p{}</style><p>{{n}}</p>", "<style>p{}</style><p>42</p>"},
        {"<!-- c -- > -->{{n}}<!---->{{n}}", "<!-- c -- > -->42<!---->42"},
        {"<!DOCTYPE html><html>{{n}}", "<!DOCTYPE html><html>42"},
        {"<textarea>{{name}}</textarea>", "<textarea>&lt;b&gt;Bob&lt;/b&gt; &amp; &#39;Al&#39; &quot;x&quot; &#96;y&#96; &#61;z</textarea>"},
        {"<data-x value=\"{{n}}\"></data-x>", "<data-x value=\"42\"></data-x>"},
        {"<a data-href=\"{{u_js}}\">x</a>", "<a data-href=\"javascript:alert(1)\">x</a>"},
    };
    (void)state;
    CHECK_ROWS(rows);
}

static void test_url_attributes(void **state)
{
    static const struct row rows[] = {
        {"<a href=\"{{u_js}}\">x</a>", "<a href=\"about:invalid\">x</a>"},
        {"<a href=\"{{u_JS}}\">x</a>", "<a href=\"about:invalid\">x</a>"},
        {"<a href=\"{{u_tab}}\">x</a>", "<a href=\"about:invalid\">x</a>"},
        {"<a href=\"{{u_nl}}\">x</a>", "<a href=\"about:invalid\">x</a>"},
        {"<a href=\"{{u_space}}\">x</a>", "<a href=\"about:invalid\">x</a>"},
        {"<img src=\"{{u_data}}\">", "<img src=\"about:invalid\">"},
        {"<form action='{{u_vb}}'></form>", "<form action='about:invalid'></form>"},
        {"<a HREF = \"{{u_js}}\">x</a>", "<a HREF = \"about:invalid\">x</a>"},
        {"<svg><a xlink:href=\"{{u_js}}\"></a></svg>", "<svg><a xlink:href=\"about:invalid\"></a></svg>"},
        {"<a href=\"{{u_httpx}}\"></a>", "<a href=\"about:invalid\"></a>"},
        {"<a href=\"{{u_rel}}\"></a>", "<a href=\"/inbox?id&#61;1&amp;x&#61;2\"></a>"},
        {"<a href=\"{{u_relcolon}}\"></a>", "<a href=\"folder/a:b\"></a>"},
        {"<a href=\"{{u_frag}}\"></a>", "<a href=\"#top\"></a>"},
        {"<a href=\"{{u_query}}\"></a>", "<a href=\"?a&#61;b\"></a>"},
        {"<a href=\"{{u_dot}}\"></a>", "<a href=\"./x\"></a>"},
        {"<a href=\"{{u_http}}\"></a>", "<a href=\"http://example.org/\"></a>"},
        {"<a href=\"{{u_https}}\"></a>", "<a href=\"HTTPS://example.org/\"></a>"},
        {"<a href=\"{{u_mailto}}\"></a>", "<a href=\"MailTo:a@example.org\"></a>"},
        {"<a href=\"{{missing}}\"></a>", "<a href=\"\"></a>"},
        {"<a href=\"{{trusted}}\"></a>", "<a href=\"&lt;b&gt;ok&lt;/b&gt;\"></a>"},
        /* once literal text settles the scheme, values are only escaped */
        {"<a href=\"/go?to={{u_js}}\"></a>", "<a href=\"/go?to=javascript:alert(1)\"></a>"},
        {"<a href=\"mailto:{{u_js}}\"></a>", "<a href=\"mailto:javascript:alert(1)\"></a>"},
        /* ...but not before: "java" + "script:..." is still checked */
        {"<a href=\"java{{u_script}}\"></a>", "<a href=\"javaabout:invalid\"></a>"},
        {"<a href=\"  {{u_js}}\"></a>", "<a href=\"  about:invalid\"></a>"},
        /* a value after another value (which may be empty) is checked too */
        {"<a href=\"{{empty}}{{u_js}}\"></a>", "<a href=\"about:invalid\"></a>"},
        {"<a href=\"{{#if yes}}/{{/if}}{{u_js}}\"></a>", "<a href=\"/about:invalid\"></a>"},
        {"<a href=\"{{#if no}}/{{/if}}{{u_js}}\"></a>", "<a href=\"about:invalid\"></a>"},
        {"<a href=\"{{#each items}}{{u_js}}/{{/each}}\"></a>", "<a href=\"about:invalid/about:invalid/about:invalid/\"></a>"},
    };
    (void)state;
    CHECK_ROWS(rows);
}

static void test_trusted_html(void **state)
{
    static const struct row rows[] = {
        {"<div>{{trusted}}</div>", "<div><b>ok</b></div>"},
        {"<p title=\"{{trusted}}\"></p>", "<p title=\"&lt;b&gt;ok&lt;/b&gt;\"></p>"},
        {"<textarea>{{trusted}}</textarea>", "<textarea>&lt;b&gt;ok&lt;/b&gt;</textarea>"},
        {"<title>{{trusted}}</title>", "<title>&lt;b&gt;ok&lt;/b&gt;</title>"},
        /* text in one branch, RCDATA in the other: the stricter wins */
        {"{{#if yes}}<textarea>{{else}}<div>{{/if}}{{trusted}}</textarea>",
         "<textarea>&lt;b&gt;ok&lt;/b&gt;</textarea>"},
    };
    (void)state;
    CHECK_ROWS(rows);
}

/* ---- blocks ----------------------------------------------------------- */

static void test_blocks(void **state)
{
    static const struct row rows[] = {
        {"{{#if yes}}Y{{else}}N{{/if}}", "Y"},
        {"{{#if no}}Y{{else}}N{{/if}}", "N"},
        {"{{#if empty}}Y{{else}}N{{/if}}", "N"},
        {"{{#if zero}}Y{{else}}N{{/if}}", "N"},
        {"{{#if missing}}Y{{else}}N{{/if}}", "N"},
        {"{{#if name}}Y{{else}}N{{/if}}", "Y"},
        {"{{#if n}}Y{{else}}N{{/if}}", "Y"},
        {"{{#if items}}Y{{else}}N{{/if}}", "Y"},
        {"{{#if trusted}}Y{{else}}N{{/if}}", "Y"},
        {"{{#if trusted_empty}}Y{{else}}N{{/if}}", "N"},
        {"{{#if yes}}Y{{/if}}|{{#if no}}Y{{/if}}", "Y|"},
        {"{{#unless no}}U{{else}}X{{/unless}}", "U"},
        {"{{#unless yes}}U{{else}}X{{/unless}}", "X"},
        {"{{#unless missing}}U{{/unless}}", "U"},
        {"{{ #if yes }}a{{ else }}b{{ /if }}", "a"},
        {"{{#if yes}}{{#if no}}1{{else}}2{{#unless no}}3{{/unless}}{{/if}}{{/if}}", "23"},
        {"{{#each items}}[{{@index}}/{{@number}}:{{title}}]{{else}}none{{/each}}",
         "[0/1:a][1/2:&lt;i&gt;][2/3:ROOT]"},
        {"{{#each missing}}x{{else}}none{{/each}}", "none"},
        {"{{#each name}}x{{else}}not a list{{/each}}", "not a list"},
        {"{{title}}{{#each items}}{{/each}}{{title}}", "ROOTROOT"},
        {"{{#each groups}}{{#each rows}}{{gname}}.{{r}}.{{@index}}.{{n}} {{/each}}{{@number}};{{/each}}",
         "g1.x.0.42 g1.y.1.42 1;g2.z.0.42 2;"},
        {"{{#each groups}}{{#each items}}{{gname}}{{/each}}{{/each}}", "g1g1g1g2g2g2"},
        {"{{@index}}{{@number}}", ""},
        {"<input {{#if yes}}checked{{/if}}>", "<input checked>"},
        {"<input {{#if no}}checked{{/if}}>", "<input >"},
        {"<input {{#if yes}}checked {{/if}}value=\"{{n}}\">", "<input checked value=\"42\">"},
        {"<tr class=\"{{#if yes}}odd{{/if}}\"></tr>", "<tr class=\"odd\"></tr>"},
        {"<a href=\"/s\"{{#if yes}} aria-current=\"page\"{{/if}}>x</a>", "<a href=\"/s\" aria-current=\"page\">x</a>"},
        {"<ul>{{#each items}}<li class=\"i{{@index}}\">{{title}}</li>{{/each}}</ul>",
         "<ul><li class=\"i0\">a</li><li class=\"i1\">&lt;i&gt;</li><li class=\"i2\">ROOT</li></ul>"},
        {"<p class=\"{{#each items}}{{title}} {{/each}}\"></p>", "<p class=\"a &lt;i&gt; ROOT \"></p>"},
        {"{{#if yes}}<b title=\"{{else}}<i title=\"{{/if}}{{n}}\">x", "<b title=\"42\">x"},
    };
    (void)state;
    CHECK_ROWS(rows);
}

/* ---- load-time errors ------------------------------------------------- */

static char deep[400];

static void test_parse_errors(void **state)
{
    static const struct row rows[] = {
        {"a\n{{name", "t:2: unclosed {{"},
        {"a\nb}}{{x}\n", "t:2: unclosed {{"},
        {"{{}}", "t:1: empty {{}}"},
        {"{{#foo x}}{{/foo}}", "t:1: unknown directive {{#foo}}"},
        {"{{{x}}}", "t:1: unknown directive"},
        {"{{&x}}", "t:1: unknown directive"},
        {"{{#if}}{{/if}}", "t:1: bad name in {{#if}}"},
        {"{{#each a b}}{{/each}}", "t:1: bad name in {{#each}}"},
        {"{{a b}}", "t:1: bad name"},
        {"{{a<b}}", "t:1: bad name"},
        {"{{@foo}}", "t:1: unknown variable (only @index and @number)"},
        {"{{#if a}}\n{{/each}}", "t:2: {{/each}} closes {{#if}} from line 1"},
        {"{{/if}}", "t:1: {{/if}} without an open block"},
        {"{{/if x}}", "t:1: unknown directive {{/if x}}"},
        {"x\n\n{{#each a}}\n", "t:3: unclosed {{#each}}"},
        {"{{#if a}}{{#unless b}}{{/unless}}\n", "t:1: unclosed {{#if}}"},
        {"\n{{else}}", "t:2: {{else}} outside a block"},
        {"{{#if a}}{{else}}\n{{else}}{{/if}}", "t:2: second {{else}} in {{#if}}"},
        {"{{> }}", "t:1: bad name in {{> partial}}"},
        {"{{> a b}}", "t:1: bad name in {{> partial}}"},
        {deep, "t:1: blocks nested deeper than 32"},
        /* contexts */
        {"<a href={{u}}>", "t:1: substitution in unquoted attribute value"},
        {"<a title=x{{u}}>", "t:1: substitution in unquoted attribute value"},
        {"<a title=\n{{u}}>", "t:2: substitution in unquoted attribute value"},
        {"<{{t}}>", "t:1: substitution in tag name"},
        {"<a{{x}}>", "t:1: substitution in tag name"},
        {"</a{{x}}>", "t:1: substitution in tag name"},
        {"<a {{x}}>", "t:1: substitution in attribute name"},
        {"<a b{{x}}=\"\">", "t:1: substitution in attribute name"},
        {"<a b {{x}}>", "t:1: substitution in attribute name"},
        {"<a title=\"x\"{{x}}>", "t:1: substitution in attribute name"},
        {"<br/{{x}}>", "t:1: substitution in attribute name"},
        {"<script>{{x}}</script>", "t:1: substitution inside <script>"},
        {"<script src=\"a.js\">\n{{x}}</script>", "t:2: substitution inside <script>"},
        {"<SCRIPT>var s = '</scrip' + '{{x}}';</SCRIPT>", "t:1: substitution inside <script>"},
        {"<style>{{x}}</style>", "t:1: substitution inside <style>"},
        {"<noscript>{{x}}</noscript>", "t:1: substitution inside <noscript>"},
        {"<textarea></{{x}}</textarea>", "t:1: substitution inside an end tag"},
        {"<!-- {{x}} -->", "t:1: substitution inside HTML comment"},
        {"<!-- a -- b {{x}} -->", "t:1: substitution inside HTML comment"},
        {"<!DOCTYPE {{x}}>", "t:1: substitution inside HTML comment"},
        {"<a onclick=\"{{x}}\">", "t:1: substitution in event handler attribute"},
        {"<a ONMOUSEOVER='{{x}}'>", "t:1: substitution in event handler attribute"},
        {"<a onverylongeventnamexyz=\"{{x}}\">", "t:1: substitution in event handler attribute"},
        {"<p style=\"{{x}}\">", "t:1: substitution in style attribute"},
        {"<img srcset=\"{{x}}\">", "t:1: substitution in srcset attribute"},
        {"<iframe srcdoc=\"{{x}}\"></iframe>", "t:1: substitution in srcdoc attribute"},
        {"<script>\n<!--\n</script>", "t:2: \"<!--\" inside <script> is not supported"},
        {"<p class=\"a", "t:1: template ends inside a tag, comment or raw-text element"},
        {"<script>\n", "t:2: template ends inside a tag, comment or raw-text element"},
        {"<!-- x", "t:1: template ends inside a tag, comment or raw-text element"},
        {"{{#if a}}<script>{{/if}}{{y}}", "t:1: substitution inside <script>"},
        {"{{#if a}}<b title=\"{{/if}}x", "t:1: template ends inside a tag, comment or raw-text element"},
        {"{{#each a}}<b title=\"{{/each}}\">", "t:1: {{#each}} body changes HTML context"},
        {"{{#each a}}<!--{{else}}{{/each}}-->", "t:1: {{#each}} body changes HTML context"},
        {"<textarea>{{> p}}</textarea>", "t:1: {{> partial}} outside HTML text"},
        {"<a {{> p}}>", "t:1: {{> partial}} outside HTML text"},
        {"{{#if a}}<b class=\"{{/if}}{{> p}}", "t:1: {{> partial}} outside HTML text"},
    };
    (void)state;
    for (int i = 0; i < 33; i++)
        memcpy(deep + 9 * i, "{{#if a}}", 9);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char err[256] = "";
        struct tmpl_set *set = tmpl_set_new();
        int rc = tmpl_set_add(set, "t", rows[i].in, strlen(rows[i].in), err, sizeof(err));
        if (rc != -1 || strcmp(err, rows[i].out) != 0)
            fail_msg("template %s\n  got  %d %s\n  want %s", rows[i].in, rc, err, rows[i].out);
        assert_false(tmpl_set_has(set, "t"));
        tmpl_set_free(set);
    }
}

static void test_nesting_limit_ok(void **state)
{
    char tpl[32 * 9 + 32 * 7 + 1], *p = tpl;
    (void)state;
    for (int i = 0; i < 32; i++, p += 9)
        memcpy(p, "{{#if a}}", 9);
    for (int i = 0; i < 32; i++, p += 7)
        memcpy(p, "{{/if}}", 7);
    *p = '\0';
    char err[128];
    struct tmpl_set *set = tmpl_set_new();
    assert_int_equal(tmpl_set_add(set, "t", tpl, strlen(tpl), err, sizeof(err)), 0);
    tmpl_set_free(set);
}

static void test_add_names(void **state)
{
    char err[128];
    struct tmpl_set *set = tmpl_set_new();
    (void)state;
    assert_int_equal(tmpl_set_add(set, "bad name", "x", 1, err, sizeof(err)), -1);
    assert_string_equal(err, "bad name:1: bad template name");
    assert_int_equal(tmpl_set_add(set, "t", "x", 1, err, sizeof(err)), 0);
    assert_int_equal(tmpl_set_add(set, "t", "y", 1, err, sizeof(err)), -1);
    assert_string_equal(err, "t:1: template already loaded");
    assert_int_equal(tmpl_set_add(set, "u", "{{", 2, NULL, 0), -1);  /* no err buffer */
    assert_true(tmpl_set_has(set, "t"));
    assert_false(tmpl_set_has(set, "u"));
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "nope", NULL, &out), -1);
    assert_int_equal(tmpl_render(set, "t", NULL, &out), 0);
    assert_string_equal(buf_cstr(&out), "x");
    buf_free(&out);
    tmpl_set_free(set);
    tmpl_set_free(NULL);
}

/* ---- partials --------------------------------------------------------- */

static struct tmpl_set *set_of(const char *const *tpl, size_t n)
{
    char err[256];
    struct tmpl_set *set = tmpl_set_new();
    for (size_t i = 0; i < n; i += 2)
        if (tmpl_set_add(set, tpl[i], tpl[i + 1], strlen(tpl[i + 1]), err, sizeof(err)) != 0)
            fail_msg("%s", err);
    return set;
}

static void test_partials(void **state)
{
    static const char *const tpl[] = {
        "header", "<html><title>{{title}}</title><body>",
        "footer", "<footer>{{n}}</footer></body></html>",
        "row", "<li>{{@number}}. {{title}}</li>",
        "page", "{{> header}}<ul>{{#each items}}{{> row}}{{/each}}</ul>{{> footer}}",
        "later", "[{{> notyet}}]",
    };
    struct tmpl_set *set = set_of(tpl, sizeof(tpl) / sizeof(tpl[0]));
    struct buf out = {0};
    char err[128];
    (void)state;
    assert_int_equal(tmpl_render(set, "page", vars, &out), 0);
    assert_string_equal(buf_cstr(&out),
        "<html><title>ROOT</title><body><ul><li>1. a</li><li>2. &lt;i&gt;</li>"
        "<li>3. ROOT</li></ul><footer>42</footer></body></html>");
    buf_clear(&out);
    assert_int_equal(tmpl_render(set, "later", vars, &out), 0);
    assert_string_equal(buf_cstr(&out), "[]");
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), -1);
    assert_string_equal(err, "later:1: unknown partial {{> notyet}}");
    assert_int_equal(tmpl_set_add(set, "notyet", "ok", 2, err, sizeof(err)), 0);
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), 0);
    buf_clear(&out);
    assert_int_equal(tmpl_render(set, "later", vars, &out), 0);
    assert_string_equal(buf_cstr(&out), "[ok]");
    /* a cycle is refused when its last template is added */
    assert_int_equal(tmpl_set_add(set, "c1", "{{> c2}}", 8, err, sizeof(err)), 0);
    assert_int_equal(tmpl_set_add(set, "c2", "x\n{{> c1}}", 10, err, sizeof(err)), -1);
    assert_string_equal(err, "c2:2: include cycle through {{> c1}}");
    assert_int_equal(tmpl_set_add(set, "self", "{{#if a}}{{> self}}{{/if}}", 26, err, sizeof(err)), -1);
    assert_string_equal(err, "self:1: include cycle through {{> self}}");
    assert_false(tmpl_set_has(set, "c2"));
    buf_clear(&out);
    assert_int_equal(tmpl_render(set, "c1", vars, &out), 0);
    assert_string_equal(buf_cstr(&out), "");
    buf_free(&out);
    tmpl_set_free(set);
}

static void test_partial_limits(void **state)
{
    char name[8], text[32], err[256];
    struct tmpl_set *set = tmpl_set_new();
    (void)state;
    /* a chain of TMPL_MAX_INCLUDE templates is fine, one more is not */
    for (int i = TMPL_MAX_INCLUDE; i > 0; i--) {
        snprintf(name, sizeof(name), "p%d", i);
        snprintf(text, sizeof(text), i == TMPL_MAX_INCLUDE ? "end" : "{{> p%d}}", i + 1);
        assert_int_equal(tmpl_set_add(set, name, text, strlen(text), err, sizeof(err)), 0);
    }
    assert_int_equal(tmpl_set_add(set, "p0", "{{> p1}}", 8, err, sizeof(err)), -1);
    assert_string_equal(err, "p0:1: partials nested too deeply at {{> p1}}");
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "p1", NULL, &out), 0);
    assert_string_equal(buf_cstr(&out), "end");
    buf_free(&out);
    tmpl_set_free(set);

    /* {{#each}} frames add up across partials */
    char a[32 * 16 + 16 + 32 * 9 + 1], *p = a;
    for (int i = 0; i < 32; i++, p += 16)
        memcpy(p, "{{#each items}}x", 16);
    memcpy(p, "{{> inner}}", 11), p += 11;
    for (int i = 0; i < 32; i++, p += 9)
        memcpy(p, "{{/each}}", 9);
    *p = '\0';
    set = tmpl_set_new();
    assert_int_equal(tmpl_set_add(set, "outer", a, strlen(a), err, sizeof(err)), 0);
    strstr(a, "{{> inner}}")[4] = 'x';  /* "{{> xnner}}": no more include */
    assert_int_equal(tmpl_set_add(set, "inner", a, strlen(a), err, sizeof(err)), -1);
    assert_string_equal(err, "outer:1: partials nested too deeply at {{> inner}}");
    tmpl_set_free(set);
}

/* ---- load_dir --------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

static void test_load_dir(void **state)
{
    char dir[] = "/tmp/test_tmpl.XXXXXX", err[256];
    struct tmpl_set *set = (void *)1;
    struct buf out = {0};
    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "header.html", "<h1>{{title}}</h1>\n");
    write_file(dir, "page.html", "{{> header}}\n<p>{{n}}</p>\n");
    write_file(dir, "notes.txt", "{{ not a template");
    write_file(dir, ".hidden.html", "{{");
    assert_int_equal(tmpl_set_load_dir(dir, &set, err, sizeof(err)), 0);
    assert_true(tmpl_set_has(set, "page"));
    assert_true(tmpl_set_has(set, "header"));
    assert_false(tmpl_set_has(set, "notes"));
    assert_int_equal(tmpl_render(set, "page", vars, &out), 0);
    assert_string_equal(buf_cstr(&out), "<h1>ROOT</h1>\n\n<p>42</p>\n");
    buf_free(&out);
    tmpl_set_free(set);

    static const struct {
        const char *file, *text, *err;
    } bad[] = {
        {"page.html", "x\n{{> header}}\n{{> nope}}\n", "page.html:3: unknown partial {{> nope}}"},
        {"a.html", "{{> b}}", "b.html:2: include cycle through {{> a}}"},
        {"b.html", "\n{{> a}}", "b.html:2: include cycle through {{> a}}"},
        {"bad.html", "<p>\n\n{{name", "bad.html:3: unclosed {{"},
        {"sp ace.html", "x", "sp ace.html:1: bad template name"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(dir, bad[i].file, bad[i].text);
        if (i == 1)
            continue;  /* a.html alone is fine: b.html comes next */
        set = (void *)1;
        assert_int_equal(tmpl_set_load_dir(dir, &set, err, sizeof(err)), -1);
        assert_null(set);
        assert_string_equal(err, bad[i].err);
        remove_file(dir, bad[i].file);
        if (i == 2)
            remove_file(dir, "a.html");
        if (i == 0)
            write_file(dir, "page.html", "{{> header}}\n<p>{{n}}</p>\n");
    }
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/dir.html", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(tmpl_set_load_dir(dir, &set, err, sizeof(err)), -1);
    assert_string_equal(err, "dir.html:0: cannot read: not a regular file of at most 1 MiB");
    assert_int_equal(rmdir(sub), 0);
    const char *files[] = {"header.html", "page.html", "notes.txt", ".hidden.html"};
    for (size_t i = 0; i < 4; i++)
        remove_file(dir, files[i]);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(tmpl_set_load_dir(dir, &set, err, sizeof(err)), -1);
    assert_null(set);
    assert_non_null(strstr(err, "cannot open"));
}

/* ---- threads ---------------------------------------------------------- */

static struct tmpl_set *shared;

static void *render_thread(void *arg)
{
    struct buf out = {0};
    int ok = 1;
    for (int i = 0; i < 2000 && ok; i++) {
        buf_clear(&out);
        ok = tmpl_render(shared, "page", vars, &out) == 0 && strcmp(buf_cstr(&out), arg) == 0;
    }
    buf_free(&out);
    return ok ? arg : NULL;
}

static void test_concurrent_render(void **state)
{
    static const char *const tpl[] = {
        "row", "<li class=\"{{#if title}}t{{/if}}\">{{title}}</li>",
        "page", "<ul>{{#each items}}{{> row}}{{/each}}</ul><a href=\"{{u_js}}\">{{name}}</a>",
    };
    struct buf want = {0};
    pthread_t th[4];
    (void)state;
    shared = set_of(tpl, 4);
    assert_int_equal(tmpl_render(shared, "page", vars, &want), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, render_thread, want.data), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        assert_int_equal(pthread_join(th[i], &r), 0);
        assert_non_null(r);
    }
    buf_free(&want);
    tmpl_set_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_html),
        cmocka_unit_test(test_url_is_safe),
        cmocka_unit_test(test_text_and_attributes),
        cmocka_unit_test(test_url_attributes),
        cmocka_unit_test(test_trusted_html),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_nesting_limit_ok),
        cmocka_unit_test(test_add_names),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_partial_limits),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_concurrent_render),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
