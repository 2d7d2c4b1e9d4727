"""Alignment: explicit (DTW forced alignment of spoken words) and implicit (a captioner's cross-attention),
side by side."""

import numpy as np
import streamlit as st

from components import figures, i18n, predict, pretrained, registry, safe_input, state, ui
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
from models import alignment as al
from models import captioning_scenes as scenes
from models import pretrained as hub

PAGE = "alignment"
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
MAX_DRAWN = 260  # frames per axis of the drawn cost matrix
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
    st.info(t(f"{PAGE}.shapes_only"))
world = registry.world("shapes", conf.seed)
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
    return al.two_objects(obj) if TWO.value else (world.images[index], (obj,))


def aligned(words: list[str]) -> al.Explicit:
    return registry.alignment_explicit(tuple(words), settings(), conf.seed * 1000 + SAMPLE.value)


def spans(starts, ends) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in zip(starts, ends)]


def header() -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(t(f"{PAGE}.examples"))
        for name in EXAMPLES:
            if name in ASKED:  # asked first: the step runs after a prediction
                on_click, args = predict.go, (PAGE, STEPS, f"{PAGE}.step", STEP_OF[name])
            else:
                on_click, args = use_example, (name,)
            st.button(t(f"{PAGE}.example_{name}"), key=f"{PAGE}.example_{name}", on_click=on_click, args=args)
    view_col, sample_col = st.columns([3, 1])
    view_col.radio(
        t(f"{PAGE}.view"), VIEW.options, key=VIEW.key, horizontal=True, format_func=i18n.formatter(f"{PAGE}.view_")
    )
    sample_col.number_input(t(f"{PAGE}.sample"), **SAMPLE.limits(high=len(test) - 1))


# ---------------------------------------------------------------- explicit: DTW
def explicit_controls() -> None:
    source_col, feature_col, voice_col, reorder_col = st.columns([1.35, 1.25, 1.7, 1.45], vertical_alignment="bottom")
    source_col.radio(
        t(f"{PAGE}.source"),
        SOURCE.options,
        key=SOURCE.key,
        horizontal=True,
        format_func=i18n.formatter(f"{PAGE}.source_"),
    )
    feature_col.radio(
        t(f"{PAGE}.feature"),
        FEATURE.options,
        key=FEATURE.key,
        horizontal=True,
        format_func=i18n.formatter(f"{PAGE}.feature_"),
        help=t(f"{PAGE}.feature_help"),
    )
    voice_col.selectbox(
        t(f"{PAGE}.voice"),
        VOICE.options,
        key=VOICE.key,
        format_func=i18n.formatter(f"{PAGE}.voice_"),
        help=t(f"{PAGE}.voice_help"),
    )
    tempo_col, noise_col, pattern_col, band_col = st.columns(4, vertical_alignment="bottom")
    tempo_col.slider(t(f"{PAGE}.tempo"), **TEMPO.limits(), help=t(f"{PAGE}.tempo_help"))
    noise_col.slider(t(f"{PAGE}.noise"), **NOISE.limits(), help=t(f"{PAGE}.noise_help"))
    pattern_col.selectbox(
        t(f"{PAGE}.pattern"),
        PATTERN.options,
        key=PATTERN.key,
        format_func=i18n.formatter(f"{PAGE}.pattern_"),
        help=t(f"{PAGE}.pattern_help"),
    )
    band_col.slider(t(f"{PAGE}.band"), **BAND.limits(), help=t(f"{PAGE}.band_help"))
    reorder_col.toggle(t(f"{PAGE}.reorder"), key=REORDER.key, help=t(f"{PAGE}.reorder_help"))


def explicit_words() -> list[str] | None:
    if SOURCE.value == "typed":
        text = safe_input.text_box(t(f"{PAGE}.text"), key=TEXT.key)
        words = al.words_of(text or "")
        if not words:
            st.info(t(f"{PAGE}.text_hint"))
            return None
        if len((text or "").split()) > al.MAX_WORDS:
            st.caption(t(f"{PAGE}.text_cut", n=al.MAX_WORDS))
        return words
    return al.words_of(world.captions[int(test[SAMPLE.value])])


def waveforms(found: al.Explicit, key: str) -> None:
    rec, reader = found.recording, found.reader
    fig = registry.figure(
        "aligned_waveforms",
        figures.waveform_points(rec.audio, al.SR, 3000),
        figures.waveform_points(reader.audio, al.SR, 3000),
        t(f"{PAGE}.recording"),
        t(f"{PAGE}.reader"),
        spans(rec.starts, rec.ends),
        spans(reader.starts, reader.ends),
        list(found.words),
        None if found.path is None else spans(found.found_starts, found.found_ends),
        t("common.time_s"),
    )
    if found.path is None:
        summary = t(f"{PAGE}.no_path")
    else:
        errors = found.errors_ms
        worst = int(np.argmax(errors)) % len(found.words)
        summary = t(
            f"{PAGE}.waves_summary",
            mean=errors.mean(),
            worst=errors.max(),
            word=found.words[worst],
            good=int((errors <= GOOD_MS).sum()),
            total=len(errors),
            ms=GOOD_MS,
        )
    ui.chart(fig, summary, key=key)


def cost_matrix(found: al.Explicit) -> None:
    every = max(1, -(-max(found.cost.shape) // MAX_DRAWN))  # draw every n-th frame of long sequences
    band = settings().band
    allowed = al.band_mask(found.cost.shape, band) if band > 0 else np.ones(found.cost.shape, dtype=bool)
    drawn = np.where(allowed, found.cost, np.nan)[::every, ::every]  # outside the band: blank
    x, y = (
        al.seconds_of(np.arange(0, found.cost.shape[0], every)),
        al.seconds_of(np.arange(0, found.cost.shape[1], every)),
    )
    path = None if found.path is None else (al.seconds_of(found.path[:, 0]), al.seconds_of(found.path[:, 1]))
    rec, reader = found.recording, found.reader
    fig = registry.figure(
        "warping_path",
        drawn.T,
        x,
        y,
        path,
        spans(rec.starts, rec.ends),
        list(found.words),
        spans(reader.starts, reader.ends),
        list(found.words),
        t(f"{PAGE}.matrix_title"),
        t(f"{PAGE}.recording_axis"),
        t(f"{PAGE}.reader_axis"),
        t(f"{PAGE}.distance"),
        height=460,
    )
    if found.path is None:
        summary = t(f"{PAGE}.matrix_no_path", pattern=t(f"{PAGE}.pattern_{settings().pattern}"))
    else:
        summary = t(
            f"{PAGE}.matrix_summary",
            steps=len(found.path),
            total=found.total,
            mean=found.total / len(found.path),
            frames_q=found.cost.shape[0],
            frames_r=found.cost.shape[1],
        )
    ui.chart(fig, summary, key=f"{PAGE}_matrix")


def explicit() -> al.Explicit | None:
    explicit_controls()
    words = explicit_words()
    if words is None:
        return None
    found = aligned(words)
    st.markdown(
        t(
            f"{PAGE}.said",
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
        cost_matrix(found)
    with wave_col:
        metrics(found)
        waveforms(found, f"{PAGE}_waves")
    ui.explain(f"{PAGE}.explicit_help")
    if not conf.presenting:
        measure()
        librosa_check(found)
        voice_table(words)
    return found


def snr_text(noise: float) -> str:
    return t(f"{PAGE}.clean") if noise <= 0 else t(f"{PAGE}.snr", db=-20 * np.log10(2 * noise))


def metrics(found: al.Explicit) -> None:
    mean_col, worst_col, good_col = st.columns(3)
    if found.path is None:
        mean_col.metric(t(f"{PAGE}.metric_mean"), "—")
        return
    errors = found.errors_ms
    mean_col.metric(t(f"{PAGE}.metric_mean"), f"{errors.mean():.0f} ms")
    worst_col.metric(t(f"{PAGE}.metric_worst"), f"{errors.max():.0f} ms")
    good_col.metric(t(f"{PAGE}.metric_good", ms=GOOD_MS), f"{(errors <= GOOD_MS).mean():.0%}")


def measure() -> None:
    with st.expander(t(f"{PAGE}.measure_title", n=MEASURED)):
        st.markdown(t(f"{PAGE}.measure_help", n=MEASURED))
        chosen = settings()
        found = registry.alignment_measurement(conf.seed, chosen, NOISES, MEASURED)
        if found is None:
            if not clicked(t(f"{PAGE}.measure_button", n=MEASURED), f"{PAGE}.measure"):
                return
            bar = st.progress(0.0)
            found = registry.alignment_measurement(
                conf.seed, chosen, NOISES, MEASURED, lambda fraction, message: bar.progress(fraction, message)
            )
            bar.empty()
        levels = [snr_text(n) for n in NOISES]
        series = {t(f"{PAGE}.feature_{f}"): found[f] for f in al.FEATURES}
        fig = registry.figure(
            "lines",
            levels,
            series,
            t(f"{PAGE}.measure_chart"),
            t(f"{PAGE}.noise_axis"),
            t(f"{PAGE}.error_axis"),
            height=300,
        )
        best = min(al.FEATURES, key=lambda f: np.nan_to_num(found[f][-1], nan=np.inf))
        ui.chart(
            fig,
            t(
                f"{PAGE}.measure_summary",
                clean=found[chosen.feature][0],
                noisy=found[chosen.feature][-1],
                feature=t(f"{PAGE}.feature_{chosen.feature}"),
                best=t(f"{PAGE}.feature_{best}"),
                best_noisy=found[best][-1],
                missing=int(sum(found[f"{chosen.feature}_no_path"])),
            ),
            key=f"{PAGE}_measure",
        )


def librosa_check(found: al.Explicit) -> None:
    with st.expander(t(f"{PAGE}.librosa_title")):
        st.markdown(t(f"{PAGE}.librosa_help"))
        if not clicked(t(f"{PAGE}.librosa_button"), f"{PAGE}.librosa"):
            return
        import time

        from models import warmup

        chosen = settings()
        with st.spinner(t(f"{PAGE}.librosa_wait" if warmup.marker().exists() else f"{PAGE}.librosa_cold")):
            start = time.perf_counter()
            try:
                accumulated, path = al.librosa_dtw(
                    np.asarray(found.cost, dtype=np.float64), chosen.pattern, chosen.band
                )
            except Exception:  # librosa refuses when no path fits: so did we
                accumulated, path = None, None
            seconds = time.perf_counter() - start
        if path is None or found.path is None:
            st.markdown(t(f"{PAGE}.librosa_none" if path is found.path else f"{PAGE}.librosa_differs"))
            return
        same = t(f"{PAGE}.librosa_same" if np.array_equal(path, found.path) else f"{PAGE}.librosa_not_same")
        st.markdown(
            t(f"{PAGE}.librosa_result", same=same, ours=found.total, theirs=float(accumulated[-1, -1]), seconds=seconds)
        )


def voice_table(words: list[str]) -> None:
    with st.expander(t(f"{PAGE}.voice_title")):
        st.markdown(t(f"{PAGE}.voice_text"))
        rows = [
            f"| {w} | {t(f'{PAGE}.timbre_{al.word_code(w)[0]}')} | {al.word_code(w)[1]:.0f} Hz | "
            f"{al.reader_duration(w) * 1000:.0f} ms |"
            for w in dict.fromkeys(words)
        ]
        st.markdown(
            "\n".join(
                [
                    f"| {t(f'{PAGE}.col_word')} | {t(f'{PAGE}.col_timbre')} | {t(f'{PAGE}.col_pitch')} | "
                    f"{t(f'{PAGE}.col_length')} |",
                    "| --- | --- | --- | --- |",
                    *rows,
                ]
            )
        )


# ---------------------------------------------------------------- implicit: attention
def layer_name(layer: int) -> str:
    return t(f"{PAGE}.average") if layer < 0 else t(f"{PAGE}.layer_n", n=layer + 1)


def head_name(head: int) -> str:
    return t(f"{PAGE}.average") if head < 0 else t(f"{PAGE}.head_n", n=head + 1)


def chosen_attention(found) -> np.ndarray:
    layer, head = LAYER.value, HEAD.value
    return al.attention_view(found.cross_attention, None if layer < 0 else layer, None if head < 0 else head)


def object_name(obj: dict) -> str:
    return f"{label(obj['colour'])} {label(obj['shape'])}"


def spotlights(image: np.ndarray, words, weights: np.ndarray, scene) -> np.ndarray:
    """One dimmed picture per word; returns (objects, words): each word's share of attention on each object."""
    shares = np.stack([al.on_object(weights, coverage) for coverage in al.object_coverages(image, scene)])
    if len(scene) > 1:
        st.caption(t(f"{PAGE}.spot_two", first=object_name(scene[0]), second=object_name(scene[1])))
    for column, word, share, row in zip(st.columns(max(len(words), 7)), words, shares.T, weights):
        caption = (
            t(f"{PAGE}.spot_caption", word=word, share=share[0])
            if len(scene) == 1
            else t(f"{PAGE}.spot_caption_two", word=word, first=share[0], second=share[1])
        )
        column.image(al.spotlight(image, row, SPOT), caption=caption, width="stretch")
    return shares


def implicit() -> None:
    toggle_col, layer_col, head_col = st.columns([1.4, 1, 1])
    toggle_col.toggle(t(f"{PAGE}.two"), key=TWO.key, help=t(f"{PAGE}.two_help"))
    layer_col.selectbox(
        t(f"{PAGE}.layer"),
        LAYER.options,
        key=LAYER.key,
        format_func=i18n.shown_as({n: layer_name(n) for n in LAYER.options}),
    )
    head_col.selectbox(
        t(f"{PAGE}.head"),
        HEAD.options,
        key=HEAD.key,
        format_func=i18n.shown_as({n: head_name(n) for n in HEAD.options}),
    )
    image, scene = sample_image()
    with st.spinner(t(f"{PAGE}.loading_captioner")):
        found = registry.alignment_attention(image)
    weights = chosen_attention(found)
    st.markdown(
        t(
            f"{PAGE}.caption_is",
            caption=" ".join(found.words),
            truth=" + ".join(scenes.canonical_caption(o) for o in scene),
        )
    )
    spotlights(image, found.words, weights, scene)
    ui.explain(f"{PAGE}.implicit_help")
    matrix_col, slots_col = st.columns(2)
    with matrix_col:
        patches = [t(f"{PAGE}.patch", row=p // al.GRID + 1, col=p % al.GRID + 1) for p in range(al.GRID**2)]
        fig = registry.figure(
            "heatmap",
            weights,
            t(f"{PAGE}.attention_title", layer=layer_name(LAYER.value), head=head_name(HEAD.value)),
            patches,
            list(found.words),
            t(f"{PAGE}.patch_axis"),
            "",
            t(f"{PAGE}.weight"),
            height=340,
            reverse_y=True,
            zmin=0.0,
        )
        patch, word, value = figures.strongest_cell(weights, patches, list(found.words))
        ui.chart(
            fig,
            t(f"{PAGE}.attention_summary", word=word, patch=patch, value=value, rows=len(found.words), cols=al.GRID**2),
            key=f"{PAGE}_attention",
        )
    with slots_col:
        by_slot()
    coordinated(image)
    clip_regions()


def by_slot() -> None:
    slots = registry.alignment_attention_by_slot(conf.seed)
    layer, head = LAYER.value, HEAD.value
    share = al.attention_view(slots["share"], None if layer < 0 else layer, None if head < 0 else head)
    words = [str(w) for w in slots["words"]]
    names = [t(f"{PAGE}.slot_{k}") for k in range(len(words))]
    chance = float(slots["chance"])
    fig = registry.figure(
        "grouped_bars",
        names,
        {t(f"{PAGE}.on_object"): share.tolist()},
        t(f"{PAGE}.slots_title", n=len(test)),
        t(f"{PAGE}.on_object_axis"),
        height=340,
        reference=chance,
        reference_label=t(f"{PAGE}.chance"),
    )
    best, worst = int(np.argmax(share)), int(np.argmin(share))
    ui.chart(
        fig,
        t(
            f"{PAGE}.slots_summary",
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
    st.subheader(t(f"{PAGE}.coordinated_title"))
    ui.explain(f"{PAGE}.coordinated_help")
    text = safe_input.text_box(t(f"{PAGE}.word"), key=WORD.key)
    word = (al.words_of(text or "") or [""])[0]
    if not word:
        st.info(t(f"{PAGE}.word_hint"))
        return
    similarity, drop = registry.alignment_word_regions(image, word)
    picture_col, map_col = st.columns([1, 2])
    picture_col.image(
        al.spotlight(image, np.clip(drop, 0, None) + 1e-9, SPOT * 2),
        caption=t(f"{PAGE}.region_caption", word=word, similarity=similarity),
    )
    with map_col:
        fig = registry.figure(
            "patch_map",
            drop.reshape(al.GRID, al.GRID),
            t(f"{PAGE}.region_title", word=word),
            t(f"{PAGE}.drop"),
            diverging=True,
            height=300,
        )
        patch = int(np.argmax(drop))
        ui.chart(
            fig,
            t(
                f"{PAGE}.region_summary",
                word=word,
                row=patch // al.GRID + 1,
                col=patch % al.GRID + 1,
                drop=float(drop[patch]),
                similarity=similarity,
            ),
            key=f"{PAGE}_region",
        )


def set_clip_word(word: str) -> None:
    st.session_state[CLIP_WORD.key] = word


def clip_regions() -> None:
    """Pretrained mode: the same question asked of CLIP, on a real photo: where is the typed word?"""
    loaded = pretrained.section(t(f"{PAGE}.clip_title"), "image_text")
    if loaded is None:
        return
    ui.explain(f"{PAGE}.clip_help")
    CLIP_WORD.bind()
    photo_col, word_col = st.columns([1, 1])
    with photo_col:
        photo = pretrained.photo(CLIP_PHOTO)
    with word_col:
        text = safe_input.text_box(t(f"{PAGE}.clip_word"), key=CLIP_WORD.key, max_chars=60)
        with st.container(horizontal=True):
            for example in CLIP_EXAMPLES:
                st.button(example, key=f"{PAGE}.clip_example_{example}", on_click=set_clip_word, args=(example,))
    if photo is None or text is None:
        return
    square = hub.centre_square(photo)
    with st.spinner(t(f"{PAGE}.clip_reading")):
        grid = pretrained.answer(loaded, "word_region_similarity", square, text)
    if grid is None:
        return
    rows, cols = grid.shape
    picture_col, map_col = st.columns([1, 1.3])
    picture_col.image(
        hub.spotlight(square, grid - grid.min(), width=448), caption=t(f"{PAGE}.clip_spotlight", word=text)
    )
    with map_col:
        fig = figures.patch_map(
            grid, t(f"{PAGE}.clip_map_title", word=text), "cos", diverging=True, height=420, values=True
        )
        high, low = np.unravel_index(int(grid.argmax()), grid.shape), np.unravel_index(int(grid.argmin()), grid.shape)
        ui.chart(
            fig,
            t(
                f"{PAGE}.clip_map_summary",
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
    st.caption(t(f"{PAGE}.clip_approximation"))


# ---------------------------------------------------------------- side by side
def word_table(timed: al.Explicit, share: np.ndarray) -> None:
    """One row per word: where DTW put it in the recording (and how far off), and where attention put it."""
    header = [t(f"{PAGE}.col_{c}") for c in ("word", "found", "truth", "error", "attention")]
    rows = []
    for k, word in enumerate(timed.words):
        truth = f"{timed.recording.starts[k]:.2f}–{timed.recording.ends[k]:.2f} s"
        if timed.path is None:
            found, error = "—", "—"
        else:
            found = f"{timed.found_starts[k]:.2f}–{timed.found_ends[k]:.2f} s"
            error = f"{(timed.errors_ms[k] + timed.errors_ms[k + len(timed.words)]) / 2:.0f} ms"
        rows.append(f"| {word} | {found} | {truth} | {error} | {share[k]:.0%} |")
    st.markdown("\n".join(["| " + " | ".join(header) + " |", "|" + " --- |" * len(header), *rows]))


def both() -> None:
    image, scene = sample_image()
    with st.spinner(t(f"{PAGE}.loading_captioner")):
        found = registry.alignment_attention(image)
    weights = chosen_attention(found)
    timed = aligned(list(found.words))
    st.markdown(t(f"{PAGE}.both_intro", caption=" ".join(found.words)))
    st.markdown(f"**{t(f'{PAGE}.both_implicit')}**")
    shares = spotlights(image, found.words, weights, scene)
    st.markdown(f"**{t(f'{PAGE}.both_explicit')}**")
    waveforms(timed, f"{PAGE}_both_waves")
    word_table(timed, shares.sum(0))
    explicit_col, implicit_col = st.columns(2)
    explicit_col.markdown(t(f"{PAGE}.note_explicit"))
    implicit_col.markdown(t(f"{PAGE}.note_implicit"))


def answer(found: al.Explicit | None) -> tuple[str, dict[str, str]]:
    """How far off DTW's boundaries are in the alignment on screen (the answer of every question here)."""
    if found is None or found.path is None:
        return "lost", {"result": t(f"{PAGE}.answer_no_path")}
    errors = found.errors_ms
    result = t(
        f"{PAGE}.answer_path",
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
