"""The optional "pretrained" model source, as a page sees it: one call, a model or a reason.

A page that has a pretrained counterpart calls `panel(role)`. In built-in mode (the default) it
returns None at once: nothing is imported, loaded or downloaded. In pretrained mode it loads the
role's allowlisted model (models/hub.py) under a spinner (saying first how many MB it will
download, when the model is not on this machine yet), shows its size and load time, and returns
it; when that cannot happen (offline, a failed download, too little memory) it says why and
returns None, and the page carries on with its built-in model.

Models are large (0.3-1 GB each), so the server holds one at a time: asking for another role first
drops the one in memory, for every visitor. A session remembers a failure, so a slow failing
download is not retried on every widget change; a button offers to try again.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from components import figures, i18n, settings, state, ui
from components.cache import shared
from components.i18n import t
from models import hub

PHOTOS = ("china", "flower")  # real photographs that ship inside scikit-learn
PHOTO_SOURCES = (*PHOTOS, "upload")
_FAILED = "_pretrained_failed"  # session state: {role: reason_key}
_LOCK = threading.Lock()  # one model loads at a time, so two never sit in memory together
_resident: dict[str, str] = {}  # "role": the role held by the cache


def offline_notice() -> None:
    """At the top of every page in Pretrained mode with no network: which models can still be used,
    said at once (the probe takes under a second), not after a download's retries."""
    if not settings.pretrained_enabled() or not hub.offline():
        return
    st.info(t("pretrained.offline_top", have=len(hub.on_this_machine()), total=len(hub.ROLES)), icon="📴")


def photo_control(key: str) -> state.Control:
    """The control of a page's photo picker (a page declares it under its own key)."""
    return state.Control(key, PHOTOS[0], options=PHOTO_SOURCES)


@st.cache_resource(max_entries=1, show_spinner=False)
def _cached(role: str) -> hub.Loaded:
    """Failures raise and so are not cached: a later call tries again. No st.* call in here:
    Streamlit would replay it on every cache hit."""
    loaded = hub.load(role)
    for tensor in loaded.model.parameters():
        tensor.requires_grad_(False)  # shared by every visitor: read-only
    _resident["role"] = role
    return loaded


def load(role: str) -> hub.Loaded:
    """The role's model, from the cache or freshly loaded; raises PretrainedUnavailable.

    `max_entries=1` alone would evict the old model only after the new one is in memory; clearing
    first keeps the peak at one model, which is what fits a 2.7 GB Community Cloud container.
    """
    with _LOCK:
        if _resident.get("role") not in (None, role):
            hub.location(role)  # offline with nothing on disk: raise before evicting a working model
            _cached.clear()
            _resident.clear()
            gc.collect()
        return _cached(role)


def _size(loaded: hub.Loaded) -> dict[str, str]:
    millions = loaded.parameters / 1e6
    return {
        "parameters": f"{millions:.1f} M" if millions >= 0.1 else f"{loaded.parameters:,}",
        "megabytes": f"{loaded.megabytes:,.1f}",
        "seconds": f"{loaded.seconds:.1f}",
    }


def panel(role: str) -> hub.Loaded | None:
    """None means: use the built-in model (the reason is shown).

    Ask for one role per page run: the server holds one model, so a run that asks for two would
    swap them on every rerun. `st.tabs` runs every tab, so choose the role with a widget instead.
    """
    if not settings.pretrained_enabled():
        return None
    spec = hub.ALLOWLIST[role]
    failed = st.session_state.setdefault(_FAILED, {})
    if role not in failed:
        try:
            loaded = _load_with_spinner(role)
        except hub.PretrainedUnavailable as error:
            failed[role] = error.reason_key
    if role in failed:
        _unavailable(role, failed[role])
        return None
    st.caption(t("pretrained.loaded", model=spec.model_id, **_size(loaded)))
    return loaded


def section(title: str, role: str) -> hub.Loaded | None:
    """A page's pretrained part starts here: in built-in mode nothing is drawn and None returned; in
    pretrained mode, the part's heading, then `panel(role)`."""
    if not settings.pretrained_enabled():
        return None
    st.subheader(title)
    return panel(role)


def _load_with_spinner(role: str) -> hub.Loaded:
    """A spinner with a running clock: a first download takes minutes and has no fraction to show.
    Before a download starts, the page says how big it is (`download_notice`), until it is done."""
    spec = hub.ALLOWLIST[role]
    if _resident.get("role") == role or hub.is_on_this_machine(role) or hub.offline():
        # nothing to download (offline with nothing on disk, `load` says so at once)
        with st.spinner(t("pretrained.loading", model=spec.model_id), show_time=True):
            return load(role)
    notice = st.empty()
    download_notice(role, notice)
    try:
        with st.spinner(t("pretrained.downloading", model=spec.model_id), show_time=True):
            return load(role)
    finally:
        notice.empty()


def download_notice(role: str, where: Any = st) -> None:
    """How big the role's first download is: measured from the Hub's file list, or, where the Hub
    does not list it in time, the allowlist's figure, said to be approximate."""
    size = hub.download_size(role)
    key = "pretrained.download_size" if size.measured else "pretrained.download_size_approx"
    where.info(t(key, model=hub.ALLOWLIST[role].model_id, megabytes=f"{size.megabytes:,.0f}"), icon="⬇️")


def _unavailable(role: str, reason: str) -> None:
    spec = hub.ALLOWLIST[role]
    message = f"{t(f'pretrained.reason.{reason}', model=spec.model_id)} {t('pretrained.fallback')}"
    if reason == "offline":
        st.info(message, icon="📴")
        return
    st.warning(message, icon="⚠️")
    st.button(
        t("pretrained.retry"), key=f"pretrained.retry.{role}", on_click=st.session_state[_FAILED].pop, args=(role, None)
    )


def photo(control: state.Control) -> np.ndarray | None:
    """A real photograph for a pretrained model: one that ships with scikit-learn (so it works
    offline), or the visitor's own. None until an upload arrives; the uploader explains bad files."""
    key = control.key
    control.bind()
    st.radio(
        t("pretrained.photo"),
        control.options,
        format_func=i18n.formatter("pretrained.photo_source."),
        key=key,
        horizontal=True,
    )
    if control.value != "upload":
        return shared.photo(control.value)
    from components import safe_input  # here, not at the top: a first visit need not import its decoders

    pixels = safe_input.image_upload(t("pretrained.upload_photo"), key=f"{key}.upload")
    if pixels is None:
        st.caption(t("pretrained.upload_hint"))
    return pixels


def answer(loaded: hub.Loaded, function: Callable, *inputs: Any) -> Any | None:
    """`function(model, [processor], [tokenizer], *inputs)`, one of models/hub.py's, computed once per
    model and input: a CLIP pass costs ~0.2 s and a caption seconds on a CPU, while every widget
    change reruns the page.

    None, with a message, when the server runs out of memory while the model runs."""
    try:
        return _answer(loaded, function, loaded.source, function.__name__, _digest(inputs), inputs)
    except (MemoryError, RuntimeError) as error:
        if isinstance(error, RuntimeError) and "allocate" not in str(error):  # torch: "can't allocate memory"
            raise
        st.warning(
            f"{t('pretrained.reason.memory', model=hub.ALLOWLIST[loaded.role].model_id)} {t('pretrained.fallback')}",
            icon="⚠️",
        )
        return None


def _digest(inputs: tuple) -> str:
    """The whole input, hashed: Streamlit's own hash samples large arrays, so two photos of one size
    that differ in a corner could share an answer."""
    return hashlib.blake2b(pickle.dumps(inputs, protocol=5), digest_size=16).hexdigest()


@st.cache_data(max_entries=64, show_spinner=False)
def _answer(_loaded: hub.Loaded, _function: Callable, source: str, name: str, digest: str, _inputs: tuple) -> Any:
    """Keyed by the model (`source`), the function's `name` and the inputs' `digest`; the underscored
    arguments are not hashed."""
    parts = [part for part in (_loaded.model, _loaded.processor, _loaded.tokenizer) if part is not None]
    return _function(*parts, *_inputs)


def audio_tags(loaded: hub.Loaded, waveform: np.ndarray, sr: int, key: str, top: int = 5) -> hub.Filterbank | None:
    """The audio role's top tags for a sound as a bar chart, with why they need not add up to 1: the
    one drawing of an AST answer, on every page that has one. Returns what AST read, for a page that
    shows it."""
    with st.spinner(t("pretrained.audio.listening")):
        waveform = np.asarray(waveform, dtype=np.float32)
        tags = answer(loaded, hub.classify_audio, waveform, int(sr), top, hub.ALLOWLIST[loaded.role].multi_label)
        heard = hub.audio_filterbank(loaded.processor, waveform, int(sr))
    if tags is None:
        return None
    names, probabilities = [name for name, _ in tags], [p for _, p in tags]
    fig = figures.probability_bars(
        probabilities,
        names,
        t("pretrained.audio.title", n=len(tags)),
        xlabel=t("common.probability"),
        height=80 + 26 * len(tags),
    )
    seconds = heard.heard / 100  # AST's frames are 10 ms apart
    ui.chart(fig, t("pretrained.audio.summary", tag=names[0], p=probabilities[0], seconds=seconds), key=key)
    if hub.ALLOWLIST[loaded.role].multi_label:
        st.caption(t("pretrained.audio.multi_label", n=len(loaded.model.config.id2label)))
    return heard
