"""The multimodal worlds: small, seeded datasets where every sample has an image, a caption and a sound.

Every page works on these, so one sample can be followed from page to page. Each modality is
generated from the same attributes, so we *know* what each modality carries; corruption functions
are separate from generation so that robustness curves can corrupt a fixed test set at any level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

SAMPLE_RATE = 8000  # Hz: telephone quality, enough for DTMF and our tones (Nyquist 4 kHz)
SOUND_SECONDS = 1.0
SPLIT_NAMES = ("train", "validation", "test")
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)

# ---------------------------------------------------------------- Shapes world vocabulary
SHAPES = ("circle", "square", "triangle", "star")
COLOURS = ("red", "orange", "yellow", "green", "blue", "purple")
SIZES = ("small", "large")
POSITIONS = ("left", "right", "top", "bottom", "centre")

COLOUR_RGB = {
    "red": (214, 39, 40),
    "orange": (255, 127, 14),
    "yellow": (230, 200, 20),
    "green": (44, 160, 44),
    "blue": (31, 119, 220),
    "purple": (148, 83, 189),
}
# Whole-tone scale inside one octave: colours never collide with the octave that encodes size.
COLOUR_PITCH_HZ = {"red": 262.0, "orange": 294.0, "yellow": 330.0, "green": 370.0, "blue": 415.0, "purple": 466.0}
SIZE_OCTAVE = {"small": 1.0, "large": 0.5}  # big things sound low
SIZE_LOUDNESS = {"small": 0.45, "large": 0.9}

# Synonym lists: the first word is common, the later ones rare, so small training sets miss some
# of them and out-of-vocabulary words happen for real.
SYNONYM_WEIGHTS = (0.80, 0.15, 0.05)
SYNONYMS = {
    "circle": ("circle", "disc", "dot"),
    "square": ("square", "box", "block"),
    "triangle": ("triangle", "wedge", "pyramid"),
    "star": ("star", "starburst", "asterisk"),
    "red": ("red", "crimson", "scarlet"),
    "orange": ("orange", "amber", "tangerine"),
    "yellow": ("yellow", "golden", "lemon"),
    "green": ("green", "emerald", "lime"),
    "blue": ("blue", "azure", "navy"),
    "purple": ("purple", "violet", "lilac"),
    "small": ("small", "little", "tiny"),
    "large": ("large", "big", "huge"),
    "left": ("on the left", "at the left", "to the left"),
    "right": ("on the right", "at the right", "to the right"),
    "top": ("at the top", "near the top", "up high"),
    "bottom": ("at the bottom", "near the bottom", "down low"),
    "centre": ("in the centre", "in the middle", "at the center"),
}
CAPTION_TEMPLATES = (
    "a {size} {colour} {shape} {position}",
    "there is a {size} {colour} {shape} {position}",
    "{position} a {size} {colour} {shape}",
    "i see a {size} {colour} {shape} {position}",
    "a {colour} {shape} {position} , {size}",
)
IMAGE_SIZE = 32
_SUPERSAMPLE = 4
_POSITION_XY = {
    "left": (0.28, 0.5),
    "right": (0.72, 0.5),
    "top": (0.5, 0.28),
    "bottom": (0.5, 0.72),
    "centre": (0.5, 0.5),
}
_SIZE_RADIUS = {"small": 0.14, "large": 0.22}  # fraction of the image side
_BACKGROUND = (245, 245, 240)

# ---------------------------------------------------------------- Digits world vocabulary
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Telephone keypad: each key is the sum of its row and its column frequency (Hz).
DTMF_ROWS = (697.0, 770.0, 852.0, 941.0)
DTMF_COLS = (1209.0, 1336.0, 1477.0)
DTMF_KEY = {
    1: (0, 0),
    2: (0, 1),
    3: (0, 2),
    4: (1, 0),
    5: (1, 1),
    6: (1, 2),
    7: (2, 0),
    8: (2, 1),
    9: (2, 2),
    0: (3, 1),
}
DIGITS = tuple(str(d) for d in range(10))
DIGIT_TEMPLATES = ("{word}", "the digit {word}", "a handwritten {word}", "number {word}", "it is a {word}")


@dataclass(frozen=True)
class Nuisance:
    """Per-modality noise, each from 0 (clean) to 1 (as bad as the slider goes)."""

    image_noise: float = 0.0  # std of Gaussian pixel noise, as a fraction of the full range
    occlusion: float = 0.0  # fraction of the image side covered by a grey block
    audio_noise: float = 0.0  # 0 = clean; 1 = noise as loud as the signal (0 dB SNR)
    word_dropout: float = 0.0  # probability that a word is removed
    typos: float = 0.0  # probability that a word gets a character swapped


@dataclass
class World:
    """One generated dataset. Arrays are aligned: row i of every array is sample i."""

    name: str
    seed: int
    images: np.ndarray  # (N, H, W, 3) uint8
    captions: list[str]
    audio: np.ndarray  # (N, SAMPLE_RATE * SOUND_SECONDS) float32 in [-1, 1]
    attributes: dict[str, np.ndarray]  # attribute -> (N,) int class index
    classes: dict[str, tuple[str, ...]]  # attribute -> class names
    split: np.ndarray  # (N,) int: 0 train, 1 validation, 2 test
    sample_rate: int = SAMPLE_RATE
    nuisance_attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.captions)

    def indices(self, split: str) -> np.ndarray:
        return np.flatnonzero(self.split == SPLIT_NAMES.index(split))

    def labels(self, attribute: str) -> np.ndarray:
        return self.attributes[attribute]

    def describe(self, i: int) -> dict[str, str]:
        return {a: self.classes[a][int(v[i])] for a, v in self.attributes.items()}


# ---------------------------------------------------------------- shared helpers
def _splits(n: int, rng: np.random.Generator) -> np.ndarray:
    order = rng.permutation(n)
    split = np.empty(n, dtype=np.int8)
    cut1 = int(round(SPLIT_FRACTIONS[0] * n))
    cut2 = cut1 + int(round(SPLIT_FRACTIONS[1] * n))
    split[order[:cut1]], split[order[cut1:cut2]], split[order[cut2:]] = 0, 1, 2
    return split


def _balanced(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Class indices with every class equally often (up to one), shuffled."""
    return rng.permutation(np.arange(n) % k)


def _envelope(length: int, duration: np.ndarray, attack: int = 80, release: int = 400) -> np.ndarray:
    """(N, length) gates: a short linear attack, 1 while the note lasts, a linear release, then 0.

    Worked in one array, in place: the world's first build is on the first visitor's path, and each
    temporary (N, length) array cost ~0.1 s to allocate and fill. Same operations, same float32 values."""
    t = np.arange(length, dtype=np.float32)
    gate = np.subtract(duration[:, None].astype(np.float32), t[None, :])  # (N, length)
    gate /= release
    np.clip(gate, 0.0, 1.0, out=gate)
    gate *= np.minimum(t / attack, 1.0)[None, :]
    return gate


def _tone(kind: str, f0: float, t: np.ndarray) -> np.ndarray:
    """One band-limited tone: the harmonic recipe is what makes the timbre visible in a spectrogram."""
    nyquist = SAMPLE_RATE / 2
    if kind == "circle":  # sine: a single line
        wave = np.sin(2 * np.pi * f0 * t)
    elif kind in ("square", "triangle"):  # odd harmonics; 1/k (square) or 1/k^2 alternating (triangle)
        wave = np.zeros_like(t)
        for k in range(1, int(nyquist // f0) + 1, 2):
            amp = 1.0 / k if kind == "square" else (-1) ** ((k - 1) // 2) / k**2
            wave += amp * np.sin(2 * np.pi * k * f0 * t)
    else:  # star: an FM bell, inharmonic partials that fade
        index = 3.0 * np.exp(-3.0 * t)
        wave = np.sin(2 * np.pi * f0 * t + index * np.sin(2 * np.pi * 1.4 * f0 * t)) * np.exp(-2.0 * t)
    return (wave / np.max(np.abs(wave))).astype(np.float32)


def _pick_synonym(concept: str, rng: np.random.Generator) -> str:
    return SYNONYMS[concept][rng.choice(3, p=SYNONYM_WEIGHTS)]


# ---------------------------------------------------------------- Shapes world
def _shape_points(shape: str, cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    if shape == "square":
        corners = [(math.pi / 4 + k * math.pi / 2) for k in range(4)]
        radii = [r * 1.0] * 4
    elif shape == "triangle":
        corners = [(-math.pi / 2 + k * 2 * math.pi / 3) for k in range(3)]
        radii = [r * 1.15] * 3
    else:  # star
        corners = [(-math.pi / 2 + k * math.pi / 5) for k in range(10)]
        radii = [r * (1.2 if k % 2 == 0 else 0.5) for k in range(10)]
    return [(cx + rr * math.cos(a + angle), cy + rr * math.sin(a + angle)) for a, rr in zip(corners, radii)]


def draw_shape(
    shape: str,
    colour: str,
    size: str,
    position: str,
    *,
    rotation: float = 0.0,
    offset: tuple[float, float] = (0.0, 0.0),
    clutter: list | None = None,
    image_size: int = IMAGE_SIZE,
) -> np.ndarray:
    """Draw one object with Pillow at 4x resolution and shrink it, so edges are anti-aliased."""
    side = image_size * _SUPERSAMPLE
    img = Image.new("RGB", (side, side), _BACKGROUND)
    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1, grey in clutter or []:
        draw.line([(x0 * side, y0 * side), (x1 * side, y1 * side)], fill=(grey, grey, grey), width=_SUPERSAMPLE)
    fx, fy = _POSITION_XY[position]
    cx, cy = (fx + offset[0]) * side, (fy + offset[1]) * side
    r = _SIZE_RADIUS[size] * side
    fill = COLOUR_RGB[colour]
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    else:
        draw.polygon(_shape_points(shape, cx, cy, r, rotation), fill=fill)
    return np.asarray(img.resize((image_size, image_size), Image.BOX), dtype=np.uint8)


def shapes_sound(shape: str, colour: str, size: str) -> np.ndarray:
    """The clean, full-length sound of one object (timbre = shape, pitch = colour, octave = size)."""
    t = np.arange(int(SAMPLE_RATE * SOUND_SECONDS)) / SAMPLE_RATE
    return _tone(shape, COLOUR_PITCH_HZ[colour] * SIZE_OCTAVE[size], t) * SIZE_LOUDNESS[size]


def _shapes_world(n: int, seed: int, rotation: float, jitter: float, clutter: float) -> World:
    rng = np.random.default_rng(seed)
    shape, colour = _balanced(n, len(SHAPES), rng), _balanced(n, len(COLOURS), rng)
    size, position = _balanced(n, len(SIZES), rng), _balanced(n, len(POSITIONS), rng)
    angles = rng.uniform(-1, 1, n) * rotation * math.pi
    offsets = rng.uniform(-1, 1, (n, 2)) * jitter * 0.08
    n_lines = rng.binomial(6, clutter, n)

    images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    captions = []
    for i in range(n):
        names = SHAPES[shape[i]], COLOURS[colour[i]], SIZES[size[i]], POSITIONS[position[i]]
        lines = [(*rng.uniform(0, 1, 4), int(rng.integers(120, 200))) for _ in range(n_lines[i])]
        images[i] = draw_shape(*names, rotation=angles[i], offset=tuple(offsets[i]), clutter=lines)
        words = dict(zip(("shape", "colour", "size", "position"), (_pick_synonym(c, rng) for c in names)))
        captions.append(CAPTION_TEMPLATES[rng.integers(len(CAPTION_TEMPLATES))].format(**words))

    # 48 distinct clean tones; each sample gets its tone with its own onset, length and level.
    length = int(SAMPLE_RATE * SOUND_SECONDS)
    tones = {
        (s, c, z): shapes_sound(SHAPES[s], COLOURS[c], SIZES[z])
        for s in range(len(SHAPES))
        for c in range(len(COLOURS))
        for z in range(len(SIZES))
    }
    onset = rng.integers(0, int(0.15 * SAMPLE_RATE), n)
    duration = rng.integers(int(0.6 * SAMPLE_RATE), int(0.8 * SAMPLE_RATE), n)
    audio = _envelope(length, duration)  # (n, length), then each sample's tone and level, in place
    audio *= np.stack([tones[(s, c, z)] for s, c, z in zip(shape, colour, size)])
    np.multiply(audio, rng.uniform(0.8, 1.0, (n, 1)), out=audio, casting="unsafe")  # in float64, as before
    audio = _delay(audio, onset)

    return World(
        name="shapes",
        seed=seed,
        images=images,
        captions=captions,
        audio=audio.astype(np.float32),
        attributes={"shape": shape, "colour": colour, "size": size, "position": position},
        classes={"shape": SHAPES, "colour": COLOURS, "size": SIZES, "position": POSITIONS},
        split=_splits(n, rng),
        nuisance_attributes={"rotation": angles, "clutter_lines": n_lines},
    )


def _delay(audio: np.ndarray, onset: np.ndarray) -> np.ndarray:
    """Shift row i right by onset[i] samples, zeros in front (the sound starts late)."""
    out = np.zeros_like(audio, dtype=np.float32)
    for row, (clip, start) in enumerate(zip(audio, onset)):
        out[row, start:] = clip[: audio.shape[1] - start]
    return out


# ---------------------------------------------------------------- Digits world
def dtmf_tone(digit: int, seconds: float = 0.5) -> np.ndarray:
    """A telephone key press: the sum of two sines, one from the row and one from the column."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    row, col = DTMF_KEY[digit]
    return (0.5 * (np.sin(2 * np.pi * DTMF_ROWS[row] * t) + np.sin(2 * np.pi * DTMF_COLS[col] * t))).astype(np.float32)


def _digits_world(seed: int) -> World:
    from models.core import imports

    load_digits = imports.module("sklearn.datasets").load_digits  # ships inside scikit-learn: no download
    rng = np.random.default_rng(seed)
    digits = load_digits()
    n = len(digits.target)
    digit = digits.target.astype(np.int64)
    grey = (255 - digits.images * (255.0 / 16.0)).astype(np.uint8)  # dark ink on light paper
    images = np.repeat(grey[..., None], 3, axis=-1)

    length = int(SAMPLE_RATE * SOUND_SECONDS)
    tones = np.stack([np.pad(dtmf_tone(d, 1.0), (0, max(0, length - SAMPLE_RATE)))[:length] for d in range(10)])
    onset = rng.integers(0, int(0.3 * SAMPLE_RATE), n)
    duration = rng.integers(int(0.25 * SAMPLE_RATE), int(0.5 * SAMPLE_RATE), n)
    audio = _delay(
        tones[digit] * _envelope(length, duration, attack=40, release=80) * rng.uniform(0.5, 1.0, (n, 1)), onset
    )

    captions = [DIGIT_TEMPLATES[rng.integers(len(DIGIT_TEMPLATES))].format(word=DIGIT_WORDS[d]) for d in digit]
    return World(
        name="digits",
        seed=seed,
        images=images,
        captions=captions,
        audio=audio.astype(np.float32),
        attributes={"digit": digit, "parity": digit % 2, "magnitude": (digit >= 5).astype(np.int64)},
        classes={"digit": DIGITS, "parity": ("even", "odd"), "magnitude": ("0-4", "5-9")},
        split=_splits(n, rng),
    )


WORLD_NAMES = ("shapes", "digits")
MAIN_ATTRIBUTE = {"shapes": "shape", "digits": "digit"}  # what "the label" means on a page by default
MAIN_CLASSES = {"shapes": SHAPES, "digits": DIGITS}
DEFAULT_SIZE = 2000  # Shapes samples: big enough for honest test numbers, small enough to train in seconds


def make_world(
    name: str = "shapes",
    seed: int = 0,
    n: int = DEFAULT_SIZE,
    *,
    rotation: float = 0.0,
    jitter: float = 0.3,
    clutter: float = 0.0,
) -> World:
    """Generate a world. Digits always has the 1,797 scikit-learn digits, so `n` applies to Shapes."""
    if name == "shapes":
        return _shapes_world(n, seed, rotation, jitter, clutter)
    if name == "digits":
        return _digits_world(seed)
    raise ValueError(f"unknown world {name!r}; choose from {WORLD_NAMES}")


# ---------------------------------------------------------------- corruption (robustness)
def corrupt_images(images: np.ndarray, noise: float, occlusion: float, seed: int = 0) -> np.ndarray:
    """Gaussian pixel noise and a grey block at a random place; returns a new uint8 array."""
    rng = np.random.default_rng(seed)
    out = images.astype(np.float32)
    if noise > 0:
        out += rng.normal(0, noise * 255.0, out.shape).astype(np.float32)
    if occlusion > 0:
        n, h, w, _ = out.shape
        side = max(1, int(round(occlusion * h)))
        ys, xs = rng.integers(0, h - side + 1, n), rng.integers(0, w - side + 1, n)
        rows = np.arange(h)[None, :, None]
        cols = np.arange(w)[None, None, :]
        block = (
            (rows >= ys[:, None, None])
            & (rows < ys[:, None, None] + side)
            & (cols >= xs[:, None, None])
            & (cols < xs[:, None, None] + side)
        )
        out[block] = 128.0
    return np.clip(out, 0, 255).astype(np.uint8)


def corrupt_audio(audio: np.ndarray, noise: float, seed: int = 0) -> np.ndarray:
    """White noise scaled to each clip's own loudness: noise=1 means 0 dB SNR (as loud as the sound)."""
    if noise <= 0:
        return audio.copy()
    rng = np.random.default_rng(seed)
    rms = np.sqrt(np.mean(audio**2, axis=1, keepdims=True)) + 1e-8
    return (audio + rng.normal(0, 1, audio.shape).astype(np.float32) * rms * noise * 2.0).astype(np.float32)


def snr_db(noise: float) -> float:
    """The signal-to-noise ratio that `corrupt_audio` gives for a noise level (for labels)."""
    return math.inf if noise <= 0 else -20 * math.log10(noise * 2.0)


def corrupt_text(captions: list[str], dropout: float, typos: float, seed: int = 0) -> list[str]:
    """Drop words and swap neighbouring letters, the two ways typed text goes wrong."""
    rng = np.random.default_rng(seed)
    out = []
    for caption in captions:
        words = []
        for word in caption.split():
            if rng.random() < dropout:
                continue
            if len(word) > 2 and rng.random() < typos:
                j = int(rng.integers(0, len(word) - 1))
                word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
            words.append(word)
        out.append(" ".join(words))
    return out


def corrupt(world: World, nuisance: Nuisance, seed: int = 0) -> World:
    """A copy of the world with every modality corrupted as `nuisance` says."""
    return World(
        name=world.name,
        seed=world.seed,
        images=corrupt_images(world.images, nuisance.image_noise, nuisance.occlusion, seed),
        captions=corrupt_text(world.captions, nuisance.word_dropout, nuisance.typos, seed),
        audio=corrupt_audio(world.audio, nuisance.audio_noise, seed),
        attributes=world.attributes,
        classes=world.classes,
        split=world.split,
        sample_rate=world.sample_rate,
        nuisance_attributes=world.nuisance_attributes,
    )


# ---------------------------------------------------------------- tasks
def correspondence_task(world: World, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synergy task (Liang et al. 2022): does this sound belong to this picture?

    Half the samples get the sound of another sample whose main attribute differs. Neither the image
    nor the sound alone says anything about the answer; only the two together do.
    Returns (sound_index, label) with label 1 = match.
    """
    rng = np.random.default_rng(seed + 1)
    key = world.attributes[next(iter(world.attributes))]
    n = len(world)
    label = _balanced(n, 2, rng)
    sound_index = np.arange(n)
    for i in np.flatnonzero(label == 0):
        same_split_other_class = np.flatnonzero((world.split == world.split[i]) & (key != key[i]))
        sound_index[i] = rng.choice(same_split_other_class)
    return sound_index, label


@dataclass(frozen=True)
class SampleView:
    """One sample's three modalities and its facts, ready to show side by side."""

    index: int
    image: np.ndarray
    caption: str
    audio: np.ndarray
    sample_rate: int
    attributes: dict[str, str]
    split: str


def sample_view(world: World, i: int) -> SampleView:
    return SampleView(
        index=i,
        image=world.images[i],
        caption=world.captions[i],
        audio=world.audio[i],
        sample_rate=world.sample_rate,
        attributes=world.describe(i),
        split=SPLIT_NAMES[world.split[i]],
    )
