"""The same network on CuPy and NumPy gives the same outputs, gradients and stepped outputs.

Skips cleanly where no GPU is usable (CI has none); runs on a machine with CuPy and a GPU.
"""
import numpy as np
import pytest

from helpers import ragged_masks, random_sequences
from workbench.backend import available_backends, to_numpy
from workbench.data import DataSet
from workbench.nn import GravesLSTM, InputType, LSTM, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

pytestmark = pytest.mark.skipif("cupy" not in available_backends(), reason="no usable CUDA GPU / CuPy")


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 1e-5)])
def test_cupy_matches_numpy(dtype, rtol):
    conf = MultiLayerConfiguration([GravesLSTM(6), LSTM(5), RnnOutputLayer(3)], input_type=InputType.recurrent(4),
                                   seed=1, dtype=dtype)
    cpu, gpu = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf, backend="cupy").init()
    x, y = random_sequences()
    fm, lm = ragged_masks()
    ds = DataSet(x, y, fm, lm)
    np.testing.assert_allclose(to_numpy(gpu.output(x, fm)), cpu.output(x, fm), rtol=rtol, atol=rtol)
    g_cpu, s_cpu = cpu.compute_gradient_and_score(ds)
    g_gpu, s_gpu = gpu.compute_gradient_and_score(ds)
    assert np.isclose(s_gpu, s_cpu, rtol=rtol)
    for k in g_cpu:
        np.testing.assert_allclose(to_numpy(g_gpu[k]), g_cpu[k], rtol=10 * rtol, atol=10 * rtol)
    steps = [to_numpy(gpu.rnn_time_step(x[:, :, t])) for t in range(x.shape[2])]
    np.testing.assert_allclose(np.stack(steps, axis=2), cpu.output(x), rtol=rtol, atol=rtol)
    cpu.fit(ds)
    gpu.fit(ds)
    for k, v in cpu.params().items():
        np.testing.assert_allclose(to_numpy(gpu.params()[k]), v, rtol=10 * rtol, atol=10 * rtol)
