"""A stored run trained in a Dask worker: ``submit_run`` and the client's handle, ``RemoteRun``.

The worker builds the network from the run's configuration (or from a model zip, to continue one),
trains it with a :class:`~workbench.nn.training.Trainer` and writes everything to the run store
itself: update rows (flushed every 0.1 s) with the step counts BackgroundTrainer records
(:func:`~workbench.nn.trainer.step_info`), the metrics of an evaluation after each epoch, status,
and a model snapshot every ``snapshot_every`` seconds, on pause and at the end. The store is one
SQLite file that client and worker both open (WAL), so this needs workers that see the client's file system (the embedded ``LocalCluster``, or
a cluster sharing the folder).

Channels, and why:

- progress: read back from the store (``updates`` rows with a larger iteration), not from a
  ``distributed.Queue``. The rows must be in the store anyway (every run is kept); reading them is
  one indexed query, they cross no scheduler, a page opened later (or another session) reads the
  same rows, and nothing is lost when the client is slow to poll. 0.1 s flushes give ~10 reads/s.
- control: one ``distributed.Variable`` per run holding ``"run"``, ``"pause"`` or ``"stop"``. A
  Variable keeps the latest command (an Event has two states, a Queue would pile up clicks); the
  worker reads it after an update at most every ``poll_every`` seconds (0.1 s: a scheduler round
  trip of ~1 ms, not one per update) and every ``poll_every`` while paused.
- the latest parameters: the snapshot in the store's ``models`` table (a model zip), so the last
  one survives the worker.

A worker that dies mid-run: the scheduler hands the task to another worker, which finds the run
already started and marks it failed (WorkerLostError's message) instead of training it twice; when
the scheduler gives up instead (the task's data lost, or KilledWorker), the client marks it failed.
Either way the last snapshot stays in the store.

    run_id = store.create_run("lstm", "classification", conf, {"epochs": 5})
    run = submit_run(client, store.path, run_id, train, evaluate=(test, "classification"))
    run.progress()["loss_per_step"]; run.epochs(); run.pause(); run.resume(); run.stop()
    run.wait(); run.state, run.error; run.latest_network()
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

from distributed import Future, Variable

from workbench.errors import InvalidInputError, RunStoreError, TrainingDivergedError, WorkerLostError
from workbench.runs.reading import new_epochs, new_updates, run_status
from workbench.runs.schema import ENDED, connect
from workbench.runs.store import RunStore
from workbench.eval import evaluate
from workbench.runs.writer import evaluation_metrics

KINDS = ("classification", "regression")


class _Stop(Exception):
    """Raised by the worker's listener to leave ``Trainer.fit`` after an update."""


def _network(conf: dict, model: bytes | None, backend: str):
    """A new network of ``conf`` (initialised from its seed), or the one in model zip ``model``."""
    from workbench.conf import MultiLayerConfiguration
    from workbench.io import load_network
    from workbench.nn import MultiLayerNetwork
    if model is None:
        return MultiLayerNetwork(MultiLayerConfiguration.from_dict(conf), backend).init()
    with tempfile.TemporaryDirectory(prefix="workbench-run-") as folder:
        path = Path(folder) / "model.zip"
        path.write_bytes(model)
        return load_network(path, backend)


def _is_loader(data) -> bool:
    return callable(data) and not hasattr(data, "features")


class _Control:
    """The listener of a run in a worker: writes each update (with the step counts of the minibatch
    ``data.current``), snapshots the model every ``snapshot_every`` s, and obeys the control
    Variable (read at most every ``poll_every`` s)."""

    def __init__(self, writer, net, data, control: Variable, snapshot_every: float, poll_every: float):
        from workbench.nn.layer_summaries import LayerSummaries
        self.writer, self.net, self.data, self.control = writer, net, data, control
        self.snapshot_every, self.poll_every = snapshot_every, poll_every
        self.summaries = LayerSummaries(net)
        self._last_snapshot = self._last_poll = time.monotonic()

    def __call__(self, iteration, epoch, score, info):
        from workbench.nn.layer_summaries import to_plain
        from workbench.nn.trainer import step_info
        info.update(step_info(self.net, self.data.current, *info["time_range"]))
        taken = self.summaries.take(self.data.current, *info["time_range"])
        if taken:
            self.writer.append_summary(iteration, to_plain(taken))
        self.writer.append_update(iteration, epoch, score, info)
        now = time.monotonic()
        if now - self._last_snapshot >= self.snapshot_every:
            self.snapshot()
        if now - self._last_poll >= self.poll_every:
            self._last_poll = now
            self._obey(self.control.get())

    def snapshot(self):
        self.writer.attach_model(self.net)
        self._last_snapshot = time.monotonic()

    def _obey(self, command: str):
        if command == "pause":
            self.writer.set_status("paused")
            self.snapshot()                         # the Step tab can look at the paused network
            while command == "pause":
                time.sleep(self.poll_every)
                command = self.control.get()
            if command != "stop":
                self.writer.set_status("running")
        if command == "stop":
            raise _Stop


def _lower_priority(niceness: int) -> None:
    """Give the calling thread (Linux: only it) at least ``niceness``, so a busy worker yields the
    cores to the web server and the browser on the same machine; raising it back needs privileges,
    so a lower value than the thread's is left alone."""
    try:
        tid = threading.get_native_id()
        if niceness > os.getpriority(os.PRIO_PROCESS, tid):
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except (AttributeError, OSError):                         # not Linux/Unix: run as it is
        pass


def train_run(store_path: str, run_id: int, data, epochs: int, model: bytes | None, backend: str,
              control_name: str, snapshot_every: float = 1.0, poll_every: float = 0.1, test=None,
              kind: str = "classification", niceness: int = 0) -> dict:
    """The task a worker runs (see the module docstring); returns ``{"status", "error",
    "iterations"}`` (plain data). ``data``/``test``: a DataSet, a list of them, or a picklable
    callable returning one of those; after each epoch the ``kind`` evaluation on ``test`` (when
    given) is stored as that epoch's metrics. ``niceness`` > 0 lowers the training thread's
    priority (the app's runs: the page stays responsive while every core trains)."""
    if niceness:
        _lower_priority(niceness)
    store = RunStore(store_path)
    writer = store.writer(run_id, flush_seconds=0.1)
    net, status, error = None, "failed", None
    try:
        run = store.get_run(run_id)
        if run.status != "queued":
            raise WorkerLostError(f"run {run_id}: the worker training it died or was lost (the run was already "
                                  f"{run.status}, with {run.updates} updates stored); the last snapshot is kept: "
                                  "start a new run from it to go on")
        writer.set_status("running")
        net = _network(run.configuration, model, backend)
        data, test = (x() if _is_loader(x) else x for x in (data, test))
        if epochs > 1 and not hasattr(data, "features") and not hasattr(data, "reset") and iter(data) is data:
            raise InvalidInputError("fit: data is a one-shot iterator and would be empty after the first epoch; "
                                    "pass a list of DataSets or an iterator with reset()")
        from workbench.nn.trainer import WatchedData
        from workbench.nn.training import Trainer
        watched = WatchedData(data)
        control = _Control(writer, net, watched, Variable(control_name), snapshot_every, poll_every)
        trainer = Trainer(net, control, layer_stats=True, on_gradient=control.summaries.on_gradient)
        for _ in range(epochs):                               # one fit per epoch, as BackgroundTrainer
            trainer.fit(watched, 1)
            if test is not None:
                ev = evaluate(net, test, kind, labels=run.settings.get("class_names"))
                writer.append_epoch(net.epoch_count - 1, evaluation_metrics(ev), ev)
        status = "finished"
    except _Stop:
        status = "stopped"
    except (TrainingDivergedError, WorkerLostError) as exc:   # the network keeps its last finite update
        error = str(exc)
    except Exception as exc:                                  # noqa: BLE001 - a failed run is a status
        error = f"{type(exc).__name__}: {exc}"
    try:
        if net is not None:
            writer.attach_model(net)
        writer.set_status(status, error)
    finally:
        writer.close()
        store.close()
        Variable(control_name).delete()
    return {"status": status, "error": error, "iterations": None if net is None else net.iteration_count}


class RemoteRun:
    """The client's handle of a run training in a worker (made by :func:`submit_run`).

    ``state``: queued, running, paused, stopped, finished or failed (``error`` then says why), as
    the store holds it. ``pause``/``resume``/``stop`` take effect within ``poll_every`` s after the
    current update. ``future`` is the Dask future of :func:`train_run`."""

    def __init__(self, client, store_path: Path, run_id: int, future: Future, control: Variable):
        self.client, self.store_path, self.run_id = client, Path(store_path), run_id
        self.future, self._control = future, control
        self._conn, self._seen, self._seen_epoch = connect(self.store_path), -1, -1
        future.add_done_callback(lambda f: self._lost(f))

    def pause(self) -> None:
        self._command("pause")

    def resume(self) -> None:
        self._command("run")

    def stop(self) -> None:
        self._command("stop")

    def _command(self, command: str) -> None:
        if self.state not in ENDED:
            self._control.set(command)

    @property
    def state(self) -> str:
        return self._status()[0]

    @property
    def error(self) -> str | None:
        return self._status()[1]

    def _status(self) -> tuple:
        if self.future.done():
            self._lost(self.future)
        return run_status(self._conn, self.run_id)[:2]

    def _lost(self, future: Future) -> None:
        """Mark the run failed when its task ended without ending it (worker or data lost)."""
        if future.status == "finished":
            return
        with RunStore(self.store_path) as store:
            if store.get_run(self.run_id).status in ENDED:
                return
            if future.status == "error":
                exc = future.exception()
                reason = f"{type(exc).__name__}: {exc}"
            else:
                reason = "the scheduler cancelled its task: its worker, or the worker holding its data, died"
            with store.writer(self.run_id) as w:
                w.set_status("failed", str(WorkerLostError(
                    f"run {self.run_id}: the worker training it was lost ({reason}); the last snapshot is kept")))

    def wait(self, timeout: float | None = None) -> str:
        """Block until the run ends (or ``timeout`` s pass); returns its state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.state not in ENDED and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.05)
        return self.state

    def progress(self) -> dict:
        """The updates stored since the last call: column (``UPDATE_COLUMNS``) -> list, one entry
        per update in iteration order; ``grad_norms``/``update_ratios`` are lists per layer."""
        out = new_updates(self._conn, self.run_id, self._seen)
        if out["iteration"]:
            self._seen = out["iteration"][-1]
        return out

    def epochs(self) -> list:
        """The epoch metrics stored since the last call: ``[(epoch, {name: value})]`` in epoch
        order (NaN where a value was not finite); empty without ``evaluate``."""
        out = new_epochs(self._conn, self.run_id, self._seen_epoch)
        if out:
            self._seen_epoch = out[-1][0]
        return out

    def latest_network(self, backend: str = "numpy"):
        """The network of the latest snapshot (while and after training), or None before the first."""
        with RunStore(self.store_path) as store:
            try:
                return store.load_network(self.run_id, backend)
            except RunStoreError:
                if store.get_run(self.run_id).has_model:
                    raise
                return None

    def close(self) -> None:
        """Close this handle's store connection (the run goes on)."""
        self._conn.close()


def submit_run(client, store_path, run_id: int, data, epochs: int | None = None, model: bytes | None = None,
               backend: str | None = None, snapshot_every: float = 1.0, poll_every: float = 0.1,
               evaluate=None, niceness: int = 0) -> RemoteRun:
    """Train queued run ``run_id`` of the store at ``store_path`` in a worker of ``client``.

    ``data``: a DataSet or a list of DataSets (scattered to the cluster once), a Future of one
    (already scattered, e.g. shared by several runs), or a picklable callable returning one (a
    module-level loader: the worker loads the data itself). ``epochs``/``backend``: default the
    run's settings (``"epochs"``, ``"backend"``), else 1 and numpy. ``model``: the bytes of a model
    zip to continue training from, instead of a new network of the run's configuration.
    ``evaluate``: ``(test, kind)`` to store the metrics of an evaluation after each epoch; test
    data as ``data`` (a re-iterable, or a loader of one), ``kind`` classification or regression
    (test alone: the run's task). ``niceness``: see :func:`train_run`."""
    with RunStore(store_path) as store:
        run = store.get_run(run_id)
    if run.status != "queued":
        raise InvalidInputError(f"submit_run: run {run_id} is {run.status}; only a queued run can be submitted "
                                "(create a new run with RunStore.create_run)")
    epochs = run.settings.get("epochs", 1) if epochs is None else epochs
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise InvalidInputError(f"submit_run: epochs must be an int >= 1, got {epochs!r}")
    backend = backend or run.settings.get("backend", "numpy")
    test, kind = evaluate if isinstance(evaluate, tuple) and len(evaluate) == 2 and \
        isinstance(evaluate[1], str) else (evaluate, run.task)
    if test is not None and kind not in KINDS:
        raise InvalidInputError(f"submit_run: evaluate must be (test data, kind) with kind one of {KINDS}, got "
                                f"kind {kind!r}")
    # on every worker: a run then starts on whichever worker is free, not behind a run on the one
    # worker that holds its data
    data, test = (x if x is None or isinstance(x, Future) or _is_loader(x) else
                  client.scatter([x], hash=False, broadcast=True)[0] for x in (data, test))
    control = Variable(f"workbench-run-{run_id}-{uuid.uuid4().hex}", client=client)
    control.set("run")
    future = client.submit(train_run, str(store_path), run_id, data, epochs, model, backend, control.name,
                           snapshot_every, poll_every, test, kind, niceness,
                           key=f"workbench-run-{run_id}-{uuid.uuid4().hex[:8]}", pure=False)
    return RemoteRun(client, store_path, run_id, future, control)
