"""The Data tab's figures, pure functions of arrays."""
import pytest

pytest.importorskip("plotly")

import numpy as np  # noqa: E402

from workbench.ui.data.figures import (  # noqa: E402
    characters_figure, features_figure, labels_figure, lengths_figure, mask_figure,
)


def test_features_heatmap_greys_padding_and_hover_tells_the_mask():
    x = np.arange(12.0).reshape(2, 6)
    mask = np.array([1, 1, 1, 1, 0, 0])
    fig = features_figure(x, mask, 3)
    heat = fig.data[0]
    np.testing.assert_array_equal(heat.z, x)
    assert heat.customdata[0][3].startswith("mask 1") and heat.customdata[0][4].startswith("mask 0")
    for word in ("example 3", "feature", "step"):
        assert word in heat.hovertemplate
    (shade,) = fig.layout.shapes
    assert (shade.x0, shade.x1) == (3.5, 5.5)                     # the two padded steps


def test_few_features_and_steps_get_whole_ticks():
    fig = features_figure(np.zeros((2, 7)), None, 0)
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == "d"
    assert fig.layout.xaxis.dtick == 1
    assert features_figure(np.zeros((40, 70)), None, 0).layout.yaxis.dtick is None
    masks = mask_figure(np.ones((3, 2)), 0, "features mask")
    assert masks.layout.yaxis.dtick == 1 and masks.layout.xaxis.dtick == 1
    assert labels_figure(np.eye(2)[:, [0, 1, 1]], None, 0, False, ["a", "b"]).layout.xaxis.dtick == 1


def test_mask_figure_outlines_the_example_or_says_nothing_is_padded():
    mask = np.array([[1, 1, 0], [1, 0, 0]], float)
    fig = mask_figure(mask, 1, "labels mask")
    np.testing.assert_array_equal(fig.data[0].z, mask)
    (box,) = fig.layout.shapes
    assert (box.y0, box.y1) == (0.5, 1.5)
    assert "example %{y}" in fig.data[0].hovertemplate
    assert "no features mask" in mask_figure(None, 0, "features mask").layout.annotations[0].text


def test_class_names_that_are_their_index_are_not_doubled():
    y = np.zeros((3, 4))
    y[1, 2] = 1
    mask = np.array([0, 0, 1, 0])
    fig = labels_figure(y, mask, 0, False, ["0", "1", "2"])
    assert list(fig.layout.yaxis.ticktext) == ["0", "1", "2"] and "class 1 at step 2" in fig.layout.title.text
    assert list(fig.data[0].x) == [2] and list(fig.data[0].y) == [1]
    named = labels_figure(y, mask, 0, False, ["cat", "dog", "cow"])
    assert list(named.layout.yaxis.ticktext) == ["0 cat", "1 dog", "2 cow"] and "class 1 (dog)" in named.layout.title.text


def test_regression_labels_are_lines_of_values():
    y = np.array([[0.5, 1.0, 2.0]])
    fig = labels_figure(y, None, 0, True, [])
    assert fig.data[0].mode == "lines+markers"
    np.testing.assert_array_equal(fig.data[0].y, y[0])


def test_characters_are_drawn_as_characters_not_class_indices():
    vocab = [" ", "\n", "a", "b", "z"]
    onehot = np.eye(5)[[2, 3, 0, 2, 1, 3]].T                       # "ab a\nb": [vocab, 6 steps]
    fig = characters_figure(onehot, None, 4, vocab, "labels")
    assert list(fig.layout.yaxis.ticktext) == ["\u2423", "\u23ce", "a", "b"]    # only the characters used
    assert fig.data[0].z.shape == (4, 6)
    assert "labels of example 4" in fig.layout.title.text and "ab a\u23ceb" in fig.layout.title.text
    assert fig.data[0].customdata[0][0] == "a"                    # hover: the character at the step
    masked = characters_figure(onehot, np.array([1, 1, 1, 0, 0, 0]), 0, vocab, "features")
    assert "ab \u201d" in masked.layout.title.text and np.isnan(masked.data[0].z[:, 3:]).all()
    long = characters_figure(np.eye(5)[[2] * 90].T, None, 0, vocab, "labels").layout.title.text
    assert "a" * 40 + "...\u201d" in long and "a" * 41 not in long         # fits a half-width chart


def test_lengths_histogram_one_bar_per_length():
    fig = lengths_figure(np.array([7, 7, 9, 26]))
    assert list(fig.data[0].x) == [7, 7, 9, 26] and fig.data[0].xbins.size == 1
    assert "4 sequences, 7-26 steps" in fig.layout.title.text
    assert "60 steps each" in lengths_figure(np.full(3, 60)).layout.title.text
    assert fig.layout.yaxis.dtick == 1                             # counts are whole numbers
    assert "no data" in lengths_figure(np.zeros(0)).layout.title.text
