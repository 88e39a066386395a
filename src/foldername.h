/* foldername.h — folder names as a person types them, checked before any
 * byte goes to the mail server.
 *
 * A new name is typed one level at a time (the leaf); a folder inside
 * another is its parent's name, the server's hierarchy separator, and the
 * leaf. The leaf is checked here with a sentence saying what is wrong, and
 * the whole name is encoded to modified UTF-7 (mutf7.h) for the wire.
 * Pure and thread-safe; memory from the caller's arena.
 */
#ifndef POSTERN_FOLDERNAME_H
#define POSTERN_FOLDERNAME_H

#include <stddef.h>

struct arena;
struct valid_value;

#define FOLDERNAME_LEAF_MAX 200   /* bytes of UTF-8 in one level */
#define FOLDERNAME_WIRE_MAX 1000  /* bytes of the whole name in modified UTF-7 */

/* Checks one level s[0..len) (may hold NULs) of a name, delim being the
 * server's separator (0 if flat). Returns 0, or -1 with *why = a static
 * sentence: empty; a line break (CR, LF) or NUL; another control
 * character (C0, DEL, C1); not UTF-8; a literal marker "{5}"/"{5+}"; the
 * separator; "*" or "%" (LIST wildcards); a space at either end; "." or
 * ".."; over FOLDERNAME_LEAF_MAX bytes. */
int foldername_check_leaf(const char *s, size_t len, char delim, const char **why);

/* The whole name of leaf (checked with foldername_check_leaf) inside
 * parent (UTF-8, as imap.h lists it; NULL or "" for the top level):
 * *name_r its UTF-8 form, *wire_r its modified UTF-7 form. Returns 0, or
 * -1 with *why: the leaf's fault, "INBOX" at the top level (any case), or
 * a whole name over FOLDERNAME_WIRE_MAX. */
int foldername_make(struct arena *a, const char *parent, char delim, const char *leaf,
                    size_t leaf_len, const char **name_r, const char **wire_r, const char **why);

/* Route validator for a typed name: 0..4000 bytes, anything at all (the
 * page explains what is wrong with foldername_check_leaf, so even CR, LF
 * and NUL get past the route to a clear sentence). out->len is exact. */
int valid_folder_text(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* Route validator for a chosen parent folder: "" (the top level) or what
 * valid_folder() accepts. */
int valid_parent_folder(struct arena *a, const char *raw, size_t len, struct valid_value *out);

#endif
