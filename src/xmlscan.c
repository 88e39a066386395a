/* xmlscan.c — see xmlscan.h.
 *
 * One pass over the bytes with a cursor; the open elements and the
 * namespace bindings in scope are two bounded stacks in the arena. A
 * problem sets sc->err (a literal) and unwinds by return values.
 */
#include "xmlscan.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "validate.h"

#define XML_NS_URI "http://www.w3.org/XML/1998/namespace"

void xml_limits_default(struct xml_limits *l)
{
    l->max_depth = 32;
    l->max_elements = 1024;
    l->max_attrs = 16;
    l->max_ns = 32;
    l->max_text = 8192;
}

struct span {
    const char *s;
    size_t n;
};

struct open_el {
    struct span qname;
    size_t ns_mark;         /* bindings in scope before this element */
    const char *ns, *local;
};

struct binding {
    struct span prefix;     /* n == 0: the default namespace */
    const char *uri;        /* "" undeclares the default */
};

struct attr {
    struct span qname;
    const char *value;
};

struct scanner {
    const char *start, *p, *end;
    struct arena *a;
    struct xml_limits lim;
    xml_handler fn;
    void *ctx;
    const char *err;
    size_t err_at;
    int stopped;            /* the handler's non-zero value */
    struct open_el *stack;
    size_t depth;
    struct binding *ns;
    size_t nns;
    struct attr *attrs;
    char *text;
    size_t text_len;
    size_t elements;
    bool root_seen;
};

static int fail(struct scanner *sc, const char *why)
{
    if (sc->err == NULL) {
        sc->err = why;
        sc->err_at = (size_t)(sc->p - sc->start);
    }
    return -1;
}

static bool at(const struct scanner *sc, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(sc->end - sc->p) >= n && memcmp(sc->p, lit, n) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(struct scanner *sc)
{
    while (sc->p < sc->end && is_space(*sc->p))
        sc->p++;
}

/* Names: ASCII letters, '_' and any non-ASCII byte start one; digits, '-'
 * and '.' may follow; ':' separates a prefix (at most one, not at either
 * end). A simplification of XML's Name that accepts every real one we
 * expect and nothing that could confuse the markup. */
static bool name_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int scan_name(struct scanner *sc, struct span *out)
{
    const char *b = sc->p;
    int colons = 0;
    if (sc->p >= sc->end || !name_start((unsigned char)*sc->p))
        return fail(sc, "a name was expected");
    while (sc->p < sc->end && (name_char((unsigned char)*sc->p) || *sc->p == ':')) {
        if (*sc->p == ':') {
            if (++colons > 1 || sc->p + 1 >= sc->end || !name_start((unsigned char)sc->p[1]))
                return fail(sc, "a name has a misplaced colon");
        }
        sc->p++;
    }
    out->s = b;
    out->n = (size_t)(sc->p - b);
    return 0;
}

static bool span_eq(struct span a, struct span b)
{
    return a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
}

static bool span_is(struct span a, const char *lit)
{
    return a.n == strlen(lit) && memcmp(a.s, lit, a.n) == 0;
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) { d[0] = (char)cp; return 1; }
    if (cp < 0x800) { d[0] = (char)(0xC0 | (cp >> 6)); d[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12)); d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18)); d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* A reference at sc->p ('&'): decodes it into d (room for 4 bytes) and
 * returns its length, or -1. */
static int scan_reference(struct scanner *sc, char *d)
{
    static const struct { const char *name; char c; } predefined[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''},
    };
    const char *semi = memchr(sc->p, ';', (size_t)(sc->end - sc->p) < 12 ? (size_t)(sc->end - sc->p) : 12);
    if (semi == NULL)
        return fail(sc, "an entity reference has no closing ';'");
    const char *b = sc->p + 1;
    size_t n = (size_t)(semi - b);
    if (n > 0 && b[0] == '#') {
        unsigned long cp = 0;
        bool hex = n > 1 && b[1] == 'x';
        size_t i = hex ? 2 : 1;
        if (i == n)
            return fail(sc, "an empty character reference");
        for (; i < n; i++) {
            char c = b[i];
            int v = c >= '0' && c <= '9' ? c - '0'
                  : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0)
                return fail(sc, "a malformed character reference");
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
            if (cp > 0x10FFFF)
                return fail(sc, "a character reference beyond Unicode");
        }
        if (!xml_char(cp))
            return fail(sc, "a character reference to a character XML does not allow");
        sc->p = semi + 1;
        return (int)put_utf8(d, cp);
    }
    for (size_t i = 0; i < sizeof(predefined) / sizeof(predefined[0]); i++)
        if (n == strlen(predefined[i].name) && memcmp(b, predefined[i].name, n) == 0) {
            d[0] = predefined[i].c;
            sc->p = semi + 1;
            return 1;
        }
    return fail(sc, "an undefined entity (only &lt; &gt; &amp; &quot; &apos; are known)");
}

/* A quoted attribute value, decoded into the arena. */
static int scan_value(struct scanner *sc, const char **out)
{
    if (sc->p >= sc->end || (*sc->p != '"' && *sc->p != '\''))
        return fail(sc, "an attribute value must be quoted");
    char q = *sc->p++;
    const char *close = memchr(sc->p, q, (size_t)(sc->end - sc->p));
    if (close == NULL)
        return fail(sc, "an attribute value is not closed");
    /* decoding never makes text longer than the source */
    char *v = arena_alloc(sc->a, (size_t)(close - sc->p) + 1), *d = v;
    while (sc->p < close) {
        if (*sc->p == '<')
            return fail(sc, "'<' in an attribute value");
        if (*sc->p == '&') {
            int k = scan_reference(sc, d);
            if (k < 0)
                return -1;
            if (sc->p > close)
                return fail(sc, "an entity reference runs past its attribute value");
            d += k;
            continue;
        }
        *d++ = *sc->p++;
    }
    *d = '\0';
    sc->p = close + 1;
    *out = v;
    return 0;
}

static const char *lookup_ns(const struct scanner *sc, struct span prefix)
{
    if (span_is(prefix, "xml"))
        return XML_NS_URI;
    for (size_t i = sc->nns; i > 0; i--)
        if (span_eq(sc->ns[i - 1].prefix, prefix))
            return sc->ns[i - 1].uri;
    return prefix.n == 0 ? "" : NULL;
}

/* Splits qname at its colon into prefix and local part. */
static void split_qname(struct span q, struct span *prefix, struct span *local)
{
    const char *colon = memchr(q.s, ':', q.n);
    if (colon == NULL) {
        *prefix = (struct span){q.s, 0};
        *local = q;
        return;
    }
    *prefix = (struct span){q.s, (size_t)(colon - q.s)};
    *local = (struct span){colon + 1, q.n - prefix->n - 1};
}

static int bind_ns(struct scanner *sc, struct span prefix, const char *uri)
{
    if (span_is(prefix, "xmlns") || span_is(prefix, "xml"))
        return fail(sc, "the xml and xmlns prefixes cannot be declared");
    if (prefix.n > 0 && *uri == '\0')
        return fail(sc, "a namespace prefix cannot be undeclared");
    if (sc->nns >= sc->lim.max_ns)
        return fail(sc, "too many namespace declarations");
    sc->ns[sc->nns++] = (struct binding){prefix, uri};
    return 0;
}

/* The attributes of a start tag, up to "/>" or ">"; binds the namespaces
 * they declare. Returns the number of attributes, or -1. */
static int scan_attrs(struct scanner *sc)
{
    size_t n = 0;
    for (;;) {
        const char *before = sc->p;
        skip_space(sc);
        if (sc->p >= sc->end)
            return fail(sc, "a start tag is not closed");
        if (*sc->p == '>' || *sc->p == '/' || *sc->p == '?')
            return (int)n;
        if (sc->p == before)
            return fail(sc, "attributes must be separated by white space");
        struct attr at_;
        if (scan_name(sc, &at_.qname) < 0)
            return -1;
        skip_space(sc);
        if (sc->p >= sc->end || *sc->p != '=')
            return fail(sc, "an attribute without '='");
        sc->p++;
        skip_space(sc);
        if (scan_value(sc, &at_.value) < 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (span_eq(sc->attrs[i].qname, at_.qname))
                return fail(sc, "an attribute appears twice");
        if (n >= sc->lim.max_attrs)
            return fail(sc, "too many attributes on one element");
        sc->attrs[n++] = at_;
        struct span prefix, local;
        split_qname(at_.qname, &prefix, &local);
        if (span_is(at_.qname, "xmlns") && bind_ns(sc, (struct span){at_.qname.s, 0}, at_.value) < 0)
            return -1;
        if (span_is(prefix, "xmlns") && bind_ns(sc, local, at_.value) < 0)
            return -1;
    }
}

static int emit(struct scanner *sc, const struct xml_item *it)
{
    int r = sc->fn(sc->ctx, it);
    if (r != 0) {
        sc->stopped = r;
        return -1;
    }
    return 0;
}

/* Delivers the text gathered since the last tag, if any. */
static int flush_text(struct scanner *sc)
{
    if (sc->text_len == 0)
        return 0;
    struct xml_item it = {.event = XML_TEXT, .text = arena_strndup(sc->a, sc->text, sc->text_len),
                          .text_len = sc->text_len, .depth = sc->depth};
    sc->text_len = 0;
    return emit(sc, &it);
}

static int add_text(struct scanner *sc, const char *s, size_t n)
{
    if (sc->depth == 0) {
        for (size_t i = 0; i < n; i++)
            if (!is_space(s[i]))
                return fail(sc, sc->root_seen ? "text after the root element" : "text before the root element");
        return 0;
    }
    if (n > sc->lim.max_text - sc->text_len)
        return fail(sc, "an element holds too much text");
    memcpy(sc->text + sc->text_len, s, n);
    sc->text_len += n;
    return 0;
}

static int end_element(struct scanner *sc)
{
    struct open_el *el = &sc->stack[sc->depth - 1];
    struct xml_item it = {.event = XML_END, .ns = el->ns, .local = el->local, .depth = sc->depth};
    if (flush_text(sc) < 0 || emit(sc, &it) < 0)
        return -1;
    sc->nns = el->ns_mark;
    sc->depth--;
    return 0;
}

static int start_tag(struct scanner *sc)
{
    if (sc->root_seen && sc->depth == 0)
        return fail(sc, "a second root element");
    if (sc->depth >= sc->lim.max_depth)
        return fail(sc, "elements nested too deeply");
    if (++sc->elements > sc->lim.max_elements)
        return fail(sc, "too many elements");
    sc->p++;   /* '<' */
    struct open_el el = {.ns_mark = sc->nns};
    if (scan_name(sc, &el.qname) < 0)
        return -1;
    int nattrs = scan_attrs(sc);
    if (nattrs < 0)
        return -1;
    struct span prefix, local;
    for (int i = 0; i < nattrs; i++) {
        split_qname(sc->attrs[i].qname, &prefix, &local);
        if (prefix.n > 0 && !span_is(prefix, "xmlns") && lookup_ns(sc, prefix) == NULL)
            return fail(sc, "an attribute uses an undeclared namespace prefix");
    }
    split_qname(el.qname, &prefix, &local);
    el.ns = lookup_ns(sc, prefix);
    if (el.ns == NULL)
        return fail(sc, "an element uses an undeclared namespace prefix");
    if (span_is(prefix, "xmlns"))
        return fail(sc, "an element cannot use the xmlns prefix");
    el.local = arena_strndup(sc->a, local.s, local.n);
    if (*sc->p == '?')
        return fail(sc, "a start tag is not closed properly");
    bool empty = *sc->p == '/';
    if (empty && (sc->p + 1 >= sc->end || sc->p[1] != '>'))
        return fail(sc, "'/' in a start tag must be followed by '>'");
    sc->p += empty ? 2 : 1;
    if (flush_text(sc) < 0)
        return -1;
    sc->stack[sc->depth++] = el;
    sc->root_seen = true;
    struct xml_item it = {.event = XML_START, .ns = el.ns, .local = el.local, .depth = sc->depth};
    if (emit(sc, &it) < 0)
        return -1;
    return empty ? end_element(sc) : 0;
}

static int end_tag(struct scanner *sc)
{
    sc->p += 2;   /* "</" */
    struct span name;
    if (scan_name(sc, &name) < 0)
        return -1;
    skip_space(sc);
    if (sc->p >= sc->end || *sc->p != '>')
        return fail(sc, "an end tag is not closed");
    sc->p++;
    if (sc->depth == 0 || !span_eq(sc->stack[sc->depth - 1].qname, name))
        return fail(sc, "an end tag does not match its start tag");
    return end_element(sc);
}

/* Skips past terminator; fails with why if it never comes. */
static int skip_past(struct scanner *sc, const char *terminator, const char *why, const char **content_end)
{
    size_t tn = strlen(terminator);
    const char *q = memmem(sc->p, (size_t)(sc->end - sc->p), terminator, tn);
    if (q == NULL)
        return fail(sc, why);
    if (content_end != NULL)
        *content_end = q;
    sc->p = q + tn;
    return 0;
}

static int comment(struct scanner *sc)
{
    sc->p += 4;   /* "<!--" */
    if (skip_past(sc, "--", "a comment is not closed", NULL) < 0)
        return -1;
    if (sc->p >= sc->end || *sc->p != '>')
        return fail(sc, "\"--\" inside a comment");
    sc->p++;
    return 0;
}

static int cdata(struct scanner *sc)
{
    if (sc->depth == 0)
        return fail(sc, "a CDATA section outside the root element");
    sc->p += 9;   /* "<![CDATA[" */
    const char *b = sc->p, *e;
    if (skip_past(sc, "]]>", "a CDATA section is not closed", &e) < 0)
        return -1;
    return add_text(sc, b, (size_t)(e - b));
}

static int processing_instruction(struct scanner *sc)
{
    sc->p += 2;   /* "<?" */
    struct span target;
    if (scan_name(sc, &target) < 0)
        return -1;
    if (target.n == 3 && strncasecmp(target.s, "xml", 3) == 0)
        return fail(sc, "an XML declaration that is not at the very start");
    return skip_past(sc, "?>", "a processing instruction is not closed", NULL);
}

/* Character data up to the next '<', references decoded. */
static int char_data(struct scanner *sc)
{
    char chunk[256];
    size_t n = 0;
    while (sc->p < sc->end && *sc->p != '<') {
        if (n + 4 > sizeof(chunk)) {
            if (add_text(sc, chunk, n) < 0)
                return -1;
            n = 0;
        }
        if (*sc->p == '&') {
            int k = scan_reference(sc, chunk + n);
            if (k < 0)
                return -1;
            n += (size_t)k;
            continue;
        }
        if (*sc->p == '>' && sc->p - sc->start >= 2 && sc->p[-1] == ']' && sc->p[-2] == ']')
            return fail(sc, "\"]]>\" in text");
        chunk[n++] = *sc->p++;
    }
    return add_text(sc, chunk, n);
}

/* <?xml version="1.x" encoding="UTF-8" standalone="..."?> */
static int xml_declaration(struct scanner *sc)
{
    sc->p += 5;   /* "<?xml" */
    int n = scan_attrs(sc);
    if (n < 0)
        return -1;
    if (!at(sc, "?>"))
        return fail(sc, "the XML declaration is not closed with \"?>\"");
    sc->p += 2;
    sc->nns = 0;   /* "xmlns" here would be a pseudo-attribute, not a binding */
    if (n == 0 || !span_is(sc->attrs[0].qname, "version") || strncmp(sc->attrs[0].value, "1.", 2) != 0)
        return fail(sc, "the XML declaration must start with version=\"1.x\"");
    for (int i = 1; i < n; i++) {
        struct span k = sc->attrs[i].qname;
        const char *v = sc->attrs[i].value;
        if (span_is(k, "encoding")) {
            if (strcasecmp(v, "utf-8") != 0 && strcasecmp(v, "us-ascii") != 0)
                return fail(sc, "only UTF-8 documents are accepted");
        } else if (!span_is(k, "standalone")) {
            return fail(sc, "an unknown pseudo-attribute in the XML declaration");
        }
    }
    return 0;
}

/* Every character is one XML 1.0 allows, in valid UTF-8. */
static int check_chars(struct scanner *sc)
{
    if (!utf8_valid(sc->p, (size_t)(sc->end - sc->p)))
        return fail(sc, "the document is not valid UTF-8");
    for (const unsigned char *q = (const unsigned char *)sc->p; q < (const unsigned char *)sc->end; q++) {
        if (*q < 0x20 && *q != '\t' && *q != '\n' && *q != '\r') {
            sc->p = (const char *)q;
            return fail(sc, "a control character XML does not allow");
        }
        if (*q == 0xEF && q + 2 < (const unsigned char *)sc->end && q[1] == 0xBF && (q[2] == 0xBE || q[2] == 0xBF)) {
            sc->p = (const char *)q;
            return fail(sc, "U+FFFE or U+FFFF, which XML does not allow");
        }
    }
    return 0;
}

static int markup(struct scanner *sc)
{
    if (at(sc, "<!--"))
        return comment(sc);
    if (at(sc, "<![CDATA["))
        return cdata(sc);
    if (at(sc, "<!DOCTYPE") || at(sc, "<!doctype"))
        return fail(sc, "document type declarations (DTDs, entities) are not accepted");
    if (at(sc, "<!"))
        return fail(sc, "markup declarations are not accepted");
    if (at(sc, "<?"))
        return processing_instruction(sc);
    if (at(sc, "</"))
        return end_tag(sc);
    return start_tag(sc);
}

static int scan(struct scanner *sc)
{
    if (at(sc, "\xEF\xBB\xBF"))
        sc->p += 3;
    if (check_chars(sc) < 0)
        return -1;
    if (at(sc, "<?xml") && sc->end - sc->p > 5 && (is_space(sc->p[5]) || sc->p[5] == '?') &&
        xml_declaration(sc) < 0)
        return -1;
    while (sc->p < sc->end) {
        int r = *sc->p == '<' ? markup(sc) : char_data(sc);
        if (r < 0)
            return -1;
    }
    if (sc->depth > 0)
        return fail(sc, "the document ends inside an element");
    if (!sc->root_seen)
        return fail(sc, "the document has no root element");
    return 0;
}

int xml_scan(struct arena *a, const char *doc, size_t len, const struct xml_limits *lim,
             xml_handler fn, void *ctx, const char **error_r)
{
    struct scanner sc = {.start = doc, .p = doc, .end = doc + len, .a = a, .fn = fn, .ctx = ctx};
    if (lim != NULL)
        sc.lim = *lim;
    else
        xml_limits_default(&sc.lim);
    if (sc.lim.max_attrs < 4)
        sc.lim.max_attrs = 4;   /* room for the XML declaration's three */
    sc.stack = arena_alloc(a, sizeof(*sc.stack) * (sc.lim.max_depth + 1));
    sc.ns = arena_alloc(a, sizeof(*sc.ns) * (sc.lim.max_ns + 1));
    sc.attrs = arena_alloc(a, sizeof(*sc.attrs) * (sc.lim.max_attrs + 1));
    sc.text = arena_alloc(a, sc.lim.max_text + 1);
    if (scan(&sc) == 0)
        return 0;
    if (sc.stopped != 0)
        return sc.stopped;
    if (error_r != NULL)
        *error_r = arena_printf(a, "byte %zu: %s", sc.err_at, sc.err ? sc.err : "malformed XML");
    return -1;
}
