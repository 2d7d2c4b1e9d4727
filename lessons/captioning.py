"""Translation: an example-based and a generative captioner side by side, their cost, and how they fail."""

import numpy as np
import streamlit as st

from components import drilldown_views, figures, i18n, predict, pretrained, safe_input, state, ui
from components.cache import captioning as cache
from components.cache import shared
from components.controls.captioning import (
    BEAMS,
    DECODING,
    EDITS,
    NOISE,
    PHOTO,
    PRE_HEAD,
    PRE_LAYER,
    PRE_PHOTO,
    PRE_PICTURE,
    PRE_WORD,
    SAMPLE,
    SOURCE,
    STRESS,
    TEMPERATURE,
    K,
)
from components.i18n import label, t
from models import hub
from models.alignment import implicit
from models.captioning import captioners as captioning
from models.captioning import scenes

PAGE = "captioning"
tp = i18n.scoped(PAGE)
GALLERY = 8  # pictures shown per stress set
DECADES = {"type": "log", "dtick": 1}  # a log axis labelled at 1, 10, 100...
BIG, THUMB = 192, 128  # pixels wide: the picture being captioned, and the gallery's (drawn by whole pixels)
SPOTLIGHT_WIDTH = 448  # pixels across of the photo drawn with the pretrained captioner's attention

STEPS = [
    state.Step(
        f"{PAGE}.step_side_by_side",
        {SOURCE: "sample", SAMPLE: 0, DECODING: "greedy", EDITS["colour"]: "", STRESS: "unseen_colour"},
    ),
    state.Step(
        f"{PAGE}.step_pink",
        {SOURCE: "sample", DECODING: "greedy", EDITS["colour"]: "pink", STRESS: "unseen_colour"},
        focus=f"{PAGE}_words",
        choices=("known", "mixed", "none"),
    ),
    state.Step(
        f"{PAGE}.step_sampling",
        {SOURCE: "sample", EDITS["colour"]: "", DECODING: "sampling", TEMPERATURE: 2.5},
        focus=f"{PAGE}_words",
        choices=("high", "middle", "low"),
    ),
    state.Step(f"{PAGE}.step_two_objects", {DECODING: "greedy", STRESS: "two_objects"}, focus=f"{PAGE}_exact_match"),
    state.Step(
        f"{PAGE}.step_photo",
        {SOURCE: "photo", PHOTO: 0, DECODING: "greedy", STRESS: "photos"},
        focus=f"{PAGE}_words",
        choices=("none", "some", "all"),
    ),
]
conf = ui.page_start(PAGE, STEPS)
if conf.world != "shapes":
    st.info(tp("shapes_only"))
world = shared.world("shapes", conf.seed)
test = scenes.split_indices(world, "test")
generator, dictionary = cache.captioners()

for control in (SOURCE, DECODING, BEAMS, TEMPERATURE, K, *EDITS.values(), NOISE, STRESS):
    control.bind()
SAMPLE.bind(high=len(test) - 1)  # another seed has another test split
PHOTO.bind(high=len(scenes.photos()) - 1)


def name(captioner: str) -> str:
    return tp(f"captioner_{captioner}")


def value_name(value: str) -> str:
    return tp(f"colour_{value}") if value in scenes.UNSEEN_COLOUR_RGB else label(value)


def caption_now(image: np.ndarray) -> dict[str, captioning.Caption]:
    return cache.captions(image, DECODING.value, BEAMS.value, float(TEMPERATURE.value), K.value, conf.seed)


def verdict(caption: captioning.Caption, scene: scenes.Scene) -> str:
    return f"{caption.text} {'✓' if captioning.is_exact(caption.words, scene) else '✗'}"


def controls() -> None:
    source_col, decoding_col, k_col = st.columns([1.2, 1.6, 1])
    with source_col:
        ui.radio(SOURCE, tp("source"), f"{PAGE}.source_")
        if SOURCE.value == "sample":
            st.number_input(tp("sample"), **SAMPLE.limits(high=len(test) - 1))
        elif SOURCE.value == "photo":
            st.slider(tp("photo"), **PHOTO.limits(high=len(scenes.photos()) - 1))
    with decoding_col:
        method = ui.radio(DECODING, tp("decoding"), f"{PAGE}.decoding_", help=tp("decoding_help"))
        beams_col, temperature_col = st.columns(2)
        beams_col.slider(tp("beams"), **BEAMS.limits(), disabled=method != "beam")
        temperature_col.slider(
            tp("temperature"),
            TEMPERATURE.options[0],
            TEMPERATURE.options[-1],
            step=0.1,
            key=TEMPERATURE.key,
            disabled=method != "sampling",
        )
    k_col.slider(tp("neighbours"), **K.limits(), help=tp("neighbours_help"))


def picture() -> tuple[np.ndarray | None, scenes.Scene | None, tuple | None]:
    """The picture to caption and what is in it (None: nobody knows), and, when the test picture was
    edited, (the original picture, its scene)."""
    source = SOURCE.value
    if source == "photo":
        return scenes.photos()[PHOTO.value], (), None
    if source == "upload":
        pixels = safe_input.image_upload(tp("upload"), key=f"{PAGE}.upload")
        return None if pixels is None else scenes.to_model_image(pixels), None, None
    index = int(test[SAMPLE.value])
    original, obj = world.images[index], world.describe(index)
    changes = {slot: control.value for slot, control in EDITS.items() if control.value}
    if not changes and NOISE.value == 0:
        return original, (obj,), None
    edited, changed = scenes.edit(obj, changes, float(NOISE.value), conf.seed)
    return edited, (changed,), (original, (obj,))


def word_chart(found: dict[str, captioning.Caption], scene: scenes.Scene | None) -> None:
    """Each caption's words in a row, coloured by probability; ✗ on words naming what is not in the picture."""
    captions = list(found.values())
    width = max(len(c.words) for c in captions)
    z, text = np.full((len(captions), width), np.nan), [[""] * width for _ in captions]
    flags = [
        captioning.hallucinated_words(c.words, scene or ()) if scene is not None else [False] * len(c.words)
        for c in captions
    ]
    for row, (caption, wrong) in enumerate(zip(captions, flags)):
        z[row, : len(caption.words)] = caption.probabilities
        text[row][: len(caption.words)] = [
            f"{w}{' ✗' if f else ''}<br>{p:.2f}" for w, p, f in zip(caption.words, caption.probabilities, wrong)
        ]
    fig = shared.figure(
        figures.labelled_heatmap,
        z,
        text,
        [str(j + 1) for j in range(width)],
        [name(c) for c in found],
        tp("words_title"),
        t("common.probability"),
        height=250,
        text_size=14 if width <= 8 else 11,
    )
    row, column = np.unravel_index(int(np.nanargmin(z)), z.shape)
    weakest = {"word": captions[row].words[column], "p": float(z[row, column]), "captioner": name(list(found)[row])}
    mentioned = sum(len(captioning.mentions(c.words)) for c in captions)
    summary = (
        tp("words_summary_unknown", **weakest)
        if scene is None
        else tp("words_summary", wrong=sum(map(sum, flags)), total=mentioned, **weakest)
    )
    ui.chart(fig, summary, key=f"{PAGE}_words", wide=True)


def live() -> np.ndarray | None:
    """The live core; returns the picture it captioned (None while an upload is awaited)."""
    st.subheader(tp("live_title"))
    controls()
    image, scene, before = picture()
    if image is None:
        st.info(tp("upload_hint"))
        return None
    found = caption_now(image)
    image_col, words_col = st.columns([1, 4.5])
    image_col.image(figures.enlarged(image, BIG), caption=tp("image_now"))
    if scene is None:
        image_col.caption(tp("truth_upload", n=len(generator.vocabulary.words) - len(captioning.SPECIALS)))
    else:
        image_col.markdown(tp("truth", caption=scenes.canonical_caption(scene[0])) if scene else tp("truth_photo"))
    with words_col:
        word_chart(found, scene)
    drilldown_views.attention(f"{PAGE}.look_attention", generator, image, found["generative"].words)
    counterfactual(image, scene, found, before)
    return image


def counterfactual(image: np.ndarray, scene: scenes.Scene | None, found: dict, before: tuple | None) -> None:
    st.subheader(tp("edit_title"))
    if SOURCE.value != "sample":
        st.caption(tp("edit_photo"))
        return
    ui.explain(f"{PAGE}.edit_help")
    columns = st.columns(len(EDITS) + 1)
    for column, (slot, control) in zip(columns, EDITS.items()):
        column.selectbox(
            t(f"common.attr.{slot}"),
            control.options,
            key=control.key,
            format_func=i18n.shown_as({v: value_name(v) if v else tp("keep") for v in control.options}),
        )
    columns[-1].slider(tp("noise"), NOISE.options[0], NOISE.options[-1], step=0.05, key=NOISE.key)
    if before is None:
        st.caption(tp("edit_none"))
        return
    original, original_scene = before
    found_before = caption_now(original)
    pictures, table = st.columns([1, 3])
    left, right = pictures.columns(2)
    left.image(figures.enlarged(original, THUMB), caption=tp("original"))
    right.image(figures.enlarged(image, THUMB), caption=tp("edited"))
    ui.table(
        [tp(f"edit_table_{c}") for c in ("captioner", "before", "after")],
        [[name(c), verdict(found_before[c], original_scene), verdict(found[c], scene)] for c in captioning.CAPTIONERS],
        into=table,
    )


# ---------------------------------------------------------------- a pretrained captioner next to ours (Pretrained mode)
def pretrained_picture(above: np.ndarray | None) -> np.ndarray | None:
    """A real photo, or the picture the live section above captions (None: nothing to caption yet)."""
    PRE_PICTURE.bind()
    ui.radio(PRE_PICTURE, tp("pre_picture"), f"{PAGE}.pre_picture_")
    if PRE_PICTURE.value == "photo":
        return pretrained.photo(PRE_PHOTO)
    if above is None:
        st.caption(tp("pre_above_none"))
    return above


def shown(token: str) -> str:
    """A token as a visitor can see it: a lone space or a piece of a character decodes to nothing."""
    return token or "␣"


def token_label(index: int, words: list[str]) -> str:
    """A token numbered, because a caption may repeat one ("a … a …")."""
    return f"{index + 1}. {shown(words[index])}"


def mean_or_one(index: int, kind: str) -> str:
    return tp(f"pre_mean_{kind}") if index < 0 else tp(f"pre_{kind}_n", n=index + 1)


def attention_controls(found: hub.Caption) -> tuple[int, np.ndarray]:
    """The chosen token, and its (patches,) cross-attention for the chosen layer and head (or their mean)."""
    layers, heads = found.cross_attention.shape[:2]
    # another photo has a shorter caption, another model fewer layers
    PRE_WORD.bind(options=range(len(found.words)))
    PRE_LAYER.bind(options=range(-1, layers))
    PRE_HEAD.bind(options=range(-1, heads))
    word_col, layer_col, head_col = st.columns([4, 1, 1])
    word_col.radio(
        tp("pre_word"),
        range(len(found.words)),
        key=PRE_WORD.key,
        horizontal=True,
        format_func=i18n.shown_as(dict(enumerate(map(shown, found.words)))),
    )
    layer_col.selectbox(
        tp("pre_layer"),
        range(-1, layers),
        key=PRE_LAYER.key,
        format_func=i18n.shown_as({i: mean_or_one(i, "layer") for i in range(-1, layers)}),
    )
    head_col.selectbox(
        tp("pre_head"),
        range(-1, heads),
        key=PRE_HEAD.key,
        format_func=i18n.shown_as({i: mean_or_one(i, "head") for i in range(-1, heads)}),
    )
    layer, head = PRE_LAYER.value, PRE_HEAD.value
    weights = implicit.attention_view(found.cross_attention, None if layer < 0 else layer, None if head < 0 else head)
    return PRE_WORD.value, weights[PRE_WORD.value]


def ours_beside(loaded: hub.Loaded, image: np.ndarray) -> None:
    """Our generative captioner's caption of the same picture, what it was given (the centre, shrunk to its size),
    and why it cannot do better."""
    small = scenes.to_model_image(image)
    ours = caption_now(small)["generative"]
    text_col, small_col = st.columns([3, 1])
    side = small.shape[0]
    text_col.markdown(tp("pre_ours", caption=ours.text, p=float(np.mean(ours.probabilities)), side=side))
    small_col.image(figures.enlarged(small, 3 * small.shape[1]), caption=tp("pre_ours_sees"))
    st.caption(
        tp(
            "pre_lesson",
            theirs=f"{loaded.parameters / 1e6:,.1f}",
            ours=f"{generator.meta['parameters'] / 1e6:,.2f}",
            side=side,
        )
    )


def token_chart(found: hub.Caption, chosen: int) -> None:
    labels = [token_label(i, found.words) for i in range(len(found.words))]
    p = found.word_probabilities
    fig = shared.figure(
        figures.bars,
        [float(v) for v in p],
        labels,
        tp("pre_words_title"),
        highlight=chosen,
        xlabel=t("common.probability"),
        height=110 + 22 * len(labels),
        value_range=(0.0, 1.0),
        text_format="{:.2f}",
    )
    ui.chart(
        fig,
        tp(
            "pre_words_summary",
            weakest=labels[int(np.argmin(p))],
            low=float(np.min(p)),
            strongest=labels[int(np.argmax(p))],
            high=float(np.max(p)),
        ),
        key=f"{PAGE}_pre_words",
    )


def attention_on_photo(image: np.ndarray, grid: np.ndarray, word: str) -> None:
    """The chosen word's attention twice: dimming the photo, and as numbers on the patch grid."""
    rows, cols = grid.shape
    where = tp("pre_where", layer=mean_or_one(PRE_LAYER.value, "layer"), head=mean_or_one(PRE_HEAD.value, "head"))
    picture_col, map_col = st.columns([1.3, 1])
    picture_col.image(hub.spotlight(image, grid, SPOTLIGHT_WIDTH), caption=tp("pre_spotlight", word=word, where=where))
    with map_col:
        fig = shared.figure(figures.patch_map, grid, tp("pre_map_title", word=word), tp("pre_weight"))
        col, row, value = figures.strongest_cell(grid)
        ui.chart(
            fig,
            tp(
                "pre_map_summary",
                word=word,
                where=where,
                row=row + 1,
                col=col + 1,
                value=value,
                even=1 / (rows * cols),
                patches=rows * cols,
            ),
            key=f"{PAGE}_pre_attention",
        )


def pretrained_side(above: np.ndarray | None) -> None:
    """In Pretrained mode: a captioner trained on real photos next to ours, its words' probabilities and
    where it looked for each word. The only part of the page that asks for a pretrained model."""
    loaded = pretrained.section(tp("pre_title"), "captioning")
    if loaded is None:
        return
    ui.explain(f"{PAGE}.pre_help")
    image = pretrained_picture(above)
    if image is None:
        return
    with st.spinner(tp("pre_writing")):
        found = pretrained.answer(loaded, hub.caption, image)
    if found is None:
        return
    theirs_col, ours_col = st.columns(2)
    with ours_col:
        ours_beside(loaded, image)
    if not found.words:
        theirs_col.info(tp("pre_no_words"))
        return
    theirs_col.markdown(
        tp(
            "pre_theirs",
            model=hub.ALLOWLIST[loaded.role].model_id,
            caption=found.text,
            p=float(np.mean(found.word_probabilities)),
        )
    )
    chosen, weights = attention_controls(found)
    with theirs_col:  # drawn after the word choice, which it highlights
        token_chart(found, chosen)
    attention_on_photo(image, weights.reshape(hub.patch_grid(loaded.model)), shown(found.words[chosen]))


def gallery() -> None:
    st.subheader(tp("gallery_title"))
    chosen = st.selectbox(
        tp("stress"), scenes.STRESS_SETS, key=STRESS.key, format_func=i18n.formatter(f"{PAGE}.stress_")
    )
    pairs = i18n.join(f"{label(c)} {label(s)}" for c, s in sorted(scenes.HELD_OUT_PAIRS))
    st.info(tp(f"reason_{chosen}", pairs=pairs))
    for captioner in ("generative", "retrieval"):
        scores, reference = results[chosen][captioner].scores, results["in_distribution"][captioner].scores
        st.markdown(
            tp(
                "gallery_summary",
                captioner=name(captioner),
                exact=ui.percent(scores.exact_match, 0),
                reference=ui.percent(reference.exact_match, 0),
                chair_s=ui.percent(scores.chair_s, 0),
            )
        )
    stress, per_row = sets[chosen], GALLERY // 2
    for start in range(0, min(GALLERY, len(stress.images)), per_row):
        for column, i in zip(st.columns(per_row), range(start, min(start + per_row, len(stress.images)))):
            scene = stress.scenes[i]
            lines = [
                tp("gallery_truth", caption=" + ".join(map(scenes.canonical_caption, scene)))
                if scene
                else tp("gallery_no_truth")
            ]
            lines += [
                f"**{tp(f'short_{c}')}**: {verdict(results[chosen][c].captions[i], scene)}"
                for c in captioning.CAPTIONERS
            ]
            column.image(figures.enlarged(stress.images[i], THUMB))
            column.caption("  \n".join(lines))


def bar_chart(field: str, title: str, summary: str) -> None:
    """One score of every captioner on every stress set, and the generative captioner's worst set."""
    series = {
        name(c): [getattr(results[s][c].scores, field) for s in scenes.STRESS_SETS] for c in captioning.CAPTIONERS
    }
    fig = shared.figure(
        figures.grouped_bars,
        [tp(f"stress_{s}") for s in scenes.STRESS_SETS],
        series,
        "",
        tp("metrics_axis"),
        height=120 + 42 * len(scenes.STRESS_SETS),
        horizontal=True,
    )
    fig.update_xaxes(tickformat=".0%")
    figures.outline_category(fig, scenes.STRESS_SETS.index(STRESS.value), horizontal=True)
    score = {s: getattr(results[s]["generative"].scores, field) for s in scenes.STRESS_SETS}
    worst = (min if field == "exact_match" else max)(scenes.STRESS_SETS[1:], key=score.get)
    st.markdown(f"**{tp(f'{title}')}**")
    ui.chart(
        fig,
        tp(
            f"{summary}",
            gen_reference=ui.percent(score["in_distribution"], 0),
            worst_value=ui.percent(score[worst], 0),
            ret_reference=ui.percent(getattr(results["in_distribution"]["retrieval"].scores, field), 0),
            worst=tp(f"stress_{worst}"),
        ),
        key=f"{PAGE}_{field}",
        on_select=lambda: choose_set(f"{PAGE}_{field}"),
    )


def choose_set(key: str) -> None:
    """A metric chart's on_select: the stress set of the clicked bar opens in the gallery below, and is
    outlined in both metric charts."""
    points = ui.clicked(key)
    if points and points[0].get("point_index") is not None:
        st.session_state[STRESS.key] = scenes.STRESS_SETS[int(points[0]["point_index"])]


def metrics() -> None:
    st.subheader(tp("metrics_title"))
    st.caption(tp("metrics_click"))
    exact_col, chair_col = st.columns(2)
    with exact_col:
        bar_chart("exact_match", "metrics_chart", "metrics_summary")
    with chair_col:
        bar_chart("chair_s", "metrics_chair_chart", "metrics_chair_summary")
    with st.expander(tp("table_title", k=captioning.DEFAULT_K)):
        header = (
            [tp(f"col_{c}") for c in ("set", "captioner", "n", "exact")]
            + [t(f"common.attr.{slot}") for slot in scenes.SLOTS]
            + [tp(f"col_{c}") for c in ("chair_i", "chair_s", "confidence")]
        )
        rows = [
            [
                tp(f"stress_{s}"),
                name(c),
                str(r.n),
                ui.percent(r.exact_match, 0),
                *(ui.percent(r.attributes[a], 0) for a in scenes.SLOTS),
                ui.percent(r.chair_i, 0),
                ui.percent(r.chair_s, 0),
                f"{r.confidence:.2f}",
            ]
            for s in scenes.STRESS_SETS
            for c in captioning.CAPTIONERS
            for r in [results[s][c].scores]
        ]
        ui.table(header, rows, "llrr" + "r" * len(scenes.SLOTS) + "rrr")
        ui.explain(f"{PAGE}.metrics_help")


def cost() -> None:
    st.subheader(tp("cost_title"))
    c = cache.cost()
    n = f"{c['sizes'][-1]:,}"
    charts = {
        "memory": (
            "cost_axis_mb",
            {"cost_retrieval": c["retrieval_bytes"], "cost_generative": c["generative_bytes"]},
            1e-6,
            tp(
                "cost_memory_summary",
                n=n,
                retrieval=c["retrieval_bytes"][-1] / 1e6,
                model=c["generative_bytes"][0] / 1e6,
            ),
        ),
        "time": (
            "cost_axis_ms",
            {
                "cost_retrieval": c["retrieval_seconds"],
                "cost_greedy": c["greedy_seconds"],
                "cost_beam": c["beam_seconds"],
            },
            1e3,
            tp(
                "cost_time_summary",
                n=n,
                retrieval=c["retrieval_seconds"][-1] * 1e3,
                greedy=c["greedy_seconds"][0] * 1e3,
                beam=c["beam_seconds"][0] * 1e3,
            ),
        ),
    }
    for column, (kind, (unit, series, scale, summary)) in zip(st.columns(2), charts.items()):
        lines = {tp(f"{key}"): (c["sizes"], [v * scale for v in values]) for key, values in series.items()}
        fig = shared.figure(
            figures.line_panel,
            figures.LinePanel(
                tp(f"cost_{kind}"),
                lines,
                tp("cost_axis_size"),
                tp(f"{unit}"),
                xaxis=DECADES,
                legend=True,
            ),
            height=360,
        )
        fig.update_yaxes(DECADES)
        with column:
            ui.chart(fig, summary, key=f"{PAGE}_cost_{kind}")
    if not conf.presenting:
        st.caption(tp("cost_help", n=len(dictionary.captions)))


def answer(step: int, image: np.ndarray | None) -> tuple[str, dict[str, str]]:
    """The right choice of step `step`'s question, from the captions of the picture on screen."""
    found, key = caption_now(image), STEPS[step].caption_key
    captions = {"captions": " · ".join(f"{name(c)}: “{found[c].text}”" for c in captioning.CAPTIONERS)}
    if key == f"{PAGE}.step_sampling":
        written = found["generative"]
        weakest = int(np.argmin(written.probabilities))
        p = written.probabilities[weakest]
        numbers = {"caption": written.text, "word": written.words[weakest], "p": f"{p:.2f}"}
        return ("high" if p > 0.5 else "low" if p < 0.1 else "middle"), numbers
    slot = "colour" if key == f"{PAGE}.step_pink" else "shape"
    naming = sum(any(s == slot for s, _ in captioning.mentions(found[c].words)) for c in captioning.CAPTIONERS)
    if slot == "colour":
        return ("known" if naming == len(found) else "none" if naming == 0 else "mixed"), captions
    return ("all" if naming == len(found) else "none" if naming == 0 else "some"), captions


ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
image = live()
quiz.reveal(lambda step: answer(step, image))
pretrained_side(image)
sets, results = cache.stress(conf.seed)  # after the live core has been drawn: it is seen first
metrics()
gallery()
cost()
if not conf.presenting:
    with st.expander(tp("details_title")):
        st.markdown(
            tp(
                "details",
                dims=captioning.EMBEDDING_DIMS,
                patches=captioning.PATCH_GRID**2,
                patch=captioning.PATCH_SIZE,
                parameters=int(generator.meta["parameters"]),
                n_train=len(dictionary.captions),
                vocabulary=len(generator.vocabulary.words) - len(captioning.SPECIALS),
            )
        )
ui.page_end()
