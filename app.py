"""The router: page config, the shared sidebar, and st.navigation over the pages that exist."""

from pathlib import Path

import streamlit as st

from components import settings
from components.i18n import t

# In the order of the course: what multimodal means, one modality at a time, then the five challenges.
PAGES = ("home", "unimodal", "spectrograms", "neural_networks", "representation", "captioning",
         "alignment", "fusion", "colearning")
ICONS = {"home": "🏠", "unimodal": "🧩", "spectrograms": "🎼", "neural_networks": "🧠", "representation": "🗺️",
         "captioning": "📝", "alignment": "🔗", "fusion": "🔀", "colearning": "🤝"}
PAGE_DIR = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Multimodal Playground", page_icon="🎛️", layout="wide")
settings.declare()  # the language is needed now, for the navigation titles
page = st.navigation([
    st.Page(f"pages/{name}.py", title=t(f"common.nav.{name}"), icon=ICONS[name], url_path=name, default=name == "home")
    for name in PAGES if (PAGE_DIR / f"{name}.py").exists()
])
page.run()  # each page draws the shared sidebar itself: see ui.page_start
