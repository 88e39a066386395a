/* fuzz_msgbuild.c — libFuzzer target for src/msgbuild.c and
 * src/msgbuild_addr.c: what a person types into To/Cc/Subject becomes a
 * message.
 *
 * The input is split at the first NUL: the first piece is parsed as an
 * address list (and formatted back, which must parse to the same
 * addresses), the second used as subject, body and a file. Whenever the
 * builder accepts, the message must be CRLF-only, with no line over 998
 * bytes, no NUL and no header line break that was not a fold; and it
 * must read back through mime.c with the same subject.
 *
 *   make fuzz FUZZ_SECONDS=60   (build/fuzz/fuzz_msgbuild on tests/fuzz/corpus/msgbuild)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "charset.h"
#include "mime.h"
#include "msgbuild.h"
#include "rfc2047.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static void check_lines(const struct buf *b)
{
    size_t line = 0;
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        CHECK(c != '\0');
        if (c == '\r') {
            CHECK(i + 1 < b->len && b->data[i + 1] == '\n');
            line = 0;
            i++;
            continue;
        }
        CHECK(c != '\n');
        CHECK(++line <= 998);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct arena *a = arena_new();
    char *text = arena_strndup(a, (const char *)data, size);   /* stops at the first NUL */
    size_t first = strlen(text);
    const char *rest = first < size ? (const char *)data + first + 1 : "";
    size_t rest_len = first < size ? size - first - 1 : 0;
    char *subject = arena_strndup(a, rest, rest_len);
    struct mb_list l;
    const char *bad, *why;
    if (mb_parse_addresses(a, text, 50, &l, &bad, &why) == 0) {
        const char *again = mb_format_list(a, &l);
        struct mb_list l2;
        CHECK(mb_parse_addresses(a, again, 50, &l2, &bad, &why) == 0);
        CHECK(l2.n == l.n);
        for (size_t i = 0; i < l.n; i++)
            CHECK(strcmp(l.v[i].addr, l2.v[i].addr) == 0);
    } else {
        l.n = 0;
    }
    struct mb_attachment att = {subject, NULL, rest, rest_len};
    struct mb_message m = {
        .from = {NULL, "alice@example.test"}, .to = l, .subject = subject,
        .body = rest, .body_len = rest_len, .att = &att, .natt = rest_len % 2,
        .host = "postern.example.test", .date = 1795500000,
    };
    struct buf out;
    buf_init(&out);
    const char *id;
    if (mb_build(a, &m, &out, &id, &why) == 0) {
        check_lines(&out);
        const char *hdr;
        size_t hlen;
        int tc = 0;
        struct bs_part *root = mime_parse(a, out.data, out.len, 10, 50, &hdr, &hlen, &tc);
        CHECK(root != NULL);
        /* the raw Subject field, folds and all (rfc2047_decode unfolds) */
        const char *s = strstr(out.data, "\r\nSubject:");
        CHECK(s != NULL && s < out.data + hlen);
        s += 10;
        const char *e = s;
        while ((e = strstr(e, "\r\n")) != NULL && (e[2] == ' ' || e[2] == '\t'))
            e += 2;
        CHECK(e != NULL);
        if (subject[0] != '\0' && strchr(subject, '\t') == NULL && strstr(subject, "  ") == NULL &&
            subject[0] != ' ' && subject[strlen(subject) - 1] != ' ') {
            struct buf d;
            buf_init(&d);
            rfc2047_decode(s, (size_t)(e - s), 8192, &d);
            CHECK(strcmp(buf_cstr(&d), subject) == 0);
            buf_free(&d);
        }
    }
    buf_free(&out);
    arena_free(a);
    charset_thread_release();
    return 0;
}
