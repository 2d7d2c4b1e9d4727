"""The fusion page's cached loaders: its trained labs, test banks and robustness curves.
See components/cache/__init__.py for the rules.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import shared


@st.cache_resource(max_entries=12, show_spinner=False)
def levels(world_name: str, seed: int, modality: str) -> np.ndarray:
    """One modality's test features at every noise level of the fusion lab, computed once per world."""
    from models.fusion import lab as fusion_lab

    features = fusion_lab.level_features(shared.world(world_name, seed), modality)
    shared.freeze(features)
    return features


def bank(world_name: str, seed: int, modalities: tuple[str, ...]):
    """The fusion lab's test bank for some modalities, assembled from the cached levels (cheap)."""
    from models.fusion import lab as fusion_lab
    from models.fusion import strategies as fusion

    w = shared.world(world_name, seed)
    return fusion_lab.Bank(
        world_name,
        {m: levels(world_name, seed, m) for m in modalities},
        fusion.split_key(w, "test"),
        w.indices("test"),
    )


@st.cache_resource(show_spinner=False)
def _labs() -> dict:
    """The fusion labs in memory, shared by every visitor; a plain store rather than a cached function,
    because training reports to a progress bar drawn by the page, which a cached function cannot replay."""
    import threading
    from collections import OrderedDict

    return {"lock": threading.Lock(), "labs": OrderedDict()}


def lab(world_name: str, seed: int, task: str, subset: str, progress=None):
    """Every fusion strategy of one task and modality subset (models/fusion/strategies.py): read from disk for the
    training seed, trained once (seconds, reported to `progress`) for another. Frozen, in inference mode."""
    from models.fusion import lab as fusion_lab

    store = _labs()
    key = (world_name, seed, task, subset)
    with store["lock"]:
        if key not in store["labs"]:
            lab = fusion_lab.load_lab(world_name, task, subset, seed, progress or (lambda fraction, message: None))
            for model in lab.models.values():
                model.requires_grad_(False)
            shared.freeze(*lab.mean.values(), *lab.std.values())
            store["labs"][key] = lab
            while len(store["labs"]) > 16:
                store["labs"].popitem(last=False)
        return store["labs"][key]


@st.cache_resource(max_entries=16, show_spinner=False)
def curves(world_name: str, seed: int, task: str, subset: str) -> dict:
    """Accuracy of every strategy at every noise level of each modality: the robustness curves, once."""
    from models.fusion import lab as fusion_lab

    return fusion_lab.curves(lab(world_name, seed, task, subset), bank(world_name, seed, tuple(subset.split("+"))))


@st.cache_resource(max_entries=11, show_spinner=False)
def captions(world_name: str, seed: int, level: float) -> list[str]:
    """The test captions as the fusion lab corrupted them at `level`, to show them."""
    from models.fusion import lab as fusion_lab
    from models.fusion import strategies as fusion

    w = shared.world(world_name, seed)
    return fusion_lab.corrupted("text", fusion.raw(w, "text", w.indices("test")), level)


@st.cache_data(max_entries=32, show_spinner=False)
def sound(world_name: str, seed: int, level: float, position: int) -> np.ndarray:
    """One test clip as the fusion lab corrupted it at `level`: the lab draws its noise for the whole
    test split at once, so the clip is cut from that draw, to be the very sound the models heard."""
    from models.fusion import lab as fusion_lab
    from models.fusion import strategies as fusion

    w = shared.world(world_name, seed)
    return fusion_lab.corrupted("sound", fusion.raw(w, "sound", w.indices("test")), level)[position]


@st.cache_resource(max_entries=4, show_spinner=False)
def dictionary(world_name: str, seed: int):
    """The fusion lab's text dictionary (the words of a world's training captions), fitted once."""
    from models.fusion import strategies as fusion

    return fusion.dictionary(shared.world(world_name, seed))


@st.cache_resource(max_entries=36, show_spinner=False)
def uses(world_name: str, seed: int, task: str, subset: str, baseline: str):
    """Shapley values and EMAP of every strategy of one lab on its clean test task (models/fusion/uses.py):
    a few hundred milliseconds, once per lab and way of removing a modality."""
    from models.fusion import uses as fusion_uses

    return fusion_uses.measure(
        lab(world_name, seed, task, subset), bank(world_name, seed, tuple(subset.split("+"))), baseline
    )
