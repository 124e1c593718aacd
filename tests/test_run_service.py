"""The app's runs (workbench.runs.service and .followed) on a real two-worker LocalCluster: a
session's Start trains on a worker and is kept; the Train tab's view of it equals an in-process
run; stopping before the cluster is up, continuing a trained network, opening a stored run, and
runs orphaned by a server that has gone."""
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from workbench.errors import InvalidInputError  # noqa: E402
from workbench.runs import RunStore  # noqa: E402
from workbench.runs.service import RunService  # noqa: E402
from workbench.ui.session import WorkbenchSession  # noqa: E402

TASK = "UCI synthetic control"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = RunService(tmp_path_factory.mktemp("runs") / "runs.sqlite", n_workers=2)
    yield svc
    svc.close()


def trained(session, epochs=2):
    run = session.start_training(epochs)
    assert run.join(60), run.state
    session.adopt_result()
    return run


def test_a_start_is_a_kept_run_on_a_worker_equal_to_training_here(service):
    here = WorkbenchSession(TASK)
    there = WorkbenchSession(TASK, runs=service)
    there.conf = here.conf
    local = here.start_training(2)
    local.join(60)
    run = trained(there)
    assert run.state == "finished" and run.error is None
    assert len(run.history) == len(local.history) == run.total_updates
    assert run.history.iterations == local.history.iterations and run.history.epochs == local.history.epochs
    assert np.array_equal(run.history.scores, local.history.scores)
    for mine, theirs in zip(local.history.infos, run.history.infos):
        for key in ("batch", "segment", "time_range", "labelled_steps", "examples", "length"):
            assert tuple(np.atleast_1d(mine[key])) == tuple(np.atleast_1d(theirs[key])), key
    assert np.array_equal(there.net.params_vector(), here.net.params_vector())        # bit-identical
    assert [e for e, _ in run.history.evaluations] == [e for e, _ in local.history.evaluations] == [0, 1]
    for (_, a), (_, b) in zip(run.history.evaluations, local.history.evaluations):
        assert np.array_equal(a.confusion_matrix(), b.confusion_matrix())
        assert a.class_names == list(here.task.class_names)
    assert run.history.histograms and set(run.history.histograms[0][1]) == {"parameters", "gradients", "activations"}
    stored = service.store.get_run(run.run_id)
    assert stored.status == "finished" and stored.task == TASK and stored.settings["epochs"] == 2
    assert stored.name == "GravesLSTM 32 > RnnOutputLayer, lr 0.02"          # named after its network
    assert stored.final_metrics["accuracy"] == pytest.approx(run.history.evaluations[-1][1].accuracy())


def test_start_continues_the_trained_network_and_two_runs_train_at_once(service):
    session = WorkbenchSession(TASK, runs=service)
    first = trained(session, 1)
    second = session.start_training(1)
    other = WorkbenchSession(TASK, runs=service)
    third = other.start_training(1)                    # a second session's run, at the same time
    assert second.join(60) and third.join(60)
    second.poll()
    assert second.history.iterations[0] == first.total_updates            # it went on from the first run
    assert second.first_epoch == 1 and second.settings["first_epoch"] == 1
    assert third.history.iterations[0] == 0
    ids = [r.id for r in service.store.list_runs()]
    assert {first.run_id, second.run_id, third.run_id} <= set(ids)


def test_pause_and_resume_reach_the_worker(service):
    session = WorkbenchSession(TASK, runs=service)
    run = session.start_training(30)
    deadline = time.monotonic() + 30
    while len(run.history) < 3 and time.monotonic() < deadline:
        run.poll()
    run.pause()
    run.join(0)
    while run.state != "paused" and time.monotonic() < deadline:
        run.poll()
    assert run.state == "paused"
    run.resume()
    run.stop(wait=20)
    assert run.state == "stopped" and session.latest_network().iteration_count == run.history.iterations[-1] + 1


def test_a_run_stopped_before_the_cluster_is_up_is_stopped_without_training(tmp_path):
    svc = RunService(tmp_path / "runs.sqlite", n_workers=1)
    try:
        session = WorkbenchSession(TASK, runs=svc)
        run = session.start_training(1)
        run.stop()                                      # the cluster is still starting
        assert run.join(60) and run.state == "stopped" and len(run.history) == 0
    finally:
        svc.close()


def test_open_run_restores_the_configuration_the_curves_and_the_final_network(service):
    session = WorkbenchSession(TASK, runs=service)
    session.conf = session.conf.__class__.from_dict({**session.conf.to_dict(), "seed": 7})
    run = trained(session, 1)
    fresh = WorkbenchSession("Airline passengers", runs=service)
    opened = fresh.open_run(run.run_id, "step")
    assert fresh.task.name == TASK and fresh.conf == session.conf and fresh.trainer is opened
    assert len(opened.history) == run.total_updates and opened.state == "finished"
    assert np.array_equal(fresh.net.params_vector(), service.store.load_network(run.run_id).params_vector())
    with pytest.raises(Exception, match="where must be"):
        fresh.open_run(run.run_id, "elsewhere")


def test_runs_of_a_server_that_is_gone_are_marked_failed(tmp_path):
    path = tmp_path / "runs.sqlite"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with RunStore(path) as store:
            conf = WorkbenchSession(TASK).conf
            owner = {"host": socket.gethostname(), "cluster": "embedded"}
            dead = store.create_run("a", TASK, conf, {"owner": {**owner, "pid": gone.pid}})
            live = store.create_run("b", TASK, conf, {"owner": {**owner, "pid": alive.pid}})
            remote = store.create_run("c", TASK, conf, {"owner": {**owner, "pid": gone.pid, "cluster": "tcp://x:1"}})
            with store.writer(dead) as w:
                w.set_status("running")
        svc = RunService(path)
        try:
            runs = {r.id: r for r in svc.store.list_runs()}
            assert runs[dead].status == "failed" and f"process {gone.pid}" in runs[dead].error
            assert runs[live].status == "queued" and runs[remote].status == "queued"
        finally:
            svc.close()
    finally:
        alive.kill()
        alive.wait()


def test_a_sweep_from_the_session_is_one_kept_run_per_point_each_equal_to_training_it_alone(service):
    from workbench.distributed.sweeps import with_fields
    session = WorkbenchSession(TASK, runs=service)
    space = {"layers.0.n_out": [4, 0, 6], "updater.lr": [0.01]}         # n_out 0: an invalid point
    name, runs, left_out = session.start_sweep(space, epochs=1, name="units")
    assert name == "units" and len(runs) == 2
    assert [p for p, _ in left_out] == [{"layers.0.n_out": 0, "updater.lr": 0.01}] and "n_out" in left_out[0][1]
    for run in runs:
        assert run.join(60) and run.state == "finished", run.error
    stored = [service.store.get_run(run.run_id) for run in runs]
    assert [r.name for r in stored] == ["units: layers.0.n_out=4, updater.lr=0.01", "units: layers.0.n_out=6, updater.lr=0.01"]
    assert [r.settings["params"] for r in stored] == [{"layers.0.n_out": 4, "updater.lr": 0.01},
                                                      {"layers.0.n_out": 6, "updater.lr": 0.01}]
    assert {r.settings["sweep"] for r in stored} == {"units"} and {r.task for r in stored} == {TASK}
    assert all("accuracy" in r.final_metrics for r in stored)
    alone = WorkbenchSession(TASK)                                       # same seed, same result, in this process
    alone.conf = with_fields(session.conf, stored[1].settings["params"])
    alone.start_training(1).join(60)
    assert np.array_equal(runs[1].snapshot().params_vector(), alone.net.params_vector())
    assert session.start_sweep({"seed": [1]}, epochs=1)[0] == "sweep 2"   # named after the sweeps stored
    with pytest.raises(InvalidInputError, match="keeps no runs"):
        WorkbenchSession(TASK).start_sweep(space)
