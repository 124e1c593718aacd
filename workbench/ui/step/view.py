"""The Step tab's page: widgets bound to a :class:`StepState`, and its charts.

Each recurrent layer gets a chart of h (and for an LSTM c and the gates of the current step),
the output panel shows the output at the current step, and a character model gets a sampler.
A bidirectional network gets a time slider instead of the Step and Play buttons.
"""
from __future__ import annotations

import panel as pn
from panel.viewable import Viewer

from workbench.ui.shared import button, help_text, message_pane, on_session_end, with_tip
from workbench.ui.step.figures import layer_figure, probability_figure, series_figure
from workbench.ui.step.state import StepState

PLAY_MS = 250
HELP = ("Feed an example to the network one time step at a time. Each layer's chart shows **h**, what every unit "
        "outputs after each step, and for an LSTM **c**, its cell memory, with the four gates of the current step "
        "(**i** input, **f** forget, **g** candidate, **o** output); the output panel shows the network's "
        "prediction at that step. Try **Snapshot**, step on, then **Restore**: the same steps give the same "
        "outputs. With the Tiny Shakespeare task, sample text at a low and at a high temperature.")


class StepExplorer(Viewer):
    """The Step tab: ``StepExplorer(net, sequence)`` in a notebook (``sequence`` ``[n_in, T]`` or
    ``[1, n_in, T]``; ``labels=`` its targets, drawn as the truth), ``StepExplorer(session=...)``
    in the app; ``state`` does the work.

    ``controls`` (what lesson mode can hide): "example" (the example slider), "step" (Step,
    k, Step k, Play), "snapshot" (Snapshot, Restore), "reset", "scrub" (the time slider of a
    bidirectional network), "sample" (the character model's sampler).
    """

    def __init__(self, net=None, sequence=None, session=None, labels=None, **params):
        super().__init__(**params)
        self.state = s = StepState(net, sequence, session=session, labels=labels)
        self._play_cb = None
        step = button("Step", "Feed the next time step", color="primary", width=80)
        k = pn.widgets.IntInput.from_param(s.param.k, label="k", width=80, description="How many steps Step k feeds")
        step_k = button("Step k", "Feed the next k time steps", width=80)
        self.play_button = button(pn.bind(lambda on: "Pause" if on else "Play", s.param.playing),
                                  "Feed a step every quarter second, or pause", width=80)
        snapshot = button("Snapshot", "Remember the state reached so far", width=90)
        restore = button("Restore", "Go back to the state of the snapshot", width=90,
                         disabled=pn.bind(lambda has: not has, s.param.has_snapshot))
        reset = button("Reset", "Start the example again with the network's latest parameters", width=80)
        example = with_tip(pn.widgets.IntSlider.from_param(s.param.example, label="Example", width=300),
                       "Which example of the data to feed")
        scrub = with_tip(pn.widgets.IntSlider.from_param(s.param.t, label="Step", width=400),
                     "The step shown: drag it to move through the sequence")
        sample = button("Sample", "Generate text from the prompt", color="primary", width=90)
        step.on_click(lambda _: s.step(1))
        step_k.on_click(lambda _: s.step(s.k))
        self.play_button.on_click(lambda _: s.pause() if s.playing else s.play())
        snapshot.on_click(lambda _: s.snapshot())
        restore.on_click(lambda _: s.restore())
        reset.on_click(lambda _: s.reset())
        sample.on_click(lambda _: s.sample())
        sampler = pn.Row(
            pn.widgets.TextInput.from_param(s.param.prompt, label="Prompt", width=200,
                                            description="The text the model continues"),
            pn.widgets.IntInput.from_param(s.param.length, label="Characters", width=110,
                                           description="How many characters to sample"),
            with_tip(pn.widgets.FloatSlider.from_param(s.param.temperature, label="Temperature", step=0.05, width=220),
                 "Low: the likeliest characters; high: more surprising ones"),
            sample)
        self.controls = {"example": example, "step": pn.Row(step, k, step_k, self.play_button),
                         "snapshot": pn.Row(snapshot, restore), "reset": reset, "scrub": scrub, "sample": sampler}

        mode_is = lambda *modes: pn.bind(lambda m: m in modes, s.param.mode)      # noqa: E731
        self.output_pane = pn.pane.Plotly(height=300, sizing_mode="stretch_width")
        self._layers = pn.Column(sizing_mode="stretch_width")
        self._sampler = pn.Column(
            "#### Sample text", sampler,
            pn.pane.Str(s.param.sample_text, sizing_mode="stretch_width",
                        styles={"font-family": "monospace", "white-space": "pre-wrap"}),
            visible=pn.bind(lambda *_: s.kind == "characters" and s.mode == "step", s.param.mode, s.param.redraw),
            sizing_mode="stretch_width")
        self._layout = pn.Column(
            "### Step", help_text(HELP), pn.pane.Markdown(s.param.note, sizing_mode="stretch_width"),
            message_pane(s),
            pn.Column(example, visible=pn.bind(lambda n: n > 1, s.param.n_examples)),
            pn.Row(self.controls["step"], self.controls["snapshot"], reset, visible=mode_is("step")),
            pn.Column(scrub, visible=mode_is("scrub")),
            pn.Column(pn.pane.Markdown(pn.bind(lambda *_: s.info, s.param.redraw), sizing_mode="stretch_width"),
                      pn.pane.Markdown(s.param.check, sizing_mode="stretch_width"),
                      self.output_pane, self._layers, visible=mode_is("step", "scrub"), sizing_mode="stretch_width"),
            self._sampler, sizing_mode="stretch_width")
        s.param.watch(self._draw, "redraw")
        s.param.watch(self._play, "playing")
        on_session_end(self.close)
        self._draw()

    def sync_network(self) -> bool:
        """Take the session network's latest parameters (the app calls this when the tab opens)."""
        return self.state.sync_network()

    def close(self) -> None:
        """Stop playing (the browser session went)."""
        self.state.pause()

    def _play(self, event):
        if event.new and self._play_cb is None:
            self._play_cb = pn.state.add_periodic_callback(self._tick, period=PLAY_MS)
        elif not event.new and self._play_cb is not None:
            self._play_cb.stop()
            self._play_cb = None

    def _tick(self):
        self.state.step(1)

    def _draw(self, *_):
        s = self.state
        if s.mode == "off":
            return
        figs = [layer_figure(title, rows, at=at) for title, rows, at in s.layer_rows()]
        if len(figs) != len(self._layers.objects):
            self._layers.objects = [pn.pane.Plotly(height=fig.layout.height, sizing_mode="stretch_width")
                                    for fig in figs]
        for pane, fig in zip(self._layers.objects, figs):
            pane.param.update(object=fig, height=fig.layout.height)
        if s.kind == "regression":
            truth, outputs, title = s.output_series()
            self.output_pane.object = series_figure(truth, outputs, title, at=s.t if s.mode == "scrub" else None)
        else:
            self.output_pane.object = probability_figure(*s.output_bars())

    def __panel__(self):
        return self._layout
