"""A stored run followed as it trains: the Train tab's view of a run, wherever it executes.

``FollowedRun(store, run_id)`` has what the Train tab reads of an in-process
:class:`~workbench.nn.trainer.BackgroundTrainer`: ``history`` (updates with their info dicts,
layer summaries, evaluations), ``state``, ``error``, ``alive``, ``progress``, ``total_updates``,
``epochs``, ``first_epoch``, ``active_seconds`` and ``snapshot()``; ``poll()`` adds what the store
gained since the last call. Attached to the :class:`~workbench.runs.remote.RemoteRun` training it
(``attach``), ``pause``/``resume``/``stop`` reach the worker; a command given before the run is
submitted waits for it. Without one (a run of an earlier server, or of another process) it
shows the run as stored.
"""
from __future__ import annotations

import threading
import time

from workbench.errors import RunStoreError
from workbench.nn.trainer import History
from workbench.runs.reading import new_reports, new_summaries, new_updates, run_status
from workbench.runs.schema import ENDED


def _info(row: dict) -> dict:
    """A stored update row as the listener's ``info`` dict (missing values left out)."""
    info = {"time_range": (row["t0"], row["t1"])}
    for name in ("batch", "segment", "labelled_steps", "examples", "length", "learning_rate", "grad_norms",
                 "update_ratios"):
        if row[name] is not None:
            info[name] = row[name]
    return info


class FollowedRun:
    """Run ``run_id`` of ``store`` (a RunStore), read as it grows. ``net``: a network of the run's
    configuration (its layers name the series); by default a new one from the stored configuration."""

    def __init__(self, store, run_id: int, net=None):
        from workbench.conf import MultiLayerConfiguration
        from workbench.nn import MultiLayerNetwork
        self.store, self.run_id = store, run_id
        run = store.get_run(run_id)
        self.name, self.task, self.settings = run.name, run.task, run.settings
        self.net = net or MultiLayerNetwork(MultiLayerConfiguration.from_dict(run.configuration)).init()
        self.epochs = int(self.settings.get("epochs", 1))
        self.total_updates = int(self.settings.get("updates", 0))
        self.first_epoch = int(self.settings.get("first_epoch", 0))
        self.evaluate = self.settings.get("evaluate", bool(run.final_metrics)) or None
        self.history = History()
        self.remote, self._pending = None, None
        self._lock = threading.Lock()
        self._seen = self._seen_report = self._seen_summary = -1
        self._last_wall = None
        self.state, self.error, self._started, self._ended = run.status, run.error, run.started, run.ended
        self.poll()

    # ---- control ----
    def attach(self, remote) -> None:
        """The RemoteRun training this run; a command given before is sent now."""
        with self._lock:
            self.remote, pending = remote, self._pending
        if pending:
            getattr(remote, pending)()

    def pause(self) -> None:
        self._command("pause")

    def resume(self) -> None:
        self._command("resume")

    def stop(self, wait: float | None = None) -> None:
        """Ask the worker to stop after its current update; wait up to ``wait`` s for the run to end."""
        self._command("stop")
        if wait:
            self.join(wait)

    def _command(self, name: str) -> None:
        with self._lock:
            remote = self.remote
            if remote is None:
                self._pending = name
        if remote is not None:
            getattr(remote, name)()

    @property
    def stop_requested(self) -> bool:
        """Stop was pressed before the run was attached to the worker's RemoteRun."""
        return self._pending == "stop"

    def join(self, timeout: float | None = None) -> bool:
        """Wait (polling the store) until the run has ended; True when it has."""
        end = None if timeout is None else time.monotonic() + timeout
        while self.alive and (end is None or time.monotonic() < end):
            time.sleep(0.05)
            self.poll()
        return not self.alive

    # ---- what the Train tab reads ----
    @property
    def alive(self) -> bool:
        """Not ended yet (queued, running or paused)."""
        return self.state not in ENDED

    @property
    def progress(self) -> float:
        return min(1.0, len(self.history) / self.total_updates) if self.total_updates else 0.0

    @property
    def active_seconds(self) -> float:
        """Seconds from the start to the latest update (or the end); pauses included."""
        if self._started is None:
            return 0.0
        return max(0.0, (self._ended or self._last_wall or self._started) - self._started)

    def poll(self) -> None:
        """Add the updates, layer summaries and evaluations stored since the last call; read the status."""
        conn = self.store.connection()
        status = run_status(conn, self.run_id)
        if status is None:
            self.state, self.error = "failed", f"run {self.run_id} was deleted from the run store"
            return
        rows = new_updates(conn, self.run_id, self._seen)
        h = self.history
        for i in range(len(rows["iteration"])):
            row = {name: values[i] for name, values in rows.items()}
            h.iterations.append(row["iteration"])
            h.epochs.append(row["epoch"])
            h.infos.append(_info(row))
            h.scores.append(float("nan") if row["score"] is None else row["score"])
        if rows["iteration"]:
            self._seen, self._last_wall = rows["iteration"][-1], rows["wall_time"][-1]
        for epoch, ev in new_reports(conn, self.run_id, self._seen_report):
            h.evaluations.append((epoch, ev))
            self._seen_report = epoch
        for iteration, taken in new_summaries(conn, self.run_id, self._seen_summary):
            h.histograms.append((iteration, taken))
            self._seen_summary = iteration
        self.state, self.error, self._started, self._ended = status

    def snapshot(self):
        """The network of the run's latest stored snapshot (while and after training); before the
        first one, a copy of ``net`` (the network it starts from)."""
        try:
            return self.store.load_network(self.run_id)
        except RunStoreError:
            return self.net.copy()
