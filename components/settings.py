"""The sidebar settings every page shares: language, presenter mode, world, seed, model source, and
the share box.

The router (app.py) draws their widgets, not the pages: a widget drawn by a page script is a new
widget on the next page, and Streamlit drops its value when the visitor moves on, so a language
chosen on one page came back as English on the next. Widgets of the entrypoint live across pages.
Pages read them with `current()` and never draw their own copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import streamlit as st

from components import i18n, room, router, state
from components.i18n import t
from models.core.worlds import WORLD_NAMES

MAX_SEED = 9999
SOURCES = ("builtin", "pretrained")  # where the models come from: trained here, or the Hugging Face Hub
LANGUAGE = state.Control(i18n.LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE, options=tuple(i18n.LANGUAGES))
PRESENT = state.Control("present", False)
WORLD = state.Control("world", WORLD_NAMES[0], options=WORLD_NAMES)
SEED = state.Control("seed", 0, low=0, high=MAX_SEED, step=1)
SOURCE = state.Control("model_source", SOURCES[0], options=SOURCES)
PIN = state.Control("pin", "")  # the pinned sample, "<world>-<row>" (components/passport.py)
# A classroom link's locks (components/locks.py): the page whose view is locked, the controls left free, the hidden ones
LOCK = state.Control("lock", "", options=("", *router.PAGES))
FREE = state.Control("free", "")
HIDE = state.Control("hide", "")
CONTROLS = (LANGUAGE, PRESENT, WORLD, SEED, SOURCE, PIN, LOCK, FREE, HIDE)
# The settings that belong to a view, as a deck's view or a lock keeps it: not the visitor's language or presenter mode
VIEW = (WORLD, SEED, SOURCE, PIN, LOCK, FREE, HIDE)
SHARE_BOX = "share_box"  # the share popover's open state
# the browser's language tags that mean one of ours (st.context.locale: "zh-CN", "zh-TW"…)
LOCALE_LANGUAGES = {
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant": "zh-Hant",
}


@dataclass(frozen=True)
class Settings:
    language: str
    presenting: bool
    world: str
    seed: int


def browser_language(locale: str | None) -> str:
    """The app's language for a browser's locale: its Chinese where it asks for Chinese, else English."""
    tag = (locale or "").strip().lower().replace("_", "-")
    if tag in LOCALE_LANGUAGES:
        return LOCALE_LANGUAGES[tag]
    if tag.startswith("zh-hant") or tag.startswith("zh-hans"):
        return LOCALE_LANGUAGES[tag[:7]]
    return "zh-Hans" if tag == "zh" else i18n.DEFAULT_LANGUAGE


def declare() -> None:
    """Bind the shared settings to the URL; called by the router before any page runs. A first visit
    whose link names no language starts in the browser's own, where the app speaks it."""
    if LANGUAGE.key not in st.session_state and LANGUAGE.key not in st.query_params:
        st.session_state[LANGUAGE.key] = browser_language(st.context.locale)
    for control in CONTROLS:
        control.bind()


def current() -> Settings:
    s = st.session_state
    return Settings(
        language=i18n.current_language(),
        presenting=bool(s.get(PRESENT.key, False)),
        world=s.get(WORLD.key, WORLD.default),
        seed=int(s.get(SEED.key, SEED.default)),
    )


def pretrained_enabled() -> bool:
    return st.session_state.get(SOURCE.key) == "pretrained"


def sidebar() -> None:
    with st.sidebar:
        st.selectbox("Language · 语言 · 語言", LANGUAGE.options, format_func=i18n.LANGUAGES.get, key=LANGUAGE.key)
        st.toggle(t("common.presenter_mode"), key=PRESENT.key, help=t("common.presenter_help"))
        st.selectbox(t("common.world"), WORLD.options, format_func=i18n.formatter("common.world_"), key=WORLD.key)
        st.number_input(t("common.seed"), **SEED.limits(), help=t("common.seed_help"))
        st.radio(
            t("pretrained.source"),
            SOURCE.options,
            format_func=i18n.formatter("pretrained."),
            key=SOURCE.key,
            help=t("pretrained.source_help"),
            horizontal=True,
        )


def share_box(deck_link: Callable[[], str | None], more: Callable[[], None]) -> None:
    """The link to exactly this view, as text and as a QR code an audience can scan; with a lecture deck
    loaded, the deck's link instead (and this view's under it); then `more` (the classroom locks). Made
    only while the box is open: a new QR code for every changed view was a fifth of a rerun (bench/load.py)."""
    box = st.sidebar.popover(t("common.share"), width="stretch", key=SHARE_BOX, on_change="rerun")
    if not box.open:
        return
    with box:
        deck = None if room.code() else deck_link()
        url = room.link() or deck or state.share_url()  # with a room open, the link students vote from
        st.caption(t("room.share_help") if room.code() else t("deck.share_help") if deck else t("common.share_help"))
        st.code(url, language=None, wrap_lines=True)
        png = qr_png(url)
        if png:  # None for a long typed text in the view: the link alone has to do
            st.image(png, caption=t("deck.share_qr") if deck else t("common.share_qr"), width=220)
        if deck:
            st.caption(t("deck.share_view"))
            st.code(state.share_url(), language=None, wrap_lines=True)
        more()


@st.cache_data(max_entries=1000, show_spinner=False)
def qr_png(url: str) -> bytes | None:
    """The QR code of a link as a PNG, or None where it cannot hold the link. Cached: the share box is
    drawn on every rerun of every visitor, and a room of students on one lecturer's link shares it."""
    import segno

    try:
        code = segno.make(url, error="m")
    except segno.DataOverflowError:
        return None
    png = BytesIO()
    code.save(png, kind="png", scale=6, border=2)
    return png.getvalue()
