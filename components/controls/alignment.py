"""The alignment page's controls (see components/controls/__init__.py)."""

from components.pretrained import photo_control
from components.state import Control
from models.alignment import explicit as al

VIEW = Control("alignment.view", "explicit", options=("explicit", "implicit", "both"))
SAMPLE = Control("alignment.sample", 0, low=0, step=1)  # a test caption; the count depends on the seed
SOURCE = Control("alignment.source", "caption", options=("caption", "typed"))
TEXT = Control("alignment.text", "the little crimson disc on the left")
FEATURE = Control("alignment.feature", "mfcc", options=al.FEATURES)
PATTERN = Control("alignment.pattern", "symmetric1", options=tuple(al.STEP_PATTERNS))
BAND = Control("alignment.band", 0.0, low=0.0, high=0.5, step=0.05)
TEMPO = Control("alignment.tempo", 1.0, low=0.5, high=2.0, step=0.1)
NOISE = Control("alignment.noise", 0.0, low=0.0, high=1.0, step=0.1)
VOICE = Control("alignment.voice", "plain", options=al.VOICES)
REORDER = Control("alignment.reorder", False)
LAYER = Control("alignment.layer", -1, options=(-1, 0, 1))  # -1: the mean over layers
HEAD = Control("alignment.head", -1, options=(-1, 0, 1, 2, 3))  # -1: the mean over heads
TWO = Control("alignment.two", False)
WORD = Control("alignment.word", "red")
CLIP_PHOTO = photo_control("alignment.clip_photo")  # Pretrained mode: CLIP on a real photo
CLIP_WORD = Control("alignment.clip_word", "pagoda")
CONTROLS = (
    VIEW,
    SAMPLE,
    SOURCE,
    TEXT,
    FEATURE,
    PATTERN,
    BAND,
    TEMPO,
    NOISE,
    VOICE,
    REORDER,
    LAYER,
    HEAD,
    TWO,
    WORD,
    CLIP_PHOTO,
    CLIP_WORD,
)
