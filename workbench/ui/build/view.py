"""The Build tab: layer cards and network settings on the left and right, the validation status,
the summary table (shapes and parameters per layer) and the configuration as Python and JSON.

Widgets are bound to a :class:`~workbench.ui.build.state.BuildState`; the cards are
generated from the layer dataclasses (:mod:`workbench.ui.build.forms`).
"""
from __future__ import annotations

import io
import json

import panel as pn
import param

from workbench.conf.updaters import UPDATER_TYPES
from workbench.conf.vocabulary import LAYER_CHOICES, NETWORK_SETTINGS
from workbench.ui.build.forms import LayerCard, dataclass_form, field_widget, show_value
from workbench.ui.build.state import BuildState
from workbench.ui.build.sweep_view import SweepCard
from workbench.ui.session import WorkbenchSession
from workbench.ui.shared import button, file_dropper, help_text, message_pane, on_dropped, with_tip

HELP = """Build a network from layer cards, top (the input) to bottom (the output). Every change is
checked at once: a problem shows on the card it concerns, or below the network settings. The
**Summary** lists each layer's input and output shape and its parameter count, with the
preprocessors inserted between layers of different kinds; **Python** and **JSON** show the same
network as code to copy or download. Try adding a DenseLayer before the output, wrapping the LSTM
in a Bidirectional layer, or switching to truncated BPTT, and watch the shapes and counts change."""


def summary_markdown(rows: list[dict]) -> str:
    """The summary table of ``BuildState.table_rows()`` as Markdown (a note while invalid)."""
    if not rows:
        return "*no summary while the configuration is not valid*"
    lines = ["| # | layer | preprocessor before | input | output | params |", "|---|---|---|---|---|--:|"]
    lines += [f"| {r['index']} | {r['layer']} | {r['preprocessor']} | {r['input']} | {r['output']} | "
              f"{r['params']:,} |" for r in rows]
    lines.append(f"| | **total** | | | | **{sum(r['params'] for r in rows):,}** |")
    return "\n".join(lines)


class ConfigBuilder(pn.viewable.Viewer):
    """The Build tab of ``session`` (a new one by default); its state is ``self.state``.

    ``controls`` (what a lesson URL may hide): "layers" (adding, moving, removing and editing
    layers), "network" (all network settings), "tbptt", "updater", "regularization" (l1, l2 and
    their bias forms), "gradients" (gradient normalization), "seed", "dtype", "backend",
    "summary", "code" (the Python and JSON tabs), "sweep" and "upload".
    """

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(**params)
        self.state = state = BuildState(session)
        self.cards: list[LayerCard] = []
        self._cards = pn.Column(sizing_mode="stretch_width")
        state.param.watch(self._show_cards, ["layers", "preprocessors", "error_layer", "message"])
        self._show_cards()

        self.network = {name: self._setting(name) for name in NETWORK_SETTINGS if name != "updater"}
        self.network["tbptt_back_length"].placeholder = "= forward"
        self.network["seed"].placeholder = "random"
        self.network["backend"] = pn.widgets.Select.from_param(
            state.session.param.backend, options=[*state.session.available_backends, "auto"], label="backend",
            width=140, description="Where the network computes: NumPy on the CPU, CuPy on a GPU, or auto")
        self._updater_shown, self._updater_widgets = None, {}          # the type in the box, its widgets
        self.updater_type = field_widget("choice", "updater", state.updater["type"],
                                         lambda v: state.set_network_field("updater", v), tuple(UPDATER_TYPES),
                                         state.param.updater.doc)
        self.updater_box = pn.FlexBox()
        state.param.watch(self._show_updater, "updater")
        self._show_updater()

        self.status = pn.Column(message_pane(state, margin=(5, 10)),
                                visible=pn.bind(lambda layer: layer is None, state.param.error_layer),
                                sizing_mode="stretch_width")
        self.input_pane = pn.pane.Markdown(state.input_text, margin=(0, 10))
        self.table = pn.pane.Markdown(pn.bind(lambda _: summary_markdown(state.table_rows()), state.param.conf),
                                      sizing_mode="stretch_width")
        self.python = self._editor("python", lambda conf, message: state.python_code if conf else
                                   f"# the configuration is not valid: {message}\n")
        self.json = self._editor("json", lambda conf, message: state.json if conf else
                                 json.dumps({"error": f"the configuration is not valid: {message}"}))
        self.downloads = [self._download(lambda: state.python_code, "network.py"),
                          self._download(lambda: state.json, "network.json")]
        self.upload = file_dropper("Load a configuration (.json, at most 25 MB)", [".json"])
        on_dropped(self.upload, lambda name, content: state.upload_json(content, name))
        self.add_type = pn.widgets.Select(label="new layer", options=list(LAYER_CHOICES), value="LSTM",
                                          width=200, description="The kind of layer the button adds")
        self.add_button = button("Add layer", "Add a layer of this kind just before the output layer",
                                 color="primary", margin=(22, 5, 0, 5))
        self.add_button.on_click(lambda e: state.add_layer(self.add_type.value))
        self.sweep = SweepCard(state.session)
        self.controls = self._layout()

    # ---- widgets ----
    def _setting(self, name: str):
        """The widget bound to a network setting of the state (its doc as the tooltip)."""
        p = self.state.param[name]
        kind = (pn.widgets.IntInput if isinstance(p, param.Integer) else
                pn.widgets.FloatInput if isinstance(p, param.Number) else pn.widgets.Select)
        return kind.from_param(p, width=140)

    def _editor(self, language: str, text):
        value = pn.bind(text, self.state.param.conf, self.state.param.message)
        return pn.widgets.CodeEditor(value=value, language=language, readonly=True, height=420,
                                     sizing_mode="stretch_width")

    def _download(self, text, filename: str):
        return pn.widgets.FileDownload(callback=lambda: io.StringIO(text()), filename=filename,
                                       label=f"Download {filename[filename.index('.'):]}",
                                       disabled=pn.bind(lambda conf: conf is None, self.state.param.conf))

    def _show_cards(self, *_) -> None:
        """One card per layer, in order; the cards of unchanged layers keep their widgets."""
        n = len(self.state.layers)
        self.cards = self.cards[:n] + [LayerCard(self.state) for _ in range(n - len(self.cards))]
        for i, card in enumerate(self.cards):
            card.show(i)
        if [c.card for c in self.cards] != self._cards.objects:
            self._cards.objects = [c.card for c in self.cards]

    def _show_updater(self, *_) -> None:
        spec = self.state.updater
        show_value(self.updater_type, "choice", spec["type"])
        if spec["type"] != self._updater_shown:
            self._updater_shown, self._updater_widgets = spec["type"], {}
            self.updater_box.objects = dataclass_form(UPDATER_TYPES[spec["type"]], spec, "updater.",
                                                      self.state.set_network_field, self._updater_widgets)
        for path, (w, kind) in self._updater_widgets.items():
            show_value(w, kind, spec.get(path.split(".", 1)[1]))

    # ---- layout ----
    def _layout(self) -> dict:
        nw, state = self.network, self.state
        copies = []
        for editor in (self.python, self.json):
            b = button("Copy", "Copy the text to the clipboard", width=80)
            b.js_on_click(args={"editor": editor}, code="navigator.clipboard.writeText(editor.code)")
            copies.append(b)
        is_tbptt = pn.bind(lambda t: t == "tbptt", state.param.backprop_type)
        nw["tbptt_fwd_length"].visible = nw["tbptt_back_length"].visible = is_tbptt
        nw["gradient_normalization_threshold"].visible = pn.bind(lambda g: g is not None,
                                                                 state.param.gradient_normalization)
        controls = {
            "layers": pn.Column(pn.Row(self.add_type, self.add_button), self._cards, sizing_mode="stretch_width"),
            "tbptt": pn.FlexBox(nw["backprop_type"], nw["tbptt_fwd_length"], nw["tbptt_back_length"]),
            "updater": pn.Column(self.updater_type, self.updater_box, sizing_mode="stretch_width"),
            "regularization": pn.FlexBox(*(nw[k] for k in ("l1", "l2", "l1_bias", "l2_bias"))),
            "gradients": pn.FlexBox(nw["gradient_normalization"], nw["gradient_normalization_threshold"]),
            "seed": nw["seed"], "dtype": nw["dtype"], "backend": nw["backend"],
            "summary": pn.Column("### Summary", self.table, sizing_mode="stretch_width"),
            "code": pn.Tabs(
                ("Python", pn.Column(pn.Row(copies[0], self.downloads[0]), self.python, sizing_mode="stretch_width")),
                ("JSON", pn.Column(pn.Row(copies[1], self.downloads[1]), self.json, sizing_mode="stretch_width")),
                dynamic=False, sizing_mode="stretch_width"),
            "sweep": self.sweep.card,
            "upload": pn.Column(with_tip(self.upload, "Load a network saved with Download .json"),
                                message_pane(state.upload), sizing_mode="stretch_width"),
        }
        controls["network"] = pn.Column(
            "### Network", self.input_pane, controls["tbptt"], controls["updater"], controls["regularization"],
            controls["gradients"], pn.FlexBox(nw["seed"], nw["dtype"], nw["backend"]), sizing_mode="stretch_width")
        return controls

    def __panel__(self):
        c = self.controls
        return pn.Column(help_text(HELP), pn.Row(
            pn.Column("### Layers", c["layers"], sizing_mode="stretch_width"),
            pn.Column(c["network"], self.status, c["sweep"], c["summary"], c["code"], c["upload"],
                      sizing_mode="stretch_width"),
            sizing_mode="stretch_width"), sizing_mode="stretch_width")
