/* xmlwrite.h — an escaping XML writer for the files postern hands to mail
 * clients (Thunderbird autoconfig, Outlook Autodiscover, Apple plists).
 *
 * Element and attribute names are literals from our own code; every text
 * and attribute value goes through the escaper, so no data can add markup:
 * & < > " ' become entities, characters XML 1.0 cannot carry (C0 controls
 * but TAB/LF/CR, U+FFFE/U+FFFF) are dropped and invalid UTF-8 becomes
 * U+FFFD. Output is indented by two spaces per level.
 *
 *   struct xw w;
 *   xw_begin(&w, out);                     <?xml ...?>
 *   xw_open(&w, "clientConfig");
 *   xw_attr(&w, "version", "1.1");         only right after xw_open
 *   xw_elem(&w, "hostname", host);         <hostname>host</hostname>
 *   xw_close(&w);                          </clientConfig>
 *   xw_end(&w);                            closes what is still open
 */
#ifndef POSTERN_XMLWRITE_H
#define POSTERN_XMLWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define XW_DEPTH 16

struct xw {
    struct buf *out;
    const char *open[XW_DEPTH];   /* names of the open elements (literals) */
    int depth;
    bool in_start_tag;            /* "<name" written, ">" not yet */
};

/* Starts a document in out (appended to): the XML declaration. */
void xw_begin(struct xw *w, struct buf *out);

/* Writes a line as is (a DOCTYPE we know, never data). */
void xw_raw_line(struct xw *w, const char *line);

/* Opens element name; nesting deeper than XW_DEPTH aborts (a bug). */
void xw_open(struct xw *w, const char *name);

/* Adds an attribute to the element just opened (value escaped). */
void xw_attr(struct xw *w, const char *name, const char *value);

/* Closes the innermost element. */
void xw_close(struct xw *w);

/* <name>text</name> (text escaped; NULL as ""), <name/> for empty text. */
void xw_elem(struct xw *w, const char *name, const char *text);

/* <name attr="value">text</name>: one attribute, text (both escaped). */
void xw_elem_attr(struct xw *w, const char *name, const char *attr, const char *value,
                  const char *text);

/* <name>N</name>. */
void xw_elem_uint(struct xw *w, const char *name, unsigned long n);

/* <name/>. */
void xw_empty(struct xw *w, const char *name);

/* Closes every open element and ends the document with a newline. */
void xw_end(struct xw *w);

/* Appends s[0..n) escaped for XML text and attribute values (rules above). */
void xml_escape(struct buf *out, const char *s, size_t n);

#endif
