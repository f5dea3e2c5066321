#!/usr/bin/env python3
"""Notifications really sent: MotCua's outbox delivered to a real SMTP server (aiosmtpd, started here).

usage: smtp_delivery.py --binary .build/debug/motcua --database sqlite:///tmp/mail.sqlite --port 18097

1. Five citizens register through the portal's form: five confirmation mails arrive, each with the
   subject "Xác nhận địa chỉ thư điện tử", a Vietnamese UTF-8 body and a link that confirms the account.
2. kill -9 between send and confirm: the SMTP server holds its "250" for the next message; when that
   message's data has arrived, the server process is killed with SIGKILL (so MotCua never recorded it as
   sent), then started again. Every message arrives, the one caught in the kill at most twice (with the
   same Message-ID), none is lost, and the five confirmed earlier are not sent again.
Last line: "N passed, M failed"; exit 1 on a failure. Loopback only, bounded (about 2 minutes).
"""
import argparse, asyncio, email, email.header, os, re, signal, socket, subprocess, sys, tempfile, threading, time
import requests
from aiosmtpd.controller import Controller

PASSWORD = "mat-khau-rat-dai"


class Handler:
    """Records every message; when `hold` is set, keeps the next message's 250 back for `hold` seconds."""
    def __init__(self):
        self.messages, self.lock, self.hold, self.held = [], threading.Lock(), 0, threading.Event()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
        body = msg.get_payload(decode=True).decode("utf-8", "replace")
        with self.lock:
            self.messages.append({"to": envelope.rcpt_tos[0], "id": msg["Message-ID"], "subject": subject, "body": body})
            hold, self.hold = self.hold, 0
        if hold:
            self.held.set()
            await asyncio.sleep(hold)
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if m["to"] == address]


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        self.passed += bool(ok); self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}{' — ' + detail if detail else ''}", flush=True)


def start(a, smtp_port, workdir):
    env = dict(os.environ, MOTCUA_LOG_LEVEL="warning", MOTCUA_SMTP_HOST="127.0.0.1", MOTCUA_SMTP_PORT=str(smtp_port),
               MOTCUA_SMTP_SECURITY="none", MOTCUA_NOTIFY_INTERVAL_SECONDS="1", MOTCUA_BLOB_DIR=os.path.join(workdir, "blobs"),
               MOTCUA_PUBLIC_BASE_URL=f"http://127.0.0.1:{a.port}")
    env.setdefault("MOTCUA_AUDIT_KEY_DIR", os.path.join(workdir, "keys"))
    proc = subprocess.Popen([os.path.abspath(a.binary), "serve", "--port", str(a.port), "--database", a.database], cwd=workdir, env=env,
                            stdout=open(os.path.join(workdir, "server.log"), "a"), stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{a.port}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not start")


def register(base, i):
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/dang-ky", timeout=10).text).group(1)
    r = s.post(base + "/dang-ky", data=dict(csrf=csrf, kind="person", fullName=f"Công Dân Số {i}", idNumber=f"0921950{i:05d}",
                                            email=f"cong.dan.{i}@example.vn", password=PASSWORD, password2=PASSWORD), timeout=30)
    return r.status_code


def wait(predicate, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.3)
    return predicate()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True); p.add_argument("--database", required=True); p.add_argument("--port", type=int, default=18097)
    a = p.parse_args()
    if a.database.startswith("sqlite://") and not a.database.startswith("sqlite:///"):
        a.database = "sqlite://" + os.path.abspath(a.database[len("sqlite://"):])
    workdir = tempfile.mkdtemp(prefix="motcua-mail-")
    handler = Handler()
    with socket.socket() as probe:  # a free loopback port for the SMTP server
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    base = f"http://127.0.0.1:{a.port}"
    res, proc = Results(), None
    try:
        proc = start(a, smtp_port, workdir)
        # 1. five registrations, five mails with working links
        codes = [register(base, i) for i in range(1, 6)]
        res.check(codes == [201] * 5, "five registrations through the form", str(codes))
        first = [f"cong.dan.{i}@example.vn" for i in range(1, 6)]
        res.check(wait(lambda: all(handler.to(x) for x in first), 30), "five confirmation mails arrive at the SMTP server",
                  f"{sum(bool(handler.to(x)) for x in first)}/5")
        m = (handler.to(first[0]) or [{}])[0]
        res.check(m.get("subject") == "Xác nhận địa chỉ thư điện tử", "subject in Vietnamese (RFC 2047)", repr(m.get("subject")))
        link = re.search(r"(http://\S+/xac-nhan-email\?ma=[A-Za-z0-9_-]+)", m.get("body", ""))
        res.check(bool(link) and "Kính gửi Công Dân Số 1" in m.get("body", ""), "body names the citizen and carries the link")
        if link:
            r = requests.get(link.group(1), timeout=10)
            res.check(r.status_code == 200 and "Đã xác nhận thư điện tử" in r.text, "the link confirms the account", str(r.status_code))
            r = requests.get(link.group(1), timeout=10)
            res.check(r.status_code == 400, "the link works once", str(r.status_code))

        # 2. kill -9 between send and confirm
        handler.hold = 20
        held_codes = [register(base, i) for i in range(6, 9)]
        second = [f"cong.dan.{i}@example.vn" for i in range(6, 9)]
        caught = handler.held.wait(30)
        res.check(caught and held_codes == [201] * 3, "a message reached the SMTP server, its 250 held back")
        victim = next((x for x in second if handler.to(x)), None)
        os.kill(proc.pid, signal.SIGKILL); proc.wait(timeout=30)
        res.check(True, f"server killed with SIGKILL before confirming the mail to {victim}")
        proc = start(a, smtp_port, workdir)
        res.check(wait(lambda: all(handler.to(x) for x in second), 40), "after the restart every message arrives (none lost)",
                  f"{sum(bool(handler.to(x)) for x in second)}/3")
        time.sleep(3)  # let anything sent twice show
        counts = {x: len(handler.to(x)) for x in first + second}
        res.check(counts.get(victim, 0) in (1, 2), f"the message caught in the kill arrived at most twice ({counts.get(victim)})")
        ids = {m["id"] for m in handler.to(victim)} if victim else set()
        res.check(len(ids) == 1, "a resent message keeps its Message-ID (receivers can drop the duplicate)", str(ids))
        res.check(all(counts[x] == 1 for x in first + second if x != victim), "every other message arrived exactly once",
                  str({k: v for k, v in counts.items() if v != 1 and k != victim}))
    except Exception as e:  # noqa: BLE001 — report, do not hide
        res.check(False, "run", f"{e.__class__.__name__}: {e}")
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try: proc.wait(timeout=30)
            except subprocess.TimeoutExpired: proc.kill()
        controller.stop()
    print(f"{res.passed} passed, {res.failed} failed")
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
