/* fuzz_sanitize.c — libFuzzer target for src/sanitize*.c.
 *
 * The first byte of the input picks the options ('0'…'3' in the seeds):
 * bit 0 allows remote content, bit 1 caps the output at 2 KB. The rest is
 * the HTML. Its output must pass the structural checker of
 * tests/unit/sanitize_check.h (re-parsed with gumbo: allow-listed elements
 * and attributes only, no on* handler, allowed URL schemes, no script or
 * data URL, filtered CSS) and be a whole document; a refusal must give a
 * reason and leave the output untouched. Any violation aborts.
 *
 *   make fuzz FUZZ_SECONDS=60      (builds build/fuzz/fuzz_sanitize and runs
 *                                   it on a copy of tests/fuzz/corpus/sanitize)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/sanitize_check.h"
#include "buf.h"
#include "sanitize.h"

/* Parts of the fuzzed message: "a" exists; "b" and "j" map to URLs the
 * sanitizer must refuse (not a path on postern's site), which the checker
 * would flag if they came out. */
static const char *cid_url(void *ctx, const char *cid, size_t len)
{
    (void)ctx;
    if (len == 1 && cid[0] == 'a')
        return "/mail/part?uid=1&part=2";
    if (len == 1 && cid[0] == 'b')
        return "//evil.example/part";
    if (len == 1 && cid[0] == 'j')
        return "javascript:alert(1)";
    return NULL;
}

static void violation(const char *why, const struct buf *out)
{
    fprintf(stderr, "sanitize violation: %s\n--- output ---\n%.4000s\n", why, buf_cstr(out));
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct sanitize_opts o = {
        .allow_remote = data[0] & 1,
        .cid_url = cid_url,
        .max_out = data[0] & 2 ? 2048 : 0,
    };
    struct sanitize_report rep;
    struct buf out = {0};
    const char *err = NULL;
    const char *html = (const char *)data + 1;
    size_t n = size - 1;
    if (sanitize_html(html, n, &o, &out, &rep, &err) != 0) {
        if (err == NULL || out.len != 0)
            violation("refusal without a reason, or with output", &out);
        buf_free(&out);
        return 0;
    }
    if (out.len < 14 || strcmp(out.data + out.len - 14, "</body></html>") != 0 ||
        strstr(out.data, "<html><head><meta charset=\"utf-8\">") == NULL)
        violation("not a whole document", &out);
    if (o.max_out != 0 && out.len > o.max_out + 8192)
        violation("output over the cap", &out);
    struct sanitize_check c = {.allow_remote = o.allow_remote, .cid_prefix = "/mail/part?"};
    if (sanitize_check(&c, out.data, out.len) != 0)
        violation(c.why, &out);
    buf_free(&out);
    return 0;
}
