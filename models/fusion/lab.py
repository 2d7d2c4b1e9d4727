"""The robustness lab: the test split at every noise level, every fusion strategy scored on it, and
MultiBench's robustness metrics.

Following MultiBench (Liang et al. 2021), one modality at a time is corrupted at levels 0, 0.1, ..., 1
while the others stay clean. Each level uses one fixed noise draw (the same noise, only stronger), so
the curves are smooth and repeatable. Features of every level are computed once per world (a Bank),
so that moving a slider only looks them up and runs a few tiny networks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from models.core import checkpoints, classifiers, features, worlds
from models.core.classifiers import Progress
from models.fusion import strategies as fusion
from models.fusion.strategies import (
    FUSION,
    LEVELS,
    MODALITIES,
    TRAINED_FUSION,
    Lab,
    corrupt,
    dictionary,
    featurise,
    n_parameters,
    one_thread,
    raw,
    sound_summary,
    split_key,
    task_rows,
)

TEST_NOISE_SEED = 1234
TEST_TASK_SEED = 4242  # the one pairing of the unique and synergy tasks' test rows


# ---------------------------------------------------------------- the test bank
@dataclass(frozen=True)
class Bank:
    """The test split's features at every noise level: features[m] is (len(LEVELS), n_test, D)."""

    world: str
    features: dict[str, np.ndarray]
    key: np.ndarray  # (n_test,) the main attribute of each test sample
    test_index: np.ndarray  # (n_test,) where the test samples are in the world


def test_bank(world: worlds.World, modalities: Sequence[str] = MODALITIES) -> Bank:
    """The bank of some modalities (the text dictionary needs scikit-learn, a slow first import)."""
    return Bank(
        world.name, {m: level_features(world, m) for m in modalities}, split_key(world, "test"), world.indices("test")
    )


def level_features(world: worlds.World, modality: str) -> np.ndarray:
    """(len(LEVELS), n_test, D): the raw test samples corrupted at each level, then featurised."""
    clean = raw(world, modality, world.indices("test"))
    if modality == "sound":
        return sound_levels(clean, world.sample_rate)
    vocabulary = dictionary(world) if modality == "text" else None
    return np.stack([featurise(modality, corrupted(modality, clean, level), vocabulary) for level in LEVELS])


def corrupted(modality: str, clean, level: float):
    """The test samples of one modality as the lab corrupts them (also what the page shows)."""
    return corrupt(modality, clean, level, TEST_NOISE_SEED)


def sound_levels(clips: np.ndarray, sample_rate: int) -> np.ndarray:
    """Sound features at every level from two Fourier transforms instead of eleven.

    corrupt_audio adds `level` times one fixed noise draw N to the clean sound S, and the transform
    and the mel filters are linear, so each level's mel power is M|S|^2 + x M 2Re(S N*) + x^2 M|N|^2.
    A test checks the result against corrupt + features.sound_spectrograms.
    """
    from models.core import audio

    noise = corrupted("sound", clips, 1.0) - clips
    window = audio.window("hann", features.N_FFT)
    signal, hiss = (
        np.fft.rfft(audio.frame(y, features.N_FFT, features.HOP) * window, axis=-1) for y in (clips, noise)
    )  # (N, frames, freqs) complex
    filters = audio.mel_filterbank(sample_rate, features.N_FFT, features.N_MELS).T  # (freqs, mels)
    terms = [
        (part.astype(np.float32) @ filters).swapaxes(1, 2)  # (N, mels, frames)
        for part in (np.abs(signal) ** 2, 2 * (signal * hiss.conj()).real, np.abs(hiss) ** 2)
    ]
    out = []
    for level in LEVELS:
        db = audio.to_db(terms[0] + level * terms[1] + level**2 * terms[2], features.DB_FLOOR)
        out.append(sound_summary((db - db.max(axis=(-2, -1), keepdims=True) + features.DB_FLOOR) / features.DB_FLOOR))
    return np.stack(out)


# ---------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class Condition:
    """What the lab does to the test set: a noise level per modality, and the modalities switched off."""

    levels: dict[str, float] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()


def level_index(level: float) -> int:
    return int(round(level * 10))


def test_task(lab: Lab, bank: Bank) -> tuple[np.ndarray, np.ndarray]:
    """The test rows (k, n), positions in the test split per modality, and the labels (n,).
    Read-only arrays, computed once per split and task: a page asks for them several times per run."""
    return _test_task(bank.key.tobytes(), str(bank.key.dtype), lab.task, len(lab.modalities))


@lru_cache(maxsize=64)
def _test_task(key: bytes, dtype: str, task: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = task_rows(np.frombuffer(key, dtype=dtype), task, k, TEST_TASK_SEED)
    rows, labels = np.array(rows), np.array(labels)
    rows.flags.writeable = labels.flags.writeable = False
    return rows, labels


def bank_inputs(lab: Lab, bank: Bank, rows: np.ndarray, condition: Condition) -> dict[str, np.ndarray | None]:
    """Each modality's test features (n, D) under a condition; None for a missing modality."""
    return {
        m: None if m in condition.missing else bank.features[m][level_index(condition.levels.get(m, 0.0))][rows[k]]
        for k, m in enumerate(lab.modalities)
    }


def strategy_order(modalities: Sequence[str]) -> tuple[str, ...]:
    """Table order: each modality alone, then the fusion strategies from early to tensor."""
    return (*modalities, *FUSION)


def predict(lab: Lab, inputs: dict[str, np.ndarray | None]) -> dict[str, np.ndarray]:
    """Class probabilities (n, C) of every strategy, from each modality's features (None = missing).

    A model that reads the joined vector gets a missing modality filled with its training mean (zeros
    after standardising): naive imputation, all it can do. Late fusion drops that modality's vote
    instead, and the unimodal model of a missing modality, with nothing to look at, is left out.
    """
    n = max((len(x) for x in inputs.values() if x is not None), default=1)
    parts = [
        np.zeros((n, size), np.float32) if inputs[m] is None else (inputs[m] - lab.mean[m]) / lab.std[m]
        for m, size in zip(lab.modalities, lab.sizes)
    ]
    x = torch.from_numpy(np.concatenate(parts, 1).astype(np.float32))  # (n, sum of sizes)
    present = torch.tensor([inputs[m] is not None for m in lab.modalities], dtype=torch.float32)  # (k,)
    probs = {
        name: (v if name == "late_average" else torch.softmax(v, 1)).numpy()
        for name, v in outputs(lab, x, present).items()
    }
    missing = {m for m, x in inputs.items() if x is None}
    return {name: probs[name] for name in strategy_order(lab.modalities) if name not in missing}


def outputs(lab: Lab, x: torch.Tensor, present: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Every strategy's own output (n, C) for standardised, joined inputs x: the logits, except averaged
    late fusion's, which is the mean of the present modalities' probabilities. The class is each one's
    argmax, and the two late fusions are sums of one term per modality (an additive model)."""
    present = torch.ones(len(lab.modalities)) if present is None else present
    with torch.no_grad(), one_thread():
        out = {name: lab.models[name](x) for name in (*lab.modalities, *TRAINED_FUSION)}
        log_probs = torch.stack([torch.log_softmax(out[m], 1) for m in lab.modalities], 1)  # (n, k, C)
        out["late_learned"] = lab.models["late_learned"](log_probs, present)
        out["late_average"] = (log_probs.exp() * present[None, :, None]).sum(1) / present.sum().clamp(min=1)
    return out


def evaluate(lab: Lab, bank: Bank, condition: Condition) -> dict[str, np.ndarray]:
    """Every strategy's class probabilities on the test task under a condition."""
    return predict(lab, bank_inputs(lab, bank, test_task(lab, bank)[0], condition))


def scores(probs: dict[str, np.ndarray], labels: np.ndarray) -> dict[str, float]:
    """Accuracy of each strategy's probabilities."""
    return {name: float((p.argmax(1) == labels).mean()) for name, p in probs.items()}


def accuracies(lab: Lab, bank: Bank, condition: Condition) -> dict[str, float]:
    return scores(evaluate(lab, bank, condition), test_task(lab, bank)[1])


def curves(lab: Lab, bank: Bank) -> dict[str, dict[str, list[float]]]:
    """MultiBench's protocol: corrupt one modality at each level, the others clean.
    Returns corrupted modality -> strategy -> accuracy at each level."""
    out: dict[str, dict[str, list[float]]] = {}
    for m in lab.modalities:
        per_level = [accuracies(lab, bank, Condition({m: level})) for level in LEVELS]
        out[m] = {name: [acc[name] for acc in per_level] for name in per_level[0]}
    return out


# ---------------------------------------------------------------- MultiBench's robustness metrics
def relative_robustness(curve: Sequence[float], step: float = 0.1) -> float:
    """The area under the accuracy-vs-noise curve (trapezoids, levels `step` apart): 1 for a model that is
    always right whatever the noise, the mean accuracy over the noise range in general."""
    y = np.asarray(curve, dtype=float)
    return float(np.sum((y[:-1] + y[1:]) * step / 2))


def effective_robustness(curve: Sequence[float], late_curve: Sequence[float]) -> float:
    """How far a curve stays above the late-fusion curve shifted to start at the same clean accuracy,
    summed over the levels: robustness that is not just a head start in clean accuracy."""
    f, late = np.asarray(curve, dtype=float), np.asarray(late_curve, dtype=float)
    return float(np.sum(f - (late + f[0] - late[0])))


def min_max(values: dict[str, float]) -> dict[str, float]:
    """Scale scores to 0 (worst method) .. 1 (best), as MultiBench does before comparing methods."""
    low, high = min(values.values()), max(values.values())
    return {k: (v - low) / (high - low) if high > low else 1.0 for k, v in values.items()}


@dataclass(frozen=True)
class Robustness:
    clean: float
    relative: float
    effective: float


def robustness(curves_of_modality: dict[str, list[float]]) -> dict[str, Robustness]:
    """Every strategy's clean accuracy, relative and effective robustness for one corrupted modality;
    the reference for effective robustness is late fusion (averaged probabilities)."""
    late = curves_of_modality["late_average"]
    return {
        name: Robustness(curve[0], relative_robustness(curve), effective_robustness(curve, late))
        for name, curve in curves_of_modality.items()
    }


# ---------------------------------------------------------------- looking closer
def confusion(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """(true, predicted) counts."""
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def fixed_and_broken(
    lab: Lab, bank: Bank, probs: dict[str, np.ndarray], strategy: str
) -> tuple[np.ndarray, np.ndarray]:
    """Test rows where `strategy` is right although a present unimodal model is wrong (fusion fixed a
    mistake), and rows where it is wrong although a unimodal model is right (fusion made it worse).
    With every modality missing no unimodal model answers, so there is neither."""
    labels = test_task(lab, bank)[1]
    present = [probs[m].argmax(1) == labels for m in lab.modalities if m in probs]
    if not present:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    unimodal = np.stack(present)  # (k', n)
    right = probs[strategy].argmax(1) == labels
    return np.flatnonzero(right & ~unimodal.all(0)), np.flatnonzero(~right & unimodal.any(0))


# ---------------------------------------------------------------- architecture, from the real layers
@dataclass(frozen=True)
class Architecture:
    """What a diagram needs: one branch per modality (layer kind, width), where they meet, the head."""

    branches: dict[str, list[tuple[str, int]]]
    meet: tuple[str, int] | None
    head: list[tuple[str, int]]
    parameters: int


def _widths(mlp: torch.nn.Module) -> list[int]:
    """Widths of an MLP's layers: input, hidden..., output."""
    linears = [layer for layer in mlp.modules() if isinstance(layer, torch.nn.Linear)]
    return [linears[0].in_features] + [layer.out_features for layer in linears]


def architecture(lab: Lab, strategy: str) -> Architecture:
    model = lab.models.get(strategy)
    classes = lab.models[lab.modalities[0]].net.net[-1].out_features
    parameters = n_parameters(model) if model is not None else 0
    if strategy in lab.modalities:
        i, h, o = _widths(model.net)
        return Architecture({strategy: [("input", i), ("hidden", h)]}, None, [("output", o)], parameters)
    if strategy == "early":
        i, h, o = _widths(model)
        return Architecture(
            {m: [("input", d)] for m, d in zip(lab.modalities, lab.sizes)},
            ("concat", i),
            [("hidden", h), ("output", o)],
            parameters,
        )
    if strategy in ("late_average", "late_learned"):
        unimodal = {m: _widths(lab.models[m].net) for m in lab.modalities}
        parameters += sum(n_parameters(lab.models[m]) for m in lab.modalities)
        return Architecture(
            {m: [("input", i), ("hidden", h), ("probabilities", o)] for m, (i, h, o) in unimodal.items()},
            ("average" if strategy == "late_average" else "weighted", classes),
            [("output", classes)],
            parameters,
        )
    branches = {
        m: [("input", i), ("hidden", h), ("embedding", e)]
        for m, (i, h, e) in zip(lab.modalities, (_widths(enc) for enc in model.encoders))
    }
    if strategy == "intermediate":
        i, h, o = _widths(model.head)
        return Architecture(branches, ("concat", i), [("hidden", h), ("output", o)], parameters)
    if strategy == "tensor":
        return Architecture(branches, ("outer", model.head.in_features), [("output", classes)], parameters)
    return Architecture(branches, ("low_rank", model.factors[0].shape[0]), [("output", classes)], parameters)


# ---------------------------------------------------------------- trained labs, stored and loaded
def train_task(
    world_name: str, task: str, seed: int = fusion.TRAIN_SEED, progress: Progress = classifiers._quiet
) -> checkpoints.Trained:
    """Every modality subset of one (world, task) in one state dict, with the scaler; the metadata are
    the clean test accuracies of all three modalities together."""
    state = fusion.scaler_state(world_name, seed)
    for k, subset in enumerate(fusion.SUBSETS):
        state.update(
            fusion.train_subset(
                world_name,
                task,
                subset,
                seed,
                lambda f, msg, k=k, s=subset: progress((k + f) / len(fusion.SUBSETS), f"{s} · {msg}"),
            )
        )
    lab = fusion.lab_from_state(world_name, task, fusion.SUBSETS[-1], state)
    bank = test_bank(fusion._world(world_name, seed))
    meta = {f"test_{name}": acc for name, acc in accuracies(lab, bank, Condition()).items()}
    meta.update({f"parameters_{name}": fusion.n_parameters(lab.models[name]) for name in ("tensor", "low_rank")})
    return state, meta


def checkpoint_name(world_name: str, task: str) -> str:
    return f"fusion_{world_name}_{task}"


for _name in worlds.WORLD_NAMES:
    for _task in fusion.TASKS:
        checkpoints.register(
            checkpoint_name(_name, _task),
            fusion.VERSION,
            lambda progress, w=_name, t=_task: train_task(w, t, fusion.TRAIN_SEED, progress),
        )


def load_lab(
    world_name: str, task: str, subset: str, seed: int = fusion.TRAIN_SEED, progress: Progress = classifiers._quiet
) -> fusion.Lab:
    """The default lab from models/weights/ (seed 0), or, for another seed, one trained now (seconds)."""
    if seed == fusion.TRAIN_SEED:
        state, _ = checkpoints.load(checkpoint_name(world_name, task), progress)
    else:
        state = {
            **fusion.scaler_state(world_name, seed, subset.split("+")),
            **fusion.train_subset(world_name, task, subset, seed, progress),
        }
        fusion.training_features.cache_clear()  # a server keeps the trained lab, not the world and features behind it
        fusion._world.cache_clear()
    return fusion.lab_from_state(world_name, task, subset, state)
