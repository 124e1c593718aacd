"""Updater math on the network's flat gradient vector.

``UpdaterState(conf, xp, n, dtype).step(g)`` turns the gradient ``g`` (n,) into the step to
subtract from the parameters, in place, and advances its own state (moments, counters).
"""
from __future__ import annotations

import math

STATE_KEYS = {"Sgd": (), "Nesterovs": ("v",), "Adam": ("m", "v"), "RmsProp": ("s",), "AdaGrad": ("s",)}


class UpdaterState:
    def __init__(self, conf, xp, n, dtype):
        self.conf, self.xp = conf, xp
        self.kind = type(conf).__name__
        self.arrays = {k: xp.zeros(n, dtype=dtype) for k in STATE_KEYS[self.kind]}
        self.t = 0          # number of steps taken

    def step(self, g):
        c, a, xp = self.conf, self.arrays, self.xp
        self.t += 1
        if self.kind == "Sgd":
            g *= c.lr
        elif self.kind == "Nesterovs":
            v = a["v"]
            prev = v * c.momentum
            v *= c.momentum
            v -= c.lr * g
            xp.multiply(v, -(1.0 + c.momentum), out=g)
            g += prev                                   # update = mu * v_prev - (1 + mu) * v
        elif self.kind == "Adam":
            m, v = a["m"], a["v"]
            m *= c.beta1
            m += (1.0 - c.beta1) * g
            v *= c.beta2
            v += (1.0 - c.beta2) * (g * g)
            alpha = c.lr * math.sqrt(1.0 - c.beta2 ** self.t) / (1.0 - c.beta1 ** self.t)
            denom = xp.sqrt(v)
            denom += c.eps
            xp.divide(m, denom, out=g)
            g *= alpha
        else:                                           # RmsProp, AdaGrad
            s = a["s"]
            if self.kind == "RmsProp":
                s *= c.rms_decay
                s += (1.0 - c.rms_decay) * (g * g)
            else:
                s += g * g
            denom = xp.sqrt(s)
            denom += c.eps
            g /= denom
            g *= c.lr
        return g

    def state_dict(self) -> dict:
        return {"t": self.t, **self.arrays}

    def load_state_dict(self, d: dict) -> None:
        for k, a in self.arrays.items():
            if k not in d or tuple(d[k].shape) != a.shape:
                got = None if k not in d else tuple(d[k].shape)
                raise ValueError(f"updater state {k!r}: expected shape {a.shape}, got {got}")
            a[...] = self.xp.asarray(d[k], dtype=a.dtype)
        self.t = int(d.get("t", 0))
