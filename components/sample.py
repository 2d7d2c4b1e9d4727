"""One sample of a world shown whole: its picture, caption, attributes and sound (heard and seen as a
spectrogram). The home page browses the world with it; the passport page shows the pinned sample."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import figures, ui
from components.i18n import label, t
from models.core import audio, worlds


def show(view: worlds.SampleView, key: str) -> None:
    """Three columns: picture, words, sound; the charts' keys start with `key`."""
    image_col, text_col, sound_col = st.columns([1, 1, 1.4])
    with image_col:
        st.markdown(f"**{t('common.modality.image')}**")
        ui.chart(
            figures.image(view.image, height=260), t("home.image_summary", size=view.image.shape[0]), key=f"{key}_image"
        )
    with text_col:
        st.markdown(f"**{t('common.caption')}**")
        st.markdown(f"> {view.caption}")
        st.markdown(f"**{t('common.attributes')}**")
        names = [t(f"common.attr.{a}") for a in view.attributes]
        values = [label(v) for v in view.attributes.values()]
        ui.table(names, [values])
        st.markdown(t("home.split_of", split=t(f"common.split_{view.split}")))
    with sound_col:
        st.markdown(f"**{t('common.modality.sound')}**")
        st.audio(np.asarray(view.audio), sample_rate=view.sample_rate)
        db = audio.log_mel(view.audio, view.sample_rate)
        times = audio.frame_times(db.shape[1], view.sample_rate, 128)
        khz = audio.mel_band_centres(view.sample_rate, db.shape[0]) / 1000
        fig = figures.spectrogram(
            db,
            times,
            np.round(khz, 2),
            t("home.spectrogram"),
            t("common.time_s"),
            t("common.frequency_khz"),
            height=260,
        )
        band, frame_index = np.unravel_index(int(np.argmax(db)), db.shape)
        ui.chart(fig, t("home.spectrogram_summary", freq=khz[band], time=times[frame_index]), key=f"{key}_spec")
