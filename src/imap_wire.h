/* imap_wire.h — IMAP commands written and read by hand, over the stream of
 * a logged-in up_imap session.
 *
 * libetpan has no API for ESORT/ESEARCH with PARTIAL (RFC 5267), LIST
 * RETURN (SPECIAL-USE STATUS) (RFC 5819) or CONDSTORE's SELECT details,
 * and its parser turns an unknown reply into a dead session. For those
 * commands postern writes the line itself and reads the reply as tokens:
 * atoms (numbers, flags, NIL, sequence sets), strings (quoted or literal,
 * unescaped), "(" and ")". Each untagged reply goes to a callback; the
 * tagged reply ends the command.
 *
 * Everything is bounded: a literal larger than IMAPW_LITERAL_MAX or a
 * reply line with more than IMAPW_TOKENS_MAX tokens ends the session
 * (the caller must close it), as do stream errors; the transport's
 * deadline and byte budget (up_imap_deadline) apply underneath.
 *
 * Arguments are added through the builder, which quotes or sends literals
 * as the text needs; a string holding CR, LF or NUL is refused there, so
 * nothing unscreened reaches the wire.
 */
#ifndef POSTERN_IMAP_WIRE_H
#define POSTERN_IMAP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct arena;
struct up_imap;

#define IMAPW_LITERAL_MAX (1u << 20)
#define IMAPW_TOKENS_MAX  200000

enum imapw_tok_kind { IMAPW_ATOM, IMAPW_STRING, IMAPW_NIL, IMAPW_OPEN, IMAPW_CLOSE };

struct imapw_tok {
    enum imapw_tok_kind kind;
    const char *s;      /* NUL-terminated (strings may also hold NULs:
                         * use len); empty for ( and ) */
    size_t len;
};

/* One untagged reply ("* ..."), without the star; tokens live until the
 * callback returns. Return 0 to go on, -1 to fail the command. */
typedef int (*imapw_untagged_fn)(void *ctx, const struct imapw_tok *t, size_t n);

/* Writes a literal's bytes through put (which returns 0, or -1 when the
 * stream failed); returns 0, or -1 to abandon the command. */
typedef int (*imapw_put_fn)(void *put_ctx, const char *data, size_t len);
typedef int (*imapw_gen_fn)(void *ctx, imapw_put_fn put, void *put_ctx);

struct imapw_piece {
    char *data;
    size_t len;
    bool borrowed;          /* the caller's bytes (imapw_literal): not freed */
    imapw_gen_fn gen;       /* imapw_literal_gen: bytes written by gen(gen_ctx) */
    void *gen_ctx;
};

/* A command being built: "TAG " is added when it is sent. Owns its memory
 * until imapw_cmd_free(). Set max_literal before imapw_run() to receive a
 * literal larger than IMAPW_LITERAL_MAX (a message part). */
struct imapw_cmd {
    struct buf text;        /* the command with literal markers */
    bool literal_plus;      /* the server takes {n+} */
    bool bad;               /* an argument was refused */
    struct imapw_piece *lit;/* the literals' bytes, by marker index */
    size_t nlit, litcap;
    size_t max_literal;     /* largest literal in the reply; 0: IMAPW_LITERAL_MAX */
};

void imapw_cmd_init(struct imapw_cmd *c, bool literal_plus);
void imapw_cmd_free(struct imapw_cmd *c);
/* Appends raw protocol text (a keyword, "(", a number...): the caller's own
 * constant text only. */
void imapw_raw(struct imapw_cmd *c, const char *text);
/* Appends a number in decimal. */
void imapw_num(struct imapw_cmd *c, uint64_t n);
/* Appends s[0..len) as an IMAP string: quoted (with \" and \\) when it is
 * printable ASCII, else a literal. CR, LF or NUL mark the command bad. */
void imapw_string(struct imapw_cmd *c, const char *s, size_t len);

/* Appends data[0..len) as a literal, whatever it holds (CR, LF, NUL: a
 * message for APPEND). The bytes are not copied: they must outlive
 * imapw_run(). */
void imapw_literal(struct imapw_cmd *c, const char *data, size_t len);

/* Appends a literal of exactly len bytes that gen writes when the command
 * is sent (a message streamed, never held whole). gen and ctx must outlive
 * imapw_run(); if gen writes more or fewer than len bytes, or fails, the
 * session is dead (IMAPW_DEAD: the announced size cannot be taken back). */
void imapw_literal_gen(struct imapw_cmd *c, size_t len, imapw_gen_fn gen, void *ctx);

/* Where the reply's tagged status text goes (may be NULL). */
struct imapw_status {
    char text[256];         /* the server's words after OK/NO/BAD */
    char code[64];          /* the response code's first word, e.g.
                             * "NONEXISTENT", "TRYCREATE"; empty if none */
    char code_args[1024];   /* the rest of the response code, e.g. COPYUID's
                             * "1714 3:5 10:12"; empty if none (or too long) */
};

enum imapw_result {
    IMAPW_OK,               /* tagged OK */
    IMAPW_NO,               /* tagged NO: the server refused; session fine */
    IMAPW_BAD,              /* tagged BAD; session fine */
    IMAPW_REFUSED,          /* the command was bad (CR/LF/NUL): nothing sent */
    IMAPW_DEAD,             /* stream error, garbage, too big: close it */
};

/* Sends c (waiting for "+" before each synchronizing literal), reads the
 * reply, calls fn for each untagged reply, and returns how it ended.
 * The whole exchange runs under the session's deadline (the timeout given
 * at up_imap_open) and a byte budget of the largest literal allowed plus
 * IMAPW_BUDGET_EXTRA. Token memory comes from a (reset by the caller as
 * it likes). */
#define IMAPW_BUDGET_EXTRA (16u << 20)
enum imapw_result imapw_run(struct up_imap *u, struct arena *a, struct imapw_cmd *c,
                            imapw_untagged_fn fn, void *ctx, struct imapw_status *st);

/* IDLE (RFC 2177) on the selected folder. imapw_idle_begin() sends IDLE
 * and waits for the server's "+" (untagged replies before it go to fn):
 * IMAPW_OK means the session is idling; NO/BAD that the server refused
 * (the session is fine); DEAD that it must be closed. While idling, when
 * the connection's descriptor is readable or up_imap_pending() says a
 * reply is buffered, imapw_idle_read() reads one reply (waiting at most
 * timeout_ms for the rest of it) and hands it to fn: 0, or -1 when the
 * server said BYE, ended the IDLE, or the stream failed (close the
 * session). imapw_idle_end() sends DONE and reads up to the tagged reply.
 * Each step waits at most timeout_ms (0: the session's own timeout).
 * Nothing else may be sent while idling. */
struct imapw_idle {
    char tag[16];
};
enum imapw_result imapw_idle_begin(struct up_imap *u, struct arena *a, struct imapw_idle *idle,
                                   int timeout_ms, imapw_untagged_fn fn, void *ctx);
int imapw_idle_read(struct up_imap *u, struct arena *a, const struct imapw_idle *idle,
                    int timeout_ms, imapw_untagged_fn fn, void *ctx);
enum imapw_result imapw_idle_end(struct up_imap *u, struct arena *a, const struct imapw_idle *idle,
                                 int timeout_ms, imapw_untagged_fn fn, void *ctx);

/* Tokenizes s[0..len) as one reply line (no literals), for tests and the
 * fuzzer: 0 with *out (malloc'd; free it) and *n, or -1. */
int imapw_tokenize(struct arena *a, const char *s, size_t len, struct imapw_tok **out, size_t *n);

/* Helpers for callbacks: token i is an atom equal (case-insensitively) to
 * word; token i parsed as an unsigned number (0 and -1 if it is not one). */
bool imapw_is(const struct imapw_tok *t, size_t n, size_t i, const char *word);
int imapw_u64(const struct imapw_tok *t, size_t n, size_t i, uint64_t *out);
/* Index just past the parenthesised list that starts at i (i must be "("),
 * or n if it never closes. */
size_t imapw_skip_list(const struct imapw_tok *t, size_t n, size_t i);

#endif
