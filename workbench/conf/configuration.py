"""MultiLayerConfiguration: the whole network as plain data, validated at construction."""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field

from workbench.conf.fields import MAX_PARAMS, check_depth, check_int, is_finite_number, parse_json, short_repr
from workbench.errors import ConfigurationError
from workbench.conf.input_type import RECURRENT, InputType
from workbench.conf.layers import Layer
from workbench.conf.registry import from_typed_dict, layer_from_dict
from workbench.conf.preprocessors import PREPROCESSOR_TYPES, PreProcessor, auto_preprocessor
from workbench.conf.updaters import Adam, Updater, updater_from_dict

FORMAT_VERSION = 1
BACKPROP_TYPES = ("standard", "tbptt")
GRADIENT_NORMALIZATIONS = ("clip_elementwise", "clip_l2_per_layer", "renormalize_l2_per_layer")
DTYPES = ("float32", "float64")


def _number(value, name: str, minimum=0.0, strict=False) -> None:
    ok = is_finite_number(value) and (value > minimum if strict else value >= minimum)
    if not ok:
        rel = ">" if strict else ">="
        raise ConfigurationError(f"must be a finite number {rel} {minimum}, got {short_repr(value)}", field=name)


@dataclass(frozen=True)
class MultiLayerConfiguration:
    """A stack of layers plus training settings.

    ``layers`` may leave ``n_in`` unset where it follows from the previous layer or from
    ``input_type``; ``built_layers`` holds the layers with every size filled in.
    ``input_preprocessors`` ``{layer_index: preprocessor}`` go before those layers; where the
    kinds of adjacent layers differ (Dense -> LSTM, LSTM -> Dense, CNN -> LSTM, LSTM -> CNN) one
    is inserted automatically, and ``built_preprocessors`` holds them all (explicit ones win).
    ``backprop_type="tbptt"`` cuts each minibatch into segments of ``tbptt_fwd_length`` steps,
    backpropagating through the last ``tbptt_back_length`` (default: the forward length).
    """

    layers: tuple
    input_type: InputType | None = None
    input_preprocessors: dict | None = None
    backprop_type: str = "standard"
    tbptt_fwd_length: int | None = None
    tbptt_back_length: int | None = None
    updater: Updater = Adam(1e-3)
    l1: float = 0.0
    l2: float = 0.0
    l1_bias: float = 0.0
    l2_bias: float = 0.0
    gradient_normalization: str | None = None
    gradient_normalization_threshold: float = 1.0
    seed: int | None = None
    dtype: str = "float32"
    built_layers: tuple = field(init=False, compare=False, repr=False)
    built_preprocessors: dict = field(init=False, compare=False, repr=False)
    layer_types: tuple = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.layers, (list, tuple)) or not self.layers:
            raise ConfigurationError(f"must be a non-empty list of layers, got {short_repr(self.layers)}",
                                     field="layers")
        object.__setattr__(self, "layers", tuple(self.layers))
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ConfigurationError(f"expected a layer configuration such as LSTM(32), got {short_repr(layer)}",
                                         layer=i)
        if self.input_type is not None and not isinstance(self.input_type, InputType):
            raise ConfigurationError(f"expected an InputType, got {short_repr(self.input_type)}", field="input_type")
        self._validate_preprocessors()
        self._validate_training()
        layers, preprocessors, types = self._build_layers()
        object.__setattr__(self, "built_layers", layers)
        object.__setattr__(self, "built_preprocessors", preprocessors)
        object.__setattr__(self, "layer_types", types)

    def _validate_training(self) -> None:
        if not isinstance(self.backprop_type, str) or self.backprop_type not in BACKPROP_TYPES:
            raise ConfigurationError(f"expected one of {BACKPROP_TYPES}, got {short_repr(self.backprop_type)}",
                                     field="backprop_type")
        for name in ("tbptt_fwd_length", "tbptt_back_length"):       # checked whenever given
            if getattr(self, name) is not None:
                check_int(getattr(self, name), name, name)
        if self.backprop_type == "tbptt" and self.tbptt_fwd_length is None:
            raise ConfigurationError("truncated BPTT needs tbptt_fwd_length", field="tbptt_fwd_length")
        if None not in (self.tbptt_fwd_length, self.tbptt_back_length) and \
                self.tbptt_back_length > self.tbptt_fwd_length:
            raise ConfigurationError(
                f"tbptt_back_length {self.tbptt_back_length} > tbptt_fwd_length "
                f"{self.tbptt_fwd_length}; the backward length may be shorter, not longer",
                field="tbptt_back_length")
        if not isinstance(self.updater, Updater):
            raise ConfigurationError(f"expected an updater such as Adam(1e-3), got {short_repr(self.updater)}",
                                     field="updater")
        for name in ("l1", "l2", "l1_bias", "l2_bias"):
            _number(getattr(self, name), name)
        if not (self.gradient_normalization is None or isinstance(self.gradient_normalization, str)
                and self.gradient_normalization in GRADIENT_NORMALIZATIONS):
            raise ConfigurationError(
                f"expected None or one of {GRADIENT_NORMALIZATIONS}, got {short_repr(self.gradient_normalization)}",
                field="gradient_normalization")
        _number(self.gradient_normalization_threshold, "gradient_normalization_threshold", strict=True)
        if self.seed is not None:
            check_int(self.seed, "seed", "seed", minimum=0, maximum=2**64 - 1)
        if not isinstance(self.dtype, str) or self.dtype not in DTYPES:
            raise ConfigurationError(f"expected one of {DTYPES}, got {short_repr(self.dtype)}", field="dtype")

    def _validate_preprocessors(self) -> None:
        pps = self.input_preprocessors
        if pps is None:
            return
        if not isinstance(pps, dict):
            raise ConfigurationError(f"expected a dict {{layer_index: preprocessor}}, got {short_repr(pps)}",
                                     field="input_preprocessors")
        for i, pp in pps.items():
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.layers):
                raise ConfigurationError(f"key {short_repr(i)} is not a layer index in [0, {len(self.layers) - 1}]",
                                         field="input_preprocessors")
            if not isinstance(pp, PreProcessor):
                raise ConfigurationError(f"expected a preprocessor, got {short_repr(pp)}", layer=i,
                                         field="input_preprocessors")

    def _build_layers(self) -> tuple:
        """Fill in every size, insert the preprocessors the layer kinds call for, and check
        that each layer accepts what reaches it. Returns (built layers, {index: preprocessor},
        ((input type, output type) of each layer))."""
        first = self.layers[0]
        if self.input_type is not None:
            it = self.input_type
        elif first.n_in is not None and first.input_kind != "convolutional":
            it = InputType(first.input_kind, size=first.n_in)
        else:
            raise ConfigurationError(
                f"{type(first).__name__} input size cannot be inferred: give n_in or the network's input_type",
                layer=0, field="n_in")
        explicit = self.input_preprocessors or {}
        built, preprocessors, types = [], {}, []
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            name = type(layer).__name__
            try:
                if i in explicit:
                    preprocessors[i] = explicit[i].build(it)
                elif it.kind != layer.input_kind:
                    preprocessors[i] = auto_preprocessor(it, layer.input_kind)
                if i in preprocessors:
                    it = preprocessors[i].output_type(it)
                if it.kind != layer.input_kind:
                    raise ConfigurationError(f"{name} takes {layer.input_kind} input but receives {it.kind} "
                                             f"data from the preprocessor before it", field="input_preprocessors")
                layer = layer.build(it)
                out = layer.output_type(it)
            except ConfigurationError as exc:
                raise ConfigurationError(exc.detail, layer=i, field=exc.field) from None
            if layer.is_output and i != last:
                raise ConfigurationError(f"{name} must be the last layer", layer=i, field="type")
            if self.backprop_type == "tbptt" and (layer.is_bidirectional or (
                    layer.input_kind == RECURRENT and layer.output_kind != RECURRENT)):
                raise ConfigurationError(f"truncated BPTT cannot train {name}: it needs the whole sequence "
                                         "at once; use backprop_type='standard'", layer=i, field="backprop_type")
            built.append(layer)
            types.append((it, out))
            it = out
        if self.backprop_type == "tbptt" and not any(l.is_recurrent for l in built):
            raise ConfigurationError("truncated BPTT needs a recurrent layer", field="backprop_type")
        counts = [sum(math.prod(s) for s in layer.param_shapes().values()) for layer in built]
        if sum(counts) > MAX_PARAMS:
            i = max(range(len(counts)), key=counts.__getitem__)
            raise ConfigurationError(f"the network would hold {sum(counts):,} parameters ({counts[i]:,} in this "
                                     f"{type(built[i]).__name__}), more than the {MAX_PARAMS:,} that can be "
                                     "allocated", layer=i, field="n_out")
        return tuple(built), preprocessors, tuple(types)

    def num_params(self) -> int:
        """Parameters the network will hold (known before any allocation)."""
        return sum(math.prod(s) for layer in self.built_layers for s in layer.param_shapes().values())

    @property
    def tbptt_back(self) -> int | None:
        """The effective backward length (defaults to the forward length)."""
        return self.tbptt_back_length or self.tbptt_fwd_length

    # ---- serialisation ----
    def to_dict(self) -> dict:
        d = {"format_version": FORMAT_VERSION}
        for f in dataclasses.fields(self):
            if not f.init:
                continue
            v = getattr(self, f.name)
            if f.name == "layers":
                v = [layer.to_dict() for layer in v]
            elif f.name in ("input_type", "updater") and v is not None:
                v = v.to_dict()
            elif f.name == "input_preprocessors" and v is not None:
                v = {str(i): pp.to_dict() for i, pp in sorted(v.items())}
            d[f.name] = v
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "MultiLayerConfiguration":
        if not isinstance(d, dict):
            raise ConfigurationError(f"expected a dict, got {type(d).__name__}")
        check_depth(d)
        version = d.get("format_version")
        if isinstance(version, bool) or version != FORMAT_VERSION:
            raise ConfigurationError(
                f"unsupported format_version {short_repr(version)}; this version of the workbench reads "
                f"{FORMAT_VERSION}", field="format_version")
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        extra = sorted((k for k in d if k not in names and k != "format_version"), key=str)
        if extra:
            raise ConfigurationError(f"unknown field(s) {short_repr(extra)}", field=str(extra[0]))
        kw = {k: v for k, v in d.items() if k in names}
        layers = kw.get("layers")
        if not isinstance(layers, list):
            raise ConfigurationError(f"expected a list of layer dicts, got {short_repr(layers)}", field="layers")
        built = []
        for i, ld in enumerate(layers):
            try:
                built.append(layer_from_dict(ld))
            except ConfigurationError as exc:
                raise ConfigurationError(exc.detail, layer=i, field=exc.field) from None
        kw["layers"] = built
        if kw.get("input_type") is not None:
            kw["input_type"] = InputType.from_dict(kw["input_type"])
        if "updater" in kw:
            kw["updater"] = updater_from_dict(kw["updater"])
        if kw.get("input_preprocessors") is not None:
            kw["input_preprocessors"] = _preprocessors_from_dict(kw["input_preprocessors"])
        return cls(**kw)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, s: str) -> "MultiLayerConfiguration":
        return cls.from_dict(parse_json(s))


def _preprocessors_from_dict(d) -> dict:
    if not isinstance(d, dict):
        raise ConfigurationError(f"expected a dict, got {short_repr(d)}", field="input_preprocessors")
    out = {}
    for key, value in d.items():
        if not (isinstance(key, str) and key.isdecimal() and len(key) < 10):
            raise ConfigurationError(f"key {short_repr(key)} is not a layer index", field="input_preprocessors")
        index = int(key)
        try:
            out[index] = from_typed_dict(value, PREPROCESSOR_TYPES, "preprocessor")
        except ConfigurationError as exc:
            raise ConfigurationError(exc.detail, layer=index, field="input_preprocessors") from None
    return out
