"""sweep / sweep_iter on a real two-worker LocalCluster: grid and random points, each trained
exactly as alone, results streamed as they finish, invalid and failing points reported with
their error while the others go on."""
import numpy as np
import pytest

pytest.importorskip("distributed")

from workbench.data import DataSet  # noqa: E402
from workbench.distributed import SweepResult, local_cluster, sweep, sweep_iter  # noqa: E402
from workbench.distributed.sweeps import points, with_fields  # noqa: E402
from workbench.errors import InvalidInputError  # noqa: E402
from workbench.eval import Evaluation  # noqa: E402
from workbench.nn import LSTM, Adam, Bidirectional, InputType, MultiLayerConfiguration, MultiLayerNetwork  # noqa: E402
from workbench.nn import RnnOutputLayer  # noqa: E402


@pytest.fixture(scope="module")
def client():
    c = local_cluster(n_workers=2)
    yield c
    c.close()


def data(n=16, t=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3, t))
    return [DataSet(x[i:i + 8], np.eye(2)[(x[i:i + 8, 0] > 0).astype(int)].transpose(0, 2, 1).copy())
            for i in range(0, n, 8)]


CONF = MultiLayerConfiguration([LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=5,
                               dtype="float64", updater=Adam(0.01))


def test_a_grid_trains_every_combination_in_order_exactly_as_alone(client):
    space = {"updater.lr": [0.01, 0.05], "layers.0.n_out": [3, 5]}
    results = sweep(CONF, space, data(), data(seed=1), client=client, epochs=2)
    assert [r.params for r in results] == [{"updater.lr": a, "layers.0.n_out": b}
                                           for a in (0.01, 0.05) for b in (3, 5)]
    for r in results:
        assert r.error is None and isinstance(r.evaluation, Evaluation) and len(r.history) == 4
        assert r.conf.updater.lr == r.params["updater.lr"] and r.conf.layers[0].n_out == r.params["layers.0.n_out"]
        alone, scores = MultiLayerNetwork(r.conf).init(), []
        alone.fit(data(), epochs=2, listeners=[lambda i, e, s, info: scores.append(s)])
        assert r.history == scores                                  # same seed, same result
        assert r.evaluation.accuracy() == alone.evaluate(data(seed=1)).accuracy()


def test_random_points_are_distinct_and_seeded():
    space = {"updater.lr": [0.1, 0.01, 0.001], "tbptt_fwd_length": [2, 4, 8], "seed": [1, 2]}
    drawn = points(space, n_samples=5, seed=3)
    assert len({tuple(p.items()) for p in drawn}) == 5 and drawn == points(space, n_samples=5, seed=3)
    assert drawn != points(space, n_samples=5, seed=4)
    assert len(points(space)) == 18
    with pytest.raises(InvalidInputError, match="n_samples"):
        points(space, n_samples=19)


def test_paths_reach_wrapped_layers_and_bad_paths_are_named():
    conf = MultiLayerConfiguration([Bidirectional(LSTM(4)), RnnOutputLayer(2)], input_type=InputType.recurrent(3))
    assert with_fields(conf, {"layers.0.layer.n_out": 7}).layers[0].layer.n_out == 7
    for bad in ("layers.5.n_out", "updater.momentum_x", "nothing"):
        with pytest.raises(InvalidInputError, match=bad.split(".")[0]):
            with_fields(conf, {bad: 1})


def test_invalid_and_failing_points_report_their_error_and_the_others_train(client):
    space = {"layers.0.n_out": [4, -1], "input_type.size": [3, 5]}     # 5 inputs: the data has 3
    results = list(sweep_iter(CONF, space, data(), client=client, epochs=1))
    assert len(results) == 4 and all(isinstance(r, SweepResult) for r in results)
    by = {(r.params["layers.0.n_out"], r.params["input_type.size"]): r for r in results}
    assert by[(4, 3)].error is None and by[(4, 3)].evaluation is None and len(by[(4, 3)].history) == 2
    for size in (3, 5):
        assert by[(-1, size)].conf is None and "n_out" in by[(-1, size)].error        # invalid: never sent
    assert by[(4, 5)].conf is not None and "InvalidInputError" in by[(4, 5)].error and by[(4, 5)].history == []


def test_results_stream_as_they_finish(client):
    space = {"layers.0.n_out": [256, 2]}               # the small network finishes long before the big one
    first = next(iter(sweep_iter(CONF, space, data(n=64, t=60), client=client, epochs=4)))
    assert first.params == {"layers.0.n_out": 2}


def test_each_point_is_a_run_in_the_store(client, tmp_path):
    from workbench.runs import RunStore
    space = {"updater.lr": [0.01, 0.05], "input_type.size": [3, 5]}      # 5 inputs: training fails
    results = sweep(CONF, space, data(), data(seed=1), client=client, epochs=2, store=tmp_path / "runs.sqlite",
                    name="lr-grid")
    with RunStore(tmp_path / "runs.sqlite") as store:
        runs = store.list_runs()
        assert len(runs) == 4 and {r.task for r in runs} == {"sweep"}
        assert {r.settings["sweep"] for r in runs} == {"lr-grid"}
        by = {(r.settings["params"]["updater.lr"], r.settings["params"]["input_type.size"]): r for r in runs}
        for result in results:
            run = by[(result.params["updater.lr"], result.params["input_type.size"])]
            assert run.name.startswith("lr-grid: updater.lr=")
            if result.error is None:
                assert run.status == "finished" and run.updates == len(result.history) == 4 and run.has_model
                assert run.final_metrics["accuracy"] == result.evaluation.accuracy()
                assert np.allclose(store.metrics(run.id).updates["score"], result.history)
                assert np.isfinite(store.metrics(run.id).updates["loss_per_step"]).all()
            else:
                assert run.status == "failed" and "InvalidInputError" in run.error
