"""The Runs tab: every run kept in the run store, as a table; the runs checked in it compared.

``RunsView(session)`` lays out widgets bound to a :class:`RunsState`: a Tabulator of its ``rows``
(check rows to compare them, edit a name to rename the run), buttons that open the one checked run
in Build, Train or Step, delete the checked runs or export one as CSV files, and two charts redrawn
on the state's events: the checked runs' loss curves and their hyperparameters in parallel
coordinates. In a server session it polls the store every ``POLL_MS`` until the page goes.
"""
from __future__ import annotations

from operator import not_

import pandas as pd
import panel as pn
from bokeh.models.widgets.tables import NumberFormatter
from panel.viewable import Viewer

from workbench.ui.runs import figures
from workbench.ui.runs.state import TABS, RunsState
from workbench.ui.shared import DISABLED_CSS, button, help_text, message_pane, on_session_end

POLL_MS = 1000
SETTLE_POLLS = 2           # polls without a change after which every cell is sent once more
HELP = ("Every training run is kept, with its configuration, settings, the loss of each update and the metrics "
        "of each epoch: the **table** lists them all, in every session and after a restart (they live in one "
        "SQLite file). **Check** runs to draw their loss curves on one chart, against updates, epochs or wall "
        "time; with truncated BPTT the marker shape tells the segments apart. The **parallel coordinates** put "
        "each run on a line through its hyperparameters (only those that differ) to its final metric: lines of "
        "one colour that meet on an axis show what mattered. With no run checked they show every ended run "
        "shown. **Show** one sweep (launched from the Build tab's Sweep card) to compare its runs alone. Edit a "
        "name to rename a run; open one in Build to train a variant, in Train to follow it, in Step to step "
        "through its network.")
PLACEHOLDER = "No runs yet: press Start in the Train tab, and the run appears here."
TIPS = {"build": "Load this run's configuration into Build, to change it and train a variant",
        "train": "Show this run in Train (following it while it trains)",
        "step": "Put this run's final network in Step"}


class RunsView(Viewer):
    """The Runs tab of a session (a new one when ``session`` is None); ``state`` is its :class:`RunsState`.

    ``controls`` (hidden by name in lesson mode): "sweep" (the runs shown), "table", "open" (Open in
    Build / Train / Step), "stop", "delete", "export", "x_axis", "log_y", "measure".
    """

    def __init__(self, session=None, **params):
        super().__init__(**params)
        self.state = state = RunsState(session)
        one = pn.bind(lambda ids: len(ids) != 1, state.param.selected)
        self.table = pn.widgets.Tabulator(
            pd.DataFrame(state.rows, columns=state.columns), selectable="checkbox", show_index=False, max_height=280,
            sizing_mode="stretch_width", layout="fit_data_stretch", configuration={"placeholder": PLACEHOLDER},
            **self._formats())
        self.open_buttons = {where: button(f"Open in {tab}", TIPS[where], disabled=one, width=120)
                             for where, tab in TABS.items()}
        for where, b in self.open_buttons.items():
            b.on_click(lambda _, where=where: state.open(state.selected[0], where))
        self.stop_button = button("Stop", "Stop the checked runs that still train (after their current update)",
                                  disabled=pn.bind(not_, state.param.selected), width=80)
        self.stop_button.on_click(lambda _: state.stop(list(state.selected)))
        self.delete_button = button("Delete", "Delete the checked runs with their metrics and models (a run still "
                                    "training is kept: stop it first)", color="danger",
                                    disabled=pn.bind(not_, state.param.selected), width=90)
        self.delete_button.on_click(lambda _: state.delete(list(state.selected)))
        self.export = pn.widgets.FileDownload(
            callback=state.download, filename="run.zip", label="Export CSV", disabled=one, width=130,
            stylesheets=[DISABLED_CSS], description="Download the checked run's metrics: a zip of two CSV files, "
                                                    "one row per update and one row per epoch")
        self.sweep = pn.widgets.Select.from_param(
            state.param.sweep, name="show", width=180,
            description="Every run, or only the runs of one sweep (launched from the Build tab's Sweep card)")
        self.x_axis = pn.widgets.RadioButtonGroup.from_param(
            state.param.x_axis, label="x axis", color="light", width=260,
            description="Update: parameter updates; epoch: epochs trained; wall time: seconds since the first update")
        self.log_y = pn.widgets.Checkbox.from_param(state.param.log_y, name="Log axis", align="center")
        self.measure = pn.widgets.RadioButtonGroup.from_param(
            state.param.measure, label="Loss shown", color="light", width=220,
            description="Loss per step: comparable between runs and segments; score: DL4J's sum over the steps / "
                        "minibatch")
        self.message_pane = message_pane(state)
        self.curves_pane = pn.pane.Plotly(height=380, sizing_mode="stretch_width", link_figure=False)
        self.parallel_pane = pn.pane.Plotly(height=360, sizing_mode="stretch_width")
        self.controls = {"sweep": self.sweep, "table": self.table, "open": pn.Row(*self.open_buttons.values()),
                         "stop": self.stop_button, "delete": self.delete_button, "export": self.export, "x_axis": self.x_axis,
                         "log_y": self.log_y, "measure": self.measure}

        self._pushing = False
        self.table.param.watch(self._checked, "selection")
        self.table.on_edit(self._edited)
        state.param.watch(lambda _: self._show_rows(), "rows")
        state.param.watch(lambda _: self._selected(), "selected")
        state.param.watch(lambda _: self._draw_curves(), "draw_curves")
        state.param.watch(lambda _: self._log_axis(), "log_y")
        state.param.watch(lambda _: self._draw_parallel(), "draw_parallel")
        self._show_selection()
        self._draw_curves()
        self._draw_parallel()
        self._poll, self._quiet = None, SETTLE_POLLS
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            self._poll = pn.state.add_periodic_callback(self.poll, period=POLL_MS)
        on_session_end(self.close)

    def poll(self) -> None:
        """Re-read the store; once it has stayed the same for ``SETTLE_POLLS`` polls after a change,
        send every cell once more (see :meth:`_resend`)."""
        if self.state.refresh():
            self._quiet = 0
            return
        self._quiet += 1
        if self._quiet == SETTLE_POLLS:
            self._resend()

    # ---- the table ----
    @property
    def _ids(self) -> list:
        return [row["id"] for row in self.state.rows]

    def _formats(self) -> dict:
        """The table's editors (only the name is editable) and number formats for its columns."""
        return dict(editors={c: None for c in self.state.columns if c != "name"},
                    formatters={c: NumberFormatter(format="0.0000") for c in self.state.metric_columns})

    def _show_rows(self):
        frame = pd.DataFrame(self.state.rows, columns=self.state.columns)
        old = self.table.value
        same_columns = list(old.columns) == list(frame.columns)
        if same_columns and list(old["id"]) == list(frame["id"]) and \
                list(old["status"]) == list(frame["status"]):
            self._patch(old, frame)                # a run's progress: only changed cells, the ticks stay as clicked
            return
        # a run came, went, started or ended: the whole table; editors and formatters only with a new
        # column set (sent again, they rebuild the browser's table, which went stale when that happened
        # while it was still being built)
        columns = {} if same_columns else self._formats()
        self._pushing = True                       # the table trims its selection to the new rows: not a check
        try:
            self.table.param.update(value=frame, **columns)
        finally:
            self._pushing = False
        self._show_selection()

    def _resend(self):
        """Every cell again, in one patch (a slice per column). The browser's table ignores data
        that arrive while it is being built (as after a new column set): then the page showed a
        finished run as running, and with nothing changing any more no later update repaired it.
        A patch always goes to the browser (a whole value equal to the server's is not sent at
        all) and makes its table take every row again."""
        frame = self.table.value
        if len(frame):
            self.table.patch({c: [(slice(0, len(frame)), frame[c].tolist())] for c in frame.columns}, as_index=False)

    def _patch(self, old, frame):
        """Send the cells that changed (a running run's status, updates, duration) without
        replacing the table, which would undo a tick clicked meanwhile."""
        changes = {}
        for column in frame.columns:
            for i, (a, b) in enumerate(zip(old[column], frame[column])):
                if not (a == b or (pd.isna(a) and pd.isna(b))):
                    changes.setdefault(column, []).append((i, b))
        if changes:
            self.table.patch(changes, as_index=False)

    def _show_selection(self):
        ids = self._ids
        rows = sorted(ids.index(i) for i in self.state.selected if i in ids)
        if sorted(self.table.selection) != rows:
            self.table.selection = rows

    def _selected(self):
        self._show_selection()
        if len(self.state.selected) == 1:
            self.export.filename = f"run-{self.state.selected[0]}-csv.zip"

    def _checked(self, event):
        if self._pushing:
            return
        ids = self._ids
        self.state.selected = sorted(ids[i] for i in event.new if i < len(ids))

    def _edited(self, event):
        if event.column == "name" and not self.state.rename(self._ids[event.row], str(event.value)):
            self._show_rows()                      # refused: the stored name comes back

    # ---- drawing ----
    def _draw_curves(self):
        s = self.state
        self.curves_pane.object = figures.curves_figure(s.curves(), s.x_title, s.y_title, s.log_y)

    def _log_axis(self):
        """Only the axis type changes: sent as a layout change (~4 ms), not a new figure (~45 ms)."""
        s = self.state                             # uirevision: as curves_figure names it, or plotly keeps the old axis
        self.curves_pane.object.update_layout(yaxis_type="log" if s.log_y else "linear",
                                              uirevision=f"{s.x_title} {s.log_y}")
        self.curves_pane.param.trigger("object")

    def _draw_parallel(self):
        self.parallel_pane.object = figures.parallel_figure(*self.state.parallel())

    def close(self) -> None:
        """Stop polling the store: the page went."""
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def __panel__(self):
        c = self.controls
        return pn.Column(
            help_text(HELP), self.message_pane,
            pn.Row(c["sweep"], pn.Column(pn.Row(c["open"], c["stop"], c["delete"], c["export"]), margin=(17, 0, 0, 0)),
                   sizing_mode="stretch_width"),
            c["table"],
            pn.Row(c["x_axis"], c["log_y"], c["measure"], sizing_mode="stretch_width"),
            self.curves_pane, self.parallel_pane, sizing_mode="stretch_width")
