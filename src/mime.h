/* mime.h — a whole message (as POP3 delivers it) split into the same part
 * tree an IMAP server's BODYSTRUCTURE gives (bodystructure.h), so one
 * renderer (mimeview.h) shows both.
 *
 * Written here rather than with libetpan's mailmime_parse, which crashes
 * on a boundary="\"" and recurses without limit: this parser is bounded
 * (depth, parts, header size), never copies bodies (parts point into the
 * message), accepts CRLF or bare LF, and turns what it cannot split into
 * a text/plain leaf rather than failing. Leaves carry body/body_len;
 * message/rfc822 parts carry their header block and an envelope.
 */
#ifndef POSTERN_MIME_H
#define POSTERN_MIME_H

#include <stddef.h>

#include "bodystructure.h"

struct arena;

/* The tree of msg[0..len) (which must outlive it), with at most
 * max_depth levels and max_parts parts (beyond them: NULL and
 * *too_complex set); *header and *header_len: the top header block. */
struct bs_part *mime_parse(struct arena *a, const char *msg, size_t len, int max_depth,
                           size_t max_parts, const char **header, size_t *header_len,
                           int *too_complex);

/* The value of the first header field name in block[0..len), unfolded,
 * CR/LF turned to spaces (arena memory), or NULL. */
const char *mime_header(struct arena *a, const char *block, size_t len, const char *name);

#endif
