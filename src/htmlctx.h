/* htmlctx.h — where in an HTML document a template substitution stands.
 *
 * Internal to tmpl.c. A small HTML tokenizer (the WHATWG state machine,
 * minus what cannot move a substitution to another context) is run over a
 * template's literal text, so each {{name}} knows where the browser will
 * be. {{#if}} branches may leave the tokenizer in different states, so a
 * struct htmlctx is a small SET of possible states: a substitution must be
 * allowed in all of them and gets the strictest escaping among them.
 *
 * Everything here is pure and allocation-free; a struct htmlctx is a plain
 * value, copied by assignment.
 */
#ifndef POSTERN_HTMLCTX_H
#define POSTERN_HTMLCTX_H

#include <stddef.h>

#define HTMLCTX_NAME_MAX 16   /* tag/attribute name prefix the tokenizer keeps */
#define HTMLCTX_STATES 8      /* possible tokenizer states at one point */

/* How a substitution must be escaped, from least to most strict. */
enum htmlctx_escape {
    HTMLCTX_TEXT,    /* element text: HTML-escape; trusted HTML goes in raw */
    HTMLCTX_RCDATA,  /* <title>/<textarea> text: HTML-escape */
    HTMLCTX_ATTR,    /* quoted attribute value: HTML-escape */
    HTMLCTX_URL,     /* URL attribute value that may set the scheme: HTML-escape
                        a tmpl_url_is_safe() value, else "about:invalid" */
};

/* One tokenizer state. The fields are private to htmlctx.c; every byte is
 * significant, as states are compared with memcmp. */
struct htmlctx_state {
    unsigned char st;      /* enum hs */
    unsigned char raw;     /* enum raw of the start tag being read, or raw text we are in */
    unsigned char attr;    /* enum attr_kind of the attribute being read */
    unsigned char url;     /* URL attribute value whose scheme is not yet settled */
    unsigned char n;       /* name length, or end-tag match progress in raw text */
    unsigned char aux;     /* "<!--" match progress in <script> */
    unsigned char end;     /* the tag being read is an end tag */
    unsigned char ovf;     /* the name did not fit */
    char name[HTMLCTX_NAME_MAX];  /* lowercased tag or attribute name, NUL-padded */
};

/* The possible tokenizer states at one point of a template (n of them). */
struct htmlctx {
    unsigned n;
    struct htmlctx_state s[HTMLCTX_STATES];
};

/* Sets *c to the start of a document: one state, in HTML text. */
void htmlctx_init(struct htmlctx *c);

/* Moves every state of c over the literal text s[0..n) (n may be 0).
 * Returns 0; or -1 if the tokenizer cannot follow the text ("<!--" inside
 * <script>), with *at_r = offset in s of the byte it stopped at and
 * *error_r = a static sentence. After -1, c is unspecified. */
int htmlctx_feed(struct htmlctx *c, const char *s, size_t n, size_t *at_r,
                 const char **error_r);

/* Adds the states of other to c, a state already in c keeping the
 * stricter URL flag. 0, or -1 if c cannot hold them all (c then holds a
 * part of them). */
int htmlctx_merge(struct htmlctx *c, const struct htmlctx *other);

/* 1 if every state of b is in a, with escaping at least as strict; else 0.
 * An {{#each}} body must end in states its start covers. */
int htmlctx_covers(const struct htmlctx *a, const struct htmlctx *b);

/* The enum htmlctx_escape for a substitution at c: the strictest among
 * its states. -1 if a substitution cannot stand in one of them (tag or
 * attribute name, unquoted value, event handler, style, srcset or srcdoc
 * attribute, comment, <script>, <style> and other raw text, end tag), with
 * *error_r = a static sentence naming the first such state's reason. */
int htmlctx_escape(const struct htmlctx *c, const char **error_r);

/* 1 if every state of c is plain HTML text (outside any tag, comment or
 * raw-text element): where a partial may be included or a template end. */
int htmlctx_in_text(const struct htmlctx *c);

/* HTML's ASCII whitespace: space, TAB, LF, FF, CR. */
static inline int htmlctx_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* ASCII lowercase (locale-independent). */
static inline unsigned char htmlctx_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

#endif
