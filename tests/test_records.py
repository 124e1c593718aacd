"""Input splits and CSVSequenceRecordReader: paths, parsing, and errors that name file/line/column."""
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from workbench.data.records import (
    CSVSequenceRecordReader, FileSplit, NumberedFileInputSplit, SequenceFileError,
)


def write(path, text):
    Path(path).write_text(text)
    return path


def reader_for(tmp_path, text, skip=0, delimiter=",", name="seq_0.csv"):
    write(tmp_path / name, text)
    return CSVSequenceRecordReader(skip, delimiter).initialize(FileSplit(tmp_path))


# -- NumberedFileInputSplit ------------------------------------------------------------------------

def test_numbered_split_bounds_are_inclusive():
    split = NumberedFileInputSplit("/data/myInput_%d.csv", 0, 9)
    assert len(split) == 10
    assert split.paths() == [Path(f"/data/myInput_{i}.csv") for i in range(10)]


def test_numbered_split_zero_padded_field_and_pathlike():
    split = NumberedFileInputSplit(Path("/d") / "x_%03d.txt", 7, 8)
    assert split.paths() == [Path("/d/x_007.txt"), Path("/d/x_008.txt")]
    assert NumberedFileInputSplit("/d/100%%_%d.csv", 1, 1).paths() == [Path("/d/100%_1.csv")]


def test_numbered_split_single_file():
    assert NumberedFileInputSplit("a_%d", 3, 3).paths() == [Path("a_3")]


@pytest.mark.parametrize("pattern", ["/data/myInput.csv", "/data/x_%s.csv", "/d/%d_%d.csv"])
def test_numbered_split_needs_one_int_field(pattern):
    with pytest.raises(ValueError, match=re.escape(repr(pattern))):
        NumberedFileInputSplit(pattern, 0, 9)


def test_numbered_split_stray_percent_names_the_pattern():
    with pytest.raises(ValueError, match=r"'/d/5% x_%d\.csv'.*%%"):
        NumberedFileInputSplit("/d/5% x_%d.csv", 0, 1)


def test_numbered_split_min_above_max_names_both():
    with pytest.raises(ValueError, match=r"min_idx=9 > max_idx=3"):
        NumberedFileInputSplit("x_%d.csv", 9, 3)


def test_numbered_split_bounds_must_be_ints():
    with pytest.raises(ValueError, match=r"max_idx must be an int, got 9\.0"):
        NumberedFileInputSplit("x_%d.csv", 0, 9.0)


# -- FileSplit -------------------------------------------------------------------------------------

def test_file_split_natural_order_and_extension_filter(tmp_path):
    for name in ["x_10.csv", "x_2.csv", "x_1.csv", "X_3.CSV", "notes.txt", ".hidden.csv"]:
        write(tmp_path / name, "1\n")
    (tmp_path / "sub").mkdir()
    names = [p.name for p in FileSplit(tmp_path, extensions=["csv"]).paths()]
    assert names == ["x_1.csv", "x_2.csv", "X_3.CSV", "x_10.csv"]
    assert FileSplit(tmp_path, extensions=[".csv"]).paths() == FileSplit(tmp_path, "csv").paths()
    everything = FileSplit(tmp_path)
    assert len(everything) == 5 and "notes.txt" in [p.name for p in everything.paths()]


def test_file_split_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope.*not a directory"):
        FileSplit(tmp_path / "nope")


def test_file_split_no_matching_files(tmp_path):
    write(tmp_path / "a.txt", "1\n")
    with pytest.raises(FileNotFoundError, match=r"no files ending in \.csv in"):
        FileSplit(tmp_path, extensions=["csv"])


# -- reading ---------------------------------------------------------------------------------------

def test_read_skips_header_and_trailing_blank_lines(tmp_path):
    r = reader_for(tmp_path, "a,b,c\n1,2,3\n4,5.5,-6e-1\n\n  \n", skip=1)
    x = r.read(0)
    assert x.dtype == np.float64
    np.testing.assert_array_equal(x, [[1, 2, 3], [4, 5.5, -0.6]])
    assert len(r) == 1 and r.paths == [tmp_path / "seq_0.csv"]


def test_read_without_final_newline_crlf_and_bom(tmp_path):
    (tmp_path / "seq_0.csv").write_bytes(b"\xef\xbb\xbf1;2\r\n3; 4")
    r = CSVSequenceRecordReader(0, ";").initialize(FileSplit(tmp_path))
    np.testing.assert_array_equal(r.read(0), [[1, 2], [3, 4]])


def test_read_one_column_and_tab_delimiter(tmp_path):
    np.testing.assert_array_equal(reader_for(tmp_path, "3\n1\n", name="a.csv").read(0), [[3], [1]])
    np.testing.assert_array_equal(reader_for(tmp_path, "1\t2\n", delimiter="\t", name="b.tsv").read(1),
                                  [[1, 2]])


def test_iteration_reads_every_file_in_order(tmp_path):
    for i in range(12):
        write(tmp_path / f"s_{i}.csv", "\n".join(f"{i},{t}" for t in range(i + 1)))
    r = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(tmp_path / "s_%d.csv"), 0, 11))
    arrays = list(r)
    assert [a.shape for a in arrays] == [(i + 1, 2) for i in range(12)]
    assert all((a[:, 0] == i).all() for i, a in enumerate(arrays))
    np.testing.assert_array_equal(r.read(-1), arrays[11])


def test_reads_lazily_so_a_file_changed_later_is_read_again(tmp_path):
    r = reader_for(tmp_path, "1,2\n")
    write(tmp_path / "seq_0.csv", "7,8\n9,9\n")
    np.testing.assert_array_equal(r.read(0), [[7, 8], [9, 9]])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=3, max_size=3), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t", " ", "|"]), st.integers(0, 2))
def test_read_round_trips_values(tmp_path_factory, rows, delimiter, skip):
    folder = tmp_path_factory.mktemp("rt")
    header = "".join(f"header {k}\n" for k in range(skip))
    write(folder / "x_0.txt", header + "\n".join(delimiter.join(repr(v) for v in row) for row in rows) + "\n")
    r = CSVSequenceRecordReader(skip, delimiter).initialize(FileSplit(folder))
    np.testing.assert_array_equal(r.read(0), np.array(rows))


# -- errors ----------------------------------------------------------------------------------------

def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match=r"skip_num_lines.*-1"):
        CSVSequenceRecordReader(-1)
    with pytest.raises(ValueError, match=r"delimiter.*''"):
        CSVSequenceRecordReader(0, "")


def test_read_before_initialize():
    with pytest.raises(RuntimeError, match=r"initialize"):
        CSVSequenceRecordReader().read(0)


def test_missing_file_is_reported_at_initialize_with_the_split(tmp_path):
    write(tmp_path / "in_0.csv", "1\n")
    write(tmp_path / "in_1.csv", "1\n")
    split = NumberedFileInputSplit(str(tmp_path / "in_%d.csv"), 0, 2)
    with pytest.raises(FileNotFoundError, match=r"1 of 3 files of NumberedFileInputSplit\(.*in_%d\.csv', 0, 2\)"
                                                r".*in_2\.csv"):
        CSVSequenceRecordReader().initialize(split)


def test_index_out_of_range(tmp_path):
    with pytest.raises(IndexError, match=r"index 1 out of range for 1 files"):
        reader_for(tmp_path, "1\n").read(1)


def test_ragged_rows_name_file_and_lines(tmp_path):
    text = "1,2,3,4,5\n" * 6 + "1,2,3,4\n" + "1,2,3,4,5\n"
    with pytest.raises(SequenceFileError, match=r"seq_0\.csv'?: line 7 has 4 columns, line 1 has 5") as err:
        reader_for(tmp_path, text).read(0)
    assert err.value.line == 7 and err.value.path == tmp_path / "seq_0.csv"


def test_ragged_rows_that_balance_out_are_still_found(tmp_path):
    with pytest.raises(SequenceFileError, match=r"line 3 has 3 columns, line 2 has 2"):
        reader_for(tmp_path, "h\n1,2\n1,2,3\n4\n", skip=1).read(0)


def test_non_numeric_cell_names_line_and_column_and_quotes_the_cell(tmp_path):
    with pytest.raises(SequenceFileError, match=r"seq_0\.csv' line 4 column 2: cannot read 'abc' as a number") as err:
        reader_for(tmp_path, "h\n1,2\n3,4\n5,abc\n", skip=1).read(0)
    assert (err.value.line, err.value.column) == (4, 2)


def test_empty_cell_is_a_non_numeric_cell(tmp_path):
    with pytest.raises(SequenceFileError, match=r"line 2 column 3: cannot read '' as a number"):
        reader_for(tmp_path, "1,2,3\n4,5,\n").read(0)


def test_header_without_skip_hints_at_skip_num_lines(tmp_path):
    with pytest.raises(SequenceFileError, match=r"line 1 column 1: cannot read 'time' .*skip_num_lines=1"):
        reader_for(tmp_path, "time,value\n1,2\n").read(0)


def test_binary_file_names_file_and_line(tmp_path):
    (tmp_path / "seq_0.csv").write_bytes(b"1,2\n3,\xff\x00\n")
    r = CSVSequenceRecordReader().initialize(FileSplit(tmp_path))
    with pytest.raises(SequenceFileError, match=r"seq_0\.csv' line 2: not UTF-8 text"):
        r.read(0)


def test_blank_line_inside_a_sequence(tmp_path):
    with pytest.raises(SequenceFileError, match=r"line 3: blank line inside"):
        reader_for(tmp_path, "1,2\n3,4\n\n5,6\n").read(0)


@pytest.mark.parametrize("text", ["", "\n\n", "header\n", "header\n\n  \n"])
def test_empty_file_after_skipping(tmp_path, text):
    with pytest.raises(SequenceFileError, match=r"seq_0\.csv'?: no data lines after skipping 1 line"):
        reader_for(tmp_path, text, skip=1).read(0)


@pytest.mark.parametrize("text, shown, other", [
    ("1;2;3\n4;5;6\n", "1;2;3", r"';'"),
    ("1\t2\n3\t4\n", r"1\\t2", r"'\\t'"),
    ("1 2\n3 4\n", "1 2", r"' '"),
])
def test_wrong_delimiter_hints_at_delimiter(tmp_path, text, shown, other):
    with pytest.raises(SequenceFileError,
                       match=rf"line 1 column 1: cannot read '{shown}'.*holds {other}.*pass delimiter="):
        reader_for(tmp_path, text).read(0)


def test_comma_file_read_with_semicolon_hints_at_comma(tmp_path):
    with pytest.raises(SequenceFileError, match=r"line 2 column 1: cannot read '3,4'.*holds ','.*delimiter=','"):
        reader_for(tmp_path, "h\n3,4\n", skip=1, delimiter=";").read(0)


def test_one_column_line_among_wider_lines_hints_at_delimiter(tmp_path):
    with pytest.raises(SequenceFileError, match=r"line 2 has 1 columns, line 1 has 2; the text holds ';'.*delimiter="):
        reader_for(tmp_path, "1,2\n3;4\n").read(0)
