/* csrf.h — cross-site request forgery defences for state-changing POSTs.
 *
 * Two independent checks, both required on every POST that changes state:
 *
 * 1. A synchronizer token: each session holds a random 128-bit secret
 *    (session.h); pages embed csrf_token_mask() of it in every form, and
 *    the handler checks the posted value with csrf_token_check(). The
 *    embedded token is masked afresh for each page (pad || pad XOR secret,
 *    as Rails and Django do), so it never repeats in compressed responses
 *    (BREACH).
 * 2. The request's provenance: csrf_origin_check() over the Origin and
 *    Sec-Fetch-Site headers against the portal's own origin.
 */
#ifndef POSTERN_CSRF_H
#define POSTERN_CSRF_H

#include <stddef.h>

#define CSRF_SECRET_LEN 16                   /* bytes */
#define CSRF_TOKEN_LEN  43                   /* base64url of 32 bytes */

/* Writes a masked token for secret to out (CSRF_TOKEN_LEN chars + NUL),
 * drawing a fresh random pad. Returns 0, or -1 if the random source
 * failed. The token passes valid_token(). */
int csrf_token_mask(const unsigned char secret[CSRF_SECRET_LEN],
                    char out[CSRF_TOKEN_LEN + 1], const char **error_r);

/* 1 if token[0..len) is a masked token of secret (any pad), else 0. The
 * comparison runs in constant time; only the length is checked first. */
int csrf_token_check(const unsigned char secret[CSRF_SECRET_LEN],
                     const char *token, size_t len);

/* The Origin / Sec-Fetch-Site check for a state-changing request.
 * origin and sec_fetch_site are the header values, NULL when absent;
 * expected is the portal's origin, "https://mail.example.com" (scheme,
 * host, optional port; no path). Origins are compared after lower-casing
 * scheme and host and dropping a default port (80 for http, 443 for
 * https). Returns 0 if the request may proceed:
 *   - Sec-Fetch-Site is "same-origin" or "none" (typed by the user), and
 *     Origin, if present, is the expected origin; or
 *   - no Sec-Fetch-Site (older browsers) and Origin is the expected one; or
 *   - neither header (non-browser clients, very old browsers): the
 *     synchronizer token alone then decides.
 * Returns -1 with *error_r (if not NULL) a static sentence otherwise:
 * Sec-Fetch-Site "same-site", "cross-site" or anything unknown; Origin
 * "null", malformed or another origin. expected is trusted config: if it
 * is malformed, every request carrying an Origin is refused. */
int csrf_origin_check(const char *origin, const char *sec_fetch_site,
                      const char *expected, const char **error_r);

/* Writes the normalised form of an origin (see above) to out, cap bytes
 * with the NUL. Returns 0, or -1 if s is not "scheme://host[:port]". */
int csrf_origin_normalize(const char *s, char *out, size_t cap);

#endif
