"""remember_first: recall the first symbol at the last step (a dependency as long as the sequence)."""
import numpy as np
import pytest

from workbench.data import DataSet
from workbench.data import datasets
from workbench.data.datasets import remember_first


def test_is_exported():
    assert "remember_first" in datasets.__all__


def test_shapes_dtypes_and_one_hot_features():
    ds = remember_first(n=64, length=17, symbols=3, seed=5)
    assert isinstance(ds, DataSet)
    assert ds.features.shape == (64, 3, 17) and ds.labels.shape == (64, 3, 17)
    assert ds.labels_mask.shape == (64, 17) and ds.features_mask is None
    assert ds.features.dtype == ds.labels.dtype == ds.labels_mask.dtype == np.float32
    assert np.array_equal(ds.features.sum(axis=1), np.ones((64, 17)))        # one symbol per step
    assert set(np.unique(ds.features)) == {0.0, 1.0}


def test_defaults():
    ds = remember_first()
    assert ds.features.shape == (512, 2, 30) and ds.labels.shape == (512, 2, 30)


def test_label_is_the_first_symbol_at_the_last_step_only():
    ds = remember_first(n=200, length=12, symbols=4, seed=3)
    assert np.array_equal(ds.labels[:, :, -1], ds.features[:, :, 0])
    assert not ds.labels[:, :, :-1].any()                                     # no label before the end
    assert np.array_equal(ds.labels[:, :, -1].argmax(axis=1), ds.features[:, :, 0].argmax(axis=1))


def test_mask_marks_only_the_last_step():
    ds = remember_first(n=10, length=8, seed=0)
    expected = np.zeros((10, 8), np.float32)
    expected[:, -1] = 1
    assert np.array_equal(ds.labels_mask, expected)


def test_the_label_is_not_the_last_symbol():
    """The answer must come from memory: the first and last symbols agree only by chance."""
    ds = remember_first(n=2000, length=30, seed=0)
    first, last = ds.features[:, :, 0].argmax(axis=1), ds.features[:, :, -1].argmax(axis=1)
    assert 0.45 < np.mean(first == last) < 0.55
    assert 0.45 < np.mean(first) < 0.55                                       # both symbols equally likely


def test_seeded():
    a, b, c = remember_first(seed=7), remember_first(seed=7), remember_first(seed=8)
    assert np.array_equal(a.features, b.features) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.features, c.features)


def test_length_one_labels_its_only_step():
    ds = remember_first(n=5, length=1)
    assert np.array_equal(ds.labels[:, :, 0], ds.features[:, :, 0]) and ds.labels_mask.tolist() == [[1.0]] * 5


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(length=0), dict(symbols=1), dict(n=2.5), dict(length=True)])
def test_bad_arguments_are_rejected(kwargs):
    with pytest.raises(ValueError, match="remember_first"):
        remember_first(**kwargs)
