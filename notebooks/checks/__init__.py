"""Exercise checks for the teaching notebooks: one module per notebook (``checks.nb02`` for
``02_truncated_bptt``), one function per exercise (``exercise_1``, ...).

A check prints one line and returns True or False; it never raises on a wrong or missing answer,
so "Run all" goes on past an exercise not yet done:

* ``✎ not answered yet: ...`` while the answer cell still holds ``...``,
* ``✘ not yet: <hint>`` for a wrong answer,
* ``✔ right: <why>`` for a right one.

The tests run every notebook with the reference solutions in ``tests/notebooks/solutions`` put in
the answer cells, and require a ✔ from every check.
"""
from __future__ import annotations

import numbers

import numpy as np

RIGHT, WRONG, MISSING = "✔ right", "✘ not yet", "✎ not answered yet"   # in common fonts, unlike emoji


def answered(*values) -> bool:
    """False (after saying so) while any of ``values`` is still ``...`` or holds one at top level."""
    def missing(v):
        if v is ...:
            return True
        if isinstance(v, (list, tuple, set)):
            return any(x is ... for x in v)
        if isinstance(v, dict):
            return any(x is ... for x in v.values())
        return False

    if any(missing(v) for v in values):
        print(f"{MISSING}: replace the ... in the answer cell above, run it, then run this check again")
        return False
    return True


def verdict(ok: bool, right: str, hint: str) -> bool:
    """Print the ✔ line with ``right`` or the ✘ line with ``hint``; return ``ok``."""
    print(f"{RIGHT}: {right}" if ok else f"{WRONG}: {hint}")
    return bool(ok)


def letter(value, name: str, letters: str = "abc"):
    """``value`` as one of ``letters`` (a str; case, spaces and quotes ignored), or None after
    printing the ✘ line that asks ``name`` to be one of them."""
    v = value.strip().strip("\"'").lower() if isinstance(value, str) else None
    if v is None or len(v) != 1 or v not in letters:
        verdict(False, "", f"{name} should be one of the letters " + ", ".join(f'"{c}"' for c in letters)
                + f", got {value!r}")
        return None
    return v


def is_int(v) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def as_floats(value):
    """``value`` (nested lists, an array, bools) as a float array, or None when it is not numbers."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
