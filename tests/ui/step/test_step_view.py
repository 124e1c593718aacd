"""The Step tab's widgets stay bound to its state; Play runs on a timer; the app's tab follows the
trained network; messages show their kind."""
import pytest

pn = pytest.importorskip("panel")

import dataclasses  # noqa: E402

from workbench.nn import LSTM, RnnOutputLayer  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.step import StepExplorer  # noqa: E402


def buttons(view):
    return {b.label: b for row in (view.controls["step"], view.controls["snapshot"]) for b in row
            if isinstance(b, pn.widgets.Button)} | {"Reset": view.controls["reset"]}


def test_buttons_and_widgets_drive_the_state():
    view = StepExplorer(session=WorkbenchSession("UCI synthetic control"))
    s, b = view.state, buttons(view)
    b["Step"].clicks += 1
    assert s.t == 1
    k = view.controls["step"][1]
    k.value = 4                                                # the k box is the state's k
    assert s.k == 4
    b["Step k"].clicks += 1
    assert s.t == 5 and s.check_difference < 1e-5
    assert b["Restore"].disabled
    b["Snapshot"].clicks += 1
    assert not b["Restore"].disabled and s.has_snapshot
    example = view.controls["example"][0]
    assert example.end == s.n_examples - 1 == 149
    example.value = 3                                          # widget -> state
    assert s.example == 3 and s.t == 0 and b["Restore"].disabled
    s.example = 7                                              # state -> widget
    assert example.value == 7
    b["Step"].clicks += 1
    heat = view._layers.objects[0].object.data[0]
    assert heat.z.shape == (32, 1) and view.output_pane.object.layout.title.text.startswith("Output at step 1")
    b["Reset"].clicks += 1
    assert s.t == 0 and view._layers.objects[0].object.data[0].z.shape == (32, 0)


def test_play_steps_on_each_tick():
    view = StepExplorer(session=WorkbenchSession("UCI synthetic control"))
    view.play_button.clicks += 1
    assert view.state.playing and view.play_button.label == "Pause" and view._play_cb is not None
    view._tick()
    view._tick()
    assert view.state.t == 2
    view.play_button.clicks += 1
    assert not view.state.playing and view.play_button.label == "Play" and view._play_cb is None
    view.state.play()
    view.close()
    assert not view.state.playing and view._play_cb is None


def test_a_bidirectional_network_gets_a_time_slider_instead_of_buttons():
    session = WorkbenchSession("UCI synthetic control")
    view = StepExplorer(session=session)
    pn.panel(view).get_root()
    step_box = next(o for o in view._layout.objects if view.controls["step"] in getattr(o, "objects", []))
    scrub_box = next(o for o in view._layout.objects if view.controls["scrub"] in getattr(o, "objects", []))
    assert step_box.visible and not scrub_box.visible
    session.select_task("Shifted symbols (future context)")
    assert not step_box.visible and scrub_box.visible
    slider = view.controls["scrub"][0]
    assert (slider.start, slider.end, slider.value) == (1, view.state.T, 1)
    slider.value = 6                                          # scrub: widget -> state -> charts
    assert view.state.t == 6
    fig = view._layers.objects[0].object
    assert len([tr for tr in fig.data if tr.type == "heatmap"]) == 6 and fig.layout.shapes[0].x0 == 6
    assert view.output_pane.object.layout.title.text.startswith("Output at step 6")


def test_views_report_kinds_not_wording():
    view = StepExplorer(session=WorkbenchSession("Shifted symbols (future context)"))
    alert = next(o for o in view._layout.objects if isinstance(o, pn.pane.Alert))
    assert view.state.message_kind == "info" and "bidirectional" in view.state.message   # scrubs instead
    assert alert.alert_type == "info" and alert.visible
    assert view.state.step() == 0                              # a bidirectional network cannot step
    assert view.state.message_kind == "warning" and "bidirectional" in view.state.message
    assert alert.alert_type == "warning" and alert.visible


def test_the_sampler_shows_for_a_character_model_and_samples_from_its_widgets():
    session = WorkbenchSession("Tiny Shakespeare")
    session.conf = dataclasses.replace(session.conf, layers=[LSTM(16), RnnOutputLayer(65)])
    view = StepExplorer(session=session)
    assert view._sampler.visible
    prompt, length, _, sample = view.controls["sample"]
    prompt.value, length.value = "ROMEO:", 12
    sample.clicks += 1
    text = view.state.sample_text
    assert text.startswith("ROMEO:") and len(text) == 18 and view._sampler[2].object == text
    session.select_task("UCI synthetic control")
    assert not view._sampler.visible


def test_renders_with_tooltips_and_lesson_controls():
    assert pn.panel(StepExplorer()).get_root() is not None
    view = StepExplorer(session=WorkbenchSession("Airline passengers"))
    assert pn.panel(view).get_root() is not None
    view.state.step(3)                                         # updates a rendered model in place
    assert view.output_pane.object.data[1].y.shape == (3,)
    assert {"example", "step", "snapshot", "reset", "scrub", "sample"} <= set(view.controls)
    inputs = [w for w in view._layout.select(pn.widgets.Widget)
              if isinstance(w, (pn.widgets.Button, pn.widgets.IntInput, pn.widgets.TextInput))]
    assert inputs and all(w.description for w in inputs)
    assert len(view._layout.select(pn.widgets.TooltipIcon)) == 3   # the example, scrub and temperature sliders


def test_the_app_tab_follows_the_trained_network_when_a_run_ends_and_when_opened():
    from workbench.ui.app import app
    session = WorkbenchSession("UCI synthetic control")
    layout = app(session)
    step = layout.views["Step"]
    session.net = session.new_network()
    step.state.step(3)
    assert step.state.net.iteration_count == 0 and "after 0 updates" in step.state.note
    session.net.fit(session.train_data)                      # trained outside a run: opening Step catches up
    layout.tabs.active = list(layout.views).index("Step")
    assert step.state.net.iteration_count == session.net.iteration_count > 0 and step.state.t == 0
    assert f"after {session.net.iteration_count:,} updates" in step.state.note
    assert not step.sync_network()                           # already the latest
