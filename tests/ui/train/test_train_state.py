"""The Train tab's state without widgets: drive TrainState's actions, call refresh() as the view's
poll would, and check the series, the status, the messages and the redraw events."""
import pytest

pn = pytest.importorskip("panel")

import dataclasses  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402

import numpy as np  # noqa: E402

from workbench.data.datasets import tiny_shakespeare  # noqa: E402
from workbench.nn import LSTM, RnnOutputLayer, Sgd  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.train.series import ema, planned_segments  # noqa: E402
from workbench.ui.train.state import TrainState  # noqa: E402


def refresh_until_done(state, timeout=60):
    """Poll like the view until the trainer ends; returns the series lengths seen."""
    trainer, seen = state.session.trainer, []
    end = time.monotonic() + timeout
    while trainer.alive:
        assert time.monotonic() < end, "training did not end"
        state.refresh()
        seen.append(len(state.series))
        time.sleep(0.01)
    state.refresh()
    seen.append(len(state.series))
    return seen


def shakespeare_session(fwd=25, back=10):
    session = WorkbenchSession("Tiny Shakespeare")
    session.conf = dataclasses.replace(session.conf, layers=[LSTM(16), RnnOutputLayer(65)], tbptt_fwd_length=fwd,
                                       tbptt_back_length=back)
    session.use_data(tiny_shakespeare(batch_size=8, sequence_length=100, examples_per_epoch=16))
    return session


def test_training_fills_the_series_the_evaluation_and_the_status():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    assert state.loss_series == [] and "idle" in state.status and not state.alive and not state.shown
    trainer = state.start(epochs=2)
    seen = refresh_until_done(state)
    s = state.series
    assert trainer.state == "finished" and seen == sorted(seen) and state.shown
    assert state.loss_series == trainer.history.scores and len(s) == 30 and list(s.iterations) == list(range(30))
    assert "finished" in state.status and "update 30 / 30" in state.status and "epoch 2 / 2" in state.status
    assert state.progress == 1.0 and not state.alive and state.run_state == "finished" and state.can_save
    np.testing.assert_allclose(state.smoothed, ema(state.shown_values, state.smoothing))
    state.smoothing = 0.0                                      # no smoothing: the raw series
    np.testing.assert_allclose(state.smoothed, state.shown_values)
    assert s.eval_epochs == [1, 2] and s.eval_kind == "classification"          # epochs count from 1
    ev = trainer.history.evaluations[-1][1]
    assert s.eval_values[-1, 0] == pytest.approx(ev.accuracy()) and s.last_eval == (2, ev)
    assert s.ratios.shape == s.norms.shape == (30, 2)          # 2 layers with parameters
    assert s.norms[-1, 0] == pytest.approx(trainer.history.infos[-1]["grad_norms"][0])
    assert state.current_segments == [(0, 0, 60)] and state.tbptt_back is None   # standard BPTT: one segment
    np.testing.assert_allclose(s.learning_rates, 0.02)


def test_loss_per_step_is_the_score_times_the_minibatch_over_the_labelled_steps():
    state = TrainState(shakespeare_session(fwd=30))           # segments of 30, 30, 30 and 10 steps
    state.start(epochs=1)
    refresh_until_done(state)
    s = state.series
    assert state.current_segments == planned_segments(100, 30) == [(0, 0, 30), (1, 30, 60), (2, 60, 90), (3, 90, 100)]
    np.testing.assert_allclose(s.per_step, s.scores * 8 / (8 * np.array([30, 30, 30, 10] * 2)))
    assert s.scores[3] < 0.5 * s.scores[2]                    # the short segment's score is smaller ...
    assert s.per_step[3] == pytest.approx(s.per_step[2], rel=0.2)   # ... its loss per step is not
    assert state.measure == "loss per step" and state.loss_unit == "nats per character"
    assert state.loss_axis_title == "loss (nats per character)"
    np.testing.assert_allclose(state.smoothed, ema(s.per_step, state.smoothing))
    state.measure = "score"
    assert state.shown_values is s.scores and state.loss_axis_title.startswith("score")
    np.testing.assert_allclose(state.smoothed, ema(s.scores, state.smoothing))
    assert TrainState(WorkbenchSession("Airline passengers")).loss_unit == "squared error per month"


def test_regression_evaluation_has_rmse_and_r2():
    state = TrainState(WorkbenchSession("Airline passengers"))
    state.start(epochs=1)
    refresh_until_done(state)
    assert state.series.eval_kind == "regression" and state.series.eval_values.shape == (1, 2)


def test_pause_freezes_the_series_and_stop_ends_within_a_second():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    trainer = state.start(epochs=1000)
    while len(trainer.history) < 3:
        time.sleep(0.01)
    state.toggle_pause()
    time.sleep(0.2)                                            # the update in flight lands
    state.refresh()
    frozen, active = len(state.series), trainer.active_seconds
    assert state.run_state == "paused" and "paused" in state.status and state.alive
    time.sleep(0.3)
    state.refresh()
    assert len(state.series) == frozen and trainer.active_seconds == pytest.approx(active, abs=0.05)
    state.toggle_pause()
    time.sleep(0.2)
    state.refresh()
    assert len(state.series) > frozen and state.run_state == "running"
    t0 = time.perf_counter()
    state.stop()
    assert time.perf_counter() - t0 < 1.0
    assert not trainer.alive and trainer.state == "stopped" and "stopped" in state.status and not state.alive
    assert state.loss_series == trainer.history.scores


def test_close_stops_the_training_after_the_current_update():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    trainer = state.start(epochs=1000)
    assert state.alive
    state.close()
    assert trainer.join(1.0) and trainer.state == "stopped" and not state.alive


def test_histograms_of_the_chosen_layer():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    state.start(epochs=1)
    refresh_until_done(state)
    assert state.param.hist_layer.objects == ["0 GravesLSTM", "1 RnnOutputLayer"] and state.hist_layer == "0 GravesLSTM"
    data = state.histogram_data()
    assert set(data) == {"parameters", "gradients", "activations"}
    latest, x, pct = data["parameters"]
    assert latest["counts"].sum() == sum(p.size for p in state.session.net.layers[0].params.values())
    assert x[0] == 0 and (np.diff(x) > 0).all() and pct.shape == (len(x), 7)
    assert (np.diff(pct, axis=1) >= 0).all()                   # percentiles in order
    state.hist_layer = "1 RnnOutputLayer"
    activations = state.histogram_data()["activations"][0]
    assert activations["counts"].sum() == 8 * 60 * 6           # 8 probe series x 60 steps x 6 classes


def test_epochs_count_from_one_in_every_run():
    session = WorkbenchSession("UCI synthetic control")
    state = TrainState(session)
    state.start(epochs=2)
    refresh_until_done(state)
    assert state.series.eval_epochs == [1, 2] and "of epoch 2" in state.timeline_title
    state.start(epochs=1)                                      # the same network trains on
    refresh_until_done(state)
    assert session.net.epoch_count == 3
    assert state.series.eval_epochs == [1] and "epoch 1 / 1" in state.status and "of epoch 1" in state.timeline_title


def test_the_next_run_takes_the_session_epochs_and_a_new_data_set_drops_the_run():
    session = WorkbenchSession("UCI synthetic control")
    state = TrainState(session)
    session.epochs = 1
    trainer = state.start()
    refresh_until_done(state)
    assert trainer.epochs == 1 and state.shown and len(state.series) == 15
    session.select_task("Airline passengers")                  # trainer None: the charts start afresh
    assert state.series.trainer is None and len(state.series) == 0 and not state.shown
    assert "idle" in state.status and state.run_state == "idle" and state.progress == 0 and not state.can_save


def test_redraws_are_asked_for_on_a_budget_and_always_at_the_end():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    drawn = {"loss": 0, "slow": 0, "eval": 0}

    def slow_drawing(kind):
        def draw(_):
            drawn[kind] += 1
            time.sleep(0.05)                                   # a drawing that takes 50 ms
        return draw
    for kind in drawn:
        state.param.watch(slow_drawing(kind), f"draw_{kind}")
    trainer = state.start(epochs=1000)
    end = time.perf_counter() + 2.0
    while time.perf_counter() < end:
        state.refresh()
        time.sleep(0.01)
    assert 2 <= drawn["loss"] <= 10                            # at most every ~5 x the drawing time
    assert 1 <= drawn["slow"] <= 3                             # the slow figures at most once a second
    before = dict(drawn)
    state.stop()                                               # refreshes: the end is drawn at once
    assert not trainer.alive and drawn["loss"] == before["loss"] + 1 and drawn["slow"] == before["slow"] + 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")          # the overflow on the way to inf is the point
def test_a_failed_run_says_why_and_offers_no_save():
    session = WorkbenchSession("Airline passengers")
    session.conf = dataclasses.replace(session.conf, updater=Sgd(1e3))
    state = TrainState(session)
    trainer = state.start(epochs=5)
    refresh_until_done(state)
    assert trainer.state == "failed" and state.run_state == "failed"
    assert "Training failed" in state.status and "last finite values" in state.status
    assert "Save model is off" in state.status and not state.can_save
    assert all(np.isfinite(v).all() for v in session.net.params().values())
    with pytest.raises(ValueError, match="no network to save"):
        state.save_bytes()


def test_save_and_load_round_trip_the_network():
    state = TrainState(WorkbenchSession("Shifted symbols (future context)"))
    assert not state.can_save
    with pytest.raises(ValueError, match="no network"):
        state.save_bytes()
    state.start(epochs=1)
    refresh_until_done(state)
    data = state.save_bytes()
    assert state.can_save and data[:2] == b"PK" and state.download().getvalue() == data
    if importlib.util.find_spec("onnxruntime"):           # the same network for onnxruntime
        import onnxruntime
        session = onnxruntime.InferenceSession(state.download_onnx().getvalue())
        x, m = np.random.default_rng(0).normal(size=(2, net_in(state), 5)).astype(np.float32), np.ones((2, 5), np.float32)
        np.testing.assert_allclose(session.run(["output"], {"features": x, "features_mask": m})[0],
                                   state.session.net.output(x, features_mask=m), atol=1e-5)
    other = TrainState(WorkbenchSession("Shifted symbols (future context)"))
    net = other.load_bytes(data)
    assert other.session.net is net and other.session.conf == net.conf and other.can_save
    assert other.message_kind == "success" and "Loaded" in other.message
    want = state.session.net.params()
    assert set(net.params()) == set(want) and all(np.array_equal(v, want[k]) for k, v in net.params().items())


def test_save_while_training_holds_the_trainer_then_resumes():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    trainer = state.start(epochs=1000)
    while len(trainer.history) < 2:
        time.sleep(0.01)
    assert state.save_bytes()[:2] == b"PK" and trainer.state == "running"
    state.stop()
    assert not trainer.alive


def test_bad_files_give_error_messages_that_say_what_to_do():
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    assert state.load_bytes(b"this is not a zip file") is None
    assert state.message_kind == "error" and state.message.startswith("Could not load the model")
    assert "Save model" in state.message and "Error" not in state.message and state.session.net is None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert state.load_bytes(buf.getvalue()) is None and "not a workbench model" in state.message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("config.json", "params.npz", "updater.npz", "extra.txt"):
            z.writestr(name, b"{}")
    assert state.load_bytes(buf.getvalue()) is None
    assert state.message == ("Could not load the model: extra.txt is not a member of a workbench model (expected "
                             "config.json, params.npz, updater.npz, state.npz). Choose a model .zip made with "
                             "Save model.")


def test_a_model_that_does_not_fit_the_task_loads_with_a_warning(tmp_path):
    state = TrainState(WorkbenchSession("UCI synthetic control"))
    WorkbenchSession("JapaneseVowels").new_network().save(tmp_path / "vowels.zip")
    net = state.load_bytes((tmp_path / "vowels.zip").read_bytes())
    assert net is not None and state.message_kind == "warning" and "does not fit the data" in state.message


def test_an_invalid_or_unfitting_configuration_cannot_start():
    session = WorkbenchSession("UCI synthetic control")
    session.conf = None
    state = TrainState(session)
    assert state.start(epochs=1) is None and state.message_kind == "error" and "Cannot start training" in state.message
    session = WorkbenchSession("UCI synthetic control")
    conf = session.conf
    session.conf = dataclasses.replace(conf, layers=conf.layers[:-1] + (dataclasses.replace(conf.layers[-1], n_out=3),))
    state = TrainState(session)
    assert state.start(epochs=1) is None and session.trainer is None
    assert state.message_kind == "error" and "does not fit the training data" in state.message
    assert "n_out=3" in state.message


def net_in(state) -> int:
    return state.session.net.conf.built_layers[0].n_in
