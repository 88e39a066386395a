/* imap_wire.c — hand-written IMAP commands and a bounded reply tokenizer
 * (see imap_wire.h). */
#include "imap_wire.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "arena.h"
#include "upstream.h"

/* A literal in the command text: "\x01<index>\x01" stands for piece index,
 * whose bytes are kept in the pieces array. */
#define LITERAL_MARK '\x01'

void imapw_cmd_init(struct imapw_cmd *c, bool literal_plus)
{
    memset(c, 0, sizeof(*c));
    buf_init(&c->text);
    c->literal_plus = literal_plus;
}

void imapw_cmd_free(struct imapw_cmd *c)
{
    buf_free(&c->text);
    for (size_t i = 0; i < c->nlit; i++) {
        if (c->lit[i].borrowed)
            continue;
        explicit_bzero(c->lit[i].data, c->lit[i].len);
        free(c->lit[i].data);
    }
    free(c->lit);
    c->lit = NULL;
    c->nlit = c->litcap = 0;
}

void imapw_raw(struct imapw_cmd *c, const char *text)
{
    buf_puts(&c->text, text);
}

void imapw_num(struct imapw_cmd *c, uint64_t n)
{
    buf_printf(&c->text, "%llu", (unsigned long long)n);
}

/* Adds a literal's bytes and its marker to the command text. */
static void add_piece(struct imapw_cmd *c, char *data, size_t len, bool borrowed)
{
    if (c->nlit == c->litcap) {
        size_t cap = c->litcap ? c->litcap * 2 : 4;
        struct imapw_piece *v = realloc(c->lit, cap * sizeof(*v));
        if (v == NULL)
            abort();
        c->lit = v;
        c->litcap = cap;
    }
    c->lit[c->nlit] = (struct imapw_piece){ data, len, borrowed, NULL, NULL };
    buf_printf(&c->text, "{%zu%s}%c%zu%c", len, c->literal_plus ? "+" : "", LITERAL_MARK,
               c->nlit, LITERAL_MARK);
    c->nlit++;
}

void imapw_string(struct imapw_cmd *c, const char *s, size_t len)
{
    bool quotable = len <= 1000;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r' || ch == '\n' || ch == '\0') {
            c->bad = true;
            return;
        }
        if (ch < 0x20 || ch >= 0x7f)
            quotable = false;
    }
    if (quotable) {
        buf_putc(&c->text, '"');
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '"' || s[i] == '\\')
                buf_putc(&c->text, '\\');
            buf_putc(&c->text, s[i]);
        }
        buf_putc(&c->text, '"');
        return;
    }
    char *copy = malloc(len ? len : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, s, len);
    add_piece(c, copy, len, false);
}

void imapw_literal(struct imapw_cmd *c, const char *data, size_t len)
{
    add_piece(c, (char *)data, len, true);
}

void imapw_literal_gen(struct imapw_cmd *c, size_t len, imapw_gen_fn gen, void *ctx)
{
    add_piece(c, NULL, len, true);
    c->lit[c->nlit - 1].gen = gen;
    c->lit[c->nlit - 1].gen_ctx = ctx;
}

/* --- reading ----------------------------------------------------------- */

struct reader {
    size_t max_literal;
    mailstream *st;
    MMAPString *line;
    struct arena *a;
    struct imapw_tok *tok;
    size_t n, cap;
};

static int push(struct reader *r, enum imapw_tok_kind k, const char *s, size_t len)
{
    if (r->n >= IMAPW_TOKENS_MAX)
        return -1;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct imapw_tok *v = realloc(r->tok, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        r->tok = v;
        r->cap = cap;
    }
    r->tok[r->n++] = (struct imapw_tok){ k, s, len };
    return 0;
}

/* Reads exactly len bytes of a literal into arena memory. */
static char *read_literal(struct reader *r, size_t len)
{
    char *p = arena_alloc(r->a, len + 1);
    size_t got = 0;
    while (got < len) {
        ssize_t k = mailstream_read(r->st, p + got, len - got);
        if (k <= 0)
            return NULL;
        got += (size_t)k;
    }
    p[len] = '\0';
    return p;
}

/* "{123}" or "{123+}" ending the line at s[0..len): its size, or -1. */
static long literal_at_end(const char *s, size_t len)
{
    if (len < 3 || s[len - 1] != '}')
        return -1;
    size_t i = len - 2;
    if (s[i] == '+')
        i--;
    size_t end = i + 1;
    while (i > 0 && isdigit((unsigned char)s[i]))
        i--;
    if (s[i] != '{' || i + 1 == end || end - i - 1 > 9)
        return -1;
    return strtol(s + i + 1, NULL, 10);
}

static int tokenize_quoted(struct reader *r, const char *s, size_t len, size_t *pos)
{
    size_t i = *pos + 1;
    char *out = arena_alloc(r->a, len - *pos + 1);
    size_t o = 0;
    while (i < len && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < len)
            i++;
        out[o++] = s[i++];
    }
    if (i >= len)
        return -1;
    out[o] = '\0';
    *pos = i + 1;
    return push(r, IMAPW_STRING, out, o);
}

/* Tokenizes s[0..len) (a line without CRLF, its literal marker cut off). */
static int tokenize(struct reader *r, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        char ch = s[i];
        if (ch == ' ') {
            i++;
        } else if (ch == '(' || ch == ')') {
            if (push(r, ch == '(' ? IMAPW_OPEN : IMAPW_CLOSE, "", 0) < 0)
                return -1;
            i++;
        } else if (ch == '"') {
            if (tokenize_quoted(r, s, len, &i) < 0)
                return -1;
        } else {
            size_t b = i;
            while (i < len && s[i] != ' ' && s[i] != '(' && s[i] != ')')
                i++;
            char *atom = arena_strndup(r->a, s + b, i - b);
            bool nil = i - b == 3 && strncasecmp(atom, "NIL", 3) == 0;
            if (push(r, nil ? IMAPW_NIL : IMAPW_ATOM, atom, i - b) < 0)
                return -1;
        }
    }
    return 0;
}

/* Reads one whole reply (lines joined across literals) into tokens. The
 * first line's raw text is left in *first (arena copy) for tagged replies. */
static int read_reply(struct reader *r, char **first)
{
    r->n = 0;
    *first = NULL;
    for (int lines = 0;; lines++) {
        if (mailstream_read_line_remove_eol(r->st, r->line) == NULL)
            return -1;
        const char *s = r->line->str;
        size_t len = r->line->len;
        if (lines == 0)
            *first = arena_strndup(r->a, s, len);
        long lit = literal_at_end(s, len);
        if (lit < 0)
            return tokenize(r, s, len);
        if ((unsigned long)lit > r->max_literal || lines > 10000)
            return -1;
        size_t cut = len;
        while (cut > 0 && s[cut - 1] != '{')
            cut--;
        if (tokenize(r, s, cut - 1) < 0)
            return -1;
        char *data = read_literal(r, (size_t)lit);
        if (data == NULL || push(r, IMAPW_STRING, data, (size_t)lit) < 0)
            return -1;
    }
}

/* "TAG OK [CODE x] text": fills st and returns the result. */
static enum imapw_result tagged(const char *line, size_t taglen, struct imapw_status *st)
{
    const char *p = line + taglen;
    while (*p == ' ')
        p++;
    enum imapw_result res = strncasecmp(p, "OK", 2) == 0 ? IMAPW_OK
                          : strncasecmp(p, "NO", 2) == 0 ? IMAPW_NO
                          : strncasecmp(p, "BAD", 3) == 0 ? IMAPW_BAD : IMAPW_DEAD;
    if (st != NULL) {
        st->code[0] = st->code_args[0] = '\0';
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            p++;
        if (*p == '[') {
            size_t k = strcspn(p + 1, " ]");
            snprintf(st->code, sizeof(st->code), "%.*s", (int)k, p + 1);
            const char *close = strchr(p, ']');
            const char *args = p + 1 + k;
            while (*args == ' ')
                args++;
            size_t alen = close && close > args ? (size_t)(close - args) : 0;
            if (alen < sizeof(st->code_args))
                snprintf(st->code_args, sizeof(st->code_args), "%.*s", (int)alen, args);
            p = close ? close + 1 : p + strlen(p);
            while (*p == ' ')
                p++;
        }
        size_t o = 0;
        for (; *p && o + 1 < sizeof(st->text); p++)
            st->text[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
        st->text[o] = '\0';
    }
    return res;
}

static int send_all(mailstream *st, const char *s, size_t len)
{
    return len == 0 || mailstream_write(st, s, len) == (ssize_t)len ? 0 : -1;
}

struct counted {
    mailstream *st;
    size_t left;            /* bytes the literal may still take */
};

static int counted_put(void *ctx, const char *data, size_t len)
{
    struct counted *k = ctx;
    if (len > k->left)
        return -1;
    k->left -= len;
    return send_all(k->st, data, len);
}

/* One literal's bytes: as held, or as its generator writes them (exactly
 * the announced size). */
static int send_piece(mailstream *st, const struct imapw_piece *p)
{
    if (p->gen == NULL)
        return send_all(st, p->data, p->len);
    struct counted k = { st, p->len };
    return p->gen(p->gen_ctx, counted_put, &k) < 0 || k.left != 0 ? -1 : 0;
}

/* Sends the command text, expanding literal markers. With synchronizing
 * literals, waits for "+" after each size announcement. */
static int send_cmd(struct reader *r, const char *tag, struct imapw_cmd *c, char **early)
{
    const char *s = buf_cstr(&c->text);
    *early = NULL;
    if (send_all(r->st, tag, strlen(tag)) < 0 || send_all(r->st, " ", 1) < 0)
        return -1;
    for (;;) {
        const char *mark = strchr(s, LITERAL_MARK);
        if (mark == NULL)
            break;
        if (send_all(r->st, s, (size_t)(mark - s)) < 0 || send_all(r->st, "\r\n", 2) < 0)
            return -1;
        size_t idx = strtoul(mark + 1, NULL, 10);
        const char *end = strchr(mark + 1, LITERAL_MARK);
        if (end == NULL || idx >= c->nlit)
            return -1;
        if (!c->literal_plus) {
            if (mailstream_flush(r->st) < 0 || read_reply(r, early) < 0)
                return -1;
            if ((*early)[0] != '+')
                return 1;    /* the server answered instead of "+" */
        }
        if (send_piece(r->st, &c->lit[idx]) < 0)
            return -1;
        s = end + 1;
    }
    if (send_all(r->st, s, strlen(s)) < 0 || send_all(r->st, "\r\n", 2) < 0)
        return -1;
    return mailstream_flush(r->st) < 0 ? -1 : 0;
}

/* An untagged "N EXISTS" or "N EXPUNGE" updates the watched count. */
static void track_exists(struct up_imap *u, const struct imapw_tok *t, size_t n)
{
    uint32_t *exists = up_imap_exists_watch(u);
    uint64_t v;
    if (exists == NULL || n < 2 || imapw_u64(t, n, 0, &v) < 0)
        return;
    if (imapw_is(t, n, 1, "EXISTS") && v <= UINT32_MAX)
        *exists = (uint32_t)v;
    else if (imapw_is(t, n, 1, "EXPUNGE") && *exists > 0)
        (*exists)--;
}

enum imapw_result imapw_run(struct up_imap *u, struct arena *a, struct imapw_cmd *c,
                            imapw_untagged_fn fn, void *ctx, struct imapw_status *st)
{
    static atomic_uint counter;
    if (st != NULL)
        st->text[0] = st->code[0] = st->code_args[0] = '\0';
    if (c->bad)
        return IMAPW_REFUSED;
    struct mailimap *imap = up_imap_session(u);
    struct reader r = { .st = imap->imap_stream, .a = a,
                        .max_literal = c->max_literal ? c->max_literal : IMAPW_LITERAL_MAX };
    if (r.st == NULL)
        return IMAPW_DEAD;
    up_imap_deadline(u, 0, r.max_literal + IMAPW_BUDGET_EXTRA);
    r.line = mmap_string_new("");
    char tag[16];
    snprintf(tag, sizeof(tag), "p%u", atomic_fetch_add(&counter, 1) % 1000000u);
    size_t taglen = strlen(tag);
    enum imapw_result res = IMAPW_DEAD;
    char *first = NULL;
    int sent = send_cmd(&r, tag, c, &first);
    if (sent < 0)
        goto out;
    for (;;) {
        if (sent == 0 && read_reply(&r, &first) < 0)
            goto out;
        sent = 0;
        if (first[0] == '*' && first[1] == ' ') {
            track_exists(u, r.tok + 1, r.n > 0 ? r.n - 1 : 0);
            /* drop the "*" token itself */
            if (r.n > 0 && fn != NULL && fn(ctx, r.tok + 1, r.n - 1) < 0) {
                res = IMAPW_DEAD;
                goto out;
            }
            continue;
        }
        if (strncmp(first, tag, taglen) == 0 && first[taglen] == ' ') {
            res = tagged(first, taglen, st);
            goto out;
        }
        goto out;   /* "+" out of turn or another tag: not our conversation */
    }
out:
    free(r.tok);
    mmap_string_free(r.line);
    return res;
}

int imapw_tokenize(struct arena *a, const char *s, size_t len, struct imapw_tok **out, size_t *n)
{
    struct reader r = { .a = a, .max_literal = IMAPW_LITERAL_MAX };
    if (tokenize(&r, s, len) < 0) {
        free(r.tok);
        return -1;
    }
    *out = r.tok;
    *n = r.n;
    return 0;
}

/* --- helpers for callbacks -------------------------------------------- */

bool imapw_is(const struct imapw_tok *t, size_t n, size_t i, const char *word)
{
    return i < n && t[i].kind == IMAPW_ATOM && strcasecmp(t[i].s, word) == 0;
}

int imapw_u64(const struct imapw_tok *t, size_t n, size_t i, uint64_t *out)
{
    *out = 0;
    if (i >= n || t[i].kind != IMAPW_ATOM || t[i].len == 0 || t[i].len > 19)
        return -1;
    uint64_t v = 0;
    for (size_t k = 0; k < t[i].len; k++) {
        if (!isdigit((unsigned char)t[i].s[k]))
            return -1;
        v = v * 10 + (uint64_t)(t[i].s[k] - '0');
    }
    *out = v;
    return 0;
}

size_t imapw_skip_list(const struct imapw_tok *t, size_t n, size_t i)
{
    int depth = 0;
    for (; i < n; i++) {
        if (t[i].kind == IMAPW_OPEN)
            depth++;
        else if (t[i].kind == IMAPW_CLOSE && --depth == 0)
            return i + 1;
    }
    return n;
}

/* --- IDLE (RFC 2177) ---------------------------------------------------- */

/* Reads one whole reply with the session's deadline of timeout_ms. */
static int idle_read_reply(struct up_imap *u, struct arena *a, int timeout_ms,
                           struct imapw_tok **tok, size_t *n, char **first)
{
    struct mailimap *imap = up_imap_session(u);
    struct reader r = { .st = imap->imap_stream, .a = a, .max_literal = IMAPW_LITERAL_MAX };
    if (r.st == NULL)
        return -1;
    up_imap_deadline(u, timeout_ms, IMAPW_LITERAL_MAX + IMAPW_BUDGET_EXTRA);
    r.line = mmap_string_new("");
    int rc = read_reply(&r, first);
    mmap_string_free(r.line);
    *tok = r.tok;
    *n = r.n;
    return rc;
}

/* Hands an untagged reply (without its "*") to fn; 0, or -1 when it is BYE
 * or fn fails. */
static int idle_untagged(const struct imapw_tok *t, size_t n, imapw_untagged_fn fn, void *ctx)
{
    if (n > 1 && imapw_is(t, n, 1, "BYE"))
        return -1;
    return n > 1 && fn != NULL ? fn(ctx, t + 1, n - 1) : 0;
}

/* Sends line, then reads replies (untagged ones to fn) until the "+" of
 * IDLE (plus: IMAPW_OK) or idle's tagged reply (its result; for IDLE an
 * OK without "+" is not idling: DEAD). */
static enum imapw_result idle_exchange(struct up_imap *u, struct arena *a, const struct imapw_idle *idle,
                                       const char *line, bool plus, int timeout_ms,
                                       imapw_untagged_fn fn, void *ctx)
{
    struct mailimap *imap = up_imap_session(u);
    if (imap->imap_stream == NULL)
        return IMAPW_DEAD;
    up_imap_deadline(u, timeout_ms, IMAPW_BUDGET_EXTRA);
    if (send_all(imap->imap_stream, line, strlen(line)) < 0 || mailstream_flush(imap->imap_stream) < 0)
        return IMAPW_DEAD;
    size_t taglen = strlen(idle->tag);
    for (int replies = 0; replies < 100000; replies++) {
        struct imapw_tok *tok = NULL;
        size_t n = 0;
        char *first = NULL;
        int rc = idle_read_reply(u, a, timeout_ms, &tok, &n, &first);
        enum imapw_result res = IMAPW_DEAD;
        if (rc == 0 && first[0] == '*' && first[1] == ' ') {
            rc = idle_untagged(tok, n, fn, ctx);
            free(tok);
            if (rc < 0)
                return IMAPW_DEAD;
            continue;
        }
        if (rc == 0 && plus && first[0] == '+')
            res = IMAPW_OK;
        else if (rc == 0 && strncmp(first, idle->tag, taglen) == 0 && first[taglen] == ' ')
            res = tagged(first, taglen, NULL);
        free(tok);
        if (plus && res == IMAPW_OK && first[0] != '+')
            res = IMAPW_DEAD;
        return res;
    }
    return IMAPW_DEAD;
}

enum imapw_result imapw_idle_begin(struct up_imap *u, struct arena *a, struct imapw_idle *idle,
                                   int timeout_ms, imapw_untagged_fn fn, void *ctx)
{
    static atomic_uint counter;
    snprintf(idle->tag, sizeof(idle->tag), "i%u", atomic_fetch_add(&counter, 1) % 1000000u);
    char line[32];
    snprintf(line, sizeof(line), "%s IDLE\r\n", idle->tag);
    return idle_exchange(u, a, idle, line, true, timeout_ms, fn, ctx);
}

int imapw_idle_read(struct up_imap *u, struct arena *a, const struct imapw_idle *idle,
                    int timeout_ms, imapw_untagged_fn fn, void *ctx)
{
    (void)idle;
    struct imapw_tok *tok = NULL;
    size_t n = 0;
    char *first = NULL;
    int rc = idle_read_reply(u, a, timeout_ms, &tok, &n, &first);
    if (rc == 0)
        rc = first[0] == '*' && first[1] == ' ' ? idle_untagged(tok, n, fn, ctx) : -1;
    free(tok);
    return rc;
}

enum imapw_result imapw_idle_end(struct up_imap *u, struct arena *a, const struct imapw_idle *idle,
                                 int timeout_ms, imapw_untagged_fn fn, void *ctx)
{
    return idle_exchange(u, a, idle, "DONE\r\n", false, timeout_ms, fn, ctx);
}
