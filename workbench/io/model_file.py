"""The model file: a zip of JSON and .npz files, written atomically and read within bounded memory.

Layout::

    config.json   {"format_version", "configuration", "iteration_count", "epoch_count", "has_state"}
    params.npz    "<layer>_<name>" -> array, as net.params()
    updater.npz   the updater's moment arrays and its step count "t"
    state.npz     optional rnn_time_step state: "<layer>_h", "<layer>_c"

Saving writes a temporary file in the same folder and renames it over the target, so a crash
never leaves a half-written model where a good one was; the result has the mode a new file gets
from the umask (or the mode of the file it replaces), and two saves of the same network are
identical byte for byte. Loading checks the configuration first, then every member's size and
every array's header against it, before anything is allocated; nothing is ever unpickled.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import stat
import zipfile
from pathlib import Path

from workbench.backend.npz import npz_budget, npz_bytes
from workbench.conf import LSTM, LastTimeStep, MultiLayerConfiguration
from workbench.conf.fields import parse_json
from workbench.errors import ConfigurationError, InputTypeError, InvalidInputError
from workbench.io.zip_members import ModelZip, zip_member
from workbench.nn.updaters import STATE_KEYS

FORMAT_VERSION = 1
MAX_CONFIG_BYTES = 4 * 2**20
MAX_COUNT = 2**62                       # iteration, epoch and updater step counts
MIN_STATE_CAP = 2**25                   # numbers a stored stepping state may hold: this, or the parameter count
_MEMBERS = ("config.json", "params.npz", "updater.npz")
_META_KEYS = {"format_version", "configuration", "iteration_count", "epoch_count", "has_state"}
_DTYPES = {"float32": "<f4", "float64": "<f8"}          # as saved: little-endian
_NONNEGATIVE = {"Adam": ("v",), "RmsProp": ("s",), "AdaGrad": ("s",)}     # moments that are sums of squares


def save_network(net, path, include_state: bool = False) -> None:
    """Write ``net`` (and, with ``include_state``, its ``rnn_time_step`` state) to ``path``."""
    net._require_init()
    path = _path(path, "save")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save: the folder {str(path.parent)!r} does not exist")
    meta = {"format_version": FORMAT_VERSION, "configuration": net.conf.to_dict(),
            "iteration_count": net.iteration_count, "epoch_count": net.epoch_count,
            "has_state": bool(include_state and net._step_states)}
    files = {"config.json": json.dumps(meta, indent=2).encode(),
             "params.npz": npz_bytes(net.params()),
             "updater.npz": npz_bytes(net.updater.state_dict())}
    if meta["has_state"]:
        state = {f"{i}_{k}": v for i in sorted(net._step_states) for k, v in net.rnn_get_previous_state(i).items()}
        numbers, cap = sum(v.size for v in state.values()), state_cap(net.conf)
        if numbers > cap:
            raise InvalidInputError(f"save: include_state: the stepping state holds {numbers:,} numbers, more than "
                                    f"the {cap:,} a model file may hold (the parameter count, at least "
                                    f"{MIN_STATE_CAP:,}); save without it, or step with a smaller batch")
        files["state.npz"] = npz_bytes(state)
    _write_atomically(path, files)


def _path(path, who) -> Path:
    try:
        return Path(path)
    except TypeError:
        raise InputTypeError(f"{who}: path must be a str or os.PathLike, got {type(path).__name__}") from None


def state_cap(conf) -> int:
    """Numbers a saved stepping state may hold: the parameter count, at least MIN_STATE_CAP (the
    batch size of a state is not in the configuration, so a model file cannot bound it otherwise)."""
    return max(MIN_STATE_CAP, conf.num_params())


def _write_atomically(path: Path, files: dict) -> None:
    """Write the zip to a new file beside ``path`` (umask-honouring mode, or that of the file it
    replaces), then rename it over ``path``."""
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w") as z:
                for name, data in files.items():
                    z.writestr(zip_member(name), data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_network(path, backend="numpy"):
    """Read a model zip written by :func:`save_network`; every problem is a ModelFileError."""
    from workbench.nn.network import MultiLayerNetwork
    path = _path(path, "load")
    with ModelZip(path, _MEMBERS, ("state.npz",)) as z:
        meta = _metadata(z)
        conf = _configuration(z, meta["configuration"])
        dtype = _DTYPES[conf.dtype]
        specs = {f"{i}_{k}": (shape, dtype) for i, layer in enumerate(conf.built_layers)
                 for k, shape in layer.param_shapes().items()}
        n = conf.num_params()
        kind = type(conf.updater).__name__
        updater_specs = {"t": ((), "<i8"), **{k: ((n,), dtype) for k in STATE_KEYS[kind]}}
        z.check_size("params.npz", npz_budget(specs))            # every size checked before any read
        z.check_size("updater.npz", npz_budget(updater_specs))
        if meta["has_state"] != ("state.npz" in z.infos):
            raise z.error("state.npz", "is missing although config.json has has_state" if meta["has_state"]
                          else "is present although config.json says has_state is false")
        params = z.arrays("params.npz", specs)
        moments = z.arrays("updater.npz", updater_specs)
        state = _state(z, conf, dtype) if meta["has_state"] else {}
        t = int(moments.pop("t"))
        if not 0 <= t <= MAX_COUNT:
            raise z.error("updater.npz", f"step count 't' must be in [0, {MAX_COUNT}], got {t}")
        for key in _NONNEGATIVE.get(kind, ()):
            if (moments[key] < 0).any():
                raise z.error("updater.npz", f"{kind} moment {key!r} is a running sum of squares and cannot be "
                                             "negative")
        net = MultiLayerNetwork(conf, backend).init()
        net.set_params(params)
        for key, value in moments.items():
            net.updater.arrays[key][...] = net.backend.asarray(value)
        net.updater.t = t
        net.iteration_count, net.epoch_count = meta["iteration_count"], meta["epoch_count"]
        for layer, s in state.items():
            try:
                net.rnn_set_previous_state(layer, s)
            except InvalidInputError as exc:
                raise z.error("state.npz", f"does not fit the network ({exc})") from None
    return net


def _metadata(z: ModelZip) -> dict:
    try:
        meta = parse_json(z.read("config.json", MAX_CONFIG_BYTES), "config.json")
    except ConfigurationError as exc:
        raise z.error("config.json", str(exc).removeprefix("config.json ")) from None
    if not isinstance(meta, dict):
        raise z.error("config.json", f"must hold a JSON object, got {type(meta).__name__}")
    version = meta.get("format_version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise z.error("config.json", f"has unsupported model format_version {version!r} "
                                     f"(this version reads {FORMAT_VERSION})")
    extra = sorted(set(meta) - _META_KEYS)
    if extra:
        raise z.error("config.json", f"has unknown field(s) {extra}")
    for name in ("iteration_count", "epoch_count"):
        value = meta.setdefault(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise z.error("config.json", f"{name} must be an int in [0, {MAX_COUNT}], got {value!r}")
    if not isinstance(meta.setdefault("has_state", False), bool):
        raise z.error("config.json", f"has_state must be true or false, got {meta['has_state']!r}")
    return meta


def _configuration(z: ModelZip, d) -> MultiLayerConfiguration:
    try:
        return MultiLayerConfiguration.from_dict(d)
    except ConfigurationError as exc:
        raise z.error("config.json", f"holds an invalid configuration: {exc}") from None


def _state(z: ModelZip, conf, dtype) -> dict:
    """{layer: {"h": array, "c": array}} of state.npz (the layers that had a state when saved),
    its batch size read from its first header."""
    shape = z.first_npy_shape("state.npz")
    if len(shape) != 2 or shape[0] < 1:
        raise z.error("state.npz", f"holds an array of shape {shape}; stepping states are [batch, n_out]")
    specs, keys = {}, {}
    for i, layer in enumerate(conf.built_layers):
        if layer.is_recurrent:
            inner = layer.layer if isinstance(layer, LastTimeStep) else layer
            keys[i] = ("h", "c") if isinstance(inner, LSTM) else ("h",)
            specs.update({f"{i}_{k}": ((shape[0], inner.n_out), dtype) for k in keys[i]})
    if not specs:
        raise z.error("state.npz", "is present but the network has no recurrent layer to hold a state")
    numbers = sum(math.prod(shape) for shape, _ in specs.values())
    if numbers > state_cap(conf):
        raise z.error("state.npz", f"declares a batch of {shape[0]:,}: {numbers:,} numbers, more than the "
                                   f"{state_cap(conf):,} a model file may hold")
    arrays = z.arrays("state.npz", specs, subset=True)
    state = {}
    for i, ks in keys.items():
        found = [k for k in ks if f"{i}_{k}" in arrays]
        if found and len(found) != len(ks):
            raise z.error("state.npz", f"holds {found} of layer {i} but not all of {list(ks)}")
        if found:
            state[i] = {k: arrays[f"{i}_{k}"] for k in ks}
    if not state:
        raise z.error("state.npz", "holds no state although config.json has has_state")
    return state
