"""The spectrograms page's logic: its sounds, one analysis of a sound, and what a classifier is given.

A sound is a long 1-D vector. The page cuts it into windows, takes each window's spectrum, stacks
the spectra into a spectrogram, and reads that spectrogram several ways (linear, log or mel
frequency axis, band energies, MFCCs). Everything here is plain numpy on models/core/audio.py, so any
setting can change and the page redraws at once, without librosa's just-in-time compilation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from models.core import audio, features, worlds

SPEECH_DIR = Path(__file__).resolve().parents[2] / "assets" / "speech"
SPEECH_RATE = 16_000  # Hz: the committed clips (scripts/make_speech_clips.py) and uploads
N_FFTS = (64, 128, 256, 512, 1024, 2048)
HOP_FRACTIONS = (1, 2, 4, 8)  # hop = n_fft // fraction: 1 means windows side by side, 8 means 87.5 % overlap
SCALES = ("linear", "log", "mel")
LOG_BANDS = 160
N_MFCC = 13
SHORT_WINDOW, LONG_WINDOW = 64, 1024  # the time-vs-frequency trade-off, side by side
MAX_DRAWN = (512, 600)  # rows, columns a figure gets; the analysis itself is never cut
SOURCE_KINDS = ("shape", "dtmf", "speech", "upload")


# ---------------------------------------------------------------- sounds
def shape_sound(shape: str, colour: str, size: str) -> np.ndarray:
    """One second at 8 kHz: the object's clean tone, gated like a Shapes-world sample (silence, a
    10 ms attack, the note until 0.8 s, a 50 ms release), so onsets show as well as timbre."""
    seconds = np.arange(worlds.SAMPLE_RATE) / worlds.SAMPLE_RATE
    gate = np.interp(seconds, [0.0, 0.1, 0.11, 0.8, 0.85], [0.0, 0.0, 1.0, 1.0, 0.0])
    return (worlds.shapes_sound(shape, colour, size) * gate).astype(np.float32)


def dtmf_sound(digit: int) -> np.ndarray:
    """One second at 8 kHz: 0.1 s of silence, a 0.5 s key press, silence. The key press starts and
    stops abruptly, so its edges show up as short broadband clicks."""
    clip = np.zeros(worlds.SAMPLE_RATE, dtype=np.float32)
    start = worlds.SAMPLE_RATE // 10
    tone = worlds.dtmf_tone(digit, 0.5)
    clip[start : start + len(tone)] = tone
    return clip


@dataclass(frozen=True)
class SpeechClip:
    clip_id: str
    language: str  # "en" or "zh"
    text: str
    seconds: float


@lru_cache(maxsize=1)
def speech_clips() -> dict[str, SpeechClip]:
    """The committed clips, as listed in their manifest (written with them by the script)."""
    with (SPEECH_DIR / "clips.toml").open("rb") as f:
        manifest = tomllib.load(f)
    return {
        key: SpeechClip(key, entry["language"], entry["text"], float(entry["seconds"]))
        for key, entry in manifest.items()
    }


def load_speech(clip_id: str) -> np.ndarray:
    import soundfile as sf

    samples, rate = sf.read(SPEECH_DIR / f"{clip_id}.wav", dtype="float32")
    assert rate == SPEECH_RATE, f"{clip_id}.wav is at {rate} Hz; run scripts/make_speech_clips.py"
    return samples


def catalogue() -> tuple[str, ...]:
    """Ids of the ready-made sounds a second sound can be picked from: "kind:detail"."""
    shapes = tuple(f"shape:{shape}:red:small" for shape in worlds.SHAPES) + ("shape:square:red:large",)
    return shapes + tuple(f"dtmf:{d}" for d in (1, 5, 9)) + tuple(f"speech:{c}" for c in speech_clips())


def sound(source_id: str) -> tuple[np.ndarray, int]:
    """(samples, sample rate) of a catalogue id."""
    kind, *detail = source_id.split(":")
    if kind == "shape":
        return shape_sound(*detail), worlds.SAMPLE_RATE
    if kind == "dtmf":
        return dtmf_sound(int(detail[0])), worlds.SAMPLE_RATE
    if kind == "speech":
        return load_speech(detail[0]), SPEECH_RATE
    raise ValueError(f"unknown sound {source_id!r}")


def resample(y: np.ndarray, sr: int, target_sr: int) -> np.ndarray:
    """Polyphase resampling; going up adds no sound above the old Nyquist frequency, only room for it."""
    if sr == target_sr:
        return y
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sr, target_sr)
    return resample_poly(y, target_sr // g, sr // g).astype(np.float32)


# ---------------------------------------------------------------- analysis
@dataclass(frozen=True)
class Spectrogram:
    """What one heatmap draws: dB per (row, frame), with the time and frequency of each."""

    db: np.ndarray  # (rows, frames), 0 dB = the loudest cell, floored at -top_db
    times: np.ndarray  # (frames,) s, frame centres
    rows_hz: np.ndarray  # (rows,) centre frequency of each row
    scale: str
    empty_rows: int  # mel bands that catch no FFT bin (too many bands for the window)


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which matrix products run on one thread. OpenBLAS spreads even a 40 x 129 product
    over every core, and on a small shared server those threads mostly wait for each other: the mel
    product of a 5-second clip took 22 ms that way here, 0.4 ms on one thread."""
    return _blas().limit(limits=1, user_api="blas")


def hop_length(n_fft: int, fraction: int) -> int:
    return max(1, n_fft // fraction)


def power(y: np.ndarray, n_fft: int, hop: int, window: str) -> np.ndarray:
    """(T,) -> (freqs, frames) power; a clip shorter than the window is one zero-padded frame."""
    return audio.power_spectrogram(np.asarray(y, dtype=np.float32), n_fft, hop, window)


def rescale(power_: np.ndarray, sr: int, n_fft: int, scale: str, n_mels: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Power on the chosen frequency axis: (rows, frames), each row's centre (Hz), empty rows."""
    if scale == "linear":
        return power_, audio.frequencies(sr, n_fft), 0
    if scale == "log":
        edges = audio.log_band_edges(sr, n_fft, LOG_BANDS)
        return audio.log_frequency(power_, sr, n_fft, LOG_BANDS), np.sqrt(edges[:-1] * edges[1:]), 0
    bank = audio.mel_filterbank(sr, n_fft, n_mels)  # (n_mels, freqs)
    with one_blas_thread():
        mel = bank @ power_
    return mel, audio.mel_band_centres(sr, n_mels), int((bank.max(axis=1) == 0).sum())


def analyse(power_: np.ndarray, sr: int, n_fft: int, hop: int, scale: str, n_mels: int, top_db: float) -> Spectrogram:
    rows, rows_hz, empty = rescale(power_, sr, n_fft, scale, n_mels)
    db = audio.to_db(rows, top_db)
    return Spectrogram(db - db.max(), audio.frame_centres(db.shape[1], sr, n_fft, hop), rows_hz, scale, empty)


def spectrogram(
    y: np.ndarray, sr: int, n_fft: int, hop: int, window: str, scale: str, n_mels: int, top_db: float
) -> Spectrogram:
    """Waveform to spectrogram in one call, for views that need no intermediate step."""
    return analyse(power(y, n_fft, hop, window), sr, n_fft, hop, scale, n_mels, top_db)


def loudest(spec: Spectrogram) -> dict[str, float]:
    """Where the loudest cell is: {"freq": kHz, "time": s}, for the one-line summary under a heatmap."""
    row, column = np.unravel_index(int(np.argmax(spec.db)), spec.db.shape)
    return {"freq": float(spec.rows_hz[row]) / 1000, "time": float(spec.times[column])}


def windowed_frame(y: np.ndarray, n_fft: int, hop: int, index: int, window: str) -> tuple[np.ndarray, np.ndarray]:
    """Frame `index` as cut out of the waveform, and the window that tapers it (their product is what
    the Fourier transform receives)."""
    return audio.frame(np.asarray(y, dtype=np.float32), n_fft, hop)[index], audio.window(window, n_fft)


def frame_index(start_s: float, sr: int, hop: int, n_frames: int) -> int:
    """The frame whose window starts nearest to start_s."""
    return int(np.clip(round(start_s * sr / hop), 0, n_frames - 1))


def frame_spectrum_db(power_: np.ndarray, index: int, top_db: float) -> np.ndarray:
    """One column of the linear spectrogram in dB, on the same scale as the whole (0 dB = loudest cell)."""
    peak = 10.0 * np.log10(max(float(power_.max()), 1e-10))
    return np.maximum(10.0 * np.log10(np.maximum(power_[:, index], 1e-10)) - peak, -top_db)


def mfccs(power_: np.ndarray, sr: int, n_fft: int, n_mels: int, top_db: float) -> tuple[np.ndarray, np.ndarray]:
    """(N_MFCC, frames) coefficients and the (n_mels, frames) log-mel they rebuild (relative dB)."""
    log_mel = audio.to_db(rescale(power_, sr, n_fft, "mel", n_mels)[0], top_db)
    coefficients = audio.mfcc(log_mel, min(N_MFCC, n_mels))
    rebuilt = audio.mfcc_envelope(coefficients, n_mels)
    return coefficients, rebuilt - rebuilt.max()


def band_levels(power_: np.ndarray, sr: int, n_fft: int, bands: list[tuple[float, float]], top_db: float) -> np.ndarray:
    """(len(bands), frames) energy per band in dB, all relative to the loudest band-frame, floored."""
    energy = np.stack([audio.band_energy(power_, sr, n_fft, low, high) for low, high in bands])
    db = 10.0 * np.log10(np.maximum(energy, 1e-10))
    return np.maximum(db - db.max(), -top_db)


def resolution(sr: int, n_fft: int, hop: int) -> dict[str, float]:
    """The two sides of the trade-off: a window of n_fft samples lasts n_fft / sr seconds, and its
    spectrum has bins sr / n_fft Hz apart. Longer windows: sharper in frequency, blurrier in time."""
    return {"window_ms": 1000.0 * n_fft / sr, "hop_ms": 1000.0 * hop / sr, "bin_hz": sr / n_fft}


def for_drawing(spec: Spectrogram) -> Spectrogram:
    """The same spectrogram with at most MAX_DRAWN cells, as whole dB in one byte each (an eighth of float64)."""
    db, row_starts = audio.shrink(spec.db, 0, MAX_DRAWN[0])
    db, column_starts = audio.shrink(db, 1, MAX_DRAWN[1])
    return Spectrogram(
        np.clip(np.round(db), -127, 0).astype(np.int8),
        spec.times[column_starts],
        spec.rows_hz[row_starts],
        spec.scale,
        spec.empty_rows,
    )


# ---------------------------------------------------------------- what the model sees
MODEL_RATE = worlds.SAMPLE_RATE
MODEL_SAMPLES = int(worlds.SAMPLE_RATE * worlds.SOUND_SECONDS)


def loudest_second(y: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """The model reads exactly one second at 8 kHz: resample, then keep the loudest second (or pad
    a shorter sound with silence). Returns the clip and where it starts in the original (s)."""
    y8 = resample(np.asarray(y, dtype=np.float32), sr, MODEL_RATE)
    if len(y8) <= MODEL_SAMPLES:
        return np.pad(y8, (0, MODEL_SAMPLES - len(y8))), 0.0
    energy = np.concatenate([[0.0], np.cumsum(y8.astype(np.float64) ** 2)])
    start = int(np.argmax(energy[MODEL_SAMPLES:] - energy[:-MODEL_SAMPLES]))
    return y8[start : start + MODEL_SAMPLES], start / MODEL_RATE


def model_input(clip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mels, frames) log-mel in [0, 1] exactly as the classifier was trained on, and the same
    numbers unrolled into its (mels * frames,) input vector."""
    spec = features.sound_spectrograms(clip[None, :], MODEL_RATE)[0]
    return spec, features.sound_vectors(clip[None, :], MODEL_RATE)[0]


@dataclass(frozen=True)
class Hearing:
    """One sound as a classifier receives it, and what the classifier answers."""

    start_s: float  # where the second it hears begins in the original
    image: np.ndarray  # (mels, frames) in [0, 1]
    vector: np.ndarray  # (mels * frames,) the same numbers unrolled
    probabilities: np.ndarray  # (classes,)


def hear(model, y: np.ndarray, sr: int) -> Hearing:
    """Inference (推理): resample, keep the loudest second, take the log-mel, unroll it, classify."""
    import torch

    from models.core import classifiers

    clip, start = loudest_second(y, sr)
    with one_blas_thread():
        image, vector = model_input(clip)
    probabilities = classifiers.predict_proba(model, torch.from_numpy(vector[None, :]))[0]
    return Hearing(start, image, vector, probabilities)


def model_world(kind: str, sidebar_world: str) -> str:
    """Which default classifier hears the sound: the one trained on that kind of sound, where there
    is one; speech and the visitor's sounds go to the sidebar world's model (and are new to it)."""
    return {"shape": "shapes", "dtmf": "digits"}.get(kind, sidebar_world)
