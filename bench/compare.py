#!/usr/bin/env python3
"""Issue 11's benchmark, in one process tree and one run, on SQLite and PostgreSQL (durable
settings: SQLite WAL + synchronous=FULL, PostgreSQL fsync on):

1. a raw client (bench/raw_client.py: Python's sqlite3 / psycopg, 16 writer threads, one
   transaction per dossier) writing the rows of one MotCua intake, copied from a sample intake;
2. MotCua intake over HTTP with wrk at 16 and at 64 clients (dossiers/s, p50, p99); then reads
   (dossier page, inbox, API list; 2 connections, 20 ms apart) while intake runs at 16 clients: read
   p50/p99;
3. full lifecycles over HTTP (bench/lifecycle.lua with wrk: intake + 6 actions by five officers,
   16 connections, one lifecycle at a time on each);
4. SpiffWorkflow (bench/spiff_lifecycle.py) on the same 6-step process, state committed to SQLite
   after every step, 16 threads;
and the server's peak RSS. Prints each figure and each ratio, and writes them as JSON.

usage: bench/compare.py [--seconds 10] [--databases sqlite,postgres] [--binary .build/release/motcua]
Installs what it needs: wrk (Debian), SpiffWorkflow, psycopg, requests (PyPI); PostgreSQL must be
installed (bench/compare.sh starts it as .ci/run does).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INTAKE = ('{"procedureCode":"2.000488","caseCode":"TH1","channel":"counter","applicant":{"kind":"person",'
          '"name":"Nguyễn Văn Thử","idNumber":"092095001234"},"documents":[{"component":"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",'
          '"form":"original","count":1},{"component":"Căn cước hoặc hộ chiếu của người được cấp Phiếu","form":"original","count":1}]}')
USER, PASSWORD = "tiepnhan.sotuphap", "motcua-demo"
LIFECYCLE_USERS = ["tiepnhan.sotuphap", "chuyenvien.sotuphap", "truongphong.sotuphap", "giamdoc.sotuphap", "vanthu.sotuphap"]


def ensure_tools():
    if not shutil.which("wrk"):
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk", shell=True, check=True)
    missing = []
    for module, package in (("SpiffWorkflow", "SpiffWorkflow==3.2.0"), ("psycopg", "psycopg[binary]"), ("requests", "requests")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *missing], check=True)


def ensure_postgres():
    """Installs (Debian) and starts PostgreSQL's main cluster, with the role motcua; returns its port."""
    if not shutil.which("pg_lsclusters"):
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql", shell=True, check=True)
    line = next(l for l in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.splitlines()
                if l.split()[1] == "main")
    version, _, port, status = line.split()[:4]
    if status != "online":
        subprocess.run(["pg_ctlcluster", version, "main", "start"], check=True)
    for _ in range(30):
        if subprocess.run(["su", "postgres", "-c", f"psql -p {port} -qtAc 'select 1'"], capture_output=True).returncode == 0:
            break
        time.sleep(1)
    has_role = subprocess.run(["su", "postgres", "-c", f"psql -p {port} -qtAc \"select 1 from pg_roles where rolname='motcua'\""],
                              capture_output=True, text=True).stdout.strip()
    if has_role != "1":
        subprocess.run(["su", "postgres", "-c", f"psql -p {port} -qc \"create role motcua login password 'motcua' createdb\""], check=True)
    return int(port)


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body.encode() if body else None, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read().decode()


class Server:
    def __init__(self, binary, url, port, log):
        self.base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, MOTCUA_LOG_LEVEL="error")
        self.proc = subprocess.Popen([binary, "serve", "--port", str(port), "--database", url], env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
        for _ in range(240):
            try:
                if http("GET", self.base + "/healthz")[0] == 200:
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.5)
        raise SystemExit("the server did not start")

    def peak_rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0

    def token(self, user=USER):
        _, body = http("POST", self.base + "/api/v1/auth/token", json.dumps({"username": user, "password": PASSWORD}),
                       {"Content-Type": "application/json"})
        return json.loads(body)["token"]

    def desk_cookie(self):
        import requests
        s = requests.Session()
        page = s.get(self.base + "/can-bo/dang-nhap").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        s.post(self.base + "/can-bo/dang-nhap", data={"username": USER, "password": PASSWORD, "csrf": csrf}, allow_redirects=False)
        return "motcua_session=" + s.cookies["motcua_session"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


class Store:
    """Reads and copies the benchmark database (SQLite file or PostgreSQL database)."""

    def __init__(self, kind, work, pg):
        self.kind, self.work, self.pg = kind, work, pg

    def fresh(self, name):
        if self.kind == "sqlite":
            return f"sqlite://{self.work}/{name}.sqlite"
        self.admin(f"DROP DATABASE IF EXISTS {name}")
        self.admin(f"CREATE DATABASE {name} OWNER motcua")
        return f"postgres://motcua:motcua@127.0.0.1:{self.pg}/{name}"

    def admin(self, sql):
        subprocess.run(["su", "postgres", "-c", f"psql -p {self.pg} -qc '{sql}'"], check=True, stdout=subprocess.DEVNULL)

    def copy(self, url, name):
        if self.kind == "sqlite":
            src = sqlite3.connect(url[len("sqlite://"):])
            dst_path = f"{self.work}/{name}.sqlite"
            dst = sqlite3.connect(dst_path)
            src.backup(dst)
            dst.close()
            src.close()
            return "sqlite://" + dst_path
        self.admin(f"DROP DATABASE IF EXISTS {name}")
        self.admin(f"CREATE DATABASE {name} OWNER motcua TEMPLATE {url.rsplit('/', 1)[1]}")
        return f"postgres://motcua:motcua@127.0.0.1:{self.pg}/{name}"

    def rows(self, url, sql, args=()):
        if self.kind == "sqlite":
            conn = sqlite3.connect(url[len("sqlite://"):])
            conn.row_factory = sqlite3.Row
            out = [dict(r) for r in conn.execute(sql, args)]
            conn.close()
            return out
        import psycopg
        from psycopg.rows import dict_row
        with psycopg.connect(url, row_factory=dict_row) as conn:
            return [dict(r) for r in conn.execute(sql.replace("?", "%s"), args)]


# The counter tables one intake adds to, with their key columns (IndicatorCounters.swift).
COUNTER_TABLES = (("indicator_counters", ("agency_code", "day", "procedure_code", "channel", "measure")),
                  ("indicator_procedure_totals", ("period", "agency_code", "procedure_code", "measure")),
                  ("indicator_totals", ("period", "agency_code", "measure")))


def counters(store, url):
    out = {}
    for table, keys in COUNTER_TABLES:
        for r in store.rows(url, f"SELECT {', '.join(keys)}, value FROM {table}"):
            out[(table,) + tuple(r[k] for k in keys)] = r["value"]
    return out


def sample_intake(store, server, url, work):
    """One intake through MotCua; returns the rows it wrote, for the raw client to copy."""
    before = counters(store, url)
    key = "sample-" + str(time.time())
    _, body = http("POST", server.base + "/api/v1/dossiers", INTAKE, {"Content-Type": "application/json",
                   "Authorization": "Bearer " + server.token(), "Idempotency-Key": key})
    code = json.loads(body)["code"]
    after = counters(store, url)
    changed = [k for k in after if after[k] != before.get(k)]
    dossier = store.rows(url, "SELECT * FROM dossiers WHERE code = ?", (code,))[0]
    sample = {
        "run": str(int(time.time())),
        "dossier": dossier,
        "day": datetime.datetime.fromtimestamp(dossier["submitted_at"], datetime.timezone(datetime.timedelta(hours=7))).date().isoformat(),
        "events": store.rows(url, "SELECT * FROM dossier_events WHERE dossier_code = ? ORDER BY seq", (code,)),
        "forms": store.rows(url, "SELECT * FROM dossier_forms WHERE dossier_code = ?", (code,)),
        "audit": store.rows(url, "SELECT * FROM audit_entries WHERE subject = ? ORDER BY seq", (code,)),
        "idempotency": store.rows(url, "SELECT * FROM idempotency_keys WHERE key = ?", (f"{USER}:{key}",))[0],
        "counters": [{"table": table, "keys": list(keys), "values": [k[1 + i] for i in range(len(keys))], "add": after[k] - before.get(k, 0)}
                     for table, keys in COUNTER_TABLES for k in changed if k[0] == table],
    }
    path = f"{work}/sample-{store.kind}.json"
    with open(path, "w") as f:
        json.dump(sample, f, default=str)
    return code, path, sample


def wrk(script, base, clients, seconds, env):
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script, base],
                         env=env, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    return {k: float(v.rstrip("/sm")) for k, v in re.findall(r"(\w+)=([\d.]+[/sm]*)", line)}


def bench_engine(kind, args, work, pg):
    store = Store(kind, work, pg)
    log = open(f"{work}/server-{kind}.log", "w")
    url = store.fresh("motcua_compare")
    server = Server(args.binary, url, args.port, log)
    code, sample_path, sample = sample_intake(store, server, url, work)
    server.stop()
    raw_url = store.copy(url, "motcua_compare_raw")
    result = {"engine": kind, "sample_rows": {k: len(v) if isinstance(v, list) else 1 for k, v in sample.items() if k not in ("run", "day")}}
    print(f"[{kind}] raw client: {args.seconds} s, 16 writer threads", flush=True)
    result["raw"] = json.loads(subprocess.run([sys.executable, f"{HERE}/raw_client.py", raw_url, sample_path, str(args.seconds), "16"],
                                              capture_output=True, text=True, check=True).stdout)
    server = Server(args.binary, url, args.port, log)
    env = dict(os.environ, BENCH_TOKEN=server.token(), BENCH_COOKIE=server.desk_cookie(), BENCH_CODE=code)
    for clients in (16, 64):
        print(f"[{kind}] intake over HTTP, {clients} clients", flush=True)
        result[f"intake{clients}"] = wrk(f"{HERE}/intake.lua", server.base, clients, args.seconds, env)
    print(f"[{kind}] reads (dossier page, inbox, API list; 2 connections, 20 ms apart) under intake at 16 clients", flush=True)
    reads = subprocess.Popen(["wrk", "-t1", "-c2", f"-d{args.seconds}s", "--latency", "-s", f"{HERE}/reads.lua", server.base],
                             env=env, stdout=subprocess.PIPE, text=True)
    result["intake_with_reads"] = wrk(f"{HERE}/intake.lua", server.base, 16, args.seconds, env)
    line = next(l for l in reads.communicate()[0].splitlines() if l.startswith("RESULT"))
    result["reads"] = {k: float(v.rstrip("/sm")) for k, v in re.findall(r"(\w+)=([\d.]+[/sm]*)", line)}
    result["open_dossiers_after"] = len(store.rows(url, "SELECT code FROM dossiers WHERE ended_at IS NULL"))
    print(f"[{kind}] lifecycles over HTTP, 16 clients", flush=True)
    env["BENCH_TOKENS"] = ",".join(server.token(u) for u in LIFECYCLE_USERS)
    out = subprocess.run(["wrk", "-t16", "-c16", f"-d{args.seconds}s", "--latency", "-s", f"{HERE}/lifecycle.lua", server.base],
                         env=env, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    result["lifecycle"] = {k: float(v.rstrip("/sm")) for k, v in re.findall(r"(\w+)=([\d.]+[/sm]*)", line)}
    result["lifecycles"] = result["lifecycle"]["rate"]
    result["peak_rss_mb"] = round(server.peak_rss_mb(), 1)
    server.stop()
    print(f"[{kind}] SpiffWorkflow: {args.seconds} s, 16 threads", flush=True)
    spiff_db = f"{work}/spiff-{kind}.sqlite"
    result["spiff"] = json.loads(subprocess.run([sys.executable, f"{HERE}/spiff_lifecycle.py", spiff_db, str(args.seconds), "16"],
                                                capture_output=True, text=True, check=True).stdout)
    return result


def report(results):
    print()
    print("| database | raw client (16 writers) | intake 16 clients | ratio | p99 | intake 64 clients | ratio | p99 | "
          "reads p50 / p99 under intake | lifecycles | SpiffWorkflow | ratio | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        raw = r["raw"]["rate"]
        i16, i64 = r["intake16"], r["intake64"]
        print(f"| {r['engine']} | {raw:,.0f}/s | {i16['rate']:,.0f}/s | {i16['rate'] / raw:.2f}× | {i16['p99']:.1f} ms | "
              f"{i64['rate']:,.0f}/s | {i64['rate'] / raw:.2f}× | {i64['p99']:.1f} ms | "
              f"{r['reads']['p50']:.1f} / {r['reads']['p99']:.1f} ms | {r['lifecycles']:,.1f}/s | {r['spiff']['rate']:,.1f}/s | "
              f"{r['lifecycles'] / r['spiff']['rate']:.2f}× | {r['peak_rss_mb']:.0f} MB |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--binary", default=f"{ROOT}/.build/release/motcua")
    p.add_argument("--port", type=int, default=18110)
    p.add_argument("--json", default=None, help="also write the figures to this file")
    args = p.parse_args()
    ensure_tools()
    work = tempfile.mkdtemp(prefix="motcua-compare-")
    os.environ.setdefault("MOTCUA_AUDIT_KEY_DIR", f"{work}/keys")
    kinds = args.databases.split(",")
    pg_port = ensure_postgres() if "postgres" in kinds else 0
    print(f"{datetime.datetime.now().isoformat(timespec='seconds')} {args.binary}, {args.seconds} s per run", flush=True)
    results = [bench_engine(kind, args, work, pg_port) for kind in kinds]
    print(json.dumps(results, indent=1, default=str))
    report(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": datetime.date.today().isoformat(), "results": results}, f, indent=1, default=str)
    for r in results:
        for k in ("raw", "spiff"):
            if r[k]["errors"]:
                raise SystemExit(f"{r['engine']} {k} failed: {r[k]['errors']}")


if __name__ == "__main__":
    main()
