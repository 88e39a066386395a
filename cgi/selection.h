/* selection.h — what the pages that act on messages share
 * (page_selection.c): the result page with its Undo button, the
 * UIDVALIDITY check, special folders, and where a message put in Trash
 * came from.
 */
#ifndef POSTERN_SELECTION_H
#define POSTERN_SELECTION_H

#include <stdbool.h>
#include <stdint.h>

#include "imap_folders.h"
#include "mail.h"

/* The start every action POST shares: op (IN_OP) must be one of
 * names[0..n); then the IMAP session (mail_begin: a POP3 session gets
 * 404) and the cross-site and token checks. Returns the op's index with
 * m begun, or -1 with the response filled (and m ended). */
int sel_begin(struct request *req, struct mail *m, const char *const *names, int n);

/* The wire name of the top-level folder with special use su, or NULL
 * (with *err set and m->dead when the listing failed). */
const char *sel_special(struct mail *m, enum imap_special su, const char **err);

/* A folder's name for a sentence: "Trash", "Projects/2026" (UTF-8). */
const char *sel_label(struct request *req, const char *wire);

/* After mail_select() of f: when the form carried the UIDVALIDITY it was
 * rendered with (IN_UV) and the folder's is another now, fills a 409 page
 * ("this folder has changed, nothing was done") and returns -1; else 0. */
int sel_check_uv(struct request *req, struct mail *m, const char *f);

/* Moves have (in the selected folder f) to the folder to and shows the
 * result page with an Undo button when the server said where they went
 * (COPYUID); remember: note f as their origin (a move to Trash). what
 * titles the page ("Moved", "Deleted"). Returns the imap result (the page
 * is filled only on IMAP_OK). */
enum imap_result sel_move(struct request *req, struct mail *m, const char *f,
                          const struct uidset *have, const char *to, const char *what,
                          bool remember, size_t gone, const char **err);

/* The list of folder f, with a flash for done (an op name) on n messages
 * and gone messages no longer there: a 303 to it. */
void sel_back_to_list(struct request *req, const char *f, const char *done, size_t n, size_t gone);

/* The selected folder changed under this connection (messages moved
 * away, expunged): its next use SELECTs it again, so the counts the list
 * pages by are exact. */
void sel_forget_selected(struct mail *m);

/* Remembers that the messages now at uids in Trash (UIDVALIDITY uv) came
 * from folder origin (per session, per worker, bounded: the oldest are
 * forgotten), and looks one up: the wire name (arena memory) or NULL. */
void sel_origin_remember(const struct session *s, uint32_t uv, const struct uidset *uids,
                         const char *origin);
const char *sel_origin(struct request *req, const struct session *s, uint32_t uv, uint32_t uid);

#endif
