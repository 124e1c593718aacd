"""Layer configurations: small frozen dataclasses holding sizes and names, no arrays.

Each layer round-trips through a plain dict::

    LSTM(n_out=64).to_dict() == {"type": "LSTM", "n_out": 64, "n_in": None, ...}
    layer_from_dict(LSTM(n_out=64).to_dict()) == LSTM(n_out=64)

``build(input_type)`` returns the layer with its input size filled in (checked when given) and
``output_type()`` the type of data it produces; the configuration uses both to infer sizes and
insert preprocessors.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from workbench.conf.fields import MAX_SIZE, check_int, is_finite_number, short_repr
from workbench.conf.input_type import CONVOLUTIONAL, FEED_FORWARD, RECURRENT, InputType
from workbench.errors import ConfigurationError

ACTIVATIONS = ("tanh", "sigmoid", "hardsigmoid", "relu", "leakyrelu", "softmax", "identity", "softsign")
LOSSES = ("mcxent", "negativeloglikelihood", "mse", "l1", "xent")
WEIGHT_INITS = ("xavier", "xavier_uniform", "relu")
BIDIRECTIONAL_MODES = ("concat", "add", "mul", "average")
POOLING = ("max", "avg")


@dataclass(frozen=True)
class Layer:
    """Base of all layer configurations."""

    input_kind: ClassVar[str] = FEED_FORWARD     # the kind of data the layer takes
    output_kind: ClassVar[str] = FEED_FORWARD    # the kind of data it produces
    is_recurrent: ClassVar[bool] = False         # keeps a state that rnn_time_step carries
    is_bidirectional: ClassVar[bool] = False     # needs the whole sequence: cannot step or use TBPTT
    is_output: ClassVar[bool] = False            # computes a loss against labels

    def __post_init__(self):
        names = {f.name for f in dataclasses.fields(self)}
        if "n_out" in names:
            self._check_size("n_out", required=True)
        if "n_in" in names:
            self._check_size("n_in", required=False)
        for name, choices in (("activation", ACTIVATIONS), ("gate_activation", ACTIVATIONS),
                              ("loss", LOSSES), ("weight_init", WEIGHT_INITS)):
            if name in names:
                self._check_choice(name, choices)

    def _check_size(self, name: str, required: bool) -> None:
        v = getattr(self, name)
        if v is not None or required:
            check_int(v, f"{type(self).__name__}.{name}", name)

    def _check_choice(self, name: str, choices) -> None:
        v = getattr(self, name)
        if not isinstance(v, str) or v not in choices:
            raise ConfigurationError(f"{type(self).__name__}.{name}: unknown value {short_repr(v)}; "
                                     f"expected one of {', '.join(choices)}", field=name)

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, **dataclasses.asdict(self)}

    def build(self, it: InputType) -> "Layer":
        """This layer with ``n_in`` taken from (or checked against) the input size."""
        if self.n_in is None:
            return dataclasses.replace(self, n_in=it.flat_size)
        if self.n_in != it.flat_size:
            raise ConfigurationError(f"{type(self).__name__}.n_in={self.n_in} but its input has "
                                     f"{it.flat_size} features", field="n_in")
        return self

    def output_type(self, it: InputType) -> InputType:
        """The type of this (built) layer's output, given its input type."""
        return InputType(self.output_kind, size=self.n_out)

    def param_shapes(self) -> dict:
        """``{key: shape}`` of this (built) layer's parameters, in ``params()`` order."""
        return {"W": (self.n_in, self.n_out), "b": (self.n_out,)}


@dataclass(frozen=True)
class LSTM(Layer):
    """LSTM without peepholes. Input [batch, n_in, time], output [batch, n_out, time].

    Gates i, f, g, o: ``c = f * c_prev + i * g``, ``h = o * activation(c)``.
    """

    n_out: int
    n_in: int | None = None
    activation: str = "tanh"
    gate_activation: str = "sigmoid"
    forget_gate_bias_init: float = 1.0
    weight_init: str = "xavier"

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = RECURRENT
    is_recurrent: ClassVar[bool] = True
    peepholes: ClassVar[bool] = False

    def __post_init__(self):
        super().__post_init__()
        v = self.forget_gate_bias_init
        if not is_finite_number(v):
            raise ConfigurationError(
                f"{type(self).__name__}.forget_gate_bias_init must be a finite number, got {short_repr(v)}",
                field="forget_gate_bias_init")

    def param_shapes(self):
        G = 4 * self.n_out
        shapes = {"W": (self.n_in, G), "RW": (self.n_out, G), "b": (G,)}
        if self.peepholes:
            shapes["P"] = (3, self.n_out)
        return shapes


@dataclass(frozen=True)
class GravesLSTM(LSTM):
    """LSTM with peepholes (Graves 2013): i and f see c[t-1], o sees c[t]. Adds params P [3, n_out]."""

    peepholes: ClassVar[bool] = True


@dataclass(frozen=True)
class GravesBidirectionalLSTM(LSTM):
    """Two GravesLSTMs, one over the sequence forwards and one backwards, outputs summed
    ([batch, n_out, time]); parameter keys prefixed ``f`` and ``b``. Same as
    ``Bidirectional(GravesLSTM(...), mode="add")``."""

    peepholes: ClassVar[bool] = True
    is_recurrent: ClassVar[bool] = False
    is_bidirectional: ClassVar[bool] = True

    def param_shapes(self):
        return _both_directions(GravesLSTM.param_shapes(self))


@dataclass(frozen=True)
class SimpleRnn(Layer):
    """Plain recurrent layer: ``h[t] = activation(x[t] W + h[t-1] RW + b)``."""

    n_out: int
    n_in: int | None = None
    activation: str = "tanh"
    weight_init: str = "xavier"

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = RECURRENT
    is_recurrent: ClassVar[bool] = True

    def param_shapes(self):
        return {"W": (self.n_in, self.n_out), "RW": (self.n_out, self.n_out), "b": (self.n_out,)}


@dataclass(frozen=True)
class DenseLayer(Layer):
    """Fully connected layer: [batch, n_in] -> [batch, n_out]."""

    n_out: int
    n_in: int | None = None
    activation: str = "tanh"
    weight_init: str = "xavier"


@dataclass(frozen=True)
class OutputLayer(Layer):
    """Dense layer with a loss: [batch, n_in] -> [batch, n_out], labels [batch, n_out]."""

    n_out: int
    n_in: int | None = None
    loss: str = "mcxent"
    activation: str = "softmax"
    weight_init: str = "xavier"

    is_output: ClassVar[bool] = True


@dataclass(frozen=True)
class RnnOutputLayer(OutputLayer):
    """Output layer applied at every step: [batch, n_in, time] -> [batch, n_out, time]. No state."""

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = RECURRENT


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


_WRAPPABLE = (LSTM, GravesLSTM, SimpleRnn)


@dataclass(frozen=True)
class Bidirectional(Layer):
    """Runs ``layer`` (LSTM, GravesLSTM or SimpleRnn) over the sequence forwards and backwards
    and combines the two outputs: ``concat`` ([batch, 2 n_out, time], forward first), ``add``,
    ``mul`` or ``average``. Parameter keys are the layer's prefixed ``f`` and ``b``. With a
    features mask, the backward direction starts at each sequence's last valid step."""

    layer: Layer
    mode: str = "concat"

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = RECURRENT
    is_bidirectional: ClassVar[bool] = True

    def __post_init__(self):
        if type(self.layer) not in _WRAPPABLE:
            raise ConfigurationError(f"Bidirectional.layer must be one of "
                                     f"{', '.join(c.__name__ for c in _WRAPPABLE)}, got {short_repr(self.layer)}",
                                     field="layer")
        self._check_choice("mode", BIDIRECTIONAL_MODES)

    def param_shapes(self):
        return _both_directions(self.layer.param_shapes())

    @property
    def n_in(self):
        return self.layer.n_in

    @property
    def n_out(self):
        return self.layer.n_out * (2 if self.mode == "concat" else 1)

    def to_dict(self):
        return {"type": "Bidirectional", "layer": self.layer.to_dict(), "mode": self.mode}

    def build(self, it):
        return dataclasses.replace(self, layer=self.layer.build(it))


@dataclass(frozen=True)
class LastTimeStep(Layer):
    """Wraps a recurrent layer and keeps only its output at each example's last unmasked step:
    [batch, n_in, time] -> [batch, n_out]. Steps with the wrapped layer when it can."""

    layer: Layer

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = FEED_FORWARD

    def __post_init__(self):
        inner = self.layer
        if (not isinstance(inner, Layer) or inner.input_kind != RECURRENT or inner.output_kind != RECURRENT
                or inner.is_output):
            raise ConfigurationError(f"LastTimeStep.layer must be a recurrent layer configuration such as "
                                     f"LSTM(32), got {short_repr(inner)}", field="layer")

    def param_shapes(self):
        return self.layer.param_shapes()

    @property
    def is_recurrent(self):
        return self.layer.is_recurrent

    @property
    def is_bidirectional(self):
        return self.layer.is_bidirectional

    @property
    def n_in(self):
        return self.layer.n_in

    @property
    def n_out(self):
        return self.layer.n_out

    def to_dict(self):
        return {"type": "LastTimeStep", "layer": self.layer.to_dict()}

    def build(self, it):
        return dataclasses.replace(self, layer=self.layer.build(it))


def _both_directions(shapes: dict) -> dict:
    """A wrapped layer's parameter shapes for the forward ("f") and backward ("b") copies."""
    return {**{"f" + k: s for k, s in shapes.items()}, **{"b" + k: s for k, s in shapes.items()}}


LAYER_TYPES: dict[str, type[Layer]] = {cls.__name__: cls for cls in (
    LSTM, GravesLSTM, GravesBidirectionalLSTM, SimpleRnn, DenseLayer, OutputLayer, RnnOutputLayer,
    ConvolutionLayer, SubsamplingLayer, Bidirectional, LastTimeStep)}


def from_typed_dict(d, registry: dict, what: str):
    """Build ``registry[d["type"]](**rest)`` with errors that name the unknown type or fields."""
    if not isinstance(d, dict) or "type" not in d:
        raise ConfigurationError(f"{what}: expected a dict with a 'type' key, got {short_repr(d)}")
    kind = d["type"]
    cls = registry.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ConfigurationError(f"unknown {what} type {short_repr(kind)}; known: {', '.join(registry)}",
                                 field="type")
    names = {f.name for f in dataclasses.fields(cls)}
    extra = sorted((k for k in d if k not in names and k != "type"), key=str)
    if extra:
        raise ConfigurationError(f"{kind}: unknown field(s) {short_repr(extra)}; known: {sorted(names)}",
                                 field=str(extra[0]))
    fields = {k: v for k, v in d.items() if k != "type"}
    if "layer" in names and isinstance(fields.get("layer"), dict):       # wrappers hold a layer
        fields["layer"] = layer_from_dict(fields["layer"])
    try:
        return cls(**fields)
    except TypeError as exc:  # a missing required field
        raise ConfigurationError(f"{kind}: {exc}") from None


def layer_from_dict(d: dict) -> Layer:
    """The inverse of ``Layer.to_dict``."""
    return from_typed_dict(d, LAYER_TYPES, "layer")
