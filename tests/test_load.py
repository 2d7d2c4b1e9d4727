"""The load generator (bench/load.py) against a real server: a smoke run of a few visitors on two pages,
and proof that a visitor's change reaches the server. No browser: it speaks Streamlit's websocket."""

from __future__ import annotations

import asyncio
import random
from urllib.parse import parse_qs

import pytest
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider

from bench import load

from browser import server

SMOKE = load.Pattern(arrive_within=1, every=0.8, seconds=3, timeout=60)


@pytest.fixture(scope="module")
def app():
    """One server for the module; yields (base URL, its process)."""
    with server() as (url, proc, _):
        yield url, proc


def warm(url: str, path: str) -> None:
    """One visitor first, not counted: a fresh server's first visit to a page imports and loads models."""
    first = asyncio.run(
        load.visit(url, path, load.Pattern(seconds=0, timeout=180), load.controls_of(path), random.Random(0))
    )
    assert first.first is not None and not first.errors, first.errors


@pytest.mark.parametrize("path", ["/fusion", "/"])
def test_three_visitors_render_rerun_and_see_no_error(app, path):
    url, proc = app
    warm(url, path)
    row = asyncio.run(load.crowd(url, path, 3, SMOKE, lambda: [proc.pid]))
    for visit in row.visits:
        assert visit.first is not None, visit.errors
        assert visit.reruns, f"no rerun in {SMOKE.seconds} s: {visit.errors}"
        assert not visit.errors
    assert row.rss_peak and row.rss_peak > 50  # the server's memory was read, and is a real server's
    line = load.machine_line(row, None)
    assert line.startswith("visitors=3 first_p95_ms=") and "errors=0" in line


def test_a_changed_control_reaches_the_server(app):
    """Every rerun moved one declared control; the app writes its value into the address bar
    (page_info_changed), so that key's value differs before and after, and the page drew something new."""
    url, _ = app
    warm(url, "/fusion")
    visit = asyncio.run(
        load.visit(url, "/fusion", load.Pattern(every=0.5, seconds=3), load.controls_of("/fusion"), random.Random(7))
    )
    assert visit.changes and not visit.errors, visit.errors
    for change in visit.changes:
        before, after = parse_qs(change.query_before), parse_qs(change.query_after)
        differing = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        assert change.key in differing, change
    assert any(visit.changed_drawing)


def test_alternatives_stay_inside_the_declaration_and_the_drawn_widget():
    control = load.Control("x.level", 0.0, low=0.0, high=1.0, step=0.1)
    slider = Slider(id="$$ID-abc-x.level", min=0.0, max=1.0, step=0.1, data_type=Slider.FLOAT, default=[0.0])
    values = [value for value, _ in load.alternatives("slider", slider, control, load.initial_state("slider", slider))]
    assert values == pytest.approx([0.1 * i for i in range(1, 11)])

    sample = load.Control("x.sample", 0, low=0, step=1)  # no declared high: the drawn widget's max
    box = NumberInput(
        id="$$ID-def-x.sample", has_min=True, has_max=True, min=0, max=4, step=1, default=2, data_type=NumberInput.INT
    )
    moves = load.alternatives("number_input", box, sample, load.initial_state("number_input", box))
    assert [value for value, _ in moves] == [0, 1, 3, 4]
    assert all(state.WhichOneof("value") == "int_value" for _, state in moves)
    assert load.user_key("$$ID-def-x.sample") == "x.sample" and load.user_key("$$ID-0ad3-None") is None


def test_refuses_a_url_off_this_machine():
    with pytest.raises(SystemExit):
        load.parse_args(["--url", "http://example.com:8501"])
    assert load.parse_args(["--url", "http://127.0.0.1:8501", "--visitors", "1,25"]).counts == [1, 25]
