import hashlib
import re
from importlib import resources

import numpy as np
import pytest

from workbench.data.datasets import UCI_CLASS_NAMES, uci_synthetic_control

UCI_DIR = resources.files("workbench.data").joinpath("resources", "uci_synthetic_control")

# README table: mean of the first and of the last 10 steps of each class.
README_MEANS = {  # class: (first 10, last 10)
    "normal": (30.02, 30.18),
    "cyclic": (32.27, 29.33),
    "increasing trend": (31.66, 48.79),
    "decreasing trend": (28.27, 10.58),
    "upward shift": (30.13, 44.05),
    "downward shift": (30.17, 16.57),
}


@pytest.fixture(scope="module")
def raw():
    """Unnormalised train + test: features [600, 60] and classes [600]."""
    train, test = uci_synthetic_control(normalize=False)
    features = np.concatenate([train.features, test.features])[:, 0, :]
    classes = np.concatenate([train.labels, test.labels])[:, :, -1].argmax(axis=1)
    return features, classes


def test_bundled_file_matches_readme_sha256():
    digest = hashlib.sha256(UCI_DIR.joinpath("synthetic_control.data").read_bytes()).hexdigest()
    readme = UCI_DIR.joinpath("README.md").read_text()
    assert re.search(rf"`synthetic_control.data` \| 288374 \| `{digest}`", readme)


def test_shapes_dtypes_and_split_sizes():
    train, test = uci_synthetic_control()
    assert train.features.shape == (450, 1, 60) and test.features.shape == (150, 1, 60)
    assert train.labels.shape == (450, 6, 60) and test.labels.shape == (150, 6, 60)
    assert train.labels_mask.shape == (450, 60) and test.labels_mask.shape == (150, 60)
    for ds in (train, test):
        assert ds.features.dtype == ds.labels.dtype == ds.labels_mask.dtype == np.float32
        assert ds.features_mask is None
    assert uci_synthetic_control(n_train=500)[1].num_examples() == 100


def test_labels_are_one_hot_at_the_last_step_only():
    for ds in uci_synthetic_control():
        assert np.all(ds.labels[:, :, :-1] == 0)
        assert set(np.unique(ds.labels)) == {0.0, 1.0}
        np.testing.assert_array_equal(ds.labels[:, :, -1].sum(axis=1), 1)
        expected_mask = np.zeros((ds.num_examples(), 60), np.float32)
        expected_mask[:, -1] = 1
        np.testing.assert_array_equal(ds.labels_mask, expected_mask)


def test_every_class_is_in_train_and_test():
    train, test = uci_synthetic_control()
    train_counts = train.labels[:, :, -1].sum(axis=0)
    test_counts = test.labels[:, :, -1].sum(axis=0)
    assert np.all(train_counts > 0) and np.all(test_counts > 0)
    np.testing.assert_array_equal(train_counts + test_counts, 100)


def test_all_600_rows_are_used_once(raw):
    features, classes = raw
    with UCI_DIR.joinpath("synthetic_control.data").open("r") as f:
        file_rows = np.loadtxt(f)
    order = np.lexsort(features.T[::-1])
    file_order = np.lexsort(file_rows.T[::-1])
    np.testing.assert_allclose(features[order], file_rows[file_order], rtol=1e-6)
    # Row i of the file has class i // 100; the first line starts "28.7812 34.4632 31.3381".
    np.testing.assert_array_equal(classes[order], (np.arange(600) // 100)[file_order])
    first = np.flatnonzero(np.isclose(features[:, 0], 28.7812) & np.isclose(features[:, 1], 34.4632))
    assert len(first) == 1 and classes[first[0]] == 0


def test_class_means_match_the_readme_table(raw):
    features, classes = raw
    for c, name in enumerate(UCI_CLASS_NAMES):
        first10, last10 = README_MEANS[name]
        assert features[classes == c, :10].mean() == pytest.approx(first10, abs=0.006), name
        assert features[classes == c, -10:].mean() == pytest.approx(last10, abs=0.006), name
    last = {name: features[classes == c, -10:].mean() for c, name in enumerate(UCI_CLASS_NAMES)}
    assert last["increasing trend"] > last["upward shift"] > last["normal"] > last["cyclic"]
    assert last["cyclic"] > last["downward shift"] > last["decreasing trend"]


def test_normalisation_uses_training_statistics():
    train, test = uci_synthetic_control()
    raw_train, raw_test = uci_synthetic_control(normalize=False)
    assert train.features.mean() == pytest.approx(0, abs=1e-5)
    assert train.features.std() == pytest.approx(1, abs=1e-5)
    mean, std = raw_train.features.mean(dtype=np.float64), raw_train.features.std(dtype=np.float64)
    np.testing.assert_allclose(test.features, (raw_test.features - mean) / std, rtol=1e-5, atol=1e-5)
    assert abs(test.features.mean()) > 1e-3  # test data is not standardised with its own stats
    np.testing.assert_array_equal(train.labels, raw_train.labels)


def test_seed_fixes_the_split():
    a, _ = uci_synthetic_control(seed=1, normalize=False)
    b, _ = uci_synthetic_control(seed=1, normalize=False)
    c, _ = uci_synthetic_control(seed=2, normalize=False)
    np.testing.assert_array_equal(a.features, b.features)
    assert not np.array_equal(a.features, c.features)


@pytest.mark.parametrize("n_train", [0, 600])
def test_bad_n_train_is_rejected(n_train):
    with pytest.raises(ValueError, match="n_train"):
        uci_synthetic_control(n_train=n_train)
