"""Every page inside the router: each language, presenter mode, permalinks, and the home page's widgets."""

import pytest

from components import i18n, settings
from models import hub

from conftest import PAGE_NAMES


def all_text(at) -> str:
    """Everything a visitor can read on the page, sidebar included."""
    parts = [e.value for kind in ("markdown", "title", "subheader", "caption", "code") for e in at.get(kind)]
    parts += [w.label for kind in ("selectbox", "number_input", "toggle", "button", "slider") for w in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert "⟦" not in all_text(at), "a page shows a raw i18n key"


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_page_renders_in_every_language(app, page, language):
    at = app(page, lang=language)
    assert_clean(at)
    assert at.title[0].value == i18n.translate(f"{page}.title", language)


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_page_renders_in_presenter_mode(app, page):
    at = app(page, present=True)
    assert_clean(at)
    assert i18n.translate(f"{page}.key_idea", "en") in all_text(at)
    assert i18n.translate(f"{page}.idea", "en").strip()[:40] not in all_text(at)


def test_permalink_round_trip(app):
    from streamlit.testing.v1 import AppTest

    at = app("home")
    at.selectbox(key="world").set_value("digits").run()
    at.number_input(key="seed").set_value(3).run()
    at.number_input(key="home.sample").set_value(5).run()
    at.toggle(key="present").set_value(True).run()
    at.session_state["lang"] = "zh-Hans"  # AppTest cannot re-set a selectbox whose labels just changed language
    at.run()
    params = dict(at.query_params)
    assert params == {"world": "digits", "seed": "3", "home.sample": "5", "lang": "zh-Hans", "present": "1"}

    fresh = AppTest.from_file(at._script_path, default_timeout=60)
    fresh.query_params.update(params)
    fresh.run()
    assert_clean(fresh)
    for key, value in {"world": "digits", "seed": 3, "home.sample": 5, "lang": "zh-Hans", "present": True}.items():
        assert fresh.session_state[key] == value
    assert fresh.title[0].value == i18n.translate("home.title", "zh-Hans")


def test_malformed_url_values_fall_back_to_defaults(app):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app("home")._script_path, default_timeout=60)
    at.query_params.update({"world": "mars", "seed": "abc", "lang": "xx", "home.sample": "99999"})
    at.run()
    assert_clean(at)
    assert at.session_state["world"] == "shapes" and at.session_state["seed"] == 0
    assert at.session_state["lang"] == "en" and at.session_state["home.sample"] == 0


def test_share_box_links_to_this_view(app):
    at = app("home")
    at.number_input(key="home.sample").set_value(12).run()
    assert not at.code, "the link and its QR code are made only when the box is opened"
    at.session_state[settings.SHARE_BOX] = True
    at.run()
    assert any("home.sample=12" in c.value for c in at.code)


def test_home_sample_widgets_change_what_is_shown(app):
    at = app("home")
    caption = lambda: next(m.value for m in at.markdown if m.value.startswith("> "))
    first = caption()
    at.number_input(key="home.sample").set_value(1).run()
    second = caption()
    assert second != first
    dice = next(b for b in at.button if b.label == i18n.translate("common.random_sample", "en"))
    dice.click().run()
    assert at.session_state["home.sample"] != 1
    at.selectbox(key="world").set_value("digits").run()
    assert_clean(at)
    assert any(
        word in caption() for word in ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    )
    at.number_input(key="seed").set_value(7).run()
    assert_clean(at)


def test_presenter_steps_move_the_widgets(app):
    at = app("home", present=True)
    nxt = next(b for b in at.button if b.label == i18n.translate("common.next", "en"))
    nxt.click().run()
    assert at.session_state["home.step"] == 1 and at.session_state["home.sample"] == 7
    nxt = next(b for b in at.button if b.label == i18n.translate("common.next", "en"))
    nxt.click().run()
    assert at.session_state["world"] == "digits"
    assert_clean(at)


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_page_works_in_pretrained_mode(pretrained_app, page):
    """With the tiny local models standing in for the Hub's (the lesson tests check each page's views)."""
    at = pretrained_app(page)
    assert_clean(at)
    assert at.title[0].value == i18n.translate(f"{page}.title", "en")


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_builtin_mode_loads_no_pretrained_model(app, page, no_network, fresh_cache, monkeypatch):
    """Built-in is the default: no page may load, download or even look for a Hub model in it."""

    monkeypatch.setattr(hub, "load", lambda role: pytest.fail(f"{page} loaded {role} in built-in mode"))
    monkeypatch.setattr(hub, "location", lambda role: pytest.fail(f"{page} looked for {role} in built-in mode"))
    at = app(page)
    assert_clean(at)
    assert at.session_state["model_source"] == "builtin"


def test_a_pasted_essay_stays_out_of_the_link(app):
    """A 1 MB text box value would make every rerun's address 1 MB and break the share box's QR code."""
    from components import state

    at = app("unimodal", **{"unimodal.section": "text"})
    at.text_input(key="unimodal.text").set_value("great " * 200_000).run()
    assert_clean(at)
    assert "unimodal.text" not in at.query_params and at.query_params["unimodal.section"] == "text"
    at.text_input(key="unimodal.text").set_value("a short review").run()
    assert at.query_params["unimodal.text"] == "a short review"
    assert len("a short review") <= state.MAX_URL_VALUE


@pytest.mark.parametrize("page, control", [("home", "home.sample"), ("unimodal", "unimodal.sample")])
def test_the_dice_shows_the_same_samples_in_the_same_order_at_every_rehearsal(app, page, control):
    """ui.sample_picker's random button: a fixed order per seed, so a rehearsed talk repeats itself, and
    another seed gives another order."""

    def rolls(**state) -> list[int]:
        at = app(page, **state)
        seen = []
        for _ in range(3):
            at.button(key=f"{control}.dice").click().run()
            assert not at.exception
            seen.append(at.session_state[control])
        assert at.number_input(key=control).value == seen[-1]
        return seen

    first = rolls()
    assert first == rolls() and len(set(first)) > 1
    assert rolls(seed=1) != first
