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


def jit_modules_after_views(page: str, view_key: str, views: tuple[str, ...], numba_cache: Path) -> set[str]:
    """In a fresh interpreter with an empty numba cache, open `page` and each of its `views`; returns
    which of librosa/numba got imported (a first visitor must pay neither, see DESIGN.md)."""
    import subprocess

    code = ("import sys; sys.path[:0] = ['tests', '.']\n"
            "from streamlit.testing.v1 import AppTest\n"
            "at = AppTest.from_file('app.py', default_timeout=300).run()\n"
            f"at.switch_page('pages/{page}.py').run()\n"
            f"for view in {views!r}:\n"
            "    assert not at.exception, at.exception\n"
            f"    at.radio(key='{view_key}').set_value(view).run()\n"
            "assert not at.exception, at.exception\n"
            "print(' '.join(m for m in ('librosa', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "NUMBA_CACHE_DIR": str(numba_cache), "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    return set(out.stdout.split())
