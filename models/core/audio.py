"""From waveform to spectrogram, written out so each step can be shown.

A waveform is a long 1-D vector. We cut it into overlapping windows (frames), taper each frame with a
window function, and take each frame's Fourier transform: how much energy each frequency has in that
short stretch of time. Stacked over time that is the spectrogram, which is what audio models read.

The short-time Fourier transform here is plain numpy on purpose: it teaches the steps, and it needs
no numba just-in-time compilation, so the first visitor of a fresh server does not wait ~15 s for
librosa's JIT (see DESIGN.md), nor ~1 s for importing librosa and numba. Tests check every step
against librosa and scipy.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

WINDOWS = ("hann", "hamming", "blackman", "boxcar")


def n_frames(length: int, n_fft: int, hop: int) -> int:
    """How many windows cover `length` samples (the last one zero-padded)."""
    return 1 + max(0, int(np.ceil((length - n_fft) / hop)))


def frame(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Cut a (..., T) signal into (..., n_frames, n_fft) overlapping frames, zero-padded at the end."""
    length = y.shape[-1]
    count = n_frames(length, n_fft, hop)
    padded = np.zeros(y.shape[:-1] + ((count - 1) * hop + n_fft,), dtype=np.float32)
    padded[..., :length] = y
    windows = np.lib.stride_tricks.sliding_window_view(padded, n_fft, axis=-1)
    return windows[..., ::hop, :]


_WINDOW_FUNCTIONS = {"hann": np.hanning, "hamming": np.hamming, "blackman": np.blackman, "boxcar": np.ones}


@lru_cache(maxsize=32)
def window(name: str, n_fft: int) -> np.ndarray:
    """The taper applied to each frame (periodic, as for spectral analysis). numpy's, not scipy's:
    importing scipy.signal costs the first visitor 0.6 s."""
    return _WINDOW_FUNCTIONS[name](n_fft + 1)[:-1].astype(np.float32)


def power_spectrogram(y: np.ndarray, n_fft: int = 256, hop: int = 128, window_name: str = "hann") -> np.ndarray:
    """(..., T) waveform -> (..., n_fft // 2 + 1 frequencies, n_frames) power."""
    frames = frame(y, n_fft, hop) * window(window_name, n_fft)
    spectrum = np.fft.rfft(frames, axis=-1)  # (..., n_frames, freqs)
    return np.swapaxes(spectrum.real**2 + spectrum.imag**2, -1, -2).astype(np.float32)


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """The mel scale (Slaney's, as librosa uses): linear below 1 kHz, logarithmic above, like our ears."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), mel * (200.0 / 3))


def mel_band_edges(sr: int, n_mels: int) -> np.ndarray:
    """n_mels + 2 frequencies (Hz), evenly spaced in mels from 0 to Nyquist: band i spans edges i..i+2."""
    return mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))


@lru_cache(maxsize=16)
def mel_filterbank(sr: int, n_fft: int, n_mels: int) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) overlapping triangles, each of unit area (librosa's "slaney" norm).

    Written with numpy rather than taken from librosa so that the first page a visitor opens does
    not import librosa and numba (~1 s); tests check it against librosa.filters.mel.
    """
    edges = mel_band_edges(sr, n_mels)
    fft_hz = frequencies(sr, n_fft)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (fft_hz[None, :] - lower) / (centre - lower)
    falling = (upper - fft_hz[None, :]) / (upper - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))
    return (triangles * (2.0 / (upper - lower))).astype(np.float32)


def to_db(power: np.ndarray, top_db: float = 80.0) -> np.ndarray:
    """Decibels relative to each clip's loudest cell, floored top_db below it (as the ear hears it)."""
    db = 10.0 * np.log10(np.maximum(power, 1e-10))
    peak = db.max(axis=(-2, -1), keepdims=True)
    return np.maximum(db, peak - top_db)


def log_mel(
    y: np.ndarray, sr: int, n_fft: int = 256, hop: int = 128, n_mels: int = 40, top_db: float = 80.0
) -> np.ndarray:
    """(..., T) waveform -> (..., n_mels, n_frames) log-mel spectrogram in dB."""
    mel = mel_filterbank(sr, n_fft, n_mels) @ power_spectrogram(y, n_fft, hop)
    return to_db(mel, top_db)


def frequencies(sr: int, n_fft: int) -> np.ndarray:
    return np.fft.rfftfreq(n_fft, 1.0 / sr)


def frame_times(n_frames: int, sr: int, hop: int) -> np.ndarray:
    return np.arange(n_frames) * hop / sr


def mel_band_centres(sr: int, n_mels: int) -> np.ndarray:
    return mel_band_edges(sr, n_mels)[1:-1]


# ---------------------------------------------------------------- more views of the same power (spectrograms page)
def frame_centres(n_frames: int, sr: int, n_fft: int, hop: int) -> np.ndarray:
    """The time (s) at the middle of each frame: where its column belongs on a time axis."""
    return (np.arange(n_frames) * hop + n_fft / 2) / sr


def log_band_edges(sr: int, n_fft: int, n_bands: int, fmin: float = 40.0) -> np.ndarray:
    """n_bands + 1 frequencies (Hz) evenly spaced on a log axis, from fmin (at least one bin) to Nyquist:
    every octave gets the same height, as on a piano keyboard or Chrome Music Lab's spectrogram."""
    return np.geomspace(max(fmin, sr / n_fft), sr / 2, n_bands + 1)


def log_frequency(power: np.ndarray, sr: int, n_fft: int, n_bands: int, fmin: float = 40.0) -> np.ndarray:
    """(..., freqs, frames) power -> (..., n_bands, frames): the loudest bin inside each log-spaced band.

    The maximum (not a sum) keeps a single harmonic as bright as on the linear axis. A band narrower
    than one bin repeats its nearest bin, so the coarse resolution of short windows at low
    frequencies stays visible instead of being interpolated away.
    """
    starts = np.round(log_band_edges(sr, n_fft, n_bands, fmin)[:-1] / (sr / n_fft)).astype(int)
    return np.maximum.reduceat(power, starts, axis=-2)


def mfcc(log_mel_db: np.ndarray, n_mfcc: int = 13) -> np.ndarray:
    """(..., n_mels, frames) log-mel dB -> (..., n_mfcc, frames) mel-frequency cepstral coefficients.

    The DCT describes each frame's log spectrum as a sum of smooth cosines across the bands; the first
    few keep the broad shape (the envelope that tells one vowel or timbre from another) and leave out
    the fine ripple of single harmonics. Same orthonormal DCT-II as librosa.feature.mfcc.
    """
    from scipy.fft import dct

    return dct(log_mel_db, type=2, norm="ortho", axis=-2)[..., :n_mfcc, :]


def mfcc_envelope(coefficients: np.ndarray, n_mels: int) -> np.ndarray:
    """(..., n_mfcc, frames) -> (..., n_mels, frames): the log-mel spectrum rebuilt from the kept
    coefficients only, i.e. what an MFCC still knows about the sound."""
    from scipy.fft import idct

    padded = np.zeros(coefficients.shape[:-2] + (n_mels, coefficients.shape[-1]), dtype=np.float32)
    padded[..., : coefficients.shape[-2], :] = coefficients
    return idct(padded, type=2, norm="ortho", axis=-2)


def band_energy(power: np.ndarray, sr: int, n_fft: int, low_hz: float, high_hz: float) -> np.ndarray:
    """(..., freqs, frames) -> (..., frames): each frame's power summed over the bins in [low_hz, high_hz)."""
    hz = frequencies(sr, n_fft)
    inside = (hz >= low_hz) & (hz < high_hz)
    return power[..., inside, :].sum(axis=-2)


def shrink(z: np.ndarray, axis: int, max_size: int) -> tuple[np.ndarray, np.ndarray]:
    """At most max_size slices along `axis`, each the maximum of a run of neighbours, and the index
    where each run starts. For drawing only: a browser cannot show 10,000 columns, and the maximum
    keeps short clicks and thin lines that averaging would wash out."""
    size = z.shape[axis]
    if size <= max_size:
        return z, np.arange(size)
    starts = np.unique(np.linspace(0, size, max_size, endpoint=False).astype(int))
    return np.maximum.reduceat(z, starts, axis=axis), starts
