"""``RunStore``: create, list, read, rename and delete runs; their metrics, model and CSV export."""
from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


from workbench.backend.columns import blob_rows, float_column, int_column
from workbench.errors import InputTypeError, InvalidInputError, ModelFileError, RunStoreError, UnknownRunError
from workbench.runs.export import write_csv, write_tensorboard
from workbench.runs.schema import STATUSES, connect, default_path, snapshot, transaction
from workbench.runs.writer import RunWriter

_INT_COLUMNS = ("iteration", "epoch", "batch", "segment", "t0", "t1", "labelled_steps", "examples", "length")
_FLOAT_COLUMNS = ("score", "loss_per_step", "learning_rate", "wall_time")
_LAYER_COLUMNS = ("grad_norms", "update_ratios")
_RUN_COLUMNS = "id, name, task, configuration, settings, seed, status, error, created, started, ended"


@dataclass(frozen=True)
class Run:
    """One run as stored; times are Unix seconds (None: not yet). ``final_metrics`` are those of
    its last stored epoch, ``updates`` the number of update rows flushed."""

    id: int
    name: str
    task: str
    configuration: dict
    settings: dict
    seed: int | None
    status: str
    error: str | None
    created: float
    started: float | None
    ended: float | None
    updates: int
    final_metrics: dict
    has_model: bool


@dataclass(frozen=True)
class RunMetrics:
    """A run's metrics as arrays. ``updates``: column -> (n,) array in iteration order; integers are
    int64 (-1 where missing), the rest float64 (NaN where missing); ``grad_norms`` and
    ``update_ratios`` are (n, layers). ``epochs``: metric name -> (epochs (m,) int64, values (m,))."""

    updates: dict
    epochs: dict


def _json(value, who: str, what: str) -> str:
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{who}: {what} must be JSON data (dicts, lists, str, finite numbers), got "
                                f"{type(value).__name__} ({exc})") from None


class RunStore:
    """The runs of one SQLite file (default :func:`~workbench.runs.schema.default_path`). Each thread
    (and process) uses its own connection; every method may be called from any thread."""

    def __init__(self, path=None):
        if path is None:
            path = default_path()
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.path = Path(path)
        except TypeError:
            raise InputTypeError(f"RunStore: path must be a str or os.PathLike, got {type(path).__name__}") from None
        self._local, self._all, self._lock = threading.local(), [], threading.Lock()
        self.connection()                                          # refuse a bad file now, not on first use

    def connection(self):
        """This thread's connection to the file (a new one after a fork)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = connect(self.path)
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this store opened (writers close their own)."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- runs ----
    def create_run(self, name: str, task: str, configuration, settings: dict | None = None,
                   seed: int | None = None) -> int:
        """A new queued run; ``configuration`` a MultiLayerConfiguration or its dict, ``settings``
        the training settings (epochs, backend, data, ...). Returns its id."""
        for arg, value in (("name", name), ("task", task)):
            if not isinstance(value, str):
                raise InputTypeError(f"create_run: {arg} must be a str, got {type(value).__name__}")
        row = (name, task, _json(configuration, "create_run", "configuration"),
               _json(settings or {}, "create_run", "settings"), None if seed is None else int(seed), time.time())
        with transaction(self.connection()) as c:
            cur = c.execute("INSERT INTO runs (name, task, configuration, settings, seed, status, created) "
                            "VALUES (?, ?, ?, ?, ?, 'queued', ?)", row)
        return cur.lastrowid

    def writer(self, run_id: int, batch_rows: int = 500, flush_seconds: float = 1.0) -> RunWriter:
        """The writer of run ``run_id`` (its own connection; close it, or use it in a ``with``)."""
        return RunWriter(self.path, self._id(run_id, "writer"), batch_rows, flush_seconds)

    def list_runs(self, task: str | None = None, status=None) -> list[Run]:
        """Every run (oldest first), or those of ``task`` and/or ``status`` (one, or several)."""
        where, args = [], []
        if task is not None:
            where.append("task = ?")
            args.append(task)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            unknown = [s for s in statuses if s not in STATUSES]
            if unknown:
                raise InvalidInputError(f"list_runs: status must be among {', '.join(STATUSES)}, got {unknown}")
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            args += statuses
        return self._runs(" AND ".join(where) or "1", args)

    def get_run(self, run_id: int) -> Run:
        runs = self._runs("id = ?", [self._id(run_id, "get_run")])
        if not runs:
            raise UnknownRunError(f"get_run: run {run_id!r} is not in the store {str(self.path)!r}", self.path)
        return runs[0]

    def _runs(self, where: str, args: list) -> list[Run]:
        with snapshot(self.connection()) as c:
            rows = c.execute(f"SELECT {_RUN_COLUMNS}, (SELECT count(*) FROM updates u WHERE u.run_id = r.id), "
                             "EXISTS (SELECT 1 FROM models m WHERE m.run_id = r.id) "
                             f"FROM runs r WHERE {where} ORDER BY id", args).fetchall()
            final = {}
            for run_id, name, value in c.execute(
                    "SELECT run_id, name, value FROM epochs e WHERE epoch = "
                    "(SELECT max(epoch) FROM epochs WHERE run_id = e.run_id) ORDER BY name"):
                final.setdefault(run_id, {})[name] = math.nan if value is None else value
        return [Run(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]), *r[5:11], r[11], final.get(r[0], {}),
                    bool(r[12])) for r in rows]

    def rename(self, run_id: int, name: str) -> None:
        if not isinstance(name, str):
            raise InputTypeError(f"rename: name must be a str, got {type(name).__name__}")
        self._change("rename", run_id, "UPDATE runs SET name = ? WHERE id = ?", (name, run_id))

    def delete(self, run_id: int) -> None:
        """Remove the run with its metrics and model."""
        self._change("delete", run_id, "DELETE FROM runs WHERE id = ?", (run_id,))

    def _change(self, who, run_id, sql, args):
        self._id(run_id, who)
        with transaction(self.connection()) as c:
            if c.execute(sql, args).rowcount == 0:
                raise UnknownRunError(f"{who}: run {run_id!r} is not in the store {str(self.path)!r}", self.path)

    def _id(self, run_id, who) -> int:
        if isinstance(run_id, bool) or not isinstance(run_id, numbers.Integral):
            raise InputTypeError(f"{who}: run_id must be an int (from create_run or list_runs), got "
                                 f"{type(run_id).__name__}")
        return int(run_id)

    def _require(self, run_id, who="writer") -> int:
        run_id = self._id(run_id, who)
        if self.connection().execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            raise UnknownRunError(f"{who}: run {run_id!r} is not in the store {str(self.path)!r}", self.path)
        return run_id

    # ---- metrics, model, export ----
    def metrics(self, run_id: int) -> RunMetrics:
        """The run's flushed update rows and epoch metrics, as arrays."""
        run_id = self._require(run_id, "metrics")
        cols = _INT_COLUMNS + _FLOAT_COLUMNS + _LAYER_COLUMNS
        with snapshot(self.connection()) as c:
            rows = c.execute(f"SELECT {', '.join(cols)} FROM updates WHERE run_id = ? ORDER BY iteration",
                             (run_id,)).fetchall()
            stored = c.execute("SELECT name, epoch, value FROM epochs WHERE run_id = ? ORDER BY name, epoch",
                               (run_id,)).fetchall()
        columns = list(zip(*rows)) if rows else [()] * len(cols)
        updates = {}
        for name, values in zip(cols, columns):
            if name in _INT_COLUMNS:
                updates[name] = int_column(values)
            elif name in _FLOAT_COLUMNS:
                updates[name] = float_column(values)
            else:
                updates[name] = blob_rows(values)
        epochs = {}
        for name, epoch, value in stored:
            epochs.setdefault(name, ([], []))
            epochs[name][0].append(epoch)
            epochs[name][1].append(value)
        return RunMetrics(updates, {k: (int_column(e), float_column(v)) for k, (e, v) in
                                    epochs.items()})

    def load_network(self, run_id: int, backend: str = "numpy"):
        """The run's final network, read by the model-file loader (no code runs; a corrupt blob is a
        ModelFileError)."""
        from workbench.io import load_network
        run_id = self._require(run_id, "load_network")
        row = self.connection().execute("SELECT data FROM models WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunStoreError(f"load_network: run {run_id} has no model file (status "
                                f"{self.get_run(run_id).status!r}); a writer stores one with attach_model",
                                self.path)
        with tempfile.TemporaryDirectory(prefix="workbench-run-") as folder:
            tmp = Path(folder) / f"run-{run_id}.zip"
            tmp.write_bytes(row[0])
            try:
                return load_network(tmp, backend)
            except ModelFileError as exc:
                raise ModelFileError(str(exc).replace(str(tmp), f"{self.path}: run {run_id}'s model"), self.path,
                                     exc.member) from None

    def export_csv(self, run_id: int, folder) -> tuple[Path, Path]:
        """Write ``run-<id>-updates.csv`` (one row per update) and ``run-<id>-epochs.csv`` (one row
        per epoch, a column per metric) into ``folder``; returns their paths."""
        return write_csv(self.metrics(run_id), Path(folder), f"run-{self._id(run_id, 'export_csv')}")

    def export_tensorboard(self, run_id: int, folder) -> Path:
        """Write the run's metrics as TensorBoard event files into ``folder`` (made when missing;
        ``tensorboard --logdir`` on its parent compares runs); needs the ``tensorboard`` extra."""
        run = self.get_run(self._id(run_id, "export_tensorboard"))
        layers = run.configuration.get("layers", [])
        names = [f"{i}_{layer.get('type', 'layer')}" for i, layer in enumerate(layers)]
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return write_tensorboard(self.metrics(run.id), folder, names)
