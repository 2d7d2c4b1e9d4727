"""One cell of the alignment page's dynamic time warping, opened up.

DTW fills the accumulated-cost matrix one cell at a time (Sakoe and Chiba, 1978; Müller, *Fundamentals
of Music Processing*, 2015, §3.2): D[i, j] = min over the step pattern's steps (a, b) of
D[i - a, j - b] + weight · C[i, j]. The cell keeps which step won (its back-pointer), and following
the back-pointers from the far corner gives the warping path. Every number here comes from
explicit.accumulate, the code the page aligns with, on the same local costs and constraints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.alignment import explicit as al

WINDOW = 3  # frames shown on each side of the cell


@dataclass(frozen=True)
class Cell:
    """Cell (i, j): its local distance, its predecessors' accumulated costs, the choice and its result."""

    i: int  # recording frame
    j: int  # reader frame
    local: float  # C[i, j]
    predecessors: tuple[tuple[int, int], ...]  # (i - a, j - b) for each step of the pattern
    weights: tuple[float, ...]  # each step's weight on C[i, j]
    previous: np.ndarray  # (steps,) D at each predecessor; inf where there is none or it cannot be reached
    candidates: np.ndarray  # (steps,) previous + weight · local
    choice: int  # the step taken: the smallest candidate, ties to the earlier step
    accumulated: float  # D[i, j]
    rows: np.ndarray  # recording frames of the window drawn around the cell
    columns: np.ndarray  # reader frames of that window
    window_cost: np.ndarray  # (rows, columns) C there (inf outside the band)
    window_accumulated: np.ndarray  # (rows, columns) D there

    @property
    def back_pointer(self) -> tuple[int, int]:
        return self.predecessors[self.choice]


def constrained(cost: np.ndarray, band: float) -> np.ndarray:
    """The local costs DTW sees: infinite outside the Sakoe-Chiba band (band 0: none), as explicit.dtw does."""
    return np.where(al.band_mask(cost.shape, band), cost, np.inf) if band > 0 else cost


def dtw_cell(cost: np.ndarray, pattern: str, band: float, i: int, j: int) -> Cell:
    """Cell (i, j) of DTW over `cost` (recording frames, reader frames) with the page's pattern and band."""
    local_costs = constrained(np.asarray(cost, dtype=np.float64), band)
    accumulated, _ = al.accumulate(local_costs, pattern)
    steps, weights = al.STEP_PATTERNS[pattern]
    i, j = int(i), int(j)
    predecessors = tuple((i - a, j - b) for a, b in steps)
    previous = np.array([accumulated[p] if min(p) >= 0 else np.inf for p in predecessors])
    local = float(local_costs[i, j])
    candidates = previous + np.array(weights) * local
    rows = np.arange(max(0, i - WINDOW), min(cost.shape[0], i + WINDOW + 1))
    columns = np.arange(max(0, j - WINDOW), min(cost.shape[1], j + WINDOW + 1))
    window = np.ix_(rows, columns)
    return Cell(
        i,
        j,
        local,
        predecessors,
        tuple(weights),
        previous,
        candidates,
        int(np.argmin(candidates)),  # the first of equal minima, as accumulate and librosa decide
        float(accumulated[i, j]),
        rows,
        columns,
        local_costs[window],
        accumulated[window],
    )
