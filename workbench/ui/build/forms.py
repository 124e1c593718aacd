"""Forms generated from the configuration dataclasses: one widget per field, its tooltip from
``workbench.conf.vocabulary.FIELD_DOCS``, values shown from a spec and edits sent as
``(path, value)``. :class:`LayerCard` is one layer's card in the Build tab (type, move/remove
buttons, the fields, a wrapped layer's fields nested below, the preprocessor before it)."""
from __future__ import annotations

import dataclasses

import panel as pn

from workbench.conf.preprocessors import PREPROCESSOR_TYPES
from workbench.conf.registry import LAYER_TYPES
from workbench.conf.vocabulary import FIELD_CHOICES, FIELD_DOCS, LAYER_CHOICES, WRAPPED_CHOICES
from workbench.ui.build.specs import AUTO, describe, field_kind, format_pair, parse_pair
from workbench.ui.shared import button

ERROR_HEADER = "#f8d7da"
WIDTH = 140


def field_widget(kind: str, label: str, value, on_change, choices=(), doc: str = "", optional: bool = False):
    """A widget editing one field of kind "choice", "int", "float" or "pair" ("h,w" text);
    ``on_change(value)`` gets each edit, a pair already parsed."""
    kw = dict(label=label, width=WIDTH, description=doc or None)
    if kind == "choice":
        w = pn.widgets.Select(options=list(choices), **kw)
    elif kind == "int":
        w = pn.widgets.IntInput(placeholder="infer" if optional else "", **kw)
    elif kind == "float":
        w = pn.widgets.FloatInput(**kw)
    else:
        w = pn.widgets.TextInput(placeholder="= kernel" if optional else "h,w", **kw)
    show_value(w, kind, value)
    w.param.watch(lambda e: on_change(parse_pair(e.new) if kind == "pair" else e.new), "value")
    return w


def show_value(w, kind: str, value) -> None:
    """Put a spec value into its widget (an edit event follows only when it differs)."""
    if kind == "choice" and value not in w.options:
        w.options = [*w.options, value]
    elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        value = None
    elif kind == "float" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        value = None
    elif kind not in ("choice", "int", "float"):
        value = format_pair(value) if kind == "pair" else str(value)
    w.value = value


def dataclass_form(cls, spec: dict, prefix: str, on_change, widgets: dict) -> list:
    """Widgets for the fields of ``cls`` (a wrapped ``layer`` nested below its own), paths
    ``prefix + name``; each is recorded in ``widgets[path] = (widget, kind)``."""
    simple, nested = [], []
    for f in dataclasses.fields(cls):
        path, kind = prefix + f.name, field_kind(f)
        if kind == "layer":
            inner = spec["layer"]
            w = field_widget("choice", "wrapped layer", inner["type"], lambda v, p=path: on_change(p + ".type", v),
                             WRAPPED_CHOICES[spec["type"]], FIELD_DOCS["layer"])
            widgets[path + ".type"] = (w, "choice")
            nested += [w, pn.Column(*dataclass_form(LAYER_TYPES[inner["type"]], inner, path + ".", on_change, widgets),
                                    margin=(0, 0, 0, 20), styles={"border-left": "3px solid #ccc"})]
            continue
        w = field_widget(kind, f.name, spec.get(f.name), lambda v, p=path: on_change(p, v),
                         FIELD_CHOICES.get(f.name, ()), FIELD_DOCS[f.name], optional="None" in str(f.type))
        widgets[path] = (w, kind)
        simple.append(w)
    return ([pn.FlexBox(*simple)] if simple else []) + nested


def _types(spec: dict) -> tuple:
    """The type names of a spec and the layers it wraps: what decides a form's widgets."""
    return (spec["type"], *(_types(spec["layer"]) if isinstance(spec.get("layer"), dict) else ()))


def _lookup(spec: dict, path: str):
    for key in path.split("."):
        spec = spec.get(key) if isinstance(spec, dict) else None
    return spec


class LayerCard:
    """The card of layer ``index`` of a BuildState: edits go to ``state.set_field``; ``show``
    updates values in place and rebuilds the form only when a type changed."""

    def __init__(self, state):
        self.state, self.index, self._shape, self._widgets = state, 0, None, {}
        # a title from the start: a card first drawn with an empty title keeps an empty header
        self.card = pn.Card(title="layer", collapsible=True, sizing_mode="stretch_width", margin=(4, 0))
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, margin=(2, 5))

    def _edit(self, path: str, value) -> None:
        self.state.set_field(self.index, path, value)

    def _button(self, label: str, tip: str, action):
        b = button(label, tip, width=40, margin=(15, 2, 0, 2))
        b.on_click(lambda e: action(self.index))
        return b

    def _rebuild(self, spec: dict, pre: dict | None) -> None:
        self._widgets = {}
        type_select = field_widget("choice", "type", spec["type"], lambda v: self._edit("type", v), LAYER_CHOICES,
                                   "The kind of layer; a change keeps the fields both kinds have")
        self._widgets["type"] = (type_select, "choice")
        head = pn.Row(type_select, self._button("↑", "Move this layer up", lambda i: self.state.move_layer(i, -1)),
                      self._button("↓", "Move this layer down", lambda i: self.state.move_layer(i, 1)),
                      self._button("✕", "Remove this layer", self.state.remove_layer))
        pre_select = field_widget("choice", "preprocessor before", pre["type"] if pre else AUTO,
                                  lambda v: self._edit("preprocessor", v), (AUTO, *PREPROCESSOR_TYPES),
                                  "Reshape before this layer; auto = inserted where the layer kinds differ "
                                  "(DL4J inputPreProcessor)")
        self._widgets["preprocessor.type"] = (pre_select, "choice")
        pre_form = dataclass_form(PREPROCESSOR_TYPES[pre["type"]], pre, "preprocessor.",
                                  lambda p, v: self._edit(p, v), self._widgets) if pre else []
        self.card.objects = [head, *dataclass_form(LAYER_TYPES[spec["type"]], spec, "", self._edit, self._widgets),
                             pn.FlexBox(pre_select, *pre_form), self.alert]

    def show(self, index: int) -> None:
        """Show layer ``index`` of the state, with the validation error when it names this layer."""
        self.index = index
        spec, pre = self.state.layers[index], self.state.preprocessors[index]
        shape = (_types(spec), pre and pre["type"])
        if shape != self._shape:
            self._shape = shape
            self._rebuild(spec, pre)
        else:
            whole = {**spec, "preprocessor": pre or {"type": AUTO}}
            for path, (w, kind) in self._widgets.items():
                show_value(w, kind, _lookup(whole, path))
        bad = index == self.state.error_layer
        self.card.param.update(title=f"{index}: {describe(spec)}" + ("  ⚠" if bad else ""),
                               header_background=ERROR_HEADER if bad else "")
        self.alert.param.update(object=self.state.message if bad else "", visible=bad)
