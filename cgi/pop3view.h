/* pop3view.h — the mailbox over POP3 (page_pop3.c): one folder, Inbox;
 * headers first (TOP n 0); messages named by their unique-id (UIDL), not
 * by number; leave a copy on the server unless the user deletes one.
 *
 * A POP3 session locks the maildrop, so each request opens its own,
 * does its work and QUITs: the user's own mail program is never locked
 * out for longer than one page takes. The /mail/ pages hand POP3
 * sessions (and message links carrying m=UIDL) to these functions.
 */
#ifndef POSTERN_POP3VIEW_H
#define POSTERN_POP3VIEW_H

#include "request.h"

/* GET /mail/ for a POP3 session s (loaded by the caller). */
void pop3_list(struct request *req, const struct session *s);
/* GET /mail/message?m=UIDL, /mail/body?m=..&part=, /mail/part?m=..&part=,
 * /mail/raw?m=.. */
void pop3_message(struct request *req);
void pop3_body(struct request *req);
void pop3_part(struct request *req);
void pop3_raw(struct request *req);

#endif
