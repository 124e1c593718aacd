"""Convolution (im2col + one batched GEMM) and Subsampling (max / avg pooling) on NCHW images.

x is ``(R, C, H, W)``: R images (a batch, or T*N frames of a sequence). Both layers loop only
over the kh*kw kernel offsets; each offset is one strided slice covering every output cell.
Output size per axis: ``(H + 2 p - k) // s + 1`` (Subsampling has no padding).
"""
from __future__ import annotations

from workbench.nn.activations import get_activation
from workbench.nn.layers.base import RuntimeLayer, init_weight


def _out_size(layer, size, k, s, p, axis):
    o = (size + 2 * p - k) // s + 1
    if o < 1:
        raise ValueError(
            f"{layer}: input {axis} {size} (+ 2 * padding {p}) is smaller than kernel {k}; "
            "use a smaller kernel_size or more padding")
    return o


def _check_input(layer, x, n_in=None):
    if x.ndim != 4 or (n_in is not None and x.shape[1] != n_in):
        want = f"(R, {n_in}, H, W)" if n_in is not None else "(R, C, H, W)"
        raise ValueError(
            f"{layer}.forward: expected x {want} (NCHW), got shape {tuple(x.shape)}; "
            "likely a missing preprocessor between a feed-forward/recurrent layer and this one")


def _window(a, i, j, oh, ow, sh, sw):
    """The (R, C, oh, ow) strided view of ``a`` seen by kernel offset (i, j)."""
    return a[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]


class Convolution(RuntimeLayer):
    """``y = f(conv2d(x, W) + b)`` (cross-correlation, zero padding, as DL4J/PyTorch).

    x ``(R, n_in, H, W)`` -> y ``(R, n_out, oh, ow)``; W ``(n_out, n_in, kh, kw)``, b ``(n_out,)``.
    """

    weight_keys = ("W",)

    def __init__(self, conf, xp, dtype):
        super().__init__(conf, xp, dtype)
        self.act = get_activation(conf.activation)

    def init_params(self, rng):
        c = self.conf
        kh, kw = c.kernel_size
        shape = (c.n_out, c.n_in, kh, kw)
        self._fill("W", init_weight(rng, c.weight_init, shape,
                                    fan_in=c.n_in * kh * kw, fan_out=c.n_out * kh * kw))

    def forward(self, x, mask=None, state=None):
        """x (R, C, H, W); mask/state unused. Returns y (R, n_out, oh, ow) and a cache."""
        xp, c = self.xp, self.conf
        _check_input("Convolution", x, c.n_in)
        (kh, kw), (sh, sw), (ph, pw) = c.kernel_size, c.stride, c.padding
        R, C, H, W = x.shape
        oh = _out_size("Convolution", H, kh, sh, ph, "height")
        ow = _out_size("Convolution", W, kw, sw, pw, "width")
        if ph or pw:
            xpad = self.ws.zeros("xpad", (R, C, H + 2 * ph, W + 2 * pw))
            xpad[:, :, ph:ph + H, pw:pw + W] = x
        else:
            xpad = x
        cols = self.ws.get("cols", (R, C, kh, kw, oh, ow))
        for i in range(kh):
            for j in range(kw):                                   # each offset: (R, C, oh, ow), contiguous writes
                cols[:, :, i, j] = _window(xpad, i, j, oh, ow, sh, sw)
        cols3 = cols.reshape(R, C * kh * kw, oh * ow)
        z = xp.matmul(self.params["W"].reshape(c.n_out, -1), cols3)   # (R, n_out, oh*ow): one batched GEMM
        z += self.params["b"][:, None]
        y = self.act.forward(xp, z)                               # in place: z now holds y
        return y.reshape(R, c.n_out, oh, ow), (x.shape, cols3, y)

    def backward(self, dy, cache, back_length=None, need_dx=True):
        """dy (R, n_out, oh, ow) -> dx (R, C, H, W), or None if not ``need_dx``; writes grads.

        ``back_length`` is accepted for the network's uniform call and ignored (no time axis).
        """
        xp, c = self.xp, self.conf
        (R, C, H, W), cols3, y = cache
        (kh, kw), (sh, sw), (ph, pw) = c.kernel_size, c.stride, c.padding
        oh, ow = dy.shape[2], dy.shape[3]
        dz = self.act.backward(xp, y, dy.reshape(y.shape).copy())     # (R, n_out, oh*ow)
        W2 = self.params["W"].reshape(c.n_out, -1)                    # (n_out, C*kh*kw)
        xp.matmul(dz, cols3.transpose(0, 2, 1)).sum(axis=0, out=self.grads["W"].reshape(W2.shape))
        dz.sum(axis=(0, 2), out=self.grads["b"])
        if not need_dx:
            return None
        dcols = xp.matmul(W2.T, dz).reshape(R, C, kh, kw, oh, ow)
        dxpad = xp.zeros((R, C, H + 2 * ph, W + 2 * pw), dtype=self.dtype)
        for i in range(kh):
            for j in range(kw):                                   # col2im: overlaps accumulate
                _window(dxpad, i, j, oh, ow, sh, sw)[...] += dcols[:, :, i, j]
        if ph or pw:
            return xp.ascontiguousarray(dxpad[:, :, ph:ph + H, pw:pw + W])
        return dxpad


class Subsampling(RuntimeLayer):
    """Max or average pooling, no padding: x ``(R, C, H, W)`` -> y ``(R, C, oh, ow)``.

    Max routes the gradient to the window's winning input (the first offset on ties).
    """

    weight_keys = ()

    def init_params(self, rng):
        pass

    def _geometry(self, shape):
        (kh, kw), (sh, sw) = self.conf.kernel_size, self.conf.stride
        oh = _out_size("Subsampling", shape[2], kh, sh, 0, "height")
        ow = _out_size("Subsampling", shape[3], kw, sw, 0, "width")
        return kh, kw, sh, sw, oh, ow

    def forward(self, x, mask=None, state=None):
        """x (R, C, H, W); mask/state unused. Returns y (R, C, oh, ow) and a cache."""
        xp = self.xp
        _check_input("Subsampling", x)
        kh, kw, sh, sw, oh, ow = self._geometry(x.shape)
        pooling = self.conf.pooling
        if pooling == "max":
            y = _window(x, 0, 0, oh, ow, sh, sw).copy()
            small = kh * kw < 128
            arg = xp.zeros(y.shape, dtype=xp.int8 if small else xp.int32)   # winning offset i * kw + j
            better, bid = xp.empty(y.shape, dtype=bool), xp.empty_like(arg)
            for k in range(1, kh * kw):
                v = _window(x, k // kw, k % kw, oh, ow, sh, sw)
                xp.greater(v, y, out=better)                      # strict: ties keep the first
                # arg = k where better: k exceeds every earlier offset, so a maximum does it
                # (far faster than a masked copy)
                xp.multiply(better.view(xp.int8) if small else better, k, out=bid)
                xp.maximum(arg, bid, out=arg)
                xp.maximum(y, v, out=y)
            return y, (x.shape, arg)
        if pooling == "avg":
            y = xp.zeros(x.shape[:2] + (oh, ow), dtype=self.dtype)
            for k in range(kh * kw):
                y += _window(x, k // kw, k % kw, oh, ow, sh, sw)
            y *= 1.0 / (kh * kw)
            return y, (x.shape, None)
        raise ValueError(f"Subsampling: unknown pooling {pooling!r}; expected 'max' or 'avg'")

    def backward(self, dy, cache, back_length=None, need_dx=True):
        """dy (R, C, oh, ow) -> dx (R, C, H, W) (None if not ``need_dx``); no params."""
        if not need_dx:
            return None
        xp = self.xp
        shape, arg = cache
        kh, kw, sh, sw, oh, ow = self._geometry(shape)
        dx = xp.zeros(shape, dtype=self.dtype)
        if arg is None:                                           # avg
            g = dy * (1.0 / (kh * kw))
            for k in range(kh * kw):
                _window(dx, k // kw, k % kw, oh, ow, sh, sw)[...] += g
            return dx
        tiled = sh >= kh and sw >= kw                             # windows do not overlap: assign
        g = None if tiled else self.ws.get("g", dy.shape)
        for k in range(kh * kw):
            window = _window(dx, k // kw, k % kw, oh, ow, sh, sw)
            if tiled:
                xp.multiply(dy, arg == k, out=window)
            else:
                xp.multiply(dy, arg == k, out=g)
                window += g
        return dx
