/* corpus.h — test data shared by the whole team in ../shared/corpus/
 * (sources and licences in its SOURCES.md), read in place, never copied.
 * Tests run from the repository root, where ../shared/ sits beside the
 * clone (in CI too). POSTERN_CORPUS overrides the corpus directory. */
#ifndef POSTERN_TEST_CORPUS_H
#define POSTERN_TEST_CORPUS_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* Opens corpus file rel ("blns/blns.txt"); NULL if not found. */
static inline FILE *corpus_open(const char *rel)
{
    static const char *const roots[] = {"../shared/corpus", "/work/shared/corpus"};
    char path[1024];
    const char *env = getenv("POSTERN_CORPUS");
    if (env != NULL) {
        snprintf(path, sizeof(path), "%s/%s", env, rel);
        return fopen(path, "r");
    }
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", roots[i], rel);
        FILE *f = fopen(path, "r");
        if (f != NULL)
            return f;
    }
    return NULL;
}

/* The next line of a list file that is neither empty nor a "#" comment,
 * without its newline, in *line (realloc'd, caller frees). Returns its
 * length, or -1 at the end. */
static inline ssize_t corpus_next_line(FILE *f, char **line, size_t *cap)
{
    ssize_t got;
    while ((got = getline(line, cap, f)) >= 0) {
        if (got > 0 && (*line)[got - 1] == '\n')
            (*line)[--got] = '\0';
        if (got > 0 && (*line)[0] != '#')
            return got;
    }
    return -1;
}

#endif
