/* page_autoconfig.c — the files mail clients configure themselves from,
 * each a view of src/settings like the settings page:
 *
 *   GET /mail/config-v1.1.xml                      Thunderbird autoconfig
 *   GET /.well-known/autoconfig/mail/config-v1.1.xml    (same)
 *   GET /profile.mobileconfig                      Apple profile (signed when
 *                                                  [autoconfig] sign_* is set)
 *   POST /autodiscover/autodiscover.xml            Outlook Autodiscover (POX);
 *                                                  GET answers the 600 error
 *
 * Whose file: ?emailaddress= (Thunderbird's parameter; Autodiscover's
 * EMailAddress), else the signed-in user, else nobody in particular
 * (placeholders, or the device asks). A known user gets their own policy
 * and routing (settings_for_user()): what is off for them is left out.
 * Which servers: those the settings page would show this client
 * (internal or external by address, ?view= as on the page).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "autoconfig.h"
#include "autodiscover.h"
#include "cms.h"
#include "log.h"
#include "mobileconfig.h"
#include "routes.h"
#include "settings.h"

/* One file's view and identity. */
struct file_view {
    struct settings_view view;
    struct client_file f;
    char address[300];
};

/* The signed-in user's address, or NULL (no, or no valid, session). A
 * bare login is taken to be at [server] mail_domain. */
static const char *session_address(struct request *req)
{
    struct session s;   /* no session cookie: no store lookup */
    if (request_session(req, &s) != SESSION_OK)
        return NULL;
    const char *user = strchr(s.rec.user, '@') ? arena_strdup(req->arena, s.rec.user)
                       : arena_printf(req->arena, "%s@%s", s.rec.user, req->app->cfg.mail_domain);
    session_clear(&s);
    return user;
}

/* Fills fv for this request and address (NULL: nobody in particular).
 * Returns 0, or an HTTP status with *why: 400 for a bad ?view=, 404 for
 * an address in a domain postern does not serve. */
static int file_view_for(struct request *req, const char *address, struct file_view *fv,
                         const char **why)
{
    const struct config *cfg = &req->app->cfg;
    enum show_mode force = SHOW_AUTO;
    if (req->in[IN_VIEW].present && show_mode_parse(req->in[IN_VIEW].v.str, &force) < 0) {
        *why = "The view must be internal, external or both.";
        return 400;
    }
    enum side client = settings_client_side(cfg, req->remote_addr, req->forwarded_for);
    settings_build(cfg, client, force, &fv->view);
    fv->f = (struct client_file){.cfg = cfg, .view = &fv->view, .origin = request_origin(req)};
    if (address == NULL)
        return 0;
    const char *at = strrchr(address, '@');
    if (at == NULL || !settings_domain_served(cfg, at + 1)) {
        *why = "This server has no mail settings for that address's domain.";
        return 404;
    }
    snprintf(fv->address, sizeof(fv->address), "%s", address);
    fv->f.address = fv->address;
    settings_for_user(cfg, fv->address, &fv->view);
    return 0;
}

/* The address a file is for: ?emailaddress=, else the session's. */
static const char *requested_address(struct request *req)
{
    if (req->in[IN_EMAILADDRESS].present)
        return req->in[IN_EMAILADDRESS].v.str;
    return session_address(req);
}

void page_autoconfig(struct request *req)
{
    struct file_view fv;
    const char *why = NULL;
    int st = file_view_for(req, requested_address(req), &fv, &why);
    if (st != 0) {
        page_error(req, st, why);
        return;
    }
    buf_clear(&req->body);
    if (autoconfig_write(&fv.f, &req->body) < 0) {
        page_error(req, 404, "No incoming mail server (IMAP4 or POP3) is published for this mailbox.");
        return;
    }
    req->status = 200;
    req->content_type = "application/xml; charset=utf-8";
    req->cache_control = "private, no-cache";
    response_header(req, "Vary", "Cookie, X-Forwarded-For");
}

/* ---- Apple profiles ---- */

/* The worker's signer, loaded on first use (the files were checked when
 * the configuration was loaded). NULL when signing is not configured;
 * *failed when it is but cannot be loaded now. */
static const struct cms_signer *worker_signer(const struct config *cfg, bool *failed)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static struct cms_signer *signer;   /* lives as long as the worker */
    static bool tried;
    *failed = false;
    if (cfg->autoconfig.sign_cert[0] == '\0')
        return NULL;
    pthread_mutex_lock(&lock);
    if (!tried) {
        char why[300];
        tried = true;
        signer = cms_signer_load(cfg->autoconfig.sign_cert, cfg->autoconfig.sign_key,
                                 cfg->autoconfig.sign_chain[0] ? cfg->autoconfig.sign_chain : NULL,
                                 why, sizeof(why));
        if (signer == NULL)
            log_error("msg=\"cannot load the profile signing certificate\" error=\"%s\"", why);
    }
    pthread_mutex_unlock(&lock);
    *failed = signer == NULL;
    return signer;
}

/* A download name from the mail domain: "example.com.mobileconfig". */
static const char *profile_filename(struct request *req)
{
    return arena_printf(req->arena, "attachment; filename=\"%s.mobileconfig\"", req->app->cfg.mail_domain);
}

static int wanted_incoming(struct request *req, enum proto *want)
{
    *want = PROTO_IMAP;
    if (!req->in[IN_INCOMING].present)
        return 0;
    const char *w = req->in[IN_INCOMING].v.str;
    if (strcmp(w, "imap") == 0)
        return 0;
    if (strcmp(w, "pop3") == 0) {
        *want = PROTO_POP3;
        return 0;
    }
    return -1;
}

/* Signs body into req->body, or copies it when signing is off. 0 or -1
 * (the error page is set). */
static int sign_profile(struct request *req, const struct buf *plist)
{
    bool failed;
    const struct cms_signer *signer = worker_signer(&req->app->cfg, &failed);
    buf_clear(&req->body);
    if (signer == NULL && !failed) {
        buf_append(&req->body, plist->data, plist->len);
        return 0;
    }
    char why[300] = "the signing certificate could not be loaded";
    if (signer != NULL && cms_sign(signer, plist->data, plist->len, &req->body, why, sizeof(why)) == 0)
        return 0;
    log_error("msg=\"profile not signed\" error=\"%s\"", why);
    page_error(req, 503, "The profile cannot be signed right now. Please try again later.");
    return -1;
}

void page_mobileconfig(struct request *req)
{
    enum proto want;
    if (wanted_incoming(req, &want) < 0) {
        page_error(req, 400, "The incoming protocol must be imap or pop3.");
        return;
    }
    struct file_view fv;
    const char *why = NULL;
    int st = file_view_for(req, requested_address(req), &fv, &why);
    if (st != 0) {
        page_error(req, st, why);
        return;
    }
    int in = mobileconfig_incoming(&fv.view, want);
    struct buf plist = {0};
    if (in < 0 || mobileconfig_write(&fv.f, (enum proto)in, &plist, &why) < 0) {
        page_error(req, 404, in < 0 ? "No incoming mail server (IMAP4 or POP3) is published for this mailbox." : why);
        buf_free(&plist);
        return;
    }
    int rc = sign_profile(req, &plist);
    buf_free(&plist);
    if (rc < 0)
        return;
    req->status = 200;
    req->content_type = MOBILECONFIG_TYPE;
    req->cache_control = "private, no-cache";
    response_header(req, "Content-Disposition", profile_filename(req));
    response_header(req, "Vary", "Cookie, X-Forwarded-For");
}

/* ---- Outlook Autodiscover ---- */

/* A number that names this portal in error answers (Exchange puts a hash
 * of its host name there): FNV-1a of the site name. */
static unsigned server_id(const struct config *cfg)
{
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)cfg->site_name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static void autodiscover_error(struct request *req, enum ad_status code, const char *why)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    log_info("msg=\"autodiscover error\" code=%d reason=\"%s\"", (int)code, why);
    buf_clear(&req->body);
    autodiscover_write_error(code, &now, server_id(&req->app->cfg), &req->body);
    req->status = 200;   /* Autodiscover errors travel in a 200 answer */
    req->content_type = "text/xml; charset=utf-8";
}

void page_autodiscover(struct request *req)
{
    req->cache_control = "private, no-store";
    if (req->method != METHOD_POST) {
        autodiscover_error(req, AD_INVALID, "GET instead of a POSTed request");
        return;
    }
    if (req->raw_body == NULL) {
        autodiscover_error(req, AD_INVALID, req->raw_status == 413 ? "the body is too large"
                                                                   : "the body is not text/xml");
        return;
    }
    const char *email = NULL, *why = NULL;
    enum ad_status st = autodiscover_parse(req->arena, req->raw_body, req->raw_len, &email, &why);
    if (st != AD_OK) {
        autodiscover_error(req, st, why);
        return;
    }
    struct file_view fv;
    const char *why_page = NULL;
    if (file_view_for(req, email, &fv, &why_page) != 0) {
        autodiscover_error(req, AD_NOT_FOUND, "a domain this server does not serve");
        return;
    }
    buf_clear(&req->body);
    if (autodiscover_write(&fv.f, &req->body) != AD_OK) {
        autodiscover_error(req, AD_NO_SETTINGS, "no incoming protocol for this address");
        return;
    }
    req->status = 200;
    req->content_type = "text/xml; charset=utf-8";
}
