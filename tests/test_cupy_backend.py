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
    assert [type(layer.cell).__name__ for layer in gpu.layers[:2]] == ["CudaLSTMCell"] * 2   # the fused kernels
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


def test_cupy_matches_numpy_on_composite_networks():
    from workbench.nn import Bidirectional, ConvolutionLayer, DenseLayer, LastTimeStep, OutputLayer, SubsamplingLayer
    rng = np.random.default_rng(2)
    for layers, it, x in (
        ([ConvolutionLayer(2, kernel_size=2, padding=1), SubsamplingLayer("max", 2, 1), Bidirectional(LSTM(3)),
          LastTimeStep(LSTM(2)), DenseLayer(3), OutputLayer(2)],
         InputType.recurrent(16, height=4, width=4, channels=1), rng.normal(size=(3, 16, 5))),
    ):
        conf = MultiLayerConfiguration(layers, input_type=it, seed=1, dtype="float64")
        cpu, gpu = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf, backend="cupy").init()
        fm = np.ones((3, 5))
        fm[0, 3:] = 0
        fm[1, :2] = 0
        y = np.eye(2)[rng.integers(0, 2, 3)]
        np.testing.assert_allclose(to_numpy(gpu.output(x, fm)), cpu.output(x, fm), rtol=1e-10, atol=1e-12)
        g_cpu, _ = cpu.compute_gradient_and_score(DataSet(x, y, fm))
        g_gpu, _ = gpu.compute_gradient_and_score(DataSet(x, y, fm))
        for k in g_cpu:
            np.testing.assert_allclose(to_numpy(g_gpu[k]), g_cpu[k], rtol=1e-9, atol=1e-11)
