/* log.c — see log.h. */
#include "log.h"

#include <pthread.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The process id, looked up once per thread; a forked child forgets the
 * parent's (the forking thread's cache is copied into the child). */
static __thread int thread_pid;

static void forget_pid(void)
{
    thread_pid = 0;
}

__attribute__((constructor)) static void log_init(void)
{
    pthread_atfork(NULL, NULL, forget_pid);
}

static int log_pid(void)
{
    if (thread_pid == 0)
        thread_pid = (int)getpid();
    return thread_pid;
}

static void emit(const char *level, const char *fmt, va_list ap)
{
    char line[1024];
    int n = snprintf(line, sizeof(line), "postern[%d]: level=%s ", log_pid(), level);
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    if (write(STDERR_FILENO, line, len) < 0) {
        /* nowhere left to report it */
    }
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}

/* Copies s into out, replacing bytes that would break a log line. */
static void log_safe(char *out, size_t cap, const char *s)
{
    size_t j = 0;
    for (size_t i = 0; s[i] && j + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c == 0x7f || c == '"' || c == '\\') {
            snprintf(out + j, cap - j, "%%%02X", c);
            j += 3;
        } else {
            out[j++] = (char)c;
        }
    }
    out[j] = '\0';
}

void log_request(int worker, const char *method, const char *path, int status,
                 size_t bytes, long us)
{
    char safe[256];
    log_safe(safe, sizeof(safe), path);
    char line[512];
    int n = snprintf(line, sizeof(line),
                     "postern[%d]: worker=%d method=%s path=%s status=%d bytes=%zu us=%ld\n",
                     log_pid(), worker, method, safe, status, bytes, us);
    if (n > 0 && write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0) {
        /* ignore */
    }
}
