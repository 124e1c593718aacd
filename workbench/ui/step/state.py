"""What the Step tab shows and does, without widgets.

Step mode feeds an example ``[n_in, T]`` to a network one step at a time (``rnn_time_step``) and
keeps, per recurrent layer, h (and c) ``[units, t]`` of the ``t`` steps fed so far, the gates
i, f, g, o of the last step ``[units]`` and the outputs ``[n_out, t]``, checked against
``net.output()`` on the same steps. Snapshot / Restore use ``rnn_get_previous_state`` /
``rnn_set_previous_state``; a character model also samples text. A bidirectional network
needs the whole sequence at once, so it cannot step: scrub mode runs one full pass
(``recurrent_states``) and shows both directions' states with the output at step ``t``.
In the app the network is a copy of ``session.net`` with its latest parameters (or, before
training, a new network made from ``session.conf``).
"""
from __future__ import annotations

import numpy as np
import param

from workbench.nn.recurrent_states import recurrent_states
from workbench.nn.sampling import sample_characters
from workbench.ui.session import WorkbenchSession
from workbench.ui.messages import Messages
from workbench.ui.step.examples import char_iterator, given_sequence, label_at, prompt_problem, session_examples
from workbench.ui.step.network import copy_note, layer_name, output_kind, pick_network, step_mode
from workbench.ui.step.recorder import StepRecorder

CHECK_TOLERANCE = 1e-5


class StepState(Messages):
    """The Step tab's state: ``StepState(net, sequence)`` in a notebook, ``StepState(session=...)``
    in the app (a new :class:`WorkbenchSession` when both are None).

    >>> s = StepState(net, x[0]); s.step(5)
    >>> s.h_history[0].shape, s.check_difference < 1e-5      # ((units, 5), True)
    """

    session = param.ClassSelector(class_=WorkbenchSession, allow_None=True)
    mode = param.Selector(default="off", objects=["step", "scrub", "off"],
                          doc="step: rnn_time_step; scrub: one full pass (bidirectional); off: nothing to show")
    t = param.Integer(default=0, bounds=(0, None), doc="steps fed so far; in scrub mode the step shown, 1..T")
    example = param.Integer(default=0, bounds=(0, None), doc="index of the example fed")
    n_examples = param.Integer(default=0, doc="examples to choose from")
    k = param.Integer(default=10, bounds=(1, 10_000), doc="steps that Step k feeds")
    playing = param.Boolean(default=False, doc="Play is on: the view feeds a step on each tick")
    has_snapshot = param.Boolean(default=False, doc="a snapshot can be restored")
    note = param.String(default="", doc="which network is shown, after how many updates")
    check = param.String(default="", doc="the stepping-equals-output() check line")
    prompt = param.String(default="ROMEO:", doc="text the character model starts from")
    length = param.Integer(default=300, bounds=(1, 5000), doc="characters to sample")
    temperature = param.Number(default=0.8, bounds=(0.1, 2.0), doc="below 1 sharper, above 1 more random")
    sample_text = param.String(default="", doc="the prompt and the sampled characters")
    redraw = param.Event(doc="fires when what the charts show has changed")

    def __init__(self, net=None, sequence=None, session: WorkbenchSession | None = None, labels=None, **params):
        if net is None and session is None:
            session = WorkbenchSession()
        super().__init__(session=session, **params)
        self._given_net, self._given_sequence, self._given_labels = net, sequence, labels
        self.net, self._source = None, None          # the network shown, and the session network it copies
        self.sequence = self.labels = self.labels_mask = None
        self.kind, self.class_names, self._notice = "regression", None, None
        self._examples, self._rec, self._snapshot, self._full = [], None, None, None
        if session is not None:
            session.param.watch(self._on_session, ["net", "conf", "task", "train_data", "test_data"])
            session.param.watch(lambda _: self.sync_network(), "run_ended")
        self._rebuild()

    # ---- what is shown ----
    @property
    def T(self) -> int:
        """Real steps in the current example."""
        return 0 if self.sequence is None else self.sequence.shape[1]

    @property
    def h_history(self) -> dict:
        """Step mode: layer -> h over the steps fed, ``[units, t]``."""
        return self._rec.h_history if self._rec else {}

    @property
    def c_history(self) -> dict:
        """Step mode: layer -> LSTM cell state over the steps fed, ``[units, t]`` (LSTM layers only)."""
        return self._rec.c_history if self._rec else {}

    @property
    def gates(self) -> dict:
        """Step mode: LSTM layer -> {"i", "f", "g", "o": ``[units]``} of the last step fed."""
        return self._rec.gates if self._rec else {}

    @property
    def outputs(self) -> np.ndarray:
        """The outputs of the steps fed ``[n_out, t]``; in scrub mode of all steps ``[n_out, T]``."""
        if self._full is not None:
            return self._full[0]
        return self._rec.outputs if self._rec else np.zeros((self._n_out, 0))

    @property
    def scrub_states(self) -> dict:
        """Scrub mode: layer -> direction -> {"h", "c", "i", "f", "g", "o"} ``[units, T]``."""
        return {} if self._full is None else self._full[1]

    def layer_rows(self) -> list:
        """(title, rows, marked step) per recurrent layer, as ``figures.layer_figure`` takes them;
        in scrub mode a row per direction with the gates of step ``t``."""
        names = [layer_name(lc) for lc in self.net.conf.built_layers] if self.net else []
        if self.mode == "scrub":
            j = max(self.t, 1) - 1
            return [(f"Layer {i} {names[i]}",
                     {d: dict(a, gates={k: a[k][:, j] for k in "ifgo"} if "c" in a else None) for d, a in dirs.items()},
                     self.t) for i, dirs in self.scrub_states.items()]
        h, c = self.h_history, self.c_history
        return [(f"Layer {i} {names[i]}", {"": {"h": h[i], "c": c.get(i), "gates": self.gates.get(i)}}, None)
                for i in h]

    @property
    def output_now(self) -> np.ndarray:
        """The output at step ``t`` ``[n_out]`` (zeros before the first step)."""
        out = self.outputs
        return out[:, self.t - 1] if self.t and out.shape[1] >= self.t else np.zeros(self._n_out)

    def output_bars(self) -> tuple:
        """(names, probabilities, title) of the output at step ``t``; for a character model the
        20 likeliest next characters."""
        names = self.class_names or [str(c) for c in range(self._n_out)]
        probs = self.output_now
        if self.kind == "characters":
            top = np.argsort(probs)[::-1][:20]
            vocab = char_iterator(self.session).vocab
            seen = "".join(vocab[int(np.argmax(self.sequence[:, j]))] for j in range(max(0, self.t - 40), self.t))
            return [names[k] for k in top], probs[top], f"Next character after {seen!r} (top 20)"
        label = label_at(self.labels, self.labels_mask, self.t)
        return names, probs, f"Output at step {self.t}" + ("" if label is None else f" (label: {names[label]})")

    def output_series(self) -> tuple:
        """(truth [T] or None, outputs [steps], title) of output column 0, for regression."""
        truth = self.labels[0] if self.labels is not None and self.labels.ndim == 2 else None
        out = self.outputs
        return truth, out[0] if out.size else np.zeros(0), f"Output (column 0) at step {self.t} against the truth"

    @property
    def info(self) -> str:
        if self.mode == "off":
            return ""
        where = f"example {self.example} of {self.n_examples} · " if self.n_examples > 1 else ""
        return f"{where}{self.T} steps · step **{self.t} / {self.T}**"

    # ---- actions ----
    def step(self, k: int = 1) -> int:
        """Feed the next ``k`` steps of the example; returns how many were fed."""
        if self.mode != "step":
            self.say(self._notice[0], "warning")
            return 0
        taken, failed = 0, False
        try:
            while taken < max(1, int(k)) and self.t < self.T:
                self._rec.feed()
                taken += 1
                self.t = self._rec.t
        except Exception as exc:                  # a network this tab cannot step: say so, keep the page
            failed = self.say(f"This example could not be stepped ({exc}). Try another example, or change the "
                              "network in the Build tab.", "error")
        if failed or self.t >= self.T:
            self.playing = False
        if not failed and self.t >= self.T:
            self.say(f"End of the example ({self.T} steps): press Reset to start again, or choose another example.")
        elif not failed and taken:
            self.clear_message()
        self._verify()
        self.param.trigger("redraw")
        return taken

    def play(self) -> None:
        """Ask the view to feed a step on each tick (until the end of the example or Pause)."""
        self.playing = self.mode == "step" and self.t < self.T

    def pause(self) -> None:
        self.playing = False

    def reset(self) -> None:
        """Start the example again from a cleared state (``rnn_clear_previous_state``), with the
        session network's latest parameters."""
        if not self.sync_network():
            self._restart()

    def sync_network(self) -> bool:
        """Take the session network's latest parameters when they changed since this tab copied
        them (the app calls this when the Step tab opens; the end of a run calls it too), and
        start the example again; True if it did. While a run trains, the copy is taken between
        two updates."""
        s = self.session
        if self._given_net is not None or s is None or s.net is None:
            return False
        if s.net is not self._source:
            self._rebuild()
        elif s.latest_updates() != self.net.iteration_count:
            self.net = s.latest_network()
            self.note = copy_note(self.net)
            self._restart()
        else:
            return False
        return True

    def snapshot(self) -> None:
        """Remember the stored state of every recurrent layer (and the step reached)."""
        if self.mode != "step":
            self.say(self._notice[0], "warning")
            return
        self._snapshot = self._rec.snapshot()
        self.has_snapshot = True
        self.say(f"Snapshot taken at step {self.t}: step on, then press Restore to come back here.", "success")

    def restore(self) -> None:
        """Go back to the snapshot: every layer's state and the step reached."""
        snap = self._snapshot
        if snap is None or self.mode != "step":
            self.say("No snapshot to restore yet: press Snapshot first.", "warning")
            return
        self.playing = False
        self._rec.restore(snap)
        self.t = self._rec.t
        self.say(f"Restored the snapshot of step {self.t}.", "success")
        self._verify()
        self.param.trigger("redraw")

    def sample(self, prompt: str | None = None, n: int | None = None, temperature: float | None = None,
               seed=None) -> str:
        """``n`` characters sampled after ``prompt`` from a character model (default: the ``prompt``,
        ``length`` and ``temperature`` parameters); the stepping state is kept."""
        prompt = self.prompt if prompt is None else prompt
        n = self.length if n is None else int(n)
        temperature = self.temperature if temperature is None else float(temperature)
        it = char_iterator(self.session) if self.mode == "step" else None
        problem = prompt_problem(it, prompt) or (None if temperature > 0 else "Choose a temperature above 0.")
        if problem:
            self.say(problem, "warning")
            return ""
        with self._rec.state_kept():
            text = sample_characters(self.net, it, prompt, n, temperature, seed=seed)
        self.sample_text = prompt + text
        self.clear_message()
        return text

    # ---- choosing the network and the example ----
    def _on_session(self, *events):
        if {e.name for e in events} == {"conf"} and self._given_net is None and self.session.net is not None:
            return                                 # an edit in the builder: keep showing the trained network
        self._rebuild()

    def _rebuild(self):
        """Pick the network, its mode and the examples again (the session changed)."""
        self.playing = False
        self.net, self._source, self.note, problem = pick_network(self.session, self._given_net)
        self.mode, self._notice = step_mode(self.net, problem)
        self._n_out = 0 if self.net is None else self.net.conf.built_layers[-1].n_out
        notebook = self._given_net is not None and self._given_sequence is not None
        self.kind, self.class_names = output_kind(self.session, self.net, notebook)
        self._examples = []
        if self.mode != "off":
            try:
                self._examples = (given_sequence(self._given_sequence, self._given_labels)
                                  if self._given_sequence is not None
                                  else session_examples(self.session))
            except ValueError as exc:                 # a notebook's sequence of the wrong shape
                self.mode, self._notice = "off", (f"{exc}.", "error")
        n = len(self._examples)
        self.param.example.bounds = (0, max(0, n - 1))
        shown = self.example
        self.param.update(n_examples=n, example=min(shown, max(0, n - 1)))
        if self.example == shown:                  # else the example watcher has loaded it
            self._load_example()

    @param.depends("example", watch=True)
    def _load_example(self):
        self._snapshot, self.has_snapshot = None, False
        if self._examples:
            self.sequence, self.labels, self.labels_mask = self._examples[self.example]()
        else:
            self.sequence = self.labels = self.labels_mask = None
        self._restart()

    def _restart(self):
        self.playing = False
        self._rec = StepRecorder(self.net, self.sequence) if self.mode == "step" else None
        self._full = None
        self.check_difference, self.check = None, ""
        if self.mode == "scrub" and self.sequence is not None:
            out, states = recurrent_states(self.net, self.sequence[None])
            out = out[0] if out.ndim == 3 else np.pad(out.T, ((0, 0), (self.T - 1, 0)))   # many-to-one: at the end
            self._full = (out, {i: {d: {k: a[0] for k, a in arrays.items()} for d, arrays in dirs.items()}
                                   for i, dirs in states.items()})
        self.param.t.bounds = (1, max(1, self.T)) if self.mode == "scrub" else (0, self.T)
        self.t = 1 if self.mode == "scrub" else 0
        if self._notice:
            self.say(*self._notice)
        else:
            self.clear_message()
        self.param.trigger("redraw")

    @param.depends("t", watch=True)
    def _scrubbed(self):
        if self.mode == "scrub":
            self.param.trigger("redraw")

    def _verify(self):
        """The stepped outputs against a stateless ``output()`` over the same steps."""
        self.check_difference = self._rec.difference() if self._rec else None
        if self.check_difference is None:
            self.check = ""
            return
        ok = "**OK**" if self.check_difference < CHECK_TOLERANCE else "**MISMATCH**"
        self.check = (f"Stepped outputs vs `net.output()` on the same {self.t} steps: max |difference| = "
                      f"{self.check_difference:.2e} {ok}")

