"""Messages carry their kind explicitly; the Alert shows that kind, whatever the text says."""
import pytest

pn = pytest.importorskip("panel")

from workbench.ui.shared import ALERT_TYPES, Messages, show_message  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.step_explorer import StepExplorer  # noqa: E402
from workbench.ui.training_monitor import TrainingMonitor  # noqa: E402


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


def test_views_report_kinds_not_wording():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    assert mon.load_bytes(b"not a zip") is None
    assert mon.message_kind == "error" and mon._message_pane.alert_type == "danger"
    step = StepExplorer(session=WorkbenchSession("Shifted symbols (future context)"))
    assert step.step() == 0                                   # a bidirectional network cannot step
    assert step.message_kind == "warning" and "bidirectional" in step.message
    assert step._message_pane.alert_type == "warning" and step._message_pane.visible
