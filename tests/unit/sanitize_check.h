/* sanitize_check.h — a structural check of sanitize_html() output, written
 * apart from the sanitizer's own tables so that a slip in one is caught by
 * the other. Shared by tests/unit/test_sanitize.c and
 * tests/fuzz/fuzz_sanitize.c.
 *
 * The output is re-parsed with gumbo, as a browser would parse it, and
 * must hold: only allow-listed HTML elements (no SVG/MathML), <style> only
 * in <head>; only allow-listed attributes, none "on…"; URL attributes with
 * an allowed scheme (remote images only if allowed, cid: parts only as
 * mapped to cid_prefix); no "javascript:", "vbscript:" or "data:" in any
 * attribute value; CSS without url() fetches unless allowed, expression(),
 * escapes, @import or out-of-flow positioning. The raw text must contain
 * no "<script", comment or other dangerous tag opener.
 */
#ifndef POSTERN_TEST_SANITIZE_CHECK_H
#define POSTERN_TEST_SANITIZE_CHECK_H

#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const check_elements[] = {
    "html", "head", "body", "meta", "style",
    "a", "abbr", "acronym", "address", "area", "article", "aside", "b", "bdi", "bdo",
    "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "dfn", "dir", "div", "dl", "dt", "em", "figcaption",
    "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
    "hr", "i", "img", "ins", "kbd", "li", "main", "map", "mark", "menu", "nav", "nobr",
    "ol", "p", "pre", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "section",
    "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
};

static const char *const check_attrs[] = {
    "abbr", "align", "alink", "alt", "axis", "background", "bgcolor", "border",
    "bordercolor", "cellpadding", "cellspacing", "cite", "class", "clear", "color",
    "colspan", "compact", "coords", "datetime", "dir", "face", "frame", "headers",
    "height", "hidden", "href", "hspace", "id", "lang", "link", "name", "noshade",
    "nowrap", "open", "reversed", "rowspan", "rules", "scope", "shape", "size", "span",
    "src", "start", "style", "summary", "text", "title", "type", "usemap", "valign",
    "value", "vlink", "vspace", "width", "target", "rel", "charset", "content",
};

/* Raw-text openers that must not appear at all. */
static const char *const check_banned_raw[] = {
    "<script", "<iframe", "<object", "<embed", "<svg", "<math", "<!--", "<![cdata[",
    "<base", "<form", "<link", "<template", "<noscript", "<textarea", "<xmp",
    "<plaintext", "<title", "<frame", "<input", "<button", "<select", "<applet",
    "<noembed", "<isindex", "<image", "<video", "<audio", "<source",
};

/* Anywhere in CSS text (lowercased, whitespace removed). */
static const char *const check_banned_css[] = {
    "expression", "javascript", "vbscript", "behavior", "binding", "@import", "\\",
    "<", "@font-face",
};

/* As a declaration: at the start, or after '{' or ';'. */
static const char *const check_banned_decls[] = {
    "position:fixed", "position:absolute", "position:sticky", "content:",
};

struct sanitize_check {
    int allow_remote;
    const char *cid_prefix;  /* what mapped cid: URLs start with, or NULL */
    char why[512];           /* the first violation */
};

static int check_fail(struct sanitize_check *c, const char *what, const char *detail)
{
    snprintf(c->why, sizeof(c->why), "%s: %.400s", what, detail ? detail : "");
    return -1;
}

static int check_in(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* s lowercased, without whitespace and control characters; malloc'd. */
static char *check_squash(const char *s)
{
    char *d = malloc(strlen(s) + 1), *p = d;
    for (; *s; s++)
        if ((unsigned char)*s > ' ' && *s != 0x7f)
            *p++ = (char)((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
    *p = '\0';
    return d;
}

static int check_prefix(const char *s, const char *p)
{
    return p != NULL && strncasecmp(s, p, strlen(p)) == 0;
}

static int check_url(struct sanitize_check *c, const char *name, const char *v)
{
    int link = strcmp(name, "href") == 0 || strcmp(name, "cite") == 0;
    int image = strcmp(name, "src") == 0 || strcmp(name, "background") == 0;
    int remote = check_prefix(v, "https://") || check_prefix(v, "http://");
    if (strcmp(name, "usemap") == 0 && v[0] != '#')
        return check_fail(c, "usemap not a fragment", v);
    if (link && !(remote || check_prefix(v, "mailto:") || v[0] == '#' ||
                  check_prefix(v, c->cid_prefix)))
        return check_fail(c, "link with a bad scheme", v);
    if (image && !((remote && c->allow_remote) || check_prefix(v, c->cid_prefix)))
        return check_fail(c, "image not allowed", v);
    return 0;
}

/* CSS text from a style attribute or element. */
static int check_css(struct sanitize_check *c, const char *css)
{
    char *sq = check_squash(css);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof(check_banned_css) / sizeof(check_banned_css[0]); i++)
        if (strstr(sq, check_banned_css[i]) != NULL)
            rc = check_fail(c, "banned CSS", css);
    for (size_t i = 0; rc == 0 && i < sizeof(check_banned_decls) / sizeof(check_banned_decls[0]); i++)
        for (const char *d = sq; rc == 0 && (d = strstr(d, check_banned_decls[i])) != NULL; d++)
            if (d == sq || d[-1] == '{' || d[-1] == ';')
                rc = check_fail(c, "banned CSS declaration", css);
    for (const char *u = sq; rc == 0 && (u = strstr(u, "url(")) != NULL; u += 4) {
        const char *v = u[4] == '"' || u[4] == '\'' ? u + 5 : u + 4;
        int remote = check_prefix(v, "https://") || check_prefix(v, "http://");
        if (!((remote && c->allow_remote) || check_prefix(v, c->cid_prefix)))
            rc = check_fail(c, "CSS url() not allowed", css);
    }
    free(sq);
    return rc;
}

static int check_attr(struct sanitize_check *c, const GumboNode *n, const GumboAttribute *a)
{
    char *sq;
    int bad;
    if (!check_in(check_attrs, sizeof(check_attrs) / sizeof(check_attrs[0]), a->name))
        return check_fail(c, "attribute not allowed", a->name);
    if (strncasecmp(a->name, "on", 2) == 0)
        return check_fail(c, "event handler", a->name);
    sq = check_squash(a->value);
    bad = strstr(sq, "javascript:") || strstr(sq, "vbscript:") || strstr(sq, "data:");
    free(sq);
    if (bad)
        return check_fail(c, "script or data URL in a value", a->value);
    if (strcmp(a->name, "style") == 0)
        return check_css(c, a->value);
    if (strcmp(a->name, "id") == 0 && strcmp(a->value, "postern-mail") == 0 &&
        n->v.element.tag != GUMBO_TAG_BODY)
        return check_fail(c, "the body id on another element", a->value);
    return check_url(c, a->name, a->value);
}

static int check_element(struct sanitize_check *c, const GumboNode *n, int in_head)
{
    const GumboElement *e = &n->v.element;
    const char *name = gumbo_normalized_tagname(e->tag);
    if (n->type == GUMBO_NODE_TEMPLATE || e->tag_namespace != GUMBO_NAMESPACE_HTML)
        return check_fail(c, "template or foreign element", name);
    if (e->tag == GUMBO_TAG_UNKNOWN ||
        !check_in(check_elements, sizeof(check_elements) / sizeof(check_elements[0]), name))
        return check_fail(c, "element not allowed", name);
    if (e->tag == GUMBO_TAG_STYLE) {
        if (!in_head)
            return check_fail(c, "style outside head", "");
        for (unsigned i = 0; i < e->children.length; i++) {
            const GumboNode *t = e->children.data[i];
            if (t->type == GUMBO_NODE_TEXT && check_css(c, t->v.text.text) != 0)
                return -1;
        }
    }
    for (unsigned i = 0; i < e->attributes.length; i++)
        if (check_attr(c, n, e->attributes.data[i]) != 0)
            return -1;
    return 0;
}

/* Walks the tree iteratively; 0 if every node passes. */
static int check_tree(struct sanitize_check *c, const GumboNode *root)
{
    size_t cap = 64, n = 0;
    const GumboNode **st = malloc(cap * sizeof(*st));
    int rc = 0;
    st[n++] = root;
    while (rc == 0 && n > 0) {
        const GumboNode *node = st[--n];
        if (node->type == GUMBO_NODE_COMMENT || node->type == GUMBO_NODE_CDATA)
            rc = check_fail(c, "comment or CDATA node", "");
        if (rc != 0 || (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE))
            continue;
        const GumboNode *up = node->parent;
        int in_head = up != NULL && up->type == GUMBO_NODE_ELEMENT &&
                      up->v.element.tag == GUMBO_TAG_HEAD;
        rc = check_element(c, node, in_head);
        const GumboVector *kids = &node->v.element.children;
        for (unsigned i = 0; rc == 0 && i < kids->length; i++) {
            if (n == cap)
                st = realloc(st, (cap *= 2) * sizeof(*st));
            st[n++] = kids->data[i];
        }
    }
    free(st);
    return rc;
}

/* 0 if doc[0..len) passes every check, else -1 with c->why set. */
static int sanitize_check(struct sanitize_check *c, const char *doc, size_t len)
{
    char *low = malloc(len + 1);
    int rc = 0;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)((doc[i] >= 'A' && doc[i] <= 'Z') ? doc[i] + 32 : doc[i]);
    low[len] = '\0';
    if (strlen(low) != len)
        rc = check_fail(c, "NUL byte in the output", "");
    for (size_t i = 0; rc == 0 && i < sizeof(check_banned_raw) / sizeof(check_banned_raw[0]); i++)
        if (strstr(low, check_banned_raw[i]) != NULL)
            rc = check_fail(c, "banned text", check_banned_raw[i]);
    free(low);
    if (rc != 0)
        return rc;
    GumboOptions opts = kGumboDefaultOptions;
    opts.max_errors = 0;
    GumboOutput *out = gumbo_parse_with_options(&opts, doc, len);
    rc = check_tree(c, out->root);
    gumbo_destroy_output(&opts, out);
    return rc;
}

#endif
