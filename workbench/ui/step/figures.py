"""Plotly figures of the Step tab, pure functions of NumPy arrays.

``layer_figure``: one recurrent layer, a row per direction ("" for a layer that steps), each
row h ``[units, steps]``, for an LSTM c ``[units, steps]`` and the gates i, f, g, o of the
current step ``[units, 4]``, every heatmap with its own colour scale. ``series_figure``: a
regression output against the truth over the steps; ``probability_figure``: the output's
class (or next-character) probabilities at one step.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

MARGIN = dict(l=50, r=20, t=50, b=30)
NO_STEP = "No step yet: press Step to feed the first time step"


def layer_figure(title: str, rows: dict, first_step: int = 1, at: int | None = None) -> go.Figure:
    """``rows``: direction -> {"h": [units, steps], "c": [units, steps] or None, "gates": {"i", "f",
    "g", "o": [units]} or None}; steps are numbered from ``first_step``; ``at`` (a step number)
    is marked with a line on the state heatmaps. With no step yet, a hint instead of empty axes."""
    lstm = any(r.get("c") is not None for r in rows.values())
    titles = [f"{name} {d}".strip() for d in rows for name in
              (("h (units x steps)", "c (cell state)", "gates now") if lstm else ("h (units x steps)",))]
    fig = make_subplots(rows=len(rows), cols=3 if lstm else 1, subplot_titles=titles, horizontal_spacing=0.12,
                        vertical_spacing=0.25 / len(rows), column_widths=[0.38, 0.38, 0.14] if lstm else None)
    for r, row in enumerate(rows.values(), start=1):
        n, steps = row["h"].shape
        x = np.arange(first_step, first_step + steps)
        panels = [("h", row["h"]), ("c", row["c"])] if lstm else [("h", row["h"])]
        for col, (name, z) in enumerate(panels, start=1):
            fig.add_trace(go.Heatmap(z=z, x=x, colorscale="RdBu", reversescale=True, zmid=0, name=name,
                                     hovertemplate=f"unit %{{y}}<br>step %{{x}}<br>{name} %{{z:.3f}}<extra></extra>"),
                          row=r, col=col)
            _whole_ticks(fig, r, col, n, steps)
            if at is not None:
                fig.add_vline(x=at, line=dict(color="black", width=1.5), row=r, col=col)
        if lstm:
            g = row.get("gates")
            z = np.stack([g[k] for k in "ifgo"], axis=1) if g else np.zeros((0, 4))
            fig.add_trace(go.Heatmap(z=z, x=list("ifgo"), colorscale="Viridis", zmin=-1, zmax=1, name="gates",
                                     hovertemplate="unit %{y}<br>gate %{x}<br>%{z:.3f}<extra></extra>"),
                          row=r, col=3)
            _whole_ticks(fig, r, 3, n, None)
    _place_colour_bars(fig)
    fig.update_xaxes(title_text="step", row=len(rows), col=1)
    if not any(row["h"].shape[1] for row in rows.values()):   # before the first step: a hint, not empty axes
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(text=NO_STEP, xref="paper", yref="paper", x=0.5, y=0.45, showarrow=False,
                           font=dict(size=14, color="#666"))
    fig.update_layout(title=dict(text=title, font_size=14), height=60 + 210 * len(rows), uirevision="keep",
                      margin=MARGIN, template="plotly_white")
    return fig


def _whole_ticks(fig, row, col, units, steps) -> None:
    """Integer ticks (no "0.5" between unit 0 and 1) where there are few units or steps."""
    fig.update_yaxes(tickformat="d", dtick=1 if units <= 12 else None, row=row, col=col)
    if steps is not None:
        fig.update_xaxes(tickformat="d", dtick=1 if steps <= 12 else None, row=row, col=col)


def _place_colour_bars(fig) -> None:
    """Each heatmap's colour scale just right of its own subplot (not stacked on one another),
    titled with what it measures (h, c or gates)."""
    for trace in fig.data:
        xa = fig.layout[trace.xaxis.replace("x", "xaxis")].domain
        ya = fig.layout[trace.yaxis.replace("y", "yaxis")].domain
        trace.colorbar = dict(x=xa[1] + 0.01, xanchor="left", thickness=10, y=(ya[0] + ya[1]) / 2,
                              yanchor="middle", len=(ya[1] - ya[0]) * 0.95, title=dict(text=trace.name, side="top"))


def series_figure(truth, outputs, title: str, at: int | None = None) -> go.Figure:
    """Regression: ``truth`` [T] (or None) and ``outputs`` [steps] (column 0), steps from 1;
    ``at`` marks the step shown."""
    fig = go.Figure()
    if truth is not None:
        fig.add_trace(go.Scatter(x=np.arange(1, len(truth) + 1), y=truth, name="truth", mode="lines",
                                 line=dict(color="#999", width=1.5)))
    fig.add_trace(go.Scatter(x=np.arange(1, len(outputs) + 1), y=outputs, name="output", mode="lines+markers",
                             line=dict(color="#d62728")))
    if at is not None:
        fig.add_vline(x=at, line=dict(color="black", width=1.5))
    fig.update_layout(title=dict(text=title, font_size=14), xaxis_title="step", legend=dict(orientation="h"),
                      height=300, uirevision="keep", margin=MARGIN, template="plotly_white")
    return fig


def probability_figure(names, probs, title: str) -> go.Figure:
    """Bars of ``probs`` [classes] labelled ``names``."""
    fig = go.Figure(go.Bar(x=list(names), y=probs, name="probability", marker_color="#3182bd"))
    fig.update_layout(title=dict(text=title, font_size=14), yaxis=dict(range=[0, 1], title="probability"),
                      height=300, uirevision="keep", margin=MARGIN, template="plotly_white")
    return fig
