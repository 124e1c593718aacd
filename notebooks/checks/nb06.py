"""Checks for ``06_importing_time_series``: each exercise is checked against what the workbench's
own readers and iterator do with files written here, in a temporary folder."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np

from checks import answered, as_floats, verdict

# Exercise 1: the file a data logger exported, as the notebook shows it (the notebook's test cell
# checks that its copy is this text).
LOGGER_FILE_TEXT = (
    "# airline passengers (thousands), Box & Jenkins series, 1949\n"
    "# exported by the logger; one line per month\n"
    "passengers,next_month\n"
    "112.0,118.0\n118.0,132.0\n132.0,129.0\n129.0,121.0\n121.0,135.0\n135.0,148.0\n"
    "148.0,148.0\n148.0,136.0\n136.0,119.0\n119.0,104.0\n104.0,118.0\n118.0,115.0\n"
)
LOGGER_SKIP = 3            # two comment lines and the column names
LOGGER_STEPS = 12

# Exercise 2: one file per year, numbered by the year
FIRST_YEAR, LAST_YEAR = 1949, 1960

# Exercise 3: one-to-many files: one input line each, label files this long
LABEL_LENGTHS = [5, 3, 4]


def _as_int(value):
    """``value`` as a Python int, or None when it is not a whole number."""
    try:
        if isinstance(value, bool):
            return None
        as_int = int(value)
        return as_int if as_int == value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _read(skip, folder):
    """Read the logger file with ``skip`` lines skipped: (features, labels) or the error text."""
    from workbench.data import CSVSequenceRecordReader, NumberedFileInputSplit, SequenceRecordReaderDataSetIterator

    path = Path(folder) / "logger_0.csv"
    path.write_text(LOGGER_FILE_TEXT)
    try:
        reader = CSVSequenceRecordReader(skip_num_lines=skip, delimiter=",").initialize(
            NumberedFileInputSplit(str(Path(folder) / "logger_%d.csv"), 0, 0))
        batch = next(iter(SequenceRecordReaderDataSetIterator(reader, batch_size=1, label_index=1,
                                                               regression=True)))
    except Exception as err:                     # a wrong skip count makes the reader complain
        return None, str(err)
    return batch, None


def exercise_1(skip_lines):
    if not answered(skip_lines):
        return False
    skip = _as_int(skip_lines)
    if skip is None or skip < 0:
        return verdict(False, "", "skip_lines is a count of lines: a whole number, 0 or more")
    with tempfile.TemporaryDirectory() as folder:
        batch, error = _read(skip, folder)
    if error is not None:
        if skip < LOGGER_SKIP:
            line = LOGGER_FILE_TEXT.splitlines()[skip]
            return verdict(False, "", f"with {skip} line(s) skipped the reader starts at {line!r}, which is not "
                                      "numbers. Count every line above the first line of values.")
        return verdict(False, "", f"the reader found nothing left to read ({error.split(':', 1)[-1].strip()}): "
                                  "you skip more than the lines above the values")
    steps = batch.features.shape[2]
    if steps != LOGGER_STEPS:
        return verdict(False, "", f"the file read as {steps} time steps, but it holds {LOGGER_STEPS} months: "
                                  "you skipped some of the data lines too")
    return verdict(True, right=f"skip_num_lines={LOGGER_SKIP} drops the two comment lines and the column names; "
                               f"the reader then finds {LOGGER_STEPS} steps of [passengers] with next month's "
                               "count as the label (label_index=1). DL4J's CSVSequenceRecordReader(3, \",\") "
                               "does the same.",
                   hint="")


def exercise_2(first_idx, last_idx):
    if not answered(first_idx, last_idx):
        return False
    first, last = _as_int(first_idx), _as_int(last_idx)
    if first is None or last is None:
        return verdict(False, "", "the bounds are the numbers that replace %d in the file names: whole numbers")
    from workbench.data import CSVSequenceRecordReader, NumberedFileInputSplit
    from workbench.data.datasets import airline_series

    _, passengers = airline_series()
    with tempfile.TemporaryDirectory() as folder:
        for k, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
            Path(folder, f"passengers_{year}.csv").write_text(
                "".join(f"{v!r}\n" for v in passengers[12 * k:12 * (k + 1)].tolist()))
        try:
            reader = CSVSequenceRecordReader().initialize(
                NumberedFileInputSplit(str(Path(folder) / "passengers_%d.csv"), first, last))
            n = len(reader.paths)
        except FileNotFoundError as err:
            names = re.findall(r"passengers_-?\d+\.csv", str(err))
            return verdict(False, "", f"your bounds name files that do not exist (e.g. {names[0] if names else 'one'}); "
                                      "look at the first and the last file name")
        except Exception as err:
            return verdict(False, "", f"the split refused these bounds: {err}")
    if n != LAST_YEAR - FIRST_YEAR + 1:
        return verdict(False, "", f"your split reads {n} files, but there are {LAST_YEAR - FIRST_YEAR + 1} years. "
                                  "Does the split include its upper bound, unlike Python's range()?")
    return verdict(True, right=f"NumberedFileInputSplit(pattern, {FIRST_YEAR}, {LAST_YEAR}) reads all 12 years: "
                               "the numbers need not start at 0, and both bounds are included (range() would "
                               f"need {LAST_YEAR + 1}).",
                   hint="")


def _one_to_many_batch(mode):
    from workbench.data import CSVSequenceRecordReader, NumberedFileInputSplit, SequenceRecordReaderDataSetIterator

    with tempfile.TemporaryDirectory() as folder:
        for i, n in enumerate(LABEL_LENGTHS):
            Path(folder, f"input_{i}.csv").write_text(f"{i + 1}.0\n")
            Path(folder, f"output_{i}.csv").write_text("".join(f"{0.5 * t}\n" for t in range(n)))
        readers = [CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(Path(folder) / p), 0, 2))
                   for p in ("input_%d.csv", "output_%d.csv")]
        return next(iter(SequenceRecordReaderDataSetIterator(*readers, batch_size=3, regression=True,
                                                             alignment_mode=mode)))


def exercise_3(features_mask, labels_mask):
    if not answered(features_mask, labels_mask):
        return False
    from workbench.data import AlignmentMode

    batch = _one_to_many_batch(AlignmentMode.ALIGN_END)
    want_f, want_l = batch.features_mask, batch.labels_mask
    got_f, got_l = as_floats(features_mask), as_floats(labels_mask)
    if got_f is None or got_l is None:
        return verdict(False, "", "write each mask as a list of rows of 0s and 1s, e.g. [[1, 0, 0], [1, 1, 0]]")
    shape = want_f.shape
    if got_f.shape != shape or got_l.shape != shape:
        return verdict(False, "", f"a mask is [batch, time]: here {shape[0]} rows (one per example) of {shape[1]} "
                                  f"steps (the longest part in the minibatch); yours are {got_f.shape} and {got_l.shape}")
    f_ok, l_ok = np.array_equal(got_f, want_f), np.array_equal(got_l, want_l)
    if not f_ok and np.array_equal(got_f, _one_to_many_batch(AlignmentMode.ALIGN_START).features_mask):
        return verdict(False, "", "that features_mask is ALIGN_START's. With ALIGN_END the single input line moves "
                                  "so that it ends together with the example's labels")
    if not f_ok:
        return verdict(False, "", "features_mask is not right yet: in each row, at which step does that example's "
                                  "last label sit? The one input step is moved there")
    if not l_ok:
        return verdict(False, "", "labels_mask is not right yet: the labels are each example's longer part, so they "
                                  "start at time 0; padding follows their end")
    return verdict(True, right="with ALIGN_END the one input line sits at each example's last label step "
                               "(steps 4, 2 and 3), so the network would see its input only after it was asked "
                               "for every output: for one-to-many data, ALIGN_START is the mode to use. The labels, "
                               "the longer part, start at time 0 in both modes.",
                   hint="")


def exercise_4(modes):
    if not answered(modes):
        return False
    from workbench.data import AlignmentMode

    if not isinstance(modes, dict) or sorted(modes) != ["a", "b", "c"]:
        return verdict(False, "", 'modes is a dict with the keys "a", "b" and "c", each an AlignmentMode')
    if not all(isinstance(v, AlignmentMode) for v in modes.values()):
        return verdict(False, "", "each value is an AlignmentMode member, e.g. AlignmentMode.ALIGN_START")
    if modes["a"] is not AlignmentMode.ALIGN_END:
        return verdict(False, "", "(a) is many-to-one: where should the sentiment label sit, so that the network "
                                  "has read the whole review when it answers?")
    if modes["b"] is not AlignmentMode.ALIGN_START:
        return verdict(False, "", "(b) is one-to-many: the single input should come first, before the outputs")
    if modes["c"] is AlignmentMode.EQUAL_LENGTH:
        return verdict(False, "", "(c): the recordings differ in length from one to the next, and EQUAL_LENGTH "
                                  "refuses files of different lengths")
    return verdict(True, right="(a) ALIGN_END puts the label at each review's last word; (b) ALIGN_START puts the "
                               "one input at time 0; (c) either alignment mode works: when an example's labels are "
                               "as long as its features, ALIGN_END and ALIGN_START give identical arrays, while "
                               "EQUAL_LENGTH refuses lengths that differ between examples.",
                   hint="")
