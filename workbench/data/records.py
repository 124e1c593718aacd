"""Sequence files on disk: input splits and DataVec's ``CSVSequenceRecordReader``.

Each file holds one sequence, each line one time step, as in the DL4J guide's "Importing Time
Series Data"::

    features = CSVSequenceRecordReader(skip_num_lines=1, delimiter=",")
    features.initialize(NumberedFileInputSplit("/data/myInput_%d.csv", 0, 9))
    features.read(0)            # float64 [steps, columns] of myInput_0.csv

A split lists the files: :class:`NumberedFileInputSplit` (``%d`` replaced by each index, bounds
inclusive) or :class:`FileSplit` (the files in a folder, in natural order: ``x_2`` before
``x_10``). The reader reads one file when asked and keeps nothing of it, so an iterator can read
one minibatch at a time. A bad file raises :class:`SequenceFileError`, naming the file, the
1-based line in the file and the 1-based column.
"""
from __future__ import annotations

import os
import re
from itertools import repeat
from pathlib import Path

import numpy

_LIKELY_DELIMITERS = {",": "','", ";": "';'", "\t": "'\\t'", " ": "' '"}
_INT_FORMAT = re.compile(r"%[-+ 0#]*\d*d")


class SequenceFileError(ValueError):
    """A sequence file that cannot be read as numbers; ``path``, ``line`` and ``column`` (1-based,
    ``None`` where they do not apply) say where."""

    def __init__(self, message, path=None, line=None, column=None):
        super().__init__(message)
        self.path, self.line, self.column = path, line, column


class NumberedFileInputSplit:
    """The files ``pattern % i`` for ``i`` from ``min_idx`` to ``max_idx``, both inclusive.

    >>> NumberedFileInputSplit("/data/myInput_%d.csv", 0, 9).paths()[9]
    PosixPath('/data/myInput_9.csv')

    ``%03d``-style fields work too (``x_007.csv``). Whether the files exist is checked by the
    reader's ``initialize``.
    """

    def __init__(self, pattern, min_idx: int, max_idx: int):
        self.pattern = os.fspath(pattern)
        if len(_INT_FORMAT.findall(self.pattern)) != 1:
            raise ValueError(
                f"NumberedFileInputSplit: pattern must hold one %d field (e.g. 'myInput_%d.csv'; "
                f"write a literal % as %%), got {self.pattern!r}")
        for name, value in (("min_idx", min_idx), ("max_idx", max_idx)):
            if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
                raise ValueError(f"NumberedFileInputSplit: {name} must be an int, got {value!r}")
        if min_idx > max_idx:
            raise ValueError(
                f"NumberedFileInputSplit: min_idx={min_idx} > max_idx={max_idx} (both bounds are "
                f"inclusive: 0, 9 means 10 files)")
        try:
            self.pattern % min_idx
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"NumberedFileInputSplit: pattern {self.pattern!r} cannot be filled with an index "
                f"({err}); write a literal % as %%") from None
        self.min_idx, self.max_idx = int(min_idx), int(max_idx)

    def paths(self) -> list[Path]:
        return [Path(self.pattern % i) for i in range(self.min_idx, self.max_idx + 1)]

    def __len__(self) -> int:
        return self.max_idx - self.min_idx + 1

    def __repr__(self):
        return f"NumberedFileInputSplit({self.pattern!r}, {self.min_idx}, {self.max_idx})"


class FileSplit:
    """The files directly in ``directory`` (hidden ``.*`` files skipped), optionally only those
    ending in one of ``extensions`` (``["csv"]`` or ``[".csv"]``, any case), sorted naturally by
    the numbers in their names: ``x_2.csv`` before ``x_10.csv``."""

    def __init__(self, directory, extensions=None):
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"FileSplit: {str(self.directory)!r} is not a directory")
        if isinstance(extensions, str):
            extensions = [extensions]
        self.extensions = None if extensions is None else sorted(
            {"." + e.lower().lstrip(".") for e in extensions})
        found = [p for p in self.directory.iterdir() if not p.name.startswith(".") and p.is_file()
                 and (self.extensions is None or p.suffix.lower() in self.extensions)]
        if not found:
            which = "" if self.extensions is None else f" ending in {', '.join(self.extensions)}"
            raise FileNotFoundError(f"FileSplit: no files{which} in {str(self.directory)!r}")
        self._paths = sorted(found, key=lambda p: (_natural_key(p.name), p.name))

    def paths(self) -> list[Path]:
        return list(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __repr__(self):
        ext = "" if self.extensions is None else f", extensions={self.extensions!r}"
        return f"FileSplit({str(self.directory)!r}{ext})"


def _natural_key(name):
    """'x_10.csv' -> ['x_', 10, '.csv']: digit runs compare as numbers (types alternate str/int)."""
    return [int(t) if i % 2 else t.lower() for i, t in enumerate(re.split(r"(\d+)", name))]


class CSVSequenceRecordReader:
    """Reads delimited sequence files: one file per sequence, one line per time step.

    ``skip_num_lines`` header lines are skipped at the top of every file; blank lines (and a
    missing or present final newline) at the end are ignored. ``read(i)`` returns sequence ``i``
    as float64 ``[steps, columns]``.
    """

    def __init__(self, skip_num_lines: int = 0, delimiter: str = ","):
        if isinstance(skip_num_lines, bool) or not isinstance(skip_num_lines, int) or skip_num_lines < 0:
            raise ValueError(f"CSVSequenceRecordReader: skip_num_lines must be an int >= 0, got {skip_num_lines!r}")
        if not isinstance(delimiter, str) or not delimiter or "\n" in delimiter or "\r" in delimiter:
            raise ValueError(f"CSVSequenceRecordReader: delimiter must be a non-empty string without "
                             f"line breaks, got {delimiter!r}")
        self.skip_num_lines, self.delimiter = skip_num_lines, delimiter
        self._paths = None
        self.split = None

    def initialize(self, split) -> CSVSequenceRecordReader:
        """Use the files of ``split`` (anything with ``paths()``); every one must exist."""
        paths = [Path(p) for p in split.paths()]
        missing = [p for p in paths if not p.is_file()]
        if missing:
            shown = ", ".join(repr(str(p)) for p in missing[:3])
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            raise FileNotFoundError(
                f"CSVSequenceRecordReader.initialize: {len(missing)} of {len(paths)} files of {split!r} "
                f"do not exist: {shown}{more}")
        if not paths:
            raise ValueError(f"CSVSequenceRecordReader.initialize: {split!r} lists no files")
        self._paths, self.split = paths, split
        return self

    @property
    def paths(self) -> list[Path]:
        return list(self._checked_paths())

    def __len__(self) -> int:
        return len(self._checked_paths())

    def __iter__(self):
        return (self.read(i) for i in range(len(self)))

    def _checked_paths(self):
        if self._paths is None:
            raise RuntimeError("CSVSequenceRecordReader: call initialize(split) first")
        return self._paths

    def read(self, i: int) -> numpy.ndarray:
        """Sequence ``i``: float64 ``[steps, columns]``, read from its file now."""
        paths = self._checked_paths()
        if not -len(paths) <= i < len(paths):
            raise IndexError(f"CSVSequenceRecordReader.read: index {i} out of range for {len(paths)} files")
        path = paths[i]
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
                return values.reshape(len(lines), counts[0] + 1)
            except ValueError:
                pass
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
                    row.append(float(cell))
                except ValueError:
                    hint = self._delimiter_hint(cell)
                    if not hint and n == 1 and self.skip_num_lines == 0:
                        hint = "; a header line? use skip_num_lines=1"
                    raise SequenceFileError(
                        f"{str(path)!r} line {n} column {c}: cannot read {cell!r} as a number{hint}",
                        path, n, c) from None
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
        n = "not initialized" if self._paths is None else f"{len(self._paths)} files"
        return (f"CSVSequenceRecordReader(skip_num_lines={self.skip_num_lines}, "
                f"delimiter={self.delimiter!r}; {n})")
