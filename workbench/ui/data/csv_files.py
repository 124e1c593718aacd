"""The Data tab's CSV upload rules: the form's settings, the page's limits, the Task an upload
becomes (with a first network), and the readers' errors in the page's words. No Panel."""
from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import param

from workbench.backend import to_numpy
from workbench.conf import Adam, GravesLSTM, InputType, MultiLayerConfiguration, RnnOutputLayer
from workbench.data import AlignmentMode
from workbench.data.sequence_files import SequenceFiles, SequenceRead
from workbench.ui.catalog import Task

MAX_UPLOAD_FILES = 5000
ALIGNMENTS = [m.name for m in AlignmentMode]
DELIMITERS = {"comma ,": ",", "semicolon ;": ";", "tab": "\t", "space": " "}
PREVIEW_LINES = 6

# The readers advise Python callers; the page names its own controls instead.
_PAGE_WORDS = [
    (r"for (real-valued labels|several real-valued outputs) pass regression=True", r"for \1 choose regression"),
    (r": pass delimiter= \(e\.g\. delimiter=('.*?')\)", r": choose the delimiter \1"),
    (r"use skip_num_lines=1", "set Skip lines (header) to 1"),
    (r"check delimiter=", "check the Delimiter"),
    (r"use AlignmentMode\.(\w+) \(or (\w+)\)", r"choose the alignment mode \1 (or \2)"),
    (r" \(num_possible_labels=(\d+)\)", r" (Number of possible labels: \1)"),
    (r"label_index=(-?\d+)", r"label column \1"),
    (r"not UTF-8 text \([^)]*\); is it a CSV file\?", "not plain text; is it a CSV file?"),
    (r"SequenceRecordReaderDataSetIterator: the features reader has (\d+) sequences but the labels reader has "
     r"(\d+); .*", r"\1 features files but \2 labels files: each features file needs its labels file"),
]


class CsvSettings(param.Parameterized):
    """How uploaded CSV sequence files are read (the page's upload form)."""

    skip_lines = param.Integer(0, bounds=(0, None), doc="header lines at the top of every file")
    delimiter = param.Selector(default=",", objects=DELIMITERS, doc="what separates the columns")
    label_index = param.Integer(-1, doc="the label column when there are no labels files (-1 = last)")
    kind = param.Selector(default="classification", objects=["classification", "regression"],
                          doc="what the labels are")
    num_labels = param.Integer(2, bounds=(1, None), doc="the number of possible labels (classes)")
    batch_size = param.Integer(32, bounds=(1, None), doc="sequences per minibatch")

    def files(self, splits: dict) -> SequenceFiles:
        """How to read ``splits`` (``{"features": split, "labels": split}``, labels optional)."""
        labels = splits.get("labels")
        return SequenceFiles(splits["features"], labels, self.skip_lines, self.delimiter,
                             None if labels is not None else self.label_index, self.kind == "regression",
                             self.num_labels, self.batch_size)


SETTINGS = [name for name in CsvSettings.param if name != "name"]


@dataclass
class ReadFiles:
    """Uploaded files read, before the session trains on them."""

    files: SequenceFiles
    read: SequenceRead
    alignment: str
    settings: CsvSettings
    folder: Path


def checked_settings(current: CsvSettings, given: dict) -> tuple[CsvSettings | None, str | None]:
    """``current`` with ``given`` (names of :data:`SETTINGS`) applied, as a new object, or the
    problem in the page's words."""
    unknown = set(given) - set(SETTINGS)
    if unknown:
        raise TypeError(f"upload: unknown settings {sorted(unknown)}; known: {SETTINGS + ['alignment']}")
    values = {name: getattr(current, name) for name in SETTINGS}
    for name, value in given.items():
        try:
            CsvSettings(**{name: value})
        except ValueError:
            return None, f"{CsvSettings.param[name].doc} cannot be {value!r}."
    return CsvSettings(**{**values, **given}), None


def upload_problem(files: dict, max_bytes: int, max_files: int) -> str | None:
    """Why ``{"features": {name: data}, ...}`` is more than the page takes, or None."""
    named = [group for group in files.values() if isinstance(group, dict)]
    count = sum(len(group) for group in named)
    size = sum(len(data) for group in named for data in group.values() if isinstance(data, (bytes, bytearray, str)))
    if count > max_files:
        return f"{count:,} files is too many; choose at most {max_files:,} files."
    if size > max_bytes:
        return f"the files hold {_mb(size)}, more than the {_mb(max_bytes)} the page takes in all; choose fewer " \
               "or smaller files."
    return None


def uploaded_network(n_in: int, n_out: int, regression: bool):
    """A small first network for uploaded sequences, as a Task's ``default_config``:
    GravesLSTM(16) + RnnOutputLayer (MSE and identity for regression, softmax otherwise)."""
    loss, activation = ("mse", "identity") if regression else ("mcxent", "softmax")
    return lambda: MultiLayerConfiguration(
        [GravesLSTM(16), RnnOutputLayer(n_out, loss=loss, activation=activation)],
        input_type=InputType.recurrent(n_in), updater=Adam(0.01), seed=42)


def uploaded_task(ready: ReadFiles) -> Task:
    """The Task the session trains on after an upload (no test data; classes named by index)."""
    files, read, n = ready.files, ready.read, len(ready.read.lengths)
    kind = "regression" if files.regression else "classification"
    return Task(
        f"Uploaded CSV ({n} sequences)",
        f"{n} uploaded sequences of {read.lengths.min()}-{read.lengths.max()} steps with {read.n_in} feature(s) and "
        f"{'a label column' if files.labels is None else 'labels files'}, {kind} with {outputs(ready)}, read with "
        f"{ready.alignment}.", kind, InputType.recurrent(read.n_in), read.n_out, lambda: (read.iterator, None),
        uploaded_network(read.n_in, read.n_out, files.regression),
        None if files.regression else tuple(str(k) for k in range(read.n_out)))


def outputs(ready: ReadFiles) -> str:
    n = ready.read.n_out
    return f"{n} output(s)" if ready.files.regression else f"{n} classes"


def page_text(err, folder) -> str:
    """The error's message as the page says it: file names without our temporary folder, the
    page's controls instead of the readers' argument names."""
    text = str(err) or type(err).__name__
    if not isinstance(err, (ValueError, OSError)):
        text = f"an unexpected problem ({type(err).__name__}: {text})"
    if folder:
        text = re.sub(re.escape(str(folder)) + r"[\\/]+(?:[\w-]+-\d+[\\/]+)?(?:(?:features|labels)[\\/]+)?", "", text)
    for pattern, words in _PAGE_WORDS:
        text = re.sub(pattern, words, text)
    return text


def preview_markdown(files: SequenceFiles) -> str:
    """The first lines of the first features (and labels) file, as Markdown."""
    return "\n\n".join(f"`{path.name}` ({what}, first lines):\n```\n{head}\n```"
                       for path, what, head in files.preview(PREVIEW_LINES))


def same_batch(a, b) -> bool:
    """Whether two minibatches hold the same features, labels and masks."""
    pairs = zip((a.features, a.labels, a.features_mask, a.labels_mask),
                (b.features, b.labels, b.features_mask, b.labels_mask))
    return all((p is None and q is None) or (p is not None and q is not None and p.shape == q.shape
                                              and np.array_equal(to_numpy(p), to_numpy(q))) for p, q in pairs)


class Scratch:
    """A temporary folder (made when first needed) holding one sub-folder per upload or CSV
    export; removed by :meth:`close`, or at exit."""

    def __init__(self):
        self.root, self._count = None, 0

    def new(self, kind: str) -> Path:
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="workbench-data-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, True)
        self._count += 1
        folder = self.root / f"{kind}-{self._count}"
        folder.mkdir()
        return folder

    def close(self) -> None:
        if self.root is not None:
            self._cleanup()
            self.root = None


def _mb(n) -> str:
    return f"{n / 1e6:.1f} MB" if n % 1_000_000 else f"{n // 1_000_000} MB"
