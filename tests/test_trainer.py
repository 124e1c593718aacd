"""BackgroundTrainer: history, pause/resume/stop, divergence; layer stats; gates; character sampling."""
import time

import numpy as np
import pytest

from workbench.data import CharacterIterator, DataSet, ListDataSetIterator
from workbench.nn import (
    LSTM, Adam, DenseLayer, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, OutputLayer,
    RnnOutputLayer, Sgd,
)
from workbench.nn.sampling import sample_characters
from workbench.nn.trainer import BackgroundTrainer, count_updates

X = np.random.default_rng(0).normal(size=(16, 3, 10)).astype(np.float32)
Y = np.eye(2, dtype=np.float32)[(X[:, 0] > 0).astype(int)].transpose(0, 2, 1)


def make_net(**kw):
    conf = MultiLayerConfiguration([GravesLSTM(8), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1,
                                   **kw)
    return MultiLayerNetwork(conf).init()


def test_runs_to_the_end_and_records_every_update():
    net = make_net(backprop_type="tbptt", tbptt_fwd_length=4)
    data = ListDataSetIterator(DataSet(X, Y), 4)
    trainer = BackgroundTrainer(net, data, epochs=3, evaluate=lambda n: n.evaluate(DataSet(X, Y))).start()
    assert trainer.join(30) and trainer.state == "finished"
    assert trainer.updates_per_epoch == 4 * 3 == count_updates(net, data)
    assert len(trainer.history) == 36 and trainer.progress == 1.0
    assert trainer.history.iterations == list(range(36))
    assert [e for e, _ in trainer.history.evaluations] == [0, 1, 2]
    info = trainer.history.infos[5]
    assert info["segment"] == 2 and info["time_range"] == (8, 10)
    assert len(info["grad_norms"]) == 2 and all(r > 0 for r in info["update_ratios"])
    assert trainer.history.since(30)["iterations"] == list(range(30, 36))


def test_pause_resume_and_stop_within_one_update():
    net = make_net()
    trainer = BackgroundTrainer(net, [DataSet(X, Y)] * 50, epochs=1000).start()
    while len(trainer.history) < 3:
        time.sleep(0.01)
    trainer.pause()
    time.sleep(0.2)
    frozen = len(trainer.history)
    time.sleep(0.3)
    assert trainer.state == "paused" and len(trainer.history) <= frozen + 1
    trainer.resume()
    time.sleep(0.2)
    assert len(trainer.history) > frozen + 1
    t0 = time.perf_counter()
    trainer.stop(wait=5)
    assert time.perf_counter() - t0 < 1.0 and not trainer.alive and trainer.state == "stopped"
    before = len(trainer.history)
    time.sleep(0.1)
    assert len(trainer.history) == before
    assert net.iteration_count == before                  # the last update was applied, nothing after it
    with pytest.raises(RuntimeError, match="already started"):
        trainer.start()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # the overflow on the way to inf is the point
def test_divergence_fails_with_the_message_and_finite_params():
    rng = np.random.default_rng(1)
    conf = MultiLayerConfiguration([DenseLayer(4, activation="identity"), OutputLayer(2, loss="mse",
                                    activation="identity")], input_type=InputType.feed_forward(3), seed=0,
                                   updater=Sgd(1e3))
    net = MultiLayerNetwork(conf).init()
    trainer = BackgroundTrainer(net, [DataSet(rng.normal(size=(8, 3)) * 10, rng.normal(size=(8, 2)) * 10)],
                                epochs=500).start()
    assert trainer.join(30)
    assert trainer.state == "failed" and "last finite values" in trainer.error
    assert all(np.isfinite(v).all() for v in net.params().values())


def test_gate_activations_of_the_last_single_step():
    net = make_net()
    assert net.rnn_gate_activations(0) == {}
    net.rnn_time_step(X[:2, :, 0])
    gates = net.rnn_gate_activations(0)
    assert set(gates) == set("ifgo") and gates["i"].shape == (2, 8)
    assert all(np.all((gates[k] > 0) & (gates[k] < 1)) for k in "ifo") and np.all(np.abs(gates["g"]) < 1)
    state = net.rnn_get_previous_state(0)
    np.testing.assert_allclose(state["h"], gates["o"] * np.tanh(state["c"]), rtol=1e-5, atol=1e-6)
    net.rnn_time_step(X[:2, :, 1:4])                        # a k-step call keeps no gates
    assert net.rnn_gate_activations(0) == {}
    with pytest.raises(ValueError, match="not recurrent"):
        net.rnn_gate_activations(1)


def test_sampling_is_seeded_and_learns_a_pattern():
    text = "abcab" * 200
    it = CharacterIterator(text, batch_size=16, sequence_length=20, seed=0)
    conf = MultiLayerConfiguration([LSTM(16), RnnOutputLayer(it.vocab_size)],
                                   input_type=InputType.recurrent(it.vocab_size), seed=0, updater=Adam(0.02))
    net = MultiLayerNetwork(conf).init()
    net.fit(it, epochs=20)
    a = sample_characters(net, it, "abca", 20, temperature=0.2, seed=3)
    assert a == sample_characters(net, it, "abca", 20, temperature=0.2, seed=3)
    assert len(a) == 20 and a.startswith("babcab")
    assert net.rnn_get_previous_state(0) == {}


def test_snapshot_is_taken_between_updates_while_training():
    """Each snapshot equals the same network trained alone for the snapshot's number of updates."""
    from workbench.conf import LSTM, InputType, MultiLayerConfiguration, RnnOutputLayer
    rng = np.random.default_rng(0)
    batches = [DataSet(rng.normal(size=(16, 3, 20)), np.eye(2)[rng.integers(0, 2, (16, 20))].transpose(0, 2, 1))
               for _ in range(4)]
    conf = MultiLayerConfiguration([LSTM(16), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1,
                                   dtype="float64")
    net = MultiLayerNetwork(conf).init()
    trainer = BackgroundTrainer(net, batches, epochs=40).start()
    try:
        snaps = []
        while trainer.alive and len(snaps) < 6:
            snaps.append(trainer.snapshot())
            time.sleep(0.01)
    finally:
        trainer.stop(wait=10)
    counts = [s.iteration_count for s in snaps]
    assert not trainer.alive and len(set(counts)) > 2, counts
    for snap in snaps[1::2]:
        k = snap.iteration_count
        alone = MultiLayerNetwork(conf).init()
        if k >= 4:
            alone.fit(batches, epochs=k // 4)
        if k % 4:
            alone.fit(batches[:k % 4])
        for name, value in alone.params().items():
            np.testing.assert_array_equal(snap.params()[name], value, err_msg=f"{name} after {k} updates")
    final = trainer.snapshot()                   # after the run: a plain copy
    for name, value in net.params().items():
        np.testing.assert_array_equal(final.params()[name], value)


def test_updates_carry_step_counts_and_histograms_are_recorded():
    """Each info says how many labelled steps its segment scored; histograms come at the cadence."""
    mask = np.ones((16, 10), np.float32)
    mask[:8, 7:] = 0                                        # half the series end after 7 steps
    net = make_net(backprop_type="tbptt", tbptt_fwd_length=4)
    data = ListDataSetIterator(DataSet(X, Y, features_mask=mask, labels_mask=mask), 16)
    trainer = BackgroundTrainer(net, data, epochs=2, histogram_every=0.0).start()
    assert trainer.join(30) and trainer.state == "finished"
    infos = trainer.history.infos
    assert [i["labelled_steps"] for i in infos[:3]] == [16 * 4, 8 * 3 + 8 * 4, 8 * 0 + 8 * 2]
    assert all(i["examples"] == 16 and i["length"] == 10 and i["learning_rate"] == net.conf.updater.lr
               for i in infos)
    h = trainer.history.histograms                          # every update (histogram_every=0)
    assert [it for it, _ in h] == trainer.history.iterations
    assert h[-1][1]["activations"][0] is None               # the probe's 8 series have no real step in 8..9
    last = h[-2][1]                                         # segment 4..7: steps 4, 5, 6 of the probe are real
    assert set(last) == {"parameters", "gradients", "activations"}
    for kind in last:
        s = last[kind][0]                                   # the LSTM layer
        assert s["counts"].shape == (30,) and s["edges"].shape == (31,) and s["percentiles"].shape == (7,)
        assert s["edges"][0] == s["percentiles"][0] and s["edges"][-1] == s["percentiles"][-1]
    assert last["parameters"][0]["counts"].sum() == sum(p.size for p in net.layers[0].params.values())
    assert last["activations"][0]["counts"].sum() == 8 * 3 * 8     # probe examples x real steps x units
    assert type(net.updater).__name__ == "UpdaterState"     # the gradient tap is gone after the run


def test_active_seconds_leave_out_the_pauses():
    net = make_net()
    trainer = BackgroundTrainer(net, [DataSet(X, Y)] * 50, epochs=1000).start()
    time.sleep(0.3)
    trainer.pause()
    at_pause = trainer.active_seconds
    time.sleep(0.6)
    assert trainer.active_seconds == pytest.approx(at_pause, abs=1e-6)   # the pause does not count
    trainer.resume()                                         # (no bound on the clock: a loaded machine
    time.sleep(0.2)                                          # stretches the sleeps, not the accounting)
    trainer.stop(wait=5)
    wall = trainer.finished_at - trainer.started_at
    assert trainer.active_seconds > at_pause and wall - trainer.active_seconds >= 0.6


def test_the_gradient_histogram_is_of_the_gradient_not_of_the_update():
    net = make_net()
    want, _ = make_net().compute_gradient_and_score(DataSet(X, Y))     # the first update's gradient
    trainer = BackgroundTrainer(net, [DataSet(X, Y)], epochs=1, histogram_every=0.0).start()
    assert trainer.join(30)
    got = trainer.history.histograms[0][1]["gradients"][1]              # the output layer
    flat = np.concatenate([want["1_W"].ravel(), want["1_b"].ravel()])
    np.testing.assert_allclose(got["percentiles"], np.percentile(flat, [0, 5, 25, 50, 75, 95, 100]), rtol=1e-5)
