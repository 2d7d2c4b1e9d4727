"""The default one-modality classifiers: a small CNN on pixels and an MLP on the spectrogram.

They predict each world's main attribute (shape, or digit) and are registered with
models/checkpoints.py, so `python -m models.train` writes their weights and pages load them.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models import checkpoints, classifiers, features, worlds
from models.classifiers import Progress

TRAIN_SEED = 0
EPOCHS = {"image": 30, "sound": 25}


def _split_tensors(x: torch.Tensor, world: worlds.World) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    y = torch.from_numpy(world.labels(worlds.MAIN_ATTRIBUTE[world.name]).astype(np.int64))
    return {s: (x[world.indices(s)], y[world.indices(s)]) for s in worlds.SPLIT_NAMES}


def inputs(modality: str, world: worlds.World) -> torch.Tensor:
    """Every sample of `world` as the model of `modality` reads it."""
    if modality == "image":
        return classifiers.images_to_tensor(world.images)
    return torch.from_numpy(features.sound_vectors(world.audio, world.sample_rate))


def build(modality: str, world_name: str) -> nn.Module:
    n_classes = len(worlds.MAIN_CLASSES[world_name])
    if modality == "image":
        return classifiers.SmallCNN(n_classes)
    return classifiers.MLP(features.SOUND_VECTOR_SIZE, n_classes, hidden=(128,))


def _trainer(modality: str, world_name: str):
    def train(progress: Progress) -> checkpoints.Trained:
        world = worlds.make_world(world_name, TRAIN_SEED)
        data = _split_tensors(inputs(modality, world), world)
        model = build(modality, world_name)
        history = classifiers.train(model, *data["train"], *data["validation"], epochs=EPOCHS[modality],
                                    lr=3e-3, batch_size=32, seed=TRAIN_SEED, progress=progress)
        meta = {"test_accuracy": classifiers.accuracy(model, *data["test"]),
                "validation_accuracy": history.validation_accuracy[-1], "train_seconds": history.seconds,
                "parameters": sum(p.numel() for p in model.parameters())}
        return model.state_dict(), meta
    return train


def name(modality: str, world_name: str) -> str:
    return f"{modality}_{'cnn' if modality == 'image' else 'mlp'}_{world_name}"


for _modality in ("image", "sound"):
    for _world in worlds.WORLD_NAMES:
        checkpoints.register(name(_modality, _world), "1", _trainer(_modality, _world))


def load(modality: str, world_name: str, progress: Progress = classifiers._quiet) -> tuple[nn.Module, dict]:
    """The trained default model (from disk, or trained now), ready for inference."""
    state, meta = checkpoints.load(name(modality, world_name), progress)
    model = build(modality, world_name)
    model.load_state_dict(state)
    model.eval()
    return model, meta
