/* prefs.h — a user's own settings (per login, not per session), kept in
 * the session store as counters (what both stores have) named after a
 * hash of the login, for ten years.
 *
 * A preference is a small integer; an absent one reads as 0, so callers
 * pick encodings whose 0 means "the default".
 */
#ifndef POSTERN_PREFS_H
#define POSTERN_PREFS_H

#include <stdbool.h>

#include "request.h"

/* The value of preference name (a short ASCII word) for user; 0 when
 * unset or the store is down. */
long long pref_get(struct request *req, const char *user, const char *name);

/* Sets it to value. 0, or -1 when the store is down. */
int pref_set(struct request *req, const char *user, const char *name, long long value);

#endif
