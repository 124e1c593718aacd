"""The Step tab's state without widgets: step, reset, snapshot and restore, compared with the
network's own stateless output(); scrubbing a bidirectional network; following the session's
latest trained parameters."""
import pytest

pn = pytest.importorskip("panel")

import dataclasses  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from workbench.nn import (  # noqa: E402
    LSTM, Bidirectional, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, SimpleRnn,
)
from workbench.ui.session import WorkbenchSession  # noqa: E402
from workbench.ui.step.state import StepState  # noqa: E402


@pytest.fixture(scope="module")
def uci():
    return WorkbenchSession("UCI synthetic control")


def tiny_character_session():
    session = WorkbenchSession("Tiny Shakespeare")
    session.conf = dataclasses.replace(session.conf, layers=[LSTM(16), RnnOutputLayer(65)])
    return session


def test_five_steps_record_the_states_and_equal_output(uci):
    s = StepState(session=uci)
    assert uci.net is None and "untrained" in s.note and s.mode == "step"   # a network of its own
    for _ in range(5):
        s.step()
    assert s.t == 5 and s.h_history[0].shape == (32, 5) and s.c_history[0].shape == (32, 5)
    assert s.outputs.shape == (6, 5)
    np.testing.assert_allclose(s.outputs, s.net.output(s.sequence[None, :, :5])[0], atol=1e-5)
    assert s.check_difference < 1e-5 and "OK" in s.check
    assert set(s.gates[0]) == set("ifgo")
    np.testing.assert_array_equal(s.gates[0]["f"], s.net.rnn_gate_activations(0)["f"][0])
    (title, rows, at), = s.layer_rows()
    assert title == "Layer 0 GravesLSTM" and at is None and rows[""]["h"].shape == (32, 5)
    names, probs, label = s.output_bars()
    np.testing.assert_allclose(probs, s.outputs[:, -1])
    assert len(names) == 6 and "Output at step 5 (label: " in label and "step **5 / 60**" in s.info


def test_the_whole_sequence_and_its_end(uci):
    s = StepState(session=uci)
    assert s.step(1000) == s.T == 60
    assert s.check_difference < 1e-5 and "End of the example" in s.message and s.message_kind == "info"
    assert s.step() == 0


def test_reset_clears(uci):
    s = StepState(session=uci)
    s.step(4)
    s.reset()
    assert s.t == 0 and s.outputs.shape == (6, 0) and s.h_history[0].shape == (32, 0)
    assert s.net.rnn_get_previous_state(0) == {} and s.check_difference is None
    s.step(2)
    assert s.check_difference < 1e-5


def test_snapshot_and_restore_reproduce_the_next_outputs(uci):
    s = StepState(session=uci)
    s.restore()
    assert s.message_kind == "warning" and "Snapshot first" in s.message
    s.step(3)
    s.snapshot()
    assert s.has_snapshot and s.message_kind == "success"
    h3 = s.net.rnn_get_previous_state(0)["h"].copy()
    s.step(4)
    after = s.outputs[:, 3:].copy()
    s.reset()                                                  # even after a reset
    s.restore()
    assert s.t == 3 and s.outputs.shape == (6, 3)
    np.testing.assert_array_equal(s.net.rnn_get_previous_state(0)["h"], h3)
    s.step(4)
    np.testing.assert_array_equal(s.outputs[:, 3:], after)
    assert s.check_difference < 1e-5
    s.example = 1                                              # a new example forgets the snapshot
    assert not s.has_snapshot and s.t == 0


def test_examples_come_from_the_test_data_up_to_their_real_length():
    session = WorkbenchSession("JapaneseVowels")
    s = StepState(session=session)
    assert s.n_examples == 370 and s.param.example.bounds == (0, 369)   # the 370 test utterances
    ds = session.test_data._batches[0]
    for index in (0, 5):
        s.example = index
        assert s.T == int(ds.features_mask[index].sum()) and s.t == 0
    s.step(s.T)
    assert s.check_difference < 1e-5


def test_a_plain_network_and_an_array():
    conf = MultiLayerConfiguration([SimpleRnn(6), LSTM(5), RnnOutputLayer(2, loss="mse", activation="identity")],
                                   input_type=InputType.recurrent(3), seed=0)
    net = MultiLayerNetwork(conf).init()
    x = np.random.default_rng(0).normal(size=(3, 12)).astype(np.float32)
    s = StepState(net, x)
    assert s.session is None and s.kind == "regression" and s.note == ""
    assert s.net is not net and np.array_equal(s.net.params_vector(), net.params_vector())   # a copy: see below
    s.step(12)
    assert s.h_history[0].shape == (6, 12) and s.h_history[1].shape == (5, 12)
    assert 0 not in s.c_history and s.c_history[1].shape == (5, 12)       # SimpleRnn: h only
    assert s.check_difference < 1e-5
    np.testing.assert_allclose(s.outputs, net.output(x[None])[0], atol=1e-5)
    assert net.rnn_get_previous_state(1) == {}                   # the given network's own state is left alone
    other = StepState(net, x)                                   # a second view on it steps on its own
    other.step(2)
    s.reset()
    s.step(12)
    assert s.check_difference < 1e-5 and other.check_difference < 1e-5
    truth, outputs, _ = s.output_series()
    assert truth is None and outputs.shape == (12,)
    assert StepState(net, x[None]).T == 12                     # [1, n_in, T] too
    bad = StepState(net, np.zeros((2, 3, 4)))
    assert bad.mode == "off" and bad.message_kind == "error" and "[n_in, T]" in bad.message
    y = np.random.default_rng(1).normal(size=(2, 12))
    with_truth = StepState(net, x, labels=y[None])              # labels= gives the truth line
    with_truth.step(3)
    truth, outputs, _ = with_truth.output_series()
    np.testing.assert_array_equal(truth, y[0])
    assert outputs.shape == (3,)
    wrong = StepState(net, x, labels=y[:, :5])
    assert wrong.mode == "off" and "labels: expected [n_out, T=12]" in wrong.message


def test_a_bidirectional_network_is_scrubbed_through_one_full_pass():
    s = StepState(session=WorkbenchSession("Shifted symbols (future context)"))
    assert s.mode == "scrub" and s.message_kind == "info" and "bidirectional" in s.message
    assert "whole sequence" in s.message and "cannot be stepped" not in s.note     # one message, no contradiction
    assert s.t == 1 and s.param.t.bounds == (1, s.T)
    assert s.step() == 0 and s.message_kind == "warning" and "bidirectional" in s.message
    full = s.net.output(s.sequence[None])[0]
    np.testing.assert_allclose(s.outputs, full, atol=1e-6)
    (title, rows, at), = s.layer_rows()
    assert title == "Layer 0 Bidirectional(LSTM)" and set(rows) == {"forward", "backward"} and at == 1
    assert rows["forward"]["h"].shape == rows["backward"]["h"].shape == (16, s.T)
    s.t = 7                                                    # scrub
    np.testing.assert_allclose(s.output_now, full[:, 6], atol=1e-6)
    _, rows, at = s.layer_rows()[0]
    assert at == 7
    np.testing.assert_array_equal(rows["backward"]["gates"]["f"], s.scrub_states[0]["backward"]["f"][:, 6])
    # a notebook's bidirectional network scrubs too
    conf = MultiLayerConfiguration([Bidirectional(LSTM(4)), RnnOutputLayer(2)], input_type=InputType.recurrent(3))
    plain = StepState(MultiLayerNetwork(conf).init(), np.ones((3, 5)))
    assert plain.mode == "scrub" and plain.outputs.shape == (2, 5)
    assert plain.scrub_states[0]["backward"]["c"].shape == (4, 5)


def test_follows_the_session():
    session = WorkbenchSession("UCI synthetic control")
    s = StepState(session=session)
    assert s.mode == "step"
    session.select_task("Shifted symbols (future context)")
    assert s.mode == "scrub"
    session.select_task("Airline passengers")
    assert s.mode == "step" and s.kind == "regression" and s.T == 142 and s.message == ""
    trained = session.new_network()
    s.step(3)
    assert s.net is not trained and trained.rnn_get_previous_state(0) == {}   # steps a copy
    assert "after 0 updates (epoch 0)" in s.note
    stepped = s.net
    session.conf = dataclasses.replace(session.conf, seed=99)  # an edit in the builder: keep stepping
    assert s.net is stepped and s.t == 3
    session.conf = None
    assert s.net is stepped
    s2 = StepState(session=session.__class__("UCI synthetic control"))
    s2.session.conf = None                                     # no valid configuration and no network
    assert s2.mode == "off" and s2.message_kind == "warning" and "Build tab" in s2.message


def test_follows_the_latest_parameters_after_a_run_and_while_it_trains():
    session = WorkbenchSession("UCI synthetic control")
    s = StepState(session=session)
    session.start_training(epochs=1)
    assert session.trainer.join(120)
    session.param.trigger("run_ended")                        # what the Train tab does when a run ends
    n = session.net.iteration_count
    assert n > 0 and s.net.iteration_count == n and s.net is not session.net and s.t == 0
    assert f"after {n:,} updates (epoch 1)" in s.note
    s.step(s.T)
    np.testing.assert_allclose(s.outputs, session.net.output(s.sequence[None])[0], atol=1e-5)
    assert not s.sync_network()                                # nothing new
    session.start_training(epochs=50)                          # continues the same network
    while session.net.iteration_count <= n + 3:
        time.sleep(0.01)
    session.trainer.pause()
    time.sleep(0.2)                                            # let the update in flight finish
    assert s.sync_network()                                    # opening the tab while it trains
    got, want = s.net.params(), session.net.params()
    assert s.net.iteration_count == session.net.iteration_count > n
    assert all(np.array_equal(got[k], want[k]) for k in want)
    session.stop_training()


def test_sampling_a_tiny_character_model():
    s = StepState(session=tiny_character_session())
    assert s.kind == "characters" and len(s.class_names) == 65
    s.step(5)
    names, probs, title = s.output_bars()
    assert len(names) == 20 and title.startswith("Next character after") and np.all(np.diff(probs) <= 0)
    h = s.net.rnn_get_previous_state(0)["h"].copy()
    text = s.sample("ROMEO:", 40, temperature=0.7, seed=0)
    assert len(text) == 40 and s.sample_text == "ROMEO:" + text
    np.testing.assert_array_equal(s.net.rnn_get_previous_state(0)["h"], h)   # the stepping state is kept
    s.step()
    assert s.check_difference < 1e-5
    s.prompt, s.length = "KING", 7                             # the widgets' parameters
    assert len(s.sample(seed=1)) == 7 and s.sample_text.startswith("KING")
    assert s.sample("ROMEO€", 5) == "" and s.message_kind == "warning" and "does not know '€'" in s.message
    assert s.sample("", 5) == "" and "prompt" in s.message
    uci = StepState(session=WorkbenchSession("UCI synthetic control"))
    assert uci.sample("a", 3) == "" and "Tiny Shakespeare" in uci.message


def test_play_and_pause():
    s = StepState(session=WorkbenchSession("Airline passengers"))
    s.play()
    assert s.playing
    s.pause()
    assert not s.playing
    s.step(s.T)
    s.play()                                                   # nothing left to play
    assert not s.playing
