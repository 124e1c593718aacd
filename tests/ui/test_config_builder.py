"""The Build view without a browser: set state through the builder's methods and its widgets,
assert on ``session.conf``, the messages and the generated code."""
import pytest

pn = pytest.importorskip("panel")

import numpy as np  # noqa: E402

from workbench.conf.python_code import to_python  # noqa: E402
from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, ConvolutionLayer, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, InputType,
    LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork, Nesterovs, OutputLayer, RmsProp,
    RnnOutputLayer, RnnToCnnPreProcessor, CnnToRnnPreProcessor, SimpleRnn, SubsamplingLayer,
)
from workbench.ui.catalog import TASKS  # noqa: E402
from workbench.ui.config_builder import ConfigBuilder  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402


def composite_confs():
    video = InputType.recurrent(36, height=6, width=6, channels=1)
    return [
        MultiLayerConfiguration(
            [ConvolutionLayer(4, kernel_size=(3, 2), stride=(1, 2), padding=1, activation="tanh"),
             SubsamplingLayer("avg", 2, stride=1),
             Bidirectional(GravesLSTM(8, activation="softsign", forget_gate_bias_init=0.5), mode="add"),
             LastTimeStep(LSTM(6, gate_activation="hardsigmoid")),
             DenseLayer(5, activation="relu", weight_init="relu"),
             OutputLayer(3, loss="negativeloglikelihood")],
            input_type=video, input_preprocessors={0: RnnToCnnPreProcessor(6, 6, 1)},
            updater=RmsProp(0.005, rms_decay=0.9), l1=1e-4, l2=1e-3, l2_bias=1e-5,
            gradient_normalization="renormalize_l2_per_layer", gradient_normalization_threshold=2.0,
            seed=3, dtype="float64"),
        MultiLayerConfiguration(
            [ConvolutionLayer(2, kernel_size=3), LSTM(7), SimpleRnn(5, activation="relu"),
             RnnOutputLayer(4, loss="mse", activation="identity")],
            input_type=video, input_preprocessors={0: RnnToCnnPreProcessor(), 1: CnnToRnnPreProcessor()},
            backprop_type="tbptt", tbptt_fwd_length=20, tbptt_back_length=5, updater=Nesterovs(0.05, 0.8),
            l1=0.01, l1_bias=0.02, gradient_normalization="clip_l2_per_layer"),
        MultiLayerConfiguration(
            [GravesBidirectionalLSTM(6, n_in=3), LastTimeStep(Bidirectional(SimpleRnn(4), mode="average")),
             OutputLayer(2, loss="xent", activation="sigmoid")]),
    ]


ALL_CONFS = [pytest.param(t.default_config(), id=name) for name, t in TASKS.items()] + [
    pytest.param(c, id=f"composite{i}") for i, c in enumerate(composite_confs())]


def find(obj, label):
    """The first widget labelled ``label`` inside a Panel layout."""
    if getattr(obj, "label", None) == label and isinstance(obj, pn.widgets.Widget):
        return obj
    for child in getattr(obj, "objects", []) or []:
        hit = find(child, label)
        if hit is not None:
            return hit
    return None


def card(builder, i):
    return builder._cards.objects[i]


@pytest.fixture
def builder():
    return ConfigBuilder()


def test_default_builder_mirrors_the_session(builder):
    conf = builder.session.task.default_config()
    assert builder.session.conf == conf
    assert builder.message == "valid" and builder.valid
    assert [s["type"] for s in builder.layers] == [type(l).__name__ for l in conf.layers]
    assert find(card(builder, 0), "n_out").value == conf.layers[0].n_out
    assert find(card(builder, 1), "loss").value == conf.layers[1].loss
    assert builder._nw["updater"].value == "Adam"
    assert find(builder._updater_box, "lr").value == conf.updater.lr
    assert builder._nw["gradient_normalization"].value == conf.gradient_normalization
    assert builder._nw["seed"].value == conf.seed
    assert builder._nw["backend"].options == [*builder.session.available_backends, "auto"]
    assert builder._input_pane.object.startswith("**Input type:** [1] per step")


def test_a_new_session_is_made_when_none_is_given():
    s = WorkbenchSession()
    assert ConfigBuilder(s).session is s
    assert isinstance(ConfigBuilder().session, WorkbenchSession)


def test_add_remove_and_move_layers_update_the_session(builder):
    i = builder.add_layer("DenseLayer", n_out=16, activation="relu")
    assert i == 1                                        # before the output layer
    conf = builder.session.conf
    assert [type(l).__name__ for l in conf.layers] == ["GravesLSTM", "DenseLayer", "RnnOutputLayer"]
    assert conf.layers[1] == DenseLayer(16, activation="relu")
    assert type(conf.built_preprocessors[1]).__name__ == "RnnToFeedForwardPreProcessor"
    builder.move_layer(1, -1)
    assert [type(l).__name__ for l in builder.session.conf.layers] == ["DenseLayer", "GravesLSTM", "RnnOutputLayer"]
    assert card(builder, 0).title.startswith("0: DenseLayer")
    builder.remove_layer(0)
    assert builder.session.conf == builder.session.task.default_config()
    builder.move_layer(1, 5)                             # clamped: already last
    assert type(builder.session.conf.layers[-1]).__name__ == "RnnOutputLayer"
    builder.add_layer("RnnOutputLayer")
    assert builder.session.conf is None and "must be the last layer" in builder.message
    assert builder.error_layer == 1
    with pytest.raises(IndexError):
        builder.remove_layer(7)
    with pytest.raises(ValueError, match="unknown layer type"):
        builder.add_layer("Transformer")


def test_widgets_and_state_stay_in_sync(builder):
    w = find(card(builder, 0), "n_out")
    w.value = 12                                          # widget -> state -> session
    assert builder.session.conf.layers[0].n_out == 12 and builder.layers[0]["n_out"] == 12
    builder.set_field(0, "activation", "softsign")      # state -> widget
    assert find(card(builder, 0), "activation").value == "softsign"
    assert builder.session.conf.layers[0] == GravesLSTM(12, activation="softsign")
    find(card(builder, 0), "type").value = "LSTM"        # type change keeps the common fields
    assert builder.session.conf.layers[0] == LSTM(12, activation="softsign")
    builder._nw["l2"].value = 0.01
    assert builder.session.conf.l2 == 0.01
    builder._nw["updater"].value = "Sgd"
    assert type(builder.session.conf.updater).__name__ == "Sgd"
    assert builder.session.conf.updater.lr == 0.02       # lr kept across the type change
    find(builder._updater_box, "lr").value = 0.5
    assert builder.session.conf.updater.lr == 0.5
    builder.set_network_field("seed", 9)
    assert builder._nw["seed"].value == 9 and builder.session.conf.seed == 9
    find(card(builder, 0), "n_in").value = 1            # explicit n_in that matches the input
    assert builder.session.conf.layers[0].n_in == 1


def test_wrappers_choose_their_layer_and_mode(builder):
    builder.add_layer("Bidirectional", index=0, layer="SimpleRnn", mode="add", **{"layer.n_out": 8})
    conf = builder.session.conf
    assert conf.layers[0] == Bidirectional(SimpleRnn(8), mode="add")
    builder.set_field(0, "layer.type", "GravesLSTM")
    assert builder.session.conf.layers[0] == Bidirectional(GravesLSTM(8), mode="add")
    find(card(builder, 0), "mode").value = "concat"
    assert builder.session.conf.layers[0].mode == "concat"
    find(card(builder, 0), "wrapped layer").value = "LSTM"
    assert builder.session.conf.layers[0] == Bidirectional(LSTM(8))
    builder.set_field(0, "type", "LastTimeStep")           # wraps the whole Bidirectional
    conf = builder.session.conf                             # GravesLSTM after it gets a preprocessor
    assert type(conf.built_preprocessors[1]).__name__ == "FeedForwardToRnnPreProcessor"
    assert builder.layers[0]["layer"]["type"] == "Bidirectional"
    builder.remove_layer(1)
    builder.set_field(1, "type", "OutputLayer")
    assert builder.session.conf.layers == (LastTimeStep(Bidirectional(LSTM(8))), OutputLayer(6))
    builder.set_field(0, "layer.layer.n_out", 3)
    assert builder.session.conf.layers[0] == LastTimeStep(Bidirectional(LSTM(3)))
    builder.set_field(0, "type", "SimpleRnn")               # unwraps to the innermost fields
    assert builder.layers[0]["n_out"] == 3


def test_invalid_fields_clear_the_conf_and_name_layer_and_field(builder):
    builder.set_field(0, "n_out", 0)
    assert builder.session.conf is None and not builder.valid
    assert "layer 0" in builder.message and "n_out" in builder.message
    c = card(builder, 0)
    assert c.header_background and "⚠" in c.title and builder._cards.objects[0] is builder._rows[0].card
    assert builder._rows[0].alert.visible and not builder._rows[1].alert.visible
    assert builder._status.alert_type == "danger" and "n_out" in builder._status.object
    assert builder.python_code == "" and builder.json == ""
    builder.set_field(0, "n_out", 4)
    assert builder.session.conf is not None and builder.message == "valid"
    assert not card(builder, 0).header_background and not builder._rows[0].alert.visible

    builder.set_network_field("backprop_type", "tbptt")
    builder.set_network_field("tbptt_fwd_length", 10)
    builder.set_network_field("tbptt_back_length", 20)
    assert builder.session.conf is None and "tbptt_back_length" in builder.message
    assert builder._nw["tbptt_back_length"].visible
    builder.set_network_field("tbptt_back_length", None)
    assert builder.session.conf.tbptt_back == 10

    builder.add_layer("Bidirectional", index=0)
    assert builder.session.conf is None and builder.error_layer == 0
    assert "truncated BPTT" in builder.message
    builder.set_network_field("backprop_type", "standard")
    builder.set_field(0, "layer.n_out", -1)
    assert builder.error_layer == 0 and builder.error_field == "layer.n_out"
    assert "layer 0, field 'layer.n_out'" in builder.message


def test_bad_widget_values_give_messages_not_tracebacks(builder):
    builder.add_layer("ConvolutionLayer", index=0)
    assert builder.session.conf is None                  # recurrent input without image shape
    builder.set_network_field("input_type", InputType.recurrent(36, height=6, width=6, channels=1))
    builder.set_field(2, "n_out", 6)
    builder.set_field(0, "n_out", 2)
    assert builder.message == "valid", builder.message
    kernel = find(card(builder, 0), "kernel_size")
    kernel.value = "3,2"
    assert builder.session.conf.layers[0].kernel_size == (3, 2)
    kernel.value = "3,x"
    assert builder.session.conf is None and "kernel_size" in builder.message and builder.error_layer == 0
    kernel.value = "9"
    assert "does not fit" in builder.message
    kernel.value = "2"
    find(card(builder, 0), "n_out").value = None
    assert "n_out" in builder.message and builder.session.conf is None
    find(card(builder, 0), "n_out").value = 2
    builder._nw["l1"].value = None
    assert "l1" in builder.message
    builder._nw["l1"].value = 0.0
    find(builder._updater_box, "lr").value = 0.0
    assert "updater.lr" in builder.message
    find(builder._updater_box, "lr").value = 0.01
    assert builder.valid


def test_explicit_preprocessors(builder):
    builder.load_configuration(composite_confs()[1])
    assert find(card(builder, 0), "preprocessor before").value == "RnnToCnnPreProcessor"
    builder.set_field(1, "preprocessor", "auto")
    assert builder.session.conf.input_preprocessors == {0: RnnToCnnPreProcessor()}
    builder.set_field(0, "preprocessor.height", 5)              # width and channels still None
    assert builder.session.conf is None and builder.error_layer == 0
    assert builder.error_field == "input_preprocessors" and "together" in builder.message
    builder.set_field(0, "preprocessor.width", 6)
    find(card(builder, 0), "channels").value = 1
    assert builder.session.conf is None and "does not fit" in builder.message   # 5 x 6 x 1 != 36
    find(card(builder, 0), "height").value = 6
    assert builder.valid
    find(card(builder, 0), "preprocessor before").value = "auto"
    assert builder.session.conf.input_preprocessors is None


@pytest.mark.parametrize("conf", ALL_CONFS)
def test_json_and_python_round_trip(conf):
    namespace = {}
    exec(to_python(conf), namespace)
    assert namespace["conf"] == conf
    assert MultiLayerConfiguration.from_json(conf.to_json()) == conf

    builder = ConfigBuilder()
    builder.load_configuration(conf)                      # builder state <- conf -> equal conf
    assert builder.session.conf == conf, builder.message
    assert MultiLayerConfiguration.from_json(builder.json) == conf
    namespace = {}
    exec(builder.python_code, namespace)
    assert namespace["conf"] == conf
    assert builder._downloads[0].callback().read() == builder.python_code
    assert builder._downloads[1].callback().read() == builder.json


@pytest.mark.parametrize("conf", ALL_CONFS)
def test_table_matches_the_network(conf):
    builder = ConfigBuilder()
    builder.load_configuration(conf)
    net = MultiLayerNetwork(conf).init()
    rows = builder.table_rows()
    counts = [sum(int(np.prod(v.shape)) for k, v in net.params().items() if k.split("_", 1)[0] == str(i))
              for i in range(len(conf.layers))]
    assert [r["params"] for r in rows] == counts
    assert builder.total_params == net.num_params()
    assert [r["preprocessor"] for r in rows] == [
        type(net.preprocessors[i]).__name__ if i in net.preprocessors else "" for i in range(len(conf.layers))]
    summary = net.summary()
    for r in rows:
        assert r["output"] in summary
        if r["preprocessor"]:
            assert r["preprocessor"] in summary
    assert f"{net.num_params():,}" in builder._table.object


def test_upload_restores_the_state_and_bad_files_give_messages(builder):
    conf = composite_confs()[0]
    builder._upload.filename = "net.json"
    builder._upload.value = conf.to_json().encode()
    assert builder.session.conf == conf
    assert builder.upload_message.startswith("Loaded net.json: 6 layers")
    assert "differs from the task" in builder.upload_message       # video input vs the UCI task
    assert find(card(builder, 2), "mode").value == "add"
    assert builder._upload_pane.object == builder.upload_message

    bad = {
        "{not json": "not valid JSON",
        '{"format_version": 1, "layers": [{"type": "Transformer", "n_out": 3}]}': "unknown layer type",
        '{"format_version": 7, "layers": []}': "format_version",
        "[1, 2]": "expected a dict",
        '{"format_version": 1, "layers": [{"type": "LSTM", "n_out": 3, "n_in": 2}], "updater": 5}': "updater",
        '{"format_version": 1, "layers": [{"type": "LSTM", "n_out": 0, "n_in": 2}]}': "n_out",
    }
    for text, reason in bad.items():
        assert not builder.upload_json(text, "bad.json")
        assert builder.upload_message.startswith("Could not load bad.json") and reason in builder.upload_message
        assert builder.session.conf == conf                         # state unchanged
    assert not builder.upload_json(b"\xff\xfe", "bin.json") and "Could not load" in builder.upload_message


def test_task_change_and_outside_conf_reload_the_rows(builder):
    session = builder.session
    builder.add_layer("DenseLayer")
    session.select_task("Moving shapes (video)")
    conf = TASKS["Moving shapes (video)"].default_config()
    assert session.conf == conf and builder.message == "valid"
    assert [s["type"] for s in builder.layers] == [type(l).__name__ for l in conf.layers]
    assert find(card(builder, 0), "padding").value == "1,1"
    assert "[100] per step" in builder._input_pane.object and "⚠" not in builder._input_pane.object
    session.select_task("Tiny Shakespeare")
    assert builder._nw["backprop_type"].value == "tbptt" and builder._nw["tbptt_fwd_length"].value == 50
    other = composite_confs()[2]
    session.conf = other                                       # e.g. a loaded network's conf
    assert builder.session.conf == other and len(builder.layers) == 3
    assert builder._json.value == other.to_json()


def test_backend_choice(builder):
    builder._nw["backend"].value = "auto"
    assert builder.session.backend == "auto"
    builder.session.backend = "numpy"
    assert builder._nw["backend"].value == "numpy"
    if "cupy" not in builder.session.available_backends:
        with pytest.raises(ValueError, match="not available"):
            builder.set_network_field("backend", "cupy")


def test_renders_headless(builder):
    builder.set_field(0, "n_out", 0)                     # an error card renders too
    root = pn.panel(builder).get_root()
    assert root is not None
    builder.set_field(0, "n_out", 3)
    pn.panel(ConfigBuilder()).get_root()


def test_a_network_that_does_not_fit_the_tasks_data_is_flagged():
    session = WorkbenchSession("UCI synthetic control")           # 6 classes, 1 feature per step
    builder = ConfigBuilder(session=session)
    last = len(builder.layers) - 1
    assert builder.valid and builder.data_fit == ""
    builder.set_field(last, "n_out", 3)
    assert builder.valid and session.conf is not None             # a valid configuration ...
    assert "n_out=3" in builder.data_fit and "(32, 6, 60)" in builder.data_fit   # ... that the data does not fit
    assert builder._status.alert_type == "warning" and "does not fit the task's data" in builder._status.object
    builder.set_field(last, "n_out", 6)
    assert builder.data_fit == "" and builder._status.alert_type == "success"
    session.use_data(*TASKS["JapaneseVowels"].load())            # 12 features per step: n_in no longer fits
    assert builder.data_fit.startswith("features") and "got shape (32, 12" in builder.data_fit
