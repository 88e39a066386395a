/* bodystructure.h — an IMAP BODYSTRUCTURE (RFC 3501 §7.4.2) as a tree of
 * MIME parts, from imap_wire tokens.
 *
 * The server has already parsed the message (Dovecot caps nesting at
 * 100), so postern never runs a MIME parser over raw mail to show it:
 * it reads this tree, then fetches only the parts it shows. Types,
 * subtypes, parameter names, encodings and disposition types are
 * lowercased; parameter values are kept as the server sent them (RFC
 * 2047/2231 decoding is the caller's). Section numbers follow RFC 3501
 * ("1", "1.2", "2.1.3"; a message/rfc822 part's body is "N.1" ...).
 */
#ifndef POSTERN_BODYSTRUCTURE_H
#define POSTERN_BODYSTRUCTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap_wire.h"

struct arena;

#define BS_DEPTH_MAX 120   /* Dovecot stops at 100 */
#define BS_PARTS_MAX 2000

struct bs_param {
    const char *name;        /* lowercased */
    const char *value;
};

struct bs_envelope {         /* of a message/rfc822 part (raw strings) */
    const char *date, *subject, *from, *to, *message_id;
};

struct bs_part {
    const char *type;        /* "text", "multipart", "image", ... */
    const char *subtype;     /* "plain", "mixed", ... */
    struct bs_param *params; /* Content-Type parameters */
    size_t nparams;
    const char *id;          /* Content-ID, or NULL */
    const char *description; /* or NULL */
    const char *encoding;    /* "7bit", "base64", "quoted-printable", ... */
    uint64_t size;           /* octets, encoded */
    uint64_t lines;          /* text parts */
    const char *disposition; /* "inline", "attachment", or NULL */
    struct bs_param *dparams;/* Content-Disposition parameters */
    size_t ndparams;
    char section[256];       /* "1.2"; "" for the top of a single-part message
                              * is "1" here, as FETCH BODY[1] wants */
    struct bs_envelope *env; /* message/rfc822 only */
    struct bs_part *parts;   /* children: multipart, or the body of a
                              * message/rfc822 (one) */
    const char *body;        /* mime.c trees only: the leaf's bytes, still
                              * transfer-encoded (NULL from IMAP) */
    size_t body_len;
    const char *header;      /* mime.c trees only: a message/rfc822's
                              * header block */
    size_t header_len;
    size_t nparts;
    struct bs_part *parent;
};

/* Parses the BODYSTRUCTURE value starting at t[*i] ("("); *i moves past
 * it. Returns the root (arena memory), or NULL if it is malformed, deeper
 * than BS_DEPTH_MAX or has more than BS_PARTS_MAX parts. */
struct bs_part *bs_parse(struct arena *a, const struct imapw_tok *t, size_t n, size_t *i);

/* As bs_parse, with lower limits (each capped at the BS_ maximum). */
struct bs_part *bs_parse_limited(struct arena *a, const struct imapw_tok *t, size_t n, size_t *i,
                                 int max_depth, size_t max_parts);

/* The value of parameter name (lowercase) among p[0..n), or NULL. */
const char *bs_param(const struct bs_param *p, size_t n, const char *name);

/* Calls fn on every part, depth first, parents before children. */
void bs_walk(struct bs_part *root, void (*fn)(struct bs_part *, void *), void *ctx);

/* The part with this section number, or NULL. */
struct bs_part *bs_find(struct bs_part *root, const char *section);

/* True if the part is something a person would call an attachment: a
 * disposition of "attachment"; a text part with a file name; a
 * message/rfc822; any other leaf but an inline image with a Content-ID
 * (which the HTML shows). */
bool bs_is_attachment(const struct bs_part *p);

#endif
