import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

from workbench.data import DataSet


def numbered(n, n_in=3, n_out=2, t=7):
    """A DataSet whose every array carries its example's index, so pairing can be checked."""
    ids = np.arange(n, dtype=np.float32)
    features = np.broadcast_to(ids[:, None, None], (n, n_in, t)).copy()
    labels = np.broadcast_to(10 * ids[:, None, None], (n, n_out, t)).copy()
    features_mask = np.broadcast_to(100 * ids[:, None], (n, t)).copy()  # not 0/1: only a tracer here
    labels_mask = np.broadcast_to(ids[:, None] % 2 == 0, (n, t)).copy()
    return DataSet(features, labels, features_mask, labels_mask)


def example_ids(ds):
    """The example index each array's rows came from; all four must agree."""
    ids = ds.features[:, 0, 0]
    np.testing.assert_array_equal(ds.labels[:, 0, 0], 10 * ids)
    np.testing.assert_array_equal(ds.features_mask[:, 0], 100 * ids)
    np.testing.assert_array_equal(ds.labels_mask[:, 0], ids % 2 == 0)
    return ids.astype(int)


def test_attributes_and_num_examples():
    x, y, m = np.zeros((4, 3, 7)), np.ones((4, 2, 7)), np.ones((4, 7), bool)
    ds = DataSet(x, y, labels_mask=m)
    assert ds.features is x and ds.labels is y and ds.labels_mask is m
    assert ds.features_mask is None
    assert ds.num_examples() == 4


def test_masks_are_kept_as_given():
    bool_mask, float_mask = np.ones((4, 7), bool), np.ones((4, 7), np.float32)
    ds = DataSet(np.zeros((4, 3, 7)), np.zeros((4, 2, 7)), bool_mask, float_mask)
    assert ds.features_mask.dtype == bool and ds.labels_mask.dtype == np.float32


def test_feed_forward_data_is_accepted():
    assert DataSet(np.zeros((5, 3)), np.zeros((5, 2))).num_examples() == 5


def test_repr_shows_shapes():
    text = repr(DataSet(np.zeros((4, 3, 7)), np.zeros((4, 2, 7)), labels_mask=np.ones((4, 7))))
    assert "(4, 3, 7)" in text and "(4, 2, 7)" in text and "(4, 7)" in text
    assert "features_mask=None" in text


def test_batch_size_mismatch_names_labels_and_shapes():
    with pytest.raises(ValueError, match=r"labels.*4.*\(4, 3, 7\).*\(5, 2, 7\)"):
        DataSet(np.zeros((4, 3, 7)), np.zeros((5, 2, 7)))


def test_one_dimensional_features_are_rejected():
    with pytest.raises(ValueError, match=r"features.*\(4,\)"):
        DataSet(np.zeros(4), np.zeros((4, 2)))


@pytest.mark.parametrize("name, shape", [
    ("features_mask", (4, 6)),   # wrong time
    ("features_mask", (3, 7)),   # wrong batch
    ("labels_mask", (4, 7, 1)),  # not 2-d
    ("labels_mask", (4,)),
])
def test_mask_shape_must_be_batch_by_time(name, shape):
    with pytest.raises(ValueError, match=rf"{name}.*\(4, 7\).*{re.escape(str(shape))}"):
        DataSet(np.zeros((4, 3, 7)), np.zeros((4, 2, 7)), **{name: np.ones(shape)})


def test_labels_mask_follows_the_labels_time_axis():
    # One-to-many style: labels may be longer than features; each mask follows its own array.
    ds = DataSet(np.zeros((2, 3, 4)), np.zeros((2, 1, 9)), np.ones((2, 4)), np.ones((2, 9)))
    assert ds.labels_mask.shape == (2, 9)
    with pytest.raises(ValueError, match="labels_mask"):
        DataSet(np.zeros((2, 3, 4)), np.zeros((2, 1, 9)), labels_mask=np.ones((2, 4)))


def test_mask_on_two_dimensional_data_is_one_flag_per_example():
    DataSet(np.zeros((4, 3)), np.zeros((4, 2)), labels_mask=np.ones(4))
    DataSet(np.zeros((4, 3)), np.zeros((4, 2)), labels_mask=np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"labels_mask: expected shape \[batch\] or \[batch, 1\].*got \(4, 2\)"):
        DataSet(np.zeros((4, 3)), np.zeros((4, 2)), labels_mask=np.ones((4, 2)))


def test_split_keeps_order_and_all_arrays():
    train, test = numbered(10).split_test_and_train(7)
    np.testing.assert_array_equal(example_ids(train), np.arange(7))
    np.testing.assert_array_equal(example_ids(test), np.arange(7, 10))
    assert train.features.shape == (7, 3, 7) and test.labels_mask.shape == (3, 7)


def test_split_without_masks_keeps_none():
    train, test = DataSet(np.zeros((5, 2)), np.zeros((5, 1))).split_test_and_train(2)
    assert train.features_mask is None and test.labels_mask is None
    assert (train.num_examples(), test.num_examples()) == (2, 3)


@pytest.mark.parametrize("n_train", [0, 10, 11, -1])
def test_split_needs_examples_on_both_sides(n_train):
    with pytest.raises(ValueError, match=rf"n_train.*\[1, 9\].*{n_train}"):
        numbered(10).split_test_and_train(n_train)


def test_shuffle_is_seeded_and_reorders():
    a, b, c = numbered(50), numbered(50), numbered(50)
    a.shuffle(3)
    b.shuffle(3)
    c.shuffle(4)
    np.testing.assert_array_equal(example_ids(a), example_ids(b))
    assert not np.array_equal(example_ids(a), np.arange(50))
    assert not np.array_equal(example_ids(a), example_ids(c))


@given(n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_shuffle_keeps_examples_paired(n, seed):
    ds = numbered(n)
    ds.shuffle(seed)
    ids = example_ids(ds)  # raises if any array was permuted differently
    assert sorted(ids) == list(range(n))


def test_shuffle_without_masks():
    x = np.arange(6, dtype=float).reshape(6, 1)
    ds = DataSet(x, 2 * x)
    ds.shuffle(0)
    np.testing.assert_array_equal(ds.labels, 2 * ds.features)
    assert ds.features_mask is None and ds.labels_mask is None
