"""Inside one tensor-fusion product: every intermediate number of models/fusion/strategies.py's Tensor model for one
test row, read from the trained model itself.

Tensor fusion (Zadeh et al. 2017, "Tensor Fusion Network for Multimodal Sentiment Analysis") encodes each
modality to a short embedding z_m, appends a 1, and takes the outer product of the [1, z_m]: every cell
multiplies one number of each modality. Cells that meet the appended 1s keep each modality's own numbers
(the unimodal terms), the others are the pairwise (and, with three modalities, three-way) products. The
head is one linear layer: logit_c = sum over cells of W_c[cell] * product[cell] + b_c, then softmax.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.core.classifiers import one_thread
from models.fusion.strategies import Lab, with_one


@dataclass(frozen=True)
class TensorProduct:
    """One row through the tensor-fusion model, step by step (numpy, float64 for showing)."""

    vectors: list[np.ndarray]  # per modality, [1, z_m]: (e + 1,)
    product: np.ndarray  # the outer product, (e + 1,) * k
    weights: np.ndarray  # the head's weights, (C, (e + 1,) * k): one tensor per class
    bias: np.ndarray  # (C,)
    terms: np.ndarray  # weights * product, (C, (e + 1,) * k): each cell's share of each logit
    logits: np.ndarray  # (C,) = terms summed + bias
    probabilities: np.ndarray  # (C,) softmax of the logits


def tensor_product(lab: Lab, parts: list[np.ndarray]) -> TensorProduct:
    """The tensor model of `lab` on one row: `parts` are each modality's standardised features (D_m,)."""
    model = lab.models["tensor"]
    with torch.no_grad(), one_thread():
        vectors = [
            with_one(encoder(torch.from_numpy(np.asarray(p, np.float32))[None]))[0].double().numpy()
            for encoder, p in zip(model.encoders, parts)
        ]
        weight = model.head.weight.double().numpy()
        bias = model.head.bias.double().numpy()
    product = vectors[0]
    for v in vectors[1:]:
        product = np.multiply.outer(product, v)  # the same order as Tensor.forward's flatten
    weights = weight.reshape(len(bias), *product.shape)
    terms = weights * product
    logits = terms.reshape(len(bias), -1).sum(1) + bias
    probabilities = np.exp(logits - logits.max())
    return TensorProduct(vectors, product, weights, bias, terms, logits, probabilities / probabilities.sum())


def own_terms(product: TensorProduct) -> np.ndarray:
    """A mask over the product's cells, True where at most one modality's number is not the appended 1:
    the constant and each modality's own (unimodal) terms; the rest are interactions."""
    grids = np.indices(product.product.shape)
    return (grids > 0).sum(0) <= 1
