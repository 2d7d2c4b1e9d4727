"""The list of pages, for app.py's st.navigation, and the rescue of a deep link on a fresh server.

Streamlit treats an app with a `pages/` folder in the old (v1) multipage way until some session has
run `st.navigation`. So the very first request of a fresh server to e.g. `/fusion` runs that page
file alone, without app.py: no page config, and a navigation built from file names. `page_start`
calls `rescue_deep_link()`, which registers our navigation and reruns through app.py.
"""

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components.i18n import t

# In the order of the course: what multimodal means, one modality at a time, then the five challenges.
PAGES = ("home", "unimodal", "spectrograms", "neural_networks", "representation", "captioning",
         "alignment", "fusion", "colearning")
ICONS = {"home": "🏠", "unimodal": "🧩", "spectrograms": "🎼", "neural_networks": "🧠", "representation": "🗺️",
         "captioning": "📝", "alignment": "🔗", "fusion": "🔀", "colearning": "🤝"}
PAGE_DIR = Path(__file__).resolve().parent.parent / "pages"


def pages() -> list[st.Page]:
    return [st.Page(PAGE_DIR / f"{name}.py", title=t(f"common.nav.{name}"), icon=ICONS[name], url_path=name,
                    default=name == "home")
            for name in PAGES if (PAGE_DIR / f"{name}.py").exists()]


def rescue_deep_link() -> None:
    if PagesManager.uses_pages_directory:
        st.navigation(pages())
        st.rerun()
