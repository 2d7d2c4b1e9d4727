"""Shared test setup: offline always, the repo root importable, and an AppTest factory."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PLAYGROUND_WARMUP", "0")  # AppTest processes must not each start a compile
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = str(ROOT / "app.py")
PAGE_NAMES = [p.stem for p in sorted((ROOT / "lessons").glob("*.py"))]
APP_TIMEOUT = 120  # the first run of a page may train or load models


@pytest.fixture
def app():
    """A fresh AppTest of the whole router; `app(page, **state)` opens `page` with preset state."""
    from streamlit.testing.v1 import AppTest

    def open_page(page: str = "home", **session_state):
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        for key, value in session_state.items():
            at.session_state[key] = value
        at.run()
        if page != "home":
            at.switch_page(f"lessons/{page}.py").run()
        return at

    return open_page


def is_loopback(host) -> bool:
    import ipaddress

    if host is None or str(host) == "localhost":
        return True
    try:
        address = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:  # a name other than localhost needs a lookup: the network
        return False
    return address.is_loopback or address.is_unspecified


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch):
    """Every test fails if this process tries to reach any host but this one: the app must work with
    no network (browser tests still talk to their local server and Chromium over loopback)."""
    import socket

    attempts = []

    def host_of(address) -> str:
        return str(address[0]) if isinstance(address, tuple) else str(address)

    def guarded(original):
        def call(self, address, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(host_of(address)):
                attempts.append(host_of(address))
                raise OSError(f"test: no network ({host_of(address)})")
            return original(self, address, *args)

        return call

    def lookup(host, *args, **kwargs):
        if not is_loopback(host):
            attempts.append(str(host))
            raise socket.gaierror(f"test: no network ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(socket.socket.connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield attempts  # a test that means to try the network empties this list after checking it
    assert not attempts, f"tried to reach the network: {attempts}"


@pytest.fixture(scope="module")
def live():
    """A server of the app and a Chromium, for a module of browser tests: (its address, the browser)."""
    from browser import browser, server

    with server() as (url, _, _), browser() as b:
        yield url, b


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """Tiny random-weight models of every allowlisted role, saved as PLAYGROUND_PRETRAINED_DIR expects."""
    import tiny_pretrained

    return tiny_pretrained.write_all(tmp_path_factory.mktemp("tiny_pretrained"))


@pytest.fixture
def fresh_cache():
    """Empty pretrained-model and answer caches before and after the test."""
    from components import pretrained

    for clear in (pretrained._cached.clear, pretrained._resident.clear, pretrained._answer.clear):
        clear()
    yield
    for clear in (pretrained._cached.clear, pretrained._resident.clear, pretrained._answer.clear):
        clear()


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """Offline, an empty Hub cache, no local folder, and any call into the Hub's download or HTTP
    code fails the test (the loader must decide before reaching it)."""
    import huggingface_hub.constants

    from models import hub as pretrained

    def forbidden(*args, **kwargs):
        pytest.fail("the Hugging Face Hub's network code was called")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv(pretrained.LOCAL_DIR_VARIABLE, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    for name, module in list(sys.modules.items()):
        if module is not None and name.startswith(("huggingface_hub", "transformers")):
            for function in (
                "hf_hub_download",
                "snapshot_download",
                "get_session",
                "http_backoff",
                "get_hf_file_metadata",
                "http_get",
            ):
                if hasattr(module, function):
                    monkeypatch.setattr(module, function, forbidden)
    return tmp_path / "hub"


@pytest.fixture
def pretrained_app(app, tiny_dir, fresh_cache, monkeypatch):
    """`pretrained_app(page, **state)`: `app(...)` in Pretrained mode, with the tiny local models."""
    from models import hub as pretrained

    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
    return lambda page="home", **session_state: app(page, model_source="pretrained", **session_state)


def jit_modules_after_views(page: str, view_key: str, views: tuple[str, ...], numba_cache: Path) -> set[str]:
    """In a fresh interpreter with an empty numba cache, open `page` and each of its `views`; returns
    which of librosa/numba got imported (a first visitor must pay neither, see DESIGN.md)."""
    import subprocess

    code = (
        "import sys; sys.path[:0] = ['tests', '.']\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=300).run()\n"
        f"at.switch_page('lessons/{page}.py').run()\n"
        f"for view in {views!r}:\n"
        "    assert not at.exception, at.exception\n"
        f"    at.radio(key='{view_key}').set_value(view).run()\n"
        "assert not at.exception, at.exception\n"
        "print(' '.join(m for m in ('librosa', 'numba') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "NUMBA_CACHE_DIR": str(numba_cache), "HF_HUB_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return set(out.stdout.split())
