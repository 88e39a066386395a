/* xmlscan.h — a strict, bounded scanner for small XML requests (the body
 * Outlook POSTs to /autodiscover/autodiscover.xml).
 *
 * Not a general XML parser: it checks that a document is well-formed
 * within a safe subset of XML 1.0 + Namespaces and reports its elements
 * (with namespace URI and local name) and their text to a callback.
 *
 * Refused outright, with a sentence in *error_r:
 *   - any <!DOCTYPE (so no DTD: no entity declarations, no external
 *     entities, nothing to expand or fetch) and any other <! declaration
 *     but comments and CDATA sections;
 *   - named entity references other than the five predefined ones
 *     (&lt; &gt; &amp; &quot; &apos;); character references to code
 *     points XML does not allow;
 *   - an encoding other than UTF-8 (or US-ASCII) in the XML declaration,
 *     invalid UTF-8, characters XML 1.0 forbids (C0 controls but TAB, LF,
 *     CR; U+FFFE, U+FFFF);
 *   - undeclared namespace prefixes, mismatched or unclosed tags,
 *     duplicate attributes, "<" in attribute values, text or a second
 *     element after the root, "]]>" in text, no root element at all;
 *   - more nesting, elements, attributes, namespace declarations or text
 *     per node than struct xml_limits allows.
 * Nothing recurses; time is linear in the input; memory is bounded by the
 * limits and lives in the arena. The input need not be NUL-terminated.
 */
#ifndef POSTERN_XMLSCAN_H
#define POSTERN_XMLSCAN_H

#include <stddef.h>

struct arena;

struct xml_limits {
    size_t max_depth;       /* element nesting; default 32 */
    size_t max_elements;    /* elements in the document; default 1024 */
    size_t max_attrs;       /* attributes on one element; default 16 */
    size_t max_ns;          /* namespace declarations in scope; default 32 */
    size_t max_text;        /* bytes of decoded text in one element; default 8192 */
};

/* Fills *l with the defaults above. */
void xml_limits_default(struct xml_limits *l);

enum xml_event { XML_START, XML_END, XML_TEXT };

/* One event. Strings are NUL-terminated, in the arena, valid for the
 * whole scan. */
struct xml_item {
    enum xml_event event;
    const char *ns;         /* START, END: namespace URI ("" for none) */
    const char *local;      /* START, END: local name */
    const char *text;       /* TEXT: decoded character data of the element
                             * (CDATA included), before its next tag */
    size_t text_len;
    size_t depth;           /* START/END: 1 for the root; TEXT: its element's */
};

/* Called for each event in document order; returns 0 to go on, anything
 * else to stop the scan (xml_scan() then returns that value). */
typedef int (*xml_handler)(void *ctx, const struct xml_item *item);

/* Scans doc[0..len). Returns 0 if the whole document is well-formed
 * (every event delivered), -1 with *error_r (if not NULL) set to a fixed
 * sentence naming the byte offset if not (events up to the problem may
 * have been delivered), or the handler's non-zero value. lim NULL: the
 * defaults. */
int xml_scan(struct arena *a, const char *doc, size_t len, const struct xml_limits *lim,
             xml_handler fn, void *ctx, const char **error_r);

#endif
