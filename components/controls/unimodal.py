"""The unimodal page's controls (see components/controls/__init__.py)."""

from components.pretrained import PHOTOS
from components.state import Control
from models.core import nearest, worlds
from models.unimodal import classic

SECTION = Control("unimodal.section", "image", options=("image", "text", "sound", "splits", "cost"))
SAMPLE = Control("unimodal.sample", 0, low=0, step=1)  # a test sample; the count depends on the world
MODEL = {
    m: Control(f"unimodal.{m}_model", classic.DEFAULT_CLASSIFIER[m], options=classic.CLASSIFIERS[m])
    for m in classic.MODALITIES
}
K = Control("unimodal.k", 1, low=1, high=nearest.K_MAX, step=1)
METRIC = Control("unimodal.metric", "euclidean", options=nearest.METRICS)
C = Control("unimodal.C", 1.0, options=classic.C_VALUES)
IMAGE_SOURCE = Control("unimodal.image_source", "world", options=("world", *PHOTOS, "upload"))
SOUND_SOURCE = Control("unimodal.sound_source", "world", options=("world", "upload"))
TASK = Control("unimodal.text_task", worlds.MAIN_ATTRIBUTE["shapes"])  # an attribute of the world, or sentiment
TEXT = Control("unimodal.text", "")  # the page suggests the sample's caption
LABELS = Control("unimodal.labels", "")  # Pretrained mode: CLIP's classes; the page suggests them
FRAME = Control("unimodal.frame", 20, low=0, step=1)  # a spectrogram frame; the count depends on the sound
DATA_MODALITY = Control("unimodal.data_modality", "image", options=classic.MODALITIES)
SWEEP_MODEL = Control("unimodal.sweep_model", "knn", options=("knn", "logistic"))
CONTROLS = (
    SECTION,
    SAMPLE,
    *MODEL.values(),
    K,
    METRIC,
    C,
    IMAGE_SOURCE,
    SOUND_SOURCE,
    TASK,
    TEXT,
    LABELS,
    FRAME,
    DATA_MODALITY,
    SWEEP_MODEL,
)
