"""Bad input at the network boundary: each a clear error naming the argument, expected and got."""
import re
from types import SimpleNamespace

import numpy as np
import pytest

from workbench.data import DataSet
from workbench.errors import InvalidInputError
from workbench.nn import (
    DenseLayer, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, Sgd,
)

N, N_IN, N_OUT, T, H = 2, 3, 2, 5, 4


def make_net(init=True):
    conf = MultiLayerConfiguration([GravesLSTM(H), RnnOutputLayer(N_OUT)], input_type=InputType.recurrent(N_IN),
                                   updater=Sgd(0.1), seed=7, dtype="float64")
    net = MultiLayerNetwork(conf)
    return net.init() if init else net


@pytest.fixture
def net():
    return make_net()


@pytest.fixture
def data(make_rnn_data):
    return make_rnn_data(n=N, n_in=N_IN, n_out=N_OUT, t=T)


def same_params(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# ---------------------------------------------------------------- features
def test_wrong_n_in_names_both_sizes(net):
    with pytest.raises(ValueError, match=r"features.*n_in=3.*\(2, 4, 5\)"):
        net.output(np.zeros((N, 4, T)))


@pytest.mark.parametrize("shape", [(N, N_IN), (N, N_IN, T, 1), (N_IN,)])
def test_features_of_wrong_rank(net, shape):
    with pytest.raises(ValueError, match=rf"features.*3-d.*{re.escape(str(shape))}"):
        net.output(np.zeros(shape))


@pytest.mark.parametrize("shape", [(N, T + 1), (N + 1, T), (N, T, 1), (T,)])
def test_features_mask_of_wrong_shape(net, shape):
    with pytest.raises(ValueError, match=rf"features_mask.*\(2, 5\).*{re.escape(str(shape))}"):
        net.output(np.zeros((N, N_IN, T)), features_mask=np.ones(shape))


def test_dataset_rejects_mask_of_wrong_shape(data):
    with pytest.raises(ValueError, match=r"features_mask.*\(2, 5\).*\(2, 4\)"):
        DataSet(data.features, data.labels, features_mask=np.ones((N, T - 1)))
    with pytest.raises(ValueError, match=r"labels_mask.*\(2, 5\).*\(3, 5\)"):
        DataSet(data.features, data.labels, labels_mask=np.ones((N + 1, T)))


@pytest.mark.parametrize("bad", [0.5, 2.0, -1.0, float("nan")])
def test_mask_values_other_than_0_or_1(net, data, bad):
    mask = np.ones((N, T))
    mask[1, 2] = bad
    with pytest.raises(ValueError, match=rf"features_mask.*0 or 1.*{re.escape(repr(bad))}"):
        net.output(data.features, features_mask=mask)
    with pytest.raises(ValueError, match=rf"labels_mask.*0 or 1.*{re.escape(repr(bad))}"):
        net.score(DataSet(data.features, data.labels, labels_mask=mask))
    before = net.params()
    with pytest.raises(ValueError, match=r"features_mask.*0 or 1"):
        net.fit(DataSet(data.features, data.labels, features_mask=mask))
    assert same_params(before, net.params())


def test_bool_and_float_masks_are_accepted(net, data):
    m = np.ones((N, T), bool)
    m[0, -1] = False
    a = net.output(data.features, features_mask=m)
    b = net.output(data.features, features_mask=m.astype(np.float32))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nonfinite_features(net, data, value):
    x = data.features.copy()
    x[1, 2, 3] = value
    pattern = r"features.*NaN or inf.*\(1, 2, 3\)"
    with pytest.raises(ValueError, match=pattern):
        net.output(x)
    with pytest.raises(ValueError, match=pattern):
        net.score(DataSet(x, data.labels))
    before = net.params()
    with pytest.raises(ValueError, match=pattern):
        net.fit(DataSet(x, data.labels))
    assert same_params(before, net.params()) and net.iteration_count == 0


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nonfinite_labels(net, data, value):
    y = data.labels.copy()
    y[0, 1, 4] = value
    pattern = r"labels.*NaN or inf.*\(0, 1, 4\)"
    with pytest.raises(ValueError, match=pattern):
        net.score(DataSet(data.features, y))
    before = net.params()
    with pytest.raises(ValueError, match=pattern):
        net.fit(DataSet(data.features, y))
    assert same_params(before, net.params()) and net.iteration_count == 0


# ---------------------------------------------------------------- labels
@pytest.mark.parametrize("shape, pattern", [
    ((N, N_OUT + 1, T), r"labels.*n_out=2.*\(2, 3, 5\)"),
    ((N, N_OUT, T + 2), r"labels.*5 time steps.*\(2, 2, 7\)"),
    ((N, N_OUT), r"labels.*3-d.*\(2, 2\)"),
])
def test_labels_of_wrong_shape(net, data, shape, pattern):
    bad = DataSet(data.features, np.zeros(shape))
    with pytest.raises(ValueError, match=pattern):
        net.score(bad)
    with pytest.raises(ValueError, match=pattern):
        net.fit(bad)


def test_labels_of_wrong_batch(net, data):
    with pytest.raises(ValueError, match=r"labels.*batch size 2.*\(3, 2, 5\)"):
        DataSet(data.features, np.zeros((N + 1, N_OUT, T)))
    # the network checks too, for DataSet-like objects that skip the DataSet constructor
    duck = SimpleNamespace(features=data.features, labels=np.zeros((N + 1, N_OUT, T)))
    with pytest.raises(ValueError, match=r"labels.*batch size 2.*\(3, 2, 5\)"):
        net.score(duck)


@pytest.mark.parametrize("shape", [(N, T + 1), (N + 1, T), (N,)])
def test_labels_mask_of_wrong_shape(net, data, shape):
    with pytest.raises(ValueError, match=rf"labels_mask.*\(2, 5\).*{re.escape(str(shape))}"):
        net.output(data.features, labels_mask=np.ones(shape))
    duck = SimpleNamespace(features=data.features, labels=data.labels, labels_mask=np.ones(shape))
    with pytest.raises(ValueError, match=rf"labels_mask.*\(2, 5\).*{re.escape(str(shape))}"):
        net.score(duck)


# ---------------------------------------------------------------- rnn_time_step and its state
def test_time_step_with_changed_batch_size(net):
    net.rnn_time_step(np.zeros((N, N_IN)))
    with pytest.raises(ValueError, match=r"3.*2.*rnn_clear_previous_state"):
        net.rnn_time_step(np.zeros((N + 1, N_IN)))
    with pytest.raises(ValueError, match=r"3.*2.*rnn_clear_previous_state"):
        net.rnn_time_step(np.zeros((N + 1, N_IN, 4)))
    assert net.rnn_get_previous_state(0)["h"].shape == (N, H)   # the failed calls kept the state
    net.rnn_clear_previous_state()
    assert net.rnn_time_step(np.zeros((N + 1, N_IN))).shape == (N + 1, N_OUT)
    assert net.rnn_get_previous_state(0)["h"].shape == (N + 1, H)


@pytest.mark.parametrize("shape, pattern", [
    ((N, N_IN + 1), r"n_in=3.*\(2, 4\)"),
    ((N, N_IN + 1, 3), r"n_in=3.*\(2, 4, 3\)"),
    ((N, N_IN, 3, 1), r"n_in=3.*\(2, 3, 3, 1\)"),
    ((N_IN,), r"n_in=3.*\(3,\)"),
])
def test_time_step_with_wrong_width_or_rank(net, shape, pattern):
    with pytest.raises(ValueError, match=r"rnn_time_step.*" + pattern):
        net.rnn_time_step(np.zeros(shape))
    assert net.rnn_get_previous_state(0) == {}


def test_time_step_rejects_nonfinite_input(net):
    x = np.zeros((N, N_IN))
    x[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf.*\(1, 0\)"):
        net.rnn_time_step(x)


@pytest.mark.parametrize("method", ["get", "set"])
def test_state_of_a_non_recurrent_layer(net, method):
    call = (lambda i: net.rnn_get_previous_state(i)) if method == "get" else (
        lambda i: net.rnn_set_previous_state(i, {"h": np.zeros((N, H)), "c": np.zeros((N, H))}))
    with pytest.raises(ValueError, match=r"layer 1.*RnnOutputLayer.*not recurrent.*\[0\]"):
        call(1)
    for bad in (2, 10):
        with pytest.raises(InvalidInputError, match=rf"layer.*\[0, 1\].*{bad}"):
            call(bad)


def test_state_of_a_dense_layer_is_rejected():
    conf = MultiLayerConfiguration([DenseLayer(3, n_in=N_IN), DenseLayer(2)],
                                   input_type=InputType.feed_forward(N_IN))
    net = MultiLayerNetwork(conf).init()
    with pytest.raises(ValueError, match=r"layer 0.*not recurrent"):
        net.rnn_get_previous_state(0)
    with pytest.raises(ValueError, match="no recurrent layer"):
        net.rnn_time_step(np.zeros((N, N_IN)))


@pytest.mark.parametrize("state, pattern", [
    ({"h": np.zeros((N, H))}, r"expected keys \['h', 'c'\].*\['h'\]"),
    ({"h": np.zeros((N, H)), "c": np.zeros((N, H)), "x": np.zeros((N, H))}, r"expected keys.*'x'"),
    ({"hidden": np.zeros((N, H)), "cell": np.zeros((N, H))}, r"expected keys.*'cell'"),
    ([np.zeros((N, H)), np.zeros((N, H))], r"expected a dict with keys.*list"),
    ({"h": np.zeros((N, H + 1)), "c": np.zeros((N, H))}, r"'h'.*n_out=4.*\(2, 5\)"),
    ({"h": np.zeros((N, H)), "c": np.zeros((N, H + 1))}, r"'c'.*n_out=4.*\(2, 5\)"),
    ({"h": np.zeros((N, H)), "c": np.zeros((N + 1, H))}, r"'c'.*\(3, 4\)"),
    ({"h": np.zeros(H), "c": np.zeros(H)}, r"n_out=4.*\(4,\)"),
])
def test_set_previous_state_with_bad_state(net, state, pattern):
    with pytest.raises(ValueError, match=r"rnn_set_previous_state.*" + pattern):
        net.rnn_set_previous_state(0, state)
    assert net.rnn_get_previous_state(0) == {}


def test_set_previous_state_then_step(net):
    h, c = np.full((N, H), 0.25), np.full((N, H), -0.5)
    net.rnn_set_previous_state(0, {"h": h, "c": c})
    got = net.rnn_get_previous_state(0)
    np.testing.assert_array_equal(got["h"], h)
    np.testing.assert_array_equal(got["c"], c)
    with pytest.raises(ValueError, match=r"3.*2.*rnn_clear_previous_state"):
        net.rnn_time_step(np.zeros((N + 1, N_IN)))


# ---------------------------------------------------------------- parameters, init, backend, epochs
def test_set_params_unknown_key(net):
    before = net.params()
    with pytest.raises(InvalidInputError, match=r"set_params.*'9_W'.*0_W"):
        net.set_params({"0_b": np.ones_like(before["0_b"]), "9_W": np.zeros((3, 3))})
    assert same_params(before, net.params())       # nothing was changed


def test_set_params_wrong_shape(net):
    before = net.params()
    with pytest.raises(ValueError, match=r"set_params.*'0_W'.*\(3, 16\).*\(16, 3\)"):
        net.set_params({"0_b": np.ones_like(before["0_b"]), "0_W": np.zeros((16, 3))})
    assert same_params(before, net.params())
    with pytest.raises(ValueError, match=r"'1_b'.*\(2,\).*\(\)"):
        net.set_params({"1_b": 1.0})


def test_set_params_good_update(net):
    p = net.params()
    new = np.arange(p["1_W"].size, dtype=float).reshape(p["1_W"].shape)
    net.set_params({"1_W": new})
    np.testing.assert_array_equal(net.params()["1_W"], new)
    np.testing.assert_array_equal(net.params()["0_W"], p["0_W"])


@pytest.mark.parametrize("use", [
    lambda net, ds: net.output(ds.features),
    lambda net, ds: net.fit(ds),
    lambda net, ds: net.score(ds),
    lambda net, ds: net.params(),
    lambda net, ds: net.num_params(),
    lambda net, ds: net.set_params({}),
    lambda net, ds: net.rnn_time_step(ds.features[:, :, 0]),
    lambda net, ds: net.compute_gradient_and_score(ds),
    lambda net, ds: net.save("unused.zip"),
], ids=["output", "fit", "score", "params", "num_params", "set_params", "rnn_time_step", "gradient", "save"])
def test_use_before_init(data, use, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = make_net(init=False)
    with pytest.raises(RuntimeError, match=r"init\(\)"):
        use(net, data)
    assert list(tmp_path.iterdir()) == []


def test_unknown_backend():
    conf = make_net(init=False).conf
    with pytest.raises(ValueError, match=r"'numpy'.*'cupy'.*'auto'.*'bogus'"):
        MultiLayerNetwork(conf, backend="bogus")


def test_conf_must_be_a_configuration():
    with pytest.raises(TypeError, match="MultiLayerConfiguration.*dict"):
        MultiLayerNetwork({"layers": []})


@pytest.mark.parametrize("epochs", [0, -1, 1.5, True, "2"])
def test_fit_with_bad_epochs(net, data, epochs):
    before = net.params()
    with pytest.raises(ValueError, match=rf"epochs.*{re.escape(repr(epochs))}"):
        net.fit(data, epochs=epochs)
    assert same_params(before, net.params()) and net.iteration_count == 0
