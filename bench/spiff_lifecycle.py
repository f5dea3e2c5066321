"""The peer engine of issue 11: SpiffWorkflow (a Python BPMN engine) running MotCua's lifecycle —
the intake, then six user tasks (transfer to the specialist, appraisal, the head's approval, the
director's approval, issue, return) — in-process, with the workflow's state serialised and committed
to SQLite (WAL, synchronous=FULL) after the intake and after every step, so each step is one
durable unit like an action of MotCua. The workflow stays in memory between steps (no reload), which
favours the peer.

usage: spiff_lifecycle.py DB_PATH SECONDS THREADS   (prints one JSON line with lifecycles per second)
"""
import json
import sqlite3
import sys
import threading
import time

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

STEPS = ["chuyen_chuyen_vien", "tham_dinh", "truong_phong_duyet", "giam_doc_duyet", "ban_hanh", "tra_ket_qua"]


def bpmn():
    tasks, flows, prev = [], [], "start"
    for i, s in enumerate(STEPS):
        tasks.append(f'<bpmn:userTask id="{s}" name="{s}"/>')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{prev}" targetRef="{s}"/>')
        prev = s
    flows.append(f'<bpmn:sequenceFlow id="fend" sourceRef="{prev}" targetRef="end"/>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="ho_so" isExecutable="true">
    <bpmn:startEvent id="start"/>
    {''.join(tasks)}
    <bpmn:endEvent id="end"/>
    {''.join(flows)}
  </bpmn:process>
</bpmn:definitions>"""


def main(path, seconds, threads):
    parser = BpmnParser()
    parser.add_bpmn_str(bpmn().encode())
    spec = parser.get_spec("ho_so")
    serializer = BpmnWorkflowSerializer()
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE IF NOT EXISTS workflows (id TEXT PRIMARY KEY, state TEXT NOT NULL, step INTEGER NOT NULL)")
    setup.close()
    stop = time.monotonic() + seconds
    done = [0] * threads
    errors = []

    def worker(w):
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")

        def save(wid, wf, step):
            state = serializer.serialize_json(wf)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO workflows (id, state, step) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
                         "step = excluded.step", (wid, state, step))
            conn.execute("COMMIT")

        i = 0
        try:
            while time.monotonic() < stop:
                i += 1
                wid = f"{w}-{i}"
                wf = BpmnWorkflow(spec)
                wf.data["applicant"] = "Người thử"
                wf.do_engine_steps()
                save(wid, wf, 0)
                for n, name in enumerate(STEPS, start=1):
                    ready = wf.get_tasks(state=TaskState.READY, manual=True)
                    if len(ready) != 1 or ready[0].task_spec.name != name:
                        raise RuntimeError(f"expected {name}, got {[t.task_spec.name for t in ready]}")
                    ready[0].data["by"] = f"can_bo_{n}"
                    ready[0].run()
                    wf.do_engine_steps()
                    save(wid, wf, n)
                if not wf.is_completed():
                    raise RuntimeError("workflow did not complete")
                done[w] += 1
        except Exception as e:  # noqa: BLE001 - reported
            errors.append(repr(e))
        finally:
            conn.close()

    started = time.monotonic()
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - started
    print(json.dumps({"lifecycles": sum(done), "seconds": round(elapsed, 2), "rate": sum(done) / elapsed, "errors": errors[:3]}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
