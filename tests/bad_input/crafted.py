"""Crafted model files: inflation bombs in each member, configurations that declare huge layers,
.npy headers that lie. Shared by the memory-bound tests and ``benchmarks/bench_hostile_files.py``.

Every function writes a zip at ``path`` and returns it; ``size`` is how many bytes a bomb member
inflates to (a few MB on disk). :func:`load_in_child` loads one in a fresh interpreter, optionally
under an address-space limit, and reports the outcome and the peak memory above the baseline.
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

from workbench.nn import GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer


def small_model():
    conf = MultiLayerConfiguration([GravesLSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1)
    return MultiLayerNetwork(conf).init()


def good_members() -> dict:
    """The members of a small saved model with a stepping state."""
    net = small_model()
    net.rnn_time_step(np.zeros((2, 3), np.float32))
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "m.zip")
        net.save(p, include_state=True)
        with zipfile.ZipFile(p) as z:
            return {n: z.read(n) for n in z.namelist()}


def write(path, members: dict, bombs: dict = ()):
    """A zip of ``members`` (name -> bytes) plus ``bombs`` (name -> (prefix bytes, inflated size))."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            if name not in dict(bombs):
                z.writestr(name, data)
        for name, (prefix, size) in dict(bombs).items():
            with z.open(name, "w", force_zip64=True) as f:
                f.write(prefix)
                chunk = b"\0" * 2**24
                left = size - len(prefix)
                while left > 0:
                    f.write(chunk[:min(left, len(chunk))])
                    left -= len(chunk)
    return path


def bomb(path, member: str, size: int):
    """``member`` inflates to ``size`` bytes (an .npz bomb starts like a real .npy member)."""
    members = good_members()
    prefix = members[member][:200] if member.endswith(".npz") else b"{" + b" " * 100
    return write(path, members, {member: (prefix, size)})


def three_bombs(path, size: int):
    members = good_members()
    return write(path, members, {m: (members[m][:200], size) for m in ("params.npz", "updater.npz", "state.npz")})


def huge_layer(path, n_out: int = 8192):
    """A 6 KB file whose config.json declares ``LSTM(n_out)`` beside the small model's arrays."""
    members = good_members()
    meta = json.loads(members["config.json"])
    meta["configuration"]["layers"][0]["n_out"] = n_out
    members["config.json"] = json.dumps(meta).encode()
    return write(path, members)


def lying_header(path, shape=(2**31,)):
    """params.npz whose '0_W' .npy header declares ``shape`` but holds 64 bytes."""
    members = good_members()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(members["params.npz"])) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "0_W.npy":
                header = {"descr": "<f4", "fortran_order": False, "shape": shape}
                text = repr(header).encode()
                text += b" " * (118 - len(text)) + b"\n"
                data = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + b"\0" * 64
            dst.writestr(info, data)
    members["params.npz"] = buf.getvalue()
    return write(path, members)


CRAFTED = {
    "config.json bomb": lambda p, size: bomb(p, "config.json", size),
    "params.npz bomb": lambda p, size: bomb(p, "params.npz", size),
    "updater.npz bomb": lambda p, size: bomb(p, "updater.npz", size),
    "state.npz bomb": lambda p, size: bomb(p, "state.npz", size),
    "three bombs": three_bombs,
    "config declares LSTM(8192)": lambda p, size: huge_layer(p),
    ".npy header declares 2**31 floats": lambda p, size: lying_header(p),
}


_CHILD = """
import json, resource, sys
from workbench.nn import MultiLayerNetwork
def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def vm_bytes():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
base = peak_mb()
limit = float(sys.argv[2])
if limit > 0:
    cap = vm_bytes() + int(limit * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
try:
    MultiLayerNetwork.load(sys.argv[1])
    out = {"outcome": "loaded"}
except BaseException as exc:
    out = {"outcome": "refused", "type": type(exc).__name__, "message": str(exc)[:300]}
out["peak_above_baseline_mb"] = round(peak_mb() - base, 1)
print(json.dumps(out))
"""


def load_in_child(path, limit_mb: float = 0, python=None, timeout=300) -> dict:
    """Load ``path`` in a new interpreter (``python``, default this one; address space capped at
    ``limit_mb`` above its size after imports when > 0);
    ``{"outcome", "type", "message", "peak_above_baseline_mb"}``."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    run = subprocess.run([python or sys.executable, "-c", _CHILD, str(path), str(limit_mb)], capture_output=True,
                         text=True, env=env, timeout=timeout, cwd=os.path.dirname(os.path.abspath(path)))
    if run.returncode != 0 or not run.stdout.strip():
        return {"outcome": "crashed", "type": f"exit {run.returncode}", "message": run.stderr[-300:],
                "peak_above_baseline_mb": None}
    return json.loads(run.stdout.strip().splitlines()[-1])
