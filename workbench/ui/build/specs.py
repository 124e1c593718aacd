"""Layer specs: a layer configuration as a plain dict that may be invalid while it is edited.

A spec is the layer's ``to_dict()`` form (``{"type": "LSTM", "n_out": 0, ...}``; wrappers nest
theirs under ``"layer"``); preprocessors and updaters have specs of the same shape. These
functions make, convert, describe and edit specs and build a configuration from them; the
vocabulary (types, choices) is the configuration's own, from ``workbench.conf.vocabulary``.
No Panel here.
"""
from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np

from workbench.conf.configuration import MultiLayerConfiguration
from workbench.conf.layers import Layer
from workbench.conf.preprocessors import PREPROCESSOR_TYPES
from workbench.conf.registry import LAYER_TYPES
from workbench.conf.updaters import UPDATER_TYPES
from workbench.conf.vocabulary import FIELD_CHOICES, WRAPPED_CHOICES
from workbench.errors import ConfigurationError
from workbench.nn.network import runtime_layer

PAIRS = ("kernel_size", "stride", "padding")
AUTO = "auto"                        # no explicit preprocessor: inserted when the layer kinds call for it


def field_kind(f: dataclasses.Field) -> str:
    """How a dataclass field is edited: "layer", "choice", "pair", "float", "int" or "text"."""
    if f.name == "layer":
        return "layer"
    if f.name in FIELD_CHOICES:
        return "choice"
    if f.name in PAIRS:
        return "pair"
    ann = str(f.type)
    return "float" if "float" in ann else "int" if "int" in ann else "text"


def parse_pair(text):
    """ "3" -> 3, "3,2" / "3x2" -> (3, 2), "" -> None; anything else is returned unchanged, so that
    validation reports it against its field."""
    if not isinstance(text, str):
        return text
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    if parts == [""]:
        return None
    try:
        nums = tuple(int(p) for p in parts)
    except ValueError:
        return text
    return nums[0] if len(nums) == 1 else nums


def format_pair(v) -> str:
    if v is None:
        return ""
    return ",".join(str(k) for k in v) if isinstance(v, (tuple, list)) else str(v)


def default_spec(type_name: str, n_out: int = 32) -> dict:
    """The spec of a new layer of this type: the dataclass defaults, ``n_out`` where required."""
    if type_name not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {type_name!r}; known: {', '.join(LAYER_TYPES)}")
    spec = {"type": type_name}
    for f in dataclasses.fields(LAYER_TYPES[type_name]):
        if f.name == "layer":
            spec["layer"] = default_spec(WRAPPED_CHOICES[type_name][0], n_out)
        elif f.default is not dataclasses.MISSING:
            spec[f.name] = f.default
        elif f.name == "n_out":
            spec["n_out"] = n_out
    return spec


def convert_spec(old: dict, new_type: str) -> dict:
    """``old`` as a layer of ``new_type``, keeping the fields both have; a recurrent layer turned
    into a wrapper becomes the wrapped layer, a wrapper turned into a plain layer gives its fields."""
    if new_type not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {new_type!r}; known: {', '.join(LAYER_TYPES)}")
    source = old
    while "layer" in source and "layer" not in LAYER_TYPES[new_type].__dataclass_fields__:
        source = source["layer"]                                   # unwrapping
    new = default_spec(new_type, source.get("n_out", 32))
    if "layer" in new:
        for inner in (old, old.get("layer")):              # wrap the old layer, else its wrapped one
            if isinstance(inner, dict) and inner["type"] in WRAPPED_CHOICES[new_type]:
                new["layer"] = copy.deepcopy(inner)
                break
    for k, v in source.items():
        if k not in ("type", "layer") and k in new:
            new[k] = copy.deepcopy(v)
    return new


def spec_from_layer(layer: Layer) -> dict:
    spec = layer.to_dict()
    if spec["type"] == "SubsamplingLayer" and spec["stride"] == spec["kernel_size"]:
        spec["stride"] = None                                      # "same as the kernel"
    return spec


def layer_from_spec(spec: dict) -> Layer:
    """The layer a spec describes; a wrapped layer's error names its field ``layer.<field>``."""
    fields = {k: v for k, v in spec.items() if k != "type"}
    if "layer" in fields:
        try:
            fields["layer"] = layer_from_spec(fields["layer"])
        except ConfigurationError as exc:
            raise ConfigurationError(exc.detail, field=f"layer.{exc.field}" if exc.field else "layer") from None
    return LAYER_TYPES[spec["type"]](**fields)


def typed_from_spec(spec: dict, registry: dict):
    return registry[spec["type"]](**{k: v for k, v in spec.items() if k != "type"})


def as_spec(value, registry: dict, what: str) -> dict | None:
    """A type name, a dict or a config object as a spec dict."""
    if value is None or value == AUTO:
        return None
    if isinstance(value, str):
        if value not in registry:
            raise ValueError(f"unknown {what} type {value!r}; known: {', '.join(registry)}")
        if registry is LAYER_TYPES:
            return default_spec(value)
        return {"type": value, **{f.name: f.default for f in dataclasses.fields(registry[value])}}
    if isinstance(value, dict):
        return copy.deepcopy(value)
    return spec_from_layer(value) if isinstance(value, Layer) else value.to_dict()


def param_count(layer: Layer) -> int:
    """Parameters of a built layer, counted from shapes (nothing allocated)."""
    shapes = runtime_layer(layer, np, np.float32).param_shapes()
    return int(sum(math.prod(s) for s in shapes.values()))


def describe(spec: dict) -> str:
    return spec["type"] + (f"({describe(spec['layer'])})" if isinstance(spec.get("layer"), dict) else "")


def set_path(spec: dict, path: str, value, registry: dict = LAYER_TYPES) -> None:
    """Set a dotted field path in a spec; ``type`` converts (layers) or replaces (others)."""
    *head, last = path.split(".")
    for key in head:
        if not isinstance(spec.get(key), dict):
            raise ValueError(f"{spec['type']} has no wrapped layer to set {path!r} in")
        spec = spec[key]
    cls = registry[spec["type"]]
    names = [f.name for f in dataclasses.fields(cls)]
    if last == "type":
        new = convert_spec(spec, value) if registry is LAYER_TYPES else as_spec(value, registry, "type")
        spec.clear()
        spec.update(new)
        return
    if last not in names:
        raise ValueError(f"{spec['type']} has no field {last!r}; fields: {', '.join(names)}")
    if last == "layer":
        value = as_spec(value, LAYER_TYPES, "layer")
    elif last in PAIRS:
        value = parse_pair(value)
    spec[last] = value


def build_configuration(layers: list, preprocessors: list, settings: dict, input_type=None,
                        empty_preprocessors: bool = False) -> MultiLayerConfiguration:
    """The configuration of these specs (``preprocessors[i]``: the explicit one before layer i, or
    None) and network ``settings`` (``"updater"`` a spec); a ConfigurationError names the layer
    and field at fault. ``empty_preprocessors`` keeps ``{}`` apart from None (as loaded)."""
    built, pps = [], {}
    for i, (spec, pre) in enumerate(zip(layers, preprocessors)):
        try:
            built.append(layer_from_spec(spec))
        except ConfigurationError as exc:
            raise ConfigurationError(exc.detail, layer=i, field=exc.field) from None
        try:
            if pre is not None:
                shape = [pre.get(k) for k in ("height", "width", "channels") if k in pre]
                if any(v is None for v in shape) and any(v is not None for v in shape):
                    raise ConfigurationError(f"{pre['type']}: give height, width and channels together, "
                                             "or none of them to take them from the input")
                pps[i] = typed_from_spec(pre, PREPROCESSOR_TYPES)
        except ConfigurationError as exc:
            raise ConfigurationError(exc.detail, layer=i, field="input_preprocessors") from None
    try:
        updater = typed_from_spec(settings["updater"], UPDATER_TYPES)
    except ConfigurationError as exc:
        raise ConfigurationError(exc.detail, field=f"updater.{exc.field}") from None
    rest = {k: v for k, v in settings.items() if k != "updater"}
    return MultiLayerConfiguration(built, input_type=input_type,
                                   input_preprocessors=pps or ({} if empty_preprocessors else None),
                                   updater=updater, **rest)
