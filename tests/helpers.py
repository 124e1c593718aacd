"""Shared test helpers: random sequence data and a central-difference gradient check."""
import numpy as np


def random_sequences(n=3, n_in=4, n_out=3, T=6, seed=0, one_hot=True):
    """features [n, n_in, T] and labels [n, n_out, T] (one-hot or real)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in, T))
    if one_hot:
        y = np.eye(n_out)[rng.integers(0, n_out, size=(n, T))].transpose(0, 2, 1)
    else:
        y = rng.uniform(0.05, 0.95, size=(n, n_out, T))
    return x, y


def ragged_masks(n=3, T=6):
    """A features mask with end padding, start padding and a full row; a labels mask with a hole."""
    fm = np.ones((n, T))
    fm[0, T - 2:] = 0
    if n > 1:
        fm[1, :2] = 0
    lm = fm.copy()
    lm[n - 1, T // 2] = 0
    return fm, lm


def max_relative_gradient_error(net, ds, eps=1e-6, min_abs=1e-8):
    """Largest |analytic - numeric| / max(|analytic|, |numeric|) over every parameter (float64 net).

    Entries whose absolute difference is below ``min_abs`` count as equal (as DL4J's
    GradientCheckUtil does): the numeric gradient's own rounding error is ~1e-10 * score.
    """
    grads, _ = net.compute_gradient_and_score(ds)
    worst = 0.0
    for key, value in net.params().items():
        flat = value.reshape(-1)
        analytic = grads[key].reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            net.set_params({key: value})
            plus = net.score(ds)
            flat[j] = old - eps
            net.set_params({key: value})
            minus = net.score(ds)
            flat[j] = old
            net.set_params({key: value})
            numeric = (plus - minus) / (2 * eps)
            diff = abs(numeric - analytic[j])
            if diff > min_abs:
                worst = max(worst, diff / max(abs(numeric), abs(analytic[j])))
    return worst
