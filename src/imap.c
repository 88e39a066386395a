/* imap.c — the mailbox view's IMAP4 commands (see imap.h). */
#include "imap.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "arena.h"
#include "buf.h"
#include "imap_folders.h"
#include "imap_wire.h"
#include "mutf7.h"
#include "rfc2047.h"
#include "upstream.h"

const char *const imap_special_names[IMAP_SU__MAX] = {
    "", "inbox", "drafts", "sent", "archive", "junk", "trash",
};
const char *const imap_sort_names[IMAP_SORT__MAX] = {
    "arrival", "date", "from", "subject", "size",
};
const char *const imap_search_in_names[IMAP_IN__MAX] = { "all", "from", "subject", "body" };

/* Maps a finished command to our result and sentence. */
static enum imap_result outcome(enum imapw_result r, const struct imapw_status *st,
                                const char *what, struct arena *a, const char **err)
{
    switch (r) {
    case IMAPW_OK:
        return IMAP_OK;
    case IMAPW_NO:
        if (strcasecmp(st->code, "NONEXISTENT") == 0 || strcasecmp(st->code, "TRYCREATE") == 0) {
            *err = arena_printf(a, "%s: it does not exist (any more)", what);
            return IMAP_GONE;
        }
        *err = arena_printf(a, "the mail server refused %s: %s", what, st->text);
        return IMAP_NO;
    case IMAPW_BAD:
        *err = arena_printf(a, "the mail server did not understand %s: %s", what, st->text);
        return IMAP_NO;
    case IMAPW_REFUSED:
        *err = arena_printf(a, "%s: the text holds a line break or NUL", what);
        return IMAP_BADARG;
    case IMAPW_DEAD:
    default:
        *err = arena_printf(a, "the connection to the mail server failed during %s", what);
        return IMAP_DEAD;
    }
}

enum imap_result imap_outcome(enum imapw_result r, const struct imapw_status *st,
                              const char *what, struct arena *a, const char **err)
{
    return outcome(r, st, what, a, err);
}

/* --- capabilities ------------------------------------------------------ */

static int caps_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct imap_caps *c = ctx;
    if (!imapw_is(t, n, 0, "CAPABILITY"))
        return 0;
    for (size_t i = 1; i < n; i++) {
        const char *w = t[i].s;
        if (t[i].kind != IMAPW_ATOM)
            continue;
        if (strcasecmp(w, "SORT") == 0) c->sort = true;
        else if (strcasecmp(w, "ESORT") == 0) c->esort = true;
        else if (strcasecmp(w, "CONTEXT=SORT") == 0 || strcasecmp(w, "CONTEXT=SEARCH") == 0) c->context_sort = true;
        else if (strcasecmp(w, "LIST-STATUS") == 0) c->list_status = true;
        else if (strcasecmp(w, "SPECIAL-USE") == 0) c->special_use = true;
        else if (strcasecmp(w, "CONDSTORE") == 0 || strcasecmp(w, "QRESYNC") == 0) c->condstore = true;
        else if (strcasecmp(w, "MOVE") == 0) c->move = true;
        else if (strcasecmp(w, "UIDPLUS") == 0) c->uidplus = true;
        else if (strcasecmp(w, "IDLE") == 0) c->idle = true;
        else if (strcasecmp(w, "LITERAL+") == 0) c->literal_plus = true;
    }
    return 0;
}

enum imap_result imap_caps(struct up_imap *u, struct arena *a, struct imap_caps *c,
                           const char **err)
{
    memset(c, 0, sizeof(*c));
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "CAPABILITY");
    enum imapw_result r = imapw_run(u, a, &cmd, caps_reply, c, &st);
    imapw_cmd_free(&cmd);
    return outcome(r, &st, "CAPABILITY", a, err);
}

/* --- folders ----------------------------------------------------------- */

struct folder_list {
    struct arena *a;
    struct imap_folder *v;
    size_t n, cap;
};

static enum imap_special special_of(const struct imapw_tok *t, size_t n, size_t from, size_t to)
{
    static const struct { const char *flag; enum imap_special su; } map[] = {
        {"\\Drafts", IMAP_SU_DRAFTS}, {"\\Sent", IMAP_SU_SENT}, {"\\Archive", IMAP_SU_ARCHIVE},
        {"\\Junk", IMAP_SU_JUNK}, {"\\Trash", IMAP_SU_TRASH},
    };
    for (size_t i = from; i < to && i < n; i++)
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
            if (imapw_is(t, n, i, map[k].flag))
                return map[k].su;
    return IMAP_SU_NONE;
}

/* Names used for special folders on servers without SPECIAL-USE. */
static enum imap_special special_by_name(const char *name)
{
    static const struct { const char *name; enum imap_special su; } map[] = {
        {"Drafts", IMAP_SU_DRAFTS}, {"Draft", IMAP_SU_DRAFTS}, {"Sent", IMAP_SU_SENT},
        {"Sent Items", IMAP_SU_SENT}, {"Sent Messages", IMAP_SU_SENT}, {"Archive", IMAP_SU_ARCHIVE},
        {"Archives", IMAP_SU_ARCHIVE}, {"Junk", IMAP_SU_JUNK}, {"Spam", IMAP_SU_JUNK},
        {"Junk E-mail", IMAP_SU_JUNK}, {"Trash", IMAP_SU_TRASH}, {"Deleted Items", IMAP_SU_TRASH},
        {"Deleted Messages", IMAP_SU_TRASH},
    };
    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
        if (strcasecmp(name, map[k].name) == 0)
            return map[k].su;
    return IMAP_SU_NONE;
}

static struct imap_folder *find_folder(struct folder_list *l, const char *wire)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].wire, wire) == 0)
            return &l->v[i];
    return NULL;
}

/* "(MESSAGES 3 UNSEEN 1)" starting at t[i] */
static void status_counts(const struct imapw_tok *t, size_t n, size_t i, struct imap_folder *f)
{
    size_t end = imapw_skip_list(t, n, i);
    for (i++; i + 1 < end; i += 2) {
        uint64_t v;
        if (imapw_u64(t, n, i + 1, &v) < 0)
            continue;
        if (imapw_is(t, n, i, "MESSAGES"))
            f->messages = (long)v;
        else if (imapw_is(t, n, i, "UNSEEN"))
            f->unseen = (long)v;
    }
}

static int add_folder(struct folder_list *l, const struct imapw_tok *t, size_t n)
{
    /* LIST (flags) delim name */
    if (n < 4 || t[1].kind != IMAPW_OPEN)
        return 0;
    size_t after = imapw_skip_list(t, n, 1);
    if (after + 1 >= n || l->n >= IMAP_FOLDERS_MAX)
        return 0;
    const struct imapw_tok *d = &t[after], *name = &t[after + 1];
    if (name->kind != IMAPW_STRING && name->kind != IMAPW_ATOM)
        return 0;
    struct buf utf8;
    buf_init(&utf8);
    const char *e = NULL;
    if (memchr(name->s, '\0', name->len) != NULL ||
        mutf7_to_utf8(name->s, name->len, &utf8, &e) < 0) {
        buf_free(&utf8);
        return 0;   /* not a name we can show or send back safely */
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct imap_folder *v = arena_alloc(l->a, cap * sizeof(*v));
        if (l->n)
            memcpy(v, l->v, l->n * sizeof(*v));
        l->v = v;
        l->cap = cap;
    }
    struct imap_folder *f = &l->v[l->n++];
    memset(f, 0, sizeof(*f));
    f->wire = arena_strndup(l->a, name->s, name->len);
    f->name = arena_strdup(l->a, buf_cstr(&utf8));
    buf_free(&utf8);
    f->delim = d->kind == IMAPW_STRING && d->len == 1 ? d->s[0] : 0;
    f->leaf = f->name;
    if (f->delim)
        for (const char *p = f->name; *p; p++)
            if (*p == f->delim) {
                f->depth++;
                f->leaf = p + 1;
            }
    f->messages = f->unseen = -1;
    for (size_t i = 2; i + 1 < after; i++)
        if (imapw_is(t, n, i, "\\Noselect") || imapw_is(t, n, i, "\\NonExistent"))
            f->noselect = true;
    f->special = strcasecmp(f->wire, "INBOX") == 0 ? IMAP_SU_INBOX : special_of(t, n, 2, after - 1);
    if (f->special == IMAP_SU_NONE && f->depth == 0)
        f->special = special_by_name(f->name);
    return 0;
}

static int list_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct folder_list *l = ctx;
    if (imapw_is(t, n, 0, "LIST"))
        return add_folder(l, t, n);
    if (imapw_is(t, n, 0, "STATUS") && n >= 3 && t[n - 1].kind == IMAPW_CLOSE) {
        /* STATUS name (...): the list is the last parenthesised group */
        size_t open = n - 1;
        while (open > 1 && t[open].kind != IMAPW_OPEN)
            open--;
        struct imap_folder *f = find_folder(l, t[1].s);
        if (f != NULL && t[1].kind != IMAPW_OPEN)
            status_counts(t, n, open, f);
    }
    return 0;
}

/* Display order: special folders first in their order (with their
 * subfolders), then the rest by name, each folder's children right after
 * it. The key is the group's rank as a letter, then the name lowercased
 * with the separator as \x01 (so "A/B" comes before "A B"). */
struct keyed {
    char *key;
    struct imap_folder f;
};

static int keyed_cmp(const void *x, const void *y)
{
    return strcmp(((const struct keyed *)x)->key, ((const struct keyed *)y)->key);
}

static void order_folders(struct folder_list *l)
{
    struct keyed *k = calloc(l->n ? l->n : 1, sizeof(*k));
    if (k == NULL)
        abort();
    for (size_t i = 0; i < l->n; i++) {
        struct imap_folder *f = &l->v[i];
        size_t toplen = f->delim ? strcspn(f->name, (char[]){f->delim, 0}) : strlen(f->name);
        enum imap_special rank = IMAP_SU__MAX;
        for (size_t j = 0; j < l->n; j++)
            if (l->v[j].depth == 0 && l->v[j].special != IMAP_SU_NONE &&
                strlen(l->v[j].name) == toplen && strncmp(l->v[j].name, f->name, toplen) == 0)
                rank = l->v[j].special;
        size_t len = strlen(f->name);
        char *key = arena_alloc(l->a, len + 2);
        key[0] = (char)('A' + rank);
        for (size_t c = 0; c < len; c++)
            key[c + 1] = f->delim && f->name[c] == f->delim ? '\x01'
                       : (char)tolower((unsigned char)f->name[c]);
        k[i] = (struct keyed){ key, *f };
    }
    qsort(k, l->n, sizeof(*k), keyed_cmp);
    for (size_t i = 0; i < l->n; i++)
        l->v[i] = k[i].f;
    free(k);
}

static enum imap_result status_each(struct up_imap *u, struct arena *a, struct folder_list *l,
                                    const char **err)
{
    size_t done = 0;
    for (size_t i = 0; i < l->n && done < IMAP_STATUS_MAX; i++) {
        if (l->v[i].noselect)
            continue;
        struct imapw_cmd cmd;
        struct imapw_status st;
        imapw_cmd_init(&cmd, false);
        imapw_raw(&cmd, "STATUS ");
        imapw_string(&cmd, l->v[i].wire, strlen(l->v[i].wire));
        imapw_raw(&cmd, " (MESSAGES UNSEEN)");
        enum imapw_result r = imapw_run(u, a, &cmd, list_reply, l, &st);
        imapw_cmd_free(&cmd);
        if (r == IMAPW_DEAD)
            return outcome(r, &st, "STATUS", a, err);
        done++;
    }
    return IMAP_OK;
}

static enum imap_result list_folders(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                     bool counts, struct imap_folder **out, size_t *n, const char **err)
{
    struct folder_list l = { .a = a };
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    if (counts && caps->list_status)
        imapw_raw(&cmd, caps->special_use ? "LIST \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))"
                                          : "LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))");
    else if (caps->special_use)
        imapw_raw(&cmd, "LIST \"\" \"*\" RETURN (SPECIAL-USE)");
    else
        imapw_raw(&cmd, "LIST \"\" \"*\"");
    enum imapw_result r = imapw_run(u, a, &cmd, list_reply, &l, &st);
    imapw_cmd_free(&cmd);
    enum imap_result res = outcome(r, &st, "the folder list", a, err);
    if (res != IMAP_OK)
        return res;
    if (counts && !caps->list_status && (res = status_each(u, a, &l, err)) != IMAP_OK)
        return res;
    order_folders(&l);
    *out = l.v;
    *n = l.n;
    return IMAP_OK;
}

enum imap_result imap_folders(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                              struct imap_folder **out, size_t *n, const char **err)
{
    return list_folders(u, caps, a, true, out, n, err);
}

enum imap_result imap_folder_names(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                   struct imap_folder **out, size_t *n, const char **err)
{
    return list_folders(u, caps, a, false, out, n, err);
}

/* --- SELECT ------------------------------------------------------------ */

static int code_number(const struct imapw_tok *t, size_t n, const char *code, uint64_t *v)
{
    /* OK [CODE 123] ... : tokens "OK" "[CODE" "123]" */
    if (n < 3 || !imapw_is(t, n, 0, "OK") || t[1].kind != IMAPW_ATOM ||
        strcasecmp(t[1].s + (t[1].s[0] == '['), code) != 0 || t[1].s[0] != '[')
        return -1;
    char num[24];
    size_t len = strcspn(t[2].s, "]");
    if (len == 0 || len >= sizeof(num))
        return -1;
    memcpy(num, t[2].s, len);
    num[len] = '\0';
    struct imapw_tok tmp = { IMAPW_ATOM, num, len };
    return imapw_u64(&tmp, 1, 0, v);
}

static int select_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct imap_mailbox *mb = ctx;
    uint64_t v;
    if (n >= 2 && imapw_is(t, n, 1, "EXISTS") && imapw_u64(t, n, 0, &v) == 0)
        mb->exists = (uint32_t)v;
    else if (code_number(t, n, "UIDVALIDITY", &v) == 0)
        mb->uidvalidity = (uint32_t)v;
    else if (code_number(t, n, "UIDNEXT", &v) == 0)
        mb->uidnext = (uint32_t)v;
    else if (code_number(t, n, "HIGHESTMODSEQ", &v) == 0)
        mb->highestmodseq = v;
    else if (code_number(t, n, "UNSEEN", &v) == 0)
        mb->unseen = (uint32_t)v;
    return 0;
}

static enum imap_result open_folder(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                    const char *verb, const char *wire, struct imap_mailbox *mb,
                                    const char **err)
{
    memset(mb, 0, sizeof(*mb));
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, verb);
    imapw_string(&cmd, wire, strlen(wire));
    if (caps->condstore)
        imapw_raw(&cmd, " (CONDSTORE)");
    enum imapw_result r = imapw_run(u, a, &cmd, select_reply, mb, &st);
    imapw_cmd_free(&cmd);
    if (r == IMAPW_OK && strcasecmp(st.code, "READ-ONLY") == 0)
        mb->read_only = true;
    if (r == IMAPW_NO && st.code[0] == '\0') {
        /* Dovecot: "Mailbox doesn't exist" comes with [NONEXISTENT] */
        *err = arena_printf(a, "the folder cannot be opened: %s", st.text);
        return IMAP_GONE;
    }
    return outcome(r, &st, "opening the folder", a, err);
}

enum imap_result imap_select(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                             const char *wire, struct imap_mailbox *mb, const char **err)
{
    return open_folder(u, caps, a, "SELECT ", wire, mb, err);
}

enum imap_result imap_examine(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                              const char *wire, struct imap_mailbox *mb, const char **err)
{
    enum imap_result r = open_folder(u, caps, a, "EXAMINE ", wire, mb, err);
    mb->read_only = true;
    return r;
}

/* STATUS name (MESSAGES 3 UIDNEXT 9 ...) into an imap_mailbox. */
static int status_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct imap_mailbox *mb = ctx;
    if (!imapw_is(t, n, 0, "STATUS") || n < 4 || t[n - 1].kind != IMAPW_CLOSE)
        return 0;
    size_t i = n - 2;
    while (i > 0 && t[i].kind != IMAPW_OPEN)
        i--;
    for (i++; i + 1 < n - 1; i += 2) {
        uint64_t v;
        if (imapw_u64(t, n, i + 1, &v) < 0)
            continue;
        if (imapw_is(t, n, i, "MESSAGES")) mb->exists = (uint32_t)v;
        else if (imapw_is(t, n, i, "UIDNEXT")) mb->uidnext = (uint32_t)v;
        else if (imapw_is(t, n, i, "UIDVALIDITY")) mb->uidvalidity = (uint32_t)v;
        else if (imapw_is(t, n, i, "UNSEEN")) mb->unseen = (uint32_t)v;
        else if (imapw_is(t, n, i, "HIGHESTMODSEQ")) mb->highestmodseq = v;
    }
    return 0;
}

enum imap_result imap_status(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                             const char *wire, struct imap_mailbox *mb, const char **err)
{
    memset(mb, 0, sizeof(*mb));
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, "STATUS ");
    imapw_string(&cmd, wire, strlen(wire));
    imapw_raw(&cmd, caps->condstore ? " (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)"
                                    : " (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)");
    enum imapw_result r = imapw_run(u, a, &cmd, status_reply, mb, &st);
    imapw_cmd_free(&cmd);
    if (r == IMAPW_NO) {
        *err = arena_printf(a, "the folder cannot be read: %s", st.text);
        return IMAP_GONE;
    }
    return outcome(r, &st, "checking the folder", a, err);
}

/* --- FETCH replies ------------------------------------------------------ */

static time_t header_date(const char *s);

static time_t tm_utc(int y, int mo, int d, int h, int mi, int s, int zone_hhmm)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                     .tm_hour = h, .tm_min = mi, .tm_sec = s };
    time_t t = timegm(&tm);
    int sign = zone_hhmm < 0 ? -1 : 1;
    int z = zone_hhmm * sign;
    return t - sign * ((z / 100) * 3600 + (z % 100) * 60);
}

time_t imap_parse_date(const char *s)
{
    return header_date(s);
}

/* RFC 5322 date (from ENVELOPE) to UTC; 0 if unreadable. */
static time_t header_date(const char *s)
{
    size_t idx = 0;
    struct mailimf_date_time *dt = NULL;
    if (s == NULL || mailimf_date_time_parse(s, strlen(s), &idx, &dt) != MAILIMF_NO_ERROR)
        return 0;
    time_t t = 0;
    if (dt->dt_year >= 1970 && dt->dt_year < 10000 && dt->dt_month >= 1 && dt->dt_month <= 12)
        t = tm_utc(dt->dt_year, dt->dt_month, dt->dt_day, dt->dt_hour, dt->dt_min, dt->dt_sec,
                   dt->dt_zone);
    mailimf_date_time_free(dt);
    return t;
}

/* INTERNALDATE "17-Jul-1996 02:44:25 -0700" */
static time_t internal_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int d, y, h, mi, sec, z;
    char mon[4];
    if (s == NULL || sscanf(s, " %d-%3s-%d %d:%d:%d %d", &d, mon, &y, &h, &mi, &sec, &z) != 7)
        return 0;
    const char *m = strstr(months, mon);
    if (m == NULL || (m - months) % 3 != 0)
        return 0;
    return tm_utc(y, (int)(m - months) / 3 + 1, d, h, mi, sec, z);
}

/* A FETCH item name: "BODY[HEADER.FIELDS (A B)]" spans tokens; returns
 * the index of its value and whether it is a body section. */
static size_t item_value(const struct imapw_tok *t, size_t n, size_t i, bool *section)
{
    *section = t[i].kind == IMAPW_ATOM && strncasecmp(t[i].s, "BODY[", 5) == 0;
    if (*section && strchr(t[i].s, ']') == NULL) {
        for (i++; i < n; i++)
            if (t[i].kind == IMAPW_ATOM && strchr(t[i].s, ']') != NULL)
                break;
    }
    return i + 1;
}

struct fetched {
    uint64_t seq;
    uint32_t uid;
    bool seen, flagged, answered, draft;
    uint64_t size;
    time_t date, arrival;
    const char *from, *from_addr, *subject;
    struct bs_part *body;
    const char *section_data;
    size_t section_len;
};

static void read_flags(const struct imapw_tok *t, size_t n, size_t i, struct fetched *f)
{
    size_t end = imapw_skip_list(t, n, i);
    for (i++; i + 1 < end + 1 && i < end; i++) {
        if (imapw_is(t, n, i, "\\Seen")) f->seen = true;
        else if (imapw_is(t, n, i, "\\Flagged")) f->flagged = true;
        else if (imapw_is(t, n, i, "\\Answered")) f->answered = true;
        else if (imapw_is(t, n, i, "\\Draft")) f->draft = true;
    }
}

static const char *tok_str(const struct imapw_tok *t)
{
    return t->kind == IMAPW_STRING || t->kind == IMAPW_ATOM ? t->s : NULL;
}

/* ENVELOPE at t[i]: date, subject and the first From address. */
static void read_envelope(struct arena *a, const struct imapw_tok *t, size_t n, size_t i,
                          struct fetched *f)
{
    size_t end = imapw_skip_list(t, n, i);
    if (i + 3 >= end)
        return;
    f->date = header_date(tok_str(&t[i + 1]));
    const char *subj = tok_str(&t[i + 2]);
    f->subject = subj ? subj : "";
    size_t k = i + 3;   /* from: NIL or ((name adl mailbox host) ...) */
    if (k + 6 < end && t[k].kind == IMAPW_OPEN && t[k + 1].kind == IMAPW_OPEN) {
        const char *name = tok_str(&t[k + 2]), *mbox = tok_str(&t[k + 4]), *host = tok_str(&t[k + 5]);
        f->from_addr = arena_printf(a, "%s%s%s", mbox ? mbox : "", host ? "@" : "", host ? host : "");
        f->from = name && *name ? name : f->from_addr;
    }
}

struct fetch_ctx {
    const struct imap_limits *lim;   /* NULL: the BS_ maximums */
    bool structure_refused;          /* a BODYSTRUCTURE over the limits */
    struct arena *a;
    struct fetched *v;
    size_t n, cap;
};

static int fetch_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct fetch_ctx *fc = ctx;
    uint64_t seq;
    if (n < 4 || imapw_u64(t, n, 0, &seq) < 0 || !imapw_is(t, n, 1, "FETCH") || t[2].kind != IMAPW_OPEN)
        return 0;
    if (fc->n == fc->cap) {
        size_t cap = fc->cap ? fc->cap * 2 : 64;
        struct fetched *v = arena_alloc(fc->a, cap * sizeof(*v));
        if (fc->n)
            memcpy(v, fc->v, fc->n * sizeof(*v));
        fc->v = v;
        fc->cap = cap;
    }
    struct fetched *f = &fc->v[fc->n++];
    memset(f, 0, sizeof(*f));
    f->seq = seq;
    f->subject = "";
    size_t end = imapw_skip_list(t, n, 2);
    for (size_t i = 3; i + 1 < end;) {
        bool section;
        size_t v = item_value(t, n, i, &section);
        uint64_t num;
        if (v >= end)
            break;
        if (imapw_is(t, n, i, "UID") && imapw_u64(t, n, v, &num) == 0)
            f->uid = (uint32_t)num;
        else if (imapw_is(t, n, i, "RFC822.SIZE") && imapw_u64(t, n, v, &num) == 0)
            f->size = num;
        else if (imapw_is(t, n, i, "FLAGS") && t[v].kind == IMAPW_OPEN)
            read_flags(t, n, v, f);
        else if (imapw_is(t, n, i, "INTERNALDATE"))
            f->arrival = internal_date(tok_str(&t[v]));
        else if (imapw_is(t, n, i, "ENVELOPE") && t[v].kind == IMAPW_OPEN)
            read_envelope(fc->a, t, n, v, f);
        else if (imapw_is(t, n, i, "BODYSTRUCTURE") && t[v].kind == IMAPW_OPEN) {
            size_t j = v;
            f->body = fc->lim ? bs_parse_limited(fc->a, t, n, &j, fc->lim->mime_depth, fc->lim->mime_parts)
                              : bs_parse(fc->a, t, n, &j);
            if (f->body == NULL)
                fc->structure_refused = true;
        } else if (section && (t[v].kind == IMAPW_STRING || t[v].kind == IMAPW_NIL)) {
            f->section_data = t[v].kind == IMAPW_STRING ? t[v].s : "";
            f->section_len = t[v].kind == IMAPW_STRING ? t[v].len : 0;
        }
        i = t[v].kind == IMAPW_OPEN ? imapw_skip_list(t, n, v) : v + 1;
    }
    if (f->date == 0)
        f->date = f->arrival;
    return 0;
}

static bool has_attachment(const struct bs_part *p)
{
    if (p == NULL)
        return false;
    if (p->nparts == 0)
        return p->parent != NULL && bs_is_attachment(p);
    if (strcmp(p->type, "message") == 0)
        return true;
    for (size_t i = 0; i < p->nparts; i++)
        if (has_attachment(&p->parts[i]))
            return true;
    return false;
}

#define SUMMARY_ITEMS "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)"

/* FETCH (or UID FETCH) of set with the summary items. */
static enum imap_result fetch_set(struct up_imap *u, struct arena *a, bool uid, const char *set,
                                  struct fetch_ctx *fc, const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, uid ? "UID FETCH " : "FETCH ");
    imapw_raw(&cmd, set);
    imapw_raw(&cmd, " " SUMMARY_ITEMS);
    enum imapw_result r = imapw_run(u, a, &cmd, fetch_reply, fc, &st);
    imapw_cmd_free(&cmd);
    return outcome(r, &st, "the message list", a, err);
}

static void to_summary(const struct fetched *f, struct imap_summary *s)
{
    *s = (struct imap_summary){
        .uid = f->uid, .from = f->from ? f->from : "", .from_addr = f->from_addr ? f->from_addr : "",
        .subject = f->subject, .date = f->date, .size = f->size, .seen = f->seen,
        .flagged = f->flagged, .answered = f->answered, .draft = f->draft,
        .attachment = has_attachment(f->body),
    };
}

/* --- the list ----------------------------------------------------------- */

static void add_criteria(struct imapw_cmd *c, const struct imap_list_req *req)
{
    static const char *const keys[IMAP_IN__MAX] = { NULL, "FROM ", "SUBJECT ", "BODY " };
    if (req->search == NULL || req->search[0] == '\0') {
        imapw_raw(c, "ALL");
        return;
    }
    size_t len = strlen(req->search);
    if (req->in == IMAP_IN_ALL) {
        imapw_raw(c, "OR OR FROM ");
        imapw_string(c, req->search, len);
        imapw_raw(c, " SUBJECT ");
        imapw_string(c, req->search, len);
        imapw_raw(c, " BODY ");
    } else {
        imapw_raw(c, keys[req->in]);
    }
    imapw_string(c, req->search, len);
}

static void add_sort_keys(struct imapw_cmd *c, const struct imap_list_req *req)
{
    static const char *const keys[IMAP_SORT__MAX] = { "ARRIVAL", "DATE", "FROM", "SUBJECT", "SIZE" };
    imapw_raw(c, req->reverse ? "(REVERSE " : "(");
    imapw_raw(c, keys[req->sort]);
    imapw_raw(c, ")");
}

struct uid_list {
    struct arena *a;
    uint32_t *v;
    size_t n, cap;
    uint64_t count;
    bool have_count;
};

static void uid_push(struct uid_list *l, uint32_t uid)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint32_t *v = arena_alloc(l->a, cap * sizeof(*v));
        if (l->n)
            memcpy(v, l->v, l->n * sizeof(*v));
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = uid;
}

/* A sequence set in result order: "41,40,37:35" (ranges may run down). */
static void uid_set(struct uid_list *l, const char *s)
{
    while (*s && l->n < 100000) {
        char *end;
        unsigned long a = strtoul(s, &end, 10), b = a;
        if (end == s)
            return;
        if (*end == ':') {
            s = end + 1;
            b = strtoul(s, &end, 10);
            if (end == s)
                return;
        }
        long step = b >= a ? 1 : -1;
        for (unsigned long x = a;; x += (unsigned long)step) {
            uid_push(l, (uint32_t)x);
            if (x == b || l->n >= 100000)
                break;
        }
        s = *end == ',' ? end + 1 : end;
        if (*end != ',')
            return;
    }
}

static int esearch_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct uid_list *l = ctx;
    if (imapw_is(t, n, 0, "ESEARCH")) {
        for (size_t i = 1; i < n; i++) {
            if (imapw_is(t, n, i, "COUNT") && imapw_u64(t, n, i + 1, &l->count) == 0)
                l->have_count = true;
            /* PARTIAL (1:50 41,40,...) or PARTIAL (1:50 NIL) */
            if (imapw_is(t, n, i, "PARTIAL") && i + 3 < n && t[i + 1].kind == IMAPW_OPEN &&
                t[i + 3].kind == IMAPW_ATOM)
                uid_set(l, t[i + 3].s);
        }
    } else if (imapw_is(t, n, 0, "SORT") || imapw_is(t, n, 0, "SEARCH")) {
        for (size_t i = 1; i < n; i++) {
            uint64_t v;
            if (imapw_u64(t, n, i, &v) == 0)
                uid_push(l, (uint32_t)v);
        }
    }
    return 0;
}

/* --- sorting without SORT (RFC 5256 keys, done here) ------------------- */

struct sort_item {
    uint32_t uid;
    uint64_t size;
    time_t date;
    const char *key;    /* base subject or sender mailbox, lowercased */
};

static enum imap_sort sort_key_now;
static bool sort_reverse_now;

/* Lowercases ASCII and folds the Latin-1 letters U+00C0-U+00FF to their
 * base letter in place ("Ärger" -> "arger"), as i;unicode-casemap
 * compares them; other text is left as it is. */
static void fold_latin(char *s)
{
    /* base letters of U+00C0..U+00FF; '*' keeps the character */
    static const char base[] = "aaaaaa*ceeeeiiii*nooooo**uuuuy**aaaaaa*ceeeeiiii*nooooo**uuuuy*y";
    char *w = s;
    for (const char *r = s; *r;) {
        unsigned char c = (unsigned char)*r;
        if (c == 0xC3 && (unsigned char)r[1] >= 0x80 && (unsigned char)r[1] <= 0xBF &&
            base[(unsigned char)r[1] - 0x80] != '*') {
            *w++ = base[(unsigned char)r[1] - 0x80];
            r += 2;
        } else {
            *w++ = (char)tolower(c);
            r++;
        }
    }
    *w = '\0';
}

/* RFC 5256 base subject, roughly: decoded, "Re:", "Fw:", "Fwd:" and
 * "[...]" prefixes and a "(fwd)" suffix removed, lowercased. */
static const char *base_subject(struct arena *a, const char *raw)
{
    struct buf b;
    buf_init(&b);
    rfc2047_decode(raw, strlen(raw), 1000, &b);
    const char *s = buf_cstr(&b);
    for (bool again = true; again;) {
        again = false;
        while (*s == ' ' || *s == '\t')
            s++;
        static const char *const prefixes[] = { "re:", "fwd:", "fw:" };
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
            if (strncasecmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
                s += strlen(prefixes[i]);
                again = true;
            }
        if (*s == '[' && strchr(s, ']') != NULL && strchr(s, ']')[1] != '\0') {
            s = strchr(s, ']') + 1;
            again = true;
        }
    }
    char *out = arena_strdup(a, s);
    size_t n = strlen(out);
    for (;;) {   /* trailing blanks and "(fwd)"s */
        while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
            out[--n] = '\0';
        if (n < 5 || strcasecmp(out + n - 5, "(fwd)") != 0)
            break;
        n -= 5;
        out[n] = '\0';
    }
    fold_latin(out);
    buf_free(&b);
    return out;
}

static int sort_item_cmp(const void *x, const void *y)
{
    const struct sort_item *a = x, *b = y;
    int c = 0;
    switch (sort_key_now) {
    case IMAP_SORT_DATE: c = (a->date > b->date) - (a->date < b->date); break;
    case IMAP_SORT_SIZE: c = (a->size > b->size) - (a->size < b->size); break;
    default: c = strcmp(a->key, b->key); break;
    }
    if (sort_reverse_now)
        c = -c;   /* REVERSE turns the key around; ties stay in mailbox order */
    return c != 0 ? c : (a->uid > b->uid) - (a->uid < b->uid);
}

static int uid_cmp(const void *x, const void *y)
{
    uint32_t a = ((const struct fetched *)x)->uid, b = ((const struct fetched *)y)->uid;
    return (a > b) - (a < b);
}

static enum imap_result fetch_set(struct up_imap *u, struct arena *a, bool uid, const char *set,
                                  struct fetch_ctx *fc, const char **err);

/* Orders l's UIDs by req->sort (and req->reverse), fetching each message's key:
 * for a server without SORT. More than IMAP_LOCAL_SORT_MAX matches:
 * IMAP_NO with a sentence (sorting them here would cost too much). */
static enum imap_result sort_locally(struct up_imap *u, struct arena *a,
                                     const struct imap_list_req *req, struct uid_list *l,
                                     const char **err)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    if (l->n > IMAP_LOCAL_SORT_MAX) {
        *err = arena_printf(a, "this mail server cannot sort, and %zu messages are too many to sort "
                               "here; sort by arrival, or search to find fewer", l->n);
        return IMAP_NO;
    }
    if (l->n < 2)
        return IMAP_OK;
    struct fetch_ctx fc = { .a = a };
    enum imap_result r = fetch_set(u, a, true, "1:*", &fc, err);
    if (r != IMAP_OK)
        return r;
    qsort(fc.v, fc.n, sizeof(*fc.v), uid_cmp);
    struct sort_item *items = arena_alloc(a, l->n * sizeof(*items));
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct fetched key = { .uid = l->v[i] };
        const struct fetched *f = bsearch(&key, fc.v, fc.n, sizeof(*fc.v), uid_cmp);
        if (f == NULL)
            continue;   /* expunged meanwhile */
        items[k++] = (struct sort_item){
            .uid = f->uid, .size = f->size, .date = f->date,
            .key = req->sort == IMAP_SORT_SUBJECT ? base_subject(a, f->subject)
                 : arena_strdup(a, f->from_addr ? f->from_addr : ""),
        };
        if (req->sort == IMAP_SORT_FROM)
            fold_latin((char *)items[k - 1].key);
    }
    pthread_mutex_lock(&lock);   /* qsort has no context argument */
    sort_key_now = req->sort;
    sort_reverse_now = req->reverse;
    qsort(items, k, sizeof(*items), sort_item_cmp);
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < k; i++)
        l->v[i] = items[i].uid;
    l->n = k;
    return IMAP_OK;
}

/* UIDs of the page, in order, and the count of all matches. */
static enum imap_result page_uids(struct up_imap *u, const struct imap_caps *caps,
                                  struct arena *a, const struct imap_list_req *req,
                                  struct uid_list *l, const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    bool partial = caps->esort && caps->context_sort;
    if (caps->sort) {
        imapw_raw(&cmd, "UID SORT ");
        if (partial) {
            imapw_raw(&cmd, "RETURN (PARTIAL ");
            imapw_num(&cmd, (uint64_t)req->offset + 1);
            imapw_raw(&cmd, ":");
            imapw_num(&cmd, (uint64_t)req->offset + req->count);
            imapw_raw(&cmd, " COUNT) ");
        }
        add_sort_keys(&cmd, req);
        imapw_raw(&cmd, " UTF-8 ");
    } else {
        imapw_raw(&cmd, "UID SEARCH CHARSET UTF-8 ");
    }
    add_criteria(&cmd, req);
    enum imapw_result r = imapw_run(u, a, &cmd, esearch_reply, l, &st);
    imapw_cmd_free(&cmd);
    enum imap_result res = outcome(r, &st, req->search && *req->search ? "the search" : "sorting",
                                   a, err);
    if (res != IMAP_OK || partial)
        return res;
    /* all matching UIDs came back: order them here if the server cannot,
     * then slice the page */
    l->count = l->n;
    if (!caps->sort && req->sort != IMAP_SORT_ARRIVAL &&
        (res = sort_locally(u, a, req, l, err)) != IMAP_OK)
        return res;
    if (!caps->sort && req->sort == IMAP_SORT_ARRIVAL && req->reverse)
        for (size_t i = 0; i < l->n / 2; i++) {
            uint32_t x = l->v[i];
            l->v[i] = l->v[l->n - 1 - i];
            l->v[l->n - 1 - i] = x;
        }
    size_t from = req->offset < l->n ? req->offset : l->n;
    size_t to = from + req->count < l->n ? from + req->count : l->n;
    l->v += from;
    l->n = to - from;
    return IMAP_OK;
}

static const struct fetched *by_uid(const struct fetch_ctx *fc, uint32_t uid)
{
    for (size_t i = 0; i < fc->n; i++)
        if (fc->v[i].uid == uid)
            return &fc->v[i];
    return NULL;
}

static int seq_desc(const void *x, const void *y)
{
    const struct fetched *a = x, *b = y;
    return a->seq < b->seq ? 1 : a->seq > b->seq ? -1 : 0;
}

static int seq_asc(const void *x, const void *y)
{
    return -seq_desc(x, y);
}

enum imap_result imap_list(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                           const struct imap_mailbox *mb, const struct imap_list_req *req,
                           struct imap_summary **out, size_t *n, uint32_t *total,
                           const char **err)
{
    struct fetch_ctx fc = { .a = a };
    *out = NULL;
    *n = 0;
    *total = 0;
    bool plain = req->sort == IMAP_SORT_ARRIVAL && (req->search == NULL || req->search[0] == '\0');
    if (plain) {
        /* by sequence number: the page costs the same in any folder size */
        *total = mb->exists;
        if (req->offset >= mb->exists || req->count == 0)
            return IMAP_OK;
        uint64_t lo, hi;
        if (req->reverse) {
            hi = mb->exists - req->offset;
            lo = hi > req->count ? hi - req->count + 1 : 1;
        } else {
            lo = (uint64_t)req->offset + 1;
            hi = lo + req->count - 1 < mb->exists ? lo + req->count - 1 : mb->exists;
        }
        char set[48];
        snprintf(set, sizeof(set), "%llu:%llu", (unsigned long long)lo, (unsigned long long)hi);
        enum imap_result r = fetch_set(u, a, false, set, &fc, err);
        if (r != IMAP_OK)
            return r;
        qsort(fc.v, fc.n, sizeof(*fc.v), req->reverse ? seq_desc : seq_asc);
        *out = arena_alloc(a, (fc.n ? fc.n : 1) * sizeof(**out));
        for (size_t i = 0; i < fc.n; i++)
            to_summary(&fc.v[i], &(*out)[i]);
        *n = fc.n;
        return IMAP_OK;
    }
    struct uid_list l = { .a = a };
    enum imap_result r = page_uids(u, caps, a, req, &l, err);
    if (r != IMAP_OK)
        return r;
    *total = (uint32_t)l.count;
    if (l.n == 0)
        return IMAP_OK;
    struct buf set;
    buf_init(&set);
    for (size_t i = 0; i < l.n; i++)
        buf_printf(&set, "%s%u", i ? "," : "", l.v[i]);
    r = fetch_set(u, a, true, buf_cstr(&set), &fc, err);
    buf_free(&set);
    if (r != IMAP_OK)
        return r;
    *out = arena_alloc(a, l.n * sizeof(**out));
    for (size_t i = 0; i < l.n; i++) {
        const struct fetched *f = by_uid(&fc, l.v[i]);
        if (f != NULL)   /* expunged meanwhile: left out */
            to_summary(f, &(*out)[(*n)++]);
    }
    return IMAP_OK;
}

/* --- one message -------------------------------------------------------- */

#define HEADER_FIELDS "DATE FROM SENDER REPLY-TO TO CC SUBJECT MESSAGE-ID LIST-UNSUBSCRIBE"

enum imap_result imap_message(struct up_imap *u, struct arena *a, uint32_t uid,
                              const struct imap_limits *lim, struct imap_message *m,
                              const char **err)
{
    struct fetch_ctx fc = { .a = a, .lim = lim };
    struct imapw_cmd cmd;
    struct imapw_status st;
    memset(m, 0, sizeof(*m));
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "UID FETCH ");
    imapw_num(&cmd, uid);
    imapw_raw(&cmd, " (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE "
                    "BODY.PEEK[HEADER.FIELDS (" HEADER_FIELDS ")]<0.");
    imapw_num(&cmd, lim ? lim->header_bytes : 65536);
    imapw_raw(&cmd, ">)");
    enum imapw_result r = imapw_run(u, a, &cmd, fetch_reply, &fc, &st);
    imapw_cmd_free(&cmd);
    enum imap_result res = outcome(r, &st, "the message", a, err);
    if (res != IMAP_OK)
        return res;
    const struct fetched *f = by_uid(&fc, uid);
    if (f == NULL) {
        *err = "this message is no longer here";
        return IMAP_GONE;
    }
    if (f->body == NULL && !fc.structure_refused) {
        *err = "the server sent no message structure";
        return IMAP_NO;
    }
    m->too_complex = f->body == NULL;
    m->uid = uid;
    m->seen = f->seen;
    m->flagged = f->flagged;
    m->answered = f->answered;
    m->size = f->size;
    m->date = f->date;
    m->header = f->section_data ? f->section_data : "";
    m->header_len = f->section_data ? f->section_len : 0;
    m->body = f->body;
    return IMAP_OK;
}

static bool section_ok(const char *s)
{
    if (strcmp(s, "") == 0 || strcmp(s, "HEADER") == 0 || strcmp(s, "TEXT") == 0)
        return true;
    size_t len = strlen(s);
    if (len > 7 && strcmp(s + len - 7, ".HEADER") == 0)
        len -= 7;   /* the header of an embedded message */
    if (len == 0 || len > 250)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(isdigit((unsigned char)s[i]) || (s[i] == '.' && i > 0 && s[i - 1] != '.' && i + 1 < len)))
            return false;
    return true;
}

enum imap_result imap_part(struct up_imap *u, struct arena *a, uint32_t uid, const char *section,
                           size_t max, bool peek, const char **data, size_t *len,
                           bool *truncated, const char **err)
{
    *data = NULL;
    *len = 0;
    *truncated = false;
    if (!section_ok(section)) {
        *err = "no such part";
        return IMAP_BADARG;
    }
    struct fetch_ctx fc = { .a = a };
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "UID FETCH ");
    imapw_num(&cmd, uid);
    imapw_raw(&cmd, peek ? " (UID BODY.PEEK[" : " (UID BODY[");
    imapw_raw(&cmd, section);
    imapw_raw(&cmd, "]<0.");
    imapw_num(&cmd, (uint64_t)max + 1);
    imapw_raw(&cmd, ">)");
    cmd.max_literal = max + 1;
    enum imapw_result r = imapw_run(u, a, &cmd, fetch_reply, &fc, &st);
    imapw_cmd_free(&cmd);
    enum imap_result res = outcome(r, &st, "the message part", a, err);
    if (res != IMAP_OK)
        return res;
    const struct fetched *f = by_uid(&fc, uid);
    if (f == NULL) {
        *err = "this message is no longer here";
        return IMAP_GONE;
    }
    *data = f->section_data ? f->section_data : "";
    *len = f->section_data ? f->section_len : 0;
    if (*len > max) {
        *len = max;
        *truncated = true;
    }
    return IMAP_OK;
}

enum imap_result imap_flag(struct up_imap *u, struct arena *a, uint32_t uid, const char *flag,
                           bool add, const char **err)
{
    if (strcmp(flag, "\\Seen") != 0 && strcmp(flag, "\\Flagged") != 0 &&
        strcmp(flag, "\\Answered") != 0 && strcmp(flag, "$Forwarded") != 0) {
        *err = "unknown flag";
        return IMAP_BADARG;
    }
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "UID STORE ");
    imapw_num(&cmd, uid);
    imapw_raw(&cmd, add ? " +FLAGS.SILENT (" : " -FLAGS.SILENT (");
    imapw_raw(&cmd, flag);
    imapw_raw(&cmd, ")");
    enum imapw_result r = imapw_run(u, a, &cmd, NULL, NULL, &st);
    imapw_cmd_free(&cmd);
    return outcome(r, &st, "changing the message's flags", a, err);
}

/* One command with a UID and an optional folder argument. */
static enum imap_result uid_command(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                    const char *verb, uint32_t uid, const char *tail_raw,
                                    const char *wire, const char *what, const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, verb);
    imapw_num(&cmd, uid);
    if (wire != NULL || (tail_raw != NULL && *tail_raw))
        imapw_raw(&cmd, " ");
    if (wire != NULL)
        imapw_string(&cmd, wire, strlen(wire));
    if (tail_raw != NULL)
        imapw_raw(&cmd, tail_raw);
    enum imapw_result r = imapw_run(u, a, &cmd, NULL, NULL, &st);
    imapw_cmd_free(&cmd);
    return outcome(r, &st, what, a, err);
}

enum imap_result imap_destroy(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                              uint32_t uid, const char **err)
{
    if (!caps->uidplus) {
        *err = "this mail server cannot delete one message alone (no UIDPLUS)";
        return IMAP_NO;
    }
    enum imap_result r = uid_command(u, caps, a, "UID STORE ", uid, "+FLAGS.SILENT (\\Deleted)", NULL,
                                     "marking the message deleted", err);
    if (r == IMAP_OK)
        r = uid_command(u, caps, a, "UID EXPUNGE ", uid, "", NULL, "removing the message", err);
    return r;
}

enum imap_result imap_move(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                           uint32_t uid, const char *wire, const char **err)
{
    if (caps->move)
        return uid_command(u, caps, a, "UID MOVE ", uid, NULL, wire, "moving the message", err);
    if (!caps->uidplus) {
        *err = "this mail server cannot move one message alone (no MOVE, no UIDPLUS)";
        return IMAP_NO;
    }
    enum imap_result r = uid_command(u, caps, a, "UID COPY ", uid, NULL, wire, "copying the message", err);
    return r == IMAP_OK ? imap_destroy(u, caps, a, uid, err) : r;
}
