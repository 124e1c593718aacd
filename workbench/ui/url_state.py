"""The experiment as a page URL, and lesson mode. No Panel here.

Query parameters (each optional; a link holds only what differs from the task's defaults):

* ``task``: the catalog task's name;
* ``conf``: the network configuration, JSON compressed with zlib and written as URL-safe base64;
* ``epochs``: epochs of the next training run;
* ``tab``: the tab the page opens on (``build``, ``data``, ``train``, ``step``);
* ``hide``: comma-separated tabs and controls to hide, as TensorFlow Playground's ``*_hide``
  flags: ``hide=data,step,updater`` (a control's name may be qualified by its tab:
  ``train.save``). A link with ``hide`` is one focused exercise.
"""
from __future__ import annotations

import base64
import zlib
from urllib.parse import urlencode

from workbench.conf import MultiLayerConfiguration
from workbench.errors import ConfigurationError

TABS = ("build", "data", "train", "step", "runs")
LESSON_KEYS = ("tab", "hide")
MAX_CONF_CHARS = 64 * 1024            # a link's compressed configuration
MAX_CONF_JSON = 1 << 20               # and its JSON once inflated


def encode_conf(conf: MultiLayerConfiguration) -> str:
    """``conf`` as URL-safe text: zlib-compressed JSON in base64 without padding."""
    return base64.urlsafe_b64encode(zlib.compress(conf.to_json().encode(), 9)).decode().rstrip("=")


def decode_conf(text: str) -> MultiLayerConfiguration:
    """The configuration that :func:`encode_conf` wrote; ConfigurationError(field="conf") when the
    text is not one (too long, not base64, not zlib, over 1 MiB inflated, not a configuration)."""
    if len(text) > MAX_CONF_CHARS:
        raise ConfigurationError(f"is {len(text):,} characters long; at most {MAX_CONF_CHARS:,}", field="conf")
    inflate = zlib.decompressobj()
    try:
        packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        raw = inflate.decompress(packed, MAX_CONF_JSON)
        json_text = None if inflate.unconsumed_tail else raw.decode("utf-8")
    except (ValueError, zlib.error) as exc:        # binascii.Error and UnicodeDecodeError are ValueErrors
        raise ConfigurationError(f"is not a configuration written by the workbench ({type(exc).__name__})",
                                 field="conf") from None
    if json_text is None:
        raise ConfigurationError(f"inflates to more than {MAX_CONF_JSON:,} bytes", field="conf")
    return MultiLayerConfiguration.from_json(json_text)


def experiment_query(task, conf, epochs: int) -> dict:
    """The query parameters that restore this experiment (defaults of ``task`` left out)."""
    query = {"task": task.name}
    if conf is not None and conf != task.default_config():
        query["conf"] = encode_conf(conf)
    if epochs != task.epochs:
        query["epochs"] = str(epochs)
    return query


def search_string(experiment: dict, lesson: dict) -> str:
    """``?task=...&conf=...`` for ``location.search``: the experiment, then the lesson flags."""
    return "?" + urlencode({**experiment, **{k: v for k, v in lesson.items() if k in LESSON_KEYS and v}})


def first_values(args: dict) -> dict:
    """Query arguments as Panel's ``session_args`` hold them (name -> list of bytes) -> name -> str."""
    return {k: (v[0].decode("utf-8", "replace") if isinstance(v[0], bytes) else str(v[0]))
            for k, v in args.items() if v}


def hidden(query: dict) -> set[str]:
    """The lower-case names in ``hide`` (empty names dropped)."""
    return {name.strip().lower() for name in query.get("hide", "").split(",") if name.strip()}


def parse_epochs(text: str) -> int:
    """``epochs`` from a link: a whole number from 1 to 100000."""
    try:
        epochs = int(text)
    except ValueError:
        raise ConfigurationError(f"must be a whole number, got {text[:20]!r}", field="epochs") from None
    if not 1 <= epochs <= 100_000:
        raise ConfigurationError(f"must be from 1 to 100000, got {epochs}", field="epochs")
    return epochs
