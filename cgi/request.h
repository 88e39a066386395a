/* request.h — one HTTP request as page handlers see it, and its response.
 *
 * The worker fills the request (method, path, client, validated inputs),
 * calls the route's handler, then writes the response with the security
 * headers every response carries. Everything lives in req->arena, reset
 * after the response is sent.
 */
#ifndef POSTERN_REQUEST_H
#define POSTERN_REQUEST_H

#include <stdbool.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "session.h"
#include "store.h"
#include "tls.h"
#include "validate.h"

struct stream;

enum http_method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_OTHER, METHOD__MAX };

/* Every input any page accepts; a route lists the ones it takes. */
enum input_key {
    IN_VIEW, IN_USER, IN_PASSWORD, IN_CSRF,
    /* the mailbox pages */
    IN_FOLDER, IN_PAGE, IN_SORT, IN_ORDER, IN_QUERY, IN_IN, IN_UID, IN_PART, IN_REMOTE, IN_INLINE,
    IN_MSG, IN_CONFIRM, IN_PROTO, IN_REMOVE, IN_OP, IN_TO,
    /* how the mailbox checks for new mail */
    IN_EVERY, IN_LIVE,
    /* actions on a selection, folder management */
    IN_UIDS, IN_UV, IN_NEXT, IN_NAME, IN_PARENT, IN_DONE, IN_COUNT, IN_GONE,
    /* the client configuration files */
    IN_EMAILADDRESS, IN_INCOMING,
    /* writing mail (page_compose.c) */
    IN_MODE, IN_DRAFT_Q, IN_DRAFT, IN_TOKEN, IN_FROM, IN_RCPT_TO, IN_CC, IN_BCC, IN_SUBJECT,
    IN_BODY, IN_ATTACH, IN_KEEP, IN_IRT, IN_REFS,
    IN__MAX
};

enum input_source { SRC_QUERY, SRC_FORM, SRC_COOKIE };

struct input_def {
    const char *name;
    enum input_source source;
    validator_fn valid;
    bool multi;            /* may be sent more than once (checkboxes): the
                            * values reach valid joined with "," */
    unsigned flags;        /* INPUT_* */
};

#define INPUT_ITEMS 0x1u   /* may be sent several times: every value, validated
                            * one by one, in items (not joined as multi does) */
#define INPUT_FILE  0x2u   /* a multipart file part (with INPUT_ITEMS): items carry
                            * the bytes, file name and type; empty file inputs
                            * (no name, no bytes) are left out */

/* One value of an INPUT_ITEMS input. */
struct input_item {
    struct valid_value v;          /* the validated value (files: v.str is the name) */
    const char *data;              /* files: the bytes as uploaded */
    size_t len;
    const char *filename;          /* files: as the browser sent it (path stripped) */
    const char *content_type;      /* files: as declared */
};

struct input {
    bool present;
    bool nul_replaced;             /* ROUTE_NUL_TEXT: NULs sent in it became U+FFFD */
    struct valid_value v;          /* the first value */
    struct input_item *items;      /* INPUT_ITEMS: every value, in order */
    size_t n;
};

struct request {
    struct arena *arena;
    const struct app *app;
    enum http_method method;
    const char *path;
    const char *remote_addr;
    const char *forwarded_for;     /* X-Forwarded-For or NULL */
    bool https;
    const char *origin;            /* Origin header or NULL */
    const char *fetch_site;        /* Sec-Fetch-Site header or NULL */
    const char *host;              /* Host (Debian's nginx passes $host: no port) */
    const char *server_port;       /* the port nginx took the request on */
    struct http_fields cookies;
    struct input in[IN__MAX];
    /* a route with a raw body (struct route.raw): the body as sent,
     * NUL-terminated; or NULL with raw_status 413 (over the route's cap:
     * read and dropped) or 415 (another media type) */
    const char *raw_body;
    size_t raw_len;
    int raw_status;

    /* per-thread and per-worker resources (never NULL once set up) */
    struct store *(*store)(struct request *req);   /* opens on first use; NULL if down */
    struct tls_client *tls;

    /* the response, filled by the handler */
    int status;
    const char *content_type;      /* NULL: text/html; charset=utf-8 */
    const char *cache_control;     /* NULL: no-store */
    struct buf headers;            /* extra "Name: value\r\n" lines */
    struct buf body;
    const struct buf *shared_body; /* when set, sent instead of body (page cache) */
    bool secret;                   /* the request carried a password: wipe the arena */
    const char *security_headers;  /* NULL: the app's; else replaces them
                                    * (e.g. a framed document's own CSP) */
    struct stream *stream;         /* set (status 200): an event stream; the
                                    * body is its first events, and the
                                    * request goes to the event thread */
};

/* Renders template name with vars into req->body as an HTML page with
 * status. On an unknown template, a plain 500 page instead. */
void page_render(struct request *req, int status, const char *name, struct tmpl_vars *vars);

/* Fills req with the readable error page for status (400, 401, 403, 404,
 * 405, 411, 413, 414, 415, 429, 500, 502, 503, 504; others become 500) with message as the explanation (NULL: a default). */
void page_error(struct request *req, int status, const char *message);

/* Adds the variables every page's layout uses (site name, static URL). */
struct tmpl_vars *page_vars(struct request *req);

/* Adds one response header line; name and value must hold no CR/LF. */
void response_header(struct request *req, const char *name, const char *value);

/* A per-thread cache of rendered pages that depend only on the worker's
 * configuration and a small key. A worker's app never changes (a reload
 * starts new workers), so entries never go stale. page_cached() points
 * req->shared_body at a hit (no copy), sets status 200 and returns 1;
 * page_cache_store()
 * keeps req->body under slot. page_cache_free() at thread exit. */
#define PAGE_CACHE_SLOTS 16
int page_cached(struct request *req, unsigned slot);
void page_cache_store(const struct request *req, unsigned slot);
void page_cache_free(void);

/* The signed-in user's session, if the request carries a valid one:
 * SESSION_OK with *s filled (the caller session_clear()s it), else the
 * reason. Touches the session (the user asked for this page). */
enum session_status request_session(struct request *req, struct session *s);

/* The portal's own origin for the Origin check: [session] origin, or
 * scheme://host[:port] of this request (host from Host, port from the
 * port nginx listens on, left out when it is the scheme's default). */
const char *request_origin(struct request *req);

/* Refuses a cross-site POST: 0 if it may proceed; else fills the 403 page
 * and returns -1. With s, the form's synchronizer token must match too. */
int request_check_post(struct request *req, const struct session *s);

/* Sends the user to url with 303 See Other. */
void page_redirect(struct request *req, const char *url);

/* Reason phrase for a status code ("Not Found"). */
const char *http_reason(int status);

#endif
