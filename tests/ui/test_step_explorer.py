"""The Step view without a browser: step, reset, snapshot and restore through StepExplorer's
methods and compare with the network's own stateless output()."""
import pytest

pn = pytest.importorskip("panel")

import dataclasses  # noqa: E402

import numpy as np  # noqa: E402

from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, SimpleRnn,
)
from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.step_explorer import StepExplorer  # noqa: E402


@pytest.fixture(scope="module")
def uci():
    return WorkbenchSession("UCI synthetic control")


def tiny_character_session():
    session = WorkbenchSession("Tiny Shakespeare")
    session.conf = dataclasses.replace(session.conf, layers=[LSTM(16), RnnOutputLayer(65)])
    return session


def test_five_steps_record_the_states_and_equal_output(uci):
    ex = StepExplorer(session=uci)
    assert uci.net is None and "untrained" in ex.note           # a network of its own, not the session's
    for _ in range(5):
        ex.step()
    assert ex.t == 5 and ex.h_history[0].shape == (32, 5) and ex.c_history[0].shape == (32, 5)
    assert ex.outputs.shape == (6, 5)
    full = ex.net.output(ex.sequence[None, :, :5])[0]
    np.testing.assert_allclose(ex.outputs, full, atol=1e-5)
    assert ex.check_difference < 1e-5 and "OK" in ex.check
    assert set(ex.gates[0]) == set("ifgo")
    np.testing.assert_array_equal(ex.gates[0]["f"], ex.net.rnn_gate_activations(0)["f"][0])
    h, c, gates = ex.layer_figs[0].data
    assert np.asarray(h.z).shape == (32, 5) and np.asarray(gates.z).shape == (32, 4)
    np.testing.assert_allclose(ex.output_fig.data[0].y, ex.outputs[:, -1])


def test_the_whole_sequence_and_its_end(uci):
    ex = StepExplorer(session=uci)
    assert ex.step(1000) == ex.T == 60
    assert ex.check_difference < 1e-5 and "End of the sequence" in ex.message
    assert ex.step() == 0


def test_reset_clears(uci):
    ex = StepExplorer(session=uci)
    ex.step(4)
    ex.reset()
    assert ex.t == 0 and ex.outputs.shape == (6, 0) and ex.h_history[0].shape == (32, 0)
    assert ex.net.rnn_get_previous_state(0) == {} and ex.check_difference is None
    ex.step(2)
    assert ex.check_difference < 1e-5


def test_snapshot_and_restore_reproduce_the_next_outputs(uci):
    ex = StepExplorer(session=uci)
    ex.step(3)
    ex.snapshot()
    h3 = ex.net.rnn_get_previous_state(0)["h"].copy()
    ex.step(4)
    after = ex.outputs[:, 3:].copy()
    ex.reset()                                                  # even after a reset
    ex.restore()
    assert ex.t == 3 and ex.outputs.shape == (6, 3)
    np.testing.assert_array_equal(ex.net.rnn_get_previous_state(0)["h"], h3)
    ex.step(4)
    np.testing.assert_array_equal(ex.outputs[:, 3:], after)
    assert ex.check_difference < 1e-5


def test_examples_come_from_the_test_data_up_to_their_real_length():
    session = WorkbenchSession("JapaneseVowels")
    ex = StepExplorer(session=session)
    assert ex.example_slider.end == 369                        # the 370 test utterances
    ds = session.test_data._batches[0]
    for index in (0, 5):
        ex.example_slider.value = index
        assert ex.T == int(ds.features_mask[index].sum()) and ex.t == 0
    ex.step(ex.T)
    assert ex.check_difference < 1e-5


def test_a_plain_network_and_an_array():
    conf = MultiLayerConfiguration([SimpleRnn(6), LSTM(5), RnnOutputLayer(2, loss="mse", activation="identity")],
                                   input_type=InputType.recurrent(3), seed=0)
    net = MultiLayerNetwork(conf).init()
    x = np.random.default_rng(0).normal(size=(3, 12)).astype(np.float32)
    ex = StepExplorer(net, x)
    assert ex.session is None and ex.net is net and ex.kind == "regression"
    ex.step(12)
    assert ex.h_history[0].shape == (6, 12) and ex.h_history[1].shape == (5, 12)
    assert 0 not in ex.c_history and ex.c_history[1].shape == (5, 12)       # SimpleRnn: h only
    assert ex.check_difference < 1e-5
    np.testing.assert_allclose(ex.outputs, net.output(x[None])[0], atol=1e-5)
    assert StepExplorer(net, x[None]).T == 12                    # [1, n_in, T] too


def test_bidirectional_networks_show_the_reason():
    ex = StepExplorer(session=WorkbenchSession("Shifted symbols (future context)"))
    assert "bidirectional" in ex.reason and ex._reason_pane.visible and not ex._controls.visible
    assert ex.step() == 0 and "bidirectional" in ex.message
    conf = MultiLayerConfiguration([Bidirectional(LSTM(4)), RnnOutputLayer(2)], input_type=InputType.recurrent(3))
    ex = StepExplorer(MultiLayerNetwork(conf).init(), np.zeros((3, 5)))
    assert "bidirectional" in ex.reason


def test_follows_the_session():
    session = WorkbenchSession("UCI synthetic control")
    ex = StepExplorer(session=session)
    assert ex.reason is None
    session.select_task("Shifted symbols (future context)")
    assert "bidirectional" in ex.reason
    session.select_task("Airline passengers")
    assert ex.reason is None and ex.kind == "regression" and ex.T == 142
    trained = session.new_network()
    ex.step(3)
    assert ex.net is not trained and trained.rnn_get_previous_state(0) == {}   # steps a copy
    assert "session's network as trained after 0 updates" in ex.note
    stepped = ex.net
    session.conf = dataclasses.replace(session.conf, seed=99)  # an edit in the builder: keep stepping
    assert ex.net is stepped and ex.t == 3


def test_sampling_a_tiny_character_model():
    ex = StepExplorer(session=tiny_character_session())
    assert ex.kind == "characters" and ex._sampler.visible
    ex.step(5)
    h = ex.net.rnn_get_previous_state(0)["h"].copy()
    text = ex.sample("ROMEO:", 40, temperature=0.7, seed=0)
    assert len(text) == 40 and ex.sample_text == "ROMEO:" + text and ex._sample_pane.object == ex.sample_text
    np.testing.assert_array_equal(ex.net.rnn_get_previous_state(0)["h"], h)   # the stepping state is kept
    ex.step()
    assert ex.check_difference < 1e-5
    assert ex.sample("ROMEO€", 5) == "" and "Cannot sample" in ex.message
    assert StepExplorer(session=WorkbenchSession("UCI synthetic control")).sample("a", 3) == ""


def test_play_steps_on_each_tick(uci):
    ex = StepExplorer(session=uci)
    ex.play()
    assert ex.playing and ex.play_button.label == "Pause"
    ex._play_tick()
    ex._play_tick()
    assert ex.t == 2
    ex.pause()
    assert not ex.playing and ex.play_button.label == "Play"
    ex.play()
    ex.close()
    assert not ex.playing


def test_renders():
    assert pn.panel(StepExplorer()).get_root() is not None
    ex = StepExplorer(session=tiny_character_session())
    assert pn.panel(ex).get_root() is not None
    ex.step(3)                                                 # updates a rendered model in place


def test_step_follows_the_trained_network_when_a_run_ends_and_when_opened():
    from workbench.ui.app import app
    from workbench.ui.training_monitor import TrainingMonitor
    session = WorkbenchSession("UCI synthetic control")
    layout = app(session)
    step, mon = layout.views["Step"], layout.views["Train"]
    session.net = session.new_network()
    step.step(3)
    assert step.net.iteration_count == 0 and "after 0 updates" in step.note
    mon.start(epochs=1)
    while session.trainer.alive:
        mon.refresh()
    mon.refresh()                                            # sees the end: run_ended fires once
    assert step.net.iteration_count == session.net.iteration_count > 0 and step.t == 0
    assert f"after {session.net.iteration_count:,} updates" in step.note
    step.step(step.T)
    want = session.net.output(step.sequence[None])[0]
    np.testing.assert_allclose(step.outputs, want, atol=1e-5)   # the trained network's output, step by step
    session.net.fit(session.train_data)                      # trained outside a run: opening Step catches up
    tabs = layout.objects[1]
    tabs.active = list(layout.views).index("Step")
    assert step.net.iteration_count == session.net.iteration_count and step.t == 0
    assert isinstance(mon, TrainingMonitor)


def test_state_heatmaps_have_their_colour_scales(uci):
    ex = StepExplorer(session=uci)
    heatmaps = [tr for fig in ex.layer_figs.values() for tr in fig.data if tr.type == "heatmap"]
    assert len(heatmaps) == 3 and all(tr.showscale is not False for tr in heatmaps)
    assert len({tr.colorbar.x for tr in heatmaps}) == 3                 # side by side, not stacked on each other
