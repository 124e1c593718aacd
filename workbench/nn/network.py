"""MultiLayerNetwork: parameters, forward passes, scores and gradients.

Training (``fit``) is a :class:`~workbench.nn.training.Trainer` driving the network's
"training surface" below; stepping (``rnn_time_step``) lives in ``stepping.py``, saving in
``workbench.io``. Public arrays are DL4J's layout ([batch, features, time]); inside,
recurrent data is time-major (T, N, F) and all parameters live in one flat vector whose
per-layer views the layers use.
"""
from __future__ import annotations

import math

from workbench.backend import get_backend, real_array
from workbench.conf import InputType, MultiLayerConfiguration
from workbench.data.batches import as_datasets
from workbench.errors import ConfigurationError, InputTypeError, InvalidInputError
from workbench.nn.checks import Batch, dataset_arrays, mask_to_internal, to_internal, to_public
from workbench.nn.layers.convolution import Convolution, Subsampling
from workbench.nn.layers.dense import Dense, Output
from workbench.nn.layers.recurrent import LSTMLayer, SimpleRnnLayer
from workbench.nn.layers.wrappers import BidirectionalLayer, LastTimeStepLayer
from workbench.nn.regularization import regularization
from workbench.nn.stepping import SteppingMixin
from workbench.nn.summary import network_summary
from workbench.nn.training import Trainer
from workbench.nn.updaters import UpdaterState

RUNTIME_LAYERS = {"LSTM": LSTMLayer, "GravesLSTM": LSTMLayer, "SimpleRnn": SimpleRnnLayer,
                  "DenseLayer": Dense, "OutputLayer": Output, "RnnOutputLayer": Output,
                  "ConvolutionLayer": Convolution, "SubsamplingLayer": Subsampling}
WRAPPERS = {"Bidirectional": BidirectionalLayer, "GravesBidirectionalLSTM": BidirectionalLayer,
            "LastTimeStep": LastTimeStepLayer}


def runtime_layer(conf, xp, dtype):
    """The runtime layer for a (built) layer configuration."""
    name = type(conf).__name__
    if name in WRAPPERS:
        return WRAPPERS[name](conf, xp, dtype, runtime_layer)
    return RUNTIME_LAYERS[name](conf, xp, dtype)


class MultiLayerNetwork(SteppingMixin):
    """A stack of layers built from a :class:`MultiLayerConfiguration`.

    >>> net = MultiLayerNetwork(conf); net.init()
    >>> net.fit(train, epochs=5); y = net.output(x)   # x [batch, n_in, time]
    """

    def __init__(self, conf: MultiLayerConfiguration, backend="numpy"):
        if not isinstance(conf, MultiLayerConfiguration):
            raise InputTypeError(f"conf: expected a MultiLayerConfiguration, got {type(conf).__name__}")
        self.conf = conf
        self.backend = get_backend(backend)
        self.xp = self.backend.xp
        self.dtype = getattr(self.xp, conf.dtype)
        self.layers = [runtime_layer(lc, self.xp, self.dtype) for lc in conf.built_layers]
        self.preprocessors = conf.built_preprocessors
        first = conf.built_layers[0]
        self.input_type = conf.input_type or InputType(first.input_kind, size=first.n_in)
        self._flat = self._grad = self.updater = None
        self._slices = []                      # (start, stop) of each layer in the flat vectors
        self.iteration_count = 0               # parameter updates so far
        self.epoch_count = 0
        self.last_score = None
        self.track_layer_stats = False         # per-layer gradient / update norms for listeners
        self._step_states = {}
        self._step_checked = None              # rnn_time_step: (the last input shape checked, its InputType)

    # ---- parameters ----
    def init(self) -> "MultiLayerNetwork":
        """Allocate and initialise parameters (seeded by ``conf.seed``) and the updater state."""
        xp = self.xp
        sizes = [[(k, s, math.prod(s)) for k, s in layer.param_shapes().items()] for layer in self.layers]
        n = sum(size for layer_sizes in sizes for _, _, size in layer_sizes)
        self._flat = xp.zeros(n, dtype=self.dtype)
        self._grad = xp.zeros(n, dtype=self.dtype)
        rng = self.backend.rng(self.conf.seed)
        start, self._slices = 0, []
        for layer, layer_sizes in zip(self.layers, sizes):
            first = start
            layer.params, layer.grads = {}, {}
            for key, shape, size in layer_sizes:
                layer.params[key] = self._flat[start:start + size].reshape(shape)
                layer.grads[key] = self._grad[start:start + size].reshape(shape)
                start += size
            self._slices.append((first, start))
            layer.bound()
            layer.init_params(rng)
        self.updater = UpdaterState(self.conf.updater, xp, n, self.dtype)
        self.iteration_count = self.epoch_count = 0
        self._params_changed()
        self._step_states = {}
        return self

    def _require_init(self):
        if self._flat is None:
            raise RuntimeError("the network has no parameters yet: call net.init() first")

    def _params_changed(self):
        for layer in self.layers:
            layer.params_changed()

    def copy(self) -> "MultiLayerNetwork":
        """An independent network with the same configuration, backend, parameters, updater state,
        counters and stored ``rnn_time_step`` state (e.g. to step while this one trains)."""
        self._require_init()
        clone = MultiLayerNetwork(self.conf, backend=self.backend).init()
        clone.set_params_vector(self._flat)
        for key, a in self.updater.arrays.items():
            clone.updater.arrays[key][...] = a
        clone.updater.t = self.updater.t
        clone.iteration_count, clone.epoch_count, clone.last_score = \
            self.iteration_count, self.epoch_count, self.last_score
        for i in self._step_states:
            clone.rnn_set_previous_state(i, self.rnn_get_previous_state(i))
        return clone

    def num_params(self) -> int:
        self._require_init()
        return int(self._flat.size)

    def summary(self) -> str:
        """A table of the layers (with the preprocessors before them): output shape per example
        and step, activation and parameter count."""
        self._require_init()
        return network_summary(self)

    def params(self) -> dict:
        """Copies of every parameter, keyed ``"<layer>_<name>"`` (e.g. ``"0_W"``)."""
        self._require_init()
        return {f"{i}_{k}": v.copy() for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    def set_params(self, params: dict) -> None:
        """Set some or all parameters from a dict shaped like ``params()`` (real, finite numbers,
        converted to the network's dtype). Nothing is changed unless every entry is valid."""
        self._require_init()
        if not isinstance(params, dict):
            raise InputTypeError(f"set_params: expected a dict like net.params(), got {type(params).__name__}")
        views = {f"{i}_{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}
        checked = {}
        for key, value in params.items():
            if key not in views:
                raise InvalidInputError(f"set_params: unknown parameter {key!r}; known: {', '.join(views)}")
            name = f"set_params: {key!r}"
            value = self.backend.finite(real_array(value, name), name, self.dtype)
            if tuple(value.shape) != views[key].shape:
                raise InvalidInputError(f"{name} expected shape {views[key].shape}, got {tuple(value.shape)}")
            checked[key] = value
        for key, value in checked.items():
            views[key][...] = value
        self._params_changed()

    # ---- data in and out ----
    @property
    def _recurrent_in(self) -> bool:
        return self.input_type.kind == "recurrent"

    @property
    def _recurrent_out(self) -> bool:
        return self.conf.built_layers[-1].output_kind == "recurrent"

    def _batch(self, x, features_mask=None, labels=None, labels_mask=None) -> Batch:
        be, dt = self.backend, self.dtype
        last = self.conf.built_layers[-1]
        xi = to_internal(be, dt, "features", x, self.input_type)
        N = xi.shape[1] if self._recurrent_in else xi.shape[0]
        T = xi.shape[0] if self._recurrent_in else None
        fm = mask_to_internal(be, dt, "features_mask", features_mask, N, T) if T is not None else None
        b = Batch(xi, fm)
        if labels is not None:
            T_out = T if self._recurrent_out else None
            out_type = InputType(last.output_kind, size=last.n_out)
            b.labels = to_internal(be, dt, "labels", labels, out_type, "n_out", N, T_out)
            b.lmask = mask_to_internal(be, dt, "labels_mask", labels_mask, N, T_out)
        elif labels_mask is not None:
            b.lmask = mask_to_internal(be, dt, "labels_mask", labels_mask, N, T if self._recurrent_out else None)
        return b

    def dataset_batch(self, ds, name="data") -> Batch:
        """A DataSet checked and in internal layout (features (T, N, n_in), masks (T, N); 2-d data
        as it is); errors name ``name``. It must have labels."""
        x, fmask, labels, lmask = dataset_arrays(ds, name)
        if labels is None:
            raise InputTypeError(f"{name}: labels are None; scoring, training and evaluation need labels")
        return self._batch(x, fmask, labels, lmask)


    # ---- forward ----
    def _forward(self, batch: Batch, states=None, run: str = "forward"):
        """Run every layer's ``run``: "forward" (keeping caches for backward) or "infer" (forward
        only, nothing kept); returns (output, each layer's cache or end state, activations: the
        input and each layer's output)."""
        self._require_init()
        x, mask, N, caches, acts = batch.x, batch.fmask, batch.n, [], [batch.x]
        for i, layer in enumerate(self.layers):
            if i in self.preprocessors:
                x = self.preprocessors[i].forward(x, N)
            x, cache = getattr(layer, run)(x, mask, None if states is None else states.get(i))
            caches.append(cache)
            acts.append(x)
            if layer.conf.input_kind == "recurrent" and layer.conf.output_kind != "recurrent":
                mask = None                                   # LastTimeStep: no time axis after it
        return x, caches, acts

    def output(self, x, features_mask=None, labels_mask=None):
        """Stateless forward pass: [batch, n_out, time] (or [batch, n_out]).

        Steps where ``labels_mask`` is 0 (or, without it, ``features_mask``) come out as 0.
        """
        b = self._batch(x, features_mask, labels_mask=labels_mask)
        y, _, _ = self._forward(b, run="infer")
        mask = self._labels_mask(b)
        if mask is not None:
            y = y * mask[..., None]
        return to_public(self.xp, y, self._recurrent_out)

    def feed_forward(self, x, features_mask=None) -> list:
        """Activations of the input and of every layer, each in public layout."""
        _, _, acts = self._forward(self._batch(x, features_mask), run="infer")
        return [to_public(self.xp, a, a.ndim == 3) for a in acts]

    # ---- scores and gradients ----
    def _labels_mask(self, batch: Batch):
        """The labels mask, or the features mask for same-length recurrent outputs without one."""
        if batch.lmask is not None or not self._recurrent_out:
            return batch.lmask
        return batch.fmask

    def _output_layer(self) -> Output:
        out = self.layers[-1]
        if not isinstance(out, Output):
            raise ConfigurationError(f"scoring and training need an output layer last, but this is "
                                     f"{type(out.conf).__name__} (add an OutputLayer or RnnOutputLayer)",
                                     layer=len(self.layers) - 1, field="type")
        return out

    def _example_scores(self, batch: Batch, caches, grad_scale=None):
        """(per-example data score (N,), dL/dz of the output layer or None)."""
        out = self._output_layer()
        rows, dz = out.loss(caches[-1], batch.labels, self._labels_mask(batch), grad_scale)
        per_example = rows.reshape(-1, batch.n).sum(axis=0) if self._recurrent_out else rows
        return per_example, dz

    def _gradient(self, batch: Batch, states=None, back_length=None):
        """Forward + backward: fills the flat gradient, returns (score, caches)."""
        _, caches, _ = self._forward(batch, states)
        N, last = batch.n, len(self.layers) - 1
        per_example, dz = self._example_scores(batch, caches, grad_scale=1.0 / N)
        dx = self.layers[last].backward_z(dz, caches[last], need_dx=last > 0)
        for i in range(last, 0, -1):
            if i in self.preprocessors:
                dx = self.preprocessors[i].backward(dx, N)
            dx = self.layers[i - 1].backward(dx, caches[i - 1], back_length=back_length, need_dx=i > 1)
        score = float(per_example.sum()) / N + regularization(self.conf, self.layers, self.xp, with_grad=True)
        return score, caches

    def score(self, dataset) -> float:
        """Sum of the per-step losses over unmasked label steps / batch size, plus regularisation."""
        b = self.dataset_batch(dataset, "score: dataset")
        _, caches, _ = self._forward(b)
        per_example, _ = self._example_scores(b, caches)
        return float(per_example.sum()) / b.n + regularization(self.conf, self.layers, self.xp, with_grad=False)

    def score_examples(self, dataset, add_reg: bool = False):
        """Per-example score [batch] (summed over that example's unmasked steps)."""
        b = self.dataset_batch(dataset, "score_examples: dataset")
        _, caches, _ = self._forward(b)
        per_example, _ = self._example_scores(b, caches)
        if add_reg:
            return per_example + regularization(self.conf, self.layers, self.xp, with_grad=False)
        return per_example

    def compute_gradient_and_score(self, dataset):
        """(gradients keyed like ``params()``, score) with full BPTT from a zero state."""
        score, _ = self._gradient(self.dataset_batch(dataset, "compute_gradient_and_score: dataset"))
        grads = {f"{i}_{k}": g.copy() for i, layer in enumerate(self.layers) for k, g in layer.grads.items()}
        return grads, score

    # ---- training: fit, and the training surface a Trainer drives ----
    def fit(self, data, epochs: int = 1, listeners=None) -> "MultiLayerNetwork":
        """Train on a DataSet or an iterable of DataSets for ``epochs`` passes.

        Listeners are called after every parameter update as
        ``listener(iteration, epoch, score, info)`` with ``info`` holding ``"batch"``,
        ``"segment"`` and ``"time_range"`` (t0, t1), and with ``net.track_layer_stats = True``
        also ``"grad_norms"`` and ``"update_ratios"`` (per layer: L2 norm of the gradient, and of
        the update divided by that of the parameters). With ``backprop_type="tbptt"`` each
        minibatch gives ``ceil(T / tbptt_fwd_length)`` updates. An exception raised by a listener
        stops training after that update (the parameters keep it).
        """
        Trainer(self, listeners, layer_stats=self.track_layer_stats).fit(data, epochs)
        return self

    def check_trainable(self) -> None:
        """Raise unless the network has parameters (``init()``) and an output layer last."""
        self._require_init()
        self._output_layer()

    def gradient(self, batch: Batch, state=None, back_length=None, keep_state: bool = False):
        """Forward + backward of a Batch (``dataset_batch``; a minibatch or a TBPTT segment).

        ``state``: {recurrent layer index: state dict} to start from (None: zeros);
        ``back_length``: steps recurrent layers backpropagate through (None: all). Returns
        ``(score, grad, end_state)``: the data score / batch size + regularisation; ``grad``
        (num_params,), its gradient: the network's own buffer, overwritten by the next call;
        ``end_state`` with ``keep_state`` (else None): copies of the state each recurrent layer
        reached at the batch's last (valid) step, {index: {"h": (N, H), "c": (N, H) for LSTMs}}.
        """
        score, caches = self._gradient(batch, state, back_length)
        end_state = None
        if keep_state:
            end_state = {i: {k: v.copy() for k, v in layer.final_state(caches[i]).items()}
                         for i, layer in enumerate(self.layers) if layer.conf.is_recurrent}
        return score, self._grad, end_state

    @property
    def param_slices(self) -> list:
        """``(start, stop)`` of each layer's parameters in the flat vectors (start == stop: none)."""
        return list(self._slices)

    def params_vector(self):
        """The flat parameter vector (num_params,) itself, not a copy: read it; change it only
        through ``update_params`` or ``set_params_vector``."""
        self._require_init()
        return self._flat

    def set_params_vector(self, flat) -> None:
        """Copy a flat vector (num_params,) into the parameters (as in ``params_vector()``)."""
        self._require_init()
        if tuple(flat.shape) != self._flat.shape:
            raise InvalidInputError(f"set_params_vector: expected shape {self._flat.shape}, got {tuple(flat.shape)}")
        self._flat[...] = flat
        self._params_changed()

    def update_params(self, step) -> None:
        """``params -= step`` for a flat step (num_params,), in place."""
        self._flat -= step
        self._params_changed()

    def evaluate(self, data, labels=None):
        """Masked classification evaluation over a DataSet or an iterable of them."""
        from workbench.eval import Evaluation
        ev, batches = Evaluation(labels=labels), 0
        for batches, ds in enumerate(as_datasets(data, "evaluate"), start=1):
            b = self.dataset_batch(ds, f"evaluate: minibatch {batches - 1}")
            y, _, _ = self._forward(b, run="infer")
            mask = self._labels_mask(b)
            ev.eval(to_public(self.xp, b.labels, self._recurrent_out), to_public(self.xp, y, self._recurrent_out),
                    None if mask is None else (mask.T if self._recurrent_out else mask))
        if not batches:
            raise InvalidInputError("evaluate: data holds no minibatches (an empty list or iterator)")
        return ev

    # ---- saving ----
    def save(self, path, include_state: bool = False) -> None:
        """Write a zip of config.json + params/updater .npz (+ the stepping state). Atomic."""
        from workbench.io import save_network
        save_network(self, path, include_state)

    @classmethod
    def load(cls, path, backend="numpy") -> "MultiLayerNetwork":
        from workbench.io import load_network
        return load_network(path, backend)

