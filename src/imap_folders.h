/* imap_folders.h — acting on many messages at once, and managing folders.
 *
 * Messages are named by UID sets (uidset.h), never sequence numbers. The
 * move and delete fallbacks for servers without MOVE mark and expunge
 * only the UIDs acted on (UID EXPUNGE, UIDPLUS): other messages a client
 * marked \Deleted stay. Folder names cross in modified UTF-7 (the wire
 * names of imap.h); callers build new ones with foldername.h, so a name
 * reaching these functions has been checked already, and imap_wire
 * refuses CR/LF/NUL once more before anything is sent.
 *
 * Results and errors as imap.h: IMAP_OK, IMAP_NO (refused, sentence in
 * *err), IMAP_GONE (folder does not exist), IMAP_DEAD (close the
 * connection). Memory from the caller's arena.
 */
#ifndef POSTERN_IMAP_FOLDERS_H
#define POSTERN_IMAP_FOLDERS_H

#include <stdbool.h>
#include <stdint.h>

#include "imap.h"
#include "imap_wire.h"
#include "uidset.h"

/* How a finished imap_wire command ends as an imap_result (defined in
 * imap.c, shared with it): NONEXISTENT/TRYCREATE -> IMAP_GONE, NO/BAD ->
 * IMAP_NO, a refused argument -> IMAP_BADARG, else IMAP_DEAD; *err names
 * what (e.g. "moving the messages"). */
enum imap_result imap_outcome(enum imapw_result r, const struct imapw_status *st,
                              const char *what, struct arena *a, const char **err);

/* Where a copy or move put the messages (UIDPLUS COPYUID, RFC 4315):
 * src.v[i] became dst.v[i] in a folder whose UIDVALIDITY is uidvalidity.
 * uidvalidity 0: the server did not say (no UIDPLUS). */
struct imap_uidmap {
    uint32_t uidvalidity;
    struct uidset src, dst;
};

/* Which UIDs of want are in the selected folder now (UID SEARCH): *have
 * is a subset of want, empty when all are gone. */
enum imap_result imap_present(struct up_imap *u, struct arena *a, const struct uidset *want,
                              struct uidset *have, const char **err);

/* Adds or removes flag ("\\Seen", "\\Flagged") on every UID of set. */
enum imap_result imap_flag_set(struct up_imap *u, struct arena *a, const struct uidset *set,
                               const char *flag, bool add, const char **err);

/* Copies set to the folder wire; *map (may be NULL) says where they went. */
enum imap_result imap_copy_set(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                               const struct uidset *set, const char *wire, struct imap_uidmap *map,
                               const char **err);

/* Moves set to the folder wire: UID MOVE, else UID COPY + \Deleted + UID
 * EXPUNGE of set only (UIDPLUS); without either IMAP_NO and nothing done.
 * *map (may be NULL) as imap_copy_set. */
enum imap_result imap_move_set(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                               const struct uidset *set, const char *wire, struct imap_uidmap *map,
                               const char **err);

/* Deletes set for good: \Deleted + UID EXPUNGE of set (UIDPLUS, else
 * IMAP_NO). */
enum imap_result imap_destroy_set(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                  const struct uidset *set, const char **err);

/* Deletes for good every message of the selected folder with a UID below
 * uidnext (what the user was shown when asked to confirm; mail that
 * arrived later stays). Without UIDPLUS: \Deleted on them and EXPUNGE. */
enum imap_result imap_empty_below(struct up_imap *u, const struct imap_caps *caps, struct arena *a,
                                  uint32_t uidnext, const char **err);

/* The server's hierarchy separator (LIST "" ""): 0 if flat. */
enum imap_result imap_delimiter(struct up_imap *u, struct arena *a, char *delim, const char **err);

/* CREATE, RENAME, DELETE, SUBSCRIBE/UNSUBSCRIBE of folders by wire name. */
enum imap_result imap_folder_create(struct up_imap *u, const struct imap_caps *caps,
                                    struct arena *a, const char *wire, const char **err);
enum imap_result imap_folder_rename(struct up_imap *u, const struct imap_caps *caps,
                                    struct arena *a, const char *from, const char *to,
                                    const char **err);
enum imap_result imap_folder_delete(struct up_imap *u, const struct imap_caps *caps,
                                    struct arena *a, const char *wire, const char **err);
enum imap_result imap_folder_subscribe(struct up_imap *u, const struct imap_caps *caps,
                                       struct arena *a, const char *wire, bool on,
                                       const char **err);

/* The wire names of the subscribed folders (LSUB "" "*"), at most
 * IMAP_FOLDERS_MAX. */
enum imap_result imap_subscribed(struct up_imap *u, struct arena *a, const char ***wires,
                                 size_t *n, const char **err);

#endif
