"""One training run's history as the arrays the Train tab charts (no Panel, no plotly).

``RunSeries(trainer)`` starts empty; ``pull()`` adds what the trainer recorded since the last call:

* per update (n,): ``iterations``, ``scores`` (DL4J's score: the loss summed over the segment's
  steps / minibatch), ``per_step`` (score * minibatch / labelled steps: comparable between
  segments of any length), ``segments`` (TBPTT segment index), ``learning_rates``;
  per update and layer with parameters (n, L): ``ratios`` (update : parameter norm), ``norms``
  (gradient norm);
* per epoch: ``eval_epochs`` (1-based, counted in this run) and ``eval_values`` (n_epochs, 2):
  accuracy and F1, or RMSE and R^2; ``last_eval`` (epoch, evaluation);
* ``histograms``: the trainer's (iteration, summaries of each layer's parameters, gradients, activations);
* ``current_segments``: the planned TBPTT segmentation (segment, t0, t1) of the latest update's
  minibatch, the whole of it (not only the segments trained so far).
"""
from __future__ import annotations

import numpy as np

HISTOGRAM_KINDS = ("parameters", "gradients", "activations")


def ema(values, alpha: float, start: float | None = None) -> np.ndarray:
    """Exponential moving average ``s[t] = alpha * s[t-1] + (1 - alpha) * x[t]``, s[0] = x[0]
    (or continuing from ``start``, the last smoothed value of an earlier part)."""
    out = np.empty(len(values))
    s = start
    for i, v in enumerate(values):
        s = v if s is None else alpha * s + (1.0 - alpha) * v
        out[i] = s
    return out


def planned_segments(length: int, fwd: int | None) -> list:
    """(segment, t0, t1) of a minibatch of ``length`` steps cut every ``fwd`` steps (None: one)."""
    if not fwd:
        return [(0, 0, length)]
    return [(k, t0, min(length, t0 + fwd)) for k, t0 in enumerate(range(0, length, fwd))]


class RunSeries:
    """The series of ``trainer`` (None: an empty run)."""

    def __init__(self, trainer=None):
        self.trainer = trainer
        conf = None if trainer is None else trainer.net.conf
        layers = [] if conf is None else conf.built_layers
        self.layer_names = [f"{i} {type(lc).__name__}" for i, lc in enumerate(layers)]
        self.with_params = [] if trainer is None else [
            i for i, layer in enumerate(trainer.net.layers) if getattr(layer, "params", None)]
        self.tbptt_back = conf.tbptt_back if conf is not None and conf.backprop_type == "tbptt" else None
        self._fwd = conf.tbptt_fwd_length if self.tbptt_back is not None else None
        self.iterations = self.segments = np.zeros(0, np.int64)
        self.scores = self.per_step = self.learning_rates = np.zeros(0)
        self.ratios = self.norms = np.zeros((0, len(self.with_params)))
        self.eval_epochs, self.eval_values, self.eval_kind, self.last_eval = [], np.zeros((0, 2)), None, None
        self.histograms, self.current_segments, self.batch_key = [], [], (1, 0)

    def __len__(self):
        return len(self.scores)

    def pull(self) -> set:
        """Add what is new; returns the groups that changed: "loss", "slow" (statistics, histograms,
        timeline), "eval"."""
        if self.trainer is None:
            return set()
        h, changed = self.trainer.history, set()
        new = h.since(len(self))
        if new["scores"]:
            self._add_updates(new)
            changed |= {"loss", "slow"}
        if len(h.histograms) > len(self.histograms):
            self.histograms = self.histograms + h.histograms[len(self.histograms):]
            changed.add("slow")
        if len(h.evaluations) > len(self.eval_epochs):
            self._add_evaluations(h.evaluations[len(self.eval_epochs):])
            changed.add("eval")
        return changed

    def _add_updates(self, new):
        n, infos, cols = len(new["scores"]), new["infos"], self.with_params
        scores = np.asarray(new["scores"], float)
        steps = np.array([info.get("labelled_steps", np.nan) for info in infos], float)
        examples = np.array([info.get("examples", np.nan) for info in infos], float)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_step = np.where(steps > 0, scores * examples / steps, np.nan)
        lrs = [info.get("learning_rate", np.nan) for info in infos]

        def grow(old, added, dtype=float):
            return np.concatenate([old, np.asarray(added, dtype)])
        self.iterations = grow(self.iterations, new["iterations"], np.int64)
        self.scores, self.per_step, self.learning_rates = grow(self.scores, scores), grow(self.per_step, per_step), \
            grow(self.learning_rates, lrs)
        self.segments = grow(self.segments, [info.get("segment", 0) for info in infos], np.int64)
        for key, name in (("ratios", "update_ratios"), ("norms", "grad_norms")):
            rows = [[info[name][i] if name in info else np.nan for i in cols] for info in infos]
            setattr(self, key, grow(getattr(self, key), np.array(rows, float).reshape(n, len(cols))))
        info, epoch = infos[-1], new["epochs"][-1]
        self.batch_key = (epoch - self.trainer.first_epoch + 1, info.get("batch", 0))   # 1-based, as the status
        self.current_segments = planned_segments(info.get("length", info.get("time_range", (0, 1))[1]), self._fwd)

    def _add_evaluations(self, evaluations):
        for epoch, ev in evaluations:
            regression = hasattr(ev, "r_squared")
            self.eval_kind = "regression" if regression else "classification"
            self.eval_epochs.append(epoch - self.trainer.first_epoch + 1)     # epochs count from 1 in the page
            values = (ev.root_mean_squared_error(), ev.r_squared()) if regression else (ev.accuracy(), ev.f1())
            self.eval_values = np.vstack([self.eval_values, values])
        self.last_eval = (self.eval_epochs[-1], evaluations[-1][1])

    def histogram_data(self, layer_name: str | None) -> dict:
        """{kind: (latest summary or None, iterations (m,), percentiles (m, 7))} of one layer."""
        if layer_name not in self.layer_names or not self.histograms:
            return {}
        i, out = self.layer_names.index(layer_name), {}
        for kind in HISTOGRAM_KINDS:
            rows = [(it, h[kind][i]) for it, h in self.histograms if h[kind][i] is not None]
            pct = np.array([s["percentiles"] for _, s in rows], float).reshape(len(rows), -1)
            out[kind] = (rows[-1][1] if rows else None, np.array([it for it, _ in rows], np.int64), pct)
        return out
