"""Real-browser test of the staff desk: headless Chromium driven through selenium, as a reception officer.

Usage:
    python3 Tests/browser/desk_test.py --binary PATH --database URL --port N [--screenshots DIR]

It starts `PATH serve` itself (MOTCUA_LOG_LEVEL=warning, in a fresh working directory of its own, where the
server keeps motcua-data/keys), runs every check, stops the server, prints one line per check and, as the
last line, `N passed, M failed`; it exits 1 when M > 0. Loopback only; the whole run is bounded (5 min).
URL is a fresh `sqlite://…` or `postgres://…` database (the first start creates the demo province).

Checks, on the demo accounts (password motcua-demo; tiepnhan.sotuphap is reception at H13.01):
  login through the form (hidden csrf field + cookie); inbox counts against the rows of the table, late
  rows first; counter intake of 2.000488 submitted twice quickly (a double click, then Back and submit
  again: exactly one new dossier, counted with the JSON API, and the receipt Mẫu 01 shows); Mẫu 01
  printed with DevTools Page.printToPDF on A4 has exactly one page; a supplement request naming one listed
  component appears in Mẫu 02; a dossier finished after its appointment (server restarted under
  libfaketime with the clock moved past it) offers "Trả kết quả" only after an apology made through the
  "Xin lỗi, hẹn lại" form; a dossier finished on time is returned later with no apology. On every desk
  page visited: no English UI words in the visible text, no axe-core violation of impact serious or
  critical; at 390×844 no horizontal scroll on the inbox, the intake form and the dossier page.

Needs (the same commands in CI):
    apt-get update
    apt-get install -y chromium chromium-driver faketime fonts-liberation2 fonts-dejavu-core
    pip install selenium pypdf requests
    pip install --no-deps axe-playwright-python   # ships axe-core 4.12 (axe.min.js); its playwright is not needed
(`axe-core-python` or `axe-selenium-python` work too, with older axe-core; --axe FILE names another axe.min.js.)

Screenshots (--screenshots DIR): inbox.png, intake.png, mau-01.png (and mau-01.pdf), dossier.png, mau-02.png,
inbox-390.png, intake-390.png, dossier-390.png, late-before-apology.png, late-after-apology.png,
late-returned.png, ontime-finished.png, inbox-moved-clock.png.
"""
import base64, glob, importlib.util, io, json, math, os, re, shutil, signal, subprocess, sys, tempfile, time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

sys.dont_write_bytecode = True  # leave no __pycache__ in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "security"))
from probe_common import Server, absolute_database_url  # noqa: E402

import requests  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service as ChromeService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PASSWORD = "motcua-demo"
RECEPTION = "tiepnhan.sotuphap"
AGENCY_STAFF = ["tiepnhan.sotuphap", "chuyenvien.sotuphap", "truongphong.sotuphap", "giamdoc.sotuphap", "vanthu.sotuphap"]
PROCEDURE = "2.000488"
TH1_COMPONENTS = ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Căn cước hoặc hộ chiếu của người được cấp Phiếu"]
APPLICANT, ID_NUMBER = "Nguyễn Văn Bình", "092095001234"
TOTAL_SECONDS = 300
VN = timezone(timedelta(hours=7))

# English UI words and phrases that must not reach a Vietnamese desk page (whole words, any case).
ENGLISH = ["error", "errors", "required", "invalid", "not allowed", "submit", "login", "log in", "logout", "log out", "sign in",
           "password", "username", "version", "dossier", "dossiers", "action", "actions", "reason", "forbidden", "not found",
           "internal", "unauthorized", "unauthorised", "conflict", "failed", "failure", "success", "successfully", "cancel",
           "please", "status", "pending", "processing", "received", "finished", "returned", "overdue", "due date", "late",
           "apology", "supplement", "applicant", "procedure", "agency", "appointment", "unknown", "null", "nil", "undefined",
           "optional", "true", "false", "nan", "none", "exception", "denied", "expired", "session", "token", "request"]
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ENGLISH) + r")(?![\w-])", re.I)
# What is not UI text: dossier codes, procedure and agency codes, e-mail addresses, URLs, result numbers.
IGNORED_RE = re.compile(r"\S+@\S+|https?://\S+|\bH\d+(\.\d+)*-\d{6}-\d{4}\b|\b\d\.\d{6}\b|\bH\d+(\.\d+)*\b|\b\d+/[A-ZĐ]+\b")


# ------------------------------------------------------------------------------------------ results
class Results:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def record(self, ok, name, detail=""):
        if ok: self.passed += 1
        else: self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}{' — ' + detail if detail else ''}", flush=True)
        return ok

    def run(self, name, fn):
        """Runs one check: fn() returns (ok, detail); an exception is a failure naming it."""
        try:
            ok, detail = fn()
        except Exception as e:  # noqa: BLE001 - reported as the check's failure
            ok, detail = False, f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
        return self.record(ok, name, detail)


# ------------------------------------------------------------------------------------------- server
class DeskServer(Server):
    """probe_common.Server with its own working directory (motcua-data/keys lives there) and extra environment
    (libfaketime) on restart; its log files stay in that directory."""
    def __init__(self, a, workdir):
        super().__init__(a, "motcua-browser")
        self.workdir, self.starts = workdir, 0

    def open_log(self):
        self.starts += 1
        self.log_path = os.path.join(self.workdir, f"server-{self.starts}.log")
        return open(self.log_path, "w")

    def start(self, extra_env=None, seconds=180):
        # The server is configured through its environment, not its arguments: a Swift program started with
        # libfaketime in LD_PRELOAD does not see its command line (it would serve port 8080 and the default database).
        env = dict(os.environ, MOTCUA_LOG_LEVEL="warning", MOTCUA_HOST="127.0.0.1", MOTCUA_PORT=str(self.a.port),
                   MOTCUA_DATABASE_URL=self.a.database, **(extra_env or {}))
        self.log = self.open_log()
        self.proc = subprocess.Popen([os.path.abspath(self.a.binary)], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.workdir)
        return self.wait(seconds)

    def log_tail(self, n=15):
        try:
            with open(self.log_path) as f: return " | ".join(f.read().strip().splitlines()[-n:])
        except OSError:
            return ""


def libfaketime():
    for p in ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"] + sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1")) \
             + sorted(glob.glob("/usr/lib*/faketime/libfaketime.so.1")):
        if os.path.exists(p): return p
    return None


# ---------------------------------------------------------------------------------------------- API
class Api:
    def __init__(self, base):
        self.base, self.tokens = base, {}
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never through a proxy

    def forget_tokens(self):
        self.tokens = {}

    def token(self, user):
        if user not in self.tokens:
            r = self.http.post(self.base + "/api/v1/auth/token", json={"username": user, "password": PASSWORD}, timeout=30)
            r.raise_for_status()
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def call(self, method, user, path, **kw):
        return self.http.request(method, self.base + path, headers={"Authorization": "Bearer " + self.token(user), **kw.pop("headers", {})},
                                 timeout=30, **kw)

    def dossier(self, code, user=RECEPTION):
        r = self.call("GET", user, f"/api/v1/dossiers/{code}")
        r.raise_for_status()
        return r.json()

    def count(self, user=RECEPTION, procedure=PROCEDURE):
        n, offset = 0, 0
        while True:
            r = self.call("GET", user, f"/api/v1/dossiers?procedure={procedure}&limit=1000&offset={offset}")
            r.raise_for_status()
            items = r.json()["items"]
            n += len(items)
            if len(items) < 1000: return n
            offset += 1000

    def open_th1(self, name, key):
        body = {"procedureCode": PROCEDURE, "caseCode": "TH1", "channel": "counter",
                "applicant": {"kind": "person", "name": name, "idNumber": ID_NUMBER},
                "documents": [{"component": c, "form": "original", "count": 1} for c in TH1_COMPONENTS]}
        r = self.call("POST", RECEPTION, "/api/v1/dossiers", json=body, headers={"Idempotency-Key": key})
        if r.status_code != 201: raise RuntimeError(f"intake via API answered {r.status_code}: {r.text[:200]}")
        return r.json()

    def finish(self, code):
        """Completes every workflow step (transfer, approve, issue) until the dossier is finished."""
        for _ in range(15):
            d = self.dossier(code)
            if d["status"] == "finished": return d
            for user in AGENCY_STAFF:
                mine = self.dossier(code, user)
                act = next((a for a in ("transfer", "approve", "issue") if a in (mine.get("allowedActions") or [])), None)
                if act:
                    body = {"action": act, "version": mine["version"]}
                    if act == "issue": body["number"] = "12/LLTP"
                    r = self.call("POST", user, f"/api/v1/dossiers/{code}/actions", json=body)
                    if r.status_code != 200: raise RuntimeError(f"{user} {act} on {code}: {r.status_code} {r.text[:200]}")
                    break
            else:
                raise RuntimeError(f"{code} is stuck in status {d['status']}: nobody may transfer, approve or issue")
        raise RuntimeError(f"{code} did not reach status finished")

    def server_now(self):
        r = self.http.get(self.base + "/healthz", timeout=10)
        return parsedate_to_datetime(r.headers["Date"])


# ------------------------------------------------------------------------------------------ browser
def find_axe(explicit):
    if explicit: return explicit
    for pkg, rel in [("axe_playwright_python", "axe.min.js"), ("axe_core_python", "axe.min.js"),
                     ("axe_selenium_python", "node_modules/axe-core/axe.min.js")]:
        spec = importlib.util.find_spec(pkg)  # locates the package without importing it (no playwright needed)
        for loc in (spec.submodule_search_locations or []) if spec else []:
            if os.path.exists(os.path.join(loc, rel)): return os.path.join(loc, rel)
    return None


def start_chromium(a):
    o = webdriver.ChromeOptions()
    o.binary_location = a.chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars", "--lang=vi-VN",
                "--window-size=1280,900", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-domain-reliability", "--no-pings",
                "--disable-features=Translate,OptimizationHints,MediaRouter", "--proxy-server=direct://", "--proxy-bypass-list=*"]:
        o.add_argument(arg)
    o.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    d = webdriver.Chrome(service=ChromeService(executable_path=a.chromedriver), options=o)
    d.set_page_load_timeout(30)
    d.set_script_timeout(60)
    return d


class Desk:
    """The browser at the desk, with the per-page checks (English words, axe-core, 390 px)."""
    def __init__(self, driver, base, results, axe_source, shots):
        self.d, self.base, self.r, self.axe, self.shots = driver, base, results, axe_source, shots

    def go(self, path):
        self.d.get(self.base + path)

    def path(self):
        return self.d.current_url.replace(self.base, "") or "/"

    def wait_url(self, pattern, seconds=20):
        WebDriverWait(self.d, seconds, ignored_exceptions=(WebDriverException,)).until(lambda d: re.search(pattern, d.current_url))

    def text(self):
        return self.d.execute_script("return document.body ? document.body.innerText : ''")

    def login(self, user=RECEPTION):
        self.go("/can-bo/dang-nhap")
        self.d.find_element(By.ID, "username").clear()
        self.d.find_element(By.ID, "username").send_keys(user)
        self.d.find_element(By.ID, "password").send_keys(PASSWORD)
        csrf = self.d.find_element(By.CSS_SELECTOR, "input[type=hidden][name=csrf]").get_attribute("value")
        self.d.find_element(By.XPATH, "//main//form//button[@type='submit']").click()
        WebDriverWait(self.d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: "/can-bo/dang-nhap" not in d.current_url or d.find_elements(By.CSS_SELECTOR, ".error"))
        return csrf

    def screenshot(self, name):
        if not self.shots: return
        shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(os.path.join(self.shots, name), "wb") as f: f.write(base64.b64decode(shot["data"]))

    def audit(self, label, shot=None):
        """English words and axe-core on the page now shown."""
        if shot: self.screenshot(shot)
        self.r.run(f"english-text {label}", self.english)
        self.r.run(f"axe {label}", self.axe_check)

    def english(self):
        text = IGNORED_RE.sub(" ", self.text())
        hits = []
        for m in ENGLISH_RE.finditer(text):
            line = next((l for l in text.splitlines() if m.group(0) in l), m.group(0)).strip()
            hits.append(f'"{m.group(0)}" in "{line[:90]}"')
        hits = list(dict.fromkeys(hits))
        return (not hits, f"page {self.path()}: " + "; ".join(hits[:10]) if hits else f"page {self.path()}")

    def axe_check(self):
        if not self.axe: return False, "axe.min.js not found (install axe-playwright-python or give --axe)"
        if not self.d.execute_script("return !!window.axe"):
            self.d.execute_script(self.axe)
        out = self.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
               .then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.map(n => n.target.join(' '))})))))
               .catch(e => done(JSON.stringify({error: String(e)})));""")
        res = json.loads(out)
        if isinstance(res, dict): return False, f"page {self.path()}: axe failed: {res['error']}"
        bad = [v for v in res if v["impact"] in ("serious", "critical")]
        if not bad:
            minor = ", ".join(f"{v['id']}({v['impact']})" for v in res)
            return True, f"page {self.path()}" + (f"; minor: {minor}" if minor else "")
        return False, f"page {self.path()}: " + "; ".join(
            f"{v['id']} [{v['impact']}] {v['help']} at {', '.join(v['nodes'][:3])}{' …+' + str(len(v['nodes']) - 3) if len(v['nodes']) > 3 else ''}"
            for v in bad)

    def no_horizontal_scroll(self):
        m = self.d.execute_script("""
            const vw = window.innerWidth, de = document.documentElement;
            function sel(e) {
              const parts = [];
              for (let n = e; n && n.nodeType === 1 && parts.length < 5; n = n.parentElement) {
                let s = n.tagName.toLowerCase();
                if (n.id) { parts.unshift(s + '#' + n.id); break; }
                if (n.classList.length) s += '.' + [...n.classList].join('.');
                parts.unshift(s);
              }
              return parts.join(' > ');
            }
            function clipped(e) {  // inside a scroll or clip container that itself fits
              for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                const ox = getComputedStyle(p).overflowX;
                if (ox !== 'visible') return p.getBoundingClientRect().right <= vw + 1;
              }
              return false;
            }
            const over = [];
            for (const e of document.body.querySelectorAll('*')) {
              const r = e.getBoundingClientRect();
              if (r.width === 0 || r.height === 0) continue;
              if (r.right > vw + 1 && !clipped(e)) over.push({e, w: r.width, right: r.right});
            }
            over.sort((a, b) => b.w - a.w);
            const leaves = over.filter(o => !over.some(p => p.e !== o.e && o.e.contains(p.e)));
            return {scrollWidth: de.scrollWidth, innerWidth: vw, clientWidth: de.clientWidth,
                    widest: over.slice(0, 1).map(o => sel(o.e) + ' (' + Math.round(o.w) + 'px wide, right edge ' + Math.round(o.right) + 'px)'),
                    leaves: leaves.slice(0, 3).map(o => sel(o.e) + ' (' + Math.round(o.w) + 'px, right ' + Math.round(o.right) + 'px)')};""")
        ok = m["scrollWidth"] <= m["innerWidth"] + 1
        detail = f"page {self.path()}: scrollWidth {m['scrollWidth']}, innerWidth {m['innerWidth']}"
        if not ok:
            detail += f"; widest element wider than the viewport: {m['widest'][0] if m['widest'] else '(none found)'}"
            if m["leaves"]: detail += f"; innermost overflowing: {'; '.join(m['leaves'])}"
        return ok, detail

    def action_forms(self):
        """{action name: form element} of the dossier page."""
        out = {}
        for f in self.d.find_elements(By.CSS_SELECTOR, "form[action$='/hanh-dong']"):
            hidden = f.find_elements(By.CSS_SELECTOR, "input[type=hidden][name=action]")
            if hidden: out[hidden[0].get_attribute("value")] = f
        return out

    def submit(self, form):
        """Clicks the form's button and waits until the page it leads to has replaced this one.

        While Chromium swaps documents, the driver may answer a query about the old page with an
        inspector error ("Node with given id does not belong to the document") instead of a stale
        element: both mean the old page is gone."""
        self.click_and_wait(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def click_and_wait(self, button):
        """Clicks a button or link and waits until the page it leads to has replaced this one."""
        old = self.d.find_element(By.TAG_NAME, "html")
        try:
            button.click()
        except WebDriverException as e:
            if "does not belong to the document" not in str(e):
                raise
        def replaced(_):
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(self.d, 20, ignored_exceptions=(WebDriverException,)).until(replaced)
        WebDriverWait(self.d, 20, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState") == "complete")


# --------------------------------------------------------------------------------------------- flow
def inbox_counts(desk):
    """The three numbers of /can-bo against the rows of its table; late rows first."""
    desk.go("/can-bo")
    stats = desk.d.find_element(By.CSS_SELECTOR, "main ul.stats").text
    def number(label):
        m = re.search(r"(\d+)\s*" + re.escape(label), stats)
        if not m: raise RuntimeError(f'no number before "{label}" in "{stats}"')
        return int(m.group(1))
    shown = {"open": number("hồ sơ đang xử lý"), "dueSoon": number("Sắp đến hạn"), "late": number("Quá hạn")}
    # The inbox shows 50 dossiers per page: the rows of every page, following "Trang sau".
    rows = []
    while True:
        rows += desk.d.execute_script("""
            const ended = ['Từ chối tiếp nhận', 'Công dân rút hồ sơ', 'Dừng giải quyết', 'Đã giải quyết xong, chờ trả kết quả', 'Đã trả kết quả'];
            return [...document.querySelectorAll('main table tbody tr')].map(tr => {
              const badges = [...tr.querySelectorAll('.badge, span')].map(s => s.textContent.trim());
              const open = !ended.includes((tr.children[3] || {}).textContent?.trim());
              return {open: open, late: open && badges.includes('Quá hạn'), soon: open && badges.includes('Sắp đến hạn')};
            });""")
        nxt = desk.d.find_elements(By.CSS_SELECTOR, "nav.pager a[rel=next]")
        if not nxt: break
        desk.click_and_wait(nxt[0])
    # A dossier finished and waiting for its return is in the reception's table but no longer open.
    listed = {"open": sum(r["open"] for r in rows), "dueSoon": sum(r["soon"] for r in rows), "late": sum(r["late"] for r in rows)}
    problems = [f"{k}: shown {shown[k]}, table lists {listed[k]}" for k in shown if shown[k] != listed[k]]
    first_not_late = next((i for i, r in enumerate(rows) if not r["late"]), len(rows))
    late_after = [i for i, r in enumerate(rows) if r["late"] and i > first_not_late]
    if late_after: problems.append(f"late rows after a row that is not late (rows {late_after[:5]}, first non-late row {first_not_late})")
    detail = f"shown open {shown['open']}, due soon {shown['dueSoon']}, late {shown['late']}; table {listed}"
    return not problems, (detail + ("; " + "; ".join(problems) if problems else ""))


def post_requests(driver, path):
    n = 0
    for e in driver.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            req = m["params"]["request"]
            if req["method"] == "POST" and req["url"].split("?")[0].endswith(path): n += 1
    return n


def main():
    p = __import__("argparse").ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--database", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--screenshots")
    p.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium")
    p.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    p.add_argument("--axe", help="axe.min.js to use (default: from an installed axe package)")
    a = p.parse_args()
    a.database, a.url = absolute_database_url(a.database), None
    for k in ("NO_PROXY", "no_proxy"): os.environ[k] = "127.0.0.1,localhost"
    shots = os.path.abspath(a.screenshots) if a.screenshots else None
    if shots: os.makedirs(shots, exist_ok=True)

    r = Results()
    workdir = tempfile.mkdtemp(prefix="motcua-browser-")
    server = DeskServer(a, workdir)
    api = Api(server.base)
    driver = None

    def on_timeout(*_):
        raise TimeoutError(f"the run took more than {TOTAL_SECONDS} s")
    signal.signal(signal.SIGALRM, on_timeout)
    signal.alarm(TOTAL_SECONDS - 10)
    try:
        axe_path = find_axe(a.axe)
        axe_source = open(axe_path, encoding="utf-8").read() if axe_path else None
        if axe_path:
            version = re.search(r"axe v([\d.]+)", axe_source[:200])
            print(f"# axe-core {version.group(1) if version else '?'} from {axe_path}", flush=True)
        if not r.record(server.start(), "server starts", f"{a.database} on port {a.port}" + ("" if server.alive() else f"; log: {server.log_tail()}")):
            return 1
        driver = start_chromium(a)
        desk = Desk(driver, server.base, r, axe_source, shots)
        run_real_clock(desk, api, r, shots)
        late, ontime = prepare_lifecycle(api, r)
        if late and ontime:
            run_moved_clock(desk, api, server, r, late, ontime)
    except TimeoutError as e:
        r.record(False, "time limit", str(e))
    except Exception as e:  # noqa: BLE001 - a broken run is a failure, never a silent pass
        r.record(False, "run", f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")
    finally:
        signal.alarm(0)
        if driver:
            try: driver.quit()
            except WebDriverException: pass
        server.stop()
        if r.failed == 0: shutil.rmtree(workdir, ignore_errors=True)
        else: print(f"# server logs in {workdir}", flush=True)
    print(f"{r.passed} passed, {r.failed} failed", flush=True)
    return 1 if r.failed else 0


def run_real_clock(desk, api, r, shots):
    d = desk.d
    # 1. Login through the form.
    desk.go("/can-bo/dang-nhap")
    desk.audit("login page")
    def login():
        csrf = desk.login()
        ok = desk.path().rstrip("/") == "/can-bo" and d.find_elements(By.XPATH, "//h1[normalize-space()='Hồ sơ cần xử lý']")
        has_cookie = any(c["name"] != "" for c in d.get_cookies())
        return bool(ok and csrf and has_cookie), f"landed on {desk.path()} (csrf field {'present' if csrf else 'missing'})"
    if not r.run("login through the form", login):
        raise RuntimeError("cannot log in; the other checks need a session")

    # 4. Inbox counts.
    desk.go("/can-bo")
    desk.audit("inbox /can-bo", "inbox.png")
    r.run("inbox counts match the table, late first", lambda: inbox_counts(desk))

    # The Decision 766 indicators of the officer's agency (reached from the header link).
    desk.click_and_wait(d.find_element(By.LINK_TEXT, "Chỉ số 766"))
    desk.wait_url(r"/can-bo/chi-so")
    desk.audit("indicators /can-bo/chi-so", "indicators.png")
    def indicators():
        rows = d.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
        ids = [row.find_element(By.TAG_NAME, "th").text for row in rows]
        total = d.find_element(By.CSS_SELECTOR, "p.total").text
        return len(ids) >= 21 and "2.1" in ids and "Tổng điểm" in total, f"{len(ids)} rows, {total!r}"
    r.run("indicators page lists every Decision 766 indicator with the total", indicators)

    # 2. Counter intake, submitted twice.
    desk.go("/can-bo")
    desk.click_and_wait(d.find_element(By.LINK_TEXT, "Tiếp nhận hồ sơ mới"))
    Select(d.find_element(By.ID, "procedure")).select_by_value(PROCEDURE)
    d.find_element(By.XPATH, "//button[normalize-space()='Chọn thủ tục']").click()
    WebDriverWait(d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: d.find_elements(By.ID, "name"))
    desk.audit("intake form /can-bo/tiep-nhan", "intake.png")
    intake_path = desk.path()
    code = {"value": None}

    def intake():
        before = api.count()
        ticked = []
        for row in d.find_elements(By.CSS_SELECTOR, "main form table tbody tr"):
            box = row.find_element(By.CSS_SELECTOR, "input[type=checkbox]")
            label = row.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").text
            if "bắt buộc" in label:
                if not box.is_selected(): box.click()
                ticked.append(label)
        if not ticked: return False, "no component of the checklist is marked (bắt buộc)"
        d.find_element(By.ID, "name").send_keys(APPLICANT)
        d.find_element(By.ID, "idNumber").send_keys(ID_NUMBER)
        d.get_log("performance")  # drop what came before
        button = d.find_element(By.XPATH, "//main//form[@method='post']//button[@type='submit']")
        # A double click: the second click lands while the first submission is under way.
        d.execute_script("const b = arguments[0]; b.click(); setTimeout(() => { try { b.click(); } catch (e) {} }, 15);", button)
        desk.wait_url(r"/mau-01$")
        first = desk.path()
        # Then Back to the filled form and submit it again.
        d.back()
        WebDriverWait(d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: d.find_elements(By.ID, "name"))
        name_kept = d.find_element(By.ID, "name").get_attribute("value")
        d.find_element(By.XPATH, "//main//form[@method='post']//button[@type='submit']").click()
        desk.wait_url(r"/mau-01$")
        second = desk.path()
        posts = post_requests(d, "/can-bo/tiep-nhan")
        after = api.count()
        m = re.search(r"/can-bo/ho-so/([^/]+)/mau-01$", second)
        code["value"] = m.group(1) if m else None
        receipt = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in desk.text() and APPLICANT in desk.text()
        detail = (f"{posts} POSTs of the form sent (double click, then Back with name field '{name_kept}' and submit again); "
                  f"new dossiers: {after - before}; receipt pages {first} and {second}; Mẫu 01 shown: {receipt}")
        ok = after - before == 1 and first == second and receipt and posts >= 2
        return ok, detail
    r.run(f"double-submitted intake makes one dossier ({intake_path})", intake)
    if not code["value"]:
        code["value"] = api.open_th1(APPLICANT, f"browser-fallback-{time.time()}")["code"]
        print(f"# intake through the form gave no dossier; {code['value']} opened through the API for the next checks", flush=True)
    code = code["value"]

    # 3. Mẫu 01 on one A4 page.
    desk.go(f"/can-bo/ho-so/{code}/mau-01")
    desk.audit(f"Mẫu 01 /can-bo/ho-so/{code}/mau-01", "mau-01.png")
    def mau01_pdf():
        pdf = d.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69})
        data = base64.b64decode(pdf["data"])
        where = os.path.join(shots or tempfile.gettempdir(), "mau-01.pdf")
        with open(where, "wb") as f: f.write(data)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        return pages == 1, f"/can-bo/ho-so/{code}/mau-01 printed on A4: {pages} page(s) ({where})"
    r.run("Mẫu 01 prints on one A4 page", mau01_pdf)

    # 5. Supplement naming a listed component, then Mẫu 02.
    desk.go(f"/can-bo/ho-so/{code}")
    desk.audit(f"dossier page /can-bo/ho-so/{code}", "dossier.png")
    def supplement():
        form = desk.action_forms().get("request-supplement")
        if form is None: return False, f"no 'Yêu cầu bổ sung' form on /can-bo/ho-so/{code} (actions: {list(desk.action_forms())})"
        boxes = form.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name^=component]")
        names = [b.get_attribute("name") for b in boxes]
        if not boxes or names != [f"component{i}" for i in range(len(boxes))]:
            return False, f"component checkboxes are {names}"
        box = boxes[-1]
        box_name = box.get_attribute("name")
        wanted = form.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").text.strip()
        box.click()
        desk.submit(form)
        WebDriverWait(d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
        errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, "main .error")]
        if errors: return False, f"the request was refused: {errors[0]}"
        desk.go(f"/can-bo/ho-so/{code}/mau-02")
        cells = [c.text.strip() for c in d.find_elements(By.CSS_SELECTOR, "table td")]
        return wanted in cells, f"ticked {box_name} '{wanted}'; Mẫu 02 cells: {cells[:6]}"
    r.run("supplement with a listed component shows in Mẫu 02", supplement)
    if desk.path().endswith("/mau-02"):
        desk.audit(f"Mẫu 02 /can-bo/ho-so/{code}/mau-02", "mau-02.png")
    desk.go(f"/can-bo/ho-so/{code}")
    desk.audit(f"dossier page after supplement /can-bo/ho-so/{code}")

    # 8c. 390 px wide.
    d.set_window_size(390, 844)
    try:
        for label, path, shot in [("inbox", "/can-bo", "inbox-390.png"), ("intake form", intake_path, "intake-390.png"),
                                  ("dossier page", f"/can-bo/ho-so/{code}", "dossier-390.png")]:
            desk.go(path)
            desk.screenshot(shot)
            r.run(f"no horizontal scroll at 390 px: {label}", desk.no_horizontal_scroll)
    finally:
        d.set_window_size(1280, 900)


def prepare_lifecycle(api, r):
    """(late, ontime): a dossier left open, to finish after its appointment, and one finished on time now."""
    out = {}
    def make():
        stamp = time.strftime("%H%M%S")
        late = api.open_th1("Trần Thị Hồng", f"browser-late-{stamp}-{os.getpid()}")
        ontime = api.open_th1("Lê Văn Tâm", f"browser-ontime-{stamp}-{os.getpid()}")
        done = api.finish(ontime["code"])
        out.update(late=late, ontime=done)
        ok = done["status"] == "finished" and not done.get("late") and late.get("dueAt") and done.get("dueAt")
        return bool(ok), (f"late case {late['code']} (appointment {late.get('dueAt')}), on-time case {done['code']} finished "
                          f"before its appointment {done.get('dueAt')}")
    r.run("API: two TH1 dossiers opened, one finished on time", make)
    return out.get("late"), out.get("ontime")


def run_moved_clock(desk, api, server, r, late, ontime):
    d = desk.d
    lib = libfaketime()
    if not r.record(bool(lib), "libfaketime installed", lib or "no libfaketime.so.1 (apt-get install faketime)"):
        return
    now = api.server_now()
    due = max(datetime.fromisoformat(late["dueAt"]), datetime.fromisoformat(ontime["dueAt"]))
    days = max(1, math.ceil((due - now).total_seconds() / 86400)) + 3
    server.stop()
    env = {"LD_PRELOAD": lib, "FAKETIME": f"+{days}d", "FAKETIME_DONT_FAKE_MONOTONIC": "1", "DONT_FAKE_MONOTONIC": "1"}
    started = server.start(env, seconds=60)
    api.forget_tokens()
    moved = started and api.server_now() > due
    if not r.record(bool(moved), f"server restarted on the same database with the clock moved +{days} days",
                    f"server time {api.server_now().isoformat() if started else '—'}, latest appointment {due.isoformat()}"
                    + ("" if started else f"; log: {server.log_tail()}")):
        return
    code_late, code_ontime = late["code"], ontime["code"]
    def finish_late():
        d_ = api.finish(code_late)
        at = api.server_now()
        passed = at > datetime.fromisoformat(d_["dueAt"])
        return d_["status"] == "finished" and passed, (f"{code_late} {d_['status']} at {at.astimezone(VN):%Y-%m-%d %H:%M} (+07), "
                                                       f"appointment {d_['dueAt']}")
    if not r.run("API: the late dossier finished after its appointment", finish_late):
        return

    # Sessions issued before the move have expired at the server: log in again through the form.
    desk.go("/can-bo")
    if "/dang-nhap" in desk.path():
        desk.login()

    # 6. Late: no "Trả kết quả" before the apology, made through the form; then returned.
    desk.go(f"/can-bo/ho-so/{code_late}")
    desk.audit(f"late dossier before apology /can-bo/ho-so/{code_late}", "late-before-apology.png")
    def no_return_before_apology():
        forms = desk.action_forms()
        buttons = [b.text for b in d.find_elements(By.CSS_SELECTOR, "form button")]
        return "return" not in forms and "Trả kết quả" not in buttons, f"/can-bo/ho-so/{code_late} offers {list(forms)}"
    r.run("late dossier: no 'Trả kết quả' before an apology", no_return_before_apology)

    def apologize():
        form = desk.action_forms().get("apologize")
        if form is None: return False, f"no 'Xin lỗi, hẹn lại' form on /can-bo/ho-so/{code_late}"
        new_due = (api.server_now().astimezone(VN) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
        form.find_element(By.CSS_SELECTOR, "textarea[name=reason]").send_keys("Hồ sơ cần xác minh thêm với cơ quan Công an.")
        field = form.find_element(By.CSS_SELECTOR, "input[name=newAppointment]")
        # A datetime-local picker is typed differently in every locale: set its value as the picker would.
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                         field, new_due.strftime("%Y-%m-%dT%H:%M"))
        desk.submit(form)
        WebDriverWait(d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
        errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, "main .error")]
        state = api.dossier(code_late)
        made = len(state.get("apologies") or []) >= 1 or state.get("apologyNewDue") or state.get("newAppointment")
        return bool(made) and not errors, f"new appointment {new_due:%Y-%m-%d %H:%M}; {('error: ' + errors[0]) if errors else 'recorded'}"
    r.run("late dossier: apology made through the form", apologize)
    desk.go(f"/can-bo/ho-so/{code_late}")
    desk.audit(f"late dossier after apology /can-bo/ho-so/{code_late}", "late-after-apology.png")

    def return_late():
        form = desk.action_forms().get("return")
        if form is None: return False, f"no 'Trả kết quả' after the apology (offers {list(desk.action_forms())})"
        desk.submit(form)
        WebDriverWait(d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
        errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, "main .error")]
        status = api.dossier(code_late)["status"]
        desk.screenshot("late-returned.png")
        return status == "returned", f"status {status}" + (f"; page error: {errors[0]}" if errors else "")
    r.run("late dossier: 'Trả kết quả' after the apology returns it", return_late)
    desk.audit(f"late dossier returned /can-bo/ho-so/{code_late}")

    # 7. Finished on time, returned after its appointment with no apology.
    desk.go(f"/can-bo/ho-so/{code_ontime}")
    desk.audit(f"on-time dossier after its appointment /can-bo/ho-so/{code_ontime}", "ontime-finished.png")
    def return_ontime():
        form = desk.action_forms().get("return")
        if form is None: return False, f"no 'Trả kết quả' on /can-bo/ho-so/{code_ontime} (offers {list(desk.action_forms())})"
        desk.submit(form)
        WebDriverWait(d, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
        errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, "main .error")]
        state = api.dossier(code_ontime)
        ok = state["status"] == "returned" and not (state.get("apologies") or [])
        return ok, f"status {state['status']}, apologies {len(state.get('apologies') or [])}" + (f"; page error: {errors[0]}" if errors else "")
    r.run("on-time dossier: returned after its appointment with no apology", return_ontime)

    # The inbox again, with the clock moved (many late dossiers).
    desk.go("/can-bo")
    desk.audit("inbox with the moved clock /can-bo", "inbox-moved-clock.png")
    r.run("inbox counts match the table, late first (moved clock)", lambda: inbox_counts(desk))


if __name__ == "__main__":
    sys.exit(main())
