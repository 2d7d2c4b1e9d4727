"""Home: what multimodal means, the five challenges, early vs late fusion, and the world browser."""

from pathlib import Path

import numpy as np
import streamlit as st

from components import figures, sample, settings, state, ui
from components.cache import shared
from components.controls.home import SAMPLE
from components.i18n import t
from models.core import worlds

PAGE = "home"
SENSE_COLUMNS = ("sense", "modality", "receives")
CHALLENGE_PAGES = {
    "representation": "representation",
    "translation": "captioning",
    "alignment": "alignment",
    "fusion": "fusion",
    "colearning": "colearning",
}

conf = ui.page_start(
    PAGE,
    [
        state.Step(f"{PAGE}.step_world", {settings.WORLD: "shapes", SAMPLE: 0}, focus="home_image"),
        state.Step(f"{PAGE}.step_other", {settings.WORLD: "shapes", SAMPLE: 7}, focus="home_image"),
        state.Step(f"{PAGE}.step_digits", {settings.WORLD: "digits", SAMPLE: 3}, focus="home_spec"),
    ],
)
world = shared.world(conf.world, conf.seed)


def fusion_picture() -> None:
    blue, orange, green, grey = figures.CATEGORICAL[0], figures.CATEGORICAL[1], figures.CATEGORICAL[2], "#666"
    modalities = [("image", 0.0), ("text", -0.7), ("sound", -1.4)]
    nodes, edges = {}, []
    for row, offset in (("early", 0.0), ("late", -3.2)):
        nodes[f"{row}_title"] = (-0.2, offset + 0.7, f"<b>{t(f'home.{row}')}</b>", "#333")
        for name, dy in modalities:
            nodes[f"{row}_{name}"] = (0.0, offset + dy, t(f"common.modality.{name}"), blue)
        if row == "early":
            nodes["early_join"] = (2.0, offset - 0.7, t("home.join"), orange)
            nodes["early_model"] = (3.6, offset - 0.7, t("home.model"), green)
            nodes["early_out"] = (5.2, offset - 0.7, t("home.prediction"), grey)
            edges += [(f"early_{n}", "early_join") for n, _ in modalities]
            edges += [("early_join", "early_model"), ("early_model", "early_out")]
        else:
            for name, dy in modalities:
                nodes[f"late_model_{name}"] = (2.0, offset + dy, t("home.model"), green)
                edges += [(f"late_{name}", f"late_model_{name}"), (f"late_model_{name}", "late_combine")]
            nodes["late_combine"] = (3.6, offset - 0.7, t("home.combine"), orange)
            nodes["late_out"] = (5.2, offset - 0.7, t("home.prediction"), grey)
            edges.append(("late_combine", "late_out"))
    st.subheader(t("home.fusion_title"))
    ui.chart(figures.flow_diagram(nodes, edges, height=380), key="home_fusion", wide=True)
    ui.explain("home.fusion_text")


def challenges() -> None:
    st.subheader(t("home.challenges_title"))
    ui.explain("home.challenges_intro")
    columns = st.columns(len(CHALLENGE_PAGES))
    for column, (challenge, page) in zip(columns, CHALLENGE_PAGES.items()):
        with column, st.container(border=True):
            st.markdown(t(f"home.{challenge}"))
            if (Path(__file__).parent / f"{page}.py").exists():
                st.page_link(f"lessons/{page}.py", label=t("home.open_page"))


def browser() -> None:
    st.subheader(t("home.browse_title"))
    n = len(world)
    counts = np.bincount(world.split, minlength=3)
    st.caption(t("home.world_summary", n=n, train=counts[0], validation=counts[1], test=counts[2]))
    view = worlds.sample_view(world, ui.sample_picker(SAMPLE, n, t("home.sample_index"), rows=range(n)))
    ui.explain("home.browse_help")
    sample.show(view, key="home")


browser()
st.divider()
st.subheader(t("home.senses_title"))
ui.table(
    [t(f"home.senses.header.{c}") for c in SENSE_COLUMNS],
    [[t(f"home.senses.{m}.{c}") for c in SENSE_COLUMNS] for m in ("image", "text", "sound")],
)
challenges()
fusion_picture()
ui.page_end()
