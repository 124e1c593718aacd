"""The Train tab's state: start, pause, stop, save and load a run; its status and series.

``TrainState(session)`` follows ``session.trainer``; ``refresh()`` (the view's 200 ms poll, called
directly by tests and notebooks) pulls the run's new history into ``series`` (a
:class:`~workbench.ui.train.series.RunSeries`) and asks for redraws with events (``draw_loss``;
``draw_slow`` for the statistics, histograms and timeline; ``draw_eval``) on a budget: after the
view drew for d seconds nothing is drawn for ``UI_BUDGET_FACTOR * d``, the slow figures at most
every ``SLOW_FIGURES_S``; the end of a run is always drawn.
"""
from __future__ import annotations

import io
import os
import tempfile
import threading
import time

import numpy as np
import param

from workbench.errors import ModelFileError
from workbench.nn import MultiLayerNetwork
from workbench.ui.session import WorkbenchSession, model_bytes
from workbench.ui.messages import Messages
from workbench.ui.train.series import RunSeries, ema

SLOW_FIGURES_S = 2.0
UI_BUDGET_FACTOR = 4
MEASURES = ("loss per step", "score")
LOSS_UNITS = {"mcxent": "nats", "negativeloglikelihood": "nats", "xent": "nats", "mse": "squared error",
              "l1": "absolute error"}


class TrainState(Messages):
    """Start, pause, stop, save and load; the run's series and status. No widgets."""

    session = param.ClassSelector(class_=WorkbenchSession)
    status = param.String("", doc="state, updates, epoch, active time, speed (and the error)")
    run_state = param.String("idle", doc="the trainer's state: idle, running, paused, stopped, finished, failed")
    alive = param.Boolean(False, doc="the run shown trains (or waits for a worker): the view polls")
    can_start = param.Boolean(True, doc="Start is possible: no run trains here, or runs go to workers")
    progress = param.Number(0.0, bounds=(0, 1), doc="fraction of the planned updates done")
    smoothing = param.Number(0.6, bounds=(0, 0.99), doc="weight of the past in the smoothed loss curve")
    measure = param.Selector(default=MEASURES[0], objects=list(MEASURES), doc="what the loss chart shows")
    hist_layer = param.Selector(default=None, objects=[], allow_None=True, doc="the layer the histograms show")
    can_save = param.Boolean(False, doc="there is a network worth saving (not the wreck of a failed run)")
    shown = param.Boolean(False, doc="the run has updates to chart (before: a text says what will appear)")
    eval_note = param.String("", doc="why there is no evaluation chart yet")
    new_run = param.Event(doc="another run (or none) is shown: the figures start afresh")
    draw_loss = param.Event(doc="redraw the loss chart")
    draw_slow = param.Event(doc="redraw the layer statistics, histograms and TBPTT timeline")
    draw_eval = param.Event(doc="redraw the evaluation and the confusion matrix")

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(session=session or WorkbenchSession(), **params)
        self._lock, self._announced = threading.Lock(), None
        self._adopt(None)
        self.session.param.watch(lambda _: self.refresh(), "trainer")
        self.session.param.watch(lambda _: self._update_status(), "net")
        self.param.watch(lambda e: self._resmooth(), ["smoothing", "measure"])
        self.refresh()

    # ---- actions ----
    def start(self, epochs: int | None = None):
        """Train for ``epochs`` (default: ``session.epochs``) in the background; the trainer or None."""
        try:
            trainer = self.session.start_training(epochs)
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
        self.refresh()

    def toggle_pause(self) -> None:
        self.resume() if self.run_state == "paused" else self.pause()

    def stop(self, wait: float = 1.0) -> None:
        """Stop after the current parameter update (waits up to ``wait`` seconds for it)."""
        if self.session.trainer is not None and self.session.trainer.alive:
            self.session.trainer.stop(wait=wait)
        self.refresh()

    def close(self) -> None:
        """The page went: a run in this process stops after its current update (without waiting);
        a run on a worker trains on (it is kept, and listed in every page's Runs tab)."""
        self.session.stop_training(wait=None)
        self.alive = False

    def save_bytes(self) -> bytes:
        """The session's network with its latest parameters as a model .zip (while it trains: a
        copy taken between two updates, or the run's latest snapshot on a worker)."""
        if not self.can_save:
            raise ValueError("there is no network to save: train one (a run that did not fail) or load a model")
        return model_bytes(self.session.latest_network())

    def onnx_bytes(self) -> bytes:
        """The same network as an ONNX model (:func:`workbench.io.export_onnx`): inputs "features"
        [batch, n_in, time] and "features_mask", output "output", for onnxruntime."""
        from workbench.io import export_onnx
        if not self.can_save:
            raise ValueError("there is no network to export: train one (a run that did not fail) or load a model")
        with tempfile.TemporaryDirectory(prefix="workbench-onnx-") as folder:
            return export_onnx(self.session.latest_network(), os.path.join(folder, "model.onnx")).read_bytes()

    def download(self) -> io.BytesIO:
        """``save_bytes`` for the download button (a failure is said in the page)."""
        return self._download(self.save_bytes, "save the model")

    def download_onnx(self) -> io.BytesIO:
        """``onnx_bytes`` for the Export ONNX button (a failure, e.g. a layer ONNX lacks, is said)."""
        return self._download(self.onnx_bytes, "export the model to ONNX")

    def _download(self, make, what: str) -> io.BytesIO:
        try:
            return io.BytesIO(make())
        except Exception as exc:
            self.say(f"Could not {what}: {exc}", "error")
            raise

    def load_bytes(self, data: bytes) -> MultiLayerNetwork | None:
        """Load a model .zip into the session (stops training); a bad file gives an error message."""
        self.session.stop_training()
        try:
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "upload.zip")
                with open(path, "wb") as f:
                    f.write(bytes(data))
                net = MultiLayerNetwork.load(path, backend=self.session.backend)
        except Exception as exc:                   # the temporary path means nothing in the page
            why = str(exc).replace(f"{exc.path}: ", "", 1) if isinstance(exc, ModelFileError) else "unreadable file"
            self.say(f"Could not load the model: {why}. Choose a model .zip made with Save model.", "error")
            return None
        self.session.param.update(net=net, conf=net.conf, trainer=None)
        problem = self.session.data_problem()
        loaded = (f"Loaded a model trained for {net.epoch_count} epochs ({net.iteration_count} updates, "
                  f"{net.num_params():,} parameters).")
        if problem:
            self.say(f"{loaded} It does not fit the data of {self.session.task.name!r} ({problem}): choose "
                     "other data in the Data tab, or change the network in Build.", "warning")
        else:
            self.say(loaded, "success")
        return net

    def refresh(self) -> None:
        """Pull the history recorded since the last call, ask for redraws, update the status."""
        if not self._lock.acquire(blocking=False):
            return                                 # a refresh is already running (another thread)
        try:
            self._refresh()
        finally:
            self._lock.release()

    # ---- derived values ----
    @property
    def tbptt_back(self) -> int | None:
        """Steps of each segment that get gradient with truncated BPTT (None: standard BPTT)."""
        return self.series.tbptt_back

    @property
    def current_segments(self) -> list:
        return self.series.current_segments

    @property
    def loss_series(self) -> list:
        """Every score so far, one per parameter update (the drawn curve is decimated)."""
        return self.series.scores.tolist()

    @property
    def shown_values(self) -> np.ndarray:
        """The series the loss chart shows: loss per step or score (n,)."""
        return self.series.per_step if self.measure == "loss per step" else self.series.scores

    @property
    def smoothed(self) -> np.ndarray:
        """``shown_values`` smoothed with ``smoothing`` (n,)."""
        return self._smooth

    @property
    def loss_unit(self) -> str:
        """e.g. "nats per character": the loss function's unit per time step of the task."""
        conf = self.series.trainer.net.conf if self.series.trainer is not None else self.session.conf
        loss = getattr(conf.built_layers[-1], "loss", None) if conf is not None else None
        return f"{LOSS_UNITS.get(loss, loss or 'loss')} per {self.session.task.step_unit}"

    @property
    def loss_axis_title(self) -> str:
        if self.measure == "loss per step":
            return f"loss ({self.loss_unit})"
        return "score (loss summed over the steps / minibatch)"

    @property
    def timeline_title(self) -> str:
        epoch, batch = self.series.batch_key
        back = self.tbptt_back
        kind = f"truncated BPTT, back {back} steps" if back is not None else "standard BPTT: one segment"
        return f"Minibatch {batch + 1} of epoch {epoch}: {kind}"

    def histogram_data(self) -> dict:
        """{kind: (latest summary or None, iterations (m,), percentiles (m, 7))} of ``hist_layer``."""
        return self.series.histogram_data(self.hist_layer)

    # ---- internals ----
    def _adopt(self, trainer):
        """Another trainer (or none) in the session: start the series afresh."""
        self.series = RunSeries(trainer)
        self._smooth = np.zeros(0)
        self._pending, self._slow_drawn, self._draw_after = set(), 0.0, 0.0
        names = [self.series.layer_names[i] for i in self.series.with_params]
        self.param.hist_layer.objects = names
        no_test = trainer is not None and trainer.evaluate is None
        self.param.update(hist_layer=names[0] if names else None, shown=False, eval_note=(
            "No test data for this task: no per-epoch evaluation." if no_test else
            "The evaluation on the test data appears here after each epoch."))
        self.param.trigger("new_run")

    def _refresh(self):
        trainer = self.session.trainer
        if trainer is not self.series.trainer:
            self._adopt(trainer)
        if trainer is not None:
            if hasattr(trainer, "poll"):             # a run on a worker: read what the store gained
                trainer.poll()
            n = len(self.series)
            self._pending |= self.series.pull()
            if len(self.series) > n:
                last = self._smooth[-1] if n else None
                self._smooth = np.concatenate([self._smooth, ema(self.shown_values[n:], self.smoothing, last)])
                self.shown = True
            if self.series.eval_epochs:
                self.eval_note = ""
            self._ask_for_redraws(ended=not trainer.alive)
        self._update_status()
        if trainer is not None and not trainer.alive and self._announced is not trainer:
            self._announced = trainer                # once per run: Step takes the trained parameters
            self.session.adopt_result()
            self.session.param.trigger("run_ended")

    def _ask_for_redraws(self, ended: bool):
        now, due = time.perf_counter(), self._pending
        if not (ended or now >= self._draw_after):
            return
        if "loss" in due:
            self.param.trigger("draw_loss")
        if due - {"loss"} and (ended or now - self._slow_drawn >= SLOW_FIGURES_S):
            for group in sorted(due - {"loss"}):
                self.param.trigger(f"draw_{group}")
            self._pending, self._slow_drawn = set(), now
        self._pending.discard("loss")
        self._draw_after = now + UI_BUDGET_FACTOR * (time.perf_counter() - now)

    def _resmooth(self):
        self._smooth = ema(self.shown_values, self.smoothing)
        if len(self.series):
            self.param.trigger("draw_loss")

    def _update_status(self):
        tr = self.session.trainer
        failed = tr is not None and tr.state == "failed"
        if tr is None:
            status = "**idle**: press Start to train"
        else:
            n, active = len(tr.history), tr.active_seconds
            epoch = (tr.history.epochs[n - 1] - tr.first_epoch + 1) if n else 0
            parts = [f"**{tr.state}**", f"update {n:,} / {tr.total_updates:,}", f"epoch {epoch} / {tr.epochs}",
                     f"elapsed {active:.1f} s", f"{n / active if active > 0 else 0.0:.1f} updates/s"]
            if hasattr(tr, "run_id"):
                parts.insert(0, f"run #{tr.run_id} on a worker" if tr.state != "queued" else
                             f"run #{tr.run_id} waits for a free worker")
            if len(self.series) and np.isfinite(self.series.per_step[-1]):
                parts.append(f"loss {self.series.per_step[-1]:.4g} {self.loss_unit}")
            status = " · ".join(parts)
            if failed:
                status += (f"\n\nTraining failed: {tr.error}\n\nSave model is off: this network is what was "
                           "left when the run failed. Change the settings in Build and press Start again.")
        self.param.update(status=status, run_state="idle" if tr is None else tr.state,
                          alive=tr is not None and tr.alive, progress=0.0 if tr is None else tr.progress,
                          can_start=self.session.runs is not None or tr is None or not tr.alive,
                          can_save=self.session.net is not None and not failed)
