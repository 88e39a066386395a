/* test_msgbuild.c — building outgoing messages: address parsing and
 * validation, type detection, quoted-printable, header encoding and
 * folding, and whole messages read back with postern's own MIME reader
 * (mime.c, rfc2047.c, mimeview.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "charset.h"
#include "mime.h"
#include "mimeview.h"
#include "msgbuild.h"
#include "rfc2047.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *addr;
    bool ok;
} addrs[] = {
    {"alice@example.test", true},
    {"a.b+tag@sub.example.test", true},
    {"o'neil@example.test", true},
    {"x@[127.0.0.1]", true},
    {"", false},
    {"alice", false},
    {"@example.test", false},
    {"alice@", false},
    {"alice@localhost", false},               /* one label */
    {"al ice@example.test", false},
    {".alice@example.test", false},
    {"alice.@example.test", false},
    {"al..ice@example.test", false},
    {"alice@-example.test", false},
    {"alice@example-.test", false},
    {"alice@example..test", false},
    {"alice@example.test.", false},
    {"alice@example.test>\r\nRCPT TO:<x@y.test", false},
    {"j\xc3\xbcrgen@example.test", false},    /* no SMTPUTF8 */
    {"\"quoted\"@example.test", false},
    {"x@[300.0.0.1]", false},
};

static void test_addr_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEM(addrs); i++) {
        if (mb_addr_valid(addrs[i].addr) != addrs[i].ok)
            fail_msg("%s: want %d", addrs[i].addr, addrs[i].ok);
    }
    char long_local[80];
    memset(long_local, 'a', 65);
    strcpy(long_local + 65, "@example.test");
    assert_false(mb_addr_valid(long_local));
    long_local[64] = '@';
    strcpy(long_local + 64, "@example.test");
    assert_true(mb_addr_valid(long_local));
}

static const struct {
    const char *text;
    int rc;
    size_t n;
    const char *first_name, *first_addr, *bad;
} lists[] = {
    {"bob@example.test", 0, 1, NULL, "bob@example.test", NULL},
    {"  Bob <bob@example.test>  ,, carol@example.test;", 0, 2, "Bob", "bob@example.test", NULL},
    {"\"Last, First\" <lf@example.test>, x@example.test", 0, 2, "Last, First", "lf@example.test", NULL},
    {"\"Say \\\"hi\\\"\" <h@example.test>", 0, 1, "Say \"hi\"", "h@example.test", NULL},
    {"J\xc3\xb6rg M\xc3\xbcller <jm@example.test>", 0, 1, "J\xc3\xb6rg M\xc3\xbcller", "jm@example.test", NULL},
    {"", 0, 0, NULL, NULL, NULL},
    {"bob@example.test, nobody", -1, 0, NULL, NULL, "nobody"},
    {"Bob <bob@example.test> extra", -1, 0, NULL, NULL, "Bob <bob@example.test> extra"},
    {"\"unclosed <u@example.test>", -1, 0, NULL, NULL, NULL},
    {"bob@example.test\r\nBcc: evil@example.test", -1, 0, NULL, NULL, NULL},
    {"Bob\n <bob@example.test>", -1, 0, NULL, NULL, NULL},
};

static void test_parse_list(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < NELEM(lists); i++) {
        struct mb_list l;
        const char *bad = NULL, *why = NULL;
        int rc = mb_parse_addresses(a, lists[i].text, 100, &l, &bad, &why);
        if (rc != lists[i].rc)
            fail_msg("%s: rc %d", lists[i].text, rc);
        if (rc < 0) {
            assert_non_null(why);
            if (lists[i].bad)
                assert_string_equal(bad, lists[i].bad);
            continue;
        }
        assert_int_equal(l.n, lists[i].n);
        if (l.n > 0) {
            assert_string_equal(l.v[0].addr, lists[i].first_addr);
            if (lists[i].first_name)
                assert_string_equal(l.v[0].name, lists[i].first_name);
        }
    }
    /* the recipient limit */
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%sr%d@example.test", i ? ", " : "", i);
    struct mb_list l;
    const char *bad = NULL, *why = NULL;
    assert_int_equal(mb_parse_addresses(a, buf_cstr(&b), 100, &l, &bad, &why), -1);
    assert_null(bad);
    assert_string_equal(why, "has too many recipients");
    assert_int_equal(mb_parse_addresses(a, buf_cstr(&b), 1000, &l, &bad, &why), 0);
    assert_int_equal(l.n, 1000);
    buf_free(&b);
    /* formatting gives back what parses to the same list */
    assert_int_equal(mb_parse_addresses(a, lists[2].text, 10, &l, &bad, &why), 0);
    const char *again = mb_format_list(a, &l);
    assert_string_equal(again, "\"Last, First\" <lf@example.test>, x@example.test");
    arena_free(a);
}

static void test_types(void **state)
{
    (void)state;
    assert_string_equal(mb_detect_type("x.bin", "%PDF-1.4", 8, NULL), "application/pdf");
    assert_string_equal(mb_detect_type("a.txt", "\x89PNG\r\n\x1a\n....", 12, "text/plain"), "image/png");
    assert_string_equal(mb_detect_type("report.DOCX", "PK\x03\x04", 4, NULL),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(mb_detect_type("notes.txt", "hello", 5, "application/x-whatever"), "text/plain");
    assert_string_equal(mb_detect_type("noext", "hello", 5, "application/x-whatever"), "application/x-whatever");
    assert_string_equal(mb_detect_type("noext", "hello", 5, "text/html\r\nX: y"), "application/octet-stream");
    assert_string_equal(mb_detect_type("noext", "hello", 5, "multipart/mixed"), "application/octet-stream");
    assert_string_equal(mb_detect_type("noext", "", 0, NULL), "application/octet-stream");
}

static void test_qp(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } qp[] = {
        {"plain", "plain\r\n"},
        {"a=b", "a=3Db\r\n"},
        {"trailing \nx", "trailing=20\r\nx\r\n"},
        {".dot\r\n.", "=2Edot\r\n=2E\r\n"},
        {"From me", "=46rom me\r\n"},
        {"caf\xc3\xa9", "caf=C3=A9\r\n"},
        {"lone\rcr", "lone=0Dcr\r\n"},
        {"", ""},
    };
    for (size_t i = 0; i < NELEM(qp); i++) {
        struct buf b;
        buf_init(&b);
        mb_qp_encode(qp[i].in, strlen(qp[i].in), &b);
        assert_string_equal(buf_cstr(&b), qp[i].want);
        buf_free(&b);
    }
    /* a long line is cut with soft breaks at <= 76 and decodes back */
    char line[3000];
    for (size_t i = 0; i < sizeof(line) - 1; i++)
        line[i] = (char)('a' + i % 26);
    line[sizeof(line) - 1] = '\0';
    struct buf b, d;
    buf_init(&b);
    buf_init(&d);
    mb_qp_encode(line, strlen(line), &b);
    for (const char *p = buf_cstr(&b); *p;) {
        size_t n = strcspn(p, "\r");
        assert_true(n <= 76);
        p += n;
        if (*p)
            p += 2;
    }
    mv_transfer_decode("quoted-printable", b.data, b.len, 1 << 20, &d);
    assert_int_equal(d.len, strlen(line) + 2);
    assert_memory_equal(d.data, line, strlen(line));
    buf_free(&b);
    buf_free(&d);
}

static void test_header_text(void **state)
{
    (void)state;
    static const char *const subjects[] = {
        "Hello",
        "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln \xe2\x80\x94 \xe4\xbb\xb6\xe5\x90\x8d\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 \xf0\x9f\x98\x80",
        "A fairly long plain subject line that goes on and on and on well past the seventy-eight column mark for sure",
        "looks =?UTF-8?B?bGlrZQ==?= an encoded word",
        "spaces   inside",
    };
    for (size_t i = 0; i < NELEM(subjects); i++) {
        struct buf b, d;
        buf_init(&b);
        buf_init(&d);
        mb_header_text(&b, "Subject", subjects[i]);
        const char *s = buf_cstr(&b);
        for (const char *p = s; *p;) {
            size_t n = strcspn(p, "\r\n");
            if (n > 78)
                fail_msg("line of %zu in %s", n, s);
            p += n;
            assert_true(*p == '\0' || (p[0] == '\r' && p[1] == '\n'));
            if (*p)
                p += 2;
        }
        assert_true(strncmp(s, "Subject: ", 9) == 0);
        rfc2047_decode(s + 9, b.len - 9 - 2, 10000, &d);
        assert_string_equal(buf_cstr(&d), subjects[i]);
        buf_free(&b);
        buf_free(&d);
    }
}

static void test_build_roundtrip(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct mb_list to;
    const char *bad, *why = NULL, *id = NULL;
    assert_int_equal(mb_parse_addresses(a, "\"M\xc3\xbcller, J\xc3\xb6rg\" <jm@example.test>, bob@example.test",
                                        10, &to, &bad, &why), 0);
    static const char pdf[] = "%PDF-1.4\n\0\x01\x02\xff binary";
    struct mb_attachment att[2] = {
        {"r\xc3\xa9sum\xc3\xa9 with a quite long name that needs continuations, really.pdf", NULL, pdf, sizeof(pdf)},
        {"plain.txt", "text/plain", "hi\n", 3},
    };
    char body[2100];
    memset(body, 'x', sizeof(body));
    memcpy(body, ".leading dot\ncaf\xc3\xa9\n", 19);
    body[sizeof(body) - 1] = '\n';
    struct mb_message m = {
        .from = {NULL, "alice@example.test"},
        .to = to,
        .subject = "R\xc3\xa9union \xe2\x80\x94 agenda",
        .body = body, .body_len = sizeof(body),
        .in_reply_to = "<orig@example.test>",
        .references = "<a@example.test> <orig@example.test>",
        .att = att, .natt = 2,
        .host = "postern.example.test",
    };
    struct buf out;
    buf_init(&out);
    assert_int_equal(mb_build(a, &m, &out, &id, &why), 0);
    assert_non_null(strstr(id, "@postern.example.test>"));
    const char *msg = buf_cstr(&out);
    /* every line <= 998, every line end CRLF, no NUL */
    assert_int_equal(strlen(msg), out.len);
    for (const char *p = msg; *p;) {
        size_t n = strcspn(p, "\r\n");
        assert_true(n <= 998);
        p += n;
        assert_true(*p == '\0' || (p[0] == '\r' && p[1] == '\n'));
        if (*p)
            p += 2;
    }
    assert_non_null(strstr(msg, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(msg, "In-Reply-To: <orig@example.test>\r\n"));
    assert_null(strstr(msg, "Bcc:"));
    /* read it back */
    const char *hdr;
    size_t hlen;
    int tc = 0;
    struct bs_part *root = mime_parse(a, msg, out.len, 10, 50, &hdr, &hlen, &tc);
    assert_non_null(root);
    struct buf d;
    buf_init(&d);
    rfc2047_decode(mime_header(a, hdr, hlen, "Subject"), strlen(mime_header(a, hdr, hlen, "Subject")),
                   1000, &d);
    assert_string_equal(buf_cstr(&d), m.subject);
    buf_clear(&d);
    const char *toh = mime_header(a, hdr, hlen, "To");
    struct mb_list back;
    assert_int_equal(mb_parse_addresses(a, toh, 10, &back, &bad, &why), 0);
    mb_decode_names(a, &back);
    assert_int_equal(back.n, 2);
    assert_string_equal(back.v[0].name, "M\xc3\xbcller, J\xc3\xb6rg");
    assert_string_equal(back.v[0].addr, "jm@example.test");
    struct mv_plan plan;
    mv_plan(root, &plan);
    assert_int_equal(plan.nbody, 1);
    assert_int_equal(plan.nattach, 2);
    const struct bs_part *tp = plan.body[0].part;
    mv_text_utf8(tp, tp->body, tp->body_len, 1 << 20, &d);
    assert_int_equal(d.len, sizeof(body) + 3);   /* three LFs became CRLF */
    assert_memory_equal(d.data, ".leading dot\r\ncaf\xc3\xa9\r\nxx", 23);
    buf_clear(&d);
    const struct bs_part *ap = plan.attach[0];
    assert_string_equal(ap->type, "application");
    assert_string_equal(ap->subtype, "pdf");
    mv_transfer_decode(ap->encoding, ap->body, ap->body_len, 1 << 20, &d);
    assert_int_equal(d.len, sizeof(pdf));
    assert_memory_equal(d.data, pdf, sizeof(pdf));
    buf_clear(&d);
    mv_filename(ap, &d);
    assert_string_equal(buf_cstr(&d), att[0].name);
    buf_free(&d);
    buf_free(&out);
    arena_free(a);
}

static void test_build_refuses(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct mb_addr bad_to = {"x", "bob@example.test>\r\nRCPT TO:<evil@example.test"};
    struct mb_addr evil_name = {"Bob\r\nBcc: evil@example.test", "bob@example.test"};
    const char *why = NULL, *id = NULL;
    struct buf out;
    buf_init(&out);
    struct mb_message m = {.from = {NULL, "alice@example.test"}, .to = {&bad_to, 1}, .subject = "x"};
    assert_int_equal(mb_build(a, &m, &out, &id, &why), -1);
    m.to = (struct mb_list){&evil_name, 1};
    assert_int_equal(mb_build(a, &m, &out, &id, &why), -1);
    m.to = (struct mb_list){NULL, 0};
    m.subject = "Hi\r\nBcc: evil@example.test";
    assert_int_equal(mb_build(a, &m, &out, &id, &why), -1);
    m.subject = "next\xc2\x85line";   /* U+0085, a C1 line break */
    assert_int_equal(mb_build(a, &m, &out, &id, &why), -1);
    m.subject = "ok";
    m.in_reply_to = "<a@b>\r\nX: y";
    assert_int_equal(mb_build(a, &m, &out, &id, &why), -1);
    m.in_reply_to = NULL;
    assert_int_equal(mb_build(a, &m, &out, &id, &why), 0);
    assert_true(mb_msgids_valid("<a@b> <c@d>"));
    assert_false(mb_msgids_valid("<a@b> c@d"));
    assert_false(mb_msgids_valid("<ab>"));
    buf_free(&out);
    arena_free(a);
}

/* --- the wire: segments streamed give the bytes of the whole buffer ----- */

struct pieces {
    struct buf b;
    size_t calls;
};

static int collect(void *ctx, const char *data, size_t len)
{
    struct pieces *p = ctx;
    assert_true(len <= 80 * 1024);      /* never the whole file at once */
    buf_append(&p->b, data, len);
    p->calls++;
    return 0;
}

/* The whole-buffer output as mb_build wrote it before segments: the
 * builder's text with every file base64-encoded whole by mb_base64_lines. */
static void flatten_old_way(const struct mb_wire *w, struct buf *out)
{
    for (size_t i = 0; i < w->nseg; i++) {
        const struct mb_seg *g = &w->seg[i];
        if (g->kind == MB_SEG_BASE64)
            mb_base64_lines(g->data, g->len, out);
        else
            buf_append(out, g->kind == MB_SEG_TEXT ? w->text.data + g->off : g->data, g->len);
    }
}

/* CRLF only; the dot-safety submit.c does not rely on but checks: no line
 * of an encoded file starts with '.'. */
static void check_lines(const struct mb_wire *w, const struct buf *msg)
{
    for (size_t i = 0; i < msg->len; i++) {
        if (msg->data[i] == '\r')
            assert_true(i + 1 < msg->len && msg->data[i + 1] == '\n');
        if (msg->data[i] == '\n')
            assert_true(i > 0 && msg->data[i - 1] == '\r');
    }
    assert_true(msg->len >= 2 && msg->data[msg->len - 2] == '\r' && msg->data[msg->len - 1] == '\n');
    assert_true(w->nseg > 0 && w->seg[w->nseg - 1].kind == MB_SEG_TEXT);
    size_t off = 0;
    for (size_t i = 0; i < w->nseg; i++) {
        const struct mb_seg *g = &w->seg[i];
        size_t n = g->kind == MB_SEG_BASE64 ? mb_base64_lines_size(g->len) : g->len;
        if (i > 0 && (g->kind == MB_SEG_BASE64 || w->seg[i - 1].kind == MB_SEG_BASE64))
            assert_int_equal(msg->data[off - 1], '\n');   /* files start and end lines */
        if (g->kind == MB_SEG_BASE64)
            for (size_t k = off; k < off + n; k++)
                assert_true(msg->data[k] != '.');
        off += n;
    }
    assert_int_equal(off, msg->len);
}

static void test_wire_same_bytes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    static const size_t sizes[] = {0, 1, 2, 3, 56, 57, 58, 76 * 3, 57 * 840 - 1, 57 * 840,
                                   57 * 840 + 1, 57 * 840 * 2 + 5};
    size_t max = 57 * 840 * 2 + 5;
    char *data = malloc(max);
    for (size_t i = 0; i < max; i++)
        data[i] = (char)(i * 131 + (i >> 7));
    data[0] = '.';
    const char *id = NULL, *why = NULL;
    struct mb_addr to1 = {"Bob", "bob@example.test"};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        struct mb_attachment att[3] = {
            {"f.bin", NULL, data, sizes[k]},
            {"second.bin", "application/octet-stream", data + 1, sizes[k] > 0 ? sizes[k] - 1 : 0},
            {"m.eml", "message/rfc822", "Subject: x\n\n.dot\n", 17},
        };
        struct mb_message m = {
            .from = {NULL, "alice@example.test"}, .to = {&to1, 1},
            .subject = "wire", .body = ".dot line\nplain\n", .body_len = 16,
            .att = att, .natt = k % 4, .host = "postern.example.test",
        };
        struct mb_wire w;
        mb_wire_init(&w);
        assert_int_equal(mb_build_wire(a, &m, &w, &id, &why), 0);
        struct buf old;
        buf_init(&old);
        flatten_old_way(&w, &old);
        struct pieces p = {0};
        buf_init(&p.b);
        assert_int_equal(mb_wire_write(&w, collect, &p), 0);
        assert_int_equal(p.b.len, w.size);
        assert_int_equal(old.len, w.size);
        assert_memory_equal(p.b.data, old.data, old.len);
        struct buf flat;
        buf_init(&flat);
        mb_wire_flatten(&w, &flat);
        assert_int_equal(flat.len, w.size);
        assert_memory_equal(flat.data, old.data, old.len);
        check_lines(&w, &old);
        /* the same message through mb_build (same Message-ID): the same
         * length (the boundary is random, its length is not) */
        struct buf whole;
        buf_init(&whole);
        m.message_id = id;
        assert_int_equal(mb_build(a, &m, &whole, &id, &why), 0);
        assert_int_equal(whole.len, w.size);
        buf_free(&whole);
        buf_free(&flat);
        buf_free(&p.b);
        buf_free(&old);
        mb_wire_free(&w);
    }
    /* a borrowed message, as it is */
    struct mb_wire w;
    mb_wire_init(&w);
    mb_wire_raw(&w, "Subject: r\r\n\r\nbody\r\n", 21);
    struct pieces p = {0};
    buf_init(&p.b);
    assert_int_equal(mb_wire_write(&w, collect, &p), 0);
    assert_int_equal(w.size, 21);
    assert_memory_equal(p.b.data, "Subject: r\r\n\r\nbody\r\n", 21);
    buf_free(&p.b);
    mb_wire_free(&w);
    for (size_t n = 0; n < 300; n++) {
        struct buf b;
        buf_init(&b);
        mb_base64_lines(data, n, &b);
        assert_int_equal(b.len, mb_base64_lines_size(n));
        buf_free(&b);
    }
    free(data);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_valid),
        cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_qp),
        cmocka_unit_test(test_header_text),
        cmocka_unit_test(test_build_roundtrip),
        cmocka_unit_test(test_build_refuses),
        cmocka_unit_test(test_wire_same_bytes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    charset_thread_release();
    return rc;
}
