"""Layers that wrap recurrent layers: Bidirectional (and GravesBidirectionalLSTM) and LastTimeStep.

Shapes are time-major like every recurrent layer: x (T, N, I), mask (T, N) with 1 = real step.
"""
from __future__ import annotations

import dataclasses

from workbench.conf import Bidirectional, GravesLSTM
from workbench.nn.layers.base import RuntimeLayer


def reversal_index(xp, mask, T, N):
    """(T, N) source step of each (t, b) when every sequence is reversed within its valid steps.

    Valid steps of example b swap first-with-last; masked steps map to themselves, so padding
    at the end or the start stays where it is and the reversed sequence starts at its own
    last valid step. The index is its own inverse.
    """
    perm = xp.broadcast_to(xp.arange(T)[:, None], (T, N)).copy()
    valid = mask > 0
    rank = xp.cumsum(valid, axis=0) - 1                     # rank of each valid step in its sequence
    length = valid.sum(axis=0)                              # (N,)
    tt, bb = xp.nonzero(valid)
    pos_of_rank = xp.zeros((T, N), dtype=perm.dtype)
    pos_of_rank[rank[tt, bb], bb] = tt
    perm[tt, bb] = pos_of_rank[length[bb] - 1 - rank[tt, bb], bb]
    return perm


class Reverser:
    """Reverses time-major arrays (T, N, ...) along time, within each sequence's valid steps."""

    def __init__(self, xp, mask, T, N):
        self.index = None if mask is None else (reversal_index(xp, mask, T, N), xp.arange(N)[None, :])

    def __call__(self, a):
        return a[::-1] if self.index is None else a[self.index]


class BidirectionalLayer(RuntimeLayer):
    """Two copies of a recurrent layer, forwards and on the reversed sequence; outputs combined
    by ``mode``. Params are the inner layer's keys prefixed "f" and "b"."""

    def __init__(self, conf, xp, dtype, make_layer):
        super().__init__(conf, xp, dtype)
        if isinstance(conf, Bidirectional):
            inner, self.mode = conf.layer, conf.mode
        else:                                                       # GravesBidirectionalLSTM
            inner, self.mode = GravesLSTM(**dataclasses.asdict(conf)), "add"
        self.fwd, self.bwd = make_layer(inner, xp, dtype), make_layer(inner, xp, dtype)
        self.H = inner.n_out

    def bound(self):
        for prefix, layer in (("f", self.fwd), ("b", self.bwd)):
            layer.params = {k[1:]: v for k, v in self.params.items() if k[0] == prefix}
            layer.grads = {k[1:]: v for k, v in self.grads.items() if k[0] == prefix}

    def init_params(self, rng):
        self.fwd.init_params(rng)
        self.bwd.init_params(rng)

    def params_changed(self):
        self.fwd.params_changed()
        self.bwd.params_changed()

    def is_weight(self, key):
        return self.fwd.is_weight(key[1:])

    def forward(self, x, mask=None, state=None):
        yf, yb, cf, cb, rev = self._directions("forward", x, mask, state)
        return self._combine(yf, yb), (cf, cb, rev, yf, yb)

    def infer(self, x, mask=None, state=None):
        """Forward only: (y, None), both halves through their ``infer``."""
        yf, yb, *_ = self._directions("infer", x, mask, state)
        return self._combine(yf, yb), None

    def _directions(self, run: str, x, mask, state):
        """``run`` ("forward" or "infer") of both halves: (forward output, backward output in
        forward time order, (T, N, H) each; their second results; the Reverser)."""
        if state is not None:
            raise ValueError("a bidirectional layer keeps no state between calls (it sees whole sequences)")
        T, N, _ = x.shape
        rev = Reverser(self.xp, mask, T, N)
        yf, cf = getattr(self.fwd, run)(x, mask)
        yb_rev, cb = getattr(self.bwd, run)(rev(x), mask)
        return yf, rev(yb_rev), cf, cb, rev

    def _combine(self, yf, yb):
        """The two directions' outputs (T, N, H) combined by ``mode``."""
        if self.mode == "concat":
            return self.xp.concatenate([yf, yb], axis=2)          # (T, N, 2H), forward first
        if self.mode == "add":
            return yf + yb
        if self.mode == "mul":
            return yf * yb
        return (yf + yb) * 0.5                                    # average

    def backward(self, dy, cache, back_length=None, need_dx=True):
        cf, cb, rev, yf, yb = cache
        if self.mode == "concat":
            dyf, dyb = dy[..., :self.H], dy[..., self.H:]
        elif self.mode == "add":
            dyf = dyb = dy
        elif self.mode == "mul":
            dyf, dyb = dy * yb, dy * yf
        else:
            dyf = dyb = dy * 0.5
        dxf = self.fwd.backward(dyf, cf, need_dx=need_dx)
        dxb = self.bwd.backward(rev(dyb), cb, need_dx=need_dx)
        return None if not need_dx else dxf + rev(dxb)


class LastTimeStepLayer(RuntimeLayer):
    """The wrapped layer's output at each example's last unmasked step: (T, N, I) -> (N, H)."""

    def __init__(self, conf, xp, dtype, make_layer):
        super().__init__(conf, xp, dtype)
        self.inner = make_layer(conf.layer, xp, dtype)

    def bound(self):
        self.inner.params, self.inner.grads = self.params, self.grads
        self.inner.bound()

    def init_params(self, rng):
        self.inner.init_params(rng)

    def params_changed(self):
        self.inner.params_changed()

    def is_weight(self, key):
        return self.inner.is_weight(key)

    # stepping, when the wrapped layer can step: the last step of a single step is that step
    @property
    def H(self):
        return self.inner.H

    @property
    def state_keys(self):
        return self.inner.state_keys

    def make_state(self, N, state=None):
        return self.inner.make_state(N, state)

    def step(self, x, state):
        return self.inner.step(x, state)

    def final_state(self, cache):
        return self.inner.final_state(cache[0])

    def forward(self, x, mask=None, state=None):
        y, cache = self.inner.forward(x, mask, state)
        last = self._last_steps(mask, *x.shape[:2])
        return y[last, self.xp.arange(x.shape[1])], (cache, last, y.shape)

    def infer(self, x, mask=None, state=None):
        """Forward only: (y (N, H), the wrapped layer's end state)."""
        y, end = self.inner.infer(x, mask, state)
        return y[self._last_steps(mask, *x.shape[:2]), self.xp.arange(x.shape[1])], end

    def _last_steps(self, mask, T, N):
        """(N,) index of each example's last unmasked step."""
        xp = self.xp
        if mask is None:
            return xp.full(N, T - 1)
        counts = (mask > 0).sum(axis=0)
        if not bool(counts.all()):
            b = int(xp.nonzero(counts == 0)[0][0])
            raise ValueError(f"LastTimeStep: example {b} has no unmasked step (its features mask is all 0)")
        return T - 1 - (mask[::-1] > 0).argmax(axis=0)

    def backward(self, dy, cache, back_length=None, need_dx=True):
        inner_cache, last, shape = cache
        dY = self.xp.zeros(shape, dtype=self.dtype)
        dY[last, self.xp.arange(shape[1])] = dy
        return self.inner.backward(dY, inner_cache, back_length=back_length, need_dx=need_dx)
