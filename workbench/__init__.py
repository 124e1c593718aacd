"""RNN Workbench: DL4J-style recurrent networks on NumPy or CuPy.

Importing the package needs only NumPy (no CuPy, Panel or GPU). The error types are in
``workbench.errors`` and re-exported here.
"""
from workbench.backend import available_backends, get_backend, to_numpy
from workbench.errors import (
    BackendUnavailableError, ConfigurationError, InputTypeError, InvalidInputError, ModelFileError,
    SequenceFileError, TrainingDivergedError, WorkbenchError,
)
from workbench.nn import MultiLayerConfiguration, MultiLayerNetwork

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError", "ConfigurationError", "InputTypeError", "InvalidInputError", "ModelFileError",
    "MultiLayerConfiguration", "MultiLayerNetwork", "SequenceFileError", "TrainingDivergedError", "WorkbenchError",
    "available_backends", "get_backend", "to_numpy",
]
