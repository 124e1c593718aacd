"""The workbench app: the five tabs over one session.

``page()`` is the served page (``make run``): a FastListTemplate whose URL carries the
experiment and the lesson flags (``url_state``). Its runs train on Dask workers and are kept in
the run store (the server's shared :class:`~workbench.runs.service.RunService`; the embedded
cluster starts once the first page has painted). ``app()`` is the same tabs as one layout, for
a notebook cell (templates cannot show in a notebook); it trains in the notebook's process
unless its session is given a RunService.
"""
from __future__ import annotations

import panel as pn

from workbench.errors import WorkbenchError
from workbench.runs.service import shared_service
from workbench.ui.build import ConfigBuilder
from workbench.ui.catalog import DEFAULT_TASK, TASKS
from workbench.ui.data import DataInspector
from workbench.ui.session import WorkbenchSession
from workbench.ui.messages import Messages
from workbench.ui.runs import RunsView
from workbench.ui.shared import button, message_pane, on_session_end
from workbench.ui.step import StepExplorer
from workbench.ui.train import TrainingMonitor
from workbench.ui.url_state import (
    TABS, decode_conf, experiment_query, first_values, hidden, parse_epochs, search_string,
)

# Panel extensions the tabs need, loaded by the page before any session (a model whose JavaScript
# is loaded lazily, as FileDropper's, renders in the first session only).
EXTENSIONS = ("plotly", "codeeditor", "filedropper", "tabulator")

INTRO = ("**RNN Workbench** - build a recurrent network, look at the padded data and its masks, train it with "
         "(truncated) BPTT and step through its predictions one time step at a time. It opens on a real data "
         "set with a sensible network: press **Start** in the Train tab.")

ABOUT = """
### RNN Workbench

The DL4J guide "Recurrent Neural Networks in DL4J", re-created in Python, as five tabs:

- **Build**: the network, layer by layer; every field has a tooltip with its DL4J name. The
  table shows the preprocessors inserted between layer kinds and the parameter counts.
- **Data**: the padded minibatch the network sees, with its features and labels masks.
- **Train**: the loss of every update, the evaluation after each epoch, per-layer statistics
  and the TBPTT timeline, live.
- **Step**: `rnn_time_step` one step at a time, with the hidden and cell state of every unit; a
  bidirectional network is scrubbed through one full pass instead.
- **Runs**: every run ever started, kept across restarts and shared by every page of the
  server: compare their loss curves and hyperparameters, and open one again.

Runs train on Dask worker processes, never in the web server: several may train at once (the
others wait for a free worker), and closing the page does not stop them.

The page's address holds the task, the network, the epochs and the seed: copy it to share the
experiment. Teachers add `hide=` to make a focused exercise, e.g. `?task=Tiny+Shakespeare&hide=data,step`
(see the README, "Lesson links").

**Notebooks** (`make notebooks` opens them in JupyterLab), one per section of the guide:
01 data and masks · 02 truncated BPTT · 03 masking and sequence classification ·
04 combining layers · 05 `rnn_time_step` · 06 importing time series.
"""


def _tabs(session: WorkbenchSession, hide: set = frozenset()):
    """The five views, and Tabs holding those not in ``hide`` (lower-case tab names); opening
    Step takes the latest parameters, opening a run in the Runs tab shows the tab it names, a
    sweep launched in Build is shown in Runs."""
    views = {"Build": ConfigBuilder(session=session), "Data": DataInspector(session=session),
             "Train": TrainingMonitor(session=session), "Step": StepExplorer(session=session),
             "Runs": RunsView(session=session)}
    shown = [name for name in views if name.lower() not in hide]
    # dynamic: only the open tab is in the browser (first paint 3.5 s instead of 7 s; a tab switch
    # then takes ~1 s, and a hidden tab's live charts cost no traffic)
    tabs = pn.Tabs(*((name, views[name]) for name in shown), dynamic=True, sizing_mode="stretch_width")
    tabs.param.watch(lambda e: shown[e.new] == "Step" and views["Step"].sync_network(), "active")

    def show(tab: str):
        if tab in shown:
            tabs.active = shown.index(tab)

    def show_sweep(event):                       # a sweep launched in Build: its runs, in Runs
        views["Runs"].state.show_sweep(event.new)
        show("Runs")
    views["Runs"].state.param.watch(lambda event: show(event.new), "open_tab")
    views["Build"].sweep.state.param.watch(show_sweep, "launched")
    on_session_end(session.close)                     # each view registers its own close
    tabs.shown = shown
    return views, tabs


def app(session: WorkbenchSession | None = None) -> pn.viewable.Viewable:
    """The Build / Data / Train / Step / Runs tabs sharing ``session`` (a new one by default), as one
    layout. In a server session its background work stops when the browser session closes."""
    session = session or WorkbenchSession()
    views, tabs = _tabs(session)
    layout = pn.Column(pn.pane.Markdown(INTRO), tabs, sizing_mode="stretch_width")
    layout.session, layout.views, layout.tabs = session, views, tabs
    return layout


def page(query: dict | None = None) -> pn.template.FastListTemplate:
    """The served page; ``query`` (default: the page URL's) restores an experiment and hides
    what a lesson link names (see ``url_state``). The URL follows every later edit."""
    query = first_values(pn.state.session_args) if query is None else query
    notices = Messages()
    session = _session_from(query, notices, shared_service())
    views, tabs = _tabs(session, hidden(query))
    _apply_lesson(query, views, tabs, notices)

    task_name = pn.pane.Markdown(pn.bind(lambda task: f"Task: **{task.name}**", session.param.task),
                                 styles={"color": "white"}, margin=(0, 20))
    help_button = button("Notebooks & help", "What the tabs do, how links work, and the teaching notebooks",
                         color="light", width=150)
    template = pn.template.FastListTemplate(
        title="RNN Workbench", header=[pn.Row(task_name, help_button, align="center")],
        main=[message_pane(notices), tabs], modal=[pn.pane.Markdown(ABOUT)], accent="#1f5f8b",
        theme_toggle=False, main_layout=None)
    help_button.on_click(lambda _: template.open_modal())
    template.session, template.views, template.tabs = session, views, tabs
    _follow_in_url(session, query)
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        pn.state.onload(session.runs.warm_up)         # served: the cluster starts after the first paint
    return template


def _session_from(query: dict, notices: Messages, runs=None) -> WorkbenchSession:
    """A session on the link's task, configuration and epochs; what cannot be used is said."""
    name = query.get("task", DEFAULT_TASK)
    problems = []
    if name not in TASKS:
        problems.append(f"the task {name[:60]!r} is not one of the workbench's, so {DEFAULT_TASK!r} opened")
        name = DEFAULT_TASK
    session = WorkbenchSession(name, runs=runs)
    for key, use in (("conf", lambda text: setattr(session, "conf", decode_conf(text))),
                     ("epochs", lambda text: setattr(session, "epochs", parse_epochs(text)))):
        if key in query:
            try:
                use(query[key])
            except WorkbenchError as exc:
                problems.append(f"its {key} could not be used ({exc}), so the task's default is shown")
    if problems:
        notices.say("This link is damaged: " + "; ".join(problems) + ".", "warning")
    return session


def _apply_lesson(query: dict, views: dict, tabs: pn.Tabs, notices: Messages) -> None:
    """Hide the tabs and controls the link names; open the tab it names."""
    names, known = hidden(query), set(TABS)
    for tab, view in views.items():
        for control, widget in view.controls.items():
            known |= {control, f"{tab.lower()}.{control}"}
            if control in names or f"{tab.lower()}.{control}" in names:
                widget.visible = False
    shown = [tab.lower() for tab in tabs.shown]
    if query.get("tab", "").lower() in shown:
        tabs.active = shown.index(query["tab"].lower())
    unknown = sorted(names - known)
    if unknown:
        notices.say(f"This link hides {', '.join(unknown)}, which the page does not have; it can hide the tabs "
                    f"{', '.join(TABS)} and these controls: {', '.join(sorted(known - set(TABS)))}.", "warning")


def _follow_in_url(session: WorkbenchSession, query: dict) -> None:
    """Keep the page URL equal to the experiment as the user edits it (lesson flags kept)."""
    location = pn.state.location
    if location is None:
        return

    def write(*_):
        if session.task is not None:
            location.search = search_string(experiment_query(session.task, session.conf, session.epochs), query)

    session.param.watch(write, ["task", "conf", "epochs"])
    pn.state.onload(write)              # once the browser has sent its own URL to the server
