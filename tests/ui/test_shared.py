"""Messages carry their kind explicitly; the Alert shows that kind, whatever the text says."""
import pytest

pn = pytest.importorskip("panel")

from workbench.ui.shared import ALERT_TYPES, Messages, message_pane, show_message  # noqa: E402


def test_say_sets_text_and_kind_together():
    m = Messages()
    assert m.say("Could not find it, but that is fine", "info") and m.message_kind == "info"
    assert not m.say("broken", "error")
    alert = pn.pane.Alert("")
    show_message(alert, m)
    assert alert.alert_type == ALERT_TYPES["error"] == "danger" and alert.visible and alert.object == "broken"
    m.clear_message()
    show_message(alert, m)
    assert not alert.visible and m.message_kind == "info"
    with pytest.raises(ValueError):
        m.say("x", "danger")                          # only the four kinds exist


def test_message_pane_follows_the_kind():
    m = Messages()
    alert = message_pane(m)
    assert not alert.visible
    m.say("careful", "warning")
    assert alert.visible and alert.alert_type == "warning" and alert.object == "careful"
    m.clear_message()
    assert not alert.visible
