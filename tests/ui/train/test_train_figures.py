"""The Train tab's figures as pure functions of arrays."""
import pytest

pytest.importorskip("plotly")

import numpy as np  # noqa: E402

from workbench.ui.train import figures  # noqa: E402


def test_decimate_caps_the_points_and_keeps_the_ends():
    assert list(figures.decimate(10, cap=20)) == list(range(10))
    for n in (5001, 12345, 100_000):
        idx = figures.decimate(n)
        assert len(idx) <= 5000 and idx[0] == 0 and idx[-1] == n - 1 and (np.diff(idx) > 0).all()
    assert set(figures.decimate(20_000)[:-1]) <= set(figures.decimate(20_001))   # points stay put as the series grows


def test_loss_markers_get_one_colour_and_legend_entry_per_segment_not_a_colour_bar():
    fig = figures.loss_figure()
    n = 12
    segments = np.arange(n) % 3
    values = np.linspace(2, 1, n)
    figures.update_loss(fig, np.arange(n), values, values, segments, "loss (nats per character)", tbptt=True)
    marks = fig.data[2:]
    assert [t.name for t in marks] == ["segment 0", "segment 1", "segment 2"]
    assert len({t.marker.color for t in marks}) == 3 and all(t.marker.showscale is None for t in marks)
    assert list(marks[1].x) == [1, 4, 7, 10] and np.allclose(marks[1].y, values[1::3])
    assert fig.layout.yaxis.title.text == "loss (nats per character)" and len(fig.data[0].x) == n
    plain = figures.loss_figure()
    figures.update_loss(plain, np.arange(n), values, values, np.zeros(n, int), "score", tbptt=False)
    assert len(plain.data) == 2


def test_titles_sit_above_the_subplot_titles():
    for fig in (figures.stats_figure(["0 LSTM", "1 RnnOutputLayer"]), figures.histogram_figure()):
        subplot_titles = [a for a in fig.layout.annotations]
        assert subplot_titles and fig.layout.title.yref == "container" and fig.layout.title.y == 1
        assert fig.layout.margin.t >= 70                     # room for the title above the subplot titles


def test_stats_and_histograms_update_in_place():
    fig = figures.stats_figure(["0 LSTM", "1 RnnOutputLayer"])
    assert len(fig.data) == 5
    ratios = np.array([[1e-3, 0.0], [2e-3, 1e-4]])
    figures.update_stats(fig, np.array([0, 1]), ratios, ratios * 10, np.array([0.01, 0.01]))
    assert np.isnan(fig.data[1].y[0]) and fig.data[1].y[1] == 1e-4          # a zero is left off the log axis
    assert list(fig.data[4].y) == [0.01, 0.01] and fig.layout.yaxis.type == "log" and fig.layout.yaxis3.type != "log"
    hist = figures.histogram_figure()
    summary = {"counts": np.array([1, 3]), "edges": np.array([-1.0, 0.0, 1.0])}
    pct = np.array([[-1, -0.9, -0.5, 0, 0.5, 0.9, 1.0]] * 2)
    figures.update_histograms(hist, {"parameters": (summary, np.array([0, 5]), pct)}, "0 LSTM")
    bar, lo90, hi90, lo50, hi50, median = hist.data[:6]
    assert list(bar.x) == [-0.5, 0.5] and list(bar.y) == [1, 3] and list(bar.width) == [1.0, 1.0]
    assert list(lo90.y) == [-0.9, -0.9] and list(hi50.y) == [0.5, 0.5] and list(median.x) == [0, 5]
    assert hi90.fill == "tonexty" and len(hist.data[6].y or ()) == 0                 # no gradients given: empty
    assert hist.layout.title.text == "Histograms of layer 0 LSTM (latest: update 5)"


def test_timeline_of_a_tbptt_minibatch():
    fig = figures.timeline_figure()
    figures.update_timeline(fig, [(0, 0, 25), (1, 25, 50), (2, 50, 60)], 10, "Minibatch 1 of epoch 1")
    forward, gradient, carried = fig.data
    assert list(forward.base) == [0, 25, 50] and list(forward.x) == [25, 25, 10]
    assert list(gradient.base) == [15, 40, 50] and list(gradient.x) == [10, 10, 10]   # the last tbptt_back steps
    assert list(carried.x) == [25, 50] and forward.marker.color[1] == figures.segment_color(1)
    assert fig.layout.title.text == "Minibatch 1 of epoch 1"


def test_evaluation_figures():
    fig = figures.eval_figure("regression")
    assert [t.name for t in fig.data] == ["RMSE", "R^2"] and fig.data[1].yaxis == "y2"
    fig = figures.eval_figure("classification")
    figures.update_eval(fig, [1, 2], np.array([[0.5, 0.4], [0.7, 0.6]]))
    assert list(fig.data[0].x) == [1, 2] and list(fig.data[1].y) == [0.4, 0.6]
    cm = figures.confusion_figure()
    figures.update_confusion(cm, [[3, 1], [0, 4]], ["a", "b"], 2)
    assert cm.layout.title.text == "Confusion matrix after epoch 2" and list(cm.data[0].x) == ["a", "b"]
