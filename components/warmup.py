"""Start librosa's JIT warm-up (models/warmup.py) once per server process, off the request path."""

import os
import subprocess
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent


@st.cache_resource(show_spinner=False)
def start() -> subprocess.Popen | None:
    """A separate process, so its compilation neither holds this server's GIL nor delays a page.
    Skipped when this machine's cache is already warm, and in tests (PLAYGROUND_WARMUP=0)."""
    from models.warmup import marker

    if os.environ.get("PLAYGROUND_WARMUP") == "0" or marker().exists():
        return None
    try:
        return subprocess.Popen([sys.executable, "-m", "models.warmup"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None  # the app still works; the first librosa call just pays the compilation itself
