/* compose_source.c — where a compose form's contents come from besides
 * the request: a draft saved earlier, or the message being replied to or
 * forwarded (see compose.h). Messages are fetched whole and taken apart
 * with postern's own MIME reader (mime.c), within the configured limits.
 */
#include "compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap_compose.h"
#include "mime.h"
#include "mimeview.h"
#include "rfc2047.h"

#define QUOTE_CAP       (1u << 20)   /* bytes of original text quoted */
#define HEADER_CAP      4096
#define REFERENCES_KEEP 20           /* message ids kept in References */

const char *const compose_mode_names[MODE__MAX] = {"new", "reply", "replyall", "forward", "attach"};

const char *compose_user_address(struct request *req, const struct mail *m)
{
    const char *user = m->s.rec.user;
    if (strchr(user, '@') != NULL)
        return user;
    return arena_printf(req->arena, "%s@%s", user, req->app->cfg.mail_domain);
}

const char *compose_folder(struct mail *m, enum imap_special su, const char **err)
{
    const char *wire = NULL;
    const char *fallback = su == IMAP_SU_SENT ? "Sent" : "Drafts";
    mail_note(m, imap_special_folder(m->conn->u, &m->conn->caps, m->req->arena, su, fallback,
                                     &wire, err));
    return wire;
}

enum imap_result compose_fetch(struct mail *m, const char *wire, uint32_t uid, const char **data,
                               size_t *len, const char **err)
{
    enum imap_result r = mail_select(m, wire, false, err);
    if (r != IMAP_OK)
        return r;
    bool truncated = false;
    size_t max = (size_t)m->req->app->cfg.compose.max_message_bytes + (1u << 20);
    r = mail_note(m, imap_part(m->conn->u, m->req->arena, uid, "", max, true, data, len,
                               &truncated, err));
    if (r == IMAP_OK && truncated) {
        *err = "the message is larger than this server handles";
        return IMAP_NO;
    }
    return r;
}

/* --- a message taken apart -------------------------------------------------- */

struct parsed {
    const char *hdr;
    size_t hlen;
    struct mv_plan plan;
};

static enum imap_result parse(struct mail *m, const char *data, size_t len, struct parsed *p,
                              const char **err)
{
    const struct mailbox_conf *mc = &m->req->app->cfg.mailbox;
    int too_complex = 0;
    struct bs_part *root = mime_parse(m->req->arena, data, len, mc->max_mime_depth,
                                      (size_t)mc->max_mime_parts, &p->hdr, &p->hlen, &too_complex);
    if (root == NULL) {
        *err = "the message is too complex to take apart";
        return IMAP_NO;
    }
    mv_plan(root, &p->plan);
    return IMAP_OK;
}

static const char *raw_header(struct request *req, const struct parsed *p, const char *name)
{
    return mime_header(req->arena, p->hdr, p->hlen, name);
}

static const char *decoded(struct request *req, const char *raw)
{
    if (raw == NULL)
        return "";
    struct buf b;
    buf_init(&b);
    rfc2047_decode(raw, strlen(raw), HEADER_CAP, &b);
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* An address header as a person would type it (names decoded). */
static const char *addresses(struct request *req, const char *raw, struct mb_list *l)
{
    const char *bad, *why;
    l->v = NULL;
    l->n = 0;
    if (raw == NULL)
        return "";
    if (mb_parse_addresses(req->arena, raw, 10000, l, &bad, &why) < 0)
        return decoded(req, raw);   /* let the person see and mend it */
    mb_decode_names(req->arena, l);
    return mb_format_list(req->arena, l);
}

/* The first plain-text body of the message as UTF-8 with LF line ends. */
static const char *text_of(struct request *req, const struct parsed *p)
{
    for (size_t i = 0; i < p->plan.nbody; i++) {
        const struct bs_part *b = p->plan.body[i].part;
        if (p->plan.body[i].kind != MV_TEXT || b->body == NULL)
            continue;
        struct buf u;
        buf_init(&u);
        mv_text_utf8(b, b->body, b->body_len, QUOTE_CAP, &u);
        char *s = arena_alloc(req->arena, u.len + 1), *w = s;
        for (size_t k = 0; k < u.len; k++)
            if (u.data[k] != '\r')
                *w++ = u.data[k];
        *w = '\0';
        buf_free(&u);
        return s;
    }
    return NULL;
}

/* Appends one attachment of the parsed message (decoded) to f. */
static void add_part(struct request *req, struct compose_form *f, const struct bs_part *p,
                     unsigned src)
{
    if (f->natt >= COMPOSE_ATTACH_MAX)
        return;
    struct buf name, type, data;
    buf_init(&name);
    buf_init(&type);
    buf_init(&data);
    mv_filename(p, &name);
    mv_type(p, &type);
    if (strcmp(p->type, "message") == 0 && p->header != NULL)
        buf_append(&data, p->header, (size_t)p->size);   /* an embedded message as it is */
    else if (p->body != NULL)
        mv_transfer_decode(p->encoding, p->body, p->body_len,
                           (size_t)req->app->cfg.compose.max_message_bytes, &data);
    struct mb_attachment *a = &f->att[f->natt];
    a->name = arena_strdup(req->arena, buf_cstr(&name));
    a->type = arena_strdup(req->arena, buf_cstr(&type));
    char *bytes = arena_alloc(req->arena, data.len + 1);
    if (data.len > 0)
        memcpy(bytes, data.data, data.len);
    a->data = bytes;
    a->len = data.len;
    f->src[f->natt++] = src;
    buf_free(&name);
    buf_free(&type);
    buf_free(&data);
}

static bool kept(const uint64_t *keep, size_t nkeep, unsigned n)
{
    if (keep == NULL)
        return true;
    for (size_t i = 0; i < nkeep; i++)
        if (keep[i] == n)
            return true;
    return false;
}

/* "mode=reply uid=42 f=INBOX" (f last: a folder name may hold spaces). */
const char *compose_note(struct request *req, const struct compose_form *f)
{
    if (f->mode == MODE_NEW || f->orig_folder == NULL || f->orig_uid == 0)
        return NULL;
    return arena_printf(req->arena, "mode=%s uid=%u f=%s", compose_mode_names[f->mode],
                        f->orig_uid, f->orig_folder);
}

static void read_note(struct request *req, struct compose_form *f, const char *note)
{
    char mode[16];
    unsigned uid = 0;
    int at = 0;
    if (note == NULL || sscanf(note, "mode=%15s uid=%u f=%n", mode, &uid, &at) != 2 || at == 0)
        return;
    struct valid_value v;
    const char *folder = note + at;
    if (uid == 0 || !valid_folder(req->arena, folder, strlen(folder), &v))
        return;
    for (int i = 1; i < MODE__MAX; i++)
        if (strcmp(mode, compose_mode_names[i]) == 0) {
            f->mode = (enum compose_mode)i;
            f->orig_uid = uid;
            f->orig_folder = v.str;
        }
}

static const char *msgids_or_empty(const char *raw)
{
    return raw != NULL && mb_msgids_valid(raw) ? raw : "";
}

enum imap_result compose_load_draft(struct mail *m, struct compose_form *f, bool fields,
                                    const uint64_t *keep, size_t nkeep, const char **err)
{
    struct request *req = m->req;
    const char *drafts = compose_folder(m, IMAP_SU_DRAFTS, err);
    if (drafts == NULL)
        return m->dead ? IMAP_DEAD : IMAP_NO;
    const char *data;
    size_t len;
    struct parsed p;
    enum imap_result r = compose_fetch(m, drafts, f->draft, &data, &len, err);
    if (r == IMAP_OK)
        r = parse(m, data, len, &p, err);
    if (r != IMAP_OK)
        return r;
    if (fields) {
        struct mb_list l;
        f->to = addresses(req, raw_header(req, &p, "To"), &l);
        f->cc = addresses(req, raw_header(req, &p, "Cc"), &l);
        f->bcc = addresses(req, raw_header(req, &p, "Bcc"), &l);
        f->subject = decoded(req, raw_header(req, &p, "Subject"));
        f->in_reply_to = msgids_or_empty(raw_header(req, &p, "In-Reply-To"));
        f->references = msgids_or_empty(raw_header(req, &p, "References"));
        const char *note = raw_header(req, &p, "X-Postern-Draft");
        read_note(req, f, note ? decoded(req, note) : NULL);
        const char *text = text_of(req, &p);
        f->body = text ? text : "";
        f->body_len = strlen(f->body);
    }
    for (size_t i = 0; i < p.plan.nattach; i++)
        if (kept(keep, nkeep, (unsigned)i + 1))
            add_part(req, f, p.plan.attach[i], (unsigned)i + 1);
    return IMAP_OK;
}

/* --- replies and forwards ----------------------------------------------------- */

/* "Re: subject" unless it already starts so. */
static const char *prefixed(struct request *req, const char *prefix, const char *subject)
{
    size_t n = strlen(prefix);
    if (strncasecmp(subject, prefix, n) == 0)
        return subject;
    return arena_printf(req->arena, "%s %s", prefix, subject);
}

/* References: the original's (its last REFERENCES_KEEP - 1) + its id. */
static const char *references(struct request *req, const char *refs, const char *id)
{
    size_t count = 0;
    for (const char *p = refs; *p; p++)
        count += *p == '<';
    const char *keep = refs;
    for (size_t skip = count >= REFERENCES_KEEP ? count - REFERENCES_KEEP + 1 : 0; skip > 0; skip--) {
        keep = strchr(keep + 1, '<');
        if (keep == NULL) {
            keep = "";
            break;
        }
    }
    const char *s = arena_printf(req->arena, "%s%s%s", keep, *keep ? " " : "", id);
    return mb_msgids_valid(s) ? s : id;
}

/* Each line of text prefixed with "> ". */
static const char *quoted(struct request *req, const char *text)
{
    struct buf b;
    buf_init(&b);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        buf_puts(&b, p[0] == '>' ? ">" : "> ");
        buf_append(&b, p, n);
        buf_putc(&b, '\n');
        p += n;
        if (*p == '\n')
            p++;
    }
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* Appends to list text the mailboxes of l not yet in it and not self. */
static void add_others(struct request *req, struct buf *b, const struct mb_list *l,
                       const char *self, const struct mb_list *already)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcasecmp(l->v[i].addr, self) == 0)
            continue;
        bool dup = false;
        for (size_t k = 0; already && k < already->n; k++)
            dup |= strcasecmp(already->v[k].addr, l->v[i].addr) == 0;
        for (size_t k = 0; k < i; k++)
            dup |= strcasecmp(l->v[k].addr, l->v[i].addr) == 0;
        if (dup)
            continue;
        struct mb_list one = {&l->v[i], 1};
        if (b->len > 0)
            buf_puts(b, ", ");
        buf_puts(b, mb_format_list(req->arena, &one));
    }
}

static void prefill_reply(struct request *req, struct compose_form *f, const struct parsed *p,
                          const char *self)
{
    struct mb_list from, to, cc, reply_to;
    const char *rt = raw_header(req, p, "Reply-To");
    f->to = addresses(req, rt ? rt : raw_header(req, p, "From"), &reply_to);
    if (f->mode == MODE_REPLY_ALL) {
        addresses(req, raw_header(req, p, "To"), &to);
        addresses(req, raw_header(req, p, "Cc"), &cc);
        struct buf b;
        buf_init(&b);
        add_others(req, &b, &to, self, &reply_to);
        add_others(req, &b, &cc, self, &reply_to);
        f->cc = arena_strdup(req->arena, buf_cstr(&b));
        buf_free(&b);
        /* replying to one's own message: reply to its recipients */
        if (reply_to.n == 1 && strcasecmp(reply_to.v[0].addr, self) == 0 && to.n > 0) {
            struct buf t;
            buf_init(&t);
            add_others(req, &t, &to, self, NULL);
            f->to = arena_strdup(req->arena, buf_cstr(&t));
            buf_free(&t);
        }
    }
    f->subject = prefixed(req, "Re:", decoded(req, raw_header(req, p, "Subject")));
    const char *who = addresses(req, raw_header(req, p, "From"), &from);
    const char *date = decoded(req, raw_header(req, p, "Date"));
    const char *text = text_of(req, p);
    f->body = arena_printf(req->arena, "\n\nOn %s, %s wrote:\n%s", date[0] ? date : "an earlier date",
                           who[0] ? who : "someone",
                           text ? quoted(req, text) : "> (The message has no plain text to quote.)\n");
}

static void prefill_forward(struct request *req, struct compose_form *f, const struct parsed *p)
{
    f->subject = prefixed(req, "Fwd:", decoded(req, raw_header(req, p, "Subject")));
    f->to = f->cc = "";
    if (f->mode == MODE_ATTACH) {
        f->body = "";
        return;
    }
    struct mb_list l;
    const char *text = text_of(req, p);
    f->body = arena_printf(req->arena,
                           "\n\n---------- Forwarded message ----------\nFrom: %s\nDate: %s\n"
                           "Subject: %s\nTo: %s\n\n%s",
                           addresses(req, raw_header(req, p, "From"), &l),
                           decoded(req, raw_header(req, p, "Date")),
                           decoded(req, raw_header(req, p, "Subject")),
                           addresses(req, raw_header(req, p, "To"), &l),
                           text ? text : "(The message has no plain text; see the attachments.)\n");
}

enum imap_result compose_prefill(struct mail *m, struct compose_form *f, const char **err)
{
    struct request *req = m->req;
    const char *data;
    size_t len;
    struct parsed p;
    enum imap_result r = compose_fetch(m, f->orig_folder, f->orig_uid, &data, &len, err);
    if (r == IMAP_OK)
        r = parse(m, data, len, &p, err);
    if (r != IMAP_OK)
        return r;
    const char *id = raw_header(req, &p, "Message-ID");
    if (id != NULL) {
        id += strspn(id, " \t");
        size_t n = strcspn(id, " \t");
        id = arena_strndup(req->arena, id, n);
        if (!mb_msgids_valid(id))
            id = NULL;
    }
    if (f->mode == MODE_REPLY || f->mode == MODE_REPLY_ALL) {
        prefill_reply(req, f, &p, compose_user_address(req, m));
        if (id != NULL) {
            f->in_reply_to = id;
            f->references = references(req, msgids_or_empty(raw_header(req, &p, "References")), id);
        }
    } else {
        prefill_forward(req, f, &p);
    }
    f->body_len = strlen(f->body);
    return IMAP_OK;
}

enum imap_result compose_forwarded_files(struct mail *m, struct compose_form *f,
                                         const uint64_t *keep, size_t nkeep, const char **err)
{
    struct request *req = m->req;
    const char *data;
    size_t len;
    enum imap_result r = compose_fetch(m, f->orig_folder, f->orig_uid, &data, &len, err);
    if (r != IMAP_OK)
        return r;
    struct parsed p;
    if (f->mode == MODE_ATTACH) {
        if (!kept(keep, nkeep, 1) || f->natt >= COMPOSE_ATTACH_MAX)
            return IMAP_OK;
        const char *subject = "message";
        if (parse(m, data, len, &p, err) == IMAP_OK) {
            const char *s = decoded(req, raw_header(req, &p, "Subject"));
            if (s[0])
                subject = s;
        }
        struct buf name;
        buf_init(&name);
        rfc2047_safe_filename(subject, strlen(subject), &name);
        struct mb_attachment *a = &f->att[f->natt];
        a->name = arena_printf(req->arena, "%s.eml", buf_cstr(&name));
        a->type = "message/rfc822";
        a->data = data;
        a->len = len;
        f->src[f->natt++] = 1;
        buf_free(&name);
        return IMAP_OK;
    }
    r = parse(m, data, len, &p, err);
    if (r != IMAP_OK)
        return r;
    for (size_t i = 0; i < p.plan.nattach; i++)
        if (kept(keep, nkeep, (unsigned)i + 1))
            add_part(req, f, p.plan.attach[i], (unsigned)i + 1);
    return IMAP_OK;
}
