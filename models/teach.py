"""Teach it yourself: a visitor's own classes, each example a photo and a sound, learnt in front of them.

Teachable Machine (Google, 2017) showed how much a learner gets from recording their own examples and
watching a model learn *their* classes; it takes one modality at a time. Here every example is a pair,
and the fusion page's own models learn from it: each modality's unimodal model, early fusion (one model
on the joined features) and late fusion (the unimodal models' averaged probabilities), on the fusion
page's features (8x8 colour thumbnails; each mel band's mean and peak). Nothing here is stored: the
examples and the models live in the visitor's session, and `to_zip` / `from_zip` carry them out and in.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from models.core import worlds
from models.core.classifiers import Progress, _quiet
from models.fusion import lab as fusion_lab
from models.fusion import strategies as fusion

MODALITIES = ("image", "sound")
SHOWN = ("image", "sound", "early", "late_average")  # the four the page compares
MIN_CLASSES, MAX_CLASSES = 2, 4
MAX_PER_CLASS = 30  # per class: bounds a session's memory (below) and a training run's time
MIN_TO_TRAIN = 3  # examples per class before training is offered: 2 to learn from, 1 held out
SIDE = worlds.IMAGE_SIZE  # a photo is cut square and shrunk to the world's 32x32 pictures
SAMPLE_RATE = worlds.SAMPLE_RATE
LENGTH = int(worlds.SAMPLE_RATE * worlds.SOUND_SECONDS)  # one second of sound from its onset
BATCH, STEPS = 16, 240  # gradient steps per model, however many examples: a few seconds for all of them
# the most a session holds: pictures (uint8) and sounds (int16) of every example, and the models
MAX_BYTES = MAX_CLASSES * MAX_PER_CLASS * (SIDE * SIDE * 3 + LENGTH * 2) + 200_000
ZIP_VERSION = 1


@dataclass(frozen=True)
class Examples:
    """The visitor's recordings: pictures (n, 32, 32, 3) uint8, sounds (n, LENGTH) int16, labels (n,)."""

    pictures: np.ndarray
    sounds: np.ndarray
    labels: np.ndarray

    @staticmethod
    def empty() -> Examples:
        return Examples(np.zeros((0, SIDE, SIDE, 3), np.uint8), np.zeros((0, LENGTH), np.int16), np.zeros(0, np.int64))

    def counts(self, n_classes: int) -> list[int]:
        return np.bincount(self.labels, minlength=n_classes)[:n_classes].tolist()

    def add(self, picture: np.ndarray, sound: np.ndarray, label: int) -> Examples:
        """A new set with one more pair (the old one is left as it was)."""
        return Examples(
            np.concatenate([self.pictures, picture[None]]),
            np.concatenate([self.sounds, sound[None]]),
            np.concatenate([self.labels, [label]]).astype(np.int64),
        )

    def without_class(self, label: int) -> Examples:
        keep = self.labels != label
        labels = self.labels[keep]
        return Examples(self.pictures[keep], self.sounds[keep], np.where(labels > label, labels - 1, labels))

    @property
    def nbytes(self) -> int:
        return self.pictures.nbytes + self.sounds.nbytes + self.labels.nbytes


def picture(rgb: np.ndarray) -> np.ndarray:
    """Any RGB photo (H, W, 3) uint8 -> the centre square, shrunk to (32, 32, 3) uint8."""
    h, w = rgb.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = Image.fromarray(np.ascontiguousarray(rgb[top : top + side, left : left + side]))
    return np.asarray(square.resize((SIDE, SIDE), Image.Resampling.BOX), dtype=np.uint8)


def seen(rgb: np.ndarray) -> np.ndarray:
    """What the image models read of a photo: the fusion page's 8x8 colour thumbnail, (8, 8, 3) uint8."""
    return np.round(fusion.thumbnails(picture(rgb)[None].astype(np.float32))[0]).astype(np.uint8)


def onset(samples: np.ndarray) -> int:
    """Where a sound starts: the first sample above a tenth of the peak (0 for silence)."""
    samples = np.abs(np.nan_to_num(np.asarray(samples, np.float32), nan=0.0, posinf=0.0, neginf=0.0))
    peak = float(samples.max()) if samples.size else 0.0
    return int(np.argmax(samples > peak / 10)) if peak > 0 else 0


def sound(samples: np.ndarray) -> np.ndarray:
    """Mono samples at SAMPLE_RATE -> one second from its `onset`, zero-padded, as int16: a clap late in
    a recording is still the clap."""
    samples = np.nan_to_num(np.asarray(samples, np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    start = onset(samples)
    clip = np.zeros(LENGTH, np.float32)
    part = samples[start : start + LENGTH]
    clip[: len(part)] = part
    return np.round(np.clip(clip, -1, 1) * 32767).astype(np.int16)


def features(examples: Examples) -> dict[str, np.ndarray]:
    """Each modality's features (n, D), as the fusion page computes them."""
    return {
        "image": fusion.featurise("image", examples.pictures, None),
        "sound": fusion.featurise("sound", examples.sounds.astype(np.float32) / 32767, None, SAMPLE_RATE),
    }


def held_out(labels: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows): a quarter of each class, at least one, kept for the score."""
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        test.extend(rows[: max(1, len(rows) // 4)])
    test = np.sort(np.array(test, dtype=np.int64))
    return np.setdiff1d(np.arange(len(labels)), test), test


@dataclass(frozen=True)
class Taught:
    """The visitor's trained models (a fusion_lab.Lab), their held-out scores, and the rows held out."""

    lab: fusion.Lab
    scores: dict[str, float]
    test_rows: np.ndarray
    classes: int
    trained_on: int  # how many examples there were: more added since means train again


def train(examples: Examples, n_classes: int, seed: int = 0, progress: Progress = _quiet) -> Taught:
    """Every model of the fusion page, trained on the visitor's examples; scored on the held-out quarter.

    A new model every time (never a shared one), so one visitor's training touches no one else's.
    """
    if min(examples.counts(n_classes)) < MIN_TO_TRAIN:
        raise ValueError(f"every class needs {MIN_TO_TRAIN} examples")
    data = features(examples)
    train_rows, test_rows = held_out(examples.labels, seed)
    mean = {m: data[m][train_rows].mean(0) for m in MODALITIES}
    std = {m: data[m][train_rows].std(0) + 0.05 for m in MODALITIES}  # as the fusion page's scaler
    x = torch.from_numpy(
        np.concatenate([(data[m][train_rows] - mean[m]) / std[m] for m in MODALITIES], 1).astype(np.float32)
    )
    y = torch.from_numpy(examples.labels[train_rows])
    sizes = tuple(data[m].shape[1] for m in MODALITIES)
    # too few examples for a validation split of their own: late_learned's weights are fitted on training
    # predictions, and the page shows late fusion as the plain average, which learns nothing
    epochs = max(1, STEPS // -(-len(train_rows) // BATCH))  # the same number of steps for 12 or 90 examples
    models = fusion.train_strategies(
        x, y, x, y, MODALITIES, sizes, n_classes, seed, progress, epochs=epochs, batch_size=BATCH
    )
    lab = fusion.Lab("yours", "yours", MODALITIES, sizes, models, mean, std)
    probs = fusion_lab.predict(lab, {m: data[m][test_rows] for m in MODALITIES})
    scores = fusion_lab.scores(probs, examples.labels[test_rows])
    return Taught(lab, scores, test_rows, n_classes, len(examples.labels))


def predict(taught: Taught, examples: Examples, covered: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """The four shown models' class probabilities (n, C) for some pairs, with the `covered` modalities
    missing: a missing modality's own model does not answer; early fusion gets its training mean
    (zeros after standardising); late fusion drops its vote (fusion_lab.predict)."""
    data = features(examples)
    probs = fusion_lab.predict(taught.lab, {m: None if m in covered else data[m] for m in MODALITIES})
    return {name: probs[name] for name in SHOWN if name in probs}


# ---------------------------------------------------------------- one zip out, one zip in
class BadZip(ValueError):
    """A file that is not a playground zip (or a broken one); `key` names the message to show."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def to_zip(examples: Examples, classes: list[str], taught: Taught | None) -> bytes:
    """The examples, the class names and (if trained) every model's weights, as one zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("playground.json", json.dumps({"version": ZIP_VERSION, "classes": classes}))
        arrays = io.BytesIO()
        np.savez(arrays, pictures=examples.pictures, sounds=examples.sounds, labels=examples.labels)
        archive.writestr("examples.npz", arrays.getvalue())
        if taught is not None:
            weights = {
                f"{name}.{k}": v.numpy() for name, m in taught.lab.models.items() for k, v in m.state_dict().items()
            }
            scaler = {
                f"scaler.{m}.{part}": getattr(taught.lab, part)[m] for m in MODALITIES for part in ("mean", "std")
            }
            models = io.BytesIO()
            np.savez(models, test_rows=taught.test_rows, **weights, **scaler)
            archive.writestr("models.npz", models.getvalue())
            archive.writestr("scores.json", json.dumps({"scores": taught.scores, "trained_on": taught.trained_on}))
    return out.getvalue()


def from_zip(data: bytes) -> tuple[Examples, list[str], Taught | None]:
    """The inverse of `to_zip`, checked at every step: anything else raises BadZip, never loads code
    (no pickles: `allow_pickle=False`) and never holds more than a session may."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if not {"playground.json", "examples.npz"} <= names:
                raise BadZip("teach.zip_foreign")
            if sum(info.file_size for info in archive.infolist()) > 4 * MAX_BYTES:
                raise BadZip("teach.zip_too_big")
            meta = json.loads(archive.read("playground.json"))
            examples, classes = _examples(archive.read("examples.npz"), meta)
            taught = _taught(archive, n_classes=len(classes)) if "models.npz" in names else None
    except BadZip:
        raise
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, OSError, ValueError, KeyError) as error:
        raise BadZip("teach.zip_broken") from error
    if taught is not None and (
        taught.trained_on != len(examples.labels) or taught.test_rows.max(initial=-1) >= taught.trained_on
    ):
        raise BadZip("teach.zip_broken")
    return examples, classes, taught


def _examples(raw: bytes, meta: dict) -> tuple[Examples, list[str]]:
    if not isinstance(meta, dict) or meta.get("version") != ZIP_VERSION:
        raise BadZip("teach.zip_version")
    classes = meta.get("classes")
    if (
        not isinstance(classes, list)
        or not MIN_CLASSES <= len(classes) <= MAX_CLASSES
        or not all(isinstance(c, str) and 0 < len(c) <= 40 for c in classes)
    ):
        raise BadZip("teach.zip_broken")
    with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
        pictures, sounds, labels = arrays["pictures"], arrays["sounds"], arrays["labels"]
    n = len(labels)
    if (
        pictures.shape != (n, SIDE, SIDE, 3)
        or pictures.dtype != np.uint8
        or sounds.shape != (n, LENGTH)
        or sounds.dtype != np.int16
        or labels.dtype.kind not in "iu"
        or (n and (labels.min() < 0 or labels.max() >= len(classes)))
        or max(np.bincount(labels, minlength=1)) > MAX_PER_CLASS
    ):
        raise BadZip("teach.zip_broken")
    return Examples(pictures, sounds, labels.astype(np.int64)), classes


def _taught(archive: zipfile.ZipFile, n_classes: int) -> Taught:
    with np.load(io.BytesIO(archive.read("models.npz")), allow_pickle=False) as arrays:
        stored = {k: arrays[k] for k in arrays.files}
    mean = {m: stored[f"scaler.{m}.mean"].astype(np.float32) for m in MODALITIES}
    std = {m: stored[f"scaler.{m}.std"].astype(np.float32) for m in MODALITIES}
    sizes = tuple(len(mean[m]) for m in MODALITIES)
    models = {}
    for name in fusion.trained_names(MODALITIES):
        model = fusion.build(name, MODALITIES, sizes, n_classes)
        prefix = f"{name}."
        state = {k[len(prefix) :]: torch.from_numpy(v) for k, v in stored.items() if k.startswith(prefix)}
        try:
            model.load_state_dict(state)  # exact keys and shapes, or it raises
        except RuntimeError as error:
            raise BadZip("teach.zip_broken") from error
        models[name] = model.eval()
    record = json.loads(archive.read("scores.json"))
    scores, trained_on = record["scores"], record["trained_on"]
    if not (isinstance(scores, dict) and all(isinstance(v, (int, float)) for v in scores.values())):
        raise BadZip("teach.zip_broken")
    if set(scores) != set(fusion_lab.strategy_order(MODALITIES)) or not isinstance(trained_on, int):
        raise BadZip("teach.zip_broken")
    lab = fusion.Lab("yours", "yours", MODALITIES, sizes, models, mean, std)
    test_rows = stored["test_rows"].astype(np.int64)
    return Taught(lab, {str(k): float(v) for k, v in scores.items()}, test_rows, n_classes, trained_on)


# ---------------------------------------------------------------- examples made in code
def generated(n_classes: int, per_class: int = 8, seed: int = 0) -> Examples:
    """Stand-in recordings for a lecture without a camera (and for the tests), every example a little
    different (jitter, noise), as real recordings are. The classes share their cues in pairs: a colour
    is shared by classes 0 and 1 (and 2 and 3), a pitch by classes 0 and 2 (and 1 and 3). With three or
    four classes neither modality alone can tell every class apart; the two together can."""
    rng = np.random.default_rng(seed)
    colours = np.array([(220, 60, 50), (40, 120, 220)], np.float32)
    pitches = (262.0, 523.0)  # C4, C5
    t = np.arange(LENGTH) / SAMPLE_RATE
    result = Examples.empty()
    for label in range(n_classes):
        colour, pitch = (label, label) if n_classes == 2 else (label // 2, label % 2)
        for _ in range(per_class):
            base = colours[colour] + rng.normal(0, 25, 3)
            image = np.clip(base + rng.normal(0, 30, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
            start = rng.uniform(0, 0.2)
            envelope = np.where(t >= start, np.exp(-(t - start) * rng.uniform(2, 5)), 0.0)
            tone = envelope * np.sin(2 * np.pi * pitches[pitch] * rng.uniform(0.98, 1.02) * t)
            result = result.add(image, sound(0.6 * tone + rng.normal(0, 0.005, LENGTH)), label)
    return result
