#!/usr/bin/env python3
"""Scripted fake IMAP/POP3/SMTP servers for the misbehaviours a real
server does not show: STARTTLS missing, refused, or followed by injected
bytes; PREAUTH in clear; never greeting; dripping a byte a second;
garbage; a literal cut off by EOF; a line that never ends. Plus plaintext
servers that check the credentials byte for byte (IMAP LOGIN with
synchronizing literals, IMAP AUTHENTICATE PLAIN, POP3 AUTH PLAIN, SMTP
AUTH LOGIN), and a sink that must never see a connection.

Every mode listens on 127.0.0.1:BASE+i (MODES order) and appends what the
client sent, one repr() per line, to LOGDIR/MODE.log ("CONNECT" per
connection). Prints "READY {json mode->port}" once all listen.

    fake_servers.py --base PORT --logdir DIR --user U --password P
"""
import argparse
import base64
import json
import os
import re
import socketserver
import sys
import threading
import time

MODES = [
    "imap-nostarttls", "imap-starttls-no", "imap-inject", "imap-preauth",
    "pop3-nostls", "pop3-stls-err", "pop3-inject",
    "smtp-nostarttls", "smtp-starttls-err", "smtp-inject",
    "silent", "drip", "garbage", "sink",
    "imap-plain", "imap-plain-auth", "pop3-plain-sasl", "smtp-plain-login",
    "imap-eof-literal", "imap-flood",
]

ARGS = None
LOCK = threading.Lock()


def log(mode, what):
    with LOCK, open(os.path.join(ARGS.logdir, mode + ".log"), "a") as f:
        f.write(what + "\n")


def tokenize(seg):
    """Atoms and quoted strings of one IMAP line segment, as bytes."""
    out, i = [], 0
    while i < len(seg):
        c = seg[i:i + 1]
        if c == b" ":
            i += 1
        elif c == b'"':
            j, buf = i + 1, b""
            while j < len(seg) and seg[j:j + 1] != b'"':
                if seg[j:j + 1] == b"\\":
                    j += 1
                buf += seg[j:j + 1]
                j += 1
            out.append(buf)
            i = j + 1
        else:
            j = seg.find(b" ", i)
            j = len(seg) if j < 0 else j
            out.append(seg[i:j])
            i = j
    return out


class Handler(socketserver.StreamRequestHandler):
    timeout = 20

    def setup(self):
        super().setup()
        self.mode = self.server.mode
        log(self.mode, "CONNECT")

    def w(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def line(self):
        ln = self.rfile.readline(65536)
        if ln:
            log(self.mode, repr(ln))
        return ln

    def handle(self):
        try:
            getattr(self, "do_" + self.mode.split("-")[0])()
        except (OSError, ValueError):
            pass

    # --- IMAP
    def imap_command(self):
        """Tokens of one command, literals (synchronizing or +) resolved."""
        tokens = []
        ln = self.line()
        while ln:
            m = re.search(rb"\{(\d+)(\+?)\}\r\n$", ln)
            tokens += tokenize(ln[:m.start()] if m else ln.rstrip(b"\r\n"))
            if not m:
                return tokens
            if not m.group(2):
                self.w(b"+ go ahead\r\n")
            lit = self.rfile.read(int(m.group(1)))
            log(self.mode, ("LITERAL+ " if m.group(2) else "LITERAL sync ") + repr(lit))
            tokens.append(lit)
            ln = self.line()
        return None

    def creds_ok(self, user, password):
        ok = user == ARGS.user.encode() and password == ARGS.password.encode()
        log(self.mode, "CREDS-OK" if ok else "CREDS-BAD user=%r" % user)
        return ok

    def do_imap(self):
        if self.mode == "imap-eof-literal":
            # a literal cut off by EOF: libetpan alone spins at 100 % CPU
            self.w(b"* OK fake IMAP ready\r\n")
            self.line()
            return self.w(b"* 1 FETCH (BODY[] {100000}\r\nonly this much")
        if self.mode == "imap-flood":
            # a line that never ends: the byte budget must stop it
            self.w(b"* OK " + b"A" * (1 << 20))
            return self.do_silent()
        caps = {
            "imap-nostarttls": b"IMAP4rev1 AUTH=PLAIN",
            "imap-plain": b"IMAP4rev1 AUTH=PLAIN",
            "imap-plain-auth": b"IMAP4rev1 LOGINDISABLED AUTH=PLAIN",
        }.get(self.mode, b"IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN")
        if self.mode == "imap-preauth":
            self.w(b"* PREAUTH [CAPABILITY " + caps + b"] welcome, no login needed\r\n")
        else:
            self.w(b"* OK [CAPABILITY " + caps + b"] fake IMAP ready\r\n")
        while True:
            t = self.imap_command()
            if not t:
                return
            tag, cmd = t[0], (t[1].upper() if len(t) > 1 else b"")
            if cmd == b"CAPABILITY":
                self.w(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
            elif cmd == b"STARTTLS":
                if self.mode == "imap-starttls-no":
                    self.w(tag + b" NO TLS is not available now\r\n")
                elif self.mode == "imap-inject":
                    self.w(tag + b" OK Begin TLS negotiation now\r\n"
                           b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
                else:
                    self.w(tag + b" BAD unknown command\r\n")
            elif cmd == b"LOGIN" and len(t) == 4:
                if self.mode == "imap-plain-auth":
                    self.w(tag + b" NO LOGIN is disabled\r\n")
                elif t[2] == b"disabled@example.test":
                    self.w(tag + b" NO [AUTHORIZATIONFAILED] This account is disabled\r\n")
                elif self.creds_ok(t[2], t[3]) or self.mode != "imap-plain":
                    self.w(tag + b" OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n")
                else:
                    self.w(tag + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
            elif cmd == b"AUTHENTICATE":
                self.w(b"+ \r\n")
                ln = self.line()
                try:
                    _, user, password = base64.b64decode(ln.strip()).split(b"\0")
                except ValueError:
                    user = password = b""
                if self.creds_ok(user, password):
                    self.w(tag + b" OK Logged in\r\n")
                else:
                    self.w(tag + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
            elif cmd == b"LOGOUT":
                self.w(b"* BYE bye\r\n" + tag + b" OK Logout completed\r\n")
                return
            else:
                self.w(tag + b" BAD unknown command\r\n")

    def sasl_plain(self, line):
        """user, password of a SASL PLAIN response (authzid may be given)."""
        try:
            parts = base64.b64decode(line.strip(), validate=True).split(b"\0")
            return (parts[1], parts[2]) if len(parts) == 3 else (b"", b"")
        except ValueError:
            return b"", b""

    # --- POP3
    def do_pop3(self):
        self.w(b"+OK fake POP3 ready\r\n")
        if self.mode == "pop3-plain-sasl":
            return self.pop3_sasl_only()
        stls = b"" if self.mode == "pop3-nostls" else b"STLS\r\n"
        while True:
            ln = self.line()
            if not ln:
                return
            cmd = ln.split(b" ")[0].strip().upper()
            if cmd == b"CAPA":
                self.w(b"+OK\r\nUSER\r\n" + stls + b"SASL PLAIN\r\n.\r\n")
            elif cmd == b"STLS":
                if self.mode == "pop3-inject":
                    self.w(b"+OK Begin TLS\r\n+OK injected\r\n")
                else:
                    self.w(b"-ERR TLS is not available\r\n")
            elif cmd == b"QUIT":
                self.w(b"+OK bye\r\n")
                return
            else:
                self.w(b"+OK\r\n")

    def pop3_sasl_only(self):
        """CAPA without USER: the client must use AUTH PLAIN."""
        while True:
            ln = self.line()
            cmd = ln.split(b" ")[0].strip().upper()
            if not ln or cmd == b"QUIT":
                return self.w(b"+OK bye\r\n") if ln else None
            if cmd == b"CAPA":
                self.w(b"+OK\r\nSASL PLAIN\r\n.\r\n")
            elif ln.strip().upper() == b"AUTH PLAIN":
                self.w(b"+ \r\n")
                if self.creds_ok(*self.sasl_plain(self.line())):
                    self.w(b"+OK logged in\r\n")
                else:
                    self.w(b"-ERR [AUTH] Authentication failed.\r\n")
            else:
                self.w(b"-ERR not now\r\n")

    def smtp_login_only(self):
        """EHLO offers only AUTH LOGIN."""
        while True:
            ln = self.line()
            cmd = ln.split(b" ")[0].strip().upper()
            if not ln or cmd == b"QUIT":
                return self.w(b"221 bye\r\n") if ln else None
            if cmd == b"EHLO":
                self.w(b"250-fake\r\n250 AUTH LOGIN\r\n")
            elif ln.strip().upper() == b"AUTH LOGIN":
                self.w(b"334 VXNlcm5hbWU6\r\n")
                user = base64.b64decode(self.line().strip())
                self.w(b"334 UGFzc3dvcmQ6\r\n")
                password = base64.b64decode(self.line().strip())
                if self.creds_ok(user, password):
                    self.w(b"235 2.7.0 Authentication successful\r\n")
                else:
                    self.w(b"535 5.7.8 Authentication failed\r\n")
            else:
                self.w(b"502 not now\r\n")

    # --- SMTP
    def do_smtp(self):
        self.w(b"220 fake ESMTP ready\r\n")
        if self.mode == "smtp-plain-login":
            return self.smtp_login_only()
        tls = b"" if self.mode == "smtp-nostarttls" else b"250-STARTTLS\r\n"
        while True:
            ln = self.line()
            if not ln:
                return
            cmd = ln.split(b" ")[0].strip().upper()
            if cmd == b"EHLO":
                self.w(b"250-fake\r\n250-PIPELINING\r\n" + tls + b"250 AUTH PLAIN LOGIN\r\n")
            elif cmd == b"STARTTLS":
                if self.mode == "smtp-inject":
                    self.w(b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n")
                else:
                    self.w(b"454 4.7.0 TLS not available\r\n")
            elif cmd == b"AUTH":
                self.w(b"334 \r\n")
            elif cmd == b"QUIT":
                self.w(b"221 bye\r\n")
                return
            else:
                self.w(b"250 ok\r\n")

    # --- the rest
    def do_silent(self):
        while self.line():
            pass

    do_sink = do_silent

    def do_drip(self):
        for b in b"* OK fake slow server ready\r\n":
            self.w(bytes([b]))
            time.sleep(1)
        self.do_silent()

    def do_garbage(self):
        self.w(b"HTTP/1.0 400 Bad Request\r\n\r\n<html>not a mail server</html>\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--base", type=int, required=True)
    p.add_argument("--logdir", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    ARGS = p.parse_args()
    os.makedirs(ARGS.logdir, exist_ok=True)
    ports = {}
    for i, mode in enumerate(MODES):
        srv = Server(("127.0.0.1", ARGS.base + i), Handler)
        srv.mode = mode
        open(os.path.join(ARGS.logdir, mode + ".log"), "w").close()
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        ports[mode] = ARGS.base + i
    print("READY " + json.dumps(ports), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
