"""Default model weights on disk: one registry, one file per model, retrained when stale.

A module that owns a default model calls `register(name, version, train)`. `python -m models.train`
trains every registered model and writes `models/weights/<name>.pt`; the app only loads those files,
with `torch.load(..., weights_only=True)` so a weights file can never run code. If a file is missing,
unreadable or was made by an older `version` of the training code, `load` trains it (reporting
progress) and tries to save it for next time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from models.core.classifiers import Progress, _quiet

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"  # models/weights
Trained = tuple[dict[str, torch.Tensor], dict[str, float | int | str]]  # (state_dict, metadata)


@dataclass(frozen=True)
class Spec:
    name: str
    version: str  # bump when the architecture, data or training recipe changes
    train: Callable[[Progress], Trained]


REGISTRY: dict[str, Spec] = {}


def register(name: str, version: str, train: Callable[[Progress], Trained]) -> None:
    REGISTRY[name] = Spec(name, version, train)


def path(name: str) -> Path:
    return WEIGHTS_DIR / f"{name}.pt"


def read(name: str) -> Trained | None:
    """The saved weights if they exist and match the registered version; None otherwise."""
    try:
        saved = torch.load(path(name), weights_only=True)
    except Exception:  # missing, truncated, not a checkpoint, or refused by weights_only: train again
        return None
    if not isinstance(saved, dict) or saved.get("version") != REGISTRY[name].version:
        return None
    return saved["state"], saved["meta"]


def train_and_save(name: str, progress: Progress = _quiet) -> Trained:
    state, meta = REGISTRY[name].train(progress)
    try:
        WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
        torch.save({"version": REGISTRY[name].version, "state": state, "meta": meta}, path(name))
    except OSError:
        pass  # a read-only deployment keeps the trained model in memory only
    return state, meta


def load(name: str, progress: Progress = _quiet) -> Trained:
    return read(name) or train_and_save(name, progress)
