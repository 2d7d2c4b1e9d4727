"""The fusion page's controls (see components/controls/__init__.py)."""

from components.state import Control
from models.fusion import strategies as fusion
from models.fusion import uses as fusion_uses

TASK = Control("fusion.task", "redundant", options=fusion.TASKS)
SUBSET = Control("fusion.modalities", "image+sound", options=fusion.SUBSETS)
FOCUS = Control("fusion.focus", "early", options=(*fusion.MODALITIES, *fusion.FUSION))
CURVE = Control("fusion.curve", "image", options=fusion.MODALITIES)
LEVEL = {m: Control(f"fusion.level_{m}", 0.0, low=0.0, high=1.0, step=0.1) for m in fusion.MODALITIES}
MISSING = {m: Control(f"fusion.missing_{m}", False) for m in fusion.MODALITIES}
SAMPLE = Control("fusion.sample", 0, low=0, step=1)  # a test sample; the count depends on the world
REMOVAL = Control(
    "fusion.removal", "shuffled", options=fusion_uses.BASELINES
)  # how "what each uses" removes a modality
DRILL_ROW = Control("fusion.drill_row", 0, low=0, step=1)  # the test row inside the tensor product
DRILL_STEPS = ("vectors", "outer", "weights", "terms", "softmax")
DRILL_STEP = Control("fusion.drill_step", DRILL_STEPS[0], options=DRILL_STEPS)
CONTROLS = (TASK, SUBSET, FOCUS, CURVE, *LEVEL.values(), *MISSING.values(), SAMPLE, REMOVAL, DRILL_ROW, DRILL_STEP)
