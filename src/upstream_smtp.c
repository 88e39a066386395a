/* upstream_smtp.c — the SMTP steps of an upstream session (see
 * upstream_private.h). AUTH PLAIN or LOGIN with the credentials on their
 * own base64 lines, not through libetpan's 513-byte command buffer.
 */
#include "upstream_private.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

static int smtp_create(struct sess *s)
{
    s->smtp = mailsmtp_new(0, NULL);
    return s->smtp ? 0 : up_fail(s, UP_E_PROTOCOL, "out of memory");
}

static int smtp_fail(struct sess *s, int rc, enum up_error e, const char *what)
{
    char text[256];
    if (rc == MAILSMTP_ERROR_STREAM || net_error(s->net) != NET_OK)
        return up_stream_fail(s, "the server's answer could not be understood");
    return up_fail(s, e, "%s: %d %s", what, s->smtp->response_code,
                   up_server_text(text, sizeof(text), s->smtp->response));
}

static int smtp_greet(struct sess *s)
{
    int rc = mailsmtp_connect(s->smtp, s->stream);
    if (rc == MAILSMTP_NO_ERROR)
        return 0;
    s->stream = NULL;   /* libetpan closed it */
    return smtp_fail(s, rc, UP_E_PROTOCOL, "the server refused the connection");
}

/* EHLO; the reply lines "KEYWORD params" become "KEYWORD=param" tokens. */
static int smtp_caps(struct sess *s, bool fresh)
{
    (void)fresh;
    int rc = mailesmtp_ehlo_with_ip(s->smtp, 1);
    if (rc == MAILSMTP_ERROR_HOSTNAME)
        rc = mailesmtp_ehlo(s->smtp);
    if (rc != MAILSMTP_NO_ERROR)
        return smtp_fail(s, rc, UP_E_PROTOCOL, "the server refused EHLO");
    s->starttls = (s->smtp->esmtp & MAILSMTP_ESMTP_STARTTLS) != 0;
    s->auth_plain = (s->smtp->auth & MAILSMTP_AUTH_PLAIN) != 0;
    s->auth_login = (s->smtp->auth & MAILSMTP_AUTH_LOGIN) != 0;
    const char *p = s->smtp->response ? strchr(s->smtp->response, '\n') : NULL;
    for (p = p ? p + 1 : NULL; p && *p; p += *p == '\n') {   /* line 1 is the domain */
        char line[256], *save = NULL;
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof(line), "%.*s", (int)(n < 255 ? n : 255), p);
        char *kw = strtok_r(line, " ", &save), *arg = strtok_r(NULL, " ", &save);
        if (kw && !arg)
            up_caps_add(s->r, kw, NULL);
        for (; kw && arg; arg = strtok_r(NULL, " ", &save))
            up_caps_add(s->r, kw, arg);
        p += n;
    }
    return 0;
}

static int smtp_starttls(struct sess *s)
{
    int rc = mailesmtp_starttls(s->smtp);
    return rc == MAILSMTP_NO_ERROR ? 0
                                   : smtp_fail(s, rc, UP_E_STARTTLS, "the server refused STARTTLS");
}

/* One SMTP reply (multi-line aware): the code, or -1 with the error set. */
static int smtp_reply(struct sess *s, char *text, size_t len)
{
    for (int i = 0; i < 256; i++) {
        char *line = mailstream_read_line_remove_eol(s->stream, s->smtp->line_buffer);
        if (line == NULL)
            return up_stream_fail(s, "no reply");
        if (!isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
            !isdigit((unsigned char)line[2]) || (line[3] && line[3] != ' ' && line[3] != '-'))
            return up_fail(s, UP_E_PROTOCOL, "the server's reply could not be understood (%s)",
                           s->step);
        up_server_text(text, len, line[3] ? line + 4 : "");
        if (line[3] != '-')
            return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }
    return up_fail(s, UP_E_PROTOCOL, "the server's reply never ended (%s)", s->step);
}

/* Sends one base64 line of a credential and reads the reply code. */
static int smtp_secret(struct sess *s, const char *a, const char *b, char *text, size_t len)
{
    char b64[4 * (UP_USER_MAX + UP_PASSWORD_MAX + 4) / 3 + 8];
    up_base64(a, b, b64, sizeof(b64));
    int w = up_put(s, b64, strlen(b64));
    OPENSSL_cleanse(b64, sizeof(b64));
    if (w < 0 || up_puts_flush(s, "\r\n") < 0)
        return up_stream_fail(s, "cannot send");
    return smtp_reply(s, text, len);
}

/* AUTH PLAIN (or LOGIN), the credentials on their own base64 lines, not
 * through libetpan's 513-byte command buffer. */
static int smtp_login(struct sess *s)
{
    char text[256];
    if (!s->auth_plain && !s->auth_login)
        return up_fail(s, UP_E_AUTH, "the server offers no password login (AUTH PLAIN or LOGIN)");
    if (up_puts_flush(s, s->auth_plain ? "AUTH PLAIN\r\n" : "AUTH LOGIN\r\n") < 0)
        return -1;
    int code = smtp_reply(s, text, sizeof(text));
    if (code == 334)
        code = smtp_secret(s, s->user, s->auth_plain ? s->pass : NULL, text, sizeof(text));
    if (code == 334 && !s->auth_plain)
        code = smtp_secret(s, s->pass, NULL, text, sizeof(text));
    if (code < 0)
        return -1;
    if (code == 235)
        return 0;
    if (code == 535 || code == 534 || code == 538 || code == 530 || code == 554)
        return up_fail(s, UP_E_AUTH, "the server refused the user name or password: %d %s",
                       code, text);
    return up_fail(s, UP_E_PROTOCOL, "the server did not accept the login: %d %s", code, text);
}

static void smtp_logout(struct sess *s)
{
    mailsmtp_quit(s->smtp);     /* QUIT, then closes the stream */
}

static void smtp_destroy(struct sess *s)
{
    if (s->smtp)
        mailsmtp_free(s->smtp);
    s->smtp = NULL;
}

const struct proto_ops up_smtp_ops = {
    smtp_create, smtp_greet, smtp_caps, smtp_starttls, smtp_login,
    smtp_logout, smtp_destroy, "STARTTLS",
};
