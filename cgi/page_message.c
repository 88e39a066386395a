/* page_message.c — reading one message (GET /mail/message), its HTML
 * body as a framed document (GET /mail/body), one part (GET /mail/part)
 * and its source (GET /mail/raw).
 *
 * Only what is shown is fetched: the header fields and BODYSTRUCTURE,
 * then each body part. Plain text is escaped and linked; HTML goes
 * through the sanitizer and is served from /mail/body inside an
 * <iframe sandbox> with its own CSP (no scripts, no same-origin, remote
 * content blocked unless the reader asks). Attachments are downloaded
 * as attachments with nosniff; only raster images are ever shown inline.
 * Opening a message marks it read.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mail.h"
#include "pop3view.h"
#include "mime.h"
#include "mimeview.h"
#include "rfc2047.h"
#include "routes.h"
#include "charset.h"
#include "sanitize.h"
#include "textbody.h"

#define BODY_TEXT_CAP (4u << 20)   /* UTF-8 bytes of one body part shown */


static const char *message_url(struct request *req, const char *page, const char *f, uint32_t uid)
{
    return arena_printf(req->arena, "/mail/%s?f=%s&uid=%u", page, mail_qs(req, f), uid);
}

/* mail_begin for a page that exists only for IMAP sessions. */
static int mail_begin_imap(struct request *req, struct mail *m)
{
    int b = mail_begin(req, m);
    if (b > 0) {
        mail_end(m);
        page_redirect(req, "/mail/");
        return -1;
    }
    return b;
}

/* Validated f and uid of a message request; 400 page and -1 if missing. */
static int message_inputs(struct request *req, const char **f, uint32_t *uid)
{
    if (!req->in[IN_FOLDER].present || !req->in[IN_UID].present || req->in[IN_UID].v.num <= 0) {
        page_error(req, 400, "This link to a message is not complete (folder or message number missing).");
        return -1;
    }
    *f = req->in[IN_FOLDER].v.str;
    *uid = (uint32_t)req->in[IN_UID].v.num;
    return 0;
}

/* Opens the folder and reads the message's headers and structure. */
static enum imap_result open_message(struct mail *m, const char *f, uint32_t uid,
                                     struct imap_message *msg, const char **err)
{
    const struct mailbox_conf *mc = &m->req->app->cfg.mailbox;
    struct imap_limits lim = { mc->max_mime_depth, (size_t)mc->max_mime_parts,
                               (size_t)mc->max_header_bytes };
    enum imap_result r = mail_select(m, f, false, err);
    if (r == IMAP_OK)
        r = mail_note(m, imap_message(m->conn->u, m->req->arena, uid, &lim, msg, err));
    return r;
}

#define RAW_TEXT_CAP (64u * 1024)

/* A message too complex to take apart: its body as sent, cut, as text. */
static enum imap_result put_raw_text(struct mail *m, struct tmpl_vars *v, uint32_t uid,
                                     const char **err)
{
    const char *data;
    size_t len;
    bool cut;
    enum imap_result r = mail_note(m, imap_part(m->conn->u, m->req->arena, uid, "TEXT", RAW_TEXT_CAP,
                                                true, &data, &len, &cut, err));
    if (r != IMAP_OK)
        return r;
    struct buf utf8, html;
    buf_init(&utf8);
    buf_init(&html);
    charset_sanitize_utf8(data, len, RAW_TEXT_CAP, &utf8);
    textbody_to_html(utf8.data ? utf8.data : "", utf8.len, 0, RAW_TEXT_CAP * 8, &html);
    struct tmpl_vars *bv = tmpl_add_item(v, "bodies");
    tmpl_put_trusted_html(bv, "text_html", arena_strdup(m->req->arena, buf_cstr(&html)));
    tmpl_put_bool(bv, "truncated", cut);
    const struct mailbox_conf *mc = &m->req->app->cfg.mailbox;
    tmpl_put(v, "too_complex", arena_printf(m->req->arena,
             "This message is made of more parts, or parts nested deeper, than this site takes apart "
             "(at most %d parts, %d levels). Below is its text as it was sent%s; download the "
             "message to see all of it in a mail program.", mc->max_mime_parts, mc->max_mime_depth,
             cut ? ", cut after 64 KB" : ""));
    buf_free(&utf8);
    buf_free(&html);
    return IMAP_OK;
}

void mail_put_headers(struct request *req, struct tmpl_vars *v, const char *header, size_t len,
                      time_t date)
{
    static const struct { const char *name, *key; } fields[] = {
        {"From", "from"}, {"Reply-To", "reply_to"}, {"To", "to"}, {"Cc", "cc"},
    };
    const char *subject = mime_header(req->arena, header, len, "Subject");
    subject = subject ? mail_decode_header(req, subject) : "";
    tmpl_put(v, "subject", subject[0] ? subject : "(no subject)");
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *raw = mime_header(req->arena, header, len, fields[i].name);
        if (raw != NULL)
            tmpl_put(v, fields[i].key, mail_decode_header(req, raw));
    }
    mail_put_date(req, v, date ? date : imap_parse_date(mime_header(req->arena, header, len, "Date")));
}

#define CID_IMAGE_MAX (2u << 20)    /* bytes of one inlined picture */
#define CID_TOTAL_MAX (8u << 20)    /* bytes of all of one message's */

struct cid_ctx {
    struct mail *m;
    const struct bs_part *root;
    uint32_t uid;
    size_t total;
};

/* A cid: picture, inlined as a data: URL: the framed document has an
 * opaque origin (no allow-same-origin), so the browser would send it no
 * cookie for a /mail/part URL. */
static const char *cid_url(void *ctx, const char *cid, size_t len)
{
    struct cid_ctx *c = ctx;
    struct request *req = c->m->req;
    const struct bs_part *p = mv_find_cid(c->root, cid, len);
    if (p == NULL || !mv_inline_safe(p) || c->total >= CID_TOTAL_MAX)
        return NULL;
    const char *data, *err = NULL;
    size_t n;
    bool cut;
    if (mail_note(c->m, imap_part(c->m->conn->u, req->arena, c->uid, p->section, CID_IMAGE_MAX, true,
                                  &data, &n, &cut, &err)) != IMAP_OK || cut)
        return NULL;
    size_t size = 0;
    const char *url = mv_data_url(req->arena, p, data, n, CID_IMAGE_MAX, &size);
    c->total += size;
    return url;
}

/* Fetches a text part and decodes it to UTF-8. */
static enum imap_result fetch_text(struct mail *m, uint32_t uid, const struct bs_part *p,
                                   struct buf *utf8, bool *truncated, const char **err)
{
    const char *data;
    size_t len;
    size_t max = (size_t)m->req->app->cfg.mailbox.max_part_bytes;
    enum imap_result r = mail_note(m, imap_part(m->conn->u, m->req->arena, uid, p->section, max,
                                                true, &data, &len, truncated, err));
    if (r == IMAP_OK)
        mv_text_utf8(p, data, len, BODY_TEXT_CAP, utf8);
    return r;
}

void mail_put_attachments(struct request *req, struct tmpl_vars *v, const struct mv_plan *plan,
                          const char *query)
{
    for (size_t i = 0; i < plan->nattach; i++) {
        const struct bs_part *p = plan->attach[i];
        struct buf name, type;
        buf_init(&name);
        buf_init(&type);
        mv_filename(p, &name);
        mv_type(p, &type);
        struct tmpl_vars *av = tmpl_add_item(v, "attachments");
        tmpl_put(av, "name", arena_strdup(req->arena, buf_cstr(&name)));
        tmpl_put(av, "type", arena_strdup(req->arena, buf_cstr(&type)));
        /* base64 is 4/3 of the bytes */
        uint64_t size = p->encoding && strcmp(p->encoding, "base64") == 0 ? p->size / 4 * 3 : p->size;
        tmpl_put(av, "size", mail_size_text(req, size));
        tmpl_put(av, "url", arena_printf(req->arena, "/mail/part?%s&part=%s", query, p->section));
        if (strcmp(p->type, "message") == 0 && p->nparts == 1)
            tmpl_put(av, "read_url", arena_printf(req->arena, "/mail/message?%s&part=%s", query, p->section));
        buf_free(&name);
        buf_free(&type);
    }
    tmpl_put_bool(v, "more_attachments", plan->more_attachments);
}

/* The body parts of the plan into the page: text rendered here, HTML as
 * frames. */
static enum imap_result put_bodies(struct mail *m, struct tmpl_vars *v, const struct mv_plan *plan,
                                   const char *f, uint32_t uid, bool remote, const char **err)
{
    struct request *req = m->req;
    enum imap_result r = IMAP_OK;
    for (size_t i = 0; i < plan->nbody && r == IMAP_OK; i++) {
        const struct bs_part *p = plan->body[i].part;
        struct tmpl_vars *bv = tmpl_add_item(v, "bodies");
        if (plan->body[i].kind == MV_HTML) {
            tmpl_put_bool(bv, "html", 1);
            tmpl_put(bv, "frame_url", arena_printf(req->arena, "%s&part=%s%s",
                                                    message_url(req, "body", f, uid), p->section,
                                                    remote ? "&remote=1" : ""));
            continue;
        }
        struct buf utf8, html;
        bool cut = false;
        buf_init(&utf8);
        buf_init(&html);
        r = fetch_text(m, uid, p, &utf8, &cut, err);
        mv_plain_html(p, utf8.data ? utf8.data : "", utf8.len, BODY_TEXT_CAP * 2, &html);
        tmpl_put_trusted_html(bv, "text_html", arena_strdup(req->arena, buf_cstr(&html)));
        tmpl_put_bool(bv, "truncated", cut);
        buf_free(&utf8);
        buf_free(&html);
    }
    return r;
}

/* A message/rfc822 part read as a message: its header from the server
 * (BODY[n.HEADER]) and its own body tree. */
static enum imap_result open_embedded(struct mail *m, uint32_t uid, const char *section,
                                      struct imap_message *msg, const char **err)
{
    const struct bs_part *p = bs_find(msg->body, section);
    if (p == NULL || strcmp(p->type, "message") != 0 || p->nparts != 1) {
        *err = "no such message part";
        return IMAP_GONE;
    }
    const char *hdr;
    size_t len;
    bool cut;
    enum imap_result r = mail_note(m, imap_part(m->conn->u, m->req->arena, uid,
                                                arena_printf(m->req->arena, "%s.HEADER", section),
                                                64 * 1024, true, &hdr, &len, &cut, err));
    if (r != IMAP_OK)
        return r;
    msg->header = hdr;
    msg->header_len = len;
    msg->date = imap_parse_date(p->env ? p->env->date : NULL);
    msg->body = (struct bs_part *)&p->parts[0];
    return IMAP_OK;
}

/* The action bar of an IMAP message: read/unread, flag, move (to any
 * other folder), junk, delete; every one a POST with the token. */
static void put_actions(struct request *req, struct mail *m, struct tmpl_vars *v, const char *f,
                        uint32_t uid, bool seen, bool flagged)
{
    char token[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&m->s, token, &err) < 0)
        return;
    tmpl_put_bool(v, "imap_actions", 1);
    tmpl_put(v, "csrf", arena_strdup(req->arena, token));
    tmpl_put(v, "action_url", arena_printf(req->arena, "/mail/action?f=%s&uid=%u", mail_qs(req, f), uid));
    tmpl_put(v, "uv", arena_printf(req->arena, "%u", m->conn->mb.uidvalidity));
    tmpl_put_bool(v, "seen", seen);
    tmpl_put_bool(v, "flagged", flagged);
    struct imap_folder *fo = NULL;
    size_t n = 0;
    if (mail_folder_names(m, &fo, &n, &err) != IMAP_OK)
        return;
    /* writing mail: reply, forward; a draft opens in the editor */
    tmpl_put(v, "compose_query", arena_printf(req->arena, "f=%s&uid=%u", mail_qs(req, f), uid));
    for (size_t i = 0; i < n; i++) {
        if (fo[i].special == IMAP_SU_DRAFTS && fo[i].depth == 0 && strcmp(fo[i].wire, f) == 0)
            tmpl_put(v, "draft_url", arena_printf(req->arena, "/mail/compose?draft=%u", uid));
        if (fo[i].noselect || strcmp(fo[i].wire, f) == 0)
            continue;
        struct tmpl_vars *tv = tmpl_add_item(v, "targets");
        tmpl_put(tv, "wire", fo[i].wire);
        tmpl_put(tv, "name", fo[i].name);
    }
}

void page_message(struct request *req)
{
    if (req->in[IN_MSG].present) {   /* a POP3 message (by unique-id) */
        pop3_message(req);
        return;
    }
    const char *f, *err = NULL;
    uint32_t uid;
    if (message_inputs(req, &f, &uid) < 0)
        return;
    bool remote = req->in[IN_REMOTE].present && req->in[IN_REMOTE].v.num;
    const char *embedded = req->in[IN_PART].present ? req->in[IN_PART].v.str : NULL;
    struct mail m;
    if (mail_begin_imap(req, &m) < 0)
        return;
    struct imap_message msg;
    enum imap_result r = open_message(&m, f, uid, &msg, &err);
    bool seen = r == IMAP_OK && msg.seen;
    if (r == IMAP_OK && embedded != NULL && !msg.too_complex)
        r = open_embedded(&m, uid, embedded, &msg, &err);
    struct tmpl_vars *v = page_vars(req);
    struct mv_plan plan;
    if (r == IMAP_OK) {
        mv_plan(msg.body, &plan);
        mail_put_headers(req, v, msg.header, msg.header_len, msg.date);
        r = msg.too_complex ? put_raw_text(&m, v, uid, &err) : put_bodies(&m, v, &plan, f, uid, remote, &err);
        if (r == IMAP_OK && !seen)   /* opened: read, as mail programs do */
            r = mail_note(&m, imap_flag(m.conn->u, req->arena, uid, "\\Seen", true, &err));
    }
    if (r == IMAP_GONE && m.conn != NULL && m.conn->selected != NULL && strcmp(m.conn->selected, f) == 0) {
        /* the folder is there, the message is not: moved or expunged by
         * another client since the list was drawn; back to the refreshed
         * list, which says so */
        mail_end(&m);
        page_redirect(req, arena_printf(req->arena, "/mail/?f=%s&gone=1", mail_qs(req, f)));
        return;
    }
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        mail_end(&m);
        return;
    }
    mail_put_attachments(req, v, &plan, arena_printf(req->arena, "f=%s&uid=%u", mail_qs(req, f), uid));
    if (embedded == NULL)
        put_actions(req, &m, v, f, uid, true, msg.flagged);   /* opening marked it read */
    tmpl_put_bool(v, "signed_in", 1);
    tmpl_put(v, "title", "Message");
    if (embedded != NULL) {
        tmpl_put(v, "back_url", message_url(req, "message", f, uid));
        tmpl_put(v, "back_label", "Back to the message it came in");
        tmpl_put(v, "raw_url", arena_printf(req->arena, "%s&part=%s", message_url(req, "part", f, uid),
                                            embedded));
    } else {
        tmpl_put(v, "back_url", arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, f)));
        tmpl_put(v, "back_label", "Back to the folder");
        tmpl_put(v, "raw_url", message_url(req, "raw", f, uid));
    }
    tmpl_put_bool(v, "remote", remote);
    tmpl_put(v, "remote_url", arena_printf(req->arena, "%s%s%s&remote=1", message_url(req, "message", f, uid),
                                           embedded ? "&part=" : "", embedded ? embedded : ""));
    tmpl_put_bool(v, "has_html", plan.nbody > 0 && plan.body[0].kind == MV_HTML);
    tmpl_put_bool(v, "no_body", plan.nbody == 0 && !msg.too_complex);
    tmpl_put_bool(v, "flagged", msg.flagged);
    mail_end(&m);
    page_render(req, 200, "message", v);
}

const char *mail_frame_headers(bool remote)
{
    return remote
        ? "Content-Security-Policy: default-src 'none'; img-src data: https: http:; "
          "style-src 'unsafe-inline'; sandbox allow-popups allow-popups-to-escape-sandbox; "
          "frame-ancestors 'self'; base-uri 'none'; form-action 'none'\r\n"
          "X-Content-Type-Options: nosniff\r\nX-Frame-Options: SAMEORIGIN\r\n"
          "Referrer-Policy: no-referrer\r\n"
        : "Content-Security-Policy: default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
          "sandbox allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'; "
          "base-uri 'none'; form-action 'none'\r\n"
          "X-Content-Type-Options: nosniff\r\nX-Frame-Options: SAMEORIGIN\r\n"
          "Referrer-Policy: no-referrer\r\n";
}

/* The framed HTML document: sanitized, with its own CSP. */
void page_message_body(struct request *req)
{
    if (req->in[IN_MSG].present) {   /* a POP3 message (by unique-id) */
        pop3_body(req);
        return;
    }
    const char *f, *err = NULL;
    uint32_t uid;
    if (message_inputs(req, &f, &uid) < 0)
        return;
    const char *section = req->in[IN_PART].present ? req->in[IN_PART].v.str : "1";
    bool remote = req->in[IN_REMOTE].present && req->in[IN_REMOTE].v.num;
    struct mail m;
    if (mail_begin_imap(req, &m) < 0)
        return;
    struct imap_message msg;
    enum imap_result r = open_message(&m, f, uid, &msg, &err);
    const struct bs_part *p = r == IMAP_OK ? bs_find(msg.body, section) : NULL;
    if (r == IMAP_OK && (p == NULL || strcmp(p->type, "text") != 0)) {
        r = IMAP_GONE;
        err = "no such part";
    }
    struct buf utf8;
    buf_init(&utf8);
    bool cut = false;
    if (r == IMAP_OK)
        r = fetch_text(&m, uid, p, &utf8, &cut, &err);
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        mail_end(&m);
        buf_free(&utf8);
        return;
    }
    struct cid_ctx cc = { &m, msg.body, uid, 0 };
    struct sanitize_opts o = { .allow_remote = remote, .cid_url = cid_url, .cid_ctx = &cc,
                               .max_out = CID_TOTAL_MAX * 2 };
    struct sanitize_report rep;
    const char *serr = NULL;
    buf_clear(&req->body);
    if (sanitize_html(utf8.data ? utf8.data : "", utf8.len, &o, &req->body, &rep, &serr) < 0) {
        buf_clear(&req->body);
        buf_printf(&req->body, "<!DOCTYPE html><meta charset=\"utf-8\"><p>This message is too "
                               "complex to show safely. Download it from the message page.</p>");
        log_info("msg=\"html not shown\" reason=\"%s\"", serr ? serr : "?");
    }
    buf_free(&utf8);
    mail_end(&m);
    req->status = 200;
    req->security_headers = mail_frame_headers(remote);
    if (rep.remote_blocked > 0)
        response_header(req, "X-Postern-Remote-Blocked", arena_printf(req->arena, "%u", rep.remote_blocked));
}

const char *mail_disposition(struct request *req, bool inline_, const char *name)
{
    struct buf ascii;
    buf_init(&ascii);
    for (const char *c = name; *c; c++)
        buf_putc(&ascii, (*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\') ? *c : '_');
    const char *out = arena_printf(req->arena, "%s; filename=\"%s\"; filename*=UTF-8''%s",
                                   inline_ ? "inline" : "attachment", buf_cstr(&ascii),
                                   mail_qs(req, name));
    buf_free(&ascii);
    return out;
}

void page_message_part(struct request *req)
{
    if (req->in[IN_MSG].present) {   /* a POP3 message (by unique-id) */
        pop3_part(req);
        return;
    }
    const char *f, *err = NULL;
    uint32_t uid;
    if (message_inputs(req, &f, &uid) < 0)
        return;
    if (!req->in[IN_PART].present) {
        page_error(req, 400, "This link to an attachment is not complete.");
        return;
    }
    bool want_inline = req->in[IN_INLINE].present && req->in[IN_INLINE].v.num;
    struct mail m;
    if (mail_begin_imap(req, &m) < 0)
        return;
    struct imap_message msg;
    enum imap_result r = open_message(&m, f, uid, &msg, &err);
    const struct bs_part *p = r == IMAP_OK ? bs_find(msg.body, req->in[IN_PART].v.str) : NULL;
    if (r == IMAP_OK && p == NULL) {
        r = IMAP_GONE;
        err = "no such part";
    }
    const char *data = NULL;
    size_t len = 0;
    bool cut = false;
    size_t max = (size_t)req->app->cfg.mailbox.max_part_bytes;
    if (r == IMAP_OK)
        r = mail_note(&m, imap_part(m.conn->u, req->arena, uid, p->section, max, true, &data, &len,
                                    &cut, &err));
    if (r == IMAP_OK && cut) {
        mail_end(&m);
        page_error(req, 413, "This attachment is larger than this site lets you download. "
                             "Use a mail program to save it.");
        return;
    }
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        mail_end(&m);
        return;
    }
    buf_clear(&req->body);
    mv_transfer_decode(p->encoding, data, len, max, &req->body);
    struct buf name;
    buf_init(&name);
    mv_filename(p, &name);
    bool show = want_inline && mv_inline_safe(p);
    req->content_type = show ? arena_printf(req->arena, "image/%s", p->subtype) : "application/octet-stream";
    response_header(req, "Content-Disposition", mail_disposition(req, show, buf_cstr(&name)));
    req->cache_control = "private, max-age=3600";
    buf_free(&name);
    mail_end(&m);
    req->status = 200;
}

void page_message_raw(struct request *req)
{
    if (req->in[IN_MSG].present) {   /* a POP3 message (by unique-id) */
        pop3_raw(req);
        return;
    }
    const char *f, *err = NULL;
    uint32_t uid;
    if (message_inputs(req, &f, &uid) < 0)
        return;
    struct mail m;
    if (mail_begin_imap(req, &m) < 0)
        return;
    enum imap_result r = mail_select(&m, f, false, &err);
    const char *data = NULL;
    size_t len = 0;
    bool cut = false;
    size_t max = (size_t)req->app->cfg.mailbox.max_part_bytes;
    if (r == IMAP_OK)
        r = mail_note(&m, imap_part(m.conn->u, req->arena, uid, "", max, true, &data, &len, &cut, &err));
    if (r == IMAP_OK && cut) {
        mail_end(&m);
        page_error(req, 413, "This message is larger than this site lets you download.");
        return;
    }
    if (r != IMAP_OK) {
        mail_error(req, r, err);
        mail_end(&m);
        return;
    }
    buf_clear(&req->body);
    buf_append(&req->body, data, len);
    req->content_type = "application/octet-stream";
    response_header(req, "Content-Disposition",
                    arena_printf(req->arena, "attachment; filename=\"message-%u.eml\"", uid));
    mail_end(&m);
    req->status = 200;
}
