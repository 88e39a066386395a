/* sanitize.c — the mail HTML sanitizer: tree walk and output (see
 * sanitize.h). The policy is in sanitize_policy.c, the CSS filter in
 * sanitize_css.c, the bounded parse in sanitize_parse.c.
 *
 * The walk is iterative (gumbo trees can be 100 000 deep) and writes only
 * what the policy allows: tag names from gumbo's own table, attributes
 * from ours, escaped text. So the browser's tokenizer can only see
 * allow-listed tags, whatever tree it then builds from them.
 */
#include "sanitize_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- escaping ------------------------------------------------------------ */

void san_escape(struct buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\t': case '\n': case '\f': case '\r': continue;
        default:
            if (c >= 0x20 && c != 0x7f)
                continue;
            rep = "";
        }
        buf_append(b, s + run, i - run);
        buf_puts(b, rep);
        run = i + 1;
    }
    buf_append(b, s + run, n - run);
}

/* ---- the walk ------------------------------------------------------------ */

struct frame {
    const GumboNode *node;
    unsigned next;       /* index of the next child to visit */
    unsigned emitted;    /* the start tag was written: close it */
};

struct walk {
    struct frame *f;
    size_t n, cap;
    unsigned depth;      /* emitted elements open */
    int stop;            /* output limit reached */
};

static void push(struct walk *w, const GumboNode *node, unsigned emitted)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->f = realloc(w->f, w->cap * sizeof(*w->f));
        if (w->f == NULL) {
            fputs("postern: out of memory\n", stderr);
            abort();
        }
    }
    w->f[w->n++] = (struct frame){node, 0, emitted};
    w->depth += emitted;
}

static void stop(struct san *s, struct walk *w)
{
    w->stop = 1;
    s->rep->truncated = 1;
}

/* Writes text, cut at the output limit on a UTF-8 character boundary. */
static void put_text(struct san *s, struct walk *w, const char *t)
{
    size_t n = strlen(t);
    if (s->body.len + n > s->limit) {
        n = s->limit - s->body.len;
        while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
            n--;
        stop(s, w);
    }
    san_escape(&s->body, t, n);
}

/* The text of a <style> element (gumbo gives it one text child). */
static void put_style(struct san *s, const GumboElement *e)
{
    for (unsigned i = 0; i < e->children.length; i++) {
        const GumboNode *c = e->children.data[i];
        if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE)
            san_css_sheet(s, c->v.text.text, strlen(c->v.text.text));
    }
}

/* <link>: always dropped; san_url() counts a remote style sheet or icon
 * as blocked when remote content is off. */
static void drop_link(struct san *s, const GumboElement *e)
{
    GumboAttribute *href = gumbo_get_attribute(&e->attributes, "href");
    struct buf u = {0};
    if (href != NULL)
        san_url(s, &u, href->value, strlen(href->value), SAN_URL_IMAGE);
    buf_free(&u);
}

/* Writes the start tag of a kept element, unless it would pass the
 * output limit. */
static int open_tag(struct san *s, struct walk *w, const GumboNode *node)
{
    const GumboElement *e = &node->v.element;
    size_t mark = s->body.len;
    buf_putc(&s->body, '<');
    buf_puts(&s->body, gumbo_normalized_tagname(e->tag));
    san_put_attrs(s, &s->body, e, e->tag);
    buf_putc(&s->body, '>');
    if (s->body.len > s->limit) {
        s->body.data[s->body.len = mark] = '\0';
        stop(s, w);
        return 0;
    }
    /* the parser drops a newline right after <pre>: keep the content's own */
    if (e->tag == GUMBO_TAG_PRE && e->children.length > 0) {
        const GumboNode *c = e->children.data[0];
        if (c->type == GUMBO_NODE_TEXT && c->v.text.text[0] == '\n')
            buf_putc(&s->body, '\n');
    }
    return 1;
}

static void visit_element(struct san *s, struct walk *w, const GumboNode *node)
{
    const GumboElement *e = &node->v.element;
    const struct san_elem *p = san_elem(e->tag);
    if (node->type == GUMBO_NODE_TEMPLATE || e->tag_namespace != GUMBO_NAMESPACE_HTML) {
        san_count(&s->rep->elements_dropped);
        return;
    }
    switch ((enum san_action)p->action) {
    case SAN_STYLE:
        put_style(s, e);
        return;
    case SAN_LINK:
        drop_link(s, e);
        /* fall through */
    case SAN_DROP:
        san_count(&s->rep->elements_dropped);
        return;
    case SAN_KEEP:
        if (w->depth < SANITIZE_MAX_DEPTH) {
            if (open_tag(s, w, node) && !p->is_void)
                push(w, node, 1);
            return;
        }
        /* too deep: unwrap */
        /* fall through */
    case SAN_UNWRAP:
        san_count(&s->rep->elements_dropped);
        push(w, node, 0);
        return;
    }
}

static void visit(struct san *s, struct walk *w, const GumboNode *node)
{
    if (s->body.len >= s->limit) {
        stop(s, w);
        return;
    }
    switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
        put_text(s, w, node->v.text.text);
        break;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        visit_element(s, w, node);
        break;
    case GUMBO_NODE_COMMENT:
    case GUMBO_NODE_DOCUMENT:
        break;
    }
}

static void pop(struct san *s, struct walk *w)
{
    struct frame *f = &w->f[--w->n];
    if (f->emitted) {
        buf_puts(&s->body, "</");
        buf_puts(&s->body, gumbo_normalized_tagname(f->node->v.element.tag));
        buf_putc(&s->body, '>');
        w->depth--;
    }
}

/* Writes the content of <body>; once the limit is hit, only closes what
 * is open. */
static void walk_body(struct san *s, const GumboNode *body)
{
    struct walk w = {0};
    push(&w, body, 0);
    while (w.n > 0) {
        struct frame *f = &w.f[w.n - 1];
        const GumboVector *kids = &f->node->v.element.children;
        if (!w.stop && f->next < kids->length)
            visit(s, &w, kids->data[f->next++]);
        else
            pop(s, &w);
    }
    free(w.f);
}

/* <head>: only its <style> (and <link>) elements matter. */
static void walk_head(struct san *s, const GumboNode *head)
{
    const GumboVector *kids = &head->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *c = kids->data[i];
        if (c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE)
            continue;
        enum san_action a = (enum san_action)san_elem(c->v.element.tag)->action;
        if (c->type == GUMBO_NODE_ELEMENT && a == SAN_STYLE)
            put_style(s, &c->v.element);
        else if (c->type == GUMBO_NODE_ELEMENT && a == SAN_LINK)
            drop_link(s, &c->v.element);
        else
            san_count(&s->rep->elements_dropped);
    }
}

/* ---- the document -------------------------------------------------------- */

/* Public identifiers (prefixes, lowercase) that put browsers in quirks
 * mode: those mail still uses; the HTML standard lists more, all for
 * long-dead DTDs. gumbo 0.10.1 matches none of them. */
static const char *const quirks_ids[] = {
    "-//w3c//dtd html 4.0 transitional//", "-//w3c//dtd html 4.0 frameset//",
    "-//w3c//dtd html 3", "-//w3c//dtd html experimental", "-//w3c//dtd w3 html//",
    "-//w3o//dtd w3 html", "-//ietf//dtd html", "-//microsoft//dtd internet explorer",
    "-//netscape comm. corp.//dtd", "-//webtechs//dtd mozilla html", "-//softquad",
    "-//sq//dtd html 2.0", "-//spyglass//dtd html 2.0",
    "-//o'reilly and associates//dtd html", "-//metrius//dtd metrius presentational//",
};

/* Limited quirks ("almost standards"); HTML 4.01 only with a system id. */
static const char *const almost_ids[] = {
    "-//w3c//dtd xhtml 1.0 transitional//", "-//w3c//dtd xhtml 1.0 frameset//",
    "-//w3c//dtd html 4.01 transitional//", "-//w3c//dtd html 4.01 frameset//",
};

static int id_prefix(const char *id, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strncasecmp(id, list[i], strlen(list[i])) == 0)
            return (int)i + 1;
    return 0;
}

/* The rendering mode a browser would pick for the input's doctype. */
static GumboQuirksModeEnum render_mode(const GumboDocument *d)
{
    const char *pub = d->public_identifier ? d->public_identifier : "";
    const char *sys = d->system_identifier ? d->system_identifier : "";
    int almost;
    if (d->doc_type_quirks_mode == GUMBO_DOCTYPE_QUIRKS || !d->has_doctype ||
        id_prefix(pub, quirks_ids, sizeof(quirks_ids) / sizeof(quirks_ids[0])))
        return GUMBO_DOCTYPE_QUIRKS;
    almost = id_prefix(pub, almost_ids, sizeof(almost_ids) / sizeof(almost_ids[0]));
    if (almost > 2)
        return sys[0] ? GUMBO_DOCTYPE_LIMITED_QUIRKS : GUMBO_DOCTYPE_QUIRKS;
    return almost ? GUMBO_DOCTYPE_LIMITED_QUIRKS : GUMBO_DOCTYPE_NO_QUIRKS;
}

/* A doctype that puts the browser in that mode again. */
static const char *doctype(GumboQuirksModeEnum mode)
{
    switch (mode) {
    case GUMBO_DOCTYPE_NO_QUIRKS:
        return "<!DOCTYPE html>";
    case GUMBO_DOCTYPE_LIMITED_QUIRKS:
        return "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
               "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">";
    case GUMBO_DOCTYPE_QUIRKS:
        break;
    }
    return "";
}

static void put_document(struct san *s, const GumboOutput *tree, struct buf *out)
{
    const GumboNode *root = tree->root, *body = NULL;
    struct buf battrs = {0};
    const GumboVector *kids = &root->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *c = kids->data[i];
        if (c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_HEAD)
            walk_head(s, c);
        else if (c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_BODY)
            body = c;
        else if (c->type == GUMBO_NODE_ELEMENT)
            san_count(&s->rep->elements_dropped);  /* <frameset> */
    }
    if (body != NULL) {
        san_put_attrs(s, &battrs, &body->v.element, GUMBO_TAG_BODY);
        if (battrs.len > s->limit / 2) {
            buf_clear(&battrs);
            s->rep->truncated = 1;
        }
        s->limit -= battrs.len;
        walk_body(s, body);
    }
    buf_puts(out, doctype(render_mode(&tree->document->v.document)));
    buf_puts(out, "<html><head><meta charset=\"utf-8\">"
                  "<meta name=\"referrer\" content=\"no-referrer\">");
    if (s->css.len > 0) {
        buf_puts(out, "<style>");
        buf_append(out, s->css.data, s->css.len);
        buf_puts(out, "</style>");
    }
    buf_puts(out, "</head><body id=\"" SANITIZE_BODY_ID "\"");
    buf_append(out, battrs.data, battrs.len);
    buf_putc(out, '>');
    buf_append(out, s->body.data, s->body.len);
    buf_puts(out, "</body></html>");
    buf_free(&battrs);
}

/* opts with every 0 limit replaced by its default. */
static struct sanitize_opts with_defaults(const struct sanitize_opts *opts)
{
    struct sanitize_opts o = {0};
    if (opts != NULL)
        o = *opts;
    if (o.max_in == 0)
        o.max_in = SANITIZE_MAX_IN;
    if (o.max_out == 0)
        o.max_out = SANITIZE_MAX_OUT;
    if (o.max_mem == 0)
        o.max_mem = SANITIZE_MAX_MEM;
    if (o.max_cpu_ms == 0)
        o.max_cpu_ms = SANITIZE_MAX_CPU_MS;
    return o;
}

int sanitize_html(const char *html, size_t len, const struct sanitize_opts *opts,
                  struct buf *out, struct sanitize_report *rep, const char **error_r)
{
    struct sanitize_opts o = with_defaults(opts);
    struct sanitize_report dummy;
    struct san_pool pool;
    const char *err;
    struct san s = {.o = &o, .rep = rep ? rep : &dummy};
    memset(s.rep, 0, sizeof(*s.rep));
    GumboOutput *tree = san_parse(&pool, html, len, &o, &err);
    if (tree == NULL) {
        if (error_r != NULL)
            *error_r = err;
        return -1;
    }
    s.css_limit = o.max_out / 4;
    s.limit = o.max_out - s.css_limit;
    buf_append(&s.body, "", 0);
    put_document(&s, tree, out);
    san_parse_free(&pool, tree);
    buf_free(&s.body);
    buf_free(&s.css);
    return 0;
}
