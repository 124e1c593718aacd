"""Dense, OutputLayer and RnnOutputLayer: one GEMM over all rows (every step at once for 3-d data)."""
from __future__ import annotations

from workbench.nn.activations import get_activation
from workbench.nn.layers.base import RuntimeLayer, init_weight
from workbench.nn.losses import FROM_LOGITS, loss


class Dense(RuntimeLayer):
    """``y = f(x W + b)`` on the last axis; x ``(..., n_in)`` -> y ``(..., n_out)``.

    The cache is ``(x (rows, n_in), y (rows, n_out), lead shape, z (rows, n_out) or None)``:
    the logits z are kept only where ``keep_logits`` is set (the output layer's loss needs them).
    """

    keep_logits = False

    def __init__(self, conf, xp, dtype):
        super().__init__(conf, xp, dtype)
        self.act = get_activation(conf.activation)

    def param_shapes(self):
        return {"W": (self.conf.n_in, self.conf.n_out), "b": (self.conf.n_out,)}

    def init_params(self, rng):
        c = self.conf
        self._fill("W", init_weight(rng, c.weight_init, (c.n_in, c.n_out), c.n_in, c.n_out))

    def forward(self, x, mask=None, state=None):
        lead = x.shape[:-1]
        x2 = x.reshape(-1, self.conf.n_in)                       # (rows, n_in)
        z = x2 @ self.params["W"]
        z += self.params["b"]
        logits = z.copy() if self.keep_logits else None
        y = self.act.forward(self.xp, z)                         # in place: z now holds y
        return y.reshape(lead + (self.conf.n_out,)), (x2, y, lead, logits)

    def infer(self, x, mask=None, state=None):
        """Forward only: (y, None), without the copy of the logits."""
        z = x.reshape(-1, self.conf.n_in) @ self.params["W"]
        z += self.params["b"]
        return self.act.forward(self.xp, z).reshape(x.shape[:-1] + (self.conf.n_out,)), None

    def backward(self, dy, cache, back_length=None, need_dx=True):
        _, y, _, _ = cache
        dz = self.act.backward(self.xp, y, dy.reshape(y.shape).copy())
        return self.backward_z(dz, cache, need_dx)

    def backward_z(self, dz, cache, need_dx=True):
        """Gradients given dL/dz (rows, n_out); returns dx shaped like the input."""
        x2, _, lead, _ = cache
        self.xp.matmul(x2.T, dz, out=self.grads["W"])
        dz.sum(axis=0, out=self.grads["b"])
        return (dz @ self.params["W"].T).reshape(lead + (self.conf.n_in,)) if need_dx else None


class Output(Dense):
    """A Dense layer with a loss. Rows are examples (2-d) or (step, example) pairs (3-d)."""

    def __init__(self, conf, xp, dtype):
        super().__init__(conf, xp, dtype)
        self.keep_logits = (conf.loss, self.act.name) in FROM_LOGITS

    def loss(self, cache, labels, mask=None, grad_scale=None):
        """Per-row score ``(rows,)`` and dL/dz ``(rows, n_out)`` (None without ``grad_scale``).

        ``labels`` is shaped like the output; ``mask`` like the output without its last axis.
        """
        _, y, _, z = cache
        rows_mask = None if mask is None else mask.reshape(-1)
        return loss(self.conf.loss, self.act, self.xp, labels.reshape(y.shape), y, rows_mask, grad_scale, z)
