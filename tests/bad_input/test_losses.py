"""Issue 11: sigmoid + xent and softmax + mcxent / negativeloglikelihood scored from the logits.

Every finite logit scores exactly (to float rounding) against a 50-digit ``decimal`` reference,
in float32 and float64, for hard and soft labels, with and without a labels mask (masked rows
score 0 even with huge logits); the gradients still match finite differences.

The output layer's logits are set directly: features are one-hot rows, so with ``b = 0`` the
logits of row ``i`` are exactly ``W[i]``.
"""
import decimal
import itertools

import numpy as np
import pytest

from helpers import max_relative_gradient_error
from workbench.data import DataSet
from workbench.nn import InputType, MultiLayerConfiguration, MultiLayerNetwork, OutputLayer, RnnOutputLayer

PAIRS = [("xent", "sigmoid"), ("mcxent", "softmax"), ("negativeloglikelihood", "softmax")]
LABELS = {  # [rows, 3]: hard (0/1, one-hot for mcxent) and soft (between 0 and 1, sums other than 1)
    ("xent", "hard"): [[0, 1, 0], [1, 0, 1]],
    ("xent", "soft"): [[0.3, 0.9999, 0.02], [0.5, 1e-4, 1.0]],
    ("mcxent", "hard"): [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    ("mcxent", "soft"): [[0.7, 0.2, 0.1], [0.5, 0.9, 0.0], [0.0, 0.25, 0.25]],
}
ZS = (0, 5, 17, 40, 100, 1e4, 1e30, 1e300)
BIG = {"float32": 1e30, "float64": 1e300}         # the largest z of ZS in each dtype's tests
RTOL = {dt: 4 * float(np.finfo(dt).eps) for dt in BIG}      # measured: under 2 eps


def logits(dtype, zs):
    """Rows [z, 0, -z] and [z, z, 0.5] for z = 0 and +-each other z in the dtype's range."""
    zs = [0.0] + [s * z for z in zs if 0 < z <= BIG[dtype] for s in (1, -1)]
    return np.array([row for z in zs for row in ([z, 0, -z], [z, z, 0.5])], dtype=dtype)


def junk(dtype):
    """Huge logits for masked rows only."""
    big, top = BIG[dtype], float(np.finfo(dtype).max) / 4
    return np.array([[big, -big, big], [-big, big, 0], [top, -top, 0]], dtype=dtype)


FINE = decimal.Context(prec=50)     # exp and ln; sums and products use 700 digits (1e300 + 1e-324)


def softplus(x):
    """ln(1 + e^x) of a Decimal, for any finite x."""
    return max(x, 0) + (1 + (-abs(x)).exp(FINE)).ln(FINE)


def reference(loss, z, labels):
    """Score of one row from the dtype's (rounded) logits and labels, to 50 digits."""
    with decimal.localcontext(decimal.Context(prec=700)):
        z, labels = [decimal.Decimal(float(v)) for v in z], [decimal.Decimal(float(v)) for v in labels]
        if loss == "xent":      # -l log s(z) - (1 - l) log(1 - s(z))
            return float(sum(l * softplus(-v) + (1 - l) * softplus(v) for v, l in zip(z, labels)))
        m = max(z)              # -sum l log softmax(z)
        lse = m + sum((v - m).exp(FINE) for v in z).ln(FINE)
        return float(sum(l * (lse - v) for v, l in zip(z, labels)))


def case(dtype, loss, act, layer, labels_kind, masked, zs=ZS):
    """(net, DataSet, expected per-example scores) with one table row per output row."""
    table = logits(dtype, zs)
    label_rows = np.array(LABELS["xent" if loss == "xent" else "mcxent", labels_kind], dtype=dtype)
    z = np.array([r for r in table for _ in label_rows], dtype=dtype)
    lab = np.tile(label_rows, (len(table), 1))
    keep = np.arange(len(z)) % 4 != 3 if masked else np.ones(len(z), bool)
    if masked:
        z = np.concatenate([z, junk(dtype)])
        lab = np.concatenate([lab, np.eye(3, dtype=dtype)])
        keep = np.concatenate([keep, np.zeros(3, bool)])
    ref = np.array([reference(loss, zi, li) if k else 0.0 for zi, li, k in zip(z, lab, keep)])
    R = len(z)
    eye = np.eye(R)
    if layer is OutputLayer:            # example i is row i
        x, y, mask, expected = eye, lab, keep[:, None] * 1.0, ref
        it = InputType.feed_forward(R)
    else:                               # example i: row i at step 0, row (i + 1) % R at step 1
        steps = np.stack([np.arange(R), (np.arange(R) + 1) % R], axis=1)
        x, y = eye[steps].transpose(0, 2, 1), lab[steps].transpose(0, 2, 1)
        mask, expected = keep[steps] * 1.0, ref[steps].sum(axis=1)
        it = InputType.recurrent(R)
    conf = MultiLayerConfiguration([layer(3, loss=loss, activation=act)], input_type=it, seed=0, dtype=dtype)
    net = MultiLayerNetwork(conf).init()
    net.set_params({"0_W": z, "0_b": np.zeros(3, dtype)})
    return net, DataSet(x, y, labels_mask=mask if masked else None), expected


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("labels_kind", ["hard", "soft"])
@pytest.mark.parametrize("layer", [OutputLayer, RnnOutputLayer])
@pytest.mark.parametrize("loss,act", PAIRS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_score_is_exact_for_every_logit(dtype, loss, act, layer, labels_kind, masked):
    net, ds, expected = case(dtype, loss, act, layer, labels_kind, masked)
    got = net.score_examples(ds)
    atol = 4 * np.finfo(dtype).smallest_subnormal            # results in the subnormal range
    np.testing.assert_allclose(got, expected, rtol=RTOL[dtype], atol=atol)
    assert np.isclose(net.score(ds), expected.sum() / len(expected), rtol=RTOL[dtype], atol=0)
    if masked:
        assert np.all(got[expected == 0] == 0)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("labels_kind", ["hard", "soft"])
@pytest.mark.parametrize("layer", [OutputLayer, RnnOutputLayer])
@pytest.mark.parametrize("loss,act", PAIRS)
def test_gradient_matches_finite_differences_in_saturation(loss, act, layer, labels_kind, masked):
    """Logits past where float64's sigmoid (40) and softmax (800) round to 0 or 1, but small
    enough for finite differences (eps = 1e-5); the masked rows' logits are huge, their gradient 0."""
    net, ds, _ = case("float64", loss, act, layer, labels_kind, masked, zs=(5, 17, 40, 800))
    assert max_relative_gradient_error(net, ds, eps=1e-5) < 1e-6
    if masked:
        grads, _ = net.compute_gradient_and_score(ds)
        assert np.all(grads["0_W"][-3:] == 0)


def test_only_the_logit_pairs_keep_the_logits():
    def output_layer(loss, act):
        conf = MultiLayerConfiguration([OutputLayer(3, loss=loss, activation=act)],
                                       input_type=InputType.feed_forward(2), dtype="float64")
        return MultiLayerNetwork(conf).layers[-1]
    others = [(loss, act) for loss, act in itertools.product(["xent", "mcxent", "mse", "l1"],
                                                             ["sigmoid", "softmax", "hardsigmoid", "identity"])
              if (loss, act) not in PAIRS]
    assert all(output_layer(loss, act).keep_logits for loss, act in PAIRS)
    assert not any(output_layer(loss, act).keep_logits for loss, act in others)


@pytest.mark.parametrize("loss,act", [("xent", "hardsigmoid"), ("mcxent", "sigmoid")])
def test_other_pairs_are_still_scored_from_the_output(loss, act):
    """Today's behaviour: log(max(y, tiny)), so a saturated output scores -log(tiny)."""
    net, ds, _ = case("float64", loss, act, OutputLayer, "hard", False)
    y = np.asarray(net.output(ds.features))
    lab, log = ds.labels, lambda v: np.log(np.maximum(v, np.finfo(np.float64).tiny))
    want = -(lab * log(y) + (1 - lab) * log(1 - y) if loss == "xent" else lab * log(y)).sum(axis=1)
    np.testing.assert_allclose(net.score_examples(ds), want, rtol=1e-14)
