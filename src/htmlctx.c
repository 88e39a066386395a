/* htmlctx.c — see htmlctx.h.
 *
 * The tokenizer follows the WHATWG states that can move a substitution
 * to another context: tags, attributes, comments, raw text (<script>,
 * <style>, …) and escapable raw text (<title>, <textarea>). Transitions
 * are a table of rules; the actions a rule carries keep just enough of
 * the tag and attribute names to tell raw-text elements and URL, event,
 * style and srcset attributes apart.
 */
#include "htmlctx.h"

#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- states, elements, attributes, rules ----------------------------- */

enum hs {
    HS_DATA, HS_RCDATA, HS_RAWTEXT, HS_TAG_OPEN, HS_END_TAG_OPEN, HS_TAG_NAME,
    HS_BEFORE_ATTR_NAME, HS_ATTR_NAME, HS_AFTER_ATTR_NAME, HS_BEFORE_ATTR_VALUE,
    HS_ATTR_DQ, HS_ATTR_SQ, HS_ATTR_UNQ, HS_AFTER_ATTR_VALUE, HS_SELF_CLOSING,
    HS_MARKUP_DECL, HS_MARKUP_DASH, HS_BOGUS_COMMENT, HS_COMMENT_START,
    HS_COMMENT_START_DASH, HS_COMMENT, HS_COMMENT_END_DASH, HS_COMMENT_END,
    HS_COMMENT_END_BANG, HS__MAX
};

enum raw {
    RAW_NONE, RAW_SCRIPT, RAW_STYLE, RAW_XMP, RAW_IFRAME, RAW_NOEMBED,
    RAW_NOFRAMES, RAW_NOSCRIPT, RAW_PLAINTEXT, RAW_TITLE, RAW_TEXTAREA, RAW__MAX
};

/* Elements whose content is not markup; err NULL where {{x}} is allowed. */
static const struct {
    const char *tag;
    unsigned char rcdata, endless;
    const char *err;
} raw_tags[RAW__MAX] = {
    [RAW_NONE] = {"", 0, 0, NULL},
    [RAW_SCRIPT] = {"script", 0, 0, "substitution inside <script>"},
    [RAW_STYLE] = {"style", 0, 0, "substitution inside <style>"},
    [RAW_XMP] = {"xmp", 0, 0, "substitution inside <xmp>"},
    [RAW_IFRAME] = {"iframe", 0, 0, "substitution inside <iframe>"},
    [RAW_NOEMBED] = {"noembed", 0, 0, "substitution inside <noembed>"},
    [RAW_NOFRAMES] = {"noframes", 0, 0, "substitution inside <noframes>"},
    [RAW_NOSCRIPT] = {"noscript", 0, 0, "substitution inside <noscript>"},
    [RAW_PLAINTEXT] = {"plaintext", 0, 1, "substitution inside <plaintext>"},
    [RAW_TITLE] = {"title", 1, 0, NULL},
    [RAW_TEXTAREA] = {"textarea", 1, 0, NULL},
};

enum attr_kind {
    ATTR_PLAIN, ATTR_URL, ATTR_EVENT, ATTR_STYLE, ATTR_SRCSET, ATTR_SRCDOC, ATTR__MAX
};

static const char *const attr_err[ATTR__MAX] = {
    [ATTR_EVENT] = "substitution in event handler attribute",
    [ATTR_STYLE] = "substitution in style attribute",
    [ATTR_SRCSET] = "substitution in srcset attribute",
    [ATTR_SRCDOC] = "substitution in srcdoc attribute",
};

/* Attributes that are not plain text; any on* is ATTR_EVENT. */
static const struct {
    const char *name;
    unsigned char kind;
} attr_names[] = {
    {"href", ATTR_URL}, {"src", ATTR_URL}, {"action", ATTR_URL},
    {"formaction", ATTR_URL}, {"poster", ATTR_URL}, {"cite", ATTR_URL},
    {"data", ATTR_URL}, {"background", ATTR_URL}, {"xlink:href", ATTR_URL},
    {"longdesc", ATTR_URL}, {"manifest", ATTR_URL}, {"icon", ATTR_URL},
    {"codebase", ATTR_URL}, {"usemap", ATTR_URL}, {"ping", ATTR_URL},
    {"style", ATTR_STYLE}, {"srcset", ATTR_SRCSET}, {"imagesrcset", ATTR_SRCSET},
    {"srcdoc", ATTR_SRCDOC},
};

#define E_TAG "substitution in tag name"
#define E_ATTR "substitution in attribute name"
#define E_UNQ "substitution in unquoted attribute value"
#define E_CMT "substitution inside HTML comment"

/* Why a substitution cannot stand in a state; NULL where it can. */
static const char *const state_err[HS__MAX] = {
    [HS_TAG_OPEN] = E_TAG, [HS_END_TAG_OPEN] = E_TAG, [HS_TAG_NAME] = E_TAG,
    [HS_BEFORE_ATTR_NAME] = E_ATTR, [HS_ATTR_NAME] = E_ATTR,
    [HS_AFTER_ATTR_NAME] = E_ATTR, [HS_AFTER_ATTR_VALUE] = E_ATTR,
    [HS_SELF_CLOSING] = E_ATTR, [HS_BEFORE_ATTR_VALUE] = E_UNQ, [HS_ATTR_UNQ] = E_UNQ,
    [HS_MARKUP_DECL] = E_CMT, [HS_MARKUP_DASH] = E_CMT, [HS_BOGUS_COMMENT] = E_CMT,
    [HS_COMMENT_START] = E_CMT, [HS_COMMENT_START_DASH] = E_CMT, [HS_COMMENT] = E_CMT,
    [HS_COMMENT_END_DASH] = E_CMT, [HS_COMMENT_END] = E_CMT, [HS_COMMENT_END_BANG] = E_CMT,
};

/* The enum htmlctx_escape for a substitution in state s, or -1 with *err. */
static int sub_ctx(const struct htmlctx_state *s, const char **err)
{
    int quoted = s->st == HS_ATTR_DQ || s->st == HS_ATTR_SQ;
    *err = s->st == HS_RAWTEXT ? raw_tags[s->raw].err
         : s->st == HS_RCDATA && s->n > 0 ? "substitution inside an end tag"
         : quoted ? attr_err[s->attr] : state_err[s->st];
    if (*err != NULL)
        return -1;
    if (quoted)
        return s->attr == ATTR_URL && s->url ? HTMLCTX_URL : HTMLCTX_ATTR;
    return s->st == HS_RCDATA ? HTMLCTX_RCDATA : HTMLCTX_TEXT;
}

#define WS " \t\n\f\r"
#define ALPHA "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

enum {  /* rule actions, in the order they are applied */
    A_AGAIN = 1,    /* reconsume the character in the next state */
    A_CLEAR = 2,    /* forget the attribute name and kind */
    A_END = 4,      /* the tag is an end tag */
    A_PUSH = 8,     /* append the character to the name */
    A_TAG = 16,     /* the tag name is complete */
    A_EQ = 32,      /* the attribute name is complete: classify it */
    A_VALUE = 64,   /* a quoted value starts */
    A_SETTLE = 128, /* literal ':', '/', '?' or '#': a URL's scheme is settled */
};

/* Transitions outside raw text: in state st, a character of on (NULL:
 * any; never NUL) leads to next after the actions. First match wins;
 * every state ends with a NULL rule. Entering HS_DATA after a start tag of
 * a raw-text element enters its raw text instead. */
static const struct rule {
    unsigned char st;
    const char *on;
    unsigned char next, act;
} rules[] = {
    {HS_DATA, "<", HS_TAG_OPEN, 0},
    {HS_DATA, NULL, HS_DATA, 0},
    {HS_TAG_OPEN, ALPHA, HS_TAG_NAME, A_PUSH},
    {HS_TAG_OPEN, "!", HS_MARKUP_DECL, 0},
    {HS_TAG_OPEN, "/", HS_END_TAG_OPEN, 0},
    {HS_TAG_OPEN, "?", HS_BOGUS_COMMENT, A_AGAIN},
    {HS_TAG_OPEN, NULL, HS_DATA, A_AGAIN},
    {HS_END_TAG_OPEN, ALPHA, HS_TAG_NAME, A_END | A_PUSH},
    {HS_END_TAG_OPEN, ">", HS_DATA, 0},
    {HS_END_TAG_OPEN, NULL, HS_BOGUS_COMMENT, A_AGAIN},
    {HS_TAG_NAME, WS "/>", HS_BEFORE_ATTR_NAME, A_TAG | A_AGAIN},
    {HS_TAG_NAME, NULL, HS_TAG_NAME, A_PUSH},
    {HS_BEFORE_ATTR_NAME, WS, HS_BEFORE_ATTR_NAME, 0},
    {HS_BEFORE_ATTR_NAME, "/>", HS_AFTER_ATTR_NAME, A_AGAIN},
    {HS_BEFORE_ATTR_NAME, "=", HS_ATTR_NAME, A_CLEAR | A_PUSH},
    {HS_BEFORE_ATTR_NAME, NULL, HS_ATTR_NAME, A_CLEAR | A_AGAIN},
    {HS_ATTR_NAME, WS "/>", HS_AFTER_ATTR_NAME, A_AGAIN},
    {HS_ATTR_NAME, "=", HS_BEFORE_ATTR_VALUE, A_EQ},
    {HS_ATTR_NAME, NULL, HS_ATTR_NAME, A_PUSH},
    {HS_AFTER_ATTR_NAME, WS, HS_AFTER_ATTR_NAME, 0},
    {HS_AFTER_ATTR_NAME, "/", HS_SELF_CLOSING, A_CLEAR},
    {HS_AFTER_ATTR_NAME, "=", HS_BEFORE_ATTR_VALUE, A_EQ},
    {HS_AFTER_ATTR_NAME, ">", HS_DATA, 0},
    {HS_AFTER_ATTR_NAME, NULL, HS_ATTR_NAME, A_CLEAR | A_AGAIN},
    {HS_BEFORE_ATTR_VALUE, WS, HS_BEFORE_ATTR_VALUE, 0},
    {HS_BEFORE_ATTR_VALUE, "\"", HS_ATTR_DQ, A_VALUE},
    {HS_BEFORE_ATTR_VALUE, "'", HS_ATTR_SQ, A_VALUE},
    {HS_BEFORE_ATTR_VALUE, ">", HS_DATA, 0},
    {HS_BEFORE_ATTR_VALUE, NULL, HS_ATTR_UNQ, A_AGAIN},
    {HS_ATTR_DQ, "\"", HS_AFTER_ATTR_VALUE, A_CLEAR},
    {HS_ATTR_DQ, ":/?#", HS_ATTR_DQ, A_SETTLE},
    {HS_ATTR_DQ, NULL, HS_ATTR_DQ, 0},
    {HS_ATTR_SQ, "'", HS_AFTER_ATTR_VALUE, A_CLEAR},
    {HS_ATTR_SQ, ":/?#", HS_ATTR_SQ, A_SETTLE},
    {HS_ATTR_SQ, NULL, HS_ATTR_SQ, 0},
    {HS_ATTR_UNQ, WS, HS_BEFORE_ATTR_NAME, A_CLEAR},
    {HS_ATTR_UNQ, ">", HS_DATA, 0},
    {HS_ATTR_UNQ, NULL, HS_ATTR_UNQ, 0},
    {HS_AFTER_ATTR_VALUE, WS, HS_BEFORE_ATTR_NAME, 0},
    {HS_AFTER_ATTR_VALUE, "/", HS_SELF_CLOSING, 0},
    {HS_AFTER_ATTR_VALUE, ">", HS_DATA, 0},
    {HS_AFTER_ATTR_VALUE, NULL, HS_BEFORE_ATTR_NAME, A_AGAIN},
    {HS_SELF_CLOSING, ">", HS_DATA, 0},
    {HS_SELF_CLOSING, NULL, HS_BEFORE_ATTR_NAME, A_AGAIN},
    {HS_MARKUP_DECL, "-", HS_MARKUP_DASH, 0},
    {HS_MARKUP_DECL, NULL, HS_BOGUS_COMMENT, A_AGAIN},
    {HS_MARKUP_DASH, "-", HS_COMMENT_START, 0},
    {HS_MARKUP_DASH, NULL, HS_BOGUS_COMMENT, A_AGAIN},
    {HS_BOGUS_COMMENT, ">", HS_DATA, 0},
    {HS_BOGUS_COMMENT, NULL, HS_BOGUS_COMMENT, 0},
    {HS_COMMENT_START, "-", HS_COMMENT_START_DASH, 0},
    {HS_COMMENT_START, ">", HS_DATA, 0},
    {HS_COMMENT_START, NULL, HS_COMMENT, A_AGAIN},
    {HS_COMMENT_START_DASH, "-", HS_COMMENT_END, 0},
    {HS_COMMENT_START_DASH, ">", HS_DATA, 0},
    {HS_COMMENT_START_DASH, NULL, HS_COMMENT, A_AGAIN},
    {HS_COMMENT, "-", HS_COMMENT_END_DASH, 0},
    {HS_COMMENT, NULL, HS_COMMENT, 0},
    {HS_COMMENT_END_DASH, "-", HS_COMMENT_END, 0},
    {HS_COMMENT_END_DASH, NULL, HS_COMMENT, A_AGAIN},
    {HS_COMMENT_END, ">", HS_DATA, 0},
    {HS_COMMENT_END, "!", HS_COMMENT_END_BANG, 0},
    {HS_COMMENT_END, "-", HS_COMMENT_END, 0},
    {HS_COMMENT_END, NULL, HS_COMMENT, A_AGAIN},
    {HS_COMMENT_END_BANG, "-", HS_COMMENT_END_DASH, 0},
    {HS_COMMENT_END_BANG, ">", HS_DATA, 0},
    {HS_COMMENT_END_BANG, NULL, HS_COMMENT, A_AGAIN},
};

/* ---- one state ------------------------------------------------------- */

static void name_clear(struct htmlctx_state *s)
{
    s->n = s->ovf = 0;
    memset(s->name, 0, sizeof(s->name));
}

static int name_is(const struct htmlctx_state *s, const char *w)
{
    return !s->ovf && strcmp(s->name, w) == 0;
}

static void hs_reset(struct htmlctx_state *s, enum hs st)
{
    memset(s, 0, sizeof(*s));
    s->st = (unsigned char)st;
}

static int hs_step(struct htmlctx_state *s, unsigned char c);

static void apply(struct htmlctx_state *s, unsigned act, unsigned char c)
{
    if (act & A_CLEAR) {
        name_clear(s);
        s->attr = s->url = 0;
    }
    if (act & A_END)
        s->end = 1;
    if ((act & A_PUSH) && s->n < HTMLCTX_NAME_MAX - 1)
        s->name[s->n++] = (char)htmlctx_lower(c);
    else if (act & A_PUSH)
        s->ovf = 1;
    for (unsigned r = RAW_NONE + 1; (act & A_TAG) && !s->end && r < RAW__MAX; r++)
        if (name_is(s, raw_tags[r].tag))
            s->raw = (unsigned char)r;
    if (act & A_TAG) {
        s->end = 0;
        name_clear(s);
    }
    if (act & A_EQ)
        s->attr = s->name[0] == 'o' && s->name[1] == 'n' ? ATTR_EVENT : ATTR_PLAIN;
    for (size_t i = 0; (act & A_EQ) && i < NELEM(attr_names); i++)
        if (name_is(s, attr_names[i].name))
            s->attr = attr_names[i].kind;
    if (act & A_VALUE)
        s->url = s->attr == ATTR_URL;
    if (act & A_SETTLE)
        s->url = 0;
}

/* In raw text only "</tag" + space, '/' or '>' leaves (n counts "</tag"
 * matched so far). "<!--" in a script would enter the script-escape
 * states, which this tokenizer does not follow: refused with 0. */
static int step_raw(struct htmlctx_state *s, unsigned char c)
{
    const char *tag = raw_tags[s->raw].tag;
    size_t tlen = strlen(tag);
    if (s->raw == RAW_SCRIPT) {
        s->aux = c == (unsigned char)"<!--"[s->aux] ? s->aux + 1 : c == '<';
        if (s->aux == 4)
            return 0;
    }
    if (raw_tags[s->raw].endless)
        return 1;
    if (s->n == tlen + 2 && (htmlctx_is_space(c) || c == '/' || c == '>')) {
        hs_reset(s, HS_BEFORE_ATTR_NAME);
        return hs_step(s, c);
    }
    if (s->n >= 2 && s->n < tlen + 2 && htmlctx_lower(c) == (unsigned char)tag[s->n - 2])
        s->n++;
    else
        s->n = s->n == 1 && c == '/' ? 2 : c == '<';
    return 1;
}

/* Moves s over c; 1, or 0 if the template cannot be followed. */
static int hs_step(struct htmlctx_state *s, unsigned char c)
{
    const struct rule *r;
    for (;;) {
        if (s->st == HS_RCDATA || s->st == HS_RAWTEXT)
            return step_raw(s, c);
        for (r = rules; r->st != s->st || (r->on != NULL && (c == 0 || !strchr(r->on, c))); r++)
            ;
        s->st = r->next;
        apply(s, r->act, c);
        if (s->st == HS_DATA) {  /* after a tag: text, or raw text */
            unsigned char raw = s->raw;
            hs_reset(s, raw == RAW_NONE ? HS_DATA : raw_tags[raw].rcdata ? HS_RCDATA : HS_RAWTEXT);
            s->raw = raw;
        }
        if (!(r->act & A_AGAIN))
            return 1;
    }
}

/* ---- sets of states -------------------------------------------------- */

/* Equal but for the url flag. */
static int hs_same(const struct htmlctx_state *a, const struct htmlctx_state *b)
{
    struct htmlctx_state x = *a, y = *b;
    x.url = y.url = 0;
    return memcmp(&x, &y, sizeof(x)) == 0;
}

/* Adds s to set, merging url flags ("may still be at the scheme" wins).
 * 0, or -1 if the set is full. */
static int state_add(struct htmlctx *set, const struct htmlctx_state *s)
{
    for (unsigned i = 0; i < set->n; i++)
        if (hs_same(&set->s[i], s))
            return set->s[i].url |= s->url, 0;
    if (set->n == HTMLCTX_STATES)
        return -1;
    set->s[set->n++] = *s;
    return 0;
}

void htmlctx_init(struct htmlctx *c)
{
    c->n = 1;
    hs_reset(&c->s[0], HS_DATA);
}

int htmlctx_feed(struct htmlctx *c, const char *s, size_t n, size_t *at_r,
                 const char **error_r)
{
    struct htmlctx in = *c;
    c->n = 0;
    for (unsigned i = 0; i < in.n; i++) {
        for (size_t j = 0; j < n; j++)
            if (!hs_step(&in.s[i], (unsigned char)s[j])) {
                *at_r = j;
                *error_r = "\"<!--\" inside <script> is not supported";
                return -1;
            }
        state_add(c, &in.s[i]);  /* cannot overflow: at most in.n states */
    }
    return 0;
}

int htmlctx_merge(struct htmlctx *c, const struct htmlctx *other)
{
    for (unsigned i = 0; i < other->n; i++)
        if (state_add(c, &other->s[i]) < 0)
            return -1;
    return 0;
}

/* url set ("may still be at the scheme") is the stricter flag. */
int htmlctx_covers(const struct htmlctx *a, const struct htmlctx *b)
{
    for (unsigned i = 0, j; i < b->n; i++) {
        for (j = 0; j < a->n; j++)
            if (hs_same(&a->s[j], &b->s[i]) && a->s[j].url >= b->s[i].url)
                break;
        if (j == a->n)
            return 0;
    }
    return 1;
}

int htmlctx_escape(const struct htmlctx *c, const char **error_r)
{
    int esc = HTMLCTX_TEXT, e;
    for (unsigned i = 0; i < c->n; i++)
        if ((e = sub_ctx(&c->s[i], error_r)) < 0)
            return -1;
        else if (e > esc)
            esc = e;
    return esc;
}

int htmlctx_in_text(const struct htmlctx *c)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->s[i].st != HS_DATA)
            return 0;
    return 1;
}
