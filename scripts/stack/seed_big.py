#!/usr/bin/python3
"""Write big mbox mailboxes straight to disk (stdlib only, no server needed).

For a user whose Dovecot mail location is
    mbox:~/mail:INBOX=~/mail/inbox
this writes INBOX = DIR/mail/inbox and each extra folder NAME = DIR/mail/NAME
(default: INBOX 200,000 messages, "Thousands" 10,000), plus the facts file
DIR/facts.json (not inside DIR/mail: Dovecot would list any file there,
dot files included, as a mailbox). ~1-1.5 s per 100,000 messages here.

Usage:
  seed_big.py --home DIR [--uid N --gid N] [--inbox 200000]
              [--folder Thousands=10000 ...] [--end 2026-11-01T12:00:00Z]
              [--to 'Big Mailbox <big@example.test>'] [--recent 0] [--plain-mbox]
              [--force]

  --folder may be repeated (given at all, it replaces the default); --inbox 0
  writes no INBOX. A mailbox file that exists is left alone unless --force
  (which also drops Dovecot's index for it, DIR/mail/.imap/NAME).

Output is byte-for-byte deterministic for the same arguments. Each message
starts with a "From " line (envelope sender, UTC asctime = INTERNALDATE),
body lines starting "From " are written as ">From " (Dovecot does not
unquote them: IMAP shows ">From ..."), each message ends with a blank line.
Like a mailbox Dovecot already manages, the first message carries
"X-IMAPbase: 1767225600 N+1" (UIDVALIDITY 1767225600) and every message
"X-UID: k" plus padding: without them (--plain-mbox, as an MTA would write
the file) Dovecot's first access rewrites the whole file (~10 s for 200,000
messages instead of ~2.5 s).

Facts a test can rely on, for a mailbox of N messages (k = sequence number
= UID of a freshly indexed mailbox, 1..N, also the Date order: message k is
older than k+1 (Date: and INTERNALDATE), dates spread evenly over the 730
days ending at --end, newest last):
  * Subject of k contains "needle-K" (K = k) when k % 1000 == 0, nowhere
    else. NB IMAP SEARCH is a substring match: SEARCH SUBJECT needle-5000
    also finds needle-50000 (facts.json lists the exact answer per needle).
  * Body of k contains "bodyneedleKz" when k % 1000 == 0: unique per k.
  * Body contains "platypus" iff k % 997 == 0, "quokka" iff k % 10007 == 0.
  * From "Winnifred Quarterhouse <winnifred@quarterhouse.example>" iff
    k % 25000 == 0 (and no other message has "winnifred" anywhere).
  * A body line ">From the desk of ..." iff k % 211 == 0.
  * Every message has "Status: RO" (\\Seen) or "Status: O" (unseen, not
    \\Recent); X-Status F/A = \\Flagged/\\Answered. Flags come from a seeded
    generator (~90 % seen, ~50 % of the newest 500; ~3 % flagged; ~10 %
    answered): counts of seen/unseen/flagged/answered/multipart, the first
    unseen and the list of flagged UIDs are in facts.json. --recent N leaves
    the Status: header off the newest N (unseen and \\Recent), but the IMAP
    session that takes those \\Recent flags then writes Status: O lazily and
    every uncached header pass in it (first SORT, SEARCH SUBJECT) costs ~5x
    the CPU (~30 s instead of ~6 s for 200,000 messages here).
  * ~5 % are multipart/mixed with one small attachment (png, csv, pdf with
    an RFC 2231 UTF-8 name, or txt); the rest text/plain UTF-8 8bit, some
    format=flowed. Senders: ~600 (names incl. RFC 2047 B/Q encoded UTF-8
    and ISO-8859-1, quoted specials, bare addresses); subjects from ~90
    bases, with Re:/Fwd:/RE:/[list] prefixes and threads (In-Reply-To and
    References point at an earlier message with the same base subject).

facts.json: {"mail_location", "to", "end", "mailboxes": {NAME: {"path",
"messages", "bytes", "seen", "unseen", "recent", "flagged", "answered",
"multipart", "first_unseen", "first_date", "last_date", "flagged_uids",
"subject_needles": {"needle-K": K}, "search_subject": {"needle-K": [uids a
substring SEARCH SUBJECT returns]}, "body_needles": {"bodyneedleKz": K},
"words": {"platypus": [...], "quokka": [...], "winnifred": [...],
">From": [...]}}}}
"""
import argparse
import calendar
import json
import os
import random
import shutil
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seedlib  # noqa: E402

SPAN_DAYS = 730
DEFAULT_END = "2026-11-01T12:00:00Z"
UIDVALIDITY = 1767225600  # 2026-01-01

FIRST = ["Anna", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jack",
         "Karin", "Liam", "Mona", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara",
         "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zack", "Aditi", "Bjørn", "Céline",
         "Dmitri", "Élodie", "François", "Gülşen", "Håkon", "Iñaki", "Jürgen", "Łukasz",
         "Søren", "Zoë", "Αλέξης", "Мария", "Иван", "美咲", "伟", "민준", "محمد", "דוד"]
LAST = ["Adams", "Baker", "Clark", "Dawson", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
        "Jensen", "Kowalski", "Lopez", "Miller", "Nakamura", "O'Brien", "Patel", "Quist",
        "Rossi", "Schmidt", "Turner", "Underwood", "Vargas", "Walsh", "Xu", "Young", "Zimmer",
        "Müller", "Øster", "Ñúñez", "Šimek", "Papadopoulos", "Иванова", "田中", "王", "김",
        "Haddad", "Cohen"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.test", "corp.example",
           "lists.example.org", "partner.test", "vendor.example.com", "uni.example.edu",
           "beispiel.de", "exemple.fr", "esempio.it", "ejemplo.es", "example.jp", "primer.ru"]

TOPICS = [
    "Quarterly budget review", "Server migration plan", "Team offsite agenda", "Invoice overdue",
    "Password reset request", "Welcome aboard", "Release notes 4.2", "Build failed on main",
    "Lunch on Friday", "Printer on floor 3", "Holiday schedule", "Conference travel",
    "Expense report", "Contract renewal", "Security advisory", "Newsletter: spring edition",
    "Meeting minutes", "Project Zephyr status", "Customer complaint", "Job application",
    "Parcel delivery notice", "Database backup report", "Weekly sync", "Onboarding checklist",
    "Office move", "Code review request", "Design mockups", "API deprecation notice",
    "Annual performance review", "Marketing campaign results", "Bug triage", "Hiring update",
    "VPN outage", "Disk quota warning", "Birthday cake in the kitchen", "Fire drill",
    "Kubernetes upgrade", "Roadmap discussion", "Vendor evaluation", "Training session",
    "Xmas party planning", "Yearly licence renewal", "Zoom link for tomorrow", "Alpha feedback",
    "Beta sign-up", "Certificate expiry", "Data retention policy", "Email signature update",
    "Feature request: dark mode", "GDPR request", "Help desk ticket", "Internal audit",
    "Jira cleanup", "Kick-off meeting", "Legal review", "Monthly report", "Network maintenance",
    "Open positions", "Press release draft", "Quarterly OKRs", "Reimbursement approved",
    "Sales pipeline", "Timesheet reminder", "Usability study", "Visitor badges",
    "Workshop photos", "Year-end closing", "ordering lunch", "urgent: server down",
    "[sic] lowercase subject", "42 reasons to upgrade", "¿Vienes mañana?", "Grüße aus Berlin",
    "Café au lait et croissants", "Résumé attached", "Привет из Москвы", "会議の件",
    "关于项目进度", "회의 일정", "Ελληνικά νέα", "اجتماع الغد", "פגישה מחר",
    "🎉 Party time", "Über den Wolken", "Ärger mit dem Drucker", "Øresund bridge trip",
    "Æble og pære", "Ωmega project", "Łódź office", "Çok teşekkürler",
]
TEMPLATES = ["%s", "%s", "%s", "%s - update", "Question about %s", "%s (follow-up)",
             "Re: %s", "Re: %s", "Re: Re: %s", "RE: %s", "Fwd: %s", "FW: %s",
             "[team] %s", "[announce] %s", "%s!!!", "Reminder: %s"]
WORDS = ("the a of and to in for on with as by at from that this we our your is are was "
         "will be have has can could should would please let me know about project team "
         "meeting report update plan server mail folder message list review budget week "
         "month quarter customer order invoice payment contract release build test issue "
         "ticket question answer draft final version document attached link page portal "
         "account password network backup database schedule office travel lunch coffee "
         "kitchen printer laptop screen keyboard deadline priority status progress result "
         "feedback proposal agenda minutes notes summary details figures numbers chart "
         "slide deck demo launch migration upgrade rollout outage incident fix patch "
         "monday tuesday wednesday thursday friday morning afternoon evening tomorrow "
         "yesterday today soon later already still again also just really quite very").split()
NONASCII_LINES = ["Viele Grüße aus München und schöne Feiertage!", "Merci beaucoup, à bientôt.",
                  "¡Gracias! Nos vemos el jueves.", "Спасибо, до встречи.", "よろしくお願いします。",
                  "谢谢，回头见。", "감사합니다.", "Ευχαριστώ πολύ.", "Teşekkürler, görüşürüz.",
                  "Tack så mycket — vi ses!"]
TZS = [0, 3600, 7200, -18000, -28800, 19800, 32400, -10800, 0, 3600, 39600, -25200]
DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MAILERS = ["", "", "", "X-Mailer: Postern Seed 1.0\n", "User-Agent: Mozilla Thunderbird\n",
           "X-Mailer: Apple Mail (2.3731)\n", "User-Agent: Mutt/2.2.9\n",
           "X-Mailer: Microsoft Outlook 16.0\n"]
WINNIFRED = "Winnifred Quarterhouse <winnifred@quarterhouse.example>"


def make_senders(rng, n=600):
    out = []
    for i in range(n):
        f = FIRST[rng.randrange(len(FIRST))]
        l = LAST[rng.randrange(len(LAST))]
        dom = DOMAINS[rng.randrange(len(DOMAINS))]
        local = "%s.%s" % ("".join(c for c in f.lower() if c.isascii() and c.isalnum()) or "user",
                           "".join(c for c in l.lower() if c.isascii() and c.isalnum()) or str(i))
        if i % 9 == 0:
            local += str(i)
        addr = "%s@%s" % (local, dom)
        style = i % 13
        name = "%s %s" % (f, l)
        if style == 0:
            hdr = addr                                        # bare address
        elif style == 1:
            hdr = "<%s>" % addr
        elif style == 2:
            hdr = seedlib.display_addr("%s, %s" % (l, f), addr)  # quoted comma
        elif style == 3 and name.isascii():
            hdr = seedlib.display_addr(name + " (via list)", addr)
        elif not name.isascii():
            try:
                name.encode("iso-8859-1")
                latin = True
            except UnicodeEncodeError:
                latin = False
            if latin and i % 2:
                hdr = seedlib.display_addr(name, addr, "iso-8859-1", q=True)
            else:
                hdr = seedlib.display_addr(name, addr, "utf-8", q=bool(i % 3 == 0))
        else:
            hdr = seedlib.display_addr(name, addr)
        first = f if f.isascii() else "there"
        out.append((hdr, addr, first))
    return out


def make_paragraphs(rng, n=256):
    """Two pools of the same paragraphs: fixed lines, and format=flowed
    (soft line breaks end with a space)."""
    fixed, flowed = [], []
    for i in range(n):
        nw = 4 + rng.randrange(21)
        words = [WORDS[rng.randrange(len(WORDS))] for _ in range(nw)]
        while words[0] == "from":  # no mbox "From " line by accident
            words[0] = WORDS[rng.randrange(len(WORDS))]
        text = " ".join(words).capitalize() + "."
        if i % 17 == 3:
            text += " " + NONASCII_LINES[i % len(NONASCII_LINES)]
        lines = textwrap.wrap(text, 72)
        fixed.append("\n".join(lines) + "\n")
        flowed.append(" \n".join(lines) + "\n")
    return fixed, flowed


def make_attachments():
    csv = "".join("%d;item %d;%d.%02d\n" % (i, i, i * 3, i * 7 % 100) for i in range(40)).encode()
    txt = ("Notes\n=====\n\n" + "Remember to rotate the backups.\n" * 12).encode()
    att = [
        ("image/png", 'name="photo.png"', 'filename="photo.png"',
         seedlib.b64_lines(seedlib.tiny_png(24, 16))),
        ("text/csv; charset=us-ascii", 'name="figures.csv"', 'filename="figures.csv"',
         seedlib.b64_lines(csv)),
        ("application/pdf", 'name="=?UTF-8?Q?=C3=9Cbersicht.pdf?="',
         "filename*=UTF-8''%C3%9Cbersicht%202026.pdf",
         seedlib.b64_lines(seedlib.tiny_pdf("Uebersicht 2026"))),
        ("text/plain; charset=us-ascii", 'name="notes.txt"', 'filename="notes.txt"',
         seedlib.b64_lines(txt)),
    ]
    return att


def fmt_date(t, off):
    tm = time.gmtime(t + off)
    sign = "+" if off >= 0 else "-"
    a = abs(off)
    return "%s, %02d %s %d %02d:%02d:%02d %s%02d%02d" % (
        DAY[tm.tm_wday], tm.tm_mday, MON[tm.tm_mon - 1], tm.tm_year,
        tm.tm_hour, tm.tm_min, tm.tm_sec, sign, a // 3600, (a % 3600) // 60)


def generate(path, name, n, end_ts, to_hdr, tag, dovecot_headers=True, recent=0):
    """Write N messages to PATH; return the facts."""
    rng = random.Random("postern-big/" + name)
    senders = make_senders(rng)
    paras, fparas = make_paragraphs(rng)
    paras2, fparas2 = paras + paras, fparas + fparas
    atts = make_attachments()
    nsub = len(TOPICS) * len(TEMPLATES)
    rb = rng.randbytes(16 * max(n, 1))
    start_ts = end_ts - SPAN_DAYS * 86400
    step = (end_ts - start_ts) / max(n, 1)
    npar = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 8]
    last_of_topic = {}
    f = {"messages": n, "seen": 0, "unseen": 0, "recent": 0, "flagged": 0, "answered": 0,
         "multipart": 0, "first_unseen": None}
    flagged_uids = []
    subj_needles, body_needles = {}, {}
    words = {"platypus": [], "quokka": [], "winnifred": [], ">From": []}
    total = 0
    chunk = []
    tmp = path + ".seeding"
    fh = open(tmp, "wb")
    for k in range(1, n + 1):
        o = (k - 1) * 16
        b = rb[o:o + 16]
        t = int(start_ts + (k - 1) * step + (b[3] * 256 + b[4]) * (step * 0.45) / 65536)
        off = TZS[b[5] % len(TZS)]
        hdr, addr, first = senders[(b[0] << 8 | b[1]) % len(senders)]
        if k % 25000 == 0:
            hdr, addr, first = WINNIFRED, "winnifred@quarterhouse.example", "Winnifred"
            words["winnifred"].append(k)
        si = (b[6] << 8 | b[7]) % nsub
        topic = TOPICS[si % len(TOPICS)]
        tmpl = TEMPLATES[si // len(TOPICS)]
        subject = tmpl % topic
        if k % 1000 == 0:
            subject = "%s needle-%d" % (subject, k)
            subj_needles["needle-%d" % k] = k
        if not subject.isascii():
            if b[8] & 1 and len(subject.encode()) < 30:
                subject = seedlib.ew_q(subject)
            else:
                subject = seedlib.ew_b(subject)
        mid = "<%s.%07d.%02x%02x@%s>" % (tag, k, b[9], b[10], addr.rsplit("@", 1)[1])
        extra = ""
        if tmpl.startswith(("Re:", "RE:")) and topic in last_of_topic:
            ref = last_of_topic[topic]
            extra = "In-Reply-To: %s\nReferences: %s\n" % (ref, ref)
        last_of_topic[topic] = mid
        if b[11] < 26:
            extra += "Cc: Team List <team@lists.example.org>, %s\n" % senders[b[12] % len(senders)][0]
        extra += MAILERS[b[12] % len(MAILERS)]

        # body
        np_ = npar[b[13] & 15]
        ps = (b[14] << 8 | b[15]) % len(paras)
        flowed = b[13] & 32 and b[13] & 64
        lines = ["Hi %s,\n\n" % ("Big" if b[13] & 16 else "all")]
        lines.extend(p + "\n" for p in (fparas2 if flowed else paras2)[ps:ps + np_])
        if k % 1000 == 0:
            lines.append("Reference: bodyneedle%dz\n\n" % k)
            body_needles["bodyneedle%dz" % k] = k
        if k % 997 == 0:
            lines.append("The platypus report is attached.\n\n")
            words["platypus"].append(k)
        if k % 10007 == 0:
            lines.append("Sighting: a quokka near the car park.\n\n")
            words["quokka"].append(k)
        if k % 211 == 0:
            # an mbox "From " line in the body, quoted as Dovecot would
            lines.append(">From the desk of %s: please read this.\n\n" % first)
            words[">From"].append(k)
        lines.append("-- \n%s\n" % first)
        body = "".join(lines)
        ctype = "text/plain; charset=utf-8" + ("; format=flowed" if flowed else "")
        if b[2] < 13:   # ~5 %: multipart with an attachment
            f["multipart"] += 1
            a = atts[b[10] % len(atts)]
            bnd = "=_pb_%s_%07d" % (tag, k)
            ctype_hdr = 'multipart/mixed; boundary="%s"' % bnd
            body = ("This is a multi-part message in MIME format.\n\n--%s\n"
                    "Content-Type: %s\nContent-Transfer-Encoding: 8bit\n\n%s\n--%s\n"
                    "Content-Type: %s; %s\nContent-Disposition: attachment; %s\n"
                    "Content-Transfer-Encoding: base64\n\n%s\n--%s--\n"
                    % (bnd, ctype, body, bnd, a[0], a[1], a[2], a[3], bnd))
            cte = ""
        else:
            ctype_hdr = ctype
            cte = "Content-Transfer-Encoding: 8bit\n"

        # flags
        if k > n - recent:
            status = ""
            f["recent"] += 1
            seen = False
        else:
            seen = b[9] >= 26 if k <= n - 500 else b[9] >= 128
            status = "Status: RO\n" if seen else "Status: O\n"
        xs = ""
        if b[10] < 8:
            xs += "F"
            f["flagged"] += 1
            flagged_uids.append(k)
        if seen and b[11] >= 230:
            xs = "A" + xs
            f["answered"] += 1
        if xs:
            status += "X-Status: %s\n" % xs
        if dovecot_headers:
            # what Dovecot itself writes, so that its first sync need not
            # rewrite the file: UIDVALIDITY/UIDNEXT in the first message,
            # X-UID with room for in-place flag updates in every one
            if k == 1:
                status += "X-IMAPbase: %d %010d\n" % (UIDVALIDITY, n + 1)
            status += "X-UID: %d%s\n" % (k, " " * 16)
        if seen:
            f["seen"] += 1
        else:
            f["unseen"] += 1
            if f["first_unseen"] is None:
                f["first_unseen"] = k
        chunk.append(
            "From %s %s\nMessage-ID: %s\nDate: %s\nFrom: %s\nTo: %s\nSubject: %s\n%s"
            "MIME-Version: 1.0\nContent-Type: %s\n%s%s\n%s\n"
            % (addr, time.asctime(time.gmtime(t)), mid, fmt_date(t, off), hdr, to_hdr, subject,
               extra, ctype_hdr, cte, status, body))
        if k == 1:
            f["first_date"] = fmt_date(t, off)
        if k == n:
            f["last_date"] = fmt_date(t, off)
        if len(chunk) >= 4000:
            data = "".join(chunk).encode("utf-8")
            total += len(data)
            fh.write(data)
            chunk = []
    data = "".join(chunk).encode("utf-8")
    total += len(data)
    fh.write(data)
    fh.close()
    os.rename(tmp, path)
    f["bytes"] = total
    f["uidvalidity"] = UIDVALIDITY if dovecot_headers else None
    f["flagged_uids"] = flagged_uids
    f["subject_needles"] = subj_needles
    # IMAP SEARCH SUBJECT is a case-insensitive substring match
    keys = sorted(subj_needles, key=lambda s: subj_needles[s])
    f["search_subject"] = {s: [subj_needles[x] for x in keys if s in x] for s in keys}
    f["body_needles"] = body_needles
    f["words"] = words
    return f


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", required=True, help="the user's home (mail goes to HOME/mail)")
    seedlib.add_owner_args(ap)
    ap.add_argument("--inbox", type=int, default=200000, help="INBOX message count (0: none)")
    ap.add_argument("--folder", action="append", metavar="NAME=N",
                    help="an extra mbox folder (repeatable; default Thousands=10000)")
    ap.add_argument("--end", default=DEFAULT_END, help="date of the newest message (UTC, ISO)")
    ap.add_argument("--to", default="Big Mailbox <big@example.test>", help="To: of every message")
    ap.add_argument("--force", action="store_true", help="rewrite mailboxes that exist")
    ap.add_argument("--recent", type=int, default=0,
                    help="the newest N messages get no Status: header (unseen, \\Recent)")
    ap.add_argument("--plain-mbox", action="store_true",
                    help="no X-IMAPbase/X-UID headers (Dovecot rewrites the file on first access)")
    args = ap.parse_args()

    boxes = []
    if args.inbox:
        boxes.append(("INBOX", args.inbox))
    for spec in (args.folder if args.folder is not None else ["Thousands=10000"]):
        if not spec:
            continue
        name, _, cnt = spec.partition("=")
        if not name or not cnt.isdigit() or name.upper() == "INBOX" or name.startswith(".") \
                or ".." in name.split("/") or not name.isascii():
            ap.error("--folder %r: want NAME=COUNT (ASCII name, not INBOX)" % spec)
        boxes.append((name, int(cnt)))
    try:
        end_ts = calendar.timegm(time.strptime(args.end.rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        end_ts = calendar.timegm(time.strptime(args.end, "%Y-%m-%d"))

    home = os.path.abspath(args.home)
    maildir = os.path.join(home, "mail")
    seedlib.makedirs_owned(maildir, args.uid, args.gid)
    facts_path = os.path.join(home, "facts.json")
    facts = {"mail_location": "mbox:~/mail:INBOX=~/mail/inbox", "to": args.to,
             "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end_ts)), "mailboxes": {}}
    if os.path.exists(facts_path):
        try:
            with open(facts_path, encoding="utf-8") as fh:
                old = json.load(fh)
            if old.get("end") == facts["end"] and old.get("to") == facts["to"]:
                facts["mailboxes"] = old.get("mailboxes", {})
        except (OSError, ValueError):
            pass

    t_all = time.time()
    wrote = 0
    for name, cnt in boxes:
        rel = "inbox" if name == "INBOX" else seedlib.mutf7_encode(name)
        path = os.path.join(maildir, rel)
        if os.path.exists(path) and not args.force:
            print("seed_big: %s exists, left alone (--force rewrites it)" % path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        idx = os.path.join(maildir, ".imap", "INBOX" if name == "INBOX" else rel)
        if os.path.isdir(idx):
            shutil.rmtree(idx)
        t0 = time.time()
        old_umask = os.umask(0o077)
        try:
            tag = "".join(c for c in name.lower() if c.isalnum())[:20] or "box"
            f = generate(path, name, cnt, end_ts, args.to, tag, not args.plain_mbox, args.recent)
        finally:
            os.umask(old_umask)
        f["path"] = os.path.relpath(path, home)
        facts["mailboxes"][name] = f
        wrote += 1
        print("seed_big: %-10s %7d messages %6.1f MB in %.2fs (%d seen, %d flagged, %d multipart)"
              % (name, cnt, f["bytes"] / 1e6, time.time() - t0, f["seen"], f["flagged"], f["multipart"]))
    if wrote:
        seedlib.write_json(facts_path, facts, args.uid, args.gid)
    seedlib.chown_tree(home, args.uid, args.gid)
    print("seed_big: done in %.2fs; facts: %s" % (time.time() - t_all, facts_path))


if __name__ == "__main__":
    sys.exit(main())
