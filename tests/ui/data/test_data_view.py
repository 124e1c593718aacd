"""The Data tab's view: widgets and the state stay bound both ways, the figures follow the state."""
import pytest

pn = pytest.importorskip("panel")
pytest.importorskip("plotly")

import numpy as np  # noqa: E402

from workbench.ui.data import DataInspector  # noqa: E402
from workbench.ui.uploads import MAX_UPLOAD_BYTES  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402


@pytest.fixture
def view():
    v = DataInspector()
    yield v
    v.close()


def files(n=3):
    features = {f"seq_{i}.csv": "".join(f"{i}.{t},{t}\n" for t in range(3 + i)) for i in range(n)}   # text, as dropped
    labels = {f"label_{i}.csv": f"{i % 2}\n".encode() for i in range(n)}
    return features, labels


def test_renders_with_help_messages_and_controls(view):
    assert pn.panel(view).get_root() is not None
    assert set(view.controls) >= {"task", "upload", "alignment", "csv", "minibatch", "example"}
    for widget in (view.task_select, view.csv_button, view.read_button, view.alignment_select, *view.form.values()):
        assert widget.description, widget.name                     # every input has a tooltip


def test_widgets_set_the_state_and_the_state_sets_the_widgets(view):
    state = view.state
    view.task_select.value = "JapaneseVowels"                      # as a user would
    assert state.session.task.name == "JapaneseVowels"
    state.session.select_task("Airline passengers")              # another tab changes the session
    assert view.task_select.value == "Airline passengers"
    state.session.select_task("UCI synthetic control")
    view.minibatch_slider.value = 14
    assert state.minibatch == 14 and view.example_slider.end == 1   # the last minibatch holds 2
    state.example = 1
    assert view.example_slider.value == 1
    view.form["num_labels"].value = 4
    view.form["delimiter"].value = ";"
    assert state.csv.num_labels == 4 and state.csv.delimiter == ";"
    view.alignment_select.value = "ALIGN_START"
    assert state.alignment == "ALIGN_START"


def test_figures_follow_the_example_and_the_data_set(view):
    state = view.state
    batch = state.batch
    np.testing.assert_array_equal(view.panes["features"].object.data[0].z, batch.features[0])
    label = view.panes["labels"].object.data[0]
    assert list(label.x) == [59] and list(label.y) == [int(batch.labels[0, :, 59].argmax())]
    np.testing.assert_array_equal(view.panes["labels_mask"].object.data[0].z, batch.labels_mask)
    assert "no features mask" in view.panes["features_mask"].object.layout.annotations[0].text
    state.example = 5
    np.testing.assert_array_equal(view.panes["features"].object.data[0].z, batch.features[5])
    assert view.panes["labels_mask"].object.layout.shapes[0].y0 == 4.5       # the red box moved
    state.select("JapaneseVowels")
    np.testing.assert_array_equal(view.panes["lengths"].object.data[0].x, state.lengths)
    state.select("Tiny Shakespeare")                              # characters, not class indices
    title = view.panes["labels"].object.layout.title.text
    assert "as text" in title and "as text" in view.panes["features"].object.layout.title.text
    assert view.minibatch_slider.end == state.n_minibatches - 1


def test_upload_through_the_droppers_and_the_button(view):
    features, labels = files()
    view.features_drop.value, view.labels_drop.value = features, labels
    assert "3 features and 3 labels file(s) received" in view.received.object
    view.form["num_labels"].value = 2
    view.read_button.clicks += 1                                   # runs the read (in a worker thread)
    assert view.state.message_kind == "success", view.state.message
    assert view.state.session.train_data.num_examples() == 3
    assert view.task_select.value == view.state.session.task.name
    assert "seq_0.csv" in view.state.csv_preview
    assert not view.progress.visible and view.progress.value == 3


def test_the_read_button_without_files_asks_for_them(view):
    view.read_button.clicks += 1
    assert view.state.message_kind == "warning" and "features files" in view.state.message


def test_the_droppers_refuse_oversized_files_in_the_browser_and_say_the_limit(view):
    for drop in (view.features_drop, view.labels_drop):
        assert drop.max_total_file_size == drop.max_file_size == f"{MAX_UPLOAD_BYTES // 1_000_000}MB"
        assert drop.chunk_size < 20 * 2**20                        # each chunk fits a websocket message
    assert "At most 25 MB" in view.upload_form.objects[1].object


def test_lesson_mode_hides_what_it_names(view):
    view.controls["upload"].visible = False
    assert not view.upload_form.visible and view.task_select.visible


def test_shares_a_given_session_and_closes_its_state():
    session = WorkbenchSession(task="JapaneseVowels")
    v = DataInspector(session)
    assert v.state.session is session and v.task_select.value == "JapaneseVowels"
    v.state.show_as_csv()
    folder = v.state._scratch.root
    v.close()
    assert not folder.exists()
