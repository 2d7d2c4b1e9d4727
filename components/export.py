"""A chart's numbers as a CSV file, for a lecturer's slides or a student's own plot.

Built from the figure itself, so every chart on every page exports exactly what it draws, and no page
writes an exporter. The file starts with the chart's titles and its caption (the sentence under it),
then one block per drawn series: x and y for lines, bars and points, the whole grid for a heatmap.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go


def _values(values) -> list:
    return [] if values is None else list(np.asarray(values, dtype=object).ravel())


def _blocks(fig: go.Figure) -> list[list[list]]:
    """The figure's series as tables: [header row, data rows...] each."""
    blocks = []
    for trace in fig.data:
        name = getattr(trace, "name", None) or trace.type
        if trace.type == "heatmap" and trace.z is not None:
            z = np.asarray(trace.z, dtype=object)
            z = z.reshape(1, -1) if z.ndim == 1 else z
            xs = _values(trace.x) or list(range(z.shape[1]))
            ys = _values(trace.y) or list(range(z.shape[0]))
            blocks.append([[name, *xs], *([y, *row] for y, row in zip(ys, z.tolist()))])
        elif getattr(trace, "y", None) is not None or getattr(trace, "x", None) is not None:
            xs, ys = _values(getattr(trace, "x", None)), _values(getattr(trace, "y", None))
            n = max(len(xs), len(ys))
            xs, ys = xs or list(range(n)), ys or list(range(n))
            if any(v is not None for v in (*xs, *ys)):  # a legend-only entry draws nothing
                blocks.append([[name, "x", "y"], *([name, x, y] for x, y in zip(xs, ys))])
    return blocks


def csv_text(panels: go.Figure | Sequence[go.Figure], heading: Sequence[str | None] = ()) -> str:
    """The chart (one figure, or the panels of one chart) as CSV text, after the lines of `heading`
    (its titles and its caption)."""
    panels = [panels] if isinstance(panels, go.Figure) else list(panels)
    out = io.StringIO()
    writer = csv.writer(out)
    for line in heading:
        if line:
            writer.writerow([re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", " ", line))])  # Plotly's tags dropped
    for panel in panels:
        for block in _blocks(panel):
            writer.writerow([])
            writer.writerows(block)
    return out.getvalue()
