/* uidset.h — sets of IMAP UIDs as forms send them and commands need them.
 *
 * A form names messages by UID, never by sequence number: one checkbox per
 * row ("uid=12", repeated) or one field holding an IMAP set ("3:7,12").
 * Both arrive here as text ("12,15,3:7") and become a sorted list without
 * repeats, which is written back in IMAP's compact form ("3:7,12,15") for
 * UID commands. Pure and thread-safe; memory from the caller's arena.
 */
#ifndef POSTERN_UIDSET_H
#define POSTERN_UIDSET_H

#include <stddef.h>
#include <stdint.h>

struct arena;

#define UIDSET_MAX      1000   /* messages one action may name */
#define UIDSET_TEXT_MAX 12000  /* bytes of the set as text */

struct uidset {
    uint32_t *v;    /* ascending, no repeats, each 1..2^32-1 */
    size_t n;
};

/* Parses s[0..len): UIDs ("12") and ranges ("3:7", either order) separated
 * by commas, no spaces, no "*". Returns 0 with *out (arena memory), or -1
 * when the text is malformed, names UID 0, is longer than UIDSET_TEXT_MAX
 * or names more than UIDSET_MAX messages. */
int uidset_parse(struct arena *a, const char *s, size_t len, struct uidset *out);

/* The set in IMAP's compact form ("3:7,12"), NUL-terminated, arena
 * memory; "" for an empty set. */
const char *uidset_format(struct arena *a, const struct uidset *set);

/* 1 if uid is in set, else 0. */
int uidset_has(const struct uidset *set, uint32_t uid);

/* Route validator (validate.h's shape): a set uidset_parse() accepts;
 * out->str is its compact form and out->num the number of UIDs. */
struct valid_value;
int valid_uid_set(struct arena *a, const char *raw, size_t len, struct valid_value *out);

#endif
