/* sanitize_policy.c — what the sanitizer keeps: elements, attributes,
 * URLs (see sanitize_private.h).
 *
 * Elements: typical mail formatting is kept (text and block elements,
 * lists, tables, links, images, image maps). Elements whose content is
 * code, a document of its own, a form control or hidden fallback are
 * dropped with their content; every other element, known or not, is
 * unwrapped: its tag goes, its (filtered) content stays. SVG and MathML
 * are dropped whole by the caller, whatever their tag.
 *
 * Attributes: a global set plus a per-element set; everything else,
 * every on* handler included, is dropped. Each attribute has a kind
 * saying how its value is checked.
 */
#include "sanitize_private.h"

#include <string.h>
#include <strings.h>

enum attr {
    A_ABBR, A_ALIGN, A_ALINK, A_ALT, A_AXIS, A_BACKGROUND, A_BGCOLOR, A_BORDER,
    A_BORDERCOLOR, A_CELLPADDING, A_CELLSPACING, A_CITE, A_CLASS, A_CLEAR, A_COLOR,
    A_COLSPAN, A_COMPACT, A_COORDS, A_DATETIME, A_DIR, A_FACE, A_FRAME, A_HEADERS,
    A_HEIGHT, A_HIDDEN, A_HREF, A_HSPACE, A_ID, A_LANG, A_LINK, A_NAME, A_NOSHADE,
    A_NOWRAP, A_OPEN, A_REVERSED, A_ROWSPAN, A_RULES, A_SCOPE, A_SHAPE, A_SIZE,
    A_SPAN, A_SRC, A_SRCSET, A_START, A_STYLE, A_SUMMARY, A_TEXT, A_TITLE, A_TYPE,
    A_USEMAP, A_VALIGN, A_VALUE, A_VLINK, A_VSPACE, A_WIDTH,
    A__MAX
};

/* How an attribute's value is checked. */
enum attr_kind {
    K_TEXT,      /* any text, escaped */
    K_ID,        /* id/name: not our own body id */
    K_LINK,      /* URL followed on click */
    K_IMAGE,     /* URL fetched to display */
    K_SRCSET,    /* always dropped: a list of fetches we do not parse */
    K_FRAGMENT,  /* "#name" only (usemap) */
    K_STYLE,     /* CSS declarations, filtered */
};

static const struct {
    const char *name;
    unsigned char kind;
} attrs[A__MAX] = {
    [A_ABBR] = {"abbr", K_TEXT}, [A_ALIGN] = {"align", K_TEXT},
    [A_ALINK] = {"alink", K_TEXT}, [A_ALT] = {"alt", K_TEXT},
    [A_AXIS] = {"axis", K_TEXT}, [A_BACKGROUND] = {"background", K_IMAGE},
    [A_BGCOLOR] = {"bgcolor", K_TEXT}, [A_BORDER] = {"border", K_TEXT},
    [A_BORDERCOLOR] = {"bordercolor", K_TEXT}, [A_CELLPADDING] = {"cellpadding", K_TEXT},
    [A_CELLSPACING] = {"cellspacing", K_TEXT}, [A_CITE] = {"cite", K_LINK},
    [A_CLASS] = {"class", K_TEXT}, [A_CLEAR] = {"clear", K_TEXT},
    [A_COLOR] = {"color", K_TEXT}, [A_COLSPAN] = {"colspan", K_TEXT},
    [A_COMPACT] = {"compact", K_TEXT}, [A_COORDS] = {"coords", K_TEXT},
    [A_DATETIME] = {"datetime", K_TEXT}, [A_DIR] = {"dir", K_TEXT},
    [A_FACE] = {"face", K_TEXT}, [A_FRAME] = {"frame", K_TEXT},
    [A_HEADERS] = {"headers", K_TEXT}, [A_HEIGHT] = {"height", K_TEXT},
    [A_HIDDEN] = {"hidden", K_TEXT}, [A_HREF] = {"href", K_LINK},
    [A_HSPACE] = {"hspace", K_TEXT}, [A_ID] = {"id", K_ID},
    [A_LANG] = {"lang", K_TEXT}, [A_LINK] = {"link", K_TEXT},
    [A_NAME] = {"name", K_ID}, [A_NOSHADE] = {"noshade", K_TEXT},
    [A_NOWRAP] = {"nowrap", K_TEXT}, [A_OPEN] = {"open", K_TEXT},
    [A_REVERSED] = {"reversed", K_TEXT}, [A_ROWSPAN] = {"rowspan", K_TEXT},
    [A_RULES] = {"rules", K_TEXT}, [A_SCOPE] = {"scope", K_TEXT},
    [A_SHAPE] = {"shape", K_TEXT}, [A_SIZE] = {"size", K_TEXT},
    [A_SPAN] = {"span", K_TEXT}, [A_SRC] = {"src", K_IMAGE},
    [A_SRCSET] = {"srcset", K_SRCSET}, [A_START] = {"start", K_TEXT},
    [A_STYLE] = {"style", K_STYLE}, [A_SUMMARY] = {"summary", K_TEXT},
    [A_TEXT] = {"text", K_TEXT}, [A_TITLE] = {"title", K_TEXT},
    [A_TYPE] = {"type", K_TEXT}, [A_USEMAP] = {"usemap", K_FRAGMENT},
    [A_VALIGN] = {"valign", K_TEXT}, [A_VALUE] = {"value", K_TEXT},
    [A_VLINK] = {"vlink", K_TEXT}, [A_VSPACE] = {"vspace", K_TEXT},
    [A_WIDTH] = {"width", K_TEXT},
};

#define M(a) (1ull << (a))
#define GLOBAL_ATTRS (M(A_CLASS) | M(A_DIR) | M(A_ID) | M(A_LANG) | M(A_TITLE) | \
                      M(A_STYLE) | M(A_ALIGN) | M(A_VALIGN) | M(A_WIDTH) |        \
                      M(A_HEIGHT) | M(A_BGCOLOR) | M(A_HIDDEN))
#define CELL_ATTRS (M(A_COLSPAN) | M(A_ROWSPAN) | M(A_NOWRAP) | M(A_BACKGROUND) | \
                    M(A_ABBR) | M(A_SCOPE) | M(A_HEADERS) | M(A_AXIS) | M(A_BORDERCOLOR))
#define KEEP(x) {SAN_KEEP, 0, (x)}
#define VOID(x) {SAN_KEEP, 1, (x)}
#define DROP {SAN_DROP, 0, 0}

static const struct san_elem elems[GUMBO_TAG_LAST + 1] = {
    /* text and blocks */
    [GUMBO_TAG_P] = KEEP(0), [GUMBO_TAG_DIV] = KEEP(0), [GUMBO_TAG_SPAN] = KEEP(0),
    [GUMBO_TAG_BR] = VOID(M(A_CLEAR)), [GUMBO_TAG_WBR] = VOID(0),
    [GUMBO_TAG_HR] = VOID(M(A_SIZE) | M(A_NOSHADE) | M(A_COLOR)),
    [GUMBO_TAG_H1] = KEEP(0), [GUMBO_TAG_H2] = KEEP(0), [GUMBO_TAG_H3] = KEEP(0),
    [GUMBO_TAG_H4] = KEEP(0), [GUMBO_TAG_H5] = KEEP(0), [GUMBO_TAG_H6] = KEEP(0),
    [GUMBO_TAG_B] = KEEP(0), [GUMBO_TAG_I] = KEEP(0), [GUMBO_TAG_U] = KEEP(0),
    [GUMBO_TAG_S] = KEEP(0), [GUMBO_TAG_STRIKE] = KEEP(0), [GUMBO_TAG_STRONG] = KEEP(0),
    [GUMBO_TAG_EM] = KEEP(0), [GUMBO_TAG_SMALL] = KEEP(0), [GUMBO_TAG_BIG] = KEEP(0),
    [GUMBO_TAG_SUB] = KEEP(0), [GUMBO_TAG_SUP] = KEEP(0), [GUMBO_TAG_TT] = KEEP(0),
    [GUMBO_TAG_FONT] = KEEP(M(A_COLOR) | M(A_FACE) | M(A_SIZE)),
    [GUMBO_TAG_CENTER] = KEEP(0), [GUMBO_TAG_NOBR] = KEEP(0), [GUMBO_TAG_MARK] = KEEP(0),
    [GUMBO_TAG_BLOCKQUOTE] = KEEP(M(A_CITE)), [GUMBO_TAG_Q] = KEEP(M(A_CITE)),
    [GUMBO_TAG_DEL] = KEEP(M(A_CITE) | M(A_DATETIME)),
    [GUMBO_TAG_INS] = KEEP(M(A_CITE) | M(A_DATETIME)),
    [GUMBO_TAG_PRE] = KEEP(0), [GUMBO_TAG_CODE] = KEEP(0), [GUMBO_TAG_KBD] = KEEP(0),
    [GUMBO_TAG_SAMP] = KEEP(0), [GUMBO_TAG_VAR] = KEEP(0), [GUMBO_TAG_ABBR] = KEEP(0),
    [GUMBO_TAG_ACRONYM] = KEEP(0), [GUMBO_TAG_DFN] = KEEP(0), [GUMBO_TAG_CITE] = KEEP(0),
    [GUMBO_TAG_ADDRESS] = KEEP(0), [GUMBO_TAG_TIME] = KEEP(M(A_DATETIME)),
    [GUMBO_TAG_BDI] = KEEP(0), [GUMBO_TAG_BDO] = KEEP(0), [GUMBO_TAG_RUBY] = KEEP(0),
    [GUMBO_TAG_RB] = KEEP(0), [GUMBO_TAG_RT] = KEEP(0), [GUMBO_TAG_RTC] = KEEP(0),
    [GUMBO_TAG_RP] = KEEP(0), [GUMBO_TAG_ARTICLE] = KEEP(0), [GUMBO_TAG_SECTION] = KEEP(0),
    [GUMBO_TAG_HEADER] = KEEP(0), [GUMBO_TAG_FOOTER] = KEEP(0), [GUMBO_TAG_MAIN] = KEEP(0),
    [GUMBO_TAG_NAV] = KEEP(0), [GUMBO_TAG_ASIDE] = KEEP(0), [GUMBO_TAG_HGROUP] = KEEP(0),
    [GUMBO_TAG_FIGURE] = KEEP(0), [GUMBO_TAG_FIGCAPTION] = KEEP(0),
    [GUMBO_TAG_DETAILS] = KEEP(M(A_OPEN)), [GUMBO_TAG_SUMMARY] = KEEP(0),
    /* lists */
    [GUMBO_TAG_UL] = KEEP(M(A_TYPE) | M(A_COMPACT)),
    [GUMBO_TAG_OL] = KEEP(M(A_START) | M(A_TYPE) | M(A_REVERSED) | M(A_COMPACT)),
    [GUMBO_TAG_LI] = KEEP(M(A_VALUE) | M(A_TYPE)), [GUMBO_TAG_DL] = KEEP(M(A_COMPACT)),
    [GUMBO_TAG_DT] = KEEP(0), [GUMBO_TAG_DD] = KEEP(0),
    [GUMBO_TAG_DIR] = KEEP(M(A_COMPACT)), [GUMBO_TAG_MENU] = KEEP(M(A_COMPACT)),
    /* tables */
    [GUMBO_TAG_TABLE] = KEEP(M(A_BORDER) | M(A_CELLPADDING) | M(A_CELLSPACING) | M(A_FRAME) |
                             M(A_RULES) | M(A_SUMMARY) | M(A_BACKGROUND) | M(A_BORDERCOLOR)),
    [GUMBO_TAG_CAPTION] = KEEP(0), [GUMBO_TAG_COLGROUP] = KEEP(M(A_SPAN)),
    [GUMBO_TAG_COL] = VOID(M(A_SPAN)), [GUMBO_TAG_THEAD] = KEEP(M(A_BACKGROUND)),
    [GUMBO_TAG_TBODY] = KEEP(M(A_BACKGROUND)), [GUMBO_TAG_TFOOT] = KEEP(M(A_BACKGROUND)),
    [GUMBO_TAG_TR] = KEEP(M(A_BACKGROUND)), [GUMBO_TAG_TD] = KEEP(CELL_ATTRS),
    [GUMBO_TAG_TH] = KEEP(CELL_ATTRS),
    /* links and images */
    [GUMBO_TAG_A] = KEEP(M(A_HREF) | M(A_NAME)),
    [GUMBO_TAG_IMG] = VOID(M(A_SRC) | M(A_SRCSET) | M(A_ALT) | M(A_BORDER) | M(A_HSPACE) |
                           M(A_VSPACE) | M(A_USEMAP)),
    [GUMBO_TAG_MAP] = KEEP(M(A_NAME)),
    [GUMBO_TAG_AREA] = VOID(M(A_HREF) | M(A_ALT) | M(A_SHAPE) | M(A_COORDS)),
    /* the document: <body>'s attributes go on postern's own <body> */
    [GUMBO_TAG_BODY] = {SAN_UNWRAP, 0, M(A_BACKGROUND) | M(A_TEXT) | M(A_LINK) |
                                           M(A_VLINK) | M(A_ALINK)},
    [GUMBO_TAG_STYLE] = {SAN_STYLE, 0, 0},
    [GUMBO_TAG_LINK] = {SAN_LINK, 1, 0},
    /* code, other documents, metadata, form controls, hidden fallback */
    [GUMBO_TAG_SCRIPT] = DROP, [GUMBO_TAG_NOSCRIPT] = DROP, [GUMBO_TAG_TEMPLATE] = DROP,
    [GUMBO_TAG_IFRAME] = DROP, [GUMBO_TAG_FRAME] = DROP, [GUMBO_TAG_FRAMESET] = DROP,
    [GUMBO_TAG_NOFRAMES] = DROP, [GUMBO_TAG_NOEMBED] = DROP, [GUMBO_TAG_OBJECT] = DROP,
    [GUMBO_TAG_EMBED] = DROP, [GUMBO_TAG_APPLET] = DROP, [GUMBO_TAG_PARAM] = DROP,
    [GUMBO_TAG_HEAD] = DROP, [GUMBO_TAG_TITLE] = DROP, [GUMBO_TAG_META] = DROP,
    [GUMBO_TAG_BASE] = DROP, [GUMBO_TAG_BASEFONT] = DROP, [GUMBO_TAG_BGSOUND] = DROP,
    [GUMBO_TAG_INPUT] = DROP, [GUMBO_TAG_TEXTAREA] = DROP, [GUMBO_TAG_SELECT] = DROP,
    [GUMBO_TAG_OPTION] = DROP, [GUMBO_TAG_OPTGROUP] = DROP, [GUMBO_TAG_DATALIST] = DROP,
    [GUMBO_TAG_KEYGEN] = DROP, [GUMBO_TAG_ISINDEX] = DROP, [GUMBO_TAG_MENUITEM] = DROP,
    [GUMBO_TAG_SOURCE] = DROP, [GUMBO_TAG_TRACK] = DROP, [GUMBO_TAG_SVG] = DROP,
    [GUMBO_TAG_MATH] = DROP,
    /* everything else (form, label, button, audio, video, canvas, marquee,
     * xmp, plaintext, unknown tags …) is unwrapped: SAN_UNWRAP is 0 */
};

const struct san_elem *san_elem(GumboTag tag)
{
    return &elems[(unsigned)tag <= GUMBO_TAG_LAST ? tag : GUMBO_TAG_UNKNOWN];
}

/* ---- values -------------------------------------------------------------- */

int san_has_bad_scheme(const char *v, size_t n)
{
    static const char *const bad[] = {"javascript:", "vbscript:", "livescript:", "data:"};
    /* each pattern's first letter occurs in it only once, so a mismatch
     * can restart the match at that letter */
    size_t m[sizeof(bad) / sizeof(bad[0])] = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= ' ' || c == 0x7f)
            continue;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            m[k] = c == (unsigned char)bad[k][m[k]] ? m[k] + 1 : c == (unsigned char)bad[k][0];
            if (bad[k][m[k]] == '\0')
                return 1;
        }
    }
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes the %XX escapes of s[0..n) into d (size dn); returns the length,
 * or (size_t)-1 if it does not fit. */
static size_t percent_decode(const char *s, size_t n, char *d, size_t dn)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int h1, h2;
        if (k == dn)
            return (size_t)-1;
        if (s[i] == '%' && i + 2 < n && (h1 = hex_value(s[i + 1])) >= 0 &&
            (h2 = hex_value(s[i + 2])) >= 0) {
            d[k++] = (char)(h1 << 4 | h2);
            i += 2;
        } else {
            d[k++] = s[i];
        }
    }
    return k;
}

/* 1 if u is "data:image/T;base64,B64" with T a raster type browsers
 * render without scripts (png, jpeg, gif, webp) and B64 only base64. */
static int inline_image_ok(const char *u)
{
    static const char *const types[] = {"png", "jpeg", "gif", "webp"};
    if (strncmp(u, "data:image/", 11) != 0)
        return 0;
    u += 11;
    size_t t;
    for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
        if (strncmp(u, types[t], strlen(types[t])) == 0 &&
            strncmp(u + strlen(types[t]), ";base64,", 8) == 0)
            break;
    if (t == sizeof(types) / sizeof(types[0]))
        return 0;
    for (u += strlen(types[t]) + 8; *u; u++)
        if (!((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
              *u == '+' || *u == '/' || *u == '='))
            return 0;
    return 1;
}

/* 1 if u is a URL postern may point at for a cid: part: a path on its
 * own site ("/…", not "//…" or "/\\…"), without control characters, or
 * the part itself inlined as a raster image (inline_image_ok). */
static int own_url_ok(const char *u)
{
    if (strncmp(u, "data:", 5) == 0)
        return inline_image_ok(u);
    for (const char *c = u; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return 0;
    return u[0] == '/' && u[1] != '/' && u[1] != '\\';
}

static int put_cid(struct san *s, struct buf *b, const char *id, size_t n)
{
    char dec[1024];
    size_t dn = percent_decode(id, n, dec, sizeof(dec));
    if (s->o->cid_url == NULL || dn == (size_t)-1 || dn == 0)
        return 0;
    const char *u = s->o->cid_url(s->o->cid_ctx, dec, dn);
    if (u == NULL || !own_url_ok(u))
        return 0;
    buf_puts(b, u);
    return 1;
}

/* Length of the scheme of v[0..n) ("http" in "http://…"), or 0. */
static size_t scheme_len(const char *v, size_t n)
{
    size_t k = 0;
    if (n == 0 || !((v[0] | 0x20) >= 'a' && (v[0] | 0x20) <= 'z'))
        return 0;
    while (k < n && (((v[k] | 0x20) >= 'a' && (v[k] | 0x20) <= 'z') ||
                     (v[k] >= '0' && v[k] <= '9') || v[k] == '+' || v[k] == '-' || v[k] == '.'))
        k++;
    return k < n && v[k] == ':' ? k : 0;
}

static int scheme_is(const char *v, size_t k, const char *name)
{
    return strlen(name) == k && strncasecmp(v, name, k) == 0;
}

/* A remote URL: "//…" is taken as https, as the iframe is served over it. */
static int put_web(struct san *s, struct buf *b, const char *v, size_t n,
                   enum san_url_use use)
{
    if (use == SAN_URL_IMAGE && !s->o->allow_remote) {
        san_count(&s->rep->remote_blocked);
        return -1;
    }
    if (v[0] == '/')
        buf_puts(b, "https:");
    buf_append(b, v, n);
    return 1;
}

int san_url(struct san *s, struct buf *b, const char *v, size_t n, enum san_url_use use)
{
    while (n > 0 && (unsigned char)*v <= ' ')
        v++, n--;
    while (n > 0 && (unsigned char)v[n - 1] <= ' ')
        n--;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < ' ' || v[i] == 0x7f)
            return 0;
    if (n == 0)
        return 0;
    if (v[0] == '#') {
        if (use != SAN_URL_LINK)
            return 0;
        buf_append(b, v, n);
        return 1;
    }
    if (n > 2 && v[0] == '/' && v[1] == '/')
        return put_web(s, b, v, n, use);
    size_t k = scheme_len(v, n);
    if ((scheme_is(v, k, "http") || scheme_is(v, k, "https")) && n > k + 3 &&
        v[k + 1] == '/' && v[k + 2] == '/')
        return put_web(s, b, v, n, use);
    if (scheme_is(v, k, "mailto") && use == SAN_URL_LINK) {
        buf_append(b, v, n);
        return 1;
    }
    if (scheme_is(v, k, "cid"))
        return put_cid(s, b, v + k + 1, n - k - 1);
    return 0;
}

/* ---- attributes ---------------------------------------------------------- */

static int attr_lookup(const char *name)
{
    for (int i = 0; i < A__MAX; i++)
        if (attrs[i].name[0] == name[0] && strcmp(attrs[i].name, name) == 0)
            return i;
    return -1;
}

static void put_attr_value(struct buf *b, const char *name, const char *v, size_t n)
{
    buf_putc(b, ' ');
    buf_puts(b, name);
    buf_puts(b, "=\"");
    san_escape(b, v, n);
    buf_putc(b, '"');
}

/* Emits attribute id with value v, checked for its kind; 0 if dropped.
 * *link is set when a followable (non-fragment) link was emitted. */
static int put_attr(struct san *s, struct buf *b, int id, const char *v, int *link)
{
    size_t n = strlen(v);
    struct buf tmp = {0};
    int ok = 0;
    if (attrs[id].kind == K_SRCSET && !s->o->allow_remote && n > 0)
        san_count(&s->rep->remote_blocked);
    if (san_has_bad_scheme(v, n))
        return 0;
    switch ((enum attr_kind)attrs[id].kind) {
    case K_TEXT:
        ok = 1;
        break;
    case K_ID:
        ok = strcasecmp(v, SANITIZE_BODY_ID) != 0;
        break;
    case K_FRAGMENT:
        ok = v[0] == '#';
        break;
    case K_SRCSET:
        return 0;
    case K_LINK:
    case K_IMAGE:
        ok = san_url(s, &tmp, v, n,
                     attrs[id].kind == K_LINK ? SAN_URL_LINK : SAN_URL_IMAGE) == 1;
        if (ok && id == A_HREF && tmp.data[0] != '#')
            *link = 1;
        break;
    case K_STYLE:
        ok = san_css_decls(s, &tmp, v, n) > 0;
        break;
    }
    if (ok && tmp.data != NULL)
        put_attr_value(b, attrs[id].name, tmp.data, tmp.len);
    else if (ok)
        put_attr_value(b, attrs[id].name, v, n);
    buf_free(&tmp);
    return ok;
}

void san_put_attrs(struct san *s, struct buf *b, const GumboElement *e, GumboTag tag)
{
    uint64_t allow = san_elem(tag)->attrs | GLOBAL_ATTRS;
    int link = 0;
    if (tag == GUMBO_TAG_BODY)
        allow &= ~M(A_ID);
    for (unsigned i = 0; i < e->attributes.length; i++) {
        const GumboAttribute *a = e->attributes.data[i];
        int id = a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE ? attr_lookup(a->name) : -1;
        if (id < 0 || !(allow & M(id)) || !put_attr(s, b, id, a->value, &link))
            san_count(&s->rep->attributes_dropped);
    }
    if (link)
        buf_puts(b, " target=\"_blank\" rel=\"noopener noreferrer\"");
}
