"""The LSTM cell's elementwise work for one step: array calls (the NumPy path, and the NumPy twin
of the CUDA kernels and of the numba cell in ``cell_jit``) and the same contract as two fused CUDA
kernels for CuPy.

Every cell offers, for N examples and H units (gate blocks i, f, g, o, each H wide):

* ``forward(z, r, c_prev, h_prev, c, tc, h, P, inv)``: z (N, 4H) holds the pre-scaled input
  projection (see ``GateMath``) and becomes the activated gates; r (N, 4H) is added first (the
  recurrent GEMM's product, or None). Writes c, tc = act(c) and h (N, H); with inv (N, 1) bool
  (True = masked step) the masked rows of c and h keep c_prev / h_prev. P: pre-scaled (3, H)
  peepholes or None. Without a mask, ``c`` may be ``c_prev`` and ``h`` may be ``h_prev``.
* ``backward(t, A, C, TC, dY, dh_next, dc_next, d, dc_prev, P, inv)``: for step t, with the
  activated gates A (T, N, 4H), cell states C (T+1, N, H) (C[t] = c_prev), TC (T, N, H), the
  output gradient dY (T, N, H) and the gradients dh_next, dc_next flowing in from step t+1,
  writes d (N, 4H) = dL/dz and dc_prev (N, H). P: unscaled peepholes or None. Masked rows get
  d = 0 and dc_prev = dc_next. Steps are visited from the last to ``t_stop`` after ``begin``.
* ``infer(z, r, b, c_prev, h_prev, c, tc, h, P, inv, tmp, tmp2)``: forward only, ``forward`` of
  z + r + b with b (4H,) the pre-scaled bias; z and tc (N, H) are scratch (the numba cell leaves
  them untouched, the others leave gates and act(c) there). ``c`` is not ``c_prev``.

The CUDA kernels need sigmoid gates and a tanh activation (``GateMath.fused``); other activations
use :class:`ArrayCell` with CuPy arrays.
"""
from __future__ import annotations

import math

from workbench.nn.cell_jit import JitCell, jit_available
from workbench.nn.lstm_cell import GemmStep

PREPASS_BYTES = 1 << 21          # ArrayCell prepares the backward pass in chunks of about this size


class ArrayCell(GemmStep):
    """The cell as array calls on ``xp`` (NumPy or CuPy): ~7 calls per step each way.

    Backward precomputes, a chunk of steps at a time (while the chunk is in cache), everything
    that does not depend on the recurrence: M = [g * i', c_prev * f', i * g'] (k, N, 3H),
    TCDo = act(c) * o' and K = o * act'(c) (k, N, H), x' being the derivative at that gate.
    """

    def __init__(self, xp, gm, ws):
        self.xp, self.gm, self.ws = xp, gm, ws
        self._lo = self._hi = 0

    def forward(self, z, r, c_prev, h_prev, c, tc, h, P, inv, tmp, tmp2):
        """tmp (N, H), tmp2 (N, 2, H): scratch; ``tc`` may be ``tmp``."""
        xp, gm, H = self.xp, self.gm, self.gm.H
        if r is not None:
            z += r
        if P is None:
            gm.activate(xp, z, 0, 4)
        else:
            xp.multiply(c_prev[:, None, :], P[:2], out=tmp2)
            z.reshape(-1, 4, H)[:, :2] += tmp2
            gm.activate(xp, z, 0, 3)
        i, f, g, o = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
        xp.multiply(f, c_prev, out=c)
        xp.multiply(i, g, out=tmp)
        c += tmp
        if P is not None:
            xp.multiply(c, P[2], out=tmp)
            o += tmp
            gm.activate(xp, z, 3, 4)
        gm.cell_activation(xp, c, tc)
        xp.multiply(o, tc, out=h)
        if inv is not None:
            xp.copyto(c, c_prev, where=inv)
            xp.copyto(h, h_prev, where=inv)

    def infer(self, z, r, b, c_prev, h_prev, c, tc, h, P, inv, tmp, tmp2):
        z += b
        self.forward(z, r, c_prev, h_prev, c, tc, h, P, inv, tmp, tmp2)

    def begin(self, N, H, t_stop):
        """Start a backward pass over steps T-1 .. t_stop."""
        self._lo = self._hi = 0
        self._t_stop = t_stop
        self._chunk = max(1, PREPASS_BYTES // (5 * N * H * self.gm.scale.itemsize))

    def _prepare(self, t, A, C, TC):
        """Fill M, TCDo, K for the steps lo..t (the chunk that ends at t)."""
        xp, gm, H = self.xp, self.gm, self.gm.H
        lo = max(self._t_stop, t + 1 - self._chunk)
        k, N = t + 1 - lo, A.shape[1]
        M, TCDo, K = (self.ws.get(name, (k, N, w * H)) for name, w in (("M", 3), ("TCDo", 1), ("K", 1)))
        a, c_prev, tc = A[lo:t + 1], C[lo:t + 1], TC[lo:t + 1]
        i, f, g, o = (a[..., j * H:(j + 1) * H] for j in range(4))
        if gm.fused:                                  # sigmoid'(z) = y (1 - y), tanh'(z) = 1 - y^2
            S = self.ws.get("S", a.shape)
            xp.subtract(1, a, out=S)
            S *= a
            xp.multiply(g, S[..., :H], out=M[..., :H])
            xp.multiply(c_prev, S[..., H:2 * H], out=M[..., H:2 * H])
            sq = S[..., 2 * H:3 * H]                  # S's g block is free scratch
            xp.multiply(g, g, out=sq)
            xp.subtract(1, sq, out=sq)
            xp.multiply(i, sq, out=M[..., 2 * H:])
            xp.multiply(tc, S[..., 3 * H:], out=TCDo)
            xp.multiply(tc, tc, out=K)
            xp.subtract(1, K, out=K)
            K *= o
        else:                                         # out = factor * act'(at y), for each term
            for out, factor, y, act in ((M[..., :H], g, i, gm.gate), (M[..., H:2 * H], c_prev, f, gm.gate),
                                        (M[..., 2 * H:], i, g, gm.act), (TCDo, tc, o, gm.gate), (K, o, tc, gm.act)):
                xp.copyto(out, factor)
                act.backward(xp, y, out)
        self._lo, self._hi, self._pre = lo, t + 1, (M, TCDo, K)

    def backward(self, t, A, C, TC, dY, dh_next, dc_next, d, dc_prev, P, inv, dh, dc, tmp, tmp2):
        """dh, dc, tmp (N, H), tmp2 (N, 2, H): scratch."""
        xp, H = self.xp, self.gm.H
        if not self._lo <= t < self._hi:
            self._prepare(t, A, C, TC)
        M, TCDo, K = (a[t - self._lo] for a in self._pre)
        d4 = d.reshape(-1, 4, H)
        xp.add(dY[t], dh_next, out=dh)
        if inv is not None:
            xp.copyto(dh, 0, where=inv)
        xp.multiply(dh, TCDo, out=d[:, 3 * H:])               # dz_o
        xp.multiply(dh, K, out=dc)
        dc += dc_next
        if P is not None:
            xp.multiply(d[:, 3 * H:], P[2], out=tmp)
            dc += tmp
        if inv is not None:
            xp.copyto(dc, 0, where=inv)
        xp.multiply(dc[:, None, :], M.reshape(-1, 3, H), out=d4[:, :3])   # dz_i, dz_f, dz_g
        xp.multiply(dc, A[t][:, H:2 * H], out=dc_prev)
        if P is not None:
            xp.multiply(d4[:, :2], P[:2], out=tmp2)
            dc_prev += tmp2[:, 0]
            dc_prev += tmp2[:, 1]
        if inv is not None:
            xp.copyto(dc_prev, dc_next, where=inv)


CUDA_SOURCE = r"""
// real_t is float or double (-Dreal_t=...). Grid-stride loops over the N*H (example, unit) pairs.
#define HALF ((real_t)0.5)
#define ONE ((real_t)1)

extern "C" __global__ void lstm_forward_cell(
        real_t* z, const real_t* r, const real_t* c_prev, const real_t* h_prev,
        real_t* c, real_t* tc, real_t* h, const real_t* P, const bool* inv,
        int N, int H, int ldh, int has_r, int peep, int masked)
{
    long long n_all = (long long)N * H;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n_all;
         k += (long long)blockDim.x * gridDim.x) {
        long long n = k / H;
        int j = (int)(k - n * H);
        real_t* zr = z + n * 4 * H;
        real_t zi = zr[j], zf = zr[H + j], zg = zr[2 * H + j], zo = zr[3 * H + j];
        if (has_r) {
            const real_t* rr = r + n * 4 * H;
            zi += rr[j]; zf += rr[H + j]; zg += rr[2 * H + j]; zo += rr[3 * H + j];
        }
        real_t cp = c_prev[k];
        if (peep) { zi += P[j] * cp; zf += P[H + j] * cp; }
        real_t i = HALF * tanh(zi) + HALF, f = HALF * tanh(zf) + HALF, g = tanh(zg);
        real_t cn = f * cp + i * g;
        if (peep) zo += P[2 * H + j] * cn;
        real_t o = HALF * tanh(zo) + HALF;
        real_t t = tanh(cn);
        zr[j] = i; zr[H + j] = f; zr[2 * H + j] = g; zr[3 * H + j] = o;
        tc[k] = t;
        long long kh = n * ldh + j;
        if (masked && inv[n]) { c[k] = cp; h[kh] = h_prev[kh]; }
        else { c[k] = cn; h[kh] = o * t; }
    }
}

extern "C" __global__ void lstm_backward_cell(
        const real_t* a, const real_t* c_prev, const real_t* tc, const real_t* dy,
        const real_t* dh_next, const real_t* dc_next, real_t* d, real_t* dc_prev,
        const real_t* P, const bool* inv, int N, int H, int peep, int masked)
{
    long long n_all = (long long)N * H;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n_all;
         k += (long long)blockDim.x * gridDim.x) {
        long long n = k / H;
        int j = (int)(k - n * H);
        const real_t* ar = a + n * 4 * H;
        real_t* dr = d + n * 4 * H;
        if (masked && inv[n]) {
            dr[j] = 0; dr[H + j] = 0; dr[2 * H + j] = 0; dr[3 * H + j] = 0;
            dc_prev[k] = dc_next[k];
            continue;
        }
        real_t i = ar[j], f = ar[H + j], g = ar[2 * H + j], o = ar[3 * H + j], t = tc[k];
        real_t dh = dy[k] + dh_next[k];
        real_t dzo = dh * (t * ((ONE - o) * o));
        real_t dc = dh * (o * (ONE - t * t)) + dc_next[k];
        if (peep) dc += dzo * P[2 * H + j];
        real_t dzi = dc * (g * ((ONE - i) * i));
        real_t dzf = dc * (c_prev[k] * ((ONE - f) * f));
        real_t dzg = dc * (i * (ONE - g * g));
        real_t dcp = dc * f;
        if (peep) { dcp += dzi * P[j]; dcp += dzf * P[H + j]; }
        dr[j] = dzi; dr[H + j] = dzf; dr[2 * H + j] = dzg; dr[3 * H + j] = dzo;
        dc_prev[k] = dcp;
    }
}
"""

C_TYPES = {"float32": "float", "float64": "double"}
THREADS = 256


class CudaLSTMCell(GemmStep):
    """The cell as two fused CUDA kernels (one launch per step each way) with ArrayCell's contract.
    The kernels index rows of N x H (or N x 4H) arrays, so every array but ``h`` is C-contiguous.

    ``launch(name, n, args)`` runs kernel ``name`` over n elements; by default it compiles
    ``CUDA_SOURCE`` with CuPy (``xp.RawModule``), once per dtype. Tests pass a launcher that runs
    the same source compiled for the host.
    """

    def __init__(self, xp, gm, ws, launch=None):
        self.xp, self.dtype = xp, gm.scale.dtype
        self.launch = launch or self._cuda_launch
        self._none = xp.zeros(1, dtype=self.dtype)
        self._no_mask = xp.zeros(1, dtype=bool)

    def _cuda_launch(self, name, n, args):
        module = _cuda_module(self.xp, self.dtype.name)
        blocks = max(1, min(math.ceil(n / THREADS), 65535))
        module.get_function(name)((blocks,), (THREADS,), args)

    def _opt(self, a, none):
        return (none, 0) if a is None else (a, 1)

    def forward(self, z, r, c_prev, h_prev, c, tc, h, P, inv, tmp=None, tmp2=None):
        N, H = c.shape
        r, has_r = self._opt(r, self._none)
        P, peep = self._opt(P, self._none)
        inv, masked = self._opt(inv, self._no_mask)
        i32 = self.xp.int32
        self.launch("lstm_forward_cell", N * H, (
            z, r, c_prev, h_prev, c, tc, h, P, inv,
            i32(N), i32(H), i32(h.strides[0] // h.itemsize), i32(has_r), i32(peep), i32(masked)))

    def infer(self, z, r, b, c_prev, h_prev, c, tc, h, P, inv, tmp=None, tmp2=None):
        """``tc`` must be C-contiguous here: the kernel writes act(c) into it."""
        z += b
        self.forward(z, r, c_prev, h_prev, c, tc, h, P, inv)

    def begin(self, N, H, t_stop):
        """Nothing to prepare: the kernel derives everything from A, C and TC."""

    def backward(self, t, A, C, TC, dY, dh_next, dc_next, d, dc_prev, P, inv, *scratch):
        N, H = dc_prev.shape
        P, peep = self._opt(P, self._none)
        inv, masked = self._opt(inv, self._no_mask)
        i32 = self.xp.int32
        self.launch("lstm_backward_cell", N * H, (
            A[t], C[t], TC[t], dY[t], dh_next, dc_next, d, dc_prev, P, inv,
            i32(N), i32(H), i32(peep), i32(masked)))


_MODULES = {}


def _cuda_module(xp, dtype_name):
    """The compiled kernels for one dtype (cached)."""
    if dtype_name not in _MODULES:
        _MODULES[dtype_name] = xp.RawModule(code=CUDA_SOURCE, options=(f"-Dreal_t={C_TYPES[dtype_name]}",))
    return _MODULES[dtype_name]


def cell_for(xp, gm, ws):
    """With sigmoid gates and tanh: the fused CUDA cell on CuPy, the numba cell for float32 on
    NumPy where numba is installed; otherwise the array-call cell."""
    if gm.fused and xp.__name__ == "cupy":
        return CudaLSTMCell(xp, gm, ws)
    if gm.fused and xp.__name__ == "numpy" and gm.scale.dtype.name == "float32" and jit_available():
        return JitCell(xp, gm, ws)
    return ArrayCell(xp, gm, ws)
