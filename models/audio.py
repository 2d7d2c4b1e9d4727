"""From waveform to spectrogram, written out so each step can be shown.

A waveform is a long 1-D vector. We cut it into overlapping windows (frames), taper each frame with a
window function, and take each frame's Fourier transform: how much energy each frequency has in that
short stretch of time. Stacked over time that is the spectrogram, which is what audio models read.

The short-time Fourier transform here is plain numpy on purpose: it teaches the steps, and it needs
no numba just-in-time compilation, so the first visitor of a fresh server does not wait ~15 s for
librosa's JIT (see DESIGN.md). librosa still provides the mel filterbank, which is plain numpy.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.signal

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


@lru_cache(maxsize=32)
def window(name: str, n_fft: int) -> np.ndarray:
    return scipy.signal.get_window(name, n_fft, fftbins=True).astype(np.float32)


def power_spectrogram(y: np.ndarray, n_fft: int = 256, hop: int = 128, window_name: str = "hann") -> np.ndarray:
    """(..., T) waveform -> (..., n_fft // 2 + 1 frequencies, n_frames) power."""
    frames = frame(y, n_fft, hop) * window(window_name, n_fft)
    spectrum = np.fft.rfft(frames, axis=-1)  # (..., n_frames, freqs)
    return np.swapaxes(spectrum.real**2 + spectrum.imag**2, -1, -2).astype(np.float32)


@lru_cache(maxsize=16)
def mel_filterbank(sr: int, n_fft: int, n_mels: int) -> np.ndarray:
    import librosa  # imported here: librosa's import pulls numba, which the home page does not need

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=0.0, fmax=sr / 2).astype(np.float32)


def to_db(power: np.ndarray, top_db: float = 80.0) -> np.ndarray:
    """Decibels relative to each clip's loudest cell, floored top_db below it (as the ear hears it)."""
    db = 10.0 * np.log10(np.maximum(power, 1e-10))
    peak = db.max(axis=(-2, -1), keepdims=True)
    return np.maximum(db, peak - top_db)


def log_mel(y: np.ndarray, sr: int, n_fft: int = 256, hop: int = 128, n_mels: int = 40, top_db: float = 80.0) -> np.ndarray:
    """(..., T) waveform -> (..., n_mels, n_frames) log-mel spectrogram in dB."""
    mel = mel_filterbank(sr, n_fft, n_mels) @ power_spectrogram(y, n_fft, hop)
    return to_db(mel, top_db)


def frequencies(sr: int, n_fft: int) -> np.ndarray:
    return np.fft.rfftfreq(n_fft, 1.0 / sr)


def frame_times(n_frames: int, sr: int, hop: int) -> np.ndarray:
    return np.arange(n_frames) * hop / sr


def mel_band_centres(sr: int, n_mels: int) -> np.ndarray:
    import librosa

    return librosa.mel_frequencies(n_mels=n_mels + 2, fmin=0.0, fmax=sr / 2)[1:-1]
