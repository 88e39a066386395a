#!/usr/bin/env python3
"""Mailbox view suite: the real stack (Dovecot with the demo mailboxes,
nginx, postern). Signs in over HTTP like a browser and compares what the
pages show with what a separate IMAP connection reads from the same
mailbox: folders and counts, a page of headers in each order, search,
paging, reading a message (marks it read), HTML in a sandboxed frame with
its own CSP, attachments, hostile input, connection reuse and recovery."""
import html
import imaplib
import os
import re
import ssl
import subprocess
import sys
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

[backend]
imap = 127.0.0.1:{imaps}:SSL
pop3 = 127.0.0.1:{pop3s}:SSL
tls_name = mail.example.test

[backend branch]
imap = 127.0.0.1:{b_imaps}:SSL
tls_name = mail.example.test

[routing]
@branch.test = branch
@fake1.test = fake1
@fake2.test = fake2
@fake3.test = fake3
@fake4.test = fake4
@fake5.test = fake5

[backend fake1]
pop3 = 127.0.0.1:{fake0}:none

[backend fake2]
pop3 = 127.0.0.1:{fake1}:none

[backend fake3]
pop3 = 127.0.0.1:{fake2}:none

[backend fake4]
pop3 = 127.0.0.1:{fake3}:none

[backend fake5]
pop3 = 127.0.0.1:{fake4}:none

[upstream]
ca_file = {run_dir}/ca/ca.pem
timeout = 10
; only the scripted fake POP3 servers below run without TLS
allow_plaintext = yes

[session]
sqlite_path = {run_dir}/sessions.db
secure_cookie = no

[policy]
pop3_choice = yes
pop3_disabled = nopop@example.test
imap_disabled = pop@example.test, pop2k@example.test, @fake1.test, @fake2.test, @fake3.test, @fake4.test, @fake5.test

[mailbox]
page_size = 10
"""


class Imap:
    """A second, independent look at the mailbox."""
    def __init__(self, st, user="alice@example.test"):
        self.st, self.user = st, user
        self.connect()

    def connect(self):
        ctx = ssl.create_default_context(cafile=os.path.join(self.st.run_dir, "ca", "ca.pem"))
        self.m = imaplib.IMAP4_SSL("localhost", self.st.mail_base + 993, ssl_context=ctx, timeout=20)
        self.m.login(self.user, "wonderland")

    def uids(self, folder, *criteria, sort=None, literal=None):
        self.m.select('"%s"' % folder)
        criteria = tuple('"%s"' % c if " " in c else c for c in criteria)
        if literal is not None:
            self.m.literal = literal.encode()
            typ, data = self.m.uid("SEARCH", "CHARSET", "UTF-8", *criteria)
        elif sort:
            typ, data = self.m.uid("SORT", sort, "UTF-8", *(criteria or ("ALL",)))
        else:
            typ, data = self.m.uid("SEARCH", *(criteria or ("ALL",)))
        eq(typ, "OK", "imap search")
        return [int(x) for x in data[0].split()]

    def flags(self, folder, uid):
        self.m.select('"%s"' % folder)
        typ, data = self.m.uid("FETCH", str(uid), "(FLAGS)")
        return data[0].decode()

    def store(self, folder, uid, op, flag):
        self.m.select('"%s"' % folder)
        self.m.uid("STORE", str(uid), op, flag)

    def status(self, folder):
        typ, data = self.m.status('"%s"' % folder, "(MESSAGES UNSEEN)")
        nums = re.findall(r"(MESSAGES|UNSEEN) (\d+)", data[0].decode())
        return {k: int(v) for k, v in nums}

    def close(self):
        try:
            self.m.logout()
        except Exception:   # noqa: BLE001
            pass


def sign_in(st, user="alice@example.test", proto=None):
    fields = {"user": user, "password": "wonderland"}
    if proto:
        fields["proto"] = proto
    body = urllib.parse.urlencode(fields)
    r = st.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": "http://127.0.0.1:%d" % st.port}, body)
    eq(r.status, 303, "sign-in: " + r.text[:300])
    return cookie_of(r), r.getheader("Location")


def get(st, cookie, path):
    return st.http("GET", path, {"Cookie": cookie})


def row_uids(html):
    return [int(u) for u in re.findall(r'<tr class="[^"]*" data-uid="(\d+)"', html)]


def q(**kw):
    return urllib.parse.urlencode(kw)


def mail_log(st):
    with open(os.path.join(st.run_dir, "logs", "dovecot.log"), errors="replace") as f:
        return f.read()


def tests(st):
    cookie, where = sign_in(st)
    imap = Imap(st)

    def lands_in_mailbox():
        eq(where, "/mail/", "IMAP sign-in lands in the mailbox")
        r = get(st, cookie, "/mail")
        eq(r.status, 303, "/mail")
        eq(r.getheader("Location"), "/mail/")
        r = st.http("GET", "/mail/")
        eq(r.status, 303, "no session")
        eq(r.getheader("Location"), "/login")
    check("mailbox: IMAP4 sign-in lands on /mail/; without a session, sign in first", lands_in_mailbox)

    def folders():
        r = get(st, cookie, "/mail/")
        eq(r.status, 200, "status: " + r.text[:500])
        labels = re.findall(r'<li class="depth-(\d)[^"]*">\s*<a href="[^"]*" title="([^"]*)"', r.text)
        names = [n for _, n in labels]
        eq(names[:6], ["INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash"], "special folders first")
        assert names.index("Projects") < names.index("Projects/2026"), names
        eq(dict((n, d) for d, n in labels)["Projects/2026"], "1", "depth of Projects/2026")
        unseen = imap.status("INBOX")["UNSEEN"]
        has(r.text, 'aria-label="%d unread">%d</span>' % (unseen, unseen))
    check("mailbox: folders listed, special-use first, hierarchy kept, unread counts as the server says",
          folders)

    def first_page():
        r = get(st, cookie, "/mail/")
        want = list(reversed(imap.uids("INBOX")))[:10]
        eq(row_uids(r.text), want, "newest first by arrival")
        total = imap.status("INBOX")["MESSAGES"]
        has(r.text, "1–10 of %d" % total)
        has(r.text, 'rel="next"')
        r2 = get(st, cookie, "/mail/?" + q(f="INBOX", sort="arrival", order="desc", page=1))
        eq(row_uids(r2.text), list(reversed(imap.uids("INBOX")))[10:20], "page 2")
        has(r2.text, "11–20 of %d" % total)
        last = (total - 1) // 10
        r3 = get(st, cookie, "/mail/?" + q(f="INBOX", page=last))
        eq(len(row_uids(r3.text)), total - last * 10, "last page")
        hasnt(r3.text, 'rel="next"')
        r4 = get(st, cookie, "/mail/?" + q(f="INBOX", page=last + 5))
        eq(r4.status, 200, "past the end")
        eq(row_uids(r4.text), [], "past the end: no rows")
    check("mailbox: a page of headers, newest first, paging to the end", first_page)

    def sorting():
        for sort, key, order in (("subject", "SUBJECT", "asc"), ("size", "REVERSE SIZE", "desc"),
                                 ("from", "FROM", "asc"), ("date", "REVERSE DATE", "desc")):
            r = get(st, cookie, "/mail/?" + q(f="INBOX", sort=sort, order=order))
            eq(r.status, 200, sort)
            want = imap.uids("INBOX", sort="(%s)" % key)[:10]
            eq(row_uids(r.text), want, "sort by " + sort)
        r = get(st, cookie, "/mail/?" + q(f="INBOX", sort="colour"))
        eq(r.status, 400, "unknown sort")
    check("mailbox: sorted by subject, size, sender, date (server-side SORT, same order as IMAP)", sorting)

    def searching():
        r = get(st, cookie, "/mail/?" + q(f="INBOX", q="parcel", **{"in": "subject"}))
        eq(sorted(row_uids(r.text)), sorted(imap.uids("INBOX", "SUBJECT", "parcel")), "subject search")
        assert row_uids(r.text), "nothing found"
        has(r.text, "found")
        r = get(st, cookie, "/mail/?" + q(f="INBOX", q="Müller", **{"in": "from"}))
        want = sorted(imap.uids("INBOX", "FROM", literal="Müller"))
        assert 3 <= len(want) <= 10, want
        eq(sorted(row_uids(r.text)), want, "UTF-8 sender search")
        r = get(st, cookie, "/mail/?" + q(f="INBOX", q="nothing-matches-this-xyzzy"))
        has(r.text, "Nothing found.")
        r = get(st, cookie, "/mail/?f=INBOX&q=a%0D%0AX%20LOGOUT")
        eq(r.status, 400, "CR/LF in the search text")
    check("mailbox: server-side search (subject, UTF-8 sender), nothing found, CR/LF refused", searching)

    def read_plain():
        uid = imap.uids("INBOX", "SUBJECT", "Lunch tomorrow")[0]
        imap.store("INBOX", uid, "-FLAGS", "(\\Seen)")
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
        eq(r.status, 200, "message page: " + r.text[:300])
        has(r.text, "<h1 id=\"subject\"><bdi>Lunch tomorrow?</bdi></h1>")
        has(r.text, "Bob Smith")
        assert "\\Seen" in imap.flags("INBOX", uid), "not marked read"
    check("message: a plain-text message is shown and marked read", read_plain)

    def decoded_headers():
        uid = imap.uids("INBOX", "SUBJECT", "Lebenslauf")[0]
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
        has(r.text, "Lebenslauf für die Stelle")
        has(r.text, "Zoë Müller")
        has(r.text, "Lebenslauf Zoë Müller – Übersicht.txt")
        jp = imap.uids("INBOX", "FROM", "yuki")[0]
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=jp))
        has(r.text, "会議の議事録について")
    check("message: RFC 2047 subjects and names, an RFC 2231 file name, ISO-2022-JP decoded", decoded_headers)

    def html_framed():
        uid = imap.uids("INBOX", "SUBJECT", "You have won")[0]
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
        m = re.search(r'<iframe class="mailbody"[^>]* sandbox="([^"]*)" src="([^"]+)"', r.text)
        assert m, "no sandboxed frame: " + r.text[:2000]
        eq(m.group(1), "allow-popups allow-popups-to-escape-sandbox", "sandbox: links open, nothing else")
        m = re.search(r'sandbox="[^"]*" src="([^"]+)"', r.text)
        src = html.unescape(m.group(1))
        b = get(st, cookie, src)
        eq(b.status, 200, "frame " + src + " " + b.text[:400])
        csp = b.getheader("Content-Security-Policy")
        has(csp, "sandbox")
        has(csp, "default-src 'none'")
        has(csp, "frame-ancestors 'self'")
        eq(b.getheader("X-Content-Type-Options"), "nosniff")
        low = b.text.lower()
        hasnt(low, "<script")
        hasnt(low, "javascript:")
        hasnt(low, " onerror")
        hasnt(low, " onload")
        uid = imap.uids("INBOX", "SUBJECT", "Inline image test")[0]
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
        src = html.unescape(re.search(r'sandbox="[^"]*" src="([^"]+)"', r.text).group(1))
        b = get(st, cookie, src)
        assert re.search(r'<img[^>]* src="data:image/png;base64,iVBORw0KGgo', b.text), \
            "cid: picture not inlined: " + b.text[:1500]
        has(b.getheader("Content-Security-Policy"), "img-src data:;")
    check("message: HTML shown in an <iframe sandbox> from /mail/body with its own CSP; no script left; "
          "cid: pictures inlined",
          html_framed)

    def attachment():
        uid = imap.uids("INBOX", "SUBJECT", "Invoice 2026-1187")[0]
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
        m = re.search(r'<a href="(/mail/part\?[^"]+)" download><bdi>invoice-2026-1187.pdf</bdi></a>', r.text)
        assert m, "attachment not listed: " + r.text[:3000]
        d = get(st, cookie, html.unescape(m.group(1)))
        eq(d.status, 200, "download")
        has(d.getheader("Content-Disposition"), 'attachment; filename="invoice-2026-1187.pdf"')
        eq(d.getheader("Content-Type"), "application/octet-stream")
        eq(d.getheader("X-Content-Type-Options"), "nosniff")
        raw = get(st, cookie, "/mail/raw?" + q(f="INBOX", uid=uid))
        eq(raw.status, 200, "raw")
        has(raw.getheader("Content-Disposition"), "attachment")
        has(raw.text, "Subject: Invoice 2026-1187")
    check("message: an attachment downloads as an attachment (decoded, nosniff); the source too", attachment)

    def embedded():
        uid = imap.uids("INBOX", "SUBJECT", "Fwd: Server room access")[0]
        r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
        m = re.search(r'<a href="(/mail/message\?[^"]+)">read it here</a>', r.text)
        assert m, "no way to read the forwarded message: " + r.text[:3000]
        e = get(st, cookie, html.unescape(m.group(1)))
        eq(e.status, 200, "embedded message")
        has(e.text, "<h1 id=\"subject\"><bdi>Server room access</bdi></h1>")
        has(e.text, "Bob Smith")
        has(e.text, "Back to the message it came in")
    check("message: a forwarded message (message/rfc822) can be read in place", embedded)

    def bad_links():
        for path, status in (("/mail/?f=%FF", 400), ("/mail/?f=A%0D%0AB", 400),
                             ("/mail/message?f=INBOX&uid=0", 400), ("/mail/message?f=INBOX", 400),
                             ("/mail/message?f=INBOX&uid=4294967296", 400),
                             ("/mail/part?f=INBOX&uid=1&part=1..2", 400),
                             ("/mail/?f=No%20such%20folder", 404),
                             ("/mail/part?f=INBOX&uid=1&part=9.9", 404)):
            r = get(st, cookie, path)
            eq(r.status, status, path)
            has(r.text, "<!DOCTYPE html>", path + " is a page")
        # a message that is not (any more) in an existing folder: back to
        # the list, which says so (not an error page)
        r = get(st, cookie, "/mail/message?f=INBOX&uid=999999")
        eq((r.status, r.getheader("Location")), (303, "/mail/?f=INBOX&gone=1"), "missing message")
        has(get(st, cookie, "/mail/?f=INBOX&gone=1").text, "This message is no longer here", "the list says")
        # after all that the connection still works
        eq(get(st, cookie, "/mail/").status, 200, "mailbox after bad links")
    check("mailbox: bad links get 400, missing folders 404, a missing message the list saying so", bad_links)

    def reuse_and_recover():
        before = mail_log(st).count("Login: user=<alice@example.test>")
        for _ in range(5):
            eq(get(st, cookie, "/mail/").status, 200, "list")
        after = mail_log(st).count("Login: user=<alice@example.test>")
        eq(after - before, 0, "new logins for 5 pages (nginx keeps a session on its worker)")
        r = subprocess.run(["doveadm", "-c", os.path.join(st.run_dir, "dovecot", "dovecot.conf"),
                            "kick", "alice@example.test"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        eq(r.returncode, 0, "doveadm kick: " + r.stdout)
        time.sleep(0.2)
        r = get(st, cookie, "/mail/")
        eq(r.status, 200, "after the server dropped the connection: " + r.text[:300])
        assert mail_log(st).count("Login: user=<alice@example.test>") > after, "no new login"
        imap.connect()   # the kick ended this suite's own connection too
    check("mailbox: the connection is reused across pages and re-opened when the server drops it",
          reuse_and_recover)

    def deadline_per_command():
        # every command gets its own deadline: a cached connection older
        # than [upstream] timeout must not look dead
        text = st.conf_text.replace("timeout = 10", "timeout = 1")
        assert st.reload(text), "reload with timeout = 1"
        try:
            c, _ = sign_in(st)
            eq(get(st, c, "/mail/").status, 200, "first page")
            before = st.log().count("reconnecting")
            time.sleep(1.6)
            eq(get(st, c, "/mail/").status, 200, "page after 1.6 s")
            eq(get(st, c, "/mail/message?" + q(f="INBOX", uid=imap.uids("INBOX")[0])).status, 200, "message")
            eq(st.log().count("reconnecting"), before, "the cached connection was taken for dead")
        finally:
            assert st.reload(st.conf_text), "reload back"
    check("mailbox: each IMAP command has its own deadline (a connection older than the timeout still works)",
          deadline_per_command)

    def pop_user():
        c, where2 = sign_in(st, "pop@example.test")
        eq(where2, "/mail/", "POP3 sign-in")
        r = get(st, c, "/mail/?f=Sent")
        eq(r.status, 200, "POP3 session at /mail/")
        has(r.text, "Over POP3 there is one folder, Inbox")
        r = get(st, c, "/mail/message?" + q(f="INBOX", uid=1))
        eq(r.status, 303, "an IMAP message link in a POP3 session")
    check("mailbox: a POP3 session gets the POP3 view, never the IMAP one", pop_user)
    imap.close()
    odd_folders(st)
    big_folders(st)
    older_server(st)
    pop3_view(st)
    hostile_pop3(st)
    actions(st, "lab@example.test", st.mail_base + 993, "with MOVE")
    actions(st, "carol@branch.test", st.mail_base + 201, "without MOVE (COPY + UID EXPUNGE)")


def actions(st, user, port, kind):
    """Acting on messages, checked over a separate IMAP connection."""
    ctx = ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))
    b = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx, timeout=20)
    b.login(user, "wonderland")
    tag = "act-%d" % int(time.time() * 1000)
    for i in range(3):
        b.append("INBOX", None, None, ("Subject: %s-%d\r\nFrom: x@y.test\r\n\r\nbody %d\r\n" % (tag, i, i)).encode())

    def find(folder, i):
        b.select('"%s"' % folder)
        typ, data = b.uid("SEARCH", "SUBJECT", "%s-%d" % (tag, i))
        return [int(x) for x in data[0].split()]

    def flags(folder, uid):
        b.select('"%s"' % folder)
        return b.uid("FETCH", str(uid), "(FLAGS)")[1][0].decode()

    cookie, _ = sign_in(st, user)
    u0, u1, u2 = find("INBOX", 0)[0], find("INBOX", 1)[0], find("INBOX", 2)[0]
    r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=u0))
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    hdrs = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "http://127.0.0.1:%d" % st.port}

    def post(uid, folder="INBOX", **fields):
        fields.setdefault("csrf", token)
        return st.http("POST", "/mail/action?" + q(f=folder, uid=uid), hdrs, urllib.parse.urlencode(fields))

    def flags_and_read():
        has(r.text, 'value="unread">Mark unread</button>')
        eq(post(u0, op="flag").status, 303, "flag")
        assert "\\Flagged" in flags("INBOX", u0), flags("INBOX", u0)
        eq(post(u0, op="unflag").status, 303, "unflag")
        assert "\\Flagged" not in flags("INBOX", u0)
        eq(post(u0, op="unread").status, 303, "unread")
        assert "\\Seen" not in flags("INBOX", u0)
        eq(post(u0, op="flag", csrf="A" * 43).status, 403, "wrong token")
        eq(st.http("GET", "/mail/action?" + q(f="INBOX", uid=u0), {"Cookie": cookie}).status, 405, "GET")
        eq(post(u0, op="explode").status, 400, "unknown action")
        eq(post(u0, op="move", to="A\r\nB").status, 400, "CR/LF in the folder")
    check("actions (%s): flag, unflag, mark unread; token, method and input checked" % kind, flags_and_read)

    def move_and_delete():
        eq(post(u1, op="move", to="Archive").status, 200, "move (a result page with Undo)")
        eq(find("INBOX", 1), [], "gone from INBOX")
        eq(len(find("Archive", 1)), 1, "in Archive")
        eq(post(u2, op="delete").status, 200, "delete (a result page with Undo)")
        eq(find("INBOX", 2), [], "gone from INBOX")
        t = find("Trash", 2)
        eq(len(t), 1, "in Trash")
        n_inbox = len(b.select("INBOX") and find("INBOX", 0))
        eq(post(u2, op="delete").status, 303, "the same delete again")
        eq(len(find("INBOX", 0)), n_inbox, "a second submit deletes nothing else")
        r2 = post(t[0], folder="Trash", op="delete")
        eq(r2.status, 200, "deleting from Trash asks first")
        has(r2.text, "Delete this message for good?")
        eq(len(find("Trash", 2)), 1, "still in Trash before confirming")
        eq(post(t[0], folder="Trash", op="delete", confirm="1").status, 303, "confirmed")
        eq(find("Trash", 2), [], "gone for good")
    check("actions (%s): move to a folder, delete to Trash, double submit harmless, "
          "delete from Trash after confirming" % kind, move_and_delete)
    b.logout()


# --- POP3 ------------------------------------------------------------------

FAKE_MODES = ["list-zero", "dup-uidl", "eof-in-list", "mismatch", "quit-drop"]


def start_fake_pop3(base):
    """Plaintext POP3 servers that break the rules the way libetpan cannot
    take: LIST index 0, duplicate UIDLs, EOF inside LIST, LIST and UIDL
    disagreeing. Any USER/PASS is accepted."""
    import socketserver
    import threading

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            mode = self.server.mode
            w = self.wfile.write
            w(b"+OK fake POP3\r\n")
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                cmd = line.strip().split(b" ")[0].upper()
                if cmd in (b"USER", b"PASS", b"NOOP", b"RSET"):
                    w(b"+OK\r\n")
                elif cmd == b"CAPA":
                    w(b"+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n")
                elif cmd == b"STAT":
                    w(b"+OK 2 200\r\n")
                elif cmd == b"LIST":
                    if mode == "list-zero":
                        w(b"+OK\r\n0 100\r\n1 100\r\n.\r\n")
                    elif mode == "eof-in-list":
                        w(b"+OK\r\n1 100\r\n")
                        return
                    else:
                        w(b"+OK\r\n1 100\r\n2 100\r\n.\r\n")
                elif cmd == b"UIDL":
                    if mode == "dup-uidl":
                        w(b"+OK\r\n1 same\r\n2 same\r\n.\r\n")
                    elif mode == "mismatch":
                        w(b"+OK\r\n1 a\r\n.\r\n")
                    else:
                        w(b"+OK\r\n1 a\r\n2 b\r\n.\r\n")
                elif cmd == b"QUIT":
                    if mode != "quit-drop":   # quit-drop: gone before confirming
                        w(b"+OK bye\r\n")
                    return
                elif cmd == b"DELE":
                    w(b"+OK marked\r\n")
                elif cmd in (b"TOP", b"RETR"):
                    w(b"+OK\r\nSubject: fake\r\nFrom: f@fake.test\r\n\r\nbody\r\n.\r\n")
                else:
                    w(b"-ERR what\r\n")

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True   # a rerun finds the ports in TIME_WAIT

    ports = []
    for i, mode in enumerate(FAKE_MODES):
        srv = Server(("127.0.0.1", base + i), Handler)
        srv.daemon_threads = True
        srv.mode = mode
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        ports.append(base + i)
    return ports


class Pop:
    """A second, independent look at the POP3 maildrop."""
    def __init__(self, st, user="pop@example.test"):
        import poplib
        ctx = ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))
        self.p = poplib.POP3_SSL("localhost", st.mail_base + 995, context=ctx, timeout=20)
        self.p.user(user)
        self.p.pass_("wonderland")

    def uidls(self):
        return [ln.decode().split()[1] for ln in self.p.uidl()[1]]

    def subject(self, num):
        hdr = b"\n".join(self.p.top(num, 0)[1]).decode("utf-8", "replace")
        m = re.search(r"^Subject: (.*)$", hdr, re.M)
        return m.group(1) if m else ""

    def quit(self):
        self.p.quit()


def uidl_rows(text):
    return re.findall(r'data-uidl="([^"]+)"', text)


def pop3_view(st):
    cookie, where = sign_in(st, "pop@example.test")

    def list_newest_first():
        eq(where, "/mail/", "POP3 sign-in lands in the mailbox")
        r = get(st, cookie, "/mail/")
        eq(r.status, 200, "POP3 list: " + r.text[:300])
        has(r.text, "Over POP3 there is one folder, Inbox")
        pop = Pop(st)
        ids = pop.uidls()
        pop.quit()
        has(r.text, "1–10 of %d" % len(ids))
        eq(uidl_rows(r.text), list(reversed(ids))[:10], "newest first, named by UIDL")
        r2 = get(st, cookie, "/mail/?page=1")
        eq(uidl_rows(r2.text), list(reversed(ids))[10:20], "page 2")
    check("pop3: headers-only list, newest first, 10 a page, messages named by UIDL; the one-folder note",
          list_newest_first)

    def read_leaves_copy_and_unlocks():
        pop = Pop(st)
        ids = pop.uidls()
        subj = pop.subject(len(ids))
        pop.quit()
        r = get(st, cookie, "/mail/message?" + q(m=ids[-1]))
        eq(r.status, 200, "message")
        has(r.text, html.escape(subj, quote=False) if "<" in subj else subj.split("=?")[0][:20])
        has(r.text, 'action="/mail/delete?m&#61;')
        # the lock is gone at once and the message is still there
        pop = Pop(st)
        eq(pop.uidls(), ids, "messages on the server after reading")
        pop.quit()
    check("pop3: reading leaves the message on the server, and the maildrop is unlocked afterwards",
          read_leaves_copy_and_unlocks)

    def delete_with_confirmation():
        pop = Pop(st)
        ids = pop.uidls()
        pop.quit()
        victim = ids[0]
        r = get(st, cookie, "/mail/message?" + q(m=victim))
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        hdrs = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "http://127.0.0.1:%d" % st.port}
        action = "/mail/delete?" + q(m=victim)
        has(r.text, 'action="%s"' % html.escape(action).replace("=", "&#61;"))
        r = st.http("POST", action, hdrs, urllib.parse.urlencode({"csrf": token}))
        eq(r.status, 200, "asks first")
        has(r.text, "Delete this message from the server?")
        pop = Pop(st)
        eq(pop.uidls(), ids, "nothing deleted before confirming")
        pop.quit()
        r = st.http("POST", action, dict(hdrs, Origin="https://evil.example"),
                    urllib.parse.urlencode({"csrf": token, "confirm": "1"}))
        eq(r.status, 403, "cross-site delete")
        r = st.http("POST", action, hdrs, urllib.parse.urlencode({"csrf": token, "confirm": "1"}))
        eq(r.status, 200, "delete: " + r.text[:300])
        has(r.text, "The message was deleted from the server.")
        pop = Pop(st)
        eq(pop.uidls(), ids[1:], "exactly that message is gone")
        pop.quit()
        r = st.http("POST", action, hdrs, urllib.parse.urlencode({"csrf": token, "confirm": "1"}))
        eq(r.status, 404, "deleting it twice")
        eq(get(st, cookie, "/mail/message?" + q(m=victim)).status, 404, "reading a deleted message")
    check("pop3: delete asks first, refuses cross-site, removes exactly one message (DELE + QUIT), twice is 404",
          delete_with_confirmation)

    def bad_uidl():
        eq(get(st, cookie, "/mail/message?m=a%20b").status, 400, "space in m")
        eq(get(st, cookie, "/mail/message?m=" + "x" * 71).status, 400, "71 bytes")
    check("pop3: a malformed message id gets 400", bad_uidl)

    def chooses_pop3():
        r = st.http("GET", "/login")
        has(r.text, 'name="proto" value="pop3"')
        c, where2 = sign_in(st, "alice@example.test", proto="pop3")
        eq(where2, "/mail/", "alice over POP3")
        r = get(st, c, "/mail/")
        has(r.text, "Over POP3 there is one folder, Inbox")
        imap = Imap(st)
        n = imap.status("INBOX")["MESSAGES"]
        imap.close()
        has(r.text, "1–10 of %d" % n)
        body = urllib.parse.urlencode({"user": "nopop@example.test", "password": "wonderland", "proto": "pop3"})
        r = st.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                       "Origin": "http://127.0.0.1:%d" % st.port}, body)
        eq(r.status, 403, "POP3 chosen where it is disabled")
        has(r.text, "POP3 is disabled for your mailbox")
    check("pop3: a user with both protocols may choose POP3 at sign-in (where the admin allows it)", chooses_pop3)

    def remove_after_reading():
        c, _ = sign_in(st, "pop@example.test")
        r = get(st, c, "/mail/")
        has(r.text, 'name="remove" value="1">')   # off by default
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        hdrs = {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "http://127.0.0.1:%d" % st.port}
        pop = Pop(st)
        ids = pop.uidls()
        pop.quit()
        eq(get(st, c, "/mail/message?" + q(m=ids[-1])).status, 200, "read one (setting off)")
        get(st, c, "/mail/")
        pop = Pop(st)
        eq(pop.uidls(), ids, "off: still on the server")
        pop.quit()
        r = st.http("POST", "/mail/pop3-settings", hdrs, urllib.parse.urlencode({"csrf": token, "remove": "1"}))
        eq(r.status, 303, "save the setting")
        r = get(st, c, "/mail/")
        has(r.text, 'name="remove" value="1" checked>')
        eq(get(st, c, "/mail/message?" + q(m=ids[-2])).status, 200, "read another")
        r = get(st, c, "/mail/")
        has(r.text, "1 message you read was removed from the server")
        pop = Pop(st)
        left = pop.uidls()
        pop.quit()
        eq(set(ids) - set(left), {ids[-2]}, "the message read with the setting on, nothing else")
        r = st.http("POST", "/mail/pop3-settings", hdrs, urllib.parse.urlencode({"csrf": token}))
        eq(r.status, 303, "switch it off again")
        has(get(st, c, "/mail/").text, 'name="remove" value="1">')
    check("pop3: 'remove from server after reading' is off by default; on, a message read is deleted "
          "at the next list view (not those read before, nothing else)", remove_after_reading)

    def over_stls():
        text = st.conf_text.replace("pop3 = 127.0.0.1:%d:SSL" % (st.mail_base + 995),
                                    "pop3 = 127.0.0.1:%d:STARTTLS" % (st.mail_base + 110), 1)
        assert text != st.conf_text, "config not switched"
        assert st.reload(text), "reload with POP3 over STLS"
        try:
            c, _ = sign_in(st, "pop2k@example.test")
            r = get(st, c, "/mail/")
            eq(r.status, 200, "list over STLS")
            has(r.text, "1–10 of 2000")
            eq(get(st, c, "/mail/message?" + q(m=uidl_rows(r.text)[0])).status, 200, "open over STLS")
            has(mail_log(st), "pop3-login: Info: Login: user=<pop2k@example.test>, method=PLAIN, rip=127.0.0.1, "
                              "lip=127.0.0.1, mpid=")
        finally:
            assert st.reload(st.conf_text), "reload back"
    check("pop3: the view works over POP3 with STLS too (backend on the STARTTLS port)", over_stls)

    c2k, _ = sign_in(st, "pop2k@example.test")

    def two_thousand():
        t0 = time.time()
        r = get(st, c2k, "/mail/")
        took = time.time() - t0
        eq(r.status, 200, "2,000 messages: " + r.text[:300])
        has(r.text, "1–10 of 2000")
        r = get(st, c2k, "/mail/?page=199")
        eq(len(uidl_rows(r.text)), 10, "the last page")
        r = get(st, c2k, "/mail/message?" + q(m=uidl_rows(r.text)[-1]))
        eq(r.status, 200, "the oldest message")
        print("# POP3, 2,000 messages: first page %.0f ms" % (took * 1000))
    check("pop3: a 2,000-message maildrop pages to the end and opens its oldest message", two_thousand)


def hostile_pop3(st):
    def quit_dropped():
        c, _ = sign_in(st, "someone@fake5.test")
        r = get(st, c, "/mail/")
        eq(r.status, 200, "fake maildrop: " + r.text[:300])
        r = get(st, c, "/mail/message?" + q(m="a"))
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        r = st.http("POST", "/mail/delete?" + q(m="a"),
                    {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                     "Origin": "http://127.0.0.1:%d" % st.port},
                    urllib.parse.urlencode({"csrf": token, "confirm": "1"}))
        eq(r.status, 502, "delete whose QUIT was not confirmed")
        has(r.text, "Nothing was deleted")
    check("pop3: the connection drops before QUIT is confirmed: the user is told nothing was deleted",
          quit_dropped)
    for i, mode in enumerate(FAKE_MODES[:-1]):
        def one(i=i, mode=mode):
            c, _ = sign_in(st, "someone@fake%d.test" % (i + 1))
            t0 = time.time()
            r = get(st, c, "/mail/")
            eq(r.status, 502, mode + ": " + r.text[:300])
            has(r.text, "<!DOCTYPE html>")
            assert time.time() - t0 < 5, "took %.1f s" % (time.time() - t0)
            eq(get(st, c, "/healthz").status, 200, "postern still answers")
        check("pop3: a server whose %s gets a clear 502 page, no crash" % mode, one)


def older_server(st):
    """The branch server advertises no SORT, ESORT, LIST-STATUS,
    SPECIAL-USE, CONDSTORE or MOVE: postern's fallbacks, compared with
    what Dovecot's own SORT (still there, just not advertised) says."""
    ctx = ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))
    b = imaplib.IMAP4_SSL("localhost", st.mail_base + 201, ssl_context=ctx, timeout=20)
    b.login("carol@branch.test", "wonderland")
    for folder in ("Sent", "Trash", "Projects", "Projects/Q1"):
        b.create(folder)
    senders = ["zed@x.test", "Amy <amy@y.test>", "bob@z.test", "Carl <carl@w.test>"]
    subjects = ["Re: budget", "apple pie", "Fwd: Zebra crossing", "[list] budget", "Mango",
                "re: RE: apple pie", "banana", "Budget (fwd)", "cherry", "=?utf-8?q?=C3=84rger?=",
                "delta", "Echo"]
    for i, subj in enumerate(subjects):
        body = "line\r\n" * (i * 7 % 13 + 1)
        msg = ("From: %s\r\nTo: carol@branch.test\r\nSubject: %s\r\nDate: %s\r\n\r\n%s" % (
            senders[i % 4], subj, "Mon, %02d Nov 2026 %02d:00:00 +0000" % (1 + (i * 5) % 12, i), body))
        b.append("INBOX", None, imaplib.Time2Internaldate(1790000000 + i * 3600), msg.encode())
    b.append("Projects/Q1", None, None, b"Subject: q1\r\n\r\nq1\r\n")
    b.select("INBOX")
    cookie, _ = sign_in(st, "carol@branch.test")

    def folders_without_extensions():
        r = get(st, cookie, "/mail/")
        eq(r.status, 200, "carol's mailbox: " + r.text[:300])
        names = [html.unescape(t) for t in re.findall(r'<li class="depth-\d[^"]*">\s*<a href="[^"]*" title="([^"]*)"', r.text)]
        eq(names[:6], ["INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash"], "special folders by name")
        assert names.index("Projects") < names.index("Projects/Q1"), names
        has(r.text, "1–10 of %d" % len(subjects))
        assert re.search(r'title="Projects/Q1"><bdi>Q1</bdi> <span class="count" aria-label="1 unread">', r.text), \
            "STATUS counts without LIST-STATUS"
    check("older server: folders without SPECIAL-USE or LIST-STATUS (names, STATUS counts)", folders_without_extensions)

    def sorted_here():
        for sort, key, order in (("subject", "SUBJECT", "asc"), ("subject", "REVERSE SUBJECT", "desc"),
                                 ("size", "REVERSE SIZE", "desc"), ("date", "DATE", "asc"),
                                 ("from", "FROM", "asc")):
            r = get(st, cookie, "/mail/?" + q(f="INBOX", sort=sort, order=order))
            eq(r.status, 200, sort)
            typ, data = b.uid("SORT", "(%s)" % key, "UTF-8", "ALL")
            want = [int(x) for x in data[0].split()]
            got = row_uids(r.text)
            r2 = get(st, cookie, "/mail/?" + q(f="INBOX", sort=sort, order=order, page=1))
            eq(got + row_uids(r2.text), want, "%s %s as Dovecot sorts it" % (sort, order))
        r = get(st, cookie, "/mail/?" + q(f="INBOX", sort="subject", order="asc", q="budget", **{"in": "subject"}))
        typ, data = b.uid("SORT", "(SUBJECT)", "UTF-8", "SUBJECT", "budget")
        eq(row_uids(r.text), [int(x) for x in data[0].split()], "search + sort")
    check("older server: sort by subject, size, date and sender done by postern, same order as RFC 5256 SORT",
          sorted_here)
    b.logout()


def facts(st, rel):
    import json
    with open(os.path.join(st.run_dir, "mail", "example.test", rel)) as f:
        return json.load(f)


def odd_folders(st):
    cookie, _ = sign_in(st, "lab@example.test")
    ff = facts(st, "lab/folders-facts.json")["folders"]

    def listed():
        r = get(st, cookie, "/mail/")
        eq(r.status, 200, "lab's mailbox")
        shown = [html.unescape(t) for t in re.findall(r' title="([^"]*)"', r.text)]
        missing = [f["name"] for f in ff if f["name"] not in shown and not f["name"].startswith("~")
                   and f.get("category") != "nonexistent"]
        assert len(missing) <= len(ff) // 50, "not listed: %r" % missing[:10]
        low = r.text.lower()
        eq(low.count("<script"), 1, "only postern's own script tag")
        hasnt(low, "<img src=x")
        # a right-to-left override in a name cannot reorder the page around it
        rlo = re.findall("<bdi>[^<]*\u202e[^<]*</bdi>", r.text)
        assert rlo, "RTL override name not isolated in <bdi>"
    check("folders: %d odd names (markup, quotes, %%, *, &, RTL, CJK, emoji) listed, all escaped" % len(ff),
          listed)

    def open_each_kind():
        seen = set()
        for f in ff:
            if f.get("category") in seen or f["messages"] == 0:
                continue
            seen.add(f.get("category"))
            r = get(st, cookie, "/mail/?" + q(f=f["mutf7"]))
            eq(r.status, 200, "open %r" % f["name"])
            eq(len(row_uids(r.text)), f["messages"], "messages in %r" % f["name"])
        assert len(seen) >= 5, seen
    check("folders: a folder of each odd kind opens by its link and shows its messages", open_each_kind)
    mime_samples(st, cookie)


def shown_text(st, cookie, page):
    """A message page's visible text plus its framed HTML bodies' text."""
    texts = [page]
    for src in re.findall(r'<iframe class="mailbody"[^>]* sandbox="[^"]*" src="([^"]+)"', page):
        texts.append(get(st, cookie, html.unescape(src)).text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(texts)))
    return re.sub(r"\s+", " ", text)


def mime_samples(st, cookie):
    samples = facts(st, "lab/mime-facts.json")["samples"]["messages"]

    def large_attachment():
        m = [x for x in samples if x["case"] == "large"][0]
        r = get(st, cookie, "/mail/message?" + q(f="Samples", uid=m["uid"]))
        link = re.search(r'<a href="(/mail/part\?[^"]+)" download><bdi>big.bin</bdi>', r.text)
        assert link, "big.bin not listed"
        d = get(st, cookie, html.unescape(link.group(1)))
        eq(d.status, 200, "download: " + d.text[:200])
        assert int(d.getheader("Content-Length")) >= 1 << 20, d.getheader("Content-Length")
    check("message: an attachment over 1 MB downloads whole", large_attachment)

    def too_complex():
        m = [x for x in samples if x["case"] == "bad-deep-nesting"][0]
        r = get(st, cookie, "/mail/message?" + q(f="Samples", uid=m["uid"]))
        eq(r.status, 200, "deeply nested message")
        has(r.text, "more parts, or parts nested deeper, than this site takes apart")
        has(r.text, "at most 500 parts, 50 levels")
        assert re.search(r'<div class="mailbody text">.+</div>', r.text, re.S), "no raw text shown"
    check("message: one nested deeper than [mailbox] max_mime_depth shows its raw text and says why",
          too_complex)

    def libetpan_crashers():
        # what crashes Debian's libetpan MIME parser: postern never hands raw
        # mail to it (the server's BODYSTRUCTURE is used), so these open
        lab = Imap(st, "lab@example.test")
        bad = [b'Subject: boundary quote\r\nMIME-Version: 1.0\r\n'
               b'Content-Type: multipart/mixed; boundary="\\""\r\n\r\n--"\r\n'
               b'Content-Type: text/plain\r\n\r\nquote boundary body\r\n--"--\r\n',
               b'Subject: empty boundary\r\nMIME-Version: 1.0\r\n'
               b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\nempty boundary body\r\n',
               b'Subject: nul and cr\r\nContent-Type: text/plain\r\n\r\nbefore\x00after\rlone cr\r\n']
        lab.m.select("INBOX")
        for raw in bad:
            typ, _ = lab.m.append("INBOX", None, None, raw)
            eq(typ, "OK", "append")
        uids = lab.uids("INBOX")[-len(bad):]
        for uid in uids:
            r = get(st, cookie, "/mail/message?" + q(f="INBOX", uid=uid))
            eq(r.status, 200, "message %d" % uid)
            for sub in re.findall(r'sandbox="[^"]*" src="([^"]+)"', r.text):
                eq(get(st, cookie, html.unescape(sub)).status, 200, "frame")
        lab.close()
        eq(get(st, cookie, "/mail/").status, 200, "mailbox afterwards")
    check("message: mail that crashes libetpan's MIME parser (boundary=\"\\\"\", empty boundary, NUL) opens",
          libetpan_crashers)

    def every_sample():
        problems = []
        for m in samples:
            r = get(st, cookie, "/mail/message?" + q(f="Samples", uid=m["uid"]))
            if r.status != 200:
                problems.append("%d %s: status %d" % (m["uid"], m["case"], r.status))
                continue
            text = shown_text(st, cookie, r.text)
            exp = m.get("expect") or {}
            for key in ("text", "subject", "from"):
                want = exp.get(key)
                if want and re.sub(r"\s+", " ", want) not in text:
                    problems.append("%d %s: %s %r not shown" % (m["uid"], m["case"], key, want))
            for name in exp.get("attachments", []):
                if name != "(none)" and ">%s<" % html.escape(name, quote=False) not in r.text.replace("<bdi>", "").replace("</bdi>", ""):
                    problems.append("%d %s: attachment %r not listed" % (m["uid"], m["case"], name))
        assert not problems, "%d of %d samples wrong:\n  %s" % (len(problems), len(samples), "\n  ".join(problems))
    check("message: %d MIME samples (charsets, encodings, nesting, RFC 2047/2231, flowed, malformed) "
          "shown with the expected text, subject, sender and attachments" % len(samples), every_sample)


def big_folders(st):
    b = facts(st, "big/facts.json")["mailboxes"]
    if not os.path.exists(os.path.join(st.run_dir, "mail", "example.test", "big", "mail", "inbox")):
        print("not ok - big mailbox seeded (SEED_BIG=1)")
        return
    cookie, _ = sign_in(st, "big@example.test")

    def first_and_last():
        t0 = time.time()
        r = get(st, cookie, "/mail/")   # the first SELECT indexes the mbox
        eq(r.status, 200, "big INBOX")
        total = b["INBOX"]["messages"]
        has(r.text, "1–10 of %d" % total)
        eq(row_uids(r.text), list(range(total, total - 10, -1)), "newest first")
        last = (total - 1) // 10
        r = get(st, cookie, "/mail/?" + q(f="INBOX", page=last))
        eq(row_uids(r.text), list(range(10, 0, -1)), "the oldest page")
        t1 = time.time()
        for _ in range(3):
            eq(get(st, cookie, "/mail/?" + q(f="INBOX", page=7)).status, 200, "warm page")
        warm = (time.time() - t1) / 3
        print("# 200,000 messages: first page %.2f s (indexing), warm page %.1f ms" %
              (t1 - t0, warm * 1000))
    check("big folder: 200,000 messages, newest and oldest pages by sequence number", first_and_last)

    def ten_thousand():
        r = get(st, cookie, "/mail/?" + q(f="Thousands", sort="arrival", order="asc"))
        eq(r.status, 200, "Thousands")
        has(r.text, "1–10 of %d" % b["Thousands"]["messages"])
        eq(row_uids(r.text), list(range(1, 11)), "oldest first")
    check("big folder: 10,000 messages, oldest first", ten_thousand)


def main():
    st = Stack(port=int(os.environ.get("MB_PORT", "18300")),
               mail_base=int(os.environ.get("MB_MAIL_BASE", "27000")))
    fakes = start_fake_pop3(st.mail_base + 300)
    text = CONF.format(group=nginx_group(), imaps=st.mail_base + 993, pop3s=st.mail_base + 995,
                       b_imaps=st.mail_base + 201, run_dir=st.run_dir,
                       **{"fake%d" % i: port for i, port in enumerate(fakes)})
    st.env["SEED_BIG"] = "1"
    st.conf_text = text
    if not st.start_or_report(text, "stack starts"):
        return 1
    try:
        tests(st)
        log = st.log()
        bad = [ln for ln in log.splitlines() if "runtime error" in ln or "ERROR: AddressSanitizer" in ln
               or "worker died" in ln]
        if bad:
            print("not ok - postern's log is clean")
            for ln in bad[:20]:
                print("#   " + ln)
        else:
            print("ok - postern's log is clean")
    finally:
        st.stop()
    return 0 if RESULTS["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
