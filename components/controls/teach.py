"""The teach page's controls (see components/controls/__init__.py). The class names and recordings are
the visitor's own: they never go into a link."""

from components.state import Control
from models import teach

CLASSES = Control("teach.classes", 3, low=teach.MIN_CLASSES, high=teach.MAX_CLASSES, step=1)
COVER_IMAGE = Control("teach.cover_image", False)  # the camera covered: no picture
COVER_SOUND = Control("teach.cover_sound", False)  # silence: no sound
RECORD_FOR = Control("teach.for", 0, options=tuple(range(teach.MAX_CLASSES)))  # the class being recorded
CONTROLS = (CLASSES, COVER_IMAGE, COVER_SOUND, RECORD_FOR)
