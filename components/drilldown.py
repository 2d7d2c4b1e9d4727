"""Figures of the "look inside" views: one computation of a page's model, opened up step by step.

Plain functions that take translated strings and return Plotly figures (testable without Streamlit),
in the colour policy of components/figures.py: the diverging scale for signed values (weights,
products, scores), Viridis for magnitudes, the highlight colour for the one element the step is about.
Built in one pass from dicts, as figures.py does: a figure validated piece by piece costs more than
the data in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from components import figures
from components.figures import CATEGORICAL, DIVERGING, HIGHLIGHT, SEQUENTIAL, layout_dict

OUTLINE = "#000000"


def _colorbar_below(title: str, y: float = -0.02) -> dict:
    """A colour bar under the map, as wide as it: one beside it took much of the room that a third of a
    wide screen, or a phone, has for a square map."""
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "thickness": 10,
        "nticks": 5,
        "y": y,
        "yanchor": "top",
    }


def _limit(z: np.ndarray) -> float:
    finite = np.abs(np.asarray(z, dtype=float))[np.isfinite(z)]
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


# ---------------------------------------------------------------- one neuron
def pixel_map(z: np.ndarray, title: str, colorbar: str, limit: float | None = None, height: int = 280) -> go.Figure:
    """A signed value per pixel, (H, W), laid out as the picture (row 1 on top, square pixels), zero white."""
    limit = limit or _limit(z)
    heat = {
        "type": "heatmap",
        "z": np.asarray(z, dtype=float),
        "colorscale": DIVERGING,
        "zmid": 0.0,
        "zmin": -limit,
        "zmax": limit,
        "colorbar": _colorbar_below(colorbar),
        "hovertemplate": "(%{x}, %{y}): %{z:.4f}<extra></extra>",
    }
    # square pixels; the axes shrink to the picture ("domain") instead of padding it with empty range
    hidden = {"showticklabels": False, "ticks": "", "showgrid": False, "zeroline": False, "constrain": "domain"}
    return go.Figure(
        [heat],
        layout_dict(title, height, xaxis=hidden, yaxis={**hidden, "autorange": "reversed", "scaleanchor": "x"}),
    )


def score_parts(names: Sequence[str], values: Sequence[float], title: str, xlabel: str, height: int = 220) -> go.Figure:
    """A sum built up from its parts (w·x, then + b) to its total (the score): a waterfall, the total last."""
    bars = {
        "type": "waterfall",
        "orientation": "h",
        "y": list(names),
        "x": [float(v) for v in values],
        "measure": ["relative"] * (len(values) - 1) + ["total"],
        "text": [f"{v:+.3f}" for v in values],
        "textposition": "outside",
        "cliponaxis": False,
        "increasing": {"marker": {"color": "#b2182b"}},
        "decreasing": {"marker": {"color": "#2166ac"}},
        "totals": {"marker": {"color": HIGHLIGHT}},
        "connector": {"line": {"color": "#888", "dash": "dot"}},
    }
    low = min(0.0, *np.cumsum(values[:-1]), values[-1])
    high = max(0.0, *np.cumsum(values[:-1]), values[-1])
    pad = 0.35 * ((high - low) or 1.0)
    return go.Figure(
        [bars],
        layout_dict(title, height, xlabel, xaxis={"range": [low - pad, high + pad]}, yaxis={"autorange": "reversed"}),
    )


# ---------------------------------------------------------------- one attention row
def vectors(
    z: np.ndarray, row_labels: Sequence[str], title: str, colorbar: str, xlabel: str = "", highlight: int | None = None
) -> go.Figure:
    """Rows of vectors (a query, keys, values), one coordinate per column, signed colours; `highlight`
    outlines one row."""
    z = np.asarray(z, dtype=float)
    limit = _limit(z)
    heat = figures.signed_grid(z, [str(i + 1) for i in range(z.shape[1])], row_labels, colorbar, limit)
    shapes = []
    if highlight is not None:
        shapes.append(_box(-0.5, z.shape[1] - 0.5, highlight - 0.5, highlight + 0.5, "x", "y"))
    return go.Figure(
        [heat],
        layout_dict(
            title,
            min(max(90 + 19 * len(row_labels), 170), 460),
            xlabel,
            xaxis={"type": "category", "showgrid": False},
            yaxis={"type": "category", "autorange": "reversed", "showgrid": False},
            shapes=shapes,
        ),
    )


def _box(x0: float, x1: float, y0: float, y1: float, xref: str, yref: str, dash: str = "solid") -> dict:
    return {
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "xref": xref,
        "yref": yref,
        "line": {"color": OUTLINE, "width": 3, "dash": dash},
    }


def grid_values(
    grid: np.ndarray, title: str, colorbar: str, diverging: bool, text_format: str = ".2f", height: int = 300
) -> go.Figure:
    """A value per image patch, (rows, cols), laid out as the picture, each cell's number written in it."""
    grid = np.asarray(grid, dtype=float)
    rows, cols = grid.shape
    limit = _limit(grid)
    heat = {
        "type": "heatmap",
        "z": grid,
        "x": [f"c{c + 1}" for c in range(cols)],
        "y": [f"r{r + 1}" for r in range(rows)],
        "texttemplate": f"%{{z:{text_format}}}",
        "colorscale": DIVERGING if diverging else SEQUENTIAL,
        "zmid": 0.0 if diverging else None,
        "zmin": -limit if diverging else 0.0,
        "zmax": limit,
        "xgap": 2,
        "ygap": 2,
        "colorbar": _colorbar_below(colorbar, -0.1),  # under the column names
    }
    square = {"showgrid": False, "constrain": "domain"}
    return go.Figure(
        [heat],
        layout_dict(title, height, yaxis={**square, "autorange": "reversed", "scaleanchor": "x"}, xaxis=square),
    )


# ---------------------------------------------------------------- one DTW cell
def cell_window(
    z: np.ndarray,
    rows: Sequence[int],
    columns: Sequence[int],
    cell: tuple[int, int],
    title: str,
    xlabel: str,
    ylabel: str,
    colorbar: str,
    outlined: Sequence[tuple[int, int]] = (),
    path: Sequence[tuple[int, int]] = (),
    arrow: tuple[int, int] | None = None,
    height: int = 400,
) -> go.Figure:
    """A window of a DTW matrix around `cell`, z indexed (recording frame, reader frame) like the page's
    cost matrix: recording frames across, reader frames up, each cell's number written in it. Cells
    without a value (NaN: not filled in yet) stay blank; `cell` gets a thick outline, `outlined` cells a
    dashed one, `path` cells a dot, and `arrow` points from `cell` back to that cell."""
    z = np.asarray(z, dtype=float).T  # rows of the heatmap: reader frames
    shown = np.where(np.isfinite(z), z, np.nan)
    heat = {
        "type": "heatmap",
        "z": shown,
        "x": list(map(int, rows)),
        "y": list(map(int, columns)),
        "text": [[_short(v) for v in line] for line in z],
        "texttemplate": "%{text}",
        "colorscale": SEQUENTIAL,
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
        "colorbar": _colorbar_below(colorbar, -0.3),  # under the axis and its title
        "hovertemplate": "(%{x}, %{y}): %{z:.2f}<extra></extra>",
    }
    shapes = [_box(p[0] - 0.5, p[0] + 0.5, p[1] - 0.5, p[1] + 0.5, "x", "y", "dash") for p in outlined]
    shapes.append(_box(cell[0] - 0.5, cell[0] + 0.5, cell[1] - 0.5, cell[1] + 0.5, "x", "y"))
    traces = [heat]
    inside = [(i, j) for i, j in path if i in set(rows) and j in set(columns)]
    if inside:
        traces.append(
            {
                "type": "scatter",
                "x": [i for i, _ in inside],
                "y": [j + 0.32 for _, j in inside],
                "mode": "markers",
                "marker": {"color": HIGHLIGHT, "size": 7, "symbol": "circle"},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    annotations = []
    if arrow is not None:
        annotations.append(
            {
                "x": arrow[0],
                "y": arrow[1],
                "ax": cell[0],
                "ay": cell[1],
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 3,
                "arrowwidth": 3,
                "arrowcolor": HIGHLIGHT,
                "standoff": 12,  # the arrow stops short of the numbers at both ends
                "startstandoff": 12,
                "text": "",
            }
        )
    axis = {"dtick": 1, "showgrid": False, "zeroline": False}
    return go.Figure(
        traces,
        layout_dict(
            title,
            height,
            xlabel,
            ylabel,
            xaxis=axis,
            yaxis=axis,
            shapes=shapes,
            annotations=annotations,
            margin={"b": 110},
        ),
    )


def _short(value: float) -> str:
    """A cell's number in at most about five characters, so seven cells fit across a phone."""
    if not np.isfinite(value):
        return ""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


# ---------------------------------------------------------------- one mel filter
def spectrum_with_band(
    khz: np.ndarray, db: np.ndarray, band_khz: tuple[float, float], title: str, xlabel: str, ylabel: str
) -> go.Figure:
    """One frame's spectrum in dB over frequency, the span one mel filter covers shaded."""
    line = {"type": "scatter", "x": khz, "y": db, "mode": "lines", "line": {"color": CATEGORICAL[0], "width": 1.5}}
    shade = {
        "type": "rect",
        "x0": band_khz[0],
        "x1": band_khz[1],
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "fillcolor": HIGHLIGHT,
        "opacity": 0.25,
        "line": {"width": 0},
    }
    return go.Figure([line], layout_dict(title, 280, xlabel, ylabel, shapes=[shade]))


def filter_over_bins(
    khz: np.ndarray,
    power: np.ndarray,
    weights: np.ndarray,
    title: str,
    xlabel: str,
    power_label: str,
    weight_label: str,
    products: np.ndarray | None = None,
    product_label: str = "",
) -> go.Figure:
    """A few FFT bins around one mel filter: each bin's power (bars) and the triangle's weight at each bin
    (a line, on its own axis at the right); given `products`, weight × power replaces the power (bars,
    numbers written): they are a hundredth of it or less, and would vanish beside it."""
    bars = {"type": "bar", "x": khz, "y": power, "name": power_label, "marker": {"color": CATEGORICAL[0]}}
    if products is not None:
        bars = {
            **bars,
            "y": products,
            "name": product_label,
            "marker": {"color": CATEGORICAL[2]},
            "text": [f"{v:.3g}" if v > 0 else "" for v in products],
            "textposition": "outside",
            "cliponaxis": False,
        }
    weight = {
        "type": "scatter",
        "x": khz,
        "y": weights,
        "name": weight_label,
        "yaxis": "y2",
        "mode": "lines+markers",
        "line": {"color": HIGHLIGHT, "width": 3},
    }
    legend = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}
    layout = layout_dict(
        title,
        340,
        xlabel,
        power_label if products is None else product_label,
        legend=legend,
        # the tallest bar at four fifths of the height, the triangle's peak at three fifths: its numbers stay clear
        yaxis={"range": [0, 1.25 * (float(np.max(bars["y"])) or 1.0)]},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "title": {"text": weight_label},
            "showgrid": False,
            "range": [0, 1.6 * (float(np.max(weights)) or 1.0)],
            "tickformat": ".3f",
        },
        margin={"b": 70},
    )
    return go.Figure([bars, weight], layout)


def column_bars(
    values: Sequence[float], highlight: int, title: str, xlabel: str, ylabel: str, floor: float
) -> go.Figure:
    """One frame's value in every band (1 = lowest), the chosen band in the highlight colour, bars
    rising from the dB floor."""
    values = [float(v) for v in values]
    bars = {
        "type": "bar",
        "x": list(range(1, len(values) + 1)),
        "y": [v - floor for v in values],
        "base": floor,
        "marker": {"color": [HIGHLIGHT if i == highlight else CATEGORICAL[0] for i in range(len(values))]},
        "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
    }
    return go.Figure([bars], layout_dict(title, 280, xlabel, ylabel, yaxis={"range": [floor, 2]}))
