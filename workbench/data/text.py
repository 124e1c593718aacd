"""Character-level text data: :class:`CharacterIterator`, the DataSetIterator of DL4J's character
example (``CharacterIterator`` in dl4j-examples), for language models trained with (truncated) BPTT
and sampled step by step with ``rnn_time_step``.
"""
from __future__ import annotations

import operator

import numpy

from workbench.data.dataset import DataSet
from workbench.data.iterators import DataSetIterator
from workbench.errors import InputTypeError

__all__ = ["CharacterIterator"]


def _positive_int(owner, name, value):
    if isinstance(value, bool):
        raise ValueError(f"{owner}: {name} must be an int >= 1, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{owner}: {name} must be an int >= 1, got {value!r}") from None
    if value < 1:
        raise ValueError(f"{owner}: {name} must be an int >= 1, got {value!r}")
    return value


def _code_points(text: str):
    """The Unicode code points of ``text`` as a uint32 array (no per-character Python loop)."""
    return numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


class CharacterIterator(DataSetIterator):
    """Minibatches of one-hot character sequences for next-character prediction.

    Each example is a window of ``sequence_length + 1`` consecutive characters of ``text``:
    features are the one-hot encoding of its first ``sequence_length`` characters, labels that of
    the last ``sequence_length`` (the next character at every step). Shapes (DL4J layout):
    features and labels ``[batch, vocab_size, sequence_length]`` float32, no masks.

    As in DL4J's example, the text is cut into non-overlapping windows starting at multiples of
    ``sequence_length``; a pass visits them in a random order. A pass holds
    ``examples_per_epoch`` examples (default: all windows, rounded down to whole minibatches, or
    all windows when there are fewer than ``batch_size``); when more are asked than there are
    windows, further random permutations of the windows follow. The order is drawn from
    ``numpy.random.default_rng(seed)``; :meth:`reset` re-seeds it identically, so every pass after
    a ``reset()`` (``fit`` resets before each epoch) yields the same minibatches. A pass's order is
    drawn when iteration starts; iterating again without ``reset()`` continues the generator and
    gives another order.

    ``vocab``: the characters, index = position (default: the sorted distinct characters of
    ``text``). A character of ``text`` outside a given ``vocab`` is an error naming it.

    >>> it = CharacterIterator("hello world, hello moon. " * 8, batch_size=4, sequence_length=10)
    >>> ds = next(iter(it))
    >>> ds.features.shape, ds.labels.shape, len(it.vocab)
    ((4, 12, 10), (4, 12, 10), 12)
    >>> it.decode(it.encode("hello"))
    'hello'
    """

    def __init__(self, text, batch_size=32, sequence_length=100, vocab=None, seed=0, examples_per_epoch=None):
        if not isinstance(text, str):
            raise InputTypeError(f"CharacterIterator: text must be a str, got {type(text).__name__}")
        self.batch_size = _positive_int("CharacterIterator", "batch_size", batch_size)
        self.sequence_length = _positive_int("CharacterIterator", "sequence_length", sequence_length)
        if len(text) < self.sequence_length + 1:
            raise ValueError(f"CharacterIterator: text has {len(text)} characters; at least "
                             f"sequence_length + 1 = {self.sequence_length + 1} are needed for one example")
        if vocab is None:
            vocab = sorted(set(text))
        else:
            vocab = list(vocab)
            bad = [c for c in vocab if not isinstance(c, str) or len(c) != 1]
            if bad:
                raise ValueError(f"CharacterIterator: vocab entries must be single characters, got {bad[:5]!r}")
            if len(set(vocab)) != len(vocab):
                dupes = sorted({c for c in vocab if vocab.count(c) > 1})
                raise ValueError(f"CharacterIterator: vocab has duplicate characters {dupes!r}")
            if not vocab:
                raise ValueError("CharacterIterator: vocab is empty")
        self.vocab = vocab
        self.char_to_index = {c: i for i, c in enumerate(vocab)}
        self._vocab_points = numpy.array([ord(c) for c in vocab], dtype=numpy.uint32)
        self._eye = numpy.eye(len(vocab), dtype=numpy.float32)
        self.text = text
        self._encoded = self.encode(text)
        self.seed = seed

        self.num_windows = (len(text) - 1) // self.sequence_length
        if examples_per_epoch is None:
            whole = self.num_windows // self.batch_size * self.batch_size
            examples_per_epoch = whole or self.num_windows
        self.examples_per_epoch = _positive_int("CharacterIterator", "examples_per_epoch", examples_per_epoch)
        self.reset()

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def reset(self) -> None:
        """Re-seed the order generator: the next pass is the same as the first one."""
        self._rng = numpy.random.default_rng(self.seed)

    def __len__(self) -> int:
        return -(-self.examples_per_epoch // self.batch_size)

    def encode(self, text: str):
        """The vocabulary indices (int64 array) of the characters of ``text``."""
        if not isinstance(text, str):
            raise InputTypeError(f"encode: expected a str, got {type(text).__name__}")
        points = _code_points(text)
        if not len(points):
            return numpy.zeros(0, numpy.int64)
        lookup = numpy.full(max(int(points.max()), int(self._vocab_points.max())) + 1, -1, numpy.int64)
        lookup[self._vocab_points] = numpy.arange(len(self.vocab))
        indices = lookup[points]  # a table over code points: no per-character Python work
        unknown = indices < 0
        if unknown.any():
            chars = [chr(p) for p in numpy.unique(points[unknown]).tolist()]
            shown = ", ".join(repr(c) for c in chars[:20]) + (", ..." if len(chars) > 20 else "")
            raise ValueError(f"CharacterIterator: {len(chars)} character(s) not in the vocabulary: {shown}")
        return indices

    def decode(self, indices) -> str:
        """The text of a sequence of vocabulary indices (a 1-d int array or list, or one index)."""
        idx = numpy.asarray(indices)
        if idx.ndim > 1:
            raise ValueError(f"decode: expected a 1-d sequence of indices, got shape {idx.shape}")
        if idx.size and idx.dtype.kind not in "iu":
            raise ValueError(f"decode: expected integer indices, got dtype {idx.dtype}")
        idx = idx.reshape(-1).astype(numpy.int64)
        bad = (idx < 0) | (idx >= len(self.vocab))
        if bad.any():
            raise ValueError(f"decode: indices must be in [0, {len(self.vocab) - 1}], got {idx[bad][:5].tolist()}")
        return self._vocab_points[idx].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")

    def one_hot(self, text: str):
        """``text`` as one-hot features ``[1, vocab_size, len(text)]`` float32 (to prime ``rnn_time_step``)."""
        return numpy.ascontiguousarray(self._eye[self.encode(text)].T[None])

    def _starts(self):
        """The start offsets of one pass: permutations of the windows, ``examples_per_epoch`` long."""
        n, need, parts = self.num_windows, self.examples_per_epoch, []
        while need > 0:
            perm = self._rng.permutation(n)[:need]
            parts.append(perm)
            need -= len(perm)
        return numpy.concatenate(parts) * self.sequence_length

    def _batch(self, starts) -> DataSet:
        window = self._encoded[starts[:, None] + numpy.arange(self.sequence_length + 1)]  # [b, L+1]
        onehot = self._eye[window]                                                     # [b, L+1, V]
        features = numpy.ascontiguousarray(onehot[:, :-1].transpose(0, 2, 1))          # [b, V, L]
        labels = numpy.ascontiguousarray(onehot[:, 1:].transpose(0, 2, 1))
        return DataSet(features, labels)

    def __iter__(self):
        starts = self._starts()
        return (self._batch(starts[i:i + self.batch_size]) for i in range(0, len(starts), self.batch_size))

    def __repr__(self):
        return (f"CharacterIterator({len(self.text)} chars, vocab_size={self.vocab_size}, "
                f"batch_size={self.batch_size}, sequence_length={self.sequence_length}, "
                f"examples_per_epoch={self.examples_per_epoch}, seed={self.seed!r})")
