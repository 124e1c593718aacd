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


def engine_step(cls, T, N, I, H, backend):
    """(forward+backward of one layer as a function, device sync, the layer's cell class name)."""
    net = MultiLayerNetwork(MultiLayerConfiguration([cls(H)], input_type=InputType.recurrent(I), seed=0),
                            backend=backend).init()
    xp, layer = net.xp, net.layers[0]
    x = xp.asarray(xp.random.standard_normal((T, N, I)), dtype=xp.float32)
    dy = xp.asarray(xp.random.standard_normal((T, N, H)), dtype=xp.float32)
    sync = (lambda: xp.cuda.Device().synchronize()) if backend.name == "cupy" else (lambda: None)

    def step():
        _, cache = layer.forward(x)
        layer.backward(dy, cache)
    return step, sync, type(layer.cell).__name__


def count_copies(torch, step, sync):
    """Host<->device copies during one call of ``step``, counted by torch's CUDA profiler (CUPTI sees
    every CUDA activity of the process, CuPy's included); None where the profiler is unavailable."""
    try:
        from torch.profiler import ProfilerActivity, profile
        step()
        sync()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step()
            sync()
        names = [e.name for e in prof.events()]
    except Exception as exc:  # no CUPTI, no GPU
        print(f"(copy count unavailable: {exc})")
        return None
    return sum(("Memcpy" in n and ("HtoD" in n or "DtoH" in n)) for n in names)


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
        step, sync, cell = engine_step(LSTM, T, N, I, H, backend)
        lstm = timer(sync, step, args.repeats)
        copies = count_copies(torch, step, sync) if torch is not None and backend.name == "cupy" else None
        g_step, g_sync, _ = engine_step(GravesLSTM, T, N, I, H, backend)
        graves = timer(g_sync, g_step, args.repeats)
        ref = torch_case(torch, T, N, I, H, args.device, args.repeats) if torch is not None else None
        rows.append({"shape": name, "T N I H": f"{T} {N} {I} {H}", "cell": cell, "lstm_ms": lstm * 1e3,
                     "graves_ms": graves * 1e3, "torch_ms": None if ref is None else ref * 1e3,
                     "ratio": None if ref is None else lstm / ref, "graves_vs_lstm": graves / lstm,
                     "host_device_copies": copies})
    print(f"engine on {backend.name}, torch on {args.device}; forward+backward of one layer, float32, medians")
    print(f"{'shape':5} {'T N I H':18} {'cell':13} {'LSTM ms':>9} {'Graves ms':>10} {'torch ms':>9} {'ratio':>6} "
          f"{'Graves/LSTM':>11} {'copies':>6}")
    for r in rows:
        torch_ms = "-" if r["torch_ms"] is None else f"{r['torch_ms']:.2f}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        copies = "-" if r["host_device_copies"] is None else str(r["host_device_copies"])
        print(f"{r['shape']:5} {r['T N I H']:18} {r['cell']:13} {r['lstm_ms']:9.2f} {r['graves_ms']:10.2f} {torch_ms:>9} "
              f"{ratio:>6} {r['graves_vs_lstm']:11.2f} {copies:>6}")
    print(f"targets: LSTM <= {TARGET}x cuDNN on D and E; GravesLSTM within 1.10x of LSTM; copies = host<->device "
          "copies in one LSTM forward+backward (a few, not one per step)")
    path = Path(args.json) if args.json else HERE / "results" / f"{_dt.date.today().isoformat()}-gpu.json"
    if backend.name == "cupy":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"date": _dt.date.today().isoformat(), "rows": rows}, indent=1) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
