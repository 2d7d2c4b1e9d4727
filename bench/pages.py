"""Benchmark every page against the budgets of DESIGN.md; prints a table. Not part of pytest.

    python bench/pages.py            # every page
    python bench/pages.py home fusion  # some pages

Per page, in a fresh process (weights on disk, nothing in memory): the first render through the
router (AppTest), then the p50 rerun after changing each widget to another value. Buttons are not
pressed (a button may train, which has its own budget). Then a real server: the time from start to
the home page fully drawn in Chromium with an empty numba cache (as on a fresh deployment) and with
a warm one, and the server's memory after a browser has visited every page.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

BUDGET_RERUN_MS = 150
BUDGET_FIRST_RENDER_S = 2.0
BUDGET_HOME_FROM_START_S = 5.0
BUDGET_RSS_MB = 1024
REPEATS = 3


def _changed(widget):
    """Another valid value for a widget, or None for widgets we do not drive (text, uploads)."""
    kind = type(widget).__name__
    if kind in ("Toggle", "Checkbox"):
        return not widget.value
    if kind in ("Selectbox", "Radio", "SelectSlider"):
        options = list(widget.options)
        index = (
            widget.index
            if kind == "Selectbox"
            else options.index(str(widget.value))
            if str(widget.value) in options
            else 0
        )
        return ("index", (index + 1) % len(options)) if len(options) > 1 else None
    if kind in ("NumberInput", "Slider"):
        value, proto = widget.value, widget.proto
        if isinstance(value, (tuple, list)) or not isinstance(value, (int, float)):
            return None
        step = proto.step or 1
        high = proto.max if (kind == "Slider" or proto.has_max) else value + step
        return type(value)(value + step if value + step <= high else value - step)
    return None


def measure_page(page: str) -> dict:
    """Runs in its own process: first render, then p50 rerun per widget."""
    from streamlit.testing.v1 import AppTest, app_test

    # A server compiles each script once (its ScriptCache lives as long as the process); AppTest makes a
    # new cache for every run, which would add each page's compile (10-80 ms) to every rerun measured.
    compiled = app_test.ScriptCache()
    app_test.ScriptCache = lambda: compiled

    start = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    if page != "home":
        first_home = time.perf_counter() - start
        from components import warmup  # a visitor reads the home page while the heavy imports load

        warmup.imports_ready().wait(60)
        start = time.perf_counter()
        at.switch_page(f"lessons/{page}.py").run()
    first = time.perf_counter() - start
    reruns: dict[str, float] = {}
    kinds = ("selectbox", "radio", "select_slider", "number_input", "slider", "toggle", "checkbox")
    keys = [w.key for kind in kinds for w in at.get(kind) if w.key]
    for key in keys:
        if key == "lang":
            continue  # labels change language; measured separately below
        times = []
        for _ in range(REPEATS):
            widget = next((w for kind in kinds for w in at.get(kind) if w.key == key), None)
            value = _changed(widget) if widget is not None else None
            if value is None:
                break
            declared = at.session_state["_state_options"] if "_state_options" in at.session_state else {}
            try:
                if key in declared:  # options bound with state.bind: set by value (labels may be translated)
                    options = declared[key]
                    widget.set_value(options[(options.index(at.session_state[key]) + 1) % len(options)])
                elif isinstance(value, tuple) and value[0] == "index":
                    widget.select_index(value[1]) if type(widget).__name__ == "Selectbox" else widget.set_value(
                        widget.options[value[1]]
                    )
                else:
                    widget.set_value(value)
                t0 = time.perf_counter()
                at.run()
            except Exception:  # disabled, or options AppTest cannot map back (format_func): not timed
                break
            times.append(time.perf_counter() - t0)
            if at.exception:
                return {"page": page, "error": at.exception[0].value}
        if times:
            reruns[key] = statistics.median(times) * 1000
    result = {"page": page, "first_render_s": first, "reruns_ms": reruns}
    if page != "home":
        result["router_first_s"] = first_home
    return result


def _in_subprocess(page: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--one", page],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PLAYGROUND_WARMUP": "1"},
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"page": page, "error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "no output"}
    return json.loads(lines[-1])


def measure_server(pages: list[str]) -> dict:
    from browser import browser, chromium_available, rss_mb, server, wait_idle

    if not chromium_available():
        return {"error": "chromium not installed: server numbers skipped"}
    results = {}
    with browser() as b:
        for label, cache in (("cold numba cache", tempfile.mkdtemp(prefix="numba-")), ("warm numba cache", None)):
            env = {"NUMBA_CACHE_DIR": cache} if cache else {}
            start = time.perf_counter()
            with server(env) as (url, proc, healthy_s):
                page = b.new_page(viewport={"width": 1400, "height": 2200})
                page.goto(url + "/")
                wait_idle(page)
                page.locator(".js-plotly-plot").nth(1).wait_for()
                results[label] = {"healthy_s": healthy_s, "home_drawn_s": time.perf_counter() - start}
                if cache is None:
                    for name in pages:
                        page.goto(url + ("/" if name == "home" else f"/{name}"))
                        wait_idle(page, timeout_ms=300000)
                    results["rss_mb"] = rss_mb(proc.pid)
                page.close()
    return results


def verdict(value: float, budget: float) -> str:
    return "ok" if value <= budget else "OVER"


def main(pages: list[str]) -> None:
    names = pages or [p.stem for p in sorted((ROOT / "lessons").glob("*.py"))]
    order = ["home"] + [n for n in names if n != "home"] if "home" in names else names
    print(f"{'page':<18}{'first render':>14}{'  ':2}{'rerun p50 (worst widget)':>28}   widgets")
    for name in order:
        r = _in_subprocess(name)
        if "error" in r:
            print(f"{name:<18} ERROR {r['error']}")
            continue
        reruns = r["reruns_ms"]
        worst_key = max(reruns, key=reruns.get) if reruns else "-"
        worst = reruns.get(worst_key, 0.0)
        p50 = statistics.median(reruns.values()) if reruns else 0.0
        first_budget = BUDGET_HOME_FROM_START_S if name == "home" else BUDGET_FIRST_RENDER_S
        print(
            f"{name:<18}{r['first_render_s']:>12.2f} s {verdict(r['first_render_s'], first_budget):>4}"
            f"{p50:>10.0f} ms ({worst_key} {worst:.0f} ms) {verdict(p50, BUDGET_RERUN_MS):>4}   {len(reruns)}"
        )
    server_numbers = measure_server(order)
    if "error" in server_numbers:
        print(server_numbers["error"])
        return
    for label in ("cold numba cache", "warm numba cache"):
        s = server_numbers[label]
        print(
            f"server start -> home drawn ({label}): {s['home_drawn_s']:.2f} s "
            f"(healthy after {s['healthy_s']:.2f} s) {verdict(s['home_drawn_s'], BUDGET_HOME_FROM_START_S)}"
        )
    print(
        f"server RSS after visiting {len(order)} pages: {server_numbers['rss_mb']:.0f} MB "
        f"{verdict(server_numbers['rss_mb'], BUDGET_RSS_MB)}"
    )
    print(
        f"budgets: rerun p50 <= {BUDGET_RERUN_MS} ms, first render <= {BUDGET_FIRST_RENDER_S} s "
        f"(home: <= {BUDGET_HOME_FROM_START_S} s from server start), RSS <= {BUDGET_RSS_MB} MB"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure_page(sys.argv[2])))
    else:
        main(sys.argv[1:])
