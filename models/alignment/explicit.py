"""Explicit alignment: the correspondence itself is the answer.

Here that is forced alignment, as aeneas does it: a recording of some words and its transcript; the
transcript is rendered by our own steady "reader" voice, whose word boundaries we know; dynamic time
warping (DTW) finds the cheapest monotonic path through the matrix of frame-to-frame distances, and that
path carries the reader's boundaries over to the recording. The recording is synthetic too (each word
spoken as a sound of the Shapes world), so its true boundaries are known and the error can be measured in
milliseconds.

DTW here is plain numpy on purpose: librosa's version is numba-compiled, and its first call on a
fresh server costs ~15 s (much more on a busy machine), which no visitor may wait for. The tests check
that this implementation returns exactly librosa.sequence.dtw's accumulated cost and path.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from models.captioning import scenes
from models.core import audio, worlds

SR = worlds.SAMPLE_RATE
HOP = 80  # samples: one feature frame every 10 ms
N_FFT = 512  # 64 ms windows: long enough to tell notes a semitone apart at 262 Hz
N_MELS = 40
N_MFCC = 13
FLOOR_DB = 60.0
FEATURES = ("mfcc", "chroma", "mel")
# name -> (steps (query, reference) a path may take into a cell, weight on that cell's cost for each step)
STEP_PATTERNS = {
    "symmetric1": (((1, 1), (0, 1), (1, 0)), (1.0, 1.0, 1.0)),  # librosa's default
    "symmetric2": (((1, 1), (0, 1), (1, 0)), (2.0, 1.0, 1.0)),  # a diagonal step counts twice: no shortcut bonus
    "slope": (((1, 1), (1, 2), (2, 1)), (1.0, 1.0, 1.0)),  # no pure waiting: local tempo between 1/2 and 2
}
VOICES = ("same", "plain", "plain_octave")  # the reader: the recording's own voice, pure tones, pure tones an octave up
MAX_WORDS = 10
LEAD_SECONDS = 0.1  # silence before the first and after the last word
READER_GAP = 0.05  # the reader's pause between words
ATTACK, RELEASE = 0.01, 0.03
LOUDNESS = 0.6

# ---------------------------------------------------------------- the toy voice
# Every word is one note in the Shapes world's sound code: a colour word at that colour's pitch, a shape
# word in that shape's timbre, "small" high and "large" low (big things sound low), synonyms like the word
# they stand for, a few common words a fixed note each, and any other word a note and timbre from a
# checksum of its letters, so that every sentence can be said and said the same way every time.
_COMMON = {
    "a": ("triangle", 311.1),
    "the": ("triangle", 392.0),
    "on": ("square", 277.2),
    "at": ("square", 349.2),
    "in": ("square", 440.0),
    "left": ("star", 277.2),
    "right": ("star", 311.1),
    "top": ("star", 349.2),
    "bottom": ("star", 392.0),
    "centre": ("star", 440.0),
    "center": ("star", 440.0),
    "small": ("circle", 523.3),
    "large": ("circle", 130.8),
}
_SHAPE_PITCH = 196.0  # G3, a note no colour uses
_CONCEPT = {
    synonym: concept for concept, synonyms in worlds.SYNONYMS.items() for synonym in synonyms if " " not in synonym
}


def word_code(word: str) -> tuple[str, float]:
    """The (timbre, pitch in Hz) a word is spoken with; the timbre is one of the world's shapes."""
    word = _CONCEPT.get(word, word)
    if word in worlds.COLOUR_PITCH_HZ:
        return "circle", worlds.COLOUR_PITCH_HZ[word]
    if word in worlds.SHAPES:
        return word, _SHAPE_PITCH
    if word in _COMMON:
        return _COMMON[word]
    checksum = zlib.crc32(word.encode())
    return worlds.SHAPES[checksum % 4], 146.8 * 2 ** ((checksum // 4 % 24) / 12)


def words_of(text: str) -> list[str]:
    """The words of a caption or typed sentence, lower case, without the punctuation around them."""
    return [w for w in (re.sub(r"^\W+|\W+$", "", token) for token in text.lower().split()) if w][:MAX_WORDS]


def reader_duration(word: str) -> float:
    """How long the steady reader takes for a word: longer words take longer."""
    return min(0.08 + 0.035 * len(word), 0.35)


@dataclass(frozen=True)
class Speech:
    """A rendered word sequence and where each word really starts and ends (seconds)."""

    audio: np.ndarray  # (samples,) float32
    starts: np.ndarray  # (words,)
    ends: np.ndarray  # (words,)


def speak(
    words: Sequence[str],
    durations: Sequence[float],
    pauses: Sequence[float],
    timbre: str | None = None,
    transpose: float = 1.0,
) -> Speech:
    """Each word as its note (in its own timbre, or `timbre` for all), one after another, `pauses` after each."""
    pieces = [np.zeros(int(LEAD_SECONDS * SR), np.float32)]
    starts, ends, position = [], [], len(pieces[0])
    for word, duration, pause in zip(words, durations, pauses):
        kind, pitch = word_code(word)
        t = np.arange(int(duration * SR)) / SR
        gate = np.clip(np.minimum(t / ATTACK, (duration - t) / RELEASE), 0.0, 1.0)
        pieces += [
            worlds._tone(timbre or kind, pitch * transpose, t) * gate * LOUDNESS,
            np.zeros(int(pause * SR), np.float32),
        ]
        starts.append(position)
        ends.append(position + len(t))
        position += len(t) + len(pieces[-1])
    pieces.append(np.zeros(int(LEAD_SECONDS * SR), np.float32))
    return Speech(np.concatenate(pieces).astype(np.float32), np.array(starts) / SR, np.array(ends) / SR)


def read_aloud(words: Sequence[str], voice: str) -> Speech:
    """The reader's rendering of a transcript: steady pace, a short gap after every word, in `voice`."""
    timbre = None if voice == "same" else "circle"
    return speak(
        words,
        [reader_duration(w) for w in words],
        [READER_GAP] * len(words),
        timbre,
        2.0 if voice == "plain_octave" else 1.0,
    )


def speaker_order(n_words: int, reorder: bool) -> np.ndarray:
    """The order in which the recorded speaker says the words: as written, or its last third first."""
    order = np.arange(n_words)
    return np.roll(order, -(-n_words // 3)) if reorder else order


def record(words: Sequence[str], tempo: float, noise: float, reorder: bool, seed: int) -> tuple[Speech, np.ndarray]:
    """The "recording": the words in the world's voice at a speaker's own uneven pace (each word 0.7-1.4x
    the reader's length, 20-120 ms pauses), `tempo` times faster, with white noise (1 = -6 dB SNR).
    Returns the speech, with starts and ends given for the words in *written* order, and the spoken order."""
    rng = np.random.default_rng(seed)
    order = speaker_order(len(words), reorder)
    durations = np.array([reader_duration(w) for w in words]) * rng.uniform(0.7, 1.4, len(words)) / tempo
    pauses = rng.uniform(0.02, 0.12, len(words)) / tempo
    spoken = speak([words[i] for i in order], durations[order], pauses[order])
    clip = worlds.corrupt_audio(spoken.audio[None], noise, seed)[0] if noise > 0 else spoken.audio
    written = np.argsort(order)  # where each written word sits in the spoken sequence
    return Speech(clip, spoken.starts[written], spoken.ends[written]), order


# ---------------------------------------------------------------- features and distances
def chroma_filterbank(sr: int, n_fft: int, width: float = 0.5) -> np.ndarray:
    """(12, n_fft // 2 + 1): how much each frequency bin belongs to each pitch class C, C#, ... B
    (a Gaussian `width` semitones wide around each class, every octave folded onto one)."""
    hz = audio.frequencies(sr, n_fft)
    audible = hz > 60.0
    semitones = 12 * np.log2(np.maximum(hz, 1e-6) / 261.63)
    distance = (semitones[None, :] - np.arange(12)[:, None] + 6) % 12 - 6  # to the nearest octave of each class
    return (np.exp(-0.5 * (distance / width) ** 2) * audible).astype(np.float32)


def features(y: np.ndarray, kind: str) -> np.ndarray:
    """(samples,) -> (dims, frames), one column every HOP samples.

    mfcc: the spectral envelope (timbre) without loudness (coefficient 0 dropped); chroma: energy per pitch
    class, each frame scaled to unit length, blind to octave and timbre; mel: the log-mel spectrogram itself.
    """
    power = audio.power_spectrogram(y, N_FFT, HOP)
    if kind == "chroma":
        chroma = chroma_filterbank(SR, N_FFT) @ power
        norms = np.linalg.norm(chroma, axis=0, keepdims=True)
        return chroma / (norms + 1e-3 * norms.max() + 1e-12)  # silence stays near zero instead of noise blown up
    db = audio.to_db(audio.mel_filterbank(SR, N_FFT, N_MELS) @ power, FLOOR_DB)
    if kind == "mel":
        return db - db.max()
    return audio.mfcc(db, N_MFCC)[1:]


def distances(query: np.ndarray, reference: np.ndarray, kind: str) -> np.ndarray:
    """(dims, Nq), (dims, Nr) -> (Nq, Nr) local costs: cosine distance for chroma, Euclidean otherwise."""
    if kind == "chroma":
        return np.clip(1.0 - query.T @ reference, 0.0, None)
    squared = (query**2).sum(0)[:, None] + (reference**2).sum(0)[None, :] - 2 * query.T @ reference
    return np.sqrt(np.clip(squared, 0.0, None))


# ---------------------------------------------------------------- dynamic time warping
def band_mask(shape: tuple[int, int], radius: float) -> np.ndarray:
    """(N, M) True inside the Sakoe-Chiba band of librosa.util.fill_off_diagonal: `radius` is a fraction
    of the shorter side, widened by the difference in lengths so the far corner is always inside."""
    n, m = shape
    r = int(np.round(radius * min(shape)))
    offset = abs(n - m)
    diagonal = np.arange(m)[None, :] - np.arange(n)[:, None]
    if n < m:
        return (diagonal < r + offset) & (diagonal > -r)
    return (diagonal < r) & (diagonal > -r - offset)


def accumulate(cost: np.ndarray, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, M) local costs -> accumulated cost D and the step taken into each cell.

    D[i, j] = min over steps (a, b) of D[i - a, j - b] + weight * cost[i, j], with D[0, 0] = cost[0, 0].
    Cells on one anti-diagonal (i + j = k) never depend on each other, so each diagonal is one vectorised
    update; ties go to the earlier step, exactly as librosa decides them.
    """
    steps, weights = STEP_PATTERNS[pattern]
    n, m = cost.shape
    pad_rows, pad_cols = max(a for a, _ in steps), max(b for _, b in steps)
    width = m + pad_cols
    padded = np.full((n + pad_rows) * width, np.inf)  # D with `pad` rows/columns of inf before it, flattened
    padded[pad_rows * width + pad_cols] = cost[0, 0]
    flat_cost = cost.ravel()
    choice = np.zeros(n * m, dtype=np.int8)
    back = [a * width + b for a, b in steps]  # how far back each step reaches in the flat padded array
    for k in range(1, n + m - 1):
        rows = np.arange(max(0, k - m + 1), min(n, k + 1))
        cells = rows * m + (k - rows)
        here = (rows + pad_rows) * width + (k - rows) + pad_cols
        local = flat_cost[cells]
        best = padded[here - back[0]] + weights[0] * local
        pick = np.zeros(len(rows), dtype=np.int8)
        for s in range(1, len(steps)):
            candidate = padded[here - back[s]] + weights[s] * local
            better = candidate < best
            best = np.where(better, candidate, best)
            pick[better] = s
        padded[here] = best
        choice[cells] = pick
    return padded.reshape(n + pad_rows, width)[pad_rows:, pad_cols:], choice.reshape(n, m)


def backtrack(choice: np.ndarray, pattern: str) -> np.ndarray:
    """(L, 2) the cheapest path as (query frame, reference frame) pairs from (0, 0) to the far corner."""
    steps = STEP_PATTERNS[pattern][0]
    i, j = choice.shape[0] - 1, choice.shape[1] - 1
    path = [(i, j)]
    while (i, j) != (0, 0):
        a, b = steps[choice[i, j]]
        i, j = i - a, j - b
        if min(i, j) < 0:
            break
        path.append((i, j))
    return np.array(path[::-1])


def dtw(cost: np.ndarray, pattern: str = "symmetric1", band: float = 0.0) -> tuple[np.ndarray, np.ndarray | None]:
    """Accumulated cost (N, M) and the warping path (L, 2), or None when no path fits the constraints
    (a band too narrow, or a step pattern that cannot stretch far enough). `band` 0 means no band."""
    local = np.where(band_mask(cost.shape, band), cost, np.inf) if band > 0 else cost
    accumulated, choice = accumulate(local, pattern)
    return accumulated, backtrack(choice, pattern) if np.isfinite(accumulated[-1, -1]) else None


def librosa_dtw(cost: np.ndarray, pattern: str = "symmetric1", band: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The same alignment by librosa.sequence.dtw (numba; first call compiles), path from start to end."""
    import librosa

    steps, weights = STEP_PATTERNS[pattern]
    options = {
        "step_sizes_sigma": np.array(steps),
        "weights_mul": np.array(weights),
        "weights_add": np.zeros(len(steps)),
    }
    accumulated, path = librosa.sequence.dtw(
        C=cost.copy(), global_constraints=band > 0, band_rad=band, **(options if pattern != "symmetric1" else {})
    )
    return accumulated, path[::-1]


def frame_of(seconds: np.ndarray) -> np.ndarray:
    """The frame whose window is centred nearest each time: a boundary frame is half before, half after."""
    return np.round((np.asarray(seconds) * SR - N_FFT / 2) / HOP).astype(int)


def seconds_of(frames: np.ndarray) -> np.ndarray:
    return (np.asarray(frames) * HOP + N_FFT / 2) / SR


def carry_over(path: np.ndarray, reference_times: np.ndarray, last: bool) -> np.ndarray:
    """Reference times (s) -> recording times (s) through the path: the first recording frame matched with
    the reference frame of each time or a later one (for word ends: the last matched with it or an earlier
    one; a slope-limited path can step over a reference frame). The path is sorted along both sequences."""
    frames = np.clip(frame_of(reference_times), 0, path[-1, 1])
    steps = np.searchsorted(path[:, 1], frames, side="right") - 1 if last else np.searchsorted(path[:, 1], frames)
    return seconds_of(path[steps, 0])


# ---------------------------------------------------------------- one explicit alignment, as the page shows it
@dataclass(frozen=True)
class Settings:
    feature: str = "mfcc"
    pattern: str = "symmetric1"
    band: float = 0.0
    tempo: float = 1.0
    noise: float = 0.0
    voice: str = "plain"
    reorder: bool = False


@dataclass(frozen=True)
class Explicit:
    words: tuple[str, ...]
    recording: Speech  # true starts/ends of each written word
    reader: Speech
    spoken_order: np.ndarray  # (words,) index of the written word said first, second, ...
    cost: np.ndarray  # (recording frames, reader frames)
    total: float  # accumulated cost at the far corner (inf: no path)
    path: np.ndarray | None  # (L, 2) (recording frame, reader frame)
    found_starts: np.ndarray | None  # (words,) seconds in the recording
    found_ends: np.ndarray | None

    @property
    def errors_ms(self) -> np.ndarray | None:
        """(2 * words,) |found - true| for every word start and end, in milliseconds."""
        if self.found_starts is None:
            return None
        found = np.concatenate([self.found_starts, self.found_ends])
        truth = np.concatenate([self.recording.starts, self.recording.ends])
        return np.abs(found - truth) * 1000


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def align(words: Sequence[str], settings: Settings, seed: int = 0) -> Explicit:
    """Record the words, read the transcript aloud, and carry the reader's boundaries over with DTW.

    Runs numpy's matrix products on one thread: they are small, and on a busy two-core machine a second
    BLAS thread made each of them 5-100x slower (it mostly waits), as classifiers.one_thread found for torch."""
    recording, order = record(words, settings.tempo, settings.noise, settings.reorder, seed)
    reader = read_aloud(words, settings.voice)
    with _blas().limit(limits=1, user_api="blas"):
        cost = distances(
            features(recording.audio, settings.feature), features(reader.audio, settings.feature), settings.feature
        )
    accumulated, path = dtw(cost, settings.pattern, settings.band)
    starts = ends = None
    if path is not None:
        starts, ends = carry_over(path, reader.starts, last=False), carry_over(path, reader.ends, last=True)
    return Explicit(
        tuple(words), recording, reader, order, cost.astype(np.float32), float(accumulated[-1, -1]), path, starts, ends
    )


def held_out_captions(world: worlds.World, count: int) -> list[list[str]]:
    """The first `count` captions of the test split (the same samples the captioning page uses)."""
    return [words_of(world.captions[i]) for i in scenes.split_indices(world, "test")[:count]]


def evaluate(
    captions: Sequence[Sequence[str]],
    settings: Settings,
    noises: Sequence[float],
    progress: Callable[[float, str], None] = lambda fraction, message: None,
) -> dict[str, list[float]]:
    """Mean boundary error (ms) of every feature at every noise level, other settings as given; a caption
    with no path counts as a miss (NaN for its mean) and is reported in "no_path"."""
    out: dict[str, list[float]] = {}
    total, done = len(FEATURES) * len(noises), 0
    for feature in FEATURES:
        means, misses = [], []
        for noise in noises:
            chosen = Settings(
                feature, settings.pattern, settings.band, settings.tempo, noise, settings.voice, settings.reorder
            )
            errors = [align(words, chosen, seed=k).errors_ms for k, words in enumerate(captions)]
            found = [e.mean() for e in errors if e is not None]
            means.append(float(np.mean(found)) if found else float("nan"))
            misses.append(float(sum(e is None for e in errors)))
            done += 1
            progress(done / total, f"{feature}, noise {noise:.2f}")
        out[feature], out[f"{feature}_no_path"] = means, misses
    return out
