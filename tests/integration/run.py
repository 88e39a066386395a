#!/usr/bin/env python3
"""Integration tests: the real stack (Dovecot, SMTP relay, Redis, nginx,
postern) on test ports; the settings page under several configs; config
checking; bad input; worker lifecycle."""
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi  # noqa: E402
from harness import POSTERN, REPO, Stack, check, cookie_of, eq, has, hasnt, nginx_group, sections, RESULTS  # noqa: E402

BASE = """
[server]
listen = @SOCK@
workers = 2
threads = 4
templates = @TEMPLATES@
site_name = Test Mail
mail_domain = example.test
socket_group = {group}

[network]
internal_networks = 10.0.0.0/8, 192.168.0.0/16
trusted_proxies = 127.0.0.1
show = {show}

[imap]
advertise = {imap_adv}
internal = imap.corp.example.test:993:SSL, imap.corp.example.test:143:STARTTLS
external = mail.example.test:993:SSL

[pop3]
advertise = {pop_adv}
internal = pop.corp.example.test:995:SSL
external = mail.example.test:995:SSL, mail.example.test:110:STARTTLS

[smtp]
advertise = yes
internal = smtp.corp.example.test:587:STARTTLS
external = mail.example.test:465:SSL, mail.example.test:587:STARTTLS

[backend]
imap = 127.0.0.1:{imaps}:SSL
pop3 = 127.0.0.1:{pop3s}:SSL
tls_name = mail.example.test

[backend far]
imap = 127.0.0.1:9:SSL
tls_name = mail.example.test

[backend branch]
imap = 127.0.0.1:{b_imaps}:SSL
pop3 = 127.0.0.1:{b_pop3s}:SSL
tls_name = mail.example.test

[routing]
@far.example.test = far
@branch.test = branch
dave@example.test = branch

[upstream]
ca_file = {run_dir}/ca/ca.pem
timeout = 5

[session]
sqlite_path = {run_dir}/sessions.db
secure_cookie = no

[policy]
imap_disabled = pop@example.test
pop3_disabled = nopop@example.test

[throttle]
account_per_minute = 3
"""


RUN = {}


def conf(show="auto", imap_adv="yes", pop_adv="yes"):
    return BASE.format(show=show, imap_adv=imap_adv, pop_adv=pop_adv, group=nginx_group(),
                       imaps=RUN["base"] + 993, pop3s=RUN["base"] + 995, run_dir=RUN["dir"],
                       b_imaps=RUN["base"] + 201, b_pop3s=RUN["base"] + 203)


def main():
    st = Stack(port=int(os.environ.get("IT_PORT", "18080")),
               mail_base=int(os.environ.get("IT_MAIL_BASE", "20000")))
    RUN.update(base=st.mail_base, dir=st.run_dir)
    if not st.start_or_report(conf(), "stack starts (dovecot, relay, redis, nginx, postern)"):
        return 1
    try:
        settings_tests(st)
        signin_tests(st)
        bad_input_tests(st)
        lifecycle_tests(st)
    finally:
        st.stop()
    config_check_tests()
    inherited_socket_test()
    return 0 if RESULTS["fail"] == 0 else 1


def settings_tests(st):
    def external_client():
        r = st.http("GET", "/settings", {"X-Forwarded-For": "203.0.113.9"})
        eq(r.status, 200, "status")
        got = sections(r.text)
        eq(got, [("imap", "external"), ("pop3", "external"), ("smtp", "external")], "sections")
        has(r.text, "mail.example.test")
        hasnt(r.text, "corp.example.test", "internal names leak to external clients")
        # several endpoints, in order, the first marked preferred
        smtp = r.text[r.text.index('data-proto="smtp"'):]
        i465, i587 = smtp.index("<code>465</code>"), smtp.index("<code>587</code>")
        assert i465 < i587, "SMTP endpoints out of preference order"
        has(smtp, "preferred")
        has(r.text, "STARTTLS")
        has(r.text, "SSL/TLS")
    check("settings: external client sees external endpoints only, in order", external_client)

    def internal_client():
        r = st.http("GET", "/settings", {"X-Forwarded-For": "10.20.30.40"})
        eq(r.status, 200, "status")
        eq(sections(r.text), [("imap", "internal"), ("pop3", "internal"), ("smtp", "internal")], "sections")
        has(r.text, "imap.corp.example.test")
        has(r.text, 'href="/settings?view=both"')
    check("settings: internal client (X-Forwarded-For from trusted proxy) sees internal", internal_client)

    def both():
        r = st.http("GET", "/settings?view=both", {"X-Forwarded-For": "10.20.30.40"})
        eq([s for _, s in sections(r.text)].count("internal"), 3, "internal tables")
        eq([s for _, s in sections(r.text)].count("external"), 3, "external tables")
        r = st.http("GET", "/settings?view=internal", {"X-Forwarded-For": "203.0.113.9"})
        hasnt(r.text, "corp.example.test", "external client forcing view=internal")
    check("settings: ?view=both for internal clients, never internal names for external", both)

    def xff_spoof_chain():
        # right-most untrusted entry is the client: a spoofed internal address on the left is ignored
        r = st.http("GET", "/settings", {"X-Forwarded-For": "10.1.1.1, 203.0.113.9"})
        hasnt(r.text, "corp.example.test", "spoofed chain")
    check("settings: X-Forwarded-For chain uses the right-most untrusted address", xff_spoof_chain)

    def not_advertised():
        assert st.reload(conf(pop_adv="no")), "reload refused"
        r = st.http("GET", "/settings", {"X-Forwarded-For": "203.0.113.9"})
        has(r.text, "Your administrator has not made POP3 settings available here.")
        hasnt(r.text, "<code>995</code>", "POP3 port shown although not advertised")
        has(r.text, "<code>993</code>")
    check("settings: a protocol not advertised is said plainly (SIGHUP reload)", not_advertised)

    def untrusted_proxy():
        text = conf().replace("trusted_proxies = 127.0.0.1", "trusted_proxies =")
        assert st.reload(text), "reload refused"
        r = st.http("GET", "/settings", {"X-Forwarded-For": "10.20.30.40"})
        hasnt(r.text, "corp.example.test", "X-Forwarded-For believed from an untrusted peer")
        assert st.reload(conf()), "reload back refused"
    check("settings: X-Forwarded-For ignored unless the peer is a trusted proxy", untrusted_proxy)

    def show_both_published():
        assert st.reload(conf(show="both"))
        r = st.http("GET", "/settings", {"X-Forwarded-For": "203.0.113.9"})
        eq(len(sections(r.text)), 6, "tables with show=both")
        assert st.reload(conf())
    check("settings: show = both publishes internal and external to everyone", show_both_published)

    def bad_reload_keeps_running():
        ok = st.reload(conf().replace("993:SSL\n", "993:STARTTLS\n", 1))
        assert not ok, "a bad config was accepted on reload"
        has(st.log(), "[imap] external: port 993 is IMAP with TLS from the start (SSL), not STARTTLS")
        r = st.http("GET", "/settings")
        eq(r.status, 200, "still serving")
        st.write_conf(conf())
    check("reload: a bad config is refused with its message and the old one keeps serving", bad_reload_keeps_running)

    def headers():
        r = st.http("GET", "/settings")
        csp = r.getheader("Content-Security-Policy") or ""
        for d in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
            has(csp, d, "CSP")
        eq(r.getheader("X-Content-Type-Options"), "nosniff", "nosniff")
        eq(r.getheader("Referrer-Policy"), "same-origin", "Referrer-Policy")
        eq(r.getheader("Strict-Transport-Security"), None, "HSTS over plain HTTP")
        resp = fcgi.request(st.worker_socket(0), dict(fcgi.base_params(), HTTPS="on"))
        has(resp.headers.get("strict-transport-security", ""), "max-age=", "HSTS over HTTPS")
        r = st.http("GET", "/nope")
        eq(r.getheader("X-Content-Type-Options"), "nosniff", "nosniff on errors")
        has(r.getheader("Content-Security-Policy") or "", "default-src 'self'", "CSP on errors")
    check("headers: CSP, nosniff, Referrer-Policy on every response; HSTS only over HTTPS", headers)

    def static_by_nginx():
        r = st.http("GET", "/static/postern.css")
        eq(r.status, 200, "static status")
        has(r.getheader("Content-Type") or "", "text/css")
        log = st.log()
        hasnt(log, "path=/static/", "postern served a static file")
    check("static files are served by nginx, not postern", static_by_nginx)

    def home_and_head():
        r = st.http("GET", "/")
        eq(r.status, 303, "/ redirects")
        eq(r.getheader("Location"), "/settings")
        r = st.http("HEAD", "/settings")
        eq(r.status, 200, "HEAD")
        eq(r.text, "", "HEAD body")
    check("/ redirects to /settings; HEAD has no body", home_and_head)

    def escaping():
        r = st.http("GET", "/settings?view=%3Cscript%3Ealert(1)%3C/script%3E")
        eq(r.status, 400, "bad view")
        hasnt(r.text, "<script>alert", "reflected")
    check("settings: a bad ?view= is a 400 and nothing is reflected raw", escaping)


def login(st, user, password, origin=True, cookie=None):
    import urllib.parse
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = "http://127.0.0.1:%d" % st.port
    if cookie:
        headers["Cookie"] = cookie
    body = urllib.parse.urlencode({"user": user, "password": password})
    return st.http("POST", "/login", headers, body)


def csrf_of(html):
    m = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', html)
    return m.group(1) if m else None


def signin_tests(st):
    def form():
        r = st.http("GET", "/login")
        eq(r.status, 200, "status")
        has(r.text, 'name="user"')
        has(r.text, 'type="password"')
    check("sign-in: GET /login shows the form", form)

    def good_then_out():
        r = login(st, "alice@example.test", "wonderland")
        eq(r.status, 303, "status: " + r.text[:300])
        eq(r.getheader("Location"), "/mail/")
        c = cookie_of(r)
        assert c, "no session cookie"
        sc = [v for k, v in r.getheaders() if k.lower() == "set-cookie"][0]
        has(sc, "HttpOnly")
        has(sc, "SameSite=Strict")
        r = st.http("GET", "/account/settings", {"Cookie": c})
        eq(r.status, 200, "account page")
        has(r.text, "Signed in as <strong>alice@example.test</strong>")
        token = csrf_of(r.text)
        assert token, "no csrf token in the sign-out form"
        r = st.http("GET", "/logout", {"Cookie": c})
        eq(r.status, 405, "GET /logout")
        r = st.http("POST", "/logout", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                                        "Origin": "http://127.0.0.1:%d" % st.port}, "csrf=" + "A" * 43)
        eq(r.status, 403, "sign-out with a wrong token")
        r = st.http("POST", "/logout", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                                        "Origin": "http://127.0.0.1:%d" % st.port}, "csrf=" + token)
        eq(r.status, 303, "sign-out")
        eq(r.getheader("Location"), "/login")
        r = st.http("GET", "/account/settings", {"Cookie": c})
        eq(r.status, 303, "old cookie after sign-out")
        eq(r.getheader("Location"), "/login")
    check("sign-in: alice signs in over IMAPS, sees her settings, signs out (old cookie dead)", good_then_out)

    def wrong_and_unknown():
        r1 = login(st, "alice@example.test", "not-the-password")
        r2 = login(st, "nobody@example.test", "whatever")
        eq(r1.status, 401, "wrong password")
        eq(r2.status, 401, "unknown user")
        has(r1.text, "Wrong user name or password.")
        has(r2.text, "Wrong user name or password.")
        eq(cookie_of(r1), None, "cookie after a failure")
    check("sign-in: wrong password and unknown user get the same 401 message", wrong_and_unknown)

    def refused():
        # the accounts exist on the server with this password: only the
        # policy stands between them and a session
        for user in ("administrator@example.test", "Guest@example.test", "anonymous@example.test"):
            local = user.split("@")[0].lower()
            r = login(st, user, "wonderland")
            eq(r.status, 403, user)
            has(r.text, "not allowed to sign in here")
            eq(cookie_of(r), None, "cookie for " + user)
            hasnt(mail_log(st), "user=<%s@" % local)
        # the control: the server itself lets administrator in (and logs it)
        eq(imap_login(st, st.mail_base + 993, "administrator@example.test"), "ok", "direct IMAP login")
        has(mail_log(st), "user=<administrator@example.test>")
    check("sign-in: administrator, guest and anonymous refused before any server is contacted "
          "(they exist on the server)", refused)

    def cross_site():
        import urllib.parse
        r = st.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                       "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                    urllib.parse.urlencode({"user": "alice@example.test", "password": "wonderland"}))
        eq(r.status, 403, "cross-site sign-in")
        eq(cookie_of(r), None, "cookie")
    check("sign-in: a cross-site POST gets 403", cross_site)

    def pop_only():
        r = login(st, "pop@example.test", "wonderland")
        eq(r.status, 303, "status: " + r.text[:300])
        c = cookie_of(r)
        r = st.http("GET", "/account/settings", {"Cookie": c})
        has(r.text, "with POP3")
        has(r.text, "IMAP4 is <strong>disabled for your mailbox</strong>")
    check("sign-in: a user with IMAP4 disabled signs in over POP3 and sees IMAP4 disabled", pop_only)

    def nopop():
        r = login(st, "nopop@example.test", "wonderland")
        eq(r.status, 303, "status: " + r.text[:300])
        r = st.http("GET", "/account/settings", {"Cookie": cookie_of(r)})
        has(r.text, "with IMAP4")
        has(r.text, "POP3 is <strong>disabled for your mailbox</strong>")
        # the switch is real on the server side too
        has(pop3_login(st, st.mail_base + 995, "nopop@example.test"), "fail")
        eq(imap_login(st, st.mail_base + 993, "pop@example.test").startswith("fail"), True,
           "pop@ over IMAP on the server")
    check("sign-in: a user with POP3 disabled signs in over IMAP4 and sees POP3 disabled", nopop)

    def fixation():
        planted = "postern=" + "A" * 22 + "." + "B" * 43
        r = login(st, "alice@example.test", "wonderland", cookie=planted)
        eq(r.status, 303, "status")
        c = cookie_of(r)
        assert c and c != planted, "planted session id kept"
    check("sign-in: a planted session id is replaced", fixation)

    def routed():
        r = login(st, "someone@far.example.test", "pw")
        eq(r.status, 502, "status")
        has(r.text, "The mail server cannot be reached right now.")
        has(st.log(), "backend=far proto=imap result=connect")
    check("routing: @far.example.test goes to [backend far] (down: a plain 502)", routed)

    def branch():
        for user in ("carol@branch.test", "dave@example.test"):
            r = login(st, user, "wonderland")
            eq(r.status, 303, user + ": " + r.text[:300])
            has(st.log(), "backend=branch proto=imap result=ok")
            has(branch_log(st), "user=<%s>" % user)
            hasnt(mail_log(st), "user=<%s>" % user)
            r = st.http("GET", "/account/settings", {"Cookie": cookie_of(r)})
            eq(r.status, 200, "account page")
            has(r.text, "Signed in as <strong>%s</strong>" % user)
            # the front door, never the branch server's address
            has(r.text, "mail.example.test")
            hasnt(r.text, str(st.mail_base + 201))
            hasnt(r.text, "127.0.0.1")
        # alice is not on the branch server: her mailbox stays on the main one
        eq(imap_login(st, st.mail_base + 201, "alice@example.test").startswith("fail"), True,
           "alice on the branch server")
    check("routing: @branch.test and dave@ sign in on the second Dovecot; pages show the front door", branch)

    def idle_expiry():
        r = login(st, "alice@example.test", "wonderland")
        c = cookie_of(r)
        eq(st.http("GET", "/account/settings", {"Cookie": c}).status, 200, "fresh session")
        # an hour of idleness: move the record's last use back (the idle
        # timeout is 30 minutes; created_at is sealed into the record)
        sessions_db(st, "UPDATE sessions SET last_seen = last_seen - 3600 WHERE user = 'alice@example.test'")
        r = st.http("GET", "/account/settings", {"Cookie": c})
        eq(r.status, 303, "idle session")
        eq(r.getheader("Location"), "/login")
        has(st.log(), "msg=\"session refused\" reason=expired-idle")
    check("sessions: an idle session expires (record an hour old: sent to sign-in)", idle_expiry)

    def expiry_sweep():
        alice = cookie_of(login(st, "alice@example.test", "wonderland"))
        login(st, "nopop@example.test", "wonderland")
        n = sessions_db(st, "SELECT count(*) FROM sessions")[0][0]
        assert n >= 2, "sessions: %d" % n
        sessions_db(st, "UPDATE sessions SET expires_at = 1000 WHERE user = 'nopop@example.test'")
        # new workers sweep at their first request, then every 5 minutes
        before = st.log().count("expired sessions removed")
        assert st.reload(conf()), "reload refused"
        # (a thread sweeps once it has opened the store: a session request)
        deadline = time.time() + 5
        while time.time() < deadline and sessions_db(st, "SELECT count(*) FROM sessions WHERE user = 'nopop@example.test'")[0][0]:
            st.http("GET", "/account/settings", {"Cookie": alice})
            time.sleep(0.05)
        eq(sessions_db(st, "SELECT count(*) FROM sessions WHERE user = 'nopop@example.test'")[0][0], 0,
           "expired record left; log: " + st.log()[-1500:])
        assert sessions_db(st, "SELECT count(*) FROM sessions WHERE user = 'alice@example.test'")[0][0] > 0, \
            "live sessions removed too"
        assert st.log().count("expired sessions removed") > before, "no sweep logged"
    check("sessions: workers sweep expired sqlite records (first request, then every 5 minutes)", expiry_sweep)

    def redis_store():
        text = conf().replace("[session]\n", "[session]\nstore = redis\nredis_host = 127.0.0.1\nredis_port = %d\n"
                              % (st.mail_base + 379), 1)
        assert st.reload(text), "reload with store = redis refused"
        try:
            r = login(st, "alice@example.test", "wonderland")
            eq(r.status, 303, "sign-in with redis sessions: " + r.text[:200])
            c = cookie_of(r)
            r = st.http("GET", "/account/settings", {"Cookie": c})
            eq(r.status, 200, "account page")
            token = csrf_of(r.text)
            out = subprocess.run(["redis-cli", "-p", str(st.mail_base + 379), "--scan", "--pattern", "postern:s:*"],
                                 stdout=subprocess.PIPE, text=True).stdout.split()
            assert out, "no session record in redis"
            dump = subprocess.run(["redis-cli", "-p", str(st.mail_base + 379), "hgetall", out[0]],
                                  stdout=subprocess.PIPE).stdout
            assert b"wonderland" not in dump, "the password is readable in redis"
            r = st.http("POST", "/logout", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                                            "Origin": "http://127.0.0.1:%d" % st.port}, "csrf=" + token)
            eq(r.status, 303, "sign-out")
            r = st.http("GET", "/account/settings", {"Cookie": c})
            eq(r.status, 303, "old cookie after sign-out")
        finally:
            assert st.reload(conf()), "reload back refused"
    check("sessions in redis: sign in, record holds no password, sign out", redis_store)

    def check_settings():
        text = conf()
        b = st.mail_base
        text = text.replace("external = mail.example.test:993:SSL\n",
                            "external = localhost:%d:SSL, localhost:%d:STARTTLS, localhost:9:SSL\n" % (b + 993, b + 143), 1)
        text = text.replace("external = mail.example.test:465:SSL, mail.example.test:587:STARTTLS\n",
                            "external = localhost:%d:SSL\n" % (b + 465), 1)
        text = text.replace("[upstream]\n", "[upstream]\ntimeout = 3\n", 1).replace("timeout = 5\n", "")
        assert st.reload(text), "reload refused"
        try:
            r = login(st, "alice@example.test", "wonderland")
            c = cookie_of(r)
            r = st.http("GET", "/account/settings", {"Cookie": c})
            token = csrf_of(r.text)
            has(r.text, 'action="/account/check"')
            r = st.http("POST", "/account/check", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                                                   "Origin": "http://127.0.0.1:%d" % st.port}, "csrf=" + "A" * 43)
            eq(r.status, 403, "check with a wrong token")
            t0 = time.time()
            r = st.http("POST", "/account/check", {"Cookie": c, "Content-Type": "application/x-www-form-urlencoded",
                                                   "Origin": "http://127.0.0.1:%d" % st.port}, "csrf=" + token)
            took = time.time() - t0
            eq(r.status, 200, "check page")
            assert took < 8, "check took %.1f s" % took
            passes = re.findall(r'class="proto check pass" data-proto="(\w+)"', r.text)
            fails = re.findall(r'class="proto check fail" data-proto="(\w+)"', r.text)
            eq(sorted(passes), ["imap", "imap", "smtp"], "working endpoints")
            # port 9 is down; POP3 external is mail.example.test, which does not resolve here
            eq(sorted(fails), ["imap", "pop3", "pop3"], "failing endpoints")
            has(r.text, "Works: signed in with your password")
            has(r.text, "The mail server cannot be reached right now.")
            has(r.text, "TLSv1.")
            has(r.text, "IDLE: new mail arrives at once")
            eq(r.text.count("Name matches</dt><dd>yes"), 3, "name matches on the working TLS endpoints")
        finally:
            assert st.reload(conf()), "reload back refused"
    check("check my settings: each advertised endpoint tried with the user's password, in parallel, bounded",
          check_settings)

    def crlf_user():
        r = login(st, "alice@example.test\r\nA LOGOUT", "wonderland")
        eq(r.status, 400, "CR/LF in the user name")
    check("sign-in: CR/LF in the user name is refused (400)", crlf_user)

    def throttled():
        # limit 3 a minute; the window slides, so across a minute boundary
        # one or two more attempts may pass before the 429
        statuses = []
        for i in range(6):
            statuses.append(login(st, "throttle@example.test", "bad%d" % i).status)
            if statuses[-1] == 429:
                break
        eq(statuses[:3], [401, 401, 401], "first failures")
        eq(statuses[-1], 429, "after the limit: %r" % statuses)
        r = login(st, "throttle@example.test", "bad")
        has(r.text, "Try again in")
        assert r.getheader("Retry-After"), "no Retry-After"
    check("sign-in: failures per account are throttled (429 with a hint)", throttled)


def mail_log(st):
    with open(os.path.join(st.run_dir, "logs", "dovecot.log"), errors="replace") as f:
        return f.read()


def branch_log(st):
    with open(os.path.join(st.run_dir, "logs", "branch.log"), errors="replace") as f:
        return f.read()


def tls_context(st):
    import ssl
    return ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))


def imap_login(st, port, user, password="wonderland"):
    """"ok" or "fail: why" for a direct IMAPS login (the servers' own view)."""
    import imaplib
    try:
        m = imaplib.IMAP4_SSL("localhost", port, ssl_context=tls_context(st), timeout=10)
        m.login(user, password)
        m.logout()
        return "ok"
    except Exception as e:   # noqa: BLE001 - the reason is the result
        return "fail: %s" % e


def pop3_login(st, port, user, password="wonderland"):
    import poplib
    try:
        p = poplib.POP3_SSL("localhost", port, context=tls_context(st), timeout=10)
        p.user(user)
        p.pass_(password)
        p.quit()
        return "ok"
    except Exception as e:   # noqa: BLE001
        return "fail: %s" % e


def sessions_db(st, sql):
    import sqlite3
    db = sqlite3.connect(os.path.join(st.run_dir, "sessions.db"), timeout=5)
    try:
        rows = db.execute(sql).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def healthy(st, what):
    r = fcgi.request(st.worker_socket(0), fcgi.base_params(uri="/healthz"))
    if r is None or r.status != 200:
        raise AssertionError("worker no longer answers after " + what)


BAD = [
    # (name, via, request, want status)
    ("unknown path", "http", ("GET", "/no/such/page", None, None), 404),
    ("wrong method POST on a GET page", "http", ("POST", "/settings", {"Content-Type": "application/x-www-form-urlencoded"}, "a=1"), 405),
    ("wrong method DELETE", "http", ("DELETE", "/settings", None, None), 405),
    ("%00 in the query", "http", ("GET", "/settings?view=a%00b", None, None), 400),
    ("%zz in the query", "http", ("GET", "/settings?view=%zz", None, None), 400),
    ("invalid UTF-8 in the query", "http", ("GET", "/settings?view=%C0%AF", None, None), 400),
    ("duplicate keys", "http", ("GET", "/settings?view=both&view=internal", None, None), 400),
    ("oversize value", "fcgi", {"QUERY_STRING": "view=" + "a" * 70000}, None),
    ("10,000 fields", "fcgi", {"QUERY_STRING": "&".join("f%d=1" % i for i in range(10000))}, None),
    ("2,000 short fields", "fcgi", {"QUERY_STRING": "&".join(["a"] * 2000)}, 413),
    ("absurd CONTENT_LENGTH", "fcgi", {"CONTENT_LENGTH": "99999999999999999999"}, 413),
    ("non-numeric CONTENT_LENGTH", "fcgi", {"CONTENT_LENGTH": "12abc"}, 400),
    ("negative CONTENT_LENGTH", "fcgi", {"CONTENT_LENGTH": "-5"}, 400),
    ("CONTENT_LENGTH over the limit", "fcgi", {"CONTENT_LENGTH": str(200 * 1024 * 1024)}, 413),
    ("body shorter than declared", "fcgi-short", {"CONTENT_LENGTH": "1000"}, 400),
    ("path with bad UTF-8", "fcgi", {"DOCUMENT_URI": "/settings\xff"}, 400),
]


def bad_input_tests(st):
    for name, via, req, want in BAD:
        def one(name=name, via=via, req=req, want=want):
            if via == "http":
                method, path, headers, body = req
                r = st.http(method, path, headers, body)
                status, text, allow = r.status, r.text, r.getheader("Allow")
            else:
                params = dict(fcgi.base_params(), **req)
                if "DOCUMENT_URI" in req:
                    params["DOCUMENT_URI"] = req["DOCUMENT_URI"].encode("latin-1")
                send = b"x" * 10 if via == "fcgi-short" else None
                r = fcgi.request(st.worker_socket(0), params, send_body=send)
                assert r is not None, "no response"
                status, text, allow = r.status, r.text, r.headers.get("allow")
            if want is None:
                assert status in (413, 414), "status %d, want 413 or 414" % status
            else:
                eq(status, want, "status")
            if status == 405:
                eq(allow, "GET, HEAD", "Allow header")
            has(text, "<h1", "readable error page")
            has(text, "Error %d" % status, "error page names the status")
            healthy(st, name)
        check("bad input: %s -> %s, worker still answers" % (name, want or "413/414"), one)


def worker_pids(st):
    out = subprocess.run(["pgrep", "-P", str(st.postern_pid())], stdout=subprocess.PIPE, text=True).stdout
    return [int(x) for x in out.split()]


def lifecycle_tests(st):
    def sockets_private():
        for i in range(2):
            mode = stat.S_IMODE(os.stat(st.worker_socket(i)).st_mode)
            eq(mode, 0o660, "socket mode")
    check("sockets: one per worker, mode 0660", sockets_private)

    def restart_dead_worker():
        pids = worker_pids(st)
        eq(len(pids), 2, "workers")
        os.kill(pids[0], signal.SIGKILL)
        deadline = time.time() + 10
        while time.time() < deadline:
            now = worker_pids(st)
            if len(now) == 2 and pids[0] not in now:
                break
            time.sleep(0.1)
        now = worker_pids(st)
        eq(len(now), 2, "workers after kill")
        assert pids[0] not in now
        for i in range(2):
            r = fcgi.request(st.worker_socket(i), fcgi.base_params())
            eq(r.status, 200, "worker %d answers" % i)
        has(st.log(), "msg=\"worker died\"")
    check("master restarts a worker that dies (SIGKILL)", restart_dead_worker)

    def no_sanitizer_reports():
        log = st.log()
        for bad in ("AddressSanitizer", "runtime error:", "LeakSanitizer", "Assertion"):
            hasnt(log, bad, "sanitizer/assertion report in postern's log")
        died = [l for l in log.splitlines() if "worker died" in l]
        for l in died:
            has(l, "signal=9", "a worker died by itself: " + l)
    check("postern's log: no sanitizer report, no worker died but the one killed", no_sanitizer_reports)

    def no_secrets_in_log():
        log = st.log()
        has(log, "path=/settings status=200")
        hasnt(log, "view=both", "query strings in the log")
    check("log: one key=value line per request, no query strings", no_secrets_in_log)


def config_check_tests():
    cases = [
        ("[imap]\nexternal = mail.example.com:587:SSL\nadvertise = yes\n",
         "[imap] external: port 587 is SMTP submission with STARTTLS, not TLS from the start (use 465)"),
        ("[smtp]\nexternal = :465:SSL\n", "[smtp] external: port 465 is advertised without a host name"),
        ("[server]\nbogus = 1\n", "[server] bogus: unknown key"),
        ("[pop3]\nexternal = pop.example.com:70000:SSL\n", "[pop3] external: \"70000\" is not a port number (1-65535)"),
    ]
    for text, want in cases:
        def one(text=text, want=want):
            with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
                f.write(text)
                path = f.name
            try:
                line = 2 if text.count("\n") >= 2 else 1
                for args in (["--check-config", path], ["-c", path]):
                    r = subprocess.run([POSTERN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, timeout=10)
                    eq(r.returncode, 1, "exit status of postern %s" % args[0])
                    has(r.stderr, "%s:%d: %s" % (path, line, want), "message")
            finally:
                os.unlink(path)
        check("config refused: %s" % want, one)

    def good():
        r = subprocess.run([POSTERN, "--check-config", os.path.join(REPO, "postern.conf.example")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=10)
        # the example names /usr/share/postern/templates, which may not exist here
        if r.returncode != 0:
            has(r.stderr, "templates", "only the template directory may be missing")
        tmp = tempfile.mkdtemp()
        p = os.path.join(tmp, "ok.conf")
        with open(os.path.join(REPO, "postern.conf.example")) as f:
            text = f.read().replace("/usr/share/postern/templates", os.path.join(REPO, "templates"))
        with open(p, "w") as f:
            f.write(text)
        r = subprocess.run([POSTERN, "--check-config", p], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=10)
        eq(r.returncode, 0, "exit status: " + r.stderr)
        has(r.stdout, "OK")
    check("config: postern.conf.example passes --check-config", good)


def inherited_socket_test():
    def fd0():
        tmp = tempfile.mkdtemp()
        path = os.path.join(tmp, "inherited.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(16)
        cfg = os.path.join(tmp, "p.conf")
        with open(cfg, "w") as f:
            f.write("[server]\nlisten = fd:0\nworkers = 2\nthreads = 2\ntemplates = %s\n"
                    "[imap]\nadvertise = yes\nexternal = mail.example.test:993:SSL\n" % os.path.join(REPO, "templates"))
        p = subprocess.Popen([POSTERN, "-c", cfg], stdin=s.fileno(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        s.close()
        try:
            r = None
            for _ in range(50):
                try:
                    r = fcgi.request(path, fcgi.base_params())
                    break
                except OSError:
                    time.sleep(0.1)
            assert r is not None
            eq(r.status, 200, "status over the inherited socket")
            has(r.text, "mail.example.test")
            t0 = time.time()
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=15)
            eq(rc, 0, "exit status after SIGTERM")
            assert time.time() - t0 < 5, "SIGTERM took too long"
        finally:
            if p.poll() is None:
                p.kill()
    check("listen = fd:0 (spawn-fcgi/systemd style) serves, SIGTERM exits 0 promptly", fd0)


if __name__ == "__main__":
    sys.exit(main())
