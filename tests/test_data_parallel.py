"""fit_data_parallel with gradient sharing (averaging_frequency=1) on a real two-worker
LocalCluster: the parameters after every update equal net.fit's in one process (float64, 1e-10)
for recurrent and feed-forward networks, masks with shards of different valid steps, standard
and truncated BPTT, regularisation, gradient normalisation and several updaters; a minibatch
smaller than the cluster; a worker killed mid-fit."""
import os
import signal
import threading

import numpy as np
import pytest

pytest.importorskip("distributed")

from workbench.data import DataSet  # noqa: E402
from workbench.distributed import WorkerLostError, fit_data_parallel, local_cluster  # noqa: E402
from workbench.distributed import data_parallel  # noqa: E402
from workbench.distributed.data_parallel import shard_bounds  # noqa: E402
from workbench.errors import InvalidInputError  # noqa: E402
from workbench.nn import (LSTM, AdaGrad, Adam, Bidirectional, DenseLayer, GravesBidirectionalLSTM,  # noqa: E402
                          GravesLSTM, InputType, LastTimeStep, MultiLayerConfiguration, MultiLayerNetwork, Nesterovs,
                          OutputLayer, RmsProp, RnnOutputLayer, Sgd, SimpleRnn)


@pytest.fixture(scope="module")
def client():
    c = local_cluster(n_workers=2)
    yield c
    c.close()


def series(n_batches=3, n=7, t=10, seed=0, masked=True):
    """Classification minibatches (n, 3, t) -> (n, 2, t); with masks, examples of 3..t steps and
    labels on about 60% of them, so the shards hold different numbers of valid steps."""
    rng, out = np.random.default_rng(seed), []
    for _ in range(n_batches):
        x = rng.normal(size=(n, 3, t))
        y = np.eye(2)[(x[:, 0] > 0).astype(int)].transpose(0, 2, 1).copy()
        if masked:
            fmask = (np.arange(t) < rng.integers(3, t + 1, size=(n, 1))).astype(float)
            out.append(DataSet(x * fmask[:, None], y, fmask, fmask * (rng.random((n, t)) < 0.6)))
        else:
            out.append(DataSet(x, y))
    return out


def both(conf, data, client, epochs=2):
    """(net.fit in one process, fit_data_parallel), each from the same initial network, with the
    parameters after every update."""
    here, there = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf).init()
    seen = {"here": [], "there": []}
    here.fit(data, epochs=epochs, listeners=[lambda i, e, s, info: seen["here"].append((i, e, s,
                                                                                        here.params_vector().copy()))])
    fit_data_parallel(there, data, client, epochs=epochs, listeners=[
        lambda i, e, s, info: seen["there"].append((i, e, s, there.params_vector().copy()))])
    return here, there, seen


def assert_same_training(seen):
    assert len(seen["here"]) == len(seen["there"]) > 0
    for (i, e, s, p), (j, f, r, q) in zip(seen["here"], seen["there"]):
        assert (i, e) == (j, f) and r == pytest.approx(s, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-10)


def recurrent(layers, **kw):
    return MultiLayerConfiguration(layers, input_type=InputType.recurrent(3), seed=3, dtype="float64", **kw)


@pytest.mark.parametrize("conf", [
    recurrent([LSTM(6), RnnOutputLayer(2)], updater=Adam(0.01), backprop_type="tbptt", tbptt_fwd_length=4),
    recurrent([GravesLSTM(5), RnnOutputLayer(2)], updater=Nesterovs(0.05), l2=1e-3,
              gradient_normalization="clip_l2_per_layer", gradient_normalization_threshold=0.5),
    recurrent([Bidirectional(LSTM(4)), RnnOutputLayer(2)], updater=Sgd(0.1), l1=1e-4),
    recurrent([SimpleRnn(5), GravesBidirectionalLSTM(3), RnnOutputLayer(2)], updater=RmsProp(0.01)),
    recurrent([LSTM(4), DenseLayer(3), RnnOutputLayer(2)], updater=AdaGrad(0.05)),
], ids=["lstm-tbptt-adam", "graves-l2-clip-nesterovs", "bidirectional-l1-sgd", "simplernn-gravesbi-rmsprop",
        "lstm-dense-adagrad"])
def test_every_update_equals_fit_in_one_process(client, conf):
    _, _, seen = both(conf, series(), client)
    assert_same_training(seen)


def test_many_to_one_with_last_time_step(client):
    rng = np.random.default_rng(2)
    data = []
    for ds in series(n_batches=2, n=5):
        data.append(DataSet(ds.features, np.eye(2)[rng.integers(0, 2, 5)], ds.features_mask))
    conf = MultiLayerConfiguration([LastTimeStep(LSTM(4)), OutputLayer(2)], input_type=InputType.recurrent(3),
                                   seed=4, dtype="float64", updater=Adam(0.02))
    assert_same_training(both(conf, data, client)[2])


def test_feed_forward_data_and_unmasked_tbptt(client):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(9, 4))
    flat = [DataSet(x, np.eye(3)[rng.integers(0, 3, 9)])]
    conf = MultiLayerConfiguration([DenseLayer(5), OutputLayer(3)], input_type=InputType.feed_forward(4), seed=1,
                                   dtype="float64", updater=Adam(0.02))
    assert_same_training(both(conf, flat, client, epochs=3)[2])
    conf = recurrent([LSTM(4), RnnOutputLayer(2)], backprop_type="tbptt", tbptt_fwd_length=3, tbptt_back_length=2)
    assert_same_training(both(conf, series(masked=False), client)[2])


def test_a_minibatch_smaller_than_the_cluster(client):
    conf = recurrent([LSTM(4), RnnOutputLayer(2)], updater=Adam(0.01))
    assert_same_training(both(conf, series(n_batches=2, n=1), client)[2])


def test_updates_slower_than_the_poll_for_lost_workers(client, monkeypatch):
    """An update that outlasts one wait for its results (a big network, a busy machine) goes on
    being waited for: the poll asks whether a worker left, and finds none."""
    monkeypatch.setattr(data_parallel, "POLL_S", 1e-4)
    conf = recurrent([LSTM(6), RnnOutputLayer(2)], updater=Adam(0.01))
    assert_same_training(both(conf, series(), client)[2])


def test_shards_follow_array_split():
    for n, parts in ((7, 2), (1, 2), (10, 3), (4, 4)):
        sizes = [b - a for a, b in shard_bounds(n, parts)]
        assert sizes == [len(s) for s in np.array_split(np.arange(n), parts)]


def averaged_here(conf, data, workers, k, epochs):
    """DL4J's parameter averaging done by hand in one process: per round of k minibatches, a copy
    of the network per worker fits that worker's shard of each, then parameters and updater state
    are averaged by examples; returns the parameters after each round."""
    from workbench.nn.training import Trainer
    net, out = MultiLayerNetwork(conf).init(), []
    for _ in range(epochs):
        for first in range(0, len(data), k):
            copies = []
            for w in range(workers):
                copy, seen = net.copy(), 0
                for ds in data[first:first + k]:
                    a, b = shard_bounds(ds.num_examples(), workers)[w]
                    if b > a:
                        Trainer(copy).fit_batch(ds.examples(a, b))
                        seen += b - a
                if seen:
                    copies.append((copy, seen))
            total = sum(n for _, n in copies)
            net.set_params_vector(sum(c.params_vector() * (n / total) for c, n in copies))
            for key, a in net.updater.arrays.items():
                a[...] = sum(c.updater.arrays[key] * (n / total) for c, n in copies)
            net.updater.t = max(c.updater.t for c, _ in copies)
            out.append(net.params_vector().copy())
    return out


@pytest.mark.parametrize("k", [2, 3])
def test_parameter_averaging_every_k_minibatches_with_a_short_last_round(client, k):
    conf = recurrent([LSTM(5), RnnOutputLayer(2)], updater=Adam(0.02), backprop_type="tbptt", tbptt_fwd_length=4)
    data = series(n_batches=5, n=5)                      # rounds of k and a last one of 5 % k minibatches
    net, seen = MultiLayerNetwork(conf).init(), []
    fit_data_parallel(net, data, client, epochs=2, averaging_frequency=k,
                      listeners=[lambda i, e, s, info: seen.append((i, e, s, net.params_vector().copy()))])
    expected = averaged_here(conf, data, 2, k, epochs=2)
    assert len(seen) == len(expected) == 2 * -(-5 // k)
    for (_, _, score, params), want in zip(seen, expected):
        assert np.isfinite(score)
        np.testing.assert_allclose(params, want, rtol=0, atol=1e-10)
    assert [e for _, e, _, _ in seen] == [0] * (len(seen) // 2) + [1] * (len(seen) // 2)
    assert seen[-1][0] == net.iteration_count - 1 and net.epoch_count == 2


def test_bad_averaging_frequency_is_refused_by_name(client):
    net = MultiLayerNetwork(recurrent([LSTM(4), RnnOutputLayer(2)])).init()
    for bad in (0, 1.5, True):
        with pytest.raises(InvalidInputError, match="averaging_frequency"):
            fit_data_parallel(net, series(), client, averaging_frequency=bad)


def test_a_worker_killed_mid_fit_raises_and_keeps_the_last_completed_update(tmp_path):
    client = local_cluster(n_workers=2)
    try:
        net = MultiLayerNetwork(recurrent([LSTM(16), RnnOutputLayer(2)], updater=Adam(0.01))).init()
        last, started = {}, threading.Event()

        def listener(i, e, s, info):
            last["params"], last["iteration"] = net.params_vector().copy(), i
            started.set()
        errors = []
        fit = threading.Thread(target=lambda: _fit_catching(net, client, listener, errors))
        fit.start()
        assert started.wait(60)
        victim = sorted(client.scheduler_info()["workers"])[1]
        os.kill(client.run(os.getpid)[victim], signal.SIGKILL)
        fit.join(90)
        assert not fit.is_alive() and errors and isinstance(errors[0], WorkerLostError), errors
        assert "left" in str(errors[0]) and "last completed update" in str(errors[0])
        np.testing.assert_array_equal(net.params_vector(), last["params"])      # never half an update
        assert net.iteration_count == last["iteration"] + 1
    finally:
        client.close()


def _fit_catching(net, client, listener, errors):
    try:
        fit_data_parallel(net, series(n_batches=4, n=8, t=30), client, epochs=10_000, listeners=[listener])
    except Exception as exc:                       # noqa: BLE001 - the test reads it
        errors.append(exc)
