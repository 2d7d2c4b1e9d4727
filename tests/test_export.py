"""Every chart's numbers download as CSV: the file is built from the figure as drawn (components/export.py),
and every chart with a key on every page has its button."""

import csv
import io

import numpy as np
import pytest

from components import export, figures

from conftest import PAGE_NAMES


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_line_chart_exports_each_series_with_its_x_and_y():
    fig = figures.lines(
        [0.0, 0.5, 1.0], {"early": [0.9, 0.8, 0.5], "late": [0.9, 0.85, 0.7]}, "<b>Robust</b>", "level", "accuracy"
    )
    found = rows(export.csv_text(fig, ["<b>Robust</b><br>curves", "Late fusion holds up best."]))
    assert found[:2] == [["Robust curves"], ["Late fusion holds up best."]]
    assert ["early", "x", "y"] in found and ["late", "1.0", "0.7"] in found


def test_a_heatmap_exports_its_whole_grid_with_both_axes():
    z = np.arange(6.0).reshape(2, 3)
    fig = figures.heatmap(z, "grid", x=["a", "b", "c"], y=["p", "q"])
    found = rows(export.csv_text([fig]))
    start = found.index([found[1][0], "a", "b", "c"])
    assert found[start + 1 : start + 3] == [["p", "0.0", "1.0", "2.0"], ["q", "3.0", "4.0", "5.0"]]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_chart_on_every_page_has_its_numbers_button(app, page):
    at = app(page)
    keys = {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart") if "-" in c.proto.id}
    charts = {k.rsplit("_", 1)[0] if k.rsplit("_", 1)[0] in keys else k for k in keys}  # panels share a button
    buttons = {b.key.removesuffix("_numbers") for b in at.get("download_button") if (b.key or "").endswith("_numbers")}
    assert charts and charts <= buttons, charts - buttons
