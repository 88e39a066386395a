/* rfc2047.c — see rfc2047.h. */
#include "rfc2047.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "charset.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define REPL "\xEF\xBF\xBD"   /* U+FFFD */
#define EW_CHARSET_MAX 64     /* charset (with *language) in an encoded word */
#define PARAM_NAME_MAX 78

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Resets b to length len (dropping what was appended since). */
static void buf_cut(struct buf *b, size_t len)
{
    b->len = len;
    if (b->data != NULL)
        b->data[len] = '\0';
}

/* --- display cleaning ---------------------------------------------------- */

/* Length of the control character at s[0..n) (valid UTF-8): 1 for C0 and
 * DEL, 2 for C1, 0 if s does not start with one. */
static size_t control_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x20 || s[0] == 0x7F)
        return 1;
    if (s[0] == 0xC2 && n > 1 && s[1] <= 0x9F)
        return 2;
    return 0;
}

/* Appends valid UTF-8 s[0..n) to out (at most cap bytes) with TAB, CR, LF
 * as spaces, other controls as U+FFFD, spaces trimmed at both ends.
 * Returns CHARSET_TRUNCATED or 0. */
static unsigned put_clean(const char *s, size_t n, size_t cap, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    struct buf t = {0};
    size_t i = 0, run = 0, k;
    if (n == 0)
        return 0;
    while (i < n) {
        if ((k = control_len(p + i, n - i)) == 0) {
            i++;
            continue;
        }
        buf_append(&t, s + run, i - run);
        if (p[i] == '\t' || p[i] == '\r' || p[i] == '\n')
            buf_putc(&t, ' ');
        else
            buf_append(&t, REPL, 3);
        i += k;
        run = i;
    }
    buf_append(&t, s + run, i - run);
    size_t a = 0, b = t.len;
    while (a < b && t.data[a] == ' ')
        a++;
    while (b > a && t.data[b - 1] == ' ')
        b--;
    unsigned f = charset_sanitize_utf8(t.data + a, b - a, cap, out);
    buf_free(&t);
    return f & CHARSET_TRUNCATED;
}

/* --- RFC 2047 ------------------------------------------------------------ */

/* Removes folds: CRLF/LF + WSP -> WSP; any other CR, LF or CRLF -> space. */
static void unfold(const char *in, size_t n, struct buf *u)
{
    size_t i = 0, run = 0;
    while (i < n) {
        if (in[i] != '\r' && in[i] != '\n') {
            i++;
            continue;
        }
        buf_append(u, in + run, i - run);
        size_t nl = in[i] == '\r' && i + 1 < n && in[i + 1] == '\n' ? 2 : 1;
        if (i + nl >= n || !is_wsp(in[i + nl]))
            buf_putc(u, ' ');
        i += nl;
        run = i;
    }
    buf_append(u, in + run, i - run);
}

/* An encoded word found in the text. */
struct eword {
    const char *cs;     /* charset, maybe with *language */
    size_t cs_len;
    char enc;           /* 'B' or 'Q' */
    const char *text;
    size_t text_len;
    size_t len;         /* of the whole =?…?= */
};

/* Parses the encoded word at s[0..n) (s starts with "=?"). Returns its
 * length, or 0 if it is not one. */
static size_t parse_eword(const char *s, size_t n, struct eword *w)
{
    size_t i = 2;
    while (i < n && s[i] != '?' && s[i] > ' ' && s[i] < 0x7F)
        i++;
    if (i == n || s[i] != '?' || i == 2 || i - 2 > EW_CHARSET_MAX)
        return 0;
    w->cs = s + 2, w->cs_len = i - 2;
    if (i + 2 >= n || s[i + 2] != '?')
        return 0;
    w->enc = (char)(s[i + 1] & ~0x20);
    if (w->enc != 'B' && w->enc != 'Q')
        return 0;
    size_t t = i += 3;
    while (i < n && s[i] != '?') {
        if (s[i] <= ' ' || s[i] >= 0x7F)
            return 0;
        i++;
    }
    if (i + 1 >= n || s[i + 1] != '=')
        return 0;
    w->text = s + t, w->text_len = i - t;
    return w->len = i + 2;
}

/* Base64 of an encoded word into bytes. 0, or -1 (bytes unchanged) on a
 * character outside base64, misplaced padding or an impossible length.
 * Missing padding is tolerated. */
static int decode_b(const char *t, size_t n, struct buf *bytes)
{
    size_t start = bytes->len, pad = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = t[i] == '=' ? -2 : b64_value(t[i]);
        if (v == -2) {
            pad++;
            continue;
        }
        if (v < 0 || pad > 0) {
            buf_cut(bytes, start);
            return -1;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(bytes, (char)(acc >> bits & 0xFF));
        }
    }
    if ((n - pad) % 4 == 1 || pad > 2 || (pad > 0 && n % 4 != 0)) {
        buf_cut(bytes, start);
        return -1;
    }
    return 0;
}

/* Q encoding: "_" is a space, =XX a byte, anything else itself. */
static void decode_q(const char *t, size_t n, struct buf *bytes)
{
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (t[i] == '_') {
            buf_putc(bytes, ' ');
        } else if (t[i] == '=' && i + 2 < n && (hi = hex_value(t[i + 1])) >= 0 &&
                   (lo = hex_value(t[i + 2])) >= 0) {
            buf_putc(bytes, (char)(hi << 4 | lo));
            i += 2;
        } else {
            buf_putc(bytes, t[i]);
        }
    }
}

/* State of one rfc2047_decode(). */
struct dec {
    struct buf text;     /* decoded so far, valid UTF-8 */
    struct buf pend;     /* bytes of adjacent encoded words in charset pcs */
    char pcs[EW_CHARSET_MAX + 1];
    const char *lit_cs;  /* charset of the text outside encoded words */
    size_t cap;          /* for text */
    unsigned flags;
};

static size_t dec_room(const struct dec *d)
{
    return d->text.len < d->cap ? d->cap - d->text.len : 0;
}

static void flush_pending(struct dec *d)
{
    if (d->pcs[0] == '\0')
        return;
    d->flags |= charset_to_utf8(d->pcs, d->pend.data, d->pend.len, dec_room(d), &d->text);
    buf_clear(&d->pend);
    d->pcs[0] = '\0';
}

static void put_literal(struct dec *d, const char *s, size_t n)
{
    if (n == 0)
        return;
    flush_pending(d);
    d->flags |= charset_to_utf8(d->lit_cs, s, n, dec_room(d), &d->text);
}

/* Same charset, ignoring case and any *language. */
static int same_charset(const char *a, const char *b, size_t blen)
{
    size_t al = strcspn(a, "*"), bl = 0;
    while (bl < blen && b[bl] != '*')
        bl++;
    return al == bl && strncasecmp(a, b, al) == 0;
}

/* Adds the decoded bytes of w (in word) to the pending run. */
static void add_word(struct dec *d, const struct eword *w, const struct buf *word)
{
    if (d->pcs[0] != '\0' && !same_charset(d->pcs, w->cs, w->cs_len))
        flush_pending(d);
    memcpy(d->pcs, w->cs, w->cs_len);
    d->pcs[w->cs_len] = '\0';
    buf_append(&d->pend, word->data, word->len);
}

static int all_wsp(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_wsp(s[i]))
            return 0;
    return 1;
}

/* Decodes the unfolded text s[0..n) into d->text. */
static void decode_words(struct dec *d, const char *s, size_t n)
{
    struct buf word = {0};
    struct eword w;
    size_t i = 0, lit = 0;
    int seen_word = 0;
    while (i < n) {
        if (s[i] != '=' || i + 1 >= n || s[i + 1] != '?' || parse_eword(s + i, n - i, &w) == 0) {
            i++;
            continue;
        }
        buf_clear(&word);
        if (w.enc == 'B' && decode_b(w.text, w.text_len, &word) != 0) {
            i++;
            continue;
        }
        if (w.enc == 'Q')
            decode_q(w.text, w.text_len, &word);
        if (!(seen_word && all_wsp(s + lit, i - lit)))
            put_literal(d, s + lit, i - lit);
        add_word(d, &w, &word);
        seen_word = 1;
        i += w.len;
        lit = i;
    }
    put_literal(d, s + lit, n - lit);
    flush_pending(d);
    buf_free(&word);
}

unsigned rfc2047_decode(const char *in, size_t n, size_t cap, struct buf *out)
{
    struct dec d = {.cap = cap + 64};
    struct buf u = {0};
    if (n == 0)
        return 0;
    unfold(in, n, &u);
    d.lit_cs = utf8_valid(u.data, u.len) ? "utf-8" : "windows-1252";
    decode_words(&d, u.data, u.len);
    unsigned f = d.flags | put_clean(d.text.data, d.text.len, cap, out);
    buf_free(&u);
    buf_free(&d.text);
    buf_free(&d.pend);
    return f;
}

/* --- RFC 2231 ------------------------------------------------------------ */

static int is_tspecial(char c)
{
    return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* The index of the next ';' at or after i outside quotes, or n. */
static size_t next_semicolon(const char *s, size_t n, size_t i)
{
    int q = 0;
    for (; i < n; i++) {
        if (q && s[i] == '\\')
            i++;
        else if (s[i] == '"')
            q = !q;
        else if (!q && s[i] == ';')
            return i;
    }
    return n;
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && (is_wsp(s[i]) || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* The value at s[i..end): a quoted string (unescaped, folds removed) or
 * the raw text up to end with spaces trimmed. Copied into a. */
static const char *param_value(struct arena *a, const char *s, size_t i, size_t end)
{
    struct buf v = {0};
    if (i < end && s[i] == '"') {
        for (i++; i < end && s[i] != '"'; i++) {
            if (s[i] == '\\' && i + 1 < end)
                i++;
            if (s[i] != '\r' && s[i] != '\n')
                buf_putc(&v, s[i]);
        }
    } else {
        while (end > i && (is_wsp(s[end - 1]) || s[end - 1] == '\r' || s[end - 1] == '\n'))
            end--;
        buf_append(&v, s + i, end - i);
    }
    const char *r = arena_strndup(a, v.len > 0 ? v.data : "", v.len);
    buf_free(&v);
    return r;
}

size_t rfc2231_split(struct arena *a, const char *s, size_t n,
                     struct rfc2231_param *params, size_t max)
{
    size_t count = 0, i = next_semicolon(s, n, 0);
    while (i < n && count < max) {
        size_t end = next_semicolon(s, n, i + 1);
        size_t p = skip_space(s, end, i + 1), name = p;
        while (p < end && s[p] > ' ' && s[p] < 0x7F && !is_tspecial(s[p]))
            p++;
        size_t name_len = p - name;
        p = skip_space(s, end, p);
        if (name_len > 0 && name_len <= PARAM_NAME_MAX && p < end && s[p] == '=') {
            struct rfc2231_param *r = &params[count++];
            r->name = arena_strndup(a, s + name, name_len);
            r->value = param_value(a, s, skip_space(s, end, p + 1), end);
        }
        i = end;
    }
    return count;
}

/* One section of an RFC 2231 value. */
struct section {
    const char *value;
    size_t len;
    int ext;    /* "*": charset'language' (section 0) and %-encoded */
};

/* If pname is name*, name*N or name*N* (no leading zeros), returns N (0
 * for name*) and sets *ext; else -1. */
static int section_of(const char *pname, const char *name, size_t nl, int *ext)
{
    if (strncasecmp(pname, name, nl) != 0 || pname[nl] != '*')
        return -1;
    const char *p = pname + nl + 1;
    if (*p == '\0')
        return *ext = 1, 0;
    int k = 0;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        k = k * 10 + (*p - '0');
        if (k >= RFC2231_MAX_SECTIONS)
            return -1;
    }
    if (p == pname + nl + 1)
        return -1;
    *ext = *p == '*';
    return p[*ext] == '\0' ? k : -1;
}

/* %XX decoding; a "%" without two hex digits stays itself. */
static void pct_decode(const char *s, size_t n, struct buf *bytes)
{
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hex_value(s[i + 1])) >= 0 &&
            (lo = hex_value(s[i + 2])) >= 0) {
            buf_putc(bytes, (char)(hi << 4 | lo));
            i += 2;
        } else {
            buf_putc(bytes, s[i]);
        }
    }
}

/* Joins sec[0..] up to the first gap and decodes them. */
static unsigned decode_sections(const struct section *sec, size_t cap, struct buf *out)
{
    struct buf bytes = {0}, text = {0};
    char cs[CHARSET_LABEL_MAX + 1] = "";
    for (size_t k = 0; k < RFC2231_MAX_SECTIONS && sec[k].value != NULL; k++) {
        const char *v = sec[k].value;
        size_t len = sec[k].len;
        const char *q1 = k == 0 && sec[0].ext ? memchr(v, '\'', len) : NULL;
        const char *q2 = q1 != NULL ? memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - v)) : NULL;
        if (q2 != NULL) {
            if ((size_t)(q1 - v) <= CHARSET_LABEL_MAX) {
                memcpy(cs, v, (size_t)(q1 - v));
                cs[q1 - v] = '\0';
            }
            len -= (size_t)(q2 + 1 - v);
            v = q2 + 1;
        }
        if (sec[k].ext)
            pct_decode(v, len, &bytes);
        else
            buf_append(&bytes, v, len);
    }
    unsigned f = charset_to_utf8(cs, bytes.data, bytes.len, cap + 64, &text);
    f |= put_clean(text.data, text.len, cap, out);
    buf_free(&bytes);
    buf_free(&text);
    return f;
}

int rfc2231_get(const struct rfc2231_param *params, size_t np, const char *name,
                size_t cap, struct buf *out, unsigned *flags_r)
{
    struct section sec[RFC2231_MAX_SECTIONS];
    const struct rfc2231_param *plain = NULL;
    size_t nl = strlen(name);
    unsigned f;
    memset(sec, 0, sizeof(sec));
    for (size_t i = 0; i < np; i++) {
        int ext = 0, k = section_of(params[i].name, name, nl, &ext);
        if (k >= 0 && sec[k].value == NULL)
            sec[k] = (struct section){params[i].value, strlen(params[i].value), ext};
        else if (k < 0 && plain == NULL && strcasecmp(params[i].name, name) == 0)
            plain = &params[i];
    }
    if (sec[0].value != NULL)
        f = decode_sections(sec, cap, out);
    else if (plain != NULL)
        f = rfc2047_decode(plain->value, strlen(plain->value), cap, out);
    else
        return -1;
    if (flags_r != NULL)
        *flags_r = f;
    return 0;
}

/* --- safe file names ----------------------------------------------------- */

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

/* Code points left out of file names besides controls. */
static const uint32_t dropped[] = {
    0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
    0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029,
};

static int drop_cp(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 1;
    for (size_t i = 0; i < NELEM(dropped); i++)
        if (cp == dropped[i])
            return 1;
    return 0;
}

/* Copies valid UTF-8 s[0..n) to f without dropped characters, with
 * reserved ones as "_". */
static void filter_name(const char *s, size_t n, struct buf *f)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        uint32_t cp = next_cp(p, &i);
        if (drop_cp(cp))
            continue;
        if (cp < 0x80 && strchr("<>:\"|?*", (int)cp) != NULL)
            buf_putc(f, '_');
        else
            buf_append(f, s + at, i - at);
    }
}

/* Largest k <= max, k <= n, not inside a UTF-8 sequence of s. */
static size_t char_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static size_t trim_end(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--;
    return n;
}

void rfc2047_safe_filename(const char *name, size_t n, struct buf *out)
{
    struct buf u = {0}, f = {0};
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/' || name[i] == '\\')
            start = i + 1;
    if (n > start)
        charset_sanitize_utf8(name + start, n - start, (size_t)-1, &u);
    filter_name(u.data, u.len, &f);
    size_t a = 0, len = f.len;
    while (a < len && (f.data[a] == '.' || f.data[a] == ' '))
        a++;
    const char *s = len > 0 ? f.data + a : "";
    len = trim_end(s, len - a);
    if (len > RFC2047_FILENAME_MAX) {
        const char *dot = memrchr(s, '.', len);
        size_t ext = dot != NULL ? len - (size_t)(dot - s) : 0;
        if (ext == 0 || ext > RFC2047_FILENAME_EXT)
            ext = 0, dot = s + len;
        size_t stem = trim_end(s, char_cut(s, (size_t)(dot - s), RFC2047_FILENAME_MAX - ext));
        buf_append(out, s, stem);
        buf_append(out, dot, ext);
    } else if (len > 0) {
        buf_append(out, s, len);
    } else {
        buf_puts(out, "attachment");
    }
    buf_free(&u);
    buf_free(&f);
}
