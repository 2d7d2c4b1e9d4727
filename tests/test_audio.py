"""The hand-written STFT: frequencies land in the right bins and match the textbook definition."""

import numpy as np
import pytest
import scipy.signal

from models.core import audio, features, worlds

SR = 8000


def sine(freq, seconds=1.0):
    return np.sin(2 * np.pi * freq * np.arange(int(SR * seconds)) / SR).astype(np.float32)


def test_one_kilohertz_sine_peaks_in_the_one_kilohertz_bin():
    power = audio.power_spectrogram(sine(1000.0), n_fft=256, hop=128)
    freqs = audio.frequencies(SR, 256)
    assert freqs[np.argmax(power.mean(axis=1))] == pytest.approx(1000.0, abs=SR / 256)


def test_square_wave_shows_odd_harmonics_only():
    t = np.arange(SR) / SR
    square = np.sign(np.sin(2 * np.pi * 250.0 * t)).astype(np.float32)
    spectrum = audio.power_spectrogram(square, n_fft=1024, hop=512).mean(axis=1)
    freqs = audio.frequencies(SR, 1024)
    level = {k: spectrum[np.argmin(np.abs(freqs - 250.0 * k))] for k in range(1, 7)}
    for odd in (1, 3, 5):
        for even in (2, 4, 6):
            assert level[odd] > 100 * level[even]
    assert level[1] > level[3] > level[5]


def test_matches_scipy_stft():
    y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    ours = audio.power_spectrogram(y, n_fft=256, hop=64, window_name="hann")
    _, _, z = scipy.signal.stft(
        y, nperseg=256, noverlap=192, window="hann", boundary=None, padded=False, detrend=False, scaling="spectrum"
    )
    theirs = np.abs(z * audio.window("hann", 256).sum()) ** 2
    np.testing.assert_allclose(ours[:, : theirs.shape[1]], theirs, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("n_fft,hop", [(256, 128), (512, 64), (128, 128)])
def test_frame_count_and_shape(n_fft, hop):
    y = np.zeros((3, 5000), dtype=np.float32)
    frames = audio.frame(y, n_fft, hop)
    assert frames.shape == (3, audio.n_frames(5000, n_fft, hop), n_fft)
    assert (frames.shape[1] - 1) * hop + n_fft >= 5000


def test_log_mel_is_bounded_and_shows_the_tone():
    db = audio.log_mel(sine(1000.0), SR, n_mels=40)
    assert db.shape[0] == 40 and db.max() - db.min() <= 80.0 + 1e-3
    centres = audio.mel_band_centres(SR, 40)
    assert abs(centres[np.argmax(db.mean(axis=1))] - 1000.0) < 150


def test_sound_vectors_have_the_declared_size():
    w = worlds.make_world("shapes", 0, n=20)
    x = features.sound_vectors(w.audio, w.sample_rate)
    assert x.shape == (20, features.SOUND_VECTOR_SIZE) and 0.0 <= x.min() and x.max() <= 1.0


@pytest.mark.parametrize("sr,n_fft,n_mels", [(8000, 256, 40), (16000, 512, 64), (22050, 1024, 128)])
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels):
    import librosa

    expected = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=0.0, fmax=sr / 2)
    np.testing.assert_allclose(audio.mel_filterbank(sr, n_fft, n_mels), expected, atol=1e-6)
    np.testing.assert_allclose(
        audio.mel_band_centres(sr, n_mels),
        librosa.mel_frequencies(n_mels=n_mels + 2, fmin=0.0, fmax=sr / 2)[1:-1],
        rtol=1e-6,
    )


def test_home_path_needs_neither_librosa_nor_scipy_signal():
    """The first page must not pay for librosa/numba or scipy.signal imports (see DESIGN.md)."""
    import subprocess
    import sys

    code = (
        "import sys; from models.core import audio, worlds; w = worlds.make_world('shapes', 0, n=10); "
        "audio.log_mel(w.audio[0], w.sample_rate); "
        "print(' '.join(m for m in ('librosa', 'numba', 'scipy.signal') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=__import__("conftest").ROOT
    )
    assert out.stdout.strip() == ""
