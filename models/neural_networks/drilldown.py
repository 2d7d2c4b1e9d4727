"""One neuron of the neural-network page, opened up: w·x over the picture's pixels, + b, softmax.

A linear neuron's score is s_k = w_k·x + b_k (x: the unrolled pixels minus the mean training picture),
and softmax turns the scores of all classes into probabilities p_k = exp(s_k) / Σ_j exp(s_j)
(Goodfellow, Bengio and Courville, *Deep Learning*, 2016, §6.2.2.3). The dot product is a sum over
pixels, so it can be laid out over the picture: each pixel's w × x, its colour channels added up,
sums exactly to w·x. Every number here comes from basics.py, the code the page scores with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.neural_networks import basics as nb


@dataclass(frozen=True)
class Neuron:
    """Class k's neuron on one picture, each intermediate value of s_k = w_k·x + b_k and its softmax."""

    k: int
    x: np.ndarray  # (H, W) the centred input, colour channels summed
    w: np.ndarray  # (H, W) the neuron's weights, colour channels summed (its template)
    product: np.ndarray  # (H, W) w ⊙ x per pixel, channels summed: it adds up to `dot`
    dot: float  # w_k · x
    bias: float  # b_k
    score: float  # s_k = dot + bias
    scores: np.ndarray  # (K,) every class's score: softmax needs them all
    exponentials: np.ndarray  # (K,) exp(s_j - max s): the same ratios as exp(s_j), without overflow
    probabilities: np.ndarray  # (K,) softmax of the scores

    @property
    def probability(self) -> float:
        return float(self.probabilities[self.k])


def neuron(model: nb.PixelNet, pixels: np.ndarray, k: int, image_shape: tuple[int, ...]) -> Neuron:
    """(H*W*3,) pixels in [0, 1] through class k's neuron of a model without hidden layers."""
    scores = nb.linear_scores(model, pixels, k)
    with torch.no_grad():
        centred = (torch.from_numpy(np.asarray(pixels, dtype=np.float32)) - model.mean).numpy()
        weights = model.first_layer.weight[k].numpy()
    exponentials = np.exp(scores.scores - scores.scores.max())
    return Neuron(
        k,
        centred.reshape(image_shape).sum(axis=-1),
        nb.templates(weights[None], image_shape)[0],
        nb.contributions(model, pixels, k, image_shape),
        float(scores.dot[k]),
        float(scores.bias[k]),
        float(scores.scores[k]),
        scores.scores,
        exponentials,
        scores.probabilities,
    )
