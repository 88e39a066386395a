/* charset.c — see charset.h. */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define REPL "\xEF\xBF\xBD"   /* U+FFFD */
#define CD_SLOTS 4            /* iconv converters kept open per thread */

/* --- labels ----------------------------------------------------------- */

enum cs_kind {
    CS_UTF8,    /* decoded here */
    CS_ASCII,   /* 7-bit as is; 8-bit text is guessed */
    CS_1252,    /* decoded here from a table */
    CS_ICONV,   /* through iconv, as alias.iconv */
};

/* A label with "-", "_", ".", ":" and spaces removed, lower-cased. */
struct alias {
    const char *norm;
    enum cs_kind kind;
    const char *iconv;
};

static const struct alias aliases[] = {
    {"utf8", CS_UTF8, NULL}, {"unicode11utf8", CS_UTF8, NULL},
    {"xunicode20utf8", CS_UTF8, NULL},
    {"usascii", CS_ASCII, NULL}, {"ascii", CS_ASCII, NULL}, {"us", CS_ASCII, NULL},
    {"ansix341968", CS_ASCII, NULL}, {"iso646us", CS_ASCII, NULL},
    {"csascii", CS_ASCII, NULL}, {"cp367", CS_ASCII, NULL}, {"ibm367", CS_ASCII, NULL},
    {"isoir6", CS_ASCII, NULL},
    {"windows1252", CS_1252, NULL}, {"cp1252", CS_1252, NULL}, {"xcp1252", CS_1252, NULL},
    {"iso88591", CS_1252, NULL}, {"latin1", CS_1252, NULL}, {"l1", CS_1252, NULL},
    {"cp819", CS_1252, NULL}, {"ibm819", CS_1252, NULL}, {"isoir100", CS_1252, NULL},
    {"csisolatin1", CS_1252, NULL}, {"iso885911987", CS_1252, NULL},
    {"iso88592", CS_ICONV, "ISO-8859-2"}, {"latin2", CS_ICONV, "ISO-8859-2"},
    {"l2", CS_ICONV, "ISO-8859-2"},
    {"iso88593", CS_ICONV, "ISO-8859-3"}, {"latin3", CS_ICONV, "ISO-8859-3"},
    {"iso88594", CS_ICONV, "ISO-8859-4"}, {"latin4", CS_ICONV, "ISO-8859-4"},
    {"iso88595", CS_ICONV, "ISO-8859-5"}, {"cyrillic", CS_ICONV, "ISO-8859-5"},
    {"iso88596", CS_ICONV, "ISO-8859-6"}, {"iso88596i", CS_ICONV, "ISO-8859-6"},
    {"iso88596e", CS_ICONV, "ISO-8859-6"}, {"arabic", CS_ICONV, "ISO-8859-6"},
    {"iso88597", CS_ICONV, "ISO-8859-7"}, {"greek", CS_ICONV, "ISO-8859-7"},
    {"iso88598", CS_ICONV, "ISO-8859-8"}, {"iso88598i", CS_ICONV, "ISO-8859-8"},
    {"iso88598e", CS_ICONV, "ISO-8859-8"}, {"hebrew", CS_ICONV, "ISO-8859-8"},
    {"csiso88598i", CS_ICONV, "ISO-8859-8"}, {"logical", CS_ICONV, "ISO-8859-8"},
    {"visual", CS_ICONV, "ISO-8859-8"},
    {"iso88599", CS_ICONV, "CP1254"}, {"latin5", CS_ICONV, "CP1254"},
    {"iso885910", CS_ICONV, "ISO-8859-10"}, {"latin6", CS_ICONV, "ISO-8859-10"},
    {"iso885911", CS_ICONV, "CP874"}, {"tis620", CS_ICONV, "CP874"},
    {"windows874", CS_ICONV, "CP874"}, {"cp874", CS_ICONV, "CP874"},
    {"iso885913", CS_ICONV, "ISO-8859-13"}, {"iso885914", CS_ICONV, "ISO-8859-14"},
    {"iso885915", CS_ICONV, "ISO-8859-15"}, {"latin9", CS_ICONV, "ISO-8859-15"},
    {"iso885916", CS_ICONV, "ISO-8859-16"},
    {"windows1250", CS_ICONV, "CP1250"}, {"cp1250", CS_ICONV, "CP1250"},
    {"windows1251", CS_ICONV, "CP1251"}, {"cp1251", CS_ICONV, "CP1251"},
    {"windows1253", CS_ICONV, "CP1253"}, {"cp1253", CS_ICONV, "CP1253"},
    {"windows1254", CS_ICONV, "CP1254"}, {"cp1254", CS_ICONV, "CP1254"},
    {"windows1255", CS_ICONV, "CP1255"}, {"cp1255", CS_ICONV, "CP1255"},
    {"windows1256", CS_ICONV, "CP1256"}, {"cp1256", CS_ICONV, "CP1256"},
    {"windows1257", CS_ICONV, "CP1257"}, {"cp1257", CS_ICONV, "CP1257"},
    {"windows1258", CS_ICONV, "CP1258"}, {"cp1258", CS_ICONV, "CP1258"},
    {"koi8r", CS_ICONV, "KOI8-R"}, {"koi8u", CS_ICONV, "KOI8-U"},
    {"koi8ru", CS_ICONV, "KOI8-RU"}, {"cp866", CS_ICONV, "CP866"},
    {"ibm866", CS_ICONV, "CP866"}, {"cp850", CS_ICONV, "IBM850"},
    {"ibm850", CS_ICONV, "IBM850"}, {"cp437", CS_ICONV, "IBM437"},
    {"ibm437", CS_ICONV, "IBM437"},
    {"macintosh", CS_ICONV, "MACINTOSH"}, {"mac", CS_ICONV, "MACINTOSH"},
    {"xmacroman", CS_ICONV, "MACINTOSH"}, {"csmacintosh", CS_ICONV, "MACINTOSH"},
    {"viscii", CS_ICONV, "VISCII"},
    {"utf7", CS_ICONV, "UTF-7"}, {"unicode11utf7", CS_ICONV, "UTF-7"},
    {"csunicode11utf7", CS_ICONV, "UTF-7"},
    {"utf16", CS_ICONV, "UTF-16"}, {"utf16le", CS_ICONV, "UTF-16LE"},
    {"utf16be", CS_ICONV, "UTF-16BE"}, {"utf32", CS_ICONV, "UTF-32"},
    {"utf32le", CS_ICONV, "UTF-32LE"}, {"utf32be", CS_ICONV, "UTF-32BE"},
    {"gb18030", CS_ICONV, "GB18030"}, {"gb2312", CS_ICONV, "GB18030"},
    {"gbk", CS_ICONV, "GB18030"}, {"xgbk", CS_ICONV, "GB18030"},
    {"cp936", CS_ICONV, "GB18030"}, {"ms936", CS_ICONV, "GB18030"},
    {"windows936", CS_ICONV, "GB18030"}, {"euccn", CS_ICONV, "GB18030"},
    {"gb231280", CS_ICONV, "GB18030"}, {"csgb2312", CS_ICONV, "GB18030"},
    {"chinese", CS_ICONV, "GB18030"}, {"isoir58", CS_ICONV, "GB18030"},
    {"big5", CS_ICONV, "BIG5-HKSCS"}, {"big5hkscs", CS_ICONV, "BIG5-HKSCS"},
    {"cnbig5", CS_ICONV, "BIG5-HKSCS"}, {"xxbig5", CS_ICONV, "BIG5-HKSCS"},
    {"csbig5", CS_ICONV, "BIG5-HKSCS"}, {"euctw", CS_ICONV, "EUC-TW"},
    {"ksc56011987", CS_ICONV, "CP949"}, {"ksc56011989", CS_ICONV, "CP949"},
    {"ksc5601", CS_ICONV, "CP949"}, {"csksc56011987", CS_ICONV, "CP949"},
    {"korean", CS_ICONV, "CP949"}, {"isoir149", CS_ICONV, "CP949"},
    {"euckr", CS_ICONV, "CP949"}, {"cseuckr", CS_ICONV, "CP949"},
    {"windows949", CS_ICONV, "CP949"}, {"xwindows949", CS_ICONV, "CP949"},
    {"cp949", CS_ICONV, "CP949"}, {"uhc", CS_ICONV, "CP949"},
    {"iso2022kr", CS_ICONV, "ISO-2022-KR"}, {"csiso2022kr", CS_ICONV, "ISO-2022-KR"},
    {"shiftjis", CS_ICONV, "CP932"}, {"sjis", CS_ICONV, "CP932"},
    {"xsjis", CS_ICONV, "CP932"}, {"mskanji", CS_ICONV, "CP932"},
    {"csshiftjis", CS_ICONV, "CP932"}, {"windows31j", CS_ICONV, "CP932"},
    {"cp932", CS_ICONV, "CP932"}, {"ms932", CS_ICONV, "CP932"},
    {"eucjp", CS_ICONV, "EUC-JP-MS"}, {"xeucjp", CS_ICONV, "EUC-JP-MS"},
    {"cseucpkdfmtjapanese", CS_ICONV, "EUC-JP-MS"},
    {"iso2022jp", CS_ICONV, "ISO-2022-JP-3"}, {"csiso2022jp", CS_ICONV, "ISO-2022-JP-3"},
    {"iso2022jp2", CS_ICONV, "ISO-2022-JP-2"}, {"iso2022jp3", CS_ICONV, "ISO-2022-JP-3"},
    {"iso2022cn", CS_ICONV, "ISO-2022-CN"}, {"iso2022cnext", CS_ICONV, "ISO-2022-CN-EXT"},
};

/* Normalises label into norm (see struct alias). 0, or -1 if it is empty,
 * too long or holds a byte no charset name has. Quotes around the label
 * and an RFC 2231 "*language" suffix are ignored. */
static int normalise(const char *label, char norm[CHARSET_LABEL_MAX + 1])
{
    size_t k = 0, i;
    if (label == NULL)
        return -1;
    for (i = 0; label[i] != '\0' && label[i] != '*'; i++) {
        unsigned char c = (unsigned char)label[i];
        if (i >= CHARSET_LABEL_MAX)
            return -1;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            norm[k++] = (char)c;
        else if (c >= 'A' && c <= 'Z')
            norm[k++] = (char)(c + 32);
        else if (strchr("-_.: \t\"'", c) == NULL)
            return -1;
    }
    norm[k] = '\0';
    return k > 0 ? 0 : -1;
}

/* The table entry for label, or NULL if it is unknown. */
static const struct alias *lookup(const char *label)
{
    char norm[CHARSET_LABEL_MAX + 1];
    if (normalise(label, norm) != 0)
        return NULL;
    for (size_t i = 0; i < NELEM(aliases); i++)
        if (strcmp(aliases[i].norm, norm) == 0)
            return &aliases[i];
    return NULL;
}

/* --- iconv converters, a few per thread -------------------------------- */

struct cd_slot {
    const char *name;     /* iconv name (from the table), NULL if free */
    iconv_t cd;
    unsigned long used;
};

struct cd_cache {
    struct cd_slot slot[CD_SLOTS];
    unsigned long tick;
};

static pthread_once_t cd_once = PTHREAD_ONCE_INIT;
static pthread_key_t cd_key;
static int cd_key_ok;

static void cd_cache_free(void *p)
{
    struct cd_cache *c = p;
    for (size_t i = 0; i < CD_SLOTS; i++)
        if (c->slot[i].name != NULL)
            iconv_close(c->slot[i].cd);
    free(c);
}

static void cd_key_init(void)
{
    cd_key_ok = pthread_key_create(&cd_key, cd_cache_free) == 0;
}

/* The calling thread's cache (created on first use), or NULL if thread
 * keys are unavailable. */
static struct cd_cache *cd_cache(void)
{
    pthread_once(&cd_once, cd_key_init);
    if (!cd_key_ok)
        return NULL;
    struct cd_cache *c = pthread_getspecific(cd_key);
    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL)
            abort();
        if (pthread_setspecific(cd_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    return c;
}

/* A converter from name to UTF-8 in its initial state, or (iconv_t)-1.
 * *owned is set to 1 if the caller must iconv_close() it (no cache). */
static iconv_t cd_acquire(const char *name, int *owned)
{
    struct cd_cache *c = cd_cache();
    *owned = c == NULL;
    if (c == NULL)
        return iconv_open("UTF-8", name);
    struct cd_slot *victim = &c->slot[0];
    for (size_t i = 0; i < CD_SLOTS; i++) {
        struct cd_slot *sl = &c->slot[i];
        if (sl->name != NULL && strcmp(sl->name, name) == 0) {
            sl->used = ++c->tick;
            iconv(sl->cd, NULL, NULL, NULL, NULL);
            return sl->cd;
        }
        if (sl->name == NULL || (victim->name != NULL && sl->used < victim->used))
            victim = sl;
    }
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return cd;
    if (victim->name != NULL)
        iconv_close(victim->cd);
    *victim = (struct cd_slot){name, cd, ++c->tick};
    return cd;
}

void charset_thread_release(void)
{
    pthread_once(&cd_once, cd_key_init);
    if (!cd_key_ok)
        return;
    struct cd_cache *c = pthread_getspecific(cd_key);
    if (c != NULL) {
        pthread_setspecific(cd_key, NULL);
        cd_cache_free(c);
    }
}

/* --- output ----------------------------------------------------------- */

/* Where converted text goes: at most left more bytes into out. */
struct sink {
    struct buf *out;
    size_t left;
    unsigned flags;
};

/* Appends valid UTF-8 p[0..n), cut at a character boundary if it does not
 * fit; after a cut, nothing more is appended. */
static void sink_put(struct sink *s, const char *p, size_t n)
{
    if (n == 0 || (s->flags & CHARSET_TRUNCATED))
        return;
    if (n > s->left) {
        n = s->left;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
        s->flags |= CHARSET_TRUNCATED;
    }
    buf_append(s->out, p, n);
    s->left -= n;
}

static void sink_bad(struct sink *s)
{
    sink_put(s, REPL, 3);
    s->flags |= CHARSET_REPLACED;
}

/* Valid UTF-8 lead bytes: sequence length and the range of the 2nd byte. */
static const struct {
    unsigned char first, last, len, lo, hi;
} utf8_lead[] = {
    {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F},
    {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
    {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

/* Length of the valid sequence at p[0..n) (p[0] >= 0x80, n > 0); or 0
 * with *bad = the length of the maximal invalid subpart there. */
static size_t utf8_seq(const unsigned char *p, size_t n, size_t *bad)
{
    *bad = 1;
    for (size_t k = 0; k < NELEM(utf8_lead); k++) {
        if (p[0] < utf8_lead[k].first || p[0] > utf8_lead[k].last)
            continue;
        size_t len = utf8_lead[k].len, i = 1;
        if (n > 1 && p[1] >= utf8_lead[k].lo && p[1] <= utf8_lead[k].hi)
            for (i = 2; i < len && i < n && (p[i] & 0xC0) == 0x80; i++)
                ;
        if (i == len)
            return len;
        *bad = i;
        return 0;
    }
    return 0;
}

/* Appends in[0..n) as UTF-8, repairing it (see charset_sanitize_utf8). */
static void sink_utf8(struct sink *s, const char *in, size_t n)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, run = 0, len, bad = 1;
    while (i < n && !(s->flags & CHARSET_TRUNCATED)) {
        if (p[i] != 0 && p[i] < 0x80) {
            i++;
            continue;
        }
        if (p[i] != 0 && (len = utf8_seq(p + i, n - i, &bad)) > 0) {
            i += len;
            continue;
        }
        sink_put(s, in + run, i - run);
        if (p[i] == 0)
            s->flags |= CHARSET_REPLACED, bad = 1;
        else
            sink_bad(s);
        i += bad;
        run = i;
    }
    sink_put(s, in + run, i - run);
}

/* Writes code point cp (not a surrogate, <= U+10FFFF) as UTF-8 into b;
 * returns the length. */
static size_t put_cp(char *b, uint32_t cp)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    b[0] = (char)(0xE0 | cp >> 12);   /* windows-1252 needs no more */
    b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* --- decoders ----------------------------------------------------------- */

/* windows-1252 0x80..0x9F; 0 = undefined (shown as U+FFFD). 0xA0..0xFF
 * are the same code points. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static void decode_1252(struct sink *s, const char *in, size_t n)
{
    const unsigned char *p = (const unsigned char *)in;
    char tmp[512];
    size_t t = 0;
    for (size_t i = 0; i < n && !(s->flags & CHARSET_TRUNCATED); i++) {
        uint32_t cp = p[i] < 0x80 || p[i] >= 0xA0 ? p[i] : cp1252_high[p[i] - 0x80];
        if (p[i] == 0) {
            s->flags |= CHARSET_REPLACED;
            continue;
        }
        if (cp == 0) {
            cp = 0xFFFD;
            s->flags |= CHARSET_REPLACED;
        }
        t += put_cp(tmp + t, cp);
        if (t + 3 > sizeof(tmp)) {
            sink_put(s, tmp, t);
            t = 0;
        }
    }
    sink_put(s, tmp, t);
}

/* Runs in[0..n) through cd (in its initial state). On invalid input one
 * byte is skipped; with reset, the converter also goes back to its initial
 * state (UTF-7: else the bytes after a bad shift stay in base64). */
static void decode_iconv(struct sink *s, iconv_t cd, const char *in, size_t n, int reset)
{
    char chunk[4096], *ip = (char *)in, *op;
    size_t il = n, ol;
    while (il > 0 && !(s->flags & CHARSET_TRUNCATED)) {
        op = chunk, ol = sizeof(chunk);
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        int e = errno;
        sink_utf8(s, chunk, (size_t)(op - chunk));
        if (r != (size_t)-1 || (e == E2BIG && op != chunk))
            continue;
        sink_bad(s);
        if (e == EILSEQ)
            ip++, il--;         /* skip one byte and resynchronise */
        else
            il = 0;             /* EINVAL: the input ends mid-character */
        if (reset)
            iconv(cd, NULL, NULL, NULL, NULL);
    }
    op = chunk, ol = sizeof(chunk);
    iconv(cd, NULL, NULL, &op, &ol);
    sink_utf8(s, chunk, (size_t)(op - chunk));
}

/* Decodes with the iconv converter name. 0, or -1 if it cannot be opened. */
static int decode_named(struct sink *s, const char *name, const char *in, size_t n)
{
    int owned;
    iconv_t cd = cd_acquire(name, &owned);
    if (cd == (iconv_t)-1)
        return -1;
    decode_iconv(s, cd, in, n, strcmp(name, "UTF-7") == 0);
    if (owned)
        iconv_close(cd);
    return 0;
}

static int is_7bit(const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] >= 0x80)
            return 0;
    return 1;
}

/* 7-bit text that designates JIS X 0208 is ISO-2022-JP. */
static int looks_iso2022jp(const char *in, size_t n)
{
    return memmem(in, n, "\x1b$B", 3) != NULL || memmem(in, n, "\x1b$@", 3) != NULL;
}

/* Text whose label is unknown (ascii_label = 0) or us-ascii. */
static void decode_guess(struct sink *s, const char *in, size_t n, int ascii_label)
{
    if (is_7bit(in, n)) {
        if (looks_iso2022jp(in, n) && decode_named(s, "ISO-2022-JP-3", in, n) == 0) {
            s->flags |= CHARSET_GUESSED;
            return;
        }
        if (!ascii_label)
            s->flags |= CHARSET_GUESSED;
        sink_utf8(s, in, n);   /* drops NULs */
        return;
    }
    s->flags |= CHARSET_GUESSED;
    if (utf8_valid(in, n))
        sink_utf8(s, in, n);
    else
        decode_1252(s, in, n);
}

unsigned charset_to_utf8(const char *label, const char *in, size_t n, size_t cap,
                         struct buf *out)
{
    struct sink s = {out, cap, 0};
    const struct alias *a = lookup(label);
    if (n == 0)
        return 0;
    if (a == NULL)
        decode_guess(&s, in, n, 0);
    else if (a->kind == CS_UTF8)
        sink_utf8(&s, in, n);
    else if (a->kind == CS_ASCII)
        decode_guess(&s, in, n, 1);
    else if (a->kind == CS_1252)
        decode_1252(&s, in, n);
    else if (decode_named(&s, a->iconv, in, n) != 0)
        decode_guess(&s, in, n, 0);
    return s.flags;
}

unsigned charset_sanitize_utf8(const char *in, size_t n, size_t cap, struct buf *out)
{
    struct sink s = {out, cap, 0};
    sink_utf8(&s, in, n);
    return s.flags;
}

int charset_is_known(const char *label)
{
    const struct alias *a = lookup(label);
    int owned;
    if (a == NULL)
        return 0;
    if (a->kind != CS_ICONV)
        return 1;
    iconv_t cd = cd_acquire(a->iconv, &owned);
    if (cd == (iconv_t)-1)
        return 0;
    if (owned)
        iconv_close(cd);
    return 1;
}
