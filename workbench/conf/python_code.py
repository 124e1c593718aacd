"""A configuration as the Python code that builds it: ``to_python(conf)`` returns a runnable
snippet whose ``exec`` leaves an equal configuration in ``conf``::

    namespace = {}
    exec(to_python(conf), namespace)
    assert namespace["conf"] == conf

Only fields that differ from their defaults are written, as keyword arguments.
"""
from __future__ import annotations

import dataclasses

from workbench.conf.configuration import MultiLayerConfiguration
from workbench.conf.input_type import CONVOLUTIONAL, InputType

_INDENT = "    "


def _value(v) -> str:
    """A literal for a field value (numbers, strings, None, pairs)."""
    if isinstance(v, tuple):
        return "(" + ", ".join(_value(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return repr(v)


def _changed_fields(obj) -> list:
    """(name, value) of the init fields of a dataclass instance that differ from the defaults."""
    out = []
    for f in dataclasses.fields(obj):
        if not f.init:
            continue
        v = getattr(obj, f.name)
        if f.default is not dataclasses.MISSING and v == f.default:
            continue
        if f.name == "stride" and type(obj).__name__ == "SubsamplingLayer" and v == obj.kernel_size:
            continue                                   # stride defaults to the kernel size
        out.append((f.name, v))
    return out


def _call(obj, names: set) -> str:
    """``Type(field=value, ...)`` for a layer, updater or preprocessor; nested layers recurse."""
    name = type(obj).__name__
    names.add(name)
    args = []
    for field_name, v in _changed_fields(obj):
        text = _call(v, names) if dataclasses.is_dataclass(v) and not isinstance(v, type) else _value(v)
        args.append(f"{field_name}={text}")
    return f"{name}({', '.join(args)})"


def _input_type(it: InputType, names: set) -> str:
    names.add("InputType")
    if it.kind == CONVOLUTIONAL:
        return f"InputType.convolutional({it.height}, {it.width}, {it.channels})"
    image = "" if it.image is None else f", height={it.height}, width={it.width}, channels={it.channels}"
    return f"InputType.{it.kind}({it.size}{image})"


def to_python(conf: MultiLayerConfiguration) -> str:
    """Python source that rebuilds ``conf`` (imports from ``workbench.nn``, then ``conf = ...``)."""
    names = {"MultiLayerConfiguration"}
    lines = ["conf = MultiLayerConfiguration(", f"{_INDENT}layers=["]
    for i, layer in enumerate(conf.layers):
        lines.append(f"{_INDENT * 2}{_call(layer, names)},  # {i}")
    lines.append(f"{_INDENT}],")
    for field_name, v in _changed_fields(conf):
        if field_name == "layers":
            continue
        if field_name == "input_type":
            text = _input_type(v, names)
        elif field_name == "input_preprocessors":
            items = ", ".join(f"{i}: {_call(pp, names)}" for i, pp in sorted(v.items()))
            text = "{" + items + "}"
        elif field_name == "updater":
            text = _call(v, names)
        else:
            text = _value(v)
        lines.append(f"{_INDENT}{field_name}={text},")
    lines.append(")")
    imports = _imports(sorted(names))
    return imports + "\n\n" + "\n".join(lines) + "\n"


def _imports(names: list, width: int = 100) -> str:
    head = "from workbench.nn import "
    line = head + ", ".join(names)
    if len(line) <= width:
        return line
    out, current = [head + "("], _INDENT
    for n in names:
        piece = n + ", "
        if len(current) + len(piece) > width:
            out.append(current.rstrip())
            current = _INDENT
        current += piece
    out.append(current.rstrip())
    out.append(")")
    return "\n".join(out)
