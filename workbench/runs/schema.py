"""The run store's SQLite file: where it lives, its tables, and opening a connection to it.

Every connection runs in WAL mode (readers never block the one writer, nor it them), waits up to
``BUSY_TIMEOUT_MS`` for a lock instead of failing, enforces foreign keys (deleting a run deletes
its rows) and uses ``synchronous=NORMAL``: a killed process loses no committed transaction, a
power cut at most the last few. Writes go through :func:`transaction` (``BEGIN IMMEDIATE``).
"""
from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import RunStoreError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
STATUSES = ("queued", "running", "paused", "finished", "stopped", "failed")
ENDED = ("finished", "stopped", "failed")

_TABLES = f"""
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    task TEXT NOT NULL,
    configuration TEXT NOT NULL,          -- JSON, MultiLayerConfiguration.to_dict()
    settings TEXT NOT NULL,               -- JSON: epochs, backend, data, ...
    seed INTEGER,
    status TEXT NOT NULL CHECK (status IN {STATUSES}),
    error TEXT,
    created REAL NOT NULL,                -- Unix times, seconds
    started REAL,
    ended REAL
);
CREATE INDEX IF NOT EXISTS runs_by_task ON runs (task, status);
CREATE TABLE IF NOT EXISTS updates (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    iteration INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    batch INTEGER,
    segment INTEGER,                      -- TBPTT segment of the minibatch (0 without TBPTT)
    t0 INTEGER,                           -- the segment's time steps t0..t1-1
    t1 INTEGER,
    score REAL,                           -- NULL: NaN or inf
    loss_per_step REAL,                   -- score * examples / labelled_steps
    labelled_steps INTEGER,
    examples INTEGER,
    length INTEGER,
    learning_rate REAL,
    wall_time REAL NOT NULL,
    grad_norms BLOB,                      -- per layer, little-endian float64
    update_ratios BLOB,
    PRIMARY KEY (run_id, iteration)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epochs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, epoch, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS models (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    data BLOB NOT NULL,                   -- the model zip, as net.save writes it
    saved REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    iteration INTEGER NOT NULL,
    data TEXT NOT NULL,                   -- JSON: per layer histograms of parameters, gradients, activations
    PRIMARY KEY (run_id, iteration)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reports (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    data TEXT NOT NULL,                   -- JSON: the epoch's evaluation (Evaluation.to_dict())
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;
"""
# tables added to version 1 after its first stores were written: created when missing
_ADDED_TABLES = ("summaries", "reports")


def default_path() -> Path:
    """``$WORKBENCH_RUNS``, else ``runs.sqlite`` in the user's data folder: ``$XDG_DATA_HOME`` or
    ``~/.local/share`` on Linux, ``~/Library/Application Support`` on macOS, ``%LOCALAPPDATA%`` on
    Windows, each under ``rnn-workbench/``."""
    if os.environ.get("WORKBENCH_RUNS"):
        return Path(os.environ["WORKBENCH_RUNS"]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "rnn-workbench" / "runs.sqlite"


@contextmanager
def transaction(conn: sqlite3.Connection):
    """``BEGIN IMMEDIATE`` .. ``COMMIT`` (``ROLLBACK`` on any exception): all or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def snapshot(conn: sqlite3.Connection):
    """A read transaction: every read inside sees the same committed state."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store at ``path``, creating it (and its tables) when the file is new or
    empty; a file that is not a run store, or of another schema version, is a RunStoreError."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"RunStore: the folder {str(path.parent)!r} does not exist")
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        _check_schema(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise RunStoreError(f"RunStore: {str(path)!r} is not a run store (SQLite says: {exc})", path) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    with transaction(conn):
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables - {"sqlite_sequence"}:
            for statement in _TABLES.split(";")[:-1]:        # executescript would COMMIT first
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            return
        if "schema_version" not in tables:
            raise RunStoreError(f"RunStore: {str(path)!r} is an SQLite database but not a run store (it has "
                                f"tables {sorted(tables)} and no schema_version); give another path", path)
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version")]
        if versions == [SCHEMA_VERSION] and not set(_ADDED_TABLES) <= tables:
            for statement in _TABLES.split(";")[:-1]:
                if any(f"EXISTS {name} (" in statement for name in _ADDED_TABLES):
                    conn.execute(statement)
    if versions != [SCHEMA_VERSION]:
        raise RunStoreError(f"RunStore: {str(path)!r} has schema version {versions}, this workbench reads version "
                            f"{SCHEMA_VERSION} only; open it with the workbench that wrote it, or give another "
                            "path", path)
