"""One modality at a time, the classic way: every sample as one flat vector, nearest neighbour and
logistic regression on it, and hyper-parameters chosen on the validation set.

Nothing here imports torch or (until it is called) scikit-learn, so a page that starts with nearest
neighbour opens quickly. The default networks (CNN, MLPs) live in models/unimodal/nets.py. Other pages
(fusion, co-learning, spectrograms) can reuse these plain functions: `dataset`, `evaluate`,
`held_out_neighbours`, `knn_proba`, `fit_logistic`, `run_sweep`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from models.core import features, nearest, worlds

MODALITIES = ("image", "text", "sound")
CLASSIFIERS = {
    "image": ("knn", "logistic", "mlp", "cnn"),
    "text": ("knn", "logistic"),
    "sound": ("knn", "logistic", "mlp"),
}
DEFAULT_CLASSIFIER = {"image": "knn", "text": "logistic", "sound": "mlp"}
K_VALUES = (1, 3, 5, 7, 9, 13, 17, 25)  # nearest.K_MAX bounds the largest
C_VALUES = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)  # inverse regularisation strength of logistic regression


# ---------------------------------------------------------------- data: one modality, one task, three splits
@dataclass(frozen=True)
class Dataset:
    """One task in one modality: every sample as a flat vector, its label and its split.

    Row i is sample i of the world (or sentence i of the sentiment set), so the rows a classifier
    gets wrong can be shown in every other modality too.
    """

    x: np.ndarray  # (N, D) float32
    y: np.ndarray  # (N,) class index
    split: np.ndarray  # (N,) 0 train, 1 validation, 2 test
    classes: tuple[str, ...]
    dictionary: Any = None  # text only: the CountVectorizer fitted on the training texts
    texts: tuple[str, ...] = ()  # text only

    def indices(self, split: str) -> np.ndarray:
        return np.flatnonzero(self.split == worlds.SPLIT_NAMES.index(split))

    def part(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        rows = self.indices(split)
        return self.x[rows], self.y[rows]


def text_dataset(texts: list[str], y: np.ndarray, split: np.ndarray, classes: tuple[str, ...]) -> Dataset:
    """Bag-of-words vectors over a dictionary built from the training texts only: words that appear
    only in validation or test are out of vocabulary, as they would be for new text."""
    train = split == 0
    dictionary = features.fit_dictionary([s for s, keep in zip(texts, train) if keep])
    return Dataset(
        x=features.text_vectors(dictionary, texts),
        y=y,
        split=split,
        classes=classes,
        dictionary=dictionary,
        texts=tuple(texts),
    )


def dataset(world: worlds.World, modality: str, attribute: str | None = None) -> Dataset:
    """A world's samples in one modality, labelled with one attribute (default: the main one)."""
    attribute = attribute or worlds.MAIN_ATTRIBUTE[world.name]
    y, classes = world.labels(attribute), world.classes[attribute]
    if modality == "text":
        return text_dataset(world.captions, y, world.split, classes)
    if modality == "image":
        return Dataset(x=features.image_vectors(world.images), y=y, split=world.split, classes=classes)
    return Dataset(x=features.sound_vectors(world.audio, world.sample_rate), y=y, split=world.split, classes=classes)


# ---------------------------------------------------------------- results on held-out data
@dataclass(frozen=True)
class Evaluation:
    """A classifier's answers on some held-out rows, and what they add up to."""

    rows: np.ndarray  # (M,) dataset rows
    true: np.ndarray  # (M,) their labels
    proba: np.ndarray  # (M, C)
    accuracy: float
    confusion: np.ndarray  # (C, C): true class down, predicted across

    def wrong(self) -> np.ndarray:
        """The rows that were misclassified, in dataset order."""
        return self.rows[self.proba.argmax(1) != self.true]


def evaluate(data: Dataset, rows: np.ndarray, proba: np.ndarray) -> Evaluation:
    """Score class probabilities for some rows against their labels: accuracy, confusion matrix, mistakes."""
    true, predicted = data.y[rows], proba.argmax(1)
    n = len(data.classes)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (true, predicted), 1)
    return Evaluation(
        rows=rows, true=true, proba=proba, accuracy=float((true == predicted).mean()), confusion=confusion
    )


# ---------------------------------------------------------------- nearest neighbour on a dataset
def held_out_neighbours(
    data: Dataset, metric: str, splits: tuple[str, ...] = ("validation", "test")
) -> nearest.Neighbours:
    """The nearest training samples of every sample of `splits` (as dataset rows).

    This is all the work nearest neighbour ever does, and it grows with the training set: O(N) per question.
    """
    train = data.indices("train")
    held = np.sort(np.concatenate([data.indices(s) for s in splits]))
    found = nearest.find(data.x[train], data.x[held], metric)
    return nearest.Neighbours(index=train[found.index], distance=found.distance, query=held)


def knn_proba(data: Dataset, neighbours: nearest.Neighbours, rows: np.ndarray, k: int) -> np.ndarray:
    """(len(rows), C) vote shares of the k nearest training samples, for rows that have neighbours."""
    return nearest.vote(data.y[neighbours.of(rows).index], k, len(data.classes))


def knn_query(data: Dataset, x: np.ndarray, metric: str, k: int) -> tuple[np.ndarray, nearest.Neighbours]:
    """Nearest neighbour for new vectors (an upload, a typed sentence): (Q, C) votes and the neighbours."""
    train = data.indices("train")
    found = nearest.find(data.x[train], x, metric)
    neighbours = nearest.Neighbours(index=train[found.index], distance=found.distance, query=np.arange(len(x)))
    return nearest.vote(data.y[neighbours.index], k, len(data.classes)), neighbours


# ---------------------------------------------------------------- logistic regression (maximum entropy)
def fit_logistic(x: np.ndarray, y: np.ndarray, C: float = 1.0):
    """Multinomial logistic regression: one weight per (input number, class), softmax on top.

    A larger C means weaker L2 regularisation. The optimiser stops at a loose tolerance: the
    accuracy no longer changes there, and the page stays quick. One BLAS thread, as in nearest.find.
    """
    from sklearn.linear_model import LogisticRegression

    with threadpool_limits(1):
        return nearest.fit_silently(LogisticRegression(C=C, max_iter=300, tol=1e-3), x, y)


def class_weights(model) -> np.ndarray:
    """(C, D): how much each input number pushes towards each class. A two-class model stores one
    row w for the second class; the equivalent softmax has -w/2 and +w/2."""
    coef = model.coef_
    return np.vstack([-coef / 2, coef / 2]) if coef.shape[0] == 1 else coef


# ---------------------------------------------------------------- choosing a hyper-parameter
@dataclass(frozen=True)
class Sweep:
    """Validation accuracy of every setting, the setting chosen on it, and that setting's test accuracy only."""

    settings: tuple[dict, ...]
    validation_accuracy: tuple[float, ...]
    chosen: int
    test_accuracy: float


def select(validation_accuracy: list[float]) -> int:
    """The best setting on the validation set; on a tie the first one listed (the simpler model)."""
    return int(np.argmax(validation_accuracy))


def run_sweep(
    settings: list[dict], validation_score: Callable[[dict], float], test_score: Callable[[dict], float]
) -> Sweep:
    """Score every setting on validation, choose, then look at the test set once, for the chosen one.

    The test set never takes part in the choice, so its number stays an honest estimate for new data.
    """
    scores = [validation_score(s) for s in settings]
    chosen = select(scores)
    return Sweep(tuple(settings), tuple(scores), chosen, test_score(settings[chosen]))


def knn_accuracy(data: Dataset, neighbours: nearest.Neighbours, rows: np.ndarray, k: int) -> float:
    return float((knn_proba(data, neighbours, rows, k).argmax(1) == data.y[rows]).mean())


def sweep_knn(data: Dataset, neighbours: dict[str, nearest.Neighbours], ks: tuple[int, ...] = K_VALUES) -> Sweep:
    """Every k with every distance (neighbours: metric -> held_out_neighbours)."""
    validation, test = data.indices("validation"), data.indices("test")
    return run_sweep(
        [{"metric": m, "k": k} for m in neighbours for k in ks],
        lambda s: knn_accuracy(data, neighbours[s["metric"]], validation, s["k"]),
        lambda s: knn_accuracy(data, neighbours[s["metric"]], test, s["k"]),
    )


def sweep_logistic(data: Dataset, fitted: Callable[[float], Any], cs: tuple[float, ...] = C_VALUES) -> Sweep:
    """Every regularisation strength; `fitted(C)` returns the model trained on the training split."""
    (x_val, y_val), (x_test, y_test) = data.part("validation"), data.part("test")
    return run_sweep(
        [{"C": c} for c in cs],
        lambda s: float(fitted(s["C"]).score(x_val, y_val)),
        lambda s: float(fitted(s["C"]).score(x_test, y_test)),
    )


# ---------------------------------------------------------------- inputs from outside the world
def fit_photo(photo: np.ndarray, side: int, grey: bool) -> np.ndarray:
    """A photo as the world's models must read it: the central square, shrunk to side x side
    (and grey, if the world is), (side, side, 3) uint8. Everything else is lost on the way."""
    from PIL import Image

    h, w = photo.shape[:2]
    edge = min(h, w)
    top, left = (h - edge) // 2, (w - edge) // 2
    square = Image.fromarray(np.ascontiguousarray(photo[top : top + edge, left : left + edge]))
    small = square.resize((side, side), Image.Resampling.BOX)
    return np.array(small.convert("L").convert("RGB") if grey else small, dtype=np.uint8)


def one_second(clip: np.ndarray, sr: int, seconds: float = worlds.SOUND_SECONDS) -> np.ndarray:
    """The loudest `seconds` of a recording (zero-padded if shorter): the world's models read exactly
    that much sound, as one fixed-length vector."""
    length = int(sr * seconds)
    if len(clip) <= length:
        return np.pad(clip, (0, length - len(clip))).astype(np.float32)
    hop = sr // 20
    energy = np.cumsum(np.concatenate([[0.0], clip.astype(np.float64) ** 2]))
    starts = np.arange(0, len(clip) - length + 1, hop)
    best = int(starts[np.argmax(energy[starts + length] - energy[starts])])
    return clip[best : best + length].astype(np.float32)


def novelty(neighbours: nearest.Neighbours, test_rows: np.ndarray, distance: float) -> float:
    """How far a new input's nearest training sample is, in units of a typical test sample's
    (the median): about 1 for inputs like the world's, much more for things it has never seen."""
    typical = float(np.median(neighbours.of(test_rows).distance[:, 0]))
    return distance / max(typical, 1e-9)
