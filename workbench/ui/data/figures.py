"""Plotly figures of the Data tab, pure functions of NumPy arrays: one example's features
``[n_in, T]``, mask heatmaps ``[batch, T]`` with hover text that tells example, step and whether
the cell counts, the labels of an example ``[n_out, T]`` (class per step, values, or characters),
and a histogram of sequence lengths ``[n sequences]``."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def features_figure(x, mask, b) -> go.Figure:
    """Heatmap of one example's features ``x [n_in, T]``; padded steps (mask 0) greyed over."""
    n_in, T = x.shape
    counts = np.ones(T, bool) if mask is None else mask != 0
    status = np.where(counts, "mask 1: counts", "mask 0: padding, ignored")
    fig = go.Figure(go.Heatmap(
        z=x, x=np.arange(T), y=np.arange(n_in), colorscale="RdBu_r", zmid=0,
        customdata=np.broadcast_to(status, (n_in, T)),
        hovertemplate=f"example {b}<br>feature %{{y}}<br>step %{{x}}<br>value %{{z:.4g}}<br>%{{customdata}}"
                      "<extra></extra>"))
    for t0, t1 in _runs(~counts):
        fig.add_vrect(x0=t0 - 0.5, x1=t1 - 0.5, fillcolor="grey", opacity=0.45, line_width=0)
    fig.update_layout(title=f"features of example {b} [n_in={n_in}, time={T}]", height=300,
                      margin=dict(l=50, r=20, t=40, b=40), xaxis_title="step", yaxis_title="feature")
    _whole_ticks(fig.layout.yaxis, n_in)
    _whole_ticks(fig.layout.xaxis, T)
    return fig


def _whole_ticks(axis, n) -> None:
    """Integer ticks only (no "0.5" between feature 0 and 1) on an axis of ``n`` rows or steps."""
    axis.tickformat, axis.dtick = "d", 1 if n <= 12 else None


def mask_figure(mask, b, what) -> go.Figure:
    """Heatmap of a mask ``[batch, T]`` (1 = real step), example ``b`` outlined; a note when None."""
    fig = go.Figure()
    if mask is None:
        fig.add_annotation(text=f"no {what}: nothing padded", showarrow=False, font=dict(size=14),
                           x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    else:
        n, T = mask.shape
        fig.add_trace(go.Heatmap(
            z=mask, x=np.arange(T), y=np.arange(n), zmin=0, zmax=1, showscale=False,
            colorscale=[[0, "#e8e8e8"], [1, "#1f77b4"]], xgap=1, ygap=1,
            customdata=np.where(mask != 0, "counts", "padding: ignored"),
            hovertemplate=f"example %{{y}}<br>step %{{x}}<br>{what} %{{z:.0f}}: %{{customdata}}<extra></extra>"))
        fig.add_shape(type="rect", x0=-0.5, x1=T - 0.5, y0=b - 0.5, y1=b + 0.5, line=dict(color="crimson", width=2))
        fig.update_yaxes(autorange="reversed", title="example")
        _whole_ticks(fig.layout.yaxis, n)
        _whole_ticks(fig.layout.xaxis, T)
        fig.update_xaxes(title="step")
    fig.update_layout(title=f"{what} [batch, time]", height=300, margin=dict(l=50, r=20, t=40, b=40))
    return fig


def labels_figure(y, mask, b, regression, names) -> go.Figure:
    """The labels of one example ``y [n_out, T]`` at the steps where the labels mask is 1: the
    class index per step (one-hot argmax), or the values."""
    n_out, T = y.shape
    counts = np.ones(T, bool) if mask is None else mask != 0
    steps = np.flatnonzero(counts)
    fig = go.Figure()
    if regression:
        for j in range(n_out):
            fig.add_trace(go.Scatter(
                x=np.arange(T), y=np.where(counts, y[j], np.nan), mode="lines+markers", name=f"label {j}",
                hovertemplate=f"example {b}<br>step %{{x}}<br>label {j}: %{{y:.4g}}<extra></extra>"))
        title = f"labels of example {b} ({len(steps)} of {T} steps count)"
    else:
        classes = y[:, steps].argmax(axis=0)
        names = [names[k] if k < len(names) else str(k) for k in range(n_out)]
        fig.add_trace(go.Scatter(
            x=steps, y=classes, mode="markers" if len(steps) < 2 else "lines+markers", marker=dict(size=9),
            customdata=[names[k] for k in classes],
            hovertemplate=f"example {b}<br>step %{{x}}<br>class %{{y}} (%{{customdata}})<br>labels mask 1: counts"
                          "<extra></extra>"))
        if len(steps) == 1:
            title = f"label of example {b}:<br>{_class_text(classes[0], names)} at step {steps[0]} only"
        else:
            title = f"labels of example {b}:<br>a class at {len(steps)} of {T} steps"
        if n_out <= 12:
            fig.update_yaxes(tickvals=list(range(n_out)), ticktext=[_class_text(k, names, "")[:18] for k in range(n_out)])
        fig.update_yaxes(range=[-0.5, n_out - 0.5])
    fig.update_xaxes(range=[-0.5, T - 0.5], title="step")
    _whole_ticks(fig.layout.xaxis, T)
    fig.update_layout(title=title, height=300, showlegend=regression and n_out > 1,     # two-line titles:
                      margin=dict(l=50, r=20, t=60, b=40))                              # fit a narrow cell
    return fig


def _class_text(k, names, word="class ") -> str:
    """'class 3 (speaker 4)', or 'class 3' when the name is the index itself (uploaded data)."""
    k = int(k)
    if names[k] == str(k):
        return f"{word}{k}"
    return f"{word}{k} ({names[k]})" if word else f"{k} {names[k]}"


def lengths_figure(lengths) -> go.Figure:
    """Histogram of sequence lengths (one bar per length)."""
    fig = go.Figure()
    if len(lengths):
        lo, hi = int(lengths.min()), int(lengths.max())
        fig.add_trace(go.Histogram(x=lengths, xbins=dict(start=lo - 0.5, end=hi + 0.5, size=1),
                                   hovertemplate="%{y} sequences of %{x} steps<extra></extra>"))
        title = f"sequence lengths:<br>{len(lengths)} sequences, {lo}" + (f"-{hi} steps" if hi > lo else " steps each")
        fig.update_xaxes(tick0=lo, dtick=max(1, (hi - lo) // 8))                  # whole steps only
        _whole_ticks(fig.layout.yaxis, int(np.bincount(lengths.astype(np.int64) - lo).max()))   # whole counts
    else:
        title = "sequence lengths: no data"
    fig.update_layout(title=title, height=300, bargap=0.1, margin=dict(l=50, r=20, t=60, b=40),
                      xaxis_title="steps (features mask)", yaxis_title="sequences")
    return fig


def characters_figure(onehot, mask, b, vocab, what) -> go.Figure:
    """One example's one-hot characters ``onehot [len(vocab), T]`` (features or labels of a
    character model): a row per character that occurs, the character on the axis, the text in
    the title. Steps where ``mask`` (``[T]`` or None) is 0 are left blank."""
    T = onehot.shape[1]
    counts = np.ones(T, bool) if mask is None else mask != 0
    index = onehot.argmax(axis=0)                                  # (T,) vocabulary index per step
    rows = np.unique(index[counts])                                # the characters used, in vocab order
    z = np.where(counts, onehot[rows], np.nan)                     # (len(rows), T)
    chars = [_shown_char(vocab[k]) for k in index]
    fig = go.Figure(go.Heatmap(
        z=z, x=np.arange(T), y=np.arange(len(rows)), zmin=0, zmax=1, showscale=False, xgap=1,
        colorscale=[[0, "#f4f4f4"], [1, "#1f77b4"]], customdata=np.broadcast_to(np.array(chars), z.shape),
        hovertemplate="step %{x}: %{customdata}<extra></extra>"))
    text = "".join(vocab[k] for k, c in zip(index, counts) if c).replace("\n", "⏎")
    fig.update_yaxes(tickvals=list(range(len(rows))), ticktext=[_shown_char(vocab[k]) for k in rows],
                     autorange="reversed", title="character")
    fig.update_xaxes(title="step")
    fig.update_layout(title=f"{what} of example {b} as text: \u201c{text[:40]}{'...' if len(text) > 40 else ''}\u201d",
                      height=max(300, 14 * len(rows) + 80), margin=dict(l=50, r=20, t=40, b=40))
    return fig


# -- small helpers ------------------------------------------------------------------------------

def _runs(flags):
    """``[(start, stop), ...]`` of the runs of True in a 1-d bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _shown_char(c) -> str:
    """A character as it can be seen on an axis: space, newline and tab get a visible sign."""
    return {" ": "\u2423", "\n": "\u23ce", "\t": "\u21e5"}.get(c, c)
