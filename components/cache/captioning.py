"""The captioning page's cached loaders: the two captioners and what they measured.
See components/cache/__init__.py for the rules.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.cache import shared


@st.cache_resource(show_spinner=False)
def captioners():
    """The generative captioner (models/captioning/captioners.py, weights from disk) and the example dictionary
    built from the same training pictures; shared, frozen. Returns (generator, dictionary)."""
    from models.captioning import captioners as captioning

    generator = captioning.load_generator()
    generator.model.requires_grad_(False)
    dictionary = captioning.dictionary_from(shared.world("shapes", captioning.TRAIN_SEED))
    shared.freeze(dictionary.mean, dictionary.basis, dictionary.embeddings)
    return generator, dictionary


@st.cache_data(max_entries=256, show_spinner=False)
def captions(image: np.ndarray, method: str, beams: int, temperature: float, k: int, seed: int) -> dict:
    """Every captioner's caption of one (H, W, 3) picture: captioner -> captioning.Caption."""
    from models.captioning import captioners as captioning

    return {
        name: found[0]
        for name, found in captioning.caption_all(
            *captioners(), image[None], method, beams, temperature, k, seed
        ).items()
    }


@st.cache_resource(max_entries=4, show_spinner=False)
def stress(seed: int) -> tuple[dict, dict]:
    """The stress sets of the Shapes world with this seed, and every captioner's captions and scores on
    them (greedy decoding, k = DEFAULT_K). Returns (name -> StressSet, name -> captioner -> Result)."""
    from models.captioning import captioners as captioning
    from models.captioning import scenes as captioning_scenes

    w = shared.world("shapes", seed)
    sets = {name: captioning_scenes.stress_set(name, w, seed) for name in captioning_scenes.STRESS_SETS}
    for stress in sets.values():
        shared.freeze(stress.images)
    return sets, captioning.evaluate(*captioners(), list(sets.values()))


@st.cache_resource(show_spinner=False)
def cost() -> dict:
    """Memory and time per caption of retrieval as its dictionary grows, and of the generative model:
    measured once per server, on its own hardware."""
    from models.captioning import captioners as captioning

    generator, dictionary = captioners()
    return captioning.cost(generator, dictionary, shared.world("shapes", captioning.TRAIN_SEED).images[0])
