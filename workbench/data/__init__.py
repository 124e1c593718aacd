"""Data: :class:`DataSet`, minibatch iterators and the bundled data sets (``workbench.data.datasets``)."""
from workbench.data.dataset import DataSet
from workbench.data.iterators import DataSetIterator, ListDataSetIterator

__all__ = ["DataSet", "DataSetIterator", "ListDataSetIterator"]
