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

from components import router  # noqa: E402

from browser import PHONE, PROJECTOR, browser, full_page_screenshot, scroll_through, server, wait_idle  # noqa: E402


def open_page(context, url: str, name: str, query: str = ""):
    page = context.new_page()
    page.goto(f"{url}/{'' if name == 'home' else name}{query}")
    page.wait_for_timeout(400)
    wait_idle(page, timeout_ms=240000)
    scroll_through(page)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "screens", help="folder for the PNGs")
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=router.PAGES,
        default=list(router.PAGES),
        metavar="PAGE",
        help=f"pages to take (default: all of {', '.join(router.PAGES)})",
    )
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
                        full_page_screenshot(page, path)
                finally:
                    context.close()
            print(f"{name}: {time.perf_counter() - start:.1f} s")
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
