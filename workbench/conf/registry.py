"""The layer types by name, and building a configuration object from its typed dict."""
from __future__ import annotations

import dataclasses

from workbench.conf.convolution import ConvolutionLayer, SubsamplingLayer
from workbench.conf.fields import short_repr
from workbench.conf.layers import (
    LSTM, Bidirectional, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, LastTimeStep, Layer, OutputLayer,
    RnnOutputLayer, SimpleRnn,
)
from workbench.errors import ConfigurationError


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
