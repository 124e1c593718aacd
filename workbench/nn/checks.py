"""Input checks at the network boundary, and the move to the internal time-major layout.

One policy for every array that enters: real numbers (bool, int, float; NumPy, CuPy or nested
lists) are converted to the network's dtype; anything else, a wrong shape, an empty batch or
series, and NaN/inf are refused. Every error names the argument, what was expected and what
was given: an :class:`~workbench.errors.InvalidInputError` (or its ``InputTypeError`` kind).
"""
from __future__ import annotations

from dataclasses import dataclass

from workbench.backend import real_array
from workbench.conf import InputType
from workbench.errors import InputTypeError, InvalidInputError


@dataclass
class Batch:
    """One minibatch in internal layout: recurrent arrays (T, N, F), masks (T, N); 2-d (N, F)."""

    x: object
    fmask: object = None
    labels: object = None
    lmask: object = None

    @property
    def n(self) -> int:
        return self.x.shape[1] if self.x.ndim == 3 else self.x.shape[0]

    def segment(self, t0: int, t1: int) -> "Batch":
        """Steps t0..t1-1 of every time-major array (views)."""
        def cut(a):
            return None if a is None else (a[t0:t1] if a.ndim >= 2 and self.x.ndim == 3 else a)
        return Batch(self.x[t0:t1], cut(self.fmask), cut(self.labels), cut(self.lmask))


def _shape_text(it, what):
    if it.kind == "convolutional":
        return f"[batch, channels={it.channels}, height={it.height}, width={it.width}]"
    if it.kind == "recurrent":
        return f"[batch, {what}={it.flat_size}, time]"
    return f"[batch, {what}={it.flat_size}]"


def to_internal(backend, dtype, name, a, it, what="n_in", batch=None, time=None):
    """Check ``a`` against the InputType ``it`` (recurrent [batch, size, time], feed-forward
    [batch, size] or convolutional [batch, channels, height, width]) and return it in the
    internal layout: recurrent data time-major (T, N, F), the rest as they are."""
    a = real_array(a, name)
    check_shape(name, tuple(a.shape), it, what, batch, time)
    return as_internal(backend, dtype, name, a, it)


def as_internal(backend, dtype, name, a, it):
    """``a``, a real array whose shape fits ``it`` already, as ``dtype`` in the internal layout
    (NaN and inf refused, naming ``name``)."""
    a = backend.finite(a, name, dtype)
    return backend.xp.ascontiguousarray(a.transpose(2, 0, 1)) if it.kind == "recurrent" else a


def check_shape(name, shape, it, what="n_in", batch=None, time=None) -> None:
    """Refuse a ``shape`` that does not fit the InputType ``it`` (and ``batch`` examples, ``time``
    steps when given), or that holds no example or no step, naming ``name``."""
    recurrent, conv = it.kind == "recurrent", it.kind == "convolutional"
    ndim = 4 if conv else 3 if recurrent else 2
    if len(shape) != ndim:
        raise InvalidInputError(f"{name}: expected a {ndim}-d array {_shape_text(it, what)}, got shape {shape}")
    if conv and shape[1:] != (it.channels, it.height, it.width):
        raise InvalidInputError(f"{name}: expected {_shape_text(it, what)}, got shape {shape}")
    if not conv and shape[1] != it.flat_size:
        raise InvalidInputError(f"{name}: expected {what}={it.flat_size} at axis 1 ({_shape_text(it, what)}), "
                                f"got shape {shape}")
    if batch is not None and shape[0] != batch:
        raise InvalidInputError(f"{name}: expected batch size {batch} (as the features), got shape {shape}")
    if time is not None and recurrent and shape[2] != time:
        raise InvalidInputError(f"{name}: expected {time} time steps (as the features), got shape {shape}")
    if shape[0] == 0:
        raise InvalidInputError(f"{name}: the batch holds no examples (shape {shape}); give at least one")
    if recurrent and shape[2] == 0:
        raise InvalidInputError(f"{name}: the series have no time steps (shape {shape}); give at least one")


def data_problem(conf, ds) -> str | None:
    """Why the minibatch ``ds`` cannot go through a network of configuration ``conf`` (None when it
    can): its features against the input type, its labels against the output layer's ``n_out``
    and time axis. Only shapes are looked at, so it is cheap enough for every edit of a form."""
    first, last = conf.built_layers[0], conf.built_layers[-1]
    it = conf.input_type or InputType(first.input_kind, size=first.n_in)
    try:
        features, _, labels, _ = dataset_arrays(ds)
        shape = tuple(features.shape)
        check_shape("features", shape, it)
        if last.is_output and labels is not None:
            recurrent = it.kind == "recurrent"
            batch, time = shape[0], shape[2] if recurrent and last.output_kind == "recurrent" else None
            check_shape("labels", tuple(labels.shape), InputType(last.output_kind, size=last.n_out), "n_out",
                        batch, time)
    except InvalidInputError as exc:
        return str(exc)
    return None


def mask_to_internal(backend, dtype, name, m, batch, time):
    """Check a [batch, time] mask of 0/1 (bool or numbers); return it as (T, N) of ``dtype``.

    For 2-d data (time None) the mask is [batch] or [batch, 1] and comes back as (N,).
    """
    if m is None:
        return None
    xp = backend.xp
    m = backend.asarray(real_array(m, name))
    expected = (batch,) if time is None else (batch, time)
    ok = m.shape == expected or (time is None and m.shape == (batch, 1))
    if not ok:
        want = "[batch]" if time is None else "[batch, time]"
        raise InvalidInputError(f"{name}: expected shape {want} = {expected}, got {tuple(m.shape)}")
    if not bool(((m == 0) | (m == 1)).all()):                # checked before the cast: 1e300 is not 1
        bad = backend.to_numpy(m)
        found = sorted(set(bad[(bad != 0) & (bad != 1)].tolist()))[:5]
        raise InvalidInputError(f"{name}: values must be 0 or 1, found {found}")
    m = m.astype(dtype, copy=False)
    return m.reshape(batch) if time is None else xp.ascontiguousarray(m.T)


def dataset_arrays(ds, name="data"):
    """(features, features_mask, labels, labels_mask) of a DataSet or DataSet-like object."""
    if not (hasattr(ds, "features") and hasattr(ds, "labels")):
        raise InputTypeError(f"{name}: expected a DataSet (features, labels, masks), got {type(ds).__name__}")
    return ds.features, getattr(ds, "features_mask", None), ds.labels, getattr(ds, "labels_mask", None)


def to_public(xp, a, recurrent):
    """Internal (T, N, F) -> public [N, F, T] (a copy); 2-d arrays are copied as they are."""
    return xp.ascontiguousarray(a.transpose(1, 2, 0)) if recurrent else a.copy()
