"""Pieces every view uses: messages with an explicit kind, help texts, cleaning up when the page goes.

A tab's state mixes in :class:`~workbench.ui.messages.Messages` and calls ``say(text, kind)`` (the kind is set with the
text, never guessed from it); its view shows them with :func:`message_pane`, explains itself
with :func:`help_text`, makes its buttons with :func:`button` and registers its ``close`` with
:func:`on_session_end`.
"""
from __future__ import annotations

import panel as pn

from workbench.ui.messages import Messages
from workbench.ui.uploads import CHUNK_BYTES, MAX_UPLOAD_BYTES

ALERT_TYPES = {"info": "info", "success": "success", "warning": "warning", "error": "danger"}
DISABLED_CSS = (":host .bk-btn:disabled, :host .bk-btn[disabled] {opacity: 0.35; filter: grayscale(80%); "
                "cursor: not-allowed;}")


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


class TipButton(pn.widgets.Button):
    """A Button whose tooltip (its ``description``) shows below it: to the right, where Panel puts
    it, it would cover the next button of a row. The tooltip is made afresh for every view, as
    Panel does for a text description (one Bokeh model shared by the views of a component shown
    twice, e.g. in a notebook, is refused: a model belongs to one document)."""

    def _process_param_change(self, params):
        params = super()._process_param_change(params)
        tip = params.get("tooltip")                # the model's name for the description
        if tip is not None:
            tip.position = "bottom"
        return params


def button(label, tip: str, **kw) -> pn.widgets.Button:
    """A Button that looks disabled when it is, with its tooltip ``tip`` below it."""
    return TipButton(label=label, description=tip, stylesheets=[DISABLED_CSS], **kw)


def file_dropper(label: str, accept: list, multiple: bool = False) -> pn.widgets.FileDropper:
    """A FileDropper that refuses, in the browser, what exceeds ``MAX_UPLOAD_BYTES`` (saying so in
    its file row) and sends the rest in chunks: a file over the websocket's message limit would
    otherwise close the session. ``value``: file name -> bytes (str for text/* files). At least
    wide enough for its "Drag & Drop your files or Browse" line."""
    limit = f"{MAX_UPLOAD_BYTES // 1_000_000}MB"
    return pn.widgets.FileDropper(label=label, multiple=multiple, accepted_filetypes=accept, chunk_size=CHUNK_BYTES,
                                  max_file_size=limit, max_total_file_size=limit, layout="compact",
                                  sizing_mode="stretch_width", min_width=260)


def on_dropped(dropper: pn.widgets.FileDropper, callback) -> None:
    """Call ``callback(name, content)`` for each file that arrives on ``dropper`` (the dropper
    changes its ``value`` dict in place: a file is new when its content object is)."""
    seen = {}

    def arrived(event):
        fresh = {name: content for name, content in event.new.items() if seen.get(name) is not content}
        seen.clear()
        seen.update(event.new)
        for name, content in fresh.items():
            callback(name, content)
    dropper.param.watch(arrived, "value")


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
