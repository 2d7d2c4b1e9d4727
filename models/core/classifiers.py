"""Small torch classifiers (an MLP and a CNN) and the one training loop they share.

The loop is ordinary mini-batch gradient descent with a validation score per epoch, written out so
pages can show it: a progress callback receives each epoch's numbers, so a chart can grow as it trains.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from torch import nn

Progress = Callable[[float, str], None]


def _quiet(fraction: float, message: str) -> None:
    """The default progress callback: training from a script or a test reports nothing."""


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch and numpy's BLAS on one thread (also usable as a decorator). Our models and matrices
    are small: on a busy two-core machine a second thread made training, inference and PCA 5-100x
    slower (each small operation waits for both threads), and on an idle one it gains nothing."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _thread_pools().limit(limits=1):
            yield
    finally:
        torch.set_num_threads(threads)


@lru_cache(maxsize=1)
def _thread_pools():
    """The process's BLAS and OpenMP libraries, found once: `threadpool_limits(1)` searched every loaded
    library again on each call, a quarter of a fusion page's rerun (py-spy, bench/load.py)."""
    from threadpoolctl import ThreadpoolController  # comes with scikit-learn

    return ThreadpoolController()


class MLP(nn.Module):
    """Input vector -> hidden layers -> one score per class. With no hidden layers: one linear neuron per class."""

    def __init__(self, n_inputs: int, n_classes: int, hidden: tuple[int, ...] = (64,), activation: str = "relu"):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "none": nn.Identity}[
            activation
        ]  # none: layers collapse into one affine map
        sizes = (n_inputs, *hidden)
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), act()]
        layers.append(nn.Linear(sizes[-1], n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_inputs) -> (B, n_classes)
        return self.net(x)


class SmallCNN(nn.Module):
    """Two convolution blocks and a linear head; works for any image size thanks to adaptive pooling."""

    def __init__(self, n_classes: int, channels: tuple[int, int] = (16, 32)):
        super().__init__()
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv2d(3, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),
        )
        self.head = nn.Linear(c2 * 16, n_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:  # (B, 3, H, W) -> (B, n_classes)
        return self.head(self.features(images).flatten(1))


def images_to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float in [0, 1], the layout convolutions expect."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0


@dataclass
class History:
    """What training did, epoch by epoch: the numbers that the loss and accuracy curves draw."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512) -> float:
    return float((predict_proba(model, x, batch_size).argmax(1) == y.numpy()).mean())


def predict_proba(model: nn.Module, x: torch.Tensor, batch_size: int = 512) -> np.ndarray:
    """Inference: class probabilities, no gradients, in batches to bound memory."""
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.softmax(model(x[i : i + batch_size]), 1) for i in range(0, len(x), batch_size)]).numpy()


def train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    *,
    epochs: int = 10,
    lr: float = 1e-3,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    progress: Progress = _quiet,
) -> History:
    """Mini-batch gradient descent (Adam) on cross-entropy; trains `model` in place, returns its history."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history, start = History(), time.perf_counter()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(x), generator=generator).split(batch_size):
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history.loss.append(total / len(x))
        history.train_accuracy.append(accuracy(model, x, y))
        history.validation_accuracy.append(accuracy(model, x_val, y_val))
        progress(
            (epoch + 1) / epochs,
            f"epoch {epoch + 1}/{epochs}: loss {history.loss[-1]:.3f}, "
            f"validation accuracy {history.validation_accuracy[-1]:.1%}",
        )
    history.seconds = time.perf_counter() - start
    return history
