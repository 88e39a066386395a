"""Helpers shared by the stack's bulk seeders (seed_big.py, seed_folders.py,
seed_mime.py): IMAP modified UTF-7, RFC 2047 encoded words, Maildir++ paths
and files, ownership, facts files. Python 3 stdlib only; not a script.
"""
import base64
import json
import os

# --------------------------------------------------------------- mUTF-7
def mutf7_encode(name):
    """IMAP modified UTF-7 (RFC 3501 5.1.3): printable ASCII stays, '&'
    becomes '&-', every other run is UTF-16BE in base64 with ',' for '/',
    no padding, between '&' and '-'."""
    out = []
    run = []

    def flush():
        if run:
            b = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii")
            out.append("&" + b.rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(s):
    """Inverse of mutf7_encode (raises ValueError on a malformed name)."""
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch != "&":
            out.append(ch)
            i += 1
            continue
        j = s.find("-", i + 1)
        if j < 0:
            raise ValueError("unterminated '&' in %r" % s)
        if j == i + 1:
            out.append("&")
        else:
            b = s[i + 1:j].replace(",", "/")
            b += "=" * (-len(b) % 4)
            out.append(base64.b64decode(b, validate=True).decode("utf-16-be"))
        i = j + 1
    return "".join(out)


# --------------------------------------------------------------- headers
def ew_b(text, charset="utf-8"):
    """One RFC 2047 B encoded word per <= 45 source bytes, space-joined
    (unfolded: callers keep header lines short enough)."""
    raw = text.encode(charset)
    words = []
    step = 45
    i = 0
    while i < len(raw):
        chunk = raw[i:i + step]
        # do not split a UTF-8 sequence between two words
        if charset.lower() in ("utf-8", "utf8"):
            while i + len(chunk) < len(raw) and (raw[i + len(chunk)] & 0xC0) == 0x80:
                chunk = chunk[:-1]
        words.append("=?%s?B?%s?=" % (charset.upper(), base64.b64encode(chunk).decode("ascii")))
        i += len(chunk)
    return " ".join(words)


def ew_q(text, charset="utf-8"):
    """A single RFC 2047 Q encoded word (for short display names)."""
    out = []
    for b in text.encode(charset):
        c = chr(b)
        if c == " ":
            out.append("_")
        elif c.isalnum() and b < 0x80:
            out.append(c)
        else:
            out.append("=%02X" % b)
    return "=?%s?Q?%s?=" % (charset.upper(), "".join(out))


SPECIALS = set('()<>[]:;@\\,."')


def display_addr(name, email, charset="utf-8", q=False):
    """'Name <email>' with the name encoded (non-ASCII) or quoted (specials)."""
    if not name:
        return email
    if not name.isascii():
        enc = ew_q(name, charset) if q else ew_b(name, charset)
        return "%s <%s>" % (enc, email)
    if any(c in SPECIALS for c in name):
        return '"%s" <%s>' % (name.replace("\\", "\\\\").replace('"', '\\"'), email)
    return "%s <%s>" % (name, email)


# --------------------------------------------------------------- Maildir++
HOST = "postern-seed"


def maildir_folder_dir(root, name):
    """Directory of mailbox NAME (UTF-8, '/' separated) in the Maildir++ at
    ROOT, as Dovecot 2.3 names it: '.' + mUTF-7 name with '/' -> '.'."""
    if name == "INBOX":
        return root
    if "." in name:
        raise ValueError("Maildir++ cannot hold '.' in a mailbox name: %r" % name)
    return os.path.join(root, "." + mutf7_encode(name).replace("/", "."))


def make_maildir(path, folder=True):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    if folder:
        mf = os.path.join(path, "maildirfolder")
        if not os.path.exists(mf):
            open(mf, "w").close()


class MaildirWriter:
    """Writes message files with deterministic names
    'TS.MnP1.postern-seed,S=SIZE[:2,FLAGS]' (mtime = TS, which Dovecot uses
    as INTERNALDATE). Dovecot gives UIDs in order of the time stamp, so
    callers pass increasing TS values to fix the UID order."""

    def __init__(self, tag="S"):
        self.seq = 0
        self.tag = tag

    def add(self, folder_path, data, ts, flags="", new=False):
        """new=True: into new/ (unseen, \\Recent); else cur/ with FLAGS
        (Maildir letters: S seen, F flagged, R answered, D draft, T deleted)."""
        self.seq += 1
        base = "%d.M%d%sP1.%s,S=%d" % (ts, self.seq, self.tag, HOST, len(data))
        if new:
            path = os.path.join(folder_path, "new", base)
        else:
            path = os.path.join(folder_path, "cur", base + ":2," + "".join(sorted(flags)))
        with open(path, "wb") as fh:
            fh.write(data)
        os.utime(path, (ts, ts))
        return os.path.basename(path)


def tab_escape(s):
    """Dovecot's str_append_tabescaped (subscriptions file, version 2)."""
    return (s.replace("\001", "\0011").replace("\t", "\001t")
            .replace("\r", "\001r").replace("\n", "\001n"))


def add_subscriptions(maildir_root, names):
    """Add NAMES (UTF-8, '/' separated) to ROOT/subscriptions (Dovecot 2.3
    version 2 format: 'V\\t2\\n\\n', then one mailbox a line, mUTF-7, levels
    separated by TAB), keeping lines already there."""
    path = os.path.join(maildir_root, "subscriptions")
    lines = []
    if os.path.exists(path):
        with open(path, "r", encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
        if text.startswith("V\t2\n\n"):
            lines = [l for l in text[5:].split("\n") if l]
        else:  # version 1: names with the storage's separator
            lines = [l.replace(".", "\t") for l in text.split("\n") if l]
    have = set(lines)
    for n in names:
        line = "\t".join(tab_escape(mutf7_encode(p)) for p in n.split("/"))
        if line not in have:
            lines.append(line)
            have.add(line)
    tmp = path + ".seeding"
    with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write("V\t2\n\n" + "".join(l + "\n" for l in lines))
    os.rename(tmp, path)
    return path


# --------------------------------------------------------------- files
def chown_tree(top, uid, gid):
    """chown TOP and everything below it (no-op when uid is None)."""
    if uid is None:
        return
    os.chown(top, uid, gid if gid is not None else -1)
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            os.lchown(os.path.join(dirpath, n), uid, gid if gid is not None else -1)


def makedirs_owned(path, uid, gid, mode=0o700):
    """os.makedirs(PATH) that gives every directory it creates (the parents
    too) MODE and the owner UID:GID. Returns the created ones, top first."""
    path = os.path.abspath(path)
    missing = []
    p = path
    while not os.path.isdir(p):
        missing.append(p)
        p = os.path.dirname(p)
    for d in reversed(missing):
        os.mkdir(d, mode)
        os.chmod(d, mode)
        chown_path(d, uid, gid)
    return list(reversed(missing))


def chown_path(path, uid, gid):
    if uid is not None:
        os.chown(path, uid, gid if gid is not None else -1)


def write_json(path, obj, uid=None, gid=None):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1, sort_keys=False)
        fh.write("\n")
    os.chmod(tmp, 0o644)
    chown_path(tmp, uid, gid)
    os.rename(tmp, path)


def add_owner_args(ap):
    ap.add_argument("--uid", type=int, help="owner of the written files (when run as root)")
    ap.add_argument("--gid", type=int, help="group of the written files")


# --------------------------------------------------------------- payloads
def tiny_png(w=16, h=16, rgb=(40, 120, 200)):
    """A small valid RGB PNG (a gradient over the colour RGB)."""
    import struct
    import zlib
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            raw += bytes(((rgb[0] + x * 8) % 256, (rgb[1] + y * 8) % 256, rgb[2]))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


def tiny_pdf(text):
    """A minimal one-page PDF showing TEXT (ASCII)."""
    stream = ("BT /F1 14 Tf 72 720 Td (%s) Tj ET" % text).encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def b64_lines(data, width=76):
    s = base64.b64encode(data).decode("ascii")
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))
