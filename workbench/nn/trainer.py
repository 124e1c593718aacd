"""Training in a background thread, with pause, resume and stop, recording a live history.

``BackgroundTrainer`` is what the workbench's training view (and a notebook) drives: it runs a
:class:`~workbench.nn.training.Trainer` one epoch at a time in a daemon thread, appends every update to ``history``
(readers take ``history.since(k)`` snapshots while it runs) and evaluates after each epoch.
Each update's ``info`` also says how many labelled steps its segment scored (``"labelled_steps"``,
for the loss per step), the minibatch's ``"examples"`` and ``"length"`` (time steps) and the
updater's ``"learning_rate"``. Every ``histogram_every`` seconds the history takes a
:func:`~workbench.nn.layer_summaries.summary` (histogram and percentiles) of each layer's parameters, gradients and activations.
Stop takes effect right after the current parameter update; a NaN/inf score stops with the
error message and the last finite parameters.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.data.batches import as_datasets
from workbench.errors import TrainingDivergedError
from workbench.nn.layer_summaries import LayerSummaries
from workbench.nn.training import Trainer

if TYPE_CHECKING:
    from workbench.nn.network import MultiLayerNetwork

class _Stop(Exception):
    """Raised by the trainer's listener to leave the Trainer's fit() after an update."""


@dataclass
class History:
    """Append-only record of updates: one entry per parameter update (thread-safe append)."""

    iterations: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    infos: list = field(default_factory=list)          # the listener's info dicts
    evaluations: list = field(default_factory=list)    # (epoch, evaluation object) after each epoch
    histograms: list = field(default_factory=list)     # (iteration, {kind: [summary or None per layer]})

    def __len__(self):
        return len(self.scores)

    def since(self, k: int) -> dict:
        """The entries from index k on (a consistent snapshot: the appends may still run)."""
        n = len(self.scores)
        return {"iterations": self.iterations[k:n], "epochs": self.epochs[k:n], "scores": self.scores[k:n],
                "infos": self.infos[k:n]}


def labelled_steps(ds, t0: int, t1: int) -> int:
    """Label steps the loss counts in steps t0..t1-1 of DataSet ``ds`` (as the network masks them:
    the labels mask, else the features mask for per-step labels, else every step)."""
    per_step = ds.labels.ndim == 3
    mask = ds.labels_mask if ds.labels_mask is not None else (ds.features_mask if per_step else None)
    if mask is None:
        return ds.labels.shape[0] * ((t1 - t0) if per_step else 1)
    return int((mask[:, t0:t1] if mask.ndim == 2 and per_step else mask).sum())


def step_info(net, ds, t0: int, t1: int) -> dict:
    """What each update's ``info`` gains for the loss per step: the ``labelled_steps`` of steps
    t0..t1-1 of minibatch ``ds``, its ``examples`` and ``length`` (time steps), and the updater's
    ``learning_rate`` (BackgroundTrainer's history and a worker's run rows both take it from here)."""
    return {"labelled_steps": labelled_steps(ds, t0, t1), "examples": ds.features.shape[0],
            "length": ds.features.shape[2] if ds.features.ndim == 3 else 1, "learning_rate": net.conf.updater.lr}


class WatchedData:
    """The training data as ``fit`` reads it, remembering the minibatch in use (``current``)."""

    def __init__(self, data):
        self.data, self.current = data, None

    def reset(self):
        if hasattr(self.data, "reset"):
            self.data.reset()

    def __iter__(self):
        for ds in [self.data] if hasattr(self.data, "features") else self.data:
            self.current = ds
            yield ds


def count_updates(net, data) -> int:
    """Parameter updates one epoch of ``data`` takes (TBPTT segments counted)."""
    fwd = net.conf.tbptt_fwd_length if net.conf.backprop_type == "tbptt" else None
    total = 0
    for ds in as_datasets(data):
        T = ds.features.shape[2] if ds.features.ndim == 3 else 1
        total += math.ceil(T / fwd) if fwd else 1
    return total


class BackgroundTrainer:
    """``fit`` in a daemon thread. ``state`` is one of idle, running, paused, stopped, finished
    or failed (``error`` then says why). ``evaluate`` (optional) is a callable ``net ->
    evaluation`` run after each epoch, e.g. ``lambda net: net.evaluate(test)``."""

    def __init__(self, net, data, epochs: int = 1, evaluate=None, track_layer_stats: bool = True,
                 histogram_every: float | None = 0.5):
        self.net, self.data, self.epochs, self.evaluate = net, data, epochs, evaluate
        self.track_layer_stats = track_layer_stats   # per-layer gradient norms and update ratios in info
        self.histogram_every = histogram_every       # seconds between histograms (None: none)
        self.history = History()
        self.state, self.error = "idle", None
        self.updates_per_epoch = count_updates(net, data)
        self.total_updates = self.updates_per_epoch * epochs
        self.started_at = self.finished_at = None
        self.first_epoch = net.epoch_count           # epochs of this run count from here (shown from 1)
        self._paused_at, self._paused_for = None, 0.0
        self._summaries = None if histogram_every is None else LayerSummaries(net, histogram_every)
        self._stop, self._running = threading.Event(), threading.Event()
        self._thread = None
        self._updating = threading.Lock()          # held by the training thread while parameters change
        self._snapshot_wanted = threading.Event()

    @property
    def progress(self) -> float:
        """Fraction of the planned updates done, 0..1."""
        return min(1.0, len(self.history) / self.total_updates) if self.total_updates else 0.0

    @property
    def active_seconds(self) -> float:
        """Seconds spent training so far, paused time excluded."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at or time.perf_counter()
        paused = self._paused_for + (end - self._paused_at if self._paused_at is not None else 0.0)
        return max(0.0, end - self.started_at - paused)

    def start(self) -> "BackgroundTrainer":
        if self._thread is not None:
            raise RuntimeError("BackgroundTrainer.start: already started; make a new trainer to train again")
        self._running.set()
        self.state, self.started_at = "running", time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="workbench-training", daemon=True)
        self._thread.start()
        return self

    def pause(self) -> None:
        if self.state == "running":
            self._running.clear()
            self.state, self._paused_at = "paused", time.perf_counter()

    def resume(self) -> None:
        if self.state == "paused":
            self._end_pause()
            self.state = "running"
            self._running.set()

    def stop(self, wait: float | None = 1.0) -> None:
        """Ask the thread to stop after the current update; wait up to ``wait`` seconds."""
        self._stop.set()
        self._running.set()
        if self._thread is not None and wait:
            self._thread.join(wait)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def snapshot(self) -> "MultiLayerNetwork":
        """A copy of the network (``net.copy()``) taken between two parameter updates, never a
        torn mixture of two, also while the training thread runs."""
        self._snapshot_wanted.set()
        with self._updating:
            self._snapshot_wanted.clear()
            return self.net.copy()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _end_pause(self):
        if self._paused_at is not None:
            self._paused_for += time.perf_counter() - self._paused_at
            self._paused_at = None

    def _record(self, iteration, info):
        """Add the minibatch's step counts and the learning rate to ``info``; take the histograms when due."""
        ds, (t0, t1) = self._data.current, info["time_range"]
        info.update(step_info(self.net, ds, t0, t1))
        taken = self._summaries and self._summaries.take(ds, t0, t1)
        if taken:
            self.history.histograms.append((iteration, taken))

    def _listener(self, iteration, epoch, score, info):
        self._record(iteration, info)
        h = self.history
        h.iterations.append(iteration)
        h.epochs.append(epoch)
        h.infos.append(info)
        h.scores.append(score)                     # last: len(scores) marks a complete entry
        self._updating.release()                   # between updates: a snapshot may copy now
        try:
            while self._snapshot_wanted.is_set():   # let it take the lock before we take it back
                time.sleep(0.0005)
            while not self._running.is_set():     # paused: wait, but notice a stop
                self._running.wait(0.05)
        finally:
            self._updating.acquire()
        if self._stop.is_set():
            raise _Stop

    def _run(self):
        self._data = WatchedData(self.data)
        try:
            trainer = Trainer(self.net, [self._listener], layer_stats=self.track_layer_stats,
                              on_gradient=self._summaries and self._summaries.on_gradient)
            for _ in range(self.epochs):
                with self._updating:
                    trainer.fit(self._data, epochs=1)
                if self.evaluate is not None:
                    self.history.evaluations.append((self.net.epoch_count - 1, self.evaluate(self.net)))
                if self._stop.is_set():
                    raise _Stop
            self.state = "finished"
        except _Stop:
            self.state = "stopped"
        except TrainingDivergedError as exc:
            self.state, self.error = "failed", str(exc)
        except Exception as exc:                  # shown in the page, never a dead session
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            self._end_pause()
            self.finished_at = time.perf_counter()
