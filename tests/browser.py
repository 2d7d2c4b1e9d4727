"""A real server and a real browser, for tests and benchmarks: `streamlit run app.py` + Debian Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from components import i18n
from deploy.local import streamlit_command

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def require_chromium() -> None:
    """Skip the calling test module where Chromium is absent, unless CI demands the browser tests."""
    import pytest

    if not chromium_available():
        if os.environ.get("REQUIRE_BROWSER"):
            raise RuntimeError("REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium is not installed here (apt-get install chromium)", allow_module_level=True)


@contextmanager
def server(env: dict | None = None, timeout: float = 60.0):
    """Start the app on a free port; yields (base_url, process, seconds until healthy)."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        streamlit_command(port),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                raise RuntimeError("streamlit did not become healthy")
            time.sleep(0.1)
        yield url, proc, time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_mb(pid: int) -> float:
    """Resident memory of a process (the server), from Linux's /proc."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def wait_idle(page, timeout_ms: int = 60000) -> None:
    """Wait until Streamlit has run the script and is idle again (the page has a heading by then), and
    the browser has drawn every widget: a fresh browser shows placeholders until a widget's code arrives."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout_ms,
    )


def overflowing(page) -> list[str]:
    """Every visible label, caption, button, select box value, radio option, table cell, metric, tab
    label, markdown table and Plotly text whose text does not fit its box (scrollWidth > clientWidth, a
    clipped single line too short for it, a table wider than its box, or SVG text outside its chart): one
    short description each."""
    script = r"""() => {
      const BOXES = ['[data-testid="stWidgetLabel"]', '[data-testid="stCaptionContainer"]', 'button',
        '[data-testid="stRadioOption"]', '[data-baseweb="radio"]', '[data-testid="stMarkdownContainer"] td',
        '[data-testid="stMarkdownContainer"] th', '[data-testid="stMetricLabel"]', '[data-testid="stMetricValue"]',
        '[data-baseweb="select"] > div', '[data-testid="stSelectbox"] [role="group"]',
        '[data-testid="stMultiSelect"] [role="group"]'];
      const TEXT = BOXES.flatMap(b => [b, `${b} p`, `${b} div`, `${b} span`])
        .concat(['[data-testid="stSelectbox"] input', '[data-testid="stMultiSelect"] input']).join(', ');
      // The page's own scrollers: everything is inside them, so they say nothing about one text's box.
      const PAGE = new Set(['stMain', 'stSidebarContent', 'stSidebar', 'stAppViewContainer', 'stApp',
                            'stAppScrollToBottomContainer']);
      const CLIPS = new Set(['hidden', 'clip']), SCROLLS = new Set(['auto', 'scroll']);
      const visible = e => {
        if (!e.getClientRects().length || e.closest('[data-testid="stSidebar"][data-collapsed="true"]')) return false;
        // A closed expander's content still has boxes (content-visibility: hidden), but nobody sees it.
        if (e.closest('details:not([open])') && !e.closest('summary')) return false;
        if (e.checkVisibility && !e.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
        const r = e.getBoundingClientRect();
        if (r.right <= 0 || r.left >= innerWidth) return false;  // off screen sideways: a hidden drawer
        const s = getComputedStyle(e);
        if (s.visibility !== 'visible' || parseFloat(s.opacity) === 0) return false;
        for (let a = e; a; a = a.parentElement) {
          const t = getComputedStyle(a);
          if (t.display === 'none' || parseFloat(t.opacity) === 0) return false;
        }
        return true;
      };
      // Inside a box that scrolls sideways (code blocks, dataframes, wide tables), width is not clipped.
      const scrolls = e => {
        for (let a = e; a && a !== document.body; a = a.parentElement)
          if (SCROLLS.has(getComputedStyle(a).overflowX) && !PAGE.has(a.dataset.testid)) return true;
        return false;
      };
      const text = e => (e.tagName === 'INPUT' ? e.value : e.innerText || e.textContent || '')
        .replace(/\s+/g, ' ').trim();
      const describe = (e, why) => `${e.tagName.toLowerCase()}` +
        (e.closest('[data-testid]') ? `[${e.closest('[data-testid]').dataset.testid}]` : '') +
        ` "${text(e).slice(0, 60)}" ${why}`;
      const found = [];
      for (const e of document.querySelectorAll(TEXT)) {
        if (!text(e) || e.clientWidth === 0 || e.closest('[data-testid^="stIcon"]') || !visible(e)) continue;
        const s = getComputedStyle(e);
        if (e.scrollWidth > e.clientWidth + 1 && !scrolls(e)) {
          found.push([e, `scrollWidth ${e.scrollWidth} > clientWidth ${e.clientWidth}`]);
          continue;
        }
        const oneLine = s.whiteSpace.startsWith('nowrap') || s.whiteSpace === 'pre' || s.textOverflow === 'ellipsis';
        if (oneLine && CLIPS.has(s.overflowY) && e.scrollHeight > e.clientHeight + 1)
          found.push([e, `scrollHeight ${e.scrollHeight} > clientHeight ${e.clientHeight}`]);
      }
      // One report per clipped text: drop an element when one inside it is reported too.
      const reported = found.filter(([e]) => !found.some(([o]) => o !== e && e.contains(o)))
        .map(([e, why]) => describe(e, why));
      // A table's cells grow to fit their text, so the text never overflows a cell: the table overflows its box.
      for (const table of document.querySelectorAll('[data-testid="stMarkdownContainer"] table')) {
        if (!visible(table) || scrolls(table)) continue;
        const r = table.getBoundingClientRect();
        const box = table.closest('[data-testid="stMarkdownContainer"]').getBoundingClientRect();
        if (r.right > box.right + 1) reported.push(`table[stMarkdownContainer] "${text(table).slice(0, 60)}" ` +
          `width ${Math.round(r.width)} > its box ${Math.round(box.width)}`);
      }
      // Plotly draws text in SVG, which has no scrollWidth: text outside the chart's own svg is cut off.
      for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const svg = plot.querySelector('svg.main-svg');
        if (!svg || !visible(plot)) continue;
        const box = svg.getBoundingClientRect();
        if (!box.width) continue;
        for (const t of plot.querySelectorAll('text')) {
          const label = (t.textContent || '').trim();
          if (!label || !t.getClientRects().length || t.closest('.hoverlayer')) continue;
          if (getComputedStyle(t).display === 'none' || getComputedStyle(t).visibility === 'hidden') continue;
          const r = t.getBoundingClientRect();
          if (!r.width) continue;
          // The box of SVG text is its advance × the font's ascent + descent: the ink reaches its sides and
          // nearly its bottom, but starts about a third of the font size below its top.
          const top = 0.35 * parseFloat(getComputedStyle(t).fontSize) - 2;
          const out = Math.max(box.left - r.left, r.right - box.right, box.top - r.top - top, r.bottom - box.bottom);
          const at = q => `${Math.round(q.left)}..${Math.round(q.right)}×${Math.round(q.top)}..${Math.round(q.bottom)}`;
          if (out > 2) reported.push(`svg text "${label.slice(0, 60)}" ${Math.round(out)} px outside its chart` +
            ` (text ${at(r)}, chart ${at(box)})`);
        }
      }
      return reported;
    }"""
    return page.evaluate(script)


MAIN = '[data-testid="stMain"]'
PROJECTOR = {"viewport": {"width": 1280, "height": 800}}  # browser-context options: a projector's screen
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def scroll_through(page) -> None:
    """To the bottom of the page and back, so that every chart has drawn: the app scrolls in stMain."""
    for position in ("el.scrollHeight", "0"):
        page.evaluate(
            f"() => {{ const el = document.querySelector('{MAIN}'); el.scrollTo(0, {position}); "
            f"window.scrollTo(0, {position.replace('el.', 'document.body.')}); }}"
        )
        page.wait_for_timeout(500)
    page.wait_for_timeout(1000)


def full_page_screenshot(page, path) -> None:
    """Streamlit scrolls inside stMain, so Playwright's full_page sees one screen: make the window as
    tall as the page (same width, so the same line breaks), take it, and restore the window."""
    size = page.viewport_size
    height = page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 16000)})
    page.wait_for_timeout(500)
    page.screenshot(path=path)
    page.set_viewport_size(size)


def settle(page, timeout_ms: int = 180000) -> None:
    """After a click or a navigation: give the browser a moment to send it, then wait for the run to end."""
    page.wait_for_timeout(400)
    wait_idle(page, timeout_ms=timeout_ms)


def no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()[:500]


def query(page) -> dict[str, str]:
    """The page's address's parameters, one value each."""
    from urllib.parse import parse_qs, urlparse

    return {key: values[0] for key, values in parse_qs(urlparse(page.url).query).items()}


def heading(page) -> str:
    return page.locator(f"{MAIN} h1").first.inner_text().strip()


def click_nav(page, name: str, language: str) -> None:
    """Click a page in the sidebar navigation, by the title the visitor reads there."""
    title = i18n.translate(f"common.nav.{name}", language)
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_url(re.compile(rf"/{'' if name == 'home' else name}(\?|$)"), timeout=60000)
    settle(page)
