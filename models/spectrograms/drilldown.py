"""One row of the mel filter bank, opened up: a triangle over one frame's spectrum and the sum it makes.

A mel band's value is a weighted sum of the frame's power spectrum, M[m, t] = Σ_f H_m(f) · |X(f, t)|²,
where H_m is a triangle rising from one band edge to the band's centre and falling to the next edge,
the edges evenly spaced on the mel scale (Davis and Mermelstein, 1980; Slaney's Auditory Toolbox,
1998, for the scale and for scaling each triangle to unit area, as librosa does). The spectrograms
page then writes it in decibels relative to its loudest cell. Every number here comes from
models/core/audio.py and models/spectrograms/analysis.py, the code the page draws its mel spectrogram with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.core import audio
from models.spectrograms import analysis as sp


@dataclass(frozen=True)
class MelRow:
    """Band m of frame t: the triangle, the spectrum under it, their products, the sum and its dB."""

    band: int
    frame: int
    hz: np.ndarray  # (freqs,) each FFT bin's frequency
    spectrum: np.ndarray  # (freqs,) the frame's power
    weights: np.ndarray  # (freqs,) the band's triangle H_m: zero outside its two neighbours' centres
    edges_hz: tuple[float, float, float]  # where the triangle starts, peaks and ends
    products: np.ndarray  # (freqs,) weights * spectrum
    total: float  # their sum: the mel power of this band and frame
    column_db: np.ndarray  # (n_mels,) this frame's column of the page's mel spectrogram (0 dB = its loudest cell)

    @property
    def db(self) -> float:
        """The cell as the page's mel spectrogram shows it."""
        return float(self.column_db[self.band])

    @property
    def inside(self) -> np.ndarray:
        """The bins the triangle covers (weight above zero)."""
        return np.flatnonzero(self.weights > 0)


def mel_row(power: np.ndarray, sr: int, n_fft: int, n_mels: int, top_db: float, band: int, frame: int) -> MelRow:
    """(freqs, frames) power of the page's analysis -> band `band` of frame `frame`, step by step."""
    bank = audio.mel_filterbank(sr, n_fft, n_mels)
    spectrum = power[:, frame]
    products = bank[band].astype(np.float64) * spectrum
    edges = audio.mel_band_edges(sr, n_mels)[band : band + 3]
    spec = sp.analyse(power, sr, n_fft, 1, "mel", n_mels, top_db)  # the hop only sets the time axis
    return MelRow(
        band,
        frame,
        audio.frequencies(sr, n_fft),
        spectrum,
        bank[band],
        (float(edges[0]), float(edges[1]), float(edges[2])),
        products,
        float(products.sum()),
        spec.db[:, frame],
    )


def loudest_band(power: np.ndarray, sr: int, n_fft: int, n_mels: int, frame: int) -> int:
    """The band with the most power in this frame: where a first look is worth taking."""
    return int(np.argmax(sp.rescale(power, sr, n_fft, "mel", n_mels)[0][:, frame]))
