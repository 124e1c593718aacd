"""Network configuration as plain data: layers, updaters, input types, the whole network."""
from workbench.conf.configuration import MultiLayerConfiguration
from workbench.conf.errors import ConfigurationError
from workbench.conf.input_type import InputType
from workbench.conf.layers import (
    ACTIVATIONS, LOSSES, LSTM, DenseLayer, GravesLSTM, Layer, OutputLayer, RnnOutputLayer, SimpleRnn,
    layer_from_dict,
)
from workbench.conf.updaters import AdaGrad, Adam, Nesterovs, RmsProp, Sgd, Updater

__all__ = [
    "ACTIVATIONS", "LOSSES", "LSTM", "AdaGrad", "Adam", "ConfigurationError", "DenseLayer", "GravesLSTM",
    "InputType", "Layer", "MultiLayerConfiguration", "Nesterovs", "OutputLayer", "RmsProp",
    "RnnOutputLayer", "SimpleRnn", "Sgd", "Updater", "layer_from_dict",
]
