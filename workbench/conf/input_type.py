"""What the network's input looks like, so layer input sizes can be inferred."""
from __future__ import annotations

from dataclasses import dataclass

from workbench.conf.errors import ConfigurationError
from workbench.conf.layers import FEED_FORWARD, RECURRENT

CONVOLUTIONAL = "convolutional"


@dataclass(frozen=True)
class InputType:
    """``kind`` is "recurrent" ([batch, size, time]), "feed_forward" ([batch, size]) or
    "convolutional" ([batch, channels, height, width]). Build with the class methods."""

    kind: str
    size: int | None = None
    height: int | None = None
    width: int | None = None
    channels: int | None = None

    def __post_init__(self):
        if self.kind not in (RECURRENT, FEED_FORWARD, CONVOLUTIONAL):
            raise ConfigurationError(f"InputType.kind: unknown {self.kind!r}", field="input_type")
        dims = ("height", "width", "channels") if self.kind == CONVOLUTIONAL else ("size",)
        for name in dims:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigurationError(f"InputType.{name} must be a positive int, got {v!r}", field="input_type")

    @classmethod
    def recurrent(cls, n: int) -> "InputType":
        return cls(RECURRENT, size=n)

    @classmethod
    def feed_forward(cls, n: int) -> "InputType":
        return cls(FEED_FORWARD, size=n)

    @classmethod
    def convolutional(cls, height: int, width: int, channels: int) -> "InputType":
        return cls(CONVOLUTIONAL, height=height, width=width, channels=channels)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "InputType":
        try:
            return cls(**d)
        except TypeError as exc:
            raise ConfigurationError(f"input_type: {exc}", field="input_type") from None
