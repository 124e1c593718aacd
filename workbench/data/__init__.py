"""Data containers and loaders: :class:`DataSet` and the bundled real data sets (``workbench.data.datasets``)."""
from workbench.data.dataset import DataSet

__all__ = ["DataSet"]
