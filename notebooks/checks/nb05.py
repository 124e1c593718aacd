"""Checks for the exercises of 05_rnn_time_step.ipynb."""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from checks import MISSING, answered, letter, verdict


def _airline_forecaster():
    """(a briefly trained airline forecaster, history, normalizer): the notebook's network, fewer passes."""
    from workbench.data.datasets import airline_changes
    from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    train, test, norm = airline_changes()
    conf = MultiLayerConfiguration([LSTM(32), RnnOutputLayer(1, loss="mse", activation="identity")],
                                   input_type=InputType.recurrent(1), updater=Adam(0.01), seed=4)
    net = MultiLayerNetwork(conf).init()
    net.fit([train] * 40)
    return net, test.features, norm


def _holds_ellipsis(function) -> bool:
    try:
        return "..." in inspect.getsource(function)
    except (OSError, TypeError):
        return False


def exercise_1(forecast_ahead):
    """forecast_ahead(net, y, k): y, then k - 1 predictions each fed back through to_input."""
    if not answered(forecast_ahead):
        return False
    if not callable(forecast_ahead):
        return verdict(False, "", "forecast_ahead must be a function: def forecast_ahead(net, y, k): ...")
    net, history, norm = _airline_forecaster()

    def to_input(prediction):
        return ((norm.revert_labels(prediction) - norm.feature_mean) / norm.feature_std).astype(np.float32)

    k, start = 12, 120
    net.rnn_clear_previous_state()
    y = net.rnn_time_step(history[:, :, :start])[:, :, -1]
    expected = [y]
    for _ in range(k - 1):
        expected.append(net.rnn_time_step(to_input(expected[-1])))
    expected = np.concatenate(expected, axis=1)

    net.rnn_clear_previous_state()
    y = net.rnn_time_step(history[:, :, :start])[:, :, -1]
    try:
        got = forecast_ahead(net, y, k)
    except Exception as err:
        if _holds_ellipsis(forecast_ahead):
            print(f"{MISSING}: replace the ... in forecast_ahead, run its cell, then run this check again")
            return False
        return verdict(False, "", f"forecast_ahead(net, y, 12) raised {type(err).__name__}: {err}")
    try:
        got = np.asarray(got, dtype=np.float64)
    except Exception:
        return verdict(False, "", "forecast_ahead should return an array of predictions [1, k]")
    if got.size != k:
        return verdict(False, "", f"forecast_ahead(net, y, 12) returned {got.size} values; it should return 12, "
                       "the first being y itself")
    got = got.reshape(1, k)
    if np.allclose(got, expected, atol=1e-4):
        return verdict(True, "each month's input is the previous month's prediction, and the stored state "
                       "carries the rest of the history: one rnn_time_step call per month ahead. Nothing new "
                       "was observed, so any error is fed back too", "")
    raw = [y]
    net.rnn_clear_previous_state()
    net.rnn_time_step(history[:, :, :start])
    for _ in range(k - 1):
        raw.append(net.rnn_time_step(raw[-1]))
    if np.allclose(got, np.concatenate(raw, axis=1), atol=1e-4):
        return verdict(False, "", "close: the prediction is standardised as a label, the input as a feature; "
                       "convert it with to_input before feeding it back")
    if np.allclose(got[0, 0], expected[0, 0], atol=1e-4):
        return verdict(False, "", "the first value is right; after it, feed the latest prediction (not the "
                       "first one, nor a known month) to net.rnn_time_step, one month per call, without clearing")
    return verdict(False, "", "start from y as it is given (the state already holds the history); then call "
                   "net.rnn_time_step(to_input(latest prediction)) once per month")


def exercise_2(after_clearing):
    """After rnn_clear_previous_state(), the first output is that of a one-month series: "b"."""
    if not answered(after_clearing):
        return False
    choice = letter(after_clearing, "after_clearing")
    if choice is None:
        return False
    net, history, _ = _airline_forecaster()
    net.rnn_clear_previous_state()
    stepped = net.rnn_time_step(history)                       # all 142 months
    net.rnn_clear_previous_state()
    first = net.rnn_time_step(history[:, :, 130])
    options = {"a": stepped[:, :, 130], "b": net.output(history[:, :, 130:131])[:, :, 0], "c": np.zeros_like(first)}
    matches = [key for key, value in options.items() if np.allclose(first, value, atol=1e-5)]
    numbers_text = (f"after clearing: {float(first[0, 0]):.4f}; (a) {float(options['a'][0, 0]):.4f}, "
                    f"(b) {float(options['b'][0, 0]):.4f}")
    if choice in matches:
        return verdict(True, f"{numbers_text}. Clearing sets h and c back to zeros, the state a new series "
                       "starts from, so the network reads month 130 as if it were the first month of a "
                       "series. Everything it had learned from months 0 to 129 is gone: only the "
                       "parameters remain", "")
    if choice == "a":
        return verdict(False, "", "the output for month 130 in the stepped history used the memory of months "
                       "0 to 129; what is left of that memory after clearing?")
    return verdict(False, "", "a cleared state is zeros, but the input still goes through the weights and "
                   "biases: the output is what the network says about a series that starts with this month")


def _temperature(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and 0.01 <= float(v) <= 5


def exercise_3(cool, hot, char_net, text):
    """Temperatures whose samples use at most 20 / at least 50 distinct characters."""
    if not answered(cool, hot, char_net, text):
        return False
    if not (_temperature(cool) and _temperature(hot)):
        return verdict(False, "", "both temperatures are numbers between 0.01 and 5")
    from workbench.nn.sampling import sample_characters

    def distinct(temperature):
        return [len(set(sample_characters(char_net, text, "ROMEO:\n", 300, temperature=float(temperature), seed=s)))
                for s in (7, 8, 9)]

    try:
        cool_n, hot_n = distinct(cool), distinct(hot)
    except Exception as err:
        return verdict(False, "", f"sampling failed ({type(err).__name__}: {err}); the check cell passes the "
                       "character model char_net and its iterator text: run the cells of section 6 first")
    ok_cool, ok_hot = max(cool_n) <= 20, min(hot_n) >= 50
    said = f"at {cool}: {cool_n} distinct characters; at {hot}: {hot_n}"
    if ok_cool and ok_hot:
        return verdict(True, f"{said}. Dividing the log-probabilities by a small temperature makes the likeliest "
                       "character win almost always (few characters, repeated words); a large one flattens the "
                       "distribution towards all 65 characters alike (variety, and nonsense)", "")
    if not ok_cool:
        return verdict(False, "", f"{said}: the cool samples still use more than 20 characters; lower the "
                       "temperature further (temperatures well below 0.5 sharpen the distribution)")
    return verdict(False, "", f"{said}: the hot samples use fewer than 50 characters; raise the temperature "
                   "(above 1 the distribution flattens)")
