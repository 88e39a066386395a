/* page_mailbox.c — the mailbox (GET /mail/): folders, and one page of a
 * folder's messages, headers only.
 *
 * Inputs: f (folder, modified UTF-7 as the server names it; INBOX by
 * default), page (from 0), sort (arrival, date, from, subject, size),
 * order (desc: newest/largest/Z first, the default; asc), q (search
 * text) and in (all, from, subject, body). Every link the page makes
 * carries them percent-encoded.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mail.h"
#include "pop3view.h"
#include "rfc2047.h"
#include "routes.h"

#define HEADER_CAP 2000   /* bytes of a decoded subject or name shown */

/* Decoded header text (RFC 2047, any charset, valid UTF-8). */
const char *mail_decode_header(struct request *req, const char *raw)
{
    struct buf b;
    buf_init(&b);
    rfc2047_decode(raw, strlen(raw), HEADER_CAP, &b);
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* "14:05" today, "Mon 23 Nov" this year, else "23 Nov 2025"; and ISO. */
void mail_put_date(struct request *req, struct tmpl_vars *v, time_t t)
{
    if (t <= 0) {
        tmpl_put(v, "date", "");
        return;
    }
    struct tm tm, now;
    time_t n = time(NULL);
    localtime_r(&t, &tm);
    localtime_r(&n, &now);
    char text[64], iso[32];
    if (tm.tm_year == now.tm_year && tm.tm_yday == now.tm_yday)
        strftime(text, sizeof(text), "%H:%M", &tm);
    else if (tm.tm_year == now.tm_year)
        strftime(text, sizeof(text), "%a %d %b", &tm);
    else
        strftime(text, sizeof(text), "%d %b %Y", &tm);
    struct tm utc;
    gmtime_r(&t, &utc);
    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &utc);
    tmpl_put(v, "date", arena_strdup(req->arena, text));
    tmpl_put(v, "date_iso", arena_strdup(req->arena, iso));
}

/* "12 KB", "1.4 MB" */
const char *mail_size_text(struct request *req, uint64_t size)
{
    if (size < 1024 * 1024)
        return arena_printf(req->arena, "%llu KB", (unsigned long long)(size + 1023) / 1024);
    return arena_printf(req->arena, "%.1f MB", (double)size / (1024.0 * 1024.0));
}

static const char *const special_labels[IMAP_SU__MAX] = {
    "", "Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash",
};

static void put_folders(struct request *req, struct tmpl_vars *v, const struct imap_folder *f,
                        size_t n, const char *current)
{
    for (size_t i = 0; i < n; i++) {
        struct tmpl_vars *fv = tmpl_add_item(v, "folders");
        const char *label = f[i].special != IMAP_SU_NONE && f[i].depth == 0
                            ? special_labels[f[i].special] : f[i].leaf;
        tmpl_put(fv, "label", label);
        tmpl_put(fv, "name", f[i].name);
        tmpl_put(fv, "wire", f[i].wire);
        tmpl_put(fv, "special", imap_special_names[f[i].special]);
        tmpl_put_int(fv, "depth", f[i].depth > 8 ? 8 : f[i].depth);
        tmpl_put_bool(fv, "selectable", !f[i].noselect);
        tmpl_put_bool(fv, "current", strcmp(f[i].wire, current) == 0);
        tmpl_put(fv, "url", arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, f[i].wire)));
        tmpl_put_bool(fv, "counted", f[i].messages >= 0);
        tmpl_put_int(fv, "messages", f[i].messages);
        tmpl_put_int(fv, "unseen", f[i].unseen > 0 ? f[i].unseen : 0);
        tmpl_put_bool(fv, "has_unseen", f[i].unseen > 0);
    }
}

static const char *folder_label(const struct imap_folder *f, size_t n, const char *wire)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].wire, wire) == 0)
            return f[i].special != IMAP_SU_NONE && f[i].depth == 0 ? special_labels[f[i].special]
                                                                     : f[i].name;
    return wire;
}

/* The list's own query string without page (for sort links and paging). */
static const char *list_query(struct request *req, const char *f, const struct imap_list_req *lr)
{
    const char *q = arena_printf(req->arena, "f=%s&sort=%s&order=%s", mail_qs(req, f),
                                 imap_sort_names[lr->sort], lr->reverse ? "desc" : "asc");
    if (lr->search != NULL && lr->search[0] != '\0')
        q = arena_printf(req->arena, "%s&q=%s&in=%s", q, mail_qs(req, lr->search),
                         imap_search_in_names[lr->in]);
    return q;
}

static int word_index(const char *const *words, int n, const struct input *in, int dflt)
{
    if (!in->present)
        return dflt;
    for (int i = 0; i < n; i++)
        if (strcmp(words[i], in->v.str) == 0)
            return i;
    return -1;
}

static void put_sort_links(struct request *req, struct tmpl_vars *v, const char *f,
                           const struct imap_list_req *lr)
{
    static const char *const labels[IMAP_SORT__MAX] = { "Arrival", "Date", "From", "Subject", "Size" };
    for (int k = 0; k < IMAP_SORT__MAX; k++) {
        struct imap_list_req alt = *lr;
        alt.sort = (enum imap_sort)k;
        alt.reverse = k == (int)lr->sort ? !lr->reverse : (k == IMAP_SORT_FROM || k == IMAP_SORT_SUBJECT ? false : true);
        struct tmpl_vars *sv = tmpl_add_item(v, "sorts");
        tmpl_put(sv, "label", labels[k]);
        tmpl_put(sv, "url", arena_printf(req->arena, "/mail/?%s", list_query(req, f, &alt)));
        tmpl_put_bool(sv, "current", k == (int)lr->sort);
        tmpl_put(sv, "direction", lr->reverse ? "descending" : "ascending");
    }
}

static void put_messages(struct request *req, struct tmpl_vars *v, const char *f,
                         const struct imap_summary *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct tmpl_vars *mv = tmpl_add_item(v, "messages");
        const char *subject = mail_decode_header(req, s[i].subject);
        const char *from = mail_decode_header(req, s[i].from);
        tmpl_put(mv, "subject", subject[0] ? subject : "(no subject)");
        tmpl_put_bool(mv, "no_subject", subject[0] == '\0');
        tmpl_put(mv, "from", from[0] ? from : "(unknown sender)");
        tmpl_put(mv, "from_addr", s[i].from_addr);
        mail_put_date(req, mv, s[i].date);
        tmpl_put(mv, "size", mail_size_text(req, s[i].size));
        tmpl_put_int(mv, "uid", s[i].uid);
        tmpl_put_bool(mv, "unread", !s[i].seen);
        tmpl_put_bool(mv, "flagged", s[i].flagged);
        tmpl_put_bool(mv, "answered", s[i].answered);
        tmpl_put_bool(mv, "attachment", s[i].attachment);
        tmpl_put(mv, "url", arena_printf(req->arena, "/mail/message?f=%s&uid=%u", mail_qs(req, f), s[i].uid));
    }
}

/* How the page learns of new mail: the stream and status URLs, the state
 * it was drawn from, and the user's schedule with its form. */
static void put_refresh(struct request *req, struct tmpl_vars *v, struct mail *m, const char *f,
                        const char *base, long long page)
{
    const struct imap_mailbox *mb = &m->conn->mb;
    tmpl_put(v, "events_url", arena_printf(req->arena, "/mail/events?f=%s", mail_qs(req, f)));
    tmpl_put(v, "status_url", arena_printf(req->arena, "/mail/status?f=%s", mail_qs(req, f)));
    tmpl_put(v, "reload_url", page > 0 ? arena_printf(req->arena, "/mail/?%s&page=%lld", base, page)
                                       : arena_printf(req->arena, "/mail/?%s", base));
    tmpl_put_int(v, "exists", mb->exists);
    tmpl_put_int(v, "uidnext", mb->uidnext);
    tmpl_put_int(v, "uidvalidity", mb->uidvalidity);
    tmpl_put_bool(v, "idle", m->conn->caps.idle);
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    mail_put_refresh(req, v, m->s.rec.user,
                     session_csrf_token(&m->s, token, &err) == 0 ? arena_strdup(req->arena, token) : NULL);
}

/* The selection form (page_selection.c) and the result of the last
 * action (done=OP&n=N&gone=N, a fixed sentence per action). */
static void put_selection(struct request *req, struct mail *m, struct tmpl_vars *v, const char *f,
                          const struct imap_folder *folders, size_t n)
{
    static const struct { const char *op, *one, *many; } done[] = {
        {"read", "1 message marked read.", "messages marked read."},
        {"unread", "1 message marked unread.", "messages marked unread."},
        {"flag", "1 message flagged.", "messages flagged."},
        {"unflag", "1 message unflagged.", "messages unflagged."},
        {"destroyed", "1 message deleted for good.", "messages deleted for good."},
        {"empty", "1 message deleted for good; the folder is empty.",
         "messages deleted for good; the folder is empty."},
    };
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&m->s, token, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
    tmpl_put(v, "selection_url", arena_printf(req->arena, "/mail/selection?f=%s", mail_qs(req, f)));
    tmpl_put(v, "uidvalidity", arena_printf(req->arena, "%u", m->conn->mb.uidvalidity));
    for (size_t i = 0; i < n; i++)
        if (strcmp(folders[i].wire, f) == 0 && folders[i].depth == 0) {
            tmpl_put_bool(v, "is_trash", folders[i].special == IMAP_SU_TRASH);
            tmpl_put_bool(v, "is_junk", folders[i].special == IMAP_SU_JUNK);
            tmpl_put_bool(v, "can_empty", folders[i].special == IMAP_SU_TRASH ||
                                          folders[i].special == IMAP_SU_JUNK);
        }
    long long cnt = req->in[IN_COUNT].present ? req->in[IN_COUNT].v.num : 0;
    if (req->in[IN_DONE].present)
        for (size_t k = 0; k < sizeof(done) / sizeof(done[0]); k++)
            if (strcmp(done[k].op, req->in[IN_DONE].v.str) == 0)
                tmpl_put(v, "flash", cnt == 1 ? done[k].one
                                              : arena_printf(req->arena, "%lld %s", cnt, done[k].many));
    long long gone = req->in[IN_GONE].present ? req->in[IN_GONE].v.num : 0;
    if (gone > 0)
        tmpl_put(v, "gone_text", gone == 1 ? "This message is no longer here: it was moved or "
                                             "deleted from another device. The list is refreshed."
                                           : arena_printf(req->arena, "%lld of the messages you chose "
                                                          "are no longer here: they were moved or "
                                                          "deleted from another device. The list is "
                                                          "refreshed.", gone));
}

void page_mailbox(struct request *req)
{
    const struct config *cfg = &req->app->cfg;
    const char *f = req->in[IN_FOLDER].present ? req->in[IN_FOLDER].v.str : "INBOX";
    struct imap_list_req lr = { .count = (uint32_t)cfg->mailbox.page_size };
    int sort = word_index(imap_sort_names, IMAP_SORT__MAX, &req->in[IN_SORT], IMAP_SORT_ARRIVAL);
    int in = word_index(imap_search_in_names, IMAP_IN__MAX, &req->in[IN_IN], IMAP_IN_ALL);
    static const char *const orders[] = { "asc", "desc" };
    int order = word_index(orders, 2, &req->in[IN_ORDER], 1);
    if (sort < 0 || in < 0 || order < 0) {
        page_error(req, 400, "This link to the mailbox is not valid (sort, order or search field).");
        return;
    }
    lr.sort = (enum imap_sort)sort;
    lr.in = (enum imap_search_in)in;
    lr.reverse = order == 1;
    long long page = req->in[IN_PAGE].present ? req->in[IN_PAGE].v.num : 0;
    if (page > 1000000) {
        page_error(req, 400, "There is no such page.");
        return;
    }
    lr.offset = (uint32_t)(page * lr.count);
    lr.search = req->in[IN_QUERY].present ? req->in[IN_QUERY].v.str : NULL;

    struct mail m;
    int b = mail_begin(req, &m);
    if (b < 0)
        return;
    if (b > 0) {
        pop3_list(req, &m.s);
        mail_end(&m);
        return;
    }
    const char *err = NULL;
    struct imap_folder *folders = NULL;
    size_t nfolders = 0;
    enum imap_result r = mail_select(&m, f, true, &err);
    if (r == IMAP_OK)
        r = mail_note(&m, imap_folders(m.conn->u, &m.conn->caps, req->arena, &folders, &nfolders, &err));
    if (r == IMAP_OK)
        mail_folders_seen(&m, folders, nfolders);
    struct imap_summary *msgs = NULL;
    size_t n = 0;
    uint32_t total = 0;
    if (r == IMAP_OK)
        r = mail_note(&m, imap_list(m.conn->u, &m.conn->caps, req->arena, &m.conn->mb, &lr, &msgs, &n,
                                    &total, &err));
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        mail_end(&m);
        return;
    }
    struct tmpl_vars *v = page_vars(req);
    const char *label = folder_label(folders, nfolders, f);
    tmpl_put(v, "title", label);
    tmpl_put(v, "folder_label", label);
    tmpl_put(v, "folder", f);
    tmpl_put(v, "user", arena_strdup(req->arena, m.s.rec.user));
    tmpl_put_bool(v, "signed_in", 1);
    put_folders(req, v, folders, nfolders, f);
    put_sort_links(req, v, f, &lr);
    put_messages(req, v, f, msgs, n);
    tmpl_put_int(v, "total", total);
    tmpl_put_int(v, "first", n ? lr.offset + 1 : 0);
    tmpl_put_int(v, "last", lr.offset + n);
    tmpl_put_int(v, "unseen", m.conn->mb.unseen);
    tmpl_put(v, "q", lr.search ? lr.search : "");
    tmpl_put_bool(v, "searching", lr.search != NULL && lr.search[0] != '\0');
    tmpl_put(v, "clear_url", arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, f)));
    for (int k = 0; k < IMAP_IN__MAX; k++) {
        struct tmpl_vars *iv = tmpl_add_item(v, "ins");
        static const char *const in_labels[IMAP_IN__MAX] = { "everywhere", "sender", "subject", "text" };
        tmpl_put(iv, "value", imap_search_in_names[k]);
        tmpl_put(iv, "label", in_labels[k]);
        tmpl_put_bool(iv, "selected", k == (int)lr.in);
    }
    put_selection(req, &m, v, f, folders, nfolders);
    tmpl_put(v, "sort", imap_sort_names[lr.sort]);
    tmpl_put(v, "order", lr.reverse ? "desc" : "asc");
    const char *base = list_query(req, f, &lr);
    if (page > 0)
        tmpl_put(v, "prev_url", arena_printf(req->arena, "/mail/?%s&page=%lld", base, page - 1));
    if ((uint64_t)lr.offset + n < total)
        tmpl_put(v, "next_url", arena_printf(req->arena, "/mail/?%s&page=%lld", base, page + 1));
    put_refresh(req, v, &m, f, base, page);
    mail_end(&m);
    page_render(req, 200, "mailbox", v);
}

/* GET /mail: the mailbox lives at /mail/. */
void page_mail_root(struct request *req)
{
    page_redirect(req, "/mail/");
}
