"""Histograms of each layer's parameters, gradients and activations, taken every few seconds of training.

A :class:`LayerSummaries` rides on a :class:`~workbench.nn.training.Trainer`: its ``on_gradient``
is the trainer's gradient hook and ``take(iteration, ds, t0, t1)``, called from the update's
listener, returns ``{kind: [summary or None per layer]}`` when one is due (else None). The
in-process :class:`~workbench.nn.trainer.BackgroundTrainer` keeps them in its history, a run in a
worker writes them to the run store (:func:`to_plain` / :func:`from_plain` for its JSON).
"""
from __future__ import annotations

import time

from workbench.backend import array_module, cpu, to_numpy

HISTOGRAM_BINS = 30
PERCENTILES = (0, 5, 25, 50, 75, 95, 100)
PROBE_EXAMPLES = 8                   # activations are those of the current minibatch's first examples
KINDS = ("parameters", "gradients", "activations")


def summary(a) -> dict | None:
    """``counts`` (HISTOGRAM_BINS,) over ``edges`` (HISTOGRAM_BINS + 1,) from the finite values'
    min to max, and their ``percentiles`` (PERCENTILES); None for an array with none."""
    xp = array_module(a)
    a = a.reshape(-1)
    a = a[xp.isfinite(a)]
    if a.size == 0:
        return None
    counts, edges = xp.histogram(a, bins=HISTOGRAM_BINS)
    return {"counts": to_numpy(counts), "edges": to_numpy(edges),
            "percentiles": to_numpy(xp.percentile(a, PERCENTILES))}


class LayerSummaries:
    """Summaries of ``net``'s layers every ``every`` seconds of training (the first at once)."""

    def __init__(self, net, every: float = 0.5):
        self.net, self.every = net, every
        self._next, self._due, self._grads = 0.0, False, None

    def on_gradient(self, grad) -> None:
        """The Trainer's hook, once per update: summarise the (normalised) flat gradient
        (num_params,) per layer when a summary is due (decided here, used in ``take``)."""
        self._due = time.perf_counter() >= self._next
        if self._due:
            self._grads = [summary(grad[a:b]) if b > a else None for a, b in self.net.param_slices]

    def take(self, ds, t0: int, t1: int) -> dict | None:
        """``{kind: [summary or None per layer]}`` after an update on steps t0..t1-1 of minibatch
        ``ds`` when one is due (activations of its first PROBE_EXAMPLES examples, masked steps
        left out), else None."""
        if not self._due:
            return None
        x = ds.features[:PROBE_EXAMPLES]
        mask = None if ds.features_mask is None else ds.features_mask[:PROBE_EXAMPLES]
        if x.ndim == 3:                                    # the segment this update trained on
            x, mask = x[..., t0:t1], None if mask is None else mask[:, t0:t1]
        acts = self.net.feed_forward(x, mask)[1:]          # [batch, units(, time)] per layer
        if mask is not None:                               # the real steps only: (steps, units)
            acts = [a.transpose(0, 2, 1)[array_module(a).asarray(mask) > 0] if a.ndim == 3 else a for a in acts]
        flat = self.net.params_vector()
        params = [summary(flat[a:b]) if b > a else None for a, b in self.net.param_slices]
        taken = {"parameters": params, "gradients": self._grads or [None] * len(params),
                 "activations": [summary(a) for a in acts]}
        self._due, self._grads, self._next = False, None, time.perf_counter() + self.every
        return taken


def to_plain(taken: dict) -> dict:
    """``take``'s result as JSON data (arrays as lists)."""
    return {kind: [None if s is None else {k: v.tolist() for k, v in s.items()} for s in layers]
            for kind, layers in taken.items()}


def from_plain(plain: dict) -> dict:
    """The inverse of :func:`to_plain` (lists back to NumPy arrays)."""
    return {kind: [None if s is None else {k: cpu.xp.asarray(v) for k, v in s.items()} for s in layers]
            for kind, layers in plain.items()}
