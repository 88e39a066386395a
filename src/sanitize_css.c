/* sanitize_css.c — the CSS filter for style attributes and <style> blocks
 * (see sanitize_private.h).
 *
 * Nothing of the input is copied unchecked: each declaration is split out
 * (comments removed first), its property must be on the allow-list and
 * its value is re-built from an allow-listed alphabet — no backslash
 * escapes, no ";{}<>@*:\" outside url(), no function other than colours,
 * calc() and gradients, balanced quotes and parentheses — so every emitted
 * declaration reads the same to a browser however the input was meant to
 * be split. url() is only allowed in background and list-style
 * properties and goes through san_url() as an image: a blocked remote
 * image becomes "none" (keeping a background colour), anything else drops
 * the declaration.
 *
 * Style sheets keep qualified rules and @media blocks of them; every other
 * at-rule (@import, @font-face, @keyframes, @supports …) is dropped. Each
 * selector is scoped under #SANITIZE_BODY_ID (a leading "html"/"body" is
 * mapped onto it), so the rules cannot reach anything outside the mail even
 * when the output is inlined. Neither selectors nor values can contain '<',
 * so no "</style" can come out.
 */
#include "sanitize_private.h"

#include <string.h>
#include <strings.h>

#define CSS_MAX_VALUE    2048  /* bytes of one declaration value */
#define CSS_MAX_SELECTOR 1024  /* bytes of one rule's selector list */
#define CSS_MAX_MEDIA    256   /* bytes of an @media condition */

/* Properties kept; "url" marks those whose value may hold url(). */
static const struct {
    const char *name;
    unsigned char url;
} props[] = {
    {"background", 1}, {"background-color", 0}, {"background-image", 1},
    {"background-position", 0}, {"background-repeat", 0}, {"background-size", 0},
    {"border", 0}, {"border-bottom", 0}, {"border-bottom-color", 0},
    {"border-bottom-left-radius", 0}, {"border-bottom-right-radius", 0},
    {"border-bottom-style", 0}, {"border-bottom-width", 0}, {"border-collapse", 0},
    {"border-color", 0}, {"border-left", 0}, {"border-left-color", 0},
    {"border-left-style", 0}, {"border-left-width", 0}, {"border-radius", 0},
    {"border-right", 0}, {"border-right-color", 0}, {"border-right-style", 0},
    {"border-right-width", 0}, {"border-spacing", 0}, {"border-style", 0},
    {"border-top", 0}, {"border-top-color", 0}, {"border-top-left-radius", 0},
    {"border-top-right-radius", 0}, {"border-top-style", 0}, {"border-top-width", 0},
    {"border-width", 0}, {"box-shadow", 0}, {"box-sizing", 0}, {"caption-side", 0},
    {"clear", 0}, {"color", 0}, {"direction", 0}, {"display", 0}, {"empty-cells", 0},
    {"float", 0}, {"font", 0}, {"font-family", 0}, {"font-size", 0}, {"font-stretch", 0},
    {"font-style", 0}, {"font-variant", 0}, {"font-weight", 0}, {"height", 0},
    {"letter-spacing", 0}, {"line-height", 0}, {"list-style", 1}, {"list-style-image", 1},
    {"list-style-position", 0}, {"list-style-type", 0}, {"margin", 0},
    {"margin-bottom", 0}, {"margin-left", 0}, {"margin-right", 0}, {"margin-top", 0},
    {"max-height", 0}, {"max-width", 0}, {"min-height", 0}, {"min-width", 0},
    {"opacity", 0}, {"overflow", 0}, {"overflow-wrap", 0}, {"overflow-x", 0},
    {"overflow-y", 0}, {"padding", 0}, {"padding-bottom", 0}, {"padding-left", 0},
    {"padding-right", 0}, {"padding-top", 0}, {"position", 0}, {"table-layout", 0},
    {"text-align", 0}, {"text-decoration", 0}, {"text-decoration-color", 0},
    {"text-decoration-line", 0}, {"text-decoration-style", 0}, {"text-indent", 0},
    {"text-overflow", 0}, {"text-shadow", 0}, {"text-transform", 0},
    {"vertical-align", 0}, {"visibility", 0}, {"white-space", 0}, {"width", 0},
    {"word-break", 0}, {"word-spacing", 0}, {"word-wrap", 0},
};

/* Functions a value may call, besides url(). */
static const char *const funcs[] = {
    "rgb", "rgba", "hsl", "hsla", "calc", "linear-gradient", "radial-gradient",
};

/* Words no value, selector or media condition may contain. */
static const char *const banned[] = {
    "expression", "javascript", "vbscript", "behavior", "binding",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int css_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int alnum(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
}

static int ident_char(unsigned char c)
{
    return alnum(c) || c == '-' || c == '_' || c >= 0x80;
}

/* 1 if c is one of the characters of set (never for NUL). */
static int in_set(unsigned char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* A character a URL may keep in url("…"): unreserved or reserved (RFC
 * 3986) but for quotes, parentheses and '@'; '%' of escapes. */
static int url_char(unsigned char c)
{
    return alnum(c) || in_set(c, "-._~:/?#[]!$&*+,;=%");
}

/* A character allowed inside a quoted string of a value or selector (no
 * parenthesis either: no "url(" even as text). */
static int string_char(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && !in_set(c, "\\\"'<>{};@()");
}

/* Copies css[0..n) to t without comments (outside strings). */
static void strip_comments(const char *c, size_t n, struct buf *t)
{
    char q = 0;
    if (memmem(c, n, "/*", 2) == NULL) {
        buf_append(t, c, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (q == 0 && c[i] == '/' && i + 1 < n && c[i + 1] == '*') {
            const char *e = memmem(c + i + 2, n - i - 2, "*/", 2);
            i = e ? (size_t)(e - c) + 1 : n;
            buf_putc(t, ' ');
            continue;
        }
        if (q == 0 && (c[i] == '"' || c[i] == '\''))
            q = c[i];
        else if (q != 0 && (c[i] == q || c[i] == '\n'))
            q = 0;
        else if (q != 0 && c[i] == '\\' && i + 1 < n)
            buf_putc(t, c[i++]);
        buf_putc(t, c[i]);
    }
}

/* Index of the first of the characters stops at top level (outside
 * strings and parentheses) in c[i..n), or n. */
static size_t find_top(const char *c, size_t n, size_t i, const char *stops)
{
    char q = 0;
    size_t depth = 0;
    for (; i < n; i++) {
        if (q != 0) {
            if (c[i] == q || c[i] == '\n')
                q = 0;
        } else if (c[i] == '"' || c[i] == '\'') {
            q = c[i];
        } else if (c[i] == '(') {
            depth++;
        } else if (c[i] == ')' && depth > 0) {
            depth--;
        } else if (depth == 0 && in_set((unsigned char)c[i], stops)) {
            return i;
        }
    }
    return n;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && css_space((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n > 0 && css_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Appends c, collapsing whitespace runs to one space. */
static void put_char(struct buf *o, char c)
{
    if (css_space((unsigned char)c)) {
        if (o->len > 0 && o->data[o->len - 1] != ' ')
            buf_putc(o, ' ');
        return;
    }
    buf_putc(o, c);
}

/* ---- values -------------------------------------------------------------- */

/* Copies the string at v[*i] (a quote) to o; 0 if it is not clean. */
static int put_string(const char *v, size_t n, size_t *i, struct buf *o)
{
    char q = v[*i];
    size_t j = *i + 1;
    while (j < n && v[j] != q && string_char((unsigned char)v[j]))
        j++;
    if (j >= n || v[j] != q)
        return 0;
    buf_append(o, v + *i, j + 1 - *i);
    *i = j + 1;
    return 1;
}

/* The url( at v[*i] (just after the parenthesis): appends url("…") or
 * "none", moves *i past the ')'. 0 if the declaration must go. */
static int put_url(struct san *s, const char *v, size_t n, size_t *i, struct buf *o)
{
    size_t j = *i, start, end;
    while (j < n && css_space((unsigned char)v[j]))
        j++;
    if (j < n && (v[j] == '"' || v[j] == '\'')) {
        const char *e = memchr(v + j + 1, v[j], n - j - 1);
        if (e == NULL)
            return 0;
        start = j + 1;
        end = (size_t)(e - v);
        j = end + 1;
    } else {
        start = j;
        while (j < n && !css_space((unsigned char)v[j]) && v[j] != ')')
            j++;
        end = j;
    }
    while (j < n && css_space((unsigned char)v[j]))
        j++;
    if (j >= n || v[j] != ')' || memchr(v + start, '\\', end - start) != NULL)
        return 0;
    *i = j + 1;
    struct buf u = {0};
    int r = san_url(s, &u, v + start, end - start, SAN_URL_IMAGE);
    if (r == 1) {
        /* only URL characters, the rest %-encoded: nothing in the quoted
         * string can end it or read as CSS ("@import", quotes, '<') */
        buf_puts(o, "url(\"");
        for (size_t k = 0; k < u.len; k++) {
            unsigned char c = (unsigned char)u.data[k];
            if (url_char(c))
                buf_putc(o, (char)c);
            else
                buf_printf(o, "%%%02X", c);
        }
        buf_puts(o, "\")");
    } else if (r == -1) {
        buf_puts(o, "none");
    }
    buf_free(&u);
    return r != 0;
}

/* Handles the '(' at v[*i]: the identifier just written to o names the
 * function. 0 if it is not allowed. */
static int put_function(struct san *s, const char *v, size_t n, size_t *i, struct buf *o,
                        int url_ok, size_t *depth)
{
    size_t k = o->len;
    while (k > 0 && ident_char((unsigned char)o->data[k - 1]))
        k--;
    size_t fn = o->len - k;
    (*i)++;
    if (fn == 3 && strncasecmp(o->data + k, "url", 3) == 0) {
        o->data[o->len = k] = '\0';
        return url_ok && put_url(s, v, n, i, o);
    }
    for (size_t f = 0; f < NELEM(funcs); f++)
        if (strlen(funcs[f]) == fn && strncasecmp(o->data + k, funcs[f], fn) == 0) {
            buf_putc(o, '(');
            (*depth)++;
            return 1;
        }
    return 0;
}

/* 1 if v[0..n) contains w, in any case. */
static int contains(const char *v, size_t n, const char *w)
{
    size_t wn = strlen(w);
    for (size_t i = 0; i + wn <= n; i++)
        if (strncasecmp(v + i, w, wn) == 0)
            return 1;
    return 0;
}

static int has_banned(const char *v, size_t n)
{
    for (size_t b = 0; b < NELEM(banned); b++)
        if (contains(v, n, banned[b]))
            return 1;
    return 0;
}

/* Re-builds the value v[0..n) into o from allowed pieces; 0 if it holds
 * anything else. */
static int put_value(struct san *s, const char *v, size_t n, struct buf *o, int url_ok)
{
    size_t depth = 0, i = 0, start = o->len;
    if (n == 0 || n > CSS_MAX_VALUE)
        return 0;
    while (i < n) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\'') {
            if (!put_string(v, n, &i, o))
                return 0;
        } else if (c == '(') {
            if (!put_function(s, v, n, &i, o, url_ok, &depth))
                return 0;
        } else if (c == ')') {
            if (depth-- == 0)
                return 0;
            buf_putc(o, ')');
            i++;
        } else if (ident_char(c) || css_space(c) || in_set(c, "#%.,+/!")) {
            put_char(o, (char)c);
            i++;
        } else {
            return 0;
        }
    }
    return depth == 0 && !has_banned(o->data + start, o->len - start);
}

/* position may only keep elements in the flow. */
static int position_ok(const char *v, size_t n)
{
    static const char *const ok[] = {"static", "relative", "static!important",
                                     "relative!important"};
    char w[24];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!css_space((unsigned char)v[i])) {
            if (k == sizeof(w) - 1)
                return 0;
            w[k++] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
        }
    w[k] = '\0';
    for (size_t i = 0; i < NELEM(ok); i++)
        if (strcmp(w, ok[i]) == 0)
            return 1;
    return 0;
}

static int prop_lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < NELEM(props); i++)
        if (strlen(props[i].name) == n && strncasecmp(props[i].name, name, n) == 0)
            return (int)i;
    return -1;
}

/* Appends the declaration d[0..n) as "prop:value;" if allowed; 1 if so. */
static int put_decl(struct san *s, struct buf *b, const char *d, size_t n)
{
    size_t colon = find_top(d, n, 0, ":");
    const char *name = d, *value = colon < n ? d + colon + 1 : d + n;
    size_t nn = colon, vn = colon < n ? n - colon - 1 : 0;
    trim(&name, &nn);
    trim(&value, &vn);
    int p = colon < n ? prop_lookup(name, nn) : -1;
    if (p < 0 || (strcmp(props[p].name, "position") == 0 && !position_ok(value, vn)))
        return 0;
    size_t mark = b->len;
    buf_puts(b, props[p].name);
    buf_putc(b, ':');
    if (!put_value(s, value, vn, b, props[p].url)) {
        b->len = mark;
        b->data[mark] = '\0';
        return 0;
    }
    buf_putc(b, ';');
    return 1;
}

/* Declarations of c[0..n), comments already removed. */
static size_t put_decls(struct san *s, struct buf *b, const char *c, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n;) {
        size_t j = find_top(c, n, i, ";");
        const char *d = c + i;
        size_t dn = j - i;
        trim(&d, &dn);
        if (dn > 0 && put_decl(s, b, d, dn))
            kept++;
        else if (dn > 0)
            san_count(&s->rep->css_dropped);
        i = j + 1;
    }
    return kept;
}

size_t san_css_decls(struct san *s, struct buf *b, const char *css, size_t n)
{
    struct buf t = {0};
    strip_comments(css, n, &t);
    size_t kept = put_decls(s, b, t.data, t.len);
    buf_free(&t);
    return kept;
}

/* ---- selectors ----------------------------------------------------------- */

static int selector_char(unsigned char c)
{
    return ident_char(c) || css_space(c) || in_set(c, "*#.>+~:()[]=|^$\"',");
}

/* 1 if sel[0..n) uses only selector characters, clean strings and
 * balanced parentheses. */
static int selector_clean(const char *sel, size_t n)
{
    size_t depth = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)sel[i];
        if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < n && sel[j] != (char)c && string_char((unsigned char)sel[j]))
                j++;
            if (j >= n || sel[j] != (char)c)
                return 0;
            i = j + 1;
            continue;
        }
        if (!selector_char(c) || (c == ')' && depth == 0))
            return 0;
        depth += c == '(';
        depth -= c == ')';
        i++;
    }
    return depth == 0;
}

/* If sel[0..n) starts with the compound selector of type `type` ("html",
 * "body"), returns the length of that compound; else 0. */
static size_t leading_type(const char *sel, size_t n, const char *type)
{
    size_t tn = strlen(type);
    if (n < tn || strncasecmp(sel, type, tn) != 0 || (n > tn && ident_char((unsigned char)sel[tn])))
        return 0;
    return find_top(sel, n, 0, " \t\n\r\f>+~");
}

/* Skips whitespace and one '>' after a compound; -1 on '+' or '~', which
 * would reach siblings of the scope. */
static int skip_combinator(const char **sel, size_t *n)
{
    trim(sel, n);
    if (*n > 0 && (**sel == '+' || **sel == '~'))
        return -1;
    if (*n > 0 && **sel == '>')
        (*sel)++, (*n)--;
    trim(sel, n);
    return 0;
}

/* Appends one selector, scoped; 0 if it cannot be. */
static int put_selector(struct buf *o, const char *sel, size_t n)
{
    size_t k;
    trim(&sel, &n);
    if (n == 0 || sel[0] == '+' || sel[0] == '~')
        return 0;
    if ((k = leading_type(sel, n, "html")) > 0) {
        sel += k, n -= k;
        if (skip_combinator(&sel, &n) < 0)
            return 0;
    }
    buf_puts(o, "#" SANITIZE_BODY_ID);
    if ((k = leading_type(sel, n, "body")) > 0) {
        sel += k, n -= k;
        trim(&sel, &n);
        if (n > 0 && (sel[0] == '+' || sel[0] == '~'))
            return 0;
    }
    if (n > 0)
        buf_putc(o, ' ');
    for (size_t i = 0; i < n; i++)
        put_char(o, sel[i]);
    return 1;
}

/* Appends the scoped selector list pre[0..n); 0 if any is not allowed. */
static int put_selectors(struct buf *o, const char *pre, size_t n)
{
    if (n > CSS_MAX_SELECTOR || !selector_clean(pre, n) || has_banned(pre, n) ||
        contains(pre, n, "url("))
        return 0;
    for (size_t i = 0; i <= n;) {
        size_t j = find_top(pre, n, i, ",");
        if (i > 0)
            buf_putc(o, ',');
        if (!put_selector(o, pre + i, j - i))
            return 0;
        i = j + 1;
    }
    return 1;
}

/* ---- style sheets -------------------------------------------------------- */

static void sheet_rules(struct san *s, const char *c, size_t n, int nested);

/* Index of the '}' closing the block opened at c[open], or n. */
static size_t block_end(const char *c, size_t n, size_t open)
{
    size_t depth = 0;
    for (size_t i = open; i < n; i = find_top(c, n, i + 1, "{}")) {
        if (c[i] == '{')
            depth++;
        else if (--depth == 0)
            return i;
    }
    return n;
}

static void qualified_rule(struct san *s, const char *pre, size_t pn, const char *body,
                           size_t bn)
{
    struct buf sel = {0}, decls = {0};
    trim(&pre, &pn);
    if (put_selectors(&sel, pre, pn) && put_decls(s, &decls, body, bn) > 0 &&
        s->css.len + sel.len + decls.len + 2 <= s->css_limit) {
        buf_append(&s->css, sel.data, sel.len);
        buf_putc(&s->css, '{');
        buf_append(&s->css, decls.data, decls.len);
        buf_putc(&s->css, '}');
    } else {
        san_count(&s->rep->css_dropped);
    }
    buf_free(&sel);
    buf_free(&decls);
}

static int media_clean(const char *m, size_t n)
{
    size_t depth = 0;
    if (n == 0 || n > CSS_MAX_MEDIA || has_banned(m, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)m[i];
        if (!(ident_char(c) || css_space(c) || in_set(c, "():.,/")) || (c == ')' && depth == 0))
            return 0;
        if (c == '(' && i > 0 && ident_char((unsigned char)m[i - 1]))
            return 0;  /* features only, no functions */
        depth += c == '(';
        depth -= c == ')';
    }
    return depth == 0;
}

/* An at-rule: "@name prelude" with a block body (body NULL: a statement). */
static void at_rule(struct san *s, const char *pre, size_t pn, const char *body, size_t bn,
                    int nested)
{
    size_t k = 1;
    while (k < pn && ident_char((unsigned char)pre[k]))
        k++;
    const char *cond = pre + k;
    size_t cn = pn - k;
    trim(&cond, &cn);
    if (body != NULL && !nested && k == 6 && strncasecmp(pre, "@media", 6) == 0 &&
        media_clean(cond, cn)) {
        size_t mark = s->css.len;
        buf_puts(&s->css, "@media ");
        for (size_t i = 0; i < cn; i++)
            put_char(&s->css, cond[i]);
        buf_putc(&s->css, '{');
        size_t inner = s->css.len;
        sheet_rules(s, body, bn, 1);
        if (s->css.len == inner)
            s->css.data[s->css.len = mark] = '\0';
        else
            buf_putc(&s->css, '}');
        return;
    }
    int fetches = (k == 7 && strncasecmp(pre, "@import", 7) == 0) ||
                  (body != NULL && contains(body, bn, "url("));
    if (fetches && !s->o->allow_remote)
        san_count(&s->rep->remote_blocked);
    san_count(&s->rep->css_dropped);
}

/* Filters the rules of c[0..n) into s->css; nested: inside @media. */
static void sheet_rules(struct san *s, const char *c, size_t n, int nested)
{
    size_t i = 0;
    while (i < n) {
        if (css_space((unsigned char)c[i])) {
            i++;
            continue;
        }
        if (n - i >= 4 && memcmp(c + i, "<!--", 4) == 0) {
            i += 4;
            continue;
        }
        if (n - i >= 3 && memcmp(c + i, "-->", 3) == 0) {
            i += 3;
            continue;
        }
        size_t j = find_top(c, n, i, "{;}");
        if (j < n && c[j] == '{') {
            size_t k = block_end(c, n, j);
            if (c[i] == '@')
                at_rule(s, c + i, j - i, c + j + 1, (k < n ? k : n) - j - 1, nested);
            else
                qualified_rule(s, c + i, j - i, c + j + 1, (k < n ? k : n) - j - 1);
            i = k + 1;
        } else {
            if (c[i] == '@')
                at_rule(s, c + i, j - i, NULL, 0, nested);
            else
                san_count(&s->rep->css_dropped);
            i = j + 1;
        }
    }
}

void san_css_sheet(struct san *s, const char *css, size_t n)
{
    struct buf t = {0};
    strip_comments(css, n, &t);
    sheet_rules(s, t.data, t.len, 0);
    buf_free(&t);
}
