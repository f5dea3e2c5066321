#!/usr/bin/env python3
"""Authorization matrix: every dossier-data route x every demo role x the caller's relation to the dossier.

usage:
  authz_matrix.py --binary .build/debug/motcua --database sqlite:///tmp/authz.sqlite --port 18730
  authz_matrix.py --url http://127.0.0.1:8080 [--database URL] [--binary PATH]
    (--database with --url: to insert the expired tokens; without it those rows are skipped.
     --binary with --url: for `motcua routes --json`.)
options: --failures-only (print only failing rows of the table), --all-rows (also one row per refused action;
         by default the passing "refuse <action>" rows are folded into one line per role and relation)

Routes: `BINARY routes --json` (fallback: /openapi.yaml + the known HTML routes); only /api/ routes and the
desk pages that show dossier data (GET /can-bo/ho-so/{code}, /can-bo/ho-so/{code}/mau-01, /can-bo/tep/{id},
with the web session cookie from the login form at /can-bo/dang-nhap).

Fixtures (created through the API, procedure 1.001193, each with a PDF attached by the receiving reception):
  NK   H13.41 case TH1 at step 1 (specialist)            TP   H13.01 case TH1 at step 1 (specialist)
  LT2  H13.41 case TH2 at step 2, police H13.08          LT3  H13.41 TH2 at step 3, social insurance H13.12
  LT4  H13.41 TH2 at step 4 (agency leader, back at H13.41)
Relations of a caller to a fixture: own (receiving agency, dossier at home), own-at-partner-step
(receiving agency while a partner holds it), foreign, partner-during / partner-after / partner-before
(a liên thông partner agency during, after or before its step). Every account meets every fixture.
Token kinds: none, expired (inserted into auth_tokens with sqlite3 or psql), revoked (issued, used once,
then POST /api/v1/auth/logout), garbage.

Outcomes: allow = 2xx (the exact code where the policy fixes it), deny = 403 or 404 (never 2xx),
unauth = 401, hidden = the dossier is not in the caller's list (200 without it, or 403/404),
visible = it is in the list; for desk pages deny-page = 302/303 to the login, 401, 403 or 404.
Actions: for each caller x fixture the script reads allowedActions, checks them against the policy,
tries every action it may not take (must be refused: 403/404/422, or 403/404 when the dossier is not
visible to the caller), and performs every action it may take on a fresh copy of the fixture (must be 200).
A refused expected allow is a failure too; a route not in the table is a failure ("add it to the table").
Last line: "N passed, M failed" (one unit per request checked).
"""
import datetime, hashlib, os, re, secrets, sqlite3, subprocess, sys, tempfile, time, uuid
import requests

sys.dont_write_bytecode = True  # no __pycache__ in the source tree for the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import Server, parse_server_args, routes_table, server_argument_parser
import authz_citizen

PASSWORD = "motcua-demo"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ACCOUNTS = {  # username: (role, agency)
    "tiepnhan.ninhkieu": ("reception", "H13.41"), "chuyenvien.ninhkieu": ("specialist", "H13.41"),
    "lanhdao.ninhkieu": ("agency-leader", "H13.41"), "vanthu.ninhkieu": ("clerk", "H13.41"),
    "tiepnhan.sotuphap": ("reception", "H13.01"), "chuyenvien.sotuphap": ("specialist", "H13.01"),
    "truongphong.sotuphap": ("department-leader", "H13.01"), "giamdoc.sotuphap": ("agency-leader", "H13.01"),
    "vanthu.sotuphap": ("clerk", "H13.01"), "chuyenvien.congan": ("specialist", "H13.08"),
    "chuyenvien.bhxh": ("specialist", "H13.12"), "theodoi.sonoivu": ("monitor", "H13.05"), "quantri": ("admin", "H13"),
}
# Created with `motcua staff add` when --binary and --database are given, for the monitor's allowed side:
# a reception officer in the demo monitor's own agency, and a monitor of the whole province.
EXTRA_ACCOUNTS = {"authz.tiepnhan.h1305": ("reception", "H13.05"), "authz.theodoi.h13": ("monitor", "H13")}
HANDLING = ["reception", "specialist", "department-leader", "agency-leader", "clerk"]
ROLES = HANDLING + ["monitor", "admin"]
RELATIONS = ["own", "own-at-partner-step", "foreign", "partner-during", "partner-after", "partner-before",
             "in-monitor-scope", "outside-monitor-scope"]
PARTNER_STEPS = {"H13.08": 2, "H13.12": 3}  # 1.001193 TH2: the step index held by each liên thông partner
ALL_ACTIONS = ["receive", "request-supplement", "supplement-provided", "refuse", "transfer", "send-back", "approve", "issue",
               "record-result", "return", "withdraw", "stop", "fee-due", "fee-paid", "apologize"]
PARTNER_MAY = {"transfer", "approve", "send-back"}  # a partner agency acts only on its own step, with these
PUBLIC = {("GET", "/api/v1/procedures"), ("GET", "/api/v1/procedures/{code}"), ("GET", "/api/v1/agencies"),
          ("GET", "/api/v1/calendar/days"), ("GET", "/api/v1/calendar/lunar"), ("GET", "/api/v1/calendar/due"),
          ("GET", "/healthz"), ("GET", "/openapi.yaml"), ("GET", "/metrics"), ("POST", "/api/v1/auth/token")}
DESK = [("GET", "/can-bo/ho-so/{code}"), ("GET", "/can-bo/ho-so/{code}/{form}"), ("GET", "/can-bo/tep/{id}")]

R_LIST, R_GET, R_FILE = "GET /api/v1/dossiers", "GET /api/v1/dossiers/{code}", "GET /api/v1/files/{id}"
R_CREATE, R_UPLOAD, R_ACT = "POST /api/v1/dossiers", "POST /api/v1/dossiers/{code}/files", "POST /api/v1/dossiers/{code}/actions"
R_IND, R_LOGOUT = "GET /api/v1/indicators", "POST /api/v1/auth/logout"
R_PAGE, R_FORM, R_TEP = "GET /can-bo/ho-so/{code}", "GET /can-bo/ho-so/{code}/{form}", "GET /can-bo/tep/{id}"


# ------------------------------------------------------------------------------ the expected table
def expected_table():
    """(route, role, relation) -> outcome. Built by loops where the rule is uniform; read it as the policy."""
    E = {}
    # A liên thông partner sees a dossier only while its step is there (least privilege: once the step
    # is handed on, the applicant's data is no longer the partner's to read).
    sees = {"own": True, "own-at-partner-step": True, "foreign": False, "partner-during": True, "partner-after": False, "partner-before": False}
    monitor_sees = {"in-monitor-scope": True, "outside-monitor-scope": False}
    # reading a dossier, its files, its desk pages: the receiving agency, and a liên thông partner during its step
    for route, yes, no in ((R_GET, "allow", "deny"), (R_FILE, "allow", "deny"), (R_LIST, "visible", "hidden"),
                           (R_PAGE, "allow", "deny-page"), (R_FORM, "allow", "deny-page"), (R_TEP, "allow", "deny-page")):
        for rel, visible in sees.items():
            for role in HANDLING:
                E[(route, role, rel)] = yes if visible else no
        # a monitor reads the dossiers of its agency and of the units below it, nothing else
        for rel, visible in monitor_sees.items():
            E[(route, "monitor", rel)] = yes if visible else no
        for rel in sees:
            # an administrator never sees applicants' data (its dossier list is refused outright: one row, relation "any")
            if route != R_LIST:
                E[(route, "admin", rel)] = no
    E[(R_LIST, "admin", "any")] = "deny"
    # attaching a file: handling roles of the receiving agency, or the partner during its step
    for rel in RELATIONS:
        for role in HANDLING:
            E[(R_UPLOAD, role, rel)] = "allow" if rel in ("own", "own-at-partner-step", "partner-during") else "deny"
        E[(R_UPLOAD, "monitor", rel)] = "deny"
        E[(R_UPLOAD, "admin", rel)] = "deny"
    # a monitor never writes
    for rel in monitor_sees:
        E[(R_UPLOAD, "monitor", rel)] = "deny"
        E[(R_ACT, "monitor", rel)] = "none"
    # opening a dossier: reception officers only, in their own agency
    for role in ROLES:
        E[(R_CREATE, role, "own-agency")] = "allow" if role == "reception" else "deny-403"
    # actions: what allowedActions says, within the policy
    for rel in RELATIONS:
        for role in HANDLING:
            E[(R_ACT, role, rel)] = {"own": "listed", "own-at-partner-step": "listed", "partner-during": "listed-partner"}.get(rel, "none")
        E[(R_ACT, "monitor", rel)] = "none"
        E[(R_ACT, "admin", rel)] = "none"
    # indicators: one's own agency; a monitor its agency and the units below it; never the administrator
    for role in ROLES:
        for scope in ("scope-own", "scope-below", "scope-other-unit", "scope-above"):
            allowed = role != "admin" and (scope == "scope-own" or (role == "monitor" and scope == "scope-below"))
            E[(R_IND, role, scope)] = "allow" if allowed else "deny-403"
    # logging out: any valid token, once
    for role in ROLES:
        E[(R_LOGOUT, role, "own-token")] = "allow-204"
    return E


def outcome_ok(expected, status, detail=None):
    """Whether an observed status (and detail) satisfies an expected outcome."""
    if status is None:
        return False
    if expected == "allow":
        return 200 <= status < 300
    if expected == "allow-204":
        return status == 204
    if expected == "deny":
        return status in (403, 404)
    if expected == "deny-403":
        return status == 403
    if expected == "unauth":
        return status == 401
    if expected == "deny-page":
        return status in (302, 303, 401, 403, 404)
    if expected == "visible":
        return status == 200 and detail is True
    if expected == "hidden":
        return status in (403, 404) or (status == 200 and detail is False)
    raise ValueError(expected)


# -------------------------------------------------------------------------------------- client
class API:
    def __init__(self, base):
        self.base = base
        self.http = requests.Session()

    def call(self, method, path, token=None, json_body=None, data=None, headers=None, cookies=None, allow_redirects=False):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        for attempt in range(3):
            try:
                r = requests.request(method, self.base + path, json=json_body, data=data, headers=h, cookies=cookies,
                                     allow_redirects=allow_redirects, timeout=30)
                return r
            except requests.ConnectionError:
                if attempt == 2:
                    raise
                time.sleep(1)

    def login(self, user):
        r = self.call("POST", "/api/v1/auth/token", json_body={"username": user, "password": PASSWORD})
        if r.status_code != 200:
            raise RuntimeError(f"login of {user}: {r.status_code} {r.text[:200]}")
        return r.json()

    def web_login(self, user):
        s = requests.Session()
        page = s.get(self.base + "/can-bo/dang-nhap", timeout=10).text
        form = {"username": user, "password": PASSWORD}
        m = re.search(r'name="csrf"\s+value="([^"]*)"', page) or re.search(r'value="([^"]*)"\s+name="csrf"', page)
        if m:
            form["csrf"] = m.group(1)
        s.post(self.base + "/can-bo/dang-nhap", data=form, allow_redirects=False, timeout=30)
        return s.cookies.get("motcua_session")


def iso_in(days):
    tz = datetime.timezone(datetime.timedelta(hours=7))
    return (datetime.datetime.now(tz) + datetime.timedelta(days=days)).replace(microsecond=0).isoformat()


def action_body(action, version):
    # every field an action may need (a reason also for fee-due on a procedure without a listed fee), so that a
    # refusal is about who acts, not about a missing field
    b = {"action": action, "version": version, "note": "kiểm thử", "reason": "Lý do kiểm thử phân quyền (Điều 1 Nghị định kiểm thử)"}
    if action == "issue":
        b["number"] = "123/KT"
    if action == "fee-due":
        b["amount"] = 10000
    if action == "apologize":
        b["newAppointment"] = iso_in(90)
    if action == "record-result":
        b["electronic"] = False
    if action == "request-supplement":
        # a paper outside the published components, with its legal basis: valid for every case
        b["other"] = "Giấy tờ kiểm thử phân quyền"
        b["legalBasis"] = "Điều 1 Nghị định kiểm thử"
    return b


class Fixtures:
    """Builds the dossiers of each kind through the API."""
    KINDS = {"NK": ("tiepnhan.ninhkieu", "TH1", ["tiepnhan.ninhkieu"], "H13.41"),
             "TP": ("tiepnhan.sotuphap", "TH1", ["tiepnhan.sotuphap"], "H13.01"),
             "LT2": ("tiepnhan.ninhkieu", "TH2", ["tiepnhan.ninhkieu", "chuyenvien.ninhkieu"], "H13.08"),
             "LT3": ("tiepnhan.ninhkieu", "TH2", ["tiepnhan.ninhkieu", "chuyenvien.ninhkieu", "chuyenvien.congan"], "H13.12"),
             "LT4": ("tiepnhan.ninhkieu", "TH2", ["tiepnhan.ninhkieu", "chuyenvien.ninhkieu", "chuyenvien.congan", "chuyenvien.bhxh"], "H13.41"),
             "SNV": ("authz.tiepnhan.h1305", "TH1", ["authz.tiepnhan.h1305"], "H13.05")}  # only with the extra accounts

    def __init__(self, api, tokens):
        self.api, self.tokens = api, tokens
        self.procedure = api.call("GET", "/api/v1/procedures/1.001193").json()
        self.alternative = {}
        self.n = 0

    def intake_body(self, case_code, procedure=None):
        p = procedure or self.procedure
        case = next(c for c in p["cases"] if c["code"] == case_code) if case_code else p["cases"][0]
        self.n += 1
        return {"procedureCode": p["code"], "caseCode": case["code"], "channel": "counter",
                "applicant": {"kind": "person", "name": f"Người thử phân quyền {self.n}", "idNumber": "092095001234"},
                "documents": [{"component": c["name"], "form": "original", "count": 1} for c in case["components"] if c["required"]]}

    def version(self, code, user):
        r = self.api.call("GET", f"/api/v1/dossiers/{code}", self.tokens[user])
        if r.status_code != 200:
            raise RuntimeError(f"{user} cannot read {code} to drive it: {r.status_code} {r.text[:150]}")
        return r.json()

    def procedure_for(self, agency):
        """1.001193 (a commune procedure), or 2.000488 where the server refused 1.001193 (e.g. at a department)."""
        return self.alternative.get(agency, self.procedure)

    def build(self, kind):
        creator, case, transfers, handling = self.KINDS[kind]
        agency = {**ACCOUNTS, **EXTRA_ACCOUNTS}[creator][1]
        r = self.api.call("POST", "/api/v1/dossiers", self.tokens[creator], json_body=self.intake_body(case, self.procedure_for(agency)))
        if r.status_code == 422 and case == "TH1" and agency not in self.alternative:
            self.alternative[agency] = self.api.call("GET", "/api/v1/procedures/2.000488").json()
            r = self.api.call("POST", "/api/v1/dossiers", self.tokens[creator], json_body=self.intake_body(case, self.alternative[agency]))
        if r.status_code != 201:
            raise RuntimeError(f"setup: {creator} could not open a 1.001193 {case} dossier: {r.status_code} {r.text[:200]}")
        d = r.json()
        code = d["code"]
        for user in transfers:
            v = self.version(code, user)["version"]
            r = self.api.call("POST", f"/api/v1/dossiers/{code}/actions", self.tokens[user], json_body={"action": "transfer", "version": v})
            if r.status_code != 200:
                raise RuntimeError(f"setup of {kind}: {user} could not transfer {code}: {r.status_code} {r.text[:200]}")
            d = r.json()
        if d.get("handlingAgency") != handling:
            raise RuntimeError(f"setup of {kind}: {code} is handled by {d.get('handlingAgency')}, expected {handling}")
        return {"kind": kind, "code": code, "agency": d["agency"], "handling": d["handlingAgency"], "case": case,
                "step": (d.get("currentStep") or {}).get("index", len(transfers)), "owner": creator}

    def attach(self, fx):
        r = self.api.call("POST", f"/api/v1/dossiers/{fx['code']}/files?name=a.pdf", self.tokens[fx["owner"]], data=PDF,
                          headers={"Content-Type": "application/pdf"})
        if r.status_code != 201:
            raise RuntimeError(f"setup: cannot attach a file to {fx['code']}: {r.status_code} {r.text[:200]}")
        fx["file"] = r.json()["id"]


def relation(agency, fx, role=None, parents=None):
    if role == "monitor":
        a = fx["agency"]
        while a and a != agency:
            a = (parents or {}).get(a)
        return "in-monitor-scope" if a == agency else "outside-monitor-scope"
    if agency == fx["agency"]:
        return "own" if fx["handling"] == agency else "own-at-partner-step"
    if fx["case"] == "TH2" and agency in PARTNER_STEPS:
        s = PARTNER_STEPS[agency]
        return "partner-during" if fx["step"] == s else ("partner-after" if fx["step"] > s else "partner-before")
    return "foreign"


# ------------------------------------------------------------------------------------ expired token
def insert_expired(database, username, kind):
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    now = int(time.time())
    row = (digest, username, kind, "csrf-" + secrets.token_hex(4), now - 3600, now - 7200)
    if database.startswith("sqlite://"):
        path = database[len("sqlite://"):].split("?")[0]
        if not path.startswith("/"):
            path = os.path.abspath(path)
        con = sqlite3.connect(path, timeout=30)
        with con:
            con.execute("INSERT INTO auth_tokens (token_hash, username, kind, csrf, expires_at, created_at) VALUES (?,?,?,?,?,?)", row)
        con.close()
    elif database.startswith(("postgres://", "postgresql://")):
        sql = ("INSERT INTO auth_tokens (token_hash, username, kind, csrf, expires_at, created_at) VALUES "
               "('%s','%s','%s','%s',%d,%d)" % row)
        subprocess.run(["psql", database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True, timeout=60)
    else:
        raise RuntimeError(f"unsupported database URL {database}")
    return token


class Outcome:
    def __init__(self, ok, reason=""):
        self.ok, self.reason = ok, reason

    def __bool__(self):
        return self.ok


def add_extra_accounts(a, api):
    """`motcua staff add` for EXTRA_ACCOUNTS (an account that already exists is fine)."""
    if not (a.binary and a.database):
        return Outcome(False, "not given")
    for user, (role, agency) in EXTRA_ACCOUNTS.items():
        if api.call("POST", "/api/v1/auth/token", json_body={"username": user, "password": PASSWORD}).status_code == 200:
            continue
        p = subprocess.run([os.path.abspath(a.binary), "staff", "add", "--database", a.database, "--username", user, "--role", role,
                            "--agency", agency, "--name", f"Tài khoản kiểm thử {role} {agency}", "--password-stdin"],
                           input=PASSWORD + "\n", capture_output=True, text=True, timeout=120, cwd=tempfile.mkdtemp(prefix="motcua-staff-"),
                           env=dict(os.environ, MOTCUA_LOG_LEVEL="error"))
        if p.returncode != 0:
            return Outcome(False, f"staff add {user}: {(p.stderr or p.stdout).strip()[-200:]}")
    return Outcome(True)


def token_exists(database, token):
    digest = hashlib.sha256(token.encode()).hexdigest()
    if database.startswith("sqlite://"):
        path = database[len("sqlite://"):].split("?")[0]
        con = sqlite3.connect(path if path.startswith("/") else os.path.abspath(path), timeout=30)
        n = con.execute("SELECT count(*) FROM auth_tokens WHERE token_hash = ?", (digest,)).fetchone()[0]
        con.close()
        return n > 0
    out = subprocess.run(["psql", database, "-tAq", "-c", f"SELECT count(*) FROM auth_tokens WHERE token_hash = '{digest}'"],
                         capture_output=True, text=True, timeout=60).stdout.strip()
    return out not in ("", "0")


# ------------------------------------------------------------------------------------------- main
def main():
    p = server_argument_parser(__doc__, default_port=18730)
    p.add_argument("--all-rows", action="store_true", help="also one row per refused action")
    p.add_argument("--failures-only", action="store_true", help="print only the failing rows of the table")
    a = parse_server_args(p)
    server = Server(a, log_prefix="motcua-authz")
    if not server.start():
        print("the server did not start"); print("0 passed, 1 failed"); sys.exit(1)
    rows = []  # dicts: route, role, rel, who, expected, observed, ok, note
    skipped = []
    E = expected_table()

    def record(route, role, rel, who, expected, status, ok, note=""):
        rows.append(dict(route=route, role=role, rel=rel, who=who, expected=expected, observed="no response" if status is None else str(status),
                         ok=ok, note=note))

    def expect(route, role, rel, who, status, detail=None, note=""):
        key = (route, role, rel)
        if key not in E:
            record(route, role, rel, who, "(not in the table)", status, False, "add this case to expected_table()")
            return
        record(route, role, rel, who, E[key], status, outcome_ok(E[key], status, detail), note)

    t0 = time.time()
    try:
        api = API(server.base)
        table, source = routes_table(a, server.base)
        accounts = dict(ACCOUNTS)
        extra_ok = add_extra_accounts(a, api)
        if extra_ok:
            accounts.update(EXTRA_ACCOUNTS)
        else:
            skipped.append("monitor in-scope rows (extra accounts need --binary and --database: " + extra_ok.reason + ")")
        agencies = api.call("GET", "/api/v1/agencies").json()["items"]
        parents = {x["code"]: x.get("parent") for x in agencies}
        tokens, info = {}, {}
        for user in accounts:
            t = api.login(user)
            tokens[user], info[user] = t["token"], (t["role"], t["agency"])
            if info[user] != accounts[user]:
                print(f"note: {user} is {info[user]}, expected {accounts[user]}")
        sessions = {user: api.web_login(user) for user in accounts}
        fx_builder = Fixtures(api, tokens)
        fixtures = {k: fx_builder.build(k) for k in Fixtures.KINDS if Fixtures.KINDS[k][0] in tokens}
        for fx in fixtures.values():
            fx_builder.attach(fx)
        print(f"server {server.base}; {len(table)} routes from {source}")
        print("fixtures: " + ", ".join(f"{k}={fx['code']} (at {fx['handling']}, step {fx['step']})" for k, fx in fixtures.items()))
        missing_sessions = [u for u, s in sessions.items() if not s]
        if missing_sessions:
            print(f"web login gave no motcua_session cookie for: {', '.join(missing_sessions)}")

        api_routes = [(m, pth) for m, pth in table if pth.startswith("/api/")]
        known = {R_LIST, R_GET, R_FILE, R_CREATE, R_UPLOAD, R_ACT, R_IND, R_LOGOUT}

        def concrete(path, fx=None):
            fx = fx or fixtures["NK"]
            return (path.replace("{code}", "1.001193" if "procedures" in path else fx["code"]).replace("{id}", fx.get("file", "x"))
                    .replace("{form}", "mau-01"))

        def sample_body(method, path, fx=None):
            fx = fx or fixtures["NK"]
            if method != "POST":
                return {}
            if path == "/api/v1/dossiers":
                return {"json_body": fx_builder.intake_body("TH1")}
            if path.endswith("/actions"):
                return {"json_body": {"action": "transfer", "version": 1}}
            if path.endswith("/files"):
                return {"data": PDF, "headers": {"Content-Type": "application/pdf"}}
            if path == "/api/v1/auth/token":
                return {"json_body": {"username": "tiepnhan.ninhkieu", "password": PASSWORD}}
            return {"json_body": {}}

        # ---- 1. public routes without a token
        for m, pth in table:
            if (m, pth) in PUBLIC:
                q = "?year=2026" if pth.endswith("/days") else "?date=2026-02-17" if pth.endswith("/lunar") else \
                    "?from=2026-02-10T09:00:00%2B07:00&workingDays=3" if pth.endswith("/due") else ""
                r = api.call(m, concrete(pth) + q, **sample_body(m, pth))
                record(f"{m} {pth}", "-", "public", "no token", "allow", r.status_code, 200 <= r.status_code < 300)

        # ---- 2. tokens that must not work: none, garbage, expired, revoked
        # every login first: issuing a token purges the expired ones, so the expired rows are inserted last
        bad = {"no token": None, "garbage token": "not-a-real-token-" + uuid.uuid4().hex}
        revoke_user = "chuyenvien.ninhkieu"
        revoked = api.login(revoke_user)["token"]
        t_admin = api.login("quantri")["token"]
        out_session = api.web_login("tiepnhan.ninhkieu")
        expired = {}
        if a.database:
            for kind, label in (("api", "expired token"), ("web", "expired session")):
                try:
                    expired[label] = insert_expired(a.database, "tiepnhan.ninhkieu", kind)
                except Exception as e:  # noqa: BLE001
                    record("setup", "-", label, "-", "inserted", None, False, f"could not insert an expired token: {e}")
            if "expired token" in expired:
                bad["expired token"] = expired["expired token"]
        else:
            skipped.append("expired-token and expired-session rows (no --database given)")
        warm = api.call("GET", "/api/v1/dossiers?limit=1", revoked)  # cached as valid before the logout
        has_logout = ("POST", "/api/v1/auth/logout") in table
        r = api.call("POST", "/api/v1/auth/logout", revoked)
        record(R_LOGOUT, "specialist", "own-token", revoke_user, "allow-204", r.status_code, r.status_code == 204,
               "" if has_logout else "route missing from the route table")
        if r.status_code == 204:
            bad["revoked token"] = revoked
        else:
            record("setup", "-", "revoked token", revoke_user, "logout 204", r.status_code, False,
                   f"POST /api/v1/auth/logout answered {r.status_code}; the token was used once before ({warm.status_code})")
        for m, pth in api_routes:
            if (m, pth) in PUBLIC or (m, pth) in authz_citizen.CITIZEN_PUBLIC:
                continue
            for label, tok in bad.items():
                r = api.call(m, concrete(pth) + ("?scope=H13.41&from=2026-01-01&to=2026-12-31" if pth.endswith("/indicators") else ""),
                             tok, **sample_body(m, pth))
                record(f"{m} {pth}", "-", label, "-", "unauth", r.status_code, r.status_code == 401)
        for label, tok in expired.items():
            if not token_exists(a.database, tok):
                record("setup", "-", label, "-", "still in auth_tokens after the checks", None, False,
                       "the expired row was purged before it was used: those rows only tested an unknown token")
        # a second logout with the same token, and the admin's own logout
        if "revoked token" in bad:
            r = api.call("POST", "/api/v1/auth/logout", revoked)
            record(R_LOGOUT, "specialist", "already revoked", revoke_user, "unauth", r.status_code, r.status_code == 401)
        r = api.call("POST", "/api/v1/auth/logout", t_admin)
        expect(R_LOGOUT, "admin", "own-token", "quantri", r.status_code)
        r2 = api.call("GET", "/api/v1/dossiers", t_admin)
        record(R_LIST, "admin", "revoked token", "quantri", "unauth", r2.status_code, r2.status_code == 401)
        # desk pages without a valid session
        bad_sessions = {"no cookie": None, "garbage cookie": "x" + uuid.uuid4().hex}
        if "expired session" in expired:
            bad_sessions["expired session"] = expired["expired session"]
        page = requests.get(server.base + "/can-bo", cookies={"motcua_session": out_session or ""}, timeout=10).text
        m_csrf = re.search(r'name="csrf"\s+value="([^"]*)"', page)
        r = requests.post(server.base + "/can-bo/dang-xuat", data={"csrf": m_csrf.group(1) if m_csrf else ""},
                          cookies={"motcua_session": out_session or ""}, allow_redirects=False, timeout=10)
        if r.status_code in (302, 303):
            bad_sessions["logged-out session"] = out_session
        else:
            record("POST /can-bo/dang-xuat", "reception", "own session", "tiepnhan.ninhkieu", "redirect", r.status_code, False,
                   "could not log out a web session")
        for m, pth in DESK:
            for label, cookie in bad_sessions.items():
                r = api.call(m, concrete(pth), cookies={"motcua_session": cookie} if cookie else None)
                record(f"{m} {pth}", "-", label, "-", "deny-page", r.status_code, outcome_ok("deny-page", r.status_code))

        # ---- 3. reading: list, one dossier, its file, desk pages
        for user, (role, agency) in accounts.items():
            tok = tokens[user]
            items, offset = [], 0
            while True:
                r = api.call("GET", f"/api/v1/dossiers?limit=1000&offset={offset}", tok)
                if r.status_code != 200:
                    break
                page_items = r.json().get("items", [])
                items += page_items
                if len(page_items) < 1000:
                    break
                offset += 1000
            listed = set()
            if r.status_code == 200:
                listed = {d["code"] for d in items}
                # nothing in the list may come from an agency the caller has no business with
                for d in items:
                    involved = d.get("agency") == agency or d.get("handlingAgency") == agency or \
                        (d.get("caseCode") == "TH2" and agency in PARTNER_STEPS)
                    if role == "monitor":
                        involved = relation(agency, d, role, parents) == "in-monitor-scope"
                    if role == "admin" or not involved:
                        record(R_LIST, role, "any dossier in the list", user, "only dossiers of its agency or its liên thông steps",
                               200, False, f"{d['code']} (agency {d.get('agency')}, at {d.get('handlingAgency')}) is listed")
                        break
            if role == "admin":  # one row: the administrator's list is refused
                expect(R_LIST, role, "any", user, r.status_code, note=f"{len(items)} dossiers listed" if r.status_code == 200 else "")
            for fx in fixtures.values():
                rel = relation(agency, fx, role, parents)
                if role != "admin":
                    expect(R_LIST, role, rel, user, r.status_code, detail=fx["code"] in listed, note=fx["kind"])
                r1 = api.call("GET", f"/api/v1/dossiers/{fx['code']}", tok)
                expect(R_GET, role, rel, user, r1.status_code, note=fx["kind"])
                r2 = api.call("GET", f"/api/v1/files/{fx['file']}", tok)
                expect(R_FILE, role, rel, user, r2.status_code, note=fx["kind"])
                ck = {"motcua_session": sessions[user]} if sessions[user] else None
                for route, path in ((R_PAGE, f"/can-bo/ho-so/{fx['code']}"), (R_FORM, f"/can-bo/ho-so/{fx['code']}/mau-01"),
                                    (R_TEP, f"/can-bo/tep/{fx['file']}")):
                    rr = api.call("GET", path, cookies=ck)
                    expect(route, role, rel, user, rr.status_code, note=fx["kind"] + ("" if ck else " (no web session)"))

        # ---- 4. opening dossiers, attaching files, indicators
        for user, (role, agency) in accounts.items():
            tok = tokens[user]
            r = api.call("POST", "/api/v1/dossiers", tok, json_body=fx_builder.intake_body("TH1", fx_builder.procedure_for(agency)),
                         headers={"Idempotency-Key": uuid.uuid4().hex})
            if r.status_code == 201 and not r.json().get("code", "").startswith(agency + "-"):
                record(R_CREATE, role, "own-agency", user, E[(R_CREATE, role, "own-agency")], r.status_code, False,
                       f"created {r.json().get('code')} outside its agency {agency}")
            else:
                expect(R_CREATE, role, "own-agency", user, r.status_code, note=r.text[:120] if r.status_code >= 400 and role == "reception" else "")
            for fx in fixtures.values():
                rel = relation(agency, fx, role, parents)
                r = api.call("POST", f"/api/v1/dossiers/{fx['code']}/files?name=a.pdf", tok, data=PDF, headers={"Content-Type": "application/pdf"})
                expect(R_UPLOAD, role, rel, user, r.status_code, note=fx["kind"])
            def below(x, top):
                while x and x != top:
                    x = parents.get(x)
                return x == top and x is not None
            children = [c for c, par in parents.items() if par == agency]
            others = [c for c in ("H13.41", "H13.01", "H29") if c != agency and not below(c, agency) and not below(agency, c)]
            scopes = [("scope-own", agency)] + ([("scope-below", children[0])] if children else []) + \
                     [("scope-other-unit", others[0])] + ([("scope-above", parents[agency])] if parents.get(agency) else [])
            for scope_rel, scope in scopes:
                r = api.call("GET", f"/api/v1/indicators?scope={scope}&from=2026-01-01&to=2026-12-31", tok)
                expect(R_IND, role, scope_rel, user, r.status_code, note=f"scope={scope}")

        # ---- 5. actions
        for user, (role, agency) in accounts.items():
            tok = tokens[user]
            for kind in list(fixtures):
                fx = fixtures[kind]
                rel = relation(agency, fx, role, parents)
                key = (R_ACT, role, rel)
                rule = E.get(key)
                r = api.call("GET", f"/api/v1/dossiers/{fx['code']}", tok)
                visible = r.status_code == 200
                listed = r.json().get("allowedActions", []) if visible else []
                # the policy on what may be offered at all
                may = set(listed) if rule == "listed" else (set(listed) & PARTNER_MAY if rule == "listed-partner" else set())
                offered_bad = sorted(set(listed) - may)
                if rule is None:
                    record(R_ACT, role, rel, user, "(not in the table)", r.status_code, False, "add this case to expected_table()")
                    continue
                record(R_ACT, role, rel, user, f"{rule}: offers only allowed actions", r.status_code if visible else r.status_code,
                       not offered_bad, f"{kind} offers {listed}" + (f"; not allowed by the policy: {offered_bad}" if offered_bad else ""))
                # everything it may not do is refused (and changes nothing)
                owner_tok = tokens[fx["owner"]]
                version = api.call("GET", f"/api/v1/dossiers/{fx['code']}", owner_tok).json()["version"]
                for action in ALL_ACTIONS:
                    if action in may:
                        continue
                    r = api.call("POST", f"/api/v1/dossiers/{fx['code']}/actions", tok, json_body=action_body(action, version))
                    deny = {403, 404} if rel in ("foreign", "partner-before") else {403, 404, 422}
                    ok = r.status_code in deny
                    code_ = ""
                    try: code_ = r.json().get("error", {}).get("code", "")
                    except ValueError: pass
                    record(R_ACT, role, rel, user, f"refuse {action} ({'/'.join(map(str, sorted(deny)))})", r.status_code, ok,
                           f"{kind} {code_}".strip())
                    if 200 <= r.status_code < 300:  # it changed the fixture: rebuild it for the next callers
                        fixtures[kind] = fx = fx_builder.build(kind); fx_builder.attach(fx)
                        version = api.call("GET", f"/api/v1/dossiers/{fx['code']}", owner_tok).json()["version"]
                    elif r.status_code == 409:
                        version = api.call("GET", f"/api/v1/dossiers/{fx['code']}", owner_tok).json()["version"]
                # everything it may do works, each on a fresh copy of the fixture
                for action in sorted(may):
                    copy = fx_builder.build(kind)
                    v = api.call("GET", f"/api/v1/dossiers/{copy['code']}", owner_tok).json()["version"]
                    r = api.call("POST", f"/api/v1/dossiers/{copy['code']}/actions", tok, json_body=action_body(action, v))
                    err = ""
                    if r.status_code != 200:
                        try: err = r.json().get("error", {}).get("message", "")[:100]
                        except ValueError: err = r.text[:100]
                    record(R_ACT, role, rel, user, f"perform {action} (200)", r.status_code, r.status_code == 200, f"{kind} {err}".strip())

        # ---- 6. the citizens' side (authz_citizen.py)
        authz_citizen.check(api, a, record, tokens, table, sessions.get("tiepnhan.ninhkieu"))

        # ---- 7. API routes the table does not know
        for m, pth in api_routes:
            route = f"{m} {pth}"
            if (m, pth) not in PUBLIC and route not in known and not authz_citizen.is_citizen_route(pth) \
                    and (m, pth) not in authz_citizen.CITIZEN_PUBLIC:
                record(route, "-", "-", "-", "(not in the table)", None, False,
                       "new /api/ route: only the 401 rows were checked; add its policy to expected_table()")
    except Exception as e:  # noqa: BLE001 — report, do not hide
        import traceback; traceback.print_exc()
        record("(script)", "-", "-", "-", "complete", None, False, f"aborted: {e.__class__.__name__}: {e}")
    finally:
        server.stop()

    # ---- report
    print(f"\n{len(rows)} checks in {time.time() - t0:.0f} s")
    print("\nsummary per route (rows passed / checked):")
    per = {}
    for r in rows:
        s = per.setdefault(r["route"], [0, 0]); s[1] += 1; s[0] += r["ok"]
    for route, (okc, n) in per.items():
        print(f"  {route:42} {okc:4}/{n:<4}" + ("" if okc == n else "  <- failures"))
    # the table: one line per (route, role, relation, expected), with the statuses seen and who
    groups = {}
    for r in rows:
        k = (r["route"], r["role"], r["rel"], r["expected"])
        g = groups.setdefault(k, {"ok": True, "seen": {}, "notes": []})
        g["ok"] &= r["ok"]
        g["seen"].setdefault(r["observed"], set()).add(r["who"])
        if not r["ok"] and r["note"]:
            g["notes"].append(f"{r['who']}: {r['note']}")
    # passing "refuse <action>" rows are folded into one line per (role, relation) unless --all-rows
    folded = {}
    for (route, role, rel, exp), g in groups.items():
        if route == R_ACT and exp.startswith("refuse ") and g["ok"] and not a.all_rows:
            folded.setdefault((role, rel), []).append(exp.split()[1])
    for (role, rel), acts in folded.items():
        groups[(R_ACT, role, rel, f"refuse the {len(acts)} others")] = {"ok": True, "seen": {"refused": {"all"}}, "notes": []}
    print(f"\n{'':4} {'route':40} {'role':17} {'relation':22} {'expected':34} observed")
    for (route, role, rel, exp), g in sorted(groups.items(), key=lambda kv: (list(per).index(kv[0][0]) if kv[0][0] in per else 99,
                                                                              ROLES.index(kv[0][1]) if kv[0][1] in ROLES else -1, kv[0][2])):
        if a.failures_only and g["ok"]:
            continue
        if route == R_ACT and exp.startswith("refuse ") and exp.split()[1] != "the" and g["ok"] and not a.all_rows:
            continue
        seen = "; ".join(f"{st} ({', '.join(sorted(w))})" if len(w) <= 3 else f"{st} ({len(w)} callers)" for st, w in g["seen"].items())
        print(f"{'ok' if g['ok'] else 'FAIL':4} {route:40} {role:17} {rel:22} {exp:34} {seen}")
        for n in sorted(set(g["notes"]))[:4]:
            print(f"{'':10}{n[:200]}")
    for s in skipped:
        print(f"SKIPPED: {s}")
    passed = sum(1 for r in rows if r["ok"]); failed = len(rows) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
