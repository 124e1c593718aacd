#!/usr/bin/env python3
"""Throughput of masked time-series evaluation on the CPU.

Times ``Evaluation.eval_time_series`` and ``RegressionEvaluation.eval_time_series`` on labels and
predictions ``[batch, columns, time]`` float32 (default 1000 x 10 x 1000 = 1e6 time steps) with a
random 0/1 mask (about 70 % of the steps kept), and ``last_time_step`` with an end-padded mask.
Prints the median time of the repeats and time steps per second (all steps of the array, masked
or not, as the input is what has to be read)::

    python benchmarks/bench_eval.py [--batch 1000] [--columns 10] [--time 1000] [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.eval import Evaluation, RegressionEvaluation, last_time_step  # noqa: E402


def median_seconds(fn, repeats):
    fn()  # warm-up: page faults of the first allocations
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--columns", type=int, default=10)
    ap.add_argument("--time", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    B, C, T = args.batch, args.columns, args.time
    rng = np.random.default_rng(args.seed)

    classes = rng.integers(0, C, (B, T))
    onehot = np.ascontiguousarray(np.moveaxis(np.eye(C, dtype=np.float32)[classes], 2, 1))  # [B, C, T]
    scores = rng.random((B, C, T), dtype=np.float32)
    targets = rng.normal(size=(B, C, T)).astype(np.float32)
    predictions = (targets + 0.3 * rng.normal(size=(B, C, T))).astype(np.float32)
    mask = (rng.random((B, T)) < 0.7).astype(np.float32)
    lengths = rng.integers(1, T + 1, B)
    end_padded = (np.arange(T) < lengths[:, None]).astype(np.float32)
    steps = B * T

    def classification(m):
        def run():
            Evaluation(C).eval_time_series(onehot, scores, m)
        return run

    def regression(m):
        def run():
            RegressionEvaluation(C).eval_time_series(targets, predictions, m)
        return run

    cases = [
        ("Evaluation, random mask", classification(mask)),
        ("Evaluation, no mask", classification(None)),
        ("RegressionEvaluation, random mask", regression(mask)),
        ("RegressionEvaluation, no mask", regression(None)),
        ("last_time_step, end-padded mask", lambda: last_time_step(scores, end_padded)),
    ]
    print(f"numpy {np.__version__}; [batch, columns, time] = [{B}, {C}, {T}] float32, "
          f"{steps:.3g} time steps, {int(mask.sum())} unmasked in the random mask; "
          f"median of {args.repeats} (min in brackets)")
    print(f"{'case':<36} {'ms':>9} {'steps/s':>12} {'min ms':>9}")
    for name, fn in cases:
        med, best = median_seconds(fn, args.repeats)
        print(f"{name:<36} {med * 1e3:9.1f} {steps / med:12.3e} {best * 1e3:9.1f}")


if __name__ == "__main__":
    main()
