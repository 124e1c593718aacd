"""The tasks the workbench offers out of the box: a bundled data set, how to batch it, and a
sensible first network for it, so a newcomer can press Train within seconds."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from workbench.conf import (
    LSTM, Adam, Bidirectional, ConvolutionLayer, GravesLSTM, InputType, MultiLayerConfiguration, RnnOutputLayer,
    SubsamplingLayer,
)
from workbench.data import ListDataSetIterator, NormalizerStandardize
from workbench.data import datasets as bundled


@dataclass
class Task:
    """A data set with everything the app needs to train on it.

    ``load()`` returns ``(train, test)``: iterators (or DataSets) of minibatches; ``test`` may be
    None. ``kind`` is "classification", "regression" or "characters" (next-character
    prediction; the train iterator is a ``CharacterIterator``). ``step_unit`` names one
    time step of the data, for the loss per step ("nats per character").
    """

    name: str
    description: str
    kind: str
    input_type: InputType
    n_out: int
    load: Callable
    default_config: Callable
    class_names: tuple | None = None
    epochs: int = 20
    step_unit: str = "labelled step"   # what one step of the loss is: "character", "month", ...


def _uci():
    train, test = bundled.uci_synthetic_control()
    return ListDataSetIterator(train, 32), ListDataSetIterator(test, 150)


def _japanese_vowels():
    train, test = bundled.japanese_vowels()
    norm = NormalizerStandardize().fit(train)
    return ListDataSetIterator(norm.transform(train), 32), ListDataSetIterator(norm.transform(test), 128)


def _airline():
    train, test, _ = bundled.airline_changes()
    return [train] * 10, test                      # ten passes over the one series per epoch


def _shakespeare():
    return bundled.tiny_shakespeare(batch_size=32, sequence_length=100, examples_per_epoch=32 * 16), None


def _moving_shapes():
    train, test = bundled.moving_shapes(600, seed=1).split_test_and_train(450)
    return ListDataSetIterator(train, 32), ListDataSetIterator(test, 150)


def _shifted_symbols():
    return ListDataSetIterator(bundled.shifted_symbols(512, seed=0), 32), \
        ListDataSetIterator(bundled.shifted_symbols(256, seed=1), 256)


def _rnn(layers, n_in, lr=0.01, seed=42, **kw):
    return lambda: MultiLayerConfiguration(layers, input_type=InputType.recurrent(n_in), updater=Adam(lr),
                                           seed=seed, **kw)


TASKS = {task.name: task for task in (
    Task("UCI synthetic control", "600 control charts of 60 steps, 6 classes; the label sits at the last step "
         "(many-to-one, a labels mask).", "classification", InputType.recurrent(1), 6, _uci,
         _rnn([GravesLSTM(32), RnnOutputLayer(6)], 1, lr=0.02, gradient_normalization="clip_elementwise",
              gradient_normalization_threshold=0.5), bundled.UCI_CLASS_NAMES, step_unit="series"),
    Task("JapaneseVowels", "640 utterances of 7-29 frames with 12 cepstrum features, 9 speakers: variable "
         "lengths, padded and masked; standardised.", "classification", InputType.recurrent(12), 9,
         _japanese_vowels, _rnn([GravesLSTM(64), RnnOutputLayer(9)], 12, lr=0.005, seed=1),
         bundled.JAPANESE_VOWELS_CLASSES, epochs=30, step_unit="utterance"),
    Task("Airline passengers", "Monthly passengers 1949-1960: predict next month's log change; the last 24 "
         "months are the test.", "regression", InputType.recurrent(1), 1, _airline,
         _rnn([LSTM(32), RnnOutputLayer(1, loss="mse", activation="identity")], 1, seed=4), epochs=30,
         step_unit="month"),
    Task("Tiny Shakespeare", "1.1 MB of Shakespeare, one character per step: a character model trained with "
         "truncated BPTT.", "characters", InputType.recurrent(65), 65, _shakespeare,
         _rnn([LSTM(128), RnnOutputLayer(65)], 65, lr=0.005, backprop_type="tbptt", tbptt_fwd_length=50),
         epochs=10, step_unit="character"),
    Task("Moving shapes (video)", "Generated 10x10 videos of a shape moving in one of 4 directions: "
         "convolution per frame, LSTM over time.", "classification",
         InputType.recurrent(100, height=10, width=10, channels=1), 4, _moving_shapes,
         lambda: MultiLayerConfiguration(
             [ConvolutionLayer(8, kernel_size=3, padding=1), SubsamplingLayer("max", 2), LSTM(24),
              RnnOutputLayer(4)], input_type=InputType.recurrent(100, height=10, width=10, channels=1),
             updater=Adam(0.01), seed=7), bundled.MOVING_SHAPES_CLASSES, epochs=15, step_unit="video"),
    Task("Shifted symbols (future context)", "Label each step with the symbol two steps later: only a "
         "bidirectional layer can see it.", "classification", InputType.recurrent(2), 2, _shifted_symbols,
         _rnn([Bidirectional(LSTM(16)), RnnOutputLayer(2)], 2, lr=0.02, seed=1), ("0", "1"), epochs=15, step_unit="symbol"),
)}

DEFAULT_TASK = "UCI synthetic control"
