"""RNN Workbench: DL4J-style recurrent networks on NumPy or CuPy.

Importing the package needs only NumPy (no CuPy, Panel or GPU).
"""
from workbench.backend import BackendUnavailableError, available_backends, get_backend, to_numpy
from workbench.conf import ConfigurationError
from workbench.nn import MultiLayerConfiguration, MultiLayerNetwork, TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError", "ConfigurationError", "MultiLayerConfiguration", "MultiLayerNetwork",
    "TrainingDivergedError", "available_backends", "get_backend", "to_numpy",
]
