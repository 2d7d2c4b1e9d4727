"""The list of pages, for app.py's st.navigation.

The page files live in `lessons/`, not `pages/`: a `pages/` folder next to the entrypoint switches on
Streamlit's older multipage mode, in which a fresh server's first request to a deep link ran the
page file alone, without the router.
"""

from pathlib import Path

import streamlit as st

from components.i18n import t

# In the order of the course: what multimodal means, one modality at a time, then the five challenges.
PAGES = (
    "home",
    "unimodal",
    "spectrograms",
    "neural_networks",
    "representation",
    "captioning",
    "alignment",
    "fusion",
    "colearning",
    "teach",
    "passport",
)
ICONS = {
    "home": "🏠",
    "unimodal": "🧩",
    "spectrograms": "🎼",
    "neural_networks": "🧠",
    "representation": "🗺️",
    "captioning": "📝",
    "alignment": "🔗",
    "fusion": "🔀",
    "colearning": "🤝",
    "teach": "🎥",
    "passport": "🪪",
}
PAGE_DIR = Path(__file__).resolve().parent.parent / "lessons"


def pages() -> list[st.Page]:
    return [
        st.Page(
            PAGE_DIR / f"{name}.py",
            title=t(f"common.nav.{name}"),
            icon=ICONS[name],
            url_path=name,
            default=name == "home",
        )
        for name in PAGES
        if (PAGE_DIR / f"{name}.py").exists()
    ]


def name(page: st.Page) -> str:
    """The name of the page `st.navigation` chose (the home page's address is the bare root)."""
    return page.url_path or PAGES[0]
