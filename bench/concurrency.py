"""A room full of visitors: N browser sessions at once against one server; prints a table.

    python bench/concurrency.py              # 1, 10 and 30 sessions, 20 s each
    python bench/concurrency.py 1 5 --seconds 10

Each session is its own browser context (its own Streamlit session) on a random page. It waits for
the page to finish, then for a bounded time keeps changing a widget that every page has (the
presenter-mode toggle) or, where the page has one, a number input in the main area, and records
the time from the click until the script is idle again. Reported: p50/p95 rerun latency, the
number of reruns, errors shown, and the server's RSS, against a single session in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import CHROMIUM, CHROMIUM_ARGS, rss_mb, server  # noqa: E402

STATE = "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState"


async def _idle(page, timeout_ms: int = 300000) -> None:
    await page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    await page.wait_for_function(f"() => {STATE} === 'notRunning'", timeout=timeout_ms)


async def _rerun(page, control) -> float:
    start = time.perf_counter()
    await control.click(timeout=120000)
    try:
        await page.wait_for_function(f"() => {STATE} === 'running'", timeout=1000)
    except Exception:
        pass  # the rerun was faster than our first look
    await page.wait_for_function(f"() => {STATE} === 'notRunning'", timeout=120000)
    return time.perf_counter() - start


async def session(browser, url: str, pages: list[str], seconds: float, rng: random.Random) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    name = rng.choice(pages)
    await page.goto(url + ("/" if name == "home" else f"/{name}"), timeout=300000)
    await _idle(page)
    latencies, end = [], time.perf_counter() + seconds
    step_up = page.locator('[data-testid="stMain"] [data-testid="stNumberInputStepUp"]')
    toggle = page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"] label').first
    timeouts = 0
    while time.perf_counter() < end:
        control = step_up.first if await step_up.count() and rng.random() < 0.5 else toggle
        try:
            latencies.append(await _rerun(page, control))
        except Exception:  # a click or rerun that did not finish within the timeout: counted, not fatal
            timeouts += 1
            break
    exceptions = page.locator('[data-testid="stException"]')
    errors = [f"{name}: {(await exceptions.nth(i).inner_text())[:300]}" for i in range(await exceptions.count())]
    await context.close()
    return {"page": name, "latencies": latencies, "errors": errors, "timeouts": timeouts}


async def run(counts: list[int], seconds: float) -> None:
    from playwright.async_api import async_playwright

    pages = [p.stem for p in sorted((ROOT / "lessons").glob("*.py"))]
    rng = random.Random(0)
    print(
        f"{'sessions':>8} {'reruns':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'timeouts':>8} {'server RSS MB':>14}"
    )
    with server() as (url, proc, _):
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for n in counts:
                results = await asyncio.gather(
                    *[session(browser, url, pages, seconds, random.Random(rng.random())) for _ in range(n)]
                )
                latencies = sorted(x * 1000 for r in results for x in r["latencies"])
                p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan")
                print(
                    f"{n:>8} {len(latencies):>7} {statistics.median(latencies) if latencies else float('nan'):>8.0f} "
                    f"{p95:>8.0f} {sum(len(r['errors']) for r in results):>6} {sum(r['timeouts'] for r in results):>8} "
                    f"{rss_mb(proc.pid):>14.0f}",
                    flush=True,
                )
                for error in (e for r in results for e in r["errors"]):
                    print("   error shown:", error.replace("\n", " "), flush=True)
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[1, 10, 30])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(run(args.counts, args.seconds))
