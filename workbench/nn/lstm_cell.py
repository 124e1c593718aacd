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
the gate blocks into sigmoids. The elementwise work of a step is done by a cell chosen by
``cell_kernels.cell_for``: array calls (``ArrayCell``: NumPy, float64, other activations), one
numba loop each way (``JitCell``: float32 on NumPy) or two fused CUDA kernels (CuPy).
"""
from __future__ import annotations


def step_gemm(xp, x, s, S):
    """z (N, G) = [x, h, 1] S for one step: x (N, I) and s["h"] into the stepping state's buffer
    (``Recurrent.make_state``), one GEMM with the stacked S (I + H + 1, G), into s["z"]."""
    xp.copyto(s["x_in"], x)
    xp.copyto(s["h_in"], s["h"])
    return xp.matmul(s["buf"], S, out=s["z"])


class GemmStep:
    """A cell's one-step call for stepping (``rnn_time_step``): ``step_gemm``, then ``forward``.
    Cells with a fused step override it; ``forward`` and ``xp`` come from the cell."""

    def step(self, x, s, S, P):
        """x (N, I); s: the layer's stepping state (``make_state``): h updated in place, the new c
        written to s["c_next"]."""
        z, h = step_gemm(self.xp, x, s, S), s["h"]
        # tmp serves as scratch and then as act(c): the cell is done with the scratch by then
        self.forward(z, None, s["c"], h, s["c_next"], s["tmp"], h, P, None, s["tmp"], s["tmp2"])


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


def lstm_forward(xp, cell, Z, RWs, Ps, Hs, C, TC, tmp, tmp2, inv_mask=None, pad_steps=()):
    """Run the recurrence: one GEMM and one ``cell.forward`` per step.

    Z (T, N, 4H): input projection + bias (pre-scaled), overwritten with activated gates.
    RWs (H, 4H) pre-scaled recurrent weights; Ps (3, H) pre-scaled peepholes or None.
    Hs, C (T+1, N, H): Hs[0], C[0] hold the initial state; Hs[t+1], C[t+1] get the state after
    step t (carried through masked steps). TC (T, N, H) gets act(c) of each step.
    tmp (N, 4H), tmp2 (N, 2, H): scratch. inv_mask (T, N, 1) bool: True = masked.
    """
    pad = set(pad_steps)
    H = RWs.shape[0]
    for t in range(Z.shape[0]):
        xp.matmul(Hs[t], RWs, out=tmp)
        cell.forward(Z[t], tmp, C[t], Hs[t], C[t + 1], TC[t], Hs[t + 1], Ps,
                     inv_mask[t] if t in pad else None, tmp[:, :H], tmp2)


def lstm_infer(xp, cell, Z, b, RWs, Ps, Hs, C2, tc, tmp, tmp2, inv_mask=None, pad_steps=()):
    """Forward only: ``lstm_forward`` keeping no gates, past cell states or act(c) for backward.

    Z (T, N, 4H): input projection without the bias (scratch afterwards); b (4H,) pre-scaled
    bias. Hs (T+1, N, H) as in ``lstm_forward``. C2 (2, N, H): C2[0] holds the initial cell
    state; the two halves take turns as c_prev and c. tc (N, H), tmp (N, 4H), tmp2 (N, 2, H):
    scratch. Returns the cell state after the last step (a view of C2).
    """
    pad = set(pad_steps)
    T, H = Z.shape[0], RWs.shape[0]
    for t in range(T):
        xp.matmul(Hs[t], RWs, out=tmp)
        cell.infer(Z[t], tmp, b, C2[t % 2], Hs[t], C2[(t + 1) % 2], tc, Hs[t + 1], Ps,
                   inv_mask[t] if t in pad else None, tmp[:, :H], tmp2)
    return C2[T % 2]


def lstm_backward(xp, cell, A, C, TC, dY, dZ, RWT, P, bufs, t_stop=0, inv_mask=None, pad_steps=()):
    """Backpropagate through steps T-1 .. t_stop, writing dZ (T, N, 4H) = dL/dz for those steps.

    A (T, N, 4H) activated gates; C (T+1, N, H); TC (T, N, H) act(c).
    dY (T, N, H): gradient at the outputs, already zero at masked steps. RWT (4H, H) = RW.T.
    P (3, H) unscaled peepholes or None. bufs: (dh, dc, dh_next, dh_prev, dc_next, dc_prev,
    tmp, tmp2) with tmp2 (N, 2, H) and the others (N, H); dh_next and dc_next start at zero.
    """
    dh, dc, dh_next, dh_prev, dc_next, dc_prev, tmp, tmp2 = bufs
    N, H = dh.shape
    pad = set(pad_steps)
    cell.begin(N, H, t_stop)
    for t in range(A.shape[0] - 1, t_stop - 1, -1):
        inv = inv_mask[t] if t in pad else None
        cell.backward(t, A, C, TC, dY, dh_next, dc_next, dZ[t], dc_prev, P, inv, dh, dc, tmp, tmp2)
        xp.matmul(dZ[t], RWT, out=dh_prev)
        if inv is not None:
            xp.copyto(dh_prev, dh_next, where=inv)
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
