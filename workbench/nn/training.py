"""Trainer: the training loop (epochs, minibatches, TBPTT segments), gradient normalisation, the
updater step and the listeners, over a network's training surface.

The Trainer reads and writes a network only through the public members that
``MultiLayerNetwork`` documents under "the training surface": ``check_trainable()``,
``dataset_batch(ds, name)``, ``gradient(batch, state, back_length, keep_state)``,
``param_slices``, ``params_vector()``, ``update_params(step)``, ``updater``, ``conf``,
``backend``/``xp``, the counters ``iteration_count``, ``epoch_count``, ``last_score`` and
``rnn_clear_previous_state()``.

Computing a gradient and applying an update are separate calls, so the same loop can run in this
process, in a worker, or combine the gradients of several shards before one update::

    trainer = Trainer(net, listeners)
    trainer.fit(data, epochs)                       # what net.fit does
    batch = net.dataset_batch(ds)                   # or step by step:
    state = None
    for k, (t0, t1) in enumerate(trainer.segments(batch)):
        score, grad, state = trainer.gradient(batch, t0, t1, state)
        trainer.apply(score, grad, {"batch": 0, "segment": k, "time_range": (t0, t1)})
"""
from __future__ import annotations

import math
import warnings

from workbench.data.batches import as_datasets
from workbench.errors import InputTypeError, InvalidInputError, TrainingDivergedError


def _listeners(listeners) -> list:
    """None, one callable or an iterable of callables ``listener(iteration, epoch, score, info)``."""
    if listeners is None:
        return []
    if callable(listeners):
        return [listeners]
    want = "fit: listeners must be a callable listener(iteration, epoch, score, info) or a list of them"
    if isinstance(listeners, (str, bytes)) or not hasattr(listeners, "__iter__"):
        raise InputTypeError(f"{want}, got {type(listeners).__name__}")
    items = list(listeners)
    for item in items:
        if not callable(item):
            raise InputTypeError(f"{want}, got a {type(item).__name__} in the list")
    return items


def layer_norms(xp, flat, slices) -> list:
    """L2 norm of each layer's slice ``(start, stop)`` of a flat vector (0 for an empty slice)."""
    return [float(xp.sqrt((flat[a:b] * flat[a:b]).sum())) if b > a else 0.0 for a, b in slices]


def normalize_gradient(xp, grad, slices, kind, threshold) -> None:
    """Apply ``gradient_normalization`` ``kind`` to the flat gradient (n,) in place, per layer slice."""
    if kind is None:
        return
    if kind == "clip_elementwise":
        xp.clip(grad, -threshold, threshold, out=grad)
        return
    for start, stop in slices:
        g = grad[start:stop]
        norm = float(xp.sqrt((g * g).sum())) if stop > start else 0.0
        if norm == 0.0:
            continue
        if kind == "renormalize_l2_per_layer":
            g /= norm
        elif norm > threshold:                      # clip_l2_per_layer
            g *= threshold / norm


class Trainer:
    """Trains ``net`` in place.

    ``listeners``: None, a callable or a list of callables ``listener(iteration, epoch, score,
    info)``, called after every update. ``layer_stats``: add ``"grad_norms"`` and
    ``"update_ratios"`` (per layer) to each ``info``. ``on_gradient``: a callable given the flat
    gradient (num_params,) of every update after gradient normalisation, before the updater turns
    it into the step (valid only during the call; do not change it).
    """

    def __init__(self, net, listeners=None, layer_stats: bool = False, on_gradient=None):
        net.check_trainable()
        self.net, self.listeners = net, _listeners(listeners)
        self.layer_stats, self.on_gradient = layer_stats, on_gradient

    def fit(self, data, epochs: int = 1):
        """``epochs`` passes over a DataSet or an iterable of DataSets; returns the network.
        The stored ``rnn_time_step`` state is cleared once any update was made."""
        net = self.net
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise InvalidInputError(f"fit: epochs must be an int >= 1, got {epochs!r}")
        datasets = as_datasets(data)
        if epochs > 1 and not hasattr(data, "features") and not hasattr(data, "reset") and iter(data) is data:
            raise InvalidInputError("fit: data is a one-shot iterator and would be empty after the first epoch; "
                                    "pass a list of DataSets or an iterator with reset()")
        first_iteration = net.iteration_count
        try:
            for epoch in range(epochs):
                batch_index = -1
                for batch_index, ds in enumerate(datasets if epoch == 0 else as_datasets(data)):
                    self.fit_batch(ds, batch_index)
                if batch_index < 0:
                    raise InvalidInputError("fit: data holds no minibatches (an empty list or iterator); "
                                            "nothing was trained")
                net.epoch_count += 1
        finally:
            if net.iteration_count != first_iteration:      # the stored state is stale now
                net.rnn_clear_previous_state()
        return net

    def fit_batch(self, ds, batch_index: int = 0) -> None:
        """Every update of one DataSet: one, or one per TBPTT segment (state carried between them)."""
        batch = self.net.dataset_batch(ds, f"fit: minibatch {batch_index}")
        state = None
        for k, (t0, t1) in enumerate(self.segments(batch)):
            score, grad, state = self.gradient(batch, t0, t1, state)
            self.apply(score, grad, {"batch": batch_index, "segment": k, "time_range": (t0, t1)})

    def segments(self, batch) -> list:
        """``(t0, t1)`` of each update of a Batch (time-major, T steps): ``[(0, T)]`` for standard
        BPTT (T = 1 for feed-forward data), ``ceil(T / tbptt_fwd_length)`` segments for TBPTT
        (one, with a warning, when T < tbptt_fwd_length)."""
        conf = self.net.conf
        T = batch.x.shape[0] if batch.x.ndim == 3 else 1
        if conf.backprop_type != "tbptt":
            return [(0, T)]
        fwd = conf.tbptt_fwd_length
        if T < fwd:
            warnings.warn(f"fit: series length {T} < tbptt_fwd_length {fwd}; training it as one segment",
                          stacklevel=5)
        return [(t0, min(T, t0 + fwd)) for t0 in range(0, T, fwd)]

    def gradient(self, batch, t0: int, t1: int, state=None):
        """``(score, grad, end_state)`` of one update's steps t0..t1-1 of a Batch (from
        ``segments``): the whole batch for standard BPTT (end_state None); for TBPTT the segment,
        started from ``state`` (the previous segment's end_state; None: zeros), backpropagating
        ``tbptt_back_length`` steps. ``grad`` (num_params,) is the network's buffer: apply it
        (or copy it) before the next gradient."""
        conf = self.net.conf
        if conf.backprop_type != "tbptt":
            return self.net.gradient(batch)
        return self.net.gradient(batch.segment(t0, t1), state, back_length=conf.tbptt_back, keep_state=True)

    def apply(self, score: float, grad, info: dict) -> None:
        """One parameter update from ``grad`` (num_params,), the gradient of ``score`` (``grad`` is
        used up: normalised and turned into the step in place). A non-finite score or gradient
        raises TrainingDivergedError before anything changes. Then the listeners get ``info``
        (``"batch"``, ``"segment"``, ``"time_range"``, plus the layer stats when asked)."""
        net, xp = self.net, self.net.xp
        if not (math.isfinite(score) and net.backend.all_finite(grad)):
            raise TrainingDivergedError(
                f"fit: the score became {score} at epoch {net.epoch_count}, iteration {net.iteration_count} "
                f"(minibatch {info['batch']}, segment {info['segment']}); the parameters keep their last "
                "finite values. Try a smaller learning rate or gradient_normalization.")
        slices = net.param_slices
        if self.layer_stats:
            info["grad_norms"] = layer_norms(xp, grad, slices)
        normalize_gradient(xp, grad, slices, net.conf.gradient_normalization,
                           net.conf.gradient_normalization_threshold)
        if self.on_gradient is not None:
            self.on_gradient(grad)
        step = net.updater.step(grad)
        if self.layer_stats:
            params = layer_norms(xp, net.params_vector(), slices)
            info["update_ratios"] = [u / p if p > 0 else 0.0 for u, p in zip(layer_norms(xp, step, slices), params)]
        net.update_params(step)
        iteration = net.iteration_count
        net.iteration_count += 1
        net.last_score = score
        for listener in self.listeners:
            listener(iteration, net.epoch_count, score, info)
