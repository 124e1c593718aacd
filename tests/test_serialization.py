"""save/load: exact round trips, atomic writes, and corrupt files that fail with ModelFileError."""
import io
import json
import zipfile

import numpy as np
import pytest

import workbench.io.model_file
from workbench.conf import ConfigurationError
from workbench.io import ModelFileError
from workbench.nn import (
    Adam, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, Nesterovs, RnnOutputLayer,
)

UPDATERS = {"adam": Adam(0.01, beta1=0.85), "nesterovs": Nesterovs(0.05, momentum=0.8)}


def build(updater="adam", dtype="float64"):
    conf = MultiLayerConfiguration([GravesLSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3),
                                   updater=UPDATERS[updater], l2=1e-3, seed=11, dtype=dtype)
    return MultiLayerNetwork(conf).init()


@pytest.fixture(params=sorted(UPDATERS))
def trained(request, make_rnn_data):
    """(network trained 2 epochs x 2 minibatches, list of minibatches)."""
    net = build(request.param)
    batches = [make_rnn_data(n=3, t=6, seed=s) for s in (1, 2)]
    net.fit(batches, epochs=2)
    return net, batches


def assert_same_network(a, b):
    assert a.conf == b.conf and a.conf.to_json() == b.conf.to_json()
    pa, pb = a.params(), b.params()
    assert pa.keys() == pb.keys()
    for k in pa:
        assert pa[k].dtype == pb[k].dtype, k
        np.testing.assert_array_equal(pa[k], pb[k], err_msg=k)
    sa, sb = a.updater.state_dict(), b.updater.state_dict()
    assert sa.keys() == sb.keys()
    assert int(sa["t"]) == int(sb["t"])
    for k in sa:
        np.testing.assert_array_equal(sa[k], sb[k], err_msg=k)
    assert (a.iteration_count, a.epoch_count) == (b.iteration_count, b.epoch_count)


def test_round_trip_after_training(trained, tmp_path):
    net, _ = trained
    assert net.iteration_count == 4 and net.epoch_count == 2
    assert net.updater.state_dict()["t"] == 4
    moments = [k for k in net.updater.state_dict() if k != "t"]
    assert moments and all(np.any(net.updater.state_dict()[k] != 0) for k in moments)
    path = tmp_path / "model.zip"
    net.save(path)
    loaded = MultiLayerNetwork.load(path)
    assert_same_network(net, loaded)
    loaded2 = MultiLayerNetwork.load(str(path))            # str paths work too
    assert_same_network(net, loaded2)


def test_file_layout_is_json_and_npz(trained, tmp_path):
    net, _ = trained
    path = tmp_path / "model.zip"
    net.save(path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        meta = json.loads(z.read("config.json"))
        with np.load(io.BytesIO(z.read("params.npz")), allow_pickle=False) as npz:
            assert set(npz.files) == set(net.params())
    assert {"config.json", "params.npz", "updater.npz"} <= names and "state.npz" not in names
    assert "format_version" in meta
    assert MultiLayerConfiguration.from_dict(meta["configuration"]) == net.conf


def test_continuing_training_after_load_matches_original(trained, tmp_path):
    net, batches = trained
    path = tmp_path / "model.zip"
    net.save(path)
    loaded = MultiLayerNetwork.load(path)
    before = net.params()
    net.fit(batches, epochs=2)
    loaded.fit(batches, epochs=2)
    assert any(not np.array_equal(before[k], v) for k, v in net.params().items())
    assert_same_network(net, loaded)


def test_include_state_restores_stepping_state(trained, tmp_path, make_rnn_data):
    net, _ = trained
    x = make_rnn_data(n=3, t=8, seed=5).features
    net.rnn_time_step(x[:, :, :3])
    net.rnn_time_step(x[:, :, 3])
    path = tmp_path / "stateful.zip"
    net.save(path, include_state=True)
    loaded = MultiLayerNetwork.load(path)
    for key in ("h", "c"):
        np.testing.assert_array_equal(loaded.rnn_get_previous_state(0)[key], net.rnn_get_previous_state(0)[key])
    for t in range(4, 8):                                  # continue stepping: identical outputs
        y = loaded.rnn_time_step(x[:, :, t])
        np.testing.assert_array_equal(y, net.rnn_time_step(x[:, :, t]))
    # and the loaded network's steps continue the saved history (not a fresh zero state)
    np.testing.assert_allclose(y, net.output(x)[:, :, -1], rtol=1e-10, atol=1e-12)
    fresh = MultiLayerNetwork.load(path)
    fresh.rnn_clear_previous_state()
    assert not np.allclose(fresh.rnn_time_step(x[:, :, 4]), net.output(x)[:, :, 4])


def test_include_state_false_gives_empty_state(trained, tmp_path):
    net, _ = trained
    net.rnn_time_step(np.ones((2, 3)))
    path = tmp_path / "stateless.zip"
    net.save(path, include_state=False)
    loaded = MultiLayerNetwork.load(path)
    assert loaded.rnn_get_previous_state(0) == {}
    with zipfile.ZipFile(path) as z:
        assert "state.npz" not in z.namelist()
    assert net.rnn_get_previous_state(0) != {}             # saving does not clear the original


def test_load_keeps_float32(tmp_path, make_rnn_data):
    net = build("adam", dtype="float32")
    net.fit(make_rnn_data(n=3, t=4, dtype=np.float32))
    net.save(tmp_path / "f32.zip")
    loaded = MultiLayerNetwork.load(tmp_path / "f32.zip")
    assert all(v.dtype == np.float32 for v in loaded.params().values())
    assert_same_network(net, loaded)


# ---------------------------------------------------------------- atomic saving
def _folder_state(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("where", ["writestr", "replace"])
def test_failed_save_leaves_existing_file_and_no_temp_files(trained, tmp_path, monkeypatch, where):
    net, batches = trained
    path = tmp_path / "model.zip"
    net.save(path)
    good = path.read_bytes()
    net.fit(batches)                                       # the next save would differ

    class Boom(RuntimeError):
        pass

    if where == "writestr":
        real = zipfile.ZipFile.writestr
        calls = []

        def writestr(self, *args, **kw):
            calls.append(1)
            if len(calls) == 2:
                raise Boom("disk full")
            return real(self, *args, **kw)

        monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    else:
        def replace(src, dst):
            raise Boom("rename failed")
        monkeypatch.setattr(workbench.io.model_file.os, "replace", replace)

    with pytest.raises(Boom):
        net.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert _folder_state(tmp_path) == ["model.zip"]
    MultiLayerNetwork.load(path)                           # still a good model
    net.save(path)                                         # and a later save succeeds
    assert path.read_bytes() != good and _folder_state(tmp_path) == ["model.zip"]


def test_failed_first_save_leaves_nothing(trained, tmp_path, monkeypatch):
    net, _ = trained
    monkeypatch.setattr(workbench.io.model_file.os, "replace", lambda s, d: (_ for _ in ()).throw(OSError("nope")))
    with pytest.raises(OSError, match="nope"):
        net.save(tmp_path / "new.zip")
    assert _folder_state(tmp_path) == []


# ---------------------------------------------------------------- corrupt files
@pytest.fixture
def saved(tmp_path):
    net = build("adam")
    path = tmp_path / "good.zip"
    net.save(path)
    return net, path


def members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_zip(path, files):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def load_fails(path, *patterns):
    with pytest.raises(ModelFileError) as exc:
        MultiLayerNetwork.load(path)
    msg = str(exc.value)
    assert str(path) in msg
    for p in patterns:
        assert p in msg, (p, msg)
    return msg


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9])
def test_truncated_file(saved, tmp_path, fraction):
    _, path = saved
    data = path.read_bytes()
    bad = tmp_path / "truncated.zip"
    bad.write_bytes(data[: int(len(data) * fraction)])
    load_fails(bad)


def test_random_bytes(tmp_path):
    bad = tmp_path / "random.zip"
    bad.write_bytes(np.random.default_rng(0).bytes(4096))
    load_fails(bad)


def test_missing_file_is_not_a_model_file_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        MultiLayerNetwork.load(tmp_path / "nope.zip")


@pytest.mark.parametrize("member", ["params.npz", "config.json", "updater.npz"])
def test_zip_missing_a_member(saved, tmp_path, member):
    _, path = saved
    files = members(path)
    del files[member]
    load_fails(write_zip(tmp_path / "missing.zip", files), member)


@pytest.mark.parametrize("text", [b"{not json", b"\xff\xfe\x00", b""])
def test_invalid_json_in_config(saved, tmp_path, text):
    _, path = saved
    files = {**members(path), "config.json": text}
    load_fails(write_zip(tmp_path / "badjson.zip", files), "config.json")


def test_unsupported_model_format_version(saved, tmp_path):
    _, path = saved
    files = members(path)
    meta = json.loads(files["config.json"])
    meta["format_version"] = 999
    files["config.json"] = json.dumps(meta).encode()
    load_fails(write_zip(tmp_path / "future.zip", files), "999")


def test_params_with_wrong_shape(saved, tmp_path):
    net, path = saved
    params = net.params()
    params["0_RW"] = np.zeros((5, 16))
    files = {**members(path), "params.npz": npz(**params)}
    load_fails(write_zip(tmp_path / "shape.zip", files), "0_RW", "(5, 16)", "(4, 16)")


def test_params_missing_one_array(saved, tmp_path):
    net, path = saved
    params = net.params()
    del params["0_P"]
    files = {**members(path), "params.npz": npz(**params)}
    load_fails(write_zip(tmp_path / "nop.zip", files), "0_P")


def test_updater_state_with_wrong_shape(saved, tmp_path):
    net, path = saved
    state = {k: np.asarray(v) for k, v in net.updater.state_dict().items()}
    state["m"] = np.zeros(3)
    files = {**members(path), "updater.npz": npz(**state)}
    load_fails(write_zip(tmp_path / "upd.zip", files), "m")


class _Trap:
    """Unpickling this object creates a marker file: proof that the loader ran pickle."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("member", ["params.npz", "updater.npz"])
def test_object_arrays_are_never_unpickled(saved, tmp_path, member):
    net, path = saved
    marker = tmp_path / "unpickled.txt"
    arrays = net.params() if member == "params.npz" else net.updater.state_dict()
    first = next(k for k in arrays if k != "t")
    trap = np.empty(1, dtype=object)
    trap[0] = _Trap(marker)
    arrays = {**arrays, first: trap}
    files = {**members(path), member: npz(**arrays)}
    load_fails(write_zip(tmp_path / "pickled.zip", files), member)
    assert not marker.exists()


def test_unknown_layer_type_in_config(saved, tmp_path):
    _, path = saved
    files = members(path)
    meta = json.loads(files["config.json"])
    meta["configuration"]["layers"][0]["type"] = "Foo"
    files["config.json"] = json.dumps(meta).encode()
    bad = write_zip(tmp_path / "foo.zip", files)
    with pytest.raises((ModelFileError, ConfigurationError)) as exc:
        MultiLayerNetwork.load(bad)
    assert "Foo" in str(exc.value) and "layer 0" in str(exc.value)


def _data_range(path, member):
    """(start, stop) of ``member``'s compressed bytes inside the zip file."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    raw = path.read_bytes()
    name_len, extra_len = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


@pytest.mark.parametrize("member", ["config.json", "params.npz"])
def test_flipped_bytes_in_compressed_data(saved, tmp_path, member):
    """A damaged deflate stream is reported like any other corruption (not as zlib.error). A flip
    in bits the decoder never reads (padding after the final block) changes nothing and loads."""
    net, path = saved
    start, stop = _data_range(path, member)
    raw = path.read_bytes()
    bad = tmp_path / "flipped.zip"
    raised = 0
    for i in np.linspace(start, stop - 1, 25).astype(int):
        b = bytearray(raw)
        b[i] ^= 0xFF
        bad.write_bytes(bytes(b))
        try:
            loaded = MultiLayerNetwork.load(bad)
        except ModelFileError as exc:
            assert str(bad) in str(exc), i
            raised += 1
            continue
        assert all(np.array_equal(v, net.params()[k]) for k, v in loaded.params().items()), i
    assert raised >= 20


def _with_state(path, tmp_path, state_arrays, has_state=True):
    files = members(path)
    meta = json.loads(files["config.json"])
    meta["has_state"] = has_state
    files["config.json"] = json.dumps(meta).encode()
    if state_arrays is not None:
        files["state.npz"] = npz(**state_arrays)
    return write_zip(tmp_path / "state.zip", files)


@pytest.mark.parametrize("state, pattern", [
    (None, "state.npz"),                                              # has_state but no state.npz
    ({"0_h": np.zeros((2, 4)), "0_c": np.zeros((2, 5))}, "state"),    # wrong shape
    ({"0_h": np.zeros((2, 4))}, "state"),                             # missing "c"
    ({"1_h": np.zeros((2, 2))}, "state"),                             # not a recurrent layer
    ({"h": np.zeros((2, 4)), "c": np.zeros((2, 4))}, "state"),        # no layer index in the key
])
def test_bad_stored_state(saved, tmp_path, state, pattern):
    _, path = saved
    load_fails(_with_state(path, tmp_path, state), pattern)


@pytest.mark.parametrize("field, value", [("iteration_count", "many"), ("epoch_count", [1])])
def test_bad_counters_in_config(saved, tmp_path, field, value):
    _, path = saved
    files = members(path)
    meta = json.loads(files["config.json"])
    meta[field] = value
    files["config.json"] = json.dumps(meta).encode()
    load_fails(write_zip(tmp_path / "counters.zip", files), field)


def test_composite_network_round_trip(tmp_path):
    from workbench.conf import (Bidirectional, ConvolutionLayer, GravesLSTM, LastTimeStep, OutputLayer,
                                SubsamplingLayer)
    from workbench.nn import InputType, MultiLayerConfiguration
    conf = MultiLayerConfiguration(
        [ConvolutionLayer(2, kernel_size=2), SubsamplingLayer("avg", 2, 1), Bidirectional(GravesLSTM(3)),
         LastTimeStep(GravesLSTM(2)), OutputLayer(2)],
        input_type=InputType.recurrent(16, height=4, width=4, channels=1), seed=3)
    net = MultiLayerNetwork(conf).init()
    x = np.random.default_rng(0).normal(size=(2, 16, 5)).astype(np.float32)
    path = tmp_path / "composite.zip"
    net.save(path)
    loaded = MultiLayerNetwork.load(path)
    assert loaded.conf == conf and "2_fP" in loaded.params() and "2_bW" in loaded.params()
    np.testing.assert_array_equal(loaded.output(x), net.output(x))
