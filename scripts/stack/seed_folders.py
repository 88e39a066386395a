#!/usr/bin/python3
"""Write ~300 oddly named folders straight into a Maildir++ (stdlib only).

For Dovecot's  mail_location = maildir:~/Maildir  with namespace separator
"/": folder "Projects/2026" is the directory DIR/.Projects.2026, names on
disk in IMAP modified UTF-7 (mUTF-7: "&" -> "&-", non-ASCII -> &...-).
The Maildir may exist already (alice's: the folders are added beside hers;
her subscriptions are kept) or not (it is created). Takes ~0.1 s.

Usage:
  seed_folders.py --maildir DIR [--uid N --gid N] [--force]

  A folder whose directory exists is left alone unless --force (which
  deletes and rewrites it); the facts describe it all the same (content is
  deterministic: it is what an earlier run wrote) and mark it "existed".

Writes:
  * the folders (see folders() below: ASCII specials & " \\ % * [ ] { } < >,
    leading/trailing/only spaces, NIL, look-alikes; Cyrillic, Greek, CJK,
    Korean, Arabic and Hebrew (RTL), Thai, Devanagari, emoji beyond the BMP,
    ZWJ sequences, NFC vs NFD, RTL override, zero-width characters;
    markup and template/format-string payloads; names up to the on-disk
    limit; a 10-level hierarchy in ASCII and one in mixed scripts; siblings
    for sort-order checks; case variants; ~150 ordinary folders), each with
    a "maildirfolder" file;
  * 0-3 messages per folder (count = index % 4, so ~3/4 are non-empty),
    some unseen (the newest unseen one in new/, the others in cur/ without
    S) and some flagged; all are \\Recent to the first session that opens
    the folder (Dovecot's rule, new/ or cur/ alike); the subject of
    each is "Message J of N in <folder name>" (RFC 2047 when not ASCII), so
    a folder's markup also lands in subjects;
  * subscriptions for every third folder, all of the "Deep" chain, and one
    folder that does not exist ("Gone/Deleted folder": LSUB/LIST-SUBSCRIBED
    shows it \\NonExistent), appended to DIR/subscriptions (version 2 file:
    mUTF-7 names, TAB between levels);
  * DIR/../folders-facts.json: {"maildir", "separator": "/",
    "folders": [{"name" (UTF-8), "mutf7", "dir", "category", "messages",
    "unseen", "in_new", "flagged", "subscribed"}...] in creation order,
    "implicit_parents": [names that exist only as ancestors: LIST shows
    them \\Noselect \\HasChildren], "subscribed_missing": [...],
    "counts": {...}, "not_representable": {...}}.

Dovecot 2.3 Maildir++ name rules found by testing 2.3.19 (a test or a
folder list that wants these must not expect them to exist):
  * "." cannot be in a name: it is the on-disk separator (CREATE: "Character
    not allowed in mailbox name: '.'"); so are "..", empty levels ("a//b"),
    leading/trailing "/".
  * a name starting with "~" is listed if it exists on disk but cannot be
    created or selected ("Invalid mailbox name: Begins with '~'"); "~" later
    in a name (also at the start of a lower level) is fine.
  * control characters: listed if on disk, refused by CREATE.
  * "inbox", "Inbox", "INBOX" as top-level directories are hidden (they
    are INBOX); "INBOX/child" and "Foo/INBOX" are ordinary folders.
  * one directory name holds the whole path: ".", the mUTF-7 name and the
    "." separators must fit in 255 bytes (NAME_MAX), so <= 254 bytes of
    mUTF-7 for name + levels together (a CJK character costs ~2.7 bytes).
  * "*" and "%" are accepted (even by IMAP CREATE), as are "&", quotes,
    backslash, spaces (leading, trailing, only), "cur"/"new"/"tmp".
  * on disk, invalid mUTF-7 ("&Jjo") is shown literally (as "&-Jjo") and raw
    UTF-8 is shown re-encoded: Dovecot itself never writes either.
  * LIST returns folders in directory order, not sorted.
"""
import argparse
import os
import shutil
import sys
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seedlib  # noqa: E402

BASE_TS = 1767225600 + 86400 * 200   # 2026-07-20, fixed for determinism
OWNER = "Folder Owner <owner@example.test>"


def folders():
    """[(name, category)] in creation order; parents listed before children
    unless they are meant to be implicit."""
    out = []

    def add(cat, *names):
        for n in names:
            out.append((n, cat))

    add("ascii-special",
        "Ampersand & Co", "&", "&-", "&&", "&amp;", "AT&T", "&ZeVnLA-", "x&-y",
        'Quote "double"', '"', "Quote 'single'", "'", "It's mine",
        "Back\\slash", "\\", "C:\\Users\\alice", "ends with \\",
        "Percent 100%", "%", "Star *", "*", "*%*", "%d %s %n",
        "Question?", "Brace {5}", "{5}", "{0+}", "(parens)", "[Brackets]", "[Gmail]",
        "]", "[", "<angle>", "#hash", "#news", "$dollar", "tilde~middle",
        "bang!", "at@sign", "caret^", "back`tick", "pipe|bar", "semi;colon",
        "colon:name", "comma,name", "equals=sign", "plus+sign", "dash-name",
        "under_score", "NIL", "nil", "INBOX2", "Inboxes", "cur", "new", "tmp",
        " leading space", "trailing space ", "two  spaces", " ", "   ",
        "a b", "a\u00a0b", "-", "_", "0", "007")
    add("script",
        "Входящие", "Ελληνικά", "日本語", "中文邮件", "繁體中文", "한국어",
        "العربية", "עברית", "ไทย", "हिन्दी", "Tiếng Việt", "Türkçe İstanbul",
        "Straße", "Ærøskøbing", "Ñandú", "ﬁ ligature", "Ωmega",
        "mixed עברית and English", "مرحبا hello", "Привет, мир!",
        "emoji 😀", "😀", "🏳️‍🌈 flag", "👨‍👩‍👧‍👦 family", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𠜎 CJK ext B",
        "é NFC", unicodedata.normalize("NFD", "é NFD"), "zero\u200bwidth", "ZWJ\u200dname",
        "RTL override \u202etxt_exe", "bidi \u2067isolate\u2069", "\ufeffBOM first",
        "Работа", "Работа/Отчёты", "Работа/Отчёты/2026", "受信箱", "受信箱/仕事",
        "البريد", "البريد/الوارد", "דואר", "דואר/נכנס", "🎉", "🎉/🎂")
    add("markup",
        "<script>alert(1)</script>",          # "/" splits it: implicit parent
        "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
        "'><script>alert(2)<", "<b>bold<", "javascript:alert(1)",
        "<iframe src=javascript:alert(1)>", "<a href=javascript:alert(1)>click<",
        "x\" onmouseover=\"alert(1)", "' onfocus='alert(1)' autofocus='",
        "{{7*7}}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "' OR '1'='1", "%00nul",
        "&lt;escaped&gt;", "&#60;script&#62;", "<!--comment-->", "]]>",
        "style=expression(alert(1))", "<style>*{color:red}<", "data:text,<script>alert(1)<")
    long_ascii = "Long " + "x" * 249                                  # 254 bytes: the maximum
    add("long",
        "This is a rather long folder name that keeps going and going to see "
        "how the folder tree truncates it without breaking the layout",
        long_ascii,
        "長" * 90,                                                     # 242 bytes of mUTF-7
        "Long parent with a long name" + "/" + "and a long child " * 6 + "end",
        "Ünicode long " + "ü" * 60)
    deep = ["Deep"]
    for lvl in range(2, 11):
        deep.append(deep[-1] + "/Level %d" % lvl)
    add("deep", *deep)
    mixed = ["Глубоко"]
    for part in ["深い", "עמוק", "Βαθύ", "깊은", "Tief", "عميق", "गहरा", "Profond", "😀"]:
        mixed.append(mixed[-1] + "/" + part)
    add("deep-mixed", *mixed)
    add("implicit-parent",
        "Ghost/Missing parent/Child", "Ghost/Other child", "Orphans/x/y/z")
    add("sort", "Sort")
    add("sort", *["Sort/" + n for n in [
        "a", "B", "c", "Ä", "ä", "z", "Z", "10", "9", "1", "01", "_underscore", "-dash",
        "Éclair", "eclair", "Ω", "😀", "中文", "~tilde", "Zebra", "zebra", "apple",
        "Apple", "ápple", " space first", "INBOX", "#1"]])
    add("case", "Case", "case", "CASE", "Case/child", "case/child")

    # ordinary folders, to make ~300
    add("ordinary", "Clients")
    for c in ["ACME Corp", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises",
              "Müller GmbH", "Société Générale d'Exemple", "株式会社サンプル", "ООО Пример",
              "Ελληνική Α.Ε.".replace(".", ""), "Cyberdyne", "Soylent", "Tyrell", "Hooli",
              "Pied Piper", "Vandelay Industries", "Wonka", "Oscorp", "Aperture"]:
        add("ordinary", "Clients/" + c)
    add("ordinary", "Projekte")
    for y in range(2019, 2027):
        add("ordinary", "Projekte/%d" % y)
        for q in range(1, 5):
            add("ordinary", "Projekte/%d/Q%d" % (y, q))
    add("ordinary", "Lists")
    for l in ["dovecot", "postfix-users", "linux-kernel", "python-dev", "nginx", "redis",
              "debian-devel", "openssl-users", "ietf-imapext", "ietf-smtp", "xss-research",
              "local-news", "book-club", "hiking", "choir", "chess", "rust-users",
              "c-programming", "security-announce", "lwn"]:
        add("ordinary", "Lists/" + l)
    add("ordinary", "Old mail")
    for y in range(2005, 2026):
        add("ordinary", "Old mail/%d" % y)
    add("ordinary", "Receipts", "Receipts/Travel", "Receipts/Hardware", "Receipts/Books",
        "Family", "Family/Photos", "Family/School", "Friends", "Newsletters", "Notifications",
        "Notifications/GitHub", "Notifications/CI", "Notifications/Monitoring", "Travel",
        "Travel/2025 Japan", "Travel/2026 Iceland", "Taxes", "Taxes/2024", "Taxes/2025",
        "Health", "House", "House/Renovation", "Car", "Bank", "Insurance", "Jobs",
        "Jobs/Applications", "Volunteering", "Recipes", "To do", "Waiting for", "Someday",
        "Reference", "Reading list", "Conferences", "Conferences/FOSDEM", "Conferences/IETF")
    return out


def check_name(name):
    """Why NAME cannot be stored as given (or None)."""
    if "." in name:
        return "contains '.'"
    parts = name.split("/")
    if any(p == "" for p in parts):
        return "empty level"
    if name.startswith("~"):
        return "begins with '~'"
    if parts[0].upper() == "INBOX":
        return "is INBOX or below it"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return "control character"
    disk = "." + seedlib.mutf7_encode(name).replace("/", ".")
    if len(disk.encode()) > 255:
        return "on-disk name longer than 255 bytes"
    return None


def message(folder, j, n, ts, uid_hint):
    subj = "Message %d of %d in %s" % (j, n, folder)
    if not subj.isascii():
        subj = seedlib.ew_b(subj)
    body = ("This is message %d of %d in the folder\n\n    %s\n\n"
            "(mUTF-7: %s)\n" % (j, n, folder, seedlib.mutf7_encode(folder)))
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))
    hdr = ("From: Folder Seeder <seeder@example.test>\nTo: %s\nSubject: %s\nDate: %s\n"
           "Message-ID: <folder.%d.%d@seed.example.test>\nMIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
           % (OWNER, subj, date, uid_hint, j))
    return (hdr + body).encode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--maildir", required=True, help="the Maildir++ root (e.g. HOME/Maildir)")
    seedlib.add_owner_args(ap)
    ap.add_argument("--force", action="store_true", help="rewrite folders that exist")
    args = ap.parse_args()
    t0 = time.time()

    root = os.path.abspath(args.maildir)
    made = seedlib.makedirs_owned(root, args.uid, args.gid)
    old_umask = os.umask(0o077)
    try:
        seedlib.make_maildir(root, folder=False)
        names = folders()
        seen_names = set()
        for n, cat in names:
            why = check_name(n)
            if why:
                raise SystemExit("seed_folders: bad entry %r: %s" % (n, why))
            if n in seen_names:
                raise SystemExit("seed_folders: duplicate %r" % n)
            seen_names.add(n)
        w = seedlib.MaildirWriter("F")
        out = []
        counts = {"folders": 0, "messages": 0, "unseen": 0, "in_new": 0, "flagged": 0,
                  "skipped_existing": 0}
        subscribed = []
        for i, (name, cat) in enumerate(names):
            d = seedlib.maildir_folder_dir(root, name)
            sub = i % 3 == 0 or cat == "deep"
            entry = {"name": name, "mutf7": seedlib.mutf7_encode(name),
                     "dir": os.path.basename(d), "category": cat}
            write = True
            if os.path.exists(d):
                if args.force:
                    shutil.rmtree(d)
                else:
                    # the content is deterministic: what an earlier run wrote
                    # is what the facts below describe
                    write = False
                    counts["skipped_existing"] += 1
                    entry["existed"] = True
            if write:
                seedlib.make_maildir(d)
            n = i % 4
            unseen = in_new = flagged = 0
            for j in range(1, n + 1):
                ts = BASE_TS + i * 3600 + j * 60
                data = message(name, j, n, ts, i)
                new = False
                fl = ""
                if (i + j) % 3 == 0:
                    unseen += 1
                    if j == n:          # the newest unseen one: new/
                        in_new += 1
                        new = True
                else:
                    fl = "S"
                    if (i + j) % 5 == 0:
                        fl += "F"
                        flagged += 1
                if write:
                    w.add(d, data, ts, flags=fl, new=new)
            entry.update(messages=n, unseen=unseen, in_new=in_new, flagged=flagged,
                         subscribed=sub)
            if sub:
                subscribed.append(name)
            out.append(entry)
            counts["folders"] += 1
            counts["messages"] += n
            counts["unseen"] += unseen
            counts["in_new"] += in_new
            counts["flagged"] += flagged
            if write:
                seedlib.chown_tree(d, args.uid, args.gid)
        missing_sub = ["Gone/Deleted folder"]
        subs_path = seedlib.add_subscriptions(root, subscribed + missing_sub)
        seedlib.chown_path(subs_path, args.uid, args.gid)
        if made:
            seedlib.chown_tree(root, args.uid, args.gid)
    finally:
        os.umask(old_umask)

    created = {e["name"] for e in out}
    implicit = []
    for e in out:
        parts = e["name"].split("/")
        for k in range(1, len(parts)):
            p = "/".join(parts[:k])
            if p not in created and p not in implicit:
                implicit.append(p)
    facts = {
        "maildir": root,
        "separator": "/",
        "note": "folders this script wrote; the Maildir may hold others (INBOX, "
                "auto-created Drafts/Sent/Archive/Junk/Trash, earlier seeds)",
        "counts": dict(counts, implicit_parents=len(implicit), subscribed=len(subscribed)),
        "folders": out,
        "implicit_parents": implicit,
        "subscribed_missing": missing_sub,
        "not_representable": {
            "contains '.'": "the Maildir++ separator on disk: CREATE refuses it",
            "begins with '~'": "listed if on disk, but CREATE/SELECT refuse it",
            "empty level": "'a//b', leading or trailing '/'",
            "control character": "listed if on disk, CREATE refuses it",
            "INBOX at top level": ".inbox/.Inbox/.INBOX directories are hidden",
            "longer than 254 bytes of mUTF-7": "one directory name holds the whole path (NAME_MAX 255)",
        },
    }
    facts_path = os.path.join(os.path.dirname(root), "folders-facts.json")
    seedlib.write_json(facts_path, facts, args.uid, args.gid)
    print("seed_folders: %d folders (%d existed, left alone), %d messages (%d unseen), "
          "%d implicit parents, in %.2fs; facts: %s"
          % (counts["folders"], counts["skipped_existing"], counts["messages"], counts["unseen"],
             len(implicit), time.time() - t0, facts_path))


if __name__ == "__main__":
    sys.exit(main())
