"""The one writer of a run: batched update rows, epoch metrics, status and the final model.

``append_update`` has a training listener's signature, so ``net.fit(data, listeners=[writer.
append_update])`` records a run. Rows wait in memory and are committed in one transaction every
``batch_rows`` rows or ``flush_seconds`` seconds (checked on append), before every epoch, status
or model write, and on ``close``: a crash loses at most the rows not yet flushed.
"""
from __future__ import annotations

import json
import math
import sqlite3
import tempfile
import threading
import time
from pathlib import Path


from workbench.backend.columns import float_blob
from workbench.errors import InvalidInputError, RunStoreError, UnknownRunError
from workbench.runs.schema import ENDED, STATUSES, connect, transaction

_INSERT_UPDATE = "INSERT INTO updates VALUES (" + ", ".join("?" * 16) + ")"


def _number(value):
    """A float, or None for NaN/inf/missing (SQLite's NULL)."""
    return None if value is None or not math.isfinite(value) else float(value)


def _int(value):
    return None if value is None else int(value)


def update_row(run_id: int, iteration: int, epoch: int, score: float, info: dict, wall_time: float) -> tuple:
    """The ``updates`` row of one parameter update (``info`` as fit's and BackgroundTrainer's listeners get it)."""
    t0, t1 = info.get("time_range", (None, None))
    steps, examples = _int(info.get("labelled_steps")), _int(info.get("examples"))
    per_step = score * examples / steps if steps and examples is not None else None
    return (run_id, int(iteration), int(epoch), _int(info.get("batch")), _int(info.get("segment")), _int(t0),
            _int(t1), _number(score), _number(per_step), steps, examples, _int(info.get("length")),
            _number(info.get("learning_rate")),
            float(wall_time), float_blob(info.get("grad_norms")), float_blob(info.get("update_ratios")))


def evaluation_metrics(evaluation) -> dict:
    """An epoch's metrics from an evaluation: rmse and r2 of a RegressionEvaluation, else accuracy and f1."""
    if hasattr(evaluation, "r_squared"):
        return {"rmse": evaluation.root_mean_squared_error(), "r2": evaluation.r_squared()}
    return {"accuracy": evaluation.accuracy(), "f1": evaluation.f1()}


class RunWriter:
    """Appends to run ``run_id`` of the store at ``path`` through its own connection (thread-safe:
    the training thread appends while another sets the status). A context manager; closes on exit."""

    def __init__(self, path: Path, run_id: int, batch_rows: int = 500, flush_seconds: float = 1.0):
        if batch_rows < 1 or flush_seconds < 0:
            raise InvalidInputError(f"writer: batch_rows must be >= 1 and flush_seconds >= 0, got {batch_rows} "
                                    f"and {flush_seconds}")
        self.path, self.run_id = path, run_id
        self.batch_rows, self.flush_seconds = batch_rows, flush_seconds
        self._conn = connect(path)
        if self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            self._conn.close()
            raise UnknownRunError(f"writer: run {run_id!r} is not in the store {str(path)!r}", path)
        self._rows, self._summaries, self._lock = [], [], threading.Lock()
        self._last_flush = time.monotonic()
        self.flushed = 0                     # update rows committed by this writer

    def append_update(self, iteration: int, epoch: int, score: float, info: dict | None = None,
                      wall_time: float | None = None) -> None:
        """Queue one update's row (wall_time: Unix seconds, now by default); flush when one is due."""
        row = update_row(self.run_id, iteration, epoch, score, info or {},
                         time.time() if wall_time is None else wall_time)
        with self._lock:
            self._check_open()
            self._rows.append(row)
            due = (len(self._rows) >= self.batch_rows
                   or time.monotonic() - self._last_flush >= self.flush_seconds)
        if due:
            self.flush()

    def append_summary(self, iteration: int, summaries: dict) -> None:
        """Queue the layer summaries taken after update ``iteration`` (JSON data, as
        :func:`~workbench.nn.layer_summaries.to_plain` makes); flushed with the update rows."""
        row = (self.run_id, int(iteration), json.dumps(summaries, allow_nan=False))
        with self._lock:
            self._check_open()
            self._summaries.append(row)

    def append_epoch(self, epoch: int, metrics: dict, evaluation=None) -> None:
        """Store ``{name: value}`` of one epoch (e.g. accuracy, f1, rmse, r2), and the evaluation
        itself when given (its ``to_dict()``: the confusion matrix); commits at once."""
        rows = [(self.run_id, int(epoch), str(k), _number(v)) for k, v in metrics.items()]
        report = None if evaluation is None else (self.run_id, int(epoch), json.dumps(evaluation.to_dict()))

        def write(c):
            c.executemany("INSERT OR REPLACE INTO epochs VALUES (?, ?, ?, ?)", rows)
            if report is not None:
                c.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?)", report)
        self._write(write)

    def set_status(self, status: str, error: str | None = None) -> None:
        """``queued``, ``running`` (sets the start time once), ``paused``, or an end status
        (``finished``, ``stopped``, ``failed`` with ``error``: sets the end time)."""
        if status not in STATUSES:
            raise InvalidInputError(f"set_status: status must be one of {', '.join(STATUSES)}, got {status!r}")
        now = time.time()
        self._write(lambda c: c.execute(
            "UPDATE runs SET status = ?, error = ?, started = CASE WHEN ? AND started IS NULL THEN ? "
            "ELSE started END, ended = CASE WHEN ? THEN ? ELSE ended END WHERE id = ?",
            (status, error, status == "running", now, status in ENDED, now, self.run_id)))

    def attach_model(self, model) -> None:
        """Store the run's model file: a network (saved with ``net.save``) or the zip's bytes."""
        if isinstance(model, (bytes, bytearray, memoryview)):
            data = bytes(model)
        elif hasattr(model, "save"):
            with tempfile.TemporaryDirectory(prefix="workbench-run-") as folder:
                model.save(Path(folder) / "model.zip")
                data = (Path(folder) / "model.zip").read_bytes()
        else:
            raise InvalidInputError(f"attach_model: model must be a MultiLayerNetwork or the bytes of its "
                                    f"model file, got {type(model).__name__}")
        self._write(lambda c: c.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?)",
                                        (self.run_id, data, time.time())))

    def flush(self) -> None:
        """Commit the queued update rows in one transaction."""
        self._write(None)

    def _write(self, more):
        """One transaction: the queued rows, then ``more(conn)``. On failure the rows stay queued."""
        with self._lock:
            self._check_open()
            rows, summaries = self._rows, self._summaries
            try:
                with transaction(self._conn) as c:
                    c.executemany(_INSERT_UPDATE, rows)
                    c.executemany("INSERT OR REPLACE INTO summaries VALUES (?, ?, ?)", summaries)
                    if more is not None:
                        more(c)
            except sqlite3.IntegrityError as exc:
                raise RunStoreError(f"run {self.run_id}: the store refused the write ({exc}): the run was "
                                    "deleted, or an iteration was appended twice", self.path) from None
            self._rows, self._summaries, self.flushed = [], [], self.flushed + len(rows)
            self._last_flush = time.monotonic()

    def _check_open(self):
        if self._conn is None:
            raise RunStoreError(f"run {self.run_id}: this writer is closed; take a new one with "
                                "RunStore.writer(run_id)", self.path)

    def close(self) -> None:
        """Flush and close the connection (a second close does nothing)."""
        if self._conn is not None:
            try:
                self.flush()
            finally:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
