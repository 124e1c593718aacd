"""Runs in Dask worker processes (workbench.runs.remote) on a real two-worker LocalCluster: the same
parameters as in-process training, live progress, pause/resume/stop, the NaN halt and a worker
killed mid-run."""
import functools
import os
import signal
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from workbench.data import DataSet  # noqa: E402
from workbench.distributed import connect, local_cluster  # noqa: E402
from workbench.nn import (LSTM, DenseLayer, InputType, MultiLayerConfiguration, MultiLayerNetwork,  # noqa: E402
                          OutputLayer, RnnOutputLayer, Sgd)
from workbench.errors import InvalidInputError  # noqa: E402
from workbench.eval import RegressionEvaluation  # noqa: E402
from workbench.nn.trainer import BackgroundTrainer  # noqa: E402
from workbench.runs import RunStore, evaluation_metrics  # noqa: E402
from workbench.runs.remote import submit_run  # noqa: E402


def data(n_batches=4, n=8, t=12, seed=0):
    """``n_batches`` classification DataSets: features (n, 3, t), one-hot labels (n, 2, t)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_batches):
        x = rng.normal(size=(n, 3, t))
        out.append(DataSet(x, np.eye(2)[(x[:, 0] > 0).astype(int)].transpose(0, 2, 1).copy()))
    return out


def masked(n_batches=3, n=6, t=10, seed=1):
    """``data`` with features masks (examples of 4..t steps) and labels masks (about 60% of those)."""
    rng, out = np.random.default_rng(seed), []
    for ds in data(n_batches, n, t, seed):
        fmask = (np.arange(t) < rng.integers(4, t + 1, size=(n, 1))).astype(float)
        out.append(DataSet(ds.features * fmask[:, None], ds.labels, fmask, fmask * (rng.random((n, t)) < 0.6)))
    return out


def linear(seed=0, n=16):
    """A feed-forward regression DataSet: features (n, 3), labels (n, 2) one noisy linear map of them."""
    rng, w = np.random.default_rng(seed), np.random.default_rng(99).normal(size=(3, 2))
    x = rng.normal(size=(n, 3))
    return DataSet(x, x @ w + 0.1 * rng.normal(size=(n, 2)))


def conf(**kw):
    return MultiLayerConfiguration([LSTM(8), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=3,
                                   dtype="float64", backprop_type="tbptt", tbptt_fwd_length=4, **kw)


@pytest.fixture(scope="module")
def client():
    c = local_cluster(n_workers=2)
    yield c
    c.close()


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as s:
        yield s


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_workers_are_processes_with_one_blas_thread(client):
    pids = client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()
    assert set(client.run(os.environ.get, "OPENBLAS_NUM_THREADS").values()) == {"1"}
    assert set(client.run(os.environ.get, "OMP_NUM_THREADS").values()) == {"1"}


def test_connect_reaches_the_cluster_of_the_address_variable(client, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DASK_ADDRESS", client.scheduler.address)
    with connect() as other:
        assert set(other.run(os.getpid)) == set(client.run(os.getpid))


def test_a_worker_trains_the_same_parameters_as_fit_in_process(client, store):
    train = data()
    here, scores = MultiLayerNetwork(conf()).init(), []
    here.fit(train, epochs=2, listeners=lambda i, e, s, info: scores.append(s))
    run_id = store.create_run("same", "classification", conf(), {"epochs": 2})
    run = submit_run(client, store.path, run_id, train)
    assert run.wait(60) == "finished", run.error
    there = run.latest_network()
    assert there.iteration_count == here.iteration_count == 2 * 4 * 3
    for k, v in here.params().items():
        np.testing.assert_array_equal(there.params()[k], v)           # bit for bit, float64
    got = run.progress()
    assert got["iteration"] == list(range(24)) and got["score"] == scores and got["t1"][:3] == [4, 8, 12]
    assert len(got["grad_norms"][0]) == 2 and run.progress()["iteration"] == []


def test_progress_pause_resume_and_stop_within_a_second(client, store):
    loader = functools.partial(data, 50)                   # the worker loads the data itself
    run_id = store.create_run("long", "classification", conf(), {"epochs": 1000})
    run = submit_run(client, store.path, run_id, loader, snapshot_every=0.5)
    wait_for(lambda: run.state == "running")
    arrivals = []                                          # progress calls that brought new rows
    t0 = time.monotonic()
    while time.monotonic() - t0 < 1.0:
        if run.progress()["iteration"]:
            arrivals.append(time.monotonic())
        time.sleep(0.05)
    assert len(arrivals) >= 4
    run.pause()
    wait_for(lambda: run.state == "paused", 1.0)
    run.progress()
    time.sleep(0.3)
    assert run.progress()["iteration"] == []               # nothing trains while paused
    paused = run.latest_network()                          # the snapshot taken on pause
    run.resume()
    wait_for(lambda: run.state == "running", 1.0)
    wait_for(lambda: len(run.progress()["iteration"]) > 0, 2.0)
    asked = time.monotonic()
    run.stop()
    wait_for(lambda: run.state == "stopped", 1.0)
    assert time.monotonic() - asked < 1.0 and run.error is None
    final = run.latest_network()
    assert final.iteration_count > paused.iteration_count > 0
    assert run.future.result(10)["status"] == "stopped"


def test_a_diverging_run_fails_and_keeps_the_last_finite_parameters(client, store):
    rng = np.random.default_rng(0)                         # a linear regression with a far too large step
    linear = MultiLayerConfiguration([DenseLayer(4, activation="identity"), OutputLayer(2, loss="mse",
                                      activation="identity")], input_type=InputType.feed_forward(3), seed=0,
                                     updater=Sgd(1e3), dtype="float64")
    run_id = store.create_run("nan", "regression", linear, {"epochs": 500})
    run = submit_run(client, store.path, run_id, DataSet(rng.normal(size=(8, 3)) * 10, rng.normal(size=(8, 2)) * 10))
    assert run.wait(60) == "failed"
    assert "score became" in run.error
    net = run.latest_network()
    assert all(np.isfinite(v).all() for v in net.params().values())
    assert net.iteration_count == len(store.metrics(run_id).updates["iteration"]) > 0


@pytest.mark.parametrize("how", ["scattered", "loader"])   # the data dies with the worker / is loaded again
def test_a_killed_worker_fails_the_run_and_the_client_goes_on(client, store, how):
    run_id = store.create_run("killed", "classification", conf(), {"epochs": 1000})
    train = data(50) if how == "scattered" else functools.partial(data, 50)
    run = submit_run(client, store.path, run_id, train, snapshot_every=0.2)
    wait_for(lambda: run.state == "running" and run.latest_network() is not None)
    [address] = [a for a, keys in client.processing().items() if run.future.key in keys]
    os.kill(client.run(os.getpid)[address], signal.SIGKILL)     # a worker process this fixture started
    wait_for(lambda: run.state == "failed", 60)
    assert "worker" in run.error and "lost" in run.error, run.error
    assert run.latest_network().iteration_count > 0            # the last snapshot is kept
    again = store.create_run("after", "classification", conf(), {"epochs": 1})
    assert submit_run(client, store.path, again, data()).wait(60) == "finished"


UPDATE_COLUMNS = ("iteration", "epoch", "batch", "segment", "t0", "t1", "score", "loss_per_step", "labelled_steps",
                  "examples", "length", "learning_rate")


def test_update_rows_and_epoch_metrics_are_those_of_a_background_trainer_run(client, store):
    train, test = masked(), masked(2, seed=7)
    bg = BackgroundTrainer(MultiLayerNetwork(conf()).init(), train, epochs=2, histogram_every=None,
                           evaluate=lambda net: net.evaluate(test)).start()
    assert bg.join(60) and bg.state == "finished", bg.error
    here = store.create_run("here", "classification", conf(), {"epochs": 2})
    with store.writer(here) as w:                          # what the app stores of a BackgroundTrainer run
        h = bg.history
        for i, e, s, info in zip(h.iterations, h.epochs, h.scores, h.infos):
            w.append_update(i, e, s, info)
        for epoch, ev in h.evaluations:
            w.append_epoch(epoch, evaluation_metrics(ev))
    run_id = store.create_run("there", "classification", conf(), {"epochs": 2})
    run = submit_run(client, store.path, run_id, train, evaluate=(test, "classification"))
    assert run.wait(60) == "finished", run.error
    got = run.progress()
    expected = store.metrics(here)
    for name in UPDATE_COLUMNS:
        np.testing.assert_array_equal(np.array(got[name], float), expected.updates[name], err_msg=name)
        np.testing.assert_array_equal(store.metrics(run_id).updates[name], expected.updates[name], err_msg=name)
    assert got["labelled_steps"] == [i["labelled_steps"] for i in h.infos]
    assert got["loss_per_step"] == [s * i["examples"] / i["labelled_steps"] if i["labelled_steps"] else None
                                    for s, i in zip(h.scores, h.infos)]        # None: a segment with no label
    assert set(got["examples"]) == {6} and set(got["length"]) == {10} and got["learning_rate"][0] > 0
    assert got["labelled_steps"][:3] != [6 * 4] * 3                  # the labels mask counts, not the segment
    epochs = run.epochs()
    assert [e for e, _ in epochs] == [0, 1] and run.epochs() == []
    assert [m for _, m in epochs] == [evaluation_metrics(ev) for _, ev in h.evaluations]
    assert set(epochs[0][1]) == {"accuracy", "f1"}


def test_a_regression_run_stores_rmse_and_r2_after_each_epoch(client, store):
    net = MultiLayerConfiguration([DenseLayer(4, activation="identity"), OutputLayer(2, loss="mse",
                                   activation="identity")], input_type=InputType.feed_forward(3), seed=0,
                                  updater=Sgd(0.05), dtype="float64")
    run_id = store.create_run("linear", "regression", net, {"epochs": 3})
    loader = functools.partial(linear, 5)                  # test data loaded by the worker
    run = submit_run(client, store.path, run_id, [linear(0), linear(1)], evaluate=loader)   # kind: the run's task
    assert run.wait(60) == "finished", run.error
    epochs = run.epochs()
    assert [e for e, _ in epochs] == [0, 1, 2] and all(set(m) == {"rmse", "r2"} for _, m in epochs)
    assert epochs[2][1]["rmse"] < epochs[0][1]["rmse"]            # it learns
    final, ev, test = run.latest_network(), RegressionEvaluation(), linear(5)
    ev.eval(test.labels, final.output(test.features))
    assert epochs[2][1] == evaluation_metrics(ev)
    assert store.metrics(run_id).epochs["r2"][0].tolist() == [0, 1, 2]
    got = run.progress()
    assert got["labelled_steps"] == got["examples"] == [16] * 6 and got["length"] == [1] * 6
    assert got["loss_per_step"] == got["score"] and got["learning_rate"] == [0.05] * 6


def test_evaluate_needs_a_kind_of_classification_or_regression(client, store):
    run_id = store.create_run("odd", "forecasting", conf(), {"epochs": 1})
    with pytest.raises(InvalidInputError, match="kind"):
        submit_run(client, store.path, run_id, data(), evaluate=data(1))
    with pytest.raises(InvalidInputError, match="kind"):
        submit_run(client, store.path, run_id, data(), evaluate=(data(1), "ranking"))
