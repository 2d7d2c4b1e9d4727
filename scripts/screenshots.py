"""Screenshots of every page: what a projector shows and what a phone shows.

    python scripts/screenshots.py [--out test-output/screens] [--pages home fusion ...]

Starts the app with tests/browser.py's server() (Debian Chromium, no network) and writes, per page,
<page>_projector.png (1280×800 in presenter mode, the first screen only, as a projector shows it) and
<page>_phone.png (390×844 at 2× pixels, the whole page).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from browser import browser, server, wait_idle  # noqa: E402
from components import router  # noqa: E402

MAIN = '[data-testid="stMain"]'
PROJECTOR = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def open_page(context, url: str, name: str, query: str = ""):
    page = context.new_page()
    page.goto(f"{url}/{'' if name == 'home' else name}{query}")
    page.wait_for_timeout(400)
    wait_idle(page, timeout_ms=240000)
    for position in ("el.scrollHeight", "0"):  # to the bottom and back, so every chart has drawn
        page.evaluate(f"() => {{ const el = document.querySelector('{MAIN}'); el.scrollTo(0, {position}); }}")
        page.wait_for_timeout(500)
    page.wait_for_timeout(1000)
    return page


def full_page(page, path: Path) -> None:
    """The app scrolls inside stMain, not the window, so Playwright's full_page sees one screen: make the
    window as tall as the page (same width, so the same line breaks) for the screenshot."""
    size = page.viewport_size
    height = page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 16000)})
    page.wait_for_timeout(500)
    page.screenshot(path=path)
    page.set_viewport_size(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "screens", help="folder for the PNGs")
    parser.add_argument("--pages", nargs="+", choices=router.PAGES, default=list(router.PAGES), metavar="PAGE",
                        help=f"pages to take (default: all of {', '.join(router.PAGES)})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with server() as (url, _, _), browser() as b:
        for name in args.pages:
            start = time.perf_counter()
            for kind, options, query in (("projector", PROJECTOR, "?present=1"), ("phone", PHONE, "")):
                context = b.new_context(**options)
                try:
                    page = open_page(context, url, name, query)
                    errors = page.locator('[data-testid="stException"]').count()
                    if errors:
                        print(f"warning: {name} ({kind}) shows {errors} exception block(s)", file=sys.stderr)
                    path = args.out / f"{name}_{kind}.png"
                    if kind == "projector":
                        page.screenshot(path=path)
                    else:
                        full_page(page, path)
                finally:
                    context.close()
            print(f"{name}: {time.perf_counter() - start:.1f} s")
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
