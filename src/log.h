/* log.h — one line per event to stderr (journald picks it up), key=value.
 *
 * Never pass a password, a cookie, a query string or a message body: the
 * request line logs the path only.
 */
#ifndef POSTERN_LOG_H
#define POSTERN_LOG_H

#include <stddef.h>

/* "postern: level=info msg=..." — printf-checked; one write(2) per line. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The access line for one request. path is escaped for the log. */
void log_request(int worker, const char *method, const char *path, int status,
                 size_t bytes, long us);

#endif
