"""DataSet: features, labels and their optional masks, as DL4J lays them out.

Shapes: features ``[batch, n_in, time]`` (or ``[batch, n_in]`` for feed-forward data), labels
``[batch, n_out, time]`` (or ``[batch, n_out]``), masks ``[batch, time]`` with 1 = real step,
0 = padding. Arrays may be NumPy or CuPy; masks are kept as given (bool or float).
"""
from __future__ import annotations

import operator

import numpy

from workbench.backend import array_module, real_array
from workbench.errors import InputTypeError, InvalidInputError


class DataSet:
    """One minibatch, or a whole data set, of ``features``/``labels`` with optional masks.

    >>> ds = DataSet(numpy.zeros((4, 3, 7)), numpy.zeros((4, 2, 7)), labels_mask=numpy.ones((4, 7)))
    >>> ds.num_examples()
    4
    """

    def __init__(self, features, labels, features_mask=None, labels_mask=None):
        for name, a in (("features", features), ("labels", labels)):
            if a is None:
                raise InputTypeError(f"DataSet: {name} is None; a DataSet holds features and labels (to predict "
                                     "without labels, pass the features array to net.output)")
        self.features, self.labels, self.features_mask, self.labels_mask = (
            None if a is None else real_array(a, f"DataSet {name}") for name, a in (
                ("features", features), ("labels", labels), ("features_mask", features_mask),
                ("labels_mask", labels_mask)))
        for name, a in (("features", self.features), ("labels", self.labels)):
            if a.ndim < 2:
                raise InvalidInputError(f"{name}: expected [batch, n, time] or [batch, n], got shape {a.shape}")
        if self.labels.shape[0] != self.features.shape[0]:
            raise InvalidInputError(
                f"labels: expected batch size {self.features.shape[0]} (features shape "
                f"{self.features.shape}), got labels shape {self.labels.shape}")
        _check_mask("features_mask", self.features_mask, "features", self.features)
        _check_mask("labels_mask", self.labels_mask, "labels", self.labels)

    def num_examples(self) -> int:
        return int(self.features.shape[0])

    def split_test_and_train(self, n_train: int) -> tuple[DataSet, DataSet]:
        """``(train, test)``: the first ``n_train`` examples and the rest (views, not copies)."""
        try:
            n_train, n = operator.index(n_train), self.num_examples()
        except TypeError:
            raise InputTypeError(f"split_test_and_train: n_train must be an int, got {type(n_train).__name__}") from None
        if not 1 <= n_train <= n - 1:
            raise InvalidInputError(
                f"split_test_and_train: n_train must be in [1, {n - 1}] so both parts hold "
                f"examples (this DataSet has {n}), got {n_train}")
        return self._take(slice(None, n_train)), self._take(slice(n_train, None))

    def shuffle(self, seed=None) -> None:
        """Reorder the examples in place; all four arrays get the same permutation."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise InputTypeError(f"shuffle: seed must be None or an int >= 0, got {seed!r}")
        perm = numpy.random.default_rng(seed).permutation(self.num_examples())
        self.features, self.labels, self.features_mask, self.labels_mask = (
            None if a is None else a[array_module(a).asarray(perm)] for a in self._arrays())

    @staticmethod
    def merge(datasets) -> "DataSet":
        """One DataSet holding the examples of all ``datasets``, in order.

        Time series of different lengths are padded with zeros at their end up to the longest;
        a mask is built (or extended with zeros) wherever padding was added or a part had one.
        """
        datasets = list(datasets)
        if not datasets or not all(isinstance(d, DataSet) for d in datasets):
            raise InvalidInputError(f"DataSet.merge: expected a non-empty list of DataSets, got {datasets!r}")
        features, fmask = _merge_arrays("features", [(d.features, d.features_mask) for d in datasets])
        labels, lmask = _merge_arrays("labels", [(d.labels, d.labels_mask) for d in datasets])
        return DataSet(features, labels, fmask, lmask)

    def _arrays(self):
        return self.features, self.labels, self.features_mask, self.labels_mask

    def examples(self, start: int, stop: int) -> DataSet:
        """Examples ``start..stop-1`` of all four arrays (views, not copies): a shard of a minibatch."""
        return self._take(slice(start, stop))

    def _take(self, index) -> DataSet:
        return DataSet(*(None if a is None else a[index] for a in self._arrays()))

    def __repr__(self):
        def show(a):
            return "None" if a is None else f"{tuple(a.shape)} {a.dtype}"
        return (f"DataSet(features={show(self.features)}, labels={show(self.labels)}, "
                f"features_mask={show(self.features_mask)}, labels_mask={show(self.labels_mask)})")


def _check_mask(name, mask, data_name, data):
    """A mask is [batch, time] for 3-d data, [batch] or [batch, 1] (one flag per example) for 2-d."""
    if mask is None:
        return
    if data.ndim == 3:
        expected, want = [(data.shape[0], data.shape[2])], "[batch, time]"
    else:
        expected, want = [(data.shape[0],), (data.shape[0], 1)], "[batch] or [batch, 1]"
    if tuple(mask.shape) not in expected:
        raise InvalidInputError(
            f"{name}: expected shape {want} = {expected[0]} to match {data_name} shape "
            f"{data.shape}, got {tuple(mask.shape)}")


def _merge_arrays(name, parts):
    """Concatenate (array, mask) parts along the batch; pad 3-d ones at the end to the longest."""
    xp = array_module(parts[0][0])
    ndims = {a.ndim for a, _ in parts}
    if len(ndims) > 1 or len({a.shape[1] for a, _ in parts}) > 1:
        raise InvalidInputError(f"DataSet.merge: {name} must all have the same rank and width, got shapes "
                         f"{sorted({tuple(a.shape) for a, _ in parts})}")
    if ndims == {2}:
        masks = [m for _, m in parts]
        if all(m is None for m in masks):
            return xp.concatenate([a for a, _ in parts]), None
        full = [xp.ones(a.shape[0], dtype=xp.float32) if m is None else m.reshape(a.shape[0]) for (a, _), m in
                zip(parts, masks)]
        return xp.concatenate([a for a, _ in parts]), xp.concatenate(full)
    T = max(a.shape[2] for a, _ in parts)
    need_mask = any(m is not None or a.shape[2] != T for a, m in parts)
    arrays, masks = [], []
    for a, m in parts:
        n, width, t = a.shape
        padded = xp.zeros((n, width, T), dtype=a.dtype)
        padded[:, :, :t] = a
        arrays.append(padded)
        if need_mask:
            mask = xp.zeros((n, T), dtype=xp.float32)
            mask[:, :t] = 1 if m is None else m
            masks.append(mask)
    return xp.concatenate(arrays), (xp.concatenate(masks) if need_mask else None)
