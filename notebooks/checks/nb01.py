"""Checks for ``01_data_and_masks``: shapes, masks built by hand, and where ALIGN_START pads."""
from __future__ import annotations

import tempfile

import numpy as np

from checks import answered, as_floats, letter, verdict

# Exercise 1: 8 weather stations, 3 measurements an hour for 30 days, rain / no rain next hour
STATIONS, MEASUREMENTS, HOURS, CLASSES = 8, 3, 30 * 24, 2

# Exercise 2: three sequences of these lengths, one label each (many-to-one)
LENGTHS = [4, 2, 5]

# Exercise 3: January and February in, March to December out
N_IN, N_OUT = 2, 10


def _as_shape(value):
    """``value`` as a tuple of ints, or None when it is not a sequence of whole numbers."""
    try:
        out = tuple(int(v) for v in value)
        if any(isinstance(v, bool) or int(v) != v for v in value):
            return None
        return out
    except (TypeError, ValueError, OverflowError):
        return None


def exercise_1(features_shape, labels_shape):
    if not answered(features_shape, labels_shape):
        return False
    f, l = _as_shape(features_shape), _as_shape(labels_shape)
    if f is None or l is None:
        return verdict(False, "", "write each shape as a tuple of three whole numbers, e.g. (4, 5, 6)")
    want_f, want_l = (STATIONS, MEASUREMENTS, HOURS), (STATIONS, CLASSES, HOURS)
    if len(f) != 3 or len(l) != 3:
        return verdict(False, "", "recurrent data has three axes: [batch, features, time] (and [batch, outputs, time])")
    if f != want_f and sorted(f) == sorted(want_f):
        return verdict(False, "", "the right numbers in the wrong order: the axes are [batch, features, time]")
    if f != want_f:
        if f[2] in (30, 24):
            return verdict(False, "", "how many time steps does one station's series have? One step per hour, for 30 days")
        return verdict(False, "", "features_shape: one example per station, one feature per measurement, "
                                  "one time step per hour")
    if l != want_l:
        if l[1] == 1:
            return verdict(False, "", "labels_shape: a classifier's label at one step is a one-hot vector, with "
                                      "one entry per class (rain, no rain)")
        if l[2] != HOURS:
            return verdict(False, "", "labels_shape: there is a target at every hour, so the labels have as many "
                                      "steps as the features")
        return verdict(False, "", "labels_shape is [batch, outputs, time]: stations, classes, hours")
    return verdict(True, right=f"features {want_f} and labels {want_l}: the batch and time axes agree, only the "
                               "middle axis differs (3 measurements in, 2 classes out). A dense network would see "
                               f"each station as one flat row of {MEASUREMENTS * HOURS} numbers instead.",
                   hint="")


def _many_to_one():
    from workbench.data import DataSet

    singles = []
    for n in LENGTHS:
        labels_mask = np.zeros((1, n), np.float32)
        labels_mask[0, -1] = 1
        labels = np.zeros((1, 2, n), np.float32)
        labels[0, 0, -1] = 1
        singles.append(DataSet(np.ones((1, 1, n), np.float32), labels, labels_mask=labels_mask))
    return DataSet.merge(singles)


def exercise_2(features_mask, labels_mask):
    if not answered(features_mask, labels_mask):
        return False
    merged = _many_to_one()
    got_f, got_l = as_floats(features_mask), as_floats(labels_mask)
    if got_f is None or got_l is None:
        return verdict(False, "", "write each mask as rows of 0s and 1s (a list of lists or an array)")
    shape = merged.features_mask.shape
    if got_f.shape != shape or got_l.shape != shape:
        return verdict(False, "", f"a mask is [batch, time]: {shape[0]} rows (one per sequence) of {shape[1]} steps "
                                  f"(the longest sequence); yours are {got_f.shape} and {got_l.shape}")
    if not np.array_equal(got_f, merged.features_mask):
        if np.array_equal(got_f, 1 - merged.features_mask):
            return verdict(False, "", "features_mask is the other way round: 1 marks a real step, 0 a padded one")
        if np.array_equal(got_f[:, ::-1], merged.features_mask):
            return verdict(False, "", "features_mask: padding goes after each sequence's end, not before its start")
        return verdict(False, "", "features_mask: each row is 1 for as many steps as the sequence is long, then 0")
    if not np.array_equal(got_l, merged.labels_mask):
        if np.array_equal(got_l, merged.features_mask):
            return verdict(False, "", "labels_mask: that says a target exists at every real step; many-to-one has "
                                      "one target per sequence")
        return verdict(False, "", "labels_mask: one 1 per row, at the step where the whole sequence has been read")
    return verdict(True, right="DataSet.merge builds the same masks: the features mask is a run of ones as long as "
                               "each sequence, the labels mask a single 1 at its last real step (step 3, 1 and 4).",
                   hint="")


def _aligned_year():
    from workbench.data import (AlignmentMode, CSVSequenceRecordReader, DataSet, NumberedFileInputSplit,
                                SequenceRecordReaderDataSetIterator, to_csv_sequences)
    from workbench.data.datasets import airline_series

    _, passengers = airline_series()
    years = passengers.reshape(12, 12)
    merged = DataSet.merge([DataSet(y[None, None, :N_IN], y[None, None, N_IN:]) for y in years])
    with tempfile.TemporaryDirectory() as folder:
        files = to_csv_sequences(merged, folder, label_format="values")
        readers = [CSVSequenceRecordReader(skip_num_lines=files.skip_num_lines).initialize(
            NumberedFileInputSplit(p, 0, files.max_idx)) for p in (files.features_pattern, files.labels_pattern)]
        return next(iter(SequenceRecordReaderDataSetIterator(*readers, batch_size=12, regression=True,
                                                             alignment_mode=AlignmentMode.ALIGN_START)))


def exercise_3(year_mask, why):
    if not answered(year_mask, why):
        return False
    want = _aligned_year().features_mask[0]
    got = as_floats(year_mask)
    if got is None or got.ndim != 1:
        return verdict(False, "", "year_mask is one row of 0s and 1s, one number per time step")
    if got.shape != want.shape:
        return verdict(False, "", f"after alignment the input and the targets share one time axis; how long is it? "
                                  f"(yours has {got.size} steps)")
    if not np.array_equal(got, want):
        if np.array_equal(got[::-1], want):
            return verdict(False, "", "ALIGN_START puts the first input step at time 0: the padding follows the real inputs")
        return verdict(False, "", "year_mask: which steps hold January and February? Those are 1, the rest 0")
    choice = letter(why, "why")
    if choice is None:
        return False
    if choice == "b":
        return verdict(False, "", "(b) is why we pad. A mask is what lets the network tell the padding apart from data")
    if choice == "c":
        return verdict(False, "", "(c): the loss skips steps the labels mask marks 0; here every target step is real "
                                  "and the labels mask is None. What would the network make of the padded inputs?")
    return verdict(True, right="January and February sit at steps 0 and 1, steps 2-9 are padding. The padded "
                               "inputs hold zeros, which for this data would read as months with no passengers; "
                               "the features mask tells the recurrent layer to skip them and carry its state on.",
                   hint="")
