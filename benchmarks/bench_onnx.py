"""ONNX export: how close onnxruntime comes to ``net.output`` per layer type, the model sizes, and
inference latency through onnxruntime next to the workbench's own, in the same run (CPU, float32).

* accuracy: the max |onnxruntime - net.output| over valid steps, per layer type, for a network
  of that layer and an identity RnnOutputLayer (T 50, batch 8, end-padded masks, the initial Xavier weights);
* per sequence: ``net.output(x)`` against ``session.run`` on the LSTM speed shapes A-D of
  benchmarks/bench_lstm.py (a network of one LSTM layer);
* per step: ``net.rnn_time_step`` (state carried) against a T = 1 ``session.run`` (no state
  carried: the exported graph has none) on S1 (N 1, I 10, H 128) and S32 (N 32, I 64, H 256).

    python benchmarks/bench_onnx.py [--quick]

Run it as the other benchmarks, also with ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`` (see
shared/notes/perf-anchors.md); results go to benchmarks/results/onnx.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from workbench.io import export_onnx  # noqa: E402
from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, InputType, LastTimeStep,
    MultiLayerConfiguration, MultiLayerNetwork, OutputLayer, RnnOutputLayer, SimpleRnn,
)

SEQUENCE_SHAPES = {"A": (100, 32, 64, 128), "B": (50, 64, 256, 512), "C": (1000, 8, 16, 64), "D": (200, 128, 128, 256)}
STEP_SHAPES = {"S1": (1, 10, 128), "S32": (32, 64, 256)}           # N, I, H
LAYERS = {
    "LSTM": lambda: [LSTM(32), RnnOutputLayer(5, activation="identity", loss="mse")],
    "GravesLSTM": lambda: [GravesLSTM(32), RnnOutputLayer(5, activation="identity", loss="mse")],
    "SimpleRnn": lambda: [SimpleRnn(32), RnnOutputLayer(5, activation="identity", loss="mse")],
    "Bidirectional concat": lambda: [Bidirectional(GravesLSTM(32)), RnnOutputLayer(5, activation="identity", loss="mse")],
    "Bidirectional mul": lambda: [Bidirectional(LSTM(32), mode="mul"), RnnOutputLayer(5, activation="identity",
                                                                                        loss="mse")],
    "GravesBidirectionalLSTM": lambda: [GravesBidirectionalLSTM(32), RnnOutputLayer(5, activation="identity",
                                                                                     loss="mse")],
    "LastTimeStep + Dense": lambda: [LastTimeStep(LSTM(32)), DenseLayer(16), OutputLayer(5)],
    "LSTM > Dense > LSTM": lambda: [LSTM(32), DenseLayer(16), LSTM(16), RnnOutputLayer(5)],
}


def network(layers, n_in: int, seed: int = 0) -> MultiLayerNetwork:
    """A network of ``layers`` with its initial (Xavier) weights: of moderate size, as trained ones are."""
    return MultiLayerNetwork(MultiLayerConfiguration(layers, input_type=InputType.recurrent(n_in), seed=seed)).init()


def session(net, folder: Path, mask: bool):
    path = export_onnx(net, folder / f"{id(net)}-{mask}.onnx", mask=mask)
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]), path.stat().st_size


def median_seconds(fn, target: float) -> float:
    """The median time of one call of ``fn``, over calls filling about ``target`` seconds."""
    fn()
    t = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t, 1e-7)
    n = max(5, min(20000, int(target / once)))
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    time.sleep(0.15)                                  # OpenBLAS threads spin after a block
    return float(np.median(times))


def accuracy(folder: Path) -> list:
    rows, rng = [], np.random.default_rng(1)
    T, N, I = 50, 8, 6
    x = rng.normal(size=(N, I, T)).astype(np.float32)
    m = (np.arange(T)[None, :] < np.r_[T, rng.integers(1, T + 1, N - 1)][:, None]).astype(np.float32)
    for name, make in LAYERS.items():
        net = network(make(), I)
        sess, size = session(net, folder, mask=True)
        y = sess.run(["output"], {"features": x, "features_mask": m})[0]
        ref = net.output(x, features_mask=m)
        if y.ndim == 3:
            y = y * m[:, None, :]
        rows.append({"layers": name, "max_abs_diff": float(np.abs(y - ref).max()), "parameters": net.num_params(),
                     "model_bytes": size})
    return rows


def sequences(folder: Path, target: float) -> list:
    rows = []
    for name, (T, N, I, H) in SEQUENCE_SHAPES.items():
        net = network([LSTM(H)], I)
        x = np.random.default_rng(2).normal(size=(N, I, T)).astype(np.float32)
        sess, size = session(net, folder, mask=False)
        ours = median_seconds(lambda: net.output(x), target)
        theirs = median_seconds(lambda: sess.run(["output"], {"features": x}), target)
        rows.append({"shape": name, "T,N,I,H": [T, N, I, H], "net_output_ms": 1e3 * ours,
                     "onnxruntime_ms": 1e3 * theirs, "onnxruntime_vs_ours": theirs / ours, "model_bytes": size})
    return rows


def steps(folder: Path, target: float) -> list:
    rows = []
    for name, (N, I, H) in STEP_SHAPES.items():
        net = network([LSTM(H)], I)
        x = np.random.default_rng(3).normal(size=(N, I, 1)).astype(np.float32)
        sess, _ = session(net, folder, mask=False)
        net.rnn_clear_previous_state()
        ours = median_seconds(lambda: net.rnn_time_step(x[:, :, 0]), target)     # one step: [N, I]
        theirs = median_seconds(lambda: sess.run(["output"], {"features": x}), target)
        rows.append({"shape": name, "N,I,H": [N, I, H], "rnn_time_step_us": 1e6 * ours,
                     "onnxruntime_T1_us": 1e6 * theirs, "onnxruntime_vs_ours": theirs / ours})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short timings (a smoke run)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "onnx.json"))
    args = ap.parse_args()
    target = 0.2 if args.quick else 1.5
    with tempfile.TemporaryDirectory(prefix="bench-onnx-") as folder:
        folder = Path(folder)
        result = {"onnxruntime": ort.__version__, "accuracy": accuracy(folder),
                  "per_sequence": sequences(folder, target), "per_step": steps(folder, target)}
    print("max |onnxruntime - net.output| (float32, T 50, batch 8, padded masks)")
    for r in result["accuracy"]:
        print(f"  {r['layers']:26s} {r['max_abs_diff']:.2e}   {r['parameters']:>7,} parameters, "
              f"{r['model_bytes']:>8,} bytes")
    print("per sequence (one LSTM layer)      net.output   onnxruntime   ratio")
    for r in result["per_sequence"]:
        print(f"  {r['shape']} {str(tuple(r['T,N,I,H'])):22s} {r['net_output_ms']:9.2f} ms {r['onnxruntime_ms']:9.2f} ms"
              f"   {r['onnxruntime_vs_ours']:.2f}x")
    print("per step                  rnn_time_step   onnxruntime (T=1)   ratio")
    for r in result["per_step"]:
        print(f"  {r['shape']:4s} {str(tuple(r['N,I,H'])):16s} {r['rnn_time_step_us']:9.1f} us {r['onnxruntime_T1_us']:12.1f} us"
              f"   {r['onnxruntime_vs_ours']:.2f}x")
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
