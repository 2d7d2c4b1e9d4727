"""transformers' classes, looked up through one lock, so that two threads never import them at once.

transformers loads its classes lazily: `from transformers import GPT2Config` runs the package's own
import machinery. On a fresh server the background warm-up (components/warmup.py) imports
transformers while the first visitor's page looks up a class, and one lookup in 2 of 5 such starts
failed with "ImportError: cannot import name 'GPT2Config' from 'transformers'". Every lookup, the
warm-up's included, goes through `transformers_classes`: the lock makes them take turns.
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()


def transformers_classes(*names: str) -> tuple[Any, ...]:
    """The named classes of `transformers` (imported on first use), one thread at a time."""
    with _LOCK:
        import transformers

        return tuple(getattr(transformers, name) for name in names)
