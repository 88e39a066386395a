/* page_home.c — "/" and "/healthz". */
#include "routes.h"

/* Until the mailbox view exists, the front page is the settings page. */
void page_home(struct request *req)
{
    req->status = 303;
    response_header(req, "Location", "/settings");
    req->content_type = "text/plain; charset=utf-8";
    buf_puts(&req->body, "See /settings\n");
}

/* A liveness probe for load balancers and the test harness. */
void page_health(struct request *req)
{
    req->status = 200;
    req->content_type = "text/plain; charset=utf-8";
    buf_puts(&req->body, "ok\n");
}
