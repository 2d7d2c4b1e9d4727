"""Cached objects every page uses: the worlds, their log-mel features, the bundled photos, and
built figures.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from models.core import worlds


def freeze(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


@st.cache_resource(max_entries=4, show_spinner=False)
def world(name: str, seed: int) -> worlds.World:
    """A world shared by all visitors who chose the same name and seed."""
    made = worlds.make_world(name, seed)
    freeze(made.images, made.audio, made.split, *made.attributes.values())
    return made


@st.cache_resource(max_entries=8, show_spinner=False)
def log_mel(name: str, seed: int) -> np.ndarray:
    """Every sample's log-mel spectrogram, (N, mels, frames), computed once per world."""
    from models.core import audio

    w = world(name, seed)
    features = audio.log_mel(w.audio, w.sample_rate)
    freeze(features)
    return features


@st.cache_resource(max_entries=2, show_spinner=False)
def photo(name: str) -> np.ndarray:
    """A real photograph that ships inside scikit-learn ("china" or "flower"), (H, W, 3) uint8."""
    from sklearn.datasets import load_sample_image

    photo = load_sample_image(f"{name}.jpg")
    freeze(photo)
    return photo


@st.cache_data(max_entries=256, show_spinner=False)
def _figure_spec(_builder: Callable, name: str, args: tuple, kwargs: dict) -> dict:
    """Keyed by the builder's `name` and its inputs (the underscored builder itself is not hashed)."""
    return _builder(*args, **kwargs).to_dict()


def figure(builder: Callable, *args, **kwargs):
    """builder(*args, **kwargs), a figure builder of components/figures.py, built and validated once per
    distinct input, then rebuilt from the cached spec without validation: ~1 ms instead of the 10-50 ms
    that Plotly spends checking a figure built from scratch, most of a rerun's cost on a page with
    several charts."""
    import plotly.graph_objects as go

    spec = _figure_spec(builder, f"{builder.__module__}.{builder.__qualname__}", args, kwargs)
    return go.Figure(spec["data"], spec["layout"], _validate=False)
