"""State of the Data tab: the data the session trains on (a bundled task or uploaded CSV sequence
files), the minibatch and example shown, and the bundled data sent through the CSV readers.

``select``, ``upload`` and ``show_as_csv`` are the actions; setting ``alignment`` reads the CSV
files shown again, ``minibatch`` and ``example`` pick what is drawn. ``batch`` is the DataSet
shown, ``lengths`` the sequence lengths ``[n sequences]`` of the whole pass. A failed action says
why (``message``) and keeps the session's data. No Panel here: tests drive it directly.
"""
from __future__ import annotations

import shutil

import numpy as np
import param

from workbench.data import AlignmentMode, CharacterIterator, NumberedFileInputSplit, to_csv_sequences
from workbench.data.batches import as_sequences, nth_batch, num_batches, sequence_lengths
from workbench.data.sequence_files import SequenceFiles, save_sequence_files
from workbench.ui.catalog import TASKS
from workbench.ui.data.csv_files import (
    ALIGNMENTS, MAX_UPLOAD_FILES, SETTINGS, CsvSettings, ReadFiles, Scratch, checked_settings,
    outputs, page_text, preview_markdown, same_batch, upload_problem, uploaded_task,
)
from workbench.ui.session import WorkbenchSession
from workbench.ui.messages import Messages
from workbench.ui.uploads import MAX_UPLOAD_BYTES


class DataState(Messages):
    """The Data tab over a shared :class:`WorkbenchSession` (a new one when ``session`` is None)."""

    task_name = param.Selector(default=None, objects=list(TASKS), doc="the data set the session trains on")
    task_description = param.String("", doc="what the data set is")
    alignment = param.Selector(default="ALIGN_END", objects=ALIGNMENTS, doc="how CSV label files line up")
    minibatch = param.Integer(0, bounds=(0, None), doc="the minibatch shown (0-based)")
    example = param.Integer(0, bounds=(0, None), doc="the example of the minibatch outlined and drawn")
    n_minibatches = param.Integer(1, doc="minibatches in one pass of the data shown")
    n_examples = param.Integer(1, doc="examples in the minibatch shown")
    batch = param.Parameter(None, doc="the minibatch shown (a DataSet)")
    lengths = param.Array(np.zeros(0, np.int64), doc="sequence lengths [n sequences] of the data shown")
    csv_preview = param.String("", doc="Markdown: the first lines of the CSV files shown")
    reading = param.Boolean(False, doc="files are being read")
    read_done = param.Integer(0, doc="sequences read so far")
    read_total = param.Integer(0, doc="sequences to read")
    max_upload_bytes = param.Integer(MAX_UPLOAD_BYTES, bounds=(1, None), doc="uploads larger in all are refused")
    max_upload_files = param.Integer(MAX_UPLOAD_FILES, bounds=(1, None), doc="most files in one upload")

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(**params)
        self.csv = CsvSettings()
        self._owns_session = session is None
        self.session = session if session is not None else WorkbenchSession()
        self._csv = None              # (SequenceFiles, iterator, folder): the bundled data as CSV, shown
        self._upload = None           # (SequenceFiles, iterator, folder) the session trains on
        self._read_alignment = self.alignment     # the mode the CSV files shown were read with
        self._lengths_of = (None, None)
        self._scratch = Scratch()
        self._watcher = self.session.param.watch(self._on_session, ["task", "train_data"])
        self._on_session()

    # -- actions ------------------------------------------------------------------------------

    def select(self, name: str) -> bool:
        """Train on a bundled data set: ``session.select_task(name)``."""
        try:
            self.session.select_task(name)
        except Exception as err:                                   # noqa: BLE001 - shown, never raised
            self.task_name = self.session.task.name
            return self.say(f"Could not load {name!r}: {err}", "error")
        return self.say(f"Loaded {name!r}.", "success")

    def upload(self, features: dict, labels: dict | None = None, **settings) -> bool:
        """Read uploaded sequence files ``{file name: bytes or text}`` and train on them.

        ``labels`` empty or None: the labels are column ``label_index`` of the features files;
        else one labels file per features file, paired in natural order of the names (``x_2``
        before ``x_10``). ``settings`` (names of :class:`CsvSettings`, and ``alignment``) replace
        the form's values; the form shows them after a successful read. True on success."""
        ready = self.read_upload(features, labels, **settings)
        return ready is not None and self.use_upload(ready)

    def read_upload(self, features: dict, labels: dict | None = None, **settings) -> ReadFiles | None:
        """The reading half of :meth:`upload` (safe in a worker thread: it sets only the progress
        and the message). None, with the message saying why, when the files cannot be used."""
        alignment = settings.pop("alignment", self.alignment)
        opts, problem = checked_settings(self.csv, settings)
        files = {"features": features or {}, **({"labels": labels} if labels else {})}
        if problem is None and alignment not in ALIGNMENTS:
            problem = f"the alignment mode must be one of {', '.join(ALIGNMENTS)}, not {alignment!r}."
        problem = problem or upload_problem(files, self.max_upload_bytes, self.max_upload_files)
        if problem is None:
            folder = self._scratch.new("upload")
            try:
                source = opts.files(save_sequence_files(files, folder))
            except ValueError as err:                              # a bad file name or content
                shutil.rmtree(folder, ignore_errors=True)
                problem = str(err)
        if problem:
            self.say(f"Upload refused: {problem}", "error")
            return None
        self.param.update(reading=True, read_done=0, read_total=len(source.features))
        try:
            read = source.read(AlignmentMode[alignment], self._progress)
        except Exception as err:                                   # noqa: BLE001 - shown, never raised
            shutil.rmtree(folder, ignore_errors=True)              # nothing half-read is kept
            self.say(f"Could not read the uploaded files with {alignment}: {page_text(err, folder)}", "error")
            return None
        finally:
            self.reading = False
        return ReadFiles(source, read, alignment, opts, folder)

    def use_upload(self, ready: ReadFiles) -> bool:
        """The session trains on files read by :meth:`read_upload` (with a Task made for them)."""
        task, files, read = uploaded_task(ready), ready.files, ready.read
        old, self._upload = self._upload, (files, read.iterator, ready.folder)
        self._lengths_of = (read.iterator, read.lengths)
        try:
            self.session.stop_training()
            self.session.param.update(task=task, train_data=read.iterator, test_data=None,
                                      conf=task.default_config(), net=None, trainer=None)
        except Exception as err:                                   # noqa: BLE001 - e.g. a failing watcher
            self._upload = old
            return self.say(f"The files were read, but the other tabs could not take them: {err}", "error")
        if old is not None and old[2] != ready.folder:
            shutil.rmtree(old[2], ignore_errors=True)
        self._read_alignment = ready.alignment
        self.csv.param.update(**{name: getattr(ready.settings, name) for name in SETTINGS})
        self.param.update(alignment=ready.alignment, csv_preview=preview_markdown(files))
        names, n = [p.name for p in files.features], len(read.lengths)
        pairs = "" if files.labels is None else f", paired with {files.labels[0].name} ... in natural order"
        return self.say(
            f"Read {n} sequences ({names[0]}{' ... ' + names[-1] if n > 1 else ''}{pairs}) with {ready.alignment}: "
            f"{read.n_in} feature(s), {outputs(ready)}, {read.lengths.min()}-{read.lengths.max()} steps, "
            f"{len(read.iterator)} minibatch(es) of up to {files.batch_size}. The session trains on them now with "
            "a GravesLSTM(16) + RnnOutputLayer network (change it in the Build tab).", "success")

    def show_as_csv(self) -> bool:
        """Write the training data as CSV files (``to_csv_sequences``: one file per sequence, real
        steps only, labels as a class index) and show them read back with ``alignment``. The
        session keeps training on the bundled data."""
        task, mode = self.session.task, self.alignment
        if task.kind != "classification":
            return self.say(f"Write as CSV files is for classification data (one class index per label line); "
                            f"{task.name!r} is {task.kind} data. Choose a classification data set.", "warning")
        folder = self._scratch.new("csv")
        try:
            written = to_csv_sequences(self.session.train_data, folder, header=True, label_format="index")
            source = SequenceFiles(
                NumberedFileInputSplit(written.features_pattern, 0, written.max_idx),
                NumberedFileInputSplit(written.labels_pattern, 0, written.max_idx), written.skip_num_lines,
                num_labels=task.n_out, batch_size=self.csv.batch_size)
            read = source.read(AlignmentMode[mode])
        except Exception as err:                                   # noqa: BLE001 - shown, never raised
            shutil.rmtree(folder, ignore_errors=True)
            return self.say(f"Could not write and read back {task.name!r} with {mode}: {page_text(err, folder)}",
                            "error")
        same = same_batch(read.first, nth_batch(self.session.train_data, 0))
        self._show_csv(source, read, folder)
        return self.say(
            f"Wrote {written.num_examples} sequences of {task.name!r} as {2 * written.num_examples} CSV files "
            f"(`features_i.csv`, `labels_i.csv`, a header line, labels as class index) and read them back with "
            f"{mode}: the first minibatch is {'the same as' if same else 'NOT the same as'} the bundled one. "
            "The session still trains on the bundled data.", "success")

    def close(self) -> None:
        """Remove the temporary folder of uploaded and written files and stop following the
        session (closing it too when this state made it). Safe to call twice."""
        if self._watcher is not None:
            self.session.param.unwatch(self._watcher)
            self._watcher = None
            if self._owns_session:
                self.session.close()
        self._csv = self._upload = None
        self._scratch.close()

    # -- derived values ------------------------------------------------------------------------

    @property
    def showing_csv(self) -> bool:
        """True while the bundled data read back from CSV files is shown."""
        return self._csv is not None

    @property
    def shown_data(self):
        return self._csv[1] if self._csv is not None else self.session.train_data

    @property
    def arrays(self) -> list:
        """``[features [b, n_in, T], labels [b, n_out, T], features mask, labels mask]`` shown."""
        return as_sequences(self.batch)

    @property
    def features_mask_shown(self):
        return None if self.batch is None else self.arrays[2]

    @property
    def labels_mask_shown(self):
        return None if self.batch is None else self.arrays[3]

    @property
    def label_style(self) -> str:
        """How labels are drawn: "characters", "regression" or "classification"."""
        if self._csv is None and isinstance(self.session.train_data, CharacterIterator):
            return "characters"
        return "regression" if self._csv is None and self.session.task.kind == "regression" else "classification"

    @property
    def names(self) -> list:
        """The characters (character data) or class names of the labels' rows."""
        data = self.shown_data
        return list(data.vocab) if isinstance(data, CharacterIterator) else list(self.session.task.class_names or ())

    @param.depends("batch")
    def summary(self) -> str:
        """Markdown: what is shown, with the array shapes."""
        if self.batch is None:
            return ""
        x, y, fmask, lmask = self.arrays
        task = self.session.task
        source = f"CSV files of {task.name}, read with {self._read_alignment}" if self._csv else task.name
        return (f"**{source}** - minibatch {self.minibatch + 1} of {self.n_minibatches}: features {list(x.shape)}, "
                f"labels {list(y.shape)}, features mask {_shape(fmask)}, labels mask {_shape(lmask)}")

    # -- reactions -----------------------------------------------------------------------------

    @param.depends("task_name", watch=True)
    def _task_chosen(self):
        if self.task_name != self.session.task.name:
            self.select(self.task_name)

    @param.depends("minibatch", watch=True)
    def _minibatch_chosen(self):
        self._load_batch()

    @param.depends("alignment", watch=True)
    def _realign(self):
        mode, kept = self.alignment, self._read_alignment
        if mode == kept:
            return
        shown = self._csv or self._upload
        if shown is None:
            self._read_alignment = mode
            self.say(f"{mode} will be used for the next upload or Write as CSV files.", "info")
            return
        folder = shown[2]
        try:
            read = shown[0].read(AlignmentMode[mode])
        except Exception as err:                                   # noqa: BLE001 - shown, never raised
            self.alignment = kept                                  # _read_alignment is still `kept`: no re-read
            self.say(f"The files cannot be read with {mode} (kept {kept}): {page_text(err, folder)}", "error")
            return
        if self._csv is not None:
            self._read_alignment = mode
            self._show_csv(shown[0], read, folder)
            self.say(f"Read the CSV files again with {mode}.", "success")
        else:
            self.use_upload(ReadFiles(shown[0], read, mode, self.csv, folder))

    def _on_session(self, *events):
        """The session has other data: drop what showed the previous data, and show the new."""
        if self._csv is not None:
            shutil.rmtree(self._csv[2], ignore_errors=True)
            self._csv = None
        if self._upload is not None and self.session.train_data is not self._upload[1]:
            shutil.rmtree(self._upload[2], ignore_errors=True)
            self._upload = None
        task = self.session.task
        self.param.task_name.objects = list(TASKS) + ([] if task.name in TASKS else [task.name])
        self.param.update(task_name=task.name, csv_preview="", task_description=(
            f"{task.description}\n\n*{task.kind}: {task.input_type.size} input(s), {task.n_out} output(s)*"))
        self._load_batch(reset=True)

    # -- helpers -------------------------------------------------------------------------------

    def _load_batch(self, reset: bool = False):
        """Read the minibatch to show (and the lengths, once per data object)."""
        data = self.shown_data
        try:
            n = num_batches(data)
            index = 0 if reset else min(self.minibatch, n - 1)
            batch = nth_batch(data, index)
            if self._lengths_of[0] is not data:
                self._lengths_of = (data, sequence_lengths(data))
        except Exception as err:                                   # noqa: BLE001 - e.g. files removed
            self.say(f"The data cannot be shown ({page_text(err, self._scratch.root)}); choose a data set or upload "
                     "the files again.", "error")
            return
        size = batch.num_examples()
        self.param.update(n_minibatches=n, minibatch=index, n_examples=size, lengths=self._lengths_of[1],
                          example=0 if reset else min(self.example, size - 1), batch=batch)

    def _show_csv(self, source, read, folder):
        if self._csv is not None and self._csv[2] != folder:
            shutil.rmtree(self._csv[2], ignore_errors=True)
        self._csv = (source, read.iterator, folder)
        self._lengths_of = (read.iterator, read.lengths)
        self._read_alignment = self.alignment
        self.csv_preview = preview_markdown(source)
        self._load_batch(reset=True)

    def _progress(self, done, total):
        self.param.update(read_done=done, read_total=total)


def _shape(a) -> str:
    return "none (nothing padded)" if a is None else str(list(a.shape))
