"""The fused CUDA LSTM cell kernels against their NumPy twin (``ArrayCell``).

Without a GPU the kernels' source is compiled for the host with a C++ compiler (a prelude maps
the CUDA thread indices onto one thread that walks the grid-stride loop) and driven through
``CudaLSTMCell`` itself, so the kernel arithmetic and the Python glue are both checked on the
CPU. ``nvcc`` (where installed) compiles the source for a GPU, and on a GPU CuPy runs the kernels.
"""
import ctypes
import shutil
import subprocess

import numpy as np
import pytest

from workbench.backend import available_backends, to_numpy
from workbench.nn.activations import get_activation
from workbench.nn.cell_jit import jit_available
from workbench.nn.cell_kernels import CUDA_SOURCE, ArrayCell, CudaLSTMCell
from workbench.nn.layers.base import Workspace
from workbench.nn.lstm_cell import GateMath

HOST_PRELUDE = """
#include <cmath>
struct WbDim { unsigned int x; };
static const WbDim threadIdx = {0}, blockIdx = {0}, blockDim = {1}, gridDim = {1};
#define __global__
using std::tanh;
"""
TOL = {"float64": 1e-12, "float32": 1e-5}
needs_cxx = pytest.mark.skipif(shutil.which("g++") is None, reason="no C++ compiler to build the kernels for the host")


@pytest.fixture(scope="module")
def host_kernels(tmp_path_factory):
    """{dtype name: ctypes library} of CUDA_SOURCE compiled for the host."""
    libs = {}
    for dtype, ctype in (("float64", "double"), ("float32", "float")):
        d = tmp_path_factory.mktemp(dtype)
        src, lib = d / "cell.cpp", d / "cell.so"
        src.write_text(HOST_PRELUDE + CUDA_SOURCE)
        subprocess.run(["g++", "-O2", "-shared", "-fPIC", f"-Dreal_t={ctype}", str(src), "-o", str(lib)],
                       check=True, capture_output=True, text=True)
        libs[dtype] = ctypes.CDLL(str(lib))
    return libs


def host_launcher(lib):
    def launch(name, n, args):
        c_args = [ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray) else ctypes.c_int(int(a)) for a in args]
        getattr(lib, name)(*c_args)
    return launch


def cells(dtype, H, lib=None, xp=np):
    gm = GateMath(xp, get_activation("sigmoid"), get_activation("tanh"), H, np.dtype(dtype))
    launch = host_launcher(lib) if lib is not None else None
    return ArrayCell(xp, gm, Workspace(xp, dtype)), CudaLSTMCell(xp, gm, Workspace(xp, dtype), launch=launch)


def random_case(dtype, N=5, H=7, T=4, seed=0):
    rng = np.random.default_rng(seed)
    r = lambda *s: rng.normal(size=s).astype(dtype)          # noqa: E731
    inv = np.zeros((T, N, 1), bool)
    inv[1, [0, 3]] = True
    inv[3, 2] = True
    return dict(Z=r(T, N, 4 * H), R=r(T, N, 4 * H), C=r(T + 1, N, H), Hs=r(T + 1, N, H), P=r(3, H) * 0.5,
                dY=r(T, N, H), dh_next=r(N, H), dc_next=r(N, H), inv=inv)


def run_forward(cell, case, t, peep, masked, xp=np):
    a = {k: xp.asarray(v.copy()) for k, v in case.items()}
    N, H = a["dh_next"].shape
    tmp, tmp2 = xp.empty((N, 4 * H), a["Z"].dtype), xp.empty((N, 2, H), a["Z"].dtype)
    tc = xp.full((N, H), 9.0, a["Z"].dtype)
    cell.forward(a["Z"][t], a["R"][t], a["C"][t], a["Hs"][t], a["C"][t + 1], tc, a["Hs"][t + 1],
                 a["P"] if peep else None, a["inv"][t] if masked else None, tmp[:, :H], tmp2)
    return [to_numpy(v) for v in (a["Z"][t], a["C"][t + 1], tc, a["Hs"][t + 1])]


def run_backward(cell, case, t, peep, masked, xp=np):
    a = {k: xp.asarray(v.copy()) for k, v in case.items()}
    T, N, H = a["dY"].shape
    A = xp.asarray(np.random.default_rng(1).uniform(0.05, 0.95, (T, N, 4 * H)).astype(case["Z"].dtype))
    TC = xp.tanh(a["C"][1:])
    d, dc_prev = xp.full((N, 4 * H), 9.0, A.dtype), xp.full((N, H), 9.0, A.dtype)
    scratch = [xp.empty((N, H), A.dtype) for _ in range(3)] + [xp.empty((N, 2, H), A.dtype)]
    cell.begin(N, H, 0)
    cell.backward(t, A, a["C"], TC, a["dY"], a["dh_next"], a["dc_next"], d, dc_prev,
                  a["P"] if peep else None, a["inv"][t] if masked else None, *scratch)
    return [to_numpy(d), to_numpy(dc_prev)]


CASES = [(dtype, t, peep, masked) for dtype in ("float64", "float32") for t in (1, 3)
         for peep in (False, True) for masked in (False, True)]


@needs_cxx
@pytest.mark.parametrize("dtype,t,peep,masked", CASES)
def test_host_built_kernels_match_the_numpy_twin(host_kernels, dtype, t, peep, masked):
    twin, kernel = cells(dtype, 7, host_kernels[dtype])
    case = random_case(dtype)
    for want, got in zip(run_forward(twin, case, t, peep, masked), run_forward(kernel, case, t, peep, masked)):
        np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])
    for want, got in zip(run_backward(twin, case, t, peep, masked), run_backward(kernel, case, t, peep, masked)):
        np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])


@needs_cxx
def test_masked_rows_carry_the_state(host_kernels):
    _, kernel = cells("float64", 7, host_kernels["float64"])
    case = random_case("float64")
    z, c, tc, h = run_forward(kernel, case, 1, True, True)
    rows = case["inv"][1, :, 0]
    np.testing.assert_array_equal(c[rows], case["C"][1][rows])
    np.testing.assert_array_equal(h[rows], case["Hs"][1][rows])
    assert not np.allclose(c[~rows], case["C"][1][~rows])
    d, dc_prev = run_backward(kernel, case, 1, True, True)
    assert np.all(d[rows] == 0) and np.all(d[~rows] != 0)
    np.testing.assert_array_equal(dc_prev[rows], case["dc_next"][rows])


@needs_cxx
def test_in_place_step_on_a_strided_h(host_kernels):
    """``rnn_time_step``'s use: c in place, h a column block of the [x, h, 1] buffer."""
    twin, kernel = cells("float64", 7, host_kernels["float64"])
    case = random_case("float64")
    outs = []
    for cell in (twin, kernel):
        buf = np.zeros((5, 3 + 7 + 1))
        h = buf[:, 3:10]
        h[...] = case["Hs"][0]
        c, z = case["C"][0].copy(), case["Z"][0].copy()
        tc, tmp2 = np.empty((5, 7)), np.empty((5, 2, 7))
        cell.forward(z, None, c, h, c, tc, h, case["P"], None, tc, tmp2)
        outs.append((z, c, h.copy(), buf[:, :3].copy(), buf[:, 10].copy()))
    for want, got in zip(*outs):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert np.all(outs[1][3] == 0) and np.all(outs[1][4] == 0)      # the rest of the buffer untouched


@needs_cxx
@pytest.mark.parametrize("peep", [False, True])
def test_a_layer_on_the_host_built_kernels_matches_numpy(host_kernels, peep):
    """Whole forward and backward passes (masks, TBPTT back length) through the kernel contract."""
    from workbench.nn import GravesLSTM, InputType, LSTM, MultiLayerConfiguration, MultiLayerNetwork

    cls = GravesLSTM if peep else LSTM
    conf = MultiLayerConfiguration([cls(6)], input_type=InputType.recurrent(4), seed=3, dtype="float64")
    ref, net = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf).init()
    layer = net.layers[0]
    layer.cell = CudaLSTMCell(np, layer.gm, layer.ws, launch=host_launcher(host_kernels["float64"]))
    rng = np.random.default_rng(4)
    x, dy = rng.normal(size=(9, 3, 4)), rng.normal(size=(6, 3, 9)).transpose(2, 1, 0)   # dy: a strided view
    mask = np.ones((9, 3))
    mask[6:, 0] = 0
    mask[:2, 2] = 0
    for back_length, m in ((None, mask), (4, mask), (None, None)):
        outs = []
        for lay in (ref.layers[0], layer):
            y, cache = lay.forward(x, m)
            dx = lay.backward(dy, cache, back_length=back_length)
            outs.append([y.copy(), dx.copy()] + [lay.grads[k].copy() for k in sorted(lay.grads)])
        for want, got in zip(*outs):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
@pytest.mark.parametrize("ctype", ["float", "double"])
def test_kernels_compile_for_a_gpu(tmp_path, ctype):
    src = tmp_path / "cell.cu"
    src.write_text(CUDA_SOURCE)
    done = subprocess.run(["nvcc", "-ptx", "-arch=sm_80", f"-Dreal_t={ctype}", str(src), "-o", str(tmp_path / "cell.ptx")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ptx = (tmp_path / "cell.ptx").read_text()
    assert ".entry lstm_forward_cell" in ptx and ".entry lstm_backward_cell" in ptx


@pytest.mark.skipif("cupy" not in available_backends(), reason="no usable CUDA GPU / CuPy")
@pytest.mark.parametrize("dtype,t,peep,masked", CASES)
def test_cuda_kernels_match_the_numpy_twin_on_the_gpu(dtype, t, peep, masked):
    import workbench.backend as backend

    cp = backend.get_backend("cupy").xp
    twin = cells(dtype, 7)[0]
    kernel = cells(dtype, 7, xp=cp)[1]
    case = random_case(dtype)
    for want, got in zip(run_forward(twin, case, t, peep, masked), run_forward(kernel, case, t, peep, masked, cp)):
        np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])
    for want, got in zip(run_backward(twin, case, t, peep, masked), run_backward(kernel, case, t, peep, masked, cp)):
        np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])


# ---- the numba cell (float32), against the same twin -------------------------------------------------

needs_numba = pytest.mark.skipif(not jit_available(), reason="numba is not installed")


def jit_cells(H):
    from workbench.nn.cell_jit import JitCell

    gm = GateMath(np, get_activation("sigmoid"), get_activation("tanh"), H, np.dtype("float32"))
    return ArrayCell(np, gm, Workspace(np, "float32")), JitCell(np, gm, Workspace(np, "float32"))


@needs_numba
@pytest.mark.parametrize("t,peep,masked", [(t, p, m) for t in (1, 3) for p in (False, True) for m in (False, True)])
def test_numba_cell_matches_the_numpy_twin(t, peep, masked):
    twin, jit = jit_cells(7)
    case = random_case("float32")
    for want, got in zip(run_forward(twin, case, t, peep, masked), run_forward(jit, case, t, peep, masked)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for want, got in zip(run_backward(twin, case, t, peep, masked), run_backward(jit, case, t, peep, masked)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def run_infer(cell, case, t, peep, masked):
    """``infer`` of step t (bias added, c and h to fresh arrays): (c, h)."""
    a = {k: v.copy() for k, v in case.items()}
    N, H = a["dh_next"].shape
    tmp, tmp2 = np.empty((N, 4 * H), a["Z"].dtype), np.empty((N, 2, H), a["Z"].dtype)
    c, tc, h = (np.full((N, H), 9.0, a["Z"].dtype) for _ in range(3))
    b = np.linspace(-1, 1, 4 * H).astype(a["Z"].dtype)
    cell.infer(a["Z"][t], a["R"][t], b, a["C"][t], a["Hs"][t], c, tc, h, a["P"] if peep else None,
               a["inv"][t] if masked else None, tmp[:, :H], tmp2)
    return c, h


@needs_numba
@pytest.mark.parametrize("t,peep,masked", [(t, p, m) for t in (1, 3) for p in (False, True) for m in (False, True)])
def test_numba_forward_only_cell_matches_the_numpy_twin(t, peep, masked):
    twin, jit = jit_cells(7)
    case = random_case("float32")
    for want, got in zip(run_infer(twin, case, t, peep, masked), run_infer(jit, case, t, peep, masked)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    c, h = run_forward(twin, {**case, "Z": case["Z"] + np.linspace(-1, 1, 28).astype(np.float32)}, t, peep, masked)[1::2]
    for want, got in zip((c, h), run_infer(twin, case, t, peep, masked)):    # infer = forward of z + b
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@needs_numba
def test_numba_tanh_is_within_5_ulp():
    jit = jit_cells(1)[1]
    x = np.concatenate([np.linspace(-12, 12, 400_001), np.geomspace(1e-8, 10, 100_000)]).astype(np.float32)
    x = np.concatenate([x, -x])
    N = x.size
    z = np.zeros((N, 4), np.float32)
    z[:, 2] = x                                   # the g block: tanh(z_g), with i = sigmoid(0) = 0.5
    c_prev, c, tc, h = (np.zeros((N, 1), np.float32) for _ in range(4))
    jit.forward(z, None, c_prev, c_prev, c, tc, h, None, None)
    exact = np.tanh(x.astype(np.float64))
    ulp = np.abs(z[:, 2].astype(np.float64) - exact) / np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    assert ulp.max() <= 5.0
    assert np.all(np.abs(z[:, 2]) <= 1)


@needs_numba
@pytest.mark.parametrize("peep", [False, True])
def test_float32_layers_use_the_numba_cell_and_match_the_array_cell(peep):
    from workbench.nn import GravesLSTM, InputType, LSTM, MultiLayerConfiguration, MultiLayerNetwork

    conf = MultiLayerConfiguration([(GravesLSTM if peep else LSTM)(16)], input_type=InputType.recurrent(5), seed=3,
                                   dtype="float32")
    ref, net = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf).init()
    assert type(net.layers[0].cell).__name__ == "JitCell"
    ref.layers[0].cell = ArrayCell(np, ref.layers[0].gm, ref.layers[0].ws)
    rng = np.random.default_rng(5)
    x, dy = rng.normal(size=(12, 4, 5)).astype(np.float32), rng.normal(size=(12, 4, 16)).astype(np.float32)
    mask = np.ones((12, 4), np.float32)
    mask[8:, 1] = 0
    mask[:3, 3] = 0
    outs = []
    for lay in (ref.layers[0], net.layers[0]):
        y, cache = lay.forward(x, mask)
        dx = lay.backward(dy, cache, back_length=9)
        outs.append([y.copy(), dx.copy()] + [lay.grads[k].copy() for k in sorted(lay.grads)])
    for want, got in zip(*outs):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@needs_numba
@pytest.mark.parametrize("peep,N", [(False, 1), (True, 1), (False, 3), (True, 3)])
def test_numba_one_step_kernel_matches_the_numpy_twin(peep, N, monkeypatch):
    """rnn_time_step through the fused step (copies, GEMM and cell in one numba call), through
    JitCell without SciPy (the GEMM in NumPy, then the numba cell) and through ArrayCell."""
    from workbench.nn import GravesLSTM, InputType, LSTM, MultiLayerConfiguration, MultiLayerNetwork
    from workbench.nn import cell_jit

    conf = MultiLayerConfiguration([(GravesLSTM if peep else LSTM)(16), (GravesLSTM if peep else LSTM)(8)],
                                   input_type=InputType.recurrent(5), seed=3, dtype="float32")
    fused, ref = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf).init()
    assert fused.layers[0].cell._step is not None          # SciPy is in the test extra
    for lay in ref.layers:
        lay.cell = ArrayCell(np, lay.gm, lay.ws)
    find_spec = cell_jit.importlib.util.find_spec
    monkeypatch.setattr(cell_jit.importlib.util, "find_spec", lambda name: None if name == "scipy" else find_spec(name))
    no_scipy = MultiLayerNetwork(conf).init()
    assert no_scipy.layers[0].cell._step is None
    xs = np.random.default_rng(4).normal(size=(6, N, 5)).astype(np.float32)
    got = {id(net): np.stack([net.rnn_time_step(x) for x in xs]) for net in (fused, no_scipy, ref)}
    np.testing.assert_allclose(got[id(fused)], got[id(ref)], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[id(no_scipy)], got[id(ref)], rtol=1e-5, atol=1e-6)
    whole = ref.output(xs.transpose(1, 2, 0))
    np.testing.assert_allclose(got[id(fused)], whole.transpose(2, 0, 1), rtol=1e-5, atol=1e-6)
    for layer in (0, 1):
        np.testing.assert_allclose(fused.rnn_get_previous_state(layer)["c"], ref.rnn_get_previous_state(layer)["c"],
                                   rtol=1e-5, atol=1e-6)
        gates = fused.rnn_gate_activations(layer)
        for k, want in ref.rnn_gate_activations(layer).items():
            np.testing.assert_allclose(gates[k], want, rtol=1e-5, atol=1e-6)


def test_workbench_jit_0_switches_the_compiled_cell_off(monkeypatch):
    from workbench.nn import InputType, LSTM, MultiLayerConfiguration, MultiLayerNetwork

    monkeypatch.setenv("WORKBENCH_JIT", "0")
    conf = MultiLayerConfiguration([LSTM(4)], input_type=InputType.recurrent(3), dtype="float32")
    assert type(MultiLayerNetwork(conf).init().layers[0].cell).__name__ == "ArrayCell"
