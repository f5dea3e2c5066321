"""Real-browser test of the citizens' portal: headless Chromium through selenium, as a citizen would.

Usage:
    python3 Tests/browser/portal_test.py --binary PATH --database URL --port N [--screenshots DIR]

It starts a real SMTP server (aiosmtpd) and `PATH serve` (in a working directory of its own), then:
registration through the form, the confirmation mail at the SMTP server and its link; login; online
submission of 1.001193 at phường Ninh Kiều with uploaded PDFs and one document reused from the
citizen's store, submitted with a double click (one dossier); the officer receives it (API) and asks
for a supplement (the mail arrives); the citizen supplements online; a fee-bearing 2.000635 paid in the
sandbox gateway, a forged callback refused; the officers process 1.001193 to its electronic result;
the citizen downloads it and rates the service; a stranger's tracking with a wrong check learns nothing,
the right check shows the status; the desk sees the reused document. On every citizen page: no
English UI words, axe-core with no serious or critical violation; at 390×844 no horizontal scroll.
Last line: `N passed, M failed`; exit 1 when M > 0. Loopback only, bounded (5 min).
"""
import os, re, shutil, signal, socket, sys, tempfile, time

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "notifications"))
import desk_test  # noqa: E402  (Results, DeskServer, Api, Desk, chromium, axe)
from desk_test import Desk, DeskServer, Results, find_axe, start_chromium  # noqa: E402
from smtp_delivery import Handler  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from probe_common import absolute_database_url  # noqa: E402
import requests  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

EMAIL, ID_NUMBER, NAME, PASSWORD = "tran.thi.binh@example.vn", "092195004321", "Trần Thị Bình", "mat-khau-rat-dai"
BIRTH = ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh (hoặc văn bản xác nhận của người làm chứng, giấy cam đoan về việc sinh)",
         "Giấy tờ tùy thân của người đi đăng ký khai sinh"]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
STAFF = ["tiepnhan.ninhkieu", "chuyenvien.ninhkieu", "lanhdao.ninhkieu", "vanthu.ninhkieu"]
TOTAL_SECONDS = 300


class Portal(Desk):
    """The browser on the portal, with the desk test's page checks."""
    def check_page(self, label, shot=None, narrow=True):
        self.audit(label, shot)
        if narrow:
            self.d.set_window_size(390, 844)
            self.r.run(f"390px {label}", self.no_horizontal_scroll)
            if shot: self.screenshot(shot.replace(".png", "-390.png"))
            self.d.set_window_size(1280, 900)

    def wait(self, predicate, seconds=20):
        WebDriverWait(self.d, seconds, ignored_exceptions=(WebDriverException,)).until(lambda d: predicate())
        WebDriverWait(self.d, seconds, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def fill(self, field_id, value):
        e = self.d.find_element(By.ID, field_id)
        e.clear()
        e.send_keys(value)

    def submit(self, xpath):
        """Clicks the button and waits for the next page (a bare click returns before it loads)."""
        self.click_and_wait(self.d.find_element(By.XPATH, xpath))

    def cookies(self):
        return {c["name"]: c["value"] for c in self.d.get_cookies()}


def wait_mail(handler, subject_part, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        for m in handler.to(EMAIL):
            if subject_part in m["subject"]:
                return m
        time.sleep(0.3)
    return None


def act(api, code, action, extra=None, users=STAFF):
    """The first officer who may take `action` takes it."""
    for user in users:
        d = api.dossier(code, user) if api.call("GET", user, f"/api/v1/dossiers/{code}").status_code == 200 else None
        if d and action in (d.get("allowedActions") or []):
            r = api.call("POST", user, f"/api/v1/dossiers/{code}/actions", json={"action": action, "version": d["version"], **(extra or {})})
            if r.status_code != 200: raise RuntimeError(f"{user} {action}: {r.status_code} {r.text[:200]}")
            return user
    raise RuntimeError(f"nobody may {action} {code}")


def finish_and_return(api, code):
    """Drives the dossier through its steps, records an electronic result and returns it."""
    recorded = False
    for _ in range(12):
        d = api.dossier(code, "tiepnhan.ninhkieu")
        if d["status"] == "returned": return
        done = False
        for user in STAFF:
            mine = api.dossier(code, user)
            allowed = mine.get("allowedActions") or []
            if "record-result" in allowed and not recorded:
                recorded = True
                f = api.call("POST", user, f"/api/v1/dossiers/{code}/files?name=giay-khai-sinh.pdf", data=PDF + b"% Giay khai sinh",
                             headers={"Content-Type": "application/pdf"})
                body = {"action": "record-result", "version": mine["version"], "electronic": True, "file": f.json()["id"]}
            else:
                name = next((x for x in ("transfer", "approve", "issue", "return") if x in allowed), None)
                if not name: continue
                body = {"action": name, "version": mine["version"], **({"number": "15/2026"} if name == "issue" else {})}
            r = api.call("POST", user, f"/api/v1/dossiers/{code}/actions", json=body)
            if r.status_code != 200: raise RuntimeError(f"{user} {body['action']}: {r.status_code} {r.text[:200]}")
            done = True
            break
        if not done: raise RuntimeError(f"{code} is stuck in {d['status']}")
    raise RuntimeError(f"{code} was not returned")


def upload(p, index, name, data, workdir):
    path = os.path.join(workdir, name)
    with open(path, "wb") as f: f.write(data)
    before = p.d.current_url
    field = p.d.find_element(By.ID, f"files-{index}")
    field.send_keys(path)
    field.find_element(By.XPATH, "./ancestor::form").find_element(By.TAG_NAME, "button").click()
    p.wait(lambda: p.d.current_url != before or p.d.find_elements(By.CSS_SELECTOR, ".error"))


def run(p, api, handler, r, workdir):
    d, base = p.d, p.base
    # Registration and the confirmation mail.
    p.go("/dang-ky")
    p.check_page("registration /dang-ky", "register.png")
    for k, v in (("fullName", NAME), ("idNumber", ID_NUMBER), ("email", EMAIL), ("password", PASSWORD), ("password2", PASSWORD)): p.fill(k, v)
    p.submit("//main//form//button[@type='submit']")
    r.run("registration through the form", lambda: (bool(d.find_elements(By.XPATH, "//h1[normalize-space()='Đăng ký thành công']")), p.path()))
    p.check_page("registration done", narrow=False)
    mail = wait_mail(handler, "Xác nhận địa chỉ thư điện tử")
    link = re.search(r"(http://\S+/xac-nhan-email\?ma=[A-Za-z0-9_-]+)", mail["body"]) if mail else None
    r.record(bool(link), "the confirmation mail arrives at the SMTP server with its link", mail["subject"] if mail else "no mail")
    if not link: raise RuntimeError("no confirmation link")
    d.get(link.group(1))
    r.run("the link confirms the e-mail", lambda: ("Đã xác nhận thư điện tử" in p.text(), p.path()))
    # Login.
    p.go("/dang-nhap")
    p.check_page("login /dang-nhap", "login.png")
    p.fill("login", EMAIL); p.fill("password", PASSWORD)
    p.submit("//main//form//button[@type='submit']")
    p.wait(lambda: "/dang-nhap" not in d.current_url)
    r.run("login", lambda: ("motcua_citizen" in p.cookies() and NAME in p.text(), p.path()))
    token = requests.post(base + "/api/v1/citizen/token", json={"login": EMAIL, "password": PASSWORD}, timeout=30).json()["token"]
    mine = lambda: requests.get(base + "/api/v1/me/dossiers", headers={"Authorization": "Bearer " + token}, timeout=30).json()["items"]  # noqa: E731

    # Online submission of 1.001193 with uploads and one reused document.
    p.go("/thu-tuc/1.001193")
    p.click_and_wait(d.find_element(By.LINK_TEXT, "Nộp hồ sơ trực tuyến"))
    p.check_page("start /nop-truc-tuyen/1.001193", "start.png")
    Select(d.find_element(By.ID, "agency")).select_by_value("H13.41")
    p.submit("//button[normalize-space()='Tiếp tục: đính kèm giấy tờ']")
    p.wait(lambda: "/ho-so-nhap/" in d.current_url)
    p.check_page("draft page", "draft.png")
    upload(p, 0, "to-khai.pdf", PDF + b"% to khai", workdir)
    upload(p, 1, "giay-chung-sinh.pdf", PDF + b"% chung sinh", workdir)
    Select(d.find_element(By.ID, "reuse-2")).select_by_index(0)
    d.find_element(By.ID, "reuse-2").find_element(By.XPATH, "./ancestor::form").find_element(By.TAG_NAME, "button").click()
    p.wait(lambda: "ok=dung-lai" in d.current_url)
    r.run("a document reused from the store is marked", lambda: ("dùng lại từ kho dữ liệu" in p.text(), p.path()))
    p.check_page("draft with documents", "draft-complete.png")
    # A double click: two real POSTs of the form (the second after the first has left), as a browser sends them.
    d.execute_script("""const f = document.querySelector("form[action$='/nop']");
        const again = f.cloneNode(true); again.style.display = 'none'; document.body.appendChild(again);
        f.submit(); setTimeout(() => again.submit(), 30);""")
    time.sleep(2)
    p.wait(lambda: re.search(r"/ho-so-cua-toi/H13\.41-\d{6}-\d{4}", d.current_url) or d.find_elements(By.TAG_NAME, "h1"))
    r.run("after a double click the citizen sees the new dossier, not an error",
          lambda: (bool(re.search(r"/ho-so-cua-toi/H13\.41-\d{6}-\d{4}", d.current_url)) and "Lỗi" not in d.title, f"{p.path()} — {d.title}"))
    code = re.search(r"H13\.41-\d{6}-\d{4}", d.current_url).group(0) if re.search(r"H13\.41-\d{6}-\d{4}", d.current_url) else None
    if not code:
        p.go("/ho-so-cua-toi"); code = re.search(r"H13\.41-\d{6}-\d{4}", p.text()).group(0)
    r.run("a double click submits one dossier", lambda: (len(mine()) == 1, f"{len(mine())} dossier(s)"))
    p.go(f"/ho-so-cua-toi/{code}")
    secret = d.find_element(By.XPATH, "//dt[normalize-space()='Mã tra cứu']/following-sibling::dd[1]/strong").text
    p.check_page("dossier submitted", "dossier-submitted.png")
    p.go("/ho-so-cua-toi"); p.check_page("my dossiers /ho-so-cua-toi", "dossiers.png")
    p.go("/kho-du-lieu"); p.check_page("document store /kho-du-lieu", "store.png")
    p.go("/ca-nhan"); p.check_page("profile /ca-nhan", "profile.png")

    # The officer receives it and asks for a supplement; the citizen supplements online.
    r.run("the officer sees the online submission", lambda: (api.dossier(code, "tiepnhan.ninhkieu")["status"] == "submitted", code))
    act(api, code, "receive")
    act(api, code, "request-supplement", {"components": [BIRTH[1]]})
    r.record(bool(wait_mail(handler, "cần bổ sung")), "the supplement mail arrives")
    p.go(f"/ho-so-cua-toi/{code}")
    r.run("the dossier waits for the supplement", lambda: ("Chờ bổ sung hồ sơ" in p.text(), p.path()))
    p.check_page("dossier waiting for a supplement", "dossier-supplement.png")
    index = d.find_element(By.XPATH, "//section[@aria-labelledby='bo-sung']//input[@type='file']").get_attribute("id").split("-")[1]
    upload(p, index, "giay-chung-sinh-ban-moi.pdf", PDF + b"% moi", workdir)
    p.submit("//button[normalize-space()='Gửi hồ sơ bổ sung']")
    p.wait(lambda: "ok=bo-sung" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".error"))
    r.run("the supplement is sent online and processing resumes", lambda: ("Đang xử lý" in p.text(), p.path()))

    # A fee-bearing procedure paid in the sandbox; a forged callback is refused.
    p.go("/nop-truc-tuyen/2.000635")
    Select(d.find_element(By.ID, "agency")).select_by_value("H13.41")
    p.submit("//button[normalize-space()='Tiếp tục: đính kèm giấy tờ']")
    p.wait(lambda: "/ho-so-nhap/" in d.current_url)
    upload(p, 0, "to-khai-trich-luc.pdf", PDF + b"% trich luc", workdir)
    p.submit("//button[normalize-space()='Nộp hồ sơ']")
    p.wait(lambda: "ok=nop" in d.current_url)
    code2 = re.search(r"H13\.41-\d{6}-\d{4}", d.current_url).group(0)
    p.submit("//button[normalize-space()='Nộp phí trực tuyến']")
    p.wait(lambda: "/cong-thanh-toan-thu-nghiem" in d.current_url)
    p.check_page("sandbox gateway", "gateway.png")
    ref = re.search(r"ref=(\w+)", d.current_url).group(1)
    forged = requests.post(base + "/api/v1/payments/callback", json={"reference": ref, "amount": 8000, "status": "00", "transactionID": "GIA",
                                                                     "paidAt": "20261203090000", "signature": "0" * 64}, timeout=30)
    r.record(forged.status_code == 400, "a forged callback is refused", str(forged.status_code))
    p.submit("//button[normalize-space()='Thanh toán']")
    p.wait(lambda: "/thanh-toan/ket-qua" in d.current_url)
    r.run("paid in the sandbox, with a receipt", lambda: ("Thanh toán thành công" in p.text() and "BL" in p.text(), p.path()))
    p.check_page("payment result", "payment-result.png")
    d.refresh()
    r.run("the same return twice changes nothing", lambda: ("Thanh toán thành công" in p.text(), p.path()))
    p.go(f"/ho-so-cua-toi/{code2}")
    r.run("the dossier shows the receipt", lambda: ("Biên lai điện tử số" in p.text() and "trực tuyến" in p.text(), p.path()))

    # Processed to the result; downloaded; rated.
    finish_and_return(api, code)
    p.go(f"/ho-so-cua-toi/{code}")
    p.check_page("dossier returned", "dossier-returned.png")
    got = requests.get(base + f"/ho-so-cua-toi/{code}/ket-qua", cookies=p.cookies(), timeout=30)
    r.record(got.status_code == 200 and got.content.startswith(b"%PDF"), "the citizen downloads the electronic result", str(got.status_code))
    for q in ("overall", "guidance", "time", "result"):
        d.find_element(By.ID, f"{q}-satisfied").click()
    p.fill("comment", "Cán bộ hướng dẫn tận tình")
    p.submit("//button[normalize-space()='Gửi đánh giá']")
    p.wait(lambda: "ok=danh-gia" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".error"))
    r.run("the citizen rates the service once", lambda: ("Đánh giá của Ông/Bà" in p.text() and "Gửi đánh giá" not in p.text(), p.path()))

    # Tracking: a stranger with a wrong check learns nothing.
    stranger = requests.get(base + f"/tra-cuu?ma={code}&kiem-tra=0000", timeout=30)
    r.record(stranger.status_code == 404 and NAME not in stranger.text and ID_NUMBER not in stranger.text and EMAIL not in stranger.text,
             "tracking with a wrong check learns nothing", str(stranger.status_code))
    p.go(f"/tra-cuu?ma={code}&kiem-tra=0000"); p.check_page("tracking, wrong check", "tracking-wrong.png")
    p.go(f"/tra-cuu?ma={code}&kiem-tra={secret}")
    r.run("tracking with the receipt's secret shows the status", lambda: ("Đã trả kết quả" in p.text(), p.path()))
    p.check_page("tracking, right check", "tracking.png")
    p.go("/tra-cuu"); p.check_page("tracking form /tra-cuu")
    p.go("/phan-anh-kien-nghi"); p.check_page("feedback /phan-anh-kien-nghi", "feedback.png")
    p.go("/xac-nhan-sdt"); p.check_page("phone confirmation /xac-nhan-sdt", "phone.png")

    # The desk sees the reused document.
    s = requests.Session()
    page = s.get(base + "/can-bo/dang-nhap", timeout=30).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    s.post(base + "/can-bo/dang-nhap", data={"csrf": csrf, "username": "tiepnhan.ninhkieu", "password": "motcua-demo"}, timeout=30)
    desk = s.get(base + f"/can-bo/ho-so/{code}", timeout=30).text
    r.record("công dân dùng lại từ kho dữ liệu" in desk, "the desk sees which document was reused")


def main():
    p = __import__("argparse").ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True); p.add_argument("--database", required=True); p.add_argument("--port", type=int, required=True)
    p.add_argument("--screenshots")
    p.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    p.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    p.add_argument("--axe")
    a = p.parse_args()
    a.database, a.url = absolute_database_url(a.database), None
    for k in ("NO_PROXY", "no_proxy"): os.environ[k] = "127.0.0.1,localhost"
    shots = os.path.abspath(a.screenshots) if a.screenshots else None
    if shots: os.makedirs(shots, exist_ok=True)
    r, workdir = Results(), tempfile.mkdtemp(prefix="motcua-portal-")
    handler = Handler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0)); smtp_port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server, driver = DeskServer(a, workdir), None
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError(f"the run took more than {TOTAL_SECONDS} s")))
    signal.alarm(TOTAL_SECONDS - 10)
    try:
        axe_path = find_axe(a.axe)
        axe_source = open(axe_path, encoding="utf-8").read() if axe_path else None
        env = {"MOTCUA_SMTP_HOST": "127.0.0.1", "MOTCUA_SMTP_PORT": str(smtp_port), "MOTCUA_SMTP_SECURITY": "none", "MOTCUA_NOTIFY_INTERVAL_SECONDS": "1",
               "MOTCUA_BLOB_DIR": os.path.join(workdir, "blobs"), "MOTCUA_PUBLIC_BASE_URL": server.base}
        if not r.record(server.start(extra_env=env), "server starts", a.database): return 1
        driver = start_chromium(a)
        run(Portal(driver, server.base, r, axe_source, shots), desk_test.Api(server.base), handler, r, workdir)
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
        controller.stop()
        if r.failed == 0: shutil.rmtree(workdir, ignore_errors=True)
        else: print(f"# server logs in {workdir}", flush=True)
    print(f"{r.passed} passed, {r.failed} failed", flush=True)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
