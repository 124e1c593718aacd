"""LSTM time loops, forward and backward, time-major, written for few calls per step.

Shapes: T steps, N examples, H units. Gate blocks in the order i, f, g, o (each H wide).
Equations (Graves adds the bracketed peephole terms)::

    z = x W + h_prev RW + b
    i = gate(z_i [+ P_i * c_prev]);  f = gate(z_f [+ P_f * c_prev]);  g = act(z_g)
    c = f * c_prev + i * g
    o = gate(z_o [+ P_o * c]);  h = o * act(c)

A features mask ``m`` (1 = real step) makes a masked step output 0 and carry (h, c) unchanged.

Speed: ``Z`` already holds the input projection of every step (one GEMM, done by the caller);
with sigmoid gates and a tanh activation, the gate pre-activations are pre-scaled by 0.5
(``scale``) so one ``tanh`` call covers all four gates and an affine ``* scale + shift`` turns
the gate blocks into sigmoids. Backward precomputes everything that does not depend on the
recurrence over all steps at once, leaving ~7 array calls per step.
"""
from __future__ import annotations


class GateMath:
    """How gate blocks are activated: fused (sigmoid gates + tanh) or one block at a time."""

    def __init__(self, xp, gate, act, H, dtype):
        self.gate, self.act, self.H = gate, act, H
        self.fused = gate.name == "sigmoid" and act.name == "tanh"
        scale = xp.ones(4 * H, dtype=dtype)
        shift = xp.zeros(4 * H, dtype=dtype)
        if self.fused:
            for k in (0, 1, 3):                      # i, f, o: sigmoid(z) = 0.5 * tanh(0.5 z) + 0.5
                scale[k * H:(k + 1) * H] = 0.5
                shift[k * H:(k + 1) * H] = 0.5
        self.scale, self.shift = scale, shift
        self.peep_scale = 0.5 if self.fused else 1.0

    def activate(self, xp, z, lo, hi):
        """Activate blocks lo..hi-1 of z (N, 4H) in place; z holds pre-scaled values if fused."""
        H = self.H
        if self.fused:
            whole = lo == 0 and hi == 4
            zb = z if whole else z[..., lo * H:hi * H]
            xp.tanh(zb, out=zb)
            zb *= self.scale if whole else self.scale[lo * H:hi * H]
            zb += self.shift if whole else self.shift[lo * H:hi * H]
            return
        for k in range(lo, hi):
            (self.act if k == 2 else self.gate).forward(xp, z[..., k * H:(k + 1) * H])

    def cell_activation(self, xp, c, out):
        """out = act(c)."""
        if self.act.name == "tanh":
            xp.tanh(c, out=out)
        else:
            xp.copyto(out, c)
            self.act.forward(xp, out)


def lstm_forward(xp, gm, Z, RWs, Ps, Hs, C, TC, tmp, tmp2, inv_mask=None, pad_steps=()):
    """Run the recurrence in place.

    Z (T, N, 4H): input projection + bias (pre-scaled), overwritten with activated gates.
    RWs (H, 4H) pre-scaled recurrent weights; Ps (3, H) pre-scaled peepholes or None.
    Hs, C (T+1, N, H): Hs[0], C[0] hold the initial state; Hs[t+1], C[t+1] get the state after
    step t (carried through masked steps). TC (T, N, H) gets act(c) of each step.
    tmp (N, 4H), tmp2 (N, 2, H): scratch. inv_mask (T, N, 1) bool: True = masked.
    """
    pad = set(pad_steps)
    for t in range(Z.shape[0]):
        z = Z[t]                                               # (N, 4H)
        xp.matmul(Hs[t], RWs, out=tmp)
        z += tmp
        lstm_step(xp, gm, z, C[t], C[t + 1], TC[t], Hs[t + 1], Ps, tmp[:, :gm.H], tmp2)
        if t in pad:
            xp.copyto(C[t + 1], C[t], where=inv_mask[t])
            xp.copyto(Hs[t + 1], Hs[t], where=inv_mask[t])


def lstm_step(xp, gm, z, c_prev, c, tc, h, Ps, tmp, tmp2):
    """One step after the GEMM: z (N, 4H) holds the (pre-scaled) pre-activations and becomes the
    activated gates; writes c, tc = act(c) and h (each (N, H)). ``c`` may be ``c_prev`` (in place).
    tmp (N, H), tmp2 (N, 2, H): scratch; ``tc`` may be ``tmp`` (the scratch is done with by then)."""
    H = gm.H
    if Ps is None:
        gm.activate(xp, z, 0, 4)
    else:
        xp.multiply(c_prev[:, None, :], Ps[:2], out=tmp2)
        z.reshape(-1, 4, H)[:, :2] += tmp2
        gm.activate(xp, z, 0, 3)
    i, f, g, o = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
    xp.multiply(f, c_prev, out=c)
    xp.multiply(i, g, out=tmp)
    c += tmp
    if Ps is not None:
        xp.multiply(c, Ps[2], out=tmp)
        o += tmp
        gm.activate(xp, z, 3, 4)
    gm.cell_activation(xp, c, tc)
    xp.multiply(o, tc, out=h)


def lstm_backward_prepass(xp, gm, A, C, TC, M, TCDo, K):
    """Everything backward needs that does not depend on the recurrence, for all steps at once.

    A (T, N, 4H) activated gates; C (T+1, N, H); TC (T, N, H).
    Writes M (T, N, 3H) = [g * i', c_prev * f', i * g'], TCDo (T, N, H) = act(c) * o',
    K (T, N, H) = o * act'(c), where x' is the activation derivative at that gate.
    """
    H = gm.H
    i, f, g, o = (A[..., k * H:(k + 1) * H] for k in range(4))
    T = A.shape[0]
    xp.copyto(M[..., :H], g)
    gm.gate.backward(xp, i, M[..., :H])
    xp.copyto(M[..., H:2 * H], C[:T])
    gm.gate.backward(xp, f, M[..., H:2 * H])
    xp.copyto(M[..., 2 * H:], i)
    gm.act.backward(xp, g, M[..., 2 * H:])
    xp.copyto(TCDo, TC)
    gm.gate.backward(xp, o, TCDo)
    xp.copyto(K, o)
    gm.act.backward(xp, TC, K)


def lstm_backward(xp, A, C, M, TCDo, K, dY, dZ, RWT, P, bufs, t_stop=0, inv_mask=None, pad_steps=()):
    """Backpropagate through steps T-1 .. t_stop, writing dZ (T, N, 4H) = dL/dz for those steps.

    dY (T, N, H): gradient at the outputs, already zero at masked steps. RWT (4H, H) = RW.T.
    P (3, H) unscaled peepholes or None. bufs: (dh, dc, dh_next, dh_prev, dc_next, dc_prev,
    tmp2) with the first six (N, H) and tmp2 (N, 2, H); dh_next and dc_next start at zero.
    """
    dh, dc, dh_next, dh_prev, dc_next, dc_prev, tmp2 = bufs
    H = dh.shape[1]
    T = A.shape[0]
    pad = set(pad_steps)
    for t in range(T - 1, t_stop - 1, -1):
        inv = inv_mask[t] if t in pad else None
        d = dZ[t]                                              # (N, 4H)
        d4 = d.reshape(-1, 4, H)
        xp.add(dY[t], dh_next, out=dh)
        if inv is not None:
            xp.copyto(dh, 0, where=inv)
        xp.multiply(dh, TCDo[t], out=d[:, 3 * H:])             # dz_o
        xp.multiply(dh, K[t], out=dc)
        dc += dc_next
        if P is not None:
            xp.multiply(d[:, 3 * H:], P[2], out=dh_prev)       # dh_prev as scratch
            dc += dh_prev
        if inv is not None:
            xp.copyto(dc, 0, where=inv)
        xp.multiply(dc[:, None, :], M[t].reshape(-1, 3, H), out=d4[:, :3])   # dz_i, dz_f, dz_g
        xp.multiply(dc, A[t][:, H:2 * H], out=dc_prev)
        if P is not None:
            xp.multiply(d4[:, :2], P[:2], out=tmp2)
            dc_prev += tmp2[:, 0]
            dc_prev += tmp2[:, 1]
        xp.matmul(d, RWT, out=dh_prev)
        if inv is not None:
            xp.copyto(dh_prev, dh_next, where=inv)
            xp.copyto(dc_prev, dc_next, where=inv)
        dh_next, dh_prev = dh_prev, dh_next
        dc_next, dc_prev = dc_prev, dc_next


def rnn_forward(xp, act, Z, RW, Hs, inv_mask=None, pad_steps=()):
    """Simple RNN: Hs[t+1] = act(Z[t] + Hs[t] RW), state carried through masked steps."""
    pad = set(pad_steps)
    for t in range(Z.shape[0]):
        h = Hs[t + 1]
        xp.matmul(Hs[t], RW, out=h)
        h += Z[t]
        act.forward(xp, h)
        if t in pad:
            xp.copyto(h, Hs[t], where=inv_mask[t])


def rnn_backward(xp, act, Hs, dY, dZ, RWT, bufs, t_stop=0, inv_mask=None, pad_steps=()):
    """Simple RNN backward over steps T-1 .. t_stop into dZ (T, N, H). bufs: (dh_next, dh_prev)."""
    dh_next, dh_prev = bufs
    pad = set(pad_steps)
    for t in range(dY.shape[0] - 1, t_stop - 1, -1):
        d = dZ[t]
        xp.add(dY[t], dh_next, out=d)
        act.backward(xp, Hs[t + 1], d)
        inv = inv_mask[t] if t in pad else None
        if inv is not None:
            xp.copyto(d, 0, where=inv)
        xp.matmul(d, RWT, out=dh_prev)
        if inv is not None:
            xp.copyto(dh_prev, dh_next, where=inv)
        dh_next, dh_prev = dh_prev, dh_next
