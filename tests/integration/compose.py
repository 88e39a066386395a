#!/usr/bin/env python3
"""Compose suite (issue 7): writing mail through the real stack — nginx,
postern, Dovecot's submission service (STARTTLS on 587, TLS on 465, AUTH
required) relaying to a private Postfix (STACK_MTA=postfix, when Postfix
is installed; else to relay.py), which delivers @example.test over LMTP
into Dovecot and the rest to the relay sink's outbox. Every check reads the result back independently: the
recipient's INBOX and the sender's Sent and Drafts over IMAP, the relay's
outbox, a scripted fake SMTP server's log.

Ports: HTTP 18500, mail base 29000 (COMPOSE_PORT / COMPOSE_MAIL_BASE);
the fake SMTP server listens on mail base + 500."""
import email
import email.policy
import glob
import imaplib
import os
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Stack, check, cookie_of, eq, has, hasnt, nginx_group, RESULTS  # noqa: E402

CONF = """
[server]
listen = @SOCK@
workers = 2
threads = 4
templates = @TEMPLATES@
site_name = Test Mail
mail_domain = example.test
socket_group = {group}

[imap]
advertise = yes
external = mail.example.test:993:SSL

[smtp]
advertise = yes
external = mail.example.test:465:SSL

[backend]
imap = 127.0.0.1:{imaps}:SSL
smtp = 127.0.0.1:{smtp}
tls_name = mail.example.test

; lab sends through a scripted fake that drops the line after the final dot
[backend dropper]
imap = 127.0.0.1:{imaps}:SSL
smtp = 127.0.0.1:{fake}:none
tls_name = mail.example.test

[routing]
lab@example.test = dropper

[upstream]
ca_file = {run_dir}/ca/ca.pem
timeout = 10
allow_plaintext = yes

[session]
sqlite_path = {run_dir}/sessions.db
secure_cookie = no

[compose]
max_recipients = 100
max_attachment_bytes = 1048576
max_message_bytes = 4194304
"""

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\x00\x00 end\n"
NAME = "Résumé — ünïcode.pdf"
SUBJECT = "Grüße aus Köln — 件名テスト 😀"


class Imap:
    def __init__(self, st, user):
        ctx = ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))
        self.m = imaplib.IMAP4_SSL("localhost", st.mail_base + 993, ssl_context=ctx, timeout=20)
        self.m.login(user, "wonderland")

    def uids(self, folder, *criteria):
        typ, _ = self.m.select('"%s"' % folder)
        eq(typ, "OK", "select " + folder)
        typ, data = self.m.uid("SEARCH", *(criteria or ("ALL",)))
        return [int(x) for x in data[0].split()]

    def raw(self, folder, uid):
        self.m.select('"%s"' % folder)
        typ, data = self.m.uid("FETCH", str(uid), "(BODY.PEEK[])")
        return data[0][1]

    def flags(self, folder, uid):
        self.m.select('"%s"' % folder)
        typ, data = self.m.uid("FETCH", str(uid), "(FLAGS)")
        return data[0].decode()

    def find(self, folder, header, value):
        self.m.select('"%s"' % folder)
        typ, data = self.m.uid("SEARCH", "HEADER", header, '"%s"' % value)
        return [int(x) for x in data[0].split()]

    def close(self):
        try:
            self.m.logout()
        except Exception:   # noqa: BLE001
            pass


def sign_in(st, user):
    body = urllib.parse.urlencode({"user": user, "password": "wonderland"})
    r = st.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": origin(st)}, body)
    eq(r.status, 303, "sign-in " + user)
    return cookie_of(r)


def origin(st):
    return "http://127.0.0.1:%d" % st.port


def multipart(fields, files=()):
    """fields: [(name, str)], files: [(name, filename, bytes, type)]."""
    b = "----posterntest%d" % time.time_ns()
    out = []
    for k, v in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (b, k)).encode()
                   + (v.encode() if isinstance(v, str) else v) + b"\r\n")
    for k, fn, data, ct in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename*=UTF-8''%s\r\n"
                    "Content-Type: %s\r\n\r\n" % (b, k, urllib.parse.quote(fn), ct)).encode()
                   + data + b"\r\n")
    out.append(("--%s--\r\n" % b).encode())
    return b"".join(out), "multipart/form-data; boundary=" + b


def field(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, html)
    return None if m is None else m.group(1)


def unescape(s):
    import html as h
    return h.unescape(s)


class Session:
    def __init__(self, st, user):
        self.st, self.user = st, user
        self.cookie = sign_in(st, user)

    def get(self, path="/mail/compose"):
        return self.st.http("GET", path, {"Cookie": self.cookie})

    def form(self, path="/mail/compose"):
        r = self.get(path)
        eq(r.status, 200, "compose form " + path + ": " + r.text[:500])
        return r

    def post(self, fields, files=(), path="/mail/compose", origin_hdr=True, csrf=True, form=None):
        """POSTs a compose form; csrf and token taken from form (a page) unless given."""
        page = form if form is not None else self.form(path)
        fields = list(fields)
        names = [k for k, _ in fields]
        if csrf and "csrf" not in names:
            fields.append(("csrf", unescape(field(page.text, "csrf"))))
        if "token" not in names and field(page.text, "token"):
            fields.append(("token", field(page.text, "token")))
        if "from" not in names:
            fields.append(("from", self.user))
        body, ctype = multipart(fields, files)
        hdrs = {"Cookie": self.cookie, "Content-Type": ctype}
        if origin_hdr:
            hdrs["Origin"] = origin(self.st)
        return self.st.http("POST", path, hdrs, body)


def wait_for(fn, what, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def lines_ok(raw):
    for ln in raw.split(b"\r\n"):
        if len(ln) > 998:
            raise AssertionError("a line of %d bytes" % len(ln))
    if re.search(rb"[^\r]\n", raw):
        raise AssertionError("a bare LF in the message")


# ---- a scripted fake SMTP server: takes the message, then drops the line


class FakeSmtp(socketserver.StreamRequestHandler):
    def handle(self):
        w = self.wfile.write
        w(b"220 fake ESMTP\r\n")
        while True:
            ln = self.rfile.readline()
            if not ln:
                return
            cmd = ln.split(b" ")[0].strip().upper()
            self.server.log.append(ln.strip().split(b":")[0])
            if cmd == b"EHLO":
                w(b"250-fake\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n")
            elif cmd == b"AUTH":
                w(b"334 \r\n")
                self.rfile.readline()
                w(b"235 2.7.0 ok\r\n")
            elif cmd == b"DATA":
                w(b"354 go ahead\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                self.server.messages.append(data)
                self.connection.shutdown(socket.SHUT_RDWR)   # no reply after the dot
                return
            elif cmd == b"QUIT":
                w(b"221 bye\r\n")
                return
            else:
                w(b"250 ok\r\n")


class FakeServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


# ---- the checks


ONLY = os.environ.get("ONLY")


def tests(st, fake):
    if ONLY:
        global check
        real = check
        check = lambda name, fn: real(name, fn) if any(o in name for o in ONLY.split(",")) else None  # noqa: E731
    alice = Session(st, "alice@example.test")
    bob_imap = Imap(st, "bob@example.test")
    alice_imap = Imap(st, "alice@example.test")

    seed_drafts = set(alice_imap.uids("Drafts"))   # the demo mailbox has one

    def my_drafts():
        return sorted(set(alice_imap.uids("Drafts")) - seed_drafts)

    def drafts_count():
        return len(my_drafts())

    def form_page():
        r = alice.form()
        has(r.text, 'name="token"', "token")
        has(r.text, 'enctype="multipart/form-data"')
        has(r.text, "at most 1.0 MB", "the attachment limit shown up front")
        has(r.text, "at most 100 recipients", "the recipient limit shown")
        has(r.text, 'compose.js', "the script")
    check("compose form: token, limits shown up front", form_page)

    sent_id = {}

    def end_to_end():
        before = len(bob_imap.uids("INBOX"))
        body = "Hallo Bob,\n\nanbei der Lebenslauf. Größe: egal.\n.\n..zwei Punkte\n" + "x" * 2500 + "\nEnde\n"
        r = alice.post([("to", '"Müller, Jörg" <bob@example.test>'), ("cc", ""),
                        ("bcc", "hidden@elsewhere.test"), ("subject", SUBJECT), ("body", body),
                        ("op", "send")],
                       [("attach", NAME, PDF, "application/octet-stream")])
        eq(r.status, 200, "send: " + r.text[:1500])
        has(r.text, 'id="sent-note"', "told: sent")
        has(r.text, 'id="saved-note"', "told: saved to Sent")
        uid = wait_for(lambda: [u for u in bob_imap.uids("INBOX") if u] if len(bob_imap.uids("INBOX")) > before else None,
                       "delivery to bob")[-1]
        raw = bob_imap.raw("INBOX", uid)
        lines_ok(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        eq(str(msg["Subject"]), SUBJECT, "subject decoded")
        has(raw.decode("ascii", "replace"), "Subject: =?UTF-8?B?", "subject as RFC 2047 words")
        eq(msg["From"].addresses[0].addr_spec, "alice@example.test", "From")
        eq(msg["To"].addresses[0].display_name, "Müller, Jörg", "display name")
        eq(msg["To"].addresses[0].addr_spec, "bob@example.test", "To")
        has(raw.decode("ascii", "replace"), "To: =?UTF-8?B?", "display name encoded")
        eq(msg["MIME-Version"], "1.0", "MIME-Version")
        if not re.match(r"^<[0-9a-f]{40}@[A-Za-z0-9.-]+>$", msg["Message-ID"]):
            raise AssertionError("Message-ID " + msg["Message-ID"])
        if msg["Date"] is None or msg["Date"].datetime is None:
            raise AssertionError("Date")
        eq(msg["Bcc"], None, "no Bcc header at the recipient")
        parts = list(msg.iter_attachments())
        eq(len(parts), 1, "one attachment")
        eq(parts[0].get_filename(), NAME, "RFC 2231 file name")
        eq(parts[0].get_content_type(), "application/pdf", "detected type")
        eq(parts[0]["Content-Transfer-Encoding"], "base64", "base64")
        eq(parts[0].get_payload(decode=True), PDF, "attachment bytes")
        text = msg.get_body(("plain",)).get_content()
        eq(text.replace("\r\n", "\n"), body, "body: leading dots and a long line survive")
        sent_id["id"] = msg["Message-ID"]
        if st.mta == "postfix":   # it went through the real MTA
            with open(os.path.join(st.run_dir, "logs", "postfix.log"), errors="replace") as fh:
                plog = fh.read()
            if not re.search(r"lmtp\[\d+\]: \w+: to=<bob@example.test>.*status=sent", plog):
                raise AssertionError("Postfix did not deliver it over LMTP")
        # the Bcc recipient got it through the relay, without a Bcc header
        out = wait_for(lambda: glob.glob(os.path.join(st.run_dir, "outbox", "*hidden@elsewhere.test*")),
                       "the Bcc copy in the outbox")
        with open(out[0], "rb") as fh:
            copy = fh.read()
        hasnt(copy.decode("utf-8", "replace"), "\nBcc:", "Bcc header")
        has(copy.decode("utf-8", "replace"), "X-Envelope-From: <alice@example.test>", "envelope sender = the user")
        has(copy.decode("utf-8", "replace"), msg["Message-ID"], "the same message")
        # alice's Sent has the copy, seen; no draft is left
        s = alice_imap.find("Sent", "Message-ID", msg["Message-ID"])
        eq(len(s), 1, "one copy in Sent")
        has(alice_imap.flags("Sent", s[0]), "\\Seen", "Sent copy \\Seen")
        eq(alice_imap.raw("Sent", s[0]).count(b"hidden@elsewhere.test"), 0, "Sent copy = what was sent")
        eq(drafts_count(), 0, "the draft is removed once sent")
    check("send: alice to bob, non-ASCII subject and name, attachment, Bcc, byte-checked", end_to_end)

    def reply():
        inbox = alice_imap.uids("INBOX")
        target = None
        for u in inbox:
            raw = alice_imap.raw("INBOX", u)
            m = email.message_from_bytes(raw, policy=email.policy.default)
            if (m["Message-ID"] and m["From"] and m["From"].addresses
                    and not m["From"].addresses[0].addr_spec.endswith("@example.test")
                    and "\\Answered" not in alice_imap.flags("INBOX", u)):
                target, orig = u, m
                break
        if target is None:
            raise AssertionError("no message to reply to")
        path = "/mail/compose?f=INBOX&uid=%d&mode=reply" % target
        page = alice.form(path)
        eq(unescape(field(page.text, "in_reply_to")), orig["Message-ID"].strip(), "In-Reply-To prefilled")
        has(unescape(page.text), "Re: ", "subject prefixed")
        to = unescape(re.search(r'name="to" type="text" value="([^"]*)"', page.text).group(1))
        has(to, orig["From"].addresses[0].addr_spec, "To prefilled")
        subj = unescape(re.search(r'name="subject" type="text" value="([^"]*)"', page.text).group(1))
        body = unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
        has(body, "> ", "original quoted")
        r = alice.post([("to", to), ("subject", subj), ("body", "Thanks!\n" + body), ("op", "send"),
                        ("in_reply_to", unescape(field(page.text, "in_reply_to"))),
                        ("references", unescape(field(page.text, "references")))],
                       path=path, form=page)
        eq(r.status, 200, "reply sent: " + r.text[:800])
        has(r.text, 'id="sent-note"')
        has(alice_imap.flags("INBOX", target), "\\Answered", "original flagged answered")
        sent = email.message_from_bytes(alice_imap.raw("Sent", max(alice_imap.uids("Sent"))),
                                        policy=email.policy.default)
        eq(sent["In-Reply-To"], orig["Message-ID"].strip(), "In-Reply-To")
        if not str(sent["References"]).endswith(orig["Message-ID"].strip()):
            raise AssertionError("References: " + str(sent["References"]))
    check("reply: prefilled, quoted, In-Reply-To/References, original answered", reply)

    def forward_attached():
        uid = bob_imap.uids("INBOX")[-1]
        bob = Session(st, "bob@example.test")
        path = "/mail/compose?f=INBOX&uid=%d&mode=attach" % uid
        page = bob.form(path)
        has(page.text, 'name="keep" value="1"', "the original listed as an attachment")
        r = bob.post([("to", "alice@example.test"), ("subject", "Fwd: it"), ("body", "see attached"),
                      ("keep", "1"), ("op", "send")], path=path, form=page)
        eq(r.status, 200, "forward: " + r.text[:800])
        has(bob_imap.flags("INBOX", uid), "$Forwarded", "original flagged $Forwarded")
        got = wait_for(lambda: alice_imap.find("INBOX", "Subject", "Fwd: it"), "forward delivered")
        m = email.message_from_bytes(alice_imap.raw("INBOX", got[-1]), policy=email.policy.default)
        att = list(m.iter_attachments())
        eq(att[0].get_content_type(), "message/rfc822", "the original attached as a message")
        inner = att[0].get_content()
        eq(str(inner["Subject"]), SUBJECT, "the embedded message intact")
    check("forward as attachment: message/rfc822, original $Forwarded", forward_attached)

    def reply_all_and_forward():
        r = alice.post([("to", "bob@example.test, Carol <carol@elsewhere.test>"), ("cc", "dan@elsewhere.test"),
                        ("subject", "all of us"), ("body", "hi all"), ("op", "send")],
                       [("attach", "agenda.pdf", PDF, "application/pdf")])
        eq(r.status, 200, r.text[:400])
        uid = wait_for(lambda: bob_imap.find("INBOX", "Subject", "all of us"), "delivery")[-1]
        bob = Session(st, "bob@example.test")
        page = bob.form("/mail/compose?f=INBOX&uid=%d&mode=replyall" % uid)
        to = unescape(re.search(r'name="to" type="text" value="([^"]*)"', page.text).group(1))
        cc = unescape(re.search(r'name="cc" type="text" value="([^"]*)"', page.text).group(1))
        eq(to, "alice@example.test", "reply all: To is the sender")
        has(cc, "Carol <carol@elsewhere.test>", "reply all: the other recipients")
        has(cc, "dan@elsewhere.test")
        hasnt(cc, "bob@example.test", "reply all leaves out the user's own address")
        path = "/mail/compose?f=INBOX&uid=%d&mode=forward" % uid
        page = bob.form(path)
        has(page.text, "---------- Forwarded message ----------", "inline forward quotes the original")
        has(page.text, "agenda.pdf", "the original's attachment offered")
        r = bob.post([("to", "alice@example.test"), ("subject", "Fwd: all of us"), ("body", "fyi"),
                      ("keep", "1"), ("op", "send")], path=path, form=page)
        eq(r.status, 200, r.text[:400])
        got = wait_for(lambda: alice_imap.find("INBOX", "Subject", "Fwd: all of us"), "forward delivered")
        m = email.message_from_bytes(alice_imap.raw("INBOX", got[-1]), policy=email.policy.default)
        eq([a.get_payload(decode=True) for a in m.iter_attachments()], [PDF], "the attachment forwarded intact")
        has(bob_imap.flags("INBOX", uid), "$Forwarded")
    check("reply all without one's own address; inline forward with the original's attachment", reply_all_and_forward)

    draft = {}

    def save_draft():
        seed_drafts.update(alice_imap.uids("Drafts"))   # only this test's drafts from here on
        r = alice.post([("to", "bob@example.test"), ("subject", "Draft one"), ("body", "half written"),
                        ("op", "save")], [("attach", "notes.txt", b"line 1\nline 2\n", "text/plain")])
        eq(r.status, 200, "save: " + r.text[:600])
        has(r.text, "Draft saved at", "told: draft saved")
        d = my_drafts()
        eq(len(d), 1, "one draft")
        has(alice_imap.flags("Drafts", d[0]), "\\Draft", "\\Draft flag")
        eq(field(r.text, "draft"), str(d[0]), "the form names the draft")
        has(r.text, 'name="keep" value="1"', "the attachment listed")
        # saving again replaces it
        r2 = alice.post([("to", "bob@example.test"), ("subject", "Draft two"), ("body", "more"),
                         ("draft", str(d[0])), ("keep", "1"), ("op", "save")], form=r)
        eq(r2.status, 200)
        d2 = my_drafts()
        eq(len(d2), 1, "still one draft")
        if d2[0] == d[0]:
            raise AssertionError("the draft was not replaced")
        m = email.message_from_bytes(alice_imap.raw("Drafts", d2[0]), policy=email.policy.default)
        eq(str(m["Subject"]), "Draft two")
        eq(list(m.iter_attachments())[0].get_payload(decode=True), b"line 1\nline 2\n", "attachment kept")
        # reopened later: everything there
        page = alice.form("/mail/compose?draft=%d" % d2[0])
        has(page.text, 'value="Draft two"', "subject back")
        has(page.text, ">more", "text back")
        has(page.text, "notes.txt", "attachment back")
        draft["uid"] = d2[0]
        draft["page"] = page
    check("drafts: saved with \\Draft, replaced, reopened with its attachment", save_draft)

    def rejected():
        before = len(bob_imap.uids("INBOX"))
        page = draft["page"]
        r = alice.post([("to", "bob@example.test, bad-one@example.test"), ("subject", "Draft two"),
                        ("body", "more"), ("draft", str(draft["uid"])), ("keep", "1"), ("op", "send")],
                       [("attach", "extra.bin", b"\x00\x01\x02", "application/octet-stream")], form=page)
        eq(r.status, 502, "rejected: " + r.text[:800])
        has(r.text, "bad-one@example.test</bdi>: 550", "the refused recipient named with its reply")
        has(r.text, "Nothing was sent to anyone")
        has(r.text, 'value="bob@example.test, bad-one@example.test"', "To as typed")
        has(r.text, "notes.txt", "kept attachment still there")
        has(r.text, "extra.bin", "new attachment still there")
        if field(r.text, "token") == field(page.text, "token"):
            raise AssertionError("the form came back with the used token")
        time.sleep(1)
        eq(len(bob_imap.uids("INBOX")), before, "nothing delivered to the accepted recipient")
        d = my_drafts()
        eq(len(d), 1, "a draft exists")
        m = email.message_from_bytes(alice_imap.raw("Drafts", d[0]), policy=email.policy.default)
        eq(sorted(a.get_filename() for a in m.iter_attachments()), ["extra.bin", "notes.txt"], "draft has both files")
        draft["uid"], draft["page"] = d[0], r
    check("recipient rejected (550): named, nothing sent, form and draft intact", rejected)

    def soft():
        r = alice.post([("to", "soft-one@example.test"), ("subject", "s"), ("body", "b"),
                        ("draft", draft["uid"] and str(draft["uid"])), ("op", "send")], form=draft["page"])
        eq(r.status, 502)
        has(r.text, "soft-one@example.test</bdi>: 450", "temporary refusal named")
        draft["uid"] = int(field(r.text, "draft"))
        draft["page"] = r
    check("recipient refused for now (450): named", soft)

    def auth_refused():
        deny = os.path.join(st.run_dir, "dovecot", "deny-submission")
        with open(deny, "w") as fh:
            fh.write("alice@example.test\n")
        # Dovecot re-reads a passwd-file when its mtime (in seconds) changes
        os.utime(deny, (time.time() + 5, time.time() + 5))
        time.sleep(1.2)   # and looks at it at most once a second
        try:
            r = alice.post([("to", "bob@example.test"), ("subject", "auth"), ("body", "typed text"),
                            ("draft", str(draft["uid"])), ("op", "send")], form=draft["page"])
        finally:
            with open(deny, "w") as fh:
                fh.write("")
            os.utime(deny, (time.time() + 10, time.time() + 10))
            time.sleep(1.2)
        eq(r.status, 502, r.text[:600])
        has(r.text, "did not accept your password", "plain words")
        has(r.text, ">typed text</textarea>", "text kept")
        has(r.text, "Draft saved at", "draft saved")
        draft["uid"] = int(field(r.text, "draft"))
        draft["page"] = r
    check("AUTH refused by the submission server: said so, form and draft kept", auth_refused)

    def server_down():
        text = st.conf_text.replace("smtp = 127.0.0.1:%d:SSL" % (st.mail_base + 465),
                                    "smtp = 127.0.0.1:%d:SSL" % (st.mail_base + 499))
        st.reload(text)
        try:
            s = Session(st, "alice@example.test")
            r = s.post([("to", "bob@example.test"), ("subject", "down"), ("body", "server is down"),
                        ("op", "send")], [("attach", "a.txt", b"abc", "text/plain")])
            eq(r.status, 502, r.text[:600])
            has(r.text, "cannot be reached", "plain words")
            has(r.text, ">server is down</textarea>", "text kept")
            has(r.text, "a.txt", "attachment kept")
            d = my_drafts()
            if len(d) < 1:
                raise AssertionError("no draft")
        finally:
            st.reload(st.conf_text)
    check("submission server stopped: unreachable said, form and draft kept", server_down)

    def starttls_587():
        text = st.conf_text.replace("smtp = 127.0.0.1:%d:SSL" % (st.mail_base + 465),
                                    "smtp = 127.0.0.1:%d:STARTTLS" % (st.mail_base + 587))
        st.reload(text)
        try:
            s = Session(st, "alice@example.test")
            r = s.post([("to", "bob@example.test"), ("subject", "over 587"), ("body", "starttls"),
                        ("op", "send")])
            eq(r.status, 200, r.text[:600])
            has(r.text, 'id="sent-note"')
            wait_for(lambda: bob_imap.find("INBOX", "Subject", "over 587"), "delivery over 587")
        finally:
            st.reload(st.conf_text)
    check("submission on 587 with STARTTLS sends too", starttls_587)

    def dropped():
        lab = Session(st, "lab@example.test")
        page = lab.form()
        r = lab.post([("to", "bob@example.test"), ("subject", "drop"), ("body", "may or may not"),
                      ("op", "send")], form=page)
        eq(r.status, 200, r.text[:600])
        has(r.text, "may or may not have been sent", "told: may not have been sent")
        has(r.text, ">may or may not</textarea>", "form intact")
        if not field(r.text, "draft"):
            raise AssertionError("no draft in the form")
        time.sleep(1.5)
        eq(len(fake.messages), 1, "handed over exactly once, not resent")
        eq(fake.log.count(b"DATA"), 1, "one DATA")
        # the same form submitted again is refused as a double submit
        r2 = lab.post([("to", "bob@example.test"), ("subject", "drop"), ("body", "x"), ("op", "send"),
                       ("token", field(page.text, "token"))], form=page)
        eq(r2.status, 409)
        eq(len(fake.messages), 1, "still once")
    check("connection dropped after the final dot: 'may not have been sent', not resent", dropped)

    def injection():
        before = len(bob_imap.uids("INBOX"))
        cases = [
            ("subject", "Hi\r\nBcc: evil@example.test", "err-subject"),
            ("to", "bob@example.test\r\nBcc: evil@example.test", "err-to"),
            ("to", "Bob\r\n <bob@example.test>", "err-to"),
            ("cc", "\"Evil\nName\" <bob@example.test>", "err-cc"),
            ("bcc", "bob@example.test>\r\nRCPT TO:<evil@example.test", "err-bcc"),
        ]
        for name, value, err in cases:
            fields = {"to": "bob@example.test", "subject": "inj", "body": "b", "op": "send"}
            fields[name] = value
            r = alice.post(list(fields.items()))
            eq(r.status, 422, "%s: %s" % (name, r.text[:400]))
            has(r.text, 'id="%s"' % err, "error beside the field")
            has(r.text, "line break", "named")
        time.sleep(1)
        eq(len(bob_imap.uids("INBOX")), before, "nothing sent")
        eq(glob.glob(os.path.join(st.run_dir, "outbox", "*evil*")), [], "no injected recipient")
    check("header injection: CR/LF in Subject, To, display names, Bcc refused beside the field", injection)

    def many():
        to = ", ".join("r%d@example.test" % i for i in range(1000))
        r = alice.post([("to", to), ("subject", "many"), ("body", "b"), ("op", "send")])
        eq(r.status, 422)
        has(r.text, 'id="err-to"')
        has(r.text, "Too many recipients")
        has(r.text, "r999@example.test", "the list as typed")
    check("1,000 recipients: refused beside To, nothing sent, list kept", many)

    def from_and_size():
        r = alice.post([("to", "bob@example.test"), ("subject", "x"), ("body", "b"), ("op", "send"),
                        ("from", "mallory@example.test")])
        eq(r.status, 422)
        has(r.text, 'id="err-from"', "From not allowed")
        big = os.urandom(1100000)
        r = alice.post([("to", "bob@example.test"), ("subject", "big one"), ("body", "b"), ("op", "send")],
                       [("attach", "big.bin", big, "application/octet-stream"),
                        ("attach", "small.txt", b"small", "text/plain")])
        eq(r.status, 422, r.text[:500])
        has(r.text, 'id="err-attach"', "named beside the field")
        has(r.text, "big.bin")
        has(r.text, "small.txt", "the other file kept")
        d = int(field(r.text, "draft"))
        m = email.message_from_bytes(alice_imap.raw("Drafts", d), policy=email.policy.default)
        eq([a.get_filename() for a in m.iter_attachments()], ["small.txt"], "the draft holds the file that fits")
        time.sleep(1)
        eq(bob_imap.find("INBOX", "Subject", "big one"), [], "nothing sent")
    check("From not allowed; an attachment over the limit: named, nothing sent, the rest kept", from_and_size)

    def oversize_named():
        big = os.urandom(1100000)
        r = alice.post([("to", "bob@example.test"), ("subject", "big2"), ("body", "b"), ("op", "save")],
                       [("attach", "big.bin", big, "application/octet-stream")])
        has(r.text, 'id="err-attach"')
        has(r.text, "big.bin")
        has(r.text, "It was not attached")
    check("an attachment over the limit is named beside the field", oversize_named)

    def nul():
        before = len(bob_imap.uids("INBOX"))
        r = alice.post([("to", "bob@example.test"), ("subject", "nul\x00here"),
                        ("body", "first line\r\nsecond\x00\x00 line kept"), ("op", "send")])
        eq(r.status, 422, "the form comes back: nothing sent, a field to mend")
        has(r.text, 'id="err-subject"')
        has(r.text, 'id="err-body"')
        has(r.text, "The subject contained NUL characters, which mail cannot carry; they were "
                    "replaced with \ufffd; check and send again.")
        has(r.text, "The message contained NUL characters")
        has(r.text, 'value="nul\ufffdhere"')   # the subject as typed, NUL shown as U+FFFD
        has(r.text, "second\ufffd\ufffd line kept")
        has(r.text, "first line")
        has(r.text, "Draft saved at")
        d = int(field(r.text, "draft"))
        m = email.message_from_bytes(alice_imap.raw("Drafts", d), policy=email.policy.default)
        eq(m["Subject"], "nul\ufffdhere", "the draft keeps the subject")
        has(m.get_body().get_content(), "second\ufffd\ufffd line kept")
        time.sleep(0.5)
        eq(len(bob_imap.uids("INBOX")), before, "nothing sent")
        # other routes still refuse NUL in form values
        r = alice.post([("folder", "INBOX"), ("op", "x\x00")], path="/mail/selection", form=alice.form())
        eq(r.status, 400, "NUL refused outside compose")
    check("NUL in a text field: the form comes back with the text (NUL as U+FFFD) and a message "
          "beside the field, a draft saved, nothing sent (NUL in files: byte-exact, above)", nul)

    def csrf():
        for op in ("send", "save", "savesent"):
            r = alice.post([("to", "bob@example.test"), ("subject", "c"), ("body", "b"), ("op", op)], csrf=False)
            eq(r.status, 403, "no token: " + op)
            r = alice.post([("to", "bob@example.test"), ("subject", "c"), ("body", "b"), ("op", op),
                            ("csrf", "A" * 43)])
            eq(r.status, 403, "wrong token: " + op)
            r = alice.post([("to", "bob@example.test"), ("subject", "c"), ("body", "b"), ("op", op)],
                           origin_hdr=False)
            body, ctype = multipart([("op", op)])
            r = st.http("POST", "/mail/compose", {"Cookie": alice.cookie, "Content-Type": ctype,
                                                  "Origin": "http://evil.example"}, body)
            eq(r.status, 403, "cross-site origin: " + op)
    check("CSRF: every compose POST needs the token and our Origin", csrf)

    def double_submit():
        before = len(bob_imap.find("INBOX", "Subject", "twice"))
        page = alice.form()
        f = [("to", "bob@example.test"), ("subject", "twice"), ("body", "once only"), ("op", "send")]
        r1 = alice.post(f, form=page)
        r2 = alice.post(f, form=page)
        eq(r1.status, 200, r1.text[:400])
        eq(r2.status, 409, "second submit refused")
        has(r2.text, "already submitted")
        time.sleep(1.5)
        eq(len(bob_imap.find("INBOX", "Subject", "twice")), before + 1, "delivered once")
        # at the same moment: two threads
        page = alice.form()
        f = [("to", "bob@example.test"), ("subject", "race"), ("body", "once"), ("op", "send")]
        res = []
        ts = [threading.Thread(target=lambda: res.append(alice.post(f, form=page).status)) for _ in range(3)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        eq(sorted(res), [200, 409, 409], "one of three concurrent submits sends")
        time.sleep(1.5)
        eq(len(bob_imap.find("INBOX", "Subject", "race")), 1, "delivered once")
    check("double submit (sequential and concurrent) sends once", double_submit)

    def no_token():
        before = len(bob_imap.find("INBOX", "Subject", "tokenless"))
        page = alice.form()
        body, ctype = multipart([("csrf", unescape(field(page.text, "csrf"))), ("from", "alice@example.test"),
                                 ("to", "bob@example.test"), ("subject", "tokenless"), ("body", "b"),
                                 ("op", "send")])
        r = st.http("POST", "/mail/compose", {"Cookie": alice.cookie, "Content-Type": ctype,
                                               "Origin": origin(st)}, body)
        eq(r.status, 200, r.text[:400])
        has(r.text, "without its one-time send token")
        if not field(r.text, "token"):
            raise AssertionError("no fresh token")
        time.sleep(1)
        eq(len(bob_imap.find("INBOX", "Subject", "tokenless")), before, "nothing sent")
    check("a form without its send token sends nothing and comes back with one", no_token)

    def sent_save_fails():
        sent_dirs = glob.glob(os.path.join(st.run_dir, "mail", "example.test", "alice", "Maildir", ".Sent"))
        eq(len(sent_dirs), 1, "alice's Sent folder on disk")
        d = sent_dirs[0]
        mode = os.stat(d).st_mode
        os.chmod(os.path.join(d, "tmp"), 0)
        os.chmod(os.path.join(d, "new"), 0)
        os.chmod(os.path.join(d, "cur"), 0)
        try:
            r = alice.post([("to", "bob@example.test"), ("subject", "unsaved copy"), ("body", "b"),
                            ("op", "send")])
        finally:
            for s in ("tmp", "new", "cur"):
                os.chmod(os.path.join(d, s), mode & 0o7777)
        eq(r.status, 200, r.text[:600])
        has(r.text, 'id="sent-note"', "told: sent")
        hasnt(r.text, 'id="saved-note"', "not told: saved")
        has(r.text, "not saved to Sent", "told: not saved")
        retry = field(r.text, "draft")
        if not retry:
            raise AssertionError("no retry action")
        wait_for(lambda: bob_imap.find("INBOX", "Subject", "unsaved copy"), "delivery")
        eq(alice_imap.find("Sent", "Subject", "unsaved copy"), [], "not in Sent yet")
        body, ctype = multipart([("csrf", unescape(field(r.text, "csrf"))), ("draft", retry), ("op", "savesent")])
        r2 = st.http("POST", "/mail/compose", {"Cookie": alice.cookie, "Content-Type": ctype,
                                               "Origin": origin(st)}, body)
        eq(r2.status, 200, r2.text[:600])
        has(r2.text, 'id="saved-note"', "saved now")
        eq(len(alice_imap.find("Sent", "Subject", "unsaved copy")), 1, "in Sent once")
        time.sleep(1)
        eq(len(bob_imap.find("INBOX", "Subject", "unsaved copy")), 1, "not sent again")
        # the retry again: nothing more
        r3 = st.http("POST", "/mail/compose", {"Cookie": alice.cookie, "Content-Type": ctype,
                                               "Origin": origin(st)}, body)
        eq(r3.status, 200)
        eq(len(alice_imap.find("Sent", "Subject", "unsaved copy")), 1, "still once in Sent")
    check("Sent refuses the copy: 'sent' and 'not saved' told apart; retry saves only", sent_save_fails)

    def expired():
        page = alice.form()
        body, ctype = multipart([("csrf", unescape(field(page.text, "csrf"))), ("to", "bob@example.test"),
                                 ("subject", "late"), ("body", "typed before expiry"), ("op", "send")])
        r = st.http("POST", "/mail/compose", {"Cookie": "postern=AAAAAAAAAAAAAAAAAAAAAA." + "A" * 43,
                                               "Content-Type": ctype, "Origin": origin(st)}, body)
        eq(r.status, 401)
        has(r.text, ">typed before expiry</textarea>", "typed text back")
        has(r.text, "session has ended")
    check("session ended: the form comes back with what was typed", expired)

    def relay_down():
        with open(os.path.join(st.run_dir, "pids", st.mta + ".pid")) as fh:
            pid = int(fh.read().strip())
        os.kill(pid, 15)   # the MTA this stack started (Postfix's master, or the sink)
        time.sleep(1.5)
        r = alice.post([("to", "bob@example.test"), ("subject", "relay down"), ("body", "later"),
                        ("op", "send")])
        eq(r.status, 502, r.text[:600])
        if "right now" not in r.text and "refused" not in r.text:
            raise AssertionError("no plain-words reason: " + r.text[:800])
        has(r.text, ">later</textarea>")
    check("the MTA behind submission (%s) stopped: a 4xx/5xx in plain words, form kept" % st.mta, relay_down)

    bob_imap.close()
    alice_imap.close()


def main():
    st = Stack(port=int(os.environ.get("COMPOSE_PORT", "18500")),
               mail_base=int(os.environ.get("COMPOSE_MAIL_BASE", "29000")))
    fake = FakeServer(("127.0.0.1", st.mail_base + 500), FakeSmtp)
    fake.log, fake.messages = [], []
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    text = CONF.format(group=nginx_group(), imaps=st.mail_base + 993,
                       smtp="%d:SSL" % (st.mail_base + 465), fake=st.mail_base + 500,
                       run_dir=st.run_dir)
    st.conf_text = text
    # Dovecot's submission service in front of a real MTA: the stack's
    # private Postfix when it is installed (scripts/deps.sh), else the sink
    st.mta = "postfix" if os.path.exists("/usr/lib/postfix/sbin/master") and os.geteuid() == 0 \
        and os.environ.get("STACK_MTA", "postfix") == "postfix" else "relay"
    st.env["STACK_MTA"] = st.mta
    print("# next hop of the submission service: " + st.mta)
    if not st.start_or_report(text, "stack starts"):
        return 1
    try:
        tests(st, fake)
        log = st.log()
        bad = [ln for ln in log.splitlines() if "runtime error" in ln or "ERROR: AddressSanitizer" in ln
               or "worker died" in ln or "wonderland" in ln]
        if bad:
            print("not ok - postern's log is clean (no crash, no password)")
            for ln in bad[:20]:
                print("#   " + ln)
            RESULTS["fail"] += 1
        else:
            print("ok - postern's log is clean (no crash, no password)")
            RESULTS["pass"] += 1
    finally:
        fake.shutdown()
        st.stop(keep=os.environ.get("KEEP") == "1")
    print("# %d passed, %d failed" % (RESULTS["pass"], RESULTS["fail"]))
    return 0 if RESULTS["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
