/* page_pop3.c — the mailbox over POP3 (see pop3view.h).
 *
 * Every request: sign in to the maildrop (which locks it), LIST + UIDL,
 * the page's own TOP/RETR/DELE, QUIT. Messages are named by unique-id in
 * every link, so a message deleted by another program meanwhile is "no
 * longer here", never another message. Whole messages are split by our
 * own bounded MIME parser (mime.h) and shown by the same renderer as the
 * IMAP view.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "charset.h"
#include "crypto.h"
#include "log.h"
#include "mail.h"
#include "prefs.h"
#include "mime.h"
#include "mimeview.h"
#include "pop3.h"
#include "pop3view.h"
#include "routes.h"
#include "routing.h"
#include "sanitize.h"
#include "store.h"
#include "textbody.h"

#define QUIT_MS        2000
#define PREVIEW_LINES  2000          /* TOP n lines of a message too large to fetch */
#define RAW_TEXT_CAP   (64u * 1024)
#define CID_IMAGE_MAX  (2u << 20)
#define CID_TOTAL_MAX  (8u << 20)

struct pop {
    struct request *req;
    struct session s;
    struct up_pop3 *u;
    struct pop3_box box;
};

static const char *const single_folder_note =
    "Over POP3 there is one folder, Inbox: POP3 downloads messages to a single folder "
    "and cannot keep folders, or your Sent items, on the server. Messages stay on the "
    "server until you delete them here, so your mail program can still download them.";

/* Signs in to the maildrop and lists it. 0, or -1 with the error page. */
static int pop_open(struct pop *p)
{
    struct request *req = p->req;
    const struct config *cfg = &req->app->cfg;
    struct up_target t;
    if (routing_target(cfg, p->s.rec.user, PROTO_POP3, &t) == NULL) {
        page_error(req, 503, "No POP3 server is configured for your mailbox. Tell your administrator.");
        return -1;
    }
    char pw[SESSION_PASSWORD_MAX + 1];
    size_t pwlen = 0;
    const char *err = NULL;
    if (session_password(&p->s, pw, sizeof(pw), &pwlen, &err) < 0) {
        page_error(req, 500, "Your session cannot be read. Sign out and sign in again.");
        return -1;
    }
    struct up_cred cred = {p->s.rec.user, strlen(p->s.rec.user), pw, pwlen};
    struct up_report r;
    p->u = up_pop3_open(req->tls, &t, &cred, &r);
    crypto_wipe(pw, sizeof(pw));
    if (p->u == NULL) {
        int status = 502;
        const char *text = upstream_outcome(r.error, &status);
        if (r.error == UP_E_AUTH)
            text = "The mail server does not accept your password now (another program may be "
                   "using your mailbox, which POP3 locks). Try again in a moment.";
        page_error(req, status, text);
        return -1;
    }
    enum pop3_result pr = pop3_listing(p->u, req->arena, &p->box, &err);
    if (pr != POP3_OK) {
        log_info("msg=\"pop3 listing failed\" error=\"%s\"", err);
        up_pop3_abandon(p->u);
        p->u = NULL;
        page_error(req, 502, err);
        return -1;
    }
    return 0;
}

/* Ends the POP3 session with QUIT (releasing the lock); 0 if confirmed. */
static int pop_close(struct pop *p)
{
    int rc = p->u ? up_pop3_quit(p->u, QUIT_MS) : -1;
    p->u = NULL;
    return rc;
}

/* The session for a message page: a POP3 one, else a redirect. */
static int pop_session(struct pop *p, struct request *req)
{
    memset(p, 0, sizeof(*p));
    p->req = req;
    enum session_status st = request_session(req, &p->s);
    if (st != SESSION_OK) {
        page_redirect(req, "/login");
        return -1;
    }
    if (strcmp(p->s.rec.proto, "pop3") != 0) {
        session_clear(&p->s);
        page_redirect(req, "/mail/");
        return -1;
    }
    return 0;
}

static void pop_end(struct pop *p)
{
    if (p->u != NULL)
        pop_close(p);
    session_clear(&p->s);
}

/* --- headers already fetched, by session and unique-id ---------------------
 *
 * Paging back and forth should not fetch the same TOP n 0 again: each
 * worker keeps what it decoded for the list (subject, sender, date) for
 * HDR_SLOTS messages, keyed by the session's store id and the UIDL (a
 * unique-id names the same message for as long as it exists). A slot is
 * simply overwritten by the next key that hashes to it. */
#define HDR_SLOTS 4096
#define HDR_TEXT  200

struct hdr_slot {
    unsigned char sess[8];
    char uidl[POP3_UIDL_MAX + 1];
    char subject[HDR_TEXT], from[HDR_TEXT];
    time_t date;
    bool read;        /* opened in this session (for "remove after reading") */
};

static struct hdr_slot *hdr_cache;
static pthread_mutex_t hdr_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t hdr_hash(const unsigned char *sess, const char *uidl)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 8; i++)
        h = (h ^ sess[i]) * 1099511628211ULL;
    for (const char *c = uidl; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    return (size_t)(h % HDR_SLOTS);
}

/* 1 and the cached fields (arena copies) if known. */
static int hdr_get(struct request *req, const struct session *s, const char *uidl,
                   const char **subject, const char **from, time_t *date)
{
    int hit = 0;
    pthread_mutex_lock(&hdr_lock);
    if (hdr_cache != NULL) {
        struct hdr_slot *e = &hdr_cache[hdr_hash(s->id_hash, uidl)];
        if (memcmp(e->sess, s->id_hash, 8) == 0 && strcmp(e->uidl, uidl) == 0) {
            *subject = arena_strdup(req->arena, e->subject);
            *from = arena_strdup(req->arena, e->from);
            *date = e->date;
            hit = 1;
        }
    }
    pthread_mutex_unlock(&hdr_lock);
    return hit;
}

/* Marks uidl as read in this session; 1 if it was. (read < 0: only ask) */
static int hdr_read(const struct session *s, const char *uidl, int read)
{
    int was = 0;
    pthread_mutex_lock(&hdr_lock);
    if (hdr_cache == NULL && read > 0)
        hdr_cache = calloc(HDR_SLOTS, sizeof(*hdr_cache));
    if (hdr_cache != NULL) {
        struct hdr_slot *e = &hdr_cache[hdr_hash(s->id_hash, uidl)];
        bool same = memcmp(e->sess, s->id_hash, 8) == 0 && strcmp(e->uidl, uidl) == 0;
        was = same && e->read;
        if (read > 0 && !same) {   /* not listed yet on this worker: a bare slot */
            memset(e, 0, sizeof(*e));
            memcpy(e->sess, s->id_hash, 8);
            snprintf(e->uidl, sizeof(e->uidl), "%s", uidl);
        }
        if (read >= 0 && (same || read > 0))
            e->read = read > 0;
    }
    pthread_mutex_unlock(&hdr_lock);
    return was;
}

static void hdr_put(const struct session *s, const char *uidl, const char *subject,
                    const char *from, time_t date)
{
    pthread_mutex_lock(&hdr_lock);
    if (hdr_cache == NULL)
        hdr_cache = calloc(HDR_SLOTS, sizeof(*hdr_cache));
    if (hdr_cache != NULL) {
        struct hdr_slot *e = &hdr_cache[hdr_hash(s->id_hash, uidl)];
        memcpy(e->sess, s->id_hash, 8);
        snprintf(e->uidl, sizeof(e->uidl), "%s", uidl);
        snprintf(e->subject, sizeof(e->subject), "%s", subject);
        snprintf(e->from, sizeof(e->from), "%s", from);
        e->date = date;
        e->read = false;
    }
    pthread_mutex_unlock(&hdr_lock);
}

/* --- "remove from server after reading" (per user, off by default) ---- */

static bool pref_remove(struct request *req, const char *user)
{
    return pref_get(req, user, "pop3-remove") > 0;
}

static int pref_set_remove(struct request *req, const char *user, bool on)
{
    return pref_set(req, user, "pop3-remove", on ? 1 : 0);
}

/* With the preference on: DELE the messages this session has read
 * (remembered by this worker); committed by the QUIT that ends the page.
 * Returns how many were marked. */
static size_t remove_read(struct pop *p, const struct session *s)
{
    size_t n = 0;
    const char *err = NULL;
    for (size_t i = 0; i < p->box.n && p->u != NULL; i++) {
        if (!hdr_read(s, p->box.v[i].uidl, -1))
            continue;
        if (pop3_dele(p->u, p->req->arena, p->box.v[i].num, &err) != POP3_OK)
            break;
        n++;
    }
    return n;
}

/* --- the list ------------------------------------------------------------ */

void pop3_list(struct request *req, const struct session *s)
{
    struct pop p = { .req = req, .s = *s };
    const struct config *cfg = &req->app->cfg;
    long long page = req->in[IN_PAGE].present ? req->in[IN_PAGE].v.num : 0;
    size_t size = (size_t)cfg->mailbox.page_size;
    if (pop_open(&p) < 0) {
        crypto_wipe(&p.s, sizeof(p.s));
        return;
    }
    bool remove = pref_remove(req, s->rec.user);
    size_t removed = 0;
    if (remove && (removed = remove_read(&p, s)) > 0) {
        /* commit now, then list what is left */
        int committed = pop_close(&p);
        log_info("msg=\"pop3 removed after reading\" count=%zu committed=%s", removed,
                 committed == 0 ? "yes" : "no");
        if (committed != 0)
            removed = 0;
        if (pop_open(&p) < 0) {
            crypto_wipe(&p.s, sizeof(p.s));
            return;
        }
    }
    struct tmpl_vars *v = page_vars(req);
    size_t n = p.box.n, offset = (size_t)page * size, shown = 0;
    const char *err = NULL;
    /* newest first: the highest message numbers */
    for (size_t i = offset; i < n && shown < size; i++, shown++) {
        const struct pop3_msg *msg = &p.box.v[n - 1 - i];
        const char *subject, *from;
        time_t date;
        if (!hdr_get(req, s, msg->uidl, &subject, &from, &date)) {
            const char *hdr;
            size_t hlen;
            bool cut;
            enum pop3_result r = pop3_fetch(p.u, req->arena, msg->num, 0,
                                            (size_t)cfg->mailbox.max_header_bytes, &hdr, &hlen, &cut, &err);
            if (r != POP3_OK) {
                if (r != POP3_ERR)
                    up_pop3_abandon(p.u), p.u = NULL;
                pop_end(&p);
                page_error(req, 502, err);
                return;
            }
            subject = mime_header(req->arena, hdr, hlen, "Subject");
            from = mime_header(req->arena, hdr, hlen, "From");
            subject = subject ? mail_decode_header(req, subject) : "";
            from = from ? mail_decode_header(req, from) : "";
            date = imap_parse_date(mime_header(req->arena, hdr, hlen, "Date"));
            hdr_put(s, msg->uidl, subject, from, date);
        }
        struct tmpl_vars *mv = tmpl_add_item(v, "messages");
        tmpl_put(mv, "subject", subject[0] ? subject : "(no subject)");
        tmpl_put_bool(mv, "no_subject", subject[0] == '\0');
        tmpl_put(mv, "from", from[0] ? from : "(unknown sender)");
        mail_put_date(req, mv, date);
        tmpl_put(mv, "size", mail_size_text(req, msg->size));
        tmpl_put(mv, "uidl", msg->uidl);
        tmpl_put(mv, "url", arena_printf(req->arena, "/mail/message?m=%s", mail_qs(req, msg->uidl)));
    }
    pop_close(&p);
    tmpl_put(v, "title", "Inbox");
    tmpl_put(v, "user", arena_strdup(req->arena, s->rec.user));
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "note", single_folder_note);
    tmpl_put_bool(v, "remove_after_reading", remove);
    if (removed > 0)
        tmpl_put(v, "removed", arena_printf(req->arena, "%zu message%s you read %s removed from the "
                                            "server, as your setting asks.", removed,
                                            removed == 1 ? "" : "s", removed == 1 ? "was" : "were"));
    char token[CSRF_TOKEN_LEN + 1];
    const char *terr = NULL;
    bool have_token = session_csrf_token(s, token, &terr) == 0;
    if (have_token)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
    /* POP3 has no IDLE: the list reloads on the user's schedule */
    tmpl_put_bool(v, "pop3", 1);
    mail_put_refresh(req, v, s->rec.user, have_token ? arena_strdup(req->arena, token) : NULL);
    tmpl_put(v, "reload_url", page > 0 ? arena_printf(req->arena, "/mail/?page=%lld", page) : "/mail/");
    tmpl_put_int(v, "total", (long long)n);
    tmpl_put_int(v, "first", shown ? (long long)offset + 1 : 0);
    tmpl_put_int(v, "last", (long long)(offset + shown));
    if (page > 0)
        tmpl_put(v, "prev_url", arena_printf(req->arena, "/mail/?page=%lld", page - 1));
    if (offset + shown < n)
        tmpl_put(v, "next_url", arena_printf(req->arena, "/mail/?page=%lld", page + 1));
    crypto_wipe(&p.s, sizeof(p.s));
    page_render(req, 200, "pop3list", v);
}

/* --- one message ---------------------------------------------------------- */

/* Fetches the message named by m= (RETR, or TOP for a very large one)
 * and splits it. 0, or -1 with the page filled. */
static int pop_message(struct pop *p, const char **raw, size_t *rawlen, bool *cut,
                       struct bs_part **root, const char **hdr, size_t *hlen, int *too_complex)
{
    struct request *req = p->req;
    const struct mailbox_conf *mc = &req->app->cfg.mailbox;
    if (pop_open(p) < 0)
        return -1;
    const struct pop3_msg *msg = pop3_find(&p->box, req->in[IN_MSG].v.str);
    if (msg == NULL) {
        page_error(req, 404, "This message is no longer on the server. It may have been deleted "
                             "by another mail program.");
        return -1;
    }
    const char *err = NULL;
    bool large = msg->size > (uint64_t)mc->max_part_bytes;
    enum pop3_result r = pop3_fetch(p->u, req->arena, msg->num, large ? PREVIEW_LINES : -1,
                                    (size_t)mc->max_part_bytes, raw, rawlen, cut, &err);
    if (r != POP3_OK) {
        page_error(req, 502, err);
        return -1;
    }
    *cut = *cut || large;
    pop_close(p);   /* the lock is released before the rendering */
    *root = mime_parse(req->arena, *raw, *rawlen, mc->max_mime_depth, (size_t)mc->max_mime_parts,
                       hdr, hlen, too_complex);
    return 0;
}

static const char *msg_query(struct request *req)
{
    return arena_printf(req->arena, "m=%s", mail_qs(req, req->in[IN_MSG].v.str));
}

static void put_text(struct request *req, struct tmpl_vars *v, const struct bs_part *part,
                     bool cut)
{
    struct buf utf8, html;
    buf_init(&utf8);
    buf_init(&html);
    mv_text_utf8(part, part->body ? part->body : "", part->body_len, 4u << 20, &utf8);
    mv_plain_html(part, utf8.data ? utf8.data : "", utf8.len, 8u << 20, &html);
    struct tmpl_vars *bv = tmpl_add_item(v, "bodies");
    tmpl_put_trusted_html(bv, "text_html", arena_strdup(req->arena, buf_cstr(&html)));
    tmpl_put_bool(bv, "truncated", cut);
    buf_free(&utf8);
    buf_free(&html);
}

void pop3_message(struct request *req)
{
    struct pop p;
    if (pop_session(&p, req) < 0)
        return;
    const char *raw, *hdr;
    size_t rawlen, hlen;
    bool cut;
    struct bs_part *root;
    int complex;
    if (pop_message(&p, &raw, &rawlen, &cut, &root, &hdr, &hlen, &complex) < 0) {
        pop_end(&p);
        return;
    }
    if (pref_remove(req, p.s.rec.user))   /* read while the setting is on */
        hdr_read(&p.s, req->in[IN_MSG].v.str, 1);
    const char *embedded = req->in[IN_PART].present ? req->in[IN_PART].v.str : NULL;
    if (embedded != NULL && root != NULL) {
        const struct bs_part *e = bs_find(root, embedded);
        if (e == NULL || e->nparts != 1 || e->header == NULL) {
            pop_end(&p);
            page_error(req, 404, "There is no such forwarded message in this message.");
            return;
        }
        hdr = e->header;
        hlen = e->header_len;
        root = &e->parts[0];
    }
    struct tmpl_vars *v = page_vars(req);
    mail_put_headers(req, v, hdr, hlen, 0);
    struct mv_plan plan;
    mv_plan(root, &plan);
    bool remote = req->in[IN_REMOTE].present && req->in[IN_REMOTE].v.num;
    if (root == NULL) {
        struct bs_part whole = { .type = "text", .subtype = "plain", .encoding = "7bit",
                                 .body = raw, .body_len = rawlen < RAW_TEXT_CAP ? rawlen : RAW_TEXT_CAP };
        put_text(req, v, &whole, true);
        tmpl_put(v, "too_complex", "This message is made of more parts, or parts nested deeper, "
                                   "than this site takes apart. Below is the message as it was sent, "
                                   "cut; download it to see all of it in a mail program.");
    }
    for (size_t i = 0; i < plan.nbody; i++) {
        const struct bs_part *part = plan.body[i].part;
        if (plan.body[i].kind == MV_HTML) {
            struct tmpl_vars *bv = tmpl_add_item(v, "bodies");
            tmpl_put_bool(bv, "html", 1);
            tmpl_put(bv, "frame_url", arena_printf(req->arena, "/mail/body?%s&part=%s%s", msg_query(req),
                                                    part->section, remote ? "&remote=1" : ""));
        } else {
            put_text(req, v, part, cut);
        }
    }
    mail_put_attachments(req, v, &plan, msg_query(req));
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&p.s, token, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
    tmpl_put_bool(v, "pop3", 1);
    tmpl_put(v, "delete_url", arena_printf(req->arena, "/mail/delete?%s", msg_query(req)));
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "title", "Message");
    tmpl_put(v, "back_url", embedded ? arena_printf(req->arena, "/mail/message?%s", msg_query(req)) : "/mail/");
    tmpl_put(v, "back_label", embedded ? "Back to the message it came in" : "Back to Inbox");
    tmpl_put(v, "raw_url", arena_printf(req->arena, "/mail/raw?%s", msg_query(req)));
    tmpl_put_bool(v, "remote", remote);
    tmpl_put(v, "remote_url", arena_printf(req->arena, "/mail/message?%s%s%s&remote=1", msg_query(req),
                                           embedded ? "&part=" : "", embedded ? embedded : ""));
    tmpl_put_bool(v, "has_html", plan.nbody > 0 && plan.body[0].kind == MV_HTML);
    tmpl_put_bool(v, "no_body", plan.nbody == 0 && root != NULL);
    pop_end(&p);
    page_render(req, 200, "message", v);
}

struct cid_ctx {
    struct request *req;
    const struct bs_part *root;
    size_t total;
};

/* A cid: picture inlined as a data: URL (see page_message.c). */
static const char *cid_url(void *ctx, const char *cid, size_t len)
{
    struct cid_ctx *c = ctx;
    const struct bs_part *p = mv_find_cid(c->root, cid, len);
    if (p == NULL || p->body == NULL || !mv_inline_safe(p) || c->total >= CID_TOTAL_MAX)
        return NULL;
    size_t size = 0;
    const char *url = mv_data_url(c->req->arena, p, p->body, p->body_len, CID_IMAGE_MAX, &size);
    c->total += size;
    return url;
}

/* The part named by part= of the message named by m=; NULL with the page
 * filled. */
static const struct bs_part *pop_part(struct pop *p, struct bs_part **root_r)
{
    const char *raw, *hdr;
    size_t rawlen, hlen;
    bool cut;
    int complex;
    struct bs_part *root;
    if (!p->req->in[IN_PART].present) {
        page_error(p->req, 400, "This link to a message part is not complete.");
        return NULL;
    }
    if (pop_message(p, &raw, &rawlen, &cut, &root, &hdr, &hlen, &complex) < 0)
        return NULL;
    const struct bs_part *part = root ? bs_find(root, p->req->in[IN_PART].v.str) : NULL;
    if (part == NULL || part->body == NULL) {
        page_error(p->req, 404, "There is no such part in this message.");
        return NULL;
    }
    *root_r = root;
    return part;
}

void pop3_body(struct request *req)
{
    struct pop p;
    if (pop_session(&p, req) < 0)
        return;
    struct bs_part *root = NULL;
    const struct bs_part *part = pop_part(&p, &root);
    if (part == NULL || strcmp(part->type, "text") != 0) {
        if (part != NULL)
            page_error(req, 404, "There is no such text in this message.");
        pop_end(&p);
        return;
    }
    struct buf utf8;
    buf_init(&utf8);
    mv_text_utf8(part, part->body, part->body_len, 4u << 20, &utf8);
    bool remote = req->in[IN_REMOTE].present && req->in[IN_REMOTE].v.num;
    struct cid_ctx cc = { req, root, 0 };
    struct sanitize_opts o = { .allow_remote = remote, .cid_url = cid_url, .cid_ctx = &cc,
                               .max_out = CID_TOTAL_MAX * 2 };
    struct sanitize_report rep;
    const char *serr = NULL;
    buf_clear(&req->body);
    if (sanitize_html(utf8.data ? utf8.data : "", utf8.len, &o, &req->body, &rep, &serr) < 0) {
        buf_clear(&req->body);
        buf_puts(&req->body, "<!DOCTYPE html><meta charset=\"utf-8\"><p>This message is too complex to "
                             "show safely. Download it from the message page.</p>");
    }
    buf_free(&utf8);
    pop_end(&p);
    req->status = 200;
    req->security_headers = mail_frame_headers(remote);
}

void pop3_part(struct request *req)
{
    struct pop p;
    if (pop_session(&p, req) < 0)
        return;
    struct bs_part *root = NULL;
    const struct bs_part *part = pop_part(&p, &root);
    if (part == NULL) {
        pop_end(&p);
        return;
    }
    buf_clear(&req->body);
    mv_transfer_decode(part->encoding, part->body, part->body_len,
                       (size_t)req->app->cfg.mailbox.max_part_bytes, &req->body);
    struct buf name;
    buf_init(&name);
    mv_filename(part, &name);
    bool show = req->in[IN_INLINE].present && req->in[IN_INLINE].v.num && mv_inline_safe(part);
    req->content_type = show ? arena_printf(req->arena, "image/%s", part->subtype) : "application/octet-stream";
    response_header(req, "Content-Disposition", mail_disposition(req, show, buf_cstr(&name)));
    req->cache_control = "private, max-age=3600";
    buf_free(&name);
    pop_end(&p);
    req->status = 200;
}

void pop3_raw(struct request *req)
{
    struct pop p;
    if (pop_session(&p, req) < 0)
        return;
    const char *raw, *hdr;
    size_t rawlen, hlen;
    bool cut;
    int complex;
    struct bs_part *root;
    if (pop_message(&p, &raw, &rawlen, &cut, &root, &hdr, &hlen, &complex) < 0) {
        pop_end(&p);
        return;
    }
    if (cut) {
        pop_end(&p);
        page_error(req, 413, "This message is larger than this site lets you download.");
        return;
    }
    buf_clear(&req->body);
    buf_append(&req->body, raw, rawlen);
    req->content_type = "application/octet-stream";
    response_header(req, "Content-Disposition", "attachment; filename=\"message.eml\"");
    pop_end(&p);
    req->status = 200;
}

/* --- deleting (POST /mail/delete) ---------------------------------------- */

void page_pop3_delete(struct request *req)
{
    struct pop p;
    if (pop_session(&p, req) < 0)
        return;
    if (request_check_post(req, &p.s) < 0) {
        pop_end(&p);
        return;
    }
    if (!req->in[IN_MSG].present) {
        pop_end(&p);
        page_error(req, 400, "Which message? This form is not complete.");
        return;
    }
    struct tmpl_vars *v = page_vars(req);
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "delete_url", arena_printf(req->arena, "/mail/delete?%s", msg_query(req)));
    tmpl_put(v, "message_url", arena_printf(req->arena, "/mail/message?%s", msg_query(req)));
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&p.s, token, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, token));
    if (!(req->in[IN_CONFIRM].present && req->in[IN_CONFIRM].v.num)) {
        tmpl_put(v, "title", "Delete from the server?");
        tmpl_put_bool(v, "ask", 1);
        pop_end(&p);
        page_render(req, 200, "pop3delete", v);
        return;
    }
    if (pop_open(&p) < 0) {
        pop_end(&p);
        return;
    }
    const struct pop3_msg *msg = pop3_find(&p.box, req->in[IN_MSG].v.str);
    if (msg == NULL) {
        pop_end(&p);
        page_error(req, 404, "This message is no longer on the server: nothing was deleted.");
        return;
    }
    if (pop3_dele(p.u, req->arena, msg->num, &err) != POP3_OK) {
        up_pop3_abandon(p.u);   /* no QUIT: nothing is committed */
        p.u = NULL;
        pop_end(&p);
        page_error(req, 502, arena_printf(req->arena, "Nothing was deleted: %s", err));
        return;
    }
    int committed = pop_close(&p);
    log_info("msg=\"pop3 delete\" committed=%s", committed == 0 ? "yes" : "no");
    pop_end(&p);
    if (committed != 0) {
        page_error(req, 502, "Nothing was deleted: the mail server did not confirm the end of the "
                             "session, and POP3 deletes only then. Try again.");
        return;
    }
    tmpl_put(v, "title", "Deleted");
    tmpl_put_bool(v, "done", 1);
    page_render(req, 200, "pop3delete", v);
}

/* POST /mail/pop3-settings: "remove from server after reading". */
void page_pop3_settings(struct request *req)
{
    struct pop p;
    if (pop_session(&p, req) < 0)
        return;
    if (request_check_post(req, &p.s) < 0) {
        pop_end(&p);
        return;
    }
    bool on = req->in[IN_REMOVE].present && req->in[IN_REMOVE].v.num;
    int rc = pref_set_remove(req, p.s.rec.user, on);
    pop_end(&p);
    if (rc < 0) {
        page_error(req, 503, "Your setting could not be saved right now. Try again in a moment.");
        return;
    }
    page_redirect(req, "/mail/");
}
