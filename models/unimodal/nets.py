"""The default one-modality networks: a small CNN and an MLP on pixels, an MLP on the spectrogram.

They predict each world's main attribute (shape, or digit) and are registered with
models/core/checkpoints.py, so `python -m models.train` writes their weights and pages load them.
Nearest neighbour and logistic regression need no weights file: see models/unimodal/classic.py.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.core import checkpoints, classifiers, features, worlds
from models.core.classifiers import Progress

TRAIN_SEED = 0
NETS = {"image": ("cnn", "mlp"), "sound": ("mlp",)}  # the first of each is the default
EPOCHS = {("image", "cnn"): 30, ("image", "mlp"): 30, ("sound", "mlp"): 25}
LEARNING_RATE = {("image", "cnn"): 3e-3, ("image", "mlp"): 1e-3, ("sound", "mlp"): 3e-3}
VERSION = {("image", "cnn"): "1", ("image", "mlp"): "1", ("sound", "mlp"): "1"}
IMAGE_SIDE = {"shapes": worlds.IMAGE_SIZE, "digits": 8}  # scikit-learn's digits are 8x8


class Centre(nn.Module):
    """Subtracts the average training image: an MLP on raw pixels (all near the pale background)
    barely learns without it, and keeping it as a buffer stores it with the weights."""

    def __init__(self, n_inputs: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_inputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - self.mean


def default_kind(modality: str) -> str:
    return NETS[modality][0]


def net_input(modality: str, kind: str, raw: np.ndarray) -> torch.Tensor:
    """What a network reads: images (N, H, W, 3) uint8 for image nets, sound vectors (N, D) for the sound net."""
    if modality == "image":
        return classifiers.images_to_tensor(raw) if kind == "cnn" else torch.from_numpy(features.image_vectors(raw))
    return torch.from_numpy(np.asarray(raw, dtype=np.float32))


def inputs(modality: str, world: worlds.World, kind: str | None = None) -> torch.Tensor:
    """Every sample of `world` as the network of `modality` reads it."""
    raw = world.images if modality == "image" else features.sound_vectors(world.audio, world.sample_rate)
    return net_input(modality, kind or default_kind(modality), raw)


def build(modality: str, world_name: str, kind: str | None = None) -> nn.Module:
    kind = kind or default_kind(modality)
    n_classes = len(worlds.MAIN_CLASSES[world_name])
    if modality == "image" and kind == "cnn":
        return classifiers.SmallCNN(n_classes)
    if modality == "image":
        n_pixels = 3 * IMAGE_SIDE[world_name] ** 2
        return nn.Sequential(Centre(n_pixels), classifiers.MLP(n_pixels, n_classes, hidden=(128,)))
    return classifiers.MLP(features.SOUND_VECTOR_SIZE, n_classes, hidden=(128,))


def _split_tensors(x: torch.Tensor, world: worlds.World) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    y = torch.from_numpy(world.labels(worlds.MAIN_ATTRIBUTE[world.name]).astype(np.int64))
    return {s: (x[world.indices(s)], y[world.indices(s)]) for s in worlds.SPLIT_NAMES}


def _trainer(modality: str, world_name: str, kind: str):
    def train(progress: Progress) -> checkpoints.Trained:
        world = worlds.make_world(world_name, TRAIN_SEED)
        data = _split_tensors(inputs(modality, world, kind), world)
        model = build(modality, world_name, kind)
        if (modality, kind) == ("image", "mlp"):
            model[0].mean.copy_(data["train"][0].mean(0))
        history = classifiers.train(
            model,
            *data["train"],
            *data["validation"],
            epochs=EPOCHS[modality, kind],
            lr=LEARNING_RATE[modality, kind],
            batch_size=32,
            seed=TRAIN_SEED,
            progress=progress,
        )
        meta = {
            "test_accuracy": classifiers.accuracy(model, *data["test"]),
            "validation_accuracy": history.validation_accuracy[-1],
            "train_seconds": history.seconds,
            "parameters": sum(p.numel() for p in model.parameters()),
        }
        return model.state_dict(), meta

    return train


def name(modality: str, world_name: str, kind: str | None = None) -> str:
    return f"{modality}_{kind or default_kind(modality)}_{world_name}"


for (_modality, _kind), _version in VERSION.items():
    for _world in worlds.WORLD_NAMES:
        checkpoints.register(name(_modality, _world, _kind), _version, _trainer(_modality, _world, _kind))


def load(
    modality: str, world_name: str, progress: Progress = classifiers._quiet, *, kind: str | None = None
) -> tuple[nn.Module, dict]:
    """The trained default model (from disk, or trained now), ready for inference."""
    state, meta = checkpoints.load(name(modality, world_name, kind), progress)
    model = build(modality, world_name, kind)
    model.load_state_dict(state)
    model.eval()
    return model, meta
