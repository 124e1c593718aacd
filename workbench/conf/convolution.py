"""Convolution and pooling layer configurations (NCHW), for frames of video-like time series."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from workbench.conf.fields import MAX_SIZE, short_repr
from workbench.conf.input_type import CONVOLUTIONAL, InputType
from workbench.conf.layers import Layer
from workbench.errors import ConfigurationError

POOLING = ("max", "avg")


def _pair(layer, name):
    """Normalise an int or (h, w) field to a tuple of two ints in [1 (0 for padding), MAX_SIZE], in place."""
    v = getattr(layer, name)
    pair = (v, v) if isinstance(v, int) and not isinstance(v, bool) else tuple(v) if isinstance(v, (list, tuple)) else ()
    minimum = 0 if name == "padding" else 1
    if len(pair) != 2 or any(isinstance(k, bool) or not isinstance(k, int) or not minimum <= k <= MAX_SIZE
                             for k in pair):
        raise ConfigurationError(f"{type(layer).__name__}.{name} must be an int in [{minimum}, {MAX_SIZE}] or a "
                                 f"pair (height, width) of them, got {short_repr(v)}", field=name)
    object.__setattr__(layer, name, pair)


def _conv_out(layer, it: InputType, padding=(0, 0)) -> tuple:
    (kh, kw), (sh, sw), (ph, pw) = layer.kernel_size, layer.stride, padding
    oh, ow = (it.height + 2 * ph - kh) // sh + 1, (it.width + 2 * pw - kw) // sw + 1
    if oh < 1 or ow < 1:
        raise ConfigurationError(f"{type(layer).__name__}: kernel {layer.kernel_size} does not fit a "
                                 f"{it.height}x{it.width} input (with padding {padding})", field="kernel_size")
    return oh, ow


@dataclass(frozen=True)
class ConvolutionLayer(Layer):
    """2-d convolution (cross-correlation), NCHW: [batch, n_in channels, h, w] -> [batch, n_out, h', w'].

    ``h' = (h + 2 * padding - kernel) // stride + 1``. ``kernel_size``, ``stride`` and ``padding``
    take an int or a pair (height, width).
    """

    n_out: int
    kernel_size: tuple = (3, 3)
    stride: tuple = (1, 1)
    padding: tuple = (0, 0)
    activation: str = "relu"
    n_in: int | None = None
    weight_init: str = "relu"

    input_kind: ClassVar[str] = CONVOLUTIONAL
    output_kind: ClassVar[str] = CONVOLUTIONAL

    def __post_init__(self):
        super().__post_init__()
        for name in ("kernel_size", "stride", "padding"):
            _pair(self, name)

    def build(self, it):
        if self.n_in is None:
            layer = dataclasses.replace(self, n_in=it.channels)
        elif self.n_in != it.channels:
            raise ConfigurationError(f"ConvolutionLayer.n_in={self.n_in} but its input has {it.channels} "
                                     "channels", field="n_in")
        else:
            layer = self
        _conv_out(layer, it, layer.padding)
        return layer

    def output_type(self, it):
        return InputType.convolutional(*_conv_out(self, it, self.padding), self.n_out)

    def param_shapes(self):
        return {"W": (self.n_out, self.n_in) + tuple(self.kernel_size), "b": (self.n_out,)}


@dataclass(frozen=True)
class SubsamplingLayer(Layer):
    """Max or average pooling, NCHW, no parameters: [batch, c, h, w] -> [batch, c, h', w'].

    ``stride`` defaults to ``kernel_size`` (non-overlapping windows).
    """

    pooling: str = "max"
    kernel_size: tuple = (2, 2)
    stride: tuple | None = None

    input_kind: ClassVar[str] = CONVOLUTIONAL
    output_kind: ClassVar[str] = CONVOLUTIONAL

    def __post_init__(self):
        self._check_choice("pooling", POOLING)
        _pair(self, "kernel_size")
        if self.stride is None:
            object.__setattr__(self, "stride", self.kernel_size)
        _pair(self, "stride")

    def build(self, it):
        _conv_out(self, it)
        return self

    def output_type(self, it):
        return InputType.convolutional(*_conv_out(self, it), it.channels)

    def param_shapes(self):
        return {}
