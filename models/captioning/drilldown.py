"""One row of the generative captioner's cross-attention, opened up: query · keys, scaled, softmax,
then the weighted sum of the patches' values.

Scaled dot-product attention (Vaswani et al., "Attention is all you need", 2017, eq. 1):
Attention(Q, K, V) = softmax(Q Kᵀ / √d) V, computed per head. In the captioner's GPT-2 decoder the
cross-attention's query comes from the word position being written and its keys and values from the
ViT encoder's outputs: its summary token first, then the 16 patches in reading order. The numbers are
read off the captioner itself: forward hooks on a private copy of the model (the shared one is never
touched) catch the projected queries, keys and values of the chosen layer and the tensor its output
projection receives, from the same teacher-forced pass the page's captions are scored with.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from models.captioning import captioners as captioning
from models.core.classifiers import one_thread


@dataclass(frozen=True)
class AttentionRow:
    """One head's attention for one written word: every step of softmax(q·K/√d)·V. Index 0 of the keys
    is the ViT's summary token, 1.. the patches in reading order."""

    query: np.ndarray  # (d,) what the word position asks for
    keys: np.ndarray  # (1 + patches, d)
    values: np.ndarray  # (1 + patches, d)
    scores: np.ndarray  # (1 + patches,) q · k_j
    scale: float  # 1 / √d
    scaled: np.ndarray  # scores * scale
    weights: np.ndarray  # softmax of the scaled scores: the attention row
    weighted: np.ndarray  # (1 + patches, d) weights_j * v_j
    output: np.ndarray  # (d,) their sum: this head's part of what the layer passes on
    model_weights: np.ndarray  # (1 + patches,) the attention row the model itself returned (output_attentions)
    model_output: np.ndarray  # (d,) the same, as the layer itself computed it (its output projection's input)


def decoder_input(generator: captioning.Generator, words: Sequence[str], word: int) -> torch.Tensor:
    """(1, word + 1) token ids: <bos> and the words before `word`: what the decoder has read when it writes it."""
    return torch.tensor([[captioning.BOS, *generator.vocabulary.encode(" ".join(words))[:word]]])


@one_thread()
def attention_row(
    generator: captioning.Generator, image: np.ndarray, words: Sequence[str], word: int, layer: int, head: int
) -> AttentionRow:
    """The cross-attention of `layer` and `head` at the step that writes words[word], from one pass of the model."""
    model = copy.deepcopy(generator.model)  # the hooks go on a private copy: the shared model stays as it is
    attention = model.decoder.transformer.h[layer].crossattention
    caught: dict[str, torch.Tensor] = {}
    attention.q_attn.register_forward_hook(lambda m, inputs, out: caught.__setitem__("query", out))
    attention.c_attn.register_forward_hook(lambda m, inputs, out: caught.__setitem__("key_value", out))
    attention.c_proj.register_forward_pre_hook(lambda m, inputs: caught.__setitem__("merged", inputs[0]))
    with torch.no_grad():
        out = model(
            pixel_values=captioning.pixel_tensor(image[None]),
            decoder_input_ids=decoder_input(generator, words, word),
            output_attentions=True,
        )
    d = attention.head_dim
    heads = slice(head * d, (head + 1) * d)
    keys, values = caught["key_value"][0].split(attention.split_size, dim=-1)
    query = caught["query"][0, word, heads].numpy()
    keys, values = keys[:, heads].numpy(), values[:, heads].numpy()
    scores = keys @ query
    scaled = scores * attention.scaling
    shifted = np.exp(scaled - scaled.max())
    weights = shifted / shifted.sum()
    weighted = weights[:, None] * values
    return AttentionRow(
        query,
        keys,
        values,
        scores,
        float(attention.scaling),
        scaled,
        weights,
        weighted,
        weighted.sum(0),
        out.cross_attentions[layer][0, head, word].numpy(),
        caught["merged"][0, word, heads].numpy(),
    )
