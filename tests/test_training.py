"""fit: updaters, gradient normalisation, seeding, listeners, dtypes and divergence."""
import numpy as np
import pytest

from helpers import random_sequences
from workbench.data import DataSet
from workbench.nn import (
    LSTM, AdaGrad, Adam, DenseLayer, InputType, MultiLayerConfiguration, MultiLayerNetwork, Nesterovs, OutputLayer,
    RmsProp, RnnOutputLayer, Sgd, TrainingDivergedError,
)

X, Y = random_sequences(n=4, T=6)
DS = DataSet(X, Y)


def make_net(updater=Sgd(0.1), dtype="float64", seed=3, **kw):
    conf = MultiLayerConfiguration([LSTM(5), RnnOutputLayer(3)], input_type=InputType.recurrent(4),
                                   seed=seed, dtype=dtype, updater=updater, **kw)
    return MultiLayerNetwork(conf).init()


def one_step(updater, **kw):
    """(gradient, parameter change) of a single fit step."""
    net = make_net(updater, **kw)
    grads, _ = net.compute_gradient_and_score(DS)
    before = net.params()
    net.fit(DS)
    return grads, {k: before[k] - v for k, v in net.params().items()}


@pytest.mark.parametrize("updater,first_step", [
    (Sgd(0.1), lambda g: 0.1 * g),
    (Nesterovs(0.1, momentum=0.9), lambda g: 1.9 * 0.1 * g),
    (Adam(0.01, beta1=0.9, beta2=0.999, eps=1e-8),       # DL4J's form: eps outside the bias correction
     lambda g: 0.01 * np.sqrt(0.001) / 0.1 * (0.1 * g) / (np.sqrt(0.001 * g * g) + 1e-8)),
    (RmsProp(0.01, rms_decay=0.9, eps=1e-8), lambda g: 0.01 * g / (np.sqrt(0.1 * g * g) + 1e-8)),
    (AdaGrad(0.1, eps=1e-6), lambda g: 0.1 * g / (np.abs(g) + 1e-6)),
])
def test_first_update_of_each_updater(updater, first_step):
    grads, delta = one_step(updater)
    for k in grads:
        np.testing.assert_allclose(delta[k], first_step(grads[k]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("updater", [Sgd(0.5), Nesterovs(0.1), Adam(0.02), RmsProp(0.01), AdaGrad(0.2)])
def test_every_updater_lowers_the_score(updater):
    net = make_net(updater)
    start = net.score(DS)
    net.fit([DS] * 30)
    assert net.score(DS) < 0.7 * start


def test_adam_bias_correction_on_the_second_step():
    net = make_net(Adam(0.01))
    net.fit(DS)
    g2, _ = net.compute_gradient_and_score(DS)
    g1 = net.updater.arrays["m"] / 0.1              # m after one step = 0.1 * g1
    v1 = net.updater.arrays["v"].copy()
    before = net.params()
    net.fit(DS)
    m = 0.9 * 0.1 * g1 + 0.1 * np.concatenate([g2[k].ravel() for k in before])
    v = 0.999 * v1 + 0.001 * np.concatenate([g2[k].ravel() for k in before]) ** 2
    step = 0.01 * np.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2) * m / (np.sqrt(v) + 1e-8)
    delta = np.concatenate([(before[k] - v_).ravel() for k, v_ in net.params().items()])
    np.testing.assert_allclose(delta, step, rtol=1e-8, atol=1e-12)


def test_clip_elementwise():
    grads, delta = one_step(Sgd(1.0), gradient_normalization="clip_elementwise",
                            gradient_normalization_threshold=0.01)
    for k in grads:
        np.testing.assert_allclose(delta[k], np.clip(grads[k], -0.01, 0.01), rtol=1e-12, atol=1e-15)
    assert any(np.abs(g).max() > 0.01 for g in grads.values())


@pytest.mark.parametrize("kind", ["clip_l2_per_layer", "renormalize_l2_per_layer"])
def test_l2_per_layer_normalisation(kind):
    grads, delta = one_step(Sgd(1.0), gradient_normalization=kind, gradient_normalization_threshold=0.05)
    for layer in ("0", "1"):
        keys = [k for k in grads if k.startswith(layer + "_")]
        norm = np.sqrt(sum((grads[k] ** 2).sum() for k in keys))
        factor = 1 / norm if kind == "renormalize_l2_per_layer" else min(1.0, 0.05 / norm)
        for k in keys:
            np.testing.assert_allclose(delta[k], grads[k] * factor, rtol=1e-10, atol=1e-15)


def test_same_seed_same_params_and_other_seed_differs():
    a, b, c = make_net(seed=1).params(), make_net(seed=1).params(), make_net(seed=2).params()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["0_W"], c["0_W"])
    unseeded = [make_net(seed=None).params()["0_W"] for _ in range(2)]
    assert not np.array_equal(*unseeded)


def test_float32_by_default_and_float64_on_request():
    conf = MultiLayerConfiguration([LSTM(5), RnnOutputLayer(3)], input_type=InputType.recurrent(4), seed=0)
    net32 = MultiLayerNetwork(conf).init()
    assert net32.output(X).dtype == np.float32 and net32.params()["0_W"].dtype == np.float32
    assert make_net().output(X).dtype == np.float64


def test_fit_takes_iterables_and_reports_through_listeners():
    net = make_net()
    calls = []
    net.fit([DS, DS, DS], epochs=2, listeners=[lambda it, ep, sc, info: calls.append((it, ep, sc, info))])
    assert [(c[0], c[1]) for c in calls] == [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)]
    assert all(c[3]["segment"] == 0 and c[3]["time_range"] == (0, 6) for c in calls)
    assert [c[3]["batch"] for c in calls] == [0, 1, 2] * 2
    assert net.epoch_count == 2 and net.iteration_count == 6 and net.last_score == calls[-1][2]
    with pytest.raises(ValueError, match="one-shot iterator"):
        net.fit(iter([DS]), epochs=2)


def test_l2_adds_half_l2_sum_of_squared_weights_to_the_score():
    plain, reg = make_net(), make_net(l2=0.3, l1=0.1)
    w = sum((v ** 2).sum() for k, v in reg.params().items() if k.endswith(("_W", "_RW")))
    a = sum(np.abs(v).sum() for k, v in reg.params().items() if k.endswith(("_W", "_RW")))
    assert np.isclose(reg.score(DS), plain.score(DS) + 0.5 * 0.3 * w + 0.1 * a, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")     # the overflow on the way to inf is the point
def test_divergence_stops_training_and_keeps_the_last_finite_params():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)) * 10
    y = rng.normal(size=(8, 2)) * 10
    conf = MultiLayerConfiguration([DenseLayer(4, activation="identity"), OutputLayer(2, loss="mse",
                                    activation="identity")], input_type=InputType.feed_forward(3), seed=0,
                                   updater=Sgd(1e3), dtype="float64")
    net = MultiLayerNetwork(conf).init()
    snapshots = []
    with pytest.raises(TrainingDivergedError, match="parameters keep their last finite values"):
        net.fit([DataSet(x, y)] * 500, listeners=[lambda *a: snapshots.append(net.params())])
    params = net.params()
    assert all(np.isfinite(v).all() for v in params.values())
    assert all(np.array_equal(params[k], snapshots[-1][k]) for k in params)


def test_summary_lists_every_layer_with_its_parameter_count():
    net = make_net()
    lines = net.summary().splitlines()
    assert len(lines) == 4
    assert "LSTM" in lines[1] and "[5] per step" in lines[1] and f"{4 * 5 * 4 + 5 * 20 + 20:,}" in lines[1]
    assert "RnnOutputLayer" in lines[2] and "[3] per step" in lines[2] and lines[2].split()[-1] == f"{5 * 3 + 3}"
    assert lines[3].split()[-1] == f"{net.num_params():,}"
