"""The captioning page's controls (see components/controls/__init__.py)."""

from components.pretrained import photo_control
from components.state import Control
from models.captioning import captioners as captioning
from models.captioning import scenes
from models.core import worlds

SOURCE = Control("captioning.source", "sample", options=("sample", "photo", "upload"))
SAMPLE = Control("captioning.sample", 0, low=0, step=1)  # a test picture; the count depends on the seed
PHOTO = Control("captioning.photo", 0, low=0, step=1)  # a crop of a real photo
DECODING = Control("captioning.decoding", "greedy", options=captioning.DECODINGS)
BEAMS = Control("captioning.beams", 3, low=2, high=8, step=1)
# the slider's steps: a URL may only pick one
TEMPERATURE = Control("captioning.temperature", 1.0, options=tuple(round(0.1 * i, 1) for i in range(1, 31)))
K = Control("captioning.k", captioning.DEFAULT_K, low=1, high=15, step=1)
EDITS = {
    slot: Control(f"captioning.edit_{slot}", "", options=("", *values))
    for slot, values in (
        ("colour", (*worlds.COLOURS, *scenes.UNSEEN_COLOUR_RGB)),
        ("shape", worlds.SHAPES),
        ("size", worlds.SIZES),
        ("position", worlds.POSITIONS),
    )
}  # "": keep the picture's own
NOISE = Control("captioning.noise", 0.0, options=tuple(round(0.05 * i, 2) for i in range(11)))
STRESS = Control("captioning.stress", "unseen_colour", options=scenes.STRESS_SETS)
# Pretrained mode: the captioner's own picture, and the word, layer and head whose attention is drawn
PRE_PICTURE = Control("captioning.pre_picture", "photo", options=("photo", "above"))
PRE_PHOTO = photo_control("captioning.pre_photo")
PRE_WORD = Control("captioning.pre_word", 0, low=0, step=1)
PRE_LAYER = Control("captioning.pre_layer", -1, low=-1, step=1)  # -1: the mean over layers
PRE_HEAD = Control("captioning.pre_head", -1, low=-1, step=1)  # -1: the mean over heads
CONTROLS = (
    SOURCE,
    SAMPLE,
    PHOTO,
    DECODING,
    BEAMS,
    TEMPERATURE,
    K,
    *EDITS.values(),
    NOISE,
    STRESS,
    PRE_PICTURE,
    PRE_PHOTO,
    PRE_WORD,
    PRE_LAYER,
    PRE_HEAD,
)
