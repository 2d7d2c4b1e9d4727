"""Every kind of bad input gets a decoded result or a translated refusal, never an exception."""

from __future__ import annotations

import io
import string
import time
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import streamlit
from PIL import Image
from streamlit.testing.v1 import AppTest

from components import safe_input
from components.i18n import MISSING, table, translate
from components.safe_input import (
    MAX_UPLOAD_BYTES,
    BadInput,
    Notice,
    clean_text,
    decode_audio,
    decode_image,
)
from tests.badfiles import Case, audio_cases, blank_png, image_cases, text_cases, tone

LANGUAGES = ("en", "zh-Hans")
ROOT = Path(__file__).resolve().parent.parent


def _wav(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype="FLOAT")
    return buffer.getvalue()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _assert_translated(key: str, params: dict) -> None:
    for language in LANGUAGES:
        assert key in table(language), f"{key} missing in {language}"
        text = translate(key, language, **params)
        assert MISSING[0] not in text and "{" not in text, text


def _check(case: Case, decode) -> tuple[object, list[Notice]] | None:
    """Decode one case and check the outcome against what the case expects."""
    kind, _, key = case.expected.partition(":")
    try:
        result, notices = decode(case.data)
    except BadInput as refusal:
        assert (kind, key) == ("error", refusal.key), f"{case.name} refused with {refusal.key}"
        _assert_translated(refusal.key, refusal.params)
        return None
    assert kind != "error", f"{case.name} should be refused with {key}"
    if kind == "notice":
        assert key in [notice.key for notice in notices], f"{case.name}: {notices}"
    for notice in notices:
        _assert_translated(notice.key, notice.params)
    return result, notices


# --- the string tables ------------------------------------------------------------------------


def test_both_languages_have_the_same_input_messages_and_placeholders():
    english = {k: v for k, v in table("en").items() if k.startswith("input.")}
    chinese = {k: v for k, v in table("zh-Hans").items() if k.startswith("input.")}
    assert english.keys() == chinese.keys()
    for key, text in english.items():
        assert _placeholders(text) == _placeholders(chinese[key]), key


def test_upload_cap_matches_the_streamlit_config():
    config = ROOT / ".streamlit" / "config.toml"
    if not config.exists():
        pytest.skip("no .streamlit/config.toml yet")
    settings = tomllib.loads(config.read_text())
    assert settings["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES


def test_generated_cases_have_unique_names():
    for cases in (image_cases(), audio_cases(), text_cases()):
        names = [case.name for case in cases]
        assert len(names) == len(set(names))


# --- images -----------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, on the way to our refusal
@pytest.mark.parametrize("case", image_cases(), ids=lambda case: case.name)
def test_every_image_is_decoded_or_refused_politely(case: Case):
    outcome = _check(case, decode_image)
    if outcome is not None:
        pixels, _ = outcome
        assert pixels.ndim == 3 and pixels.shape[2] == 3 and pixels.dtype == np.uint8
        assert pixels.flags.writeable


def _red_rises(pixels: np.ndarray, axis: int) -> bool:
    red = pixels[..., 0].astype(int).mean(axis=1 - axis)
    return red[-1] - red[0] > 150


def test_exif_rotated_photo_comes_out_upright():
    case = next(case for case in image_cases() if case.name == "exif_rotated.jpg")
    pixels, _ = decode_image(case.data)
    # stored 64 wide with red rising left to right; turned 90° clockwise, red rises top to bottom
    assert pixels.shape == (64, 48, 3)
    assert _red_rises(pixels, axis=0)


def test_animation_gives_its_first_frame():
    case = next(case for case in image_cases() if case.name == "animated.gif")
    pixels, notices = decode_image(case.data)
    assert _red_rises(pixels, axis=1)  # frames 2 and 3 are turned; the first is not
    assert Notice("input.image_first_frame", {"frames": 3}) in notices


def test_transparent_pixels_become_white():
    clear = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    buffer = io.BytesIO()
    clear.save(buffer, "PNG")
    pixels, _ = decode_image(buffer.getvalue())
    assert (pixels == 255).all()


def test_sixteen_bit_image_uses_the_whole_8_bit_range():
    case = next(case for case in image_cases() if case.name == "sixteen_bit.png")
    pixels, notices = decode_image(case.data)
    assert pixels.min() == 0 and pixels.max() == 255
    assert Notice("input.image_converted", {"mode": "I;16"}) in notices


def test_bomb_is_refused_from_its_header_in_no_time():
    bomb = blank_png(20_000, 20_000)
    start = time.perf_counter()
    with pytest.raises(BadInput) as refusal:
        decode_image(bomb)
    assert refusal.value.key == "input.image_too_large"
    assert len(bomb) < 100_000 and time.perf_counter() - start < 0.5


def test_pillow_bomb_warning_raised_as_error_is_still_a_polite_refusal():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(BadInput) as refusal:
            decode_image(blank_png(10_000, 10_000))
    assert refusal.value.key == "input.image_too_large"


def test_image_exactly_at_the_pixel_limit_is_accepted():
    pixels, _ = decode_image(blank_png(8_000, 5_000))
    assert pixels.shape == (5_000, 8_000, 3)


@pytest.mark.parametrize(("width", "height"), [(300, 3), (3, 300), (301, 3), (3, 301)])
def test_thin_strips_are_refused_beyond_the_aspect_ratio_limit(width: int, height: int):
    """st.image would shrink a thinner picture to 0 pixels on one side (and raise)."""
    if max(width, height) <= safe_input.MAX_ASPECT_RATIO * min(width, height):
        assert decode_image(blank_png(width, height))[0].shape == (height, width, 3)
        return
    with pytest.raises(BadInput) as refusal:
        decode_image(blank_png(width, height))
    assert refusal.value.key == "input.image_too_thin"
    _assert_translated("input.image_too_thin", refusal.value.params)


# --- audio ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", audio_cases(), ids=lambda case: case.name)
def test_every_sound_is_decoded_or_refused_politely(case: Case):
    outcome = _check(case, lambda data: decode_audio(data, 16_000))
    if outcome is not None:
        samples, _ = outcome
        assert samples.ndim == 1 and samples.dtype == np.float32
        assert 0 < len(samples) <= 10 * 16_000
        assert np.abs(samples).max() <= 1.0


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000, 96000])
def test_one_second_lasts_one_second_at_the_target_rate(rate: int):
    samples, _ = decode_audio(_wav(tone(1.0, rate), rate), 16_000)
    assert abs(len(samples) - 16_000) <= 1


@pytest.mark.parametrize(("rate", "target"), [(96_000, 8_000), (8_000, 48_000), (44_101, 16_000)])
def test_resampling_keeps_the_pitch(rate: int, target: int):
    samples, _ = decode_audio(_wav(tone(1.0, rate, hz=1000), rate), target)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * target / len(samples)
    assert abs(peak_hz - 1000) < 5


def test_long_sound_is_cut_to_max_seconds():
    samples, notices = decode_audio(_wav(tone(60.0, 8000), 8000), 16_000, max_seconds=2.5)
    assert len(samples) == 40_000
    assert notices == [Notice("input.audio_truncated", {"seconds": "2.5", "total": "60.0"})]


def test_sound_exactly_max_seconds_long_is_not_cut():
    samples, notices = decode_audio(_wav(tone(10.0, 16_000), 16_000), 16_000)
    assert len(samples) == 160_000 and notices == []


def test_channels_are_averaged():
    left, right = tone(1.0, 16_000, hz=440), tone(1.0, 16_000, hz=660)
    samples, notices = decode_audio(_wav(np.stack([left, right], axis=1), 16_000), 16_000)
    np.testing.assert_allclose(samples, (left + right) / 2, atol=1e-6)
    assert notices == [Notice("input.audio_mixed_to_mono", {"channels": 2})]


def test_eight_bit_wav_sounds_like_the_original():
    buffer = io.BytesIO()
    original = tone(1.0, 16_000)
    sf.write(buffer, original, 16_000, format="WAV", subtype="PCM_U8")
    samples, _ = decode_audio(buffer.getvalue(), 16_000)
    assert np.abs(samples - original).max() < 0.02


def test_quiet_but_audible_sound_is_accepted_unchanged():
    quiet = tone(1.0, 16_000, amplitude=0.001)
    samples, notices = decode_audio(_wav(quiet, 16_000), 16_000)
    np.testing.assert_allclose(samples, quiet)
    assert notices == []


# --- surprises --------------------------------------------------------------------------------


def _good(cases: list[Case]) -> list[Case]:
    return [case for case in cases if not case.expected.startswith("error")]


@pytest.mark.filterwarnings("ignore")  # libraries warn about what they can still read of cut files
@pytest.mark.parametrize(
    ("case", "decode"),
    [(case, decode_image) for case in _good(image_cases())]
    + [(case, lambda data: decode_audio(data, 16_000)) for case in _good(audio_cases())],
    ids=lambda value: getattr(value, "name", ""),
)
def test_cut_or_scrambled_files_are_never_a_surprise(case: Case, decode):
    """Whatever is left of a cut file, or one with its bytes shuffled, gets a specific message."""
    rng = np.random.default_rng(0)
    spoiled = [case.data[:length] for length in np.linspace(1, len(case.data) - 1, 40, dtype=int)]
    for _ in range(20):
        body = np.frombuffer(case.data, np.uint8)[16:]
        spoiled.append(case.data[:16] + rng.permutation(body).tobytes())
    for data in spoiled:
        try:
            decode(data)
        except BadInput as refusal:
            assert refusal.key != "input.unreadable", f"{case.name} spoiled to {len(data)} bytes"


@pytest.mark.parametrize(
    ("decode", "inner"),
    [(decode_image, "_open_image"), (lambda data: decode_audio(data, 16_000), "_read_audio")],
)
def test_unforeseen_failure_becomes_unreadable(monkeypatch, decode, inner):
    def explode(*_):
        raise RuntimeError("a bug we did not foresee")

    monkeypatch.setattr(safe_input, inner, explode)
    with pytest.raises(BadInput) as refusal:
        decode(b"some bytes")
    assert refusal.value.key == "input.unreadable"
    _assert_translated("input.unreadable", {})


def test_ctrl_c_is_not_swallowed(monkeypatch):
    def interrupt(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(safe_input, "_open_image", interrupt)
    with pytest.raises(KeyboardInterrupt):
        decode_image(b"some bytes")


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", text_cases(), ids=lambda case: case.name)
def test_every_text_is_cleaned_or_refused_politely(case: Case):
    outcome = _check(case, clean_text)
    if outcome is not None:
        text, _ = outcome
        assert 0 < len(text) <= 300 and text == text.strip()


@pytest.mark.parametrize("text", ["沙滩上的一只狗", "كلب على الشاطئ", "🐶 on the 🏖️", "👨‍👩‍👧 at the sea", "a dog כלב"])
def test_other_scripts_and_emoji_are_kept_as_typed(text: str):
    assert clean_text(text) == (text, [])


def test_control_and_direction_characters_are_removed():
    cleaned, notices = clean_text("a\x00 dog\x1b[31m \u202eon\ud800 the\nbeach\u200b")
    assert cleaned == "a dog[31m on the beach"
    assert notices == [Notice("input.text_controls_removed")]


@pytest.mark.parametrize("tail", ["👨‍👩‍👧", "q\u0301", "👍🏽"])
def test_cut_never_splits_a_character_sequence(tail: str):
    cleaned, notices = clean_text("a" * 299 + tail, max_chars=300)
    assert cleaned == "a" * 299
    assert notices == [Notice("input.text_truncated", {"max_chars": 300})]


# --- the Streamlit widgets --------------------------------------------------------------------


def _text_page():
    import streamlit as st

    from components.safe_input import audio_upload, image_upload, text_box

    image_upload("Picture", key="picture")
    audio_upload("Sound", key="sound", target_sr=16_000)
    st.session_state["result"] = text_box("Text", key="text", max_chars=20)


def _page(language: str = "en") -> AppTest:
    page = AppTest.from_function(_text_page)
    page.session_state["lang"] = language
    return page.run(timeout=30)


def test_widgets_show_a_message_for_bad_text_and_never_raise():
    page = _page()
    assert not page.exception
    assert [w.value for w in page.warning] == [translate("input.text_empty", "en")]
    assert page.session_state["result"] is None

    page.text_input[0].input("\x00\x07  ").run()
    assert not page.exception
    assert [w.value for w in page.warning] == [translate("input.text_empty", "en")]
    assert not page.error


def test_widgets_show_notices_in_the_visitors_language():
    page = _page("zh-Hans")
    page.text_input[0].input("一只狗\x00在沙滩上奔跑，阳光明媚，海浪拍打着岸边").run()
    assert not page.exception and not page.warning
    assert {i.value for i in page.info} == {
        translate("input.text_controls_removed", "zh-Hans"),
        translate("input.text_truncated", "zh-Hans", max_chars=20),
    }
    assert page.session_state["result"] == "一只狗在沙滩上奔跑，阳光明媚，海浪拍打着"


class _FakeUpload:
    """What st.file_uploader returns, for the uploads AppTest cannot make."""

    def __init__(self, data: bytes) -> None:
        self.file_id, self.data = "upload-1", data

    def getvalue(self) -> bytes:
        return self.data


def _upload_page():
    import streamlit as st

    from components.safe_input import audio_upload, image_upload

    st.session_state["pixels"] = image_upload("Picture", key="picture")
    st.session_state["samples"] = audio_upload("Sound", key="sound", target_sr=8_000)


def _uploaded(monkeypatch, data: bytes) -> AppTest:
    monkeypatch.setattr(streamlit, "file_uploader", lambda *_, **__: _FakeUpload(data))
    return AppTest.from_function(_upload_page).run(timeout=30)


def test_upload_widgets_explain_a_bad_file_instead_of_raising(monkeypatch):
    page = _uploaded(monkeypatch, b"neither a picture nor a sound")
    assert not page.exception
    assert [e.value for e in page.error] == [
        translate("input.image_not_decodable", "en"),
        translate("input.audio_not_decodable", "en"),
    ]
    assert page.session_state["pixels"] is None and page.session_state["samples"] is None


def test_upload_widgets_decode_once_and_repeat_their_notices(monkeypatch):
    decoded = []
    monkeypatch.setattr(safe_input, "decode_image", lambda data: decoded.append(data) or decode_image(data))
    rgba = next(case for case in image_cases() if case.name == "rgba.png")
    page = _uploaded(monkeypatch, rgba.data)
    page.run()
    assert not page.exception and len(decoded) == 1
    assert [i.value for i in page.info] == [translate("input.image_alpha_flattened", "en")]
    pixels = page.session_state["pixels"]
    assert pixels.shape == (48, 64, 3) and not pixels.flags.writeable
