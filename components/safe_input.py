"""The one gate that every upload and typed text passes through before a page or model sees it.

Pages never decode user bytes themselves: they get a clean array (or text) or nothing, and the
visitor gets a short message in their language instead of a traceback. The decode functions are
pure, so that every kind of bad input can be tested without Streamlit; the widgets only show
their messages.
"""

from __future__ import annotations

import io
import logging
import struct
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import soundfile as sf
import streamlit as st
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy.signal import resample_poly

from components.i18n import t

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # keep in line with server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # a 40-megapixel RGB picture is already 120 MB once decoded
# st.image shrinks a picture wider than its width (the page's 1460 px, or a page's own) and a shrunk
# side under 1 pixel makes Pillow raise: 100 keeps any picture drawn at least 100 px wide safe, and
# nothing thinner is a picture to classify anyway.
MAX_ASPECT_RATIO = 100
SAMPLE_RATES = (4_000, 192_000)  # the audio sample rates we accept, in Hz
SILENCE_PEAK = 1e-4  # -80 dBFS: below a 16-bit file's last bit, so nothing anyone could hear

_MIC_RATES = {8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000}  # those st.audio_input records at
_EXIF_ORIENTATION = 0x0112
_TURNED = range(2, 9)  # EXIF orientations other than 1 (upright); anything else is ignored
# What Pillow raises on cut or corrupt files (found by cutting and scrambling good files).
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_UNRECOGNISED_FORMAT = 1  # libsndfile's SF_ERR_UNRECOGNISED_FORMAT; other codes mean a damaged file
_HIGH_DEPTH_MODES = ("I", "F", "I;16", "I;16B", "I;16L", "I;16N")
_PLAIN_MODES = ("RGB", "L", "1", "P")  # convert to RGB without changing what the picture shows
_WHITESPACE_CONTROLS = "\t\n\r\v\f"
# Embeddings, overrides and isolates: unbalanced, they reverse or disguise the text after them.
# Joiners (ZWJ, ZWNJ) and the plain marks LRM/RLM stay: emoji sequences and several scripts need them.
_DIRECTION_CONTROLS = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))))
_ZERO_WIDTH = frozenset("\u200b\u2060\ufeff")  # zero-width space, word joiner, byte-order mark
_ZWJ = "\u200d"
# Variation selectors (text or emoji style) and skin tones: they belong to the emoji before them.
_EMOJI_MODIFIERS = frozenset(map(chr, (0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400))))

log = logging.getLogger(__name__)


class BadInput(Exception):
    """Input we refuse; `key` names the i18n message that tells the visitor why."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Notice:
    """Something we changed in accepted input that the visitor should know about."""

    key: str
    params: dict = field(default_factory=dict)


@contextmanager
def _refuse_surprises() -> Iterator[None]:
    """Turn any failure we did not foresee into a polite refusal; the traceback goes to the log only."""
    try:
        yield
    except BadInput:
        raise
    except Exception as error:
        log.exception("unexpected failure while decoding user input")
        raise BadInput("input.unreadable") from error


def _check_size(data: bytes) -> None:
    if not data:
        raise BadInput("input.file_empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadInput("input.file_too_large", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))


# --- images -----------------------------------------------------------------------------------


def decode_image(data: bytes) -> tuple[np.ndarray, list[Notice]]:
    """Any picture file, judged by its content rather than its name, as (H, W, 3) uint8 RGB.

    The pixel count is checked from the header before any pixel is decoded, so that a tiny file
    that unpacks to gigabytes (a decompression bomb) costs nothing.
    """
    _check_size(data)
    with _refuse_surprises():
        image, frames = _open_image(data)
        notices = [Notice("input.image_first_frame", {"frames": frames})] if frames > 1 else []
        image, rotated = _upright(image)
        notices += rotated
        rgb, converted = _to_rgb(image)
        return np.array(rgb, dtype=np.uint8), notices + converted


def _open_image(data: bytes) -> tuple[Image.Image, int]:
    """The picture with its first frame loaded, and its number of frames (animations have several;
    counting them reads the whole file, so a cut animation shows up here as damaged)."""
    try:
        image = Image.open(io.BytesIO(data))
        _check_pixels(image)
        _check_shape(image)
        image.load()
        frames = getattr(image, "n_frames", 1)
    except UnidentifiedImageError as error:
        raise BadInput("input.image_not_decodable") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limits (far above ours) fire inside Image.open; the warning only when it is an error
        raise BadInput("input.image_too_large", limit=MAX_PIXELS // 1_000_000) from error
    except _DAMAGED as error:
        raise BadInput("input.image_damaged") from error
    return image, frames


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise BadInput("input.image_too_large", limit=MAX_PIXELS // 1_000_000)


def _check_shape(image: Image.Image) -> None:
    width, height = image.size
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise BadInput("input.image_too_thin", width=width, height=height, ratio=MAX_ASPECT_RATIO)


def _upright(image: Image.Image) -> tuple[Image.Image, list[Notice]]:
    """Phones store pictures sideways plus an EXIF note; models must see them as people do."""
    if image.getexif().get(_EXIF_ORIENTATION) not in _TURNED:
        return image, []
    return ImageOps.exif_transpose(image), [Notice("input.image_rotated")]


def _to_rgb(image: Image.Image) -> tuple[Image.Image, list[Notice]]:
    if image.has_transparency_data:
        background = Image.new("RGBA", image.size, "white")
        flat = Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
        return flat, [Notice("input.image_alpha_flattened")]
    if image.mode in _PLAIN_MODES:
        return image.convert("RGB"), []
    if image.mode in _HIGH_DEPTH_MODES:
        return _stretch_to_8_bit(image), [Notice("input.image_converted", {"mode": image.mode})]
    return image.convert("RGB"), [Notice("input.image_converted", {"mode": image.mode})]


def _stretch_to_8_bit(image: Image.Image) -> Image.Image:
    """16-bit and float pictures (scans, medical, depth maps) often use a narrow range of values;
    Pillow would clip them to 0..255, so their actual range is stretched to 0..255 instead."""
    values = np.asarray(image, dtype=np.float64)
    low, high = values.min(), values.max()
    scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
    return Image.fromarray(scaled.round().astype(np.uint8)).convert("RGB")


# --- audio ------------------------------------------------------------------------------------


def decode_audio(data: bytes, target_sr: int, max_seconds: float = 10.0) -> tuple[np.ndarray, list[Notice]]:
    """Any sound file soundfile can read (WAV, FLAC, OGG, MP3, ...) as 1-D float32 mono in [-1, 1]
    at `target_sr`.

    Only the first `max_seconds` are decoded, so a small compressed file that holds hours of sound
    costs no more than a short one.
    """
    _check_size(data)
    with _refuse_surprises():
        samples, rate, notices = _read_audio(data, max_seconds)
        if not np.isfinite(samples).all():
            raise BadInput("input.audio_not_finite")
        mono, mixed = _to_mono(samples)
        mono, rescaled = _within_unit_range(mono)
        if np.abs(mono).max() < SILENCE_PEAK:
            raise BadInput("input.audio_silent")
        return _resample(mono, rate, target_sr), notices + mixed + rescaled


def _read_audio(data: bytes, max_seconds: float) -> tuple[np.ndarray, int, list[Notice]]:
    """The first `max_seconds` as (frames, channels) float32, the file's sample rate and notices."""
    try:
        sound = sf.SoundFile(io.BytesIO(data))
    except sf.LibsndfileError as error:
        unknown = error.code == _UNRECOGNISED_FORMAT
        raise BadInput("input.audio_not_decodable" if unknown else "input.audio_damaged") from error
    with sound:
        low, high = SAMPLE_RATES
        if not low <= sound.samplerate <= high:
            raise BadInput("input.audio_rate_unsupported", rate=sound.samplerate, low=low, high=high)
        limit = int(max_seconds * sound.samplerate)
        try:
            samples = sound.read(frames=limit + 1, dtype="float32", always_2d=True)
        except sf.LibsndfileError as error:
            raise BadInput("input.audio_damaged") from error
        if len(samples) == 0:
            raise BadInput("input.audio_empty")
        if len(samples) <= limit:
            return samples, sound.samplerate, []
        total = max(sound.frames, len(samples)) / sound.samplerate
        notice = Notice("input.audio_truncated", {"seconds": f"{max_seconds:g}", "total": f"{total:.1f}"})
        return samples[:limit], sound.samplerate, [notice]


def _to_mono(samples: np.ndarray) -> tuple[np.ndarray, list[Notice]]:
    channels = samples.shape[1]
    if channels == 1:
        return samples[:, 0], []
    return samples.mean(axis=1), [Notice("input.audio_mixed_to_mono", {"channels": channels})]


def _within_unit_range(mono: np.ndarray) -> tuple[np.ndarray, list[Notice]]:
    """Float files may go beyond ±1; scaling them down keeps their shape, where clipping would distort."""
    peak = np.abs(mono).max()
    if peak <= 1.0:
        return mono, []
    return mono / peak, [Notice("input.audio_rescaled")]


def _resample(mono: np.ndarray, rate: int, target_sr: int) -> np.ndarray:
    """Polyphase resampling needs a small up/down ratio to stay fast: an odd rate such as 44101 Hz
    is rounded to the nearest ratio with a denominator up to 1000 (a pitch error below 0.1 %)."""
    if rate == target_sr:
        return mono.astype(np.float32)
    ratio = Fraction(target_sr, rate).limit_denominator(1000)
    resampled = resample_poly(mono, ratio.numerator, ratio.denominator)
    return np.clip(resampled, -1.0, 1.0).astype(np.float32)  # the filter can overshoot a little


# --- text -------------------------------------------------------------------------------------


def clean_text(text: str, max_chars: int = 300) -> tuple[str, list[Notice]]:
    """Text as a model may safely get it: any script, emoji and right-to-left text are kept, while
    control and direction-override characters, which can garble or disguise the page, are removed.

    `max_chars` counts Unicode code points.
    """
    cleaned = "".join(_clean_char(char) for char in unicodedata.normalize("NFC", text)).strip()
    notices = [Notice("input.text_controls_removed")] if any(map(_is_control, text)) else []
    if not any(map(_is_visible, cleaned)):
        raise BadInput("input.text_empty")
    if len(cleaned) > max_chars:
        cleaned = _cut(cleaned, max_chars)
        notices.append(Notice("input.text_truncated", {"max_chars": max_chars}))
    return cleaned, notices


def _clean_char(char: str) -> str:
    if char in _WHITESPACE_CONTROLS:
        return " "
    return "" if char in _ZERO_WIDTH or _is_control(char) else char


def _is_control(char: str) -> bool:
    """Characters worth telling the visitor we removed (zero-width spaces and tabs are not)."""
    if char in _WHITESPACE_CONTROLS:
        return False
    return char in _DIRECTION_CONTROLS or unicodedata.category(char) in ("Cc", "Cs")


def _is_visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cf", "Mn", "Me")


def _cut(text: str, limit: int) -> str:
    """Cut at `limit` without splitting an accent from its letter or an emoji sequence apart."""
    while limit > 0 and _continues(text, limit):
        limit -= 1
    return text[:limit].rstrip()


def _continues(text: str, index: int) -> bool:
    char, before = text[index], text[index - 1]
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc") or char in _EMOJI_MODIFIERS or before == _ZWJ or char == _ZWJ
    )


# --- widgets ----------------------------------------------------------------------------------


def image_upload(label: str, key: str) -> np.ndarray | None:
    """A picture upload that returns RGB pixels or None, and explains itself rather than raising.
    The array is decoded once and returned read-only on every rerun.

    No `type=` filter: Streamlit would refuse other extensions with an untranslated message (and
    raise, if the browser's filter is bypassed); the decoder judges files by content instead.
    """
    upload = st.file_uploader(label, key=key)
    return _decoded(upload, key, decode_image)


def camera_photo(label: str, key: str) -> np.ndarray | None:
    """A photo from the visitor's camera as RGB pixels, or None; checked like an uploaded picture."""
    return _decoded(st.camera_input(label, key=key), key, decode_image)


def audio_upload(label: str, key: str, target_sr: int, max_seconds: float = 10.0) -> np.ndarray | None:
    """A sound file or a microphone recording, whichever the visitor gave last, as mono samples at
    `target_sr`, or None; explains itself rather than raising. Read-only, like `image_upload`'s."""
    files, microphone = st.columns(2)
    with files:
        upload = st.file_uploader(label, key=f"{key}.file", on_change=_remember, args=(key, "file"))
    with microphone:
        recording = st.audio_input(
            t("input.record"),
            key=f"{key}.mic",
            sample_rate=target_sr if target_sr in _MIC_RATES else None,
            on_change=_remember,
            args=(key, "mic"),
        )
    latest, other = (upload, recording)
    if st.session_state.get(_source_key(key)) == "mic":
        latest, other = recording, upload
    chosen = latest if latest is not None else other
    settings = (target_sr, max_seconds)
    return _decoded(chosen, key, lambda data: decode_audio(data, *settings), settings)


def text_box(label: str, key: str, max_chars: int = 300, placeholder: str | None = None) -> str | None:
    """A one-line text input that returns cleaned text, or None with a hint when there is none (no hint
    where a `placeholder` says what an empty box stands for).

    Streamlit's own `max_chars` would cut pasted text silently, so the cut happens here, with a notice.
    """
    try:
        text, notices = clean_text(st.text_input(label, key=key, placeholder=placeholder), max_chars)
    except BadInput as bad:
        if placeholder is None or bad.key != "input.text_empty":
            st.warning(t(bad.key, **bad.params))
        return None
    _show(notices)
    return text


def _source_key(key: str) -> str:
    return f"{key}.source"


def _remember(key: str, source: str) -> None:
    st.session_state[_source_key(key)] = source


def _decoded(
    upload: Any, key: str, decode: Callable[[bytes], tuple[np.ndarray, list[Notice]]], settings: tuple = ()
) -> np.ndarray | None:
    """Decode an upload once per file and settings (Streamlit reruns the page on every click), then
    show the outcome; the decoded copy is dropped as soon as the file is removed."""
    memo = f"{key}.decoded"
    if upload is None:
        st.session_state.pop(memo, None)
        return None
    identity = (upload.file_id, *settings)
    remembered = st.session_state.get(memo)
    if remembered is None or remembered[0] != identity:
        try:
            outcome: tuple[np.ndarray, list[Notice]] | BadInput = decode(upload.getvalue())
        except BadInput as bad:
            outcome = bad
        else:
            outcome[0].setflags(write=False)  # kept across reruns: changing it in place would compound
        st.session_state[memo] = remembered = (identity, outcome)
    outcome = remembered[1]
    if isinstance(outcome, BadInput):
        st.error(t(outcome.key, **outcome.params))
        return None
    samples, notices = outcome
    _show(notices)
    return samples


def _show(notices: list[Notice]) -> None:
    for notice in notices:
        st.info(t(notice.key, **notice.params))
