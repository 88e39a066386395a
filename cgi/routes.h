/* routes.h — the route table: method + path -> page handler and inputs. */
#ifndef POSTERN_ROUTES_H
#define POSTERN_ROUTES_H

#include "rawbody.h"
#include "request.h"
#include "upstream.h"

/* Plain words for an upstream failure kind, and (status_r, if not NULL)
 * the HTTP status the sign-in page answers with. */
const char *upstream_outcome(enum up_error e, int *status_r);

typedef void (*page_handler)(struct request *req);

#define ROUTE_INPUTS_MAX 24
#define METHOD_BIT(m) (1u << (m))

struct route {
    const char *path;
    unsigned methods;                         /* METHOD_BIT set; HEAD follows GET */
    page_handler handler;
    enum input_key inputs[ROUTE_INPUTS_MAX];  /* ended by IN__MAX */
    unsigned flags;                           /* ROUTE_* */
    const struct raw_body *raw;               /* POST body taken as is, not a form */
};

#define ROUTE_ANY_CASE 0x1u   /* the path matches in any ASCII case (Outlook) */
#define ROUTE_NUL_TEXT 0x2u   /* body text values with NUL bytes are taken with each
                               * NUL replaced by U+FFFD (input.nul_replaced set), for
                               * a page that tells the person beside the field;
                               * other routes refuse them (400) */

extern const struct input_def input_defs[IN__MAX];

/* The route for path, or NULL (404). */
const struct route *route_find(const char *path);

/* "GET, HEAD" etc. for an Allow header; static storage per route. */
const char *route_allow(const struct route *r);

/* Page handlers, one file each in cgi/. */
void page_home(struct request *req);
void page_settings(struct request *req);
void page_health(struct request *req);
void page_login(struct request *req);
void page_logout(struct request *req);
void page_account_settings(struct request *req);
void page_check(struct request *req);
void page_mail_root(struct request *req);
void page_mailbox(struct request *req);
void page_message(struct request *req);
void page_message_body(struct request *req);
void page_message_part(struct request *req);
void page_message_raw(struct request *req);
void page_pop3_delete(struct request *req);
void page_pop3_settings(struct request *req);
void page_message_action(struct request *req);
void page_events(struct request *req);
void page_mail_status(struct request *req);
void page_refresh_settings(struct request *req);
void page_selection(struct request *req);
void page_folders(struct request *req);
void page_folder_action(struct request *req);
void page_compose(struct request *req);
void page_autoconfig(struct request *req);
void page_mobileconfig(struct request *req);
void page_autodiscover(struct request *req);

#endif
