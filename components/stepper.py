"""Step through a computation: Back / Next / Play over a drill-down's numbered steps.

Shared by every "look inside" view. The steps are drawn in a fragment, so a click on Back or Next
redraws only them, not the page; while playing, the fragment reruns on a timer and moves one step
per tick, and stops at the last step. The step index lives in session state under `<key>.step`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import streamlit as st

from components.i18n import t

TICK_SECONDS = 1.6  # while playing, one step this often: time to read a line and look at the chart


def stepper(key: str, titles: Sequence[str], draw: Callable[[int], None]) -> None:
    """The controls, "step n of N · title", and step n drawn by `draw(n)` (0-based)."""
    ticking = st.session_state.get(f"{key}.playing", False)
    st.fragment(_steps, run_every=TICK_SECONDS if ticking else None)(key, tuple(titles), draw, ticking)


def _move(key: str, index: int) -> None:
    st.session_state[f"{key}.step"] = index
    st.session_state[f"{key}.playing"] = False


def _play(key: str, last: int) -> None:
    playing = not st.session_state.get(f"{key}.playing", False)
    st.session_state[f"{key}.playing"] = playing
    if playing and st.session_state.get(f"{key}.step", 0) >= last:  # from the end: play it again from the start
        st.session_state[f"{key}.step"] = 0
    st.session_state[f"{key}.due"] = time.monotonic() + TICK_SECONDS


def _steps(key: str, titles: tuple[str, ...], draw: Callable[[int], None], ticking: bool) -> None:
    last = len(titles) - 1
    index = min(max(int(st.session_state.get(f"{key}.step", 0)), 0), last)
    playing = st.session_state.get(f"{key}.playing", False)
    if playing and time.monotonic() >= st.session_state.get(f"{key}.due", 0.0):  # a tick, not another rerun
        index = min(index + 1, last)
        st.session_state[f"{key}.due"] = time.monotonic() + 0.9 * TICK_SECONDS
        playing = index < last
    st.session_state[f"{key}.step"], st.session_state[f"{key}.playing"] = index, playing
    if playing != ticking:  # started or finished: the fragment's timer is set when the page draws it
        st.rerun()
    with st.container(horizontal=True, vertical_alignment="center"):  # one row, on a phone too
        st.button(t("drilldown.back"), key=f"{key}.back", disabled=index == 0, on_click=_move, args=(key, index - 1))
        st.button(t("drilldown.next"), key=f"{key}.next", disabled=index == last, on_click=_move, args=(key, index + 1))
        st.button(
            t("drilldown.pause" if playing else "drilldown.play"),
            key=f"{key}.play",
            type="primary",
            on_click=_play,
            args=(key, last),
        )
    st.markdown(f"**{t('drilldown.step', n=index + 1, total=len(titles))}** · {titles[index]}")
    draw(index)
