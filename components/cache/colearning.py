"""The co-learning page's cached loaders. See components/cache/__init__.py for the rules."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import representation as representation_cache
from components.cache import shared
from components.cache import unimodal as unimodal_cache


@st.cache_resource(max_entries=10, show_spinner=False)
def sounds(world_name: str, seed: int, noise: float):
    """The training and test sounds with white noise at `noise`, as the co-learning student hears them."""
    from models import colearning

    data = colearning.sounds(shared.world(world_name, seed), noise)
    shared.freeze(data.train, data.test, data.train_labels, data.test_labels, data.test_features, data.mean, data.std)
    return data


@st.cache_resource(max_entries=16, show_spinner=False)
def teacher(world_name: str, seed: int, level: int) -> np.ndarray:
    """The picture model's class probabilities for every training pair, (n_train, C), its pictures seen
    through the pixel noise of teacher `level` (0: clean)."""
    from models import colearning
    from models.unimodal import nets as unimodal

    w = shared.world(world_name, seed)
    teacher = unimodal_cache.net("image", world_name, unimodal.default_kind("image"))[0]
    probabilities = colearning.teacher_probabilities(
        teacher, w.images[w.indices("train")], colearning.TEACHER_NOISE[world_name][level], seed
    )
    shared.freeze(probabilities)
    return probabilities


@st.cache_data(max_entries=64, show_spinner=False)
def curves(world_name: str, seed: int, noise: float, level: int):
    """Every student of one setting (sound noise, teacher level): both curves, for every label budget and
    label-noise rate, so moving those two sliders only reads this (colearning.Curves)."""
    from models import colearning

    return colearning.curves(sounds(world_name, seed, noise), teacher(world_name, seed, level), seed)


@st.cache_resource(max_entries=10, show_spinner=False)
def zero_shot(world_name: str, seed: int, noise: float) -> np.ndarray:
    """The class that zero-shot (no sound labels at all) gives each test sound, (n_test,)."""
    from models import colearning

    model = representation_cache.model(world_name, colearning.ZERO_SHOT_STRENGTH)
    predicted = colearning.zero_shot(model, world_name, sounds(world_name, seed, noise).test_features)
    shared.freeze(predicted)
    return predicted


@st.cache_data(max_entries=32, show_spinner=False)
def cell(world_name: str, seed: int, level: int, true: int, called: int, count: int = 8) -> tuple:
    """The training pairs of one cell of the pseudo-label matrix: class `true` pictures that the teacher of
    `level` called `called`. Up to `count` of them as the teacher saw them (the very noise draw behind the
    pseudo-labels), its confidence in the label it gave each, and how many pairs the cell holds."""
    from models import colearning
    from models.core import worlds

    w = shared.world(world_name, seed)
    train = w.indices("train")
    probabilities = teacher(world_name, seed, level)
    labels = w.labels(worlds.MAIN_ATTRIBUTE[world_name])[train]
    members = np.flatnonzero((labels == true) & (probabilities.argmax(1) == called))
    shown = members[:count]
    seen = colearning.teacher_view(w.images[train], colearning.TEACHER_NOISE[world_name][level], seed)[shown]
    return seen, probabilities[shown, called], len(members)
