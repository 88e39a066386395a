/* mutf7.h — IMAP modified UTF-7 mailbox names (RFC 3501 §5.1.3).
 *
 * IMAP servers send and expect mailbox names in modified UTF-7: printable
 * US-ASCII stands for itself, "&-" is "&", and "&…-" holds UTF-16 in
 * base64 with "," in place of "/". These functions convert between that
 * form and UTF-8, strictly: every name has exactly one valid encoding,
 * so decoding and re-encoding gives back the same bytes (Dovecot's rule).
 *
 * Output is appended to a struct buf (buf.h), which the caller owns and
 * frees. On error nothing is appended: the buffer is left as it was.
 * Work is linear in the input; there is no length limit here, callers
 * cap names (IMAP names are short). Pure and thread-safe.
 */
#ifndef POSTERN_MUTF7_H
#define POSTERN_MUTF7_H

#include <stddef.h>

struct buf;

/* Decodes the modified UTF-7 name in[0..n) (need not be NUL-terminated)
 * and appends it to out as UTF-8. Returns 0; or -1 with out unchanged and
 * *error_r (if error_r is not NULL) = a static sentence, when the input
 * has a byte outside printable US-ASCII (NUL, CR, LF, 8-bit…), a shift
 * that is not ended by "-", a character outside the modified base64
 * alphabet (including "/" and "="), leftover bits that are not zero or
 * make a whole base64 character, a shift that encodes printable US-ASCII
 * ("&AGE-" for "a"), a shift right after another one ("&AOQ-&APY-" for
 * "&AOQA9g-"), an unpaired UTF-16 surrogate, or NUL, CR or LF in encoded
 * form. The empty name is valid. out may be NULL to only check. */
int mutf7_to_utf8(const char *in, size_t n, struct buf *out, const char **error_r);

/* Encodes the UTF-8 name in[0..n) in modified UTF-7, appended to out.
 * Every run of characters outside printable US-ASCII becomes one shift,
 * "&" becomes "&-". Returns 0; or -1 with out unchanged and *error_r (if
 * not NULL) = a static sentence if in is not valid UTF-8 (utf8_valid() of
 * validate.h) or holds NUL, CR or LF. The output is printable US-ASCII
 * and mutf7_to_utf8() turns it back into in. */
int utf8_to_mutf7(const char *in, size_t n, struct buf *out, const char **error_r);

/* 1 if s[0..n) is a valid modified UTF-7 name (mutf7_to_utf8() would
 * accept it), else 0. For route validators of names sent back to us. */
int mutf7_valid(const char *s, size_t n);

#endif
