"""The neural-networks page's cached loaders. See components/cache/__init__.py for the rules."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import shared
from models.core import worlds


@st.cache_resource(max_entries=4, show_spinner=False)
def data(world_name: str, seed: int) -> dict:
    """A world's unrolled pixels and main labels per split, as torch tensors (models/neural_networks/basics.py).
    Shared: training runs only read them."""
    from models.neural_networks import basics as nn_basics

    return nn_basics.pixel_splits(shared.world(world_name, seed))


@st.cache_resource(max_entries=8, show_spinner=False)
def model(world_name: str, seed: int, kind: str):
    """A default pixel network ("linear" or "mlp") of models/neural_networks/basics.py with its metadata: read from
    disk for the training seed, trained once for any other seed. Frozen, in inference mode."""
    from models.neural_networks import basics as nn_basics

    model, meta = nn_basics.load(kind, shared.world(world_name, seed))
    model.requires_grad_(False)
    return model, meta


@st.cache_resource(max_entries=4, show_spinner=False)
def class_means(world_name: str, seed: int) -> np.ndarray:
    """Each main class's average training picture minus the overall average, (K, H, W): what the page
    compares the templates with."""
    from models.neural_networks import basics as nn_basics

    w = shared.world(world_name, seed)
    x, y = data(world_name, seed)["train"]
    maps = nn_basics.class_mean_maps(x, y, len(worlds.MAIN_CLASSES[world_name]), w.images.shape[1:])
    shared.freeze(maps)
    return maps


@st.cache_resource(max_entries=4, show_spinner=False)
def plane(world_name: str, seed: int) -> np.ndarray:
    """Every sample's first two principal components of the pixels, (N, 2), fitted on the training split."""
    from models.core import features
    from models.neural_networks import basics as nn_basics

    w = shared.world(world_name, seed)
    pixels = features.image_vectors(w.images)
    plane = nn_basics.principal_plane(pixels[w.indices("train")], pixels)
    shared.freeze(plane)
    return plane


@st.cache_resource(max_entries=64, show_spinner=False)
def plane_model(world_name: str, seed: int, attribute: str, hidden: tuple[int, ...], activation: str) -> dict:
    """A network trained on the 2-D view to predict `attribute`, with its test accuracy and the class it
    predicts on a grid (the decision regions). Small and quick, so every architecture tried is kept."""
    from models.neural_networks import basics as nn_basics

    w, points = shared.world(world_name, seed), plane(world_name, seed)
    labels = w.labels(attribute)
    train, test = w.indices("train"), w.indices("test")
    model = nn_basics.fit_plane(points[train], labels[train], len(w.classes[attribute]), hidden, activation, seed)
    low, high = points.min(0) - 0.3, points.max(0) + 0.3
    xs, ys, regions = nn_basics.decision_regions(model, tuple(low), tuple(high))
    shared.freeze(xs, ys, regions)
    return {
        "accuracy": nn_basics.plane_accuracy(model, points[test], labels[test]),
        "xs": xs,
        "ys": ys,
        "regions": regions,
        "parameters": nn_basics.parameter_count(model),
    }
