"""Checks for the exercises of 02_truncated_bptt.ipynb."""
from __future__ import annotations

import math
import warnings

import numpy as np

from checks import MISSING, answered, is_int, verdict


def exercise_1(updates_per_epoch, last_segment_steps):
    """Windows of 200 characters, 5 minibatches per epoch, tbptt_fwd_length 64."""
    if not answered(updates_per_epoch, last_segment_steps):
        return False
    if not (is_int(updates_per_epoch) and is_int(last_segment_steps)):
        return verdict(False, "", "both answers are whole numbers (ints), e.g. 7 and 12")
    from workbench.data.datasets import tiny_shakespeare
    from workbench.nn import LSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer
    from workbench.nn.trainer import count_updates

    T, fwd, batches = 200, 64, 5
    data = tiny_shakespeare(batch_size=4, sequence_length=T, examples_per_epoch=4 * batches)
    conf = MultiLayerConfiguration([LSTM(8), RnnOutputLayer(65, loss="mcxent", activation="softmax")],
                                   input_type=InputType.recurrent(65), seed=1,
                                   backprop_type="tbptt", tbptt_fwd_length=fwd)
    counted = count_updates(MultiLayerNetwork(conf).init(), data)
    last = T - fwd * (math.ceil(T / fwd) - 1)
    ok_updates, ok_last = updates_per_epoch == counted, last_segment_steps == last
    if ok_updates and ok_last:
        return verdict(True, f"{batches} minibatches x ceil({T} / {fwd}) = {batches} x {math.ceil(T / fwd)} = "
                       f"{counted} updates (count_updates agrees); segments of 64, 64, 64 and then {last} steps. "
                       f"That last, short segment is what makes the summed score zig-zag (part 4)",
                       "")
    if not ok_updates:
        return verdict(False, "", "updates per epoch = minibatches x segments per window; a window of "
                       f"{T} steps cut every {fwd} steps gives how many segments, counting a short last one?")
    return verdict(False, "", f"the updates are right; the last segment holds the steps left over after the "
                   f"full segments of {fwd}")


def exercise_2(loss_per_step, tbptt_log):
    """loss_per_step(score, t0, t1) must take the zig-zag out of the truncated run's scores."""
    if not answered(loss_per_step, tbptt_log):
        return False
    if not callable(loss_per_step):
        return verdict(False, "", "loss_per_step must be a function: def loss_per_step(score, t0, t1): return ...")
    try:
        records = [(float(r["score"]), *r["time_range"], r["segment"]) for r in tbptt_log]
    except Exception:
        return verdict(False, "", "pass the listener records of the truncated run, tbptt_log, as the second argument")
    values = []
    for score, t0, t1, _ in records:
        try:
            v = loss_per_step(score, t0, t1)
        except Exception as err:
            return verdict(False, "", f"loss_per_step({score:.2f}, {t0}, {t1}) raised {type(err).__name__}: {err}")
        if v is ...:
            print(f"{MISSING}: replace the ... in loss_per_step, run the cell, then run this check again")
            return False
        try:
            values.append(float(v))
        except Exception:
            return verdict(False, "", f"loss_per_step should return a number, got {type(v).__name__}")
    values = np.array(values)
    if not np.isfinite(values).all():
        return verdict(False, "", "loss_per_step returned inf or nan for some updates")
    segment = np.array([s for *_, s in records])
    last, full = values[segment == segment.max()].mean(), values[segment < segment.max()].mean()
    exact = np.array([score / (t1 - t0) for score, t0, t1, _ in records])
    ratio = last / full if full else float("inf")
    if not 0.75 < ratio < 1.3:
        return verdict(False, "", f"the last segments still average {ratio:.2f} x the full ones: the zig-zag is "
                       "still there. The score is a sum over the steps t0..t1-1; how many steps is that?")
    if not np.allclose(values, exact, rtol=1e-6):
        return verdict(False, "", "the zig-zag is gone, but the scale is off: the score is already averaged over "
                       "the examples, only the sum over steps remains to be undone")
    return verdict(True, f"score / (t1 - t0): the last, 20-step segments now average {ratio:.2f} x the 50-step "
                   "ones instead of about 0.4, so a lower point means a better prediction, not a shorter segment",
                   "")


def exercise_3(tbptt_fwd_length, tbptt_back_length):
    """Train remember_first (25 steps) with TBPTT of the given lengths; the smallest that learn are 25/25."""
    if not answered(tbptt_fwd_length, tbptt_back_length):
        return False
    fwd, back = tbptt_fwd_length, tbptt_back_length
    if not (is_int(fwd) and is_int(back)) or fwd < 1 or back < 1:
        return verdict(False, "", "both lengths are whole numbers of steps, at least 1")
    if back > fwd:
        return verdict(False, "", "the back length may be shorter than the forward length, never longer")
    LENGTH = 25
    if fwd > LENGTH:
        return verdict(False, "", f"the guide says TBPTT lengths must not exceed the series length ({LENGTH} here; "
                       "the library then warns and trains one segment). Try shorter")
    from workbench.data import ListDataSetIterator
    from workbench.data.datasets import remember_first
    from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    train, test = remember_first(512, LENGTH, seed=0), remember_first(256, LENGTH, seed=1)
    accuracies = []
    for seed in (1, 2):
        conf = MultiLayerConfiguration([LSTM(32), RnnOutputLayer(2, loss="mcxent", activation="softmax")],
                                       input_type=InputType.recurrent(2), updater=Adam(0.02), seed=seed,
                                       backprop_type="tbptt", tbptt_fwd_length=fwd, tbptt_back_length=back)
        net = MultiLayerNetwork(conf).init()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net.fit(ListDataSetIterator(train, 32), epochs=20)
        accuracies.append(net.evaluate(test).accuracy())
    shown = ", ".join(f"{a:.2f}" for a in accuracies)
    if min(accuracies) < 0.9:
        where = "fwd" if fwd < LENGTH else "back"
        return verdict(False, "", f"test accuracy {shown} with fwd {fwd}, back {back}: about chance (0.5). The only "
                       f"label is at step {LENGTH - 1} and it is about step 0. Which {where} length lets its gradient "
                       "travel back that far, within one segment?")
    return verdict(True, f"test accuracy {shown}: with fwd = back = {LENGTH} the one segment spans step 0 to the label "
                   f"at step {LENGTH - 1}, so the gradient connects them; 24 (or a back length below 25) leaves step 0 "
                   "out of reach and stays at chance. For this task TBPTT only works once it is full BPTT", "")
