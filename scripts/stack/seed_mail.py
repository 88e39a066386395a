#!/usr/bin/python3
"""Seed the demo/test mailboxes of postern's stack (stdlib only).

Writes Maildir files directly (no server needed, ~0.1 s):

  alice@example.test  INBOX ~40 messages of every shape the portal must show
                      (plain, HTML-only, multipart/alternative, PDF and image
                      attachments, RFC 2047/2231 names, ISO-2022-JP,
                      format=flowed, a long thread, flags), plus Sent,
                      Drafts, Archive, Junk, Trash, Projects, Projects/2026
  pop@example.test    INBOX 30 messages

Content is deterministic; dates are fixed offsets back from "now" (the
file mtime, which Dovecot uses as INTERNALDATE, matches the Date: header).
A user is seeded only if its Maildir does not exist yet.

Usage: seed_mail.py --mail-root DIR [--uid N --gid N]
       (Maildir of USER@DOMAIN: DIR/DOMAIN/USER/Maildir)
"""
import argparse
import os
import random
import struct
import sys
import time
import zlib
from email import policy
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import format_datetime
from datetime import datetime, timezone, timedelta

POLICY = policy.default.clone(linesep="\n", max_line_length=78)
NOW = datetime.now(timezone.utc).replace(microsecond=0)

ALICE = ("Alice Liddell", "alice@example.test")
BOB = ("Bob Smith", "bob@elsewhere.test")
CAROL = ("Carol Danvers", "carol@example.test")
ZOE = ("Zoë Müller", "zoe.mueller@beispiel.test")
DAVE = ("Dave O'Connor", "dave@partner.test")
JOSE = ("José Ñúñez", "jose@ejemplo.test")
YUKI = ("山田 由紀", "yuki@example.jp")
IT = ("Example IT Service Desk", "it-desk@example.test")
NEWS = ("The Weekly Byte", "newsletter@news.example.net")
SHOP = ("Parcel Express", "noreply@parcel.example.com")
BILL = ("Accounts Payable", "billing@vendor.example.com")
POP = ("Pat O. Pop", "pop@example.test")


def addr(p):
    name, email = p
    user, domain = email.split("@")
    return Address(display_name=name, username=user, domain=domain)


def ago(days, hours=0, minutes=0):
    return NOW - timedelta(days=days, hours=hours, minutes=minutes)


# --------------------------------------------------------------- payloads
def tiny_pdf(title, lines):
    """A small but valid one-page PDF (Helvetica text)."""
    text = ["BT /F1 18 Tf 72 760 Td (%s) Tj ET" % title]
    y = 720
    for ln in lines:
        text.append("BT /F1 11 Tf 72 %d Td (%s) Tj ET" % (y, ln))
        y -= 16
    stream = "\n".join(text).encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    return bytes(out)


def tiny_png(w=48, h=32):
    """A deterministic RGB gradient PNG."""
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            raw += bytes(((x * 255) // (w - 1), (y * 255) // (h - 1), 160))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


LOREM = ("The quick brown fox jumps over the lazy dog while the committee "
         "reviews the figures for the next quarter and everyone waits for "
         "the coffee machine to be repaired. ")


# --------------------------------------------------------------- builders
class Msg:
    """One message to store: bytes, date, Maildir flags."""
    def __init__(self, msg, date, flags="", raw=None):
        self.msg, self.date, self.flags, self.raw = msg, date, flags, raw

    def bytes(self):
        if self.raw is not None:
            return self.raw
        return self.msg.as_bytes(policy=POLICY)


_mid = [0]


def new(frm, to, subject, date, cc=None, mid=None, reply_to=None, extra=None):
    m = EmailMessage(policy=POLICY)
    m["From"] = addr(frm)
    m["To"] = [addr(t) for t in (to if isinstance(to, list) else [to])]
    if cc:
        m["Cc"] = [addr(c) for c in cc]
    if reply_to:
        m["Reply-To"] = addr(reply_to)
    m["Subject"] = subject
    m["Date"] = format_datetime(date)
    _mid[0] += 1
    m["Message-ID"] = mid or "<seed.%04d.%s>" % (_mid[0], frm[1].replace("@", ".") + "@postern.test")
    for k, v in (extra or {}).items():
        m[k] = v
    return m


def plain(frm, to, subject, date, body, flags="", **kw):
    m = new(frm, to, subject, date, **kw)
    m.set_content(body)
    return Msg(m, date, flags)


def html_only(frm, to, subject, date, html, flags="", **kw):
    m = new(frm, to, subject, date, **kw)
    m.set_content(html, subtype="html")
    return Msg(m, date, flags)


def alternative(frm, to, subject, date, text, html, flags="", **kw):
    m = new(frm, to, subject, date, **kw)
    m.set_content(text)
    m.add_alternative(html, subtype="html")
    return Msg(m, date, flags)


def inbox_alice():
    out = []
    a = ALICE
    out.append(plain(IT, a, "Welcome to Example Mail", ago(27, 3),
        "Hello Alice,\n\nyour mailbox is ready. You can read your mail on the web at\n"
        "https://mail.example.test/ or with any mail program: the settings\n"
        "page shows the server names, ports and encryption to use.\n\n"
        "POP3 downloads the Inbox only; IMAP4 keeps all your folders in sync.\n\n"
        "-- \nExample IT Service Desk\n", flags="S"))

    # ---- a long thread with In-Reply-To/References
    people = [BOB, a, CAROL, ZOE, BOB, a, DAVE, CAROL, a, ZOE]
    bodies = [
        "Hi all,\n\nit's that time again. Can everyone send me their Q1 priorities by Friday?\n"
        "I'd like to have a draft of the plan before the offsite.\n\nThanks,\nBob\n",
        "Mine: finish the migration to the new mail portal, and the autoconfig\n"
        "rollout for the laptops. I'll write them up properly tomorrow.\n\nAlice\n",
        "Security review of the IMAP proxy, and the certificate renewal\nautomation. "
        "Both should fit in Q1.\n\nCarol\n",
        "Hallo zusammen,\n\nfrom the Munich office: the POP3 users still need the\n"
        "\"leave a copy on the server\" instructions in German. I can translate them.\n\n"
        "Viele Grüße,\nZoë\n",
        "Great, thanks everyone. Draft is attached to the wiki page; comments welcome.\n\nBob\n",
        "Looks good. One question: do we budget for the second Redis node in Q1\nor Q2?\n\nAlice\n",
        "From the partner side: we would need the external SMTP settings\n"
        "(465/587) documented before we switch our clients.\n\nDave\n",
        "Q2 for Redis, I think. The single node is fine until the portal has\nmore than a few hundred users.\n\nCarol\n",
        "Agreed. I've moved it. Bob, can you update the draft?\n\nAlice\n",
        "Danke! The German version is on the wiki now.\n\nZoë\n",
    ]
    refs = []
    for i, (who, body) in enumerate(zip(people, bodies)):
        d = ago(20 - i, 2, 7 * i)
        to = [p for p in (a, BOB, CAROL) if p != who] or [BOB]
        subj = "Q1 planning" if i == 0 else "Re: Q1 planning"
        mid = "<q1-planning.%d@postern.test>" % i
        extra = {}
        if refs:
            extra["In-Reply-To"] = refs[-1]
            extra["References"] = " ".join(refs[-8:])
        m = new(who, to, subj, d, cc=[ZOE] if i in (3, 9) else None, mid=mid, extra=extra)
        quoted = "".join("> " + l + "\n" for l in bodies[i - 1].splitlines()) if i else ""
        m.set_content(body + ("\nOn the previous message, someone wrote:\n" + quoted if quoted else ""))
        flags = "S"
        if who == a:
            flags = "S"
        elif i in (1, 4):
            flags = "RS"
        if i >= 8:
            flags = ""
        out.append(Msg(m, d, flags))
        refs.append(mid)

    # ---- HTML-only newsletter with a remote image and tracking links
    out.append(html_only(NEWS, a, "This week: 10 tips for a tidy inbox", ago(18, 5),
        "<!DOCTYPE html><html><head><style>body{font-family:sans-serif} "
        ".hero{background:url(https://news.example.net/bg.jpg)}</style></head><body>"
        "<table width=\"600\" align=\"center\"><tr><td class=\"hero\">"
        "<img src=\"https://news.example.net/logo.png\" alt=\"The Weekly Byte\" width=\"200\">"
        "<h1>10 tips for a tidy inbox</h1>"
        "<p>Folders, filters and the <b>archive</b> button: how to stay on top of your mail.</p>"
        "<ol><li>Archive, don't delete</li><li>Use IMAP, so every device agrees</li>"
        "<li>Unsubscribe from what you never read</li></ol>"
        "<p><a href=\"https://news.example.net/r?u=alice&amp;id=42\">Read the full article</a></p>"
        "<img src=\"https://tracker.example.net/open.gif?u=alice\" width=\"1\" height=\"1\" alt=\"\">"
        "</td></tr></table></body></html>",
        flags="S", extra={"List-Unsubscribe": "<https://news.example.net/unsub?u=alice>",
                          "List-Id": "The Weekly Byte <weekly.news.example.net>"}))

    # ---- hostile HTML (for the sanitizer)
    out.append(html_only(("Prize Team", "winner@prizes.example.org"), a,
        "You have won! (HTML sanitizer test)", ago(17, 9),
        "<html><body onload=\"alert('onload')\"><script>alert('script')</script>"
        "<h2 style=\"color:red\">Congratulations!</h2>"
        "<p>Click <a href=\"javascript:alert('href')\">here</a> to claim your prize.</p>"
        "<img src=\"x\" onerror=\"alert('onerror')\">"
        "<iframe src=\"https://prizes.example.org/frame\"></iframe>"
        "<form action=\"https://prizes.example.org/steal\" method=\"post\">"
        "<input name=\"password\" type=\"password\"><button>Claim</button></form>"
        "<svg><script>alert('svg')</script></svg>"
        "<div style=\"background-image:url('https://prizes.example.org/px.gif')\">styled</div>"
        "</body></html>", flags=""))

    # ---- multipart/alternative messages
    out.append(alternative(SHOP, a, "Your parcel is on its way", ago(16, 1),
        "Hello Alice,\n\nyour parcel 7731-2290 left our depot and will arrive on Thursday.\n\n"
        "Track it: https://parcel.example.com/t/77312290\n",
        "<html><body><p>Hello Alice,</p><p>your parcel <b>7731-2290</b> left our depot "
        "and will arrive on <b>Thursday</b>.</p><p><a href=\"https://parcel.example.com/t/77312290\">"
        "Track your parcel</a></p></body></html>", flags="S"))
    out.append(alternative(CAROL, a, "Certificate renewal checklist", ago(14, 6),
        "Alice,\n\nthe checklist for the renewal:\n\n  1. new key + CSR\n  2. update the chain on the IMAP and SMTP hosts\n"
        "  3. reload dovecot and nginx\n  4. check with openssl s_client\n\nCarol\n",
        "<p>Alice,</p><p>the checklist for the renewal:</p><ol><li>new key + CSR</li>"
        "<li>update the chain on the IMAP and SMTP hosts</li><li>reload dovecot and nginx</li>"
        "<li>check with <code>openssl s_client</code></li></ol><p>Carol</p>", flags="FS"))

    # ---- PDF attachment
    m = new(BILL, a, "Invoice 2026-1187", ago(13, 4))
    m.set_content("Dear customer,\n\nplease find attached invoice 2026-1187 (EUR 1,250.00),\n"
                  "payable within 30 days.\n\nAccounts Payable\n")
    m.add_attachment(tiny_pdf("Invoice 2026-1187", ["Example Vendor Ltd.", "Mail portal licence: EUR 1,250.00",
                                                    "Payable within 30 days."]),
                     maintype="application", subtype="pdf", filename="invoice-2026-1187.pdf")
    out.append(Msg(m, ago(13, 4), "S"))

    # ---- image attachment, and an inline (cid) image in multipart/related
    m = new(ZOE, a, "Foto vom Team-Ausflug 📷", ago(12, 2))
    m.set_content("Hi Alice,\n\nhere's the picture from the outing (small, the big one is on the share).\n\nZoë\n")
    m.add_attachment(tiny_png(), maintype="image", subtype="png", filename="ausflug.png")
    out.append(Msg(m, ago(12, 2), ""))

    m = new(NEWS, a, "Inline image test: the new logo", ago(11, 8))
    m.set_content("Our new logo is in the HTML part of this message.\n")
    m.add_alternative("<html><body><p>Our new logo:</p><img src=\"cid:logo@news.example.net\" alt=\"logo\">"
                      "</body></html>", subtype="html")
    m.get_payload()[1].add_related(tiny_png(64, 24), maintype="image", subtype="png",
                                   cid="<logo@news.example.net>", filename="logo.png")
    out.append(Msg(m, ago(11, 8), "S"))

    # ---- RFC 2047 names and subjects
    out.append(plain(ZOE, a, "Grüße aus München – Übersetzung fertig", ago(10, 3),
        "Liebe Alice,\n\ndie Übersetzung der POP3-Anleitung ist fertig. Schöne Grüße an das ganze Team!\n\nZoë Müller\n"))
    out.append(plain(JOSE, a, "¿Reunión el jueves? Año nuevo, señal nueva", ago(9, 7),
        "Hola Alice,\n\n¿podemos vernos el jueves a las 10:00? Traigo el café.\n\nJosé\n", flags="S"))

    # ---- Japanese, ISO-2022-JP (7bit)
    m = EmailMessage(policy=POLICY)
    from email.header import Header
    from email.mime.text import MIMEText
    jp = MIMEText("アリスさん\n\n来週の会議の議事録を送ります。\nご確認ください。\n\n山田\n", "plain", "iso-2022-jp")
    jp["From"] = "%s <%s>" % (Header(YUKI[0], "iso-2022-jp").encode(), YUKI[1])
    jp["To"] = "Alice Liddell <alice@example.test>"
    jp["Subject"] = Header("会議の議事録について", "iso-2022-jp").encode()
    jp["Date"] = format_datetime(ago(8, 5))
    jp["Message-ID"] = "<minutes.2026@example.jp>"
    out.append(Msg(None, ago(8, 5), "", raw=jp.as_bytes().replace(b"\r\n", b"\n")))

    # ---- format=flowed
    flowed = ("Hi Alice, \n"
              "this paragraph was written by a mail program that uses format=flowed, so \n"
              "every line that ends with a space continues on the next one and a \n"
              "reader may re-wrap it to the width of the window. \n"
              "\n"
              "> Quoted text keeps its own flow: this quote is also one long \n"
              "> paragraph split over two lines. \n"
              "\n"
              "-- \n"
              "Dave\n")
    m = new(DAVE, a, "format=flowed test", ago(7, 9))
    m.set_content(flowed, cte="7bit", params={"format": "flowed", "delsp": "no"})
    out.append(Msg(m, ago(7, 9), "S"))

    # ---- RFC 2231 attachment name (non-ASCII, continuation)
    m = new(ZOE, a, "Lebenslauf für die Stelle", ago(6, 4))
    m.set_content("Anbei der Lebenslauf.\n")
    m.add_attachment("Zoë Müller\nSoftware-Entwicklerin\n".encode("utf-8"), maintype="text",
                     subtype="plain", filename=("utf-8", "", "Lebenslauf Zoë Müller – Übersicht.txt"))
    out.append(Msg(m, ago(6, 4), ""))

    # ---- ISO-8859-1, quoted-printable, long lines
    m = new(JOSE, a, "Café menu (latin-1)", ago(5, 11))
    m.set_content("Menú del día: café con leche, crème brûlée, jalapeño.\n" + LOREM * 3 + "\n",
                  charset="iso-8859-1", cte="quoted-printable")
    out.append(Msg(m, ago(5, 11), "S"))

    # ---- forwarded message as message/rfc822
    inner = new(BOB, CAROL, "Server room access", ago(25))
    inner.set_content("Carol, the new badges for the server room are ready at reception.\n\nBob\n")
    m = new(CAROL, a, "Fwd: Server room access", ago(5, 2))
    m.set_content("FYI, see the forwarded message.\n\nCarol\n")
    m.add_attachment(inner)
    out.append(Msg(m, ago(5, 2), "S"))

    # ---- bounce (multipart/report)
    m = new(("Mail Delivery System", "mailer-daemon@example.test"), a,
            "Undelivered Mail Returned to Sender", ago(4, 9))
    m.set_content("This is the mail system at host mail.example.test.\n\n"
                  "I'm sorry to have to inform you that your message could not\n"
                  "be delivered to one or more recipients.\n\n"
                  "<nobody@nowhere.test>: host nowhere.test said: 550 5.1.1 User unknown\n")
    m.add_attachment("Reporting-MTA: dns; mail.example.test\n\nFinal-Recipient: rfc822; nobody@nowhere.test\n"
                     "Action: failed\nStatus: 5.1.1\n", subtype="delivery-status")
    out.append(Msg(m, ago(4, 9), "S"))

    # ---- many recipients, reply-to
    many = [("Team Member %02d" % i, "member%02d@example.test" % i) for i in range(1, 13)]
    out.append(plain(IT, many[:6] + [a], "Planned maintenance: Saturday 06:00-08:00 UTC", ago(4, 2),
        "Hello,\n\nthe mail servers will be restarted on Saturday between 06:00 and 08:00 UTC.\n"
        "IMAP clients reconnect by themselves; webmail sessions are kept.\n\nIT Service Desk\n",
        flags="S", cc=many[6:], reply_to=("IT Service Desk", "it-desk@example.test")))

    # ---- base64 text body
    m = new(BOB, a, "base64-encoded text body", ago(3, 10))
    m.set_content("This text/plain part is sent base64-encoded. Nothing special, but the\n"
                  "portal has to decode it before showing it.\n", cte="base64")
    out.append(Msg(m, ago(3, 10), ""))

    # ---- empty and very long subjects
    out.append(plain(DAVE, a, "", ago(3, 4), "(no subject on purpose)\n"))
    out.append(plain(CAROL, a, "A very long subject line that goes on and on to check how the "
                     "message list truncates it without breaking the layout of the page at all",
                     ago(2, 20), "See subject.\n", flags="S"))

    # ---- a bigger one (~200 KB of text)
    m = new(IT, a, "Log excerpt (large message)", ago(2, 8))
    m.set_content("".join("2026-01-%02d 12:%02d:%02d imap-login: Login: user=<user%03d@example.test>, "
                          "method=PLAIN, rip=10.1.%d.%d, TLS\n" % (i % 28 + 1, i % 60, (i * 7) % 60,
                                                                  i % 1000, i % 250, (i * 3) % 250)
                          for i in range(2200)))
    out.append(Msg(m, ago(2, 8), ""))

    # ---- calendar invitation (text + text/calendar)
    m = new(CAROL, a, "Invitation: Portal go-live review", ago(2, 3))
    m.set_content("Carol invites you to: Portal go-live review, in room 4.12.\n")
    start = (NOW + timedelta(days=3)).strftime("%Y%m%dT100000Z")
    end = (NOW + timedelta(days=3)).strftime("%Y%m%dT110000Z")
    m.add_alternative("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//postern seed//EN\r\nMETHOD:REQUEST\r\n"
                      "BEGIN:VEVENT\r\nUID:go-live-review@example.test\r\nDTSTAMP:%s\r\nDTSTART:%s\r\n"
                      "DTEND:%s\r\nSUMMARY:Portal go-live review\r\nLOCATION:Room 4.12\r\n"
                      "ORGANIZER;CN=Carol Danvers:mailto:carol@example.test\r\n"
                      "ATTENDEE;CN=Alice Liddell;RSVP=TRUE:mailto:alice@example.test\r\n"
                      "END:VEVENT\r\nEND:VCALENDAR\r\n" % (start, start, end),
                      subtype="calendar", params={"method": "REQUEST"})
    out.append(Msg(m, ago(2, 3), "S"))

    # ---- 8bit UTF-8 body with emoji
    m = new(JOSE, a, "Fiesta 🎉 el viernes", ago(1, 22))
    m.set_content("¡Hola! 🎉 Fiesta de fin de proyecto el viernes a las 18:00. "
                  "Habrá tapas 🥘 y música 🎶.\n\nJosé\n", cte="8bit")
    out.append(Msg(m, ago(1, 22), "S"))

    # ---- attachment only, no text part
    m = new(DAVE, a, "data export", ago(1, 15))
    m.add_attachment(bytes(range(256)) * 8, maintype="application", subtype="octet-stream",
                     filename="export.bin")
    out.append(Msg(m, ago(1, 15), ""))

    # ---- high priority, flagged
    out.append(plain(IT, a, "Action required: your password expires in 5 days", ago(1, 9),
        "Hello Alice,\n\nyour password expires in 5 days. Change it on the portal's\n"
        "account page.\n\nIT Service Desk\n", flags="FS",
        extra={"X-Priority": "1 (Highest)", "Importance": "high"}))

    # ---- security notice, alternative
    out.append(alternative(IT, a, "New sign-in to your mailbox", ago(1, 7),
        "A new IMAP sign-in from 192.0.2.44 (Thunderbird) was recorded.\n",
        "<p>A new <b>IMAP</b> sign-in from <code>192.0.2.44</code> (Thunderbird) was recorded.</p>", flags="S"))

    # ---- recent, unseen
    out.append(alternative(SHOP, a, "Delivered: your parcel 7731-2290", ago(1, 6),
        "Your parcel was delivered to the reception.\n",
        "<p>Your parcel was delivered to the <b>reception</b>.</p>"))
    out.append(plain(BOB, a, "Lunch tomorrow?", ago(0, 20), "Thai place at 12:30?\n\nBob\n", flags="F"))
    out.append(plain(CAROL, a, "IMAP proxy review notes", ago(0, 9),
        "Alice,\n\nnotes from the review are on the wiki. Short version: STARTTLS\n"
        "must fail closed, and certificate names must be checked. Both done.\n\nCarol\n"))
    out.append(alternative(ZOE, a, "Kurze Frage zu IMAP vs. POP3", ago(0, 3),
        "Hallo Alice,\n\nwenn ich POP3 nutze, bleiben die Mails dann auf dem Server?\n\nZoë\n",
        "<p>Hallo Alice,</p><p>wenn ich <b>POP3</b> nutze, bleiben die Mails dann auf dem Server?</p><p>Zoë</p>"))
    out.append(plain(DAVE, a, "Quick question about the external SMTP port", ago(0, 1),
        "Hi Alice, is it 465 with SSL or 587 with STARTTLS for us? Both?\n\nDave\n"))
    return out


def fix_report(msgs):
    """Turn the bounce into a proper multipart/report (the email package only
    builds multipart/mixed)."""
    for m in msgs:
        if m.msg is not None and m.msg["Subject"] == "Undelivered Mail Returned to Sender":
            m.msg.set_type("multipart/report")
            m.msg.set_param("report-type", "delivery-status")
    return msgs


def folders_alice():
    a = ALICE
    f = {}
    f["Sent"] = [
        plain(a, BOB, "Re: Lunch last week", ago(21, 4), "Thanks for lunch, Bob! Next one is on me.\n\nAlice\n", "S"),
        plain(a, [CAROL, BOB], "Migration plan v2", ago(15, 2),
              "Hi both,\n\nplan v2 is on the wiki: IMAP first, then POP3 users, then SMTP.\n\nAlice\n", "S"),
        plain(a, ZOE, "Re: Grüße aus München – Übersetzung fertig", ago(9, 22),
              "Danke, Zoë! Ich schaue es mir morgen an.\n\nAlice\n", "S"),
        plain(a, DAVE, "External settings for your clients", ago(6, 1),
              "Dave,\n\nincoming: mail.example.test 993 SSL (or 143 STARTTLS);\n"
              "outgoing: mail.example.test 465 SSL or 587 STARTTLS, with authentication.\n\nAlice\n", "S"),
    ]
    d = new(a, BOB, "Draft: ideas for the offsite", ago(1, 2))
    d.set_content("- walking tour\n- bring the old servers as trophies?\n")
    f["Drafts"] = [Msg(d, ago(1, 2), "DS")]
    f["Archive"] = [
        plain(BOB, a, "2025 retrospective", ago(60 + i * 3), "Archived note %d of the 2025 retrospective.\n" % (i + 1), "S")
        for i in range(5)]
    f["Junk"] = [html_only(("Cheap Meds", "sales@spam.example.biz"), a, "L0w pr1ces!!!", ago(3, 1),
                           "<p>Buy <b>now</b>! <img src=\"https://spam.example.biz/p.gif\"></p>")]
    f["Trash"] = [plain(SHOP, a, "Your survey", ago(19), "Tell us how we did!\n", "S")]
    f["Projects"] = [
        plain(CAROL, a, "Portal project: kickoff notes", ago(26), "Kickoff notes: scope, owners, dates.\n", "S"),
        plain(BOB, a, "Portal project: budget", ago(24), "Budget approved.\n", "FS"),
        plain(DAVE, a, "Portal project: partner requirements", ago(22), "Partners need autoconfig + autodiscover.\n", "S"),
    ]
    f["Projects/2026"] = [
        plain(CAROL, a, "2026 roadmap draft", ago(10), "Roadmap: Redis sessions, SSE, mobile profiles.\n", "S"),
        plain(BOB, a, "2026 headcount", ago(8), "Two more people for the mail team.\n", ""),
        alternative(ZOE, a, "2026 Übersetzungen", ago(4), "Alle Seiten auf Deutsch.\n", "<p>Alle Seiten auf <i>Deutsch</i>.</p>", ""),
    ]
    return f


def inbox_pop():
    out = []
    senders = [BOB, CAROL, ZOE, DAVE, JOSE, IT, SHOP, NEWS]
    for i in range(30):
        frm = senders[i % len(senders)]
        d = ago(29 - i, (i * 5) % 24)
        subj = "POP3 test message %02d from %s" % (i + 1, frm[0])
        body = "Message %d for the POP3 account.\n\n%s\n" % (i + 1, LOREM * (1 + i % 5))
        if i % 7 == 3:
            m = new(frm, POP, subj, d)
            m.set_content(body)
            m.add_attachment(tiny_pdf("Report %d" % (i + 1), ["POP3 attachment test"]),
                             maintype="application", subtype="pdf", filename="report-%02d.pdf" % (i + 1))
            out.append(Msg(m, d, "S" if i < 20 else ""))
        elif i % 5 == 2:
            out.append(alternative(frm, POP, subj, d, body, "<p>%s</p>" % body.replace("\n", "<br>"),
                                   "S" if i < 20 else ""))
        else:
            out.append(plain(frm, POP, subj, d, body, "S" if i < 20 else ""))
    return out


# --------------------------------------------------------------- Maildir
HOST = "postern-seed"
_seq = [0]


def store(maildir, msgs, uid, gid):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    for m in msgs:
        data = m.bytes()
        ts = int(m.date.timestamp())
        _seq[0] += 1
        base = "%d.M%dP%d.%s,S=%d" % (ts, _seq[0], 1, HOST, len(data))
        if m.flags or m.date < ago(1):
            path = os.path.join(maildir, "cur", base + ":2," + "".join(sorted(m.flags)))
        else:
            path = os.path.join(maildir, "new", base)
        with open(path, "wb") as fh:
            fh.write(data)
        os.utime(path, (ts, ts))


def folder_dir(root, name):
    return root if name == "INBOX" else os.path.join(root, "." + name.replace("/", "."))


def chown_tree(top, uid, gid):
    if uid is None:
        return
    for dirpath, dirnames, filenames in os.walk(top):
        os.chown(dirpath, uid, gid)
        for n in filenames:
            os.chown(os.path.join(dirpath, n), uid, gid)


def seed_user(mail_root, email, folders, subscribe, uid, gid):
    user, domain = email.split("@")
    home = os.path.join(mail_root, domain, user)
    root = os.path.join(home, "Maildir")
    if os.path.exists(root):
        return 0
    tmp_root = root + ".seeding"
    if os.path.exists(tmp_root):
        import shutil
        shutil.rmtree(tmp_root)
    old = os.umask(0o077)
    try:
        n = 0
        for name, msgs in folders.items():
            d = folder_dir(tmp_root, name)
            store(d, msgs, uid, gid)
            if name != "INBOX":
                open(os.path.join(d, "maildirfolder"), "w").close()
            n += len(msgs)
        if subscribe:
            with open(os.path.join(tmp_root, "subscriptions"), "w") as fh:
                fh.write("V\t2\n\n" + "".join(s.replace("/", "\t") + "\n" for s in subscribe))
        os.rename(tmp_root, root)
    finally:
        os.umask(old)
    for d in (os.path.join(mail_root, domain), home):
        os.chmod(d, 0o700 if d == home else 0o755)
    chown_tree(os.path.join(mail_root, domain), uid, gid)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mail-root", required=True)
    ap.add_argument("--uid", type=int)
    ap.add_argument("--gid", type=int)
    args = ap.parse_args()
    os.makedirs(args.mail_root, exist_ok=True)
    t0 = time.time()
    random.seed(2026)  # MIME boundaries come from the random module
    f = {"INBOX": fix_report(inbox_alice())}
    f.update(folders_alice())
    n1 = seed_user(args.mail_root, "alice@example.test", f, ["Projects", "Projects/2026"], args.uid, args.gid)
    n2 = seed_user(args.mail_root, "pop@example.test", {"INBOX": inbox_pop()}, [], args.uid, args.gid)
    if n1 or n2:
        print("seed_mail: alice@example.test %d messages (INBOX %d), pop@example.test %d (%.2fs)"
              % (n1, len(f["INBOX"]) if n1 else 0, n2, time.time() - t0))


if __name__ == "__main__":
    sys.exit(main())
