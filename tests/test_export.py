"""to_csv_sequences: DataSets written as DL4J-style numbered CSV files."""
import os
import time

import numpy as np
import pytest

from workbench.data import DataSet
from workbench.data.datasets import airline, japanese_vowels
from workbench.data.export import CsvSequenceFiles, to_csv_sequences


@pytest.fixture(scope="module")
def jv():
    return japanese_vowels()


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def load(path, skip=1, dtype=np.float32):
    return np.loadtxt(path, delimiter=",", skiprows=skip, dtype=dtype, ndmin=2)


def masked_example():
    """3 examples, 2 features, 3 label classes, T=5, padded at the end, many-to-one labels."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 5)).astype(np.float32)
    lengths = np.array([5, 3, 1])
    fmask = (np.arange(5)[None] < lengths[:, None]).astype(np.float32)
    x *= fmask[:, None, :]
    y = np.zeros((3, 3, 5), np.float32)
    lmask = np.zeros((3, 5), np.float32)
    for i, (c, L) in enumerate(zip([2, 0, 1], lengths)):
        y[i, c, L - 1] = 1
        lmask[i, L - 1] = 1
    return DataSet(x, y, fmask, lmask), lengths, [2, 0, 1]


def test_japanese_vowels_files_follow_the_masks(jv, tmp_path):
    train, test = jv
    start = time.perf_counter()
    record = to_csv_sequences([train, test], tmp_path / "jv")
    elapsed = time.perf_counter() - start
    assert elapsed < 5  # about 0.1-0.4 s; a generous bound against pathological slowness
    assert isinstance(record, CsvSequenceFiles)
    assert record.num_examples == 640 and record.header and record.skip_num_lines == 1 and record.max_idx == 639
    assert record.features_pattern == str(tmp_path / "jv" / "features_%d.csv")
    assert record.labels_pattern == str(tmp_path / "jv" / "labels_%d.csv")
    assert len(os.listdir(tmp_path / "jv")) == 1280
    header = ",".join(f"feature_{j}" for j in range(12))
    for offset, ds in ((0, train), (270, test)):
        L = ds.features_mask.sum(axis=1).astype(int)
        cls = ds.labels.sum(axis=2).argmax(axis=1)
        for i in range(0, ds.num_examples(), 7):
            lines = read_lines(record.features_pattern % (offset + i))
            assert lines[0] == header and len(lines) == 1 + L[i]
            values = load(record.features_pattern % (offset + i))
            np.testing.assert_array_equal(values, ds.features[i, :, :L[i]].T)  # exact float32 round trip
            assert read_lines(record.labels_pattern % (offset + i)) == ["label", str(cls[i])]


def test_masks_select_the_lines(tmp_path):
    ds, lengths, classes = masked_example()
    record = to_csv_sequences(ds, tmp_path, header=False)
    assert record.skip_num_lines == 0
    for i in range(3):
        x = load(record.features_pattern % i, skip=0)
        np.testing.assert_array_equal(x, ds.features[i, :, :lengths[i]].T)
        assert read_lines(record.labels_pattern % i) == [str(classes[i])]


def test_no_mask_writes_every_step_and_values_format(tmp_path):
    ds = airline()
    record = to_csv_sequences(ds, tmp_path, prefix="air_", label_format="values")
    assert record.features_pattern.endswith("air_features_%d.csv") and record.label_format == "values"
    assert read_lines(record.labels_pattern % 0)[0] == "label_0"
    assert read_lines(record.features_pattern % 0)[1:3] == ["112.0", "118.0"]
    np.testing.assert_array_equal(load(record.features_pattern % 0)[:, 0], ds.features[0, 0])
    np.testing.assert_array_equal(load(record.labels_pattern % 0)[:, 0], ds.labels[0, 0])
    assert len(read_lines(record.labels_pattern % 0)) == 144


def test_values_format_keeps_every_label_column_at_real_steps(tmp_path):
    ds, lengths, _ = masked_example()
    ds.labels_mask = ds.features_mask.copy()  # many-to-many: a label row at every real step
    record = to_csv_sequences(ds, tmp_path, label_format="values")
    assert read_lines(record.labels_pattern % 0)[0] == "label_0,label_1,label_2"
    for i in range(3):
        np.testing.assert_array_equal(load(record.labels_pattern % i), ds.labels[i, :, :lengths[i]].T)


def test_two_dimensional_data_writes_one_line(tmp_path):
    x = np.arange(12, dtype=np.float64).reshape(4, 3) / 7
    y = np.eye(2)[[0, 1, 1, 0]]
    record = to_csv_sequences(DataSet(x, y, labels_mask=np.array([1, 1, 0, 1])), tmp_path)
    for i in range(4):
        lines = read_lines(record.features_pattern % i)
        assert len(lines) == 2
        np.testing.assert_array_equal(np.array(lines[1].split(","), dtype=np.float64), x[i])  # float64 exact
    assert read_lines(record.labels_pattern % 1) == ["label", "1"]
    assert read_lines(record.labels_pattern % 2) == ["label"]  # masked label: no line


def test_floats_round_trip_exactly(tmp_path):
    rng = np.random.default_rng(1)
    special = np.array([0.0, -0.0, 1e-45, 1.4e-45, 3.4028235e38, -1.1754944e-38, 1 / 3, 0.1, 16777217.0],
                       np.float32)
    random_bits = rng.integers(0, 2**32, size=4000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    random_bits = random_bits[np.isfinite(random_bits)]
    values = np.concatenate([special, random_bits, rng.normal(size=1000).astype(np.float32)])
    n = len(values) // 4 * 4
    x = values[:n].reshape(1, -1, 4).transpose(0, 2, 1)  # one sequence of n / 4 steps, 4 features
    record = to_csv_sequences(DataSet(x, np.zeros((1, 1, x.shape[2]), np.float32)), tmp_path,
                              label_format="values")
    back = load(record.features_pattern % 0)
    np.testing.assert_array_equal(back.view(np.uint32), x[0].T.view(np.uint32))  # bit-exact, -0.0 included
    back64 = np.array([[float(v) for v in line.split(",")] for line in read_lines(record.features_pattern % 0)[1:]])
    np.testing.assert_array_equal(back64.astype(np.float32), x[0].T)


def test_integers_bools_and_nan(tmp_path):
    x = np.array([[[1, 2]], [[3, -4]]], np.int64)
    y = np.array([[[True, False]], [[False, True]]])
    record = to_csv_sequences(DataSet(x, y), tmp_path / "a", label_format="values")
    assert read_lines(record.features_pattern % 1)[1:] == ["3", "-4"]
    assert read_lines(record.labels_pattern % 0)[1:] == ["1", "0"]
    z = np.array([[[np.nan, np.inf]]], np.float32)
    record = to_csv_sequences(DataSet(z, z), tmp_path / "b", label_format="values")
    assert read_lines(record.features_pattern % 0)[1:] == ["nan", "inf"]


def test_index_format_needs_one_hot_labels(tmp_path):
    ds, _, _ = masked_example()
    ds.labels[1, :, 2] = [0.2, 0.7, 0.1]
    with pytest.raises(ValueError, match=r"example 1, step 2.*label_format='values'"):
        to_csv_sequences(ds, tmp_path)
    assert os.listdir(tmp_path) == []
    to_csv_sequences(ds, tmp_path, label_format="values")
    assert len(os.listdir(tmp_path)) == 6


def test_iterables_are_numbered_on(tmp_path):
    ds, _, classes = masked_example()
    record = to_csv_sequences(iter([ds, ds]), tmp_path)
    assert record.num_examples == 6
    assert [read_lines(record.labels_pattern % i)[1] for i in range(6)] == [str(c) for c in classes * 2]


def test_refuses_to_overwrite_and_changes_nothing(tmp_path):
    ds, _, _ = masked_example()
    (tmp_path / "labels_1.csv").write_text("mine\n")
    (tmp_path / "labels_2.csv").write_text("mine too\n")
    with pytest.raises(FileExistsError, match="labels_1.csv") as info:
        to_csv_sequences(ds, tmp_path)
    assert info.value.filename == str(tmp_path / "labels_1.csv")
    assert sorted(os.listdir(tmp_path)) == ["labels_1.csv", "labels_2.csv"]
    assert (tmp_path / "labels_1.csv").read_text() == "mine\n"
    record = to_csv_sequences(ds, tmp_path, overwrite=True)
    assert read_lines(record.labels_pattern % 1) == ["label", "0"]
    assert sorted(os.listdir(tmp_path)) == sorted(f"{k}_{i}.csv" for k in ("features", "labels") for i in range(3))


def test_a_failure_part_way_removes_what_this_call_created(tmp_path):
    ds, _, _ = masked_example()
    (tmp_path / "features_4.csv").write_text("keep\n")  # the second DataSet would need it
    with pytest.raises(FileExistsError, match="features_4.csv"):
        to_csv_sequences([ds, ds], tmp_path)
    assert os.listdir(tmp_path) == ["features_4.csv"]

    def broken():
        yield ds
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        to_csv_sequences(broken(), tmp_path / "new")
    assert os.listdir(tmp_path / "new") == []


@pytest.mark.parametrize("kw,match", [
    (dict(label_format="onehot"), "label_format"),
    (dict(prefix="sub/x"), "prefix"),
])
def test_bad_arguments(tmp_path, kw, match):
    ds, _, _ = masked_example()
    with pytest.raises(ValueError, match=match):
        to_csv_sequences(ds, tmp_path, **kw)


def test_percent_signs_in_paths_are_escaped_in_the_patterns(tmp_path):
    ds, _, _ = masked_example()
    record = to_csv_sequences(ds, tmp_path / "100%", prefix="p%d_")
    assert record.features_pattern == str(tmp_path / "100%%" / "p%%d_features_%d.csv")
    assert record.features_pattern % 2 == str(tmp_path / "100%" / "p%d_features_2.csv")
    assert sorted(os.listdir(tmp_path / "100%"))[0] == "p%d_features_0.csv"
    assert len(read_lines(record.labels_pattern % 2)) == 2


def test_inconsistent_widths_are_rejected(tmp_path):
    ds, _, _ = masked_example()
    other = DataSet(np.zeros((1, 3, 2)), np.zeros((1, 3, 2)), labels_mask=np.zeros((1, 2)))
    with pytest.raises(ValueError, match="3 features"):
        to_csv_sequences([ds, other], tmp_path)
    assert os.listdir(tmp_path) == []


def test_read_back_with_the_sequence_reader_gives_the_same_dataset(jv, tmp_path):
    """ALIGN_END many-to-one import (DL4J guide, example 4) of the written files is the original."""
    try:
        from workbench.data.records import CSVSequenceRecordReader, NumberedFileInputSplit
        from workbench.data.sequence_iterator import AlignmentMode, SequenceRecordReaderDataSetIterator
    except ImportError as e:  # pragma: no cover - built alongside
        pytest.skip(f"sequence readers not available: {e}")
    train = jv[0]
    record = to_csv_sequences(train, tmp_path)
    readers = []
    for pattern in (record.features_pattern, record.labels_pattern):
        reader = CSVSequenceRecordReader(skip_num_lines=record.skip_num_lines, delimiter=",")
        reader.initialize(NumberedFileInputSplit(pattern, 0, record.max_idx))
        readers.append(reader)
    it = SequenceRecordReaderDataSetIterator(readers[0], readers[1], batch_size=270, num_possible_labels=9,
                                             alignment_mode=AlignmentMode.ALIGN_END)
    (back,) = list(it)
    for name in ("features", "labels", "features_mask", "labels_mask"):
        np.testing.assert_array_equal(np.asarray(getattr(back, name)), getattr(train, name), err_msg=name)
