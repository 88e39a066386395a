#!/usr/bin/python3
"""Write MIME sample and hostile-HTML folders straight into a Maildir++
(stdlib only, ~0.2 s).

Usage:
  seed_mime.py --maildir DIR [--folder Samples] [--hostile-folder Hostile]
               [--uid N --gid N] [--corpus ../shared/corpus]
               [--marker http://127.0.0.1:9/marker/] [--force]

  --corpus defaults to <repo>/../shared/corpus (read in place at seed time:
  those files are never copied into the repo); when it is missing, only the
  generated messages are written (a warning says so). A folder that exists
  is left alone unless --force (which deletes and rewrites it).

Writes (Dovecot maildir, "/" separator: folder F is DIR/.F):
  * F = Samples: generated messages, one or more per case, the subject
    naming the case ("[mime] iso-2022-jp body", ...): plain, multipart/
    alternative (2 and 3 parts, and html-first), nested multipart with
    attachments, inline cid images, RFC 2047 headers (B, Q, several
    charsets, adjacent words, in names), RFC 2231 names (UTF-8, ISO-8859-1,
    continuations), Outlook-style encoded-word names, bodies in ISO-8859-1,
    ISO-8859-15, ISO-8859-2, ISO-8859-7, windows-1252 (also mislabelled as
    ISO-8859-1), windows-1251, KOI8-R, ISO-2022-JP, Shift_JIS, EUC-KR, Big5,
    GB18030 (with 4-byte sequences), UTF-16, UTF-7, RFC 6532 raw UTF-8
    headers, format=flowed (delsp no/yes), message/rfc822 (nested twice),
    multipart/digest, multipart/report, multipart/signed and encrypted,
    text/calendar, a 1 MiB attachment, and malformed MIME (missing and
    absent boundaries, missing subtype, unknown charset and encoding, bad
    base64 and QP, invalid UTF-8, raw 8-bit headers, NUL and bare CR, over-
    long lines, duplicate headers, 60-level nesting, headers only, empty
    file); then every message file of the corpus (mimekit/messages,
    mailparser/fixtures/*.eml, cpython/test_email/data, libetpan's message
    fixtures), skipping any > 512 KB, bytes unchanged.
  * Hostile: one text/html message per payload of
    corpus/dompurify/payloads.json, subject "[xss NNN]" (NNN = 1-based index
    = the payload's position in payloads.json and in expect.mjs = its UID),
    then hand-written ones "[xss hNN] <what>": SVG use/animate/set/feImage,
    MathML, <base href>, meta refresh, forms, iframe srcdoc/object/embed,
    CSS url()/@import/expression()/escapes, javascript:/data:/vbscript:
    links, encoded-word Subject/From that decode to markup, hostile
    attachment names (markup, path traversal, RTL override, .html, .svg,
    quotes, very long), remote images/fonts/styles/media, mXSS, UTF-7 HTML,
    markup in text/plain, an SVG and an HTML message body, deep nesting.
    Remote references all point below --marker (default
    http://127.0.0.1:9/marker/), each at a unique path "hNN-<what>", so a
    browser test can run a marker server there and tell what leaked; script
    payloads call alert('hNN').
  * DIR/../mime-facts.json: {"marker", "samples": {"folder", "count",
    "messages": [{"uid", "subject", "case", "source", "bytes",
    "structure" (as Python's email package sees it), "expect": {...}}]},
    "hostile": {"folder", "count", "payloads", "handwritten", "messages":
    [{"uid", "subject", "source", "marker_paths", "expect": [...]}]}}.
    "expect" keys: text (decoded text the rendered body must contain),
    attachments (file names as they should be shown), subject (decoded),
    from (decoded display name), note.

UIDs are 1..N in the order listed (file names carry increasing time
stamps); INTERNALDATE and Date: are fixed, so output is deterministic.
"""
import argparse
import base64
import email
import email.policy
import json
import os
import quopri
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seedlib  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE_TS = 1767225600 + 86400 * 210   # 2026-07-30
MAX_CORPUS = 512 * 1024
FROM = "MIME Samples <samples@example.test>"
TO = "Sample Reader <reader@example.test>"


def qp(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return quopri.encodestring(data).decode("ascii")


def b64(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return seedlib.b64_lines(data)


def ew(text, charset="utf-8"):
    return seedlib.ew_b(text, charset)


class Builder:
    """Collects (bytes, facts) in UID order; Date: follows the position."""

    def __init__(self, prefix):
        self.items = []
        self.prefix = prefix

    def date(self):
        return time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                             time.gmtime(BASE_TS + 60 * len(self.items)))

    def msg(self, subject, body, ctype="text/plain; charset=utf-8", cte="7bit",
            frm=FROM, to=TO, extra="", raw_subject=None, mime=True):
        """One message as bytes. SUBJECT is encoded when not ASCII;
        RAW_SUBJECT (already encoded) wins. BODY may be str or bytes."""
        if raw_subject is None:
            raw_subject = subject if subject.isascii() else ew(subject)
        head = "From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s.%d@seed.example.test>\n" % (
            frm, to, raw_subject, self.date(), self.prefix, len(self.items) + 1)
        if mime:
            head += "MIME-Version: 1.0\nContent-Type: %s\n" % ctype
            if cte:
                head += "Content-Transfer-Encoding: %s\n" % cte
        head += extra + "\n"
        if isinstance(body, str):
            body = body.encode("utf-8")
        return head.encode("utf-8") + body

    def add(self, data_, subject_, case_, source="generated", **expect):
        self.items.append((data_, {"subject": subject_, "case": case_, "source": source,
                                   "expect": expect}))


def mp(subtype, boundary, parts, extra_params="", preamble="", epilogue=""):
    """A multipart body: PARTS are (headers, body) strings."""
    out = []
    if preamble:
        out.append(preamble + "\n")
    for h, b in parts:
        out.append("--%s\n%s\n%s\n" % (boundary, h, b))
    out.append("--%s--\n" % boundary)
    if epilogue:
        out.append(epilogue)
    return ("multipart/%s; boundary=\"%s\"%s" % (subtype, boundary, extra_params)), "".join(out)


def part(ctype, body, cte=None, disp=None, cid=None, extra=""):
    h = "Content-Type: %s\n" % ctype
    if cte:
        h += "Content-Transfer-Encoding: %s\n" % cte
    if disp:
        h += "Content-Disposition: %s\n" % disp
    if cid:
        h += "Content-ID: <%s>\n" % cid
    return h + extra, body


# ------------------------------------------------------------------ samples
def samples(B, png, pdf):
    S = "[mime] "
    # ---- plain and alternative
    B.add(B.msg(S + "plain us-ascii", "Just plain text.\nSecond line.\n"),
          S + "plain us-ascii", "plain", text="Second line.")

    ct, body = mp("alternative", "alt-1", [
        part("text/plain; charset=utf-8", "Plain version: caf\u00e9 au lait.\n", "8bit"),
        part("text/html; charset=utf-8", "<p>HTML version: <b>caf\u00e9</b> au lait.</p>\n", "8bit")])
    B.add(B.msg(S + "multipart/alternative", body, ct, ""), S + "multipart/alternative",
          "alternative", text="HTML version", note="html part preferred; plain part says 'Plain version'")

    ct, body = mp("alternative", "alt-3", [
        part("text/plain; charset=us-ascii", "Plain of three.\n"),
        part("text/enriched; charset=us-ascii", "<bold>Enriched</bold> of three.\n"),
        part("text/html; charset=us-ascii", "<p><i>HTML</i> of three.</p>\n")])
    B.add(B.msg(S + "multipart/alternative with three parts", body, ct, ""),
          S + "multipart/alternative with three parts", "alternative-3", text="of three")

    ct, body = mp("alternative", "alt-rev", [
        part("text/html; charset=us-ascii", "<p>HTML listed first (wrong order).</p>\n"),
        part("text/plain; charset=us-ascii", "Plain listed last: by RFC 2046 the preferred one.\n")])
    B.add(B.msg(S + "multipart/alternative html first", body, ct, ""),
          S + "multipart/alternative html first", "alternative-reversed",
          text="Plain listed last", note="the last alternative is the preferred one")

    ct, body = mp("alternative", "html-only-alt", [
        part("text/html; charset=utf-8", "<html><head><meta charset=\"utf-8\"></head>"
             "<body><h1>HTML only</h1><p>No text part at all. \u2713</p></body></html>\n", "8bit")])
    B.add(B.msg(S + "html only (charset only in meta)", "<html><head><meta http-equiv=\"Content-Type\" "
                "content=\"text/html; charset=utf-8\"></head><body><p>Only the meta tag names the "
                "charset: Gr\u00fc\u00dfe \u2713</p></body></html>\n", "text/html", "8bit"),
          S + "html only (charset only in meta)", "html-meta-charset", text="Gr\u00fc\u00dfe")

    # ---- nested multipart with attachments and inline images
    rel_ct, rel = mp("related", "rel-1", [
        part("text/html; charset=utf-8", "<p>Logo inline: <img src=\"cid:logo@seed\" alt=\"logo\"></p>\n"
             "<p>And a photo: <img src=\"cid:photo@seed\"></p>\n", "8bit"),
        part("image/png; name=\"logo.png\"", b64(png), "base64", "inline; filename=\"logo.png\"", "logo@seed"),
        part("image/png", b64(png), "base64", None, "photo@seed")], "; type=\"text/html\"")
    alt_ct, alt = mp("alternative", "alt-2", [
        part("text/plain; charset=utf-8", "Nested: see the HTML part for pictures.\n", "8bit"),
        (("Content-Type: %s\n" % rel_ct), rel)])
    inner = ("From: Bob <bob@example.test>\nTo: Carol <carol@example.test>\nSubject: Inner forwarded\n"
             "Date: Mon, 01 Jun 2026 09:00:00 +0000\nMIME-Version: 1.0\n"
             "Content-Type: text/plain; charset=utf-8\n\nThe inner message body.\n")
    ct, body = mp("mixed", "mix-1", [
        (("Content-Type: %s\n" % alt_ct), alt),
        part("application/pdf; name=\"report.pdf\"", b64(pdf), "base64", "attachment; filename=\"report.pdf\""),
        part("application/octet-stream; name=\"data.bin\"", b64(bytes(range(256))), "base64",
             "attachment; filename=\"data.bin\""),
        part("text/csv; charset=us-ascii; name=\"table.csv\"", "a,b,c\n1,2,3\n", "7bit",
             "attachment; filename=\"table.csv\""),
        part("message/rfc822", inner, None, "attachment; filename=\"forwarded.eml\"")],
        preamble="This is a multi-part message in MIME format.")
    B.add(B.msg(S + "nested multipart with attachments", body, ct, ""),
          S + "nested multipart with attachments", "nested",
          text="Logo inline", attachments=["report.pdf", "data.bin", "table.csv", "forwarded.eml"],
          note="mixed(alternative(plain, related(html, png cid:logo, png cid:photo)), pdf, bin, csv, rfc822)")

    ct, body = mp("mixed", "mix-img", [
        part("text/plain; charset=us-ascii", "An image follows, inline, without a Content-ID.\n"),
        part("image/png; name=\"inline.png\"", b64(png), "base64", "inline; filename=\"inline.png\"")])
    B.add(B.msg(S + "inline image in multipart/mixed", body, ct, ""),
          S + "inline image in multipart/mixed", "inline-image", text="An image follows",
          attachments=["inline.png"])

    ct, body = mp("related", "rel-only", [
        part("text/html; charset=us-ascii", "<p>Missing cid: <img src=\"cid:nowhere@seed\"> and a "
             "present one <img src=\"cid:here@seed\"></p>\n"),
        part("image/png", b64(png), "base64", None, "here@seed")])
    B.add(B.msg(S + "multipart/related with a dangling cid", body, ct, ""),
          S + "multipart/related with a dangling cid", "related-dangling", text="Missing cid")

    # ---- RFC 2047 headers
    subj = ("=?UTF-8?B?%s?= =?ISO-8859-1?Q?Gr=FC=DFe?= =?ISO-2022-JP?B?%s?= plain"
            % (base64.b64encode("[mime] rfc2047 mixed ".encode()).decode(),
               base64.b64encode("日本".encode("iso2022_jp")).decode()))
    B.add(B.msg("", "Subject mixes UTF-8 B, ISO-8859-1 Q and ISO-2022-JP B words.\n",
                frm="=?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <zoe@example.test>",
                to="=?ISO-8859-1?Q?Jos=E9?= <jose@example.test>, =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>",
                extra="Cc: \"=?UTF-8?Q?quoted_encoded?=\" <q@example.test>\n", raw_subject=subj),
          "[mime] rfc2047 mixed Grüße日本 plain", "rfc2047",
          subject="[mime] rfc2047 mixed Grüße日本 plain", **{"from": "Zoë Müller"},
          note="adjacent encoded words join without the space; the Cc name is an encoded word "
               "inside quotes (not to be decoded by RFC 2047, often decoded anyway)")
    long_subj = "[mime] rfc2047 long folded subject " + "äöü ß €uro 😀 " * 8
    words = seedlib.ew_b(long_subj).split(" ")
    B.add(B.msg("", "Long subject folded over several lines of encoded words.\n",
                raw_subject="\n ".join(words)),
          long_subj, "rfc2047-folded", subject=long_subj)
    B.add(B.msg("", "Q encoding with underscores and =3F.\n",
                raw_subject="=?utf-8?q?=5Bmime=5D_rfc2047_q_lower-case_charset_=3F_under=5Fscore?="),
          "[mime] rfc2047 q lower-case charset ? under_score", "rfc2047-q",
          subject="[mime] rfc2047 q lower-case charset ? under_score")

    # ---- RFC 2231 and other attachment names
    name_utf8 = "Übersicht – Q3 Ergebnisse (final).pdf"
    pct = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else
                  "".join("%%%02X" % b for b in c.encode("utf-8")) for c in name_utf8)
    half = len(pct) // 2
    while pct[half - 1] == "%" or pct[half - 2] == "%":
        half += 1
    ct, body = mp("mixed", "mix-2231", [
        part("text/plain; charset=us-ascii", "Four attachments with encoded names.\n"),
        part("application/pdf", b64(pdf), "base64", "attachment; filename*=UTF-8''%s" % pct),
        part("application/pdf", b64(pdf), "base64",
             "attachment;\n filename*0*=UTF-8'de'%s;\n filename*1*=%s" % (pct[:half], pct[half:]),
             extra=""),
        part("text/plain; charset=iso-8859-1", "latin-1 named\n", "7bit",
             "attachment; filename*=ISO-8859-1''r%E9sum%E9.txt"),
        part("application/octet-stream; name=\"=?UTF-8?B?%s?=\"" % base64.b64encode("日本語の資料.zip".encode()).decode(),
             b64(b"PK\x05\x06" + bytes(18)), "base64",
             "attachment; filename=\"=?UTF-8?B?%s?=\"" % base64.b64encode("日本語の資料.zip".encode()).decode())])
    B.add(B.msg(S + "rfc2231 attachment names", body, ct, ""), S + "rfc2231 attachment names", "rfc2231",
          attachments=[name_utf8, name_utf8, "résumé.txt", "日本語の資料.zip"],
          note="2nd uses continuations filename*0*/*1* with language 'de'; 4th is the Outlook "
               "style (RFC 2047 inside a quoted parameter)")
    ct, body = mp("mixed", "mix-noname", [
        part("text/plain; charset=us-ascii", "Attachments without names and with odd ones.\n"),
        part("application/octet-stream", b64(b"\x00\x01\x02"), "base64", "attachment"),
        part("text/plain; charset=us-ascii; name=\"C:\\\\fakepath\\\\notes.txt\"", "with a path\n", "7bit",
             "attachment; filename=\"C:\\\\fakepath\\\\notes.txt\""),
        part("text/plain; charset=us-ascii", "an inline text part with a name\n", "7bit",
             "inline; filename=\"inline.txt\"")])
    B.add(B.msg(S + "attachments without names or with paths", body, ct, ""),
          S + "attachments without names or with paths", "attachment-names",
          attachments=["(none)", "notes.txt", "inline.txt"],
          note="a client shows the base name of C:\\fakepath\\notes.txt, never the path")

    # ---- charsets
    def charset_case(label, charset, text, cte, codec=None, extra_note=None):
        data = text.encode(codec or charset)
        if cte == "quoted-printable":
            body = qp(data)
        elif cte == "base64":
            body = b64(data)
        else:
            body = data
        subj = S + label
        kw = {"text": text.strip().splitlines()[0][:40]}
        if extra_note:
            kw["note"] = extra_note
        B.add(B.msg(subj, body, "text/plain; charset=%s" % charset, cte), subj,
              "charset-" + charset.strip('"').lower(), **kw)

    charset_case("iso-8859-1 body (quoted-printable)", "ISO-8859-1",
                 "Grüße aus Köln! Ça va? Señor Müller zahlt ½ Preis, 25 °C, © 2026.\n", "quoted-printable")
    charset_case("iso-8859-1 body (8bit)", "iso-8859-1",
                 "Àçcéntèd 8bit: naïve façade, smørrebrød, jalapeño.\n", "8bit")
    charset_case("iso-8859-15 body", "ISO-8859-15", "Euro sign in latin-9: 100 € and Œuvre, š ž Ÿ.\n",
                 "quoted-printable", codec="iso8859_15")
    charset_case("iso-8859-2 body", "ISO-8859-2", "Zażółć gęślą jaźń. Příliš žluťoučký kůň.\n", "8bit")
    charset_case("iso-8859-7 body", "ISO-8859-7", "Καλημέρα κόσμε, ελληνικά σε ISO-8859-7.\n", "8bit")
    charset_case("windows-1252 body", "windows-1252",
                 "“Smart quotes” – en dash — em dash … €100 ‘single’ • bullet ™ Œuvre ž.\n", "8bit")
    charset_case("windows-1252 body (quoted-printable)", "windows-1252",
                 "Quoted-printable cp1252: “quotes” and €uro and … ellipsis.\n", "quoted-printable")
    data = "Labelled ISO-8859-1 but really cp1252: “quotes” – €5 … done.\n".encode("cp1252")
    B.add(B.msg(S + "windows-1252 mislabelled as iso-8859-1", data, "text/plain; charset=iso-8859-1", "8bit"),
          S + "windows-1252 mislabelled as iso-8859-1", "charset-mislabelled",
          text="Labelled ISO-8859-1 but really cp1252",
          note="bytes 0x80-0x9F: browsers and most clients decode ISO-8859-1 as windows-1252 "
               "(“ – € …); strict ISO-8859-1 gives C1 controls")
    charset_case("windows-1251 body", "windows-1251", "Привет, мир! Кодировка windows-1251.\n", "8bit")
    charset_case("koi8-r body", "KOI8-R", "Съешь же ещё этих мягких французских булок.\n", "8bit")
    charset_case("iso-2022-jp body", "ISO-2022-JP", "会議の議事録をお送りします。ご確認ください。\n山田\n", "7bit",
                 codec="iso2022_jp")
    data = "件名もISO-2022-JPです。".encode("iso2022_jp")
    B.add(B.msg("", "日本語の本文（ISO-2022-JP）。\n".encode("iso2022_jp"), "text/plain; charset=ISO-2022-JP", "7bit",
                frm="=?ISO-2022-JP?B?%s?= <yamada@example.jp>" % base64.b64encode("山田太郎".encode("iso2022_jp")).decode(),
                raw_subject="[mime] iso-2022-jp subject =?ISO-2022-JP?B?%s?=" % base64.b64encode(data).decode()),
          "[mime] iso-2022-jp subject 件名もISO-2022-JPです。", "charset-iso-2022-jp-headers",
          subject="[mime] iso-2022-jp subject 件名もISO-2022-JPです。", text="日本語の本文", **{"from": "山田太郎"})
    charset_case("shift_jis body", "Shift_JIS", "シフトJISの本文です。ｶﾀｶﾅ（半角）も。\n", "8bit")
    charset_case("euc-kr body", "EUC-KR", "안녕하세요. EUC-KR 본문입니다.\n", "8bit")
    charset_case("big5 body", "Big5", "繁體中文的郵件內容。\n", "8bit")
    charset_case("gb18030 body", "GB18030",
                 "你好，世界！这是一封GB18030编码的邮件。四字节：😀 𠜎 ¤€\n", "8bit",
                 extra_note="😀 and 𠜎 are 4-byte GB18030 sequences")
    charset_case("gb18030 body (base64)", "gb18030", "Base64 的 GB18030 正文：欢迎 😀\n", "base64")
    charset_case("gb2312 label with gbk bytes", "gb2312", "标签是GB2312，内容含GBK字：镕\n", "8bit", codec="gbk",
                 extra_note="镕 is outside GB2312; decoders should use GBK/GB18030 for gb2312")
    charset_case("utf-16 body (base64, BOM)", "UTF-16", "UTF-16 with a byte order mark: ünïcödé ✓\n", "base64")
    utf7 = "Hi Mom -☺-! A≢Α. 日本語 + plus sign.\n"
    B.add(B.msg(S + "utf-7 body", utf7.encode("utf-7"), "text/plain; charset=UTF-7", "7bit"),
          S + "utf-7 body", "charset-utf-7", text="Hi Mom -☺-!", note="raw: " + utf7.encode("utf-7").decode())
    charset_case("unknown charset", "x-no-such-charset", "ASCII text under an unknown charset.\n", "7bit",
                 codec="ascii", extra_note="show as ASCII/UTF-8 or raw; never fail")
    charset_case("charset utf8 (no dash, quoted)", "\"UTF8\"", "Charset spelled \"UTF8\" in quotes: ✓\n", "8bit",
                 codec="utf-8")
    B.add(B.msg("[mime] raw utf-8 headers (rfc 6532) — Grüße 😀", "Header bytes are raw UTF-8.\n",
                frm="Zoë Müller <zoe@example.test>", raw_subject="[mime] raw utf-8 headers (rfc 6532) — Grüße 😀"),
          "[mime] raw utf-8 headers (rfc 6532) — Grüße 😀", "rfc6532",
          subject="[mime] raw utf-8 headers (rfc 6532) — Grüße 😀", **{"from": "Zoë Müller"})

    # ---- format=flowed
    flowed = ("This paragraph is written with format=flowed, so every line that \n"
              "ends with a space continues on the next one and a reader may \n"
              "re-wrap it.\n\n"
              "> A quoted paragraph, also flowed, split over \n"
              "> two lines.\n"
              ">> Twice quoted.\n\n"
              " Space-stuffed line starting with a space.\n"
              "-- \nSignature\n")
    B.add(B.msg(S + "format=flowed", flowed, "text/plain; charset=us-ascii; format=flowed"),
          S + "format=flowed", "flowed", text="continues on the next one",
          note="paragraph 1 is one line when unflowed; '-- ' is the signature separator")
    delsp = ("With delsp=yes the space before a soft break is removed: Donau \n"
             "dampfschiff \nfahrt is one word.\n")
    B.add(B.msg(S + "format=flowed delsp=yes", delsp, "text/plain; charset=us-ascii; format=flowed; delsp=yes"),
          S + "format=flowed delsp=yes", "flowed-delsp", text="Donaudampfschifffahrt")

    # ---- message/rfc822
    inner2 = ("From: =?UTF-8?Q?Ren=C3=A9e?= <renee@example.test>\nTo: Bob <bob@example.test>\n"
              "Subject: =?UTF-8?Q?Inner_with_=C3=BCmlauts?=\nDate: Tue, 02 Jun 2026 10:00:00 +0200\n"
              "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"in-1\"\n\n"
              "--in-1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
              "Inner body with ümlauts.\n--in-1\nContent-Type: image/png; name=\"in.png\"\n"
              "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"in.png\"\n\n"
              + b64(png) + "\n--in-1--\n")
    middle = ("From: Carol <carol@example.test>\nTo: Alice <alice@example.test>\nSubject: Fwd: Inner\n"
              "Date: Wed, 03 Jun 2026 11:00:00 +0000\nMIME-Version: 1.0\n"
              "Content-Type: multipart/mixed; boundary=\"mid-1\"\n\n--mid-1\nContent-Type: text/plain\n\n"
              "Middle message forwarding another.\n--mid-1\nContent-Type: message/rfc822\n\n"
              + inner2 + "--mid-1--\n")
    ct, body = mp("mixed", "outer-1", [
        part("text/plain; charset=us-ascii", "Outer message: a forward of a forward.\n"),
        part("message/rfc822", middle, None, "attachment")])
    B.add(B.msg(S + "message/rfc822 nested twice", body, ct, "8bit"), S + "message/rfc822 nested twice",
          "rfc822-nested", text="Outer message", note="outer > middle > inner (with a png)")
    B.add(B.msg(S + "message/rfc822 as the whole body", inner.replace("Inner forwarded", "Whole body"),
                "message/rfc822", ""),
          S + "message/rfc822 as the whole body", "rfc822-top")

    # ---- digest, report, signed, encrypted, calendar
    ct, body = mp("digest", "dig-1", [
        ("", "From: a@example.test\nSubject: Digest item 1\n\nFirst digest item.\n"),
        ("", "From: b@example.test\nSubject: Digest item 2\n\nSecond digest item.\n")])
    B.add(B.msg(S + "multipart/digest", body, ct, ""), S + "multipart/digest", "digest",
          note="parts without Content-Type default to message/rfc822 in a digest")
    ct, body = mp("report", "rep-1", [
        part("text/plain; charset=us-ascii", "Your message could not be delivered.\n"),
        part("message/delivery-status", "Reporting-MTA: dns; mail.example.test\n\n"
             "Final-Recipient: rfc822; nobody@example.test\nAction: failed\nStatus: 5.1.1\n"),
        part("text/rfc822-headers", "From: reader@example.test\nSubject: lost\n")],
        "; report-type=delivery-status")
    B.add(B.msg(S + "multipart/report bounce", body, ct, ""), S + "multipart/report bounce", "report",
          text="could not be delivered")
    ct, body = mp("signed", "sig-1", [
        part("text/plain; charset=us-ascii", "This text is \"signed\" (the signature is fake).\n"),
        part("application/pkcs7-signature; name=\"smime.p7s\"", b64(b"not really a signature"), "base64",
             "attachment; filename=\"smime.p7s\"")],
        "; protocol=\"application/pkcs7-signature\"; micalg=sha-256")
    B.add(B.msg(S + "multipart/signed (s/mime, fake)", body, ct, ""), S + "multipart/signed (s/mime, fake)",
          "signed", text="is \"signed\"")
    ct, body = mp("encrypted", "enc-1", [
        part("application/pgp-encrypted", "Version: 1\n"),
        part("application/octet-stream; name=\"encrypted.asc\"",
             "-----BEGIN PGP MESSAGE-----\n\nhQEMA0xxxxxxxxxxAQf/fake\n=abcd\n-----END PGP MESSAGE-----\n")],
        "; protocol=\"application/pgp-encrypted\"")
    B.add(B.msg(S + "multipart/encrypted (pgp, fake)", body, ct, ""), S + "multipart/encrypted (pgp, fake)",
          "encrypted")
    ical = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//postern seed//EN\r\nMETHOD:REQUEST\r\n"
            "BEGIN:VEVENT\r\nUID:sample@example.test\r\nDTSTAMP:20260730T100000Z\r\n"
            "DTSTART:20260801T100000Z\r\nDTEND:20260801T110000Z\r\nSUMMARY:Sample event\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
    ct, body = mp("alternative", "cal-1", [
        part("text/plain; charset=us-ascii", "You are invited to: Sample event.\n"),
        part("text/calendar; charset=utf-8; method=REQUEST", ical, "7bit")])
    B.add(B.msg(S + "text/calendar invitation", body, ct, ""), S + "text/calendar invitation", "calendar")

    # ---- size and line length
    big = bytes((i * 7919) % 251 for i in range(1 << 20))
    ct, body = mp("mixed", "big-1", [
        part("text/plain; charset=us-ascii", "A 1 MiB attachment follows.\n"),
        part("application/octet-stream; name=\"big.bin\"", b64(big), "base64",
             "attachment; filename=\"big.bin\"; size=1048576")])
    B.add(B.msg(S + "1 MiB attachment", body, ct, ""), S + "1 MiB attachment", "large",
          attachments=["big.bin"])
    B.add(B.msg(S + "very long line (20000 chars)", "x" * 20000 + "\nend\n"),
          S + "very long line (20000 chars)", "long-line",
          note="over RFC 5322's 998-octet limit; wrap when showing")
    B.add(B.msg(S + "base64 text body with CRLF", b64("Line one.\r\nLine two.\r\n"),
                "text/plain; charset=us-ascii", "base64"),
          S + "base64 text body with CRLF", "base64-crlf", text="Line two.")

    # ---- malformed MIME
    M = "[mime] malformed: "
    B.add(B.msg(M + "missing closing boundary", "--b1\nContent-Type: text/plain\n\nFirst part.\n"
                "--b1\nContent-Type: text/plain\n\nSecond part, never closed.\n",
                "multipart/mixed; boundary=\"b1\"", ""),
          M + "missing closing boundary", "bad-no-close", text="never closed")
    B.add(B.msg(M + "boundary never appears", "Text that has no boundary lines at all.\n",
                "multipart/mixed; boundary=\"nowhere\"", ""),
          M + "boundary never appears", "bad-no-boundary",
          note="treat the body as the preamble / show it as text")
    B.add(B.msg(M + "multipart without boundary parameter", "Body of a multipart without boundary=.\n",
                "multipart/mixed", ""), M + "multipart without boundary parameter", "bad-no-boundary-param")
    B.add(B.msg(M + "unquoted boundary with specials", "--a=b?c\nContent-Type: text/plain\n\nOK part.\n"
                "--a=b?c--\n", "multipart/mixed; boundary=a=b?c", ""),
          M + "unquoted boundary with specials", "bad-boundary-specials", text="OK part.")
    B.add(B.msg(M + "content-type without subtype", "Type 'text' alone.\n", "text", "7bit"),
          M + "content-type without subtype", "bad-no-subtype", text="Type 'text' alone.")
    B.add(B.msg(M + "garbage content-type", "Garbage type: treat as text/plain.\n", ";;; ;=;", "7bit"),
          M + "garbage content-type", "bad-content-type")
    B.add(B.msg(M + "unknown transfer-encoding", "begin 644 x.txt\n#86)C\n`\nend\n",
                "text/plain; charset=us-ascii", "x-uuencode"),
          M + "unknown transfer-encoding", "bad-cte")
    B.add(B.msg(M + "invalid base64", "SGVsbG8g!!!d29y bGQ*\n===\nIGFnYWlu\n", "text/plain; charset=us-ascii",
                "base64"), M + "invalid base64", "bad-base64",
          note="decoders skip invalid characters: 'Hello world again'-like output, no error")
    B.add(B.msg(M + "invalid quoted-printable", "Bad =ZZ escape, lone = at end =\nsoft break, =3D ok, =e9 lower\n",
                "text/plain; charset=iso-8859-1", "quoted-printable"),
          M + "invalid quoted-printable", "bad-qp", text="Bad =ZZ escape")
    B.add(B.msg(M + "invalid utf-8 in a utf-8 body", b"Bad bytes: \xff\xfe \xc3\x28 \xe2\x82 end \xed\xa0\x80\n",
                "text/plain; charset=utf-8", "8bit"),
          M + "invalid utf-8 in a utf-8 body", "bad-utf8", text="Bad bytes:", note="replacement characters")
    B.items.append((("From: Raw Latin-1 <raw@example.test>\nTo: %s\nDate: %s\n" % (TO, B.date())).encode()
                    + b"Subject: [mime] malformed: raw 8-bit latin-1 header Gr\xfc\xdfe\n"
                    + b"MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n\nK\xf6rper.\n",
                    {"subject": "[mime] malformed: raw 8-bit latin-1 header Gr?\u00dfe", "case": "bad-8bit-header",
                     "source": "generated",
                     "expect": {"note": "raw ISO-8859-1 bytes in Subject: not UTF-8; shown with "
                                        "replacement characters or guessed, never an error"}}))
    B.add(B.msg(M + "nul and bare cr", b"NUL here:\x00: and a bare CR here:\r: end.\n",
                "text/plain; charset=us-ascii", "7bit"), M + "nul and bare cr", "bad-nul-cr")
    B.add(B.msg(M + "header line over 998 octets", "Long header above.\n",
                extra="X-Long: " + "y" * 3000 + "\n"), M + "header line over 998 octets", "bad-long-header")
    B.add(B.msg(M + "duplicate content-type", "Which Content-Type wins? (the first, usually)\n",
                "text/plain; charset=us-ascii", "7bit", extra="Content-Type: text/html; charset=us-ascii\n"),
          M + "duplicate content-type", "bad-dup-ct")
    B.add(B.msg("", "Broken encoded words in Subject and From.\n",
                frm="=?UTF-8?B?invalid base64?= <x@example.test>",
                raw_subject="[mime] malformed: encoded words =?UTF-8?B?!!!?= =?no-such?Q?x?= =?UTF-8?Q?a=0Ab?="),
          "[mime] malformed: encoded words", "bad-encoded-words",
          note="undecodable words stay as they are; =0A decodes to a newline in a one-line field")
    nest_open = "".join("--n%d\nContent-Type: multipart/mixed; boundary=\"n%d\"\n\n" % (i, i + 1) for i in range(60))
    nest_close = "".join("--n%d--\n" % i for i in range(60, -1, -1))
    B.add(B.msg(M + "60 levels of nested multipart", nest_open + "--n60\nContent-Type: text/plain\n\n"
                "Deepest part.\n" + nest_close, "multipart/mixed; boundary=\"n0\"", ""),
          M + "60 levels of nested multipart", "bad-deep-nesting",
          note="Dovecot caps the depth it parses; clients must not recurse without a limit")
    B.add(B.msg(M + "headers only, no body", b"", extra=""), M + "headers only, no body", "bad-headers-only")
    B.items.append(((("From: %s\nTo: %s\nSubject: [mime] malformed: no blank line after headers\nDate: %s\n"
                      % (FROM, TO, B.date())) + "This: looks like a header\nbut this line is body text?\n").encode(),
                    {"subject": "[mime] malformed: no blank line after headers", "case": "bad-no-blank-line",
                     "source": "generated", "expect": {}}))
    B.items.append((("Subject: [mime] malformed: no From, no Date, no Message-ID\n\nBare.\n").encode(),
                    {"subject": "[mime] malformed: no From, no Date, no Message-ID", "case": "bad-minimal",
                     "source": "generated", "expect": {"text": "Bare."}}))
    B.items.append((b"", {"subject": "", "case": "bad-empty-file", "source": "generated",
                          "expect": {"note": "a 0-byte message"}}))
    B.add(B.msg(M + "group syntax and odd addresses", "Odd address forms.\n",
                frm="\"Quoted \\\"Name\\\"\" <quoted@example.test>",
                to="undisclosed-recipients:;",
                extra="Cc: team: a@example.test, \"B, Comma\" <b@example.test>;, c@[192.0.2.1], "
                      "\"odd@local\"@example.test, (comment only)\nReply-To: <>\n"),
          M + "group syntax and odd addresses", "bad-addresses")
    B.add(B.msg(M + "text part marked as attachment", "The only body part is an attachment.\n",
                "text/plain; charset=us-ascii", "7bit",
                extra="Content-Disposition: attachment; filename=\"body.txt\"\n"),
          M + "text part marked as attachment", "body-as-attachment", attachments=["body.txt"])
    B.add(B.msg(M + "date garbage", "Date header is garbage.\n").replace(
        ("Date: %s\n" % B.date()).encode(), b"Date: Someday, 45 Foo 20261 99:99:99 +9999\n"),
          M + "date garbage", "bad-date", note="sort by INTERNALDATE or treat as missing")
    B.add(B.msg(M + "preamble and epilogue look like boundaries",
                "--notit\nThis preamble line resembles a boundary.\n--ep-1x\n--ep-1\nContent-Type: text/plain\n\n"
                "Real part.\n--ep-1--\n--ep-1\nEpilogue that looks like another part.\n",
                "multipart/mixed; boundary=\"ep-1\"", ""),
          M + "preamble and epilogue look like boundaries", "bad-preamble", text="Real part.")


# ------------------------------------------------------------------ hostile
def hostile(B, payloads, marker):
    info = []
    for i, p in enumerate(payloads, 1):
        subj = "[xss %03d]" % i
        B.add(B.msg(subj, qp(p), "text/html; charset=utf-8", "quoted-printable"), subj, "dompurify",
              source="dompurify/payloads.json #%d" % i)
        info.append({"marker_paths": [],
                     "expect": ["no script runs", "no request leaves the page for remote content"]})

    def M(tag):
        return marker + tag

    def js(tag):
        return "alert('%s')" % tag

    hand = []

    marker_re = re.compile(re.escape(marker) + r"[A-Za-z0-9._/-]*")

    def H(num, what, html, expect, ctype="text/html; charset=utf-8", raw_body=None, extra="",
          cte="quoted-printable", subject=None, raw_subject=None, frm=FROM, exp_extra=None, scan=""):
        tag = "h%02d" % num
        subj = subject or "[xss %s] %s" % (tag, what)
        body = raw_body if raw_body is not None else qp(html)
        data = B.msg(subj, body, ctype, cte, frm=frm, extra=extra, raw_subject=raw_subject)
        text = (html or "") + (raw_body if isinstance(raw_body, str) else "") + scan
        paths = sorted(set(m[len(marker):] for m in marker_re.findall(text)))
        B.add(data, subj, "handwritten", source="hand-written " + tag, **(exp_extra or {}))
        hand.append(tag)
        info.append({"marker_paths": paths, "expect": expect})

    NOJS = "no script runs (no alert)"
    NOREMOTE = "no request to the marker before remote content is allowed"
    H(1, "svg use", '<svg width="100" height="100"><use href="%s#x"/></svg>'
      '<svg><use xlink:href="data:image/svg+xml;base64,%s#x"/></svg>'
      % (M("h01-use.svg"), base64.b64encode(('<svg id="x" xmlns="http://www.w3.org/2000/svg">'
                                             '<image href="1" onerror="%s"/></svg>' % js("h01")).encode()).decode()),
      [NOJS, NOREMOTE])
    H(2, "svg animate and set", '<svg><a><animate attributeName="href" values="javascript:%s"/>'
      '<text x="20" y="20">click me</text></a></svg>'
      '<svg><set attributeName="onmouseover" to="%s"/></svg>'
      '<svg><animate onbegin="%s" attributeName="x" dur="1s"/></svg>'
      '<svg><a xlink:href="javascript:%s"><text x="20" y="40">xlink</text></a></svg>'
      % (js("h02"), js("h02"), js("h02"), js("h02")), [NOJS, "links are not javascript:"])
    H(3, "svg feImage", '<svg width="100" height="100"><filter id="f"><feImage href="%s"/></filter>'
      '<rect filter="url(#f)" width="100" height="100"/></svg>'
      '<svg><filter id="g"><feImage xlink:href="%s"/></filter><rect filter="url(#g)" width="10" height="10"/></svg>'
      % (M("h03-feimage.png"), M("h03-feimage-xlink.png")), [NOREMOTE])
    H(4, "mathml", '<math><mtext><table><mglyph><style><img src=x onerror="%s">'
      '</style></mglyph></table></mtext></math>'
      '<math href="javascript:%s">click math</math>'
      '<math><maction actiontype="statusline" xlink:href="javascript:%s">x</maction></math>'
      '<math><mi xlink:href="data:x,<script>%s</script>">y</mi></math>'
      % (js("h04"), js("h04"), js("h04"), js("h04")), [NOJS])
    H(5, "base href", '<base href="%s"><p><img src="relative.png" alt="relative image">'
      '<a href="page.html">relative link</a></p>' % M("h05-base/"),
      [NOREMOTE, "a <base> does not change where relative URLs point"])
    H(6, "meta refresh", '<meta http-equiv="refresh" content="0;url=%s">'
      '<meta http-equiv="refresh" content="1;url=javascript:%s"><p>Stay here.</p>' % (M("h06-refresh"), js("h06")),
      [NOJS, NOREMOTE, "the page does not navigate"])
    H(7, "form action", '<form action="%s" method="post"><p>Your password please:</p>'
      '<input name="password" type="password"><button>Sign in</button>'
      '<button formaction="%s">Other</button><input type="image" src="%s"></form>'
      % (M("h07-form"), M("h07-formaction"), M("h07-input.png")),
      [NOREMOTE, "forms cannot submit anywhere"])
    H(8, "iframe srcdoc, object, embed", '<iframe srcdoc="&lt;script&gt;%s&lt;/script&gt;&lt;img src=%s&gt;"></iframe>'
      '<iframe src="%s"></iframe><iframe src="javascript:%s"></iframe>'
      '<object data="%s"></object><embed src="%s">'
      '<object data="data:text/html,&lt;script&gt;%s&lt;/script&gt;"></object>'
      '<frameset><frame src="%s"></frameset>'
      % (js("h08"), M("h08-srcdoc.png"), M("h08-iframe"), js("h08"), M("h08-object"), M("h08-embed"),
         js("h08"), M("h08-frame")), [NOJS, NOREMOTE])
    H(9, "css url()", '<style>body{background-image:url(\'%s\')}</style>'
      '<div style="background:url(%s)">div background</div>'
      '<table background="%s"><tr><td>table background</td></tr></table>'
      '<div style="list-style-image:url(%s);cursor:url(%s),auto;border-image:url(%s) 30">more</div>'
      '<div style="content:url(%s)">content</div>'
      % (M("h09-style.png"), M("h09-bg.png"), M("h09-table.png"), M("h09-list.png"), M("h09-cursor.png"),
         M("h09-border.png"), M("h09-content.png")), [NOREMOTE])
    H(10, "css @import and link", '<style>@import url(%s); @import \'%s\';</style>'
      '<link rel="stylesheet" href="%s"><p>styled?</p>'
      % (M("h10-import.css"), M("h10-import2.css"), M("h10-link.css")), [NOREMOTE])
    H(11, "css expression and escapes", '<div style="width:expression(%s)">expression</div>'
      '<div style="behavior:url(%s)">behavior</div>'
      '<div style="-moz-binding:url(%s#x)">binding</div>'
      '<div style="background:\\75\\72\\6c(%s)">escaped url</div>'
      '<style>p{background:u\\rl(%s)}</style><p>escaped in style</p>'
      % (js("h11"), M("h11.htc"), M("h11-binding.xml"), M("h11-escaped.png"), M("h11-escaped2.png")),
      [NOJS, NOREMOTE])
    H(12, "javascript links", '<a href="javascript:%s">plain</a> <a href="JaVaScRiPt:%s">case</a> '
      '<a href="&#106;avascript:%s">entity</a> <a href=" javascript:%s">space</a> '
      '<a href="java&#x09;script:%s">tab</a> <a href="vbscript:msgbox(1)">vbscript</a> '
      '<map name="m"><area shape="rect" coords="0,0,50,50" href="javascript:%s"></map>'
      % tuple(js("h12") for _ in range(6)), [NOJS, "no link keeps a javascript:/vbscript: URL"])
    H(13, "data links", '<a href="data:text/html;base64,%s">data html</a> '
      '<a href="data:text/html,&lt;script&gt;%s&lt;/script&gt;">data inline</a> '
      '<img src="data:image/svg+xml;base64,%s" alt="svg data image">'
      % (base64.b64encode(("<script>%s</script>" % js("h13")).encode()).decode(), js("h13"),
         base64.b64encode(('<svg xmlns="http://www.w3.org/2000/svg" onload="%s"><circle r="5"/></svg>'
                           % js("h13")).encode()).decode()),
      [NOJS, "data:text/html links are removed or inert"])
    H(14, "", "<p>The Subject and From of this message decode to markup.</p>",
      [NOJS, "subject and sender are shown as text, markup visible literally"],
      subject="[xss h14] <img src=x onerror=%s>" % js("h14-subject"),
      raw_subject=ew("[xss h14] <img src=x onerror=%s>" % js("h14-subject")),
      frm="%s <evil@example.test>" % ew("<script>%s</script>" % js("h14-from")),
      exp_extra={"subject": "[xss h14] <img src=x onerror=%s>" % js("h14-subject"),
                 "from": "<script>%s</script>" % js("h14-from")})
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50" onload="%s">'
           '<script>%s</script><circle r="20" cx="25" cy="25"/></svg>' % (js("h15-svg"), js("h15-svg")))
    htm = "<html><body><script>%s</script><p>attached page</p></body></html>" % js("h15-html")
    names = ["<img src=x onerror=%s>.txt" % js("h15-name"), "../../../../etc/passwd",
             "..\\..\\windows\\system32\\evil.dll", "invoice\u202efdp.exe", "page.html", "drawing.svg",
             'a"; filename="b.exe', "evil.txt%00.exe", "long-" + "n" * 300 + ".txt", " .hidden",
             "CON.txt"]
    parts = [part("text/plain; charset=utf-8", "Attachments with hostile names follow.\n")]
    for n in names:
        if n == "page.html":
            parts.append(part("text/html; charset=utf-8; name=\"page.html\"", qp(htm), "quoted-printable",
                              "attachment; filename=\"page.html\""))
        elif n == "drawing.svg":
            parts.append(part("image/svg+xml; name=\"drawing.svg\"", b64(svg), "base64",
                              "attachment; filename=\"drawing.svg\""))
        else:
            enc = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else
                          "".join("%%%02X" % b for b in c.encode("utf-8")) for c in n)
            parts.append(part("application/octet-stream", b64(b"payload for " + n.encode("utf-8")), "base64",
                              "attachment; filename*=UTF-8''%s" % enc))
    ct, body = mp("mixed", "att-evil", parts)
    H(15, "hostile attachment names", None,
      [NOJS, "names shown as text; no path is honoured on download (base name only); RTL override "
             "neutralised or visible; .html/.svg never rendered inline from the portal's origin "
             "(Content-Disposition: attachment, X-Content-Type-Options: nosniff, or a sandbox)"],
      ctype=ct, raw_body=body, cte="", exp_extra={"attachments": names})
    H(16, "remote images fonts media", '<img src="%s" alt="img"><img srcset="%s 1x, %s 2x">'
      '<picture><source srcset="%s"><img src="%s"></picture>'
      '<video poster="%s" src="%s"></video><audio src="%s" autoplay></audio>'
      '<video><track src="%s"></video>'
      '<link rel="preload" href="%s" as="image"><link rel="prefetch" href="%s">'
      '<link rel="dns-prefetch" href="%s"><link rel="icon" href="%s">'
      '<style>@font-face{font-family:x;src:url(%s)} p{font-family:x}</style><p>font</p>'
      '<svg><image href="%s" width="10" height="10"/></svg>'
      '<img src="x" onerror="this.src=\'%s\'"><img lowsrc="%s" src="cid:missing">'
      '<a ping="%s" href="#">ping (only on click)</a>'
      % (M("h16-img.png"), M("h16-srcset1.png"), M("h16-srcset2.png"), M("h16-source.png"),
         M("h16-picture.png"), M("h16-poster.png"), M("h16-video.mp4"), M("h16-audio.mp3"), M("h16-track.vtt"),
         M("h16-preload.png"), M("h16-prefetch"), M("h16-dns"), M("h16-icon.ico"), M("h16-font.woff"),
         M("h16-svgimage.png"), M("h16-onerror.png"), M("h16-lowsrc.png"), M("h16-ping")),
      [NOJS, NOREMOTE, "after 'show remote content' only images may load, never scripts"])
    H(17, "script and event handlers", '<script>%s</script><script src="%s"></script>'
      '<body onload="%s"><details open ontoggle="%s"><summary>x</summary></details>'
      '<img src=x onerror="%s"><svg onload="%s"></svg><marquee onstart="%s">m</marquee>'
      '<input autofocus onfocus="%s"><video><source onerror="%s"></video>'
      % (js("h17"), M("h17.js"), js("h17"), js("h17"), js("h17"), js("h17"), js("h17"), js("h17"), js("h17")),
      [NOJS, NOREMOTE])
    H(18, "mutation xss", '<noscript><p title="</noscript><img src=x onerror=%s>"></p></noscript>'
      '<template><script>%s</script></template>'
      '<svg></p><style><a id="</style><img src=1 onerror=%s>">'
      '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=%s src=1>"></path>'
      '</textarea></mtext></svg></mglyph></mi></math>'
      '<form><math><mtext></form><form><mglyph><style></math><img src onerror=%s>'
      % (js("h18"), js("h18"), js("h18"), js("h18"), js("h18")), [NOJS])
    H(19, "dom clobbering", '<form id="document"><input name="cookie"></form>'
      '<img name="getElementById"><a id="location" href="%s">x</a>'
      '<form name="body"><input name="innerHTML"></form><a id="defaultView"></a>' % M("h19-clobber"),
      ["portal scripts keep working (names and ids are prefixed or removed)", NOREMOTE])
    H(20, "links open safely", '<a href="%s" target="_blank">target _blank</a> '
      '<a href="%s" target="_top">target _top</a> <a href="%s" download>download</a>'
      % (M("h20-blank"), M("h20-top"), M("h20-download")),
      ["links open in a new tab with rel=noopener noreferrer, never replace the portal", NOREMOTE])
    H(21, "markup in text/plain", None,
      ["the text is shown literally, nothing is interpreted"], ctype="text/plain; charset=utf-8",
      raw_body=("<script>%s</script>\n<img src=%s onerror=%s>\n<b>not bold</b> &amp; not an entity\n"
                % (js("h21"), M("h21-plain.png"), js("h21"))), cte="8bit",
      exp_extra={"text": "<b>not bold</b> &amp; not an entity"})
    evil = "<p>HTML part <script>%s</script><img src=%s></p>" % (js("h22"), M("h22-alt.png"))
    ct, body = mp("alternative", "alt-evil", [
        part("text/plain; charset=us-ascii", "Plain part: nothing to see.\n"),
        part("text/html; charset=utf-8", qp(evil), "quoted-printable")])
    H(22, "alternative with a hostile html part", None,
      [NOJS, NOREMOTE], ctype=ct, raw_body=body, cte="", scan=evil)
    ct, body = mp("related", "rel-evil", [
        part("text/html; charset=utf-8", qp('<p>cid images: <img src="cid:svg1@evil"> '
                                            '<iframe src="cid:html1@evil"></iframe></p>'), "quoted-printable"),
        part("image/svg+xml", b64(svg), "base64", None, "svg1@evil"),
        part("text/html; charset=utf-8", qp(htm), "quoted-printable", None, "html1@evil")],
        "; type=\"text/html\"")
    H(23, "cid parts with svg and html", None,
      [NOJS, "cid: parts are served as inert data (svg in <img> is inert; never a document on the "
             "portal's origin)"], ctype=ct, raw_body=body, cte="")
    utf7html = "<p>UTF-7 html: +ADw-script+AD4-alert('h24')+ADw-/script+AD4- and +ADw-img src=x onerror=%s+AD4-</p>" % js("h24")
    H(24, "utf-7 html", None, [NOJS, "UTF-7 decodes to markup, which the sanitizer then removes"],
      ctype="text/html; charset=UTF-7", raw_body=utf7html, cte="7bit")
    H(25, "meta charset and csp tricks", '<meta charset="utf-7"><meta http-equiv="Content-Security-Policy" '
      'content="script-src \'unsafe-inline\' *"><meta http-equiv="set-cookie" content="pwn=1">'
      '<p>+ADw-script+AD4-%s+ADw-/script+AD4-</p><script>%s</script>' % (js("h25"), js("h25")),
      [NOJS, "meta tags in mail cannot change the charset, the CSP or cookies"])
    H(26, "svg document body", None, [NOJS, "an image/svg+xml body is never a document on the portal's origin"],
      ctype="image/svg+xml", raw_body=b64(svg), cte="base64")
    H(27, "html attachment shown inline", None,
      [NOJS, "a second text/html part with disposition inline is not rendered as the page"],
      ctype='multipart/mixed; boundary="inl-1"',
      raw_body=("--inl-1\nContent-Type: text/plain\n\nBody text.\n--inl-1\nContent-Type: text/html; charset=utf-8\n"
                "Content-Disposition: inline\n\n<script>%s</script><p>inline html part</p>\n--inl-1--\n" % js("h27")),
      cte="")
    H(28, "deep nesting", "<div>" * 5000 + "deep" + "</div>" * 5000 + "<b>" * 3000 + "bold",
      ["the sanitizer finishes (or truncates) without hanging or crashing"])
    H(29, "style escapes from the message", '<style>body,html,*{display:none!important} '
      '.portal,#app{display:none} @media all{*{background:red}}</style>'
      '<div style="position:fixed;top:0;left:0;width:100%%;height:100%%;z-index:2147483647;'
      'background:white">Fake login: <a href="%s">sign in again</a></div>' % M("h29-phish"),
      ["message CSS cannot hide or cover the portal (scoped/sandboxed, fixed positioning removed)", NOREMOTE])
    H(30, "javascript in svg attachment link", '<a href="cid:svg1@nowhere">open</a>'
      '<svg><a href="%s"><circle r="5"/></a><foreignObject><iframe src="%s"></iframe></foreignObject></svg>'
      % (M("h30-svg-link"), M("h30-foreign")), [NOREMOTE])
    return hand, info


# ------------------------------------------------------------------ corpus
def corpus_files(corpus):
    sets = [("mimekit/messages", None), ("mailparser/fixtures", ".eml"), ("cpython/test_email/data", None),
            ("libetpan/imf/data/messages", None), ("libetpan/mime/data/messages", None),
            ("libetpan/mime/data/fields", None), ("libetpan/mime-parser/data/input/messages", None),
            ("libetpan/mime-parser/data/input/regression", None),
            ("libetpan/mime-parser/data/input/mbox/simple", None),
            ("libetpan/plaintext-rendering/data/input", None)]
    out, skipped = [], []
    for d, ext in sets:
        full = os.path.join(corpus, d)
        if not os.path.isdir(full):
            continue
        for n in sorted(os.listdir(full)):
            p = os.path.join(full, n)
            if not os.path.isfile(p) or (ext and not n.endswith(ext)):
                continue
            rel = os.path.join(d, n)
            if os.path.getsize(p) > MAX_CORPUS:
                skipped.append(rel)
                continue
            out.append(rel)
    return out, skipped


def structure(data):
    try:
        m = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as e:  # noqa: BLE001 - report, never fail
        return "unparsable: %s" % e

    def walk(p, depth=0):
        if depth > 12:
            return "..."
        t = p.get_content_type()
        if p.is_multipart():
            return "%s(%s)" % (t, ",".join(walk(c, depth + 1) for c in p.get_payload()))
        return t
    return walk(m)


def decoded_subject(data):
    try:
        m = email.message_from_bytes(data, policy=email.policy.default)
        s = m.get("Subject")
        return str(s) if s is not None else None
    except Exception:  # noqa: BLE001
        return None


def write_folder(root, name, items, force, uid, gid, tag):
    d = seedlib.maildir_folder_dir(root, name)
    if os.path.exists(d):
        if not force:
            return None
        shutil.rmtree(d)
    seedlib.make_maildir(d)
    w = seedlib.MaildirWriter(tag)
    for i, (data, _) in enumerate(items):
        w.add(d, data, BASE_TS + 60 * i, flags="")
    seedlib.chown_tree(d, uid, gid)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--maildir", required=True, help="the Maildir++ root (e.g. HOME/Maildir)")
    ap.add_argument("--folder", default="Samples", help="folder for the MIME samples")
    ap.add_argument("--hostile-folder", default="Hostile", help="folder for the hostile HTML set")
    seedlib.add_owner_args(ap)
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(REPO), "shared", "corpus"),
                    help="shared corpus directory (read in place)")
    ap.add_argument("--marker", default="http://127.0.0.1:9/marker/",
                    help="base URL of the remote-content marker (ends with /)")
    ap.add_argument("--force", action="store_true", help="rewrite folders that exist")
    args = ap.parse_args()
    t0 = time.time()
    marker = args.marker if args.marker.endswith("/") else args.marker + "/"
    for n in (args.folder, args.hostile_folder):
        if "." in n or n.upper() == "INBOX" or n.startswith("~") or not n:
            ap.error("folder name %r cannot be a Maildir++ folder" % n)

    png = seedlib.tiny_png(20, 12)
    pdf = seedlib.tiny_pdf("postern MIME sample")

    S = Builder("sample")
    samples(S, png, pdf)
    n_generated = len(S.items)
    corpus = os.path.abspath(args.corpus)
    skipped = []
    if os.path.isdir(corpus):
        files, skipped = corpus_files(corpus)
        for rel in files:
            with open(os.path.join(corpus, rel), "rb") as fh:
                data = fh.read()
            S.items.append((data, {"subject": decoded_subject(data), "case": "corpus",
                                   "source": "corpus/" + rel, "expect": {}}))
    else:
        print("seed_mime: warning: corpus %s not found: generated samples only" % corpus, file=sys.stderr)

    Hb = Builder("hostile")
    payloads = []
    pj = os.path.join(corpus, "dompurify", "payloads.json")
    if os.path.exists(pj):
        with open(pj, encoding="utf-8") as fh:
            payloads = json.load(fh)
    else:
        print("seed_mime: warning: %s not found: hand-written hostile set only" % pj, file=sys.stderr)
    hand, hinfo = hostile(Hb, payloads, marker)

    root = os.path.abspath(args.maildir)
    made = seedlib.makedirs_owned(root, args.uid, args.gid)
    old_umask = os.umask(0o077)
    try:
        seedlib.make_maildir(root, folder=False)
        wrote = []
        for name, B, tag in ((args.folder, S, "M"), (args.hostile_folder, Hb, "X")):
            d = write_folder(root, name, B.items, args.force, args.uid, args.gid, tag)
            if d is None:
                print("seed_mime: folder %s exists, left alone (--force rewrites it)" % name)
            else:
                wrote.append(name)
        if made:
            seedlib.chown_tree(root, args.uid, args.gid)
    finally:
        os.umask(old_umask)

    smsgs = []
    for i, (data, f) in enumerate(S.items, 1):
        e = {"uid": i, "subject": f["subject"], "case": f["case"], "source": f["source"],
             "bytes": len(data), "structure": structure(data)}
        if f["expect"]:
            e["expect"] = f["expect"]
        smsgs.append(e)
    hmsgs = []
    for i, ((data, f), extra) in enumerate(zip(Hb.items, hinfo), 1):
        e = {"uid": i, "subject": f["subject"], "source": f["source"],
             "marker_paths": extra["marker_paths"], "expect": extra["expect"]}
        if f["expect"]:
            e.update(f["expect"])
        hmsgs.append(e)
    facts = {
        "marker": marker,
        "samples": {"folder": args.folder, "count": len(S.items), "generated": n_generated,
                    "corpus": len(S.items) - n_generated, "corpus_skipped_over_512k": skipped,
                    "messages": smsgs},
        "hostile": {"folder": args.hostile_folder, "count": len(Hb.items), "payloads": len(payloads),
                    "handwritten": len(hand),
                    "note": "[xss NNN]: DOMPurify payload NNN (its expected sanitizer output is entry "
                            "NNN of corpus/dompurify/expect.mjs); [xss hNN]: hand-written",
                    "messages": hmsgs},
    }
    facts_path = os.path.join(os.path.dirname(root), "mime-facts.json")
    seedlib.write_json(facts_path, facts, args.uid, args.gid)
    print("seed_mime: %s %d messages (%d generated, %d from the corpus, %d skipped > 512 KB), "
          "%s %d (%d payloads + %d hand-written) in %.2fs; wrote %s; facts: %s"
          % (args.folder, len(S.items), n_generated, len(S.items) - n_generated, len(skipped),
             args.hostile_folder, len(Hb.items), len(payloads), len(hand), time.time() - t0,
             ", ".join(wrote) or "nothing", facts_path))


if __name__ == "__main__":
    sys.exit(main())
