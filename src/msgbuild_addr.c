/* msgbuild_addr.c — the address side of msgbuild.h: screening typed
 * header text, validating addr-specs and message ids, and reading and
 * writing address lists as people type them. */
#include "msgbuild.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "rfc2047.h"
#include "validate.h"

#define MSGIDS_MAX 8192   /* bytes of In-Reply-To / References */

/* --- screening ------------------------------------------------------------ */

int mb_screen_text(const char *s, size_t max, const char **why_r)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') {
            *why_r = "holds a line break; a header field must be one line";
            return -1;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f ||
            (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)) {
            *why_r = "holds a control character";
            return -1;
        }
    }
    if (n > max) {
        *why_r = "is too long";
        return -1;
    }
    if (!utf8_valid(s, n)) {
        *why_r = "is not valid UTF-8 text";
        return -1;
    }
    return 0;
}

bool mb_ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

static bool is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool mb_domain_valid(const char *d)
{
    size_t n = strlen(d);
    if (n == 0)
        return false;
    if (d[0] == '[') {   /* an IPv4 address literal */
        unsigned a, b, c, e;
        char tail;
        return n <= 17 && d[n - 1] == ']' &&
               sscanf(d, "[%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) == 5 && tail == ']' &&
               a < 256 && b < 256 && c < 256 && e < 256;
    }
    int labels = 0;
    for (const char *p = d; *p;) {
        size_t len = strcspn(p, ".");
        if (len == 0 || len > 63 || p[0] == '-' || p[len - 1] == '-')
            return false;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                return false;
        }
        labels++;
        p += len;
        if (*p == '.' && *++p == '\0')
            return false;   /* a trailing dot */
    }
    return labels >= 2;
}

bool mb_addr_valid(const char *addr)
{
    size_t n = strlen(addr);
    const char *at = strrchr(addr, '@');
    if (n == 0 || n > MB_ADDR_MAX || at == NULL || at == addr || (size_t)(at - addr) > MB_LOCAL_MAX)
        return false;
    /* dot-atom: atext runs separated by single dots */
    if (addr[0] == '.' || at[-1] == '.')
        return false;
    for (const char *p = addr; p < at; p++) {
        if (*p == '.' ? p[1] == '.' : !is_atext((unsigned char)*p))
            return false;
    }
    return mb_domain_valid(at + 1);
}

bool mb_msgids_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MSGIDS_MAX || !mb_ascii_printable(s))
        return false;
    const char *p = s;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (*p != '<')
            return false;
        const char *close = strchr(p, '>');
        if (close == NULL)
            return false;
        const char *at = memchr(p, '@', (size_t)(close - p));
        for (const char *q = p + 1; q < close; q++)
            if (*q == ' ' || *q == '<')
                return false;
        if (at == NULL || at == p + 1 || at + 1 == close)
            return false;
        p = close + 1;
    }
    return true;
}

/* --- address lists ----------------------------------------------------------- */

static char *trim(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

/* "quoted \"name\"" -> quoted "name"; other text as it is. */
static char *unquote(struct arena *a, char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return s;
    char *out = arena_alloc(a, n), *w = out;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n)
            i++;
        *w++ = s[i];
    }
    *w = '\0';
    return out;
}

/* One item: "addr" or "name <addr>". 0, or -1 with *why_r. */
static int parse_item(struct arena *a, char *item, struct mb_addr *out, const char **why_r)
{
    size_t n = strlen(item);
    char *lt = NULL;
    bool q = false;
    for (char *p = item; *p; p++) {
        if (*p == '\\' && q && p[1])
            p++;
        else if (*p == '"')
            q = !q;
        else if (*p == '<' && !q)
            lt = p;
    }
    if (q) {
        *why_r = "has a quote that is not closed";
        return -1;
    }
    if (lt == NULL) {
        out->name = NULL;
        out->addr = item;
    } else {
        if (item[n - 1] != '>') {
            *why_r = "has text after the address in angle brackets";
            return -1;
        }
        out->addr = trim(a, lt + 1, (size_t)(item + n - 1 - (lt + 1)));
        out->name = unquote(a, trim(a, item, (size_t)(lt - item)));
        if (strlen(out->name) > MB_NAME_MAX) {
            *why_r = "has a name that is too long";
            return -1;
        }
        if (strchr(out->name, '<') || strchr(out->name, '>')) {
            *why_r = "is not a valid address";
            return -1;
        }
    }
    if (!mb_addr_valid(out->addr)) {
        *why_r = strchr(out->addr, '@') == NULL ? "is not an e-mail address (no @)"
                                                 : "is not a valid address";
        return -1;
    }
    return 0;
}

int mb_parse_addresses(struct arena *a, const char *text, size_t max, struct mb_list *out,
                       const char **bad_r, const char **why_r)
{
    out->v = NULL;
    out->n = 0;
    *bad_r = NULL;
    const char *why = NULL;
    if (mb_screen_text(text, 65536, &why) < 0) {
        *why_r = why;
        return -1;
    }
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',' || *p == ';';
    out->v = arena_alloc(a, cap * sizeof(*out->v));
    bool q = false;
    int angle = 0;
    const char *start = text;
    for (const char *p = text;; p++) {
        if (*p == '\\' && q && p[1]) {
            p++;
            continue;
        }
        if (*p == '"' && angle == 0)
            q = !q;
        else if (!q && *p == '<')
            angle++;
        else if (!q && *p == '>' && angle > 0)
            angle--;
        if (*p != '\0' && (q || angle > 0 || (*p != ',' && *p != ';')))
            continue;
        char *item = trim(a, start, (size_t)(p - start));
        if (item[0] != '\0') {
            if (out->n >= max) {
                *why_r = "has too many recipients";
                return -1;
            }
            if (parse_item(a, item, &out->v[out->n], why_r) < 0) {
                *bad_r = item;
                return -1;
            }
            out->n++;
        }
        if (*p == '\0')
            break;
        start = p + 1;
    }
    return 0;
}

void mb_decode_names(struct arena *a, struct mb_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].name == NULL || strstr(l->v[i].name, "=?") == NULL)
            continue;
        struct buf b;
        buf_init(&b);
        rfc2047_decode(l->v[i].name, strlen(l->v[i].name), MB_NAME_MAX * 4, &b);
        l->v[i].name = arena_strdup(a, buf_cstr(&b));
        buf_free(&b);
    }
}

bool mb_name_needs_quotes(const char *name)
{
    for (const char *p = name; *p; p++)
        if (strchr("()<>[]:;@\\,.\"", *p))
            return true;
    return false;
}

const char *mb_format_list(struct arena *a, const struct mb_list *l)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            buf_puts(&b, ", ");
        const char *name = l->v[i].name;
        if (name != NULL && name[0] != '\0') {
            if (mb_name_needs_quotes(name)) {
                buf_putc(&b, '"');
                for (const char *p = name; *p; p++) {
                    if (*p == '"' || *p == '\\')
                        buf_putc(&b, '\\');
                    buf_putc(&b, *p);
                }
                buf_putc(&b, '"');
            } else {
                buf_puts(&b, name);
            }
            buf_printf(&b, " <%s>", l->v[i].addr);
        } else {
            buf_puts(&b, l->v[i].addr);
        }
    }
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}
