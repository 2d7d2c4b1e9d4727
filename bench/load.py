"""Many visitors without a browser: each one speaks Streamlit's own websocket protocol; prints a table.

    python bench/load.py --visitors 100 --arrive-within 10 --every 20 --seconds 60 --path /fusion
    python bench/load.py --visitors 1,25,50,100 --path "/fusion?lang=zh-Hans"
    python bench/load.py --visitors 25 --rate 2 --path /            # a steady 2 arrivals a second
    python bench/load.py --visitors 25 --replicas 3 --path /fusion  # N servers behind deploy/local.py's nginx

The protocol, as the browser speaks it (streamlit/web/server/starlette/starlette_websocket.py and
streamlit/runtime/app_session.py): a tab loads the page (a proxy's routing cookie comes with it), opens
a websocket on `<base>/_stcore/stream` (subprotocol "streamlit") and sends a `BackMsg.rerun_script`, a
`ClientState`: the URL's query string, the page's name from its path, the widgets' states and the
browser's locale. The server runs the script and answers with `ForwardMsg`s: `new_session`, `navigation`
(the page's script hash), one `delta` per element (a widget carries its id, `$$ID-<hash>-<key>`, and its
value), `page_info_changed` (the address bar's new query string), and last `script_finished`. Moving a
widget is the same `rerun_script` with every widget's state, one of them changed, the page's script hash
and the current query string. Elements the client says it holds (`cached_message_hashes`) come back as
a `ref_hash`, filled from the client's own cache.

One visitor: arrives (all within --arrive-within seconds, or at a steady --rate), waits for the first
full render (script finished and its images fetched), then stays --seconds on the page, every --every
seconds (±25 %) moving ONE of the page's declared controls (components/controls/<page>.py) to another
allowed value. The same visitor pattern is then run against bench/reference_app.py (one slider, one
Plotly heatmap), and every figure is also shown as a multiple of the reference's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import ipaddress
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from components.state import Control
from deploy.local import streamlit_command

from browser import free_port

REFERENCE_APP = ROOT / "bench" / "reference_app.py"
MAX_VISITORS = 500  # one process's event loop and the machine's sockets; a bigger room needs several runs
MAX_SECONDS = 1800
FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}  # not FINISHED_EARLY_FOR_RERUN: st.rerun() goes on
STATEFUL = {"slider", "radio", "selectbox", "checkbox", "number_input", "button_group", "text_input", "text_area"}
MEDIA = {"imgs", "audio", "video"}
MAX_CHOICES = 50  # values tried for a number control: evenly spread over its range


# ---------------------------------------------------------------------------------------------- the tab


@dataclass
class Tab:
    """What a browser tab holds between runs. Real state: every rerun must send all of it back."""

    ws: ClientConnection
    http: str  # http://host:port[/base], for media and the context's URL
    page_name: str  # from the URL path: names the page in the first run only, then `page_hash` does
    query: str
    locale: str
    page_hash: str = ""
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # id -> (element type, its proto)
    states: dict[str, WidgetState] = field(default_factory=dict)  # id -> the value the browser would send
    cache: dict[str, ForwardMsg] = field(default_factory=dict)  # hash -> cacheable message
    fetched: set[str] = field(default_factory=set)  # media already loaded (the browser's HTTP cache)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """One script run as the visitor saw it."""

    seconds: float = 0.0  # send → script_finished (and its new media loaded)
    wait: float = 0.0  # send → first message: queueing before the script starts
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    drawn: dict[tuple[int, ...], str] = field(default_factory=dict)  # delta path -> hash of the element


def rerun_message(tab: Tab, changed: WidgetState | None = None) -> BackMsg:
    """The rerun the browser sends: its page, its query string, and every widget's state, one changed.

    Like the frontend, the first run names the page by its URL path (the hash is not known yet);
    every later run names it by the script hash `navigation` (or, without st.navigation, `new_session`)
    gave."""
    if changed is not None:
        tab.states[changed.id] = changed
    msg = BackMsg()
    client = msg.rerun_script
    client.query_string = tab.query
    if tab.page_hash:
        client.page_script_hash = tab.page_hash
    else:
        client.page_name = tab.page_name
    client.widget_states.widgets.extend(tab.states.values())
    client.cached_message_hashes.extend(tab.cache)
    context = client.context_info
    context.timezone, context.timezone_offset, context.locale = "UTC", 0, tab.locale
    context.url = f"{tab.http}/{tab.page_name}" + (f"?{tab.query}" if tab.query else "")
    context.color_scheme = "light"
    return msg


def initial_state(kind: str, widget: Any) -> WidgetState | None:
    """The state a freshly drawn widget puts in the browser's widget manager: the value the server
    set (`set_value`), else its default, serialized as the server's serde for that widget expects.
    None where the widget holds no value yet (a select box with index=None, an empty number input)."""
    state = WidgetState(id=widget.id)
    if kind == "slider":
        if widget.type == Slider.SELECT_SLIDER:
            labels = list(widget.raw_value) if widget.set_value else [widget.options[int(i)] for i in widget.default]
            state.string_array_value.data.extend(labels)
        else:
            state.double_array_value.data.extend(widget.value if widget.set_value else widget.default)
    elif kind in ("radio", "selectbox"):
        if widget.set_value and widget.HasField("raw_value"):
            state.string_value = widget.raw_value
        elif not widget.set_value and widget.HasField("default") and widget.default < len(widget.options):
            state.string_value = widget.options[widget.default]
        else:
            return None
    elif kind == "checkbox":
        state.bool_value = widget.value if widget.set_value else widget.default
    elif kind == "number_input":
        source = "value" if widget.set_value else "default"
        if not widget.HasField(source):
            return None
        set_number(state, widget, getattr(widget, source))
    elif kind == "button_group":
        labels = list(widget.raw_values) if widget.set_value else [widget.options[i].content for i in widget.default]
        state.string_array_value.data.extend(labels)
    elif kind in ("text_input", "text_area"):
        source = "value" if widget.set_value else "default"
        if not widget.HasField(source):
            return None
        state.string_value = getattr(widget, source)
    else:
        return None
    return state


def set_number(state: WidgetState, widget: Any, number: float) -> None:
    """An integer number input sends int_value, a float one double_value (as the frontend does)."""
    if widget.data_type == NumberInput.INT:
        state.int_value = round(number)
    else:
        state.double_value = float(number)


def user_key(widget_id: str) -> str | None:
    """The key a script gave a widget: Streamlit's ids end in it (`$$ID-<hash>-<key>`; `-None` without)."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None" else None


def grid(low: float, high: float, step: float) -> list[float]:
    """The values of a number range on its step, at most MAX_CHOICES of them, evenly spread."""
    count = round((high - low) / step) + 1 if high >= low and step > 0 else 0
    stride = max(1, -(-count // MAX_CHOICES))
    return [round(low + i * step, 10) for i in range(0, count, stride)]


def alternatives(
    kind: str, widget: Any, control: Control, current: WidgetState | None
) -> list[tuple[Any, WidgetState]]:
    """Every other value `control` allows that this widget can show: (value, the state that sends it).

    The declaration gives the range and step; the drawn widget gives what this run narrowed (a page's
    own options list, a limit that depends on the data), so a value is only ever one the page accepts."""
    options: list[tuple[Any, WidgetState]] = []

    def add(value: Any, fill: Callable[[WidgetState], None]) -> None:
        state = WidgetState(id=widget.id)
        fill(state)
        options.append((value, state))

    if kind in ("radio", "selectbox"):
        same_list = control.options is not None and len(control.options) == len(widget.options)
        for i, label in enumerate(widget.options):
            if current is None or label != current.string_value:
                add(
                    control.options[i] if same_list else label, lambda s, label=label: setattr(s, "string_value", label)
                )
    elif kind == "checkbox":
        now = current.bool_value if current is not None else widget.default
        add(not now, lambda s: setattr(s, "bool_value", not now))
    elif kind == "button_group":
        now = list(current.string_array_value.data) if current is not None else []
        for option in widget.options:
            if [option.content] != now:
                add(option.content, lambda s, c=option.content: s.string_array_value.data.append(c))
    elif kind == "slider" and widget.type == Slider.SELECT_SLIDER:
        now = list(current.string_array_value.data) if current is not None else []
        for label in widget.options:
            if [label] != now:
                add(label, lambda s, label=label: s.string_array_value.data.append(label))
    elif kind == "slider":
        now = list(current.double_array_value.data) if current is not None else list(widget.default)
        if len(now) != 1:
            return []  # a range slider: no declared control is one
        low = widget.min if control.low is None else max(control.low, widget.min)
        high = widget.max if control.high is None else min(control.high, widget.max)
        for value in grid(low, high, control.step or widget.step or 1):
            if abs(value - now[0]) > 1e-9:
                value = int(value) if widget.data_type == Slider.INT else value
                add(value, lambda s, v=value: s.double_array_value.data.append(v))
    elif kind == "number_input":
        step = control.step or widget.step or 1
        low = control.low if control.low is not None else (widget.min if widget.has_min else 0)
        high = widget.max if widget.has_max else low + 10 * step
        if control.high is not None:
            high = min(high, control.high)
        now = None
        if current is not None and current.WhichOneof("value") in ("int_value", "double_value"):
            now = getattr(current, current.WhichOneof("value"))
        for value in grid(low, high, step):
            if now is None or abs(value - now) > 1e-9:
                value = round(value) if widget.data_type == NumberInput.INT else value
                add(value, lambda s, v=value: set_number(s, widget, v))
    return options  # text: free typing is not a declared value; it is left alone


def pick_change(tab: Tab, controls: Sequence[Control], rng: random.Random) -> tuple[Control, Any, WidgetState] | None:
    """One declared control drawn in the last run, and one other value for it, chosen at random."""
    declared = {control.key: control for control in controls}
    candidates = []
    for widget_id, (kind, widget) in tab.widgets.items():
        control = declared.get(user_key(widget_id) or "")
        if control is not None and not getattr(widget, "disabled", False):
            moves = alternatives(kind, widget, control, tab.states.get(widget_id))
            if moves:
                candidates.append((control, moves))
    if not candidates:
        return None
    control, moves = rng.choice(candidates)
    value, state = rng.choice(moves)
    return control, value, state


async def run_script(tab: Tab, msg: BackMsg, timeout: float) -> Run:
    """Send one rerun and read until its script finished; then load the media it drew that the tab
    has not loaded yet, as a browser does before the page looks finished."""
    run, start, seen, media = Run(), time.perf_counter(), set(), []
    await tab.ws.send(msg.SerializeToString())
    try:
        async with asyncio.timeout(timeout):
            while True:
                data = await tab.ws.recv()
                if not run.bytes:
                    run.wait = time.perf_counter() - start
                run.bytes += len(data)
                message = resolve(tab, ForwardMsg.FromString(data), run)
                kind = message.WhichOneof("type")
                if kind == "new_session":  # the script's hash; with st.navigation, the router's
                    tab.page_hash, seen = message.new_session.page_script_hash, set()
                elif kind == "navigation":  # with st.navigation: the page it ran
                    tab.page_hash = message.navigation.page_script_hash
                elif kind == "page_info_changed":
                    tab.query = message.page_info_changed.query_string
                elif kind == "page_not_found":
                    run.errors.append(f"page not found: {message.page_not_found.page_name!r}")
                elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
                    run.errors.append(f"compile error: {message.session_event.script_compilation_exception.message}")
                elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    element = message.delta.new_element
                    element_kind = element.WhichOneof("type")
                    run.drawn[tuple(message.metadata.delta_path)] = hashlib.md5(element.SerializeToString()).hexdigest()
                    if element_kind == "exception":
                        run.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
                    elif element_kind in STATEFUL and getattr(element, element_kind).id:
                        widget = getattr(element, element_kind)
                        seen.add(widget.id)
                        tab.widgets[widget.id] = (element_kind, widget)
                        if widget.id not in tab.states or getattr(widget, "set_value", False):
                            state = initial_state(element_kind, widget)
                            if state is not None:
                                tab.states[widget.id] = state
                    elif element_kind in MEDIA:
                        item = getattr(element, element_kind)
                        media += [i.url for i in item.imgs] if element_kind == "imgs" else [item.url]
                elif kind == "script_finished" and message.script_finished in FINAL:
                    break
            # Like the frontend after a run: forget the widgets this run did not draw.
            tab.widgets = {k: v for k, v in tab.widgets.items() if k in seen}
            tab.states = {k: v for k, v in tab.states.items() if k in seen}
            new = [url for url in dict.fromkeys(media) if url and url not in tab.fetched]
            for url, status in zip(new, await asyncio.gather(*(fetch(tab.http, url, tab.cookies) for url in new))):
                tab.fetched.add(url)
                if status != 200:
                    run.errors.append(f"media {url}: HTTP {status}")
    except TimeoutError:
        run.errors.append(f"timeout: the script did not finish within {timeout:.0f} s")
    run.seconds = time.perf_counter() - start
    return run


def resolve(tab: Tab, message: ForwardMsg, run: Run) -> ForwardMsg:
    """A `ref_hash` message is one the client said it holds: the cached message, at the new path.
    A cacheable message is kept (the frontend ages them out after a few runs; a visit here is short)."""
    if message.WhichOneof("type") == "ref_hash":
        cached = tab.cache.get(message.ref_hash)
        if cached is None:
            run.errors.append(f"cache miss: {message.ref_hash}")
            return message
        full = ForwardMsg()
        full.CopyFrom(cached)
        full.metadata.CopyFrom(message.metadata)
        return full
    if message.metadata.cacheable and message.hash:
        tab.cache[message.hash] = message
    return message


async def fetch(http: str, url: str, cookies: dict[str, str]) -> int:
    """GET a page or media file over loopback, with the tab's cookies, keeping the ones it sets (a
    proxy's routing cookie: deploy/nginx.conf.template); returns the HTTP status, 0 if it failed."""
    parts = urlsplit(url if "://" in url else http + url)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    try:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "")
                + "\r\n"
            ).encode()
        )
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                cookies[key] = rest.split(";", 1)[0]
        while await reader.read(65536):
            pass
        writer.close()
        return status
    except (OSError, ValueError, IndexError):
        return 0


# ---------------------------------------------------------------------------------------------- visitors


@dataclass(frozen=True)
class Pattern:
    """How the visitors behave: when they arrive, how often they move a control, how long they stay."""

    arrive_within: float = 10.0  # all arrive at random times within this many seconds …
    rate: float | None = None  # … or one every 1/rate seconds
    every: float = 20.0  # seconds between control changes (±25 %)
    seconds: float = 60.0  # how long each visitor stays after its first render
    timeout: float = 60.0  # a run that has not finished by then counts as an error
    handshake_timeout: float = 10.0
    locale: str = "en-US"
    seed: int = 0

    def arrivals(self, visitors: int, rng: random.Random) -> list[float]:
        if self.rate:
            return [i / self.rate for i in range(visitors)]
        return sorted(rng.uniform(0, self.arrive_within) for _ in range(visitors))


class Change(NamedTuple):
    """One control a visitor moved, and what the address bar said before and after the rerun."""

    key: str
    value: Any
    query_before: str
    query_after: str
    seconds: float


@dataclass
class Visit:
    """One visitor's record."""

    first: float | None = None  # connect → first full render
    reruns: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # the reruns' send → first message
    bytes: list[int] = field(default_factory=list)  # per run, the first included
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    changed_drawing: list[bool] = field(default_factory=list)  # a rerun drew something the last run had not


def controls_of(path: str) -> tuple[Control, ...]:
    """The page's declared controls (components/controls/<page>.py), its step control included."""
    from components import controls

    return controls.of(urlsplit(path).path.strip("/") or "home")


def reference_controls() -> tuple[Control, ...]:
    """The reference app's one slider, declared like a page's control (from the app's own constants)."""
    sys.path.insert(0, str(REFERENCE_APP.parent))
    import reference_app as ref

    return (Control(ref.KEY, ref.DEFAULT, low=ref.LOW, high=ref.HIGH, step=ref.STEP),)


async def visit(
    base: str, path: str, pattern: Pattern, controls: Sequence[Control], rng: random.Random, delay: float = 0.0
) -> Visit:
    """One visitor: arrive after `delay`, wait for the first render, then keep moving one control."""
    await asyncio.sleep(delay)
    record, split = Visit(), urlsplit(path)
    origin = urlsplit(base)
    stream = f"ws://{origin.netloc}{origin.path.rstrip('/')}/_stcore/stream"
    begin, cookies = time.perf_counter(), {}
    # The page itself first, as a browser loads it: a proxy's routing cookie comes with it.
    try:
        status = await asyncio.wait_for(
            fetch(base, f"{base.rstrip('/')}/{split.path.strip('/')}", cookies), pattern.handshake_timeout
        )
    except TimeoutError:
        record.errors.append(f"handshake timeout: the page did not load in {pattern.handshake_timeout:.0f} s")
        return record
    if status != 200:
        record.errors.append(f"connection failed: the page answered HTTP {status}")
        return record
    try:
        ws = await connect(
            stream,
            subprotocols=["streamlit"],
            origin=f"http://{origin.netloc}",
            proxy=None,
            max_size=None,
            open_timeout=pattern.handshake_timeout,
            user_agent_header="bench/load.py",
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None,
        )
    except TimeoutError:
        record.errors.append(f"handshake timeout ({pattern.handshake_timeout:.0f} s)")
        return record
    except (OSError, InvalidHandshake) as error:
        record.errors.append(f"connection failed: {error}")
        return record
    tab = Tab(ws, base.rstrip("/"), split.path.strip("/"), split.query, pattern.locale, cookies=cookies)
    try:
        run = await run_script(tab, rerun_message(tab), pattern.timeout)
        record.errors += run.errors
        record.bytes.append(run.bytes)
        if run.errors and run.errors[-1].startswith("timeout"):
            return record
        record.first = time.perf_counter() - begin
        stay_until, last = time.perf_counter() + pattern.seconds, run.drawn
        while (next_at := time.perf_counter() + pattern.every * rng.uniform(0.75, 1.25)) < stay_until:
            await asyncio.sleep(next_at - time.perf_counter())
            change = pick_change(tab, controls, rng)
            if change is None:
                record.errors.append("no declared control on the page to change")
                break
            control, value, state = change
            before = tab.query
            run = await run_script(tab, rerun_message(tab, state), pattern.timeout)
            record.errors += run.errors
            if run.errors and run.errors[-1].startswith("timeout"):
                break
            record.reruns.append(run.seconds)
            record.waits.append(run.wait)
            record.bytes.append(run.bytes)
            record.changes.append(Change(control.key, value, before, tab.query, run.seconds))
            record.changed_drawing.append(run.drawn != last)
            last = run.drawn
    except ConnectionClosed as error:
        record.errors.append(f"connection closed: {error}")
    finally:
        await ws.close()
    return record


# ---------------------------------------------------------------------------------------------- memory


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from Linux's /proc (psutil is not a dependency)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
    except (OSError, StopIteration):
        return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def descendants(pid: int) -> list[int]:
    """Every process under `pid`, from /proc's parent ids."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children.get(child, [])
    return found


def streamlit_descendants(pid: int) -> list[int]:
    """Every `streamlit run` process under `pid` (the replicas deploy/local.py started, whatever wraps them)."""
    found = []
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            if b"streamlit" in (Path("/proc") / str(child) / "cmdline").read_bytes():
                found.append(child)
    return found


async def quiet(pids: Callable[[], list[int]], limit: float = 90.0, share: float = 0.1) -> float:
    """Wait until the servers and everything they started use under `share` of a core over a second
    (the app's own warm-up imports and compiles in the background after the first visit), at most
    `limit` seconds; returns the seconds waited. Without it the first row measures the warm-up."""
    start = time.perf_counter()

    def used() -> float:
        return sum(cpu_seconds(pid) for server in pids() for pid in (server, *descendants(server)))

    while time.perf_counter() - start < limit:
        before = used()
        await asyncio.sleep(1.0)
        if used() - before < share:
            break
    return time.perf_counter() - start


@dataclass
class Row:
    """One visitor count against one server set."""

    visitors: int
    visits: list[Visit]
    rss_before: float | None
    rss_peak: float | None
    rss_after: float | None
    server_cpu: float | None  # seconds of server CPU during the row
    client_cpu: float  # seconds of this process's CPU during the row
    wall: float


async def crowd(
    base: str,
    path: str,
    visitors: int,
    pattern: Pattern,
    pids: Callable[[], list[int]] | None = None,
    controls: Sequence[Control] | None = None,
) -> Row:
    """`visitors` visitors on `path` of the app at `base`, with the server's memory sampled every half
    second while they are there and once more two seconds after the last one left."""
    rng = random.Random(pattern.seed * 1000 + visitors)
    controls = controls_of(path) if controls is None else controls

    def rss() -> float | None:
        return sum(rss_mb(pid) for pid in pids()) if pids else None

    def cpu() -> float | None:
        return sum(cpu_seconds(pid) for pid in pids()) if pids else None

    before, cpu_before, client_before, start = rss(), cpu(), time.process_time(), time.perf_counter()
    samples: list[float] = []
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            if (value := rss()) is not None:
                samples.append(value)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.5)

    sampler = asyncio.create_task(sample())
    delays = pattern.arrivals(visitors, rng)
    visits = await asyncio.gather(
        *(visit(base, path, pattern, controls, random.Random(rng.random()), delay) for delay in delays)
    )
    done.set()
    await sampler
    wall, server_cpu, client_cpu = time.perf_counter() - start, cpu(), time.process_time() - client_before
    await asyncio.sleep(2)
    after = rss()
    return Row(
        visitors,
        list(visits),
        before,
        max(samples, default=before),
        after,
        None if server_cpu is None else server_cpu - cpu_before,
        client_cpu,
        wall,
    )


# ---------------------------------------------------------------------------------------------- servers


def is_loopback_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve(script: Path, timeout: float = 120.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run script` on a free loopback port until healthy; yields (base URL, process).
    Its output goes to a temporary log, printed if it dies, so a crash under load is not silent."""
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", prefix="load-server-", suffix=".log", delete=False) as log:
        proc = subprocess.Popen(
            [*streamlit_command(port, script=str(script)), "--browser.gatherUsageStats", "false"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url, start = f"http://127.0.0.1:{port}", time.perf_counter()
    try:
        while not healthy(url):
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                raise RuntimeError(f"{script.name} did not become healthy; log: {log.name}")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        report_log(Path(log.name), script.name)


def report_log(log: Path, name: str) -> None:
    """What the server logged: a traceback (also shown to the visitor, and counted there) or an error of
    its own (a failed send, a dropped session), which no client sees. Say how many and the first one's
    last line, and keep the log then; delete it otherwise."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in log.read_text(errors="replace").splitlines()]
    tracebacks = sum("Traceback" in line for line in lines)
    errors = [line.strip() for line in lines if re.match(r"\s*\w+(Error|Exception)\b.*:", line) or " ERROR " in line]
    if tracebacks or errors:
        first = errors[0][:200] if errors else "see the log"
        print(f"[{name}: {tracebacks} traceback(s) in the server log {log}; first: {first}]", file=sys.stderr)
    else:
        log.unlink(missing_ok=True)


class Target(NamedTuple):
    base: str  # the URL visitors open
    pids: Callable[[], list[int]] | None  # the server processes, for memory and CPU (None: not ours)
    warm: list[str]  # the servers to visit once before measuring


@contextlib.contextmanager
def target(script: Path, url: str | None, replicas: int | None, base_path: str) -> Iterator[Target]:
    """Where the visitors go: `url` as given, N replicas behind nginx (deploy/local.py), or a server of
    our own; with how to find the server processes whose memory is measured, and the servers to warm."""
    if url is not None:
        yield Target(url.rstrip("/"), None, [url.rstrip("/")])
    elif replicas:
        from deploy.local import cluster  # written alongside; only needed here

        me = os.getpid()
        with cluster(replicas, base_path=base_path) as proxy:
            if not is_loopback_url(proxy):
                raise SystemExit(f"deploy.local.cluster gave a non-loopback URL: {proxy}")
            prefix = urlsplit(proxy).path.rstrip("/")
            # Each replica directly: a visit through the proxy warms only the one it lands on.
            direct = [f"http://{address}{prefix}" for address in getattr(proxy, "replicas", [])]
            yield Target(str(proxy).rstrip("/"), lambda: streamlit_descendants(me), direct or [str(proxy)])
    else:
        with serve(script) as (base, proc):
            yield Target(base, lambda: [proc.pid], [base])


async def measure(
    target: Target, path: str, counts: Sequence[int], pattern: Pattern, warmup: float, controls: Sequence[Control]
) -> tuple[float | None, list[Row]]:
    """One visitor per server first, not counted (the cold page: imports, models, caches), then one row
    per count. Returns the first cold render's time and the rows."""
    cold = None
    for server in target.warm:
        first = await visit(
            server, path, Pattern(seconds=0, timeout=max(pattern.timeout, 300)), controls, random.Random(0)
        )
        if first.errors:
            print(f"  warm-up visit to {server}: {first.errors[:3]}", file=sys.stderr)
        cold = first.first if cold is None else cold
    await asyncio.sleep(warmup)
    rows = []
    for count in counts:
        waited = await quiet(target.pids) if target.pids else 0.0
        print(
            f"  {target.base}{path}: {count} visitor(s) (after {waited:.0f} s for the server to go quiet) …",
            file=sys.stderr,
            flush=True,
        )
        rows.append(await crowd(target.base, path, count, pattern, target.pids, controls))
    return cold, rows


# ---------------------------------------------------------------------------------------------- report


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default), None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else 1000 * seconds


def figures(row: Row) -> dict[str, float | None]:
    """A row's numbers: latencies in ms, memory in MB."""
    firsts = [v.first for v in row.visits if v.first is not None]
    reruns = [r for v in row.visits for r in v.reruns]
    waits = [w for v in row.visits for w in v.waits]
    per_session = None
    if row.rss_peak is not None and row.rss_before is not None:
        per_session = (row.rss_peak - row.rss_before) / row.visitors
    renders = len(firsts) + len(reruns)
    return {
        "first_p50": ms(percentile(firsts, 0.5)),
        "first_p95": ms(percentile(firsts, 0.95)),
        "rerun_p50": ms(percentile(reruns, 0.5)),
        "rerun_p95": ms(percentile(reruns, 0.95)),
        "wait_p50": ms(percentile(waits, 0.5)),
        "wait_p95": ms(percentile(waits, 0.95)),
        "reruns": len(reruns),
        "rendered": len(firsts),
        "errors": sum(len(v.errors) for v in row.visits),
        "rss": row.rss_peak,
        "rss_after": row.rss_after,
        "rss_session": per_session,
        "kb_per_run": sum(sum(v.bytes) for v in row.visits) / 1024 / max(1, sum(len(v.bytes) for v in row.visits)),
        "server_cpu_ms": None if row.server_cpu is None else 1000 * row.server_cpu / max(1, renders),
        "client_cpu": row.client_cpu,
        "wall": row.wall,
    }


def cell(value: float | None, reference: float | None = None, digits: int = 0) -> str:
    """A figure, and its multiple of the reference's where that is given."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if reference:
        text += f" (×{value / reference:.1f})"
    return text


# (header, figure, digits, the smallest reference worth dividing by: below it the ratio is noise;
# None: never a ratio). The reference's memory per session is ~0 (a session is a few KB of state).
COLUMNS = [
    ("first p50 ms", "first_p50", 0, 1.0),
    ("first p95 ms", "first_p95", 0, 1.0),
    ("rerun p50 ms", "rerun_p50", 0, 1.0),
    ("rerun p95 ms", "rerun_p95", 0, 1.0),
    ("reruns", "reruns", 0, None),
    ("errors", "errors", 0, None),
    ("RSS MB", "rss", 0, 1.0),
    ("RSS after MB", "rss_after", 0, 1.0),
    ("RSS/session MB", "rss_session", 1, 1.0),
]


def divisor(reference: float | None, floor: float | None) -> float | None:
    """The reference's figure where dividing by it means something."""
    return reference if floor is not None and reference is not None and reference >= floor else None


def table(rows: list[Row], references: list[Row] | None) -> str:
    """visitors × figures; each figure followed by its multiple of the reference's where there is one,
    then the reference's own rows."""
    header = ["visitors", *(name for name, *_ in COLUMNS)]
    lines = [header]
    for i, row in enumerate(rows):
        mine = figures(row)
        ref = figures(references[i]) if references else {}
        lines.append(
            [
                str(row.visitors),
                *(cell(mine[key], divisor(ref.get(key), floor), digits) for _, key, digits, floor in COLUMNS),
            ]
        )
    for ref_row in references or []:
        ref = figures(ref_row)
        lines.append([f"ref {ref_row.visitors}", *(cell(ref[key], None, digits) for _, key, digits, _ in COLUMNS)])
    widths = [max(len(line[c]) for line in lines) for c in range(len(header))]
    out = [" | ".join(text.rjust(width) for text, width in zip(line, widths)) for line in lines]
    out.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(out)


def details(label: str, rows: list[Row]) -> list[str]:
    """Where a rerun's time goes, what a run sends, and the first distinct errors."""
    out = []
    for row in rows:
        f = figures(row)
        out.append(
            f"  {label} {row.visitors:>3}: rerun wait before the script starts p50 {cell(f['wait_p50'], None, 1)} ms "
            f"p95 {cell(f['wait_p95'], None, 1)} ms · {f['kb_per_run']:.0f} KB per run · server CPU "
            f"{cell(f['server_cpu_ms'])} ms per run · load generator CPU {f['client_cpu']:.1f} s "
            f"in {f['wall']:.0f} s · first renders {f['rendered']}/{row.visitors}"
        )
        by_control: dict[str, list[float]] = {}
        for change in (c for v in row.visits for c in v.changes):
            by_control.setdefault(change.key, []).append(change.seconds)
        slowest = sorted(by_control.items(), key=lambda item: -percentile(item[1], 0.5))[:4]
        if slowest:
            out.append(
                "      rerun p50 by control: "
                + ", ".join(f"{key} {cell(ms(percentile(times, 0.5)))} ms (n={len(times)})" for key, times in slowest)
            )
        errors = list(dict.fromkeys(e for v in row.visits for e in v.errors))
        out += [f"      error: {e}" for e in errors[:5]]
    return out


def num(value: float | None) -> str:
    return "nan" if value is None else f"{value:.0f}"


def machine_line(row: Row, ref: Row | None) -> str:
    f = figures(row)
    line = (
        f"visitors={row.visitors} first_p95_ms={num(f['first_p95'])} rerun_p95_ms={num(f['rerun_p95'])} "
        f"errors={f['errors']} rss_mb={num(f['rss'])}"
    )
    if ref is not None:
        r = figures(ref)
        line += (
            f" ref_first_p95_ms={num(r['first_p95'])} ref_rerun_p95_ms={num(r['rerun_p95'])} ref_rss_mb={num(r['rss'])}"
        )
    return line


# ---------------------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", default="1,25", help="a count, or a list: 1,25,50,100 (one row each)")
    arrival = parser.add_mutually_exclusive_group()
    arrival.add_argument("--arrive-within", type=float, default=10.0, help="all arrive within T seconds")
    arrival.add_argument("--rate", type=float, help="or a steady number of arrivals per second")
    parser.add_argument("--every", type=float, default=20.0, help="seconds between a visitor's control changes")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="how long each visitor stays after its first render"
    )
    parser.add_argument("--path", default="/", help="page path and query string, e.g. '/fusion?lang=zh-Hans'")
    parser.add_argument("--url", help="an app already running on loopback (else one is started)")
    parser.add_argument("--replicas", type=int, help="N app servers behind nginx (deploy/local.py)")
    parser.add_argument("--base-path", default="", help="with --replicas: the proxy's base path")
    parser.add_argument("--no-reference", action="store_true", help="skip bench/reference_app.py")
    parser.add_argument("--timeout", type=float, default=60.0, help="a run not finished by then is an error")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds to wait after the warm-up visit")
    parser.add_argument("--locale", default="en-US", help="the browser's locale (st.context.locale)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.counts = [int(c) for c in str(args.visitors).split(",") if c.strip()]
    if not args.counts or min(args.counts) < 1 or max(args.counts) > MAX_VISITORS:
        parser.error(f"--visitors: counts between 1 and {MAX_VISITORS}")
    if not 0 < args.seconds <= MAX_SECONDS or args.every < 0.2 or args.arrive_within > MAX_SECONDS:
        parser.error(f"--seconds in (0, {MAX_SECONDS}], --every >= 0.2, --arrive-within <= {MAX_SECONDS}")
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be positive")
    if args.url is not None and not is_loopback_url(args.url):
        parser.error(f"--url must be an http:// address on this machine (loopback), not {args.url}")
    if args.url and args.replicas:
        parser.error("--url and --replicas: one or the other")
    if not args.path.startswith("/"):
        args.path = "/" + args.path
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pattern = Pattern(
        args.arrive_within, args.rate, args.every, args.seconds, args.timeout, locale=args.locale, seed=args.seed
    )
    with target(ROOT / "app.py", args.url, args.replicas, args.base_path) as app:
        cold, rows = asyncio.run(measure(app, args.path, args.counts, pattern, args.warmup, controls_of(args.path)))
    references, ref_cold = None, None
    if not args.no_reference:
        with target(REFERENCE_APP, None, None, "") as reference:
            ref_cold, references = asyncio.run(
                measure(reference, "/", args.counts, pattern, args.warmup, reference_controls())
            )
    arrival = f"a steady {args.rate}/s" if args.rate else f"all within {args.arrive_within:g} s"
    where = args.url or (f"{args.replicas} replicas behind nginx" if args.replicas else "1 server")
    print(
        f"\n{args.path} on {where}: visitors arrive {arrival}, change a control every {args.every:g} s "
        f"(±25 %) for {args.seconds:g} s after their first render."
        + (" (×N) = multiple of bench/reference_app.py, same pattern, 1 server." if references else "")
    )
    print(
        f"cold first render (one visitor before the rows, not counted): {cell(ms(cold))} ms"
        + (f"; reference {cell(ms(ref_cold))} ms" if references else "")
    )
    print(table(rows, references))
    for line in details("app", rows) + (details("ref", references) if references else []):
        print(line)
    for i, row in enumerate(rows):
        print(machine_line(row, references[i] if references else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
