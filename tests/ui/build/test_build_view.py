"""The Build view without a browser: widgets and state stay bound both ways, an error is shown
once, every input has a tooltip, the lesson-mode controls exist, and the view renders."""
import json

import pytest

pn = pytest.importorskip("panel")

from workbench.nn import GravesLSTM, LSTM, MultiLayerNetwork  # noqa: E402
from workbench.ui.build import ConfigBuilder  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402
from test_build_state import composite_confs  # noqa: E402

INPUTS = (pn.widgets.Select, pn.widgets.IntInput, pn.widgets.FloatInput, pn.widgets.TextInput,
          pn.widgets.FileInput, pn.widgets.Button)


def walk(obj):
    yield obj
    for child in getattr(obj, "objects", None) or []:
        yield from walk(child)


def find(obj, label):
    """The first widget labelled ``label`` inside a Panel layout."""
    return next((w for w in walk(obj) if isinstance(w, pn.widgets.Widget) and getattr(w, "label", None) == label),
                None)


def card(builder, i):
    return builder.cards[i].card


@pytest.fixture
def builder():
    return ConfigBuilder()


def test_widgets_show_the_state(builder):
    conf = builder.state.session.task.default_config()
    assert find(card(builder, 0), "n_out").value == conf.layers[0].n_out
    assert find(card(builder, 1), "loss").value == conf.layers[1].loss
    assert builder.updater_type.value == "Adam" and find(builder.updater_box, "lr").value == conf.updater.lr
    assert builder.network["gradient_normalization"].value == conf.gradient_normalization
    assert builder.network["seed"].value == conf.seed
    assert builder.network["backend"].options == [*builder.state.session.available_backends, "auto"]
    assert builder.input_pane.object.startswith("**Input type:** [1] per step")
    s = WorkbenchSession()
    assert ConfigBuilder(s).state.session is s
    builder.state.session.select_task("Moving shapes (video)")              # a new task: new cards
    assert find(card(builder, 0), "padding").value == "1,1" and "[100] per step" in builder.input_pane.object


def test_widgets_and_state_stay_in_sync(builder):
    state = builder.state
    find(card(builder, 0), "n_out").value = 12                   # widget -> state -> session
    assert state.session.conf.layers[0].n_out == 12 and state.layers[0]["n_out"] == 12
    state.set_field(0, "activation", "softsign")                 # state -> widget
    assert find(card(builder, 0), "activation").value == "softsign"
    assert state.session.conf.layers[0] == GravesLSTM(12, activation="softsign")
    find(card(builder, 0), "type").value = "LSTM"                # type change keeps the common fields
    assert state.session.conf.layers[0] == LSTM(12, activation="softsign")
    builder.network["l2"].value = 0.01
    assert state.session.conf.l2 == 0.01
    builder.updater_type.value = "Sgd"
    assert type(state.session.conf.updater).__name__ == "Sgd" and state.session.conf.updater.lr == 0.02
    find(builder.updater_box, "lr").value = 0.5
    assert state.session.conf.updater.lr == 0.5
    state.set_network_field("updater.lr", 0.25)
    assert find(builder.updater_box, "lr").value == 0.25
    state.set_network_field("seed", 9)
    assert builder.network["seed"].value == 9
    builder.network["gradient_normalization"].value = "clip_elementwise"
    assert state.gradient_normalization == "clip_elementwise"
    find(card(builder, 0), "n_in").value = 1                     # explicit n_in that matches the input
    assert state.session.conf.layers[0].n_in == 1
    builder.add_type.value = "DenseLayer"
    builder.add_button.clicks += 1
    assert [s["type"] for s in state.layers] == ["LSTM", "DenseLayer", "RnnOutputLayer"]
    assert card(builder, 1).title.startswith("1: DenseLayer") and len(builder._cards.objects) == 3


def test_card_buttons_and_wrapper_forms(builder):
    state = builder.state
    state.add_layer("Bidirectional", index=0, layer="SimpleRnn", mode="add", **{"layer.n_out": 8})
    find(card(builder, 0), "mode").value = "concat"
    assert state.session.conf.layers[0].mode == "concat"
    find(card(builder, 0), "wrapped layer").value = "GravesLSTM"
    assert state.layers[0]["layer"]["type"] == "GravesLSTM" and find(card(builder, 0), "gate_activation")
    down = [w for w in walk(card(builder, 0)) if isinstance(w, pn.widgets.Button) and w.label == "↓"][0]
    down.clicks += 1
    assert [s["type"] for s in state.layers] == ["GravesLSTM", "Bidirectional", "RnnOutputLayer"]
    assert card(builder, 0).title == "0: GravesLSTM" and card(builder, 1).title == "1: Bidirectional(GravesLSTM)"
    remove = [w for w in walk(card(builder, 1)) if isinstance(w, pn.widgets.Button) and w.label == "✕"][0]
    remove.clicks += 1
    assert len(state.layers) == 2 and len(builder._cards.objects) == 2


def test_an_error_is_shown_once(builder):
    state = builder.state
    builder.state.set_field(0, "n_out", 0)                      # names layer 0: on its card only
    c = builder.cards[0]
    assert c.card.header_background and "⚠" in c.card.title
    assert c.alert.visible and "n_out" in c.alert.object and not builder.cards[1].alert.visible
    assert not builder.status.visible
    assert "not valid" in builder.python.value and "n_out" in builder.python.value and builder.downloads[0].disabled
    assert "n_out" in json.loads(builder.json.value)["error"]
    state.set_field(0, "n_out", 4)
    assert not c.card.header_background and not c.alert.visible and builder.status.visible
    state.set_network_field("l1", -1.0)                          # names no layer: in the status only
    assert builder.status.visible and not any(card.alert.visible for card in builder.cards)
    assert "l1" in builder.status.objects[0].object and builder.status.objects[0].alert_type == "danger"


def test_bad_widget_values_give_messages(builder):
    state = builder.state
    state.load_configuration(composite_confs()[1])
    kernel = find(card(builder, 0), "kernel_size")
    kernel.value = "3,2"
    assert state.session.conf.layers[0].kernel_size == (3, 2)
    kernel.value = "3,x"
    assert state.session.conf is None and "kernel_size" in builder.cards[0].alert.object
    kernel.value = "2"
    find(card(builder, 0), "n_out").value = None
    assert "n_out" in state.message and state.error_layer == 0
    find(card(builder, 0), "n_out").value = 2
    find(builder.updater_box, "lr").value = 0.0
    assert "updater.lr" in builder.status.objects[0].object


def test_preprocessor_widgets(builder):
    state = builder.state
    state.load_configuration(composite_confs()[1])
    assert find(card(builder, 0), "preprocessor before").value == "RnnToCnnPreProcessor"
    find(card(builder, 0), "height").value = 5
    assert state.preprocessors[0]["height"] == 5 and "together" in builder.cards[0].alert.object
    find(card(builder, 0), "preprocessor before").value = "auto"
    assert state.preprocessors[0] is None and find(card(builder, 0), "height") is None


def test_outputs_follow_the_configuration(builder):
    conf = composite_confs()[0]
    builder.upload.value = {"net.json": conf.to_json().encode()}  # the upload widget loads it
    state = builder.state
    assert state.session.conf == conf and find(card(builder, 2), "mode").value == "add"
    assert state.upload.message.startswith("Loaded net.json")
    assert builder.json.value == state.json and builder.python.value == state.python_code
    assert builder.downloads[0].callback().read() == state.python_code
    assert builder.downloads[1].callback().read() == state.json and not builder.downloads[1].disabled
    assert f"{MultiLayerNetwork(conf).init().num_params():,}" in builder.table.object
    assert builder.network["dtype"].value == "float64" and builder.network["seed"].value == 3
    notices = [o for o in walk(builder.controls["upload"]) if isinstance(o, pn.pane.Alert)]
    assert [o.object for o in notices] == [state.upload.message] and notices[0].alert_type == "warning"


def test_a_network_that_does_not_fit_the_data_is_a_warning_in_the_status():
    builder = ConfigBuilder(WorkbenchSession("UCI synthetic control"))      # 6 classes
    builder.state.set_field(1, "n_out", 3)
    status = builder.status.objects[0]
    assert builder.status.visible and status.alert_type == "warning" and "does not fit the task's data" in status.object
    find(card(builder, 1), "n_out").value = 6
    assert status.alert_type == "success" and status.object == "valid"


def test_tbptt_and_threshold_fields_show_when_used(builder):
    state = builder.state
    assert not builder.network["tbptt_fwd_length"].visible
    builder.network["backprop_type"].value = "tbptt"
    assert builder.network["tbptt_fwd_length"].visible and builder.network["tbptt_back_length"].visible
    assert "tbptt_fwd_length" in state.message
    state.session.select_task("Tiny Shakespeare")
    assert "Tiny Shakespeare" in builder.input_pane.object
    assert builder.network["backprop_type"].value == "tbptt" and builder.network["tbptt_fwd_length"].value == 50
    assert not builder.network["gradient_normalization_threshold"].visible
    state.set_network_field("gradient_normalization", "clip_l2_per_layer")
    assert builder.network["gradient_normalization_threshold"].visible


def test_backend_widget(builder):
    builder.network["backend"].value = "auto"
    assert builder.state.session.backend == "auto"
    builder.state.session.backend = "numpy"
    assert builder.network["backend"].value == "numpy"


def test_every_input_has_a_tooltip_and_controls_can_be_hidden(builder):
    builder.state.load_configuration(composite_confs()[0])       # convolution, wrappers, preprocessor fields
    layout = builder.__panel__()
    inputs = [w for w in walk(layout) if isinstance(w, INPUTS)]
    assert len(inputs) > 40
    assert [w.label or w.name for w in inputs if not w.description] == []
    assert "forgetGateBiasInit" in find(card(builder, 2), "forget_gate_bias_init").description
    assert "tBPTTBackwardLength" in builder.network["tbptt_back_length"].description
    assert "l1Bias" in builder.network["l1_bias"].description
    assert {"layers", "network", "updater", "tbptt", "regularization", "backend", "code", "upload"} <= set(
        builder.controls)
    shown = list(walk(layout))
    for name, control in builder.controls.items():
        assert any(control is obj for obj in shown), name
        control.visible = False
    assert "wb-help" in layout.objects[0].css_classes


def test_renders_headless(builder):
    builder.state.set_field(0, "n_out", 0)                       # an error card renders too
    assert pn.panel(builder).get_root() is not None
    builder.state.set_field(0, "n_out", 3)
    pn.panel(ConfigBuilder()).get_root()
