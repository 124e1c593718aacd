"""Fuzzing the network's entry points with arrays of random dtype, shape and values (NaN, inf,
huge, empty). Every outcome is a result or an InvalidInputError (no NumPy warning on the way),
and a refusal changes nothing."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from guards import outcome
from workbench.data import DataSet
from workbench.errors import InvalidInputError
from workbench.nn import GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, Sgd

pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("error::RuntimeWarning")]

N_IN, H, N_OUT = 2, 3, 2
DTYPES = st.sampled_from(["f4", "f8", ">f8", "f2", "i1", "i8", "u2", "?", "c8", "M8[s]", "m8[s]", "U2", "S2", "O"])
SIDE = st.integers(0, 3)
SHAPES = st.one_of(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),   # anything, and near-valid:
                   st.tuples(SIDE, st.just(N_IN), SIDE), st.tuples(SIDE, st.just(N_IN)), st.tuples(st.just(2), SIDE),
                   st.tuples(SIDE, st.just(H)), st.just((H, 4 * H)), st.tuples(st.just(2), st.just(N_OUT), SIDE))
ARRAYS = st.one_of(
    st.tuples(DTYPES, SHAPES).flatmap(lambda t: hnp.arrays(t[0], t[1])),
    st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3), max_size=3),
    st.none(), st.text(max_size=3), st.integers(-5, 5), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)

NET = MultiLayerNetwork(MultiLayerConfiguration([GravesLSTM(H), RnnOutputLayer(N_OUT)],
                                                input_type=InputType.recurrent(N_IN), updater=Sgd(0.1), seed=2)).init()
NET.rnn_time_step(np.zeros((2, N_IN)))
GOOD_X, GOOD_Y = np.zeros((2, N_IN, 3)), np.zeros((2, N_OUT, 3))

CALLS = {
    "output": lambda a: NET.output(a),
    "output mask": lambda a: NET.output(GOOD_X, features_mask=a),
    "fit features": lambda a: NET.fit(DataSet(a, GOOD_Y)),
    "fit labels": lambda a: NET.fit(DataSet(GOOD_X, a)),
    "score labels mask": lambda a: NET.score(DataSet(GOOD_X, GOOD_Y, labels_mask=a)),
    "rnn_time_step": lambda a: NET.rnn_time_step(a),
    "rnn_set_previous_state": lambda a: NET.rnn_set_previous_state(0, {"h": a, "c": np.zeros((2, H))}),
    "set_params": lambda a: NET.set_params({"0_RW": a}),
}


@given(st.sampled_from(sorted(CALLS)), ARRAYS)
def test_random_arrays(fuzz_tally, call, value):
    params, state = NET.params(), NET.rnn_get_previous_state(0)
    iterations = NET.iteration_count
    try:
        error = outcome(fuzz_tally["network_input"], lambda: CALLS[call](value), (InvalidInputError,))
        if error is not None:                                   # a refusal changed nothing
            assert NET.iteration_count == iterations
            assert all(np.array_equal(v, params[k]) for k, v in NET.params().items())
            assert {k: v.tolist() for k, v in NET.rnn_get_previous_state(0).items()} == \
                {k: v.tolist() for k, v in state.items()}
    finally:
        NET.set_params(params)
        NET.rnn_clear_previous_state()
        NET.rnn_set_previous_state(0, state)
