"""Past one process: sweep throughput on 1 vs 2 workers, and data-parallel time per update vs
workers (with its overhead against the gradient size and the break-even minibatch).

Every worker process has one BLAS thread (``local_cluster``), and so has this process.

    python benchmarks/bench_distributed.py                 # 8 sweep points; minibatches 16..256
    python benchmarks/bench_distributed.py --quick --json PATH
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from workbench.data import DataSet  # noqa: E402
from workbench.distributed import fit_data_parallel, local_cluster, sweep  # noqa: E402
from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer  # noqa: E402


def data(n, t, n_in=8, batches=1, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(batches):
        x = rng.normal(size=(n, n_in, t)).astype(np.float32)
        out.append(DataSet(x, np.eye(2, dtype=np.float32)[(x[:, 0] > 0).astype(int)].transpose(0, 2, 1).copy()))
    return out


def conf(hidden, n_in=8):
    return MultiLayerConfiguration([LSTM(hidden), RnnOutputLayer(2)], input_type=InputType.recurrent(n_in), seed=1,
                                   updater=Adam(0.01))


def warm() -> None:
    """Run in each worker: one small fit (imports, the compiled cell)."""
    MultiLayerNetwork(conf(64)).init().fit(data(32, 50, batches=2))


def sweep_seconds(workers: int, points: int, epochs: int) -> float:
    """Wall time of a sweep of ``points`` configurations (learning rates) on ``workers`` workers."""
    client = local_cluster(n_workers=workers)
    try:
        train = data(32, 50, batches=8)
        client.run(warm)                                 # every worker imports and compiles before the clock
        t0 = time.perf_counter()
        results = sweep(conf(64), {"updater.lr": list(np.geomspace(1e-3, 1e-1, points))}, train, client=client,
                        epochs=epochs)
        assert all(r.error is None for r in results)
        return time.perf_counter() - t0
    finally:
        client.close()


def per_update(client, n, t, hidden, updates=4) -> float:
    """Seconds per update of fit_data_parallel (client given) or net.fit (client None)."""
    net = MultiLayerNetwork(conf(hidden)).init()
    batches = data(n, t, batches=updates)
    run = (lambda: net.fit(batches)) if client is None else (lambda: fit_data_parallel(net, batches, client))
    run()                                                                       # warm-up
    t0 = time.perf_counter()
    run()
    return (time.perf_counter() - t0) / updates


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller shapes (a smoke run)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = {"cpus": os.cpu_count()}
    points, epochs = (4, 2) if args.quick else (8, 20)
    one, two = sweep_seconds(1, points, epochs), sweep_seconds(2, points, epochs)
    result["sweep"] = {"points": points, "one_worker_s": one, "two_workers_s": two, "speedup": one / two}
    print(f"sweep of {points} configurations (LSTM 64, 8 minibatches of 32 x 50 steps, {epochs} epochs): "
          f"1 worker {one:.2f} s, 2 workers {two:.2f} s: {one / two:.2f}x")

    shapes = [(16, 20, 32), (64, 50, 64), (256, 100, 256)] if not args.quick else [(16, 20, 32), (64, 50, 64)]
    client = local_cluster(n_workers=2)
    rows = []
    try:
        one_worker = local_cluster(n_workers=1)
        try:
            for n, t, h in shapes:
                alone = per_update(None, n, t, h, updates=2 if h >= 256 else 4)
                dp1 = per_update(one_worker, n, t, h, updates=2 if h >= 256 else 4)
                dp2 = per_update(client, n, t, h, updates=2 if h >= 256 else 4)
                params = MultiLayerNetwork(conf(h)).init().num_params()
                rows.append({"n": n, "t": t, "hidden": h, "params": params, "bytes_each_way": params * 4,
                             "alone_ms": 1000 * alone,
                             "one_worker_ms": 1000 * dp1, "two_workers_ms": 1000 * dp2,
                             "overhead_ms": 1000 * (dp1 - alone)})
                print(f"minibatch {n} x {t} steps, LSTM {h} ({params:,} parameters: {params * 4 / 1e6:.2f} MB of "
                      f"float32 parameters to and gradient from each worker per update): alone "
                      f"{1000 * alone:.1f} ms/update, 1 worker {1000 * dp1:.1f}, 2 workers {1000 * dp2:.1f} "
                      f"({alone / dp2:.2f}x of alone); overhead of the round trip {1000 * (dp1 - alone):.1f} ms")
        finally:
            one_worker.close()
    finally:
        client.close()
    result["data_parallel"] = rows
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
