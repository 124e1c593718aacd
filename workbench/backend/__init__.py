"""Array backends: the only place in the engine that imports NumPy or CuPy.

A :class:`Backend` carries the array module ``xp`` (``numpy`` or ``cupy``) and
the few helpers the engine needs around it. Engine code writes ``xp = backend.xp``
once and uses it; the CuPy path is the same code.

>>> be = get_backend("numpy")
>>> be.xp.zeros(3).shape
(3,)
"""
from __future__ import annotations

import math

import numpy

from workbench.errors import BackendUnavailableError, InputTypeError, InvalidInputError

__all__ = [
    "Backend",
    "BackendUnavailableError",
    "available_backends",
    "get_backend",
    "real_array",
    "to_numpy",
    "cpu",
]


_CHUNK = 2**16          # elements per isfinite pass in Backend.all_finite


class Backend:
    """One array backend. ``xp`` is the array module; ``name`` is "numpy" or "cupy"."""

    def __init__(self, name: str, xp):
        self.name = name
        self.xp = xp

    def __repr__(self):
        return f"Backend({self.name!r})"

    def asarray(self, a, dtype=None):
        """``a`` as an array of this backend (copied to the device if needed). A cast that
        overflows gives inf without a warning: callers check finiteness and say so."""
        if dtype is None or getattr(a, "dtype", None) == dtype:
            return self.xp.asarray(a, dtype=dtype)
        with numpy.errstate(over="ignore", invalid="ignore"):
            return self.xp.asarray(a, dtype=dtype)

    def finite(self, given, name, dtype):
        """An array that passed :func:`real_array` as this backend's ``dtype``, refusing NaN and
        inf (and values that overflow ``dtype``) with an InvalidInputError naming ``name`` and the
        first index."""
        out = given if type(given) is self.xp.ndarray and given.dtype == dtype else self.asarray(given, dtype)
        if not self.all_finite(out):
            index = self.first_nonfinite(out)
            value = to_numpy(given[index]).item()
            if math.isfinite(value):
                info = numpy.finfo(out.dtype)
                raise InvalidInputError(f"{name}: value {value!r} at index {index} is outside the {out.dtype} "
                                        f"range (+-{float(info.max):.8g})")
            raise InvalidInputError(f"{name} contains NaN or inf (first at index {index}: {value})")
        return out

    def to_numpy(self, a):
        return to_numpy(a)

    def all_finite(self, a) -> bool:
        """True when ``a`` holds no NaN or inf, without a floating-point warning. CuPy: one sum
        (exact check only if it is not finite); NumPy: ``isfinite`` in chunks of ``_CHUNK``
        (faster than a pairwise sum, and the temporary stays small), after a sum of squares
        for arrays of up to one chunk (one call: a finite sum means every value is finite; an
        overflow falls through to the exact check)."""
        if a.size == 0:
            return True
        if self.xp is not numpy:
            return math.isfinite(a.sum()) or bool(self.xp.isfinite(a).all())
        if a.size <= _CHUNK and math.isfinite(numpy.vdot(a, a)):
            return True
        flat = a.reshape(-1)
        return all(numpy.isfinite(flat[i:i + _CHUNK]).all() for i in range(0, flat.size, _CHUNK))

    def first_nonfinite(self, a) -> tuple:
        """Index of the first NaN/inf in ``a`` (for error messages)."""
        bad = numpy.argwhere(~numpy.isfinite(to_numpy(a)))
        return tuple(int(i) for i in bad[0]) if len(bad) else ()

    def rng(self, seed):
        """A seeded NumPy random generator (init is drawn on the CPU so both backends agree)."""
        return numpy.random.default_rng(seed)


def _cupy_or_reason():
    """(cupy module, None) when a GPU is usable, else (None, reason)."""
    try:
        import cupy
    except ImportError as exc:
        return None, f"CuPy is not installed ({exc}); install the 'gpu' extra: pip install 'rnn-workbench[gpu]'"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError: no driver / no device
        return None, f"CuPy is installed but no CUDA device is usable: {exc}"
    if n < 1:
        return None, "CuPy is installed but reports 0 CUDA devices"
    return cupy, None


_BACKENDS: dict[str, Backend] = {"numpy": Backend("numpy", numpy)}
cpu = _BACKENDS["numpy"]


def get_backend(name: str | Backend = "auto") -> Backend:
    """``"numpy"``, ``"cupy"`` or ``"auto"`` (CuPy when a GPU is usable, else NumPy)."""
    if isinstance(name, Backend):
        return name
    if name not in ("numpy", "cupy", "auto"):
        raise InvalidInputError(f"backend: expected 'numpy', 'cupy' or 'auto', got {name!r}")
    if name == "numpy":
        return cpu
    if "cupy" not in _BACKENDS:
        cupy, reason = _cupy_or_reason()
        if cupy is None:
            if name == "auto":
                return cpu
            raise BackendUnavailableError(f"backend 'cupy' is unavailable: {reason}")
        _BACKENDS["cupy"] = Backend("cupy", cupy)
    return _BACKENDS["cupy"]


def available_backends() -> list[str]:
    """Names of the backends usable here, NumPy first."""
    return ["numpy"] + (["cupy"] if _cupy_or_reason()[0] is not None else [])


_KIND_NAMES = {"c": "complex numbers", "M": "datetime64 values", "m": "timedelta64 values", "U": "strings",
               "S": "bytes", "O": "Python objects", "V": "structured records"}


def real_array(a, name):
    """``a`` as a NumPy or CuPy array of real numbers (bool, int or float), as it is when it is
    one already; lists and other array-likes go through ``numpy.asarray``. Anything else (None,
    a dict, strings, complex or datetime numbers, ragged lists) is an InputTypeError naming ``name``."""
    if type(a) is numpy.ndarray or hasattr(a, "dtype") and hasattr(a, "shape") and hasattr(a, "ndim"):
        kind = a.dtype.kind
    elif isinstance(a, (list, tuple, int, float)) or hasattr(a, "__array__"):
        try:
            a = numpy.asarray(a)
        except (ValueError, TypeError) as exc:
            why = ("nested lists of different lengths (ragged) cannot be one" if "inhomogeneous" in str(exc)
                   else f"NumPy could not convert it: {exc}")
            raise InputTypeError(f"{name}: expected an array of numbers; {why}") from None
        kind = a.dtype.kind
    else:
        raise InputTypeError(f"{name}: expected an array of numbers, got {type(a).__name__}")
    if kind not in "biuf":
        what = _KIND_NAMES.get(kind, f"dtype {a.dtype}")
        raise InputTypeError(f"{name}: expected real numbers (bool, int or float), got {what} (dtype {a.dtype})")
    return a


def to_numpy(a):
    """A NumPy array from a NumPy or CuPy array (or anything array-like)."""
    get = getattr(a, "get", None)
    if get is not None and type(a).__module__.startswith("cupy"):
        return get()
    return numpy.asarray(a)


def array_module(a):
    """``numpy`` or ``cupy``, whichever owns ``a``."""
    return _BACKENDS["cupy"].xp if type(a).__module__.startswith("cupy") else numpy
