"""The independent baseline of issue 11: a plain database client writing the rows that one MotCua
intake writes, one transaction per dossier, from N writer threads (SQLite: Python's sqlite3 module;
PostgreSQL: psycopg, one connection per thread).

The rows are copied from a sample intake that MotCua itself wrote into a copy of the database: the
dossier row (with its indexes), the two history events, the receipt's form number and its row, the
daily sequence, the counter upserts (the daily counters and the month and year roll-ups, every
row the sample added to, by what it added), the
two audit entries with the move of the chain head, and the idempotency key with the stored
response. Only the keys change (code, sequence numbers, idempotency key); the client computes no
hash and encodes no JSON, so it is the cheapest possible writer of the same data.

usage: raw_client.py URL SAMPLE_JSON SECONDS THREADS   (prints one JSON line with the rate)
"""
import json
import sys
import threading
import time


def connect(url):
    if url.startswith("sqlite://"):
        import sqlite3
        conn = sqlite3.connect(url[len("sqlite://"):], timeout=30, isolation_level=None, check_same_thread=False,
                               cached_statements=256)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn, "?", "BEGIN IMMEDIATE", ""
    import psycopg
    conn = psycopg.connect(url, autocommit=True)
    return conn, "%s", "BEGIN", " FOR UPDATE"


def run(url, sample, seconds, threads):
    stop = time.monotonic() + seconds
    counts = [0] * threads
    errors = []
    latencies = []
    lock = threading.Lock()

    def writer(w):
        conn, p, begin, for_update = connect(url)
        cur = conn.cursor()
        d, agency = sample["dossier"], sample["dossier"]["agency_code"]
        day, year = sample["day"], int(sample["day"][:4])
        mine = []
        i = 0
        try:
            while time.monotonic() < stop:
                i += 1
                t0 = time.perf_counter()
                key = f"raw-{w}-{i}-{sample['run']}"
                cur.execute(begin)
                cur.execute(f"SELECT username, request_hash, status, body FROM idempotency_keys WHERE key = {p}", (key,))
                cur.fetchall()
                cur.execute(f"INSERT INTO dossier_sequences (agency_code, day, last) VALUES ({p}, {p}, 1) "
                            "ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last",
                            (agency, day))
                seq = cur.fetchone()[0]
                code = f"R{w:02d}{i:07d}-{seq}"
                row = dict(d, code=code, state=d["state"].replace(d["code"], code))
                cols = list(row)
                cur.execute(f"INSERT INTO dossiers ({', '.join(cols)}) VALUES ({', '.join([p] * len(cols))})", [row[c] for c in cols])
                ev_cols = ["dossier_code", "seq", "at", "event", "due_at", "supplement_count", "waiting_since"]
                values, binds = [], []
                for e in sample["events"]:
                    values.append("(" + ", ".join([p] * len(ev_cols)) + ")")
                    binds += [code] + [e[c] for c in ev_cols[1:]]
                cur.execute(f"INSERT INTO dossier_events ({', '.join(ev_cols)}) VALUES {', '.join(values)}", binds)
                for f in sample["forms"]:
                    cur.execute(f"INSERT INTO form_numbers (agency_code, form, year, last) VALUES ({p}, {p}, {p}, 1) "
                                "ON CONFLICT (agency_code, form, year) DO UPDATE SET last = form_numbers.last + 1 RETURNING last",
                                (agency, f["form"], year))
                    n = cur.fetchone()[0]
                    cur.execute(f"INSERT INTO dossier_forms (dossier_code, event_seq, form, number) VALUES ({p}, {p}, {p}, {p})",
                                (code, f["event_seq"], f["form"], f"{n}/{f['number'].split('/')[-1]}"))
                for table in dict.fromkeys(c["table"] for c in sample["counters"]):
                    rows = [c for c in sample["counters"] if c["table"] == table]
                    keys = rows[0]["keys"]
                    values = ", ".join("(" + ", ".join([p] * (len(keys) + 1)) + ")" for _ in rows)
                    binds = [x for r in rows for x in r["values"] + [r["add"]]]
                    cur.execute(f"INSERT INTO {table} ({', '.join(keys)}, value) VALUES {values} "
                                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET value = {table}.value + excluded.value",
                                binds)
                cur.execute(f"SELECT seq, hash FROM audit_heads WHERE chain = {p}{for_update}", (agency,))
                head = cur.fetchone()
                a_cols = ["chain", "seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash", "key_id"]
                values, binds, aseq = [], [], head[0]
                for a in sample["audit"]:
                    aseq += 1
                    values.append("(" + ", ".join([p] * len(a_cols)) + ")")
                    binds += [agency, aseq, a["at"], a["actor"], a["action"], code, a["detail"], a["prev_hash"], a["hash"], a["key_id"]]
                cur.execute(f"INSERT INTO audit_entries ({', '.join(a_cols)}) VALUES {', '.join(values)}", binds)
                cur.execute(f"UPDATE audit_heads SET seq = {p}, hash = {p} WHERE chain = {p}", (aseq, sample["audit"][-1]["hash"], agency))
                k = sample["idempotency"]
                cur.execute(f"INSERT INTO idempotency_keys (key, username, request_hash, status, body, created_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                            (key, k["username"], k["request_hash"], k["status"], k["body"].replace(d["code"], code), k["created_at"]))
                cur.execute("COMMIT")
                counts[w] += 1
                mine.append(time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001 - reported to the caller
            errors.append(repr(e))
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    started = time.monotonic()
    ts = [threading.Thread(target=writer, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0
    return {"dossiers": sum(counts), "seconds": round(elapsed, 2), "rate": sum(counts) / elapsed, "p99_ms": round(p99, 2), "errors": errors[:3]}


if __name__ == "__main__":
    url, sample_path, seconds, threads = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    with open(sample_path) as f:
        sample = json.load(f)
    print(json.dumps(run(url, sample, seconds, threads)))
