"""Sequence files saved into a folder and read in one checked pass (workbench.data.sequence_files)."""
import numpy as np
import pytest

from workbench.data import AlignmentMode, DataSet, NumberedFileInputSplit, to_csv_sequences
from workbench.data.sequence_files import SequenceFiles, save_sequence_files
from workbench.errors import InvalidInputError, SequenceFileError


def many_to_one(n=5, n_in=2, seed=0):
    """Sequences of 3..3+n-1 steps, one class index (0..2) per sequence."""
    rng = np.random.default_rng(seed)
    features = {f"x_{i}.csv": "".join(",".join(f"{v:.3f}" for v in row) + "\n"
                                      for row in rng.normal(size=(3 + i, n_in))).encode() for i in range(n)}
    labels = {f"y_{i}.csv": f"{i % 3}\n".encode() for i in range(n)}
    return features, labels


def test_save_writes_groups_and_lists_them_in_natural_order(tmp_path):
    features = {f"x_{i}.csv": b"1,2\n" for i in (10, 2, 1)}
    splits = save_sequence_files({"features": features, "labels": {"y.csv": "0\n"}}, tmp_path)
    assert [p.name for p in splits["features"]] == ["x_1.csv", "x_2.csv", "x_10.csv"]
    assert (tmp_path / "labels" / "y.csv").read_bytes() == b"0\n"        # text is written as UTF-8


@pytest.mark.parametrize("files, words", [
    ({"features": {"../x.csv": b"1\n"}}, "plain file name"),
    ({"features": {".hidden": b"1\n"}}, "plain file name"),
    ({"features": {"x.csv": 1.5}}, "expected bytes or text"),
    ({"features": {}}, "at least one file"),
    ({"targets": {"x.csv": b"1\n"}}, "groups are"),
])
def test_save_refuses_bad_names_and_contents_and_writes_nothing(tmp_path, files, words):
    with pytest.raises(InvalidInputError, match=words):
        save_sequence_files(files, tmp_path)
    assert not any(tmp_path.iterdir())


def test_read_gives_iterator_first_minibatch_lengths_and_progress(tmp_path):
    features, labels = many_to_one(n=5)
    splits = save_sequence_files({"features": features, "labels": labels}, tmp_path)
    files = SequenceFiles(splits["features"], splits["labels"], num_labels=3, batch_size=2)
    calls = []
    read = files.read(AlignmentMode.ALIGN_END, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]
    np.testing.assert_array_equal(read.lengths, [3, 4, 5, 6, 7])
    assert (read.n_in, read.n_out) == (2, 3) and len(read.iterator) == 3
    first = next(iter(read.iterator))
    np.testing.assert_array_equal(read.first.features, first.features)
    assert read.first.labels_mask[0].tolist() == [0, 0, 1, 0]              # ALIGN_END: at its last step
    start = files.read(AlignmentMode.ALIGN_START)
    assert start.first.labels_mask[0].tolist() == [1, 0, 0, 0]


def test_label_column_and_regression(tmp_path):
    features = {f"d_{i}.csv": b"h1,h2,h3\n1,2,0.5\n3,4,1.5\n" for i in range(3)}
    splits = save_sequence_files({"features": features}, tmp_path)
    read = SequenceFiles(splits["features"], skip_lines=1, label_index=-1, regression=True).read(
        AlignmentMode.EQUAL_LENGTH)
    assert (read.n_in, read.n_out) == (2, 1)
    np.testing.assert_array_equal(read.first.labels[0, 0], [0.5, 1.5])


def test_a_bad_file_raises_the_readers_error_naming_it(tmp_path):
    features, labels = many_to_one(n=3)
    features["x_1.csv"] = b"1,2\nthree,4\n"
    splits = save_sequence_files({"features": features, "labels": labels}, tmp_path)
    with pytest.raises(SequenceFileError, match=r"x_1\.csv' line 2 column 1"):
        SequenceFiles(splits["features"], splits["labels"], num_labels=3).read(AlignmentMode.ALIGN_END)


def test_round_trip_of_written_files_and_preview(tmp_path):
    ds = DataSet(np.arange(12, dtype=np.float32).reshape(2, 2, 3), np.eye(2, dtype=np.float32)[:, :, None].repeat(3, 2))
    written = to_csv_sequences(ds, tmp_path, header=True, label_format="index")
    files = SequenceFiles(NumberedFileInputSplit(written.features_pattern, 0, written.max_idx),
                          NumberedFileInputSplit(written.labels_pattern, 0, written.max_idx),
                          skip_lines=written.skip_num_lines, num_labels=2)
    read = files.read(AlignmentMode.EQUAL_LENGTH)
    np.testing.assert_array_equal(read.first.features, ds.features)
    (path, what, head), (lpath, lwhat, _) = files.preview(lines=2)
    assert (path.name, what, lpath.name, lwhat) == ("features_0.csv", "features", "labels_0.csv", "labels")
    assert head.count("\n") == 1 and head.splitlines()[1] == "0.0,3.0"
