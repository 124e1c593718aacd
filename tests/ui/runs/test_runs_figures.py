"""The Runs tab's figures as pure functions of arrays."""
import pytest

pytest.importorskip("plotly")

import numpy as np  # noqa: E402

from workbench.ui.runs import figures  # noqa: E402


def curve(label, n, segments=1):
    return {"label": label, "x": np.arange(n, dtype=float), "y": np.linspace(2, 1, n),
            "segment": np.arange(n) % segments}


def test_no_run_selected_says_to_select_some():
    fig = figures.curves_figure([], "parameter update", "loss", False)
    assert len(fig.data) == 0 and "select runs in the table" in fig.layout.annotations[0].text.lower()


def test_one_line_per_run_with_segment_markers_only_for_tbptt():
    fig = figures.curves_figure([curve("#1 tbptt", 9, segments=3), curve("#2 plain", 6)], "epochs trained",
                                "loss per labelled step", False)
    tbptt, plain = fig.data
    assert (tbptt.name, plain.name) == ("#1 tbptt", "#2 plain") and tbptt.line.color != plain.line.color
    assert tbptt.mode == "lines+markers" and plain.mode == "lines"
    assert list(tbptt.marker.symbol[:4]) == [0, 1, 2, 0] and plain.marker.symbol is None   # circle, square, diamond
    assert [figures.SYMBOLS[list(figures.SYMBOL_CODES).index(c)] for c in (0, 1, 2)] == ["circle", "square", "diamond"]
    assert tbptt.marker.color == tbptt.line.color and list(tbptt.customdata[:3]) == [0, 1, 2]
    assert "segment %{customdata}" in tbptt.hovertemplate and "TBPTT segment" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "epochs trained" and fig.layout.yaxis.type == "linear"
    assert figures.curves_figure([curve("#2 plain", 6)], "x", "y", True).layout.yaxis.type == "log"
    assert "segment" not in figures.curves_figure([curve("#2 plain", 6)], "x", "y", False).layout.title.text


def test_long_runs_are_decimated_keeping_their_ends():
    fig = figures.curves_figure([curve("#1 long", 20_000, segments=2)], "x", "y", False)
    x = fig.data[0].x
    assert len(x) <= figures.MAX_POINTS and x[0] == 0 and x[-1] == 19_999
    assert len(fig.data[0].marker.symbol) == len(x) == len(fig.data[0].customdata)


def test_parallel_coordinates_of_the_hyperparameters_and_the_metric():
    fig = figures.parallel_figure({"layer 0 units": [4, 8, 16], "lr": [0.01, 0.001, 0.01]}, "accuracy",
                                  [0.5, 0.7, 0.9])
    (par,) = fig.data
    assert par.type == "parcoords" and [d.label for d in par.dimensions] == ["layer 0 units", "lr", "accuracy"]
    assert list(par.dimensions[2].values) == [0.5, 0.7, 0.9] and list(par.line.color) == [0.5, 0.7, 0.9]
    assert par.line.showscale and par.line.colorbar.title.text == "accuracy" and not par.line.reversescale
    assert {d.tickformat for d in par.dimensions} == {figures.TICK_FORMAT}     # 0.5444 at an end, not 0.544444
    rmse = figures.parallel_figure({"lr": [0.1, 0.2]}, "rmse", [0.2, 0.1]).data[0]
    assert rmse.line.reversescale and [d.label for d in rmse.dimensions] == ["lr", "rmse"]   # lower is better
    same = figures.parallel_figure({}, "accuracy", [0.9, 0.8])          # nothing varies: say so, no lone axis
    assert len(same.data) == 0 and "share every numeric hyperparameter" in same.layout.annotations[0].text


def test_parallel_coordinates_of_fewer_than_two_runs_say_what_they_need():
    for values in ([], [0.5]):
        fig = figures.parallel_figure({}, "accuracy", values)
        assert len(fig.data) == 0 and "at least 2 runs" in fig.layout.annotations[0].text


def test_a_field_swept_over_names_is_an_axis_of_categories():
    fig = figures.parallel_figure({"updater.type": ["Sgd", "Adam", "Sgd"], "lr": [0.1, 0.2, 0.3]}, "accuracy",
                                  [0.5, 0.7, 0.9])
    kind, lr = fig.data[0].dimensions[:2]
    assert list(kind.values) == [1, 0, 1] and list(kind.tickvals) == [0, 1] and list(kind.ticktext) == ["Adam", "Sgd"]
    assert list(lr.values) == [0.1, 0.2, 0.3] and lr.ticktext is None
    lr, = figures.parallel_figure({"lr": [0.001, 0.1, 0.01]}, "accuracy", [0.5, 0.7, 0.9]).data[0].dimensions[:1]
    assert lr.label == "lr (log)" and np.allclose(lr.values, [-3, -1, -2])        # two decades or more: log
    assert list(lr.ticktext) == ["0.001", "0.01", "0.1"] and np.allclose(lr.tickvals, [-3, -2, -1])
