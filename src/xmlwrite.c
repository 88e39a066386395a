/* xmlwrite.c — see xmlwrite.h. */
#include "xmlwrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid, shortest-form UTF-8 sequence at s[0..n) and its
 * code point in *cp, or 0 if the bytes there are not one. */
static size_t utf8_one(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned char c = s[0];
    size_t len;
    unsigned long v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; v = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; v = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

void xml_escape(struct buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned long cp;
        size_t len = utf8_one(p + i, n - i, &cp);
        if (len == 0) {
            buf_puts(out, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        switch (cp) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&apos;"); break;
        default:
            if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF)
                break;   /* not an XML 1.0 character: dropped */
            buf_append(out, p + i, len);
        }
        i += len;
    }
}

static void indent(struct xw *w, int depth)
{
    buf_putc(w->out, '\n');
    for (int i = 0; i < depth; i++)
        buf_puts(w->out, "  ");
}

/* Ends a pending start tag with ">". */
static void finish_start(struct xw *w)
{
    if (w->in_start_tag) {
        buf_putc(w->out, '>');
        w->in_start_tag = false;
    }
}

void xw_begin(struct xw *w, struct buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
}

void xw_raw_line(struct xw *w, const char *line)
{
    finish_start(w);
    indent(w, w->depth);
    buf_puts(w->out, line);
}

void xw_open(struct xw *w, const char *name)
{
    if (w->depth >= XW_DEPTH)
        abort();
    finish_start(w);
    indent(w, w->depth);
    buf_putc(w->out, '<');
    buf_puts(w->out, name);
    w->open[w->depth++] = name;
    w->in_start_tag = true;
}

void xw_attr(struct xw *w, const char *name, const char *value)
{
    if (!w->in_start_tag)
        abort();
    buf_putc(w->out, ' ');
    buf_puts(w->out, name);
    buf_puts(w->out, "=\"");
    if (value != NULL)
        xml_escape(w->out, value, strlen(value));
    buf_putc(w->out, '"');
}

void xw_close(struct xw *w)
{
    if (w->depth == 0)
        abort();
    const char *name = w->open[--w->depth];
    if (w->in_start_tag) {
        buf_puts(w->out, "/>");
        w->in_start_tag = false;
    } else {
        indent(w, w->depth);
        buf_puts(w->out, "</");
        buf_puts(w->out, name);
        buf_putc(w->out, '>');
    }
}

void xw_elem_attr(struct xw *w, const char *name, const char *attr, const char *value,
                  const char *text)
{
    finish_start(w);
    indent(w, w->depth);
    buf_putc(w->out, '<');
    buf_puts(w->out, name);
    if (attr != NULL) {
        buf_putc(w->out, ' ');
        buf_puts(w->out, attr);
        buf_puts(w->out, "=\"");
        xml_escape(w->out, value ? value : "", value ? strlen(value) : 0);
        buf_putc(w->out, '"');
    }
    if (text == NULL || *text == '\0') {
        buf_puts(w->out, "/>");
        return;
    }
    buf_putc(w->out, '>');
    xml_escape(w->out, text, strlen(text));
    buf_puts(w->out, "</");
    buf_puts(w->out, name);
    buf_putc(w->out, '>');
}

void xw_elem(struct xw *w, const char *name, const char *text)
{
    xw_elem_attr(w, name, NULL, NULL, text);
}

void xw_elem_uint(struct xw *w, const char *name, unsigned long n)
{
    char num[24];
    snprintf(num, sizeof(num), "%lu", n);
    xw_elem(w, name, num);
}

void xw_empty(struct xw *w, const char *name)
{
    finish_start(w);
    indent(w, w->depth);
    buf_putc(w->out, '<');
    buf_puts(w->out, name);
    buf_puts(w->out, "/>");
}

void xw_end(struct xw *w)
{
    while (w->depth > 0)
        xw_close(w);
    buf_putc(w->out, '\n');
}
