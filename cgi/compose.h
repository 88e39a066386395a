/* compose.h — what the compose page (page_compose.c) and its sources
 * (compose_source.c: drafts and the message replied to or forwarded)
 * share: the form as the person filled it in.
 *
 * Every string is arena memory of the request. Header fields are kept
 * exactly as typed, so the form always comes back as it was sent.
 */
#ifndef POSTERN_COMPOSE_H
#define POSTERN_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "mail.h"
#include "msgbuild.h"
#include "submit.h"

enum compose_mode { MODE_NEW, MODE_REPLY, MODE_REPLY_ALL, MODE_FORWARD, MODE_ATTACH, MODE__MAX };
/* "new", "reply", "replyall", "forward", "attach" */
extern const char *const compose_mode_names[MODE__MAX];

#define COMPOSE_ATTACH_MAX 100   /* files on one message */

struct compose_form {
    const char *from, *to, *cc, *bcc, *subject, *body;
    size_t body_len;
    const char *in_reply_to, *references;   /* "" when none */
    /* the message replied to or forwarded */
    enum compose_mode mode;
    const char *orig_folder;                /* wire name, or NULL */
    uint32_t orig_uid;
    uint32_t draft;                         /* UID of the saved draft in Drafts; 0: none */
    const char *token;                      /* the one-time send token */
    /* attachments: kept ones first, then new uploads; src[i] is the
     * attachment's number in its source (1-based), 0 for a new upload */
    struct mb_attachment att[COMPOSE_ATTACH_MAX];
    unsigned src[COMPOSE_ATTACH_MAX];
    size_t natt;
    /* what the page says beside the fields and above the form */
    const char *err_from, *err_to, *err_cc, *err_bcc, *err_subject, *err_body, *err_attach;
    const char *problem, *saved_note;
    const struct submit_rcpt *rejected;
    size_t nrejected;
};

/* The signed-in user's own address (the login, or login@mail_domain). */
const char *compose_user_address(struct request *req, const struct mail *m);

/* The wire name of the Drafts (IMAP_SU_DRAFTS) or Sent folder, made if
 * missing; NULL with *err on failure. */
const char *compose_folder(struct mail *m, enum imap_special su, const char **err);

/* Reads the whole message uid of folder wire (at most the configured
 * message size) into arena memory. */
enum imap_result compose_fetch(struct mail *m, const char *wire, uint32_t uid, const char **data,
                               size_t *len, const char **err);

/* Fills f's fields from the draft f->draft (To, Cc, Bcc, Subject, text,
 * references and the reply note), and with keep == NULL every attachment
 * of it; else only those whose numbers are in keep[0..nkeep). */
enum imap_result compose_load_draft(struct mail *m, struct compose_form *f, bool fields,
                                    const uint64_t *keep, size_t nkeep, const char **err);

/* Fills f for a reply, reply to all or forward of f->orig_uid in
 * f->orig_folder (f->mode). */
enum imap_result compose_prefill(struct mail *m, struct compose_form *f, const char **err);

/* For a forward not yet saved as a draft: the original's attachments (or
 * the original itself, MODE_ATTACH) whose numbers are in keep (NULL:
 * all), appended to f->att. */
enum imap_result compose_forwarded_files(struct mail *m, struct compose_form *f,
                                         const uint64_t *keep, size_t nkeep, const char **err);

/* The draft's reply note (X-Postern-Draft) for f, or NULL for a new message. */
const char *compose_note(struct request *req, const struct compose_form *f);

#endif
