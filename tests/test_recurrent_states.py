"""recurrent_states: one full pass gives what stepping stores, and both directions of a
bidirectional layer in the sequence's order (float64)."""
import numpy as np
import pytest

from workbench.nn import (
    LSTM, Bidirectional, GravesLSTM, InputType, LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork,
    OutputLayer, RnnOutputLayer, SimpleRnn,
)
from workbench.nn.recurrent_states import recurrent_states

X = np.random.default_rng(0).normal(size=(2, 3, 9))


def network(layers, seed=3):
    conf = MultiLayerConfiguration(layers, input_type=InputType.recurrent(3), seed=seed, dtype="float64")
    return MultiLayerNetwork(conf).init()


def test_unidirectional_states_equal_stepping():
    net = network([GravesLSTM(6), LSTM(5), SimpleRnn(4), RnnOutputLayer(2)])
    out, states = recurrent_states(net, X)
    np.testing.assert_allclose(out, net.output(X), rtol=1e-12, atol=1e-14)
    assert set(states) == {0, 1, 2} and all(set(s) == {"forward"} for s in states.values())
    assert set(states[1]["forward"]) == {"h", "c", "i", "f", "g", "o"} and set(states[2]["forward"]) == {"h"}
    for t in range(X.shape[2]):
        net.rnn_time_step(X[:, :, t])
        for i in (0, 1, 2):
            for key, want in net.rnn_get_previous_state(i).items():
                np.testing.assert_allclose(states[i]["forward"][key][:, :, t], want, rtol=1e-12, atol=1e-14)
        for key, want in net.rnn_gate_activations(1).items():
            np.testing.assert_allclose(states[1]["forward"][key][:, :, t], want, rtol=1e-12, atol=1e-14)
    assert states[0]["forward"]["h"].shape == (2, 6, 9)


@pytest.mark.parametrize("mode", ["concat", "add"])
def test_bidirectional_directions_in_sequence_order(mode):
    net = network([Bidirectional(LSTM(4), mode=mode), RnnOutputLayer(2)])
    out, states = recurrent_states(net, X)
    np.testing.assert_allclose(out, net.output(X), rtol=1e-12)
    fwd, bwd = states[0]["forward"], states[0]["backward"]
    layer_out = net.feed_forward(X)[1]                                 # the layer's own output
    combined = np.concatenate([fwd["h"], bwd["h"]], axis=1) if mode == "concat" else fwd["h"] + bwd["h"]
    np.testing.assert_allclose(combined, layer_out, rtol=1e-12)
    # the backward half is an LSTM reading the reversed sequence: step it and compare
    backward = network([LSTM(4), RnnOutputLayer(2)])
    params = net.params()
    backward.set_params({f"0_{k}": params[f"0_b{k}"] for k in ("W", "RW", "b")})
    T = X.shape[2]
    for k in range(T):
        backward.rnn_time_step(X[:, :, T - 1 - k])
        state = backward.rnn_get_previous_state(0)
        np.testing.assert_allclose(bwd["h"][:, :, T - 1 - k], state["h"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(bwd["c"][:, :, T - 1 - k], state["c"], rtol=1e-12, atol=1e-14)


def test_a_features_mask_and_a_last_time_step_layer():
    net = network([LastTimeStep(SimpleRnn(5)), OutputLayer(2)])
    mask = np.ones((2, 9))
    mask[0, 6:] = 0
    out, states = recurrent_states(net, X, mask)
    np.testing.assert_allclose(out, net.output(X, mask), rtol=1e-12)
    h = states[0]["forward"]["h"]
    assert h.shape == (2, 5, 9)
    np.testing.assert_array_equal(h[0, :, 6:], np.repeat(h[0, :, 5:6], 3, axis=1))   # carried through padding
    net2 = network([LSTM(3), RnnOutputLayer(2)])
    first = recurrent_states(net2, X)[1][0]["forward"]["h"]
    kept = first.copy()
    recurrent_states(net2, -X)                                         # a second pass reuses the workspaces
    np.testing.assert_array_equal(first, kept)                         # but not the arrays returned
