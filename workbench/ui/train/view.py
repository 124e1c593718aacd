"""The Train tab: start, pause and stop the session's training run and watch it learn.

``TrainingMonitor(session)`` lays out widgets bound to a :class:`TrainState` and draws its series
(figures from :mod:`workbench.ui.train.figures`, changed in place and sent when the state asks):
the loss per update (per step or as DL4J's score, markers coloured by TBPTT segment), the
evaluation after each epoch with the confusion matrix, per-layer statistics (update : parameter
ratio, gradient norm, learning rate), per-layer histograms of parameters, gradients and
activations, and the TBPTT timeline of the latest minibatch. It polls the trainer every
``POLL_MS`` while a run is alive and stops it as soon as the page is closed.
"""
from __future__ import annotations

from operator import not_

import panel as pn
from panel.viewable import Viewer

from workbench.ui.session import WorkbenchSession
from workbench.ui.shared import (
    DISABLED_CSS, button, file_dropper, help_text, message_pane, on_dropped, on_session_end, with_tip,
)
from workbench.ui.train import figures
from workbench.ui.train.state import TrainState

POLL_MS = 200
HELP = ("The **loss** chart shows every parameter update as it is made: per time step (with its unit) or as "
        "DL4J's *score*, the loss summed over a segment's steps and divided by the minibatch size. With "
        "truncated BPTT each segment is one update, coloured in the chart and drawn in the **TBPTT timeline**. "
        "Below: the test evaluation after each epoch, and per layer the update : parameter ratio (around 1e-3 "
        "is healthy), the gradient norm, the learning rate and histograms. Try: change the TBPTT length in "
        "Build and compare the loss per step, or raise the learning rate and watch the ratios.")
PLACEHOLDER = (
    "**Nothing trained yet.** Press **Start**: the loss of every parameter update appears here as it is made, "
    "then the evaluation after each epoch (accuracy and the confusion matrix for classifiers, errors for "
    "regression), each layer's update : parameter ratio, gradient norm and histograms, and how each minibatch "
    "is cut into TBPTT segments.")
STATUS_COLOURS = {"running": "primary", "paused": "warning", "finished": "success", "failed": "danger"}

def _pane(fig, height):
    """A Plotly pane that we redraw ourselves after changing its figure in place."""
    return pn.pane.Plotly(fig, link_figure=False, height=height, sizing_mode="stretch_width")


def redraw(pane) -> None:
    """Send the changed figure: Panel diffs it and ships only the arrays that changed."""
    pane.param.trigger("object")


class TrainingMonitor(Viewer):
    """The Train tab of a :class:`WorkbenchSession` (a new one when ``session`` is None).

    ``controls`` (hidden by name in lesson mode): "epochs", "start" (Start / Pause / Stop),
    "smoothing", "measure" (loss per step or score), "save", "onnx" (Export ONNX), "load", "stats" (per-layer
    statistics and histograms).

    >>> mon = TrainingMonitor(); mon.state.start(epochs=2)
    >>> while mon.state.session.trainer.alive: mon.state.refresh()
    """

    def __init__(self, session: WorkbenchSession | None = None, **params):
        super().__init__(**params)
        self.state = state = TrainState(session)
        self.epochs_input = pn.widgets.IntInput.from_param(
            state.session.param.epochs, label="Epochs", width=110, description="Passes over the training data in "
            "the next run (a network with the same configuration continues from where it is)")
        self.start_button = button("Start", "Train in the background (DL4J: fit); with a run store, a new kept run "
                                   "on a worker (several may train at once)", color="primary",
                                   disabled=pn.bind(not_, state.param.can_start), width=90)
        self.pause_button = button(pn.bind(lambda s: "Resume" if s == "paused" else "Pause", state.param.run_state),
                                   "Hold training after the current update", disabled=pn.bind(not_, state.param.alive),
                                   width=90)
        self.stop_button = button("Stop", "End the run after the current update", color="danger",
                                  disabled=pn.bind(not_, state.param.alive), width=90)
        self.start_button.on_click(lambda _: state.start())
        self.pause_button.on_click(lambda _: state.toggle_pause())
        self.stop_button.on_click(lambda _: state.stop())
        self.progress = pn.indicators.Progress(value=pn.bind(lambda p: int(round(1000 * p)), state.param.progress),
                                               max=1000, sizing_mode="stretch_width", height=16)
        self.smoothing = pn.widgets.FloatSlider.from_param(state.param.smoothing, label="Smoothing", step=0.01)
        self.measure = pn.widgets.RadioButtonGroup.from_param(
            state.param.measure, label="Loss shown", color="light",
            description="Loss per step: comparable between segments and runs; score: DL4J's sum over the "
                        "steps / minibatch")
        self.download = pn.widgets.FileDownload(
            callback=state.download, filename="model.zip", label="Save model (.zip)",
            disabled=pn.bind(not_, state.param.can_save), stylesheets=[DISABLED_CSS],
            description="Download the network: configuration, parameters and updater state")
        self.onnx_download = pn.widgets.FileDownload(
            callback=state.download_onnx, filename="model.onnx", label="Export ONNX",
            disabled=pn.bind(not_, state.param.can_save), stylesheets=[DISABLED_CSS],
            description="Download the network as an ONNX model, to run with onnxruntime (inputs features and "
                        "features_mask, output output)")
        self.upload = file_dropper("Load a model (.zip, at most 25 MB)", [".zip"])
        on_dropped(self.upload, lambda _name, content: state.load_bytes(content))
        self.hist_layer = pn.widgets.Select.from_param(state.param.hist_layer, label="Histograms of layer",
                                                       width=220, description="The layer whose histograms are drawn")

        self.status_pane = pn.pane.Alert(state.param.status, sizing_mode="stretch_width",
                                         alert_type=pn.bind(lambda s: STATUS_COLOURS.get(s, "light"),
                                                            state.param.run_state))
        self.message_pane = message_pane(state)
        self.placeholder = pn.pane.Markdown(PLACEHOLDER, visible=pn.bind(not_, state.param.shown), margin=(20, 30),
                                            sizing_mode="stretch_width")
        self.eval_note = pn.pane.Markdown(state.param.eval_note, visible=pn.bind(
            lambda note, shown: shown and bool(note), state.param.eval_note, state.param.shown))
        self.loss_pane = _pane(figures.loss_figure(), 340)
        self.eval_pane = _pane(figures.eval_figure("classification"), 280)
        self.cm_pane = _pane(figures.confusion_figure(), 280)
        self.stats_pane = _pane(figures.stats_figure([]), 470)
        self.hist_pane = _pane(figures.histogram_figure(), 470)
        self.timeline_pane = _pane(figures.timeline_figure(), 260)
        for pane in (self.loss_pane, self.stats_pane, self.hist_layer, self.hist_pane, self.timeline_pane):
            pane.visible = state.param.shown
        self.stats = pn.Column(self.stats_pane, self.hist_layer, self.hist_pane, sizing_mode="stretch_width")
        smoothing = with_tip(self.smoothing, "Weight of the past in the red curve (exponential moving average); "
                                             "0: no smoothing")
        self.controls = {"epochs": self.epochs_input, "smoothing": smoothing, "measure": self.measure,
                         "start": pn.Row(self.start_button, self.pause_button, self.stop_button),
                         "save": self.download, "onnx": self.onnx_download,
                         "load": with_tip(self.upload, "Load a model .zip saved with Save model"),
                         "stats": self.stats}

        self._poll, self._doc, self._seen_connection = None, pn.state.curdoc, False
        state.param.watch(self._new_run, "new_run")
        state.param.watch(lambda _: self._draw_loss(), "draw_loss")
        state.param.watch(lambda _: self._draw_slow(), "draw_slow")
        state.param.watch(lambda _: self._draw_eval(), "draw_eval")
        state.param.watch(lambda _: self._draw_histograms(), "hist_layer")
        state.param.watch(lambda e: self._start_polling() if e.new else self._stop_polling(), "alive")
        on_session_end(self.close)
        self._new_run()
        if state.alive:
            self._start_polling()

    # ---- drawing (side effects of the state's events) ----
    def _new_run(self, *_):
        s = self.state.series
        self.loss_pane.object = figures.loss_figure()
        self.stats_pane.object = figures.stats_figure([s.layer_names[i] for i in s.with_params])
        self.hist_pane.object = figures.histogram_figure()
        self.timeline_pane.object = figures.timeline_figure()
        self.eval_pane.visible = self.cm_pane.visible = False

    def _draw_loss(self):
        s = self.state
        figures.update_loss(self.loss_pane.object, s.series.iterations, s.shown_values, s.smoothed, s.series.segments,
                            s.loss_axis_title, s.tbptt_back is not None)
        redraw(self.loss_pane)

    def _draw_slow(self):
        s = self.state.series
        figures.update_stats(self.stats_pane.object, s.iterations, s.ratios, s.norms, s.learning_rates)
        figures.update_timeline(self.timeline_pane.object, s.current_segments, s.tbptt_back, self.state.timeline_title)
        redraw(self.stats_pane)
        redraw(self.timeline_pane)
        self._draw_histograms()

    def _draw_histograms(self):
        if self.state.hist_layer is not None:
            figures.update_histograms(self.hist_pane.object, self.state.histogram_data(), self.state.hist_layer)
            redraw(self.hist_pane)

    def _draw_eval(self):
        s = self.state.series
        if self.eval_pane.object.data[0].name != ("RMSE" if s.eval_kind == "regression" else "accuracy"):
            self.eval_pane.object = figures.eval_figure(s.eval_kind)
        figures.update_eval(self.eval_pane.object, s.eval_epochs, s.eval_values)
        redraw(self.eval_pane)
        self.eval_pane.visible = True
        epoch, ev = s.last_eval
        if s.eval_kind == "classification":
            cm = ev.confusion_matrix()
            figures.update_confusion(self.cm_pane.object, cm, ev.class_names or [str(c) for c in range(len(cm))], epoch)
            redraw(self.cm_pane)
        self.cm_pane.visible = s.eval_kind == "classification"

    # ---- polling and the end of the page ----
    def _tick(self):
        if self._page_closed():
            self.close()
        else:
            self.state.refresh()

    def _page_closed(self) -> bool:
        """True once this server session's page has gone (its websocket closed): seconds before
        Bokeh destroys the session (``unused_session_lifetime``) and ``on_session_end`` fires."""
        session = getattr(getattr(self._doc, "session_context", None), "session", None)
        if session is None:                        # a notebook or a test: no server session
            return False
        if session.connection_count > 0:
            self._seen_connection = True
        return self._seen_connection and session.connection_count == 0

    def _start_polling(self):
        if self._poll is None or not self._poll.running:
            self._poll = pn.state.add_periodic_callback(self._tick, period=POLL_MS)

    def _stop_polling(self):
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def close(self) -> None:
        """Stop polling and ask the trainer to stop after its current update: the page went."""
        self._stop_polling()
        self.state.close()

    def __panel__(self):
        c = self.controls
        side = pn.Column("### Train", c["epochs"], c["start"], self.progress, self.status_pane, self.message_pane,
                         c["measure"], c["smoothing"], pn.Row(c["save"], c["onnx"]), c["load"], width=340)
        return pn.Column(
            help_text(HELP),
            pn.Row(side, self.placeholder, self.loss_pane, sizing_mode="stretch_width"),
            pn.Row(pn.Column(self.eval_pane, self.eval_note, sizing_mode="stretch_width"), self.cm_pane,
                   sizing_mode="stretch_width"),
            pn.Row(self.stats, self.timeline_pane, sizing_mode="stretch_width"),
            sizing_mode="stretch_width")
