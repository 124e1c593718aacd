"""The Build tab's state without widgets: drive its actions, assert on ``session.conf``, the
validation result (message and kind, layer and field), the summary rows and the generated code."""
import pytest

pn = pytest.importorskip("panel")

import numpy as np  # noqa: E402

from workbench.conf.python_code import to_python  # noqa: E402
from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, ConvolutionLayer, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, InputType,
    LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork, Nesterovs, OutputLayer, RmsProp,
    RnnOutputLayer, RnnToCnnPreProcessor, CnnToRnnPreProcessor, SimpleRnn, SubsamplingLayer,
)
from workbench.ui.build.state import BuildState  # noqa: E402
from workbench.ui.catalog import TASKS  # noqa: E402
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


@pytest.fixture
def state():
    return BuildState()


def test_the_default_state_mirrors_the_session(state):
    conf = state.session.task.default_config()
    assert state.session.conf == conf and state.conf == conf
    assert (state.message, state.message_kind) == ("valid", "success") and state.valid
    assert [s["type"] for s in state.layers] == [type(l).__name__ for l in conf.layers]
    assert state.layers[0]["n_out"] == conf.layers[0].n_out and state.preprocessors == [None, None]
    assert state.updater == conf.updater.to_dict() and state.seed == conf.seed
    assert state.input_text().startswith("**Input type:** [1] per step")
    assert isinstance(BuildState().session, WorkbenchSession)
    s = WorkbenchSession()
    assert BuildState(s).session is s


def test_add_remove_and_move_layers_update_the_session(state):
    i = state.add_layer("DenseLayer", n_out=16, activation="relu")
    assert i == 1                                        # before the output layer
    conf = state.session.conf
    assert [type(l).__name__ for l in conf.layers] == ["GravesLSTM", "DenseLayer", "RnnOutputLayer"]
    assert conf.layers[1] == DenseLayer(16, activation="relu")
    assert type(conf.built_preprocessors[1]).__name__ == "RnnToFeedForwardPreProcessor"
    state.move_layer(1, -1)
    assert [type(l).__name__ for l in state.session.conf.layers] == ["DenseLayer", "GravesLSTM", "RnnOutputLayer"]
    state.remove_layer(0)
    assert state.session.conf == state.session.task.default_config()
    state.move_layer(1, 5)                               # clamped: already last
    assert type(state.session.conf.layers[-1]).__name__ == "RnnOutputLayer"
    state.add_layer("RnnOutputLayer")
    assert state.session.conf is None and "must be the last layer" in state.message
    assert state.error_layer == 1 and state.message_kind == "error"
    with pytest.raises(IndexError):
        state.remove_layer(7)
    with pytest.raises(ValueError, match="unknown layer type"):
        state.add_layer("Transformer")


def test_field_and_network_edits(state):
    state.set_field(0, "n_out", 12)
    state.set_field(0, "activation", "softsign")
    assert state.session.conf.layers[0] == GravesLSTM(12, activation="softsign")
    state.set_field(0, "type", "LSTM")                   # a type change keeps the common fields
    assert state.session.conf.layers[0] == LSTM(12, activation="softsign")
    state.set_network_field("l2", 0.01)
    assert state.session.conf.l2 == 0.01 and state.l2 == 0.01
    state.set_network_field("updater", "Sgd")
    assert state.session.conf.updater.lr == 0.02         # lr kept across the type change
    state.set_network_field("updater.lr", 0.5)
    assert state.session.conf.updater.lr == 0.5 and type(state.session.conf.updater).__name__ == "Sgd"
    state.set_network_field("seed", 9)
    assert state.session.conf.seed == 9
    state.set_network_field("gradient_normalization", "clip_elementwise")
    assert state.session.conf.gradient_normalization == "clip_elementwise"
    with pytest.raises(ValueError, match="unknown network field"):
        state.set_network_field("momentum", 0.5)


def test_the_state_writes_the_session_only_when_the_conf_changes(state):
    conf = state.session.conf
    events = []
    state.session.param.watch(events.append, "conf")
    state.set_field(0, "n_out", conf.layers[0].n_out)    # no change: nothing written
    state.set_network_field("l1", 0.0)
    assert events == [] and state.session.conf is conf
    state.set_field(0, "n_out", 5)
    assert len(events) == 1 and state.layers[0]["n_out"] == 5     # its own echo reloads nothing


def test_wrappers_choose_their_layer_and_mode(state):
    state.add_layer("Bidirectional", index=0, layer="SimpleRnn", mode="add", **{"layer.n_out": 8})
    assert state.session.conf.layers[0] == Bidirectional(SimpleRnn(8), mode="add")
    state.set_field(0, "layer.type", "GravesLSTM")
    assert state.session.conf.layers[0] == Bidirectional(GravesLSTM(8), mode="add")
    state.set_field(0, "mode", "concat")
    state.set_field(0, "layer.type", "LSTM")
    assert state.session.conf.layers[0] == Bidirectional(LSTM(8))
    state.set_field(0, "type", "LastTimeStep")             # wraps the whole Bidirectional
    conf = state.session.conf                              # GravesLSTM after it gets a preprocessor
    assert type(conf.built_preprocessors[1]).__name__ == "FeedForwardToRnnPreProcessor"
    assert state.layers[0]["layer"]["type"] == "Bidirectional"
    state.remove_layer(1)
    state.set_field(1, "type", "OutputLayer")
    assert state.session.conf.layers == (LastTimeStep(Bidirectional(LSTM(8))), OutputLayer(6))
    state.set_field(0, "layer.layer.n_out", 3)
    assert state.session.conf.layers[0] == LastTimeStep(Bidirectional(LSTM(3)))
    state.set_field(0, "type", "SimpleRnn")                # unwraps to the innermost fields
    assert state.layers[0]["n_out"] == 3


def test_invalid_fields_clear_the_conf_and_name_layer_and_field(state):
    state.set_field(0, "n_out", 0)
    assert state.session.conf is None and state.conf is None and not state.valid
    assert "layer 0" in state.message and "n_out" in state.message and state.message_kind == "error"
    assert state.error_layer == 0 and state.error_field == "n_out"
    assert state.python_code == "" and state.json == "" and state.table_rows() == [] and state.total_params is None
    state.set_field(0, "n_out", 4)
    assert state.session.conf is not None and state.message == "valid" and state.error_layer is None

    state.set_network_field("backprop_type", "tbptt")
    state.set_network_field("tbptt_fwd_length", 10)
    state.set_network_field("tbptt_back_length", 20)
    assert state.session.conf is None and "tbptt_back_length" in state.message and state.error_layer is None
    state.set_network_field("tbptt_back_length", None)
    assert state.session.conf.tbptt_back == 10

    state.add_layer("Bidirectional", index=0)
    assert state.session.conf is None and state.error_layer == 0 and "truncated BPTT" in state.message
    state.set_network_field("backprop_type", "standard")
    state.set_field(0, "layer.n_out", -1)
    assert state.error_layer == 0 and state.error_field == "layer.n_out"
    assert "layer 0, field 'layer.n_out'" in state.message


def test_bad_values_give_messages_not_exceptions(state):
    state.add_layer("ConvolutionLayer", index=0)
    assert state.session.conf is None                    # recurrent input without image shape
    state.set_network_field("input_type", InputType.recurrent(36, height=6, width=6, channels=1))
    state.set_field(2, "n_out", 6)
    state.set_field(0, "n_out", 2)
    assert state.valid and state.message_kind == "warning", state.message     # valid, not for the task's data
    state.set_field(0, "kernel_size", "3,2")
    assert state.session.conf.layers[0].kernel_size == (3, 2)
    state.set_field(0, "kernel_size", "3,x")
    assert state.session.conf is None and "kernel_size" in state.message and state.error_layer == 0
    state.set_field(0, "kernel_size", 9)
    assert "does not fit" in state.message
    state.set_field(0, "kernel_size", 2)
    state.set_field(0, "n_out", None)
    assert "n_out" in state.message and state.session.conf is None
    state.set_field(0, "n_out", 2)
    state.set_network_field("l1", None)
    assert "l1" in state.message and state.error_layer is None
    state.set_network_field("l1", 0.0)
    state.set_network_field("updater.lr", 0.0)
    assert "updater.lr" in state.message
    state.set_network_field("updater.lr", 0.01)
    assert state.valid


def test_explicit_preprocessors(state):
    state.load_configuration(composite_confs()[1])
    assert state.preprocessors[0]["type"] == "RnnToCnnPreProcessor"
    state.set_field(1, "preprocessor", "auto")
    assert state.session.conf.input_preprocessors == {0: RnnToCnnPreProcessor()}
    state.set_field(0, "preprocessor.height", 5)              # width and channels still None
    assert state.session.conf is None and state.error_layer == 0
    assert state.error_field == "input_preprocessors" and "together" in state.message
    state.set_field(0, "preprocessor.width", 6)
    state.set_field(0, "preprocessor.channels", 1)
    assert state.session.conf is None and "does not fit" in state.message   # 5 x 6 x 1 != 36
    state.set_field(0, "preprocessor.height", 6)
    assert state.valid
    with pytest.raises(ValueError, match="no explicit preprocessor"):
        state.set_field(1, "preprocessor.height", 6)
    state.set_field(0, "preprocessor", "auto")
    assert state.session.conf.input_preprocessors is None


@pytest.mark.parametrize("conf", ALL_CONFS)
def test_json_and_python_round_trip(conf):
    namespace = {}
    exec(to_python(conf), namespace)
    assert namespace["conf"] == conf
    assert MultiLayerConfiguration.from_json(conf.to_json()) == conf

    state = BuildState()
    state.load_configuration(conf)                        # state <- conf -> an equal conf
    assert state.session.conf == conf, state.message
    assert MultiLayerConfiguration.from_json(state.json) == conf
    namespace = {}
    exec(state.python_code, namespace)
    assert namespace["conf"] == conf


@pytest.mark.parametrize("conf", ALL_CONFS)
def test_table_matches_the_network(conf):
    state = BuildState()
    state.load_configuration(conf)
    net = MultiLayerNetwork(conf).init()
    rows = state.table_rows()
    counts = [sum(int(np.prod(v.shape)) for k, v in net.params().items() if k.split("_", 1)[0] == str(i))
              for i in range(len(conf.layers))]
    assert [r["params"] for r in rows] == counts
    assert state.total_params == net.num_params()
    assert [r["preprocessor"] for r in rows] == [
        type(net.preprocessors[i]).__name__ if i in net.preprocessors else "" for i in range(len(conf.layers))]
    summary = net.summary()
    for r in rows:
        assert r["output"] in summary
        if r["preprocessor"]:
            assert r["preprocessor"] in summary


def test_upload_restores_the_state_and_bad_files_give_messages(state):
    conf = composite_confs()[0]
    assert state.upload_json(conf.to_json().encode(), "net.json")
    assert state.session.conf == conf and state.layers[2]["mode"] == "add"
    assert state.upload.message.startswith("Loaded net.json: 6 layers")
    assert "differs from the task" in state.upload.message and state.upload.message_kind == "warning"

    bad = {
        "{not json": "not valid JSON",
        '{"format_version": 1, "layers": [{"type": "Transformer", "n_out": 3}]}': "unknown layer type",
        '{"format_version": 7, "layers": []}': "format_version",
        "[1, 2]": "expected a dict",
        '{"format_version": 1, "layers": [{"type": "LSTM", "n_out": 3, "n_in": 2}], "updater": 5}': "updater",
        '{"format_version": 1, "layers": [{"type": "LSTM", "n_out": 0, "n_in": 2}]}': "n_out",
    }
    for text, reason in bad.items():
        assert not state.upload_json(text, "bad.json")
        assert state.upload.message.startswith("Could not load bad.json") and reason in state.upload.message
        assert state.upload.message_kind == "error" and "unchanged" in state.upload.message
        assert state.session.conf == conf                         # state unchanged
    assert not state.upload_json(b"\xff\xfe", "bin.json")
    assert "not a text file" in state.upload.message and "codec" not in state.upload.message
    state.upload_json(state.session.task.default_config().to_json(), "task.json")
    assert state.upload.message_kind == "success"


def test_task_change_and_outside_conf_reload_the_rows(state):
    session = state.session
    state.add_layer("DenseLayer")
    session.select_task("Moving shapes (video)")
    conf = TASKS["Moving shapes (video)"].default_config()
    assert session.conf == conf and state.message == "valid"
    assert [s["type"] for s in state.layers] == [type(l).__name__ for l in conf.layers]
    assert "[100] per step" in state.input_text() and "⚠" not in state.input_text()
    session.select_task("Tiny Shakespeare")
    assert state.backprop_type == "tbptt" and state.tbptt_fwd_length == 50
    other = composite_confs()[2]
    session.conf = other                                       # e.g. a loaded network's conf
    assert state.session.conf == other and len(state.layers) == 3 and state.json == other.to_json()


def test_backend_choice(state):
    state.set_network_field("backend", "auto")
    assert state.session.backend == "auto"
    if "cupy" not in state.session.available_backends:
        with pytest.raises(ValueError, match="not available"):
            state.set_network_field("backend", "cupy")


def test_a_network_that_does_not_fit_the_tasks_data_is_flagged():
    session = WorkbenchSession("UCI synthetic control")           # 6 classes, 1 feature per step
    state = BuildState(session)
    last = len(state.layers) - 1
    assert state.valid and state.data_fit == ""
    state.set_field(last, "n_out", 3)
    assert state.valid and session.conf is not None               # a valid configuration ...
    assert "n_out=3" in state.data_fit and "(32, 6, 60)" in state.data_fit   # ... that the data does not fit
    assert state.message_kind == "warning" and "does not fit the task's data" in state.message
    assert f"Set n_out of the output layer (layer {last}) to 6" in state.message    # what to do in the page
    state.set_field(last, "n_out", 6)
    assert state.data_fit == "" and (state.message, state.message_kind) == ("valid", "success")
    session.use_data(*TASKS["JapaneseVowels"].load())            # 12 features per step: n_in no longer fits
    assert state.data_fit.startswith("features") and "got shape (32, 12" in state.data_fit
    assert "Set n_in of layer 0" in state.message or "other data" in state.message
