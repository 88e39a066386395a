/* mail.h — what the mailbox pages share: the signed-in session and its
 * IMAP connection, taken from the worker's connection cache.
 *
 * A page calls mail_begin(), works with m->conn (imap.h calls, passing
 * every result to mail_note()), and always ends with mail_end(). A
 * connection that turns out dead is re-opened once, transparently, by
 * mail_select(); after any IMAP_DEAD the connection is dropped at
 * mail_end().
 */
#ifndef POSTERN_MAIL_H
#define POSTERN_MAIL_H

#include <stdbool.h>
#include <time.h>

#include "conncache.h"
#include "imap.h"
#include "request.h"

/* One cached connection: the session's logged-in IMAP session and what
 * is known about its selected folder. */
struct mailconn {
    struct up_imap *u;
    struct imap_caps caps;
    char *selected;              /* wire name, malloc'd; NULL: none */
    struct imap_mailbox mb;
    time_t used;                 /* the last request that used it ended */
    /* the folder names, kept for MAIL_NAMES_SECONDS (mail_folder_names) */
    struct imap_folder *names;   /* malloc'd, strings too; NULL: none */
    size_t nnames;
    time_t names_at;
};

struct mail {
    struct request *req;
    struct session s;
    struct conncache_entry *e;
    struct mailconn *conn;       /* e->conn */
    bool fresh;                  /* opened by this request */
    bool dead;
};

/* Starts a mailbox request. Returns 0 (an IMAP session with its
 * connection), 1 (a POP3 session: m->s is loaded, no connection; the
 * caller serves the POP3 page, see pop3view.h), or -1 after filling the
 * response: a redirect to sign-in (no session), or an error page (the
 * mail server refused or cannot be reached). mail_end() in every case. */
int mail_begin(struct request *req, struct mail *m);

/* A new IMAP login with the session's credentials, outside the cache
 * (the live-update stream keeps its own). NULL with *status and *text
 * for the page when the server cannot be reached or refuses. */
struct up_imap *mail_login(struct request *req, const struct session *s, int *status,
                           const char **text);

/* The user's schedule for checking for new mail (page_events.c): minutes
 * between checks (0: only when a folder is opened or reloaded), whether
 * new mail shows as it arrives (IDLE), and both put into a page's
 * variables with the settings form (csrf: the form's token, or NULL). */
int mail_refresh_minutes(struct request *req, const char *user);
bool mail_live_updates(struct request *req, const char *user);
void mail_put_refresh(struct request *req, struct tmpl_vars *v, const char *user, const char *csrf);

/* Helpers the IMAP and POP3 message pages share (page_message.c). */
struct mv_plan;
void mail_put_attachments(struct request *req, struct tmpl_vars *v, const struct mv_plan *plan,
                          const char *query);
void mail_put_headers(struct request *req, struct tmpl_vars *v, const char *header, size_t len,
                      time_t date);
const char *mail_disposition(struct request *req, bool inline_, const char *name);
/* The security headers of a framed HTML body (its own CSP, sandbox). */
const char *mail_frame_headers(bool remote);
/* From page_mailbox.c */
const char *mail_decode_header(struct request *req, const char *raw);
void mail_put_date(struct request *req, struct tmpl_vars *v, time_t t);
const char *mail_size_text(struct request *req, uint64_t size);

/* Makes wire the selected folder: SELECT, or when it already is, a NOOP
 * if refresh (to learn of new and expunged mail: m->conn->mb is then
 * current) or nothing at all (a page about one message, which finds out
 * by itself if the message is gone; unless the connection sat unused for
 * MAIL_TRUST_SECONDS, when a NOOP proves it alive). Re-opens a dead
 * cached connection once. */
#define MAIL_TRUST_SECONDS 20
enum imap_result mail_select(struct mail *m, const char *wire, bool refresh, const char **err);

/* The folders' names and special uses (no counts) for pages that only
 * need those: kept with the connection for MAIL_NAMES_SECONDS (another
 * client's new folder shows after at most that), refreshed by every
 * mailbox list page (mail_folders_seen) and forgotten when postern
 * itself changes folders (mail_folders_changed). *out is in the
 * request's arena. */
#define MAIL_NAMES_SECONDS 60
enum imap_result mail_folder_names(struct mail *m, struct imap_folder **out, size_t *n,
                                   const char **err);
void mail_folders_seen(struct mail *m, const struct imap_folder *f, size_t n);
void mail_folders_changed(struct mail *m);

/* Records r: IMAP_DEAD marks the connection for closing. Returns r. */
enum imap_result mail_note(struct mail *m, enum imap_result r);

/* Gives the connection back to the cache (or closes it) and forgets the
 * session's secrets. */
void mail_end(struct mail *m);

/* Closes the session's cached connection and ends its live-update
 * streams (sign-out). */
void mail_forget(const struct session *s);

/* The error page for a failed imap call. */
void mail_error(struct request *req, enum imap_result r, const char *err);

/* s percent-encoded for a URL query value (RFC 3986 unreserved kept). */
const char *mail_qs(struct request *req, const char *s);

#endif
