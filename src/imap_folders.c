/* imap_folders.c — many messages at once, and folder management (see
 * imap_folders.h). */
#include "imap_folders.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "imap_wire.h"

/* Runs one command built by the caller, untagged replies to fn. */
static enum imap_result run(struct up_imap *u, struct arena *a, struct imapw_cmd *cmd,
                            imapw_untagged_fn fn, void *ctx, struct imapw_status *st,
                            const char *what, const char **err)
{
    enum imapw_result r = imapw_run(u, a, cmd, fn, ctx, st);
    imapw_cmd_free(cmd);
    return imap_outcome(r, st, what, a, err);
}

/* --- which messages are there ------------------------------------------- */

struct found {
    struct arena *a;
    const struct uidset *want;
    struct uidset *have;
};

static int search_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct found *f = ctx;
    if (!imapw_is(t, n, 0, "SEARCH"))
        return 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t v;
        if (imapw_u64(t, n, i, &v) == 0 && v <= 0xffffffffu && uidset_has(f->want, (uint32_t)v) &&
            !uidset_has(f->have, (uint32_t)v) && f->have->n < f->want->n) {
            /* SEARCH answers in ascending order: keep have sorted */
            size_t k = f->have->n;
            while (k > 0 && f->have->v[k - 1] > v) {
                f->have->v[k] = f->have->v[k - 1];
                k--;
            }
            f->have->v[k] = (uint32_t)v;
            f->have->n++;
        }
    }
    return 0;
}

enum imap_result imap_present(struct up_imap *u, struct arena *a, const struct uidset *want,
                              struct uidset *have, const char **err)
{
    have->v = arena_alloc(a, (want->n ? want->n : 1) * sizeof(*have->v));
    have->n = 0;
    if (want->n == 0)
        return IMAP_OK;
    struct found f = { a, want, have };
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "UID SEARCH UID ");
    imapw_raw(&cmd, uidset_format(a, want));   /* digits, ":" and "," only */
    return run(u, a, &cmd, search_reply, &f, &st, "looking for the messages", err);
}

/* --- flags, copy, move, delete ---------------------------------------------- */

static int known_flag(const char *flag)
{
    return strcmp(flag, "\\Seen") == 0 || strcmp(flag, "\\Flagged") == 0 ||
           strcmp(flag, "\\Answered") == 0;
}

enum imap_result imap_flag_set(struct up_imap *u, struct arena *a, const struct uidset *set,
                               const char *flag, bool add, const char **err)
{
    if (!known_flag(flag)) {
        *err = "unknown flag";
        return IMAP_BADARG;
    }
    if (set->n == 0)
        return IMAP_OK;
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "UID STORE ");
    imapw_raw(&cmd, uidset_format(a, set));
    imapw_raw(&cmd, add ? " +FLAGS.SILENT (" : " -FLAGS.SILENT (");
    imapw_raw(&cmd, flag);
    imapw_raw(&cmd, ")");
    return run(u, a, &cmd, NULL, NULL, &st, "changing the messages' flags", err);
}

/* "COPYUID uidvalidity srcset dstset" words into *map. */
static void read_copyuid(struct arena *a, const char *args, struct imap_uidmap *map)
{
    const char *sp1 = strchr(args, ' ');
    const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (sp2 == NULL)
        return;
    char *end = NULL;
    unsigned long uv = strtoul(args, &end, 10);
    struct uidset src, dst;
    const char *d = sp2 + 1;
    size_t dlen = strcspn(d, " ]");
    if (end != sp1 || uv == 0 || uv > 0xffffffffu ||
        uidset_parse(a, sp1 + 1, (size_t)(sp2 - sp1 - 1), &src) < 0 ||
        uidset_parse(a, d, dlen, &dst) < 0 || src.n != dst.n)
        return;
    /* RFC 4315: the sets correspond in the order of the source UIDs; both
     * parse to ascending order, which a server assigning ascending UIDs
     * (all of them) keeps. */
    map->uidvalidity = (uint32_t)uv;
    map->src = src;
    map->dst = dst;
}

/* MOVE sends COPYUID in an untagged OK before the EXPUNGEs (RFC 6851). */
struct move_ctx {
    struct arena *a;
    struct imap_uidmap *map;
};

static int move_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct move_ctx *m = ctx;
    if (m->map == NULL || n < 5 || !imapw_is(t, n, 0, "OK") || !imapw_is(t, n, 1, "[COPYUID"))
        return 0;
    const char *args = arena_printf(m->a, "%s %s %s", t[2].s, t[3].s, t[4].s);
    read_copyuid(m->a, args, m->map);
    return 0;
}

static void map_clear(struct imap_uidmap *map)
{
    if (map != NULL)
        memset(map, 0, sizeof(*map));
}

enum imap_result imap_copy_set(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                               const struct uidset *set, const char *wire, struct imap_uidmap *map,
                               const char **err)
{
    map_clear(map);
    if (set->n == 0)
        return IMAP_OK;
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, "UID COPY ");
    imapw_raw(&cmd, uidset_format(a, set));
    imapw_raw(&cmd, " ");
    imapw_string(&cmd, wire, strlen(wire));
    enum imap_result r = run(u, a, &cmd, NULL, NULL, &st, "copying the messages", err);
    if (r == IMAP_OK && map != NULL && strcasecmp(st.code, "COPYUID") == 0)
        read_copyuid(a, st.code_args, map);
    return r;
}

/* \Deleted on the UID set s, then UID EXPUNGE of exactly s (uid_expunge)
 * or a plain EXPUNGE (which also removes what others marked deleted). */
static enum imap_result delete_uids(struct up_imap *u, struct arena *a, const char *s, bool uid_expunge,
                                    const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "UID STORE ");
    imapw_raw(&cmd, s);
    imapw_raw(&cmd, " +FLAGS.SILENT (\\Deleted)");
    enum imap_result r = run(u, a, &cmd, NULL, NULL, &st, "marking the messages deleted", err);
    if (r != IMAP_OK)
        return r;
    imapw_cmd_init(&cmd, false);
    if (uid_expunge) {
        imapw_raw(&cmd, "UID EXPUNGE ");
        imapw_raw(&cmd, s);
    } else {
        imapw_raw(&cmd, "EXPUNGE");
    }
    return run(u, a, &cmd, NULL, NULL, &st, "removing the messages", err);
}

enum imap_result imap_destroy_set(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                  const struct uidset *set, const char **err)
{
    if (!caps->uidplus) {
        *err = "this mail server cannot delete some messages alone (no UIDPLUS)";
        return IMAP_NO;
    }
    if (set->n == 0)
        return IMAP_OK;
    return delete_uids(u, a, uidset_format(a, set), true, err);
}

enum imap_result imap_move_set(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                               const struct uidset *set, const char *wire, struct imap_uidmap *map,
                               const char **err)
{
    map_clear(map);
    if (set->n == 0)
        return IMAP_OK;
    if (caps->move) {
        struct move_ctx mc = { a, map };
        struct imapw_cmd cmd;
        struct imapw_status st;
        imapw_cmd_init(&cmd, caps->literal_plus);
        imapw_raw(&cmd, "UID MOVE ");
        imapw_raw(&cmd, uidset_format(a, set));
        imapw_raw(&cmd, " ");
        imapw_string(&cmd, wire, strlen(wire));
        return run(u, a, &cmd, move_reply, &mc, &st, "moving the messages", err);
    }
    if (!caps->uidplus) {
        *err = "this mail server cannot move some messages alone (no MOVE, no UIDPLUS)";
        return IMAP_NO;
    }
    enum imap_result r = imap_copy_set(u, caps, a, set, wire, map, err);
    return r == IMAP_OK ? imap_destroy_set(u, caps, a, set, err) : r;
}

enum imap_result imap_empty_below(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                  uint32_t uidnext, const char **err)
{
    if (uidnext <= 1)
        return IMAP_OK;
    return delete_uids(u, a, arena_printf(a, "1:%u", uidnext - 1), caps->uidplus, err);
}

/* --- STATUS, separator --------------------------------------------------- */

static int delim_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    char *d = ctx;
    if (imapw_is(t, n, 0, "LIST") && n >= 4 && t[1].kind == IMAPW_OPEN) {
        size_t after = imapw_skip_list(t, n, 1);
        if (after < n && t[after].kind == IMAPW_STRING && t[after].len == 1)
            *d = t[after].s[0];
    }
    return 0;
}

enum imap_result imap_delimiter(struct up_imap *u, struct arena *a, char *delim, const char **err)
{
    *delim = 0;
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "LIST \"\" \"\"");
    return run(u, a, &cmd, delim_reply, delim, &st, "asking for the folder separator", err);
}

/* --- folders ----------------------------------------------------------- */

static enum imap_result one_name(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                 const char *verb, const char *wire, const char *wire2,
                                 const char *what, const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, verb);
    imapw_string(&cmd, wire, strlen(wire));
    if (wire2 != NULL) {
        imapw_raw(&cmd, " ");
        imapw_string(&cmd, wire2, strlen(wire2));
    }
    return run(u, a, &cmd, NULL, NULL, &st, what, err);
}

enum imap_result imap_folder_create(struct up_imap *u, const struct imap_caps *caps,
                                    struct arena *a, const char *wire, const char **err)
{
    return one_name(u, caps, a, "CREATE ", wire, NULL, "creating the folder", err);
}

enum imap_result imap_folder_rename(struct up_imap *u, const struct imap_caps *caps,
                                    struct arena *a, const char *from, const char *to,
                                    const char **err)
{
    return one_name(u, caps, a, "RENAME ", from, to, "renaming the folder", err);
}

enum imap_result imap_folder_delete(struct up_imap *u, const struct imap_caps *caps,
                                    struct arena *a, const char *wire, const char **err)
{
    return one_name(u, caps, a, "DELETE ", wire, NULL, "deleting the folder", err);
}

enum imap_result imap_folder_subscribe(struct up_imap *u, const struct imap_caps *caps,
                                       struct arena *a, const char *wire, bool on,
                                       const char **err)
{
    return one_name(u, caps, a, on ? "SUBSCRIBE " : "UNSUBSCRIBE ", wire, NULL,
                    on ? "subscribing to the folder" : "unsubscribing from the folder", err);
}

struct names {
    struct arena *a;
    const char **v;
    size_t n, cap;
};

static int lsub_reply(void *ctx, const struct imapw_tok *t, size_t n)
{
    struct names *l = ctx;
    if (!imapw_is(t, n, 0, "LSUB") || n < 4 || t[1].kind != IMAPW_OPEN)
        return 0;
    size_t after = imapw_skip_list(t, n, 1);
    if (after + 1 >= n || l->n >= IMAP_FOLDERS_MAX)
        return 0;
    const struct imapw_tok *name = &t[after + 1];
    if (name->kind != IMAPW_STRING && name->kind != IMAPW_ATOM)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        const char **v = arena_alloc(l->a, cap * sizeof(*v));
        if (l->n)
            memcpy(v, l->v, l->n * sizeof(*v));
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = arena_strndup(l->a, name->s, name->len);
    return 0;
}

enum imap_result imap_subscribed(struct up_imap *u, struct arena *a, const char ***wires,
                                 size_t *n, const char **err)
{
    struct names l = { .a = a };
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, false);
    imapw_raw(&cmd, "LSUB \"\" \"*\"");
    enum imap_result r = run(u, a, &cmd, lsub_reply, &l, &st, "the subscribed folders", err);
    *wires = l.v;
    *n = l.n;
    return r;
}
