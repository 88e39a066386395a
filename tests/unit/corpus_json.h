/* corpus_json.h — reads a corpus file that is a JSON array of strings
 * (dompurify/payloads.json), for tests. Only what such a file needs:
 * strings with every JSON escape, \u surrogate pairs decoded to UTF-8 (a
 * lone surrogate becomes U+FFFD), and "\u0000" kept as a NUL byte. */
#ifndef POSTERN_TEST_CORPUS_JSON_H
#define POSTERN_TEST_CORPUS_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

struct corpus_str {
    char *s;   /* malloc'd, NUL-terminated, may hold NUL bytes */
    size_t n;
};

struct corpus_bytes {
    char *p;
    size_t n, cap;
};

static void corpus_put(struct corpus_bytes *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void corpus_put_utf8(struct corpus_bytes *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    corpus_put(b, u, n);
}

/* The 4 hex digits at p, or -1. */
static long corpus_hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decodes the string whose opening quote is at *p into b and moves *p
 * past its closing quote; -1 if malformed. */
static int corpus_json_string(const char **p, struct corpus_bytes *b)
{
    static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    const char *s = *p + 1;
    for (; *s != '"'; s++) {
        const char *e;
        if (*s == '\0')
            return -1;
        if (*s != '\\') {
            corpus_put(b, s, 1);
            continue;
        }
        if (*++s != 'u') {
            for (e = esc; *e && *e != *s; e += 2)
                ;
            if (*e == '\0')
                return -1;
            corpus_put(b, e + 1, 1);
            continue;
        }
        long cp = corpus_hex4(s + 1);
        if (cp < 0)
            return -1;
        s += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && s[1] == '\\' && s[2] == 'u') {
            long lo = corpus_hex4(s + 3);
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
        }
        corpus_put_utf8(b, cp >= 0xD800 && cp < 0xE000 ? 0xFFFD : (unsigned long)cp);
    }
    *p = s + 1;
    return 0;
}

static void corpus_json_free(struct corpus_str *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i].s);
    free(v);
}

/* The strings of corpus file rel (a JSON array of strings), *n_r of them;
 * free with corpus_json_free(). NULL if the file is missing or malformed. */
static struct corpus_str *corpus_json_strings(const char *rel, size_t *n_r)
{
    FILE *f = corpus_open(rel);
    struct corpus_bytes text = {0};
    struct corpus_str *v = NULL;
    size_t n = 0, got;
    char chunk[4096];
    if (f == NULL)
        return NULL;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        corpus_put(&text, chunk, got);
    fclose(f);
    const char *p = text.p ? text.p + strspn(text.p, " \t\r\n") : "";
    int ok = *p++ == '[';
    while (ok) {
        p += strspn(p, " \t\r\n");
        if (*p == ']')
            break;
        struct corpus_bytes s = {0};
        corpus_put(&s, "", 0);
        ok = *p == '"' && corpus_json_string(&p, &s) == 0;
        v = realloc(v, (n + 1) * sizeof(*v));
        v[n++] = (struct corpus_str){s.p, s.n};
        p += strspn(p, " \t\r\n");
        if (ok && *p == ',')
            p++;
        else if (*p != ']')
            ok = 0;
    }
    free(text.p);
    if (!ok) {
        corpus_json_free(v, n);
        return NULL;
    }
    *n_r = n;
    return v;
}

#endif
