/* fuzz_autodiscover.c — libFuzzer target for what Outlook sends us: the
 * strict XML scanner (src/xmlscan.c) and the Autodiscover request reader
 * (src/autodiscover.c), plus the escaping writer (src/xmlwrite.c).
 *
 * The input is scanned as XML with tight limits (events must nest: every
 * end matches the open start, depth never exceeds the limit, text stays
 * within its cap and is valid UTF-8); read as an Autodiscover request (an
 * accepted one yields a valid address; anything else is 600 or 601); and
 * written as text and as an attribute by the escaping writer, whose
 * output must scan back as well-formed XML.
 *
 *   make fuzz FUZZ_SECONDS=60      (builds build/fuzz/fuzz_autodiscover and
 *                                   runs it on a copy of
 *                                   tests/fuzz/corpus/autodiscover)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "autodiscover.h"
#include "buf.h"
#include "validate.h"
#include "xmlscan.h"
#include "xmlwrite.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct nest {
    const char *open[8];
    size_t depth, max_text;
};

static int on_item(void *ctx, const struct xml_item *it)
{
    struct nest *n = ctx;
    switch (it->event) {
    case XML_START:
        CHECK(n->depth < 8 && it->depth == n->depth + 1);
        CHECK(it->local[0] != '\0' && it->ns != NULL);
        n->open[n->depth++] = it->local;
        break;
    case XML_END:
        CHECK(n->depth > 0 && it->depth == n->depth);
        CHECK(strcmp(n->open[n->depth - 1], it->local) == 0);
        n->depth--;
        break;
    case XML_TEXT:
        CHECK(it->depth == n->depth && n->depth > 0);
        CHECK(it->text_len > 0 && it->text_len <= n->max_text);
        CHECK(strlen(it->text) == it->text_len);   /* no NUL: refused raw and as &#0; */
        CHECK(utf8_valid(it->text, it->text_len));
        break;
    }
    return 0;
}

static void fuzz_scan(struct arena *a, const char *s, size_t n)
{
    struct xml_limits lim = {.max_depth = 8, .max_elements = 64, .max_attrs = 8, .max_ns = 8,
                             .max_text = 256};
    struct nest nest = {.max_text = lim.max_text};
    const char *err = NULL;
    int r = xml_scan(a, s, n, &lim, on_item, &nest, &err);
    CHECK(r == 0 || r == -1);
    if (r == 0)
        CHECK(nest.depth == 0);
    else
        CHECK(err != NULL && err[0] != '\0');
}

static void fuzz_request(struct arena *a, const char *s, size_t n)
{
    const char *email = NULL, *why = NULL;
    enum ad_status st = autodiscover_parse(a, s, n, &email, &why);
    if (st == AD_OK) {
        CHECK(email != NULL && strchr(email, '@') != NULL);
        CHECK(valid_email(NULL, email, strlen(email), NULL));
    } else {
        CHECK(st == AD_INVALID || st == AD_PROVIDER);
        CHECK(why != NULL);
    }
}

static void fuzz_writer(struct arena *a, const char *s, size_t n)
{
    char *z = malloc(n + 1);
    memcpy(z, s, n);
    z[n] = '\0';
    struct buf out = {0};
    struct xw w;
    xw_begin(&w, &out);
    xw_open(&w, "doc");
    xw_attr(&w, "v", z);
    xw_elem(&w, "t", z);
    xw_elem_attr(&w, "u", "lang", z, z);
    xw_end(&w);
    struct xml_limits lim;
    xml_limits_default(&lim);
    lim.max_text = out.len + 1;   /* no text node is longer than the document */
    struct nest nest = {.max_text = lim.max_text};
    const char *err = NULL;
    CHECK(xml_scan(a, out.data, out.len, &lim, on_item, &nest, &err) == 0);
    buf_free(&out);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (size > 65536)
        return 0;
    struct arena *a = arena_new();
    fuzz_scan(a, s, size);
    fuzz_request(a, s, size);
    fuzz_writer(a, s, size);
    arena_free(a);
    return 0;
}
