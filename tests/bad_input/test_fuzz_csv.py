"""Fuzzing the CSV sequence import: random and near-valid files through ``CSVSequenceRecordReader.read``
and ``SequenceRecordReaderDataSetIterator``. Every outcome is a finite result (equal to the table written,
for valid input) or a ``SequenceFileError`` / ``InvalidInputError``; never another error, never a hang."""
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from guards import outcome
from workbench.data import (
    AlignmentMode, CSVSequenceRecordReader, NumberedFileInputSplit, SequenceRecordReaderDataSetIterator,
)
from workbench.errors import InvalidInputError, SequenceFileError

pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("error::RuntimeWarning")]

DELIMITERS = [",", ";", "\t", " ", "|", ", "]
TOKENS = list("0123456789+-.eE,;\t \n\r\"'") + ["nan", "inf", "-inf", "\ufeff", "header,line\n", "1e999", "1e300"]
BAD_CELLS = ["nan", "NaN", "inf", "-Infinity", "1e999", "-1e999", "1e300", "-3.5e38", "3.4028235e38", "", " ", "x",
             '"1"', "1,5", "1;5", "\ufeff1", "0x10", "1e", "--1", "1.2.3", "\t", "1 2"]
MUTATIONS = ["none", "cell", "drop delimiter", "add delimiter", "duplicate line", "remove line", "blank line",
             "truncate", "skip_num_lines", "delimiter"]
CLEAN = (SequenceFileError, InvalidInputError)
FLOAT32_VALUES = st.one_of(st.integers(-9, 9), st.floats(-3e38, 3e38, allow_nan=False))


def lines_of(rows, delimiter, skip):
    return [f"header {k}{delimiter}x" for k in range(skip)] + [delimiter.join(map(repr, row)) for row in rows]


@st.composite
def near_valid(draw, lines, delimiter, skip):
    """(file text, reader skip_num_lines, reader delimiter, mutation) for ``lines`` with one mutation."""
    mutation = draw(st.sampled_from(MUTATIONS))
    lines, pick = list(lines), draw(st.integers(0, len(lines) - 1))
    data_pick = draw(st.integers(skip, len(lines) - 1))
    if mutation == "cell":
        cells = lines[data_pick].split(delimiter)
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(BAD_CELLS))
        lines[data_pick] = delimiter.join(cells)
    elif mutation == "drop delimiter":
        lines[data_pick] = lines[data_pick].replace(delimiter, "", 1)
    elif mutation == "add delimiter":
        at = draw(st.integers(0, len(lines[pick])))
        lines[pick] = lines[pick][:at] + delimiter + lines[pick][at:]
    elif mutation == "duplicate line":
        lines.insert(pick, lines[pick])
    elif mutation == "remove line":
        del lines[pick]
    elif mutation == "blank line":
        lines.insert(pick, "")
    elif mutation == "skip_num_lines":
        skip = draw(st.integers(0, 3))
    elif mutation == "delimiter":
        delimiter = draw(st.sampled_from(DELIMITERS))
    newline, bom = draw(st.sampled_from(["\n", "\r\n", "\r"])), draw(st.sampled_from(["", "\ufeff"]))
    text = bom + newline.join(lines) + draw(st.sampled_from(["", newline, newline + " " + newline]))
    if mutation == "truncate":
        text = text[:draw(st.integers(0, len(text)))]
    return text, skip, delimiter, mutation


@st.composite
def reader_cases(draw):
    """(file bytes, skip_num_lines, delimiter, the table when the file is valid else None)."""
    kind = draw(st.sampled_from(["bytes", "text", "near-valid"]))
    skip, delimiter = draw(st.integers(0, 2)), draw(st.sampled_from(DELIMITERS))
    if kind == "bytes":
        return draw(st.binary(max_size=200)), skip, delimiter, None
    if kind == "text":
        return "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=60))).encode(), skip, delimiter, None
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=width, max_size=width),
                         min_size=1, max_size=6))
    text, read_skip, read_delimiter, mutation = draw(near_valid(lines_of(rows, delimiter, skip), delimiter, skip))
    return text.encode(), read_skip, read_delimiter, rows if mutation == "none" else None


@given(reader_cases())
def test_reader_reads_finite_tables_or_refuses_cleanly(fuzz_tally, case):
    data, skip, delimiter, table = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x_0.csv"
        path.write_bytes(data)
        reader = CSVSequenceRecordReader(skip, delimiter).initialize(NumberedFileInputSplit(Path(folder) / "x_%d.csv",
                                                                                            0, 0))

        def check():
            x = reader.read(0)
            assert x.dtype == np.float64 and x.ndim == 2 and x.size and np.isfinite(x).all()
            if table is not None:
                np.testing.assert_array_equal(x, np.array(table))

        error = outcome(fuzz_tally["csv_reader"], check, CLEAN, seconds=5)
        assert table is None or error is None, f"a valid file was refused: {error}"
        assert path.read_bytes() == data


@st.composite
def iterator_cases(draw):
    """Files, reader arguments and iterator arguments; ``valid`` when no file was mutated."""
    label_column = draw(st.booleans())
    regression = draw(st.booleans())
    mode = draw(st.sampled_from(list(AlignmentMode)))
    n, width, classes = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    label_width = draw(st.integers(1, 2)) if regression and not label_column else 1
    skip, delimiter = draw(st.integers(0, 2)), draw(st.sampled_from([",", ";", "\t", " "]))
    label_index = draw(st.integers(-width - 1, width)) if label_column else None
    label = FLOAT32_VALUES if regression else st.integers(0, classes - 1)
    equal_steps = draw(st.integers(1, 4))
    files = {}
    for i in range(n):
        steps = equal_steps if mode is AlignmentMode.EQUAL_LENGTH else draw(st.integers(1, 4))
        x = draw(st.lists(st.lists(FLOAT32_VALUES, min_size=width, max_size=width), min_size=steps, max_size=steps))
        label_steps = steps if label_column or mode is AlignmentMode.EQUAL_LENGTH else draw(st.integers(1, 4))
        y = draw(st.lists(st.lists(label, min_size=label_width, max_size=label_width),
                          min_size=label_steps, max_size=label_steps))
        if label_column:
            at = label_index % (width + 1)
            files[f"f_{i}.csv"] = lines_of([r[:at] + l + r[at:] for r, l in zip(x, y)], delimiter, skip)
        else:
            files[f"f_{i}.csv"] = lines_of(x, delimiter, skip)
            files[f"l_{i}.csv"] = lines_of(y, delimiter, skip)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    texts = {name: newline.join(lines) + newline for name, lines in files.items()}
    target = draw(st.sampled_from(sorted(files)))
    texts[target], skip, delimiter, mutation = draw(near_valid(files[target], delimiter, skip))
    return dict(texts=texts, skip=skip, delimiter=delimiter, n=n, valid=mutation == "none",
                args=dict(batch_size=draw(st.integers(1, 3)), num_possible_labels=classes, label_index=label_index,
                          regression=regression, alignment_mode=mode))


@given(iterator_cases())
def test_iterator_yields_finite_minibatches_or_refuses_cleanly(fuzz_tally, case):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in case["texts"].items():
            (folder / name).write_bytes(text.encode())
        before = {name: (folder / name).read_bytes() for name in case["texts"]}

        def reader(prefix):
            return CSVSequenceRecordReader(case["skip"], case["delimiter"]).initialize(
                NumberedFileInputSplit(folder / f"{prefix}_%d.csv", 0, case["n"] - 1))

        def check():
            labels = None if case["args"]["label_index"] is not None else reader("l")
            it = SequenceRecordReaderDataSetIterator(reader("f"), labels, **case["args"])
            seen = 0
            for ds in it:
                for a in (ds.features, ds.labels):
                    assert a.dtype == np.float32 and a.ndim == 3 and np.isfinite(a).all()
                seen += ds.features.shape[0]
            assert seen == case["n"]

        error = outcome(fuzz_tally["csv_iterator"], check, CLEAN, seconds=5)
        assert not case["valid"] or error is None, f"valid files were refused: {error}"
        assert {name: (folder / name).read_bytes() for name in case["texts"]} == before
