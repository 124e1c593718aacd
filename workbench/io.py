"""Saving and loading networks: a zip of JSON and .npz files; loading never runs code.

Layout of the zip::

    config.json   {"format_version", "configuration", "iteration_count", "epoch_count", "has_state"}
    params.npz    "<layer>_<name>" -> array, as net.params()
    updater.npz   the updater's moment arrays and its step count "t"
    state.npz     optional rnn_time_step state: "<layer>_h", "<layer>_c"

Writes are atomic (a temporary file in the same folder, then a rename), so a crash never
leaves a half-written model where a good one was.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

from workbench.backend import load_npz, save_npz
from workbench.conf import ConfigurationError, MultiLayerConfiguration

FORMAT_VERSION = 1
_MEMBERS = ("config.json", "params.npz", "updater.npz")


class ModelFileError(ValueError):
    """A model file that cannot be read: corrupt, truncated, or not matching its configuration."""


def _npz_bytes(arrays: dict) -> bytes:
    buf = io.BytesIO()
    save_npz(buf, arrays)
    return buf.getvalue()


def save_network(net, path, include_state: bool = False) -> None:
    net._require_init()
    path = Path(path)
    meta = {"format_version": FORMAT_VERSION, "configuration": net.conf.to_dict(),
            "iteration_count": net.iteration_count, "epoch_count": net.epoch_count,
            "has_state": bool(include_state and net._step_states)}
    files = {"config.json": json.dumps(meta, indent=2).encode(),
             "params.npz": _npz_bytes(net.params()),
             "updater.npz": _npz_bytes(net.updater.state_dict())}
    if meta["has_state"]:
        files["state.npz"] = _npz_bytes({f"{i}_{k}": v for i in net._step_states
                                         for k, v in net.rnn_get_previous_state(i).items()})
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for name, data in files.items():
                    z.writestr(name, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read(path: Path) -> tuple[dict, dict]:
    """(metadata, {member: bytes}) with every failure turned into a ModelFileError."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = [m for m in _MEMBERS if m not in names]
            if missing:
                raise ModelFileError(f"{path}: not a workbench model (missing {', '.join(missing)})")
            data = {m: z.read(m) for m in names if m in _MEMBERS + ("state.npz",)}
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: corrupt or truncated model file ({exc})") from None
    try:
        meta = json.loads(data["config.json"])
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path}: config.json is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        got = meta.get("format_version") if isinstance(meta, dict) else None
        raise ModelFileError(f"{path}: unsupported model format_version {got!r} (this version reads {FORMAT_VERSION})")
    return meta, data


def _arrays(path, data, member) -> dict:
    try:
        return load_npz(data[member])
    except Exception as exc:   # zip or format errors, or object arrays (refused: allow_pickle=False)
        raise ModelFileError(f"{path}: {member} is corrupt or holds objects ({exc})") from None


def load_network(path, backend="numpy"):
    from workbench.nn.network import MultiLayerNetwork
    path = Path(path)
    meta, data = _read(path)
    try:
        conf = MultiLayerConfiguration.from_dict(meta.get("configuration"))
    except ConfigurationError as exc:
        raise ModelFileError(f"{path}: invalid configuration: {exc}") from None
    net = MultiLayerNetwork(conf, backend).init()
    params, expected = _arrays(path, data, "params.npz"), net.params()
    for key in sorted(set(expected) | set(params)):
        if key not in params:
            raise ModelFileError(f"{path}: parameter {key!r} is missing (expected shape {expected[key].shape})")
        if key not in expected:
            raise ModelFileError(f"{path}: parameter {key!r} is not in the configuration")
        if params[key].shape != expected[key].shape:
            raise ModelFileError(f"{path}: parameter {key!r} has shape {params[key].shape}, "
                                 f"the configuration needs {expected[key].shape}")
    net.set_params(params)
    try:
        net.updater.load_state_dict(_arrays(path, data, "updater.npz"))
    except ValueError as exc:
        raise ModelFileError(f"{path}: {exc}") from None
    for name in ("iteration_count", "epoch_count"):
        value = meta.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ModelFileError(f"{path}: config.json {name} must be an int >= 0, got {value!r}")
        setattr(net, name, value)
    if meta.get("has_state"):
        if "state.npz" not in data:
            raise ModelFileError(f"{path}: has_state is set but state.npz is missing")
        _restore_state(net, path, _arrays(path, data, "state.npz"))
    return net


def _restore_state(net, path, state: dict) -> None:
    """Set the stepping state from ``{"<layer>_<key>": array}``."""
    by_layer: dict = {}
    try:
        for key, value in state.items():
            layer, _, name = key.partition("_")
            by_layer.setdefault(int(layer), {})[name] = value
        for layer, s in sorted(by_layer.items()):
            net.rnn_set_previous_state(layer, s)
    except (ValueError, IndexError) as exc:
        raise ModelFileError(f"{path}: stored state does not fit the network ({exc})") from None
