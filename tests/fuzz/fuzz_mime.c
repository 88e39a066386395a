/* fuzz_mime.c — libFuzzer target for src/mime.c, the parser that splits
 * whole messages from POP3: any bytes as a message, parsed with small
 * limits; every leaf's body must lie inside the input, sections must be
 * findable, and each text leaf must render (mimeview) to valid UTF-8.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "mime.h"
#include "mimeview.h"
#include "validate.h"

static const uint8_t *in_start;
static size_t in_len;

static void visit(struct bs_part *p, void *ctx)
{
    struct bs_part *root = ctx;
    if (p->body != NULL && (p->body < (const char *)in_start ||
                            p->body + p->body_len > (const char *)in_start + in_len))
        abort();
    if (p->header != NULL && (p->header < (const char *)in_start ||
                              p->header + p->header_len > (const char *)in_start + in_len))
        abort();
    if (strcmp(p->type, "multipart") != 0 && bs_find(root, p->section) == NULL)
        abort();
    if (p->body != NULL && strcmp(p->type, "text") == 0) {
        struct buf u;
        buf_init(&u);
        mv_text_utf8(p, p->body, p->body_len, 1 << 16, &u);
        if (!utf8_valid(u.data ? u.data : "", u.len))
            abort();
        buf_free(&u);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 18)
        return 0;
    in_start = data;
    in_len = size;
    struct arena *a = arena_new();
    const char *hdr;
    size_t hlen;
    int complex = 0;
    struct bs_part *root = mime_parse(a, (const char *)data, size, 12, 64, &hdr, &hlen, &complex);
    if (root == NULL && !complex)
        abort();
    if (hdr != (const char *)data || hlen > size)
        abort();
    if (root != NULL) {
        bs_walk(root, visit, root);
        struct mv_plan plan;
        mv_plan(root, &plan);
    }
    arena_free(a);
    return 0;
}
