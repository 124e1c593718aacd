"""CSV sequence files in a folder, read into minibatches in one checked pass.

What an upload (or a data set written with ``to_csv_sequences``) becomes before training::

    splits = save_sequence_files({"features": {"x_0.csv": b"1,2\\n3,4\\n"},
                                  "labels": {"y_0.csv": b"0\\n1\\n"}}, folder)
    files = SequenceFiles(splits["features"], splits["labels"], num_labels=2)
    read = files.read(AlignmentMode.ALIGN_END)   # iterator, first minibatch, lengths [n sequences]

Reading goes through the library's readers (``CSVSequenceRecordReader`` +
``SequenceRecordReaderDataSetIterator``), as in the DL4J guide's "Importing Time Series Data". A
bad file raises the readers' own errors (``SequenceFileError`` names the file, line and column).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from workbench.data.batches import batch_lengths
from workbench.data.records import CSVSequenceRecordReader, FileSplit
from workbench.data.sequence_iterator import AlignmentMode, SequenceRecordReaderDataSetIterator
from workbench.errors import InvalidInputError

__all__ = ["SequenceFiles", "SequenceRead", "save_sequence_files"]

GROUPS = ("features", "labels")


def save_sequence_files(files: dict, folder) -> dict:
    """Write ``{"features": {name: bytes or str}, "labels": {...}}`` (labels optional) as
    ``folder/features/name`` ...; returns ``{group: FileSplit}`` in natural order of the names.

    Names must be plain file names (no folders, not hidden); str contents are written as UTF-8.
    Raises ``InvalidInputError`` (nothing written) for a bad name, content or an empty group."""
    for group, named in files.items():
        if group not in GROUPS:
            raise InvalidInputError(f"save_sequence_files: groups are {GROUPS}, got {group!r}")
        if not isinstance(named, dict) or not named:
            raise InvalidInputError(f"{group}: expected at least one file, got "
                                    f"{type(named).__name__}{'' if named else ' (empty)'}")
        for name, data in named.items():
            if not isinstance(name, str) or not name or name != os.path.basename(name) \
                    or name.startswith(".") or any(c in name for c in "\x00\\"):
                raise InvalidInputError(f"{group} file name {name!r}: give a plain file name (no folders, "
                                        "not hidden)")
            if not isinstance(data, (bytes, bytearray, str)):
                raise InvalidInputError(f"{group} file {name!r}: expected bytes or text, got {type(data).__name__}")
    folder = Path(folder)
    for group, named in files.items():
        (folder / group).mkdir(parents=True)
        for name, data in named.items():
            (folder / group / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return {group: FileSplit(folder / group) for group in files}


@dataclass
class SequenceRead:
    """One checked pass: the iterator to train on, its first minibatch and the sequence lengths
    ``[n sequences]`` (real steps of the features mask)."""

    iterator: SequenceRecordReaderDataSetIterator
    first: object
    lengths: np.ndarray

    @property
    def n_in(self) -> int:
        return int(self.first.features.shape[1])

    @property
    def n_out(self) -> int:
        return int(self.first.labels.shape[1])


@dataclass
class SequenceFiles:
    """Sequence files (splits of paths) and how to read them. ``labels`` None: the labels are
    column ``label_index`` of the features files (the guide's Example 2); else one labels file per
    features file, paired by position. ``num_labels`` is the number of classes (ignored for
    ``regression``)."""

    features: object
    labels: object | None = None
    skip_lines: int = 0
    delimiter: str = ","
    label_index: int | None = None
    regression: bool = False
    num_labels: int = -1
    batch_size: int = 32

    def iterator(self, alignment: AlignmentMode) -> SequenceRecordReaderDataSetIterator:
        """A ``SequenceRecordReaderDataSetIterator`` over the files (nothing read yet)."""
        def reader(split):
            return CSVSequenceRecordReader(self.skip_lines, self.delimiter).initialize(split)
        return SequenceRecordReaderDataSetIterator(
            reader(self.features), None if self.labels is None else reader(self.labels),
            batch_size=self.batch_size, num_possible_labels=-1 if self.regression else self.num_labels,
            label_index=self.label_index if self.labels is None else None, regression=self.regression,
            alignment_mode=alignment)

    def read(self, alignment: AlignmentMode, progress=None) -> SequenceRead:
        """Read every file once (a bad file raises here, not during training).
        ``progress(done, total)`` is called after each minibatch with the sequences read so far."""
        it = self.iterator(alignment)
        total, first, lengths = it.num_examples(), None, []
        for ds in it:
            first = ds if first is None else first
            lengths.append(batch_lengths(ds))
            if progress is not None:
                progress(min(len(lengths) * self.batch_size, total), total)
        return SequenceRead(it, first, np.concatenate(lengths))

    def preview(self, lines: int = 6) -> list:
        """``[(path, "features" or "labels", its first ``lines`` lines), ...]`` of the first file(s)."""
        out = []
        for what, split in (("features", self.features), ("labels", self.labels)):
            if split is not None:
                path = Path(split[0])
                with open(path, encoding="utf-8", errors="replace") as f:
                    out.append((path, what, "".join(islice(f, lines)).rstrip("\n")))
        return out
