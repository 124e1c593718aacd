"""The LSTM cell compiled with numba (optional): one loop per step each way, float32.

Same contract and arithmetic as the CUDA kernels in ``cell_kernels`` (their NumPy twin,
``ArrayCell``, is what the tests compare with). tanh is a rational minimax approximation that
compiles to vector instructions: within 5 float32 ulp of the exact value (``np.tanh`` is within
1.4), where a call to libm's tanh per value would be 30x slower than NumPy. Only float32 uses it;
float64 keeps the array calls. The kernels (``jit_kernels``) are imported on first use, so
``import workbench`` stays light; numba caches them on disk (first compile ~4 s).
"""
from __future__ import annotations

import importlib.util
import os

from workbench.nn.lstm_cell import GemmStep


def jit_available() -> bool:
    """True when numba is installed and not switched off with WORKBENCH_JIT=0."""
    return os.environ.get("WORKBENCH_JIT", "1") != "0" and importlib.util.find_spec("numba") is not None


class JitCell(GemmStep):
    """The cell as numba loops (float32, sigmoid gates and tanh) with ``ArrayCell``'s contract;
    with SciPy installed (numba's ``np.dot`` calls its BLAS) a step is one call, GEMM included."""

    def __init__(self, xp, gm, ws):
        from workbench.nn import jit_kernels

        self._forward, self._backward, self._infer = jit_kernels.forward, jit_kernels.backward, jit_kernels.infer
        self._step = jit_kernels.step if importlib.util.find_spec("scipy") is not None else None
        self.xp = xp
        self._no_peep = xp.zeros((3, 1), dtype=gm.scale.dtype)
        self._no_mask = xp.zeros((1, 1), dtype=bool)
        self._no_r = {}

    def _zeros_like(self, z):
        """A zero array shaped like z, standing in for an absent r (never read; not aliasing z)."""
        if z.shape not in self._no_r:
            self._no_r[z.shape] = self.xp.zeros(z.shape, dtype=z.dtype)
        return self._no_r[z.shape]

    def forward(self, z, r, c_prev, h_prev, c, tc, h, P, inv, tmp=None, tmp2=None):
        self._forward(z, self._zeros_like(z) if r is None else r, c_prev, h_prev, c, tc, h,
                      self._no_peep if P is None else P,
                      self._no_mask if inv is None else inv, r is not None, P is not None, inv is not None)

    def infer(self, z, r, b, c_prev, h_prev, c, tc, h, P, inv, tmp=None, tmp2=None):
        self._infer(z, r, b, c_prev, h_prev, c, h, self._no_peep if P is None else P,
                    self._no_mask if inv is None else inv, P is not None, inv is not None)

    def step(self, x, s, S, P):
        if self._step is None:
            return super().step(x, s, S, P)
        self._step(x, s["h"], s["buf"], S, s["z"], s["c"], s["c_next"],
                   self._no_peep if P is None else P, P is not None)

    def begin(self, N, H, t_stop):
        """Nothing to prepare: the loop derives everything from A, C and TC."""

    def backward(self, t, A, C, TC, dY, dh_next, dc_next, d, dc_prev, P, inv, *scratch):
        self._backward(A[t], C[t], TC[t], dY[t], dh_next, dc_next, d, dc_prev, self._no_peep if P is None else P,
                       self._no_mask if inv is None else inv, P is not None, inv is not None)
