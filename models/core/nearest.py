"""Nearest neighbour: the classifier that learns nothing and looks everything up.

Training only stores the training set (O(1) work); answering one question measures its distance to
every stored sample (O(N) work). L1 (Manhattan) adds up the absolute differences of the numbers, L2
(Euclidean) is the straight-line distance. The k closest samples vote; the vote shares are the
class probabilities, as scikit-learn's KNeighborsClassifier with uniform weights computes them
(written out here, in numpy, because it is short and because importing scikit-learn would cost the
first visitor about a second). Ties in distance go to the lower training index.

Neighbours are found once for up to K_MAX and kept, so trying another k costs nothing.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

METRICS = ("manhattan", "euclidean")  # L1, L2: scikit-learn's names
K_MAX = 25


@dataclass(frozen=True)
class Neighbours:
    """The K_MAX nearest training samples of some queries, closest first."""

    index: np.ndarray  # (Q, K_MAX) which training samples
    distance: np.ndarray  # (Q, K_MAX)
    query: np.ndarray  # (Q,) which samples asked, in increasing order

    def of(self, rows: np.ndarray) -> Neighbours:
        """The neighbours of some of the queries."""
        rows = np.asarray(rows)
        at = np.searchsorted(self.query, rows)
        if not np.array_equal(self.query[np.minimum(at, len(self.query) - 1)], rows):
            raise KeyError("some rows were not among the queries")
        return Neighbours(index=self.index[at], distance=self.distance[at], query=self.query[at])


def distances(x_train: np.ndarray, x_query: np.ndarray, metric: str) -> np.ndarray:
    """(Q, N) distance from every query to every training vector: the O(N) work of each question.

    L2 uses |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, one matrix product (in float64: in float32 the
    cancellation would blur the distances of near-duplicates); L1 has no such shortcut.
    """
    if metric == "euclidean":
        squared = (x_query**2).sum(1)[:, None] + (x_train**2).sum(1)[None, :] - 2.0 * x_query @ x_train.T
        return np.sqrt(np.maximum(squared, 0.0))
    from scipy.spatial.distance import cdist  # imported here: the L2 default needs none of scipy.spatial

    return cdist(x_query, x_train, "cityblock")


def find(x_train: np.ndarray, x_query: np.ndarray, metric: str, k_max: int = K_MAX) -> Neighbours:
    """The brute-force search: every query against every training vector, closest first (ties: lower index)."""
    # One BLAS thread: on a small shared server, two threads fighting other work were many times slower.
    with threadpool_limits(1):
        d = distances(np.asarray(x_train, dtype=np.float64), np.asarray(x_query, dtype=np.float64), metric)
    index = np.argsort(d, axis=1, kind="stable")[:, : min(k_max, len(x_train))]
    return Neighbours(
        index=index, distance=np.take_along_axis(d, index, axis=1).astype(np.float32), query=np.arange(len(x_query))
    )


def vote(neighbour_labels: np.ndarray, k: int, n_classes: int) -> np.ndarray:
    """(Q, >=k) labels of the nearest samples -> (Q, n_classes) share of the k votes for each class."""
    top = neighbour_labels[:, :k]  # (Q, k)
    counts = (top[:, :, None] == np.arange(n_classes)[None, None, :]).sum(axis=1)  # (Q, C)
    return counts / k


# ---------------------------------------------------------------- what it costs, measured
@dataclass(frozen=True)
class Cost:
    """Seconds to train and to predict (the whole query set), per training-set size and model: every
    round's measurement, and their median. One timing on a shared server wobbles (another visitor, the
    garbage collector), so the page shows the median of several rounds and their spread."""

    sizes: tuple[int, ...]
    fit_runs: dict[str, np.ndarray]  # model -> (rounds, sizes) seconds
    predict_runs: dict[str, np.ndarray]
    n_queries: int
    n_features: int
    logistic_iterations: int
    repeats: int  # rounds

    @property
    def fit_seconds(self) -> dict[str, tuple[float, ...]]:
        return {m: tuple(np.median(runs, axis=0)) for m, runs in self.fit_runs.items()}

    @property
    def predict_seconds(self) -> dict[str, tuple[float, ...]]:
        return {m: tuple(np.median(runs, axis=0)) for m, runs in self.predict_runs.items()}

    def growth(self, model: str = "knn") -> tuple[float, float, float]:
        """How many times longer prediction took at the largest size than at the smallest: the median
        over rounds, and the smallest and largest round."""
        ratios = self.predict_runs[model][:, -1] / self.predict_runs[model][:, 0]
        return float(np.median(ratios)), float(ratios.min()), float(ratios.max())


def _seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure_cost(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_query: np.ndarray,
    sizes: tuple[int, ...],
    logistic_iterations: int = 20,
    repeats: int = 5,
) -> Cost:
    """Time nearest neighbour (L2) and logistic regression as the training set grows, `repeats` rounds.

    Logistic regression runs a fixed number of optimiser iterations, so its training time shows how
    one pass over the data grows with N; its prediction is one product with its weights, whatever N.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    fit = {m: np.zeros((repeats, len(sizes))) for m in ("knn", "logistic")}
    predict = {m: np.zeros((repeats, len(sizes))) for m in ("knn", "logistic")}
    with threadpool_limits(1):
        for r in range(repeats):
            for j, n in enumerate(sizes):
                x, y = x_train[:n], y_train[:n]
                knn = KNeighborsClassifier(n_neighbors=1, metric="euclidean", algorithm="brute")
                fit["knn"][r, j] = _seconds(lambda: knn.fit(x, y))
                predict["knn"][r, j] = _seconds(lambda: knn.predict(x_query))
                logistic = LogisticRegression(max_iter=logistic_iterations, tol=0.0)
                fit["logistic"][r, j] = _seconds(lambda: fit_silently(logistic, x, y))
                predict["logistic"][r, j] = _seconds(lambda: logistic.predict(x_query))
    return Cost(
        sizes=tuple(sizes),
        fit_runs=fit,
        predict_runs=predict,
        n_queries=len(x_query),
        n_features=x_train.shape[1],
        logistic_iterations=logistic_iterations,
        repeats=repeats,
    )


def fit_silently(model, x: np.ndarray, y: np.ndarray):
    """Fit a scikit-learn model, hiding its "did not converge" warning: stopping early is deliberate
    here (fixed iterations to time, or a loose tolerance to stay quick)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def cost_sizes(n_train: int, steps: int = 6) -> tuple[int, ...]:
    """Training-set sizes from about n/32 up to n, doubling (enough points to see a line)."""
    return tuple(sorted({max(8, n_train >> s) for s in range(steps)}))
