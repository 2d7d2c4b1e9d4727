"""Every pretrained view in a real browser, reached by its link, with the tiny local models."""

from pathlib import Path

import pytest

from components import i18n

from browser import browser, require_chromium, server, wait_idle

OUT = Path(__file__).resolve().parent.parent / "test-output"
VIEWS = {  # page -> the URL state that shows its pretrained part
    "unimodal": "",
    "unimodal.section=text": "unimodal",
    "unimodal.section=sound": "unimodal",
    "spectrograms": "",
    "representation": "",
    "alignment.view=implicit": "alignment",
    "captioning": "",
}
LOADED = i18n.translate("pretrained.loaded", "en", model="", parameters="", megabytes="", seconds="").split("**")[0]

require_chromium()


@pytest.fixture(scope="module")
def live(tiny_dir):
    with server(env={"PLAYGROUND_PRETRAINED_DIR": str(tiny_dir), "HF_HUB_OFFLINE": "1"}) as (url, _, _), browser() as b:
        yield url, b


@pytest.mark.parametrize("view", VIEWS)
def test_pretrained_view_by_its_link(live, view):
    url, b = live
    page_name, query = (VIEWS[view], view) if VIEWS[view] else (view, "")
    page = b.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(f"{url}/{page_name}?model_source=pretrained" + (f"&{query}" if query else ""))
    wait_idle(page, timeout_ms=180000)
    page.wait_for_timeout(1000)  # let plotly draw
    assert page.locator('[data-testid="stException"]').count() == 0, f"{view} shows an exception"
    assert LOADED.strip() in page.inner_text('[data-testid="stMain"]'), f"{view} shows no pretrained model"
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=OUT / f"pretrained_{view.replace('=', '-')}.png")
    page.close()
