import doctest

import numpy as np
import pytest

from workbench.data import datasets
from workbench.data.datasets import MOVING_SHAPES_CLASSES, moving_shapes

STEPS = {0: (0, 1), 1: (0, -1), 2: (1, 0), 3: (-1, 0)}  # class: (row, col) step per frame


@pytest.fixture(scope="module")
def clean():
    """The default set generated without noise."""
    return moving_shapes(noise=0.0)


def frames_of(ds, size):
    """features [n, size*size, frames] -> images [n, frames, 1, size, size], as the docstring says."""
    n, _, t = ds.features.shape
    return np.stack([ds.features[:, :, f].reshape(n, 1, size, size) for f in range(t)], axis=1)


def test_class_names():
    assert MOVING_SHAPES_CLASSES == ("right", "left", "down", "up")
    assert {"moving_shapes", "MOVING_SHAPES_CLASSES"} <= set(datasets.__all__)


def test_shapes_and_dtypes():
    ds = moving_shapes()
    assert ds.features.shape == (600, 100, 6)
    assert ds.labels.shape == (600, 4, 6)
    assert ds.labels_mask.shape == (600, 6)
    assert ds.features.dtype == ds.labels.dtype == ds.labels_mask.dtype == np.float32
    assert ds.features_mask is None
    small = moving_shapes(n=12, frames=3, size=6, seed=4)
    assert small.features.shape == (12, 36, 3) and small.labels.shape == (12, 4, 3)
    assert small.labels_mask.shape == (12, 3)


def test_labels_one_hot_at_the_last_frame_only_and_mask():
    ds = moving_shapes(n=40, frames=5)
    assert np.all(ds.labels[:, :, :-1] == 0)
    assert set(np.unique(ds.labels)) == {0.0, 1.0}
    np.testing.assert_array_equal(ds.labels[:, :, -1].sum(axis=1), 1)
    expected_mask = np.zeros((40, 5), np.float32)
    expected_mask[:, -1] = 1
    np.testing.assert_array_equal(ds.labels_mask, expected_mask)


def test_same_seed_identical_different_seed_different():
    a, b, c = moving_shapes(seed=3), moving_shapes(seed=3), moving_shapes(seed=4)
    for name in ("features", "labels", "labels_mask"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.features, c.features)
    assert not np.array_equal(a.labels, c.labels)


def test_noise_is_added_on_top_of_the_same_clean_videos(clean):
    noisy = moving_shapes(noise=0.1)
    np.testing.assert_array_equal(noisy.labels, clean.labels)
    diff = noisy.features - clean.features
    assert abs(diff.std() - 0.1) < 0.005 and abs(diff.mean()) < 0.005
    assert set(np.unique(clean.features)) == {0.0, 1.0}  # noise-free pixels: background 0, shape 1


def test_classes_balanced_and_shuffled(clean):
    classes = clean.labels[:, :, -1].argmax(axis=1)
    np.testing.assert_array_equal(np.bincount(classes, minlength=4), [150] * 4)
    assert np.any(np.diff(classes) != 0) and not np.all(np.diff(classes) >= 0)
    np.testing.assert_array_equal(
        np.bincount(moving_shapes(n=8, seed=1).labels[:, :, -1].argmax(axis=1), minlength=4), [2] * 4)


@pytest.mark.parametrize("n, frames, size, seed", [(600, 6, 10, 0), (40, 4, 9, 7), (8, 1, 3, 2)])
def test_each_frame_is_the_last_shifted_one_pixel_in_the_class_direction(n, frames, size, seed):
    ds = moving_shapes(n=n, frames=frames, size=size, seed=seed, noise=0.0)
    images = frames_of(ds, size)[:, :, 0]  # [n, frames, size, size]
    classes = ds.labels[:, :, -1].argmax(axis=1)
    for video, k in zip(images, classes):
        for t in range(frames - 1):        # the frame wraps around: a circular shift
            np.testing.assert_array_equal(video[t + 1], np.roll(video[t], STEPS[k], axis=(0, 1)))


def test_the_whole_shape_is_in_every_frame(clean):
    mass = frames_of(clean, 10)[:, :, 0].sum(axis=(2, 3))  # [n, frames] total brightness
    np.testing.assert_array_equal(mass, mass[:, :1].repeat(6, axis=1))
    # a whole 3x3 square (9 pixels) or plus (5 pixels) in every frame; both kinds occur
    assert set(np.unique(mass[:, 0])) == {5.0, 9.0}


def test_no_single_frame_tells_the_direction(clean):
    """Where the shape is in the last frame is spread alike over the classes."""
    last = frames_of(clean, 10)[:, -1, 0]
    classes = clean.labels[:, :, -1].argmax(axis=1)
    for k in range(4):
        occupancy = last[classes == k].mean(axis=0)      # [10, 10] share of examples lighting each pixel
        assert occupancy.min() > 0 and occupancy.max() < 0.4


def test_start_positions_vary():
    images = frames_of(moving_shapes(n=200, frames=4, size=10, noise=0.0), 10)[:, 0, 0]
    first_lit = {tuple(np.argwhere(im)[0]) for im in images}
    assert len(first_lit) > 20


@pytest.mark.parametrize("kwargs", [
    {"n": 6}, {"n": 0}, {"n": 4.0}, {"frames": 0}, {"size": 2, "frames": 1},
    {"noise": -0.1}, {"noise": float("nan")},
])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="moving_shapes"):
        moving_shapes(**kwargs)


def test_docstring_example():
    runner = doctest.DocTestRunner()
    globs = {"moving_shapes": moving_shapes}
    for test in doctest.DocTestFinder().find(moving_shapes, "moving_shapes", globs=globs):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
