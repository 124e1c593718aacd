"""Bad configurations, in Python and in JSON: each a ConfigurationError naming the field."""
import json

import pytest

from workbench.conf.fields import MAX_DEPTH, MAX_SIZE
from workbench.errors import ConfigurationError
from workbench.nn import (
    LSTM, Adam, Bidirectional, ConvolutionLayer, CnnToRnnPreProcessor, DenseLayer, GravesLSTM, InputType,
    LastTimeStep, MultiLayerConfiguration, OutputLayer, RnnOutputLayer, Sgd,
)

GOOD = MultiLayerConfiguration([GravesLSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1)


def good_dict():
    return json.loads(GOOD.to_json())


def refused(make, field, *fragments):
    with pytest.raises(ConfigurationError) as exc:
        make()
    assert exc.value.field == field, str(exc.value)
    assert f"field '{field}'" in str(exc.value)
    for fragment in fragments:
        assert fragment in str(exc.value), (fragment, str(exc.value))
    assert len(str(exc.value)) < 600
    return exc.value


# ---------------------------------------------------------------- Python
@pytest.mark.parametrize("inner", ["LSTM", None, 3, {"type": "LSTM"}, Sgd(0.1), OutputLayer(2)])
def test_last_time_step_needs_a_recurrent_layer(inner):
    refused(lambda: LastTimeStep(inner), "layer", "LastTimeStep.layer", "LSTM(32)")


@pytest.mark.parametrize("inner", ["LSTM", None, LastTimeStep(LSTM(3)), Bidirectional(LSTM(3))])
def test_bidirectional_needs_a_wrappable_layer(inner):
    refused(lambda: Bidirectional(inner), "layer", "Bidirectional.layer")


@pytest.mark.parametrize("kw, field", [
    ({"tbptt_fwd_length": 0}, "tbptt_fwd_length"),
    ({"tbptt_fwd_length": -3}, "tbptt_fwd_length"),
    ({"tbptt_back_length": 0}, "tbptt_back_length"),
    ({"tbptt_fwd_length": 5, "tbptt_back_length": 9}, "tbptt_back_length"),
    ({"tbptt_fwd_length": 10**30}, "tbptt_fwd_length"),
    ({"tbptt_fwd_length": 2.0}, "tbptt_fwd_length"),
])
def test_tbptt_lengths_are_checked_whenever_given(kw, field):
    refused(lambda: MultiLayerConfiguration([LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), **kw),
            field)


@pytest.mark.parametrize("make, field", [
    (lambda: LSTM(10**30), "n_out"),
    (lambda: LSTM(MAX_SIZE + 1), "n_out"),
    (lambda: LSTM(10**5000), "n_out"),
    (lambda: DenseLayer(4, n_in=2**40), "n_in"),
    (lambda: ConvolutionLayer(4, kernel_size=10**30), "kernel_size"),
    (lambda: ConvolutionLayer(4, padding=(1, 2**31)), "padding"),
    (lambda: CnnToRnnPreProcessor(10**20, 2, 2), "height"),
    (lambda: InputType.recurrent(10**30), "input_type"),
    (lambda: InputType.convolutional(2**16, 2**16, 2**16), "input_type"),
    (lambda: Adam(lr=10**400), "lr"),
    (lambda: Adam(lr=float("nan")), "lr"),
    (lambda: LSTM(4, forget_gate_bias_init=10**400), "forget_gate_bias_init"),
    (lambda: MultiLayerConfiguration([LSTM(4)], input_type=InputType.recurrent(3), seed=10**40), "seed"),
    (lambda: MultiLayerConfiguration([LSTM(4)], input_type=InputType.recurrent(3), l2=10**400), "l2"),
])
def test_sizes_and_numbers_out_of_range(make, field):
    refused(make, field)


def test_a_network_too_large_to_allocate_is_refused_when_built():
    err = refused(lambda: MultiLayerConfiguration([LSTM(2**20), LSTM(2**20), RnnOutputLayer(2)],
                                                  input_type=InputType.recurrent(3)), "n_out", "parameters")
    assert err.layer == 1


def test_a_convolution_whose_output_cannot_be_held_is_refused():
    refused(lambda: MultiLayerConfiguration([ConvolutionLayer(4, kernel_size=1, padding=2**20)],
                                            input_type=InputType.convolutional(8, 8, 1)), "input_type")


# ---------------------------------------------------------------- JSON
def nest_wrappers(n):
    layer = {"type": "LSTM", "n_out": 3}
    for _ in range(n):
        layer = {"type": "LastTimeStep", "layer": layer}
    return layer


@pytest.mark.parametrize("edit, field, fragment", [
    (lambda d: d["layers"][0].update(type=["LSTM"]), "type", "['LSTM']"),
    (lambda d: d["layers"][0].update(type=None), "type", "None"),
    (lambda d: d["layers"][0].update(activation=["tanh"]), "activation", "['tanh']"),
    (lambda d: d.update(format_version=True), "format_version", "True"),
    (lambda d: d.update(format_version=1.0000001), "format_version", "1.0000001"),
    (lambda d: d["layers"].__setitem__(0, {"type": "LastTimeStep", "layer": "LSTM"}), "layer", "'LSTM'"),
    (lambda d: d["layers"].__setitem__(0, {"type": "LastTimeStep", "layer": None}), "layer", "None"),
    (lambda d: d["layers"].__setitem__(0, nest_wrappers(500)), None, "nested"),
    (lambda d: d.update(input_type=[3]), "input_type", "[3]"),
    (lambda d: d.update(input_type={"kind": "recurrent", "size": 3, "extra": 1}), "input_type", "extra"),
    (lambda d: d.update(input_preprocessors={"1e3": {"type": "RnnToFeedForwardPreProcessor"}}),
     "input_preprocessors", "1e3"),
    (lambda d: d.update(updater={"type": "Adam", "lr": "0.1"}), "lr", "'0.1'"),
    (lambda d: d.update(backprop_type={"tbptt": 1}), "backprop_type", "tbptt"),
    (lambda d: d.update(dtype=["float32"]), "dtype", "float32"),
    (lambda d: d.update(seed=-1), "seed", "-1"),
])
def test_bad_fields_in_json(edit, field, fragment):
    d = good_dict()
    edit(d)
    text = json.dumps(d)
    with pytest.raises(ConfigurationError) as exc:
        MultiLayerConfiguration.from_json(text)
    assert exc.value.field == field and fragment in str(exc.value), str(exc.value)
    with pytest.raises(ConfigurationError):                      # from_dict says the same
        MultiLayerConfiguration.from_dict(json.loads(text))


@pytest.mark.parametrize("text, fragment", [
    ('{"format_version": 1, "layers": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
    ('{"format_version": 1, "layers": ' + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "}", "nested"),
    ("{not json", "not valid JSON"),
    (b"\xff\xfe", "UTF-8"),
    (None, "JSON string"),
    ("[1, 2]", "expected a dict"),
])
def test_json_that_cannot_be_parsed(text, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        MultiLayerConfiguration.from_json(text)


def test_a_5000_digit_integer_is_named_with_its_field():
    text = GOOD.to_json().replace('"n_out": 4', '"n_out": ' + "9" * 5000)
    err = refused(lambda: MultiLayerConfiguration.from_json(text), "n_out", "5000 digits")
    assert err.layer == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e999", "-1e999"])
def test_nonfinite_json_numbers(literal):
    text = GOOD.to_json().replace('"lr": 0.001', f'"lr": {literal}')
    refused(lambda: MultiLayerConfiguration.from_json(text), "lr")


def test_non_string_keys_in_from_dict():
    d = good_dict()
    d["layers"][0][7] = 1
    with pytest.raises(ConfigurationError, match="unknown field"):
        MultiLayerConfiguration.from_dict(d)
    d = good_dict()
    d[3] = 1
    with pytest.raises(ConfigurationError, match="unknown field"):
        MultiLayerConfiguration.from_dict(d)


def test_good_json_still_round_trips():
    assert MultiLayerConfiguration.from_json(GOOD.to_json()) == GOOD
    wrapped = MultiLayerConfiguration([LastTimeStep(Bidirectional(GravesLSTM(3))), OutputLayer(2)],
                                      input_type=InputType.recurrent(2))
    assert MultiLayerConfiguration.from_json(wrapped.to_json()) == wrapped
