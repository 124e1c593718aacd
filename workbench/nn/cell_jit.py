"""The LSTM cell compiled with numba (optional): one loop per step each way, float32.

Same contract and arithmetic as the CUDA kernels in ``cell_kernels`` (their NumPy twin,
``ArrayCell``, is what the tests compare with). tanh is a rational minimax approximation that
compiles to vector instructions: within 5 float32 ulp of the exact value (``np.tanh`` is within
1.4), where a call to libm's tanh per value would be 30x slower than NumPy. Only float32 uses it;
float64 keeps the array calls. Loaded on first use, so ``import workbench`` stays light.
"""
from __future__ import annotations

import importlib.util

_KERNELS = None


def jit_available() -> bool:
    """True when numba is installed."""
    return importlib.util.find_spec("numba") is not None


def _compile():
    """(forward, backward) compiled kernels (numba caches them on disk)."""
    from numba import float32 as f32, njit

    opts = dict(cache=True, error_model="numpy", fastmath={"contract"}, nogil=True)
    half, one, zero, clamp = f32(0.5), f32(1.0), f32(0.0), f32(7.90531110763549805)
    a1, a3, a5, a7 = f32(4.89352455891786e-03), f32(6.37261928875436e-04), f32(1.48572235717979e-05), f32(5.12229709037114e-08)
    a9, a11, a13 = f32(-8.60467152213735e-11), f32(2.00018790482477e-13), f32(-2.76076847742355e-16)
    b0, b2, b4, b6 = f32(4.89352518554385e-03), f32(2.26843463243900e-03), f32(1.18534705686654e-04), f32(1.19825839466702e-06)

    @njit(inline="always", **opts)
    def tanh(x):
        x = clamp if x > clamp else x
        x = -clamp if x < -clamp else x
        x2 = x * x
        p = ((((((a13 * x2 + a11) * x2 + a9) * x2 + a7) * x2 + a5) * x2 + a3) * x2 + a1) * x
        q = ((b6 * x2 + b4) * x2 + b2) * x2 + b0
        return p / q

    # Row views for each gate block: LLVM vectorizes loops over distinct arrays, not over one
    # array read and written at offsets j, H + j, ... that it cannot tell apart.
    def make_forward(has_r, peep):
        @njit(**opts)
        def forward(z, r, c_prev, h_prev, c, tc, h, P, inv, masked):
            N, H = c.shape
            for n in range(N):
                zi, zf, zg, zo = z[n, :H], z[n, H:2 * H], z[n, 2 * H:3 * H], z[n, 3 * H:]
                ri, rf, rg, ro = r[n, :H], r[n, H:2 * H], r[n, 2 * H:3 * H], r[n, 3 * H:]
                cp, cn, tn, hn = c_prev[n], c[n], tc[n], h[n]
                for j in range(H):
                    ai, af, ag, ao = zi[j], zf[j], zg[j], zo[j]
                    if has_r:
                        ai, af, ag, ao = ai + ri[j], af + rf[j], ag + rg[j], ao + ro[j]
                    if peep:
                        ai += P[0, j] * cp[j]
                        af += P[1, j] * cp[j]
                    i, f, g = half * tanh(ai) + half, half * tanh(af) + half, tanh(ag)
                    cj = f * cp[j] + i * g
                    if peep:
                        ao += P[2, j] * cj
                    o = half * tanh(ao) + half
                    t = tanh(cj)
                    zi[j], zf[j], zg[j], zo[j] = i, f, g, o
                    tn[j], cn[j], hn[j] = t, cj, o * t
                if masked and inv[n, 0]:
                    cn[:] = cp
                    hn[:] = h_prev[n]
        return forward

    def make_backward(peep):
        @njit(**opts)
        def backward(a, c_prev, tc, dy, dh_next, dc_next, d, dc_prev, P, inv, masked):
            N, H = dc_prev.shape
            for n in range(N):
                ai, af, ag, ao = a[n, :H], a[n, H:2 * H], a[n, 2 * H:3 * H], a[n, 3 * H:]
                di, df, dg, do = d[n, :H], d[n, H:2 * H], d[n, 2 * H:3 * H], d[n, 3 * H:]
                cp, tn, dyn, dhn, dcn, dcp = c_prev[n], tc[n], dy[n], dh_next[n], dc_next[n], dc_prev[n]
                for j in range(H):
                    i, f, g, o, t = ai[j], af[j], ag[j], ao[j], tn[j]
                    dh = dyn[j] + dhn[j]
                    dzo = dh * (t * ((one - o) * o))
                    dc = dh * (o * (one - t * t)) + dcn[j]
                    if peep:
                        dc += dzo * P[2, j]
                    dzi = dc * (g * ((one - i) * i))
                    dzf = dc * (cp[j] * ((one - f) * f))
                    di[j], df[j], dg[j], do[j] = dzi, dzf, dc * (i * (one - g * g)), dzo
                    if peep:
                        dcp[j] = dc * f + dzi * P[0, j] + dzf * P[1, j]
                    else:
                        dcp[j] = dc * f
                if masked and inv[n, 0]:
                    d[n, :] = zero
                    dcp[:] = dcn
        return backward

    forward = {(has_r, peep): make_forward(has_r, peep) for has_r in (False, True) for peep in (False, True)}
    backward = {peep: make_backward(peep) for peep in (False, True)}
    return forward, backward


class JitCell:
    """The cell as two numba loops (float32, sigmoid gates and tanh) with ``ArrayCell``'s contract."""

    def __init__(self, xp, gm, ws):
        global _KERNELS
        if _KERNELS is None:
            _KERNELS = _compile()
        self._forward, self._backward = _KERNELS
        self.xp, self.gm = xp, gm
        self._none = xp.zeros((1, 1), dtype=gm.scale.dtype)
        self._no_mask = xp.zeros((1, 1), dtype=bool)

    def forward(self, z, r, c_prev, h_prev, c, tc, h, P, inv, tmp=None, tmp2=None):
        self._forward[r is not None, P is not None](
            z, self._none if r is None else r, c_prev, h_prev, c, tc, h, self._none if P is None else P,
            self._no_mask if inv is None else inv, inv is not None)

    def begin(self, N, H, t_stop):
        """Nothing to prepare: the loop derives everything from A, C and TC."""

    def backward(self, t, A, C, TC, dY, dh_next, dc_next, d, dc_prev, P, inv, *scratch):
        self._backward[P is not None](A[t], C[t], TC[t], dY[t], dh_next, dc_next, d, dc_prev,
                                      self._none if P is None else P, self._no_mask if inv is None else inv,
                                      inv is not None)
