"""Configuration as data: JSON round trips, size inference, and errors that name layer and field."""
import json

import pytest
from hypothesis import given, settings, strategies as st

import workbench
import workbench.conf
import workbench.nn
from workbench.conf import (
    ACTIVATIONS, LOSSES, LSTM, AdaGrad, Adam, ConfigurationError, DenseLayer, GravesLSTM, InputType,
    MultiLayerConfiguration, Nesterovs, OutputLayer, RmsProp, RnnOutputLayer, SimpleRnn, Sgd,
    layer_from_dict,
)
from workbench.conf.layers import WEIGHT_INITS

MLC = MultiLayerConfiguration


def assert_round_trip(conf):
    text = conf.to_json()
    back = MLC.from_json(text)
    assert back == conf
    assert back.to_json() == text
    assert json.loads(text)["format_version"] == 1
    assert MLC.from_dict(conf.to_dict()) == conf


# ---------------------------------------------------------------- layer round trips (hypothesis)
sizes = st.integers(1, 512)
opt_sizes = st.none() | sizes
acts = st.sampled_from(ACTIVATIONS)
inits = st.sampled_from(WEIGHT_INITS)
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)

lstm_kw = st.fixed_dictionaries({"n_out": sizes, "n_in": opt_sizes, "activation": acts, "gate_activation": acts,
                                 "forget_gate_bias_init": finite | st.integers(-3, 3), "weight_init": inits})
layers = st.one_of(
    st.builds(lambda kw: LSTM(**kw), lstm_kw),
    st.builds(lambda kw: GravesLSTM(**kw), lstm_kw),
    st.builds(SimpleRnn, n_out=sizes, n_in=opt_sizes, activation=acts, weight_init=inits),
    st.builds(DenseLayer, n_out=sizes, n_in=opt_sizes, activation=acts, weight_init=inits),
    st.builds(OutputLayer, n_out=sizes, n_in=opt_sizes, loss=st.sampled_from(LOSSES), activation=acts,
              weight_init=inits),
    st.builds(RnnOutputLayer, n_out=sizes, n_in=opt_sizes, loss=st.sampled_from(LOSSES), activation=acts,
              weight_init=inits),
)


@settings(max_examples=150, deadline=None)
@given(layers)
def test_every_layer_round_trips(layer):
    d = layer.to_dict()
    assert d["type"] == type(layer).__name__
    back = layer_from_dict(d)
    assert back == layer and type(back) is type(layer)
    via_json = layer_from_dict(json.loads(json.dumps(d)))
    assert via_json == layer and type(via_json) is type(layer)


def test_lstm_and_graves_lstm_are_not_equal():
    # same fields, different type: equality and the dict's "type" must tell them apart
    assert LSTM(4) != GravesLSTM(4)
    assert type(layer_from_dict(GravesLSTM(4).to_dict())) is GravesLSTM


NON_DEFAULT_LAYERS = [
    LSTM(7, n_in=3, activation="softsign", gate_activation="hardsigmoid", forget_gate_bias_init=2.5,
         weight_init="xavier_uniform"),
    GravesLSTM(5, n_in=3, activation="relu", gate_activation="hardsigmoid", forget_gate_bias_init=-0.5,
               weight_init="relu"),
    SimpleRnn(6, n_in=3, activation="relu", weight_init="relu"),
    DenseLayer(9, n_in=4, activation="leakyrelu", weight_init="xavier_uniform"),
    OutputLayer(3, n_in=4, loss="mse", activation="identity", weight_init="relu"),
    RnnOutputLayer(3, n_in=4, loss="xent", activation="sigmoid", weight_init="xavier_uniform"),
]


@pytest.mark.parametrize("layer", NON_DEFAULT_LAYERS, ids=lambda l: type(l).__name__)
def test_non_default_layer_round_trips(layer):
    d = layer.to_dict()
    defaults = type(layer)(n_out=layer.n_out).to_dict()
    assert d != defaults                     # the example really exercises non-default values
    assert layer_from_dict(d) == layer
    assert layer_from_dict(json.loads(json.dumps(d))).to_dict() == d


# ---------------------------------------------------------------- updaters and whole configurations
UPDATERS = [Sgd(0.05), Nesterovs(0.02, momentum=0.7), Adam(0.003, beta1=0.8, beta2=0.99, eps=1e-7),
            RmsProp(0.002, rms_decay=0.9, eps=1e-6), AdaGrad(0.3, eps=1e-5)]


@pytest.mark.parametrize("updater", UPDATERS, ids=lambda u: type(u).__name__)
def test_updater_round_trips_in_a_configuration(updater):
    conf = MLC([LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), updater=updater)
    assert_round_trip(conf)
    back = MLC.from_json(conf.to_json()).updater
    assert type(back) is type(updater) and back == updater
    assert back != type(updater)()           # non-default values survived


def test_full_configuration_round_trips():
    conf = MLC(
        [GravesLSTM(6, activation="softsign", forget_gate_bias_init=1.5), SimpleRnn(5),
         LSTM(4, n_in=5, gate_activation="hardsigmoid"), RnnOutputLayer(3, loss="negativeloglikelihood")],
        input_type=InputType.recurrent(2), backprop_type="tbptt", tbptt_fwd_length=7, tbptt_back_length=3,
        updater=RmsProp(0.01, rms_decay=0.8), l1=1e-4, l2=2e-3, l1_bias=3e-5, l2_bias=4e-4,
        gradient_normalization="clip_l2_per_layer", gradient_normalization_threshold=0.5, seed=12345,
        dtype="float64")
    assert_round_trip(conf)
    d = json.loads(conf.to_json())
    for key, value in [("backprop_type", "tbptt"), ("tbptt_fwd_length", 7), ("tbptt_back_length", 3),
                       ("l1", 1e-4), ("l2", 2e-3), ("l1_bias", 3e-5), ("l2_bias", 4e-4),
                       ("gradient_normalization", "clip_l2_per_layer"), ("seed", 12345), ("dtype", "float64")]:
        assert d[key] == value, key
    assert "built_layers" not in d
    # a change to any field makes the configurations differ
    other = MLC.from_dict({**conf.to_dict(), "l2": 0.5})
    assert other != conf


def test_feed_forward_configuration_round_trips():
    conf = MLC([DenseLayer(8, activation="relu"), OutputLayer(3, loss="mcxent")],
               input_type=InputType.feed_forward(5), updater=Sgd(0.2), seed=3)
    assert_round_trip(conf)


# ---------------------------------------------------------------- size inference
def test_n_in_is_inferred_from_input_type_and_previous_layer():
    user = [GravesLSTM(5), LSTM(4), SimpleRnn(6), RnnOutputLayer(2)]
    conf = MLC(user, input_type=InputType.recurrent(3))
    assert [l.n_in for l in conf.built_layers] == [3, 5, 4, 6]
    assert [l.n_out for l in conf.built_layers] == [5, 4, 6, 2]
    assert [type(l) for l in conf.built_layers] == [type(l) for l in user]
    assert all(l.n_in is None for l in conf.layers)
    assert all(l["n_in"] is None for l in json.loads(conf.to_json())["layers"])
    assert [l.n_in for l in MLC.from_json(conf.to_json()).built_layers] == [3, 5, 4, 6]


def test_n_in_inference_for_feed_forward_layers():
    conf = MLC([DenseLayer(7), DenseLayer(4), OutputLayer(2)], input_type=InputType.feed_forward(9))
    assert [l.n_in for l in conf.built_layers] == [9, 7, 4]
    assert all(l.n_in is None for l in conf.layers)


def test_explicit_n_in_is_kept_without_input_type():
    conf = MLC([LSTM(4, n_in=3), RnnOutputLayer(2)])
    assert [l.n_in for l in conf.built_layers] == [3, 4]
    assert conf.layers[1].n_in is None


# ---------------------------------------------------------------- errors
def test_configuration_error_is_one_class_everywhere():
    assert workbench.ConfigurationError is workbench.nn.ConfigurationError is workbench.conf.ConfigurationError
    assert issubclass(ConfigurationError, ValueError)


def check(exc, layer, field):
    e = exc.value
    assert e.layer == layer and e.field == field, (e.layer, e.field, str(e))
    if layer is not None:
        assert f"layer {layer}" in str(e)
    if field is not None:
        assert field in str(e)


def test_n_in_not_inferable():
    with pytest.raises(ConfigurationError) as exc:
        MLC([LSTM(4), RnnOutputLayer(2)])
    check(exc, 0, "n_in")


def test_n_in_mismatch_with_previous_n_out():
    with pytest.raises(ConfigurationError) as exc:
        MLC([LSTM(4, n_in=3), RnnOutputLayer(2, n_in=5)])
    check(exc, 1, "n_in")
    assert "5" in str(exc.value) and "4" in str(exc.value)


def test_n_in_mismatch_with_input_type():
    with pytest.raises(ConfigurationError) as exc:
        MLC([LSTM(4, n_in=6), RnnOutputLayer(2)], input_type=InputType.recurrent(3))
    check(exc, 0, "n_in")


@pytest.mark.parametrize("make, field, bad", [
    (lambda: LSTM(4, activation="swish"), "activation", "swish"),
    (lambda: GravesLSTM(4, gate_activation="gelu"), "gate_activation", "gelu"),
    (lambda: DenseLayer(4, activation="Tanh"), "activation", "Tanh"),
    (lambda: RnnOutputLayer(2, loss="hinge"), "loss", "hinge"),
    (lambda: OutputLayer(2, loss="cross_entropy"), "loss", "cross_entropy"),
])
def test_unknown_activation_or_loss(make, field, bad):
    with pytest.raises(ConfigurationError) as exc:
        make()
    check(exc, None, field)
    assert bad in str(exc.value)


def test_unknown_activation_inside_json_names_the_layer():
    d = MLC([LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3)).to_dict()
    d["layers"][1]["activation"] = "swish"
    with pytest.raises(ConfigurationError) as exc:
        MLC.from_json(json.dumps(d))
    check(exc, 1, "activation")


@pytest.mark.parametrize("cls", [LSTM, GravesLSTM, SimpleRnn, DenseLayer, OutputLayer, RnnOutputLayer])
@pytest.mark.parametrize("n_out", [0, -1, 2.5, True, "3", None])
def test_bad_n_out(cls, n_out):
    with pytest.raises(ConfigurationError) as exc:
        cls(n_out)
    check(exc, None, "n_out")


@pytest.mark.parametrize("n_in", [0, -2, 1.5, False])
def test_bad_n_in(n_in):
    with pytest.raises(ConfigurationError) as exc:
        LSTM(4, n_in=n_in)
    check(exc, None, "n_in")


REC = dict(layers=[LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3))


@pytest.mark.parametrize("kw, field", [
    (dict(backprop_type="tbptt"), "tbptt_fwd_length"),
    (dict(backprop_type="tbptt", tbptt_fwd_length=0), "tbptt_fwd_length"),
    (dict(backprop_type="tbptt", tbptt_fwd_length=-3), "tbptt_fwd_length"),
    (dict(backprop_type="tbptt", tbptt_fwd_length=5, tbptt_back_length=0), "tbptt_back_length"),
    (dict(backprop_type="tbptt", tbptt_fwd_length=5, tbptt_back_length=6), "tbptt_back_length"),
    (dict(backprop_type="truncated"), "backprop_type"),
    (dict(gradient_normalization="clip_everything"), "gradient_normalization"),
    (dict(dtype="float16"), "dtype"),
    (dict(dtype="int32"), "dtype"),
    (dict(l2=-1.0), "l2"),
    (dict(seed=1.5), "seed"),
    (dict(seed=-1), "seed"),                 # numpy's generators refuse negative seeds at init()
])
def test_bad_network_fields(kw, field):
    with pytest.raises(ConfigurationError) as exc:
        MLC(**{**REC, **kw})
    check(exc, None, field)
    bad = kw.get(field)
    if isinstance(bad, str):
        assert bad in str(exc.value)


def test_non_finite_numbers_are_rejected():
    """NaN/inf are never meaningful here, and would make to_json() write non-standard JSON."""
    cases = [(lambda v: LSTM(4, forget_gate_bias_init=v), "forget_gate_bias_init"),
             (lambda v: GravesLSTM(4, forget_gate_bias_init=v), "forget_gate_bias_init")]
    cases += [(lambda v, f=f: MLC(**REC, **{f: v}), f)
              for f in ("l1", "l2", "l1_bias", "l2_bias", "gradient_normalization_threshold")]
    cases += [(lambda v, u=u, f=f: MLC(**REC, updater=u(**{f: v})), f"{u.__name__}.{f}")
              for u, fields in [(Sgd, ["lr"]), (Nesterovs, ["lr", "momentum"]),
                                (Adam, ["lr", "beta1", "beta2", "eps"]), (RmsProp, ["lr", "rms_decay", "eps"]),
                                (AdaGrad, ["lr", "eps"])] for f in fields]
    accepted = []
    for make, name in cases:
        for v in (float("nan"), float("inf"), float("-inf")):
            try:
                make(v)
            except ConfigurationError as e:
                assert name.split(".")[-1] in str(e), (name, str(e))
            else:
                accepted.append(f"{name}={v}")
    assert accepted == [], f"accepted non-finite values: {accepted}"


def test_output_layer_not_last():
    with pytest.raises(ConfigurationError) as exc:
        MLC([LSTM(4, n_in=3), RnnOutputLayer(4), RnnOutputLayer(2)])
    assert exc.value.layer == 1 and "layer 1" in str(exc.value)
    assert exc.value.field is not None and "last" in str(exc.value)


def _conf_dict():
    return MLC(**REC).to_dict()


def test_unknown_layer_type_in_json():
    d = _conf_dict()
    d["layers"][0] = {"type": "Foo"}
    with pytest.raises(ConfigurationError) as exc:
        MLC.from_json(json.dumps(d))
    check(exc, 0, "type")
    assert "Foo" in str(exc.value)
    with pytest.raises(ConfigurationError, match="Foo") as exc:
        layer_from_dict({"type": "Foo"})
    check(exc, None, "type")


def test_unknown_field_in_layer_dict():
    d = _conf_dict()
    d["layers"][1]["dropout"] = 0.5
    with pytest.raises(ConfigurationError) as exc:
        MLC.from_json(json.dumps(d))
    check(exc, 1, "dropout")
    with pytest.raises(ConfigurationError) as exc:
        layer_from_dict({**LSTM(4).to_dict(), "peephole": True})
    check(exc, None, "peephole")


def test_unknown_top_level_field():
    d = {**_conf_dict(), "learning_rate": 0.1}
    with pytest.raises(ConfigurationError) as exc:
        MLC.from_json(json.dumps(d))
    check(exc, None, "learning_rate")


@pytest.mark.parametrize("version", ["missing", 0, 2, "1", None])
def test_missing_or_unsupported_format_version(version):
    d = _conf_dict()
    if version == "missing":
        del d["format_version"]
    else:
        d["format_version"] = version
    with pytest.raises(ConfigurationError) as exc:
        MLC.from_json(json.dumps(d))
    check(exc, None, "format_version")


@pytest.mark.parametrize("text", ["", "{", "not json", '{"layers": [}', "[1, 2"])
def test_invalid_json_text(text):
    with pytest.raises(ConfigurationError, match="JSON") as exc:
        MLC.from_json(text)
    check(exc, None, None)


@pytest.mark.parametrize("text", ["[]", "3", '"conf"', "null"])
def test_json_that_is_not_an_object(text):
    with pytest.raises(ConfigurationError):
        MLC.from_json(text)
