"""Input checks shared by the evaluators: arrays through the library's policy, labels and
predictions of one shape, masks of 0/1 flattened to rows (``b * time + t``)."""
from __future__ import annotations

from workbench.backend import cpu, real_array, to_numpy
from workbench.errors import InvalidInputError

np = cpu.xp


def labels_and_predictions(labels, predictions, what):
    """NumPy (labels, predictions) of one shape, ``[batch, what]`` or ``[batch, what, time]``."""
    y, p = host(labels, "labels"), host(predictions, "predictions")
    if y.ndim not in (2, 3):
        raise InvalidInputError(f"labels: expected [batch, {what}] or [batch, {what}, time], got shape {y.shape}")
    if p.shape != y.shape:
        raise InvalidInputError(f"predictions: expected the labels' shape {y.shape}, got {p.shape}")
    return y, p


def check_finite(rows, name):
    """Refuse NaN/inf in the rows that count (padding may hold anything)."""
    if not (rows if rows.dtype == bool else np.isfinite(rows)).all():
        raise InvalidInputError(f"{name} contain NaN or inf at steps that count (unmasked)")


def host(a, name):
    """A NumPy array of real numbers (see :func:`workbench.backend.real_array`)."""
    return to_numpy(real_array(a, name))


def flat_mask(mask, shape):
    """The mask checked against the labels' shape, as a flat bool array over rows (b*time + t)."""
    m = host(mask, "mask")
    if len(shape) == 3:
        ok, expected = m.shape == (shape[0], shape[2]), f"[batch, time] = {(shape[0], shape[2])}"
    else:
        ok, expected = m.shape in ((shape[0],), (shape[0], 1)), f"[batch] or [batch, 1] with batch = {shape[0]}"
    if not ok:
        raise InvalidInputError(f"mask: expected shape {expected} for labels of shape {shape}, got {m.shape}")
    check_01(m, "mask")
    return m.reshape(-1).astype(bool)


def check_01(m, what):
    """ValueError unless every value of ``m`` is 0 or 1 (bool passes; NaN does not)."""
    if m.dtype == bool:
        return
    bad = ~((m == 0) | (m == 1))
    if bad.any():
        raise InvalidInputError(f"{what}: values must be 0 or 1 (1 = counts), got {np.unique(m[bad])[:5]}")
