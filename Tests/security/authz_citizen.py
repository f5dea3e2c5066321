"""The citizens' side of the authorization matrix (imported by authz_matrix.py, not a script).

Two citizens register through the portal's form (A's e-mail is marked confirmed in the database so that
A can submit); A prepares a draft of 1.001193 with an uploaded PDF and submits it at H13.41. Checked:
- every staff token (each demo role) gets 401 on every citizen route (/api/v1/me…, /api/v1/citizen/logout);
- A's citizen token gets 401 on every staff route (/api/v1/dossiers…, files, indicators, auth/logout);
- B gets 404 for A's draft, its files, reuse and submit, A's dossier, its files and actions, and does not
  see A's dossier in its list; A gets 200 on its own;
- public tracking: the right check value 200, a wrong one and an unknown code 404 (no personal data in any);
- the citizen token endpoint: right password 200, wrong 401;
- a revoked citizen token (POST /api/v1/citizen/logout) gets 401 afterwards; the citizen cookie does not
  open the staff desk, and the staff cookie does not open the portal.
"""
import hashlib, re, secrets, sqlite3, subprocess, os
import requests

CITIZEN_PUBLIC = {("POST", "/api/v1/citizen/token"), ("GET", "/api/v1/public/dossiers/{code}"), ("POST", "/api/v1/payments/callback")}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "mat-khau-rat-dai"
COMPONENTS = ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh (hoặc văn bản xác nhận của người làm chứng, giấy cam đoan về việc sinh)",
              "Giấy tờ tùy thân của người đi đăng ký khai sinh"]


def is_citizen_route(path):
    return path.startswith("/api/v1/me") or path.startswith("/api/v1/citizen/")


def register(base, email, id_number, name):
    s = requests.Session()
    page = s.get(base + "/dang-ky", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = s.post(base + "/dang-ky", data=dict(csrf=csrf, kind="person", fullName=name, idNumber=id_number, email=email, phone="",
                                            password=PASSWORD, password2=PASSWORD), timeout=30)
    if r.status_code != 201:
        raise RuntimeError(f"registration of {email}: {r.status_code}")


def confirm_in_database(database, email):
    if database.startswith("sqlite://"):
        path = database[len("sqlite://"):].split("?")[0]
        con = sqlite3.connect(path if path.startswith("/") else os.path.abspath(path), timeout=30)
        with con:
            con.execute("UPDATE citizens SET email_verified = 1 WHERE email = ?", (email,))
        con.close()
    else:
        subprocess.run(["psql", database, "-v", "ON_ERROR_STOP=1", "-q", "-c", f"UPDATE citizens SET email_verified = 1 WHERE email = '{email}'"],
                       check=True, capture_output=True, timeout=60)


def token(api, email, password=PASSWORD):
    return api.call("POST", "/api/v1/citizen/token", json_body={"login": email, "password": password})


def check(api, a, record, staff_tokens, table, staff_cookie):
    """Adds the citizen rows through `record(route, role, relation, who, expected, status, ok, note="")`."""
    base = api.base
    register(base, "cong.dan.a@example.vn", "092195004321", "Trần Thị Bình")
    register(base, "cong.dan.b@example.vn", "092195009876", "Lê Văn Lạ")
    if a.database:
        confirm_in_database(a.database, "cong.dan.a@example.vn")
    r = token(api, "cong.dan.a@example.vn")
    record("POST /api/v1/citizen/token", "citizen", "own password", "A", "allow", r.status_code, r.status_code == 200)
    ta = r.json()["token"]
    r = token(api, "cong.dan.a@example.vn", "sai-mat-khau-123")
    record("POST /api/v1/citizen/token", "citizen", "wrong password", "A", "unauth", r.status_code, r.status_code == 401)
    tb = token(api, "cong.dan.b@example.vn").json()["token"]

    # A's draft with a file, and a submitted dossier
    draft = api.call("POST", "/api/v1/me/drafts", ta, json_body={"procedureCode": "1.001193", "caseCode": "TH1", "agencyCode": "H13.41"}).json()
    did = draft["id"]
    doc = None
    for c in COMPONENTS:
        r = api.call("POST", f"/api/v1/me/drafts/{did}/files?component={requests.utils.quote(c)}&name=a.pdf", ta, data=PDF,
                     headers={"Content-Type": "application/pdf"})
        doc = doc or r.json().get("id")
    draft2 = api.call("POST", "/api/v1/me/drafts", ta, json_body={"procedureCode": "1.001193", "caseCode": "TH1", "agencyCode": "H13.41"}).json()["id"]
    r = api.call("POST", f"/api/v1/me/drafts/{did}/submit", ta)
    record("POST /api/v1/me/drafts/{id}/submit", "citizen", "own draft", "A", "allow-201", r.status_code, r.status_code == 201)
    code = r.json()["dossier"]["code"] if r.status_code == 201 else "H13.41-000000-0000"
    secret = r.json().get("trackingSecret", "") if r.status_code == 201 else ""

    # staff tokens on citizen routes, citizen token on staff routes
    def concrete(path):
        return path.replace("{id}", draft2).replace("{code}", code)
    for m, pth in table:
        if not pth.startswith("/api/") or (m, pth) in CITIZEN_PUBLIC:
            continue
        if is_citizen_route(pth):
            for user, tok in staff_tokens.items():
                r = api.call(m, concrete(pth), tok, json_body={} if m == "POST" else None)
                record(f"{m} {pth}", "staff", "staff token", user, "unauth", r.status_code, r.status_code == 401)
        elif not pth.startswith("/api/v1/auth/token") and pth not in ("/api/v1/procedures", "/api/v1/procedures/{code}", "/api/v1/agencies") \
                and not pth.startswith("/api/v1/calendar"):
            r = api.call(m, pth.replace("{code}", code).replace("{id}", doc or "x") + ("?scope=H13.41&from=2026-01-01&to=2026-12-31" if pth.endswith("/indicators") else ""),
                         ta, json_body={} if m == "POST" else None)
            record(f"{m} {pth}", "citizen", "citizen token", "A", "unauth", r.status_code, r.status_code == 401)

    # the stranger B and the owner A
    upload = {"data": PDF, "headers": {"Content-Type": "application/pdf"}}
    rows = [
        ("GET", f"/api/v1/me/drafts/{draft2}", "GET /api/v1/me/drafts/{id}", {}),
        ("POST", f"/api/v1/me/drafts/{draft2}/files?component={requests.utils.quote(COMPONENTS[0])}&name=b.pdf", "POST /api/v1/me/drafts/{id}/files", upload),
        ("POST", f"/api/v1/me/drafts/{draft2}/reuse", "POST /api/v1/me/drafts/{id}/reuse", {"json_body": {"component": COMPONENTS[0], "documentId": doc}}),
        ("POST", f"/api/v1/me/drafts/{draft2}/submit", "POST /api/v1/me/drafts/{id}/submit", {}),
        ("GET", f"/api/v1/me/dossiers/{code}", "GET /api/v1/me/dossiers/{code}", {}),
        ("POST", f"/api/v1/me/dossiers/{code}/files?component={requests.utils.quote(COMPONENTS[0])}&name=b.pdf", "POST /api/v1/me/dossiers/{code}/files", upload),
        ("POST", f"/api/v1/me/dossiers/{code}/actions", "POST /api/v1/me/dossiers/{code}/actions", {"json_body": {"action": "withdraw", "version": 0, "reason": "thử"}}),
        ("POST", f"/api/v1/me/dossiers/{code}/payments", "POST /api/v1/me/dossiers/{code}/payments", {}),
        ("POST", f"/api/v1/me/dossiers/{code}/rating", "POST /api/v1/me/dossiers/{code}/rating",
         {"json_body": {"answers": {"overall": "satisfied", "guidance": "satisfied", "time": "satisfied", "result": "satisfied"}}}),
    ]
    for m, path, route, kw in rows:
        r = api.call(m, path, tb, **kw)
        record(route, "citizen", "another citizen's", "B", "deny (404)", r.status_code, r.status_code == 404)
    for m, path, route, kw in rows[:1] + rows[4:5]:
        r = api.call(m, path, ta, **kw)
        record(route, "citizen", "own", "A", "allow", r.status_code, r.status_code == 200)
    r = api.call("GET", "/api/v1/me/dossiers", tb)
    record("GET /api/v1/me/dossiers", "citizen", "another citizen's", "B", "hidden", r.status_code,
           r.status_code == 200 and all(d["code"] != code for d in r.json()["items"]))
    r = api.call("GET", "/api/v1/me/documents", tb)
    record("GET /api/v1/me/documents", "citizen", "another citizen's", "B", "hidden", r.status_code, r.status_code == 200 and r.json()["items"] == [])
    for route, path in (("GET /ho-so-cua-toi/{code}", f"/ho-so-cua-toi/{code}"), ("GET /ho-so-nhap/{id}", f"/ho-so-nhap/{draft2}")):
        s = requests.Session()
        page = s.get(base + "/dang-nhap", timeout=10).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        s.post(base + "/dang-nhap", data=dict(csrf=csrf, login="cong.dan.b@example.vn", password=PASSWORD), allow_redirects=False, timeout=30)
        r = s.get(base + path, allow_redirects=False, timeout=10)
        record(route, "citizen", "another citizen's", "B (web)", "deny (404)", r.status_code, r.status_code == 404)

    # public tracking
    for label, check_value, expected in (("right check", "4321", 200), ("tracking secret", secret, 200), ("wrong check", "0000", 404)):
        r = api.call("GET", f"/api/v1/public/dossiers/{code}?check={check_value}")
        ok = r.status_code == expected and "Trần" not in r.text and "092195004321" not in r.text
        record("GET /api/v1/public/dossiers/{code}", "-", label, "no token", f"{expected}, no personal data", r.status_code, ok)
    r = api.call("GET", "/api/v1/public/dossiers/H13.41-261203-9999?check=4321")
    record("GET /api/v1/public/dossiers/{code}", "-", "unknown code", "no token", "404", r.status_code, r.status_code == 404)

    # cookies do not cross, a revoked citizen token stops working
    s = requests.Session()
    page = s.get(base + "/dang-nhap", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    s.post(base + "/dang-nhap", data=dict(csrf=csrf, login="cong.dan.a@example.vn", password=PASSWORD), allow_redirects=False, timeout=30)
    r = requests.get(base + "/can-bo", cookies={"motcua_session": s.cookies.get("motcua_citizen") or "x"}, allow_redirects=False, timeout=10)
    record("GET /can-bo", "citizen", "citizen cookie as staff", "A", "deny-page", r.status_code, r.status_code in (302, 303))
    r = requests.get(base + "/ho-so-cua-toi", cookies={"motcua_citizen": staff_cookie or "x"}, allow_redirects=False, timeout=10)
    record("GET /ho-so-cua-toi", "staff", "staff cookie as citizen", "-", "deny-page", r.status_code, r.status_code in (302, 303))
    r = api.call("POST", "/api/v1/citizen/logout", ta)
    record("POST /api/v1/citizen/logout", "citizen", "own token", "A", "allow-204", r.status_code, r.status_code == 204)
    r = api.call("GET", "/api/v1/me", ta)
    record("GET /api/v1/me", "citizen", "revoked token", "A", "unauth", r.status_code, r.status_code == 401)
