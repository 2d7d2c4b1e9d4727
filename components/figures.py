"""Plotly figure builders shared by every page: plain functions in, `go.Figure` out.

One colour policy everywhere, chosen to be safe for colour-blind viewers: Viridis for magnitudes
(spectrograms, probabilities, counts), a blue-red diverging scale centred on zero for signed values
(weights), and the Okabe-Ito palette for categories. Builders take already-translated titles and
labels, so they know nothing of languages or Streamlit and can be tested alone.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from PIL import Image

SEQUENTIAL = "Viridis"
CHANNEL_COLOURS = ("#ff0000", "#00c000", "#0050ff")  # an RGB picture's own channels, each drawn in its colour
DIVERGING = "RdBu_r"
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIGHLIGHT = CATEGORICAL[5]


# Every legend sits in a row at the very bottom of its figure, under the axis and its title: placed
# at a fraction below the plot it landed on the axis title at some heights and on long titles at others.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}


def enlarged(image: np.ndarray, side: int) -> np.ndarray:
    """A small picture (grey or colour) blown up by whole pixels to about `side` pixels wide, so the
    browser shows the blocks a model reads instead of smoothing them into a blur."""
    factor = max(1, side // image.shape[1])
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def _layout(fig: go.Figure, title: str, height: int, xlabel: str = "", ylabel: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        xaxis_title=xlabel,
        yaxis_title=ylabel,
    )
    return fig


def patch_map(
    grid: np.ndarray, title: str, colorbar: str, diverging: bool = False, height: int = 380, values: bool = False
) -> go.Figure:
    """A value per image patch, (rows, cols), drawn as the picture is laid out (row 1 on top), with
    the r1/c1 names the summaries use; `values` writes each cell's number in it."""
    rows, cols = np.asarray(grid).shape
    fig = heatmap(
        grid,
        title,
        [f"c{c + 1}" for c in range(cols)],
        [f"r{r + 1}" for r in range(rows)],
        colorbar=colorbar,
        diverging=diverging,
        height=height,
        reverse_y=True,
    )
    return fig.update_traces(texttemplate="%{z:.2f}") if values else fig


def image(pixels: np.ndarray, title: str = "", height: int = 260) -> go.Figure:
    """An RGB uint8 image, pixels kept sharp (no smoothing) so small images show what models see."""
    fig = go.Figure(go.Image(z=pixels))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, title, height)


def heatmap(
    z: np.ndarray,
    title: str = "",
    x: Sequence | None = None,
    y: Sequence | None = None,
    xlabel: str = "",
    ylabel: str = "",
    colorbar: str = "",
    diverging: bool = False,
    height: int = 320,
    reverse_y: bool = False,
    zmin: float | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """Any matrix. Signed data gets the diverging scale centred on zero."""
    z = np.asarray(z, dtype=float)
    limit = float(np.nanmax(np.abs(z))) if diverging and z.size else None
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale=DIVERGING if diverging else SEQUENTIAL,
            zmid=0.0 if diverging else None,
            zmin=-limit if diverging else zmin,
            zmax=limit if diverging else zmax,
            colorbar={"title": {"text": colorbar}, "thickness": 12},
        )
    )
    if reverse_y:
        fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height, xlabel, ylabel)


def spectrogram(
    db: np.ndarray,
    times: np.ndarray,
    freqs_khz: np.ndarray,
    title: str = "",
    xlabel: str = "time (s)",
    ylabel: str = "frequency (kHz)",
    colorbar: str = "dB",
    height: int = 300,
) -> go.Figure:
    """A (freqs, frames) dB matrix with time across and frequency up, low frequencies at the bottom."""
    return heatmap(db, title, x=times, y=freqs_khz, xlabel=xlabel, ylabel=ylabel, colorbar=colorbar, height=height)


def waveform(
    y: np.ndarray,
    sr: int,
    title: str = "",
    xlabel: str = "time (s)",
    ylabel: str = "amplitude",
    height: int = 220,
    max_points: int = 4000,
) -> go.Figure:
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


def probability_bars(
    probabilities: Sequence[float],
    classes: Sequence[str],
    title: str = "",
    highlight: int | None = None,
    xlabel: str = "probability",
    height: int = 240,
) -> go.Figure:
    """Horizontal bars, one per class; the true class (if known) in the highlight colour."""
    colours = [HIGHLIGHT if i == highlight else CATEGORICAL[0] for i in range(len(classes))]
    fig = go.Figure(
        go.Bar(
            x=list(probabilities),
            y=list(classes),
            orientation="h",
            marker_color=colours,
            text=[f"{p:.2f}" for p in probabilities],
            textposition="auto",
        )
    )
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height, xlabel)


def confusion(
    matrix: np.ndarray,
    classes: Sequence[str],
    title: str = "",
    xlabel: str = "predicted",
    ylabel: str = "true",
    height: int = 360,
    clickable: bool = False,
    chosen: tuple[int, int] | None = None,
) -> go.Figure:
    """Counts, with the number written in each cell so the diagonal can be read without a legend.

    A `clickable` matrix lays an invisible marker on every cell whose customdata is its [true, predicted,
    count] (a plain list: a typed array came back from a click as its encoding): Plotly hands a heatmap's
    clicks to no selection event (streamlit/streamlit#8760), a marker's it does (`ui.clicked_cell`).
    The `chosen` (true, predicted) cell is outlined."""
    fig = heatmap(
        matrix,
        title,
        x=list(classes),
        y=list(classes),
        xlabel=xlabel,
        ylabel=ylabel,
        colorbar="n",
        height=height,
        reverse_y=True,
    )
    fig.update_traces(text=matrix, texttemplate="%{text}")
    fig.update_xaxes(type="category").update_yaxes(type="category")  # "3" names a class, not a number
    n = len(classes)
    if clickable:
        true, said = np.divmod(np.arange(n * n), n)
        fig.update_traces(hoverinfo="skip")  # the cells' markers answer the pointer, not the heatmap
        fig.add_scatter(
            x=[classes[j] for j in said],
            y=[classes[i] for i in true],
            customdata=[[int(i), int(j), int(c)] for i, j, c in zip(true, said, np.asarray(matrix).ravel())],
            mode="markers",
            name="cells",
            showlegend=False,
            hovertemplate=f"{ylabel}: %{{y}}<br>{xlabel}: %{{x}}<br>n = %{{customdata[2]}}<extra></extra>",
            # small, so that no marker reaches into a narrow neighbour; a click near it is its own (Plotly
            # picks the closest point within its hover distance)
            marker={"size": 10, "color": "rgba(0,0,0,0)"},
        )
    if chosen is not None:
        true, said = chosen
        fig.add_shape(
            type="rect",
            x0=said - 0.5,
            x1=said + 0.5,
            y0=true - 0.5,
            y1=true + 0.5,
            line={"color": "#e8175d", "width": 4},
            name="chosen",
        )
    return fig


def outline_category(fig: go.Figure, index: int, horizontal: bool = False) -> go.Figure:
    """A band behind the `index`-th category (a chosen group of bars), across the whole chart."""
    place = {"y0": index - 0.5, "y1": index + 0.5, "x0": 0, "x1": 1, "xref": "paper"} if horizontal else {}
    place = place or {"x0": index - 0.5, "x1": index + 0.5, "y0": 0, "y1": 1, "yref": "paper"}
    fig.add_shape(
        type="rect", **place, layer="below", fillcolor="rgba(232,23,93,0.12)", line={"color": "#e8175d", "width": 2}
    )
    return fig


def lines(
    x: Sequence,
    series: dict[str, Sequence[float]],
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    height: int = 300,
    markers: bool = True,
    spread: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> go.Figure:
    """Several named curves over one x axis, in the categorical palette; `spread` gives a curve's
    (lowest, highest) values at each x, drawn as error bars (e.g. over repeated measurements)."""
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        bars = None
        if spread and name in spread:
            low, high = (np.asarray(v, dtype=float) for v in spread[name])
            bars = {
                "type": "data",
                "symmetric": False,
                "array": high - np.asarray(ys, dtype=float),
                "arrayminus": np.asarray(ys, dtype=float) - low,
                "thickness": 1,
                "width": 3,
            }
        fig.add_trace(
            go.Scatter(
                x=list(x),
                y=list(ys),
                name=name,
                mode="lines+markers" if markers else "lines",
                line={"color": CATEGORICAL[i % len(CATEGORICAL)]},
                error_y=bars,
            )
        )
    return _layout(fig, title, height, xlabel, ylabel)


def strongest_cell(z: np.ndarray, x: Sequence | None = None, y: Sequence | None = None) -> tuple:
    """(x label, y label, value) of the largest cell: the one-line text summary under a heatmap."""
    z = np.asarray(z, dtype=float)
    row, col = np.unravel_index(int(np.nanargmax(z)), z.shape)
    return (x[col] if x is not None else col, y[row] if y is not None else row, float(z[row, col]))


def flow_diagram(
    nodes: dict[str, tuple[float, float, str, str]],
    edges: Sequence[tuple[str, str]],
    title: str = "",
    height: int = 320,
    box_width: float = 0.9,
    box_height: float = 0.5,
) -> go.Figure:
    """Boxes and arrows: `nodes` maps an id to (x, y, label, colour); `edges` are (from, to) ids.

    Used for pipeline pictures (early vs late fusion) and architecture diagrams drawn from real sizes.
    """
    shapes = [
        {
            "type": "rect",
            "x0": x - box_width / 2,
            "x1": x + box_width / 2,
            "y0": y - box_height / 2,
            "y1": y + box_height / 2,
            "fillcolor": colour,
            "opacity": 0.9,
            "line": {"width": 0},
            "layer": "below",
        }
        for x, y, _, colour in nodes.values()
    ]
    labels = [
        {"x": x, "y": y, "text": label, "showarrow": False, "font": {"color": "white", "size": 13}}
        for x, y, label, _ in nodes.values()
    ]
    arrows = [
        {
            "x": nodes[end][0] - box_width / 2,
            "y": nodes[end][1],
            "ax": nodes[start][0] + box_width / 2,
            "ay": nodes[start][1],
            "xref": "x",
            "yref": "y",
            "axref": "x",
            "ayref": "y",
            "showarrow": True,
            "arrowhead": 2,
            "arrowsize": 1.2,
            "arrowwidth": 1.5,
            "arrowcolor": "#555",
            "text": "",
        }
        for start, end in edges
    ]
    fig = go.Figure(layout={"shapes": shapes, "annotations": labels + arrows})  # one validation pass: fast
    xs = [n[0] for n in nodes.values()]
    ys = [n[1] for n in nodes.values()]
    fig.update_xaxes(visible=False, range=[min(xs) - box_width, max(xs) + box_width])
    fig.update_yaxes(visible=False, range=[min(ys) - box_height * 1.5, max(ys) + box_height * 1.5])
    return _layout(fig, title, height)


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down", "pentagon", "hexagon")


def layout_dict(title: str, height: int, xlabel: str = "", ylabel: str = "", **extra) -> dict:
    """`_layout` as a plain dict, for figures built in one pass (one validation instead of one per update).

    No template: st.plotly_chart's Streamlit theme restyles backgrounds, grids and fonts anyway, and these
    figures set every colour themselves, so "plotly_white" changed nothing visible, while validating it
    was nine tenths of the cost of building a small figure (5 ms idle, 35 ms on a busy machine)."""
    layout = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        "xaxis": {"title": {"text": xlabel}},
        "yaxis": {"title": {"text": ylabel}},
    }
    for name, value in extra.items():
        layout[name] = {**layout[name], **value} if isinstance(layout.get(name), dict) else value
    return layout


def bars(
    values: Sequence[float],
    labels: Sequence[str],
    title: str = "",
    highlight: int | None = None,
    xlabel: str = "",
    height: int = 240,
    value_range: tuple[float, float] | None = None,
    text_format: str = "{:+.2f}",
) -> go.Figure:
    """Horizontal bars, one per label, the value written beside each and `highlight` standing out: signed
    values (scores, weights) around a zero line, or probabilities with value_range=(0, 1)."""
    colours = [HIGHLIGHT if i == highlight else CATEGORICAL[0] for i in range(len(labels))]
    values = [float(v) for v in values]
    if value_range is None:
        low, high = min(0.0, *values), max(0.0, *values)
        pad = 0.3 * ((high - low) or 1.0)  # room for the numbers written beside the bars
        value_range = (low - pad, high + pad)
    bar = {
        "type": "bar",
        "x": values,
        "y": list(labels),
        "orientation": "h",
        "marker": {"color": colours},
        "text": [text_format.format(v) for v in values],
        "textposition": "outside",
        "cliponaxis": False,
    }
    zero = {
        "type": "line",
        "x0": 0,
        "x1": 0,
        "y0": 0,
        "y1": 1,
        "xref": "x",
        "yref": "paper",
        "line": {"width": 1, "color": "#444"},
    }
    return go.Figure(
        [bar],
        layout_dict(
            title,
            height,
            xlabel,
            xaxis={"range": list(value_range)},
            yaxis={"autorange": "reversed"},
            shapes=[zero],
            margin={"r": 44},  # a number written beside a bar that reaches the end of the axis
        ),
    )


def _reference_line(y: float, color: str) -> dict:
    """A dotted horizontal line across the whole plot at `y` (chance, or a baseline to beat)."""
    line = {"dash": "dot", "width": 1.5, "color": color}
    return {"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": y, "y1": y, "yref": "y", "line": line}


def growing_lines(
    x: Sequence,
    series: dict[str, Sequence[float]],
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    x_max: float = 1.0,
    y_max: float = 1.0,
    reference: float | None = None,
    reference_label: str = "",
    height: int = 260,
) -> go.Figure:
    """Curves in a fixed frame (0..x_max, 0..y_max), so that they visibly grow while something trains;
    an optional dotted reference level (e.g. chance)."""
    data = [
        {
            "type": "scatter",
            "x": list(x),
            "y": [float(v) for v in ys],
            "name": name,
            "mode": "lines+markers",
            "line": {"color": CATEGORICAL[i % len(CATEGORICAL)]},
        }
        for i, (name, ys) in enumerate(series.items())
    ]
    shapes, notes = [], []
    if reference is not None:
        shapes.append(_reference_line(reference, "#444"))
        notes.append(
            {
                "x": 1,
                "xref": "paper",
                "xanchor": "right",
                "y": reference,
                "yref": "y",
                "yanchor": "bottom",
                "text": reference_label,
                "showarrow": False,
            }
        )
    return go.Figure(
        data,
        layout_dict(
            title,
            height,
            xlabel,
            ylabel,
            xaxis={"range": [-0.5, x_max + 0.5]},
            yaxis={"range": [0, y_max]},
            shapes=shapes,
            annotations=notes,
        ),
    )


def tiled_heatmap(
    tiles: np.ndarray,
    column_titles: Sequence[str],
    row_titles: Sequence[str] = (),
    title: str = "",
    colorbar: str = "",
    height: int = 300,
) -> go.Figure:
    """A (rows, cols, h, w) stack of small signed matrices as one picture with gaps, on one diverging scale
    centred on zero: weight templates, per-pixel contributions. One trace, built in one pass: it draws fast."""
    tiles = np.asarray(tiles, dtype=float)
    rows, cols, h, w = tiles.shape
    canvas = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for r in range(rows):
        for c in range(cols):
            canvas[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tiles[r, c]
    limit = float(np.nanmax(np.abs(canvas))) or 1.0
    trace = {
        "type": "heatmap",
        "z": canvas,
        "colorscale": DIVERGING,
        "zmid": 0.0,
        "zmin": -limit,
        "zmax": limit,
        "hoverongaps": False,
        "colorbar": {"title": {"text": colorbar}, "thickness": 12},
    }
    labels = [
        {
            "x": c * (w + 1) + (w - 1) / 2,
            "y": -1.2,
            "text": text,
            "showarrow": False,
            "yanchor": "bottom",
            "xref": "x",
            "yref": "y",
        }
        for c, text in enumerate(column_titles)
    ]
    labels += [
        {
            "x": -1.2,
            "y": r * (h + 1) + (h - 1) / 2,
            "text": text,
            "showarrow": False,
            "xanchor": "right",
            "xref": "x",
            "yref": "y",
        }
        for r, text in enumerate(row_titles)
    ]
    widest = max((len(line) for text in row_titles for line in text.split("<br>")), default=0)
    return go.Figure(
        [trace],
        layout_dict(
            title,
            height,
            annotations=labels,
            margin={"l": 10 + 8 * widest, "t": (40 if title else 26) + 14},
            xaxis={"visible": False, "scaleanchor": "y", "constrain": "domain"},
            yaxis={"visible": False, "autorange": "reversed", "constrain": "domain"},
        ),
    )


def decision_regions(
    xs: np.ndarray,
    ys: np.ndarray,
    regions: np.ndarray,
    points: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[str],
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    height: int = 380,
) -> go.Figure:
    """The class a model predicts everywhere on a 2-D plane (pale background) and the real points on top.

    Classes get both a colour and a marker shape, so the picture reads without colour vision too."""
    k = len(classes)
    palette = CATEGORICAL if k <= len(CATEGORICAL) else MANY_CATEGORIES
    scale = [
        stop
        for i in range(k)
        for stop in ((i / k, palette[i % len(palette)]), ((i + 1) / k, palette[i % len(palette)]))
    ]
    data = [
        {
            "type": "heatmap",
            "x": xs,
            "y": ys,
            "z": regions,
            "zmin": -0.5,
            "zmax": k - 0.5,
            "colorscale": scale,
            "opacity": 0.3,
            "showscale": False,
            "hoverinfo": "skip",
        }
    ]
    labels = np.asarray(labels)
    for i, name in enumerate(classes):
        mine = points[labels == i]
        data.append(
            {
                "type": "scatter",
                "x": mine[:, 0],
                "y": mine[:, 1],
                "mode": "markers",
                "name": name,
                "marker": {
                    "color": palette[i % len(palette)],
                    "symbol": SYMBOLS[i % len(SYMBOLS)],
                    "size": 7,
                    "line": {"width": 0.5, "color": "white"},
                },
            }
        )
    return go.Figure(
        data,
        layout_dict(
            title,
            height,
            xlabel,
            ylabel,
            xaxis={"range": [float(xs[0]), float(xs[-1])]},
            yaxis={"range": [float(ys[0]), float(ys[-1])]},
            legend=LEGEND_BELOW,
        ),
    )


def network_diagram(
    sizes: Sequence[int], names: Sequence[str], title: str = "", max_drawn: int = 10, height: int = 320
) -> go.Figure:
    """A feed-forward network drawn from its real layer sizes: a column of neurons per layer, every
    neuron wired to every neuron of the next layer. Wide layers show `max_drawn` neurons and a count."""
    drawn = [min(n, max_drawn) for n in sizes]
    top = max(drawn)
    columns = [[(float(layer), (n - 1) / 2 - j) for j in range(n)] for layer, n in enumerate(drawn)]
    wires_x, wires_y = [], []
    for left, right in zip(columns[:-1], columns[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                wires_x += [x0, x1, None]
                wires_y += [y0, y1, None]
    data = [
        {
            "type": "scatter",
            "x": wires_x,
            "y": wires_y,
            "mode": "lines",
            "hoverinfo": "skip",
            "showlegend": False,
            "line": {"width": 0.6, "color": "#bbbbbb"},
        }
    ]
    colours = [CATEGORICAL[0]] + [CATEGORICAL[1]] * (len(sizes) - 2) + [CATEGORICAL[2]]
    data += [
        {
            "type": "scatter",
            "x": [p[0] for p in nodes],
            "y": [p[1] for p in nodes],
            "mode": "markers",
            "hoverinfo": "skip",
            "showlegend": False,
            "marker": {"size": 16, "color": colours[layer], "line": {"width": 1, "color": "white"}},
        }
        for layer, nodes in enumerate(columns)
    ]
    labels = [
        {
            "x": layer,
            "xref": "x",
            "y": 0,
            "yref": "paper",
            "yanchor": "top",
            "showarrow": False,  # under the plot
            "text": f"{name}<br><b>{size}</b>" + (" (…)" if size > max_drawn else ""),
        }
        for layer, (name, size) in enumerate(zip(names, sizes))
    ]
    return go.Figure(
        data,
        layout_dict(
            title,
            height,
            annotations=labels,
            margin={"b": 72},
            xaxis={"visible": False, "range": [-0.6, len(sizes) - 0.4]},
            yaxis={"visible": False, "range": [-(top - 1) / 2 - 0.6, (top - 1) / 2 + 0.6]},
        ),
    )


# Paul Tol's "muted" scheme: distinguishable with colour-blindness, for more categories than Okabe-Ito has.
MANY_CATEGORIES = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#DDDDDD",
)
MAP_SYMBOLS = ("circle", "diamond", "square", "x", "cross")  # valid in 2-D and 3-D alike


def embedding_map(
    coordinates: np.ndarray,
    groups: Sequence[str],
    group_order: Sequence[str],
    title: str = "",
    symbols: Sequence[str] | None = None,
    symbol_order: Sequence[str] = (),
    links: Sequence[Sequence[int]] = (),
    hover: Sequence[str] | None = None,
    colours: dict[str, str] | None = None,
    height: int = 460,
    ids: Sequence[int] | None = None,
    chosen: int | None = None,
) -> go.Figure:
    """Points of a 2-D or 3-D projection, coloured by group and shaped by a second label (e.g. the
    modality), with thin grey lines joining the points of each `links` entry (e.g. one sample's modalities).

    `ids` names the sample behind each point (its customdata, which a click hands back); the points of
    the `chosen` sample are ringed."""
    coordinates = np.asarray(coordinates, dtype=float)
    three_d = coordinates.shape[1] == 3
    scatter = go.Scatter3d if three_d else go.Scatter
    palette = colours or dict(
        zip(group_order, CATEGORICAL if len(group_order) <= len(CATEGORICAL) else MANY_CATEGORIES)
    )
    groups = np.asarray(groups)
    shape_of = {label: MAP_SYMBOLS[i % len(MAP_SYMBOLS)] for i, label in enumerate(symbol_order)}
    point_symbols = (
        np.array([shape_of[s] for s in symbols]) if symbols is not None else np.full(len(groups), MAP_SYMBOLS[0])
    )
    hover = np.asarray(hover if hover is not None else groups)

    def axes(rows) -> dict:
        xyz = dict(zip("xyz", coordinates[rows].T))
        return xyz if three_d else {"x": xyz["x"], "y": xyz["y"]}

    traces = []
    if len(links):
        path = [i for link in links for i in (*link, link[0], -1)]  # closed polygon per link; -1 breaks the line
        line_rows = np.array([max(i, 0) for i in path])
        segments = {k: np.where(np.array(path) < 0, None, v) for k, v in axes(line_rows).items()}
        traces.append(
            scatter(
                **segments,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={"color": "rgba(90,90,90,0.25)", "width": 1},
            )
        )
    for group in group_order:
        rows = np.flatnonzero(groups == group)
        traces.append(
            scatter(
                **axes(rows),
                mode="markers",
                name=str(group),
                text=hover[rows],
                customdata=None if ids is None else np.asarray(ids)[rows],
                hovertemplate="%{text}<extra></extra>",
                legendgroup="groups",
                marker={
                    "color": palette[group],
                    "symbol": point_symbols[rows],
                    "size": 4 if three_d else 8,
                    "line": {"width": 0.5, "color": "white"},
                },
            )
        )
    for label in symbol_order:  # legend entries for the shapes only
        traces.append(
            scatter(
                **{k: [None] for k in ("xyz" if three_d else "xy")},
                mode="markers",
                name=str(label),
                legendgroup="symbols",
                marker={"color": "#555", "symbol": shape_of[label]},
            )
        )
    rows = np.flatnonzero(np.asarray(ids) == chosen) if ids is not None and chosen is not None else []
    if len(rows):
        traces.append(
            scatter(
                **axes(rows),
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                name="chosen",
                marker={"size": 10 if three_d else 18, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "#111"}},
            )
        )
    bare = {"showticklabels": False, "zeroline": False, "title": ""}  # projection axes have no units
    axes = {"scene": dict.fromkeys(("xaxis", "yaxis", "zaxis"), bare)} if three_d else {"xaxis": bare, "yaxis": bare}
    fig = go.Figure(traces, layout={"legend": LEGEND_BELOW, **axes})
    return _layout(fig, title, height)


def with_pictures(
    fig: go.Figure, xy: np.ndarray, sources: Sequence[str], size: float = 0.08, outlined: Sequence[int] = ()
) -> go.Figure:
    """Each point of a 2-D map drawn with its own picture (layout images, centred on the point): the
    samples themselves, not only their colour. `xy` (N, 2) data coordinates, `sources` N image URIs,
    `size` a picture's side as a fraction of the larger axis range. The pictures cover the points' markers
    (a ring included), so the points `outlined` get a frame, drawn above them."""
    xy = np.asarray(xy, dtype=float)
    side = size * float(np.ptp(xy, axis=0).max() or 1.0)
    fig.update_layout(
        images=[
            {
                "source": source,
                "xref": "x",
                "yref": "y",
                "x": x,
                "y": y,
                "sizex": side,
                "sizey": side,
                "xanchor": "center",
                "yanchor": "middle",
                "layer": "above",
                "sizing": "contain",
            }
            for (x, y), source in zip(xy, sources)
        ]
    )
    for x, y in xy[list(outlined)]:
        fig.add_shape(
            type="rect",
            x0=x - side * 0.6,
            x1=x + side * 0.6,
            y0=y - side * 0.6,
            y1=y + side * 0.6,
            line={"color": "#111", "width": 3},
            layer="above",
        )
    return fig


def grouped_bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    title: str = "",
    value_label: str = "",
    height: int = 320,
    value_format: str = "{:.0%}",
    value_range: tuple[float, float] | None = (0.0, 1.0),
    reference: float | None = None,
    reference_label: str = "",
    horizontal: bool = False,
) -> go.Figure:
    """Bars of several series side by side for each category, values written on the bars; an optional
    dashed reference line (e.g. chance). `horizontal` lays the categories down the side, one row per
    bar: long category names stay readable and every value has room, where upright bars crammed them.
    `value_label` and `value_range` belong to the values' axis: y standing, x lying down (a title beside the
    rows would read as their name)."""

    def bar(i: int, name: str, values: Sequence[float]) -> go.Bar:
        place = (
            {"x": list(values), "y": list(categories), "orientation": "h"}
            if horizontal
            else {"x": list(categories), "y": list(values)}
        )
        return go.Bar(
            **place,
            name=name,
            marker_color=CATEGORICAL[i % len(CATEGORICAL)],
            text=[value_format.format(v) for v in values],
            textposition="outside",
            constraintext="none" if horizontal else "both",
            cliponaxis=not horizontal,  # lying down, "100%" may reach into the right margin rather than be cut
        )  # a bar's thickness need not fit its value

    fig = go.Figure([bar(i, name, values) for i, (name, values) in enumerate(series.items())])
    # a value that no longer fits over its bar (a phone's width, many bars) is left out, not crammed
    fig.update_layout(barmode="group", legend=LEGEND_BELOW, uniformtext={"minsize": 9, "mode": "hide"})
    value_axis = fig.update_xaxes if horizontal else fig.update_yaxes
    if value_range:
        value_axis(range=[value_range[0], value_range[1] * (1.4 if horizontal else 1.12)])  # room for the values
    if horizontal:
        fig.update_yaxes(autorange="reversed")  # the first category at the top, as it is read
    if reference is not None:  # named in the legend: a label on the line would sit on a bar's value
        (
            fig.add_vline(x=reference, line_dash="dash", line_color="#666")
            if horizontal
            else fig.add_hline(y=reference, line_dash="dash", line_color="#666")
        )
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="lines", name=reference_label, line={"dash": "dash", "color": "#666"})
        )
    return _layout(fig, title, height, **({"xlabel": value_label} if horizontal else {"ylabel": value_label}))


def vector_strip(
    values: np.ndarray,
    title: str = "",
    boundaries: Sequence[int] = (),
    boundary_labels: Sequence[str] = (),
    hover: str = "%{x}: %{z:.2f}",
    zmin: float | None = None,
    zmax: float | None = None,
    x: Sequence | None = None,
    height: int = 120,
) -> go.Figure:
    """A long input vector as one row of coloured cells: what a classifier really receives.

    `boundaries` draw a line before those positions (e.g. where one channel's numbers end), each
    part named by `boundary_labels` above the strip; `x` names the cells (e.g. dictionary words)."""
    values = np.asarray(values, dtype=float).ravel()
    trace = {
        "type": "heatmap",
        "z": values[None, :],
        "colorscale": SEQUENTIAL,
        "zmin": zmin,
        "zmax": zmax,
        "showscale": False,
        "hovertemplate": hover + "<extra></extra>",
        "xgap": 1 if x is not None else 0,
    }
    axis = {"showgrid": False, "zeroline": False}
    if x is not None:  # names read upright under their cells; the figure grows by the longest name
        trace["x"] = list(x)
        axis.update(tickangle=-90, automargin=True)
        height += 7 * max((len(str(name)) for name in x), default=0)
    starts, ends = [0, *boundaries], [*boundaries, len(values)]
    lines = [
        {"type": "line", "x0": b - 0.5, "x1": b - 0.5, "y0": -0.5, "y1": 0.5, "line": {"color": "white", "width": 2}}
        for b in boundaries
    ]
    names = [
        {"x": (a + b - 1) / 2, "y": 0.5, "text": text, "showarrow": False, "yanchor": "bottom"}
        for a, b, text in zip(starts, ends, boundary_labels)
    ]
    return go.Figure(
        [trace],
        layout_dict(
            title,
            height,
            shapes=lines,
            annotations=names,
            yaxis={"visible": False},
            xaxis=axis,
            margin={"t": 44 if title else 22},
        ),
    )


def mark(fig: go.Figure, x: float, y: float, text: str, above: bool = True) -> go.Figure:
    """Highlight one point of a chart (a chosen setting, the current sample) with a star and a label,
    above the point or, for a point near the top of the chart (`above=False`), below it, where the
    plot's edge would cut the label. Set a log x axis before calling."""
    fig.add_trace(
        go.Scatter(
            x=[x],
            y=[y],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={"symbol": "star", "size": 18, "color": HIGHLIGHT, "line": {"width": 1, "color": "white"}},
        )
    )
    at = np.log10(x) if fig.layout.xaxis.type == "log" else x  # annotations live in the axis's own units
    fig.add_annotation(
        x=at,
        y=y,
        text=text,
        showarrow=True,
        arrowhead=2,
        ax=0,
        ay=-36 if above else 36,
        bgcolor="rgba(255,255,255,0.85)",
        font={"color": "#222"},
    )
    return fig


def similarity_grid(
    sims: np.ndarray, title: str, captions: Sequence[str], rows: Sequence[str], images: np.ndarray
) -> go.Figure:
    """(images, captions) cosines with each value written in its cell, each row's picture at its left
    and the captions along the bottom: which caption each picture is closest to."""
    fig = heatmap(
        sims,
        title,
        x=list(captions),
        y=list(rows),
        colorbar="cos",
        reverse_y=True,
        zmin=-1,
        zmax=1,
        height=480,
    )
    fig.update_traces(texttemplate="%{z:.2f}")
    pictures = [
        {
            "source": Image.fromarray(image),
            "xref": "paper",
            "yref": "y",
            "x": -0.01,
            "y": row,
            "sizex": 0.07,
            "sizey": 0.9,
            "xanchor": "right",
            "yanchor": "middle",
        }
        for row, image in enumerate(images)
    ]
    fig.update_layout(images=pictures, margin={"l": 60}, xaxis={"tickangle": -30}, yaxis={"showticklabels": False})
    return fig


def heatmap_row(
    panels: Sequence[tuple[np.ndarray, Sequence, Sequence, str]],
    xlabel: str = "",
    ylabel: str = "",
    colorbar: str = "",
    zmin: float | None = None,
    zmax: float | None = None,
    yaxis: dict | None = None,
    hovertemplate: str | None = None,
    marks: Sequence[float | None] = (),
    height: int = 300,
) -> list[go.Figure]:
    """Heatmaps on one shared colour scale, so equal colours mean equal values (two spectrograms of a
    comparison): one figure per panel, which `ui.chart` sets side by side on a wide screen and one under
    another on a phone, where side-by-side panels were too narrow to read. `panels` are (z, x, y, title);
    `yaxis` styles every y axis (e.g. a log type); `marks` draws a dotted vertical line at that x on each
    panel (None for none). Each panel draws the (same) colour bar: stacked on a phone, each needs its own,
    and side by side the panels keep equal widths.

    Built in one pass: every later update_* call re-validates the whole figure, and that validation,
    not the data, is most of the cost of a heatmap here.
    """
    figs = []
    for (z, x, y, title), mark_x in zip(panels, [*marks, *[None] * (len(panels) - len(marks))]):
        coloraxis = {
            "colorscale": SEQUENTIAL,
            "cmin": zmin,
            "cmax": zmax,
            "showscale": True,
            "colorbar": {"title": {"text": colorbar}, "thickness": 12},
        }
        shapes = (
            []
            if mark_x is None
            else [
                {
                    "type": "line",
                    "x0": mark_x,
                    "x1": mark_x,
                    "y0": 0,
                    "y1": 1,
                    "yref": "y domain",
                    "line": {"color": "white", "dash": "dot", "width": 2},
                }
            ]
        )
        heat = {"type": "heatmap", "z": z, "x": x, "y": y, "coloraxis": "coloraxis", "hovertemplate": hovertemplate}
        figs.append(
            go.Figure(
                [heat],
                layout_dict(title, height, xlabel, ylabel, yaxis=yaxis or {}, coloraxis=coloraxis, shapes=shapes),
            )
        )
    return figs


@dataclass(frozen=True)
class LinePanel:
    """One chart of a `line_row`: named curves, each (x values, y values), on its own axes."""

    title: str
    series: dict[str, tuple[Sequence[float], Sequence[float]]]
    xlabel: str = ""
    ylabel: str = ""
    legend: bool = False  # name this panel's curves in the legend under it
    xaxis: dict | None = None  # extra axis settings, e.g. {"type": "log"}
    shade: tuple[float, float] | None = None  # an x interval to highlight


def line_panel(panel: LinePanel, height: int = 300) -> go.Figure:
    """One `LinePanel` as a figure, built in one pass."""
    data = [
        {
            "type": "scatter",
            "x": x,
            "y": y,
            "name": name,
            "mode": "lines",
            "showlegend": panel.legend,
            "line": {"color": CATEGORICAL[j % len(CATEGORICAL)], "width": 1.5},
        }
        for j, (name, (x, y)) in enumerate(panel.series.items())
    ]
    shapes = (
        []
        if not panel.shade
        else [
            {
                "type": "rect",
                "x0": panel.shade[0],
                "x1": panel.shade[1],
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "fillcolor": HIGHLIGHT,
                "opacity": 0.2,
                "line": {"width": 0},
            }
        ]
    )
    return go.Figure(
        data,
        layout_dict(
            panel.title, height, panel.xlabel, panel.ylabel, xaxis=panel.xaxis or {}, shapes=shapes, legend=LEGEND_BELOW
        ),
    )


def line_row(panels: Sequence[LinePanel], height: int = 300) -> list[go.Figure]:
    """A few small line charts that belong together (a signal, a close-up of it, its spectrum), one figure
    each: `ui.chart` sets them side by side, or one under another on a phone."""
    return [line_panel(panel, height) for panel in panels]


def _panel_title(text: str, left: float) -> dict:
    """A panel's title over its left edge. Its size is fixed (presenter mode's larger chart type would
    push it past its panel) and a long one takes two lines: Plotly never wraps an annotation."""
    wrapped = "<br>".join(textwrap.wrap(text, 28, break_long_words=False)) if len(text) > 28 else text
    return {
        "text": f"<b>{wrapped}</b>",
        "x": left,
        "y": 1.0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": 8,
        "showarrow": False,
        "font": {"color": "#31333F", "size": 13},
    }


def waveform_points(y: np.ndarray, sr: int, max_points: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """(times, values) of a waveform, thinned for drawing to the min and max of each of max_points / 2
    stretches, so peaks survive; vectorised, so a 10-second recording costs well under a millisecond."""
    y = np.asarray(y, dtype=np.float32)
    if len(y) <= max_points:
        return np.arange(len(y)) / sr, y
    starts = np.unique(np.linspace(0, len(y), max_points // 2, endpoint=False).astype(int))
    points = np.stack([np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)], axis=1).ravel()
    return np.linspace(0, len(y) / sr, len(points)), points


def named_points(
    points: dict[str, tuple[float, float]], title: str = "", xlabel: str = "", ylabel: str = "", height: int = 360
) -> go.Figure:
    """A few named points, each with its own colour and marker, named in the legend (points may coincide,
    e.g. models placed by performance and robustness). Built in one pass, without per-trace validation."""
    data = [
        {
            "type": "scatter",
            "x": [x],
            "y": [y],
            "mode": "markers",
            "name": name,
            "marker": {
                "size": 13,
                "color": CATEGORICAL[i % len(CATEGORICAL)],
                "symbol": SYMBOLS[i % len(SYMBOLS)],
                "line": {"width": 1, "color": "white"},
            },
        }
        for i, (name, (x, y)) in enumerate(points.items())
    ]
    layout = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "height": height,
        "template": "plotly_white",
        "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        "xaxis": {"title": {"text": xlabel}},
        "yaxis": {"title": {"text": ylabel}},
    }
    return go.Figure(data, layout)


def branch_diagram(
    branches: dict[str, Sequence[str]], meet: str | None, head: Sequence[str], title: str = "", height: int = 300
) -> go.Figure:
    """Several input branches (one row of boxes each) that join at a `meet` box, then a chain to the
    output: the shape of a fusion model. Branches in blue, the meeting point in orange, the head in green,
    the output in grey."""
    branches = {name: [_wrap(text) for text in chain] for name, chain in branches.items()}
    meet, head = (_wrap(meet) if meet else meet), [_wrap(text) for text in head]
    rows = list(branches.items())
    depth = max(len(chain) for _, chain in rows)
    middle = -(len(rows) - 1) / 2
    nodes: dict[str, tuple[float, float, str, str]] = {}
    edges: list[tuple[str, str]] = []
    for r, (name, chain) in enumerate(rows):
        for c, text in enumerate(chain):
            nodes[f"{name}{c}"] = (c * 1.6, -r * 0.8, text, CATEGORICAL[0])
            if c:
                edges.append((f"{name}{c - 1}", f"{name}{c}"))
    x = depth * 1.6
    previous = [f"{name}{len(chain) - 1}" for name, chain in rows]
    chain = ([meet] if meet else []) + list(head)
    for k, text in enumerate(chain):
        node = f"step{k}"
        colour = "#666" if k == len(chain) - 1 else CATEGORICAL[1] if meet and k == 0 else CATEGORICAL[2]
        nodes[node] = (x, middle * 0.8, text, colour)
        edges += [(p, node) for p in previous]
        previous, x = [node], x + 1.6
    lines = max(text.count("<br>") + 1 for _, _, text, _ in nodes.values())
    return flow_diagram(nodes, edges, title, height, box_width=1.3, box_height=min(0.75, 0.2 + 0.18 * lines))


def _wrap(text: str, width: int = 9) -> str:
    """A box label with its long lines broken at spaces ("outer product" overflowed its box)."""
    return "<br>".join(
        "<br>".join(textwrap.wrap(line, width, break_long_words=False) or [line]) for line in text.split("<br>")
    )


def channels(
    pixels: np.ndarray, titles: Sequence[str], title: str = "", colorbar: str = "", height: int = 260
) -> go.Figure:
    """An (H, W, C) image as its C matrices side by side, one magnitude scale (0-255) for all:
    a colour picture as the stacked matrices a model receives. One trace, built in one pass."""
    h, w, count = pixels.shape
    # each channel from black to its own colour: the red matrix in red (on one shared scale it looked yellow)
    ink = CHANNEL_COLOURS if count == 3 else ("#ffffff",) * count
    traces = [
        {
            "type": "heatmap",
            "z": pixels[..., c].astype(float),
            "x": np.arange(w) + c * (w + 1),
            "colorscale": [[0, "#000000"], [1, ink[c]]],
            "zmin": 0,
            "zmax": 255,
            "showscale": False,
            "hovertemplate": f"{titles[c]}: %{{z:.0f}}<extra></extra>",
        }
        for c in range(count)
    ]
    names = [
        {
            "x": c * (w + 1) + (w - 1) / 2,
            "y": -1,
            "text": f"{text} ({colorbar})" if colorbar else text,
            "showarrow": False,
            "yanchor": "bottom",
            "xref": "x",
            "yref": "y",
        }
        for c, text in enumerate(titles)
    ]
    return go.Figure(
        traces,
        layout_dict(
            title,
            height,
            annotations=names,
            margin={"t": (40 if title else 10) + 16},
            xaxis={"visible": False, "scaleanchor": "y", "constrain": "domain"},
            yaxis={"visible": False, "autorange": "reversed", "constrain": "domain"},
        ),
    )


def labelled_heatmap(
    z: np.ndarray,
    text: Sequence[Sequence[str]],
    x: Sequence,
    y: Sequence,
    title: str = "",
    colorbar: str = "",
    zmin: float = 0.0,
    zmax: float = 1.0,
    height: int = 240,
    text_size: int = 14,
) -> go.Figure:
    """A heatmap with a label written in each cell (a word over its probability, a count), on the
    sequential scale, built in one pass; cells without a value (NaN) stay blank. Rows read top to bottom."""
    trace = {
        "type": "heatmap",
        "z": np.asarray(z, dtype=float),
        "x": list(x),
        "y": list(y),
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": text_size},
        "colorscale": SEQUENTIAL,
        "zmin": zmin,
        "zmax": zmax,
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
        "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
        "colorbar": {"title": {"text": colorbar}, "thickness": 12},
    }
    return go.Figure(
        [trace],
        layout_dict(title, height, yaxis={"autorange": "reversed"}, xaxis={"showgrid": False, "type": "category"}),
    )


def _segment_ticks(spans: Sequence[tuple[float, float]], labels: Sequence[str], level: bool = True) -> dict:
    """Axis ticks that name segments at their middles (words along a time axis). Not `level`, Plotly
    slants the words where they would run into each other (short words on a phone's width)."""
    ticks = {"tickvals": [(a + b) / 2 for a, b in spans], "ticktext": list(labels)}
    return {**ticks, "tickangle": 0} if level else ticks


def warping_path(
    z: np.ndarray,
    x: Sequence[float],
    y: Sequence[float],
    path: tuple[Sequence[float], Sequence[float]] | None,
    x_spans: Sequence[tuple[float, float]] = (),
    x_labels: Sequence[str] = (),
    y_spans: Sequence[tuple[float, float]] = (),
    y_labels: Sequence[str] = (),
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    colorbar: str = "",
    path_name: str = "",
    height: int = 440,
) -> go.Figure:
    """A matrix of distances between two sequences (z: rows along y, columns along x), the warping path
    over it in white, and the known segments of each sequence: named on the axes, their starts as thin
    dashed lines, so a correct path passes through the corners where the lines cross. Built in one pass."""
    data = [
        {
            "type": "heatmap",
            "z": np.asarray(z, dtype=np.float32),
            "x": list(x),
            "y": list(y),
            "colorscale": SEQUENTIAL,
            "colorbar": {"title": {"text": colorbar}, "thickness": 12},
            "hovertemplate": "%{x:.2f} s · %{y:.2f} s: %{z:.2f}<extra></extra>",
        }
    ]
    if path is not None:
        data.append(
            {
                "type": "scatter",
                "x": list(path[0]),
                "y": list(path[1]),
                "mode": "lines",
                "name": path_name,
                "line": {"color": "white", "width": 2.5},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    line = {"color": "rgba(255,255,255,0.55)", "width": 1, "dash": "dash"}
    shapes = [{"type": "line", "x0": a, "x1": a, "y0": 0, "y1": 1, "yref": "paper", "line": line} for a, _ in x_spans]
    shapes += [{"type": "line", "y0": a, "y1": a, "x0": 0, "x1": 1, "xref": "paper", "line": line} for a, _ in y_spans]
    return go.Figure(
        data,
        layout_dict(
            title,
            height,
            xlabel,
            ylabel,
            shapes=shapes,
            xaxis={**_segment_ticks(x_spans, x_labels, level=False), "showgrid": False} if x_spans else {},
            yaxis={**_segment_ticks(y_spans, y_labels), "showgrid": False} if y_spans else {},
            margin={"b": 10, "l": 10},
        ),
    )


def aligned_waveforms(
    top: tuple[np.ndarray, np.ndarray],
    bottom: tuple[np.ndarray, np.ndarray],
    top_title: str,
    bottom_title: str,
    top_spans: Sequence[tuple[float, float]],
    bottom_spans: Sequence[tuple[float, float]],
    labels: Sequence[str],
    found: Sequence[tuple[float, float]] | None = None,
    xlabel: str = "",
    height: int = 400,
) -> go.Figure:
    """Two signals on one time axis, one above the other, each with its known segments shaded and named;
    `found` are segments of the top signal that an alignment carried over from the bottom one: drawn as
    solid lines on the top signal and joined to the bottom segments they came from. Built in one pass."""
    top_domain, bottom_domain = [0.56, 0.84], [0.0, 0.28]
    data = [
        {
            "type": "scatter",
            "x": t,
            "y": v,
            "mode": "lines",
            "xaxis": axis,
            "yaxis": y_axis,
            "hoverinfo": "skip",
            "showlegend": False,
            "line": {"width": 1, "color": CATEGORICAL[0]},
        }
        for (t, v), axis, y_axis in ((top, "x", "y"), (bottom, "x2", "y2"))
    ]
    shapes, notes = [], []
    for spans, y_axis in ((top_spans, "y"), (bottom_spans, "y2")):
        for k, (a, b) in enumerate(spans):
            shapes.append(
                {
                    "type": "rect",
                    "x0": a,
                    "x1": b,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": f"{y_axis} domain",
                    "fillcolor": CATEGORICAL[2 if k % 2 else 1],
                    "opacity": 0.18,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            notes.append(
                {
                    "x": (a + b) / 2,
                    "xref": "x",
                    "y": 1,
                    "yref": f"{y_axis} domain",
                    "yanchor": "bottom",
                    "text": labels[k],
                    "showarrow": False,
                    "font": {"size": 12},
                }
            )
    for (a, b), (ra, rb) in zip(found or [], bottom_spans):
        for x_top, x_bottom in ((a, ra), (b, rb)):
            shapes.append(
                {
                    "type": "line",
                    "x0": x_top,
                    "x1": x_top,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": "y domain",
                    "line": {"color": HIGHLIGHT, "width": 2},
                }
            )
            shapes.append(
                {
                    "type": "line",
                    "x0": x_top,
                    "x1": x_bottom,
                    "xref": "x",
                    "y0": top_domain[0],
                    "y1": bottom_domain[1] + 0.06,
                    "yref": "paper",
                    "line": {"color": HIGHLIGHT, "width": 1, "dash": "dot"},
                }
            )
    # the titles and word names sit on an opaque box: the joining lines pass behind them, not through them
    titles = [
        _panel_title(text, 0.0) | {"y": domain[1] + 0.08, "yshift": 0, "bgcolor": "rgba(255,255,255,0.9)"}
        for text, domain in ((top_title, top_domain), (bottom_title, bottom_domain))
    ]
    notes = [note | {"bgcolor": "rgba(255,255,255,0.8)"} for note in notes]
    axes = {
        "xaxis": {"anchor": "y", "showticklabels": False},
        "xaxis2": {"anchor": "y2", "matches": "x", "title": {"text": xlabel}},
        "yaxis": {"domain": top_domain, "showticklabels": False, "zeroline": False},
        "yaxis2": {"domain": bottom_domain, "showticklabels": False, "zeroline": False},
    }
    return go.Figure(data, layout_dict("", height, **axes, shapes=shapes, annotations=notes + titles, margin={"t": 24}))


def marked_lines(
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    mark_x: float | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    log_x: bool = False,
    x_format: str = "",
    dashed: Sequence[str] = (),
    reference: float | None = None,
    reference_label: str = "",
    y_range: tuple[float, float] = (0.0, 1.04),
    y_format: str = ".0%",
    height: int = 340,
) -> go.Figure:
    """Curves over a few settings (ticks exactly at them, optionally on a log axis), `dashed` curves drawn
    dashed (e.g. a method that ignores the x axis), a dotted vertical line at the current setting and an
    optional dotted reference level (e.g. chance), named in the legend. Curves that coincide (several
    methods at 100%) stay visible: each is drawn thinner than the one before, with a smaller marker of
    its own shape, so they nest like stripes. Built in one pass."""
    count = len(series)
    data = [
        {
            "type": "scatter",
            "x": list(x),
            "y": [float(v) for v in ys],
            "name": name,
            "mode": "lines+markers",
            "line": {
                "color": CATEGORICAL[i % len(CATEGORICAL)],
                "width": 1.5 + 2.0 * (count - 1 - i),
                "dash": "dash" if name in dashed else "solid",
            },
            "marker": {"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 6 + 3 * (count - 1 - i)},
            "hovertemplate": f"%{{y:{y_format}}}<extra>{name}</extra>",
        }
        for i, (name, ys) in enumerate(series.items())
    ]
    shapes = []
    if mark_x is not None:  # a trace, not a shape: it lands in the right place on a log axis too
        data.append(
            {
                "type": "scatter",
                "x": [mark_x, mark_x],
                "y": list(y_range),
                "mode": "lines",
                "showlegend": False,
                "hoverinfo": "skip",
                "line": {"color": "#444", "dash": "dot", "width": 1.5},
            }
        )
    if reference is not None:  # named in the legend: a label on the line collided with the curves' last points
        shapes.append(_reference_line(reference, "#888"))
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "name": reference_label,
                "line": _reference_line(reference, "#888")["line"],
            }
        )
    xaxis = {"tickvals": list(x), "tickformat": x_format, "type": "log" if log_x else "linear"}
    return go.Figure(
        data,
        layout_dict(
            title,
            height,
            xlabel,
            ylabel,
            xaxis=xaxis,
            shapes=shapes,
            yaxis={"range": list(y_range), "tickformat": y_format},
            legend=LEGEND_BELOW,
        ),
    )


def signed_grid(z: np.ndarray, x: Sequence, y: Sequence, colorbar: str, limit: float) -> dict:
    """A heatmap trace of signed numbers on the diverging scale, zero white, ±`limit` the ends."""
    return {
        "type": "heatmap",
        "z": z,
        "x": list(x),
        "y": list(y),
        "colorscale": DIVERGING,
        "zmid": 0.0,
        "zmin": -limit,
        "zmax": limit,
        "xgap": 1,
        "ygap": 1,
        "hovertemplate": "%{y} · %{x}: %{z:.3f}<extra></extra>",
        "colorbar": {"title": {"text": colorbar}, "thickness": 12},
    }


def number_grid(
    z: np.ndarray,
    x: Sequence[str],
    y: Sequence[str],
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    colorbar: str = "",
    height: int = 320,
    text_format: str = "{:+.2f}",
    limit: float | None = None,
    outline: Sequence[tuple[int, int]] = (),
) -> go.Figure:
    """Signed numbers in a grid, each written in its cell over the diverging scale (a weight matrix, an
    outer product): the numbers themselves are the lesson. A grid too big to read its numbers shows the
    colours alone; `limit` fixes the colour range so grids of one story compare; `outline` frames cells
    (row, column). Rows read top to bottom."""
    z = np.asarray(z, dtype=float)
    limit = limit or float(np.abs(z).max()) or 1.0
    trace = signed_grid(z, x, y, colorbar, limit)
    if z.size <= 100:
        written = [[text_format.format(v) for v in row] for row in z]
        zero = text_format.format(0.0)  # "-0.00" is written as zero
        trace.update(text=[[zero if float(w) == 0 else w for w in row] for row in written], texttemplate="%{text}")
    frames = [
        {
            "type": "rect",
            "x0": c - 0.5,
            "x1": c + 0.5,
            "y0": r - 0.5,
            "y1": r + 0.5,
            "line": {"color": "#000", "width": 2},
            "xref": "x",
            "yref": "y",
        }
        for r, c in outline
    ]
    return go.Figure(
        [trace],
        layout_dict(
            title,
            height,
            xlabel,
            ylabel,
            shapes=frames,
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"showgrid": False, "type": "category", "side": "top"},
        ),
    )
