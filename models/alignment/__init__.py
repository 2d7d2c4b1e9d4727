"""The alignment lesson: which part of one modality goes with which part of another.

explicit.py: forced alignment of a spoken caption to its transcript by dynamic time warping, the
correspondence itself being the answer. implicit.py: alignment as a by-product of another task, read
from the captioner's cross-attention and from a coordinated model's occlusion sensitivity.
drilldown.py: one DTW cell, opened up.
"""
