#!/usr/bin/env python3
"""Acting on messages and folders (issue 5), against the real stack:
actions on a selection from the list (every op, on the main Dovecot and on
the branch one without MOVE), undo, restore from Trash, empty Trash/Junk,
folder management with odd names, protected folders, names refused before
any upstream byte (Dovecot's rawlog), CSRF on every endpoint, double
submit, and other clients changing the mailbox between page and action.
Every result is read back over a separate imaplib connection.

Each test signs in as a fresh user (added to the stack's passwd-files), so
tests do not depend on each other."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "stack"))
import seedlib  # noqa: E402

CONF = """
[server]
listen = @SOCK@
workers = 2
threads = 4
templates = @TEMPLATES@
site_name = Test Mail
mail_domain = example.test
socket_group = {group}

[backend]
imap = 127.0.0.1:{imaps}:SSL
tls_name = mail.example.test

[backend branch]
imap = 127.0.0.1:{b_imaps}:SSL
tls_name = mail.example.test

[routing]
@branch.test = branch

[upstream]
ca_file = {run_dir}/ca/ca.pem
timeout = 10

[session]
sqlite_path = {run_dir}/sessions.db
secure_cookie = no

[mailbox]
page_size = 50
"""

ST = None


POOL = {}


def make_users():
    """Fresh accounts for every test, on the main and the branch Dovecot,
    written once before any sign-in (Dovecot re-reads a passwd-file when it
    changes, but not reliably several times a second); the main ones record
    their IMAP traffic in RUN_DIR/rawlog-NAME/ (Dovecot's rawlog)."""
    stamp = int(time.time()) % 100000
    for server, n in (("main", 6), ("branch", 3)):
        d = os.path.join(ST.run_dir, "dovecot" if server == "main" else "branch")
        path = os.path.join(d, "users")
        with open(path) as f:
            pwhash = f.readline().split(":")[1]
        lines = []
        for i in range(n):
            name = "t%d%s%d" % (stamp, server[0], i)
            user = name + ("@branch.test" if server == "branch" else "@example.test")
            extra = ""
            if server == "main":
                rd = os.path.join(ST.run_dir, "rawlog-" + name)
                os.makedirs(rd, exist_ok=True)
                os.chmod(rd, 0o777)
                extra = "userdb_rawlog_dir=" + rd
            lines.append("%s:%s::::::%s\n" % (user, pwhash, extra))
            POOL.setdefault(server, []).append(user)
        with open(path, "a") as f:
            f.write("".join(lines))
        t = time.time() + 2
        os.utime(path, (t, t))
    time.sleep(1.5)


def new_user(server="main", rawlog=False):
    """The next fresh account (rawlog: one whose traffic is recorded)."""
    return POOL[server].pop(0)


class Imap:
    def __init__(self, user, server="main"):
        port = ST.mail_base + (993 if server == "main" else 201)
        ctx = ssl.create_default_context(cafile=os.path.join(ST.run_dir, "ca", "ca.pem"))
        self.m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx, timeout=20)
        self.m.login(user, "wonderland")

    def q(self, name):
        return '"%s"' % seedlib.mutf7_encode(name).replace("\\", "\\\\").replace('"', '\\"')

    def append(self, folder, subject, flags=None):
        msg = "Subject: %s\r\nFrom: x@y.test\r\n\r\nbody of %s\r\n" % (subject, subject)
        typ, _ = self.m.append(self.q(folder), flags, None, msg.encode())
        eq(typ, "OK", "append")

    def create(self, folder):
        typ, data = self.m.create(self.q(folder))
        eq(typ, "OK", "create %r: %r" % (folder, data))

    def subjects(self, folder):
        """{uid: subject} of the folder."""
        typ, _ = self.m.select(self.q(folder))
        eq(typ, "OK", "select %r" % folder)
        typ, data = self.m.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        out = {}
        for item in data:
            if isinstance(item, tuple):
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                out[uid] = item[1].decode().split(":", 1)[1].strip()
        return out

    def uid_of(self, folder, subject):
        return [u for u, s in self.subjects(folder).items() if s == subject]

    def flags(self, folder, uid):
        self.m.select(self.q(folder))
        typ, data = self.m.uid("FETCH", str(uid), "(FLAGS)")
        return data[0].decode() if data and data[0] else ""

    def folders(self):
        typ, data = self.m.list('""', "*")
        names = []
        for ln in data:
            m = re.match(rb'\(.*?\) (?:"."|NIL) (.*)$', ln)
            raw = m.group(1).decode()
            if raw.startswith('"'):
                raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            names.append(seedlib.mutf7_decode(raw))
        return names

    def subscribed(self):
        typ, data = self.m.lsub('""', "*")
        out = []
        for ln in data:
            if ln is None:
                continue
            raw = re.match(rb'\(.*?\) (?:"."|NIL) (.*)$', ln).group(1).decode()
            if raw.startswith('"'):
                raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            out.append(seedlib.mutf7_decode(raw))
        return out

    def close(self):
        try:
            self.m.logout()
        except Exception:   # noqa: BLE001
            pass


class Web:
    """A signed-in browser without JavaScript."""
    def __init__(self, user):
        body = urllib.parse.urlencode({"user": user, "password": "wonderland"})
        r = ST.http("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                       "Origin": self.origin()}, body)
        eq(r.status, 303, "sign-in: " + r.text[:300])
        self.cookie = cookie_of(r)
        self.token = None

    @staticmethod
    def origin():
        return "http://127.0.0.1:%d" % ST.port

    def get(self, path):
        r = ST.http("GET", path, {"Cookie": self.cookie})
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        if m:
            self.token = m.group(1)
        return r

    def post(self, path, fields, origin=None, token=True):
        """fields: a list of pairs (repeats allowed) or a dict."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if token and not any(k == "csrf" for k, _ in pairs):
            pairs.insert(0, ("csrf", self.token))
        hdrs = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin or self.origin()}
        return ST.http("POST", path, hdrs, urllib.parse.urlencode(pairs))

    def follow(self, r):
        eq(r.status, 303, "a redirect: " + r.text[:500])
        return self.get(r.getheader("Location"))


def q(**kw):
    return urllib.parse.urlencode(kw)


def list_page(web, folder):
    r = web.get("/mail/?" + q(f=seedlib.mutf7_encode(folder)))
    eq(r.status, 200, "list of %r" % folder)
    uv = re.search(r'name="uv" value="(\d+)"', r.text)
    return r, (uv.group(1) if uv else None)


def sel(web, folder, uv, op, uids, **extra):
    pairs = [("op", op), ("uv", uv)] + [("uid", str(u)) for u in uids] + list(extra.items())
    return web.post("/mail/selection?" + q(f=seedlib.mutf7_encode(folder)), pairs)


def hidden_fields(text):
    """The hidden fields of the (one) action form of a result page."""
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', text, re.S)
    action = html.unescape(form.group(1))
    fields = [(html.unescape(n), html.unescape(v)) for n, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))]
    return action, fields


# --- the tests ---------------------------------------------------------------

def selection_suite(server, kind):
    user = new_user(server)
    imap = Imap(user, server)
    web = Web(user)
    F = "Work %s" % kind.split()[0]
    imap.create(F)
    for i in range(6):
        imap.append(F, "s%d" % i)
    imap.append(F, "marked", r"(\Deleted)")      # another client's \Deleted mail
    uid = {s: u for u, s in imap.subjects(F).items()}

    def flags_on_a_selection():
        r, uv = list_page(web, F)
        has(r.text, 'type="checkbox" name="uid" value="%d"' % uid["s0"])
        r = sel(web, F, uv, "read", [uid["s0"], uid["s1"]])
        eq(r.status, 303, "read")
        page = web.follow(r)
        has(page.text, "2 messages marked read.")
        assert "\\Seen" in imap.flags(F, uid["s0"]) and "\\Seen" in imap.flags(F, uid["s1"])
        assert "\\Seen" not in imap.flags(F, uid["s2"]), "only the chosen ones"
        eq(sel(web, F, uv, "flag", [uid["s2"]]).status, 303, "flag")
        assert "\\Flagged" in imap.flags(F, uid["s2"])
        eq(sel(web, F, uv, "unflag", [uid["s2"]]).status, 303, "unflag")
        assert "\\Flagged" not in imap.flags(F, uid["s2"])
        eq(sel(web, F, uv, "unread", [uid["s0"]]).status, 303, "unread")
        assert "\\Seen" not in imap.flags(F, uid["s0"])
        # one field holding a UID set works like checkboxes
        eq(web.post("/mail/selection?" + q(f=F), [("op", "read"), ("uv", uv),
                                                  ("uid", "%d:%d" % (uid["s0"], uid["s1"]))]).status, 303)
        assert "\\Seen" in imap.flags(F, uid["s0"])
    check("selection (%s): read, unread, flag, unflag on chosen UIDs only" % kind, flags_on_a_selection)

    def copy_move_undo():
        r, uv = list_page(web, F)
        r = sel(web, F, uv, "copy", [uid["s0"], uid["s1"]], to="Archive")
        eq(r.status, 200, "copy")
        has(r.text, "Copied 2 messages to Archive.")
        eq(sorted(imap.subjects("Archive").values()), ["s0", "s1"], "copies in Archive")
        eq(len(imap.uid_of(F, "s0")) + len(imap.uid_of(F, "s1")), 2, "originals stay")
        r = sel(web, F, uv, "move", [uid["s2"], uid["s3"]], to="Archive")
        eq(r.status, 200, "move")
        has(r.text, "Moved 2 messages to Archive.")
        eq(imap.uid_of(F, "s2") + imap.uid_of(F, "s3"), [], "gone from the folder")
        eq(sorted(imap.subjects("Archive").values()), ["s0", "s1", "s2", "s3"], "in Archive")
        # the fallback expunged only what it moved
        eq(len(imap.uid_of(F, "marked")), 1, "another \\Deleted message is still there")
        action, fields = hidden_fields(r.text)
        has(r.text, ">Undo</button>")
        r = web.post(action, fields)
        eq(r.status, 200, "undo: " + r.text[:300])
        has(r.text, "2 messages back in " + F)
        eq(sorted(imap.subjects("Archive").values()), ["s0", "s1"], "only the copies stay in Archive")
        eq(len(imap.uid_of(F, "s2")) + len(imap.uid_of(F, "s3")), 2, "back in the folder")
        r = web.post(action, fields)
        eq(r.status, 303, "undo twice: nothing left to move")
        has(web.follow(r).text, "no longer here")
    check("selection (%s): copy, move (fallback keeps others' \\Deleted), undo exactly those"
          % kind, copy_move_undo)

    def delete_restore_junk_empty():
        u4, u5 = imap.uid_of(F, "s4")[0], imap.uid_of(F, "s5")[0]
        r, uv = list_page(web, F)
        r = sel(web, F, uv, "delete", [u4])
        eq(r.status, 200, "delete to Trash")
        has(r.text, "Moved 1 message to Trash.")
        eq(list(imap.subjects("Trash").values()), ["s4"], "in Trash")
        r, tuv = list_page(web, "Trash")
        has(r.text, 'value="restore">Restore</button>')
        has(r.text, "Empty Trash")
        t4 = imap.uid_of("Trash", "s4")[0]
        r = sel(web, "Trash", tuv, "restore", [t4])
        eq(r.status, 200, "restore")
        has(r.text, "1 message back to " + F)
        eq(len(imap.uid_of(F, "s4")), 1, "restored to the folder it came from")
        # restore of something whose origin is unknown: INBOX
        imap.append("Trash", "stranger")
        r, tuv = list_page(web, "Trash")
        eq(sel(web, "Trash", tuv, "restore", imap.uid_of("Trash", "stranger")).status, 200)
        eq(len(imap.uid_of("INBOX", "stranger")), 1, "origin unknown: INBOX")
        r = sel(web, F, uv, "junk", [u5])
        eq(r.status, 200, "junk")
        eq(list(imap.subjects("Junk").values()), ["s5"], "in Junk")
        # delete from Trash: confirm first, then for good
        imap.append("Trash", "t1")
        imap.append("Trash", "t2")
        r, tuv = list_page(web, "Trash")
        t1 = imap.uid_of("Trash", "t1")[0]
        r = sel(web, "Trash", tuv, "delete", [t1])
        eq(r.status, 200, "asks first")
        has(r.text, "Delete 1 message for good?")
        eq(len(imap.uid_of("Trash", "t1")), 1, "not yet")
        action, fields = hidden_fields(r.text)
        r = web.post(action, fields)
        eq(r.status, 303, "confirmed")
        has(web.follow(r).text, "1 message deleted for good.")
        eq(imap.uid_of("Trash", "t1"), [], "gone for good")
        eq(len(imap.uid_of("Trash", "t2")), 1, "the other stays")
        # empty Junk: the confirmation names the count; mail arriving after it stays
        imap.append("Junk", "j2")
        r, juv = list_page(web, "Junk")
        r = web.post("/mail/selection?f=Junk", [("op", "empty"), ("uv", juv)])
        eq(r.status, 200, "empty asks first")
        has(r.text, "All 2 messages in Junk will be deleted for good")
        action, fields = hidden_fields(r.text)
        imap.append("Junk", "late arrival")
        r = web.post(action, fields)
        eq(r.status, 303, "emptied")
        eq(list(imap.subjects("Junk").values()), ["late arrival"], "only what was counted went")
        r, tuv = list_page(web, "Trash")
        r = web.post("/mail/selection?f=Trash", [("op", "empty"), ("uv", tuv)])
        has(r.text, "The 1 message in Trash will be deleted for good")
        action, fields = hidden_fields(r.text)
        eq(web.post(action, fields).status, 303)
        eq(imap.subjects("Trash"), {}, "Trash empty")
        r, uv = list_page(web, F)
        eq(web.post("/mail/selection?" + q(f=F), [("op", "empty"), ("uv", uv)]).status, 400,
           "only Trash and Junk can be emptied")
    check("selection (%s): delete to Trash, restore to origin (else INBOX), junk, delete for good "
          "after confirming, empty Trash and Junk (only what was counted)" % kind,
          delete_restore_junk_empty)
    imap.close()


def csrf_and_double_submit():
    user = new_user()
    imap = Imap(user)
    web = Web(user)
    for i in range(3):
        imap.append("INBOX", "d%d" % i)
    r, uv = list_page(web, "INBOX")
    d0 = imap.uid_of("INBOX", "d0")[0]

    def csrf():
        ends = [("/mail/selection?f=INBOX", [("op", "read"), ("uv", uv), ("uid", str(d0))]),
                ("/mail/folder-action", [("op", "create"), ("name", "CSRF test")]),
                ("/mail/folder-action?f=Archive", [("op", "subscribe")]),
                ("/mail/action?" + q(f="INBOX", uid=d0), [("op", "flag")])]
        for path, fields in ends:
            eq(web.post(path, [("csrf", "A" * 43)] + fields).status, 403, "wrong token " + path)
            eq(web.post(path, fields, token=False).status, 403, "no token " + path)
            eq(web.post(path, fields, origin="https://evil.example").status, 403, "other origin " + path)
            eq(ST.http("GET", path, {"Cookie": web.cookie}).status, 405, "GET " + path)
        assert "\\Seen" not in imap.flags("INBOX", d0) and "\\Flagged" not in imap.flags("INBOX", d0)
        assert "CSRF test" not in imap.folders()
    check("CSRF: every action endpoint refuses a wrong or missing token, another origin, and GET",
          csrf)

    def double_submit():
        before = len(imap.subjects("INBOX"))
        r = sel(web, "INBOX", uv, "delete", [d0])
        eq(r.status, 200, "delete")
        r = sel(web, "INBOX", uv, "delete", [d0])
        eq(r.status, 303, "the same delete again")
        page = web.follow(r)
        has(page.text, "This message is no longer here")
        eq(len(imap.subjects("INBOX")), before - 1, "a second submit deletes nothing else")
        eq(len(imap.subjects("Trash")), 1, "one message in Trash")
    check("double submit of a delete removes one message only", double_submit)
    imap.close()


def concurrency():
    user = new_user()
    imap = Imap(user)
    other = Imap(user)
    web = Web(user)
    for i in range(3):
        imap.append("INBOX", "c%d" % i)
    c = {s: u for u, s in imap.subjects("INBOX").items()}

    def expunged_between():
        r, uv = list_page(web, "INBOX")
        other.m.select("INBOX")
        other.m.uid("STORE", str(c["c0"]), "+FLAGS.SILENT", r"(\Deleted)")
        other.m.expunge()
        r = sel(web, "INBOX", uv, "move", [c["c0"]], to="Archive")
        eq(r.status, 303, "refused kindly")
        page = web.follow(r)
        eq(page.status, 200, "the refreshed list")
        has(page.text, "This message is no longer here")
        hasnt(page.text, 'data-uid="%d"' % c["c0"])
        eq(imap.subjects("Archive"), {}, "nothing moved")
        # a selection with one gone: the others are acted on, the gone one reported
        r = sel(web, "INBOX", uv, "move", [c["c0"], c["c1"]], to="Archive")
        eq(r.status, 200)
        has(r.text, "Moved 1 message to Archive.")
        has(r.text, "One message you chose is no longer here")
        eq(list(imap.subjects("Archive").values()), ["c1"])
        # the message page's own actions
        r = web.post("/mail/action?" + q(f="INBOX", uid=c["c0"]), [("op", "flag"), ("uv", uv)])
        eq(r.status, 303)
        has(web.follow(r).text, "This message is no longer here")
    check("another client expunges a message between page and action: 'no longer here', the "
          "refreshed list, nothing else touched", expunged_between)

    def uidvalidity_changed():
        imap.create("Volatile")
        imap.append("Volatile", "v-old")
        r, uv = list_page(web, "Volatile")
        old_uid = imap.uid_of("Volatile", "v-old")[0]
        imap.m.select("INBOX")
        typ, _ = other.m.delete('"Volatile"')
        eq(typ, "OK", "delete")
        time.sleep(1.1)   # Dovecot's UIDVALIDITY is a timestamp
        other.create("Volatile")
        other.append("Volatile", "v-new")
        new = imap.uid_of("Volatile", "v-new")[0]
        eq(new, old_uid, "the same UID names another message now")
        r = sel(web, "Volatile", uv, "delete", [old_uid])
        eq(r.status, 409, "refused")
        has(r.text, "This folder has changed")
        has(r.text, "Nothing was done")
        eq(list(imap.subjects("Volatile").values()), ["v-new"], "the new message is untouched")
        eq(imap.subjects("Trash"), {}, "nothing in Trash")
        r = web.post("/mail/action?" + q(f="Volatile", uid=old_uid), [("op", "delete"), ("uv", uv)])
        eq(r.status, 409, "the message page's form too")
    check("UIDVALIDITY changes between page and action (folder deleted and made again): refused, "
          "nothing done", uidvalidity_changed)
    imap.close()
    other.close()


def rawlog_bytes(user):
    d = os.path.join(ST.run_dir, "rawlog-" + user.split("@")[0])
    total = 0
    for n in os.listdir(d):
        if n.endswith(".in"):
            total += os.path.getsize(os.path.join(d, n))
    return total


def folders_suite(server, kind):
    user = new_user(server, rawlog=(server == "main"))
    imap = Imap(user, server)
    web = Web(user)
    r = web.get("/mail/folders")

    def create_nested_rename_delete():
        r = web.get("/mail/folders")
        eq(r.status, 200)
        has(r.text, "New folder")
        r = web.post("/mail/folder-action", {"op": "create", "name": "Projekte Ü"})
        eq(r.status, 303, "create: " + r.text[:300])
        has(web.follow(r).text, "Folder created:")
        assert "Projekte Ü" in imap.folders(), imap.folders()
        assert "Projekte Ü" in imap.subscribed(), "subscribed when made"
        r = web.post("/mail/folder-action", {"op": "create", "name": "2026 😀",
                                             "parent": seedlib.mutf7_encode("Projekte Ü")})
        eq(r.status, 303, "nested: " + r.text[:300])
        assert "Projekte Ü/2026 😀" in imap.folders(), imap.folders()
        imap.append("Projekte Ü/2026 😀", "n1")
        imap.append("Projekte Ü/2026 😀", "n2")
        path = "/mail/folder-action?" + q(f=seedlib.mutf7_encode("Projekte Ü/2026 😀"))
        r = web.post(path, {"op": "rename", "name": "Zwanzig"})
        eq(r.status, 303, "rename: " + r.text[:300])
        fs = imap.folders()
        assert "Projekte Ü/Zwanzig" in fs and "Projekte Ü/2026 😀" not in fs, fs
        eq(sorted(imap.subjects("Projekte Ü/Zwanzig").values()), ["n1", "n2"], "mail follows")
        # a parent with children cannot be deleted
        r = web.post("/mail/folder-action?" + q(f=seedlib.mutf7_encode("Projekte Ü")), {"op": "delete"})
        eq(r.status, 400)
        has(r.text, "holds other folders")
        path = "/mail/folder-action?" + q(f=seedlib.mutf7_encode("Projekte Ü/Zwanzig"))
        r = web.post(path, {"op": "delete"})
        eq(r.status, 200, "asks first")
        has(r.text, "All 2 messages in it will be deleted for good")
        assert "Projekte Ü/Zwanzig" in imap.folders()
        action, fields = hidden_fields(r.text)
        imap.append("Projekte Ü/Zwanzig", "n3")      # arrives after the question
        r = web.post(action, fields)
        eq(r.status, 200, "asks again with the new count")
        has(r.text, "All 3 messages")
        action, fields = hidden_fields(r.text)
        r = web.post(action, fields)
        eq(r.status, 303, "deleted")
        assert "Projekte Ü/Zwanzig" not in imap.folders()
    check("folders (%s): create, nested, rename (mail follows), delete after a confirmation "
          "naming the count (asked again if mail arrived)" % kind, create_nested_rename_delete)

    def subscribe():
        imap.create("Quiet")
        path = "/mail/folder-action?" + q(f="Quiet")
        eq(web.post(path, {"op": "subscribe"}).status, 303)
        assert "Quiet" in imap.subscribed()
        eq(web.post(path, {"op": "unsubscribe"}).status, 303)
        assert "Quiet" not in imap.subscribed()
    check("folders (%s): subscribe, unsubscribe" % kind, subscribe)

    def protected():
        for f in ["INBOX", "Trash", "Sent", "Junk", "Drafts", "Archive"]:
            path = "/mail/folder-action?" + q(f=f)
            r = web.post(path, {"op": "rename", "name": "Renamed " + f})
            eq(r.status, 400, "rename " + f)
            has(r.text, "cannot be")
            eq(web.post(path, {"op": "delete", "confirm": "1"}).status, 400, "delete " + f)
        fs = imap.folders()
        for f in ["INBOX", "Trash", "Sent", "Junk", "Drafts", "Archive"]:
            assert f in fs, f
        r = web.get("/mail/folders")
        has(r.text, "(protected)")
    check("folders (%s): INBOX and special-use folders cannot be renamed or deleted" % kind, protected)

    def odd_names():
        with open("/work/shared/corpus/blns/blns.txt", encoding="utf-8", errors="replace") as f:
            lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]
        picked = [ln for ln in lines if len(ln.encode()) <= 60][:400:9]
        made = refused = 0
        existing = set(imap.folders())
        for name in picked:
            if "." in name or name.startswith("~") or name in existing or name.upper() == "INBOX":
                continue    # Dovecot's own Maildir++ rules (see seed_folders.py)
            r = web.post("/mail/folder-action", {"op": "create", "name": name})
            if r.status == 400:
                refused += 1
                continue
            eq(r.status, 303, "create %r: %s" % (name, r.text[:200]))
            made += 1
            existing.add(name)
            assert name in imap.folders(), "listed exactly as typed: %r" % name
        assert made >= 10 and refused >= 1, (made, refused)
    check("folders (%s): odd names from the naughty-strings corpus are made and listed exactly, "
          "or refused with a reason" % kind, odd_names)

    def refused_before_upstream():
        bad = [("A\r\nB", "line break"), ("A\nx", "line break"), ("x\x00y", "NUL"),
               ("Brace {5}", "braces"), ("x{12+}", "braces"),
               ("", "Type a name"), (" pad", "space"), ("x" * 201, "too long"), ("tab\there", "control"),
               ("*", "wildcards"),
               # these two need the server's separator and folder list first
               ("a/b", "separates"), ("INBOX", "INBOX")]
        web.get("/mail/folders")
        before = rawlog_bytes(user) if server == "main" else None
        for name, why in bad[:-2]:
            r = web.post("/mail/folder-action", {"op": "create", "name": name})
            eq(r.status, 400, "refused %r" % name)
            has(r.text, why)
            r = web.post("/mail/folder-action?f=Quiet", {"op": "rename", "name": name})
            eq(r.status, 400, "rename refused %r" % name)
        if server == "main":
            eq(rawlog_bytes(user), before, "not one byte went to the mail server")
        for name, why in bad[-2:]:
            r = web.post("/mail/folder-action", {"op": "create", "name": name})
            eq(r.status, 400, "refused %r" % name)
            has(r.text, why)
        if server == "main":
            # the measurement works: an accepted name does reach the server
            eq(web.post("/mail/folder-action", {"op": "create", "name": "Fine"}).status, 303)
            assert rawlog_bytes(user) > before
        fs = imap.folders()
        assert not any(re.search(r"\{\d+\+?\}", f) or "\n" in f or "/b" in f for f in fs), fs
    check("folders (%s): CR/LF, NUL, {5}, the separator and other bad names refused with a clear "
          "sentence%s" % (kind, ", before any upstream byte (Dovecot rawlog)" if server == "main" else ""),
          refused_before_upstream)
    imap.close()


def main():
    global ST
    ST = Stack(port=int(os.environ.get("ACT_PORT", "18700")),
               mail_base=int(os.environ.get("ACT_MAIL_BASE", "32000")))
    text = CONF.format(group=nginx_group(), imaps=ST.mail_base + 993, b_imaps=ST.mail_base + 201,
                       run_dir=ST.run_dir)
    if not ST.start_or_report(text, "stack starts"):
        return 1
    try:
        make_users()
        selection_suite("main", "main Dovecot, MOVE")
        selection_suite("branch", "branch Dovecot, COPY + UID EXPUNGE")
        csrf_and_double_submit()
        concurrency()
        folders_suite("main", "main Dovecot")
        folders_suite("branch", "branch Dovecot")
        log = ST.log()
        bad = [ln for ln in log.splitlines() if "runtime error" in ln or "AddressSanitizer" in ln
               or "worker died" in ln]
        if bad:
            print("not ok - postern's log is clean")
            for ln in bad[:20]:
                print("#   " + ln)
            RESULTS["fail"] += 1
        else:
            print("ok - postern's log is clean")
    finally:
        ST.stop(keep=RESULTS["fail"] > 0)
    print("# %d passed, %d failed" % (RESULTS["pass"], RESULTS["fail"]))
    return 0 if RESULTS["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
