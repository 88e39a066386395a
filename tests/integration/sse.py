"""An EventSource-like reader for tests and benchmarks: GET through nginx
over HTTP/1.1, the chunked text/event-stream body parsed into events."""
import json
import socket
import time
import urllib.parse


class Events:
    """An EventSource-like reader: GET through nginx, chunked body parsed
    into (event, data) pairs."""

    def __init__(self, port, cookie, folder="INBOX", path=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        path = path or "/mail/events?f=" + urllib.parse.quote(folder)
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n"
               "Cookie: %s\r\n\r\n" % (path, port, cookie))
        self.sock.sendall(req.encode())
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.raw += chunk
        head, _, self.raw = self.raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        self.text = ""      # decoded body so far
        self.events = []
        self.closed = False
        if self.status == 200:
            self._parse()

    def _pump(self, timeout):
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        if not chunk:
            self.closed = True
            return
        self.raw += chunk
        self._parse()

    def _parse(self):
        while True:   # de-chunk what is complete
            line, sep, rest = self.raw.partition(b"\r\n")
            if not sep:
                return
            size = int(line.split(b";")[0] or b"0", 16)
            if size == 0:
                self.closed = True
                self.raw = b""
                return
            if len(rest) < size + 2:
                return
            self.text += rest[:size].decode()
            self.raw = rest[size + 2:]
            while "\n\n" in self.text:
                block, self.text = self.text.split("\n\n", 1)
                ev = {"event": "message", "data": None}
                for l in block.split("\n"):
                    if l.startswith("event: "):
                        ev["event"] = l[7:]
                    elif l.startswith("data: "):
                        ev["data"] = json.loads(l[6:])
                    elif l.startswith(":"):
                        ev["event"] = "comment"
                if block.strip() and not block.startswith("retry:"):
                    self.events.append(ev)

    def next(self, name, timeout=5):
        """The next event called name (earlier others are dropped)."""
        deadline = time.time() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    del self.events[:i + 1]
                    return ev
            left = deadline - time.time()
            if left <= 0 or self.closed:
                raise AssertionError("no %r event (got %r, closed=%s)" % (name, self.events, self.closed))
            self._pump(min(left, 0.5))

    def wait_closed(self, timeout=5):
        deadline = time.time() + timeout
        while not self.closed and time.time() < deadline:
            self._pump(0.2)
        return self.closed

    def close(self):
        self.sock.close()
