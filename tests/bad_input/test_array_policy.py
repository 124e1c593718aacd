"""One dtype policy for every array entering the network: real numbers (bool, int, float, nested
lists of them) are converted to the network's dtype; anything else is an InputTypeError naming the
argument. Empty and degenerate data are refused too. Nothing changes on a refusal."""
import numpy as np
import pytest

from workbench.data import DataSet
from workbench.errors import InputTypeError, InvalidInputError
from workbench.nn import (
    ConvolutionLayer, GravesLSTM, InputType, LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork, OutputLayer,
    RnnOutputLayer, Sgd,
)

N, N_IN, N_OUT, T, H = 2, 3, 2, 5, 4
rng = np.random.default_rng(0)
X = rng.normal(size=(N, N_IN, T))
Y = np.zeros((N, N_OUT, T))
Y[:, 0] = 1


def make_net(backprop="standard", layers=None, input_type=None, dtype="float32"):
    conf = MultiLayerConfiguration(layers or [GravesLSTM(H), RnnOutputLayer(N_OUT)],
                                   input_type=input_type or InputType.recurrent(N_IN), updater=Sgd(0.1), seed=7,
                                   backprop_type=backprop, tbptt_fwd_length=2 if backprop == "tbptt" else None,
                                   dtype=dtype)
    net = MultiLayerNetwork(conf).init()
    net.rnn_time_step(X[:, :, :2])                 # a stored state that must survive refusals
    return net


def snapshot(net):
    state = {i: net.rnn_get_previous_state(i) for i in (0,)}
    return net.params(), state, net.iteration_count, net.epoch_count


def unchanged(before, net):
    params, state, it, ep = before
    now = snapshot(net)
    assert now[2:] == (it, ep)
    assert all(np.array_equal(params[k], now[0][k]) for k in params)
    assert all(np.array_equal(state[i][k], now[1][i][k]) for i in state for k in state[i])


BAD = {
    "complex": X.astype(complex),
    "datetime64": np.zeros(X.shape, "datetime64[s]"),
    "timedelta64": np.zeros(X.shape, "timedelta64[s]"),
    "strings": X.astype(str),
    "bytes": X.astype(bytes),
    "objects": X.astype(object),
    "ragged list": [[[1.0, 2.0]], [[1.0]]],
    "list of strings": [["a", "b"]],
    "dict": {"x": X},
    "string": "features",
    "None": None,
}
KIND = {"complex": "complex", "datetime64": "datetime64", "timedelta64": "timedelta64", "strings": "strings",
        "bytes": "bytes", "objects": "Python objects", "ragged list": "ragged", "list of strings": "strings",
        "dict": "dict", "string": "str", "None": "NoneType"}


def entry_points(bad):
    return {
        "output": (lambda net: net.output(bad), "features"),
        "fit": (lambda net: net.fit(DataSet(bad, Y)), "features"),
        "fit labels": (lambda net: net.fit(DataSet(X, bad)), "labels"),
        "score": (lambda net: net.score(DataSet(X, Y, labels_mask=bad)), "labels_mask"),
        "features_mask": (lambda net: net.output(X, features_mask=bad), "features_mask"),
        "rnn_time_step": (lambda net: net.rnn_time_step(bad), "rnn_time_step x"),
        "rnn_set_previous_state": (lambda net: net.rnn_set_previous_state(0, {"h": bad, "c": np.zeros((N, H))}),
                                   "state['h']"),
        "set_params": (lambda net: net.set_params({"0_W": bad}), "'0_W'"),
    }


NONE_MEANS_ABSENT = ("fit", "fit labels", "score", "features_mask")     # a None mask is no mask; DataSet below


@pytest.mark.parametrize("kind, entry", [(k, e) for k in BAD for e in entry_points(None)
                                         if not (k == "None" and e in NONE_MEANS_ABSENT)])
def test_values_that_are_not_real_numbers_are_refused_by_name(kind, entry):
    net = make_net()
    before = snapshot(net)
    call, name = entry_points(BAD[kind])[entry]
    with pytest.raises(InputTypeError) as exc:
        call(net)
    msg = str(exc.value)
    assert name in msg and KIND[kind] in msg, msg
    assert isinstance(exc.value, TypeError) and isinstance(exc.value, ValueError)
    unchanged(before, net)


@pytest.mark.parametrize("which", ["features", "labels"])
def test_a_dataset_without_features_or_labels(which):
    args = {"features": X, "labels": Y, which: None}
    with pytest.raises(InputTypeError, match=rf"DataSet: {which} is None"):
        DataSet(args["features"], args["labels"])


@pytest.mark.parametrize("convert", [
    lambda a: a.astype(np.float16), lambda a: (a > 0), lambda a: (a * 10).astype(np.int64),
    lambda a: (a > 0).astype(np.uint8), lambda a: a.tolist(), lambda a: a.astype(">f8"),
    lambda a: np.asfortranarray(a),
], ids=["float16", "bool", "int64", "uint8", "nested list", "big-endian", "Fortran"])
def test_real_numbers_of_any_kind_are_converted(convert):
    net = make_net()
    x = convert(X)
    want = net.output(np.asarray(x, dtype=np.float64))
    np.testing.assert_array_equal(net.output(x), want)
    net.fit(DataSet(x, Y))
    assert net.iteration_count == 1


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nonfinite_state_and_parameters_are_refused(value):
    net = make_net()
    before = snapshot(net)
    h = np.zeros((N, H))
    h[1, 2] = value
    with pytest.raises(InvalidInputError, match=r"state\['h'\].*NaN or inf.*\(1, 2\)"):
        net.rnn_set_previous_state(0, {"h": h, "c": np.zeros((N, H))})
    w = net.params()["0_W"].copy()
    w[0, 3] = value
    with pytest.raises(InvalidInputError, match=r"set_params: '0_W'.*NaN or inf.*\(0, 3\)"):
        net.set_params({"0_b": np.ones(4 * H), "0_W": w})
    unchanged(before, net)


def test_values_that_overflow_float32_are_named():
    net = make_net()
    before = snapshot(net)
    x = X.copy()
    x[0, 1, 2] = 1e300
    with pytest.raises(InvalidInputError, match=r"features: value 1e\+300 at index \(0, 1, 2\).*float32 range"):
        net.output(x)
    with pytest.raises(InvalidInputError, match=r"'0_W'.*float32 range"):
        net.set_params({"0_W": np.full((N_IN, 4 * H), 1e39)})
    unchanged(before, net)


@pytest.mark.parametrize("bad", [None, [1, 2], "0_W", 3])
def test_set_params_needs_a_dict(bad):
    net = make_net()
    with pytest.raises(InputTypeError, match=r"set_params: expected a dict"):
        net.set_params(bad)


# ---------------------------------------------------------------- empty and degenerate data
def cnn_net():
    return MultiLayerNetwork(MultiLayerConfiguration(
        [ConvolutionLayer(2, kernel_size=2), OutputLayer(2)], input_type=InputType.convolutional(4, 4, 1))).init()


@pytest.mark.parametrize("call, pattern", [
    (lambda net: net.fit(DataSet(X[:0], Y[:0])), r"features: the batch holds no examples \(shape \(0, 3, 5\)\)"),
    (lambda net: net.score(DataSet(X[:0], Y[:0])), r"features: the batch holds no examples"),
    (lambda net: net.output(X[:0]), r"features: the batch holds no examples"),
    (lambda net: net.fit(DataSet(X[:, :, :0], Y[:, :, :0])), r"features: the series have no time steps"),
    (lambda net: net.score(DataSet(X[:, :, :0], Y[:, :, :0])), r"no time steps"),
    (lambda net: net.rnn_time_step(X[:, :, :0]), r"rnn_time_step x: the series have no time steps"),
    (lambda net: net.rnn_time_step(X[:0, :, 0]), r"rnn_time_step x: the batch holds no examples"),
    (lambda net: net.rnn_set_previous_state(0, {"h": np.zeros((0, H)), "c": np.zeros((0, H))}), r"batch >= 1"),
    (lambda net: net.evaluate([]), r"evaluate: data holds no minibatches"),
    (lambda net: net.evaluate(iter([])), r"evaluate: data holds no minibatches"),
], ids=["fit N=0", "score N=0", "output N=0", "fit T=0", "score T=0", "step k=0", "step N=0", "state N=0",
        "evaluate []", "evaluate iter"])
def test_empty_data(call, pattern):
    net = make_net()
    before = snapshot(net)
    with pytest.raises(InvalidInputError, match=pattern):
        call(net)
    unchanged(before, net)


def test_empty_data_in_tbptt_and_last_time_step_and_cnn():
    tbptt = make_net("tbptt")
    with pytest.raises(InvalidInputError, match="no time steps"):
        tbptt.fit(DataSet(X[:, :, :0], Y[:, :, :0]))
    assert tbptt.iteration_count == 0
    last = MultiLayerNetwork(MultiLayerConfiguration([LastTimeStep(GravesLSTM(H)), OutputLayer(N_OUT)],
                                                     input_type=InputType.recurrent(N_IN))).init()
    with pytest.raises(InvalidInputError, match="no time steps"):
        last.output(X[:, :, :0])
    cnn = cnn_net()
    with pytest.raises(InvalidInputError, match="no examples"):
        cnn.score(DataSet(np.zeros((0, 1, 4, 4)), np.zeros((0, 2))))


@pytest.mark.parametrize("data, error, pattern", [
    ([], InvalidInputError, r"fit: data holds no minibatches.*nothing was trained"),
    (iter([]), InvalidInputError, r"fit: data holds no minibatches"),
    ((), InvalidInputError, r"fit: data holds no minibatches"),
    (None, InputTypeError, r"fit: data must be a DataSet or an iterable of DataSets, got NoneType"),
    (3, InputTypeError, r"got int"),
    ("data.csv", InputTypeError, r"got str"),
    ({"features": X}, InputTypeError, r"got dict"),
    ([X], InputTypeError, r"fit: minibatch 0: expected a DataSet.*got ndarray"),
])
def test_fit_with_nothing_to_train_on(data, error, pattern):
    net = make_net()
    before = snapshot(net)
    with pytest.raises(error, match=pattern):
        net.fit(data, epochs=2 if not hasattr(data, "__next__") else 1)
    unchanged(before, net)
