"""Checks for the exercises of 03_masking_and_sequence_classification.ipynb."""
from __future__ import annotations

import numpy as np

from checks import answered, is_int, letter, verdict

MASK = np.array([[1, 1, 1, 0, 0, 0],
                 [0, 0, 1, 1, 1, 1],
                 [1, 1, 1, 1, 1, 1]], dtype=np.float32)


def _data(shuffle_seed=0):
    from workbench.data import NormalizerStandardize, datasets

    train_raw, test_raw = datasets.japanese_vowels()
    normalizer = NormalizerStandardize().fit(train_raw)
    train, test = normalizer.transform(train_raw), normalizer.transform(test_raw)
    return train, test


def _speakers(ds):
    from workbench.eval import last_time_step

    return last_time_step(ds.labels, ds.labels_mask).argmax(axis=1) + 1


def exercise_1(most_speakers_sorted, most_speakers_shuffled):
    """The most distinct speakers in one minibatch of 32: file order, and shuffled (seed 0)."""
    if not answered(most_speakers_sorted, most_speakers_shuffled):
        return False
    if not (is_int(most_speakers_sorted) and is_int(most_speakers_shuffled)) or \
            not (1 <= most_speakers_sorted <= 9 and 1 <= most_speakers_shuffled <= 9):
        return verdict(False, "", "both answers are whole numbers (ints) from 1 to 9")
    from workbench.data import DataSet

    train, _ = _data()
    shuffled = DataSet(train.features, train.labels, train.features_mask, train.labels_mask)
    shuffled.shuffle(seed=0)
    most = {}
    for name, ds in (("sorted", train), ("shuffled", shuffled)):
        s = _speakers(ds)
        most[name] = max(len(set(s[i:i + 32].tolist())) for i in range(0, len(s), 32))
    if most_speakers_sorted != most["sorted"]:
        return verdict(False, "", "each speaker has 30 consecutive recordings; a window of 32 consecutive ones can "
                       "overlap how many such blocks? (the windows start at 0, 32, 64, ...)")
    if abs(most_speakers_shuffled - most["shuffled"]) > 1:
        return verdict(False, "", "the sorted answer is right. Shuffled, a minibatch is 32 random draws among 9 "
                       "speakers: is a speaker likely to be missing from it?")
    return verdict(True, f"in file order a minibatch holds at most {most['sorted']} speakers (30 recordings each, so "
                   f"32 consecutive ones span a block and a bit of the next); shuffled, up to {most['shuffled']}: "
                   "each minibatch is then a fair sample of all speakers, so its gradient points the way the whole "
                   "set would", "")


def exercise_2(choice, net, noisy):
    """Dropping only the features mask of the noisy test set leaves the score unchanged ("a")."""
    if not answered(choice, net, noisy):
        return False
    c = letter(choice, "choice")
    if c is None:
        return False
    from workbench.data import DataSet

    try:
        clean = float(net.score(DataSet(noisy.features, noisy.labels, noisy.features_mask, noisy.labels_mask)))
        dropped = float(net.score(DataSet(noisy.features, noisy.labels, None, noisy.labels_mask)))
    except Exception as err:
        return verdict(False, "", f"pass the trained net and the noisy DataSet of section 5 ({type(err).__name__})")
    change = abs(dropped - clean) / clean
    truth = "a" if change < 1e-4 else ("b" if change < 1.0 else "c")
    if c != truth:
        return verdict(False, "", "JapaneseVowels pads each recording after its last frame, and the only label is "
                       "at that last frame. When does a forward LSTM read the padding: before or after it "
                       "produces the output that is scored?")
    return verdict(True, f"the score is {dropped:.6f} with the features mask dropped, {clean:.6f} with it. The "
                   "padding comes after each recording's last real frame, and a forward LSTM computes the scored "
                   "output at that frame before it reads any padding; the labels mask keeps the loss to that "
                   "frame. Here the labels mask alone protects the score; the features mask matters when padding "
                   "comes before real steps (series lined up at their ends) or a layer reads the series backwards", "")


def exercise_3(last_steps, real_steps):
    """last_time_step_indices and the lengths of MASK (one row padded at the start)."""
    if not answered(last_steps, real_steps):
        return False
    from workbench.eval import last_time_step_indices

    try:
        got_last, got_real = [int(v) for v in last_steps], [int(v) for v in real_steps]
        if not all(is_int(v) for v in list(last_steps) + list(real_steps)):
            raise TypeError
    except Exception:
        return verdict(False, "", "both answers are lists of three ints, e.g. [1, 2, 3]")
    want_last = last_time_step_indices(MASK).tolist()
    want_real = MASK.sum(axis=1).astype(int).tolist()
    if len(got_last) != 3 or len(got_real) != 3:
        return verdict(False, "", "one number per recording: three in each list")
    if got_last != want_last:
        wrong = [k + 1 for k in range(3) if got_last[k] != want_last[k]]
        return verdict(False, "", f"recording(s) {wrong}: the last step is the index of the last 1 in the row, "
                       "counted from 0, wherever the padding is")
    if got_real != want_real:
        return verdict(False, "", "the last steps are right; the real steps are simply the 1s of each row")
    return verdict(True, f"last steps {want_last}, real steps {want_real}. For the second recording the last index "
                   "is 5, not length - 1 = 3: 'length - 1' only works when the padding is at the end. The guide's "
                   "features-mask recipe (argmax of mask x [1..T]) and last_time_step_indices both find the last "
                   "1, so they handle start padding too", "")


def exercise_4(choice):
    """Train with the label at step 0 instead of the last step; the accuracy falls to ~0.9 ("b")."""
    if not answered(choice):
        return False
    c = letter(choice, "choice")
    if c is None:
        return False
    from workbench.data import DataSet, ListDataSetIterator
    from workbench.nn import Adam, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    train, test = _data()

    def at_first_step(ds):
        labels, mask = np.zeros_like(ds.labels), np.zeros_like(ds.labels_mask)
        last = np.argmax(ds.labels_mask, axis=1)
        labels[:, :, 0] = ds.labels[np.arange(ds.num_examples()), :, last]
        mask[:, 0] = 1
        return DataSet(ds.features, labels, ds.features_mask, mask)

    accuracy = {}
    for name, (tr, te) in (("last", (train, test)), ("first", (at_first_step(train), at_first_step(test)))):
        tr = DataSet(tr.features, tr.labels, tr.features_mask, tr.labels_mask)
        tr.shuffle(seed=0)
        conf = MultiLayerConfiguration([GravesLSTM(64), RnnOutputLayer(9, loss="mcxent", activation="softmax")],
                                       input_type=InputType.recurrent(12), updater=Adam(0.005), seed=1)
        net = MultiLayerNetwork(conf).init()
        net.fit(ListDataSetIterator(tr, 32), epochs=20)
        accuracy[name] = net.evaluate(te).accuracy()
    first, last = accuracy["first"], accuracy["last"]
    truth = "a" if first >= last - 0.03 else ("b" if first > 0.3 else "c")
    if c != truth:
        return verdict(False, "", "with the label at step 0, the output that is scored is computed after the LSTM "
                       "has read one frame (12 numbers) of the recording. Is one frame of a voice worth nothing, "
                       "or everything?")
    return verdict(True, f"test accuracy {first:.3f} with the label at the first step, {last:.3f} at the last: the "
                   f"errors grow from {round((1 - last) * 370)} to {round((1 - first) * 370)} of 370. At step 0 the "
                   "network has heard a single frame, which already carries much of a voice, but not the whole "
                   "utterance. A forward RNN's output at step t only knows steps 0..t: put a many-to-one label "
                   "where the input has been seen (ALIGN_END), or use a bidirectional layer", "")
