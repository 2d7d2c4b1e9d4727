"""Teach it yourself: record a photo and a sound for each of your own classes, train the fusion page's
models on them, then cover the camera or go quiet and see which fusion still answers."""

import hashlib

import numpy as np
import streamlit as st

from components import figures, i18n, safe_input, state, ui
from components.cache import teach as cache
from components.controls.teach import CLASSES, COVER_IMAGE, COVER_SOUND, RECORD_FOR
from components.i18n import t
from models import teach
from models.fusion import strategies as fusion

PAGE = "teach"
tp = i18n.scoped(PAGE)
STEPS = [
    state.Step(f"{PAGE}.step_scores", {COVER_IMAGE: False, COVER_SOUND: False}, focus="teach_scores"),
    state.Step(f"{PAGE}.step_cover", {COVER_IMAGE: True, COVER_SOUND: False}, focus="teach_live"),
    state.Step(f"{PAGE}.step_mute", {COVER_IMAGE: False, COVER_SOUND: True}, focus="teach_live"),
]
EXAMPLES, TAUGHT, ADDED = f"{PAGE}.examples", f"{PAGE}.taught", f"{PAGE}.added"  # the visitor's own, in the session
ZIP, ZIP_ERROR = f"{PAGE}.zip", f"{PAGE}.zip_error"
conf = ui.page_start(PAGE, STEPS)
n_classes = CLASSES.bind()
COVER_IMAGE.bind()
COVER_SOUND.bind()


def model_name(name: str) -> str:
    return tp(f"model_{name}")


def use_demo() -> None:
    """The generated examples and their (shared, already trained) models: what the page opens with."""
    st.session_state[EXAMPLES], st.session_state[TAUGHT] = cache.demo(n_classes)
    st.session_state[ADDED] = "demo"


def forget() -> None:
    st.session_state[EXAMPLES], st.session_state[TAUGHT] = teach.Examples.empty(), None
    st.session_state[ADDED] = None


def load_zip() -> None:
    """A zip from `teach.to_zip`, checked; runs before the page draws, so it may set the class widgets."""
    upload = st.session_state.get(ZIP)
    if upload is None:
        return
    try:
        loaded, loaded_names, loaded_taught = teach.from_zip(upload.getvalue())
    except teach.BadZip as bad:
        st.session_state[ZIP_ERROR] = bad.key
        return
    st.session_state[ZIP_ERROR] = None
    st.session_state[EXAMPLES], st.session_state[TAUGHT], st.session_state[ADDED] = loaded, loaded_taught, None
    st.session_state[CLASSES.key] = len(loaded_names)
    for i, name in enumerate(loaded_names):
        st.session_state[f"{PAGE}.name_{i}"] = name


def add(picture: np.ndarray, sound: np.ndarray, label: int, identity: str) -> None:
    examples = st.session_state[EXAMPLES]
    if st.session_state.get(ADDED) == "demo":  # the visitor's first own pair replaces the stand-ins
        examples, st.session_state[TAUGHT] = teach.Examples.empty(), None
    st.session_state[EXAMPLES] = examples.add(teach.picture(picture), teach.sound(sound), label)
    st.session_state[ADDED] = identity


demo_shown = st.session_state.get(ADDED) == "demo"
if EXAMPLES not in st.session_state or (demo_shown and st.session_state[TAUGHT].classes != n_classes):
    use_demo()  # the page opens with the stand-ins, and follows the number of classes while they are shown
examples: teach.Examples = st.session_state[EXAMPLES]
if len(examples.labels) and examples.labels.max() >= n_classes:  # fewer classes now: their examples go
    examples = st.session_state[EXAMPLES] = examples.without_class(int(examples.labels.max()))
    st.session_state[TAUGHT] = None
    st.rerun()
taught: teach.Taught | None = st.session_state[TAUGHT]
if taught is not None and taught.classes != n_classes:
    taught = st.session_state[TAUGHT] = None  # trained for another number of classes


# ---------------------------------------------------------------- 1. your classes
st.subheader(tp("classes_title"))
st.slider(tp("classes"), **CLASSES.limits())
names = []
for i, column in enumerate(st.columns(n_classes)):
    with column:
        default = tp(f"default_class_{i}")
        typed = safe_input.text_box(tp("class_name", n=i + 1), f"{PAGE}.name_{i}", 40, placeholder=default)
        names.append(typed or default)
counts = examples.counts(n_classes)


# ---------------------------------------------------------------- 2. record
st.subheader(tp("record_title"))
ui.explain(f"{PAGE}.record_text", per_class=teach.MIN_TO_TRAIN, most=teach.MAX_PER_CLASS)
RECORD_FOR.bind(options=tuple(range(n_classes)))
label = st.radio(
    tp("record_for"),
    tuple(range(n_classes)),
    format_func=i18n.shown_as(dict(enumerate(names))),
    horizontal=True,
    key=RECORD_FOR.key,
)
camera, microphone = st.columns(2)
with camera:
    photo = safe_input.camera_photo(tp("camera"), f"{PAGE}.camera")
    with st.expander(tp("photo_file")):
        photo_file = safe_input.image_upload(tp("photo_file"), f"{PAGE}.photo_upload")
with microphone:
    sound = safe_input.audio_upload(tp("sound_file"), f"{PAGE}.sound", target_sr=teach.SAMPLE_RATE)
photo = photo if photo is not None else photo_file
with camera:
    if photo is not None:  # what the models will see of it
        st.image(teach.seen(photo), width=96)
        st.caption(tp("photo_seen", side=fusion.THUMBNAIL))
with microphone:
    if sound is not None:
        st.caption(
            tp(
                "sound_seen",
                seconds=len(sound) / teach.SAMPLE_RATE,
                start=teach.onset(sound) / teach.SAMPLE_RATE,
            )
        )
ready = photo is not None and sound is not None
pair = hashlib.blake2b(photo.tobytes() + sound.tobytes(), digest_size=8).hexdigest() if ready else None
full = counts[label] >= teach.MAX_PER_CLASS
same = ready and st.session_state.get(ADDED) == pair
st.button(
    tp("add", name=names[label]),
    type="primary",
    disabled=not ready or full or same,
    on_click=add,
    args=(photo, sound, label, pair) if ready else (None, None, label, pair),
)
if full:
    st.caption(tp("full", most=teach.MAX_PER_CLASS))
elif same:
    st.caption(tp("same_pair"))
elif not ready:
    st.caption(tp("need_both"))

for i, column in enumerate(st.columns(n_classes)):
    with column:
        st.metric(names[i], tp("count", n=counts[i]))
        shown = np.flatnonzero(examples.labels == i)[:8]
        if len(shown):
            st.image([examples.pictures[j] for j in shown], width=40)
demo, clear = st.columns(2)
demo.button(tp("use_demo"), on_click=use_demo, width="stretch")
clear.button(tp("forget"), on_click=forget, width="stretch")
if st.session_state.get(ADDED) == "demo":
    st.info(tp("demo_note"))


# ---------------------------------------------------------------- 3. train
st.subheader(tp("train_title"))
short = [names[i] for i in range(n_classes) if counts[i] < teach.MIN_TO_TRAIN]
if st.button(tp("train"), disabled=bool(short), type="primary"):
    bar = st.progress(0.0, text=tp("training"))
    taught = st.session_state[TAUGHT] = teach.train(
        examples, n_classes, progress=lambda f, _: bar.progress(min(f, 1.0), text=tp("training"))
    )
    bar.empty()
if short:
    st.caption(tp("too_few", names=i18n.join(short), n=teach.MIN_TO_TRAIN))
if taught is None:
    ui.page_end()
    st.stop()
if taught.trained_on != len(examples.labels):
    st.warning(tp("stale", then=taught.trained_on, now=len(examples.labels)))
held = len(taught.test_rows)
scores = [taught.scores[name] for name in teach.SHOWN]
fig = figures.bars(
    scores,
    [model_name(name) for name in teach.SHOWN],
    tp("scores_title", n=held),
    highlight=int(np.argmax(scores)),
    value_range=(0.0, 1.0),
    text_format="{:.0%}",
)
fig.add_vline(x=1 / n_classes, line_dash="dot", line_color="#777")
ui.chart(fig, tp("scores_summary", n=held, chance=1 / n_classes, **dict(zip(teach.SHOWN, scores))), key="teach_scores")


# ---------------------------------------------------------------- 4. try it live
st.subheader(tp("live_title"))
if ready:
    truth = None  # the visitor's own new pair: no label to check against
    trial = teach.Examples.empty().add(teach.picture(photo), teach.sound(sound), 0)
    st.caption(tp("live_added" if same else "live_yours"))
else:
    rows = taught.test_rows[taught.test_rows < len(examples.labels)]  # held out when the models trained
    pick = st.selectbox(
        tp("live_pick"),
        range(len(rows)),
        format_func=i18n.shown_as(
            {i: tp("held_out", n=i + 1, name=names[examples.labels[row]]) for i, row in enumerate(rows)}
        ),
        key=f"{PAGE}.pick",
    )
    row = int(rows[min(pick, len(rows) - 1)])
    trial = teach.Examples(examples.pictures[[row]], examples.sounds[[row]], examples.labels[[row]])
    truth = int(examples.labels[row])
left, right = st.columns([1, 2])
with left:
    st.image(trial.pictures[0], width=120)
    st.audio(trial.sounds[0].astype(np.float32) / 32767, sample_rate=teach.SAMPLE_RATE)
with right:
    st.toggle(tp("cover_image"), key=COVER_IMAGE.key)
    st.toggle(tp("cover_sound"), key=COVER_SOUND.key)
covered = frozenset(m for m, c in (("image", COVER_IMAGE), ("sound", COVER_SOUND)) if c.value)
if covered == set(teach.MODALITIES):
    st.info(tp("both_covered"))
    ui.page_end()
    st.stop()
seen = teach.predict(taught, trial)
now = teach.predict(taught, trial, covered)
probability = t("common.probability")
panels = [
    figures.probability_bars(now[name][0], names, model_name(name), truth, probability, height=200)
    if name in now
    else figures.probability_bars(
        np.zeros(n_classes), names, tp("silent", model=model_name(name)), None, probability, height=200
    )
    for name in teach.SHOWN
]
answers = {name: names[int(p[0].argmax())] for name, p in now.items()}
summary = " · ".join(f"{model_name(name)}: {answer}" for name, answer in answers.items())
ui.chart(panels, summary, key="teach_live")
if covered:
    (gone,) = covered
    (kept,) = set(teach.MODALITIES) - covered
    early_before, early_now = seen["early"][0], now["early"][0]
    choice = int(early_before.argmax())
    st.markdown(
        tp(
            "covered_result",
            gone=tp(f"modality_{gone}"),
            kept=tp(f"modality_{kept}"),
            late=names[int(now["late_average"][0].argmax())],
            alone=names[int(now[kept][0].argmax())],
            early_class=names[choice],
            early_before=float(early_before[choice]),
            early_now=float(early_now[choice]),
            early_answer=names[int(early_now.argmax())],
        )
    )
ui.explain(f"{PAGE}.why")
st.page_link("lessons/fusion.py", label=tp("to_fusion"), icon="🔀")


# ---------------------------------------------------------------- 5. your data
st.subheader(tp("data_title"))
st.markdown(tp("privacy", mb=teach.MAX_BYTES / 1e6))
snapshot_examples, snapshot_names, snapshot_taught = examples, list(names), taught
st.download_button(
    tp("download"),
    data=lambda: teach.to_zip(snapshot_examples, snapshot_names, snapshot_taught),
    file_name="my-classes.zip",
    mime="application/zip",
)
st.file_uploader(tp("load_zip"), key=ZIP, on_change=load_zip)
if st.session_state.get(ZIP_ERROR):
    st.error(t(st.session_state[ZIP_ERROR]))
ui.page_end()
