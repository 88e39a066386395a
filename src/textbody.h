/* textbody.h — a text/plain body as HTML for the message view.
 *
 * Everything in the text is escaped (tmpl_escape_html() of tmpl.h: & < >
 * " ' ` = as entities, NULs dropped, invalid UTF-8 as U+FFFD); control
 * characters other than TAB become U+FFFD. The only markup emitted is:
 *   <br>                 a hard line break (followed by "\n")
 *   &nbsp;               a space at the start of a line or after a space,
 *                        so indentation and alignment survive without CSS;
 *                        TAB counts as four spaces
 *   <blockquote>…</blockquote>  one level per ">" of quoting, nested, at
 *                        most TEXTBODY_MAX_DEPTH deep (deeper quoting is
 *                        shown at that depth)
 *   <a href="URL" rel="noopener noreferrer" target="_blank">URL</a>
 *                        for http://, https:// and mailto: links (ASCII
 *                        case-insensitive, not preceded by a letter or a
 *                        digit); a URL ends at a space, a control, a
 *                        non-ASCII character or one of < > " `; trailing
 *                        . , ; : ! ? ' * and unbalanced ) ] } are left out
 *                        of it. No other scheme is ever linked.
 * Lines end at CRLF, LF or a lone CR; a final line break adds no empty
 * line. The output is a fragment for a text context of a page: the
 * template wraps it (e.g. in <div class="textbody">).
 *
 * With TEXTBODY_FLOWED (Content-Type format=flowed, RFC 3676), quoting is
 * the run of ">" at the start of a line, one space after it (or at the
 * start of an unquoted line) is space-stuffing and removed, and a line
 * ending in a space continues on the next line of the same quote depth:
 * such lines are joined into one paragraph (the signature line "-- " is
 * never flowed). TEXTBODY_DELSP (DelSp=yes) also deletes that space.
 * Without TEXTBODY_FLOWED, quoting may be written "> > " and one space
 * after the last ">" is dropped.
 *
 * Pure and thread-safe.
 */
#ifndef POSTERN_TEXTBODY_H
#define POSTERN_TEXTBODY_H

#include <stddef.h>

struct buf;

#define TEXTBODY_FLOWED 0x1u   /* format=flowed */
#define TEXTBODY_DELSP  0x2u   /* delsp=yes (only with TEXTBODY_FLOWED) */

#define TEXTBODY_MAX_DEPTH 8   /* nested <blockquote>s at most */

/* Renders the text s[0..n) (UTF-8, repaired if not) as HTML appended to
 * out, which the caller owns. At most cap bytes are appended: rendering
 * stops before the text that would not fit (never inside a character,
 * an entity or a tag; a link goes in whole or not at all), and open
 * <blockquote>s are always closed within cap. Returns 0 if the whole text
 * was rendered, 1 if it was cut short by cap. */
int textbody_to_html(const char *s, size_t n, unsigned flags, size_t cap, struct buf *out);

#endif
