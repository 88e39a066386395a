/* sanitize_private.h — shared by sanitize.c (tree walk and output),
 * sanitize_parse.c (bounded gumbo parse), sanitize_policy.c (element,
 * attribute and URL allow-lists) and sanitize_css.c (CSS filter). Not
 * for use outside these files.
 */
#ifndef POSTERN_SANITIZE_PRIVATE_H
#define POSTERN_SANITIZE_PRIVATE_H

#include <gumbo.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sanitize.h"

/* One sanitize_html() call. */
struct san {
    const struct sanitize_opts *o;  /* never NULL (defaults filled in) */
    struct sanitize_report *rep;    /* never NULL */
    struct buf body;                /* <body> content being written */
    struct buf css;                 /* kept <style> rules, for <head> */
    size_t limit;                   /* body.len at which output stops */
    size_t css_limit;               /* css.len past which rules are dropped */
};

/* Adds one to a report counter, saturating. */
static inline void san_count(unsigned *c)
{
    if (*c != (unsigned)-1)
        (*c)++;
}

/* ---- sanitize.c: escaping ---------------------------------------------- */

/* Appends s[0..n) HTML-escaped (& < > " as entities), without C0 control
 * characters other than TAB, LF, FF, CR. */
void san_escape(struct buf *b, const char *s, size_t n);

/* ---- sanitize_parse.c: the bounded parse ------------------------------- */

/* The memory of one parse: every gumbo allocation, so that all of it can
 * be freed when a budget stops the parser half-way. */
struct san_pool {
    GumboOptions opts;        /* gumbo's options, pointing back here */
    struct san_block *blocks; /* live allocations, doubly linked */
    size_t used, max_used;    /* live bytes and the budget */
    unsigned long allocs;     /* allocations so far (CPU checks) */
    long long cpu_deadline_ns;/* thread CPU time at which to stop */
    const char *error;        /* why the parse was stopped */
    jmp_buf stop;             /* where a budget stops the parse */
};

/* Pre-scans html[0..len), then parses it with gumbo within o's memory and
 * CPU budgets. Returns the tree, to be released with san_parse_free(p, …);
 * or NULL with *error_r set (p then holds nothing). */
GumboOutput *san_parse(struct san_pool *p, const char *html, size_t len,
                       const struct sanitize_opts *o, const char **error_r);

/* Frees the tree and everything the parse allocated; out may be NULL. */
void san_parse_free(struct san_pool *p, GumboOutput *out);

/* ---- sanitize_policy.c: allow-lists ------------------------------------ */

enum san_action {
    SAN_UNWRAP = 0,  /* drop the tag, keep its content (the default) */
    SAN_KEEP,        /* keep the element and its allowed attributes */
    SAN_DROP,        /* drop the element and everything in it */
    SAN_STYLE,       /* <style>: filtered into <head>, element dropped */
    SAN_LINK,        /* <link>: dropped, counted if it fetches remotely */
};

struct san_elem {
    unsigned char action;  /* enum san_action */
    unsigned char is_void; /* no end tag */
    uint64_t attrs;        /* allowed attributes, besides the global ones */
};

/* The policy for an HTML-namespace element with this tag (any GumboTag,
 * GUMBO_TAG_UNKNOWN included). */
const struct san_elem *san_elem(GumboTag tag);

/* Appends to b ' name="value"' for each allowed attribute of e (an
 * element the policy keeps, or <body>), checking URLs and filtering
 * style; for <a>/<area> with a link adds target and rel. Counts what it
 * drops. */
void san_put_attrs(struct san *s, struct buf *b, const GumboElement *e, GumboTag tag);

/* Where a URL may point. */
enum san_url_use { SAN_URL_LINK, SAN_URL_IMAGE };

/* Appends the URL v[0..n) (entity-decoded attribute or CSS text) as it
 * should appear for this use, unescaped, and returns 1. Returns 0 if it
 * must go, or -1 if it is a remote image while remote content is off
 * (counted in remote_blocked); nothing is appended then. Accepted:
 * http(s):// ("//" as https://), mailto: and "#fragment" for links;
 * http(s):// for images if allow_remote; cid: through opts->cid_url for
 * both. Leading and trailing whitespace is ignored; any other control
 * character, or anything else, rejects. */
int san_url(struct san *s, struct buf *b, const char *v, size_t n, enum san_url_use use);

/* 1 if the value contains "javascript:", "vbscript:", "livescript:" or
 * "data:" once whitespace and control characters are removed, in any
 * case: such an attribute is dropped whatever it is. */
int san_has_bad_scheme(const char *v, size_t n);

/* ---- sanitize_css.c: CSS ------------------------------------------------ */

/* Appends the allowed declarations of css[0..n) (a style attribute or a
 * rule body) to b as "prop:value;" and returns how many were kept. */
size_t san_css_decls(struct san *s, struct buf *b, const char *css, size_t n);

/* Appends the allowed rules of the style sheet css[0..n) to s->css:
 * qualified rules with selectors scoped under #SANITIZE_BODY_ID, and
 * @media blocks of them. */
void san_css_sheet(struct san *s, const char *css, size_t n);

#endif
