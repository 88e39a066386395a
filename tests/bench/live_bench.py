#!/usr/bin/env python3
"""make bench, issue 5: live updates.

1. Delivery to browser: a message delivered over LMTP until postern's
   event stream says so (what a browser's EventSource gets), 50 times;
   beside it the floor, the same delivery seen by a bare IMAP client
   idling on its own TLS connection (the server's own notification delay),
   interleaved in the same run.
2. An idle signed-in tab: N streams held open with nothing arriving for
   IDLE_SECONDS; the postern workers' RSS and CPU time (utime+stime from
   /proc) before and after, per tab; and the Dovecot imap processes that
   serve them (one per IDLE connection), since that is the mail server's
   share of the same tab.

Usage: live_bench.py PORT LMTP_PORT IMAPS_PORT CA_FILE RUN_DIR
Prints "live ..." lines for tests/bench/run.sh to show."""
import os
import re
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import sse  # noqa: E402

PORT, LMTP, IMAPS, CA, RUN_DIR = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "50"))
TABS = int(os.environ.get("BENCH_LIVE_TABS", "100"))
IDLE_SECONDS = int(os.environ.get("BENCH_IDLE_SECONDS", "60"))
USER = "alice@example.test"


def sign_in(user):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request("POST", "/login", "user=%s&password=wonderland" % urllib.parse.quote(user),
              {"Content-Type": "application/x-www-form-urlencoded",
               "Origin": "http://127.0.0.1:%d" % PORT})
    r = c.getresponse()
    r.read()
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and v.startswith("postern="):
            return v.split(";")[0]
    raise SystemExit("sign-in failed: %d" % r.status)


def deliver(to, n):
    lm = smtplib.LMTP("127.0.0.1", LMTP, timeout=10)
    lm.sendmail("bench@example.org", [to], ("From: bench@example.org\r\nTo: %s\r\nSubject: bench %d\r\n\r\n"
                                            "x\r\n" % (to, n)).encode())
    lm.quit()


class BareIdle:
    """The floor: a TLS IMAP connection in IDLE, reading raw lines."""

    def __init__(self):
        ctx = ssl.create_default_context(cafile=CA)
        ctx.check_hostname = False
        self.s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", IMAPS)))
        self.f = self.s.makefile("rb")
        self.f.readline()
        self.cmd(b"a LOGIN %s wonderland" % USER.encode(), b"a ")
        self.cmd(b"b SELECT INBOX", b"b ")
        self.s.sendall(b"c IDLE\r\n")
        while not self.f.readline().startswith(b"+"):
            pass

    def cmd(self, line, tag):
        self.s.sendall(line + b"\r\n")
        while not self.f.readline().startswith(tag):
            pass

    def wait_exists(self):
        while True:
            line = self.f.readline()
            if not line:
                raise SystemExit("bare IDLE connection closed")
            if re.match(rb"\* \d+ EXISTS", line):
                return

    def close(self):
        self.s.sendall(b"DONE\r\n")
        self.s.close()


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * len(v))) - 1)]


def workers():
    with open(os.path.join(RUN_DIR, "pids", "postern.pid")) as f:
        master = f.read().strip()
    out = subprocess.run(["pgrep", "-P", master], stdout=subprocess.PIPE, text=True).stdout
    return [int(p) for p in out.split()]


def rss_kb(pids):
    total = 0
    for p in pids:
        with open("/proc/%d/status" % p) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cpu_ticks(pids):
    total = 0
    for p in pids:
        with open("/proc/%d/stat" % p) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])   # utime, stime
    return total


def pss_kb(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def dovecot_imap_rss_kb():
    """Count and PSS (shared pages shared out) of the main Dovecot's imap
    processes (one per connection; the instance is named after the stack's
    port base)."""
    title = "dovecot-postern-%d/imap" % (IMAPS - 993)
    out = subprocess.run(["pgrep", "-af", "^" + title + "$"], stdout=subprocess.PIPE, text=True).stdout
    n, total = 0, 0
    for line in out.splitlines():
        try:
            total += pss_kb(int(line.split()[0]))
            n += 1
        except OSError:
            pass
    return n, total


def main():
    cookie = sign_in(USER)
    ev = sse.Events(PORT, cookie)
    ev.next("hello")
    bare = BareIdle()
    ours, floor = [], []
    for i in range(ROUNDS):
        # both watch the same delivery, each timed by its own thread
        got = {}
        th = threading.Thread(target=lambda: (bare.wait_exists(), got.__setitem__("floor", time.perf_counter())))
        th.start()
        t0 = time.perf_counter()
        deliver(USER, i)
        ev.next("mailbox", timeout=10)
        ours.append((time.perf_counter() - t0) * 1000)
        th.join(10)
        floor.append((got["floor"] - t0) * 1000)
    bare.close()
    ev.close()
    print("live delivery_to_event n=%d median=%.1f p99=%.1f floor_median=%.1f floor_p99=%.1f" % (
        ROUNDS, statistics.median(ours), pct(ours, 99), statistics.median(floor), pct(floor, 99)))

    # an idle signed-in tab
    pids = workers()
    cookies = [sign_in(USER) for _ in range(max(1, TABS // 20))]
    time.sleep(1)
    rss0 = rss_kb(pids)
    dn0, drss0 = dovecot_imap_rss_kb()
    tabs = [sse.Events(PORT, cookies[i % len(cookies)]) for i in range(TABS)]
    opened = sum(1 for t in tabs if t.status == 200)
    for t in tabs:
        if t.status == 200:
            t.next("hello")
    time.sleep(1)
    rss1 = rss_kb(pids)
    dn1, drss1 = dovecot_imap_rss_kb()
    cpu0, w0 = cpu_ticks(pids), time.time()
    time.sleep(IDLE_SECONDS)
    cpu1, w1 = cpu_ticks(pids), time.time()
    hz = os.sysconf("SC_CLK_TCK")
    cpu_ms_per_min = (cpu1 - cpu0) * 1000.0 / hz * 60.0 / (w1 - w0)
    for t in tabs:
        t.close()
    print("live idle_tab tabs=%d seconds=%d postern_rss_kb_per_tab=%.1f postern_cpu_ms_per_min_per_tab=%.3f "
          "postern_cpu_ms_per_min_all=%.1f dovecot_procs=%d dovecot_pss_kb_per_tab=%.1f" % (
              opened, IDLE_SECONDS, (rss1 - rss0) / max(1, opened), cpu_ms_per_min / max(1, opened),
              cpu_ms_per_min, dn1 - dn0, (drss1 - drss0) / max(1, dn1 - dn0)))


if __name__ == "__main__":
    main()
