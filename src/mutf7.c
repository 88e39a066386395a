/* mutf7.c — see mutf7.h. */
#include "mutf7.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "validate.h"

/* Modified base64 (RFC 3501): "," instead of "/", no padding. */
static const char mb64[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Decoding state of one "&…-" shift. */
struct shift {
    uint32_t bits;   /* pending bits, the low nbits of them */
    unsigned nbits;
    uint32_t high;   /* a high surrogate waiting for its low half, or 0 */
};

static int is_printable(unsigned c)
{
    return c >= 0x20 && c <= 0x7E;
}

static int mb64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == ',')
        return 63;
    return -1;
}

/* Appends code point cp (valid, not a surrogate) as UTF-8. */
static void put_utf8(struct buf *out, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12), n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | cp >> 18), n = 4;
    }
    for (size_t i = 1; i < n; i++)
        b[i] = (unsigned char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
    if (out != NULL)
        buf_append(out, b, n);
}

/* Takes one decoded UTF-16 unit. 0, or -1 with *why set. */
static int take_unit(struct shift *st, uint32_t u, struct buf *out, const char **why)
{
    if (st->high != 0) {
        if (u < 0xDC00 || u > 0xDFFF)
            return *why = "a high surrogate is not followed by a low one", -1;
        put_utf8(out, 0x10000 + ((st->high - 0xD800) << 10) + (u - 0xDC00));
        st->high = 0;
        return 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        st->high = u;
        return 0;
    }
    if (u >= 0xDC00 && u <= 0xDFFF)
        return *why = "a low surrogate without a high one", -1;
    if (is_printable(u))
        return *why = "printable ASCII must not be base64-encoded", -1;
    if (u == 0 || u == '\r' || u == '\n')
        return *why = "NUL, CR or LF in a mailbox name", -1;
    put_utf8(out, u);
    return 0;
}

/* Decodes the shift body at s[0..n) (after "&", known non-empty). Sets
 * *used to the bytes taken including the final "-". 0 or -1. */
static int decode_shift(const unsigned char *s, size_t n, size_t *used,
                        struct buf *out, const char **why)
{
    struct shift st = {0, 0, 0};
    size_t i;
    for (i = 0; i < n && s[i] != '-'; i++) {
        int v = mb64_value(s[i]);
        if (v < 0)
            return *why = "a character outside modified base64 in a shift", -1;
        st.bits = (st.bits << 6 | (uint32_t)v) & 0x3FFFFF;
        st.nbits += 6;
        if (st.nbits >= 16) {
            st.nbits -= 16;
            if (take_unit(&st, st.bits >> st.nbits & 0xFFFF, out, why) != 0)
                return -1;
        }
    }
    if (i == n)
        return *why = "a shift is not ended by \"-\"", -1;
    if (st.nbits >= 6 || (st.bits & ((1u << st.nbits) - 1)) != 0)
        return *why = "a shift does not end on a UTF-16 boundary", -1;
    if (st.high != 0)
        return *why = "a high surrogate ends a shift", -1;
    *used = i + 1;
    return 0;
}

/* Resets out to length len after a failure. */
static void restore(struct buf *out, size_t len)
{
    if (out == NULL)
        return;
    out->len = len;
    if (out->data != NULL)
        out->data[len] = '\0';
}

int mutf7_to_utf8(const char *in, size_t n, struct buf *out, const char **error_r)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t start = out != NULL ? out->len : 0, i = 0, used;
    const char *why = NULL;
    int after_shift = 0;
    while (i < n && why == NULL) {
        if (s[i] == '&' && i + 1 < n && s[i + 1] == '-') {
            if (out != NULL)
                buf_putc(out, '&');
            i += 2, after_shift = 0;
        } else if (s[i] == '&') {
            if (after_shift)
                why = "a shift follows another shift";
            else if (decode_shift(s + i + 1, n - i - 1, &used, out, &why) == 0)
                i += 1 + used, after_shift = 1;
        } else if (is_printable(s[i])) {
            if (out != NULL)
                buf_putc(out, (char)s[i]);
            i++, after_shift = 0;
        } else {
            why = "a byte outside printable ASCII in a mailbox name";
        }
    }
    if (why == NULL)
        return 0;
    restore(out, start);
    if (error_r != NULL)
        *error_r = why;
    return -1;
}

int mutf7_valid(const char *s, size_t n)
{
    return mutf7_to_utf8(s, n, NULL, NULL) == 0;
}

/* --- encoding --------------------------------------------------------- */

/* Decodes the (valid) UTF-8 sequence at s[*i] and advances *i. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
    unsigned c = s[*i], k = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    static const unsigned char lead_mask[] = {0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = c & lead_mask[k];
    for (unsigned j = 1; j <= k; j++)
        cp = cp << 6 | (s[*i + j] & 0x3F);
    *i += k + 1;
    return cp;
}

/* Base64 writer over 16-bit units. */
struct b64w {
    struct buf *out;
    uint32_t bits;
    unsigned nbits;
};

static void b64_unit(struct b64w *w, uint32_t u)
{
    w->bits = (w->bits << 16 | u) & 0x3FFFFF;
    w->nbits += 16;
    while (w->nbits >= 6) {
        w->nbits -= 6;
        buf_putc(w->out, mb64[w->bits >> w->nbits & 0x3F]);
    }
}

/* Appends "&" + the base64 of s[0..n) (valid UTF-8, no printable ASCII)
 * as UTF-16 + "-". */
static void encode_run(const unsigned char *s, size_t n, struct buf *out)
{
    struct b64w w = {out, 0, 0};
    size_t i = 0;
    buf_putc(out, '&');
    while (i < n) {
        uint32_t cp = next_cp(s, &i);
        if (cp >= 0x10000) {
            b64_unit(&w, 0xD800 + ((cp - 0x10000) >> 10));
            b64_unit(&w, 0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            b64_unit(&w, cp);
        }
    }
    if (w.nbits > 0)
        buf_putc(out, mb64[w.bits << (6 - w.nbits) & 0x3F]);
    buf_putc(out, '-');
}

int utf8_to_mutf7(const char *in, size_t n, struct buf *out, const char **error_r)
{
    const unsigned char *s = (const unsigned char *)in;
    const char *why = NULL;
    if (!utf8_valid(in, n))
        why = "the name is not valid UTF-8";
    else if (n > 0 && (memchr(in, '\0', n) || memchr(in, '\r', n) || memchr(in, '\n', n)))
        why = "NUL, CR or LF in a mailbox name";
    if (why != NULL) {
        if (error_r != NULL)
            *error_r = why;
        return -1;
    }
    size_t i = 0;
    while (i < n) {
        if (s[i] == '&') {
            buf_append(out, "&-", 2), i++;
        } else if (is_printable(s[i])) {
            buf_putc(out, (char)s[i]), i++;
        } else {
            size_t j = i;
            while (j < n && !is_printable(s[j]))
                j++;
            encode_run(s + i, j - i, out);
            i = j;
        }
    }
    return 0;
}
