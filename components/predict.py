"""Predict, then reveal: a guided step asked as a question before it runs.

A `state.Step` with `choices` is a question. Choosing it (an example button, or Next in presenter
mode) does not run it yet: the step's number becomes current, the page keeps showing what it showed,
and a box asks the question. Picking a prediction (or, in presenter mode, revealing the room's vote)
runs the step; the page then computes the answer from its own numbers and `Quiz.reveal` says whether
the prediction held and why. The answer is never typed in: it is whatever the page just measured.

A question's strings are a nested table in its page's string table, `[ask.<step>]` with `q` (the
question) and `why` (the explanation after the reveal, with the measured numbers), and
`[ask.<step>.choice]` (each prediction); see `state.ask_key`. The step's caption itself is what the
presenter's bar shows once the step has run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components import i18n, room, settings, state
from components.i18n import t

ASKING = "_predict_asking"  # page -> the step waiting for a prediction
MADE = "_predict_made"  # "page:index" -> the prediction, or "" when revealed without one
FOCUS = "predict"  # the presenter's scroll target on a question step (see ui.steps)
FOCUS_KEY = "presenter_focus"  # the container class ui's scroll script looks for
# Presenter mode: the choices and the room's votes in type the back row can read.
_PRESENTER_CSS = """<style>
.st-key-presenter_focus [data-testid="stRadio"] label p,
.st-key-presenter_focus [data-testid="stProgress"] p { font-size: 1.35rem !important; }
.st-key-presenter_focus [data-testid="stAlert"] p { font-size: 1.45rem !important; }
</style>"""


def _made() -> dict[str, str]:
    return st.session_state.setdefault(MADE, {})


def _asking() -> dict[str, int]:
    return st.session_state.setdefault(ASKING, {})


def revealed(page: str, index: int) -> bool:
    return f"{page}:{index}" in _made()


def waiting(page: str, sequence: list[state.Step], index: int) -> bool:
    """Whether step `index` is chosen but waits for a prediction before it runs."""
    return bool(sequence and sequence[index].choices) and _asking().get(page) == index


def question(step: state.Step) -> str:
    return t(state.ask_key(step.caption_key, "q"))


def choice(step: state.Step, value: str) -> str:
    return t(state.choice_key(step.caption_key, value))


def caption(page: str, index: int, step: state.Step) -> str:
    """What a step's button or bar says: the question until it has been answered, then the caption
    (which states the result, so it must not be read before)."""
    return question(step) if step.choices and not revealed(page, index) else t(step.caption_key)


def go(page: str, sequence: list[state.Step], step_key: str, index: int) -> None:
    """A button callback: move to step `index`, asking its question first if it has one."""
    index = max(0, min(index, len(sequence) - 1))
    if sequence[index].choices and not revealed(page, index):
        st.session_state[step_key] = index
        _asking()[page] = index
    else:
        _asking().pop(page, None)
        state.apply_step(sequence, step_key, index)


def _run(page: str, sequence: list[state.Step], index: int, prediction: str) -> None:
    """Record the prediction ("" for none) and run the step."""
    _made()[f"{page}:{index}"] = prediction
    _asking().pop(page, None)
    state.apply_step(sequence, state.step_control(page, len(sequence)).key, index)


def _picked(page: str, sequence: list[state.Step], index: int, key: str) -> None:
    if st.session_state.get(key) is not None:
        _run(page, sequence, index, st.session_state[key])


@dataclass
class Quiz:
    """The step whose result is on screen after a prediction (`index`, None if there is none) and the
    box its verdict goes in."""

    page: str
    step: state.Step | None = None
    index: int | None = None
    box: Any = None  # a Streamlit container

    def reveal(self, answer_of: Callable[[int], tuple[str, dict[str, Any]] | None]) -> None:
        """Say whether the prediction held. `answer_of(index)` is the page's measurement: the right
        choice and the numbers the explanation quotes, from the result now on screen (None when the
        page shows nothing to measure, e.g. while a text box is empty)."""
        if self.index is None or self.box is None:
            return
        found = answer_of(self.index)
        if found is None:
            return
        answer, numbers = found
        prediction = _made().get(f"{self.page}:{self.index}", "")
        qid = self.step.caption_key
        with self.box:
            if not prediction:
                st.info(t("predict.answer", answer=choice(self.step, answer)))
            elif prediction == answer:
                st.success(t("predict.held", choice=choice(self.step, prediction)))
            else:
                st.warning(t("predict.missed", choice=choice(self.step, prediction), answer=choice(self.step, answer)))
            room.settle(qid, answer)  # the students' phones show the answer too
            votes = room.votes(qid)
            if votes:
                st.markdown(t("predict.room_right", right=votes.get(answer, 0), n=sum(votes.values())))
            st.markdown(t(state.ask_key(qid, "why"), **numbers))


def ask(page: str, sequence: list[state.Step]) -> Quiz:
    """Where a page's steps are chosen: the question of a step that waits for a prediction, or the box
    the verdict of the step just run will go in."""
    step_key = state.step_control(page, len(sequence)).key
    index = st.session_state.get(step_key, 0)
    if not sequence or not 0 <= index < len(sequence) or not sequence[index].choices:
        return Quiz(page)
    step = sequence[index]
    presenting = settings.current().presenting
    if presenting:
        st.html(_PRESENTER_CSS)
    if waiting(page, sequence, index):
        with st.container(border=True, key=FOCUS_KEY if presenting else f"predict_{page}"):
            if not presenting:  # the presenter's bar above says it already
                st.markdown(f"**{t('predict.title')}** {question(step)}")
            options = list(step.choices)
            key = f"{page}.predict_{index}"
            st.radio(
                t("predict.pick"),
                options,
                index=None,
                key=key,
                format_func=i18n.shown_as({c: choice(step, c) for c in options}),  # today's language
                on_change=_picked,
                args=(page, sequence, index, key),
            )
            if presenting:
                votes, scan = st.columns([3, 1])
                with votes:
                    room.lecturer(step.caption_key, step.choices, lambda value: choice(step, value))
                link = room.link()
                png = settings.qr_png(link) if link else None
                if png:  # the room's code on the big screen, beside the votes
                    scan.image(png, caption=t("room.scan", code=room.code()), width=200)
                st.button(
                    t("predict.reveal"), key=f"{page}.predict_reveal", on_click=_run, args=(page, sequence, index, "")
                )
        return Quiz(page)
    on_screen = all(st.session_state.get(c.key) == v for c, v in step.values.items())
    if not revealed(page, index) or not on_screen:
        return Quiz(page)
    box = st.container(border=True, key=FOCUS_KEY if presenting else f"predict_{page}")
    return Quiz(page, step, index, box)
