/* page_folders.c — managing folders: GET /mail/folders (the list, with
 * forms), POST /mail/folder-action?f=FOLDER (fields csrf, op, name,
 * parent, confirm).
 *
 * op: create (name, inside parent or at the top), rename (f to name, in
 * the same parent), delete (f, after a confirmation naming how many
 * messages go; a folder with folders inside is refused), subscribe,
 * unsubscribe. INBOX and the special-use folders (Drafts, Sent, Archive,
 * Junk, Trash) cannot be renamed or deleted. A typed name is checked
 * (foldername.h) before the IMAP connection is even taken, so a bad one
 * never costs an upstream byte.
 */
#include <string.h>

#include "foldername.h"
#include "imap_folders.h"
#include "routes.h"
#include "selection.h"

enum fop { FOP_CREATE, FOP_RENAME, FOP_DELETE, FOP_SUBSCRIBE, FOP_UNSUBSCRIBE, FOP__MAX };
static const char *const fop_names[FOP__MAX] = {
    "create", "rename", "delete", "subscribe", "unsubscribe",
};
/* The flash after each (GET /mail/folders?done=OP&f=FOLDER). */
static const char *const fop_done[FOP__MAX] = {
    "Folder created:", "Folder renamed:", "Folder deleted:", "Subscribed to", "Unsubscribed from",
};
static const char *const done_words[FOP__MAX] = {
    "created", "renamed", "deleted", "subscribed", "unsubscribed",
};

static void put_csrf(struct request *req, struct mail *m, struct tmpl_vars *v)
{
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&m->s, token, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
}

static bool is_protected(const struct imap_folder *f)
{
    return f->special != IMAP_SU_NONE && f->depth == 0;
}

static bool has_children(const struct imap_folder *all, size_t n, const struct imap_folder *f)
{
    size_t len = strlen(f->wire);
    for (size_t i = 0; i < n; i++)
        if (f->delim && strncmp(all[i].wire, f->wire, len) == 0 && all[i].wire[len] == f->delim)
            return true;
    return false;
}

static bool subscribed(const char **subs, size_t nsubs, const char *wire)
{
    for (size_t i = 0; i < nsubs; i++)
        if (strcmp(subs[i], wire) == 0)
            return true;
    return false;
}

static const struct imap_folder *find(const struct imap_folder *f, size_t n, const char *wire)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].wire, wire) == 0)
            return &f[i];
    return NULL;
}

static void put_rows(struct request *req, struct tmpl_vars *v, const struct imap_folder *f, size_t n,
                     const char **subs, size_t nsubs)
{
    static const char *const labels[IMAP_SU__MAX] = {
        "", "Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash",
    };
    for (size_t i = 0; i < n; i++) {
        struct tmpl_vars *fv = tmpl_add_item(v, "folders");
        tmpl_put(fv, "label", is_protected(&f[i]) ? labels[f[i].special] : f[i].leaf);
        tmpl_put(fv, "name", f[i].name);
        tmpl_put(fv, "leaf", f[i].leaf);
        tmpl_put(fv, "wire", f[i].wire);
        tmpl_put_int(fv, "depth", f[i].depth > 8 ? 8 : f[i].depth);
        tmpl_put_bool(fv, "protected", is_protected(&f[i]));
        tmpl_put_bool(fv, "selectable", !f[i].noselect);
        tmpl_put_bool(fv, "counted", f[i].messages >= 0);
        tmpl_put_int(fv, "messages", f[i].messages);
        tmpl_put_bool(fv, "subscribed", subscribed(subs, nsubs, f[i].wire));
        tmpl_put_bool(fv, "has_children", has_children(f, n, &f[i]));
        tmpl_put(fv, "url", arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, f[i].wire)));
        tmpl_put(fv, "action", arena_printf(req->arena, "/mail/folder-action?f=%s",
                                            mail_qs(req, f[i].wire)));
    }
}

void page_folders(struct request *req)
{
    struct mail m;
    int b = mail_begin(req, &m);
    if (b != 0) {
        if (b > 0) {
            mail_end(&m);
            page_error(req, 404, "Over POP3 there is one folder, Inbox: there are no folders to manage.");
        }
        return;
    }
    const char *err = NULL;
    struct imap_folder *f = NULL;
    size_t n = 0, nsubs = 0;
    const char **subs = NULL;
    char delim = 0;
    enum imap_result r = mail_note(&m, imap_folders(m.conn->u, &m.conn->caps, req->arena, &f, &n, &err));
    if (r == IMAP_OK)
        r = mail_note(&m, imap_subscribed(m.conn->u, req->arena, &subs, &nsubs, &err));
    if (r == IMAP_OK)
        r = mail_note(&m, imap_delimiter(m.conn->u, req->arena, &delim, &err));
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        mail_end(&m);
        return;
    }
    struct tmpl_vars *v = page_vars(req);
    tmpl_put(v, "title", "Folders");
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "user", arena_strdup(req->arena, m.s.rec.user));
    put_csrf(req, &m, v);
    tmpl_put(v, "delim", delim ? arena_printf(req->arena, "%c", delim) : "");
    tmpl_put_bool(v, "nested", delim != 0);
    put_rows(req, v, f, n, subs, nsubs);
    if (req->in[IN_DONE].present)
        for (int k = 0; k < FOP__MAX; k++)
            if (strcmp(done_words[k], req->in[IN_DONE].v.str) == 0) {
                const char *which = req->in[IN_FOLDER].present ? sel_label(req, req->in[IN_FOLDER].v.str) : "";
                tmpl_put(v, "flash", fop_done[k]);
                tmpl_put(v, "flash_folder", which);
            }
    mail_end(&m);
    page_render(req, 200, "folders", v);
}

/* --- actions ----------------------------------------------------------- */

static void back(struct request *req, enum fop op, const char *wire)
{
    page_redirect(req, arena_printf(req->arena, "/mail/folders?done=%s&f=%s", done_words[op],
                                    mail_qs(req, wire)));
}

static enum imap_result confirm_delete(struct request *req, struct mail *m, const char *wire,
                                       long messages, uint32_t uidnext, bool again)
{
    struct tmpl_vars *v = page_vars(req);
    tmpl_put_bool(v, "signed_in", 1);
    const char *label = sel_label(req, wire);
    tmpl_put(v, "title", arena_printf(req->arena, "Delete the folder %s?", label));
    tmpl_put(v, "text", messages == 0 ? "It is empty." :
             arena_printf(req->arena, "%s in it will be deleted for good with it.",
                          messages == 1 ? "The 1 message" :
                          arena_printf(req->arena, "All %ld messages", messages)));
    if (again)
        tmpl_put(v, "gone_text", "New mail arrived in this folder since you were asked: check the "
                                 "count again.");
    tmpl_put(v, "form_action", arena_printf(req->arena, "/mail/folder-action?f=%s", mail_qs(req, wire)));
    struct tmpl_vars *h = tmpl_add_item(v, "hidden");
    tmpl_put(h, "name", "op");
    tmpl_put(h, "value", "delete");
    h = tmpl_add_item(v, "hidden");
    tmpl_put(h, "name", "confirm");
    tmpl_put(h, "value", "1");
    h = tmpl_add_item(v, "hidden");
    tmpl_put(h, "name", "next");
    tmpl_put(h, "value", arena_printf(req->arena, "%u", uidnext ? uidnext : 1));
    tmpl_put(v, "button", messages == 1 ? "Delete the folder and 1 message" :
             arena_printf(req->arena, "Delete the folder and %ld messages", messages));
    tmpl_put_bool(v, "danger", 1);
    tmpl_put(v, "back_url", "/mail/folders");
    tmpl_put(v, "back_label", "Keep it");
    put_csrf(req, m, v);
    page_render(req, 200, "done", v);
    return IMAP_OK;
}

static enum imap_result do_delete(struct request *req, struct mail *m, const struct imap_folder *t,
                                  const struct imap_folder *all, size_t n, const char **err)
{
    if (has_children(all, n, t)) {
        *err = "This folder holds other folders: delete or move them first.";
        return IMAP_BADARG;
    }
    struct imap_mailbox mb = {0};
    enum imap_result r = t->noselect ? IMAP_OK
                       : mail_note(m, imap_status(m->conn->u, &m->conn->caps, req->arena, t->wire, &mb, err));
    if (r != IMAP_OK)
        return r;
    long messages = (long)mb.exists;
    uint32_t uidnext = mb.uidnext;
    /* confirm carries the UIDNEXT the count was made at: if mail came
     * since, ask again with the new count */
    bool confirmed = req->in[IN_CONFIRM].present && req->in[IN_CONFIRM].v.num;
    long long seen = req->in[IN_NEXT].present ? req->in[IN_NEXT].v.num : 0;
    if (!confirmed || (!t->noselect && (uint32_t)seen != (uidnext ? uidnext : 1)))
        return confirm_delete(req, m, t->wire, messages, uidnext, confirmed);
    r = mail_select(m, "INBOX", false, err);   /* never delete the selected folder */
    if (r == IMAP_OK)
        r = mail_note(m, imap_folder_delete(m->conn->u, &m->conn->caps, req->arena, t->wire, err));
    if (r == IMAP_OK)
        back(req, FOP_DELETE, t->wire);
    return r;
}

static enum imap_result act(struct request *req, struct mail *m, enum fop op, const char **err)
{
    mail_folders_changed(m);   /* the names other pages keep are stale now */
    struct imap_folder *f = NULL;
    size_t n = 0;
    char delim = 0;
    enum imap_result r = mail_note(m, imap_folder_names(m->conn->u, &m->conn->caps, req->arena, &f, &n, err));
    if (r == IMAP_OK)
        r = mail_note(m, imap_delimiter(m->conn->u, req->arena, &delim, err));
    if (r != IMAP_OK)
        return r;
    const struct imap_folder *t = NULL;
    if (op != FOP_CREATE) {
        t = find(f, n, req->in[IN_FOLDER].v.str);
        if (t == NULL) {
            *err = "This folder is no longer here: it may have been renamed or deleted from another device.";
            return IMAP_BADARG;
        }
        if ((op == FOP_RENAME || op == FOP_DELETE) && is_protected(t)) {
            *err = "Inbox and the special folders (Drafts, Sent, Archive, Junk, Trash) cannot be "
                   "renamed or deleted.";
            return IMAP_BADARG;
        }
    }
    const char *name = NULL, *wire = NULL;
    switch (op) {
    case FOP_CREATE: {
        const char *parent = NULL;
        if (req->in[IN_PARENT].present && req->in[IN_PARENT].v.len > 0) {
            const struct imap_folder *p = find(f, n, req->in[IN_PARENT].v.str);
            if (p == NULL) {
                *err = "The folder to make it inside is no longer here.";
                return IMAP_BADARG;
            }
            parent = p->name;
        }
        if (foldername_make(req->arena, parent, delim, req->in[IN_NAME].v.str, req->in[IN_NAME].v.len,
                            &name, &wire, err) < 0)
            return IMAP_BADARG;
        if (find(f, n, wire) != NULL) {
            *err = "A folder with this name exists already.";
            return IMAP_BADARG;
        }
        r = mail_note(m, imap_folder_create(m->conn->u, &m->conn->caps, req->arena, wire, err));
        if (r == IMAP_OK)
            r = mail_note(m, imap_folder_subscribe(m->conn->u, &m->conn->caps, req->arena, wire, true, err));
        if (r == IMAP_OK)
            back(req, op, wire);
        return r;
    }
    case FOP_RENAME: {
        const char *parent = t->depth > 0 ? arena_strndup(req->arena, t->name,
                                                          (size_t)(t->leaf - t->name - 1)) : NULL;
        if (foldername_make(req->arena, parent, delim, req->in[IN_NAME].v.str, req->in[IN_NAME].v.len,
                            &name, &wire, err) < 0)
            return IMAP_BADARG;
        if (strcmp(wire, t->wire) == 0) {
            back(req, op, wire);
            return IMAP_OK;
        }
        if (find(f, n, wire) != NULL) {
            *err = "A folder with this name exists already.";
            return IMAP_BADARG;
        }
        bool sub = false;
        const char **subs = NULL;
        size_t nsubs = 0;
        r = mail_note(m, imap_subscribed(m->conn->u, req->arena, &subs, &nsubs, err));
        sub = r == IMAP_OK && subscribed(subs, nsubs, t->wire);
        if (r == IMAP_OK)
            r = mail_select(m, "INBOX", false, err);
        if (r == IMAP_OK)
            r = mail_note(m, imap_folder_rename(m->conn->u, &m->conn->caps, req->arena, t->wire, wire, err));
        if (r == IMAP_OK && sub) {   /* the subscription follows the folder */
            mail_note(m, imap_folder_subscribe(m->conn->u, &m->conn->caps, req->arena, t->wire, false, err));
            r = mail_note(m, imap_folder_subscribe(m->conn->u, &m->conn->caps, req->arena, wire, true, err));
        }
        if (r == IMAP_OK)
            back(req, op, wire);
        return r;
    }
    case FOP_DELETE:
        return do_delete(req, m, t, f, n, err);
    case FOP_SUBSCRIBE:
    case FOP_UNSUBSCRIBE:
        r = mail_note(m, imap_folder_subscribe(m->conn->u, &m->conn->caps, req->arena, t->wire,
                                               op == FOP_SUBSCRIBE, err));
        if (r == IMAP_OK)
            back(req, op, t->wire);
        return r;
    default:
        *err = "There is no such action.";
        return IMAP_BADARG;
    }
}

void page_folder_action(struct request *req)
{
    int op = -1;
    if (req->in[IN_OP].present)
        for (int k = 0; k < FOP__MAX; k++)
            if (strcmp(fop_names[k], req->in[IN_OP].v.str) == 0)
                op = k;
    if (op < 0) {
        page_error(req, 400, "There is no such action.");
        return;
    }
    if (op != FOP_CREATE && !req->in[IN_FOLDER].present) {
        page_error(req, 400, "This form is not complete (which folder?).");
        return;
    }
    /* the session and the token first (no IMAP yet) */
    struct session s;
    if (request_session(req, &s) != SESSION_OK) {
        page_redirect(req, "/login");
        return;
    }
    int ok = request_check_post(req, &s);
    session_clear(&s);
    if (ok < 0)
        return;
    /* a typed name is checked before any byte goes upstream (the
     * separator, which only the server knows, is checked again later) */
    if (op == FOP_CREATE || op == FOP_RENAME) {
        const char *why = NULL;
        const char *nm = req->in[IN_NAME].present ? req->in[IN_NAME].v.str : "";
        size_t len = req->in[IN_NAME].present ? req->in[IN_NAME].v.len : 0;
        if (foldername_check_leaf(nm, len, 0, &why) < 0) {
            page_error(req, 400, why);
            return;
        }
    }
    struct mail m;
    int b = mail_begin(req, &m);
    if (b != 0) {
        if (b > 0) {
            mail_end(&m);
            page_error(req, 404, "Over POP3 there is one folder, Inbox: there are no folders to manage.");
        }
        return;
    }
    const char *err = NULL;
    enum imap_result r = act(req, &m, (enum fop)op, &err);
    if (r != IMAP_OK)
        mail_error(req, r, err);
    mail_end(&m);
}
