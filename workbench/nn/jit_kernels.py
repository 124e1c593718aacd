"""numba kernels of :class:`workbench.nn.cell_jit.JitCell` (imported on first use: needs numba).

Module-level functions so that numba's on-disk cache finds them again in the next process.
Row views for each gate block: LLVM vectorises loops over distinct arrays, not over one array
read and written at offsets j, H + j, ... that it cannot tell apart.
"""
from __future__ import annotations

from numba import float32 as f32, njit

from workbench.backend import cpu

xp = cpu.xp                                      # NumPy: the step kernel's GEMM is numba's np.dot
OPTS = dict(cache=True, error_model="numpy", fastmath={"contract"}, nogil=True)
HALF, ONE, ZERO, CLAMP = f32(0.5), f32(1.0), f32(0.0), f32(7.90531110763549805)
A1, A3, A5, A7 = f32(4.89352455891786e-03), f32(6.37261928875436e-04), f32(1.48572235717979e-05), f32(5.12229709037114e-08)
A9, A11, A13 = f32(-8.60467152213735e-11), f32(2.00018790482477e-13), f32(-2.76076847742355e-16)
B0, B2, B4, B6 = f32(4.89352518554385e-03), f32(2.26843463243900e-03), f32(1.18534705686654e-04), f32(1.19825839466702e-06)


@njit(inline="always", **OPTS)
def tanh(x):
    """Rational minimax tanh (odd degree-13 over even degree-6), exact to 5 float32 ulp."""
    x = CLAMP if x > CLAMP else x
    x = -CLAMP if x < -CLAMP else x
    x2 = x * x
    p = ((((((A13 * x2 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2 + A1) * x
    q = ((B6 * x2 + B4) * x2 + B2) * x2 + B0
    return p / q


@njit(**OPTS)
def forward(z, r, c_prev, h_prev, c, tc, h, P, inv, has_r, peep, masked):
    N, H = c.shape
    for n in range(N):
        zi, zf, zg, zo = z[n, :H], z[n, H:2 * H], z[n, 2 * H:3 * H], z[n, 3 * H:]
        ri, rf, rg, ro = r[n, :H], r[n, H:2 * H], r[n, 2 * H:3 * H], r[n, 3 * H:]
        cp, cn, tn, hn = c_prev[n], c[n], tc[n], h[n]
        pi, pf, po = P[0], P[1], P[2]
        for j in range(H):
            ai, af, ag, ao = zi[j], zf[j], zg[j], zo[j]
            if has_r:
                ai, af, ag, ao = ai + ri[j], af + rf[j], ag + rg[j], ao + ro[j]
            if peep:
                ai += pi[j] * cp[j]
                af += pf[j] * cp[j]
            i, f, g = HALF * tanh(ai) + HALF, HALF * tanh(af) + HALF, tanh(ag)
            cj = f * cp[j] + i * g
            if peep:
                ao += po[j] * cj
            o = HALF * tanh(ao) + HALF
            t = tanh(cj)
            zi[j], zf[j], zg[j], zo[j] = i, f, g, o
            tn[j], cn[j], hn[j] = t, cj, o * t
        if masked and inv[n, 0]:
            cn[:] = cp
            hn[:] = h_prev[n]


@njit(**OPTS)
def backward(a, c_prev, tc, dy, dh_next, dc_next, d, dc_prev, P, inv, peep, masked):
    N, H = dc_prev.shape
    for n in range(N):
        ai, af, ag, ao = a[n, :H], a[n, H:2 * H], a[n, 2 * H:3 * H], a[n, 3 * H:]
        di, df, dg, do = d[n, :H], d[n, H:2 * H], d[n, 2 * H:3 * H], d[n, 3 * H:]
        cp, tn, dyn, dhn, dcn, dcp = c_prev[n], tc[n], dy[n], dh_next[n], dc_next[n], dc_prev[n]
        pi, pf, po = P[0], P[1], P[2]
        for j in range(H):
            i, f, g, o, t = ai[j], af[j], ag[j], ao[j], tn[j]
            dh = dyn[j] + dhn[j]
            dzo = dh * (t * ((ONE - o) * o))
            dc = dh * (o * (ONE - t * t)) + dcn[j]
            if peep:
                dc += dzo * po[j]
            dzi = dc * (g * ((ONE - i) * i))
            dzf = dc * (cp[j] * ((ONE - f) * f))
            di[j], df[j], dg[j], do[j] = dzi, dzf, dc * (i * (ONE - g * g)), dzo
            if peep:
                dcp[j] = dc * f + dzi * pi[j] + dzf * pf[j]
            else:
                dcp[j] = dc * f
        if masked and inv[n, 0]:
            d[n, :] = ZERO
            dcp[:] = dcn


@njit(**OPTS)
def infer(z, r, b, c_prev, h_prev, c, h, P, inv, peep, masked):
    """Forward only: ``forward`` with the bias b (4H,) added and neither the gates nor act(c) stored."""
    N, H = c.shape
    bi, bf, bg, bo = b[:H], b[H:2 * H], b[2 * H:3 * H], b[3 * H:]
    pi, pf, po = P[0], P[1], P[2]
    for n in range(N):
        zi, zf, zg, zo = z[n, :H], z[n, H:2 * H], z[n, 2 * H:3 * H], z[n, 3 * H:]
        ri, rf, rg, ro = r[n, :H], r[n, H:2 * H], r[n, 2 * H:3 * H], r[n, 3 * H:]
        cp, cn, hn = c_prev[n], c[n], h[n]
        for j in range(H):
            ai, af = zi[j] + ri[j] + bi[j], zf[j] + rf[j] + bf[j]
            ag, ao = zg[j] + rg[j] + bg[j], zo[j] + ro[j] + bo[j]
            if peep:
                ai += pi[j] * cp[j]
                af += pf[j] * cp[j]
            i, f, g = HALF * tanh(ai) + HALF, HALF * tanh(af) + HALF, tanh(ag)
            cj = f * cp[j] + i * g
            if peep:
                ao += po[j] * cj
            cn[j], hn[j] = cj, (HALF * tanh(ao) + HALF) * tanh(cj)
        if masked and inv[n, 0]:
            cn[:] = cp
            hn[:] = h_prev[n]


@njit(**OPTS)
def step(x, h, buf, S, z, c_prev, c, P, peep):
    """One whole step in one call: buf (N, I + H + 1) = [x, h, 1], z = buf S (BLAS; S is the
    layer's stacked, pre-scaled [W; RW; b]), then the cell: c (N, H) from c_prev, h in place, and
    z left holding the gates i, f, g, o (``rnn_gate_activations``), as ``forward`` leaves them."""
    N, I = x.shape
    H = c.shape[1]
    buf[:, :I] = x
    buf[:, I:I + H] = h
    xp.dot(buf, S, z)
    pi, pf, po = P[0], P[1], P[2]
    for n in range(N):
        zi, zf, zg, zo = z[n, :H], z[n, H:2 * H], z[n, 2 * H:3 * H], z[n, 3 * H:]
        cp, cn, hn = c_prev[n], c[n], h[n]
        for j in range(H):
            ai, af, ag, ao = zi[j], zf[j], zg[j], zo[j]
            if peep:
                ai += pi[j] * cp[j]
                af += pf[j] * cp[j]
            i, f, g = HALF * tanh(ai) + HALF, HALF * tanh(af) + HALF, tanh(ag)
            cj = f * cp[j] + i * g
            if peep:
                ao += po[j] * cj
            o = HALF * tanh(ao) + HALF
            zi[j], zf[j], zg[j], zo[j] = i, f, g, o
            cn[j], hn[j] = cj, o * tanh(cj)
