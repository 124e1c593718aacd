"""fit: standard and truncated BPTT, gradient normalisation, updates and listeners."""
from __future__ import annotations

import math
import warnings

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


class TrainingMixin:
    """``fit`` for MultiLayerNetwork (uses its ``_gradient``, flat vectors and updater)."""

    def fit(self, data, epochs: int = 1, listeners=None) -> "TrainingMixin":
        """Train on a DataSet or an iterable of DataSets for ``epochs`` passes.

        Listeners are called after every parameter update as
        ``listener(iteration, epoch, score, info)`` with ``info`` holding ``"batch"``,
        ``"segment"`` and ``"time_range"`` (t0, t1), and with ``net.track_layer_stats = True``
        also ``"grad_norms"`` and ``"update_ratios"`` (per layer: L2 norm of the gradient, and of
        the update divided by that of the parameters). With ``backprop_type="tbptt"`` each
        minibatch gives ``ceil(T / tbptt_fwd_length)`` updates. An exception raised by a listener
        stops training after that update (the parameters keep it).
        """
        from workbench.nn.network import _as_datasets
        self._require_init()
        self._output_layer()
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise InvalidInputError(f"fit: epochs must be an int >= 1, got {epochs!r}")
        datasets = _as_datasets(data)
        if epochs > 1 and not hasattr(data, "features") and not hasattr(data, "reset") and iter(data) is data:
            raise InvalidInputError("fit: data is a one-shot iterator and would be empty after the first epoch; "
                                    "pass a list of DataSets or an iterator with reset()")
        listeners = _listeners(listeners)
        first_iteration = self.iteration_count
        try:
            for epoch in range(epochs):
                batch_index = -1
                for batch_index, ds in enumerate(datasets if epoch == 0 else _as_datasets(data)):
                    batch = self._dataset_batch(ds, f"fit: minibatch {batch_index}")
                    if self.conf.backprop_type == "tbptt":
                        self._fit_tbptt(batch, batch_index, listeners)
                    else:
                        T = batch.x.shape[0] if batch.x.ndim == 3 else 1
                        score, _ = self._gradient(batch)
                        self._update(score, {"batch": batch_index, "segment": 0, "time_range": (0, T)}, listeners)
                if batch_index < 0:
                    raise InvalidInputError("fit: data holds no minibatches (an empty list or iterator); "
                                            "nothing was trained")
                self.epoch_count += 1
        finally:
            if self.iteration_count != first_iteration:      # the stored state is stale now
                self.rnn_clear_previous_state()
        return self

    def _fit_tbptt(self, batch, batch_index, listeners):
        fwd, back = self.conf.tbptt_fwd_length, self.conf.tbptt_back
        T = batch.x.shape[0]
        if T < fwd:
            warnings.warn(f"fit: series length {T} < tbptt_fwd_length {fwd}; training it as one segment",
                          stacklevel=3)
        states = None
        for k, t0 in enumerate(range(0, T, fwd)):
            t1 = min(T, t0 + fwd)
            score, caches = self._gradient(batch.segment(t0, t1), states, back_length=back)
            states = {i: {key: v.copy() for key, v in layer.final_state(caches[i]).items()}
                      for i, layer in enumerate(self.layers) if layer.conf.is_recurrent}
            self._update(score, {"batch": batch_index, "segment": k, "time_range": (t0, t1)}, listeners)

    def _update(self, score, info, listeners):
        if not (math.isfinite(score) and self.backend.all_finite(self._grad)):
            raise TrainingDivergedError(
                f"fit: the score became {score} at epoch {self.epoch_count}, iteration {self.iteration_count} "
                f"(minibatch {info['batch']}, segment {info['segment']}); the parameters keep their last "
                "finite values. Try a smaller learning rate or gradient_normalization.")
        if self.track_layer_stats:
            info["grad_norms"] = self._layer_norms(self._grad)
        self._normalize_gradients()
        step = self.updater.step(self._grad)
        if self.track_layer_stats:
            params = self._layer_norms(self._flat)
            info["update_ratios"] = [u / p if p > 0 else 0.0 for u, p in zip(self._layer_norms(step), params)]
        self._flat -= step
        self._params_changed()
        iteration = self.iteration_count
        self.iteration_count += 1
        self.last_score = score
        for listener in listeners:
            listener(iteration, self.epoch_count, score, info)

    def _layer_norms(self, flat) -> list:
        """L2 norm of each layer's slice of a flat vector (0 for layers without parameters)."""
        return [float(self.xp.sqrt((flat[a:b] * flat[a:b]).sum())) if b > a else 0.0 for a, b in self._slices]

    def _normalize_gradients(self):
        kind, thr, xp = self.conf.gradient_normalization, self.conf.gradient_normalization_threshold, self.xp
        if kind is None:
            return
        if kind == "clip_elementwise":
            xp.clip(self._grad, -thr, thr, out=self._grad)
            return
        for start, stop in self._slices:
            g = self._grad[start:stop]
            norm = float(xp.sqrt((g * g).sum())) if stop > start else 0.0
            if norm == 0.0:
                continue
            if kind == "renormalize_l2_per_layer":
                g /= norm
            elif norm > thr:                      # clip_l2_per_layer
                g *= thr / norm
