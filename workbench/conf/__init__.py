"""Network configuration as plain data: layers, preprocessors, updaters, input types, the whole network."""
from workbench.conf.configuration import MultiLayerConfiguration
from workbench.errors import ConfigurationError
from workbench.conf.input_type import InputType
from workbench.conf.convolution import ConvolutionLayer, SubsamplingLayer
from workbench.conf.layers import (
    ACTIVATIONS, LOSSES, LSTM, Bidirectional, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, LastTimeStep, Layer,
    OutputLayer, RnnOutputLayer, SimpleRnn,
)
from workbench.conf.registry import layer_from_dict
from workbench.conf.preprocessors import (
    CnnToFeedForwardPreProcessor, CnnToRnnPreProcessor, FeedForwardToCnnPreProcessor, FeedForwardToRnnPreProcessor,
    PreProcessor, RnnToCnnPreProcessor, RnnToFeedForwardPreProcessor,
)
from workbench.conf.updaters import AdaGrad, Adam, Nesterovs, RmsProp, Sgd, Updater

__all__ = [
    "ACTIVATIONS", "LOSSES", "LSTM", "AdaGrad", "Adam", "Bidirectional", "CnnToFeedForwardPreProcessor",
    "CnnToRnnPreProcessor", "ConfigurationError", "ConvolutionLayer", "DenseLayer", "FeedForwardToCnnPreProcessor",
    "FeedForwardToRnnPreProcessor", "GravesBidirectionalLSTM", "GravesLSTM", "InputType", "LastTimeStep", "Layer",
    "MultiLayerConfiguration", "Nesterovs", "OutputLayer", "PreProcessor", "RmsProp", "RnnOutputLayer",
    "RnnToCnnPreProcessor", "RnnToFeedForwardPreProcessor", "SimpleRnn", "Sgd", "SubsamplingLayer", "Updater",
    "layer_from_dict",
]
