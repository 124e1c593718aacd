"""Every recurrent layer's state at every step, from one stateless forward pass.

``recurrent_states(net, x)`` runs the forward pass of ``net.output(x)`` once and keeps what the
recurrent layers computed on the way: for unidirectional layers the same h, c and gates that
``rnn_time_step`` would store step by step, and for bidirectional layers, which cannot step,
both directions' states (the backward one put back in the sequence's order: at step t it has
read the sequence from its end down to t).
"""
from __future__ import annotations

from workbench.backend import to_numpy
from workbench.nn.checks import to_public
from workbench.nn.layers.recurrent import LSTMLayer, Recurrent
from workbench.nn.layers.wrappers import BidirectionalLayer, LastTimeStepLayer


def recurrent_states(net, x, features_mask=None):
    """``(output, states)`` for x ``[batch, n_in, T]`` (and its features mask).

    output: what ``net.output(x, features_mask)`` returns. states: ``{layer index: {direction:
    arrays}}`` for every recurrent layer (wrapped ones included), direction "forward" (and
    "backward" for a bidirectional layer); arrays are NumPy ``[batch, units, T]``: "h" after each
    step, and for an LSTM "c" and the gates "i", "f", "g", "o" of each step. Masked steps carry
    the state of the step before, as in the forward pass.
    """
    b = net._batch(x, features_mask)
    y, caches, _ = net._forward(b)
    mask = net._labels_mask(b)
    if mask is not None:
        y = y * mask[..., None]
    states = {}
    for i, (layer, cache) in enumerate(zip(net.layers, caches)):
        if isinstance(layer, LastTimeStepLayer):
            layer, cache = layer.inner, cache[0]
        if isinstance(layer, BidirectionalLayer):
            cf, cb, rev = cache[:3]
            states[i] = {"forward": _arrays(layer.fwd, cf), "backward": _arrays(layer.bwd, cb, rev)}
        elif isinstance(layer, Recurrent):
            states[i] = {"forward": _arrays(layer, cache)}
    return to_numpy(to_public(net.xp, y, net._recurrent_out)), states


def _arrays(layer, cache, rev=None) -> dict:
    """h (and c, gates) of one direction as NumPy [N, H, T] copies (the caches are workspaces)."""
    order = rev if rev is not None else (lambda a: a)     # backward direction: back in sequence order
    steps = {"h": cache.Hs[1:]}                           # (T, N, H)
    if isinstance(layer, LSTMLayer):
        H = layer.H
        steps["c"] = cache.C[1:]
        steps.update({k: cache.A[:, :, n * H:(n + 1) * H] for n, k in enumerate("ifgo")})
    return {k: to_numpy(order(a)).transpose(1, 2, 0).copy() for k, a in steps.items()}
