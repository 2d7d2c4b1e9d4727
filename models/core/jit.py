"""Compile librosa's numba functions once, in a process of its own, so no visitor waits for it.

librosa compiles parts of itself just in time the first time they run (about 15-20 s of CPU on a
fresh machine, see DESIGN.md) and keeps the result in numba's on-disk cache. The app starts this
module as a low-priority subprocess a moment after its first page is drawn (components/warmup.py);
later calls in the server process then load the compiled code from disk in about a second. Run
`python -m models.core.jit` to do it by hand.
"""

import os
import tempfile
import time
from pathlib import Path

import numpy as np


def marker() -> Path:
    """A file that says numba's cache (this one: NUMBA_CACHE_DIR or librosa's own, in this Python
    environment) is already warm. Keyed by the environment too: a new virtual environment on a machine
    that ran the app before has a cold cache."""
    import hashlib
    import sys
    from importlib.metadata import version

    place = f"{sys.prefix}|{os.environ.get('NUMBA_CACHE_DIR', 'librosa')}"
    key = hashlib.sha1(place.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"playground-warm-librosa-{version('librosa')}-{key}"


def warm() -> float:
    """Run each librosa path the app uses once; returns the seconds it took."""
    import librosa

    start = time.perf_counter()
    y = np.random.default_rng(0).standard_normal(8000).astype(np.float32)
    librosa.stft(y, n_fft=256)
    librosa.feature.melspectrogram(y=y, sr=8000, n_fft=256, hop_length=128)
    librosa.feature.mfcc(y=y, sr=8000, n_fft=256, hop_length=128, n_mels=40)
    librosa.feature.chroma_stft(y=y, sr=8000, n_fft=256, hop_length=128)
    librosa.sequence.dtw(np.random.default_rng(1).random((5, 40)), np.random.default_rng(2).random((5, 50)))
    librosa.sequence.dtw(
        C=np.random.default_rng(3).random((40, 50)),
        step_sizes_sigma=np.array([[1, 1], [1, 2], [2, 1]]),
        global_constraints=True,
        band_rad=0.25,
    )  # alignment page: custom step patterns compile apart
    return time.perf_counter() - start


if __name__ == "__main__":
    if hasattr(os, "nice"):
        os.nice(10)
    print(f"librosa warm-up took {warm():.1f} s")
    marker().touch()
