"""Bad input to the CSV sequence import: each refused with a documented error that names the file,
line and column (or the argument), what was expected and what came; files on disk stay as they were."""
import itertools
import re
import sys
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from guards import time_limit
from workbench.data import (
    AlignmentMode, CSVSequenceRecordReader, FileSplit, NumberedFileInputSplit, SequenceRecordReaderDataSetIterator,
)
from workbench.errors import InputTypeError, InvalidInputError, SequenceFileError

BIG = 10 ** 8


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


class Folder(SimpleNamespace):
    def write(self, name, text):
        """Write a file, and expect it to stay as written."""
        (self.folder / name).write_text(text)
        self.expected[name] = (self.folder / name).read_bytes()


@pytest.fixture
def env(tmp_path):
    """Two features files (header + 3 rows of 3 columns), their label files, initialized readers;
    checks afterwards that no file was changed, added or removed since written."""
    e = Folder(folder=tmp_path, expected={})
    for i in range(2):
        e.write(f"in_{i}.csv", "a,b,c\n1,2,0\n3,4,1\n5,6,0\n")
        e.write(f"lab_{i}.csv", "y\n0\n1\n0\n")
    e.features = CSVSequenceRecordReader(1).initialize(NumberedFileInputSplit(str(tmp_path / "in_%d.csv"), 0, 1))
    e.labels = CSVSequenceRecordReader(1).initialize(NumberedFileInputSplit(str(tmp_path / "lab_%d.csv"), 0, 1))
    yield e
    assert snapshot(tmp_path) == e.expected


def file_error(err, path, line, column):
    assert (err.value.path, err.value.line, err.value.column) == (path, line, column)
    assert f"{str(path)!r} line {line} column {column}:" in str(err.value)


# -- 1. non-finite cells: refused when read, in the fast path (a regular table) and the slow path ---------------

@pytest.mark.parametrize("cell", ["nan", "NaN", "-nan", "inf", "-inf", "+Infinity", "infinity", "1e999", "-1E999"])
@pytest.mark.parametrize("path", ["fast", "slow"])
def test_non_finite_cell_names_file_line_column_and_cell(env, cell, path):
    ragged = "7,8\n" if path == "slow" else ""        # a short last line sends the read down the slow path
    env.write("in_1.csv", f"a,b,c\n1,2,0\n3,{cell},1\n{ragged}")
    with pytest.raises(SequenceFileError, match=rf"expected a finite number, got {re.escape(repr(cell))}") as err:
        env.features.read(1)
    file_error(err, env.folder / "in_1.csv", 3, 2)


def test_non_finite_label_is_refused_through_the_iterator(env):
    env.write("lab_1.csv", "y\n0\n1\nnan\n")
    it = SequenceRecordReaderDataSetIterator(env.features, env.labels, batch_size=2, num_possible_labels=2)
    with pytest.raises(SequenceFileError, match=r"got 'nan' \(NaN\)") as err:
        list(it)
    file_error(err, env.folder / "lab_1.csv", 4, 1)


# -- 2. values beyond float32: refused before the minibatch is built ----------------------------------------------

@pytest.mark.parametrize("value", ["1e300", "-3.5e38", "3.41e38"])
@pytest.mark.parametrize("where", ["features", "regression labels", "label column", "after the label column"])
def test_float32_overflow_names_the_column_in_the_file(env, value, where):
    labels, label_index, name, column = env.labels, None, "in_1.csv", 2
    if where == "features":
        rows = f"1,2,0\n3,{value},1\n"
    elif where == "regression labels":
        rows, name, column = f"0\n{value}\n", "lab_1.csv", 1
    else:                                          # labels in column 2 (label_index=1) of the features files
        labels, label_index = None, 1
        rows, column = (f"1,2,0\n3,{value},1\n", 2) if where == "label column" else (f"1,2,0\n3,4,{value}\n", 3)
    env.write(name, "h\n" + rows)
    it = SequenceRecordReaderDataSetIterator(env.features, labels, batch_size=2, regression=True,
                                             label_index=label_index, alignment_mode="ALIGN_END")
    with pytest.raises(SequenceFileError, match=rf"{re.escape(repr(float(value)))} is outside the float32 range "
                                                r"±3\.4028235e38") as err:
        list(it)
    file_error(err, env.folder / name, 3, column)


def test_the_largest_float32_value_is_kept(env):
    env.write("in_1.csv", "h\n1,2,0\n3,-3.4028235e38,1\n5,6,0\n")
    ds = next(iter(SequenceRecordReaderDataSetIterator(env.features, env.labels, batch_size=2, num_possible_labels=2)))
    assert ds.features[1, 1, 1] == -np.finfo(np.float32).max and np.isfinite(ds.features).all()


# -- 3. huge numbered splits: lazy, and initialize stops after a few missing files -------------------------------

def test_initialize_on_a_split_of_10_to_the_8_missing_files_fails_at_once(tmp_path):
    split = NumberedFileInputSplit(str(tmp_path / "x_%d.csv"), 0, BIG)
    tracemalloc.start()
    start = time.perf_counter()
    with time_limit(5), pytest.raises(FileNotFoundError, match=r"x_0\.csv', '.*x_1\.csv', '.*x_2\.csv' \(stopped "
                                                               r"looking after 3 missing; the split lists 100000001"):
        CSVSequenceRecordReader().initialize(split)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 1 and peak < 1_000_000
    assert list(tmp_path.iterdir()) == []


def test_a_split_of_10_to_the_8_files_is_a_lazy_sequence():
    tracemalloc.start()
    split = NumberedFileInputSplit("/data/x_%d.csv", 1, BIG)
    assert len(split) == BIG
    assert (split[0], split[41], split[-1], split[-BIG]) == (
        Path("/data/x_1.csv"), Path("/data/x_42.csv"), Path(f"/data/x_{BIG}.csv"), Path("/data/x_1.csv"))
    assert list(itertools.islice(split, 2)) == [Path("/data/x_1.csv"), Path("/data/x_2.csv")]
    assert split[-2:] == [Path(f"/data/x_{BIG - 1}.csv"), Path(f"/data/x_{BIG}.csv")]
    assert tracemalloc.get_traced_memory()[1] < 1_000_000
    tracemalloc.stop()
    for i in (BIG, -BIG - 1):
        with pytest.raises(IndexError, match=rf"index {i} out of range for {BIG} files"):
            split[i]
    with pytest.raises(InputTypeError, match=r"index must be an int, got '3' \(str\)"):
        split["3"]


def test_reader_and_iterator_index_the_split_without_listing_it(env, monkeypatch):
    def listing(self):
        raise AssertionError("paths() builds the whole list")
    monkeypatch.setattr(NumberedFileInputSplit, "paths", listing)
    reader = CSVSequenceRecordReader(1).initialize(NumberedFileInputSplit(str(env.folder / "in_%d.csv"), 0, 1))
    assert reader.path(-1) == env.folder / "in_1.csv" and len(reader) == 2
    assert len(list(SequenceRecordReaderDataSetIterator(reader, env.labels, num_possible_labels=2))) == 2
    assert reader.paths == [env.folder / "in_0.csv", env.folder / "in_1.csv"]     # the property still lists


def test_a_few_missing_files_are_all_named_with_the_count(env):
    split = NumberedFileInputSplit(str(env.folder / "in_%d.csv"), 0, 3)
    with pytest.raises(FileNotFoundError, match=r"2 of 4 files of NumberedFileInputSplit\(.*\) do not exist: "
                                                r"'.*in_2\.csv', '.*in_3\.csv'$"):
        CSVSequenceRecordReader().initialize(split)


# -- 4. arguments of the wrong kind or value: InputTypeError / InvalidInputError naming the argument -------------

CASES = {
    "extensions [None]": (lambda e: FileSplit(e.folder, extensions=[None]), InputTypeError,
                          r"FileSplit: extensions must be None, a str or a list of str .*holds None \(NoneType\)"),
    "extensions [3]": (lambda e: FileSplit(e.folder, extensions=[3]), InputTypeError, r"extensions.*holds 3 \(int\)"),
    "extensions [b'csv']": (lambda e: FileSplit(e.folder, extensions=[b"csv"]), InputTypeError,
                            r"extensions.*holds b'csv' \(bytes\)"),
    "extensions b'csv'": (lambda e: FileSplit(e.folder, extensions=b"csv"), InputTypeError,
                          r"extensions .*got b'csv' \(bytes\)"),
    "extensions 3": (lambda e: FileSplit(e.folder, extensions=3), InputTypeError, r"extensions .*got 3 \(int\)"),
    "extensions []": (lambda e: FileSplit(e.folder, extensions=[]), InvalidInputError,
                      r"extensions must name at least one extension.*got \[\]"),
    "extensions ['.']": (lambda e: FileSplit(e.folder, extensions=["."]), InvalidInputError,
                         r"extensions must name at least one extension.*got \['\.'\]"),
    "directory None": (lambda e: FileSplit(None), InputTypeError,
                       r"FileSplit: directory must be a str or pathlib\.Path, got None"),
    "directory 3": (lambda e: FileSplit(3), InputTypeError, r"directory must be .*got 3 \(int\)"),
    "directory ''": (lambda e: FileSplit(""), InvalidInputError, r"directory is an empty string"),
    "pattern None": (lambda e: NumberedFileInputSplit(None, 0, 1), InputTypeError,
                     r"NumberedFileInputSplit: pattern must be a str or pathlib\.Path, got None"),
    "pattern bytes": (lambda e: NumberedFileInputSplit(b"x_%d", 0, 1), InputTypeError,
                      r"pattern must be .*got b'x_%d' \(bytes\)"),
    "pattern without %d": (lambda e: NumberedFileInputSplit("x.csv", 0, 1), InvalidInputError,
                           r"pattern must hold one %d field"),
    "pattern %999999999d": (lambda e: NumberedFileInputSplit("x_%999999999d.csv", 0, 1), InvalidInputError,
                            r"pads each index to 999999999 characters, more than a file name can hold \(255\)"),
    "min_idx '0'": (lambda e: NumberedFileInputSplit("x_%d", "0", 1), InputTypeError,
                    r"min_idx must be an int, got '0' \(str\)"),
    "max_idx None": (lambda e: NumberedFileInputSplit("x_%d", 0, None), InputTypeError,
                     r"max_idx must be an int, got None"),
    "span over sys.maxsize": (lambda e: NumberedFileInputSplit("x_%d", -1, sys.maxsize), InvalidInputError,
                      r"span more than \d+ files"),
    "min_idx > max_idx": (lambda e: NumberedFileInputSplit("x_%d", 2, 1), InvalidInputError, r"min_idx=2 > max_idx=1"),
    "skip_num_lines '1'": (lambda e: CSVSequenceRecordReader("1"), InputTypeError,
                           r"CSVSequenceRecordReader: skip_num_lines must be an int >= 0, got '1' \(str\)"),
    "skip_num_lines True": (lambda e: CSVSequenceRecordReader(True), InputTypeError, r"skip_num_lines.*got True"),
    "skip_num_lines -1": (lambda e: CSVSequenceRecordReader(-1), InvalidInputError, r"skip_num_lines.*got -1"),
    "delimiter 5": (lambda e: CSVSequenceRecordReader(0, 5), InputTypeError,
                    r"delimiter must be a str such as ',' .*got 5 \(int\)"),
    "delimiter b','": (lambda e: CSVSequenceRecordReader(0, b","), InputTypeError, r"delimiter .*got b','"),
    "delimiter ''": (lambda e: CSVSequenceRecordReader(0, ""), InvalidInputError, r"delimiter must be .*got ''"),
    "delimiter '.'": (lambda e: CSVSequenceRecordReader(0, "."), InvalidInputError,
                      r"delimiter .*part of numbers.*got '\.'"),
    "delimiter 'e'": (lambda e: CSVSequenceRecordReader(0, "e"), InvalidInputError, r"delimiter .*got 'e'"),
    "split None": (lambda e: CSVSequenceRecordReader().initialize(None), InputTypeError,
                   r"initialize: split must be a NumberedFileInputSplit or FileSplit, got None"),
    "split str": (lambda e: CSVSequenceRecordReader().initialize("data"), InputTypeError,
                  r"split must be .*\(e\.g\. FileSplit\('data'\)\), got 'data' \(str\)"),
    "split int": (lambda e: CSVSequenceRecordReader().initialize(3), InputTypeError, r"split must be .*got 3 \(int\)"),
    "read('0')": (lambda e: e.features.read("0"), InputTypeError, r"index must be an int, got '0' \(str\)"),
    "read(1.0)": (lambda e: e.features.read(1.0), InputTypeError, r"index must be an int, got 1\.0 \(float\)"),
    "read(None)": (lambda e: e.features.read(None), InputTypeError, r"index must be an int, got None"),
    "features_reader None": (lambda e: SequenceRecordReaderDataSetIterator(None, e.labels, num_possible_labels=2),
                             InputTypeError, r"features_reader must be a CSVSequenceRecordReader .*got None"),
    "features_reader object": (lambda e: SequenceRecordReaderDataSetIterator(object(), e.labels, num_possible_labels=2),
                               InputTypeError, r"features_reader must be .*\(object\)"),
    "features_reader a split": (
        lambda e: SequenceRecordReaderDataSetIterator(e.features.split, e.labels, num_possible_labels=2),
        InputTypeError, r"features_reader must be .*\(NumberedFileInputSplit\)"),
    "features_reader not initialized": (
        lambda e: SequenceRecordReaderDataSetIterator(CSVSequenceRecordReader(), e.labels, num_possible_labels=2),
        InvalidInputError, r"features_reader is not initialized; call features_reader\.initialize\(split\)"),
    "labels_reader str": (lambda e: SequenceRecordReaderDataSetIterator(e.features, "labels", num_possible_labels=2),
                          InputTypeError, r"labels_reader must be a CSVSequenceRecordReader .*got 'labels'"),
    "labels_reader not initialized": (
        lambda e: SequenceRecordReaderDataSetIterator(e.features, CSVSequenceRecordReader(), num_possible_labels=2),
        InvalidInputError, r"labels_reader is not initialized"),
    "batch_size None": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, None, 2),
                        InputTypeError, r"batch_size must be an int >= 1, got None"),
    "batch_size 2.0": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, 2.0, 2),
                       InputTypeError, r"batch_size must be an int >= 1, got 2\.0 \(float\)"),
    "batch_size 0": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, 0, 2),
                     InvalidInputError, r"batch_size must be an int >= 1, got 0"),
    "num_possible_labels missing": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels),
                                 InvalidInputError, r"num_possible_labels >= 1 .*got -1"),
    "num_possible_labels '2'": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, 1, "2"),
                                InputTypeError, r"num_possible_labels >= 1 .*got '2'"),
    "label_index '0'": (lambda e: SequenceRecordReaderDataSetIterator(e.features, label_index="0", regression=True),
                        InputTypeError, r"label_index must be an int .*got '0'"),
    "regression 'yes'": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, regression="yes"),
                         InputTypeError, r"regression must be True or False, got 'yes'"),
    "alignment_mode 3": (lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, 1, 2, alignment_mode=3),
                         InputTypeError, r"alignment_mode must be an AlignmentMode or its name, got 3"),
    "alignment_mode 'MIDDLE'": (
        lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, 1, 2, alignment_mode="MIDDLE"),
        InvalidInputError, r"alignment_mode must be one of \['EQUAL_LENGTH', 'ALIGN_START', 'ALIGN_END'\]"),
    "both labels_reader and label_index": (
        lambda e: SequenceRecordReaderDataSetIterator(e.features, e.labels, 1, 2, label_index=0),
        InvalidInputError, r"give either labels_reader .* or label_index .*not both"),
}


@pytest.mark.parametrize("call, error, message", CASES.values(), ids=CASES.keys())
def test_bad_argument_names_it(env, call, error, message):
    with pytest.raises(error, match=message):
        call(env)


def test_extensions_match_the_end_of_the_name(env):
    env.write("pack.tar.gz", "")
    assert [p.name for p in FileSplit(env.folder, [".TAR.GZ"])] == ["pack.tar.gz"]


def test_valid_arguments_of_numpy_kinds_are_accepted(env):
    split = NumberedFileInputSplit(env.folder / "in_%d.csv", np.int64(0), np.int32(1))
    reader = CSVSequenceRecordReader(np.int64(1)).initialize(split)
    it = SequenceRecordReaderDataSetIterator(reader, batch_size=np.int64(2), label_index=np.int64(-1),
                                             num_possible_labels=np.int16(2), regression=np.bool_(False),
                                             alignment_mode=AlignmentMode.ALIGN_END)
    (ds,) = list(it)
    assert ds.features.shape == (2, 2, 3) and it.label_index == -1
    np.testing.assert_array_equal(reader.read(np.int64(-1)), [[1, 2, 0], [3, 4, 1], [5, 6, 0]])
