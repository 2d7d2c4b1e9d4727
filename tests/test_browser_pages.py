"""Every page in a real browser: it finishes, shows no exception, and its main control changes it."""

from pathlib import Path

import pytest

from browser import MAIN, require_chromium, settle, wait_idle
from conftest import PAGE_NAMES

OUT = Path(__file__).resolve().parent.parent / "test-output"
# A digest of what the page shows: its text and the data of every plotly chart.
DIGEST = f"""() => {{
  const main = document.querySelector('{MAIN}');
  const plots = Array.from(main.querySelectorAll('.js-plotly-plot')).map(p => JSON.stringify(p.data || []));
  return main.innerText + plots.join('|');
}}"""

require_chromium()


def change_main_control(page) -> str:
    """Move the page's first visible number input, select box or slider; returns what was changed."""
    page.locator(
        f'{MAIN} [data-testid="stSlider"], {MAIN} [data-testid="stNumberInputStepUp"], '
        f'{MAIN} [data-testid="stSelectbox"]'
    ).first.wait_for(state="attached", timeout=30000)
    step_up = page.locator(f'{MAIN} [data-testid="stNumberInputStepUp"] >> visible=true')
    if step_up.count():
        step_up.first.click()
        return "number input"
    select = page.locator(f'{MAIN} [data-testid="stSelectbox"] >> visible=true')
    if select.count():
        select.first.click()
        page.locator('[role="option"][aria-selected="false"]').first.click()
        return "select box"
    slider = page.locator(f'{MAIN} [data-testid="stSlider"] >> visible=true')  # st.slider and st.select_slider
    if slider.count():
        slider.first.locator('input[type="range"]').first.focus()
        page.keyboard.press("ArrowRight")
        return "slider"
    pytest.fail("the page has no slider, number input or select box in its main area")


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_in_a_real_browser(live, name):
    url, b = live
    page = b.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(url + ("/" if name == "home" else f"/{name}"))
    wait_idle(page, timeout_ms=180000)
    page.wait_for_timeout(1000)  # let plotly draw
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name} shows an exception"
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=OUT / f"page_{name}.png")
    before = page.evaluate(DIGEST)
    control = change_main_control(page)
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.evaluate(DIGEST) != before, f"changing the {control} of {name} changed nothing"
    page.close()
