"""Layer configurations: small frozen dataclasses holding sizes and names, no arrays.

Each layer round-trips through a plain dict::

    LSTM(n_out=64).to_dict() == {"type": "LSTM", "n_out": 64, "n_in": None, ...}
    layer_from_dict(LSTM(n_out=64).to_dict()) == LSTM(n_out=64)
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

from workbench.conf.errors import ConfigurationError

ACTIVATIONS = ("tanh", "sigmoid", "hardsigmoid", "relu", "leakyrelu", "softmax", "identity", "softsign")
LOSSES = ("mcxent", "negativeloglikelihood", "mse", "l1", "xent")
WEIGHT_INITS = ("xavier", "xavier_uniform", "relu")

RECURRENT = "recurrent"
FEED_FORWARD = "feed_forward"


@dataclass(frozen=True)
class Layer:
    """Base of all layer configurations."""

    input_kind: ClassVar[str] = FEED_FORWARD     # the kind of data the layer takes
    output_kind: ClassVar[str] = FEED_FORWARD    # the kind of data it produces
    is_recurrent: ClassVar[bool] = False         # keeps state across time steps
    is_output: ClassVar[bool] = False            # computes a loss against labels

    def __post_init__(self):
        self._check_size("n_out", required=True)
        self._check_size("n_in", required=False)
        for name, choices in (("activation", ACTIVATIONS), ("gate_activation", ACTIVATIONS),
                              ("loss", LOSSES), ("weight_init", WEIGHT_INITS)):
            if hasattr(self, name):
                self._check_choice(name, choices)

    def _check_size(self, name: str, required: bool) -> None:
        v = getattr(self, name)
        if v is None and not required:
            return
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigurationError(
                f"{type(self).__name__}.{name} must be a positive int, got {v!r}", field=name)

    def _check_choice(self, name: str, choices) -> None:
        v = getattr(self, name)
        if v not in choices:
            raise ConfigurationError(
                f"{type(self).__name__}.{name}: unknown value {v!r}; expected one of {', '.join(choices)}",
                field=name)

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, **dataclasses.asdict(self)}


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
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ConfigurationError(
                f"{type(self).__name__}.forget_gate_bias_init must be a finite number, got {v!r}",
                field="forget_gate_bias_init")


@dataclass(frozen=True)
class GravesLSTM(LSTM):
    """LSTM with peepholes (Graves 2013): i and f see c[t-1], o sees c[t]. Adds params P [3, n_out]."""

    peepholes: ClassVar[bool] = True


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


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls for cls in (LSTM, GravesLSTM, SimpleRnn, DenseLayer, OutputLayer, RnnOutputLayer)
}


def from_typed_dict(d, registry: dict, what: str):
    """Build ``registry[d["type"]](**rest)`` with errors that name the unknown type or fields."""
    if not isinstance(d, dict) or "type" not in d:
        raise ConfigurationError(f"{what}: expected a dict with a 'type' key, got {d!r}")
    kind = d["type"]
    cls = registry.get(kind)
    if cls is None:
        raise ConfigurationError(f"unknown {what} type {kind!r}; known: {', '.join(registry)}", field="type")
    names = {f.name for f in dataclasses.fields(cls)}
    extra = sorted(set(d) - names - {"type"})
    if extra:
        raise ConfigurationError(f"{kind}: unknown field(s) {extra}; known: {sorted(names)}", field=extra[0])
    try:
        return cls(**{k: v for k, v in d.items() if k != "type"})
    except TypeError as exc:  # a missing required field
        raise ConfigurationError(f"{kind}: {exc}") from None


def layer_from_dict(d: dict) -> Layer:
    """The inverse of ``Layer.to_dict``."""
    return from_typed_dict(d, LAYER_TYPES, "layer")
