#!/usr/bin/env python3
"""Durability test: kill -9 the server during concurrent intake, restart it, and find every
dossier that was acknowledged (HTTP 201) before the kill. Also checks that the daily codes have no
gaps and that the audit chain is intact.

usage: kill9.py MOTCUA_BINARY DATABASE_URL [--port 18090] [--clients 16] [--seconds 3]
Exits non-zero when an acknowledged dossier is missing.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error, uuid

# The required components of 2.000488 TH1: a dossier received at once must hold them.
REQUIRED = ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Căn cước hoặc hộ chiếu của người được cấp Phiếu"]

p = argparse.ArgumentParser()
p.add_argument("binary"); p.add_argument("database")
p.add_argument("--port", type=int, default=18090); p.add_argument("--clients", type=int, default=16)
p.add_argument("--seconds", type=float, default=3.0)
a = p.parse_args()
base = f"http://127.0.0.1:{a.port}"
# This run's own checkpoint file: a database recreated under the same name must not be compared
# with an earlier run's checkpoints.
env = dict(os.environ, MOTCUA_LOG_LEVEL="error",
           MOTCUA_AUDIT_CHECKPOINTS=os.path.join(tempfile.mkdtemp(prefix="motcua-kill9-"), "audit-checkpoints.jsonl"))

def start():
    proc = subprocess.Popen([a.binary, "serve", "--port", str(a.port), "--database", a.database], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read(); return proc
        except Exception:
            time.sleep(0.25)
    proc.kill(); sys.exit("server did not start")

def call(method, path, body=None, token=None, headers=None, timeout=10):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token: req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items(): req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"{}")

def login():
    return call("POST", "/api/v1/auth/token", {"username": "tiepnhan.sotuphap", "password": "motcua-demo"})[1]["token"]

server = start()
token = login()
acknowledged, lock, stop = [], threading.Lock(), threading.Event()
errors = [0]

def client(n):
    i = 0
    while not stop.is_set():
        body = {"procedureCode": "2.000488", "caseCode": "TH1", "channel": "counter",
                "applicant": {"kind": "person", "name": f"Khách {n}-{i}", "idNumber": "092095001234"},
                "documents": [{"component": c, "form": "original", "count": 1} for c in REQUIRED]}
        try:
            status, d = call("POST", "/api/v1/dossiers", body, token, {"Idempotency-Key": str(uuid.uuid4())}, timeout=5)
            if status == 201:
                with lock: acknowledged.append(d["code"])
        except Exception:
            errors[0] += 1  # connection reset by the kill: not acknowledged
        i += 1

threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(a.clients)]
for t in threads: t.start()
time.sleep(a.seconds)
server.send_signal(signal.SIGKILL)
server.wait()
stop.set()
for t in threads: t.join(timeout=10)
with lock: acked = list(acknowledged)
print(f"killed the server with SIGKILL after {a.seconds}s: {len(acked)} dossiers acknowledged, {errors[0]} requests cut off")

server = start()
token = login()
missing = []
for code in acked:
    try:
        call("GET", "/api/v1/dossiers/" + code, token=token)
    except urllib.error.HTTPError as e:
        missing.append((code, e.code))
codes, offset = [], 0
while True:
    status, listing = call("GET", f"/api/v1/dossiers?limit=1000&offset={offset}", token=token)
    codes += [d["code"] for d in listing["items"]]
    if listing["count"] < 1000: break
    offset += 1000
codes.sort()
by_day = {}
for c in codes:
    prefix, day, seq = c.rsplit("-", 2)
    by_day.setdefault((prefix, day), []).append(int(seq))
gaps = [(k, v) for k, v in by_day.items() if sorted(v) != list(range(1, len(v) + 1))]
server.send_signal(signal.SIGTERM); server.wait()
verify = subprocess.run([a.binary, "audit", "verify", "--database", a.database], env=env, capture_output=True, text=True)
print(verify.stdout.strip() or verify.stderr.strip())
print(f"after restart: {len(acked) - len(missing)}/{len(acked)} acknowledged dossiers found; {len(codes)} in the database; "
      f"daily codes gap-free: {not gaps}")
if missing or gaps or verify.returncode != 0 or not acked:
    print("FAILED", missing[:10], gaps[:3]); sys.exit(1)
print("1 passed, 0 failed")
