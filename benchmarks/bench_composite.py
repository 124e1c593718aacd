#!/usr/bin/env python3
"""Composite networks against torch on the CPU, float32, forward+backward.

* one ``Bidirectional(LSTM(H))`` layer (concat) on shapes A and D of ``bench_lstm.py``, against
  ``torch.nn.LSTM(I, H, bidirectional=True)``;
* a CNN + LSTM video classifier (Convolution 3x3 + ReLU, 2x2 max pooling, LSTM, output at the last
  step) on moving-shape videos, whole training step without the update, against the same
  network in torch (Conv2d, MaxPool2d, LSTM, Linear, cross-entropy at the last step).

Timing follows ``bench_lstm.py`` (alternating blocks, medians, pauses between blocks)::

    python benchmarks/bench_composite.py [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench_lstm import Mode, machine_info, measure, table, write_json  # noqa: E402
from workbench.data import DataSet  # noqa: E402
from workbench.data.datasets import moving_shapes  # noqa: E402
from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, ConvolutionLayer, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer,
    SubsamplingLayer,
)

BI_SHAPES = {"A": (100, 32, 64, 128), "D": (200, 128, 128, 256)}           # (T, N, I, H)
VIDEO = {"small": (32, 6, 10, 8, 24), "large": (16, 16, 32, 16, 64)}     # (N, frames, size, filters, H)


def bidirectional_row(name, mode, torch):
    T, N, I, H = BI_SHAPES[name]
    net = MultiLayerNetwork(MultiLayerConfiguration([Bidirectional(LSTM(H))],
                                                    input_type=InputType.recurrent(I), seed=0)).init()
    layer = net.layers[0]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, N, I), dtype=np.float32)
    dy = rng.standard_normal((T, N, 2 * H), dtype=np.float32)

    def ours():
        _, cache = layer.forward(x)
        layer.backward(dy, cache)
    contenders = {"wb": ours}
    if torch is not None:
        tl = torch.nn.LSTM(I, H, bidirectional=True)
        tx = torch.from_numpy(x).requires_grad_(True)
        tdy = torch.from_numpy(dy)

        def theirs():
            tl.zero_grad(set_to_none=True)
            tx.grad = None
            y, _ = tl(tx)
            y.backward(tdy)
        contenders["torch"] = theirs
    res = measure(contenders, mode, mode.target_s)
    return {"case": f"Bidirectional(LSTM) {name}", "shape": f"T={T} N={N} I={I} H={H}",
            "wb_ms": res["wb"]["median_s"] * 1e3,
            "torch_ms": res["torch"]["median_s"] * 1e3 if torch is not None else None}


def video_row(name, mode, torch):
    N, frames, size, filters, H = VIDEO[name]
    conf = MultiLayerConfiguration(
        [ConvolutionLayer(filters, kernel_size=3, padding=1), SubsamplingLayer("max", 2), LSTM(H), RnnOutputLayer(4)],
        input_type=InputType.recurrent(size * size, height=size, width=size, channels=1), seed=0)
    net = MultiLayerNetwork(conf).init()
    data = moving_shapes(N, frames=frames, size=size, seed=0)
    batch = net.dataset_batch(DataSet(data.features, data.labels, labels_mask=data.labels_mask))
    contenders = {"wb": lambda: net._gradient(batch)}
    if torch is not None:
        nn = torch.nn
        conv, pool = nn.Conv2d(1, filters, 3, padding=1), nn.MaxPool2d(2)
        lstm, head = nn.LSTM(filters * (size // 2) ** 2, H), nn.Linear(H, 4)
        video = torch.from_numpy(np.ascontiguousarray(data.features.transpose(2, 0, 1))).reshape(
            frames * N, 1, size, size)                                    # time-major frames
        target = torch.from_numpy(data.labels[:, :, -1].argmax(axis=1))
        params = [p for m in (conv, lstm, head) for p in m.parameters()]

        def theirs():
            for p in params:
                p.grad = None
            z = pool(torch.relu(conv(video))).reshape(frames, N, -1)
            y, _ = lstm(z)
            loss = nn.functional.cross_entropy(head(y[-1]), target, reduction="sum") / N
            loss.backward()
        contenders["torch"] = theirs
    res = measure(contenders, mode, mode.target_s)
    return {"case": f"CNN+LSTM video {name}", "shape": f"N={N} frames={frames} {size}x{size} filters={filters} H={H}",
            "wb_ms": res["wb"]["median_s"] * 1e3,
            "torch_ms": res["torch"]["median_s"] * 1e3 if torch is not None else None}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, for a smoke check")
    parser.add_argument("--json", default=None, help="where to write the results")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args(argv)
    torch = None
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(2)
        except ImportError:
            print("torch not installed: workbench columns only")
    mode = Mode(args.quick)
    rows = [bidirectional_row(n, mode, torch) for n in BI_SHAPES] + [video_row(n, mode, torch) for n in VIDEO]
    for r in rows:
        r["ratio"] = r["wb_ms"] / r["torch_ms"] if r["torch_ms"] else None
    print("forward+backward, float32, medians (ratio = workbench / torch)")
    print(table(["case", "shape", "wb ms", "torch ms", "ratio"],
                [[r["case"], r["shape"], f"{r['wb_ms']:.2f}", "-" if r["torch_ms"] is None else f"{r['torch_ms']:.2f}",
                  "-" if r["ratio"] is None else f"{r['ratio']:.2f}"] for r in rows], "<<>>>"))
    path = args.json or HERE / "results" / f"{_dt.date.today().isoformat()}-composite{'-quick' if args.quick else ''}.json"
    write_json(path, {"date": _dt.date.today().isoformat(), "machine": machine_info(torch), "quick": args.quick,
                      "rows": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
