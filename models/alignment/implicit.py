"""Implicit alignment: a by-product of another task.

The generative captioner (models/captioning/captioners.py) was trained only to write captions, yet each
word it writes comes with a cross-attention distribution over the 16 image patches: where it looked. The
coordinated representation model (models/representation.py) gives a second view, free of attention: how
much a word's similarity to the picture drops when one patch is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from models.captioning import scenes
from models.core import worlds

if TYPE_CHECKING:  # models.captioning.captioners imports torch (~3 s): loaded when first needed
    from models.captioning import captioners as captioning

# ---------------------------------------------------------------- implicit alignment: cross-attention
PATCH = 8  # pixels per side of the captioner's patches (captioning.PATCH_SIZE, checked by a test)
GRID = worlds.IMAGE_SIZE // PATCH
OBJECT_PATCH = 0.1  # a patch belongs to the object when the object covers at least this share of it


def attention_view(cross_attention: np.ndarray, layer: int | None, head: int | None) -> np.ndarray:
    """(layers, heads, ...) -> (...) for one layer and head, or the mean over them (None): e.g. a caption's
    (layers, heads, words, patches) attention -> (words, patches)."""
    chosen = cross_attention if layer is None else cross_attention[layer : layer + 1]
    chosen = chosen if head is None else chosen[:, head : head + 1]
    return chosen.mean(axis=(0, 1))


def object_coverages(image: np.ndarray, objects: Sequence[dict[str, str]]) -> np.ndarray:
    """(H, W, 3) and the objects in it -> (objects, patches): the share of each patch's pixels that show each
    object (not background, and nearest to that object's colour), read from the picture itself."""
    pixels = image.astype(np.float32)
    ink = np.abs(pixels - np.array(worlds._BACKGROUND, dtype=np.float32)).max(-1) > 30  # (H, W)
    colours = np.array([scenes.colour_rgb(o["colour"]) for o in objects], dtype=np.float32)  # (objects, 3)
    nearest = ((pixels[:, :, None, :] - colours) ** 2).sum(-1).argmin(-1)  # (H, W)
    masks = np.stack([ink & (nearest == k) for k in range(len(objects))]).astype(np.float32)  # (objects, H, W)
    return masks.reshape(len(objects), GRID, PATCH, GRID, PATCH).mean(axis=(2, 4)).reshape(len(objects), -1)


def on_object(weights: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """(words, patches) attention -> (words,) share of it on the object's patches."""
    return weights[:, coverage >= OBJECT_PATCH].sum(-1)


def teacher_forced_attention(
    generator: captioning.Generator, images: np.ndarray, captions: Sequence[str]
) -> np.ndarray:
    """Cross-attention while the captioner reads given captions (teacher forcing), for many pictures in one pass.

    Returns (N, layers, heads, words, patches): row w is the step that predicts word w, over the patches
    (the ViT's summary token dropped and the rest renormalised, as in captioning.caption_with_attention).
    Captions must have the same number of words.
    """
    import torch

    from models.captioning import captioners as captioning
    from models.core import classifiers

    word_ids = [generator.vocabulary.encode(c)[:-1] for c in captions]  # without <eos>
    ids = torch.tensor(
        [[captioning.BOS] + w[:-1] for w in word_ids]
    )  # (N, words): what the decoder has read before each word
    with torch.no_grad(), classifiers.one_thread():
        out = generator.model(
            pixel_values=captioning.pixel_tensor(images), decoder_input_ids=ids, output_attentions=True
        )
    patches = torch.stack(out.cross_attentions).numpy()[..., 1:]  # (layers, N, heads, words, patches)
    return np.moveaxis(patches / patches.sum(-1, keepdims=True), 1, 0)


def attention_by_slot(
    generator: captioning.Generator, world: worlds.World, indices: np.ndarray
) -> dict[str, np.ndarray]:
    """Over test pictures read with their true canonical captions: for each word position of "a {size}
    {colour} {shape} {preposition} the {position}", the share of attention on the object per layer and
    head, (layers, heads, words), and the share of patches the object covers (uniform attention's share)."""
    images = world.images[indices]
    captions = [scenes.canonical_caption(world.describe(int(i))) for i in indices]
    attention = teacher_forced_attention(generator, images, captions)  # (N, L, H, W, P)
    mask = np.stack(
        [object_coverages(image, [world.describe(int(i))])[0] >= OBJECT_PATCH for image, i in zip(images, indices)]
    )  # (N, P)
    share = (attention * mask[:, None, None, None, :]).sum(-1)  # (N, L, H, W)
    return {"share": share.mean(0), "chance": np.array(mask.mean()), "words": np.array(captions[0].split())}


def spotlight(image: np.ndarray, weights: np.ndarray, scale: int = 4) -> np.ndarray:
    """(H, W, 3) picture and (patches,) attention -> the picture enlarged, each patch dimmed by how little
    attention it got (the most-attended patch at full brightness): where the model looked, without colour."""
    light = (weights / max(float(weights.max()), 1e-9)).reshape(GRID, GRID)
    light = np.kron(0.15 + 0.85 * light, np.ones((PATCH * scale, PATCH * scale)))[..., None]
    big = np.repeat(np.repeat(image, scale, 0), scale, 1).astype(np.float32)
    return np.clip(big * light + 20 * (1 - light), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- implicit alignment: a coordinated model
def occluded(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) -> (patches, H, W, 3): the picture once per patch, that patch painted background."""
    copies = np.repeat(image[None], GRID * GRID, axis=0)
    for p in range(GRID * GRID):
        row, col = divmod(p, GRID)
        copies[p, row * PATCH : (row + 1) * PATCH, col * PATCH : (col + 1) * PATCH] = worlds._BACKGROUND
    return copies


def word_region_similarity(model, image: np.ndarray, word: str) -> tuple[float, np.ndarray]:
    """A coordinated model's cosine between a word and the picture, and (patches,) how much it drops when
    each patch is hidden (occlusion sensitivity): positive where the picture shows what the word says."""
    from models import representation

    pictures = representation.embed_images(model, np.concatenate([image[None], occluded(image)]))  # (1 + P, D)
    similarity = representation.similarity(representation.embed_texts(model, [word]), pictures)[0]
    return float(similarity[0]), similarity[0] - similarity[1:]


def two_objects(obj: dict[str, str]) -> tuple[np.ndarray, tuple[dict[str, str], dict[str, str]]]:
    """The object and a second one unlike it in shape and colour, side by side: what does each word look at?"""
    pair = next((p for p in scenes.PAIRED_POSITIONS if obj["position"] in p), scenes.PAIRED_POSITIONS[0])
    first = {**obj, "position": obj["position"] if obj["position"] in pair else pair[0]}
    other = {
        "shape": worlds.SHAPES[(worlds.SHAPES.index(obj["shape"]) + 2) % len(worlds.SHAPES)],
        "colour": worlds.COLOURS[(worlds.COLOURS.index(obj["colour"]) + 3) % len(worlds.COLOURS)],
        "size": obj["size"],
        "position": pair[1 - pair.index(first["position"])],
    }
    return scenes.compose([first, other]), (first, other)
