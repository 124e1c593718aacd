"""The Data tab's layout: the data set, the CSV upload form, and one padded minibatch drawn the
way the network sees it (features, features and labels masks, labels, sequence lengths).

Widgets are bound to :class:`DataState`; the figures are redrawn from its ``batch`` and
``example``. Files are dropped on FileDroppers that send them in chunks and refuse, in the
browser, more than the page takes (``MAX_UPLOAD_BYTES`` in all); reading them runs in a worker
thread with a progress bar.
"""
from __future__ import annotations

import asyncio

import panel as pn

from workbench.ui.data.figures import characters_figure, features_figure, labels_figure, lengths_figure, mask_figure
from workbench.ui.data.state import DataState
from workbench.ui.shared import button, file_dropper, help_text, message_pane, on_session_end, with_tip
from workbench.ui.uploads import MAX_UPLOAD_BYTES

HELP = ("The heatmaps show one minibatch as the network receives it: the chosen example's **features** (grey "
        "columns are padding), the **features mask** and **labels mask** of the whole minibatch (1 = a real step, "
        "the red box is the example), its **labels**, and a histogram of all **sequence lengths**. Try "
        "JapaneseVowels to see padding, then press *Write as CSV files* and switch the alignment mode: watch "
        "where the labels mask's 1 moves.")
class DataInspector(pn.viewable.Viewer):
    """The Data tab over a shared session (a new one when ``session`` is None); ``state`` is its
    :class:`DataState`. Call :meth:`close` when done (also done when the browser session ends).

    ``controls`` (lesson mode can hide them): "task" (the data set select), "upload" (the whole
    upload form), "alignment", "csv" (Write as CSV files), "minibatch", "example".
    """

    def __init__(self, session=None, **params):
        super().__init__(**params)
        self.state = state = DataState(session)
        settings = state.csv
        self.task_select = pn.widgets.Select.from_param(
            state.param.task_name, name="Data set", description="The data the session trains on (Build and Train "
                                                                 "use it too)")
        self.csv_button = button("Write as CSV files", "Write the training data with to_csv_sequences and read it "
                                 "back through the CSV readers with the alignment mode below")
        self.features_drop, self.labels_drop = (file_dropper(name, [".csv", ".txt"], multiple=True)
                                               for name in ("Features files", "Labels files (optional)"))
        self.received = pn.pane.Markdown(pn.bind(_received, self.features_drop.param.value,
                                                 self.labels_drop.param.value), margin=(0, 10))
        form = dict(
            skip_lines=("Skip lines (header)", "Header lines at the top of every file (DL4J: skipNumLines)"),
            delimiter=("Delimiter", "What separates the columns of a line"),
            label_index=("Label column (no labels files; -1 = last)",
                         "Without labels files, the column of the features files that holds the label (labelIndex)"),
            kind=("Labels are", "Classification: a class index per line; regression: real values"),
            num_labels=("Number of possible labels", "Classes of a classification task (numPossibleLabels)"),
            batch_size=("Batch size", "Sequences per minibatch (miniBatchSize)"))
        kinds = {"delimiter": pn.widgets.Select, "kind": pn.widgets.RadioButtonGroup}
        self.form = {name: kinds.get(name, pn.widgets.IntInput).from_param(settings.param[name], name=label,
                                                                             description=tip)
                     for name, (label, tip) in form.items()}
        self.read_button = button("Read uploaded files",
                                  "Read the dropped files with the settings above; the session then trains on them",
                                  color="primary", disabled=state.param.reading)
        self.progress = pn.indicators.Progress(
            value=state.param.read_done, max=pn.bind(_at_least_1, state.param.read_total), visible=state.param.reading,
            sizing_mode="stretch_width")
        self.alignment_select = pn.widgets.Select.from_param(
            state.param.alignment, name="Alignment mode",
            description="Where shorter label (or features) files sit in time (DL4J AlignmentMode)")
        self.minibatch_slider = pn.widgets.IntSlider.from_param(
            state.param.minibatch, name="Minibatch", start=0, end=pn.bind(_last, state.param.n_minibatches),
            disabled=pn.bind(_single, state.param.n_minibatches))
        self.example_slider = pn.widgets.IntSlider.from_param(
            state.param.example, name="Example", start=0, end=pn.bind(_last, state.param.n_examples),
            disabled=pn.bind(_single, state.param.n_examples))
        self.csv_button.on_click(lambda _: state.show_as_csv())
        self.read_button.on_click(self._read_clicked)
        shown = (state.param.batch, state.param.example)
        self.panes = {name: pn.pane.Plotly(pn.bind(draw, *shown), sizing_mode="stretch_width") for name, draw in (
            ("features", self._features), ("features_mask", self._mask("features")),
            ("labels_mask", self._mask("labels")), ("labels", self._labels))}
        self.panes["lengths"] = pn.pane.Plotly(pn.bind(lengths_figure, state.param.lengths),
                                               sizing_mode="stretch_width")
        self.upload_form = pn.Column(
            "### Upload CSV sequences",
            f"One file per sequence, one line per step; files pair up in natural order (`x_2` before `x_10`). "
            f"**At most {MAX_UPLOAD_BYTES // 1_000_000} MB and {state.max_upload_files:,} files in all.** A file the "
            "box refuses turns red: remove it (x) before adding others, then wait for *Upload complete*.",
            with_tip(self.features_drop, "Drop or browse the features files: a sequence per file, a step per line"),
            with_tip(self.labels_drop, "Optional: one labels file per features file; without them the labels are "
                                        "a column of the features files"),
            self.received, *self.form.values(), self.read_button, self.progress, sizing_mode="stretch_width")
        self.minibatch_row = with_tip(self.minibatch_slider, "Which minibatch of one pass over the data is drawn")
        self.example_row = with_tip(self.example_slider, "Which example of the minibatch is drawn and outlined red")
        self.controls = {"task": self.task_select, "upload": self.upload_form, "alignment": self.alignment_select,
                         "csv": self.csv_button, "minibatch": self.minibatch_row, "example": self.example_row}
        on_session_end(self.close)

    def __panel__(self):
        state = self.state
        controls = pn.Column(
            "### Data", self.task_select, pn.pane.Markdown(state.param.task_description), self.csv_button,
            pn.layout.Divider(), self.upload_form, pn.layout.Divider(), self.alignment_select,
            "`ALIGN_END`: a shorter labels file ends with its features (many-to-one); `ALIGN_START`: both start "
            "at step 0 (one-to-many); `EQUAL_LENGTH`: no padding allowed.",
            message_pane(state), pn.pane.Markdown(state.param.csv_preview, sizing_mode="stretch_width"), width=360)
        p = self.panes
        plots = pn.Column(
            help_text(HELP), pn.pane.Markdown(state.summary, sizing_mode="stretch_width"),
            pn.Row(self.minibatch_row, self.example_row), p["features"],
            pn.Row(p["features_mask"], p["labels_mask"], sizing_mode="stretch_width"),
            pn.Row(p["labels"], p["lengths"], sizing_mode="stretch_width"), sizing_mode="stretch_width")
        return pn.Row(controls, plots, sizing_mode="stretch_width")

    def close(self) -> None:
        self.state.close()

    async def _read_clicked(self, _=None):
        """Read the dropped files in a worker thread (the page shows the progress), then train on them."""
        features, labels = dict(self.features_drop.value), dict(self.labels_drop.value)
        if not features:
            self.state.say("Drop one or more features files on the upload form first.", "warning")
            return
        ready = await asyncio.to_thread(self.state.read_upload, features, labels)
        if ready is not None:
            self.state.use_upload(ready)

    # -- figures of the example shown ------------------------------------------------------------

    def _example(self, batch, example):
        x, y, fmask, lmask = self.state.arrays
        b = min(example, x.shape[0] - 1)
        return x[b], y[b], None if fmask is None else fmask[b], None if lmask is None else lmask[b], b

    def _features(self, batch, example):
        if batch is None:
            return None
        x, _, fmask, _, b = self._example(batch, example)
        if self.state.label_style == "characters":
            return characters_figure(x, fmask, b, self.state.names, "features")
        return features_figure(x, fmask, b)

    def _labels(self, batch, example):
        if batch is None:
            return None
        _, y, _, lmask, b = self._example(batch, example)
        style, names = self.state.label_style, self.state.names
        if style == "characters":
            return characters_figure(y, lmask, b, names, "labels")
        return labels_figure(y, lmask, b, style == "regression", names)

    def _mask(self, what):
        def draw(batch, example):
            if batch is None:
                return None
            mask = self.state.arrays[2 if what == "features" else 3]
            return mask_figure(mask, min(example, batch.num_examples() - 1), f"{what} mask")
        return draw


def _received(features: dict, labels: dict) -> str:
    """How many files the droppers hold, and their size."""
    n, size = len(features) + len(labels), sum(len(v) for v in (*features.values(), *labels.values()))
    return f"{len(features)} features and {len(labels)} labels file(s) received ({size / 1e6:.1f} MB)" if n else ""




def _at_least_1(n: int) -> int:
    return max(n, 1)


def _last(n: int) -> int:
    """A slider's end over ``n`` items (at least 1: a slider needs a range; it is disabled then)."""
    return max(n - 1, 1)


def _single(n: int) -> bool:
    return n <= 1
