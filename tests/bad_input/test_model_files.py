"""Model files: every crafted or damaged member is a ModelFileError naming the file and the member,
nothing is changed on disk, and saving gives reproducible files with the mode a user expects."""
import hashlib
import io
import json
import os
import zipfile

import numpy as np
import pytest

from workbench.errors import InvalidInputError, ModelFileError
from workbench.nn import (
    LSTM, Adam, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, Sgd,
)
from workbench.data import DataSet


def trained(updater=Adam(0.01), dtype="float32"):
    conf = MultiLayerConfiguration([GravesLSTM(4), LSTM(3), RnnOutputLayer(2)], input_type=InputType.recurrent(3),
                                   updater=updater, seed=5, dtype=dtype)
    net = MultiLayerNetwork(conf).init()
    x = np.random.default_rng(1).normal(size=(2, 3, 6))
    y = np.zeros((2, 2, 6))
    y[:, 1] = 1
    net.fit(DataSet(x, y), epochs=2)
    net.rnn_time_step(x[:, :, :4])
    return net


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "good.zip"
    trained().save(path, include_state=True)
    return path


def members(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def rewrite(path, out, edit):
    """Write ``out`` from ``path``'s members after ``edit(list of (name, bytes)) -> list``."""
    with zipfile.ZipFile(out, "w") as z:
        for name, data in edit(members(path)):
            z.writestr(name, data)
    return out


def npy(array) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def npz_with(data: bytes, key: str, raw: bytes) -> bytes:
    """An .npz like ``data`` with member ``key``.npy replaced by the raw .npy bytes ``raw``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, raw if info.filename == f"{key}.npy" else src.read(info))
    return buf.getvalue()


def replace_array(member, key, make):
    def edit(files):
        out = []
        for name, data in files:
            if name == member:
                with np.load(io.BytesIO(data)) as z:
                    data = npz_with(data, key, make(z[key]))
            out.append((name, data))
        return out
    return edit


def replace_meta(change):
    def edit(files):
        out = []
        for name, data in files:
            if name == "config.json":
                meta = json.loads(data)
                change(meta)
                data = json.dumps(meta).encode()
            out.append((name, data))
        return out
    return edit


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def f64(a):
    return a.astype(np.float64)


CASES = {
    # .npy headers: dtype, byte order, memory order, shape
    "bool params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a > 0)), "'0_W' is |b1"),
    "int64 params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a.astype("<i8"))), "<i8"),
    "float16 params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a.astype("<f2"))), "<f2"),
    "float64 params in a float32 model": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(f64(a))),
                                          "<f8"),
    "big-endian params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a.astype(">f4"))), ">f4"),
    "datetime64 params": ("params.npz", replace_array(
        "params.npz", "0_W", lambda a: npy(a.astype("<i4").view("<M8[s]").astype("<M8[s]"))), "M8"),
    "Fortran-order params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(np.asfortranarray(a))),
                             "Fortran"),
    "complex params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a.astype("<c8"))), "<c8"),
    "string params": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a.astype("<U8"))), "<U8"),
    "wrong shape": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a.T.copy())), "(16, 3)"),
    "NaN params": ("params.npz", replace_array("params.npz", "0_b", lambda a: npy(a * np.nan)), "NaN"),
    "truncated array": ("params.npz", replace_array("params.npz", "0_W", lambda a: npy(a)[:-8]), "fewer bytes"),
    # updater state
    "step count as an array": ("updater.npz", replace_array("updater.npz", "t", lambda a: npy(np.array([4]))),
                               "'t'"),
    "negative step count": ("updater.npz", replace_array("updater.npz", "t", lambda a: npy(np.array(-3))), "'t'"),
    "float step count": ("updater.npz", replace_array("updater.npz", "t", lambda a: npy(np.array(4.0))), "'t'"),
    "negative Adam v": ("updater.npz", replace_array("updater.npz", "v", lambda a: npy(a - 1)), "negative"),
    "inf moment": ("updater.npz", replace_array("updater.npz", "m", lambda a: npy(a + np.inf)), "NaN or inf"),
    # config.json
    "format_version true": ("config.json", replace_meta(lambda m: m.update(format_version=True)), "True"),
    "configuration format_version true": ("config.json", replace_meta(
        lambda m: m["configuration"].update(format_version=True)), "format_version"),
    "unknown meta field": ("config.json", replace_meta(lambda m: m.update(extra=1)), "extra"),
    "has_state as a string": ("config.json", replace_meta(lambda m: m.update(has_state="yes")), "has_state"),
    "huge iteration count": ("config.json", replace_meta(lambda m: m.update(iteration_count=10**30)),
                             "iteration_count"),
    "has_state false with a state": ("state.npz", replace_meta(lambda m: m.update(has_state=False)), "has_state"),
    "config declares a larger layer": ("params.npz", replace_meta(
        lambda m: m["configuration"]["layers"][0].update(n_out=8192)), "(3, 32768)"),
    "config declares an impossible layer": ("config.json", replace_meta(
        lambda m: m["configuration"]["layers"][0].update(n_out=10**30)), "n_out"),
    # zip structure
    "duplicate config.json": ("config.json", lambda files: files + [f for f in files if f[0] == "config.json"],
                              "2 times"),
    "duplicate params.npz": ("params.npz", lambda files: files + [f for f in files if f[0] == "params.npz"],
                             "2 times"),
    "unexpected member": ("notes.txt", lambda files: files + [("notes.txt", b"hi")], "not a member"),
    # stored state
    "state of a wrong width": ("state.npz", replace_array("state.npz", "0_h", lambda a: npy(a[:, :2].copy())),
                               "'0_h'"),
    "state with half a layer": ("state.npz", lambda files: [
        (n, _drop(d, "1_c") if n == "state.npz" else d) for n, d in files], "layer 1"),
}


def _drop(data, key):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if info.filename != f"{key}.npy":
                dst.writestr(info.filename, src.read(info))
    return buf.getvalue()


@pytest.mark.filterwarnings("ignore:Duplicate name")           # the duplicate-member cases write them
@pytest.mark.parametrize("case", sorted(CASES))
def test_crafted_member_is_refused_by_name(saved, tmp_path, case):
    member, edit, fragment = CASES[case]
    bad = rewrite(saved, tmp_path / "bad.zip", edit)
    before = digest(bad)
    with pytest.raises(ModelFileError) as exc:
        MultiLayerNetwork.load(bad)
    msg = str(exc.value)
    assert str(bad) in msg and exc.value.path == bad, msg
    assert exc.value.member == member and member in msg, msg
    assert fragment in msg, (fragment, msg)
    assert digest(bad) == before


def test_an_updater_state_for_another_updater(tmp_path):
    adam, sgd = tmp_path / "adam.zip", tmp_path / "sgd.zip"
    trained(Adam(0.01)).save(adam)
    trained(Sgd(0.1)).save(sgd)
    adam_updater = dict(members(adam))["updater.npz"]
    bad = rewrite(sgd, tmp_path / "mixed.zip",
                  lambda files: [(n, adam_updater if n == "updater.npz" else d) for n, d in files])
    with pytest.raises(ModelFileError, match=r"updater.npz (declares|holds 'm')"):
        MultiLayerNetwork.load(bad)


def test_reordered_members_load_the_same(saved, tmp_path):
    good = MultiLayerNetwork.load(saved)
    other = MultiLayerNetwork.load(rewrite(saved, tmp_path / "reordered.zip", lambda files: files[::-1]))
    assert all(np.array_equal(v, good.params()[k]) for k, v in other.params().items())
    assert other.rnn_get_previous_state(1)["c"].tolist() == good.rnn_get_previous_state(1)["c"].tolist()


def test_a_state_saved_for_one_layer_only_loads(tmp_path):
    net = trained()
    net.rnn_clear_previous_state()
    net.rnn_set_previous_state(1, {"h": np.ones((5, 3)), "c": np.zeros((5, 3))})
    net.save(tmp_path / "one.zip", include_state=True)
    loaded = MultiLayerNetwork.load(tmp_path / "one.zip")
    assert loaded.rnn_get_previous_state(0) == {} and loaded.rnn_get_previous_state(1)["h"].shape == (5, 3)


def test_a_state_too_large_for_a_model_file_is_refused_before_writing(tmp_path, monkeypatch):
    import workbench.io.model_file as model_file
    monkeypatch.setattr(model_file, "MIN_STATE_CAP", 10)
    net = trained()
    net.rnn_clear_previous_state()
    net.rnn_time_step(np.zeros((100, 3)))                     # 100 x (4 + 4 + 3 + 3) numbers > the parameters
    path = tmp_path / "m.zip"
    with pytest.raises(InvalidInputError, match=r"include_state.*holds 1,400 numbers"):
        net.save(path, include_state=True)
    assert not path.exists() and list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- saving
def test_two_saves_are_identical(tmp_path):
    net = trained()
    for include_state in (False, True):
        net.save(tmp_path / "a.zip", include_state=include_state)
        net.save(tmp_path / "b.zip", include_state=include_state)
        assert digest(tmp_path / "a.zip") == digest(tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_of_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        trained().save(tmp_path / "m.zip")
    finally:
        os.umask(old)
    assert (tmp_path / "m.zip").stat().st_mode & 0o777 == mode


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(b"old")
    path.chmod(0o640)
    trained().save(path)
    assert path.stat().st_mode & 0o777 == 0o640 and path.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["m.zip"]
