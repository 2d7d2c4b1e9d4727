"""Alignment: explicit (DTW forced alignment of spoken words) and implicit (a captioner's cross-attention),
side by side."""

import numpy as np
import streamlit as st

from components import drilldown_views, dtw_view, figures, i18n, predict, pretrained, safe_input, state, ui
from components.cache import alignment as cache
from components.cache import shared
from components.controls.alignment import (
    BAND,
    CLIP_PHOTO,
    CLIP_WORD,
    FEATURE,
    HEAD,
    LAYER,
    NOISE,
    PATTERN,
    REORDER,
    SAMPLE,
    SOURCE,
    TEMPO,
    TEXT,
    TWO,
    VIEW,
    VOICE,
    WORD,
)
from components.i18n import label, t
from models import hub
from models.alignment import explicit as al
from models.alignment import implicit as im
from models.captioning import scenes

PAGE = "alignment"
tp = i18n.scoped(PAGE)
DEFAULTS = {control: control.default for control in (FEATURE, PATTERN, BAND, TEMPO, NOISE, VOICE, REORDER, TWO)}
EXAMPLES = {
    "clean": {VIEW: "explicit"},
    "fast_noisy": {VIEW: "explicit", TEMPO: 1.6, NOISE: 0.6},
    "octave": {VIEW: "explicit", VOICE: "plain_octave"},
    "chroma": {VIEW: "explicit", VOICE: "plain_octave", FEATURE: "chroma"},
    "no_path": {VIEW: "explicit", TEMPO: 0.5, PATTERN: "slope"},
    "reordered": {VIEW: "explicit", REORDER: True},
    "two_objects": {VIEW: "implicit", TWO: True},
    "side_by_side": {VIEW: "both"},
}
EXAMPLES = {name: {**DEFAULTS, **values} for name, values in EXAMPLES.items()}
NOISES = (0.0, 0.25, 0.5, 1.0)  # noise levels of the test-split measurement
MEASURED = 24  # test captions it aligns per feature and noise level
GOOD_MS = 50  # a boundary within this many milliseconds counts as found
SPOT = 4  # spotlight pictures: each pixel drawn 4x4
CLIP_EXAMPLES = (CLIP_WORD.default, "trees", "water", "sky", "flower", "leaves")

ASKED = ("fast_noisy", "octave", "chroma")  # steps asked as a question: how far off the boundaries are
OFF = ("close", "off", "lost")  # mean boundary error under 50 ms, up to 150 ms, beyond (or no path)
STEPS = [
    state.Step(
        f"{PAGE}.step_{name}",
        EXAMPLES[name],
        focus=f"{PAGE}_both_waves" if name == "side_by_side" else f"{PAGE}_matrix",
        choices=OFF if name in ASKED else (),
    )
    for name in ("clean", "fast_noisy", "octave", "chroma", "side_by_side")
]
STEP_OF = {step.caption_key.removeprefix(f"{PAGE}.step_"): i for i, step in enumerate(STEPS)}
conf = ui.page_start(PAGE, STEPS)
if conf.world != "shapes":
    st.info(tp("shapes_only"))
world = shared.world("shapes", conf.seed)
test = scenes.split_indices(world, "test")

for control in (VIEW, SOURCE, TEXT, *DEFAULTS, LAYER, HEAD, WORD):
    control.bind()
SAMPLE.bind(high=len(test) - 1)  # another seed has another test split


def use_example(name: str) -> None:
    st.session_state.update({control.key: value for control, value in EXAMPLES[name].items()})


def clicked(text: str, key: str) -> bool:
    """A button that says once that it was pressed. Its callback sets a flag: under the router, a plain
    st.button's return value never turned True in AppTest."""
    st.button(text, key=key, on_click=st.session_state.__setitem__, args=(f"{key}.pressed", True))
    return st.session_state.pop(f"{key}.pressed", False)


def settings() -> al.Settings:
    return al.Settings(
        FEATURE.value,
        PATTERN.value,
        float(BAND.value),
        float(TEMPO.value),
        float(NOISE.value),
        VOICE.value,
        bool(REORDER.value),
    )


def sample_image() -> tuple[np.ndarray, tuple]:
    """The chosen test picture (or it with a second object beside it) and the objects in it."""
    index = int(test[SAMPLE.value])
    obj = world.describe(index)
    return im.two_objects(obj) if TWO.value else (world.images[index], (obj,))


def aligned(words: list[str]) -> al.Explicit:
    return cache.explicit(tuple(words), settings(), conf.seed * 1000 + SAMPLE.value)


def header() -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(tp("examples"))
        for name in EXAMPLES:
            if name in ASKED:  # asked first: the step runs after a prediction
                on_click, args = predict.go, (PAGE, STEPS, f"{PAGE}.step", STEP_OF[name])
            else:
                on_click, args = use_example, (name,)
            st.button(tp(f"example_{name}"), key=f"{PAGE}.example_{name}", on_click=on_click, args=args)
    view_col, sample_col = st.columns([3, 1])
    ui.radio(VIEW, tp("view"), f"{PAGE}.view_", into=view_col)
    sample_col.number_input(tp("sample"), **SAMPLE.limits(high=len(test) - 1))


# ---------------------------------------------------------------- explicit: DTW
def explicit_controls() -> None:
    source_col, feature_col, voice_col, reorder_col = st.columns([1.35, 1.25, 1.7, 1.45], vertical_alignment="bottom")
    ui.radio(SOURCE, tp("source"), f"{PAGE}.source_", into=source_col)
    ui.radio(FEATURE, tp("feature"), f"{PAGE}.feature_", into=feature_col, help=tp("feature_help"))
    voice_col.selectbox(
        tp("voice"),
        VOICE.options,
        key=VOICE.key,
        format_func=i18n.formatter(f"{PAGE}.voice_"),
        help=tp("voice_help"),
    )
    tempo_col, noise_col, pattern_col, band_col = st.columns(4, vertical_alignment="bottom")
    tempo_col.slider(tp("tempo"), **TEMPO.limits(), help=tp("tempo_help"))
    noise_col.slider(tp("noise"), **NOISE.limits(), help=tp("noise_help"))
    pattern_col.selectbox(
        tp("pattern"),
        PATTERN.options,
        key=PATTERN.key,
        format_func=i18n.formatter(f"{PAGE}.pattern_"),
        help=tp("pattern_help"),
    )
    band_col.slider(tp("band"), **BAND.limits(), help=tp("band_help"))
    reorder_col.toggle(tp("reorder"), key=REORDER.key, help=tp("reorder_help"))


def explicit_words() -> list[str] | None:
    if SOURCE.value == "typed":
        text = safe_input.text_box(tp("text"), key=TEXT.key)
        words = al.words_of(text or "")
        if not words:
            st.info(tp("text_hint"))
            return None
        if len((text or "").split()) > al.MAX_WORDS:
            st.caption(tp("text_cut", n=al.MAX_WORDS))
        return words
    return al.words_of(world.captions[int(test[SAMPLE.value])])


def waveforms(found: al.Explicit, key: str) -> None:
    rec, reader = found.recording, found.reader
    fig = shared.figure(
        figures.aligned_waveforms,
        figures.waveform_points(rec.audio, al.SR, 3000),
        figures.waveform_points(reader.audio, al.SR, 3000),
        tp("recording"),
        tp("reader"),
        dtw_view.spans(rec.starts, rec.ends),
        dtw_view.spans(reader.starts, reader.ends),
        list(found.words),
        None if found.path is None else dtw_view.spans(found.found_starts, found.found_ends),
        t("common.time_s"),
    )
    if found.path is None:
        summary = tp("no_path")
    else:
        errors = found.errors_ms
        worst = int(np.argmax(errors)) % len(found.words)
        summary = tp(
            "waves_summary",
            mean=errors.mean(),
            worst=errors.max(),
            word=found.words[worst],
            good=int((errors <= GOOD_MS).sum()),
            total=len(errors),
            ms=GOOD_MS,
        )
    ui.chart(fig, summary, key=key)


def explicit() -> al.Explicit | None:
    explicit_controls()
    words = explicit_words()
    if words is None:
        return None
    found = aligned(words)
    st.markdown(
        tp(
            "said",
            written=" ".join(words),
            spoken=" ".join(words[i] for i in found.spoken_order),
            snr=snr_text(settings().noise),
        )
    )
    audio_col, reader_col = st.columns(2)
    audio_col.audio(np.asarray(found.recording.audio), sample_rate=al.SR)
    reader_col.audio(np.asarray(found.reader.audio), sample_rate=al.SR)
    matrix_col, wave_col = st.columns([1.05, 1])
    with matrix_col:
        dtw_view.warping_path(found, settings(), f"{PAGE}_matrix")
    with wave_col:
        metrics(found)
        waveforms(found, f"{PAGE}_waves")
    pattern = settings().pattern
    drilldown_views.dtw_cell(f"{PAGE}.look_cell", found, pattern, settings().band, tp(f"pattern_{pattern}"))
    ui.explain(f"{PAGE}.explicit_help")
    if not conf.presenting:
        measure()
        librosa_check(found)
        voice_table(words)
    return found


def snr_text(noise: float) -> str:
    return tp("clean") if noise <= 0 else tp("snr", db=-20 * np.log10(2 * noise))


def metrics(found: al.Explicit) -> None:
    mean_col, worst_col, good_col = st.columns(3)
    if found.path is None:
        mean_col.metric(tp("metric_mean"), "—")
        return
    errors = found.errors_ms
    mean_col.metric(tp("metric_mean"), f"{errors.mean():.0f} ms")
    worst_col.metric(tp("metric_worst"), f"{errors.max():.0f} ms")
    good_col.metric(tp("metric_good", ms=GOOD_MS), f"{(errors <= GOOD_MS).mean():.0%}")


def measure() -> None:
    with st.expander(tp("measure_title", n=MEASURED)):
        st.markdown(tp("measure_help", n=MEASURED))
        chosen = settings()
        found = cache.measurement(conf.seed, chosen, NOISES, MEASURED)
        if found is None:
            if not clicked(tp("measure_button", n=MEASURED), f"{PAGE}.measure"):
                return
            bar = st.progress(0.0)
            found = cache.measurement(
                conf.seed, chosen, NOISES, MEASURED, lambda fraction, message: bar.progress(fraction, message)
            )
            bar.empty()
        levels = [snr_text(n) for n in NOISES]
        series = {tp(f"feature_{f}"): found[f] for f in al.FEATURES}
        fig = shared.figure(
            figures.lines,
            levels,
            series,
            tp("measure_chart"),
            tp("noise_axis"),
            tp("error_axis"),
            height=300,
        )
        best = min(al.FEATURES, key=lambda f: np.nan_to_num(found[f][-1], nan=np.inf))
        ui.chart(
            fig,
            tp(
                "measure_summary",
                clean=found[chosen.feature][0],
                noisy=found[chosen.feature][-1],
                feature=tp(f"feature_{chosen.feature}"),
                best=tp(f"feature_{best}"),
                best_noisy=found[best][-1],
                missing=int(sum(found[f"{chosen.feature}_no_path"])),
            ),
            key=f"{PAGE}_measure",
        )


def librosa_check(found: al.Explicit) -> None:
    with st.expander(tp("librosa_title")):
        st.markdown(tp("librosa_help"))
        if not clicked(tp("librosa_button"), f"{PAGE}.librosa"):
            return
        import time

        from models.core import jit as warmup

        chosen = settings()
        with st.spinner(tp("librosa_wait" if warmup.marker().exists() else "librosa_cold")):
            start = time.perf_counter()
            try:
                accumulated, path = al.librosa_dtw(
                    np.asarray(found.cost, dtype=np.float64), chosen.pattern, chosen.band
                )
            except Exception:  # librosa refuses when no path fits: so did we
                accumulated, path = None, None
            seconds = time.perf_counter() - start
        if path is None or found.path is None:
            st.markdown(tp("librosa_none" if path is found.path else "librosa_differs"))
            return
        same = tp("librosa_same" if np.array_equal(path, found.path) else "librosa_not_same")
        st.markdown(
            tp("librosa_result", same=same, ours=found.total, theirs=float(accumulated[-1, -1]), seconds=seconds)
        )


def voice_table(words: list[str]) -> None:
    with st.expander(tp("voice_title")):
        st.markdown(tp("voice_text"))
        rows = [
            [
                w,
                tp(f"timbre_{al.word_code(w)[0]}"),
                f"{al.word_code(w)[1]:.0f} Hz",
                f"{al.reader_duration(w) * 1000:.0f} ms",
            ]
            for w in dict.fromkeys(words)
        ]
        ui.table([tp(f"col_{c}") for c in ("word", "timbre", "pitch", "length")], rows, "llrr")


# ---------------------------------------------------------------- implicit: attention
def layer_name(layer: int) -> str:
    return tp("average") if layer < 0 else tp("layer_n", n=layer + 1)


def head_name(head: int) -> str:
    return tp("average") if head < 0 else tp("head_n", n=head + 1)


def chosen_attention(found) -> np.ndarray:
    layer, head = LAYER.value, HEAD.value
    return im.attention_view(found.cross_attention, None if layer < 0 else layer, None if head < 0 else head)


def object_name(obj: dict) -> str:
    return f"{label(obj['colour'])} {label(obj['shape'])}"


def spotlights(image: np.ndarray, words, weights: np.ndarray, scene) -> np.ndarray:
    """One dimmed picture per word; returns (objects, words): each word's share of attention on each object."""
    shares = np.stack([im.on_object(weights, coverage) for coverage in im.object_coverages(image, scene)])
    if len(scene) > 1:
        st.caption(tp("spot_two", first=object_name(scene[0]), second=object_name(scene[1])))
    for column, word, share, row in zip(st.columns(max(len(words), 7)), words, shares.T, weights):
        caption = (
            tp("spot_caption", word=word, share=share[0])
            if len(scene) == 1
            else tp("spot_caption_two", word=word, first=share[0], second=share[1])
        )
        column.image(im.spotlight(image, row, SPOT), caption=caption, width="stretch")
    return shares


def implicit() -> None:
    toggle_col, layer_col, head_col = st.columns([1.4, 1, 1])
    toggle_col.toggle(tp("two"), key=TWO.key, help=tp("two_help"))
    layer_col.selectbox(
        tp("layer"),
        LAYER.options,
        key=LAYER.key,
        format_func=i18n.shown_as({n: layer_name(n) for n in LAYER.options}),
    )
    head_col.selectbox(
        tp("head"),
        HEAD.options,
        key=HEAD.key,
        format_func=i18n.shown_as({n: head_name(n) for n in HEAD.options}),
    )
    image, scene = sample_image()
    with st.spinner(tp("loading_captioner")):
        found = cache.attention(image)
    weights = chosen_attention(found)
    st.markdown(
        tp(
            "caption_is",
            caption=" ".join(found.words),
            truth=" + ".join(scenes.canonical_caption(o) for o in scene),
        )
    )
    spotlights(image, found.words, weights, scene)
    ui.explain(f"{PAGE}.implicit_help")
    matrix_col, slots_col = st.columns(2)
    with matrix_col:
        patches = [tp("patch", row=p // im.GRID + 1, col=p % im.GRID + 1) for p in range(im.GRID**2)]
        fig = shared.figure(
            figures.heatmap,
            weights,
            tp("attention_title", layer=layer_name(LAYER.value), head=head_name(HEAD.value)),
            patches,
            list(found.words),
            tp("patch_axis"),
            "",
            tp("weight"),
            height=340,
            reverse_y=True,
            zmin=0.0,
        )
        patch, word, value = figures.strongest_cell(weights, patches, list(found.words))
        ui.chart(
            fig,
            tp("attention_summary", word=word, patch=patch, value=value, rows=len(found.words), cols=im.GRID**2),
            key=f"{PAGE}_attention",
        )
    with slots_col:
        by_slot()
    coordinated(image)
    clip_regions()


def by_slot() -> None:
    slots = cache.attention_by_slot(conf.seed)
    layer, head = LAYER.value, HEAD.value
    share = im.attention_view(slots["share"], None if layer < 0 else layer, None if head < 0 else head)
    words = [str(w) for w in slots["words"]]
    names = [tp(f"slot_{k}") for k in range(len(words))]
    chance = float(slots["chance"])
    fig = shared.figure(
        figures.grouped_bars,
        names,
        {tp("on_object"): share.tolist()},
        tp("slots_title", n=len(test)),
        tp("on_object_axis"),
        height=340,
        reference=chance,
        reference_label=tp("chance"),
    )
    best, worst = int(np.argmax(share)), int(np.argmin(share))
    ui.chart(
        fig,
        tp(
            "slots_summary",
            best=names[best],
            best_share=share[best],
            worst=names[worst],
            worst_share=share[worst],
            chance=chance,
            n=len(test),
        ),
        key=f"{PAGE}_slots",
    )


def coordinated(image: np.ndarray) -> None:
    st.subheader(tp("coordinated_title"))
    ui.explain(f"{PAGE}.coordinated_help")
    text = safe_input.text_box(tp("word"), key=WORD.key)
    word = (al.words_of(text or "") or [""])[0]
    if not word:
        st.info(tp("word_hint"))
        return
    similarity, drop = cache.word_regions(image, word)
    picture_col, map_col = st.columns([1, 2])
    picture_col.image(
        im.spotlight(image, np.clip(drop, 0, None) + 1e-9, SPOT * 2),
        caption=tp("region_caption", word=word, similarity=similarity),
    )
    with map_col:
        fig = shared.figure(
            figures.patch_map,
            drop.reshape(im.GRID, im.GRID),
            tp("region_title", word=word),
            tp("drop"),
            diverging=True,
            height=300,
        )
        patch = int(np.argmax(drop))
        ui.chart(
            fig,
            tp(
                "region_summary",
                word=word,
                row=patch // im.GRID + 1,
                col=patch % im.GRID + 1,
                drop=float(drop[patch]),
                similarity=similarity,
            ),
            key=f"{PAGE}_region",
        )


def set_clip_word(word: str) -> None:
    st.session_state[CLIP_WORD.key] = word


def clip_regions() -> None:
    """Pretrained mode: the same question asked of CLIP, on a real photo: where is the typed word?"""
    loaded = pretrained.section(tp("clip_title"), "image_text")
    if loaded is None:
        return
    ui.explain(f"{PAGE}.clip_help")
    CLIP_WORD.bind()
    photo_col, word_col = st.columns([1, 1])
    with photo_col:
        photo = pretrained.photo(CLIP_PHOTO)
    with word_col:
        text = safe_input.text_box(tp("clip_word"), key=CLIP_WORD.key, max_chars=60)
        with st.container(horizontal=True):
            for example in CLIP_EXAMPLES:
                st.button(example, key=f"{PAGE}.clip_example_{example}", on_click=set_clip_word, args=(example,))
    if photo is None or text is None:
        return
    square = hub.centre_square(photo)
    with st.spinner(tp("clip_reading")):
        grid = pretrained.answer(loaded, hub.word_region_similarity, square, text)
    if grid is None:
        return
    rows, cols = grid.shape
    picture_col, map_col = st.columns([1, 1.3])
    picture_col.image(hub.spotlight(square, grid - grid.min(), width=448), caption=tp("clip_spotlight", word=text))
    with map_col:
        fig = figures.patch_map(grid, tp("clip_map_title", word=text), "cos", diverging=True, height=420, values=True)
        high, low = np.unravel_index(int(grid.argmax()), grid.shape), np.unravel_index(int(grid.argmin()), grid.shape)
        ui.chart(
            fig,
            tp(
                "clip_map_summary",
                word=text,
                rows=rows,
                cols=cols,
                high_row=high[0] + 1,
                high_col=high[1] + 1,
                high=float(grid.max()),
                low_row=low[0] + 1,
                low_col=low[1] + 1,
                low=float(grid.min()),
            ),
            key=f"{PAGE}_clip_map",
        )
    st.caption(tp("clip_approximation"))


# ---------------------------------------------------------------- side by side
def word_table(timed: al.Explicit, share: np.ndarray) -> None:
    """One row per word: where DTW put it in the recording (and how far off), and where attention put it."""
    header = [tp(f"col_{c}") for c in ("word", "found", "truth", "error", "attention")]
    rows = []
    for k, word in enumerate(timed.words):
        truth = f"{timed.recording.starts[k]:.2f}–{timed.recording.ends[k]:.2f} s"
        if timed.path is None:
            found, error = "—", "—"
        else:
            found = f"{timed.found_starts[k]:.2f}–{timed.found_ends[k]:.2f} s"
            error = f"{(timed.errors_ms[k] + timed.errors_ms[k + len(timed.words)]) / 2:.0f} ms"
        rows.append([word, found, truth, error, f"{share[k]:.0%}"])
    ui.table(header, rows, "lllrr")


def both() -> None:
    image, scene = sample_image()
    with st.spinner(tp("loading_captioner")):
        found = cache.attention(image)
    weights = chosen_attention(found)
    timed = aligned(list(found.words))
    st.markdown(tp("both_intro", caption=" ".join(found.words)))
    st.markdown(f"**{tp('both_implicit')}**")
    shares = spotlights(image, found.words, weights, scene)
    st.markdown(f"**{tp('both_explicit')}**")
    waveforms(timed, f"{PAGE}_both_waves")
    word_table(timed, shares.sum(0))
    explicit_col, implicit_col = st.columns(2)
    explicit_col.markdown(tp("note_explicit"))
    implicit_col.markdown(tp("note_implicit"))


def answer(found: al.Explicit | None) -> tuple[str, dict[str, str]]:
    """How far off DTW's boundaries are in the alignment on screen (the answer of every question here)."""
    if found is None or found.path is None:
        return "lost", {"result": tp("answer_no_path")}
    errors = found.errors_ms
    result = tp(
        "answer_path",
        mean=errors.mean(),
        worst=errors.max(),
        good=int((errors <= GOOD_MS).sum()),
        total=len(errors),
        ms=GOOD_MS,
    )
    mean = errors.mean()
    return ("close" if mean < GOOD_MS else "off" if mean <= 3 * GOOD_MS else "lost"), {"result": result}


header()
quiz = predict.ask(PAGE, STEPS)
found = {"explicit": explicit, "implicit": implicit, "both": both}[VIEW.value]()
quiz.reveal(lambda step: answer(found))
ui.page_end()
