"""The representation page's controls (see components/controls/__init__.py)."""

from components.state import Control
from models import representation as rep

# example captions per world: the first is the caption box's default
EXAMPLES = {
    "shapes": ("a purple star", "a big blue square on the left", "a tiny crimson disc at the top", "a green triangle"),
    "digits": ("seven", "the digit three", "a handwritten zero"),
}
# Pretrained mode: captions CLIP measures against the two photos and two pictures of the world
CLIP_EXAMPLES = {
    "shapes": (
        "a pagoda above a lake",
        "an orange flower",
        "a drawing of a red circle",
        "a drawing of a blue square",
        "a dog running on a beach",
    ),
    "digits": (
        "a pagoda above a lake",
        "an orange flower",
        "a blurry handwritten digit 3",
        "a blurry handwritten digit 7",
        "a dog running on a beach",
    ),
}

STRENGTH = Control("representation.strength", rep.DEFAULT_STRENGTH, options=rep.STRENGTHS)
ATTRIBUTE = Control("representation.attribute", "shape")  # one of the world's attributes
PROJECTION = Control("representation.projection", rep.PROJECTIONS[0], options=rep.PROJECTIONS)
DIMS = Control("representation.dims", 2, options=(2, 3))
CAPTION = Control("representation.caption", EXAMPLES["shapes"][0])
SAMPLE = Control("representation.sample", 0, low=0, step=1)  # the asked test sample; the count depends on the world
# which modalities the asked sample still has: one tick box each
PRESENT = {m: Control(f"representation.has_{m}", True) for m in rep.MODALITIES}
THUMBNAILS = Control("representation.thumbnails", False)  # the maps draw the samples' own pictures
CLIP_CAPTIONS = Control("representation.clip_captions", "\n".join(CLIP_EXAMPLES["shapes"]))
TAB = Control("representation.tab", "retrieval", options=("retrieval", "zero_shot"))
CHOSEN = Control("representation.chosen", -1, low=-1, step=1)  # the sample clicked in a map (a world row), -1: none
CONTROLS = (
    *PRESENT.values(),
    SAMPLE,
    STRENGTH,
    ATTRIBUTE,
    PROJECTION,
    DIMS,
    THUMBNAILS,
    CAPTION,
    CLIP_CAPTIONS,
    TAB,
    CHOSEN,
)
