/* page_selection.c — acting on messages chosen in the list (POST
 * /mail/selection?f=FOLDER, fields csrf, uv, uid (one per checkbox, or a
 * UID set), op, to, confirm, next).
 *
 * op: read, unread, flag, unflag, copy (to), move (to), junk, delete (to
 * Trash; in Trash or without one, for good after confirming), restore
 * (from Trash to where it came from when known, else INBOX), undo (a move
 * back, from the result page's Undo button), empty (Trash or Junk, after
 * a confirmation naming how many go; only what was counted then).
 *
 * The form carries the folder's UIDVALIDITY: if it changed, nothing is
 * done. Messages are named by UID; the ones no longer there (moved or
 * expunged by another client) are left out and counted, so a second
 * submit never acts on another message.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mutf7.h"
#include "routes.h"
#include "selection.h"

enum op { OP_READ, OP_UNREAD, OP_FLAG, OP_UNFLAG, OP_COPY, OP_MOVE, OP_JUNK, OP_DELETE,
          OP_RESTORE, OP_UNDO, OP_EMPTY, OP__MAX };
static const char *const op_names[OP__MAX] = {
    "read", "unread", "flag", "unflag", "copy", "move", "junk", "delete", "restore", "undo", "empty",
};

/* --- shared helpers (selection.h) ---------------------------------------- */

const char *sel_special(struct mail *m, enum imap_special su, const char **err)
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

const char *sel_label(struct request *req, const char *wire)
{
    if (strcmp(wire, "INBOX") == 0)
        return "Inbox";
    struct buf b;
    buf_init(&b);
    const char *out = wire;
    if (mutf7_to_utf8(wire, strlen(wire), &b, NULL) == 0)
        out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void put_csrf(struct request *req, struct mail *m, struct tmpl_vars *v)
{
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&m->s, token, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
}

static const char *list_url(struct request *req, const char *f)
{
    return arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, f));
}

/* The result page: title, text, and a way back to folder back. */
static struct tmpl_vars *done_vars(struct request *req, struct mail *m, const char *title,
                                   const char *text, const char *back)
{
    struct tmpl_vars *v = page_vars(req);
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "title", title);
    tmpl_put(v, "text", text);
    tmpl_put(v, "back_url", list_url(req, back));
    tmpl_put(v, "back_label", arena_printf(req->arena, "Back to %s", sel_label(req, back)));
    put_csrf(req, m, v);
    return v;
}

static void hidden(struct tmpl_vars *v, const char *name, const char *value)
{
    struct tmpl_vars *h = tmpl_add_item(v, "hidden");
    tmpl_put(h, "name", name);
    tmpl_put(h, "value", value);
}

static const char *gone_text(struct request *req, size_t gone)
{
    if (gone == 0)
        return NULL;
    return gone == 1 ? "One message you chose is no longer here: it was moved or deleted from "
                       "another device. The list is refreshed."
                     : arena_printf(req->arena, "%zu messages you chose are no longer here: they "
                                    "were moved or deleted from another device. The list is "
                                    "refreshed.", gone);
}

static const char *messages_text(struct request *req, size_t n)
{
    return n == 1 ? "1 message" : arena_printf(req->arena, "%zu messages", n);
}

void sel_forget_selected(struct mail *m)
{
    if (m->conn != NULL) {
        free(m->conn->selected);
        m->conn->selected = NULL;
    }
}

int sel_check_uv(struct request *req, struct mail *m, const char *f)
{
    if (!req->in[IN_UV].present || (uint32_t)req->in[IN_UV].v.num == m->conn->mb.uidvalidity)
        return 0;
    struct tmpl_vars *v = done_vars(req, m, "This folder has changed",
                                    "The folder was rebuilt or deleted and made again on the server "
                                    "since this page was shown, so its messages may not be the ones "
                                    "you chose. Nothing was done. Open the folder again and choose "
                                    "once more.", f);
    tmpl_put_bool(v, "changed", 1);
    page_render(req, 409, "done", v);
    return -1;
}

void sel_back_to_list(struct request *req, const char *f, const char *done, size_t n, size_t gone)
{
    const char *url = list_url(req, f);
    if (done != NULL)
        url = arena_printf(req->arena, "%s&done=%s&n=%zu", url, done, n);
    if (gone > 0)
        url = arena_printf(req->arena, "%s&gone=%zu", url, gone);
    page_redirect(req, url);
}

enum imap_result sel_move(struct request *req, struct mail *m, const char *f,
                          const struct uidset *have, const char *to, const char *what,
                          bool remember, size_t gone, const char **err)
{
    struct imap_uidmap map;
    enum imap_result r = mail_note(m, imap_move_set(m->conn->u, &m->conn->caps, req->arena, have,
                                                    to, &map, err));
    if (r != IMAP_OK)
        return r;
    if (remember && map.uidvalidity != 0)
        sel_origin_remember(&m->s, map.uidvalidity, &map.dst, f);
    struct tmpl_vars *v = done_vars(req, m, arena_printf(req->arena, "%s %s", what,
                                                         messages_text(req, have->n)),
                                    arena_printf(req->arena, "Moved %s to %s.",
                                                 messages_text(req, have->n), sel_label(req, to)),
                                    f);
    const char *g = gone_text(req, gone);
    if (g != NULL)
        tmpl_put(v, "gone_text", g);
    if (map.uidvalidity != 0 && map.dst.n > 0) {
        /* Undo: a move back of exactly those messages, guarded by the
         * destination's UIDVALIDITY. */
        tmpl_put(v, "form_action", arena_printf(req->arena, "/mail/selection?f=%s", mail_qs(req, to)));
        hidden(v, "op", "undo");
        hidden(v, "uid", uidset_format(req->arena, &map.dst));
        hidden(v, "uv", arena_printf(req->arena, "%u", map.uidvalidity));
        hidden(v, "to", f);
        tmpl_put(v, "button", "Undo");
    }
    page_render(req, 200, "done", v);
    return IMAP_OK;
}

/* --- where messages in Trash came from ------------------------------------- */

#define ORIGINS_MAX 4096

struct origin {
    unsigned char sid[STORE_ID_LEN];
    uint32_t uv, uid;
    char *wire;     /* malloc'd; NULL: free slot */
};

static struct origin origins[ORIGINS_MAX];
static size_t origins_next;
static pthread_mutex_t origins_lock = PTHREAD_MUTEX_INITIALIZER;

void sel_origin_remember(const struct session *s, uint32_t uv, const struct uidset *uids,
                         const char *origin)
{
    pthread_mutex_lock(&origins_lock);
    for (size_t i = 0; i < uids->n; i++) {
        struct origin *o = &origins[origins_next];
        origins_next = (origins_next + 1) % ORIGINS_MAX;
        free(o->wire);
        memcpy(o->sid, s->id_hash, STORE_ID_LEN);
        o->uv = uv;
        o->uid = uids->v[i];
        o->wire = strdup(origin);
        if (o->wire == NULL)
            abort();
    }
    pthread_mutex_unlock(&origins_lock);
}

const char *sel_origin(struct request *req, const struct session *s, uint32_t uv, uint32_t uid)
{
    const char *out = NULL;
    pthread_mutex_lock(&origins_lock);
    for (size_t i = 0; i < ORIGINS_MAX && out == NULL; i++) {
        const struct origin *o = &origins[i];
        if (o->wire != NULL && o->uv == uv && o->uid == uid &&
            memcmp(o->sid, s->id_hash, STORE_ID_LEN) == 0)
            out = arena_strdup(req->arena, o->wire);
    }
    pthread_mutex_unlock(&origins_lock);
    return out;
}

/* --- the actions ---------------------------------------------------------------- */

static enum imap_result confirm_page(struct request *req, struct mail *m, const char *f,
                                     const char *title, const char *text, const char *button,
                                     enum op op, const struct uidset *have)
{
    struct tmpl_vars *v = done_vars(req, m, title, text, f);
    tmpl_put(v, "form_action", arena_printf(req->arena, "/mail/selection?f=%s", mail_qs(req, f)));
    hidden(v, "op", op_names[op]);
    hidden(v, "confirm", "1");
    hidden(v, "uv", arena_printf(req->arena, "%u", m->conn->mb.uidvalidity));
    if (have != NULL)
        hidden(v, "uid", uidset_format(req->arena, have));
    else
        hidden(v, "next", arena_printf(req->arena, "%u", m->conn->mb.uidnext));
    tmpl_put(v, "button", button);
    tmpl_put_bool(v, "danger", 1);
    tmpl_put(v, "cancel_label", "Keep them");
    page_render(req, 200, "done", v);
    return IMAP_OK;
}

/* Empty Trash or Junk: confirm with the count, then delete what was
 * counted (UIDs below the UIDNEXT of that moment). */
static enum imap_result empty_folder(struct request *req, struct mail *m, const char *f,
                                     const char **err)
{
    const char *trash = sel_special(m, IMAP_SU_TRASH, err);
    const char *junk = m->dead ? NULL : sel_special(m, IMAP_SU_JUNK, err);
    if (m->dead)
        return IMAP_DEAD;
    if (!(trash && strcmp(trash, f) == 0) && !(junk && strcmp(junk, f) == 0)) {
        *err = "Only Trash and Junk can be emptied here.";
        return IMAP_BADARG;
    }
    const char *label = sel_label(req, f);
    if (!(req->in[IN_CONFIRM].present && req->in[IN_CONFIRM].v.num && req->in[IN_NEXT].present)) {
        uint32_t n = m->conn->mb.exists;
        if (n == 0) {
            sel_back_to_list(req, f, "empty", 0, 0);
            return IMAP_OK;
        }
        return confirm_page(req, m, f, arena_printf(req->arena, "Empty %s?", label),
                            arena_printf(req->arena, "%s in %s will be deleted for good, from the "
                                         "server and from every mail program that reads this "
                                         "mailbox.", n == 1 ? "The 1 message" :
                                         arena_printf(req->arena, "All %u messages", n), label),
                            arena_printf(req->arena, "Delete %s for good", messages_text(req, n)),
                            OP_EMPTY, NULL);
    }
    uint32_t before = m->conn->mb.exists;
    enum imap_result r = mail_note(m, imap_empty_below(m->conn->u, &m->conn->caps, req->arena,
                                                       (uint32_t)req->in[IN_NEXT].v.num, err));
    if (r == IMAP_OK) {
        sel_forget_selected(m);   /* a fresh SELECT counts what is left */
        r = mail_select(m, f, true, err);
    }
    if (r == IMAP_OK) {
        uint32_t after = m->conn->mb.exists;
        sel_back_to_list(req, f, "empty", before > after ? before - after : 0, 0);
    }
    return r;
}

/* Restore from Trash: each message back where it came from when this
 * worker remembers it, else to INBOX; one move per origin. */
static enum imap_result restore(struct request *req, struct mail *m, const char *f,
                                const struct uidset *have, size_t gone, const char **err)
{
    const char **to = arena_alloc(req->arena, have->n * sizeof(*to));
    for (size_t i = 0; i < have->n; i++) {
        to[i] = sel_origin(req, &m->s, m->conn->mb.uidvalidity, have->v[i]);
        if (to[i] == NULL || strcmp(to[i], f) == 0)
            to[i] = "INBOX";
    }
    bool *done = arena_alloc(req->arena, have->n * sizeof(*done));
    memset(done, 0, have->n * sizeof(*done));
    struct tmpl_vars *v = done_vars(req, m, arena_printf(req->arena, "Restored %s",
                                                         messages_text(req, have->n)), "", f);
    for (size_t i = 0; i < have->n; i++) {
        if (done[i])
            continue;
        struct uidset group = { arena_alloc(req->arena, have->n * sizeof(uint32_t)), 0 };
        for (size_t j = i; j < have->n; j++)
            if (!done[j] && strcmp(to[j], to[i]) == 0) {
                group.v[group.n++] = have->v[j];
                done[j] = true;
            }
        enum imap_result r = mail_note(m, imap_move_set(m->conn->u, &m->conn->caps, req->arena,
                                                        &group, to[i], NULL, err));
        if (r == IMAP_GONE && strcmp(to[i], "INBOX") != 0)   /* its folder was deleted since */
            r = mail_note(m, imap_move_set(m->conn->u, &m->conn->caps, req->arena, &group,
                                           "INBOX", NULL, err));
        if (r != IMAP_OK)
            return r;
        struct tmpl_vars *iv = tmpl_add_item(v, "items");
        tmpl_put(iv, "text", arena_printf(req->arena, "%s back to %s.", messages_text(req, group.n),
                                          sel_label(req, r == IMAP_OK ? to[i] : "INBOX")));
    }
    const char *g = gone_text(req, gone);
    if (g != NULL)
        tmpl_put(v, "gone_text", g);
    page_render(req, 200, "done", v);
    return IMAP_OK;
}

/* Moves, junk, delete, restore, undo. */
static enum imap_result relocate(struct request *req, struct mail *m, enum op op, const char *f,
                                 const struct uidset *have, size_t gone, const char **err)
{
    const char *to = NULL;
    if (op == OP_RESTORE)
        return restore(req, m, f, have, gone, err);
    if (op == OP_MOVE || op == OP_UNDO) {
        if (!req->in[IN_TO].present) {
            *err = "Choose the folder to move the messages to.";
            return IMAP_BADARG;
        }
        to = req->in[IN_TO].v.str;
    } else {
        to = sel_special(m, op == OP_JUNK ? IMAP_SU_JUNK : IMAP_SU_TRASH, err);
        if (m->dead)
            return IMAP_DEAD;
        if (op == OP_JUNK && to == NULL) {
            *err = "This mailbox has no Junk folder.";
            return IMAP_BADARG;
        }
    }
    if (op == OP_DELETE && (to == NULL || strcmp(to, f) == 0)) {
        if (!(req->in[IN_CONFIRM].present && req->in[IN_CONFIRM].v.num))
            return confirm_page(req, m, f, arena_printf(req->arena, "Delete %s for good?",
                                                        messages_text(req, have->n)),
                                to == NULL ? "This mailbox has no Trash folder: once deleted they "
                                             "are gone from the server and from every mail program."
                                           : "They are in Trash already: once deleted they are gone "
                                             "from the server and from every mail program.",
                                arena_printf(req->arena, "Delete %s for good",
                                             messages_text(req, have->n)),
                                OP_DELETE, have);
        enum imap_result r = mail_note(m, imap_destroy_set(m->conn->u, &m->conn->caps, req->arena,
                                                           have, err));
        if (r == IMAP_OK)
            sel_back_to_list(req, f, "destroyed", have->n, gone);
        return r;
    }
    if (strcmp(to, f) == 0) {
        sel_back_to_list(req, f, NULL, 0, gone);
        return IMAP_OK;
    }
    if (op == OP_DELETE)   /* remember where they came from, for Restore */
        return sel_move(req, m, f, have, to, "Deleted", true, gone, err);
    if (op == OP_UNDO) {
        enum imap_result r = mail_note(m, imap_move_set(m->conn->u, &m->conn->caps, req->arena,
                                                        have, to, NULL, err));
        if (r == IMAP_OK) {
            struct tmpl_vars *v = done_vars(req, m, "Undone",
                                            arena_printf(req->arena, "%s back in %s.",
                                                         messages_text(req, have->n),
                                                         sel_label(req, to)), to);
            const char *g = gone_text(req, gone);
            if (g != NULL)
                tmpl_put(v, "gone_text", g);
            page_render(req, 200, "done", v);
        }
        return r;
    }
    return sel_move(req, m, f, have, to, op == OP_JUNK ? "Marked as junk:" : "Moved", false, gone, err);
}

static enum imap_result act(struct request *req, struct mail *m, enum op op, const char *f,
                            const char **err)
{
    if (op == OP_EMPTY)
        return empty_folder(req, m, f, err);
    if (!req->in[IN_UIDS].present) {
        *err = "Choose one or more messages first (tick the boxes in the list).";
        return IMAP_BADARG;
    }
    struct uidset want, have;
    if (uidset_parse(req->arena, req->in[IN_UIDS].v.str, req->in[IN_UIDS].v.len, &want) < 0) {
        *err = "This choice of messages cannot be read.";
        return IMAP_BADARG;
    }
    enum imap_result r = mail_note(m, imap_present(m->conn->u, req->arena, &want, &have, err));
    if (r != IMAP_OK)
        return r;
    size_t gone = want.n - have.n;
    if (have.n == 0) {
        sel_back_to_list(req, f, NULL, 0, gone);
        return IMAP_OK;
    }
    static const char *const flags[] = { "\\Seen", "\\Seen", "\\Flagged", "\\Flagged" };
    switch (op) {
    case OP_READ:
    case OP_UNREAD:
    case OP_FLAG:
    case OP_UNFLAG:
        r = mail_note(m, imap_flag_set(m->conn->u, req->arena, &have, flags[op],
                                       op == OP_READ || op == OP_FLAG, err));
        if (r == IMAP_OK)
            sel_back_to_list(req, f, op_names[op], have.n, gone);
        return r;
    case OP_COPY: {
        if (!req->in[IN_TO].present) {
            *err = "Choose the folder to copy the messages to.";
            return IMAP_BADARG;
        }
        const char *to = req->in[IN_TO].v.str;
        r = mail_note(m, imap_copy_set(m->conn->u, &m->conn->caps, req->arena, &have, to, NULL, err));
        if (r == IMAP_OK) {
            struct tmpl_vars *v = done_vars(req, m, arena_printf(req->arena, "Copied %s",
                                                                 messages_text(req, have.n)),
                                            arena_printf(req->arena, "Copied %s to %s.",
                                                         messages_text(req, have.n),
                                                         sel_label(req, to)), f);
            const char *g = gone_text(req, gone);
            if (g != NULL)
                tmpl_put(v, "gone_text", g);
            page_render(req, 200, "done", v);
        }
        return r;
    }
    default:
        return relocate(req, m, op, f, &have, gone, err);
    }
}

int sel_begin(struct request *req, struct mail *m, const char *const *names, int n)
{
    int op = -1;
    for (int k = 0; k < n && req->in[IN_OP].present; k++)
        if (strcmp(names[k], req->in[IN_OP].v.str) == 0)
            op = k;
    if (op < 0) {
        page_error(req, 400, "There is no such action.");
        return -1;
    }
    int b = mail_begin(req, m);
    if (b != 0) {
        if (b > 0) {
            mail_end(m);
            page_error(req, 404, "There is nothing to do this to here.");
        }
        return -1;
    }
    if (request_check_post(req, &m->s) < 0) {
        mail_end(m);
        return -1;
    }
    return op;
}

void page_selection(struct request *req)
{
    if (!req->in[IN_FOLDER].present || !req->in[IN_OP].present || !req->in[IN_UV].present) {
        page_error(req, 400, "This form is not complete (folder, action or folder version missing).");
        return;
    }
    const char *f = req->in[IN_FOLDER].v.str, *err = NULL;
    struct mail m;
    int op = sel_begin(req, &m, op_names, OP__MAX);
    if (op < 0)
        return;
    sel_forget_selected(&m);   /* a fresh SELECT: the UIDVALIDITY of now */
    enum imap_result r = mail_select(&m, f, true, &err);
    if (r == IMAP_OK && sel_check_uv(req, &m, f) < 0) {
        mail_end(&m);
        return;
    }
    if (r == IMAP_OK)
        r = act(req, &m, (enum op)op, f, &err);
    if (r != IMAP_OK)
        mail_error(req, r, err);
    sel_forget_selected(&m);
    mail_end(&m);
}
