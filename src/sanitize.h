/* sanitize.h — the mail HTML sanitizer.
 *
 * An HTML mail body (already UTF-8) is parsed with gumbo and re-serialised
 * from the tree through allow-lists of elements, attributes, URL schemes
 * and CSS properties. Tag and attribute names in the output come from
 * postern's own tables, never from the input; text and attribute values
 * are always escaped; no comment, doctype, script, foreign (SVG/MathML)
 * content or raw-text element of the input survives. The result is a
 * complete document meant for an <iframe sandbox> with its own CSP, but
 * it is safe on its own, as if it were inlined.
 *
 * Output shape:
 *   [doctype mirroring the input's quirks mode]<html><head>
 *   <meta charset="utf-8"><meta name="referrer" content="no-referrer">
 *   [<style>filtered, scoped <style> rules</style>]</head>
 *   <body id="postern-mail" [filtered body attributes]>…</body></html>
 *
 * <style> blocks are kept after strict filtering: at-rules other than
 * @media are dropped, every selector is scoped under #postern-mail, and
 * declarations pass the same property/value allow-list as style
 * attributes. Links get target="_blank" rel="noopener noreferrer".
 *
 * Any attribute whose value holds "javascript:", "vbscript:",
 * "livescript:" or "data:" (ignoring case, whitespace and control
 * characters) is dropped, even a title or alt: blunt, and meant to be.
 *
 * Remote content (http/https images, backgrounds, CSS url(), srcset,
 * <link> and @import) is removed unless allow_remote is set, and counted,
 * so the page can offer "show remote content". Even then srcset, <link>
 * and @import stay removed (they cannot be filtered).
 *
 * Parsing is bounded: input size, a cheap pre-scan of nesting and
 * attribute counts (gumbo is quadratic on both), and a memory and CPU
 * budget enforced through gumbo's allocator hooks. Thread-safe: no global
 * mutable state; every call has its own parser and budget.
 */
#ifndef POSTERN_SANITIZE_H
#define POSTERN_SANITIZE_H

#include <stddef.h>

#include "buf.h"

#define SANITIZE_MAX_IN      (2u << 20)   /* default input cap, bytes */
#define SANITIZE_MAX_OUT     (4u << 20)   /* default output cap, bytes */
#define SANITIZE_MAX_MEM     (64u << 20)  /* default parser memory budget */
#define SANITIZE_MAX_CPU_MS  500          /* default parser CPU budget */
#define SANITIZE_MAX_DEPTH   256          /* output nesting; deeper elements
                                             are unwrapped (text kept) */
#define SANITIZE_BODY_ID     "postern-mail"  /* scope of kept <style> rules */

struct sanitize_opts {
    int allow_remote;  /* keep http/https images, backgrounds and CSS url() */
    /* Maps the Content-ID of a cid: URL (percent-decoded, without "cid:"
     * and without angle brackets; len bytes, not NUL-terminated) to the
     * URL postern serves that part at, e.g. "/mail/part?…". Returns NULL
     * if the message has no such part. The result is copied before the
     * next call, so it may live in a per-call buffer; it must be a path
     * on postern's site ("/…", not "//…") or the part inlined as
     * "data:image/{png,jpeg,gif,webp};base64,…", else it is ignored.
     * NULL: every cid: reference is dropped. */
    const char *(*cid_url)(void *ctx, const char *cid, size_t len);
    void *cid_ctx;
    size_t max_in;        /* 0: SANITIZE_MAX_IN */
    size_t max_out;       /* 0: SANITIZE_MAX_OUT */
    size_t max_mem;       /* 0: SANITIZE_MAX_MEM */
    unsigned max_cpu_ms;  /* 0: SANITIZE_MAX_CPU_MS (thread CPU time) */
};

/* What was removed; all counts saturate at UINT_MAX. */
struct sanitize_report {
    unsigned remote_blocked;      /* remote references removed because
                                     allow_remote was 0 */
    unsigned elements_dropped;    /* input elements removed or unwrapped */
    unsigned attributes_dropped;  /* attributes removed (not allowed, bad URL,
                                     unknown cid, empty style) */
    unsigned css_dropped;         /* CSS declarations, rules and at-rules
                                     removed */
    unsigned truncated;           /* 1 if the output hit max_out and was cut
                                     (still a well-formed document) */
};

/* Sanitizes html[0..len) (UTF-8; NUL and invalid bytes are tolerated)
 * and appends the resulting document to out. opts may be NULL (defaults,
 * no remote content, no cid mapping); rep may be NULL, else it is zeroed
 * and filled in.
 *
 * Returns 0 on success: out grew by at most max_out plus the closing
 * tags (a few KB). Returns -1 if the input is refused — larger than
 * max_in, too deeply nested, too many attributes in a tag, or over the
 * parser's memory or CPU budget — with *error_r = a static sentence
 * ("message HTML is too complex to display"); out is then unchanged and
 * the page should offer the text part or a download instead.
 * error_r may be NULL. */
int sanitize_html(const char *html, size_t len, const struct sanitize_opts *opts,
                  struct buf *out, struct sanitize_report *rep, const char **error_r);

#endif
