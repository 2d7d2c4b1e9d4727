"""The pinned sample: one test sample a visitor follows from page to page.

A visitor pins a sample where a page shows one (the 📌 beside every sample picker); the pin is a shared
setting, so it is in the share link and drawn in the sidebar on every page, and each page's sample
picker opens on it. Only test samples can be pinned: no model on any page trained on them, so what the
passport page collects about one (every model's answer) is an honest measurement.
"""

from __future__ import annotations

import streamlit as st

from components import figures, settings
from components.cache import shared
from components.controls import of as controls_of
from components.i18n import t
from models.core import worlds

PAGE = "passport"
TEST = worlds.SPLIT_NAMES.index("test")  # in World.split


def value(world_name: str, row: int) -> str:
    """The pin's URL value: the world is part of it, since a row of one world means nothing in another."""
    return f"{world_name}-{row}"


def pinned_row() -> int | None:
    """The pinned sample's row in the visitor's world, or None (no pin, another world's, a bad link)."""
    conf = settings.current()
    world_name, _, row = str(st.session_state.get(settings.PIN.key, "")).partition("-")
    if world_name != conf.world or not row.isdigit():
        return None
    world = shared.world(conf.world, conf.seed)
    row = int(row)
    return row if row < len(world) and world.split[row] == TEST else None


def position_in(rows) -> int | None:
    """Where the pinned sample is among `rows` (a page's samples, as world rows), or None: the default of
    a page's sample control, so the page opens on the pinned sample."""
    row = pinned_row()
    found = [i for i, r in enumerate(rows) if int(r) == row] if row is not None else []
    return found[0] if found else None


def can_pin(row: int) -> bool:
    """Only test samples: the ones no model on any page learned from."""
    conf = settings.current()
    return bool(shared.world(conf.world, conf.seed).split[row] == TEST)


def pin(row: int | None) -> None:
    """A button callback: pin `row` (None: unpin). Every page's sample picker then opens on it: the
    values the pickers held are forgotten, so each takes the pin as its default on its next run."""
    st.session_state[settings.PIN.key] = "" if row is None else value(settings.current().world, row)
    for page in _pages_with_samples():
        st.session_state.pop(f"{page}.sample", None)


def _pages_with_samples() -> list[str]:
    from components.router import PAGES

    return [p for p in PAGES if any(c.key == f"{p}.sample" for c in controls_of(p))]


def card() -> None:
    """The pinned sample in the sidebar, on every page: its picture and caption, and a way to unpin."""
    row = pinned_row()
    if row is None:
        return
    world = shared.world(settings.current().world, settings.current().seed)
    with st.sidebar.container(border=True, key="pinned_card"):
        st.caption(t("common.pinned"))
        picture, words = st.columns([1, 2], vertical_alignment="center")
        picture.image(figures.enlarged(world.images[row], 64))
        words.caption(world.captions[row])
        st.page_link(f"lessons/{PAGE}.py", label=t("common.open_passport"), icon="🪪")
        st.button(t("common.unpin"), key="unpin", on_click=pin, args=(None,), type="tertiary")
