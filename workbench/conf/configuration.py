"""MultiLayerConfiguration: the whole network as plain data, validated at construction."""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field

from workbench.conf.errors import ConfigurationError
from workbench.conf.input_type import RECURRENT, InputType
from workbench.conf.layers import Layer, from_typed_dict, layer_from_dict
from workbench.conf.preprocessors import PREPROCESSOR_TYPES, PreProcessor, auto_preprocessor
from workbench.conf.updaters import Adam, Updater, updater_from_dict

FORMAT_VERSION = 1
BACKPROP_TYPES = ("standard", "tbptt")
GRADIENT_NORMALIZATIONS = ("clip_elementwise", "clip_l2_per_layer", "renormalize_l2_per_layer")
DTYPES = ("float32", "float64")


def _number(value, name: str, minimum=0.0, strict=False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) and (
        value > minimum if strict else value >= minimum)
    if not ok:
        rel = ">" if strict else ">="
        raise ConfigurationError(f"must be a finite number {rel} {minimum}, got {value!r}", field=name)


def _length(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"must be an int >= 1, got {value!r}", field=name)


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
            raise ConfigurationError(f"must be a non-empty list of layers, got {self.layers!r}", field="layers")
        object.__setattr__(self, "layers", tuple(self.layers))
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ConfigurationError(f"expected a layer configuration, got {layer!r}", layer=i)
        if self.input_type is not None and not isinstance(self.input_type, InputType):
            raise ConfigurationError(f"expected an InputType, got {self.input_type!r}", field="input_type")
        self._validate_preprocessors()
        self._validate_training()
        layers, preprocessors, types = self._build_layers()
        object.__setattr__(self, "built_layers", layers)
        object.__setattr__(self, "built_preprocessors", preprocessors)
        object.__setattr__(self, "layer_types", types)

    def _validate_training(self) -> None:
        if self.backprop_type not in BACKPROP_TYPES:
            raise ConfigurationError(f"expected one of {BACKPROP_TYPES}, got {self.backprop_type!r}",
                                     field="backprop_type")
        if self.backprop_type == "tbptt":
            if self.tbptt_fwd_length is None:
                raise ConfigurationError("truncated BPTT needs tbptt_fwd_length", field="tbptt_fwd_length")
            _length(self.tbptt_fwd_length, "tbptt_fwd_length")
            if self.tbptt_back_length is not None:
                _length(self.tbptt_back_length, "tbptt_back_length")
                if self.tbptt_back_length > self.tbptt_fwd_length:
                    raise ConfigurationError(
                        f"tbptt_back_length {self.tbptt_back_length} > tbptt_fwd_length "
                        f"{self.tbptt_fwd_length}; the backward length may be shorter, not longer",
                        field="tbptt_back_length")
        if not isinstance(self.updater, Updater):
            raise ConfigurationError(f"expected an updater such as Adam(1e-3), got {self.updater!r}",
                                     field="updater")
        for name in ("l1", "l2", "l1_bias", "l2_bias"):
            _number(getattr(self, name), name)
        if self.gradient_normalization not in (None,) + GRADIENT_NORMALIZATIONS:
            raise ConfigurationError(
                f"expected None or one of {GRADIENT_NORMALIZATIONS}, got {self.gradient_normalization!r}",
                field="gradient_normalization")
        _number(self.gradient_normalization_threshold, "gradient_normalization_threshold", strict=True)
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0):
            raise ConfigurationError(f"expected an int >= 0 or None, got {self.seed!r}", field="seed")
        if self.dtype not in DTYPES:
            raise ConfigurationError(f"expected one of {DTYPES}, got {self.dtype!r}", field="dtype")

    def _validate_preprocessors(self) -> None:
        pps = self.input_preprocessors
        if pps is None:
            return
        if not isinstance(pps, dict):
            raise ConfigurationError(f"expected a dict {{layer_index: preprocessor}}, got {pps!r}",
                                     field="input_preprocessors")
        for i, pp in pps.items():
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.layers):
                raise ConfigurationError(f"key {i!r} is not a layer index in [0, {len(self.layers) - 1}]",
                                         field="input_preprocessors")
            if not isinstance(pp, PreProcessor):
                raise ConfigurationError(f"expected a preprocessor, got {pp!r}", layer=i,
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
        return tuple(built), preprocessors, tuple(types)

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
        version = d.get("format_version")
        if version != FORMAT_VERSION:
            raise ConfigurationError(
                f"unsupported format_version {version!r}; this version of the workbench reads "
                f"{FORMAT_VERSION}", field="format_version")
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        extra = sorted(set(d) - names - {"format_version"})
        if extra:
            raise ConfigurationError(f"unknown field(s) {extra}", field=extra[0])
        kw = {k: v for k, v in d.items() if k in names}
        layers = kw.get("layers")
        if not isinstance(layers, list):
            raise ConfigurationError(f"expected a list of layer dicts, got {layers!r}", field="layers")
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
        try:
            d = json.loads(s)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"not valid JSON: {exc}") from None
        return cls.from_dict(d)


def _preprocessors_from_dict(d) -> dict:
    if not isinstance(d, dict):
        raise ConfigurationError(f"expected a dict, got {d!r}", field="input_preprocessors")
    out = {}
    for key, value in d.items():
        try:
            index = int(key)
        except ValueError:
            raise ConfigurationError(f"key {key!r} is not a layer index", field="input_preprocessors") from None
        try:
            out[index] = from_typed_dict(value, PREPROCESSOR_TYPES, "preprocessor")
        except ConfigurationError as exc:
            raise ConfigurationError(exc.detail, layer=index, field="input_preprocessors") from None
    return out
