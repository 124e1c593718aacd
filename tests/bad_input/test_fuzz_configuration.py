"""Fuzzing configurations: a valid configuration's JSON with fields replaced by arbitrary JSON
values, removed or added, through ``from_dict``/``from_json`` and on to ``init()``. Every outcome
is a configuration that builds a network, or a ConfigurationError; nothing else."""
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from guards import outcome
from workbench.errors import ConfigurationError
from workbench.nn import (
    LSTM, Adam, Bidirectional, ConvolutionLayer, DenseLayer, GravesLSTM, InputType,
    LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork, OutputLayer, RnnOutputLayer,
    RnnToFeedForwardPreProcessor, SimpleRnn, SubsamplingLayer,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("error::RuntimeWarning")]

BASES = [
    MultiLayerConfiguration([GravesLSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1,
                            backprop_type="tbptt", tbptt_fwd_length=4),
    MultiLayerConfiguration([DenseLayer(4), LSTM(3), Bidirectional(SimpleRnn(2)), RnnOutputLayer(2)],
                            input_type=InputType.recurrent(3), updater=Adam(0.01), l2=1e-3),
    MultiLayerConfiguration([ConvolutionLayer(2, kernel_size=2), SubsamplingLayer("max", 2), LastTimeStep(LSTM(3)),
                             OutputLayer(2)], input_type=InputType.recurrent(16, height=4, width=4, channels=1)),
    MultiLayerConfiguration([LSTM(3), DenseLayer(4), OutputLayer(2)], input_type=InputType.recurrent(2),
                            input_preprocessors={1: RnnToFeedForwardPreProcessor()}),
]
DICTS = [json.loads(c.to_json()) for c in BASES]

JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
                    | st.text(max_size=12) | st.sampled_from(["LSTM", "tanh", "recurrent", "tbptt", "Adam", "max"]),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)


def paths(obj, prefix=()):
    """Every (path, value) in a nested dict/list."""
    yield prefix, obj
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        yield from paths(v, prefix + (k,))


def set_at(obj, path, value):
    for k in path[:-1]:
        obj = obj[k]
    if value is _DELETE:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value


_DELETE = object()


@given(st.sampled_from(range(len(DICTS))), st.data(),
       st.lists(st.tuples(st.integers(0, 10**6), st.one_of(JSON, st.just(_DELETE))), min_size=1, max_size=3))
def test_mutated_configuration(fuzz_tally, base, data, edits):
    d = json.loads(json.dumps(DICTS[base]))
    for pick, value in edits:
        spots = [p for p, _ in paths(d) if p]
        path = spots[pick % len(spots)]
        set_at(d, path, value)
    def build():
        conf = MultiLayerConfiguration.from_json(json.dumps(d, allow_nan=True))
        assert MultiLayerConfiguration.from_json(conf.to_json()) == conf
        if conf.num_params() < 10**6:
            net = MultiLayerNetwork(conf).init()
            assert all(np.isfinite(v).all() for v in net.params().values())

    error = outcome(fuzz_tally["configuration"], build, (ConfigurationError,))
    assert error is None or len(str(error)) < 1000
