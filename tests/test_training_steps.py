"""Trainer driven step by step (gradient, then apply) equals net.fit bit for bit; its hooks; no import circle."""
import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.data import DataSet
from workbench.nn import (
    LSTM, Adam, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, Nesterovs, RnnOutputLayer,
)
from workbench.nn.training import Trainer

TRAINING = Path(__file__).resolve().parent.parent / "workbench" / "nn" / "training.py"


def batches(n_batches=3, n=5, T=11, seed=0):
    """Minibatches of float64 series, the later examples padded at the end (features and labels masks)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_batches):
        x = rng.normal(size=(n, 3, T))
        y = np.eye(2)[rng.integers(0, 2, (n, T))].transpose(0, 2, 1)
        mask = np.ones((n, T))
        for b in range(1, n):
            mask[b, T - 2 * b:] = 0
        out.append(DataSet(x, y, features_mask=mask, labels_mask=mask))
    return out


def make_net(**kw):
    conf = MultiLayerConfiguration([GravesLSTM(6), LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3),
                                   seed=3, dtype="float64", **kw)
    return MultiLayerNetwork(conf).init()


def fit_step_by_step(net, data, epochs, listener):
    trainer = Trainer(net, [listener], layer_stats=True)
    for _ in range(epochs):
        for i, ds in enumerate(data):
            batch = net.dataset_batch(ds)
            state = None
            for k, (t0, t1) in enumerate(trainer.segments(batch)):
                score, grad, state = trainer.gradient(batch, t0, t1, state)
                trainer.apply(score, grad, {"batch": i, "segment": k, "time_range": (t0, t1)})
        net.epoch_count += 1


@pytest.mark.parametrize("kw", [
    dict(updater=Adam(0.05)),
    dict(updater=Nesterovs(0.1, 0.9), backprop_type="tbptt", tbptt_fwd_length=4, tbptt_back_length=3,
         gradient_normalization="clip_l2_per_layer", gradient_normalization_threshold=0.5, l2=1e-3),
], ids=["standard", "tbptt"])
def test_step_by_step_equals_fit_bit_for_bit(kw):
    data = batches()
    fitted, stepped = make_net(**kw), make_net(**kw)
    seen_fit, seen_steps = [], []
    fitted.track_layer_stats = True
    fitted.fit(data, epochs=2, listeners=lambda *a: seen_fit.append(a))
    fit_step_by_step(stepped, data, 2, lambda *a: seen_steps.append(a))
    n_updates = 2 * 3 * (3 if "tbptt_fwd_length" in kw else 1)
    assert len(seen_fit) == n_updates and seen_steps == seen_fit
    assert stepped.iteration_count == fitted.iteration_count == n_updates
    assert stepped.updater.t == fitted.updater.t
    for key, value in fitted.params().items():
        np.testing.assert_array_equal(stepped.params()[key], value, err_msg=key)
    for key, value in fitted.updater.arrays.items():
        np.testing.assert_array_equal(stepped.updater.arrays[key], value, err_msg=key)


def test_tbptt_carries_the_state_of_each_segment_end():
    net = make_net(backprop_type="tbptt", tbptt_fwd_length=4)
    trainer = Trainer(net)
    batch = net.dataset_batch(batches(1)[0])
    assert trainer.segments(batch) == [(0, 4), (4, 8), (8, 11)]
    _, _, state = trainer.gradient(batch, 0, 4)
    assert sorted(state) == [0, 1] and state[0]["h"].shape == (5, 6) and state[1]["c"].shape == (5, 4)
    full = make_net(backprop_type="tbptt", tbptt_fwd_length=4)
    full.rnn_time_step(batch.x[:4].transpose(1, 2, 0))            # the same 4 steps, stepped (no mask cut)
    np.testing.assert_allclose(state[1]["h"][0], full.rnn_get_previous_state(1)["h"][0], rtol=1e-12)


def test_on_gradient_sees_the_normalised_gradient_before_the_step():
    seen = []
    net = make_net(gradient_normalization="clip_elementwise", gradient_normalization_threshold=1e-3)
    plain = make_net(gradient_normalization="clip_elementwise", gradient_normalization_threshold=1e-3)
    Trainer(net, on_gradient=lambda g: seen.append(g.copy())).fit(batches(), epochs=1)
    plain.fit(batches(), epochs=1)
    assert len(seen) == 3 and all(g.shape == (net.num_params(),) and np.abs(g).max() <= 1e-3 for g in seen)
    for key, value in plain.params().items():                    # the hook changes nothing
        np.testing.assert_array_equal(net.params()[key], value)


def test_training_module_imports_first_and_never_reaches_back_into_network():
    code = "import workbench.nn.training as t; import workbench.nn.network as n; assert n.Trainer is t.Trainer"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=TRAINING.parents[2])
    imported = []
    for node in ast.walk(ast.parse(TRAINING.read_text())):
        if isinstance(node, ast.ImportFrom):
            imported.append(node.module)
        elif isinstance(node, ast.Import):
            imported.extend(a.name for a in node.names)
    assert imported and not any(m.startswith("workbench.nn.network") for m in imported), imported
    functions = [n for n in ast.walk(ast.parse(TRAINING.read_text()))
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    assert not [n.name for f in functions for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))]
