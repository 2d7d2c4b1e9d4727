"""First visits in parallel, right after `streamlit run`: no page may show an exception.

A fresh server with the background warm-up on (PLAYGROUND_WARMUP=1) gets every page at once, one
browser context per page, as soon as /_stcore/health answers: the warm-up's imports and the pages'
imports race (once `cannot import name 'GPT2Config' from 'transformers'` on the captioning page,
2 runs in 5, fixed by the lock in models/core/imports.py). Each round starts a new server.

ROUNDS is 1 in the suite (the suite has a 10-minute budget); set STRESS_ROUNDS for more, e.g.

    STRESS_ROUNDS=10 python -m pytest tests/test_browser_stress.py
"""

import os
import time

import pytest

from components import router

from browser import browser, require_chromium, server, wait_idle

ROUNDS = int(os.environ.get("STRESS_ROUNDS", "1"))
TIMEOUT_MS = 240000
PATHS = {name: "" if name == "home" else name for name in router.PAGES}

require_chromium()


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.mark.parametrize("round_", range(1, ROUNDS + 1))
def test_every_page_at_once_on_a_fresh_server(chromium, round_):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    start = time.perf_counter()
    contexts = {name: chromium.new_context(viewport={"width": 1280, "height": 800}) for name in PATHS}
    try:
        pages = {name: context.new_page() for name, context in contexts.items()}
        with server(env={"PLAYGROUND_WARMUP": "1"}) as (url, _, _):
            for name, page in pages.items():  # every navigation starts before any is waited on
                page.goto(f"{url}/{PATHS[name]}", wait_until="commit")
            unfinished = []
            for name, page in pages.items():
                try:
                    wait_idle(page, timeout_ms=TIMEOUT_MS)
                except PlaywrightTimeout:  # a page that failed before its heading: report its exception
                    unfinished.append(name)
            failures = []
            for name, page in pages.items():
                errors = page.locator('[data-testid="stException"]')
                if errors.count():
                    failures.append(f"{name} ({errors.count()} exception blocks): {errors.first.inner_text()[:500]}")
                elif name in unfinished:
                    failures.append(f"{name}: not finished after {TIMEOUT_MS // 1000} s")
    finally:
        for context in contexts.values():
            context.close()
    print(f"round {round_}: {time.perf_counter() - start:.1f} s")
    assert not failures, "\n".join(failures)
