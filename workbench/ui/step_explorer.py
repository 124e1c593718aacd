"""The "Step" view: feed a sequence to a network one time step at a time (``rnn_time_step``).

``StepExplorer(net, sequence)`` works in a notebook with any network that can step and a
sequence ``[n_in, T]`` or ``[1, n_in, T]``; ``StepExplorer(session=...)`` in the app steps a
copy of ``session.net`` (or, before training, a fresh network from ``session.conf``) through an
example of the session's test (or training) data. Each step shows h (and c) of every recurrent
layer over the steps so far, the gates i, f, g, o of the current step, the output, and a check
that the outputs stepped so far equal ``net.output()`` on the same history. Snapshot / Restore
use ``rnn_get_previous_state`` / ``rnn_set_previous_state``. For a character model it also
samples text. Bidirectional networks cannot step: the view says why instead.
"""
from __future__ import annotations

import numpy as np
import panel as pn
import param
import plotly.graph_objects as go
from panel.viewable import Viewer
from plotly.subplots import make_subplots

from workbench.backend import to_numpy
from workbench.nn import MultiLayerNetwork
from workbench.nn.sampling import sample_characters
from workbench.ui.shared import Messages, on_session_end, show_message
from workbench.ui.session import WorkbenchSession

MAX_EXAMPLES = 2000        # examples offered by the example slider
PLAY_MS = 250
CHECK_TOLERANCE = 1e-5


def _state_heatmap(name, domain) -> go.Heatmap:
    """An empty units x steps heatmap of a state, blue-white-red around 0, with its colour scale
    just right of its subplot's x ``domain``."""
    return go.Heatmap(z=[[]], colorscale="RdBu", reversescale=True, zmid=0, name=name, colorbar=_colorbar(domain))


def _colorbar(domain) -> dict:
    return dict(x=domain[1] + 0.01, xanchor="left", thickness=10, len=0.9)


def _copy_note(net) -> str:
    return (f"Stepping the session's network as trained after {net.iteration_count:,} updates "
            f"({net.epoch_count} epochs); it follows the latest parameters when a run ends.")


def _sentence(text):
    """The engine's lower-case clause as a sentence for the page (None stays None)."""
    return None if text is None else text[0].upper() + text[1:] + "."


def _char_label(c: str) -> str:
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(c, c)


class StepExplorer(Messages, Viewer):
    """The Step view. ``net`` and ``sequence`` (``[n_in, T]`` or ``[1, n_in, T]``) for a notebook;
    without ``net`` the session's network and data (a new :class:`WorkbenchSession` when
    ``session`` is None too).

    >>> ex = StepExplorer(net, x[0]); ex.step(5)
    >>> ex.h_history[0].shape, ex.check_difference < 1e-5      # ((units, 5), True)
    """

    session = param.ClassSelector(class_=WorkbenchSession, allow_None=True)
    check = param.String(default="", doc="the stepping-equals-output() check line")

    def __init__(self, net=None, sequence=None, session: WorkbenchSession | None = None, **params):
        if net is None and session is None:
            session = WorkbenchSession()
        super().__init__(session=session, **params)
        self._given_net, self._given_sequence = net, sequence
        self.net, self.reason, self.note = None, None, ""
        self.sequence = self.labels = self.labels_mask = None
        self.kind, self.class_names, self.playing = "regression", None, False
        self._play_cb, self._snapshot, self._examples = None, None, []
        self.sample_text = ""

        self.step_button = pn.widgets.Button(label="Step", color="primary", width=80)
        self.k_input = pn.widgets.IntInput(label="k", value=10, start=1, end=10_000, width=80)
        self.step_k_button = pn.widgets.Button(label="Step k", width=80)
        self.play_button = pn.widgets.Button(label="Play", width=80)
        self.reset_button = pn.widgets.Button(label="Reset", width=80)
        self.snapshot_button = pn.widgets.Button(label="Snapshot", width=90)
        self.restore_button = pn.widgets.Button(label="Restore", width=90, disabled=True)
        self.example_slider = pn.widgets.IntSlider(label="Example", start=0, end=1, value=0, width=300)
        self.prompt_input = pn.widgets.TextInput(label="Prompt", value="ROMEO:", width=200)
        self.length_input = pn.widgets.IntInput(label="Characters", value=300, start=1, end=5000, width=110)
        self.temperature = pn.widgets.FloatSlider(label="Temperature", start=0.1, end=2.0, step=0.05, value=0.8,
                                                  width=220)
        self.sample_button = pn.widgets.Button(label="Sample", color="primary", width=90)
        self._sample_pane = pn.pane.Str("", sizing_mode="stretch_width",
                                        styles={"font-family": "monospace", "white-space": "pre-wrap"})
        self._note_pane = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._reason_pane = pn.pane.Alert("", alert_type="warning", visible=False, sizing_mode="stretch_width")
        self._info_pane = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._check_pane = pn.pane.Markdown("", css_classes=["check"], sizing_mode="stretch_width")
        self._message_pane = pn.pane.Alert("", alert_type="info", visible=False, sizing_mode="stretch_width")
        self.output_fig = go.Figure()
        self.output_pane = pn.pane.Plotly(self.output_fig, link_figure=False, height=300,
                                          sizing_mode="stretch_width")
        self.layer_figs, self.layer_panes = {}, {}
        self._layers_column = pn.Column(sizing_mode="stretch_width")
        self._controls = pn.Column(
            self.example_slider,
            pn.Row(self.step_button, self.k_input, self.step_k_button, self.play_button, self.reset_button,
                   self.snapshot_button, self.restore_button),
            self._info_pane, self._check_pane, self._message_pane, self.output_pane, self._layers_column,
            sizing_mode="stretch_width")
        self._sampler = pn.Column(
            "#### Sample text", pn.Row(self.prompt_input, self.length_input, self.temperature, self.sample_button),
            self._sample_pane, visible=False, sizing_mode="stretch_width")
        self._layout = pn.Column("### Step", self._note_pane, self._reason_pane, self._controls, self._sampler,
                                 sizing_mode="stretch_width")

        self.step_button.on_click(lambda _: self.step(1))
        self.step_k_button.on_click(lambda _: self.step(self.k_input.value))
        self.play_button.on_click(lambda _: self.pause() if self.playing else self.play())
        self.reset_button.on_click(lambda _: self.reset())
        self.snapshot_button.on_click(lambda _: self.snapshot())
        self.restore_button.on_click(lambda _: self.restore())
        self.sample_button.on_click(lambda _: self.sample(self.prompt_input.value, self.length_input.value,
                                                          self.temperature.value))
        self.example_slider.param.watch(lambda e: self._load_example(e.new), "value")
        self.param.watch(self._show_message, ["message", "message_kind"])
        self.param.watch(lambda e: setattr(self._check_pane, "object", e.new), "check")
        if session is not None:
            session.param.watch(self._on_session, ["net", "conf", "task", "train_data", "test_data"])
            session.param.watch(lambda _: self.sync_network(), "run_ended")
        on_session_end(self.close)
        self._rebuild()

    # ---- programmatic API ----
    @property
    def T(self) -> int:
        """Real steps in the current sequence."""
        return 0 if self.sequence is None else self.sequence.shape[1]

    @property
    def h_history(self) -> dict:
        """layer -> h over the steps taken, ``[units, steps]``."""
        return {i: self._stack(cols, i) for i, cols in self._h.items()}

    @property
    def c_history(self) -> dict:
        """layer -> LSTM cell state over the steps taken, ``[units, steps]`` (LSTM layers only)."""
        return {i: self._stack(cols, i) for i, cols in self._c.items()}

    @property
    def outputs(self) -> np.ndarray:
        """The network's outputs of the steps taken, ``[n_out, steps]``."""
        return np.stack(self._out, axis=1) if self._out else np.zeros((self._n_out, 0))

    def step(self, k: int = 1) -> int:
        """Feed the next ``k`` steps of the sequence; returns how many were taken."""
        if self.reason:
            self.say(self.reason, "warning")
            return 0
        taken = 0
        try:
            for _ in range(max(1, int(k))):
                if self.t >= self.T:
                    break
                self._one_step()
                taken += 1
        except Exception as exc:                  # a network the UI cannot step: say so, keep the page
            self.say(f"Stepping failed: {type(exc).__name__}: {exc}", "error")
            self.pause()
        if self.t >= self.T:
            self.say(f"End of the sequence ({self.T} steps): Reset to start again.")
            self.pause()
        elif taken:
            self.clear_message()
        self._verify()
        self._draw()
        return taken

    def reset(self) -> None:
        """Clear the stored state (``rnn_clear_previous_state``) and start the sequence again, with
        the session network's latest parameters."""
        self._take_latest()
        self._restart()

    def sync_network(self) -> bool:
        """Take the session network's latest parameters when they changed since this view copied
        them (the app calls this when the Step tab opens and when a run ends); True if it did."""
        s = self.session
        if self._given_net is None and s is not None and s.net is not None and self.net is not None \
                and s.net.conf == self.net.conf and s.net.iteration_count != self.net.iteration_count:
            self.reset()
            return True
        return False

    def _take_latest(self):
        s = self.session
        if self._given_net is None and s is not None and s.net is not None and self.net is not None \
                and s.net.conf == self.net.conf:
            self.net = s.net.copy()
            self._set_note(_copy_note(self.net))

    def _restart(self):
        self.pause()
        if self.net is not None:
            self.net.rnn_clear_previous_state()
        self.t = 0
        self._h = {i: [] for i in self._recurrent}
        self._c = {i: [] for i in self._recurrent if self._is_lstm(i)}
        self._out, self.gates = [], {}
        self.check_difference = None
        self.check = ""
        self.clear_message()
        self._draw()

    def snapshot(self) -> None:
        """Remember the stored state of every recurrent layer (and the step reached)."""
        if self.reason:
            return
        self._snapshot = {"t": self.t, "states": {i: self.net.rnn_get_previous_state(i) for i in self._recurrent},
                          "h": {i: list(v) for i, v in self._h.items()}, "c": {i: list(v) for i, v in self._c.items()},
                          "out": list(self._out), "gates": dict(self.gates)}
        self.restore_button.disabled = False
        self.say(f"Snapshot taken at step {self.t}.", "success")

    def restore(self) -> None:
        """Go back to the snapshot: set every layer's state and the step reached."""
        snap = self._snapshot
        if snap is None or self.reason:
            self.say("No snapshot to restore yet.", "warning")
            return
        self.pause()
        self._set_states(snap["states"])
        self.t = snap["t"]
        self._h = {i: list(v) for i, v in snap["h"].items()}
        self._c = {i: list(v) for i, v in snap["c"].items()}
        self._out, self.gates = list(snap["out"]), dict(snap["gates"])
        self.say(f"Restored the snapshot of step {self.t}.", "success")
        self._verify()
        self._draw()

    def play(self) -> None:
        """Step every 250 ms (in a served page or a notebook with a running event loop)."""
        if self.reason or self.playing or self.t >= self.T:
            return
        self.playing = True
        self.play_button.label = "Pause"
        self._play_cb = pn.state.add_periodic_callback(self._play_tick, period=PLAY_MS)

    def pause(self) -> None:
        if self._play_cb is not None:
            self._play_cb.stop()
            self._play_cb = None
        self.playing = False
        self.play_button.label = "Play"

    def close(self) -> None:
        """Stop playing (the browser session went)."""
        self.pause()

    def sample(self, prompt: str, n: int = 200, temperature: float = 1.0, seed=None) -> str:
        """``n`` characters sampled after ``prompt`` from a character model (the stepping state is
        kept); shown in the page."""
        iterator = self._char_iterator()
        if iterator is None or self.reason:
            self.say(self.reason or "Sampling needs a character model and its CharacterIterator (the Tiny "
                     "Shakespeare task).", "warning")
            return ""
        saved = {i: self.net.rnn_get_previous_state(i) for i in self._recurrent}
        try:
            text = sample_characters(self.net, iterator, prompt, int(n), float(temperature), seed=seed)
        except ValueError as exc:
            self.say(f"Cannot sample: {exc}", "error")
            return ""
        finally:
            self._set_states(saved)
        self.sample_text = prompt + text
        self._sample_pane.object = self.sample_text
        return text

    # ---- building ----
    def _on_session(self, *events):
        if {e.name for e in events} == {"conf"} and self._given_net is None and self.session.net is not None:
            return                                 # an edit in the builder: keep stepping the trained network
        self._rebuild()

    def _rebuild(self):
        """Pick the network and the examples again (the session changed)."""
        self.pause()
        self._snapshot = None
        self.restore_button.disabled = True
        self.net, note = self._pick_network()
        self._set_note(note)
        self.reason = None if self.net is None else _sentence(self.net.step_problem())
        if self.net is None:
            self.reason = note
        self._reason_pane.object = self.reason or ""
        self._reason_pane.visible = bool(self.reason)
        self._controls.visible = not self.reason
        self._sampler.visible = not self.reason and self._char_iterator() is not None
        self._recurrent = [] if self.reason else [i for i, lc in enumerate(self.net.conf.built_layers)
                                                  if lc.is_recurrent]
        self._n_out = 0 if self.net is None else self.net.conf.built_layers[-1].n_out
        self._pick_kind()
        self._build_layer_figures()
        self._examples = [] if self.reason else self._collect_examples()
        n = max(1, len(self._examples))
        self.example_slider.param.update(end=max(1, n - 1), value=min(self.example_slider.value, n - 1),
                                         visible=n > 1)
        self._load_example(self.example_slider.value)

    def _pick_network(self):
        if self._given_net is not None:
            return self._given_net, ""
        s = self.session
        if s.net is not None:
            net = s.net.copy()
            return net, _copy_note(net)
        if s.conf is None:
            return None, "The configuration is not valid yet: fix it in the Build view to step a network."
        try:
            net = MultiLayerNetwork(s.conf, backend=s.backend).init()
        except Exception as exc:
            return None, f"Cannot build the network: {exc}"
        return net, "No trained network yet: stepping an untrained network made from the configuration."

    def _pick_kind(self):
        s = self.session
        if s is not None and (self._given_net is None or self._given_sequence is None):
            self.kind = s.task.kind
            self.class_names = list(s.task.class_names) if s.task.class_names else None
        elif self.net is not None:
            last = self.net.conf.built_layers[-1]
            self.kind = "classification" if getattr(last, "activation", "") == "softmax" else "regression"
            self.class_names = None
        it = self._char_iterator()
        if self.kind == "characters" and it is not None:
            self.class_names = [_char_label(c) for c in it.vocab]

    def _char_iterator(self):
        s = self.session
        if s is None or s.task.kind != "characters":
            return None
        it = s.train_data
        return it if hasattr(it, "one_hot") and hasattr(it, "decode") else None

    def _collect_examples(self):
        """(features [n_in, T], labels, labels mask) getters, one per example, real steps only."""
        if self._given_sequence is not None:
            x = to_numpy(self._given_sequence)
            x = x[0] if x.ndim == 3 else x
            if x.ndim != 2:
                self.say(f"sequence: expected [n_in, T] or [1, n_in, T], got shape {x.shape}", "error")
                return []
            return [lambda x=x: (x, None, None)]
        it = self._char_iterator()
        if it is not None:                         # windows of the text, as the iterator cuts them
            L = it.sequence_length

            def window(i):
                chunk = it.text[i * L:(i + 1) * L + 1]
                return it.one_hot(chunk[:-1])[0], it.one_hot(chunk[1:])[0], None
            return [lambda i=i: window(i) for i in range(min(it.num_windows, MAX_EXAMPLES))]
        s = self.session
        data = s.test_data if s.test_data is not None else s.train_data
        if data is None:
            return []
        batches, count = [], 0
        for ds in [data] if hasattr(data, "features") else data:
            batches.append(ds)
            count += ds.features.shape[0]
            if count >= MAX_EXAMPLES:
                break
        return [lambda ds=ds, r=r: self._example(ds, r) for ds in batches for r in range(ds.features.shape[0])
                ][:MAX_EXAMPLES]

    @staticmethod
    def _example(ds, r):
        x = to_numpy(ds.features[r])
        y = to_numpy(ds.labels[r])
        lm = None if ds.labels_mask is None else to_numpy(ds.labels_mask[r])
        if ds.features_mask is not None and x.ndim == 2:
            keep = to_numpy(ds.features_mask[r]) > 0
            x = x[:, keep]
            if y.ndim == 2 and y.shape[1] == keep.size:
                y = y[:, keep]
                lm = None if lm is None or lm.size != keep.size else lm[keep]
        return x, y, lm

    def _load_example(self, index):
        self.pause()
        self._snapshot = None
        self.restore_button.disabled = True
        if self._examples:
            index = min(max(0, int(index)), len(self._examples) - 1)
            self.sequence, self.labels, self.labels_mask = self._examples[index]()
        else:
            self.sequence = self.labels = self.labels_mask = None
        self.example = index
        self._restart()

    def _build_layer_figures(self):
        self.layer_figs, self.layer_panes = {}, {}
        for i in self._recurrent:
            name = type(self.net.conf.built_layers[i]).__name__
            if self._is_lstm(i):
                fig = make_subplots(rows=1, cols=3, column_widths=[0.38, 0.38, 0.14], horizontal_spacing=0.12,
                                    subplot_titles=("h (units x steps)", "c (cell state)", "gates now"))
                fig.add_trace(_state_heatmap("h", fig.layout.xaxis.domain), row=1, col=1)
                fig.add_trace(_state_heatmap("c", fig.layout.xaxis2.domain), row=1, col=2)
                fig.add_trace(go.Heatmap(z=[[]], x=list("ifgo"), colorscale="Viridis", zmin=-1, zmax=1, name="gates",
                                         colorbar=_colorbar(fig.layout.xaxis3.domain)), row=1, col=3)
            else:
                fig = make_subplots(rows=1, cols=1, subplot_titles=("h (units x steps)",))
                fig.add_trace(_state_heatmap("h", fig.layout.xaxis.domain), row=1, col=1)
            fig.update_layout(title=dict(text=f"Layer {i} {name}", font_size=14), height=260, uirevision="keep",
                              margin=dict(l=40, r=20, t=50, b=30), template="plotly_white")
            fig.update_xaxes(title_text="step", row=1, col=1)
            self.layer_figs[i] = fig
            self.layer_panes[i] = pn.pane.Plotly(fig, link_figure=False, height=260, sizing_mode="stretch_width")
        self._layers_column.objects = list(self.layer_panes.values())
        self.output_fig = go.Figure()
        self.output_fig.update_layout(height=300, uirevision="keep", margin=dict(l=50, r=20, t=50, b=40),
                                      template="plotly_white")
        if self.kind == "regression":
            self.output_fig.add_trace(go.Scatter(name="truth", mode="lines", line=dict(color="#999", width=1.5)))
            self.output_fig.add_trace(go.Scatter(name="stepped output", mode="lines+markers",
                                                 line=dict(color="#d62728")))
            self.output_fig.update_layout(xaxis_title="step", legend=dict(orientation="h"))
        else:
            self.output_fig.add_trace(go.Bar(name="probability", marker_color="#3182bd"))
            self.output_fig.update_layout(yaxis=dict(range=[0, 1], title="probability"))
        self.output_pane.object = self.output_fig

    def _is_lstm(self, i):
        return len(self.net.layers[i].state_keys) > 1

    # ---- stepping ----
    def _one_step(self):
        x = self.sequence[:, self.t][None]                        # (1, n_in): one step
        y = to_numpy(self.net.rnn_time_step(x))[0]               # (n_out,)
        self._out.append(y.astype(np.float64))
        for i in self._recurrent:
            state = self.net.rnn_get_previous_state(i)
            self._h[i].append(to_numpy(state["h"])[0])
            if i in self._c:
                self._c[i].append(to_numpy(state["c"])[0])
                self.gates[i] = {k: to_numpy(v)[0] for k, v in self.net.rnn_gate_activations(i).items()}
        self.t += 1

    def _verify(self):
        """Compare the stepped outputs with a stateless ``output()`` over the same history."""
        if self.t == 0 or self.net is None:
            self.check_difference, self.check = None, ""
            return
        full = to_numpy(self.net.output(self.sequence[None, :, :self.t]))
        stepped = self.outputs
        got = full[0] if full.ndim == 3 else full[0][:, None]
        want = stepped if full.ndim == 3 else stepped[:, -1:]
        self.check_difference = float(np.abs(got - want).max())
        ok = self.check_difference < CHECK_TOLERANCE
        self.check = (f"Stepped outputs vs `net.output()` on the same {self.t} steps: max |difference| = "
                      f"{self.check_difference:.2e} {'**OK**' if ok else '**MISMATCH**'}")

    def _set_states(self, states):
        self.net.rnn_clear_previous_state()
        for i, state in states.items():
            if state:
                self.net.rnn_set_previous_state(i, state)

    def _play_tick(self):
        self.step(1)
        if self.t >= self.T:
            self.pause()

    def _stack(self, cols, i):
        if cols:
            return np.stack(cols, axis=1)
        return np.zeros((self.net.conf.built_layers[i].n_out, 0))

    # ---- drawing ----
    def _draw(self):
        self._info_pane.object = self._info()
        if self.net is None or self.reason:
            return
        steps = np.arange(self.t)
        for i, fig in self.layer_figs.items():
            with fig.batch_update():
                fig.data[0].z, fig.data[0].x = self._stack(self._h[i], i), steps
                if i in self._c:
                    fig.data[1].z, fig.data[1].x = self._stack(self._c[i], i), steps
                    g = self.gates.get(i)
                    fig.data[2].z = np.stack([g[k] for k in "ifgo"], axis=1) if g else [[]]
            self.layer_panes[i].param.trigger("object")
        self._draw_output()
        self.output_pane.param.trigger("object")

    def _draw_output(self):
        fig, out = self.output_fig, self.outputs
        if self.kind == "regression":
            truth, stepped = fig.data
            with fig.batch_update():
                if self.labels is not None and self.labels.ndim == 2:
                    truth.x, truth.y = np.arange(self.labels.shape[1]), self.labels[0]
                stepped.x, stepped.y = np.arange(self.t), out[0] if len(out) else []
                fig.layout.title = dict(font_size=14,     # a new dict, so Panel sends it
                                        text=f"Output (column 0) up to step {self.t}: stepped forecast vs truth")
            return
        bar = fig.data[0]
        names = self.class_names or [str(c) for c in range(self._n_out)]
        probs = out[:, -1] if self.t else np.zeros(self._n_out)
        title = f"Output at step {self.t}"
        if self.kind == "characters":
            top = np.argsort(probs)[::-1][:20]
            x, y = [names[k] for k in top], probs[top]
            seen = "".join(self._char_iterator().vocab[int(np.argmax(self.sequence[:, j]))]
                           for j in range(max(0, self.t - 40), self.t)) if self.t else ""
            title = f"Next character after {seen!r} (top 20)"
        else:
            x, y = names, probs
            label = self._label_now()
            if label is not None:
                title += f" (label: {names[label]})"
        with fig.batch_update():
            bar.x, bar.y = x, y
            fig.layout.title = dict(font_size=14, text=title)

    def _label_now(self):
        """The class label of the current step, or of the example's labelled step (many-to-one)."""
        y, lm = self.labels, self.labels_mask
        if y is None or self.t == 0:
            return None
        if y.ndim == 1:
            return int(np.argmax(y))
        j = self.t - 1
        if lm is not None and not lm[min(j, lm.size - 1)] > 0:
            marked = np.nonzero(lm > 0)[0]
            if not marked.size:
                return None
            j = int(marked[-1])
        return int(np.argmax(y[:, min(j, y.shape[1] - 1)]))

    def _info(self):
        if self.net is None or self.reason:
            return ""
        where = f"example {self.example} of {len(self._examples)} · " if len(self._examples) > 1 else ""
        return f"{where}{self.T} steps · step **{self.t} / {self.T}**"

    def _set_note(self, note):
        self.note = note
        self._note_pane.object = note

    def _show_message(self, *events):
        show_message(self._message_pane, self)

    def __panel__(self):
        return self._layout
