/* mimeview.h — from a message's structure to what the reader sees: which
 * parts are the body (and whether as text or HTML), which are
 * attachments, and the decoding of a fetched part to UTF-8 or to bytes.
 *
 * Choices, as mail clients make them: in multipart/alternative the last
 * part we can show (RFC 2046: the sender's preferred form), in
 * multipart/related its first part (the root), in multipart/mixed (and
 * any other multipart) every inline text part in order; a text part
 * with a file name or disposition "attachment" is an attachment, as is
 * every non-text leaf. Pure functions over bodystructure.h trees.
 */
#ifndef POSTERN_MIMEVIEW_H
#define POSTERN_MIMEVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "bodystructure.h"
#include "buf.h"

#define MV_BODY_MAX   16     /* body parts shown at most */
#define MV_ATTACH_MAX 200    /* attachments listed at most */

enum mv_kind { MV_TEXT, MV_HTML };

struct mv_plan {
    struct { enum mv_kind kind; const struct bs_part *part; } body[MV_BODY_MAX];
    size_t nbody;
    const struct bs_part *attach[MV_ATTACH_MAX];
    size_t nattach;
    bool more_attachments;   /* some were not listed */
};

/* Fills plan for the message whose structure is root. */
void mv_plan(const struct bs_part *root, struct mv_plan *plan);

/* Undoes the part's Content-Transfer-Encoding (base64, quoted-printable;
 * others as they are), appending at most cap bytes to out. Lenient: bad
 * input decodes as far as it goes. Returns 1 if cut at cap, else 0. */
int mv_transfer_decode(const char *encoding, const char *in, size_t n, size_t cap, struct buf *out);

/* A text part's fetched bytes to valid UTF-8 in out (transfer decoding,
 * then its charset; at most cap bytes). Returns CHARSET_* flags. */
unsigned mv_text_utf8(const struct bs_part *p, const char *in, size_t n, size_t cap, struct buf *out);

/* A text/plain part's UTF-8 as HTML (escaped, links, format=flowed). */
void mv_plain_html(const struct bs_part *p, const char *utf8, size_t n, size_t cap, struct buf *out);

/* The part's file name, decoded (RFC 2231, RFC 2047) and made safe, or a
 * made-up one ("attachment.pdf", "message.eml") when it has none. */
void mv_filename(const struct bs_part *p, struct buf *out);

/* The part's MIME type "type/subtype" (lowercase) in out. */
void mv_type(const struct bs_part *p, struct buf *out);

/* True if a browser may show this type inline on postern's origin: only
 * plain raster images (png, jpeg, gif, webp). Never HTML, SVG or XML. */
bool mv_inline_safe(const struct bs_part *p);

/* An inline picture p as "data:image/TYPE;base64,..." in arena memory:
 * its fetched bytes in[0..n) transfer-decoded (at most cap bytes) and
 * encoded; *decoded_len (if not NULL) gets the picture's size. p must be
 * mv_inline_safe(). For cid: pictures in a framed document, which has an
 * opaque origin and so no cookie for a postern URL. */
const char *mv_data_url(struct arena *a, const struct bs_part *p, const char *in, size_t n,
                        size_t cap, size_t *decoded_len);

/* The part whose Content-ID is cid[0..len) (without "<" ">"), or NULL. */
const struct bs_part *mv_find_cid(const struct bs_part *root, const char *cid, size_t len);

#endif
