"""Pieces every view uses: messages with an explicit kind, help texts, cleaning up when the page goes.

A tab's state mixes in :class:`Messages` and calls ``say(text, kind)`` (the kind is set with the
text, never guessed from it); its view shows them with :func:`message_pane`, explains itself
with :func:`help_text`, makes its buttons with :func:`button` and registers its ``close`` with
:func:`on_session_end`.
"""
from __future__ import annotations

import panel as pn
import param

KINDS = ("info", "success", "warning", "error")
DISABLED_CSS = (":host .bk-btn:disabled, :host .bk-btn[disabled] {opacity: 0.35; filter: grayscale(80%); "
                "cursor: not-allowed;}")
ALERT_TYPES = {"info": "info", "success": "success", "warning": "warning", "error": "danger"}


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


def show_message(alert, messages: Messages) -> None:
    """Put ``messages``' text into the Alert pane ``alert`` (hidden while there is none)."""
    alert.param.update(object=messages.message, alert_type=ALERT_TYPES[messages.message_kind],
                       visible=bool(messages.message))


def message_pane(messages: Messages, **kw) -> pn.pane.Alert:
    """An Alert that always shows ``messages``' latest message in its kind's colour."""
    alert = pn.pane.Alert("", sizing_mode="stretch_width", **kw)
    show_message(alert, messages)
    messages.param.watch(lambda *_: show_message(alert, messages), ["message", "message_kind"])
    return alert


def button(label, tip: str, **kw) -> pn.widgets.Button:
    """A Button that looks disabled when it is, with its tooltip ``tip`` below it (to the right, it
    would cover the next button of a row)."""
    from bokeh.models import Tooltip
    return pn.widgets.Button(label=label, description=Tooltip(content=tip, position="bottom"),
                             stylesheets=[DISABLED_CSS], **kw)


def with_tip(widget, tip: str) -> pn.Row:
    """``widget`` with a tooltip icon beside it, for widgets without ``description`` (sliders,
    file droppers)."""
    return pn.Row(widget, pn.widgets.TooltipIcon(value=tip, align="center"), sizing_mode="stretch_width")


def help_text(text: str) -> pn.pane.Markdown:
    """A tab's short explanation (what each chart shows, what to try), in a quiet style."""
    return pn.pane.Markdown(text, css_classes=["wb-help"], sizing_mode="stretch_width",
                            styles={"color": "#444", "background": "#f6f8fa", "border-left": "4px solid #4a90d9",
                                    "padding": "0 12px", "border-radius": "4px"})


def on_session_end(callback) -> None:
    """Call ``callback()`` when the browser session of the current Panel server document ends
    (nothing happens in a notebook or a test, where there is no server session)."""
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        pn.state.on_session_destroyed(lambda _context: callback())
