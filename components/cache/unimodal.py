"""The unimodal page's cached loaders. See components/cache/__init__.py for the rules."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import shared
from models.core import worlds


@st.cache_resource(max_entries=12, show_spinner=False)
def dataset(world_name: str, seed: int, modality: str, task: str):
    """One modality of one task as vectors, split three ways (task: a world attribute, or
    "sentiment": the shipped sentences, split by `seed`)."""
    from models.unimodal import classic as unimodal_classic
    from models.unimodal import text as unimodal_text

    if task == unimodal_text.SENTIMENT:
        data = unimodal_text.sentiment_dataset(seed)
    else:
        data = unimodal_classic.dataset(shared.world(world_name, seed), modality, task)
    shared.freeze(data.x, data.y, data.split)
    return data


@st.cache_resource(max_entries=16, show_spinner=False)
def neighbours(world_name: str, seed: int, modality: str, task: str, metric: str, splits: tuple[str, ...]):
    """The nearest training samples of every sample of `splits` (test, or validation and test), for one distance."""
    from models.unimodal import classic as unimodal_classic

    found = unimodal_classic.held_out_neighbours(dataset(world_name, seed, modality, task), metric, splits)
    shared.freeze(found.index, found.distance, found.query)
    return found


@st.cache_resource(max_entries=32, show_spinner=False)
def logistic(world_name: str, seed: int, modality: str, task: str, C: float):
    """Logistic regression (maximum entropy) fitted on the training split; shared, so never refit it."""
    from models.unimodal import classic as unimodal_classic

    return unimodal_classic.fit_logistic(*dataset(world_name, seed, modality, task).part("train"), C)


@st.cache_resource(max_entries=6, show_spinner=False)
def net(modality: str, world_name: str, kind: str):
    """A default network (weights from disk), frozen, in inference mode. Returns (model, metadata)."""
    from models.unimodal import nets as unimodal

    model, meta = unimodal.load(modality, world_name, kind=kind)
    model.requires_grad_(False)
    return model, meta


@st.cache_resource(max_entries=12, show_spinner=False)
def net_test(world_name: str, seed: int, modality: str, kind: str) -> np.ndarray:
    """A default network's class probabilities for every test sample of the world, (n_test, C)."""
    from models.core import classifiers
    from models.unimodal import nets as unimodal

    w = shared.world(world_name, seed)
    rows = w.indices("test")
    if modality == "image":
        raw = w.images[rows]
    else:
        raw = dataset(world_name, seed, "sound", worlds.MAIN_ATTRIBUTE[world_name]).x[rows]
    network = net(modality, world_name, kind)[0]
    proba = classifiers.predict_proba(network, unimodal.net_input(modality, kind, raw))
    shared.freeze(proba)
    return proba


@st.cache_resource(max_entries=6, show_spinner=False)
def cost(world_name: str, seed: int, modality: str, run: int):
    """Measured training and prediction times of nearest neighbour and logistic regression as the
    training set grows; `run` makes a new measurement when the visitor asks for one."""
    from models.core import nearest

    data = dataset(world_name, seed, modality, worlds.MAIN_ATTRIBUTE[world_name])
    x_train, y_train = data.part("train")
    return nearest.measure_cost(x_train, y_train, data.part("test")[0], nearest.cost_sizes(len(x_train)))
