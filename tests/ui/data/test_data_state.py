"""The Data tab's state, driven without widgets: bundled tasks, CSV uploads, alignment modes."""
import pytest

pytest.importorskip("panel")          # the ui package imports the app

import numpy as np  # noqa: E402

from workbench.nn import MultiLayerNetwork  # noqa: E402
from workbench.ui.data.state import DataState  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402


@pytest.fixture
def state():
    s = DataState()
    yield s
    s.close()


def csv_bytes(rows, delimiter=","):
    return "".join(delimiter.join(str(v) for v in row) + "\n" for row in rows).encode()


def example3_files(n=6, n_in=2, classes=3, seed=0):
    """The guide's Example 3: per example, features and labels of the same length; lengths differ."""
    rng = np.random.default_rng(seed)
    features, labels = {}, {}
    for i in range(n):
        steps = 3 + i
        features[f"x_{i}.csv"] = csv_bytes(rng.normal(size=(steps, n_in)).round(4).tolist())
        labels[f"y_{i}.csv"] = csv_bytes([[int(c)] for c in rng.integers(0, classes, steps)])
    return features, labels


def example4_files(n=5, n_in=3, classes=4, seed=1):
    """The guide's Example 4 (many-to-one): features of 4..8 steps, a labels file of one line."""
    rng = np.random.default_rng(seed)
    features = {f"seq_{i}.csv": csv_bytes(rng.normal(size=(4 + i, n_in)).round(4).tolist()) for i in range(n)}
    labels = {f"label_{i}.csv": csv_bytes([[i % classes]]) for i in range(n)}
    return features, labels


def first_batch(data):
    return next(iter(data))


def assert_same(a, b):
    assert (a is None) == (b is None)
    if a is not None:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# -- bundled data sets --------------------------------------------------------------------------

def test_default_shows_the_uci_first_minibatch(state):
    assert state.session.task.name == state.task_name == "UCI synthetic control"
    expected = first_batch(state.session.train_data)
    for name in ("features", "labels", "features_mask", "labels_mask"):
        assert_same(getattr(state.batch, name), getattr(expected, name))
    assert state.features_mask_shown is None                      # 60 steps each: nothing padded
    assert_same(state.labels_mask_shown, expected.labels_mask)
    assert (state.lengths == 60).all() and len(state.lengths) == 450
    assert state.n_minibatches == 15 and state.n_examples == 32
    assert state.label_style == "classification" and state.names[0] == "normal"
    assert "features [32, 1, 60]" in state.summary() and "nothing padded" in state.summary()


def test_japanese_vowels_masks_and_lengths_match_the_iterator(state):
    assert state.select("JapaneseVowels") and state.message_kind == "success"
    data = state.session.train_data
    expected = first_batch(data)
    assert_same(state.features_mask_shown, expected.features_mask)
    assert_same(state.labels_mask_shown, expected.labels_mask)
    lengths = np.concatenate([ds.features_mask.sum(axis=1) for ds in data]).astype(int)
    np.testing.assert_array_equal(state.lengths, lengths)
    assert lengths.min() < lengths.max()                          # really variable lengths


def test_choosing_a_task_by_name_and_from_the_session(state):
    state.task_name = "Airline passengers"                        # as the select widget would
    assert state.session.task.name == "Airline passengers"
    assert state.arrays[0].shape == (1, 1, 118) and state.label_style == "regression"
    state.session.select_task("Tiny Shakespeare")                # another tab changes the session
    assert state.task_name == "Tiny Shakespeare" and "Shakespeare" in state.task_description
    assert state.arrays[0].shape == (32, 65, 100) and state.label_style == "characters"
    assert len(state.names) == 65 and state.names == list(state.session.train_data.vocab)
    assert state.features_mask_shown is None and state.labels_mask_shown is None
    assert (state.lengths == 100).all()
    state.minibatch = 2
    assert_same(state.batch.features, list(state.session.train_data)[2].features)


def test_an_unknown_task_is_a_message(state):
    assert not state.select("No such data")
    assert state.message_kind == "error" and "No such data" in state.message
    assert state.task_name == "UCI synthetic control"


def test_minibatch_picks_another_minibatch_and_clamps_the_example(state):
    state.example = 20
    state.minibatch = 14                                          # the last, smaller one (450 = 14 * 32 + 2)
    assert state.batch.num_examples() == state.n_examples == 2 and state.example == 1
    state.minibatch = 0
    assert state.batch.num_examples() == 32


# -- bundled data as CSV files: alignment modes ------------------------------------------------

def test_show_as_csv_align_end_then_align_start(state):
    data = state.session.train_data
    assert state.show_as_csv(), state.message
    assert "the same as" in state.message and state.showing_csv   # ALIGN_END reproduces the bundled data
    mask = state.labels_mask_shown
    assert (mask[:, -1] == 1).all() and (mask.sum(axis=1) == 1).all()
    assert "features_0.csv" in state.csv_preview and "/tmp" not in state.csv_preview
    state.alignment = "ALIGN_START"
    assert state.message_kind == "success", state.message
    mask = state.labels_mask_shown
    assert (mask[:, 0] == 1).all() and (mask.sum(axis=1) == 1).all()
    assert "CSV files of UCI synthetic control, read with ALIGN_START" in state.summary()
    assert state.session.train_data is data                       # the session still trains on the bundled data


def test_equal_length_is_refused_for_many_to_one_csv(state):
    state.show_as_csv()
    shown = state.batch
    state.alignment = "EQUAL_LENGTH"
    assert state.message_kind == "error"
    assert "EQUAL_LENGTH" in state.message and "choose the alignment mode ALIGN_END" in state.message
    assert "AlignmentMode." not in state.message and "/tmp" not in state.message
    assert state.alignment == "ALIGN_END" and state.batch is shown


def test_alignment_without_csv_files_is_kept_for_later(state):
    state.alignment = "ALIGN_START"
    assert state.message_kind == "info" and "next upload" in state.message
    assert state.show_as_csv()
    assert (state.labels_mask_shown[:, 0] == 1).all()


def test_show_as_csv_needs_a_classification_task(state):
    state.select("Airline passengers")
    assert not state.show_as_csv() or state.message_kind == "warning"
    assert state.message_kind == "warning" and "classification" in state.message


def test_switching_the_data_set_drops_the_csv_view_and_its_preview(state):
    state.show_as_csv()
    folder = state._csv[2]
    assert state.csv_preview
    state.select("JapaneseVowels")
    assert not state.showing_csv and not folder.exists()
    assert state.csv_preview == ""                                 # the issue: the old preview stayed
    assert "CSV files" not in state.summary()


# -- uploads -----------------------------------------------------------------------------------

def test_upload_example3_builds_iterator_task_and_trains(state):
    features, labels = example3_files(n=12)
    calls = []
    state.session.param.watch(lambda *events: calls.append(events), ["task", "train_data", "conf"])
    assert state.upload(features, labels, num_labels=3, batch_size=5, alignment="ALIGN_END"), state.message
    assert len(calls) == 1                                         # one update, watchers fire once
    session, task = state.session, state.session.task
    assert task.kind == "classification" and task.n_out == 3 and task.input_type.size == 2
    assert task.class_names == ("0", "1", "2")
    assert task.load()[0] is session.train_data and session.test_data is None
    np.testing.assert_array_equal(state.lengths, np.arange(3, 15))    # natural order: x_2 before x_10
    batch = first_batch(session.train_data)
    assert batch.features.shape == (5, 2, 7)
    assert_same(state.features_mask_shown, batch.features_mask)
    assert_same(state.labels_mask_shown, batch.labels_mask)
    assert state.task_name == task.name and task.name in state.param.task_name.objects
    assert state.csv.num_labels == 3 and state.csv.batch_size == 5   # the form shows what was read
    assert "x_0.csv" in state.csv_preview and "y_0.csv" in state.csv_preview
    assert state.read_done == state.read_total == 12 and not state.reading
    MultiLayerNetwork(task.default_config()).init().fit(session.train_data)


def test_upload_example4_align_end_vs_align_start(state):
    features, labels = example4_files()
    assert state.upload(features, labels, num_labels=4, alignment="ALIGN_END"), state.message
    mask = state.labels_mask_shown
    np.testing.assert_array_equal(mask.argmax(axis=1), state.lengths - 1)    # the label at each last step
    assert (mask.sum(axis=1) == 1).all()
    before = state.session.train_data
    state.alignment = "ALIGN_START"
    assert state.message_kind == "success", state.message
    assert (state.labels_mask_shown[:, 0] == 1).all() and (state.labels_mask_shown.sum(axis=1) == 1).all()
    assert state.session.train_data is not before
    assert "ALIGN_START" in state.session.task.description
    MultiLayerNetwork(state.session.task.default_config()).init().fit(state.session.train_data)


def test_upload_label_column_regression_trains(state):
    rng = np.random.default_rng(2)
    features = {f"d_{i}.csv": b"a,b,target\n" + csv_bytes(rng.normal(size=(5, 3)).round(3).tolist())
                for i in range(4)}
    assert state.upload(features, None, skip_lines=1, label_index=-1, kind="regression",
                        alignment="EQUAL_LENGTH", batch_size=2), state.message
    task = state.session.task
    assert task.kind == "regression" and task.n_out == 1 and task.input_type.size == 2
    assert state.features_mask_shown is None and state.labels_mask_shown is None
    assert state.session.conf.layers[-1].loss == "mse" and state.label_style == "regression"
    MultiLayerNetwork(task.default_config()).init().fit(state.session.train_data)


def test_upload_takes_text_as_the_file_dropper_gives_it(state):
    features, labels = example4_files(n=3)
    text = {name: data.decode() for name, data in features.items()}     # text/csv arrives decoded
    assert state.upload(text, labels, num_labels=4), state.message
    assert state.session.train_data.num_examples() == 3


def test_selecting_a_bundled_task_after_an_upload_removes_its_files(state):
    features, labels = example3_files()
    state.upload(features, labels, num_labels=3)
    folder = state._upload[2]
    state.task_name = "UCI synthetic control"
    assert state.session.task.name == "UCI synthetic control" and not folder.exists()
    assert state.csv_preview == ""


def _bad_uploads():
    features, labels = example3_files(n=3)
    yield "ragged rows", dict(features={**features, "x_1.csv": b"1,2\n3\n"}, labels=labels), "columns"
    yield "non-numeric cell", dict(features={**features, "x_2.csv": b"1,2\n3,abc\n4,5\n6,7\n8,9\n"},
                                   labels=labels), "'abc'"
    yield "wrong delimiter", dict(features={k: v.replace(b",", b";") for k, v in features.items()},
                                  labels=labels), "choose the delimiter ';'"
    yield "class index out of range", dict(features=features, labels={**labels, "y_0.csv": b"0\n5\n1\n"}), \
        "(Number of possible labels: 3); for real-valued labels choose regression"
    yield "fractional class index", dict(features=features, labels={**labels, "y_0.csv": b"0\n1.5\n1\n"}), \
        "class index 1.5"
    yield "header not skipped", dict(features={**features, "x_0.csv": b"a,b\n" + features["x_0.csv"]},
                                     labels=labels), "set Skip lines (header) to 1"
    yield "fewer labels files", dict(features=features, labels={"y_0.csv": labels["y_0.csv"]}), \
        "3 features files but 1 labels files"
    yield "equal length needed", dict(features=features, labels=labels, alignment="EQUAL_LENGTH"), \
        "choose the alignment mode ALIGN_END (or ALIGN_START)"
    yield "folder in a file name", dict(features={"../x.csv": b"1\n"}, labels=None), "plain file name"
    yield "not text", dict(features={"x.csv": 12}, labels=None), "expected bytes or text"
    yield "no files", dict(features={}, labels=None), "at least one file"
    yield "not UTF-8", dict(features={**features, "x_0.csv": b"\xff\xfe1,2\n"}, labels=labels), "not plain text"
    yield "zero classes", dict(features=features, labels=labels, num_labels=0), \
        "the number of possible labels (classes) cannot be 0"
    yield "bad alignment", dict(features=features, labels=labels, alignment="MIDDLE"), "ALIGN_END"


@pytest.mark.parametrize("case", list(_bad_uploads()), ids=lambda c: c[0])
def test_bad_upload_gives_a_message_and_keeps_the_data(state, case):
    _, kwargs, expected = case
    kwargs = {"num_labels": 3, "alignment": "ALIGN_END", **kwargs}
    session = state.session
    train, task, batch = session.train_data, session.task, state.batch
    assert not state.upload(**kwargs)
    assert state.message_kind == "error" and expected in state.message, state.message
    assert session.train_data is train and session.task is task and state.batch is batch
    assert state._scratch.root is None or not any(state._scratch.root.iterdir())     # nothing half-read is kept
    for leak in ("/tmp", "regression=True", "delimiter=", "skip_num_lines", "num_possible_labels", "utf-8",
                 "AlignmentMode.", "reader"):
        assert leak not in state.message, state.message
    assert state.csv.num_labels == 2                              # the form keeps its values


def test_too_large_or_too_many_files_are_refused(state):
    train = state.session.train_data
    assert not state.upload({"big.csv": b"0\n" * (12_500_000 + 1)}, None, label_index=0)     # > 25 MB
    assert "Upload refused" in state.message and "25.0 MB" in state.message and "25 MB the page takes" in state.message
    state.max_upload_files = 3
    features, labels = example3_files(n=2)
    assert not state.upload(features, labels, num_labels=3)
    assert "too many" in state.message and state.message_kind == "error"
    assert state.session.train_data is train


def test_a_bad_upload_after_a_good_one_keeps_the_good_one(state):
    features, labels = example3_files()
    assert state.upload(features, labels, num_labels=3)
    train = state.session.train_data
    assert not state.upload({**features, "x_0.csv": b"1;2\n"}, labels, num_labels=3)
    assert state.session.train_data is train
    assert sum(ds.num_examples() for ds in train) == 6                 # its files are still there


def test_failed_realignment_of_an_upload_keeps_the_data(state):
    features, labels = example4_files()
    state.upload(features, labels, num_labels=4, alignment="ALIGN_END")
    train = state.session.train_data
    state.alignment = "EQUAL_LENGTH"
    assert state.message_kind == "error" and "kept ALIGN_END" in state.message
    assert state.session.train_data is train and state.alignment == "ALIGN_END"


def test_read_reports_progress_per_minibatch(state):
    features, labels = example3_files(n=7)
    seen = []
    state.param.watch(lambda e: seen.append(e.new), "read_done")
    ready = state.read_upload(features, labels, num_labels=3, batch_size=3)
    assert ready is not None and seen == [3, 6, 7] and state.read_total == 7
    assert state.session.task.name == "UCI synthetic control"        # not used until use_upload
    assert state.use_upload(ready) and state.session.train_data is ready.read.iterator


# -- the temporary folder and the session ------------------------------------------------------

def test_close_removes_the_temporary_folder_and_is_safe_twice():
    s = DataState()
    s.upload(*example3_files(), num_labels=3)
    s.show_as_csv()
    folder = s._scratch.root
    assert folder.exists()
    s.close()
    s.close()
    assert not folder.exists()
    shown = s.batch
    s.session.select_task("JapaneseVowels")                          # a closed state ignores the session
    assert s.batch is shown


def test_shares_a_given_session():
    session = WorkbenchSession(task="JapaneseVowels")
    s = DataState(session)
    assert s.session is session and s.task_name == "JapaneseVowels"
    s.close()
    assert session.task.name == "JapaneseVowels"                     # not closed: not ours
