/* msgbuild.c — an outgoing message from a description (see msgbuild.h).
 *
 * Every header goes through a small folding writer (struct hdr) that
 * takes unbreakable tokens and decides where lines break; nothing is
 * pasted into the output without having been screened or encoded first.
 */
#include "msgbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "crypto.h"

#define FOLD_AT      78     /* the line length RFC 5322 asks for */
#define EW_CHUNK     45     /* UTF-8 bytes per encoded word: 60 base64 + 12 = 72 */
#define PARAM_CHUNK  56     /* characters per RFC 2231 continuation */
#define SUBJECT_MAX  2000

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hexchars[] = "0123456789ABCDEF";

/* --- MIME types ------------------------------------------------------------- */

static const struct { const char *ext, *type; } ext_types[] = {
    {"pdf", "application/pdf"}, {"png", "image/png"}, {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"}, {"gif", "image/gif"}, {"webp", "image/webp"},
    {"svg", "image/svg+xml"}, {"txt", "text/plain"}, {"csv", "text/csv"},
    {"htm", "text/html"}, {"html", "text/html"}, {"ics", "text/calendar"},
    {"json", "application/json"}, {"xml", "application/xml"},
    {"zip", "application/zip"}, {"gz", "application/gzip"}, {"tar", "application/x-tar"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"eml", "message/rfc822"}, {"mp3", "audio/mpeg"}, {"mp4", "video/mp4"},
};

static const struct { const char *magic; size_t len; const char *type; } magic_types[] = {
    {"%PDF-", 5, "application/pdf"},
    {"\x89PNG\r\n\x1a\n", 8, "image/png"},
    {"\xff\xd8\xff", 3, "image/jpeg"},
    {"GIF87a", 6, "image/gif"},
    {"GIF89a", 6, "image/gif"},
    {"\x1f\x8b", 2, "application/gzip"},
};

static bool token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$&-^_.+", c) != NULL);
}

/* "type/subtype" of RFC 6838 restricted-name characters, without parameters. */
static bool type_wellformed(const char *t)
{
    const char *slash = t ? strchr(t, '/') : NULL;
    if (slash == NULL || slash == t || slash[1] == '\0' || strlen(t) > 127)
        return false;
    for (const char *p = t; *p; p++)
        if (p != slash && !token_char((unsigned char)*p))
            return false;
    return true;
}

const char *mb_detect_type(const char *name, const char *data, size_t len, const char *declared)
{
    for (size_t i = 0; i < sizeof(magic_types) / sizeof(magic_types[0]); i++)
        if (len >= magic_types[i].len && memcmp(data, magic_types[i].magic, magic_types[i].len) == 0)
            return magic_types[i].type;
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        return "image/webp";
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (dot != NULL)
        for (size_t i = 0; i < sizeof(ext_types) / sizeof(ext_types[0]); i++)
            if (strcasecmp(dot + 1, ext_types[i].ext) == 0)
                return ext_types[i].type;
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
        return "application/zip";
    if (type_wellformed(declared) && strncasecmp(declared, "multipart/", 10) != 0)
        return declared;
    return "application/octet-stream";
}

/* --- the folding header writer ---------------------------------------------- */

struct hdr {
    struct buf *out;
    size_t col;         /* characters on the current line */
    bool first;         /* no token on this header yet */
};

static void hdr_begin(struct hdr *h, struct buf *out, const char *name)
{
    h->out = out;
    buf_puts(out, name);
    buf_putc(out, ':');
    h->col = strlen(name) + 1;
    h->first = true;
}

/* Writes one unbreakable token, preceded by a space (or a fold) when
 * space is set or the token is not the first. */
static void hdr_token(struct hdr *h, const char *s, size_t n, bool space)
{
    if (space || h->first) {
        if (!h->first && h->col + 1 + n > FOLD_AT) {
            buf_puts(h->out, "\r\n");
            h->col = 0;
        }
        buf_putc(h->out, ' ');
        h->col++;
    }
    buf_append(h->out, s, n);
    h->col += n;
    h->first = false;
}

static void hdr_end(struct hdr *h)
{
    buf_puts(h->out, "\r\n");
}

/* Length of the longest prefix of s[0..n) of at most max bytes that does
 * not cut a UTF-8 sequence. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k > 0 ? k : max;
}

static void base64_append(struct buf *b, const unsigned char *in, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        char q[4] = {b64chars[(v >> 18) & 63], b64chars[(v >> 12) & 63],
                     i + 1 < n ? b64chars[(v >> 6) & 63] : '=', i + 2 < n ? b64chars[v & 63] : '='};
        buf_append(b, q, 4);
    }
}

/* UTF-8 text as encoded words (=?UTF-8?B?...?=), each its own token;
 * the first takes space_first. */
static void hdr_encoded_words(struct hdr *h, const char *s, bool space_first)
{
    size_t n = strlen(s);
    bool space = space_first;
    while (n > 0) {
        size_t k = utf8_prefix(s, n, EW_CHUNK);
        struct buf w;
        buf_init(&w);
        buf_puts(&w, "=?UTF-8?B?");
        base64_append(&w, (const unsigned char *)s, k);
        buf_puts(&w, "?=");
        hdr_token(h, w.data, w.len, space);
        buf_free(&w);
        space = true;
        s += k;
        n -= k;
    }
}

/* ASCII that may stand as it is in unstructured text: printable, no "=?"
 * that a reader would take for an encoded word, no word too long to fold. */
static bool plain_ascii_text(const char *s)
{
    if (!mb_ascii_printable(s) || strstr(s, "=?") != NULL)
        return false;
    for (const char *p = s; *p;) {
        size_t w = strcspn(p, " ");
        if (w > FOLD_AT - 12)
            return false;
        p += w;
        p += strspn(p, " ");
    }
    return true;
}

void mb_header_text(struct buf *out, const char *name, const char *value)
{
    struct hdr h;
    hdr_begin(&h, out, name);
    if (value[0] == '\0') {
        hdr_end(&h);
        return;
    }
    if (!plain_ascii_text(value) || value[0] == ' ' || value[strlen(value) - 1] == ' ') {
        hdr_encoded_words(&h, value, true);
        hdr_end(&h);
        return;
    }
    /* words; runs of spaces are kept inside the following token */
    const char *p = value;
    bool first = true;
    while (*p) {
        size_t sp = first ? 0 : strspn(p, " ");
        size_t w = strcspn(p + sp, " ");
        if (sp > 1) {
            /* keep extra spaces: token is "  word" minus the folding space */
            hdr_token(&h, p + 1, sp - 1 + w, true);
        } else {
            hdr_token(&h, p + sp, w, true);
        }
        first = false;
        p += sp + w;
    }
    hdr_end(&h);
}

/* One mailbox of an address header: name (quoted or encoded) then <addr>. */
static void hdr_mailbox(struct hdr *h, const struct mb_addr *m, bool last)
{
    struct buf t;
    buf_init(&t);
    const char *name = m->name;
    if (name != NULL && name[0] != '\0') {
        if (!mb_ascii_printable(name) || strstr(name, "=?") != NULL) {
            hdr_encoded_words(h, name, true);
        } else if (mb_name_needs_quotes(name)) {
            buf_putc(&t, '"');
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    buf_putc(&t, '\\');
                buf_putc(&t, *p);
            }
            buf_putc(&t, '"');
            hdr_token(h, t.data, t.len, true);
            buf_clear(&t);
        } else {
            for (const char *p = name; *p;) {
                size_t sp = strspn(p, " "), w = strcspn(p + sp, " ");
                if (w > 0)
                    hdr_token(h, p + sp, w, true);
                p += sp + w;
            }
        }
        buf_printf(&t, "<%s>%s", m->addr, last ? "" : ",");
    } else {
        buf_printf(&t, "%s%s", m->addr, last ? "" : ",");
    }
    hdr_token(h, t.data, t.len, true);
    buf_free(&t);
}

static void hdr_addresses(struct buf *out, const char *name, const struct mb_list *l)
{
    struct hdr h;
    hdr_begin(&h, out, name);
    for (size_t i = 0; i < l->n; i++)
        hdr_mailbox(&h, &l->v[i], i + 1 == l->n);
    hdr_end(&h);
}

/* In-Reply-To / References: ids folded between items. */
static void hdr_msgids(struct buf *out, const char *name, const char *ids)
{
    struct hdr h;
    hdr_begin(&h, out, name);
    for (const char *p = ids; *p;) {
        p += strspn(p, " ");
        size_t w = strcspn(p, " ");
        if (w > 0)
            hdr_token(&h, p, w, true);
        p += w;
    }
    hdr_end(&h);
}

/* A MIME parameter: name="value" for short plain ASCII, else RFC 2231
 * (name*=UTF-8''%xx..., with name*0*= continuations when long). */
static void hdr_param(struct hdr *h, const char *name, const char *value, bool last)
{
    struct buf t;
    buf_init(&t);
    const char *end = last ? "" : ";";
    bool plain = mb_ascii_printable(value) && strlen(value) <= PARAM_CHUNK &&
                 strpbrk(value, "\"\\%*'") == NULL && strstr(value, "=?") == NULL;
    if (plain) {
        buf_printf(&t, "%s=\"%s\"%s", name, value, end);
        hdr_token(h, t.data, t.len, true);
        buf_free(&t);
        return;
    }
    struct buf enc;
    buf_init(&enc);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p) != NULL) {
            buf_putc(&enc, (char)*p);
        } else {
            buf_putc(&enc, '%');
            buf_putc(&enc, hexchars[*p >> 4]);
            buf_putc(&enc, hexchars[*p & 15]);
        }
    }
    if (enc.len <= PARAM_CHUNK) {
        buf_printf(&t, "%s*=UTF-8''%s%s", name, buf_cstr(&enc), end);
        hdr_token(h, t.data, t.len, true);
    } else {
        const char *e = buf_cstr(&enc);
        size_t n = enc.len, off = 0;
        for (int i = 0; off < n; i++) {
            size_t k = n - off > PARAM_CHUNK ? PARAM_CHUNK : n - off;
            /* never cut a %XX escape */
            if (off + k < n) {
                if (e[off + k - 1] == '%')
                    k -= 1;
                else if (k >= 2 && e[off + k - 2] == '%')
                    k -= 2;
            }
            buf_clear(&t);
            buf_printf(&t, "%s*%d*=%s%.*s%s", name, i, i == 0 ? "UTF-8''" : "", (int)k, e + off,
                       off + k < n ? ";" : end);
            hdr_token(h, t.data, t.len, true);
            off += k;
        }
    }
    buf_free(&enc);
    buf_free(&t);
}

/* --- bodies ------------------------------------------------------------------- */

static void qp_put(struct buf *out, size_t *col, const char *tok, size_t n)
{
    if (*col + n > 75) {
        buf_puts(out, "=\r\n");
        *col = 0;
    }
    buf_append(out, tok, n);
    *col += n;
}

void mb_qp_encode(const char *s, size_t n, struct buf *out)
{
    size_t i = 0;
    while (i <= n) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        size_t len = e - i;
        if (len > 0 && s[e - 1] == '\r' && e < n)
            len--;   /* CRLF line end */
        size_t col = 0;
        for (size_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)s[i + k];
            bool at_start = col == 0 && k == 0;
            bool last = k + 1 == len;
            char esc[3] = {'=', hexchars[c >> 4], hexchars[c & 15]};
            if ((c == ' ' || c == '\t') && !last) {
                qp_put(out, &col, (const char *)&s[i + k], 1);
            } else if (c > 32 && c < 127 && c != '=' &&
                       !(at_start && (c == '.' || (c == 'F' && len - k >= 5 &&
                                                   memcmp(s + i + k, "From ", 5) == 0)))) {
                qp_put(out, &col, (const char *)&s[i + k], 1);
            } else {
                qp_put(out, &col, esc, 3);
            }
        }
        if (e >= n) {
            if (len > 0 || col > 0)
                buf_puts(out, "\r\n");
            break;
        }
        buf_puts(out, "\r\n");
        i = e + 1;
    }
}

void mb_base64_lines(const char *data, size_t n, struct buf *out)
{
    for (size_t off = 0; off < n; off += 57) {
        size_t k = n - off > 57 ? 57 : n - off;
        base64_append(out, (const unsigned char *)data + off, k);
        buf_puts(out, "\r\n");
    }
}

/* Whether text can go as 7bit (ASCII, no NUL or lone CR, lines <= 998)
 * or 8bit (the same with high bytes): 0 7bit, 1 8bit, 2 neither. */
static int text_class(const char *s, size_t n)
{
    int cls = 0;
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            line = 0;
            continue;
        }
        if (c == '\0' || (c == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
            return 2;
        if (c == '\r')
            continue;
        if (++line > MB_LINE_MAX)
            return 2;
        if (c >= 0x80)
            cls = 1;
    }
    return cls;
}

/* Appends s[0..n) with every line end made CRLF, ending in CRLF. */
static void put_crlf_text(struct buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        size_t len = e - i;
        if (len > 0 && s[e - 1] == '\r')
            len--;
        buf_append(out, s + i, len);
        buf_puts(out, "\r\n");
        i = e + 1;
    }
}

static void put_text_part(struct buf *out, const char *body, size_t n)
{
    buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n");
    if (text_class(body, n) == 0) {
        buf_puts(out, "Content-Transfer-Encoding: 7bit\r\n\r\n");
        put_crlf_text(out, body, n);
    } else {
        buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        mb_qp_encode(body, n, out);
    }
}

/* --- the wire: segments ------------------------------------------------------ */

size_t mb_base64_lines_size(size_t n)
{
    size_t r = n % 57;
    return n / 57 * 78 + (r ? (r + 2) / 3 * 4 + 2 : 0);
}

static struct mb_seg *wire_add(struct mb_wire *w)
{
    if (w->nseg == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        struct mb_seg *v = realloc(w->seg, cap * sizeof(*v));
        if (v == NULL)
            abort();
        w->seg = v;
        w->cap = cap;
    }
    return &w->seg[w->nseg++];
}

/* Ends the text segment being written (if it holds anything). */
static void wire_close_text(struct mb_wire *w)
{
    if (w->text.len == w->open)
        return;
    *wire_add(w) = (struct mb_seg){ MB_SEG_TEXT, w->open, NULL, w->text.len - w->open };
    w->size += w->text.len - w->open;
    w->open = w->text.len;
}

/* A borrowed segment after the text written so far. */
static void wire_borrow(struct mb_wire *w, enum mb_seg_kind kind, const char *data, size_t len)
{
    wire_close_text(w);
    *wire_add(w) = (struct mb_seg){ kind, 0, data, len };
    w->size += kind == MB_SEG_BASE64 ? mb_base64_lines_size(len) : len;
}

void mb_wire_init(struct mb_wire *w)
{
    memset(w, 0, sizeof(*w));
    buf_init(&w->text);
}

void mb_wire_clear(struct mb_wire *w)
{
    buf_clear(&w->text);
    w->nseg = w->size = w->open = 0;
}

void mb_wire_free(struct mb_wire *w)
{
    buf_free(&w->text);
    free(w->seg);
    mb_wire_init(w);
}

void mb_wire_raw(struct mb_wire *w, const char *data, size_t len)
{
    mb_wire_clear(w);
    wire_borrow(w, MB_SEG_RAW, data, len);
}

#define B64_CHUNK_IN  (57 * 840)    /* 47880 bytes in, 65520 out */

/* Writes data[0..n) as base64 lines to fn, a chunk at a time. */
static int write_base64(const char *data, size_t n, struct buf *tmp, mb_sink_fn fn, void *ctx)
{
    for (size_t off = 0; off < n; off += B64_CHUNK_IN) {
        size_t k = n - off > B64_CHUNK_IN ? B64_CHUNK_IN : n - off;
        buf_clear(tmp);
        mb_base64_lines(data + off, k, tmp);
        if (fn(ctx, tmp->data, tmp->len) < 0)
            return -1;
    }
    return 0;
}

int mb_wire_write_range(const struct mb_wire *w, size_t from, size_t to, mb_sink_fn fn, void *ctx)
{
    struct buf tmp;
    buf_init(&tmp);
    int rc = 0;
    for (size_t i = from; i < to && i < w->nseg && rc == 0; i++) {
        const struct mb_seg *g = &w->seg[i];
        if (g->kind == MB_SEG_BASE64)
            rc = write_base64(g->data, g->len, &tmp, fn, ctx);
        else if (g->len > 0)
            rc = fn(ctx, g->kind == MB_SEG_TEXT ? w->text.data + g->off : g->data, g->len);
    }
    buf_free(&tmp);
    return rc;
}

int mb_wire_write(const struct mb_wire *w, mb_sink_fn fn, void *ctx)
{
    return mb_wire_write_range(w, 0, w->nseg, fn, ctx);
}

static int flatten_sink(void *ctx, const char *data, size_t len)
{
    buf_append(ctx, data, len);
    return 0;
}

void mb_wire_flatten(const struct mb_wire *w, struct buf *out)
{
    buf_presize(out, out->len + w->size + 1);
    mb_wire_write(w, flatten_sink, out);
}

static void put_attachment(struct mb_wire *w, const struct mb_attachment *at)
{
    struct buf *out = &w->text;
    const char *name = at->name && at->name[0] ? at->name : "attachment";
    const char *type = mb_detect_type(name, at->data, at->len, at->type);
    int cls = strcmp(type, "message/rfc822") == 0 ? text_class(at->data, at->len) : 2;
    if (cls == 2 && strcmp(type, "message/rfc822") == 0)
        type = "application/octet-stream";   /* message/rfc822 may not be base64 */
    struct hdr h;
    hdr_begin(&h, out, "Content-Type");
    char t[140];
    snprintf(t, sizeof(t), "%s;", type);
    hdr_token(&h, t, strlen(t), true);
    hdr_param(&h, "name", name, true);
    hdr_end(&h);
    hdr_begin(&h, out, "Content-Disposition");
    hdr_token(&h, "attachment;", 11, true);
    hdr_param(&h, "filename", name, true);
    hdr_end(&h);
    if (cls != 2) {
        buf_puts(out, cls == 0 ? "Content-Transfer-Encoding: 7bit\r\n\r\n"
                               : "Content-Transfer-Encoding: 8bit\r\n\r\n");
        put_crlf_text(out, at->data, at->len);
    } else {
        buf_puts(out, "Content-Transfer-Encoding: base64\r\n\r\n");
        wire_borrow(w, MB_SEG_BASE64, at->data, at->len);   /* encoded as it is written */
    }
}

/* --- the message ------------------------------------------------------------ */

static void put_date(struct buf *out, time_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_printf(out, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    if (bytes > sizeof(r))
        bytes = sizeof(r);
    const char *err = NULL;
    if (crypto_random(r, bytes, &err) < 0)
        memset(r, 0x5a, bytes);   /* never expected: getrandom(2) does not fail */
    for (size_t i = 0; i < bytes; i++) {
        out[2 * i] = "0123456789abcdef"[r[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[r[i] & 15];
    }
    out[2 * bytes] = '\0';
}

static int check_list(const struct mb_list *l, const char **why_r)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *why = NULL;
        if (!mb_addr_valid(l->v[i].addr) ||
            (l->v[i].name && mb_screen_text(l->v[i].name, MB_NAME_MAX, &why) < 0)) {
            *why_r = "an address or name does not pass the checks";
            return -1;
        }
    }
    return 0;
}

int mb_build(struct arena *a, const struct mb_message *m, struct buf *out,
             const char **message_id_r, const char **why_r)
{
    struct mb_wire w;
    mb_wire_init(&w);
    int rc = mb_build_wire(a, m, &w, message_id_r, why_r);
    if (rc == 0)
        mb_wire_flatten(&w, out);
    mb_wire_free(&w);
    return rc;
}

int mb_build_wire(struct arena *a, const struct mb_message *m, struct mb_wire *w,
                  const char **message_id_r, const char **why_r)
{
    mb_wire_clear(w);
    struct buf *out = &w->text;
    const char *why = NULL;
    struct mb_list from = {(struct mb_addr *)&m->from, 1};
    if (check_list(&from, why_r) < 0 || check_list(&m->to, why_r) < 0 ||
        check_list(&m->cc, why_r) < 0 || check_list(&m->bcc, why_r) < 0)
        return -1;
    const char *subject = m->subject ? m->subject : "";
    if (mb_screen_text(subject, SUBJECT_MAX, &why) < 0) {
        *why_r = arena_printf(a, "the subject %s", why);
        return -1;
    }
    if ((m->in_reply_to && !mb_msgids_valid(m->in_reply_to)) ||
        (m->references && !mb_msgids_valid(m->references)) ||
        (m->message_id && !mb_msgids_valid(m->message_id)) ||
        (m->x_postern && !mb_ascii_printable(m->x_postern))) {
        *why_r = "a message reference is malformed";
        return -1;
    }
    const char *msgid = m->message_id;
    if (msgid == NULL) {
        char hex[41];
        random_hex(hex, 20);
        const char *host = m->host && mb_domain_valid(m->host) ? m->host : "postern.invalid";
        msgid = arena_printf(a, "<%s@%s>", hex, host);
    }
    /* one allocation for the builder's own bytes: text at most tripled
     * by quoted-printable, headers per file; files are borrowed (a text
     * message/rfc822 one, rare, is copied with its line ends) */
    size_t estimate = 8192 + m->body_len * 3;
    for (size_t i = 0; i < m->natt; i++)
        estimate += 1024;
    buf_presize(out, estimate);
    put_date(out, m->date ? m->date : time(NULL));
    hdr_addresses(out, "From", &from);
    if (m->to.n > 0)
        hdr_addresses(out, "To", &m->to);
    if (m->cc.n > 0)
        hdr_addresses(out, "Cc", &m->cc);
    if (m->write_bcc && m->bcc.n > 0)
        hdr_addresses(out, "Bcc", &m->bcc);
    mb_header_text(out, "Subject", subject);
    buf_printf(out, "Message-ID: %s\r\n", msgid);
    if (m->in_reply_to && m->in_reply_to[0])
        hdr_msgids(out, "In-Reply-To", m->in_reply_to);
    if (m->references && m->references[0])
        hdr_msgids(out, "References", m->references);
    if (m->x_postern && m->x_postern[0])
        mb_header_text(out, "X-Postern-Draft", m->x_postern);
    buf_puts(out, "MIME-Version: 1.0\r\n");
    const char *body = m->body ? m->body : "";
    if (m->natt == 0) {
        put_text_part(out, body, m->body_len);
    } else {
        char hex[25];
        random_hex(hex, 12);
        buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_postern_%s\"\r\n\r\n"
                        "This is a message in MIME format.\r\n", hex);
        buf_printf(out, "\r\n--=_postern_%s\r\n", hex);
        put_text_part(out, body, m->body_len);
        for (size_t i = 0; i < m->natt; i++) {
            buf_printf(out, "\r\n--=_postern_%s\r\n", hex);
            put_attachment(w, &m->att[i]);
        }
        buf_printf(out, "\r\n--=_postern_%s--\r\n", hex);
    }
    wire_close_text(w);
    *message_id_r = msgid;
    return 0;
}
