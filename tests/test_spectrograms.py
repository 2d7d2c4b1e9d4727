"""The spectrograms page: its axes put known tones where they belong, every control redraws,
the classifier really hears the world's sounds, and bad uploads get a message."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
import soundfile as sf
import streamlit
from presenter import press_next

from components import safe_input
from components.i18n import translate
from models.core import audio, features, worlds
from models.spectrograms import analysis as sp
from tests.badfiles import audio_cases

from conftest import jit_modules_after_views

SR = 8000
PAGE = "spectrograms"


def sine(freq: float, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    return np.sin(2 * np.pi * freq * np.arange(int(sr * seconds)) / sr).astype(np.float32)


def spectrogram(
    y: np.ndarray, scale: str = "linear", n_fft: int = 512, sr: int = SR, n_mels: int = 64
) -> sp.Spectrogram:
    hop = n_fft // 4
    return sp.analyse(sp.power(y, n_fft, hop, "hann"), sr, n_fft, hop, scale, n_mels, 80.0)


def loudest_row_hz(spec: sp.Spectrogram) -> float:
    return float(spec.rows_hz[np.argmax(spec.db.mean(axis=1))])


# ---------------------------------------------------------------- axes against known tones
@pytest.mark.parametrize("scale,tolerance_hz", [("linear", SR / 512), ("log", 40.0), ("mel", 60.0)])
def test_one_kilohertz_sine_peaks_in_the_one_kilohertz_row_on_every_axis(scale, tolerance_hz):
    assert loudest_row_hz(spectrogram(sine(1000.0), scale)) == pytest.approx(1000.0, abs=tolerance_hz)


def test_time_axis_puts_an_onset_where_it_happens():
    y = np.concatenate([np.zeros(SR // 2, np.float32), sine(1000.0, 0.5)])
    spec = spectrogram(y, n_fft=256)
    first_loud = spec.times[np.argmax(spec.db.max(axis=0) > -20)]
    assert first_loud == pytest.approx(0.5, abs=256 / SR)


def harmonic_levels(shape: str, harmonics: int = 6) -> np.ndarray:
    """dB of harmonics 1..n of a world sound (red, small: 262 Hz), relative to the fundamental."""
    spec = spectrogram(sp.shape_sound(shape, "red", "small"), n_fft=2048)
    f0 = worlds.COLOUR_PITCH_HZ["red"]
    rows = [int(np.argmin(np.abs(spec.rows_hz - k * f0))) for k in range(1, harmonics + 1)]
    levels = spec.db[rows].max(axis=1)
    return levels - levels[0]


def test_square_wave_shows_odd_harmonics_only():
    levels = harmonic_levels("square")
    odd, even = levels[[2, 4]], levels[[1, 3, 5]]
    assert odd.min() > -20 and even.max() < -40, levels
    assert levels[2] == pytest.approx(20 * np.log10(1 / 3), abs=2.0)  # a square wave's 3rd harmonic is 1/3 as loud


def test_triangle_harmonics_fade_faster_than_square_and_sine_has_none():
    triangle, square, circle = harmonic_levels("triangle"), harmonic_levels("square"), harmonic_levels("circle")
    assert triangle[2] == pytest.approx(20 * np.log10(1 / 9), abs=2.0) and triangle[2] < square[2] - 8
    assert circle[1:].max() < -50


def test_log_axis_rows_are_evenly_spaced_in_octaves_and_keep_thin_lines():
    power = sp.power(sine(1000.0), 256, 64, "hann")
    rows = audio.log_frequency(power, SR, 256, sp.LOG_BANDS)
    edges = audio.log_band_edges(SR, 256, sp.LOG_BANDS)
    assert rows.shape == (sp.LOG_BANDS, power.shape[1])
    np.testing.assert_allclose(np.diff(np.log2(edges)), np.log2(edges[1] / edges[0]))
    assert rows.max() == pytest.approx(power.max())  # the line is as bright as on the linear axis


def test_too_many_mel_bands_for_a_short_window_are_reported_empty():
    assert spectrogram(sine(1000.0), "mel", n_fft=64, n_mels=128).empty_rows > 0
    assert spectrogram(sine(1000.0), "mel", n_fft=1024, n_mels=40).empty_rows == 0


def test_db_range_floors_the_quietest_cells():
    y = sine(1000.0) + 1e-4 * sine(2000.0)
    for top_db in (20, 120):
        spec = sp.analyse(sp.power(y, 256, 64, "hann"), SR, 256, 64, "linear", 40, top_db)
        assert spec.db.max() == 0.0 and spec.db.min() == pytest.approx(-top_db)


def test_resolution_trade_off_numbers():
    assert sp.resolution(8000, 256, 64) == {"window_ms": 32.0, "hop_ms": 8.0, "bin_hz": 31.25}
    short, long = sp.resolution(SR, sp.SHORT_WINDOW, 16), sp.resolution(SR, sp.LONG_WINDOW, 256)
    assert short["window_ms"] < long["window_ms"] and short["bin_hz"] > long["bin_hz"]


def test_long_window_separates_close_tones_that_a_short_one_merges():
    y = sine(1000.0) + sine(1100.0)
    for n_fft, resolved in ((64, False), (1024, True)):
        spectrum = spectrogram(y, n_fft=n_fft).db.mean(axis=1)
        hz = audio.frequencies(SR, n_fft)
        dip = spectrum[np.argmin(np.abs(hz - 1050.0))]
        peak = spectrum[np.argmin(np.abs(hz - 1000.0))]
        assert (peak - dip > 6.0) == resolved


# ---------------------------------------------------------------- MFCCs, bands, drawing
def test_mfcc_is_the_textbook_dct_and_all_coefficients_rebuild_the_log_mel():
    """The orthonormal DCT-II (as librosa.feature.mfcc uses), written out as a matrix."""
    log_mel = audio.log_mel(sp.load_speech("hello_en"), sp.SPEECH_RATE, 512, 128, 40)
    k, n = np.arange(13)[:, None], np.arange(40)[None, :]
    basis = np.sqrt(2 / 40) * np.cos(np.pi * k * (2 * n + 1) / (2 * 40))
    basis[0] /= np.sqrt(2)
    np.testing.assert_allclose(audio.mfcc(log_mel, 13), basis @ log_mel, rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(audio.mfcc_envelope(audio.mfcc(log_mel, 40), 40), log_mel, atol=1e-3)


def test_few_mfccs_keep_the_envelope_but_lose_the_harmonics():
    power = sp.power(sp.shape_sound("square", "red", "large"), 1024, 256, "hann")
    coefficients, rebuilt = sp.mfccs(power, SR, 1024, 64, 80.0)
    original = audio.to_db(audio.mel_filterbank(SR, 1024, 64) @ power, 80.0)
    ripple = lambda db: float(np.abs(np.diff(db[:, 20], 2)).mean())  # noqa: E731 (curvature across bands)
    assert coefficients.shape == (sp.N_MFCC, power.shape[1])
    assert ripple(rebuilt) < 0.5 * ripple(original)


@pytest.mark.parametrize("freq,louder", [(300.0, 0), (3000.0, 1)])
def test_band_levels_tell_low_from_high(freq, louder):
    power = sp.power(sine(freq), 256, 64, "hann")
    levels = sp.band_levels(power, SR, 256, [(0.0, 1000.0), (2000.0, 4001.0)], 80.0)
    assert levels.shape == (2, power.shape[1]) and levels.max() == 0.0
    assert (levels[louder] > levels[1 - louder] + 20).all()


def test_drawing_caps_the_cells_but_keeps_a_single_click():
    y = np.zeros(16000 * 10, np.float32)
    y[123_457] = 1.0
    spec = sp.analyse(sp.power(y, 2048, 256, "hann"), 16000, 2048, 256, "linear", 40, 80.0)
    drawn = sp.for_drawing(spec)
    assert drawn.db.shape[0] <= sp.MAX_DRAWN[0] and drawn.db.shape[1] <= sp.MAX_DRAWN[1]
    assert drawn.db.dtype == np.int8 and drawn.db.max() == 0 and len(drawn.times) == drawn.db.shape[1]
    click_time = drawn.times[np.argmax(drawn.db.max(axis=0))]
    assert click_time == pytest.approx(123_457 / 16000, abs=0.1)
    deep = sp.Spectrogram(np.array([[0.0, -300.0]]), np.zeros(2), np.zeros(1), "mel", 0)
    assert sp.for_drawing(deep).db.tolist() == [[0, -127]]  # clipped, never wrapped round to loud


# ---------------------------------------------------------------- sounds and what the model sees
def test_speech_clips_are_small_16_khz_and_in_both_languages():
    clips = sp.speech_clips()
    assert {c.language for c in clips.values()} == {"en", "zh"} and len(clips) >= 6
    total = 0
    for clip in clips.values():
        info = sf.info(sp.SPEECH_DIR / f"{clip.clip_id}.wav")
        assert (info.samplerate, info.channels) == (16000, 1)
        assert info.duration == pytest.approx(clip.seconds, abs=0.01) and 0.3 < clip.seconds < 5
        total += (sp.SPEECH_DIR / f"{clip.clip_id}.wav").stat().st_size
    assert total < 1_000_000


def test_model_hears_the_loudest_second_at_8_khz():
    y = np.zeros(3 * 16000, np.float32)
    y[32000:36000] = sine(500.0, 0.25, 16000)
    clip, start = sp.loudest_second(y, 16000)
    assert clip.shape == (sp.MODEL_SAMPLES,) and 1.25 <= start <= 2.0
    short, start = sp.loudest_second(sine(500.0, 0.3, 22050), 22050)
    assert short.shape == (sp.MODEL_SAMPLES,) and start == 0.0 and not short[int(0.31 * SR) :].any()
    image, vector = sp.model_input(clip)
    assert vector.shape == (image.size,) and image.size == features.SOUND_VECTOR_SIZE


def predictions(world_name: str, clips: list[np.ndarray]) -> np.ndarray:
    from models.unimodal import nets as unimodal

    model, _ = unimodal.load("sound", world_name)
    return np.array([int(np.argmax(sp.hear(model, clip, SR).probabilities)) for clip in clips])


def test_the_default_classifiers_recognise_every_page_sound():
    combos = [(s, c, z) for s in worlds.SHAPES for c in worlds.COLOURS for z in worlds.SIZES]
    shapes = predictions("shapes", [sp.shape_sound(*combo) for combo in combos])
    assert (shapes == [worlds.SHAPES.index(s) for s, _, _ in combos]).all()
    assert (predictions("digits", [sp.dtmf_sound(d) for d in range(10)]) == np.arange(10)).all()


def test_page_first_render_needs_no_librosa_or_numba(tmp_path):
    """Fresh server, empty numba cache: the default view must not import (let alone compile) librosa."""
    assert jit_modules_after_views(PAGE, f"{PAGE}.view", ("bands", "compare"), tmp_path) == set()


# ---------------------------------------------------------------- the page
def figure(at, key: str) -> dict | list[dict]:
    """A chart's Plotly spec; for a chart drawn in panels (`key`, `key_1`, …), the list of its panels' specs."""
    specs = [
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if re.search(rf"-{PAGE}_{key}(_\d+)?$", c.proto.id)
    ]
    return specs[0] if len(specs) == 1 else specs


def array(value) -> np.ndarray:
    """A numpy array as plotly sends it to the browser: a list, or base64 bytes with a dtype and shape."""
    if isinstance(value, dict):
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return data.reshape([int(n) for n in str(value.get("shape", len(data))).split(",")])
    return np.asarray(value)


def chart_keys(at) -> set[str]:
    """The page's charts by key; a chart drawn in panels (`key`, `key_1`, …) counts once."""
    return {re.sub(r"_\d+$", "", c.proto.id.rsplit(f"-{PAGE}_", 1)[-1]) for c in at.get("plotly_chart")}


def assert_clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def change(at, name: str, value) -> None:
    widget = next(
        w
        for kind in ("radio", "selectbox", "select_slider", "slider", "toggle")
        for w in at.get(kind)
        if w.key == f"{PAGE}.{name}"
    )
    widget.set_value(value).run()
    assert_clean(at)


def test_default_view_shows_the_pipeline(app):
    at = app(PAGE)
    assert_clean(at)
    assert chart_keys(at) == {"frames", "main", "resolution"}
    main = figure(at, "main")
    assert main["layout"]["xaxis"]["title"]["text"] == "time (s)"
    assert main["layout"]["yaxis"]["title"]["text"] == translate(f"{PAGE}.axis_linear", "en")
    assert any("8,000 samples per second" in c.value for c in at.caption)


def test_the_drawn_axes_put_a_telephone_key_at_its_two_frequencies(app):
    """Key 1 is 697 Hz + 1209 Hz: the two brightest rows of the drawn heatmap sit there on every axis."""
    at = app(PAGE, **{f"{PAGE}.source": "dtmf", f"{PAGE}.digit": 1, f"{PAGE}.n_fft": 1024})
    for scale in sp.SCALES:
        change(at, "scale", scale)
        heatmap = figure(at, "main")["data"][0]
        rows = array(heatmap["y"]).astype(float)
        khz = audio.mel_to_hz(rows) / 1000 if scale == "mel" else rows
        level = array(heatmap["z"]).astype(float).mean(axis=1)
        found = set()
        for row in np.argsort(level)[::-1]:
            found |= {tone for tone in (0.697, 1.209) if abs(khz[row] - tone) < 0.05}
            if len(found) == 2 or level[row] < level.max() - 10:
                break
        assert found == {0.697, 1.209}, scale


# The defaults the walk returns to before each control; widgets absent from a view are not reset.
DEFAULTS = {
    "source": "shape",
    "view": "resolution",
    "scale": "linear",
    "mfcc": False,
    "n_fft": 256,
    "window": "hann",
    "top_db": 80,
    "start": 0.25,
}
# (widget, new value, settings to open first, the chart that must change)
CONTROLS = [
    ("shape", "circle", {}, "main"),
    ("colour", "blue", {}, "main"),
    ("size", "large", {}, "main"),
    ("source", "dtmf", {}, "main"),
    ("digit", 1, {"source": "dtmf"}, "main"),
    ("clip", "nihao_zh", {"source": "speech"}, "main"),
    ("n_fft", 1024, {}, "main"),
    ("hop", 8, {}, "main"),
    ("window", "boxcar", {}, "frames"),
    ("start", 0.5, {}, "frames"),
    ("scale", "log", {}, "main"),
    ("scale", "mel", {}, "main"),
    ("n_mels", 80, {"scale": "mel"}, "main"),
    ("top_db", 40, {}, "main"),
    ("n_mels", 24, {"mfcc": True}, "mfcc"),
    ("top_db", 40, {"view": "bands"}, "bands"),
    ("low_band", 1.0, {"view": "bands"}, "bands"),
    ("high_band", 3.0, {"view": "bands"}, "bands"),
    ("other", "dtmf:9", {"view": "compare"}, "compare"),
    ("n_fft", 512, {"view": "compare"}, "compare"),
    ("window", "hamming", {"view": "resolution"}, "resolution"),
    ("source", "speech", {"view": "model"}, "model_input"),
]


def test_every_control_changes_its_figure(app):
    """One session walks through every control; each change is checked on the chart it drives."""
    at = app(PAGE)
    for name, new, setup, chart in CONTROLS:
        for setup_name, setup_value in {**DEFAULTS, **setup}.items():
            if at.session_state[f"{PAGE}.{setup_name}"] != setup_value:
                change(at, setup_name, setup_value)
        before = figure(at, chart)
        change(at, name, new)
        assert figure(at, chart) != before, (name, chart)


def test_mfcc_toggle_and_views_add_their_figures(app):
    at = app(PAGE)
    change(at, "mfcc", True)
    assert {"mfcc", "mfcc_rebuilt"} <= chart_keys(at)
    for view, charts in (
        ("bands", {"bands"}),
        ("compare", {"compare"}),
        ("model", {"model_input", "vector", "prediction"}),
    ):
        change(at, "view", view)
        assert charts <= chart_keys(at)
    assert any(translate(f"{PAGE}.prediction_summary", "en", label="square", p=1.0)[:20] in c.value for c in at.caption)


def test_model_names_the_shape_it_hears_and_warns_about_speech(app):
    at = app(PAGE, **{f"{PAGE}.view": "model", f"{PAGE}.shape": "star"})
    assert any(c.value.startswith("Prediction: star") for c in at.caption)
    assert not at.warning
    change(at, "source", "speech")
    assert at.warning and "Shapes world" in at.warning[0].value


def test_settings_are_in_the_permalink(app):
    at = app(PAGE)
    change(at, "n_fft", 1024)
    change(at, "scale", "mel")
    params = dict(at.query_params)
    assert params[f"{PAGE}.n_fft"] == "1024" and params[f"{PAGE}.scale"] == "mel"

    from streamlit.testing.v1 import AppTest

    fresh = AppTest.from_file(at._script_path, default_timeout=60)
    fresh.query_params.update({**params, f"{PAGE}.other": "speech:nihao_zh", f"{PAGE}.n_mels": "bad"})
    fresh.switch_page(f"lessons/{PAGE}.py").run()  # the link opens this page first, as a browser would
    assert_clean(fresh)
    restored = {name: fresh.session_state[f"{PAGE}.{name}"] for name in ("n_fft", "scale", "other", "n_mels")}
    assert restored == {"n_fft": 1024, "scale": "mel", "other": "speech:nihao_zh", "n_mels": 40}


def test_presenter_steps_walk_through_the_story(app):
    at = app(PAGE, present=True)
    seen = []
    for _ in range(4):
        press_next(at)
        assert_clean(at)
        seen.append((at.session_state[f"{PAGE}.source"], at.session_state[f"{PAGE}.view"]))
    assert seen == [("shape", "resolution"), ("dtmf", "resolution"), ("speech", "bands"), ("speech", "model")]
    assert at.session_state[f"{PAGE}.shape"] == "circle"  # step 2 (the sine) changed the shape; step 1 is the default
    assert "model_input" in chart_keys(at)


class FakeUpload:
    """What st.file_uploader returns; AppTest cannot upload files itself."""

    def __init__(self, name: str, data: bytes) -> None:
        self.file_id, self.data = name, data

    def getvalue(self) -> bytes:
        return self.data


def wav(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def test_every_bad_upload_gets_a_message_and_good_ones_a_spectrogram(app, monkeypatch):
    current: dict[str, FakeUpload | None] = {"upload": None}
    monkeypatch.setattr(streamlit, "file_uploader", lambda *_, **__: current["upload"])
    at = app(PAGE, **{f"{PAGE}.source": "upload"})
    assert at.info and at.info[0].value == translate(f"{PAGE}.upload_hint", "en") and not chart_keys(at)
    for case in audio_cases():
        if case.expected == "ok" and case.name not in ("tone.wav", "tone_8000.wav", "tone_96000.wav"):
            continue  # decoding itself is tested in test_safe_input; here: every refusal, every notice
        current["upload"] = FakeUpload(case.name, case.data)
        at.run()
        assert_clean(at)
        if case.expected.startswith("error:"):
            with pytest.raises(safe_input.BadInput) as refusal:
                safe_input.decode_audio(case.data, sp.SPEECH_RATE)
            assert [e.value for e in at.error] == [translate(refusal.value.key, "en", **refusal.value.params)], (
                case.name
            )
            assert not chart_keys(at), case.name
        else:
            assert not at.error and "main" in chart_keys(at), case.name


def test_a_sound_shorter_than_one_window_still_draws(app, monkeypatch):
    upload = FakeUpload("click.wav", wav(np.array([0.0, 0.9, -0.9, 0.5, 0.0], np.float32), 16000))
    monkeypatch.setattr(streamlit, "file_uploader", lambda *_, **__: upload)
    at = app(PAGE, **{f"{PAGE}.source": "upload", f"{PAGE}.n_fft": 2048})
    assert_clean(at)
    for view in ("bands", "compare", "model"):
        change(at, "view", view)
    assert "model_input" in chart_keys(at)


def test_a_five_second_recording_is_analysed_at_16_khz(app, monkeypatch):
    voice = np.concatenate([sine(150.0 * k, 1.0, 44100) / k for k in (1, 2, 3, 4, 5)]) * 0.5
    upload = FakeUpload("voice.wav", wav(np.stack([voice, voice], axis=1), 44100))
    monkeypatch.setattr(streamlit, "file_uploader", lambda *_, **__: upload)
    at = app(PAGE, **{f"{PAGE}.source": "upload", f"{PAGE}.view": "model"})
    assert_clean(at)
    assert [i.value for i in at.info] == [translate("input.audio_mixed_to_mono", "en", channels=2)]
    assert any("5.00 s × 16,000 samples per second" in c.value for c in at.caption)
    assert at.warning  # the model has never heard this kind of sound


# ---------------------------------------------------------------- Pretrained mode (tiny random-weight AST)
def test_ast_reads_its_own_16_khz_filterbank_whatever_the_rate(tiny_dir, monkeypatch):
    from models import hub

    monkeypatch.setenv(hub.LOCAL_DIR_VARIABLE, str(tiny_dir))
    extractor = hub.load("audio").processor
    low, high = (hub.audio_filterbank(extractor, sine(freq, 0.5), SR) for freq in (300.0, 3000.0))
    assert low.values.shape == (extractor.max_length, extractor.num_mel_bins)
    assert low.heard == high.heard == 48  # 0.5 s at 16 kHz: 25 ms windows, every 10 ms
    assert np.argmax(high.values[:48].mean(axis=0)) > np.argmax(low.values[:48].mean(axis=0))
    same = hub.audio_filterbank(extractor, sp.resample(sine(300.0, 0.5), SR, 16000), 16000)
    assert np.allclose(same.values, low.values, atol=1e-4)  # resampled first, so the rate does not matter
    assert hub.audio_filterbank(extractor, sine(300.0, 60.0), SR).heard == extractor.max_length


def test_pretrained_step_shows_ast_tags_and_the_filterbank_it_reads(pretrained_app):
    at = pretrained_app(PAGE)
    assert_clean(at)
    assert {"frames", "main", "ast_tags", "ast_input"} <= chart_keys(at)
    assert translate(f"{PAGE}.step4_title", "en") in [h.value for h in at.subheader]
    tags = figure(at, "ast_tags")["data"][0]
    assert len(tags["y"]) == 5 and all(0 < p < 1 for p in tags["x"])
    assert any("do not add up to 1" in c.value for c in at.caption)
    assert any("nothing above 4.0 kHz" in c.value for c in at.caption)  # an 8 kHz world sound
    heard = figure(at, "ast_input")
    assert heard["layout"]["yaxis"]["title"]["text"] == translate(f"{PAGE}.ast_axis", "en")

    change(at, "n_fft", 1024)  # our settings change our spectrogram, never AST's recipe
    assert figure(at, "ast_input") == heard and figure(at, "ast_tags")["data"][0] == tags
    change(at, "shape", "star")
    assert figure(at, "ast_tags")["data"][0]["x"] != tags["x"] and figure(at, "ast_input") != heard
    change(at, "source", "speech")  # 16 kHz: nothing is missing
    assert "ast_tags" in chart_keys(at) and not any("nothing above" in c.value for c in at.caption)


def test_pretrained_step_listens_to_an_upload(pretrained_app, monkeypatch):
    upload = FakeUpload("voice.wav", wav(np.stack([sine(220.0, 1.5, 44100)] * 2, axis=1) * 0.5, 44100))
    monkeypatch.setattr(streamlit, "file_uploader", lambda *_, **__: upload)
    at = pretrained_app(PAGE, **{f"{PAGE}.source": "upload"})
    assert_clean(at)
    assert {"main", "ast_tags", "ast_input"} <= chart_keys(at)


def test_pretrained_offline_without_a_copy_says_why_and_keeps_the_page(app, no_network, fresh_cache):
    from models import hub

    at = app(PAGE, model_source="pretrained")
    assert_clean(at)
    reason = translate("pretrained.reason.offline", "en", model=hub.ALLOWLIST["audio"].model_id)
    assert any(reason in i.value for i in at.info)
    assert chart_keys(at) == {"frames", "main", "resolution"}


def test_builtin_mode_has_no_pretrained_step(app):
    at = app(PAGE, **{f"{PAGE}.view": "model"})
    assert_clean(at)
    assert translate(f"{PAGE}.step4_title", "en") not in [h.value for h in at.subheader]
    assert not {"ast_tags", "ast_input"} & chart_keys(at)
