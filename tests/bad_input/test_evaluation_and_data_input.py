"""Evaluation, the normalizer and the data helpers refuse bad input by name, like the network."""
import json

import numpy as np
import pytest

from workbench.data import CharacterIterator, DataSet, ListDataSetIterator, NormalizerStandardize, to_csv_sequences
from workbench.errors import ConfigurationError, InputTypeError, InvalidInputError
from workbench.eval import Evaluation, RegressionEvaluation, last_time_step, last_time_step_indices

Y = np.eye(3)[[0, 1, 2, 1]]
DS = DataSet(np.random.default_rng(0).normal(size=(4, 2, 5)), np.zeros((4, 1, 5)))
DS2 = DataSet(np.random.default_rng(1).normal(size=(2, 2, 4)), np.zeros((2, 1, 4)))


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: Evaluation().eval(None, Y), InputTypeError, r"labels: expected an array of numbers, got NoneType"),
    (lambda: Evaluation().eval(Y.astype(str), Y), InputTypeError, r"labels: .*strings"),
    (lambda: Evaluation().eval(Y, Y.astype(complex)), InputTypeError, r"predictions: .*complex"),
    (lambda: Evaluation().eval([[1, 0], [1]], Y), InputTypeError, r"labels: .*ragged"),
    (lambda: Evaluation().eval(Y, Y * np.nan), InvalidInputError, r"NaN or inf"),
    (lambda: Evaluation().eval(Y, Y, mask=np.array(["1"] * 4)), InputTypeError, r"mask: .*strings"),
    (lambda: RegressionEvaluation().eval(Y, Y.astype("datetime64[s]")), InputTypeError, r"predictions: .*datetime"),
    (lambda: RegressionEvaluation().eval(Y + np.inf, Y), InvalidInputError, r"labels contain NaN or inf"),
    (lambda: last_time_step(None), InputTypeError, r"output: expected an array"),
    (lambda: last_time_step_indices(np.array([["a"]])), InputTypeError, r"mask: .*strings"),
    (lambda: NormalizerStandardize().fit(None), InputTypeError, r"fit: data must be a DataSet"),
    (lambda: NormalizerStandardize().fit([DS, "x"]), InputTypeError, r"minibatch 1 is a str"),
    (lambda: NormalizerStandardize().fit(DataSet(DS.features * np.nan, DS.labels)), InvalidInputError,
     r"minibatch 0 features contain NaN"),
    (lambda: ListDataSetIterator(None, 2), InputTypeError, r"ListDataSetIterator: data must be"),
    (lambda: ListDataSetIterator(DS, None), InvalidInputError, r"batch_size must be an int >= 1, got None"),
    (lambda: DS.shuffle("x"), InputTypeError, r"shuffle: seed"),
    (lambda: DS.split_test_and_train("1"), InputTypeError, r"n_train must be an int, got str"),
])
def test_refused_by_name(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_padding_may_hold_nan_in_evaluation():
    y = np.zeros((2, 3, 4))
    y[:, 0] = 1
    mask = np.ones((2, 4))
    mask[1, 3] = 0
    y[1, :, 3] = np.nan
    ev = Evaluation()
    ev.eval(y, y, mask)
    assert ev.accuracy() == 1.0 and ev.num_examples() == 7


GOOD_NORM = NormalizerStandardize().fit(DS)


@pytest.mark.parametrize("edit, field", [
    (lambda d: d.update(feature_std=[0.0, 1.0]), "feature_std"),
    (lambda d: d.update(feature_mean=["0", 1]), "feature_mean"),
    (lambda d: d.update(feature_mean=[float("nan"), 1]), "feature_mean"),
    (lambda d: d.update(feature_mean=[1.0]), "feature_std"),
    (lambda d: d.update(fit_labels="yes"), "fit_labels"),
    (lambda d: d.update(label_mean=[1.0]), "label_mean"),
    (lambda d: d.pop("feature_std"), None),
])
def test_normalizer_json_is_checked(edit, field):
    d = json.loads(GOOD_NORM.to_json())
    edit(d)
    with pytest.raises(ConfigurationError) as exc:
        NormalizerStandardize.from_json(json.dumps(d))
    assert exc.value.field == field, str(exc.value)


def test_normalizer_json_round_trips():
    back = NormalizerStandardize.from_json(GOOD_NORM.to_json())
    np.testing.assert_array_equal(back.feature_std, GOOD_NORM.feature_std)
    with pytest.raises(ConfigurationError, match="nested"):
        NormalizerStandardize.from_json("[" * 10_000 + "]" * 10_000)


def _net():
    from workbench.nn import GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer
    conf = MultiLayerConfiguration([GravesLSTM(3), RnnOutputLayer(1, loss="mse", activation="identity")],
                                   input_type=InputType.recurrent(2))
    return MultiLayerNetwork(conf).init()


@pytest.mark.parametrize("call, error, pattern", [
    (lambda net, d: net.fit(DS2, listeners=[3]), InputTypeError, r"listeners must be a callable.*got a int in the list"),
    (lambda net, d: net.fit(DS2, listeners=3), InputTypeError, r"listeners must be .*got int"),
    (lambda net, d: net.save(None), InputTypeError, r"save: path must be a str or os.PathLike, got NoneType"),
    (lambda net, d: net.save(d / "missing" / "m.zip"), FileNotFoundError, r"save: the folder .*missing' does not exist"),
    (lambda net, d: net.load(None), InputTypeError, r"load: path must be"),
    (lambda net, d: __import__("workbench.nn").nn.MultiLayerNetwork(net.conf, backend=3), InvalidInputError,
     r"backend: expected 'numpy', 'cupy' or 'auto', got 3"),
    (lambda net, d: to_csv_sequences(None, d), InputTypeError, r"to_csv_sequences: data must be a DataSet"),
    (lambda net, d: to_csv_sequences(DS2, None), InputTypeError, r"to_csv_sequences: directory must be"),
    (lambda net, d: CharacterIterator(None, 2, 3), InputTypeError, r"CharacterIterator: text must be a str"),
], ids=["listener not callable", "listeners an int", "save None", "save into a missing folder", "load None",
        "backend 3", "export None", "export into None", "character iterator of None"])
def test_other_arguments_are_refused_by_name(tmp_path, call, error, pattern):
    net = _net()
    before = net.params()
    with pytest.raises(error, match=pattern):
        call(net, tmp_path)
    assert all(np.array_equal(v, before[k]) for k, v in net.params().items()) and net.iteration_count == 0
    assert list(tmp_path.iterdir()) == []


def test_one_callable_is_a_listener():
    net, seen = _net(), []
    net.fit(DS2, listeners=lambda *args: seen.append(args))
    assert len(seen) == 1 and seen[0][0] == 0
