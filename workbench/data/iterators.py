"""Iterating over minibatches: the DataSetIterator protocol and ListDataSetIterator.

A **DataSetIterator** is anything that ``MultiLayerNetwork.fit`` can train on for several
epochs: an iterable of :class:`DataSet` minibatches with

- ``batch_size``: the number of examples per minibatch (the last one may hold fewer);
- ``__iter__()``: yields the minibatches of one pass (epoch);
- ``reset()``: rewinds to the start (``fit`` calls it before every epoch).

Subclass :class:`DataSetIterator` and implement ``__iter__`` (and ``reset`` if iterating has
state), as DL4J's guide does for its character example (see
``workbench.data.text.CharacterIterator``). Features, labels and masks follow the DataSet layout:
``[batch, features, time]`` and ``[batch, time]``.
"""
from __future__ import annotations

from workbench.data.dataset import DataSet
from workbench.errors import InputTypeError, InvalidInputError


class DataSetIterator:
    """Base class of minibatch iterators (see the module docstring for the protocol)."""

    batch_size: int = 1

    def __iter__(self):
        raise NotImplementedError

    def reset(self) -> None:
        """Rewind to the first minibatch (nothing to do for stateless iterators)."""

    def __len__(self) -> int:
        """Minibatches per pass."""
        return sum(1 for _ in self)


class ListDataSetIterator(DataSetIterator):
    """Minibatches of ``batch_size`` examples from a DataSet, or from a list of DataSets
    (typically one example each, merged with :meth:`DataSet.merge`: sequences of different
    lengths are padded and masked). The last minibatch may be smaller.
    """

    def __init__(self, data, batch_size: int):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInputError(f"ListDataSetIterator: batch_size must be an int >= 1, got {batch_size!r}")
        self.batch_size = batch_size
        if isinstance(data, DataSet):
            self._batches = [data._take(slice(i, i + batch_size))
                             for i in range(0, data.num_examples(), batch_size)]
        else:
            if data is None or isinstance(data, (str, bytes, dict)) or not hasattr(data, "__iter__"):
                raise InputTypeError(f"ListDataSetIterator: data must be a DataSet or a list of DataSets, got "
                                     f"{type(data).__name__}")
            items = list(data)
            if not items or not all(isinstance(d, DataSet) for d in items):
                raise InvalidInputError("ListDataSetIterator: data must be a DataSet or a non-empty list of DataSets")
            examples = [d._take(slice(i, i + 1)) for d in items for i in range(d.num_examples())]
            self._batches = [DataSet.merge(examples[i:i + batch_size]) for i in range(0, len(examples), batch_size)]

    def __iter__(self):
        return iter(self._batches)

    def __len__(self) -> int:
        return len(self._batches)
