"""The Train tab's plotly figures: made empty once per run, then updated in place from arrays.

Each ``*_figure()`` makes a figure with its traces; each ``update_*`` gives the traces new arrays
(at most ``MAX_POINTS`` points each, see :func:`decimate`). Nested properties (titles, markers,
axes) are replaced whole (``fig.layout.title = dict(...)``), never edited inside, so that the page
notices the change. No Panel here, and nothing but the figure passed in is changed.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

MAX_POINTS = 1500          # points drawn per trace (about 2 per pixel of a chart); the series are kept whole
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf"]
HISTOGRAM_KINDS = ("parameters", "gradients", "activations")


def decimate(n: int, cap: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``cap`` of ``n`` points: every ``stride``-th one plus the last.

    The stride is a power of two, so the points drawn stay put while the series grows (until
    the stride doubles) instead of shimmering from one refresh to the next.
    """
    if n <= cap:
        return np.arange(n)
    stride = 1
    while -(-n // stride) + 1 > cap:
        stride *= 2
    idx = np.arange(0, n, stride)
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


def segment_color(k: int) -> str:
    """One distinct colour per TBPTT segment (the loss markers and the timeline share them)."""
    return COLORS[int(k) % len(COLORS)]


def set_title(fig, text: str) -> None:
    """A title in the top margin, above any subplot titles (they sit just above the plot area)."""
    fig.layout.title = dict(text=text, font_size=14, y=1, yref="container", yanchor="top", pad=dict(t=10))


def legend_below(names=(), width_px: int = 700) -> dict:
    """Layout settings for a horizontal legend at the foot of the figure, under the x-axis title:
    placed in container coordinates, so a short plot area (a narrow notebook cell) cannot push it
    onto the title, and a bottom margin for its rows (estimated from the ``names`` for ~``width_px``)."""
    rows = max(1, math.ceil(sum(7 * len(n) + 45 for n in names) / width_px))
    return dict(legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"), margin_b=52 + 20 * rows)


def _layout(fig, title, height, top=40, **kw):
    fig.update_layout(height=height, margin=dict(l=55, r=20, t=top), uirevision="keep", template="plotly_white",
                      **{**legend_below(), **kw})
    set_title(fig, title)
    return fig


# ---- loss ----
def loss_figure() -> go.Figure:
    """The loss of every update (grey, first trace) and its smoothed curve (red); with TBPTT one
    marker trace per segment is added by :func:`update_loss`."""
    return _layout(go.Figure([
        go.Scatter(name="loss", mode="lines", line=dict(width=1, color="rgba(120,120,120,0.5)")),
        go.Scatter(name="smoothed", mode="lines", line=dict(width=2.5, color="#d62728"))]),
        "Loss per parameter update", 340, xaxis_title="parameter update")


def update_loss(fig, iterations, values, smoothed, segments, y_title: str, tbptt: bool) -> None:
    """iterations, values, smoothed, segments: (n,) per update."""
    idx = decimate(len(values))
    x, seg = iterations[idx], segments[idx]
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = x, values[idx]
        fig.data[1].x, fig.data[1].y = x, smoothed[idx]
        fig.layout.yaxis = dict(title=dict(text=y_title))
        if tbptt:
            have = {tr.name for tr in fig.data[2:]}
            for k in sorted(set(seg.tolist())):
                if f"segment {k}" not in have:
                    fig.add_trace(go.Scatter(name=f"segment {k}", mode="markers", legendgroup="segments",
                                             marker=dict(size=5, color=segment_color(k))))
            for tr in fig.data[2:]:
                here = seg == int(tr.name.split()[-1])
                tr.x, tr.y = x[here], values[idx][here]


# ---- evaluation ----
def eval_figure(kind: str) -> go.Figure:
    """Accuracy and macro F1 (classification) or RMSE and R^2 (regression) per epoch."""
    if kind == "regression":
        fig = go.Figure([go.Scatter(name="RMSE", mode="lines+markers"),
                         go.Scatter(name="R^2", mode="lines+markers", yaxis="y2")])
        fig.update_layout(yaxis=dict(title=dict(text="RMSE")),
                          yaxis2=dict(title=dict(text="R^2"), overlaying="y", side="right"))
    else:
        fig = go.Figure([go.Scatter(name="accuracy", mode="lines+markers"),
                         go.Scatter(name="F1 (macro)", mode="lines+markers", line_dash="dot")])
        fig.update_layout(yaxis=dict(range=[0, 1.02]))
    return _layout(fig, "Evaluation on the test data after each epoch", 280,
                   xaxis=dict(title=dict(text="epoch"), tickformat="d"))


def update_eval(fig, epochs, values) -> None:
    """epochs (m,), 1-based; values (m, 2)."""
    with fig.batch_update():
        for n, trace in enumerate(fig.data):
            trace.x, trace.y = list(epochs), values[:, n]


def confusion_figure() -> go.Figure:
    return _layout(go.Figure(go.Heatmap(z=[[]], colorscale="Blues", texttemplate="%{z}", showscale=False)),
                   "Confusion matrix", 280, xaxis_title="predicted", yaxis=dict(title="actual", autorange="reversed"))


def update_confusion(fig, cm, names, epoch: int) -> None:
    """cm (classes, classes): rows actual, columns predicted."""
    heat = fig.data[0]
    with fig.batch_update():
        heat.z, heat.x, heat.y = cm, names, names
        set_title(fig, f"Confusion matrix after epoch {epoch}")


# ---- per-layer statistics ----
def stats_figure(layer_names: list) -> go.Figure:
    """Per layer (one colour each): update : parameter norm ratio and gradient norm (log
    scales), and the learning rate, per update."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.1, row_heights=[0.4, 0.4, 0.2],
                        subplot_titles=("update : parameter norm ratio", "gradient norm", "learning rate"))
    for row in (1, 2):
        for n, name in enumerate(layer_names):
            fig.add_trace(go.Scatter(name=name, mode="lines", legendgroup=name, showlegend=row == 1,
                                     line=dict(color=COLORS[n % len(COLORS)])), row=row, col=1)
    fig.add_trace(go.Scatter(name="learning rate", mode="lines", line=dict(color="#555"), showlegend=False),
                  row=3, col=1)
    fig.update_yaxes(type="log", nticks=4, exponentformat="power", row=1)
    fig.update_yaxes(type="log", nticks=4, exponentformat="power", row=2)
    fig.update_yaxes(rangemode="tozero", nticks=3, row=3)          # a constant rate: 0 to lr, not lr +- 1
    fig.update_xaxes(title_text="parameter update", row=3, col=1)
    return _layout(fig, "Per-layer statistics", 470, top=80)


def update_stats(fig, iterations, ratios, norms, learning_rates) -> None:
    """iterations, learning_rates (n,); ratios, norms (n, layers)."""
    idx = decimate(len(iterations))
    x, L = iterations[idx], ratios.shape[1]
    with fig.batch_update():
        for n in range(L):
            for trace, values in ((fig.data[n], ratios), (fig.data[L + n], norms)):
                y = values[idx, n]
                trace.x, trace.y = x, np.where(y > 0, y, np.nan)        # log axis: no zeros
        fig.data[2 * L].x, fig.data[2 * L].y = x, learning_rates[idx]


# ---- histograms ----
def histogram_figure() -> go.Figure:
    """Per kind (parameters, gradients, activations): the latest histogram (top) and, over the
    updates, the median with the 25-75 % and 5-95 % bands (bottom)."""
    fig = make_subplots(rows=2, cols=3, vertical_spacing=0.2, horizontal_spacing=0.07,
                        subplot_titles=[*(f"{k} (latest)" for k in HISTOGRAM_KINDS),
                                        *(f"{k} over updates" for k in HISTOGRAM_KINDS)])
    for col in (1, 2, 3):
        fig.add_trace(go.Bar(name="count", marker_color="#6baed6", showlegend=False), row=1, col=col)
        for lo, hi, name, alpha in ((1, 5, "5-95 %", 0.18), (2, 4, "25-75 %", 0.4)):
            fig.add_trace(go.Scatter(mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"),
                          row=2, col=col)
            fig.add_trace(go.Scatter(name=name, mode="lines", line=dict(width=0), fill="tonexty",
                                     fillcolor=f"rgba(31,119,180,{alpha})", legendgroup=name,
                                     showlegend=col == 1), row=2, col=col)
        fig.add_trace(go.Scatter(name="median", mode="lines", line=dict(color="#08519c", width=1.5),
                                 legendgroup="median", showlegend=col == 1), row=2, col=col)
    fig.update_xaxes(title_text="parameter update", row=2)
    return _layout(fig, "Histograms", 470, top=80, bargap=0.05)


def update_histograms(fig, data: dict, layer: str) -> None:
    """data: {kind: (latest summary {counts (bins,), edges (bins + 1,)} or None, iterations (m,),
    percentiles (m, 7) at 0, 5, 25, 50, 75, 95, 100 %)}."""
    with fig.batch_update():
        for col, kind in enumerate(HISTOGRAM_KINDS):
            latest, x, pct = data.get(kind, (None, np.zeros(0), np.zeros((0, 7))))
            bar, lo90, hi90, lo50, hi50, median = fig.data[6 * col:6 * col + 6]
            if latest is None:
                bar.x, bar.y, bar.width = [], [], None
            else:
                edges = latest["edges"]
                bar.x, bar.y, bar.width = (edges[:-1] + edges[1:]) / 2, latest["counts"], np.diff(edges)
            for trace, q in ((lo90, 1), (hi90, 5), (lo50, 2), (hi50, 4), (median, 3)):
                trace.x, trace.y = x, pct[:, q] if len(pct) else []
        last = max((int(v[1][-1]) for v in data.values() if len(v[1])), default=None)
        set_title(fig, f"Histograms of layer {layer}" + (f" (latest: update {last})" if last is not None else ""))


# ---- TBPTT timeline ----
def timeline_figure() -> go.Figure:
    return _layout(go.Figure([
        go.Bar(name="forward segment", orientation="h", marker=dict(color="#9ecae1")),
        go.Bar(name="gets gradient (last tbptt_back steps)", orientation="h", marker_color="#3182bd", width=0.45),
        go.Scatter(name="state carried on", mode="markers",
                   marker=dict(symbol="triangle-right", size=14, color="#e6550d"))]),
        "TBPTT timeline", 260, barmode="overlay", xaxis_title="time step", yaxis=dict(autorange="reversed"))


def update_timeline(fig, segments: list, back: int | None, title: str) -> None:
    """segments: (segment, t0, t1) of one minibatch; back: tbptt_back (None: all steps get gradient)."""
    fwd, grad, carry = fig.data
    names = [f"segment {k}" for k, _, _ in segments]
    starts = [t0 if back is None else max(t0, t1 - back) for _, t0, t1 in segments]
    with fig.batch_update():
        fwd.y, fwd.base, fwd.x = names, [t0 for _, t0, _ in segments], [t1 - t0 for _, t0, t1 in segments]
        fwd.marker = dict(color=[segment_color(k) for k, _, _ in segments], opacity=0.45)
        grad.y, grad.base, grad.x = names, starts, [t1 - s for (_, _, t1), s in zip(segments, starts)]
        carry.x, carry.y = [t1 for _, _, t1 in segments[:-1]], names[:-1]
        carry.hovertext = [f"h, c at step {t1} start segment {k + 1}" for k, _, t1 in segments[:-1]]
        set_title(fig, title)
