/* arena.c — see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384
#define ARENA_ALIGN 16

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
    struct block *head;  /* current block; the last in the chain is the first made */
    size_t reserved;
};

static struct block *block_new(size_t size)
{
    struct block *b = malloc(sizeof(*b) + size);
    if (b == NULL) {
        fputs("postern: out of memory\n", stderr);
        abort();
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct arena *arena_new(void)
{
    struct arena *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        fputs("postern: out of memory\n", stderr);
        abort();
    }
    a->head = block_new(ARENA_BLOCK);
    a->reserved = ARENA_BLOCK;
    return a;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        abort();
    struct block *b = a->head;
    if (b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        b = block_new(size);
        b->next = a->head;
        a->head = b;
        a->reserved += size;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_reset(struct arena *a)
{
    while (a->head->next != NULL) {
        struct block *b = a->head;
        a->head = b->next;
        a->reserved -= b->size;
        free(b);
    }
    a->head->used = 0;
}

void arena_wipe_reset(struct arena *a)
{
    for (struct block *b = a->head; b != NULL; b = b->next)
        explicit_bzero(b->data, b->used);
    arena_reset(a);
}

void arena_free(struct arena *a)
{
    if (a == NULL)
        return;
    while (a->head != NULL) {
        struct block *b = a->head;
        a->head = b->next;
        free(b);
    }
    free(a);
}

size_t arena_reserved(const struct arena *a)
{
    return a->reserved;
}
