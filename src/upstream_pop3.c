/* upstream_pop3.c — the POP3 steps of an upstream session (see
 * upstream_private.h). USER/PASS, or SASL PLAIN when USER is not offered;
 * never APOP (libetpan's MD5 is broken on 64-bit).
 */
#include "upstream_private.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#define POP3_LINE_MAX 500   /* libetpan's 513-byte command buffer */

static int pop_create(struct sess *s)
{
    s->pop = mailpop3_new(0, NULL);
    return s->pop ? 0 : up_fail(s, UP_E_PROTOCOL, "out of memory");
}

static int pop_fail(struct sess *s, int rc, enum up_error e, const char *what)
{
    char text[256];
    if (rc == MAILPOP3_ERROR_STREAM || net_error(s->net) != NET_OK)
        return up_stream_fail(s, "the server's answer could not be understood");
    return up_fail(s, e, "%s: %s", what, up_server_text(text, sizeof(text), s->pop->pop3_response));
}

static int pop_greet(struct sess *s)
{
    int rc = mailpop3_connect(s->pop, s->stream);
    if (rc == MAILPOP3_NO_ERROR)
        return 0;
    return pop_fail(s, rc, UP_E_PROTOCOL, "the server refused the connection");
}

static int pop_caps(struct sess *s, bool fresh)
{
    (void)fresh;
    clist *caps = NULL;
    int rc = mailpop3_capa(s->pop, &caps);
    if (rc == MAILPOP3_ERROR_STREAM || net_error(s->net) != NET_OK)
        return pop_fail(s, MAILPOP3_ERROR_STREAM, UP_E_PROTOCOL, "");
    if (rc != MAILPOP3_NO_ERROR) {   /* no CAPA: RFC 1939 USER/PASS only */
        s->pop_user = true;
        return 0;
    }
    for (clistiter *it = clist_begin(caps); it; it = clist_next(it)) {
        struct mailpop3_capa *c = clist_content(it);
        bool sasl = strcasecmp(c->cap_name, "SASL") == 0;
        if (clist_isempty(c->cap_param))
            up_caps_add(s->r, c->cap_name, NULL);
        for (clistiter *p = clist_begin(c->cap_param); p; p = clist_next(p)) {
            const char *param = p->data;
            up_caps_add(s->r, c->cap_name, param);
            s->auth_plain |= sasl && strcasecmp(param, "PLAIN") == 0;
        }
        s->starttls |= strcasecmp(c->cap_name, "STLS") == 0;
        s->pop_user |= strcasecmp(c->cap_name, "USER") == 0;
    }
    mailpop3_capa_resp_free(caps);
    return 0;
}

static int pop_starttls(struct sess *s)
{
    int rc = mailpop3_stls(s->pop);
    return rc == MAILPOP3_NO_ERROR ? 0
                                   : pop_fail(s, rc, UP_E_STARTTLS, "the server refused STLS");
}

static int pop_refused(struct sess *s, int rc)
{
    const char *said = s->pop->pop3_response;
    if (rc != MAILPOP3_ERROR_STREAM && said && strncasecmp(said, "[SYS/PERM]", 10) == 0)
        return pop_fail(s, rc, UP_E_DISABLED, "the server does not let this account log in");
    return pop_fail(s, rc, UP_E_AUTH, "the server refused the user name or password");
}

/* USER/PASS (libetpan's 513-byte lines: both capped); SASL PLAIN if USER
 * is not offered (one base64 line, capped the same way). */
static int pop_login(struct sess *s)
{
    size_t ul = strlen(s->user), pl = strlen(s->pass);
    if (s->pop_user) {
        if (ul > POP3_LINE_MAX || pl > POP3_LINE_MAX)
            return up_fail(s, UP_E_INPUT, "the user name or password is too long for POP3");
        int rc = mailpop3_user(s->pop, s->user);
        if (rc == MAILPOP3_NO_ERROR)
            rc = mailpop3_pass(s->pop, s->pass);
        return rc == MAILPOP3_NO_ERROR ? 0 : pop_refused(s, rc);
    }
    if (!s->auth_plain)
        return up_fail(s, UP_E_AUTH, "the server offers neither USER nor SASL PLAIN");
    if (4 * ((2 * ul + pl + 4) / 3) > POP3_LINE_MAX)
        return up_fail(s, UP_E_INPUT, "the user name or password is too long for POP3");
    int rc = mailpop3_auth(s->pop, "PLAIN", s->name, NULL, NULL, s->user, s->user, s->pass, NULL);
    return rc == MAILPOP3_NO_ERROR ? 0 : pop_refused(s, rc);
}

static void pop_logout(struct sess *s)
{
    mailpop3_quit(s->pop);      /* closes the stream */
}

static void pop_destroy(struct sess *s)
{
    if (s->pop)
        mailpop3_free(s->pop);  /* QUIT only on a live stream: see run() */
    s->pop = NULL;
}

const struct proto_ops up_pop3_ops = {
    pop_create, pop_greet, pop_caps, pop_starttls, pop_login,
    pop_logout, pop_destroy, "STLS",
};
