"""The "Train" view: start, pause and stop a ``BackgroundTrainer`` and watch it learn.

``TrainingMonitor(session)`` polls ``session.trainer.history`` every 200 ms while a trainer is
alive (``refresh()`` is that poll; tests call it directly) and draws:

* the loss of every parameter update, raw and smoothed (exponential moving average), its
  markers coloured by TBPTT segment;
* per-epoch evaluation: accuracy and the latest confusion matrix (classification), RMSE and
  R^2 (regression);
* per layer, the update:parameter norm ratio and the gradient norm (log scale);
* the TBPTT timeline of the current minibatch: forward segments, the last ``tbptt_back``
  steps of each that get gradient, and where the state is carried into the next segment.

Figures are updated in place (new arrays on the same traces) and drawn from at most
``MAX_POINTS`` points each. The model is saved with a download button and loaded from an
uploaded .zip (``save_bytes`` / ``load_bytes`` do the same from Python).
"""
from __future__ import annotations

import io
import os
import tempfile
import threading
import time
from contextlib import contextmanager

import numpy as np
import panel as pn
import param
import plotly.graph_objects as go
from panel.viewable import Viewer
from plotly.subplots import make_subplots

from workbench.errors import ModelFileError
from workbench.nn import MultiLayerNetwork
from workbench.ui.shared import Messages, on_session_end, show_message
from workbench.ui.session import WorkbenchSession

MAX_POINTS = 5000          # points drawn per trace; the series themselves are kept whole
POLL_MS = 200
SLOW_FIGURES_S = 1.0       # evaluation, layer statistics, timeline: redrawn at most once a second while training
UI_BUDGET_FACTOR = 4       # drawing takes at most ~1 / (1 + 4) of the time while training runs


def decimate(n: int, cap: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``cap`` of ``n`` points: every ``stride``-th one plus the last.

    The stride is a power of two, so the points drawn stay put while the series grows (until
    the stride doubles) instead of shimmering from one refresh to the next.
    """
    if n <= cap:
        return np.arange(n)
    stride = 1
    while -(-n // stride) + 1 > cap:
        stride *= 2
    idx = np.arange(0, n, stride)
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


def ema(values, alpha: float, start: float | None = None) -> np.ndarray:
    """Exponential moving average ``s[t] = alpha * s[t-1] + (1 - alpha) * x[t]``, s[0] = x[0]
    (or continuing from ``start``, the last smoothed value of an earlier part)."""
    out = np.empty(len(values))
    s = start
    for i, v in enumerate(values):
        s = v if s is None else alpha * s + (1.0 - alpha) * v
        out[i] = s
    return out


def figure_pane(fig, height):
    """A Plotly pane that we redraw ourselves after changing the figure in place."""
    return pn.pane.Plotly(fig, link_figure=False, height=height, sizing_mode="stretch_width")


def redraw(pane) -> None:
    """Send the changed figure: Panel diffs it and ships only the arrays that changed.

    Panel compares the figure with the copy it sent last, and that copy shares the nested dicts
    (``layout.title``, ``trace.marker``) with the figure: change those by assigning the whole
    property (``fig.layout.title = dict(...)``, ``trace.marker = dict(...)``), which makes a new
    dict, never one attribute inside them (``fig.layout.title.text = ...`` would not be sent).
    """
    pane.param.trigger("object")


def set_title(fig, text: str) -> None:
    fig.layout.title = dict(text=text, font_size=14)    # a new dict: see redraw()


def _layout(fig, title, height, **kw):
    fig.update_layout(title=dict(text=title, font_size=14), height=height, margin=dict(l=50, r=20, t=40, b=40),
                      uirevision="keep", legend=dict(orientation="h", y=-0.2), template="plotly_white", **kw)
    return fig


class TrainingMonitor(Messages, Viewer):
    """The Train view of a :class:`WorkbenchSession` (a new one when ``session`` is None).

    >>> mon = TrainingMonitor(); mon.start(epochs=2)
    >>> while mon.session.trainer.alive: mon.refresh()
    """

    session = param.ClassSelector(class_=WorkbenchSession)
    status = param.String(default="", doc="state, updates, epoch, elapsed time, speed (and the error)")

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(session=session or WorkbenchSession(), **params)
        self._lock = threading.Lock()
        self._poll = None
        self._trainer = self._announced = None
        self._layer_names, self._with_params = [], []
        self.epochs_input = pn.widgets.IntInput(label="Epochs", value=self.session.task.epochs, start=1,
                                                end=100_000, width=110)
        self.start_button = pn.widgets.Button(label="Start", color="primary", width=90)
        self.pause_button = pn.widgets.Button(label="Pause", width=90, disabled=True)
        self.stop_button = pn.widgets.Button(label="Stop", color="danger", width=90, disabled=True)
        self.progress = pn.indicators.Progress(value=0, max=1000, sizing_mode="stretch_width", height=16)
        self.smoothing = pn.widgets.FloatSlider(label="Smoothing", start=0.0, end=0.99, step=0.01, value=0.6)
        self.download = pn.widgets.FileDownload(callback=self._download, filename="model.zip",
                                                label="Save model (.zip)", disabled=self.session.net is None)
        self.upload = pn.widgets.FileInput(accept=".zip")
        self._status_pane = pn.pane.Alert("", alert_type="light", css_classes=["status"], sizing_mode="stretch_width")
        self._message_pane = pn.pane.Alert("", alert_type="warning", visible=False, sizing_mode="stretch_width")
        self._eval_note = pn.pane.Markdown("", visible=False)
        self._placeholder = pn.pane.Markdown(PLACEHOLDER, sizing_mode="stretch_width", margin=(20, 30))

        self.loss_fig = _layout(go.Figure([
            go.Scatter(name="loss", mode="lines+markers", line=dict(width=1, color="rgba(120,120,120,0.5)")),
            go.Scatter(name="smoothed", mode="lines", line=dict(width=2.5, color="#d62728"))]),
            "Loss per parameter update", 320, xaxis_title="parameter update", yaxis_title="score")
        self.eval_fig = _layout(go.Figure(), "Evaluation after each epoch", 280, xaxis_title="epoch")
        self.cm_fig = _layout(go.Figure(go.Heatmap(z=[[]], colorscale="Blues", texttemplate="%{z}",
                                                   showscale=False)),
                              "Confusion matrix (latest epoch)", 280, xaxis_title="predicted",
                              yaxis=dict(title="actual", autorange="reversed"))
        self.stats_fig = _layout(make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                                               subplot_titles=("update : parameter norm ratio", "gradient norm")),
                                 "Per-layer statistics", 420)
        self.stats_fig.update_yaxes(type="log", nticks=4, exponentformat="power")
        self.stats_fig.update_xaxes(title_text="parameter update", row=2, col=1)
        self.timeline_fig = _layout(go.Figure([
            go.Bar(name="forward segment", orientation="h", x=[], y=[], base=[], marker_color="#9ecae1"),
            go.Bar(name="gets gradient (last tbptt_back steps)", orientation="h", x=[], y=[], base=[],
                   marker_color="#3182bd", width=0.45),
            go.Scatter(name="state carried on", mode="markers", x=[], y=[],
                       marker=dict(symbol="triangle-right", size=14, color="#e6550d"))]),
            "TBPTT timeline of the current minibatch", 260, barmode="overlay", xaxis_title="time step",
            yaxis=dict(autorange="reversed"))
        self.timeline_fig.update_layout(legend_y=-0.35, margin_b=60)
        self.loss_pane = figure_pane(self.loss_fig, 320)
        self.eval_pane = figure_pane(self.eval_fig, 280)
        self.cm_pane = figure_pane(self.cm_fig, 280)
        self.stats_pane = figure_pane(self.stats_fig, 420)
        self.timeline_pane = figure_pane(self.timeline_fig, 260)

        self.start_button.on_click(lambda _: self.start())
        self.pause_button.on_click(lambda _: self.resume() if self._state() == "paused" else self.pause())
        self.stop_button.on_click(lambda _: self.stop())
        self.smoothing.param.watch(self._resmooth, "value")
        self.upload.param.watch(self._on_upload, "value")
        self.param.watch(self._show_message, ["message", "message_kind"])
        self.param.watch(lambda e: setattr(self._status_pane, "object", e.new), "status")
        self.session.param.watch(self._on_trainer, "trainer")
        self.session.param.watch(lambda e: setattr(self.epochs_input, "value", e.new.epochs), "task")
        self.session.param.watch(lambda e: setattr(self.download, "disabled", e.new is None), "net")
        on_session_end(self.close)
        self._adopt(self.session.trainer)
        self.refresh()

    # ---- programmatic API ----
    def start(self, epochs: int | None = None):
        """Train for ``epochs`` (default: the Epochs input) in the background; returns the trainer."""
        try:
            trainer = self.session.start_training(int(epochs or self.epochs_input.value))
        except Exception as exc:                   # an invalid configuration, data the network cannot take
            self.say(f"Cannot start training: {exc}", "error")
            return None
        self.clear_message()
        self.refresh()
        return trainer

    def pause(self) -> None:
        if self.session.trainer is not None:
            self.session.trainer.pause()
        self.refresh()

    def resume(self) -> None:
        if self.session.trainer is not None:
            self.session.trainer.resume()
            self._start_polling()
        self.refresh()

    def stop(self, wait: float = 1.0) -> None:
        """Stop after the current parameter update (waits up to ``wait`` seconds for it)."""
        if self.session.trainer is not None and self.session.trainer.alive:
            self.session.trainer.stop(wait=wait)
        self.refresh()

    @property
    def loss_series(self) -> list:
        """Every score shown so far, one per parameter update (the drawn curve is decimated)."""
        return self._scores.tolist()

    @property
    def smoothed(self) -> list:
        return self._smooth.tolist()

    def save_bytes(self) -> bytes:
        """The session's network as a model .zip (training is held still while it is written)."""
        net = self.session.net
        if net is None:
            raise ValueError("save: there is no network yet; train one or load a model first")
        with self._held(), tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.zip")
            net.save(path)
            with open(path, "rb") as f:
                return f.read()

    def load_bytes(self, data: bytes) -> MultiLayerNetwork | None:
        """Load a model .zip into the session (stops training); a bad file gives ``message``."""
        self.session.stop_training()
        try:
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "upload.zip")
                with open(path, "wb") as f:
                    f.write(bytes(data))
                net = MultiLayerNetwork.load(path, backend=self.session.backend)
        except ModelFileError as exc:              # named by member; the temporary path means nothing here
            self.say(f"Could not load the model: {str(exc).replace(f'{exc.path}: ', '', 1)}", "error")
            return None
        except Exception as exc:                   # anything else a stranger file causes
            self.say(f"Could not load the model: {type(exc).__name__}: {exc}", "error")
            return None
        self.session.param.update(net=net, conf=net.conf)
        problem = self.session.data_problem()
        loaded = (f"Loaded a model trained for {net.epoch_count} epochs ({net.iteration_count} updates, "
                  f"{net.num_params():,} parameters).")
        if problem:
            self.say(f"{loaded} It does not fit the data of {self.session.task.name!r} ({problem}): choose "
                     "other data in the Data view, or change the network in Build.", "warning")
        else:
            self.say(loaded, "success")
        return net

    def refresh(self) -> None:
        """Pull the history recorded since the last call into the figures (the periodic callback)."""
        if not self._lock.acquire(blocking=False):
            return                                 # a refresh is already running (another thread)
        try:
            self._refresh()
        finally:
            self._lock.release()

    # ---- internals ----
    def _state(self):
        return None if self.session.trainer is None else self.session.trainer.state

    def _clear(self):
        self._k = self._n_eval = 0
        self._iters = np.zeros(0, np.int64)
        self._scores = np.zeros(0)
        self._smooth = np.zeros(0)
        self._segments = np.zeros(0, np.int64)
        self._ratios = self._norms = np.zeros((0, len(self._with_params)))
        self._eval_epochs, self._eval_values, self._eval_kind = [], [], None
        self._batch_key, self.current_segments = None, []
        self.tbptt_back = None
        self._loss_pending = self._slow_pending = self._eval_pending = False
        self._slow_drawn = self._draw_after = 0.0
        self._last_eval = None

    def _on_trainer(self, _event):
        self.refresh()

    def _adopt(self, trainer):
        """A new trainer in the session: start the figures afresh and poll it."""
        self._trainer = trainer
        if trainer is not None:
            conf = trainer.net.conf
            self._layer_names = [f"{i} {type(lc).__name__}" for i, lc in enumerate(conf.built_layers)]
            self._with_params = [i for i, layer in enumerate(trainer.net.layers) if getattr(layer, "params", None)]
        self._clear()
        if trainer is not None and trainer.net.conf.backprop_type == "tbptt":
            self.tbptt_back = trainer.net.conf.tbptt_back
        self._reset_figures()
        if trainer is not None and trainer.alive:
            self._start_polling()

    def _reset_figures(self):
        with self.loss_fig.batch_update():
            for tr in self.loss_fig.data:
                tr.x, tr.y = [], []
            self.loss_fig.data[0].marker = dict(size=4)
        self.eval_fig.data = []
        shown = self._trainer is not None                 # before the first run: a text, not empty axes
        evaluated = shown and self._trainer.evaluate is not None
        self._eval_note.object = "" if evaluated else "No test data for this task: no per-epoch evaluation."
        self._eval_note.visible = shown and not evaluated
        self.eval_pane.visible = self.cm_pane.visible = evaluated
        self.loss_pane.visible = self.stats_pane.visible = self.timeline_pane.visible = shown
        self._placeholder.visible = not shown
        self.cm_fig.data[0].z = [[]]
        self.stats_fig.data = []
        for row, what in ((1, "ratio"), (2, "norm")):
            for n, i in enumerate(self._with_params):
                self.stats_fig.add_trace(go.Scatter(name=self._layer_names[i], mode="lines", x=[], y=[],
                                                    legendgroup=str(i), showlegend=row == 1,
                                                    line=dict(color=_COLORS[n % len(_COLORS)])), row=row, col=1)
        with self.timeline_fig.batch_update():
            for tr in self.timeline_fig.data:
                tr.x, tr.y = [], []
        for pane in (self.loss_pane, self.eval_pane, self.cm_pane, self.stats_pane, self.timeline_pane):
            redraw(pane)

    def _refresh(self):
        trainer = self.session.trainer
        if trainer is not self._trainer:
            self._adopt(trainer)
        if trainer is None:
            self._update_status()
            return
        new = trainer.history.since(self._k)
        if new["scores"]:
            self._ingest(new)
            self._loss_pending = self._slow_pending = True
        evaluations = trainer.history.evaluations[self._n_eval:]
        if evaluations:
            self._n_eval += len(evaluations)
            self._ingest_evaluations(evaluations)
        # Redrawing costs websocket traffic and GIL time the training thread needs: after drawing
        # for d seconds, wait UI_BUDGET_FACTOR * d before drawing again (the end is always drawn).
        now, ended = time.perf_counter(), not trainer.alive
        if ended or now >= self._draw_after:
            if self._loss_pending:
                self._draw_loss()
            if (self._slow_pending or self._eval_pending) and (ended or now - self._slow_drawn >= SLOW_FIGURES_S):
                if self._slow_pending:
                    self._draw_stats()
                    self._draw_timeline()
                if self._eval_pending:
                    self._draw_evaluations()
                self._slow_pending = self._eval_pending = False
                self._slow_drawn = now
            self._loss_pending = False
            self._draw_after = now + UI_BUDGET_FACTOR * (time.perf_counter() - now)
        self._update_status()
        if not trainer.alive:
            self._stop_polling()
            if self._announced is not trainer:                # once per run: Step takes the trained parameters
                self._announced = trainer
                self.session.param.trigger("run_ended")

    def _ingest(self, new):
        n = len(new["scores"])
        self._k += n
        scores = np.asarray(new["scores"], float)
        last = self._smooth[-1] if len(self._smooth) else None
        self._iters = np.concatenate([self._iters, np.asarray(new["iterations"], np.int64)])
        self._scores = np.concatenate([self._scores, scores])
        self._smooth = np.concatenate([self._smooth, ema(scores, self.smoothing.value, last)])
        infos = new["infos"]
        self._segments = np.concatenate([self._segments, [info.get("segment", 0) for info in infos]])
        cols = self._with_params
        ratios = np.array([[info.get("update_ratios", [np.nan] * (max(cols, default=0) + 1))[i] for i in cols]
                           for info in infos], float).reshape(n, len(cols))
        norms = np.array([[info.get("grad_norms", [np.nan] * (max(cols, default=0) + 1))[i] for i in cols]
                          for info in infos], float).reshape(n, len(cols))
        self._ratios = np.concatenate([self._ratios, ratios])
        self._norms = np.concatenate([self._norms, norms])
        for epoch, info in zip(new["epochs"], infos):
            key = (epoch, info.get("batch"))
            if key != self._batch_key:
                self._batch_key, self.current_segments = key, []
            self.current_segments.append((info.get("segment", 0), *info.get("time_range", (0, 1))))

    def _draw_loss(self):
        idx = decimate(len(self._scores))
        raw, smooth = self.loss_fig.data
        with self.loss_fig.batch_update():
            raw.x, raw.y = self._iters[idx], self._scores[idx]
            if self.tbptt_back is not None:           # markers coloured by segment (one more array to send)
                raw.mode = "lines+markers"
                raw.marker = dict(size=4, color=self._segments[idx], colorscale="Viridis", cmin=0,
                                  cmax=max(1, int(self._segments.max())), showscale=True,
                                  colorbar=dict(title=dict(text="TBPTT<br>segment"), thickness=10))
            else:
                raw.mode, raw.marker = "lines", dict(size=4)
            smooth.x, smooth.y = self._iters[idx], self._smooth[idx]
        redraw(self.loss_pane)

    def _resmooth(self, event):
        self._smooth = ema(self._scores, event.new)
        if len(self._scores):
            self._draw_loss()

    def _draw_stats(self):
        if not self._with_params:
            return
        idx = decimate(len(self._scores))
        x, L = self._iters[idx], len(self._with_params)
        with self.stats_fig.batch_update():
            for n in range(L):
                ratio, norm = self.stats_fig.data[n], self.stats_fig.data[L + n]
                for trace, values in ((ratio, self._ratios), (norm, self._norms)):
                    y = values[idx, n]
                    trace.x, trace.y = x, np.where(y > 0, y, np.nan)         # log axis: no zeros
        redraw(self.stats_pane)

    def _draw_timeline(self):
        segs = self.current_segments
        back = self.tbptt_back
        fwd, grad, carry = self.timeline_fig.data
        names = [f"segment {k}" for k, _, _ in segs]
        with self.timeline_fig.batch_update():
            fwd.y, fwd.base, fwd.x = names, [t0 for _, t0, _ in segs], [t1 - t0 for _, t0, t1 in segs]
            starts = [t0 if back is None else max(t0, t1 - back) for _, t0, t1 in segs]
            grad.y, grad.base, grad.x = names, starts, [t1 - s for (_, _, t1), s in zip(segs, starts)]
            carry.x, carry.y = [t1 for _, _, t1 in segs[:-1]], names[:-1]
            carry.hovertext = [f"h, c at step {t1} start segment {k + 1}" for k, _, t1 in segs[:-1]]
            epoch, batch = self._batch_key
            kind = f"truncated BPTT, back {back} steps" if back is not None else "standard BPTT: one segment"
            set_title(self.timeline_fig, f"Minibatch {batch + 1} of epoch {epoch + 1}: {kind}")   # 1-based, as the status
        redraw(self.timeline_pane)

    def _ingest_evaluations(self, evaluations):
        for epoch, ev in evaluations:
            regression = hasattr(ev, "r_squared")
            if self._eval_kind is None:
                self._setup_eval(regression)
            self._eval_epochs.append(epoch + 1)                 # epochs count from 1 in the page
            if regression:
                self._eval_values.append((ev.root_mean_squared_error(), ev.r_squared()))
            else:
                self._eval_values.append((ev.accuracy(), ev.f1()))
        self._last_eval, self._eval_pending = evaluations[-1], True

    def _draw_evaluations(self):
        values = np.array(self._eval_values, float)
        with self.eval_fig.batch_update():
            for n, trace in enumerate(self.eval_fig.data):
                trace.x, trace.y = self._eval_epochs, values[:, n]
        redraw(self.eval_pane)
        epoch, ev = self._last_eval
        if self._eval_kind == "classification":
            cm = ev.confusion_matrix()
            names = ev.class_names or [str(c) for c in range(len(cm))]
            heat = self.cm_fig.data[0]
            with self.cm_fig.batch_update():
                heat.z, heat.x, heat.y = cm, names, names
                set_title(self.cm_fig, f"Confusion matrix after epoch {epoch + 1}")
            redraw(self.cm_pane)

    def _setup_eval(self, regression):
        self._eval_kind = "regression" if regression else "classification"
        if regression:
            self.eval_fig.add_trace(go.Scatter(name="RMSE", mode="lines+markers"))
            self.eval_fig.add_trace(go.Scatter(name="R^2", mode="lines+markers", yaxis="y2"))
            self.eval_fig.layout.yaxis = dict(title=dict(text="RMSE"))
            self.eval_fig.layout.yaxis2 = dict(title=dict(text="R^2"), overlaying="y", side="right")
            self.cm_pane.visible = False
        else:
            self.eval_fig.add_trace(go.Scatter(name="accuracy", mode="lines+markers"))
            self.eval_fig.add_trace(go.Scatter(name="F1 (macro)", mode="lines+markers", line_dash="dot"))
            self.eval_fig.layout.yaxis = dict(range=[0, 1.02])
            self.eval_fig.layout.yaxis2 = None

    def _update_status(self):
        tr = self.session.trainer
        if tr is None:
            self.status = "**idle**: press Start to train"
        else:
            h, now = tr.history, time.perf_counter()
            elapsed = ((tr.finished_at or now) - tr.started_at) if tr.started_at else 0.0
            n = len(h)
            epoch = (h.epochs[n - 1] - h.epochs[0] + 1) if n else 0
            parts = [f"**{tr.state}**", f"update {n:,} / {tr.total_updates:,}", f"epoch {epoch} / {tr.epochs}",
                     f"elapsed {elapsed:.1f} s", f"{n / elapsed if elapsed > 0 else 0.0:.1f} updates/s"]
            status = " · ".join(parts)
            if tr.error:
                status += f"\n\nTraining failed: {tr.error}"
            self.status = status
            self.progress.value = int(round(1000 * tr.progress))
        self._status_pane.alert_type = _STATUS_COLOURS.get(self._state(), "light")
        alive = tr is not None and tr.alive
        self.start_button.disabled = alive
        self.stop_button.disabled = not alive
        self.pause_button.disabled = not alive
        self.pause_button.label = "Resume" if self._state() == "paused" else "Pause"

    @contextmanager
    def _held(self):
        """Training paused with its thread parked after an update, so the parameters hold still."""
        tr = self.session.trainer
        if tr is None or tr.state != "running" or not tr.alive:
            yield
            return
        n = len(tr.history)
        tr.pause()
        end = time.perf_counter() + 1.0      # the update in flight finishes, records itself and parks
        while tr.alive and len(tr.history) == n and time.perf_counter() < end:
            time.sleep(0.005)
        try:
            yield
        finally:
            tr.resume()

    def _download(self):
        try:
            data = self.save_bytes()
        except Exception as exc:
            self.say(f"Could not save the model: {exc}", "error")
            raise
        return io.BytesIO(data)

    def _on_upload(self, event):
        if event.new:
            self.load_bytes(event.new)
            self.upload.clear()                    # the same file can be chosen again

    def _show_message(self, *events):
        show_message(self._message_pane, self)

    def _start_polling(self):
        if self._poll is not None and self._poll.running:
            return
        self._poll = pn.state.add_periodic_callback(self.refresh, period=POLL_MS)

    def _stop_polling(self):
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def close(self) -> None:
        """Stop polling and ask the trainer to stop (without waiting): the browser session went."""
        self._stop_polling()
        if self.session.trainer is not None:
            self.session.trainer.stop(wait=None)

    def __panel__(self):
        controls = pn.Column(
            "### Train", self.epochs_input, pn.Row(self.start_button, self.pause_button, self.stop_button),
            self.progress, self._status_pane, self._message_pane, self.smoothing,
            pn.Row(self.download), pn.Column("Load a model (.zip)", self.upload), width=340)
        return pn.Column(
            pn.Row(controls, self._placeholder, self.loss_pane, sizing_mode="stretch_width"),
            pn.Row(pn.Column(self.eval_pane, self._eval_note, sizing_mode="stretch_width"), self.cm_pane,
                   sizing_mode="stretch_width"),
            pn.Row(self.stats_pane, self.timeline_pane, sizing_mode="stretch_width"),
            sizing_mode="stretch_width")


PLACEHOLDER = (
    "**Nothing trained yet.** Press **Start**: the score of every parameter update appears here as it is "
    "made, then the evaluation after each epoch (accuracy and the confusion matrix for classifiers, errors for "
    "regression), each layer's update : parameter ratio and gradient norm, and, with truncated BPTT, how the "
    "current minibatch is cut into segments.")

_STATUS_COLOURS = {"running": "primary", "paused": "warning", "finished": "success", "failed": "danger"}
_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
