"""The journeys of DESIGN.md in Chromium against `streamlit run app.py`, moving as people do: by the
sidebar navigation, by Previous / Next, by a copied link opened in a fresh browser.

Screenshots land in test-output/journey_*.png (the lecturer's at projector size, 1280×800).
"""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from components import i18n, router
from models.captioning import scenes
from models.core import worlds

from browser import MAIN, click_nav, heading, no_exception, query, require_chromium, settle

OUT = Path(__file__).resolve().parent.parent / "test-output"
SIDEBAR = '[data-testid="stSidebar"]'
PLOTS = (
    f"""() => Array.from(document.querySelectorAll('{MAIN} .js-plotly-plot')).map(p => JSON.stringify(p.data || []))"""
)

require_chromium()


def in_view(page, name: str) -> None:
    """The chart the step talks about is brought on screen, under the steps bar that stays at the top."""
    focus = page.locator(".st-key-presenter_focus")
    if not focus.count():
        return
    try:
        page.wait_for_function(
            """() => { const box = document.querySelector('.st-key-presenter_focus').getBoundingClientRect();
            return box.top < window.innerHeight - 80 && box.bottom > 200; }""",
            timeout=20000,
        )  # on screen, under the bar
    except PlaywrightTimeout as timeout:
        box = focus.first.bounding_box()
        step = query(page).get(f"{name}.step")
        raise AssertionError(f"{name}, step {step}: the step's chart is off screen: {box}") from timeout
    bar = page.locator(".st-key-presenter_steps").bounding_box()
    assert bar and 0 <= bar["y"] < 200, (name, bar)  # Previous / Next still on screen


def test_lecturer_walks_every_page_in_traditional_chinese(live):
    """`/?lang=zh-Hant&present=1`, every page by the sidebar, Next through every step."""
    url, b = live
    context = b.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/?lang=zh-Hant&present=1")
    settle(page)
    OUT.mkdir(exist_ok=True)
    next_label = i18n.translate("common.next", "zh-Hant")
    for name in router.PAGES:
        if name != "home":
            click_nav(page, name, "zh-Hant")
        presses = 0
        while True:
            no_exception(page)
            assert heading(page) == i18n.translate(f"{name}.title", "zh-Hant"), name
            main = page.locator(MAIN).inner_text()
            assert i18n.translate(f"{name}.key_idea", "zh-Hant") in main, f"{name}: the key idea, in 繁體中文"
            assert query(page).get("lang") == "zh-Hant" and query(page).get("present") == "1", (name, page.url)
            step = int(query(page).get(f"{name}.step", 0))
            assert step == presses, (name, step, presses)
            forward = page.get_by_role("button", name=next_label)
            if presses == 0:
                page.screenshot(path=OUT / f"journey_lecturer_{name}.png")
            if forward.is_disabled():
                break
            forward.click()
            settle(page)
            presses += 1
            in_view(page, name)
        assert presses >= 2, f"{name} has guided steps to press through"
    context.close()


def share_link(page) -> str:
    page.locator(SIDEBAR).get_by_role("button", name=i18n.translate("common.share", "en")).click()
    link = page.locator('[data-testid="stPopoverBody"] code').first
    link.wait_for(timeout=30000)
    text = link.inner_text().strip()
    page.keyboard.press("Escape")
    return text


def slider_values(page) -> list[str]:
    return [s.input_value() for s in page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"]').all()]


def test_student_changes_a_step_and_the_shared_link_reopens_it(live):
    url, b = live
    lecturer = b.new_context(viewport={"width": 1280, "height": 900})
    page = lecturer.new_page()
    page.goto(f"{url}/fusion?present=1")
    settle(page)
    for _ in range(2):  # the third step: the sound goes missing
        page.get_by_role("button", name=i18n.translate("common.next", "en")).click()
        settle(page)
    third_step = page.url
    assert query(page)["fusion.step"] == "2"
    lecturer.close()

    student = b.new_context(viewport={"width": 1400, "height": 2000})
    page = student.new_page()
    page.goto(third_step)
    settle(page)
    no_exception(page)
    slider = page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"]').first
    before = slider.input_value()
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    settle(page)
    after = slider.input_value()
    assert after != before
    link = share_link(page)
    assert link.startswith(url) and "fusion.level_image=0.2" in link, link
    sliders = slider_values(page)
    plots = page.evaluate(PLOTS)
    student.close()

    fresh = b.new_context(viewport={"width": 1400, "height": 2000})
    page = fresh.new_page()
    page.goto(link)
    settle(page)
    no_exception(page)
    assert slider_values(page) == sliders
    assert page.evaluate(PLOTS) == plots, "the same charts, from the same link"
    fresh.close()


SETTINGS = {  # setting -> (how a visitor sets it in the sidebar, its URL value)
    "lang": ("selectbox:0", "简体中文", "zh-Hans"),
    "present": ("toggle", "common.presenter_mode", "1"),
    "world": ("selectbox:1", "common.world_digits", "digits"),
    "seed": ("number", "42", "42"),
    "model_source": ("radio", "pretrained.pretrained", "pretrained"),
}


def set_in_sidebar(page, how: str, what: str) -> None:
    sidebar = page.locator(SIDEBAR)
    language = query(page).get("lang", "en")
    if how.startswith("selectbox"):
        sidebar.locator('[data-testid="stSelectbox"]').nth(int(how.split(":")[1])).click()
        text = what if "." not in what else i18n.translate(what, language)
        page.locator('[role="option"]', has_text=text).first.click()
    elif how == "toggle":
        sidebar.get_by_text(i18n.translate(what, language)).click()
    elif how == "number":
        box = sidebar.locator('[data-testid="stNumberInput"] input').first
        box.fill(what)
        box.press("Enter")
    else:
        sidebar.get_by_text(i18n.translate(what, language)).click()
    settle(page)


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_a_setting_survives_the_sidebar_navigation(live, setting):
    url, b = live
    how, what, value = SETTINGS[setting]
    context = b.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/")
    settle(page)
    set_in_sidebar(page, how, what)
    assert query(page).get(setting) == value, page.url
    language = query(page).get("lang", "en")
    for name in ("neural_networks", "colearning"):  # two other pages, by the navigation
        click_nav(page, name, language)
        no_exception(page)
        assert query(page).get(setting) == value, (setting, name, page.url)
    if setting == "lang":
        assert heading(page) == i18n.translate("colearning.title", "zh-Hans")
    if setting == "present":
        assert page.get_by_role("button", name=i18n.translate("common.next", "en")).count() == 1
    context.close()


def test_a_first_visit_in_a_taiwanese_browser_starts_in_traditional_chinese(live):
    url, b = live
    context = b.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/")
    settle(page)
    assert heading(page) == i18n.translate("home.title", "zh-Hant")
    click_nav(page, "fusion", "zh-Hant")
    assert heading(page) == i18n.translate("fusion.title", "zh-Hant")
    context.close()


@pytest.mark.parametrize(
    "link",
    [
        "/fusion?fusion.level_sound=7",
        "/alignment?alignment.tempo=9",
        "/captioning?captioning.beams=1e30&lang=xx&seed=-5",
        "/representation?representation.dims=%E4%B8%89&present=maybe",
    ],
)
def test_a_hand_edited_link_opens_the_page(live, link):
    url, b = live
    context = b.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + link)
    settle(page)
    no_exception(page)
    name = urlparse(link).path.strip("/")
    assert heading(page) == i18n.translate(f"{name}.title", "en")
    context.close()


CHOICES = """() => {
  const radios = Array.from(document.querySelectorAll('[role="radiogroup"]')).map(g => {
    const checked = g.querySelector('input:checked, [role="radio"][aria-checked="true"]');  // radio, segmented control
    return checked ? (checked.closest('label') || checked).innerText.trim() : null;
  });
  const selects = Array.from(document.querySelectorAll('[data-testid="stSelectbox"]')).map(s => s.innerText.trim());
  return {radios, selects};
}"""


@pytest.mark.parametrize("name", router.PAGES)
def test_after_switching_language_every_choice_still_shows_in_the_new_language(live, name):
    """Radios kept no selection and select boxes kept English values after the sidebar's language
    changed, until a reload: the page must look as it does when opened in that language."""
    url, b = live
    path = "" if name == "home" else name
    context = b.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.goto(f"{url}/{path}")
    settle(page)
    set_in_sidebar(page, "selectbox:0", "简体中文")
    switched = page.evaluate(CHOICES)
    assert None not in switched["radios"], switched
    context.close()
    fresh = b.new_context(viewport={"width": 1280, "height": 1600})
    page = fresh.new_page()
    page.goto(f"{url}/{path}?lang=zh-Hans")
    settle(page)
    assert page.evaluate(CHOICES) == switched
    fresh.close()


def test_the_home_pages_links_keep_the_language(live):
    """Home's links to the five challenges are the other way to move (st.page_link)."""
    url, b = live
    context = b.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.goto(f"{url}/")
    settle(page)
    set_in_sidebar(page, "selectbox:0", "简体中文")
    page.locator(MAIN).get_by_text(i18n.translate("home.open_page", "zh-Hans")).first.click()
    page.wait_for_url(re.compile(r"/representation"), timeout=60000)
    settle(page)
    no_exception(page)
    assert heading(page) == i18n.translate("representation.title", "zh-Hans")
    assert query(page).get("lang") == "zh-Hans"
    context.close()


def test_a_lecturer_downloads_a_charts_numbers_for_the_slides(live):
    """Under a chart, "Numbers (CSV)" saves what the chart draws, headed by its title and caption in the
    visitor's language; clicking it does not rerun the page."""
    import csv
    import io

    url, b = live
    context = b.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/fusion?lang=zh-Hans")
    settle(page)
    chart = page.locator(".st-key-fusion_curves")
    chart.scroll_into_view_if_needed()
    drawn = chart.locator(".js-plotly-plot").evaluate(
        "p => p.data.filter(t => t.x && t.x[0] !== null).map(t => [t.name, String(t.x[0]), String(t.y[0])])"
    )
    with page.expect_download(timeout=60000) as download:
        page.locator(".st-key-fusion_curves_numbers button").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    heading = [r[0] for r in rows[: rows.index([])]]
    captions = page.locator(f'{MAIN} [data-testid="stCaptionContainer"]').all_inner_texts()
    assert any(line.strip() in captions for line in heading), (heading, "the chart's caption heads the file")
    assert re.search("[\u4e00-\u9fff]", " ".join(heading)), "in the visitor's language"
    numbers = {(r[0], float(r[1]), float(r[2])) for r in rows if len(r) == 3 and r[1] != "x"}
    assert drawn and all((name, float(x), float(y)) in numbers for name, x, y in drawn), (drawn, rows[:8])
    assert page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") == "notRunning"
    context.close()


def test_clicking_a_point_in_a_map_shows_its_sample_in_both_maps(live):
    """Representation: a click on a point of the joint map shows that sample under the maps, and the
    coordinated map rings its three points (one per modality)."""
    url, b = live
    context = b.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/representation")
    settle(page)
    joint = page.locator(".st-key-representation_joint_map .js-plotly-plot")
    joint.scroll_into_view_if_needed()
    point = joint.locator(".scatterlayer .trace .points path").nth(5)
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settle(page)
    no_exception(page)
    card = page.locator(".st-key-representation_chosen")
    card.wait_for(timeout=30000)
    ringed = page.locator(".st-key-representation_coordinated_map .js-plotly-plot").evaluate(
        "p => p.data.filter(t => t.name === 'chosen').map(t => t.x.length !== undefined ? t.x.length"
        " : atob(t.x.bdata).length / ({f8: 8, f4: 4, i4: 4, u1: 1}[t.x.dtype]))"
    )
    assert ringed == [3], ringed
    assert "representation.chosen=" in page.url
    context.close()


def click_point(page, chart_key: str, selector: str, n: int) -> None:
    """A visitor's click on the n-th mark (`selector` inside the chart's Plotly div) of a chart."""
    chart = page.locator(f".st-key-{chart_key} .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    box = chart.locator(selector).nth(n).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settle(page)
    no_exception(page)


def outline(page, chart_key: str) -> dict:
    """The chart's outline of what is chosen (a layout shape), as Plotly drew it."""
    return page.locator(f".st-key-{chart_key} .js-plotly-plot").evaluate(
        "p => (p.layout.shapes || []).filter(s => s.name === 'chosen' || s.type === 'rect').map(s => [s.x0, s.y0])[0]"
    )


def test_clicking_a_cell_or_a_bar_shows_what_it_stands_for(live):
    """Fusion: a click on a confusion cell shows one of its test rows and outlines the cell; co-learning:
    a click on a pseudo-label cell shows that cell's pictures; captioning: a click on a metric bar
    opens its stress set in the gallery and outlines it in both metric charts."""
    url, b = live
    context = b.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()

    page.goto(f"{url}/fusion")
    settle(page)
    page.locator("summary", has_text=i18n.translate("fusion.closer_title", "en", strategy="")[:10]).click()
    settle(page)
    n = 4  # shapes: 4 classes, cells in row-major order (true, said); cell 5 is (1, 1)
    click_point(page, "fusion_confusion", ".scatterlayer .trace .points path", n + 1)
    assert outline(page, "fusion_confusion") == [0.5, 0.5], outline(page, "fusion_confusion")
    second = i18n.label(worlds.MAIN_CLASSES["shapes"][1])
    title = page.locator(".st-key-fusion_chosen").inner_text()
    assert f"truth {second}, this model says {second}" in title, title

    page.goto(f"{url}/colearning")
    settle(page)
    page.locator("summary", has_text=i18n.translate("colearning.pseudo_title", "en", accuracy="")[:12]).click()
    settle(page)
    click_point(page, "colearning_confusion", ".scatterlayer .trace .points path", 0)
    assert outline(page, "colearning_confusion") == [-0.5, -0.5]
    assert "colearning.cell=0-0" in page.url

    page.goto(f"{url}/captioning")
    settle(page)
    bars = page.locator(".st-key-captioning_exact_match .barlayer .trace").first.locator(".point path")
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    index = next(i for i, width in enumerate(widths) if i and width > 8)  # a set other than the first, not 0 %
    click_point(page, "captioning_exact_match", ".barlayer .trace .points .point path", index)
    assert f"captioning.stress={scenes.STRESS_SETS[index]}" in page.url, (index, page.url)
    assert outline(page, "captioning_chair_s")[1] == index - 0.5, outline(page, "captioning_chair_s")
    context.close()
