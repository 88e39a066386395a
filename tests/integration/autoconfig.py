#!/usr/bin/env python3
"""Clients configure themselves: the real stack (Dovecot, the SMTP relay,
nginx, postern) on HTTP port 18400 and mail ports 28000+.

Every file postern hands to mail clients (Thunderbird autoconfig, Outlook
Autodiscover, the Apple profile) is parsed and compared field by field with
what the settings page shows the same client, under several configs; the
profile is read by plistlib and plistutil and, once signing is configured,
verified with `openssl cms -verify`. Then real clients -- curl (IMAP, POP3,
SMTP), fetchmail and mbsync -- are configured from nothing but the
autoconfig file and fetch the demo mail from Dovecot and send through its
submission service. Hostile Autodiscover bodies get the defined error,
fast, and no worker dies. `postern --dns-records` is checked too."""
import html.parser
import http.client
import os
import plistlib
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import imaplib
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import POSTERN, Stack, check, cookie_of, eq, has, hasnt, nginx_group, RESULTS  # noqa: E402

CONF = """
[server]
listen = @SOCK@
workers = 2
threads = 4
templates = @TEMPLATES@
site_name = Test Mail & Co
mail_domain = example.test
socket_group = {group}

[network]
internal_networks = 127.0.0.0/8, 10.0.0.0/8
trusted_proxies = 127.0.0.1
show = auto

[imap]
advertise = yes
internal = localhost:{imaps}:SSL, localhost:{imap}:STARTTLS
external = mail.example.test:993:SSL, mail.example.test:143:STARTTLS

[pop3]
advertise = {pop_adv}
internal = localhost:{pop3s}:SSL, localhost:{pop3}:STARTTLS
external = mail.example.test:995:SSL

[smtp]
advertise = yes
internal = localhost:{submissions}:SSL, localhost:{submission}:STARTTLS
external = mail.example.test:465:SSL, mail.example.test:587:STARTTLS

[backend]
imap = 127.0.0.1:{imaps}:SSL
pop3 = 127.0.0.1:{pop3s}:SSL
smtp = 127.0.0.1:{submissions}:SSL
tls_name = mail.example.test

[backend far]
imap = 127.0.0.1:9:SSL
tls_name = mail.example.test

[routing]
@far.test = far

[upstream]
ca_file = {run_dir}/ca/ca.pem
timeout = 10

[session]
sqlite_path = {run_dir}/sessions.db
secure_cookie = no

[policy]
imap_disabled = pop@example.test
pop3_disabled = nopop@example.test
{autoconfig}
"""

RUN = {}
EXTERNAL = {"X-Forwarded-For": "203.0.113.9"}
INTERNAL = {}   # the test runs on loopback: internal
ENC = {"SSL/TLS": "SSL", "STARTTLS": "STARTTLS", "None": "plain"}
AD = "{http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006}"
ADO = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
AD_REQ_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
AD_RESP_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


def conf(pop_adv="yes", autoconfig=""):
    b = RUN["base"]
    return CONF.format(group=nginx_group(), run_dir=RUN["dir"], pop_adv=pop_adv, autoconfig=autoconfig,
                       imaps=b + 993, imap=b + 143, pop3s=b + 995, pop3=b + 110,
                       submissions=b + 465, submission=b + 587)


# ------------------------------------------------------------ the page
class PageRows(html.parser.HTMLParser):
    """The endpoint rows of a settings page: {(side, proto): [(host, port, enc)]},
    the protocols said to be disabled for the user, and the profile links."""
    def __init__(self):
        super().__init__()
        self.rows, self.disabled, self.links = {}, set(), {}
        self.section = None
        self.cells, self.cell, self.in_code, self.in_enc, self.in_absent = None, None, False, False, False
        self.absent_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "proto":
            self.section = (a["data-side"], a["data-proto"])
            self.rows.setdefault(self.section, [])
        elif tag == "tr" and "data-proto" in a and self.section:
            self.cells = []
        elif tag == "code" and self.cells is not None:
            self.in_code = True
            self.cell = ""
        elif tag == "span" and a.get("class") == "enc" and self.cells is not None:
            self.in_enc = True
            self.cell = ""
        elif tag == "p" and a.get("class") == "absent":
            self.in_absent, self.absent_text = True, ""
        elif tag == "a" and a.get("class") in ("download", "download-pop"):
            self.links[a["class"]] = a["href"]

    def handle_endtag(self, tag):
        if tag == "code" and self.in_code:
            self.cells.append(self.cell)
            self.in_code = False
        elif tag == "span" and self.in_enc:
            self.cells.append(self.cell)
            self.in_enc = False
        elif tag == "tr" and self.cells is not None:
            host, port, enc = self.cells
            self.rows[self.section].append((host, int(port), ENC[enc]))
            self.cells = None
        elif tag == "p" and self.in_absent:
            self.in_absent = False
            if "disabled for your mailbox" in self.absent_text:
                self.disabled.add(self.section[1])

    def handle_data(self, data):
        if self.in_code or self.in_enc:
            self.cell += data
        if self.in_absent:
            self.absent_text += data


def page_rows(st, path, headers):
    r = st.http("GET", path, headers)
    eq(r.status, 200, "settings page " + path)
    p = PageRows()
    p.feed(r.text)
    return p, r.text


def expected_endpoints(page, proto, client_side):
    """What a file must list for proto: the client's side first, then the
    other shown side, without repeats -- read off the page."""
    out = []
    for side in (client_side, "external" if client_side == "internal" else "internal"):
        for row in page.rows.get((side, proto), []):
            if row not in out:
                out.append(row)
    return out


# ------------------------------------------------------------ the files
def autoconfig(st, query="", headers=None, path="/mail/config-v1.1.xml"):
    r = st.http("GET", path + query, headers or {})
    if r.status != 200:
        return r, None
    has(r.getheader("Content-Type"), "xml", "autoconfig type")
    return r, ET.fromstring(r.text.encode())


def tb_servers(root, kind):
    """[(type, host, port, socketType, username, auth)] of incomingServer or outgoingServer."""
    out = []
    for s in root.iter(kind):
        out.append((s.get("type"), s.findtext("hostname"), int(s.findtext("port")), s.findtext("socketType"),
                    s.findtext("username"), s.findtext("authentication")))
    return out


def ad_request(email, schema=AD_RESP_NS, ns=AD_REQ_NS):
    return ('<?xml version="1.0" encoding="utf-8"?>\r\n<Autodiscover xmlns="%s"><Request>'
            "<EMailAddress>%s</EMailAddress><AcceptableResponseSchema>%s</AcceptableResponseSchema>"
            "</Request></Autodiscover>" % (ns, email, schema))


def autodiscover(st, body, headers=None, path="/autodiscover/autodiscover.xml"):
    h = {"Content-Type": "text/xml; charset=utf-8"}
    h.update(headers or {})
    r = st.http("POST", path, h, body)
    eq(r.status, 200, "autodiscover HTTP status")
    return r, ET.fromstring(r.text.encode())


def ad_error(root):
    e = root.find(AD + "Response/" + AD + "Error")
    if e is None:
        e = root.find(ADO + "Response/" + ADO + "Error")
    return None if e is None else int(e.findtext(e.tag.split("}")[0] + "}ErrorCode"))


def ad_protocols(root):
    acc = root.find(ADO + "Response/" + ADO + "Account")
    assert acc is not None, "no Account in " + ET.tostring(root).decode()
    eq(acc.findtext(ADO + "AccountType"), "email", "AccountType")
    eq(acc.findtext(ADO + "Action"), "settings", "Action")
    out = []
    for p in acc.findall(ADO + "Protocol"):
        out.append({c.tag.replace(ADO, ""): c.text for c in p})
    return out


def profile(st, query="", headers=None):
    r = st.http("GET", "/profile.mobileconfig" + query, headers or {})
    return r, r.text


def read_profile(data):
    d = plistlib.loads(data)
    eq(d["PayloadType"], "Configuration", "profile type")
    eq(len(d["PayloadContent"]), 1, "payloads")
    return d, d["PayloadContent"][0]


# ------------------------------------------------------------ tests
def file_tests(st):
    def thunderbird_external():
        page, _ = page_rows(st, "/settings", EXTERNAL)
        for path in ("/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"):
            r, root = autoconfig(st, "?emailaddress=alice%40example.test", EXTERNAL, path)
            eq(root.tag, "clientConfig", "root")
            eq(root.get("version"), "1.1", "version")
            prov = root.find("emailProvider")
            eq(prov.get("id"), "example.test", "provider id")
            eq([d.text for d in prov.findall("domain")], ["example.test"], "domains")
            eq(prov.findtext("displayName"), "Test Mail & Co", "displayName")
            incoming = tb_servers(root, "incomingServer")
            want = [("imap",) + e for e in expected_endpoints(page, "imap", "external")] + \
                   [("pop3",) + e for e in expected_endpoints(page, "pop3", "external")]
            eq([s[:4] for s in incoming], want, "incoming servers = the page's external rows, IMAP first")
            want = [("smtp",) + e for e in expected_endpoints(page, "smtp", "external")]
            eq([s[:4] for s in tb_servers(root, "outgoingServer")], want, "outgoing servers")
            for s in incoming + tb_servers(root, "outgoingServer"):
                eq(s[4], "alice@example.test", "username")
                eq(s[5], "password-cleartext", "authentication")
            for s in root.iter("incomingServer"):
                if s.get("type") == "pop3":
                    eq(s.findtext("pop3/leaveMessagesOnServer"), "true", "leaveMessagesOnServer")
            hasnt(r.text, "localhost", "internal names in an external client's file")
            eq(root.find("emailProvider/enable"), None, "enable for alice")
    check("autoconfig: both paths, external client = the page's external rows, field by field", thunderbird_external)

    def thunderbird_internal_and_both():
        page, _ = page_rows(st, "/settings", INTERNAL)
        _, root = autoconfig(st, "?emailaddress=alice%40example.test")
        eq([s[1:4] for s in tb_servers(root, "incomingServer") if s[0] == "imap"],
            expected_endpoints(page, "imap", "internal"), "internal client: the internal rows")
        page, _ = page_rows(st, "/settings?view=both", INTERNAL)
        _, root = autoconfig(st, "?emailaddress=alice%40example.test&view=both")
        got = [s[1:4] for s in tb_servers(root, "outgoingServer")]
        eq(got, expected_endpoints(page, "smtp", "internal"), "view=both: internal first, then external")
        eq(len(got), 4, "SMTP endpoints in both views")
        # an external client cannot ask for internal names
        r, root = autoconfig(st, "?emailaddress=alice%40example.test&view=internal", EXTERNAL)
        hasnt(r.text, "localhost", "external client asking view=internal")
    check("autoconfig: internal client gets the internal rows; ?view=both lists its own side first", thunderbird_internal_and_both)

    def thunderbird_placeholders():
        r, root = autoconfig(st, "", EXTERNAL)   # Thunderbird for Android sends no address
        names = {s[4] for s in tb_servers(root, "incomingServer") + tb_servers(root, "outgoingServer")}
        eq(names, {"%EMAILADDRESS%"}, "placeholders")
        domains = [d.text for d in root.findall("emailProvider/domain")]
        eq(domains, ["example.test", "far.test"], "served domains (mail_domain + [routing])")
    check("autoconfig: without ?emailaddress= the user name is %EMAILADDRESS%", thunderbird_placeholders)

    def thunderbird_pop3_off():
        _, root = autoconfig(st, "?emailaddress=nopop%40example.test", EXTERNAL)
        types = {s[0] for s in tb_servers(root, "incomingServer")}
        eq(types, {"imap"}, "POP3 left out for nopop")
        en = root.find("emailProvider/enable")
        assert en is not None, "no <enable> for a disabled protocol"
        eq(en.get("visiturl"), "http://127.0.0.1:%d/account/settings" % st.port, "visiturl")
        has(en.findtext("instruction"), "POP3 access is switched off")
        # the signed-in page of the same user says the same
        c = login(st, "nopop@example.test")
        page, _ = page_rows(st, "/account/settings", dict(EXTERNAL, Cookie=c))
        eq(page.disabled, {"pop3"}, "page: disabled protocols")
        # ...and a signed-in user's own file, without ?emailaddress=
        _, root = autoconfig(st, "", dict(EXTERNAL, Cookie=c))
        eq({s[4] for s in tb_servers(root, "incomingServer")}, {"nopop@example.test"}, "session user's file")
        eq({s[0] for s in tb_servers(root, "incomingServer")}, {"imap"}, "session user's protocols")
    check("autoconfig: POP3 disabled for the user: left out, <enable visiturl> to the personal page", thunderbird_pop3_off)

    def thunderbird_routing_and_refusals():
        _, root = autoconfig(st, "?emailaddress=someone%40far.test", EXTERNAL)
        eq({s[0] for s in tb_servers(root, "incomingServer")}, {"imap"}, "far backend has no POP3")
        r, _ = autoconfig(st, "?emailaddress=alice%40elsewhere.example", EXTERNAL)
        eq(r.status, 404, "unknown domain")
        r, _ = autoconfig(st, "?emailaddress=not-an-address", EXTERNAL)
        eq(r.status, 400, "bad address")
        r, _ = autoconfig(st, "?emailaddress=administrator%40example.test", EXTERNAL)
        eq(r.status, 404, "refused account: no incoming server")
        r, _ = autoconfig(st, "?view=sideways", EXTERNAL)
        eq(r.status, 400, "bad view")
    check("autoconfig: routing (no POP3 on the user's server), unknown domain 404, bad input 400", thunderbird_routing_and_refusals)

    def outlook():
        page, _ = page_rows(st, "/settings", EXTERNAL)
        for path in ("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml", "/AUTODISCOVER/AUTODISCOVER.XML"):
            r, root = autodiscover(st, ad_request("Alice@Example.TEST"), EXTERNAL, path)
            eq(ad_error(root), None, "error for alice")
            protos = ad_protocols(root)
            want = []
            for proto, typ in (("imap", "IMAP"), ("pop3", "POP3"), ("smtp", "SMTP")):
                for host, port, enc in expected_endpoints(page, proto, "external"):
                    want.append((typ, host, port, {"SSL": "SSL", "STARTTLS": "TLS", "plain": "None"}[enc],
                                 "off" if enc == "plain" else "on"))
            got = [(p["Type"], p["Server"], int(p["Port"]), p["Encryption"], p["SSL"]) for p in protos]
            eq(got, want, "Protocol entries = the page's external rows (" + path + ")")
            for p in protos:
                eq(p["LoginName"], "Alice@example.test", "LoginName")
                eq(p["SPA"], "off", "SPA")
                eq(p["AuthRequired"], "on", "AuthRequired")
                eq(p["DomainRequired"], "off", "DomainRequired")
                if p["Type"] == "SMTP":
                    eq(p["UsePOPAuth"], "on", "UsePOPAuth")
    check("autodiscover: POST (any case of the path) = the page's rows; Encryption SSL vs TLS", outlook)

    def outlook_user_and_errors():
        _, root = autodiscover(st, ad_request("nopop@example.test"), EXTERNAL)
        eq({p["Type"] for p in ad_protocols(root)}, {"IMAP", "SMTP"}, "nopop: no POP3")
        _, root = autodiscover(st, ad_request("someone@elsewhere.example"), EXTERNAL)
        eq(ad_error(root), 500, "unknown domain")
        _, root = autodiscover(st, ad_request("guest@example.test"), EXTERNAL)
        eq(ad_error(root), 501, "refused account")
        _, root = autodiscover(st, ad_request("a@example.test",
                               schema="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"))
        eq(ad_error(root), 601, "ActiveSync schema")
        r = st.http("GET", "/autodiscover/autodiscover.xml")
        eq(r.status, 200, "GET status")
        root = ET.fromstring(r.text.encode())
        eq(root.tag, AD + "Autodiscover", "GET root")
        eq(ad_error(root), 600, "GET answers 600 Invalid Request")
        has(r.text, "<Message>Invalid Request</Message>")
    check("autodiscover: per-user protocols; 500 unknown domain, 501 refused, 601 schema, GET 600", outlook_user_and_errors)

    def apple():
        page, text = page_rows(st, "/settings", EXTERNAL)
        eq(page.links.get("download"), "/profile.mobileconfig", "page's profile link")
        r, _ = profile(st, "", EXTERNAL)
        eq(r.status, 200, "profile")
        eq(r.getheader("Content-Type"), "application/x-apple-aspen-config", "type")
        has(r.getheader("Content-Disposition"), 'attachment; filename="example.test.mobileconfig"')
        raw = r.text.encode()
        d, mail = read_profile(raw)
        eq(mail["PayloadType"], "com.apple.mail.managed", "mail payload")
        eq(mail["EmailAccountType"], "EmailTypeIMAP", "IMAP by default")
        imap = expected_endpoints(page, "imap", "external")
        smtp = expected_endpoints(page, "smtp", "external")
        first_ssl = lambda eps: [e for e in eps if e[2] == "SSL"][0]  # noqa: E731
        eq((mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"]), first_ssl(imap)[:2], "incoming")
        eq((mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"]), first_ssl(smtp)[:2], "outgoing")
        eq(mail["IncomingMailServerUseSSL"], True, "UseSSL")
        for k in ("EmailAddress", "IncomingMailServerUsername", "IncomingPassword", "OutgoingPassword"):
            assert k not in mail, k + " in an anonymous profile"
        assert re.search(r"<code>%s</code>\s+port\s+<code>%d</code>" % first_ssl(imap)[:2], text), \
            "the page does not name the profile's incoming server"
        has(text, "can only say <em>whether</em> a server uses encryption")
        # plistutil (libplist) reads it too
        with tempfile.TemporaryDirectory() as tmp:
            src, out = os.path.join(tmp, "p.xml"), os.path.join(tmp, "p.bin")
            open(src, "wb").write(raw)
            subprocess.run(["plistutil", "-i", src, "-o", out], check=True, capture_output=True)
            eq(plistlib.load(open(out, "rb")), d, "plistutil's binary plist")
    check("profile: plistlib and plistutil read it; servers = the page's; no password, no address", apple)

    def apple_per_user():
        r, _ = profile(st, "?emailaddress=alice%40example.test", EXTERNAL)
        d, mail = read_profile(r.text.encode())
        eq(mail["EmailAddress"], "alice@example.test", "address")
        eq(mail["IncomingMailServerUsername"], "alice@example.test", "user name")
        r2, _ = profile(st, "?emailaddress=ALICE%40example.test", EXTERNAL)
        d2, mail2 = read_profile(r2.text.encode())
        eq((d2["PayloadUUID"], mail2["PayloadUUID"], d2["PayloadIdentifier"]),
           (d["PayloadUUID"], mail["PayloadUUID"], d["PayloadIdentifier"]), "stable UUIDs")
        r3, _ = profile(st, "?emailaddress=nopop%40example.test", EXTERNAL)
        d3, _ = read_profile(r3.text.encode())
        assert d3["PayloadUUID"] != d["PayloadUUID"], "two users share a UUID"
        _, mail = read_profile(profile(st, "?emailaddress=alice%40example.test&incoming=pop3", EXTERNAL)[0].text.encode())
        eq((mail["EmailAccountType"], mail["IncomingMailServerPortNumber"]), ("EmailTypePOP", 995), "POP by choice")
        _, mail = read_profile(profile(st, "?emailaddress=pop%40example.test", EXTERNAL)[0].text.encode())
        eq(mail["EmailAccountType"], "EmailTypePOP", "POP by policy (IMAP4 off for pop@)")
        _, mail = read_profile(profile(st, "?emailaddress=nopop%40example.test&incoming=pop3", EXTERNAL)[0].text.encode())
        eq(mail["EmailAccountType"], "EmailTypeIMAP", "IMAP when POP3 is off")
        eq(profile(st, "?incoming=smtp", EXTERNAL)[0].status, 400, "bad incoming")
        eq(profile(st, "?emailaddress=guest%40example.test", EXTERNAL)[0].status, 404, "refused account")
        # the signed-in page links to the user's own profile
        c = login(st, "alice@example.test")
        page, text = page_rows(st, "/account/settings", dict(EXTERNAL, Cookie=c))
        eq(page.links.get("download"), "/profile.mobileconfig?emailaddress=alice@example.test", "personal link")
        eq(page.links.get("download-pop"), "/profile.mobileconfig?emailaddress=alice@example.test&incoming=pop3", "POP link")
        has(text, '<svg xmlns="http://www.w3.org/2000/svg" class="qr"')
    check("profile: per user (address, stable UUIDs), POP by choice or policy, personal link and QR", apple_per_user)

    def not_advertised():
        assert st.reload(conf(pop_adv="no")), "reload refused"
        page, text = page_rows(st, "/settings", EXTERNAL)
        has(text, "Your administrator has not made POP3 settings available here.")
        _, root = autoconfig(st, "?emailaddress=alice%40example.test", EXTERNAL)
        eq({s[0] for s in tb_servers(root, "incomingServer")}, {"imap"}, "autoconfig without POP3")
        eq(root.find("emailProvider/enable"), None, "no <enable>: not advertised is not 'disabled for you'")
        _, root = autodiscover(st, ad_request("alice@example.test"), EXTERNAL)
        eq({p["Type"] for p in ad_protocols(root)}, {"IMAP", "SMTP"}, "autodiscover without POP3")
        eq(page.links.get("download-pop"), None, "no POP profile link")
        eq(profile(st, "?incoming=pop3", EXTERNAL)[0].status, 200, "POP asked for, IMAP given")
        _, mail = read_profile(profile(st, "?incoming=pop3", EXTERNAL)[0].text.encode())
        eq(mail["EmailAccountType"], "EmailTypeIMAP", "IMAP when POP3 is not advertised")
        assert st.reload(conf()), "reload back refused"
    check("config: POP3 not advertised: left out of every file, as the page says", not_advertised)


def login(st, user, password="wonderland"):
    import urllib.parse
    r = st.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": "http://127.0.0.1:%d" % st.port},
                urllib.parse.urlencode({"user": user, "password": password}))
    eq(r.status, 303, "sign-in of " + user + ": " + r.text[:200])
    return cookie_of(r)


def openssl(*args, **kw):
    return subprocess.run(["openssl"] + list(args), check=True, capture_output=True, **kw)


def make_signer(st):
    """An intermediate CA under the stack's test CA, and a signing
    certificate under it; returns (cert, key, chain) paths."""
    d = os.path.join(st.run_dir, "signing")
    os.makedirs(d, exist_ok=True)
    ca = os.path.join(st.run_dir, "ca")
    p = lambda n: os.path.join(d, n)  # noqa: E731
    for name in ("inter", "signer", "wrong"):
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p(name + ".key"))
    open(p("inter.ext"), "w").write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n"
                                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    open(p("signer.ext"), "w").write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                     "extendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\n"
                                     "authorityKeyIdentifier=keyid\n")
    openssl("req", "-new", "-key", p("inter.key"), "-subj", "/O=postern test/CN=profile intermediate", "-out", p("inter.csr"))
    openssl("x509", "-req", "-in", p("inter.csr"), "-CA", os.path.join(ca, "ca.pem"), "-CAkey", os.path.join(ca, "ca.key"),
            "-CAcreateserial", "-CAserial", p("ca.srl"), "-days", "30", "-extfile", p("inter.ext"), "-out", p("inter.pem"))
    openssl("req", "-new", "-key", p("signer.key"), "-subj", "/O=postern test/CN=mail.example.test profiles", "-out", p("signer.csr"))
    openssl("x509", "-req", "-in", p("signer.csr"), "-CA", p("inter.pem"), "-CAkey", p("inter.key"),
            "-CAcreateserial", "-CAserial", p("inter.srl"), "-days", "30", "-extfile", p("signer.ext"), "-out", p("signer.pem"))
    return p("signer.pem"), p("signer.key"), p("inter.pem"), p("wrong.key")


def signing_tests(st):
    def signed():
        unsigned = profile(st, "?emailaddress=alice%40example.test", EXTERNAL)[0].text.encode()
        cert, key, chain, wrong = make_signer(st)
        ok = st.reload(conf(autoconfig="[autoconfig]\nsign_cert = %s\nsign_key = %s\nsign_chain = %s\n" % (cert, key, chain)))
        assert ok, "reload with signing refused:\n" + st.log()[-2000:]
        r = st.http("GET", "/profile.mobileconfig?emailaddress=alice%40example.test", EXTERNAL)
        eq(r.status, 200, "signed profile")
        eq(r.getheader("Content-Type"), "application/x-apple-aspen-config", "type")
        with tempfile.TemporaryDirectory() as tmp:
            f, out = os.path.join(tmp, "p.der"), os.path.join(tmp, "p.xml")
            c = http.client.HTTPConnection("127.0.0.1", st.port, timeout=10)
            c.request("GET", "/profile.mobileconfig?emailaddress=alice%40example.test", headers=EXTERNAL)
            data = c.getresponse().read()
            open(f, "wb").write(data)
            assert not data.startswith(b"<?xml"), "profile not signed"
            # the chain travels in the signature: the root alone verifies it
            openssl("cms", "-verify", "-inform", "DER", "-in", f, "-CAfile", os.path.join(st.run_dir, "ca", "ca.pem"),
                    "-out", out)
            eq(open(out, "rb").read(), unsigned, "signed content = the unsigned profile, byte for byte")
            _, mail = read_profile(open(out, "rb").read())
            eq(mail["EmailAddress"], "alice@example.test", "signed profile's address")
            # tampering is caught
            bad = bytearray(data)
            i = bytes(bad).find(b"alice@example.test")
            bad[i] = ord("A")
            open(f, "wb").write(bytes(bad))
            r = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", f, "-CAfile",
                                os.path.join(st.run_dir, "ca", "ca.pem"), "-out", out], capture_output=True)
            assert r.returncode != 0, "a tampered profile verified"
        page, text = page_rows(st, "/settings", EXTERNAL)
        has(text, "The profile is signed, so your device shows it as verified.")
        # a key that is not the certificate's is refused at reload, with its reason
        ok = st.reload(conf(autoconfig="[autoconfig]\nsign_cert = %s\nsign_key = %s\n" % (cert, wrong)))
        assert not ok, "a mismatched signing key was accepted"
        has(st.log(), "the key does not belong to the certificate")
        eq(st.http("GET", "/profile.mobileconfig", EXTERNAL).status, 200, "still serving")
        st.write_conf(conf())
    check("profile signing: openssl cms -verify with the root CA; tampering caught; bad key refused", signed)


def hostile_tests(st):
    pids = worker_pids(st)
    cases = [
        ("XXE (external entity to /etc/passwd)",
         '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         + ad_request("&x;").split("?>", 1)[1]),
        ("entity expansion (billion laughs)",
         '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
             '<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % (i - 1 if i > 1 else "")) * 10) for i in range(1, 10))
         + ']><Autodiscover xmlns="%s"><Request><EMailAddress>&lol9;</EMailAddress></Request></Autodiscover>' % AD_REQ_NS),
        ("invalid XML", '<Autodiscover xmlns="%s"><Request><EMailAddress>a@example.test</Request>' % AD_REQ_NS),
        ("missing namespace", "<Autodiscover><Request><EMailAddress>alice@example.test</EMailAddress></Request></Autodiscover>"),
        ("not XML at all", "EMailAddress=alice@example.test"),
        ("UTF-16", ad_request("alice@example.test").encode("utf-16")),
        ("deep nesting", "<a>" * 5000 + "</a>" * 5000),
        ("10 MB body", b"<" + b"A" * (10 * 1024 * 1024)),
    ]
    for name, body in cases:
        def one(body=body, name=name):
            t0 = time.monotonic()
            r, root = autodiscover(st, body, EXTERNAL)
            took = time.monotonic() - t0
            eq(ad_error(root), 600, name)
            hasnt(r.text, "root:", "file contents in the answer")
            hasnt(r.text, "lollol", "expanded entities in the answer")
            assert took < 2.0, "%s took %.2fs" % (name, took)
        check("autodiscover hostile: %s -> 600, fast" % name, one)

    def wrong_type():
        r = st.http("POST", "/autodiscover/autodiscover.xml", {"Content-Type": "application/x-www-form-urlencoded"},
                    "EMailAddress=alice%40example.test")
        eq(r.status, 200, "status")
        eq(ad_error(ET.fromstring(r.text.encode())), 600, "form body")
    check("autodiscover: a form instead of text/xml -> 600", wrong_type)

    def nobody_died():
        eq(worker_pids(st), pids, "worker processes after the hostile bodies")
        log = st.log()
        hasnt(log, "worker died")
        hasnt(log, "AddressSanitizer")
        hasnt(log, "runtime error")
        eq(st.http("GET", "/healthz").status, 200, "health")
    check("autodiscover hostile: no worker died or restarted", nobody_died)


def worker_pids(st):
    out = subprocess.run(["pgrep", "-P", str(st.postern_pid())], capture_output=True, text=True).stdout
    return sorted(out.split())


# ------------------------------------------------------------ real clients
def client_tests(st):
    ca = os.path.join(st.run_dir, "ca", "ca.pem")
    _, root = autoconfig(st, "?emailaddress=alice%40example.test&view=internal")
    incoming = tb_servers(root, "incomingServer")
    outgoing = tb_servers(root, "outgoingServer")
    user = "alice@example.test"
    state = {}

    def curl(url, *extra, tls="SSL", data=None):
        args = ["curl", "-sS", "--max-time", "20", "--cacert", ca, "--user", "%s:wonderland" % user]
        if tls == "STARTTLS":
            args.append("--ssl-reqd")
        r = subprocess.run(args + list(extra) + [url], capture_output=True, input=data, timeout=30)
        if r.returncode != 0:
            raise AssertionError("curl %s failed (%d): %s" % (url, r.returncode, r.stderr.decode()[-500:]))
        return r.stdout.decode("utf-8", "replace")

    def url(scheme, s, path=""):
        secure = {"SSL": scheme + "s", "STARTTLS": scheme, "plain": scheme}[s[3]]
        return "%s://%s:%d/%s" % (secure, s[1], s[2], path)

    def username(s):
        return s[4].replace("%EMAILADDRESS%", user).replace("%EMAILLOCALPART%", user.split("@")[0])

    def curl_imap():
        imaps = [s for s in incoming if s[0] == "imap"]
        eq({s[3] for s in imaps}, {"SSL", "STARTTLS"}, "both encryptions offered")
        counts = set()
        for s in imaps:
            eq(username(s), user, "user name from the file")
            status = curl(url("imap", s, "INBOX"), "-X", "STATUS INBOX (MESSAGES)", tls=s[3])
            m = re.search(r"MESSAGES (\d+)", status)
            assert m, "no STATUS answer: " + status
            counts.add(int(m.group(1)))
            body = curl(url("imap", s, "INBOX;UID=1"), tls=s[3])
            has(body, "Subject:", "message 1 over " + s[3])
        eq(len(counts), 1, "same count over both endpoints")
        state["imap_count"] = counts.pop()
        assert state["imap_count"] > 0, "empty INBOX"
    check("real clients: curl reads alice's INBOX over every IMAP endpoint in the file", curl_imap)

    def curl_pop3():
        for s in [s for s in incoming if s[0] == "pop3"]:
            listing = curl(url("pop3", s), tls=s[3])
            n = len([l for l in listing.splitlines() if re.match(r"^\d+ \d+", l)])
            eq(n, state["imap_count"], "POP3 LIST over %s vs IMAP INBOX" % s[3])
            has(curl(url("pop3", s, "1"), tls=s[3]), "Subject:", "POP3 RETR 1")
    check("real clients: curl lists and retrieves over every POP3 endpoint in the file", curl_pop3)

    def curl_smtp():
        for s in outgoing:
            subject = "autoconfig test %s %d" % (s[3], time.time_ns())
            msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@postern.test>\r\n\r\n"
                   "Sent by curl from postern's autoconfig file.\r\n" % (user, user, subject, time.time_ns())).encode()
            curl(url("smtp", s), "--mail-from", user, "--mail-rcpt", user, "--upload-file", "-",
                 tls=s[3], data=msg)
            found = wait_for_subject(st, subject)
            assert found, "mail sent over %s did not arrive" % s[3]
    check("real clients: curl sends through every SMTP endpoint in the file; the mail arrives", curl_smtp)

    def fetchmail():
        tools = shutil.which("fetchmail")
        assert tools, "fetchmail not installed (scripts/deps.sh)"
        for kind in ("pop3", "imap"):
            s = [s for s in incoming if s[0] == kind and s[3] == "SSL"][0]
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "out")
                os.mkdir(out)
                rc = os.path.join(tmp, "fetchmailrc")
                keep = "keep" if kind == "imap" or root.findtext(
                    "emailProvider/incomingServer[@type='pop3']/pop3/leaveMessagesOnServer") == "true" else ""
                with open(rc, "w") as f:
                    f.write('poll %s service %d protocol %s\n  user "%s" password "wonderland"\n'
                            '  ssl sslcertck sslcertfile "%s"\n  %s fetchall\n'
                            '  mda "/bin/sh -c \'cat > %s/msg.$$\'"\n'
                            % (s[1], s[2], "POP3" if kind == "pop3" else "IMAP", username(s), ca, keep, out))
                os.chmod(rc, 0o600)
                r = subprocess.run(["fetchmail", "-f", rc, "--nosyslog", "--nodetach", "-i", os.path.join(tmp, "ids"),
                                    "--pidfile", os.path.join(tmp, "pid")],
                                   capture_output=True, text=True, timeout=120, env=dict(os.environ, HOME=tmp))
                got = len(os.listdir(out))
                if r.returncode not in (0,) or got == 0:
                    raise AssertionError("fetchmail %s: rc %d, %d messages\n%s" % (kind, r.returncode, got,
                                                                                   (r.stdout + r.stderr)[-1500:]))
                assert got >= state["imap_count"], "fetchmail %s fetched %d of %d" % (kind, got, state["imap_count"])
        # leaveMessagesOnServer: nothing was deleted
        s = [s for s in incoming if s[0] == "imap"][0]
        status = curl(url("imap", s, "INBOX"), "-X", "STATUS INBOX (MESSAGES)", tls=s[3])
        assert int(re.search(r"MESSAGES (\d+)", status).group(1)) >= state["imap_count"], "messages were deleted"
    check("real clients: fetchmail fetches over POP3 and IMAP from the file, keeping mail on the server", fetchmail)

    def mbsync():
        assert shutil.which("mbsync"), "mbsync not installed (scripts/deps.sh)"
        for s in [s for s in incoming if s[0] == "imap"]:
            with tempfile.TemporaryDirectory() as tmp:
                rc = os.path.join(tmp, "mbsyncrc")
                os.mkdir(os.path.join(tmp, "mail"))
                with open(rc, "w") as f:
                    f.write("IMAPAccount demo\nHost %s\nPort %d\nUser %s\nPass wonderland\nSSLType %s\n"
                            "CertificateFile %s\nAuthMechs LOGIN PLAIN\n\n"
                            "IMAPStore remote\nAccount demo\n\n"
                            "MaildirStore local\nPath %s/mail/\nInbox %s/mail/INBOX\n\n"
                            "Channel inbox\nFar :remote:\nNear :local:\nPatterns INBOX\nSync Pull\nCreate Near\n"
                            "SyncState *\n"
                            % (s[1], s[2], username(s), {"SSL": "IMAPS", "STARTTLS": "STARTTLS"}[s[3]], ca, tmp, tmp))
                r = subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True, timeout=120,
                                   env=dict(os.environ, HOME=tmp))
                inbox = os.path.join(tmp, "mail", "INBOX")
                got = sum(len(os.listdir(os.path.join(inbox, d))) for d in ("cur", "new")) if os.path.isdir(inbox) else 0
                if r.returncode != 0:
                    raise AssertionError("mbsync over %s: rc %d\n%s" % (s[3], r.returncode, (r.stdout + r.stderr)[-1500:]))
                assert got >= state["imap_count"], "mbsync over %s synced %d of %d" % (s[3], got, state["imap_count"])
    check("real clients: mbsync syncs the INBOX over both IMAP endpoints in the file", mbsync)


def wait_for_subject(st, subject, timeout=20):
    ctx = ssl.create_default_context(cafile=os.path.join(st.run_dir, "ca", "ca.pem"))
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = imaplib.IMAP4_SSL("localhost", st.mail_base + 993, ssl_context=ctx, timeout=10)
        try:
            m.login("alice@example.test", "wonderland")
            m.select("INBOX", readonly=True)
            typ, data = m.search(None, "HEADER", "Subject", '"%s"' % subject)
            if data and data[0].split():
                return True
        finally:
            m.logout()
        time.sleep(0.3)
    return False


def dns_tests(st):
    def records():
        r = subprocess.run([POSTERN, "-c", st.conf, "--dns-records", "example.test"], capture_output=True, text=True)
        eq(r.returncode, 0, "exit status: " + r.stderr)
        lines = [l for l in r.stdout.splitlines() if not l.startswith(";")]
        recs = {(l.split()[0], " ".join(l.split()[3:])) for l in lines}
        for want in [("_imaps._tcp.example.test.", "SRV 0 0 993 mail.example.test."),
                     ("_imap._tcp.example.test.", "SRV 1 0 143 mail.example.test."),
                     ("_pop3s._tcp.example.test.", "SRV 2 0 995 mail.example.test."),
                     ("_pop3._tcp.example.test.", "SRV 0 0 0 ."),
                     ("_submissions._tcp.example.test.", "SRV 0 0 465 mail.example.test."),
                     ("_submission._tcp.example.test.", "SRV 1 0 587 mail.example.test."),
                     ("autoconfig.example.test.", "CNAME mail.example.test."),
                     ("autodiscover.example.test.", "CNAME mail.example.test."),
                     ("_autodiscover._tcp.example.test.", "SRV 0 0 443 mail.example.test.")]:
            assert want in recs, "missing %s in\n%s" % (want, r.stdout)
        eq(len(lines), 9, "record count")
        hasnt(r.stdout, "localhost", "internal names in public DNS")
        r = subprocess.run([POSTERN, "-c", st.conf, "--dns-records", "not a domain"], capture_output=True, text=True)
        assert r.returncode != 0 and "not a domain name" in r.stderr, r.stderr
    check("postern --dns-records: RFC 6186/8314 SRV, '.' for what is not offered, the two CNAMEs", records)


def main():
    st = Stack(port=int(os.environ.get("AC_PORT", "18400")), mail_base=int(os.environ.get("AC_MAIL_BASE", "28000")))
    RUN.update(base=st.mail_base, dir=st.run_dir)
    if not st.start_or_report(conf(), "stack starts (dovecot, relay, nginx, postern)"):
        return 1
    try:
        file_tests(st)
        hostile_tests(st)
        dns_tests(st)
        client_tests(st)
        signing_tests(st)
    finally:
        st.stop()
    return 0 if RESULTS["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
