"""SequenceRecordReaderDataSetIterator: minibatches of sequences read from files, aligned and masked.

Two ways to find the labels, as in the DL4J guide's "Importing Time Series Data":

* two readers, features and labels in separate files paired by index (Examples 1, 3, 4);
* one reader with ``label_index``: labels in that column, features in all the others (Example 2).

Classification labels are class indices (one column), turned into one-hot rows of
``num_possible_labels``; regression labels pass through as floats.

Alignment, for each example on its own (``Lf`` input steps, ``Ll`` label steps, ``L = max``):

* ``EQUAL_LENGTH``: ``Lf == Ll`` and the same for every example, else an error; no masks;
* ``ALIGN_START``: input and labels both start at ``t = 0`` (one-to-many: the input at t = 0);
* ``ALIGN_END``: the shorter of the two is shifted to end at ``L - 1`` with the longer
  (many-to-one: the label sits at the example's last input step).

Each example then occupies ``[0, L)`` and zeros pad it up to the longest example in the minibatch.
Masks ``[batch, time]`` (float32, 1 = real step) are built for features and labels separately, and
are ``None`` for an array in which nothing is padded.
"""
from __future__ import annotations

import enum
import math

import numpy

from workbench.data.dataset import DataSet
from workbench.data.iterators import DataSetIterator
from workbench.data.records import CSVSequenceRecordReader, _got, _int_argument
from workbench.errors import InputTypeError, InvalidInputError, SequenceFileError

_FLOAT32_INF = 2.0 ** 128 - 2.0 ** 103      # float64 magnitudes from here up round to inf in float32


class AlignmentMode(enum.Enum):
    EQUAL_LENGTH = "EQUAL_LENGTH"
    ALIGN_START = "ALIGN_START"
    ALIGN_END = "ALIGN_END"


class SequenceRecordReaderDataSetIterator(DataSetIterator):
    """Minibatches of ``batch_size`` sequences: features ``[batch, n_features, T]`` and labels
    ``[batch, n_labels, T]`` (float32) with masks ``[batch, T]`` where padding was added.

    >>> it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=32,
    ...         num_possible_labels=6, alignment_mode=AlignmentMode.ALIGN_END)   # doctest: +SKIP

    Every pass (``__iter__``) reads the files again, one minibatch at a time; a bad file raises
    :class:`~workbench.errors.SequenceFileError` before its minibatch is yielded, naming file, line
    and column: also for values beyond the float32 range (``1e300``) and invalid class indices.
    Bad arguments raise :class:`~workbench.errors.InputTypeError` or ``InvalidInputError``.
    """

    def __init__(self, features_reader, labels_reader=None, batch_size: int = 1,
                 num_possible_labels: int = -1, label_index=None, regression: bool = False,
                 alignment_mode=AlignmentMode.EQUAL_LENGTH):
        name = "SequenceRecordReaderDataSetIterator"
        _check_reader(name, "features_reader", features_reader)
        if labels_reader is not None:
            _check_reader(name, "labels_reader", labels_reader)
        if (labels_reader is None) == (label_index is None):
            raise InvalidInputError(
                f"{name}: give either labels_reader (labels in separate files) or label_index (labels "
                f"in a column of the features files), not {'both' if labels_reader is not None else 'neither'}")
        batch_size = _int_argument(name, "batch_size", batch_size, minimum=1)
        if label_index is not None and (isinstance(label_index, bool)
                                        or not isinstance(label_index, (int, numpy.integer))):
            raise InputTypeError(f"{name}: label_index must be an int (a column; -1 = last), got {label_index!r}")
        if not isinstance(regression, (bool, numpy.bool_)):
            raise InputTypeError(f"{name}: regression must be True or False, got {regression!r}")
        regression = bool(regression)
        not_int = isinstance(num_possible_labels, bool) or not isinstance(num_possible_labels, (int, numpy.integer))
        if not regression and (not_int or num_possible_labels < 1):
            raise (InputTypeError if not_int else InvalidInputError)(
                f"{name}: classification needs num_possible_labels >= 1 (the number of classes), got "
                f"{num_possible_labels!r}; for real-valued labels pass regression=True")
        if isinstance(alignment_mode, str):
            if alignment_mode.upper() not in AlignmentMode.__members__:
                raise InvalidInputError(f"{name}: alignment_mode must be one of {list(AlignmentMode.__members__)}, "
                                        f"got {alignment_mode!r}")
            alignment_mode = AlignmentMode[alignment_mode.upper()]
        elif not isinstance(alignment_mode, AlignmentMode):
            raise InputTypeError(f"{name}: alignment_mode must be an AlignmentMode or its name, got {alignment_mode!r}")
        n = len(features_reader)
        if labels_reader is not None and len(labels_reader) != n:
            raise InvalidInputError(
                f"{name}: the features reader has {n} sequences but the labels reader has "
                f"{len(labels_reader)}; they are paired by index, so both need the same number of files")
        self.features_reader, self.labels_reader = features_reader, labels_reader
        self.batch_size, self.num_possible_labels = batch_size, num_possible_labels
        self.label_index = None if label_index is None else int(label_index)
        self.regression, self.alignment_mode = regression, alignment_mode
        self._n = n

    def num_examples(self) -> int:
        return self._n

    def __len__(self) -> int:
        return math.ceil(self._n / self.batch_size)

    def reset(self) -> None:
        """Nothing to rewind: every ``__iter__`` starts a fresh pass over the files."""

    def __iter__(self):
        seen = {}          # first feature/label widths and lengths of this pass, with their files
        for start in range(0, self._n, self.batch_size):
            examples = [self._example(i, seen) for i in range(start, min(start + self.batch_size, self._n))]
            yield self._assemble(examples)

    # -- one example ---------------------------------------------------------------------------

    def _example(self, i, seen):
        """(features [Lf, n_features], labels [Ll, n_labels], features file, labels file)."""
        freader = self.features_reader
        fpath, x = freader.read_named(i)
        if self.labels_reader is None:
            width = x.shape[1]
            col = self.label_index + width if self.label_index < 0 else self.label_index
            if not 0 <= col < width:
                raise SequenceFileError(
                    f"label_index={self.label_index} is outside the rows of {str(fpath)!r}, which have "
                    f"{width} column(s){_one_column_hint(width)}", fpath)
            if width == 1:
                raise SequenceFileError(
                    f"{str(fpath)!r} has 1 column: with label_index={self.label_index} no feature columns "
                    f"are left{_one_column_hint(width)}", fpath)
            y, lpath, lreader, first_column = x[:, col:col + 1], fpath, freader, col + 1
            self._check_width(seen, "features", fpath, width - 1, extra=1)
        else:
            lreader = self.labels_reader
            (lpath, y), first_column = lreader.read_named(i), 1
            self._check_width(seen, "features", fpath, x.shape[1])
            if self.regression:
                self._check_width(seen, "labels", lpath, y.shape[1])
            elif y.shape[1] != 1:
                raise SequenceFileError(
                    f"{str(lpath)!r} has {y.shape[1]} columns; classification labels are one column holding "
                    f"a class index per step (for several real-valued outputs pass regression=True)"
                    f"{_one_column_hint(y.shape[1])}", lpath)
        if not self.regression:
            y = self._class_indices(y[:, 0], lpath, lreader, first_column)
        _check_float32(x, fpath, freader)           # features, and a label column (checked above if classes)
        if self.regression and self.labels_reader is not None:
            _check_float32(y, lpath, lreader)
        if self.labels_reader is None:
            x = numpy.delete(x, first_column - 1, axis=1)
        if self.alignment_mode is AlignmentMode.EQUAL_LENGTH:
            self._check_equal_length(seen, fpath, len(x), lpath, len(y))
        return x, y, fpath, lpath

    def _check_width(self, seen, what, path, width, extra=0):
        first = seen.setdefault(what, (path, width))
        if first[1] != width:
            hint = _one_column_hint(min(first[1], width) + extra)
            raise SequenceFileError(
                f"{what} files differ in width: {str(first[0])!r} has {first[1] + extra} columns, "
                f"{str(path)!r} has {width + extra}{hint}", path)

    def _class_indices(self, values, path, reader, column):
        """Class indices (float column) -> int array, naming the first value that is not a valid class."""
        bad = (values != numpy.floor(values)) | ~(values >= 0) | ~(values < self.num_possible_labels)
        if bad.any():
            step = int(numpy.argmax(bad))
            line = reader.skip_num_lines + step + 1
            raise SequenceFileError(
                f"{str(path)!r} line {line} column {column}: class index {float(values[step]):g} is not an integer "
                f"in [0, {self.num_possible_labels}) (num_possible_labels={self.num_possible_labels}); "
                "for real-valued labels pass regression=True", path, line, column)
        return values.astype(numpy.intp)

    def _check_equal_length(self, seen, fpath, nf, lpath, nl):
        if nf != nl:
            raise SequenceFileError(
                f"EQUAL_LENGTH: features file {str(fpath)!r} has {nf} steps but labels file {str(lpath)!r} "
                f"has {nl}; use AlignmentMode.ALIGN_END (or ALIGN_START) for different lengths", lpath)
        first_path, first = seen.setdefault("length", (fpath, nf))
        if nf != first:
            raise SequenceFileError(
                f"EQUAL_LENGTH: {str(first_path)!r} has {first} steps but {str(fpath)!r} has {nf}; use "
                "AlignmentMode.ALIGN_END (or ALIGN_START) for sequences of different lengths", fpath)

    # -- one minibatch -------------------------------------------------------------------------

    def _assemble(self, examples):
        n = len(examples)
        n_in = examples[0][0].shape[1]
        n_out = self.num_possible_labels if not self.regression else examples[0][1].shape[1]
        lengths = [(len(x), len(y)) for x, y, _, _ in examples]
        spans = [max(lf, ll) for lf, ll in lengths]
        T = max(spans)
        end = self.alignment_mode is AlignmentMode.ALIGN_END
        features = numpy.zeros((n, n_in, T), dtype=numpy.float32)
        labels = numpy.zeros((n, n_out, T), dtype=numpy.float32)
        fmask = numpy.zeros((n, T), dtype=numpy.float32)
        lmask = numpy.zeros((n, T), dtype=numpy.float32)
        for b, ((x, y, _, _), (lf, ll), span) in enumerate(zip(examples, lengths, spans)):
            f0 = span - lf if end else 0            # the shorter part ends with the longer
            l0 = span - ll if end else 0
            features[b, :, f0:f0 + lf] = x.T          # (steps, n_in) -> (n_in, steps)
            fmask[b, f0:f0 + lf] = 1
            if self.regression:
                labels[b, :, l0:l0 + ll] = y.T
            else:
                labels[b, y, numpy.arange(l0, l0 + ll)] = 1     # one-hot
            lmask[b, l0:l0 + ll] = 1
        return DataSet(features, labels,
                       None if fmask.all() else fmask,
                       None if lmask.all() else lmask)

    def __repr__(self):
        labels = (f"labels_reader={self.labels_reader!r}" if self.labels_reader is not None
                  else f"label_index={self.label_index}")
        task = "regression" if self.regression else f"{self.num_possible_labels} classes"
        return (f"SequenceRecordReaderDataSetIterator({self._n} sequences, {labels}, batch_size={self.batch_size}, "
                f"{task}, {self.alignment_mode.name})")


def _check_reader(name, argument, reader):
    if not isinstance(reader, CSVSequenceRecordReader):
        raise InputTypeError(
            f"{name}: {argument} must be a CSVSequenceRecordReader (initialized with a split), got {_got(reader)}")
    if reader.split is None:
        raise InvalidInputError(f"{name}: {argument} is not initialized; call {argument}.initialize(split) first")


def _check_float32(values, path, reader):
    """Refuse values that would become inf in the float32 minibatch, naming the first one's line and column."""
    big = numpy.abs(values) >= _FLOAT32_INF
    if big.any():
        step, col = divmod(int(numpy.argmax(big)), values.shape[1])
        line, column = reader.skip_num_lines + step + 1, col + 1
        raise SequenceFileError(
            f"{str(path)!r} line {line} column {column}: {float(values[step, col])!r} is outside the float32 "
            "range ±3.4028235e38 that minibatches are built in (it would become inf); rescale that column "
            "before importing", path, line, column)


def _one_column_hint(width):
    return "; one column often means the delimiter does not match the files: check delimiter=" if width == 1 else ""
