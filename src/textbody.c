/* textbody.c — see textbody.h. */
#include "textbody.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "tmpl.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define REPL "\xEF\xBF\xBD"   /* U+FFFD */
#define OPEN_TAG "<blockquote>"
#define CLOSE_TAG "</blockquote>"
#define TAB_SPACES 4

/* Where the HTML goes. */
struct writer {
    struct buf *out;
    size_t limit;     /* out->len may not pass this (closing tags aside) */
    int full;         /* something did not fit: nothing more is written */
    int depth;        /* open <blockquote>s */
    int need_br;      /* a line was written in the current block */
    struct buf tmp;   /* scratch for escaping */
};

/* Appends s[0..n) whole, or marks the writer full. 0 or -1. */
static int w_put(struct writer *w, const char *s, size_t n)
{
    if (w->full || w->out->len + n > w->limit) {
        w->full = 1;
        return -1;
    }
    buf_append(w->out, s, n);
    return 0;
}

/* Appends escaped text e[0..n), or as much of it as fits, cut neither in
 * an entity nor in a UTF-8 sequence (then the writer is full). */
static void w_put_cut(struct writer *w, const char *e, size_t n)
{
    size_t room = w->limit > w->out->len ? w->limit - w->out->len : 0;
    if (w->full || n == 0)
        return;
    if (n <= room) {
        buf_append(w->out, e, n);
        return;
    }
    size_t k = room;
    const char *amp = memrchr(e, '&', k);
    if (amp != NULL && memchr(amp, ';', k - (size_t)(amp - e)) == NULL)
        k = (size_t)(amp - e);
    while (k > 0 && ((unsigned char)e[k] & 0xC0) == 0x80)
        k--;
    if (k > 0)
        buf_append(w->out, e, k);
    w->full = 1;
}

/* --- text and links -------------------------------------------------- */

static void put_space(struct buf *b, int *sp)
{
    if (*sp)
        buf_puts(b, "&nbsp;");
    else
        buf_putc(b, ' ');
    *sp = 1;
}

/* Length of the character at p[0..n) that escaping alone does not handle
 * (space, TAB, other C0, DEL, C1), or 0. */
static size_t special_len(const unsigned char *p, size_t n)
{
    if (p[0] <= ' ' || p[0] == 0x7F)
        return 1;
    if (p[0] == 0xC2 && n > 1 && p[1] >= 0x80 && p[1] <= 0x9F)
        return 2;
    return 0;
}

/* Writes text s[0..n); *sp says the previous character was a space (or
 * that this is the start of a line). */
static void emit_text(struct writer *w, const char *s, size_t n, int *sp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, k;
    buf_clear(&w->tmp);
    while (i < n) {
        if ((k = special_len(p + i, n - i)) == 0) {
            i++;
            continue;
        }
        if (i > run) {
            tmpl_escape_html(&w->tmp, s + run, i - run);
            *sp = 0;
        }
        if (p[i] == ' ') {
            put_space(&w->tmp, sp);
        } else if (p[i] == '\t') {
            for (int t = 0; t < TAB_SPACES; t++)
                put_space(&w->tmp, sp);
        } else if (p[i] != 0) {
            buf_append(&w->tmp, REPL, 3);
            *sp = 0;
        }
        i += k;
        run = i;
    }
    if (i > run) {
        tmpl_escape_html(&w->tmp, s + run, i - run);
        *sp = 0;
    }
    w_put_cut(w, w->tmp.data, w->tmp.len);
}

static const struct {
    const char *prefix;
    size_t len;
} schemes[] = {
    {"https://", 8}, {"http://", 7}, {"mailto:", 7},
};

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int url_char(char c)
{
    return c > ' ' && c < 0x7F && strchr("<>\"`", c) == NULL;
}

/* Length of u[0..n) without trailing punctuation and unbalanced closing
 * brackets. Linear: bracket counts are kept as characters are removed. */
static size_t trim_url(const char *u, size_t n)
{
    static const char open[] = "([{", close[] = ")]}";
    long excess[3] = {0, 0, 0};   /* closing minus opening brackets, per kind */
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            excess[k] += (u[i] == close[k]) - (u[i] == open[k]);
    while (n > 0) {
        const char *c = strchr(close, u[n - 1]);
        if (strchr(".,;:!?'*", u[n - 1]) != NULL) {
            n--;
        } else if (c != NULL && excess[c - close] > 0) {
            excess[c - close]--;
            n--;
        } else {
            break;
        }
    }
    return n;
}

/* Link scanning state of one line: the URL characters starting at any
 * point before run_end end there. */
struct scan {
    size_t run_end;
    size_t skip_to;   /* a failed mailto: candidate ran to here */
};

/* Length of the http(s)/mailto link at s[i] (of s[0..n)), or 0. */
static size_t link_at(const char *s, size_t n, size_t i, struct scan *sc)
{
    if (i < sc->skip_to || (i > 0 && is_alnum(s[i - 1])))
        return 0;
    for (size_t k = 0; k < NELEM(schemes); k++) {
        size_t pl = schemes[k].len;
        if (n - i <= pl || strncasecmp(s + i, schemes[k].prefix, pl) != 0)
            continue;
        int mailto = s[i + pl - 1] == ':';
        if (!mailto && !is_alnum(s[i + pl]) && s[i + pl] != '[')
            return 0;
        if (sc->run_end <= i)
            for (sc->run_end = i; sc->run_end < n && url_char(s[sc->run_end]);)
                sc->run_end++;
        size_t len = trim_url(s + i, sc->run_end - i);
        if (!mailto)
            return len > pl ? len : 0;
        const char *at = memchr(s + i + pl, '@', len > pl ? len - pl : 0);
        if (at != NULL && at > s + i + pl && at < s + i + len - 1)
            return len;
        sc->skip_to = sc->run_end;
        return 0;
    }
    return 0;
}

static void emit_link(struct writer *w, const char *u, size_t n)
{
    buf_clear(&w->tmp);
    buf_puts(&w->tmp, "<a href=\"");
    tmpl_escape_html(&w->tmp, u, n);
    buf_puts(&w->tmp, "\" rel=\"noopener noreferrer\" target=\"_blank\">");
    tmpl_escape_html(&w->tmp, u, n);
    buf_puts(&w->tmp, "</a>");
    w_put(w, w->tmp.data, w->tmp.len);
}

/* Writes the content of one line (or flowed paragraph), links included. */
static void render_inline(struct writer *w, const char *s, size_t n)
{
    struct scan sc = {0, 0};
    size_t i = 0, run = 0, k;
    int sp = 1;
    while (i < n && !w->full) {
        char c = (char)(s[i] | 0x20);
        if ((c != 'h' && c != 'm') || (k = link_at(s, n, i, &sc)) == 0) {
            i++;
            continue;
        }
        emit_text(w, s + run, i - run, &sp);
        emit_link(w, s + i, k);
        sp = 0;
        i += k;
        run = i;
    }
    if (!w->full)
        emit_text(w, s + run, n - run, &sp);
}

/* --- lines, quotes, paragraphs ---------------------------------------- */

/* Opens or closes <blockquote>s to reach depth. Closing tags always fit:
 * their room is kept out of the limit. */
static void set_depth(struct writer *w, int depth)
{
    while (w->depth > depth) {
        buf_puts(w->out, CLOSE_TAG);
        w->depth--;
        w->need_br = 0;
    }
    while (w->depth < depth && w_put(w, OPEN_TAG, sizeof(OPEN_TAG) - 1) == 0) {
        w->depth++;
        w->need_br = 0;
    }
}

static void emit_line(struct writer *w, size_t depth, const char *s, size_t n)
{
    set_depth(w, depth > TEXTBODY_MAX_DEPTH ? TEXTBODY_MAX_DEPTH : (int)depth);
    if (w->need_br && w_put(w, "<br>\n", 5) != 0)
        return;
    render_inline(w, s, n);
    w->need_br = 1;
}

/* The next line of s[0..n) from *pos (ending at CRLF, LF or CR). */
static int next_line(const char *s, size_t n, size_t *pos, const char **line, size_t *len)
{
    size_t i = *pos;
    if (i >= n)
        return 0;
    while (i < n && s[i] != '\r' && s[i] != '\n')
        i++;
    *line = s + *pos;
    *len = i - *pos;
    if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
        i += 2;
    else if (i < n)
        i++;
    *pos = i;
    return 1;
}

/* Quote depth of a line and the length of its prefix (quote marks and a
 * stuffed or separating space). */
static size_t quote_depth(const char *s, size_t n, int flowed, size_t *skip)
{
    size_t i = 0, d = 0;
    if (flowed) {
        while (i < n && s[i] == '>')
            i++, d++;
        if (i < n && s[i] == ' ')
            i++;   /* space-stuffing */
    } else {
        while (i < n && s[i] == '>') {
            d++, i++;
            if (i + 1 < n && s[i] == ' ' && s[i + 1] == '>')
                i++;
        }
        if (d > 0 && i < n && s[i] == ' ')
            i++;
    }
    *skip = i;
    return d;
}

static void render_fixed(struct writer *w, const char *s, size_t n)
{
    const char *line;
    size_t pos = 0, len, skip;
    while (!w->full && next_line(s, n, &pos, &line, &len)) {
        size_t d = quote_depth(line, len, 0, &skip);
        emit_line(w, d, line + skip, len - skip);
    }
}

static void render_flowed(struct writer *w, const char *s, size_t n, int delsp)
{
    struct buf para = {0};
    const char *line;
    size_t pos = 0, len, skip, pdepth = 0;
    int open = 0;
    while (!w->full && next_line(s, n, &pos, &line, &len)) {
        size_t d = quote_depth(line, len, 1, &skip);
        const char *t = line + skip;
        size_t tn = len - skip;
        int sig = tn == 3 && memcmp(t, "-- ", 3) == 0;
        int soft = !sig && tn > 0 && t[tn - 1] == ' ';
        if (open && d != pdepth) {   /* quote depth changed: the paragraph ends */
            emit_line(w, pdepth, para.data, para.len);
            buf_clear(&para);
        }
        buf_append(&para, t, soft && delsp ? tn - 1 : tn);
        pdepth = d;
        open = soft;
        if (!soft) {
            emit_line(w, d, para.data, para.len);
            buf_clear(&para);
        }
    }
    if (open && !w->full)
        emit_line(w, pdepth, para.data, para.len);
    buf_free(&para);
}

int textbody_to_html(const char *s, size_t n, unsigned flags, size_t cap, struct buf *out)
{
    size_t reserve = TEXTBODY_MAX_DEPTH * (sizeof(CLOSE_TAG) - 1);
    struct writer w = {out, out->len + (cap > reserve ? cap - reserve : 0), 0, 0, 0, {0}};
    if (flags & TEXTBODY_FLOWED)
        render_flowed(&w, s, n, (flags & TEXTBODY_DELSP) != 0);
    else
        render_fixed(&w, s, n);
    set_depth(&w, 0);
    buf_free(&w.tmp);
    return w.full;
}
