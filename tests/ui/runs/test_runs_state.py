"""The Runs tab's state without widgets: rows from a real run store, refresh on change only, the
curves and parallel coordinates of the runs selected, rename, delete, export and open."""
import csv
import io
import time
import zipfile

import numpy as np
import pytest

from workbench.ui.runs.rows import hyperparameters, layers_text
from workbench.ui.runs.state import RunsState, epochs_trained

from conftest import FakeSession, info


def events(state, *names):
    """A list that gets the name of each event fired on ``state``."""
    fired = []
    state.param.watch(lambda *fires: fired.extend(e.name for e in fires), list(names))
    return fired


def test_rows_hold_each_run_with_its_hyperparameters_and_final_metrics(runs):
    state = RunsState(runs.session)
    tbptt, plain, live = state.rows
    assert [r["id"] for r in state.rows] == [runs.tbptt, runs.plain, runs.live]
    assert (tbptt["name"], tbptt["task"], tbptt["status"], live["status"]) == \
        ("lstm-4", "classification", "finished", "running")
    assert tbptt["layers"] == "LSTM 4 > RnnOutputLayer" and tbptt["updater"] == "Adam 0.01"
    assert (tbptt["backprop"], plain["backprop"]) == ("TBPTT 3/3", "standard")
    assert [(r["epochs"], r["seed"], r["updates"]) for r in state.rows] == [(2, 1, 12), (3, 2, 6), (5, 3, 4)]
    assert (tbptt["accuracy"], tbptt["f1"], plain["accuracy"]) == (0.75, 0.7, 0.9)      # the last epoch's
    assert live["accuracy"] is None and live["f1"] is None and state.metric_columns == ["accuracy", "f1"]
    assert tbptt["duration (s)"] >= 0 and time.strptime(tbptt["started"], "%Y-%m-%d %H:%M:%S")
    assert list(tbptt)[-3:] == ["updates", "duration (s)", "started"] and state.message == ""


def test_layer_texts_of_wrappers_and_dense_layers():
    layers = [{"type": "Bidirectional", "mode": "concat", "layer": {"type": "LSTM", "n_out": 32}},
              {"type": "DenseLayer", "n_out": 16}, {"type": "OutputLayer", "n_out": 3, "loss": "mcxent"}]
    assert layers_text(layers) == "Bidirectional(LSTM 32) > DenseLayer 16 > OutputLayer"


def test_a_session_without_a_run_store_says_how_to_get_one():
    state = RunsState(FakeSession(None))
    assert state.rows == [] and not state.refresh() and state.curves() == []
    assert state.message_kind == "info" and "make run" in state.message and "RunService()" in state.message


def test_refresh_reads_again_only_what_changed(runs):
    state = RunsState(runs.session)
    state.selected = [runs.tbptt, runs.live]
    state.curves()
    reads = []
    metrics = runs.store.metrics
    runs.store.metrics = lambda run_id: reads.append(run_id) or metrics(run_id)
    fired, rows = events(state, "draw_curves", "draw_parallel"), state.rows
    assert not state.refresh() and state.rows is rows and fired == []
    state.curves()
    assert reads == []                                                    # both cached
    runs.writer.append_update(4, 0, 1.5, info(1, 1))
    assert state.refresh() and state.rows[2]["updates"] == 5 and set(fired) == {"draw_curves", "draw_parallel"}
    live = state.curves()[1]
    assert reads == [runs.live] and len(live["x"]) == 5 and live["y"][-1] == pytest.approx(1.5 * 8 / 24)
    runs.writer.set_status("paused")                                       # a status counts as a change
    assert state.refresh() and state.rows[2]["status"] == "paused"
    runs.store.rename(runs.plain, "elsewhere")                             # e.g. in another session
    assert state.refresh() and state.rows[1]["name"] == "elsewhere" and not state.refresh()


def test_selected_runs_give_one_curve_each_along_each_x_axis(runs):
    state = RunsState(runs.session)
    fired = events(state, "draw_curves")
    state.selected = [runs.plain, runs.tbptt]
    assert fired == ["draw_curves"]
    tbptt, plain = state.curves()                                         # oldest first
    assert (tbptt["label"], plain["label"]) == (f"#{runs.tbptt} lstm-4", f"#{runs.plain} lstm-8")
    assert list(plain["x"]) == list(range(6)) and np.allclose(plain["y"], (2.4 - 0.2 * np.arange(6)) / 6)
    assert list(tbptt["segment"]) == [0, 1, 2] * 4 and list(plain["segment"]) == [0] * 6
    state.x_axis = "epoch"                                                 # 2 updates per epoch, epochs 0..2
    assert fired == ["draw_curves"] * 2 and list(state.curves()[1]["x"]) == [0.5, 1, 1.5, 2, 2.5, 3]
    assert state.curves()[0]["x"][5] == 1 and state.curves()[0]["x"][-1] == 2 and state.x_title == "epochs trained"
    state.x_axis = "wall time"
    assert list(state.curves()[1]["x"]) == [0, 2, 4, 6, 8, 10] and list(state.curves()[0]["x"][:3]) == [0, 1, 2]
    state.measure = "score"
    assert np.allclose(state.curves()[1]["y"], 2.4 - 0.2 * np.arange(6)) and state.y_title.startswith("score")
    state.log_y = True                                      # the view changes the axis of the figure it has
    assert fired == ["draw_curves"] * 4


def test_epochs_trained_spreads_an_unfinished_epoch_like_the_full_ones():
    assert np.allclose(epochs_trained(np.array([0, 0, 0, 1])), [1 / 3, 2 / 3, 1, 4 / 3])
    assert np.allclose(epochs_trained(np.array([2, 2, 3, 3, 3])), [2.5, 3, 10 / 3, 11 / 3, 4])
    assert len(epochs_trained(np.zeros(0, np.int64))) == 0


def test_parallel_keeps_the_hyperparameters_that_vary(runs):
    state = RunsState(runs.session)
    dims, metric, values = state.parallel()                               # none selected: the ended runs
    assert metric == "accuracy" and values == [0.75, 0.9]
    assert dims["layer 0 units"] == [4, 8] and dims["epochs"] == [2, 3] and dims["seed"] == [1, 2]
    assert dims["parameters"][0] < dims["parameters"][1]
    assert "lr" not in dims and "l2" not in dims                           # the same in both
    assert "tbptt_fwd_length" not in dims                                  # the standard-BPTT run has none
    state.selected = [runs.tbptt, runs.live]                               # the live run has no accuracy yet
    dims, metric, values = state.parallel()
    assert metric == "final loss per step" and values == pytest.approx([(3.0 - 1.1) / 3, 2.0 / 3])
    assert set(dims) == {"epochs", "seed"}                                 # same units, same TBPTT length
    state.selected = [runs.plain]
    assert state.parallel()[2] == [0.9] and state.parallel()[0] == {}


def test_hyperparameters_of_a_configuration_that_does_not_build_leave_out_the_parameter_count(runs):
    run = runs.store.get_run(runs.store.create_run("bare", "regression", {"layers": []}, {"epochs": 4}))
    assert hyperparameters(run) == {"epochs": 4}


def test_rename(runs):
    state = RunsState(runs.session)
    assert state.rename(runs.plain, "  wide  ")
    assert state.rows[1]["name"] == "wide" and runs.store.get_run(runs.plain).name == "wide"
    assert not state.rename(runs.plain, " ")
    assert state.message_kind == "error" and "cannot be empty" in state.message and state.rows[1]["name"] == "wide"
    assert not state.rename(999, "x") and "run 999 is not in the store" in state.message


def test_delete_refuses_a_run_still_training(runs):
    state = RunsState(runs.session)
    state.selected = [runs.tbptt, runs.live]
    assert state.delete([runs.tbptt, runs.live]) == [runs.tbptt]
    assert state.message_kind == "error" and f"#{runs.live} is running" in state.message
    assert "stop a run first" in state.message.lower() and f"Deleted run #{runs.tbptt}" in state.message
    assert [r["id"] for r in state.rows] == [runs.plain, runs.live] and state.selected == [runs.live]
    assert [r.id for r in runs.store.list_runs()] == [runs.plain, runs.live]
    assert state.delete([runs.plain]) == [runs.plain] and state.message_kind == "success"


def test_stop_asks_only_the_runs_still_training(runs):
    state = RunsState(runs.session)
    assert state.stop([runs.tbptt, runs.live, runs.plain]) == [runs.live]
    assert runs.session.stopped == [runs.live] and f"#{runs.live}" in state.message
    assert state.stop([runs.plain]) == [] and runs.session.stopped == [runs.live]


def test_export_is_a_zip_of_the_two_csv_files(runs):
    state = RunsState(runs.session)
    with zipfile.ZipFile(io.BytesIO(state.export_csv(runs.plain))) as z:
        assert sorted(z.namelist()) == [f"run-{runs.plain}-epochs.csv", f"run-{runs.plain}-updates.csv"]
        updates = list(csv.DictReader(io.TextIOWrapper(z.open(f"run-{runs.plain}-updates.csv"))))
        epochs = list(csv.DictReader(io.TextIOWrapper(z.open(f"run-{runs.plain}-epochs.csv"))))
    assert [int(u["iteration"]) for u in updates] == list(range(6)) and float(updates[1]["score"]) == 2.4 - 0.2
    assert [(e["epoch"], float(e["accuracy"])) for e in epochs] == [("0", 0.6), ("1", 0.7), ("2", 0.9)]
    with pytest.raises(ValueError, match="select one run"):
        state.download()
    assert state.message_kind == "error"
    state.selected = [runs.plain]
    assert state.download().getvalue()[:2] == b"PK"


def test_open_asks_the_session_and_names_the_tab_to_show(runs):
    state = RunsState(runs.session)
    tabs = events(state, "open_tab")
    assert state.open(runs.plain, "train") and state.open_tab == "Train"
    assert state.open(runs.plain, "train") and tabs == ["open_tab", "open_tab"]     # again: shown again
    assert state.open(runs.tbptt, "step") and state.open_tab == "Step" and state.message_kind == "success"
    assert runs.session.opened == [(runs.plain, "train"), (runs.plain, "train"), (runs.tbptt, "step")]
    runs.session.fail = "run 2 has no model file"
    assert not state.open(runs.plain, "build") and state.open_tab == "Step" and len(tabs) == 3
    assert state.message_kind == "error" and state.message == \
        f"Could not open run #{runs.plain} in Build: run 2 has no model file"
    with pytest.raises(ValueError, match="where must be one of build, train, step"):
        state.open(runs.plain, "data")


def sweep_point(store, sweep, params, accuracy, units=4):
    """A finished run of sweep ``sweep`` with ``params`` and its final accuracy."""
    from conftest import conf
    run_id = store.create_run(f"{sweep}: {params}", "classification", conf(units),
                              {"epochs": 1, "sweep": sweep, "params": params}, seed=1)
    with store.writer(run_id) as w:
        w.set_status("running")
        w.append_update(0, 0, 1.0, info(0, 0))
        w.append_epoch(0, {"accuracy": accuracy})
        w.set_status("finished")
    return run_id


def test_one_sweep_shown_alone_with_the_fields_it_set_against_its_metric(runs):
    a = sweep_point(runs.store, "sweep 1", {"updater.beta1": 0.8, "updater.type": "Adam", "layers.0.n_out": 4}, 0.6)
    b = sweep_point(runs.store, "sweep 1", {"updater.beta1": 0.9, "updater.type": "Nadam", "layers.0.n_out": 8},
                    0.8, units=8)
    c = sweep_point(runs.store, "other", {"seed": 5}, 0.7)
    state = RunsState(runs.session)
    assert state.param.sweep.objects == ["all runs", "sweep 1", "other"] and state.sweep == "all runs"
    assert [r["sweep"] for r in state.rows] == ["", "", "", "sweep 1", "sweep 1", "other"]
    state.selected = [runs.plain, a]
    state.sweep = "sweep 1"                                     # the runs checked that are hidden now: unchecked
    assert [r["id"] for r in state.rows] == [a, b] and state.selected == [a]
    state.selected = []
    dims, metric, values = state.parallel()                     # none checked: the sweep's ended runs
    assert metric == "accuracy" and values == [0.6, 0.8]
    assert dims["updater.beta1"] == [0.8, 0.9] and dims["updater.type"] == ["Adam", "Nadam"]
    assert dims["layer 0 units"] == [4, 8] and "layers.0.n_out" not in dims       # named once
    runs.store.delete(a)
    runs.store.delete(b)
    assert state.refresh() and state.sweep == "all runs" and state.param.sweep.objects == ["all runs", "other"]
    state.show_sweep("other")
    assert [r["id"] for r in state.rows] == [c] and state.selected == [c]          # checked: its curves drawn
