"""Bidirectional, LastTimeStep and CNN/Dense + RNN networks: gradients, definitions, masks, stepping."""
import numpy as np
import pytest

from helpers import max_relative_gradient_error, ragged_masks, random_sequences
from workbench.data import DataSet
from workbench.nn import (
    LSTM, Bidirectional, ConvolutionLayer, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, InputType, LastTimeStep,
    MultiLayerConfiguration, MultiLayerNetwork, OutputLayer, RnnOutputLayer, SimpleRnn, SubsamplingLayer,
)

TOL = 1e-3
MODES = ["concat", "add", "mul", "average"]


def make(layers, it=InputType.recurrent(4), seed=3, **kw):
    return MultiLayerNetwork(MultiLayerConfiguration(layers, input_type=it, seed=seed, dtype="float64", **kw)).init()


def masked_data():
    x, y = random_sequences()
    fm, lm = ragged_masks()
    return x, y, fm, lm


# ---- gradient checks (float64, with masks) ----
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("inner", [LSTM, GravesLSTM, SimpleRnn])
def test_bidirectional_gradients(inner, mode):
    x, y, fm, lm = masked_data()
    net = make([Bidirectional(inner(3), mode), RnnOutputLayer(3)], l2=0.01, l1_bias=0.01)
    assert max_relative_gradient_error(net, DataSet(x, y, fm, lm)) < TOL


def test_graves_bidirectional_and_stacked_gradients():
    x, y, fm, lm = masked_data()
    net = make([GravesBidirectionalLSTM(3), Bidirectional(LSTM(2)), RnnOutputLayer(3)], l2=0.02)
    assert max_relative_gradient_error(net, DataSet(x, y, fm, lm)) < TOL


def test_dense_lstm_dense_gradients():
    x, y, fm, lm = masked_data()
    net = make([DenseLayer(5), GravesLSTM(4), DenseLayer(3, activation="relu"), RnnOutputLayer(3)], l1=0.01)
    assert max_relative_gradient_error(net, DataSet(x, y, fm, lm)) < TOL


@pytest.mark.parametrize("inner", [LSTM(3), Bidirectional(GravesLSTM(2), "concat")])
def test_last_time_step_gradients(inner):
    x, y, fm, _ = masked_data()
    net = make([LastTimeStep(inner), OutputLayer(3)])
    assert max_relative_gradient_error(net, DataSet(x, y[:, :, 0], fm)) < TOL


@pytest.mark.parametrize("pooling", ["max", "avg"])
def test_cnn_lstm_gradients(pooling):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2 * 6 * 5, 4))                    # 2 channels of 6x5 frames, 4 steps
    y = np.eye(3)[rng.integers(0, 3, (2, 4))].transpose(0, 2, 1)
    fm = np.array([[1, 1, 1, 0], [0, 1, 1, 1.0]])
    net = make([ConvolutionLayer(3, kernel_size=(3, 2), stride=(2, 1), padding=1, activation="tanh"),
                SubsamplingLayer(pooling, kernel_size=2, stride=1), GravesLSTM(3), RnnOutputLayer(3)],
               InputType.recurrent(60, height=6, width=5, channels=2), l2=0.01)
    assert max_relative_gradient_error(net, DataSet(x, y, fm)) < TOL


def test_cnn_feed_forward_gradients():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 1, 7, 7))
    y = np.eye(2)[rng.integers(0, 2, 3)]
    net = make([ConvolutionLayer(2, kernel_size=3, stride=2, activation="relu"), SubsamplingLayer("max", 2, 1),
                DenseLayer(4), OutputLayer(2)], InputType.convolutional(7, 7, 1))
    assert max_relative_gradient_error(net, DataSet(x, y)) < TOL


# ---- definitions ----
def test_bidirectional_add_of_graves_equals_graves_bidirectional_lstm():
    x, y, fm, lm = masked_data()
    wrapped = make([Bidirectional(GravesLSTM(3), "add"), RnnOutputLayer(3)], seed=1)
    graves = make([GravesBidirectionalLSTM(3), RnnOutputLayer(3)], seed=2)
    assert set(wrapped.params()) == set(graves.params())
    graves.set_params(wrapped.params())
    ds = DataSet(x, y, fm, lm)
    np.testing.assert_array_equal(graves.output(x, fm), wrapped.output(x, fm))
    (g1, s1), (g2, s2) = wrapped.compute_gradient_and_score(ds), graves.compute_gradient_and_score(ds)
    assert s1 == s2
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_against_its_definition_on_reversed_input(mode):
    """forward = a one-direction net with the f parameters; backward = the same net with the b
    parameters run on the time-reversed input, its output reversed back."""
    x = np.random.default_rng(6).normal(size=(3, 4, 7))
    bi = make([Bidirectional(GravesLSTM(3), mode)])
    one = make([GravesLSTM(3)])
    p = bi.params()
    one.set_params({f"0_{k}": p[f"0_f{k}"] for k in ("W", "RW", "b", "P")})
    yf = one.output(x)
    one.set_params({f"0_{k}": p[f"0_b{k}"] for k in ("W", "RW", "b", "P")})
    yb = one.output(x[:, :, ::-1])[:, :, ::-1]
    expected = {"concat": np.concatenate([yf, yb], axis=1), "add": yf + yb, "mul": yf * yb,
                "average": (yf + yb) / 2}[mode]
    np.testing.assert_allclose(bi.output(x), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("layer", [Bidirectional(LSTM(3), "concat"), Bidirectional(SimpleRnn(3), "mul"),
                                   GravesBidirectionalLSTM(3)])
def test_bidirectional_padding_at_either_end_changes_no_valid_output(layer):
    rng = np.random.default_rng(7)
    net = make([layer, Bidirectional(GravesLSTM(2), "average")])
    seqs = [rng.normal(size=(4, L)) for L in (5, 3, 7)]
    T = 7
    for at_start in (False, True):
        x, m = np.full((3, 4, T), 9.0), np.zeros((3, T))      # junk in the padding
        for k, s in enumerate(seqs):
            sl = slice(T - s.shape[1], T) if at_start else slice(0, s.shape[1])
            x[k, :, sl], m[k, sl] = s, 1
        out = net.output(x, features_mask=m)
        for k, s in enumerate(seqs):
            np.testing.assert_allclose(out[k][:, m[k] == 1], net.output(s[None])[0], rtol=1e-10, atol=1e-13)
            assert np.all(out[k][:, m[k] == 0] == 0)


def test_last_time_step_takes_each_examples_last_unmasked_step():
    x, _, fm, _ = masked_data()
    seq = make([LSTM(3)])
    last = make([LastTimeStep(LSTM(3))])
    last.set_params(seq.params())
    full = seq.output(x, features_mask=fm)
    idx = [int(np.nonzero(row)[0][-1]) for row in fm]
    np.testing.assert_allclose(last.output(x, features_mask=fm), full[np.arange(3), :, idx], rtol=1e-12)
    fm[1] = 0
    with pytest.raises(ValueError, match="example 1 has no unmasked step"):
        last.output(x, features_mask=fm)


# ---- stepping ----
def stepped(net, x, chunks):
    outs, t0 = [], 0
    for k in chunks:
        out = net.rnn_time_step(x[:, :, t0] if k == 1 else x[:, :, t0:t0 + k])
        outs.append(out[:, :, None] if k == 1 else out)
        t0 += k
    return np.concatenate(outs, axis=2)


@pytest.mark.parametrize("chunks", [[1] * 6, [2, 1, 3], [6], [4, 2]])
def test_stepping_dense_lstm_dense_output_equals_output(chunks):
    net = make([DenseLayer(5), GravesLSTM(4), DenseLayer(3), RnnOutputLayer(3)])
    x = np.random.default_rng(8).normal(size=(2, 4, 6))
    np.testing.assert_allclose(stepped(net, x, chunks), net.output(x), rtol=1e-12, atol=1e-14)


def test_stepping_a_cnn_lstm_network_equals_output():
    net = make([ConvolutionLayer(2, kernel_size=2, activation="tanh"), SubsamplingLayer("max", 2, 1), LSTM(3),
                RnnOutputLayer(2)], InputType.recurrent(25, height=5, width=5, channels=1))
    x = np.random.default_rng(9).normal(size=(2, 25, 5))
    np.testing.assert_allclose(stepped(net, x, [1, 2, 1, 1]), net.output(x), rtol=1e-12, atol=1e-14)


def test_stepping_with_last_time_step_returns_the_latest_output():
    net = make([LastTimeStep(GravesLSTM(3)), OutputLayer(2)])
    x = np.random.default_rng(10).normal(size=(2, 4, 6))
    net.rnn_time_step(x[:, :, :4])
    np.testing.assert_allclose(net.rnn_time_step(x[:, :, 4:]), net.output(x), rtol=1e-12)
    assert set(net.rnn_get_previous_state(0)) == {"h", "c"}


def test_a_bidirectional_network_cannot_step():
    net = make([Bidirectional(LSTM(3)), RnnOutputLayer(2)])
    with pytest.raises(ValueError, match="layer 0 \\(Bidirectional\\) is bidirectional"):
        net.rnn_time_step(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="bidirectional and keeps no step state"):
        net.rnn_get_previous_state(0)


def test_summary_shows_the_inserted_preprocessors_and_shapes():
    net = make([ConvolutionLayer(2, kernel_size=2), SubsamplingLayer("max", 2), LSTM(3), RnnOutputLayer(2)],
               InputType.recurrent(25, height=5, width=5, channels=1))
    text = net.summary()
    assert text.index("RnnToCnnPreProcessor") < text.index("ConvolutionLayer") < text.index("CnnToRnnPreProcessor")
    assert "[2, 4, 4]" in text and "[2, 2, 2]" in text
