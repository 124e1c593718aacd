import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from workbench.eval import Evaluation

# Hand-worked example: 8 examples, 3 classes (a fourth class, 3, never occurs).
ACTUAL = [0, 0, 0, 0, 1, 1, 2, 2]
PREDICTED = [0, 0, 0, 1, 1, 2, 2, 2]
# rows = actual, columns = predicted
EXPECTED_CM = [[3, 1, 0],
               [0, 1, 1],
               [0, 0, 2]]
# column sums 3, 2, 3 -> precision 3/3, 1/2, 2/3; row sums 4, 2, 2 -> recall 3/4, 1/2, 2/2
EXPECTED_PRECISION = [1.0, 1 / 2, 2 / 3]
EXPECTED_RECALL = [3 / 4, 1 / 2, 1.0]
EXPECTED_F1 = [6 / 7, 1 / 2, 4 / 5]  # 2PR/(P+R): 1.5/1.75, 0.5/1, (4/3)/(5/3)


def one_hot(classes, n):
    return np.eye(n, dtype=np.float32)[classes]


def scores(classes, n, seed=0):
    """Probability-like scores whose argmax is ``classes``."""
    rng = np.random.default_rng(seed)
    return one_hot(classes, n) + 0.5 * rng.random((len(classes), n))


def hand_evaluation(num_classes=3, **kw):
    ev = Evaluation(num_classes, **kw)
    ev.eval(one_hot(ACTUAL, num_classes), scores(PREDICTED, num_classes))
    return ev


def test_hand_computed_example():
    ev = hand_evaluation()
    np.testing.assert_array_equal(ev.confusion_matrix(), EXPECTED_CM)
    assert ev.confusion_matrix().dtype == np.int64
    assert ev.num_examples() == 8
    assert ev.accuracy() == pytest.approx(6 / 8)
    for i in range(3):
        assert ev.precision(i) == pytest.approx(EXPECTED_PRECISION[i])
        assert ev.recall(i) == pytest.approx(EXPECTED_RECALL[i])
        assert ev.f1(i) == pytest.approx(EXPECTED_F1[i])
    assert ev.precision() == pytest.approx(13 / 18)   # (1 + 1/2 + 2/3) / 3
    assert ev.recall() == pytest.approx(3 / 4)        # (3/4 + 1/2 + 1) / 3
    assert ev.f1() == pytest.approx(151 / 210)        # (6/7 + 1/2 + 4/5) / 3


def test_class_never_seen_is_left_out_of_macro_averages():
    ev = hand_evaluation(num_classes=4)
    assert ev.confusion_matrix().shape == (4, 4)
    assert ev.precision(3) == ev.recall(3) == ev.f1(3) == 0.0
    assert ev.precision() == pytest.approx(13 / 18)
    assert ev.recall() == pytest.approx(3 / 4)


def test_class_only_predicted_counts_as_zero_in_macro_averages():
    ev = hand_evaluation(num_classes=4)
    ev.eval(one_hot([0], 4), scores([3], 4))  # one more actual 0, predicted 3
    assert ev.precision(3) == 0.0 and ev.recall(3) == 0.0
    # class 0: precision 3/3, recall 3/5; class 3 is now included with precision 0, recall 0
    assert ev.precision() == pytest.approx((1 + 1 / 2 + 2 / 3 + 0) / 4)
    assert ev.recall() == pytest.approx((3 / 5 + 1 / 2 + 1 + 0) / 4)


def test_empty_evaluation_reports_zeros():
    ev = Evaluation()
    assert ev.num_classes is None and ev.num_examples() == 0
    assert ev.accuracy() == ev.precision() == ev.f1() == 0.0
    assert ev.confusion_matrix().shape == (0, 0)


def test_confusion_matrix_is_a_copy():
    ev = hand_evaluation()
    ev.confusion_matrix()[0, 0] = 99
    assert ev.confusion_matrix()[0, 0] == 3


def test_num_classes_comes_from_labels_or_data():
    assert Evaluation(labels=["a", "b"]).num_classes == 2
    ev = Evaluation()
    ev.eval(one_hot(ACTUAL, 3), scores(PREDICTED, 3))
    assert ev.num_classes == 3


def test_two_dimensional_mask_skips_rows():
    keep = np.array([1, 1, 1, 0, 1, 0, 1, 1], np.float32)  # drop rows 3 and 5
    for mask in (keep, keep[:, None], keep.astype(bool)):
        ev = Evaluation()
        ev.eval(one_hot(ACTUAL, 3), scores(PREDICTED, 3), mask)
        np.testing.assert_array_equal(ev.confusion_matrix(), [[3, 0, 0], [0, 1, 0], [0, 0, 2]])


def test_stats_shows_scores_names_and_matrix():
    text = hand_evaluation(labels=["cat", "dog", "eel"]).stats()
    assert "Accuracy:  0.7500" in text
    assert "Precision: 0.7222" in text and "F1:        0.7190" in text
    assert "0 cat" in text and "2 eel" in text
    rows = [line.split() for line in text.splitlines()[-3:]]
    assert rows == [["0", "cat", "3", "1", "0"], ["1", "dog", "0", "1", "1"], ["2", "eel", "0", "0", "2"]]


def random_series(seed, batch, classes, time):
    """One-hot labels, scores and a 0/1 mask for 3-d data."""
    rng = np.random.default_rng(seed)
    labels = one_hot(rng.integers(0, classes, (batch, time)), classes).transpose(0, 2, 1)  # (B, C, T)
    predictions = rng.random((batch, classes, time))
    mask = (rng.random((batch, time)) < 0.6).astype(np.float32)
    return labels, predictions, mask


@settings(max_examples=50)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 6), classes=st.integers(1, 5),
       time=st.integers(1, 8))
def test_masked_time_series_equals_unmasked_steps_as_2d(seed, batch, classes, time):
    labels, predictions, mask = random_series(seed, batch, classes, time)
    ev3 = Evaluation(classes)
    ev3.eval_time_series(labels, predictions, mask)
    keep = mask.astype(bool)  # (B, T): pick the unmasked steps as rows of [n, classes]
    ev2 = Evaluation(classes)
    ev2.eval(labels.transpose(0, 2, 1)[keep], predictions.transpose(0, 2, 1)[keep])
    np.testing.assert_array_equal(ev3.confusion_matrix(), ev2.confusion_matrix())
    assert ev3.num_examples() == int(mask.sum())


def test_unmasked_time_series_counts_every_step():
    labels, predictions, _ = random_series(0, 3, 4, 5)
    ev = Evaluation()
    ev.eval(labels, predictions)
    assert ev.num_examples() == 15


@settings(max_examples=50)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(2, 8), split=st.integers(1, 7))
def test_merge_equals_evaluating_all_at_once(seed, batch, split):
    split = min(split, batch - 1)
    labels, predictions, mask = random_series(seed, batch, 3, 4)
    whole = Evaluation()
    whole.eval(labels, predictions, mask)
    first, second = Evaluation(), Evaluation()
    first.eval(labels[:split], predictions[:split], mask[:split])
    second.eval(labels[split:], predictions[split:], mask[split:])
    first.merge(second)
    np.testing.assert_array_equal(first.confusion_matrix(), whole.confusion_matrix())
    assert first.f1() == whole.f1()


def test_merge_into_an_empty_evaluation():
    ev = Evaluation()
    ev.merge(hand_evaluation())
    np.testing.assert_array_equal(ev.confusion_matrix(), EXPECTED_CM)


def test_merge_rejects_a_different_class_count():
    with pytest.raises(ValueError, match=r"merge.*3 classes.*4"):
        hand_evaluation().merge(hand_evaluation(num_classes=4))


@pytest.mark.parametrize("labels, predictions, message", [
    (np.zeros(4), np.zeros(4), r"labels: expected .*got shape \(4,\)"),
    (np.zeros((4, 3)), np.zeros((4, 2)), r"predictions: expected .*\(4, 3\), got \(4, 2\)"),
    (np.zeros((4, 3, 5)), np.zeros((4, 3, 6)), r"predictions: expected .*\(4, 3, 5\), got \(4, 3, 6\)"),
    (np.zeros((4, 2)), np.zeros((4, 2)), r"expected 3 classes, got 2"),
])
def test_bad_shapes_are_rejected(labels, predictions, message):
    with pytest.raises(ValueError, match=message):
        Evaluation(3).eval(labels, predictions)


@pytest.mark.parametrize("shape, mask_shape", [
    ((4, 3), (5,)), ((4, 3), (4, 2)), ((4, 3, 5), (4,)), ((4, 3, 5), (4, 6)),
])
def test_bad_mask_shapes_are_rejected(shape, mask_shape):
    with pytest.raises(ValueError, match=rf"mask: expected .*got \({mask_shape[0]},"):
        Evaluation().eval(np.zeros(shape), np.zeros(shape), np.ones(mask_shape))


@pytest.mark.parametrize("bad", [0.5, 2.0, -1.0, np.nan])
def test_mask_values_must_be_zero_or_one(bad):
    mask = np.ones((4, 5))
    mask[1, 2] = bad
    with pytest.raises(ValueError, match="mask: values must be 0 or 1"):
        Evaluation().eval(np.zeros((4, 3, 5)), np.zeros((4, 3, 5)), mask)


def test_class_count_must_stay_the_same_between_calls():
    ev = hand_evaluation()
    with pytest.raises(ValueError, match="expected 3 classes, got 4"):
        ev.eval(one_hot([0], 4), one_hot([0], 4))


def test_eval_time_series_needs_3d():
    with pytest.raises(ValueError, match=r"\[batch, classes, time\].*\(4, 3\)"):
        Evaluation().eval_time_series(np.zeros((4, 3)), np.zeros((4, 3)))


def test_constructor_checks():
    with pytest.raises(ValueError, match="labels: expected 3 class names"):
        Evaluation(3, labels=["a", "b"])
    with pytest.raises(ValueError, match="num_classes"):
        Evaluation(0)


def test_class_index_out_of_range():
    with pytest.raises(ValueError, match="0 <= i < 3, got 3"):
        hand_evaluation().precision(3)
