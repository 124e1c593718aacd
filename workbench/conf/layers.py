"""Layer configurations: small frozen dataclasses holding sizes and names, no arrays.

Each layer round-trips through a plain dict::

    LSTM(n_out=64).to_dict() == {"type": "LSTM", "n_out": 64, "n_in": None, ...}
    layer_from_dict(LSTM(n_out=64).to_dict()) == LSTM(n_out=64)       # workbench.conf.registry

``build(input_type)`` returns the layer with its input size filled in (checked when given) and
``output_type()`` the type of data it produces; the configuration uses both to infer sizes and
insert preprocessors.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from workbench.conf.fields import check_int, is_finite_number, short_repr
from workbench.conf.input_type import FEED_FORWARD, RECURRENT, InputType
from workbench.errors import ConfigurationError

ACTIVATIONS = ("tanh", "sigmoid", "hardsigmoid", "relu", "leakyrelu", "softmax", "identity", "softsign")
LOSSES = ("mcxent", "negativeloglikelihood", "mse", "l1", "xent")
WEIGHT_INITS = ("xavier", "xavier_uniform", "relu")
BIDIRECTIONAL_MODES = ("concat", "add", "mul", "average")


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

    @classmethod
    def accepts(cls, layer_type: type) -> bool:
        """Whether a layer of ``layer_type`` can be wrapped: LSTM, GravesLSTM or SimpleRnn."""
        return layer_type in _WRAPPABLE

    def __post_init__(self):
        if not self.accepts(type(self.layer)):
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

    @classmethod
    def accepts(cls, layer_type: type) -> bool:
        """Whether a layer of ``layer_type`` can be wrapped: one that maps sequences to sequences
        and computes no loss."""
        return (isinstance(layer_type, type) and issubclass(layer_type, Layer) and layer_type.input_kind == RECURRENT
                and layer_type.output_kind == RECURRENT and not layer_type.is_output)

    def __post_init__(self):
        inner = self.layer
        if not self.accepts(type(inner)):
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
