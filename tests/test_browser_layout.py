"""No text overflows its box, on every page, at projector size and on a phone.

Each page opens at 1280×800 in presenter mode (`?present=1`) and at 390×844 as a phone; once it has
drawn (scrolled to the bottom and back, so every chart is drawn), `browser.overflowing` lists every
label, caption, button, select box value, radio option, table cell, metric, tab label and Plotly
text that does not fit its box. A full-page screenshot of each lands in
test-output/layout_<page>_<desktop|phone>.png, to see what a failure looks like.
"""

from pathlib import Path

import pytest

from components import router

from browser import (
    PHONE,
    PROJECTOR,
    full_page_screenshot,
    overflowing,
    require_chromium,
    scroll_through,
    wait_idle,
)

OUT = Path(__file__).resolve().parent.parent / "test-output"
SIZES = {"desktop": (PROJECTOR, "?present=1"), "phone": (PHONE, "")}

require_chromium()

# Known and not yet fixed: side-by-side panels too narrow on a phone for their titles (Plotly annotations
# wrap only where the figure says). Strict: the day it is fixed, the test says so and the entry must go.
KNOWN: dict = {}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", router.PAGES)
def test_no_text_overflows_its_box(live, name, size, request):
    if (name, size) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[name, size], strict=True))
    url, b = live
    options, query = SIZES[size]
    context = b.new_context(**options)
    try:
        page = context.new_page()
        page.goto(f"{url}/{'' if name == 'home' else name}{query}")
        page.wait_for_timeout(400)
        wait_idle(page, timeout_ms=180000)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        scroll_through(page)
        found = overflowing(page)
        OUT.mkdir(exist_ok=True)
        full_page_screenshot(page, OUT / f"layout_{name}_{size}.png")
    finally:
        context.close()
    assert found == [], f"{name} at {size} size:\n" + "\n".join(found)
