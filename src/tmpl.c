/* tmpl.c — see tmpl.h.
 *
 * Loading scans a template once. Literal text runs through the HTML
 * tokenizer of htmlctx.h so each {{name}} knows where the browser will be;
 * {{#if}} branches may leave it in different states, so the parser carries
 * the set of possible ones (struct htmlctx), and each block remembers the
 * set where it opened. The result is a flat instruction list with jumps.
 *
 * Rendering walks the instructions with a fixed-size frame stack for
 * {{#each}} iterations and partial calls: no recursion, no allocation
 * besides the output buffer's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* memmem, openat, dirfd, even without the Makefile's -D */
#endif
#include "tmpl.h"

#include "arena.h"
#include "buf.h"
#include "htmlctx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FRAMES 64        /* render stack: each iterations + partial calls */
#define MAX_FILE (1 << 20)   /* largest template file */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void *xrealloc(void *p, size_t n)
{
    if ((p = realloc(p, n ? n : 1)) == NULL) {
        fputs("postern: out of memory\n", stderr);
        abort();
    }
    return p;
}

static void *xzalloc(size_t n)
{
    return memset(xrealloc(NULL, n), 0, n);
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xrealloc(NULL, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;  /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static int valid_name(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_name_char((unsigned char)s[i]))
            return 0;
    return n > 0;
}

/* ---- values ---------------------------------------------------------- */

enum vkind { V_STR, V_TRUSTED, V_LIST };

struct entry {
    struct entry *next;
    const char *key;
    size_t klen;
    uint32_t hash;
    enum vkind kind;
    const char *s;                   /* V_STR, V_TRUSTED */
    struct tmpl_vars *first, *last;  /* V_LIST, with count items */
    size_t count;
};

struct tmpl_vars {
    struct arena *a;
    struct entry *head;       /* newest first, so a later put wins */
    struct tmpl_vars *next;   /* next item of the list this scope is in */
};

struct tmpl_vars *tmpl_vars_new(struct arena *a)
{
    struct tmpl_vars *v = arena_alloc(a, sizeof(*v));
    v->a = a;
    return v;
}

static struct entry *vars_add(struct tmpl_vars *v, const char *key,
                              enum vkind kind, const char *s)
{
    struct entry *e = arena_alloc(v->a, sizeof(*e));
    e->key = key;
    e->klen = strlen(key);
    e->hash = hash_name(key, e->klen);
    e->kind = kind;
    e->s = s ? s : "";
    e->next = v->head;
    v->head = e;
    return e;
}

static const struct entry *scope_find(const struct tmpl_vars *v,
                                      const char *name, size_t n, uint32_t h)
{
    for (const struct entry *e = v->head; e != NULL; e = e->next)
        if (e->hash == h && e->klen == n && memcmp(e->key, name, n) == 0)
            return e;
    return NULL;
}

void tmpl_put(struct tmpl_vars *v, const char *key, const char *value)
{
    vars_add(v, key, V_STR, value);
}

void tmpl_put_int(struct tmpl_vars *v, const char *key, long long n)
{
    vars_add(v, key, V_STR, arena_printf(v->a, "%lld", n));
}

void tmpl_put_bool(struct tmpl_vars *v, const char *key, int b)
{
    vars_add(v, key, V_STR, b ? "1" : "0");
}

void tmpl_put_trusted_html(struct tmpl_vars *v, const char *key, const char *html)
{
    vars_add(v, key, V_TRUSTED, html);
}

struct tmpl_vars *tmpl_add_item(struct tmpl_vars *v, const char *key)
{
    size_t n = strlen(key);
    struct entry *e = (struct entry *)scope_find(v, key, n, hash_name(key, n));
    if (e == NULL || e->kind != V_LIST)
        e = vars_add(v, key, V_LIST, NULL);
    struct tmpl_vars *item = tmpl_vars_new(v->a);
    if (e->last != NULL)
        e->last->next = item;
    else
        e->first = item;
    e->last = item;
    e->count++;
    return item;
}

/* ---- escaping -------------------------------------------------------- */

static const char *const html_esc[128] = {
    [0] = "", ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&#39;", ['`'] = "&#96;", ['='] = "&#61;",
};

/* Valid UTF-8 lead bytes: sequence length and the range of the 2nd byte. */
static const struct {
    unsigned char first, last, len, lo, hi;
} utf8_lead[] = {
    {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F},
    {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
    {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

/* Length of the valid UTF-8 sequence at p[0..n), n > 0; or 0 with *bad =
 * length of the maximal invalid subpart, to be replaced by one U+FFFD. */
static size_t utf8_seq(const unsigned char *p, size_t n, size_t *bad)
{
    *bad = 1;
    for (size_t k = 0; k < NELEM(utf8_lead); k++) {
        if (p[0] < utf8_lead[k].first || p[0] > utf8_lead[k].last)
            continue;
        size_t len = utf8_lead[k].len, i = 1;
        if (n > 1 && p[1] >= utf8_lead[k].lo && p[1] <= utf8_lead[k].hi)
            for (i = 2; i < len && i < n && (p[i] & 0xC0) == 0x80; i++)
                ;
        if (i == len)
            return len;
        *bad = i;
        return 0;
    }
    return 0;
}

void tmpl_escape_html(struct buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, len, bad = 1;
    while (i < n) {
        if (p[i] < 0x80 ? html_esc[p[i]] == NULL
                        : (len = utf8_seq(p + i, n - i, &bad)) > 0) {
            i += p[i] < 0x80 ? 1 : len;
            continue;
        }
        buf_append(out, p + run, i - run);
        if (p[i] < 0x80)
            buf_puts(out, html_esc[p[i++]]);
        else
            buf_append(out, "\xEF\xBF\xBD", 3), i += bad;
        run = i;
    }
    buf_append(out, p + run, i - run);
}

static const char *const url_schemes[] = {"http", "https", "mailto"};

int tmpl_url_is_safe(const char *url)
{
    /* "//host" and "/\host" leave the site: browsers read both as
     * scheme-relative, so they are not relative links. */
    if ((url[0] == '/' || url[0] == '\\') && (url[1] == '/' || url[1] == '\\'))
        return 0;
    size_t k = strcspn(url, ":/?#");
    if (url[k] != ':')
        return 1;
    for (size_t i = 0; i < NELEM(url_schemes); i++) {
        const char *sc = url_schemes[i];
        size_t j = 0;
        while (j < k && sc[j] != '\0' && htmlctx_lower((unsigned char)url[j]) == sc[j])
            j++;
        if (j == k && sc[j] == '\0')
            return 1;
    }
    return 0;
}

/* ---- templates and the parser ---------------------------------------- */

enum opcode { OP_TEXT, OP_VAR, OP_INDEX, OP_IF, OP_UNLESS, OP_EACH, OP_NEXT,
              OP_JUMP, OP_INCLUDE };

struct op {
    unsigned char code;      /* enum opcode */
    unsigned char ctx;       /* OP_VAR: enum htmlctx_escape */
    unsigned char base;      /* OP_INDEX: 0 for @index, 1 for @number */
    unsigned char loops;     /* OP_INCLUDE: {{#each}} blocks around it */
    unsigned line;           /* in the source */
    uint32_t hash;           /* of the name */
    size_t off, len;         /* text or name, in the template's pool */
    size_t jump;             /* IF/UNLESS/EACH: where to go if false/empty;
                                JUMP: target; NEXT: start of the loop body */
    size_t end;              /* NEXT: after the whole {{#each}} block */
    const struct tmpl *inc;  /* OP_INCLUDE once linked; NULL while missing */
};

struct tmpl {
    char *name;          /* "settings" */
    char *label;         /* in errors: "settings.html" */
    size_t idx;          /* position in the set */
    struct buf pool;     /* literal text and names */
    struct op *ops;
    size_t nops, cap;
    unsigned max_loops;  /* deepest {{#each}} nesting */
};

struct tmpl_set {
    struct tmpl **t;
    size_t n, cap;
};

enum blk { BLK_IF, BLK_UNLESS, BLK_EACH, BLK__MAX };

static const struct {
    const char *word;
    enum opcode op;
} blocks[BLK__MAX] = {
    [BLK_IF] = {"if", OP_IF}, [BLK_UNLESS] = {"unless", OP_UNLESS},
    [BLK_EACH] = {"each", OP_EACH},
};

struct pblock {            /* an open {{#block}} */
    unsigned char kind, has_else;
    unsigned line;
    size_t open;           /* its OP_IF/OP_UNLESS/OP_EACH */
    size_t mid;            /* the OP_JUMP/OP_NEXT before {{else}} */
    struct htmlctx start;  /* tokenizer states where it opened */
    struct htmlctx body;   /* states at the end of its first branch */
};

struct parser {
    struct tmpl *t;
    char *err;
    size_t errlen;
    unsigned line, depth, loops;
    int merge;             /* the last op is OP_TEXT and may grow */
    struct htmlctx cur;    /* possible tokenizer states here */
    struct pblock blk[TMPL_MAX_NEST];
};

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->errlen > 0)
        snprintf(p->err, p->errlen, "%s:%u: %s", p->t->label, line, msg);
    return -1;
}

static unsigned count_nl(const char *s, size_t n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

static struct op *emit(struct parser *p, enum opcode code, const char *s, size_t n)
{
    struct tmpl *t = p->t;
    if (t->nops == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 32;
        t->ops = xrealloc(t->ops, t->cap * sizeof(*t->ops));
    }
    struct op *op = memset(&t->ops[t->nops++], 0, sizeof(*op));
    op->code = (unsigned char)code;
    op->line = p->line;
    op->off = t->pool.len;
    op->len = n;
    op->hash = code == OP_TEXT ? 0 : hash_name(s, n);
    buf_append(&t->pool, s, n);
    p->merge = 0;
    return op;
}

/* Literal text: moves every possible tokenizer state over it. */
static int literal(struct parser *p, const char *s, size_t n)
{
    size_t at;
    const char *why;
    if (htmlctx_feed(&p->cur, s, n, &at, &why) < 0)
        return fail(p, p->line + count_nl(s, at), "%s", why);
    if (n > 0 && p->merge) {
        p->t->ops[p->t->nops - 1].len += n;
        buf_append(&p->t->pool, s, n);
    } else if (n > 0) {
        emit(p, OP_TEXT, s, n);
        p->merge = 1;
    }
    p->line += count_nl(s, n);
    return 0;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && htmlctx_is_space((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n > 0 && htmlctx_is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static int block_kind(const char *w, size_t n)
{
    for (int k = 0; k < BLK__MAX; k++)
        if (strlen(blocks[k].word) == n && memcmp(blocks[k].word, w, n) == 0)
            return k;
    return -1;
}

static int d_open(struct parser *p, const char *s, size_t n)
{
    size_t w = 0;
    while (w < n && !htmlctx_is_space((unsigned char)s[w]))
        w++;
    const char *name = s + w;
    size_t nl = n - w;
    int k = block_kind(s, w);
    trim(&name, &nl);
    if (k < 0)
        return fail(p, p->line, "unknown directive {{#%.*s}}", (int)(w < 20 ? w : 20), s);
    if (!valid_name(name, nl))
        return fail(p, p->line, "bad name in {{#%s}}", blocks[k].word);
    if (p->depth == TMPL_MAX_NEST)
        return fail(p, p->line, "blocks nested deeper than %d", TMPL_MAX_NEST);
    struct pblock *b = &p->blk[p->depth++];
    *b = (struct pblock){.kind = (unsigned char)k, .line = p->line,
                         .open = p->t->nops, .start = p->cur};
    emit(p, blocks[k].op, name, nl);
    if (k == BLK_EACH && ++p->loops > p->t->max_loops)
        p->t->max_loops = p->loops;
    return 0;
}

/* End of an {{#each}} body: the next iteration starts in the same states. */
static int end_loop_body(struct parser *p, const struct pblock *b)
{
    if (!htmlctx_covers(&b->start, &p->cur))
        return fail(p, p->line, "{{#each}} body changes HTML context");
    emit(p, OP_NEXT, "", 0)->jump = b->open + 1;
    p->loops--;
    return 0;
}

static int d_else(struct parser *p)
{
    struct pblock *b = p->depth > 0 ? &p->blk[p->depth - 1] : NULL;
    if (b == NULL)
        return fail(p, p->line, "{{else}} outside a block");
    if (b->has_else)
        return fail(p, p->line, "second {{else}} in {{#%s}}", blocks[b->kind].word);
    b->has_else = 1;
    b->mid = p->t->nops;
    if (b->kind == BLK_EACH && end_loop_body(p, b) < 0)
        return -1;
    if (b->kind != BLK_EACH)
        emit(p, OP_JUMP, "", 0);
    p->t->ops[b->open].jump = p->t->nops;
    b->body = p->cur;
    p->cur = b->start;
    return 0;
}

static int d_close(struct parser *p, const char *s, size_t n)
{
    int k = block_kind(s, n);
    struct pblock *b = p->depth > 0 ? &p->blk[p->depth - 1] : NULL;
    if (k < 0)
        return fail(p, p->line, "unknown directive {{/%.*s}}", (int)(n < 20 ? n : 20), s);
    if (b == NULL)
        return fail(p, p->line, "{{/%s}} without an open block", blocks[k].word);
    if (k != b->kind)
        return fail(p, p->line, "{{/%s}} closes {{#%s}} from line %u",
                    blocks[k].word, blocks[b->kind].word, b->line);
    if (k == BLK_EACH && !b->has_else) {
        if (end_loop_body(p, b) < 0)
            return -1;
        b->mid = p->t->nops - 1;
        p->t->ops[b->open].jump = p->t->nops;
    }
    if (k == BLK_EACH)
        p->t->ops[b->mid].end = p->t->nops;
    else
        p->t->ops[b->has_else ? b->mid : b->open].jump = p->t->nops;
    p->merge = 0;
    p->depth--;
    if (htmlctx_merge(&p->cur, b->has_else ? &b->body : &b->start) < 0)
        return fail(p, p->line, "too many possible HTML contexts after {{/%s}}",
                    blocks[k].word);
    return 0;
}

static int d_include(struct parser *p, const char *s, size_t n)
{
    trim(&s, &n);
    if (!valid_name(s, n))
        return fail(p, p->line, "bad name in {{> partial}}");
    if (!htmlctx_in_text(&p->cur))
        return fail(p, p->line, "{{> partial}} outside HTML text");
    emit(p, OP_INCLUDE, s, n)->loops = (unsigned char)p->loops;
    return 0;
}

static int d_var(struct parser *p, const char *s, size_t n)
{
    int base = n == 6 && memcmp(s, "@index", 6) == 0 ? 0
             : n == 7 && memcmp(s, "@number", 7) == 0 ? 1 : -1;
    if (n == 4 && memcmp(s, "else", 4) == 0)
        return d_else(p);
    if (s[0] == '@' && base < 0)
        return fail(p, p->line, "unknown variable (only @index and @number)");
    if (base < 0 && !valid_name(s, n))
        return fail(p, p->line, is_name_char((unsigned char)s[0]) ? "bad name"
                                                              : "unknown directive");
    const char *why;
    int ctx = htmlctx_escape(&p->cur, &why);
    if (ctx < 0)
        return fail(p, p->line, "%s", why);
    struct op *op = base < 0 ? emit(p, OP_VAR, s, n) : emit(p, OP_INDEX, "", 0);
    op->ctx = (unsigned char)ctx;
    op->base = (unsigned char)base;
    return 0;
}

/* What is inside {{ }}, by its first character. */
static int directive(struct parser *p, const char *s, size_t n)
{
    trim(&s, &n);
    if (n == 0)
        return fail(p, p->line, "empty {{}}");
    if (s[0] == '!')
        return 0;
    if (s[0] == '#')
        return d_open(p, s + 1, n - 1);
    if (s[0] == '/' || s[0] == '>') {
        const char *w = s + 1;
        size_t wn = n - 1;
        trim(&w, &wn);
        return s[0] == '/' ? d_close(p, w, wn) : d_include(p, w, wn);
    }
    return d_var(p, s, n);
}

static int parse(struct parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    p->line = 1;
    htmlctx_init(&p->cur);
    while (pos <= len) {
        const char *open = memmem(text + pos, len - pos, "{{", 2);
        size_t at = open ? (size_t)(open - text) : len;
        if (literal(p, text + pos, at - pos) < 0)
            return -1;
        if (open == NULL)
            break;
        const char *close = memmem(text + at + 2, len - at - 2, "}}", 2);
        if (close == NULL)
            return fail(p, p->line, "unclosed {{");
        size_t n = (size_t)(close - text) - at - 2;
        if (directive(p, text + at + 2, n) < 0)
            return -1;
        p->line += count_nl(text + at + 2, n);
        pos = at + 2 + n + 2;
    }
    if (p->depth > 0)
        return fail(p, p->blk[p->depth - 1].line, "unclosed {{#%s}}",
                    blocks[p->blk[p->depth - 1].kind].word);
    if (!htmlctx_in_text(&p->cur))
        return fail(p, p->line, "template ends inside a tag, comment or raw-text element");
    return 0;
}

/* ---- sets ------------------------------------------------------------ */

static void tmpl_free(struct tmpl *t)
{
    free(t->name);
    free(t->label);
    buf_free(&t->pool);
    free(t->ops);
    free(t);
}

struct tmpl_set *tmpl_set_new(void)
{
    return xzalloc(sizeof(struct tmpl_set));
}

void tmpl_set_free(struct tmpl_set *set)
{
    for (size_t i = 0; set != NULL && i < set->n; i++)
        tmpl_free(set->t[i]);
    if (set != NULL)
        free(set->t);
    free(set);
}

static const struct tmpl *find(const struct tmpl_set *set, const char *name, size_t n)
{
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->t[i]->name) == n && memcmp(set->t[i]->name, name, n) == 0)
            return set->t[i];
    return NULL;
}

int tmpl_set_has(const struct tmpl_set *set, const char *name)
{
    return find(set, name, strlen(name)) != NULL;
}

/* Points every {{> name}} at its template (NULL while missing). */
static void relink(struct tmpl_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct tmpl *t = set->t[i];
        t->idx = i;
        for (size_t k = 0; k < t->nops; k++)   /* (ops is NULL when empty) */
            if (t->ops[k].code == OP_INCLUDE)
                t->ops[k].inc = find(set, t->pool.data + t->ops[k].off, t->ops[k].len);
    }
}

struct visit {
    unsigned char mark;     /* 0 new, 1 on the current path, 2 done */
    unsigned height, need;  /* longest include chain; render frames needed */
};

static int check_fail(char *err, size_t errlen, const struct tmpl *t,
                      const struct op *op, const char *what)
{
    if (errlen > 0)
        snprintf(err, errlen, "%s:%u: %s {{> %.*s}}", t->label, op->line, what,
                 op->len < 40 ? (int)op->len : 40, t->pool.data + op->off);
    return -1;
}

/* Depth-first over the partials of t, found at chain position depth. */
static int check_tmpl(const struct tmpl *t, struct visit *v, unsigned depth,
                      int strict, char *err, size_t errlen)
{
    struct visit *me = &v[t->idx];
    if (me->mark == 2)
        return 0;
    *me = (struct visit){.mark = 1, .height = 1, .need = t->max_loops};
    for (size_t k = 0; k < t->nops; k++) {
        const struct op *op = &t->ops[k];
        if (op->code != OP_INCLUDE || (op->inc == NULL && !strict))
            continue;
        if (op->inc == NULL)
            return check_fail(err, errlen, t, op, "unknown partial");
        const struct visit *sub = &v[op->inc->idx];
        if (sub->mark == 1)
            return check_fail(err, errlen, t, op, "include cycle through");
        if (depth + 1 >= TMPL_MAX_INCLUDE)
            return check_fail(err, errlen, t, op, "partials nested too deeply at");
        if (check_tmpl(op->inc, v, depth + 1, strict, err, errlen) < 0)
            return -1;
        if (sub->height + 1 > me->height)
            me->height = sub->height + 1;
        if (op->loops + 1 + sub->need > me->need)
            me->need = op->loops + 1 + sub->need;
        if (me->height > TMPL_MAX_INCLUDE || me->need > MAX_FRAMES)
            return check_fail(err, errlen, t, op, "partials nested too deeply at");
    }
    me->mark = 2;
    return 0;
}

static int check(const struct tmpl_set *set, int strict, char *err, size_t errlen)
{
    struct visit *v = xzalloc((set->n + 1) * sizeof(*v));
    int rc = 0;
    for (size_t i = 0; i < set->n && rc == 0; i++)
        rc = check_tmpl(set->t[i], v, 0, strict, err, errlen);
    free(v);
    return rc;
}

int tmpl_set_check(const struct tmpl_set *set, char *err, size_t errlen)
{
    return check(set, 1, err, errlen);
}

/* Parses text as template name (errors say label) and adds it to set. */
static int add(struct tmpl_set *set, const char *name, size_t nlen, const char *label,
               const char *text, size_t len, char *err, size_t errlen)
{
    struct tmpl *t = xzalloc(sizeof(*t));
    struct parser *p = xzalloc(sizeof(*p));
    t->name = xstrndup(name, nlen);
    t->label = xstrndup(label, strlen(label));
    *p = (struct parser){.t = t, .err = err, .errlen = errlen};
    int rc = !valid_name(name, nlen) ? fail(p, 1, "bad template name")
           : find(set, name, nlen) ? fail(p, 1, "template already loaded")
           : parse(p, text, len);
    free(p);
    if (rc < 0) {
        tmpl_free(t);
        return -1;
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 16;
        set->t = xrealloc(set->t, set->cap * sizeof(*set->t));
    }
    set->t[set->n++] = t;
    relink(set);
    if (check(set, 0, err, errlen) == 0)
        return 0;
    tmpl_free(set->t[--set->n]);
    relink(set);
    return -1;
}

int tmpl_set_add(struct tmpl_set *set, const char *name, const char *text,
                 size_t len, char *err, size_t errlen)
{
    return add(set, name, strlen(name), name, len > 0 ? text : "", len, err, errlen);
}

/* Reads dir/fname and adds it; 0, or -1 with err. */
static int load_file(struct tmpl_set *set, int dfd, const char *fname,
                     char *err, size_t errlen)
{
    int fd = openat(dfd, fname, O_RDONLY | O_CLOEXEC), rc = -1;
    const char *why = NULL;
    char *text = NULL;
    size_t len = 0, size;
    ssize_t r = 0;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE)
        why = "not a regular file of at most 1 MiB";
    if (why == NULL) {
        size = (size_t)st.st_size;
        text = xrealloc(NULL, size + 1);  /* +1: notices a file that grew */
        while (len <= size && (r = read(fd, text + len, size + 1 - len)) > 0)
            len += (size_t)r;
        why = r < 0 ? strerror(errno) : len > size ? "file changed while read" : NULL;
    }
    if (why == NULL)
        rc = add(set, fname, strlen(fname) - 5, fname, text, len, err, errlen);
    else if (errlen > 0)
        snprintf(err, errlen, "%s:0: cannot read: %s", fname, why);
    if (fd >= 0)
        close(fd);
    free(text);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int tmpl_set_load_dir(const char *dir, struct tmpl_set **set_r, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, len;
    struct dirent *de;
    int rc = 0;
    *set_r = NULL;
    if (d == NULL) {
        if (errlen > 0)
            snprintf(err, errlen, "%s:0: cannot open: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.' && (len = strlen(de->d_name)) > 5 &&
            strcmp(de->d_name + len - 5, ".html") == 0) {
            names = xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = xstrndup(de->d_name, len);
        }
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_str);
    struct tmpl_set *set = tmpl_set_new();
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = load_file(set, dirfd(d), names[i], err, errlen);
        free(names[i]);
    }
    free(names);
    closedir(d);
    if (rc == 0 && tmpl_set_check(set, err, errlen) == 0)
        return *set_r = set, 0;
    tmpl_set_free(set);
    return -1;
}

/* ---- rendering ------------------------------------------------------- */

struct frame {
    const struct tmpl *t;           /* call: the caller; NULL for a loop */
    size_t pc;                      /* call: where to resume */
    const struct tmpl_vars *item;   /* loop: current item */
    size_t idx;                     /* loop: its index */
};

struct render {
    const struct tmpl_vars *root;
    const struct tmpl *t;           /* template being run */
    unsigned sp;
    struct frame f[MAX_FRAMES];
};

/* The op's name: in the innermost item first, then outwards. */
static const struct entry *lookup(const struct render *r, const struct op *op)
{
    const char *name = r->t->pool.data + op->off;
    const struct entry *e;
    for (unsigned i = r->sp; i-- > 0;)
        if (r->f[i].t == NULL &&
            (e = scope_find(r->f[i].item, name, op->len, op->hash)) != NULL)
            return e;
    return r->root ? scope_find(r->root, name, op->len, op->hash) : NULL;
}

static int truthy(const struct entry *e)
{
    if (e == NULL || e->kind == V_LIST)
        return e != NULL && e->count > 0;
    return e->s[0] != '\0' && !(e->kind == V_STR && strcmp(e->s, "0") == 0);
}

static void put_value(struct buf *out, const struct entry *e, int ctx)
{
    if (e == NULL || e->kind == V_LIST)
        return;
    if (e->kind == V_TRUSTED && ctx == HTMLCTX_TEXT)
        buf_puts(out, e->s);
    else if (ctx == HTMLCTX_URL && !tmpl_url_is_safe(e->s))
        buf_puts(out, "about:invalid");
    else
        tmpl_escape_html(out, e->s, strlen(e->s));
}

/* Runs op; returns the next pc. */
static size_t step(struct render *r, const struct op *op, size_t pc, struct buf *out)
{
    const struct entry *e;
    struct frame *f = r->sp > 0 ? &r->f[r->sp - 1] : NULL;
    switch ((enum opcode)op->code) {
    case OP_TEXT:
        buf_append(out, r->t->pool.data + op->off, op->len);
        break;
    case OP_VAR:
        put_value(out, lookup(r, op), op->ctx);
        break;
    case OP_INDEX:
        for (unsigned i = r->sp; i-- > 0;)
            if (r->f[i].t == NULL) {
                buf_printf(out, "%zu", r->f[i].idx + op->base);
                break;
            }
        break;
    case OP_IF:
    case OP_UNLESS:
        return truthy(lookup(r, op)) == (op->code == OP_IF) ? pc + 1 : op->jump;
    case OP_JUMP:
        return op->jump;
    case OP_EACH:
        e = lookup(r, op);
        if (e == NULL || e->kind != V_LIST || e->first == NULL || r->sp == MAX_FRAMES)
            return op->jump;
        r->f[r->sp++] = (struct frame){.item = e->first};
        break;
    case OP_NEXT:
        f->idx++;
        if ((f->item = f->item->next) != NULL)
            return op->jump;
        r->sp--;
        return op->end;
    case OP_INCLUDE:
        if (op->inc == NULL || r->sp == MAX_FRAMES)
            break;
        r->f[r->sp++] = (struct frame){.t = r->t, .pc = pc + 1};
        r->t = op->inc;
        return 0;
    }
    return pc + 1;
}

int tmpl_render(const struct tmpl_set *set, const char *name,
                const struct tmpl_vars *vars, struct buf *out)
{
    struct render r;  /* frames left uninitialised: only [0, sp) is read */
    size_t pc = 0;
    r.root = vars;
    r.t = find(set, name, strlen(name));
    r.sp = 0;
    if (r.t == NULL)
        return -1;
    for (;;) {
        if (pc < r.t->nops) {
            pc = step(&r, &r.t->ops[pc], pc, out);
            continue;
        }
        while (r.sp > 0 && r.f[r.sp - 1].t == NULL)  /* defensive: unwind loops */
            r.sp--;
        if (r.sp == 0)
            break;
        r.sp--;
        pc = r.f[r.sp].pc;
        r.t = r.f[r.sp].t;
    }
    buf_append(out, "", 0);  /* NUL-terminated even if nothing was written */
    return 0;
}
