"""The Runs tab's plotly figures, made afresh from arrays: the curves of the runs compared and
their hyperparameters in parallel coordinates. No Panel here."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from workbench.ui.train.figures import COLORS, decimate, legend_below, set_title

MAX_POINTS = 5000          # points drawn per run
SYMBOLS = ("circle", "square", "diamond", "cross", "x", "triangle-up", "triangle-down", "pentagon", "hexagon",
           "star")
SYMBOL_CODES = np.array([0, 1, 2, 3, 4, 5, 6, 13, 14, 17])   # plotly's numbers of SYMBOLS: an int array validates fast
LOWER_IS_BETTER = ("rmse", "final loss per step")
LOG_SPAN = 100             # a parallel axis whose values span this factor is drawn on a log scale
MAX_TICKS = 8              # ... ticked at each value taken, up to this many
TICK_FORMAT = ".4~g"       # numeric axes' ticks, end values included: 0.5444 (not 0.544444), 1024


def _layout(fig, title: str, height: int, top: int = 40, margin_b: int = 40, **kw) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=60, r=40, t=top, b=margin_b), template="plotly_white", **kw)
    set_title(fig, title)
    return fig


def _note(fig, text: str) -> go.Figure:
    """``fig`` with ``text`` in the middle instead of axes."""
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font_size=14)
    fig.update_layout(xaxis_visible=False, yaxis_visible=False)
    return fig


def segment_symbols(segments) -> np.ndarray:
    """Plotly's marker symbol numbers of TBPTT segments ``segments`` (n,)."""
    return SYMBOL_CODES[np.asarray(segments, int) % len(SYMBOL_CODES)]


def curves_figure(curves: list, x_title: str, y_title: str, log_y: bool) -> go.Figure:
    """One line per run (a colour each, named by its label); a run with several TBPTT segments
    gets a marker per update shaped by its segment. ``curves``: dicts with "label" and (n,)
    arrays "x", "y", "segment" (at most ``MAX_POINTS`` of them drawn)."""
    fig = go.Figure()
    if not curves:
        return _layout(_note(fig, "Select runs in the table to compare their curves."), "Runs compared", 380)
    segmented = False
    for n, c in enumerate(curves):
        idx = decimate(len(c["x"]), MAX_POINTS)
        seg = np.asarray(c["segment"])[idx]
        several = len(np.unique(c["segment"])) > 1
        segmented |= several
        fig.add_trace(go.Scatter(
            name=c["label"], x=np.asarray(c["x"])[idx], y=np.asarray(c["y"])[idx], customdata=seg,
            mode="lines+markers" if several else "lines", line=dict(color=COLORS[n % len(COLORS)], width=1.5),
            marker=dict(color=COLORS[n % len(COLORS)], size=6, symbol=segment_symbols(seg) if several else None),
            hovertemplate="%{fullData.name}<br>x %{x}<br>y %{y:.4g}<br>segment %{customdata}<extra></extra>"))
    title = "Runs compared" + (": marker shape = TBPTT segment (circle 0, square 1, diamond 2, ...)"
                               if segmented else "")
    legend = legend_below([c["label"] for c in curves])            # the plot keeps its height as rows add
    return _layout(fig, title, 308 + legend["margin_b"], uirevision=f"{x_title} {log_y}", **legend,
                   xaxis=dict(title=dict(text=x_title)),
                   yaxis=dict(title=dict(text=y_title), type="log" if log_y else "linear"))


def _axis(name: str, values: list) -> dict:
    """A parallel-coordinates axis: strs as categories (sorted, a tick each); positive numbers
    spanning two decades or more (learning rates) on a log scale, ticked at the values taken;
    other numbers as they are."""
    if not any(isinstance(v, str) for v in values):
        v = np.asarray(values, float)
        if len(v) and v.min() > 0 and v.max() / v.min() >= LOG_SPAN:
            ticks = np.unique(v) if len(np.unique(v)) <= MAX_TICKS else 10.0 ** np.arange(
                np.floor(np.log10(v.min())), np.ceil(np.log10(v.max())) + 1)
            return dict(label=f"{name} (log)", values=list(np.log10(v)), tickvals=list(np.log10(ticks)),
                        ticktext=[f"{t:g}" for t in ticks])
        return dict(label=name, values=list(values), tickformat=TICK_FORMAT)
    categories = sorted(set(values))
    return dict(label=name, values=[categories.index(v) for v in values], tickvals=list(range(len(categories))),
                ticktext=categories)


def parallel_figure(dimensions: dict, metric_name: str, values) -> go.Figure:
    """Parallel coordinates: an axis per hyperparameter ({name: (n,) numbers or strs}) and one for the
    metric (n,), each run a line coloured by its metric (a colour bar; the better end in yellow)."""
    title = "Hyperparameters against the final metric"
    if len(values) < 2:
        return _layout(_note(go.Figure(), "Parallel coordinates need at least 2 runs with a final metric: select "
                                          "them in the table (with none selected: every ended run)."), title, 360)
    if not dimensions:
        return _layout(_note(go.Figure(), "The runs shown share every numeric hyperparameter: change one in Build "
                                          "(units, learning rate, TBPTT length, seed) and train again to compare."),
                       title, 360)
    fig = go.Figure(go.Parcoords(
        line=dict(color=list(values), colorscale="Viridis", reversescale=metric_name in LOWER_IS_BETTER,
                  showscale=True, colorbar=dict(title=dict(text=metric_name))),
        dimensions=[_axis(name, v) for name, v in dimensions.items()]
        + [dict(label=metric_name, values=list(values), tickformat=TICK_FORMAT)]))
    return _layout(fig, f"Hyperparameters against the {metric_name}", 360, top=90)
