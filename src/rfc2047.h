/* rfc2047.h — header text for display: RFC 2047 encoded words, RFC 2231
 * parameter values, and safe attachment file names.
 *
 * Everything here is lenient on input, as mail readers must be, and strict
 * on output: results are valid UTF-8 (charset.h) without control
 * characters, so a decoded Subject can neither break a page nor, quoted
 * in a reply, inject a header line. Charsets are decoded by charset.c,
 * with its fallbacks (unknown labels are guessed, bad bytes are U+FFFD).
 * Output is appended to a caller-owned struct buf, at most cap bytes, cut
 * at a character boundary. Pure and thread-safe.
 */
#ifndef POSTERN_RFC2047_H
#define POSTERN_RFC2047_H

#include <stddef.h>

struct arena;
struct buf;

/* Decodes a raw header field body in[0..n) (what follows "Subject:",
 * folded or not) for display and appends it to out (at most cap bytes).
 *  - Folding is undone: CRLF or LF followed by a space or TAB is removed;
 *    a CR or LF that does not start a fold counts as a space.
 *  - Encoded words =?charset?B|Q?text?= are decoded wherever they stand
 *    (also inside quotes or glued to a word, as mail readers do). The
 *    charset may carry an RFC 2231 "*language" suffix. Whitespace between
 *    two encoded words is dropped, and adjacent words in the same charset
 *    are joined before decoding, so a character split across words
 *    survives. A word that is malformed (unknown encoding, bad base64,
 *    space or "?" inside, no "?=") stays literal. In Q, "_" is a space and
 *    an "=" not followed by two hex digits stays literal.
 *  - Text outside encoded words is UTF-8 if the whole field is valid
 *    UTF-8, else windows-1252.
 *  - TAB, CR and LF become spaces; other control characters (C0, DEL, C1),
 *    raw or decoded, become U+FFFD; NULs are dropped. Leading and trailing
 *    spaces are trimmed.
 * Returns CHARSET_* flags (charset.h). */
unsigned rfc2047_decode(const char *in, size_t n, size_t cap, struct buf *out);

/* One MIME parameter as sent: name with any RFC 2231 "*N" / "*" suffixes,
 * value unquoted but not decoded (a NUL ends it). Both NUL-terminated.
 * The same shape as bodystructure.h's struct bs_param, so parameters from
 * a BODYSTRUCTURE are copied over field by field. */
struct rfc2231_param {
    const char *name;
    const char *value;
};

#define RFC2231_MAX_PARAMS   64    /* parameters kept per header */
#define RFC2231_MAX_SECTIONS 100   /* continuations name*0 … name*99 */

/* Splits the parameters of a Content-Type or Content-Disposition field
 * body s[0..n) ("attachment; filename*0*=…; size=12"; everything before
 * the first ";" is the type and is skipped) into params[0..max). Folds
 * count as spaces; values are tokens or quoted strings (backslash escapes
 * undone); a parameter that cannot be parsed is skipped up to the next
 * ";" outside quotes; names longer than 78 bytes are skipped. Names and
 * values are copied into the arena a. Returns the number of parameters
 * stored (never more than max). */
size_t rfc2231_split(struct arena *a, const char *s, size_t n,
                     struct rfc2231_param *params, size_t max);

/* Decodes parameter name (ASCII case-insensitive, e.g. "filename") from
 * params[0..np) and appends its value to out (at most cap bytes) as for
 * rfc2047_decode: no controls, valid UTF-8.
 *  - RFC 2231 forms win over a plain name=value: name*=charset'lang'%XX…,
 *    or sections name*0, name*1*, … joined in number order up to the
 *    first missing one; "*" sections are %-decoded (a bad %-escape stays
 *    literal); the charset comes from section 0 ("" or none: guessed).
 *  - A plain value is decoded as an RFC 2047 header (mailers put encoded
 *    words in quoted file names), 8-bit bytes as UTF-8 or windows-1252.
 * Returns 0 and sets *flags_r (if not NULL) to CHARSET_* flags, or -1 if
 * the parameter is absent (out untouched). */
int rfc2231_get(const struct rfc2231_param *params, size_t np, const char *name,
                size_t cap, struct buf *out, unsigned *flags_r);

#define RFC2047_FILENAME_MAX 255   /* bytes of a safe file name */
#define RFC2047_FILENAME_EXT 16    /* longest extension kept when cutting */

/* Appends to out a file name made from the decoded name[0..n) (UTF-8;
 * repaired if not) that is safe to show and to offer for download: only
 * what follows the last "/" or "\" is kept; control characters, the
 * Unicode bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069) and U+2028/U+2029 are removed; < > : " | ? * become "_";
 * leading dots and spaces and trailing dots and spaces are removed. A name
 * over RFC2047_FILENAME_MAX bytes is cut at a character boundary, keeping
 * an extension of up to RFC2047_FILENAME_EXT bytes. If nothing is left,
 * the name is "attachment". Never fails; appends 1..RFC2047_FILENAME_MAX
 * bytes. */
void rfc2047_safe_filename(const char *name, size_t n, struct buf *out);

#endif
