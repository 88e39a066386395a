/* imap.h — what the mailbox pages ask of an IMAP4 server: folders with
 * counts, a page of message summaries (headers only), one message's
 * structure and parts, flags.
 *
 * Works over a logged-in up_imap (upstream.h) and hides libetpan: every
 * command here is written and read with imap_wire, every argument goes
 * through its quoting, folder names cross in modified UTF-7 (wire) and
 * come back decoded and validated (UTF-8). All memory handed out belongs
 * to the caller's arena.
 *
 * Errors: functions return an enum imap_result; IMAP_DEAD means the
 * connection must be closed (stream error, garbage, deadline); IMAP_NO
 * means the server refused (the sentence is in err); IMAP_GONE means the
 * folder or message does not exist (any more).
 *
 * Cost, by design: one page of the list is O(page size) on the server
 * whatever the folder's size: the default order (newest first by
 * arrival) fetches by sequence number; other orders and searches use
 * ESORT with PARTIAL (RFC 5267) when offered, else SORT/SEARCH results
 * (all matching UIDs, numbers only) sliced here.
 */
#ifndef POSTERN_IMAP_H
#define POSTERN_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bodystructure.h"

struct arena;
struct up_imap;

enum imap_result { IMAP_OK, IMAP_NO, IMAP_GONE, IMAP_BADARG, IMAP_DEAD };

struct imap_caps {
    bool sort, esort, context_sort, list_status, special_use, condstore, move, uidplus,
         idle, literal_plus;
};

/* Asks the server for its capabilities (after LOGIN they may differ). */
enum imap_result imap_caps(struct up_imap *u, struct arena *a, struct imap_caps *c,
                           const char **err);

enum imap_special {
    IMAP_SU_NONE, IMAP_SU_INBOX, IMAP_SU_DRAFTS, IMAP_SU_SENT, IMAP_SU_ARCHIVE,
    IMAP_SU_JUNK, IMAP_SU_TRASH, IMAP_SU__MAX
};
/* "", "inbox", "drafts", "sent", "archive", "junk", "trash" */
extern const char *const imap_special_names[IMAP_SU__MAX];

struct imap_folder {
    const char *wire;       /* the name on the server (modified UTF-7) */
    const char *name;       /* the whole name, UTF-8 */
    const char *leaf;       /* its last level, UTF-8 */
    char delim;             /* hierarchy separator, 0 if flat */
    int depth;              /* 0 for top level */
    bool noselect;          /* a level that holds no mail */
    enum imap_special special;
    long messages, unseen;  /* -1: not counted */
};

#define IMAP_FOLDERS_MAX 5000   /* more are not listed */
#define IMAP_STATUS_MAX  300    /* without LIST-STATUS, folders counted */

/* Every folder, special-use ones first (Inbox, Drafts, Sent, Archive,
 * Junk, Trash), then the rest in name order with children after their
 * parent; counts with LIST-STATUS, or STATUS for the first
 * IMAP_STATUS_MAX. Names that are not valid modified UTF-7 are skipped. */
enum imap_result imap_folders(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                              struct imap_folder **out, size_t *n, const char **err);

/* The same list without counts (no STATUS: cheap on any folder size),
 * for pages that only need names and special uses (move targets, finding
 * Trash or Sent). */
enum imap_result imap_folder_names(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                   struct imap_folder **out, size_t *n, const char **err);

struct imap_mailbox {
    uint32_t uidvalidity, uidnext, exists, unseen;
    uint64_t highestmodseq;     /* 0 without CONDSTORE */
    bool read_only;
};

/* SELECT (with CONDSTORE when offered) of the folder named wire (modified
 * UTF-7, as imap_folders gives it). */
enum imap_result imap_select(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                             const char *wire, struct imap_mailbox *mb, const char **err);

/* EXAMINE: as imap_select, read-only (a watcher that changes nothing). */
enum imap_result imap_examine(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                              const char *wire, struct imap_mailbox *mb, const char **err);

/* STATUS of the folder named wire: exists (MESSAGES), uidnext,
 * uidvalidity, unseen and, with CONDSTORE, highestmodseq. A folder that
 * is gone is IMAP_GONE. */
enum imap_result imap_status(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                             const char *wire, struct imap_mailbox *mb, const char **err);

enum imap_sort { IMAP_SORT_ARRIVAL, IMAP_SORT_DATE, IMAP_SORT_FROM, IMAP_SORT_SUBJECT,
                 IMAP_SORT_SIZE, IMAP_SORT__MAX };
/* "arrival", "date", "from", "subject", "size" */
extern const char *const imap_sort_names[IMAP_SORT__MAX];

enum imap_search_in { IMAP_IN_ALL, IMAP_IN_FROM, IMAP_IN_SUBJECT, IMAP_IN_BODY, IMAP_IN__MAX };
/* "all", "from", "subject", "body" */
extern const char *const imap_search_in_names[IMAP_IN__MAX];

struct imap_list_req {
    enum imap_sort sort;
    bool reverse;               /* newest / largest / Z first */
    uint32_t offset, count;     /* the page: skip offset, show count */
    const char *search;         /* UTF-8, screened; NULL or "": everything */
    enum imap_search_in in;
};

struct imap_summary {
    uint32_t uid;
    const char *from;           /* display name or address, raw (RFC 2047) */
    const char *from_addr;      /* mailbox@host */
    const char *subject;        /* raw (RFC 2047), may be "" */
    time_t date;                /* Date: header, else arrival; 0 unknown */
    uint64_t size;
    bool seen, flagged, answered, draft, attachment;
};

/* One page of the selected folder (mb from imap_select): summaries in
 * display order, *total = how many messages match. On a server without
 * SORT, orders other than arrival are computed here from each matching
 * message's ENVELOPE and size (RFC 5256 keys), up to IMAP_LOCAL_SORT_MAX
 * matches; more is IMAP_NO with a sentence saying so. */
#define IMAP_LOCAL_SORT_MAX 10000
enum imap_result imap_list(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                           const struct imap_mailbox *mb, const struct imap_list_req *req,
                           struct imap_summary **out, size_t *n, uint32_t *total,
                           const char **err);

/* What one message may be, for display ([mailbox] in config). */
struct imap_limits {
    int mime_depth;             /* nesting of parts */
    size_t mime_parts;          /* parts in all */
    size_t header_bytes;        /* of the header fields fetched */
};

struct imap_message {
    uint32_t uid;
    bool seen, flagged, answered;
    bool too_complex;           /* over the MIME limits: body is NULL */
    uint64_t size;
    time_t date;
    const char *header;         /* the raw header block (selected fields) */
    size_t header_len;
    struct bs_part *body;       /* the structure; NULL if too_complex */
};

/* Headers and structure of one message of the selected folder, within
 * lim (NULL: the built-in maximums). IMAP_GONE if it is not there
 * (expunged, or never was). A structure over the limits is not an error:
 * m->too_complex is set and m->body is NULL. */
enum imap_result imap_message(struct up_imap *u, struct arena *a, uint32_t uid,
                              const struct imap_limits *lim, struct imap_message *m,
                              const char **err);

/* An RFC 5322 date ("Tue, 24 Nov 2026 05:25:11 +0000") in UTC; 0 if it
 * cannot be read. */
time_t imap_parse_date(const char *s);

/* The bytes of one part ("1.2"; "" for the whole message, "HEADER" for
 * the header, "TEXT" for the body as sent, "2.HEADER" for an embedded
 * message's header), still transfer-encoded, at most max bytes (*truncated set
 * when cut). peek: without setting \Seen. */
enum imap_result imap_part(struct up_imap *u, struct arena *a, uint32_t uid, const char *section,
                           size_t max, bool peek, const char **data, size_t *len,
                           bool *truncated, const char **err);

/* Adds (add) or removes a flag on one UID: "\\Seen", "\\Flagged",
 * "\\Answered" or the keyword "$Forwarded"; others are IMAP_BADARG. */
enum imap_result imap_flag(struct up_imap *u, struct arena *a, uint32_t uid, const char *flag,
                           bool add, const char **err);

/* Moves one message of the selected folder to the folder named wire
 * (modified UTF-7): UID MOVE where offered, else UID COPY + \Deleted +
 * UID EXPUNGE of that UID only (UIDPLUS); without either, IMAP_NO (the
 * copy is then not made). */
enum imap_result imap_move(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                           uint32_t uid, const char *wire, const char **err);

/* Deletes one message of the selected folder for good: \Deleted + UID
 * EXPUNGE of that UID only (UIDPLUS required, else IMAP_NO). */
enum imap_result imap_destroy(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                              uint32_t uid, const char **err);

#endif
