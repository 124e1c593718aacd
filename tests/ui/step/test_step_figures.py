"""The Step tab's figures from plain arrays: heatmaps with their own colour scales, whole-number
ticks for few units or steps, a row per direction, the scrubbed step marked."""
import pytest

pytest.importorskip("plotly")

import numpy as np  # noqa: E402

from workbench.ui.step.figures import layer_figure, probability_figure, series_figure  # noqa: E402

RNG = np.random.default_rng(0)


def lstm_row(units=32, steps=5):
    return {"h": RNG.normal(size=(units, steps)), "c": RNG.normal(size=(units, steps)),
            "gates": {k: RNG.uniform(size=units) for k in "ifgo"}}


def heatmaps(fig):
    return [tr for tr in fig.data if tr.type == "heatmap"]


def test_state_heatmaps_have_their_colour_scales():
    fig = layer_figure("Layer 0 LSTM", {"": lstm_row()})
    maps = heatmaps(fig)
    assert len(maps) == 3 and all(tr.showscale is not False for tr in maps)
    assert len({tr.colorbar.x for tr in maps}) == 3                 # side by side, not stacked on each other
    assert [tr.colorbar.title.text for tr in maps] == ["h", "c", "gates"]   # each scale says what it measures
    assert np.asarray(maps[0].z).shape == (32, 5) and np.asarray(maps[2].z).shape == (32, 4)
    assert list(maps[0].x) == [1, 2, 3, 4, 5] and list(maps[2].x) == list("ifgo")
    assert fig.layout.title.text == "Layer 0 LSTM" and not fig.layout.shapes


def test_whole_number_ticks_for_few_units_or_steps():
    few = layer_figure("Layer 0 SimpleRnn", {"": {"h": np.zeros((4, 3)), "c": None, "gates": None}})
    assert len(heatmaps(few)) == 1
    assert few.layout.yaxis.dtick == 1 and few.layout.yaxis.tickformat == "d"
    assert few.layout.xaxis.dtick == 1 and few.layout.xaxis.tickformat == "d"
    many = layer_figure("Layer 0 LSTM", {"": lstm_row(units=32, steps=40)})
    assert many.layout.yaxis.dtick is None and many.layout.xaxis.dtick is None


def test_both_directions_get_a_row_and_the_scrubbed_step_is_marked():
    fig = layer_figure("Layer 0 Bidirectional(LSTM)", {"forward": lstm_row(8, 12), "backward": lstm_row(8, 12)}, at=7)
    maps = heatmaps(fig)
    assert len(maps) == 6
    assert len({(tr.colorbar.x, tr.colorbar.y) for tr in maps}) == 6   # every scale next to its own chart
    titles = [a.text for a in fig.layout.annotations]
    assert "h (units x steps) forward" in titles and "c (cell state) backward" in titles
    lines = [sh for sh in fig.layout.shapes if sh.type == "line"]
    assert len(lines) == 4 and {sh.x0 for sh in lines} == {7}        # on the h and c heatmaps of both rows
    assert fig.layout.height > layer_figure("one", {"": lstm_row(8, 12)}).layout.height


def test_output_figures():
    fig = series_figure(np.arange(10.0), np.arange(4.0), "Output", at=3)
    truth, out = fig.data
    assert list(truth.x) == list(range(1, 11)) and list(out.y) == [0, 1, 2, 3] and fig.layout.shapes[0].x0 == 3
    assert len(series_figure(None, np.zeros(2), "no truth").data) == 1
    bars = probability_figure(["a", "b"], np.array([0.25, 0.75]), "Output at step 1")
    assert list(bars.data[0].x) == ["a", "b"] and list(bars.layout.yaxis.range) == [0, 1]


def test_before_the_first_step_the_layer_figure_says_what_to_press():
    empty = {"": {"h": np.zeros((32, 0)), "c": np.zeros((32, 0)), "gates": None}}
    fig = layer_figure("Layer 0 LSTM", empty)
    assert [a.text for a in fig.layout.annotations if "press Step" in a.text] == \
        ["No step yet: press Step to feed the first time step"]
    assert all(ax.visible is False for ax in (fig.layout.xaxis, fig.layout.yaxis, fig.layout.xaxis3))
    stepped = layer_figure("Layer 0 LSTM", {"": lstm_row()})
    assert not [a for a in stepped.layout.annotations if "press Step" in a.text]
    assert stepped.layout.xaxis.visible is not False
