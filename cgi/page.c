/* page.c — shared page plumbing: layout variables, rendering, error pages,
 * response headers. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "request.h"

static const struct { int status; const char *reason; const char *title; const char *text; } statuses[] = {
    {200, "OK", "OK", ""},
    {303, "See Other", "See other", "This page has moved."},
    {400, "Bad Request", "Bad request", "The request could not be understood."},
    {401, "Unauthorized", "Not signed in", "Sign in to see this page."},
    {403, "Forbidden", "Forbidden", "You are not allowed to do this."},
    {404, "Not Found", "Page not found", "There is no page at this address."},
    {405, "Method Not Allowed", "Method not allowed", "This page cannot be used that way."},
    {411, "Length Required", "Length required", "This form must be sent with its length."},
    {413, "Content Too Large", "Request too large", "The request is larger than this server accepts."},
    {414, "URI Too Long", "Address too long", "The address of this request is too long."},
    {429, "Too Many Requests", "Too many attempts", "Wait a moment, then try again."},
    {415, "Unsupported Media Type", "Unsupported form encoding", "This form was sent in an encoding the server does not accept."},
    {500, "Internal Server Error", "Something went wrong", "The server could not complete the request. Please try again."},
    {502, "Bad Gateway", "The mail server failed", "The mail server could not do this. Please try again shortly."},
    {503, "Service Unavailable", "Service unavailable", "The service is busy or down. Please try again shortly."},
    {504, "Gateway Timeout", "The mail server is too slow", "The mail server did not answer in time. Please try again shortly."},
};

static int status_index(int status)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].status == status)
            return (int)i;
    return -1;
}

const char *http_reason(int status)
{
    int i = status_index(status);
    return i < 0 ? "Error" : statuses[i].reason;
}

void response_header(struct request *req, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n") || strpbrk(value, "\r\n"))
        return;
    buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

struct tmpl_vars *page_vars(struct request *req)
{
    struct tmpl_vars *v = tmpl_vars_new(req->arena);
    tmpl_put(v, "site_name", req->app->cfg.site_name);
    tmpl_put(v, "static_url", req->app->cfg.static_url);
    return v;
}

void page_render(struct request *req, int status, const char *name, struct tmpl_vars *vars)
{
    req->status = status;
    buf_clear(&req->body);
    if (tmpl_render(req->app->templates, name, vars, &req->body) == 0)
        return;
    log_error("msg=\"template missing\" template=%s", name);
    req->status = 500;
    req->content_type = "text/plain; charset=utf-8";
    buf_clear(&req->body);
    buf_puts(&req->body, "500 Internal Server Error: a page template is missing.\n");
}

void page_error(struct request *req, int status, const char *message)
{
    int i = status_index(status);
    if (i < 0) {
        status = 500;
        i = status_index(500);
    }
    struct tmpl_vars *v = page_vars(req);
    tmpl_put_int(v, "status", status);
    tmpl_put(v, "title", statuses[i].title);
    tmpl_put(v, "message", message ? message : statuses[i].text);
    page_render(req, status, "error", v);
}

static __thread struct buf cache[PAGE_CACHE_SLOTS];
static __thread unsigned char cache_valid[PAGE_CACHE_SLOTS];

int page_cached(struct request *req, unsigned slot)
{
    if (slot >= PAGE_CACHE_SLOTS || !cache_valid[slot])
        return 0;
    req->status = 200;
    req->shared_body = &cache[slot];
    return 1;
}

void page_cache_store(const struct request *req, unsigned slot)
{
    if (slot >= PAGE_CACHE_SLOTS || req->status != 200)
        return;
    buf_clear(&cache[slot]);
    buf_append(&cache[slot], req->body.data ? req->body.data : "", req->body.len);
    cache_valid[slot] = 1;
}

void page_cache_free(void)
{
    for (unsigned i = 0; i < PAGE_CACHE_SLOTS; i++) {
        buf_free(&cache[i]);
        cache_valid[i] = 0;
    }
}
