"""Run store across processes (spawned): two writers at once, and a writer killed mid-write."""
import multiprocessing
import os
import signal
import sqlite3
import time

from workbench.runs import RunStore

BATCH = 50


def write_rows(path, run_id, n, batch_rows=BATCH, go=None):
    """A writer process: n update rows of run ``run_id`` (forever when n is None), batch by batch,
    once every party of the barrier ``go`` (if any) is ready."""
    store = RunStore(path)
    with store.writer(run_id, batch_rows=batch_rows, flush_seconds=3600) as w:
        if go is not None:
            go.wait(60)
        i = 0
        while n is None or i < n:
            w.append_update(i, i // 100, 1.0 / (i + 1), {"segment": i % 3, "grad_norms": [0.5, float(i)]})
            i += 1


CONTEXT = multiprocessing.get_context("spawn")


def spawn(*args):
    p = CONTEXT.Process(target=write_rows, args=args)
    p.start()
    return p


def test_two_writer_processes_and_this_one_write_the_same_store_at_once(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    ids = [store.create_run(f"run{i}", "classification", {}) for i in range(3)]
    go = CONTEXT.Barrier(3)                                            # all three start together
    procs = [spawn(store.path, ids[0], 20_000, BATCH, go), spawn(store.path, ids[1], 20_000, BATCH, go)]
    write_rows(store.path, ids[2], 5000, 7, go)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    spans = []
    for run_id, n in zip(ids, (20_000, 20_000, 5000)):
        u = store.metrics(run_id).updates
        assert u["iteration"].tolist() == list(range(n)) and u["grad_norms"][:, 1].tolist() == list(range(n))
        spans.append((u["wall_time"][0], u["wall_time"][-1]))
    assert max(a for a, _ in spans) < min(b for _, b in spans)         # all three wrote at the same time


def test_a_writer_killed_mid_write_leaves_every_flushed_batch_and_a_sound_store(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run_id = store.create_run("doomed", "classification", {})
    proc = spawn(store.path, run_id, None)
    deadline, seen = time.monotonic() + 60, 0
    while seen < 20 * BATCH and time.monotonic() < deadline:          # still writing, batch after batch
        seen = store.get_run(run_id).updates
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL and seen >= 20 * BATCH
    store.close()
    with sqlite3.connect(store.path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reopened = RunStore(store.path)
    n = reopened.get_run(run_id).updates
    assert n >= seen and n % BATCH == 0                               # whole batches, none torn
    assert reopened.metrics(run_id).updates["iteration"].tolist() == list(range(n))
    with reopened.writer(run_id) as w:                                  # no lock left behind
        w.append_update(n, 0, 1.0)
        w.set_status("failed", "worker killed")
    assert reopened.get_run(run_id).updates == n + 1
