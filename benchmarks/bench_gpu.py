#!/usr/bin/env python3
"""The engine on a GPU (CuPy) against torch.nn.LSTM with cuDNN: one LSTM layer, float32.

Times forward+backward of one LSTM and one GravesLSTM layer (time-major ``layer.forward`` /
``layer.backward``) on the CuPy backend, side by side with ``torch.nn.LSTM`` on the same GPU,
synchronising the device around every call. Prints a table and writes
``benchmarks/results/<date>-gpu.json``.

    python benchmarks/bench_gpu.py                       # needs CuPy, torch and a CUDA GPU
    python benchmarks/bench_gpu.py --backend numpy --device cpu --shapes A   # check the script itself on a CPU
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench.backend import get_backend  # noqa: E402
from workbench.nn import LSTM, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork  # noqa: E402

SHAPES = {"A": (100, 32, 64, 128), "D": (200, 128, 128, 256), "E": (100, 256, 512, 1024)}   # (T, N, I, H)
TARGET = 1.5                      # the issue: LSTM training step <= 1.5x cuDNN on the large shapes


def timer(sync, fn, repeats):
    """Median seconds of ``fn`` over ``repeats`` calls, the device synchronised around each."""
    fn()
    sync()
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def engine_case(cls, T, N, I, H, backend, repeats):
    net = MultiLayerNetwork(MultiLayerConfiguration([cls(H)], input_type=InputType.recurrent(I), seed=0),
                            backend=backend).init()
    xp, layer = net.xp, net.layers[0]
    x = xp.asarray(xp.random.standard_normal((T, N, I)), dtype=xp.float32)
    dy = xp.asarray(xp.random.standard_normal((T, N, H)), dtype=xp.float32)
    sync = (lambda: xp.cuda.Device().synchronize()) if backend.name == "cupy" else (lambda: None)

    def step():
        _, cache = layer.forward(x)
        layer.backward(dy, cache)
    return timer(sync, step, repeats)


def torch_case(torch, T, N, I, H, device, repeats):
    lstm = torch.nn.LSTM(I, H).to(device)
    x = torch.randn(T, N, I, device=device, requires_grad=True)
    dy = torch.randn(T, N, H, device=device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def step():
        lstm.zero_grad(set_to_none=True)
        x.grad = None
        y, _ = lstm(x)
        y.backward(dy)
    return timer(sync, step, repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cupy", help="cupy (default) or numpy (to check the script)")
    parser.add_argument("--device", default="cuda", help="torch device: cuda (default) or cpu")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    backend = get_backend(args.backend)
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    for name in args.shapes.split(","):
        T, N, I, H = SHAPES[name]
        lstm = engine_case(LSTM, T, N, I, H, backend, args.repeats)
        graves = engine_case(GravesLSTM, T, N, I, H, backend, args.repeats)
        ref = torch_case(torch, T, N, I, H, args.device, args.repeats) if torch is not None else None
        rows.append({"shape": name, "T N I H": f"{T} {N} {I} {H}", "lstm_ms": lstm * 1e3, "graves_ms": graves * 1e3,
                     "torch_ms": None if ref is None else ref * 1e3,
                     "ratio": None if ref is None else lstm / ref, "graves_vs_lstm": graves / lstm})
    print(f"engine on {backend.name}, torch on {args.device}; forward+backward of one layer, float32, medians")
    print(f"{'shape':5} {'T N I H':18} {'LSTM ms':>9} {'Graves ms':>10} {'torch ms':>9} {'ratio':>6} {'Graves/LSTM':>11}")
    for r in rows:
        torch_ms = "-" if r["torch_ms"] is None else f"{r['torch_ms']:.2f}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['shape']:5} {r['T N I H']:18} {r['lstm_ms']:9.2f} {r['graves_ms']:10.2f} {torch_ms:>9} {ratio:>6} "
              f"{r['graves_vs_lstm']:11.2f}")
    print(f"targets: LSTM <= {TARGET}x cuDNN on D and E; GravesLSTM within 1.10x of LSTM")
    path = Path(args.json) if args.json else HERE / "results" / f"{_dt.date.today().isoformat()}-gpu.json"
    if backend.name == "cupy":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"date": _dt.date.today().isoformat(), "rows": rows}, indent=1) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
