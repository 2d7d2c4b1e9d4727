"""The alignment page's cached loaders. See components/cache/__init__.py for the rules."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import captioning as captioning_cache
from components.cache import representation as representation_cache
from components.cache import shared


@st.cache_resource(max_entries=64, show_spinner=False)
def explicit(words: tuple[str, ...], settings, seed: int):
    """One DTW forced alignment (models/alignment/explicit.py) of spoken words to their transcript."""
    from models.alignment import explicit as al

    found = al.align(list(words), settings, seed)
    shared.freeze(found.cost, found.recording.audio, found.reader.audio)
    return found


@st.cache_resource(show_spinner=False)
def _measurements() -> dict:
    """Boundary errors on the test split, per seed and settings, measured when a visitor asks: shared."""
    import threading
    from collections import OrderedDict

    return {"lock": threading.Lock(), "found": OrderedDict()}


def measurement(seed: int, settings, noises: tuple[float, ...], count: int, progress=None) -> dict | None:
    """Mean boundary error of every feature at every noise level over `count` test captions (see
    al.evaluate): measured now if `progress` is given (seconds, reported to it), else only looked up."""
    from models.alignment import explicit as al

    store = _measurements()
    key = (seed, settings, noises, count)
    with store["lock"]:
        if key not in store["found"] and progress is not None:
            captions = al.held_out_captions(shared.world("shapes", seed), count)
            store["found"][key] = al.evaluate(captions, settings, noises, progress)
            while len(store["found"]) > 32:
                store["found"].popitem(last=False)
        return store["found"].get(key)


@st.cache_resource(max_entries=64, show_spinner=False)
def attention(image: np.ndarray):
    """The generative captioner's caption of one picture and its cross-attention (captioning.AttentionCaption)."""
    from models.captioning import captioners as captioning

    found = captioning.caption_with_attention(captioning_cache.captioners()[0], image)
    shared.freeze(found.probabilities, found.cross_attention)
    return found


@st.cache_resource(max_entries=4, show_spinner=False)
def attention_by_slot(seed: int) -> dict:
    """Where the captioner looks for each word of the true caption, over the whole captioning test split."""
    from models.alignment import implicit
    from models.captioning import scenes as captioning_scenes

    w = shared.world("shapes", seed)
    found = implicit.attention_by_slot(captioning_cache.captioners()[0], w, captioning_scenes.split_indices(w, "test"))
    shared.freeze(*found.values())
    return found


@st.cache_resource(max_entries=64, show_spinner=False)
def word_regions(image: np.ndarray, word: str) -> tuple[float, np.ndarray]:
    """The coordinated model's word-picture cosine and its drop per hidden patch (occlusion sensitivity)."""
    from models import representation
    from models.alignment import implicit

    similarity, drop = implicit.word_region_similarity(
        representation_cache.model("shapes", representation.DEFAULT_STRENGTH), image, word
    )
    shared.freeze(drop)
    return similarity, drop
