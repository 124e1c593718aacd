"""The Train tab's view: widgets and state stay bound both ways, the figures follow a run, the
page's end stops the training."""
import pytest

pn = pytest.importorskip("panel")

import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402

from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.train import TrainingMonitor  # noqa: E402


def run(mon, epochs, timeout=60):
    trainer = mon.state.start(epochs=epochs)
    end = time.monotonic() + timeout
    while trainer.alive:
        assert time.monotonic() < end, "training did not end"
        mon.state.refresh()
        time.sleep(0.01)
    mon.state.refresh()
    return trainer


def test_widgets_and_state_stay_bound():
    session = WorkbenchSession("UCI synthetic control")
    mon = TrainingMonitor(session)
    mon.epochs_input.value = 3                                 # widget -> session
    assert session.epochs == 3
    session.select_task("JapaneseVowels")                      # the task resets it: session -> widget
    assert mon.epochs_input.value == session.task.epochs == 30
    mon.smoothing.value = 0.2
    assert mon.state.smoothing == 0.2
    mon.state.measure = "score"
    assert mon.measure.value == "score"
    assert set(mon.controls) >= {"epochs", "start", "smoothing", "save", "load", "stats"}
    assert all(w.description for w in (mon.epochs_input, mon.measure, mon.download,
                                       mon.start_button, mon.pause_button, mon.stop_button, mon.hist_layer))


def test_buttons_status_and_figures_follow_a_run():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    assert mon.stop_button.disabled and mon.pause_button.disabled and not mon.start_button.disabled
    assert mon.download.disabled and "idle" in mon.status_pane.object
    trainer = mon.state.start(epochs=1000)
    assert mon.start_button.disabled and not mon.stop_button.disabled and mon._poll is not None   # polling
    mon.pause_button.clicks += 1
    assert mon.pause_button.label == "Resume" and mon.status_pane.alert_type == "warning"
    mon.stop_button.clicks += 1
    assert not trainer.alive and mon._poll is None and not mon.start_button.disabled and not mon.download.disabled
    trainer = run(mon, 2)
    s = mon.state.series
    raw, smooth = mon.loss_pane.object.data[:2]
    assert list(raw.x) == list(s.iterations) and np.allclose(raw.y, s.per_step)
    assert np.allclose(smooth.y, mon.state.smoothed)
    assert mon.loss_pane.object.layout.yaxis.title.text == "loss (nats per series)"
    mon.measure.value = "score"                                # redrawn at once
    assert np.allclose(mon.loss_pane.object.data[0].y, s.scores)
    assert mon.progress.value == mon.progress.max and mon.status_pane.alert_type == "success"
    accuracy, f1 = mon.eval_pane.object.data
    assert accuracy.name == "accuracy" and list(accuracy.x) == [1, 2]
    ev = trainer.history.evaluations[-1][1]
    cm = np.asarray(mon.cm_pane.object.data[0].z)
    assert cm.shape == (6, 6) and cm.sum() == 150 and list(mon.cm_pane.object.data[0].x)[0] == ev.class_names[0]
    assert mon.cm_pane.object.layout.title.text == "Confusion matrix after epoch 2"
    stats = mon.stats_pane.object.data                         # 2 layers x (ratio, norm) + the learning rate
    assert len(stats) == 5 and all(len(t.y) == len(s) for t in stats)
    assert stats[2].y[-1] == pytest.approx(trainer.history.infos[-1]["grad_norms"][0])
    bars = [t for t in mon.hist_pane.object.data if t.type == "bar"]
    assert len(bars) == 3 and all(len(b.y) == 30 for b in bars)
    assert list(mon.hist_layer.options) == ["0 GravesLSTM", "1 RnnOutputLayer"]
    mon.hist_layer.value = "1 RnnOutputLayer"                  # widget -> state -> figure
    assert mon.state.hist_layer == "1 RnnOutputLayer" and "1 RnnOutputLayer" in mon.hist_pane.object.layout.title.text
    assert list(mon.timeline_pane.object.data[1].x) == [60]    # standard BPTT: the one segment gets gradient all along
    assert "of epoch 2" in mon.timeline_pane.object.layout.title.text


def test_before_the_first_run_a_text_says_what_will_appear_instead_of_empty_axes():
    mon = TrainingMonitor(WorkbenchSession("Tiny Shakespeare"))
    panes = (mon.loss_pane, mon.eval_pane, mon.cm_pane, mon.stats_pane, mon.hist_pane, mon.timeline_pane)
    assert mon.placeholder.visible and "Press **Start**" in mon.placeholder.object
    assert not any(p.visible for p in panes) and not mon.eval_note.visible and not mon.hist_layer.visible
    from workbench.data.datasets import tiny_shakespeare
    mon.state.session.use_data(tiny_shakespeare(batch_size=4, sequence_length=60, examples_per_epoch=8))
    run(mon, 1)
    assert not mon.placeholder.visible and mon.loss_pane.visible and mon.timeline_pane.visible
    assert not mon.eval_pane.visible and mon.eval_note.visible and "No test data" in mon.eval_note.object
    assert {t.name for t in mon.loss_pane.object.data[2:]} == {"segment 0", "segment 1"}   # a legend per segment
    mon.state.session.select_task("UCI synthetic control")     # a new data set: back to the text
    assert mon.placeholder.visible and not mon.loss_pane.visible and len(mon.loss_pane.object.data[0].x or ()) == 0


def test_a_bad_file_is_an_error_in_the_message_alert():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    mon.upload.value = {"model.zip": b"not a zip"}             # the file dropper's path
    assert mon.state.message_kind == "error" and mon.message_pane.alert_type == "danger" and mon.message_pane.visible
    assert mon.state.session.net is None


def test_upload_loads_a_saved_model():
    mon = TrainingMonitor(WorkbenchSession("Shifted symbols (future context)"))
    run(mon, 1)
    data = mon.download.callback().getvalue()
    other = TrainingMonitor(WorkbenchSession("Shifted symbols (future context)"))
    other.upload.value = {"model.zip": data}
    assert other.state.session.net.iteration_count == mon.state.session.net.iteration_count
    assert other.message_pane.alert_type == "success" and not other.download.disabled


def test_closing_the_page_stops_polling_and_training_within_one_update():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    server_session = SimpleNamespace(connection_count=1)
    mon._doc = SimpleNamespace(session_context=SimpleNamespace(session=server_session))
    trainer = mon.state.start(epochs=1000)
    mon._tick()
    assert trainer.alive and mon._poll is not None
    server_session.connection_count = 0                        # the websocket closed
    mon._tick()
    assert trainer.join(1.0) and trainer.state == "stopped" and mon._poll is None
    mon2 = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    trainer = mon2.state.start(epochs=1000)
    mon2.close()                                               # on_session_end's hook
    assert trainer.join(1.0) and mon2._poll is None


def test_renders():
    mon = TrainingMonitor()
    assert pn.panel(mon).get_root() is not None
    run(mon, 1)                                                # updates a rendered model in place
    assert len(mon.state.loss_series) == 15


def test_regression_shows_rmse_and_r2_and_no_confusion_matrix():
    mon = TrainingMonitor(WorkbenchSession("Airline passengers"))
    run(mon, 1)
    rmse, r2 = mon.eval_pane.object.data
    assert (rmse.name, r2.name) == ("RMSE", "R^2") and len(rmse.y) == 1 and mon.eval_pane.visible
    assert not mon.cm_pane.visible and not mon.eval_note.visible
