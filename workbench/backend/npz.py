"""``.npz`` archives written reproducibly, and read with every ``.npy`` header checked first.

Reading takes ``specs`` ``{key: (shape, dtype string)}``, e.g. ``{"0_W": ((3, 16), "<f4")}``:
each array's header (dtype with its byte order, memory order, shape) must match its spec before
its bytes are read, so a crafted header can neither allocate more than the specs allow nor be
cast or reinterpreted silently. Problems raise ``ValueError`` with a message that names the
array; callers add the file.
"""
from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib

import numpy
from numpy.lib import format as npy

from workbench.backend import to_numpy

FIXED_TIME = (1980, 1, 1, 0, 0, 0)      # members carry no wall-clock time: saves are reproducible
MAX_NPY_HEADER = 4096                    # bytes of one .npy header (numpy writes 128)
OVERHEAD = 1024                          # zip headers and .npy header per array, at most
CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError, ValueError,
           NotImplementedError, struct.error, zlib.error)
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def npz_budget(specs: dict) -> int:
    """The largest size an .npz holding the arrays of ``specs`` may have."""
    return sum(math.prod(shape) * numpy.dtype(dt).itemsize for shape, dt in specs.values()) + \
        OVERHEAD * (len(specs) + 1)


def npz_bytes(arrays: dict) -> bytes:
    """An uncompressed .npz of ``{key: array}`` (NumPy or CuPy), C-order and little-endian,
    identical byte for byte for identical arrays."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for key, value in arrays.items():
            a = numpy.asarray(to_numpy(value), order="C")
            a = a.astype(a.dtype.newbyteorder("<"), copy=False)
            data = io.BytesIO()
            npy.write_array(data, a, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            z.writestr(info, data.getvalue())
    return buf.getvalue()


def first_npy_shape(stream) -> tuple:
    """The shape in the first .npy header of an .npz read from ``stream`` (its first bytes only)."""
    sig, _, flags, method, _, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(stream.read(_LOCAL_HEADER.size))
    if sig != b"PK\x03\x04" or method != zipfile.ZIP_STORED or flags & 0x1:
        raise ValueError("its first array is not stored uncompressed")
    stream.read(name_len + extra_len)
    return _header(stream)[0]


def npz_arrays(data: bytes, specs: dict, subset: bool = False) -> dict:
    """``{key: array}`` of the .npz ``data``, holding the arrays of ``specs`` (all of them, or
    with ``subset`` some), each checked against its spec before it is read; floats must be finite."""
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except CORRUPT as exc:
        raise ValueError(f"is not an .npz archive ({exc})") from None
    out = {}
    with inner:
        for info in inner.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else None
            if key not in specs:
                raise ValueError(f"holds {info.filename!r}, which the configuration does not have "
                                 f"(expected {', '.join(repr(k) for k in specs)})")
            if key in out:
                raise ValueError(f"holds {info.filename!r} more than once")
            out[key] = _array(inner, info, key, *specs[key])
    missing = [k for k in specs if k not in out]
    if missing and not subset:
        raise ValueError(f"lacks {', '.join(repr(k) for k in missing)}")
    return out


def _array(inner, info, key, shape, dtype):
    dtype = numpy.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if info.file_size > nbytes + MAX_NPY_HEADER + 16:
        raise ValueError(f"{key!r} declares {info.file_size:,} bytes, more than an array of shape {shape} "
                         f"{dtype} needs")
    try:
        with inner.open(info) as f:
            got_shape, fortran, got_dtype = _header(f)
            if got_dtype != dtype or fortran or got_shape != shape:
                raise ValueError(f"{key!r} is {got_dtype.str} {'Fortran' if fortran else 'C'}-order of shape "
                                 f"{got_shape}; the configuration needs {dtype.str} ({dtype}, little-endian) "
                                 f"C-order of shape {shape}")
            raw = bytearray(nbytes)                     # writable: the array is a view of it
            got = f.readinto(raw)
            if got != nbytes or f.read(1):
                raise ValueError(f"{key!r} holds {'fewer' if got != nbytes else 'more'} bytes than its "
                                 "header says")
    except CORRUPT as exc:
        raise ValueError(str(exc) if str(exc).startswith(repr(key)) else f"{key!r} is corrupt ({exc})") from None
    array = numpy.frombuffer(raw, dtype=dtype).reshape(shape)
    if dtype.kind == "f" and not numpy.isfinite(array).all():
        raise ValueError(f"{key!r} holds NaN or inf")
    return array


def _header(f) -> tuple:
    """(shape, fortran_order, dtype) of the .npy stream ``f``; object dtypes are refused."""
    major, _ = npy.read_magic(f)
    read = {1: npy.read_array_header_1_0, 2: npy.read_array_header_2_0}.get(major)
    if read is None:
        raise ValueError(f".npy format version {major} is not supported")
    shape, fortran, dtype = read(f, max_header_size=MAX_NPY_HEADER)
    if dtype.hasobject:
        raise ValueError("holds Python objects, which are never unpickled")
    return shape, fortran, dtype
