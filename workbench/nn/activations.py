"""Activation functions, applied in place, with derivatives expressed through the output.

``forward(xp, z)`` overwrites ``z`` with ``f(z)`` and returns it. For every elementwise
activation here, f'(z) is a function of y = f(z) alone; ``backward(xp, y, dy)`` returns
``dy * f'(z)`` (in place in ``dy`` where possible). Softmax works on the last axis and its
backward is the Jacobian-vector product.
"""
from __future__ import annotations

LEAKY_ALPHA = 0.01


class Activation:
    name = ""

    def forward(self, xp, z):
        raise NotImplementedError

    def backward(self, xp, y, dy):
        """dy * f'(z) given y = f(z); may overwrite dy."""
        raise NotImplementedError


class Tanh(Activation):
    name = "tanh"

    def forward(self, xp, z):
        return xp.tanh(z, out=z)

    def backward(self, xp, y, dy):
        d = y * y
        xp.subtract(1.0, d, out=d)
        return xp.multiply(dy, d, out=dy)


class Sigmoid(Activation):
    """``0.5 * tanh(0.5 z) + 0.5``: one transcendental call, exact to float rounding."""

    name = "sigmoid"

    def forward(self, xp, z):
        z *= 0.5
        xp.tanh(z, out=z)
        z *= 0.5
        z += 0.5
        return z

    def backward(self, xp, y, dy):
        d = 1.0 - y
        d *= y
        return xp.multiply(dy, d, out=dy)


class HardSigmoid(Activation):
    """``clip(0.2 z + 0.5, 0, 1)`` as in DL4J."""

    name = "hardsigmoid"

    def forward(self, xp, z):
        z *= 0.2
        z += 0.5
        return xp.clip(z, 0.0, 1.0, out=z)

    def backward(self, xp, y, dy):
        return xp.multiply(dy, 0.2 * ((y > 0) & (y < 1)), out=dy)


class Relu(Activation):
    name = "relu"

    def forward(self, xp, z):
        return xp.maximum(z, 0, out=z)

    def backward(self, xp, y, dy):
        return xp.multiply(dy, y > 0, out=dy)


class LeakyRelu(Activation):
    name = "leakyrelu"

    def forward(self, xp, z):
        return xp.multiply(z, xp.where(z > 0, 1.0, LEAKY_ALPHA), out=z)

    def backward(self, xp, y, dy):
        return xp.multiply(dy, xp.where(y > 0, 1.0, LEAKY_ALPHA), out=dy)


class Identity(Activation):
    name = "identity"

    def forward(self, xp, z):
        return z

    def backward(self, xp, y, dy):
        return dy


class Softsign(Activation):
    """``z / (1 + |z|)``; derivative ``(1 - |y|)^2``."""

    name = "softsign"

    def forward(self, xp, z):
        return xp.divide(z, 1.0 + xp.abs(z), out=z)

    def backward(self, xp, y, dy):
        d = 1.0 - xp.abs(y)
        d *= d
        return xp.multiply(dy, d, out=dy)


class Softmax(Activation):
    """Softmax over the last axis."""

    name = "softmax"

    def forward(self, xp, z):
        z -= z.max(axis=-1, keepdims=True)
        xp.exp(z, out=z)
        z /= z.sum(axis=-1, keepdims=True)
        return z

    def backward(self, xp, y, dy):
        s = (dy * y).sum(axis=-1, keepdims=True)
        dy -= s
        return xp.multiply(dy, y, out=dy)


ACTIVATIONS = {cls.name: cls() for cls in (Tanh, Sigmoid, HardSigmoid, Relu, LeakyRelu, Identity, Softsign, Softmax)}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None
