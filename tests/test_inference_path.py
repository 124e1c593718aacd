"""The forward-only inference path (``output``, ``feed_forward``, ``evaluate``, k-step
``rnn_time_step``: layers' ``infer``) equals the training path's forward (``_forward``), and the
once-per-shape input checks of ``rnn_time_step`` still refuse every bad input."""
import numpy as np
import pytest

from workbench.errors import InvalidInputError
from workbench.nn import (
    LSTM, Bidirectional, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, InputType, LastTimeStep,
    MultiLayerConfiguration, MultiLayerNetwork, OutputLayer, RnnOutputLayer, SimpleRnn,
)

N, I, T = 3, 4, 9

STACKS = {
    "LSTM": [LSTM(6), RnnOutputLayer(2)],
    "GravesLSTM": [GravesLSTM(6), RnnOutputLayer(2)],
    "SimpleRnn": [SimpleRnn(5), RnnOutputLayer(2)],
    "stacked": [GravesLSTM(6), LSTM(5), SimpleRnn(4), DenseLayer(3), RnnOutputLayer(2)],
    "Bidirectional concat": [Bidirectional(LSTM(5)), RnnOutputLayer(2)],
    "Bidirectional average": [Bidirectional(SimpleRnn(5), mode="average"), RnnOutputLayer(2)],
    "GravesBidirectionalLSTM": [GravesBidirectionalLSTM(5), RnnOutputLayer(2)],
    "LastTimeStep": [LastTimeStep(GravesLSTM(5)), OutputLayer(2)],
}


def make_net(layers, dtype="float64", seed=4):
    conf = MultiLayerConfiguration(layers, input_type=InputType.recurrent(I), seed=seed, dtype=dtype)
    return MultiLayerNetwork(conf).init()


def ragged_mask():
    m = np.ones((N, T))
    m[0, 6:] = 0                   # padding at the end
    m[2, :3] = 0                   # and at the start
    return m


def training_forward(net, x, mask=None):
    """What output() computed before the inference path: the training forward, masked."""
    b = net._batch(x, mask)
    y, _, acts = net._forward(b)
    lm = net._labels_mask(b)
    if lm is not None:
        y = y * lm[..., None]
    return y, acts


@pytest.mark.parametrize("name", list(STACKS))
@pytest.mark.parametrize("masked", [False, True])
def test_inference_equals_the_training_forward(name, masked):
    net = make_net(STACKS[name])
    x = np.random.default_rng(1).normal(size=(N, I, T))
    mask = ragged_mask() if masked else None
    want, acts = training_forward(net, x, mask)
    recurrent = want.ndim == 3
    want = want.transpose(1, 2, 0) if recurrent else want
    np.testing.assert_allclose(net.output(x, mask), want, rtol=1e-12, atol=1e-15)
    for got, a in zip(net.feed_forward(x, mask), acts):
        np.testing.assert_allclose(got, a.transpose(1, 2, 0) if a.ndim == 3 else a, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["LSTM", "GravesLSTM"])
def test_float32_inference_equals_the_training_forward_to_rounding(name):
    net = make_net(STACKS[name], dtype="float32")
    x = np.random.default_rng(2).normal(size=(N, I, T)).astype(np.float32)
    mask = ragged_mask()
    want, _ = training_forward(net, x, mask)
    got = net.output(x, mask)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want.transpose(1, 2, 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_layer_infer_gives_the_forward_output_and_final_state(dtype):
    net = make_net([GravesLSTM(6), RnnOutputLayer(2)], dtype=dtype)
    layer = net.layers[0]
    rng = np.random.default_rng(3)
    x = rng.normal(size=(T, N, I)).astype(dtype)
    state = {"h": rng.normal(size=(N, 6)).astype(dtype), "c": rng.normal(size=(N, 6)).astype(dtype)}
    mask = ragged_mask().T.astype(dtype)
    y, cache = layer.forward(x, mask, state)
    y, end = y.copy(), {k: v.copy() for k, v in cache.final_state().items()}
    y2, end2 = layer.infer(x, mask, state)
    tol = dict(rtol=1e-12, atol=1e-15) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y2, y, **tol)
    for k in ("h", "c"):
        np.testing.assert_allclose(end2[k], end[k], **tol)


def test_evaluate_uses_the_same_outputs():
    net = make_net(STACKS["stacked"])
    x = np.random.default_rng(5).normal(size=(N, I, T))
    labels = np.eye(2)[np.random.default_rng(6).integers(0, 2, size=(N, T))].transpose(0, 2, 1)
    from workbench.data import DataSet
    ev = net.evaluate(DataSet(x, labels, features_mask=ragged_mask(), labels_mask=ragged_mask()))
    want = training_forward(net, x, ragged_mask())[0].transpose(1, 2, 0).argmax(axis=1)
    keep = ragged_mask() > 0
    assert ev.accuracy() == pytest.approx(float((want == labels.argmax(axis=1))[keep].mean()))


def test_k_step_stepping_keeps_the_training_path_state():
    net, ref = make_net(STACKS["stacked"]), make_net(STACKS["stacked"])
    x = np.random.default_rng(7).normal(size=(N, I, T))
    net.rnn_time_step(x[:, :, :5])
    b = ref._batch(x[:, :, :5])
    _, caches, _ = ref._forward(b)
    for i in ref._recurrent_indices():
        want = ref.layers[i].final_state(caches[i])
        got = net.rnn_get_previous_state(i)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.concatenate([net.rnn_time_step(x[:, :, 5:])], axis=2),
                               net.output(x)[:, :, 5:], rtol=1e-12, atol=1e-14)


def test_fast_step_checks_still_refuse_bad_shapes_after_good_calls():
    net = make_net(STACKS["stacked"])
    good = np.random.default_rng(8).normal(size=(N, I))
    for _ in range(3):
        net.rnn_time_step(good)                                    # (N, I) checked once, then remembered
    net.rnn_clear_previous_state()
    net.rnn_time_step(np.zeros((2, I, 3)))                         # another good shape in between
    for bad, words in (((2, I + 1), ["rnn_time_step x", "n_in=4", "(2, 5)"]),
                       ((2, I + 1, 3), ["rnn_time_step x", "n_in=4", "(2, 5, 3)"]),
                       ((0, I), ["rnn_time_step x", "no examples", "(0, 4)"]),
                       ((2, I, 0), ["rnn_time_step x", "no time steps", "(2, 4, 0)"]),
                       ((2, I, 3, 1), ["rnn_time_step", "n_in=4", "(2, 4, 3, 1)"])):
        with pytest.raises(InvalidInputError) as info:
            net.rnn_time_step(np.zeros(bad))
        assert all(w in str(info.value) for w in words), str(info.value)
    with pytest.raises(InvalidInputError, match=r"input batch 3 != stored state batch 2"):
        net.rnn_time_step(good)                                    # a shape checked before, wrong batch now
    nan = np.zeros((2, I))
    nan[1, 2] = np.nan
    with pytest.raises(InvalidInputError, match=r"rnn_time_step x contains NaN or inf \(first at index \(1, 2\)"):
        net.rnn_time_step(nan)                                     # same shape as accepted ones: values still checked
    with pytest.raises(InvalidInputError, match=r"outside the float32 range"):
        make_net(STACKS["LSTM"], dtype="float32").rnn_time_step(np.full((2, I), 1e300))


@pytest.mark.parametrize("name", ["stacked", "LastTimeStep"])
def test_a_one_step_series_takes_the_one_step_cells_and_keeps_its_time_axis(name):
    net, ref = make_net(STACKS[name]), make_net(STACKS[name])
    x = np.random.default_rng(8).normal(size=(N, I, T))
    for t in range(T):
        got, want = net.rnn_time_step(x[:, :, t:t + 1]), ref.rnn_time_step(x[:, :, t])
        assert got.shape == (want.shape + (1,) if name == "stacked" else want.shape)
        np.testing.assert_array_equal(got.reshape(want.shape), want)           # the same cells: bit-identical
    np.testing.assert_allclose(got.reshape(want.shape), net.output(x)[..., -1] if name == "stacked" else
                               net.output(x), rtol=1e-12, atol=1e-14)
