"""Any data ``fit`` takes (a DataSet, a list of them or an iterator): one pass over it
(``as_datasets``), and looking inside it without training on it: how many minibatches, which one
is the n-th, how long each sequence is."""
from __future__ import annotations

import copy
from itertools import islice

import numpy as np

from workbench.backend import to_numpy
from workbench.data.text import CharacterIterator
from workbench.errors import InputTypeError, InvalidInputError


def as_datasets(data, who: str = "fit"):
    """A DataSet alone as ``[data]``, or ``data`` itself, an iterable of DataSets (reset first
    when it can be); anything else raises InputTypeError naming ``who``."""
    if hasattr(data, "features"):
        return [data]
    if data is None or isinstance(data, (str, bytes, dict)) or not hasattr(data, "__iter__"):
        raise InputTypeError(f"{who}: data must be a DataSet or an iterable of DataSets, got {type(data).__name__}")
    if hasattr(data, "reset"):
        data.reset()
    return data


def batch_lengths(ds) -> np.ndarray:
    """Steps per example of one minibatch ``[batch]``: real steps of the features mask, else the
    full length (1 for feed-forward data)."""
    x, mask = ds.features, ds.features_mask
    if x.ndim == 2:
        return np.ones(x.shape[0], np.int64)
    if mask is None:
        return np.full(x.shape[0], x.shape[2], np.int64)
    return (to_numpy(mask) != 0).sum(axis=1).astype(np.int64)


def fresh_pass(data):
    """An iterable over one pass of ``data`` that leaves ``data`` itself alone (a CharacterIterator
    draws its order from a generator: copy it and re-seed the copy, as ``fit`` does each epoch)."""
    if isinstance(data, CharacterIterator):
        data = copy.copy(data)
        data.reset()
    return data


def sequence_lengths(data) -> np.ndarray:
    """Sequence lengths over a whole pass of ``data``."""
    if hasattr(data, "features"):
        return batch_lengths(data)
    if isinstance(data, CharacterIterator):                 # every window has the same length
        return np.full(data.examples_per_epoch, data.sequence_length, np.int64)
    return np.concatenate([batch_lengths(ds) for ds in fresh_pass(data)])


def num_batches(data) -> int:
    """Minibatches in one pass of ``data``."""
    if hasattr(data, "features"):
        return 1
    return len(data) if hasattr(data, "__len__") else sum(1 for _ in fresh_pass(data))


def nth_batch(data, index: int):
    """Minibatch ``index`` of a pass over ``data`` (the DataSet itself for a DataSet)."""
    if hasattr(data, "features"):
        return data
    if isinstance(data, (list, tuple)):
        return data[index]
    ds = next(islice(iter(fresh_pass(data)), index, None), None)
    if ds is None:
        raise InvalidInputError(f"nth_batch: minibatch {index}: the data holds fewer minibatches")
    return ds


def as_sequences(ds) -> list:
    """NumPy ``[features [b, n_in, T], labels [b, n_out, T], features mask, labels mask]`` of a
    minibatch; 2-d (feed-forward) data becomes one step, masks ``[b, T]`` float32 or None."""
    out = []
    for a in (ds.features, ds.labels):
        a = to_numpy(a)
        out.append(a[:, :, None] if a.ndim == 2 else a)
    for m in (ds.features_mask, ds.labels_mask):
        out.append(None if m is None else to_numpy(m).reshape(ds.features.shape[0], -1).astype(np.float32))
    return out
