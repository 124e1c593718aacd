"""Loaders for the real data sets bundled under ``workbench/data/resources/`` (read offline),
and small generated data sets for teaching (:func:`moving_shapes`).

Each folder there keeps its README with the data's origin, licence and sha256. Importing this
module reads no file: each loader reads its files (through :mod:`importlib.resources`, so an
installed package works too) when it is called. :func:`workbench.data.export.to_csv_sequences`
writes any of them as DL4J-style numbered CSV files.

- :func:`uci_synthetic_control`: 600 univariate series of 60 steps, 6 classes (many-to-one).
- :func:`japanese_vowels`: 640 variable-length series of 12 channels, 9 speakers (masked
  many-to-one).
- :func:`airline` / :func:`airline_series`: 144 monthly passenger totals (forecasting).
- :func:`tiny_shakespeare` / :func:`tiny_shakespeare_text`: 1.1 MB of text (character model).
- :func:`remember_first` (generated): recall the first symbol at the last step, a dependency as long
  as the sequence (full vs truncated BPTT).
"""
from __future__ import annotations

import csv
import io
from importlib import resources

import numpy

from workbench.data.dataset import DataSet
from workbench.data.export import to_csv_sequences  # noqa: F401  (API.md: datasets "written out by to_csv_sequences")
from workbench.data.normalize import NormalizerStandardize
from workbench.data.text import CharacterIterator

__all__ = ["JAPANESE_VOWELS_CLASSES", "MOVING_SHAPES_CLASSES", "UCI_CLASS_NAMES", "airline", "airline_series",
           "japanese_vowels", "moving_shapes", "remember_first", "shifted_symbols", "tiny_shakespeare",
           "tiny_shakespeare_text", "to_csv_sequences", "uci_synthetic_control"]

UCI_CLASS_NAMES = ("normal", "cyclic", "increasing trend", "decreasing trend",
                   "upward shift", "downward shift")

MOVING_SHAPES_CLASSES = ("right", "left", "down", "up")

JAPANESE_VOWELS_CLASSES = tuple(f"speaker {k}" for k in range(1, 10))


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


def _read_ts(name):
    """Parse a sktime/aeon ``.ts`` file of the JapaneseVowels folder.

    Returns ``(series, classes)``: a list of float64 arrays ``[channels, length]`` in file order
    and an int array of class indices (positions in the ``@classLabel`` list).
    """
    text = _resource("japanese_vowels", name).read_bytes().decode("utf-8")
    dims = class_labels = None
    series, classes, in_data = [], [], False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{name} line {lineno}"
        if not in_data:
            if not line.startswith("@"):
                raise ValueError(f"{where}: expected an @ header line before @data, got {line[:40]!r}")
            key, _, rest = line.partition(" ")
            key, words = key.lower(), rest.split()
            if key == "@dimensions":
                dims = int(words[0])
            elif key == "@classlabel":
                if not words or words[0].lower() != "true":
                    raise ValueError(f"{where}: expected '@classLabel true <labels>', got {line!r}")
                class_labels = {label: k for k, label in enumerate(words[1:])}
            elif key == "@data":
                if dims is None or not class_labels:
                    raise ValueError(f"{where}: @data before @dimensions and @classLabel")
                in_data = True
            continue
        fields = line.split(":")
        if len(fields) != dims + 1:
            raise ValueError(f"{where}: expected {dims} channels and a class label separated by ':', "
                             f"got {len(fields)} fields")
        label = fields[-1].strip()
        if label not in class_labels:
            raise ValueError(f"{where}: class label {label!r} is not one of {list(class_labels)}")
        lengths = {f.count(",") + 1 for f in fields[:-1]}
        if len(lengths) != 1:
            raise ValueError(f"{where}: channels have different lengths {sorted(lengths)}")
        try:
            values = numpy.array(",".join(fields[:-1]).split(","), dtype=numpy.float64)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        series.append(values.reshape(dims, lengths.pop()))
        classes.append(class_labels[label])
    if not in_data:
        raise ValueError(f"{name}: no @data line")
    return series, numpy.array(classes, dtype=numpy.int64)


def _many_to_one(series, classes, n_classes) -> DataSet:
    """Variable-length many-to-one DataSet: padded after each end, label at the last real step."""
    n, width = len(series), series[0].shape[0]
    lengths = numpy.array([s.shape[1] for s in series])
    t_max = int(lengths.max())
    features = numpy.zeros((n, width, t_max), numpy.float32)
    for i, s in enumerate(series):
        features[i, :, :s.shape[1]] = s
    features_mask = (numpy.arange(t_max)[None, :] < lengths[:, None]).astype(numpy.float32)
    last = lengths - 1
    labels = numpy.zeros((n, n_classes, t_max), numpy.float32)
    labels[numpy.arange(n), classes, last] = 1.0
    labels_mask = numpy.zeros((n, t_max), numpy.float32)
    labels_mask[numpy.arange(n), last] = 1.0
    return DataSet(features, labels, features_mask, labels_mask)


def japanese_vowels() -> tuple[DataSet, DataSet]:
    """UCI/UEA JapaneseVowels: classify the speaker (:data:`JAPANESE_VOWELS_CLASSES`) of an
    utterance, a variable-length series of 12 LPC cepstrum coefficients (7..29 frames).

    Returns ``(train, test)`` with 270 and 370 examples in file order (grouped by class), as
    DL4J's guide lays out many-to-one data of variable length:

    - features ``[n, 12, T_max]`` float32, zero-padded after each example's end
      (``T_max`` = 26 for train, 29 for test);
    - features_mask ``[n, T_max]`` float32, 1 on the real steps;
    - labels ``[n, 9, T_max]`` float32, one-hot of the class (file label - 1) at the example's
      last real step only;
    - labels_mask ``[n, T_max]`` float32, 1 only at that step.

    The values are used as stored (range about -1.9 .. 2.2); no normalisation.
    """
    out = []
    for name in ("JapaneseVowels_TRAIN.ts", "JapaneseVowels_TEST.ts"):
        series, classes = _read_ts(name)
        out.append(_many_to_one(series, classes, len(JAPANESE_VOWELS_CLASSES)))
    return out[0], out[1]


def airline_series() -> tuple[list[str], numpy.ndarray]:
    """Box & Jenkins monthly airline passengers: ``(months, values)``, 144 months ``"YYYY-MM"``
    from 1949-01 to 1960-12 and the passengers in thousands as a float32 array ``[144]``."""
    text = _resource("airline", "Airline.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip() for c in rows[0]] != ["Date", "Passengers"]:
        raise ValueError(f"Airline.csv: expected the header 'Date,Passengers', got {rows[:1]!r}")
    rows = [r for r in rows[1:] if r]
    if any(len(r) != 2 for r in rows):
        raise ValueError("Airline.csv: every row must hold a date and a value")
    months = [r[0].strip() for r in rows]
    values = numpy.array([float(r[1]) for r in rows], dtype=numpy.float32)
    expected = [f"{1949 + k // 12}-{k % 12 + 1:02d}" for k in range(144)]
    if months != expected:
        raise ValueError("Airline.csv: expected 144 contiguous months 1949-01 .. 1960-12")
    return months, values


def airline() -> DataSet:
    """The airline series as a one-step-ahead forecasting DataSet (regression, no masks):
    features ``[1, 1, 143]`` = months 0..142, labels ``[1, 1, 143]`` = months 1..143, float32,
    passengers in thousands (raw values 104..622: normalise before training a tanh network).
    The month names are in :func:`airline_series`."""
    _, values = airline_series()
    return DataSet(values[None, None, :-1].copy(), values[None, None, 1:].copy())


def airline_changes(test_months: int = 24) -> tuple[DataSet, DataSet, NormalizerStandardize]:
    """(train, test, normalizer) for one-step-ahead forecasting of monthly log changes of airline
    passengers.

    Step t's feature is the change into month t, its label the change to month t + 1, both
    standardised with training statistics (``normalizer.revert_labels`` turns predictions back
    into log changes). ``test`` is the whole series ``[1, 1, 142]`` with its labels mask on the last
    ``test_months`` months only; ``train`` holds the months before.
    """
    _, passengers = airline_series()
    change = numpy.diff(numpy.log(passengers.astype(numpy.float64)))
    x, y = change[:-1][None, None].astype(numpy.float32), change[1:][None, None].astype(numpy.float32)
    n_train = x.shape[2] - test_months
    norm = NormalizerStandardize(fit_labels=True).fit(DataSet(x[:, :, :n_train], y[:, :, :n_train]))
    full = norm.transform(DataSet(x, y))
    mask = numpy.zeros((1, x.shape[2]), numpy.float32)
    mask[:, n_train:] = 1
    train = DataSet(full.features[:, :, :n_train], full.labels[:, :, :n_train])
    return train, DataSet(full.features, full.labels, labels_mask=mask), norm


def tiny_shakespeare_text() -> str:
    """Karpathy's tiny Shakespeare (char-rnn ``input.txt``): 1,115,394 characters, 65 distinct."""
    return _resource("tiny_shakespeare", "input.txt").read_bytes().decode("utf-8")


def tiny_shakespeare(batch_size=32, sequence_length=100, seed=0, **kw) -> CharacterIterator:
    """A :class:`~workbench.data.text.CharacterIterator` over :func:`tiny_shakespeare_text`
    (vocabulary: its 65 sorted distinct characters unless ``vocab=`` is given; further keyword
    arguments go to the iterator, e.g. ``examples_per_epoch``)."""
    return CharacterIterator(tiny_shakespeare_text(), batch_size=batch_size, sequence_length=sequence_length,
                             seed=seed, **kw)


def remember_first(n=512, length=30, symbols=2, seed=0) -> DataSet:
    """A task that needs a memory as long as the sequence: recall the first symbol at the end.

    Features one-hot ``[n, symbols, length]`` of random symbols, drawn from
    ``numpy.random.default_rng(seed)``; labels ``[n, symbols, length]``, zero except at the last
    step, where they are the one-hot symbol of step 0; labels_mask ``[n, length]``, 1 only at
    the last step (many-to-one). The steps in between are noise, so the gradient of the loss has
    to travel back ``length - 1`` steps: truncated BPTT with segments (or a back length) shorter
    than the sequence cannot learn it (accuracy ~ 1 / symbols), full BPTT can.

    >>> ds = remember_first(n=4, length=6, seed=1)
    >>> ds.features.shape, ds.labels.shape, ds.labels_mask.shape
    ((4, 2, 6), (4, 2, 6), (4, 6))
    >>> bool((ds.labels[:, :, -1] == ds.features[:, :, 0]).all())
    True
    """
    for name, value, low in (("n", n, 1), ("length", length, 1), ("symbols", symbols, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < low:
            raise ValueError(f"remember_first: {name} must be an int >= {low}, got {value!r}")
    n, length, symbols = int(n), int(length), int(symbols)
    rng = numpy.random.default_rng(seed)
    x = numpy.eye(symbols, dtype=numpy.float32)[rng.integers(0, symbols, size=(n, length))].transpose(0, 2, 1)
    y = numpy.zeros_like(x)
    y[:, :, -1] = x[:, :, 0]
    mask = numpy.zeros((n, length), numpy.float32)
    mask[:, -1] = 1
    return DataSet(numpy.ascontiguousarray(x), y, labels_mask=mask)
