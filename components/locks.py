"""Locked and hidden controls, for any shared link: a lecturer hands out a view in which students move only
the controls the lesson is about (TensorFlow Playground's classroom links do this).

Three shared settings carry it, in the URL like the others: `lock=<page>` locks that page's view (its
controls, its guided step, and the shared world, seed, model source and pinned sample keep the link's
values) except the controls listed in `free=<key>,<key>`; `hide=<key>,<key>` also hides some of the locked
ones. A free list rather than a lock list: "students move only the noise slider" is one key to choose and
to carry in the link, where a lock list would name all fourteen others.

Enforced on the server: every run sets each locked control back to the link's value before any widget is
drawn, so a widget moved anyway (by the keyboard, or a browser's developer tools) springs back. The look is
CSS on Streamlit's per-widget class (`.st-key-<key>`), so no page draws anything for it. A classroom
convenience, not a security boundary: whoever edits the address can open the view unlocked.
"""

from __future__ import annotations

import re

import streamlit as st

from components import controls, settings, state
from components.i18n import current_language, shown_as, t, translate

_VALUES = "_locks_values"  # the locked view's URL parameters, taken when the lock arrived
_OWN = "_locks_own"  # this visitor locked the view themself (in the share box), not a link
_ON, _FREE, _HIDE = "locks_on", "locks_free", "locks_hide"  # the share box's widgets
# settings that are the visitor's own, never locked: the language they read and presenter mode
_SHARED = (settings.WORLD, settings.SEED, settings.SOURCE, settings.PIN)
_SHARED_LABELS = {
    settings.WORLD.key: "common.world",
    settings.SEED.key: "common.seed",
    settings.SOURCE.key: "pretrained.source",
    settings.PIN.key: "common.pinned",
}


def _listed(control: state.Control) -> list[str]:
    return [key for key in str(st.session_state.get(control.key, "")).split(",") if key]


def lockable(page: str) -> list[state.Control]:
    """What a lock on `page` can hold: the shared settings of a view and the page's own controls."""
    return [*_SHARED, *controls.of(page)]


def locked(page: str) -> list[state.Control]:
    """The controls that keep the link's values on `page` now (none unless the link locks this page)."""
    if st.session_state.get(settings.LOCK.key) != page:
        return []
    free, hidden = set(_listed(settings.FREE)), set(_listed(settings.HIDE))
    return [c for c in lockable(page) if c.key not in free or c.key in hidden]


def forget() -> None:
    """A new view arrives (a deck's next view): its locks are read from its link."""
    st.session_state.pop(_VALUES, None)
    st.session_state[_OWN] = False


def impose(page: str) -> None:
    """For the router, after the navigation and before any widget: put every locked control of `page`
    back to the link's value (a control the link left at its default gets its default), and grey or
    hide its widgets."""
    held = locked(page)
    if not held:
        return
    taken = st.session_state.get(_VALUES)
    if taken is None:  # the lock just arrived: the address holds the view it locks
        taken = st.session_state[_VALUES] = dict(st.query_params)
    for control in held:
        raw = taken.get(control.key)
        value = None if raw is None else state.parse(raw, control.default)
        if value is None or (control in _SHARED and not control.allows(value)):
            st.session_state.pop(control.key, None)  # bound again this run: its default
        else:
            st.session_state[control.key] = value  # a page's own bind() still checks it
    hidden = set(_listed(settings.HIDE))
    st.html(
        f"<style>{_css([c.key for c in held if c.key not in hidden], [c.key for c in held if c.key in hidden])}</style>"
    )


def _css(greyed: list[str], hidden: list[str]) -> str:
    """Each control's widget by Streamlit's class for its key (`.st-key-` and the key with every
    character but letters, digits, - and _ made a -), and the buttons that belong to it (`<key>.dice`)."""

    def selectors(keys: list[str]) -> str:
        names = [re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip()) for key in keys]
        return ", ".join(f'.st-key-{n}, [class*="st-key-{n}-"]' for n in names)

    rules = []
    if greyed:
        rules.append(f"{selectors(greyed)} {{ pointer-events: none; opacity: 0.45; }}")
    if hidden:
        rules.append(f"{selectors(hidden)} {{ display: none !important; }}")
    return "\n".join(rules)


def label(key: str) -> str:
    """A control's name for the lecturer's choice: the label its widget shows, where the string has the
    control's own key (most do; placeholders such as "(of {n})" dropped), else the key's name."""
    if key in _SHARED_LABELS:
        return t(_SHARED_LABELS[key])
    if key.endswith(".step"):
        return t("deck.guided_step")
    text = translate(key, current_language())
    if text.startswith("⟦"):
        return key.split(".", 1)[-1].replace("_", " ")
    return re.sub(r"\s*[(（][^()（）]*\{\w+\}[^()（）]*[)）]|\{\w+\}", "", text).strip()


def _choose(page: str) -> None:
    """The share box's lock widgets changed: lock this view as it is on screen now (or unlock it)."""
    on = st.session_state.get(_ON, False)
    st.session_state[settings.LOCK.key] = page if on else ""
    st.session_state[settings.FREE.key] = ",".join(st.session_state.get(_FREE, [])) if on else ""
    st.session_state[settings.HIDE.key] = ",".join(st.session_state.get(_HIDE, [])) if on else ""
    st.session_state.pop(_VALUES, None)  # taken from the address again: the view on screen
    st.session_state[_OWN] = True


def chooser(page: str) -> None:
    """In the share box: lock this view, leaving free the controls the students may move, and hide
    some. A visitor whose link locked the view is only told so."""
    here = st.session_state.get(settings.LOCK.key) == page
    if here and not st.session_state.get(_OWN):
        st.caption(t("deck.locked_by_link"))
        return
    st.toggle(t("deck.lock"), value=here, key=_ON, on_change=_choose, args=(page,), help=t("deck.lock_help"))
    if not here:
        return
    options = [c.key for c in lockable(page)]
    for key, text, control in ((_FREE, "deck.free", settings.FREE), (_HIDE, "deck.hide", settings.HIDE)):
        st.multiselect(
            t(text),
            options,
            default=[k for k in _listed(control) if k in options],
            format_func=shown_as({k: label(k) for k in options}),  # today's language
            placeholder=t("deck.choose"),
            key=key,
            on_change=_choose,
            args=(page,),
        )
