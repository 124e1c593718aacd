"""Loss functions on rows: labels and outputs ``[rows, n_out]``, mask ``[rows]`` (1 = counts).

``loss(name, activation, xp, labels, y, mask, grad_scale)`` returns the per-row score
``[rows]`` (0 on masked rows) and, when ``grad_scale`` is not None, the gradient of
``grad_scale * sum(score)`` with respect to the pre-activation ``z`` (where ``y = f(z)``).
Definitions follow DL4J: mse averages over the ``n_out`` columns, l1 sums.
"""
from __future__ import annotations


def _log(xp, y):
    return xp.log(xp.maximum(y, xp.finfo(y.dtype).tiny))


def _mcxent(xp, labels, y, act):
    score = -(labels * _log(xp, y)).sum(axis=1)

    def grad():
        if act.name == "softmax":     # d/dz of -sum(l log softmax(z)) = y * sum(l) - l
            return y * labels.sum(axis=1, keepdims=True) - labels
        return act.backward(xp, y, -labels / xp.maximum(y, xp.finfo(y.dtype).tiny))
    return score, grad


def _xent(xp, labels, y, act):
    score = -(labels * _log(xp, y) + (1.0 - labels) * _log(xp, 1.0 - y)).sum(axis=1)

    def grad():
        if act.name == "sigmoid":
            return y - labels
        tiny = xp.finfo(y.dtype).tiny
        return act.backward(xp, y, (y - labels) / xp.maximum(y * (1.0 - y), tiny))
    return score, grad


def _mse(xp, labels, y, act):
    diff = y - labels
    n = labels.shape[1]
    return (diff * diff).sum(axis=1) / n, lambda: act.backward(xp, y, diff * (2.0 / n))


def _l1(xp, labels, y, act):
    diff = y - labels
    return xp.abs(diff).sum(axis=1), lambda: act.backward(xp, y, xp.sign(diff))


LOSSES = {"mcxent": _mcxent, "negativeloglikelihood": _mcxent, "xent": _xent, "mse": _mse, "l1": _l1}


def loss(name, act, xp, labels, y, mask=None, grad_scale=None):
    """(score [rows], dz [rows, n_out] or None). See the module docstring."""
    try:
        fn = LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
    score, grad = fn(xp, labels, y, act)
    if mask is not None:
        score *= mask
    if grad_scale is None:
        return score, None
    dz = grad()
    dz *= grad_scale if mask is None else mask[:, None] * grad_scale
    return score, dz
