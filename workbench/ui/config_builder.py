"""The Build view: a network configuration edited as forms, validated on every change.

State is plain data: one *spec* per layer (the layer's ``to_dict()`` form, values possibly
invalid, e.g. ``{"type": "LSTM", "n_out": 0, ...}``; wrappers nest theirs under ``"layer"``),
an optional explicit preprocessor spec per layer, and the network settings. Every change
builds a ``MultiLayerConfiguration``: valid -> ``session.conf``, invalid -> ``session.conf =
None`` and the error shown on the layer card it names. Forms are generated from the layer
dataclasses' fields; the spec functions are in ``layer_specs``. The same state is reachable from code::

    b = ConfigBuilder()
    b.add_layer("Bidirectional", layer="LSTM", mode="add")
    b.set_field(0, "layer.n_out", 8)
    b.message, b.session.conf, b.python_code
"""
from __future__ import annotations

import copy
import dataclasses
import io
import json

import panel as pn
import param

from workbench.conf.configuration import BACKPROP_TYPES, DTYPES, GRADIENT_NORMALIZATIONS, MultiLayerConfiguration
from workbench.conf.layers import Layer
from workbench.conf.preprocessors import PREPROCESSOR_TYPES
from workbench.conf.registry import LAYER_TYPES
from workbench.conf.python_code import to_python
from workbench.conf.updaters import UPDATER_TYPES
from workbench.errors import ConfigurationError
from workbench.ui.layer_specs import (
    AUTO, CHOICES, LAYER_CHOICES, NETWORK_FIELDS, NO_NORMALIZATION, WRAPPED_CHOICES, as_spec, default_spec, describe,
    field_kind, format_pair, layer_from_spec, network_spec, param_count, parse_pair, set_path, spec_from_layer,
    typed_from_spec,
)
from workbench.ui.session import WorkbenchSession

ERROR_HEADER = "#f8d7da"


class _Row:
    """One layer of the builder: its spec, its explicit preprocessor (or None) and its card."""

    def __init__(self, spec: dict, pre: dict | None = None):
        self.spec, self.pre = spec, pre
        # a title from the start: a card first drawn with an empty title keeps an empty header
        self.card = pn.Card(title=describe(spec), collapsible=True, sizing_mode="stretch_width", margin=(4, 0))
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, margin=(2, 5))


class ConfigBuilder(pn.viewable.Viewer):
    """Edit ``session.conf`` as layer cards plus network settings; see the module docstring."""

    session = param.ClassSelector(class_=WorkbenchSession)
    message = param.String(default="", doc="the current validation text")
    valid = param.Boolean(default=False)
    error_layer = param.Integer(default=None, allow_None=True, doc="index of the layer the error names")
    error_field = param.String(default=None, allow_None=True)
    upload_message = param.String(default="")
    data_fit = param.String(default="", doc="why the valid network cannot train on the session's data ('' if it can)")

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(session=session if session is not None else WorkbenchSession(), **params)
        self._rows: list[_Row] = []
        self._net: dict = {}
        self._input_type = None
        self._empty_pps = False       # the loaded conf had input_preprocessors={} (not None)
        self._conf = None             # the last valid configuration built
        self._quiet = False           # set while this object writes widgets or session.conf
        self._cards = pn.Column(sizing_mode="stretch_width")
        self._build_widgets()
        conf = self.session.conf
        if conf is not None:
            self.load_configuration(conf)
        else:
            self._input_type = self.session.task.input_type if self.session.task else None
            self._net = network_spec(MultiLayerConfiguration.__dataclass_fields__)
            self._sync_network_widgets()
            self._validate()
        self.session.param.watch(self._on_session, ["task", "conf", "backend", "train_data"])

    # ---- programmatic API ----
    @property
    def layers(self) -> list:
        """Copies of the layer specs."""
        return [copy.deepcopy(r.spec) for r in self._rows]

    @property
    def json(self) -> str:
        """The valid configuration as JSON ("" while invalid)."""
        return self._conf.to_json() if self._conf is not None else ""

    @property
    def python_code(self) -> str:
        """The valid configuration as Python code ("" while invalid)."""
        return to_python(self._conf) if self._conf is not None else ""

    def add_layer(self, type_name: str, index: int | None = None, **fields) -> int:
        """Insert a layer of ``type_name`` (fields as keywords; ``layer=`` a type name, dict or
        layer for wrappers, dotted names such as ``**{"layer.n_out": 8}`` for its fields).
        ``index`` defaults to just before the output layer (the end for an output layer).
        Returns the index of the new layer."""
        task = self.session.task
        n_out = task.n_out if task is not None and LAYER_TYPES.get(type_name, Layer).is_output else 32
        spec = default_spec(type_name, n_out)
        if "layer" in fields:
            spec["layer"] = as_spec(fields.pop("layer"), LAYER_TYPES, "layer")
        for name, value in fields.items():
            set_path(spec, name, value)
        if index is None:
            index = len(self._rows)
            if self._rows and LAYER_TYPES[self._rows[-1].spec["type"]].is_output and not LAYER_TYPES[type_name].is_output:
                index -= 1
        row = _Row(spec)
        self._rows.insert(index, row)
        self._fill_card(row)
        self._layout_cards()
        self._validate()
        return index

    def remove_layer(self, i: int) -> None:
        self._rows.pop(self._index(i))
        self._layout_cards()
        self._validate()

    def move_layer(self, i: int, delta: int) -> None:
        """Move layer ``i`` by ``delta`` places (clamped to the stack)."""
        i = self._index(i)
        j = min(max(i + delta, 0), len(self._rows) - 1)
        self._rows.insert(j, self._rows.pop(i))
        self._layout_cards()
        self._validate()

    def set_field(self, i: int, name: str, value) -> None:
        """Set a field of layer ``i``: ``"n_out"``, ``"type"`` (keeps the common fields),
        ``"layer.n_out"`` / ``"layer.type"`` inside a wrapper, ``"preprocessor"`` (a type name,
        a preprocessor or "auto") and ``"preprocessor.height"``."""
        row = self._rows[self._index(i)]
        self._apply(row, name, value)
        self._fill_card(row)
        self._validate()

    def set_network_field(self, name: str, value) -> None:
        """Set a network setting: a MultiLayerConfiguration field (``"updater"`` takes a type
        name or an updater; ``"updater.lr"`` one of its fields), ``"backend"`` or ``"input_type"``."""
        if name == "backend":
            allowed = self.session.available_backends + ["auto"]
            if value not in allowed:
                raise ValueError(f"backend {value!r} is not available here; choose one of {allowed}")
            self.session.backend = value
        elif name == "input_type":
            self._input_type = value
        else:
            self._apply_network(name, value)
        self._sync_network_widgets()
        self._validate()

    def load_configuration(self, conf: MultiLayerConfiguration) -> None:
        """Replace the builder's whole state with ``conf``."""
        if not isinstance(conf, MultiLayerConfiguration):
            raise TypeError(f"load_configuration: expected a MultiLayerConfiguration, got {type(conf).__name__}")
        pps = conf.input_preprocessors or {}
        self._rows = [_Row(spec_from_layer(layer), pps[i].to_dict() if i in pps else None)
                      for i, layer in enumerate(conf.layers)]
        self._empty_pps = conf.input_preprocessors == {}
        self._input_type = conf.input_type
        self._net = {name: getattr(conf, name) for name in NETWORK_FIELDS}
        self._net["updater"] = conf.updater.to_dict()
        for row in self._rows:
            self._fill_card(row)
        self._layout_cards()
        self._sync_network_widgets()
        self._validate()

    def upload_json(self, text, filename: str = "the file") -> bool:
        """Load a configuration from JSON text (as written by ``to_json``); on a bad file keep
        the current state and explain in ``upload_message``. Returns whether it loaded."""
        try:
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            conf = MultiLayerConfiguration.from_json(text)
        except (ConfigurationError, UnicodeDecodeError) as exc:
            self.upload_message = f"Could not load {filename}: {exc}"
            return False
        except Exception as exc:                       # a malformed file must not raise into the page
            self.upload_message = f"Could not load {filename}: {type(exc).__name__}: {exc}"
            return False
        self.load_configuration(conf)
        note = ""
        task = self.session.task
        if task is not None and conf.input_type != task.input_type:
            note = (f" Note: its input type {conf.input_type and conf.input_type.to_dict()} differs from the "
                    f"task's data ({task.input_type.to_dict()}).")
        self.upload_message = f"Loaded {filename}: {len(conf.layers)} layers.{note}"
        return True

    def table_rows(self) -> list[dict]:
        """Per layer: index, type, preprocessor before it, input and output shape, parameters."""
        conf = self._conf
        if conf is None:
            return []
        return [{"index": i, "layer": describe(spec_from_layer(layer)),
                 "preprocessor": type(conf.built_preprocessors[i]).__name__ if i in conf.built_preprocessors else "",
                 "input": conf.layer_types[i][0].shape_text(), "output": conf.layer_types[i][1].shape_text(),
                 "params": param_count(layer)}
                for i, layer in enumerate(conf.built_layers)]

    @property
    def total_params(self) -> int | None:
        return None if self._conf is None else sum(r["params"] for r in self.table_rows())

    # ---- state changes ----
    def _index(self, i: int) -> int:
        if isinstance(i, bool) or not isinstance(i, int) or not -len(self._rows) <= i < len(self._rows):
            raise IndexError(f"layer index {i!r} out of range: the builder has {len(self._rows)} layers")
        return i % len(self._rows)

    def _apply(self, row: _Row, name: str, value) -> None:
        if name == "preprocessor":
            row.pre = as_spec(value, PREPROCESSOR_TYPES, "preprocessor")
        elif name.startswith("preprocessor."):
            if row.pre is None:
                raise ValueError(f"layer has no explicit preprocessor: set 'preprocessor' before {name!r}")
            set_path(row.pre, name.split(".", 1)[1], value, PREPROCESSOR_TYPES)
        else:
            set_path(row.spec, name, value)

    def _apply_network(self, name: str, value) -> None:
        if name == "updater":
            old = self._net["updater"]
            new = as_spec(value, UPDATER_TYPES, "updater")
            if isinstance(value, str):                         # a type change keeps lr, eps, ...
                new.update({k: v for k, v in old.items() if k in new and k != "type"})
            self._net["updater"] = new
        elif name.startswith("updater."):
            set_path(self._net["updater"], name.split(".", 1)[1], value, UPDATER_TYPES)
        elif name in NETWORK_FIELDS:
            if name == "gradient_normalization" and value == NO_NORMALIZATION:
                value = None
            self._net[name] = value
        else:
            raise ValueError(f"unknown network field {name!r}; known: {', '.join(NETWORK_FIELDS)}, backend")

    def _build(self) -> MultiLayerConfiguration:
        layers, pps = [], {}
        for i, row in enumerate(self._rows):
            try:
                layers.append(layer_from_spec(row.spec))
            except ConfigurationError as exc:
                raise ConfigurationError(exc.detail, layer=i, field=exc.field) from None
            try:
                if row.pre is not None:
                    shape = [row.pre.get(k) for k in ("height", "width", "channels") if k in row.pre]
                    if any(v is None for v in shape) and any(v is not None for v in shape):
                        raise ConfigurationError(f"{row.pre['type']}: give height, width and channels together, "
                                                 "or none of them to take them from the input")
                    pps[i] = typed_from_spec(row.pre, PREPROCESSOR_TYPES)
            except ConfigurationError as exc:
                raise ConfigurationError(exc.detail, layer=i, field="input_preprocessors") from None
        try:
            updater = typed_from_spec(self._net["updater"], UPDATER_TYPES)
        except ConfigurationError as exc:
            raise ConfigurationError(exc.detail, field=f"updater.{exc.field}") from None
        net = {k: v for k, v in self._net.items() if k != "updater"}
        return MultiLayerConfiguration(layers, input_type=self._input_type,
                                       input_preprocessors=pps or ({} if self._empty_pps else None),
                                       updater=updater, **net)

    def _validate(self) -> None:
        try:
            conf, text, layer, field = self._build(), "valid", None, None
        except ConfigurationError as exc:
            conf, text, layer, field = None, str(exc), exc.layer, exc.field
        except Exception as exc:                           # never a traceback in the page
            conf, text, layer, field = None, f"{type(exc).__name__}: {exc}", None, None
        problem = None if conf is None else self.session.data_problem(conf)
        self._conf = conf
        self.param.update(message=text, valid=conf is not None, error_layer=layer, error_field=field,
                          data_fit=problem or "")
        if not (conf is not None and conf == self.session.conf):
            self._quiet = True
            try:
                self.session.conf = conf
            finally:
                self._quiet = False
        self._refresh_views()

    def _on_session(self, *events) -> None:
        names = {e.name for e in events}
        if "backend" in names:
            self._sync_network_widgets()
        if "train_data" in names and not names & {"task", "conf"}:
            self._validate()                           # new data (an upload): does the network fit it?
            return
        if self._quiet or not names & {"task", "conf"}:
            return
        conf = self.session.conf
        if conf is not None and ("task" in names or conf != self._conf):
            self.load_configuration(conf)
        elif "task" in names:
            self._refresh_views()

    # ---- widgets ----
    def _widget(self, kind: str, label: str, value, on_change, choices=(), optional=False):
        if kind == "choice":
            options = list(choices) + ([value] if value not in choices else [])
            w = pn.widgets.Select(label=label, options=options, value=value, width=140)
        elif kind == "int":
            w = pn.widgets.IntInput(label=label, value=value if isinstance(value, int) else None, width=140,
                                    placeholder="infer" if optional else "")
        elif kind == "float":
            w = pn.widgets.FloatInput(label=label, value=value if isinstance(value, (int, float)) else None, width=140)
        else:
            w = pn.widgets.TextInput(label=label, value=format_pair(value) if kind == "pair" else str(value),
                                     placeholder="= kernel" if optional else "h,w", width=140)
        w.param.watch(lambda e: self._guard(on_change, parse_pair(e.new) if kind == "pair" else e.new), "value")
        return w

    def _guard(self, fn, *args) -> None:
        """Run a widget callback; an error becomes the message, never a traceback."""
        if self._quiet:
            return
        try:
            fn(*args)
        except Exception as exc:
            self.message = f"{type(exc).__name__}: {exc}"

    def _spec_widgets(self, row: _Row, spec: dict, prefix: str = "") -> list:
        """The form of one (possibly wrapped) layer spec, ``prefix`` naming its path."""
        cls = LAYER_TYPES[spec["type"]]
        simple, nested = [], []
        for f in dataclasses.fields(cls):
            path, kind = prefix + f.name, field_kind(f)
            if kind == "layer":
                inner = spec["layer"]
                nested.append(self._widget("choice", "wrapped layer", inner["type"],
                                           lambda v, p=path: self._on_row_edit(row, p + ".type", v, rebuild=True),
                                           WRAPPED_CHOICES[spec["type"]]))
                nested.append(pn.Column(*self._spec_widgets(row, inner, path + "."), margin=(0, 0, 0, 20),
                                        styles={"border-left": "3px solid #ccc"}))
                continue
            simple.append(self._widget(kind, f.name, spec.get(f.name),
                                       lambda v, p=path: self._on_row_edit(row, p, v),
                                       CHOICES.get(f.name, ()), optional="None" in str(f.type)))
        return [pn.FlexBox(*simple)] + nested if simple else nested

    def _fill_card(self, row: _Row) -> None:
        """(Re)generate a card's widgets from its row's state."""
        def button(label, fn):
            b = pn.widgets.Button(label=label, width=40, margin=(15, 2, 0, 2))
            b.on_click(lambda e: self._guard(lambda: fn(self._rows.index(row))))
            return b

        type_select = self._widget("choice", "type", row.spec["type"],
                                   lambda v: self._on_row_edit(row, "type", v, rebuild=True), LAYER_CHOICES)
        head = pn.Row(type_select, button("↑", lambda i: self.move_layer(i, -1)),
                      button("↓", lambda i: self.move_layer(i, 1)), button("✕", self.remove_layer))
        pre_type = row.pre["type"] if row.pre else AUTO
        pre = [self._widget("choice", "preprocessor before", pre_type,
                            lambda v: self._on_row_edit(row, "preprocessor", v, rebuild=True),
                            (AUTO, *PREPROCESSOR_TYPES))]
        for f in dataclasses.fields(PREPROCESSOR_TYPES[pre_type]) if row.pre else ():
            pre.append(self._widget("int", f.name, row.pre.get(f.name),
                                    lambda v, p="preprocessor." + f.name: self._on_row_edit(row, p, v), optional=True))
        row.card.objects = [head, *self._spec_widgets(row, row.spec), pn.FlexBox(*pre), row.alert]

    def _on_row_edit(self, row: _Row, path: str, value, rebuild: bool = False) -> None:
        self._apply(row, path, value)
        if rebuild:
            self._fill_card(row)
        self._validate()

    def _layout_cards(self) -> None:
        self._cards.objects = [r.card for r in self._rows]

    def _build_widgets(self) -> None:
        def net(name):
            return lambda v: self._on_network_edit(name, v)

        self._nw = {
            "backprop_type": self._widget("choice", "backprop", "standard", net("backprop_type"), BACKPROP_TYPES),
            "tbptt_fwd_length": self._widget("int", "TBPTT forward", None, net("tbptt_fwd_length")),
            "tbptt_back_length": self._widget("int", "TBPTT backward", None, net("tbptt_back_length"), optional=True),
            "updater": self._widget("choice", "updater", "Adam", net("updater"), tuple(UPDATER_TYPES)),
            "l1": self._widget("float", "l1", 0.0, net("l1")), "l2": self._widget("float", "l2", 0.0, net("l2")),
            "l1_bias": self._widget("float", "l1_bias", 0.0, net("l1_bias")),
            "l2_bias": self._widget("float", "l2_bias", 0.0, net("l2_bias")),
            "gradient_normalization": self._widget("choice", "gradient normalization", NO_NORMALIZATION,
                                                   net("gradient_normalization"),
                                                   (NO_NORMALIZATION, *GRADIENT_NORMALIZATIONS)),
            "gradient_normalization_threshold": self._widget("float", "threshold", 1.0,
                                                             net("gradient_normalization_threshold")),
            "seed": self._widget("int", "seed", None, net("seed")),
            "dtype": self._widget("choice", "dtype", "float32", net("dtype"), DTYPES),
            "backend": self._widget("choice", "backend", self.session.backend,
                                    lambda v: setattr(self.session, "backend", v),
                                    (*self.session.available_backends, "auto")),
        }
        self._nw["tbptt_back_length"].placeholder = "= forward"
        self._nw["seed"].placeholder = "random"
        self._updater_box = pn.FlexBox()
        self._input_pane = pn.pane.Markdown("", margin=(0, 10))
        self._status = pn.pane.Alert("", alert_type="success", margin=(5, 10))
        self._table = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._code = pn.widgets.CodeEditor(value="", language="python", readonly=True, height=420,
                                           sizing_mode="stretch_width")
        self._json = pn.widgets.CodeEditor(value="", language="json", readonly=True, height=420,
                                           sizing_mode="stretch_width")
        self._downloads = [pn.widgets.FileDownload(callback=lambda: io.StringIO(self.python_code),
                                                   filename="network.py", label="Download .py"),
                           pn.widgets.FileDownload(callback=lambda: io.StringIO(self.json),
                                                   filename="network.json", label="Download .json")]
        self._upload = pn.widgets.FileInput(accept=".json")
        self._upload.param.watch(lambda e: self._guard(lambda: self.upload_json(e.new, self._upload.filename
                                                                                or "the file")), "value")
        self._upload_pane = pn.pane.Markdown("", margin=(0, 10))
        self._add_type = pn.widgets.Select(label="new layer", options=list(LAYER_CHOICES), value="LSTM", width=200)
        self._add_button = pn.widgets.Button(label="Add layer", color="primary", margin=(22, 5, 0, 5))
        self._add_button.on_click(lambda e: self._guard(lambda: self.add_layer(self._add_type.value)))

    def _on_network_edit(self, name: str, value) -> None:
        self._apply_network(name, value)
        if name in ("updater", "backprop_type", "gradient_normalization"):
            self._sync_network_widgets()
        self._validate()

    def _sync_network_widgets(self) -> None:
        """Widgets <- state, without triggering their callbacks."""
        if not self._net:
            return
        self._quiet = True
        try:
            for name, w in self._nw.items():
                value = self.session.backend if name == "backend" else self._net[name]
                if name == "updater":
                    value = value["type"]
                elif name == "gradient_normalization" and value is None:
                    value = NO_NORMALIZATION
                if isinstance(w, pn.widgets.Select) and value not in w.options:
                    w.options = list(w.options) + [value]
                if isinstance(w, (pn.widgets.IntInput, pn.widgets.FloatInput)) and not isinstance(value, (int, float)):
                    value = None
                w.value = value
        finally:
            self._quiet = False
        tbptt = self._net["backprop_type"] == "tbptt"
        self._nw["tbptt_fwd_length"].visible = self._nw["tbptt_back_length"].visible = tbptt
        self._nw["gradient_normalization_threshold"].visible = self._net["gradient_normalization"] is not None
        upd = self._net["updater"]
        self._updater_box.objects = [
            self._widget("float", f.name, upd.get(f.name), lambda v, p="updater." + f.name: self._on_network_edit(p, v))
            for f in dataclasses.fields(UPDATER_TYPES[upd["type"]])] if upd["type"] in UPDATER_TYPES else []

    def _refresh_views(self) -> None:
        """Status, card marks, table, code and JSON <- the last validation."""
        ok = self._conf is not None
        fits = not (ok and self.data_fit)
        self._status.object = ("✔ valid" if fits else f"⚠ valid, but it does not fit the task's data: "
                               f"{self.data_fit}") if ok else f"✘ {self.message}"
        self._status.alert_type = ("success" if fits else "warning") if ok else "danger"
        for i, row in enumerate(self._rows):
            bad = i == self.error_layer
            row.card.title = f"{i}: {describe(row.spec)}" + ("  ⚠" if bad else "")
            row.card.header_background = ERROR_HEADER if bad else ""
            row.alert.object, row.alert.visible = (self.message, True) if bad else ("", False)
        it, task = self._input_type, self.session.task
        text = f"**Input type:** {it.shape_text() if it else 'from the first layer n_in'}"
        if task is not None:
            text += f" — task *{task.name}*"
            if it != task.input_type:
                text += f" ⚠ the task's data is {task.input_type.shape_text()}"
        self._input_pane.object = text
        self._table.object = self._table_markdown() if ok else "*no table while the configuration is invalid*"
        invalid = f"the configuration is not valid: {self.message}"
        self._code.value = self.python_code if ok else f"# {invalid}\n"
        self._json.value = self.json if ok else json.dumps({"error": invalid})
        for d in self._downloads:
            d.disabled = not ok
        self._upload_pane.object = self.upload_message

    def _table_markdown(self) -> str:
        rows = self.table_rows()
        lines = ["| # | layer | preprocessor before | input | output | params |", "|---|---|---|---|---|--:|"]
        lines += [f"| {r['index']} | {r['layer']} | {r['preprocessor']} | {r['input']} | {r['output']} | "
                  f"{r['params']:,} |" for r in rows]
        lines.append(f"| | **total** | | | | **{sum(r['params'] for r in rows):,}** |")
        return "\n".join(lines)

    @param.depends("upload_message", watch=True)
    def _show_upload_message(self):
        self._upload_pane.object = self.upload_message

    def __panel__(self):
        copy_js = "navigator.clipboard.writeText(editor.code)"
        copy_buttons = []
        for editor in (self._code, self._json):
            b = pn.widgets.Button(label="Copy", width=80)
            b.js_on_click(args={"editor": editor}, code=copy_js)
            copy_buttons.append(b)
        network = pn.Column(
            "### Network", self._input_pane,
            pn.FlexBox(self._nw["backprop_type"], self._nw["tbptt_fwd_length"], self._nw["tbptt_back_length"]),
            pn.FlexBox(self._nw["updater"]), self._updater_box,
            pn.FlexBox(*(self._nw[k] for k in ("l1", "l2", "l1_bias", "l2_bias"))),
            pn.FlexBox(self._nw["gradient_normalization"], self._nw["gradient_normalization_threshold"]),
            pn.FlexBox(self._nw["seed"], self._nw["dtype"], self._nw["backend"]), sizing_mode="stretch_width")
        outputs = pn.Tabs(
            ("Summary", self._table),
            ("Python", pn.Column(pn.Row(copy_buttons[0], self._downloads[0]), self._code, sizing_mode="stretch_width")),
            ("JSON", pn.Column(pn.Row(copy_buttons[1], self._downloads[1]), self._json,
                               pn.Row("Load a configuration:", self._upload), self._upload_pane,
                               sizing_mode="stretch_width")),
            dynamic=False, sizing_mode="stretch_width")
        layers = pn.Column("### Layers", pn.Row(self._add_type, self._add_button), self._cards,
                           sizing_mode="stretch_width")
        return pn.Row(layers, pn.Column(network, self._status, outputs, sizing_mode="stretch_width"),
                      sizing_mode="stretch_width")
