"""Shareable state: what a page declares here can be put in the URL and restored from it.

A page calls `bind(key, default)` before it creates the widget with that `key`. The first time a
session sees a key that is in the URL, the URL's value wins; afterwards the widget owns it. At the
end of each run `sync_url()` writes every declared value that differs from its default back to the
URL, so the address bar is always a permalink of what is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

_DECLARED = "_state_declared"  # key -> default, for this run
_RESTORED = "_state_restored"  # keys already taken from the URL in this session
OPTIONS = "_state_options"  # key -> its fixed list of values, where it has one (benchmarks read it)
MAX_URL_VALUE = 500  # characters; a longer value (a pasted essay) stays out of the link


def parse(raw: str, default: Any) -> Any:
    """Turn a URL string back into the type of the default; a malformed value falls back to it."""
    try:
        if isinstance(default, bool):
            return raw.lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        return default
    return raw


def encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def bind(key: str, default: Any, options: tuple | list | None = None) -> None:
    """Declare `key` as part of the shareable view and give it its value for this run.

    `options`, where the widget has a fixed list, rejects URL values outside it.
    """
    st.session_state.setdefault(_DECLARED, {})[key] = default
    if options is not None and not isinstance(options, range):
        st.session_state.setdefault(OPTIONS, {})[key] = list(options)
    restored = st.session_state.setdefault(_RESTORED, set())
    if key not in restored:
        restored.add(key)
        if key in st.query_params:
            value = parse(st.query_params[key], default)
            if options is None or value in options:
                st.session_state[key] = value
    if key not in st.session_state:
        st.session_state[key] = default


def begin_run() -> None:
    """Forget last run's declarations: a page only shares what it declares now."""
    st.session_state[_DECLARED] = {}


def view_params() -> dict[str, str]:
    """The declared values that differ from their defaults, as URL parameters. A value too long for
    a link is left out: browsers and QR codes cap an address at a few thousand characters."""
    declared = st.session_state.get(_DECLARED, {})
    params = {key: encode(st.session_state[key]) for key, default in declared.items()
              if key in st.session_state and st.session_state[key] != default}
    return {key: value for key, value in params.items() if len(value) <= MAX_URL_VALUE}


def sync_url() -> None:
    params = view_params()
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def share_url() -> str:
    """The full address of this view, as the visitor's own browser reached the app."""
    base = (st.context.url or "").split("?")[0]
    params = view_params()
    return f"{base}?{urlencode(params)}" if params else base


@dataclass(frozen=True)
class Step:
    """One state of a page's guided sequence: a caption key and the widget values it sets."""

    caption_key: str
    values: dict[str, Any]


def apply_step(steps: list[Step], step_key: str, index: int) -> None:
    """Set the widgets of step `index`; runs as a button callback, before the widgets are drawn."""
    index = max(0, min(index, len(steps) - 1))
    st.session_state[step_key] = index
    for key, value in steps[index].values.items():
        st.session_state[key] = value
