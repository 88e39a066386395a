/* test_autoconfig.c — the client configuration files as views of the
 * settings: Thunderbird autoconfig, Outlook Autodiscover (request parsing,
 * answers, errors), Apple profiles (and their CMS signature), DNS records,
 * QR codes, the per-user view and the raw-body rule of the worker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "arena.h"
#include "autoconfig.h"
#include "autodiscover.h"
#include "cms.h"
#include "mobileconfig.h"
#include "qr.h"
#include "rawbody.h"
#include "rfc6186.h"
#include "settings.h"
#include "xmlscan.h"

static const char *base_conf =
    "[server]\nsite_name = Example & Co\nmail_domain = example.com\n"
    "[network]\ninternal_networks = 10.0.0.0/8\n"
    "[imap]\nadvertise = yes\ninternal = imap.corp:993:SSL, imap.corp:143:STARTTLS\n"
    "external = mail.example.com:993:SSL, mail.example.com:143:STARTTLS\n"
    "[pop3]\nadvertise = yes\ninternal = pop.corp:995:SSL\nexternal = mail.example.com:995:SSL\n"
    "[smtp]\nadvertise = yes\ninternal = smtp.corp:587:STARTTLS\n"
    "external = mail.example.com:465:SSL, mail.example.com:587:STARTTLS\n"
    "[backend]\nimap = 127.0.0.1:993:SSL\npop3 = 127.0.0.1:995:SSL\n"
    "[backend imaponly]\nimap = 10.1.1.1:993:SSL\n"
    "[routing]\n@branch.example.com = imaponly\n"
    "[policy]\npop3_disabled = nopop@example.com\nimap_disabled = popper@example.com\n";

/* Loads base_conf with extra: "[section]\nkey = value\n" lines replace
 * the same key of that section, other lines are appended. */
static void load(struct config *cfg, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof(text), "%s", base_conf);
    char section[600] = "";
    for (const char *l = extra; *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)n, l);
        l += n + (nl != NULL);
        if (line[0] == '[') {
            snprintf(section, sizeof(section), "%s\n", line);
            continue;
        }
        char key[64];
        snprintf(key, sizeof(key), "%.*s = ", (int)strcspn(line, " ="), line);
        char *sec = strstr(text, section), *old = sec ? strstr(sec, key) : NULL;
        char *next = sec ? strchr(sec + 1, '[') : NULL;
        if (old != NULL && (next == NULL || old < next)) {
            char rest[4096];
            snprintf(rest, sizeof(rest), "%s", strchr(old, '\n') + 1);
            snprintf(old, sizeof(text) - (size_t)(old - text), "%s\n%s", line, rest);
        } else {
            size_t len = strlen(text);
            snprintf(text + len, sizeof(text) - len, "%s%s\n", section, line);
        }
    }
    struct buf err = {0};
    if (config_load_string("t", text, cfg, &err) != 0)
        fail_msg("%s", buf_cstr(&err));
    buf_free(&err);
}

/* A document as "path=text" lines, e.g.
 * "clientConfig/emailProvider/incomingServer/hostname=mail.example.com",
 * with "path@" lines for each element start. */
struct flat {
    struct buf out;
    char path[512];
};

static int flatten(void *ctx, const struct xml_item *it)
{
    struct flat *f = ctx;
    if (it->event == XML_START) {
        size_t n = strlen(f->path);
        snprintf(f->path + n, sizeof(f->path) - n, "%s%s", n ? "/" : "", it->local);
        buf_printf(&f->out, "%s@\n", f->path);
    } else if (it->event == XML_END) {
        char *slash = strrchr(f->path, '/');
        if (slash)
            *slash = '\0';
        else
            f->path[0] = '\0';
    } else {
        int blank = 1;
        for (size_t i = 0; i < it->text_len; i++)
            blank = blank && strchr(" \t\r\n", it->text[i]) != NULL;
        if (!blank)
            buf_printf(&f->out, "%s=%s\n", f->path, it->text);
    }
    return 0;
}

/* Flattens doc (must be well-formed) into a malloc'ed string. */
static char *flat_of(const struct buf *doc)
{
    struct arena *a = arena_new();
    struct flat f = {0};
    const char *err = NULL;
    /* plists carry a DOCTYPE, which the scanner refuses: skip that line */
    const char *p = doc->data;
    const char *dt = strstr(p, "<!DOCTYPE");
    struct buf copy = {0};
    if (dt != NULL) {
        buf_append(&copy, p, (size_t)(dt - p));
        buf_puts(&copy, strchr(dt, '>') + 1);
        p = copy.data;
    }
    if (xml_scan(a, p, strlen(p), NULL, flatten, &f, &err) != 0)
        fail_msg("not well-formed: %s\n%s", err, p);
    char *s = strdup(buf_cstr(&f.out));
    buf_free(&f.out);
    buf_free(&copy);
    arena_free(a);
    return s;
}

static int count_lines(const char *flat, const char *line);

static void has_line(const char *flat, const char *line)
{
    if (count_lines(flat, line) == 0)
        fail_msg("missing line \"%s\" in\n%s", line, flat);
}

/* How many whole lines of flat are line. */
static int count_lines(const char *flat, const char *line)
{
    char want[600];
    snprintf(want, sizeof(want), "%s\n", line);
    int n = 0;
    for (const char *p = flat; (p = strstr(p, want)) != NULL; p += strlen(want))
        n += p == flat || p[-1] == '\n';
    return n;
}

/* Builds the view of cfg for a client on side, for address (or NULL). */
static void view_for(const struct config *cfg, enum side side, enum show_mode show,
                     const char *address, struct settings_view *v, struct client_file *f)
{
    settings_build(cfg, side, show, v);
    if (address != NULL)
        settings_for_user(cfg, address, v);
    *f = (struct client_file){.cfg = cfg, .view = v, .address = address, .origin = "https://portal.example.com"};
}

/* ---- the per-user view ---- */

static void test_for_user(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    static const struct { const char *user; bool imap, pop3, smtp; } cases[] = {
        {"alice@example.com", true, true, true},
        {"nopop@example.com", true, false, true},
        {"NoPop@Example.com", true, false, true},
        {"popper@example.com", false, true, true},
        {"carol@branch.example.com", true, false, true},   /* her server has no POP3 */
        {"administrator@example.com", false, false, true}, /* refused accounts */
        {"guest", false, false, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct settings_view v;
        settings_build(&cfg, SIDE_EXTERNAL, SHOW_AUTO, &v);
        settings_for_user(&cfg, cases[i].user, &v);
        if (v.proto[PROTO_IMAP].enabled != cases[i].imap || v.proto[PROTO_POP3].enabled != cases[i].pop3 ||
            v.proto[PROTO_SMTP].enabled != cases[i].smtp)
            fail_msg("case %zu (%s)", i, cases[i].user);
        assert_int_equal(settings_offered(&v, PROTO_POP3), cases[i].pop3);
    }
}

static void test_file_endpoints(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "[autoconfig]\ndomains = example.com, Other.example\n");
    struct settings_view v;
    const struct endpoint *eps[SETTINGS_FILE_ENDPOINTS_MAX];
    /* internal client, both sides shown: own side first, then the other */
    settings_build(&cfg, SIDE_INTERNAL, SHOW_BOTH, &v);
    size_t n = settings_file_endpoints(&v, PROTO_IMAP, eps);
    assert_int_equal(n, 4);
    assert_string_equal(eps[0]->host, "imap.corp");
    assert_int_equal(eps[1]->port, 143);
    assert_string_equal(eps[2]->host, "mail.example.com");
    /* external client asking for both sees the external side only */
    settings_build(&cfg, SIDE_EXTERNAL, SHOW_BOTH, &v);
    n = settings_file_endpoints(&v, PROTO_SMTP, eps);
    assert_int_equal(n, 2);
    assert_int_equal(eps[0]->port, 465);
    /* not advertised: none */
    v.proto[PROTO_POP3].advertised = false;
    assert_int_equal(settings_file_endpoints(&v, PROTO_POP3, eps), 0);
    /* served domains: [autoconfig] domains, case-insensitive */
    assert_true(settings_domain_served(&cfg, "EXAMPLE.com"));
    assert_true(settings_domain_served(&cfg, "other.example"));
    assert_false(settings_domain_served(&cfg, "branch.example.com"));
    load(&cfg, "");
    assert_true(settings_domain_served(&cfg, "branch.example.com"));   /* from [routing] */
    assert_false(settings_domain_served(&cfg, "evil.example"));
    char local[64];
    assert_string_equal(settings_login_name(USERNAME_LOCALPART, "a.b@x.y", local, sizeof(local)), "a.b");
    assert_string_equal(settings_login_name(USERNAME_ADDRESS, "a.b@x.y", local, sizeof(local)), "a.b@x.y");
}

/* ---- Thunderbird ---- */

static void test_autoconfig_known_user(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    struct settings_view v;
    struct client_file f;
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "alice@example.com", &v, &f);
    struct buf out = {0};
    assert_int_equal(autoconfig_write(&f, &out), 0);
    char *flat = flat_of(&out);
    has_line(flat, "clientConfig/emailProvider/domain=example.com");
    has_line(flat, "clientConfig/emailProvider/displayName=Example & Co");
    assert_int_equal(count_lines(flat, "clientConfig/emailProvider/incomingServer@"), 3);
    assert_int_equal(count_lines(flat, "clientConfig/emailProvider/outgoingServer@"), 2);
    /* in preference order, IMAP first */
    const char *imap993 = strstr(flat, "incomingServer/port=993");
    const char *imap143 = strstr(flat, "incomingServer/port=143");
    const char *pop995 = strstr(flat, "incomingServer/port=995");
    assert_true(imap993 && imap143 && pop995 && imap993 < imap143 && imap143 < pop995);
    has_line(flat, "clientConfig/emailProvider/incomingServer/socketType=STARTTLS");
    has_line(flat, "clientConfig/emailProvider/incomingServer/username=alice@example.com");
    has_line(flat, "clientConfig/emailProvider/incomingServer/pop3/leaveMessagesOnServer=true");
    has_line(flat, "clientConfig/emailProvider/outgoingServer/authentication=password-cleartext");
    assert_null(strstr(flat, "corp"));             /* internal names never reach outsiders */
    assert_null(strstr(flat, "enable"));           /* nothing disabled for alice */
    assert_non_null(strstr(out.data, "<incomingServer type=\"imap\">"));
    assert_non_null(strstr(out.data, "<outgoingServer type=\"smtp\">"));
    assert_non_null(strstr(out.data, "<documentation url=\"https://portal.example.com/settings\">"));
    free(flat);
    buf_free(&out);
}

static void test_autoconfig_placeholders_and_disabled(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "[pop3]\nusername = localpart\n");
    struct settings_view v;
    struct client_file f;
    struct buf out = {0};
    /* nobody in particular (Thunderbird for Android): placeholders, all domains */
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, NULL, &v, &f);
    assert_int_equal(autoconfig_write(&f, &out), 0);
    char *flat = flat_of(&out);
    has_line(flat, "clientConfig/emailProvider/incomingServer/username=%EMAILADDRESS%");
    has_line(flat, "clientConfig/emailProvider/incomingServer/username=%EMAILLOCALPART%");
    has_line(flat, "clientConfig/emailProvider/domain=branch.example.com");
    free(flat);
    /* POP3 off for nopop: left out, and an <enable visiturl> says so */
    buf_clear(&out);
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "nopop@example.com", &v, &f);
    assert_int_equal(autoconfig_write(&f, &out), 0);
    flat = flat_of(&out);
    assert_null(strstr(flat, "pop3"));
    assert_int_equal(count_lines(flat, "clientConfig/emailProvider/incomingServer@"), 2);
    has_line(flat, "clientConfig/emailProvider/enable@");
    assert_non_null(strstr(out.data, "<enable visiturl=\"https://portal.example.com/account/settings\">"));
    assert_non_null(strstr(flat, "enable/instruction=POP3 access is switched off"));
    free(flat);
    /* refused account: no incoming server at all, no file */
    buf_clear(&out);
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "guest@example.com", &v, &f);
    assert_int_equal(autoconfig_write(&f, &out), -1);
    assert_int_equal(out.len, 0);
    /* SMTP without authentication */
    load(&cfg, "[smtp]\nauthentication = none\n");
    view_for(&cfg, SIDE_INTERNAL, SHOW_AUTO, "alice@example.com", &v, &f);
    assert_int_equal(autoconfig_write(&f, &out), 0);
    flat = flat_of(&out);
    has_line(flat, "clientConfig/emailProvider/outgoingServer/authentication=none");
    has_line(flat, "clientConfig/emailProvider/outgoingServer/hostname=smtp.corp");
    assert_null(strstr(flat, "outgoingServer/username"));
    free(flat);
    buf_free(&out);
    assert_string_equal(autoconfig_socket_type(TLS_NONE), "plain");
}

/* ---- Outlook ---- */

#define AD_REQ(addr, schema)                                                              \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Autodiscover xmlns=\"" AD_NS_REQUEST "\">" \
    "<Request><EMailAddress>" addr "</EMailAddress>"                                        \
    "<AcceptableResponseSchema>" schema "</AcceptableResponseSchema></Request></Autodiscover>"

static void test_autodiscover_parse(void **state)
{
    (void)state;
    static const struct { const char *body; enum ad_status want; const char *email, *why; } cases[] = {
        {AD_REQ("alice@Example.COM", AD_NS_OUTLOOK), AD_OK, "alice@example.com", NULL},
        {AD_REQ(" \n alice@example.com\t", AD_NS_OUTLOOK), AD_OK, "alice@example.com", NULL},
        {"<a:Autodiscover xmlns:a=\"" AD_NS_REQUEST "\"><a:Request><a:EMailAddress>b@example.com"
         "</a:EMailAddress></a:Request></a:Autodiscover>", AD_OK, "b@example.com", NULL},
        {"<Autodiscover xmlns=\"" AD_NS_REQUEST "\"><Request><EMailAddress>c@example.com</EMailAddress>"
         "<LegacyDN>/o=x</LegacyDN></Request><Extra xmlns=\"urn:x\"/></Autodiscover>", AD_OK, "c@example.com", NULL},
        {AD_REQ("alice@example.com", "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"),
         AD_PROVIDER, NULL, "response schema"},
        {"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">"
         "<Request><EMailAddress>a@example.com</EMailAddress></Request></Autodiscover>", AD_PROVIDER, NULL, "namespace"},
        {"<Autodiscover><Request><EMailAddress>a@example.com</EMailAddress></Request></Autodiscover>",
         AD_INVALID, NULL, "namespace"},
        {"<Other xmlns=\"" AD_NS_REQUEST "\"/>", AD_INVALID, NULL, "root element"},
        {AD_REQ("not an address", AD_NS_OUTLOOK), AD_INVALID, NULL, "not an email address"},
        {AD_REQ("", AD_NS_OUTLOOK), AD_INVALID, NULL, "EMailAddress"},
        {"<Autodiscover xmlns=\"" AD_NS_REQUEST "\"><Request/></Autodiscover>", AD_INVALID, NULL, "no Request"},
        {"<Autodiscover xmlns=\"" AD_NS_REQUEST "\"><Request><EMailAddress>a@example.com</EMailAddress>"
         "<EMailAddress>b@example.com</EMailAddress></Request></Autodiscover>", AD_INVALID, NULL, "more than one"},
        {"<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" AD_REQ("&xxe;", AD_NS_OUTLOOK),
         AD_INVALID, NULL, "document type"},
        {AD_REQ("&xxe;@example.com", AD_NS_OUTLOOK), AD_INVALID, NULL, "undefined entity"},
        {"<Autodiscover xmlns=\"" AD_NS_REQUEST "\"><Request><EMailAddress>a@example.com", AD_INVALID, NULL, "ends inside"},
        {"", AD_INVALID, NULL, "no root"},
        {"\xff\xfe<\0A\0", AD_INVALID, NULL, "UTF-8"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena *a = arena_new();
        const char *email = NULL, *why = NULL;
        size_t len = strlen(cases[i].body);
        if (i == sizeof(cases) / sizeof(cases[0]) - 1)
            len = 6;
        enum ad_status st = autodiscover_parse(a, cases[i].body, len, &email, &why);
        if (st != cases[i].want)
            fail_msg("case %zu: status %d, want %d (%s)", i, st, cases[i].want, why ? why : "");
        if (cases[i].email && strcmp(email, cases[i].email) != 0)
            fail_msg("case %zu: email %s", i, email);
        if (cases[i].why && (why == NULL || strstr(why, cases[i].why) == NULL))
            fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, why ? why : "", cases[i].why);
        arena_free(a);
    }
    /* larger than any request: refused before scanning */
    struct arena *a = arena_new();
    char *big = calloc(1, AD_BODY_MAX + 2);
    memset(big, ' ', AD_BODY_MAX + 1);
    const char *email, *why;
    assert_int_equal(autodiscover_parse(a, big, AD_BODY_MAX + 1, &email, &why), AD_INVALID);
    free(big);
    arena_free(a);
}

static void test_autodiscover_answer(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "[imap]\nusername = localpart\n");
    struct settings_view v;
    struct client_file f;
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "nopop@example.com", &v, &f);
    struct buf out = {0};
    assert_int_equal(autodiscover_write(&f, &out), AD_OK);
    char *flat = flat_of(&out);
    assert_non_null(strstr(out.data, "<Autodiscover xmlns=\"" AD_NS_RESPONSE "\">"));
    assert_non_null(strstr(out.data, "<Response xmlns=\"" AD_NS_OUTLOOK "\">"));
    has_line(flat, "Autodiscover/Response/Account/AccountType=email");
    has_line(flat, "Autodiscover/Response/Account/Action=settings");
    /* two IMAP, no POP3 (off for nopop), two SMTP */
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol@"), 4);
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol/Type=IMAP"), 2);
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol/Type=POP3"), 0);
    /* Encryption: SSL for TLS from the start, TLS for STARTTLS */
    const char *p993 = strstr(flat, "Protocol/Port=993");
    const char *p143 = strstr(flat, "Protocol/Port=143");
    assert_non_null(p993);
    assert_non_null(p143);
    assert_true(strstr(p993, "Protocol/Encryption=SSL") < p143);
    assert_non_null(strstr(p143, "Protocol/Encryption=TLS"));
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol/SSL=on"), 4);
    has_line(flat, "Autodiscover/Response/Account/Protocol/LoginName=nopop");
    has_line(flat, "Autodiscover/Response/Account/Protocol/LoginName=nopop@example.com");
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol/SPA=off"), 4);
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol/AuthRequired=on"), 4);
    assert_int_equal(count_lines(flat, "Autodiscover/Response/Account/Protocol/UsePOPAuth=on"), 2);
    assert_string_equal(autodiscover_encryption(TLS_NONE), "None");
    free(flat);
    /* refused account: nothing to offer */
    buf_clear(&out);
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "admin@example.com", &v, &f);
    assert_int_equal(autodiscover_write(&f, &out), AD_NO_SETTINGS);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void test_autodiscover_errors(void **state)
{
    (void)state;
    struct timespec t = {.tv_sec = 3600 * 16 + 60 * 42 + 44, .tv_nsec = 451144700};
    static const struct { enum ad_status code; const char *message; int outlook_ns; } cases[] = {
        {AD_INVALID, "Invalid Request", 0},
        {AD_PROVIDER, "Provider is not available", 0},
        {AD_NOT_FOUND, "The email address can't be found.", 1},
        {AD_NO_SETTINGS, "No mail settings are available for this email address.", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf out = {0};
        autodiscover_write_error(cases[i].code, &t, 2477272013u, &out);
        char *flat = flat_of(&out);
        char line[200];
        snprintf(line, sizeof(line), "Autodiscover/Response/Error/ErrorCode=%d", (int)cases[i].code);
        has_line(flat, line);
        snprintf(line, sizeof(line), "Autodiscover/Response/Error/Message=%s", cases[i].message);
        has_line(flat, line);
        has_line(flat, "Autodiscover/Response/Error/DebugData@");
        assert_non_null(strstr(out.data, "<Error Time=\"16:42:44.4511447\" Id=\"2477272013\">"));
        assert_int_equal(strstr(out.data, AD_NS_OUTLOOK) != NULL, cases[i].outlook_ns);
        free(flat);
        buf_free(&out);
    }
}

/* ---- Apple ---- */

static void test_mobileconfig(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    struct settings_view v;
    struct client_file f;
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "alice@example.com", &v, &f);
    assert_int_equal(mobileconfig_incoming(&v, PROTO_IMAP), PROTO_IMAP);
    assert_int_equal(mobileconfig_incoming(&v, PROTO_POP3), PROTO_POP3);
    struct buf out = {0};
    const char *why = NULL;
    assert_int_equal(mobileconfig_write(&f, PROTO_IMAP, &out, &why), 0);
    assert_non_null(strstr(out.data, "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\""));
    char *flat = flat_of(&out);
    /* keys and values alternate; check the pairs by their order */
    const char *k = strstr(flat, "plist/dict/array/dict/key=IncomingMailServerHostName\n"
                                 "plist/dict/array/dict/string@\nplist/dict/array/dict/string=mail.example.com");
    assert_non_null(k);
    assert_non_null(strstr(flat, "key=IncomingMailServerPortNumber\nplist/dict/array/dict/integer@\n"
                                 "plist/dict/array/dict/integer=993"));
    assert_non_null(strstr(flat, "key=OutgoingMailServerPortNumber\nplist/dict/array/dict/integer@\n"
                                 "plist/dict/array/dict/integer=465"));
    assert_non_null(strstr(flat, "key=IncomingMailServerUseSSL\nplist/dict/array/dict/true@"));
    assert_non_null(strstr(flat, "key=EmailAccountType\nplist/dict/array/dict/string@\n"
                                 "plist/dict/array/dict/string=EmailTypeIMAP"));
    assert_non_null(strstr(flat, "string=com.apple.mail.managed"));
    assert_non_null(strstr(flat, "plist/dict/string=Configuration"));
    assert_null(strstr(out.data, "Password</key>\n      <string"));   /* no password inside */
    assert_null(strstr(out.data, "<key>IncomingPassword</key>"));
    assert_null(strstr(out.data, "<key>OutgoingPassword</key>"));
    /* stable UUIDs per user (case-folded), different between users */
    struct buf again = {0};
    struct settings_view v2;
    struct client_file f2;
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "Alice@example.com", &v2, &f2);
    assert_int_equal(mobileconfig_write(&f2, PROTO_IMAP, &again, &why), 0);
    const char *u1 = strstr(out.data, "PayloadUUID</key>"), *u2 = strstr(again.data, "PayloadUUID</key>");
    assert_memory_equal(u1, u2, 80);
    buf_clear(&again);
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "bob@example.com", &v2, &f2);
    assert_int_equal(mobileconfig_write(&f2, PROTO_IMAP, &again, &why), 0);
    u2 = strstr(again.data, "PayloadUUID</key>");
    assert_memory_not_equal(u1, u2, 80);
    char uuid[37];
    mobileconfig_uuid("x", uuid);
    assert_int_equal(strlen(uuid), 36);
    assert_int_equal(uuid[14], '5');
    assert_non_null(strchr("89AB", uuid[19]));
    free(flat);
    buf_free(&again);
    buf_free(&out);
}

static void test_mobileconfig_choices(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "");
    struct settings_view v;
    struct client_file f;
    struct buf out = {0};
    const char *why = NULL;
    /* POP3 off for nopop: an IMAP profile even if POP3 is asked for */
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "nopop@example.com", &v, &f);
    assert_int_equal(mobileconfig_incoming(&v, PROTO_POP3), PROTO_IMAP);
    /* IMAP off for popper: POP */
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, "popper@example.com", &v, &f);
    assert_int_equal(mobileconfig_incoming(&v, PROTO_IMAP), PROTO_POP3);
    assert_int_equal(mobileconfig_write(&f, PROTO_POP3, &out, &why), 0);
    assert_non_null(strstr(out.data, "<string>EmailTypePOP</string>"));
    assert_int_equal(mobileconfig_write(&f, PROTO_IMAP, &out, &why), -1);
    /* nobody in particular: no address, no user names: the device asks */
    buf_clear(&out);
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, NULL, &v, &f);
    assert_int_equal(mobileconfig_write(&f, PROTO_IMAP, &out, &why), 0);
    assert_null(strstr(out.data, "<key>EmailAddress</key>"));
    assert_null(strstr(out.data, "MailServerUsername"));
    /* internal client: STARTTLS-only SMTP inside is what it gets */
    view_for(&cfg, SIDE_INTERNAL, SHOW_AUTO, NULL, &v, &f);
    const struct endpoint *ep = mobileconfig_endpoint(&v, PROTO_SMTP);
    assert_string_equal(ep->host, "smtp.corp");
    assert_int_equal(ep->tls, TLS_STARTTLS);
    /* TLS from the start preferred over a STARTTLS endpoint listed first */
    load(&cfg, "[imap]\nexternal = mail.example.com:143:STARTTLS, mail.example.com:993:SSL\n");
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, NULL, &v, &f);
    assert_int_equal(mobileconfig_endpoint(&v, PROTO_IMAP)->port, 993);
    /* no SMTP published: no profile */
    load(&cfg, "[smtp]\nadvertise = no\n");
    view_for(&cfg, SIDE_EXTERNAL, SHOW_AUTO, NULL, &v, &f);
    assert_int_equal(mobileconfig_write(&f, PROTO_IMAP, &out, &why), -1);
    assert_non_null(strstr(why, "SMTP"));
    buf_free(&out);
}

/* A throwaway key and self-signed certificate (valid for days), as PEM
 * files in dir. */
static void make_cert(const char *dir, const char *name, long days)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    assert_non_null(key);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -2 * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"postern test signer", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    char path[600];
    snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
    FILE *fp = fopen(path, "w");
    PEM_write_X509(fp, x);
    fclose(fp);
    snprintf(path, sizeof(path), "%s/%s.key", dir, name);
    fp = fopen(path, "w");
    PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
    fclose(fp);
    X509_free(x);
    EVP_PKEY_free(key);
}

static void test_cms(void **state)
{
    (void)state;
    char dir[] = "/tmp/postern-cms-XXXXXX", cert[600], key[600], other[600], old[600], oldkey[600];
    assert_non_null(mkdtemp(dir));
    make_cert(dir, "signer", 30);
    make_cert(dir, "other", 30);
    make_cert(dir, "old", -1);
    snprintf(cert, sizeof(cert), "%s/signer.crt", dir);
    snprintf(key, sizeof(key), "%s/signer.key", dir);
    snprintf(other, sizeof(other), "%s/other.key", dir);
    snprintf(old, sizeof(old), "%s/old.crt", dir);
    snprintf(oldkey, sizeof(oldkey), "%s/old.key", dir);
    char why[300];
    assert_null(cms_signer_load(cert, other, NULL, why, sizeof(why)));
    assert_non_null(strstr(why, "does not belong"));
    assert_null(cms_signer_load(old, oldkey, NULL, why, sizeof(why)));
    assert_non_null(strstr(why, "expired"));
    assert_null(cms_signer_load("/nonexistent.crt", key, NULL, why, sizeof(why)));
    assert_non_null(strstr(why, "cannot open"));
    assert_null(cms_signer_load(key, key, NULL, why, sizeof(why)));
    assert_non_null(strstr(why, "not a PEM certificate"));
    assert_null(cms_signer_load(cert, key, "/nonexistent-chain.pem", why, sizeof(why)));
    struct cms_signer *s = cms_signer_load(cert, key, cert, why, sizeof(why));
    if (s == NULL)
        fail_msg("%s", why);
    const char doc[] = "<?xml version=\"1.0\"?>\r\n<plist/>\n";
    struct buf der = {0};
    if (cms_sign(s, doc, sizeof(doc) - 1, &der, why, sizeof(why)) != 0)
        fail_msg("%s", why);
    /* verify with OpenSSL against the certificate as the only trust anchor */
    const unsigned char *p = (const unsigned char *)der.data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der.len);
    assert_non_null(cms);
    X509_STORE *store = X509_STORE_new();
    FILE *fp = fopen(cert, "r");
    X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    X509_STORE_add_cert(store, x);
    BIO *content = BIO_new(BIO_s_mem());
    assert_int_equal(CMS_verify(cms, NULL, store, NULL, content, CMS_BINARY), 1);
    char *data;
    long n = BIO_get_mem_data(content, &data);
    assert_int_equal(n, sizeof(doc) - 1);
    assert_memory_equal(data, doc, sizeof(doc) - 1);   /* byte for byte: CRLF kept */
    BIO_free(content);
    X509_free(x);
    X509_STORE_free(store);
    CMS_ContentInfo_free(cms);
    buf_free(&der);
    cms_signer_free(s);
    cms_signer_free(NULL);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- DNS, QR, raw bodies ---- */

static void test_dns_records(void **state)
{
    (void)state;
    struct config cfg;
    load(&cfg, "[pop3]\nadvertise = no\n");
    struct buf out = {0};
    assert_int_equal(rfc6186_records(&cfg, "example.com", "portal.example.com", 443, &out), 0);
    const char *s = buf_cstr(&out);
    static const char *const want[] = {
        "_imaps._tcp.example.com.           3600 IN SRV 0 0 993 mail.example.com.\n",
        "_imap._tcp.example.com.            3600 IN SRV 1 0 143 mail.example.com.\n",
        "_pop3s._tcp.example.com.           3600 IN SRV 0 0 0 .\n",
        "_pop3._tcp.example.com.            3600 IN SRV 0 0 0 .\n",
        "_submissions._tcp.example.com.     3600 IN SRV 0 0 465 mail.example.com.\n",
        "_submission._tcp.example.com.      3600 IN SRV 1 0 587 mail.example.com.\n",
        "autoconfig.example.com.            3600 IN CNAME portal.example.com.\n",
        "autodiscover.example.com.          3600 IN CNAME portal.example.com.\n",
        "_autodiscover._tcp.example.com.    3600 IN SRV 0 0 443 portal.example.com.\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(s, want[i]) == NULL)
            fail_msg("missing: %s in\n%s", want[i], s);
    assert_null(strstr(s, "corp"));   /* DNS is public: external endpoints only */
    /* POP3 after IMAP4 in priority when both are published */
    buf_clear(&out);
    load(&cfg, "");
    assert_int_equal(rfc6186_records(&cfg, "example.com", "portal.example.com", 8443, &out), 0);
    assert_non_null(strstr(buf_cstr(&out), "_pop3s._tcp.example.com.           3600 IN SRV 2 0 995 mail.example.com.\n"));
    assert_non_null(strstr(buf_cstr(&out), "SRV 0 0 8443 portal.example.com."));
    buf_clear(&out);
    static const char *const bad[] = {"", "com", "-a.com", "a..com", "a.com.", "a b.com", "a.com;rm"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(rfc6186_records(&cfg, bad[i], "p.example.com", 443, &out), -1);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void test_qr(void **state)
{
    (void)state;
    struct buf out = {0};
    assert_int_equal(qr_svg("https://mail.example.com/profile.mobileconfig?emailaddress=a@example.com",
                            "QR \"code\" <x>", &out), 0);
    const char *s = buf_cstr(&out);
    assert_true(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 ", 64) == 0);
    assert_non_null(strstr(s, "aria-label=\"QR &quot;code&quot; &lt;x&gt;\""));
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "style"));
    /* the finder pattern's top row: 7 dark modules at the quiet-zone corner */
    assert_non_null(strstr(s, "d=\"M4 4h7v1h-7z"));
    assert_true(s[out.len - 1] == '>');
    buf_clear(&out);
    assert_int_equal(qr_svg("", "x", &out), -1);
    char big[QR_TEXT_MAX + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(qr_svg(big, "x", &out), -1);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void test_raw_body(void **state)
{
    (void)state;
    static const struct raw_body xml = {{"text/xml", "application/xml", NULL}, 100};
    static const struct { const char *type; size_t len; enum raw_verdict want; } cases[] = {
        {"text/xml", 10, RAW_OK},
        {"Text/XML; charset=utf-8", 100, RAW_OK},
        {"  application/xml ;charset=\"utf-8\"", 1, RAW_OK},
        {"text/xml", 101, RAW_TOO_LARGE},
        {"text/plain", 101, RAW_TOO_LARGE},        /* size first */
        {"text/plain", 10, RAW_WRONG_TYPE},
        {"text/xmlx", 10, RAW_WRONG_TYPE},
        {"application/x-www-form-urlencoded", 10, RAW_WRONG_TYPE},
        {NULL, 10, RAW_WRONG_TYPE},
        {NULL, 0, RAW_OK},
        {"text/plain", 0, RAW_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (raw_body_verdict(&xml, cases[i].type, cases[i].len) != cases[i].want)
            fail_msg("case %zu (%s, %zu)", i, cases[i].type ? cases[i].type : "NULL", cases[i].len);
    assert_true(media_type_is("text/xml\t", "text/xml"));
    assert_false(media_type_is("text/xm", "text/xml"));
}

static void test_config_keys(void **state)
{
    (void)state;
    static const struct { const char *extra, *want; } cases[] = {
        {"[autoconfig]\ndomains = example.com, not a domain\n", "[autoconfig] domains: expected domain names"},
        {"[autoconfig]\ndomains = localhost\n", "is not a domain name"},
        {"[autoconfig]\nsign_cert = /etc/x.pem\n", "sign_cert and sign_key go together"},
        {"[autoconfig]\nsign_key = /etc/x.key\n", "[autoconfig] sign_key: sign_cert and sign_key go together"},
        {"[autoconfig]\nsign_chain = /etc/x.pem\n", "a chain without sign_cert"},
        {"[autoconfig]\nsign_cert = relative.pem\nsign_key = /k\n", "expected an absolute path"},
        {"[autoconfig]\nsign_cert = /nonexistent.pem\nsign_key = /nonexistent.key\n",
         "[autoconfig] sign_cert: /nonexistent.pem: cannot open the signing certificate"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[4096];
        snprintf(text, sizeof(text), "%s%s", base_conf, cases[i].extra);
        struct config cfg;
        struct buf err = {0};
        assert_int_equal(config_load_string("t", text, &cfg, &err), -1);
        if (strstr(buf_cstr(&err), cases[i].want) == NULL)
            fail_msg("case %zu: %s", i, buf_cstr(&err));
        buf_free(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_for_user),
        cmocka_unit_test(test_file_endpoints),
        cmocka_unit_test(test_autoconfig_known_user),
        cmocka_unit_test(test_autoconfig_placeholders_and_disabled),
        cmocka_unit_test(test_autodiscover_parse),
        cmocka_unit_test(test_autodiscover_answer),
        cmocka_unit_test(test_autodiscover_errors),
        cmocka_unit_test(test_mobileconfig),
        cmocka_unit_test(test_mobileconfig_choices),
        cmocka_unit_test(test_cms),
        cmocka_unit_test(test_dns_records),
        cmocka_unit_test(test_qr),
        cmocka_unit_test(test_raw_body),
        cmocka_unit_test(test_config_keys),
    };
    return cmocka_run_group_tests_name("autoconfig", tests, NULL, NULL);
}
