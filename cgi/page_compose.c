/* page_compose.c — writing mail: GET/POST /mail/compose.
 *
 * GET shows the form: empty, a reply / reply to all / forward of
 * ?f=FOLDER&uid=UID&mode=reply|replyall|forward|attach, or a saved draft
 * (?draft=UID in Drafts).
 *
 * POST (multipart/form-data, CSRF token and Origin checked) with op:
 *   save      saves the draft (Drafts, \Draft, replacing the previous one);
 *   send      sends through the submission server, then appends the
 *             message to Sent (\Seen), removes the draft and marks the
 *             original \Answered or $Forwarded; when the message is not
 *             sent (or a field needs mending) the draft is saved instead;
 *   savesent  only appends a message that was sent but not saved (kept in
 *             Drafts by UID) to Sent.
 * The draft is where the form lives between requests: attachments
 * uploaded once are kept there and named by number ("keep"), so a form
 * that comes back (a refused recipient, a server down, a field to mend)
 * has everything typed and attached, and a draft exists on the server.
 *
 * Each form carries a one-time token: the first "send" with it takes the
 * token (an atomic counter in the session store); any later submit of
 * the same form is refused before anything is saved or sent, so a double
 * click, a reload or back-and-resubmit never sends twice. A form that
 * comes back after a failure carries a fresh token.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compose.h"
#include "crypto.h"
#include "imap_compose.h"
#include "log.h"
#include "routes.h"
#include "routing.h"
#include "store.h"

#define TOKEN_BYTES     16
#define TOKEN_TTL       (7 * 86400)
#define DRAFT_FLAGS     "\\Draft \\Seen"
#define UNSAVED_FLAGS   "\\Seen $PosternUnsaved"

/* --- small helpers ---------------------------------------------------------- */

static const char *new_token(struct request *req)
{
    unsigned char r[TOKEN_BYTES];
    const char *err = NULL;
    char *out = arena_alloc(req->arena, B64URL_LEN(TOKEN_BYTES) + 1);
    if (crypto_random(r, sizeof(r), &err) < 0)
        return "";
    b64url_encode(r, sizeof(r), out);
    return out;
}

/* Takes the form's token: 1 if this request is its first send, 0 if it
 * was used before, -1 if the store cannot say, -2 if the form has none. */
static int take_token(struct request *req, const char *token)
{
    if (token == NULL || token[0] == '\0')
        return -2;
    struct store *st = req->store(req);
    if (st == NULL)
        return -1;
    long long v = 0;
    const char *err = NULL;
    char name[80];
    snprintf(name, sizeof(name), "compose:%s", token);
    if (store_counter_add(st, name, 1, (int64_t)time(NULL) + TOKEN_TTL, &v, &err) < 0)
        return -1;
    return v == 1 ? 1 : 0;
}

static const char *size_text(struct request *req, long bytes)
{
    return mail_size_text(req, (uint64_t)bytes);
}

/* The host for Message-IDs: [session] origin's, else the request's Host
 * when it is a name, else mail_domain. */
static const char *msgid_host(struct request *req)
{
    const char *origin = request_origin(req);
    const char *h = strstr(origin, "://");
    h = h ? h + 3 : origin;
    size_t n = strcspn(h, ":/");
    char *host = arena_strndup(req->arena, h, n);
    bool name = strchr(host, '.') != NULL && strspn(host, "0123456789.") != n;
    return name ? host : req->app->cfg.mail_domain;
}

static const char *str_in(struct request *req, enum input_key k)
{
    return req->in[k].present ? req->in[k].v.str : "";
}

/* --- the form ------------------------------------------------------------------ */

static void form_init(struct request *req, struct mail *m, struct compose_form *f)
{
    memset(f, 0, sizeof(*f));
    f->from = compose_user_address(req, m);
    f->to = f->cc = f->bcc = f->subject = f->body = "";
    f->in_reply_to = f->references = "";
}

/* The reply context from the query (?f=&uid=&mode=). */
static void context_from_query(struct request *req, struct compose_form *f)
{
    if (!req->in[IN_MODE].present || !req->in[IN_FOLDER].present || !req->in[IN_UID].present ||
        req->in[IN_UID].v.num <= 0)
        return;
    for (int i = 1; i < MODE__MAX; i++)
        if (strcmp(req->in[IN_MODE].v.str, compose_mode_names[i]) == 0) {
            f->mode = (enum compose_mode)i;
            f->orig_folder = req->in[IN_FOLDER].v.str;
            f->orig_uid = (uint32_t)req->in[IN_UID].v.num;
        }
}

static void form_from_inputs(struct request *req, struct compose_form *f)
{
    if (req->in[IN_FROM].present)
        f->from = req->in[IN_FROM].v.str;
    f->to = str_in(req, IN_RCPT_TO);
    f->cc = str_in(req, IN_CC);
    f->bcc = str_in(req, IN_BCC);
    f->subject = str_in(req, IN_SUBJECT);
    f->body = str_in(req, IN_BODY);
    f->body_len = req->in[IN_BODY].present ? req->in[IN_BODY].v.len : 0;
    f->in_reply_to = str_in(req, IN_IRT);
    f->references = str_in(req, IN_REFS);
    f->draft = req->in[IN_DRAFT].present ? (uint32_t)req->in[IN_DRAFT].v.num : 0;
    f->token = str_in(req, IN_TOKEN);
    context_from_query(req, f);
}

static const char *heading(const struct compose_form *f)
{
    switch (f->mode) {
    case MODE_REPLY:
        return "Reply";
    case MODE_REPLY_ALL:
        return "Reply to all";
    case MODE_FORWARD:
    case MODE_ATTACH:
        return "Forward";
    default:
        return f->draft ? "Draft" : "New message";
    }
}

static const char *action_url(struct request *req, const struct compose_form *f)
{
    if (f->mode == MODE_NEW || f->orig_folder == NULL)
        return "/mail/compose";
    return arena_printf(req->arena, "/mail/compose?f=%s&uid=%u&mode=%s", mail_qs(req, f->orig_folder),
                        f->orig_uid, compose_mode_names[f->mode]);
}

static void put_common(struct request *req, struct mail *m, struct tmpl_vars *v)
{
    tmpl_put_bool(v, "signed_in", 1);
    char csrf[CSRF_TOKEN_LEN + 1];
    const char *err = NULL;
    if (session_csrf_token(&m->s, csrf, &err) == 0)
        tmpl_put(v, "csrf", arena_strdup(req->arena, csrf));
}

/* What the person typed, back into the form. */
static void put_typed(struct tmpl_vars *v, const struct compose_form *f)
{
    tmpl_put(v, "from", f->from);
    tmpl_put(v, "to", f->to);
    tmpl_put(v, "cc", f->cc);
    tmpl_put(v, "bcc", f->bcc);
    tmpl_put(v, "subject", f->subject);
    tmpl_put(v, "body", f->body);
}

/* Renders the form (saved: the draft in f->draft holds f->att in order;
 * else only attachments from the source are listed, by their numbers). */
static void render_form(struct request *req, struct mail *m, const struct compose_form *f,
                        bool saved, int status)
{
    const struct compose_conf *cc = &req->app->cfg.compose;
    struct tmpl_vars *v = page_vars(req);
    put_common(req, m, v);
    tmpl_put(v, "title", heading(f));
    tmpl_put(v, "heading", heading(f));
    tmpl_put(v, "action", action_url(req, f));
    tmpl_put(v, "token", f->token && f->token[0] ? f->token : new_token(req));
    tmpl_put(v, "draft", f->draft ? arena_printf(req->arena, "%u", f->draft) : "");
    put_typed(v, f);
    tmpl_put(v, "in_reply_to", f->in_reply_to);
    tmpl_put(v, "references", f->references);
    tmpl_put(v, "err_from", f->err_from);
    tmpl_put(v, "err_to", f->err_to);
    tmpl_put(v, "err_cc", f->err_cc);
    tmpl_put(v, "err_bcc", f->err_bcc);
    tmpl_put(v, "err_subject", f->err_subject);
    tmpl_put(v, "err_body", f->err_body);
    tmpl_put(v, "err_attach", f->err_attach);
    tmpl_put(v, "problem", f->problem);
    tmpl_put(v, "saved_note", f->saved_note);
    for (size_t i = 0; i < f->nrejected; i++) {
        if (f->rejected[i].code < 400)
            continue;
        struct tmpl_vars *r = tmpl_add_item(v, "rejected");
        tmpl_put(r, "addr", f->rejected[i].addr);
        tmpl_put(r, "reply", arena_printf(req->arena, "%d %s", f->rejected[i].code, f->rejected[i].text));
    }
    for (size_t i = 0; i < f->natt; i++) {
        if (!saved && f->src[i] == 0)
            continue;
        struct tmpl_vars *a = tmpl_add_item(v, "attachments");
        tmpl_put_int(a, "index", saved ? (long long)i + 1 : f->src[i]);
        tmpl_put(a, "name", f->att[i].name);
        tmpl_put(a, "type", mb_detect_type(f->att[i].name, f->att[i].data, f->att[i].len, f->att[i].type));
        tmpl_put(a, "size", size_text(req, (long)f->att[i].len));
    }
    tmpl_put_int(v, "max_recipients", cc->max_recipients);
    tmpl_put_int(v, "max_attachment", cc->max_attachment_bytes);
    tmpl_put(v, "max_attachment_text", size_text(req, cc->max_attachment_bytes));
    tmpl_put(v, "max_message_text", size_text(req, cc->max_message_bytes));
    tmpl_put_int(v, "autosave", cc->autosave_seconds);
    page_render(req, status, "compose", v);
}

/* --- checking what was typed ----------------------------------------------------- */

static const char *field_error(struct request *req, const char *bad, const char *why)
{
    if (bad != NULL)
        return arena_printf(req->arena, "“%s” %s.", bad, why);
    return arena_printf(req->arena, "This field %s.", why);
}

/* Parses one recipient field; *err_r set beside it on failure. */
static int recipients(struct request *req, const char *text, struct mb_list *l, const char **err_r)
{
    const char *bad = NULL, *why = NULL;
    size_t max = (size_t)req->app->cfg.compose.max_recipients;
    if (mb_parse_addresses(req->arena, text, max, l, &bad, &why) == 0)
        return 0;
    if (strcmp(why, "has too many recipients") == 0)
        *err_r = arena_printf(req->arena, "Too many recipients: at most %zu in To, Cc and Bcc "
                              "together.", max);
    else
        *err_r = field_error(req, bad, why);
    return -1;
}

/* Fields in which NUL bytes were typed (the request parser replaced each
 * with U+FFFD, ROUTE_NUL_TEXT): the message beside each, which takes the
 * place of any other. 0 if there were none, else -1 (nothing is sent). */
static int nul_fields(struct request *req, struct compose_form *f)
{
    static const struct { enum input_key k; size_t err_off; const char *what; } fields[] = {
        { IN_FROM, offsetof(struct compose_form, err_from), "The sender" },
        { IN_RCPT_TO, offsetof(struct compose_form, err_to), "This field" },
        { IN_CC, offsetof(struct compose_form, err_cc), "This field" },
        { IN_BCC, offsetof(struct compose_form, err_bcc), "This field" },
        { IN_SUBJECT, offsetof(struct compose_form, err_subject), "The subject" },
        { IN_BODY, offsetof(struct compose_form, err_body), "The message" },
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (!req->in[fields[i].k].present || !req->in[fields[i].k].nul_replaced)
            continue;
        *(const char **)((char *)f + fields[i].err_off) =
            arena_printf(req->arena, "%s contained NUL characters, which mail cannot carry; they "
                         "were replaced with \xEF\xBF\xBD; check and send again.", fields[i].what);
        bad = -1;
    }
    return bad;
}

/* Every header field checked; errors beside their fields. 0 if all pass. */
static int check_fields(struct request *req, struct mail *m, struct compose_form *f,
                        struct mb_list *to, struct mb_list *cc, struct mb_list *bcc)
{
    int bad = 0;
    const char *why = NULL;
    if (strcasecmp(f->from, compose_user_address(req, m)) != 0) {
        f->err_from = "You can only send from your own address.";
        bad = -1;
    }
    bad |= recipients(req, f->to, to, &f->err_to);
    bad |= recipients(req, f->cc, cc, &f->err_cc);
    bad |= recipients(req, f->bcc, bcc, &f->err_bcc);
    if (mb_screen_text(f->subject, 998 - 10, &why) < 0) {
        f->err_subject = field_error(req, NULL, why);
        bad = -1;
    }
    size_t max = (size_t)req->app->cfg.compose.max_recipients;
    if (bad == 0 && to->n + cc->n + bcc->n > max) {
        f->err_to = arena_printf(req->arena, "Too many recipients: %zu in all, at most %zu in To, "
                                 "Cc and Bcc together.", to->n + cc->n + bcc->n, max);
        bad = -1;
    }
    bad |= nul_fields(req, f);
    if (!mb_msgids_valid(f->in_reply_to))
        f->in_reply_to = "";
    if (!mb_msgids_valid(f->references))
        f->references = "";
    return bad;
}

/* Kept attachments (from the draft, or from the original of a forward)
 * and new uploads into f->att; an oversize file is left out and named. */
static enum imap_result collect_files(struct request *req, struct mail *m, struct compose_form *f,
                                      const char **err)
{
    const struct input *keep = &req->in[IN_KEEP];
    uint64_t nums[COMPOSE_ATTACH_MAX];
    size_t nkeep = 0;
    for (size_t i = 0; i < keep->n && nkeep < COMPOSE_ATTACH_MAX; i++)
        nums[nkeep++] = (uint64_t)keep->items[i].v.num;
    enum imap_result r = IMAP_OK;
    if (nkeep > 0 && f->draft)
        r = compose_load_draft(m, f, false, nums, nkeep, err);
    else if (nkeep > 0 && (f->mode == MODE_FORWARD || f->mode == MODE_ATTACH))
        r = compose_forwarded_files(m, f, nums, nkeep, err);
    if (r != IMAP_OK)
        return r;
    long max = req->app->cfg.compose.max_attachment_bytes;
    const struct input *up = &req->in[IN_ATTACH];
    for (size_t i = 0; i < up->n; i++) {
        const struct input_item *it = &up->items[i];
        if ((long)it->len > max) {
            f->err_attach = arena_printf(req->arena, "“%s” is %s; a file can be at most %s. It was "
                                         "not attached.", it->v.str, size_text(req, (long)it->len),
                                         size_text(req, max));
            continue;
        }
        if (f->natt >= COMPOSE_ATTACH_MAX) {
            f->err_attach = "Too many files on one message; the last ones were not attached.";
            break;
        }
        f->att[f->natt] = (struct mb_attachment){ it->v.str, it->content_type, it->data, it->len };
        f->src[f->natt++] = 0;
    }
    return IMAP_OK;
}

/* --- drafts and sending ------------------------------------------------------------ */

static void describe(struct mb_message *msg, struct request *req, const struct compose_form *f,
                     const struct mb_list *to, const struct mb_list *cc, const struct mb_list *bcc,
                     const char *message_id)
{
    memset(msg, 0, sizeof(*msg));
    msg->from = (struct mb_addr){ NULL, f->from };
    msg->to = *to;
    msg->cc = *cc;
    msg->bcc = *bcc;
    msg->subject = f->subject;
    msg->body = f->body;
    msg->body_len = f->body_len;
    msg->in_reply_to = f->in_reply_to[0] ? f->in_reply_to : NULL;
    msg->references = f->references[0] ? f->references : NULL;
    msg->att = f->att;
    msg->natt = f->natt;
    msg->host = msgid_host(req);
    msg->message_id = message_id;
}

/* Removes message uid from Drafts (best effort: logged). */
static void drop_draft(struct mail *m, const char *drafts, uint32_t uid)
{
    const char *err = NULL;
    if (uid == 0 || drafts == NULL)
        return;
    enum imap_result r = mail_select(m, drafts, false, &err);
    if (r == IMAP_OK)
        r = mail_note(m, imap_destroy(m->conn->u, &m->conn->caps, m->req->arena, uid, &err));
    if (r != IMAP_OK && r != IMAP_GONE)
        log_info("msg=\"compose: old draft not removed\" reason=\"%s\"", err ? err : "");
}

/* Saves msg as the new draft (replacing f->draft). 0 with f->draft set,
 * or -1 with *err. */
static int save_draft(struct mail *m, struct compose_form *f, const struct mb_wire *msg,
                      const char *flags, const char **err)
{
    const char *drafts = compose_folder(m, IMAP_SU_DRAFTS, err);
    if (drafts == NULL)
        return -1;
    uint32_t uid = 0;
    if (mail_note(m, imap_append(m->conn->u, &m->conn->caps, m->req->arena, drafts, flags,
                                 msg, &uid, err)) != IMAP_OK)
        return -1;
    drop_draft(m, drafts, f->draft);
    f->draft = uid;
    return 0;
}

/* The de-duplicated envelope recipients of to, cc and bcc. */
static size_t envelope(struct request *req, const struct mb_list *l[3], struct submit_rcpt **out)
{
    size_t n = l[0]->n + l[1]->n + l[2]->n, k = 0;
    struct submit_rcpt *r = arena_alloc(req->arena, (n ? n : 1) * sizeof(*r));
    for (int j = 0; j < 3; j++)
        for (size_t i = 0; i < l[j]->n; i++) {
            bool dup = false;
            for (size_t x = 0; x < k && !dup; x++)
                dup = strcasecmp(r[x].addr, l[j]->v[i].addr) == 0;
            if (!dup)
                r[k++] = (struct submit_rcpt){ .addr = l[j]->v[i].addr };
        }
    *out = r;
    return k;
}

static int send_now(struct request *req, struct mail *m, const char *from, struct submit_rcpt *rc,
                    size_t n, const struct mb_wire *msg, struct submit_result *res)
{
    struct up_target t;
    if (routing_target(&req->app->cfg, m->s.rec.user, PROTO_SMTP, &t) == NULL) {
        memset(res, 0, sizeof(*res));
        res->outcome = SUBMIT_UNREACHABLE;
        snprintf(res->message, sizeof(res->message), "No mail server for sending is configured "
                 "for your mailbox. Nothing was sent; tell your administrator.");
        return -1;
    }
    char pw[SESSION_PASSWORD_MAX + 1];
    size_t pwlen = 0;
    const char *err = NULL;
    if (session_password(&m->s, pw, sizeof(pw), &pwlen, &err) < 0) {
        memset(res, 0, sizeof(*res));
        res->outcome = SUBMIT_AUTH;
        snprintf(res->message, sizeof(res->message), "Your session cannot be read. Nothing was "
                 "sent; sign out and sign in again.");
        return -1;
    }
    struct up_cred cred = { m->s.rec.user, strlen(m->s.rec.user), pw, pwlen };
    int rc_ = submit_send(req->tls, &t, &cred, from, rc, n, msg, res);
    crypto_wipe(pw, sizeof(pw));
    log_info("msg=\"compose: send\" result=%s code=%d recipients=%zu bytes=%zu ms=%ld",
             submit_outcome_names[res->outcome], res->code, n, msg->size, res->elapsed_ms);
    return rc_;
}

/* After the server took the message: the original marked. */
static void mark_original(struct mail *m, const struct compose_form *f)
{
    const char *err = NULL;
    if (f->mode == MODE_NEW || f->orig_folder == NULL)
        return;
    const char *flag = (f->mode == MODE_REPLY || f->mode == MODE_REPLY_ALL) ? "\\Answered" : "$Forwarded";
    enum imap_result r = mail_select(m, f->orig_folder, false, &err);
    if (r == IMAP_OK)
        r = mail_note(m, imap_mark(m->conn->u, m->req->arena, f->orig_uid, flag, &err));
    if (r != IMAP_OK)
        log_info("msg=\"compose: original not marked\" reason=\"%s\"", err ? err : "");
}

static void render_sent(struct request *req, struct mail *m, const char *text, bool saved,
                        const char *save_failed, uint32_t retry_draft)
{
    struct tmpl_vars *v = page_vars(req);
    put_common(req, m, v);
    tmpl_put(v, "title", saved ? "Sent" : "Sent, not saved");
    tmpl_put(v, "heading", "Message sent");
    tmpl_put_bool(v, "sent", 1);
    tmpl_put(v, "sent_text", text);
    tmpl_put_bool(v, "saved", saved);
    tmpl_put(v, "save_failed", save_failed);
    if (retry_draft)
        tmpl_put(v, "retry_draft", arena_printf(req->arena, "%u", retry_draft));
    const char *err = NULL;
    const char *sent = saved ? compose_folder(m, IMAP_SU_SENT, &err) : NULL;
    if (sent != NULL)
        tmpl_put(v, "sent_url", arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, sent)));
    page_render(req, 200, "compose", v);
}

/* The message went out: the copy in Sent, the draft gone, the original
 * marked; or, if Sent refuses, the sent message kept in Drafts for a
 * "save to Sent" that never sends again. */
static void after_sent(struct request *req, struct mail *m, struct compose_form *f,
                       const struct mb_wire *wire, const char *text)
{
    const char *err = NULL, *drafts_err = NULL;
    const char *sent = compose_folder(m, IMAP_SU_SENT, &err);
    uint32_t uid = 0;
    enum imap_result r = sent ? mail_note(m, imap_append(m->conn->u, &m->conn->caps, req->arena, sent,
                                                         "\\Seen", wire, &uid, &err))
                              : IMAP_NO;
    const char *drafts = compose_folder(m, IMAP_SU_DRAFTS, &drafts_err);
    mark_original(m, f);
    if (r == IMAP_OK) {
        drop_draft(m, drafts, f->draft);
        render_sent(req, m, text, true, NULL, 0);
        return;
    }
    log_info("msg=\"compose: not saved to Sent\" reason=\"%s\"", err ? err : "");
    const char *why = err ? err : "the Sent folder could not be found";
    if (drafts != NULL && save_draft(m, f, wire, UNSAVED_FLAGS, &drafts_err) == 0 && f->draft != 0) {
        render_sent(req, m, text, false, why, f->draft);
        return;
    }
    render_sent(req, m, text, false,
                arena_printf(req->arena, "%s; a copy could not be kept in Drafts either, so it "
                             "cannot be saved later.", why), 0);
}

/* --- the POST steps ----------------------------------------------------------------- */

static void save_sent_again(struct request *req, struct mail *m, struct compose_form *f)
{
    const char *err = NULL, *data = NULL;
    size_t len = 0;
    const char *drafts = f->draft ? compose_folder(m, IMAP_SU_DRAFTS, &err) : NULL;
    enum imap_result r = drafts ? compose_fetch(m, drafts, f->draft, &data, &len, &err) : IMAP_GONE;
    if (r == IMAP_GONE) {
        render_sent(req, m, "It had already been sent.", true, NULL, 0);
        return;
    }
    const char *sent = r == IMAP_OK ? compose_folder(m, IMAP_SU_SENT, &err) : NULL;
    uint32_t uid = 0;
    struct mb_wire msg;
    mb_wire_init(&msg);
    mb_wire_raw(&msg, data, len);
    if (sent != NULL)
        r = mail_note(m, imap_append(m->conn->u, &m->conn->caps, req->arena, sent, "\\Seen", &msg,
                                     &uid, &err));
    mb_wire_free(&msg);
    if (sent == NULL || r != IMAP_OK) {
        render_sent(req, m, "It had already been sent; it was not sent again.", false,
                    err ? err : "the Sent folder could not be found", f->draft);
        return;
    }
    drop_draft(m, drafts, f->draft);
    render_sent(req, m, "It had already been sent; it was not sent again.", true, NULL, 0);
}

static void render_duplicate(struct request *req, struct mail *m)
{
    struct tmpl_vars *v = page_vars(req);
    put_common(req, m, v);
    const char *err = NULL;
    const char *drafts = compose_folder(m, IMAP_SU_DRAFTS, &err);
    tmpl_put(v, "title", "Already submitted");
    tmpl_put(v, "heading", "This form was already submitted");
    tmpl_put(v, "problem", "This form was already used to send a message once, so nothing was sent "
                           "again. If that first attempt failed, your message is in Drafts: open it "
                           "there to send it.");
    tmpl_put_bool(v, "duplicate", 1);
    if (drafts)
        tmpl_put(v, "drafts_url", arena_printf(req->arena, "/mail/?f=%s", mail_qs(req, drafts)));
    page_render(req, 409, "compose", v);
}

/* The message into out (as segments; cleared first): as a draft (Bcc kept, postern's
 * note) or as it goes out. Over max_message_bytes, the files just added
 * are left out (named beside the field) and *trimmed set. 0, or -1. */
static int build(struct request *req, struct compose_form *f, struct mb_message *desc, bool draft,
                 struct mb_wire *out, const char **message_id, const char **why, bool *trimmed)
{
    long max = req->app->cfg.compose.max_message_bytes;
    desc->write_bcc = draft;
    desc->x_postern = draft ? compose_note(req, f) : NULL;
    if (mb_build_wire(req->arena, desc, out, message_id, why) < 0)
        return -1;
    if ((long)out->size <= max)
        return 0;
    size_t kept = 0;
    while (kept < f->natt && f->src[kept] != 0)
        kept++;
    f->err_attach = arena_printf(req->arena, "The message would be %s, over the limit of %s; the "
                                 "files just added were not attached.",
                                 size_text(req, (long)out->size), size_text(req, max));
    f->natt = desc->natt = kept;
    *trimmed = true;
    desc->message_id = *message_id;
    return mb_build_wire(req->arena, desc, out, message_id, why);
}

/* "14:05:09" now, local time (static buffer per thread). */
static const char *clock_text(void)
{
    static _Thread_local char text[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(text, sizeof(text), "%H:%M:%S", &tm);
    return text;
}

static void compose_post(struct request *req, struct mail *m)
{
    struct compose_form *f = arena_alloc(req->arena, sizeof(*f));
    form_init(req, m, f);
    form_from_inputs(req, f);
    const char *op = req->in[IN_OP].present ? req->in[IN_OP].v.str : "save";
    if (strcmp(op, "savesent") == 0) {
        save_sent_again(req, m, f);
        return;
    }
    bool send = strcmp(op, "send") == 0;
    if (!send && strcmp(op, "save") != 0) {
        page_error(req, 400, "There is no such action.");
        return;
    }
    if (send) {
        int t = take_token(req, f->token);
        if (t == 0) {
            render_duplicate(req, m);
            return;
        }
        if (t == -1) {
            f->problem = "postern cannot check right now that this message is not sent twice, so "
                         "it was not sent. Your draft is saved; try again in a moment.";
            send = false;
        } else if (t == -2) {
            f->problem = "This form came without its one-time send token, so nothing was sent. "
                         "Your draft is saved; press Send again.";
            send = false;
        }
        f->token = NULL;   /* the form that comes back gets a fresh one */
    }
    struct mb_list to, cc, bcc;
    int status = 200;
    bool fields_ok = check_fields(req, m, f, &to, &cc, &bcc) == 0;
    const char *ferr = NULL;
    if (collect_files(req, m, f, &ferr) != IMAP_OK) {
        f->problem = arena_printf(req->arena, "The attachments saved earlier could not be read (%s). "
                                  "Nothing was sent.", ferr ? ferr : "");
        render_form(req, m, f, false, 502);
        return;
    }
    if (f->err_attach != NULL)
        fields_ok = false;   /* a file was left out: nothing is sent before the person sees it */
    if (!fields_ok) {
        /* the draft keeps what can be kept: lists that do not parse are left out of it */
        to.n = f->err_to ? 0 : to.n;
        cc.n = f->err_cc ? 0 : cc.n;
        bcc.n = f->err_bcc ? 0 : bcc.n;
    }
    /* the recipients, then the message: as a draft, or as it goes out */
    size_t nrcpt = to.n + cc.n + bcc.n;
    if (send && fields_ok && nrcpt == 0) {
        f->err_to = "Add at least one recipient.";
        fields_ok = false;
    }
    bool ready = send && fields_ok;
    struct mb_message desc;
    describe(&desc, req, f, &to, &cc, &bcc, NULL);
    const char *why_subject = NULL;
    if (f->err_subject && mb_screen_text(f->subject, 998 - 10, &why_subject) < 0)
        desc.subject = "";   /* the form shows it as typed; the draft cannot hold it */
    struct mb_wire msg;   /* the message as segments: files borrowed from the request */
    mb_wire_init(&msg);
    const char *message_id = NULL, *why = NULL;
    bool trimmed = false;
    int built = build(req, f, &desc, !ready, &msg, &message_id, &why, &trimmed);
    if (built == 0 && trimmed && ready) {
        ready = false;   /* files were left out: the person looks again first */
        built = build(req, f, &desc, true, &msg, &message_id, &why, &trimmed);
    }
    if (built != 0) {   /* check_fields screened every field: not expected */
        mb_wire_free(&msg);
        f->problem = arena_printf(req->arena, "The message could not be put together (%s). Nothing "
                                  "was sent.", why);
        render_form(req, m, f, false, 500);
        return;
    }
    if (ready) {
        const struct mb_list *lists[3] = {&to, &cc, &bcc};
        struct submit_rcpt *rc = NULL;
        size_t n = envelope(req, lists, &rc);
        struct submit_result res;
        if (send_now(req, m, f->from, rc, n, &msg, &res) == 0) {
            after_sent(req, m, f, &msg, "The mail server accepted it for delivery.");
            mb_wire_free(&msg);
            return;
        }
        /* not sent: the form comes back, and the draft is saved now */
        f->problem = arena_strdup(req->arena, res.message);
        f->rejected = rc;
        f->nrejected = res.outcome == SUBMIT_REJECTED ? n : 0;
        status = res.outcome == SUBMIT_UNCERTAIN ? 200 : 502;
        desc.message_id = message_id;
        built = build(req, f, &desc, true, &msg, &message_id, &why, &trimmed);
    } else if (send) {
        f->problem = "Nothing was sent: please correct what is marked below. Your draft is saved.";
        status = 422;
    }
    const char *err = NULL;
    if (built != 0 || save_draft(m, f, &msg, DRAFT_FLAGS, &err) < 0) {
        mb_wire_free(&msg);
        f->problem = arena_printf(req->arena, "%s%sYour draft could not be saved on the mail server "
                                  "(%s).", f->problem ? f->problem : "", f->problem ? " " : "",
                                  built != 0 ? why : err ? err : "");
        render_form(req, m, f, false, 502);
        return;
    }
    mb_wire_free(&msg);
    f->saved_note = arena_printf(req->arena, "Draft saved at %s.%s", clock_text(), send ? " It was not sent." : "");
    render_form(req, m, f, true, status);
}


/* A POST without a valid session: the form comes back as typed (files
 * cannot be kept), with the way to sign in again. */
static void render_expired(struct request *req)
{
    struct compose_form *f = arena_alloc(req->arena, sizeof(*f));
    memset(f, 0, sizeof(*f));
    form_from_inputs(req, f);
    f->from = str_in(req, IN_FROM);
    f->token = "";
    f->problem = "Your session has ended, so nothing was sent or saved. Everything you typed is "
                 "below: copy it, sign in again and paste it into a new message. The draft saved "
                 "last (automatically, or when you last pressed a button) is in Drafts with its "
                 "attachments.";
    struct tmpl_vars *v = page_vars(req);
    tmpl_put(v, "title", "Session ended");
    tmpl_put(v, "heading", "Your session has ended");
    tmpl_put(v, "action", action_url(req, f));
    put_typed(v, f);
    tmpl_put(v, "problem", f->problem);
    tmpl_put_bool(v, "expired", 1);
    page_render(req, 401, "compose", v);
}

/* --- the handler ------------------------------------------------------------------- */

static void compose_get(struct request *req, struct mail *m)
{
    struct compose_form *f = arena_alloc(req->arena, sizeof(*f));
    form_init(req, m, f);
    const char *err = NULL;
    enum imap_result r = IMAP_OK;
    if (req->in[IN_DRAFT_Q].present && req->in[IN_DRAFT_Q].v.num > 0) {
        /* a saved draft: its own note says what it replies to */
        f->draft = (uint32_t)req->in[IN_DRAFT_Q].v.num;
        r = compose_load_draft(m, f, true, NULL, 0, &err);
        if (r != IMAP_OK)
            mail_error(req, r, err);
        else
            render_form(req, m, f, true, 200);
        return;
    }
    context_from_query(req, f);
    if (f->mode != MODE_NEW) {
        r = compose_prefill(m, f, &err);
        if (r == IMAP_OK && (f->mode == MODE_FORWARD || f->mode == MODE_ATTACH))
            r = compose_forwarded_files(m, f, NULL, 0, &err);
        if (r != IMAP_OK) {
            mail_error(req, r, err);
            return;
        }
    }
    render_form(req, m, f, false, 200);
}

void page_compose(struct request *req)
{
    if (req->method == METHOD_POST) {
        struct session s;
        if (request_session(req, &s) != SESSION_OK) {
            if (request_check_post(req, NULL) == 0)
                render_expired(req);
            return;
        }
        session_clear(&s);
    }
    struct mail m;
    int b = mail_begin(req, &m);
    if (b != 0) {
        if (b > 0) {
            mail_end(&m);
            page_error(req, 404, "Writing mail needs an IMAP4 session (drafts and sent mail are kept "
                                 "on the server). Sign out and sign in with IMAP4.");
        }
        return;
    }
    if (req->method == METHOD_POST) {
        if (request_check_post(req, &m.s) == 0)
            compose_post(req, &m);
    } else {
        compose_get(req, &m);
    }
    mail_end(&m);
}
