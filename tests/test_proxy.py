"""Several servers behind nginx (deploy/): sticky sessions, a sub-path, and share links that open.

- Two `streamlit run app.py` replicas behind nginx, the app under /mmml (`--server.baseUrlPath`):
  visitors in separate Chromium contexts are spread over both replicas, and every request of one
  visitor (the page, static files, health, the websocket, media files, an upload) reaches one
  replica, by the access log (`deploy.local.Cluster.log()`).
- A deep link with state under /mmml, opened through the proxy: the share box's link keeps the
  prefix, the proxy's address and the state; its QR code decodes to the same link (`zbarimg`, Debian's
  zbar-tools); the link opened in a fresh browser shows the same view.
- The configuration at the site's root too, by plain HTTP.
- `share_url()` on Hugging Face Spaces (SPACE_ID), by AppTest: no nginx or browser needed.

nginx (Debian's, `apt-get install nginx`), Chromium and zbarimg (`apt-get install zbar-tools`) are
needed by the live tests; where one is missing they are skipped, unless REQUIRE_BROWSER is set (CI).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
import urllib.request
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from components import i18n
from deploy import local

from browser import MAIN, browser, no_exception, require_chromium, settle

SIDEBAR = '[data-testid="stSidebar"]'
POPOVER = '[data-testid="stPopoverBody"]'
BASE_PATH = "mmml"
MIN_VISITORS, MAX_VISITORS = 3, 12  # each new visitor lands on a random replica: 2 of 12 alone is 1 in 2048


def require(what: str, found: bool, install: str) -> None:
    """Skip where a program is missing, unless CI demands the live tests (as `require_chromium`)."""
    if not found:
        if os.environ.get("REQUIRE_BROWSER"):
            raise RuntimeError(f"REQUIRE_BROWSER is set but {what} is missing ({install})")
        pytest.skip(f"{what} is not installed here ({install})")


def require_nginx() -> None:
    require("nginx", local.nginx_path() is not None, "apt-get install nginx")


def zbarimg() -> str | None:
    return shutil.which("zbarimg")


@pytest.fixture(scope="module")
def live():
    """Two replicas behind nginx, the app under /mmml, and a Chromium."""
    require_nginx()
    require_chromium()
    with local.cluster(2, BASE_PATH) as url, browser() as b:
        yield url, b


def route_of(context) -> str:
    """The visitor's routing cookie, which nginx set on the first response."""
    return next(c["value"] for c in context.cookies() if c["name"] == local.COOKIE)


def png(colour=(200, 40, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


def test_each_visitor_stays_on_one_replica_and_both_replicas_serve(live):
    url, b = live
    visitors: dict[str, object] = {}  # routing cookie -> browser context, kept open until the end
    for n in range(MAX_VISITORS):
        context = b.new_context()
        page = context.new_page()
        page.goto(f"{url}/")  # the first request has no cookie: nginx routes it on its own id and sets it
        settle(page)
        no_exception(page)
        assert page.locator(f"{MAIN} audio").count(), "the home page plays a sound: a media file"
        visitors[route_of(context)] = context
        if n == 0:  # an upload: the file must reach the replica that holds the visitor's session
            page.goto(f"{url}/unimodal?unimodal.image_source=upload")
            settle(page)
            page.locator(f'{MAIN} [data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
                {"name": "red.png", "mimeType": "image/png", "buffer": png()}
            )
            page.locator(f'{MAIN} [data-testid="stFileChipName"]').first.wait_for(timeout=30000)
            settle(page)
            no_exception(page)
        served = {e["upstream"] for e in url.log() if e["route"] in visitors}
        if n + 1 >= MIN_VISITORS and len(served) == 2:
            break
    for context in visitors.values():
        context.close()  # a websocket's log line is written when it closes

    def complete() -> bool:
        streams = {e["route"] for e in url.log() if e["request"].startswith(f"GET /{BASE_PATH}/_stcore/stream ")}
        return set(visitors) <= streams

    for _ in range(100):
        if complete():
            break
        time.sleep(0.1)
    assert complete(), "every visitor's websocket is in the access log once closed"

    log = url.log()
    replicas = set()
    for route in visitors:
        requests = [e for e in log if e["route"] == route]
        first = [e for e in requests if e["request_id"] == route]  # the cookie is the first request's id
        assert len(first) == 1 and not first[0]["cookie"], first
        assert first[0]["request"].startswith(f"GET /{BASE_PATH}/ "), "the page, then everything it loads"
        assert all(e["cookie"] == route for e in requests if e is not first[0]), "after it, the cookie routes"
        kinds = {
            kind
            for kind, prefix in KINDS.items()
            if any(e["request"].split()[1].startswith(f"/{BASE_PATH}{prefix}") for e in requests)
        }
        assert set(KINDS) <= kinds, (route, kinds)
        upstreams = {e["upstream"] for e in requests}
        assert len(upstreams) == 1 and upstreams <= set(url.replicas), (route, upstreams)
        replicas |= upstreams
        assert all(e["status"] < 500 for e in requests), [e for e in requests if e["status"] >= 500]
    assert replicas == set(url.replicas), f"{len(visitors)} visitors, all on {replicas}"
    uploads = [e for e in log if "/_stcore/upload_file/" in e["request"]]
    assert uploads and all(e["status"] in (200, 204) for e in uploads), uploads
    assert url.served_by().keys() >= visitors.keys()


KINDS = {"static": "/static/", "health": "/_stcore/health", "websocket": "/_stcore/stream", "media": "/media/"}


def share_box(page, language: str) -> tuple[str, bytes]:
    """The link in the sidebar's share box, and its QR code's PNG (fetched as the visitor's browser
    fetches it: with the visitor's cookie, from the visitor's replica)."""
    page.locator(SIDEBAR).get_by_role("button", name=i18n.translate("common.share", language)).click()
    code = page.locator(f"{POPOVER} code").first
    code.wait_for(timeout=30000)
    link = code.inner_text().strip()
    image = page.locator(f"{POPOVER} img").first
    image.wait_for(timeout=30000)
    response = page.request.get(urljoin(page.url, image.get_attribute("src")))
    assert response.ok, response.status
    picture = response.body()
    page.keyboard.press("Escape")
    return link, picture


def decode_qr(picture: bytes, tmp_path) -> str:
    path = tmp_path / "qr.png"
    path.write_bytes(picture)
    found = subprocess.run(
        [zbarimg(), "--nodbus", "--raw", "-q", str(path)], capture_output=True, timeout=30, check=False
    )
    assert found.returncode == 0, found.stderr.decode(errors="replace")
    return found.stdout.decode("utf-8").strip()


def view(page) -> dict:
    """What a visitor sees of the state: the title, every slider, every chosen radio option."""
    sliders = page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"]').all()
    return {
        "title": page.locator(f"{MAIN} h1").first.inner_text().strip(),
        "sliders": [s.input_value() for s in sliders],
        "radios": page.evaluate("""() => Array.from(document.querySelectorAll(
            '[data-testid="stRadio"] input:checked')).map(i => i.closest('label').innerText.trim())"""),
    }


def test_a_deep_link_under_a_sub_path_shares_a_link_and_qr_code_that_open_the_same_view(live, tmp_path):
    require("zbarimg", zbarimg() is not None, "apt-get install zbar-tools")
    url, b = live
    assert urlsplit(url).path == f"/{BASE_PATH}"
    state = {"lang": "zh-Hans", "fusion.task": "unique", "fusion.level_image": "0.3"}
    deep_link = f"{url}/fusion?" + "&".join(f"{k}={v}" for k, v in state.items())

    first = b.new_context(viewport={"width": 1400, "height": 1600})
    page = first.new_page()
    page.goto(deep_link)
    settle(page)
    no_exception(page)
    seen = view(page)
    assert seen["title"] == i18n.translate("fusion.title", "zh-Hans")
    assert "0.3" in seen["sliders"]
    assert i18n.translate("fusion.task_unique", "zh-Hans") in seen["radios"]
    link, picture = share_box(page, "zh-Hans")
    first.close()

    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{url}/fusion", (
        f"the proxy's address and the prefix: {link}"
    )
    assert urlsplit(url).port not in {int(r.split(":")[1]) for r in url.replicas}
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == state, link
    assert decode_qr(picture, tmp_path) == link, "the QR code holds the same link"

    fresh = b.new_context(viewport={"width": 1400, "height": 1600})
    page = fresh.new_page()
    page.goto(link)
    settle(page)
    no_exception(page)
    assert view(page) == seen, "the shared link opens the same view"
    assert share_box(page, "zh-Hans")[0] == link, "and shares the same link again"
    fresh.close()


def test_the_proxy_serves_the_app_at_the_sites_root_too():
    require_nginx()
    with local.cluster(1) as url:
        assert urlsplit(url).path == ""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{url}/fusion?lang=zh-Hans") as response:
            assert response.status == 200 and "text/html" in response.headers["Content-Type"]
            cookie = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith(f"{local.COOKIE}="))
        assert "Path=/;" in cookie, cookie
        request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie.split(";")[0]})
        with opener.open(request) as response:
            assert response.status == 200
            assert not any(local.COOKIE in c for c in response.headers.get_all("Set-Cookie") or []), "set once"
        routes = url.served_by()
        assert set().union(*routes.values()) == set(url.replicas)


def test_the_configuration_renders_for_a_prefix_and_for_the_root():
    under = local.render([8001, 8002], "127.0.0.1:8080", "/mmml/")
    assert "server 127.0.0.1:8001" in under and "server 127.0.0.1:8002" in under
    assert "location ~ ^/mmml/_stcore/stream$" in under and "location ~ ^/mmml(/|$)" in under
    assert "Path=/mmml/;" in under and 'X-Forwarded-Prefix "/mmml"' in under
    root = local.render([8001], "80", "")
    assert "location ~ ^/_stcore/stream$" in root and "location ~ ^(/|$)" in root and "Path=/;" in root
    assert "{{" not in under + root
    assert local.streamlit_command(8001, "/mmml/")[-2:] == ["--server.baseUrlPath", "mmml"]


# --- share_url() on Hugging Face Spaces --------------------------------------------------------


def _share_script():
    import streamlit as st

    from components import state
    from components.controls.fusion import LEVEL

    state.begin_run()
    LEVEL["image"].bind()
    st.code(state.share_url())


@pytest.mark.parametrize(
    "space, browser_url, expected",
    [
        # The home page: the Space's public page, which passes its query string on to the app.
        ("owner/name", "https://owner-name.hf.space", "https://huggingface.co/spaces/owner/name"),
        ("owner/name", "https://owner-name.hf.space/", "https://huggingface.co/spaces/owner/name"),
        # Another page: the public page would lose the path, so the app's own address.
        ("owner/name", "https://owner-name.hf.space/fusion", "https://owner-name.hf.space/fusion"),
        # Not on a Space: the address in the visitor's browser, prefix and proxy host included.
        ("", "https://example.org/mmml/fusion", "https://example.org/mmml/fusion"),
        ("not-a-space-id", "https://example.org/", "https://example.org"),
    ],
)
def test_share_url_on_hugging_face_spaces(monkeypatch, space, browser_url, expected):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SPACE_ID", space)
    at = AppTest.from_function(_share_script, default_timeout=30)
    at.context = {"url": browser_url}
    at.query_params["fusion.level_image"] = "0.3"
    at.run()
    assert not at.exception
    assert at.code[0].value == f"{expected}?fusion.level_image=0.3"
