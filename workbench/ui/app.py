"""The workbench app: the four views over one session, as served by ``make run``."""
from __future__ import annotations

import panel as pn

from workbench.ui.build import ConfigBuilder
from workbench.ui.data import DataInspector
from workbench.ui.session import WorkbenchSession
from workbench.ui.shared import on_session_end
from workbench.ui.step import StepExplorer
from workbench.ui.train import TrainingMonitor

INTRO = ("**RNN Workbench** - build a recurrent network, look at the padded data and its masks, train it with "
         "(truncated) BPTT and step through its predictions one time step at a time. It opens on a real data "
         "set with a sensible network: press **Start** in the Train tab.")


def app(session: WorkbenchSession | None = None) -> pn.viewable.Viewable:
    """The Build / Data / Train / Step tabs sharing ``session`` (a new one by default).

    In a server session its background work stops when the browser session closes.
    """
    session = session or WorkbenchSession()
    views = {"Build": ConfigBuilder(session=session), "Data": DataInspector(session=session),
             "Train": TrainingMonitor(session=session), "Step": StepExplorer(session=session)}
    tabs = pn.Tabs(*views.items(), dynamic=False, sizing_mode="stretch_width")
    step_index = list(views).index("Step")
    tabs.param.watch(lambda e: e.new == step_index and views["Step"].sync_network(), "active")

    on_session_end(session.close)                     # each view registers its own close
    layout = pn.Column(pn.pane.Markdown(INTRO), tabs, sizing_mode="stretch_width")
    layout.session, layout.views = session, views
    return layout
