"""Stateful step-by-step prediction: rnn_time_step and the stored state of each recurrent layer."""
from __future__ import annotations

from workbench.backend import real_array
from workbench.conf import InputType
from workbench.errors import InputTypeError, InvalidInputError
from workbench.nn.checks import as_internal, check_shape, to_public


class SteppingMixin:
    """``rnn_time_step`` and friends for MultiLayerNetwork. ``_step_states`` maps a recurrent
    layer index to its stepping state (see ``Recurrent.make_state``)."""

    def _recurrent_indices(self) -> list:
        return [i for i, layer in enumerate(self.layers) if layer.conf.is_recurrent]

    def _stored_batch(self):
        for state in self._step_states.values():
            return state["h"].shape[0]
        return None

    def rnn_time_step(self, x):
        """Predict from the stored state and keep the new state.

        x [batch, n_in] (one step -> [batch, n_out]) or [batch, n_in, k] (k steps ->
        [batch, n_out, k]). Equals ``output()`` on the whole history, however it is chunked.
        Layers without state (Dense, convolution, output layers) are applied per step.
        """
        self._require_init()
        x = self._step_input(x)
        ndim = x.ndim
        N = x.shape[1] if ndim == 3 else x.shape[0]
        one = ndim == 2 or x.shape[0] == 1              # [batch, n_in, 1] takes the one-step cells too
        if ndim == 3 and one:
            x = x[0]
        stored = self._stored_batch()
        if stored is not None and stored != N:
            raise InvalidInputError(f"rnn_time_step: input batch {N} != stored state batch {stored}; "
                                    "call rnn_clear_previous_state() before starting a new series")
        states = self._step_states
        for i, layer in enumerate(self.layers):
            if i in self.preprocessors:
                x = self._step_preprocess(self.preprocessors[i], x, N, one_step=one)
            if not layer.conf.is_recurrent:
                x, _ = layer.infer(x)
            elif one:
                state = states.get(i) or states.setdefault(i, layer.make_state(N))
                x = layer.step(x, state)
                state["stepped"] = True
            else:
                x, end = layer.infer(x, None, states.get(i))
                states[i] = layer.make_state(N, end)          # gates of a k-step call: not kept
        y = to_public(self.xp, x, x.ndim == 3)
        return y[..., None] if ndim == 3 and one and self._recurrent_out else y

    def _step_input(self, x):
        """x checked, as the network's dtype, in internal layout: (N, n_in) for one step,
        (k, N, n_in) for k steps. The shape is checked once for each new (shape, dtype) in a
        row (the same ones cannot fail again); the values (NaN, inf) on every call."""
        name = "rnn_time_step x"
        x = real_array(x, name)
        key = (x.shape, x.dtype, self.conf)
        if self._step_checked is None or self._step_checked[0] != key:
            types = self._step_input_types()
            if x.ndim not in types:
                n_in = self.input_type.flat_size
                raise InvalidInputError(f"rnn_time_step: x must be [batch, n_in={n_in}] (one step) or "
                                        f"[batch, n_in={n_in}, k] (k steps), got shape {tuple(x.shape)}")
            check_shape(name, tuple(x.shape), types[x.ndim])
            self._step_checked = key, types[x.ndim]           # (the shape checked, its InputType)
        return as_internal(self.backend, self.dtype, name, x, self._step_checked[1])

    @staticmethod
    def _step_preprocess(pp, x, N, one_step):
        """Apply a preprocessor; one step of recurrent data is (N, F) here, (1, N, F) to it."""
        if one_step and pp.input_kind == "recurrent":
            x = x[None]
        x = pp.forward(x, N)
        return x[0] if one_step and pp.output_kind == "recurrent" else x

    def _step_input_types(self) -> dict:
        """{2: one step's InputType, 3: k steps'} once the network is known to be able to step
        (cached per configuration: checked on the first call)."""
        cached = getattr(self, "_step_types", None)
        if cached is None or cached[0] is not self.conf:
            self._check_can_step()
            n_in = self.input_type.flat_size
            cached = self._step_types = (self.conf, {2: InputType("feed_forward", size=n_in),
                                                     3: InputType("recurrent", size=n_in)})
        return cached[1]

    def step_problem(self) -> str | None:
        """Why this network cannot be stepped with ``rnn_time_step`` (None when it can)."""
        for i, layer in enumerate(self.conf.built_layers):
            if layer.is_bidirectional:
                return (f"layer {i} ({type(layer).__name__}) is bidirectional: its backward half reads the "
                        "sequence from the end, so it needs the whole sequence at once and the network cannot "
                        "step one time step at a time; use output() on whole sequences")
        if not self._recurrent_indices():
            return "the network has no recurrent layer to keep state in from one step to the next"
        if self.input_type.kind != "recurrent":
            return f"the network's input is {self.input_type.kind} data, not a time series"
        return None

    def _check_can_step(self):
        problem = self.step_problem()
        if problem:
            raise InvalidInputError(f"rnn_time_step: {problem}")

    def rnn_gate_activations(self, layer: int) -> dict:
        """Gates of an LSTM layer at the last single step of ``rnn_time_step`` (2-d input):
        ``{"i", "f", "g", "o"}``, each a copy ``[batch, n_out]``; {} before the first such step."""
        rl = self._check_recurrent_index(layer, "rnn_gate_activations")
        state = self._step_states.get(layer)
        if len(rl.state_keys) < 2:
            raise InvalidInputError(f"rnn_gate_activations: layer {layer} ({type(rl.conf).__name__}) has no gates")
        if state is None or not state.get("stepped"):
            return {}
        H = rl.H
        return {k: state["z"][:, n * H:(n + 1) * H].copy() for n, k in enumerate("ifgo")}

    def rnn_clear_previous_state(self) -> None:
        """Forget the stored state of every layer; the next rnn_time_step starts from zeros."""
        self._step_states = {}

    def _check_recurrent_index(self, layer, who):
        rec = self._recurrent_indices()
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(self.layers):
            raise InvalidInputError(f"{who}: layer must be an index in [0, {len(self.layers) - 1}], got {layer!r}")
        if layer not in rec:
            conf = self.layers[layer].conf
            why = "is bidirectional and keeps no step state" if conf.is_bidirectional else "is not recurrent"
            raise InvalidInputError(f"{who}: layer {layer} ({type(conf).__name__}) {why}; recurrent layers: {rec}")
        return self.layers[layer]

    def rnn_get_previous_state(self, layer: int) -> dict:
        """A copy of the stored state of a recurrent layer ({} before the first step).

        LSTM: ``{"h": [batch, n_out], "c": [batch, n_out]}``; SimpleRnn: ``{"h": ...}``.
        """
        rl = self._check_recurrent_index(layer, "rnn_get_previous_state")
        state = self._step_states.get(layer)
        return {} if state is None else {k: state[k].copy() for k in rl.state_keys}

    def rnn_set_previous_state(self, layer: int, state: dict) -> None:
        """Replace the stored state of a recurrent layer (arrays are copied)."""
        rl = self._check_recurrent_index(layer, "rnn_set_previous_state")
        who = f"rnn_set_previous_state(layer={layer})"
        if not isinstance(state, dict):
            raise InputTypeError(f"{who}: expected a dict with keys {list(rl.state_keys)}, got {type(state).__name__}")
        if set(state) != set(rl.state_keys):
            raise InvalidInputError(f"{who}: expected keys {list(rl.state_keys)}, got {sorted(state, key=str)}")
        arrays = {k: self.backend.finite(real_array(v, f"{who} state[{k!r}]"), f"{who} state[{k!r}]", self.dtype)
                  for k, v in state.items()}
        N = arrays["h"].shape[0] if arrays["h"].ndim == 2 else None
        for k, a in arrays.items():
            if a.shape != (N, rl.H) or N == 0:
                raise InvalidInputError(f"{who}: {k!r} expected shape [batch >= 1, n_out={rl.H}] "
                                        f"(batch as 'h'), got {tuple(a.shape)}")
        others = {i: s for i, s in self._step_states.items() if i != layer}
        stored = next((s["h"].shape[0] for s in others.values()), None)
        if stored is not None and stored != N:
            raise InvalidInputError(f"{who}: batch {N} != stored state batch {stored} of the other layers; "
                             "call rnn_clear_previous_state() first")
        self._step_states[layer] = rl.make_state(N, arrays)
