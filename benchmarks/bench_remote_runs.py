"""Runs in Dask workers: cluster start time, throughput in a worker vs in this process, progress rate,
stop latency.

One small run: LSTM(32) -> RnnOutputLayer(2), float64, TBPTT 25 over series of 100 steps, 20
minibatches of 16 (80 updates an epoch). Both sides use one BLAS thread. The worker's rate is
its stored updates over its stored run time (started .. ended), as the store records it.

    python benchmarks/bench_remote_runs.py                # 2 workers, 3 epochs, 3 stops
    python benchmarks/bench_remote_runs.py --epochs 5 --json PATH
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")         # before NumPy loads: one BLAS thread, as a worker
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from workbench.data import DataSet  # noqa: E402
from workbench.distributed import local_cluster  # noqa: E402
from workbench.nn import LSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, Trainer  # noqa: E402
from workbench.runs import RunStore  # noqa: E402
from workbench.runs.remote import submit_run  # noqa: E402


def data(n_batches=20, n=16, t=100, seed=0) -> list:
    """Classification DataSets: features (n, 3, t), one-hot labels (n, 2, t)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_batches):
        x = rng.normal(size=(n, 3, t))
        out.append(DataSet(x, np.eye(2)[(x[:, 0] > 0).astype(int)].transpose(0, 2, 1).copy()))
    return out


def conf():
    return MultiLayerConfiguration([LSTM(32), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1,
                                   dtype="float64", backprop_type="tbptt", tbptt_fwd_length=25)


def wait_for(predicate, timeout=60.0, every=0.005):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("bench_remote_runs: timed out")
        time.sleep(every)


def in_process(train, epochs: int, store=None) -> float:
    """Updates per second of ``net.fit`` here; with ``store``, of the worker's work done here (the
    Trainer with layer statistics, every update written to the store)."""
    net = MultiLayerNetwork(conf()).init()
    t0 = time.perf_counter()
    if store is None:
        net.fit(train, epochs=epochs)
    else:
        with store.writer(store.create_run("here", "bench", conf(), {}), flush_seconds=0.1) as w:
            Trainer(net, w.append_update, layer_stats=True).fit(train, epochs)
    return net.iteration_count / (time.perf_counter() - t0)


def main(epochs: int, stops: int, workers: int, repeats: int) -> dict:
    train = data()

    t0 = time.perf_counter()
    client = local_cluster(n_workers=workers)
    client.run(os.getpid)                                   # every worker answers
    start_s = time.perf_counter() - t0
    folder = tempfile.TemporaryDirectory()
    store = RunStore(Path(folder.name) / "runs.sqlite")
    plain = max(in_process(train, epochs) for _ in range(repeats))
    alike = max(in_process(train, epochs, store) for _ in range(repeats))
    [shared] = client.scatter([train], hash=False)         # once, for every run below
    in_worker, arrivals, rows, progress_s = [], 0, 0, 0.0
    for k in range(repeats):
        run = submit_run(client, store.path, store.create_run(f"rate{k}", "bench", conf(), {}), shared,
                         epochs=epochs)
        wait_for(lambda: run.state == "running")
        polled = time.perf_counter()
        while run.state == "running":                       # what a page polling every 20 ms gets
            got = len(run.progress()["iteration"])
            arrivals, rows = arrivals + (got > 0), rows + got
            time.sleep(0.02)
        progress_s += time.perf_counter() - polled
        assert run.wait(60) == "finished", run.error
        stored = store.get_run(run.run_id)
        in_worker.append(stored.updates / (stored.ended - stored.started))
    latencies = []
    for k in range(stops):
        run = submit_run(client, store.path, store.create_run(f"stop{k}", "bench", conf(), {}), shared,
                         epochs=1000)
        wait_for(lambda: len(store.metrics(run.run_id).updates["iteration"]) > 0)
        asked = time.perf_counter()
        run.stop()
        wait_for(lambda: run.state == "stopped")
        latencies.append(time.perf_counter() - asked)
        run.future.result(10)
    client.close()
    store.close()
    folder.cleanup()
    return {"machine": platform.platform(), "cpus": os.cpu_count(), "workers": workers, "epochs": epochs,
            "cluster_start_s": round(start_s, 2),
            "updates_per_s_in_process_fit": round(plain, 1), "updates_per_s_in_process_like_worker": round(alike, 1),
            "updates_per_s_in_worker": round(max(in_worker), 1),
            "worker_vs_fit": round(max(in_worker) / plain, 3), "worker_vs_like_worker": round(max(in_worker) / alike, 3),
            "progress_arrivals_per_s": round(arrivals / progress_s, 1), "progress_rows": rows,
            "stop_latency_s": [round(s, 3) for s in latencies]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stops", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs, each side")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    result = main(args.epochs, args.stops, args.workers, args.repeats)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
