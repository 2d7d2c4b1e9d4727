"""Shared test setup: offline always, the repo root importable, and an AppTest factory."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PLAYGROUND_WARMUP", "0")  # AppTest processes must not each start a compile
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = str(ROOT / "app.py")
PAGE_NAMES = [p.stem for p in sorted((ROOT / "pages").glob("*.py"))]
APP_TIMEOUT = 120  # the first run of a page may train or load models


@pytest.fixture
def app():
    """A fresh AppTest of the whole router; `app(page, **state)` opens `page` with preset state."""
    from streamlit.testing.v1 import AppTest

    def open_page(page: str = "home", **session_state):
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        for key, value in session_state.items():
            at.session_state[key] = value
        at.run()
        if page != "home":
            at.switch_page(f"pages/{page}.py").run()
        return at

    return open_page
