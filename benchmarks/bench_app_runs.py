"""The app's runs (RunService, as the served page starts them): training throughput in the app vs
alone for one and two runs at once, cluster start time, progress-update rate and stop latency.

"Alone" is ``net.fit`` of the same task's network and data in fresh processes with one BLAS
thread, as many at once as the app trains runs, without and with the evaluation on the test data
after each epoch that the app's runs make. "In the app" is ``WorkbenchSession.start_training``
with a RunService (two embedded workers at niceness 10, every update, layer summary and epoch
evaluation written to the run store), each run followed here as the Train tab follows it (a poll
every 0.2 s), after one warm-up run on each worker. A run's rate is its updates over its stored run
time (started .. ended); "first to last update" leaves out what comes before and after training.

    python benchmarks/bench_app_runs.py                   # JapaneseVowels, 60 epochs (540 updates a run), 3 repeats
    python benchmarks/bench_app_runs.py --task "UCI synthetic control" --epochs 5 --json PATH
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")         # before NumPy loads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def alone(task_name: str, epochs: int) -> tuple:
    """(updates per second of ``net.fit`` of the task's default network, the same with the app's
    per-epoch evaluation on the test data), each in this (fresh) process."""
    from workbench.eval import evaluate
    from workbench.nn import MultiLayerNetwork
    from workbench.nn.trainer import count_updates
    from workbench.ui.catalog import TASKS
    task = TASKS[task_name]
    rates = []
    for with_eval in (False, True):
        train, test = task.load()
        net = MultiLayerNetwork(task.default_config()).init()
        updates = count_updates(net, train) * epochs
        t0 = time.perf_counter()
        for _ in range(epochs):
            net.fit(train, epochs=1)
            if with_eval and test is not None:
                evaluate(net, test, task.kind)
        rates.append(updates / (time.perf_counter() - t0))
    return tuple(rates)


def alone_rates(task: str, epochs: int, runs: int) -> list:
    with ProcessPoolExecutor(runs) as pool:
        return list(pool.map(alone, [task] * runs, [epochs] * runs))


def follow(run, stop: threading.Event, seen: list) -> None:
    """Poll ``run`` every 0.2 s (as the Train tab does); record (time, updates) when it grew."""
    while not stop.is_set() and run.alive:
        n = len(run.history)
        run.poll()
        if len(run.history) > n:
            seen.append((time.perf_counter(), len(run.history)))
        time.sleep(0.2)


def in_app(service, task: str, epochs: int, runs: int) -> dict:
    """``runs`` sessions start a run each at once; their rates and the progress each poll saw."""
    from workbench.ui.session import WorkbenchSession
    sessions = [WorkbenchSession(task, runs=service) for _ in range(runs)]
    started = [s.start_training(epochs) for s in sessions]
    stop, seen = threading.Event(), [[] for _ in started]
    threads = [threading.Thread(target=follow, args=(r, stop, s)) for r, s in zip(started, seen)]
    for t in threads:
        t.start()
    for t in threads:                           # each ends with its run (it polls the store)
        t.join(600)
    stop.set()
    rates, training, progress = [], [], []
    for r, s in zip(started, seen):
        stored = service.store.get_run(r.run_id)
        rates.append(stored.updates / (stored.ended - stored.started))
        wall = service.store.metrics(r.run_id).updates["wall_time"]
        training.append((len(wall) - 1) / (wall[-1] - wall[0]))
        if len(s) > 1:
            progress.append((len(s) - 1) / (s[-1][0] - s[0][0]))
    return {"rates": rates, "first_to_last_update": training, "progress_per_s": progress}


def stop_latency(service, task: str, repeats: int = 3) -> list:
    """Seconds from ``stop()`` on a training run to the store saying it stopped."""
    from workbench.ui.session import WorkbenchSession
    out = []
    for _ in range(repeats):
        run = WorkbenchSession(task, runs=service).start_training(1000)
        while len(run.history) < 5:
            run.poll()
            time.sleep(0.01)
        t0 = time.perf_counter()
        run.stop()
        while run.alive:
            run.poll()
            time.sleep(0.005)
        out.append(time.perf_counter() - t0)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", default="JapaneseVowels")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from workbench.runs.service import RunService

    result = {"machine": platform.platform(), "cpus": os.cpu_count(), "task": args.task, "epochs": args.epochs}
    with tempfile.TemporaryDirectory() as folder:
        service = RunService(Path(folder) / "runs.sqlite", n_workers=2)
        t0 = time.perf_counter()
        service.warm_up().result()
        result["cluster_start_s"] = time.perf_counter() - t0
        in_app(service, args.task, 1, 2)             # warm up: each worker imports and compiles once
        for runs in (1, 2):                          # alone and in the app in turns, --repeats times
            result[f"alone_{runs}"], result[f"app_{runs}"] = [], []
            for _ in range(args.repeats):
                result[f"alone_{runs}"].append(alone_rates(args.task, args.epochs, runs))
                result[f"app_{runs}"].append(in_app(service, args.task, args.epochs, runs))
        result["stop_latency_s"] = stop_latency(service, args.task)
        service.close()

    print(f"{args.task}, {args.epochs} epochs, {os.cpu_count()} cores; cluster (2 workers) started in "
          f"{result['cluster_start_s']:.2f} s")
    for runs in (1, 2):
        fit = np.median([sum(x[0] for x in a) for a in result[f"alone_{runs}"]])
        fit_eval = np.median([sum(x[1] for x in a) for a in result[f"alone_{runs}"]])
        mine = np.median([sum(app["rates"]) for app in result[f"app_{runs}"]])
        progress = np.median([p for app in result[f"app_{runs}"] for p in app["progress_per_s"]])
        print(f"{runs} run(s) at once (medians of {args.repeats}): alone {fit:.1f} updates/s (fit), {fit_eval:.1f} "
              f"(fit + evaluation each epoch); in the app {mine:.1f} updates/s ({100 * (mine / fit_eval - 1):+.1f}% "
              f"vs fit + evaluation, {100 * (mine / fit - 1):+.1f}% vs fit); progress seen {progress:.1f} times/s")
    print("stop latency: " + ", ".join(f"{1000 * s:.0f} ms" for s in result["stop_latency_s"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
