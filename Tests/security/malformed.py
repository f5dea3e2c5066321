#!/usr/bin/env python3
"""Malformed HTTP requests to every route, sent byte for byte over raw sockets.

usage:
  malformed.py --binary .build/debug/motcua --database sqlite:///tmp/malformed.sqlite --port 18720
  malformed.py --url http://127.0.0.1:8080 [--binary .build/debug/motcua]   # an already-running server
options: --half-open-wait S (default 40), --timeout S (per request, default 10), --only SUBSTRING (variants)

Route table: `BINARY routes --json` (run against a throwaway SQLite file); without a binary, or when the
subcommand is missing, the paths of /openapi.yaml plus the known HTML routes.

For every route x method, with path parameters filled with plausible values (a dossier created for the
run, procedure 1.001193, the attached file, app.css, mau-01), the script sends every variant below; the
valid credentials (bearer token of tiepnhan.ninhkieu on /api/, its web session cookie on /can-bo) are
sent too unless the variant replaces them, so that the body parsers are really reached:
  Content-Type: "", ";", ";application/pdf", multipart/form-data without boundary, "boundary=",
    'boundary=""', a 200-character boundary, a valid multipart header with a truncated body, a body
    without the boundary, a 100 kB part header; application/x-www-form-urlencoded with %zz, a lone "=",
    "&&&", 1 MB of "&"; invalid JSON;
  Cookie: empty, no "=", 8 kB value, "motcua_session=", 400 cookies;
  Authorization: "Bearer", "Bearer ", "Basic x", "Bearer " + 10 kB, non-ASCII bytes;
  Idempotency-Key: empty, 10 kB, control characters;
  chunked (target 400 on the routes that read a body, i.e. not GET): bad hex size, missing CRLF, size bigger than the data then close, junk chunk extension,
    both Content-Length and Transfer-Encoding, an overflowing size;
  a 100 kB URL, a 100 kB header, HTTP/1.0 without Host, a body with NUL bytes, invalid UTF-8;
then, with a few variants, junk path parameters (5,000 characters, %00, ../, %2e%2e%2f, bidi override,
raw UTF-8 bytes, %zz); garbage request lines; JSON bodies with NUL and bidi override characters in the
text fields of POST /api/v1/dossiers (and of an action's note); a half-open connection
("GET / HTTP/1.1\\r\\n" and nothing more) that the server should close within --half-open-wait seconds.

After every request: the server process must be alive and /healthz must answer 200 (a death is
reported with the request that caused it; the server is restarted when the script started it).
A request fails when: the server died or stopped answering; the status is 5xx; an /api/ path answers
>= 400 with a body that is not {"error":{"code":…,"message":…}}; a well-formed request gets no
response; or the variant has a target status (malformed chunked / body stream error -> 400, over-long
URL -> 400/414/431, over-long header -> 400/431, NUL or bidi override in text -> 422) and another came.
Last line: "N passed, M failed" (one unit per request, plus the half-open check).
"""
import json, os, re, socket, sys, threading, time, uuid
import requests

sys.dont_write_bytecode = True  # no __pycache__ in the source tree for the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe_common
from probe_common import parse_server_args, routes_table, server_argument_parser

PASSWORD = "motcua-demo"
RECEPTION = "tiepnhan.ninhkieu"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"]


def parse_args():
    p = server_argument_parser(__doc__, default_port=18720)
    p.add_argument("--half-open-wait", type=float, default=40.0)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one response")
    p.add_argument("--only", help="run only the variants whose name contains this")
    p.add_argument("--verbose", action="store_true", help="print every request and its status")
    return parse_server_args(p)


# ---------------------------------------------------------------------------------------------- server
class Server(probe_common.Server):
    """The common server, plus: host and port for the raw sockets, a generation counted at every (re)start,
    restart() after a death or a hang, and one log file appended to across restarts."""
    def __init__(self, a):
        super().__init__(a, log_prefix="motcua-malformed")
        self.generation = 0
        m = re.match(r"https?://([^:/]+)(?::(\d+))?", self.base)
        self.host, self.port = m.group(1), int(m.group(2) or 80)

    def open_log(self):
        return self.log if self.log is not None else super().open_log()

    def start(self):
        self.generation += 1
        return super().start()

    def restart(self):
        if self.a.url:
            return False
        if self.proc and self.proc.poll() is None:
            self.proc.kill(); self.proc.wait()
        return self.start()


# --------------------------------------------------------------------------------------- raw HTTP
class Response:
    def __init__(self, status=None, headers=None, body=b"", note=""):
        self.status, self.headers, self.body, self.note = status, headers or {}, body, note

    def label(self):
        return str(self.status) if self.status is not None else f"no response ({self.note or 'closed'})"


def exchange(host, port, data, timeout, half_close=False, send_delay_parts=None):
    """Sends `data` (bytes) on a new connection and reads one response (complete by Content-Length or
    chunked framing, or until the server closes)."""
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        return Response(note=f"connect failed: {e}")
    note = ""
    try:
        s.settimeout(timeout)
        try:
            s.sendall(data)
        except OSError as e:  # the server answered early (413/400) and closed: read what it sent
            note = f"send interrupted: {e.__class__.__name__}"
        if half_close:
            try: s.shutdown(socket.SHUT_WR)
            except OSError: pass
        buf = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return parse_response(buf, note or "timeout")
            except OSError as e:
                return parse_response(buf, note or f"{e.__class__.__name__}")
            if not chunk:
                return parse_response(buf, note or "closed")
            buf += chunk
            if response_complete(buf):
                return parse_response(buf, note)
        return parse_response(buf, note or "timeout")
    finally:
        s.close()


def split_head(buf):
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return None, None
    return buf[:i], buf[i + 4:]


def headers_of(head):
    lines = head.split(b"\r\n")
    h = {}
    for l in lines[1:]:
        if b":" in l:
            k, v = l.split(b":", 1)
            h[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return lines[0], h


def dechunk(rest):
    out, i = b"", 0
    while True:
        j = rest.find(b"\r\n", i)
        if j < 0:
            return out, False
        try:
            n = int(rest[i:j].split(b";")[0], 16)
        except ValueError:
            return out, True
        if n == 0:
            return out, True
        if len(rest) < j + 2 + n + 2:
            return out, False
        out += rest[j + 2:j + 2 + n]
        i = j + 2 + n + 2


def response_complete(buf):
    head, rest = split_head(buf)
    if head is None:
        return False
    _, h = headers_of(head)
    if "content-length" in h:
        try: return len(rest) >= int(h["content-length"])
        except ValueError: return False
    if "chunked" in h.get("transfer-encoding", "").lower():
        return dechunk(rest)[1]
    return False


def parse_response(buf, note):
    head, rest = split_head(buf)
    if head is None:
        return Response(note=note if not buf else f"{note}; partial: {buf[:60]!r}")
    first, h = headers_of(head)
    m = re.match(rb"HTTP/\d\.\d (\d{3})", first)
    if not m:
        return Response(note=f"unparseable status line {first[:60]!r}")
    body = rest
    if "chunked" in h.get("transfer-encoding", "").lower():
        body = dechunk(rest)[0]
    elif "content-length" in h:
        try: body = rest[:int(h["content-length"])]
        except ValueError: pass
    return Response(int(m.group(1)), h, body, note)


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return ""


WORKFLOW_CODES = {"action_not_allowed", "role_not_allowed", "agency_not_allowed", "version_conflict", "supplement_only_once",
                  "apology_required", "unknown_action", "idempotency_key_reused", "unknown_procedure"}


def text_refusal(resp):
    """A 422 for a NUL or bidi character must come from text validation, not from the workflow."""
    code = error_code(resp.body)
    return f"422 for another reason: {code}" if code in WORKFLOW_CODES else None


def is_error_shape(body):
    try:
        j = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    e = j.get("error") if isinstance(j, dict) else None
    return isinstance(e, dict) and isinstance(e.get("code"), str) and isinstance(e.get("message"), str)


# ------------------------------------------------------------------------------------- variants
class Req:
    """One request to build: method, target, header list [(name, value bytes)], body, extras."""
    def __init__(self, method, target, headers, body=None, version=b"HTTP/1.1", raw=None, half_close=False, framing="length"):
        self.method, self.target, self.headers, self.body = method, target, headers, body
        self.version, self.raw, self.half_close, self.framing = version, raw, half_close, framing

    def bytes(self, host):
        if self.raw is not None:
            return self.raw
        lines = [self.method.encode() + b" " + self.target + b" " + self.version]
        names = {n.lower() for n, _ in self.headers}
        if "host" not in names and self.version == b"HTTP/1.1":
            lines.append(b"Host: " + host.encode())
        if "connection" not in names and self.version == b"HTTP/1.1":
            lines.append(b"Connection: close")
        for n, v in self.headers:
            lines.append(n.encode() + b": " + v)
        if self.body is not None and self.framing == "length" and "content-length" not in names:
            lines.append(b"Content-Length: " + str(len(self.body)).encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + (self.body or b"")


class Variant:
    """name; build(ctx) -> Req; expect: set of statuses (None = only the generic checks); wellformed:
    a request every server must answer; close_ok: 'no response' is acceptable (the client closed)."""
    def __init__(self, name, build, expect=None, wellformed=True, close_ok=False, group="header"):
        self.name, self.build, self.expect, self.wellformed, self.close_ok, self.group = name, build, expect, wellformed, close_ok, group


def variants():
    V = []
    def ct(name, value, body, **kw):
        V.append(Variant(name, lambda c, value=value, body=body: c.req(headers=[("Content-Type", value)], body=body, auth=True), group="content-type", **kw))

    bnd = b"----motcua" + uuid.uuid4().hex.encode()
    valid_mp = (b"--" + bnd + b"\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx\r\n--" + bnd +
                b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--" + bnd + b"--\r\n")
    mpct = b"multipart/form-data; boundary=" + bnd
    ct("ct-empty", b"", b"a=1")
    ct("ct-semicolon", b";", b"a=1")
    ct("ct-semicolon-pdf", b";application/pdf", PDF)
    ct("ct-multipart-no-boundary", b"multipart/form-data", valid_mp)
    ct("ct-multipart-boundary=", b"multipart/form-data; boundary=", valid_mp)
    ct("ct-multipart-boundary-quoted-empty", b'multipart/form-data; boundary=""', valid_mp)
    long_b = b"b" * 200
    ct("ct-multipart-boundary-200", b"multipart/form-data; boundary=" + long_b,
       b"--" + long_b + b"\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + long_b + b"--\r\n")
    ct("mp-valid", mpct, valid_mp)
    ct("mp-truncated-body", mpct, valid_mp[:len(valid_mp) // 3])
    ct("mp-truncated-in-part-header", mpct, b"--" + bnd + b"\r\nContent-Disposition: form-da")
    ct("mp-body-without-boundary", mpct, b"just some text, no delimiter at all\r\n\r\n")
    ct("mp-only-closing-delimiter", mpct, b"--" + bnd + b"--\r\n")
    ct("mp-part-header-100k", mpct, b"--" + bnd + b"\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Junk: " + b"j" * 100_000 +
       b"\r\n\r\n1\r\n--" + bnd + b"--\r\n")
    ct("mp-part-without-headers-end", mpct, b"--" + bnd + b"\r\nContent-Disposition: form-data; name=\"a\"\r\n" + b"x" * 5000)
    form = b"application/x-www-form-urlencoded"
    ct("form-%zz", form, b"username=%zz&password=%&x=%4")
    ct("form-lone-=", form, b"=")
    ct("form-&&&", form, b"&&&")
    ct("form-1MB-of-&", form, b"&" * (1024 * 1024))
    ct("form-over-body-limit", form, b"a" * (1024 * 1024 + 1))
    ct("json-invalid", b"application/json", b"{\"procedureCode\":")
    ct("ct-garbage-params", b"application/json; charset=\"; ;;==", b"{}")

    def hv(name, header, value, keep_auth=True, group="header", **kw):
        V.append(Variant(name, lambda c, header=header, value=value, keep_auth=keep_auth:
                         c.req(headers=[(header, value)], body=c.default_body(), auth=keep_auth, replace=header), group=group, **kw))
    hv("cookie-empty", "Cookie", b"", group="cookie")
    hv("cookie-no-=", "Cookie", b"motcua_session", group="cookie")
    hv("cookie-8kB", "Cookie", b"motcua_session=" + b"c" * 8192, group="cookie")
    hv("cookie-motcua_session=", "Cookie", b"motcua_session=", group="cookie")
    hv("cookie-400-cookies", "Cookie", b"; ".join(b"c%d=v%d" % (i, i) for i in range(400)) + b"; motcua_session=x; motcua_session=", group="cookie")
    hv("auth-Bearer", "Authorization", b"Bearer", group="authorization")
    hv("auth-Bearer-space", "Authorization", b"Bearer ", group="authorization")
    hv("auth-Basic-x", "Authorization", b"Basic x", group="authorization")
    hv("auth-Bearer-10kB", "Authorization", b"Bearer " + b"t" * 10240, group="authorization")
    hv("auth-non-ASCII", "Authorization", b"Bearer \xff\xfe\xc3\x28\xe2\x80\xae", group="authorization")
    hv("idem-empty", "Idempotency-Key", b"", group="idempotency")
    hv("idem-10kB", "Idempotency-Key", b"k" * 10240, group="idempotency")
    hv("idem-control-chars", "Idempotency-Key", b"a\x01b\x7fc\x1b[0m", group="idempotency", wellformed=False)

    def chunked(name, body, extra=(), half_close=False, expect=frozenset({400}), close_ok=False):
        # the body of the route's usual content type (JSON, form, PDF for uploads), so that it is read
        V.append(Variant(name, lambda c, body=body, extra=extra, half_close=half_close:
                         c.req(headers=[("Content-Type", c.default_type()), ("Transfer-Encoding", b"chunked")] + list(extra),
                               body=body, auth=True, framing="raw", half_close=half_close),
                         expect=expect, wellformed=False, close_ok=close_ok, group="chunked"))
    chunked("chunk-bad-hex-size", b"zz\r\nabc\r\n0\r\n\r\n")
    chunked("chunk-missing-CRLF", b"3\r\nabc0\r\n\r\n")
    chunked("chunk-size-bigger-than-data-then-close", b"100\r\nabc", half_close=True, close_ok=True)
    chunked("chunk-extension-junk", b"3;\x01\x02=\"\x7f\r\nabc\r\n0\r\n\r\n")
    chunked("chunk-and-content-length", b"3\r\nabc\r\n0\r\n\r\n", extra=[("Content-Length", b"3")])
    chunked("chunk-size-overflow", b"fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n")

    V.append(Variant("url-100kB", lambda c: c.req(target_suffix=b"?q=" + b"u" * 100_000, auth=True),
                     expect={400, 414, 431}, group="size"))
    V.append(Variant("header-100kB", lambda c: c.req(headers=[("X-Big", b"h" * 100_000)], auth=True),
                     expect={400, 431}, group="size"))
    V.append(Variant("http1.0-without-Host", lambda c: c.req(version=b"HTTP/1.0", auth=True, body=c.default_body()), group="protocol"))
    V.append(Variant("body-NUL-bytes", lambda c: c.req(headers=[("Content-Type", c.default_type())], auth=True,
                                                       body=c.some_body().replace(b"x", b"\x00") + b"\x00\x00"), group="body"))
    V.append(Variant("body-invalid-UTF-8", lambda c: c.req(headers=[("Content-Type", c.default_type())], auth=True,
                                                           body=c.some_body().replace(b"x", b"\xff\xfe\xc0\xaf")), group="body"))
    return V


class Context:
    """Builds the request for one route: target, valid credentials, a default body."""
    def __init__(self, method, path, target, token, session):
        self.method, self.path, self.target, self.token, self.session = method, path, target, token, session

    def default_type(self):
        if self.path.endswith("/files") and self.method == "POST":
            return b"application/pdf"
        return b"application/json" if self.path.startswith("/api/") else b"application/x-www-form-urlencoded"

    def default_body(self):
        if self.method == "GET":
            return None
        if self.path.endswith("/files"):
            return PDF.replace(b"Catalog", b"xxx")
        if self.path.startswith("/api/"):
            return json.dumps({"username": "x", "password": "x", "action": "transfer", "version": 0, "procedureCode": "x"}).encode()
        return b"username=x&password=x&csrf=x&action=transfer&version=0"

    def some_body(self):
        """The default body, also for a GET (a body the route will probably ignore)."""
        return self.default_body() or b"x=x"

    def credentials(self):
        if self.path.startswith("/api/"):
            if self.path == "/api/v1/auth/logout":  # never revoke the shared token
                return [("Authorization", b"Bearer not-a-valid-token")]
            return [("Authorization", b"Bearer " + self.token.encode())]
        if self.path.startswith("/can-bo") and self.session:
            return [("Cookie", b"motcua_session=" + self.session.encode())]
        return []

    def req(self, headers=(), body=None, auth=True, replace=None, version=b"HTTP/1.1", framing="length", half_close=False, target_suffix=b""):
        hs = [(n, v) for n, v in (self.credentials() if auth else []) if replace is None or n.lower() != replace.lower()]
        hs += list(headers)
        return Req(self.method, self.target + target_suffix, hs, body, version=version, framing=framing, half_close=half_close)


# ----------------------------------------------------------------------------------------- setup
def login_api(base, user=RECEPTION):
    r = requests.post(base + "/api/v1/auth/token", json={"username": user, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def login_web(base, user=RECEPTION):
    s = requests.Session()
    page = s.get(base + "/can-bo/dang-nhap", timeout=10).text
    form = {"username": user, "password": PASSWORD}
    m = re.search(r'name="csrf"\s+value="([^"]*)"', page) or re.search(r'value="([^"]*)"\s+name="csrf"', page)
    if m:
        form["csrf"] = m.group(1)
    r = s.post(base + "/can-bo/dang-nhap", data=form, allow_redirects=False, timeout=30)
    return s.cookies.get("motcua_session") or r.cookies.get("motcua_session")


def setup_data(base, token, attach=True):
    h = {"Authorization": "Bearer " + token}
    proc = requests.get(base + "/api/v1/procedures/1.001193", timeout=10).json()
    case = proc["cases"][0]
    docs = [{"component": c["name"], "form": "original", "count": 1} for c in case["components"] if c["required"]]
    body = {"procedureCode": "1.001193", "caseCode": case["code"], "channel": "counter",
            "applicant": {"kind": "person", "name": "Người thử malformed", "idNumber": "092095001234"}, "documents": docs}
    r = requests.post(base + "/api/v1/dossiers", json=body, headers=h, timeout=30)
    code = r.json()["code"] if r.status_code == 201 else "H13.41-260101-0001"
    if not attach:
        return code, None, body
    r = requests.post(base + f"/api/v1/dossiers/{code}/files?name=a.pdf", data=PDF, headers=dict(h, **{"Content-Type": "application/pdf"}), timeout=30)
    fid = r.json()["id"] if r.status_code == 201 else str(uuid.uuid4())
    return code, fid, body


def fill(path, code, fid):
    def value(m):
        name = m.group(1)
        if name == "code":
            return "1.001193" if ("procedures" in path or path.startswith("/thu-tuc")) else code
        return {"id": fid, "file": "app.css", "form": "mau-01"}.get(name, "x1")
    return re.sub(r"\{(\w+)\}", value, path)


JUNK_PARAMS = [("5000-chars", b"A" * 5000), ("%00", b"%00"), ("nul-in-middle", b"ab%00cd"), ("../", b"../../../../etc/passwd"),
               ("%2e%2e%2f", b"%2e%2e%2f%2e%2e%2fetc%2fpasswd"), ("bidi-%E2%80%AE", b"%E2%80%AEabc"),
               ("unicode-%-encoded", b"".join(b"%%%02X" % c for c in "Hồ-sơ-漢字-😀".encode("utf-8"))),
               ("raw-UTF-8-bytes", "hồ-sơ".encode("utf-8")), ("%zz", b"%zz"), ("random-uuid", str(uuid.uuid4()).encode())]


# ------------------------------------------------------------------------------------------- run
class Runner:
    def __init__(self, a, server):
        self.a, self.server = a, server
        self.rows = []  # (route, variant, status label, failures[])
        self.deaths = []

    def check(self, route, vname, req, expect=None, wellformed=True, close_ok=False, validate=None):
        api = route.split(" ", 1)[1].startswith("/api/")
        data = req.bytes(f"{self.server.host}:{self.server.port}")
        t0 = time.time()
        resp = exchange(self.server.host, self.server.port, data, self.a.timeout, half_close=req.half_close)
        took = time.time() - t0
        fails = []
        if resp.status is not None:
            if resp.status >= 500:
                fails.append(f"status {resp.status}")
            if api and resp.status >= 400 and not is_error_shape(resp.body):
                fails.append(f"{resp.status} body is not the JSON error shape: {resp.body[:80]!r}")
            if expect and resp.status not in expect:
                fails.append(f"expected {'/'.join(map(str, sorted(expect)))}, got {resp.status}" +
                             (f" {error_code(resp.body)}" if resp.status >= 400 else ""))
            elif validate:
                problem = validate(resp)
                if problem:
                    fails.append(problem)
        else:
            if expect and not close_ok:
                fails.append(f"expected {'/'.join(map(str, sorted(expect)))}, got {resp.label()}")
            elif wellformed and not close_ok:
                fails.append(f"well-formed request got {resp.label()}")
        # liveness after every request
        healthy = not self.server.dead() and self.server.healthy(5)
        recovered = healthy or (not self.server.dead() and self.server.wait(30))
        if self.server.dead():
            fails.append(f"SERVER DIED (exit {self.server.proc.returncode})")
            self.deaths.append(f"{route} [{vname}]")
            if not self.server.restart():
                raise SystemExit(self.finish(abort=f"could not restart the server after {route} [{vname}]"))
        elif not healthy:
            if recovered:
                fails.append("server stopped answering /healthz for more than 5 s after this request")
            else:
                fails.append("SERVER HUNG: /healthz did not answer within 35 s")
                self.deaths.append(f"{route} [{vname}] (hung)")
                if not self.server.restart():
                    raise SystemExit(self.finish(abort=f"could not restart the server after {route} [{vname}]"))
        if took > 5 and resp.status is not None:
            resp.note = (resp.note + "; " if resp.note else "") + f"slow: {took:.1f} s"
        self.rows.append((route, vname, resp.label() + (f" [{resp.note}]" if resp.status is not None and "slow" in resp.note else ""), fails))
        if self.a.verbose:
            print(f"{route:45} {vname:40} {resp.label()} {'; '.join(fails)}", flush=True)
        return resp

    def finish(self, abort=None, half_open=None):
        return summarize(self, abort, half_open)


def half_open_check(server, wait):
    """Sends only the request line and waits for the server to close the connection."""
    t0 = time.time()
    try:
        s = socket.create_connection((server.host, server.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\n")
        s.settimeout(1.0)
        while time.time() - t0 < wait:
            try:
                d = s.recv(4096)
                if not d:
                    return True, f"closed by the server after {time.time() - t0:.1f} s"
            except socket.timeout:
                continue
            except OSError as e:
                return True, f"reset by the server after {time.time() - t0:.1f} s ({e.__class__.__name__})"
        s.close()
        return False, f"still open after {wait:.0f} s"
    except OSError as e:
        return False, f"could not connect: {e}"


def summarize(runner, abort=None, half_open=None):
    rows = runner.rows
    by_variant = {}
    for route, v, label, fails in rows:
        d = by_variant.setdefault(v, {})
        key = label.split(" [")[0] if label[0].isdigit() else label
        d[key] = d.get(key, 0) + 1
    print("\nstatuses per variant (count over routes):")
    for v, d in by_variant.items():
        print(f"  {v:42} " + ", ".join(f"{k} x{n}" for k, n in sorted(d.items())))
    failed_rows = [r for r in rows if r[3]]
    if failed_rows:
        print(f"\nfailures ({len(failed_rows)} requests):")
        groups = {}
        for route, v, label, fails in failed_rows:
            for f in fails:
                # group the same failure over many routes
                gkey = (v, re.sub(r"b'.*", "…", f))
                groups.setdefault(gkey, []).append(route)
        for (v, f), routes in sorted(groups.items(), key=lambda kv: (-("DIED" in kv[0][1]), kv[0])):
            shown = ", ".join(routes[:4]) + (f", … ({len(routes)} routes)" if len(routes) > 4 else "")
            print(f"  FAIL [{v}] {f} — {shown}")
    if runner.deaths:
        print("\nrequests that killed or hung the server:")
        for d in runner.deaths:
            print("  " + d)
    passed = sum(1 for r in rows if not r[3])
    failed = len(failed_rows)
    if half_open is not None:
        ok, msg = half_open
        print(f"\nhalf-open connection (\"GET / HTTP/1.1\\r\\n\" only): {'PASS' if ok else 'FAIL'} — {msg}")
        passed, failed = passed + ok, failed + (not ok)
    if abort:
        print(f"\nABORTED: {abort}")
        failed += 1
    runner.server.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    a = parse_args()
    server = Server(a)
    if not server.start():
        print("the server did not start" + (f" (log: {server.log.name})" if server.log else ""))
        print("0 passed, 1 failed"); sys.exit(1)
    runner = Runner(a, server)
    t_start = time.time()
    try:
        base = server.base
        token = login_api(base)
        session = login_web(base)
        code, fid, intake = setup_data(base, token)
        table, source = routes_table(a, base)
        print(f"server {base}; {len(table)} routes from {source}; dossier {code}, file {fid}; web session: {'yes' if session else 'NO'}")

        # the half-open check runs alongside (it only waits); repeated at the end if the server restarted meanwhile
        half = {}
        generation = server.generation
        th = threading.Thread(target=lambda: half.update(r=half_open_check(server, a.half_open_wait)), daemon=True)
        th.start()

        vs = [v for v in variants() if not a.only or a.only in v.name]
        for method, path in table:
            target = fill(path, code, fid).encode("utf-8")
            route = f"{method} {path}"
            for v in vs:
                ctx = Context(method, path, target, token, session)
                # a GET route does not read the body: it may answer before the decoder meets the broken chunk
                # on other routes: 400, or a refusal that comes before the body is read (401 bad token, 403, 404, 415 type)
                expect = (None if method == "GET" else v.expect | {401, 403, 404, 415}) if v.group == "chunked" else v.expect
                runner.check(route, v.name, v.build(ctx), expect, v.wellformed, v.close_ok)
            # junk path parameters, with a plain request and a body
            if "{" in path and (not a.only or "param" in a.only):
                for jname, junk in JUNK_PARAMS:
                    t = re.sub(r"\{(\w+)\}", "\x00", path).encode("utf-8").replace(b"\x00", junk)
                    ctx = Context(method, path, t, token, session)
                    runner.check(route, f"param-{jname}", ctx.req(headers=[("Content-Type", ctx.default_type())] if method != "GET" else [],
                                                                   body=ctx.default_body(), auth=True))
        # garbage request lines and protocol junk (no route)
        if not a.only or "garbage" in a.only:
            for name, raw in [("garbage-TLS-hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"),
                              ("garbage-line", b"THIS IS NOT HTTP\r\n\r\n"), ("garbage-method-only", b"GET\r\n\r\n"),
                              ("garbage-binary", bytes(range(256)) + b"\r\n\r\n"), ("garbage-HTTP/9.9", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n"),
                              ("garbage-space-in-target", b"GET /a b c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                              ("garbage-header-no-colon", b"GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n"),
                              ("garbage-bare-LF", b"GET / HTTP/1.1\nHost: x\nConnection: close\n\n"),
                              ("garbage-obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\nConnection: close\r\n\r\n"),
                              ("garbage-api-target", b"GET /api/v1/procedures\x00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]:
                runner.check("(no route)" if b"/api/" not in raw else "GET /api/v1/procedures", name, Req("", b"", [], raw=raw),
                             wellformed=False)
        # NUL and bidi override characters in text fields: 422 expected
        if not a.only or "text" in a.only:
            auth = [("Authorization", b"Bearer " + token.encode()), ("Content-Type", b"application/json")]
            # baseline: the same body without special characters is accepted, so a 422 below is about the text
            runner.check("POST /api/v1/dossiers", "text-baseline-plain", Req("POST", b"/api/v1/dossiers", auth, json.dumps(intake).encode()), expect={201})
            cases = [("name", "Nguyễn\u0000Văn An"), ("name", "Nguyễn \u202eVăn An"), ("name", "\u2066An\u2069"), ("address", "12 Lê Lợi\u0000"),
                     ("address", "12 \u202dLê Lợi"), ("note", "ghi chú\u0000"), ("note", "ghi chú \u202e"), ("note", "\u2067x"),
                     ("email", "a\u0000b@c.vn"), ("email", "a\u202e@b.vn")]
            for field, text in cases:
                body = json.loads(json.dumps(intake))
                if field == "note":
                    body["note"] = text
                else:
                    body["applicant"][field] = text
                payload = json.dumps(body).encode()  # \u0000 and \u202e escaped in JSON, as a client would send them
                raw_payload = json.dumps(body, ensure_ascii=False).encode("utf-8")  # and as raw UTF-8
                for enc, pl in (("escaped", payload), ("raw", raw_payload)):
                    label = f"text-{field}-{'NUL' if chr(0) in text else 'U+%04X' % ord(next(c for c in text if c in BIDI))}-{enc}"
                    runner.check("POST /api/v1/dossiers", label, Req("POST", b"/api/v1/dossiers", auth + [("Idempotency-Key", uuid.uuid4().hex.encode())], pl),
                                 expect={422}, validate=text_refusal)
            # an action's note and reason, each on a fresh dossier where the action is otherwise allowed
            for field, text, action in (("note", "chuyển", "transfer"), ("note", "chuyển\u0000", "transfer"), ("note", "chuyển \u202e", "transfer"),
                                        ("reason", "thiếu\u0000giấy", "request-supplement"), ("reason", "thiếu \u2066giấy", "request-supplement")):
                fresh, _, _ = setup_data(base, token, attach=False)
                v = requests.get(base + f"/api/v1/dossiers/{fresh}", headers={"Authorization": "Bearer " + token}, timeout=10).json().get("version", 1)
                act = {"action": action, "version": v, field: text}
                special = [c for c in text if c == chr(0) or c in BIDI]
                label = f"text-action-{action}-{field}-" + (("NUL" if special[0] == chr(0) else "U+%04X" % ord(special[0])) if special else "plain-baseline")
                runner.check("POST /api/v1/dossiers/{code}/actions", label,
                             Req("POST", f"/api/v1/dossiers/{fresh}/actions".encode(), auth, json.dumps(act, ensure_ascii=False).encode("utf-8")),
                             expect={422} if special else {200}, validate=text_refusal if special else None)

        th.join(timeout=max(0.0, a.half_open_wait + 10 - (time.time() - t_start)))
        result = half.get("r")
        if result is None or generation != server.generation:
            result = half_open_check(server, a.half_open_wait)
        print(f"\n{len(runner.rows)} requests in {time.time() - t_start:.0f} s")
        sys.exit(runner.finish(half_open=result))
    except SystemExit:
        raise
    except Exception as e:  # a bug in the script or a lost server: report, do not hide
        import traceback; traceback.print_exc()
        sys.exit(runner.finish(abort=f"{e.__class__.__name__}: {e}"))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
