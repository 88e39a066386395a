/* app.h — what every request handler can see of the running program.
 *
 * One struct app per configuration generation: the master loads config
 * and templates, forks workers that inherit them, and on SIGHUP builds a
 * new generation and forks new workers with it. A worker never changes its
 * app after start, so handlers read it without locks.
 */
#ifndef POSTERN_APP_H
#define POSTERN_APP_H

#include "config.h"
#include "http.h"
#include "tmpl.h"

struct app {
    struct config cfg;
    struct tmpl_set *templates;
    struct http_limits limits;
    char csp[1024];          /* Content-Security-Policy for HTML pages */
    char security_headers[1536];  /* every response's fixed header lines */
    int worker_index;        /* set in each worker after fork */
};

/* Loads config_path and the templates it names into a fresh app.
 * Returns NULL with every problem appended to errors. Free with app_free. */
struct app *app_load(const char *config_path, struct buf *errors);
void app_free(struct app *app);

#endif
