"""``python -m workbench.demo``: train a GravesLSTM on the bundled UCI synthetic control charts.

The many-to-one setup of DL4J's UCISequenceClassificationExample: one-variable series of 60
steps, a label only at the last step (a labels mask), 6 classes, 450 train / 150 test.
"""
from __future__ import annotations

import argparse
import time

from workbench.conf import Adam, GravesLSTM, InputType, MultiLayerConfiguration, RnnOutputLayer
from workbench.data import ListDataSetIterator
from workbench.data.datasets import UCI_CLASS_NAMES, uci_synthetic_control
from workbench.nn import MultiLayerNetwork
from workbench.nn.listeners import ProgressBar


def uci_configuration(seed: int = 123) -> MultiLayerConfiguration:
    """GravesLSTM(32) -> RnnOutputLayer(6, mcxent/softmax), Adam, elementwise gradient clipping."""
    return MultiLayerConfiguration(
        [GravesLSTM(32), RnnOutputLayer(6, loss="mcxent", activation="softmax")],
        input_type=InputType.recurrent(1), updater=Adam(0.02), seed=seed,
        gradient_normalization="clip_elementwise", gradient_normalization_threshold=0.5)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--backend", default="numpy", help="numpy, cupy or auto")
    args = parser.parse_args(argv)

    train, test = uci_synthetic_control()
    batches = ListDataSetIterator(train, args.batch_size)
    net = MultiLayerNetwork(uci_configuration(), backend=args.backend).init()
    print(f"UCI synthetic control: {train.num_examples()} train / {test.num_examples()} test series of "
          f"{train.features.shape[2]} steps; training on {net.backend.name}:\n{net.summary()}")
    start = time.perf_counter()
    net.fit(batches, epochs=args.epochs, listeners=[ProgressBar(args.epochs * len(batches))])
    print(f"trained {args.epochs} epochs in {time.perf_counter() - start:.1f} s\n")
    print(net.evaluate(test, labels=list(UCI_CLASS_NAMES)).stats())


if __name__ == "__main__":
    main()
