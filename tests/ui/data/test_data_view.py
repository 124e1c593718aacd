"""The Data view, driven from Python (no browser): bundled tasks, CSV uploads, alignment modes."""
import pytest

pn = pytest.importorskip("panel")
pytest.importorskip("plotly")

import numpy as np  # noqa: E402

from workbench.data import AlignmentMode  # noqa: E402
from workbench.nn import MultiLayerNetwork  # noqa: E402
from workbench.ui.data_inspector import DataInspector  # noqa: E402


@pytest.fixture
def inspector():
    d = DataInspector()
    yield d
    d.close()


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

def test_default_shows_the_uci_first_minibatch(inspector):
    assert inspector.session.task.name == "UCI synthetic control"
    expected = first_batch(inspector.session.train_data)
    for name in ("features", "labels", "features_mask", "labels_mask"):
        assert_same(getattr(inspector.batch, name), getattr(expected, name))
    assert inspector.features_mask_shown is None                  # 60 steps each: nothing padded
    assert_same(inspector.labels_mask_shown, expected.labels_mask)
    np.testing.assert_array_equal(inspector.features_figure.data[0].z, expected.features[0])
    assert "no features mask" in inspector.features_mask_figure.layout.annotations[0].text
    np.testing.assert_array_equal(inspector.labels_mask_figure.data[0].z, expected.labels_mask)
    assert (inspector.lengths == 60).all() and len(inspector.lengths) == 450
    label = inspector.labels_figure.data[0]
    assert list(label.x) == [59] and list(label.y) == [int(expected.labels[0, :, 59].argmax())]
    assert inspector.task_select.value == "UCI synthetic control"


def test_japanese_vowels_masks_and_lengths_match_the_iterator(inspector):
    assert inspector.select("JapaneseVowels")
    data = inspector.session.train_data
    expected = first_batch(data)
    assert_same(inspector.features_mask_shown, expected.features_mask)
    assert_same(inspector.labels_mask_shown, expected.labels_mask)
    lengths = np.concatenate([ds.features_mask.sum(axis=1) for ds in data]).astype(int)
    np.testing.assert_array_equal(inspector.lengths, lengths)
    np.testing.assert_array_equal(inspector.lengths_figure.data[0].x, lengths)
    assert lengths.min() < lengths.max()                          # really variable lengths


def test_hover_tells_example_feature_step_and_mask(inspector):
    inspector.select("JapaneseVowels")
    batch = inspector.batch
    b = int(np.argmin(batch.features_mask.sum(axis=1)))           # a short example: padded at the end
    inspector.set_example(b)
    heat = inspector.features_figure.data[0]
    np.testing.assert_array_equal(heat.z, batch.features[b])
    for word in ("example", "feature", "step"):
        assert word in heat.hovertemplate
    n = int(batch.features_mask[b].sum())
    assert heat.customdata[0][n - 1].startswith("mask 1") and heat.customdata[0][n].startswith("mask 0")
    assert inspector.labels_figure.data[0].x[0] == n - 1          # the label sits at the last real step
    assert "example %{y}" in inspector.labels_mask_figure.data[0].hovertemplate


def test_switching_tasks_updates_session_and_figures(inspector):
    inspector.task_select.value = "Airline passengers"            # the widget, as a user would
    assert inspector.session.task.name == "Airline passengers"
    assert inspector.features_figure.data[0].z.shape == (1, 118)
    assert inspector.labels_figure.data[0].mode == "lines+markers"   # regression values
    inspector.session.select_task("Tiny Shakespeare")            # another view changes the session
    assert inspector.task_select.value == "Tiny Shakespeare"
    assert inspector.features_figure.data[0].z.shape == (65, 100)
    assert inspector.features_mask_shown is None and inspector.labels_mask_shown is None
    assert (inspector.lengths == 100).all()
    inspector.set_minibatch(2)
    assert_same(inspector.batch.features, list(inspector.session.train_data)[2].features)


def test_minibatch_slider_picks_another_minibatch(inspector):
    inspector.set_minibatch(14)                                   # the last, smaller one (450 = 14 * 32 + 2)
    assert inspector.batch.num_examples() == 2
    assert inspector.example_slider.end == 1
    inspector.set_minibatch(0)
    assert inspector.batch.num_examples() == 32


# -- bundled data as CSV files: alignment modes ------------------------------------------------

def test_show_as_csv_align_end_then_align_start(inspector):
    data = inspector.session.train_data
    assert inspector.show_as_csv(), inspector.message
    assert "the same as" in inspector.message                      # ALIGN_END reproduces the bundled data
    mask = inspector.labels_mask_shown
    assert (mask[:, -1] == 1).all() and (mask.sum(axis=1) == 1).all()
    assert "features_0.csv" in inspector.csv_preview
    assert inspector.set_alignment("ALIGN_START"), inspector.message
    mask = inspector.labels_mask_shown
    assert (mask[:, 0] == 1).all() and (mask.sum(axis=1) == 1).all()
    assert inspector.labels_figure.data[0].x[0] == 0
    assert inspector.session.train_data is data                   # the session still trains on the bundled data


def test_equal_length_is_refused_for_many_to_one_csv(inspector):
    inspector.show_as_csv()
    shown = inspector.batch
    assert not inspector.set_alignment(AlignmentMode.EQUAL_LENGTH)
    assert "EQUAL_LENGTH" in inspector.message and "ALIGN_END" in inspector.message
    assert inspector.alignment_select.value == "ALIGN_END" and inspector.batch is shown


def test_show_as_csv_needs_a_classification_task(inspector):
    inspector.select("Airline passengers")
    assert not inspector.show_as_csv() or inspector.message_kind == "warning"
    assert "classification" in inspector.message


def test_csv_view_ends_when_the_task_changes(inspector):
    inspector.show_as_csv()
    folder = inspector._csv[0].folder
    inspector.select("JapaneseVowels")
    assert inspector._csv is None and not folder.exists()
    assert "CSV files" not in inspector.summary.object


# -- uploads -----------------------------------------------------------------------------------

def test_upload_example3_builds_iterator_task_and_trains(inspector):
    features, labels = example3_files(n=12)
    calls = []
    inspector.session.param.watch(lambda *events: calls.append(events), ["task", "train_data", "conf"])
    assert inspector.upload(features, labels, num_labels=3, batch_size=5, alignment="ALIGN_END"), inspector.message
    assert len(calls) == 1                                         # one update, watchers fire once
    session, task = inspector.session, inspector.session.task
    assert task.kind == "classification" and task.n_out == 3 and task.input_type.size == 2
    assert task.class_names == ("0", "1", "2")
    assert task.load()[0] is session.train_data and session.test_data is None
    np.testing.assert_array_equal(inspector.lengths, np.arange(3, 15))    # natural order: x_2 before x_10
    batch = first_batch(session.train_data)
    assert batch.features.shape == (5, 2, 7)
    assert_same(inspector.features_mask_shown, batch.features_mask)
    assert_same(inspector.labels_mask_shown, batch.labels_mask)
    assert inspector.task_select.value == task.name
    MultiLayerNetwork(task.default_config()).init().fit(session.train_data)


def test_upload_example4_align_end_vs_align_start(inspector):
    features, labels = example4_files()
    assert inspector.upload(features, labels, num_labels=4, alignment="ALIGN_END"), inspector.message
    lengths = inspector.lengths
    mask = inspector.labels_mask_shown
    np.testing.assert_array_equal(mask.argmax(axis=1), lengths - 1)    # the label at each example's last step
    assert (mask.sum(axis=1) == 1).all()
    before = inspector.session.train_data
    assert inspector.set_alignment("ALIGN_START"), inspector.message
    assert (inspector.labels_mask_shown[:, 0] == 1).all() and (inspector.labels_mask_shown.sum(axis=1) == 1).all()
    assert inspector.session.train_data is not before
    assert "ALIGN_START" in inspector.session.task.description
    MultiLayerNetwork(inspector.session.task.default_config()).init().fit(inspector.session.train_data)


def test_upload_label_column_regression_trains(inspector):
    rng = np.random.default_rng(2)
    features = {f"d_{i}.csv": b"a,b,target\n" + csv_bytes(rng.normal(size=(5, 3)).round(3).tolist())
                for i in range(4)}
    assert inspector.upload(features, None, skip_lines=1, label_index=-1, kind="regression",
                            alignment="EQUAL_LENGTH", batch_size=2), inspector.message
    task = inspector.session.task
    assert task.kind == "regression" and task.n_out == 1 and task.input_type.size == 2
    assert inspector.features_mask_shown is None and inspector.labels_mask_shown is None
    assert inspector.session.conf.layers[-1].loss == "mse"
    MultiLayerNetwork(task.default_config()).init().fit(inspector.session.train_data)


def test_upload_through_the_widgets(inspector):
    features, labels = example4_files(n=3)
    inspector.features_input.param.update(value=list(features.values()), filename=list(features))
    inspector.labels_input.param.update(value=list(labels.values()), filename=list(labels))
    inspector.num_labels_input.value = 4
    inspector.upload_button.clicks += 1
    assert inspector.message_kind == "success", inspector.message
    assert inspector.session.train_data.num_examples() == 3


def test_selecting_a_bundled_task_after_an_upload_removes_its_files(inspector):
    features, labels = example3_files()
    inspector.upload(features, labels, num_labels=3)
    folder = inspector._upload.folder
    inspector.task_select.value = "UCI synthetic control"
    assert inspector.session.task.name == "UCI synthetic control" and not folder.exists()


def _bad_uploads():
    features, labels = example3_files(n=3)
    yield "ragged rows", dict(features={**features, "x_1.csv": b"1,2\n3\n"}, labels=labels), "columns"
    yield "non-numeric cell", dict(features={**features, "x_2.csv": b"1,2\n3,abc\n4,5\n6,7\n8,9\n"},
                                   labels=labels), "'abc'"
    yield "wrong delimiter", dict(features={k: v.replace(b",", b";") for k, v in features.items()},
                                  labels=labels), "delimiter"
    yield "class index out of range", dict(features=features, labels={**labels, "y_0.csv": b"0\n5\n1\n"}), \
        "class index 5"
    yield "fractional class index", dict(features=features, labels={**labels, "y_0.csv": b"0\n1.5\n1\n"}), \
        "class index 1.5"
    yield "header not skipped", dict(features={**features, "x_0.csv": b"a,b\n" + features["x_0.csv"]},
                                     labels=labels), "skip"
    yield "fewer labels files", dict(features=features, labels={"y_0.csv": labels["y_0.csv"]}), "labels reader"
    yield "equal length needed", dict(features=features, labels=labels, alignment="EQUAL_LENGTH"), "EQUAL_LENGTH"
    yield "folder in a file name", dict(features={"../x.csv": b"1\n"}, labels=None), "plain file name"
    yield "text, not bytes", dict(features={"x.csv": "1,2\n"}, labels=None), "bytes"
    yield "no files", dict(features={}, labels=None), "at least one file"
    yield "not UTF-8", dict(features={**features, "x_0.csv": b"\xff\xfe1,2\n"}, labels=labels), "UTF-8"
    yield "zero classes", dict(features=features, labels=labels, num_labels=0), "num_possible_labels"
    yield "bad alignment", dict(features=features, labels=labels, alignment="MIDDLE"), "ALIGN_END"


@pytest.mark.parametrize("case", list(_bad_uploads()), ids=lambda c: c[0])
def test_bad_upload_gives_a_message_and_keeps_the_data(inspector, case):
    _, kwargs, expected = case
    kwargs = {"num_labels": 3, "alignment": "ALIGN_END", **kwargs}
    session = inspector.session
    train, task, batch = session.train_data, session.task, inspector.batch
    assert not inspector.upload(**kwargs)
    assert inspector.message_kind == "error" and expected in inspector.message, inspector.message
    assert session.train_data is train and session.task is task and inspector.batch is batch
    assert inspector._tmp is None or not any(inspector._tmp.iterdir())     # nothing half-read is kept
    assert "/tmp" not in inspector.message                                  # names the file, not our folder


def test_too_large_or_too_many_files_are_refused(inspector):
    train = inspector.session.train_data
    assert not inspector.upload({"big.csv": b"0\n" * (10 * 2**20 + 1)}, None, label_index=0)    # > 20 MB
    assert "too large" in inspector.message and "20.0 MB" in inspector.message
    inspector.max_upload_files = 3
    features, labels = example3_files(n=2)
    assert not inspector.upload(features, labels, num_labels=3)
    assert "too many" in inspector.message
    assert inspector.session.train_data is train


def test_a_bad_upload_after_a_good_one_keeps_the_good_one(inspector):
    features, labels = example3_files()
    assert inspector.upload(features, labels, num_labels=3)
    train = inspector.session.train_data
    assert not inspector.upload({**features, "x_0.csv": b"1;2\n"}, labels, num_labels=3)
    assert inspector.session.train_data is train
    assert sum(ds.num_examples() for ds in train) == 6                 # its files are still there


def test_failed_realignment_of_an_upload_keeps_the_data(inspector):
    features, labels = example4_files()
    inspector.upload(features, labels, num_labels=4, alignment="ALIGN_END")
    train = inspector.session.train_data
    assert not inspector.set_alignment("EQUAL_LENGTH")
    assert inspector.session.train_data is train and inspector.alignment_select.value == "ALIGN_END"


# -- the page and the temporary folder ---------------------------------------------------------

def test_renders_and_close_removes_the_temporary_folder():
    d = DataInspector()
    assert pn.panel(d).get_root() is not None
    d.upload(*example3_files(), num_labels=3)
    d.show_as_csv()
    folder = d._tmp
    assert folder.exists()
    d.close()
    assert not folder.exists()


def test_shares_a_given_session():
    from workbench.ui.session import WorkbenchSession
    session = WorkbenchSession(task="JapaneseVowels")
    d = DataInspector(session)
    assert d.session is session and d.task_select.value == "JapaneseVowels"
    d.close()


def test_close_twice_and_a_closed_view_ignores_the_session():
    d = DataInspector()
    d.close()
    d.close()
    shown = d.batch
    d.session.select_task("JapaneseVowels")
    assert d.batch is shown


def test_few_features_get_whole_ticks():
    from workbench.ui.data_figures import features_figure, mask_figure
    fig = features_figure(np.zeros((2, 7)), None, 0)
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == "d"
    assert features_figure(np.zeros((40, 7)), None, 0).layout.yaxis.dtick is None
    assert mask_figure(np.ones((3, 7)), 0, "features mask").layout.yaxis.dtick == 1


def test_class_names_that_are_their_index_are_not_doubled():
    from workbench.ui.data_figures import labels_figure
    y = np.zeros((3, 4))
    y[1, 2] = 1
    mask = np.array([0, 0, 1, 0])
    fig = labels_figure(y, mask, 0, False, ["0", "1", "2"])
    assert list(fig.layout.yaxis.ticktext) == ["0", "1", "2"] and "class 1 at step 2" in fig.layout.title.text
    named = labels_figure(y, mask, 0, False, ["cat", "dog", "cow"])
    assert list(named.layout.yaxis.ticktext) == ["0 cat", "1 dog", "2 cow"] and "class 1 (dog)" in named.layout.title.text
