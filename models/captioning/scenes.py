"""What the captioners are asked to describe: canonical captions, and scenes that break them.

A scene is the list of objects really in a picture, so a caption can be checked word by word. The
stress sets are drawn with the Shapes world's own `draw_shape`, each changing one thing that training
never showed: a colour, a second object, a rotation, clutter, a colour-shape pair, or no shape at all.
A new colour or a second object is painted through the coverage of a drawn shape (how much of each
pixel it covers), so every object keeps the world's anti-aliased look without changing models/core/worlds.py.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from models.core import worlds

SLOTS = ("size", "colour", "shape", "position")  # the order in which the canonical caption says them
SLOT_VALUES = {"size": worlds.SIZES, "colour": worlds.COLOURS, "shape": worlds.SHAPES, "position": worlds.POSITIONS}
SLOT_OF_WORD = {value: slot for slot, names in SLOT_VALUES.items() for value in names}
POSITION_PHRASE = {p: worlds.SYNONYMS[p][0] for p in worlds.POSITIONS}  # "on the left", "at the top", ...
UNSEEN_COLOUR_RGB = {"pink": (236, 112, 180)}  # no training image has it and no caption can say it
# Colour-shape pairs kept out of training, one per colour: the decoder never saw these words follow each other.
HELD_OUT_PAIRS = frozenset(
    {
        ("red", "star"),
        ("orange", "circle"),
        ("yellow", "square"),
        ("green", "triangle"),
        ("blue", "star"),
        ("purple", "circle"),
    }
)
STRESS_SETS = (
    "in_distribution",
    "unseen_colour",
    "two_objects",
    "swapped_positions",
    "rotated_tiny",
    "clutter_noise",
    "held_out_combination",
    "photos",
)
STRESS_SIZE = 96  # images per generated stress set
CLUTTER_NOISE = 0.12  # pixel noise of the clutter set, as a fraction of the full range
PAIRED_POSITIONS = (("left", "right"), ("top", "bottom"))  # two objects there never cover each other
_REFERENCE = "blue"  # drawn only to measure coverage: far from the background colour
_BACKGROUND = np.array(worlds._BACKGROUND, dtype=np.float32)
_OFF_CANVAS = (5.0, 5.0)  # an offset that puts an object's centre far outside the picture

Scene = tuple[dict[str, str], ...]  # the objects in one picture; empty for a photograph


def canonical_caption(obj: Mapping[str, str]) -> str:
    """The one way we say an object, so that 'exactly right' can be measured: 'a small red circle on the left'."""
    return f"a {obj['size']} {obj['colour']} {obj['shape']} {POSITION_PHRASE[obj['position']]}"


def is_held_out(obj: Mapping[str, str]) -> bool:
    return (obj["colour"], obj["shape"]) in HELD_OUT_PAIRS


def colour_rgb(colour: str) -> tuple[int, int, int]:
    return worlds.COLOUR_RGB.get(colour) or UNSEEN_COLOUR_RGB[colour]


@lru_cache(maxsize=512)
def coverage(
    shape: str,
    size: str,
    position: str,
    rotation: float = 0.0,
    offset: tuple[float, float] = (0.0, 0.0),
    tiny: bool = False,
) -> np.ndarray:
    """(H, W) in [0, 1], read-only: how much of each pixel the object covers, read back from a drawing of
    it. Kept, because stress sets draw the same few objects again and again.

    A tiny object is the world's small one drawn on a canvas half as wide, pasted where it belongs.
    """
    side = worlds.IMAGE_SIZE // 2 if tiny else worlds.IMAGE_SIZE
    drawn = worlds.draw_shape(
        shape, _REFERENCE, size, "centre" if tiny else position, rotation=rotation, offset=offset, image_size=side
    ).astype(np.float32)
    ink = _BACKGROUND - np.array(worlds.COLOUR_RGB[_REFERENCE], dtype=np.float32)
    alpha = np.clip((_BACKGROUND - drawn) @ ink / (ink @ ink), 0.0, 1.0)  # (side, side)
    if tiny:
        canvas = np.zeros((worlds.IMAGE_SIZE, worlds.IMAGE_SIZE), dtype=np.float32)
        fx, fy = worlds._POSITION_XY[position]
        x0, y0 = (int(round(f * worlds.IMAGE_SIZE - side / 2)) for f in (fx, fy))
        canvas[y0 : y0 + side, x0 : x0 + side] = alpha
        alpha = canvas
    alpha.flags.writeable = False
    return alpha


def compose(
    objects: Sequence[Mapping[str, str]], rotation: float = 0.0, tiny: bool = False, clutter: list | None = None
) -> np.ndarray:
    """One (H, W, 3) uint8 picture with every object painted over the (optionally cluttered) background."""
    picture = _background(clutter).astype(np.float32)
    for obj in objects:
        alpha = coverage(obj["shape"], obj["size"], obj["position"], rotation, tiny=tiny)[..., None]
        picture = picture * (1 - alpha) + np.array(colour_rgb(obj["colour"]), dtype=np.float32) * alpha
    return np.clip(np.round(picture), 0, 255).astype(np.uint8)


def _background(clutter: list | None) -> np.ndarray:
    """The empty canvas, with clutter lines if any: draw_shape always draws an object, so it goes far off
    the canvas."""
    if not clutter:
        return _plain_background()
    return worlds.draw_shape("circle", "red", "small", "centre", offset=_OFF_CANVAS, clutter=clutter)


@lru_cache(maxsize=1)
def _plain_background() -> np.ndarray:
    return worlds.draw_shape("circle", "red", "small", "centre", offset=_OFF_CANVAS)


def edit(
    obj: Mapping[str, str], changes: Mapping[str, str], noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, dict]:
    """A counterfactual: the same object with some attributes changed (and noise), redrawn. Returns (image, object)."""
    changed = {**obj, **{slot: value for slot, value in changes.items() if value}}
    image = compose([changed])
    return worlds.corrupt_images(image[None], noise, 0.0, seed)[0] if noise > 0 else image, changed


def to_model_image(pixels: np.ndarray) -> np.ndarray:
    """Any RGB picture -> the 32x32 the captioners read: the central square, shrunk by averaging."""
    h, w = pixels.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = Image.fromarray(np.ascontiguousarray(pixels[top : top + side, left : left + side]))
    return np.asarray(square.resize((worlds.IMAGE_SIZE, worlds.IMAGE_SIZE), Image.BOX), dtype=np.uint8)


@lru_cache(maxsize=1)
def photos() -> np.ndarray:
    """(12, 32, 32, 3): six square crops of each photograph that ships with scikit-learn (china, flower),
    read straight from its folder: importing sklearn.datasets would take longer than reading them."""
    folder = Path(importlib.util.find_spec("sklearn").origin).parent / "datasets" / "images"
    crops = []
    for path in sorted(folder.glob("*.jpg")):
        with Image.open(path) as photo:
            picture = np.asarray(photo.convert("RGB"))  # (427, 640, 3)
        h, w = picture.shape[:2]
        for top, left, side in (
            (0, 0, h),
            (0, w - h, h),
            (0, (w - h) // 2, h),
            (0, 0, h // 2),
            (h // 2, w // 2, h // 2),
            (h // 4, w // 3, h // 2),
        ):
            crops.append(to_model_image(picture[top : top + side, left : left + side]))
    return np.stack(crops)


@dataclass(frozen=True)
class StressSet:
    """Pictures and, for each, the objects really in it."""

    name: str
    images: np.ndarray  # (N, H, W, 3) uint8
    scenes: list[Scene]


def world_objects(world: worlds.World, indices: np.ndarray) -> list[Scene]:
    return [(world.describe(int(i)),) for i in indices]


def split_indices(world: worlds.World, split: str, held_out: bool = False) -> np.ndarray:
    """A split's samples whose colour-shape pair is (or is not) one of the held-out pairs."""
    chosen = world.indices(split)
    return np.array([i for i in chosen if is_held_out(world.describe(int(i))) == held_out], dtype=np.int64)


def _random_object(
    rng: np.random.Generator, colour: str | None = None, unlike: Mapping[str, str] | None = None, turnable: bool = False
) -> dict[str, str]:
    """A random object whose colour-shape pair was seen in training (unless `colour` is new); `unlike` another
    object in both shape and colour; `turnable`: not a circle, which looks the same at every angle."""
    while True:
        obj = {slot: str(rng.choice(SLOT_VALUES[slot])) for slot in SLOTS}
        obj["colour"] = colour or obj["colour"]
        clash = unlike is not None and (obj["shape"] == unlike["shape"] or obj["colour"] == unlike["colour"])
        if not is_held_out(obj) and not clash and not (turnable and obj["shape"] == "circle"):
            return obj


def _clutter(rng: np.random.Generator, lines: int = 6) -> list:
    return [(*rng.uniform(0, 1, 4), int(rng.integers(120, 200))) for _ in range(lines)]


def _pair(rng: np.random.Generator, same: bool) -> Scene:
    first = _random_object(rng)
    second = dict(first) if same else _random_object(rng, unlike=first)
    first["position"], second["position"] = PAIRED_POSITIONS[int(rng.integers(len(PAIRED_POSITIONS)))]
    return first, second


def stress_set(name: str, world: worlds.World, seed: int = 0, n: int = STRESS_SIZE) -> StressSet:
    """One curated set: what changes from training is in its name (see STRESS_SETS)."""
    rng = np.random.default_rng([seed, STRESS_SETS.index(name)])
    if name in ("in_distribution", "held_out_combination"):
        indices = split_indices(world, "test", held_out=name == "held_out_combination")
        return StressSet(name, world.images[indices], world_objects(world, indices))
    if name == "photos":
        return StressSet(name, photos(), [() for _ in range(len(photos()))])
    scenes: list[Scene] = []
    images = []
    for i in range(n):
        if name == "unseen_colour":
            scene = (_random_object(rng, colour="pink"),)
            image = compose(scene)
        elif name == "two_objects":  # two copies of one object: the only right caption says "two"
            scene = _pair(rng, same=True)
            image = compose(scene)
        elif name == "swapped_positions":  # pairs of pictures: the same two objects, places exchanged
            if i % 2 == 0:
                scene = _pair(rng, same=False)
            else:
                first, second = (dict(o) for o in scenes[-1])
                first["position"], second["position"] = second["position"], first["position"]
                scene = (first, second)
            image = compose(scene)
        elif name == "rotated_tiny":  # even: turned 20-45 degrees (never a circle); odd: half the small size
            tiny = i % 2 == 1
            obj = _random_object(rng, turnable=not tiny)
            obj["size"] = "small" if tiny else obj["size"]
            angle = 0.0 if tiny else float(rng.choice([-1, 1]) * rng.uniform(20, 45)) * np.pi / 180
            scene = (obj,)
            image = compose(scene, rotation=angle, tiny=tiny)
        elif name == "clutter_noise":
            scene = (_random_object(rng),)
            image = compose(scene, clutter=_clutter(rng))
            image = worlds.corrupt_images(image[None], CLUTTER_NOISE, 0.0, seed + i)[0]
        else:
            raise ValueError(f"unknown stress set {name!r}; choose from {STRESS_SETS}")
        scenes.append(scene)
        images.append(image)
    return StressSet(name, np.stack(images), scenes)
