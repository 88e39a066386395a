/* pop3.c — POP3 commands with checked replies (see pop3.h). */
#include "pop3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "arena.h"
#include "buf.h"
#include "upstream.h"

#define LINE_MAX_BYTES 1000           /* RFC 1939 lines are 512 */
#define LIST_BUDGET    (64u << 20)

/* Sends "cmd\r\n" and reads the status line: POP3_OK for +OK. */
static enum pop3_result command(struct up_pop3 *u, struct arena *a, const char *cmd, size_t budget,
                                const char **err)
{
    mailstream *st = up_pop3_stream(u);
    if (st == NULL)
        return POP3_DEAD;
    up_pop3_deadline(u, 0, budget);
    size_t n = strlen(cmd);
    if (mailstream_write(st, cmd, n) != (ssize_t)n || mailstream_write(st, "\r\n", 2) != 2 ||
        mailstream_flush(st) < 0) {
        *err = "the connection to the mail server failed";
        return POP3_DEAD;
    }
    MMAPString *line = mmap_string_new("");
    enum pop3_result r = POP3_DEAD;
    *err = "the connection to the mail server failed";
    if (mailstream_read_line_remove_eol(st, line) != NULL) {
        if (strncmp(line->str, "+OK", 3) == 0) {
            r = POP3_OK;
        } else if (strncmp(line->str, "-ERR", 4) == 0) {
            r = POP3_ERR;
            *err = arena_printf(a, "the mail server refused: %.200s", line->str + 4);
        } else {
            r = POP3_BAD;
            *err = "the mail server's answer breaks the POP3 rules";
        }
    }
    mmap_string_free(line);
    return r;
}

/* Reads a multi-line reply's lines (dot-unstuffed) up to "."; calls fn
 * on each (return -1 to stop as bad). */
static enum pop3_result lines(struct up_pop3 *u, int (*fn)(void *, const char *, size_t), void *ctx,
                              const char **err)
{
    mailstream *st = up_pop3_stream(u);
    MMAPString *line = mmap_string_new("");
    enum pop3_result r = POP3_OK;
    for (;;) {
        if (mailstream_read_line_remove_eol(st, line) == NULL) {
            *err = "the connection to the mail server failed";
            r = POP3_DEAD;
            break;
        }
        const char *s = line->str;
        size_t n = line->len;
        if (n == 1 && s[0] == '.')
            break;
        if (n > 0 && s[0] == '.') {
            s++;
            n--;
        }
        if (r == POP3_OK && fn(ctx, s, n) < 0) {
            r = POP3_BAD;
            *err = "the mail server's answer breaks the POP3 rules";
        }
    }
    mmap_string_free(line);
    return r;
}

struct listing {
    struct pop3_box *box;
    struct arena *a;
    size_t cap;
    bool uidl;       /* the UIDL pass */
    size_t seen;
};

/* "N SIZE" (LIST) or "N UID" (UIDL) */
static int listing_line(void *ctx, const char *s, size_t n)
{
    struct listing *l = ctx;
    char buf[LINE_MAX_BYTES + 1];
    if (n > LINE_MAX_BYTES)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    unsigned long num = strtoul(buf, &end, 10);
    if (end == buf || *end != ' ' || num != l->seen + 1 || num > POP3_MESSAGES_MAX)
        return -1;   /* numbers must run 1, 2, 3 ... (0 crashes libetpan) */
    const char *arg = end + 1;
    if (!l->uidl) {
        char *e2;
        unsigned long long size = strtoull(arg, &e2, 10);
        if (e2 == arg || (*e2 != '\0' && *e2 != ' '))
            return -1;
        if (l->box->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 256;
            struct pop3_msg *v = arena_alloc(l->a, cap * sizeof(*v));
            if (l->box->n)
                memcpy(v, l->box->v, l->box->n * sizeof(*v));
            l->box->v = v;
            l->cap = cap;
        }
        l->box->v[l->box->n++] = (struct pop3_msg){ .num = (unsigned)num, .size = size };
    } else {
        size_t k = strlen(arg);
        if (num > l->box->n || k == 0 || k > POP3_UIDL_MAX)
            return -1;
        for (size_t i = 0; i < k; i++)
            if ((unsigned char)arg[i] < 0x21 || (unsigned char)arg[i] > 0x7e)
                return -1;
        memcpy(l->box->v[num - 1].uidl, arg, k + 1);
    }
    l->seen++;
    return 0;
}

static int uidl_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

enum pop3_result pop3_listing(struct up_pop3 *u, struct arena *a, struct pop3_box *box,
                              const char **err)
{
    memset(box, 0, sizeof(*box));
    struct listing l = { .box = box, .a = a };
    enum pop3_result r = command(u, a, "LIST", LIST_BUDGET, err);
    if (r == POP3_OK)
        r = lines(u, listing_line, &l, err);
    if (r != POP3_OK)
        return r;
    l.uidl = true;
    l.seen = 0;
    r = command(u, a, "UIDL", LIST_BUDGET, err);
    if (r == POP3_OK)
        r = lines(u, listing_line, &l, err);
    if (r != POP3_OK)
        return r;
    if (l.seen != box->n) {
        *err = "the mail server's LIST and UIDL disagree";
        return POP3_BAD;
    }
    /* unique-ids must be unique, or messages could be mistaken */
    const char **ids = arena_alloc(a, (box->n ? box->n : 1) * sizeof(*ids));
    for (size_t i = 0; i < box->n; i++)
        ids[i] = box->v[i].uidl;
    qsort(ids, box->n, sizeof(*ids), uidl_cmp);
    for (size_t i = 1; i < box->n; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0) {
            *err = "the mail server gives two messages the same unique-id";
            return POP3_BAD;
        }
    return POP3_OK;
}

const struct pop3_msg *pop3_find(const struct pop3_box *box, const char *uidl)
{
    for (size_t i = 0; i < box->n; i++)
        if (strcmp(box->v[i].uidl, uidl) == 0)
            return &box->v[i];
    return NULL;
}

struct collect {
    struct buf b;
    size_t max;
    bool cut;
};

static int collect_line(void *ctx, const char *s, size_t n)
{
    struct collect *c = ctx;
    if (c->b.len + n + 2 > c->max) {
        c->cut = true;
        return 0;     /* keep reading to the end, keep nothing */
    }
    buf_append(&c->b, s, n);
    buf_append(&c->b, "\r\n", 2);
    return 0;
}

enum pop3_result pop3_fetch(struct up_pop3 *u, struct arena *a, unsigned num, long nlines,
                            size_t max, const char **data, size_t *len, bool *cut,
                            const char **err)
{
    char cmd[64];
    if (nlines >= 0)
        snprintf(cmd, sizeof(cmd), "TOP %u %ld", num, nlines);
    else
        snprintf(cmd, sizeof(cmd), "RETR %u", num);
    struct collect c = { .max = max };
    buf_init(&c.b);
    enum pop3_result r = command(u, a, cmd, max + (16u << 20), err);
    if (r == POP3_OK)
        r = lines(u, collect_line, &c, err);
    *data = arena_strndup(a, c.b.data ? c.b.data : "", c.b.len);
    *len = c.b.len;
    *cut = c.cut;
    buf_free(&c.b);
    return r;
}

enum pop3_result pop3_dele(struct up_pop3 *u, struct arena *a, unsigned num, const char **err)
{
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "DELE %u", num);
    return command(u, a, cmd, 4096, err);
}
