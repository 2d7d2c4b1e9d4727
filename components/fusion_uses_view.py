"""The fusion page's "what each strategy uses": each modality's Shapley share of every strategy's accuracy
and EMAP's interaction score (models/fusion/uses.py), then the same score on all three tasks."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components import figures, i18n, ui
from components.cache import fusion as fusion_cache
from components.cache import shared
from components.controls.fusion import REMOVAL
from components.i18n import t
from models.fusion import strategies as fusion

PAGE = "fusion"


def points(value: float) -> str:
    """An accuracy difference in percentage points, never "-0.0"."""
    return f"{round(value * 100, 1) + 0.0:+.1f}"


def section(world: str, seed: int, task: str, modalities: tuple[str, ...], focus: str, short: Callable) -> None:
    """Both charts for the lab on screen; `short` names a strategy or modality in the visitor's language."""
    st.subheader(t(f"{PAGE}.uses_title"))
    ui.explain(f"{PAGE}.uses_help")
    REMOVAL.bind()
    st.radio(
        t(f"{PAGE}.removal"),
        REMOVAL.options,
        format_func=i18n.shown_as({b: t(f"{PAGE}.removal_{b}") for b in REMOVAL.options}),
        key=REMOVAL.key,
        horizontal=True,
    )
    subset = "+".join(modalities)
    uses = fusion_cache.uses(world, seed, task, subset, REMOVAL.value)
    shown = (*modalities, *fusion.FUSION)
    focus = focus if focus in shown else fusion.FUSION[0]
    shares, gaps = st.columns(2)
    with shares:
        series = {t(f"common.modality.{m}"): [100 * uses.contributions[s][m] for s in shown] for m in modalities}
        low, high = min(0.0, *(min(v) for v in series.values())), max(1.0, *(max(v) for v in series.values()))
        low -= 0.25 * (high - low) if low < 0 else 0.0  # room for a negative value written left of its bar
        fig = shared.figure(
            figures.grouped_bars,
            [short(s) for s in shown],
            series,
            title=t(f"{PAGE}.uses_shares_title"),
            value_label=t(f"{PAGE}.uses_points"),
            height=120 + 26 * len(shown) * len(modalities),
            value_format="{:+.1f}",
            value_range=(low, high),
            horizontal=True,
        )
        ui.chart(
            fig,
            t(
                f"{PAGE}.uses_shares_summary",
                strategy=short(focus),
                shares=i18n.join(
                    f"{t(f'common.modality.{m}')} {points(uses.contributions[focus][m])}" for m in modalities
                ),
                base=f"{uses.base(focus):.1%}",
                accuracy=f"{uses.accuracy[focus]:.1%}",
            ),
            key="fusion_uses_shares",
        )
    with gaps:
        fig = shared.figure(
            figures.grouped_bars,
            [short(s) for s in fusion.FUSION],
            {
                t(f"{PAGE}.uses_model"): [uses.accuracy[s] for s in fusion.FUSION],
                t(f"{PAGE}.uses_additive"): [uses.additive[s] for s in fusion.FUSION],
            },
            title=t(f"{PAGE}.uses_emap_title"),
            value_label=t(f"{PAGE}.accuracy"),
            height=120 + 52 * len(fusion.FUSION),
            reference=1 / fusion.n_classes(world, task, len(modalities)),
            reference_label=t(f"{PAGE}.chance"),
            horizontal=True,
        )
        ui.chart(
            fig,
            t(
                f"{PAGE}.uses_emap_summary",
                strategy=short(focus),
                accuracy=f"{uses.accuracy[focus]:.1%}",
                additive=f"{uses.additive[focus]:.1%}",
                gap=points(uses.interaction[focus]),
            ),
            key="fusion_uses_emap",
        )
    st.markdown(
        t(
            f"{PAGE}.uses_measured",
            task=t(f"{PAGE}.task_{task}"),
            early=points(uses.interaction["early"]),
            tensor=points(uses.interaction["tensor"]),
            average=points(uses.interaction["late_average"]),
            learned=points(uses.interaction["late_learned"]),
        )
    )
    compare_tasks(world, seed, modalities, short)


def compare_tasks(world: str, seed: int, modalities: tuple[str, ...], short: Callable) -> None:
    """Every fusion strategy's interaction score on the three tasks, drawn only when opened: for a seed
    without stored weights, the two other tasks' labs have to be trained first."""
    box = st.expander(t(f"{PAGE}.uses_compare_title"), key=f"{PAGE}.uses_compare", on_change="rerun")
    if not box.open:
        return
    subset = "+".join(modalities)
    with box:
        slot = st.empty()
        for task in fusion.TASKS:  # training for another seed reports here
            fusion_cache.lab(
                world,
                seed,
                task,
                subset,
                lambda f, message, task=task: slot.progress(f, text=t(f"{PAGE}.training", step=f"{task} · {message}")),
            )
        slot.empty()
        scores = {
            task: fusion_cache.uses(world, seed, task, subset, REMOVAL.value).interaction for task in fusion.TASKS
        }
        header = [t(f"{PAGE}.col_strategy"), *(t(f"{PAGE}.task_{task}") for task in fusion.TASKS)]
        rows = [[short(s), *(points(scores[task][s]) for task in fusion.TASKS)] for s in fusion.FUSION]
        ui.table(header, rows, "l" + "r" * len(fusion.TASKS))
        st.markdown(
            t(
                f"{PAGE}.uses_compare_measured",
                early_redundant=points(scores["redundant"]["early"]),
                early_synergy=points(scores["synergy"]["early"]),
                tensor_redundant=points(scores["redundant"]["tensor"]),
                tensor_synergy=points(scores["synergy"]["tensor"]),
            )
        )
