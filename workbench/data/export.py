"""Writing DataSets as DL4J-style numbered CSV files (one file per sequence, one line per step).

:func:`to_csv_sequences` is the inverse of reading with ``CSVSequenceRecordReader`` +
``NumberedFileInputSplit`` + ``SequenceRecordReaderDataSetIterator`` (features and labels in
separate files; ``AlignmentMode.ALIGN_END`` for many-to-one data such as JapaneseVowels).
"""
from __future__ import annotations

import errno
import os
import secrets
from dataclasses import dataclass

import numpy

from workbench.backend import to_numpy
from workbench.data.dataset import DataSet
from workbench.errors import InputTypeError, InvalidInputError

__all__ = ["CsvSequenceFiles", "to_csv_sequences"]

LABEL_FORMATS = ("index", "values")


@dataclass(frozen=True)
class CsvSequenceFiles:
    """What :func:`to_csv_sequences` wrote: ``features_pattern`` and ``labels_pattern`` are
    absolute paths with ``%d`` for the example number (any literal ``%`` doubled), ready for
    ``NumberedFileInputSplit(pattern, 0, num_examples - 1)`` and ``pattern % i``; ``header`` says whether each file starts with a line of column names
    (read with ``skip_num_lines=1``, see :attr:`skip_num_lines`)."""

    features_pattern: str
    labels_pattern: str
    num_examples: int
    header: bool
    label_format: str

    @property
    def skip_num_lines(self) -> int:
        return 1 if self.header else 0

    @property
    def max_idx(self) -> int:
        """The last example number (``num_examples - 1``), NumberedFileInputSplit's inclusive bound."""
        return self.num_examples - 1


def to_csv_sequences(data, directory, prefix="", header=True, label_format="index",
                     overwrite=False) -> CsvSequenceFiles:
    """Write ``data`` (a DataSet, or an iterable of DataSets numbered on consecutively) as
    ``{prefix}features_{i}.csv`` and ``{prefix}labels_{i}.csv`` in ``directory``, i = 0, 1, ...

    - features file: one line per **real** time step of example ``i`` (steps where the features
      mask is nonzero; every step without a mask), one column per feature;
    - labels file: one line per real label step (per the labels mask): with
      ``label_format="index"`` the class index (argmax of the one-hot label; an error when a label
      is not one-hot), the classification format of ``SequenceRecordReaderDataSetIterator``; with
      ``label_format="values"`` every label value (regression).

    2-d data (one step per example) writes one line per file (none where a per-example mask is
    0). ``header=True`` starts each file with column names (``feature_0,...``; ``label`` or
    ``label_0,...``), so readers need ``skip_num_lines=1``. Floats are written in their shortest
    form that reads back (through float64, as ``numpy.loadtxt`` and ``float()`` do) to exactly the
    same value of the array's dtype; integers and booleans as integers.

    The directory is created if needed. Existing files are never changed unless
    ``overwrite=True`` (``FileExistsError`` naming the first one, before anything of that
    DataSet is written); if writing fails part-way, the files this call created are removed.
    Files of an earlier, larger export with higher numbers are left alone.

    Returns a :class:`CsvSequenceFiles` record.
    """
    if label_format not in LABEL_FORMATS:
        raise InvalidInputError(f"to_csv_sequences: label_format must be one of {LABEL_FORMATS}, got {label_format!r}")
    if not isinstance(prefix, str) or "/" in prefix or os.sep in prefix:
        raise InvalidInputError(f"to_csv_sequences: prefix must be a str without path separators, got {prefix!r}")
    try:
        directory = os.path.abspath(os.fspath(directory))
    except TypeError:
        raise InputTypeError(f"to_csv_sequences: directory must be a str or os.PathLike, got "
                             f"{type(directory).__name__}") from None
    # printf-style patterns (a literal '%' doubled), filled with `pattern % i` like NumberedFileInputSplit
    base = os.path.join(directory, prefix).replace("%", "%%")
    features_pattern, labels_pattern = base + "features_%d.csv", base + "labels_%d.csv"
    if isinstance(data, DataSet):
        datasets = [data]
    elif data is None or isinstance(data, (str, bytes, dict)) or not hasattr(data, "__iter__"):
        raise InputTypeError(f"to_csv_sequences: data must be a DataSet or an iterable of DataSets, got "
                             f"{type(data).__name__}")
    else:
        if hasattr(data, "reset"):
            data.reset()
        datasets = data
    os.makedirs(directory, exist_ok=True)

    created, count, widths = [], 0, None
    try:
        for ds in datasets:
            if not isinstance(ds, DataSet):
                raise InputTypeError(f"to_csv_sequences: expected DataSets, got {type(ds).__name__}")
            x, x_counts = _real_rows(ds.features, ds.features_mask, "features")
            y, y_counts = _real_rows(ds.labels, ds.labels_mask, "labels")
            if widths is None:
                widths = (x.shape[1], y.shape[1])
            elif widths != (x.shape[1], y.shape[1]):
                raise InvalidInputError(f"to_csv_sequences: DataSet {count}.. has {x.shape[1]} features and "
                                 f"{y.shape[1]} label columns, earlier ones {widths[0]} and {widths[1]}")
            n = ds.num_examples()
            paths = [p % i for i in range(count, count + n) for p in (features_pattern, labels_pattern)]
            if not overwrite:
                existing = next((p for p in paths if os.path.lexists(p)), None)
                if existing is not None:
                    raise FileExistsError(errno.EEXIST, "to_csv_sequences: file exists (pass overwrite=True to replace "
                                              "it; nothing of this DataSet was written)", existing)
            x_lines = _lines(_format(x))
            if label_format == "index":
                y_lines = _lines(_format(_class_indices(y, ds, count)[:, None]))
            else:
                y_lines = _lines(_format(y))
            x_head = ",".join(f"feature_{j}" for j in range(x.shape[1])) + "\n" if header else ""
            y_head = (("label" if label_format == "index" else
                       ",".join(f"label_{j}" for j in range(y.shape[1]))) + "\n") if header else ""
            x_ends, y_ends = numpy.cumsum(x_counts).tolist(), numpy.cumsum(y_counts).tolist()
            x0 = y0 = 0
            for k in range(n):
                x1, y1 = x_ends[k], y_ends[k]
                _write(paths[2 * k], x_head + "".join(x_lines[x0:x1]), overwrite, created)
                _write(paths[2 * k + 1], y_head + "".join(y_lines[y0:y1]), overwrite, created)
                x0, y0 = x1, y1
            count += n
    except BaseException:
        for p in reversed(created):
            try:
                os.remove(p)
            except OSError:
                pass
        raise
    return CsvSequenceFiles(features_pattern, labels_pattern, count, bool(header), label_format)


def _real_rows(array, mask, name):
    """``(rows, counts)``: the values at the real steps as ``[n_real, width]`` (example-major,
    then time) and the number of real steps of each example."""
    a = to_numpy(array)
    m = None if mask is None else to_numpy(mask)
    if a.ndim == 2:
        a = a[:, :, None]
        m = None if m is None else m.reshape(-1, 1)
    elif a.ndim != 3:
        raise InvalidInputError(f"to_csv_sequences: {name} must be 2-d or 3-d, got shape {a.shape}")
    steps = a.transpose(0, 2, 1)  # [n, T, width]
    if m is None:
        return steps.reshape(-1, a.shape[1]), numpy.full(a.shape[0], a.shape[2])
    real = m != 0
    return steps[real], real.sum(axis=1)


def _class_indices(y, ds, first_number):
    """Argmax of each one-hot label row; an error naming the example and step of a row that is not one-hot."""
    one_hot = ((y == 0) | (y == 1)).all(axis=1) & (y.sum(axis=1) == 1)
    if not one_hot.all():
        row = int(numpy.flatnonzero(~one_hot)[0])
        labels = to_numpy(ds.labels)
        if labels.ndim == 3:
            mask = numpy.ones(labels.shape[::2], bool) if ds.labels_mask is None else to_numpy(ds.labels_mask) != 0
            i, t = (int(v[row]) for v in numpy.nonzero(mask))
            where = f"example {first_number + i}, step {t}"
        else:
            mask = numpy.ones(labels.shape[0], bool) if ds.labels_mask is None else \
                to_numpy(ds.labels_mask).reshape(-1) != 0
            where = f"example {first_number + int(numpy.flatnonzero(mask)[row])}"
        raise InvalidInputError(f"to_csv_sequences: label_format='index' needs one-hot labels, but the label of {where} "
                         f"is {y[row].tolist()}; use label_format='values' to write the values")
    return y.argmax(axis=1)


def _format(values):
    """Strings of ``values`` that read back (via float64) to exactly the same numbers."""
    kind = values.dtype.kind
    if kind == "b":
        return values.astype(numpy.uint8).astype(str)
    if kind in "iu":
        return values.astype(str)
    if kind != "f":
        raise InputTypeError(f"to_csv_sequences: cannot write values of dtype {values.dtype} as CSV numbers")
    strings = values.astype(str).astype("<U32")  # shortest round-trip repr of the dtype (Dragon4)
    if values.dtype.itemsize > 8:  # long double: its own repr (a float64 reader cannot hold it anyway)
        return strings
    back = strings.astype(numpy.float64).astype(values.dtype)
    bad = ~((back == values) | (numpy.isnan(back) & numpy.isnan(values)))
    if bad.any():  # belt and braces: the float64 repr always reads back exactly
        strings[bad] = [repr(float(v)) for v in values[bad].tolist()]
    return strings


def _lines(strings):
    """One "a,b,c\\n" line per row of a 2-d array of strings."""
    return [",".join(row) + "\n" for row in strings.tolist()]


def _write(path, text, overwrite, created):
    if not overwrite:
        with open(path, "xb") as f:  # exclusive create: never clobbers a file made meanwhile
            created.append(path)
            f.write(text.encode("utf-8"))
        return
    existed = os.path.lexists(path)
    # a complete temporary file, then an atomic rename over the old one
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    if not existed:
        created.append(path)
