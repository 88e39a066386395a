/* auth.c — who is asking: the session behind a request, and whether a
 * state-changing request really comes from our own pages. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csrf.h"
#include "log.h"
#include "request.h"

enum session_status request_session(struct request *req, struct session *s)
{
    const struct config *cfg = &req->app->cfg;
    const char *value = NULL;
    size_t len = 0;
    int found = session_cookie_find(&req->cookies, &cfg->session, &value, &len);
    if (found == 0)
        return SESSION_MISSING;
    if (found < 0)
        return SESSION_MALFORMED;
    struct store *st = req->store(req);
    if (st == NULL)
        return SESSION_ERROR;
    const char *err = NULL;
    int64_t now = (int64_t)time(NULL);
    enum session_status rc = session_load(st, &cfg->session, value, len, now, s, &err);
    if (rc == SESSION_OK && session_touch(st, &cfg->session, s, now, &err) < 0)
        log_error("msg=\"session touch failed\" error=\"%s\"", err ? err : "?");
    if (rc != SESSION_OK && rc != SESSION_MISSING)
        log_info("msg=\"session refused\" reason=%s", session_status_names[rc]);
    return rc;
}

const char *request_origin(struct request *req)
{
    if (req->app->cfg.origin[0] != '\0')
        return req->app->cfg.origin;
    if (req->host == NULL || strchr(req->host, '/') != NULL)
        return "";
    const char *scheme = req->https ? "https" : "http";
    const char *port = req->server_port;
    int dflt = port == NULL || strchr(req->host, ':') != NULL ||
               strcmp(port, req->https ? "443" : "80") == 0;
    if (dflt)
        return arena_printf(req->arena, "%s://%s", scheme, req->host);
    return arena_printf(req->arena, "%s://%s:%s", scheme, req->host, port);
}

int request_check_post(struct request *req, const struct session *s)
{
    const char *err = NULL;
    const char *expected = request_origin(req);
    if (csrf_origin_check(req->origin, req->fetch_site, expected, &err) < 0) {
        char o[128], e[320];
        snprintf(o, sizeof(o), "%s", req->origin ? req->origin : "-");
        snprintf(e, sizeof(e), "%s", expected);
        for (char *c = o; *c; c++)
            if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
                *c = '?';
        log_info("msg=\"cross-site form refused\" origin=\"%s\" expected=\"%s\" reason=\"%s\"", o, e, err);
        page_error(req, 403, "This form was sent from another site, so it was not accepted.");
        return -1;
    }
    if (s != NULL) {
        const struct input *tok = &req->in[IN_CSRF];
        if (!tok->present || !session_csrf_check(s, tok->v.str, tok->v.len)) {
            page_error(req, 403, "This form has expired. Go back, reload the page and try again.");
            return -1;
        }
    }
    return 0;
}

void page_redirect(struct request *req, const char *url)
{
    req->status = 303;
    req->content_type = "text/plain; charset=utf-8";
    response_header(req, "Location", url);
    buf_clear(&req->body);
    buf_printf(&req->body, "See %s\n", url);
}
