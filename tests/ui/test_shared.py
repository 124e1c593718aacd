"""Messages carry their kind explicitly; the Alert shows that kind, whatever the text says."""
import pytest

pn = pytest.importorskip("panel")

from workbench.ui.messages import Messages  # noqa: E402
from workbench.ui.shared import ALERT_TYPES, message_pane, show_message  # noqa: E402


def test_say_sets_text_and_kind_together():
    m = Messages()
    assert m.say("Could not find it, but that is fine", "info") and m.message_kind == "info"
    assert not m.say("broken", "error")
    alert = pn.pane.Alert("")
    show_message(alert, m)
    assert alert.alert_type == ALERT_TYPES["error"] == "danger" and alert.visible and alert.object == "broken"
    m.clear_message()
    show_message(alert, m)
    assert not alert.visible and m.message_kind == "info"
    with pytest.raises(ValueError):
        m.say("x", "danger")                          # only the four kinds exist


def test_message_pane_follows_the_kind():
    m = Messages()
    alert = message_pane(m)
    assert not alert.visible
    m.say("careful", "warning")
    assert alert.visible and alert.alert_type == "warning" and alert.object == "careful"
    m.clear_message()
    assert not alert.visible


def test_a_dropped_file_is_handed_over_once_and_a_removal_is_not():
    from workbench.ui.shared import file_dropper, on_dropped
    drop, got = file_dropper("model", [".zip"]), []
    on_dropped(drop, lambda name, content: got.append((name, content)))
    drop.value["a.zip"] = b"one"                      # as FileDropper does: in place, then a trigger
    drop.param.trigger("value")
    del drop.value["a.zip"]
    drop.param.trigger("value")
    drop.value["a.zip"] = b"two"
    drop.param.trigger("value")
    assert got == [("a.zip", b"one"), ("a.zip", b"two")]
    assert drop.max_file_size == drop.max_total_file_size == "25MB" and drop.chunk_size < 20 * 2**20


def test_a_button_shown_in_two_documents_has_a_tooltip_below_it_in_each():
    from bokeh.document import Document

    from workbench.ui.shared import button
    b = button("Step", "Feed the next time step")
    tips = []
    for _ in range(2):                                # a component shown twice (a notebook, pn.ipywidget)
        doc = Document()
        model = b.get_root(doc)
        doc.add_root(model)
        tips.append(model.tooltip)
    assert tips[0] is not tips[1] and [t.position for t in tips] == ["bottom", "bottom"]
    assert all("Feed the next time step" in t.content for t in tips)
    b.description = "Feed one more step"               # a new tip keeps its place
    tips = [model.tooltip for model, _ in b._models.values()]
    assert len(tips) == 2 and all(t.position == "bottom" and "one more" in t.content for t in tips)


def test_every_view_of_the_step_explorer_can_be_shown_twice():
    import numpy as np
    from bokeh.document import Document

    from workbench.conf import InputType, MultiLayerConfiguration
    from workbench.conf.layers import LSTM, RnnOutputLayer
    from workbench.nn.network import MultiLayerNetwork
    from workbench.ui import StepExplorer
    conf = MultiLayerConfiguration([LSTM(4), RnnOutputLayer(2, activation="softmax", loss="mcxent")],
                                   input_type=InputType.recurrent(3), seed=0)
    explorer = StepExplorer(MultiLayerNetwork(conf).init(), np.zeros((3, 6), np.float32))
    for _ in range(2):                                # it raised "Models must be owned by only a single document"
        doc = Document()
        doc.add_root(pn.panel(explorer).get_root(doc))
