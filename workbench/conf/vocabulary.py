"""The words a configuration is made of, for editors such as the app's Build view.

``LAYER_CHOICES``: the layer type names; ``WRAPPED_CHOICES``: per wrapper (Bidirectional,
LastTimeStep) the layer types it accepts, as its own ``accepts`` says; ``FIELD_CHOICES``: the
allowed values of each field that takes a name; ``NETWORK_SETTINGS``: the fields of
MultiLayerConfiguration besides its layers, input type and preprocessors; ``FIELD_DOCS``: one
line per field (of every layer, preprocessor, updater and the network) with its DL4J name.
"""
from __future__ import annotations

import dataclasses

from workbench.conf.configuration import BACKPROP_TYPES, DTYPES, GRADIENT_NORMALIZATIONS, MultiLayerConfiguration
from workbench.conf.convolution import POOLING
from workbench.conf.layers import ACTIVATIONS, BIDIRECTIONAL_MODES, LOSSES, WEIGHT_INITS
from workbench.conf.registry import LAYER_TYPES

LAYER_CHOICES = tuple(LAYER_TYPES)
WRAPPED_CHOICES = {name: tuple(n for n, c in LAYER_TYPES.items() if cls.accepts(c))
                   for name, cls in LAYER_TYPES.items() if "layer" in cls.__dataclass_fields__}
FIELD_CHOICES = {"activation": ACTIVATIONS, "gate_activation": ACTIVATIONS, "loss": LOSSES,
                 "weight_init": WEIGHT_INITS, "pooling": POOLING, "mode": BIDIRECTIONAL_MODES,
                 "backprop_type": BACKPROP_TYPES, "gradient_normalization": GRADIENT_NORMALIZATIONS, "dtype": DTYPES}
NETWORK_SETTINGS = tuple(f.name for f in dataclasses.fields(MultiLayerConfiguration)
                         if f.init and f.name not in ("layers", "input_type", "input_preprocessors"))

FIELD_DOCS = {
    # layers
    "n_out": "Output size: units of the layer (output channels of a convolution); DL4J nOut",
    "n_in": "Input size; empty = inferred from the previous layer or the input type; DL4J nIn",
    "activation": "Activation function of the layer's output; DL4J activation",
    "gate_activation": "Activation of the input, forget and output gates; DL4J gateActivationFunction",
    "forget_gate_bias_init": "Initial bias of the forget gate (1 keeps memory at the start); DL4J forgetGateBiasInit",
    "weight_init": "How the weights are initialised at random; DL4J weightInit",
    "loss": "Loss function between the output and the labels; DL4J lossFunction",
    "kernel_size": "Height,width of the filter or pooling window; DL4J kernelSize",
    "stride": "Step of the window in height,width (pooling: empty = the kernel size); DL4J stride",
    "padding": "Zeros added around the image in height,width; DL4J padding",
    "pooling": "Max or average of each window; DL4J poolingType",
    "layer": "The recurrent layer this wrapper runs; DL4J Bidirectional(layer) / LastTimeStep(underlying)",
    "mode": "How the forward and backward outputs are combined; DL4J Bidirectional.Mode",
    # preprocessors
    "height": "Image height; empty = taken from the input; DL4J inputHeight",
    "width": "Image width; empty = taken from the input; DL4J inputWidth",
    "channels": "Image channels; empty = taken from the input; DL4J numChannels",
    # updaters
    "lr": "Learning rate: the size of each update step; DL4J learningRate",
    "momentum": "Fraction of the previous update kept in the next one; DL4J momentum",
    "beta1": "Decay rate of the mean of the gradients; DL4J beta1",
    "beta2": "Decay rate of the mean of the squared gradients; DL4J beta2",
    "eps": "Small number added to the denominator to avoid dividing by zero; DL4J epsilon",
    "rms_decay": "Decay rate of the mean of the squared gradients; DL4J rmsDecay",
    # the network
    "input_type": "Kind and size of the data the network takes; DL4J setInputType",
    "backprop_type": "Backpropagate through whole sequences, or truncated BPTT in segments; DL4J backpropType",
    "tbptt_fwd_length": "Steps per truncated BPTT segment (forward pass); DL4J tBPTTForwardLength",
    "tbptt_back_length": "Steps backpropagated per segment; empty = the forward length; DL4J tBPTTBackwardLength",
    "updater": "The optimiser that turns gradients into updates; DL4J updater",
    "l1": "L1 penalty on the weights (drives small weights to zero); DL4J l1",
    "l2": "L2 penalty on the weights (weight decay); DL4J l2",
    "l1_bias": "L1 penalty on the biases; DL4J l1Bias",
    "l2_bias": "L2 penalty on the biases; DL4J l2Bias",
    "gradient_normalization": "Clip or rescale the gradients before each update; DL4J gradientNormalization",
    "gradient_normalization_threshold": "Limit used by the gradient normalization; "
                                        "DL4J gradientNormalizationThreshold",
    "seed": "Random seed of the initial weights; empty = different each time; DL4J seed",
    "dtype": "Floating-point precision of parameters and data; DL4J dataType",
}
