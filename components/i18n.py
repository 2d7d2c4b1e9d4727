"""Every string the user reads comes from here, in English, Simplified or Traditional Chinese.

Strings live in `locales/<language>/<section>.toml`; a key is `<section>.<name>`, e.g. `home.title`.
Traditional Chinese is not kept by hand: it is converted from the Simplified table by OpenCC with its
Taiwan standard (`s2tw`), then a short, explicit table swaps mainland vocabulary for the words Taiwan
and Hong Kong readers use (數據 → 資料, 默認 → 預設…) and corrects known mis-conversions, so the two
Chinese tables can never drift apart. The terms themselves are listed in `locales/glossary.toml`.
A missing key shows as ⟦key⟧ rather than crashing, and tests fail on any ⟦ in a rendered page.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_KEY = "lang"  # the session-state and URL key of the language setting
MISSING = "⟦{}⟧"

# OpenCC's Taiwan standard: characters as written in Taiwan, but no wholesale vocabulary swap
# (s2twp would also turn 參數 into 引數, 函數 into 函式 and the signal 窗口 into 視窗).
_OPENCC_CONFIG = "s2tw"

# Applied to OpenCC's output (so keys are Traditional), all at once, longest match first.
_TRADITIONAL_FIXES = {
    # mis-conversions: OpenCC reads 协调表达 / 协调表示 as 协调-表(watch)-…, 只有 as 隻(classifier)-有…
    "錶達": "表達",
    "錶示": "表示",
    "隻有": "只有",
    "復現": "重現",
    "纔": "才",
    "爲": "為",
    "裏": "裡",
    "着": "著",
    "系數": "係數",
    # regional vocabulary: what Taiwan and Hong Kong readers expect
    "數據": "資料",
    "信息": "資訊",
    "服務器": "伺服器",
    "內存": "記憶體",
    "默認": "預設",
    "視頻": "影片",
    "音頻": "音訊",
    "概率": "機率",
    "質量": "品質",  # only ever "quality" here (語音品質評估), never mass
    "網絡": "網路",
    "網上": "網路上",
    "計算機": "電腦",
    "程序": "程式",  # a computer program
    "文件": "檔案",  # a computer file
    "軟件": "軟體",
    "硬件": "硬體",
    "圖像": "影像",
    "信噪比": "訊雜比",
    "採樣": "取樣",
    "設置": "設定",
    "加載": "載入",
    "保存": "儲存",
    "存儲": "儲存",
    "內置": "內建",
    "搜索": "搜尋",
    "鼠標": "滑鼠",
    "鏈接": "連結",
    "兼容": "相容",
    "磁盤": "磁碟",
    "字符": "字元",
    "後臺": "背景",
    "調用": "呼叫",
    "運行": "執行",
    "支持": "支援",
    "優化": "最佳化",
    "性能": "效能",
    "魯棒": "穩健",
    "回歸": "迴歸",
    "元音": "母音",
    "點擊": "點選",
    "縮略圖": "縮圖",
}
_FIX = re.compile("|".join(sorted(map(re.escape, _TRADITIONAL_FIXES), key=len, reverse=True)))
# OpenCC leaves 里 (inside) as it is wherever no phrase tells it otherwise (樣本里, 損失里); the
# unit of length 里 (公里, 英里) and 歐幾里得 keep it.
_LI = re.compile("(?<![幾公英千萬])里(?!得)")


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
    """Simplified to Traditional Chinese as written in Taiwan, with the course's fixes."""
    converted = _FIX.sub(lambda m: _TRADITIONAL_FIXES[m.group()], _converter().convert(text))
    return _LI.sub("裡", converted)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC(_OPENCC_CONFIG)


@lru_cache(maxsize=len(LANGUAGES))
def table(language: str) -> dict[str, str]:
    """The whole string table of one language (cached for the life of the process)."""
    if language == "zh-Hant":
        return {key: to_traditional(text) for key, text in table("zh-Hans").items()}
    return _read_folder(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def translate(key: str, language: str, /, **params) -> str:
    """One string in one language, with {placeholders} filled in."""
    text = table(language).get(key)
    if text is None:
        return MISSING.format(key)
    return text.format(**params) if params else text


def current_language() -> str:
    import streamlit as st

    language = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, /, **params) -> str:
    """A string in the visitor's language."""
    return translate(key, current_language(), **params)


def scoped(section: str, language: str | None = None) -> Callable[..., str]:
    """The translator of one string table: with `tp = scoped("fusion")`, `tp("curves_title")` reads
    `fusion.curves_title`. A page names its strings as its table writes them, so searching for a name
    the screen shows finds both the table entry and the code that uses it. With a `language` (this run's),
    it also serves widgets' format_func, which Streamlit may call outside the script run (see `formatter`)."""

    def tp(name: str, /, **params) -> str:  # positional-only: a string may have a {name} placeholder
        key = f"{section}.{name}"
        return translate(key, language, **params) if language else t(key, **params)

    return tp


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


def join(items: Iterable[str]) -> str:
    """A list of words inside a sentence: Chinese separates them with the enumeration comma 、, English
    with a comma and a space."""
    return ("、" if current_language().startswith("zh") else ", ").join(items)
