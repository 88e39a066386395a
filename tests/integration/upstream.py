#!/usr/bin/env python3
"""Upstream-connection suite: runs build/tests/it_upstream (src/tls +
src/upstream) against

  - the real stack (scripts/stack.sh: Dovecot IMAP/POP3/submission with the
    test CA), plus a user with a 200-character passphrase added to it;
  - openssl s_server with a self-signed, an expired, a wrong-host and a
    good certificate (the good one for "unknown CA" and name checks), and a
    TLS 1.1-only one; they print whatever a client sends after a handshake;
  - tests/integration/fake_servers.py for STARTTLS stripping, injection,
    PREAUTH, silence, dripping, garbage and the plaintext literal checks.

Prints the C test's TAP lines and its own checks ("ok - ..."/"not ok -
..."), above all that no credential reached any server that should have
been refused. Everything it starts is stopped by PID at the end.

    tests/integration/upstream.py [--valgrind] [--keep]

Environment: BUILD (default build; build/san for SANITIZE builds),
UPSTREAM_PORT (18200), UPSTREAM_MAIL_BASE (23000), UPSTREAM_AUX_BASE
(24100: s_servers there, fakes from +100).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(REPO, BUILD, "tests", "it_upstream")
POSTERN = os.path.join(REPO, BUILD, "postern")
HTTP_PORT = int(os.environ.get("UPSTREAM_PORT", "18200"))
MAIL_BASE = int(os.environ.get("UPSTREAM_MAIL_BASE", "23000"))
AUX_BASE = int(os.environ.get("UPSTREAM_AUX_BASE", "24100"))

PHRASE_USER = "phrase@example.test"
# 200 characters: spaces, double and single quotes, backslashes, UTF-8
# (2-, 3- and 4-byte sequences); no leading or trailing space.
_PIECE = 'Grüße "Wörter" \\ und \'Zitate\' — naïve café ☃ 日本語 🙂 back\\\\slash '
PHRASE = ("x" + _PIECE * 4)[:199] + "!"
assert len(PHRASE) == 200

# what must never appear in what a refused server received
CREDENTIAL_MARKS = ["wonderland", "alice@", "LOGIN", "AUTHENTICATE", "USER ", "PASS ",
                    "AUTH ", PHRASE[:20]]

FAILED = []


def report(ok, name, detail=None):
    print(("ok - " if ok else "not ok - ") + "upstream: " + name, flush=True)
    if not ok:
        FAILED.append(name)
        for line in (detail or "").splitlines()[-20:]:
            print("#   " + line)


class Procs:
    """Processes this script started; stopped by PID, never by name."""

    def __init__(self):
        self.procs = []

    def start(self, name, argv, logfile):
        log = open(logfile, "wb")
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        log.close()
        self.procs.append((name, p))
        return p

    def stop(self):
        for _, p in self.procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.time() + 5
        for _, p in self.procs:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdin:
                p.stdin.close()


def wait_port(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def free_port(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return False
    except OSError:
        return True


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v.strip("'")
    return env


def build_binary():
    if os.path.exists(BIN) and os.access(BIN, os.X_OK):
        return True
    args = ["make", "-C", REPO, os.path.relpath(BIN, REPO)]
    if BUILD.startswith("build/san"):
        args.insert(1, "SANITIZE=" + os.environ.get("SANITIZE", "address,undefined"))
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    report(r.returncode == 0, "it_upstream builds", r.stdout)
    return r.returncode == 0


def add_phrase_user(stack):
    """A passwd-file line for PHRASE_USER (Dovecot re-reads the file)."""
    conf = os.path.join(stack["RUN_DIR"], "dovecot", "dovecot.conf")
    r = subprocess.run(["doveadm", "-c", conf, "pw", "-s", "SHA512-CRYPT", "-p", PHRASE],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        report(False, "passphrase user added", r.stderr)
        return
    users = os.path.join(stack["RUN_DIR"], "dovecot", "users")
    with open(users, "a") as f:
        f.write("%s:%s::::::\n" % (PHRASE_USER, r.stdout.strip()))
    time.sleep(1.1)   # a later mtime than the original, whole seconds
    os.utime(users)
    report(True, "passphrase user added to the stack")


def start_s_servers(procs, ca, logdir):
    """openssl s_server per bad certificate; name -> (port, log)."""
    servers = {
        "EVIL": ["-cert", ca + "/evil.pem", "-key", ca + "/evil.key"],
        "EXPIRED": ["-cert", ca + "/expired.pem", "-key", ca + "/expired.key"],
        "OTHER": ["-cert", ca + "/other.pem", "-key", ca + "/other.key"],
        "GOOD": ["-cert", ca + "/server.pem", "-key", ca + "/server.key"],
        "TLS11": ["-cert", ca + "/server.pem", "-key", ca + "/server.key", "-tls1_1",
                  "-cipher", "DEFAULT@SECLEVEL=0"],
    }
    out = {}
    for i, (name, args) in enumerate(servers.items()):
        port = AUX_BASE + i
        log = os.path.join(logdir, "s_server-%s.log" % name.lower())
        procs.start("s_server " + name, ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port]
                    + args, log)
        out[name] = (port, log)
    for name, (port, _) in out.items():
        if not wait_port(port):
            report(False, "s_server %s listens on %d" % (name, port))
    return out


def start_fakes(procs, logdir):
    base = AUX_BASE + 100
    log = os.path.join(logdir, "fake_servers.out")
    p = procs.start("fake_servers", [sys.executable, os.path.join(REPO, "tests", "integration",
                                                                  "fake_servers.py"),
                                     "--base", str(base), "--logdir", logdir,
                                     "--user", "alice@example.test", "--password", PHRASE], log)
    end = time.time() + 10
    while time.time() < end and p.poll() is None:
        with open(log) as f:
            for line in f:
                if line.startswith("READY "):
                    return json.loads(line[6:])
        time.sleep(0.05)
    report(False, "fake servers start", open(log).read())
    return None


def run_c_test(env, valgrind):
    argv = [BIN]
    if valgrind:
        argv = ["valgrind", "-q", "--leak-check=full", "--error-exitcode=1",
                "--errors-for-leak-kinds=definite,possible"] + argv
    t0 = time.time()
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace", timeout=600)
    for line in r.stdout.splitlines():
        if line.startswith(("ok ", "not ok ", "#", "1..")):
            print(line)
        else:
            print("# " + line)
    tap_fail = [ln for ln in r.stdout.splitlines() if ln.startswith("not ok")]
    report(r.returncode == 0 and not tap_fail,
           "it_upstream%s exits cleanly (%.1f s)" % (" under valgrind" if valgrind else "",
                                                      time.time() - t0),
           "exit status %d" % r.returncode)


def log_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def leaked(text):
    return [m for m in CREDENTIAL_MARKS if m in text]


def check_logs(ssl, fake_logdir):
    for name, (port, log) in ssl.items():
        text = log_text(log)
        bad = leaked(text)
        refused = "SSL alert number" in text or "unsupported protocol" in text
        report(refused and not bad, "s_server %s (port %d): handshake refused by postern, "
               "no credential received" % (name.lower(), port),
               "found %r in %s" % (bad, log) if bad else "no refused handshake in " + log)
    silent_modes = ["imap-nostarttls", "imap-starttls-no", "imap-inject", "imap-preauth",
                    "pop3-nostls", "pop3-stls-err", "pop3-inject", "smtp-nostarttls",
                    "smtp-starttls-err", "smtp-inject", "silent", "drip", "garbage",
                    "imap-eof-literal", "imap-flood"]
    for mode in silent_modes:
        text = log_text(os.path.join(fake_logdir, mode + ".log"))
        bad = leaked(text)
        n = text.count("CONNECT")
        report(n > 0 and not bad, "fake %s: %d connection(s), no credential sent" % (mode, n),
               "found %r" % bad if bad else "never connected")
    sink = log_text(os.path.join(fake_logdir, "sink.log"))
    report("CONNECT" not in sink, "refused input and plaintext: the sink saw no connection",
           sink)
    plain = log_text(os.path.join(fake_logdir, "imap-plain.log"))
    report("CREDS-OK" in plain and "LITERAL sync" in plain and "LITERAL+" not in plain,
           "fake imap-plain got the passphrase byte for byte as synchronizing literals", plain)
    auth = log_text(os.path.join(fake_logdir, "imap-plain-auth.log"))
    report("CREDS-OK" in auth, "fake imap-plain-auth got AUTHENTICATE PLAIN right", auth)
    for mode, what in (("pop3-plain-sasl", "POP3 AUTH PLAIN"),
                       ("smtp-plain-login", "SMTP AUTH LOGIN")):
        text = log_text(os.path.join(fake_logdir, mode + ".log"))
        report("CREDS-OK" in text, "fake %s got the passphrase right by %s" % (mode, what), text)


def resolve_deadline_test(run_dir):
    """Name resolution obeys the deadline: it_resolve runs in a private
    mount namespace whose resolv.conf names a DNS server that reads
    queries and never answers (the system resolver would wait 5 s per
    try)."""
    import threading
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        hole.bind(("127.0.0.77", 53))
    except OSError as e:
        report(False, "black-hole DNS server on 127.0.0.77:53", str(e))
        return
    hole.settimeout(0.2)
    queries = []
    stop = threading.Event()

    def swallow():
        while not stop.is_set():
            try:
                queries.append(hole.recvfrom(512)[0])
            except socket.timeout:
                pass
    t = threading.Thread(target=swallow, daemon=True)
    t.start()
    conf = os.path.join(run_dir, "resolv.conf")
    with open(conf, "w") as f:
        f.write("nameserver 127.0.0.77\n")
    binary = os.path.join(REPO, BUILD, "tests", "it_resolve")
    try:
        r = subprocess.run(["unshare", "-m", "sh", "-c",
                            'mount --bind "$0" /etc/resolv.conf && exec "$1" nosuch.example.test 1500',
                            conf, binary], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
    finally:
        stop.set()
        t.join()
        hole.close()
    out = r.stdout.strip()
    report(r.returncode == 0 and out.startswith("ok - ") and len(queries) > 0,
           "name resolution gives up at the deadline (DNS server silent, %d queries)" % len(queries),
           out or "no output (unshare/mount needs root)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--valgrind", action="store_true", help="run the C test under valgrind")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if not build_binary():
        return 1
    postern = POSTERN if os.access(POSTERN, os.X_OK) else os.path.join(REPO, "build", "postern")
    run_dir = tempfile.mkdtemp(prefix="postern-upstream-")
    os.chmod(run_dir, 0o755)
    logdir = os.path.join(run_dir, "upstream")
    os.makedirs(logdir)
    senv = dict(os.environ, RUN_DIR=run_dir, PORT=str(HTTP_PORT),
                MAIL_PORT_BASE=str(MAIL_BASE), POSTERN_BIN=postern)
    stack_sh = os.path.join(REPO, "scripts", "stack.sh")
    procs = Procs()
    t0 = time.time()
    try:
        r = subprocess.run([stack_sh, "start"], env=senv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=180)
        report(r.returncode == 0, "stack starts (%.1f s)" % (time.time() - t0), r.stdout)
        if r.returncode != 0:
            return 1
        stack = read_env(os.path.join(run_dir, "stack.env"))
        add_phrase_user(stack)
        ssl = start_s_servers(procs, os.path.join(run_dir, "ca"), logdir)
        fakes = start_fakes(procs, logdir)
        if fakes is None:
            return 1
        closed = AUX_BASE + 99
        report(free_port(closed), "port %d is closed (for the refused-connection test)" % closed)
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", IT_CA_FILE=stack["CA_FILE"],
                   IT_IMAP_PORT=stack["IMAP_PORT"], IT_IMAPS_PORT=stack["IMAPS_PORT"],
                   IT_POP3_PORT=stack["POP3_PORT"], IT_POP3S_PORT=stack["POP3S_PORT"],
                   IT_SUBMISSION_PORT=stack["SUBMISSION_PORT"],
                   IT_SUBMISSIONS_PORT=stack["SUBMISSIONS_PORT"],
                   IT_PHRASE_USER=PHRASE_USER, IT_PHRASE=PHRASE, IT_CLOSED_PORT=str(closed))
        for name, (port, _) in ssl.items():
            env["IT_SSL_%s_PORT" % name] = str(port)
        for mode, port in fakes.items():
            env["IT_FAKE_" + mode.upper().replace("-", "_")] = str(port)
        if args.valgrind:
            env.update(IT_TIMEOUT_MS="15000", IT_SLACK_MS="3000")
        run_c_test(env, args.valgrind)
        check_logs(ssl, logdir)
        resolve_deadline_test(run_dir)
    finally:
        procs.stop()
        subprocess.run([stack_sh, "stop"], env=senv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        if args.keep or FAILED:
            print("# logs kept in " + run_dir)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    print("# upstream suite: %.1f s, %d failed" % (time.time() - t0, len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
