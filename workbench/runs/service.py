"""The runs of one app server: its run store, and the Dask cluster its runs train on.

``RunService(store_path=None, address=None)`` opens the run store (default file, or
``$WORKBENCH_RUNS``) and, on first need, the cluster: ``address`` or ``$WORKBENCH_DASK_ADDRESS``,
else an embedded :func:`~workbench.distributed.local_cluster` of one worker per core. The cluster
starts in a background thread (``warm_up()``, called by the page once it has painted), so nothing
waits for it: ``start(...)`` writes the run to the store at once (status queued) and submits it
when the client is ready; a run waits in the scheduler's queue while every worker is busy.

Every session of the server shares the service (:func:`shared_service`), so a run started in one
page can be followed, paused and stopped from another. Runs left running by a server that has
gone (its embedded workers died with it) are marked failed when the next service opens the store.
"""
from __future__ import annotations

import importlib
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from workbench.distributed.cluster import ADDRESS_VARIABLE
from workbench.runs.followed import FollowedRun
from workbench.runs.schema import ENDED, STATUSES
from workbench.runs.store import RunStore

NICENESS = 10          # the app's runs yield the cores to the server and the browser (idle cores: full speed)
EVALUATION_KINDS = {"classification": "classification", "characters": "classification", "regression": "regression"}


def _alive(pid) -> bool:
    """Whether process ``pid`` of this machine exists (False for anything but a positive int)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:                     # someone else's process: alive
        return True
    return True


def _import_training() -> None:
    """What a worker imports to train a run (run on each worker when the cluster is connected)."""
    for module in ("workbench.eval", "workbench.io", "workbench.nn.trainer", "workbench.runs.remote"):
        importlib.import_module(module)


class RunService:
    """A run store and, started lazily, the client of the cluster its runs train on."""

    def __init__(self, store_path=None, address: str | None = None, n_workers: int | None = None):
        self.store = RunStore(store_path)
        self.address = address or os.environ.get(ADDRESS_VARIABLE) or None
        self.n_workers = n_workers
        self.owner = {"host": socket.gethostname(), "pid": os.getpid(), "cluster": self.address or "embedded"}
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="workbench-runs")   # start, then submit, in order
        self._client, self._lock, self._live = None, threading.Lock(), {}
        self.fail_orphans()

    # ---- the cluster ----
    def warm_up(self):
        """Start connecting (or starting the embedded cluster) in the background; returns the
        concurrent Future of the client. Idempotent."""
        with self._lock:
            if self._client is None:
                self._client = self._pool.submit(self._connect)
            return self._client

    def _connect(self):
        from workbench.distributed.cluster import connect, local_cluster
        client = connect(self.address) if self.address else local_cluster(self.n_workers)
        client.run(_import_training)            # the first run on each worker does not wait for its imports
        return client

    @property
    def client(self):
        """The Dask client (waits for the cluster to start)."""
        return self.warm_up().result()

    # ---- runs ----
    def start(self, name: str, task: str, net, data, epochs: int, test=None, kind: str = "classification",
              settings: dict | None = None, model: bytes | None = None) -> FollowedRun:
        """Store a new queued run of ``net``'s configuration and train it on a worker: from ``model``
        (the bytes of a model zip, to continue a trained network) or from a new network of the
        configuration. ``data``/``test``: as :func:`~workbench.runs.remote.submit_run` takes
        them. Returns the followed run at once (submission waits for the cluster in the background)."""
        from workbench.nn.trainer import count_updates
        settings = {"epochs": epochs, "backend": "numpy", "updates": count_updates(net, data) * epochs,
                    "first_epoch": net.epoch_count, "evaluate": test is not None, "owner": self.owner,
                    **(settings or {})}
        run_id = self.store.create_run(name, task, net.conf, settings, seed=net.conf.seed)
        followed = FollowedRun(self.store, run_id, net)
        with self._lock:
            self._live[run_id] = followed
        self.warm_up()
        self._pool.submit(self._submit, followed, data, epochs, test, EVALUATION_KINDS.get(kind, kind), model)
        return followed

    def _submit(self, followed: FollowedRun, data, epochs, test, kind, model):
        from workbench.runs.remote import submit_run
        try:
            if followed.stop_requested:                     # stopped before it was sent
                with self.store.writer(followed.run_id) as w:
                    w.set_status("stopped")
                return
            remote = submit_run(self.client, self.store.path, followed.run_id, data, epochs, model=model,
                                evaluate=None if test is None else (test, kind), niceness=NICENESS)
        except Exception as exc:                            # noqa: BLE001 - said as the run's error
            with self.store.writer(followed.run_id) as w:
                w.set_status("failed", f"the run could not be sent to the cluster: {type(exc).__name__}: {exc}")
            return
        followed.attach(remote)

    def follow(self, run_id: int) -> FollowedRun:
        """The run as this server trains it (shared by its sessions), or as stored."""
        with self._lock:
            live = self._live.get(run_id)
        return live if live is not None else FollowedRun(self.store, run_id)

    def fail_orphans(self) -> None:
        """Mark failed the runs not ended whose embedded cluster belonged to a server process of
        this machine that is gone (its workers died with it)."""
        for run in self.store.list_runs(status=[s for s in STATUSES if s not in ENDED]):
            owner = run.settings.get("owner") or {}
            if owner.get("cluster") == "embedded" and owner.get("host") == self.owner["host"] and \
                    owner.get("pid") != self.owner["pid"] and not _alive(owner.get("pid")):
                with self.store.writer(run.id) as w:
                    w.set_status("failed", f"the app server that trained it (process {owner.get('pid')}) stopped, and "
                                 "its embedded workers with it; the last snapshot is kept")

    def close(self) -> None:
        """Stop this server's live runs and the cluster client (an embedded cluster ends with it)."""
        with self._lock:
            live, client = list(self._live.values()), self._client
        for run in live:
            if run.alive:
                run.stop()
        if client is not None:
            client.result().close()
        self._pool.shutdown(wait=False)
        self.store.close()


_shared, _shared_lock = None, threading.Lock()


def shared_service() -> RunService:
    """The process's RunService (made on first call, closed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit
            _shared = RunService()
            atexit.register(_shared.close)
        return _shared
