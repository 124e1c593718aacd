"""Host (NumPy) arrays of stored metrics: float64 blobs per row, and typed columns.

The run store keeps a per-layer vector of each update (gradient norms, update ratios) as one
little-endian float64 blob and returns its columns as arrays; it reaches NumPy only through here.
"""
from __future__ import annotations

import numpy

_F8 = "<f8"


def float_blob(values) -> bytes | None:
    """``values`` (a sequence of numbers, or None) as a little-endian float64 blob (or None)."""
    return None if values is None else numpy.asarray(values, _F8).tobytes()


def blob_floats(blob: bytes | None) -> list | None:
    """The numbers of one :func:`float_blob` as a list (None stays None)."""
    return None if blob is None else numpy.frombuffer(blob, _F8).tolist()


def blob_rows(blobs) -> numpy.ndarray:
    """(n, k) float64 from n blobs, k the longest; NaN where a row has none or fewer values."""
    sizes = {None if b is None else len(b) for b in blobs}
    if len(sizes) == 1 and None not in sizes:                        # the usual case: one join, one copy
        return numpy.frombuffer(b"".join(blobs), _F8).reshape(len(blobs), -1).copy()
    arrays = [numpy.frombuffer(b, _F8) if b is not None else numpy.empty(0) for b in blobs]
    out = numpy.full((len(arrays), max((a.size for a in arrays), default=0)), numpy.nan)
    for i, a in enumerate(arrays):
        out[i, :a.size] = a
    return out


def int_column(values, missing: int = -1) -> numpy.ndarray:
    """int64 (n,) with ``missing`` for None."""
    return numpy.array([missing if v is None else v for v in values], numpy.int64)


def float_column(values) -> numpy.ndarray:
    """float64 (n,) with NaN for None."""
    return numpy.array(list(values), numpy.float64)
