"""Weights on disk: loaded with weights_only, retrained when missing or stale; defaults really learn."""

import pytest
import torch

from models.core import checkpoints, classifiers, worlds
from models.unimodal import nets as unimodal


@pytest.fixture
def tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "WEIGHTS_DIR", tmp_path)
    calls = []

    def train(progress):
        calls.append(1)
        progress(1.0, "done")
        return {"w": torch.ones(2, 2) * len(calls)}, {"test_accuracy": 0.5}

    checkpoints.register("toy", "1", train)
    yield calls
    checkpoints.REGISTRY.pop("toy")


def test_missing_weights_are_trained_once_then_read(tmp_registry):
    state, meta = checkpoints.load("toy")
    assert len(tmp_registry) == 1 and checkpoints.path("toy").exists()
    state2, _ = checkpoints.load("toy")
    assert len(tmp_registry) == 1 and torch.equal(state["w"], state2["w"]) and meta["test_accuracy"] == 0.5


def test_stale_version_or_corrupt_file_retrains(tmp_registry):
    checkpoints.load("toy")
    checkpoints.register("toy", "2", checkpoints.REGISTRY["toy"].train)
    checkpoints.load("toy")
    assert len(tmp_registry) == 2
    checkpoints.path("toy").write_bytes(b"not a checkpoint")
    checkpoints.load("toy")
    assert len(tmp_registry) == 3


def test_progress_is_reported(tmp_registry):
    seen = []
    checkpoints.load("toy", progress=lambda f, m: seen.append(f))
    assert seen == [1.0]


@pytest.mark.parametrize("world_name", worlds.WORLD_NAMES)
@pytest.mark.parametrize("modality", ["image", "sound"])
def test_default_models_are_committed_and_accurate_on_fresh_samples(modality, world_name):
    """Read from models/weights (no training here), scored on a world with another seed."""
    name = unimodal.name(modality, world_name)
    assert checkpoints.read(name) is not None, f"{name}: run python -m models.train"
    model, meta = unimodal.load(modality, world_name)
    world = worlds.make_world(world_name, seed=123, n=400)
    x = unimodal.inputs(modality, world)
    y = world.labels(worlds.MAIN_ATTRIBUTE[world_name])
    acc = float((classifiers.predict_proba(model, x).argmax(1) == y).mean())
    assert acc > 0.9 and meta["test_accuracy"] > 0.9


def test_training_lowers_the_loss_and_beats_chance():
    world = worlds.make_world("shapes", 0, n=300)
    x = unimodal.inputs("sound", world)
    y = torch.from_numpy(world.labels("shape"))
    train, val = world.indices("train"), world.indices("validation")
    model = unimodal.build("sound", "shapes")
    history = classifiers.train(model, x[train], y[train], x[val], y[val], epochs=8, lr=3e-3)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert history.validation_accuracy[-1] > 0.8


def test_every_registered_model_is_read_from_the_shipped_weights():
    """The app loads models/weights/ and trains nothing on a page's first visit: every registered
    default model has its file there, at its current version (a moved module once looked elsewhere)."""
    from pathlib import Path

    from models import train

    assert checkpoints.WEIGHTS_DIR == Path(__file__).resolve().parent.parent / "models" / "weights"
    train.discover()
    stale = [name for name in checkpoints.REGISTRY if checkpoints.read(name) is None]
    assert stale == []
