"""The configuration error type."""
from __future__ import annotations


class ConfigurationError(ValueError):
    """An invalid network configuration.

    ``layer`` is the layer index (``None`` for network-wide fields) and ``field``
    the offending field name; both also appear in the message.
    """

    def __init__(self, message: str, layer: int | None = None, field: str | None = None):
        where = []
        if layer is not None:
            where.append(f"layer {layer}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)
        self.layer = layer
        self.field = field
        self.detail = message
