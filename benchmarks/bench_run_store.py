"""Run store: update rows written per second (batched), file size per 10,000 updates, read time.

Each update row is what a BackgroundTrainer listener records for a two-layer network with TBPTT
(segment, time range, step counts, learning rate, per-layer gradient norms and update ratios).

    python benchmarks/bench_run_store.py            # 100,000 rows in batches of 500 (and 50, 5000)
    python benchmarks/bench_run_store.py --rows 20000 --json PATH
"""
from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import tempfile
import time
from pathlib import Path

from workbench.runs import RunStore


def info(i: int) -> dict:
    return {"batch": i // 4, "segment": i % 4, "time_range": (25 * (i % 4), 25 * (i % 4) + 25),
            "labelled_steps": 800, "examples": 32, "length": 100, "learning_rate": 1e-3,
            "grad_norms": [0.1 + i * 1e-6, 0.2], "update_ratios": [1e-3, 2e-3 + i * 1e-9]}


def bench(rows: int, batch_rows: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        store = RunStore(Path(folder) / "runs.sqlite")
        run_id = store.create_run("bench", "classification", {"layers": []}, {"epochs": 1})
        infos = [info(i) for i in range(rows)]
        t = time.perf_counter()
        with store.writer(run_id, batch_rows=batch_rows, flush_seconds=3600) as w:
            for i, inf in enumerate(infos):
                w.append_update(i, i // 1000, 1.0 / (i + 1), inf)
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        n = len(store.metrics(run_id).updates["iteration"])
        read_s = time.perf_counter() - t
        store.close()
        with sqlite3.connect(store.path) as c:          # fold the WAL in, then measure the file
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = c.execute("PRAGMA page_count").fetchone()[0] * c.execute("PRAGMA page_size").fetchone()[0]
        empty = _empty_size(Path(folder) / "empty.sqlite")
        assert n == rows
        return {"rows": rows, "batch_rows": batch_rows, "rows_per_s": rows / write_s, "write_s": write_s,
                "read_s": read_s, "bytes_per_10k": (pages - empty) * 10_000 / rows}


def _empty_size(path: Path) -> int:
    RunStore(path).close()
    with sqlite3.connect(path) as c:
        return c.execute("PRAGMA page_count").fetchone()[0] * c.execute("PRAGMA page_size").fetchone()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    print(f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.machine()}")
    print(f"{'batch':>6} {'rows':>8} {'rows/s':>10} {'write s':>8} {'read s':>7} {'MB per 10k updates':>19}")
    results = []
    for batch_rows in (50, 500, 5000):
        r = bench(args.rows, batch_rows)
        results.append(r)
        print(f"{batch_rows:>6} {r['rows']:>8} {r['rows_per_s']:>10,.0f} {r['write_s']:>8.2f} {r['read_s']:>7.3f} "
              f"{r['bytes_per_10k'] / 1e6:>19.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
