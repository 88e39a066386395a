/* fuzz_header.c — libFuzzer target for the text decoders: src/rfc2047.c,
 * src/charset.c, src/mutf7.c and src/textbody.c.
 *
 * The input is decoded as a header (RFC 2047), as a Content-Disposition
 * parameter list (RFC 2231) whose file name is made safe, as a modified
 * UTF-7 mailbox name both ways, as text in a charset picked by its first
 * byte, and rendered as a text/plain body. Every output must be valid
 * UTF-8 within its cap; headers and parameters without control
 * characters; safe file names without path, bidi controls or leading
 * dots; mailbox names must round-trip exactly; and the body's HTML may
 * hold no "<" but the tags textbody emits.
 *
 *   make fuzz FUZZ_SECONDS=60      (builds build/fuzz/fuzz_header and runs
 *                                   it on a copy of tests/fuzz/corpus/header)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "charset.h"
#include "mutf7.h"
#include "rfc2047.h"
#include "textbody.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CAP 4096

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* Valid UTF-8 of at most cap bytes, without NUL. */
static void check_utf8(const struct buf *b, size_t cap)
{
    CHECK(b->len <= cap);
    CHECK(utf8_valid(b->data, b->len));
    CHECK(b->len == 0 || memchr(b->data, '\0', b->len) == NULL);
}

/* ... and without control characters (C0, DEL, C1). */
static void check_display(const struct buf *b, size_t cap)
{
    check_utf8(b, cap);
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        CHECK(c >= 0x20 && c != 0x7F);
        CHECK(c != 0xC2 || (unsigned char)b->data[i + 1] > 0x9F);
    }
}

static void check_safe_name(const struct buf *b)
{
    static const char *const banned[] = {
        "/", "\\", "\xd8\x9c", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xaa",
        "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
        "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
    };
    check_display(b, RFC2047_FILENAME_MAX);
    CHECK(b->len >= 1 && b->data[0] != '.' && b->data[0] != ' ');
    CHECK(b->data[b->len - 1] != '.' && b->data[b->len - 1] != ' ');
    for (size_t k = 0; k < NELEM(banned); k++)
        CHECK(memmem(b->data, b->len, banned[k], strlen(banned[k])) == NULL);
}

static void fuzz_rfc2047(const char *s, size_t n)
{
    struct buf b = {0};
    rfc2047_decode(s, n, CAP, &b);
    check_display(&b, CAP);
    buf_clear(&b);
    rfc2047_safe_filename(s, n, &b);
    check_safe_name(&b);
    buf_free(&b);
}

static void fuzz_params(const char *s, size_t n)
{
    static const char *const wanted[] = {"filename", "name", "x"};
    struct arena *a = arena_new();
    struct rfc2231_param p[RFC2231_MAX_PARAMS];
    struct buf b = {0}, safe = {0};
    size_t np = rfc2231_split(a, s, n, p, NELEM(p));
    CHECK(np <= NELEM(p));
    for (size_t k = 0; k < NELEM(wanted); k++) {
        buf_clear(&b);
        if (rfc2231_get(p, np, wanted[k], CAP, &b, NULL) != 0) {
            CHECK(b.len == 0);
            continue;
        }
        check_display(&b, CAP);
        buf_clear(&safe);
        rfc2047_safe_filename(b.data, b.len, &safe);
        check_safe_name(&safe);
    }
    buf_free(&b);
    buf_free(&safe);
    arena_free(a);
}

static int is_printable_ascii(const struct buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->data[i] < 0x20 || b->data[i] > 0x7E)
            return 0;
    return 1;
}

static void fuzz_mutf7(const char *s, size_t n)
{
    struct buf dec = {0}, enc = {0};
    if (mutf7_to_utf8(s, n, &dec, NULL) == 0) {
        CHECK(mutf7_valid(s, n));
        check_utf8(&dec, (size_t)-1);
        CHECK(utf8_to_mutf7(dec.data, dec.len, &enc, NULL) == 0);
        CHECK(enc.len == n && (n == 0 || memcmp(enc.data, s, n) == 0));   /* canonical */
    } else {
        CHECK(dec.len == 0 && !mutf7_valid(s, n));
    }
    buf_clear(&dec);
    buf_clear(&enc);
    int encodable = utf8_valid(s, n) && (n == 0 || (memchr(s, '\0', n) == NULL &&
                    memchr(s, '\r', n) == NULL && memchr(s, '\n', n) == NULL));
    CHECK((utf8_to_mutf7(s, n, &enc, NULL) == 0) == encodable);
    if (encodable) {
        CHECK(is_printable_ascii(&enc));
        CHECK(mutf7_to_utf8(enc.data, enc.len, &dec, NULL) == 0);
        CHECK(dec.len == n && (n == 0 || memcmp(dec.data, s, n) == 0));
    }
    buf_free(&dec);
    buf_free(&enc);
}

static void fuzz_charset(const char *s, size_t n)
{
    static const char *const labels[] = {
        "utf-8", "us-ascii", "latin1", NULL, "ks_c_5601-1987", "gb2312", "iso-2022-jp",
        "utf-7", "utf-16", "shift_jis", "big5", "iso-8859-8-i", "euc-jp", "iso-2022-kr",
        "windows-1258", "x-unknown",
    };
    if (n == 0)
        return;
    struct buf b = {0};
    size_t cap = (unsigned char)s[0] & 1 ? 37 : CAP;
    charset_to_utf8(labels[(unsigned char)s[0] % NELEM(labels)], s + 1, n - 1, cap, &b);
    check_utf8(&b, cap);
    buf_clear(&b);
    charset_sanitize_utf8(s, n, cap, &b);
    check_utf8(&b, cap);
    buf_free(&b);
}

/* Every "<" starts a tag textbody emits; <blockquote>s balance. */
static void check_tags(const struct buf *b)
{
    static const char a_mid[] = "\" rel=\"noopener noreferrer\" target=\"_blank\">";
    int depth = 0;
    for (size_t i = 0; i < b->len; i++) {
        const char *p = b->data + i, *q;
        if (*p != '<' || strncmp(p, "<br>", 4) == 0 || strncmp(p, "</a>", 4) == 0)
            continue;
        if (strncmp(p, "<blockquote>", 12) == 0) {
            depth++;
        } else if (strncmp(p, "</blockquote>", 13) == 0) {
            CHECK(--depth >= 0);
        } else {
            CHECK(strncmp(p, "<a href=\"", 9) == 0);
            CHECK(strncasecmp(p + 9, "http://", 7) == 0 || strncasecmp(p + 9, "https://", 8) == 0 ||
                  strncasecmp(p + 9, "mailto:", 7) == 0);
            q = strchr(p + 9, '"');
            CHECK(q != NULL && strncmp(q, a_mid, sizeof(a_mid) - 1) == 0);
            CHECK(memchr(p + 9, '<', (size_t)(q - p - 9)) == NULL);
        }
    }
    CHECK(depth == 0);
}

static void fuzz_textbody(const char *s, size_t n)
{
    struct buf b = {0};
    unsigned flags = n > 0 ? (unsigned char)s[n - 1] & 3 : 0;
    size_t cap = n > 0 && (s[0] & 4) ? 150 + (unsigned char)s[0] : 1 << 20;
    int r = textbody_to_html(s, n, flags, cap, &b);
    CHECK(r == 0 || r == 1);
    check_utf8(&b, cap);
    check_tags(&b);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (size > 65536)
        return 0;
    fuzz_rfc2047(s, size);
    fuzz_params(s, size);
    fuzz_mutf7(s, size);
    fuzz_charset(s, size);
    fuzz_textbody(s, size);
    return 0;
}
