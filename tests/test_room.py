"""Ask the room, through the router (AppTest): the lecturer opens a room on a question step, the share
box carries the room's link, a student's link shows only the question, one vote per session counts,
the reveal reaches the phone, and a forged or malformed code gets a message, never a traceback.
(The store's own rules are in test_room_store.py; 20 browsers in test_browser_room.py.)"""

from urllib.parse import parse_qs, urlparse

import pytest

from components import i18n, room, state

QUESTION = "fusion.step_missing"


def named(choice: str) -> str:
    return i18n.translate(state.choice_key(QUESTION, choice), "en")


def texts(at) -> str:
    return " ".join(e.value for kind in ("markdown", "error", "info", "success", "caption") for e in at.get(kind))


def lecturer_with_a_room(app, language: str = "en"):
    at = app("fusion", present=True, lang=language)
    nxt = i18n.translate("common.next", language)
    for _ in range(2):  # the third step asks a question
        next(b for b in at.button if b.label == nxt).click().run()
    at.button(key="room_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at, at.session_state[room.CODE]


def student(app, code: str, language: str = "en"):
    from streamlit.testing.v1 import AppTest

    from conftest import APP, APP_TIMEOUT

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.query_params.update({"room": code, "lang": language})
    return at.run()


def test_the_room_asks_counts_one_vote_per_session_and_reveals(app):
    at, code = lecturer_with_a_room(app)
    assert room.store().tally(code, QUESTION) == dict.fromkeys(("early", "late_average", "intermediate", "tensor"), 0)
    assert f"**{code}**" in texts(at)

    phone = student(app, code)
    assert not phone.exception and not phone.get("plotly_chart") and not phone.sidebar.get("selectbox")
    assert i18n.translate(state.ask_key(QUESTION, "q"), "en") in texts(phone)
    choices = [b for b in phone.button if b.key.startswith("room_vote_")]
    assert [b.label for b in choices] == [named(c) for c in ("early", "late_average", "intermediate", "tensor")]
    next(b for b in phone.button if b.key == f"room_vote_{QUESTION}_late_average").click().run()
    next(b for b in phone.button if b.key == f"room_vote_{QUESTION}_early").click().run()  # a second vote
    assert (
        room.store().tally(code, QUESTION)["late_average"] == 1
        and sum(room.store().tally(code, QUESTION).values()) == 1
    )
    assert i18n.translate("room.once", "en") in texts(phone)

    at.run()
    assert i18n.translate("room.votes", "en", n=1, code=code) in texts(at)  # the live histogram
    bars = {p.proto.text: p.proto.value for p in at.get("progress")}
    assert bars[f"{named('late_average')} — **1**"] == 100
    next(b for b in at.button if b.label == i18n.translate("predict.reveal", "en")).click().run()
    assert not at.exception and at.session_state["fusion.missing_sound"] is True
    assert i18n.translate("predict.room_right", "en", right=1, n=1) in texts(at)
    phone.run()
    said = i18n.translate("room.answer", "en", answer=named("late_average"))
    assert said in texts(phone)


def test_the_share_box_carries_the_room_link(app):
    at, code = lecturer_with_a_room(app, "zh-Hant")
    at.session_state["share_box"] = True
    at.run()
    link = next(c.value for c in at.sidebar.get("code"))
    assert parse_qs(urlparse(link).query) == {"room": [code], "lang": ["zh-Hant"]}


@pytest.mark.parametrize(
    "code", ["ZZZZZZ", "abc", "0OI1L9", "☃☃☃☃☃☃", "A" * 400], ids=["forged", "short", "ambiguous", "script", "long"]
)
def test_a_forged_or_malformed_room_code_gets_a_message(app, code):
    phone = student(app, code, "zh-Hans")
    assert not phone.exception, [e.value for e in phone.exception]
    assert len(phone.error) == 1 and "⟦" not in phone.error[0].value
