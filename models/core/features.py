"""Each modality as the flat input vector a classic classifier reads.

These are the textbook encodings: pixels unrolled into one long vector, a caption as a bag of
words over the training dictionary, a sound as its log-mel spectrogram unrolled. Scaling is fixed
(not fitted) wherever possible so a single sample can be encoded without the training set.
"""

from __future__ import annotations

import numpy as np

from models.core import audio
from models.core.worlds import SAMPLE_RATE, SOUND_SECONDS

N_FFT, HOP, N_MELS = 256, 128, 40
DB_FLOOR = 80.0


SOUND_VECTOR_SIZE = N_MELS * audio.n_frames(int(SAMPLE_RATE * SOUND_SECONDS), N_FFT, HOP)


def image_vectors(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, H*W*3) float32 in [0, 1]: the three colour matrices unrolled."""
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def sound_spectrograms(clips: np.ndarray, sr: int) -> np.ndarray:
    """(N, T) waveforms -> (N, mels, frames) log-mel in [0, 1] (0 = 80 dB below the clip's peak)."""
    db = audio.log_mel(clips, sr, N_FFT, HOP, N_MELS, DB_FLOOR)
    return (db - db.max(axis=(-2, -1), keepdims=True) + DB_FLOOR) / DB_FLOOR


def sound_vectors(clips: np.ndarray, sr: int) -> np.ndarray:
    """(N, T) -> (N, mels * frames): the spectrogram unrolled, as a classifier's input."""
    spec = sound_spectrograms(clips, sr)
    return spec.reshape(len(spec), -1)


def fit_dictionary(captions: list[str]):
    """The dictionary: every distinct word of the training captions, one index each (a CountVectorizer)."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(token_pattern=r"[^\W\d_]+", lowercase=True).fit(captions)


def text_vectors(dictionary, captions: list[str]) -> np.ndarray:
    """Bag of words: 1 where a dictionary word occurs in the caption, else 0. Unknown words are dropped."""
    return (dictionary.transform(captions).toarray() > 0).astype(np.float32)


def out_of_vocabulary(dictionary, text: str) -> list[str]:
    """The words of `text` that the dictionary has never seen."""
    analyse = dictionary.build_analyzer()
    return [w for w in analyse(text) if w not in dictionary.vocabulary_]
