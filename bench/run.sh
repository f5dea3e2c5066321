#!/usr/bin/env bash
# Intake and lifecycle benchmarks on SQLite and PostgreSQL, durable settings (SQLite
# synchronous=FULL, PostgreSQL fsync on), over loopback with wrk. Needs a release build
# (swift build -c release), wrk (apt-get install wrk) and a local PostgreSQL (see .ci/run).
# usage: bench/run.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=.build/release/motcua
pgport=$(pg_lsclusters -h | awk '$2=="main" && $4=="online" {print $3; exit}')
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

fresh_db() { # kind name -> URL
  if [ "$1" = sqlite ]; then echo "sqlite://$work/$2.sqlite"; else
    su postgres -c "psql -p $pgport -qc 'drop database if exists $2'" >/dev/null
    su postgres -c "psql -p $pgport -qc 'create database $2 owner motcua'" >/dev/null
    echo "postgres://motcua:motcua@127.0.0.1:$pgport/$2"; fi
}

for kind in sqlite postgres; do
  echo "== $kind"
  url=$(fresh_db $kind motcua_bench_db)
  MOTCUA_LOG_LEVEL=error $bin bench db --database "$url" --concurrency 16 --count 3000
  url=$(fresh_db $kind motcua_bench_http)
  MOTCUA_LOG_LEVEL=error MOTCUA_DEMO=true $bin serve --port 18100 --database "$url" & server=$!
  for i in $(seq 1 120); do curl -fsS http://127.0.0.1:18100/healthz >/dev/null 2>&1 && break; sleep 0.5; done
  export BENCH_TOKEN=$(curl -fsS -XPOST http://127.0.0.1:18100/api/v1/auth/token -H 'content-type: application/json' \
    -d '{"username":"tiepnhan.sotuphap","password":"motcua-demo"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  for c in 16 64; do
    printf "intake over HTTP, %s clients: " $c
    wrk -t2 -c$c -d${secs}s --latency -s bench/intake.lua http://127.0.0.1:18100 | grep RESULT
  done
  curl -fsS http://127.0.0.1:18100/metrics | grep -E '^motcua_db_commit_(batches|units) ' || true
  $bin bench lifecycle --url http://127.0.0.1:18100 --concurrency 16 --count 300
  kill -TERM $server; wait $server || true
done
