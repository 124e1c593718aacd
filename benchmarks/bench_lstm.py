#!/usr/bin/env python3
"""LSTM speed of the workbench engine against torch on the CPU, float32.

Times, side by side in one process:

* one runtime LSTM layer (time-major ``layer.forward`` / ``layer.backward``), forward+backward,
  forward only (``layer.infer``, the inference path: no backward caches) and GravesLSTM
  forward+backward, on shapes A-D, against ``torch.nn.LSTM``; and ``net.output`` (public layout
  [batch, features, time] in and out, input checks included) against the same torch forward;
* one-step ``MultiLayerNetwork.rnn_time_step`` (state carried) against ``torch.nn.LSTMCell`` and
  ``torch.nn.LSTM`` stepping with carried (h, c).

Measurement rules (see perf-anchors notes): warm up, alternate the contenders in blocks (rotating
which one goes first), sleep between blocks (OpenBLAS / OpenMP worker threads spin after a call),
time every call with ``time.perf_counter`` and report medians of all calls.

Run from the repository root::

    python benchmarks/bench_lstm.py            # full run, ~2 minutes on 2 idle cores
    python benchmarks/bench_lstm.py --quick    # smoke check, ~30-50 s
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_lstm.py   # what users have

torch is optional: without it only the workbench columns are printed.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import gc
import importlib.metadata
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:                      # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from workbench.nn import GravesLSTM, InputType, LSTM, MultiLayerConfiguration, MultiLayerNetwork  # noqa: E402

SHAPES = {                                          # name: (T, N, I, H)
    "A": (100, 32, 64, 128),
    "B": (50, 64, 256, 512),
    "C": (1000, 8, 16, 64),
    "D": (200, 128, 128, 256),
}
STEP_CONFIGS = {                                    # name: (N, I, H)
    "S1": (1, 10, 128),
    "S32": (32, 64, 256),
}
# Targets from the speed issue (they refer to the run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset).
FWDBWD_RATIO_TARGET = {"A": 1.5, "B": 1.0, "C": 1.8, "D": 0.85}  # LSTM fwd+bwd, workbench / torch
FWD_RATIO_TARGET = {"B": 1.1, "D": 1.1}                          # LSTM forward only (inference path)
GRAVES_VS_LSTM_TARGET = 1.10                                     # GravesLSTM fwd+bwd / LSTM fwd+bwd
STEP_US_TARGET = {"S1": 6.0}                                     # one step, microseconds
STEP_CELL_RATIO_TARGET = {"S32": 0.8}                            # one step / torch LSTMCell
GEMM_PHASE_PEAK_TARGET = 0.75                                    # GEMM phases, fraction of the GEMM peak
PHASE_SHAPES = ("B", "D")                                        # shapes whose GEMM phases are timed
ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
            "MKL_NUM_THREADS")
PAUSE_S = 0.15


class Mode:
    def __init__(self, quick: bool):
        self.quick = quick
        # seconds of timed calls per contender and measurement (spread over the blocks)
        self.target_s = 0.2 if quick else 2.2
        self.step_target_s = 0.1 if quick else 1.2
        self.blocks = 2 if quick else 5
        self.warmup = 1 if quick else 2           # calls after the first (untimed) one
        self.min_per_block = 1 if quick else 2    # expensive shapes (B, D) get this many
        self.max_per_block = 2000 if quick else 20000
        self.gemm_repeats = 4 if quick else 8


# --------------------------------------------------------------------------------------------
# timing

def pause():
    time.sleep(PAUSE_S)


def _time_calls(fn, n):
    pc = time.perf_counter
    out = []
    for _ in range(n):
        t0 = pc()
        fn()
        out.append(pc() - t0)
    return out


def measure(contenders: dict, mode: Mode, target_s: float) -> dict:
    """Time each callable in ``contenders`` ({name: fn}) in alternating blocks.

    Returns {name: stats} with times in seconds: median / min / p25 / p75 over all calls, the
    median of each block, and the number of calls.
    """
    names = list(contenders)
    est = {}
    for name in names:                              # warm-up, and a cost estimate per call
        pause()
        ts = _time_calls(contenders[name], mode.warmup + 1)
        est[name] = max(min(ts[1:]), 1e-7)
    per_block = {n: int(min(mode.max_per_block, max(mode.min_per_block,
                                                    math.ceil(target_s / est[n] / mode.blocks))))
                 for n in names}
    times = {n: [] for n in names}
    blocks = {n: [] for n in names}
    gc.collect()
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for b in range(mode.blocks):
            k = b % len(names)
            for name in names[k:] + names[:k]:      # rotate who goes first
                pause()
                ts = _time_calls(contenders[name], per_block[name])
                times[name] += ts
                blocks[name].append(statistics.median(ts))
    finally:
        if gc_was:
            gc.enable()
    out = {}
    for n in names:
        ts = sorted(times[n])
        q = statistics.quantiles(ts, n=4) if len(ts) >= 2 else [ts[0]] * 3
        out[n] = {"median_s": statistics.median(ts), "min_s": ts[0], "p25_s": q[0], "p75_s": q[2],
                  "block_medians_s": blocks[n], "calls": len(ts),
                  "block_spread": max(blocks[n]) / min(blocks[n])}
    return out


def gemm_peak(mode: Mode, n=2048):
    """Best float32 numpy GEMM rate, (n x n) @ (n x n), in GFLOP/s."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)                          # warm-up
    best = math.inf
    for _ in range(mode.gemm_repeats):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    pause()
    return 2.0 * n ** 3 / best / 1e9, best


# --------------------------------------------------------------------------------------------
# machine info

def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    keep = ("user_api", "internal_api", "version", "architecture", "num_threads", "threading_layer",
            "filepath")
    return [{k: d.get(k) for k in keep if k in d} for d in threadpool_info()]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_snapshot():
    """(busy CPU seconds of the whole machine, CPU seconds of this process, wall time) or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        return None
    busy = v[0] + v[1] + v[2] + sum(v[5:8])           # user nice system irq softirq steal
    t = os.times()
    return busy / hz, t.user + t.system, time.perf_counter()


def other_load(start, end):
    """Average number of cores kept busy by everything except this process between snapshots."""
    if start is None or end is None:
        return None
    return max(0.0, ((end[0] - start[0]) - (end[1] - start[1])) / (end[2] - start[2]))


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info(torch):
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    info = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "env": {k: os.environ.get(k) for k in ENV_VARS},
        "loadavg_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "lstm_cell_float32": type(make_layer(LSTM, 4, 8)[1].cell).__name__,
        "numba": _version("numba"),
    }
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    return info


def print_machine(info, peak):
    print(f"CPU: {info['cpu']}  cores={info['cores']} usable={info['usable_cores']}  "
          f"python {info['python']}  numpy {info['numpy']}  torch {info.get('torch', 'not installed')}"
          + (f" ({info['torch_threads']} threads)" if "torch_threads" in info else ""))
    if info["blas"] is None:
        print("BLAS: threadpoolctl not installed (pip install threadpoolctl to see the kernel)")
    else:
        for d in info["blas"]:
            print(f"BLAS: {d.get('user_api')}/{d.get('internal_api')} {d.get('version')} "
                  f"architecture={d.get('architecture')} num_threads={d.get('num_threads')}  "
                  f"{os.path.basename(d.get('filepath') or '')}")
    print(f"LSTM cell (float32): {info['lstm_cell_float32']}  numba {info['numba'] or 'not installed'}")
    env = info["env"]
    print("env: " + "  ".join(f"{k}={env[k] if env[k] is not None else '(unset)'}" for k in ENV_VARS))
    guard = env["OPENBLAS_CORETYPE"] is not None or env["OPENBLAS_L2_SIZE"] is not None
    print("     targets refer to the run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset; this run: "
          + ("SET (guard variables active)" if guard else "unset"))
    print(f"float32 GEMM peak (numpy, 2048^3, best of several): {peak:.0f} GFLOP/s at start "
          "(measured again at the end)")
    print(f"load average at start: {info['loadavg_start']}")


# --------------------------------------------------------------------------------------------
# contenders

def make_layer(cls, I, H):
    conf = MultiLayerConfiguration([cls(H)], input_type=InputType.recurrent(I), seed=0)
    net = MultiLayerNetwork(conf).init()
    return net, net.layers[0]


def torch_lstm_like(torch, layer, I, H):
    """torch.nn.LSTM(I, H) with the workbench layer's weights (gate order i, f, g, o in both)."""
    m = torch.nn.LSTM(I, H)
    p = {k: np.asarray(v) for k, v in layer.params.items()}
    with torch.no_grad():
        m.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(p["W"].T)))
        m.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(p["RW"].T)))
        m.bias_ih_l0.copy_(torch.from_numpy(p["b"].copy()))
        m.bias_hh_l0.zero_()
    return m


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def check_layer(torch, layer, tl, x, dy):
    """Max relative difference workbench vs torch on y, dx and the weight gradients."""
    y, cache = layer.forward(x)
    y = y.copy()
    dx = layer.backward(dy, cache).copy()
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    tl.zero_grad()
    ty, _ = tl(tx)
    ty.backward(torch.from_numpy(dy))
    errs = {
        "y": rel_err(y, ty.detach().numpy()),
        "dx": rel_err(dx, tx.grad.numpy()),
        "dW": rel_err(layer.grads["W"], tl.weight_ih_l0.grad.numpy().T),
        "dRW": rel_err(layer.grads["RW"], tl.weight_hh_l0.grad.numpy().T),
        "db": rel_err(layer.grads["b"], tl.bias_ih_l0.grad.numpy()),
    }
    return max(errs.values()), errs


def fwd_flops(T, N, I, H):
    return 2.0 * T * N * 4 * H * (I + H)


def layer_rows(name, mode, torch):
    T, N, I, H = SHAPES[name]
    rng_x, rng_dy = np.random.default_rng(0), np.random.default_rng(1)
    x = rng_x.standard_normal((T, N, I), dtype=np.float32)
    dy = rng_dy.standard_normal((T, N, H), dtype=np.float32)
    net, lstm = make_layer(LSTM, I, H)
    _, graves = make_layer(GravesLSTM, I, H)
    x_public = np.ascontiguousarray(x.transpose(1, 2, 0))            # [N, I, T] as users pass it

    def wb_fb(layer):
        def f():
            y, cache = layer.forward(x)
            layer.backward(dy, cache)
        return f

    def wb_f():
        lstm.infer(x)

    def wb_output():
        net.output(x_public)

    fb = {"wb_lstm": wb_fb(lstm), "wb_graves": wb_fb(graves)}
    fo = {"wb_lstm": wb_f, "wb_output": wb_output}
    check = None
    if torch is not None:
        tl = torch_lstm_like(torch, lstm, I, H)
        tx = torch.from_numpy(x.copy()).requires_grad_(True)
        tdy = torch.from_numpy(dy.copy())

        def t_fb():
            tl.zero_grad()
            tx.grad = None
            y, _ = tl(tx)
            y.backward(tdy)

        def t_f():
            tl(tx)

        fb["torch"] = t_fb
        fo["torch"] = t_f
        worst, errs = check_layer(torch, lstm, tl, x, dy)
        check = {"max_rel_err": worst, **errs}
        print(f"  {name}: workbench vs torch (same weights) max relative difference {worst:.1e} "
              f"({', '.join(f'{k} {v:.0e}' for k, v in errs.items())})"
              + ("  WARNING: large" if worst > 1e-3 else ""), flush=True)

    res_fb = measure(fb, mode, mode.target_s)
    if torch is not None:
        with torch.no_grad():
            res_fo = measure(fo, mode, mode.target_s)
    else:
        res_fo = measure(fo, mode, mode.target_s)

    F = fwd_flops(T, N, I, H)
    rows = []
    for kind, res, key, flops in (("LSTM fwd+bwd", res_fb, "wb_lstm", 3 * F),
                                  ("LSTM fwd", res_fo, "wb_lstm", F),
                                  ("net.output", res_fo, "wb_output", F),
                                  ("GravesLSTM fwd+bwd", res_fb, "wb_graves", 3 * F)):
        wb = res[key]
        tt = res.get("torch")
        gfs = flops / wb["median_s"] / 1e9
        row = {"section": "layer", "shape": name, "kind": kind, "T": T, "N": N, "I": I, "H": H,
               "flops": flops, "wb_ms": wb["median_s"] * 1e3, "gflops": gfs, "frac_peak": None,
               "wb_stats": wb, "torch_ms": None, "ratio": None, "target": None, "status": None}
        if tt is not None:
            row["torch_ms"] = tt["median_s"] * 1e3
            row["torch_stats"] = tt
            row["ratio"] = wb["median_s"] / tt["median_s"]
            if kind.startswith("Graves"):
                row["torch_ref"] = "nn.LSTM fwd+bwd (no peepholes)"
        limit = FWDBWD_RATIO_TARGET.get(name) if kind == "LSTM fwd+bwd" else \
            FWD_RATIO_TARGET.get(name) if kind == "LSTM fwd" else None
        if limit is not None:
            row["target"] = f"<= {limit:g}x torch"
            if row["ratio"] is not None:
                row["status"] = "PASS" if row["ratio"] <= limit else "MISS"
        if kind.startswith("Graves"):
            row["vs_lstm"] = wb["median_s"] / res["wb_lstm"]["median_s"]
            row["target"] = f"<= {GRAVES_VS_LSTM_TARGET:g}x LSTM"
            row["status"] = "PASS" if row["vs_lstm"] <= GRAVES_VS_LSTM_TARGET else "MISS"
        if kind == "LSTM fwd+bwd" and check is not None:
            row["check"] = check
        rows.append(row)
        print("  " + fmt_progress(row), flush=True)
    return rows


def step_rows(name, mode, torch):
    N, I, H = STEP_CONFIGS[name]
    net, layer = make_layer(LSTM, I, H)
    x2d = np.random.default_rng(2).standard_normal((N, I), dtype=np.float32)

    def wb():
        net.rnn_time_step(x2d)

    cont = {"wb": wb}
    check = None
    if torch is not None:
        cell = torch.nn.LSTMCell(I, H)
        full = torch_lstm_like(torch, layer, I, H)
        with torch.no_grad():
            cell.weight_ih.copy_(full.weight_ih_l0)
            cell.weight_hh.copy_(full.weight_hh_l0)
            cell.bias_ih.copy_(full.bias_ih_l0)
            cell.bias_hh.zero_()
        tx = torch.from_numpy(x2d.copy())
        tx3 = tx.reshape(1, N, I)
        cs = [torch.zeros(N, H), torch.zeros(N, H)]
        fs = [torch.zeros(1, N, H), torch.zeros(1, N, H)]

        def t_cell():
            h, c = cell(tx, (cs[0], cs[1]))
            cs[0], cs[1] = h, c

        def t_lstm():
            _, (h, c) = full(tx3, (fs[0], fs[1]))
            fs[0], fs[1] = h, c

        cont["torch_cell"] = t_cell
        cont["torch_lstm"] = t_lstm
        with torch.no_grad():                         # same 5 steps from zero state: compare outputs
            net.rnn_clear_previous_state()
            for _ in range(5):
                out = net.rnn_time_step(x2d)
                t_cell()
                t_lstm()
            check = {"cell": rel_err(out, cs[0].numpy()), "lstm": rel_err(out, fs[0][0].numpy())}
        print(f"  {name}: workbench vs torch after 5 steps, max relative difference "
              f"LSTMCell {check['cell']:.1e}, nn.LSTM {check['lstm']:.1e}", flush=True)
        with torch.no_grad():
            res = measure(cont, mode, mode.step_target_s)
    else:
        res = measure(cont, mode, mode.step_target_s)

    flops = fwd_flops(1, N, I, H)
    w = res["wb"]
    gfs = flops / w["median_s"] / 1e9
    row = {"section": "step", "shape": name, "kind": "rnn_time_step", "T": 1, "N": N, "I": I, "H": H,
           "flops": flops, "wb_us": w["median_s"] * 1e6, "wb_ms": w["median_s"] * 1e3, "gflops": gfs,
           "frac_peak": None, "wb_stats": w, "torch_cell_us": None, "ratio_cell": None,
           "torch_lstm_us": None, "ratio_lstm": None, "target": None, "status": None, "check": check}
    if torch is not None:
        for k in ("cell", "lstm"):
            t = res[f"torch_{k}"]
            row[f"torch_{k}_us"] = t["median_s"] * 1e6
            row[f"torch_{k}_stats"] = t
            row[f"ratio_{k}"] = w["median_s"] / t["median_s"]
    if name in STEP_US_TARGET:
        row["target"] = f"<= {STEP_US_TARGET[name]:g} us"
        row["status"] = "PASS" if row["wb_us"] <= STEP_US_TARGET[name] else "MISS"
    if name in STEP_CELL_RATIO_TARGET:
        row["target"] = f"<= {STEP_CELL_RATIO_TARGET[name]:g}x LSTMCell"
        if row["ratio_cell"] is not None:
            row["status"] = "PASS" if row["ratio_cell"] <= STEP_CELL_RATIO_TARGET[name] else "MISS"
    print("  " + fmt_progress(row), flush=True)
    return [row]


# --------------------------------------------------------------------------------------------
# output

def _f(v, spec, none="-"):
    return none if v is None else format(v, spec)


def phase_rows(name, mode):
    """The GEMMs a layer's forward+backward makes, timed alone on the same shapes: the input projection
    (one GEMM), the per-step recurrent GEMMs forward (h RW) and backward (dz RW^T), and the weight
    gradients after the loop (x^T dz, h^T dz, dz W^T)."""
    T, N, I, H = SHAPES[name]
    rng = np.random.default_rng(3)
    r = lambda *shape: rng.standard_normal(shape, dtype=np.float32)     # noqa: E731
    x, W, RW, RWT, Hs = r(T * N, I), r(I, 4 * H), r(H, 4 * H), r(4 * H, H), r(T + 1, N, H)
    dz, Z, tmp, dh = r(T * N, 4 * H), np.empty((T * N, 4 * H), np.float32), np.empty((N, 4 * H), np.float32), \
        np.empty((N, H), np.float32)
    gW, gRW, dx = np.empty((I, 4 * H), np.float32), np.empty((H, 4 * H), np.float32), np.empty((T * N, I), np.float32)
    d3 = dz.reshape(T, N, 4 * H)

    def rec_fwd():
        for t in range(T):
            np.matmul(Hs[t], RW, out=tmp)

    def rec_bwd():
        for t in range(T):
            np.matmul(d3[t], RWT, out=dh)

    def wgrads():
        np.matmul(x.T, dz, out=gW)
        np.matmul(Hs[:T].reshape(-1, H).T, dz, out=gRW)
        np.matmul(dz, W.T, out=dx)

    phases = {"input projection": (lambda: np.matmul(x, W, out=Z), 2 * T * N * I * 4 * H),
              "recurrent fwd": (rec_fwd, 2 * T * N * H * 4 * H),
              "recurrent bwd": (rec_bwd, 2 * T * N * H * 4 * H),
              "weight gradients": (wgrads, 2 * T * N * 4 * H * (2 * I + H))}
    res = measure({k: v[0] for k, v in phases.items()}, mode, mode.target_s / 2)
    rows = []
    for k, (_, flops) in phases.items():
        sec = res[k]["median_s"]
        rows.append({"section": "phase", "shape": name, "kind": k, "T": T, "N": N, "I": I, "H": H, "flops": flops,
                     "wb_ms": sec * 1e3, "gflops": flops / sec / 1e9, "frac_peak": None, "wb_stats": res[k],
                     "target": f">= {GEMM_PHASE_PEAK_TARGET:.0%} of peak", "status": None})
        print(f"  {name} GEMM phase {k}: {sec * 1e3:.2f} ms ({flops / sec / 1e9:.1f} GFLOP/s)", flush=True)
    return rows


def fmt_progress(r):
    if r["section"] == "step":
        return (f"{r['shape']} step N={r['N']} I={r['I']} H={r['H']}: workbench {r['wb_us']:.1f} us, "
                f"LSTMCell {_f(r['torch_cell_us'], '.1f')} us, nn.LSTM {_f(r['torch_lstm_us'], '.1f')} us")
    return (f"{r['shape']} {r['kind']}: workbench {r['wb_ms']:.2f} ms ({r['gflops']:.1f} GFLOP/s), "
            f"torch {_f(r['torch_ms'], '.2f')} ms, ratio {_f(r['ratio'], '.2f')}")


def table(headers, rows, align):
    w = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w[i]) if align[i] == "<" else c.rjust(w[i]) for i, c in enumerate(cells))
    out = [line(headers), "  ".join("-" * x for x in w)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def print_tables(rows, has_torch):
    lay = [r for r in rows if r["section"] == "layer"]
    if lay:
        print("\nOne layer, float32, time-major (T, N, I, H); times are medians of all calls")
        body = []
        for r in lay:
            body.append([r["shape"], r["kind"], f"{r['T']} {r['N']} {r['I']} {r['H']}",
                         f"{r['wb_ms']:.2f}", f"{r['gflops']:.1f}", f"{100 * r['frac_peak']:.0f}%",
                         _f(r["torch_ms"], ".2f"), _f(r["ratio"], ".2f") + ("*" if "torch_ref" in r else ""),
                         _f(r.get("vs_lstm"), ".2f"), r["target"] or "-", r["status"] or "-"])
        print(table(["shape", "kind", "T N I H", "wb ms", "GFLOP/s", "of peak", "torch ms", "wb/torch",
                     "vs LSTM", "target", "status"], body, "<<<>>>>>><<"))
        if has_torch:
            print("* GravesLSTM (peepholes) compared with torch nn.LSTM fwd+bwd, which has none.")
    ph = [r for r in rows if r["section"] == "phase"]
    if ph:
        print("\nGEMM phases of a layer's forward+backward, timed alone (numpy.matmul as the engine calls it)")
        body = [[r["shape"], r["kind"], f"{r['wb_ms']:.2f}", f"{r['gflops']:.1f}", f"{100 * r['frac_peak']:.0f}%",
                 r["target"], r["status"] or "-"] for r in ph]
        print(table(["shape", "phase", "ms", "GFLOP/s", "of peak", "target", "status"], body, "<<>>><<"))
    st = [r for r in rows if r["section"] == "step"]
    if st:
        print("\nOne step, rnn_time_step with state carried (float32); microseconds per call, medians")
        body = []
        for r in st:
            body.append([r["shape"], f"{r['N']} {r['I']} {r['H']}", f"{r['wb_us']:.1f}",
                         f"{r['gflops']:.2f}", f"{100 * r['frac_peak']:.1f}%",
                         _f(r["torch_cell_us"], ".1f"), _f(r["ratio_cell"], ".2f"),
                         _f(r["torch_lstm_us"], ".1f"), _f(r["ratio_lstm"], ".2f"),
                         r["target"] or "-", r["status"] or "-"])
        print(table(["config", "N I H", "wb us", "GFLOP/s", "of peak", "LSTMCell us", "wb/cell",
                     "nn.LSTM us", "wb/LSTM", "target", "status"], body, "<<>>>>>>><<"))


def default_json_path(info, quick):
    env = info["env"]
    tag = "-cpu"
    if env["OPENBLAS_CORETYPE"] is not None or env["OPENBLAS_L2_SIZE"] is not None:
        tag += "-openblas-env"                       # keep the guard-variable run apart
    if info["lstm_cell_float32"] == "ArrayCell":
        tag += "-array-cell"                         # NumPy calls only (no numba, or WORKBENCH_JIT=0)
    if quick:
        tag += "-quick"
    return ROOT / "benchmarks" / "results" / f"{_dt.date.today().isoformat()}{tag}.json"


def write_json(path, payload):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1) + "\n")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="few repeats: a smoke check (~30-50 s)")
    ap.add_argument("--shapes", default=",".join(SHAPES),
                    help="layer shapes to run, comma-separated from A,B,C,D ('' for none); default all")
    ap.add_argument("--no-step", action="store_true", help="skip the one-step rnn_time_step timings")
    ap.add_argument("--json", metavar="PATH", default=None,
                    help="write the results here (default benchmarks/results/<date>-cpu[-openblas-env]"
                         "[-quick].json)")
    ap.add_argument("--no-json", action="store_true", help="do not write a JSON file")
    ap.add_argument("--no-torch", action="store_true", help="workbench columns only")
    ap.add_argument("--torch-threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = ap.parse_args(argv)

    shapes = [s.strip().upper() for s in args.shapes.split(",") if s.strip()]
    bad = [s for s in shapes if s not in SHAPES]
    if bad:
        ap.error(f"unknown shape(s) {bad}; choose from {','.join(SHAPES)}")

    torch = None
    if not args.no_torch:
        try:
            import torch as _torch
            torch = _torch
            torch.set_num_threads(args.torch_threads)
            torch.manual_seed(0)
        except ImportError:
            print("torch is not installed: workbench columns only (pip install torch==2.13.0)")

    mode = Mode(args.quick)
    t_start = time.perf_counter()
    snap0 = cpu_snapshot()
    info = machine_info(torch)
    peak, _ = gemm_peak(mode)
    print(f"RNN Workbench LSTM benchmark ({'quick' if args.quick else 'full'} mode)")
    print_machine(info, peak)

    rows = []
    for s in shapes:
        print(f"\nshape {s} (T, N, I, H) = {SHAPES[s]}", flush=True)
        rows += layer_rows(s, mode, torch)
    for s in shapes:
        if s in PHASE_SHAPES:
            print(f"\nGEMM phases of shape {s}", flush=True)
            rows += phase_rows(s, mode)
    if not args.no_step:
        print("\none step (rnn_time_step)", flush=True)
        for s in STEP_CONFIGS:
            rows += step_rows(s, mode, torch)

    peak_end, _ = gemm_peak(mode)
    peak_best = max(peak, peak_end)                  # the machine is shared: take the better one
    for r in rows:
        r["frac_peak"] = r["gflops"] / peak_best
        if r["section"] == "phase":
            r["status"] = "PASS" if r["frac_peak"] >= GEMM_PHASE_PEAK_TARGET else "MISS"
    info["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    info["other_load_cores"] = other_load(snap0, cpu_snapshot())
    elapsed = time.perf_counter() - t_start

    print_tables(rows, torch is not None)
    print(f"\nfloat32 GEMM peak {peak:.0f} GFLOP/s at start, {peak_end:.0f} at end ('peak' column uses "
          f"{peak_best:.0f}); wall time {elapsed:.0f} s; "
          f"load average at end {info['loadavg_end']}")
    if info["other_load_cores"] is not None:
        print(f"CPU used by other processes during the run: {info['other_load_cores']:.2f} of "
              f"{info['usable_cores']} cores on average" + ("  (busy machine: timings are unreliable)"
                                                            if info["other_load_cores"] > 0.25 else ""))
    noisy = [f"{r['shape']} {r['kind']}" for r in rows
             for k in ("wb_stats", "torch_stats", "torch_cell_stats", "torch_lstm_stats")
             if k in r and r[k]["block_spread"] > 1.5]
    if noisy:
        print("NOTE: block medians differ by > 1.5x (machine busy?) in: " + "; ".join(sorted(set(noisy)))
              + ". Rerun before trusting these rows.")

    if not args.no_json:
        path = Path(args.json) if args.json else default_json_path(info, args.quick)
        payload = {"date": _dt.datetime.now().isoformat(timespec="seconds"),
                   "mode": "quick" if args.quick else "full", "machine": info,
                   "gemm_peak_gflops": peak_best, "gemm_peak_gflops_start": peak,
                   "gemm_peak_gflops_end": peak_end,
                   "targets": {"fwdbwd_ratio": FWDBWD_RATIO_TARGET, "fwd_ratio": FWD_RATIO_TARGET,
                               "graves_vs_lstm": GRAVES_VS_LSTM_TARGET, "step_us": STEP_US_TARGET,
                               "step_vs_lstmcell": STEP_CELL_RATIO_TARGET, "gemm_phase_of_peak": GEMM_PHASE_PEAK_TARGET,
                               "note": "targets refer to the run with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset"},
                   "wall_s": elapsed, "rows": rows}
        write_json(path, payload)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
