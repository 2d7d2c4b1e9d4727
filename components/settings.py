"""The sidebar settings every page shares: language, presenter mode, world, seed, and the share box.

They live in session state under short keys (also their URL parameters), so any page reads them
with `current()` and never draws its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import streamlit as st

from components import i18n, pretrained, state
from components.i18n import t
from models.worlds import WORLD_NAMES

MAX_SEED = 9999


@dataclass(frozen=True)
class Settings:
    language: str
    presenting: bool
    world: str
    seed: int


def declare() -> None:
    """Bind the shared settings to the URL; called by the router before any page runs."""
    state.bind(i18n.LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE, options=tuple(i18n.LANGUAGES))
    state.bind("present", False)
    state.bind("world", WORLD_NAMES[0], options=WORLD_NAMES)
    state.bind("seed", 0, options=range(MAX_SEED + 1))
    pretrained.declare()


def current() -> Settings:
    s = st.session_state
    return Settings(language=i18n.current_language(), presenting=bool(s.get("present", False)),
                    world=s.get("world", WORLD_NAMES[0]), seed=int(s.get("seed", 0)))


def sidebar() -> None:
    with st.sidebar:
        st.selectbox("Language · 语言 · 語言", list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                     key=i18n.LANGUAGE_KEY)
        st.toggle(t("common.presenter_mode"), key="present", help=t("common.presenter_help"))
        st.selectbox(t("common.world"), WORLD_NAMES, format_func=i18n.formatter("common.world_"), key="world")
        st.number_input(t("common.seed"), min_value=0, max_value=MAX_SEED, step=1, key="seed",
                        help=t("common.seed_help"))
        pretrained.setting()


def share_box() -> None:
    """The link to exactly this view, as text and as a QR code an audience can scan."""
    import segno

    with st.sidebar.popover(t("common.share"), width="stretch"):
        url = state.share_url()
        st.caption(t("common.share_help"))
        st.code(url, language=None, wrap_lines=True)
        try:
            code = segno.make(url, error="m")
        except segno.DataOverflowError:  # a long typed text in the view: the link alone has to do
            return
        png = BytesIO()
        code.save(png, kind="png", scale=6, border=2)
        st.image(png.getvalue(), caption=t("common.share_qr"), width=220)
