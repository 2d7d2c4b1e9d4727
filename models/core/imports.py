"""The heavy libraries' first imports, through one lock, so that two threads never import them at once.

A Streamlit server runs every visitor's script in a thread of one process. Python's import system is
not safe for two threads that enter one package's circular imports from different modules at once:
one of them gets the half-made module. On a fresh server the background warm-up
(components/warmup.py) imports the heavy libraries while visitors' pages import them too, and the
stress test (tests/test_browser_stress.py) saw both:
- "cannot import name 'GPT2Config' from 'transformers'" (transformers loads its classes lazily, with
  its own import machinery), in 2 of 5 starts, fixed by `transformers_classes`;
- "cannot import name 'clone' from partially initialized module 'sklearn.base'" in 1 of 10 rounds,
  fixed by `heavy`: the router calls it before a concept page runs, the warm-up calls it too.
"""

from __future__ import annotations

import gc
import importlib
import threading
from typing import Any

_LOCK = threading.RLock()
_FROZEN: set[str] = set()
# what the concept pages import between them; the home page needs none of it (the Digits world's
# pictures come through `module`)
HEAVY_MODULES = (
    "torch",
    "sklearn.linear_model",
    "sklearn.neighbors",
    "sklearn.decomposition",
    "sklearn.manifold",
    "sklearn.feature_extraction.text",
    "sklearn.datasets",
)


def heavy() -> None:
    """Import every heavy module whole, one thread at a time; afterwards each is a dictionary lookup."""
    with _LOCK:
        for name in HEAVY_MODULES:
            importlib.import_module(name)
        _freeze_once("heavy")


def module(name: str) -> Any:
    """One module, imported under the same lock (for a page that may run before `heavy` has)."""
    with _LOCK:
        return importlib.import_module(name)


def transformers_classes(*names: str) -> tuple[Any, ...]:
    """The named classes of `transformers` (imported on first use), one thread at a time."""
    with _LOCK:
        import transformers

        classes = tuple(getattr(transformers, name) for name in names)
        _freeze_once("transformers")
        return classes


def _freeze_once(what: str) -> None:
    """Leave the libraries just imported out of every later garbage collection (`gc.freeze`).

    Streamlit collects garbage fully after every script run, holding the interpreter's lock; with
    torch, scikit-learn, transformers and plotly loaded that walked ~350,000 objects, 240-470 ms per
    run on a 2-core machine: most of a rerun's server time, paid once per visitor's click (measured
    with bench/load.py and py-spy). Module objects live as long as the process, so freezing them
    frees nothing that would ever be collected.
    """
    if what not in _FROZEN:
        _FROZEN.add(what)
        gc.freeze()
