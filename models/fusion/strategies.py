"""Fusion: where do the modalities meet? Six ways to combine image, sound and text, trained side by side.

Every strategy reads the same input, the modalities' feature vectors laid end to end, and predicts
the same label; they differ only in *where* the modalities meet:

    early          [image | sound] -> one MLP                          meet at the input
    intermediate   image -> encoder, sound -> encoder, [z_i | z_s] -> head   meet in the middle
    tensor         [1, z_i] outer [1, z_s] -> linear head              every pairwise product (Zadeh 2017)
    low-rank       the tensor head as a sum of a few rank-1 products   far fewer weights (Liu 2018)
    late           one model per modality; average their probabilities, or weigh them (learned)

Three tasks show when this matters, in the terms of Liang et al., "Foundations and Trends in Multimodal
Machine Learning" (2022): *redundant*, the world's main label (shape, or digit), which every modality
carries, so fusion buys robustness; *unique*, a label with one part from each modality (each pairs
with another sample, and tells which half of the classes its own sample is in), which late fusion
can still assemble, since each part is readable alone; and *synergy*, "do these modalities show the
same thing?", whose answer lives only in the interaction of the modalities: no modality says
anything alone, so only strategies that let the modalities interact before deciding can learn it.

All models train on the clean training split plus noisy copies of it (each modality at a random noise
level), as one does in practice: trained on clean tones only, the sound model falls to chance at the
lowest noise level, and the curves would measure that recipe rather than the fusion strategies.
The test split is corrupted by models/fusion/lab.py, one modality at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import torch
from torch import nn

from models.core import classifiers, features, worlds
from models.core.classifiers import MLP, Progress, one_thread

MODALITIES = ("image", "sound", "text")
SUBSETS = tuple("+".join(c) for k in (2, 3) for c in combinations(MODALITIES, k))  # "image+sound", ...
TASKS = ("redundant", "unique", "synergy")
LEVELS = tuple(round(0.1 * i, 1) for i in range(11))  # MultiBench's noise levels: 0, 0.1, ..., 1
TRAINED_FUSION = ("early", "intermediate", "tensor", "low_rank")
FUSION = ("early", "late_average", "late_learned", "intermediate", "tensor", "low_rank")

# What a noise level means for each modality (level 1 = the worst the slider goes).
IMAGE_NOISE, IMAGE_OCCLUSION = 0.5, 0.5  # pixel noise std (fraction of full range), grey block side
SOUND_NOISE = 4.0  # worlds.corrupt_audio's scale: level 1 = -18 dB SNR
TEXT_DROPOUT, TEXT_TYPOS = 0.5, 0.5  # probability that a word is dropped / gets two letters swapped
# The image models see 8x8 thumbnails, the size of the Digits pictures: good but not perfect alone
# (AV-MNIST degrades its pictures on purpose for the same reason: otherwise there is nothing to fuse).
THUMBNAIL = 8

HIDDEN, EMBED, TENSOR_EMBED, RANK = 32, 16, 8, 4
TRAIN_SEED = 0
COPIES = {"redundant": 3, "unique": 4, "synergy": 4}  # copies of the training split (clean + noisy); pairings
EPOCHS, BATCH, LR, WEIGHT_DECAY = 15, 128, 3e-3, 1e-4
VERSION = "1"


# ---------------------------------------------------------------- features and corruption
def thumbnails(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) -> (N, 8, 8, 3) float, each pixel the mean of its block."""
    n, side = images.shape[:2]
    k = side // THUMBNAIL
    return images.reshape(n, THUMBNAIL, k, THUMBNAIL, k, 3).mean((2, 4))


def sound_summary(spectrograms: np.ndarray) -> np.ndarray:
    """(N, mels, frames) -> (N, 2 * mels): each band's mean and peak over time, so that it does not
    matter when in the clip the sound starts."""
    return np.concatenate([spectrograms.mean(-1), spectrograms.max(-1)], axis=1).astype(np.float32)


def featurise(modality: str, raw, vocabulary, sample_rate: int = worlds.SAMPLE_RATE) -> np.ndarray:
    """Raw samples of one modality -> (N, D) float32: the textbook encodings of features.py."""
    if modality == "image":
        return features.image_vectors(thumbnails(raw))
    if modality == "sound":
        return sound_summary(features.sound_spectrograms(raw, sample_rate))
    return features.text_vectors(vocabulary, raw)


def corrupt(modality: str, raw, level: float, seed: int):
    """One modality's raw samples at a noise level from 0 (clean) to 1, with worlds.py's corruptions."""
    if modality == "image":
        return worlds.corrupt_images(raw, IMAGE_NOISE * level, IMAGE_OCCLUSION * level, seed)
    if modality == "sound":
        return worlds.corrupt_audio(raw, SOUND_NOISE * level, seed)
    return worlds.corrupt_text(raw, TEXT_DROPOUT * level, TEXT_TYPOS * level, seed)


def raw(world: worlds.World, modality: str, index: np.ndarray):
    if modality == "image":
        return world.images[index]
    if modality == "sound":
        return world.audio[index]
    return [world.captions[i] for i in index]


def dictionary(world: worlds.World):
    """The text model's dictionary: the words of the training captions (fitting it takes ~20 ms)."""
    return features.fit_dictionary(raw(world, "text", world.indices("train")))


def noisy_features(
    world: worlds.World, modality: str, index: np.ndarray, levels: np.ndarray, seed: int, vocabulary
) -> np.ndarray:
    """(len(index), D) features, sample i corrupted at levels[i] (samples of one level share a draw)."""
    out = None
    for k, level in enumerate(np.unique(levels)):
        chosen = np.flatnonzero(levels == level)
        x = featurise(
            modality,
            corrupt(modality, raw(world, modality, index[chosen]), float(level), seed + k),
            vocabulary,
            world.sample_rate,
        )
        if out is None:
            out = np.empty((len(index), x.shape[1]), dtype=np.float32)
        out[chosen] = x
    return out


# ---------------------------------------------------------------- tasks
def n_classes(world_name: str, task: str, k: int) -> int:
    """The number of classes of `task` with `k` modalities."""
    return len(class_names(world_name, task, k))


def halves(world_name: str) -> tuple[str, str]:
    """The two halves of the main classes that the unique task's parts name: ("●■", "▲★") or ("0–4", "5–9")."""
    return ("●■", "▲★") if world_name == "shapes" else ("0–4", "5–9")


def class_names(world_name: str, task: str, k: int) -> tuple[str, ...]:
    if task == "redundant":
        return worlds.MAIN_CLASSES[world_name]
    if task == "synergy":
        return ("no", "yes")
    low, high = halves(world_name)
    return tuple(" · ".join(high if (label >> m) & 1 else low for m in range(k)) for label in range(2**k))


def split_key(world: worlds.World, split: str) -> np.ndarray:
    """The main attribute (shape, or digit) of every sample of one split."""
    return world.labels(worlds.MAIN_ATTRIBUTE[world.name])[world.indices(split)]


def agreement_pairs(key: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The synergy task: "do these k modalities show the same thing?"

    `key` is the main attribute of each sample of one split. Returns (k, n) positions in the split,
    one row per modality, and labels (n,) with 1 = all agree. Half the rows agree; in the others one
    modality, chosen at random, comes from a sample whose main attribute differs. Every modality alone
    is then a fair sample of its split and says nothing about the answer: only the modalities
    *together* do.
    """
    rng = np.random.default_rng(seed)
    n = len(key)
    label = rng.permutation(np.arange(n) % 2)
    rows = np.tile(np.arange(n), (k, 1))
    for i in np.flatnonzero(label == 0):
        rows[rng.integers(k), i] = rng.choice(np.flatnonzero(key != key[i]))
    return rows, label


def unique_parts(key: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The unique task: each of the k modalities comes from its own random sample and gives one bit of
    the label, whether that sample's main class is in the upper half of the classes; label = the k bits.

    Returns (k, n) positions in the split, one row per modality, and labels (n,) in 0 .. 2**k - 1. Each
    modality alone determines its own bit exactly and says nothing about the others.
    """
    rng = np.random.default_rng(seed)
    rows = np.stack([np.arange(len(key))] + [rng.permutation(len(key)) for _ in range(k - 1)])
    upper = key >= np.sort(np.unique(key))[len(np.unique(key)) // 2]  # the upper half of the classes
    label = sum(upper[rows[m]].astype(np.int64) << m for m in range(k))
    return rows, label


def task_rows(key: np.ndarray, task: str, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(k, n) positions within a split, one row per modality, and the labels (n,)."""
    if task == "synergy":
        return agreement_pairs(key, k, seed)
    if task == "unique":
        return unique_parts(key, k, seed)
    return np.tile(np.arange(len(key)), (k, 1)), key


# ---------------------------------------------------------------- the models
class Unimodal(nn.Module):
    """One modality's own classifier; it reads only its slice of the fused input."""

    def __init__(self, sizes: Sequence[int], which: int, classes: int):
        super().__init__()
        self.sizes, self.which = list(sizes), which
        self.net = MLP(sizes[which], classes, hidden=(HIDDEN,))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, sum(sizes)) -> (B, classes)
        return self.net(x.split(self.sizes, 1)[self.which])


class Intermediate(nn.Module):
    """An encoder per modality, the embeddings concatenated, then a joint head: a joint representation."""

    def __init__(self, sizes: Sequence[int], classes: int):
        super().__init__()
        self.sizes = list(sizes)
        self.encoders = nn.ModuleList(MLP(d, EMBED, hidden=(HIDDEN,)) for d in sizes)
        self.head = MLP(EMBED * len(sizes), classes, hidden=(HIDDEN,))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = [torch.relu(enc(part)) for enc, part in zip(self.encoders, x.split(self.sizes, 1))]  # k x (B, EMBED)
        return self.head(torch.cat(z, 1))


def with_one(z: torch.Tensor) -> torch.Tensor:
    """(B, e) -> (B, e + 1): the appended 1 keeps each modality's own terms inside the outer product."""
    return torch.cat([torch.ones(len(z), 1, dtype=z.dtype), z], 1)


class Tensor(nn.Module):
    """Tensor fusion (Zadeh et al. 2017): the outer product of [1, z_m] over modalities, then a linear head."""

    def __init__(self, sizes: Sequence[int], classes: int):
        super().__init__()
        self.sizes = list(sizes)
        self.encoders = nn.ModuleList(MLP(d, TENSOR_EMBED, hidden=(HIDDEN,)) for d in sizes)
        self.head = nn.Linear((TENSOR_EMBED + 1) ** len(sizes), classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        fused = torch.ones(len(x), 1)
        for enc, part in zip(self.encoders, x.split(self.sizes, 1)):
            fused = torch.einsum("bi,bj->bij", fused, with_one(enc(part))).flatten(1)  # (B, prod of (e + 1))
        return self.head(fused)


class LowRank(nn.Module):
    """Low-rank tensor fusion (Liu et al. 2018): the tensor head written as a sum of RANK products with
    one factor per modality, so the (e + 1)^k outer product is never built."""

    def __init__(self, sizes: Sequence[int], classes: int):
        super().__init__()
        self.sizes = list(sizes)
        self.encoders = nn.ModuleList(MLP(d, TENSOR_EMBED, hidden=(HIDDEN,)) for d in sizes)
        self.factors = nn.ParameterList(nn.Parameter(torch.randn(RANK, TENSOR_EMBED + 1, classes) * 0.3) for _ in sizes)
        self.bias = nn.Parameter(torch.zeros(classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        product = torch.ones(1)
        for enc, factor, part in zip(self.encoders, self.factors, x.split(self.sizes, 1)):
            product = product * torch.einsum("bi,ric->brc", with_one(enc(part)), factor)  # (B, RANK, classes)
        return product.sum(1) + self.bias


class LateWeights(nn.Module):
    """Learned late fusion: one trust weight per modality on its log-probabilities, plus a bias."""

    def __init__(self, k: int, classes: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(k))
        self.bias = nn.Parameter(torch.zeros(classes))

    def forward(self, log_probs: torch.Tensor, present: torch.Tensor | None = None) -> torch.Tensor:
        weight = self.weight if present is None else self.weight * present  # a missing modality has no vote
        return torch.einsum("bkc,k->bc", log_probs, weight) + self.bias  # (B, k, C) -> (B, C)


def build(name: str, modalities: Sequence[str], sizes: Sequence[int], classes: int) -> nn.Module:
    """A fresh model: a modality's name gives its unimodal model, a strategy's name the fusion model."""
    if name in modalities:
        return Unimodal(sizes, list(modalities).index(name), classes)
    if name == "early":
        return MLP(sum(sizes), classes, hidden=(HIDDEN,))
    if name == "late_learned":
        return LateWeights(len(sizes), classes)
    return {"intermediate": Intermediate, "tensor": Tensor, "low_rank": LowRank}[name](sizes, classes)


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def trained_names(modalities: Sequence[str]) -> tuple[str, ...]:
    """Everything that has weights, in training order (late_learned needs the unimodal models first)."""
    return (*modalities, "late_learned", *TRAINED_FUSION)


# ---------------------------------------------------------------- training
def unimodal_log_probs(models: Sequence[nn.Module], x: torch.Tensor) -> torch.Tensor:
    """(B, k, C): each unimodal model's log-probabilities, the input of late fusion."""
    with torch.no_grad():
        return torch.stack([torch.log_softmax(m(x), 1) for m in models], 1)


@lru_cache(maxsize=2)
def _world(world_name: str, seed: int) -> worlds.World:
    return worlds.make_world(world_name, seed)


@lru_cache(maxsize=6)
def training_features(world_name: str, seed: int, modality: str) -> dict[str, np.ndarray]:
    """One modality's training inputs: copy 0 of the training split clean and the later copies at random
    noise levels, (copies, n_train, D); one noisy copy of the validation split; and the scaler."""
    world = _world(world_name, seed)
    rng = np.random.default_rng([seed, MODALITIES.index(modality)])
    vocabulary = dictionary(world)
    copies = max(COPIES.values())
    train_index, validation_index = world.indices("train"), world.indices("validation")
    levels = np.concatenate([np.zeros(len(train_index)), rng.choice(LEVELS, (copies - 1) * len(train_index))])
    train = noisy_features(world, modality, np.tile(train_index, copies), levels, 100 + seed, vocabulary)
    validation = noisy_features(
        world, modality, validation_index, rng.choice(LEVELS, len(validation_index)), 200 + seed, vocabulary
    )
    # Standardise with the statistics of everything the models train on, noisy copies included: a scale
    # fitted to clean inputs alone blows noisy inputs up so much that training on them fails.
    return {
        "train": train.reshape(copies, len(train_index), -1),
        "validation": validation,
        "mean": train.mean(0),
        "std": train.std(0) + 0.05,
    }


def _fused(parts: Sequence[np.ndarray], scalers: Sequence[dict], rows: np.ndarray) -> torch.Tensor:
    """Standardised features laid end to end; row i takes sample rows[k, i] of modality k."""
    x = [(p[r] - s["mean"]) / s["std"] for p, s, r in zip(parts, scalers, rows)]
    return torch.from_numpy(np.concatenate(x, 1).astype(np.float32))


def _train_inputs(world_name: str, seed: int, task: str, modalities: Sequence[str]):
    """(x_train, y_train, x_validation, y_validation) of one task and modality subset."""
    world = _world(world_name, seed)
    data = [training_features(world_name, seed, m) for m in modalities]
    xs, ys = [], []
    for copy in range(COPIES[task]):
        rows, y = task_rows(split_key(world, "train"), task, len(modalities), seed + 31 * copy)
        xs.append(_fused([d["train"][copy] for d in data], data, rows))
        ys.append(torch.from_numpy(y.astype(np.int64)))
    rows, y_val = task_rows(split_key(world, "validation"), task, len(modalities), seed + 997)
    x_val = _fused([d["validation"] for d in data], data, rows)
    return torch.cat(xs), torch.cat(ys), x_val, torch.from_numpy(y_val.astype(np.int64))


def train_subset(
    world_name: str, task: str, subset: str, seed: int = TRAIN_SEED, progress: Progress = classifiers._quiet
) -> dict[str, torch.Tensor]:
    """Train every strategy for one task and modality subset on the same split; one flat state dict."""
    modalities = subset.split("+")
    x, y, x_val, y_val = _train_inputs(world_name, seed, task, modalities)
    sizes = [training_features(world_name, seed, m)["mean"].shape[0] for m in modalities]
    classes = n_classes(world_name, task, len(modalities))
    models = train_strategies(x, y, x_val, y_val, modalities, sizes, classes, seed, progress)
    return {f"{subset}/{name}.{k}": v for name, model in models.items() for k, v in model.state_dict().items()}


def train_strategies(
    x: torch.Tensor,
    y: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    modalities: Sequence[str],
    sizes: Sequence[int],
    classes: int,
    seed: int,
    progress: Progress = classifiers._quiet,
    epochs: int = EPOCHS,
    batch_size: int = BATCH,
) -> dict[str, nn.Module]:
    """Every unimodal model and fusion strategy, trained on the same standardised, joined features
    (x: (n, sum of sizes)); late_learned's trust weights are fitted on the validation predictions."""
    names = trained_names(modalities)
    models: dict[str, nn.Module] = {}
    with one_thread():
        for step, name in enumerate(names):
            torch.manual_seed(seed + step)
            model = build(name, modalities, sizes, classes)
            inputs = (x, y, x_val, y_val)
            if name == "late_learned":  # stacking: weights fitted on validation predictions, unseen in training
                log_probs = unimodal_log_probs([models[m] for m in modalities], x_val)
                inputs = (log_probs, y_val, log_probs, y_val)
            classifiers.train(
                model,
                *inputs,
                epochs=epochs,
                lr=LR,
                batch_size=batch_size,
                weight_decay=WEIGHT_DECAY,
                seed=seed,
                progress=lambda f, msg, s=step, n=name: progress((s + f) / len(names), f"{n}: {msg}"),
            )
            models[name] = model.eval()
    return models


def scaler_state(world_name: str, seed: int, modalities: Sequence[str] = MODALITIES) -> dict[str, torch.Tensor]:
    state = {}
    for m in modalities:
        data = training_features(world_name, seed, m)
        state[f"scaler.{m}.mean"], state[f"scaler.{m}.std"] = (
            torch.from_numpy(data["mean"]),
            torch.from_numpy(data["std"]),
        )
    return state


# ---------------------------------------------------------------- a trained lab
@dataclass(frozen=True)
class Lab:
    """Every strategy of one (world, task, modality subset), trained, and the scaler their inputs need."""

    world: str
    task: str
    modalities: tuple[str, ...]
    sizes: tuple[int, ...]
    models: dict[str, nn.Module]  # modality and strategy names -> model in eval mode
    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]


def lab_from_state(world_name: str, task: str, subset: str, state: dict[str, torch.Tensor]) -> Lab:
    modalities = tuple(subset.split("+"))
    mean = {m: state[f"scaler.{m}.mean"].numpy() for m in modalities}
    std = {m: state[f"scaler.{m}.std"].numpy() for m in modalities}
    sizes = tuple(len(mean[m]) for m in modalities)
    models: dict[str, nn.Module] = {}
    for name in trained_names(modalities):
        model = build(name, modalities, sizes, n_classes(world_name, task, len(modalities)))
        prefix = f"{subset}/{name}."
        model.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
        models[name] = model.eval()
    return Lab(world_name, task, modalities, sizes, models, mean, std)
