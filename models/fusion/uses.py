"""What each fusion strategy uses: each modality's share of its accuracy, and how much of the accuracy
comes from modalities interacting.

Two measures, both computed on the lab's clean test task:

* **Shapley values over modalities** (Shapley 1953, as SHAP uses them for features, Lundberg and Lee
  2017): v(S) is the strategy's accuracy when only the modalities in S carry their own sample and every
  other one is *removed*: replaced by a shuffled partner (another test row's features, so the input
  looks real but no longer belongs to the label) or by its training mean. A modality's Shapley value is
  its average gain v(S + m) - v(S) over the orders in which modalities could be added; the values add
  up to v(all) - v(none). A model that never reads a modality gives it exactly zero.
* **EMAP** (Hessel and Lee 2020, "Does my multimodal model learn cross-modal interactions? It's harder
  to tell than you might think!"): the empirical multimodally-additive projection of a model f,
      f^(x_1, ..., x_k) = sum_m E[f | x_m] - (k - 1) E[f],
  the best sum of one function per modality, with the expectations taken over partners drawn from
  the test split. The accuracy of f^ is what the strategy would score without any interaction
  between modalities; the gap to f's own accuracy is what interactions add. An additive model (both
  late fusions: a sum of one term per modality) equals its projection, so its gap is zero.

Both change only inputs and read the models' outputs: nothing is retrained.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import factorial

import numpy as np
import torch

from models.fusion.lab import Bank, outputs, strategy_order, test_task
from models.fusion.strategies import Lab

BASELINES = ("shuffled", "mean")  # how a removed modality is replaced
DRAWS = 4  # shuffles averaged for each v(S): one shuffle moves accuracies by about a point
PARTNERS = 24  # EMAP's partner draws, shared by every test row (so an additive model's projection is exact); more
# move the projection's accuracy by a point or two (Monte Carlo noise) and cost time: 0.6 s for three modalities
SEED = 23


def shapley(value: Callable[[frozenset[str]], float], players: Sequence[str]) -> dict[str, float]:
    """Exact Shapley values: phi_m = sum over S without m of |S|! (k - |S| - 1)! / k! (v(S + m) - v(S))."""
    k = len(players)
    out = {}
    for m in players:
        others = [p for p in players if p != m]
        out[m] = sum(
            factorial(size) * factorial(k - size - 1) / factorial(k) * (value(frozenset(s) | {m}) - value(frozenset(s)))
            for size in range(k)
            for s in combinations(others, size)
        )
    return out


def additive_projection(
    f: Callable[[list[np.ndarray]], np.ndarray], parts: Sequence[np.ndarray], partners: np.ndarray
) -> np.ndarray:
    """EMAP of f over k modalities: f^(row i) = sum_m mean_r f(x_m[i], others of draw r) - (k - 1) mean_r f(draw r).

    `parts` are the k modalities' inputs (n, D_m), `f` maps such a list to outputs (n, C), and `partners`
    (k, R) names, for each modality, the rows of its R draws (independent across modalities: the product
    of the marginals, as Hessel and Lee average over). The same draws serve every row i, so for an
    additive f = sum_m g_m(x_m) the terms cancel and f^ = f exactly.
    """
    k, draws = partners.shape
    n = len(parts[0])
    background = f([p[r] for p, r in zip(parts, partners)]).mean(0)  # E[f], (C,)
    total = -(k - 1) * background
    for m in range(k):
        rows = [np.repeat(parts[m], draws, 0) if j == m else np.tile(parts[j][partners[j]], (n, 1)) for j in range(k)]
        total = total + f(rows).reshape(n, draws, -1).mean(1)  # E[f | x_m = row i], (n, C)
    return total


@dataclass(frozen=True)
class Uses:
    """What every strategy of a lab uses, measured on its test task."""

    modalities: tuple[str, ...]
    values: dict[frozenset[str], dict[str, float]]  # v(S): accuracy with only S present, per strategy
    contributions: dict[str, dict[str, float]]  # strategy -> modality -> Shapley value (accuracy points / 100)
    accuracy: dict[str, float]  # v(all modalities)
    additive: dict[str, float]  # the accuracy of EMAP's additive projection
    interaction: dict[str, float]  # accuracy - additive: what interactions add

    def base(self, strategy: str) -> float:
        """v(no modality): the accuracy left with every modality removed (the Shapley values add to the rest)."""
        return self.values[frozenset()][strategy]


def standardised(lab: Lab, bank: Bank, rows: np.ndarray) -> list[np.ndarray]:
    """Each modality's clean test features of the task rows, standardised as the models read them."""
    return [(bank.features[m][0][rows[k]] - lab.mean[m]) / lab.std[m] for k, m in enumerate(lab.modalities)]


def strategy_outputs(lab: Lab, parts: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Every strategy's output (n, C) for one input per modality (fusion_lab.outputs)."""
    x = torch.from_numpy(np.concatenate(parts, 1).astype(np.float32))
    return {name: v.numpy().astype(np.float64) for name, v in outputs(lab, x).items()}


def measure(lab: Lab, bank: Bank, baseline: str = "shuffled") -> Uses:
    """Shapley values and EMAP for every strategy of a lab (a few hundred milliseconds)."""
    rows, labels = test_task(lab, bank)
    parts = standardised(lab, bank, rows)
    names = strategy_order(lab.modalities)
    k, n = len(parts), len(labels)
    rng = np.random.default_rng(SEED)
    shuffles = [[rng.permutation(n) for _ in range(k)] for _ in range(DRAWS if baseline == "shuffled" else 1)]

    def removed(j: int, order: np.ndarray) -> np.ndarray:
        return parts[j][order] if baseline == "shuffled" else np.zeros_like(parts[j])  # the mean, standardised

    values: dict[frozenset[str], dict[str, float]] = {}
    for size in range(k + 1):
        for kept in combinations(range(k), size):
            accuracies = np.zeros(len(names))
            for orders in shuffles:
                out = strategy_outputs(lab, [parts[j] if j in kept else removed(j, orders[j]) for j in range(k)])
                accuracies += [(out[s].argmax(1) == labels).mean() for s in names]
            values[frozenset(lab.modalities[j] for j in kept)] = dict(zip(names, accuracies / len(shuffles)))
    contributions = {s: shapley(lambda kept, s=s: values[kept][s], lab.modalities) for s in names}

    partners = rng.integers(0, n, (k, PARTNERS))

    # the projection is linear in each output, so every strategy's outputs are projected side by side
    def joined(p: list[np.ndarray]) -> np.ndarray:
        out = strategy_outputs(lab, p)
        return np.concatenate([out[s] for s in names], 1)

    projected = dict(zip(names, np.split(additive_projection(joined, parts, partners), len(names), axis=1)))
    accuracy = values[frozenset(lab.modalities)]
    additive = {s: float((projected[s].argmax(1) == labels).mean()) for s in names}
    interaction = {s: accuracy[s] - additive[s] for s in names}
    return Uses(lab.modalities, values, contributions, accuracy, additive, interaction)
