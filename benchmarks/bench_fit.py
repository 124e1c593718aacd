#!/usr/bin/env python3
"""End-to-end training throughput, and how much of it is spent outside the layers.

Trains the UCI synthetic control task (standard BPTT, many-to-one) and a tiny Shakespeare
character model (truncated BPTT) for a fixed number of epochs, and reports examples per second
and the share of the time not spent in any layer's forward or backward (data, masks, the loss,
updater, listeners, Python glue). Float32, the current BLAS settings.

    python benchmarks/bench_fit.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.data import ListDataSetIterator  # noqa: E402
from workbench.data.datasets import tiny_shakespeare, uci_synthetic_control  # noqa: E402
from workbench.demo import uci_configuration  # noqa: E402
from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer  # noqa: E402


def timed_layers(net):
    """Wrap every layer's forward/backward (and the output layer's loss) to add up their time."""
    spent = [0.0]

    def wrap(obj, name):
        inner = getattr(obj, name)

        def timed(*args, **kw):
            t0 = time.perf_counter()
            try:
                return inner(*args, **kw)
            finally:
                spent[0] += time.perf_counter() - t0
        setattr(obj, name, timed)
    for layer in net.layers:
        for name in ("forward", "backward", "backward_z", "loss"):   # the output layer's loss is its math
            if hasattr(layer, name):
                wrap(layer, name)
    return spent


def run(name, net, data, epochs, examples_per_epoch):
    net.fit(data)                                      # warm-up: workspaces, caches
    spent = timed_layers(net)
    t0 = time.perf_counter()
    net.fit(data, epochs=epochs)
    total = time.perf_counter() - t0
    return {"task": name, "examples/s": examples_per_epoch * epochs / total,
            "outside layers": 1 - spent[0] / total, "seconds": total}


def main():
    rows = []
    train, _ = uci_synthetic_control()
    net = MultiLayerNetwork(uci_configuration()).init()
    rows.append(run("UCI synthetic control, GravesLSTM(32), batch 32, T=60", net,
                    ListDataSetIterator(train, 32), 10, train.num_examples()))
    it = tiny_shakespeare(batch_size=32, sequence_length=100, examples_per_epoch=32 * 20)
    conf = MultiLayerConfiguration([LSTM(128), RnnOutputLayer(it.vocab_size)],
                                   input_type=InputType.recurrent(it.vocab_size), updater=Adam(0.005), seed=0,
                                   backprop_type="tbptt", tbptt_fwd_length=50)
    rows.append(run("tiny Shakespeare, LSTM(128), batch 32, T=100, TBPTT 50", MultiLayerNetwork(conf).init(),
                    it, 3, 32 * 20))
    print(f"{'task':58s} {'examples/s':>11s} {'outside layers':>15s} {'seconds':>8s}")
    for r in rows:
        print(f"{r['task']:58s} {r['examples/s']:11.0f} {100 * r['outside layers']:14.1f}% {r['seconds']:8.2f}")


if __name__ == "__main__":
    main()
