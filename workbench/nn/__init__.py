"""The engine: layer configurations (re-exported from ``workbench.conf``) and MultiLayerNetwork."""
from workbench.conf import (
    LSTM, AdaGrad, Adam, ConfigurationError, DenseLayer, GravesLSTM, InputType, MultiLayerConfiguration,
    Nesterovs, OutputLayer, RmsProp, RnnOutputLayer, SimpleRnn, Sgd, layer_from_dict,
)
from workbench.nn.network import MultiLayerNetwork
from workbench.nn.training import TrainingDivergedError

__all__ = [
    "LSTM", "AdaGrad", "Adam", "ConfigurationError", "DenseLayer", "GravesLSTM", "InputType",
    "MultiLayerConfiguration", "MultiLayerNetwork", "Nesterovs", "OutputLayer", "RmsProp", "RnnOutputLayer",
    "SimpleRnn", "Sgd", "TrainingDivergedError", "layer_from_dict",
]
