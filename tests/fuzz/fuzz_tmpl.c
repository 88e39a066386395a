/* fuzz_tmpl.c — libFuzzer target for src/tmpl.c.
 *
 * The input is parsed as a template next to a fixed partial; if it loads,
 * it is rendered with hostile values and the output is checked: a value's
 * "<xss" or quote-"xss" may only appear if the template itself says "xss"
 * (which it may, as trusted literal text). The input is also escaped
 * directly and the result checked for unescaped metacharacters.
 *
 *   make fuzz FUZZ_SECONDS=60      (builds build/fuzz/fuzz_tmpl and runs it
 *                                   on a copy of tests/fuzz/corpus/tmpl)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl.h"

static const char *const hostile[] = {
    "<xss>", "\"xss", "'xss", "javascript:xss", " JaVa\tScRiPt:xss", "data:xss",
    "&lt;xss", "`xss` =xss", "\xff\xfe<xss", "0", "", "{{xss}}", "</textarea><xss",
    "--><xss", "]]><xss",
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* The keys the fuzzer can guess: single letters and a few words. */
static const char *const keys[] = {"a", "b", "c", "x", "u", "v", "name", "url"};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void put_all(struct tmpl_vars *v, size_t shift)
{
    for (size_t k = 0; k < NKEYS; k++)
        tmpl_put(v, keys[k], hostile[(k + shift) % NHOSTILE]);
    tmpl_put_bool(v, "t", 1);
    tmpl_put_bool(v, "f", 0);
    tmpl_put_int(v, "n", -42);
    tmpl_put_trusted_html(v, "h", "<b>trusted</b>");
}

static struct tmpl_vars *make_vars(struct arena *a)
{
    struct tmpl_vars *v = tmpl_vars_new(a);
    put_all(v, 0);
    for (size_t i = 0; i < 3; i++) {
        struct tmpl_vars *it = tmpl_add_item(v, "list");
        put_all(it, i + 1);
        for (size_t j = 0; j < i; j++)
            put_all(tmpl_add_item(it, "list"), i + j + 5);
        tmpl_add_item(it, "l");
    }
    return v;
}

static void check_escape(const uint8_t *data, size_t size)
{
    struct buf b = {0};
    tmpl_escape_html(&b, (const char *)data, size);
    for (size_t i = 0; i < b.len; i++)
        if (strchr("<>\"'`=", b.data[i]) != NULL || b.data[i] == '\0')
            abort();
    buf_free(&b);
}

static int says_xss(const char *s, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++)
        if ((s[i] | 0x20) == 'x' && (s[i + 1] | 0x20) == 's' && (s[i + 2] | 0x20) == 's')
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char partial[] =
        "<i title=\"{{a}}\">{{b}}</i>{{#each list}}{{@index}}{{x}}{{/each}}";
    char err[256];
    if (size > 65536)
        return 0;
    check_escape(data, size);
    struct tmpl_set *set = tmpl_set_new();
    if (tmpl_set_add(set, "p", partial, sizeof(partial) - 1, err, sizeof(err)) != 0)
        abort();
    if (tmpl_set_add(set, "fuzz", (const char *)data, size, err, sizeof(err)) == 0) {
        struct arena *a = arena_new();
        struct buf out = {0};
        if (tmpl_render(set, "fuzz", make_vars(a), &out) != 0)
            abort();
        if (!says_xss((const char *)data, size) &&
            (strstr(buf_cstr(&out), "<xss") || strstr(buf_cstr(&out), "\"xss") ||
             strstr(buf_cstr(&out), "'xss")))
            abort();
        buf_free(&out);
        arena_free(a);
    } else if (strchr(err, ':') == NULL) {
        abort();  /* every error says where */
    }
    tmpl_set_free(set);
    return 0;
}
