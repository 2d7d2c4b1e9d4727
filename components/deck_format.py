"""A lecture deck's file and link format, checked on load: no Streamlit here, so the rules are tested alone.

A deck is an ordered list of views, each a page, the URL parameters of its view (`state.view_params()`)
and an optional note for the speaker:

    {"format": "multimodal-playground-deck", "version": 1, "language": "zh-Hans",
     "views": [{"page": "fusion", "params": {"fusion.step": "2", "world": "digits"}, "note": "…"}]}

The same JSON travels as a file and, compressed, as one URL parameter. Both come from outside (a file
someone mailed, a link a chat app cut short), so `validate` refuses anything it does not expect with a
`DeckError` whose `reason` names a translated message; it never trusts a size, a type or a key.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Collection, Mapping
from typing import Any

FORMAT = "multimodal-playground-deck"
VERSION = 1
MAX_VIEWS = 40  # a lecture's worth; a file with more is not one we wrote
MAX_NOTE = 300  # characters: a line for the speaker, not a script
MAX_FILE = 64 * 1024  # bytes of JSON, in a file or unpacked from a link
MAX_LINK = 6000  # characters of the packed deck in a link: browsers and chat apps keep addresses this long


class DeckError(ValueError):
    """What is wrong with a deck: `reason` names the message (`deck.error.<reason>`), `details` fill it in."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason, details)
        self.reason, self.details = reason, details


def to_json(deck: dict) -> bytes:
    """The deck as a file: readable JSON, so a lecturer can also edit a note by hand."""
    return json.dumps(deck, ensure_ascii=False, indent=1).encode()


def from_json(data: bytes, languages: Collection[str], keys: Mapping[str, Collection[str]], max_value: int) -> dict:
    """A deck from a file's bytes, validated (see `validate`)."""
    if len(data) > MAX_FILE:
        raise DeckError("too_big", kb=MAX_FILE // 1024)
    try:
        parsed = json.loads(data.decode())
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DeckError("not_json") from None
    return validate(parsed, languages, keys, max_value)


def to_link(deck: dict) -> str:
    """The deck as one URL parameter: compact JSON, zlib-compressed, in URL-safe base64 without padding."""
    packed = zlib.compress(json.dumps(deck, ensure_ascii=False, separators=(",", ":")).encode(), 9)
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def from_link(text: str, languages: Collection[str], keys: Mapping[str, Collection[str]], max_value: int) -> dict:
    """A deck from its URL parameter, validated. Unpacking stops at `MAX_FILE` bytes, so a small forged
    parameter cannot unpack into gigabytes."""
    if len(text) > MAX_LINK:
        raise DeckError("too_big", kb=MAX_FILE // 1024)
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj()
        data = unpacker.decompress(packed, MAX_FILE + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise DeckError("bad_link") from None
    if len(data) > MAX_FILE or unpacker.unconsumed_tail:
        raise DeckError("too_big", kb=MAX_FILE // 1024)
    if not unpacker.eof:
        raise DeckError("bad_link")  # cut short
    return from_json(data, languages, keys, max_value)


def validate(data: Any, languages: Collection[str], keys: Mapping[str, Collection[str]], max_value: int) -> dict:
    """The deck, rebuilt from what was checked, or a `DeckError` for the first thing that is wrong.

    `keys` gives each page the URL parameters its views may set (its declared controls and the shared
    settings); `max_value` caps a value's length as links do. A value a control does not allow (out of
    range, unknown option) is not refused here: like a hand-edited link, it gives that control's default.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DeckError("format")
    if data.get("version") != VERSION:
        raise DeckError("version", version=str(data.get("version"))[:20], supported=VERSION)
    language = data.get("language")
    if language not in languages:
        raise DeckError("language", language=str(language)[:20])
    views = data.get("views")
    if not isinstance(views, list) or not views:
        raise DeckError("no_views")
    if len(views) > MAX_VIEWS:
        raise DeckError("too_many", n=len(views), most=MAX_VIEWS)
    return {
        "format": FORMAT,
        "version": VERSION,
        "language": language,
        "views": [_view(v, i + 1, keys, max_value) for i, v in enumerate(views)],
    }


def _view(view: Any, n: int, keys: Mapping[str, Collection[str]], max_value: int) -> dict:
    if not isinstance(view, dict):
        raise DeckError("view", n=n)
    page, params, note = view.get("page"), view.get("params", {}), view.get("note", "")
    if not isinstance(page, str) or page not in keys:
        raise DeckError("page", n=n, page=str(page)[:40])
    if not isinstance(params, dict) or not isinstance(note, str):
        raise DeckError("view", n=n)
    for key, value in params.items():
        if key not in keys[page]:
            raise DeckError("key", n=n, key=str(key)[:40])
        if not isinstance(value, str) or len(value) > max_value:
            raise DeckError("value", n=n, key=key)
    if len(note) > MAX_NOTE:
        raise DeckError("note", n=n, most=MAX_NOTE)
    return {"page": page, "params": dict(params), "note": note}
