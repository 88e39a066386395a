/* imap_compose.c — APPEND, the Sent and Drafts folders, answered and
 * forwarded marks (see imap_compose.h). */
#include "imap_compose.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "imap_folders.h"   /* imap_outcome */
#include "imap_wire.h"
#include "msgbuild.h"

/* The literal's bytes: the message's segments as they are written. */
static int write_message(void *ctx, imapw_put_fn put, void *put_ctx)
{
    return mb_wire_write(ctx, put, put_ctx) == 0 ? 0 : -1;
}

enum imap_result imap_append(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                             const char *wire, const char *flags_raw, const struct mb_wire *msg,
                             uint32_t *uid_r, const char **err)
{
    struct imapw_cmd cmd;
    struct imapw_status st;
    *uid_r = 0;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, "APPEND ");
    imapw_string(&cmd, wire, strlen(wire));
    imapw_raw(&cmd, " (");
    imapw_raw(&cmd, flags_raw);
    imapw_raw(&cmd, ") ");
    imapw_literal_gen(&cmd, msg->size, write_message, (void *)msg);
    enum imapw_result r = imapw_run(u, a, &cmd, NULL, NULL, &st);
    imapw_cmd_free(&cmd);
    if (r == IMAPW_OK && strcasecmp(st.code, "APPENDUID") == 0) {
        char *end = NULL;
        strtoul(st.code_args, &end, 10);                      /* UIDVALIDITY */
        unsigned long uid = end ? strtoul(end, NULL, 10) : 0;
        *uid_r = uid <= UINT32_MAX ? (uint32_t)uid : 0;
    }
    return imap_outcome(r, &st, "saving the message", a, err);
}

enum imap_result imap_special_folder(struct up_imap *u, const struct imap_caps *caps,
                                     struct arena *a, enum imap_special su,
                                     const char *fallback, const char **wire_r,
                                     const char **err)
{
    struct imap_folder *f = NULL;
    size_t n = 0;
    *wire_r = NULL;
    enum imap_result r = imap_folder_names(u, caps, a, &f, &n, err);
    if (r != IMAP_OK)
        return r;
    for (size_t i = 0; i < n; i++)
        if (f[i].special == su && f[i].depth == 0 && !f[i].noselect) {
            *wire_r = f[i].wire;
            return IMAP_OK;
        }
    for (size_t i = 0; i < n; i++)
        if (f[i].depth == 0 && !f[i].noselect && strcasecmp(f[i].wire, fallback) == 0) {
            *wire_r = f[i].wire;
            return IMAP_OK;
        }
    struct imapw_cmd cmd;
    struct imapw_status st;
    imapw_cmd_init(&cmd, caps->literal_plus);
    imapw_raw(&cmd, "CREATE ");
    imapw_string(&cmd, fallback, strlen(fallback));
    enum imapw_result w = imapw_run(u, a, &cmd, NULL, NULL, &st);
    imapw_cmd_free(&cmd);
    r = imap_outcome(w, &st, "making the folder", a, err);
    if (r == IMAP_OK)
        *wire_r = arena_strdup(a, fallback);
    return r;
}

enum imap_result imap_mark(struct up_imap *u, struct arena *a, uint32_t uid, const char *flag,
                           const char **err)
{
    if (strcmp(flag, "\\Answered") != 0 && strcmp(flag, "$Forwarded") != 0) {
        *err = "unknown flag";
        return IMAP_BADARG;
    }
    return imap_flag(u, a, uid, flag, true, err);
}
