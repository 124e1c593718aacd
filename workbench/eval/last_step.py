"""Each example's output at its last unmasked step (sequence classification, as in the DL4J guide)."""
from __future__ import annotations

from workbench.backend import cpu
from workbench.errors import InvalidInputError
from workbench.eval.checks import check_01, host

np = cpu.xp


def last_time_step_indices(mask):
    """The index of the last 1 in each row of a ``[batch, time]`` mask: int64 ``[batch]``.

    mask: a features or labels mask (bool or 0/1). For a one-hot labels mask (sequence
    classification) this is the argmax of each row; for a features mask [1, 1, 1, 1, 0] it is 3,
    and for a start-padded one [0, 0, 1, 1, 1] it is 4. A row with no 1 is a ValueError.
    """
    m = host(mask, "mask")
    if m.ndim != 2 or m.shape[1] == 0:
        raise InvalidInputError(f"mask: expected [batch, time] with time >= 1, got shape {m.shape}")
    check_01(m, "mask")
    present = m != 0
    empty = ~present.any(axis=1)
    if empty.any():
        bad = np.flatnonzero(empty)
        which = f"example {bad[0]} has" if len(bad) == 1 else \
            f"examples {', '.join(map(str, bad[:10]))}{', ...' if len(bad) > 10 else ''} have"
        raise InvalidInputError(f"mask: {which} no unmasked step (an all-zero mask row has no last time step)")
    return (m.shape[1] - 1 - present[:, ::-1].argmax(axis=1)).astype(np.int64)


def last_time_step(output, mask=None):
    """Each example's output at its last unmasked step: ``[batch, n_out, time]`` -> ``[batch, n_out]``.

    mask: the features or labels mask ``[batch, time]``; None takes the last step of every
    example (all the same length). The result is a new NumPy array.
    """
    y = host(output, "output")
    if y.ndim != 3 or y.shape[2] == 0:
        raise InvalidInputError(f"output: expected [batch, n_out, time] with time >= 1, got shape {y.shape}")
    if mask is None:
        return y[:, :, -1].copy()
    m = host(mask, "mask")
    if m.shape != (y.shape[0], y.shape[2]):
        raise InvalidInputError(f"mask: expected shape [batch, time] = {(y.shape[0], y.shape[2])} "
                         f"for output of shape {y.shape}, got {m.shape}")
    return y[np.arange(y.shape[0]), :, last_time_step_indices(m)]
