"""Unimodal classifiers: each modality as one long vector, classic classifiers on it, and honest model selection."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from components import figures, i18n, predict, pretrained, settings, state, ui
from components.cache import shared
from components.cache import unimodal as cache
from components.controls.unimodal import (
    DATA_MODALITY,
    FRAME,
    IMAGE_SOURCE,
    LABELS,
    METRIC,
    MODEL,
    SAMPLE,
    SECTION,
    SOUND_SOURCE,
    SWEEP_MODEL,
    TASK,
    TEXT,
    C,
    K,
)
from components.i18n import label, t
from models import hub
from models.core import audio, features, nearest, worlds
from models.unimodal import classic
from models.unimodal import text as text_models

PAGE = "unimodal"
tp = i18n.scoped(PAGE)
MAX_MISTAKES = 12
MAX_LABELS = 12
EVERYDAY_LABELS = "temple, flower, dog, car, mountain"  # for photos: CLIP reads English
METRIC_NAMES = {"manhattan": "L1", "euclidean": "L2"}

STEPS = [
    state.Step(
        f"{PAGE}.step_image",
        {SECTION: "image", IMAGE_SOURCE: "world", MODEL["image"]: "knn", K: 1, METRIC: "euclidean"},
        focus=f"{PAGE}.image_strip",
    ),
    state.Step(
        f"{PAGE}.step_photo",
        {SECTION: "image", IMAGE_SOURCE: "china", MODEL["image"]: "cnn"},
        choices=("sure", "unsure", "refuses"),
    ),
    state.Step(
        f"{PAGE}.step_text",
        {
            SECTION: "text",
            TASK: text_models.SENTIMENT,
            MODEL["text"]: "logistic",
            TEXT: text_models.SENTIMENT_EXAMPLES["negation"],
        },
        focus=f"{PAGE}.bag",
        choices=("both", "one", "none"),
    ),
    state.Step(
        f"{PAGE}.step_sound",
        {SECTION: "sound", SOUND_SOURCE: "world", MODEL["sound"]: "mlp"},
        focus=f"{PAGE}.spectrogram",
    ),
    state.Step(
        f"{PAGE}.step_splits",
        {SECTION: "splits", DATA_MODALITY: "image", SWEEP_MODEL: "knn"},
        focus=f"{PAGE}.sweep",
        choices=("higher", "same", "lower"),
    ),
]
conf = ui.page_start(PAGE, STEPS)
world = shared.world(conf.world, conf.seed)
MAIN = worlds.MAIN_ATTRIBUTE[world.name]
TEST_ROWS = world.indices("test")


@dataclass(frozen=True)
class Choice:
    """A classifier and its hyper-parameters, as the visitor set them."""

    kind: str
    k: int
    metric: str
    C: float


def dataset(modality: str, task: str = MAIN) -> classic.Dataset:
    return cache.dataset(conf.world, conf.seed, modality, task)


def neighbours(modality: str, task: str, metric: str, splits: tuple[str, ...] = ("test",)) -> nearest.Neighbours:
    """The nearest training samples of every test sample (and validation sample, for a sweep)."""
    with st.spinner(tp("searching", n=len(dataset(modality, task).indices("train")))):
        return cache.neighbours(conf.world, conf.seed, modality, task, metric, splits)


def logistic(modality: str, task: str, c: float):
    with st.spinner(tp("fitting", C=c)):
        return cache.logistic(conf.world, conf.seed, modality, task, c)


def held_out(modality: str, task: str, choice: Choice) -> classic.Evaluation:
    """The chosen classifier on every test sample (computed once per setting, then cached)."""
    data = dataset(modality, task)
    rows = data.indices("test")
    if choice.kind == "knn":
        proba = classic.knn_proba(data, neighbours(modality, task, choice.metric), rows, choice.k)
    elif choice.kind == "logistic":
        proba = logistic(modality, task, choice.C).predict_proba(data.x[rows])
    else:
        proba = cache.net_test(conf.world, conf.seed, modality, choice.kind)
    return classic.evaluate(data, rows, proba)


def new_input(modality: str, task: str, choice: Choice, vector: np.ndarray, raw: np.ndarray):
    """The chosen classifier on something that is not in the world: (class probabilities, neighbours or None)."""
    data = dataset(modality, task)
    if choice.kind == "knn":
        proba, found = classic.knn_query(data, vector[None], choice.metric, choice.k)
        return proba[0], found
    if choice.kind == "logistic":
        return logistic(modality, task, choice.C).predict_proba(vector[None])[0], None
    from models.core import classifiers
    from models.unimodal import nets as unimodal  # torch: imported only once a network is asked for

    net = cache.net(modality, world.name, choice.kind)[0]
    return classifiers.predict_proba(net, unimodal.net_input(modality, choice.kind, raw[None]))[0], None


# ---------------------------------------------------------------- shared widgets
def name_of(value: str) -> str:
    """A class name in the visitor's language (the sentiment classes are this page's own)."""
    return tp(f"class_{value}") if value in text_models.SENTIMENT_CLASSES else label(value)


def open_sample(position: int, extra: dict | None = None) -> None:
    """A button callback: show another test sample (and reset whatever showed something else)."""
    st.session_state[SAMPLE.key] = int(position)
    st.session_state.update({control.key: value for control, value in (extra or {}).items()})


def sample_picker() -> int:
    """The test sample every modality section shows; returns its world row."""
    n = len(TEST_ROWS)
    return int(TEST_ROWS[ui.sample_picker(SAMPLE, n, tp("sample", n=n), rows=TEST_ROWS)])


def classifier_controls(modality: str) -> Choice:
    model = MODEL[modality]
    for control in (model, K, METRIC, C):
        control.bind()
    model_col, first, second = st.columns([1.3, 1, 1])
    kind = model_col.selectbox(
        tp("classifier"), model.options, format_func=i18n.formatter(f"{PAGE}.kind."), key=model.key
    )
    if kind == "knn":
        first.slider(tp("k"), **K.limits())
        second.radio(
            tp("metric"),
            METRIC.options,
            format_func=i18n.formatter(f"{PAGE}.metric_"),
            key=METRIC.key,
            horizontal=True,
        )
    elif kind == "logistic":
        first.select_slider(tp("C"), C.options, format_func=lambda v: f"{v:g}", key=C.key, help=tp("C_help"))
    return Choice(kind, K.value, METRIC.value, C.value)


def answer(proba: np.ndarray, classes: tuple[str, ...], true: int | None, key: str) -> None:
    names = [name_of(c) for c in classes]
    best = int(np.argmax(proba))
    fig = figures.probability_bars(
        proba,
        names,
        tp("probabilities"),
        highlight=true,
        xlabel=t("common.probability"),
        height=80 + 26 * len(names),
    )
    verdict = "" if true is None else tp("right" if best == true else "wrong", truth=names[true])
    ui.chart(fig, tp("answer", label=names[best], p=proba[best]) + " " + verdict, key=key)


def beside_pretrained(role: str, builtin: Callable[[], None], answer_pretrained: Callable[[hub.Loaded], None]) -> None:
    """Our model's answer and, in Pretrained mode, the pretrained model's answer to the same input beside
    it. Built-in mode draws exactly what it always did; the section decides the one role of this run."""
    if not settings.pretrained_enabled():
        builtin()
        return
    ours, theirs = st.columns(2)
    with ours:
        st.markdown(f"**{tp('builtin_heading')}**")
        builtin()
    with theirs:
        st.markdown(f"**{tp('pretrained_heading')}**")
        loaded = pretrained.panel(role)
        if loaded is not None:
            answer_pretrained(loaded)


def test_report(modality: str, task: str, choice: Choice, on_open) -> None:
    """Test accuracy of the chosen classifier, its confusion matrix, and buttons to open its mistakes."""
    result = held_out(modality, task, choice)
    data = dataset(modality, task)
    st.metric(tp("test_accuracy", n=len(result.rows)), f"{result.accuracy:.1%}", help=tp("test_accuracy_help"))
    details = st.expander(tp("mistakes_title"), key=f"{PAGE}.mistakes_{modality}", on_change="rerun")
    if not details.open:  # drawn only on demand: a confusion matrix per rerun would cost every visitor
        return
    with details:
        names = [name_of(c) for c in data.classes]
        fig = figures.confusion(
            result.confusion, names, xlabel=t("common.predicted"), ylabel=t("common.true"), height=140 + 28 * len(names)
        )
        off = result.confusion - np.diag(np.diag(result.confusion))
        if off.any():
            true, predicted = np.unravel_index(int(np.argmax(off)), off.shape)
            summary = tp(
                "confusion_summary",
                n=int(off.sum()),
                count=int(off.max()),
                truth=names[true],
                predicted=names[predicted],
            )
        else:
            summary = tp("confusion_perfect")
        ui.chart(fig, summary, key=f"{PAGE}.confusion_{modality}")
        wrong = result.wrong()
        if len(wrong):
            st.markdown(tp("mistakes_help", shown=min(len(wrong), MAX_MISTAKES), n=len(wrong)))
            columns = st.columns(4)
            predicted = dict(zip(result.rows, result.proba.argmax(1)))
            for i, row in enumerate(wrong[:MAX_MISTAKES]):
                text = tp(
                    "mistake",
                    position=int(np.searchsorted(result.rows, row)),
                    truth=names[data.y[row]],
                    predicted=names[predicted[row]],
                )
                columns[i % 4].button(
                    text, key=f"{PAGE}.mistake_{modality}_{i}", on_click=on_open, args=(int(row),), width="stretch"
                )


def honest_warning(modality: str, vector: np.ndarray, proba: np.ndarray) -> None:
    """For input from outside the world: the model must answer anyway, so say how unlike the world it is."""
    data = dataset(modality)
    nearest_distance = float(classic.knn_query(data, vector[None], "euclidean", 1)[1].distance[0, 0])
    ratio = classic.novelty(neighbours(modality, MAIN, "euclidean"), data.indices("test"), nearest_distance)
    st.warning(
        tp(
            f"{modality}_honest",
            world=t(f"common.world_{world.name}"),
            n=len(data.classes),
            p=float(proba.max()),
            ratio=ratio,
        )
    )


def neighbour_gallery(found: nearest.Neighbours, k: int, classes: tuple[str, ...], y: np.ndarray) -> None:
    """The k training images that voted, closest first, with their label and distance."""
    shown = min(k, 8)
    st.markdown(tp("neighbours", k=k, shown=shown))
    columns = st.columns(8)
    for column, row, distance in zip(columns, found.index[0, :shown], found.distance[0, :shown]):
        column.image(figures.enlarged(world.images[row], 96), caption=f"{name_of(classes[y[row]])} · {distance:.2f}")


# ---------------------------------------------------------------- image
def photo_pixels(source: str) -> np.ndarray | None:
    if source == "upload":
        from components import safe_input  # here, not at the top: it costs a first visit 0.7 s of imports

        return safe_input.image_upload(tp("upload_image"), key=f"{PAGE}.photo")
    return shared.photo(source)


def image_section() -> np.ndarray | None:
    """The picture part; returns the chosen classifier's class probabilities for the picture shown."""
    IMAGE_SOURCE.bind()
    st.radio(
        tp("image_source"),
        IMAGE_SOURCE.options,
        format_func=i18n.formatter(f"{PAGE}.source."),
        key=IMAGE_SOURCE.key,
        horizontal=True,
    )
    source = IMAGE_SOURCE.value
    data = dataset("image")
    side = world.images.shape[1]
    if source == "world":
        row = sample_picker()
        pixels, true = world.images[row], int(data.y[row])
    else:
        photo = photo_pixels(source)
        if photo is None:
            st.info(tp("upload_image_hint"))
            return None
        pixels, true = classic.fit_photo(photo, side, grey=world.name == "digits"), None
        original, loss = st.columns(2, vertical_alignment="center")
        original.image(
            photo, caption=tp("photo_original", h=photo.shape[0], w=photo.shape[1]), output_format="JPEG"
        )  # a photo: JPEG encodes 40x faster than PNG and is 8x smaller
        loss.markdown(
            tp(
                "photo_loss",
                h=photo.shape[0],
                w=photo.shape[1],
                edge=min(photo.shape[:2]),
                side=side,
                kept=side * side / (photo.shape[0] * photo.shape[1]),
            )
        )

    picture, matrices = st.columns([1, 3])
    with picture:
        st.markdown(f"**{tp('what_model_sees')}**")
        st.image(figures.enlarged(pixels, 192), caption=tp("image_summary", side=side))
    with matrices:
        fig = figures.channels(pixels, [tp(f"channel_{c}") for c in "rgb"], tp("channels"), "0-255", height=250)
        means = pixels.reshape(-1, 3).mean(0)
        ui.chart(fig, tp("channels_summary", side=side, r=means[0], g=means[1], b=means[2]), key=f"{PAGE}.rgb")
    vector = features.image_vectors(pixels[None])[0]
    strip = figures.vector_strip(vector, tp("image_vector", n=len(vector)), zmin=0, zmax=1, hover=tp("vector_hover"))
    first = ", ".join(f"{v:.2f}" for v in vector[:6])
    ui.chart(strip, tp("image_vector_summary", n=len(vector), side=side, first=first), key=f"{PAGE}.image_strip")
    ui.explain(f"{PAGE}.image_explain")

    choice = classifier_controls("image")
    if source == "world":
        result = held_out("image", MAIN, choice)
        proba, found = result.proba[int(np.searchsorted(result.rows, row))], None
        if choice.kind == "knn":
            found = neighbours("image", MAIN, choice.metric).of(np.array([row]))
        suggested, full_picture = ", ".join(f"number {c}" if c.isdigit() else c for c in data.classes), pixels
    else:
        proba, found = new_input("image", MAIN, choice, vector, pixels)
        suggested, full_picture = EVERYDAY_LABELS, photo
    beside_pretrained(
        "image_text",
        lambda: answer(proba, data.classes, true, f"{PAGE}.image_answer"),
        lambda loaded: zero_shot_answer(loaded, full_picture, suggested),
    )
    if found is not None:
        neighbour_gallery(found, choice.k, data.classes, data.y)
    if source != "world":
        honest_warning("image", vector, proba)
    test_report("image", MAIN, choice, lambda r: open_sample(np.searchsorted(TEST_ROWS, r), {IMAGE_SOURCE: "world"}))
    return proba


def zero_shot_answer(loaded: hub.Loaded, image: np.ndarray, suggested: str) -> None:
    """CLIP as a classifier of whatever classes the visitor types, on the picture itself (not the
    world-sized copy our model gets)."""
    from components import safe_input

    LABELS.bind(default=suggested)
    follow(LABELS, suggested)
    typed = safe_input.text_box(tp("labels"), key=LABELS.key)
    if typed is None:
        return
    labels = hub.labels_from_text(typed)
    if len(labels) < 2:
        st.warning(tp("labels_too_few"))
        return
    if len(labels) > MAX_LABELS:
        st.info(tp("labels_cut", n=MAX_LABELS))
        labels = labels[:MAX_LABELS]
    proba = pretrained.answer(loaded, hub.zero_shot, image, labels)
    if proba is None:
        return
    best = int(np.argmax(proba))
    fig = figures.probability_bars(
        proba, labels, tp("zero_shot_title"), xlabel=t("common.probability"), height=80 + 26 * len(labels)
    )
    ui.chart(fig, tp("zero_shot_summary", label=labels[best], p=proba[best], n=len(labels)), key=f"{PAGE}.zero_shot")
    st.caption(tp("zero_shot_explain", n=len(dataset("image").classes)))


# ---------------------------------------------------------------- text
def follow(control: state.Control, suggestion: str) -> None:
    """Keep a text box on the suggested text (the sample's caption) until the visitor edits it."""
    key, memo = control.key, f"{control.key}.suggested"
    if st.session_state.get(key) == st.session_state.get(memo) or not st.session_state.get(key):
        st.session_state[key] = suggestion
    st.session_state[memo] = suggestion


def highlighted(found: list[str], unknown: np.ndarray) -> str:
    return " ".join(f":orange-background[~~{w}~~]" if oov else f"`{w}`" for w, oov in zip(found, unknown))


def task_name(task: str) -> str:
    if task == text_models.SENTIMENT:
        return tp("task_sentiment")
    return tp("task_attribute", attribute=t(f"common.attr.{task}"))


def text_section() -> tuple[str, Choice] | None:
    """The text part; returns the task and the classifier that read the typed text (None before one)."""
    tasks = (*world.classes, text_models.SENTIMENT)
    TASK.bind(options=tasks, default=MAIN)
    task_names = {task: task_name(task) for task in tasks}  # fixed now, as i18n.formatter does
    task = st.selectbox(
        tp("task"),
        tasks,
        key=TASK.key,
        format_func=i18n.shown_as(task_names),
        on_change=st.session_state.update,
        args=({TEXT.key: ""},),
    )  # a new task starts from its own example
    data = dataset("text", task)
    sentiment = task == text_models.SENTIMENT
    row = None if sentiment else sample_picker()
    suggestion = text_models.SENTIMENT_EXAMPLES["positive"] if sentiment else world.captions[row]
    TEXT.bind(default=suggestion)
    follow(TEXT, suggestion)

    names, counts = text_models.word_counts(data)
    st.markdown(tp("dictionary", size=len(names), n=len(data.indices("train"))))
    top = min(15, len(names))
    fig = figures.grouped_bars(
        names[:top],
        {tp("texts_with_word"): counts[:top]},
        tp("frequent_words"),
        value_format="{:.0f}",
        value_range=None,
        height=260,
    )
    fig.update_layout(showlegend=False)
    ui.chart(
        fig,
        tp("frequent_summary", word=names[0], count=int(counts[0]), n=len(data.indices("train"))),
        key=f"{PAGE}.frequent",
    )

    examples = (
        text_models.SENTIMENT_EXAMPLES
        if sentiment
        else {"caption": world.captions[row], "unknown": "a tiny lilac blob near the top"}
    )
    st.markdown(tp("try"))
    columns = st.columns(len(examples))
    for column, (name, example) in zip(columns, examples.items()):
        column.button(
            tp(f"example_{name}"),
            key=f"{PAGE}.example_{name}",
            on_click=st.session_state.update,
            args=({TEXT.key: example},),
            width="stretch",
        )
    from components import safe_input

    typed = safe_input.text_box(tp("type_text"), key=TEXT.key)
    if typed is None:
        return None
    found, one_hot, unknown = text_models.one_hot(data.dictionary, typed)
    st.markdown(tp("words", n=len(found), oov=int(unknown.sum())) + " " + highlighted(found, unknown))
    if unknown.any():
        st.markdown(tp("oov_note", words=i18n.join(w for w, u in zip(found, unknown) if u)))
    vocabulary = text_models.vocabulary(data.dictionary)
    if found:
        rows = [f"{w} ⚠" if u else w for w, u in zip(found, unknown)]
        fig = figures.heatmap(
            one_hot,
            tp("one_hot_title"),
            x=vocabulary,
            y=list(range(len(rows))),
            xlabel=tp("dictionary_axis"),
            height=90 + 26 * len(rows),
            reverse_y=True,
            zmin=0,
            zmax=1,
        )
        fig.update_yaxes(tickvals=list(range(len(rows))), ticktext=rows)
        fig.update_traces(showscale=False, xgap=1, ygap=1)
        ui.chart(fig, tp("one_hot_summary", v=len(vocabulary), n=len(found)), key=f"{PAGE}.one_hot")
    bag = text_models.bag_of_words(data.dictionary, typed)
    strip = figures.vector_strip(bag, tp("bag_title", v=len(bag)), zmin=0, zmax=1, hover="%{x}: %{z:.0f}", x=vocabulary)
    ui.chart(strip, tp("bag_summary", ones=int(bag.sum()), v=len(bag), zeros=1 - bag.mean()), key=f"{PAGE}.bag")

    choice = classifier_controls("text")
    proba, found_neighbours = new_input("text", task, choice, bag, bag)
    true = None if sentiment or typed != world.captions[row] else int(data.y[row])
    beside_pretrained(
        "sentiment",
        lambda: answer(proba, data.classes, true, f"{PAGE}.text_answer"),
        lambda loaded: sentiment_answer(loaded, typed, len(vocabulary), sentiment),
    )
    if choice.kind == "knn":
        st.markdown(tp("nearest_texts", k=choice.k))
        st.markdown(
            "\n".join(
                f"- {data.texts[r]} → **{name_of(data.classes[data.y[r]])}** ({d:.2f})"
                for r, d in zip(found_neighbours.index[0, :5], found_neighbours.distance[0, :5])
            )
        )
    else:
        maxent_weights(logistic("text", task, choice.C), data, [w for w, u in zip(found, unknown) if not u])

    def open_text(r: int) -> None:
        if sentiment:
            st.session_state[TEXT.key] = data.texts[r]
        else:
            open_sample(np.searchsorted(TEST_ROWS, r), {TEXT: world.captions[r]})

    test_report("text", task, choice, open_text)
    return task, choice


def sentiment_answer(loaded: hub.Loaded, text: str, dictionary_size: int, same_task: bool) -> None:
    """DistilBERT on the very text our model just read, on the same bars."""
    probabilities = pretrained.answer(loaded, hub.sentiment, text)
    if probabilities is None:
        return
    names = [name_of(c.lower()) if c.lower() in text_models.SENTIMENT_CLASSES else c for c in probabilities]
    values = list(probabilities.values())
    best = int(np.argmax(values))
    fig = figures.probability_bars(
        values, names, tp("sentiment_title"), xlabel=t("common.probability"), height=80 + 26 * len(names)
    )
    ui.chart(fig, tp("sentiment_summary", label=names[best], p=values[best]), key=f"{PAGE}.sentiment_answer")
    st.caption(tp("sentiment_differs", v=dictionary_size))
    if not same_task:
        st.caption(tp("sentiment_other_task"))


def maxent_weights(model, data: classic.Dataset, present: list[str]) -> None:
    """Why the maximum-entropy model answers as it does: its weights for your words, and its strongest words."""
    names = [name_of(c) for c in data.classes]
    yours = list(dict.fromkeys(present))
    if yours:
        weights = text_models.weights_of(model, data.dictionary, yours)
        fig = figures.heatmap(
            weights,
            tp("your_weights"),
            x=yours,
            y=names,
            diverging=True,
            colorbar=tp("weight"),
            height=110 + 24 * len(names),
            reverse_y=True,
        )
        c, w = np.unravel_index(int(np.argmax(weights)), weights.shape)
        ui.chart(
            fig,
            tp("your_weights_summary", word=yours[w], label=names[c], weight=weights[c, w]),
            key=f"{PAGE}.your_weights",
        )
    strongest = st.expander(tp("top_words_title"), key=f"{PAGE}.top_words_open", on_change="rerun")
    if not strongest.open:
        return
    with strongest:
        chosen = text_models.top_words(model, data.dictionary, 4 if len(names) > 2 else 8)
        weights = text_models.weights_of(model, data.dictionary, chosen)
        fig = figures.heatmap(
            weights,
            "",
            x=chosen,
            y=names,
            diverging=True,
            colorbar=tp("weight"),
            height=110 + 24 * len(names),
            reverse_y=True,
        )
        c, w = np.unravel_index(int(np.argmax(weights)), weights.shape)
        ui.chart(
            fig,
            tp("top_words_summary", word=chosen[w], label=names[c], weight=weights[c, w]),
            key=f"{PAGE}.top_words",
        )


# ---------------------------------------------------------------- sound
def sound_section() -> None:
    SOUND_SOURCE.bind()
    ui.radio(SOUND_SOURCE, tp("sound_source"), f"{PAGE}.sound_source_")
    sr = world.sample_rate
    data = dataset("sound")
    if SOUND_SOURCE.value == "world":
        row = sample_picker()
        clip, true = world.audio[row], int(data.y[row])
    else:
        from components import safe_input

        recording = safe_input.audio_upload(tp("upload_sound"), key=f"{PAGE}.sound_upload", target_sr=sr)
        if recording is None:
            st.info(tp("upload_sound_hint"))
            return
        clip, true = classic.one_second(recording, sr), None
        st.caption(tp("one_second", total=len(recording) / sr))
    st.audio(np.asarray(clip), sample_rate=sr)

    spectrogram = features.sound_spectrograms(np.asarray(clip)[None], sr)[0]  # (mels, frames), what the model reads
    n_frames = spectrogram.shape[1]
    FRAME.bind(high=n_frames - 1)
    st.slider(tp("frame"), **FRAME.limits(high=n_frames - 1))
    frame = FRAME.value
    start, end = frame * features.HOP / sr, (frame * features.HOP + features.N_FFT) / sr
    wave_col, spectrum_col = st.columns([3, 2])
    with wave_col:
        fig = figures.waveform(
            clip, sr, tp("waveform"), t("common.time_s"), t("common.amplitude"), max_points=len(clip)
        )
        fig.add_vrect(x0=start, x1=end, fillcolor=figures.HIGHLIGHT, opacity=0.35, line_width=0)
        ui.chart(
            fig,
            tp(
                "waveform_summary",
                n=len(clip),
                sr=sr,
                frames=n_frames,
                start=start * 1000,
                end=end * 1000,
                window=features.N_FFT,
                hop=features.HOP,
            ),
            key=f"{PAGE}.wave",
        )
    with spectrum_col:
        power = audio.power_spectrogram(np.asarray(clip), features.N_FFT, features.HOP)[:, frame]
        db = 10 * np.log10(np.maximum(power, 1e-10))
        khz = audio.frequencies(sr, features.N_FFT) / 1000
        fig = figures.lines(
            khz,
            {tp("power_db"): db},
            tp("frame_spectrum", frame=frame),
            t("common.frequency_khz"),
            "dB",
            height=220,
            markers=False,
        )
        fig.update_layout(showlegend=False)
        ui.chart(fig, tp("frame_spectrum_summary", freq=khz[int(np.argmax(db))]), key=f"{PAGE}.frame_spectrum")
    times = audio.frame_times(n_frames, sr, features.HOP)
    bands = np.round(audio.mel_band_centres(sr, features.N_MELS) / 1000, 2)
    title = tp("spectrogram", mels=features.N_MELS, frames=n_frames)
    fig = figures.spectrogram(
        spectrogram, times, bands, title, t("common.time_s"), t("common.frequency_khz"), colorbar="0-1", height=260
    )
    fig.add_vline(x=times[frame], line_color="white", line_width=2)
    band, column = np.unravel_index(int(np.argmax(spectrogram)), spectrogram.shape)
    ui.chart(fig, tp("spectrogram_summary", freq=bands[band], time=times[column]), key=f"{PAGE}.spectrogram")
    vector = spectrogram.reshape(-1)
    strip = figures.vector_strip(vector, tp("sound_vector", n=len(vector)), zmin=0, zmax=1, hover=tp("vector_hover"))
    ui.chart(
        strip,
        tp("sound_vector_summary", n=len(vector), mels=features.N_MELS, frames=n_frames),
        key=f"{PAGE}.sound_strip",
    )
    ui.explain(f"{PAGE}.sound_explain")

    choice = classifier_controls("sound")
    if true is not None:
        result = held_out("sound", MAIN, choice)
        proba = result.proba[int(np.searchsorted(result.rows, row))]
    else:
        proba, _ = new_input("sound", MAIN, choice, vector, vector)
    beside_pretrained(
        "audio",
        lambda: answer(proba, data.classes, true, f"{PAGE}.sound_answer"),
        lambda loaded: pretrained.audio_tags(loaded, clip, sr, key=f"{PAGE}.audio_tags"),
    )
    if true is None:
        honest_warning("sound", vector, proba)
    test_report("sound", MAIN, choice, lambda r: open_sample(np.searchsorted(TEST_ROWS, r), {SOUND_SOURCE: "world"}))


# ---------------------------------------------------------------- data splits and hyper-parameters
def data_modality() -> str:
    DATA_MODALITY.bind()
    st.radio(
        tp("data_modality"),
        DATA_MODALITY.options,
        format_func=i18n.formatter("common."),
        key=DATA_MODALITY.key,
        horizontal=True,
    )
    return DATA_MODALITY.value


def splits_section() -> tuple[float, float]:
    """The splits part; returns the chosen setting's validation and test accuracy."""
    counts = np.bincount(world.split, minlength=3)
    for column, name, count in zip(st.columns(3), worlds.SPLIT_NAMES, counts):
        column.metric(t(f"common.split_{name}"), f"{count:,}", help=tp(f"role_{name}"))
    ui.explain(f"{PAGE}.splits_explain")
    modality = data_modality()
    SWEEP_MODEL.bind()
    model = ui.radio(SWEEP_MODEL, tp("sweep_model"), f"{PAGE}.sweep_")
    data = dataset(modality)
    if model == "knn":
        found = {m: neighbours(modality, MAIN, m, ("validation", "test")) for m in nearest.METRICS}
        sweep = classic.sweep_knn(data, found)
        scores = list(zip(sweep.settings, sweep.validation_accuracy))
        series = {tp(f"metric_{m}"): [a for s, a in scores if s["metric"] == m] for m in nearest.METRICS}
        fig = figures.lines(classic.K_VALUES, series, tp("sweep_title"), "k", tp("validation_accuracy"))
        best = sweep.settings[sweep.chosen]
        chosen = tp("chosen_knn", k=best["k"], metric=METRIC_NAMES[best["metric"]])
        x = best["k"]
    else:
        progress = st.progress(0.0)
        for i, c in enumerate(classic.C_VALUES):
            cache.logistic(conf.world, conf.seed, modality, MAIN, c)
            progress.progress((i + 1) / len(classic.C_VALUES), tp("fitting", C=c))
        progress.empty()
        sweep = classic.sweep_logistic(data, lambda c: logistic(modality, MAIN, c))
        fig = figures.lines(
            classic.C_VALUES,
            {tp("validation"): sweep.validation_accuracy},
            tp("sweep_title"),
            tp("C_axis"),
            tp("validation_accuracy"),
        )
        fig.update_xaxes(type="log", dtick=1)  # one tick per power of ten
        fig.update_layout(showlegend=False)
        x = sweep.settings[sweep.chosen]["C"]
        chosen = tp("chosen_logistic", C=x)
    accuracy = sweep.validation_accuracy[sweep.chosen]
    low = min(min(trace.y) for trace in fig.data if trace.y is not None)
    figures.mark(fig, x, accuracy, chosen, above=accuracy < (max(0.0, low - 0.05) + 1.02) / 2)
    fig.update_yaxes(range=[max(0.0, low - 0.05), 1.02], tickformat=".0%")  # an accuracy never passes 100%
    ui.chart(
        fig,
        tp("sweep_summary", chosen=chosen, accuracy=accuracy, n=len(data.indices("validation"))),
        key=f"{PAGE}.sweep",
    )
    st.metric(tp("sweep_test", chosen=chosen, n=len(data.indices("test"))), f"{sweep.test_accuracy:.1%}")
    ui.explain(f"{PAGE}.sweep_explain")
    return accuracy, sweep.test_accuracy


# ---------------------------------------------------------------- cost of nearest neighbour
def cost_section() -> None:
    modality = data_modality()
    run = st.session_state.get(f"{PAGE}.cost_run", 0)
    with st.spinner(tp("measuring")):
        cost = cache.cost(conf.world, conf.seed, modality, run)
    names = {m: tp(f"name_{m}") for m in ("knn", "logistic")}
    n0, n = cost.sizes[0], cost.sizes[-1]
    fit_ms = {m: [s * 1000 for s in v] for m, v in cost.fit_seconds.items()}
    predict_ms = {m: [s * 1000 for s in v] for m, v in cost.predict_seconds.items()}
    growth, low, high = cost.growth("knn")
    summaries = {
        "fit": tp("cost_fit_summary", n=n, knn=fit_ms["knn"][-1], logistic=fit_ms["logistic"][-1]),
        "predict": tp(
            "cost_predict_summary",
            n0=n0,
            n=n,
            growth=growth,
            low=low,
            high=high,
            rounds=cost.repeats,
            logistic=float(np.median(predict_ms["logistic"])),
        ),
    }
    runs = {"fit": cost.fit_runs, "predict": cost.predict_runs}
    for column, (kind, ms) in zip(st.columns(2), (("fit", fit_ms), ("predict", predict_ms))):
        with column:
            title = tp(f"cost_{kind}", q=cost.n_queries)
            spread = {names[m]: (r.min(0) * 1000, r.max(0) * 1000) for m, r in runs[kind].items()}
            fig = figures.lines(
                cost.sizes,
                {names[m]: v for m, v in ms.items()},
                title,
                tp("training_size"),
                "ms",
                height=320,
                spread=spread,
            )
            fig.update_layout(legend=figures.LEGEND_BELOW)
            ui.chart(fig, summaries[kind], key=f"{PAGE}.cost_{kind}")
    st.button(
        tp("measure_again"),
        key=f"{PAGE}.measure_again",
        on_click=st.session_state.update,
        args=({f"{PAGE}.cost_run": run + 1},),
    )
    ui.explain(f"{PAGE}.cost_explain")
    st.caption(
        tp(
            "cost_setup",
            d=cost.n_features,
            q=cost.n_queries,
            iterations=cost.logistic_iterations,
            repeats=cost.repeats,
        )
    )


def settle(step: int, shown) -> tuple[str, dict] | None:
    """The right choice of step `step`'s question, from what its part of the page returned (None while
    it shows nothing to measure: an emptied text box)."""
    name = STEPS[step].caption_key.removeprefix(f"{PAGE}.step_")
    if shown is None:
        return None
    if name == "photo":
        best = int(np.argmax(shown))
        numbers = {"label": name_of(dataset("image").classes[best]), "p": float(shown[best])}
        return ("sure" if shown[best] > 0.5 else "unsure"), numbers
    if name == "text":
        task, choice = shown
        data, numbers, right = dataset("text", task), {}, 0
        for sentence, truth, which in (("negation", "positive", "bad"), ("negation_good", "negative", "good")):
            bag = text_models.bag_of_words(data.dictionary, text_models.SENTIMENT_EXAMPLES[sentence])
            proba = new_input("text", task, choice, bag, bag)[0]
            said = data.classes[int(np.argmax(proba))]
            right += said == truth
            numbers |= {which: name_of(said), f"{which}_p": float(proba.max())}
        return ("both" if right == 2 else "one" if right == 1 else "none"), numbers
    validation, test = shown
    numbers = {"validation": validation, "test": test}
    return ("higher" if test > validation + 0.01 else "lower" if test < validation - 0.01 else "same"), numbers


# ---------------------------------------------------------------- the page
ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
SECTION.bind()
section = st.segmented_control(
    tp("section_label"),
    SECTION.options,
    format_func=i18n.formatter(f"{PAGE}.section."),
    key=SECTION.key,
    required=True,
    width="stretch",
)
shown = {
    "image": image_section,
    "text": text_section,
    "sound": sound_section,
    "splits": splits_section,
    "cost": cost_section,
}[section or SECTION.default]()  # None seen once under load (the concurrency bench): not a traceback
quiz.reveal(lambda step: settle(step, shown))
ui.page_end()
