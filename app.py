"""The router: page config, the shared sidebar, and st.navigation over the pages that exist."""

import pandas  # noqa: F401  (see below)
import streamlit as st

from components import deck, locks, passport, pretrained, room, router, settings, state, warmup
from models.core import imports

# pandas is imported first, whole, by every session's router: Plotly looks it up in sys.modules
# without importing it, so a pandas half-imported by one session's thread broke another's charts
# when many visitors arrived at once.
warmup.single_threaded()
st.set_page_config(page_title="Multimodal Playground", page_icon="🎛️", layout="wide")
state.apply_pending()  # a guided step asked for on arrival (see ui.steps)
deck.take_link()  # a link with a lecture deck loads it, in its language
state.begin_run()
settings.declare()  # the language is needed now, for the navigation titles
joining = room.joining()  # a student's phone by a room's link sees only the room's question
page = st.navigation(router.pages(), position="hidden" if joining else "sidebar")
if joining:
    room.student()
else:
    deck.arrive()  # the deck's Previous / Next: its view's page, opened with the view's parameters
    locks.impose(router.name(page))  # a classroom link's locked controls keep the link's values
    settings.sidebar()  # drawn here, so the settings live across pages (see components/settings.py)
    deck.sidebar(router.name(page))
    passport.card()  # the pinned sample, on every page
    pretrained.offline_notice()  # Pretrained mode without a network says so first
    if page.url_path not in ("", "home"):
        imports.heavy()  # not while another thread imports them: see models/core/imports.py
    page.run()
