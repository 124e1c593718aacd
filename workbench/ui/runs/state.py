"""The Runs tab's state: every stored run as a table row; the curves and parallel coordinates of
the runs selected.

``RunsState(session)`` reads the run store of ``session.runs`` (None: this session keeps no runs).
``refresh()`` (the view's 1 s poll, called directly by tests and notebooks) re-reads the run list
and, only when a run came, went, or changed name, status, update count or final metrics, sets
``rows`` and asks for redraws with events (``draw_curves``, ``draw_parallel``). A run's metrics
are read from the store once per update count: a run still training is re-read as it grows, an
ended one never again. No Panel here.
"""
from __future__ import annotations

import io
import math
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import param

from workbench.errors import RunStoreError
from workbench.ui.messages import Messages
from workbench.ui.runs.rows import COLUMNS, METRICS_AT, hyperparameters, metric_names, sweep_of, table_rows
from workbench.ui.session import WorkbenchSession

X_AXES = ("update", "epoch", "wall time")
X_TITLES = {"update": "parameter update", "epoch": "epochs trained", "wall time": "seconds since the first update"}
MEASURES = ("loss per step", "score")
Y_TITLES = {"loss per step": "loss per labelled step", "score": "score (loss summed over the steps / minibatch)"}
ACTIVE = ("queued", "running", "paused")
TABS = {"build": "Build", "train": "Train", "step": "Step"}
LAST_LOSS = "final loss per step"
ALL_RUNS = "all runs"
NO_STORE = ("This session keeps no runs: start the app with `make run`, or pass "
            "`WorkbenchSession(runs=RunService())`.")


class RunsState(Messages):
    """The stored runs of a :class:`WorkbenchSession` (a new one when ``session`` is None). No widgets."""

    session = param.Parameter(doc="the app's WorkbenchSession: its runs.store holds the runs")
    rows = param.List([], doc="one dict per run shown (see sweep) for the table, oldest first (see table_rows)")
    sweep = param.Selector(default=ALL_RUNS, objects=[ALL_RUNS], doc="the runs shown: every run, or one sweep's "
                                                                    "(its name; the options are the store's sweeps)")
    selected = param.List([], doc="ids of the runs compared in the charts")
    x_axis = param.Selector(default=X_AXES[0], objects=list(X_AXES), doc="what the curves are drawn against")
    log_y = param.Boolean(False, doc="a logarithmic loss axis")
    measure = param.Selector(default=MEASURES[0], objects=list(MEASURES), doc="what the curves show")
    open_tab = param.String("", doc="the tab to show after open(): Build, Train or Step (set, even to the same "
                                    "value, on every open)")
    draw_curves = param.Event(doc="redraw the curves of the selected runs")
    draw_parallel = param.Event(doc="redraw the parallel coordinates")

    def __init__(self, session=None, **params):
        super().__init__(session=session or WorkbenchSession(), **params)
        self._runs, self._key, self._metrics, self._params = {}, None, {}, {}
        self.param.watch(lambda _: self.param.trigger("draw_curves", "draw_parallel"), "selected")
        self.param.watch(lambda _: self.param.trigger("draw_curves"), ["x_axis", "measure"])   # log_y: the view
        self.param.watch(lambda _: self._show(), "sweep")
        if self.store is None:
            self.say(NO_STORE, "info")
        self.refresh()

    @property
    def store(self):
        """The session's RunStore, or None."""
        runs = self.session.runs
        return None if runs is None else runs.store

    @property
    def metric_columns(self) -> list:
        """The final metrics any run shown has: the rows' metric columns (sorted)."""
        return metric_names(self._visible())

    @property
    def columns(self) -> list:
        """The table's columns, also when there is no run yet (a table made without columns
        cannot draw the ones that come later)."""
        return [*COLUMNS[:METRICS_AT], *self.metric_columns, *COLUMNS[METRICS_AT:]]

    @property
    def x_title(self) -> str:
        return X_TITLES[self.x_axis]

    @property
    def y_title(self) -> str:
        return Y_TITLES[self.measure]

    # ---- actions ----
    def refresh(self) -> bool:
        """Re-read the run list; new rows and redraws only when something changed (then True)."""
        if self.store is None:
            return False
        try:
            runs = self.store.list_runs()
        except RunStoreError as exc:
            self.say(f"Could not read the run store: {exc}", "error")
            return False
        key = [(r.id, r.name, r.status, r.updates, repr(sorted(r.final_metrics.items()))) for r in runs]
        if key == self._key:
            return False
        self._key, self._runs = key, {r.id: r for r in runs}
        self._metrics = {i: m for i, m in self._metrics.items() if i in self._runs}
        sweeps = [ALL_RUNS, *dict.fromkeys(name for r in runs if (name := sweep_of(r)))]
        if sweeps != self.param.sweep.objects:
            self.param.sweep.objects = sweeps
            if self.sweep not in sweeps:
                with param.parameterized.discard_events(self):
                    self.sweep = ALL_RUNS
        self._show()
        return True

    def show_sweep(self, name: str) -> None:
        """Show only the runs of sweep ``name`` (read from the store first: a sweep just launched),
        all checked: their curves drawn as they train."""
        self.refresh()
        self.sweep = name
        self.selected = [row["id"] for row in self.rows]

    def _show(self) -> None:
        """The rows of the runs shown; the runs checked that are hidden now are unchecked."""
        shown = self._visible()
        self.rows = table_rows(shown)
        ids = {r.id for r in shown}
        kept = [i for i in self.selected if i in ids]
        if kept != self.selected:
            self.selected = kept                   # redraws
        else:
            self.param.trigger("draw_curves", "draw_parallel")

    def rename(self, run_id: int, name: str) -> bool:
        """Give run ``run_id`` a new name (not empty); False (and an error said) when refused."""
        name = name.strip()
        if not name:
            return self.say(f"Run #{run_id} keeps its name: a name cannot be empty.", "error")
        try:
            self.store.rename(run_id, name)
        except RunStoreError as exc:
            return self.say(f"Could not rename run #{run_id}: {exc}", "error")
        self.clear_message()
        self.refresh()
        return True

    def stop(self, run_ids) -> list:
        """Ask the runs ``run_ids`` that are still queued, running or paused to stop (after their
        current update, on whichever worker trains them). Returns the ids asked."""
        asked = [i for i in run_ids if i in self._runs and self._runs[i].status in ACTIVE]
        for run_id in asked:
            self.session.runs.follow(run_id).stop()
        if asked:
            self.say(f"Asked {_runs_text(asked)} to stop after the current update.", "info")
        return asked

    def delete(self, run_ids) -> list:
        """Delete the runs ``run_ids`` with their metrics and models, except those still queued,
        running or paused (an error says which). Returns the ids deleted."""
        deleted, refused = [], []
        for run_id in run_ids:
            run = self._runs.get(run_id)
            if run is not None and run.status in ACTIVE:
                refused.append(f"#{run_id} is {run.status}")
                continue
            try:
                self.store.delete(run_id)
            except RunStoreError as exc:
                refused.append(f"#{run_id}: {exc}")
                continue
            deleted.append(run_id)
        self.refresh()
        done = f"Deleted {_runs_text(deleted)}. " if deleted else ""
        if refused:
            self.say(f"{done}Not deleted: {'; '.join(refused)}. Stop a run first, then delete "
                     "it.", "error")
        elif deleted:
            self.say(done.strip(), "success")
        return deleted

    def export_csv(self, run_id: int) -> bytes:
        """A zip of run ``run_id``'s two CSV files: ``run-<id>-updates.csv`` (one row per update)
        and ``run-<id>-epochs.csv`` (one row per epoch, a column per metric)."""
        with tempfile.TemporaryDirectory(prefix="workbench-export-") as folder:
            paths = self.store.export_csv(run_id, folder)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for path in paths:
                    z.write(path, Path(path).name)
        return out.getvalue()

    def download(self) -> io.BytesIO:
        """``export_csv`` of the one selected run, for the download button (a failure is said)."""
        try:
            if len(self.selected) != 1:
                raise ValueError(f"select one run to export, not {len(self.selected)}")
            return io.BytesIO(self.export_csv(self.selected[0]))
        except Exception as exc:
            self.say(f"Could not export the run: {exc}", "error")
            raise

    def open(self, run_id: int, where: str) -> bool:
        """Open run ``run_id`` in the Build, Train or Step tab (``where``: "build", "train" or
        "step") through ``session.open_run``, then set ``open_tab``. False (an error said) on failure."""
        if where not in TABS:
            raise ValueError(f"open: where must be one of {', '.join(TABS)}, got {where!r}")
        try:
            self.session.open_run(run_id, where)
        except Exception as exc:                   # the session's errors say what went wrong
            return self.say(f"Could not open run #{run_id} in {TABS[where]}: {exc}", "error")
        self.say(f"Opened run #{run_id} in the {TABS[where]} tab.", "success")
        with param.parameterized.discard_events(self):
            self.open_tab = TABS[where]
        self.param.trigger("open_tab")             # the same tab again still switches
        return True

    # ---- the charts' data ----
    def curves(self) -> list:
        """Per selected run (oldest first): {"id", "label" ("#3 lstm-64"), "x", "y", "segment"},
        (n,) arrays per update. x by ``x_axis``: the iteration; the epochs trained (see
        :func:`epochs_trained`); or the seconds since the run's first update. y by ``measure``."""
        out = []
        for run in self._shown(self.selected):
            u = self._run_metrics(run).updates
            if self.x_axis == "update":
                x = u["iteration"].astype(float)
            elif self.x_axis == "epoch":
                x = epochs_trained(u["epoch"])
            else:
                x = u["wall_time"] - u["wall_time"][0] if len(u["wall_time"]) else u["wall_time"]
            y = u["loss_per_step"] if self.measure == "loss per step" else u["score"]
            out.append({"id": run.id, "label": f"#{run.id} {run.name}", "x": x, "y": y,
                        "segment": np.maximum(u["segment"], 0)})
        return out

    def parallel(self) -> tuple:
        """(dimensions {name: (n,) floats, or strs}, metric name, metric values (n,)) of the
        selected runs, or of every ended run shown (all, or one sweep's) when none is selected; runs
        without the metric are left out. The dimensions are the hyperparameters (see
        :func:`hyperparameters`) that every run has and that differ between them. The metric:
        accuracy when every run has it, else rmse, else the final loss per step."""
        ended = [r for r in self._visible() if r.status not in ACTIVE]
        runs = self._shown(self.selected) if self.selected else ended
        name = next((m for m in ("accuracy", "rmse") if runs and all(m in r.final_metrics for r in runs)), LAST_LOSS)
        shown = [(r, v) for r in runs if math.isfinite(v := self._final(r, name))]
        hyper = [self._hyperparameters(r) for r, _ in shown]
        dims = {}
        for dim in dict.fromkeys(k for h in hyper for k in h):
            column = [h.get(dim) for h in hyper]
            if None not in column and len(set(column)) > 1:
                dims[dim] = [str(v) for v in column] if any(isinstance(v, str) for v in column) else \
                    [float(v) for v in column]
        values = [v for _, v in shown]
        return dims, name, values

    # ---- internals ----
    def _visible(self) -> list:
        """The runs the table shows, oldest first."""
        runs = self._runs.values()
        return list(runs) if self.sweep == ALL_RUNS else [r for r in runs if sweep_of(r) == self.sweep]

    def _shown(self, ids) -> list:
        return [self._runs[i] for i in sorted(ids) if i in self._runs]

    def _run_metrics(self, run):
        """The run's RunMetrics, read again only when its update count changed."""
        cached = self._metrics.get(run.id)
        if cached is None or cached[0] != run.updates:
            cached = self._metrics[run.id] = (run.updates, self.store.metrics(run.id))
        return cached[1]

    def _final(self, run, name: str) -> float:
        if name != LAST_LOSS:
            return float(run.final_metrics[name])
        losses = self._run_metrics(run).updates["loss_per_step"]
        finite = losses[np.isfinite(losses)]
        return float(finite[-1]) if len(finite) else math.nan

    def _hyperparameters(self, run) -> dict:
        if run.id not in self._params:                 # a run's configuration never changes
            self._params[run.id] = hyperparameters(run)
        return self._params[run.id]


# ---- pure helpers ----
def epochs_trained(epochs: np.ndarray) -> np.ndarray:
    """Fractional epochs (n,) from the epoch of each update (n,), in update order: epoch e's k-th
    of its n updates is at e + (k + 1) / n, so an epoch's last update sits at e + 1 (one epoch
    done). The last epoch, maybe not ended, is spread over as many updates as the longest before it."""
    epochs = np.asarray(epochs)
    if not len(epochs):
        return np.zeros(0)
    starts = np.flatnonzero(np.r_[True, epochs[1:] != epochs[:-1]])
    sizes = np.diff(np.r_[starts, len(epochs)])
    group = np.repeat(np.arange(len(starts)), sizes)
    span = sizes.copy()
    if len(span) > 1:
        span[-1] = max(span[-1], span[:-1].max())
    k = np.arange(len(epochs)) - starts[group]
    return epochs + (k + 1) / span[group]

def _runs_text(ids) -> str:
    return ("run " if len(ids) == 1 else "runs ") + ", ".join(f"#{i}" for i in ids)
