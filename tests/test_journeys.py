"""Journeys through the router, the way a visitor moves: settings chosen on one page, then other
pages by the navigation. (The same journeys in Chromium are in test_browser_journeys.py.)"""

import pytest

from components import i18n, router, settings

from conftest import APP_TIMEOUT

NEXT_PAGES = ("fusion", "alignment", "colearning")


def visit(at, page: str):
    """What clicking a page in the sidebar navigation does."""
    at.switch_page(f"lessons/{page}.py").run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


def test_the_language_chosen_on_home_stays_on_every_page(app):
    """The bug this round began with: 简体中文 on home, then the next page came back in English."""
    at = app("home")
    at.selectbox(key="lang").set_value("zh-Hans").run()
    for page in router.PAGES[1:]:
        visit(at, page)
        assert at.session_state["lang"] == "zh-Hans", page
        assert at.title[0].value == i18n.translate(f"{page}.title", "zh-Hans"), page
        assert at.selectbox(key="lang").value == "zh-Hans"
        assert at.query_params["lang"] == "zh-Hans", "the address of every page carries the language"


@pytest.mark.parametrize(
    "key,widget,value",
    [
        ("lang", "selectbox", "zh-Hant"),
        ("present", "toggle", True),
        ("world", "selectbox", "digits"),
        ("seed", "number_input", 42),
        ("model_source", "radio", "pretrained"),
    ],
)
def test_each_shared_setting_survives_two_page_changes(app, key, widget, value, tiny_dir, monkeypatch):
    from models import hub

    monkeypatch.setenv(hub.LOCAL_DIR_VARIABLE, str(tiny_dir))  # Pretrained mode's tiny stand-ins
    at = app("spectrograms")
    getattr(at, widget)(key=key).set_value(value).run()
    assert at.session_state[key] == value
    for page in ("neural_networks", "home"):
        visit(at, page)
        assert at.session_state[key] == value, (key, page)
        assert getattr(at, widget)(key=key).value == value
    assert key in at.query_params


def test_presenter_next_then_another_page_keeps_presenting_in_chinese(app):
    at = app("home", lang="zh-Hant", present=True)
    nxt = next(b for b in at.button if b.label == i18n.translate("common.next", "zh-Hant"))
    nxt.click().run()
    assert at.session_state["home.step"] == 1
    visit(at, "fusion")
    assert at.session_state["present"] is True and at.session_state["lang"] == "zh-Hant"
    assert i18n.translate("fusion.key_idea", "zh-Hant") in [m.value.lstrip("# ") for m in at.markdown]
    nxt = next(b for b in at.button if b.label == i18n.translate("common.next", "zh-Hant"))
    nxt.click().run()
    assert at.session_state["fusion.step"] == 1 and not at.exception


def test_a_chinese_link_opens_a_deep_page_in_chinese_and_keeps_it():
    from streamlit.testing.v1 import AppTest

    from conftest import APP

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page("lessons/alignment.py")
    at.query_params.update({"lang": "zh-Hans"})
    at.run()
    assert at.title[0].value == i18n.translate("alignment.title", "zh-Hans")
    visit(at, "captioning")
    assert at.title[0].value == i18n.translate("captioning.title", "zh-Hans")


@pytest.mark.parametrize(
    "locale,language",
    [
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("en-GB", "en"),
        ("fr-FR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_first_visit_starts_in_the_browsers_language(locale, language):
    assert settings.browser_language(locale) == language


def test_every_step_that_names_a_chart_draws_it_and_brings_it_into_view(app):
    """Presenter mode scrolls to the chart a step talks about: the page must draw a chart with that key
    (then the scroll is sent, once per step); a key no chart has would scroll nowhere."""
    nxt = i18n.translate("common.next", "en")
    for page in router.PAGES:
        at = app(page, present=True)
        while True:
            focus, token = at.session_state["_presenter_focus"] or (None, None)  # None: a page without steps
            if focus:
                assert at.session_state["_presenter_scrolled"] == token, (page, token, focus)
            forward = next((b for b in at.button if b.label == nxt), None)
            if forward is None or forward.disabled:
                break
            forward.click().run()
            assert not at.exception, (page, [e.value for e in at.exception])
