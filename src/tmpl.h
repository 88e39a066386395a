/* tmpl.h — auto-escaping HTML templates.
 *
 * Templates (templates/NAME.html) are parsed once, at start or reload, into
 * a flat instruction list; a loaded struct tmpl_set is immutable and may be
 * rendered from many threads at once. Rendering does no parsing, no
 * recursion and no allocation besides growing the output buffer.
 *
 * Syntax:
 *   {{name}}                         value, escaped for where it stands
 *   {{#if name}}…{{else}}…{{/if}}    also {{#unless name}}…{{/unless}}
 *   {{#each name}}…{{else}}…{{/each}} repeat per list item; else if empty
 *   {{@index}} {{@number}}           position in the innermost each (0-, 1-based)
 *   {{> name}}                       include template "name", same scope
 *   {{! comment }}                   dropped
 * Names are [A-Za-z0-9_.-]+; spaces inside the braces are tolerated.
 * Truthy: a non-empty string other than "0", non-empty trusted HTML, a
 * non-empty list. Unknown names render as "" and are false.
 *
 * Escaping is decided at load time from the HTML around each {{name}}:
 * text, <title>/<textarea> text and quoted attribute values are
 * HTML-escaped; in URL attributes (href, src, action, …) a value that may
 * start the URL must be relative or http/https/mailto, else it renders as
 * "about:invalid". Substitutions in tag or attribute names, unquoted
 * values, on* / style / srcset / srcdoc attributes, comments, <script>
 * and <style> are load-time errors, as is any malformed directive.
 */
#ifndef POSTERN_TMPL_H
#define POSTERN_TMPL_H

#include <stddef.h>

struct arena;
struct buf;

#define TMPL_MAX_NEST 32      /* {{#if}}/{{#each}} nesting in one template */
#define TMPL_MAX_INCLUDE 16   /* templates in a chain of {{> partials}} */

struct tmpl_set;   /* parsed templates, by name ("settings" for settings.html) */
struct tmpl_vars;  /* values for one render; lives in a struct arena */

/* An empty set; never NULL. Free with tmpl_set_free(). */
struct tmpl_set *tmpl_set_new(void);

/* Frees the set and its templates; NULL is a no-op. */
void tmpl_set_free(struct tmpl_set *set);

/* Parses every *.html in dir (name = file name without ".html") into a new
 * set and runs tmpl_set_check() on it. Returns 0 with *set_r owned by the
 * caller, or -1 with *set_r = NULL and err = "file.html:LINE: reason". */
int tmpl_set_load_dir(const char *dir, struct tmpl_set **set_r, char *err,
                      size_t errlen);

/* Parses text[0..len) and adds it to set as name (which must be a valid
 * name, not yet in the set). Partials not yet in the set are allowed (they
 * render nothing until added) but include cycles and over-deep chains are
 * not. Returns 0, or -1 with the set unchanged and err =
 * "NAME:LINE: reason". text is copied. */
int tmpl_set_add(struct tmpl_set *set, const char *name, const char *text,
                 size_t len, char *err, size_t errlen);

/* Checks that every {{> partial}} names a template of the set, that there
 * is no include cycle and that nesting stays within the limits. 0, or -1
 * with err = "LABEL:LINE: reason" (LABEL is the file name for load_dir). */
int tmpl_set_check(const struct tmpl_set *set, char *err, size_t errlen);

/* 1 if set holds a template called name, else 0. */
int tmpl_set_has(const struct tmpl_set *set, const char *name);

/* An empty scope allocated in a; never NULL; freed with the arena. */
struct tmpl_vars *tmpl_vars_new(struct arena *a);

/* Sets key to a string (NULL means ""). key and value are NOT copied: they
 * must outlive the render (arena strings or literals). A later put of the
 * same key wins. */
void tmpl_put(struct tmpl_vars *v, const char *key, const char *value);

/* Sets key to n in decimal (formatted into the arena). */
void tmpl_put_int(struct tmpl_vars *v, const char *key, long long n);

/* Sets key to "1" (true) or "0" (false); both render as such. */
void tmpl_put_bool(struct tmpl_vars *v, const char *key, int b);

/* Sets key to trusted, already-safe HTML (sanitizer output, inline SVG).
 * Written raw in text context only; anywhere else it is escaped like a
 * string. Not copied. */
void tmpl_put_trusted_html(struct tmpl_vars *v, const char *key,
                           const char *html);

/* Appends a new item to the list named key in v (creating the list) and
 * returns the item's scope, allocated in v's arena. Inside {{#each key}} a
 * name is looked up in the item first, then in enclosing scopes. */
struct tmpl_vars *tmpl_add_item(struct tmpl_vars *v, const char *key);

/* Renders template name with vars (NULL = no values), appending to out.
 * Returns 0, or -1 if set has no such template. Thread-safe on a set that
 * is no longer being modified. */
int tmpl_render(const struct tmpl_set *set, const char *name,
                const struct tmpl_vars *vars, struct buf *out);

/* Appends s[0..n) HTML-escaped: & < > " ' ` = become entities, NUL bytes
 * are dropped, each maximal invalid UTF-8 subsequence becomes U+FFFD. */
void tmpl_escape_html(struct buf *out, const char *s, size_t n);

/* 1 if url may appear at the start of a URL attribute: relative (no ':'
 * before the first '/', '?' or '#') or with scheme http, https or mailto
 * (ASCII case-insensitive); else 0. */
int tmpl_url_is_safe(const char *url);

#endif
