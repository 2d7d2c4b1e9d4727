"""The lecture deck and classroom locks, through the router (AppTest), moving as a lecturer and a student do:
a deck of one view on every page built in presenter mode, downloaded, loaded back from the file, walked
with Next view across pages; the same deck by its link; bad files and forged links refused with a message;
a locked control that springs back. (The same walk in Chromium: test_browser_deck.py.)"""

import json

import pytest
import streamlit as st
from presenter import press_next

from components import deck, deck_format, i18n, router, settings, state
from components.deck_format import DeckError

from conftest import APP, APP_TIMEOUT


def open_link(params: dict[str, str], page: str = "home"):
    """A fresh session opening a link, as a browser does."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    if page != "home":
        at.switch_page(f"lessons/{page}.py")
    at.query_params.update(params)
    return at.run()


def clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def saved_file(monkeypatch) -> dict:
    """What the sidebar's download button was last given to save, as st.download_button receives it."""
    given = {}
    original = st.download_button

    def recording(*args, **kwargs):
        if kwargs.get("key") == "deck_download":
            given["data"] = kwargs["data"]
        return original(*args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return given


def upload(at, data: bytes):
    at.sidebar.file_uploader(key="deck_upload").set_value(("deck.json", data, "application/json")).run()
    clean(at)
    return at


def walk_and_check(at, views: list[dict], language: str) -> None:
    """From view 1, Next view through the deck: each view's page, its heading, its step and its values."""
    for i, view in enumerate(views):
        if i:
            at.button(key="deck_next").click().run()
            clean(at)
        page = view["page"]
        assert at.title[0].value == i18n.translate(f"{page}.title", language), (i, page)
        assert at.session_state[deck._AT] == i
        for key, raw in view["params"].items():
            assert state.encode(at.session_state[key]) == raw, (page, key)
        address = dict(at.query_params)
        assert {k: v for k, v in view["params"].items() if v != "0"}.items() <= address.items(), (page, address)
        assert address[deck.AT] == str(i), "the address is a permalink of the view, in the deck"
    assert at.button(key="deck_next").disabled


@pytest.fixture(scope="module")
def built():
    """A lecturer in presenter mode in 简体中文: on every page Next once (the second guided step), a note,
    Add this view. Returns the session and the views it built."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.session_state["present"] = True
    at.session_state["lang"] = "zh-Hans"
    at.run()
    for page in router.PAGES:
        if page != "home":
            at.switch_page(f"lessons/{page}.py").run()
        press_next(at, "zh-Hans")
        clean(at)
        at.sidebar.text_input(key="deck_note").set_value(f"讲到{page}：先看这里").run()
        at.sidebar.button(key="deck_add").click().run()
        clean(at)
    views = at.session_state[deck._VIEWS]
    return at, views


def test_a_deck_of_a_view_on_every_page_is_built_saved_loaded_and_walked(built, monkeypatch):
    at, views = built
    assert [v["page"] for v in views] == list(router.PAGES)
    assert all(v["params"][f"{v['page']}.step"] == "1" for v in views), "each view is the page's second step"
    assert all("lang" not in v["params"] and "present" not in v["params"] for v in views)
    listed = " ".join(m.value for m in at.sidebar.markdown)
    assert all(i18n.translate(f"common.nav.{p}", "zh-Hans") in listed for p in router.PAGES)

    given = saved_file(monkeypatch)
    at.run()
    saved = json.loads(given["data"])
    assert saved == {"format": deck_format.FORMAT, "version": 1, "language": "zh-Hans", "views": views}
    assert len(given["data"]) < 8 * 1024, "a deck file is small"

    student = open_link({"lang": "en"})
    upload(student, given["data"])
    assert student.session_state["lang"] == "zh-Hans", "loading a deck sets its language"
    assert student.session_state["present"] is False, "presenter mode stays the visitor's own"
    walk_and_check(student, views, "zh-Hans")
    student.button(key="deck_back").click().run()
    clean(student)
    assert student.title[0].value == i18n.translate(f"{router.PAGES[-2]}.title", "zh-Hans")


def test_the_lecturer_loads_the_deck_and_walks_it_in_presenter_mode(built):
    at, views = built
    upload(at, deck_format.to_json({"format": deck_format.FORMAT, "version": 1, "language": "zh-Hans", "views": views}))
    walk_and_check(at, views, "zh-Hans")
    assert at.session_state["present"] is True


def test_the_decks_link_opens_the_same_deck(built):
    at, views = built
    at.session_state[settings.SHARE_BOX] = True
    at.run()
    link = next(c.value for c in at.sidebar.get("code"))  # the share box offers the deck's link first
    from urllib.parse import parse_qs, urlparse

    params = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert set(params) == {deck.DECK, deck.AT} and len(link) < 3000
    assert at.sidebar.get("image"), "and its QR code"
    student = open_link(params, page="fusion")
    clean(student)
    assert student.session_state[deck._VIEWS] == views
    assert student.session_state["lang"] == "zh-Hans"
    walk_and_check(student, views, "zh-Hans")
    # a reload of the address while walking keeps both the deck and the view on screen
    again = open_link(dict(student.query_params), page=views[-1]["page"])
    clean(again)
    assert again.session_state[deck._AT] == len(views) - 1
    assert again.title[0].value == i18n.translate(f"{views[-1]['page']}.title", "zh-Hans")


def deck_of(views: list, **top) -> bytes:
    deck = {"format": deck_format.FORMAT, "version": 1, "language": "en", "views": views, **top}
    return json.dumps(deck, ensure_ascii=False).encode()


GOOD_VIEW = {"page": "fusion", "params": {"fusion.step": "1"}, "note": ""}
BAD_FILES = {
    "not_json": b"\x89PNG\r\n\x1a\n not a deck",
    "format": json.dumps({"views": [GOOD_VIEW]}).encode(),
    "version": deck_of([GOOD_VIEW], version=2),
    "language": deck_of([GOOD_VIEW], language="fr"),
    "no_views": deck_of([]),
    "too_many": deck_of([GOOD_VIEW] * (deck_format.MAX_VIEWS + 1)),
    "too_big": deck_of([GOOD_VIEW], padding="x" * deck_format.MAX_FILE),
    "page": deck_of([{"page": "../../etc/passwd", "params": {}}]),
    "key": deck_of([{"page": "fusion", "params": {"alignment.tempo": "2"}}]),
    "value": deck_of([{"page": "fusion", "params": {"fusion.step": 1}}]),
    "view": deck_of([GOOD_VIEW, ["fusion"]]),
    "note": deck_of([{**GOOD_VIEW, "note": "n" * 301}]),
}


@pytest.mark.parametrize("reason", list(BAD_FILES))
def test_a_bad_deck_file_gets_a_message_that_says_what_is_wrong(app, reason):
    at = app("fusion", lang="zh-Hans")
    upload(at, BAD_FILES[reason])
    with pytest.raises(DeckError) as refused:
        deck_format.from_json(BAD_FILES[reason], i18n.LANGUAGES, deck._keys(), state.MAX_URL_VALUE)
    assert refused.value.reason == reason
    why = i18n.translate(f"deck.error.{reason}", "zh-Hans", **refused.value.details)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert errors == [i18n.translate("deck.bad_file", "zh-Hans", why=why)], errors
    assert not at.session_state.get(deck._VIEWS)
    assert at.title[0].value == i18n.translate("fusion.title", "zh-Hans"), "the page keeps working"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "!!!!",
        "eNo" + "A" * 40,
        deck_format.to_link({"format": deck_format.FORMAT, "version": 9, "views": []}),
        deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "en", "views": [1]}),
        deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "en", "views": [GOOD_VIEW]})[:-6],
        "A" * (deck_format.MAX_LINK + 1),
        "紅色的圓形",
    ],
    ids=["empty", "short", "signs", "garbled", "version", "view", "cut", "long", "other_script"],
)
def test_a_forged_or_garbled_deck_link_gets_a_message(raw):
    at = open_link({deck.DECK: raw, deck.AT: "x", "fusion.step": "1"}, page="fusion")
    clean(at)
    assert len(at.error) == 1 and "⟦" not in at.error[0].value, [e.value for e in at.error]
    assert at.title[0].value == i18n.translate("fusion.title", "en")
    assert deck.DECK not in at.query_params, "a refused deck stays out of the address"


def test_a_zip_bomb_in_a_link_is_refused_before_it_unpacks():
    import base64
    import zlib

    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * 4_000_000, 9)).decode()
    assert len(bomb) < deck_format.MAX_LINK
    with pytest.raises(DeckError) as refused:
        deck_format.from_link(bomb, ["en"], {}, 500)
    assert refused.value.reason == "too_big"


def test_a_deck_value_a_control_does_not_allow_is_ignored_as_in_a_link():
    views = [
        {"page": "home", "params": {"home.step": "²"}, "note": "[x](javascript:alert(1)) ![](http://x/y.png)"},
        {"page": "fusion", "params": {"fusion.level_sound": "7", "fusion.step": "1"}, "note": ""},
    ]
    packed = deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "en", "views": views})
    at = open_link({deck.DECK: packed, deck.AT: "١"})
    clean(at)
    assert at.session_state[deck._AT] == 0 and at.session_state["home.step"] == 0
    bar = next(m.value for m in at.markdown if m.value.startswith("🎞️"))
    assert "\\[x\\]" in bar and "\\!\\[\\]" in bar, "a note's link or image is escaped: shown as text"
    at.button(key="deck_next").click().run()
    clean(at)
    assert at.title[0].value == i18n.translate("fusion.title", "en")
    assert at.session_state["fusion.level_sound"] == 0.0 and at.session_state["fusion.step"] == 1


LOCKED = {"lock": "fusion", "free": "fusion.level_image", "hide": "fusion.curve", "fusion.task": "synergy"}


def test_a_locked_control_springs_back_and_a_free_one_moves():
    at = open_link({**LOCKED, "world": "digits"}, page="fusion")
    clean(at)
    at.radio(key="fusion.task").set_value("redundant").run()
    assert at.session_state["fusion.task"] == "synergy", "a locked control keeps the link's value"
    at.selectbox(key="world").set_value("shapes").run()
    assert at.session_state["world"] == "digits", "and so does the view's world"
    at.slider(key="fusion.level_image").set_value(0.5).run()
    clean(at)
    assert at.session_state["fusion.level_image"] == 0.5, "the free control moves"
    assert {"lock": "fusion", "free": "fusion.level_image", "fusion.level_image": "0.5"}.items() <= dict(
        at.query_params
    ).items()
    style = " ".join(h.proto.body for h in at.get("html") if "st-key-fusion-task" in h.proto.body)
    assert "pointer-events: none" in style and "st-key-fusion-level_image" not in style
    hidden = style.split("display: none")[0].rsplit("}", 1)[-1]
    assert ".st-key-fusion-curve" in hidden, "a hidden control's widget is not shown"
    at.session_state[settings.SHARE_BOX] = True
    at.run()
    assert i18n.translate("deck.locked_by_link", "en") in [c.value for c in at.sidebar.caption]
    assert not [w for w in at.sidebar.toggle if w.key == "locks_on"], "a student cannot unlock from the share box"


def test_another_page_is_not_locked_by_a_fusion_lock():
    at = open_link(LOCKED, page="fusion")
    at.switch_page("lessons/alignment.py").run()
    at.slider(key="alignment.tempo").set_value(1.5).run()
    clean(at)
    assert at.session_state["alignment.tempo"] == 1.5


def test_the_lecturer_locks_a_view_in_the_share_box_and_the_link_carries_it(app):
    at = app("fusion")
    at.radio(key="fusion.task").set_value("unique").run()
    at.session_state[settings.SHARE_BOX] = True
    at.run()
    at.sidebar.toggle(key="locks_on").set_value(True).run()
    at.sidebar.multiselect(key="locks_free").select("fusion.level_sound").run()
    clean(at)
    link = next(c.value for c in at.sidebar.get("code"))
    assert "lock=fusion" in link and "free=fusion.level_sound" in link and "fusion.task=unique" in link
    at.radio(key="fusion.task").set_value("synergy").run()
    assert at.session_state["fusion.task"] == "unique", "the lecturer sees the view as students will"
    at.sidebar.toggle(key="locks_on").set_value(False).run()
    at.radio(key="fusion.task").set_value("synergy").run()
    assert at.session_state["fusion.task"] == "synergy" and "lock" not in at.query_params


def test_a_deck_too_long_for_a_link_still_loads_from_its_file_and_says_so(app):
    import random

    rng = random.Random(0)
    notes = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(deck_format.MAX_NOTE)) for _ in range(40)]
    views = [{"page": router.PAGES[i % len(router.PAGES)], "params": {}, "note": n} for i, n in enumerate(notes)]
    at = app("home")
    upload(at, deck_of(views))
    assert not at.error and len(at.session_state[deck._VIEWS]) == 40
    assert deck.DECK not in at.query_params, "no address too long for a browser"
    assert i18n.translate("deck.too_long", "en") in [c.value for c in at.sidebar.caption]


def test_the_pages_own_next_continues_into_the_decks_next_view_from_its_last_step():
    """One button walks a lecture: in presenter mode the step bar's Next, on a view's last step, opens
    the deck's next view; on the deck's last view it stops there."""
    steps = open_link({}, "fusion").session_state["_state_options"]["fusion.step"]
    last = len(steps) - 1
    views = [
        {"page": "fusion", "params": {"fusion.step": str(last)}, "note": ""},
        {"page": "alignment", "params": {"alignment.step": "0"}, "note": ""},
    ]
    packed = deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "zh-Hans", "views": views})
    at = open_link({deck.DECK: packed, deck.AT: "0", settings.PRESENT.key: "1"})
    clean(at)
    assert at.title[0].value == i18n.translate("fusion.title", "zh-Hans")
    forward = at.button(key="fusion.step.next")
    assert forward.label == i18n.translate("deck.next", "zh-Hans") and not forward.disabled
    forward.click().run()
    clean(at)
    assert at.title[0].value == i18n.translate("alignment.title", "zh-Hans"), "the deck's next view"
    assert at.session_state[deck._AT] == 1 and at.session_state[settings.PRESENT.key]
    assert at.button(key="alignment.step.next").label == i18n.translate("common.next", "zh-Hans")


def test_a_last_step_asked_as_a_question_is_answered_before_the_deck_moves_on():
    """Co-learning's last step is a question: pressing Next onto it asks it, and only once it is revealed
    does the same button offer the deck's next view (a second click must not skip the answer)."""
    steps = open_link({}, "colearning").session_state["_state_options"]["colearning.step"]
    views = [
        {"page": "colearning", "params": {"colearning.step": str(len(steps) - 2)}, "note": ""},
        {"page": "fusion", "params": {"fusion.step": "0"}, "note": ""},
    ]
    packed = deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "en", "views": views})
    at = open_link({deck.DECK: packed, deck.AT: "0", settings.PRESENT.key: "1"})
    clean(at)
    at.button(key="colearning.step.next").click().run()
    clean(at)
    forward = at.button(key="colearning.step.next")
    assert forward.label == i18n.translate("common.next", "en") and forward.disabled, "the question waits"
    next(b for b in at.button if b.label == i18n.translate("predict.reveal", "en")).click().run()
    clean(at)
    forward = at.button(key="colearning.step.next")
    assert forward.label == i18n.translate("deck.next", "en") and not forward.disabled
    forward.click().run()
    clean(at)
    assert at.title[0].value == i18n.translate("fusion.title", "en")


def test_a_page_reached_by_the_sidebar_does_not_jump_back_into_the_deck():
    views = [{"page": "fusion", "params": {"fusion.step": "0"}, "note": ""}, {"page": "home", "params": {}, "note": ""}]
    packed = deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "en", "views": views})
    at = open_link({deck.DECK: packed, deck.AT: "0", settings.PRESENT.key: "1"})
    clean(at)
    at.switch_page("lessons/passport.py").run()
    last = len(at.session_state["_state_options"]["passport.step"]) - 1
    at.session_state["passport.step"] = last
    at.run()
    clean(at)
    forward = at.button(key="passport.step.next")
    assert forward.label == i18n.translate("common.next", "en") and forward.disabled
