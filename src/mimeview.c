/* mimeview.c — which parts to show and how to decode them (see mimeview.h). */
#include "mimeview.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>
#include <openssl/evp.h>

#include "arena.h"
#include "charset.h"
#include "rfc2047.h"
#include "textbody.h"

static bool is(const struct bs_part *p, const char *type, const char *subtype)
{
    return strcmp(p->type, type) == 0 && (subtype == NULL || strcmp(p->subtype, subtype) == 0);
}

static bool showable_text(const struct bs_part *p)
{
    return is(p, "text", "plain") || is(p, "text", "html");
}

static void add_attach(struct mv_plan *pl, const struct bs_part *p)
{
    if (pl->nattach < MV_ATTACH_MAX)
        pl->attach[pl->nattach++] = p;
    else
        pl->more_attachments = true;
}

static void add_body(struct mv_plan *pl, const struct bs_part *p)
{
    if (pl->nbody < MV_BODY_MAX) {
        pl->body[pl->nbody].kind = is(p, "text", "html") ? MV_HTML : MV_TEXT;
        pl->body[pl->nbody].part = p;
        pl->nbody++;
    } else {
        add_attach(pl, p);
    }
}

/* Lists every leaf under p as an attachment (what was not shown). */
static void attach_all(struct mv_plan *pl, const struct bs_part *p)
{
    if (strcmp(p->type, "multipart") == 0) {
        for (size_t i = 0; i < p->nparts; i++)
            attach_all(pl, &p->parts[i]);
    } else {
        add_attach(pl, p);
    }
}

static void walk(struct mv_plan *pl, const struct bs_part *p, int depth);

/* multipart/alternative: the last part we can show (RFC 2046: the parts
 * come in increasing order of preference); the others are the same
 * content and are not listed. */
static bool alternative_showable(const struct bs_part *c)
{
    return showable_text(c) || (is(c, "multipart", NULL) && !is(c, "multipart", "alternative"));
}

static void alternative(struct mv_plan *pl, const struct bs_part *p, int depth)
{
    const struct bs_part *best = NULL;
    for (size_t i = 0; i < p->nparts; i++)
        if (alternative_showable(&p->parts[i]))
            best = &p->parts[i];
    if (best != NULL)
        walk(pl, best, depth + 1);
    else if (p->nparts > 0)
        attach_all(pl, p);
}

static void walk(struct mv_plan *pl, const struct bs_part *p, int depth)
{
    if (depth > BS_DEPTH_MAX)
        return;
    if (is(p, "multipart", "alternative")) {
        alternative(pl, p, depth);
    } else if (is(p, "multipart", "related")) {
        if (p->nparts > 0)
            walk(pl, &p->parts[0], depth + 1);
        for (size_t i = 1; i < p->nparts; i++)   /* inline images: listed unless cid-only */
            if (bs_is_attachment(&p->parts[i]) && p->parts[i].id == NULL)
                add_attach(pl, &p->parts[i]);
    } else if (is(p, "multipart", NULL)) {
        for (size_t i = 0; i < p->nparts; i++)
            walk(pl, &p->parts[i], depth + 1);
    } else if (showable_text(p) && !bs_is_attachment(p)) {
        add_body(pl, p);
    } else if (showable_text(p) && p->disposition != NULL && strcmp(p->disposition, "inline") == 0) {
        add_body(pl, p);      /* a named inline text: shown, and listed to save */
        add_attach(pl, p);
    } else {
        add_attach(pl, p);
    }
}

void mv_plan(const struct bs_part *root, struct mv_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    if (root != NULL)
        walk(plan, root, 0);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
         : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Quoted-printable, leniently (RFC 2045 6.7 note 1): "=XX" decodes (either
 * case), "=" at the end of a line joins lines, any other "=" stays as it
 * is; trailing spaces before a line break are kept. */
static int qp_decode(const char *in, size_t n, size_t cap, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (out->len >= cap)
            return 1;
        if (in[i] != '=') {
            buf_putc(out, in[i]);
            continue;
        }
        size_t j = i + 1;
        while (j < n && (in[j] == ' ' || in[j] == '\t'))
            j++;
        if (j < n && (in[j] == '\r' || in[j] == '\n')) {   /* soft line break */
            i = j + (in[j] == '\r' && j + 1 < n && in[j + 1] == '\n');
            continue;
        }
        if (j == n) {
            i = j;
            continue;
        }
        int hi = i + 2 < n ? hexval(in[i + 1]) : -1, lo = i + 2 < n ? hexval(in[i + 2]) : -1;
        if (hi >= 0 && lo >= 0) {
            buf_putc(out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            buf_putc(out, '=');
        }
    }
    return 0;
}

int mv_transfer_decode(const char *encoding, const char *in, size_t n, size_t cap, struct buf *out)
{
    if (encoding != NULL && strcasecmp(encoding, "quoted-printable") == 0)
        return qp_decode(in, n, cap, out);

    int mech = MAILMIME_MECHANISM_8BIT;
    if (encoding != NULL && strcasecmp(encoding, "base64") == 0)
        mech = MAILMIME_MECHANISM_BASE64;
    if (mech == MAILMIME_MECHANISM_8BIT) {
        size_t k = n < cap ? n : cap;
        buf_append(out, in, k);
        return n > cap;
    }
    size_t idx = 0, len = 0;
    char *res = NULL;
    if (mailmime_part_parse(in, n, &idx, mech, &res, &len) != MAILIMF_NO_ERROR || res == NULL)
        return 0;
    size_t k = len < cap ? len : cap;
    buf_append(out, res, k);
    mmap_string_unref(res);
    return len > cap;
}

unsigned mv_text_utf8(const struct bs_part *p, const char *in, size_t n, size_t cap, struct buf *out)
{
    struct buf raw;
    buf_init(&raw);
    mv_transfer_decode(p->encoding, in, n, cap, &raw);
    const char *cs = bs_param(p->params, p->nparams, "charset");
    unsigned flags = charset_to_utf8(cs ? cs : "us-ascii", raw.data ? raw.data : "", raw.len, cap, out);
    buf_free(&raw);
    return flags;
}

void mv_plain_html(const struct bs_part *p, const char *utf8, size_t n, size_t cap, struct buf *out)
{
    unsigned flags = 0;
    const char *fmt = bs_param(p->params, p->nparams, "format");
    const char *delsp = bs_param(p->params, p->nparams, "delsp");
    if (fmt != NULL && strcasecmp(fmt, "flowed") == 0) {
        flags |= TEXTBODY_FLOWED;
        if (delsp != NULL && strcasecmp(delsp, "yes") == 0)
            flags |= TEXTBODY_DELSP;
    }
    textbody_to_html(utf8, n, flags, cap, out);
}

/* A name from params via RFC 2231/2047, or -1. */
static int param_name(const struct bs_param *bp, size_t n, const char *name, struct buf *out)
{
    struct rfc2231_param v[RFC2231_MAX_PARAMS];
    size_t k = 0;
    for (size_t i = 0; i < n && k < RFC2231_MAX_PARAMS; i++)
        v[k++] = (struct rfc2231_param){ bp[i].name, bp[i].value };
    return rfc2231_get(v, k, name, 1000, out, NULL);
}

void mv_filename(const struct bs_part *p, struct buf *out)
{
    struct buf name;
    buf_init(&name);
    if (param_name(p->dparams, p->ndparams, "filename", &name) < 0 &&
        param_name(p->params, p->nparams, "name", &name) < 0) {
        if (is(p, "message", "rfc822"))
            buf_puts(&name, "message.eml");
        else if (is(p, "text", "calendar"))
            buf_puts(&name, "invite.ics");
        else
            buf_printf(&name, "attachment.%s", strlen(p->subtype) <= 10 ? p->subtype : "bin");
    }
    rfc2047_safe_filename(name.data ? name.data : "", name.len, out);
    buf_free(&name);
}

void mv_type(const struct bs_part *p, struct buf *out)
{
    buf_printf(out, "%s/%s", p->type, p->subtype);
}

bool mv_inline_safe(const struct bs_part *p)
{
    return is(p, "image", "png") || is(p, "image", "jpeg") || is(p, "image", "jpg") ||
           is(p, "image", "gif") || is(p, "image", "webp");
}

static const struct bs_part *find_cid(const struct bs_part *p, const char *cid, size_t len, int depth)
{
    if (depth > BS_DEPTH_MAX)
        return NULL;
    if (p->id != NULL) {
        const char *id = p->id;
        size_t l = strlen(id);
        if (l >= 2 && id[0] == '<' && id[l - 1] == '>') {
            id++;
            l -= 2;
        }
        if (l == len && strncasecmp(id, cid, len) == 0)
            return p;
    }
    for (size_t i = 0; i < p->nparts; i++) {
        const struct bs_part *f = find_cid(&p->parts[i], cid, len, depth + 1);
        if (f != NULL)
            return f;
    }
    return NULL;
}

const char *mv_data_url(struct arena *a, const struct bs_part *p, const char *in, size_t n,
                        size_t cap, size_t *decoded_len)
{
    struct buf bin;
    buf_init(&bin);
    mv_transfer_decode(p->encoding, in, n, cap, &bin);
    if (decoded_len != NULL)
        *decoded_len = bin.len;
    char *url = arena_alloc(a, 4 * ((bin.len + 2) / 3) + 40);
    int k = snprintf(url, 40, "data:image/%s;base64,", strcmp(p->subtype, "jpg") == 0 ? "jpeg" : p->subtype);
    EVP_EncodeBlock((unsigned char *)url + k, (const unsigned char *)(bin.data ? bin.data : ""),
                    (int)bin.len);
    buf_free(&bin);
    return url;
}

const struct bs_part *mv_find_cid(const struct bs_part *root, const char *cid, size_t len)
{
    return root != NULL && len > 0 ? find_cid(root, cid, len, 0) : NULL;
}
