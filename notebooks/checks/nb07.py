"""Checks for 07_bidirectional_and_one_to_many."""
from __future__ import annotations

import numbers

import numpy as np

from checks import answered, verdict


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


def _whole(value):
    """An int, or a float with no fraction (6.0): a time step or a count."""
    return _number(value) and float(value).is_integer()


def _net(recurrent_layer, n_in, n_out, loss="mcxent", activation="softmax", seed=1, lr=0.02):
    from workbench.nn import Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    conf = MultiLayerConfiguration([recurrent_layer, RnnOutputLayer(n_out, loss=loss, activation=activation)],
                                   input_type=InputType.recurrent(n_in), updater=Adam(lr), seed=seed)
    return MultiLayerNetwork(conf).init()


def exercise_1(predicted_accuracy):
    """The unidirectional LSTM on 4 symbols: chance is 1/4."""
    if not answered(predicted_accuracy):
        return False
    if not _number(predicted_accuracy) or not 0 <= predicted_accuracy <= 1:
        return verdict(False, "", f"predicted_accuracy should be a number between 0 and 1, got {predicted_accuracy!r}")
    from workbench.data import ListDataSetIterator
    from workbench.data import datasets
    from workbench.nn import LSTM

    train = datasets.shifted_symbols(n=512, length=12, symbols=4, seed=0)
    test = datasets.shifted_symbols(n=256, length=12, symbols=4, seed=1)
    net = _net(LSTM(12), 4, 4)
    net.fit(ListDataSetIterator(train, batch_size=32), epochs=8)
    measured = net.evaluate(test).accuracy()
    print(f"measured test accuracy of LSTM(12) on 4 symbols: {measured:.3f}")
    return verdict(abs(predicted_accuracy - measured) < 0.08,
                   right=f"with 4 equally likely symbols a network that cannot see step t + 2 guesses right 1 time in 4 "
                         f"({measured:.2f} measured); more training does not help, the information is not there",
                   hint="ask what the network knows at step t about the symbol at step t + 2, and how often a "
                        "blind guess among the symbols is right")


def exercise_2(widths):
    """Output width of Bidirectional(LSTM(6), mode) per mode."""
    if not answered(widths):
        return False
    modes = ("concat", "add", "mul", "average")
    if not isinstance(widths, dict) or set(widths) != set(modes):
        return verdict(False, "", f"widths should be a dict with the keys {list(modes)}, got {widths!r}")
    from workbench.data import datasets
    from workbench.nn import LSTM, Bidirectional

    x = datasets.shifted_symbols(n=2, length=12, seed=0).features
    measured = {m: int(_net(Bidirectional(LSTM(6), mode=m), 2, 2).feed_forward(x)[1].shape[1]) for m in modes}
    wrong = [m for m in modes if not (isinstance(widths[m], numbers.Integral) and widths[m] == measured[m])]
    print("measured:", measured)
    return verdict(not wrong,
                   right="concat stacks the forward and the backward outputs (2 x 6 = 12 per step); add, mul and "
                         "average combine them unit by unit (6)",
                   hint=f"not right for {wrong}: which mode keeps both directions' 6 values side by side, and which "
                        "combine the two values of each unit into one?")


def exercise_3(padded_mask, backward_start):
    """Features mask for lengths (3, 7, 10) padded to 10; the backward start of the 7-step series."""
    if not answered(padded_mask, backward_start):
        return False
    lengths = np.array([3, 7, 10])
    expected = (np.arange(10)[None, :] < lengths[:, None]).astype(np.float32)
    try:
        mask = np.asarray(padded_mask, dtype=np.float32)
    except (TypeError, ValueError):
        return verdict(False, "", f"padded_mask should be an array of 0s and 1s, got {type(padded_mask).__name__}")
    if mask.shape != (3, 10):
        return verdict(False, "", f"padded_mask should have shape (3, 10): [batch, time], got {mask.shape}")
    if not np.array_equal(mask, expected):
        bad = sorted({int(i) for i in np.nonzero((mask != expected).any(axis=1))[0]})
        return verdict(False, "", f"rows {bad} are not right: a row is 1 on the series' real steps (from step 0) "
                                  "and 0 on the padding after its end")
    if not _whole(backward_start):
        return verdict(False, "", f"backward_start should be an int (a time step), got {backward_start!r}")

    from workbench.data import datasets
    from workbench.nn import LSTM, Bidirectional

    net = _net(Bidirectional(LSTM(4)), 2, 2)
    pieces = [datasets.shifted_symbols(n=1, length=int(n), seed=20 + k).features for k, n in enumerate(lengths)]
    batch = np.zeros((3, 2, 10), np.float32)
    for k, p in enumerate(pieces):
        batch[k, :, :p.shape[2]] = p[0]
    out = net.output(batch, features_mask=mask)
    same = all(np.allclose(out[k, :, :n], net.output(p)[0], atol=1e-5) for k, (p, n) in enumerate(zip(pieces, lengths)))
    print("with your mask, each padded series' outputs equal the series run alone:", same)
    if backward_start != 6:
        hint = ("the backward direction does not start at the padding (step 9); it starts at the series' last real step"
                if backward_start == 9 else
                "the backward direction reads the series from its end to its start; which step is the last real one of "
                "a 7-step series counted from 0?")
        return verdict(False, "", f"the mask is right; backward_start: {hint}")
    return verdict(same, right="the mask is 1 on steps 0..n-1 of each row; the backward direction of the 7-step series "
                               "starts at its own last real step, 6, not at the padding, so the padding changes nothing",
                   hint="the outputs did not match the series run alone")


def exercise_4(steps_counted):
    """With a features mask and no labels mask, the loss falls back to the features mask."""
    if not answered(steps_counted):
        return False
    if not _whole(steps_counted):
        return verdict(False, "", f"steps_counted should be an int, got {steps_counted!r}")
    from workbench.data import DataSet
    from workbench.nn import LSTM

    rng = np.random.default_rng(0)
    x = np.zeros((6, 1, 11), np.float32)
    x[:, 0, 0] = rng.normal(size=6)
    y = rng.normal(size=(6, 1, 11)).astype(np.float32)
    fmask = np.zeros((6, 11), np.float32)
    fmask[:, 0] = 1
    net = _net(LSTM(4), 1, 1, loss="mse", activation="identity")
    score = net.score(DataSet(x, y, features_mask=fmask))
    measured = None
    for k in range(12):
        lmask = np.zeros((6, 11), np.float32)
        lmask[:, :k] = 1
        if k and np.isclose(net.score(DataSet(x, y, features_mask=fmask, labels_mask=lmask)), score, rtol=1e-6):
            measured = k
            break
    print(f"score with no labels mask: {score:.4f}; the same score with a labels mask on the first "
          f"{measured} step(s)")
    return verdict(steps_counted == measured,
                   right="with no labels mask the loss uses the features mask, so only step 0 (January's step) is "
                         "scored: the network would learn February alone. Give a labels mask, or (better for "
                         "one-to-many) drop the features mask",
                   hint="when a DataSet has a features mask but no labels mask, which mask do you think the loss "
                        "borrows? Count the 1s in it")
