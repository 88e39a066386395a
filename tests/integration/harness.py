"""Test harness: starts the real stack (scripts/stack.sh, the same script
`make run` uses) on test ports in a throwaway directory, and gives tests
helpers to talk HTTP through nginx and FastCGI straight to postern.

Output is TAP-like ("ok - name" / "not ok - name") for tests/run.sh."""
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
POSTERN = os.path.join(REPO, BUILD, "postern")


class Stack:
    def __init__(self, port=18080, mail_base=20000):
        self.port = port
        self.mail_base = mail_base
        self.run_dir = tempfile.mkdtemp(prefix="postern-it-")
        os.chmod(self.run_dir, 0o755)   # nginx's workers (www-data) reach the sockets
        self.conf = os.path.join(self.run_dir, "postern-test.conf")
        self.env = dict(os.environ, RUN_DIR=self.run_dir, PORT=str(port),
                        MAIL_PORT_BASE=str(mail_base), POSTERN_BIN=POSTERN,
                        POSTERN_CONF=self.conf)

    @property
    def sock_dir(self):
        return os.path.join(self.run_dir, "sock")

    def worker_socket(self, i=0):
        return os.path.join(self.sock_dir, "worker-%d.sock" % i)

    def start(self, conf_text):
        self.write_conf(conf_text)
        r = subprocess.run([os.path.join(REPO, "scripts", "stack.sh"), "start"], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError("stack.sh start failed:\n" + r.stdout)

    def start_or_report(self, conf_text, what="stack starts"):
        """start() printing "ok - WHAT" or "not ok - WHAT" with the reason
        (and keeping the run directory to look at); True if it started."""
        try:
            self.start(conf_text)
        except Exception as e:   # noqa: BLE001 - the reason is the report
            print("not ok - " + what)
            for line in str(e).splitlines():
                print("#   " + line)
            self.stop(keep=True)
            return False
        print("ok - " + what)
        return True

    def stop(self, keep=False):
        subprocess.run([os.path.join(REPO, "scripts", "stack.sh"), "stop"], env=self.env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if not keep:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def write_conf(self, text):
        text = text.replace("@SOCK@", self.sock_dir).replace("@TEMPLATES@", os.path.join(REPO, "templates"))
        with open(self.conf, "w") as f:
            f.write(text)

    def postern_pid(self):
        with open(os.path.join(self.run_dir, "pids", "postern.pid")) as f:
            return int(f.read().strip())

    def log(self):
        try:
            with open(os.path.join(self.run_dir, "logs", "postern.log")) as f:
                return f.read()
        except OSError:
            return ""

    def reload(self, conf_text):
        """Rewrites the config, sends SIGHUP, waits for the new generation."""
        before = self.log().count("msg=\"reloaded\"")
        refused_before = self.log().count("reload refused")
        self.write_conf(conf_text)
        os.kill(self.postern_pid(), signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline:
            log = self.log()
            if log.count("msg=\"reloaded\"") > before:
                time.sleep(0.3)   # old workers drain; new ones are already accepting
                return True
            if log.count("reload refused") > refused_before:
                return False
            time.sleep(0.05)
        raise RuntimeError("postern did not reload")

    def http(self, method, path, headers=None, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        r.text = data.decode("utf-8", "replace")
        return r


def nginx_group():
    """The group nginx's workers run as (they must reach the sockets)."""
    import grp
    for g in ("www-data", "nogroup"):
        try:
            grp.getgrnam(g)
            return g
        except KeyError:
            pass
    return "root"


def cookie_of(r):
    """The session cookie a response sets, as "name=value", or None."""
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and v.startswith("postern="):
            return v.split(";")[0]
    return None


RESULTS = {"pass": 0, "fail": 0}


def check(name, fn):
    try:
        fn()
        print("ok - " + name, flush=True)
        RESULTS["pass"] += 1
    except Exception:
        print("not ok - " + name, flush=True)
        for line in traceback.format_exc().splitlines():
            print("#   " + line, flush=True)
        RESULTS["fail"] += 1


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def has(text, needle, what=""):
    if needle not in text:
        raise AssertionError("%s: %r not found in %r" % (what, needle, text[:3000]))


def hasnt(text, needle, what=""):
    if needle in text:
        raise AssertionError("%s: %r unexpectedly found" % (what, needle))


def sections(html):
    """The (side, proto) pairs of the settings tables on a page."""
    return re.findall(r'<section class="proto" data-proto="(\w+)" data-side="(\w+)"', html)
