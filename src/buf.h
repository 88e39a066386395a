/* buf.h — a growable byte buffer (malloc-backed), always NUL-terminated.
 *
 * Used to build responses and rendered templates. Allocation failure
 * aborts. A zeroed struct buf is a valid empty buffer.
 */
#ifndef POSTERN_BUF_H
#define POSTERN_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;   /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Makes room for total bytes of contents in one allocation (a large
 * output whose size is known beforehand grows without copies). */
void buf_presize(struct buf *b, size_t total);
/* Empties the buffer, keeping its memory. */
void buf_clear(struct buf *b);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* The contents as a C string ("" when empty); owned by the buffer. */
const char *buf_cstr(const struct buf *b);

#endif
