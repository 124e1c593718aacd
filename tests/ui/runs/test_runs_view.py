"""The Runs tab's view: the table and the state stay in step both ways, the buttons act on the
checked runs, the charts follow the selection and the axis controls."""
import pytest

pn = pytest.importorskip("panel")

import io  # noqa: E402
import zipfile  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from bokeh.document import Document  # noqa: E402
from panel.models.tabulator import TableEditEvent  # noqa: E402

from workbench.ui.runs import RunsView  # noqa: E402

from conftest import FakeSession  # noqa: E402


def test_the_table_lists_the_runs_with_checkboxes_and_only_the_name_editable(runs):
    view = RunsView(runs.session)
    table = view.table
    assert list(table.value["id"]) == [runs.tbptt, runs.plain, runs.live] and "accuracy" in table.value.columns
    assert table.selectable == "checkbox" and not table.show_index and table.max_height == 280
    assert table.sizing_mode == "stretch_width"
    assert "name" not in table.editors and all(table.editors[c] is None for c in table.value.columns if c != "name")
    assert set(table.formatters) == {"accuracy", "f1"}
    assert set(view.controls) == {"sweep", "table", "open", "stop", "delete", "export", "x_axis", "log_y", "measure"}
    assert all(w.description for w in (view.x_axis, view.measure, view.export, view.delete_button,
                                       *view.open_buttons.values()))
    assert view._poll is None                                  # no server document: nothing polls
    assert isinstance(view.__panel__(), pn.Column)


def test_checking_rows_selects_runs_and_back(runs):
    view = RunsView(runs.session)
    assert all(b.disabled for b in view.open_buttons.values()) and view.delete_button.disabled and view.export.disabled
    view.table.selection = [1]
    assert view.state.selected == [runs.plain] and view.export.filename == f"run-{runs.plain}-csv.zip"
    assert not any(b.disabled for b in view.open_buttons.values()) and not view.export.disabled
    assert len(view.curves_pane.object.data) == 1
    view.state.selected = [runs.tbptt, runs.live]
    assert view.table.selection == [0, 2] and len(view.curves_pane.object.data) == 2
    assert all(b.disabled for b in view.open_buttons.values()) and not view.delete_button.disabled
    runs.store.delete(runs.tbptt)                             # gone elsewhere: the rows and the checks follow
    view.state.refresh()
    assert list(view.table.value["id"]) == [runs.plain, runs.live] and view.table.selection == [1]


def test_a_training_run_updates_its_cells_without_replacing_the_table(runs):
    view = RunsView(runs.session)
    view.table.selection = [2]
    replaced = []
    view.table.param.watch(lambda e: replaced.append(e.name), "value")
    for i in range(4, 7):
        runs.writer.append_update(i, 0, 1.5, wall_time=2010.0 + i)
    view.state.refresh()
    assert not replaced and view.table.selection == [2] and view.state.selected == [runs.live]
    assert view.table.value["updates"].tolist()[2] == 7
    runs.writer.set_status("finished")          # a run ended: the whole table (a patch the browser missed is repaired)
    view.state.refresh()
    assert view.table.value["status"].tolist()[2] == "finished" and view.table.selection == [2]


def test_the_charts_follow_the_axis_controls(runs):
    view = RunsView(runs.session)
    assert "select runs" in view.curves_pane.object.layout.annotations[0].text.lower()
    par = view.parallel_pane.object.data[0]                    # none checked: the two ended runs
    assert par.type == "parcoords" and par.dimensions[-1].label == "accuracy"
    view.table.selection = [0, 1]
    view.x_axis.value = "wall time"
    view.log_y.value = True
    fig = view.curves_pane.object
    assert fig.layout.xaxis.title.text == "seconds since the first update" and fig.layout.yaxis.type == "log"
    assert list(fig.data[1].x) == [0, 2, 4, 6, 8, 10] and fig.data[0].mode == "lines+markers"
    view.measure.value = "score"
    assert view.curves_pane.object.data[1].y[0] == pytest.approx(2.4)


def test_buttons_open_delete_and_export_the_checked_runs(runs):
    view = RunsView(runs.session)
    view.table.selection = [1]
    view.open_buttons["build"].clicks += 1
    assert runs.session.opened == [(runs.plain, "build")] and view.state.open_tab == "Build"
    with zipfile.ZipFile(io.BytesIO(view.export.callback().getvalue())) as z:
        assert f"run-{runs.plain}-updates.csv" in z.namelist()
    view.state.selected = [runs.plain, runs.live]
    view.delete_button.clicks += 1
    assert list(view.table.value["id"]) == [runs.tbptt, runs.live] and view.table.selection == [1]
    assert view.message_pane.visible and view.message_pane.alert_type == "danger" and "Stop" in view.message_pane.object


def test_editing_a_name_renames_the_run(runs):
    view = RunsView(runs.session)
    view.table.value.loc[1, "name"] = "wide"                   # what the browser's edit sends
    view.table._process_event(TableEditEvent(model=None, column="name", row=1))
    assert runs.store.get_run(runs.plain).name == "wide" and view.table.value.loc[1, "name"] == "wide"
    view.table.value.loc[1, "name"] = ""
    view.table._process_event(TableEditEvent(model=None, column="name", row=1))
    assert runs.store.get_run(runs.plain).name == "wide" and view.table.value.loc[1, "name"] == "wide"
    assert view.state.message_kind == "error"


def test_without_a_run_store_the_table_is_empty_and_the_page_says_why():
    view = RunsView(FakeSession(None))
    assert len(view.table.value) == 0 and "No runs yet" in view.table.get_root().configuration["placeholder"]
    assert view.message_pane.visible and "make run" in view.message_pane.object


def test_every_cell_is_sent_once_more_when_the_store_settles(runs):
    """A browser may drop an update: two polls after the last change every cell goes again, once,
    as a patch (a value equal to the server's would not reach the page at all)."""
    view = RunsView(runs.session)
    doc = Document()
    model = view.table.get_root(doc)
    doc.add_root(model)
    sent = []
    doc.on_change(lambda e: sent.append(type(e).__name__))
    runs.writer.set_status("finished")
    view.poll()                                  # the change: the whole table (status changed)
    assert "ColumnDataChangedEvent" in sent
    sent.clear()
    view.poll()
    assert "ColumnsPatchedEvent" not in sent     # one quiet poll: nothing yet
    view.poll()
    assert sent.count("ColumnsPatchedEvent") == 1   # settled: every cell again
    view.poll()
    view.poll()
    assert sent.count("ColumnsPatchedEvent") == 1   # and only once
    assert list(model.source.data["status"]) == view.table.value["status"].tolist()
    assert view.table.value["status"].tolist()[2] == "finished"


def test_a_served_page_polls_the_store_every_second_until_it_goes(runs, monkeypatch):
    polls, ends = [], []

    class Poll:
        running = True

        def stop(self):
            self.running = False

    class ServedDocument(Document):
        session_context = SimpleNamespace(request=SimpleNamespace(arguments={}, headers={}, cookies={}))   # served
    server_doc = ServedDocument()
    monkeypatch.setattr(type(pn.state), "curdoc", property(lambda _: server_doc))
    monkeypatch.setattr(pn.state, "add_periodic_callback", lambda callback, period: polls.append((callback, period))
                        or Poll())
    monkeypatch.setattr(pn.state, "on_session_destroyed", ends.append)
    view = RunsView(runs.session)
    (callback, period), = polls
    assert callback == view.poll and period == 1000 and view._poll.running
    poll = view._poll
    for end in ends:                                           # the browser session ends
        end(None)
    assert not poll.running and view._poll is None


def test_the_show_menu_lists_the_sweeps_and_filters_the_table(runs):
    from test_runs_state import sweep_point
    view = RunsView(runs.session)
    assert list(view.sweep.options) == ["all runs"] and view.sweep.value == "all runs"
    point = sweep_point(runs.store, "sweep 1", {"seed": 3}, 0.5)
    view.state.refresh()
    assert list(view.sweep.options) == ["all runs", "sweep 1"] and list(view.table.value["id"])[-1] == point
    view.sweep.value = "sweep 1"
    assert view.state.sweep == "sweep 1" and list(view.table.value["id"]) == [point]
    assert list(view.table.value["sweep"]) == ["sweep 1"] and view.sweep.description
