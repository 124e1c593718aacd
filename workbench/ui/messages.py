"""Messages with an explicit kind, the one way a tab's state reports to the page (no Panel here)."""
from __future__ import annotations

import param

KINDS = ("info", "success", "warning", "error")


class Messages(param.Parameterized):
    """``message`` (the latest notice or problem, "" for none) and its ``message_kind``."""

    message = param.String(default="", doc="the latest notice or problem shown in the page")
    message_kind = param.Selector(default="info", objects=list(KINDS), doc="info, success, warning or error")

    def say(self, text: str, kind: str = "info") -> bool:
        """Show ``text`` as ``kind``; True unless it reports an error."""
        self.param.update(message=text, message_kind=kind)
        return kind != "error"

    def clear_message(self) -> None:
        self.param.update(message="", message_kind="info")
