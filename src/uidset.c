/* uidset.c — sets of IMAP UIDs (see uidset.h). */
#include "uidset.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "validate.h"

/* A decimal UID at s[*i..end): 1..2^32-1. */
static int read_uid(const char *s, size_t end, size_t *i, uint32_t *out)
{
    uint64_t v = 0;
    size_t start = *i;
    while (*i < end && s[*i] >= '0' && s[*i] <= '9' && *i - start < 11) {
        v = v * 10 + (uint64_t)(s[*i] - '0');
        (*i)++;
    }
    if (*i == start || v == 0 || v > 0xffffffffu)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int u32_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int uidset_parse(struct arena *a, const char *s, size_t len, struct uidset *out)
{
    if (len == 0 || len > UIDSET_TEXT_MAX)
        return -1;
    uint32_t *v = malloc(UIDSET_MAX * sizeof(*v));
    if (v == NULL)
        abort();
    size_t n = 0, i = 0;
    int rc = -1;
    for (;;) {
        uint32_t lo, hi;
        if (read_uid(s, len, &i, &lo) < 0)
            goto out;
        hi = lo;
        if (i < len && s[i] == ':') {
            i++;
            if (read_uid(s, len, &i, &hi) < 0)
                goto out;
        }
        if (lo > hi) {
            uint32_t t = lo;
            lo = hi;
            hi = t;
        }
        if ((uint64_t)hi - lo + 1 > UIDSET_MAX - n)
            goto out;
        for (uint64_t u = lo; u <= hi; u++)
            v[n++] = (uint32_t)u;
        if (i == len)
            break;
        if (s[i] != ',')
            goto out;
        i++;
    }
    qsort(v, n, sizeof(*v), u32_cmp);
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        if (k == 0 || v[k - 1] != v[j])
            v[k++] = v[j];
    out->v = arena_alloc(a, k * sizeof(*out->v));
    memcpy(out->v, v, k * sizeof(*v));
    out->n = k;
    rc = 0;
out:
    free(v);
    return rc;
}

const char *uidset_format(struct arena *a, const struct uidset *set)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < set->n;) {
        size_t j = i;
        while (j + 1 < set->n && set->v[j + 1] == set->v[j] + 1)
            j++;
        if (i > 0)
            buf_append(&b, ",", 1);
        if (j > i)
            buf_printf(&b, "%u:%u", set->v[i], set->v[j]);
        else
            buf_printf(&b, "%u", set->v[i]);
        i = j + 1;
    }
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

int uidset_has(const struct uidset *set, uint32_t uid)
{
    return set->n > 0 && bsearch(&uid, set->v, set->n, sizeof(uid), u32_cmp) != NULL;
}

int valid_uid_set(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    struct uidset set;
    if (uidset_parse(a, raw, len, &set) < 0)
        return 0;
    if (out != NULL) {
        out->str = uidset_format(a, &set);
        out->len = strlen(out->str);
        out->num = (long long)set.n;
    }
    return 1;
}
