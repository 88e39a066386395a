"""A small FastCGI client (responder role) for talking to postern's worker
sockets directly, bypassing nginx: lets tests send what nginx never would
(absurd CONTENT_LENGTH, short bodies, huge query strings)."""
import socket
import struct

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7


def _record(rtype, content, req_id=1):
    out = b""
    # records carry at most 65535 bytes
    chunks = [content[i:i + 65535] for i in range(0, len(content), 65535)] or [b""]
    for c in chunks:
        pad = (8 - len(c) % 8) % 8
        out += struct.pack(">BBHHBx", 1, rtype, req_id, len(c), pad) + c + b"\0" * pad
    return out


def _nv(name, value):
    def ln(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


class Response:
    def __init__(self, raw):
        head, _, body = raw.partition(b"\r\n\r\n")
        self.headers = {}
        self.status = 200
        for line in head.split(b"\r\n"):
            if b":" not in line:
                continue
            k, v = line.split(b":", 1)
            k = k.strip().decode().lower()
            v = v.strip().decode("latin-1")
            if k == "status":
                self.status = int(v.split()[0])
            self.headers[k] = v
        self.body = body
        self.text = body.decode("utf-8", "replace")


def request_raw(sock_path, params, body=b""):
    """The raw CGI response bytes (headers and body) of one request."""
    return _exchange(sock_path, params, body, None, 10)[0]


def request(sock_path, params, body=b"", send_body=None, timeout=10):
    out, ended = _exchange(sock_path, params, body, send_body, timeout)
    if not ended and not out:
        return None
    return Response(out)


def _exchange(sock_path, params, body, send_body, timeout):
    """Sends one request; params is a dict of str->str|bytes. send_body
    overrides the bytes actually sent on FCGI_STDIN (for short bodies).
    Returns a Response, or None if the server closed without answering."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    data = _record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", 1, 0))
    p = b""
    for k, v in params.items():
        if v is None:
            continue
        p += _nv(k.encode(), v if isinstance(v, bytes) else v.encode())
    data += _record(FCGI_PARAMS, p) + _record(FCGI_PARAMS, b"")
    payload = body if send_body is None else send_body
    if payload:
        data += _record(FCGI_STDIN, payload)
    data += _record(FCGI_STDIN, b"")
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out = b""
    buf = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    ended = False
    while len(buf) >= 8:
        ver, rtype, rid, clen, plen = struct.unpack(">BBHHBx", buf[:8])
        content = buf[8:8 + clen]
        buf = buf[8 + clen + plen:]
        if rtype == FCGI_STDOUT:
            out += content
        elif rtype == FCGI_END_REQUEST:
            ended = True
    return out, ended


def base_params(method="GET", uri="/settings", query="", remote="127.0.0.1"):
    return {
        "REQUEST_METHOD": method,
        "DOCUMENT_URI": uri,
        "REQUEST_URI": uri + ("?" + query if query else ""),
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote,
        "SERVER_NAME": "localhost",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": "",
    }
