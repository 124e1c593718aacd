"""Loaders for the real data sets bundled under ``workbench/data/resources/`` (read offline),
and small generated data sets for teaching (:func:`moving_shapes`).

Each folder there keeps its README with the data's origin, licence and sha256.
"""
from __future__ import annotations

from importlib import resources

import numpy

from workbench.data.dataset import DataSet

__all__ = ["MOVING_SHAPES_CLASSES", "UCI_CLASS_NAMES", "moving_shapes", "shifted_symbols", "uci_synthetic_control"]

UCI_CLASS_NAMES = ("normal", "cyclic", "increasing trend", "decreasing trend",
                   "upward shift", "downward shift")

MOVING_SHAPES_CLASSES = ("right", "left", "down", "up")


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


# moving_shapes: the two 3x3 shape stamps (index 0 = square, 1 = plus) and, per class, the
# (row, col) step per frame of :data:`MOVING_SHAPES_CLASSES`.
_SHAPE_STAMPS = numpy.array([[[1, 1, 1], [1, 1, 1], [1, 1, 1]],
                             [[0, 1, 0], [1, 1, 1], [0, 1, 0]]], numpy.float32)
_SHAPE_STEPS = numpy.array([(0, 1), (0, -1), (1, 0), (-1, 0)])


def moving_shapes(n=600, frames=6, size=10, seed=0, noise=0.1) -> DataSet:
    """A small generated "video" classification set for CNN + LSTM networks.

    Each example is ``frames`` grayscale images (1 channel, ``size`` x ``size``) of one bright
    shape -- a 3x3 square or a 3x3 plus (cross), picked at random per example, pixels 1.0 on a
    0.0 background -- moving one pixel per frame in one of 4 directions, the class
    (:data:`MOVING_SHAPES_CLASSES`): 0 right (+1 column), 1 left (-1 column), 2 down (+1 row),
    3 up (-1 row). The frame wraps around (a shape leaving on the right comes back on the
    left) and the start position is uniform over the frame, so no single frame tells the
    direction: a network has to compare frames over time. Gaussian noise of std ``noise`` is added
    to every pixel. ``n // 4`` examples per class, in shuffled order; everything is drawn from
    ``numpy.random.default_rng(seed)``, so a seed gives identical arrays (and the noise is drawn
    last: the same seed gives the same shapes and paths for any ``noise``).

    DL4J's video layout (VideoClassificationExample), many-to-one:

    - features ``[n, 1*size*size, frames]`` float32, no features mask; frame ``t`` of example
      ``i`` is flattened in C order over (channel, row, col), so
      ``features[i, :, t].reshape(1, size, size)`` is that image (DL4J's RnnToCnnPreProcessor
      does the same for a whole minibatch);
    - labels ``[n, 4, frames]`` float32, one-hot at the last frame, zeros elsewhere;
    - labels_mask ``[n, frames]`` float32, 1 only at the last frame.

    >>> ds = moving_shapes(n=8, frames=5, size=8, noise=0.0)
    >>> ds.features.shape, ds.labels.shape, ds.labels_mask.shape
    ((8, 64, 5), (8, 4, 5), (8, 5))
    >>> ds.features[0, :, 2].reshape(1, 8, 8).sum() in (5.0, 9.0)
    True
    """
    n_classes = len(MOVING_SHAPES_CLASSES)
    if isinstance(n, bool) or not isinstance(n, (int, numpy.integer)) or n < n_classes or n % n_classes:
        raise ValueError(f"moving_shapes: n must be a positive multiple of {n_classes} "
                         f"(n // {n_classes} examples per class), got {n!r}")
    if isinstance(frames, bool) or not isinstance(frames, (int, numpy.integer)) or frames < 1:
        raise ValueError(f"moving_shapes: frames must be an int >= 1, got {frames!r}")
    if isinstance(size, bool) or not isinstance(size, (int, numpy.integer)) or size < 3:
        raise ValueError(f"moving_shapes: size must be an int >= 3 (the shapes are 3x3), got {size!r}")
    if not noise >= 0:  # also rejects NaN
        raise ValueError(f"moving_shapes: noise must be >= 0, got {noise!r}")
    n, frames, size = int(n), int(frames), int(size)

    rng = numpy.random.default_rng(seed)
    classes = rng.permutation(numpy.repeat(numpy.arange(n_classes), n // n_classes))  # (n,)
    kinds = rng.integers(0, len(_SHAPE_STAMPS), size=n)                                # (n,)
    steps = _SHAPE_STEPS[classes]                                                      # (n, 2)
    start = rng.integers(0, size, size=(n, 2))              # top-left corner of the 3x3 box at frame 0

    corner = start[:, None, :] + steps[:, None, :] * numpy.arange(frames)[None, :, None]  # (n, frames, 2)
    d = numpy.arange(3)
    rows = (corner[:, :, 0, None, None] + d[:, None]) % size                           # (n, frames, 3, 1)
    cols = (corner[:, :, 1, None, None] + d[None, :]) % size                           # (n, frames, 1, 3)
    video = numpy.zeros((n, frames, size, size), numpy.float32)
    video[numpy.arange(n)[:, None, None, None], numpy.arange(frames)[None, :, None, None],
          rows, cols] = _SHAPE_STAMPS[kinds][:, None]                                  # (n, 1, 3, 3)
    if noise > 0:
        video += numpy.float32(noise) * rng.standard_normal(video.shape, numpy.float32)

    # (n, frames, 1*size*size) -> (n, 1*size*size, frames)
    features = numpy.ascontiguousarray(video.reshape(n, frames, size * size).transpose(0, 2, 1))
    labels = numpy.zeros((n, n_classes, frames), numpy.float32)
    labels[numpy.arange(n), classes, -1] = 1.0
    labels_mask = numpy.zeros((n, frames), numpy.float32)
    labels_mask[:, -1] = 1.0
    return DataSet(features, labels, labels_mask=labels_mask)


def shifted_symbols(n=512, length=12, shift=2, symbols=2, seed=0) -> DataSet:
    """A task that needs future context: label each step with the symbol ``shift`` steps later.

    Features one-hot ``[n, symbols, length]`` of random symbols; labels ``[n, symbols, length]``
    with ``labels[:, :, t] = features[:, :, t + shift]``; the last ``shift`` steps have no label
    (labels_mask 0 there). A unidirectional network can only guess (accuracy ~ 1 / symbols);
    a bidirectional one sees the future and can be exact.
    """
    if not 0 < shift < length:
        raise ValueError(f"shifted_symbols: shift must be in [1, length - 1] = [1, {length - 1}], got {shift}")
    rng = numpy.random.default_rng(seed)
    x = numpy.eye(symbols, dtype=numpy.float32)[rng.integers(0, symbols, size=(n, length))].transpose(0, 2, 1)
    y = numpy.zeros_like(x)
    y[:, :, :length - shift] = x[:, :, shift:]
    mask = numpy.ones((n, length), numpy.float32)
    mask[:, length - shift:] = 0
    return DataSet(numpy.ascontiguousarray(x), y, labels_mask=mask)
