"""The one place where shared, cached objects are made: worlds, features and models.

Everything here is shared by every visitor of the server, so every array is made read-only before
it is handed out: a page that wants to change something must copy it first (training trains a copy).
Each cached function wraps a plain loader in models/, which is where the real work is tested.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from models import worlds

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
    from models import audio

    w = world(name, seed)
    features = audio.log_mel(w.audio, w.sample_rate)
    freeze(features)
    return features
