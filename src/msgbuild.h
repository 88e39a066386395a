/* msgbuild.h — building an outgoing message (RFC 5322 + MIME) from what
 * a person typed: addresses, subject, plain text, attachments.
 *
 * A careful builder in place of string pasting: the message is described
 * by a struct (mb_message), every header value is screened (no CR, LF or
 * NUL can reach the output), non-ASCII text becomes RFC 2047 encoded
 * words, file names RFC 2231 parameters, the body quoted-printable when it
 * is not plain short-lined ASCII, attachments base64; every line the
 * builder writes is at most 78 characters where it can fold and never
 * over 998. Lines end in CRLF.
 *
 * Pure functions (but for mb_build's random Message-ID and boundary);
 * memory comes from the caller's arena or buf.
 */
#ifndef POSTERN_MSGBUILD_H
#define POSTERN_MSGBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

struct arena;

#define MB_ADDR_MAX      254   /* bytes of an addr-spec (RFC 5321 path limit) */
#define MB_LOCAL_MAX     64
#define MB_NAME_MAX      200   /* bytes of a display name */
#define MB_LINE_MAX      998   /* RFC 5322 line limit, without CRLF */

/* One mailbox: an optional display name (UTF-8) and an ASCII addr-spec. */
struct mb_addr {
    const char *name;   /* NULL or "" for none */
    const char *addr;   /* local@domain */
};

struct mb_list {
    struct mb_addr *v;
    size_t n;
};

/* 1 if addr is an addr-spec postern sends to: ASCII, a dot-atom local
 * part of 1..64 bytes, '@', a domain of LDH labels (at least two, none
 * empty or starting/ending with '-') or an address literal [1.2.3.4];
 * at most MB_ADDR_MAX bytes. No quoted local parts, no SMTPUTF8. */
bool mb_addr_valid(const char *addr);

/* Parses a list of mailboxes as typed in a To/Cc/Bcc field:
 *   a@b.example, Name <a@b.example>, "Last, First" <a@b.example>,
 *   =?UTF-8?B?...?= <a@b.example> (display names are kept as written;
 *   see mb_decode_names), separated by commas or semicolons; empty items
 *   are skipped. Returns 0 with *out (arena memory), or -1 with *bad_r
 *   (the offending item, trimmed, arena memory) and *why_r (a sentence).
 * CR, LF, NUL or other control characters anywhere fail. More than max
 * items fails with *bad_r NULL. */
int mb_parse_addresses(struct arena *a, const char *text, size_t max, struct mb_list *out,
                       const char **bad_r, const char **why_r);

/* Decodes RFC 2047 encoded words in each display name (for a list parsed
 * from a header someone else wrote). */
void mb_decode_names(struct arena *a, struct mb_list *l);

/* The list as a person would type it back into the form:
 * "Name <a@b>, "Last, First" <c@d>, e@f" (arena memory). */
const char *mb_format_list(struct arena *a, const struct mb_list *l);

/* One attachment: bytes as uploaded. name is UTF-8 (no path), type a
 * "type/subtype" or NULL (then detected). */
struct mb_attachment {
    const char *name;
    const char *type;
    const char *data;
    size_t len;
};

/* The MIME type postern gives a file: by its first bytes (PDF, PNG, JPEG,
 * GIF, WebP, gzip), else by its name's extension, else ZIP by its first
 * bytes, else declared if it is a well-formed "type/subtype" (not
 * multipart), else application/octet-stream. Returns a static string or
 * declared itself. */
const char *mb_detect_type(const char *name, const char *data, size_t len, const char *declared);

struct mb_message {
    struct mb_addr from;
    struct mb_list to, cc, bcc;
    bool write_bcc;             /* drafts keep Bcc in the header; sent mail never */
    const char *subject;        /* UTF-8, one line */
    const char *body;           /* UTF-8 text; LF or CRLF line ends */
    size_t body_len;
    const char *in_reply_to;    /* "<id@host>" or NULL */
    const char *references;     /* "<a@b> <c@d>" or NULL */
    const struct mb_attachment *att;
    size_t natt;
    time_t date;                /* 0: now */
    const char *message_id;     /* "<...>" to reuse, or NULL: made up */
    const char *host;           /* the right side of a made-up Message-ID */
    const char *x_postern;      /* drafts: postern's own note (ASCII, one line) or NULL */
};

/* Screens one header value typed by a person: 0 if it holds no CR, LF,
 * NUL or other control character (C0 but TAB, DEL, C1) and is valid
 * UTF-8 of at most max bytes; else -1 with *why_r a sentence. */
int mb_screen_text(const char *s, size_t max, const char **why_r);

/* 1 if s is a list of message ids as In-Reply-To/References carry them:
 * "<left@right>" items separated by spaces, printable ASCII, at most
 * 8 KB. */
bool mb_msgids_valid(const char *s);

/* Writes the whole message into out (appended): mb_build_wire then
 * mb_wire_flatten. Returns 0 with *message_id_r (arena memory: the
 * Message-ID written), or -1 with *why_r (a header that does not pass the
 * screens; nothing useful in out). */
int mb_build(struct arena *a, const struct mb_message *m, struct buf *out,
             const char **message_id_r, const char **why_r);

/* A message as a list of segments, so that a large attachment is never
 * held encoded: the builder's own bytes (headers, text parts, MIME
 * boundaries) in text, and attachments as "base64 of these borrowed
 * bytes" (the caller's mb_attachment data, which must outlive the wire).
 * size is exact: the bytes mb_wire_write produces. Every line ends in
 * CRLF, and neither a lone CR nor a lone LF ever occurs. */
enum mb_seg_kind {
    MB_SEG_TEXT,      /* text.data[off .. off+len) */
    MB_SEG_RAW,       /* data[0..len), borrowed, as it is */
    MB_SEG_BASE64,    /* data[0..len), borrowed, written as mb_base64_lines */
};
struct mb_seg {
    enum mb_seg_kind kind;
    size_t off;
    const char *data;
    size_t len;
};
struct mb_wire {
    struct buf text;
    struct mb_seg *seg;
    size_t nseg, cap;
    size_t size;        /* bytes of the whole message */
    size_t open;        /* start in text of the segment being written */
};

void mb_wire_init(struct mb_wire *w);
void mb_wire_free(struct mb_wire *w);
/* Resets w to an empty message (keeps its memory). */
void mb_wire_clear(struct mb_wire *w);
/* Makes w the message data[0..len) as it is (borrowed; CRLF lines). */
void mb_wire_raw(struct mb_wire *w, const char *data, size_t len);

/* mb_build into w (cleared first): same checks, same bytes. */
int mb_build_wire(struct arena *a, const struct mb_message *m, struct mb_wire *w,
                  const char **message_id_r, const char **why_r);

/* A consumer of bytes: 0 to go on, -1 to stop. */
typedef int (*mb_sink_fn)(void *ctx, const char *data, size_t len);

/* Writes segments [from, to) of w to fn, in pieces of at most about 64 KB
 * (base64 encoded on the fly). 0, -1 if fn stopped, or -2 if out of
 * memory. */
int mb_wire_write_range(const struct mb_wire *w, size_t from, size_t to, mb_sink_fn fn, void *ctx);
/* The whole message to fn (mb_wire_write_range over every segment). */
int mb_wire_write(const struct mb_wire *w, mb_sink_fn fn, void *ctx);
/* The whole message appended to out. */
void mb_wire_flatten(const struct mb_wire *w, struct buf *out);

/* Bytes mb_base64_lines writes for n input bytes. */
size_t mb_base64_lines_size(size_t n);

/* Appends s[0..n) as quoted-printable (RFC 2045 §6.7) with CRLF line ends
 * (LF and CRLF in the input both are line breaks; a lone CR is encoded),
 * lines of at most 76 characters, trailing white space, '=' and a line's
 * leading '.' or "From " encoded. */
void mb_qp_encode(const char *s, size_t n, struct buf *out);

/* Appends data as base64 in lines of 76 characters, each ended by CRLF. */
void mb_base64_lines(const char *data, size_t n, struct buf *out);

/* Appends "Name: value" for an unstructured header (Subject): ASCII text
 * folded at spaces, anything else as UTF-8 encoded words (B), every line
 * at most 78 characters. value must have passed mb_screen_text. */
void mb_header_text(struct buf *out, const char *name, const char *value);

/* Shared by msgbuild.c and msgbuild_addr.c: printable ASCII only; a
 * domain of LDH labels (two at least) or an IPv4 literal; a display name
 * that must be quoted (RFC 5322 specials). */
bool mb_ascii_printable(const char *s);
bool mb_domain_valid(const char *d);
bool mb_name_needs_quotes(const char *name);

#endif
