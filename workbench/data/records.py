"""Sequence files on disk: input splits and DataVec's ``CSVSequenceRecordReader``.

Each file holds one sequence, each line one time step, as in the DL4J guide's "Importing Time
Series Data"::

    features = CSVSequenceRecordReader(skip_num_lines=1, delimiter=",")
    features.initialize(NumberedFileInputSplit("/data/myInput_%d.csv", 0, 9))
    features.read(0)            # float64 [steps, columns] of myInput_0.csv

A split is a sequence of file paths: :class:`NumberedFileInputSplit` (``%d`` replaced by each
index, bounds inclusive; lazy, so ``0, 10**8`` costs nothing) or :class:`FileSplit` (the files in
a folder, in natural order: ``x_2`` before ``x_10``). The reader reads one file when asked and
keeps nothing of it, so an iterator can read one minibatch at a time.

A bad file raises :class:`SequenceFileError`, naming the file, the 1-based line in the file and
the 1-based column: text that is not a number, ragged rows, and NaN or infinite values (``nan``,
``inf``, ``1e999``), which cannot be trained on. A bad argument raises
:class:`~workbench.errors.InputTypeError` (wrong kind) or :class:`~workbench.errors.InvalidInputError`
naming it; a missing file or folder raises ``FileNotFoundError``.
"""
from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Sequence
from itertools import islice, repeat
from pathlib import Path

import numpy

from workbench.conf.fields import short_repr
from workbench.errors import InputTypeError, InvalidInputError, SequenceFileError

_LIKELY_DELIMITERS = {",": "','", ";": "';'", "\t": "'\\t'", " ": "' '"}
_NUMBER_CHARS = set("0123456789.+-eE")
_INT_FORMAT = re.compile(r"%[-+ 0#]*(\d*)d")
_NAME_MAX = 255                                     # bytes in a file name on common file systems
_MISSING_SHOWN = 3                                  # initialize stops looking after this many missing files


def _got(value) -> str:
    return f"{short_repr(value)} ({type(value).__name__})"


def _int_argument(where, name, value, minimum=None) -> int:
    """``value`` as an int (not a bool), or an error naming ``name``; ``minimum`` is inclusive."""
    bound = "" if minimum is None else f" >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
        raise InputTypeError(f"{where}: {name} must be an int{bound}, got {_got(value)}")
    if minimum is not None and value < minimum:
        raise InvalidInputError(f"{where}: {name} must be an int{bound}, got {value!r}")
    return int(value)


def _path_argument(where, name, value) -> str:
    """``value`` (str or os.PathLike) as a non-empty str, or an error naming ``name``."""
    try:
        path = os.fspath(value)
    except TypeError:
        path = None
    if not isinstance(path, str):
        raise InputTypeError(f"{where}: {name} must be a str or pathlib.Path, got {_got(value)}")
    if not path:
        raise InvalidInputError(f"{where}: {name} is an empty string (for the current folder pass '.')")
    return path


def _position(where, i, n) -> int:
    """Index ``i`` (negative counts from the end) into ``n`` files, as a non-negative int."""
    if isinstance(i, bool) or not isinstance(i, (int, numpy.integer)):
        raise InputTypeError(f"{where}: index must be an int, got {_got(i)}")
    if not -n <= i < n:
        raise IndexError(f"{where}: index {i} out of range for {n} files")
    return int(i) % n


class NumberedFileInputSplit(Sequence):
    """The files ``pattern % i`` for ``i`` from ``min_idx`` to ``max_idx``, both inclusive.

    >>> NumberedFileInputSplit("/data/myInput_%d.csv", 0, 9)[9]
    PosixPath('/data/myInput_9.csv')

    ``%03d``-style fields work too (``x_007.csv``). The split is a lazy sequence of paths
    (``len``, ``split[i]``, iteration): a path is made when asked for. Whether the files exist is
    checked by the reader's ``initialize``.
    """

    def __init__(self, pattern, min_idx: int, max_idx: int):
        where = "NumberedFileInputSplit"
        self.pattern = _path_argument(where, "pattern", pattern)
        fields = _INT_FORMAT.findall(self.pattern)
        if len(fields) != 1:
            raise InvalidInputError(
                f"{where}: pattern must hold one %d field (e.g. 'myInput_%d.csv'; write a literal % as %%), "
                f"got {self.pattern!r}")
        if fields[0] and int(fields[0]) > _NAME_MAX:
            raise InvalidInputError(
                f"{where}: the %d field of pattern {self.pattern!r} pads each index to {int(fields[0])} "
                f"characters, more than a file name can hold ({_NAME_MAX})")
        min_idx = _int_argument(where, "min_idx", min_idx)
        max_idx = _int_argument(where, "max_idx", max_idx)
        if min_idx > max_idx:
            raise InvalidInputError(
                f"{where}: min_idx={min_idx} > max_idx={max_idx} (both bounds are inclusive: 0, 9 means 10 files)")
        if max_idx - min_idx >= sys.maxsize:
            raise InvalidInputError(
                f"{where}: min_idx={min_idx}, max_idx={max_idx} span more than {sys.maxsize} files")
        try:
            self.pattern % min_idx
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"{where}: pattern {self.pattern!r} cannot be filled with an index ({err}); write a literal % "
                "as %%") from None
        self.min_idx, self.max_idx = min_idx, max_idx
        self._indices = range(min_idx, max_idx + 1)

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [Path(self.pattern % k) for k in self._indices[i]]
        return Path(self.pattern % self._indices[_position("NumberedFileInputSplit", i, len(self))])

    def __iter__(self):
        return (Path(self.pattern % k) for k in self._indices)

    def paths(self) -> list[Path]:
        """Every path, as a list (built whole: index or iterate the split itself for large ranges)."""
        return list(self)

    def __repr__(self):
        return f"NumberedFileInputSplit({self.pattern!r}, {self.min_idx}, {self.max_idx})"


class FileSplit(Sequence):
    """The files directly in ``directory`` (hidden ``.*`` files skipped), optionally only those
    ending in one of ``extensions`` (``"csv"``, ``["csv"]`` or ``[".csv", ".tar.gz"]``, any case),
    sorted naturally by the numbers in their names: ``x_2.csv`` before ``x_10.csv``.

    A sequence of paths (``len``, ``split[i]``, iteration), listed once when it is made."""

    def __init__(self, directory, extensions=None):
        self.directory = Path(_path_argument("FileSplit", "directory", directory))
        self.extensions = _extensions(extensions)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"FileSplit: {str(self.directory)!r} is not a directory")
        found = [p for p in self.directory.iterdir() if not p.name.startswith(".") and p.is_file()
                 and (self.extensions is None or p.name.lower().endswith(tuple(self.extensions)))]
        if not found:
            which = "" if self.extensions is None else f" ending in {', '.join(self.extensions)}"
            raise FileNotFoundError(f"FileSplit: no files{which} in {str(self.directory)!r}")
        self._paths = sorted(found, key=lambda p: (_natural_key(p.name), p.name))

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._paths[i]
        return self._paths[_position("FileSplit", i, len(self))]

    def paths(self) -> list[Path]:
        return list(self._paths)

    def __repr__(self):
        ext = "" if self.extensions is None else f", extensions={self.extensions!r}"
        return f"FileSplit({str(self.directory)!r}{ext})"


def _extensions(extensions):
    """FileSplit's ``extensions`` as a sorted list of lower-case ``.ext`` (None: every file)."""
    if extensions is None:
        return None
    items = [extensions] if isinstance(extensions, str) else extensions
    expected = "FileSplit: extensions must be None, a str or a list of str such as ['csv'], got"
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise InputTypeError(f"{expected} {_got(extensions)}")
    for e in items:
        if not isinstance(e, str):
            raise InputTypeError(f"{expected} {extensions!r}, which holds {_got(e)}")
    if not items or not all(e.strip(".") for e in items):
        raise InvalidInputError(
            f"FileSplit: extensions must name at least one extension such as ['csv'] (None keeps every file), "
            f"got {extensions!r}")
    return sorted({"." + e.lower().lstrip(".") for e in items})


def _natural_key(name):
    """'x_10.csv' -> ['x_', 10, '.csv']: digit runs compare as numbers (types alternate str/int)."""
    return [int(t) if i % 2 else t.lower() for i, t in enumerate(re.split(r"(\d+)", name))]


class CSVSequenceRecordReader:
    """Reads delimited sequence files: one file per sequence, one line per time step.

    ``skip_num_lines`` header lines are skipped at the top of every file; blank lines (and a
    missing or present final newline) at the end are ignored. ``read(i)`` returns sequence ``i``
    as float64 ``[steps, columns]``, every value finite.
    """

    def __init__(self, skip_num_lines: int = 0, delimiter: str = ","):
        where = "CSVSequenceRecordReader"
        self.skip_num_lines = _int_argument(where, "skip_num_lines", skip_num_lines, minimum=0)
        if not isinstance(delimiter, str):
            raise InputTypeError(f"{where}: delimiter must be a str such as ',' or '\\t', got {_got(delimiter)}")
        if not delimiter or "\n" in delimiter or "\r" in delimiter or _NUMBER_CHARS & set(delimiter):
            raise InvalidInputError(
                f"{where}: delimiter must be a non-empty string without line breaks, digits, '.', '+', '-', "
                f"'e' or 'E' (those are part of numbers), got {delimiter!r}")
        self.delimiter = delimiter
        self.split = None
        self._files = None

    def initialize(self, split) -> CSVSequenceRecordReader:
        """Use the files of ``split`` (a :class:`NumberedFileInputSplit`, a :class:`FileSplit`, or
        anything with ``paths()``); every one must exist. The split is kept, not copied: a
        ``NumberedFileInputSplit`` of 10**8 files costs no memory (but checking that they all exist
        takes a while; it stops after the first few missing ones)."""
        if isinstance(split, (NumberedFileInputSplit, FileSplit)):
            files = split
        elif callable(getattr(split, "paths", None)):
            files = [Path(p) for p in split.paths()]
        else:
            hint = f" (e.g. FileSplit({split!r}))" if isinstance(split, (str, os.PathLike)) else ""
            raise InputTypeError(
                f"CSVSequenceRecordReader.initialize: split must be a NumberedFileInputSplit or FileSplit{hint}, "
                f"got {_got(split)}")
        if not len(files):
            raise InvalidInputError(f"CSVSequenceRecordReader.initialize: {split!r} lists no files")
        missing = [repr(str(p)) for p in islice((p for p in files if not p.is_file()), _MISSING_SHOWN)]
        if missing:
            shown = ", ".join(missing)
            raise FileNotFoundError(
                f"CSVSequenceRecordReader.initialize: files of {split!r} do not exist: {shown} (stopped looking "
                f"after {_MISSING_SHOWN} missing; the split lists {len(files)} files)"
                if len(missing) == _MISSING_SHOWN else
                f"CSVSequenceRecordReader.initialize: {len(missing)} of {len(files)} files of {split!r} do not "
                f"exist: {shown}")
        self.split, self._files = split, files
        return self

    @property
    def paths(self) -> list[Path]:
        """Every file, as a list (built whole: use ``path(i)`` for large splits)."""
        return list(self._checked_files())

    def path(self, i: int) -> Path:
        """The file of sequence ``i``."""
        return Path(self._file(i))

    def _file(self, i: int) -> str:
        """The file of sequence ``i`` as a str (no Path made: this is the reading hot path)."""
        files = self._checked_files()
        i = _position("CSVSequenceRecordReader", i, len(files))
        if isinstance(files, NumberedFileInputSplit):
            return files.pattern % (files.min_idx + i)
        return str(files[i])

    def __len__(self) -> int:
        return len(self._checked_files())

    def __iter__(self):
        return (self.read(i) for i in range(len(self)))

    def _checked_files(self):
        if self._files is None:
            raise RuntimeError("CSVSequenceRecordReader: call initialize(split) first")
        return self._files

    def read(self, i: int) -> numpy.ndarray:
        """Sequence ``i``: float64 ``[steps, columns]``, read from its file now."""
        return self.read_named(i)[1]

    def read_named(self, i: int) -> tuple[str, numpy.ndarray]:
        """(file name, :meth:`read` of sequence ``i``)."""
        path = self._file(i)
        return path, self._parse(path)

    def _parse(self, path: str) -> numpy.ndarray:
        with open(path, "rb") as f:                      # bytes + one decode: faster than text mode
            data = f.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            raise SequenceFileError(f"{str(path)!r} line {line}: not UTF-8 text ({err.reason} at byte "
                                    f"{err.start}); is it a CSV file?", path, line) from None
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        del lines[:self.skip_num_lines]
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            raise SequenceFileError(
                f"{str(path)!r}: no data lines after skipping {self.skip_num_lines} line(s); "
                "each file must hold at least one time step", path)
        d = self.delimiter
        counts = list(map(str.count, lines, repeat(d)))
        if counts.count(counts[0]) == len(counts):       # cheap: every line has the same width
            try:                                          # one NumPy call for all tokens
                values = numpy.array(d.join(lines).split(d), dtype=numpy.float64)
            except ValueError:
                pass
            else:
                if numpy.isfinite(values).all():
                    return values.reshape(len(lines), counts[0] + 1)
        return self._slow_read(path, lines)

    def _slow_read(self, path, lines):
        """Scan cell by cell to name the first bad line and column (only after the fast path failed)."""
        d, first = self.delimiter, self.skip_num_lines + 1
        width, rows = None, []
        for n, line in enumerate(lines, start=first):
            if not line.strip():
                raise SequenceFileError(
                    f"{str(path)!r} line {n}: blank line inside the sequence (blank lines are "
                    "allowed only at the end of a file)", path, n)
            cells = line.split(d)
            if width is None:
                width = len(cells)
            elif len(cells) != width:
                raise SequenceFileError(
                    f"{str(path)!r}: line {n} has {len(cells)} columns, line {first} has {width}"
                    f"{self._delimiter_hint(line if len(cells) == 1 else lines[0] if width == 1 else '')}",
                    path, n)
            row = []
            for c, cell in enumerate(cells, start=1):
                try:
                    value = float(cell)
                except ValueError:
                    hint = self._delimiter_hint(cell)
                    if not hint and n == 1 and self.skip_num_lines == 0:
                        hint = "; a header line? use skip_num_lines=1"
                    raise SequenceFileError(
                        f"{str(path)!r} line {n} column {c}: cannot read {cell!r} as a number{hint}",
                        path, n, c) from None
                if not math.isfinite(value):
                    what = "NaN" if math.isnan(value) else "infinite" if "inf" in cell.lower() else \
                        "beyond the float64 range ±1.8e308"
                    raise SequenceFileError(
                        f"{str(path)!r} line {n} column {c}: expected a finite number, got {cell!r} ({what}); "
                        "a network cannot learn from missing or infinite values: fill them in or drop "
                        "those steps before importing", path, n, c)
                row.append(value)
            rows.append(row)
        return numpy.array(rows, dtype=numpy.float64)

    def _delimiter_hint(self, text):
        others = [shown for delim, shown in _LIKELY_DELIMITERS.items()
                  if delim != self.delimiter and delim in text.strip()]
        if not others:
            return ""
        return (f"; the text holds {' and '.join(others)} but the delimiter is {self.delimiter!r}: "
                f"pass delimiter= (e.g. delimiter={others[0]})")

    def __repr__(self):
        n = "not initialized" if self._files is None else f"{len(self._files)} files"
        return (f"CSVSequenceRecordReader(skip_num_lines={self.skip_num_lines}, "
                f"delimiter={self.delimiter!r}; {n})")
