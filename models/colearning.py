"""Co-learning: a modality rich in labels teaches a poor one, which then works alone.

The scenario: sounds are the poor modality (few labels, some of them wrong, maybe buried in noise);
pictures are the rich one, with a trained classifier (the default CNN of models/unimodal/nets.py). The
training split's (picture, sound) pairs are there, without sound labels. Every method trains the same
small sound model, the *student*, and tests it on the test split's sounds alone:

- baseline: only the student's own few labelled sounds;
- pseudo-labelling (the core step of co-training): the picture model names the class of every
  unlabelled pair, and the student learns that name for the pair's sound;
- cross-modal distillation: the student copies the picture model's whole probability vector,
  softened by a temperature, so "probably a square, maybe a star" is passed on too;
- zero-shot: no sound labels at all: a sound gets the class whose *word* is nearest in the
  coordinated space of models/representation.py (trained on pairs only, with no labels).

The student is a linear classifier fitted by least squares (ridge regression onto the class
targets): one neuron per class, weights from one linear solve instead of gradient descent. That
makes a student cost well under a millisecond, so a whole curve (three methods x several label
budgets x several random draws of which sounds are labelled) is computed in one go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models import representation
from models.core import classifiers, worlds
from models.unimodal import nets as unimodal

METHODS = ("baseline", "pseudo", "distill")  # zero-shot is separate: it trains no student
LABELS_PER_CLASS = (1, 2, 5, 10, 20, 50, 100)  # the data-efficiency curve's x axis
LABEL_NOISE = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)  # share of the own labels replaced by a wrong class
SOUND_NOISE = (0.0, 0.25, 0.5, 0.75, 1.0)  # models.core.worlds.corrupt_audio levels: clean to -6 dB SNR
# The teacher sees noisy pictures; the levels differ per world because the 8x8 digits CNN shrugs off
# noise that already ruins the 32x32 shapes CNN. Index 0 is a clean teacher.
TEACHER_NOISE = {"shapes": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3), "digits": (0.0, 0.4, 0.6, 0.8, 1.0, 1.5)}
DRAWS = 3  # random choices of the labelled sounds (and of their wrong labels), averaged
RIDGE = 1.0  # the L2 penalty of the least-squares student (scikit-learn's default)
TEMPERATURE = 2.0  # distillation: softmax(log p / T) flattens the teacher's probabilities
ZERO_SHOT_STRENGTH = 1.0  # the coordinated model trained by the contrastive constraint alone: no labels
CLASS_WORDS = {"shapes": worlds.SHAPES, "digits": worlds.DIGIT_WORDS}  # the words zero-shot compares sounds with


# ---------------------------------------------------------------- the poor modality, as the student hears it
@dataclass(frozen=True)
class Sounds:
    """The training and test sounds at one noise level, as student inputs, with their labels."""

    train: np.ndarray  # (n_train, F + 1) standardised features and a constant 1 (the bias)
    test: np.ndarray  # (n_test, F + 1)
    train_labels: np.ndarray  # (n_train,) the true classes (the student sees only some, maybe wrong)
    test_labels: np.ndarray  # (n_test,)
    test_features: np.ndarray  # (n_test, F) unscaled: what the coordinated sound encoder reads
    mean: np.ndarray  # (F,) of the training sounds, to scale any other sound the same way
    std: np.ndarray  # (F,)
    n_classes: int


FEATURE_CHUNK = 128  # clips per spectrogram batch: one batch of all 1,600 is 3-5x slower (hundreds of MB of frames)


def features(clips: np.ndarray, sr: int) -> np.ndarray:
    """(N, T) waveforms -> (N, F): each mel band's mean and peak over time (the representation page's
    sound input), so the student and the coordinated encoder hear exactly the same thing."""
    return np.concatenate(
        [representation.sound_inputs(clips[i : i + FEATURE_CHUNK], sr) for i in range(0, len(clips), FEATURE_CHUNK)]
    )


def student_inputs(raw: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(N, F) features -> (N, F + 1): scaled like the training sounds, with the bias column."""
    scaled = (raw - mean) / std
    return np.concatenate([scaled, np.ones((len(raw), 1), np.float32)], axis=1).astype(np.float32)


def sounds(world: worlds.World, noise: float) -> Sounds:
    """Every training and test sound with white noise at `noise` (seeded by the world), as features.
    The scaling comes from all training sounds, labelled or not: it needs no labels."""
    train, test = world.indices("train"), world.indices("test")
    rows = np.concatenate([train, test])
    raw = features(worlds.corrupt_audio(world.audio[rows], noise, seed=world.seed), world.sample_rate)
    mean, std = raw[: len(train)].mean(0), raw[: len(train)].std(0) + 1e-6
    labels = world.labels(worlds.MAIN_ATTRIBUTE[world.name])
    return Sounds(
        train=student_inputs(raw[: len(train)], mean, std),
        test=student_inputs(raw[len(train) :], mean, std),
        train_labels=labels[train],
        test_labels=labels[test],
        test_features=raw[len(train) :],
        mean=mean,
        std=std,
        n_classes=len(worlds.MAIN_CLASSES[world.name]),
    )


def fit_clip(samples: np.ndarray, sr: int = worlds.SAMPLE_RATE) -> np.ndarray:
    """Any mono recording -> one world-length clip (the first second, zero-padded), (T,)."""
    length = int(sr * worlds.SOUND_SECONDS)
    clip = np.zeros(length, np.float32)
    clip[: min(length, len(samples))] = samples[:length]
    return clip


# ---------------------------------------------------------------- the rich modality: the teacher
def teacher_view(images: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """The pictures as a degraded teacher sees them: Gaussian pixel noise `noise`, (N, H, W, 3) uint8."""
    return worlds.corrupt_images(images, noise, 0.0, seed)


def teacher_probabilities(teacher: torch.nn.Module, images: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """(N, H, W, 3) pictures -> (N, C): the picture model's class probabilities for the pictures as it sees them."""
    seen = teacher_view(images, noise, seed)
    return classifiers.predict_proba(teacher, unimodal.net_input("image", unimodal.default_kind("image"), seen))


def soften(probabilities: np.ndarray, temperature: float = TEMPERATURE) -> np.ndarray:
    """softmax(log p / T): T > 1 flattens a confident answer and keeps the ranking of the classes."""
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    soft = np.exp(logits - logits.max(1, keepdims=True))
    return soft / soft.sum(1, keepdims=True)


def pseudo_label_confusion(teacher_probs: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(C, C) counts: row = true class, column = the class the teacher gave the pair."""
    return np.bincount(labels * n_classes + teacher_probs.argmax(1), minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def commonest_mistake(confusion: np.ndarray) -> tuple[int, int, int] | None:
    """(true class, the class it was called, how often) of the most frequent wrong pseudo-label; None if none."""
    wrong = confusion * (1 - np.eye(len(confusion), dtype=confusion.dtype))
    true, called = np.unravel_index(int(np.argmax(wrong)), wrong.shape)
    return (int(true), int(called), int(wrong[true, called])) if wrong[true, called] > 0 else None


# ---------------------------------------------------------------- which sounds are labelled, and how badly
@dataclass(frozen=True)
class Draw:
    """One random choice of labelled sounds and label errors, shared by every budget and noise rate:
    the 2 labelled sounds of a class include its 1, and a label wrong at 10% stays wrong at 20%,
    so the curves move only because the setting moves."""

    rank: np.ndarray  # (n_train,) position of each sound in its class's random order: labelled if rank < budget
    chance: np.ndarray  # (n_train,) uniform in [0, 1): the label is wrong if chance < rate
    wrong: np.ndarray  # (n_train,) the wrong class it then gets (never the true one)


def draw(labels: np.ndarray, n_classes: int, seed: int | tuple[int, ...]) -> Draw:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    rank = np.empty(len(labels), np.int64)
    for c in range(n_classes):
        members = order[labels[order] == c]
        rank[members] = np.arange(len(members))
    wrong = (labels + rng.integers(1, n_classes, len(labels))) % n_classes
    return Draw(rank=rank, chance=rng.random(len(labels)), wrong=wrong)


def own_labels(labels: np.ndarray, chosen: Draw, rate: float) -> np.ndarray:
    """The labels as the annotators gave them: a share `rate` replaced by a wrong class."""
    return np.where(chosen.chance < rate, chosen.wrong, labels)


# ---------------------------------------------------------------- the student
def ridge_penalty(n_inputs: int, alpha: float = RIDGE) -> np.ndarray:
    """alpha on every weight but the bias (the last input), which is left free."""
    penalty = np.eye(n_inputs) * alpha
    penalty[-1, -1] = 0.0
    return penalty


def fit_student(x: np.ndarray, targets: np.ndarray, alpha: float = RIDGE) -> np.ndarray:
    """Least squares onto the targets: W = (X^T X + alpha I)^-1 X^T T. x: (N, F + 1) with the bias
    column; targets: (N, C), one-hot labels or probabilities. Returns W, (F + 1, C)."""
    return np.linalg.solve(x.T @ x + ridge_penalty(x.shape[1], alpha), x.T @ targets)


def predict(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Class of each sound, (..., N): the neuron with the highest score. weights (..., F + 1, C)."""
    return np.argmax(x @ weights, axis=-1)


@dataclass(frozen=True)
class Curves:
    """Every student of one setting (sound noise, teacher): test accuracy for each method, labelled
    sounds per class and label-noise rate, for each random draw; the data-efficiency curve and the
    label-noise curve are two slices of it."""

    accuracy: np.ndarray  # (methods, budgets, rates, draws)
    weights: np.ndarray  # (methods, budgets, rates, F + 1, C): the students of draw 0, to try on one sound
    teacher_accuracy: float  # share of the training pairs whose pseudo-label is right
    labelled: np.ndarray  # (budgets,) labelled sounds in all (a small class may have fewer than the budget)

    def mean(self) -> np.ndarray:
        """(methods, budgets, rates) accuracy averaged over the draws."""
        return self.accuracy.mean(-1)


def curves(
    data: Sounds,
    teacher_probs: np.ndarray,
    seed: int,
    budgets: tuple[int, ...] = LABELS_PER_CLASS,
    rates: tuple[float, ...] = LABEL_NOISE,
    draws: int = DRAWS,
) -> Curves:
    """Train and test every student of the grid.

    The co-learning students all learn from every training sound (own labels where there are some,
    the teacher's elsewhere), so they share X^T X: one inverse serves them all, and only X^T T
    changes, by the labelled rows' difference from the teacher's targets.
    """
    x, y, n_classes = data.train, data.train_labels, data.n_classes
    one_hot = np.eye(n_classes, dtype=np.float32)
    penalty = ridge_penalty(x.shape[1])
    taught = {"pseudo": one_hot[teacher_probs.argmax(1)], "distill": soften(teacher_probs)}  # (N, C) each
    shared_inverse = np.linalg.inv(x.T @ x + penalty)
    from_teacher = {m: x.T @ t for m, t in taught.items()}  # (F + 1, C)
    weights = np.empty((len(METHODS), len(budgets), len(rates), draws, x.shape[1], n_classes), np.float32)
    labelled = np.zeros(len(budgets), np.int64)
    for d in range(draws):
        chosen = draw(y, n_classes, seed=(seed, d))
        given = np.stack([own_labels(y, chosen, r) for r in rates])  # (R, N)
        for b, budget in enumerate(budgets):
            rows = np.flatnonzero(chosen.rank < budget)
            labelled[b] = len(rows)
            x_own, targets_own = x[rows], one_hot[given[:, rows]]  # (L, F + 1), (R, L, C)
            from_own = np.einsum("lf,rlc->rfc", x_own, targets_own)  # (R, F + 1, C)
            weights[0, b, :, d] = np.linalg.solve(x_own.T @ x_own + penalty, from_own)
            for m, method in enumerate(METHODS[1:], start=1):
                weights[m, b, :, d] = shared_inverse @ (
                    from_teacher[method] - x_own.T @ taught[method][rows] + from_own
                )
    accuracy = (predict(weights, data.test) == data.test_labels).mean(-1)
    return Curves(
        accuracy=accuracy,
        weights=weights[:, :, :, 0],
        labelled=labelled,
        teacher_accuracy=float((teacher_probs.argmax(1) == y).mean()),
    )


def students_say(weights: np.ndarray, data: Sounds, clip: np.ndarray, sr: int) -> np.ndarray:
    """The class each trained student (weights (methods, F + 1, C)) gives one clip (T,), (methods,)."""
    return predict(weights, student_inputs(features(clip[None], sr), data.mean, data.std))[:, 0]


# ---------------------------------------------------------------- zero-shot through the coordinated space
def class_anchors(model: representation.Model, world_name: str) -> np.ndarray:
    """(C, D) unit vectors: each class's word in the coordinated text space."""
    return representation.embed_texts(model, list(CLASS_WORDS[world_name]))


def zero_shot(model: representation.Model, world_name: str, sound_features: np.ndarray) -> np.ndarray:
    """(N, F) sound features -> (N,) classes: the nearest class word (cosine) to each sound's vector."""
    vectors = representation.embed(model, "sound", torch.tensor(np.asarray(sound_features), dtype=torch.float32))
    return representation.similarity(vectors, class_anchors(model, world_name)).argmax(1)


# ---------------------------------------------------------------- reading the curves
@dataclass(frozen=True)
class KeyPoints:
    """What a data-efficiency curve says, in numbers: where transfer helps most, where it stops helping,
    and how far it falls behind where it hurts. A lead is the best co-learning method minus the baseline."""

    most_budget: int  # labels per class where the lead is largest
    most_lead: float
    stop: (
        int | None
    )  # smallest budget from which the lead never exceeds the margin again; None: it still helps at the end
    last_lead: float  # the lead at the largest budget
    worst_budget: int  # labels per class where the lead is smallest (most negative: negative transfer)
    worst_lead: float


def key_points(
    mean_accuracy: np.ndarray, budgets: tuple[int, ...] = LABELS_PER_CLASS, margin: float = 0.02
) -> KeyPoints:
    """mean_accuracy: (methods, budgets), the baseline first."""
    lead = mean_accuracy[1:].max(0) - mean_accuracy[0]
    helping = np.flatnonzero(lead > margin)
    stop = None if len(helping) and helping[-1] == len(budgets) - 1 else budgets[helping[-1] + 1 if len(helping) else 0]
    most, worst = int(np.argmax(lead)), int(np.argmin(lead))
    return KeyPoints(
        most_budget=budgets[most],
        most_lead=float(lead[most]),
        stop=stop,
        last_lead=float(lead[-1]),
        worst_budget=budgets[worst],
        worst_lead=float(lead[worst]),
    )
