"""A run's metrics as two CSV files (one row per update, one row per epoch), or as TensorBoard
event files.

CSV numbers are written so that reading them back with ``float``/``int`` gives the stored values
exactly (Python's shortest round-tripping repr); a missing value (NaN, or -1 for an integer
column) is an empty cell. Per-layer columns are ``grad_norm_<layer>`` and ``update_ratio_<layer>``.

TensorBoard (``pip install 'rnn-workbench[tensorboard]'``: tensorboardX writes the files, no
TensorFlow needed): scalars ``loss/score``, ``loss/per_step``, ``learning_rate`` and per layer
``grad_norm/<layer>``, ``update_ratio/<layer>`` at each update's iteration and wall time, and
``eval/<metric>`` at each epoch (counted from 1, as the app shows them).
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


def write_tensorboard(metrics, folder: Path, layer_names: list) -> Path:
    """Event files of a RunMetrics in ``folder`` (created); returns it. ``layer_names``: one per
    column of the per-layer metrics."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError("export_tensorboard needs tensorboardX: pip install 'rnn-workbench[tensorboard]'") from None
    u = metrics.updates
    scalars = [("loss/score", u["score"]), ("loss/per_step", u["loss_per_step"]),
               ("learning_rate", u["learning_rate"])]
    for prefix, key in (("grad_norm", "grad_norms"), ("update_ratio", "update_ratios")):
        scalars += [(f"{prefix}/{name}", u[key][:, i]) for i, name in enumerate(layer_names[:u[key].shape[1]])]
    with SummaryWriter(logdir=str(folder)) as writer:
        for i, (step, wall) in enumerate(zip(u["iteration"], u["wall_time"])):
            for tag, values in scalars:
                if not math.isnan(values[i]):
                    writer.add_scalar(tag, float(values[i]), int(step), walltime=float(wall))
        for name, (epochs, values) in sorted(metrics.epochs.items()):
            for epoch, value in zip(epochs, values):
                if not math.isnan(value):
                    writer.add_scalar(f"eval/{name}", float(value), int(epoch) + 1)
    return folder
