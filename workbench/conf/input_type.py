"""What the data between layers looks like, so sizes can be inferred and preprocessors inserted."""
from __future__ import annotations

from dataclasses import dataclass

from workbench.conf.fields import MAX_SIZE, check_int, short_repr
from workbench.errors import ConfigurationError

RECURRENT = "recurrent"
FEED_FORWARD = "feed_forward"
CONVOLUTIONAL = "convolutional"
KINDS = (RECURRENT, FEED_FORWARD, CONVOLUTIONAL)


@dataclass(frozen=True)
class InputType:
    """``kind`` is "recurrent" ([batch, size, time]), "feed_forward" ([batch, size]) or
    "convolutional" ([batch, channels, height, width]). Build with the class methods.

    Recurrent and feed-forward types may also carry an image shape (height, width, channels)
    when their ``size`` features are a flattened ``[channels, height, width]`` frame, as in
    video data ``[batch, channels * height * width, time]``; a convolutional layer after them
    then gets its preprocessor automatically.
    """

    kind: str
    size: int | None = None
    height: int | None = None
    width: int | None = None
    channels: int | None = None

    def __post_init__(self):
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ConfigurationError(f"InputType.kind: unknown {short_repr(self.kind)}; expected one of {KINDS}",
                                     field="input_type")
        image = (self.height, self.width, self.channels)
        if self.kind == CONVOLUTIONAL or any(v is not None for v in image):
            for name, v in zip(("height", "width", "channels"), image):
                _positive(name, v)
        if self.kind == CONVOLUTIONAL:
            if self.size is not None:
                raise ConfigurationError("InputType.size is not used for convolutional data", field="input_type")
        else:
            _positive("size", self.size)
        if self.flat_size > MAX_SIZE:
            raise ConfigurationError(f"InputType: {self.flat_size} numbers per example (and step) is more than "
                                     f"{MAX_SIZE}", field="input_type")
        if self.kind == CONVOLUTIONAL:
            return
        if self.image is not None and self.size != self.height * self.width * self.channels:
            raise ConfigurationError(
                f"InputType.size {self.size} != height * width * channels = "
                f"{self.height * self.width * self.channels}", field="input_type")

    @property
    def image(self) -> tuple | None:
        """(height, width, channels) or None."""
        return None if self.height is None else (self.height, self.width, self.channels)

    @property
    def flat_size(self) -> int:
        """Features per example (per step): ``size``, or channels * height * width."""
        return self.size if self.size is not None else self.height * self.width * self.channels

    def shape_text(self) -> str:
        """One example's shape (per step for recurrent data), e.g. "[8, 5, 5]" or "[32] per step"."""
        if self.kind == CONVOLUTIONAL:
            return f"[{self.channels}, {self.height}, {self.width}]"
        return f"[{self.size}]" + (" per step" if self.kind == RECURRENT else "")

    @classmethod
    def recurrent(cls, n: int, height=None, width=None, channels=None) -> "InputType":
        return cls(RECURRENT, size=n, height=height, width=width, channels=channels)

    @classmethod
    def feed_forward(cls, n: int, height=None, width=None, channels=None) -> "InputType":
        return cls(FEED_FORWARD, size=n, height=height, width=width, channels=channels)

    @classmethod
    def convolutional(cls, height: int, width: int, channels: int) -> "InputType":
        return cls(CONVOLUTIONAL, height=height, width=width, channels=channels)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "InputType":
        if not isinstance(d, dict) or not all(isinstance(k, str) for k in d):
            raise ConfigurationError(f"expected a dict such as {{'kind': 'recurrent', 'size': 3}}, got "
                                     f"{short_repr(d)}", field="input_type")
        try:
            return cls(**d)
        except TypeError as exc:
            raise ConfigurationError(f"input_type: {exc}", field="input_type") from None


def _positive(name, v):
    check_int(v, f"InputType.{name}", "input_type")
