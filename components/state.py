"""Shareable state: every control that goes into the URL is declared once, as a `Control`.

Each page lists its controls in `components/controls/<page>.py` (key, default, allowed values or
range), the way TensorFlow Playground's `state.ts` does: the page's widgets read their options and
limits from it, its steps and the tests use it instead of key strings, and `bind()` uses it to
check a value that arrives in the URL. A value the control does not allow — unknown, out of range,
of the wrong type, NaN, huge — is ignored and the default used, so a hand-edited link opens the page.

The first time a session sees a key that is in the URL, the URL's value wins; afterwards the widget
owns it. At the end of each run `sync_url()` writes every declared value that differs from its
default back to the URL, so the address bar is always a permalink of what is on screen.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import numpy as np
import streamlit as st

from components.i18n import current_language

_DECLARED = "_state_declared"  # key -> default, for this run
_RESTORED = "_state_restored"  # keys already taken from the URL in this session
_LANGUAGE = "_state_language"  # the language of the last run
_PENDING = "_state_pending"  # values a page asked for, to set before the next run draws any widget
OPTIONS = "_state_options"  # key -> its fixed list of values, where it has one (benchmarks read it)
MAX_URL_VALUE = 500  # characters; a longer value (a pasted essay) stays out of the link, and out of a page


@dataclass(frozen=True)
class Control:
    """One control of the shareable view.

    `options` lists the values of a control with a fixed list (radio, select box, select slider);
    `low`/`high` bound a number (slider, number input); a text control has neither. Where the list
    or the limit depends on the data (the test split's length, the world's attributes), the
    declaration gives what is always true and the page narrows it in `bind(options=…, high=…)`.
    """

    key: str
    default: Any
    options: Sequence | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = None

    def __post_init__(self) -> None:
        number = isinstance(self.default, (int, float)) and not isinstance(self.default, bool)
        if number and self.options is None and self.low is None:
            raise ValueError(f"{self.key}: a number needs its options or its range")  # the crash this prevents

    def allows(self, value: Any, options: Sequence | None = None, high: float | None = None) -> bool:
        """Whether `value` is one this control can hold (with this run's narrower options or limit)."""
        options = self.options if options is None else options
        if isinstance(self.default, bool) or isinstance(value, bool):
            return isinstance(value, bool) and isinstance(self.default, bool)
        if options is not None:
            return any(value == option for option in options)
        if isinstance(self.default, (int, float)):
            high = self.high if high is None else high
            return (
                isinstance(value, (int, float))
                and math.isfinite(value)
                and value >= self.low
                and (high is None or value <= high)
            )
        return isinstance(value, str)

    def bind(self, options: Sequence | None = None, default: Any = None, high: float | None = None) -> Any:
        """Declare this control as part of the shareable view and give it its value for this run.

        A value from the URL, or one left from a world or seed that allowed it, that is not allowed
        now is replaced by the default. Returns the value.
        """
        default = self.default if default is None else default
        state = st.session_state
        state.setdefault(_DECLARED, {})[self.key] = default
        if options is not None or self.options is not None:
            state.setdefault(OPTIONS, {})[self.key] = list(self.options if options is None else options)
        restored = state.setdefault(_RESTORED, set())
        if self.key not in restored:
            restored.add(self.key)
            raw = st.query_params.get(self.key)
            if raw is not None and len(raw) <= MAX_URL_VALUE:  # the app never writes a longer one
                state[self.key] = parse(raw, default)
        if self.key not in state or not self.allows(state[self.key], options, high):
            state[self.key] = default
        return state[self.key]

    @property
    def value(self) -> Any:
        return st.session_state[self.key]

    def limits(self, high: float | None = None) -> dict[str, Any]:
        """The keyword arguments of a slider or number input: its range, step and key."""
        return {
            "min_value": self.low,
            "max_value": self.high if high is None else high,
            "step": self.step,
            "key": self.key,
        }


def pick_random(control: Control, n: int, seed: int) -> None:
    """A button callback: the control's next value (0 to n-1) in a fixed random order for this seed, so a
    lecturer's "random sample" clicks show the same samples in the same order at every rehearsal."""
    clicks_key = f"{control.key}.clicks"
    clicks = st.session_state.get(clicks_key, 0) + 1
    st.session_state[clicks_key] = clicks
    st.session_state[control.key] = int(np.random.default_rng([seed, clicks]).integers(n))


def parse(raw: str, default: Any) -> Any:
    """Turn a URL string back into the type of the default; a malformed value comes back as the
    string it was, which no numeric or boolean control allows."""
    try:
        if isinstance(default, bool):
            return {"1": True, "true": True, "0": False, "false": False}.get(raw.lower(), raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:  # also Python's cap on the digits of an int
        return raw
    return raw


def encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def begin_run() -> None:
    """Forget last run's declarations: a page only shares what it declares now.

    After a change of language, every control of the last run is given its own value again, which
    makes Streamlit send that value to the browser: a radio or select box whose option labels were
    just translated otherwise showed no selection (radios) or the old language's label (select boxes).
    """
    language, last = current_language(), st.session_state.get(_DECLARED, {})
    if st.session_state.get(_LANGUAGE) not in (None, language):
        for key in last:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
    st.session_state[_LANGUAGE] = language
    st.session_state[_DECLARED] = {}


def view_params() -> dict[str, str]:
    """The declared values that differ from their defaults, as URL parameters. A value too long for
    a link is left out: browsers and QR codes cap an address at a few thousand characters."""
    declared = st.session_state.get(_DECLARED, {})
    params = {
        key: encode(st.session_state[key])
        for key, default in declared.items()
        if key in st.session_state and st.session_state[key] != default
    }
    return {key: value for key, value in params.items() if len(value) <= MAX_URL_VALUE}


def sync_url(extra: dict[str, str] | None = None) -> None:
    """Make the address bar a permalink of this view, with `extra` parameters that are not controls (a
    loaded lecture deck) beside it."""
    params = view_params() | (extra or {})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def forget(keys: list[str]) -> None:
    """Take these controls from the URL again when they are next bound, as if the visitor had just
    opened the link: a lecture deck moves to its next view by opening that view's link."""
    restored = st.session_state.setdefault(_RESTORED, set())
    for key in keys:
        restored.discard(key)
        st.session_state.pop(key, None)


def share_url(params: dict[str, str] | None = None) -> str:
    """The address that opens this view for someone else: the page's address and its state (or the
    given `params` instead: a room's link carries only its code and the language).

    `st.context.url` is the address in the visitor's browser (Streamlit's frontend sends it), so it
    already holds what a visitor can open: behind a proxy, the outer scheme, host and port; under
    `--server.baseUrlPath`, the prefix (`https://host/mmml/fusion`). Only on Hugging Face Spaces
    is the browser's address not the one to share: see `_space_page`.
    """
    params = view_params() if params is None else params
    query = f"?{urlencode(params)}" if params else ""
    url = (st.context.url or "").split("#")[0].split("?")[0]
    return (_space_page(url) or url) + query


SPACE_PAGE = "https://huggingface.co/spaces/{}"  # a Space's public page; SPACE_ID is "owner/name"


def _space_page(url: str) -> str | None:
    """On a Hugging Face Space (the platform sets SPACE_ID), the Space's public page, where the link
    opens the same view; else None.

    The public page https://huggingface.co/spaces/OWNER/NAME shows the app in an iframe whose own
    address is https://OWNER-NAME.hf.space: that is what `st.context.url` holds there. The public
    page passes its query string (and hash) on to the app on the first load, not its path
    ("How to handle URL parameters in Spaces", https://huggingface.co/docs/hub/spaces-handle-url-parameters;
    the app itself is served "from the root" of its hf.space subdomain,
    https://huggingface.co/docs/hub/spaces-embed#direct-url). So the public page opens the same
    view of the home page only: another page (`.../fusion`) keeps the app's own address, which
    opens that page directly.
    """
    space = os.environ.get("SPACE_ID", "").strip().strip("/")
    if space.count("/") != 1:
        return None
    if urlsplit(url).path.strip("/"):  # not the home page: the public page would lose the path
        return None
    return SPACE_PAGE.format(space)


def ask_key(caption_key: str, part: str) -> str:
    """A question step's strings, in its page's table under `ask.<step>`: `q` (the question) and `why`
    (the explanation after the reveal); its choices are under `ask.<step>.choice` (`choice_key`)."""
    page, name = caption_key.split(".", 1)
    return f"{page}.ask.{name}.{part}"


def choice_key(caption_key: str, value: str) -> str:
    """The string of one prediction a question step offers."""
    page, name = caption_key.split(".", 1)
    return f"{page}.ask.{name}.choice.{value}"


@dataclass(frozen=True)
class Step:
    """One state of a page's guided sequence: a caption key, the values it gives its controls, and the
    key of the chart it talks about (presenter mode scrolls to it). A step with `choices` is asked as a
    question before it runs (components/predict.py)."""

    caption_key: str
    values: dict[Control, Any]
    focus: str | None = None
    choices: tuple[str, ...] = ()


def by_name(page: str, controls: Mapping[str, Control]) -> tuple[Callable, Callable, Callable]:
    """For a page whose controls file names them in a dict (`CONTROL["hop"]`): `key(name)` is the page's
    widget key for a name, `value(name)` its value in this run, and `step(caption, focus, choices, **values)`
    a guided step whose values are given by control name (`step("step_window", hop=4)`: the caption's key
    as the string table writes it, so a search for it finds the page)."""

    def key(name: str) -> str:
        return f"{page}.{name}"

    def value(name: str) -> Any:
        return st.session_state[key(name)]

    def step(caption: str, focus: str | None = None, choices: tuple[str, ...] = (), **values) -> Step:
        return Step(key(caption), {controls[name]: v for name, v in values.items()}, focus, choices)

    return key, value, step


def step_control(page: str, steps: int) -> Control:
    """The control that holds which of a page's `steps` guided steps is on screen."""
    return Control(f"{page}.step", 0, options=range(max(steps, 1)))


def apply_step(steps: list[Step], step_key: str, index: int) -> None:
    """Set the controls of step `index`; runs as a button callback, before the widgets are drawn."""
    index = max(0, min(index, len(steps) - 1))
    st.session_state[step_key] = index
    for control, value in steps[index].values.items():
        st.session_state[control.key] = value


def link_sets(page: str) -> bool:
    """Whether the address this run came with holds some of `page`'s own state (a shared view)."""
    return any(key.startswith(f"{page}.") for key in st.query_params)


def apply_step_next_run(steps: list[Step], step_key: str, index: int) -> None:
    """Show step `index` from the top of the next run: a page that is already drawing cannot set the
    sidebar's settings (a step may choose the world), so the router sets them first (`apply_pending`)."""
    st.session_state[_PENDING] = {step_key: index, **{c.key: v for c, v in steps[index].values.items()}}
    st.rerun()


def apply_pending() -> None:
    """For the router, before any widget is drawn: the values a page asked for in the last run."""
    st.session_state.update(st.session_state.pop(_PENDING, None) or {})
