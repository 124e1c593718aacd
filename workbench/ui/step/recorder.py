"""Feeding one example to a network one step at a time (``rnn_time_step``), keeping what each
step stored, so the Step tab can draw it, bookmark it and check it.

``StepRecorder(net, sequence [n_in, T])``: ``feed()`` one step; ``h_history`` / ``c_history``:
layer -> ``[units, t]``; ``gates``: LSTM layer -> {"i", "f", "g", "o": ``[units]``} of the last
step; ``outputs`` ``[n_out, t]``; ``difference()``: max |stepped - ``net.output()``| on the
same ``t`` steps. ``snapshot()`` / ``restore()`` bookmark the stored state
(``rnn_get_previous_state`` / ``rnn_set_previous_state``) with the record.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from workbench.backend import to_numpy


class StepRecorder:
    """The record of ``t`` steps of ``sequence`` fed to ``net`` (which it steps, never trains)."""

    def __init__(self, net, sequence):
        self.net, self.sequence = net, sequence
        self.recurrent = [i for i, lc in enumerate(net.conf.built_layers) if lc.is_recurrent]
        self.lstm = [i for i in self.recurrent if len(net.layers[i].state_keys) > 1]
        self._n_out = net.conf.built_layers[-1].n_out
        self.clear()

    @property
    def T(self) -> int:
        return 0 if self.sequence is None else self.sequence.shape[1]

    def clear(self) -> None:
        """Back to step 0 with a cleared stored state (``rnn_clear_previous_state``)."""
        self.net.rnn_clear_previous_state()
        self.t, self.gates, self._out = 0, {}, []
        self._h = {i: [] for i in self.recurrent}
        self._c = {i: [] for i in self.lstm}

    def feed(self) -> None:
        """Feed step ``t`` and record the stored states, the gates and the output."""
        x = self.sequence[:, self.t][None]                        # (1, n_in): one step
        y = to_numpy(self.net.rnn_time_step(x))[0]               # (n_out,)
        self._out.append(y.astype(np.float64))
        for i in self.recurrent:
            state = self.net.rnn_get_previous_state(i)
            self._h[i].append(to_numpy(state["h"])[0])
            if i in self._c:
                self._c[i].append(to_numpy(state["c"])[0])
                self.gates[i] = {k: to_numpy(v)[0] for k, v in self.net.rnn_gate_activations(i).items()}
        self.t += 1

    @property
    def h_history(self) -> dict:
        return {i: self._stack(cols, i) for i, cols in self._h.items()}

    @property
    def c_history(self) -> dict:
        return {i: self._stack(cols, i) for i, cols in self._c.items()}

    @property
    def outputs(self) -> np.ndarray:
        return np.stack(self._out, axis=1) if self._out else np.zeros((self._n_out, 0))

    def difference(self) -> float | None:
        """Max |stepped outputs - a stateless ``output()`` over the same steps| (None at step 0);
        for a many-to-one network, of the last step."""
        if self.t == 0:
            return None
        full = to_numpy(self.net.output(self.sequence[None, :, :self.t]))
        got = full[0] if full.ndim == 3 else full[0][:, None]
        want = self.outputs if full.ndim == 3 else self.outputs[:, -1:]
        return float(np.abs(got - want).max())

    def snapshot(self) -> dict:
        return {"t": self.t, "states": self._states(), "gates": dict(self.gates), "out": list(self._out),
                "h": {i: list(v) for i, v in self._h.items()}, "c": {i: list(v) for i, v in self._c.items()}}

    def restore(self, snap: dict) -> None:
        self._set_states(snap["states"])
        self.t, self.gates, self._out = snap["t"], dict(snap["gates"]), list(snap["out"])
        self._h = {i: list(v) for i, v in snap["h"].items()}
        self._c = {i: list(v) for i, v in snap["c"].items()}

    @contextmanager
    def state_kept(self):
        """Run something that steps the network (sampling) and put the stored state back after."""
        saved = self._states()
        try:
            yield
        finally:
            self._set_states(saved)

    def _states(self) -> dict:
        return {i: self.net.rnn_get_previous_state(i) for i in self.recurrent}

    def _set_states(self, states):
        self.net.rnn_clear_previous_state()
        for i, state in states.items():
            if state:
                self.net.rnn_set_previous_state(i, state)

    def _stack(self, cols, i):
        return np.stack(cols, axis=1) if cols else np.zeros((self.net.conf.built_layers[i].n_out, 0))
