"""Loss functions on rows: labels and outputs ``[rows, n_out]``, mask ``[rows]`` (1 = counts).

``loss(name, activation, xp, labels, y, mask, grad_scale, z)`` returns the per-row score
``[rows]`` (0 on masked rows) and, when ``grad_scale`` is not None, the gradient of
``grad_scale * sum(score)`` with respect to the pre-activation ``z`` (where ``y = f(z)``).
The (loss, activation) pairs in ``FROM_LOGITS`` are scored from the logits ``z [rows, n_out]``
when given: exact for every finite z, where ``log(y)`` saturates once y rounds to 0 or 1
(other losses ignore z). Definitions follow DL4J: mse averages over the ``n_out`` columns, l1 sums.
"""
from __future__ import annotations

FROM_LOGITS = {("xent", "sigmoid"), ("mcxent", "softmax"), ("negativeloglikelihood", "softmax")}


def _log(xp, y):
    return xp.log(xp.maximum(y, xp.finfo(y.dtype).tiny))


def _row_sum(xp, a):
    """Sum over the columns of ``a [rows, n]`` as one GEMV (NumPy's ``sum(axis=1)`` over a few
    columns is ~15x slower)."""
    return a @ xp.ones(a.shape[1], a.dtype)


def _softmax_mcxent(xp, labels, z):
    """``-sum(l * log_softmax(z))`` [rows] as ``sum(l * (m - z + log1p(t)))``, m the row max and
    t the sum of ``exp(z - m)`` over all columns but one max: no cancellation for l >= 0."""
    rows, top = xp.arange(z.shape[0]), z.argmax(axis=1)
    gap = z[rows, top][:, None] - z                              # m - z >= 0
    e = xp.exp(-gap)
    e[rows, top] = 0
    gap += xp.log1p(_row_sum(xp, e))[:, None]
    return _row_sum(xp, labels * gap)


def _sigmoid_xent(xp, labels, z):
    """``-sum(l log s(z) + (1 - l) log(1 - s(z)))`` [rows] as the sum of
    ``(1 - l) max(z, 0) + l max(-z, 0) + log1p(exp(-|z|))``: no cancellation for 0 <= l <= 1."""
    score = -xp.abs(z)
    xp.exp(score, out=score)
    xp.log1p(score, out=score)
    score += (1.0 - labels) * xp.maximum(z, 0)
    score += labels * xp.maximum(-z, 0)
    return _row_sum(xp, score)


def _mcxent(xp, labels, y, act, z):
    if act.name == "softmax" and z is not None:
        score = _softmax_mcxent(xp, labels, z)
    else:
        score = -(labels * _log(xp, y)).sum(axis=1)

    def grad():
        if act.name == "softmax":     # d/dz of -sum(l log softmax(z)) = y * sum(l) - l
            return y * labels.sum(axis=1, keepdims=True) - labels
        return act.backward(xp, y, -labels / xp.maximum(y, xp.finfo(y.dtype).tiny))
    return score, grad


def _xent(xp, labels, y, act, z):
    if act.name == "sigmoid" and z is not None:
        score = _sigmoid_xent(xp, labels, z)
    else:
        score = -(labels * _log(xp, y) + (1.0 - labels) * _log(xp, 1.0 - y)).sum(axis=1)

    def grad():
        if act.name == "sigmoid":
            return y - labels
        tiny = xp.finfo(y.dtype).tiny
        return act.backward(xp, y, (y - labels) / xp.maximum(y * (1.0 - y), tiny))
    return score, grad


def _mse(xp, labels, y, act, z):
    diff = y - labels
    n = labels.shape[1]
    return (diff * diff).sum(axis=1) / n, lambda: act.backward(xp, y, diff * (2.0 / n))


def _l1(xp, labels, y, act, z):
    diff = y - labels
    return xp.abs(diff).sum(axis=1), lambda: act.backward(xp, y, xp.sign(diff))


LOSSES = {"mcxent": _mcxent, "negativeloglikelihood": _mcxent, "xent": _xent, "mse": _mse, "l1": _l1}


def loss(name, act, xp, labels, y, mask=None, grad_scale=None, z=None):
    """(score [rows], dz [rows, n_out] or None). See the module docstring."""
    try:
        fn = LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
    score, grad = fn(xp, labels, y, act, z)
    if mask is not None:
        score[mask == 0] = 0                                     # not score * mask: inf * 0 is NaN
    if grad_scale is None:
        return score, None
    dz = grad()
    dz *= grad_scale if mask is None else mask[:, None] * grad_scale
    return score, dz
