/* pop3.h — what the POP3 mailbox view asks of a POP3 server, over a
 * logged-in up_pop3 session (upstream.h).
 *
 * libetpan's own LIST/UIDL parsing writes out of bounds on an index of 0
 * and accepts duplicates, so this module sends the commands itself and
 * checks every reply line: indexes 1..count in order, sizes numeric,
 * unique-ids 1..70 printable bytes and unique. Multi-line replies are
 * read to their terminating "." with dot-unstuffing, capped in bytes and
 * lines; all of it under the session's deadline.
 *
 * Results: POP3_OK; POP3_ERR (the server said -ERR: *err holds its words;
 * the session is fine); POP3_BAD (a reply that breaks the rules: the
 * session must be abandoned); POP3_DEAD (connection lost or too slow).
 */
#ifndef POSTERN_POP3_H
#define POSTERN_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct up_pop3;

enum pop3_result { POP3_OK, POP3_ERR, POP3_BAD, POP3_DEAD };

#define POP3_UIDL_MAX     70
#define POP3_MESSAGES_MAX 1000000

struct pop3_msg {
    unsigned num;                  /* message number in this session */
    uint64_t size;                 /* octets, as LIST says */
    char uidl[POP3_UIDL_MAX + 1];  /* stable across sessions */
};

struct pop3_box {
    struct pop3_msg *v;            /* v[i].num == i + 1 */
    size_t n;
};

/* LIST and UIDL, checked against each other. */
enum pop3_result pop3_listing(struct up_pop3 *u, struct arena *a, struct pop3_box *box,
                              const char **err);

/* The message whose unique-id is uidl, or NULL. */
const struct pop3_msg *pop3_find(const struct pop3_box *box, const char *uidl);

/* TOP num lines: the header and the first lines of the body; RETR when
 * lines < 0. At most max bytes are kept (*cut set if there was more).
 * *data is NUL-terminated arena memory with CRLF line ends. */
enum pop3_result pop3_fetch(struct up_pop3 *u, struct arena *a, unsigned num, long lines,
                            size_t max, const char **data, size_t *len, bool *cut,
                            const char **err);

/* DELE num (takes effect only at a successful QUIT). */
enum pop3_result pop3_dele(struct up_pop3 *u, struct arena *a, unsigned num, const char **err);

#endif
