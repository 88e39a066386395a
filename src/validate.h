/* validate.h — pure, strict, bounded validators for request inputs.
 *
 * In the style of kcgi's kvalid_*: each page declares which inputs it takes
 * and a validator for each; handlers only ever see a validated value.
 *
 * A "control character" here is always U+0000–U+001F, U+007F and the C1
 * range U+0080–U+009F (bytes C2 80–C2 9F), whatever a validator lets
 * through explicitly (TAB, CR, LF).
 *
 * Validators never write outside the arena and never read past raw[len);
 * raw need not be NUL-terminated and may hold NULs (which are refused).
 */
#ifndef POSTERN_VALIDATE_H
#define POSTERN_VALIDATE_H

#include <stddef.h>

struct arena;

/* What a validator hands back on success. str is a NUL-terminated copy in
 * the arena (possibly normalised), len its length; num is set by numeric
 * and boolean validators and 0 otherwise. */
struct valid_value {
    const char *str;
    size_t len;
    long long num;
};

/* A validator returns 1 and fills *out (when out is not NULL; strings are
 * copies in a) if raw[0..len) is acceptable, or 0 and leaves *out untouched.
 * With out == NULL it only checks, and a may be NULL. */
typedef int (*validator_fn)(struct arena *a, const char *raw, size_t len,
                            struct valid_value *out);

/* Free text (a textarea): valid UTF-8, at most 64 KiB, no control
 * characters except TAB, CR and LF. Empty is accepted. */
int valid_text(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* The text of a message being written: as valid_text, but up to
 * MAIL_TEXT_MAX bytes. */
#define MAIL_TEXT_MAX (4u << 20)
int valid_mail_text(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* One line (a text input): valid UTF-8, at most 1000 bytes, no control
 * characters except TAB (so no CR, LF, NUL). Empty is accepted. */
int valid_line(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* Unsigned decimal 0..2^31-1: 1..10 ASCII digits, nothing else (no sign,
 * no spaces). Leading zeros are accepted; out->str is the canonical form
 * ("007" -> "7") and out->num the value. */
int valid_uint(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A boolean, ASCII case-insensitive: "1", "on", "yes", "true" -> num 1;
 * "0", "off", "no", "false", "" -> num 0. out->str is "1" or "0". */
int valid_bool(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* An addr-spec local@domain: at most 254 bytes; local part a dot-atom of
 * at most 64 ASCII atext bytes (no quoted local parts); domain at most 253
 * bytes of dot-separated labels of 1..63 bytes, each LDH (letters, digits,
 * hyphen, not at either end) or, for IDN, UTF-8 whose non-ASCII characters
 * are neither controls, spaces nor look-alike full stops. No trailing dot,
 * no domain literal; a single-label domain is accepted, as HTML's
 * type=email does. out->str has the ASCII letters of the domain
 * lower-cased; the local part is kept as sent. */
int valid_email(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* An opaque base64url token (session id, CSRF token): 16..128 bytes of
 * [A-Za-z0-9_-], no padding. */
int valid_token(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A mail password as typed: 1..1000 bytes of valid UTF-8 with no NUL, CR
 * or LF (they would end an upstream command); anything else, spaces and
 * quotes included, is kept as is. */
int valid_password(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A mail login: 1..254 bytes of valid UTF-8, no control characters at all
 * (not even TAB), no space at either end. */
int valid_username(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A word from a fixed vocabulary ("internal", "imap"): [a-z0-9_-]{1,32}.
 * Membership in the vocabulary is the caller's check. */
int valid_enum_word(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* An IMAP folder name as the server spells it (modified UTF-7, RFC 3501
 * 5.1.3): 1..1000 bytes of printable ASCII, valid modified UTF-7 (so no
 * CR, LF, NUL, no 8-bit bytes). */
int valid_folder(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* An IMAP UID: 1..4294967295 in decimal, no sign or spaces. */
int valid_uid(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A MIME part number "1", "2.1.3": 1..250 bytes, digits in dot-separated
 * groups, each group 1..5 digits, no leading or trailing dot. */
int valid_section(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A POP3 unique-id (RFC 1939 UIDL): 1..70 bytes of 0x21..0x7E. */
int valid_uidl(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* A search text: valid_line, at most 200 bytes. */
int valid_search(struct arena *a, const char *raw, size_t len, struct valid_value *out);

/* The validators by kind, for route tables (kcgi's kvalid array). */
enum valid_kind {
    VALID_TEXT,
    VALID_LINE,
    VALID_UINT,
    VALID_BOOL,
    VALID_EMAIL,
    VALID_TOKEN,
    VALID_USERNAME,
    VALID_ENUM_WORD,
    VALID__MAX
};
extern const validator_fn valid_fns[VALID__MAX];
extern const char *const valid_names[VALID__MAX]; /* "text", "line", ... */

/* 1 if s[0..n) is valid UTF-8: shortest form only (no overlongs, no C0/C1
 * lead bytes), no surrogates (U+D800–U+DFFF), nothing above U+10FFFF, no
 * truncated sequence. 0 otherwise. n == 0 is valid. */
int utf8_valid(const char *s, size_t n);

/* Flags for utf8_check_text(): which controls are let through. */
#define TEXT_ALLOW_TAB  0x1u  /* U+0009 */
#define TEXT_ALLOW_CRLF 0x2u  /* U+000D and U+000A */

enum text_check {
    TEXT_OK = 0,
    TEXT_BAD_UTF8,  /* utf8_valid() failed */
    TEXT_CONTROL    /* a control character not allowed by the flags */
};

/* Checks s[0..n) is valid UTF-8 without control characters other than
 * those allowed by flags. Invalid UTF-8 is reported before controls. */
enum text_check utf8_check_text(const char *s, size_t n, unsigned flags);

#endif
