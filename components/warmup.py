"""Warm-ups that keep slow first steps off every visitor's path, started after a page is drawn.

Two kinds: librosa's numba JIT (models/core/jit.py) compiles in a separate low-priority process,
once per machine; and the heavy libraries the concept pages need (torch, scikit-learn,
transformers: ~2-4 s of imports) load in a background thread of this server, once per process,
while the first visitor reads the home page; that thread then builds the default world's fusion test
bank (every noise level of every test sample), which the fusion page and the passport open on.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent


DELAY_SECONDS = 2.5  # after the first page's script ends: its browser is still drawing it


def start() -> None:
    if os.environ.get("PLAYGROUND_WARMUP") == "0":  # tests: each AppTest process must not compile
        return
    _started()


@st.cache_resource(show_spinner=False)
def _started() -> threading.Timer:
    """Both warm-ups, once per process, a moment after the first page's script has ended: on a fresh
    server that visitor's browser is still drawing the page, and the imports (holding this process's
    interpreter lock) and the compile (a core) made it ~1 s later (measured in Chromium, 2 cores)."""

    def begin() -> None:
        _compile_librosa()
        imports_ready()

    timer = threading.Timer(DELAY_SECONDS, begin)
    timer.daemon = True
    timer.start()
    return timer


@st.cache_resource(show_spinner=False)
def single_threaded() -> None:
    """One math thread per request, once per process. Our matrices and models are small and a
    server has few cores and many visitors: a second BLAS or torch thread made small products and
    tiny-model inference 20-100x slower on a busy 2-core machine."""
    from threadpoolctl import threadpool_limits

    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # for the libraries loaded later (torch, scipy's BLAS)
    threadpool_limits(limits=1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


@st.cache_resource(show_spinner=False)
def _compile_librosa() -> subprocess.Popen | None:
    """A separate process, so its compilation neither holds this server's GIL nor delays a page.
    Skipped when this machine's numba cache is already warm."""
    from models.core.jit import marker

    if marker().exists():
        return None
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "models.core.jit"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None  # the app still works; the first librosa call just pays the compilation itself


@st.cache_resource(show_spinner=False)
def imports_ready() -> threading.Event:
    """Set once the heavy modules are imported and the default fusion bank is built (benchmarks wait on it,
    as a reading visitor would). A visitor who opens a concept page first pays for what it needs itself."""
    ready = threading.Event()  # (pandas is already whole: app.py imports it before any page)

    def load() -> None:
        from models.core import imports  # one thread at a time imports them: see models/core/imports.py

        try:
            imports.heavy()
        except Exception:  # the page that needs a module imports it itself, and shows any error
            pass
        try:  # transformers loads its classes lazily (the captioner's cost 1.4 s on first use)
            from models.captioning import captioners as captioning

            imports.transformers_classes(*captioning.CAPTIONER_CLASSES)
        except Exception:
            pass
        try:  # the default world's test features at every noise level (~1 s): the fusion page's and the passport's
            from components import settings
            from components.cache import fusion as fusion_cache

            for modality in ("image", "sound"):
                fusion_cache.levels(settings.WORLD.default, settings.SEED.default, modality)
        except Exception:
            pass
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(1)
        ready.set()

    threading.Thread(target=load, name="playground-imports", daemon=True).start()
    return ready
