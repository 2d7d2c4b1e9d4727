"""The fusion page's drill-down into one tensor-fusion product, opened under the tensor model's diagram:
one test row's embeddings with the 1 appended, their outer product, the head's weights that read it, each
cell's share of the logit and the softmax, stepped or played. Every number comes from
models/fusion/drilldown.py, which runs the page's own trained model."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import streamlit as st

from components import figures, ui
from components.cache import fusion as fusion_cache
from components.cache import shared
from components.controls.fusion import DRILL_ROW, DRILL_STEP, DRILL_STEPS
from components.i18n import shown_as, t
from models.fusion import drilldown as fusion_drill
from models.fusion import lab as fusion_lab
from models.fusion import strategies as fusion
from models.fusion import uses as fusion_uses
from models.fusion.lab import Bank
from models.fusion.strategies import Lab

PAGE = "fusion"
PLAYING = f"{PAGE}.drill_playing"
TICKED = f"{PAGE}.drill_ticked"  # when the step last moved while playing
TICK_SECONDS = 2.0  # while playing, the next step comes this often: time to read its numbers


def section(lab: Lab, bank: Bank, world: str, seed: int, classes: list[str]) -> None:
    """An expander under the diagram, drawn only when opened (the page's other charts need no grid). The
    row and the play button rerun the page: a fragment's own rerun could not start its timer."""
    box = st.expander(t(f"{PAGE}.drill_title"), key=f"{PAGE}.drill_open", on_change="rerun")
    if not box.open:
        return
    with box:
        ui.explain(f"{PAGE}.drill_help")
        n = len(fusion_lab.test_task(lab, bank)[1])
        DRILL_ROW.bind(high=n - 1)
        DRILL_STEP.bind()
        picker, play = st.columns([1.2, 1], vertical_alignment="bottom")
        picker.number_input(t(f"{PAGE}.drill_row", n=n), **DRILL_ROW.limits(high=n - 1))
        play.button(
            t(f"{PAGE}.drill_pause" if st.session_state.get(PLAYING) else f"{PAGE}.drill_play"),
            key=f"{PAGE}.drill_play_button",
            on_click=_play,
        )
        st.fragment(_body, run_every=TICK_SECONDS if st.session_state.get(PLAYING) else None)(
            lab, bank, world, seed, classes
        )


def _play() -> None:
    playing = not st.session_state.get(PLAYING, False)
    st.session_state[PLAYING] = playing
    st.session_state[TICKED] = time.monotonic()
    if playing and DRILL_STEP.value == DRILL_STEPS[-1]:  # from the start again
        st.session_state[DRILL_STEP.key] = DRILL_STEPS[0]


def _advance() -> None:
    """While playing, once a tick has passed: the next step, before the step slider is drawn; at the
    last one, stop (a full rerun, so the timer stops too). The run that the play button starts shows
    the step it starts from."""
    if not st.session_state.get(PLAYING) or time.monotonic() - st.session_state.get(TICKED, 0.0) < 0.8 * TICK_SECONDS:
        return
    st.session_state[TICKED] = time.monotonic()
    at = DRILL_STEPS.index(DRILL_STEP.value)
    if at + 1 < len(DRILL_STEPS):
        st.session_state[DRILL_STEP.key] = DRILL_STEPS[at + 1]
    if at + 2 >= len(DRILL_STEPS):
        st.session_state[PLAYING] = False
        st.rerun()


def _body(lab: Lab, bank: Bank, world: str, seed: int, classes: list[str]) -> None:
    """The part that redraws on each tick while playing (and when the step slider moves)."""
    rows, labels = fusion_lab.test_task(lab, bank)
    _advance()
    st.select_slider(
        t(f"{PAGE}.drill_step"),
        DRILL_STEPS,
        key=DRILL_STEP.key,
        format_func=shown_as({s: f"{i + 1}. {t(f'{PAGE}.drill_step_{s}')}" for i, s in enumerate(DRILL_STEPS)}),
    )
    row = DRILL_ROW.value
    positions = rows[:, row]
    parts = [p[0] for p in fusion_uses.standardised(lab, bank, rows[:, [row]])]
    inside = fusion_drill.tensor_product(lab, parts)
    model_p = fusion_lab.predict(lab, {m: bank.features[m][0][[p]] for m, p in zip(lab.modalities, positions)})
    chosen = int(inside.probabilities.argmax())
    _row_inputs(lab, bank, world, seed, positions)
    st.markdown(
        t(
            f"{PAGE}.drill_row_says",
            truth=classes[labels[row]],
            predicted=classes[chosen],
            p=f"{model_p['tensor'][0][chosen]:.1%}",
        )
    )
    STEP_VIEWS[DRILL_STEP.value](lab, inside, classes, chosen, model_p["tensor"][0])


def _row_inputs(lab: Lab, bank: Bank, world: str, seed: int, positions: np.ndarray) -> None:
    """What this row's modalities are: the 8x8 picture the model reads, the caption; a sound is named."""
    for column, m, position in zip(st.columns(len(lab.modalities)), lab.modalities, positions):
        with column:
            if m == "image":
                pixels = bank.features["image"][0][position].reshape(fusion.THUMBNAIL, fusion.THUMBNAIL, 3)
                st.image(np.kron((pixels * 255).astype(np.uint8), np.ones((8, 8, 1), np.uint8)), width=96)
            elif m == "text":
                st.caption(f"“{fusion_cache.captions(world, seed, 0.0)[position]}”")
            else:
                st.caption(t(f"{PAGE}.drill_sound", n=int(position)))


def _names(lab: Lab, k: int) -> list[str]:
    """The cells of modality k's [1, z]: "1", then its numbers z1 .. ze."""
    return ["1", *(f"{t(f'common.modality.{lab.modalities[k]}')} z{i}" for i in range(1, fusion.TENSOR_EMBED + 1))]


def _grid(lab: Lab, values: np.ndarray, title: str, colorbar: str, key: str, summary: str, limit=None, outline=()):
    """One (e+1)^k grid as rows of the first modality against the other modalities' cells, with numbers."""
    names = [_names(lab, k) for k in range(len(lab.modalities))]
    columns = names[1]
    for more in names[2:]:
        columns = [f"{a} · {b}" for a in columns for b in more]
    matrix = values.reshape(len(names[0]), -1)
    fig = shared.figure(
        figures.number_grid,
        matrix,
        columns,
        names[0],
        title=title,
        xlabel=" · ".join(t(f"common.modality.{m}") for m in lab.modalities[1:]),
        ylabel=t(f"common.modality.{lab.modalities[0]}"),
        colorbar=colorbar,
        height=460 if matrix.size <= 100 else 360,
        limit=limit,
        outline=tuple(outline),
    )
    ui.chart(fig, summary, key=key, wide=True)


def _vectors(lab: Lab, inside: fusion_drill.TensorProduct, classes: list[str], chosen: int, model_p) -> None:
    fig = shared.figure(
        figures.number_grid,
        np.stack(inside.vectors),
        ["1", *(f"z{i}" for i in range(1, fusion.TENSOR_EMBED + 1))],
        [t(f"common.modality.{m}") for m in lab.modalities],
        title=t(f"{PAGE}.drill_vectors_title"),
        height=90 + 50 * len(lab.modalities),
    )
    ui.chart(fig, t(f"{PAGE}.drill_vectors_summary", e=fusion.TENSOR_EMBED), key="fusion_drill_vectors", wide=True)


def _cell(inside: fusion_drill.TensorProduct) -> tuple[int, ...]:
    """The interaction cell with the largest product (every index past the appended 1): an example to follow."""
    shares = np.where(np.indices(inside.product.shape).min(0) > 0, np.abs(inside.product), -1.0)
    return tuple(int(i) for i in np.unravel_index(shares.argmax(), shares.shape))


def _flat(cell: tuple[int, ...], side: int) -> tuple[int, int]:
    """A cell of the (e+1)^k product as (row, column) of the grid that shows it."""
    column = 0
    for i in cell[1:]:
        column = column * side + i
    return cell[0], column


def _outer(lab: Lab, inside: fusion_drill.TensorProduct, classes: list[str], chosen: int, model_p) -> None:
    cell = _cell(inside)
    factors = [inside.vectors[k][i] for k, i in enumerate(cell)]
    _grid(
        lab,
        inside.product,
        t(f"{PAGE}.drill_outer_title", cells=inside.product.size),
        t(f"{PAGE}.drill_product"),
        "fusion_drill_outer",
        t(
            f"{PAGE}.drill_outer_summary",
            factors=" × ".join(f"{v:+.2f}" for v in factors),
            value=f"{inside.product[cell]:+.2f}",
            own=int(fusion_drill.own_terms(inside).sum()),
            cells=inside.product.size,
        ),
        outline=[_flat(cell, fusion.TENSOR_EMBED + 1)],
    )


def _weights(lab: Lab, inside: fusion_drill.TensorProduct, classes: list[str], chosen: int, model_p) -> None:
    _grid(
        lab,
        inside.weights[chosen],
        t(f"{PAGE}.drill_weights_title", c=classes[chosen]),
        t(f"{PAGE}.drill_weight"),
        "fusion_drill_weights",
        t(
            f"{PAGE}.drill_weights_summary",
            classes=len(classes),
            weights=inside.weights.size,
            c=classes[chosen],
            bias=f"{inside.bias[chosen]:+.2f}",
        ),
    )


def _terms(lab: Lab, inside: fusion_drill.TensorProduct, classes: list[str], chosen: int, model_p) -> None:
    terms = inside.terms[chosen]
    own = fusion_drill.own_terms(inside)
    _grid(
        lab,
        terms,
        t(f"{PAGE}.drill_terms_title", c=classes[chosen]),
        t(f"{PAGE}.drill_share"),
        "fusion_drill_terms",
        t(
            f"{PAGE}.drill_terms_summary",
            own=f"{terms[own].sum():+.2f}",
            interaction=f"{terms[~own].sum():+.2f}",
            bias=f"{inside.bias[chosen]:+.2f}",
            logit=f"{inside.logits[chosen]:+.2f}",
            c=classes[chosen],
        ),
    )


def _softmax(lab: Lab, inside: fusion_drill.TensorProduct, classes: list[str], chosen: int, model_p) -> None:
    logits, probabilities = st.columns(2)
    with logits:
        ui.chart(
            shared.figure(
                figures.bars,
                inside.logits,
                classes,
                t(f"{PAGE}.drill_logits_title"),
                highlight=chosen,
                xlabel=t(f"{PAGE}.drill_logit"),
                height=120 + 28 * len(classes),
            ),
            key="fusion_drill_logits",
        )
    with probabilities:
        ui.chart(
            shared.figure(
                figures.bars,
                inside.probabilities,
                classes,
                t(f"{PAGE}.drill_probabilities_title"),
                highlight=chosen,
                xlabel=t("common.probability"),
                height=120 + 28 * len(classes),
                value_range=(0, 1.15),
                text_format="{:.3f}",
            ),
            key="fusion_drill_probabilities",
        )
    st.markdown(
        t(
            f"{PAGE}.drill_softmax_summary",
            c=classes[chosen],
            logit=f"{inside.logits[chosen]:+.2f}",
            p=f"{inside.probabilities[chosen]:.4f}",
            model=f"{model_p[chosen]:.4f}",
        )
    )


STEP_VIEWS: dict[str, Callable] = {
    "vectors": _vectors,
    "outer": _outer,
    "weights": _weights,
    "terms": _terms,
    "softmax": _softmax,
}
