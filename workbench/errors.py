"""The errors the library raises when it refuses something, all in one place.

Every refusal is a subclass of :class:`WorkbenchError` and of the built-in type a Python user
would catch (``ValueError``, ``TypeError``, ...). Each message names the argument, field, file or
member at fault, what was expected and what came.

=========================  ==========================================================  ==================
error                      raised for                                                  it names
=========================  ==========================================================  ==================
``ConfigurationError``     an invalid layer, updater or network configuration, in       the layer index and
                           Python or JSON                                                field
``InvalidInputError``      an array, mask, DataSet, state or parameter dict given to   the argument
                           the network that it cannot use (shape, values, emptiness)
``InputTypeError``         the same, when the *kind* of value is wrong: None, a dict,  the argument
                           a string, complex or datetime numbers (also a TypeError)
``SequenceFileError``      a CSV sequence file that cannot be read as finite numbers   file, line, column
``ModelFileError``         a model file that is corrupt, truncated, crafted or does    file and member
                           not match its own configuration
``TrainingDivergedError``  the score or gradient became NaN/inf during ``fit``          iteration, minibatch
``BackendUnavailableError`` ``backend="cupy"`` where no GPU is usable                  the reason
``RunStoreError``          a run store file that is not one, of an unknown schema       the file, run id
                           version, or a write it cannot take (also ``UnknownRunError``,
                           a LookupError, for a run id it does not hold)
``WorkerLostError``        a Dask worker that died (or was lost) while it trained       the run or fit
=========================  ==========================================================  ==================
"""
from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base of every error the library raises on purpose."""


class ConfigurationError(WorkbenchError, ValueError):
    """An invalid network configuration.

    ``layer`` is the layer index (``None`` for network-wide fields) and ``field``
    the offending field name; both also appear in the message.
    """

    def __init__(self, message: str, layer: int | None = None, field: str | None = None):
        where = []
        if layer is not None:
            where.append(f"layer {layer}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)
        self.layer = layer
        self.field = field
        self.detail = message


class InvalidInputError(WorkbenchError, ValueError):
    """An argument of an API call the network cannot use; the message starts with its name."""


class InputTypeError(InvalidInputError, TypeError):
    """An argument of the wrong kind (None, a dict, strings, complex or datetime numbers, ...)."""


class SequenceFileError(WorkbenchError, ValueError):
    """A sequence file that cannot be read as numbers; ``path`` (a Path), ``line`` and ``column``
    (1-based, ``None`` where they do not apply) say where."""

    def __init__(self, message, path=None, line=None, column=None):
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.line, self.column = line, column


class ModelFileError(WorkbenchError, ValueError):
    """A model file that cannot be loaded: corrupt, truncated, crafted, or not matching its own
    configuration. ``path`` is the file and ``member`` the zip member at fault (or None)."""

    def __init__(self, message, path=None, member=None):
        super().__init__(message)
        self.path, self.member = path, member


class TrainingDivergedError(WorkbenchError, FloatingPointError):
    """The score or gradient became NaN/inf; the parameters keep their last finite values."""


class BackendUnavailableError(WorkbenchError, RuntimeError):
    """The requested backend cannot be used on this machine (the message says why)."""


class RunStoreError(WorkbenchError, ValueError):
    """A run store that cannot be used: not a run store, an unknown schema version, or a write it
    refuses. ``path`` is the store's file."""

    def __init__(self, message, path=None):
        super().__init__(message)
        self.path = path


class UnknownRunError(RunStoreError, LookupError):
    """A run id the store does not hold (never created, or deleted)."""


class WorkerLostError(WorkbenchError, RuntimeError):
    """A Dask worker died or was lost while it trained (a run in a worker, a data-parallel fit)."""
