"""The DTW warping path of one forced alignment, drawn over its cost matrix: the alignment page's
explicit section and the passport's sample show the same chart."""

from __future__ import annotations

import numpy as np

from components import figures, ui
from components.cache import shared
from components.i18n import t
from models.alignment import explicit as al

MAX_DRAWN = 260  # frames per axis of the drawn cost matrix


def spans(starts, ends) -> list[tuple[float, float]]:
    """Words' (start, end) times as plain floats, for a figure builder's cached arguments."""
    return [(float(a), float(b)) for a, b in zip(starts, ends)]


def warping_path(found: al.Explicit, settings: al.Settings, key: str, height: int = 460) -> None:
    """The cost matrix between the recording and the reader (blank outside a Sakoe-Chiba band), the path
    DTW found through it, and the words' true spans on both axes."""
    every = max(1, -(-max(found.cost.shape) // MAX_DRAWN))  # draw every n-th frame of long sequences
    band = settings.band
    allowed = al.band_mask(found.cost.shape, band) if band > 0 else np.ones(found.cost.shape, dtype=bool)
    drawn = np.where(allowed, found.cost, np.nan)[::every, ::every]  # outside the band: blank
    x, y = (
        al.seconds_of(np.arange(0, found.cost.shape[0], every)),
        al.seconds_of(np.arange(0, found.cost.shape[1], every)),
    )
    path = None if found.path is None else (al.seconds_of(found.path[:, 0]), al.seconds_of(found.path[:, 1]))
    rec, reader = found.recording, found.reader
    fig = shared.figure(
        figures.warping_path,
        drawn.T,
        x,
        y,
        path,
        spans(rec.starts, rec.ends),
        list(found.words),
        spans(reader.starts, reader.ends),
        list(found.words),
        t("alignment.matrix_title"),
        t("alignment.recording_axis"),
        t("alignment.reader_axis"),
        t("alignment.distance"),
        height=height,
    )
    if found.path is None:
        summary = t("alignment.matrix_no_path", pattern=t(f"alignment.pattern_{settings.pattern}"))
    else:
        summary = t(
            "alignment.matrix_summary",
            steps=len(found.path),
            total=found.total,
            mean=found.total / len(found.path),
            frames_q=found.cost.shape[0],
            frames_r=found.cost.shape[1],
        )
    ui.chart(fig, summary, key=key)
