/* csrf.c — see csrf.h. */
#include "csrf.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"

#define ORIGIN_MAX 300

int csrf_token_mask(const unsigned char secret[CSRF_SECRET_LEN],
                    char out[CSRF_TOKEN_LEN + 1], const char **error_r)
{
    unsigned char raw[2 * CSRF_SECRET_LEN];

    if (crypto_random(raw, CSRF_SECRET_LEN, error_r) < 0)
        return -1;
    for (size_t i = 0; i < CSRF_SECRET_LEN; i++)
        raw[CSRF_SECRET_LEN + i] = raw[i] ^ secret[i];
    b64url_encode(raw, sizeof(raw), out);
    crypto_wipe(raw, sizeof(raw));
    return 0;
}

int csrf_token_check(const unsigned char secret[CSRF_SECRET_LEN],
                     const char *token, size_t len)
{
    unsigned char raw[2 * CSRF_SECRET_LEN], unmasked[CSRF_SECRET_LEN];
    size_t n;
    int ok = 0;

    if (token == NULL || len != CSRF_TOKEN_LEN ||
        b64url_decode(token, len, raw, sizeof(raw), &n) < 0 || n != sizeof(raw))
        goto out;
    for (size_t i = 0; i < CSRF_SECRET_LEN; i++)
        unmasked[i] = raw[i] ^ raw[CSRF_SECRET_LEN + i];
    ok = crypto_equal(unmasked, secret, CSRF_SECRET_LEN);
out:
    crypto_wipe(raw, sizeof(raw));
    crypto_wipe(unmasked, sizeof(unmasked));
    return ok;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A host character: letters, digits, "-._~%" and, inside brackets, ':'. */
static int is_host_char(char c, int bracketed)
{
    return is_alpha(c) || is_digit(c) || strchr("-._~%", c) != NULL ||
           (bracketed && c == ':');
}

/* Splits "host[:port]" at p[0..n): sets *hostlen and *port_r (0: none).
 * Returns 0 or -1. */
static int split_host_port(const char *p, size_t n, size_t *hostlen, long *port_r)
{
    size_t i = 0;
    int bracketed = n > 0 && p[0] == '[';

    if (bracketed) {
        for (i = 1; i < n && p[i] != ']'; i++)
            if (!is_host_char(p[i], 1))
                return -1;
        if (i == n || i == 1)
            return -1;
        i++;
    } else {
        while (i < n && p[i] != ':' && is_host_char(p[i], 0))
            i++;
        if (i == 0)
            return -1;
    }
    *hostlen = i;
    *port_r = 0;
    if (i == n)
        return 0;
    if (p[i] != ':' || n - i < 2 || n - i > 6)
        return -1;
    long port = 0;
    for (size_t j = i + 1; j < n; j++) {
        if (!is_digit(p[j]))
            return -1;
        port = port * 10 + (p[j] - '0');
    }
    if (port < 1 || port > 65535)
        return -1;
    *port_r = port;
    return 0;
}

int csrf_origin_normalize(const char *s, char *out, size_t cap)
{
    const char *sep = strstr(s, "://");
    size_t slen, hostlen, o = 0;
    long port;

    if (sep == NULL || sep == s || !is_alpha(s[0]))
        return -1;
    slen = (size_t)(sep - s);
    for (size_t i = 0; i < slen; i++)
        if (!is_alpha(s[i]) && !is_digit(s[i]) && strchr("+.-", s[i]) == NULL)
            return -1;
    const char *hp = sep + 3;
    size_t hn = strlen(hp);
    if (split_host_port(hp, hn, &hostlen, &port) < 0 || slen + 3 + hn + 1 > cap)
        return -1;
    for (size_t i = 0; i < slen; i++)
        out[o++] = ascii_lower(s[i]);
    memcpy(out + o, "://", 3);
    o += 3;
    for (size_t i = 0; i < hostlen; i++)
        out[o++] = ascii_lower(hp[i]);
    out[o] = '\0';
    int dflt = (slen == 5 && memcmp(out, "https", 5) == 0 && port == 443) ||
               (slen == 4 && memcmp(out, "http", 4) == 0 && port == 80);
    if (port != 0 && !dflt)
        snprintf(out + o, cap - o, ":%ld", port);
    return 0;
}

/* Sec-Fetch-Site values, and whether each lets a POST through. */
static const struct {
    const char *value;
    int ok;
} fetch_sites[] = {
    { "same-origin", 1 },
    { "none", 1 },        /* user-initiated: typed URL, bookmark */
    { "same-site", 0 },   /* a sibling subdomain is another party */
    { "cross-site", 0 },
};

static int fail(const char **error_r, const char *msg)
{
    if (error_r != NULL)
        *error_r = msg;
    return -1;
}

int csrf_origin_check(const char *origin, const char *sec_fetch_site,
                      const char *expected, const char **error_r)
{
    if (sec_fetch_site != NULL) {
        size_t i, n = sizeof(fetch_sites) / sizeof(fetch_sites[0]);
        for (i = 0; i < n; i++)
            if (strcmp(sec_fetch_site, fetch_sites[i].value) == 0)
                break;
        if (i == n)
            return fail(error_r, "unknown Sec-Fetch-Site value");
        if (!fetch_sites[i].ok)
            return fail(error_r, "cross-site request (Sec-Fetch-Site)");
    }
    if (origin == NULL)
        return 0;
    char want[ORIGIN_MAX], got[ORIGIN_MAX];
    if (csrf_origin_normalize(expected, want, sizeof(want)) < 0)
        return fail(error_r, "the portal's own origin is misconfigured");
    if (strcmp(origin, "null") == 0)
        return fail(error_r, "request from an opaque origin (Origin: null)");
    if (csrf_origin_normalize(origin, got, sizeof(got)) < 0)
        return fail(error_r, "malformed Origin header");
    if (strcmp(got, want) != 0)
        return fail(error_r, "cross-origin request (Origin)");
    return 0;
}
