"""A run's metrics as two CSV files: one row per update, one row per epoch.

Numbers are written so that reading them back with ``float``/``int`` gives the stored values
exactly (Python's shortest round-tripping repr); a missing value (NaN, or -1 for an integer
column) is an empty cell. Per-layer columns are ``grad_norm_<layer>`` and ``update_ratio_<layer>``.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path


def _cell(value, integer: bool) -> str:
    if integer:
        return "" if value < 0 else str(int(value))
    return "" if math.isnan(value) else repr(float(value))


def write_csv(metrics, folder: Path, stem: str) -> tuple[Path, Path]:
    """``<stem>-updates.csv`` and ``<stem>-epochs.csv`` in ``folder``, from a RunMetrics."""
    if not folder.is_dir():
        raise FileNotFoundError(f"export_csv: the folder {str(folder)!r} does not exist")
    u = metrics.updates
    flat = [(name, u[name], u[name].dtype.kind == "i") for name in u if u[name].ndim == 1]
    for prefix, key in (("grad_norm", "grad_norms"), ("update_ratio", "update_ratios")):
        flat += [(f"{prefix}_{i}", u[key][:, i], False) for i in range(u[key].shape[1])]
    updates_path, epochs_path = folder / f"{stem}-updates.csv", folder / f"{stem}-epochs.csv"
    with open(updates_path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow([name for name, _, _ in flat])
        for i in range(len(u["iteration"])):
            out.writerow([_cell(col[i], integer) for _, col, integer in flat])
    names = sorted(metrics.epochs)
    table = {}
    for name in names:
        for epoch, value in zip(*metrics.epochs[name]):
            table.setdefault(int(epoch), {})[name] = value
    with open(epochs_path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["epoch", *names])
        for epoch in sorted(table):
            out.writerow([epoch, *(_cell(table[epoch].get(n, math.nan), False) for n in names)])
    return updates_path, epochs_path
