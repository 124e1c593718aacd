"""Loaders for the real data sets bundled under ``workbench/data/resources/`` (read offline).

Each folder there keeps its README with the data's origin, licence and sha256.
"""
from __future__ import annotations

from importlib import resources

import numpy

from workbench.data.dataset import DataSet

__all__ = ["UCI_CLASS_NAMES", "uci_synthetic_control"]

UCI_CLASS_NAMES = ("normal", "cyclic", "increasing trend", "decreasing trend",
                   "upward shift", "downward shift")


def _resource(*parts):
    return resources.files("workbench.data").joinpath("resources", *parts)


def uci_synthetic_control(n_train=450, seed=12345, normalize=True) -> tuple[DataSet, DataSet]:
    """UCI Synthetic Control Chart Time Series, set up as DL4J's UCISequenceClassificationExample.

    600 univariate series of 60 steps in 6 classes (:data:`UCI_CLASS_NAMES`, 100 each, in file
    order), shuffled with ``numpy.random.default_rng(seed).permutation(600)`` and split into
    ``(train, test)`` of ``n_train`` and ``600 - n_train`` examples. Many-to-one classification:

    - features ``[n, 1, 60]`` float32, no features mask;
    - labels ``[n, 6, 60]`` float32, one-hot at the last step (t=59), zeros elsewhere;
    - labels_mask ``[n, 60]`` float32, 1 only at t=59.

    ``normalize=True`` standardises all features with the scalar mean and std of the training
    features (DL4J's NormalizerStandardize fitted on the training data).
    """
    with _resource("uci_synthetic_control", "synthetic_control.data").open("r") as f:
        values = numpy.loadtxt(f)  # (600, 60); columns are separated by runs of spaces
    if values.shape != (600, 60):
        raise ValueError(f"synthetic_control.data: expected 600 rows of 60 values, got {values.shape}")
    n, t = values.shape
    classes = numpy.arange(n) // 100

    features = values[:, None, :].astype(numpy.float32)               # (600, 1, 60)
    labels = numpy.zeros((n, len(UCI_CLASS_NAMES), t), numpy.float32)  # (600, 6, 60)
    labels[numpy.arange(n), classes, -1] = 1.0
    labels_mask = numpy.zeros((n, t), numpy.float32)                   # (600, 60)
    labels_mask[:, -1] = 1.0

    data = DataSet(features, labels, labels_mask=labels_mask)
    data.shuffle(seed)
    train, test = data.split_test_and_train(n_train)
    if normalize:
        x = train.features.astype(numpy.float64)
        mean, std = numpy.float32(x.mean()), numpy.float32(x.std())
        train.features = (train.features - mean) / std
        test.features = (test.features - mean) / std
    return train, test
