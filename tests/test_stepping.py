"""rnn_time_step equals output() on the whole history, for any chunking; state get/set/clear."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from workbench.data import DataSet
from workbench.nn import (
    LSTM, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, SimpleRnn,
)


def make_net(dtype="float64"):
    conf = MultiLayerConfiguration([GravesLSTM(6), LSTM(5), SimpleRnn(4), RnnOutputLayer(3)],
                                   input_type=InputType.recurrent(3), seed=2, dtype=dtype)
    return MultiLayerNetwork(conf).init()


X = np.random.default_rng(0).normal(size=(2, 3, 12))


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 6, 12])
def test_stepping_in_chunks_equals_output(chunk):
    net = make_net()
    full = net.output(X)
    parts = []
    for t0 in range(0, 12, chunk):
        if chunk == 1:
            out = net.rnn_time_step(X[:, :, t0])          # 2-d: one step
            assert out.shape == (2, 3)
            parts.append(out[:, :, None])
        else:
            out = net.rnn_time_step(X[:, :, t0:t0 + chunk])
            assert out.shape == (2, 3, chunk)
            parts.append(out)
    np.testing.assert_allclose(np.concatenate(parts, axis=2), full, rtol=1e-12, atol=1e-14)


def test_float32_stepping_matches_output():
    net = make_net("float32")
    steps = np.stack([net.rnn_time_step(X[:, :, t].astype(np.float32)) for t in range(12)], axis=2)
    assert steps.dtype == np.float32
    np.testing.assert_allclose(steps, net.output(X), rtol=1e-5, atol=1e-6)


def test_output_never_touches_the_stored_state():
    net = make_net()
    net.rnn_time_step(X[:, :, :5])
    before = net.rnn_get_previous_state(0)
    net.output(X)
    net.feed_forward(X)
    after = net.rnn_get_previous_state(0)
    np.testing.assert_array_equal(before["h"], after["h"])
    np.testing.assert_array_equal(before["c"], after["c"])
    np.testing.assert_allclose(net.rnn_time_step(X[:, :, 5:]), net.output(X)[:, :, 5:], rtol=1e-12)


def test_get_returns_copies_and_set_restores_a_snapshot():
    net = make_net()
    net.rnn_time_step(X[:, :, :4])
    snapshot = {i: net.rnn_get_previous_state(i) for i in (0, 1, 2)}
    assert set(snapshot[0]) == {"h", "c"} and set(snapshot[2]) == {"h"}
    assert snapshot[0]["h"].shape == (2, 6)
    snapshot_copy = {i: {k: v.copy() for k, v in s.items()} for i, s in snapshot.items()}
    snapshot[0]["h"][:] = 99                               # mutating a returned state changes nothing
    first = net.rnn_time_step(X[:, :, 4:8])
    net.rnn_clear_previous_state()
    assert net.rnn_get_previous_state(0) == {}
    for i, s in snapshot_copy.items():
        net.rnn_set_previous_state(i, s)
    np.testing.assert_array_equal(net.rnn_time_step(X[:, :, 4:8]), first)


def test_clear_starts_from_zeros_and_allows_a_new_batch_size():
    net = make_net()
    a = net.rnn_time_step(X[:, :, :3])
    net.rnn_clear_previous_state()
    np.testing.assert_array_equal(net.rnn_time_step(X[:, :, :3]), a)
    net.rnn_clear_previous_state()
    one = net.rnn_time_step(X[:1, :, :3])
    np.testing.assert_allclose(one, a[:1], rtol=1e-12)


def test_state_set_on_one_layer_changes_later_outputs():
    net = make_net()
    net.rnn_set_previous_state(1, {"h": np.ones((2, 5)), "c": np.ones((2, 5))})
    stepped = net.rnn_time_step(X[:, :, :2])
    assert not np.allclose(stepped, net.output(X[:, :, :2]))


def test_fit_clears_the_stored_state():
    net = make_net()
    net.rnn_time_step(X[:, :, :3])
    y = np.zeros((2, 3, 12))
    y[:, 0] = 1
    net.fit(DataSet(X, y))
    assert net.rnn_get_previous_state(0) == {}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=12))
def test_any_chunking_equals_output(chunks):
    net = make_net()
    T = sum(chunks)
    x = np.random.default_rng(T).normal(size=(2, 3, T))
    parts, t0 = [], 0
    for k in chunks:
        out = net.rnn_time_step(x[:, :, t0] if k == 1 else x[:, :, t0:t0 + k])
        parts.append(out[:, :, None] if k == 1 else out)
        t0 += k
    np.testing.assert_allclose(np.concatenate(parts, axis=2), net.output(x), rtol=1e-11, atol=1e-13)


def test_step_problem_is_the_reason_rnn_time_step_gives():
    from workbench.errors import InvalidInputError
    from workbench.nn import Bidirectional, DenseLayer, LSTM, OutputLayer
    ok = MultiLayerNetwork(MultiLayerConfiguration([LSTM(3), RnnOutputLayer(2)],
                                                   input_type=InputType.recurrent(2))).init()
    assert ok.step_problem() is None
    for layers, input_type, words in (
            ([Bidirectional(LSTM(3)), RnnOutputLayer(2)], InputType.recurrent(2), "bidirectional"),
            ([DenseLayer(3), OutputLayer(2)], InputType.feed_forward(2), "no recurrent layer")):
        net = MultiLayerNetwork(MultiLayerConfiguration(layers, input_type=input_type)).init()
        assert words in net.step_problem()
        with pytest.raises(InvalidInputError) as exc:
            net.rnn_time_step(np.zeros((1, 2)))
        assert str(exc.value) == f"rnn_time_step: {net.step_problem()}"


def test_copy_is_independent_and_complete(make_rnn_data):
    net = MultiLayerNetwork(MultiLayerConfiguration([GravesLSTM(4), RnnOutputLayer(2)],
                                                    input_type=InputType.recurrent(3), seed=3)).init()
    data = make_rnn_data(n=2, n_in=3, n_out=2, t=5)
    net.fit(data, epochs=2)
    net.rnn_time_step(data.features[:, :, :3])
    clone = net.copy()
    assert (clone.iteration_count, clone.epoch_count, clone.updater.t) == (2, 2, 2)
    assert all(np.array_equal(v, net.params()[k]) for k, v in clone.params().items())
    assert all(np.array_equal(clone.updater.arrays[k], a) for k, a in net.updater.arrays.items())
    np.testing.assert_array_equal(clone.rnn_time_step(data.features[:, :, 3]), net.rnn_time_step(data.features[:, :, 3]))
    clone.fit(data)                                        # training the copy leaves the original alone
    assert net.iteration_count == 2 and not np.array_equal(clone.params()["0_W"], net.params()["0_W"])
