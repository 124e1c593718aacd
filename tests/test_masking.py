"""Padding invariance: a features mask makes padding (at the end or the start) change nothing."""
import numpy as np
from hypothesis import given, settings, strategies as st

from workbench.data import DataSet
from workbench.nn import (
    LSTM, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, SimpleRnn,
)

T = 7
NET = MultiLayerNetwork(MultiLayerConfiguration(
    [LSTM(4), GravesLSTM(3), SimpleRnn(3), RnnOutputLayer(2)],
    input_type=InputType.recurrent(3), seed=5, dtype="float64")).init()


def pad(seqs, ys, at_start):
    """Pad each [n_in, L] sequence to T steps at its end or start; returns x, y, mask."""
    n = len(seqs)
    x, y, m = np.zeros((n, 3, T)), np.zeros((n, 2, T)), np.zeros((n, T))
    for k, (s, lab, start) in enumerate(zip(seqs, ys, at_start)):
        L = s.shape[1]
        sl = slice(T - L, T) if start else slice(0, L)
        x[k, :, sl], y[k, :, sl], m[k, sl] = s, lab, 1
    return x, y, m


examples = st.lists(st.tuples(st.integers(1, T), st.booleans()), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None)
@given(examples, st.integers(0, 10_000))
def test_padding_changes_no_valid_output_score_or_gradient(spec, seed):
    rng = np.random.default_rng(seed)
    seqs = [rng.normal(size=(3, L)) for L, _ in spec]
    ys = [np.eye(2)[rng.integers(0, 2, L)].T for L, _ in spec]
    x, y, m = pad(seqs, ys, [s for _, s in spec])
    x[m[:, None, :].repeat(3, 1) == 0] = rng.normal(size=int((m == 0).sum() * 3)) * 5   # junk padding
    out = NET.output(x, features_mask=m)
    grads, score = NET.compute_gradient_and_score(DataSet(x, y, m, m))
    alone_scores, alone_grads = [], {k: 0 for k in grads}
    for k, (s, lab) in enumerate(zip(seqs, ys)):
        valid = m[k] == 1
        np.testing.assert_allclose(out[k][:, valid], NET.output(s[None])[0], rtol=1e-9, atol=1e-12)
        assert np.all(out[k][:, ~valid] == 0)
        g, sc = NET.compute_gradient_and_score(DataSet(s[None], lab[None]))
        alone_scores.append(sc)
        for key in g:
            alone_grads[key] = alone_grads[key] + g[key] / len(seqs)
    assert np.isclose(score, np.mean(alone_scores), rtol=1e-10)
    for key in grads:
        np.testing.assert_allclose(grads[key], alone_grads[key], rtol=1e-7, atol=1e-12)


def test_final_state_is_that_of_the_last_valid_step():
    rng = np.random.default_rng(0)
    s = rng.normal(size=(3, 4))
    x, _, m = pad([s, s], [np.zeros((2, 4))] * 2, [False, True])
    layer = NET.layers[0]
    _, cache = layer.forward(np.ascontiguousarray(x.transpose(2, 0, 1)), np.ascontiguousarray(m.T))
    end, start = cache.final_state()["h"].copy(), None
    NET.rnn_clear_previous_state()
    NET.rnn_time_step(s[None])
    alone = NET.rnn_get_previous_state(0)["h"][0]
    np.testing.assert_allclose(end[0], alone, rtol=1e-10)
    np.testing.assert_allclose(end[1], alone, rtol=1e-10)
    NET.rnn_clear_previous_state()
    assert start is None


def test_labels_mask_zeroes_output_and_score():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, T))
    lm = np.zeros((2, T))
    lm[:, -1] = 1                                 # many-to-one: only the last step counts
    out = NET.output(x, labels_mask=lm)
    assert np.all(out[:, :, :-1] == 0) and np.all(out[:, :, -1] != 0)
    y = np.zeros((2, 2, T))
    y[:, 0, -1] = 1
    expected = -np.log(NET.output(x)[:, 0, -1])
    np.testing.assert_allclose(NET.score_examples(DataSet(x, y, labels_mask=lm)), expected, rtol=1e-10)
