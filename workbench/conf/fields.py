"""Field checks shared by every configuration class, and JSON parsing that cannot blow up.

Limits: each size (``n_out``, ``n_in``, kernel, stride, padding, TBPTT lengths, input type
dimensions) is an int in ``[minimum, MAX_SIZE]`` (DL4J's ``int``); one example's data between
layers holds at most ``MAX_SIZE`` numbers per step; a network holds at most ``MAX_PARAMS``
parameters. JSON nests at most ``MAX_DEPTH`` levels.
"""
from __future__ import annotations

import json
import math

from workbench.errors import ConfigurationError

MAX_SIZE = 2**31 - 1
MAX_PARAMS = 2**32
MAX_DEPTH = 32
_MAX_INT_DIGITS = 30


class HugeInt:
    """A JSON integer too long to convert (kept as text so that the field check names it)."""

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))

    def __repr__(self):
        return f"<an integer of {self.digits} digits>"


def short_repr(value, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters (never fails, even for a 5000-digit int)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
    try:
        text = repr(value)
    except Exception:                                     # a repr that raises: name the type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def is_finite_number(value) -> bool:
    """True for an int or float (not bool) that is a finite float (a huge int is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:                                # an int past float's range
        return False


def check_int(value, what: str, field: str, minimum: int = 1, maximum: int = MAX_SIZE) -> None:
    """Refuse anything but an int (not bool) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ConfigurationError(f"{what} must be an int in [{minimum}, {maximum}], got {short_repr(value)}",
                                 field=field)


def check_depth(obj, what: str = "configuration") -> None:
    """Refuse dicts/lists nested more than MAX_DEPTH levels (checked without recursion)."""
    stack = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise ConfigurationError(f"{what} is nested more than {MAX_DEPTH} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def parse_json(text, what: str = "configuration"):
    """``json.loads`` whose every failure is a ConfigurationError: invalid JSON, nesting past
    MAX_DEPTH (no RecursionError), integers too long to convert (kept as :class:`HugeInt` so
    the field that holds one is named)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigurationError(f"{what} is not UTF-8 text ({exc})") from None
    if not isinstance(text, str):
        raise ConfigurationError(f"{what}: expected a JSON string, got {type(text).__name__}")
    try:
        d = json.loads(text, parse_int=lambda s: int(s) if len(s) <= _MAX_INT_DIGITS else HugeInt(s))
    except RecursionError:
        raise ConfigurationError(f"{what} is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:                            # JSONDecodeError, or a float too long to read
        raise ConfigurationError(f"{what} is not valid JSON: {exc}") from None
    check_depth(d, what)
    return d
