"""LSTM, GravesLSTM and SimpleRnn against a plain, step-by-step NumPy transcription of the equations."""
import numpy as np
import pytest

from workbench.nn import LSTM, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, SimpleRnn

ACT = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "hardsigmoid": lambda z: np.clip(0.2 * z + 0.5, 0.0, 1.0),
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "relu": lambda z: np.maximum(z, 0.0),
    "identity": lambda z: z,
}


def reference_lstm(x, p, gate, act, mask=None, peepholes=False):
    """x [N, I, T]; p: W [I, 4H], RW [H, 4H], b [4H], P [3, H]. Returns h [N, H, T], final (h, c)."""
    N, _, T = x.shape
    H = p["RW"].shape[0]
    h, c = np.zeros((N, H)), np.zeros((N, H))
    out = np.zeros((N, H, T))
    for t in range(T):
        z = x[:, :, t] @ p["W"] + h @ p["RW"] + p["b"]
        zi, zf, zg, zo = (z[:, k * H:(k + 1) * H] for k in range(4))
        if peepholes:
            zi, zf = zi + p["P"][0] * c, zf + p["P"][1] * c
        i, f, g = ACT[gate](zi), ACT[gate](zf), ACT[act](zg)
        c_new = f * c + i * g
        if peepholes:
            zo = zo + p["P"][2] * c_new
        h_new = ACT[gate](zo) * ACT[act](c_new)
        m = np.ones((N, 1)) if mask is None else mask[:, t:t + 1]
        out[:, :, t] = m * h_new
        h, c = m * h_new + (1 - m) * h, m * c_new + (1 - m) * c
    return out, h, c


def layer_params(net):
    return {k.split("_", 1)[1]: v for k, v in net.params().items()}


def make_net(layer, n_in=5, seed=11):
    conf = MultiLayerConfiguration([layer], input_type=InputType.recurrent(n_in), seed=seed, dtype="float64")
    net = MultiLayerNetwork(conf).init()
    rng = np.random.default_rng(seed)      # non-trivial biases and peepholes
    net.set_params({k: v + rng.normal(scale=0.3, size=v.shape) for k, v in net.params().items()})
    return net


@pytest.mark.parametrize("cls", [LSTM, GravesLSTM])
@pytest.mark.parametrize("gate,act", [("sigmoid", "tanh"), ("hardsigmoid", "softsign"), ("sigmoid", "relu"),
                                      ("hardsigmoid", "identity")])
@pytest.mark.parametrize("masked", [False, True])
def test_lstm_matches_reference(cls, gate, act, masked):
    net = make_net(cls(7, gate_activation=gate, activation=act))
    x = np.random.default_rng(1).normal(size=(4, 5, 9))
    mask = None
    if masked:
        mask = np.ones((4, 9))
        mask[0, 6:] = 0
        mask[1, :3] = 0
        mask[2, 4] = 0
    expected, h, c = reference_lstm(x, layer_params(net), gate, act, mask, peepholes=cls is GravesLSTM)
    np.testing.assert_allclose(net.output(x, features_mask=mask), expected, rtol=1e-10, atol=1e-12)
    if not masked:                        # the state kept by rnn_time_step is the reference's final state
        net.rnn_time_step(x)
        state = net.rnn_get_previous_state(0)
        np.testing.assert_allclose(state["h"], h, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(state["c"], c, rtol=1e-10, atol=1e-12)


def test_forget_gate_bias_and_parameter_layout():
    net = MultiLayerNetwork(MultiLayerConfiguration(
        [GravesLSTM(3, forget_gate_bias_init=2.5)], input_type=InputType.recurrent(2), seed=0)).init()
    p = net.params()
    assert p["0_W"].shape == (2, 12) and p["0_RW"].shape == (3, 12) and p["0_P"].shape == (3, 3)
    np.testing.assert_array_equal(p["0_b"], [0, 0, 0, 2.5, 2.5, 2.5, 0, 0, 0, 0, 0, 0])


def test_simple_rnn_matches_reference():
    net = make_net(SimpleRnn(6, activation="tanh"))
    p = layer_params(net)
    x = np.random.default_rng(2).normal(size=(3, 5, 8))
    h = np.zeros((3, 6))
    expected = np.zeros((3, 6, 8))
    for t in range(8):
        h = np.tanh(x[:, :, t] @ p["W"] + h @ p["RW"] + p["b"])
        expected[:, :, t] = h
    np.testing.assert_allclose(net.output(x), expected, rtol=1e-10, atol=1e-12)
