"""Neural-network basics: one linear neuron per class, gradient descent you can pause, and depth.

A linear neuron computes a score s = w·x + b from the unrolled pixels x; with one neuron per class
the highest score wins, and softmax turns the scores into probabilities. Training is plain mini-batch
gradient descent on the cross-entropy loss, written as one epoch at a time so a page can play, pause
and step it. The training images' mean is subtracted from x first: raw pixels are all positive and
mostly background, which makes plain gradient descent diverge; centred, it learns in a few epochs.

The second half is a 2-D view: the first two principal components of the pixels, where a task such
as "small or large?" is not linearly separable, so a network with a hidden layer beats a linear one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image
from torch import nn

from models.core import checkpoints, classifiers, features, worlds
from models.core.classifiers import Progress, one_thread

TRAIN_SEED = 0
ACTIVATIONS = ("relu", "tanh", "sigmoid", "none")  # none: stacked layers stay one linear map
# The recipe of the default models, and the defaults of the page's live run: pressing Play with the
# default settings retrains exactly the model on disk.
LEARNING_RATE = 0.1
BATCH_SIZE = 32
L2 = 0.0
EPOCHS = 20
MLP_HIDDEN = (64,)
# A task in the 2-D view that a linear model cannot solve, per world (asserted by the tests).
NONLINEAR_TASK = {"shapes": "size", "digits": "magnitude"}
PLANE_STEPS = 150
PLANE_LEARNING_RATE = 0.5
PLANE_MOMENTUM = 0.9

Splits = dict[str, tuple[torch.Tensor, torch.Tensor]]  # split -> (inputs (N, D), labels (N,))


class PixelNet(nn.Module):
    """Unrolled pixels in, one score per class out; the mean training image is part of the model,
    stored with its weights, so a single new picture can be scored without the training set."""

    def __init__(self, mean: torch.Tensor, n_classes: int, hidden: tuple[int, ...] = (), activation: str = "relu"):
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.mlp = classifiers.MLP(len(mean), n_classes, hidden, activation)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:  # (B, D) in [0, 1] -> (B, n_classes)
        return self.mlp(pixels - self.mean)

    @property
    def first_layer(self) -> nn.Linear:
        return self.mlp.net[0]


def pixel_splits(world: worlds.World) -> Splits:
    """Every split of the world as (unrolled pixels, the main attribute's labels)."""
    x = torch.from_numpy(features.image_vectors(world.images))
    y = torch.from_numpy(world.labels(worlds.MAIN_ATTRIBUTE[world.name]).astype(np.int64))
    return {s: (x[world.indices(s)], y[world.indices(s)]) for s in worlds.SPLIT_NAMES}


def initialise(model: nn.Module, seed: int) -> nn.Module:
    """Small random weights and biases, uniform in ±1/sqrt(inputs) per layer (PyTorch's own default),
    drawn from a generator of our own: the same network for the same seed, even when several
    visitors start training at once (the global random state is shared by every session)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                bound = layer.in_features**-0.5
                for p in (layer.weight, layer.bias):
                    p.copy_(torch.rand(p.shape, generator=generator) * 2 * bound - bound)
    return model


def parameter_count(model: nn.Module) -> int:
    """What training learns: every weight and bias (the stored mean image is not learned)."""
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- one neuron per class
@dataclass(frozen=True)
class Scores:
    """One input through the linear neurons, every step of the way: s = w·x + b, softmax, loss."""

    dot: np.ndarray  # (K,) w_k · x for each class k (x centred)
    bias: np.ndarray  # (K,)
    scores: np.ndarray  # (K,) dot + bias
    probabilities: np.ndarray  # (K,) softmax of the scores
    loss: float  # cross-entropy for the true label: -log p[true]


@one_thread()
def linear_scores(model: PixelNet, pixels: np.ndarray, true_class: int) -> Scores:
    """The score function of each output neuron, written out (only for a model without hidden layers)."""
    layer = model.first_layer
    with torch.no_grad():
        centred = torch.from_numpy(np.asarray(pixels, dtype=np.float32)) - model.mean  # (D,)
        dot = (layer.weight @ centred).numpy()  # (K,)
        bias = layer.bias.numpy().copy()
    scores = dot + bias
    probabilities = softmax(scores)
    return Scores(dot, bias, scores, probabilities, float(-np.log(max(probabilities[true_class], 1e-12))))


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))  # minus the max: no overflow, same result
    return shifted / shifted.sum(axis=-1, keepdims=True)


def templates(weights: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """(K, H*W*3) weights -> (K, H, W): each class's weight vector as a picture, colour channels summed.

    Summing the channels shows *where* the neuron looks; a positive weight means a brighter pixel there
    raises the class's score. Ink is darker than paper, so a neuron that wants ink somewhere has
    negative weights there."""
    return weights.reshape(len(weights), *image_shape).sum(axis=-1)


def class_mean_maps(x: torch.Tensor, y: torch.Tensor, n_classes: int, image_shape: tuple[int, ...]) -> np.ndarray:
    """(K, H, W): each class's average picture minus the average of all pictures, colour channels summed:
    what a template would look like if a neuron simply learned the average of its class."""
    one_hot = nn.functional.one_hot(y, n_classes).float()  # (N, K)
    means = (one_hot.T @ x) / one_hot.sum(0)[:, None] - x.mean(0)  # (K, D)
    return templates(means.numpy(), image_shape)


def template_match(template_maps: np.ndarray, mean_maps: np.ndarray) -> np.ndarray:
    """(K, K) correlation between each class's template (row) and each class's mean picture (column).

    A large diagonal is the evidence that a linear neuron learns something like an average picture of its class."""
    a, b = (m.reshape(len(m), -1) for m in (template_maps, mean_maps))
    a = (a - a.mean(1, keepdims=True)) / (a.std(1, keepdims=True) + 1e-12)
    b = (b - b.mean(1, keepdims=True)) / (b.std(1, keepdims=True) + 1e-12)
    return a @ b.T / a.shape[1]


def template_summary(match: np.ndarray) -> dict[str, float | int]:
    """The facts of a template_match matrix in one line: how many templates resemble their own class most,
    and their mean correlation with their own class vs with the others."""
    own = np.diag(match)
    return {
        "hits": int((match.argmax(1) == np.arange(len(match))).sum()),
        "own": float(own.mean()),
        "other": float((match.sum() - own.sum()) / (match.size - len(own))),
    }


def unit_scale(maps: np.ndarray) -> np.ndarray:
    """(K, H, W) -> each map divided by its own largest |value|, so faint and strong templates both show."""
    return maps / (np.abs(maps).max(axis=(1, 2), keepdims=True) + 1e-12)


EXAMPLE_KINDS = ("confident", "uncertain", "mistake")


def curated_examples(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, int | None]:
    """Rows worth a look: the most confident right answer, the least sure answer, the most confident
    mistake (None when the model makes none). `probabilities` is (N, K)."""
    top, right = probabilities.max(1), probabilities.argmax(1) == labels
    most_confident = lambda rows: int(rows[np.argmax(top[rows])]) if len(rows) else None
    return {
        "confident": most_confident(np.flatnonzero(right)),
        "uncertain": int(np.argmin(top)),
        "mistake": most_confident(np.flatnonzero(~right)),
    }


@one_thread()
def contributions(model: PixelNet, pixels: np.ndarray, k: int, image_shape: tuple[int, ...]) -> np.ndarray:
    """(H, W): how much each pixel adds to class k's score, w_k ⊙ x summed over colour; it sums to w_k·x."""
    with torch.no_grad():
        centred = torch.from_numpy(np.asarray(pixels, dtype=np.float32)) - model.mean
        return (model.first_layer.weight[k] * centred).numpy().reshape(image_shape).sum(axis=-1)


def fit_picture(pixels: np.ndarray, world: worlds.World) -> np.ndarray:
    """A user's picture as this world's model expects it: the world's size, and grey for Digits.

    Digits are dark ink on light paper; a photo is turned grey the same way so its vector is comparable."""
    side = world.images.shape[1]
    picture = Image.fromarray(np.asarray(pixels, dtype=np.uint8)).convert("RGB")
    if world.name == "digits":
        picture = picture.convert("L").convert("RGB")
    return np.asarray(picture.resize((side, side), Image.BOX), dtype=np.uint8)


# ---------------------------------------------------------------- gradient descent, one epoch at a time
@dataclass
class Curves:
    """What a run has done after each epoch (index 0 = before training): the numbers the curves draw."""

    train_loss: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)


@dataclass
class Run:
    """A training run that can be paused and resumed: it is real state, so it is a class.

    `weights` keeps the first layer after every epoch, so the page can show how the templates grew."""

    model: PixelNet
    generator: torch.Generator  # the order of the mini-batches
    curves: Curves
    weights: list[np.ndarray] | None  # per epoch: the first layer's (units, D) weights, if kept
    seconds: float = 0.0  # CPU time spent on gradient steps (not on measuring)

    @property
    def epoch(self) -> int:
        return len(self.curves.train_loss) - 1


@one_thread()
def start_run(
    data: Splits, n_classes: int, hidden: tuple[int, ...] = (), seed: int = TRAIN_SEED, keep_weights: bool = True
) -> Run:
    """A freshly initialised network (the same one for the same seed) and its epoch-0 numbers."""
    x, _ = data["train"]
    model = initialise(PixelNet(x.mean(0), n_classes, hidden), seed)
    run = Run(model, torch.Generator().manual_seed(seed), Curves(), [] if keep_weights else None)
    _measure(run, data)
    return run


@one_thread()
def train_epoch(
    run: Run, data: Splits, lr: float = LEARNING_RATE, batch_size: int = BATCH_SIZE, l2: float = L2
) -> None:
    """One pass of mini-batch gradient descent over the training split, then the epoch's numbers.

    Each step moves every parameter downhill: p -= lr * gradient. L2 adds l2/2·|w|² to the loss of the
    weights (not the biases), so their gradient gains l2·w, pulling them towards zero. The settings may
    change between epochs, as in a playground."""
    x, y = data["train"]
    params = list(run.model.parameters())
    decays = [l2 if name.endswith("weight") else 0.0 for name, _ in run.model.named_parameters()]
    run.model.train()
    start = time.thread_time()  # CPU time of this thread (torch runs on it): the same on a busy server
    for batch in torch.randperm(len(x), generator=run.generator).split(batch_size):
        loss = nn.functional.cross_entropy(run.model(x[batch]), y[batch])
        gradients = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, decay in zip(params, gradients, decays):
                p -= lr * (g + decay * p)
    run.seconds += time.thread_time() - start
    _measure(run, data)


def _measure(run: Run, data: Splits) -> None:
    run.model.eval()
    with torch.no_grad():
        for split, losses, accuracies in (
            ("train", run.curves.train_loss, run.curves.train_accuracy),
            ("validation", run.curves.validation_loss, run.curves.validation_accuracy),
        ):
            x, y = data[split]
            scores = run.model(x)
            losses.append(float(nn.functional.cross_entropy(scores, y)))
            accuracies.append(float((scores.argmax(1) == y).float().mean()))
    if run.weights is not None:
        run.weights.append(run.model.first_layer.weight.detach().numpy().copy())


@one_thread()
def train(
    data: Splits,
    n_classes: int,
    hidden: tuple[int, ...] = (),
    epochs: int = EPOCHS,
    progress: Progress = classifiers._quiet,
) -> Run:
    """The default recipe, start to finish: what the Play button does with the default settings."""
    run = start_run(data, n_classes, hidden, keep_weights=False)
    for epoch in range(epochs):
        train_epoch(run, data)
        progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}: loss {run.curves.train_loss[-1]:.3f}")
    return run


@one_thread()
def test_accuracy(model: nn.Module, data: Splits) -> float:
    return classifiers.accuracy(model, *data["test"])


@one_thread()
def predict(model: nn.Module, x: np.ndarray | torch.Tensor) -> np.ndarray:
    """Inference: (N, D) inputs -> (N, K) class probabilities."""
    return classifiers.predict_proba(model, torch.as_tensor(x, dtype=torch.float32))


def multiply_adds(model: nn.Module) -> int:
    """The work of one forward pass: one multiply-add per weight of every linear layer."""
    return sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))


@one_thread()
def inference_seconds(model: nn.Module, pixels: np.ndarray, repeats: int = 7) -> float:
    """The median time of one forward pass for one input: what every prediction costs after training."""
    x = torch.from_numpy(np.asarray(pixels, dtype=np.float32)).reshape(1, -1)
    model.eval()
    times = []
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return float(np.median(times))


# ---------------------------------------------------------------- default weights
KINDS = ("linear", "mlp")


def name(kind: str, world_name: str) -> str:
    return f"nn_{kind}_{world_name}"


def _hidden(kind: str) -> tuple[int, ...]:
    return () if kind == "linear" else MLP_HIDDEN


def train_default(kind: str, world: worlds.World, progress: Progress = classifiers._quiet) -> checkpoints.Trained:
    data = pixel_splits(world)
    run = train(data, len(worlds.MAIN_CLASSES[world.name]), _hidden(kind), progress=progress)
    meta = {
        "test_accuracy": test_accuracy(run.model, data),
        "validation_accuracy": run.curves.validation_accuracy[-1],
        "train_seconds": run.seconds,
        "epochs": EPOCHS,
        "parameters": parameter_count(run.model),
    }
    return run.model.state_dict(), meta


def _trainer(kind: str, world_name: str):
    return lambda progress: train_default(kind, worlds.make_world(world_name, TRAIN_SEED), progress)


for _kind in KINDS:
    for _world in worlds.WORLD_NAMES:
        checkpoints.register(name(_kind, _world), "4", _trainer(_kind, _world))


def build(kind: str, world: worlds.World, state: dict[str, torch.Tensor]) -> PixelNet:
    model = PixelNet(state["mean"], len(worlds.MAIN_CLASSES[world.name]), _hidden(kind))
    model.load_state_dict(state)
    return model.eval()


@one_thread()
def load(kind: str, world: worlds.World, progress: Progress = classifiers._quiet) -> tuple[PixelNet, dict]:
    """The default model for this world: from disk for the training seed, trained now for any other
    seed (a different seed is a different world, whose test split the saved model may have seen)."""
    if world.seed == TRAIN_SEED:
        state, meta = checkpoints.load(name(kind, world.name), progress)
    else:
        state, meta = train_default(kind, world, progress)
    return build(kind, world, state), meta


# ---------------------------------------------------------------- depth, in a 2-D view
def principal_plane(x_train: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(N, D) -> (N, 2): the first two principal components of the training pixels, scaled to unit spread.

    Found by subspace iteration (a randomised SVD): a few products with the data matrix pull random
    directions towards the directions of largest spread, far faster than a full SVD of 1200 x 3072."""
    mean = x_train.mean(0)
    centred = x_train - mean
    basis = np.random.default_rng(TRAIN_SEED).standard_normal((centred.shape[1], 10))  # (D, 2 + 8 spare)
    for _ in range(4):
        basis, _ = np.linalg.qr(centred.T @ (centred @ basis))
    _, _, rotation = np.linalg.svd(centred @ basis, full_matrices=False)
    directions = rotation[:2] @ basis.T  # (2, D)
    spread = (centred @ directions.T).std(0)
    return ((x - mean) @ directions.T / spread).astype(np.float32)


@one_thread()
def fit_plane(
    points: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    hidden: tuple[int, ...] = (),
    activation: str = "relu",
    seed: int = TRAIN_SEED,
    steps: int = PLANE_STEPS,
) -> classifiers.MLP:
    """A network on 2-D points, trained by full-batch gradient descent with momentum (the velocity adds
    up past gradients, so the small steps across a long valley build speed): tiny data, a blink."""
    x, y = _tensors(points, labels)
    model = initialise(classifiers.MLP(2, n_classes, hidden, activation), seed)
    params = list(model.parameters())
    velocities = [torch.zeros_like(p) for p in params]
    for _ in range(steps):
        gradients = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), params)
        with torch.no_grad():
            for p, v, g in zip(params, velocities, gradients):
                v.mul_(PLANE_MOMENTUM).add_(g)
                p -= PLANE_LEARNING_RATE * v
    return model.eval()


@one_thread()
def plane_accuracy(model: nn.Module, points: np.ndarray, labels: np.ndarray) -> float:
    return classifiers.accuracy(model, *_tensors(points, labels))


def _tensors(points: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(np.array(points, dtype=np.float32)), torch.from_numpy(np.asarray(labels, dtype=np.int64))


@one_thread()
def decision_regions(
    model: nn.Module, low: tuple[float, float], high: tuple[float, float], resolution: int = 80
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The class the model predicts at every point of a grid: (xs, ys, (resolution, resolution) classes)."""
    xs = np.linspace(low[0], high[0], resolution, dtype=np.float32)
    ys = np.linspace(low[1], high[1], resolution, dtype=np.float32)
    grid = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)  # (R*R, 2), row-major over y then x
    with torch.no_grad():
        predicted = model(torch.from_numpy(grid)).argmax(1).numpy()
    return xs, ys, predicted.reshape(resolution, resolution)


def layer_sizes(n_inputs: int, hidden: tuple[int, ...], n_classes: int) -> list[int]:
    return [n_inputs, *hidden, n_classes]
