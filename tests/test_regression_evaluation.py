import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from workbench.eval import RegressionEvaluation, last_time_step, last_time_step_indices

# Hand-worked example: 4 rows, 2 columns; e = prediction - label.
LABELS = np.array([[1.0, 2.0],
                   [2.0, 4.0],
                   [3.0, 6.0],
                   [4.0, 8.0]])
PREDICTIONS = np.array([[1.5, 2.0],
                        [2.0, 5.0],
                        [2.0, 6.0],
                        [4.0, 7.0]])
# column 0: e = 0.5, 0, -1, 0   -> sum e^2 = 1.25, sum |e| = 1.5
#           mean y = 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
#           MSE = 1.25/4 = 0.3125, MAE = 1.5/4 = 0.375, RMSE = sqrt(0.3125), R^2 = 1 - 1.25/5 = 0.75
# column 1: e = 0, 1, 0, -1     -> sum e^2 = 2, sum |e| = 2
#           mean y = 5, SS_tot = 9 + 1 + 1 + 9 = 20
#           MSE = 2/4 = 0.5, MAE = 2/4 = 0.5, RMSE = sqrt(0.5), R^2 = 1 - 2/20 = 0.9
EXPECTED_MSE = [0.3125, 0.5]
EXPECTED_MAE = [0.375, 0.5]
EXPECTED_RMSE = [math.sqrt(0.3125), math.sqrt(0.5)]
EXPECTED_R2 = [0.75, 0.9]


def hand_evaluation(**kw):
    ev = RegressionEvaluation(**kw)
    ev.eval(LABELS, PREDICTIONS)
    return ev


def test_hand_computed_example():
    ev = hand_evaluation()
    assert ev.num_columns == 2 and ev.num_examples() == 4
    for i in range(2):
        assert ev.mean_squared_error(i) == pytest.approx(EXPECTED_MSE[i])
        assert ev.mean_absolute_error(i) == pytest.approx(EXPECTED_MAE[i])
        assert ev.root_mean_squared_error(i) == pytest.approx(EXPECTED_RMSE[i])
        assert ev.r_squared(i) == pytest.approx(EXPECTED_R2[i])
    # without i: the mean of the per-column scores
    assert ev.mean_squared_error() == pytest.approx(0.40625)
    assert ev.mean_absolute_error() == pytest.approx(0.4375)
    assert ev.root_mean_squared_error() == pytest.approx((math.sqrt(0.3125) + math.sqrt(0.5)) / 2)
    assert ev.r_squared() == pytest.approx(0.825)


def test_float32_input_gives_the_same_scores():
    ev = RegressionEvaluation()
    ev.eval(LABELS.astype(np.float32), PREDICTIONS.astype(np.float32))
    assert ev.r_squared(1) == pytest.approx(0.9) and ev.mean_squared_error(0) == pytest.approx(0.3125)


def test_two_dimensional_mask_skips_rows():
    keep = np.array([1, 0, 1, 1], np.float32)  # drop row 1 of the hand example
    for mask in (keep, keep[:, None], keep.astype(bool)):
        ev = RegressionEvaluation()
        ev.eval(LABELS, PREDICTIONS, mask)
        assert ev.num_examples() == 3
        # column 1 without row 1: e = 0, 0, -1; y = 2, 6, 8 (mean 16/3)
        assert ev.mean_squared_error(1) == pytest.approx(1 / 3)
        ss_tot = (2 - 16 / 3) ** 2 + (6 - 16 / 3) ** 2 + (8 - 16 / 3) ** 2
        assert ev.r_squared(1) == pytest.approx(1 - 1 / ss_tot)


def test_stats_table():
    text = hand_evaluation(columns=["x", "y"]).stats()
    lines = text.splitlines()
    assert lines[0].startswith("Rows evaluated: 4")
    header = lines[2].split()
    assert header == ["column", "MSE", "MAE", "RMSE", "R^2", "count"]
    row_x, row_y, average = (line.split() for line in lines[3:6])
    assert row_x[:2] == ["0", "x"] and row_y[:2] == ["1", "y"] and average[0] == "average"
    np.testing.assert_allclose([float(v) for v in row_x[2:6]],
                               [EXPECTED_MSE[0], EXPECTED_MAE[0], EXPECTED_RMSE[0], EXPECTED_R2[0]], rtol=1e-5)
    np.testing.assert_allclose([float(v) for v in row_y[2:6]],
                               [EXPECTED_MSE[1], EXPECTED_MAE[1], EXPECTED_RMSE[1], EXPECTED_R2[1]], rtol=1e-5)
    assert row_x[6] == row_y[6] == "4"
    assert float(average[4]) == pytest.approx(0.825, rel=1e-5)


def test_stats_without_names_and_empty():
    assert hand_evaluation().stats().splitlines()[3].split()[0] == "0"
    text = RegressionEvaluation().stats()
    assert text.startswith("Rows evaluated: 0")


def test_perfect_prediction_has_r_squared_one_and_zero_errors():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(20, 3, 7))
    ev = RegressionEvaluation()
    ev.eval(y, y.copy())
    for i in range(3):
        assert ev.r_squared(i) == 1.0
        assert ev.mean_squared_error(i) == ev.mean_absolute_error(i) == ev.root_mean_squared_error(i) == 0.0
    assert ev.r_squared() == 1.0


def test_predicting_the_mean_has_r_squared_zero():
    rng = np.random.default_rng(2)
    y = rng.normal(3.0, 2.0, size=(50, 2))
    ev = RegressionEvaluation()
    ev.eval(y, np.broadcast_to(y.mean(axis=0), y.shape))
    assert ev.r_squared(0) == pytest.approx(0.0, abs=1e-12)
    assert ev.r_squared(1) == pytest.approx(0.0, abs=1e-12)
    assert ev.mean_squared_error(0) == pytest.approx(y[:, 0].var())


def test_predicting_the_mean_of_all_batches_has_r_squared_zero():
    """SS_tot uses the mean over every row evaluated, not per batch."""
    y = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    mean = np.full_like(y, y.mean())
    ev = RegressionEvaluation()
    ev.eval(y[:3], mean[:3])
    ev.eval(y[3:], mean[3:])
    assert ev.r_squared(0) == pytest.approx(0.0, abs=1e-12)


def test_constant_labels():
    y = np.full((5, 1), 3.0)
    ev = RegressionEvaluation()
    ev.eval(y, y)
    assert ev.r_squared(0) == 1.0
    ev.eval(y[:1], y[:1] + 1)
    assert ev.r_squared(0) == 0.0


def test_large_offset_keeps_r_squared_accurate():
    rng = np.random.default_rng(3)
    y = 1e8 + rng.normal(size=(1000, 1))
    p = y + 0.5 * rng.normal(size=y.shape)
    ev = RegressionEvaluation()
    for part in range(10):
        ev.eval(y[part::10], p[part::10])
    expected = 1 - ((p - y) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert ev.r_squared(0) == pytest.approx(expected, rel=1e-9)


def test_empty_evaluation():
    ev = RegressionEvaluation()
    assert ev.num_columns is None and ev.num_examples() == 0
    assert math.isnan(ev.mean_squared_error()) and math.isnan(ev.r_squared())
    ev = RegressionEvaluation(2)
    ev.eval(np.zeros((2, 2, 3)), np.zeros((2, 2, 3)), np.zeros((2, 3)))  # everything masked
    assert ev.num_examples() == 0
    assert math.isnan(ev.root_mean_squared_error(1)) and math.isnan(ev.r_squared(0))


def random_series(seed, batch, columns, time, p_keep=0.6):
    rng = np.random.default_rng(seed)
    labels = rng.normal(size=(batch, columns, time))
    predictions = labels + rng.normal(size=labels.shape)
    mask = (rng.random((batch, time)) < p_keep).astype(np.float32)
    return labels, predictions, mask


def scores(ev):
    return np.array([[f(i) for i in range(ev.num_columns)] for f in (
        ev.mean_squared_error, ev.mean_absolute_error, ev.root_mean_squared_error, ev.r_squared)])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 6), columns=st.integers(1, 4),
       time=st.integers(1, 8))
def test_masked_time_series_equals_unmasked_steps_as_2d(seed, batch, columns, time):
    labels, predictions, mask = random_series(seed, batch, columns, time)
    labels[..., 0][mask[:, 0] == 0] = np.nan  # padding may hold anything; masked steps are never read
    ev3 = RegressionEvaluation(columns)
    ev3.eval_time_series(labels, predictions, mask)
    keep = mask.astype(bool)  # (B, T): pick the unmasked steps as rows of [n, columns]
    ev2 = RegressionEvaluation(columns)
    ev2.eval(labels.transpose(0, 2, 1)[keep], predictions.transpose(0, 2, 1)[keep])
    assert ev3.num_examples() == ev2.num_examples() == int(mask.sum())
    np.testing.assert_allclose(scores(ev3), scores(ev2), rtol=1e-12, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(2, 8), split=st.integers(1, 7),
       offset=st.sampled_from([0.0, 5.0, -1e4]))
def test_merge_and_several_calls_equal_evaluating_all_at_once(seed, batch, split, offset):
    split = min(split, batch - 1)
    labels, predictions, mask = random_series(seed, batch, 3, 4)
    labels, predictions = labels + offset, predictions + offset
    whole = RegressionEvaluation()
    whole.eval(labels, predictions, mask)
    first, second = RegressionEvaluation(), RegressionEvaluation()
    first.eval(labels[:split], predictions[:split], mask[:split])
    second.eval(labels[split:], predictions[split:], mask[split:])
    first.merge(second)
    calls = RegressionEvaluation()
    for b in range(batch):
        calls.eval(labels[b:b + 1], predictions[b:b + 1], mask[b:b + 1])
    assert first.num_examples() == calls.num_examples() == whole.num_examples()
    if whole.num_examples():
        np.testing.assert_allclose(scores(first), scores(whole), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(scores(calls), scores(whole), rtol=1e-9, atol=1e-12)


def test_merge_into_an_empty_evaluation_and_with_an_empty_one():
    ev = RegressionEvaluation()
    ev.merge(hand_evaluation(columns=["x", "y"]))
    ev.merge(RegressionEvaluation())
    ev.merge(RegressionEvaluation(2))
    assert ev.column_names == ["x", "y"] and ev.num_examples() == 4
    assert ev.r_squared(1) == pytest.approx(0.9)


def test_merge_rejects_other_column_counts_and_types():
    with pytest.raises(ValueError, match=r"merge.*expected 2 columns, got 3"):
        hand_evaluation().merge(RegressionEvaluation(3))
    with pytest.raises(ValueError, match="merge: expected a RegressionEvaluation"):
        hand_evaluation().merge(object())


@pytest.mark.parametrize("labels, predictions, message", [
    (np.zeros(4), np.zeros(4), r"labels: expected \[batch, columns\].*got shape \(4,\)"),
    (np.zeros((4, 2, 3, 1)), np.zeros((4, 2, 3, 1)), r"labels: expected .*got shape \(4, 2, 3, 1\)"),
    (np.zeros((4, 2)), np.zeros((4, 3)), r"predictions: expected .*\(4, 2\), got \(4, 3\)"),
    (np.zeros((4, 2, 5)), np.zeros((4, 2, 6)), r"predictions: expected .*\(4, 2, 5\), got \(4, 2, 6\)"),
    (np.zeros((4, 3)), np.zeros((4, 3)), r"labels of shape \(4, 3\): expected 2 columns, got 3"),
    (np.zeros((4, 0)), np.zeros((4, 0)), r"expected 2 columns, got 0"),
])
def test_bad_shapes_are_rejected(labels, predictions, message):
    with pytest.raises(ValueError, match=message):
        RegressionEvaluation(2).eval(labels, predictions)


def test_zero_columns_rejected_on_first_use():
    with pytest.raises(ValueError, match="expected at least 1 column, got 0"):
        RegressionEvaluation().eval(np.zeros((4, 0)), np.zeros((4, 0)))


def test_column_count_must_stay_the_same_between_calls():
    ev = hand_evaluation()
    with pytest.raises(ValueError, match="expected 2 columns, got 3"):
        ev.eval(np.zeros((1, 3, 2)), np.zeros((1, 3, 2)))


@pytest.mark.parametrize("shape, mask_shape", [
    ((4, 2), (5,)), ((4, 2), (4, 2)), ((4, 2, 5), (4,)), ((4, 2, 5), (4, 6)), ((4, 2, 5), (5, 4)),
])
def test_bad_mask_shapes_are_rejected(shape, mask_shape):
    with pytest.raises(ValueError, match=rf"mask: expected .*got \({mask_shape[0]},"):
        RegressionEvaluation().eval(np.zeros(shape), np.zeros(shape), np.ones(mask_shape))


@pytest.mark.parametrize("bad", [0.5, 2.0, -1.0, np.nan])
def test_mask_values_must_be_zero_or_one(bad):
    mask = np.ones((4, 5))
    mask[1, 2] = bad
    with pytest.raises(ValueError, match="mask: values must be 0 or 1"):
        RegressionEvaluation().eval_time_series(np.zeros((4, 2, 5)), np.zeros((4, 2, 5)), mask)


def test_eval_time_series_needs_3d():
    with pytest.raises(ValueError, match=r"\[batch, columns, time\].*\(4, 2\)"):
        RegressionEvaluation().eval_time_series(np.zeros((4, 2)), np.zeros((4, 2)))


def test_constructor_and_index_checks():
    assert RegressionEvaluation(3).num_columns == 3
    assert RegressionEvaluation(["a", "b"]).num_columns == 2
    with pytest.raises(ValueError, match="columns: expected at least 1 column, got 0"):
        RegressionEvaluation(0)
    with pytest.raises(ValueError, match="columns: expected at least 1 column, got 0"):
        RegressionEvaluation([])
    with pytest.raises(ValueError, match="columns: expected a column count or a sequence of names"):
        RegressionEvaluation("ab")
    with pytest.raises(ValueError, match="0 <= i < 2, got 2"):
        hand_evaluation().r_squared(2)
    with pytest.raises(ValueError, match="0 <= i < 2, got -1"):
        hand_evaluation().mean_squared_error(-1)
    with pytest.raises(ValueError, match="0 <= i < 2, got 2"):
        RegressionEvaluation(["a", "b"]).mean_absolute_error(2)


# ---- last time step ----

def series(batch=3, n_out=2, time=5):
    """output[b, k, t] = 100 b + 10 k + t, so a picked value names its example, unit and step."""
    b, k, t = np.meshgrid(np.arange(batch), np.arange(n_out), np.arange(time), indexing="ij")
    return (100 * b + 10 * k + t).astype(np.float32)


def test_last_time_step_without_mask_is_the_last_step():
    out = series()
    last = last_time_step(out)
    np.testing.assert_array_equal(last, out[:, :, -1])
    last[0, 0] = -1  # a copy, not a view
    assert out[0, 0, -1] == 4


def test_last_time_step_with_end_padding():
    out = series()
    mask = np.array([[1, 1, 1, 1, 1],
                     [1, 1, 1, 0, 0],
                     [1, 0, 0, 0, 0]], np.float32)
    np.testing.assert_array_equal(last_time_step_indices(mask), [4, 2, 0])
    np.testing.assert_array_equal(last_time_step(out, mask), [[4, 14], [102, 112], [200, 210]])
    assert last_time_step_indices(mask).dtype == np.int64


def test_last_time_step_with_start_padding():
    out = series()
    mask = np.array([[0, 0, 1, 1, 1],
                     [0, 1, 1, 1, 1],
                     [0, 0, 0, 0, 1]], bool)
    np.testing.assert_array_equal(last_time_step_indices(mask), [4, 4, 4])
    np.testing.assert_array_equal(last_time_step(out, mask), out[:, :, 4])


def test_guide_examples():
    # "a features mask like [1,1,1,1,0]" -> the last non-zero element, 3
    assert last_time_step_indices(np.array([[1, 1, 1, 1, 0]])).tolist() == [3]
    # "a labels mask array (which is a one-hot vector, like [0,0,0,1,0] ...)" -> argMax, 3
    assert last_time_step_indices(np.array([[0, 0, 0, 1, 0]])).tolist() == [3]


def guide_linspace_indices(features_mask):
    """The guide's features-mask trick: argMax(featuresMask.mulColumnVector(linSpace(1, T, T)), 1)."""
    longest = features_mask.shape[1]
    linspace = np.linspace(1, longest, longest)
    return np.argmax(features_mask * linspace, axis=1)


def guide_labels_mask_indices(labels_mask):
    """The guide's labels-mask trick: argMax(labelsMask, 1)."""
    return np.argmax(labels_mask, axis=1)


def guide_loop(output, indices):
    """The guide's loop: output.get(point(i), all(), point(lastIndex_i)) for each example."""
    return np.stack([output[i, :, indices[i]] for i in range(output.shape[0])])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 6), time=st.integers(1, 9),
       kind=st.sampled_from(["end", "start", "random"]))
def test_features_mask_agrees_with_the_guide_linspace_trick(seed, batch, time, kind):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, time + 1, batch)
    steps = np.arange(time)
    if kind == "end":
        mask = (steps < lengths[:, None]).astype(np.float32)
    elif kind == "start":
        mask = (steps >= time - lengths[:, None]).astype(np.float32)
    else:
        mask = (rng.random((batch, time)) < 0.5).astype(np.float32)
        mask[np.arange(batch), rng.integers(0, time, batch)] = 1  # at least one step each
    output = rng.normal(size=(batch, 3, time))
    expected = guide_linspace_indices(mask)
    np.testing.assert_array_equal(last_time_step_indices(mask), expected)
    np.testing.assert_array_equal(last_time_step(output, mask), guide_loop(output, expected))
    if kind == "end":
        np.testing.assert_array_equal(last_time_step_indices(mask), lengths - 1)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 6), time=st.integers(1, 9))
def test_one_hot_labels_mask_agrees_with_the_guide_argmax_trick(seed, batch, time):
    rng = np.random.default_rng(seed)
    labels_mask = np.eye(time, dtype=np.float32)[rng.integers(0, time, batch)]  # one 1 per row
    output = rng.normal(size=(batch, 4, time))
    expected = guide_labels_mask_indices(labels_mask)
    np.testing.assert_array_equal(last_time_step_indices(labels_mask), expected)
    np.testing.assert_array_equal(last_time_step(output, labels_mask), guide_loop(output, expected))


def test_all_masked_example_is_an_error():
    mask = np.array([[1, 1, 0], [0, 0, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"mask: example 1 has no unmasked step"):
        last_time_step_indices(mask)
    with pytest.raises(ValueError, match=r"mask: example 1 has no unmasked step"):
        last_time_step(series(3, 2, 3), mask)
    with pytest.raises(ValueError, match=r"mask: examples 0, 2 have no unmasked step"):
        last_time_step_indices(np.array([[0, 0], [1, 0], [0, 0]]))


@pytest.mark.parametrize("output_shape, mask_shape, message", [
    ((3, 2), None, r"output: expected \[batch, n_out, time\].*got shape \(3, 2\)"),
    ((3, 2, 0), None, r"output: expected .*time >= 1.*\(3, 2, 0\)"),
    ((3, 2, 5), (3, 4),
     r"mask: expected shape \[batch, time\] = \(3, 5\) for output of shape \(3, 2, 5\), got \(3, 4\)"),
    ((3, 2, 5), (5,), r"mask: expected shape .*got \(5,\)"),
    ((3, 2, 5), (3, 2, 5), r"mask: expected shape .*got \(3, 2, 5\)"),
])
def test_last_time_step_shape_errors(output_shape, mask_shape, message):
    mask = None if mask_shape is None else np.ones(mask_shape)
    with pytest.raises(ValueError, match=message):
        last_time_step(np.zeros(output_shape), mask)


@pytest.mark.parametrize("mask, message", [
    (np.ones(5), r"mask: expected \[batch, time\].*got shape \(5,\)"),
    (np.ones((2, 0)), r"mask: expected \[batch, time\] with time >= 1, got shape \(2, 0\)"),
    (np.array([[1, 0.5]]), "mask: values must be 0 or 1"),
    (np.array([[1, 2]]), "mask: values must be 0 or 1"),
])
def test_last_time_step_indices_errors(mask, message):
    with pytest.raises(ValueError, match=message):
        last_time_step_indices(mask)
