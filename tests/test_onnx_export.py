"""ONNX export checked against onnxruntime: every exportable layer type, stacks, T = 1 and long T,
batch 1 and several, end-padded masks (a bidirectional layer's backward half starts at each
example's last valid step), feed-forward networks, float64 networks; onnx.checker passes (the
exporter runs it); layers without an ONNX form are refused by name."""
import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from workbench.errors import ConfigurationError, InvalidInputError  # noqa: E402
from workbench.io import export_onnx  # noqa: E402
from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, ConvolutionLayer, DenseLayer, GravesBidirectionalLSTM, GravesLSTM, InputType, LastTimeStep,
    MultiLayerConfiguration, MultiLayerNetwork, OutputLayer, RnnOutputLayer, SimpleRnn,
)

TOL = 1e-5
I = 4


def network(layers, input_type=None, dtype="float32", seed=3):
    """An initialised network whose parameters are drawn wide (N(0, 0.5)), so every gate works."""
    conf = MultiLayerConfiguration(layers, input_type=input_type or InputType.recurrent(I), seed=seed, dtype=dtype)
    net = MultiLayerNetwork(conf).init()
    net.set_params_vector(np.random.default_rng(seed).normal(0, 0.5, net.num_params()))
    return net


def end_padded(N, T, rng):
    """A [N, T] mask of 0/1 with a random length >= 1 per example, the first one full."""
    lengths = np.r_[T, rng.integers(1, T + 1, N - 1)] if N > 1 else np.array([T])
    return (np.arange(T)[None, :] < lengths[:, None]).astype(np.float32)


def run(net, tmp_path, x, m=None, **kw):
    path = export_onnx(net, tmp_path / "model.onnx", **kw)
    feeds = {"features": x.astype(np.float32)}
    if m is not None:
        feeds["features_mask"] = m
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(["output"], feeds)[0]


def assert_same(net, tmp_path, N, T, masked=True):
    rng = np.random.default_rng(N * 1000 + T)
    x = rng.normal(size=(N, net.conf.built_layers[0].n_in, T)).astype(np.float32)
    m = end_padded(N, T, rng) if masked else None
    y = run(net, tmp_path, x, m, mask=masked)
    ref = net.output(x, features_mask=m)
    if y.ndim == 3 and m is not None:
        y = y * m[:, None, :]                      # padded steps are unspecified; valid steps must equal
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, atol=TOL, rtol=0)
    return float(np.abs(y - ref).max())


RECURRENT = {
    "LSTM": lambda: LSTM(6),
    "GravesLSTM": lambda: GravesLSTM(6),
    "SimpleRnn": lambda: SimpleRnn(6),
    **{f"Bidirectional-{mode}": (lambda mode=mode: Bidirectional(GravesLSTM(6), mode=mode))
       for mode in ("concat", "add", "mul", "average")},
    "Bidirectional-SimpleRnn": lambda: Bidirectional(SimpleRnn(6), mode="concat"),
    "GravesBidirectionalLSTM": lambda: GravesBidirectionalLSTM(6),
}


@pytest.mark.parametrize("name", list(RECURRENT))
@pytest.mark.parametrize("N,T", [(1, 1), (3, 9), (5, 120)])
def test_each_recurrent_layer_equals_net_output_with_padded_masks(name, N, T, tmp_path):
    net = network([RECURRENT[name](), RnnOutputLayer(3, activation="identity", loss="mse")])
    assert_same(net, tmp_path, N, T)


@pytest.mark.parametrize("gate,act", [("hardsigmoid", "softsign"), ("sigmoid", "relu"), ("sigmoid", "identity"),
                                      ("hardsigmoid", "leakyrelu"), ("sigmoid", "tanh")])
def test_the_operators_other_activations(gate, act, tmp_path):
    net = network([LSTM(5, gate_activation=gate, activation=act), SimpleRnn(4, activation=act),
                   RnnOutputLayer(3, activation="identity", loss="mse")])
    assert_same(net, tmp_path, 4, 11)


def test_a_stack_with_dense_layers_between_and_softmax_out(tmp_path):
    net = network([GravesLSTM(8), DenseLayer(7, activation="tanh"), Bidirectional(LSTM(5), mode="add"),
                   DenseLayer(6, activation="leakyrelu"), RnnOutputLayer(4)])
    assert set(net.conf.built_preprocessors) == {1, 2, 3, 4}        # RNN <-> feed-forward both ways
    assert_same(net, tmp_path, 6, 17)
    assert_same(net, tmp_path, 2, 5, masked=False)


@pytest.mark.parametrize("inner", [LSTM(6), SimpleRnn(6), Bidirectional(LSTM(6), mode="concat")])
def test_many_to_one_takes_each_examples_last_valid_step(inner, tmp_path):
    net = network([LastTimeStep(inner), DenseLayer(5), OutputLayer(3)])
    assert_same(net, tmp_path, 5, 13)
    assert_same(net, tmp_path, 1, 1)
    assert_same(net, tmp_path, 3, 8, masked=False)


def test_a_feed_forward_network_and_a_float64_one(tmp_path):
    ff = network([DenseLayer(6), OutputLayer(3)], InputType.feed_forward(I))
    x = np.random.default_rng(0).normal(size=(7, I))
    np.testing.assert_allclose(run(ff, tmp_path, x), ff.output(x), atol=TOL)
    wide = network([GravesLSTM(6), RnnOutputLayer(3, activation="identity", loss="mse")], dtype="float64")
    assert_same(wide, tmp_path, 3, 10)                                  # written in float32


def test_the_graph_names_its_inputs_and_dynamic_axes(tmp_path):
    import onnx
    net = network([LSTM(6), RnnOutputLayer(3)])
    model = onnx.load(export_onnx(net, tmp_path / "m.onnx", opset=14))
    shapes = {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in [*model.graph.input, *model.graph.output]}
    assert shapes == {"features": ["batch", I, "time"], "features_mask": ["batch", "time"],
                      "output": ["batch", 3, "time"]}
    assert model.opset_import[0].version == 14
    unmasked = onnx.load(export_onnx(net, tmp_path / "m.onnx", mask=False))
    assert [v.name for v in unmasked.graph.input] == ["features"]


def test_what_cannot_be_exported_is_refused_by_name(tmp_path):
    conv = network([ConvolutionLayer(2, kernel_size=2), OutputLayer(3)], InputType.convolutional(4, 4, 1))
    with pytest.raises(ConfigurationError, match=r"layer 0 \(ConvolutionLayer\) has no ONNX export"):
        export_onnx(conv, tmp_path / "m.onnx")
    odd = network([LSTM(4, activation="softmax"), RnnOutputLayer(3)])
    with pytest.raises(ConfigurationError, match=r"layer 0 \(LSTM\).*activation 'softmax'"):
        export_onnx(odd, tmp_path / "m.onnx")
    with pytest.raises(InvalidInputError, match=r"opset must be an int in \[14, "):
        export_onnx(network([LSTM(4), RnnOutputLayer(3)]), tmp_path / "m.onnx", opset=9)
    with pytest.raises(InvalidInputError, match="initialised MultiLayerNetwork"):
        export_onnx(MultiLayerNetwork(odd.conf), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
