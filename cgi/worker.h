/* worker.h — one worker process: T threads accepting FastCGI requests. */
#ifndef POSTERN_WORKER_H
#define POSTERN_WORKER_H

#include "app.h"

/* Runs the worker on listen_fd until SIGTERM, then lets in-flight requests
 * finish and returns the process exit status. Call in a freshly forked
 * child; app must stay valid for the life of the process. */
int worker_run(struct app *app, int listen_fd);

#endif
