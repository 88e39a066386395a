/* bodystructure.c — BODYSTRUCTURE tokens to a part tree (see
 * bodystructure.h). Grammar (RFC 3501 body, body-type-mpart,
 * body-type-1part, body-ext-*): a part is "(" ... ")"; a multipart starts
 * with its child parts, then the subtype; a single part starts with type
 * and subtype strings. */
#include "bodystructure.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"

struct parser {
    struct arena *a;
    const struct imapw_tok *t;
    size_t n, i;
    size_t parts;
    int max_depth;
    size_t max_parts;
};

static bool at(const struct parser *p, enum imapw_tok_kind k)
{
    return p->i < p->n && p->t[p->i].kind == k;
}

static char *lower_dup(struct arena *a, const char *s)
{
    char *d = arena_strdup(a, s);
    for (char *c = d; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return d;
}

/* nstring: a string or NIL (NULL); an atom is accepted as a string. */
static int nstring(struct parser *p, const char **out, bool lower)
{
    if (p->i >= p->n)
        return -1;
    const struct imapw_tok *k = &p->t[p->i++];
    if (k->kind == IMAPW_NIL) {
        *out = NULL;
        return 0;
    }
    if (k->kind != IMAPW_STRING && k->kind != IMAPW_ATOM)
        return -1;
    *out = lower ? lower_dup(p->a, k->s) : k->s;
    return 0;
}

static int number(struct parser *p, uint64_t *out)
{
    if (imapw_u64(p->t, p->n, p->i, out) < 0)
        return -1;
    p->i++;
    return 0;
}

/* Skips one value of any shape (extension data). */
static void skip_value(struct parser *p)
{
    if (at(p, IMAPW_OPEN))
        p->i = imapw_skip_list(p->t, p->n, p->i);
    else if (p->i < p->n)
        p->i++;
}

/* body-fld-param: "(" name value ... ")" or NIL */
static int params(struct parser *p, struct bs_param **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (at(p, IMAPW_NIL)) {
        p->i++;
        return 0;
    }
    if (!at(p, IMAPW_OPEN))
        return -1;
    size_t end = imapw_skip_list(p->t, p->n, p->i);
    size_t max = (end - p->i) / 2 + 1;
    struct bs_param *v = arena_alloc(p->a, max * sizeof(*v));
    p->i++;
    size_t k = 0;
    while (p->i < p->n && !at(p, IMAPW_CLOSE)) {
        const char *name, *value;
        if (nstring(p, &name, true) < 0 || nstring(p, &value, false) < 0 || name == NULL || k >= max)
            return -1;
        v[k++] = (struct bs_param){ name, value ? value : "" };
    }
    if (!at(p, IMAPW_CLOSE))
        return -1;
    p->i++;
    *out = v;
    *nout = k;
    return 0;
}

/* body-fld-dsp: "(" string body-fld-param ")" or NIL */
static int disposition(struct parser *p, struct bs_part *part)
{
    if (at(p, IMAPW_NIL)) {
        p->i++;
        return 0;
    }
    if (!at(p, IMAPW_OPEN))
        return -1;
    p->i++;
    if (nstring(p, &part->disposition, true) < 0 ||
        params(p, &part->dparams, &part->ndparams) < 0 || !at(p, IMAPW_CLOSE))
        return -1;
    p->i++;
    return 0;
}

/* The rest of a part after its known fields: extension data up to ")". */
static int finish(struct parser *p)
{
    while (p->i < p->n && !at(p, IMAPW_CLOSE))
        skip_value(p);
    if (!at(p, IMAPW_CLOSE))
        return -1;
    p->i++;
    return 0;
}

static int address_first(struct parser *p, const char **out)
{
    /* address list: NIL or "(" "(" name adl mailbox host ")" ... ")";
     * kept as "name <mailbox@host>" of the first address */
    *out = NULL;
    if (at(p, IMAPW_NIL)) {
        p->i++;
        return 0;
    }
    size_t end = imapw_skip_list(p->t, p->n, p->i);
    if (p->i + 6 < end && p->t[p->i + 1].kind == IMAPW_OPEN) {
        const struct imapw_tok *a = &p->t[p->i + 2];
        const char *name = a[0].kind == IMAPW_STRING ? a[0].s : NULL;
        const char *mbox = a[2].kind == IMAPW_STRING ? a[2].s : "";
        const char *host = a[3].kind == IMAPW_STRING ? a[3].s : "";
        *out = name && *name ? arena_printf(p->a, "%s <%s@%s>", name, mbox, host)
                             : arena_printf(p->a, "%s@%s", mbox, host);
    }
    p->i = end;
    return 0;
}

static int envelope(struct parser *p, struct bs_envelope **out)
{
    if (!at(p, IMAPW_OPEN))
        return -1;
    size_t end = imapw_skip_list(p->t, p->n, p->i);
    struct bs_envelope *e = arena_alloc(p->a, sizeof(*e));
    p->i++;
    const char *ignore;
    if (nstring(p, &e->date, false) < 0 || nstring(p, &e->subject, false) < 0 ||
        address_first(p, &e->from) < 0 || address_first(p, &ignore) < 0 ||
        address_first(p, &ignore) < 0 || address_first(p, &e->to) < 0)
        return -1;
    p->i = end;   /* cc bcc in-reply-to message-id: not needed here */
    *out = e;
    return 0;
}

static int part(struct parser *p, struct bs_part *out, struct bs_part *parent,
                const char *section, int depth);

static int multipart(struct parser *p, struct bs_part *out, const char *section, int depth)
{
    size_t cap = 0, k = 0;
    struct bs_part *kids = NULL;
    while (at(p, IMAPW_OPEN)) {
        if (k == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            struct bs_part *v = arena_alloc(p->a, ncap * sizeof(*v));
            if (k)
                memcpy(v, kids, k * sizeof(*v));
            kids = v;
            cap = ncap;
        }
        char sec[sizeof(out->section)];
        if (snprintf(sec, sizeof(sec), "%s%s%zu", section, *section ? "." : "", k + 1) >= (int)sizeof(sec))
            return -1;
        if (part(p, &kids[k], out, sec, depth + 1) < 0)
            return -1;
        k++;
    }
    out->type = "multipart";
    if (nstring(p, &out->subtype, true) < 0 || out->subtype == NULL)
        return -1;
    out->parts = kids;
    out->nparts = k;
    for (size_t j = 0; j < k; j++) {   /* children moved: fix their children's parent */
        kids[j].parent = out;
        for (size_t m = 0; m < kids[j].nparts; m++)
            kids[j].parts[m].parent = &kids[j];
    }
    snprintf(out->section, sizeof(out->section), "%s", section);
    /* body-ext-mpart: params, disposition, language, location, ... */
    if (!at(p, IMAPW_CLOSE) && params(p, &out->params, &out->nparams) < 0)
        return -1;
    if (!at(p, IMAPW_CLOSE) && disposition(p, out) < 0)
        return -1;
    return finish(p);
}

static int single(struct parser *p, struct bs_part *out, const char *section, int depth)
{
    uint64_t size;
    if (nstring(p, &out->type, true) < 0 || nstring(p, &out->subtype, true) < 0 ||
        out->type == NULL || out->subtype == NULL ||
        params(p, &out->params, &out->nparams) < 0 || nstring(p, &out->id, false) < 0 ||
        nstring(p, &out->description, false) < 0 || nstring(p, &out->encoding, true) < 0 ||
        number(p, &size) < 0)
        return -1;
    out->size = size;
    if (strcmp(out->type, "text") == 0 && out->subtype[0] == '\0')
        out->subtype = "plain";   /* "Content-Type: text": RFC 2045's default subtype */
    snprintf(out->section, sizeof(out->section), "%s", *section ? section : "1");
    if (strcmp(out->type, "message") == 0 && strcmp(out->subtype, "rfc822") == 0 && at(p, IMAPW_OPEN)) {
        char sec[sizeof(out->section)];
        if (snprintf(sec, sizeof(sec), "%s", out->section) >= (int)sizeof(sec) || envelope(p, &out->env) < 0)
            return -1;
        out->parts = arena_alloc(p->a, sizeof(*out->parts));
        out->nparts = 1;
        /* the embedded body's sections are "N.1", "N.2" ... when it is
         * multipart, "N.1" when it is single */
        if (part(p, &out->parts[0], out, sec, depth + 1) < 0 || number(p, &out->lines) < 0)
            return -1;
        if (strcmp(out->parts[0].type, "multipart") != 0) {
            size_t l = strlen(sec);
            if (l + 3 > sizeof(out->parts[0].section))
                return -1;
            memcpy(out->parts[0].section, sec, l);
            memcpy(out->parts[0].section + l, ".1", 3);
        }
    } else if (strcmp(out->type, "text") == 0) {
        if (number(p, &out->lines) < 0)
            return -1;
    }
    /* body-ext-1part: md5, disposition, language, location */
    if (!at(p, IMAPW_CLOSE))
        skip_value(p);
    if (!at(p, IMAPW_CLOSE) && disposition(p, out) < 0)
        return -1;
    return finish(p);
}

static int part(struct parser *p, struct bs_part *out, struct bs_part *parent,
                const char *section, int depth)
{
    if (depth > p->max_depth || ++p->parts > p->max_parts || !at(p, IMAPW_OPEN))
        return -1;
    p->i++;
    memset(out, 0, sizeof(*out));
    out->parent = parent;
    if (at(p, IMAPW_OPEN))
        return multipart(p, out, section, depth);
    return single(p, out, section, depth);
}

struct bs_part *bs_parse(struct arena *a, const struct imapw_tok *t, size_t n, size_t *i)
{
    return bs_parse_limited(a, t, n, i, BS_DEPTH_MAX, BS_PARTS_MAX);
}

struct bs_part *bs_parse_limited(struct arena *a, const struct imapw_tok *t, size_t n, size_t *i,
                                 int max_depth, size_t max_parts)
{
    struct parser p = { .a = a, .t = t, .n = n, .i = *i,
                        .max_depth = max_depth < BS_DEPTH_MAX ? max_depth : BS_DEPTH_MAX,
                        .max_parts = max_parts < BS_PARTS_MAX ? max_parts : BS_PARTS_MAX };
    struct bs_part *root = arena_alloc(a, sizeof(*root));
    if (part(&p, root, NULL, "", 0) < 0)
        return NULL;
    if (strcmp(root->type, "multipart") == 0)
        root->section[0] = '\0';
    *i = p.i;
    return root;
}

const char *bs_param(const struct bs_param *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].name, name) == 0)
            return p[i].value;
    return NULL;
}

void bs_walk(struct bs_part *root, void (*fn)(struct bs_part *, void *), void *ctx)
{
    if (root == NULL)
        return;
    fn(root, ctx);
    for (size_t i = 0; i < root->nparts; i++)
        bs_walk(&root->parts[i], fn, ctx);
}

struct bs_part *bs_find(struct bs_part *root, const char *section)
{
    if (root == NULL)
        return NULL;
    if (strcmp(root->section, section) == 0 && strcmp(root->type, "multipart") != 0)
        return root;
    for (size_t i = 0; i < root->nparts; i++) {
        struct bs_part *f = bs_find(&root->parts[i], section);
        if (f != NULL)
            return f;
    }
    return NULL;
}

bool bs_is_attachment(const struct bs_part *p)
{
    if (strcmp(p->type, "multipart") == 0)
        return false;
    if (p->disposition != NULL && strcmp(p->disposition, "attachment") == 0)
        return true;
    bool named = bs_param(p->dparams, p->ndparams, "filename") != NULL ||
                 bs_param(p->dparams, p->ndparams, "filename*") != NULL ||
                 bs_param(p->dparams, p->ndparams, "filename*0") != NULL ||
                 bs_param(p->dparams, p->ndparams, "filename*0*") != NULL ||
                 bs_param(p->params, p->nparams, "name") != NULL;
    if (strcmp(p->type, "text") == 0)
        return named;   /* an inline one is also shown (mimeview) */
    if (strcmp(p->type, "message") == 0 && strcmp(p->subtype, "rfc822") == 0)
        return true;
    if (strcmp(p->type, "image") == 0 && p->id != NULL &&
        (p->disposition == NULL || strcmp(p->disposition, "inline") == 0))
        return false;   /* an inline picture the HTML shows */
    return true;
}
