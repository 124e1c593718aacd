"""l1/l2 regularisation over a network's layers: its score and, when asked, its gradient."""
from __future__ import annotations


def regularization(conf, layers, xp, with_grad: bool) -> float:
    """Score of l1/l2 (``0.5 * l2 * sum(w^2) + l1 * sum|w|`` over weights, ``l1_bias``/``l2_bias``
    over the rest) of every layer's ``params``; with ``with_grad`` adds its gradient to the
    layers' ``grads`` (same shapes as ``params``)."""
    c, total = conf, 0.0
    if not (c.l1 or c.l2 or c.l1_bias or c.l2_bias):
        return 0.0
    for layer in layers:
        for key, p in layer.params.items():
            l1, l2 = (c.l1, c.l2) if layer.is_weight(key) else (c.l1_bias, c.l2_bias)
            if l2:
                total += 0.5 * l2 * float((p * p).sum())
                if with_grad:
                    layer.grads[key] += l2 * p
            if l1:
                total += l1 * float(xp.abs(p).sum())
                if with_grad:
                    layer.grads[key] += l1 * xp.sign(p)
    return total
