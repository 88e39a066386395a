#!/usr/bin/env python3
"""Live-update suite: new mail pushed to an open mailbox over IMAP IDLE and
Server-Sent Events, against the real stack (Dovecot, nginx, postern).

Streams are read like a browser's EventSource (HTTP/1.1 through nginx,
chunked); mail is delivered by the test over LMTP, or changed from a
separate IMAP connection; what the server holds is checked with doveadm.
Also: the refresh schedule and its form, the status JSON, the caps, the
204 answers that send the page to its schedule, sign-out and reload ending
streams, and a load test (200 streams held while pages are timed)."""
import imaplib
import json
import os
import re
import smtplib
import socket
import socketserver
import ssl
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Stack, check, cookie_of, eq, has, hasnt, nginx_group, RESULTS  # noqa: E402
import sse  # noqa: E402

PORT, MAIL_BASE = 18900, 30000
FAKE_PORT = MAIL_BASE + 500
ORIGIN = "http://127.0.0.1:%d" % PORT

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
@fake.test = fake

[backend fake]
imap = 127.0.0.1:{fake}:none

[upstream]
ca_file = {run_dir}/ca/ca.pem
timeout = 10
; only the scripted fake IMAP server (misbehaving while idling) is plaintext
allow_plaintext = yes

[session]
sqlite_path = {run_dir}/sessions.db
secure_cookie = no

[policy]
pop3_choice = yes

[throttle]
account_per_minute = 0
account_per_hour = 0
address_per_minute = 0
address_per_hour = 0

[mailbox]
max_streams = {max_streams}
max_streams_per_user = {per_user}
; renew IDLE often, so the suite sees renewals (real and fake server)
idle_renew = 10
"""

st = Stack(port=PORT, mail_base=MAIL_BASE)


def conf(max_streams=250, per_user=3):
    return CONF.format(group=nginx_group(), run_dir=st.run_dir, imaps=MAIL_BASE + 993,
                       pop3s=MAIL_BASE + 995, b_imaps=MAIL_BASE + 201,
                       max_streams=max_streams, per_user=per_user, fake=FAKE_PORT)


def sign_in(user, proto=None):
    body = "user=%s&password=wonderland" % urllib.parse.quote(user)
    if proto:
        body += "&proto=" + proto
    r = st.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": ORIGIN}, body)
    eq(r.status, 303, "sign-in of " + user)
    return cookie_of(r)


def get(path, cookie, headers=None):
    h = {"Cookie": cookie}
    h.update(headers or {})
    return st.http("GET", path, h)


def post(path, cookie, fields, origin=ORIGIN):
    h = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        h["Origin"] = origin
    return st.http("POST", path, h, urllib.parse.urlencode(fields))


def csrf_of(html):
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no csrf token on the page"
    return m.group(1)


def imap(user="alice@example.test"):
    ctx = ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))
    ctx.check_hostname = False
    m = imaplib.IMAP4_SSL("127.0.0.1", MAIL_BASE + 993, ssl_context=ctx)
    m.login(user, "wonderland")
    return m


def deliver(to, subject):
    """Delivers a message over LMTP, as the MTA would."""
    msg = ("From: sender@example.org\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@test>\r\n\r\n"
           "Delivered by the live-update test.\r\n" % (to, subject, subject.replace(" ", "."))).encode()
    lm = smtplib.LMTP("127.0.0.1", MAIL_BASE + 24, timeout=10)
    try:
        lm.sendmail("sender@example.org", [to], msg)
    finally:
        lm.quit()


def imap_connections(user):
    """IMAP connections the main Dovecot holds for user (doveadm who)."""
    r = subprocess.run(["doveadm", "-c", os.path.join(st.run_dir, "dovecot", "dovecot.conf"), "who", "-1"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
    n = 0
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == user and f[1] == "imap":
            n += 1
    return n


def Events(cookie, folder="INBOX", path=None):
    return sse.Events(PORT, cookie, folder, path)


def wait_for(fn, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class FakeIdle(socketserver.StreamRequestHandler):
    """A plaintext IMAP server that misbehaves once idling, as the user's
    local part says: garbage@ (a broken line and a huge literal), drip@
    (half a line, then silence), bye@ (BYE). Everything else answers OK."""

    def handle(self):
        w = self.wfile.write
        w(b"* OK fake ready\r\n")
        user = b""
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.strip().partition(b" ")
            cmd = rest.split(b" ")[0].upper()
            if cmd == b"CAPABILITY":
                w(b"* CAPABILITY IMAP4rev1 IDLE LITERAL+\r\n" + tag + b" OK done\r\n")
            elif cmd == b"LOGIN":
                user = rest.split(b" ")[1].strip(b'"')
                w(tag + b" OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] in\r\n")
            elif cmd in (b"EXAMINE", b"SELECT"):
                w(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 4] x\r\n" + tag + b" OK [READ-ONLY] done\r\n")
            elif cmd == b"IDLE" and user.startswith(b"renew"):
                # renew@: the client must say DONE and IDLE again; the
                # second IDLE is answered with news only then
                self.idles = getattr(self, "idles", 0) + 1
                w(b"+ idling\r\n")
                self.wfile.flush()
                if self.idles == 2:
                    w(b"* 9 EXISTS\r\n")
                    self.wfile.flush()
                done = self.rfile.readline()
                if done.strip().upper() != b"DONE":
                    return
                w(tag + b" OK idle done\r\n")
            elif cmd == b"IDLE":
                w(b"+ idling\r\n")
                self.wfile.flush()
                time.sleep(0.3)
                if user.startswith(b"garbage"):
                    w(b"* 4 EXISTS\r\n\x00\xff\xfe garbage (((( {99999999999}\r\n")
                elif user.startswith(b"drip"):
                    w(b"* 5 EXI")
                elif user.startswith(b"bye"):
                    w(b"* BYE going away\r\n")
                self.wfile.flush()
                time.sleep(5)
                return
            elif cmd == b"LOGOUT":
                w(b"* BYE bye\r\n" + tag + b" OK done\r\n")
                return
            else:
                w(tag + b" OK done\r\n")
            self.wfile.flush()


class FakeServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def run():
    fake = FakeServer(("127.0.0.1", FAKE_PORT), FakeIdle)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    if not st.start_or_report(conf()):
        return
    try:
        tests(st)
    finally:
        st.stop(keep=RESULTS["fail"] > 0)


def tests(st):
    alice = sign_in("alice@example.test")

    def hello_matches_status():
        ev = Events(alice)
        try:
            eq(ev.status, 200, "status")
            eq(ev.headers.get("content-type"), "text/event-stream", "type")
            eq(ev.headers.get("cache-control"), "no-store", "cache")
            hello = ev.next("hello")["data"]
            m = imap()
            typ, d = m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY)")
            m.logout()
            nums = dict(re.findall(r"(MESSAGES|UIDNEXT|UIDVALIDITY) (\d+)", d[0].decode()))
            eq(hello, {"exists": int(nums["MESSAGES"]), "uidnext": int(nums["UIDNEXT"]),
                       "uidvalidity": int(nums["UIDVALIDITY"])}, "hello vs STATUS")
            # the status JSON the schedule polls says the same
            s = json.loads(get("/mail/status?f=INBOX", alice).text)
            eq((s["exists"], s["uidnext"], s["uidvalidity"]), (hello["exists"], hello["uidnext"],
                                                                hello["uidvalidity"]), "status JSON")
        finally:
            ev.close()
    check("a stream starts with the folder's state, as STATUS gives it", hello_matches_status)

    def delivery_pushed():
        ev = Events(alice)
        try:
            before = ev.next("hello")["data"]["exists"]
            t0 = time.time()
            deliver("alice@example.test", "live one")
            got = ev.next("mailbox", timeout=2)["data"]
            took = time.time() - t0
            eq((got["exists"], got["new"]), (before + 1, 1), "event after LMTP delivery")
            print("# delivery to event: %.0f ms" % (took * 1000))
            # the list page now shows it
            has(get("/mail/", alice).text, "live one", "the new row")
        finally:
            ev.close()
    check("mail delivered over LMTP is pushed within 2 s", delivery_pushed)

    def expunge_and_flags_pushed():
        ev = Events(alice)
        try:
            before = ev.next("hello")["data"]["exists"]
            m = imap()
            m.select("INBOX")
            typ, d = m.search(None, '(SUBJECT "live one")')
            n = d[0].split()[-1]
            m.store(n, "+FLAGS", "\\Flagged")
            got = ev.next("mailbox", timeout=2)["data"]
            eq((got["flags"] >= 1, got["exists"]), (True, before), "flag change")
            m.store(n, "+FLAGS", "\\Deleted")
            m.expunge()
            m.logout()
            got = ev.next("mailbox", timeout=2)["data"]
            while got["expunged"] == 0:   # a flag event may come first
                got = ev.next("mailbox", timeout=2)["data"]
            eq(got["exists"], before - 1, "exists after expunge")
            hasnt(get("/mail/", alice).text, "live one", "row gone")
        finally:
            ev.close()
    check("a flag change and an expunge from another client are pushed", expunge_and_flags_pushed)

    def browser_gone_releases_imap():
        base = imap_connections("alice@example.test")
        evs = [Events(alice) for _ in range(3)]
        for e in evs:
            e.next("hello")
        eq(imap_connections("alice@example.test"), base + 3, "one IDLE connection per stream")
        for e in evs:
            e.close()
        wait_for(lambda: imap_connections("alice@example.test") == base, 5, "connections closed")
        wait_for(lambda: "reason=browser-gone" in st.log(), 3, "the log line")
    check("a closed tab's IDLE connection is logged out", browser_gone_releases_imap)

    def per_user_cap():
        evs = [Events(alice) for _ in range(3)]
        try:
            for e in evs:
                eq(e.status, 200, "within the cap")
            extra = Events(alice)
            eq(extra.status, 204, "over the per-user cap: no stream (the page polls)")
            extra.close()
            # another user is not affected
            lab = sign_in("lab@example.test")
            other = Events(lab)
            eq(other.status, 200, "another user")
            other.close()
        finally:
            for e in evs:
                e.close()
        time.sleep(0.5)
        again = Events(alice)
        eq(again.status, 200, "slots come back when tabs close")
        again.close()
    check("streams are capped per user (204 beyond, back when closed)", per_user_cap)

    def no_idle_no_stream():
        carol = sign_in("carol@branch.test")
        ev = Events(carol)
        eq(ev.status, 204, "server without IDLE")
        ev.close()
        page = get("/mail/", carol).text
        hasnt(page, "data-events=", "the page does not try a stream")
        has(page, 'data-refresh="120"', "default schedule: every 2 minutes")
        s = json.loads(get("/mail/status?f=INBOX", carol).text)
        m = re.search(r'data-uidnext="(\d+)"', page)
        eq(s["uidnext"], int(m.group(1)), "status JSON on the branch server")
        has(page, '<noscript><meta http-equiv="refresh" content="120"></noscript>', "no-JS refresh")
        pop = sign_in("alice@example.test", proto="pop3")
        ev = Events(pop)
        eq(ev.status, 204, "POP3 session")
        ev.close()
        page = get("/mail/", pop).text
        has(page, 'data-reload="120"', "the POP3 list reloads on the schedule")
        has(page, 'content="120"', "also without JavaScript")
        has(page, '<input type="hidden" name="live" value="1">', "its form keeps the IMAP setting")
        eq(get("/mail/events", "postern=nothing").status, 401, "no session")
        eq(st.http("GET", "/mail/events").status, 401, "no cookie at all")
    check("no IDLE, POP3 or no session: no stream, the schedule instead", no_idle_no_stream)

    def schedule_setting():
        bob = sign_in("nopop@example.test")
        page = get("/mail/", bob).text
        token = csrf_of(page)
        eq(post("/mail/refresh-settings", bob, {"csrf": "x" * 43, "every": "5"}).status, 403, "bad token")
        eq(post("/mail/refresh-settings", bob, {"csrf": token, "every": "5"}, origin="http://evil.test").status,
           403, "cross-site")
        eq(get("/mail/refresh-settings", bob).status, 405, "GET")
        eq(post("/mail/refresh-settings", bob, {"csrf": token, "every": "7"}).status, 400, "not a choice")
        r = post("/mail/refresh-settings", bob, {"csrf": token, "every": "5"})
        eq(r.status, 303, "saved")
        page = get("/mail/", bob).text
        has(page, 'data-refresh="300"', "every 5 minutes")
        has(page, '<option value="5" selected>', "the form shows it")
        hasnt(page, "data-events=", "live off (checkbox not sent)")
        has(page, 'content="300"', "no-JS refresh follows")
        eq(Events(bob).status, 204, "no stream when the user turned it off")
        r = post("/mail/refresh-settings", bob, {"csrf": token, "every": "0", "live": "1"})
        page = get("/mail/", bob).text
        has(page, 'data-refresh=""', "manual")
        hasnt(page, 'http-equiv="refresh"', "no automatic reload")
        has(page, "check now", "a check-now link")
        has(page, "data-events=", "live on again")
        ev = Events(bob)
        eq(ev.status, 200, "stream again")
        ev.close()
    check("the user's schedule: saved with the token, drives the page", schedule_setting)

    def sign_out_ends_streams():
        me = sign_in("alice@example.test")
        ev = Events(me)
        ev.next("hello")
        token = csrf_of(get("/mail/", me).text)
        r = post("/logout", me, {"csrf": token})
        eq(r.status in (200, 303), True, "signed out")
        ev.next("signedout", timeout=2)
        eq(ev.wait_closed(3), True, "stream ended")
        ev.close()
        wait_for(lambda: "reason=signed-out" in st.log(), 3, "the log line")
    check("signing out ends that session's streams at once", sign_out_ends_streams)

    def reload_ends_streams():
        ev = Events(alice)
        ev.next("hello")
        st.reload(conf())
        eq(ev.wait_closed(5), True, "old worker's stream ended on reload")
        ev.close()
        wait_for(lambda: "reason=worker-stopping" in st.log(), 3, "the log line")
        ev = Events(alice)
        eq(ev.status, 200, "the browser reconnects to the new workers")
        ev.next("hello")
        deliver("alice@example.test", "after reload")
        ev.next("mailbox", timeout=2)
        ev.close()
    check("a reload ends streams; reconnecting works", reload_ends_streams)

    def load():
        st.reload(conf(max_streams=250, per_user=60))
        users = ["alice@example.test", "lab@example.test", "nopop@example.test", "big@example.test"]
        cookies = {u: [sign_in(u) for _ in range(5)] for u in users}
        page_cookie = cookies["alice@example.test"][0]
        eq(get("/mail/", page_cookie).status, 200, "page before")   # its cached connection
        base = {u: imap_connections(u) for u in users}

        def page_times():
            times = []
            for _ in range(60):
                t = time.time()
                r = get("/mail/", page_cookie)
                times.append((time.time() - t) * 1000)
                eq(r.status, 200, "page")
            times.sort()
            return statistics.median(times), times[int(len(times) * 0.99) - 1]
        q50, q99 = page_times()
        streams = []
        t0 = time.time()
        for u in users:
            for c in cookies[u]:
                for _ in range(10):
                    streams.append(Events(c))
        opened = time.time() - t0
        eq(sum(1 for s in streams if s.status == 200), 200, "200 streams open")
        for s in streams:
            s.next("hello")
        eq(sum(imap_connections(u) - base[u] for u in users), 200, "200 IDLE connections on the server")
        # normal pages while the streams are held
        p50, p99 = page_times()
        print("# 200 streams opened in %.1f s; /mail/ p50/p99: %.1f/%.1f ms without streams, "
              "%.1f/%.1f ms with 200 held" % (opened, q50, q99, p50, p99))
        if p99 > 1000:
            raise AssertionError("pages starved by streams: p99 %.0f ms" % p99)
        # one delivery reaches every stream of that user
        deliver("lab@example.test", "load delivery")
        lab_streams = streams[50:100]
        for s in lab_streams:
            s.next("mailbox", timeout=3)
        for s in streams:
            s.close()
        try:
            wait_for(lambda: all(imap_connections(u) == base[u] for u in users), 15,
                     "every IDLE connection closed")
        except AssertionError:
            raise AssertionError("connections left: %r (before: %r)" % (
                {u: imap_connections(u) for u in users}, base))
    check("200 streams held: pages still fast, one delivery reaches 50 tabs, none leak", load)

    def server_drops():
        ev = Events(alice)
        ev.next("hello")
        r = subprocess.run(["doveadm", "-c", os.path.join(st.run_dir, "dovecot", "dovecot.conf"),
                            "kick", "alice@example.test"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        eq(r.returncode, 0, "doveadm kick: " + r.stdout)
        eq(ev.wait_closed(3), True, "the stream ends when the server drops IDLE")
        ev.close()
        ev = Events(alice)   # what EventSource does after its retry delay
        ev.next("hello")
        deliver("alice@example.test", "after kick")
        ev.next("mailbox", timeout=2)
        ev.close()
    check("a server that drops the IDLE connection ends the stream; reconnecting works", server_drops)

    def misbehaving_server():
        good = Events(alice)
        good.next("hello")
        for who in ("garbage", "drip", "bye"):
            c = sign_in(who + "@fake.test")
            t0 = time.time()
            ev = Events(c)
            eq(ev.status, 200, who + ": stream starts")
            ev.next("hello")
            eq(ev.wait_closed(4), True, who + ": stream ended")
            took = time.time() - t0
            if took > 3.5:
                raise AssertionError("%s: took %.1f s to end" % (who, took))
            ev.close()
        # the event thread was never stuck: the real stream still works
        deliver("alice@example.test", "beside the fakes")
        good.next("mailbox", timeout=2)
        good.close()
        eq(get("/healthz", alice).status, 200, "worker alive")
    check("garbage, a half line or BYE while idling end only that stream", misbehaving_server)

    def renews_idle():
        c = sign_in("renew@fake.test")
        ev = Events(c)
        eq(ev.next("hello")["data"]["exists"], 3, "hello from the fake")
        t0 = time.time()
        got = ev.next("mailbox", timeout=15)["data"]
        eq(got["exists"], 9, "news that only the renewed IDLE gets")
        took = time.time() - t0
        if not 8 <= took <= 13:
            raise AssertionError("renewed after %.1f s, want about 10" % took)
        ev.close()
        # the real server's streams renew too and still deliver
        ev = Events(alice)
        ev.next("hello")
        time.sleep(11)
        deliver("alice@example.test", "after renewal")
        ev.next("mailbox", timeout=2)
        ev.close()
    check("IDLE is renewed (DONE, IDLE) every idle_renew seconds", renews_idle)

    def expunged_while_listed():
        me = sign_in("alice@example.test")
        deliver("alice@example.test", "soon gone")
        page = get("/mail/", me).text
        m = re.search(r'data-uid="(\d+)"[^>]*>(?:(?!</tr>).)*soon gone', page, re.S)
        assert m, "the new message is listed"
        uid = m.group(1)
        c = imap()
        c.select("INBOX")
        c.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        c.expunge()
        c.logout()
        r = get("/mail/message?f=INBOX&uid=" + uid, me)
        eq((r.status, r.getheader("Location")), (303, "/mail/?f=INBOX&gone=1"), "back to the list")
        page = get("/mail/?f=INBOX&gone=1", me).text
        has(page, "This message is no longer here", "said plainly")
        hasnt(page, "soon gone", "the list is current")
    check("a message expunged by another client: its link leads back to the refreshed list, said plainly",
          expunged_while_listed)

    def log_clean():
        st.stop(keep=True)   # workers exit: LeakSanitizer reports now, if anything leaked
        log = st.log()
        bad = [ln for ln in log.splitlines() if "runtime error" in ln or "Sanitizer" in ln
               or "worker died" in ln or "Assertion" in ln]
        eq(bad, [], "sanitizer reports or worker deaths in postern's log")
        has(log, 'msg="stopped"', "postern stopped cleanly")
    check("postern's log: no sanitizer report, no worker died, clean stop", log_clean)


if __name__ == "__main__":
    run()
    print("# live: %d passed, %d failed" % (RESULTS["pass"], RESULTS["fail"]))
    sys.exit(1 if RESULTS["fail"] else 0)
