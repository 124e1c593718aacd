"""Runtime recurrent layers: LSTM / GravesLSTM and SimpleRnn.

``forward(x, mask, state)``: x (T, N, n_in) time-major, mask (T, N) with 1 = real step,
state ``{"h": (N, H), "c": (N, H)}`` or None for zeros. Returns y (T, N, H) and a cache whose
``final_state()`` is the state after the last (valid) step. ``infer`` is the same pass keeping
nothing for backward: y and that final state. ``step(x, state)`` advances a stepping state made
by ``make_state`` by one step, x (N, n_in) -> h (N, H).
"""
from __future__ import annotations

from dataclasses import dataclass

from workbench.nn.activations import get_activation
from workbench.nn.layers.base import RuntimeLayer, init_weight
from workbench.nn.cell_kernels import cell_for
from workbench.nn.lstm_cell import (GateMath, lstm_backward, lstm_forward, lstm_infer, rnn_backward, rnn_forward,
                                    step_gemm)


@dataclass
class RecurrentCache:
    x: object            # (T, N, I) layer input
    mask: object         # (T, N) or None
    inv: object          # (T, N, 1) bool, True = masked, or None
    pad: list            # steps with at least one masked example
    Hs: object           # (T+1, N, H) states, Hs[0] = initial
    C: object = None     # LSTM: (T+1, N, H) cell states
    A: object = None     # LSTM: (T, N, 4H) activated gates
    TC: object = None    # LSTM: (T, N, H) act(c)

    def final_state(self) -> dict:
        s = {"h": self.Hs[-1]}
        if self.C is not None:
            s["c"] = self.C[-1]
        return s


def mask_info(xp, mask):
    """(inv (T, N, 1) bool, list of steps that have a masked example) for a (T, N) mask."""
    if mask is None:
        return None, []
    inv = (mask == 0)[..., None]
    pad = xp.nonzero(inv.any(axis=(1, 2)))[0]
    return inv, [int(t) for t in pad.tolist()]


class Recurrent(RuntimeLayer):
    """Shared parts: state handling, the stacked step weights [W; RW; b] and the weight GEMMs."""

    weight_keys = ("W", "RW", "P")
    state_keys = ("h",)
    gates = 1

    def __init__(self, conf, xp, dtype):
        super().__init__(conf, xp, dtype)
        self.I, self.H = conf.n_in, conf.n_out
        self.act = get_activation(conf.activation)
        self._derived = {}           # arrays computed from params, dropped when they change

    def init_params(self, rng):
        c, G = self.conf, self.gates * self.H
        self._fill("W", init_weight(rng, c.weight_init, (self.I, G), self.I, self.H))
        self._fill("RW", init_weight(rng, c.weight_init, (self.H, G), self.H, self.H))

    def params_changed(self):
        self._derived = {}

    def col_scale(self):
        return 1.0

    def stacked(self):
        """Cached (I + H + 1, G) = [W; RW; b] * column scale, for ``step`` and ``forward``."""
        s = self._derived.get("stacked")
        if s is None:
            p = self.params
            s = self._derived["stacked"] = self.xp.concatenate([p["W"], p["RW"], p["b"][None]]) * self.col_scale()
        return s

    def final_state(self, cache) -> dict:
        """The state after the last (valid) step of a forward pass (views into workspaces)."""
        return cache.final_state()

    def _rw_t(self):
        """Cached contiguous RW.T (G, H) for the backward loop."""
        if "RWT" not in self._derived:
            self._derived["RWT"] = self.xp.ascontiguousarray(self.params["RW"].T)
        return self._derived["RWT"]

    def make_state(self, N, state=None):
        """A stepping state for N examples: the ``state_keys`` arrays (N, H), buf (N, I + H + 1) that
        each step fills with [x, h, 1] for one GEMM (its column blocks "x_in", "h_in"), and the
        scratch arrays ``step`` needs."""
        xp, I, H = self.xp, self.I, self.H
        buf = xp.zeros((N, I + H + 1), dtype=self.dtype)
        buf[:, I + H] = 1
        s = {"buf": buf, "x_in": buf[:, :I], "h_in": buf[:, I:I + H],
             "z": xp.empty((N, self.gates * H), dtype=self.dtype), "tmp": xp.empty((N, H), dtype=self.dtype),
             "tmp2": xp.empty((N, 2, H), dtype=self.dtype)}
        for k in self.state_keys:
            s[k] = xp.zeros((N, H), dtype=self.dtype) if state is None else state[k].copy()
        return s

    def _input_projection(self, x, T, N, bias=True):
        """(T, N, G) = x W (+ b) in one GEMM (with the column scale)."""
        S, I, G = self.stacked(), self.I, self.gates * self.H
        Z = self.ws.get("Z", (T, N, G))
        self.xp.matmul(x.reshape(T * N, I), S[:I], out=Z.reshape(T * N, G))
        if bias:
            Z += S[-1]
        return Z

    def _init_states(self, names, T, N, state):
        out = []
        for name in names:
            a = self.ws.get(name, (T + 1, N, self.H))
            key = "h" if name == "Hs" else "c"
            if state is None:
                a[0].fill(0)
            else:
                self.xp.copyto(a[0], state[key])
            out.append(a)
        return out

    def _weight_grads(self, cache, dZ, t_stop, need_dx):
        """dW, dRW, db from dZ over steps t_stop..T-1 (one GEMM each); returns dx (T, N, I)."""
        xp, g = self.xp, self.grads
        T, N, G = dZ.shape
        d2 = dZ[t_stop:].reshape(-1, G)
        xp.matmul(cache.x[t_stop:].reshape(-1, self.I).T, d2, out=g["W"])
        xp.matmul(cache.Hs[t_stop:T].reshape(-1, self.H).T, d2, out=g["RW"])
        d2.sum(axis=0, out=g["b"])
        if not need_dx:
            return None
        if t_stop == 0:
            return (d2 @ self.params["W"].T).reshape(T, N, self.I)
        dx = xp.zeros((T, N, self.I), dtype=self.dtype)
        dx[t_stop:] = (d2 @ self.params["W"].T).reshape(T - t_stop, N, self.I)
        return dx

    def _masked_dy(self, dy, cache):
        return dy if cache.mask is None else dy * cache.mask[..., None]

    @staticmethod
    def _output(Hs, mask):
        return Hs[1:] if mask is None else Hs[1:] * mask[..., None]


class LSTMLayer(Recurrent):
    """LSTM and GravesLSTM (``conf.peepholes``). Params W (I, 4H), RW (H, 4H), b (4H,), [P (3, H)]."""

    state_keys = ("h", "c")
    gates = 4

    def __init__(self, conf, xp, dtype):
        super().__init__(conf, xp, dtype)
        self.peep = conf.peepholes
        self.gm = GateMath(xp, get_activation(conf.gate_activation), self.act, self.H, dtype)
        self.cell = cell_for(xp, self.gm, self.ws)

    def init_params(self, rng):
        super().init_params(rng)
        self.params["b"][self.H:2 * self.H] = self.conf.forget_gate_bias_init
        if self.peep:
            self._fill("P", init_weight(rng, self.conf.weight_init, (3, self.H), self.H, self.H))

    def col_scale(self):
        return self.gm.scale

    def _peepholes(self):
        """(3, H) peepholes pre-scaled like the gates, cached; None without peepholes."""
        if not self.peep:
            return None
        if "P" not in self._derived:
            self._derived["P"] = self.params["P"] * self.gm.peep_scale
        return self._derived["P"]

    def forward(self, x, mask=None, state=None):
        xp, H = self.xp, self.H
        T, N, _ = x.shape
        Z = self._input_projection(x, T, N)
        Hs, C = self._init_states(("Hs", "C"), T, N, state)
        TC = self.ws.get("TC", (T, N, H))
        tmp, tmp2 = self.ws.get("tmp", (N, 4 * H)), self.ws.get("tmp2", (N, 2, H))
        inv, pad = mask_info(xp, mask)
        lstm_forward(xp, self.cell, Z, self.stacked()[self.I:self.I + H], self._peepholes(),
                     Hs, C, TC, tmp, tmp2, inv, pad)
        return self._output(Hs, mask), RecurrentCache(x, mask, inv, pad, Hs, C, Z, TC)

    def infer(self, x, mask=None, state=None):
        """Forward only: y (T, N, H) and the state {"h", "c"} (N, H) after the last (valid) step
        (views into workspaces), with gates and cell states kept only as long as a step needs them."""
        xp, H = self.xp, self.H
        T, N, _ = x.shape
        Z = self._input_projection(x, T, N, bias=False)
        (Hs,) = self._init_states(("Hs",), T, N, state)
        C2 = self.ws.get("C2", (2, N, H))
        if state is None:
            C2[0].fill(0)
        else:
            xp.copyto(C2[0], state["c"])
        tc, tmp, tmp2 = self.ws.get("tc", (N, H)), self.ws.get("tmp", (N, 4 * H)), self.ws.get("tmp2", (N, 2, H))
        inv, pad = mask_info(xp, mask)
        S = self.stacked()
        c = lstm_infer(xp, self.cell, Z, S[-1], S[self.I:self.I + H], self._peepholes(), Hs, C2, tc, tmp, tmp2,
                       inv, pad)
        return self._output(Hs, mask), {"h": Hs[-1], "c": c}

    def backward(self, dy, cache, back_length=None, need_dx=True):
        xp, H, ws = self.xp, self.H, self.ws
        T, N, _ = dy.shape
        t0 = max(0, T - back_length) if back_length else 0
        dZ = ws.get("dZ", (T, N, 4 * H))
        bufs = [ws.get(f"b{k}", (N, H)) for k in range(7)] + [ws.get("tmp2", (N, 2, H))]
        bufs[2].fill(0)                                                   # dh_next, dc_next start at zero
        bufs[4].fill(0)
        P = self.params["P"] if self.peep else None
        dY = xp.ascontiguousarray(self._masked_dy(dy, cache))              # the CUDA cell reads rows
        lstm_backward(xp, self.cell, cache.A, cache.C, cache.TC, dY, dZ,
                      self._rw_t(), P, bufs, t0, cache.inv, cache.pad)
        if self.peep:                       # dP_i, dP_f from c_prev, dP_o from c, summed over steps and examples
            dP, C = self.grads["P"], cache.C
            for k, block, c in ((0, 0, C[t0:T]), (1, 1, C[t0:T]), (2, 3, C[t0 + 1:T + 1])):
                xp.einsum("tnh,tnh->h", dZ[t0:, :, block * H:(block + 1) * H], c, out=dP[k])
        return self._weight_grads(cache, dZ, t0, need_dx)

    def make_state(self, N, state=None):
        s = super().make_state(N, state)
        s["c_next"] = self.xp.empty_like(s["c"])
        return s

    def step(self, x, state):
        """One step for x (N, I), updating ``state`` (from ``make_state``) in place; returns h (N, H).
        The new c goes to a second buffer (the compiled cells vectorise only without aliasing)."""
        self.cell.step(x, state, self.stacked(), self._peepholes())
        state["c"], state["c_next"] = state["c_next"], state["c"]
        return state["h"]


class SimpleRnnLayer(Recurrent):
    """``h[t] = act(x[t] W + h[t-1] RW + b)``. Params W (I, H), RW (H, H), b (H,)."""

    def forward(self, x, mask=None, state=None):
        T, N, _ = x.shape
        Z = self._input_projection(x, T, N)
        (Hs,) = self._init_states(("Hs",), T, N, state)
        inv, pad = mask_info(self.xp, mask)
        rnn_forward(self.xp, self.act, Z, self.params["RW"], Hs, inv, pad)
        return self._output(Hs, mask), RecurrentCache(x, mask, inv, pad, Hs)

    def infer(self, x, mask=None, state=None):
        """Forward only: y (T, N, H) and the state {"h"} after the last (valid) step (the forward
        pass keeps nothing beyond the outputs)."""
        y, cache = self.forward(x, mask, state)
        return y, cache.final_state()

    def backward(self, dy, cache, back_length=None, need_dx=True):
        xp, ws = self.xp, self.ws
        T, N, H = dy.shape
        t0 = max(0, T - back_length) if back_length else 0
        dZ = ws.get("dZ", (T, N, H))
        bufs = (ws.zeros("b0", (N, H)), ws.zeros("b1", (N, H)))
        rnn_backward(xp, self.act, cache.Hs, self._masked_dy(dy, cache), dZ,
                     self._rw_t(), bufs, t0, cache.inv, cache.pad)
        return self._weight_grads(cache, dZ, t0, need_dx)

    def step(self, x, state):
        z = step_gemm(self.xp, x, state, self.stacked())
        self.act.forward(self.xp, z)
        self.xp.copyto(state["h"], z)
        return state["h"]
