"""The co-learning page's controls (see components/controls/__init__.py)."""

from components.state import Control
from models import colearning

BUDGET = Control("colearning.budget", 2, options=colearning.LABELS_PER_CLASS)
WRONG = Control("colearning.wrong", 0.0, options=colearning.LABEL_NOISE)
NOISE = Control("colearning.noise", 0.0, options=colearning.SOUND_NOISE)
# the teacher's noise level; each world has its own list of levels
TEACHER = Control("colearning.teacher", 0, options=range(max(map(len, colearning.TEACHER_NOISE.values()))))
SAMPLE = Control("colearning.sample", 0, low=0, step=1)  # a test sample; the count depends on the world
CELL = Control("colearning.cell", "")  # the clicked cell of the pseudo-label matrix, "<true>-<called>"; "": none
CONTROLS = (BUDGET, WRONG, NOISE, TEACHER, SAMPLE, CELL)
