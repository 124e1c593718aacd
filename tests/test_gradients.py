"""float64 central-difference gradient checks of every layer, loss and activation, with masks and l1/l2."""
import numpy as np
import pytest

from helpers import max_relative_gradient_error, ragged_masks, random_sequences
from workbench.data import DataSet
from workbench.nn import (
    LSTM, DenseLayer, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, OutputLayer,
    RnnOutputLayer, SimpleRnn,
)

TOL = 1e-3
REG = dict(l1=0.01, l2=0.02, l1_bias=0.005, l2_bias=0.01)


def net_of(layers, n_in, kind="recurrent", **kw):
    it = InputType.recurrent(n_in) if kind == "recurrent" else InputType.feed_forward(n_in)
    conf = MultiLayerConfiguration(layers, input_type=it, seed=7, dtype="float64", **kw)
    return MultiLayerNetwork(conf).init()


@pytest.mark.parametrize("layer", [LSTM, GravesLSTM, SimpleRnn])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("reg", [False, True])
def test_recurrent_layers_stacked(layer, masked, reg):
    x, y = random_sequences()
    fm, lm = ragged_masks()
    ds = DataSet(x, y, fm if masked else None, lm if masked else None)
    net = net_of([layer(5), layer(4), RnnOutputLayer(3)], 4, **(REG if reg else {}))
    assert max_relative_gradient_error(net, ds) < TOL


@pytest.mark.parametrize("gate,act", [("hardsigmoid", "softsign"), ("sigmoid", "relu"),
                                      ("sigmoid", "identity"), ("hardsigmoid", "tanh")])
@pytest.mark.parametrize("layer", [LSTM, GravesLSTM])
def test_lstm_activations(layer, gate, act):
    x, y = random_sequences(seed=1)
    fm, lm = ragged_masks()
    net = net_of([layer(4, gate_activation=gate, activation=act), RnnOutputLayer(3)], 4)
    assert max_relative_gradient_error(net, DataSet(x, y, fm, lm)) < TOL


@pytest.mark.parametrize("loss,act,one_hot", [
    ("mcxent", "softmax", True), ("negativeloglikelihood", "softmax", True), ("mcxent", "sigmoid", True),
    ("xent", "sigmoid", False), ("mse", "identity", False), ("mse", "tanh", False),
    ("l1", "identity", False), ("l1", "sigmoid", False),
])
def test_rnn_output_losses_with_labels_mask(loss, act, one_hot):
    x, y = random_sequences(seed=2, one_hot=one_hot)
    fm, lm = ragged_masks()
    net = net_of([GravesLSTM(4), RnnOutputLayer(3, loss=loss, activation=act)], 4, **REG)
    assert max_relative_gradient_error(net, DataSet(x, y, fm, lm)) < TOL


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "hardsigmoid", "relu", "leakyrelu", "softmax",
                                 "identity", "softsign"])
def test_dense_and_output_layer_2d(act):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 4))
    y = np.eye(3)[rng.integers(0, 3, size=5)]
    mask = np.array([1, 1, 0, 1, 1.0])
    net = net_of([DenseLayer(6, activation=act), OutputLayer(3)], 4, kind="ff", **REG)
    assert max_relative_gradient_error(net, DataSet(x, y, labels_mask=mask[:, None])) < TOL


def test_gradient_check_detects_a_wrong_gradient(monkeypatch):
    """The checker itself must fail on a broken backward pass."""
    x, y = random_sequences()
    net = net_of([LSTM(4), RnnOutputLayer(3)], 4)
    real = net.compute_gradient_and_score

    def broken(ds):
        grads, score = real(ds)
        grads["0_RW"] = grads["0_RW"] * 1.01
        return grads, score
    monkeypatch.setattr(net, "compute_gradient_and_score", broken)
    assert max_relative_gradient_error(net, DataSet(x, y)) > TOL


def test_score_divides_by_batch_not_time_and_masked_steps_do_not_count():
    x, y = random_sequences(n=4, T=5)
    net = net_of([LSTM(3), RnnOutputLayer(3)], 4)
    per_example = net.score_examples(DataSet(x, y))
    assert np.isclose(net.score(DataSet(x, y)), per_example.sum() / 4)
    lm = np.ones((4, 5))
    lm[:, 2:] = 0
    masked = net.score_examples(DataSet(x, y, labels_mask=lm))
    out = net.output(x)
    manual = -(y * np.log(out))[:, :, :2].sum(axis=(1, 2))
    assert np.allclose(masked, manual)
