"""Convolution and Subsampling runtime layers against naive loops, torch, and finite differences."""
import math
import numpy as np
import pytest

from workbench.conf import ConvolutionLayer, SubsamplingLayer
from workbench.nn.layers.convolution import Convolution, Subsampling


def conv_conf(**kw):
    base = dict(n_in=2, n_out=3, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0),
                activation="tanh", weight_init="xavier")
    base.update(kw)
    return ConvolutionLayer(**base)


def bind(layer, seed=0):
    """Give the layer params/grads as views into two flat float64 vectors, then initialise."""
    shapes = layer.param_shapes()
    total = sum(math.prod(s) for s in shapes.values())
    flat, grad = np.zeros(total), np.zeros(total)
    start = 0
    for key, shape in shapes.items():
        n = math.prod(shape)
        layer.params[key] = flat[start:start + n].reshape(shape)
        layer.grads[key] = grad[start:start + n].reshape(shape)
        start += n
    layer.init_params(np.random.default_rng(seed))
    # a non-zero bias so the test sees it
    if "b" in layer.params:
        layer.params["b"][...] = np.random.default_rng(seed + 1).normal(size=shapes["b"])
    return flat, grad


def naive_conv(x, W, b, stride, padding):
    """Cross-correlation with zero padding, one output cell at a time: (R, C, H, W) -> (R, F, oh, ow)."""
    (sh, sw), (ph, pw) = stride, padding
    F, _, kh, kw = W.shape
    xp_ = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (xp_.shape[2] - kh) // sh + 1
    ow = (xp_.shape[3] - kw) // sw + 1
    y = np.zeros((x.shape[0], F, oh, ow))
    for r in range(x.shape[0]):
        for f in range(F):
            for a in range(oh):
                for c in range(ow):
                    patch = xp_[r, :, a * sh:a * sh + kh, c * sw:c * sw + kw]
                    y[r, f, a, c] = np.sum(patch * W[f]) + b[f]
    return y


def naive_pool(x, kernel, stride, pooling):
    (kh, kw), (sh, sw) = kernel, stride
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    y = np.zeros(x.shape[:2] + (oh, ow))
    for a in range(oh):
        for c in range(ow):
            patch = x[:, :, a * sh:a * sh + kh, c * sw:c * sw + kw]
            y[:, :, a, c] = patch.max(axis=(2, 3)) if pooling == "max" else patch.mean(axis=(2, 3))
    return y


CONV_CASES = [  # (kernel, stride, padding, H, W)
    ((3, 3), (1, 1), (1, 1), 6, 6),
    ((3, 2), (2, 1), (1, 0), 7, 5),
    ((2, 4), (1, 3), (0, 2), 5, 9),
    ((1, 1), (1, 1), (0, 0), 4, 3),
    ((5, 3), (3, 2), (2, 1), 8, 7),
]


@pytest.mark.parametrize("kernel,stride,padding,H,W", CONV_CASES)
def test_conv_forward_matches_naive_and_torch(kernel, stride, padding, H, W):
    layer = Convolution(conv_conf(kernel_size=kernel, stride=stride, padding=padding,
                                  activation="identity"), np, np.float64)
    bind(layer)
    x = np.random.default_rng(1).normal(size=(3, 2, H, W))
    y, _ = layer.forward(x)
    ref = naive_conv(x, layer.params["W"], layer.params["b"], stride, padding)
    assert y.shape == ref.shape and y.flags.c_contiguous
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)

    torch = pytest.importorskip("torch")
    t = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(layer.params["W"].copy()),
                                   torch.from_numpy(layer.params["b"].copy()),
                                   stride=stride, padding=padding).numpy()
    np.testing.assert_allclose(y, t, rtol=1e-10, atol=1e-12)


def test_conv_activation_applied():
    layer = Convolution(conv_conf(), np, np.float64)
    bind(layer)
    x = np.random.default_rng(2).normal(size=(2, 2, 6, 4))
    y, _ = layer.forward(x)
    ref = np.tanh(naive_conv(x, layer.params["W"], layer.params["b"], (2, 1), (1, 0)))
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


POOL_CASES = [  # (kernel, stride, H, W): overlapping, non-overlapping, non-square, gaps
    ((2, 2), (2, 2), 6, 6),
    ((3, 3), (1, 1), 6, 5),
    ((3, 2), (2, 1), 7, 6),
    ((2, 3), (1, 2), 5, 8),
    ((2, 2), (3, 3), 8, 8),
]


@pytest.mark.parametrize("pooling", ["max", "avg"])
@pytest.mark.parametrize("kernel,stride,H,W", POOL_CASES)
def test_pool_forward_matches_naive(pooling, kernel, stride, H, W):
    layer = Subsampling(SubsamplingLayer(pooling=pooling, kernel_size=kernel, stride=stride), np, np.float64)
    assert layer.param_shapes() == {}
    x = np.random.default_rng(3).normal(size=(2, 3, H, W))
    y, _ = layer.forward(x)
    np.testing.assert_allclose(y, naive_pool(x, kernel, stride, pooling), rtol=1e-12, atol=1e-14)


def test_max_pool_ties_route_to_first_offset():
    layer = Subsampling(SubsamplingLayer(pooling="max", kernel_size=(2, 2), stride=(2, 2)), np, np.float64)
    x = np.ones((1, 1, 2, 2))
    y, cache = layer.forward(x)
    dx = layer.backward(np.full_like(y, 5.0), cache)
    np.testing.assert_array_equal(dx, [[[[5.0, 0.0], [0.0, 0.0]]]])


def numeric_grad(f, a, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of a (in place)."""
    g = np.zeros_like(a)
    flat, gf = a.reshape(-1), g.reshape(-1)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        plus = f()
        flat[j] = old - eps
        minus = f()
        flat[j] = old
        gf[j] = (plus - minus) / (2 * eps)
    return g


def assert_grad_close(analytic, numeric, min_abs=1e-8, max_rel=1e-3):
    diff = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    big = diff > min_abs
    rel = diff[big] / scale[big]
    assert rel.size == 0 or rel.max() < max_rel, f"max relative error {rel.max():.3g}"
    assert np.abs(analytic).max() > 0


@pytest.mark.parametrize("kernel,stride,padding,H,W", [
    ((3, 2), (2, 1), (1, 0), 7, 5),
    ((3, 3), (2, 2), (1, 2), 6, 6),
])
def test_conv_gradients(kernel, stride, padding, H, W):
    layer = Convolution(conv_conf(kernel_size=kernel, stride=stride, padding=padding), np, np.float64)
    bind(layer)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2, H, W))
    y, cache = layer.forward(x)
    r = rng.normal(size=y.shape)
    dx = layer.backward(r, cache)

    def loss():
        return float(np.sum(layer.forward(x)[0] * r))

    for key in ("W", "b"):
        assert_grad_close(layer.grads[key], numeric_grad(loss, layer.params[key]))
    assert dx.shape == x.shape
    assert_grad_close(dx, numeric_grad(loss, x))


@pytest.mark.parametrize("pooling", ["max", "avg"])
@pytest.mark.parametrize("kernel,stride", [((3, 3), (1, 1)), ((3, 2), (2, 1)), ((2, 2), (2, 2))])
def test_pool_gradients(pooling, kernel, stride):
    layer = Subsampling(SubsamplingLayer(pooling=pooling, kernel_size=kernel, stride=stride), np, np.float64)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 2, 7, 6))   # continuous values: no ties, max is differentiable
    y, cache = layer.forward(x)
    r = rng.normal(size=y.shape)
    dx = layer.backward(r, cache)
    assert dx.shape == x.shape
    assert_grad_close(dx, numeric_grad(lambda: float(np.sum(layer.forward(x)[0] * r)), x))


def test_need_dx_false_returns_none_and_same_grads():
    layer = Convolution(conv_conf(), np, np.float64)
    _, grad = bind(layer)
    x = np.random.default_rng(6).normal(size=(3, 2, 7, 5))
    y, cache = layer.forward(x)
    r = np.random.default_rng(7).normal(size=y.shape)
    assert layer.backward(r, cache) is not None
    with_dx = grad.copy()
    grad[...] = 0
    y, cache = layer.forward(x)
    assert layer.backward(r, cache, need_dx=False) is None
    np.testing.assert_array_equal(grad, with_dx)


def test_grads_written_into_bound_views():
    layer = Convolution(conv_conf(), np, np.float64)
    _, grad = bind(layer)
    views = dict(layer.grads)
    x = np.random.default_rng(8).normal(size=(2, 2, 5, 4))
    y, cache = layer.forward(x)
    layer.backward(np.ones_like(y), cache)
    assert all(layer.grads[k] is views[k] for k in views)
    assert np.abs(grad).sum() > 0


def test_bad_input_shape_teaches():
    layer = Convolution(conv_conf(), np, np.float64)
    bind(layer)
    with pytest.raises(ValueError, match=r"expected x \(R, 2, H, W\)"):
        layer.forward(np.zeros((2, 3, 5, 5)))
    with pytest.raises(ValueError, match="smaller than kernel"):
        layer.forward(np.zeros((2, 2, 1, 1)))
