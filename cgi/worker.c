/* worker.c — a worker process: threads on FCGX_Accept_r, one request at a
 * time each, with a per-thread arena and output buffers.
 *
 * Accept is serialised with a mutex. On SIGTERM the worker's main thread
 * stops new accepts (SIGUSR1 interrupts the one blocked in accept) while
 * requests in flight run to completion.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "events.h"
#include "log.h"
#include "routes.h"

static struct app *g_app;
static struct tls_client *g_tls;     /* per worker: one verified SSL_CTX */
static int g_listen_fd = -1;
static volatile sig_atomic_t g_stopping;
static pthread_mutex_t g_accept_lock = PTHREAD_MUTEX_INITIALIZER;

/* The FastCGI parameters postern reads, picked out in one pass. */
enum param { P_METHOD, P_DOCUMENT_URI, P_REQUEST_URI, P_REMOTE_ADDR, P_XFF, P_HTTPS,
             P_CONTENT_LENGTH, P_QUERY_STRING, P_COOKIE, P_CONTENT_TYPE, P_ORIGIN,
             P_FETCH_SITE, P_HOST, P_SERVER_PORT, P__MAX };
static const struct { const char *name; size_t len; } param_names[P__MAX] = {
#define PN(s) {s "=", sizeof(s)}
    [P_METHOD] = PN("REQUEST_METHOD"), [P_DOCUMENT_URI] = PN("DOCUMENT_URI"),
    [P_REQUEST_URI] = PN("REQUEST_URI"), [P_REMOTE_ADDR] = PN("REMOTE_ADDR"),
    [P_XFF] = PN("HTTP_X_FORWARDED_FOR"), [P_HTTPS] = PN("HTTPS"),
    [P_CONTENT_LENGTH] = PN("CONTENT_LENGTH"), [P_QUERY_STRING] = PN("QUERY_STRING"),
    [P_COOKIE] = PN("HTTP_COOKIE"), [P_CONTENT_TYPE] = PN("CONTENT_TYPE"),
    [P_ORIGIN] = PN("HTTP_ORIGIN"), [P_FETCH_SITE] = PN("HTTP_SEC_FETCH_SITE"),
    [P_HOST] = PN("HTTP_HOST"), [P_SERVER_PORT] = PN("SERVER_PORT"),
#undef PN
};

/* Fills p[] from env ("NAME=value" strings); the first of a name wins,
 * as with FCGX_GetParam. Absent names stay NULL. */
static void params_read(FCGX_ParamArray env, const char *p[P__MAX])
{
    for (int i = 0; i < P__MAX; i++)
        p[i] = NULL;
    for (; env != NULL && *env != NULL; env++)
        for (int i = 0; i < P__MAX; i++)
            if (p[i] == NULL && strncmp(*env, param_names[i].name, param_names[i].len) == 0) {
                p[i] = *env + param_names[i].len;
                break;
            }
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
static const char *request_path(struct arena *a, const char *const prm[P__MAX])
{
    const char *p = prm[P_DOCUMENT_URI];
    if (p == NULL || *p == '\0') {
        const char *uri = prm[P_REQUEST_URI];
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

/* Reads and drops len bytes of body. 0, or 400 if short. */
static int drain_body(FCGX_Stream *in, size_t len)
{
    char chunk[65536];
    size_t got = 0;
    while (got < len) {
        size_t want = len - got > sizeof(chunk) ? sizeof(chunk) : len - got;
        int n = FCGX_GetStr(chunk, (int)want, in);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got == len ? 0 : 400;
}

/* The POST body of a route that takes it as is (struct route.raw): into
 * req->raw_body when the route accepts its type and size, else read,
 * dropped and the reason left in req->raw_status for the page to answer
 * in its own format. 0, or 400 if the body is shorter than declared. */
static int take_raw_body(struct request *req, const struct raw_body *rb, FCGX_Stream *in,
                         const char *content_type, size_t len)
{
    enum raw_verdict v = raw_body_verdict(rb, content_type, len);
    if (v != RAW_OK) {
        req->raw_status = v == RAW_TOO_LARGE ? 413 : 415;
        return drain_body(in, len);
    }
    char *body = NULL;
    if (len > 0 && read_body(req, in, len, &body) != 0)
        return 400;
    req->raw_body = body ? body : "";
    req->raw_len = len;
    return 0;
}

/* Validates one field's value. A file part sent for a text input is a
 * view into the body (not NUL-terminated): validated from a copy, and
 * only when it is small enough to be text at all. */
static bool valid_field(struct request *req, const struct input_def *d,
                        const struct http_field *fld, struct valid_value *out)
{
    const char *v = fld->value;
    if (fld->filename != NULL) {
        if (fld->value_len > 64 * 1024)
            return false;
        v = arena_strndup(req->arena, fld->value, fld->value_len);
    }
    return d->valid(req->arena, v, fld->value_len, out);
}

/* Binds every value of an INPUT_ITEMS input (at most n) into its items. */
static int bind_multi(struct request *req, enum input_key k, const struct input_def *d,
                      const struct http_fields *f, size_t n, const char **why)
{
    struct input *in = &req->in[k];
    in->items = arena_alloc(req->arena, n * sizeof(*in->items));
    in->n = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct http_field *fld = &f->v[i];
        if (strcmp(fld->key, d->name) != 0)
            continue;
        struct input_item *it = &in->items[in->n];
        memset(it, 0, sizeof(*it));
        if (d->flags & INPUT_FILE) {
            if (fld->filename == NULL || (fld->filename[0] == '\0' && fld->value_len == 0))
                continue;   /* a text field of that name, or an empty file input */
            it->data = fld->value;
            it->len = fld->value_len;
            it->filename = fld->filename;
            it->content_type = fld->content_type;
        }
        bool ok = (d->flags & INPUT_FILE)
                      ? d->valid(req->arena, fld->filename, strlen(fld->filename), &it->v)
                      : valid_field(req, d, fld, &it->v);
        if (!ok) {
            *why = arena_printf(req->arena, "The field \"%s\" has a value this page cannot accept.", d->name);
            return 400;
        }
        in->n++;
    }
    if (in->n > 0) {
        in->present = true;
        in->v = in->items[0].v;
    }
    return 0;
}

/* A multi input sent n > 1 times: the values joined with "," and
 * validated as one. -1 if too long or refused. */
static int join_values(struct request *req, const struct http_fields *f, const struct input_def *d,
                       struct valid_value *out)
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->v[i].key, d->name) != 0)
            continue;
        if (b.len > 0)
            buf_putc(&b, ',');
        buf_append(&b, f->v[i].value, f->v[i].value_len);
        if (b.len > 64 * 1024)
            break;
    }
    int ok = b.len <= 64 * 1024 && d->valid(req->arena, buf_cstr(&b), b.len, out);
    buf_free(&b);
    return ok ? 0 : -1;
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
        if (d->flags & INPUT_ITEMS) {
            if (bind_multi(req, k, d, f, n, why) != 0)
                return 400;
            continue;
        }
        if (n > 1 && d->multi) {
            if (join_values(req, f, d, &req->in[k].v) < 0) {
                *why = arena_printf(req->arena, "The field \"%s\" has a value this page cannot accept.", d->name);
                return 400;
            }
            req->in[k].present = true;
            continue;
        }
        if (n > 1) {
            *why = arena_printf(req->arena, "The field \"%s\" was sent more than once.", d->name);
            return 400;
        }
        const struct http_field *fld = http_fields_get(f, d->name);
        req->in[k].nul_replaced = fld->nul_replaced != 0;
        if (!valid_field(req, d, fld, &req->in[k].v)) {
            *why = arena_printf(req->arena, "The field \"%s\" has a value this page cannot accept.", d->name);
            return 400;
        }
        req->in[k].present = true;
    }
    return 0;
}

/* The limits for rt's body: the app's, with NUL replacement for a
 * ROUTE_NUL_TEXT route (tmp holds the copy). */
static const struct http_limits *body_limits(const struct route *rt, const struct http_limits *lim,
                                             struct http_limits *tmp)
{
    if (!(rt->flags & ROUTE_NUL_TEXT))
        return lim;
    *tmp = *lim;
    tmp->replace_nul = 1;
    return tmp;
}

/* Everything between accept and handler: returns 0 when the handler may
 * run, else an HTTP status with *why. Order: a malformed or oversize
 * request is refused before routing (400/413), then 404, 405, 411, then
 * the body is read (400 if short) and parsed (a raw-body route's is
 * handed over as it is, or dropped with the reason). */
static int prepare(struct request *req, FCGX_Request *fr, const struct route **rt_r,
                   const char **why)
{
    const char *prm[P__MAX];
    params_read(fr->envp, prm);
    const struct http_limits *lim = &req->app->limits;
    req->method = method_parse(prm[P_METHOD]);
    req->path = request_path(req->arena, prm);
    req->remote_addr = prm[P_REMOTE_ADDR];
    req->forwarded_for = prm[P_XFF];
    req->origin = prm[P_ORIGIN];
    req->fetch_site = prm[P_FETCH_SITE];
    req->host = prm[P_HOST];
    req->server_port = prm[P_SERVER_PORT];
    const char *https = prm[P_HTTPS];
    req->https = https != NULL && (strcmp(https, "on") == 0 || strcmp(https, "1") == 0);
    size_t len;
    int st = content_length(prm[P_CONTENT_LENGTH], lim->max_body, &len);
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
    if (req->method == METHOD_POST && prm[P_CONTENT_LENGTH] == NULL) {
        *why = "This form must be sent with its length (Content-Length).";
        return 411;
    }
    char *body = NULL;
    bool raw = rt->raw != NULL && req->method == METHOD_POST;
    if (raw ? take_raw_body(req, rt->raw, fr->in, prm[P_CONTENT_TYPE], len) != 0
            : len > 0 && read_body(req, fr->in, len, &body) != 0) {
        *why = "The request body is shorter than its declared length.";
        return 400;
    }
    struct http_fields query = {0}, form = {0};
    struct http_fields *cookies = &req->cookies;
    struct http_limits route_lim;
    const char *qs = prm[P_QUERY_STRING];
    st = http_parse_query(req->arena, qs ? qs : "", lim, &query, why);
    if (st == 0)
        st = http_parse_cookies(req->arena, prm[P_COOKIE], lim, cookies, why);
    if (st == 0 && req->method == METHOD_POST && !raw)
        st = http_parse_body(req->arena, prm[P_CONTENT_TYPE], body ? body : "",
                             len, body_limits(rt, lim, &route_lim), &form, why);
    if (st != 0)
        return st;
    const struct http_fields *src[3] = {&query, &form, cookies};
    return bind_inputs(req, rt, src, why);
}

/* Appends the decimal digits of n. */
static void put_uint(struct buf *b, size_t n)
{
    char d[24];
    int i = sizeof(d);
    do {
        d[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    buf_append(b, d + i, sizeof(d) - (size_t)i);
}

static void write_response(struct request *req, FCGX_Request *fr, struct buf *head)
{
    const char *body = req->shared_body ? req->shared_body->data : req->body.data;
    size_t body_len = req->shared_body ? req->shared_body->len : req->body.len;
    buf_clear(head);
    buf_puts(head, "Status: ");
    put_uint(head, (size_t)req->status);
    buf_putc(head, ' ');
    buf_puts(head, http_reason(req->status));
    buf_puts(head, "\r\nContent-Type: ");
    buf_puts(head, req->content_type ? req->content_type : "text/html; charset=utf-8");
    if (req->stream != NULL) {
        /* an event stream: no length; nginx must pass it on unbuffered */
        buf_puts(head, "\r\nX-Accel-Buffering: no");
    } else {
        buf_puts(head, "\r\nContent-Length: ");
        put_uint(head, body_len);
    }
    buf_puts(head, "\r\nCache-Control: ");
    buf_puts(head, req->cache_control ? req->cache_control : "no-store");
    buf_puts(head, "\r\n");
    buf_puts(head, req->security_headers ? req->security_headers : req->app->security_headers);
    if (req->https)
        buf_puts(head, "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n");
    buf_append(head, req->headers.data ? req->headers.data : "", req->headers.len);
    buf_puts(head, "\r\n");
    FCGX_PutStr(head->data, (int)head->len, fr->out);
    if (req->method != METHOD_HEAD && body_len > 0)
        FCGX_PutStr(body, (int)body_len, fr->out);
}

static long elapsed_us(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

struct thread_ctx {
    struct arena *arena;
    struct buf head;
    struct request req;
    struct store *store;        /* per thread, opened on first use */
    time_t store_failed_at;     /* back off for a second after a failure */
};

static __thread struct thread_ctx *t_ctx;

/* The thread's session store, opened on first use (after fork, in this
 * thread, as store.h requires). NULL if it cannot be opened. */
static struct store *thread_store(struct request *req)
{
    struct thread_ctx *t = t_ctx;
    if (t->store != NULL)
        return t->store;
    time_t now = time(NULL);
    if (t->store_failed_at == now)
        return NULL;
    const char *err = NULL;
    if (store_open(&req->app->cfg.store, &t->store, &err) < 0) {
        t->store = NULL;
        t->store_failed_at = now;
        log_error("msg=\"session store unavailable\" error=\"%s\"", err ? err : "?");
        return NULL;
    }
    return t->store;
}

/* Every few minutes one request thread of the worker, after answering,
 * removes expired sessions from a store that does not expire them itself
 * (sqlite; redis keys carry their own TTL). Only threads that already have
 * a store open do it, so a worker that never served a session never
 * touches the store. */
#define EXPIRE_EVERY 300
static void expire_sessions_now_and_then(struct thread_ctx *t)
{
    static time_t next_expire;   /* per worker process */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    if (t->store == NULL)
        return;
    time_t now = time(NULL);
    pthread_mutex_lock(&lock);
    int due = now >= next_expire;
    if (due)
        next_expire = now + EXPIRE_EVERY;
    pthread_mutex_unlock(&lock);
    if (!due)
        return;
    long removed = 0;
    const char *err = NULL;
    if (store_expire(t->store, (int64_t)now, &removed, &err) < 0)
        log_error("msg=\"session expiry failed\" error=\"%s\"", err ? err : "?");
    else if (removed > 0)
        log_info("msg=\"expired sessions removed\" count=%ld", removed);
}

/* Answers one request. Returns true when fr went to the event thread (an
 * event stream): the caller then needs a new FCGX_Request. */
static bool handle(struct thread_ctx *t, FCGX_Request *fr)
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
    req->store = thread_store;
    req->tls = g_tls;

    const struct route *rt = NULL;
    const char *why = NULL;
    int st = prepare(req, fr, &rt, &why);
    if (st == 0)
        rt->handler(req);
    else
        page_error(req, st, why);
    bool adopted = false;
    if (req->stream != NULL && (req->status != 200 || req->method == METHOD_HEAD)) {
        events_release(req->stream);
        req->stream = NULL;
    }
    write_response(req, fr, &t->head);
    if (req->stream != NULL) {
        if (FCGX_FFlush(fr->out) == 0 && FCGX_GetError(fr->out) == 0) {
            events_adopt(req->stream, fr);
            adopted = true;
        } else {
            events_release(req->stream);
        }
    }
    expire_sessions_now_and_then(t);
    log_request(g_app->worker_index, req->method == METHOD_OTHER ? "OTHER"
                : (const char *[]){"GET", "HEAD", "POST"}[req->method],
                req->path ? req->path : "-", req->status,
                req->shared_body ? req->shared_body->len : req->body.len, elapsed_us(&t0));
    /* the logged path lives in the arena: wipe after the log line */
    if (req->secret) {
        arena_wipe_reset(t->arena);
        if (req->headers.data)
            explicit_bzero(req->headers.data, req->headers.cap);
        if (t->head.data)
            explicit_bzero(t->head.data, t->head.cap);
    }
    return adopted;
}

static FCGX_Request *new_request(void)
{
    FCGX_Request *fr = malloc(sizeof(*fr));
    if (fr == NULL)
        abort();
    /* SIGUSR1 (from worker_run, at shutdown) makes a blocked accept fail. */
    FCGX_InitRequest(fr, g_listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    return fr;
}

static void *thread_main(void *arg)
{
    (void)arg;
    struct thread_ctx t;
    memset(&t, 0, sizeof(t));
    t.arena = arena_new();
    t_ctx = &t;
    FCGX_Request *fr = new_request();
    while (!g_stopping) {
        pthread_mutex_lock(&g_accept_lock);
        int rc = g_stopping ? -1 : FCGX_Accept_r(fr);
        pthread_mutex_unlock(&g_accept_lock);
        if (rc < 0) {
            if (!g_stopping && rc != -EINTR)
                usleep(10000);   /* e.g. EMFILE: don't spin */
            continue;
        }
        if (handle(&t, fr))
            fr = new_request();   /* the event thread finishes the old one */
        else
            FCGX_Finish_r(fr);
        /* The request's memory goes now, once the response is on its way,
         * not when this thread's next request starts: an upload's worth
         * would otherwise stay with each thread that last served one. */
        arena_reset(t.arena);
    }
    FCGX_Free(fr, 1);
    free(fr);
    buf_free(&t.head);
    buf_free(&t.req.headers);
    buf_free(&t.req.body);
    arena_free(t.arena);
    store_close(t.store);
    page_cache_free();
    return NULL;
}

static void on_wake(int sig)
{
    (void)sig;   /* only there to interrupt accept() */
}

/* Stops the request threads: each finishes its request in flight, then
 * exits. SIGUSR1 goes to every thread still running, repeatedly, so the
 * one blocked in accept (whichever holds the accept lock) is interrupted
 * even if the signal first lands just before it enters accept(). */
static void stop_threads(pthread_t *th, int n)
{
    g_stopping = 1;
    unsigned char done[256] = {0};   /* threads <= 256 (config) */
    int left = n;
    while (left > 0) {
        for (int i = 0; i < n; i++)
            if (!done[i])
                pthread_kill(th[i], SIGUSR1);
        for (int i = 0; i < n; i++)
            if (!done[i] && pthread_tryjoin_np(th[i], NULL) == 0) {
                done[i] = 1;
                left--;
            }
        if (left > 0)
            nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
}

int worker_run(struct app *app, int listen_fd)
{
    g_app = app;
    g_listen_fd = listen_fd;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* Our handlers go in before FCGX_Init, so libfcgi leaves them alone. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_wake;            /* no SA_RESTART: accept gets EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);      /* taken with sigwait below */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);       /* Ctrl-C reaches the master, which stops us */
    sigaction(SIGHUP, &sa, NULL);
    /* A fixed mmap threshold: request bodies (uploads up to max_body) are
     * mapped and unmapped with their request. Left dynamic, glibc raises
     * the threshold after the first large free, and each thread's malloc
     * arena then keeps an upload's worth of memory after its request. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    if (FCGX_Init() != 0)
        return 1;
    char err[256];
    g_tls = tls_client_new(app->cfg.upstream.ca_file[0] ? app->cfg.upstream.ca_file : NULL,
                           err, sizeof(err));
    if (g_tls == NULL) {
        log_error("msg=\"cannot set up TLS for mail servers\" error=\"%s\"", err);
        return 1;
    }

    int n = app->cfg.threads;
    pthread_t *th = calloc((size_t)n, sizeof(*th));
    if (th == NULL)
        return 1;
    /* Request threads take SIGUSR1 only; this thread waits for SIGTERM. */
    sigset_t term, threads_mask;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigfillset(&threads_mask);
    sigdelset(&threads_mask, SIGUSR1);
    pthread_sigmask(SIG_SETMASK, &threads_mask, NULL);
    if (events_start(app) < 0)
        return 1;
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, thread_main, NULL);
    pthread_sigmask(SIG_SETMASK, &term, NULL);
    int sig;
    while (sigwait(&term, &sig) != 0 || sig != SIGTERM)
        ;
    stop_threads(th, n);
    events_stop();
    free(th);
    tls_client_free(g_tls);
    return 0;
}
