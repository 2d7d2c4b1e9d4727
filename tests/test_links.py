"""Every link opens a page: each declared control of every page, fed a hand-edited, truncated or
hostile URL value, leaves the page working and showing that control's default view."""

import math

import pytest

from components import controls, i18n, settings, state

from conftest import PAGE_NAMES

# what a chat app, a student or a fuzzer may put in a link
KINDS = ("out_of_range", "negative", "nan", "inf", "huge", "wrong_type", "empty", "long", "other_script")
UNKNOWN = {"nonsense.key": "1", "fusion.level_photo": "0.5"}  # keys no page declares
FORGED_DECK = {"deck": "eNqrVkrLz1eyUkpKLFKqBQAd-gRa", "deck_at": "-1"}  # a lecture deck's parameters, garbled


def is_text(control: state.Control) -> bool:
    return isinstance(control.default, str) and control.options is None


def bad_value(control: state.Control, kind: str) -> str:
    """A URL value of `kind` that `control` must refuse (free text must refuse only what is too long)."""
    numeric_options = control.options is not None and all(
        isinstance(o, (int, float)) and not isinstance(o, bool) for o in control.options
    )
    top = max(control.options) if numeric_options else control.high
    return {
        "out_of_range": str((top if top is not None else 10**9) + 1)
        if top is not None or control.low is not None
        else "not-one-of-them",
        "negative": str(-(top or 1) - 1) if control.low is not None or numeric_options else "-1",
        "nan": "nan",
        "inf": "inf",
        "huge": str(10**30),
        "wrong_type": "abc" if isinstance(control.default, (int, float)) else "12.5",
        "empty": "",
        "long": "9" * 5000,
        "other_script": "紅色的圓形",
    }[kind]


def must_refuse(control: state.Control, kind: str) -> bool:
    """Free text is anything a visitor could type (empty, a number, another script) up to the link's cap."""
    return not is_text(control) or kind == "long"


def open_link(app_path: str, page: str, params: dict[str, str]):
    """A fresh session opening `/<page>?<params>`, as a browser opening a shared link does."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app_path, default_timeout=180)
    at.switch_page(f"lessons/{page}.py")
    at.query_params.update(params)
    return at.run()


@pytest.fixture(scope="module")
def app_path():
    from conftest import APP

    return APP


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_declared_key_survives_every_bad_value(app_path, page):
    declared = (*settings.CONTROLS, *controls.of(page))
    clean = open_link(app_path, page, {})
    assert not clean.exception, [e.value for e in clean.exception]
    shown = [c for c in declared if c.key in clean.session_state]  # Pretrained mode's controls are not drawn here
    assert len(shown) >= 3, "the page binds its controls"
    default_view = {c.key: clean.session_state[c.key] for c in shown}
    fuzzed = 0
    for kind in KINDS:
        params = {c.key: bad_value(c, kind) for c in shown} | UNKNOWN | FORGED_DECK
        at = open_link(app_path, page, params)
        assert not at.exception, (kind, [e.value for e in at.exception])
        said = i18n.translate("deck.error.bad_link", "en")
        assert any(said in e.value for e in at.error), "the garbled deck gets its message"
        assert at.title and at.title[0].value == clean.title[0].value
        for control in shown:
            if must_refuse(control, kind):
                got, expected = at.session_state[control.key], default_view[control.key]
                assert got == expected, (kind, control.key, params[control.key][:40], got, expected)
                fuzzed += 1
        assert not set(UNKNOWN | FORGED_DECK) & set(at.query_params), "an unknown key stays out of the page's link"
    assert fuzzed >= len(shown) * (len(KINDS) - 3)


def test_a_hand_typed_number_in_range_is_kept(app_path):
    """The other side of the fuzz: valid values still arrive (the crash links of the issue, corrected)."""
    at = open_link(app_path, "fusion", {"fusion.level_sound": "0.7", "fusion.task": "synergy"})
    assert not at.exception
    assert at.session_state["fusion.level_sound"] == 0.7 and at.session_state["fusion.task"] == "synergy"
    at = open_link(app_path, "alignment", {"alignment.tempo": "1.5", "alignment.tempo2": "9"})
    assert not at.exception and at.session_state["alignment.tempo"] == 1.5


@pytest.mark.parametrize(
    "raw,expected", [("7", 7), ("-3", -3), ("1e30", "1e30"), ("nan", "nan"), ("", ""), ("9" * 5000, "9" * 5000)]
)
def test_parse_keeps_a_malformed_number_as_text(raw, expected):
    """`parse` never raises: what is not a number stays a string, which no number control allows."""
    got = state.parse(raw, 0)
    assert got == expected


def test_a_number_control_must_say_its_range():
    with pytest.raises(ValueError):
        state.Control("page.level", 0.0)


@pytest.mark.parametrize(
    "value,allowed",
    [
        (0.5, True),
        (1.0, True),
        (1.1, False),
        (-0.1, False),
        (math.nan, False),
        (math.inf, False),
        ("0.5", False),
        (True, False),
    ],
)
def test_a_range_control_allows_only_finite_numbers_inside_it(value, allowed):
    assert state.Control("page.level", 0.0, low=0.0, high=1.0).allows(value) is allowed
