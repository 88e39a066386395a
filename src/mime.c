/* mime.c — a raw message to a part tree (see mime.h). */
#include "mime.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"

#define BOUNDARY_MAX 200

struct parser {
    struct arena *a;
    int max_depth;
    size_t max_parts, parts;
    bool refused;
};

/* End of the header block of d[0..n): the offset of the body. */
static size_t header_end(const char *d, size_t n, size_t *hlen)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n')
            continue;
        if (i + 1 < n && d[i + 1] == '\n') {
            *hlen = i + 1;
            return i + 2;
        }
        if (i + 2 < n && d[i + 1] == '\r' && d[i + 2] == '\n') {
            *hlen = i + 1;
            return i + 3;
        }
    }
    if (n > 0 && (d[0] == '\n' || (n > 1 && d[0] == '\r' && d[1] == '\n'))) {
        *hlen = 0;
        return d[0] == '\n' ? 1 : 2;
    }
    *hlen = n;
    return n;
}

const char *mime_header(struct arena *a, const char *h, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && h[end] != '\n')
            end++;
        if (end - i > nl && strncasecmp(h + i, name, nl) == 0 && h[i + nl] == ':') {
            struct buf v;
            buf_init(&v);
            size_t j = i + nl + 1;
            for (;;) {
                buf_append(&v, h + j, end - j);
                if (end + 1 < len && (h[end + 1] == ' ' || h[end + 1] == '\t') && v.len < 65536) {
                    j = end + 1;
                    end = j;
                    while (end < len && h[end] != '\n')
                        end++;
                    continue;
                }
                break;
            }
            char *out = arena_strdup(a, buf_cstr(&v));
            buf_free(&v);
            for (char *c = out; *c; c++)
                if (*c == '\r' || *c == '\n' || *c == '\0')
                    *c = ' ';
            return out;
        }
        i = end + 1;
    }
    return NULL;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static char *lower(struct arena *a, const char *s, size_t n)
{
    char *d = arena_strndup(a, s, n);
    for (char *c = d; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return d;
}

/* A token or quoted-string at *s; advances *s. */
static const char *value(struct arena *a, const char **s)
{
    const char *p = skip_ws(*s);
    struct buf b;
    buf_init(&b);
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            buf_putc(&b, *p);
        }
        if (*p == '"')
            p++;
    } else {
        while (*p && *p != ';' && *p != ' ' && *p != '\t')
            buf_putc(&b, *p++);
    }
    *s = p;
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* "; name=value" parameters after *s into params. */
static void parameters(struct arena *a, const char *s, struct bs_param **out, size_t *nout)
{
    size_t cap = 8, n = 0;
    struct bs_param *v = arena_alloc(a, cap * sizeof(*v));
    while ((s = strchr(s, ';')) != NULL && n < 64) {
        s = skip_ws(s + 1);
        const char *eq = strchr(s, '=');
        if (eq == NULL)
            break;
        const char *name_end = eq;
        while (name_end > s && (name_end[-1] == ' ' || name_end[-1] == '\t'))
            name_end--;
        if (name_end == s || memchr(s, ';', (size_t)(eq - s)) != NULL)
            continue;
        if (n == cap) {
            struct bs_param *w = arena_alloc(a, cap * 2 * sizeof(*w));
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[n].name = lower(a, s, (size_t)(name_end - s));
        s = eq + 1;
        v[n].value = value(a, &s);
        n++;
    }
    *out = v;
    *nout = n;
}

/* Content-Type "type/subtype; params" into p (default text/plain). */
static void content_type(struct parser *ps, const char *ct, const char *dflt, struct bs_part *p)
{
    const char *s = ct ? skip_ws(ct) : dflt;
    const char *slash = strchr(s, '/');
    size_t end = strcspn(s, "; \t");
    if (slash == NULL || (size_t)(slash - s) >= end || slash == s) {
        s = dflt;
        slash = strchr(s, '/');
        end = strcspn(s, "; \t");
    }
    p->type = lower(ps->a, s, (size_t)(slash - s));
    p->subtype = lower(ps->a, slash + 1, end - (size_t)(slash - s) - 1);
    if (p->subtype[0] == '\0')
        p->subtype = strcmp(p->type, "text") == 0 ? "plain" : "octet-stream";
    parameters(ps->a, s + end, &p->params, &p->nparams);
}

static void disposition(struct parser *ps, const char *cd, struct bs_part *p)
{
    if (cd == NULL)
        return;
    const char *s = skip_ws(cd);
    size_t end = strcspn(s, "; \t");
    if (end > 0)
        p->disposition = lower(ps->a, s, end);
    parameters(ps->a, s + end, &p->dparams, &p->ndparams);
}

static size_t count_lines(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

static void entity(struct parser *ps, const char *d, size_t n, struct bs_part *p,
                   struct bs_part *parent, const char *section, const char *dflt, int depth);

/* Is line d[0..n) the delimiter "--b" (end: "--b--")? 1, 2 for the end, 0. */
static int delimiter(const char *d, size_t n, const char *b, size_t bl)
{
    if (n < bl + 2 || d[0] != '-' || d[1] != '-' || memcmp(d + 2, b, bl) != 0)
        return 0;
    size_t i = bl + 2;
    int close = 0;
    if (i + 1 < n + 1 && i + 2 <= n && d[i] == '-' && d[i + 1] == '-') {
        close = 1;
        i += 2;
    }
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r'))
        i++;
    return i == n ? 1 + close : 0;
}

static void multipart(struct parser *ps, const char *d, size_t n, struct bs_part *p,
                      const char *section, int depth)
{
    const char *b = bs_param(p->params, p->nparams, "boundary");
    size_t bl = b ? strlen(b) : 0;
    const char *dflt = strcmp(p->subtype, "digest") == 0 ? "message/rfc822" : "text/plain";
    size_t cap = 4, k = 0;
    struct bs_part *kids = arena_alloc(ps->a, cap * sizeof(*kids));
    const char *start = NULL;
    bool closed = false;
    for (size_t i = 0; i < n && bl > 0 && bl <= BOUNDARY_MAX && !closed;) {
        size_t e = i;
        while (e < n && d[e] != '\n')
            e++;
        int kind = delimiter(d + i, e - i, b, bl);
        if (kind != 0) {
            if (start != NULL) {
                size_t plen = (size_t)(d + i - start);
                if (plen > 0 && start[plen - 1] == '\n')
                    plen--;
                if (plen > 0 && start[plen - 1] == '\r')
                    plen--;
                if (k == cap) {
                    struct bs_part *w = arena_alloc(ps->a, cap * 2 * sizeof(*w));
                    memcpy(w, kids, k * sizeof(*kids));
                    kids = w;
                    cap *= 2;
                }
                char sec[sizeof(p->section)];
                if (snprintf(sec, sizeof(sec), "%s%s%zu", section, *section ? "." : "", k + 1) >= (int)sizeof(sec)) {
                    ps->refused = true;
                    return;
                }
                entity(ps, start, plen, &kids[k], p, sec, dflt, depth + 1);
                k++;
                if (ps->refused)
                    return;
            }
            start = e < n ? d + e + 1 : d + n;
            closed = kind == 2;
        }
        i = e + 1;
    }
    if (start != NULL && !closed && start < d + n) {   /* no closing delimiter: the rest */
        char sec[sizeof(p->section)];
        snprintf(sec, sizeof(sec), "%s%s%zu", section, *section ? "." : "", k + 1);
        if (k == cap) {
            struct bs_part *w = arena_alloc(ps->a, cap * 2 * sizeof(*w));
            memcpy(w, kids, k * sizeof(*kids));
            kids = w;
        }
        entity(ps, start, (size_t)(d + n - start), &kids[k], p, sec, dflt, depth + 1);
        k++;
        if (ps->refused)
            return;
    }
    if (k == 0) {   /* nothing to split: show the body as text */
        p->type = "text";
        p->subtype = "plain";
        p->nparams = 0;
        p->body = d;
        p->body_len = n;
        p->size = n;
        snprintf(p->section, sizeof(p->section), "%s", *section ? section : "1");
        return;
    }
    p->parts = kids;
    p->nparts = k;
    for (size_t j = 0; j < k; j++)
        for (size_t m = 0; m < kids[j].nparts; m++)
            kids[j].parts[m].parent = &kids[j];
}

static void entity(struct parser *ps, const char *d, size_t n, struct bs_part *p,
                   struct bs_part *parent, const char *section, const char *dflt, int depth)
{
    memset(p, 0, sizeof(*p));
    p->parent = parent;
    if (depth > ps->max_depth || ++ps->parts > ps->max_parts) {
        ps->refused = true;
        return;
    }
    size_t hlen;
    size_t off = header_end(d, n, &hlen);
    const char *h = d;
    content_type(ps, mime_header(ps->a, h, hlen, "Content-Type"), dflt, p);
    const char *cte = mime_header(ps->a, h, hlen, "Content-Transfer-Encoding");
    const char *cs = cte ? skip_ws(cte) : "7bit";
    p->encoding = lower(ps->a, cs, strcspn(cs, " \t;"));
    p->id = mime_header(ps->a, h, hlen, "Content-ID");
    if (p->id != NULL)
        p->id = value(ps->a, &(const char *){ p->id });
    p->description = mime_header(ps->a, h, hlen, "Content-Description");
    disposition(ps, mime_header(ps->a, h, hlen, "Content-Disposition"), p);
    const char *body = d + off;
    size_t blen = n - off;
    p->size = blen;
    p->lines = count_lines(body, blen);
    snprintf(p->section, sizeof(p->section), "%s", section);
    if (strcmp(p->type, "multipart") == 0) {
        multipart(ps, body, blen, p, section, depth);
        return;
    }
    if (p->section[0] == '\0')
        snprintf(p->section, sizeof(p->section), "1");
    if (strcmp(p->type, "message") == 0 && strcmp(p->subtype, "rfc822") == 0 &&
        (strcmp(p->encoding, "7bit") == 0 || strcmp(p->encoding, "8bit") == 0 ||
         strcmp(p->encoding, "binary") == 0)) {
        struct bs_part *inner = arena_alloc(ps->a, sizeof(*inner));
        size_t ih;
        header_end(body, blen, &ih);
        p->header = body;
        p->header_len = ih;
        struct bs_envelope *env = arena_alloc(ps->a, sizeof(*env));
        env->date = mime_header(ps->a, body, ih, "Date");
        env->subject = mime_header(ps->a, body, ih, "Subject");
        env->from = mime_header(ps->a, body, ih, "From");
        env->to = mime_header(ps->a, body, ih, "To");
        p->env = env;
        entity(ps, body, blen, inner, p, p->section, "text/plain", depth + 1);
        if (ps->refused)
            return;
        if (strcmp(inner->type, "multipart") != 0) {
            size_t l = strlen(p->section);
            if (l + 3 > sizeof(inner->section)) {
                ps->refused = true;
                return;
            }
            memcpy(inner->section, p->section, l);
            memcpy(inner->section + l, ".1", 3);
        }
        p->parts = inner;
        p->nparts = 1;
        return;
    }
    p->body = body;
    p->body_len = blen;
}

struct bs_part *mime_parse(struct arena *a, const char *msg, size_t len, int max_depth,
                           size_t max_parts, const char **header, size_t *header_len,
                           int *too_complex)
{
    struct parser ps = { .a = a, .max_depth = max_depth < BS_DEPTH_MAX ? max_depth : BS_DEPTH_MAX,
                         .max_parts = max_parts < BS_PARTS_MAX ? max_parts : BS_PARTS_MAX };
    size_t hlen;
    header_end(msg, len, &hlen);
    *header = msg;
    *header_len = hlen;
    struct bs_part *root = arena_alloc(a, sizeof(*root));
    entity(&ps, msg, len, root, NULL, "", "text/plain", 0);
    *too_complex = ps.refused;
    return ps.refused ? NULL : root;
}
