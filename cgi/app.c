/* app.c — loading one configuration generation (config + templates). */
#include "app.h"

#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The page CSP: 'self' only, plus the static origin when static files are
 * served from another host. */
static void build_csp(struct app *app)
{
    char origin[300] = "";
    const char *s = app->cfg.static_url;
    if (strncmp(s, "https://", 8) == 0) {
        const char *slash = strchr(s + 8, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        snprintf(origin, sizeof(origin), " %.*s", (int)n, s);
    }
    snprintf(app->csp, sizeof(app->csp),
             "default-src 'self'%s; img-src 'self' data:%s; frame-ancestors 'none'; "
             "object-src 'none'; base-uri 'none'; form-action 'self'",
             origin, origin);
    snprintf(app->security_headers, sizeof(app->security_headers),
             "Content-Security-Policy: %s\r\n"
             "X-Content-Type-Options: nosniff\r\n"
             "X-Frame-Options: DENY\r\n"
             "Referrer-Policy: same-origin\r\n"
             "Cross-Origin-Opener-Policy: same-origin\r\n",
             app->csp);
}

struct app *app_load(const char *config_path, struct buf *errors)
{
    struct app *app = calloc(1, sizeof(*app));
    if (app == NULL)
        return NULL;
    if (config_load(config_path, &app->cfg, errors) < 0) {
        free(app);
        return NULL;
    }
    char err[512];
    if (tmpl_set_load_dir(app->cfg.templates, &app->templates, err, sizeof(err)) < 0) {
        buf_printf(errors, "%s: templates: %s\n", config_path, err);
        free(app);
        return NULL;
    }
    static const char *const required[] = {"settings", "error", "login", "check", "mailbox", "message", "pop3list", "pop3delete", "confirm", "refresh", "done", "folders", "compose"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!tmpl_set_has(app->templates, required[i]))
            buf_printf(errors, "%s: templates: %s/%s.html is missing\n", config_path,
                       app->cfg.templates, required[i]);
    if (errors->len > 0) {
        app_free(app);
        return NULL;
    }
    http_limits_default(&app->limits);
    /* writing mail: the upload may be as large as a whole message, so an
     * attachment over [compose] max_attachment_bytes reaches the compose
     * page (which says so beside the field) instead of failing the form */
    size_t upload = (size_t)app->cfg.compose.max_message_bytes + (1u << 20);
    if (upload > app->limits.max_body)
        app->limits.max_body = upload;
    if (upload > app->limits.max_file)
        app->limits.max_file = upload;
    if (app->limits.max_value < MAIL_TEXT_MAX)
        app->limits.max_value = MAIL_TEXT_MAX;   /* a message's text (valid_mail_text) */
    build_csp(app);
    return app;
}

void app_free(struct app *app)
{
    if (app == NULL)
        return;
    tmpl_set_free(app->templates);
    free(app);
}
