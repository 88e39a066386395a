/* sanitize_parse.c — gumbo parse within bounds (see sanitize_private.h).
 *
 * gumbo 0.10.1 is super-linear on hostile input: quadratic in nesting
 * depth and in the attributes of one tag, and the HTML "reconstruct the
 * active formatting elements" step lets 20 KB of input allocate 250 MB.
 * Two layers keep a parse bounded:
 *
 *  1. A pre-scan, linear and allocation-free, estimates the parser's work
 *     from a rough nesting depth and the attribute count of each tag, and
 *     refuses the plain shapes (10 000 nested <div>, a tag with 10 000
 *     attributes) before gumbo sees them. It is a heuristic: the tree
 *     builder's rules (scope, adoption agency, reconstruction) can be
 *     played to nest deeper than it estimates.
 *  2. So every allocation gumbo makes goes through a pool that enforces a
 *     memory budget and, every POOL_CPU_EVERY allocations, a thread CPU
 *     time budget. Over budget, the pool longjmp()s out of gumbo (plain C,
 *     no locks, no global state) and frees every block gumbo still had.
 */
#include "sanitize_private.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PRESCAN_NEST_WORK  20000000ull  /* sum of nesting depth at each tag */
#define PRESCAN_ATTR_WORK  10000000ull  /* sum of (attributes per tag)^2 */
#define POOL_CPU_EVERY     256          /* allocations between CPU checks */

static const char err_too_big[] = "message HTML is too large to display";
static const char err_complex[] = "message HTML is too complex to display";
static const char err_memory[] = "message HTML needs too much memory to display";
static const char err_time[] = "message HTML takes too long to display";
static const char err_oom[] = "out of memory while parsing message HTML";

/* ---- pre-scan ------------------------------------------------------------ */

struct prescan {
    const char *p, *end;
    unsigned long long depth, nest_work, attr_work;
};

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Elements that do not raise the parser's nesting: void elements, those
 * whose end tag is implied by a sibling (p, li, td …) and those a second
 * start tag closes (a, nobr, button, form). */
static int flat_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_FRAME: case GUMBO_TAG_HR:
    case GUMBO_TAG_IMAGE: case GUMBO_TAG_IMG: case GUMBO_TAG_INPUT:
    case GUMBO_TAG_KEYGEN: case GUMBO_TAG_LINK: case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR: case GUMBO_TAG_P: case GUMBO_TAG_LI: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP: case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_RB: case GUMBO_TAG_RT:
    case GUMBO_TAG_RTC: case GUMBO_TAG_RP: case GUMBO_TAG_HTML:
    case GUMBO_TAG_HEAD: case GUMBO_TAG_BODY: case GUMBO_TAG_A:
    case GUMBO_TAG_NOBR: case GUMBO_TAG_BUTTON: case GUMBO_TAG_FORM:
        return 1;
    default:
        return 0;
    }
}

/* Elements whose content the tokenizer reads as text up to their end tag. */
static int raw_tag(GumboTag t)
{
    return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_XMP ||
           t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_NOEMBED || t == GUMBO_TAG_NOFRAMES ||
           t == GUMBO_TAG_TEXTAREA || t == GUMBO_TAG_TITLE;
}

/* Reads a tag name at ps->p; returns its GumboTag (UNKNOWN if long). */
static GumboTag scan_name(struct prescan *ps)
{
    char name[16];
    size_t n = 0;
    while (ps->p < ps->end && !is_space((unsigned char)*ps->p) && *ps->p != '/' &&
           *ps->p != '>') {
        if (n < sizeof(name))
            name[n] = (char)((*ps->p >= 'A' && *ps->p <= 'Z') ? *ps->p + 32 : *ps->p);
        n++;
        ps->p++;
    }
    return n <= sizeof(name) ? gumbo_tagn_enum(name, (unsigned)n) : GUMBO_TAG_UNKNOWN;
}

/* Skips the attributes of a tag up to and past its '>'; returns how many
 * there were, read as the HTML tokenizer reads them. */
static unsigned long long scan_attrs(struct prescan *ps)
{
    unsigned long long n = 0;
    for (;;) {
        while (ps->p < ps->end && (is_space((unsigned char)*ps->p) || *ps->p == '/'))
            ps->p++;
        if (ps->p >= ps->end || *ps->p == '>')
            break;
        n++;
        ps->p++;  /* the first character of a name may be '=' */
        while (ps->p < ps->end && !is_space((unsigned char)*ps->p) && *ps->p != '/' &&
               *ps->p != '>' && *ps->p != '=')
            ps->p++;
        while (ps->p < ps->end && is_space((unsigned char)*ps->p))
            ps->p++;
        if (ps->p >= ps->end || *ps->p != '=')
            continue;
        ps->p++;
        while (ps->p < ps->end && is_space((unsigned char)*ps->p))
            ps->p++;
        if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\'')) {
            const char *q = memchr(ps->p + 1, *ps->p, (size_t)(ps->end - ps->p - 1));
            ps->p = q ? q + 1 : ps->end;
        } else {
            while (ps->p < ps->end && !is_space((unsigned char)*ps->p) && *ps->p != '>')
                ps->p++;
        }
    }
    if (ps->p < ps->end)
        ps->p++;
    return n;
}

/* Moves past the raw text of the element just opened, to its end tag. */
static void skip_raw(struct prescan *ps, GumboTag t)
{
    const char *name = gumbo_normalized_tagname(t);
    size_t n = strlen(name);
    while (ps->p < ps->end) {
        const char *lt = memchr(ps->p, '<', (size_t)(ps->end - ps->p));
        if (lt == NULL || ps->end - lt < (ptrdiff_t)(n + 2)) {
            ps->p = ps->end;
            return;
        }
        ps->p = lt + 1;
        if (lt[1] == '/' && strncasecmp(lt + 2, name, n) == 0)
            return;
    }
}

/* Skips a comment, doctype or other "<!…>" markup at ps->p (after "<!"). */
static void skip_markup(struct prescan *ps)
{
    const char *stop;
    if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] == '-') {
        stop = memmem(ps->p + 2, (size_t)(ps->end - ps->p - 2), "-->", 3);
        ps->p = stop ? stop + 3 : ps->end;
    } else {
        stop = memchr(ps->p, '>', (size_t)(ps->end - ps->p));
        ps->p = stop ? stop + 1 : ps->end;
    }
}

static void scan_tag(struct prescan *ps)
{
    int end = *ps->p == '/';
    ps->p += end;
    GumboTag t = scan_name(ps);
    unsigned long long attrs = scan_attrs(ps);
    ps->nest_work += ps->depth;
    if (end) {
        if (!flat_tag(t) && ps->depth > 0)
            ps->depth--;
        return;
    }
    ps->attr_work += attrs * attrs;
    if (!flat_tag(t))
        ps->depth++;
    if (raw_tag(t))
        skip_raw(ps, t);
    else if (t == GUMBO_TAG_PLAINTEXT)
        ps->p = ps->end;
}

/* 0 if html[0..len) looks cheap enough to parse, else -1. */
static int prescan(const char *html, size_t len)
{
    struct prescan ps = {.p = html, .end = html + len};
    while (ps.p < ps.end) {
        const char *lt = memchr(ps.p, '<', (size_t)(ps.end - ps.p));
        if (lt == NULL || lt + 1 >= ps.end)
            break;
        ps.p = lt + 1;
        if (*ps.p == '!') {
            ps.p++;
            skip_markup(&ps);
        } else if (is_alpha((unsigned char)*ps.p) ||
                   (*ps.p == '/' && ps.p + 1 < ps.end && is_alpha((unsigned char)ps.p[1]))) {
            scan_tag(&ps);
        }
        if (ps.nest_work > PRESCAN_NEST_WORK || ps.attr_work > PRESCAN_ATTR_WORK)
            return -1;
    }
    return 0;
}

/* ---- the pool ------------------------------------------------------------ */

struct san_block {
    struct san_block *prev, *next;
    size_t size;
};

#define BLOCK_HDR ((sizeof(struct san_block) + _Alignof(max_align_t) - 1) & \
                   ~(_Alignof(max_align_t) - 1))

static long long cpu_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static _Noreturn void pool_stop(struct san_pool *p, const char *why)
{
    p->error = why;
    longjmp(p->stop, 1);
}

static void *pool_alloc(void *userdata, size_t n)
{
    struct san_pool *p = userdata;
    if (n > p->max_used - p->used)
        pool_stop(p, err_memory);
    if (++p->allocs % POOL_CPU_EVERY == 0 && cpu_now_ns() > p->cpu_deadline_ns)
        pool_stop(p, err_time);
    struct san_block *b = malloc(BLOCK_HDR + n);
    if (b == NULL)
        pool_stop(p, err_oom);
    b->prev = NULL;
    b->next = p->blocks;
    b->size = n;
    if (p->blocks != NULL)
        p->blocks->prev = b;
    p->blocks = b;
    p->used += n;
    return (char *)b + BLOCK_HDR;
}

static void pool_free(void *userdata, void *ptr)
{
    struct san_pool *p = userdata;
    if (ptr == NULL)
        return;
    struct san_block *b = (struct san_block *)(void *)((char *)ptr - BLOCK_HDR);
    if (b->prev != NULL)
        b->prev->next = b->next;
    else
        p->blocks = b->next;
    if (b->next != NULL)
        b->next->prev = b->prev;
    p->used -= b->size;
    free(b);
}

/* Frees whatever gumbo left allocated. */
static void pool_release(struct san_pool *p)
{
    while (p->blocks != NULL) {
        struct san_block *b = p->blocks;
        p->blocks = b->next;
        free(b);
    }
    p->used = 0;
}

GumboOutput *san_parse(struct san_pool *p, const char *html, size_t len,
                       const struct sanitize_opts *o, const char **error_r)
{
    memset(p, 0, sizeof(*p));
    if (len > o->max_in) {
        *error_r = err_too_big;
        return NULL;
    }
    if (prescan(html, len) != 0) {
        *error_r = err_complex;
        return NULL;
    }
    p->opts = kGumboDefaultOptions;
    p->opts.allocator = pool_alloc;
    p->opts.deallocator = pool_free;
    p->opts.userdata = p;
    p->opts.max_errors = 0;
    p->max_used = o->max_mem;
    p->cpu_deadline_ns = cpu_now_ns() + (long long)o->max_cpu_ms * 1000000LL;
    if (setjmp(p->stop) != 0) {
        pool_release(p);
        *error_r = p->error;
        return NULL;
    }
    GumboOutput *out = gumbo_parse_with_options(&p->opts, html, len);
    if (out == NULL) {
        pool_release(p);
        *error_r = err_complex;
    }
    return out;
}

void san_parse_free(struct san_pool *p, GumboOutput *out)
{
    if (out != NULL)
        gumbo_destroy_output(&p->opts, out);
    pool_release(p);
}
