"""The "Data" view: pick a bundled data set or upload CSV sequence files, and look at one padded
minibatch the way the network sees it: features, features and labels masks, labels, lengths.

Uploads go through the library's own readers (``CSVSequenceRecordReader`` + ``FileSplit`` +
``SequenceRecordReaderDataSetIterator``), as in the DL4J guide's "Importing Time Series Data".
"Write as CSV files" sends a bundled data set down the same path (``to_csv_sequences``, then
read back), which shows what ``AlignmentMode`` does to many-to-one data: ``ALIGN_END`` puts the
label at the last step (the guide's Example 4), ``ALIGN_START`` at the first.

Everything the page can do is also a method (``select``, ``upload``, ``set_alignment``,
``show_as_csv``), so tests and notebooks drive it without a browser. Errors become ``message``,
never a traceback, and a failed read keeps the session's previous data.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import panel as pn
import param

from workbench.backend import to_numpy
from workbench.data.batches import as_sequences, batch_lengths, nth_batch, num_batches, sequence_lengths
from workbench.conf import Adam, GravesLSTM, InputType, MultiLayerConfiguration, RnnOutputLayer
from workbench.data import (
    AlignmentMode, CharacterIterator, CSVSequenceRecordReader, FileSplit, NumberedFileInputSplit,
    SequenceRecordReaderDataSetIterator, to_csv_sequences,
)
from workbench.ui.catalog import TASKS, Task
from workbench.ui.data_figures import features_figure, labels_figure, lengths_figure, mask_figure
from workbench.ui.shared import Messages, on_session_end, show_message
from workbench.ui.session import WorkbenchSession

MAX_UPLOAD_BYTES = 20 * 2**20
MAX_UPLOAD_FILES = 5000
ALIGNMENTS = [m.name for m in AlignmentMode]
KINDS = ["classification", "regression"]
DELIMITERS = {"comma ,": ",", "semicolon ;": ";", "tab": "\t", "space": " "}
_PREVIEW_LINES = 6


@dataclass
class _CsvSource:
    """Sequence files on disk and how to read them: an upload, or a bundled set written as CSV."""

    origin: str                     # "upload" or "bundled"
    folder: Path                    # ours: removed when the source is dropped
    features_split: object
    labels_split: object | None     # None: labels in column label_index of the features files
    skip_lines: int = 0
    delimiter: str = ","
    label_index: int | None = None
    regression: bool = False
    num_labels: int = -1
    batch_size: int = 32

    def read(self, alignment: AlignmentMode):
        """``(iterator, first minibatch, lengths)`` after one full pass: every file is read and
        checked before anything is kept (a bad file raises here, not during training)."""
        features = CSVSequenceRecordReader(self.skip_lines, self.delimiter).initialize(self.features_split)
        labels = None if self.labels_split is None else \
            CSVSequenceRecordReader(self.skip_lines, self.delimiter).initialize(self.labels_split)
        it = SequenceRecordReaderDataSetIterator(
            features, labels, batch_size=self.batch_size, num_possible_labels=self.num_labels,
            label_index=self.label_index, regression=self.regression, alignment_mode=alignment)
        first, lengths = None, []
        for ds in it:
            first = ds if first is None else first
            lengths.append(batch_lengths(ds))
        return it, first, np.concatenate(lengths)

    def preview(self) -> str:
        """The first lines of the first features (and labels) file, as Markdown."""
        parts = []
        for what, split in (("features", self.features_split), ("labels", self.labels_split)):
            if split is not None:
                path = split.paths()[0]
                with open(path, encoding="utf-8", errors="replace") as f:
                    head = "".join(islice(f, _PREVIEW_LINES)).rstrip("\n")
                parts.append(f"`{path.relative_to(self.folder)}` ({what}, first lines):\n```\n{head}\n```")
        return "\n\n".join(parts)


def default_network(n_in: int, n_out: int, regression: bool):
    """A small first network for uploaded sequences: GravesLSTM(16) + RnnOutputLayer."""
    loss, activation = ("mse", "identity") if regression else ("mcxent", "softmax")
    return lambda: MultiLayerConfiguration(
        [GravesLSTM(16), RnnOutputLayer(n_out, loss=loss, activation=activation)],
        input_type=InputType.recurrent(n_in), updater=Adam(0.01), seed=42)


class DataInspector(Messages, pn.viewable.Viewer):
    """The Data view over a shared :class:`WorkbenchSession` (a new one when ``session`` is None).

    Shows minibatch ``minibatch_slider.value`` of the session's training data (or of the bundled
    data read back from CSV files after :meth:`show_as_csv`) and example ``example_slider.value``
    of it. ``batch`` is the DataSet drawn, ``features_mask_shown``/``labels_mask_shown`` the mask
    arrays drawn (None: nothing padded), ``lengths`` the sequence lengths of the histogram.
    Call :meth:`close` when done: it removes the temporary folder of uploaded and written files.
    """

    max_upload_bytes = param.Integer(default=MAX_UPLOAD_BYTES, bounds=(1, None),
                                     doc="uploads larger in all are refused")
    max_upload_files = param.Integer(default=MAX_UPLOAD_FILES, bounds=(1, None), doc="most files in one upload")

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(**params)
        self._owns_session = session is None
        self.session = session if session is not None else WorkbenchSession()
        self.batch = self.features_mask_shown = self.labels_mask_shown = None
        self.lengths = np.zeros(0, np.int64)
        self.csv_preview = ""
        self._csv = None            # (source, iterator): the bundled data written as CSV, being shown
        self._upload = None         # the uploaded files the session trains on
        self._own_data = None       # ... and their iterator (session.train_data while it is ours)
        self._lengths_cache = (None, None)
        self._quiet_depth, self._tmp, self._folders = 0, None, 0
        self._build_widgets()
        self._watcher = self.session.param.watch(self._on_session, ["task", "train_data"])
        on_session_end(self.close)
        self._sync_task_select()
        self._refresh(reset=True)

    # -- layout ---------------------------------------------------------------------------------

    def _build_widgets(self):
        self.task_select = pn.widgets.Select(label="Bundled data set", options=list(TASKS))
        self.task_description = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.csv_button = pn.widgets.Button(label="Write as CSV files", color="default",
                                            description="Write the training data with to_csv_sequences and read it "
                                                        "back through the CSV readers with the alignment mode below")
        self.features_input = pn.widgets.FileInput(multiple=True, accept=".csv,.txt")
        self.labels_input = pn.widgets.FileInput(multiple=True, accept=".csv,.txt")
        self.skip_input = pn.widgets.IntInput(label="Skip lines (header)", value=0, start=0)
        self.delimiter_select = pn.widgets.Select(label="Delimiter", options=dict(DELIMITERS), value=",")
        self.label_index_input = pn.widgets.IntInput(label="Label column (no label files; -1 = last)", value=-1)
        self.kind_select = pn.widgets.RadioButtonGroup(options=KINDS, value="classification")
        self.num_labels_input = pn.widgets.IntInput(label="Number of possible labels", value=2, start=1)
        self.batch_size_input = pn.widgets.IntInput(label="Batch size", value=32, start=1)
        self.upload_button = pn.widgets.Button(label="Read uploaded files", color="primary")
        self.alignment_select = pn.widgets.Select(label="Alignment mode", options=ALIGNMENTS, value="ALIGN_END")
        self.alert = pn.pane.Alert("", alert_type="info", visible=False, sizing_mode="stretch_width")
        self.preview_pane = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.minibatch_slider = pn.widgets.IntSlider(label="Minibatch", start=0, end=1, value=0)
        self.example_slider = pn.widgets.IntSlider(label="Example", start=0, end=1, value=0)
        self.summary = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.features_pane, self.features_mask_pane, self.labels_mask_pane, self.labels_pane, self.lengths_pane = (
            pn.pane.Plotly(None, sizing_mode="stretch_width") for _ in range(5))

        self.task_select.param.watch(self._on_task_select, "value")
        self.csv_button.on_click(lambda _: self.show_as_csv())
        self.upload_button.on_click(self._on_upload_click)
        self.alignment_select.param.watch(self._on_alignment, "value")
        self.minibatch_slider.param.watch(lambda e: self._quiet_depth or self._refresh(), "value")
        self.example_slider.param.watch(lambda e: self._quiet_depth or self._draw(), "value")

    def __panel__(self):
        controls = pn.Column(
            "### Data", self.task_select, self.task_description, self.csv_button,
            pn.layout.Divider(),
            "### Upload CSV sequences",
            "One file per sequence, one line per step; files pair up in natural order (`x_2` before `x_10`).",
            "Features files", self.features_input, "Labels files (or none: labels in a column)", self.labels_input,
            self.skip_input, self.delimiter_select, self.label_index_input, self.kind_select,
            self.num_labels_input, self.batch_size_input, self.upload_button,
            pn.layout.Divider(), self.alignment_select,
            "`ALIGN_END`: a shorter labels file ends with its features (many-to-one); `ALIGN_START`: both start "
            "at step 0 (one-to-many); `EQUAL_LENGTH`: no padding allowed.",
            self.alert, self.preview_pane, width=360)
        plots = pn.Column(
            self.summary, pn.Row(self.minibatch_slider, self.example_slider), self.features_pane,
            pn.Row(self.features_mask_pane, self.labels_mask_pane, sizing_mode="stretch_width"),
            pn.Row(self.labels_pane, self.lengths_pane, sizing_mode="stretch_width"),
            sizing_mode="stretch_width")
        return pn.Row(controls, plots, sizing_mode="stretch_width")

    # -- programmatic API -----------------------------------------------------------------------

    def select(self, name: str) -> bool:
        """Train on a bundled data set: ``session.select_task(name)``."""
        try:
            self.session.select_task(name)
        except Exception as err:                                  # noqa: BLE001 - shown, never raised
            return self._say(f"Could not load {name!r}: {err}", "error")
        return self._say(f"Loaded {name!r}.", "success")

    def upload(self, features: dict, labels: dict | None = None, *, skip_lines=None, delimiter=None,
               label_index=None, kind=None, num_labels=None, alignment=None, batch_size=None) -> bool:
        """Read uploaded sequence files ``{file name: bytes}`` and train on them.

        ``labels`` None: the labels are column ``label_index`` of the features files (the guide's
        Example 2); else one labels file per features file, paired in natural order of the names.
        Options left None take the widgets' values. On success the session gets the iterator and a
        custom :class:`Task` for it (its default network included) and True is returned; on any
        error ``message`` says why, the session keeps its data, and False is returned.
        """
        opts = dict(skip_lines=self.skip_input.value if skip_lines is None else skip_lines,
                    delimiter=self.delimiter_select.value if delimiter is None else delimiter,
                    label_index=self.label_index_input.value if label_index is None else label_index,
                    kind=self.kind_select.value if kind is None else kind,
                    num_labels=self.num_labels_input.value if num_labels is None else num_labels,
                    alignment=self.alignment_select.value if alignment is None else alignment,
                    batch_size=self.batch_size_input.value if batch_size is None else batch_size)
        labels = labels or None
        try:
            files = self._checked_upload(features, labels)
            mode = _alignment(opts["alignment"])
            if opts["kind"] not in KINDS:
                raise ValueError(f"kind must be one of {KINDS}, got {opts['kind']!r}")
        except ValueError as err:
            return self._say(f"Upload refused: {err}", "error")
        regression = opts["kind"] == "regression"
        folder = self._new_folder("upload")
        try:
            for group, named in files.items():
                (folder / group).mkdir()
                for name, data in named.items():
                    (folder / group / name).write_bytes(data)
            source = _CsvSource(
                "upload", folder, FileSplit(folder / "features"),
                FileSplit(folder / "labels") if labels else None, opts["skip_lines"], opts["delimiter"],
                None if labels else opts["label_index"], regression,
                -1 if regression else opts["num_labels"], opts["batch_size"])
            it, first, lengths = source.read(mode)
            preview = source.preview()
        except Exception as err:                                  # noqa: BLE001 - shown, never raised
            shutil.rmtree(folder, ignore_errors=True)             # nothing half-read is kept
            return self._say(f"Could not read the uploaded files ({mode.name}): {_clean(err, folder)}", "error")
        with self._quiet():                                       # the widgets show what was read
            self.skip_input.value, self.kind_select.value = opts["skip_lines"], opts["kind"]
            self.batch_size_input.value, self.alignment_select.value = opts["batch_size"], mode.name
            if opts["delimiter"] not in self.delimiter_select.options.values():
                options = self.delimiter_select.options
                self.delimiter_select.options = {**options, repr(opts["delimiter"]): opts["delimiter"]}
            self.delimiter_select.value = opts["delimiter"]
            if not regression:
                self.num_labels_input.value = opts["num_labels"]
            if not labels:
                self.label_index_input.value = opts["label_index"]
        return self._use_upload(source, it, first, lengths, mode, preview)

    def set_alignment(self, mode) -> bool:
        """Read the CSV files shown (uploaded, or written by :meth:`show_as_csv`) again with ``mode``."""
        try:
            name = _alignment(mode).name
        except ValueError as err:
            return self._say(str(err), "error")
        if name == self.alignment_select.value:
            return True
        self.alignment_select.value = name                         # -> _on_alignment
        return self.message_kind != "error"

    def show_as_csv(self) -> bool:
        """Write the current task's training data as CSV files (``to_csv_sequences``: one file per
        sequence, real steps only, labels as a class index) and show them read back through
        ``CSVSequenceRecordReader`` + ``SequenceRecordReaderDataSetIterator`` with the chosen
        alignment mode. The session keeps training on the bundled data."""
        task, mode = self.session.task, AlignmentMode[self.alignment_select.value]
        if task.kind != "classification":
            return self._say(f"Write as CSV files is for classification tasks (one class index per label line); "
                             f"{task.name!r} is a {task.kind} task.", "warning")
        folder = self._new_folder("csv")
        try:
            files = to_csv_sequences(self.session.train_data, folder, header=True, label_format="index")
            source = _CsvSource(
                "bundled", folder, NumberedFileInputSplit(files.features_pattern, 0, files.max_idx),
                NumberedFileInputSplit(files.labels_pattern, 0, files.max_idx), skip_lines=files.skip_num_lines,
                num_labels=task.n_out, batch_size=self.batch_size_input.value)
            it, first, lengths = source.read(mode)
            preview = source.preview()
        except Exception as err:                                  # noqa: BLE001 - shown, never raised
            shutil.rmtree(folder, ignore_errors=True)
            return self._say(f"Could not write and read back {task.name!r} ({mode.name}): {_clean(err, folder)}",
                             "error")
        same = _same_batch(first, nth_batch(self.session.train_data, 0))
        self._show_csv(source, it, lengths, preview)
        return self._say(
            f"Wrote {files.num_examples} sequences of {task.name!r} as {2 * files.num_examples} CSV files "
            f"(`features_i.csv`, `labels_i.csv`, a header line, labels as class index) and read them back with "
            f"{mode.name}: the first minibatch is {'the same as' if same else 'NOT the same as'} the bundled one. "
            "The session still trains on the bundled data.", "success")

    def set_minibatch(self, index: int) -> None:
        self.minibatch_slider.value = int(index)

    def set_example(self, index: int) -> None:
        self.example_slider.value = int(index)

    @property
    def features_figure(self):
        return self.features_pane.object

    @property
    def features_mask_figure(self):
        return self.features_mask_pane.object

    @property
    def labels_mask_figure(self):
        return self.labels_mask_pane.object

    @property
    def labels_figure(self):
        return self.labels_pane.object

    @property
    def lengths_figure(self):
        return self.lengths_pane.object

    def close(self) -> None:
        """Remove the temporary folder of uploaded and written files (the session can no longer
        train on uploaded files afterwards) and stop following the session (closing it too when
        this view made it). Safe to call twice."""
        if self._watcher is not None:
            self.session.param.unwatch(self._watcher)
            self._watcher = None
            if self._owns_session:
                self.session.close()
        self._csv = self._upload = self._own_data = None
        if self._tmp is not None:
            self._cleanup()
            self._tmp = None

    # -- sources --------------------------------------------------------------------------------

    def _checked_upload(self, features, labels) -> dict:
        """``{"features": {name: bytes}, "labels": ...}`` after the limits and names are checked."""
        files = {"features": features} if labels is None else {"features": features, "labels": labels}
        for group, named in files.items():
            if not isinstance(named, dict) or (group == "features" and not named):
                raise ValueError(f"{group}: expected a dict of file name -> bytes with at least one file, "
                                 f"got {type(named).__name__}{'' if named else ' (empty)'}")
            for name, data in named.items():
                if not isinstance(name, str) or not name or name != os.path.basename(name) or name in (".", "..") \
                        or name.startswith(".") or any(c in name for c in "\x00\\"):
                    raise ValueError(f"{group} file name {name!r}: give a plain file name (no folders, not hidden)")
                if not isinstance(data, (bytes, bytearray)):
                    raise ValueError(f"{group} file {name!r}: expected bytes, got {type(data).__name__}")
        count = sum(len(named) for named in files.values())
        size = sum(len(data) for named in files.values() for data in named.values())
        if count > self.max_upload_files:
            raise ValueError(f"{count} files is too many; at most {self.max_upload_files:,} files in one upload")
        if size > self.max_upload_bytes:
            raise ValueError(f"{_mb(size)} in {count} files is too large; at most {_mb(self.max_upload_bytes)} "
                             "in all (use the library's readers on the files directly for more)")
        return files

    def _use_upload(self, source, it, first, lengths, mode, preview) -> bool:
        n_in, n_out, n = int(first.features.shape[1]), int(first.labels.shape[1]), len(lengths)
        kind = "regression" if source.regression else "classification"
        what = f"{n_out} output(s)" if source.regression else f"{n_out} classes"
        labels = "a label column" if source.labels_split is None else "labels files"
        task = Task(
            f"Uploaded CSV ({n} sequences)",
            f"{n} uploaded sequences of {lengths.min()}-{lengths.max()} steps with {n_in} feature(s) and {labels}, "
            f"{kind} with {what}, read with {mode.name}.", kind, InputType.recurrent(n_in), n_out,
            lambda: (it, None), default_network(n_in, n_out, source.regression),
            None if source.regression else tuple(str(k) for k in range(n_out)))
        old, self._upload, self._own_data = self._upload, source, it
        self._csv = None
        self._lengths_cache = (it, lengths)
        try:
            self.session.stop_training()
            self.session.param.update(task=task, train_data=it, test_data=None, conf=task.default_config(), net=None)
        except Exception as err:                                  # noqa: BLE001 - e.g. a failing watcher
            return self._say(f"The files were read, but updating the session failed: {err}", "error")
        if old is not None and old.folder != source.folder:
            shutil.rmtree(old.folder, ignore_errors=True)
        self.preview_pane.object = self.csv_preview = preview
        names = [p.name for p in source.features_split.paths()]
        pairs = "" if source.labels_split is None else \
            f", paired with {source.labels_split.paths()[0].name} ... in natural order"
        return self._say(
            f"Read {n} sequences ({names[0]}{' ... ' + names[-1] if n > 1 else ''}{pairs}) with {mode.name}: "
            f"{n_in} feature(s), {what}, {lengths.min()}-{lengths.max()} steps, {len(it)} minibatch(es) of up to "
            f"{source.batch_size}. The session trains on them now with a GravesLSTM(16) + RnnOutputLayer network.",
            "success")

    def _show_csv(self, source, it, lengths, preview):
        if self._csv is not None and self._csv[0].folder != source.folder:
            shutil.rmtree(self._csv[0].folder, ignore_errors=True)
        self._csv = (source, it)
        self._lengths_cache = (it, lengths)
        self.preview_pane.object = self.csv_preview = preview
        self._refresh(reset=True)

    def _shown_data(self):
        return self._csv[1] if self._csv is not None else self.session.train_data

    def _new_folder(self, kind) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="workbench-data-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)   # also at exit
        self._folders += 1
        folder = self._tmp / f"{kind}-{self._folders}"
        folder.mkdir()
        return folder

    # -- events ---------------------------------------------------------------------------------

    def _on_session(self, *events):
        if self._csv is not None:                               # it showed the previous data
            shutil.rmtree(self._csv[0].folder, ignore_errors=True)
            self._csv = None
        if self._upload is not None and self.session.train_data is not self._own_data:
            shutil.rmtree(self._upload.folder, ignore_errors=True)
            self._upload = self._own_data = None
        self._sync_task_select()
        self._refresh(reset=True)

    def _on_task_select(self, event):
        if not self._quiet_depth and event.new in TASKS:
            self.select(event.new)

    def _on_upload_click(self, _):
        features, labels = _files_of(self.features_input), _files_of(self.labels_input)
        if not features:
            self._say("Choose one or more features files first.", "warning")
            return
        self.upload(features, labels or None)

    def _on_alignment(self, event):
        if self._quiet_depth:
            return
        mode = AlignmentMode[event.new]
        source = self._csv[0] if self._csv is not None else self._upload
        if source is None:
            self._say(f"{mode.name} will be used for the next upload or Write as CSV files.", "info")
            return
        try:
            it, first, lengths = source.read(mode)
        except Exception as err:                                  # noqa: BLE001 - shown, never raised
            with self._quiet():
                self.alignment_select.value = event.old
            self._say(f"Cannot read the files with {mode.name} (kept {event.old}): {_clean(err, source.folder)}",
                      "error")
            return
        if source.origin == "upload":
            self._use_upload(source, it, first, lengths, mode, self.csv_preview)
        else:
            self._show_csv(source, it, lengths, self.csv_preview)
            self._say(f"Read the CSV files again with {mode.name}.", "success")

    @contextlib.contextmanager
    def _quiet(self):
        """Set widgets without their watchers acting (the state already matches)."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _say(self, text: str, kind: str) -> bool:
        """Show ``text`` as ``kind``; True unless it reports an error."""
        self.say(text, kind)
        show_message(self.alert, self)
        return kind != "error"

    def _sync_task_select(self):
        task = self.session.task
        with self._quiet():
            self.task_select.options = list(TASKS) + ([] if task.name in TASKS else [task.name])
            self.task_select.value = task.name
        self.task_description.object = (
            f"{task.description}\n\n*{task.kind}: {task.input_type.size} input(s), {task.n_out} output(s)*")

    # -- drawing --------------------------------------------------------------------------------

    def _refresh(self, reset: bool = False):
        """Read the minibatch to show (and the lengths, once per data object), then draw."""
        data = self._shown_data()
        try:
            n = num_batches(data)
            with self._quiet():
                index = 0 if reset else min(self.minibatch_slider.value, n - 1)
                self.minibatch_slider.param.update(value=index, end=max(n - 1, 1), disabled=n <= 1)
            self.batch = nth_batch(data, index)
            if self._lengths_cache[0] is not data:
                self._lengths_cache = (data, sequence_lengths(data))
            self.lengths = self._lengths_cache[1]
        except Exception as err:                                  # noqa: BLE001 - e.g. files gone
            self._say(f"Cannot read the data to show: {err}", "error")
            return
        size = self.batch.num_examples()
        with self._quiet():
            example = 0 if reset else min(self.example_slider.value, size - 1)
            self.example_slider.param.update(value=example, end=max(size - 1, 1), disabled=size <= 1)
        self._draw()

    def _draw(self):
        if self.batch is None:
            return
        x, y, fmask, lmask = as_sequences(self.batch)
        b = min(self.example_slider.value, x.shape[0] - 1)
        self.features_mask_shown, self.labels_mask_shown = fmask, lmask
        task, data = self.session.task, self._shown_data()
        kind = "classification" if self._csv is not None else task.kind
        names = list(data.vocab) if isinstance(data, CharacterIterator) else list(task.class_names or ())
        source = f"CSV files of {task.name}, read with {self.alignment_select.value}" if self._csv else task.name
        self.summary.object = (
            f"**{source}** - minibatch {self.minibatch_slider.value + 1} of {num_batches(data)}: features "
            f"{list(x.shape)}, labels {list(y.shape)}, features mask {_shape(fmask)}, labels mask {_shape(lmask)}")
        self.features_pane.object = features_figure(x[b], None if fmask is None else fmask[b], b)
        self.features_mask_pane.object = mask_figure(fmask, b, "features mask")
        self.labels_mask_pane.object = mask_figure(lmask, b, "labels mask")
        self.labels_pane.object = labels_figure(y[b], None if lmask is None else lmask[b], b,
                                                kind == "regression", names)
        self.lengths_pane.object = lengths_figure(self.lengths)


# -- figures (pure functions of arrays) ---------------------------------------------------------

def _alignment(mode) -> AlignmentMode:
    if isinstance(mode, AlignmentMode):
        return mode
    if isinstance(mode, str) and mode.upper() in AlignmentMode.__members__:
        return AlignmentMode[mode.upper()]
    raise ValueError(f"alignment mode must be one of {ALIGNMENTS}, got {mode!r}")


def _files_of(widget) -> dict:
    """``{name: bytes}`` of a FileInput (one file or several)."""
    if not widget.value:
        return {}
    values, names = widget.value, widget.filename
    if not isinstance(values, list):
        values, names = [values], [names]
    return dict(zip(names, values))


def _same_batch(a, b) -> bool:
    pairs = zip((a.features, a.labels, a.features_mask, a.labels_mask),
                (b.features, b.labels, b.features_mask, b.labels_mask))
    return all((p is None and q is None) or (p is not None and q is not None and p.shape == q.shape
                                              and np.array_equal(to_numpy(p), to_numpy(q))) for p, q in pairs)


def _clean(err, folder) -> str:
    """The error's message with our temporary folder cut from the paths it names."""
    text = str(err) or type(err).__name__
    if not isinstance(err, (ValueError, OSError)):
        text = f"{type(err).__name__}: {text}"
    return text.replace(str(folder) + os.sep, "")


def _mb(n) -> str:
    return f"{n / 2**20:.1f} MB"


def _shape(a) -> str:
    return "none (nothing padded)" if a is None else str(list(a.shape))
