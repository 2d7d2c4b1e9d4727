"""Plotly figure builders shared by every page: plain functions in, `go.Figure` out.

One colour policy everywhere, chosen to be safe for colour-blind viewers: Viridis for magnitudes
(spectrograms, probabilities, counts), a blue-red diverging scale centred on zero for signed values
(weights), and the Okabe-Ito palette for categories. Builders take already-translated titles and
labels, so they know nothing of languages or Streamlit and can be tested alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

SEQUENTIAL = "Viridis"
DIVERGING = "RdBu_r"
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIGHLIGHT = CATEGORICAL[5]


def _layout(fig: go.Figure, title: str, height: int, xlabel: str = "", ylabel: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"}, height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        xaxis_title=xlabel, yaxis_title=ylabel, template="plotly_white",
    )
    return fig


def image(pixels: np.ndarray, title: str = "", height: int = 260) -> go.Figure:
    """An RGB uint8 image, pixels kept sharp (no smoothing) so small images show what models see."""
    fig = go.Figure(go.Image(z=pixels))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, title, height)


def heatmap(z: np.ndarray, title: str = "", x: Sequence | None = None, y: Sequence | None = None,
            xlabel: str = "", ylabel: str = "", colorbar: str = "", diverging: bool = False,
            height: int = 320, reverse_y: bool = False, zmin: float | None = None, zmax: float | None = None) -> go.Figure:
    """Any matrix. Signed data gets the diverging scale centred on zero."""
    z = np.asarray(z, dtype=float)
    limit = float(np.nanmax(np.abs(z))) if diverging and z.size else None
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=y, colorscale=DIVERGING if diverging else SEQUENTIAL,
        zmid=0.0 if diverging else None, zmin=-limit if diverging else zmin, zmax=limit if diverging else zmax,
        colorbar={"title": {"text": colorbar}, "thickness": 12},
    ))
    if reverse_y:
        fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height, xlabel, ylabel)


def spectrogram(db: np.ndarray, times: np.ndarray, freqs_khz: np.ndarray, title: str = "",
                xlabel: str = "time (s)", ylabel: str = "frequency (kHz)", colorbar: str = "dB",
                height: int = 300) -> go.Figure:
    """A (freqs, frames) dB matrix with time across and frequency up, low frequencies at the bottom."""
    return heatmap(db, title, x=times, y=freqs_khz, xlabel=xlabel, ylabel=ylabel, colorbar=colorbar, height=height)


def waveform(y: np.ndarray, sr: int, title: str = "", xlabel: str = "time (s)", ylabel: str = "amplitude",
             height: int = 220, max_points: int = 4000) -> go.Figure:
    """A waveform, decimated for drawing only (by the min/max of each bucket so peaks survive)."""
    y = np.asarray(y, dtype=np.float32)
    if len(y) > max_points:
        duration = len(y) / sr
        y = np.ravel([(b.min(), b.max()) for b in np.array_split(y, max_points // 2)])
        t = np.linspace(0, duration, len(y))
    else:
        t = np.arange(len(y)) / sr
    fig = go.Figure(go.Scatter(x=t, y=y, mode="lines", line={"width": 1, "color": CATEGORICAL[0]}))
    return _layout(fig, title, height, xlabel, ylabel)


def probability_bars(probabilities: Sequence[float], classes: Sequence[str], title: str = "",
                     highlight: int | None = None, xlabel: str = "probability", height: int = 240) -> go.Figure:
    """Horizontal bars, one per class; the true class (if known) in the highlight colour."""
    colours = [HIGHLIGHT if i == highlight else CATEGORICAL[0] for i in range(len(classes))]
    fig = go.Figure(go.Bar(x=list(probabilities), y=list(classes), orientation="h", marker_color=colours,
                           text=[f"{p:.2f}" for p in probabilities], textposition="auto"))
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height, xlabel)


def confusion(matrix: np.ndarray, classes: Sequence[str], title: str = "", xlabel: str = "predicted",
              ylabel: str = "true", height: int = 360) -> go.Figure:
    """Counts, with the number written in each cell so the diagonal can be read without a legend."""
    fig = heatmap(matrix, title, x=list(classes), y=list(classes), xlabel=xlabel, ylabel=ylabel,
                  colorbar="n", height=height, reverse_y=True)
    fig.update_traces(text=matrix, texttemplate="%{text}")
    return fig


def lines(x: Sequence, series: dict[str, Sequence[float]], title: str = "", xlabel: str = "", ylabel: str = "",
          height: int = 300, markers: bool = True) -> go.Figure:
    """Several named curves over one x axis, in the categorical palette."""
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=list(x), y=list(ys), name=name, mode="lines+markers" if markers else "lines",
                                 line={"color": CATEGORICAL[i % len(CATEGORICAL)]}))
    return _layout(fig, title, height, xlabel, ylabel)


def strongest_cell(z: np.ndarray, x: Sequence | None = None, y: Sequence | None = None) -> tuple:
    """(x label, y label, value) of the largest cell: the one-line text summary under a heatmap."""
    z = np.asarray(z, dtype=float)
    row, col = np.unravel_index(int(np.nanargmax(z)), z.shape)
    return (x[col] if x is not None else col, y[row] if y is not None else row, float(z[row, col]))


def flow_diagram(nodes: dict[str, tuple[float, float, str, str]], edges: Sequence[tuple[str, str]],
                 title: str = "", height: int = 320, box_width: float = 0.9, box_height: float = 0.5) -> go.Figure:
    """Boxes and arrows: `nodes` maps an id to (x, y, label, colour); `edges` are (from, to) ids.

    Used for pipeline pictures (early vs late fusion) and architecture diagrams drawn from real sizes.
    """
    shapes = [{"type": "rect", "x0": x - box_width / 2, "x1": x + box_width / 2, "y0": y - box_height / 2,
               "y1": y + box_height / 2, "fillcolor": colour, "opacity": 0.9, "line": {"width": 0}, "layer": "below"}
              for x, y, _, colour in nodes.values()]
    labels = [{"x": x, "y": y, "text": label, "showarrow": False, "font": {"color": "white", "size": 13}}
              for x, y, label, _ in nodes.values()]
    arrows = [{"x": nodes[end][0] - box_width / 2, "y": nodes[end][1], "ax": nodes[start][0] + box_width / 2,
               "ay": nodes[start][1], "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True,
               "arrowhead": 2, "arrowsize": 1.2, "arrowwidth": 1.5, "arrowcolor": "#555", "text": ""}
              for start, end in edges]
    fig = go.Figure(layout={"shapes": shapes, "annotations": labels + arrows})  # one validation pass: fast
    xs = [n[0] for n in nodes.values()]
    ys = [n[1] for n in nodes.values()]
    fig.update_xaxes(visible=False, range=[min(xs) - box_width, max(xs) + box_width])
    fig.update_yaxes(visible=False, range=[min(ys) - box_height * 1.5, max(ys) + box_height * 1.5])
    return _layout(fig, title, height)
