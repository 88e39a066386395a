/* upstream_imap.c — the IMAP4 steps of an upstream session (see
 * upstream_private.h). LOGIN sends the user name and password as atoms or
 * literals, never quoted (libetpan quotes with CR/LF inside); CAPABILITY is
 * sent by hand (mailimap_capability() crashes on an OK without data).
 */
#include "upstream_private.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

static int imap_create(struct sess *s)
{
    s->imap = mailimap_new(0, NULL);
    return s->imap ? 0 : up_fail(s, UP_E_PROTOCOL, "out of memory");
}

static int imap_fail(struct sess *s, int rc, const char *cmd)
{
    char text[256];
    const char *said = up_server_text(text, sizeof(text), s->imap->imap_response);
    switch (rc) {
    case MAILIMAP_ERROR_STREAM:
    case MAILIMAP_ERROR_PARSE:
        return up_stream_fail(s, "the server's answer could not be understood");
    case MAILIMAP_ERROR_FATAL:
        return up_fail(s, UP_E_PROTOCOL, "the server ended the session (%s): %s", s->step, said);
    case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
        return up_fail(s, UP_E_PROTOCOL, "the server refused the connection: %s", said);
    case MAILIMAP_ERROR_PROTOCOL:
        return up_fail(s, UP_E_PROTOCOL, "the server rejected %s: %s", cmd, said);
    default:
        return up_fail(s, UP_E_PROTOCOL, "IMAP error %d (%s)", rc, s->step);
    }
}

/* Parses the reply whose first line is already read; *cond is the tagged
 * OK/NO. Returns a libetpan code. */
static int imap_parse(struct sess *s, int *cond)
{
    struct mailimap_response *resp = NULL;
    int rc = mailimap_parse_response(s->imap, &resp);
    if (rc != MAILIMAP_NO_ERROR)
        return rc;
    *cond = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
    mailimap_response_free(resp);
    return MAILIMAP_NO_ERROR;
}

static int imap_reply(struct sess *s, int *cond)
{
    if (mailimap_read_line(s->imap) == NULL)
        return MAILIMAP_ERROR_STREAM;
    return imap_parse(s, cond);
}

/* Reads up to the "+" of a continuation request. A tagged reply instead
 * means the command ended early: returned in *cond with 1. */
static int imap_continue(struct sess *s, int *cond)
{
    for (int i = 0; i < 64; i++) {
        char *line = mailimap_read_line(s->imap);
        if (line == NULL)
            return up_stream_fail(s, "no continuation");
        if (line[0] == '+')
            return 0;
        if (line[0] != '*') {
            int rc = imap_parse(s, cond);
            if (rc != MAILIMAP_NO_ERROR)
                return imap_fail(s, rc, "the command");
            if (*cond == MAILIMAP_RESP_COND_STATE_OK)
                return up_fail(s, UP_E_PROTOCOL, "the server answered OK to half a command");
            return 1;
        }
    }
    return up_fail(s, UP_E_PROTOCOL, "the server never asked for the rest of the command");
}

static int imap_greet(struct sess *s)
{
    int rc = mailimap_connect(s->imap, s->stream);
    if (rc == MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
        return 0;
    if (rc == MAILIMAP_NO_ERROR_AUTHENTICATED) {   /* PREAUTH: in clear, a stripping attack */
        bool clear = s->t->tls == TLS_STARTTLS && !net_is_tls(s->net);
        return up_fail(s, clear ? UP_E_STARTTLS : UP_E_PROTOCOL, "the server sent PREAUTH "
                       "(a session without login), which postern does not use");
    }
    return imap_fail(s, rc, "the connection");
}

static void imap_caps_read(struct sess *s)
{
    struct mailimap_connection_info *ci = s->imap->imap_connection_info;
    if (ci == NULL || ci->imap_capability == NULL)
        return;
    for (clistiter *it = clist_begin(ci->imap_capability->cap_list); it; it = clist_next(it)) {
        struct mailimap_capability *c = clist_content(it);
        if (c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE) {
            up_caps_add(s->r, "AUTH", c->cap_data.cap_auth_type);
            if (strcasecmp(c->cap_data.cap_auth_type, "PLAIN") == 0)
                s->auth_plain = true;
            continue;
        }
        const char *n = c->cap_data.cap_name;
        up_caps_add(s->r, n, NULL);
        s->starttls |= strcasecmp(n, "STARTTLS") == 0;
        s->login_disabled |= strcasecmp(n, "LOGINDISABLED") == 0;
        s->literal_plus |= strcasecmp(n, "LITERAL+") == 0;
    }
}

/* fresh: forget what is known (after STARTTLS) and ask again; else use
 * what the greeting said, if anything. */
static int imap_caps(struct sess *s, bool fresh)
{
    struct mailimap_connection_info *ci = s->imap->imap_connection_info;
    if (ci == NULL)
        return up_fail(s, UP_E_PROTOCOL, "out of memory");
    if (fresh && ci->imap_capability) {
        mailimap_capability_data_free(ci->imap_capability);
        ci->imap_capability = NULL;
    }
    if (ci->imap_capability == NULL) {
        /* not mailimap_capability(): it crashes on an OK without data */
        int cond = -1, rc = mailimap_send_current_tag(s->imap);
        if (rc == MAILIMAP_NO_ERROR && up_puts_flush(s, "CAPABILITY\r\n") < 0)
            return -1;
        if (rc == MAILIMAP_NO_ERROR)
            rc = imap_reply(s, &cond);
        if (rc != MAILIMAP_NO_ERROR)
            return imap_fail(s, rc, "CAPABILITY");
    }
    imap_caps_read(s);
    return 0;
}

static int imap_starttls(struct sess *s)
{
    int rc = mailimap_starttls(s->imap);
    if (rc == MAILIMAP_NO_ERROR)
        return 0;
    if (rc == MAILIMAP_ERROR_STREAM || rc == MAILIMAP_ERROR_PARSE)
        return imap_fail(s, rc, "STARTTLS");
    char text[256];
    return up_fail(s, UP_E_STARTTLS, "the server refused STARTTLS: %s",
                   up_server_text(text, sizeof(text), s->imap->imap_response));
}

/* An IMAP atom (RFC 3501 ATOM-CHAR) can go as it is. */
static bool imap_is_atom(const char *p)
{
    if (*p == '\0')
        return false;
    for (; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("(){%*\"\\]", *p))
            return false;
    return true;
}

/* Sends str as an atom, or else as a literal (LITERAL+ if offered).
 * 0 sent; 1 the server answered instead (*cond); -1 failed. */
static int imap_astring(struct sess *s, const char *str, int *cond)
{
    size_t len = strlen(str);
    if (imap_is_atom(str))
        return up_put(s, str, len) < 0 ? up_stream_fail(s, "cannot send") : 0;
    char head[32];
    snprintf(head, sizeof(head), "{%zu%s}\r\n", len, s->literal_plus ? "+" : "");
    if (s->literal_plus) {
        if (up_put(s, head, strlen(head)) < 0)
            return up_stream_fail(s, "cannot send");
    } else {
        if (up_puts_flush(s, head) < 0)
            return -1;
        int c = imap_continue(s, cond);
        if (c != 0)
            return c;
    }
    return up_put(s, str, len) < 0 ? up_stream_fail(s, "cannot send") : 0;
}

/* How a NO to LOGIN/AUTHENTICATE reads (RFC 5530 response codes). */
static int imap_refused(struct sess *s)
{
    char text[256];
    const char *said = up_server_text(text, sizeof(text), s->imap->imap_response);
    const char *code = s->imap->imap_response_info ? s->imap->imap_response_info->rsp_atom : NULL;
    if (code && (!strcasecmp(code, "AUTHORIZATIONFAILED") || !strcasecmp(code, "CONTACTADMIN") ||
                 !strcasecmp(code, "EXPIRED")))
        return up_fail(s, UP_E_DISABLED, "the server does not let this account log in: %s", said);
    if (code && !strcasecmp(code, "UNAVAILABLE"))
        return up_fail(s, UP_E_PROTOCOL, "the server cannot log anyone in just now: %s", said);
    return up_fail(s, UP_E_AUTH, "the server refused the user name or password: %s", said);
}

static int imap_login_end(struct sess *s, int rc, int cond, const char *cmd)
{
    if (rc != MAILIMAP_NO_ERROR)
        return imap_fail(s, rc, cmd);
    if (cond != MAILIMAP_RESP_COND_STATE_OK)
        return imap_refused(s);
    s->imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
    imap_caps_read(s);   /* "OK [CAPABILITY ...]" after login adds to the list */
    return 0;
}

static int imap_authenticate_plain(struct sess *s)
{
    int cond = -1, c;
    if (mailimap_send_current_tag(s->imap) != MAILIMAP_NO_ERROR ||
        up_puts_flush(s, "AUTHENTICATE PLAIN\r\n") < 0)
        return up_stream_fail(s, "cannot send");
    if ((c = imap_continue(s, &cond)) != 0)
        return c < 0 ? -1 : imap_login_end(s, MAILIMAP_NO_ERROR, cond, "AUTHENTICATE");
    char b64[4 * (UP_USER_MAX + UP_PASSWORD_MAX + 4) / 3 + 8];
    up_base64(s->user, s->pass, b64, sizeof(b64));
    int w = up_put(s, b64, strlen(b64));
    OPENSSL_cleanse(b64, sizeof(b64));
    if (w < 0 || up_puts_flush(s, "\r\n") < 0)
        return up_stream_fail(s, "cannot send");
    int rc = imap_reply(s, &cond);   /* before cond is read */
    return imap_login_end(s, rc, cond, "AUTHENTICATE");
}

/* LOGIN user password, each an atom or a literal (never quoted: libetpan
 * quotes with CR/LF inside). AUTHENTICATE PLAIN under LOGINDISABLED. */
static int imap_login(struct sess *s)
{
    if (s->login_disabled) {
        if (!s->auth_plain)
            return up_fail(s, UP_E_AUTH, "the server accepts neither LOGIN nor AUTHENTICATE PLAIN");
        return imap_authenticate_plain(s);
    }
    int cond = -1, c;
    if (mailimap_send_current_tag(s->imap) != MAILIMAP_NO_ERROR || up_put(s, "LOGIN ", 6) < 0)
        return up_stream_fail(s, "cannot send");
    if ((c = imap_astring(s, s->user, &cond)) != 0)
        return c < 0 ? -1 : imap_login_end(s, MAILIMAP_NO_ERROR, cond, "LOGIN");
    if (up_put(s, " ", 1) < 0)
        return up_stream_fail(s, "cannot send");
    if ((c = imap_astring(s, s->pass, &cond)) != 0)
        return c < 0 ? -1 : imap_login_end(s, MAILIMAP_NO_ERROR, cond, "LOGIN");
    if (up_puts_flush(s, "\r\n") < 0)
        return -1;
    int rc = imap_reply(s, &cond);   /* before cond is read */
    return imap_login_end(s, rc, cond, "LOGIN");
}

static void imap_logout(struct sess *s)
{
    mailimap_logout(s->imap);   /* closes the stream */
}

static void imap_destroy(struct sess *s)
{
    if (s->imap)
        mailimap_free(s->imap);
    s->imap = NULL;
}

const struct proto_ops up_imap_ops = {
    imap_create, imap_greet, imap_caps, imap_starttls, imap_login,
    imap_logout, imap_destroy, "STARTTLS",
};
