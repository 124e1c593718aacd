"""Standardising features (and, for regression, labels) with statistics of the training data.

DL4J's ``NormalizerStandardize``: ``fit`` on the training data, then ``transform`` every
DataSet (or ``wrap`` an iterator) the network sees. Statistics are per feature (axis 1) over
every example and every real step: masked (padding) steps are left out, and stay 0.
"""
from __future__ import annotations

import json

import numpy

from workbench.backend import array_module, to_numpy
from workbench.conf.fields import parse_json
from workbench.data.dataset import DataSet
from workbench.data.iterators import DataSetIterator
from workbench.errors import ConfigurationError, InputTypeError, InvalidInputError

_STATS = ("feature_mean", "feature_std", "label_mean", "label_std")


class _Moments:
    """Per-column count, mean and M2 (sum of squared deviations), merged batch by batch."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, None, None

    def add(self, rows):                                  # rows (count, columns), float64
        if len(rows) == 0:
            return
        n, mean = len(rows), rows.mean(axis=0)
        m2 = ((rows - mean) ** 2).sum(axis=0)
        if self.mean is None:
            self.n, self.mean, self.m2 = n, mean, m2
            return
        total = self.n + n
        delta = mean - self.mean
        self.m2 = self.m2 + m2 + delta ** 2 * self.n * n / total
        self.mean = self.mean + delta * n / total
        self.n = total

    def std(self):
        std = numpy.sqrt(self.m2 / self.n)
        return numpy.where(std > 0, std, 1.0)                 # a constant column is only shifted


def _rows(a, mask, name):
    """(count, columns) float64 of the real rows/steps of a 2-d or 3-d array; NaN/inf refused."""
    a = to_numpy(a).astype(numpy.float64)
    if a.ndim == 2:
        rows = a if mask is None else a[to_numpy(mask).reshape(-1) > 0]
    else:
        rows = a.transpose(0, 2, 1)                            # (batch, time, columns)
        rows = rows.reshape(-1, a.shape[1]) if mask is None else rows[to_numpy(mask) > 0]
    if not numpy.isfinite(rows).all():
        raise InvalidInputError(f"{name} contain NaN or inf at real steps; statistics of them would be NaN")
    return rows


def _column(a, values):
    """``values`` (columns,) as an array of ``a``'s module and dtype, shaped to broadcast on axis 1."""
    return array_module(a).asarray(values, dtype=a.dtype).reshape((1, -1) + (1,) * (a.ndim - 2))


def _apply(a, mask, shift, scale):
    """(a - shift) / scale per column (axis 1), zero where masked; same array type and dtype."""
    out = (a - _column(a, shift)) / _column(a, scale)
    if mask is not None and a.ndim == 3:
        out *= (mask[:, None, :] > 0)
    return out


class NormalizerStandardize:
    """Per-feature zero mean and unit variance; with ``fit_labels`` the labels too (regression).

    >>> norm = NormalizerStandardize().fit(train)        # DataSet or iterator of them
    >>> train_n, test_n = norm.transform(train), norm.transform(test)
    >>> it = norm.wrap(SequenceRecordReaderDataSetIterator(...))
    """

    def __init__(self, fit_labels: bool = False):
        self.fit_labels = fit_labels
        self.feature_mean = self.feature_std = self.label_mean = self.label_std = None

    def fit(self, data) -> "NormalizerStandardize":
        """Statistics of a DataSet or an iterable of DataSets (an iterator is reset first)."""
        who = "NormalizerStandardize.fit"
        if not isinstance(data, DataSet) and (data is None or isinstance(data, (str, bytes, dict))
                                              or not hasattr(data, "__iter__")):
            raise InputTypeError(f"{who}: data must be a DataSet or an iterable of DataSets, got {type(data).__name__}")
        if hasattr(data, "reset") and not isinstance(data, DataSet):
            data.reset()
        feats, labels = _Moments(), _Moments()
        for k, ds in enumerate([data] if isinstance(data, DataSet) else data):
            if not isinstance(ds, DataSet):
                raise InputTypeError(f"{who}: minibatch {k} is a {type(ds).__name__}, not a DataSet")
            feats.add(_rows(ds.features, ds.features_mask, f"{who}: minibatch {k} features"))
            if self.fit_labels:
                labels.add(_rows(ds.labels, ds.labels_mask, f"{who}: minibatch {k} labels"))
        if feats.n == 0:
            raise InvalidInputError(f"{who}: the data holds no unmasked step")
        self.feature_mean, self.feature_std = feats.mean, feats.std()
        if self.fit_labels:
            self.label_mean, self.label_std = labels.mean, labels.std()
        return self

    def _require_fit(self):
        if self.feature_mean is None:
            raise RuntimeError("NormalizerStandardize: call fit(train_data) first")

    def transform(self, ds: DataSet) -> DataSet:
        """A new DataSet with standardised features (and labels when fitted); masks unchanged."""
        self._require_fit()
        width = ds.features.shape[1]
        if width != len(self.feature_mean):
            raise InvalidInputError(f"NormalizerStandardize.transform: fitted on {len(self.feature_mean)} features, "
                             f"got features of shape {tuple(ds.features.shape)}")
        features = _apply(ds.features, ds.features_mask, self.feature_mean, self.feature_std)
        labels = ds.labels
        if self.fit_labels:
            labels = _apply(ds.labels, ds.labels_mask, self.label_mean, self.label_std)
        return DataSet(features, labels, ds.features_mask, ds.labels_mask)

    def revert_labels(self, labels):
        """Labels or predictions ([batch, n_out] or [batch, n_out, time]) back in original units."""
        self._require_fit()
        if not self.fit_labels:
            return labels
        return labels * _column(labels, self.label_std) + _column(labels, self.label_mean)

    def wrap(self, iterator) -> "NormalizedIterator":
        """An iterator that yields ``transform(ds)`` for each minibatch of ``iterator``."""
        self._require_fit()
        return NormalizedIterator(iterator, self)

    def to_json(self) -> str:
        self._require_fit()
        return json.dumps({k: None if v is None else numpy.asarray(v).tolist() for k, v in (
            ("feature_mean", self.feature_mean), ("feature_std", self.feature_std),
            ("label_mean", self.label_mean), ("label_std", self.label_std))} | {"fit_labels": self.fit_labels})

    @classmethod
    def from_json(cls, s: str) -> "NormalizerStandardize":
        """The inverse of :meth:`to_json`; anything else is a ConfigurationError naming the field."""
        d = parse_json(s, "normalizer JSON")
        keys = sorted({*_STATS, "fit_labels"})
        if not isinstance(d, dict) or sorted(d, key=str) != keys:
            got = sorted(d, key=str) if isinstance(d, dict) else type(d).__name__
            raise ConfigurationError(f"normalizer JSON: expected the keys {keys}, got {got}")
        if not isinstance(d["fit_labels"], bool):
            raise ConfigurationError(f"must be true or false, got {d['fit_labels']!r}", field="fit_labels")
        norm = cls(fit_labels=d["fit_labels"])
        for k in _STATS:
            setattr(norm, k, _statistic(d[k], k, needed=k.startswith("feature") or norm.fit_labels))
        for mean, std in (("feature_mean", "feature_std"), ("label_mean", "label_std")):
            if getattr(norm, mean) is not None and len(getattr(norm, mean)) != len(getattr(norm, std)):
                raise ConfigurationError(f"has {len(getattr(norm, std))} values but {mean} has "
                                         f"{len(getattr(norm, mean))}", field=std)
        return norm


def _statistic(value, field, needed):
    """A stored mean or std as float64 (columns,): finite numbers, stds > 0; null when not needed."""
    if not needed:
        if value is not None:
            raise ConfigurationError("must be null when fit_labels is false", field=field)
        return None
    ok = isinstance(value, list) and value and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)
    values = numpy.asarray(value, dtype=numpy.float64) if ok else None
    if values is None or not numpy.isfinite(values).all() or (field.endswith("std") and not (values > 0).all()):
        rule = "a non-empty list of finite numbers" + (" > 0" if field.endswith("std") else "")
        raise ConfigurationError(f"must be {rule}", field=field)
    return values


class NormalizedIterator(DataSetIterator):
    """Minibatches of another iterator, standardised by a fitted normalizer."""

    def __init__(self, iterator, normalizer: NormalizerStandardize):
        self.iterator, self.normalizer = iterator, normalizer
        self.batch_size = getattr(iterator, "batch_size", 1)

    def __iter__(self):
        return (self.normalizer.transform(ds) for ds in self.iterator)

    def reset(self) -> None:
        if hasattr(self.iterator, "reset"):
            self.iterator.reset()

    def __len__(self) -> int:
        return len(self.iterator)
