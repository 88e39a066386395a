/* fuzz_mimeview.c — libFuzzer target for the MIME-to-HTML path of the
 * message page: a part's transfer decoding, charset conversion, and its
 * rendering (text/plain through textbody, text/html through the
 * sanitizer).
 *
 * Input: byte 0 picks the transfer encoding, byte 1 the charset, byte 2
 * the kind (plain, flowed, flowed+delsp, html, html with remote content);
 * the rest is the part's bytes. Checked: the UTF-8 stage is valid UTF-8;
 * plain-text HTML holds no tag but the ones textbody writes; sanitized
 * HTML passes the structural checker of the sanitizer's tests (elements,
 * attributes, URLs, CSS: tests/unit/sanitize_check.h).
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/sanitize_check.h"
#include "bodystructure.h"
#include "buf.h"
#include "mimeview.h"
#include "sanitize.h"
#include "validate.h"

static const char *const encodings[] = { "7bit", "base64", "quoted-printable", "8bit", "binary", "x-uue" };
static const char *const charsets[] = {
    "utf-8", "iso-8859-1", "windows-1252", "iso-2022-jp", "gb18030", "utf-7", "us-ascii",
    "ks_c_5601-1987", "x-unknown", "shift_jis", "koi8-r", "utf-16",
};

/* Every "<" in textbody output starts one of its own tags. */
static void check_plain(const char *s, size_t n)
{
    static const char *const tags[] = { "<a href=\"", "</a>", "<br>", "<blockquote", "</blockquote>",
                                        "<p>", "</p>", "<p ", "<div", "</div>", "<span", "</span>" };
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        int ok = 0;
        for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]) && !ok; t++)
            ok = strncmp(s + i, tags[t], strlen(tags[t])) == 0;
        if (!ok)
            abort();
    }
}

static const char *cid(void *ctx, const char *c, size_t len)
{
    (void)ctx;
    return len > 0 && c[0] == 'a' ? "/mail/part?f=INBOX&uid=1&part=2&inline=1" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    struct bs_param params[3];
    size_t np = 0;
    params[np++] = (struct bs_param){ "charset", charsets[data[1] % (sizeof(charsets) / sizeof(charsets[0]))] };
    int kind = data[2] % 5;
    if (kind == 1 || kind == 2)
        params[np++] = (struct bs_param){ "format", "flowed" };
    if (kind == 2)
        params[np++] = (struct bs_param){ "delsp", "yes" };
    struct bs_part p = {
        .type = "text", .subtype = kind >= 3 ? "html" : "plain", .params = params, .nparams = np,
        .encoding = encodings[data[0] % (sizeof(encodings) / sizeof(encodings[0]))],
    };
    const char *body = (const char *)data + 3;
    size_t n = size - 3;
    struct buf utf8, html;
    buf_init(&utf8);
    buf_init(&html);
    mv_text_utf8(&p, body, n, 1 << 20, &utf8);
    if (!utf8_valid(utf8.data ? utf8.data : "", utf8.len))
        abort();
    if (kind < 3) {
        mv_plain_html(&p, utf8.data ? utf8.data : "", utf8.len, 4 << 20, &html);
        check_plain(html.data ? html.data : "", html.len);
    } else {
        struct sanitize_opts o = { .allow_remote = kind == 4, .cid_url = cid };
        struct sanitize_report rep;
        const char *err = NULL;
        if (sanitize_html(utf8.data ? utf8.data : "", utf8.len, &o, &html, &rep, &err) == 0) {
            struct sanitize_check c = {.allow_remote = o.allow_remote, .cid_prefix = "/mail/part?"};
            if (sanitize_check(&c, html.data ? html.data : "", html.len) != 0)
                abort();
        }
    }
    buf_free(&utf8);
    buf_free(&html);
    return 0;
}
