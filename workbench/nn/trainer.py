"""Training in a background thread, with pause, resume and stop, recording a live history.

``BackgroundTrainer`` is what the workbench's training view (and a notebook) drives: it calls
``net.fit`` one epoch at a time in a daemon thread, appends every update to ``history``
(readers take ``history.since(k)`` snapshots while it runs) and evaluates after each epoch.
Stop takes effect right after the current parameter update; a NaN/inf score stops with the
error message and the last finite parameters.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from workbench.nn.training import TrainingDivergedError


class _Stop(Exception):
    """Raised by the trainer's listener to leave fit() after an update."""


@dataclass
class History:
    """Append-only record of updates: one entry per parameter update (thread-safe append)."""

    iterations: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    infos: list = field(default_factory=list)          # the listener's info dicts
    evaluations: list = field(default_factory=list)    # (epoch, evaluation object) after each epoch

    def __len__(self):
        return len(self.scores)

    def since(self, k: int) -> dict:
        """The entries from index k on (a consistent snapshot: the appends may still run)."""
        n = len(self.scores)
        return {"iterations": self.iterations[k:n], "epochs": self.epochs[k:n], "scores": self.scores[k:n],
                "infos": self.infos[k:n]}


def count_updates(net, data) -> int:
    """Parameter updates one epoch of ``data`` takes (TBPTT segments counted)."""
    from workbench.nn.network import _as_datasets
    fwd = net.conf.tbptt_fwd_length if net.conf.backprop_type == "tbptt" else None
    total = 0
    for ds in _as_datasets(data):
        T = ds.features.shape[2] if ds.features.ndim == 3 else 1
        total += math.ceil(T / fwd) if fwd else 1
    return total


class BackgroundTrainer:
    """``fit`` in a daemon thread. ``state`` is one of idle, running, paused, stopped, finished
    or failed (``error`` then says why). ``evaluate`` (optional) is a callable ``net ->
    evaluation`` run after each epoch, e.g. ``lambda net: net.evaluate(test)``."""

    def __init__(self, net, data, epochs: int = 1, evaluate=None, track_layer_stats: bool = True):
        self.net, self.data, self.epochs, self.evaluate = net, data, epochs, evaluate
        self.net.track_layer_stats = track_layer_stats
        self.history = History()
        self.state, self.error = "idle", None
        self.updates_per_epoch = count_updates(net, data)
        self.total_updates = self.updates_per_epoch * epochs
        self.started_at = self.finished_at = None
        self._stop, self._running = threading.Event(), threading.Event()
        self._thread = None
        self._updating = threading.Lock()          # held by the training thread while parameters change
        self._snapshot_wanted = threading.Event()

    @property
    def progress(self) -> float:
        """Fraction of the planned updates done, 0..1."""
        return min(1.0, len(self.history) / self.total_updates) if self.total_updates else 0.0

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
            self.state = "paused"

    def resume(self) -> None:
        if self.state == "paused":
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

    def _listener(self, iteration, epoch, score, info):
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
        try:
            for _ in range(self.epochs):
                with self._updating:
                    self.net.fit(self.data, epochs=1, listeners=[self._listener])
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
            self.finished_at = time.perf_counter()
