"""Reading a run as it grows: what was stored after the last row a reader has seen.

Each function takes an open connection (``schema.connect``), a run id and the last iteration or
epoch already read (-1: none), and reads in one snapshot, so a reader polling while a worker
writes never sees half a flush.
"""
from __future__ import annotations

import json
import math

from workbench.backend.columns import blob_floats
from workbench.runs.schema import snapshot

UPDATE_COLUMNS = ("iteration", "epoch", "batch", "segment", "t0", "t1", "score", "loss_per_step",
                  "labelled_steps", "examples", "length", "learning_rate", "wall_time", "grad_norms",
                  "update_ratios")


def new_updates(conn, run_id: int, after: int) -> dict:
    """The update rows with iteration > ``after``: column (``UPDATE_COLUMNS``) -> list in iteration
    order; ``grad_norms``/``update_ratios`` as lists per layer (None where not recorded)."""
    with snapshot(conn) as c:
        rows = c.execute(f"SELECT {', '.join(UPDATE_COLUMNS)} FROM updates WHERE run_id = ? AND iteration > ? "
                         "ORDER BY iteration", (run_id, after)).fetchall()
    out = {name: list(values) for name, values in zip(UPDATE_COLUMNS, zip(*rows))} if rows else \
        {name: [] for name in UPDATE_COLUMNS}
    for name in ("grad_norms", "update_ratios"):
        out[name] = [blob_floats(v) for v in out[name]]
    return out


def new_epochs(conn, run_id: int, after: int) -> list:
    """``[(epoch, {metric: value})]`` of the epochs > ``after`` in order (NaN where not finite)."""
    with snapshot(conn) as c:
        rows = c.execute("SELECT epoch, name, value FROM epochs WHERE run_id = ? AND epoch > ? ORDER BY epoch, name",
                         (run_id, after)).fetchall()
    out = {}
    for epoch, name, value in rows:
        out.setdefault(epoch, {})[name] = math.nan if value is None else value
    return list(out.items())


def new_reports(conn, run_id: int, after: int) -> list:
    """``[(epoch, evaluation)]`` of the epochs > ``after``: the stored Evaluation or RegressionEvaluation."""
    from workbench.eval import evaluation_from_dict
    with snapshot(conn) as c:
        rows = c.execute("SELECT epoch, data FROM reports WHERE run_id = ? AND epoch > ? ORDER BY epoch",
                         (run_id, after)).fetchall()
    return [(epoch, evaluation_from_dict(json.loads(data))) for epoch, data in rows]


def new_summaries(conn, run_id: int, after: int) -> list:
    """``[(iteration, {kind: [summary or None per layer]})]`` of the iterations > ``after``."""
    from workbench.nn.layer_summaries import from_plain
    with snapshot(conn) as c:
        rows = c.execute("SELECT iteration, data FROM summaries WHERE run_id = ? AND iteration > ? ORDER BY "
                         "iteration", (run_id, after)).fetchall()
    return [(iteration, from_plain(json.loads(data))) for iteration, data in rows]


def run_status(conn, run_id: int) -> tuple:
    """(status, error, started, ended) of the run, or None when it is not in the store."""
    return conn.execute("SELECT status, error, started, ended FROM runs WHERE id = ?", (run_id,)).fetchone()
