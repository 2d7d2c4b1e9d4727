"""Every string the user reads comes from here, in English, Simplified or Traditional Chinese.

Strings live in `locales/<language>/<section>.toml`; a key is `<section>.<name>`, e.g. `home.title`.
Traditional Chinese is not kept by hand: it is converted from the Simplified table by OpenCC, then a
short list of known mis-conversions is corrected, so the two Chinese tables can never drift apart.
A missing key shows as ⟦key⟧ rather than crashing, and tests fail on any ⟦ in a rendered page.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_KEY = "lang"  # the session-state and URL key of the language setting
MISSING = "⟦{}⟧"

# OpenCC reads 协调表达 as 协调-表(watch)-达; these are the corrections to its output.
_TRADITIONAL_FIXES = {"錶達": "表達", "錶示": "表示"}


def _flatten(prefix: str, tree: dict) -> dict[str, str]:
    flat = {}
    for name, value in tree.items():
        key = f"{prefix}.{name}"
        flat.update(_flatten(key, value) if isinstance(value, dict) else {key: value})
    return flat


def _read_folder(language: str) -> dict[str, str]:
    strings: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.toml")):
        with path.open("rb") as f:
            strings.update(_flatten(path.stem, tomllib.load(f)))
    return strings


def to_traditional(text: str) -> str:
    converted = _converter().convert(text)
    for wrong, right in _TRADITIONAL_FIXES.items():
        converted = converted.replace(wrong, right)
    return converted


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=len(LANGUAGES))
def table(language: str) -> dict[str, str]:
    """The whole string table of one language (cached for the life of the process)."""
    if language == "zh-Hant":
        return {key: to_traditional(text) for key, text in table("zh-Hans").items()}
    return _read_folder(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def translate(key: str, language: str, **params) -> str:
    """One string in one language, with {placeholders} filled in."""
    text = table(language).get(key)
    if text is None:
        return MISSING.format(key)
    return text.format(**params) if params else text


def current_language() -> str:
    import streamlit as st

    language = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params) -> str:
    """A string in the visitor's language."""
    return translate(key, current_language(), **params)


def formatter(prefix: str):
    """A format_func for a select box or radio, with today's language fixed when the widget is drawn.

    Streamlit may call format_func again outside the script run (AppTest does), where the visitor's
    session language cannot be read; a fixed language keeps option labels consistent.
    """
    language = current_language()
    strings = table(language)
    return lambda value: strings.get(f"{prefix}{value}", str(value))  # an unknown value shows as itself


def shown_as(names: dict):
    """A format_func from names worked out while the widget is drawn, so in today's language (see
    `formatter`); a value it does not know shows as itself (a test driver may hand back a label)."""
    return lambda value: names.get(value, value)


def label(value: str) -> str:
    """A class name (red, circle, odd…) in the visitor's language; digits and unknowns stay as they are."""
    key = f"classes.{value}"
    return t(key) if key in table(current_language()) else value
