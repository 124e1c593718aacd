"""Updater configurations (the optimiser's hyper-parameters); the math is in ``workbench.nn.updaters``."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from workbench.conf.fields import is_finite_number, short_repr
from workbench.errors import ConfigurationError
from workbench.conf.registry import from_typed_dict


UNIT_INTERVAL = ("momentum", "beta1", "beta2", "rms_decay")     # decay rates: 0 <= x < 1


@dataclass(frozen=True)
class Updater:
    """Base: every updater has a learning rate ``lr``; every field is a finite number >= 0."""

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            ok = is_finite_number(v) and v >= 0
            if ok and f.name in UNIT_INTERVAL:
                ok = v < 1
            if not ok:
                rule = "in [0, 1)" if f.name in UNIT_INTERVAL else "a finite number >= 0"
                raise ConfigurationError(f"{type(self).__name__}.{f.name} must be {rule}, got {short_repr(v)}", field=f.name)
        if not self.lr > 0:
            raise ConfigurationError(f"{type(self).__name__}.lr must be > 0, got {self.lr!r}", field="lr")

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class Sgd(Updater):
    """``p -= lr * g``."""

    lr: float = 0.1


@dataclass(frozen=True)
class Nesterovs(Updater):
    """Nesterov momentum: ``v = momentum * v - lr * g; p += -momentum * v_prev + (1 + momentum) * v``."""

    lr: float = 0.1
    momentum: float = 0.9


@dataclass(frozen=True)
class Adam(Updater):
    """Adam (Kingma & Ba) in DL4J's form:
    ``p -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)``."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8


@dataclass(frozen=True)
class RmsProp(Updater):
    """``s = d * s + (1 - d) * g^2; p -= lr * g / (sqrt(s) + eps)``."""

    lr: float = 1e-3
    rms_decay: float = 0.95
    eps: float = 1e-8


@dataclass(frozen=True)
class AdaGrad(Updater):
    """``s += g^2; p -= lr * g / (sqrt(s) + eps)``."""

    lr: float = 0.1
    eps: float = 1e-6


UPDATER_TYPES = {cls.__name__: cls for cls in (Sgd, Nesterovs, Adam, RmsProp, AdaGrad)}


def updater_from_dict(d: dict) -> Updater:
    return from_typed_dict(d, UPDATER_TYPES, "updater")
