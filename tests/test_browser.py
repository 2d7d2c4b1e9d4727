"""The app in a real browser: the home page renders, with no exception block, in each mode."""

from pathlib import Path

import pytest

from browser import require_chromium, wait_idle

OUT = Path(__file__).resolve().parent.parent / "test-output"

require_chromium()


@pytest.mark.parametrize(
    "query,title",
    [
        ("", "Multimodal Playground"),
        ("?present=1", "Multimodal Playground"),
        ("?lang=zh-Hans", "多模态游乐场"),
    ],
)
def test_home_page_in_a_real_browser(live, query, title):
    url, b = live
    page = b.new_page(viewport={"width": 1400, "height": 2200})
    page.goto(url + "/" + query)
    wait_idle(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30000)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30000)
    assert page.locator('[data-testid="stException"]').count() == 0
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=OUT / f"home{query.replace('?', '_').replace('=', '-') or '_default'}.png")
    page.close()


def test_changing_the_sample_updates_the_page(live):
    url, b = live
    page = b.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(url + "/")
    wait_idle(page)
    before = page.locator("blockquote").first.inner_text()
    page.get_by_role("button", name="Random sample").click()
    page.wait_for_timeout(300)
    wait_idle(page)
    assert page.locator("blockquote").first.inner_text() != before
    assert "home.sample=" in page.url
    page.close()
