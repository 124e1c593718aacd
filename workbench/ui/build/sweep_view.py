"""The Build tab's Sweep card: a row per field swept (the field, the values to try, a remove
button), the sample size, epochs and name, what a launch would start, and the Launch button.
Widgets bound to a :class:`~workbench.ui.build.sweep.SweepState`."""
from __future__ import annotations

import panel as pn
from panel.viewable import Viewer

from workbench.ui.build.sweep import SweepState
from workbench.ui.shared import button, message_pane

HELP = ("Train one run of this network per combination of the values below, on the workers, all kept: the "
        "**Runs** tab then shows the sweep's runs, their curves and their values against the final metric "
        "(parallel coordinates). Same seed, same result as training that network alone.")


class SweepCard(Viewer):
    """The sweep of ``session``'s network; ``state`` is its :class:`SweepState`."""

    def __init__(self, session, **params):
        super().__init__(**params)
        self.state = state = SweepState(session)
        self.rows = pn.Column(sizing_mode="stretch_width")
        self._widgets = []                       # per row: (field Select, values TextInput)
        self.add_button = button("Add field", "Sweep one more field of the network", width=110)
        self.add_button.on_click(lambda _: self._act(state.add_field))
        self.n_samples = pn.widgets.IntInput.from_param(state.param.n_samples, name="random sample", width=170,
                                                        placeholder="every combination")
        self.epochs = pn.widgets.IntInput.from_param(state.param.epochs, name="epochs", width=90)
        self.name_input = pn.widgets.TextInput.from_param(state.param.sweep_name, width=150, placeholder="sweep <k>")
        self.plan = pn.pane.Markdown(margin=(0, 10))
        self.launch_button = button("Launch sweep", "Start the runs on the workers, then show them in Runs",
                                    color="primary", disabled=pn.bind(bool, state.param.problem), width=130)
        self.launch_button.on_click(lambda _: state.launch())
        state.param.watch(lambda _: self._show_rows(), "fields")
        state.session.param.watch(lambda _: self._show_rows(), "conf")
        state.param.watch(lambda *_: self._show_plan(), ["plan", "problem"])
        self._show_rows()
        self._show_plan()
        self.card = pn.Card(
            pn.pane.Markdown(HELP, margin=(0, 10)), self.rows, self.add_button,
            pn.FlexBox(self.n_samples, self.epochs, self.name_input),
            pn.Row(self.launch_button, self.plan), message_pane(state, margin=(5, 10)),
            title="Sweep", collapsed=True, sizing_mode="stretch_width")

    def _act(self, action, *args) -> None:
        """``action(*args)``; a refusal is said in the card instead of raised into the page, and
        the widgets show the state again."""
        try:
            action(*args)
        except (ValueError, IndexError) as exc:
            self.state.say(str(exc).removeprefix("sweep: "), "error")
            self._show_rows()

    def _show_rows(self) -> None:
        """A row per field; rows whose field is the same keep their widgets (a value being typed)."""
        fields, options = self.state.fields, list(self.state.options)
        if [w[0].value for w in self._widgets] != [f["field"] for f in fields]:
            self._widgets = [self._row(i) for i in range(len(fields))]
            self.rows.objects = [pn.Row(*w, self._remove(i)) for i, w in enumerate(self._widgets)]
        for (select, values), f in zip(self._widgets, fields):
            select.options = sorted(set(options) | {f["field"]}, key=[*options, f["field"]].index)
            select.value, values.value = f["field"], f["values"]

    def _row(self, i: int) -> tuple:
        f = self.state.fields[i]
        select = pn.widgets.Select(options=[f["field"]], value=f["field"], width=190, margin=(5, 5),
                                   description="The field of the network this row sweeps (its path in the JSON)")
        values = pn.widgets.TextInput(value=f["values"], width=200, margin=(5, 5),
                                      placeholder="values, e.g. 0.003, 0.01, 0.03",
                                      description="The values to try, separated by commas or spaces")
        select.param.watch(lambda e: e.new != self.state.fields[i]["field"] and
                           self._act(self.state.set_field, i, e.new), "value")
        values.param.watch(lambda e: self._act(self.state.set_values, i, e.new), "value")
        return select, values

    def _remove(self, i: int):
        b = button("✕", "Stop sweeping this field", width=40, margin=(5, 5))
        b.on_click(lambda _: self._act(self.state.remove_field, i))
        return b

    def _show_plan(self) -> None:
        s = self.state
        self.plan.object = f"**{s.plan}**" if s.plan else f"*{s.problem}*"

    def __panel__(self):
        return self.card
