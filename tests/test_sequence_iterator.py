"""SequenceRecordReaderDataSetIterator: the DL4J guide's Examples 1-4, alignment laws, bad input."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from workbench.data.dataset import DataSet
from workbench.data.iterators import DataSetIterator
from workbench.data.records import CSVSequenceRecordReader, NumberedFileInputSplit, SequenceFileError
from workbench.data.sequence_iterator import AlignmentMode, SequenceRecordReaderDataSetIterator

END, START, EQUAL = AlignmentMode.ALIGN_END, AlignmentMode.ALIGN_START, AlignmentMode.EQUAL_LENGTH


def value(i, t, c):
    """A feature value that tells example, step and column apart (and is never 0, the padding)."""
    return 1000 * (i + 1) + 10 * t + c


def write_rows(path, rows, header=None):
    lines = ([header] if header is not None else []) + [",".join(str(v) for v in row) for row in rows]
    Path(path).write_text("\n".join(lines) + "\n")


def write_sequences(folder, n_steps, n_in=3, label_steps=None, classes=4, prefix="", header="h"):
    """``myInput_i.csv`` with ``n_steps[i]`` rows of ``value(i, t, c)``; ``myLabels_i.csv`` with
    ``label_steps[i]`` rows holding class ``(i + t) % classes``. Returns the two readers."""
    label_steps = n_steps if label_steps is None else label_steps
    for i, (lf, ll) in enumerate(zip(n_steps, label_steps)):
        write_rows(folder / f"{prefix}myInput_{i}.csv", [[value(i, t, c) for c in range(n_in)] for t in range(lf)],
                   header)
        write_rows(folder / f"{prefix}myLabels_{i}.csv", [[(i + t) % classes] for t in range(ll)], header)
    skip = 0 if header is None else 1
    n = len(n_steps) - 1
    features = CSVSequenceRecordReader(skip, ",").initialize(
        NumberedFileInputSplit(str(folder / f"{prefix}myInput_%d.csv"), 0, n))
    labels = CSVSequenceRecordReader(skip, ",").initialize(
        NumberedFileInputSplit(str(folder / f"{prefix}myLabels_%d.csv"), 0, n))
    return features, labels


def one_hot_column(k, classes=4):
    return np.eye(classes, dtype=np.float32)[k]


# -- Example 1: same length, input and labels in separate files ----------------------------------

def test_example1_same_length_separate_files(tmp_path):
    features, labels = write_sequences(tmp_path, [6] * 10)
    it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=5, num_possible_labels=4)
    assert isinstance(it, DataSetIterator)
    assert len(it) == 2 and it.num_examples() == 10
    assert (it.batch_size, it.num_possible_labels, it.regression, it.alignment_mode) == (5, 4, False, EQUAL)
    batches = list(it)
    assert len(batches) == 2
    for k, ds in enumerate(batches):
        assert isinstance(ds, DataSet)
        assert ds.features.shape == (5, 3, 6) and ds.labels.shape == (5, 4, 6)
        assert ds.features.dtype == np.float32 and ds.labels.dtype == np.float32
        assert ds.features_mask is None and ds.labels_mask is None
        for b in range(5):
            i = 5 * k + b
            for t in range(6):
                np.testing.assert_array_equal(ds.features[b, :, t], [value(i, t, c) for c in range(3)])
                np.testing.assert_array_equal(ds.labels[b, :, t], one_hot_column((i + t) % 4))
    np.testing.assert_array_equal(batches[1].labels.sum(axis=1), np.ones((5, 6)))


def test_last_minibatch_is_smaller_and_passes_repeat(tmp_path):
    features, labels = write_sequences(tmp_path, [2] * 7)
    it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=3, num_possible_labels=4)
    assert [ds.num_examples() for ds in it] == [3, 3, 1] and len(it) == 3
    it.reset()
    first = [ds.features.copy() for ds in it]
    write_rows(tmp_path / "myInput_6.csv", [[-1, -2, -3], [-4, -5, -6]], "h")      # every pass reads again
    last = list(it)[-1]
    np.testing.assert_array_equal(first[-1][0, :, 0], [value(6, 0, c) for c in range(3)])
    np.testing.assert_array_equal(last.features[0], [[-1, -4], [-2, -5], [-3, -6]])


# -- Example 2: same length, input and labels in the same file ------------------------------------

def write_single_files(folder, n=6, steps=5):
    """``myData_i.csv``: 4 feature columns, then the class index (column 4)."""
    for i in range(n):
        write_rows(folder / f"myData_{i}.csv",
                   [[value(i, t, c) for c in range(4)] + [(i * t) % 3] for t in range(steps)], "a,b,c,d,label")
    return CSVSequenceRecordReader(1, ",").initialize(NumberedFileInputSplit(str(folder / "myData_%d.csv"), 0, n - 1))


def test_example2_label_column_classification(tmp_path):
    reader = write_single_files(tmp_path)
    it = SequenceRecordReaderDataSetIterator(reader, batch_size=4, num_possible_labels=3, label_index=4)
    batches = list(it)
    assert [ds.features.shape for ds in batches] == [(4, 4, 5), (2, 4, 5)]
    assert [ds.labels.shape for ds in batches] == [(4, 3, 5), (2, 3, 5)]
    for k, ds in enumerate(batches):
        assert ds.features_mask is None and ds.labels_mask is None
        for b in range(ds.num_examples()):
            i = 4 * k + b
            for t in range(5):
                np.testing.assert_array_equal(ds.features[b, :, t], [value(i, t, c) for c in range(4)])
                np.testing.assert_array_equal(ds.labels[b, :, t], np.eye(3)[(i * t) % 3])


def test_example2_label_column_regression_last_column(tmp_path):
    reader = write_single_files(tmp_path)
    it = SequenceRecordReaderDataSetIterator(reader, batch_size=6, num_possible_labels=-1, label_index=-1,
                                             regression=True)
    (ds,) = list(it)
    assert ds.features.shape == (6, 4, 5) and ds.labels.shape == (6, 1, 5)
    expected = np.array([[(i * t) % 3 for t in range(5)] for i in range(6)], dtype=np.float32)
    np.testing.assert_array_equal(ds.labels[:, 0, :], expected)


def test_label_index_in_the_middle_leaves_the_other_columns_in_order(tmp_path):
    write_rows(tmp_path / "d_0.csv", [[1, 2, 3], [4, 5, 6]])
    reader = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(tmp_path / "d_%d.csv"), 0, 0))
    (ds,) = SequenceRecordReaderDataSetIterator(reader, label_index=1, regression=True)
    np.testing.assert_array_equal(ds.features[0], [[1, 4], [3, 6]])
    np.testing.assert_array_equal(ds.labels[0], [[2, 5]])


def test_regression_label_files_pass_every_column_through(tmp_path):
    for i in range(3):
        write_rows(tmp_path / f"x_{i}.csv", [[i, t] for t in range(4)])
        write_rows(tmp_path / f"y_{i}.csv", [[0.5 * i, -t, 7.25] for t in range(4)])
    fr = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(tmp_path / "x_%d.csv"), 0, 2))
    lr = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(tmp_path / "y_%d.csv"), 0, 2))
    (ds,) = SequenceRecordReaderDataSetIterator(fr, lr, batch_size=3, regression=True)
    assert ds.labels.shape == (3, 3, 4)
    np.testing.assert_array_equal(ds.labels[2], [[1.0] * 4, [0, -1, -2, -3], [7.25] * 4])


# -- Example 3: different lengths, features and labels equal per example --------------------------

def test_example3_variable_lengths_align_end_equals_align_start(tmp_path):
    lengths = [3, 7, 5, 1, 4]
    features, labels = write_sequences(tmp_path, lengths)
    runs = {mode: list(SequenceRecordReaderDataSetIterator(features, labels, batch_size=3, num_possible_labels=4,
                                                           alignment_mode=mode)) for mode in (END, START)}
    for a, b in zip(runs[END], runs[START]):
        for name in ("features", "labels", "features_mask", "labels_mask"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    first, second = runs[END]
    assert first.features.shape == (3, 3, 7) and second.features.shape == (2, 3, 4)
    np.testing.assert_array_equal(first.features_mask, [[1, 1, 1, 0, 0, 0, 0], [1] * 7, [1, 1, 1, 1, 1, 0, 0]])
    np.testing.assert_array_equal(first.labels_mask, first.features_mask)
    np.testing.assert_array_equal(second.features_mask, [[1, 0, 0, 0], [1, 1, 1, 1]])
    assert first.features_mask.dtype == np.float32
    # example 0 (3 steps) starts at t = 0, zeros follow
    np.testing.assert_array_equal(first.features[0, :, :3], [[value(0, t, c) for t in range(3)] for c in range(3)])
    np.testing.assert_array_equal(first.features[0, :, 3:], 0)
    np.testing.assert_array_equal(first.labels[0, :, 3:], 0)
    np.testing.assert_array_equal(first.labels[0, :, 2], one_hot_column(2))
    np.testing.assert_array_equal(second.features[0, :, 0], [value(3, 0, c) for c in range(3)])


def test_equal_lengths_with_align_end_need_no_masks(tmp_path):
    features, labels = write_sequences(tmp_path, [4, 4])
    (ds,) = SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4,
                                                alignment_mode="ALIGN_END")
    assert ds.features_mask is None and ds.labels_mask is None


# -- Example 4: many-to-one and one-to-many -------------------------------------------------------

def test_example4_many_to_one_align_end(tmp_path):
    lengths = [4, 2, 6, 3]
    features, labels = write_sequences(tmp_path, lengths, label_steps=[1] * 4)
    (ds,) = SequenceRecordReaderDataSetIterator(features, labels, batch_size=4, num_possible_labels=4,
                                                alignment_mode=END)
    assert ds.features.shape == (4, 3, 6) and ds.labels.shape == (4, 4, 6)
    expected_fmask = np.array([[1] * n + [0] * (6 - n) for n in lengths], dtype=np.float32)
    expected_lmask = np.zeros((4, 6), np.float32)
    expected_lmask[np.arange(4), np.array(lengths) - 1] = 1          # the label sits at the last input step
    np.testing.assert_array_equal(ds.features_mask, expected_fmask)
    np.testing.assert_array_equal(ds.labels_mask, expected_lmask)
    for i, n in enumerate(lengths):
        np.testing.assert_array_equal(ds.labels[i, :, n - 1], one_hot_column(i % 4))   # label file row: class i
        assert ds.labels[i].sum() == 1
        np.testing.assert_array_equal(ds.features[i, :, :n], [[value(i, t, c) for t in range(n)] for c in range(3)])
        np.testing.assert_array_equal(ds.features[i, :, n:], 0)


def test_example4_many_to_one_with_equal_input_lengths_masks_only_labels(tmp_path):
    features, labels = write_sequences(tmp_path, [5, 5, 5], label_steps=[1, 1, 1])
    (ds,) = SequenceRecordReaderDataSetIterator(features, labels, batch_size=3, num_possible_labels=4,
                                                alignment_mode=END)
    assert ds.features_mask is None
    np.testing.assert_array_equal(ds.labels_mask, [[0, 0, 0, 0, 1]] * 3)
    np.testing.assert_array_equal(ds.labels[:, :, :4], 0)


def test_example4_many_to_one_align_start_puts_the_label_at_t0(tmp_path):
    features, labels = write_sequences(tmp_path, [3, 2], label_steps=[1, 1])
    (ds,) = SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4,
                                                alignment_mode=START)
    np.testing.assert_array_equal(ds.labels_mask, [[1, 0, 0], [1, 0, 0]])
    np.testing.assert_array_equal(ds.labels[1, :, 0], one_hot_column(1))


def test_example4_one_to_many_align_start(tmp_path):
    label_steps = [3, 5]
    features, labels = write_sequences(tmp_path, [1, 1], label_steps=label_steps)
    (ds,) = SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4,
                                                alignment_mode=START)
    assert ds.features.shape == (2, 3, 5)
    np.testing.assert_array_equal(ds.features_mask, [[1, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    np.testing.assert_array_equal(ds.labels_mask, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    np.testing.assert_array_equal(ds.features[:, :, 0], [[value(i, 0, c) for c in range(3)] for i in range(2)])
    np.testing.assert_array_equal(ds.features[:, :, 1:], 0)
    for i, n in enumerate(label_steps):
        for t in range(n):
            np.testing.assert_array_equal(ds.labels[i, :, t], one_hot_column((i + t) % 4))
        np.testing.assert_array_equal(ds.labels[i, :, n:], 0)


def test_one_to_many_with_align_end_puts_the_input_at_the_last_label_step(tmp_path):
    features, labels = write_sequences(tmp_path, [1, 1], label_steps=[3, 5])
    (ds,) = SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4,
                                                alignment_mode=END)
    np.testing.assert_array_equal(ds.features_mask, [[0, 0, 1, 0, 0], [0, 0, 0, 0, 1]])
    np.testing.assert_array_equal(ds.features[0, :, 2], [value(0, 0, c) for c in range(3)])
    assert ds.labels_mask is not None and ds.labels_mask[0].tolist() == [1, 1, 1, 0, 0]


# -- the alignment law, for all lengths -----------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6)), min_size=1, max_size=7),
       st.sampled_from([START, END]), st.integers(1, 8), st.booleans())
def test_alignment_law(tmp_path_factory, lengths, mode, batch_size, regression):
    folder = tmp_path_factory.mktemp("law")
    classes = 3
    for i, (lf, ll) in enumerate(lengths):
        write_rows(folder / f"in_{i}.csv", [[value(i, t, c) for c in range(2)] for t in range(lf)])
        write_rows(folder / f"out_{i}.csv", [[(i + t) % classes] for t in range(ll)])
    n = len(lengths)
    fr = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(folder / "in_%d.csv"), 0, n - 1))
    lr = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(folder / "out_%d.csv"), 0, n - 1))
    it = SequenceRecordReaderDataSetIterator(fr, lr, batch_size=batch_size, num_possible_labels=classes,
                                             regression=regression, alignment_mode=mode)
    batches = list(it)
    assert len(batches) == len(it) == -(-n // batch_size)
    for k, ds in enumerate(batches):
        part = lengths[k * batch_size:(k + 1) * batch_size]
        T = max(max(lf, ll) for lf, ll in part)
        assert ds.features.shape == (len(part), 2, T)
        assert ds.labels.shape == (len(part), 1 if regression else classes, T)
        want_f, want_l = np.zeros((len(part), T)), np.zeros((len(part), T))
        for b, (lf, ll) in enumerate(part):
            i, span = k * batch_size + b, max(lf, ll)
            f0, l0 = (span - lf, span - ll) if mode is END else (0, 0)
            want_f[b, f0:f0 + lf] = 1
            want_l[b, l0:l0 + ll] = 1
            assert f0 == 0 or l0 == 0                       # the longer part starts at t = 0
            np.testing.assert_array_equal(ds.features[b, :, f0:f0 + lf],
                                          [[value(i, t, c) for t in range(lf)] for c in range(2)])
            classes_at = [(i + t) % classes for t in range(ll)]
            if regression:
                np.testing.assert_array_equal(ds.labels[b, 0, l0:l0 + ll], classes_at)
            else:
                np.testing.assert_array_equal(ds.labels[b, :, l0:l0 + ll], np.eye(classes)[classes_at].T)
        # masks mark exactly the real steps; None when nothing is padded; padding holds zeros
        for mask, want in ((ds.features_mask, want_f), (ds.labels_mask, want_l)):
            if want.all():
                assert mask is None
            else:
                np.testing.assert_array_equal(mask, want)
        assert not ds.features[np.broadcast_to(want_f[:, None, :] == 0, ds.features.shape)].any()
        assert not ds.labels[np.broadcast_to(want_l[:, None, :] == 0, ds.labels.shape)].any()
        if mode is END:                                      # the last input and last label steps coincide
            for b, (lf, ll) in enumerate(part):
                assert want_f[b].nonzero()[0][-1] == want_l[b].nonzero()[0][-1] == max(lf, ll) - 1


# -- bad input ------------------------------------------------------------------------------------

def test_labels_reader_and_label_index_both_or_neither(tmp_path):
    features, labels = write_sequences(tmp_path, [2])
    with pytest.raises(ValueError, match=r"either labels_reader .* or label_index .*not both"):
        SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=4, label_index=0)
    with pytest.raises(ValueError, match=r"not neither"):
        SequenceRecordReaderDataSetIterator(features, num_possible_labels=4)


def test_readers_with_different_numbers_of_sequences(tmp_path):
    features, _ = write_sequences(tmp_path, [2, 2, 2])
    _, labels = write_sequences(tmp_path, [2, 2], prefix="b_")
    with pytest.raises(ValueError, match=r"features reader has 3 sequences but the labels reader has 2"):
        SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=4)


@pytest.mark.parametrize("bad", [-1, 0, 2.0, None])
def test_classification_needs_num_possible_labels(tmp_path, bad):
    features, labels = write_sequences(tmp_path, [2])
    with pytest.raises(ValueError, match=r"num_possible_labels >= 1.*regression=True"):
        SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=bad)


def test_argument_types(tmp_path):
    features, labels = write_sequences(tmp_path, [2])
    with pytest.raises(ValueError, match=r"batch_size must be an int >= 1, got 0"):
        SequenceRecordReaderDataSetIterator(features, labels, batch_size=0, num_possible_labels=4)
    with pytest.raises(ValueError, match=r"alignment_mode must be one of .*'ALIGN_MIDDLE'"):
        SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=4, alignment_mode="ALIGN_MIDDLE")


@pytest.mark.parametrize("cell, shown", [("2.5", "2.5"), ("4", "4"), ("-1", "-1"), ("1e300", r"1e\+300")])
def test_bad_class_index_names_file_line_and_value(tmp_path, cell, shown):
    features, labels = write_sequences(tmp_path, [3, 3])
    (tmp_path / "myLabels_1.csv").write_text(f"h\n0\n1\n{cell}\n")
    it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4)
    with pytest.raises(SequenceFileError, match=rf"myLabels_1\.csv' line 4 column 1: class index {shown} "
                                                r"is not an integer in \[0, 4\)") as err:
        list(it)
    assert (err.value.line, err.value.column) == (4, 1)


def test_bad_class_index_in_a_label_column_names_that_column(tmp_path):
    write_rows(tmp_path / "d_0.csv", [[1, 2, 0], [3, 4, 9]], "a,b,c")
    reader = CSVSequenceRecordReader(1).initialize(NumberedFileInputSplit(str(tmp_path / "d_%d.csv"), 0, 0))
    with pytest.raises(SequenceFileError,
                       match=r"d_0\.csv' line 3 column 3: class index 9 is not an integer in \[0, 2\)"):
        list(SequenceRecordReaderDataSetIterator(reader, num_possible_labels=2, label_index=-1))


@pytest.mark.parametrize("label_index", [5, -6])
def test_label_index_outside_the_row_names_file_and_width(tmp_path, label_index):
    reader = write_single_files(tmp_path, n=1)
    with pytest.raises(SequenceFileError, match=rf"label_index={label_index} is outside the rows of "
                                                r"'.*myData_0\.csv', which have 5 column"):
        list(SequenceRecordReaderDataSetIterator(reader, num_possible_labels=3, label_index=label_index))


def test_label_index_on_a_one_column_file_hints_at_the_delimiter(tmp_path):
    (tmp_path / "d_0.csv").write_text("1\n2\n")
    reader = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(tmp_path / "d_%d.csv"), 0, 0))
    with pytest.raises(SequenceFileError, match=r"d_0\.csv' has 1 column.*no feature columns.*delimiter="):
        list(SequenceRecordReaderDataSetIterator(reader, regression=True, label_index=0))


def test_feature_files_of_different_widths_name_both(tmp_path):
    features, labels = write_sequences(tmp_path, [2, 2, 2])
    write_rows(tmp_path / "myInput_2.csv", [[1, 2], [3, 4]], "h")
    it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4)
    with pytest.raises(SequenceFileError, match=r"features files differ in width: '.*myInput_0\.csv' has 3 "
                                                r"columns, '.*myInput_2\.csv' has 2"):
        list(it)


def test_feature_file_of_one_column_among_wider_hints_at_delimiter(tmp_path):
    features, labels = write_sequences(tmp_path, [2, 2])
    write_rows(tmp_path / "myInput_1.csv", [[1], [3]], "h")
    with pytest.raises(SequenceFileError, match=r"myInput_0\.csv' has 3 columns, '.*myInput_1\.csv' has 1.*delimiter="):
        list(SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=4))


def test_single_file_widths_are_reported_as_file_columns(tmp_path):
    reader = write_single_files(tmp_path, n=2)
    write_rows(tmp_path / "myData_1.csv", [[1, 2, 0]], "h")
    with pytest.raises(SequenceFileError, match=r"myData_0\.csv' has 5 columns, '.*myData_1\.csv' has 3"):
        list(SequenceRecordReaderDataSetIterator(reader, num_possible_labels=3, label_index=-1, batch_size=2))


def test_regression_label_files_of_different_widths(tmp_path):
    features, labels = write_sequences(tmp_path, [2, 2])
    write_rows(tmp_path / "myLabels_1.csv", [[1, 2], [3, 4]], "h")
    with pytest.raises(SequenceFileError, match=r"labels files differ in width: '.*myLabels_0\.csv' has 1 "
                                                r"columns, '.*myLabels_1\.csv' has 2"):
        list(SequenceRecordReaderDataSetIterator(features, labels, regression=True))


def test_classification_label_file_with_several_columns(tmp_path):
    features, labels = write_sequences(tmp_path, [2])
    write_rows(tmp_path / "myLabels_0.csv", [[0, 1], [1, 0]], "h")
    with pytest.raises(SequenceFileError, match=r"myLabels_0\.csv' has 2 columns; classification labels are one "
                                                r"column.*regression=True"):
        list(SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=4))


def test_equal_length_between_examples_names_files_and_lengths(tmp_path):
    features, labels = write_sequences(tmp_path, [4, 4, 4, 5])
    it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=3, num_possible_labels=4)
    with pytest.raises(SequenceFileError, match=r"EQUAL_LENGTH: '.*myInput_0\.csv' has 4 steps but "
                                                r"'.*myInput_3\.csv' has 5.*ALIGN_END"):
        list(it)


def test_equal_length_between_features_and_labels_names_files_and_lengths(tmp_path):
    features, labels = write_sequences(tmp_path, [4, 4], label_steps=[4, 1])
    with pytest.raises(SequenceFileError, match=r"EQUAL_LENGTH: features file '.*myInput_1\.csv' has 4 steps but "
                                                r"labels file '.*myLabels_1\.csv' has 1"):
        list(SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4))


def test_reader_errors_pass_through_with_file_line_and_column(tmp_path):
    features, labels = write_sequences(tmp_path, [2, 2])
    (tmp_path / "myInput_1.csv").write_text("h\n1,2,3\n4,x,6\n")
    with pytest.raises(SequenceFileError, match=r"myInput_1\.csv' line 3 column 2: cannot read 'x'"):
        list(SequenceRecordReaderDataSetIterator(features, labels, num_possible_labels=4))


def test_an_error_mid_pass_yields_no_half_built_minibatch(tmp_path):
    features, labels = write_sequences(tmp_path, [2] * 5)
    (tmp_path / "myLabels_3.csv").write_text("h\n0\n7\n")
    passes = iter(SequenceRecordReaderDataSetIterator(features, labels, batch_size=2, num_possible_labels=4))
    first = next(passes)
    assert first.num_examples() == 2
    with pytest.raises(SequenceFileError, match=r"myLabels_3\.csv' line 3"):
        next(passes)
    assert next(passes, None) is None
