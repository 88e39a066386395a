/* arena.h — a request-lifetime bump allocator.
 *
 * One arena per request: everything a handler allocates for the response
 * lives until arena_reset()/arena_free(), so handlers never free piecemeal.
 * Allocation failure aborts the process (the master restarts the worker);
 * input sizes are capped long before that can happen.
 */
#ifndef POSTERN_ARENA_H
#define POSTERN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new arena; never NULL. Free with arena_free(). */
struct arena *arena_new(void);

/* n zeroed bytes aligned for any type, owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);

/* Copies of s (NUL-terminated) / of its first n bytes, plus a NUL. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Frees everything allocated so far but keeps the first block for reuse. */
void arena_reset(struct arena *a);

/* Like arena_reset(), but first overwrites every byte handed out, for
 * requests that carried a secret (a password). */
void arena_wipe_reset(struct arena *a);

/* Frees the arena and everything in it; NULL is a no-op. */
void arena_free(struct arena *a);

/* Bytes currently reserved from malloc, for tests and stats. */
size_t arena_reserved(const struct arena *a);

#endif
