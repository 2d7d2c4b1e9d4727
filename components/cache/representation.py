"""The representation page's cached loaders: the joint and coordinated encoders and their
vectors. See components/cache/__init__.py for the rules.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import shared


@st.cache_resource(max_entries=12, show_spinner=False)
def model(world_name: str, strength: float | None):
    """The joint model (strength None) or the coordinated one trained at `strength`, from models/weights."""
    from models import representation

    return representation.load(world_name, strength)


@st.cache_resource(max_entries=4, show_spinner=False)
def inputs(world_name: str, seed: int, split: str) -> dict:
    """The "test" split, or the "train" samples the models learned from, as the representation models
    read them (image, bag of words, pooled spectrogram). Torch tensors cannot be made read-only: do not change them."""
    from models import representation

    w = shared.world(world_name, seed)
    rows = representation.training_indices(w) if split == "train" else w.indices("test")
    return representation.world_inputs(w, model(world_name, None).dictionary, rows)


@st.cache_resource(max_entries=16, show_spinner=False)
def vectors(world_name: str, seed: int, strength: float | None) -> dict[str, np.ndarray]:
    """The test split embedded: modality -> (n_test, D) for a coordinated model, "joint" -> (n_test, D)."""
    from models import representation

    encoder, rows = model(world_name, strength), inputs(world_name, seed, "test")
    if encoder.joint:
        embedded = {"joint": representation.joint_embeddings(encoder, rows, {})[representation.MODALITIES]}
    else:
        embedded = representation.modality_embeddings(encoder, rows)
    shared.freeze(*embedded.values())
    return embedded


@st.cache_resource(max_entries=16, show_spinner=False)
def report(world_name: str, seed: int, strength: float) -> dict:
    """A coordinated model's test numbers: alignment, zero-shot, and recall for each retrieval direction."""
    from models import representation

    w, embedded = shared.world(world_name, seed), vectors(world_name, seed, strength)
    return {
        "summary": representation.headline(model(world_name, strength), w, embedded),
        "retrieval": {pair: representation.retrieval(w, embedded, *pair) for pair in representation.RETRIEVALS},
    }


@st.cache_resource(max_entries=12, show_spinner=False)
def scenario_vectors(world_name: str, seed: int, strength: float | None) -> tuple:
    """A model's training vectors and its test vectors with each set of modalities present: the costly
    half of the missing-modality answers (a CNN over every training picture), shared by every attribute."""
    from models import representation

    train, test = representation.scenario_vectors(
        model(world_name, strength), inputs(world_name, seed, "train"), inputs(world_name, seed, "test")
    )
    shared.freeze(train, *test.values())
    return train, test


@st.cache_resource(max_entries=32, show_spinner=False)
def answers(world_name: str, seed: int, strength: float | None, attribute: str) -> dict:
    """Every test sample's class probabilities for `attribute` with each set of modalities present
    (see representation.SCENARIOS): scenario -> (n_test, n_classes)."""
    from models import representation

    found = representation.scenario_answers(
        shared.world(world_name, seed), scenario_vectors(world_name, seed, strength), attribute
    )
    shared.freeze(*found.values())
    return found


@st.cache_resource(max_entries=32, show_spinner=False)
def missing(world_name: str, seed: int, strength: float | None, attribute: str) -> dict:
    """Test accuracy for `attribute` with each set of modalities present (see representation.SCENARIOS)."""
    from models import representation

    w = shared.world(world_name, seed)
    truth = w.labels(attribute)[w.indices("test")]
    return {p: representation.accuracy(a, truth) for p, a in answers(world_name, seed, strength, attribute).items()}


@st.cache_resource(max_entries=4, show_spinner=False)
def average_picture(world_name: str, seed: int) -> np.ndarray:
    """The average training picture: what the joint model reads when the picture is missing (its mean
    imputation, representation.imputation, shown as a picture)."""
    from models import representation

    w = shared.world(world_name, seed)
    picture = w.images[representation.training_indices(w)].mean(axis=0).round().astype(np.uint8)
    shared.freeze(picture)
    return picture


@st.cache_resource(max_entries=16, show_spinner=False)
def fused(world_name: str, seed: int, strength: float | None) -> np.ndarray:
    """One vector per test sample, (n_test, D): the joint vector, or a coordinated model's three fused."""
    from models import representation

    embedded = vectors(world_name, seed, strength)
    out = embedded["joint"] if "joint" in embedded else representation.fuse(embedded)
    shared.freeze(out)
    return out


@st.cache_resource(max_entries=4, show_spinner=False)
def thumbnails(world_name: str, seed: int) -> list[str]:
    """The pictures of the test samples the maps draw (representation.projection_positions), as PNG data
    URIs for Plotly's layout images: encoded once, not on every rerun."""
    import base64
    import io

    from PIL import Image

    from models import representation

    w = shared.world(world_name, seed)
    test = w.indices("test")
    out = []
    for row in test[representation.projection_positions(len(test))]:
        buffer = io.BytesIO()
        Image.fromarray(w.images[row]).save(buffer, format="PNG")
        out.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
    return out


@st.cache_resource(max_entries=48, show_spinner=False)
def projection(world_name: str, seed: int, strength: float | None, method: str, dims: int) -> np.ndarray:
    """2-D or 3-D coordinates of the drawn test samples: one block of rows per modality (image, text,
    sound) for a coordinated model, one for the joint model. Computed once per setting: t-SNE is slow."""
    from models import representation

    embedded = vectors(world_name, seed, strength)
    drawn = representation.projection_positions(len(shared.world(world_name, seed).indices("test")))
    coordinates = representation.project(np.concatenate([v[drawn] for v in embedded.values()]), method, dims, seed)
    shared.freeze(coordinates)
    return coordinates
