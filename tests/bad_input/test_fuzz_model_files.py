"""Fuzzing ``MultiLayerNetwork.load`` with mutated model zips: flipped bytes, truncation, reordered
or duplicated members, rewritten .npy headers. Every outcome is an identical load or a
ModelFileError; never another exception, never a changed network, never a hang."""
import io
import os
import tempfile
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from guards import outcome
from workbench.data import DataSet
from workbench.errors import ModelFileError
from workbench.nn import (
    LSTM, Adam, GravesLSTM, InputType, LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork, OutputLayer,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("ignore:Duplicate name"),
              pytest.mark.filterwarnings("error::RuntimeWarning")]


def _model_bytes():
    conf = MultiLayerConfiguration([GravesLSTM(3), LastTimeStep(LSTM(2)), OutputLayer(2)],
                                   input_type=InputType.recurrent(2), updater=Adam(0.05), seed=3)
    net = MultiLayerNetwork(conf).init()
    x = np.random.default_rng(0).normal(size=(3, 2, 4))
    net.fit(DataSet(x, np.eye(2)[[0, 1, 0]]), epochs=2)
    net.rnn_time_step(x[:, :, :2])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.zip")
        net.save(path, include_state=True)
        with open(path, "rb") as f:
            return net, f.read()


NET, GOOD = _model_bytes()
with zipfile.ZipFile(io.BytesIO(GOOD)) as _z:
    MEMBERS = [(i.filename, _z.read(i)) for i in _z.infolist()]
NPZ_KEYS = {name: [n[:-4] for n in zipfile.ZipFile(io.BytesIO(data)).namelist()]
            for name, data in MEMBERS if name.endswith(".npz")}


def same_network(a, b) -> bool:
    pa, pb = a.params(), b.params()
    ua, ub = a.updater.state_dict(), b.updater.state_dict()
    return (pa.keys() == pb.keys() and all(np.array_equal(pa[k], pb[k]) for k in pa) and ua["t"] == ub["t"]
            and all(np.array_equal(ua[k], ub[k]) for k in ua if k != "t")
            and all(np.array_equal(a.rnn_get_previous_state(i).get("c", 0), b.rnn_get_previous_state(i).get("c", 0))
                    for i in (0, 1))
            and (a.iteration_count, a.epoch_count) == (b.iteration_count, b.epoch_count))


def zip_of(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def check(data: bytes, tally, kind):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "fuzzed.zip")
        with open(path, "wb") as f:
            f.write(data)

        def load():
            assert same_network(MultiLayerNetwork.load(path), NET), "the file loaded as a different network"

        error = outcome(tally[kind], load, (ModelFileError,))
        assert error is None or path in str(error)


@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), min_size=1, max_size=6))
def test_flipped_bytes(fuzz_tally, flips):
    data = bytearray(GOOD)
    for i, x in flips:
        data[i] ^= x
    check(bytes(data), fuzz_tally, "model_zip")


@given(st.integers(0, len(GOOD) - 1))
def test_truncated(fuzz_tally, n):
    check(GOOD[:n], fuzz_tally, "model_zip")


@given(st.permutations(range(len(MEMBERS))), st.lists(st.integers(0, len(MEMBERS) - 1), max_size=2))
def test_reordered_and_duplicated_members(fuzz_tally, order, duplicates):
    check(zip_of([MEMBERS[i] for i in list(order) + duplicates]), fuzz_tally, "model_zip")


DTYPES = ["<f4", "<f8", ">f4", "<f2", "|b1", "<i8", "<i4", "<u8", "<c8", "<M8[s]", "<U3", "|S4", "|V8"]
SHAPES = st.one_of(st.just(None), st.lists(st.integers(0, 2**40), max_size=3).map(tuple),
                   st.lists(st.integers(0, 40), max_size=3).map(tuple))


@given(st.sampled_from(sorted(NPZ_KEYS)), st.data(), st.sampled_from(DTYPES), SHAPES, st.booleans(),
       st.integers(0, 64), st.sampled_from([1, 2, 3]))
def test_rewritten_npy_headers(fuzz_tally, member, data, descr, shape, fortran, payload, version):
    key = data.draw(st.sampled_from(NPZ_KEYS[member]))
    members = dict(MEMBERS)
    with np.load(io.BytesIO(members[member])) as z:
        original = z[key]
    header = {"descr": descr, "fortran_order": fortran, "shape": original.shape if shape is None else shape}
    text = repr(header).encode()
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    length = len(text).to_bytes(2 if version == 1 else 4, "little")
    raw = b"\x93NUMPY" + bytes([version, 0]) + length + text + original.tobytes()[:payload * 8]
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(members[member])) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, raw if info.filename == f"{key}.npy" else src.read(info))
    members[member] = buf.getvalue()
    check(zip_of(members.items()), fuzz_tally, "model_zip")


def test_the_unmutated_file_loads(fuzz_tally):
    check(GOOD, fuzz_tally, "model_zip")
