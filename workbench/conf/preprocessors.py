"""Input preprocessors: reshapes between recurrent, feed-forward and convolutional layers.

As in DL4J, 3-d <-> 2-d is time-major: row ``t * batch + b`` of the 2-d array holds
``x[b, :, t]``, and images flatten in ``[channels, height, width]`` order. Every reshape is
its own backward (the inverse reshape).

Two ways to apply one, both taking the minibatch size:

- ``pre_process(x, batch_size)`` / ``backprop(eps, batch_size)`` on public DL4J layouts
  (recurrent ``[batch, features, time]``, feed-forward ``[rows, features]``, convolutional
  ``[rows, channels, height, width]``), for teaching and tests;
- ``forward`` / ``backward`` on the engine's internal layout (recurrent data time-major
  ``(T, N, F)``), where each is a view.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from workbench.conf.fields import check_int
from workbench.conf.input_type import CONVOLUTIONAL, FEED_FORWARD, RECURRENT, InputType
from workbench.errors import ConfigurationError


def to_internal_layout(x, kind):
    """Public -> internal: recurrent [N, F, T] -> (T, N, F); others unchanged."""
    return x.transpose(2, 0, 1) if kind == RECURRENT else x


def to_public_layout(x, kind):
    """Internal -> public: recurrent (T, N, F) -> [N, F, T]; others unchanged."""
    return x.transpose(1, 2, 0) if kind == RECURRENT else x


@dataclass(frozen=True)
class PreProcessor:
    """Base: ``input_kind`` -> ``output_kind``; image shape fields, when a subclass has them,
    may be None to take them from the input type when the configuration is built."""

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = FEED_FORWARD

    def __post_init__(self):
        values = [getattr(self, f.name) for f in dataclasses.fields(self)]
        for f, v in zip(dataclasses.fields(self), values):
            if v is not None:
                check_int(v, f"{type(self).__name__}.{f.name}", f.name)
        if any(v is None for v in values) and any(v is not None for v in values):
            raise ConfigurationError(f"{type(self).__name__}: give height, width and channels together, or none "
                                     "(then they come from the input type)", field=dataclasses.fields(self)[0].name)

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, **dataclasses.asdict(self)}

    # ---- shapes ----
    @property
    def image(self):
        return None if getattr(self, "height", None) is None else (self.height, self.width, self.channels)

    def build(self, it: InputType) -> "PreProcessor":
        """This preprocessor with its image shape filled from ``it`` (and checked against it)."""
        if it.kind != self.input_kind:
            raise ConfigurationError(f"{type(self).__name__} takes {self.input_kind} data, got {it.kind}",
                                     field="input_preprocessors")
        if not dataclasses.fields(self):
            return self
        if self.image is None:
            image = it.image if it.image is not None else (1, 1, it.flat_size)
            return dataclasses.replace(self, height=image[0], width=image[1], channels=image[2])
        h, w, c = self.image
        if h * w * c != it.flat_size or (it.kind == CONVOLUTIONAL and it.image != self.image):
            raise ConfigurationError(
                f"{type(self).__name__}(height={h}, width={w}, channels={c}) does not fit input "
                f"{it.to_dict()}", field="input_preprocessors")
        return self

    def output_type(self, it: InputType) -> InputType:
        image = self.image if self.image is not None else it.image
        if self.output_kind == CONVOLUTIONAL:
            return InputType.convolutional(*image)
        extra = {} if image is None else dict(zip(("height", "width", "channels"), image))
        return InputType(self.output_kind, size=it.flat_size, **extra)

    # ---- math on internal layouts ----
    def forward(self, x, batch_size: int):
        raise NotImplementedError

    def backward(self, dy, batch_size: int):
        raise NotImplementedError

    # ---- math on public layouts ----
    def pre_process(self, x, batch_size: int):
        """Apply to a public-layout array (see the module docstring)."""
        y = self.forward(to_internal_layout(x, self.input_kind), batch_size)
        return to_public_layout(y, self.output_kind)

    def backprop(self, eps, batch_size: int):
        """The gradient with respect to the input, given it at the output (public layouts)."""
        dx = self.backward(to_internal_layout(eps, self.output_kind), batch_size)
        return to_public_layout(dx, self.input_kind)


def _rows_to_time(x, batch_size, name):
    """(T * N, ...) -> (T, N, ...)."""
    rows = x.shape[0]
    if rows % batch_size:
        raise ValueError(f"{name}: {rows} rows is not a multiple of the minibatch size {batch_size}")
    return x.reshape((rows // batch_size, batch_size) + x.shape[1:])


@dataclass(frozen=True)
class RnnToFeedForwardPreProcessor(PreProcessor):
    """[batch, F, T] -> [T * batch, F]."""

    def forward(self, x, batch_size):
        return x.reshape(-1, x.shape[-1])

    def backward(self, dy, batch_size):
        return _rows_to_time(dy, batch_size, type(self).__name__)


@dataclass(frozen=True)
class FeedForwardToRnnPreProcessor(PreProcessor):
    """[T * batch, F] -> [batch, F, T]."""

    input_kind: ClassVar[str] = FEED_FORWARD
    output_kind: ClassVar[str] = RECURRENT

    def forward(self, x, batch_size):
        return _rows_to_time(x, batch_size, type(self).__name__)

    def backward(self, dy, batch_size):
        return dy.reshape(-1, dy.shape[-1])


@dataclass(frozen=True)
class CnnToFeedForwardPreProcessor(PreProcessor):
    """[rows, channels, height, width] -> [rows, channels * height * width]."""

    height: int | None = None
    width: int | None = None
    channels: int | None = None

    input_kind: ClassVar[str] = CONVOLUTIONAL
    output_kind: ClassVar[str] = FEED_FORWARD

    def forward(self, x, batch_size):
        return x.reshape(x.shape[0], -1)

    def backward(self, dy, batch_size):
        return dy.reshape(dy.shape[0], self.channels, self.height, self.width)


@dataclass(frozen=True)
class FeedForwardToCnnPreProcessor(PreProcessor):
    """[rows, channels * height * width] -> [rows, channels, height, width]."""

    height: int | None = None
    width: int | None = None
    channels: int | None = None

    input_kind: ClassVar[str] = FEED_FORWARD
    output_kind: ClassVar[str] = CONVOLUTIONAL

    def forward(self, x, batch_size):
        return x.reshape(x.shape[0], self.channels, self.height, self.width)

    def backward(self, dy, batch_size):
        return dy.reshape(dy.shape[0], -1)


@dataclass(frozen=True)
class CnnToRnnPreProcessor(PreProcessor):
    """[T * batch, channels, height, width] (frames, time-major) -> [batch, channels * height * width, T]."""

    height: int | None = None
    width: int | None = None
    channels: int | None = None

    input_kind: ClassVar[str] = CONVOLUTIONAL
    output_kind: ClassVar[str] = RECURRENT

    def forward(self, x, batch_size):
        return _rows_to_time(x.reshape(x.shape[0], -1), batch_size, type(self).__name__)

    def backward(self, dy, batch_size):
        return dy.reshape(-1, self.channels, self.height, self.width)


@dataclass(frozen=True)
class RnnToCnnPreProcessor(PreProcessor):
    """[batch, channels * height * width, T] -> [T * batch, channels, height, width]."""

    height: int | None = None
    width: int | None = None
    channels: int | None = None

    input_kind: ClassVar[str] = RECURRENT
    output_kind: ClassVar[str] = CONVOLUTIONAL

    def forward(self, x, batch_size):
        return x.reshape(-1, self.channels, self.height, self.width)

    def backward(self, dy, batch_size):
        return _rows_to_time(dy.reshape(dy.shape[0], -1), batch_size, type(self).__name__)


PREPROCESSOR_TYPES = {cls.__name__: cls for cls in (
    RnnToFeedForwardPreProcessor, FeedForwardToRnnPreProcessor, CnnToFeedForwardPreProcessor,
    FeedForwardToCnnPreProcessor, CnnToRnnPreProcessor, RnnToCnnPreProcessor)}

_AUTO = {(RECURRENT, FEED_FORWARD): RnnToFeedForwardPreProcessor,
         (FEED_FORWARD, RECURRENT): FeedForwardToRnnPreProcessor,
         (CONVOLUTIONAL, FEED_FORWARD): CnnToFeedForwardPreProcessor,
         (FEED_FORWARD, CONVOLUTIONAL): FeedForwardToCnnPreProcessor,
         (CONVOLUTIONAL, RECURRENT): CnnToRnnPreProcessor,
         (RECURRENT, CONVOLUTIONAL): RnnToCnnPreProcessor}


def auto_preprocessor(it: InputType, kind: str) -> PreProcessor:
    """The preprocessor that turns data of type ``it`` into ``kind``, built for ``it``."""
    return _AUTO[(it.kind, kind)]().build(it)
