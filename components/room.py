"""Ask the room: the lecturer's poll and the students' phones.

In presenter mode the lecturer opens a room for the lecture; from then on each question a step asks
is posted to it, the share box's link and QR code carry the room's code (`?room=CODE`), and a live
histogram shows the votes until the lecturer reveals. A student who opens the link sees only the
current question and its choices, votes once per question, and keeps the page: it asks the next
question when the lecturer moves on. Votes live in this server's memory (components/room_store.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import streamlit as st

from components import state
from components.i18n import current_language, t
from components.room_store import LIFETIME_S, RoomStore, well_formed

ROOM = state.Control("room", "")  # a student's link: the room's code (checked by the store, not trusted)
CODE = "_room_code"  # the lecturer's open room, in the lecturer's session
VOTER = "_room_voter"  # a student session's random token: one vote per session and question
AGAIN = "_room_again"  # the student tried to vote twice on this question
REFRESH_S = 2.0  # how often the histogram and the phones ask the store


@st.cache_resource(show_spinner=False)
def store() -> RoomStore:
    """One store per server process, shared by every session (and only by this process's sessions)."""
    return RoomStore()


# ---------------------------------------------------------------- the lecturer
def code() -> str | None:
    """This session's open room, if it has one (and it has not expired)."""
    found = st.session_state.get(CODE)
    return found if found and store().is_open(found) else None


def _open() -> None:
    st.session_state[CODE] = store().open()


def link() -> str | None:
    """The students' link to this session's room, or None if it has none."""
    found = code()
    return None if found is None else state.share_url({ROOM.key: found, "lang": current_language()})


def lecturer(qid: str, choices: tuple[str, ...], label: Callable[[str], str]) -> None:
    """In a question's box, presenter mode: open the room, or post the question to it and show the
    votes as they arrive."""
    found = code()
    if found is None:
        st.button(t("room.open"), key="room_open", on_click=_open, help=t("room.open_help"))
        return
    store().ask(found, qid, choices)
    _histogram(found, qid, {c: label(c) for c in choices})


@st.fragment(run_every=REFRESH_S)
def _histogram(found: str, qid: str, labels: dict[str, str]) -> None:
    counts = store().tally(found, qid)
    if counts is None:
        st.warning(t("room.closed_lecturer"))
        return
    n = sum(counts.values())
    st.markdown(t("room.votes", n=n, code=found))
    for choice, text in labels.items():
        st.progress(counts[choice] / n if n else 0.0, text=f"{text} — **{counts[choice]}**")


def settle(qid: str, answer: str) -> None:
    """After the reveal: the question's answer goes to the phones (and its voting closes)."""
    found = code()
    if found is not None:
        store().reveal(found, qid, answer)


def votes(qid: str) -> dict[str, int] | None:
    found = code()
    return None if found is None else store().tally(found, qid)


# ---------------------------------------------------------------- the students
def joining() -> bool:
    """Whether this visit came by a room's link: the router then shows only the room."""
    ROOM.bind()
    return bool(ROOM.value)


def _vote(found: str, qid: str, choice: str) -> None:
    voter = st.session_state.setdefault(VOTER, secrets.token_hex(8))
    if not store().vote(found, qid, voter, choice):
        st.session_state[AGAIN] = qid


def student() -> None:
    """A phone in the room: the current question, its choices, this session's vote, then the answer."""
    st.title(t("room.title"))
    found = ROOM.value
    if not well_formed(found):
        st.error(t("room.bad_code", hours=LIFETIME_S // 3600))
        return
    _phone(found)


@st.fragment(run_every=REFRESH_S)
def _phone(found: str) -> None:
    poll = store().poll(found, st.session_state.setdefault(VOTER, secrets.token_hex(8)))
    if poll is None:
        st.error(t("room.closed", code=found, hours=LIFETIME_S // 3600))
        return
    if poll.question is None:
        st.info(t("room.wait"))
        return
    st.markdown(f"### {t(state.ask_key(poll.question, 'q'))}")
    for choice in poll.choices:
        st.button(
            t(state.choice_key(poll.question, choice)),
            key=f"room_vote_{poll.question}_{choice}",
            type="primary" if choice == poll.voted else "secondary",
            width="stretch",
            disabled=poll.answer is not None,
            on_click=_vote,
            args=(found, poll.question, choice),
        )
    if poll.voted:
        st.success(t("room.voted", choice=t(state.choice_key(poll.question, poll.voted))))
        if st.session_state.get(AGAIN) == poll.question:
            st.caption(t("room.once"))
    if poll.answer is not None:
        st.info(t("room.answer", answer=t(state.choice_key(poll.question, poll.answer))))
        st.caption(t("room.wait_next"))
    elif poll.voted:
        st.caption(t("room.wait_reveal"))
