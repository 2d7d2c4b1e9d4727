"""The spectrograms page's cached loaders. See components/cache/__init__.py for the rules."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import shared


@st.cache_resource(max_entries=2, show_spinner=False)
def sound_model(world_name: str):
    """A world's default sound classifier (models/unimodal/nets.py: an MLP on the unrolled log-mel),
    loaded once and shared: frozen, in inference mode. Returns (model, metadata)."""
    from models.unimodal import nets as unimodal

    model, meta = unimodal.load("sound", world_name)
    model.requires_grad_(False)
    return model, meta


@st.cache_resource(max_entries=16, show_spinner=False)
def speech_clip(clip_id: str) -> np.ndarray:
    """One of the committed speech clips (assets/speech/, 16 kHz mono), read once."""
    from models.spectrograms import analysis as spectrograms

    samples = spectrograms.load_speech(clip_id)
    shared.freeze(samples)
    return samples
