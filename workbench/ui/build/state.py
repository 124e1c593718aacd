"""The Build tab's state: a network configuration kept as editable plain data, validated on every change.

``layers`` holds one spec per layer (its ``to_dict()`` form, possibly invalid while edited,
e.g. ``{"type": "LSTM", "n_out": 0, ...}``; wrappers nest theirs under ``"layer"``),
``preprocessors`` the explicit preprocessor spec before each layer (None: inserted when
needed), and one parameter per network setting (``updater`` a spec). Every change builds a
``MultiLayerConfiguration``: valid -> ``conf`` and ``session.conf``, invalid -> both None and
``message`` names the layer and field. A valid network that does not fit the session's data
says why in ``data_fit`` (a warning). Usable from code::

    s = BuildState(WorkbenchSession())
    s.add_layer("Bidirectional", layer="LSTM", mode="add")
    s.set_field(0, "layer.n_out", 8)
    s.message, s.session.conf, s.python_code
"""
from __future__ import annotations

import copy
import dataclasses

import param
from param.parameterized import Comparator

from workbench.conf.configuration import MultiLayerConfiguration
from workbench.conf.input_type import InputType
from workbench.conf.preprocessors import PREPROCESSOR_TYPES
from workbench.conf.python_code import to_python
from workbench.conf.registry import LAYER_TYPES
from workbench.conf.updaters import UPDATER_TYPES
from workbench.conf.vocabulary import FIELD_CHOICES, FIELD_DOCS, NETWORK_SETTINGS
from workbench.errors import ConfigurationError
from workbench.ui.build.specs import (
    as_spec, build_configuration, default_spec, describe, param_count, set_path, spec_from_layer,
)
from workbench.ui.session import WorkbenchSession
from workbench.ui.messages import Messages

_DEFAULTS = {f.name: f.default for f in dataclasses.fields(MultiLayerConfiguration) if f.init}


def _setting(kind, name: str, **kw):
    return kind(default=_DEFAULTS[name], doc=FIELD_DOCS[name], label=name.replace("_", " "), **kw)


class BuildState(Messages):
    """Layer specs, preprocessors and network settings; see the module docstring. ``message``
    is the latest validation result ("valid" as success), ``upload`` the JSON upload's notice."""

    session = param.ClassSelector(class_=WorkbenchSession, doc="the state the four tabs share")
    layers = param.List(doc="one spec per layer, possibly invalid while edited")
    preprocessors = param.List(doc="per layer: the spec of the explicit preprocessor before it, or None")
    input_type = param.ClassSelector(class_=InputType, allow_None=True, doc=FIELD_DOCS["input_type"])
    backprop_type = _setting(param.Selector, "backprop_type", objects=list(FIELD_CHOICES["backprop_type"]))
    tbptt_fwd_length = _setting(param.Integer, "tbptt_fwd_length", allow_None=True)
    tbptt_back_length = _setting(param.Integer, "tbptt_back_length", allow_None=True)
    updater = param.Dict(doc=FIELD_DOCS["updater"])
    l1 = _setting(param.Number, "l1", allow_None=True)
    l2 = _setting(param.Number, "l2", allow_None=True)
    l1_bias = _setting(param.Number, "l1_bias", allow_None=True)
    l2_bias = _setting(param.Number, "l2_bias", allow_None=True)
    gradient_normalization = _setting(param.Selector, "gradient_normalization", objects={
        "none": None, **{g: g for g in FIELD_CHOICES["gradient_normalization"]}})
    gradient_normalization_threshold = _setting(param.Number, "gradient_normalization_threshold", allow_None=True)
    seed = _setting(param.Integer, "seed", allow_None=True)
    dtype = _setting(param.Selector, "dtype", objects=list(FIELD_CHOICES["dtype"]))

    conf = param.ClassSelector(class_=MultiLayerConfiguration, allow_None=True,
                               doc="the configuration built from the state; None while it is invalid")
    valid = param.Boolean(default=False)
    error_layer = param.Integer(default=None, allow_None=True, doc="index of the layer the error names")
    error_field = param.String(default=None, allow_None=True, doc="the field the error names")
    data_fit = param.String(default="", doc="why the valid network cannot train on the session's data ('' if it can)")
    upload = param.ClassSelector(class_=Messages, doc="the result of the latest JSON upload")

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(session=session if session is not None else WorkbenchSession(), upload=Messages(),
                         updater=_DEFAULTS["updater"].to_dict(), **params)
        self._empty_pps = False       # the loaded conf had input_preprocessors={} (not None)
        if self.session.conf is not None:
            self.load_configuration(self.session.conf)
        else:
            with param.parameterized.discard_events(self):
                self.input_type = self.session.task.input_type if self.session.task else None
            self._validate()
        self.session.param.watch(self._on_session, ["task", "conf", "train_data"])

    # ---- derived values ----
    @property
    def json(self) -> str:
        """The valid configuration as JSON ("" while invalid)."""
        return self.conf.to_json() if self.conf is not None else ""

    @property
    def python_code(self) -> str:
        """The valid configuration as Python code ("" while invalid)."""
        return to_python(self.conf) if self.conf is not None else ""

    def table_rows(self) -> list[dict]:
        """Per layer: index, type, preprocessor before it, input and output shape, parameters."""
        conf = self.conf
        if conf is None:
            return []
        return [{"index": i, "layer": describe(spec_from_layer(layer)),
                 "preprocessor": type(conf.built_preprocessors[i]).__name__ if i in conf.built_preprocessors else "",
                 "input": conf.layer_types[i][0].shape_text(), "output": conf.layer_types[i][1].shape_text(),
                 "params": param_count(layer)}
                for i, layer in enumerate(conf.built_layers)]

    @property
    def total_params(self) -> int | None:
        return None if self.conf is None else sum(r["params"] for r in self.table_rows())

    @param.depends("input_type", "session.task")
    def input_text(self) -> str:
        """The input type in words, and whether it differs from the task's data."""
        it, task = self.input_type, self.session.task
        text = f"**Input type:** {it.shape_text() if it else 'from the first layer n_in'}"
        if task is not None:
            text += f" — task *{task.name}*"
            if it != task.input_type:
                text += f" ⚠ the task's data is {task.input_type.shape_text()}"
        return text

    # ---- actions ----
    def add_layer(self, type_name: str, index: int | None = None, **fields) -> int:
        """Insert a layer of ``type_name`` (fields as keywords; ``layer=`` a type name, dict or
        layer for wrappers, dotted names such as ``**{"layer.n_out": 8}`` for its fields).
        ``index`` defaults to just before the output layer (the end for an output layer).
        Returns the index of the new layer."""
        task = self.session.task
        is_output = LAYER_TYPES[type_name].is_output if type_name in LAYER_TYPES else False
        spec = default_spec(type_name, task.n_out if task is not None and is_output else 32)
        if "layer" in fields:
            spec["layer"] = as_spec(fields.pop("layer"), LAYER_TYPES, "layer")
        for name, value in fields.items():
            set_path(spec, name, value)
        if index is None:
            index = len(self.layers)
            if self.layers and LAYER_TYPES[self.layers[-1]["type"]].is_output and not is_output:
                index -= 1
        layers, pres = list(self.layers), list(self.preprocessors)
        layers.insert(index, spec)
        pres.insert(index, None)
        self.param.update(layers=layers, preprocessors=pres)
        return index

    def remove_layer(self, i: int) -> None:
        i = self._index(i)
        self.param.update(layers=self.layers[:i] + self.layers[i + 1:],
                          preprocessors=self.preprocessors[:i] + self.preprocessors[i + 1:])

    def move_layer(self, i: int, delta: int) -> None:
        """Move layer ``i`` by ``delta`` places (clamped to the stack)."""
        i = self._index(i)
        j = min(max(i + delta, 0), len(self.layers) - 1)
        layers, pres = list(self.layers), list(self.preprocessors)
        layers.insert(j, layers.pop(i))
        pres.insert(j, pres.pop(i))
        self.param.update(layers=layers, preprocessors=pres)

    def set_field(self, i: int, name: str, value) -> None:
        """Set a field of layer ``i``: ``"n_out"``, ``"type"`` (keeps the common fields),
        ``"layer.n_out"`` / ``"layer.type"`` inside a wrapper, ``"preprocessor"`` (a type name,
        a preprocessor or "auto") and ``"preprocessor.height"``."""
        i = self._index(i)
        if name == "preprocessor" or name.startswith("preprocessor."):
            pres = copy.deepcopy(self.preprocessors)
            if name == "preprocessor":
                pres[i] = as_spec(value, PREPROCESSOR_TYPES, "preprocessor")
            elif pres[i] is None:
                raise ValueError(f"layer {i} has no explicit preprocessor: set 'preprocessor' before {name!r}")
            else:
                set_path(pres[i], name.split(".", 1)[1], value, PREPROCESSOR_TYPES)
            self.preprocessors = pres
        else:
            layers = copy.deepcopy(self.layers)
            set_path(layers[i], name, value)
            self.layers = layers

    def set_network_field(self, name: str, value) -> None:
        """Set a network setting: a MultiLayerConfiguration field (``"updater"`` takes a type
        name or an updater; ``"updater.lr"`` one of its fields), ``"backend"`` or ``"input_type"``."""
        if name == "backend":
            allowed = self.session.available_backends + ["auto"]
            if value not in allowed:
                raise ValueError(f"backend {value!r} is not available here; choose one of {allowed}")
            self.session.backend = value
        elif name == "updater":
            new = as_spec(value, UPDATER_TYPES, "updater")
            if isinstance(value, str):                         # a type change keeps lr, eps, ...
                new.update({k: v for k, v in self.updater.items() if k in new and k != "type"})
            self.updater = new
        elif name.startswith("updater."):
            new = dict(self.updater)
            set_path(new, name.split(".", 1)[1], value, UPDATER_TYPES)
            self.updater = new
        elif name in NETWORK_SETTINGS or name == "input_type":
            setattr(self, name, value)
        else:
            raise ValueError(f"unknown network field {name!r}; known: {', '.join(NETWORK_SETTINGS)}, backend, "
                             "input_type")

    def load_configuration(self, conf: MultiLayerConfiguration) -> None:
        """Replace the whole state with ``conf``."""
        if not isinstance(conf, MultiLayerConfiguration):
            raise TypeError(f"load_configuration: expected a MultiLayerConfiguration, got {type(conf).__name__}")
        pps = conf.input_preprocessors or {}
        self._empty_pps = conf.input_preprocessors == {}
        new = dict(layers=[spec_from_layer(layer) for layer in conf.layers],
                   preprocessors=[pps[i].to_dict() if i in pps else None for i in range(len(conf.layers))],
                   input_type=conf.input_type, updater=conf.updater.to_dict(),
                   **{name: getattr(conf, name) for name in NETWORK_SETTINGS if name != "updater"})
        changed = {k: v for k, v in new.items() if not Comparator.is_equal(getattr(self, k), v)}
        if changed:
            self.param.update(changed)                   # validates once
        else:
            self._validate()                             # same state, but perhaps other data

    def upload_json(self, text, filename: str = "the file") -> bool:
        """Load a configuration from JSON text (as written by ``to_json``); on a bad file keep
        the current state and explain in ``upload``. Returns whether it loaded."""
        keep = "the network in the page is unchanged"
        try:
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            conf = MultiLayerConfiguration.from_json(text)
        except UnicodeDecodeError:
            return self.upload.say(f"Could not load {filename}: it is not a text file; choose a .json file "
                                   f"saved with 'Download .json' ({keep}).", "error")
        except ConfigurationError as exc:
            return self.upload.say(f"Could not load {filename}: {exc} ({keep}).", "error")
        except Exception:                              # a malformed file must not raise into the page
            return self.upload.say(f"Could not load {filename}: it is not a configuration saved with "
                                   f"'Download .json' ({keep}).", "error")
        self.load_configuration(conf)
        task, note = self.session.task, ""
        if task is not None and conf.input_type != task.input_type:
            note = (f" Its input type ({conf.input_type.shape_text() if conf.input_type else 'none'}) differs "
                    f"from the task's data ({task.input_type.shape_text()}).")
        kind = "success" if self.valid and not self.data_fit and not note else "warning"
        return self.upload.say(f"Loaded {filename}: {len(conf.layers)} layers.{note}", kind)

    # ---- validation ----
    def _index(self, i: int) -> int:
        n = len(self.layers)
        if isinstance(i, bool) or not isinstance(i, int) or not -n <= i < n:
            raise IndexError(f"layer index {i!r} out of range: the network has {n} layers")
        return i % n

    @param.depends("layers", "preprocessors", "input_type", *NETWORK_SETTINGS, watch=True)
    def _validate(self) -> None:
        settings = {name: getattr(self, name) for name in NETWORK_SETTINGS}
        try:
            conf = build_configuration(self.layers, self.preprocessors, settings, self.input_type, self._empty_pps)
            text, layer, field = "valid", None, None
        except ConfigurationError as exc:
            conf, text, layer, field = None, str(exc), exc.layer, exc.field
        except Exception as exc:                           # never a traceback in the page
            conf, text, layer, field = None, f"{type(exc).__name__}: {exc}", None, None
        problem = self.session.data_problem(conf) if conf is not None else None
        self.param.update(conf=conf, valid=conf is not None, error_layer=layer, error_field=field,
                          data_fit=problem or "")
        if problem:
            self.say(f"valid, but it does not fit the task's data. {self._fit_hint(conf, problem)} "
                     f"(Details: {problem})", "warning")
        else:
            self.say(text, "success" if conf is not None else "error")
        if not conf == self.session.conf:                # unchanged: the session keeps its object
            self.session.conf = conf                     # (its echo in _on_session changes nothing)

    def _fit_hint(self, conf: MultiLayerConfiguration, problem: str) -> str:
        """What to change in the page so that ``conf`` fits the data ``problem`` describes."""
        last, sizes = len(conf.layers) - 1, self.session.data_sizes()
        if problem.startswith("labels"):
            count = f"{sizes[1]}, " if sizes else ""
            return f"Set n_out of the output layer (layer {last}) to {count}the data's number of classes or targets."
        if self.input_type is not None and self.session.task and self.input_type != self.session.task.input_type:
            return "This configuration was made for other data: load one made for this task, or choose its data set."
        count = f" ({sizes[0]})" if sizes else ""
        return f"Set n_in of layer 0 to the data's number of features{count}, or leave it empty to infer it."

    def _on_session(self, *events) -> None:
        names = {e.name for e in events}
        conf = self.session.conf
        if names & {"task", "conf"} and conf is not None and ("task" in names or conf != self.conf):
            self.load_configuration(conf)                # a new task, or a network loaded elsewhere
        elif "train_data" in names and not names & {"task", "conf"}:
            self._validate()                             # new data (an upload): does the network fit it?
