"""Runtime layer base: parameters as views into the network's flat buffers, reusable workspaces.

Internal layout: recurrent data is time-major ``(T, N, F)`` (row ``t * N + b`` when flattened,
DL4J's 2-d layout); feed-forward data is ``(N, F)``. The network converts at its boundary.
"""
from __future__ import annotations

import math


class Workspace:
    """Named scratch arrays reused across calls; grows, never shrinks.

    ``get(name, shape)`` returns a C-contiguous array of ``shape`` whose contents are undefined.
    """

    def __init__(self, xp, dtype):
        self.xp, self.dtype = xp, dtype
        self._flat = {}

    def get(self, name, shape):
        n = math.prod(shape)
        buf = self._flat.get(name)
        if buf is None or buf.size < n:
            buf = self._flat[name] = self.xp.empty(max(n, 1), dtype=self.dtype)
        return buf[:n].reshape(shape)

    def zeros(self, name, shape):
        a = self.get(name, shape)
        a.fill(0)
        return a


def init_weight(rng, scheme, shape, fan_in, fan_out):
    """Seeded NumPy draw (float64) for a weight matrix; biases start at 0."""
    if scheme == "xavier":
        return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=shape)
    if scheme == "xavier_uniform":
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=shape)
    if scheme == "relu":
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    raise ValueError(f"unknown weight_init {scheme!r}")


class RuntimeLayer:
    """A layer's math. ``params`` / ``grads`` are dicts of views bound by the network.

    ``forward(x, mask=None, state=None) -> (y, cache)``; ``infer(x, mask=None, state=None) ->
    (y, end state or None)``, the same y without keeping anything for backward;
    ``backward(dy, cache, back_length=None, need_dx=True) -> dx`` (None without ``need_dx``)
    writes ``grads``. A cache is valid until the layer's next forward (workspaces are reused).
    """

    weight_keys = ("W",)          # regularised by l1/l2; every other key is a bias

    def __init__(self, conf, xp, dtype):
        self.conf, self.xp, self.dtype = conf, xp, dtype
        self.ws = Workspace(xp, dtype)
        self.params: dict = {}
        self.grads: dict = {}

    def param_shapes(self) -> dict:
        """``{key: shape}``, as the layer configuration declares them."""
        return self.conf.param_shapes()

    def init_params(self, rng) -> None:
        """Fill the (zeroed) ``params`` views with a seeded initialisation."""
        raise NotImplementedError

    def _fill(self, key, values) -> None:
        self.params[key][...] = self.xp.asarray(values, dtype=self.dtype)

    def bound(self) -> None:
        """Called by the network once ``params`` and ``grads`` hold their views."""

    def is_weight(self, key) -> bool:
        """True for parameters that l1/l2 regularise (the rest are biases)."""
        return key in self.weight_keys

    def params_changed(self) -> None:
        """Called by the network after any change to ``params``; drops derived caches."""

    def infer(self, x, mask=None, state=None):
        """Forward only: (y, None); recurrent layers return their state after the last step."""
        return self.forward(x, mask, state)[0], None
