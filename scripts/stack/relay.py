#!/usr/bin/python3
"""Relay sink of postern's demo/test stack (python3 + aiosmtpd, stdlib otherwise).

Dovecot's submission service relays every accepted message here
(submission_relay_host/port). Per recipient:

  local part starting with "bad"   -> 550 5.1.1 rejected at RCPT
  local part starting with "soft"  -> 450 4.2.0 rejected at RCPT (try later)
  ...@example.test, not a user     -> 550 5.1.1 rejected at RCPT (users are
                                      read from --users, Dovecot's passwd-file)
  ...@example.test                 -> delivered into Dovecot over LMTP
                                      (127.0.0.1:LMTP_PORT); an LMTP refusal
                                      for that recipient is passed back
  anything else                    -> written to OUTBOX as one .eml file per
                                      message per recipient

Outbox files are named  <UTC time>-<pid>-<seq>-<recipient>.eml  and start with
X-Envelope-From / X-Envelope-To headers (the SMTP envelope) followed by the
message exactly as received. They are written to OUTBOX/.tmp then renamed,
so a test that sees a file sees all of it.

Usage: relay.py --port N --lmtp-port N --outbox DIR [--users FILE]
"""
import argparse
import asyncio
import logging
import os
import smtplib
import sys
import time

from aiosmtpd.smtp import SMTP

LOCAL_DOMAIN = "example.test"
log = logging.getLogger("relay")


def local_part(addr):
    return addr.rsplit("@", 1)[0].lower() if "@" in addr else addr.lower()


def domain(addr):
    return addr.rsplit("@", 1)[1].lower() if "@" in addr else ""


def safe_name(addr):
    return "".join(c if c.isalnum() or c in "@.-_+" else "_" for c in addr)[:100]


class Sink:
    def __init__(self, outbox, lmtp_port, users_file=None):
        self.outbox = outbox
        self.lmtp_port = lmtp_port
        self.users_file = users_file
        self.seq = 0
        os.makedirs(os.path.join(outbox, ".tmp"), exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        lp = local_part(address)
        if lp.startswith("bad"):
            log.info("RCPT %s -> 550", address)
            return "550 5.1.1 <%s>: recipient rejected (test rule: bad*)" % address
        if lp.startswith("soft"):
            log.info("RCPT %s -> 450", address)
            return "450 4.2.0 <%s>: temporarily rejected (test rule: soft*)" % address
        if domain(address) == LOCAL_DOMAIN and not self.is_user(address):
            log.info("RCPT %s -> 550 (no such user)", address)
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def is_user(self, address):
        """Is address a mailbox in Dovecot's passwd-file? (re-read each time:
        tiny, and tests may add users). Without --users, anyone is."""
        if not self.users_file:
            return True
        try:
            with open(self.users_file, encoding="utf-8") as f:
                users = {ln.split(":", 1)[0].lower() for ln in f if ":" in ln}
        except OSError as e:
            log.error("cannot read %s: %s", self.users_file, e)
            return True
        return address.lower() in users

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        local = [r for r in envelope.rcpt_tos if domain(r) == LOCAL_DOMAIN]
        remote = [r for r in envelope.rcpt_tos if domain(r) != LOCAL_DOMAIN]
        errors = []
        if local:
            loop = asyncio.get_running_loop()
            err = await loop.run_in_executor(
                None, self.lmtp_deliver, envelope.mail_from, local, data)
            errors.extend(err)
        for rcpt in remote:
            self.write_outbox(envelope.mail_from, rcpt, data)
        if errors and len(errors) == len(envelope.rcpt_tos):
            return "554 5.0.0 delivery failed: " + "; ".join(errors)
        # SMTP has one answer per message after DATA; a partial local failure
        # is logged (a real relay would bounce).
        for e in errors:
            log.warning("partial failure: %s", e)
        return "250 2.0.0 OK: queued"

    def lmtp_deliver(self, mail_from, rcpts, data):
        """Deliver over LMTP, one transaction per recipient (LMTP answers
        DATA once per recipient, which smtplib.LMTP does not read). Returns
        a list of error strings, one per failed recipient."""
        errors = []
        try:
            lm = smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=30)
        except OSError as e:
            log.error("LMTP connect to port %d failed: %s", self.lmtp_port, e)
            return ["%s: LMTP unreachable: %s" % (r, e) for r in rcpts]
        with lm:
            for r in rcpts:
                try:
                    lm.sendmail(mail_from or "<>", [r], data)
                    log.info("delivered to %s over LMTP (%d bytes)", r, len(data))
                except smtplib.SMTPRecipientsRefused as e:
                    code, msg = e.recipients[r]
                    errors.append("%s: %d %s" % (r, code, msg.decode(errors="replace")))
                except smtplib.SMTPResponseException as e:
                    errors.append("%s: %d %s" % (r, e.smtp_code, e.smtp_error.decode(errors="replace")))
                    lm.rset()
                except (OSError, smtplib.SMTPException) as e:
                    errors.append("%s: %s" % (r, e))
                    break
        for e in errors:
            log.error("LMTP delivery failed: %s", e)
        return errors

    def write_outbox(self, mail_from, rcpt, data):
        self.seq += 1
        name = "%s-%d-%04d-%s.eml" % (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                                     os.getpid(), self.seq, safe_name(rcpt))
        tmp = os.path.join(self.outbox, ".tmp", name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: <%s>\r\n" % (mail_from or "").encode("utf-8", "replace"))
            f.write(b"X-Envelope-To: <%s>\r\n" % rcpt.encode("utf-8", "replace"))
            f.write(data)
        os.rename(tmp, os.path.join(self.outbox, name))
        log.info("outbox: %s (%d bytes)", name, len(data))


async def main_async(args):
    sink = Sink(args.outbox, args.lmtp_port, args.users)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(sink, hostname="relay.example.test", decode_data=False,
                    data_size_limit=50 * 1024 * 1024, enable_SMTPUTF8=True,
                    ident="postern test relay sink")

    server = await loop.create_server(factory, host="127.0.0.1", port=args.port)
    log.info("listening on 127.0.0.1:%d, LMTP 127.0.0.1:%d, outbox %s",
             args.port, args.lmtp_port, args.outbox)
    stop = asyncio.Event()
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    log.info("stopped")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--lmtp-port", type=int, required=True)
    ap.add_argument("--outbox", required=True)
    ap.add_argument("--users", help="Dovecot passwd-file: the local users")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s relay: %(levelname)s %(message)s")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
