/* imap_compose.h — what writing mail asks of the IMAP server: APPEND a
 * message (to Sent or Drafts), find (or make) those folders, and mark the
 * message answered or forwarded.
 *
 * Works over a logged-in up_imap like imap.h, with imap_wire commands;
 * the same enum imap_result and err conventions (arena memory).
 */
#ifndef POSTERN_IMAP_COMPOSE_H
#define POSTERN_IMAP_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "imap.h"

/* APPENDs the message msg (msgbuild.h: segments, an exact size) to the
 * folder named wire with the flags flags_raw (postern's own constant
 * text, e.g. "\\Seen" or "\\Draft \\Seen"). The message is one literal
 * (LITERAL+ when offered) written segment by segment as it is sent, never
 * copied or encoded whole. *uid_r: the new message's UID from APPENDUID
 * (UIDPLUS), or 0 when the server does not say. */
struct mb_wire;
enum imap_result imap_append(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                             const char *wire, const char *flags_raw, const struct mb_wire *msg,
                             uint32_t *uid_r, const char **err);

/* The wire name of the folder for special use su (IMAP_SU_SENT,
 * IMAP_SU_DRAFTS): the top-level folder marked so (RFC 6154), else one
 * named like fallback (ASCII, case-insensitive), else fallback CREATEd. */
enum imap_result imap_special_folder(struct up_imap *u, const struct imap_caps *caps,
                                     struct arena *a, enum imap_special su,
                                     const char *fallback, const char **wire_r,
                                     const char **err);

/* Adds \Answered or $Forwarded (flag, exactly one of those) to one UID of
 * the selected folder. */
enum imap_result imap_mark(struct up_imap *u, struct arena *a, uint32_t uid, const char *flag,
                           const char **err);

#endif
