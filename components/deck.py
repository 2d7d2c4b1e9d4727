"""A lecture deck: an ordered list of views across pages, built in the sidebar, walked with Previous /
Next view, saved as a small file or shared as one link (the format and its checks: deck_format.py).

A view is a page and its URL parameters, so moving to a view is opening its link inside the session:
the router forgets the view's controls (`state.forget`) and switches to its page with its parameters
(`arrive`), and every control is bound from them as from any shared link, invalid values refused the
same way. While a deck is loaded the address carries it (`deck=…&deck_at=…`) beside the view's own
parameters, so a reload or a copied address keeps both; the share box offers the deck's link, which
opens the deck at its first view in the deck's language. Per visitor, the deck is a short list of dicts.
"""

from __future__ import annotations

import re
from functools import cache

import streamlit as st

from components import controls, deck_format, i18n, locks, router, settings, state
from components.deck_format import DeckError
from components.i18n import t

DECK, AT = "deck", "deck_at"  # the URL parameters: the packed deck, and the view on screen
_VIEWS = "_deck_views"  # [{"page", "params", "note"}]
_AT = "_deck_at"  # the index of the view on screen (or last arrived at)
_GO = "_deck_go"  # the view to open at the top of the next run
_TAKEN = "_deck_taken"  # this session has read the address's deck
_ERROR = "_deck_error"  # (the message's key, its details): why a file or link was refused
_NOTE, _UPLOAD = "deck_note", "deck_upload"  # the sidebar's widgets


@cache
def _keys() -> dict[str, frozenset[str]]:
    """The URL parameters a view of each page may set: the page's controls and a view's shared settings."""
    shared = {c.key for c in settings.VIEW}
    return {page: frozenset(shared | {c.key for c in controls.of(page)}) for page in router.PAGES}


def views() -> list[dict]:
    return st.session_state.get(_VIEWS, [])


def _deck() -> dict:
    """The deck as it is saved or linked: in the language the visitor reads it in now."""
    return {
        "format": deck_format.FORMAT,
        "version": deck_format.VERSION,
        "language": i18n.current_language(),
        "views": views(),
    }


def _load(deck: dict, at: int = 0, go: bool = True) -> None:
    """Make `deck` this visitor's, in its language, and open view `at` (unless the address holds it)."""
    st.session_state[_VIEWS] = deck["views"]
    st.session_state[_AT] = at = max(0, min(at, len(deck["views"]) - 1))
    st.session_state[i18n.LANGUAGE_KEY] = deck["language"]
    st.session_state.pop(_ERROR, None)
    if go:
        st.session_state[_GO] = at


def _refused(error: DeckError, source: str) -> None:
    st.session_state[_ERROR] = (source, error.reason, error.details)


def _number(text: str) -> int:
    """A view's index or step as the address or a file writes it; anything else (a forged "²") is 0."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else 0


def _checks() -> tuple:
    return tuple(i18n.LANGUAGES), _keys(), state.MAX_URL_VALUE


def take_link() -> None:
    """For the router, first thing: a link with a deck loads it, once per session. A link that holds a
    view besides the deck (an address copied while walking it) opens that view; one that holds only the
    deck opens the view it names."""
    if st.session_state.get(_TAKEN):
        return
    st.session_state[_TAKEN] = True
    raw = st.query_params.get(DECK)
    if raw is None:
        return
    try:
        deck = deck_format.from_link(raw, *_checks())
    except DeckError as error:
        _refused(error, "link")
        return
    holds_view = any(key not in (DECK, AT, i18n.LANGUAGE_KEY, settings.PRESENT.key) for key in st.query_params)
    _load(deck, _number(st.query_params.get(AT, "0")), go=not holds_view)


def arrive() -> None:
    """For the router, after the navigation and before any widget: open the view Previous / Next (or a
    load) asked for, as its link would: its controls are forgotten and read from its parameters."""
    index = st.session_state.pop(_GO, None)
    if index is None or not views():
        return
    view = views()[index]
    st.session_state[_AT] = index
    state.forget([c.key for c in (*settings.VIEW, *controls.of(view["page"]))])
    locks.forget()
    # A page switch asked by the script drops every widget's value (the browser sends none with it); a
    # value set through session state is kept, so the visitor's own language and presenter mode are.
    for key in (i18n.LANGUAGE_KEY, settings.PRESENT.key):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    st.switch_page(router.PAGE_DIR / f"{view['page']}.py", query_params={**view["params"], **link_params()})


def go(index: int) -> None:
    """A button's callback: open the deck's view `index` on the next run (see `arrive`)."""
    st.session_state[_GO] = index


def following(page: str) -> int | None:
    """The index of the deck's view after the current one while `page` is that view's page, else None
    (no deck, its last view, or a page reached by the sidebar): a page's own Next continues there from
    its last step, so one button walks a whole lecture."""
    at = st.session_state.get(_AT, 0)
    on_view = bool(views()) and views()[min(at, len(views()) - 1)]["page"] == page
    return at + 1 if on_view and at + 1 < len(views()) else None


def _packed() -> str | None:
    """The deck as its URL parameter; None without a deck, or for one too long for a link (forty views
    with long notes): that one travels as a file only."""
    packed = deck_format.to_link(_deck()) if views() else None
    return packed if packed and len(packed) <= deck_format.MAX_LINK else None


def link_params() -> dict[str, str]:
    """What the address carries besides the view while a deck is loaded."""
    packed = _packed()
    return {DECK: packed, AT: str(st.session_state.get(_AT, 0))} if packed else {}


def link() -> str | None:
    """The deck's link, which opens it at its first view; None without a deck (or too long a one)."""
    packed = _packed()
    return state.share_url({DECK: packed, AT: "0"}) if packed else None


def _escaped(text: str) -> str:
    """A note from a file or link, shown as the words it is: markdown's signs (links, images) escaped."""
    return re.sub(r"([\\`*_\[\]#<>|!~:])", r"\\\1", text)


def _described(view: dict) -> str:
    step = _number(view["params"].get(f"{view['page']}.step", "0"))
    words = [t(f"common.nav.{view['page']}"), t("deck.step", n=step + 1)]
    return " · ".join(words + ([_escaped(view["note"])] if view["note"] else []))


def bar() -> None:
    """At the top of every page while a deck is loaded: which view, its note, and Previous / Next view.
    A file or link that was refused says why here."""
    refused = st.session_state.get(_ERROR)
    if refused:
        source, reason, details = refused
        why = t(f"deck.error.{reason}", **{k: _escaped(str(v)) for k, v in details.items()})
        st.error(t("deck.bad_link", why=why) if source == "link" else t("deck.bad_file", why=why))
    if not views():
        return
    at, n = st.session_state.get(_AT, 0), len(views())
    with st.container(horizontal=True, vertical_alignment="center", key="deck_bar"):  # one row, on a phone too
        st.button(t("deck.previous"), key="deck_back", disabled=at == 0, on_click=go, args=(at - 1,))
        st.button(t("deck.next"), key="deck_next", disabled=at >= n - 1, on_click=go, args=(at + 1,), type="primary")
        st.markdown(f"🎞️ **{t('deck.view', n=at + 1, total=n)}** · {_described(views()[at])}", width="content")


def _add(page: str) -> None:
    """A callback, so the declarations are still the last run's: the view the visitor is looking at."""
    skip = (i18n.LANGUAGE_KEY, settings.PRESENT.key)
    params = {key: value for key, value in state.view_params().items() if key not in skip}
    params.setdefault(f"{page}.step", "0")  # named even when 0: presenter mode then keeps the view as it is
    note = st.session_state.get(_NOTE, "").strip()[: deck_format.MAX_NOTE]
    st.session_state[_VIEWS] = [*views(), {"page": page, "params": params, "note": note}]
    st.session_state[_AT] = len(views()) - 1
    st.session_state[_NOTE] = ""
    st.session_state.pop(_ERROR, None)


def _remove(index: int) -> None:
    kept = views()[:index] + views()[index + 1 :]
    st.session_state[_VIEWS] = kept
    st.session_state[_AT] = max(0, min(st.session_state.get(_AT, 0), len(kept) - 1))


def _clear() -> None:
    st.session_state[_VIEWS] = []
    st.session_state[_AT] = 0
    st.session_state.pop(_ERROR, None)


def _upload() -> None:
    file = st.session_state.get(_UPLOAD)
    if file is None:
        return
    try:
        _load(deck_format.from_json(file.getvalue(), *_checks()))
    except DeckError as error:
        _refused(error, "file")


def sidebar(page: str) -> None:
    """The deck's builder, drawn by the router so it lives across pages: add this view (with a note),
    the views with a remove button each, download, load, clear."""
    with st.sidebar.expander(t("deck.title"), expanded=bool(views())):
        st.caption(t("deck.help"))
        st.text_input(t("deck.note"), key=_NOTE, max_chars=deck_format.MAX_NOTE)
        full = len(views()) >= deck_format.MAX_VIEWS
        st.button(t("deck.add"), key="deck_add", on_click=_add, args=(page,), disabled=full, width="stretch")
        for i, view in enumerate(views()):
            words, remove = st.columns([6, 1], vertical_alignment="center")
            words.markdown(f"{i + 1}. {_described(view)}")
            remove.button(
                "✕", key=f"deck_remove_{i}", on_click=_remove, args=(i,), help=t("deck.remove"), type="tertiary"
            )
        if views() and _packed() is None:
            st.caption(t("deck.too_long"))
        if views():
            st.download_button(
                t("deck.download"),
                data=deck_format.to_json(_deck()),
                file_name="deck.json",
                mime="application/json",
                key="deck_download",
                on_click="ignore",
                width="stretch",
            )
        st.file_uploader(t("deck.load"), type=["json"], key=_UPLOAD, on_change=_upload)
        if views():
            st.button(t("deck.clear"), key="deck_clear", on_click=_clear, width="stretch")
