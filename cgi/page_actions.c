/* page_actions.c — acting on one message of the IMAP mailbox (POST
 * /mail/action?f=FOLDER&uid=UID, fields csrf, op and, for a move, to).
 *
 * op: read, unread, flag, unflag, move (to=FOLDER), junk (to the Junk
 * folder), delete (to Trash; in Trash, or where there is none, for good
 * after a confirmation). Every action is a POST with the synchronizer
 * token and the Origin check; actions name the message by UID, so a
 * second submit of a delete finds nothing and deletes nothing else.
 */
#include <string.h>

#include "mail.h"
#include "routes.h"
#include "selection.h"

enum op { OP_READ, OP_UNREAD, OP_FLAG, OP_UNFLAG, OP_MOVE, OP_JUNK, OP_DELETE, OP__MAX };
static const char *const op_names[OP__MAX] = {
    "read", "unread", "flag", "unflag", "move", "junk", "delete",
};

/* The wire name of the folder with special use su, or NULL. */
static const char *special_folder(struct mail *m, enum imap_special su, const char **err)
{
    struct imap_folder *f = NULL;
    size_t n = 0;
    if (mail_folder_names(m, &f, &n, err) != IMAP_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (f[i].special == su && f[i].depth == 0 && !f[i].noselect)
            return f[i].wire;
    return NULL;
}

static void confirm_destroy(struct request *req, struct mail *m, const char *f, uint32_t uid)
{
    struct tmpl_vars *v = page_vars(req);
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "title", "Delete this message for good?");
    tmpl_put(v, "text", "It is not moved to a Trash folder: once deleted it is gone from the server "
                        "and from every mail program that reads this mailbox.");
    tmpl_put(v, "button", "Delete it for good");
    tmpl_put(v, "op", "delete");
    tmpl_put(v, "action", arena_printf(req->arena, "/mail/action?f=%s&uid=%u", mail_qs(req, f), uid));
    tmpl_put(v, "cancel_url", arena_printf(req->arena, "/mail/message?f=%s&uid=%u", mail_qs(req, f), uid));
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&m->s, token, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
    page_render(req, 200, "confirm", v);
}

/* Runs op; the page to go to after it (or NULL when a page was filled). */
static const char *act(struct request *req, struct mail *m, enum op op, const char *f, uint32_t uid,
                       enum imap_result *r, const char **err)
{
    struct up_imap *u = m->conn->u;
    const char *msg_url = arena_printf(req->arena, "/mail/message?f=%s&uid=%u", mail_qs(req, f), uid);
    const char *list_url = arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, f));
    const char *to = NULL;
    switch (op) {
    case OP_READ:
    case OP_UNREAD:
        *r = mail_note(m, imap_flag(u, req->arena, uid, "\\Seen", op == OP_READ, err));
        return op == OP_READ ? msg_url : list_url;
    case OP_FLAG:
    case OP_UNFLAG:
        *r = mail_note(m, imap_flag(u, req->arena, uid, "\\Flagged", op == OP_FLAG, err));
        return msg_url;
    case OP_MOVE:
        if (!req->in[IN_TO].present) {
            *r = IMAP_BADARG;
            *err = "Choose the folder to move the message to.";
            return NULL;
        }
        to = req->in[IN_TO].v.str;
        break;
    case OP_JUNK:
    case OP_DELETE:
        to = special_folder(m, op == OP_JUNK ? IMAP_SU_JUNK : IMAP_SU_TRASH, err);
        if (to == NULL && *err != NULL && m->dead) {
            *r = IMAP_DEAD;
            return NULL;
        }
        if (op == OP_JUNK && to == NULL) {
            *r = IMAP_BADARG;
            *err = "This mailbox has no Junk folder.";
            return NULL;
        }
        if (op == OP_DELETE && (to == NULL || strcmp(to, f) == 0)) {
            if (!(req->in[IN_CONFIRM].present && req->in[IN_CONFIRM].v.num)) {
                confirm_destroy(req, m, f, uid);
                *r = IMAP_OK;
                return NULL;
            }
            *r = mail_note(m, imap_destroy(u, &m->conn->caps, req->arena, uid, err));
            return list_url;
        }
        break;
    default:
        break;
    }
    if (strcmp(to, f) == 0) {
        *r = IMAP_OK;
        return msg_url;   /* already there */
    }
    /* the result page, with Undo (page_selection.c) */
    struct uidset one = { &uid, 1 };
    *r = sel_move(req, m, f, &one, to, op == OP_DELETE ? "Deleted" : op == OP_JUNK ? "Marked as junk:" : "Moved",
                  op == OP_DELETE, 0, err);
    return NULL;
}

void page_message_action(struct request *req)
{
    if (!req->in[IN_FOLDER].present || !req->in[IN_UID].present || !req->in[IN_OP].present) {
        page_error(req, 400, "This form is not complete (folder, message or action missing).");
        return;
    }
    const char *f = req->in[IN_FOLDER].v.str, *err = NULL;
    uint32_t uid = (uint32_t)req->in[IN_UID].v.num;
    struct mail m;
    int op = sel_begin(req, &m, op_names, OP__MAX);
    if (op < 0)
        return;
    if (req->in[IN_UV].present)
        sel_forget_selected(&m);   /* a fresh SELECT: the UIDVALIDITY of now */
    enum imap_result r = mail_select(&m, f, false, &err);
    const char *next = NULL;
    if (r == IMAP_OK && sel_check_uv(req, &m, f) < 0) {
        mail_end(&m);
        return;
    }
    /* moved or expunged by another client: say so, never act on another */
    struct uidset want = { &uid, 1 }, have = { NULL, 0 };
    if (r == IMAP_OK)
        r = mail_note(&m, imap_present(m.conn->u, req->arena, &want, &have, &err));
    if (r == IMAP_OK && have.n == 0) {
        sel_back_to_list(req, f, NULL, 0, 1);
        mail_end(&m);
        return;
    }
    if (r == IMAP_OK)
        next = act(req, &m, (enum op)op, f, uid, &r, &err);
    if (r != IMAP_OK)
        mail_error(req, r, err);
    else if (next != NULL)
        page_redirect(req, next);
    sel_forget_selected(&m);
    mail_end(&m);
}
