/* validate.c — see validate.h. */
#include "validate.h"
#include "mutf7.h"

#include <string.h>
#include <strings.h>

#include "arena.h"

#define TEXT_MAX      65536
#define LINE_MAX_LEN  1000
#define UINT_MAX_VAL  2147483647LL
#define EMAIL_MAX     254
#define LOCAL_MAX     64
#define DOMAIN_MAX    253
#define LABEL_MAX     63
#define TOKEN_MIN     16
#define TOKEN_MAX     128
#define USERNAME_MAX  254
#define ENUM_WORD_MAX 32

/* --- UTF-8 ------------------------------------------------------------ */

/* For each lead byte class: number of continuation bytes and the allowed
 * range of the first continuation byte (which is what rules out overlongs,
 * surrogates and code points above U+10FFFF). */
struct utf8_lead {
    unsigned char lo, hi;  /* lead byte range */
    unsigned char need;    /* continuation bytes */
    unsigned char c1lo, c1hi;
};

static const struct utf8_lead utf8_leads[] = {
    { 0xC2, 0xDF, 1, 0x80, 0xBF },
    { 0xE0, 0xE0, 2, 0xA0, 0xBF },  /* no overlongs */
    { 0xE1, 0xEC, 2, 0x80, 0xBF },
    { 0xED, 0xED, 2, 0x80, 0x9F },  /* no surrogates */
    { 0xEE, 0xEF, 2, 0x80, 0xBF },
    { 0xF0, 0xF0, 3, 0x90, 0xBF },  /* no overlongs */
    { 0xF1, 0xF3, 3, 0x80, 0xBF },
    { 0xF4, 0xF4, 3, 0x80, 0x8F },  /* nothing above U+10FFFF */
};

static const struct utf8_lead *utf8_lead_of(unsigned char c)
{
    for (size_t i = 0; i < sizeof(utf8_leads) / sizeof(utf8_leads[0]); i++)
        if (c >= utf8_leads[i].lo && c <= utf8_leads[i].hi)
            return &utf8_leads[i];
    return NULL;
}

/* Length of the valid sequence at s[i], or 0 if there is none. */
static size_t utf8_seq_len(const unsigned char *s, size_t n, size_t i)
{
    if (s[i] < 0x80)
        return 1;
    const struct utf8_lead *l = utf8_lead_of(s[i]);
    if (l == NULL || n - i <= l->need)
        return 0;
    if (s[i + 1] < l->c1lo || s[i + 1] > l->c1hi)
        return 0;
    for (size_t k = 2; k <= l->need; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    return (size_t)l->need + 1;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq_len(u, n, i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* Decodes the sequence at s[*i] (which must be valid) and advances *i. */
static unsigned long utf8_next(const unsigned char *s, size_t n, size_t *i)
{
    size_t k = utf8_seq_len(s, n, *i);
    static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
    unsigned long cp = s[*i] & lead_mask[k];
    for (size_t j = 1; j < k; j++)
        cp = (cp << 6) | (s[*i + j] & 0x3F);
    *i += k;
    return cp;
}

static int control_allowed(unsigned char c, unsigned flags)
{
    if (c == '\t')
        return (flags & TEXT_ALLOW_TAB) != 0;
    if (c == '\r' || c == '\n')
        return (flags & TEXT_ALLOW_CRLF) != 0;
    return 0;
}

enum text_check utf8_check_text(const char *s, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    if (!utf8_valid(s, n))
        return TEXT_BAD_UTF8;
    for (size_t i = 0; i < n; i++) {
        if ((u[i] < 0x20 && !control_allowed(u[i], flags)) || u[i] == 0x7F)
            return TEXT_CONTROL;
        /* C1: U+0080–U+009F is C2 80–C2 9F; i + 1 < n as s is valid. */
        if (u[i] == 0xC2 && u[i + 1] <= 0x9F)
            return TEXT_CONTROL;
    }
    return TEXT_OK;
}

/* --- helpers ---------------------------------------------------------- */

/* Fills out (if any) with a copy of s[0..n) and num. Always returns 1. */
static int accept(struct arena *a, struct valid_value *out,
                  const char *s, size_t n, long long num)
{
    if (out == NULL)
        return 1;
    out->str = arena_strndup(a, s, n);
    out->len = n;
    out->num = num;
    return 1;
}

/* 1 if every byte of s[0..n) is in the set described by ok(). */
static int all_bytes(const char *s, size_t n, int (*ok)(unsigned char))
{
    for (size_t i = 0; i < n; i++)
        if (!ok((unsigned char)s[i]))
            return 0;
    return 1;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(unsigned char c) { return is_lower(c | 0x20); }
static int is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }

static int is_b64url(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

static int is_enum_char(unsigned char c)
{
    return is_lower(c) || is_digit(c) || c == '-' || c == '_';
}

/* RFC 5322 atext. */
static int is_atext(unsigned char c)
{
    return is_alnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* --- text validators -------------------------------------------------- */

int valid_text(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len > TEXT_MAX)
        return 0;
    if (utf8_check_text(raw, len, TEXT_ALLOW_TAB | TEXT_ALLOW_CRLF) != TEXT_OK)
        return 0;
    return accept(a, out, raw, len, 0);
}

int valid_mail_text(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len > MAIL_TEXT_MAX)
        return 0;
    if (utf8_check_text(raw, len, TEXT_ALLOW_TAB | TEXT_ALLOW_CRLF) != TEXT_OK)
        return 0;
    return accept(a, out, raw, len, 0);
}

int valid_line(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len > LINE_MAX_LEN)
        return 0;
    if (utf8_check_text(raw, len, TEXT_ALLOW_TAB) != TEXT_OK)
        return 0;
    return accept(a, out, raw, len, 0);
}

int valid_username(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > USERNAME_MAX)
        return 0;
    if (raw[0] == ' ' || raw[len - 1] == ' ')
        return 0;
    if (utf8_check_text(raw, len, 0) != TEXT_OK)
        return 0;
    return accept(a, out, raw, len, 0);
}

/* --- scalar validators ------------------------------------------------ */

int valid_uint(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > 10 || !all_bytes(raw, len, is_digit))
        return 0;
    long long v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (raw[i] - '0');
    if (v > UINT_MAX_VAL)
        return 0;
    size_t skip = 0;
    while (skip + 1 < len && raw[skip] == '0')
        skip++;
    return accept(a, out, raw + skip, len - skip, v);
}

static const struct {
    const char *word;
    int value;
} bool_words[] = {
    { "1", 1 }, { "on", 1 }, { "yes", 1 }, { "true", 1 },
    { "0", 0 }, { "off", 0 }, { "no", 0 }, { "false", 0 }, { "", 0 },
};

int valid_bool(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    for (size_t i = 0; i < sizeof(bool_words) / sizeof(bool_words[0]); i++) {
        const char *w = bool_words[i].word;
        if (strlen(w) == len && strncasecmp(w, raw, len) == 0) {
            int v = bool_words[i].value;
            return accept(a, out, v ? "1" : "0", 1, v);
        }
    }
    return 0;
}

int valid_token(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len < TOKEN_MIN || len > TOKEN_MAX || !all_bytes(raw, len, is_b64url))
        return 0;
    return accept(a, out, raw, len, 0);
}

int valid_enum_word(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > ENUM_WORD_MAX || !all_bytes(raw, len, is_enum_char))
        return 0;
    return accept(a, out, raw, len, 0);
}

/* --- mailbox inputs ---------------------------------------------------- */

int valid_folder(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > 1000)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)raw[i] < 0x20 || (unsigned char)raw[i] > 0x7e)
            return 0;
    if (!mutf7_valid(raw, len))
        return 0;
    return accept(a, out, raw, len, 0);
}

int valid_uid(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > 10)
        return 0;
    long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] < '0' || raw[i] > '9')
            return 0;
        v = v * 10 + (raw[i] - '0');
    }
    if (v < 1 || v > 4294967295LL)
        return 0;
    return accept(a, out, raw, len, v);
}

int valid_section(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > 250)
        return 0;
    size_t group = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '.') {
            if (group == 0 || i + 1 == len)
                return 0;
            group = 0;
        } else if (raw[i] >= '0' && raw[i] <= '9' && group < 5) {
            group++;
        } else {
            return 0;
        }
    }
    return accept(a, out, raw, len, 0);
}

int valid_uidl(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > 70)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)raw[i] < 0x21 || (unsigned char)raw[i] > 0x7e)
            return 0;
    return accept(a, out, raw, len, 0);
}

int valid_search(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len > 200)
        return 0;
    return valid_line(a, raw, len, out);
}

/* --- e-mail ----------------------------------------------------------- */

/* A dot-atom: atext runs separated by single dots, none at the ends. */
static int dot_atom(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' ? s[i + 1] == '.' : !is_atext(c))
            return 0;
    }
    return 1;
}

/* Non-ASCII code points refused in a domain label: spaces, invisible
 * formatting characters, and characters IDNA maps to a full stop. */
static const struct {
    unsigned long lo, hi;
} idn_refused[] = {
    { 0x0080, 0x00A0 }, { 0x00AD, 0x00AD }, { 0x1680, 0x1680 },
    { 0x180E, 0x180E }, { 0x2000, 0x200F }, { 0x2028, 0x202F },
    { 0x205F, 0x206F }, { 0x3000, 0x3002 }, { 0xFE00, 0xFE0F },
    { 0xFEFF, 0xFEFF }, { 0xFF0E, 0xFF0E }, { 0xFF61, 0xFF61 },
    { 0xFFF0, 0xFFFF },
};

static int idn_char_ok(unsigned long cp)
{
    for (size_t i = 0; i < sizeof(idn_refused) / sizeof(idn_refused[0]); i++)
        if (cp >= idn_refused[i].lo && cp <= idn_refused[i].hi)
            return 0;
    return 1;
}

/* One label of a domain (already known to be valid UTF-8 as a whole). */
static int domain_label(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0 || n > LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
        return 0;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            if (!is_alnum(u[i]) && u[i] != '-')
                return 0;
            i++;
        } else if (!idn_char_ok(utf8_next(u, n, &i))) {
            return 0;
        }
    }
    return 1;
}

static int domain_ok(const char *s, size_t n)
{
    if (n == 0 || n > DOMAIN_MAX || !utf8_valid(s, n))
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        if (!domain_label(s + start, i - start))
            return 0;
        start = i + 1;
    }
    return 1;
}

int valid_email(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > EMAIL_MAX)
        return 0;
    const char *at = memchr(raw, '@', len);
    if (at == NULL)
        return 0;
    size_t local = (size_t)(at - raw);
    if (local > LOCAL_MAX || !dot_atom(raw, local))
        return 0;
    if (!domain_ok(at + 1, len - local - 1))
        return 0;
    if (out == NULL)
        return 1;
    accept(a, out, raw, len, 0);
    char *d = (char *)out->str + local + 1;
    for (; *d != '\0'; d++)
        if (*d >= 'A' && *d <= 'Z')
            *d = (char)(*d - 'A' + 'a');
    return 1;
}

/* --- table ------------------------------------------------------------ */

const validator_fn valid_fns[VALID__MAX] = {
    [VALID_TEXT] = valid_text,
    [VALID_LINE] = valid_line,
    [VALID_UINT] = valid_uint,
    [VALID_BOOL] = valid_bool,
    [VALID_EMAIL] = valid_email,
    [VALID_TOKEN] = valid_token,
    [VALID_USERNAME] = valid_username,
    [VALID_ENUM_WORD] = valid_enum_word,
};

const char *const valid_names[VALID__MAX] = {
    [VALID_TEXT] = "text",
    [VALID_LINE] = "line",
    [VALID_UINT] = "uint",
    [VALID_BOOL] = "bool",
    [VALID_EMAIL] = "email",
    [VALID_TOKEN] = "token",
    [VALID_USERNAME] = "username",
    [VALID_ENUM_WORD] = "enum-word",
};

int valid_password(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0 || len > 1000 || memchr(raw, '\0', len) || memchr(raw, '\r', len) ||
        memchr(raw, '\n', len) || !utf8_valid(raw, len))
        return 0;
    if (out != NULL) {
        out->str = arena_strndup(a, raw, len);
        out->len = len;
        out->num = 0;
    }
    return 1;
}
