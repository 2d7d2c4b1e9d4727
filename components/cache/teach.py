"""The teach page's cached loaders. See components/cache/__init__.py for the rules."""

from __future__ import annotations

import streamlit as st


@st.cache_resource(show_spinner=False)
def demo(n_classes: int):
    """The generated stand-in examples (models/teach.py) and the models trained on them, once per
    process: every visitor's page opens with them, and nobody's training changes them (a visitor's
    own training makes new models). Returns (examples, taught)."""
    from models import teach

    examples = teach.generated(n_classes)
    return examples, teach.train(examples, n_classes)
