"""Truncated BPTT: segments, carried state, back length, and equality with standard BPTT."""
import math
import warnings

import numpy as np
import pytest

from helpers import random_sequences
from workbench.data import DataSet
from workbench.nn import (
    LSTM, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, Sgd,
)


def make_net(T_fwd=None, back=None, lr=0.1, **kw):
    tb = dict(backprop_type="tbptt", tbptt_fwd_length=T_fwd, tbptt_back_length=back) if T_fwd else {}
    conf = MultiLayerConfiguration([GravesLSTM(5), LSTM(4), RnnOutputLayer(3)], input_type=InputType.recurrent(4),
                                   seed=9, dtype="float64", updater=Sgd(lr), **tb, **kw)
    return MultiLayerNetwork(conf).init()


def test_fwd_equal_back_equal_T_is_standard_bptt():
    x, y = random_sequences(n=3, T=8)
    a, b = make_net(), make_net(T_fwd=8, back=8)
    a.fit(DataSet(x, y))
    b.fit(DataSet(x, y))
    for k, v in a.params().items():
        np.testing.assert_allclose(b.params()[k], v, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("T,fwd", [(10, 4), (12, 4), (5, 5), (9, 1)])
def test_one_update_per_segment_with_time_ranges(T, fwd):
    x, y = random_sequences(n=2, T=T)
    seen = []
    net = make_net(T_fwd=fwd)
    net.fit([DataSet(x, y), DataSet(x, y)], listeners=[lambda it, ep, sc, info: seen.append((it, info))])
    n_seg = math.ceil(T / fwd)
    assert len(seen) == 2 * n_seg and net.iteration_count == 2 * n_seg
    assert [it for it, _ in seen] == list(range(2 * n_seg))
    ranges = [info["time_range"] for _, info in seen[:n_seg]]
    assert ranges == [(s, min(T, s + fwd)) for s in range(0, T, fwd)]
    assert [info["segment"] for _, info in seen] == list(range(n_seg)) * 2
    assert [info["batch"] for _, info in seen] == [0] * n_seg + [1] * n_seg


def test_state_is_carried_between_segments():
    """With a vanishing learning rate the segment scores add up to the full-sequence score,
    which holds only if each segment starts from the state the previous one reached."""
    x, y = random_sequences(n=3, T=12)
    ds = DataSet(x, y)
    full = make_net().score(ds)
    scores = []
    net = make_net(T_fwd=5, lr=1e-30)
    net.fit(ds, listeners=[lambda it, ep, sc, info: scores.append(sc)])
    assert len(scores) == 3
    assert np.isclose(sum(scores), full, rtol=1e-12)
    zero_start = make_net().score(DataSet(x[:, :, 5:10], y[:, :, 5:10]))
    assert not np.isclose(scores[1], zero_start, rtol=1e-6)


def test_series_shorter_than_fwd_is_one_segment_with_a_warning():
    x, y = random_sequences(n=2, T=3)
    seen = []
    with pytest.warns(UserWarning, match="series length 3 < tbptt_fwd_length 10"):
        make_net(T_fwd=10).fit(DataSet(x, y), listeners=[lambda *a: seen.append(a[3]["time_range"])])
    assert seen == [(0, 3)]


def test_back_length_stops_gradients_before_the_last_back_steps():
    """For back < T: dx is 0 before step T - back and equals full BPTT's dx after it; the
    weight gradients sum only the last ``back`` steps' terms of full BPTT."""
    T, back = 9, 3
    net = make_net()
    layer = net.layers[0]
    rng = np.random.default_rng(4)
    x = rng.normal(size=(T, 2, 4))                              # time-major, as layers take it
    dy = rng.normal(size=(T, 2, 5))
    _, cache = layer.forward(x)
    dx_full = layer.backward(dy, cache).copy()
    dZ_full = layer.ws.get("dZ", (T, 2, 20)).copy()
    _, cache = layer.forward(x)
    dx = layer.backward(dy, cache, back_length=back)
    assert np.all(dx[:T - back] == 0)
    np.testing.assert_allclose(dx[T - back:], dx_full[T - back:], rtol=1e-12)
    expected_W = x[T - back:].reshape(-1, 4).T @ dZ_full[T - back:].reshape(-1, 20)
    np.testing.assert_allclose(layer.grads["W"], expected_W, rtol=1e-12)
    assert not np.allclose(layer.grads["W"], x.reshape(-1, 4).T @ dZ_full.reshape(-1, 20))


def test_back_length_leaves_the_output_layer_gradient_whole():
    x, y = random_sequences(n=2, T=8)
    ds = DataSet(x, y)
    full, short = make_net(), make_net(T_fwd=8, back=2)
    b_full = full.dataset_batch(ds)
    full._gradient(b_full)
    g_full = {k: v.copy() for k, v in full.layers[2].grads.items()}
    short._gradient(short.dataset_batch(ds), back_length=2)
    for k, v in g_full.items():
        np.testing.assert_allclose(short.layers[2].grads[k], v, rtol=1e-13)
    assert not np.allclose(short.layers[0].grads["W"], full.layers[0].grads["W"])


def test_tbptt_trains_without_warnings_on_exact_multiples():
    x, y = random_sequences(n=2, T=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_net(T_fwd=4, back=2).fit(DataSet(x, y), epochs=2)
