"""Representation: one question asked of a joint and a coordinated model with modalities missing, then
their two spaces side by side, on the same samples, as the reason why."""

import numpy as np
import streamlit as st

from components import figures, i18n, passport, predict, pretrained, safe_input, settings, state, ui
from components.cache import representation as cache
from components.cache import shared
from components.controls.representation import (
    ATTRIBUTE,
    CAPTION,
    CHOSEN,
    CLIP_CAPTIONS,
    CLIP_EXAMPLES,
    DIMS,
    EXAMPLES,
    PRESENT,
    PROJECTION,
    SAMPLE,
    STRENGTH,
    TAB,
    THUMBNAILS,
)
from components.i18n import label, t
from models import hub
from models import representation as rep
from models.core import features, worlds

PAGE = "representation"
tp = i18n.scoped(PAGE)
TAB_LABEL = f"{PAGE}.tab_label"  # the tabs widget's own state: the open tab's label, in the visitor's language
# Okabe-Ito stand-ins for the named colours: near their names, and distinguishable with colour-blindness
SWATCH = {
    "red": "#D55E00",
    "orange": "#E69F00",
    "yellow": "#F0E442",
    "green": "#009E73",
    "blue": "#0072B2",
    "purple": "#CC79A7",
}
THUMB = 96  # thumbnails' width in pixels: a 32-pixel picture drawn by 3x3 blocks, so it stays sharp
BATCH = 8
# Pretrained mode: CLIP with the two photos, two pictures of the world and the visitor's own photo
CLIP_UPLOAD = f"{PAGE}.clip_upload"
CLIP_DRAWINGS = {
    "shapes": ({"colour": "red", "shape": "circle"}, {"colour": "blue", "shape": "square"}),
    "digits": ({"digit": "3"}, {"digit": "7"}),
}
CLIP_INPUT = 224  # CLIP's input size: world pictures are enlarged to it without smoothing, so edges stay sharp
MAX_CAPTIONS, MAX_CAPTION_CHARS = 10, 200

NEIGHBOURS = 5  # the chosen sample's nearest test samples, in each full space
QUESTION = 1  # the step that asks the panel's question (STEPS below)
STEPS = [
    state.Step(f"{PAGE}.step_everything", {**{c: True for c in PRESENT.values()}, STRENGTH: rep.DEFAULT_STRENGTH}),
    state.Step(  # the question the page is built around: only the picture is left
        f"{PAGE}.step_missing",
        {PRESENT["image"]: True, PRESENT["text"]: False, PRESENT["sound"]: False, STRENGTH: rep.DEFAULT_STRENGTH},
        focus=f"{PAGE}_missing",
        choices=("both", "joint", "coordinated", "neither"),
    ),
    state.Step(f"{PAGE}.step_weak", {STRENGTH: 0.0, PROJECTION: "pca", DIMS: 2}, focus=f"{PAGE}_coordinated_map"),
    state.Step(
        f"{PAGE}.step_strong",
        {STRENGTH: 1.0, PROJECTION: "pca", DIMS: 2},
        focus=f"{PAGE}_coordinated_map",
        choices=("far", "between", "near"),
    ),
    state.Step(
        f"{PAGE}.step_search", {STRENGTH: rep.DEFAULT_STRENGTH, CAPTION: EXAMPLES["shapes"][0], TAB: "retrieval"}
    ),
    state.Step(  # only the Shapes world holds combinations back from training
        f"{PAGE}.step_zero_shot",
        {settings.WORLD: "shapes", STRENGTH: 1.0, TAB: "zero_shot"},
        choices=("chance", "half", "most"),
    ),
]
conf = ui.page_start(PAGE, STEPS)
world = shared.world(conf.world, conf.seed)
attributes = list(world.classes)
test = world.indices("test")

for control in (STRENGTH, PROJECTION, DIMS, THUMBNAILS, *PRESENT.values()):
    control.bind()
ATTRIBUTE.bind(options=attributes, default=attributes[0])  # the other world has other attributes
CAPTION.bind(default=EXAMPLES[world.name][0])
if st.session_state.get(f"{PAGE}.caption_world", world.name) != world.name:  # a caption belongs to its world
    st.session_state[CAPTION.key] = EXAMPLES[world.name][0]
st.session_state[f"{PAGE}.caption_world"] = world.name

ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
strength, attribute = STRENGTH.value, ATTRIBUTE.value  # their widgets come later: the values are already set
attribute_name = t(f"common.attr.{attribute}")
model = cache.model(world.name, strength)
vectors = cache.vectors(world.name, conf.seed, strength)
report = cache.report(world.name, conf.seed, strength)
modality_names = {m: t(f"common.modality.{m}") for m in rep.MODALITIES}


def class_name(i: int, attribute: str = attribute) -> str:
    return label(world.classes[attribute][world.labels(attribute)[i]])


def object_name(i: int) -> str:
    """A sample's object in a few words ("small red circle"), to check what a search returned."""
    names = ("size", "colour", "shape") if world.name == "shapes" else ("digit",)
    return " ".join(class_name(i, a) for a in names)


def thumbnail(i: int) -> np.ndarray:
    return figures.enlarged(world.images[i], THUMB)


def gallery(samples, captions: list[str], per_row: int) -> None:
    """Thumbnails in a grid of equal columns, each with its caption under it."""
    for start in range(0, len(samples), per_row):
        for column, i, text in zip(
            st.columns(per_row), samples[start : start + per_row], captions[start : start + per_row]
        ):
            column.image(thumbnail(i), caption=text)


def choose(key: str) -> None:
    """A map's on_select: the clicked point's sample (its customdata) becomes the chosen one, on both maps."""
    points = st.session_state[key]["selection"]["points"]
    ids = [p["customdata"] for p in points if p.get("customdata") is not None]
    st.session_state[CHOSEN.key] = int(np.ravel(ids[0])[0]) if ids else -1


def chosen_sample(rows: np.ndarray) -> None:
    """The sample clicked in a map: its picture, caption and sound, and its nearest test samples in each
    full space (the maps are only a 2-D picture of it)."""
    row = CHOSEN.value
    if row not in rows:
        pinned = passport.pinned_row()
        drawn = pinned is None or pinned in rows
        st.caption(tp("click_a_point") if drawn else tp("pinned_not_drawn", n=len(rows)))
        return
    position = int(np.flatnonzero(test == row)[0])
    nearest, _ = rep.nearest(vectors["image"][position], vectors["text"], 3)
    with st.container(border=True, key=f"{PAGE}_chosen"):
        image_col, text_col, pin_col = st.columns([1, 4, 1], vertical_alignment="center")
        image_col.image(thumbnail(row))
        text_col.markdown(f"**{world.captions[row]}**")
        text_col.audio(np.asarray(world.audio[row]), sample_rate=world.sample_rate)
        text_col.caption(tp("chosen_nearest", captions=" · ".join(f"“{world.captions[test[j]]}”" for j in nearest)))
        here = passport.pinned_row() == row
        pin_col.button(
            "📌",
            key=f"{PAGE}.pin_chosen",
            on_click=passport.pin,
            args=(None if here else row,),
            help=t("common.unpin" if here else "common.pin"),
            type="primary" if here else "secondary",
        )
        st.markdown(f"**{tp('neighbours_title', k=NEIGHBOURS, dim=rep.EMBED_DIM)}**")
        for column, kind in zip(st.columns(2), (None, strength)):
            order, cosine = rep.neighbours(cache.fused(world.name, conf.seed, kind), position, NEIGHBOURS)
            column.caption(tp("neighbours_joint") if kind is None else tp("neighbours_coordinated"))
            column.image(
                [thumbnail(test[j]) for j in order],
                caption=[f"{c:.2f} · {world.captions[test[j]]}" for j, c in zip(order, cosine)],
                width=72,
            )


# ---------------------------------------------------------------- the question: same sample, both models
def ticked_modalities() -> tuple[str, ...]:
    """The tick boxes: which modalities the asked sample still has, in MODALITIES order."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{tp('present_label')}**")
        for m, control in PRESENT.items():
            st.checkbox(tp(f"modality_{m}"), key=control.key)
    return tuple(m for m in rep.MODALITIES if PRESENT[m].value)


def query(row: int, present: tuple[str, ...]) -> None:
    """The asked sample as the models get it: each modality, or a note that it is missing."""
    picture_col, words_col = st.columns([1, 4], vertical_alignment="center")
    if "image" in present:
        picture_col.image(thumbnail(row))
    else:
        picture_col.caption(tp("missing_one", modality=tp("modality_image")))
    if "text" in present:
        words_col.markdown(f"“{world.captions[row]}”")
    else:
        words_col.caption(tp("missing_one", modality=tp("modality_text")))
    if "sound" in present:
        words_col.audio(np.asarray(world.audio[row]), sample_rate=world.sample_rate)
    else:
        words_col.caption(tp("missing_one", modality=tp("modality_sound")))


def model_answer(kind: float | None, position: int, present: tuple[str, ...], revealed: bool) -> None:
    """One model's answer for the asked sample with the ticked modalities, how it coped with the missing
    ones, and its test-split accuracy with the same modalities (against all three)."""
    joint = kind is None
    st.markdown(f"#### {tp('joint_name') if joint else tp('coordinated_name', strength=f'{strength:g}')}")
    missing = [m for m in rep.MODALITIES if m not in present]
    if joint:
        for m in missing:  # rep.imputation: the average training input stands in for a missing one
            st.caption(tp("joint_fills", modality=tp(f"modality_{m}")))
        if "image" in missing:
            st.image(figures.enlarged(cache.average_picture(world.name, conf.seed), 48), caption=tp("average_picture"))
    else:
        used = tp("list_separator").join(tp(f"modality_{m}") for m in present)
        st.caption(tp("coordinated_uses", modalities=used))
    probabilities = cache.answers(world.name, conf.seed, kind, attribute)[present][position]
    guess, truth = int(probabilities.argmax()), int(world.labels(attribute)[test[position]])
    said = tp("says", answer=label(world.classes[attribute][guess]), confidence=float(probabilities[guess]))
    if guess == truth:
        st.success(f"{said} ✓")
    else:
        st.error(f"{said} ✗ {tp('it_is', answer=label(world.classes[attribute][truth]))}")
    every_answer = cache.answers(world.name, conf.seed, kind, attribute)[present].argmax(axis=1)
    st.caption(tp("same_answer", share=float(np.mean(every_answer == guess))))  # right by luck, if it says it to all
    accuracy = cache.missing(world.name, conf.seed, kind, attribute)
    st.metric(
        tp("accuracy_metric", n=len(test)),
        ui.percent(accuracy[present], 0),
        tp("against_all", points=round(100 * (accuracy[present] - accuracy[rep.MODALITIES])))
        if revealed and present != rep.MODALITIES
        else None,
    )


def scenario_name(present: tuple[str, ...]) -> str:
    if len(present) == len(rep.MODALITIES):
        return tp("scenario_all")
    if len(present) == 1:
        return tp("scenario_only", modality=tp(f"modality_{present[0]}"))
    gone = next(m for m in rep.MODALITIES if m not in present)
    return tp("scenario_no", modality=tp(f"modality_{gone}"))


def missing_bars(present: tuple[str, ...]) -> None:
    """Both models' test accuracy with every set of modalities, the ticked set marked: the answer for one
    sample above, measured on every test sample."""
    joint, coordinated = (cache.missing(world.name, conf.seed, kind, attribute) for kind in (None, strength))
    names = [("▶ " if p == present else "") + scenario_name(p) for p in rep.SCENARIOS]
    fig = figures.grouped_bars(
        names,
        {
            tp("joint_name"): [joint[p] for p in rep.SCENARIOS],
            tp("coordinated_name", strength=f"{strength:g}"): [coordinated[p] for p in rep.SCENARIOS],
        },
        tp("missing_chart", attribute=attribute_name),
        tp("missing_accuracy"),
        height=440,
        reference=1 / len(world.classes[attribute]),
        reference_label=tp("chance_line"),
        horizontal=True,
    )
    # in percent, no ticks in the room kept for the values' labels
    fig.update_xaxes(tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1])
    degraded = rep.SCENARIOS[1:]
    ui.chart(
        fig,
        tp(
            "missing_summary",
            joint=np.mean([joint[p] for p in degraded]),
            coordinated=np.mean([coordinated[p] for p in degraded]),
            joint_all=joint[rep.MODALITIES],
            coordinated_all=coordinated[rep.MODALITIES],
        ),
        key=f"{PAGE}_missing",
    )
    ui.explain(f"{PAGE}.missing_intro", attribute=attribute_name)
    if attribute == "position":
        st.caption(tp("missing_note"))


def same_question() -> None:
    """The page's question first: one sample, the modalities it still has, both models' answers. The
    answers with a modality missing, and the bars, wait for a prediction (components/predict.py)."""
    st.subheader(tp("panel_title"))
    ticks_col, ask_col = st.columns([3, 2], vertical_alignment="bottom")
    with ticks_col:
        present = ticked_modalities()
    ask_col.selectbox(tp("attribute"), attributes, key=ATTRIBUTE.key, format_func=i18n.formatter("common.attr."))
    position = ui.sample_picker(SAMPLE, len(test), tp("sample_label", n=len(test) - 1), rows=test)
    if not present:
        st.warning(tp("none_ticked"))
        return
    query(int(test[position]), present)
    revealed = predict.revealed(PAGE, QUESTION)
    if present != rep.MODALITIES and not revealed:  # predict first: the answers would give it away
        if not predict.waiting(PAGE, STEPS, QUESTION):
            st.info(tp("predict_first"))
            st.button(
                tp("predict_button"),
                key=f"{PAGE}.predict_panel",
                type="primary",
                on_click=predict.go,
                args=(PAGE, STEPS, f"{PAGE}.step", QUESTION),
            )
        return
    joint_col, coordinated_col = st.columns(2)
    for column, kind in ((joint_col, None), (coordinated_col, strength)):
        with column, st.container(border=True):
            model_answer(kind, position, present, revealed)
    if revealed:
        missing_bars(present)
    else:
        st.caption(tp("untick_to_ask"))


def space_controls() -> None:
    """The maps' controls: the coordinated model's strength, the projection (with what it keeps and what
    it loses) and whether the points are drawn as the samples' own pictures."""
    strength_col, projection_col, dims_col = st.columns([3, 2, 1.4])
    strength_col.select_slider(
        tp("strength"),
        STRENGTH.options,
        key=STRENGTH.key,
        format_func=lambda s: f"{s:g}",
        help=tp("strength_help"),
    )
    ui.radio(PROJECTION, tp("projection"), f"{PAGE}.projection_", into=projection_col)
    # PCA: linear, keeps the directions of largest variance. t-SNE (van der Maaten & Hinton 2008, JMLR 9)
    # keeps neighbourhoods; the sizes of its clusters and the distances between them carry no meaning
    # and change with perplexity (Wattenberg, Viégas & Johnson 2016, "How to use t-SNE effectively", Distill).
    projection_col.caption(tp(f"caveat.{PROJECTION.value}"))
    ui.radio(DIMS, tp("dims"), f"{PAGE}.dims_", into=dims_col)
    dims_col.toggle(tp("thumbnails"), key=THUMBNAILS.key, disabled=DIMS.value == 3, help=tp("thumbnails_help"))


def spaces() -> None:
    st.subheader(tp("spaces_title"))
    ui.explain(f"{PAGE}.spaces_intro")
    space_controls()
    rows = test[rep.projection_positions(len(test))]
    CHOSEN.bind(high=len(world) - 1, default=passport.pinned_row() if passport.pinned_row() in rows else -1)
    chosen = CHOSEN.value
    order = [label(c) for c in world.classes[attribute]]
    colours = {label(c): SWATCH[c] for c in worlds.COLOURS} if attribute == "colour" else None
    groups = [class_name(i) for i in rows]
    method, dims = PROJECTION.value, DIMS.value
    pictures = cache.thumbnails(world.name, conf.seed) if THUMBNAILS.value and dims == 2 else None
    with st.spinner(tp("projecting"), show_time=True):  # shown only if it takes over 0.5 s: a new t-SNE
        joint_points, coordinated_points = (
            cache.projection(world.name, conf.seed, kind, method, dims) for kind in (None, strength)
        )
    joint_col, coordinated_col = st.columns(2)
    with joint_col:
        fig = shared.figure(
            figures.embedding_map,
            joint_points,
            groups,
            order,
            tp("joint_title"),
            colours=colours,
            hover=[world.captions[i] for i in rows],
            ids=rows,
            chosen=chosen,
        )
        if pictures:
            figures.with_pictures(fig, joint_points, pictures, outlined=np.flatnonzero(rows == chosen))
        joint_vectors = cache.vectors(world.name, conf.seed, None)["joint"]
        agreement = rep.neighbour_agreement(joint_vectors, world.labels(attribute)[test])
        ui.chart(
            fig,
            tp("joint_summary", n=len(rows), attribute=attribute_name, agreement=agreement),
            key=f"{PAGE}_joint_map",
            on_select=lambda: choose(f"{PAGE}_joint_map"),
        )
    with coordinated_col:
        n = len(rows)
        fig = shared.figure(
            figures.embedding_map,
            coordinated_points,
            groups * 3,
            order,
            tp("coordinated_title", strength=f"{strength:g}"),
            colours=colours,
            symbols=[modality_names[m] for m in rep.MODALITIES for _ in rows],
            symbol_order=list(modality_names.values()),
            links=[(i, i + n, i + 2 * n) for i in range(n)],
            hover=[
                tp("modality_point", modality=modality_names[m], caption=world.captions[i])
                for m in rep.MODALITIES
                for i in rows
            ],
            ids=np.tile(rows, len(rep.MODALITIES)),
            chosen=chosen,
        )
        if pictures:  # the picture points only: a caption's or a sound's point is not a picture
            figures.with_pictures(fig, coordinated_points[:n], pictures, outlined=np.flatnonzero(rows == chosen))
        ui.chart(
            fig,
            tp("coordinated_summary", n=n, cosine=report["summary"]["paired_cosine"]),
            key=f"{PAGE}_coordinated_map",
            on_select=lambda: choose(f"{PAGE}_coordinated_map"),
        )
    chosen_sample(rows)
    ui.explain(f"{PAGE}.spaces_help")


def strength_curve() -> None:
    st.subheader(tp("strength_title"))
    reports = [cache.report(world.name, conf.seed, s)["summary"] for s in rep.STRENGTHS]
    chance = report["retrieval"][("text", "image")]["chance_r1"]
    series = {
        tp("paired_cosine"): [r["paired_cosine"] for r in reports],
        tp("recall_text_image"): [r["text_to_image_r1"] for r in reports],
    }
    if "zero_shot" in report["summary"]:
        series[tp("zero_shot_line")] = [r["zero_shot"] for r in reports]
    labels = [f"{s:g}" for s in rep.STRENGTHS]
    chart_col, metric_col = st.columns([3, 1])
    with chart_col:
        fig = figures.lines(labels, series, tp("strength_chart"), tp("strength_axis"), tp("score_axis"), height=360)
        current = rep.STRENGTHS.index(strength)  # a dotted line at the chosen strength
        fig.update_layout(
            legend=figures.LEGEND_BELOW,
            xaxis={"type": "category"},
            shapes=[
                {
                    "type": "line",
                    "x0": current,
                    "x1": current,
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "line": {"dash": "dot", "color": "#888"},
                }
            ],
        )
        ui.chart(
            fig,
            tp(
                "strength_summary",
                low=labels[0],
                high=labels[-1],
                cos_low=reports[0]["paired_cosine"],
                cos_high=reports[-1]["paired_cosine"],
                r_low=reports[0]["text_to_image_r1"],
                r_high=reports[-1]["text_to_image_r1"],
                chance=chance,
            ),
            key=f"{PAGE}_strength",
        )
    summary = report["summary"]
    metric_col.metric(tp("metric_cosine"), f"{summary['paired_cosine']:.2f}")
    metric_col.metric(
        tp("metric_r1"),
        f"{summary['text_to_image_r1']:.0%}",
        tp("metric_chance", chance=chance),
        delta_color="off",
        delta_arrow="off",
    )
    metric_col.metric(tp("metric_r5"), f"{summary['text_to_image_r5']:.0%}")
    if "zero_shot" in summary:
        metric_col.metric(
            tp("metric_zero_shot"),
            f"{summary['zero_shot']:.0%}",
            tp("metric_chance", chance=1 / len(rep.descriptions(world.name)[0])),
            delta_color="off",
            delta_arrow="off",
        )


def set_caption(text: str) -> None:
    st.session_state[CAPTION.key] = text


def search_by_caption() -> None:
    text = safe_input.text_box(tp("caption_label"), key=CAPTION.key)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(tp("examples"))
        for example in EXAMPLES[world.name]:
            st.button(example, key=f"{PAGE}.example_{example}", on_click=set_caption, args=(example,))
    if not text:
        return
    unknown = features.out_of_vocabulary(model.dictionary, text)
    if unknown:
        st.warning(tp("unknown_words", words=i18n.join(unknown)))
    if not features.text_vectors(model.dictionary, [text]).any():
        st.info(tp("nothing_known", size=len(model.dictionary.vocabulary_)))
        return
    query = rep.embed_texts(model, [text])[0]
    image_col, sound_col = st.columns([5, 2])
    scores = vectors["image"] @ query
    best = np.argsort(-scores)[:5]
    with image_col:
        st.markdown(f"**{tp('nearest_images')}**")
        gallery(test[best], [f"{scores[j]:.2f} · {object_name(test[j])}" for j in best], per_row=5)
    scores = vectors["sound"] @ query
    sound_col.markdown(f"**{tp('nearest_sounds')}**")
    for j in np.argsort(-scores)[:3]:
        sound_col.caption(f"{scores[j]:.2f} · {object_name(test[j])}")
        sound_col.audio(np.asarray(world.audio[test[j]]), sample_rate=world.sample_rate)


def search_by_image() -> None:
    pick = SAMPLE.value  # the sample asked at the top of the page
    st.caption(tp("image_from_panel"))
    same = rep.same_object(world, test)[pick]
    scores = vectors["text"] @ vectors["image"][pick]
    picture, captions = st.columns([1, 4])
    picture.image(thumbnail(test[pick]), caption=world.captions[test[pick]])
    lines = [
        f"- `{scores[j]:.2f}` {world.captions[test[j]]} — {tp('caption_hit' if same[j] else 'caption_miss')}"
        for j in np.argsort(-scores)[:5]
    ]
    captions.markdown(f"**{tp('nearest_captions')}**\n\n" + "\n".join(lines))


def similarity_matrix() -> None:
    positions = (SAMPLE.value + np.arange(BATCH)) % len(test)
    batch = test[positions]
    sims = rep.similarity(vectors["image"][positions], vectors["text"][positions])  # (images, captions)
    fig = shared.figure(
        figures.similarity_grid,
        sims,
        tp("matrix_title"),
        [world.captions[i] for i in batch],
        [f"{tp('matrix_images')} {k + 1}" for k in range(BATCH)],
        world.images[batch],
    )
    off = ~np.eye(BATCH, dtype=bool)
    ui.chart(
        fig,
        tp(
            "matrix_summary",
            hits=int((sims.argmax(1) == np.arange(BATCH)).sum()),
            n=BATCH,
            diagonal=float(np.diag(sims).mean()),
            off=float(sims[off].mean()),
        ),
        key=f"{PAGE}_matrix",
        wide=True,
    )


def recall_table() -> None:
    st.markdown(f"**{tp('recall_title', n=len(test))}**")
    chance = tp("recall_chance")
    header = [tp("recall_direction"), "R@1", "R@5", f"{chance} R@1", f"{chance} R@5"]
    rows = [
        [f"{modality_names[q]} → {modality_names[g]}", *(f"{r[k]:.1%}" for k in ("r1", "r5", "chance_r1", "chance_r5"))]
        for (q, g), r in report["retrieval"].items()
    ]
    ui.table(header, rows, "lrrrr")
    ui.explain(f"{PAGE}.recall_help")


def zero_shot() -> None:
    if not rep.HELD_OUT[world.name]:
        st.info(tp("zero_shot_digits"))
        return
    texts, pairs = rep.descriptions(world.name)
    combos = i18n.join(f"{label(c)} {label(s)}" for s, c in rep.HELD_OUT[world.name])
    st.markdown(tp("zero_shot_intro", combos=combos, n=len(texts)))
    summary = report["summary"]
    unseen_col, seen_col, chance_col = st.columns(3)
    unseen_col.metric(tp("zero_shot_unseen"), f"{summary['zero_shot']:.0%}")
    seen_col.metric(tp("zero_shot_seen"), f"{summary['zero_shot_seen']:.0%}")
    chance_col.metric(tp("zero_shot_chance", n=len(texts)), f"{1 / len(texts):.1%}")
    unseen = rep.held_out_mask(world)[test]
    rows = test[unseen]
    predicted = rep.zero_shot_predictions(model, vectors["image"][unseen])
    right = [pairs[p] == (world.labels("shape")[i], world.labels("colour")[i]) for p, i in zip(predicted, rows)]
    st.markdown(f"**{tp('zero_shot_grid')}**")
    gallery(rows, [f"{'✓' if ok else '✗'} {texts[p]}" for p, ok in zip(predicted, right)], per_row=8)
    weak = cache.report(world.name, conf.seed, rep.STRENGTHS[0])["summary"]["zero_shot"]
    st.caption(tp("zero_shot_summary", correct=sum(right), total=len(rows), weak=weak))
    ui.explain(f"{PAGE}.zero_shot_try")


def answer(step: int) -> tuple[str, dict[str, str]]:
    """The right choice of step `step`'s question, from the test-split measurements on screen."""
    summary, key = report["summary"], STEPS[step].caption_key
    if key == f"{PAGE}.step_strong":
        cosine = summary["paired_cosine"]
        numbers = {"cosine": f"{cosine:.2f}", "r1": f"{summary['text_to_image_r1']:.0%}"}
        return ("far" if cosine < 0.3 else "near" if cosine > 0.7 else "between"), numbers
    if key == f"{PAGE}.step_zero_shot":
        unseen = summary.get("zero_shot", 0.0)  # the Digits world holds nothing back
        numbers = {"unseen": f"{unseen:.0%}", "chance": f"{1 / len(rep.descriptions(world.name)[0]):.1%}"}
        return ("chance" if unseen < 0.2 else "most" if unseen > 0.7 else "half"), numbers
    present = tuple(m for m in rep.MODALITIES if STEPS[step].values[PRESENT[m]])  # the panel's question
    joint, coordinated = (cache.missing(world.name, conf.seed, kind, attribute) for kind in (None, strength))
    chance = 1 / len(world.classes[attribute])
    answers = [rep.still_answers(scores, present, chance) for scores in (joint, coordinated)]
    numbers = {
        "attribute": attribute_name,
        "joint": ui.percent(joint[present], 0),
        "coordinated": ui.percent(coordinated[present], 0),
        "joint_all": ui.percent(joint[rep.MODALITIES], 0),
        "coordinated_all": ui.percent(coordinated[rep.MODALITIES], 0),
        "chance": ui.percent(chance, 0),
    }
    return {(True, True): "both", (True, False): "joint", (False, True): "coordinated"}.get(
        tuple(answers), "neither"
    ), numbers


# ---------------------------------------------------------------- pretrained mode: CLIP
def drawing(wanted: dict[str, str]) -> tuple[str, np.ndarray]:
    """A test picture of the world showing `wanted` (e.g. a red circle), named, enlarged to CLIP's input."""
    matches = np.ones(len(test), dtype=bool)
    for key, value in wanted.items():
        matches &= world.labels(key)[test] == world.classes[key].index(value)
    i = test[int(np.argmax(matches))]  # the first match (the world has every combination in its test split)
    name = tp("clip_drawing", name=" ".join(label(v) for v in wanted.values()))
    return name, figures.enlarged(world.images[i], CLIP_INPUT)


def clip_pictures() -> tuple[list[str], list[np.ndarray]]:
    named = [(t(f"pretrained.photo_source.{p}"), hub.centre_square(shared.photo(p))) for p in pretrained.PHOTOS]
    named += [drawing(wanted) for wanted in CLIP_DRAWINGS[world.name]]
    own = safe_input.image_upload(t("pretrained.upload_photo"), key=CLIP_UPLOAD)
    if own is not None:
        named.append(
            (t("pretrained.photo_source.upload"), hub.centre_square(own))
        )  # what CLIP reads; a thin strip stays small
    return [n for n, _ in named], [p for _, p in named]


def typed_captions() -> list[str]:
    """The text area's non-empty lines, each through safe_input's cleaning; at most MAX_CAPTIONS."""
    raw = st.text_area(
        tp("clip_captions"),
        key=CLIP_CAPTIONS.key,
        height=160,
        help=tp("clip_captions_help", n=MAX_CAPTIONS, chars=MAX_CAPTION_CHARS),
    )
    captions, notices = [], {}  # notice key -> notice: each message once
    for line in (line for line in raw.splitlines() if line.strip()):
        if len(captions) == MAX_CAPTIONS:
            notices["too_many"] = safe_input.Notice(f"{PAGE}.clip_too_many", {"n": MAX_CAPTIONS})
            break
        try:  # cut first: cleaning a pasted megabyte character by character would stall every rerun
            caption, changed = safe_input.clean_text(line[: 2 * MAX_CAPTION_CHARS], MAX_CAPTION_CHARS)
        except safe_input.BadInput:  # only invisible characters
            continue
        if caption in captions:  # one column per caption: a repeat would merge into the first
            continue
        captions.append(caption)
        notices.update((n.key, n) for n in changed)
    for notice in notices.values():
        st.info(t(notice.key, **notice.params))
    if not captions:
        st.info(tp("clip_no_captions"))
    return captions


def clip_space() -> None:
    """Pretrained mode: CLIP's coordinated space, real photos and typed captions measured together."""
    loaded = pretrained.section(tp("clip_title"), "image_text")
    if loaded is None:
        return
    ui.explain(f"{PAGE}.clip_intro")
    CLIP_CAPTIONS.bind(default="\n".join(CLIP_EXAMPLES[world.name]))
    if (
        st.session_state.get(f"{PAGE}.clip_world", world.name) != world.name
    ):  # the default captions name the world's pictures
        st.session_state[CLIP_CAPTIONS.key] = "\n".join(CLIP_EXAMPLES[world.name])
    st.session_state[f"{PAGE}.clip_world"] = world.name
    text_col, upload_col = st.columns([3, 2])
    with upload_col:
        names, pictures = clip_pictures()
    with text_col:
        captions = typed_captions()
    for column, name, picture in zip(st.columns(max(len(pictures), 6)), names, pictures):
        column.image(picture, caption=name)
    if not captions:
        return
    with st.spinner(tp("clip_embedding")):
        space = pretrained.answer(loaded, hub.shared_space, pictures, captions)
    if space is None:
        return
    matrix_col, map_col = st.columns(2)
    best = space.similarity.argmax(axis=1)
    with matrix_col:
        fig = figures.heatmap(
            space.similarity,
            tp("clip_matrix_title"),
            x=axis_labels(captions),
            y=names,
            colorbar="cos",
            diverging=True,
            reverse_y=True,
            height=420,
        )
        fig.update_traces(texttemplate="%{z:.2f}")
        fig.update_layout(xaxis={"tickangle": -30})
        pairs = tp("clip_separator").join(
            tp(
                "clip_pair",
                picture=name,
                caption=captions[j],
                cosine=space.similarity[i, j],
                probability=space.probabilities[i, j],
            )
            for i, (name, j) in enumerate(zip(names, best))
        )
        ui.chart(fig, tp("clip_matrix_summary", pairs=pairs), key=f"{PAGE}_clip_matrix")
    with map_col:
        kinds = [tp("clip_pictures")] * len(pictures) + [tp("clip_texts")] * len(captions)
        order = [tp("clip_pictures"), tp("clip_texts")]
        fig = figures.embedding_map(
            space.points,
            kinds,
            order,
            tp("clip_map_title"),
            symbols=kinds,
            symbol_order=order,
            links=[(i, len(pictures) + j) for i, j in enumerate(best)],
            hover=names + [short(c) for c in captions],
            height=420,
        )
        fig.update_traces(mode="markers+text", textposition="top center", selector={"legendgroup": "groups"})
        fig.update_traces(showlegend=False, selector={"legendgroup": "symbols"})  # colour and shape say the same here
        low, high = space.points[:, 0].min(), space.points[:, 0].max()
        fig.update_xaxes(range=[low - 0.35 * (high - low), high + 0.35 * (high - low)])  # room for the names
        gap = tp("clip_gap" if space.separated else "clip_no_gap")
        ui.chart(
            fig,
            tp("clip_map_summary", images=len(pictures), texts=len(captions), gap=gap),
            key=f"{PAGE}_clip_map",
        )
    ui.explain(
        f"{PAGE}.clip_matrix_help",
        low=float(space.similarity.min()),
        high=float(space.similarity.max()),
        scale=float(loaded.model.logit_scale.exp()),
    )
    if space.separated and len(captions) > 1:  # the mean similarity among captions needs two
        st.markdown(
            tp(
                "clip_gap_help",
                images=space.within_images,
                texts=space.within_texts,
                best=float(space.similarity.max(axis=1).mean()),
            )
        )


def short(text: str, limit: int = 28) -> str:
    """A caption short enough for an axis label or a point's name; the full text is in the summary."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def axis_labels(captions: list[str]) -> list[str]:
    """Short captions, numbered when two would read the same: plotly draws equal labels as one column."""
    labels = [short(c) for c in captions]
    return labels if len(set(labels)) == len(labels) else [f"{i + 1}. {label}" for i, label in enumerate(labels)]


def details() -> None:
    joint_model = cache.model(world.name, None)
    with st.expander(tp("details_title")):
        st.markdown(
            tp(
                "details",
                vocabulary=len(model.dictionary.vocabulary_),
                sound=rep.SOUND_INPUTS,
                coordinated_parameters=model.meta["parameters"],
                joint_parameters=joint_model.meta["parameters"],
                dim=rep.EMBED_DIM,
                batch=rep.BATCH_SIZE,
                temperature=rep.TEMPERATURE,
                epochs=rep.EPOCHS,
                train=len(rep.training_indices(world)),
            )
        )


same_question()
st.divider()
spaces()
strength_curve()
clip_space()
# Only the open tab runs (on_change="rerun").
TAB.bind()  # the open tab is in the link by its name, not by its translated label
tab_labels = {name: tp(f"tab_{name}") for name in TAB.options}
st.session_state[TAB_LABEL] = tab_labels[TAB.value]
retrieval_tab, zero_shot_tab = st.tabs(
    list(tab_labels.values()),
    key=TAB_LABEL,
    on_change=lambda: st.session_state.update(
        {TAB.key: {label: name for name, label in tab_labels.items()}.get(st.session_state[TAB_LABEL], TAB.default)}
    ),
)
if retrieval_tab.open:
    with retrieval_tab:
        ui.explain(f"{PAGE}.retrieval_help")
        search_by_caption()
        st.divider()
        search_by_image()
        similarity_matrix()
        recall_table()
if zero_shot_tab.open:
    with zero_shot_tab:
        zero_shot()
quiz.reveal(answer)
details()
ui.page_end()
