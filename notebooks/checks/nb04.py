"""Checks for the exercises of 04_combining_layers.ipynb."""
from __future__ import annotations

import numpy as np

from checks import answered, is_int, letter, verdict

VIDEO = dict(height=10, width=10, channels=1)


def exercise_1(row_in_32, row_in_8):
    """Frame 5 of utterance 2: row t * N + b of the dense layer's input."""
    if not answered(row_in_32, row_in_8):
        return False
    if not (is_int(row_in_32) and is_int(row_in_8)):
        return verdict(False, "", "both answers are row numbers: whole numbers (ints), counted from 0")
    from workbench.nn import RnnToFeedForwardPreProcessor

    t, b = 5, 2
    found = {}
    for n in (32, 8):
        x = np.random.default_rng(n).normal(size=(n, 12, 7)).astype(np.float32)
        rows = RnnToFeedForwardPreProcessor().pre_process(x, batch_size=n)
        found[n] = int(np.flatnonzero((rows == x[b, :, t]).all(axis=1))[0])
    ok32, ok8 = row_in_32 == found[32], row_in_8 == found[8]
    if ok32 and ok8:
        return verdict(True, f"rows are time-major, row = t * N + b: 5 * 32 + 2 = {found[32]} and 5 * 8 + 2 = "
                       f"{found[8]}. The same frame moves when the minibatch size changes, which is why the "
                       "preprocessor that rebuilds the sequence needs batch_size", "")
    if row_in_32 in (b * 7 + t, b * 26 + t, b * 12 + t) or row_in_8 in (b * 7 + t, b * 26 + t):
        return verdict(False, "", "that is an example-major order (all frames of utterance 0 first); the "
                       "rows are time-major: all utterances' frame 0 first, then all utterances' frame 1, ...")
    wrong = [f"the minibatch of {n}" for n, ok in ((32, ok32), (8, ok8)) if not ok]
    return verdict(False, "", f"check {' and '.join(wrong)} again: before frame 5 come frames 0 to 4 of every "
                   "utterance in the minibatch; then count the utterances before utterance 2")


def exercise_2(bottleneck_effect):
    """DenseLayer(2) in front of GravesLSTM(32) on JapaneseVowels: clearly lower accuracy."""
    if not answered(bottleneck_effect):
        return False
    choice = letter(bottleneck_effect, "bottleneck_effect")
    if choice is None:
        return False
    from workbench.data import ListDataSetIterator
    from workbench.data.datasets import japanese_vowels
    from workbench.nn import Adam, DenseLayer, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, \
        RnnOutputLayer

    train, test = japanese_vowels()
    train.shuffle(seed=0)
    accuracy = {}
    for dense in (2, 24):
        accuracy[dense] = []
        for seed in range(3):
            conf = MultiLayerConfiguration([DenseLayer(dense, activation="tanh"), GravesLSTM(32),
                                            RnnOutputLayer(9, loss="mcxent", activation="softmax")],
                                           input_type=InputType.recurrent(12), updater=Adam(0.01), seed=seed)
            net = MultiLayerNetwork(conf).init()
            net.fit(ListDataSetIterator(train, batch_size=32), epochs=15)
            accuracy[dense].append(net.evaluate(test).accuracy())
    narrow, wide = float(np.mean(accuracy[2])), float(np.mean(accuracy[24]))
    measured = "b" if narrow < wide - 0.05 else "c" if narrow > wide + 0.05 else "a"
    numbers_text = (f"DenseLayer(2): {narrow:.3f} (seeds {', '.join(f'{a:.3f}' for a in accuracy[2])}); "
                    f"DenseLayer(24): {wide:.3f}")
    if choice == measured:
        return verdict(True, f"{numbers_text}. The LSTM only sees what the dense layer passes on: 2 numbers per "
                       "frame cannot carry what 12 coefficients say about the speaker. A layer in front can "
                       "also throw information away", "")
    return verdict(False, "", "think about what reaches the LSTM: 2 numbers per frame instead of 12, and the "
                   "dense layer is the only way in. Can it keep everything that tells nine speakers apart?")


def _preprocessor_name(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip().strip("\"'").split("(")[0].strip()
    return type(v).__name__ if not isinstance(v, type) else v.__name__


def exercise_3(before_dense, before_lstm):
    """Conv -> Dense -> LSTM on video: CnnToFeedForwardPreProcessor, then FeedForwardToRnnPreProcessor."""
    if not answered(before_dense, before_lstm):
        return False
    from workbench.nn import LSTM, ConvolutionLayer, DenseLayer, InputType, MultiLayerConfiguration, RnnOutputLayer

    conf = MultiLayerConfiguration([ConvolutionLayer(4, kernel_size=3), DenseLayer(16), LSTM(16), RnnOutputLayer(4)],
                                   input_type=InputType.recurrent(100, **VIDEO))
    built = conf.built_preprocessors
    right = {i: type(built[i]).__name__ if i in built else "" for i in (1, 2)}
    given = {1: _preprocessor_name(before_dense), 2: _preprocessor_name(before_lstm)}
    if given == right:
        return verdict(True, f"in front of the dense layer {built[1]} flattens each 4 x 8 x 8 stack of maps "
                       f"into a row of {conf.built_layers[1].n_in}; in front of the LSTM {right[2]} puts the "
                       "rows back into sequences. The configuration looks only at the kinds of data two "
                       "neighbouring layers exchange", "")
    if given[1] != right[1]:
        return verdict(False, "", "layer 1 receives images from the convolution but a DenseLayer takes rows: "
                       "which preprocessor turns images into rows (its name says from what to what)?")
    return verdict(False, "", "the dense layer is right; what does the dense layer give, and what does an LSTM "
                   "want?")


def exercise_4(lstm_n_in):
    """Conv(6, k=5, p=1) on 10 x 10 -> 8 x 8, pooled -> 4 x 4: 6 * 4 * 4 = 96."""
    if not answered(lstm_n_in):
        return False
    if not is_int(lstm_n_in):
        return verdict(False, "", "n_in is a whole number (an int): channels x height x width")
    from workbench.nn import LSTM, ConvolutionLayer, InputType, MultiLayerConfiguration, RnnOutputLayer, \
        SubsamplingLayer

    conf = MultiLayerConfiguration([ConvolutionLayer(6, kernel_size=5, padding=1), SubsamplingLayer("max", 2),
                                    LSTM(16), RnnOutputLayer(4)], input_type=InputType.recurrent(100, **VIDEO))
    n_in, pp = conf.built_layers[2].n_in, conf.built_preprocessors[2]
    if lstm_n_in == n_in:
        return verdict(True, f"(10 + 2 - 5) // 1 + 1 = 8 pixels a side after the convolution, 4 after pooling, and "
                       f"6 maps: 6 x 4 x 4 = {n_in}; the configuration agrees ({pp}, LSTM n_in={n_in})", "")
    if lstm_n_in in (6 * 8 * 8, 8 * 8):
        return verdict(False, "", "that is the size after the convolution; the pooling layer comes before the LSTM")
    if lstm_n_in in (4 * 4, 5 * 5, 6 * 5 * 5, 6 * 3 * 3):
        return verdict(False, "", "count the side after the convolution with the formula first, then halve it; "
                       "and do not forget the number of maps")
    return verdict(False, "", "side after the convolution: (10 + 2 * 1 - 5) // 1 + 1; after 2 x 2 pooling: half "
                   "of it; n_in = maps x side x side")
