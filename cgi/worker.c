/* worker.c — a worker process: threads on FCGX_Accept_r, one request at a
 * time each, with a per-thread arena and output buffers.
 *
 * Accept is serialised with a mutex; the thread holding it poll()s the
 * listening socket (non-blocking) together with a wake pipe, so SIGTERM
 * stops new accepts at once while requests in flight run to completion.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "routes.h"

static struct app *g_app;
static int g_listen_fd = -1;
static int g_wake[2] = {-1, -1};
static volatile sig_atomic_t g_stopping;
static pthread_mutex_t g_accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_term(int sig)
{
    (void)sig;
    int saved = errno;
    g_stopping = 1;
    if (write(g_wake[1], "x", 1) < 0) {
        /* the pipe is full: already woken */
    }
    errno = saved;
}

static enum http_method method_parse(const char *m)
{
    static const char *const names[METHOD_OTHER] = {"GET", "HEAD", "POST"};
    for (int i = 0; i < METHOD_OTHER; i++)
        if (m != NULL && strcmp(m, names[i]) == 0)
            return (enum http_method)i;
    return METHOD_OTHER;
}

/* The request path: DOCUMENT_URI (nginx's normalised $uri), else
 * REQUEST_URI without its query. NULL when unusable. */
static const char *request_path(struct arena *a, FCGX_ParamArray env)
{
    const char *p = FCGX_GetParam("DOCUMENT_URI", env);
    if (p == NULL || *p == '\0') {
        const char *uri = FCGX_GetParam("REQUEST_URI", env);
        if (uri == NULL)
            return NULL;
        p = arena_strndup(a, uri, strcspn(uri, "?"));
    }
    if (*p != '/' || strlen(p) > 2048 || !utf8_valid(p, strlen(p)))
        return NULL;
    return p;
}

/* Parses CONTENT_LENGTH. Returns 0 with *len set (0 when absent or
 * empty), 400 if it is not a plain decimal number, 413 if over max. */
static int content_length(const char *cl, size_t max, size_t *len)
{
    *len = 0;
    if (cl == NULL || *cl == '\0')
        return 0;
    for (const char *p = cl; *p; p++)
        if (*p < '0' || *p > '9')
            return 400;
    if (strlen(cl) > 15)
        return 413;
    unsigned long long n = strtoull(cl, NULL, 10);
    if (n > max)
        return 413;
    *len = (size_t)n;
    return 0;
}

/* Reads exactly len bytes of body into the arena. 0, or 400 if short. */
static int read_body(struct request *req, FCGX_Stream *in, size_t len, char **body)
{
    char *b = arena_alloc(req->arena, len + 1);
    size_t got = 0;
    while (got < len) {
        size_t chunk = len - got > (1u << 20) ? (1u << 20) : len - got;
        int n = FCGX_GetStr(b + got, (int)chunk, in);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != len)
        return 400;
    b[len] = '\0';
    *body = b;
    return 0;
}

/* Binds the route's declared inputs from the parsed sources. */
static int bind_inputs(struct request *req, const struct route *rt,
                       const struct http_fields *src[3], const char **why)
{
    for (int i = 0; i < ROUTE_INPUTS_MAX && rt->inputs[i] != IN__MAX; i++) {
        enum input_key k = rt->inputs[i];
        const struct input_def *d = &input_defs[k];
        const struct http_fields *f = src[d->source];
        size_t n = http_fields_count(f, d->name);
        if (n == 0)
            continue;
        if (n > 1) {
            *why = arena_printf(req->arena, "The field \"%s\" was sent more than once.", d->name);
            return 400;
        }
        const struct http_field *fld = http_fields_get(f, d->name);
        if (!d->valid(req->arena, fld->value, fld->value_len, &req->in[k].v)) {
            *why = arena_printf(req->arena, "The field \"%s\" has a value this page cannot accept.", d->name);
            return 400;
        }
        req->in[k].present = true;
    }
    return 0;
}

/* Everything between accept and handler: returns 0 when the handler may
 * run, else an HTTP status with *why. Order: a malformed or oversize
 * request is refused before routing (400/413), then 404, 405, 411, then
 * the body is read (400 if short) and parsed. */
static int prepare(struct request *req, FCGX_Request *fr, const struct route **rt_r,
                   const char **why)
{
    FCGX_ParamArray env = fr->envp;
    const struct http_limits *lim = &req->app->limits;
    req->method = method_parse(FCGX_GetParam("REQUEST_METHOD", env));
    req->path = request_path(req->arena, env);
    req->remote_addr = FCGX_GetParam("REMOTE_ADDR", env);
    req->forwarded_for = FCGX_GetParam("HTTP_X_FORWARDED_FOR", env);
    const char *https = FCGX_GetParam("HTTPS", env);
    req->https = https != NULL && (strcmp(https, "on") == 0 || strcmp(https, "1") == 0);
    size_t len;
    int st = content_length(FCGX_GetParam("CONTENT_LENGTH", env), lim->max_body, &len);
    if (st != 0) {
        *why = st == 413 ? "The request is larger than this server accepts."
                         : "The request's Content-Length is not a number.";
        return st;
    }
    if (req->path == NULL) {
        *why = "The address of this request is not valid.";
        return 400;
    }
    const struct route *rt = route_find(req->path);
    *rt_r = rt;
    if (rt == NULL)
        return 404;
    if (req->method == METHOD_OTHER || !(rt->methods & METHOD_BIT(req->method))) {
        response_header(req, "Allow", route_allow(rt));
        return 405;
    }
    if (req->method == METHOD_POST && FCGX_GetParam("CONTENT_LENGTH", env) == NULL) {
        *why = "This form must be sent with its length (Content-Length).";
        return 411;
    }
    char *body = NULL;
    if (len > 0 && read_body(req, fr->in, len, &body) != 0) {
        *why = "The request body is shorter than its declared length.";
        return 400;
    }
    struct http_fields query = {0}, form = {0}, cookies = {0};
    const char *qs = FCGX_GetParam("QUERY_STRING", env);
    st = http_parse_query(req->arena, qs ? qs : "", lim, &query, why);
    if (st == 0)
        st = http_parse_cookies(req->arena, FCGX_GetParam("HTTP_COOKIE", env), lim, &cookies, why);
    if (st == 0 && req->method == METHOD_POST)
        st = http_parse_body(req->arena, FCGX_GetParam("CONTENT_TYPE", env), body ? body : "",
                             len, lim, &form, why);
    if (st != 0)
        return st;
    const struct http_fields *src[3] = {&query, &form, &cookies};
    return bind_inputs(req, rt, src, why);
}

static void write_response(struct request *req, FCGX_Request *fr, struct buf *head)
{
    buf_clear(head);
    buf_printf(head, "Status: %d %s\r\n", req->status, http_reason(req->status));
    buf_printf(head, "Content-Type: %s\r\n",
               req->content_type ? req->content_type : "text/html; charset=utf-8");
    buf_printf(head, "Content-Length: %zu\r\n", req->body.len);
    buf_printf(head, "Cache-Control: %s\r\n", req->cache_control ? req->cache_control : "no-store");
    buf_printf(head, "Content-Security-Policy: %s\r\n", req->app->csp);
    buf_puts(head, "X-Content-Type-Options: nosniff\r\n"
                   "X-Frame-Options: DENY\r\n"
                   "Referrer-Policy: same-origin\r\n"
                   "Cross-Origin-Opener-Policy: same-origin\r\n");
    if (req->https)
        buf_puts(head, "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n");
    buf_append(head, req->headers.data ? req->headers.data : "", req->headers.len);
    buf_puts(head, "\r\n");
    FCGX_PutStr(head->data, (int)head->len, fr->out);
    if (req->method != METHOD_HEAD && req->body.len > 0)
        FCGX_PutStr(req->body.data, (int)req->body.len, fr->out);
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

struct thread_ctx {
    struct arena *arena;
    struct buf head;
    struct request req;
};

static void handle(struct thread_ctx *t, FCGX_Request *fr)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct request *req = &t->req;
    struct buf hdrs = req->headers, body = req->body;
    buf_clear(&hdrs);
    buf_clear(&body);
    arena_reset(t->arena);
    memset(req, 0, sizeof(*req));
    req->arena = t->arena;
    req->app = g_app;
    req->headers = hdrs;
    req->body = body;

    const struct route *rt = NULL;
    const char *why = NULL;
    int st = prepare(req, fr, &rt, &why);
    if (st == 0)
        rt->handler(req);
    else
        page_error(req, st, why);
    write_response(req, fr, &t->head);
    log_request(g_app->worker_index, req->method == METHOD_OTHER ? "OTHER"
                : (const char *[]){"GET", "HEAD", "POST"}[req->method],
                req->path ? req->path : "-", req->status, req->body.len, elapsed_ms(&t0));
}

static void *thread_main(void *arg)
{
    (void)arg;
    struct thread_ctx t;
    memset(&t, 0, sizeof(t));
    t.arena = arena_new();
    FCGX_Request fr;
    FCGX_InitRequest(&fr, g_listen_fd, 0);
    while (!g_stopping) {
        pthread_mutex_lock(&g_accept_lock);
        int rc = -1;
        while (!g_stopping) {
            struct pollfd pf[2] = {{g_listen_fd, POLLIN, 0}, {g_wake[0], POLLIN, 0}};
            if (poll(pf, 2, -1) < 0 && errno != EINTR)
                break;
            if (pf[1].revents || g_stopping)
                break;
            if (!(pf[0].revents & POLLIN))
                continue;
            rc = FCGX_Accept_r(&fr);
            if (rc == 0)
                break;
        }
        pthread_mutex_unlock(&g_accept_lock);
        if (rc != 0)
            break;
        handle(&t, &fr);
        FCGX_Finish_r(&fr);
    }
    FCGX_Free(&fr, 1);
    buf_free(&t.head);
    buf_free(&t.req.headers);
    buf_free(&t.req.body);
    arena_free(t.arena);
    return NULL;
}

int worker_run(struct app *app, int listen_fd)
{
    g_app = app;
    g_listen_fd = listen_fd;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (pipe2(g_wake, O_CLOEXEC | O_NONBLOCK) < 0)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);   /* Ctrl-C reaches the master, which stops us */
    sigaction(SIGHUP, &sa, NULL);
    sigset_t all;
    sigemptyset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    /* Our handlers are installed first, so FCGX_Init leaves SIGTERM alone. */
    if (FCGX_Init() != 0)
        return 1;
    int fl = fcntl(listen_fd, F_GETFL);
    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK);

    int n = app->cfg.threads;
    pthread_t *th = calloc((size_t)n, sizeof(*th));
    if (th == NULL)
        return 1;
    /* Request threads don't take signals; the main thread waits for them. */
    sigset_t block;
    sigfillset(&block);
    pthread_sigmask(SIG_SETMASK, &block, NULL);
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, thread_main, NULL);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    free(th);
    return 0;
}
