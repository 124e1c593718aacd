"""The Train view without a browser: drive TrainingMonitor through its methods, call refresh()
as the periodic callback would, and assert on the series, the figures and the messages."""
import pytest

pn = pytest.importorskip("panel")

import dataclasses  # noqa: E402
import io  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from workbench.data.datasets import tiny_shakespeare  # noqa: E402
from workbench.nn import LSTM, RnnOutputLayer, Sgd  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.training_monitor import TrainingMonitor, decimate, ema  # noqa: E402


def refresh_until_done(mon, timeout=60):
    """Poll like the periodic callback until the trainer ends; returns the series lengths seen."""
    trainer, seen = mon.session.trainer, []
    end = time.monotonic() + timeout
    while trainer.alive:
        assert time.monotonic() < end, "training did not end"
        mon.refresh()
        seen.append(len(mon.loss_series))
        time.sleep(0.01)
    mon.refresh()
    seen.append(len(mon.loss_series))
    return seen


def test_training_fills_the_loss_the_evaluation_and_the_layer_statistics():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    assert mon.loss_series == [] and "idle" in mon.status and mon.stop_button.disabled
    trainer = mon.start(epochs=2)
    seen = refresh_until_done(mon)
    assert trainer.state == "finished" and seen == sorted(seen)
    assert mon.loss_series == trainer.history.scores and len(mon.loss_series) == 30
    assert "finished" in mon.status and "update 30 / 30" in mon.status and "epoch 2 / 2" in mon.status
    assert mon.progress.value == mon.progress.max
    assert mon.stop_button.disabled and not mon.start_button.disabled
    raw, smooth = mon.loss_fig.data
    assert list(raw.y) == mon.loss_series and list(raw.x) == list(range(30))
    np.testing.assert_allclose(mon.smoothed, ema(mon.loss_series, mon.smoothing.value))
    np.testing.assert_allclose(smooth.y, mon.smoothed)
    mon.smoothing.value = 0.0                                  # no smoothing: the raw series
    np.testing.assert_allclose(mon.smoothed, mon.loss_series)
    accuracy, f1 = mon.eval_fig.data                           # one point per epoch
    assert accuracy.name == "accuracy" and list(accuracy.x) == [1, 2]                # epochs count from 1
    ev = trainer.history.evaluations[-1][1]
    assert accuracy.y[-1] == pytest.approx(ev.accuracy())
    cm = np.asarray(mon.cm_fig.data[0].z)
    assert cm.shape == (6, 6) and cm.sum() == 150 and list(mon.cm_fig.data[0].x)[0] == ev.class_names[0]
    ratios_and_norms = mon.stats_fig.data                      # 2 layers with parameters x (ratio, norm)
    assert len(ratios_and_norms) == 4 and all(len(t.y) == 30 for t in ratios_and_norms)
    assert mon.stats_fig.data[2].y[-1] == pytest.approx(trainer.history.infos[-1]["grad_norms"][0])
    assert mon.current_segments == [(0, 0, 60)]                # standard BPTT: one segment
    assert list(mon.timeline_fig.data[1].x) == [60]            # ... that gets gradient all along


def test_regression_evaluation_shows_rmse_and_r2():
    mon = TrainingMonitor(WorkbenchSession("Airline passengers"))
    mon.start(epochs=1)
    refresh_until_done(mon)
    rmse, r2 = mon.eval_fig.data
    assert (rmse.name, r2.name) == ("RMSE", "R^2") and len(rmse.y) == 1
    assert not mon.cm_pane.visible


def test_pause_freezes_the_series_and_stop_ends_within_a_second():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    trainer = mon.start(epochs=1000)
    while len(trainer.history) < 3:
        time.sleep(0.01)
    mon.pause()
    time.sleep(0.2)                                            # the update in flight lands
    mon.refresh()
    frozen = len(mon.loss_series)
    assert "paused" in mon.status and mon.pause_button.label == "Resume"
    time.sleep(0.3)
    mon.refresh()
    assert len(mon.loss_series) == frozen
    mon.resume()
    time.sleep(0.2)
    mon.refresh()
    assert len(mon.loss_series) > frozen and mon.pause_button.label == "Pause"
    t0 = time.perf_counter()
    mon.stop()
    assert time.perf_counter() - t0 < 1.0
    assert not trainer.alive and trainer.state == "stopped" and "stopped" in mon.status
    assert mon.loss_series == trainer.history.scores


def test_close_stops_the_training():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    trainer = mon.start(epochs=1000)
    assert mon._poll is not None                              # polling while the trainer is alive
    mon.close()
    assert trainer.join(1.0) and trainer.state == "stopped" and mon._poll is None


def test_tbptt_segments_in_the_timeline():
    session = WorkbenchSession("Tiny Shakespeare")
    session.conf = dataclasses.replace(session.conf, layers=[LSTM(16), RnnOutputLayer(65)], tbptt_fwd_length=25,
                                       tbptt_back_length=10)
    session.use_data(tiny_shakespeare(batch_size=8, sequence_length=100, examples_per_epoch=16))
    mon = TrainingMonitor(session)
    trainer = mon.start(epochs=1)
    refresh_until_done(mon)
    assert trainer.state == "finished" and len(mon.loss_series) == 2 * 4
    assert mon.current_segments == [(0, 0, 25), (1, 25, 50), (2, 50, 75), (3, 75, 100)]
    forward, gradient, carried = mon.timeline_fig.data
    assert list(forward.base) == [0, 25, 50, 75] and list(forward.x) == [25] * 4
    assert list(gradient.base) == [15, 40, 65, 90] and list(gradient.x) == [10] * 4   # the last tbptt_back steps
    assert list(carried.x) == [25, 50, 75]                     # state carried into segments 1, 2, 3
    assert set(mon.loss_fig.data[0].marker.color) == {0, 1, 2, 3}
    assert mon._eval_note.visible and "No test data" in mon._eval_note.object


@pytest.mark.filterwarnings("ignore::RuntimeWarning")          # the overflow on the way to inf is the point
def test_divergence_shows_the_message_and_keeps_finite_parameters():
    session = WorkbenchSession("Airline passengers")
    session.conf = dataclasses.replace(session.conf, updater=Sgd(1e3))
    mon = TrainingMonitor(session)
    trainer = mon.start(epochs=5)
    refresh_until_done(mon)
    assert trainer.state == "failed"
    assert "Training failed" in mon.status and "last finite values" in mon.status
    assert mon._status_pane.alert_type == "danger" and "last finite values" in mon._status_pane.object
    assert all(np.isfinite(v).all() for v in session.net.params().values())


def test_save_and_load_round_trip_the_network():
    mon = TrainingMonitor(WorkbenchSession("Shifted symbols (future context)"))
    assert mon.download.disabled
    with pytest.raises(ValueError, match="no network"):
        mon.save_bytes()
    mon.start(epochs=1)
    refresh_until_done(mon)
    assert not mon.download.disabled
    data = mon.save_bytes()
    assert data[:2] == b"PK" and mon.download.callback().getvalue() == data
    other = TrainingMonitor(WorkbenchSession("Shifted symbols (future context)"))
    net = other.load_bytes(data)
    assert other.session.net is net and other.session.conf == net.conf and "Loaded" in other.message
    want = mon.session.net.params()
    assert set(net.params()) == set(want)
    assert all(np.array_equal(v, want[k]) for k, v in net.params().items())
    third = TrainingMonitor(WorkbenchSession("Shifted symbols (future context)"))
    third.upload.value = data                                  # the FileInput path
    assert third.session.net is not None and third.session.net.iteration_count == net.iteration_count


def test_save_while_training_holds_the_trainer_then_resumes():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    trainer = mon.start(epochs=1000)
    while len(trainer.history) < 2:
        time.sleep(0.01)
    data = mon.save_bytes()
    assert data[:2] == b"PK" and trainer.state == "running"
    mon.stop()
    assert not trainer.alive


def test_a_bad_file_gives_a_message():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    assert mon.load_bytes(b"this is not a zip file") is None
    assert mon.message.startswith("Could not load the model") and mon._message_pane.visible
    assert mon.session.net is None
    buf = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert mon.load_bytes(buf.getvalue()) is None and "not a workbench model" in mon.message


def test_an_invalid_configuration_cannot_start():
    session = WorkbenchSession("UCI synthetic control")
    session.conf = None
    mon = TrainingMonitor(session)
    assert mon.start(epochs=1) is None and "Cannot start training" in mon.message


def test_decimate_caps_the_points_and_keeps_the_ends():
    assert list(decimate(10, cap=20)) == list(range(10))
    for n in (5001, 12345, 100_000):
        idx = decimate(n)
        assert len(idx) <= 5000 and idx[0] == 0 and idx[-1] == n - 1 and (np.diff(idx) > 0).all()
    assert set(decimate(20_000)[:-1]) <= set(decimate(20_001))       # points stay put as the series grows


def test_renders():
    mon = TrainingMonitor()
    assert pn.panel(mon).get_root() is not None
    mon.start(epochs=1)
    refresh_until_done(mon)                                    # updates a rendered model in place
    assert len(mon.loss_series) == 15


def test_a_network_that_does_not_fit_the_data_cannot_start():
    import dataclasses
    session = WorkbenchSession("UCI synthetic control")
    conf = session.conf
    session.conf = dataclasses.replace(conf, layers=conf.layers[:-1] + (dataclasses.replace(conf.layers[-1], n_out=3),))
    mon = TrainingMonitor(session)
    assert mon.start(epochs=1) is None and session.trainer is None
    assert mon.message_kind == "error" and "does not fit the training data" in mon.message and "n_out=3" in mon.message


def test_loading_names_the_member_not_a_temporary_path_and_says_when_the_model_does_not_fit(tmp_path):
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    buf = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("config.json", "params.npz", "updater.npz", "extra.txt"):
            z.writestr(name, b"{}")
    assert mon.load_bytes(buf.getvalue()) is None
    assert mon.message == ("Could not load the model: extra.txt is not a member of a workbench model (expected "
                           "config.json, params.npz, updater.npz, state.npz)")
    other = WorkbenchSession("JapaneseVowels")
    other.new_network().save(tmp_path / "vowels.zip")
    net = mon.load_bytes((tmp_path / "vowels.zip").read_bytes())
    assert net is not None and mon.message_kind == "warning" and "does not fit the data" in mon.message


def test_before_the_first_run_a_text_says_what_will_appear_instead_of_empty_axes():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    panes = (mon.loss_pane, mon.eval_pane, mon.cm_pane, mon.stats_pane, mon.timeline_pane)
    assert mon._placeholder.visible and "Press **Start**" in mon._placeholder.object
    assert not any(p.visible for p in panes)
    mon.start(epochs=1)
    refresh_until_done(mon)
    assert not mon._placeholder.visible and all(p.visible for p in panes)


def test_epochs_count_from_one_in_the_charts_as_in_the_status():
    mon = TrainingMonitor(WorkbenchSession("UCI synthetic control"))
    mon.start(epochs=2)
    refresh_until_done(mon)
    assert list(mon.eval_fig.data[0].x) == [1, 2] and "epoch 2 / 2" in mon.status
    assert mon.cm_fig.layout.title.text == "Confusion matrix after epoch 2"
    assert "of epoch 2" in mon.timeline_fig.layout.title.text
