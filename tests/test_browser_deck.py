"""The lecture deck in Chromium against `streamlit run app.py`: a deck's link opened in a fresh browser in
presenter mode, walked with Next view across every page; a locked link's widgets greyed and hidden by
Streamlit's per-key class. Screenshots land in test-output/deck_*.png (projector 1280×800, one phone 390 px).
"""

import re
from pathlib import Path

from components import deck, deck_format, i18n, router

from browser import (
    MAIN,
    PHONE,
    PROJECTOR,
    click_nav,
    heading,
    no_exception,
    query,
    require_chromium,
    settle,
)

OUT = Path(__file__).resolve().parent.parent / "test-output"

require_chromium()

VIEWS = [
    {"page": page, "params": {f"{page}.step": "1"}, "note": f"第 {i + 1} 讲：{page}"}
    for i, page in enumerate(router.PAGES)
]
VIEWS[router.PAGES.index("fusion")]["params"]["fusion.level_image"] = "0.3"  # and a control moved by hand
LINK = deck_format.to_link({"format": deck_format.FORMAT, "version": 1, "language": "zh-Hans", "views": VIEWS})


def test_a_deck_link_in_presenter_mode_walks_every_page_in_simplified_chinese(live):
    url, b = live
    OUT.mkdir(exist_ok=True)
    context = b.new_context(**PROJECTOR)
    page = context.new_page()
    page.goto(f"{url}/?{deck.DECK}={LINK}&{deck.AT}=0&present=1")
    settle(page)
    next_view = page.locator(".st-key-deck_next button")  # the deck bar's (a last step's Next says the same)
    for i, view in enumerate(VIEWS):
        name = view["page"]
        if i:
            next_view.click()
            page.wait_for_url(re.compile(rf"/{name}\?"), timeout=60000)
            settle(page)
        no_exception(page)
        assert heading(page) == i18n.translate(f"{name}.title", "zh-Hans"), name
        address = query(page)
        assert address.get(deck.AT) == str(i) and address.get("present") == "1", (name, page.url)
        assert {k: v for k, v in view["params"].items()}.items() <= address.items(), (name, page.url)
        bar = page.locator(".st-key-presenter_steps")
        said = i18n.translate("deck.view", "zh-Hans", n=i + 1, total=len(VIEWS))
        assert said in bar.inner_text() and view["note"] in bar.inner_text(), name
        page.screenshot(path=OUT / f"deck_{i + 1:02d}_{name}.png")
    assert next_view.is_disabled()
    context.close()


def test_a_deck_link_on_a_phone(live):
    url, b = live
    context = b.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{url}/?{deck.DECK}={LINK}&{deck.AT}=7")
    page.wait_for_url(re.compile(r"/fusion\?"), timeout=60000)
    settle(page)
    no_exception(page)
    assert heading(page) == i18n.translate("fusion.title", "zh-Hans")
    page.screenshot(path=OUT / "deck_phone_fusion.png")
    context.close()


def test_a_locked_links_widgets_are_greyed_or_hidden(live):
    url, b = live
    context = b.new_context(**PROJECTOR)
    page = context.new_page()
    page.goto(f"{url}/fusion?lock=fusion&free=fusion.level_image&hide=fusion.curve&world=digits")
    settle(page)
    no_exception(page)
    style = "e => [getComputedStyle(e).pointerEvents, getComputedStyle(e).opacity, getComputedStyle(e).display]"
    assert page.locator(".st-key-fusion-task").evaluate(style)[:2] == ["none", "0.45"]
    assert page.locator(".st-key-world").evaluate(style)[:2] == ["none", "0.45"]
    assert page.locator(".st-key-fusion-level_image").evaluate(style)[:2] == ["auto", "1"]
    assert page.locator(".st-key-fusion-curve").evaluate(style)[2] == "none"
    page.screenshot(path=OUT / "deck_locked_fusion.png")
    context.close()


def test_a_lecturer_builds_a_deck_in_the_sidebar_and_a_student_opens_its_link(live):
    url, b = live
    context = b.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/fusion")
    settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    for name, note in (("fusion", "Noise first"), ("alignment", "Then the tempo")):
        if name != "fusion":
            click_nav(page, name, "en")
        expander = sidebar.locator(".st-key-deck_add")
        if not expander.is_visible():
            sidebar.get_by_text(i18n.translate("deck.title", "en")).click()
        box = sidebar.get_by_label(i18n.translate("deck.note", "en"))
        box.fill(note)
        box.press("Enter")
        settle(page)
        sidebar.get_by_role("button", name=i18n.translate("deck.add", "en")).click()
        settle(page)
    assert sidebar.get_by_text("Then the tempo").count() == 1
    sidebar.locator(".st-key-deck_add").scroll_into_view_if_needed()
    page.screenshot(path=OUT / "deck_sidebar_built.png")
    sidebar.get_by_role("button", name=i18n.translate("common.share", "en")).click()
    code = page.locator('[data-testid="stPopoverBody"] code').first
    code.wait_for(timeout=30000)
    link = code.inner_text().strip()
    page.screenshot(path=OUT / "deck_share_box.png")
    context.close()
    assert f"{deck.DECK}=" in link and f"{deck.AT}=0" in link, link

    student = b.new_context(viewport={"width": 1280, "height": 800})
    page = student.new_page()
    page.goto(link)
    page.wait_for_url(re.compile(r"/fusion"), timeout=60000)
    settle(page)
    no_exception(page)
    assert heading(page) == i18n.translate("fusion.title", "en")
    page.locator(".st-key-deck_next button").click()
    page.wait_for_url(re.compile(r"/alignment"), timeout=60000)
    settle(page)
    assert heading(page) == i18n.translate("alignment.title", "en")
    assert "Then the tempo" in page.locator(MAIN).inner_text()
    student.close()
